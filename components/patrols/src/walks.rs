//! A patrol from start to end: started on a grid the person may walk
//! (on a grid day: signed in to one of its grids, on the day), its track
//! uploaded in numbered pieces (each idempotent), its visits (idempotent by
//! the phone's `client_id`), ended once. Only its person writes to it; the
//! command centre and the tenant admin read every patrol, anyone else who
//! patrols their own.

use chrono::{DateTime, Utc};
use domain::patrol::{self, NewVisit, TrackPiece, TrackPoint, VisitKind};
use domain::{Location, Problem, Role};
use edge::{Ctx, HandlerResult, json};
use serde::Deserialize;
use serde_json::json;
use store::{NewPatrol, Patrol, PatrolQuery};

use crate::wire;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct StartBody {
    grid_id: i64,
    #[serde(default)]
    grid_day_id: Option<i64>,
    #[serde(default)]
    started_at: Option<DateTime<Utc>>,
}

/// `POST …/patrols`: starts the caller's patrol of a grid (signs in to a
/// grid of a grid day when `grid_day_id` is given).
pub fn start(ctx: &mut Ctx) -> HandlerResult {
    let body: StartBody = ctx.json_body()?;
    let caller = ctx.caller()?.user.clone();
    let now = Utc::now();
    let scope = ctx.scope()?;
    let previous_end = scope.last_patrol_end(caller.id)?;
    let started_at = patrol::start_time(body.started_at, now, previous_end)?;
    let grid = scope
        .patrol_grid(body.grid_id)?
        .ok_or_else(|| Problem::unknown("grid_id", "no such grid in service"))?;
    let day = match body.grid_day_id {
        None => None,
        Some(id) => Some(
            scope
                .grid_day_facts(id, caller.id)?
                .ok_or_else(|| Problem::unknown("grid_day_id", "no such grid day"))?,
        ),
    };
    let held = match (&day, caller.role) {
        (None, Role::GridWorker) => scope.held_grids(caller.id)?,
        _ => Vec::new(),
    };
    let today = scope.local_date(now)?;
    patrol::may_start(caller.role, grid, &held, day.as_ref().map(|d| (d, today)))?;
    let started = scope.start_patrol(&NewPatrol {
        person: caller.id,
        grid: grid.id,
        grid_day: body.grid_day_id,
        started_at,
    })?;
    render(ctx, 201, &started)
}

/// `GET …/patrols?person=&from=&to=&after=&limit=`: newest first; those
/// who patrol see their own only.
pub fn list(ctx: &mut Ctx) -> HandlerResult {
    let caller = ctx.caller()?.user.clone();
    let asked = ctx.query_i64("person")?;
    let person = if patrol::sees_every_patrol(caller.role) {
        asked.map(domain::UserId)
    } else {
        if asked.is_some_and(|p| p != caller.id.0) {
            return Err(Problem::forbidden("you see your own patrols only").with_field("person"));
        }
        Some(caller.id)
    };
    let query = PatrolQuery {
        person,
        from: wire::query_date(ctx.query_value("from"), "from")?,
        to: wire::query_date(ctx.query_value("to"), "to")?,
        after: ctx.query_i64("after")?,
        limit: ctx.page_limit()?,
    };
    let patrols = ctx.scope()?.patrols(&query)?;
    let next = edge::next_page(&patrols, query.limit, |p| p.id);
    let now = Utc::now();
    let items: Vec<_> = patrols.iter().map(|p| wire::summary(p, now)).collect();
    Ok(json(200, &json!({ "items": items, "next": next })))
}

/// `GET …/patrols/:id`: the patrol with its track, visits and problems.
pub fn get(ctx: &mut Ctx) -> HandlerResult {
    let found = find(ctx)?;
    let caller = &ctx.caller()?.user;
    if !patrol::sees_every_patrol(caller.role) && found.person != caller.id {
        return Err(Problem::forbidden(
            "a patrol's track is its walker's: you see your own",
        ));
    }
    render(ctx, 200, &found)
}

/// The path's patrol (another tenant's is unknown).
fn find(ctx: &mut Ctx) -> Result<Patrol, Problem> {
    let id = ctx.id_param("id", "patrol")?;
    ctx.scope()?
        .patrol(id)?
        .ok_or_else(|| Problem::not_found("no such patrol"))
}

/// The path's patrol, which must be the caller's and still take what
/// the phone recorded (409 `patrol_closed` a day after its end).
fn own_open(ctx: &mut Ctx) -> Result<Patrol, Problem> {
    let found = find(ctx)?;
    if found.person != ctx.caller()?.user.id {
        return Err(Problem::forbidden("only the patrol's walker records on it"));
    }
    patrol::check_open(found.started_at, found.ended_at, Utc::now())?;
    Ok(found)
}

fn render(ctx: &mut Ctx, status: u16, p: &Patrol) -> HandlerResult {
    let scope = ctx.scope()?;
    let track = scope.patrol_track(p.id)?;
    let visits = scope.patrol_visits(p.id)?;
    let problems = scope.patrol_problems(p.id)?;
    Ok(json(
        status,
        &wire::patrol(p, &track, &visits, &problems, Utc::now()),
    ))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PointBody {
    lat: f64,
    lng: f64,
    at: DateTime<Utc>,
    #[serde(default)]
    accuracy: Option<f64>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TrackBody {
    points: Vec<PointBody>,
}

/// `PUT …/patrols/:id/track/:piece`: a piece of the track, idempotent.
pub fn upload_track(ctx: &mut Ctx) -> HandlerResult {
    let found = own_open(ctx)?;
    let number = ctx.id_param("piece", "piece of track")?;
    let body: TrackBody = ctx.json_body()?;
    let points = body
        .points
        .into_iter()
        .map(|p| TrackPoint {
            lat: p.lat,
            lng: p.lng,
            at: p.at,
            accuracy: p.accuracy,
        })
        .collect();
    let piece = TrackPiece::new(number, points)?;
    piece.check_times(found.started_at, found.ended_at, Utc::now())?;
    let scope = ctx.scope()?;
    scope.add_track_piece(&found, &piece)?;
    let read = scope
        .patrol(found.id)?
        .ok_or_else(|| Problem::not_found("no such patrol"))?;
    Ok(json(200, &wire::summary(&read, Utc::now())))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PlaceBody {
    lat: f64,
    lng: f64,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct VisitBody {
    client_id: String,
    kind: String,
    #[serde(default)]
    note: String,
    #[serde(default)]
    place: Option<PlaceBody>,
    #[serde(default)]
    micro_grid_id: Option<i64>,
    #[serde(default)]
    at: Option<DateTime<Utc>>,
}

/// `POST …/patrols/:id/visits`: 201 with the visit; the same `client_id`
/// again, 200 with the first.
pub fn record_visit(ctx: &mut Ctx) -> HandlerResult {
    let found = own_open(ctx)?;
    let body: VisitBody = ctx.json_body()?;
    let place = body
        .place
        .map(|p| Location::new(p.lat, p.lng).map_err(|e| e.with_field("place")))
        .transpose()?;
    let kind = VisitKind::parse(&body.kind)?;
    let scope = ctx.scope()?;
    let micro_grid = scope.visit_micro_grid(&found, body.micro_grid_id, place)?;
    let now = Utc::now();
    let visit = NewVisit::new(
        &body.client_id,
        kind,
        &body.note,
        place,
        micro_grid,
        body.at,
        now,
    )?;
    patrol::check_in_window(visit.at, "at", found.started_at, found.ended_at, now)?;
    let (stored, created) = scope.add_visit(&found, &visit)?;
    Ok(json(if created { 201 } else { 200 }, &wire::visit(&stored)))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct EndBody {
    #[serde(default)]
    ended_at: Option<DateTime<Utc>>,
}

/// `POST …/patrols/:id/end`: ends it (again: the same answer).
pub fn end(ctx: &mut Ctx) -> HandlerResult {
    let found = find(ctx)?;
    if found.person != ctx.caller()?.user.id {
        return Err(Problem::forbidden("only the patrol's walker ends it"));
    }
    let body: EndBody = ctx.json_body()?;
    let ended = match found.ended_at {
        Some(_) => found,
        None => {
            let at = patrol::end_time(body.ended_at, found.started_at, Utc::now())?;
            ctx.scope()?.end_patrol(&found, at)?
        }
    };
    render(ctx, 200, &ended)
}
