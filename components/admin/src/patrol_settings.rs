//! How long the tenant keeps patrols' tracks (docs/patrols.md): the
//! routing component's sweep thins older ones to their summary.

use edge::{Ctx, HandlerResult, json};
use serde::Deserialize;
use serde_json::json;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SettingsBody {
    track_retention_days: i64,
}

/// `GET …/admin/patrol-settings`.
pub fn get_patrol_settings(ctx: &mut Ctx) -> HandlerResult {
    let days = ctx.scope()?.track_retention_days()?;
    Ok(json(200, &json!({ "track_retention_days": days })))
}

/// `PUT …/admin/patrol-settings`.
pub fn set_patrol_settings(ctx: &mut Ctx) -> HandlerResult {
    let body: SettingsBody = ctx.json_body()?;
    let days = domain::patrol::retention_days(body.track_retention_days)?;
    let before = ctx.scope()?.track_retention_days()?;
    let after = json!({ "track_retention_days": days });
    ctx.transaction(|ctx| {
        ctx.scope()?.set_track_retention_days(days)?;
        ctx.audit(
            "set_patrol_settings",
            "patrol_settings",
            "patrols",
            Some(json!({ "track_retention_days": before })),
            Some(after.clone()),
        )
    })?;
    Ok(json(200, &after))
}
