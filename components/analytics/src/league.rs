//! League tables: departments by on-time rate and resolution time; grids
//! by reports per household and the share fixed on the spot.

use domain::GridLevel;
use domain::analytics::Figures;
use edge::{Ctx, HandlerResult, json};
use serde_json::{Value, json};
use store::{GridCount, StatsFilter};

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

/// Grids, most reports per household first.
pub fn grid_rows(ctx: &mut Ctx, filter: &StatsFilter) -> Result<Vec<Value>, domain::Problem> {
    let grids: Vec<GridCount> = ctx.scope()?.stats_by_grid(GridLevel::Grid, filter)?;
    let mut rows: Vec<(f64, Value)> = grids
        .iter()
        .map(|grid| {
            let figures = Figures::from(&grid.counters);
            let per_household = grid
                .households
                .filter(|h| *h > 0)
                .map(|h| figures.received as f64 / h as f64);
            let on_the_spot = (figures.received > 0)
                .then(|| figures.fixed_on_the_spot as f64 / figures.received as f64);
            let row = json!({
                "grid_node_id": grid.node.0,
                "code": grid.code,
                "name": grid.name,
                "households": grid.households,
                "received": figures.received,
                "reports_per_household": per_household.map(|r| (r * 1000.0).round() / 1000.0),
                "fixed_on_the_spot": figures.fixed_on_the_spot,
                "on_the_spot_rate": on_the_spot,
            });
            (per_household.unwrap_or(-1.0), row)
        })
        .collect();
    rows.sort_by(|(a, _), (b, _)| b.total_cmp(a));
    Ok(ranked(rows))
}

pub fn departments(ctx: &mut Ctx) -> HandlerResult {
    let filter = query::filter(ctx)?;
    let rows = department_rows(ctx, &filter)?;
    Ok(json(200, &json!({ "departments": rows })))
}

pub fn grids(ctx: &mut Ctx) -> HandlerResult {
    let filter = query::filter(ctx)?;
    let rows = grid_rows(ctx, &filter)?;
    Ok(json(200, &json!({ "grids": rows })))
}
