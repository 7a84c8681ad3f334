//! Grid days (周三网格日): planned by the tenant admin (grids and people),
//! read by the admin and the centre with their totals, and by each person
//! on one: the days ahead that list them, with their grids. Signing in to
//! a grid for the day is starting a patrol with the day's id (`walks`).

use chrono::{Duration, NaiveDate, Utc};
use domain::Problem;
use domain::patrol::{self, GridDayPlan};
use edge::{Ctx, HandlerResult, json};
use serde::Deserialize;
use serde_json::json;
use store::GridDay;

use crate::wire;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PlanBody {
    date: String,
    title: String,
    grid_ids: Vec<i64>,
    #[serde(default)]
    member_ids: Vec<i64>,
}

fn plan(ctx: &mut Ctx) -> Result<(GridDayPlan, NaiveDate), Problem> {
    let body: PlanBody = ctx.json_body()?;
    let today = ctx.scope()?.local_date(Utc::now())?;
    let plan = GridDayPlan::new(
        patrol::parse_date(&body.date, "date")?,
        &body.title,
        body.grid_ids,
        body.member_ids,
        today,
    )?;
    Ok((plan, today))
}

/// `POST …/grid-days`.
pub fn create(ctx: &mut Ctx) -> HandlerResult {
    let (plan, _) = plan(ctx)?;
    let actor = ctx.caller()?.actor();
    let day = ctx.scope()?.create_grid_day(&plan, &actor, Utc::now())?;
    ctx.audit(
        "create",
        "grid_day",
        day.id,
        None,
        Some(wire::grid_day(&day, true)),
    )?;
    Ok(json(201, &wire::grid_day(&day, true)))
}

/// The path's grid day.
fn find(ctx: &mut Ctx) -> Result<GridDay, Problem> {
    let id = ctx.id_param("id", "grid day")?;
    ctx.scope()?
        .grid_day(id)?
        .ok_or_else(|| Problem::not_found("no such grid day"))
}

/// `PUT …/grid-days/:id`: the whole plan again, before or on the day.
pub fn update(ctx: &mut Ctx) -> HandlerResult {
    let before = find(ctx)?;
    let (plan, today) = plan(ctx)?;
    patrol::check_day_change(before.date, today, false)?;
    let day = ctx.scope()?.update_grid_day(before.id, &plan)?;
    ctx.audit(
        "update",
        "grid_day",
        day.id,
        Some(wire::grid_day(&before, true)),
        Some(wire::grid_day(&day, true)),
    )?;
    Ok(json(200, &wire::grid_day(&day, true)))
}

/// `DELETE …/grid-days/:id`: only before the day.
pub fn delete(ctx: &mut Ctx) -> HandlerResult {
    let before = find(ctx)?;
    let today = ctx.scope()?.local_date(Utc::now())?;
    // A day with patrols says so (the store checks again in its transaction).
    let signed_in: Vec<i64> = before
        .members
        .iter()
        .filter(|m| m.signed_in)
        .map(|m| m.id.0)
        .collect();
    let planned = GridDayPlan {
        date: before.date,
        title: before.title.clone(),
        grids: before.grids.iter().map(|g| g.0).collect(),
        members: before.members.iter().map(|m| m.id.0).collect(),
    };
    patrol::check_started_day(&planned, &signed_in, None)?;
    patrol::check_day_change(before.date, today, true)?;
    ctx.scope()?.delete_grid_day(before.id)?;
    ctx.audit(
        "delete",
        "grid_day",
        before.id,
        Some(wire::grid_day(&before, true)),
        None,
    )?;
    Ok(edge::respond::empty(204, &[]))
}

/// `GET …/grid-days?from=&to=`: by date, by default the 30 days before
/// today to the 60 after.
pub fn list(ctx: &mut Ctx) -> HandlerResult {
    let today = ctx.scope()?.local_date(Utc::now())?;
    let from =
        wire::query_date(ctx.query_value("from"), "from")?.unwrap_or(today - Duration::days(30));
    let to = wire::query_date(ctx.query_value("to"), "to")?.unwrap_or(today + Duration::days(60));
    let days = ctx.scope()?.grid_days(from, to)?;
    let items: Vec<_> = days.iter().map(|d| wire::grid_day(d, false)).collect();
    Ok(json(200, &json!({ "items": items })))
}

/// `GET …/grid-days/:id`: the admin and the centre see everyone on it; a
/// person on it sees its grids and themselves.
pub fn get(ctx: &mut Ctx) -> HandlerResult {
    let mut day = find(ctx)?;
    let caller = &ctx.caller()?.user;
    if !patrol::sees_every_patrol(caller.role) {
        if !day.members.iter().any(|m| m.id == caller.id) {
            return Err(Problem::forbidden("you are not on this grid day"));
        }
        let me = caller.id;
        day.members.retain(|m| m.id == me);
    }
    Ok(json(200, &wire::grid_day(&day, true)))
}

/// `GET …/grid-days/mine`: the days from today on that list the caller.
pub fn mine(ctx: &mut Ctx) -> HandlerResult {
    let me = ctx.caller()?.user.id;
    let scope = ctx.scope()?;
    let today = scope.local_date(Utc::now())?;
    let days = scope.my_grid_days(me, today)?;
    let items: Vec<_> = days
        .iter()
        .map(|d| wire::my_grid_day(&d.day, d.my_patrol))
        .collect();
    Ok(json(200, &json!({ "items": items })))
}
