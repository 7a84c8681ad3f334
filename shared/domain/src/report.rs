//! Whether a report may become a case, whichever door it came through: the
//! API's JSON or form (`POST /api/t/{tenant}/reports`) and Open311's
//! `POST requests`. Each door turns its own wire format into a
//! [`Report`], reads the [`Facts`] the report needs from the store, and
//! calls [`Report::judge`]; a door adds only what its wire format itself
//! demands (Open311's location-or-address rule, its contact fields).

use std::collections::BTreeMap;

use serde_json::Value;

use crate::auth::Role;
use crate::case::{CaseSource, Location};
use crate::grid::GridNodeId;
use crate::organisation::{Code, ExtraField};
use crate::problem::{Problem, ProblemCode};

/// The longest description a report may have, in characters.
pub const MAX_DESCRIPTION_CHARS: usize = 4000;

/// A report as a door received it, before any rule is applied.
#[derive(Debug, Clone, Default)]
pub struct Report<'a> {
    /// The role of the signed-in reporter; `None` for a resident without an
    /// account (and for every Open311 client, which reports for residents).
    pub reporter: Option<Role>,
    /// The category's code as written.
    pub category: &'a str,
    /// `None` where the door lets it be left out (Open311): the category's
    /// name then describes the report.
    pub description: Option<&'a str>,
    pub extra: BTreeMap<String, Value>,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    /// Where it is, in the reporter's words (an address, a landmark).
    pub address: Option<&'a str>,
    /// A grid node the reporter chose themselves.
    pub grid_node: Option<GridNodeId>,
    /// A grid worker's problem already fixed (当场解决).
    pub fixed_on_the_spot: bool,
    /// How many files the report carries (uploaded before or sent with it).
    pub attachments: usize,
}

/// What the store knows that the judgement needs.
#[derive(Debug, Clone, Copy)]
pub struct Facts<'a> {
    /// The tenant's category of that code, if it has one.
    pub category: Option<CategoryFacts<'a>>,
    /// The grid node whose shape holds the report's place, if any.
    pub located: Option<GridNodeId>,
    /// Whether any of the tenant's grid nodes has a shape: a tenant whose
    /// grid is mapped knows its area, and a place in none is outside it.
    pub area_is_mapped: bool,
}

/// What the judgement needs of a category.
#[derive(Debug, Clone, Copy)]
pub struct CategoryFacts<'a> {
    pub name_zh: &'a str,
    pub extra_fields: &'a [ExtraField],
    pub retired: bool,
    /// Whether a report of this category must say where the problem is
    /// (a street light, a pothole); a question about a policy need not.
    pub place_required: bool,
}

/// A report that passed every rule.
#[derive(Debug, Clone, PartialEq)]
pub struct Judged {
    pub category: Code,
    pub source: CaseSource,
    pub description: String,
    /// The category's extra fields, numbers written as text made numbers.
    pub extra: BTreeMap<String, Value>,
    pub location: Option<Location>,
    pub grid_node: Option<GridNodeId>,
}

impl Report<'_> {
    /// The category's code, unless it is malformed or a desk takes it in
    /// (a dispute is filed at the mediation centre, an inquiry at the
    /// enterprise desk: never as a report). The door looks the category up
    /// by this code.
    pub fn category_code(&self) -> Result<Code, Problem> {
        let code = Code::parse(self.category).map_err(|_| unknown_category())?;
        if let Some(desk) = crate::case_kind::reserved_for(code.as_str()) {
            return Err(Problem::validation(
                "category",
                format!(
                    "'{}' is taken in at the {} desk, not as a report",
                    code.as_str(),
                    desk.as_str()
                ),
            ));
        }
        Ok(code)
    }

    /// Where the problem is: both coordinates or neither. The door locates
    /// the grid node from this.
    pub fn location(&self) -> Result<Option<Location>, Problem> {
        match (self.latitude, self.longitude) {
            (None, None) => Ok(None),
            (Some(lat), Some(lon)) => Location::new(lat, lon).map(Some),
            (Some(_), None) => Err(Problem::validation("longitude", "give both coordinates")),
            (None, Some(_)) => Err(Problem::validation("latitude", "give both coordinates")),
        }
    }

    /// Judges the report against every rule of intake, in the order a
    /// reporter would fix them: who may say what, the category, its extra
    /// fields, the description, the place.
    pub fn judge(&self, facts: Facts) -> Result<Judged, Problem> {
        let source = match self.reporter {
            None => CaseSource::Resident,
            Some(Role::Agent) => CaseSource::Agent,
            Some(_) => CaseSource::GridWorker,
        };
        if self.fixed_on_the_spot
            && !matches!(self.reporter, Some(Role::GridWorker | Role::Volunteer))
        {
            return Err(Problem::forbidden(
                "only a grid worker or a volunteer records a problem as fixed on the spot",
            ));
        }
        if self.fixed_on_the_spot && self.attachments == 0 {
            return Err(Problem::coded(
                ProblemCode::EvidencePhotoRequired,
                "a problem fixed on the spot needs a photo of the result as evidence",
            )
            .with_field("attachment_ids"));
        }
        let category = self.category_code()?;
        let known = facts
            .category
            .filter(|c| !c.retired)
            .ok_or_else(unknown_category)?;
        let extra = check_extra(known.extra_fields, &self.extra)?;
        let description = check_description(self.description.unwrap_or(known.name_zh))?;
        let location = self.location()?;
        let grid_node = match (self.grid_node, location) {
            (Some(chosen), _) => Some(chosen),
            (None, Some(_)) if facts.located.is_none() && facts.area_is_mapped => {
                return Err(Problem::coded(
                    ProblemCode::OutsideArea,
                    "this place is outside the area of this township or district",
                )
                .with_field("latitude"));
            }
            (None, Some(_)) => facts.located,
            (None, None) => None,
        };
        let described = self.address.is_some_and(|a| !a.trim().is_empty());
        if known.place_required && location.is_none() && grid_node.is_none() && !described {
            return Err(Problem::coded(
                ProblemCode::PlaceRequired,
                format!(
                    "a report of '{}' ({}) needs its place: the point (latitude and longitude), \
                     the grid (grid_node_id) or the address",
                    category.as_str(),
                    known.name_zh
                ),
            )
            .with_field("latitude"));
        }
        Ok(Judged {
            category,
            source,
            description,
            extra,
            location,
            grid_node,
        })
    }
}

/// A description as it is kept: trimmed, 1 to [`MAX_DESCRIPTION_CHARS`]
/// characters. For a new report and for the reporter's correction alike.
pub fn check_description(text: &str) -> Result<String, Problem> {
    let description = text.trim();
    if description.is_empty() || description.chars().count() > MAX_DESCRIPTION_CHARS {
        return Err(Problem::validation(
            "description",
            format!("describe the problem in 1 to {MAX_DESCRIPTION_CHARS} characters"),
        ));
    }
    Ok(description.to_string())
}

fn unknown_category() -> Problem {
    Problem::coded(
        ProblemCode::UnknownCategory,
        "unknown category: no category of this code takes reports here",
    )
    .with_field("category")
}

/// Checks a report's `extra` object against its category's fields: every
/// required field present (an empty text is not there: a form's empty
/// input), numbers numeric (as numbers or as text, which becomes a number),
/// choices among the allowed values, and nothing the category does not
/// know. Returns the fields as they are kept.
pub fn check_extra(
    fields: &[ExtraField],
    extra: &BTreeMap<String, Value>,
) -> Result<BTreeMap<String, Value>, Problem> {
    use crate::organisation::ExtraFieldKind;
    if let Some(key) = extra.keys().find(|k| !fields.iter().any(|f| &f.key == *k)) {
        return Err(Problem::validation(
            format!("extra.{key}"),
            format!("this category has no field '{key}'"),
        ));
    }
    let mut kept = BTreeMap::new();
    for field in fields {
        let at = format!("extra.{}", field.key);
        let value = match extra.get(&field.key) {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) if s.is_empty() => None,
            Some(v) => Some(v),
        };
        let Some(value) = value else {
            if field.required {
                return Err(Problem::validation(
                    at,
                    format!("'{}' ({}) is required", field.label_en, field.label_zh),
                ));
            }
            continue;
        };
        let checked = match field.kind {
            ExtraFieldKind::Text => value
                .as_str()
                .filter(|s| s.chars().count() <= 500)
                .map(|s| Value::String(s.to_string())),
            ExtraFieldKind::Number => match value {
                Value::Number(_) => Some(value.clone()),
                Value::String(s) => s
                    .trim()
                    .parse::<f64>()
                    .ok()
                    .and_then(serde_json::Number::from_f64)
                    .map(Value::Number),
                _ => None,
            },
            ExtraFieldKind::Choice => value
                .as_str()
                .filter(|s| field.choices.iter().any(|c| c == s))
                .map(|s| Value::String(s.to_string())),
        };
        let Some(checked) = checked else {
            let expected = match field.kind {
                ExtraFieldKind::Text => "a text of at most 500 characters".to_string(),
                ExtraFieldKind::Number => "a number".to_string(),
                ExtraFieldKind::Choice => format!("one of {}", field.choices.join(", ")),
            };
            return Err(Problem::validation(at, format!("expected {expected}")));
        };
        kept.insert(field.key.clone(), checked);
    }
    Ok(kept)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::organisation::ExtraFieldKind;
    use serde_json::json;

    fn plate_and_size() -> Vec<ExtraField> {
        vec![
            ExtraField {
                key: "plate".into(),
                label_zh: "车牌号".into(),
                label_en: "Plate".into(),
                kind: ExtraFieldKind::Text,
                required: true,
                choices: vec![],
            },
            ExtraField {
                key: "cars".into(),
                label_zh: "车辆数".into(),
                label_en: "Cars".into(),
                kind: ExtraFieldKind::Number,
                required: false,
                choices: vec![],
            },
            ExtraField {
                key: "size".into(),
                label_zh: "大小".into(),
                label_en: "Size".into(),
                kind: ExtraFieldKind::Choice,
                required: false,
                choices: vec!["small".into(), "large".into()],
            },
        ]
    }

    fn parking(fields: &[ExtraField]) -> Facts<'_> {
        Facts {
            category: Some(CategoryFacts {
                name_zh: "违章停车",
                extra_fields: fields,
                retired: false,
                place_required: false,
            }),
            located: None,
            area_is_mapped: false,
        }
    }

    fn report(extra: Value) -> Report<'static> {
        Report {
            category: "parking",
            description: Some("门口违停"),
            extra: serde_json::from_value(extra).unwrap(),
            ..Report::default()
        }
    }

    fn field_of(result: Result<Judged, Problem>) -> String {
        result.unwrap_err().field.unwrap_or_default()
    }

    #[test]
    fn a_good_report_is_judged_with_numbers_made_numbers() {
        let fields = plate_and_size();
        let judged = report(json!({ "plate": "浙A12345", "cars": "2", "size": "small" }))
            .judge(parking(&fields))
            .unwrap();
        assert_eq!(judged.source, CaseSource::Resident);
        assert_eq!(judged.category.as_str(), "parking");
        assert_eq!(judged.extra["cars"], json!(2.0));
        assert_eq!(judged.extra["plate"], json!("浙A12345"));
    }

    #[test]
    fn extra_fields_are_required_typed_and_known() {
        let fields = plate_and_size();
        let facts = parking(&fields);
        for (extra, field) in [
            (json!({}), "extra.plate"),
            (json!({ "plate": "" }), "extra.plate"),
            (json!({ "plate": "x", "cars": "two" }), "extra.cars"),
            (json!({ "plate": "x", "size": "huge" }), "extra.size"),
            (json!({ "plate": "x", "colour": "red" }), "extra.colour"),
            (json!({ "plate": "x".repeat(501) }), "extra.plate"),
        ] {
            assert_eq!(
                field_of(report(extra.clone()).judge(facts)),
                field,
                "{extra}"
            );
        }
    }

    #[test]
    fn only_a_grid_worker_fixes_on_the_spot_and_the_role_names_the_source() {
        let fields = plate_and_size();
        let mut on_the_spot = report(json!({ "plate": "x" }));
        on_the_spot.fixed_on_the_spot = true;
        for refused in [None, Some(Role::Agent), Some(Role::TenantAdmin)] {
            on_the_spot.reporter = refused;
            let problem = on_the_spot.judge(parking(&fields)).unwrap_err();
            assert_eq!(problem.status(), 403, "{refused:?}");
        }
        on_the_spot.reporter = Some(Role::GridWorker);
        assert_eq!(
            field_of(on_the_spot.judge(parking(&fields))),
            "attachment_ids",
            "the result's photo is the evidence"
        );
        on_the_spot.attachments = 1;
        let judged = on_the_spot.judge(parking(&fields)).unwrap();
        assert_eq!(judged.source, CaseSource::GridWorker);
        // A volunteer on a grid day fixes on the spot like a grid worker,
        // and what it finds counts as a grid worker's report.
        on_the_spot.reporter = Some(Role::Volunteer);
        let judged = on_the_spot.judge(parking(&fields)).unwrap();
        assert_eq!(judged.source, CaseSource::GridWorker);
        let mut by_agent = report(json!({ "plate": "x" }));
        by_agent.reporter = Some(Role::Agent);
        assert_eq!(
            by_agent.judge(parking(&fields)).unwrap().source,
            CaseSource::Agent
        );
    }

    #[test]
    fn unknown_retired_and_reserved_categories_are_refused() {
        let fields = plate_and_size();
        let mut retired = parking(&fields);
        retired.category = retired
            .category
            .map(|c| CategoryFacts { retired: true, ..c });
        let unknown = Facts {
            category: None,
            ..parking(&fields)
        };
        let plain = report(json!({ "plate": "x" }));
        assert_eq!(field_of(plain.judge(retired)), "category");
        assert_eq!(field_of(plain.judge(unknown)), "category");
        let dispute = Report {
            category: "mediation_family",
            ..plain.clone()
        };
        let problem = dispute.judge(parking(&fields)).unwrap_err();
        assert!(problem.detail.contains("desk"), "{}", problem.detail);
    }

    #[test]
    fn the_description_is_one_to_the_most_characters_or_the_categorys_name() {
        let fields = plate_and_size();
        let mut r = report(json!({ "plate": "x" }));
        let too_long = "长".repeat(MAX_DESCRIPTION_CHARS + 1);
        for bad in ["", "   ", &too_long] {
            r.description = Some(bad);
            assert_eq!(field_of(r.judge(parking(&fields))), "description");
        }
        let longest = "长".repeat(MAX_DESCRIPTION_CHARS);
        r.description = Some(&longest);
        assert!(r.judge(parking(&fields)).is_ok());
        r.description = None;
        assert_eq!(r.judge(parking(&fields)).unwrap().description, "违章停车");
    }

    #[test]
    fn a_place_takes_both_coordinates_and_lies_in_a_mapped_area() {
        let fields = plate_and_size();
        let mut r = report(json!({ "plate": "x" }));
        r.latitude = Some(30.0);
        assert_eq!(field_of(r.judge(parking(&fields))), "longitude");
        r.longitude = Some(120.0);
        let unmapped = r.judge(parking(&fields)).unwrap();
        assert_eq!(unmapped.grid_node, None);
        assert!(unmapped.location.is_some());
        let mapped = Facts {
            area_is_mapped: true,
            ..parking(&fields)
        };
        assert_eq!(field_of(r.judge(mapped)), "latitude");
        let inside = Facts {
            located: Some(GridNodeId(7)),
            ..mapped
        };
        assert_eq!(r.judge(inside).unwrap().grid_node, Some(GridNodeId(7)));
        // A node the reporter chose stands, wherever the place is.
        r.grid_node = Some(GridNodeId(9));
        assert_eq!(r.judge(mapped).unwrap().grid_node, Some(GridNodeId(9)));
    }

    #[test]
    fn a_category_that_needs_a_place_takes_a_point_a_grid_or_an_address() {
        let fields = plate_and_size();
        let mut needs = parking(&fields);
        needs.category = needs.category.map(|c| CategoryFacts {
            place_required: true,
            ..c
        });
        let nowhere = report(json!({ "plate": "x" }));
        let problem = nowhere.judge(needs).unwrap_err();
        assert_eq!(problem.status(), 422, "{problem:?}");
        assert_eq!(problem.code(), ProblemCode::PlaceRequired);
        assert_eq!(problem.field.as_deref(), Some("latitude"));
        assert!(problem.detail.contains("违章停车"), "{}", problem.detail);
        let blank = Report {
            address: Some("  "),
            ..nowhere.clone()
        };
        assert_eq!(field_of(blank.judge(needs)), "latitude", "a blank address");
        for placed in [
            Report {
                latitude: Some(30.0),
                longitude: Some(120.0),
                ..nowhere.clone()
            },
            Report {
                grid_node: Some(GridNodeId(3)),
                ..nowhere.clone()
            },
            Report {
                address: Some("文三路 10 号门口"),
                ..nowhere.clone()
            },
        ] {
            assert!(placed.judge(needs).is_ok(), "{placed:?}");
        }
        // A category that needs none takes a report without a place.
        assert!(nowhere.judge(parking(&fields)).is_ok());
    }
}
