//! The facts a report's judgement needs, read from the store, and the
//! judgement: one path for both doors (the API's reports and Open311's
//! requests), so that each rule of `domain::report` applies to both.

use domain::Problem;
use domain::report::{CategoryFacts, Facts, Judged, Report};
use store::TenantScope;

/// Judges `report` with the facts of `scope`'s tenant. Only what the rules
/// need is read: the grid is located only for a place without a chosen
/// node, and whether the area is mapped only for a place in no node.
pub fn judge<D: store::Database + ?Sized>(
    scope: &TenantScope<'_, D>,
    report: &Report,
) -> Result<Judged, Problem> {
    let category = scope.category_by_code(&report.category_code()?)?;
    let located = match (report.grid_node, report.location()?) {
        (None, Some(place)) => scope
            .locate(place.latitude(), place.longitude())?
            .map(|node| node.id),
        _ => None,
    };
    let area_is_mapped = match (report.grid_node, report.location()?, located) {
        (None, Some(_), None) => scope.has_grid_geometry()?,
        _ => false,
    };
    report.judge(Facts {
        category: category.as_ref().map(|c| CategoryFacts {
            name_zh: &c.name_zh,
            extra_fields: &c.extra_fields,
            retired: c.retired,
            place_required: c.place_required,
        }),
        located,
        area_is_mapped,
    })
}
