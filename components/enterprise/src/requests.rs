//! An enterprise's requests: filed as cases of their kind's category,
//! dispatched by the tenant's routing rules, and seen by the enterprise
//! with their public timeline; staff see who is asking.

use chrono::Utc;
use domain::enterprise::RequestKind;
use domain::intake::Priority;
use domain::{CaseId, Problem};
use edge::{Ctx, HandlerResult, json};
use serde::Deserialize;
use serde_json::{Map, Value, json};
use store::{EnterpriseRequest, NewRequest};

use crate::registrations::callers_enterprise;
use crate::wire;

/// `GET …/enterprise/request-kinds`: what an enterprise may ask for, and
/// the catalogue category each kind is filed under.
pub fn list_kinds(ctx: &mut Ctx) -> HandlerResult {
    let tenant = ctx.tenant()?;
    let kinds: Vec<_> = RequestKind::ALL.into_iter().map(wire::kind).collect();
    Ok(json(
        200,
        &json!({ "tenant": tenant.code.as_str(), "kinds": kinds }),
    ))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RequestBody {
    kind: String,
    title: String,
    description: String,
    #[serde(default)]
    details: Map<String, Value>,
    priority: Option<String>,
}

/// `POST …/enterprise/requests`: files and dispatches a request.
pub fn submit(ctx: &mut Ctx) -> HandlerResult {
    let enterprise = callers_enterprise(ctx)?;
    let body: RequestBody = ctx.json_body()?;
    let kind = RequestKind::parse(&body.kind)?;
    let priority = body
        .priority
        .as_deref()
        .map(Priority::parse)
        .transpose()
        .map_err(|p| p.with_field("priority"))?
        .unwrap_or(Priority::Normal);
    let user = ctx.caller()?.user.id;
    let new = NewRequest {
        kind,
        title: body.title,
        description: body.description,
        details: Value::Object(body.details),
        priority,
    };
    let scope = ctx.scope()?;
    let request = edge::with_fresh_tracking_code(|code| {
        scope.submit_request(&enterprise, user, new.clone(), code, Utc::now())
    })?;
    render(ctx, 201, &request, false)
}

/// `GET …/enterprise/requests`: the caller's enterprise's requests, newest
/// first; `before` pages.
pub fn list(ctx: &mut Ctx) -> HandlerResult {
    let enterprise = callers_enterprise(ctx)?;
    let before = ctx.query_i64("before")?.map(CaseId);
    let limit = ctx.page_limit()?;
    let requests = ctx
        .scope()?
        .enterprise_requests(enterprise.id, before, limit)?;
    let next = edge::next_page(&requests, limit, |r| r.case.id.0);
    let mut items = Vec::with_capacity(requests.len());
    for request in &requests {
        let department = department_name(ctx, request)?;
        items.push(wire::request(request, department.as_deref(), None));
    }
    Ok(json(
        200,
        &json!({ "requests": items, "next_before": next }),
    ))
}

/// `GET …/enterprise/requests/:request`: one of the caller's enterprise's
/// requests with its public timeline; anyone else's is unknown (404).
pub fn get_own(ctx: &mut Ctx) -> HandlerResult {
    let enterprise = callers_enterprise(ctx)?;
    let request = find(ctx)?
        .filter(|r| r.enterprise_id == enterprise.id)
        .ok_or_else(not_found)?;
    render(ctx, 200, &request, false)
}

/// `GET …/enterprise/cases/:case`: for staff, who asks and what they
/// added, beside the case itself (`GET …/cases/{id}`).
pub fn get_for_staff(ctx: &mut Ctx) -> HandlerResult {
    let request = find(ctx)?.ok_or_else(not_found)?;
    render(ctx, 200, &request, true)
}

fn not_found() -> Problem {
    Problem::not_found("no such enterprise request")
}

fn find(ctx: &mut Ctx) -> Result<Option<EnterpriseRequest>, Problem> {
    let id = CaseId(ctx.id_param("id", "enterprise request")?);
    Ok(ctx.scope()?.enterprise_request(id)?)
}

fn department_name(ctx: &mut Ctx, request: &EnterpriseRequest) -> Result<Option<String>, Problem> {
    Ok(match request.case.department {
        Some(id) => ctx.scope()?.department(id)?.map(|d| d.name),
        None => None,
    })
}

fn render(
    ctx: &mut Ctx,
    status: u16,
    request: &EnterpriseRequest,
    for_staff: bool,
) -> HandlerResult {
    let department = department_name(ctx, request)?;
    let events = ctx.scope()?.case_events(request.case.id)?;
    let mut value = wire::request(request, department.as_deref(), Some(&events));
    if for_staff {
        let enterprise = ctx
            .scope()?
            .enterprise(request.enterprise_id)?
            .ok_or_else(|| Problem::internal("a request without its enterprise"))?;
        value["enterprise"] = wire::enterprise(&enterprise);
    }
    Ok(json(status, &value))
}
