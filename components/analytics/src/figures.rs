//! The dashboard's main call: the figures for a node, category, department
//! and period, broken down by day, week or month, with what is open and
//! overdue now.

use chrono::NaiveDate;
use domain::Problem;
use domain::analytics::{Counters, Figures, Period, by_period};
use edge::{Ctx, HandlerResult, json};
use serde_json::{Value, json};

use crate::query;

pub fn series_json(days: &[(NaiveDate, Counters)], period: Period) -> (Value, Counters) {
    let mut total = Counters::default();
    let series: Vec<Value> = by_period(days, period)
        .iter()
        .map(|(start, counters)| {
            total.accumulate(counters, 1);
            let mut row = json!(Figures::from(counters));
            row["start"] = json!(start.to_string());
            row
        })
        .collect();
    (json!(series), total)
}

pub fn period(ctx: &Ctx) -> Result<Period, Problem> {
    match ctx.query_value("by") {
        None => Ok(Period::Day),
        Some(by) => {
            Period::parse(&by).ok_or_else(|| Problem::validation("by", "by is day, week or month"))
        }
    }
}

pub fn get_figures(ctx: &mut Ctx) -> HandlerResult {
    let filter = query::filter(ctx)?;
    query::check_node(ctx, &filter)?;
    let period = period(ctx)?;
    let scope = ctx.scope()?;
    let days = scope.stats_by_day(&filter)?;
    let now = scope.open_now(&filter)?;
    let (series, total) = series_json(&days, period);
    Ok(json(
        200,
        &json!({
            "from": filter.from.map(|d| d.to_string()),
            "to": filter.to.map(|d| d.to_string()),
            "totals": Figures::from(&total),
            "series": series,
            "now": { "open": now.open, "overdue": now.overdue },
        }),
    ))
}

/// `POST …/dashboard/rebuild` (operator key): recounts the tenant's figures
/// from its cases, e.g. after a data repair.
pub fn rebuild(ctx: &mut Ctx) -> HandlerResult {
    let counted = ctx.scope()?.rebuild_stats()?;
    Ok(json(200, &json!({ "cases": counted })))
}
