//! The JSON forms of the public views. Only what `domain::publication` let
//! through reaches these functions; they only spell it.

use domain::publication::{
    DeadlineOutcome, Figures, Outcome, PublicAttachment, PublicCase, PublicEvent, PublicPlace,
    ReporterView,
};
use domain::{GridNode, Tenant};
use serde_json::{Value, json};
use store::{Category, MapCell, Notice};

/// The category's names, or its code when the catalogue no longer has it.
pub fn category_name(code: &str, categories: &[Category]) -> Value {
    let found = categories.iter().find(|c| c.code.as_str() == code);
    json!({
        "zh": found.map_or(code, |c| c.name_zh.as_str()),
        "en": found.map_or(code, |c| c.name_en.as_str()),
    })
}

fn words((zh, en): (&str, &str)) -> Value {
    json!({ "zh": zh, "en": en })
}

pub fn place(place: Option<&PublicPlace>) -> Value {
    match place {
        None => Value::Null,
        Some(p) => json!({
            "community": p.community.as_ref().map(|n| json!({ "code": n.code, "name": n.name })),
            "grid": p.grid.as_ref().map(|n| json!({ "code": n.code, "name": n.name })),
            "label": p.label(),
        }),
    }
}

/// Where anyone downloads a published file.
pub fn attachment_url(tenant: &Tenant, id: i64) -> String {
    format!("/api/t/{}/attachments/{id}", tenant.code.as_str())
}

pub fn attachments(tenant: &Tenant, files: &[PublicAttachment]) -> Value {
    files
        .iter()
        .map(|a| {
            json!({
                "id": a.id,
                "kind": a.kind.as_str(),
                "purpose": if a.result { "result" } else { "evidence" },
                "url": attachment_url(tenant, a.id),
            })
        })
        .collect()
}

fn event(e: &PublicEvent) -> Value {
    json!({
        "at": e.at.to_rfc3339(),
        "action": e.action,
        "label": words(e.label),
        "state": e.state,
        "by": e.by,
        "note": e.note,
    })
}

pub fn deadline(d: DeadlineOutcome) -> Value {
    json!({ "status": d.as_str(), "due_at": d.due().map(|t| t.to_rfc3339()) })
}

/// A case as the look-up shows it; `categories` names its category.
pub fn public_case(tenant: &Tenant, case: &PublicCase, categories: &[Category]) -> Value {
    json!({
        "tracking_code": case.tracking_code,
        "category": case.category,
        "category_name": category_name(&case.category, categories),
        "state": case.state,
        "status": words(case.status),
        "outcome": Outcome::of(case.state).as_str(),
        "place": place(case.place.as_ref()),
        "reported_at": case.reported_at.to_rfc3339(),
        "updated_at": case.updated_at.to_rfc3339(),
        "timeline": case.timeline.iter().map(event).collect::<Vec<_>>(),
        "attachments": attachments(tenant, &case.attachments),
        "deadlines": {
            "response": deadline(case.response),
            "resolution": deadline(case.resolution),
        },
        "fixed_on_the_spot": case.fixed_on_the_spot,
        "me_too_count": case.me_too_count,
        "rating": case.rating,
    })
}

/// The reporter's own parts, added under `reporter` with their secret.
pub fn reporter(tenant: &Tenant, tracking_code: &str, view: &ReporterView) -> Value {
    let code = tracking_code;
    let base = format!("/api/t/{}/reports/{code}", tenant.code.as_str());
    json!({
        "description": view.description,
        "address": view.address,
        "location": view.location.map(|l| json!({ "latitude": l.latitude(), "longitude": l.longitude() })),
        "contact": { "name": view.name, "phone": view.phone, "email": view.email },
        "attachments": attachments(tenant, &view.attachments),
        "rating_form": {
            "open": view.rating.can_rate,
            "opens_after": view.rating.opens_after.map(|w| w.as_str()),
            "expected_by": view.rating.opens_after.and_then(|w| w.expected_by()).map(|t| t.to_rfc3339()),
            "scores": [1, 2, 3, 4, 5],
            "score": view.rating.score,
            "comment": view.rating.comment,
            "can_reopen": view.rating.can_reopen,
            "submit": { "method": "POST", "href": format!("{base}/rating") },
        },
        "add_information": { "method": "POST", "href": format!("{base}/information") },
    })
}

pub fn figures(days: i64, f: &Figures) -> Value {
    json!({
        "days": days,
        "received": f.received,
        "resolved": f.resolved,
        "closure_rate": f.closure_rate,
        "on_time_rate": f.on_time_rate,
        "average_days_to_resolve": f.average_days_to_resolve,
        "average_rating": f.average_rating,
        "satisfaction_rate": f.satisfaction_rate,
    })
}

/// The map as a GeoJSON FeatureCollection of grid-level points.
pub fn map(cells: &[MapCell], days: i64) -> Value {
    let features: Vec<Value> = cells
        .iter()
        .map(|c| {
            json!({
                "type": "Feature",
                "geometry": { "type": "Point", "coordinates": [c.longitude, c.latitude] },
                "properties": {
                    "code": c.code, "name": c.name, "level": c.level,
                    "open": c.open, "resolved": c.resolved,
                },
            })
        })
        .collect();
    json!({ "type": "FeatureCollection", "days": days, "features": features })
}

pub fn notice(tenant: &Tenant, notice: &Notice, node: Option<&GridNode>) -> Value {
    json!({
        "id": notice.id,
        "title": notice.title,
        "body": notice.body,
        "place": node.map(|n| json!({
            "code": n.code.as_str(), "name": n.name, "level": n.level.as_str(),
        })),
        "published_at": notice.published_at.to_rfc3339(),
        "withdrawn_at": notice.withdrawn_at.map(|t| t.to_rfc3339()),
        "attachments": notice.attachments.iter().map(|id| json!({
            "id": id, "url": attachment_url(tenant, *id),
        })).collect::<Vec<_>>(),
    })
}
