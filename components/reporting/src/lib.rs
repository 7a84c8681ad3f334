//! The `reporting` component: intake of cases from grid workers and
//! residents, their attachments, and what a reporter can do afterwards.

mod attachments;
mod intake;
mod judging;
mod multipart;
mod open311;
mod reporter;
mod triage;

// File bytes live in the edge, shared with the enterprise component's policy files.
use edge::files;
use edge::router::Handler;
use spin_sdk::http::{Request, Response};
use spin_sdk::http_component;

#[http_component]
fn handle(request: Request) -> Response {
    if request.path().starts_with("/open311/") {
        return edge::Router::new(api::OPEN311, open311::handler_for).handle(request);
    }
    edge::Router::new(api::REPORTING, handler_for).handle(request)
}

fn handler_for(operation: &str) -> Option<Handler> {
    Some(match operation {
        "submitReport" => intake::submit_report,
        "uploadAttachment" => attachments::upload,
        "getAttachment" => attachments::download,
        "setAttachmentVisibility" => attachments::set_visibility,
        "meToo" => reporter::me_too,
        "addReportInformation" => reporter::add_information,
        "editReport" => reporter::edit_report,
        "eraseReporterContact" => reporter::erase_contact,
        "rateCase" => reporter::rate,
        "checkCategory" => triage::check,
        _ => return None,
    })
}
