//! What patrols, visits and grid days look like on the wire
//! (`docs/patrols.md`), and the small parsing the handlers share.

use chrono::{DateTime, NaiveDate, Utc};
use domain::Problem;
use domain::patrol::{Tally, TrackPiece, minutes};
use serde_json::{Value, json};
use store::{GridDay, Patrol, PatrolProblem, Visit};

/// A date of the query string (`YYYY-MM-DD`), if given.
pub fn query_date(raw: Option<String>, field: &str) -> Result<Option<NaiveDate>, Problem> {
    raw.map(|r| domain::patrol::parse_date(&r, field))
        .transpose()
}

/// Sums as the figures show them (metres to the metre).
pub fn tally(t: &Tally) -> Value {
    json!({
        "patrols": t.patrols,
        "minutes": t.minutes,
        "metres": t.metres.round() as i64,
        "visits": t.visits,
        "problems_found": t.problems_found,
        "fixed_on_the_spot": t.fixed_on_the_spot,
    })
}

fn time(t: DateTime<Utc>) -> String {
    t.to_rfc3339()
}

/// `PatrolSummary`: a running patrol's minutes count to `now`.
pub fn summary(p: &Patrol, now: DateTime<Utc>) -> Value {
    let minutes = match p.ended_at {
        None => minutes(p.started_at, now),
        Some(_) => p.tally.minutes,
    };
    json!({
        "id": p.id,
        "person": { "id": p.person.0, "name": p.person_name },
        "grid": { "id": p.grid, "name": p.grid_name },
        "grid_day_id": p.grid_day,
        "state": if p.ended_at.is_some() { "ended" } else { "running" },
        "started_at": time(p.started_at),
        "ended_at": p.ended_at.map(time),
        "minutes": minutes,
        "metres": p.tally.metres.round() as i64,
        "visits": p.tally.visits,
        "problems_found": p.tally.problems_found,
        "fixed_on_the_spot": p.tally.fixed_on_the_spot,
    })
}

/// `Patrol`: the summary with its track (null once thinned), visits and
/// problems found.
pub fn patrol(
    p: &Patrol,
    track: &[TrackPiece],
    visits: &[Visit],
    problems: &[PatrolProblem],
    now: DateTime<Utc>,
) -> Value {
    let mut out = summary(p, now);
    let all = track
        .iter()
        .flat_map(|piece| piece.points())
        .copied()
        .collect();
    let (shown, simplified) = domain::patrol::shown_track(all);
    let points: Vec<Value> = shown
        .iter()
        .map(|pt| json!({ "lat": pt.lat, "lng": pt.lng, "at": time(pt.at) }))
        .collect();
    out["track"] = if p.track_thinned {
        Value::Null
    } else {
        json!(points)
    };
    out["track_thinned"] = json!(p.track_thinned);
    out["track_simplified"] = json!(simplified);
    out["visits"] = json!(visits.iter().map(visit).collect::<Vec<_>>());
    out["problems"] = json!(
        problems
            .iter()
            .map(|c| json!({
                "id": c.case_id,
                "tracking_code": c.tracking_code,
                "category": c.category,
                "state": c.state,
                "fixed_on_the_spot": c.fixed_on_the_spot,
            }))
            .collect::<Vec<_>>()
    );
    out
}

pub fn visit(v: &Visit) -> Value {
    json!({
        "id": v.id,
        "client_id": v.client_id,
        "kind": v.kind.as_str(),
        "note": v.note,
        "place": v.place.map(|l| json!({ "lat": l.latitude(), "lng": l.longitude() })),
        "micro_grid": v.micro_grid.as_ref().map(|(id, name)| json!({ "id": id, "name": name })),
        "at": time(v.at),
    })
}

fn named(items: &[(i64, String)]) -> Vec<Value> {
    items
        .iter()
        .map(|(id, name)| json!({ "id": id, "name": name }))
        .collect()
}

/// `GridDaySummary` (`with_members`: `GridDay`).
pub fn grid_day(d: &GridDay, with_members: bool) -> Value {
    let mut totals = tally(&d.totals);
    totals["people_signed_in"] = json!(d.people_signed_in);
    let mut out = json!({
        "id": d.id,
        "date": d.date.to_string(),
        "title": d.title,
        "grids": named(&d.grids),
        "totals": totals,
    });
    if with_members {
        out["members"] = json!(
            d.members
                .iter()
                .map(|m| json!({
                    "id": m.id.0,
                    "name": m.name,
                    "role": m.role,
                    "signed_in": m.signed_in,
                }))
                .collect::<Vec<_>>()
        );
    }
    out
}

/// A day on a member's list: its grids and the member's patrol on it.
pub fn my_grid_day(d: &GridDay, my_patrol: Option<i64>) -> Value {
    json!({
        "id": d.id,
        "date": d.date.to_string(),
        "title": d.title,
        "grids": named(&d.grids),
        "my_patrol_id": my_patrol,
    })
}
