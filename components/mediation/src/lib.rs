//! The `mediation` component: the mediation centre's window (矛调中心,
//! "信访超市") and the agent service (民情民访代办). Disputes and agent
//! matters are cases of the one case model; this component takes them in
//! and keeps what only they have (parties, sessions, outcomes; the
//! resident, needs, tasks, promised dates, levels). Their case flow is the
//! routing component's (`POST …/cases/{id}/actions`).

mod disputes;
mod figures;
mod matters;
mod sessions;
mod wire;

use edge::router::Handler;
use spin_sdk::http::{Request, Response};
use spin_sdk::http_component;

#[http_component]
fn handle(request: Request) -> Response {
    edge::Router::new(api::MEDIATION, handler_for).handle(request)
}

fn handler_for(operation: &str) -> Option<Handler> {
    Some(match operation {
        "listDisputeKinds" => disputes::list_kinds,
        "takeInDispute" => disputes::take_in,
        "listDisputes" => disputes::list,
        "getDispute" => disputes::get,
        "addDisputeDocuments" => disputes::add_documents,
        "addMediationSession" => sessions::add,
        "recordMediationSession" => sessions::record,
        "recordDisputeOutcome" => disputes::record_outcome,
        "getMediationFigures" => figures::mediation,
        "listAgentMatterKinds" => matters::list_kinds,
        "takeAgentMatter" => matters::take,
        "listAgentMatters" => matters::list,
        "getAgentMatter" => matters::get,
        "addAgentMatterTask" => matters::add_task,
        "completeAgentMatterTask" => matters::complete_task,
        "addAgentMatterPromise" => matters::add_promise,
        "passAgentMatterUp" => matters::pass_up,
        "getAgentFigures" => figures::agent,
        _ => return None,
    })
}
