//! The `status` component: what the public sees (晒). Anyone with a
//! tracking code looks a case up; the board lists cases with their outcomes,
//! figures and a grid-level map; notices (公告) tell residents what their
//! community is doing. What of a case is public is decided by
//! `domain::publication`, never here; public answers carry `ETag` and
//! `Cache-Control` so that an edge cache can serve them.

mod board;
mod cache;
mod lookup;
mod notices;
mod wire;

use edge::router::Handler;
use spin_sdk::http::{Request, Response};
use spin_sdk::http_component;

#[http_component]
fn handle(request: Request) -> Response {
    edge::Router::new(api::STATUS, handler_for)
        .answer_early("lookUpCase", lookup::kept_answer)
        .handle(request)
}

fn handler_for(operation: &str) -> Option<Handler> {
    Some(match operation {
        "lookUpCase" => lookup::look_up_case,
        "getBoard" => board::list,
        "getBoardFigures" => board::figures,
        "getBoardMap" => board::map,
        "listNotices" => notices::list,
        "getNotice" => notices::get,
        "publishNotice" => notices::publish,
        "withdrawNotice" => notices::withdraw,
        _ => return None,
    })
}
