//! The `enterprise` component: the enterprise service desk (企业服务).
//! For now it lists the kinds of request an enterprise can make; accounts
//! and requests follow in the enterprise issue.

use edge::router::Handler;
use edge::{Ctx, HandlerResult, json};
use serde_json::json;
use spin_sdk::http::{Request, Response};
use spin_sdk::http_component;

#[http_component]
fn handle(request: Request) -> Response {
    edge::Router::new(api::ENTERPRISE, handler_for).handle(request)
}

fn handler_for(operation: &str) -> Option<Handler> {
    Some(match operation {
        "listEnterpriseRequestKinds" => list_request_kinds,
        _ => return None,
    })
}

/// The request kinds of domain.md, in the tenant's area.
fn list_request_kinds(ctx: &mut Ctx) -> HandlerResult {
    let tenant = ctx.tenant()?;
    let kinds = [
        ("policy_inquiry", "政策咨询", "Policy inquiry"),
        (
            "enforcement_registration",
            "执法登记",
            "Law-enforcement registration",
        ),
        ("third_party_service", "第三方服务", "Third-party service"),
        ("complaint", "投诉", "Complaint"),
    ];
    let kinds: Vec<_> = kinds
        .iter()
        .map(|(code, zh, en)| json!({ "code": code, "name_zh": zh, "name_en": en }))
        .collect();
    Ok(json(
        200,
        &json!({ "tenant": tenant.code.as_str(), "kinds": kinds }),
    ))
}
