//! Webhooks: the tenant admin registers URLs that receive every case event
//! as a signed CloudEvent (the secret is shown once, at creation), retires
//! them, and reads each delivery's attempts. Delivery itself is the routing
//! component's sweep (see docs/webhooks.md).

use chrono::Utc;
use domain::Problem;
use domain::notification::new_secret;
use edge::{Ctx, HandlerResult, json};
use serde::Deserialize;
use serde_json::{Value, json};
use store::{Delivery, Webhook};

fn wire(hook: &Webhook) -> Value {
    json!({
        "id": hook.id,
        "url": hook.url,
        "created_at": hook.created_at.to_rfc3339(),
        "retired_at": hook.retired_at.map(|t| t.to_rfc3339()),
    })
}

fn delivery_wire(d: &Delivery) -> Value {
    let state = match (d.delivered_at, d.abandoned()) {
        (Some(_), _) => "delivered",
        (None, true) => "abandoned",
        (None, false) => "pending",
    };
    json!({
        "id": d.id,
        "event_id": d.event_id,
        "warning_id": d.warning_id,
        "state": state,
        "attempts": d.attempts,
        "next_attempt_at": d.next_attempt_at.map(|t| t.to_rfc3339()),
        "last_status": d.last_status,
        "last_error": d.last_error,
        "delivered_at": d.delivered_at.map(|t| t.to_rfc3339()),
    })
}

pub fn list_webhooks(ctx: &mut Ctx) -> HandlerResult {
    let hooks = ctx.scope()?.webhooks()?;
    let items: Vec<_> = hooks.iter().map(wire).collect();
    Ok(json(200, &json!({ "items": items })))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateBody {
    url: String,
}

pub fn create_webhook(ctx: &mut Ctx) -> HandlerResult {
    let body: CreateBody = ctx.json_body()?;
    let secret = new_secret(edge::random_bytes::<24>()?);
    let created = ctx.transaction(|ctx| {
        let hook = ctx.scope()?.create_webhook(
            &body.url,
            &secret,
            edge::outbound::webhook_reach(),
            Utc::now(),
        )?;
        let after = wire(&hook);
        ctx.audit("create", "webhook", hook.id, None, Some(after.clone()))?;
        Ok(after)
    })?;
    let mut shown = created;
    shown["secret"] = Value::String(secret);
    Ok(json(201, &shown))
}

pub fn retire_webhook(ctx: &mut Ctx) -> HandlerResult {
    let id = ctx.id_param("id", "webhook")?;
    let retired = ctx.transaction(|ctx| {
        let scope = ctx.scope()?;
        let before = scope
            .webhooks()?
            .into_iter()
            .find(|w| w.id == id)
            .ok_or_else(|| Problem::not_found("no such webhook"))?;
        let after = scope.retire_webhook(id, Utc::now())?;
        let (before, after) = (wire(&before), wire(&after));
        ctx.audit("retire", "webhook", id, Some(before), Some(after.clone()))?;
        Ok(after)
    })?;
    Ok(json(200, &retired))
}

/// Newest first; `before` pages back.
pub fn list_deliveries(ctx: &mut Ctx) -> HandlerResult {
    let id = ctx.id_param("id", "webhook")?;
    let before = ctx.query_i64("before")?;
    let limit = ctx.page_limit()?;
    let scope = ctx.scope()?;
    if !scope.webhooks()?.iter().any(|w| w.id == id) {
        return Err(Problem::not_found("no such webhook"));
    }
    let deliveries = scope.webhook_deliveries(id, before, limit)?;
    let next = edge::next_page(&deliveries, limit, |d| d.id);
    let items: Vec<_> = deliveries.iter().map(delivery_wire).collect();
    Ok(json(200, &json!({ "items": items, "next_before": next })))
}
