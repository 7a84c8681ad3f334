//! Early warnings (预警, docs/warnings.md) for the command centre: the list
//! with the open ones counted by kind, one warning with its cases, and the
//! three ways to handle it — acknowledge, turn into a case for the root
//! cause, supervise (督办) its open cases. The sweep raises them
//! (`queues::sweep`).

use chrono::Utc;
use domain::Problem;
use domain::warning::{WarningKind, WarningState};
use edge::case_flow::People;
use edge::{Ctx, HandlerResult, json};
use serde::Deserialize;
use serde_json::{Value, json};
use store::{Warning, WarningQuery};

/// A warning as the API answers it; `people` name who handled it.
fn warning_wire(w: &Warning, people: &People) -> Value {
    json!({
        "id": w.id,
        "kind": w.kind.as_str(),
        "state": w.state.as_str(),
        "key": w.key,
        "category": w.category,
        "grid_node_id": w.grid_node,
        "department_id": w.department,
        "details": w.details,
        "case_count": w.case_count,
        "raised_at": w.raised_at.to_rfc3339(),
        "updated_at": w.updated_at.to_rfc3339(),
        "handled_at": w.handled_at.map(|t| t.to_rfc3339()),
        "handled_by": w.handled_by,
        "handled_by_name": people.name(w.handled_by.as_deref()),
        "note": w.note,
        "root_case_id": w.root_case,
    })
}

fn warning_id(ctx: &Ctx) -> Result<i64, Problem> {
    ctx.id_param("id", "warning")
}

/// The warning the path names, which must be this tenant's (404 before the
/// body is read: another tenant's id is not found, whatever the body says).
fn named_warning(ctx: &mut Ctx) -> Result<Warning, Problem> {
    let id = warning_id(ctx)?;
    ctx.scope()?
        .warning(id)?
        .ok_or_else(|| Problem::not_found("no such warning"))
}

/// `GET …/warnings?state&kind&after&limit`: newest first, and how many are
/// open of each kind (the dashboard's count).
pub fn list(ctx: &mut Ctx) -> HandlerResult {
    let query = WarningQuery {
        state: ctx
            .query_value("state")
            .map(|s| WarningState::parse(&s))
            .transpose()?,
        kind: ctx
            .query_value("kind")
            .map(|s| WarningKind::parse(&s))
            .transpose()?,
        after: ctx.query_i64("after")?,
    };
    let limit = ctx.page_limit()?;
    let scope = ctx.scope()?;
    let warnings = scope.warnings(&query, limit)?;
    let people = People::of(
        &scope,
        warnings.iter().filter_map(|w| w.handled_by.as_deref()),
    )?;
    let open: serde_json::Map<String, Value> = scope
        .open_warning_counts()?
        .into_iter()
        .map(|(kind, n)| (kind.as_str().to_string(), json!(n)))
        .collect();
    let next = edge::next_page(&warnings, limit, |w| json!(w.id));
    Ok(json(
        200,
        &json!({
            "warnings": warnings.iter().map(|w| warning_wire(w, &people)).collect::<Vec<_>>(),
            "open": open,
            "next_after": next,
        }),
    ))
}

/// The warning and its cases (each with its state and where it is), for
/// the console to link.
fn with_cases(ctx: &mut Ctx, warning: &Warning) -> Result<Value, Problem> {
    let calendar = ctx.work_calendar()?;
    let now = Utc::now();
    let scope = ctx.scope()?;
    let cases = scope.warning_cases(warning.id)?;
    let people = People::of(&scope, warning.handled_by.as_deref())?;
    let mut wire = warning_wire(warning, &people);
    wire["cases"] = json!(
        cases
            .iter()
            .map(|c| crate::cases::case_wire(c, &calendar, now))
            .collect::<Vec<_>>()
    );
    Ok(wire)
}

pub fn get(ctx: &mut Ctx) -> HandlerResult {
    let warning = named_warning(ctx)?;
    Ok(json(200, &with_cases(ctx, &warning)?))
}

/// `{"note": "..."}`: the reason, required for each action.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NoteBody {
    note: String,
}

pub fn acknowledge(ctx: &mut Ctx) -> HandlerResult {
    let id = named_warning(ctx)?.id;
    let body: NoteBody = ctx.json_body()?;
    let actor = ctx.caller()?.actor();
    let warning = ctx
        .scope()?
        .acknowledge_warning(id, &actor, &body.note, Utc::now())?;
    Ok(json(200, &with_cases(ctx, &warning)?))
}

pub fn supervise(ctx: &mut Ctx) -> HandlerResult {
    let id = named_warning(ctx)?.id;
    let body: NoteBody = ctx.json_body()?;
    let actor = ctx.caller()?.actor();
    let (warning, _) = ctx
        .scope()?
        .supervise_warning(id, &actor, &body.note, Utc::now())?;
    Ok(json(200, &with_cases(ctx, &warning)?))
}

/// `POST …/warnings/{id}/case {note}`: a new case in triage for the root
/// cause, the note its description; answers the warning with
/// `root_case_id` (201).
pub fn open_case(ctx: &mut Ctx) -> HandlerResult {
    let id = named_warning(ctx)?.id;
    let body: NoteBody = ctx.json_body()?;
    let caller = ctx.caller()?.clone();
    let actor = caller.actor();
    let scope = ctx.scope()?;
    let (warning, _) = edge::with_fresh_tracking_code(|code| {
        scope.open_case_for_warning(id, &actor, caller.user.id, code, &body.note, Utc::now())
    })?;
    Ok(json(201, &with_cases(ctx, &warning)?))
}
