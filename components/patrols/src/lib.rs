//! The `patrols` component: a grid worker's or a volunteer's patrol (巡查)
//! from start to end, with the track the phone uploads in pieces, the
//! visits and (through the reporting component's `POST …/reports` with a
//! `patrol_id`) the problems found; the tenant's grid days (周三网格日);
//! and the figures and coverage kept from them. `docs/patrols.md`.

mod days;
mod figures;
mod walks;
mod wire;

use edge::router::Handler;
use spin_sdk::http::{Request, Response};
use spin_sdk::http_component;

#[http_component]
fn handle(request: Request) -> Response {
    edge::Router::new(api::PATROLS, handler_for).handle(request)
}

fn handler_for(operation: &str) -> Option<Handler> {
    Some(match operation {
        "startPatrol" => walks::start,
        "listPatrols" => walks::list,
        "getPatrol" => walks::get,
        "uploadPatrolTrack" => walks::upload_track,
        "recordPatrolVisit" => walks::record_visit,
        "endPatrol" => walks::end,
        "getPatrolFigures" => figures::figures,
        "getPatrolCoverage" => figures::coverage,
        "createGridDay" => days::create,
        "listGridDays" => days::list,
        "listMyGridDays" => days::mine,
        "getGridDay" => days::get,
        "updateGridDay" => days::update,
        "deleteGridDay" => days::delete,
        _ => return None,
    })
}
