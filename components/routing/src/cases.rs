//! Cases for staff: a paged list, one case with its timeline, and actions
//! that move a case through the state machine of the domain crate. Every
//! action carries the version the caller saw; a stale one gets 409.

use chrono::Utc;
use domain::{CaseAction, CaseId, Problem};
use edge::{Ctx, HandlerResult, json};
use serde::Deserialize;
use serde_json::json;
use store::Case;

fn case_wire(case: &Case) -> serde_json::Value {
    json!({
        "id": case.id.0,
        "tracking_code": case.tracking_code.as_str(),
        "category": case.category,
        "description": case.description,
        "grid_node_id": case.grid_node.map(|g| g.0),
        "state": case.state,
        "state_label": case.state.label_zh(),
        "version": case.version,
        "source": case.source,
        "created_at": case.created_at.to_rfc3339(),
        "updated_at": case.updated_at.to_rfc3339(),
    })
}

fn case_id(ctx: &Ctx) -> Result<CaseId, Problem> {
    ctx.id_param("id", "case").map(CaseId)
}

pub fn list_cases(ctx: &mut Ctx) -> HandlerResult {
    let after = match ctx.query("after") {
        None => None,
        Some(a) => Some(
            a.parse::<i64>()
                .map(CaseId)
                .map_err(|_| Problem::validation("after", "after must be a case id"))?,
        ),
    };
    let limit = ctx.page_limit()?;
    let cases = ctx.scope()?.list_cases(after, limit)?;
    let next = (cases.len() == limit as usize)
        .then(|| cases.last().map(|c| c.id.0))
        .flatten();
    let items: Vec<_> = cases.iter().map(case_wire).collect();
    Ok(json(200, &json!({ "cases": items, "next_after": next })))
}

pub fn get_case(ctx: &mut Ctx) -> HandlerResult {
    let id = case_id(ctx)?;
    let scope = ctx.scope()?;
    let case = scope
        .case_by_id(id)?
        .ok_or_else(|| Problem::not_found("no such case"))?;
    let events = scope.case_events(id)?;
    let mut wire = case_wire(&case);
    wire["timeline"] = json!(
        events
            .iter()
            .map(|e| json!({
                "at": e.at.to_rfc3339(),
                "actor": e.actor,
                "action": e.action,
                "from_state": e.from_state,
                "to_state": e.to_state,
                "note": e.note,
            }))
            .collect::<Vec<_>>()
    );
    wire["allowed_actions"] = json!(
        case.state
            .allowed_actions()
            .map(|a| a.name())
            .collect::<Vec<_>>()
    );
    Ok(json(200, &wire))
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
    let actor = ctx.caller()?.actor();
    let case = ctx
        .scope()?
        .apply_action(id, body.version, &body.action, &actor, Utc::now())?;
    Ok(json(200, &case_wire(&case)))
}
