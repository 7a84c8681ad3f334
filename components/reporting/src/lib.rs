//! The `reporting` component: intake of cases from grid workers and residents.

mod intake;

use edge::router::Handler;
use spin_sdk::http::{Request, Response};
use spin_sdk::http_component;

#[http_component]
fn handle(request: Request) -> Response {
    edge::Router::new(api::REPORTING, handler_for).handle(request)
}

fn handler_for(operation: &str) -> Option<Handler> {
    Some(match operation {
        "submitReport" => intake::submit_report,
        _ => return None,
    })
}
