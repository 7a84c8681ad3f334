//! SMS to residents: the tenant admin sets the provider (Aliyun SMS), its
//! keys, signature name and a template per step, and reads the recent
//! messages with their numbers masked. The AccessKey secret is write-only:
//! answered as whether it is set, never as itself. Sending is the routing
//! component's sweep (see docs/sms.md).

use chrono::Utc;
use domain::sms::{Provider, SettingsInput, SmsSettings, SmsStep};
use edge::{Ctx, HandlerResult, json};
use serde::Deserialize;
use serde_json::{Map, Value, json};
use store::SmsDelivery;

/// The settings as the admin page shows them (the secret as a flag).
fn wire(settings: Option<&SmsSettings>) -> Value {
    let templates: Map<String, Value> = SmsStep::ALL
        .iter()
        .map(|step| {
            let code = settings.and_then(|s| s.template(*step)).unwrap_or_default();
            (step.as_str().to_string(), Value::String(code.to_string()))
        })
        .collect();
    json!({
        "provider": settings.map_or(Provider::Aliyun, SmsSettings::provider).as_str(),
        "endpoint": settings.map_or(Provider::Aliyun.default_endpoint(), SmsSettings::endpoint),
        "access_key_id": settings.map_or("", SmsSettings::access_key_id),
        "access_key_secret_set": settings.is_some_and(|s| !s.access_key_secret().is_empty()),
        "sign_name": settings.map_or("", SmsSettings::sign_name),
        "templates": templates,
        "enabled": settings.is_some_and(SmsSettings::enabled),
        "configured": settings.is_some_and(SmsSettings::configured),
    })
}

pub fn get_sms_settings(ctx: &mut Ctx) -> HandlerResult {
    let settings = ctx.scope()?.sms_settings()?;
    Ok(json(200, &wire(settings.as_ref())))
}

/// Each step's template code; absent or empty, that step sends nothing (a
/// `null` is refused, as the document states a string).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TemplatesBody {
    #[serde(default)]
    accepted: String,
    #[serde(default)]
    dispatched: String,
    #[serde(default)]
    resolved: String,
    #[serde(default)]
    closed: String,
    #[serde(default)]
    rate_invitation: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SettingsBody {
    #[serde(default, deserialize_with = "edge::absent_or")]
    provider: Option<String>,
    #[serde(default, deserialize_with = "edge::absent_or")]
    endpoint: Option<String>,
    #[serde(default)]
    access_key_id: String,
    /// Absent: keep the stored secret.
    #[serde(default, deserialize_with = "edge::absent_or")]
    access_key_secret: Option<String>,
    #[serde(default)]
    sign_name: String,
    #[serde(default, deserialize_with = "edge::absent_or")]
    templates: Option<TemplatesBody>,
    enabled: bool,
}

/// `PUT …/admin/sms`: saves the settings whole (the secret kept when not
/// sent). Turned on, they must have what a message needs; turned off,
/// pending messages are cancelled.
pub fn put_sms_settings(ctx: &mut Ctx) -> HandlerResult {
    let body: SettingsBody = ctx.json_body()?;
    let templates = body.templates.map_or_else(Vec::new, |t| {
        [
            (SmsStep::Accepted, t.accepted),
            (SmsStep::Dispatched, t.dispatched),
            (SmsStep::Resolved, t.resolved),
            (SmsStep::Closed, t.closed),
            (SmsStep::RateInvitation, t.rate_invitation),
        ]
        .into_iter()
        .collect()
    });
    let input = SettingsInput {
        provider: body.provider,
        endpoint: body.endpoint,
        access_key_id: body.access_key_id,
        access_key_secret: body.access_key_secret,
        sign_name: body.sign_name,
        templates,
        enabled: body.enabled,
    };
    let saved = ctx.transaction(|ctx| {
        let scope = ctx.scope()?;
        let before = scope.sms_settings()?;
        let stored_secret = before.as_ref().map(|s| s.access_key_secret().to_string());
        let settings = SmsSettings::new(
            input,
            stored_secret.as_deref(),
            edge::outbound::webhook_reach(),
        )?;
        scope.save_sms_settings(&settings, Utc::now())?;
        let (before, after) = (wire(before.as_ref()), wire(Some(&settings)));
        ctx.audit(
            "update",
            "sms_settings",
            "sms",
            Some(before),
            Some(after.clone()),
        )?;
        Ok(after)
    })?;
    Ok(json(200, &saved))
}

fn delivery_wire(d: &SmsDelivery) -> Value {
    json!({
        "id": d.id,
        "case_id": d.case_id,
        "tracking_code": d.tracking_code,
        "step": d.step.as_str(),
        "phone": d.masked_phone,
        "state": d.state(),
        "attempts": d.attempts,
        "next_attempt_at": d.next_attempt_at.map(|t| t.to_rfc3339()),
        "last_status": d.last_status,
        "last_error": d.last_error,
        "provider_id": d.provider_id,
        "delivered_at": d.delivered_at.map(|t| t.to_rfc3339()),
        "created_at": d.created_at.to_rfc3339(),
    })
}

/// `GET …/admin/sms/deliveries`: newest first; `before` pages back.
pub fn list_sms_deliveries(ctx: &mut Ctx) -> HandlerResult {
    let before = ctx.query_i64("before")?;
    let limit = ctx.page_limit()?;
    let deliveries = ctx.scope()?.sms_deliveries(before, limit)?;
    let next = edge::next_page(&deliveries, limit, |d| d.id);
    let items: Vec<_> = deliveries.iter().map(delivery_wire).collect();
    Ok(json(200, &json!({ "items": items, "next_before": next })))
}
