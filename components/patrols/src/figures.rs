//! The patrols' figures and the micro-grids' coverage, read from what each
//! write keeps (`patrol_figures`, `micro_grid_visits`): the same few rows
//! whatever the number of patrols.

use chrono::{Duration, Utc};
use domain::Problem;
use domain::patrol::coverage as count_coverage;
use edge::{Ctx, HandlerResult, json};
use serde_json::{Value, json};
use store::FigureRow;

use crate::wire;

fn rows(rows: &[FigureRow]) -> Vec<Value> {
    rows.iter()
        .map(|r| {
            let mut out = wire::tally(&r.tally);
            out["id"] = json!(r.id);
            out["name"] = json!(r.name);
            out
        })
        .collect()
}

/// `GET …/patrols/figures?from=&to=`: local dates, both included; by
/// default the last 30 days.
pub fn figures(ctx: &mut Ctx) -> HandlerResult {
    let today = ctx.scope()?.local_date(Utc::now())?;
    let from =
        wire::query_date(ctx.query_value("from"), "from")?.unwrap_or(today - Duration::days(29));
    let to = wire::query_date(ctx.query_value("to"), "to")?.unwrap_or(today);
    if to < from {
        return Err(Problem::unprocessable(
            "to",
            "the period ends before it starts",
        ));
    }
    let figures = ctx.scope()?.patrol_figures(from, to)?;
    let mut out = wire::tally(&figures.total);
    out["from"] = json!(from.to_string());
    out["to"] = json!(to.to_string());
    out["on_the_spot_rate"] = json!(figures.total.on_the_spot_rate());
    out["by_person"] = json!(rows(&figures.by_person));
    out["by_grid"] = json!(rows(&figures.by_grid));
    Ok(json(200, &out))
}

/// `GET …/patrols/coverage`: every micro-grid's last visit, and how many
/// were not visited in 7 and in 30 days.
pub fn coverage(ctx: &mut Ctx) -> HandlerResult {
    let nodes = ctx.scope()?.coverage()?;
    let last: Vec<_> = nodes.iter().map(|n| n.last_visit_at).collect();
    let (micro_grids, not_7, not_30) = count_coverage(&last, Utc::now());
    let nodes: Vec<_> = nodes
        .iter()
        .map(|n| {
            json!({
                "id": n.id,
                "name": n.name,
                "parent_id": n.parent,
                "last_visit_at": n.last_visit_at.map(|t| t.to_rfc3339()),
            })
        })
        .collect();
    Ok(json(
        200,
        &json!({
            "micro_grids": micro_grids,
            "not_visited_7": not_7,
            "not_visited_30": not_30,
            "nodes": nodes,
        }),
    ))
}
