//! The tenant's street map (`domain::map`): read by every page with the
//! grid, set by the tenant admin.

use chrono::Utc;
use domain::map::{TileSettings, TileSettingsInput};
use edge::{Ctx, HandlerResult, json};
use serde_json::{Value, json};

fn tiles_wire(tiles: &TileSettings, configured: bool) -> Value {
    json!({
        "configured": configured,
        "base_url": tiles.base_url(),
        "overlay_url": tiles.overlay_url(),
        "subdomains": tiles.subdomains(),
        "attribution": tiles.attribution(),
        "crs": tiles.crs().as_str(),
        "key": tiles.key(),
        "max_zoom": tiles.max_zoom(),
        "needs_key": tiles.needs_key(),
    })
}

/// The tenant's tiles, or 天地图's default (`configured: false`) when unset.
pub fn get_map_settings(ctx: &mut Ctx) -> HandlerResult {
    let wire = match ctx.scope()?.map_settings()? {
        Some(tiles) => tiles_wire(&tiles, true),
        None => tiles_wire(&TileSettings::tianditu(), false),
    };
    Ok(json(200, &wire))
}

/// Replaces the tenant's tiles whole.
pub fn set_map_settings(ctx: &mut Ctx) -> HandlerResult {
    let body: TileSettingsInput = ctx.json_body()?;
    let tiles = TileSettings::parse(body)?;
    let before = ctx.scope()?.map_settings()?.map(|t| tiles_wire(&t, true));
    let after = tiles_wire(&tiles, true);
    ctx.transaction(|ctx| {
        ctx.scope()?.set_map_settings(&tiles, Utc::now())?;
        ctx.audit(
            "set_map_settings",
            "map_settings",
            "map",
            before,
            Some(after.clone()),
        )
    })?;
    Ok(json(200, &after))
}
