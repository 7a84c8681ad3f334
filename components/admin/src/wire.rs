//! What the admin API's records look like on the wire, apart from the
//! store's types: a rename in the database does not change the API.

use serde::Serialize;
use serde_json::{Value, json};

pub fn tenant(t: &domain::Tenant) -> Value {
    json!({
        "code": t.code.as_str(),
        "name": t.name,
        "kind": t.kind.as_str(),
        "time_zone": t.time_zone,
        "status": t.status.as_str(),
        "created_at": t.created_at.to_rfc3339(),
    })
}

/// A person, never with their password hash or token version.
pub fn user(u: &store::User) -> Value {
    json!({
        "id": u.id.0,
        "login": u.login,
        "display_name": u.display_name,
        "role": u.role.as_str(),
        "phone": u.phone,
        "department_id": u.department,
        "agent_point_id": u.agent_point,
        "disabled": u.disabled,
        "created_at": u.created_at.to_rfc3339(),
    })
}

pub fn department(d: &store::Department) -> Value {
    json!({ "id": d.id, "code": d.code.as_str(), "name": d.name, "retired": d.retired })
}

pub fn agent_point(p: &store::AgentPoint) -> Value {
    json!({
        "id": p.id,
        "code": p.code.as_str(),
        "name": p.name,
        "level": p.level.as_str(),
        "grid_node_id": p.grid_node_id,
    })
}

pub fn category(c: &store::Category) -> Value {
    json!({
        "id": c.id,
        "code": c.code.as_str(),
        "name_zh": c.name_zh,
        "name_en": c.name_en,
        "default_department_id": c.default_department_id,
        "response_hours": c.response_hours,
        "resolution_hours": c.resolution_hours,
        "extra_fields": c.extra_fields,
        "retired": c.retired,
        "place_required": c.place_required,
        // Taken in only at its own desk (enterprise, mediation, agent):
        // not offered to residents, refused from them.
        "desk": domain::case_kind::reserved_for(c.code.as_str()).map(|s| s.as_str()),
    })
}

pub fn audit_entry(e: &store::AuditEntry) -> Value {
    json!({
        "id": e.id,
        "at": e.at.to_rfc3339(),
        "actor": e.actor,
        "action": e.action,
        "target_type": e.target_type,
        "target_id": e.target_id,
        "before": e.before,
        "after": e.after,
    })
}

/// A page of items with the cursor for the next one.
#[derive(Serialize)]
pub struct Page<T: Serialize> {
    pub items: Vec<T>,
    pub next_after: Option<i64>,
}

impl<T: Serialize> Page<T> {
    /// The page of `rows` (rendered by `render`), its next cursor the last
    /// row's `id` when the page is full (`edge::next_page`).
    pub fn of<R>(rows: &[R], limit: u32, id: impl Fn(&R) -> i64, render: impl Fn(&R) -> T) -> Self {
        Page {
            items: rows.iter().map(render).collect(),
            next_after: edge::next_page(rows, limit, id),
        }
    }
}
