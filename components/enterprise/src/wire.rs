//! What the enterprise desk's JSON looks like; apart from the domain types.

use domain::enterprise::RequestKind;
use serde_json::{Value, json};
use store::{CaseEvent, Enterprise, EnterpriseRequest, Policy, PolicyAnswer, PolicyFile, User};

pub fn kind(kind: RequestKind) -> Value {
    json!({
        "code": kind.as_str(),
        "name_zh": kind.name_zh(),
        "name_en": kind.name_en(),
        "category": kind.category_code(),
    })
}

pub fn enterprise(e: &Enterprise) -> Value {
    json!({
        "id": e.id,
        "credit_code": e.credit_code.as_str(),
        "name": e.name,
        "address": e.address,
        "industry": e.industry,
        "contact": { "name": e.contact_name, "phone": e.contact_phone },
        "status": e.status,
        "decided_at": e.decided_at.map(|t| t.to_rfc3339()),
        "decision_note": e.decision_note,
        "registered_at": e.created_at.to_rfc3339(),
    })
}

pub fn user(u: &User) -> Value {
    json!({
        "id": u.id.0,
        "login": u.login,
        "display_name": u.display_name,
        "phone": u.phone,
        "disabled": u.disabled,
    })
}

/// A request as its enterprise sees it: its own details, where it stands,
/// and, with `events`, its public timeline.
pub fn request(
    r: &EnterpriseRequest,
    department: Option<&str>,
    events: Option<&[CaseEvent]>,
) -> Value {
    let case = &r.case;
    let mut value = json!({
        "id": case.id.0,
        "tracking_code": case.tracking_code.as_str(),
        "kind": kind(r.kind),
        "title": r.title,
        "description": case.description,
        "details": r.details,
        "state": case.state,
        "state_label": case.state.label_zh(),
        "department": department,
        "response_due_at": case.response_due_at.map(|t| t.to_rfc3339()),
        "resolution_due_at": case.resolution_due_at.map(|t| t.to_rfc3339()),
        "submitted_by": r.submitted_by.0,
        "submitted_at": case.created_at.to_rfc3339(),
        "updated_at": case.updated_at.to_rfc3339(),
    });
    if let Some(events) = events {
        value["timeline"] = events
            .iter()
            .filter(|e| e.public)
            .map(|e| {
                json!({
                    "at": e.at.to_rfc3339(),
                    "action": e.action,
                    "state": e.to_state,
                    "note": e.note,
                })
            })
            .collect();
    }
    value
}

pub fn policy_file(tenant: &str, f: &PolicyFile) -> Value {
    json!({
        "id": f.id,
        "name": f.name,
        "content_type": f.content_type,
        "size": f.size,
        "sha256": f.sha256,
        "url": format!("/api/t/{tenant}/enterprise/policy-files/{}", f.id),
    })
}

/// A policy; a superseded one says so and names its successor.
pub fn policy(p: &Policy, files: Option<Vec<Value>>) -> Value {
    let mut value = json!({
        "id": p.id,
        "title": p.title,
        "body": p.body,
        "issuer": p.issuer,
        "effective_from": p.effective.from().to_string(),
        "effective_to": p.effective.to().map(|d| d.to_string()),
        "tags": p.tags,
        "department_id": p.department,
        "superseded": p.superseded_by.is_some(),
        "superseded_by": p.superseded_by,
        "published_at": p.published_at.to_rfc3339(),
    });
    if let Some(files) = files {
        value["files"] = Value::Array(files);
    }
    value
}

/// A published answer with the policies it rests on. Whose inquiry it
/// was is never shown.
pub fn answer(a: &PolicyAnswer) -> Value {
    let policies: Vec<Value> = a
        .policies
        .iter()
        .map(|p| json!({ "id": p.id, "title": p.title, "superseded": p.superseded }))
        .collect();
    json!({
        "id": a.id,
        "question": a.question,
        "answer": a.answer,
        "department_id": a.department,
        "policies": policies,
        "published_at": a.published_at.to_rfc3339(),
    })
}
