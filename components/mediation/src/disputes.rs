//! The centre's window: disputes taken in with their parties and documents,
//! assigned to a lead department and assisting ones, and ended with an
//! outcome that closes (or declines) the case through the case flow.

use chrono::Utc;
use domain::case::AssistingPart;
use domain::mediation::{Amount, DisputeKind, Outcome, OutcomeKind, Party, PartyKind, Side};
use domain::{CaseId, GridNodeId, Problem};
use edge::{Ctx, HandlerResult, json};
use serde::Deserialize;
use serde_json::json;
use store::{Dispute, Handling, NewDispute};

use crate::wire;

/// `GET …/mediation/kinds`: the kinds of dispute and the category each
/// files under.
pub fn list_kinds(_ctx: &mut Ctx) -> HandlerResult {
    Ok(json(200, &wire::kind_list::<DisputeKind>()))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PartyBody {
    side: String,
    kind: String,
    name: String,
    phone: Option<String>,
    address: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct HandlingBody {
    department: String,
    #[serde(default)]
    assisting: Vec<AssistingPart>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct IntakeBody {
    kind: String,
    subject: String,
    /// In yuan, at most two decimals.
    amount_in_dispute: Option<f64>,
    window: String,
    parties: Vec<PartyBody>,
    #[serde(default)]
    document_ids: Vec<i64>,
    priority: Option<String>,
    grid_node_id: Option<i64>,
    handling: Option<HandlingBody>,
}

fn parties(bodies: Vec<PartyBody>) -> Result<Vec<Party>, Problem> {
    bodies
        .into_iter()
        .enumerate()
        .map(|(i, p)| {
            let at = |field: &str| format!("parties[{i}].{field}");
            Ok(Party {
                side: Side::parse(&p.side).map_err(|e| e.with_field(at("side")))?,
                kind: PartyKind::parse(&p.kind).map_err(|e| e.with_field(at("kind")))?,
                name: p.name,
                phone: p.phone,
                address: p.address,
            })
        })
        .collect()
}

/// `POST …/mediation/disputes`: takes a dispute in at a window; with
/// `handling`, assigns its lead and assisting departments at once.
pub fn take_in(ctx: &mut Ctx) -> HandlerResult {
    let body: IntakeBody = ctx.json_body()?;
    let new = NewDispute {
        kind: DisputeKind::parse(&body.kind)?,
        subject: body.subject,
        amount: body.amount_in_dispute.map(Amount::from_yuan).transpose()?,
        window: body.window,
        parties: parties(body.parties)?,
        document_ids: body.document_ids,
        priority: wire::priority(body.priority.as_deref())?,
        grid_node: body.grid_node_id.map(GridNodeId),
        handling: body.handling.map(|h| Handling {
            department: h.department,
            assisting: h.assisting,
        }),
    };
    let caller = ctx.caller()?.clone();
    let dispute = edge::with_fresh_tracking_code(|code| {
        ctx.scope()?.take_in_dispute(
            new.clone(),
            caller.user.id,
            &caller.actor(),
            code,
            Utc::now(),
        )
    })?;
    render(ctx, 201, &dispute)
}

/// `GET …/mediation/disputes?before=&limit=`: newest first.
pub fn list(ctx: &mut Ctx) -> HandlerResult {
    let before = ctx.query_i64("before")?.map(CaseId);
    let limit = ctx.page_limit()?;
    let disputes = ctx.scope()?.disputes(before, limit)?;
    let next = edge::next_page(&disputes, limit, |d| d.case.id.0);
    let items: Vec<_> = disputes.iter().map(wire::dispute_summary).collect();
    Ok(json(
        200,
        &json!({ "disputes": items, "next_before": next }),
    ))
}

/// `GET …/mediation/disputes/:id`: the dispute with its parties (contact
/// details included: this is the centre's view), sessions and documents.
pub fn get(ctx: &mut Ctx) -> HandlerResult {
    let dispute = find(ctx)?;
    render(ctx, 200, &dispute)
}

/// The path's dispute; any other case, or another tenant's, is unknown.
/// Looked up before the body is read, so a stranger's id is a 404 whatever
/// the body says.
pub fn find(ctx: &mut Ctx) -> Result<Dispute, Problem> {
    let id = CaseId(ctx.id_param("id", "dispute")?);
    ctx.scope()?
        .dispute(id)?
        .ok_or_else(|| Problem::not_found("no such dispute"))
}

fn render(ctx: &mut Ctx, status: u16, dispute: &Dispute) -> HandlerResult {
    let scope = ctx.scope()?;
    let parties = scope.dispute_parties(dispute.case.id)?;
    let sessions = scope.dispute_sessions(dispute.case.id)?;
    let documents = scope.case_attachments(dispute.case.id)?;
    Ok(json(
        status,
        &wire::dispute(dispute, &parties, &sessions, &documents),
    ))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DocumentsBody {
    document_ids: Vec<i64>,
}

/// `POST …/disputes/:id/documents`: more papers (uploaded first).
pub fn add_documents(ctx: &mut Ctx) -> HandlerResult {
    let dispute = find(ctx)?;
    let body: DocumentsBody = ctx.json_body()?;
    if body.document_ids.is_empty() {
        return Err(Problem::validation(
            "document_ids",
            "name at least one document",
        ));
    }
    let actor = ctx.caller()?.actor();
    ctx.scope()?
        .add_dispute_documents(dispute.case.id, &body.document_ids, &actor)?;
    render(ctx, 200, &dispute)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct OutcomeBody {
    outcome: String,
    /// The agreement's text, or the reason a dispute is not accepted.
    text: Option<String>,
    #[serde(default)]
    document_ids: Vec<i64>,
}

/// `POST …/disputes/:id/outcome`: how it ended; the case is closed
/// (declined for "not accepted") in the same transaction.
pub fn record_outcome(ctx: &mut Ctx) -> HandlerResult {
    let dispute = find(ctx)?;
    let body: OutcomeBody = ctx.json_body()?;
    let outcome = Outcome::new(OutcomeKind::parse(&body.outcome)?, body.text.as_deref())?;
    let actor = ctx.caller()?.actor();
    let ended = ctx.scope()?.record_outcome(
        dispute.case.id,
        &outcome,
        &body.document_ids,
        &actor,
        Utc::now(),
    )?;
    render(ctx, 200, &ended)
}
