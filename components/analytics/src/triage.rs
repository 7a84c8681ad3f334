//! The smart triage's own dispatches (智能分拨), counted apart from the
//! case figures: reports it dispatched on intake and those the command
//! centre undid. Kept counts (`triage_counts`), one read.

use edge::{Ctx, HandlerResult, json};
use serde_json::json;

pub fn get_triage_figures(ctx: &mut Ctx) -> HandlerResult {
    let scope = ctx.scope()?;
    let counts = scope.triage_counts()?;
    let settings = scope.triage_settings()?;
    Ok(json(
        200,
        &json!({
            "auto_dispatch": settings.auto_dispatch,
            "threshold": settings.threshold,
            "auto_dispatched": counts.auto_dispatched,
            "undone": counts.undone,
        }),
    ))
}
