//! League tables: departments by on-time rate and resolution time; grids
//! by reports per household and the share fixed on the spot.

use domain::GridLevel;
use domain::analytics::{Counters, Figures};
use edge::{Ctx, HandlerResult, json};
use serde_json::{Value, json};
use store::{GridCount, GridCounts, StatsFilter};

use crate::query;

/// The rows in their sorted order, each with its `rank` (1 first).
fn ranked<K>(rows: Vec<(K, Value)>) -> Vec<Value> {
    rows.into_iter()
        .enumerate()
        .map(|(i, (_, mut row))| {
            row["rank"] = json!(i + 1);
            row
        })
        .collect()
}

/// Departments, best on-time rate first, then the faster.
pub fn department_rows(ctx: &mut Ctx, filter: &StatsFilter) -> Result<Vec<Value>, domain::Problem> {
    let scope = ctx.scope()?;
    let departments = scope.list_departments()?;
    let mut rows: Vec<(Figures, Value)> = scope
        .stats_by_department(filter)?
        .into_iter()
        .filter(|(id, _)| *id != 0)
        .map(|(id, counters)| {
            let figures = Figures::from(&counters);
            let department = departments.iter().find(|d| d.id == id);
            let row = json!({
                "department_id": id,
                "code": department.map(|d| d.code.as_str().to_string()),
                "name": department.map(|d| d.name.clone()),
                "closed": figures.closed,
                "on_time_rate": figures.on_time_rate,
                "average_resolution_hours": figures.average_resolution_hours,
                "median_resolution_hours": figures.median_resolution_hours,
                "satisfaction_rate": figures.satisfaction_rate,
            });
            (figures, row)
        })
        .collect();
    rows.sort_by(|(a, _), (b, _)| {
        let on_time = |f: &Figures| f.on_time_rate.unwrap_or(-1.0);
        let hours = |f: &Figures| f.average_resolution_hours.unwrap_or(f64::MAX);
        on_time(b)
            .total_cmp(&on_time(a))
            .then(hours(a).total_cmp(&hours(b)))
    });
    Ok(ranked(rows))
}

/// A grid league row: a grid's (`grid` given) or the 未定位 row's.
fn grid_row(grid: Option<&GridCount>, counters: &Counters) -> (f64, Value) {
    let figures = Figures::from(counters);
    let households = grid.and_then(|g| g.households);
    let per_household = households
        .filter(|h| *h > 0)
        .map(|h| figures.received as f64 / h as f64);
    let on_the_spot =
        (figures.received > 0).then(|| figures.fixed_on_the_spot as f64 / figures.received as f64);
    let row = json!({
        "grid_node_id": grid.map(|g| g.node.0),
        "unplaced": grid.is_none(),
        "code": grid.map(|g| g.code.clone()),
        "name": grid.map(|g| g.name.clone()),
        "households": households,
        "received": figures.received,
        "reports_per_household": per_household.map(|r| (r * 1000.0).round() / 1000.0),
        "fixed_on_the_spot": figures.fixed_on_the_spot,
        "on_the_spot_rate": on_the_spot,
    });
    (per_household.unwrap_or(-1.0), row)
}

/// The grids under the filter's node, most reports per household first,
/// then the 未定位 row (no rank): what no grid holds, so that the rows'
/// `received` add up to the total's.
pub fn grid_rows(ctx: &mut Ctx, filter: &StatsFilter) -> Result<GridRows, domain::Problem> {
    query::check_node_above(ctx, filter, GridLevel::Grid)?;
    let counts: GridCounts = ctx.scope()?.stats_by_grid(GridLevel::Grid, filter)?;
    let mut rows: Vec<(f64, Value)> = counts
        .grids
        .iter()
        .map(|grid| grid_row(Some(grid), &grid.counters))
        .collect();
    rows.sort_by(|(a, _), (b, _)| b.total_cmp(a));
    let mut rows = ranked(rows);
    let (_, mut unplaced) = grid_row(None, &counts.unplaced);
    unplaced["rank"] = Value::Null;
    rows.push(unplaced);
    let total = Figures::from(&counts.total);
    Ok(GridRows {
        rows,
        total: json!({ "received": total.received, "fixed_on_the_spot": total.fixed_on_the_spot }),
    })
}

/// The grid league's rows (the 未定位 row last) and their total.
pub struct GridRows {
    pub rows: Vec<Value>,
    pub total: Value,
}

pub fn departments(ctx: &mut Ctx) -> HandlerResult {
    let filter = query::filter(ctx)?;
    let rows = department_rows(ctx, &filter)?;
    Ok(json(200, &json!({ "departments": rows })))
}

pub fn grids(ctx: &mut Ctx) -> HandlerResult {
    let filter = query::filter(ctx)?;
    let grids = grid_rows(ctx, &filter)?;
    Ok(json(
        200,
        &json!({ "grids": grids.rows, "total": grids.total }),
    ))
}
