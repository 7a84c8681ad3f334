//! What disputes and agent matters look like on the wire (staff views:
//! parties' and residents' details included), and the small parsing both
//! share.

use chrono::NaiveDate;
use domain::Problem;
use domain::case_kind::CaseKind;
use domain::intake::Priority;
use edge::case_flow::People;
use serde_json::{Value, json};
use store::{
    AgentMatter, Attachment, Case, Dispute, LevelStep, Promise, Session, StoredParty, Task,
};

/// The kinds of dispute or matter, each with the category it files under.
pub fn kind_list<K: CaseKind>() -> Value {
    let kinds: Vec<_> = K::ALL
        .iter()
        .map(|k| {
            json!({
                "kind": k.as_str(),
                "name_zh": k.name_zh(),
                "name_en": k.name_en(),
                "category": k.category_code(),
            })
        })
        .collect();
    json!({ "kinds": kinds })
}

/// The priority named on the wire, normal when absent.
pub fn priority(raw: Option<&str>) -> Result<Priority, Problem> {
    raw.map(Priority::parse)
        .transpose()
        .map_err(|p| p.with_field("priority"))
        .map(|p| p.unwrap_or(Priority::Normal))
}

/// What every view of a case of these kinds starts with: the case's own
/// state (its flow and clock are the routing component's).
fn case_part(case: &Case) -> Value {
    json!({
        "case_id": case.id.0,
        "tracking_code": case.tracking_code.as_str(),
        "category": case.category,
        "state": case.state,
        "state_label": case.state.label_zh(),
        "version": case.version,
        "priority": case.priority.as_str(),
        "department_id": case.department,
        "resolution_due_at": case.resolution_due_at.map(|t| t.to_rfc3339()),
        "created_at": case.created_at.to_rfc3339(),
    })
}

fn merged(mut base: Value, more: Value) -> Value {
    if let (Some(base), Value::Object(more)) = (base.as_object_mut(), more) {
        base.extend(more);
    }
    base
}

pub fn dispute_summary(d: &Dispute) -> Value {
    merged(
        case_part(&d.case),
        json!({
            "kind": d.kind,
            "kind_label": d.kind.name_zh(),
            "subject": d.subject,
            "amount_in_dispute": d.amount.map(|a| a.yuan()),
            "window": d.window,
            "taken_in_by": d.taken_in_by.0,
            "taken_in_at": d.taken_in_at.to_rfc3339(),
            "outcome": d.outcome.as_ref().map(|o| json!({
                "outcome": o.kind,
                "label": o.kind.public_label(),
                "resolved": o.kind.is_resolved(),
                "text": o.text,
                "by": o.by,
                "at": o.at.to_rfc3339(),
            })),
        }),
    )
}

pub fn dispute(
    d: &Dispute,
    parties: &[StoredParty],
    sessions: &[Session],
    documents: &[Attachment],
) -> Value {
    let mut wire = dispute_summary(d);
    wire["parties"] = parties
        .iter()
        .map(|p| {
            json!({
                "id": p.id,
                "side": p.party.side,
                "kind": p.party.kind,
                "name": p.party.name,
                "phone": p.party.phone,
                "address": p.party.address,
            })
        })
        .collect();
    wire["sessions"] = sessions.iter().map(session).collect();
    wire["documents"] = documents.iter().map(document).collect();
    wire
}

pub fn session(s: &Session) -> Value {
    json!({
        "id": s.id,
        "scheduled_for": s.scheduled_for.map(|t| t.to_rfc3339()),
        "place": s.place,
        "scheduled_by": s.scheduled_by,
        "held_at": s.record.as_ref().map(|r| r.held_at.to_rfc3339()),
        "participants": s.record.as_ref().map(|r| r.participants.clone()),
        "agreed": s.record.as_ref().and_then(|r| r.agreed.clone()),
        "recorded_by": s.recorded_by,
    })
}

fn document(a: &Attachment) -> Value {
    json!({
        "id": a.id,
        "kind": a.kind.as_str(),
        "content_type": a.content_type,
        "size": a.size,
        "purpose": a.purpose.as_str(),
        "public": a.public,
        "uploaded_at": a.uploaded_at.to_rfc3339(),
    })
}

pub fn matter_summary(m: &AgentMatter) -> Value {
    merged(
        case_part(&m.case),
        json!({
            "kind": m.kind,
            "kind_label": m.kind.name_zh(),
            "agent_point_id": m.agent_point,
            "taken_by": m.taken_by.0,
            "level": m.level,
            "level_agent_point_id": m.level_point,
            "began_on": m.began_on.to_string(),
            "done": m.done(),
        }),
    )
}

/// A matter with its lists and levels; `people` names who did a task and
/// who passed the matter up (`done_by_name`, `by_name`).
pub fn matter(
    m: &AgentMatter,
    tasks: &[Task],
    promises: &[Promise],
    levels: &[LevelStep],
    people: &People,
) -> Value {
    let mut wire = matter_summary(m);
    wire["resident"] = json!({
        "name": m.resident.name,
        "phone": m.resident.phone,
        "address": m.resident.address,
        "consent_at": m.consent_at.to_rfc3339(),
    });
    wire["needs"] = json!(m.needs);
    wire["tasks"] = tasks.iter().map(|t| task(t, people)).collect();
    wire["promises"] = promises.iter().map(promise).collect();
    wire["levels"] = levels
        .iter()
        .map(|l| {
            json!({
                "level": l.level,
                "agent_point_id": l.agent_point,
                "reason": l.reason,
                "by": l.by,
                "by_name": people.name(Some(&l.by)),
                "at": l.at.to_rfc3339(),
            })
        })
        .collect();
    wire
}

/// A task; `people` names who did it (`done_by_name`).
pub fn task(t: &Task, people: &People) -> Value {
    json!({
        "id": t.id,
        "task": t.task,
        "owner": t.owner,
        "due_on": t.due_on.to_string(),
        "done_at": t.done_at.map(|d| d.to_rfc3339()),
        "done_by": t.done_by,
        "done_by_name": people.name(t.done_by.as_deref()),
    })
}

pub fn promise(p: &Promise) -> Value {
    json!({ "id": p.id, "promise": p.promise, "promised_on": p.promised_on.to_string() })
}

/// A local date from the query (`from`, `to`), or `None` when absent.
pub fn query_date(raw: Option<String>, field: &str) -> Result<Option<NaiveDate>, Problem> {
    raw.map(|r| {
        r.parse()
            .map_err(|_| Problem::validation(field, "a date is written YYYY-MM-DD"))
    })
    .transpose()
}
