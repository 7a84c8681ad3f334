//! The `status` component: anyone with a tracking code sees how a case went.
//! What is public is decided here, from the case's public fields only:
//! never the reporter, exact coordinates or internal notes.

use domain::{Problem, TrackingCode};
use edge::router::Handler;
use edge::{Ctx, HandlerResult, json};
use serde_json::json;
use spin_sdk::http::{Request, Response};
use spin_sdk::http_component;

#[http_component]
fn handle(request: Request) -> Response {
    edge::Router::new(api::STATUS, handler_for).handle(request)
}

fn handler_for(operation: &str) -> Option<Handler> {
    Some(match operation {
        "lookUpCase" => look_up_case,
        _ => return None,
    })
}

/// The same 404 for a malformed code, an unknown one and one of another
/// tenant, so that look-ups reveal nothing.
fn no_such_case() -> Problem {
    Problem::not_found("no case has this tracking code")
}

fn look_up_case(ctx: &mut Ctx) -> HandlerResult {
    let code = TrackingCode::parse(ctx.param("code")?).map_err(|_| no_such_case())?;
    let scope = ctx.scope()?;
    let case = scope
        .case_by_tracking_code(&code)?
        .ok_or_else(no_such_case)?;
    let events = scope.case_events(case.id)?;
    let timeline: Vec<_> = events
        .iter()
        .filter(|e| e.public)
        .map(|e| json!({ "at": e.at.to_rfc3339(), "state": e.to_state, "state_label": e.to_state.label_zh() }))
        .collect();
    Ok(json(
        200,
        &json!({
            "tracking_code": case.tracking_code.as_str(),
            "category": case.category,
            "state": case.state,
            "state_label": case.state.label_zh(),
            "reported_at": case.created_at.to_rfc3339(),
            "updated_at": case.updated_at.to_rfc3339(),
            "timeline": timeline,
        }),
    ))
}
