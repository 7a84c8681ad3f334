//! Cases for staff: a paged list, one case with its timeline and its clock,
//! and actions that move a case through the state machine with their effect
//! on the department and the deadlines. Every action carries the version the
//! caller saw; a stale one gets 409.

use chrono::{DateTime, Utc};
use domain::acting::{self, Unit};
use domain::deadline::WorkCalendar;
use domain::workflow::{
    Escalation, may_publish_on, may_see_contact, may_take, minutes_left, triage_due,
};
use domain::{CaseAction, CaseId, CaseState, Problem};
use edge::db::SpinDb;
use edge::{Ctx, HandlerResult, case_flow, json};
use serde::Deserialize;
use serde_json::{Value, json};
use store::{Case, TenantScope};

/// A case as staff see it, with its deadlines and the working time left
/// (evaluated now: Spin has no timers, so every read evaluates the clock).
pub fn case_wire(case: &Case, calendar: &WorkCalendar, now: DateTime<Utc>) -> Value {
    let left = |due: Option<DateTime<Utc>>, done: Option<DateTime<Utc>>| -> Value {
        match (due, done) {
            (Some(_), Some(_)) | (None, _) => Value::Null,
            (Some(due), None) if case.state.is_open() => {
                json!(minutes_left(due, now, case.paused_at, calendar))
            }
            _ => Value::Null,
        }
    };
    // Until dispatched, the command centre's own clock: triage's time left.
    let triage_due = matches!(
        case.state,
        CaseState::Reported | CaseState::Accepted | CaseState::Registered
    )
    .then(|| triage_due(case.created_at, case.priority, calendar));
    json!({
        "id": case.id.0,
        "tracking_code": case.tracking_code.as_str(),
        "category": case.category,
        "description": case.description,
        "grid_node_id": case.grid_node.map(|g| g.0),
        "state": case.state,
        "state_label": case.state.label_zh(),
        "priority": case.priority.as_str(),
        "version": case.version,
        "source": case.source,
        "department_id": case.department,
        "me_too_count": case.me_too_count,
        "fixed_on_the_spot": case.fixed_on_the_spot,
        "dispatched_at": case.dispatched_at.map(|t| t.to_rfc3339()),
        "response_due_at": case.response_due_at.map(|t| t.to_rfc3339()),
        "resolution_due_at": case.resolution_due_at.map(|t| t.to_rfc3339()),
        "response_minutes_left": left(case.response_due_at, case.responded_at),
        "resolution_minutes_left": left(case.resolution_due_at, case.resolved_at),
        "triage_due_at": triage_due.map(|t| t.to_rfc3339()),
        "triage_minutes_left": triage_due.map(|due| minutes_left(due, now, None, calendar)),
        "paused": case.paused_at.is_some(),
        "escalation": Escalation::from_level(case.escalation_level).as_str(),
        "rating": case.rating,
        "rating_comment": case.rating_comment,
        "created_at": case.created_at.to_rfc3339(),
        "updated_at": case.updated_at.to_rfc3339(),
    })
}

fn case_id(ctx: &Ctx) -> Result<CaseId, Problem> {
    ctx.id_param("id", "case").map(CaseId)
}

/// A page of cases with where the next starts (`next_after`, to pass back
/// as `after`).
pub fn page(ctx: &mut Ctx, cases: &[Case], next: Option<Value>) -> HandlerResult {
    let calendar = ctx.work_calendar()?;
    let now = Utc::now();
    let items: Vec<_> = cases.iter().map(|c| case_wire(c, &calendar, now)).collect();
    Ok(json(200, &json!({ "cases": items, "next_after": next })))
}

pub fn list_cases(ctx: &mut Ctx) -> HandlerResult {
    let after = ctx.query_i64("after")?.map(CaseId);
    let limit = ctx.page_limit()?;
    let cases = ctx.scope()?.list_cases(after, limit)?;
    let next = edge::next_page(&cases, limit, |c| json!(c.id.0));
    page(ctx, &cases, next)
}

pub fn get_case(ctx: &mut Ctx) -> HandlerResult {
    let id = case_id(ctx)?;
    let calendar = ctx.work_calendar()?;
    let scope = ctx.scope()?;
    let case = scope
        .case_by_id(id)?
        .ok_or_else(|| Problem::not_found("no such case"))?;
    let events = scope.case_events(id)?;
    let mut wire = case_wire(&case, &calendar, Utc::now());
    let people = case_flow::People::of(&scope, events.iter().map(|e| e.actor.as_str()))?;
    wire["timeline"] = case_flow::timeline(&events, &people);
    wire["assists"] = json!(
        scope
            .case_assists(id)?
            .iter()
            .map(|a| json!({
                "department_id": a.department,
                "part": a.part,
                "assigned_at": a.assigned_at.to_rfc3339(),
                "answer": a.answer,
                "done_by": a.done_by,
                "done_at": a.done_at.map(|t| t.to_rfc3339()),
            }))
            .collect::<Vec<_>>()
    );
    // The case's files for staff (public or hidden), to fetch from
    // `GET …/attachments/{id}` with the token.
    wire["attachments"] = json!(
        scope
            .case_attachments(id)?
            .iter()
            .map(|a| json!({
                "id": a.id,
                "kind": a.kind.as_str(),
                "purpose": a.purpose.as_str(),
                "public": a.public,
                "content_type": a.content_type,
                "size": a.size,
                "uploaded_at": a.uploaded_at.to_rfc3339(),
            }))
            .collect::<Vec<_>>()
    );
    wire["place"] = place_wire(&scope, &case)?;
    let caller = ctx.caller()?;
    if may_see_contact(caller.user.role, case_flow::standing(caller, &case)) {
        wire["contact"] = json!({
            "name": case.contact.name,
            "phone": case.contact.phone,
            "email": case.contact.email,
        });
    }
    (wire["allowed_actions"], wire["allowed_steps"]) =
        case_flow::allowed_on_timeline(caller, &case, &events);
    Ok(json(200, &wire))
}

/// Where the problem is, for staff: the pin (WGS-84, as stored), the address
/// as the reporter typed it, and the grid path from the township down to the
/// micro-grid (root first), so the page can say "金山社区 › 第1网格 › 1号楼".
fn place_wire(scope: &TenantScope<'_, SpinDb>, case: &Case) -> Result<Value, Problem> {
    let path = match case.grid_node {
        Some(node) => scope.grid_path(node)?,
        None => Vec::new(),
    };
    Ok(json!({
        "latitude": case.location.map(|l| l.latitude()),
        "longitude": case.location.map(|l| l.longitude()),
        "address": case.address,
        "grid_path": path
            .iter()
            .map(|n| json!({ "id": n.id.0, "level": n.level.as_str(), "code": n.code.as_str(), "name": n.name }))
            .collect::<Vec<_>>(),
    }))
}

/// `{"version": 3, "action": "decline", "reason": "..."}`. (serde cannot deny
/// unknown fields next to a flattened enum; the action's own fields are checked.)
#[derive(Deserialize)]
pub struct ActionBody {
    version: i64,
    #[serde(flatten)]
    action: CaseAction,
}

pub fn act_on_case(ctx: &mut Ctx) -> HandlerResult {
    let id = case_id(ctx)?;
    let body: ActionBody = ctx.json_body()?;
    body.action.check_fields()?;
    let caller = ctx.caller()?.clone();
    let case = ctx
        .scope()?
        .case_by_id(id)?
        .ok_or_else(|| Problem::not_found("no such case"))?;
    may_take(
        caller.user.role,
        body.action.kind(),
        case_flow::standing(&caller, &case),
    )?;
    let actor = caller.actor();
    let calendar = ctx.work_calendar()?;
    let now = Utc::now();
    let case = ctx
        .scope()?
        .act(id, body.version, &body.action, &actor, now, &calendar)?;
    Ok(json(200, &case_wire(&case, &calendar, now)))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CommentBody {
    text: String,
    /// Public comments show on the status page; internal ones only to staff.
    #[serde(default)]
    public: bool,
}

/// A comment on the timeline, without changing the case's state.
pub fn comment(ctx: &mut Ctx) -> HandlerResult {
    let id = case_id(ctx)?;
    let body: CommentBody = ctx.json_body()?;
    let caller = ctx.caller()?.clone();
    let case = ctx
        .scope()?
        .case_by_id(id)?
        .ok_or_else(|| Problem::not_found("no such case"))?;
    if body.public {
        may_publish_on(caller.user.role, case_flow::standing(&caller, &case))?;
    }
    let actor = caller.actor();
    let event =
        ctx.scope()?
            .add_note(id, &actor, "comment", &body.text, body.public, Utc::now())?;
    Ok(json(
        201,
        &json!({ "event_id": event, "public": body.public }),
    ))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AssistBody {
    answer: String,
    /// The assisting department, by code: for the command centre reporting
    /// for it; department staff report for their own.
    department: Option<String>,
}

/// An assisting department reports its part of a jointly handled case done.
pub fn complete_assist(ctx: &mut Ctx) -> HandlerResult {
    let id = case_id(ctx)?;
    // Another tenant's case is not found, whatever the body says.
    ctx.scope()?
        .case_by_id(id)?
        .ok_or_else(|| Problem::not_found("no such case"))?;
    let body: AssistBody = ctx.json_body()?;
    let caller = ctx.caller()?.clone();
    let scope = ctx.scope()?;
    let named = body
        .department
        .as_deref()
        .map(|code| scope.department_by_code(code))
        .transpose()?;
    let department = acting::unit_acted_for(
        Unit::Department,
        "department",
        caller.user.role,
        caller.user.department,
        named,
    )?;
    let assist =
        scope.complete_assist(id, department, &body.answer, &caller.actor(), Utc::now())?;
    Ok(json(
        200,
        &json!({
            "department_id": assist.department,
            "part": assist.part,
            "answer": assist.answer,
            "done_at": assist.done_at.map(|t| t.to_rfc3339()),
        }),
    ))
}
