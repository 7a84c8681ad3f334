//! Open311 API keys: the tenant admin issues them (the key is shown once; only its
//! SHA-256 is kept), lists them and revokes them. A revoked key is refused at once.

use chrono::Utc;
use domain::Problem;
use domain::limits::CHOSEN_API_KEY_MIN_CHARS;
use edge::{Ctx, HandlerResult, json};
use serde::Deserialize;
use serde_json::{Value, json};
use store::ApiKey;

fn wire(key: &ApiKey) -> Value {
    json!({
        "id": key.id,
        "name": key.name,
        "created_at": key.created_at.to_rfc3339(),
        "revoked_at": key.revoked_at.map(|t| t.to_rfc3339()),
    })
}

pub fn list_api_keys(ctx: &mut Ctx) -> HandlerResult {
    let keys = ctx.scope()?.list_api_keys()?;
    let items: Vec<_> = keys.iter().map(wire).collect();
    Ok(json(200, &json!({ "items": items })))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IssueBody {
    name: String,
    /// A key of the admin's choosing (at least 8 characters; null or
    /// absent: drawn), e.g. a demo's
    /// well-known key; by default one is drawn at random.
    key: Option<String>,
}

pub fn issue_api_key(ctx: &mut Ctx) -> HandlerResult {
    let body: IssueBody = ctx.json_body()?;
    let key = match body.key {
        Some(key) if key.chars().count() >= CHOSEN_API_KEY_MIN_CHARS && key.trim() == key => key,
        Some(_) => {
            return Err(Problem::validation(
                "key",
                format!(
                    "a chosen key is at least {CHOSEN_API_KEY_MIN_CHARS} characters, \
                     without spaces around it"
                ),
            ));
        }
        // 32 random bytes, hex: 256 bits.
        None => edge::random_bytes::<32>()?
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect(),
    };
    let issued = ctx.transaction(|ctx| {
        let issued = ctx.scope()?.issue_api_key(&body.name, &key, Utc::now())?;
        let after = wire(&issued);
        ctx.audit("issue", "api_key", issued.id, None, Some(after.clone()))?;
        Ok(after)
    })?;
    let mut shown = issued;
    shown["key"] = Value::String(key);
    Ok(json(201, &shown))
}

pub fn revoke_api_key(ctx: &mut Ctx) -> HandlerResult {
    let id = ctx.id_param("id", "API key")?;
    let revoked = ctx.transaction(|ctx| {
        let scope = ctx.scope()?;
        let before = scope
            .list_api_keys()?
            .into_iter()
            .find(|k| k.id == id)
            .ok_or_else(|| Problem::not_found("no such API key"))?;
        let after = scope.revoke_api_key(id, Utc::now())?;
        let (before, after) = (wire(&before), wire(&after));
        ctx.audit("revoke", "api_key", id, Some(before), Some(after.clone()))?;
        Ok(after)
    })?;
    Ok(json(200, &revoked))
}
