//! The `routing` component: staff work on cases through the case flow
//! (joint handling included); queues; the sweep, which escalates late cases
//! and delivers webhook notifications and the residents' SMS.

mod cases;
mod queues;
mod sms;
mod triage;
mod warnings;

use edge::router::Handler;
use spin_sdk::http::{Request, Response};
use spin_sdk::http_component;

#[http_component]
fn handle(request: Request) -> Response {
    edge::Router::new(api::ROUTING, handler_for).handle(request)
}

fn handler_for(operation: &str) -> Option<Handler> {
    Some(match operation {
        "listCases" => cases::list_cases,
        "getCase" => cases::get_case,
        "actOnCase" => cases::act_on_case,
        "getQueue" => queues::get_queue,
        "commentOnCase" => cases::comment,
        "sweepCases" => queues::sweep,
        "completeAssist" => cases::complete_assist,
        "listWarnings" => warnings::list,
        "getWarning" => warnings::get,
        "acknowledgeWarning" => warnings::acknowledge,
        "openCaseForWarning" => warnings::open_case,
        "superviseWarning" => warnings::supervise,
        "getCaseSuggestions" => triage::get_suggestions,
        _ => return None,
    })
}
