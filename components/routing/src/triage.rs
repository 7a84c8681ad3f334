//! Smart triage (研判) for the command centre: what the tenant's models
//! suggest for a case waiting in triage, each category and department with
//! its confidence and the words of the report that decided it, named, and
//! with the resident's pick and the routing rules' department checked
//! (`domain::triage::checked_plausible`). `docs/triage.md`.

use domain::triage::{self, Suggestion};
use domain::workflow::may_take;
use domain::{ActionKind, CaseId, CaseState, Problem};
use edge::{Ctx, HandlerResult, case_flow, json};
use serde_json::{Value, json};

/// `GET …/cases/{id}/suggestions`: for those who dispatch (the command
/// centre and the tenant admin), a case no department holds yet.
pub fn get_suggestions(ctx: &mut Ctx) -> HandlerResult {
    let id = CaseId(ctx.id_param("id", "case")?);
    let caller = ctx.caller()?.clone();
    let scope = ctx.scope()?;
    let case = scope
        .case_by_id(id)?
        .ok_or_else(|| Problem::not_found("no such case"))?;
    // Who sees suggestions is who dispatches.
    may_take(
        caller.user.role,
        ActionKind::Dispatch,
        case_flow::standing(&caller, &case),
    )?;
    let in_triage = matches!(
        case.state,
        CaseState::Reported | CaseState::Accepted | CaseState::Registered
    ) && case.department.is_none();
    if !in_triage {
        return Err(Problem::conflict(
            "the case is not waiting in triage: a department holds it or it is done",
        ));
    }
    let suggested = scope.triage_suggestions(&case.description)?;
    let path = match case.grid_node {
        Some(node) => scope.grid_path(node)?.iter().map(|n| n.id.0).collect(),
        None => Vec::new(),
    };
    let rule = scope.rule_department(&case.category, &path)?;
    let categories = scope.list_categories()?;
    let departments = scope.list_departments()?;
    let category = triage::checked_plausible(suggested.category, Some(&case.category))
        .into_iter()
        .map(|s| {
            let named = categories.iter().find(|c| c.code.as_str() == s.label);
            let mut wire = suggestion_wire(&s, s.label == case.category);
            wire["code"] = json!(s.label);
            wire["name_zh"] = json!(named.map(|c| &c.name_zh));
            wire["name_en"] = json!(named.map(|c| &c.name_en));
            wire
        })
        .collect::<Vec<_>>();
    let rule_label = rule.as_ref().map(|(id, _)| id.to_string());
    let department = triage::checked_plausible(suggested.department, rule_label.as_deref())
        .into_iter()
        .filter_map(|s| {
            // A department deleted since is no suggestion.
            let named = departments.iter().find(|d| d.id.to_string() == s.label)?;
            let mut wire = suggestion_wire(&s, Some(&s.label) == rule_label.as_ref());
            wire["id"] = json!(named.id);
            wire["code"] = json!(named.code.as_str());
            wire["name"] = json!(named.name);
            wire["retired"] = json!(named.retired);
            Some(wire)
        })
        .collect::<Vec<_>>();
    Ok(json(
        200,
        &json!({
            "case_id": case.id.0,
            "category": category,
            "department": department,
            "resident_category": case.category,
            "rule_department": rule.map(|(id, code)| json!({ "id": id, "code": code })),
        }),
    ))
}

/// One suggestion: its confidence, its reasons, and whether it is the
/// choice already made (the case's category, the rules' department).
fn suggestion_wire(s: &Suggestion, chosen: bool) -> Value {
    json!({
        "confidence": s.confidence,
        "reasons": s.reasons,
        "chosen": chosen,
    })
}
