//! Where the cases are: a GeoJSON layer of case counts per grid (ranked,
//! busiest first) and the spike alerts (a grid and category whose count
//! this week is far above its own normal; the rule is
//! `domain::analytics::is_spike`, explained in docs/analytics.md).

use chrono::Duration;
use domain::analytics::{Figures, SPIKE_BASELINE_WEEKS, is_spike};
use domain::{GridLevel, Problem};
use edge::{Ctx, HandlerResult, json};
use serde_json::{Value, json};
use std::collections::BTreeMap;

use crate::query;

fn level(ctx: &Ctx) -> Result<GridLevel, Problem> {
    match ctx.query_value("level") {
        None => Ok(GridLevel::Grid),
        Some(level) => GridLevel::parse(&level).map_err(|p| p.with_field("level")),
    }
}

/// `GET …/dashboard/hotspots`: a FeatureCollection of the grids of a
/// level (`grid` by default) under `node` (all of them without one) with
/// their counts for the period, busiest first; `rank` 1 is the busiest.
/// Grids without a shape have no geometry. The last feature, with no
/// geometry, no rank and `unplaced: true`, counts what no grid of the level
/// holds (未定位: reported without a place, or placed above the level), so
/// that the features add up to `total`.
pub fn get_hotspots(ctx: &mut Ctx) -> HandlerResult {
    let filter = query::filter(ctx)?;
    let level = level(ctx)?;
    query::check_node_above(ctx, &filter, level)?;
    let counts = ctx.scope()?.stats_by_grid(level, &filter)?;
    let mut grids = counts.grids;
    grids.sort_by_key(|g| std::cmp::Reverse(Figures::from(&g.counters).received));
    let mut features: Vec<Value> = grids
        .iter()
        .enumerate()
        .map(|(i, grid)| {
            let figures = Figures::from(&grid.counters);
            json!({
                "type": "Feature",
                "id": grid.node.0,
                "geometry": grid
                    .geometry
                    .as_deref()
                    .and_then(|g| serde_json::from_str::<Value>(g).ok()),
                "properties": {
                    "rank": i + 1,
                    "unplaced": false,
                    "code": grid.code,
                    "name": grid.name,
                    "received": figures.received,
                    "closed": figures.closed,
                    "households": grid.households,
                },
            })
        })
        .collect();
    let unplaced = Figures::from(&counts.unplaced);
    features.push(json!({
        "type": "Feature",
        "geometry": null,
        "properties": {
            "rank": null,
            "unplaced": true,
            "code": null,
            "name": null,
            "received": unplaced.received,
            "closed": unplaced.closed,
            "households": null,
        },
    }));
    let total = Figures::from(&counts.total);
    let mut response = json(
        200,
        &json!({
            "type": "FeatureCollection",
            "features": features,
            "total": { "received": total.received, "closed": total.closed },
        }),
    );
    response.set_header("content-type", "application/geo+json");
    Ok(response)
}

/// `GET …/dashboard/alerts`: this week's spikes (the last 7 days against
/// the 8 weeks before), per grid of a level and category.
pub fn get_alerts(ctx: &mut Ctx) -> HandlerResult {
    let level = level(ctx)?;
    let today = query::today(ctx)?;
    let week_start = today - Duration::days(6);
    let history_start = week_start - Duration::days(7 * SPIKE_BASELINE_WEEKS);
    let scope = ctx.scope()?;
    let counts = scope.received_by_grid_and_category(level, history_start)?;
    // (grid, category) → (this week, the weeks before)
    let mut per: BTreeMap<(i64, String), (i64, i64)> = BTreeMap::new();
    for (node, category, day, received) in counts {
        let entry = per.entry((node.0, category)).or_default();
        if day >= week_start {
            entry.0 += received;
        } else {
            entry.1 += received;
        }
    }
    let mut alerts = Vec::new();
    for ((node, category), (this_week, before)) in per {
        let normal = before as f64 / SPIKE_BASELINE_WEEKS as f64;
        if !is_spike(this_week, normal) {
            continue;
        }
        let grid = scope.grid_node(domain::GridNodeId(node))?;
        alerts.push(json!({
            "grid_node_id": node,
            "code": grid.as_ref().map(|g| g.code.as_str().to_string()),
            "name": grid.as_ref().map(|g| g.name.clone()),
            "category": category,
            "this_week": this_week,
            "weekly_normal": (normal * 100.0).round() / 100.0,
        }));
    }
    alerts.sort_by(|a, b| b["this_week"].as_i64().cmp(&a["this_week"].as_i64()));
    Ok(json(
        200,
        &json!({
            "week": { "from": week_start.to_string(), "to": today.to_string() },
            "alerts": alerts,
        }),
    ))
}
