//! The centre's and the agent service's own figures, counted from their
//! side tables (a township's disputes and matters number in the hundreds a
//! year, so a count per request is cheap). The generic figures by source
//! come from the dashboard (`…/dashboard/figures?source=mediation`).

use chrono::{Datelike, Duration, NaiveDate, TimeZone, Utc};
use domain::Problem;
use domain::agent::AgentFigures;
use domain::case_kind::CaseKind;
use domain::deadline::zone_offset;
use domain::mediation::MediationFigures;
use edge::{Ctx, HandlerResult, json};
use serde_json::{Value, json};

use crate::wire::query_date;

/// The period of `from` and `to` (local dates, `to` included); by default
/// the current year to date.
fn period(ctx: &mut Ctx) -> Result<(NaiveDate, NaiveDate), Problem> {
    let offset = zone_offset(&ctx.tenant()?.time_zone)?;
    let today = Utc::now().with_timezone(&offset).date_naive();
    let from = query_date(ctx.query_value("from"), "from")?
        .unwrap_or_else(|| NaiveDate::from_ymd_opt(today.year(), 1, 1).unwrap_or(today));
    let to = query_date(ctx.query_value("to"), "to")?.unwrap_or(today);
    if to < from {
        // The two dates together: a rule the API document cannot state (422).
        return Err(Problem::unprocessable(
            "to",
            "the period ends before it starts",
        ));
    }
    Ok((from, to))
}

fn period_wire(from: NaiveDate, to: NaiveDate) -> Value {
    json!({ "from": from.to_string(), "to": to.to_string() })
}

/// `GET …/mediation/figures?from=&to=`: taken in, resolved and the
/// resolution rate, in all and by kind, lead department and month.
pub fn mediation(ctx: &mut Ctx) -> HandlerResult {
    let (from, to) = period(ctx)?;
    let offset = zone_offset(&ctx.tenant()?.time_zone)?;
    let start = |day: NaiveDate| {
        offset
            .from_local_datetime(&day.and_hms_opt(0, 0, 0).unwrap_or_default())
            .single()
            .map(|t| t.with_timezone(&Utc))
            .ok_or_else(|| Problem::internal("a local midnight that does not exist"))
    };
    let scope = ctx.scope()?;
    let facts = scope.dispute_facts(start(from)?, start(to + Duration::days(1))?)?;
    let figures = MediationFigures::count(&facts);
    let departments = scope.list_departments()?;
    let by_department: Vec<_> = figures
        .by_department
        .iter()
        .map(|(id, tally)| {
            let department = departments.iter().find(|d| d.id == *id);
            json!({
                "department_id": id,
                "code": department.map(|d| d.code.as_str()),
                "name": department.map(|d| d.name.as_str()),
                "figures": tally,
            })
        })
        .collect();
    let by_kind: Vec<_> = figures
        .by_kind
        .iter()
        .map(|(kind, tally)| json!({ "kind": kind, "name_zh": kind.name_zh(), "figures": tally }))
        .collect();
    let by_month: Vec<_> = figures
        .by_month
        .iter()
        .map(|(month, tally)| json!({ "month": month, "figures": tally }))
        .collect();
    Ok(json(
        200,
        &json!({
            "period": period_wire(from, to),
            "total": figures.total,
            "by_kind": by_kind,
            "by_department": by_department,
            "by_month": by_month,
        }),
    ))
}

/// `GET …/agent/figures?from=&to=`: matters taken, done and the completion
/// rate, in all and per level (the level each matter is worked at now).
pub fn agent(ctx: &mut Ctx) -> HandlerResult {
    let (from, to) = period(ctx)?;
    let facts = ctx.scope()?.matter_facts(from, to + Duration::days(1))?;
    let figures = AgentFigures::count(&facts);
    Ok(json(
        200,
        &json!({
            "period": period_wire(from, to),
            "total": figures.total,
            "by_level": figures.by_level,
        }),
    ))
}
