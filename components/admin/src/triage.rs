//! Smart triage's automatic dispatch (智能分拨): the tenant admin switches
//! it on above a confidence, and sees whether the model has learned enough
//! to act on it yet and what it did so far (`docs/triage.md`).

use chrono::Utc;
use domain::triage::{self, Settings};
use edge::{Ctx, HandlerResult, json};
use serde::Deserialize;
use serde_json::{Value, json};
use store::TenantScope;

/// The setting with the model's state and the triage's counts.
fn wire<D: store::Database + ?Sized>(
    scope: &TenantScope<'_, D>,
    settings: &Settings,
) -> Result<Value, domain::Problem> {
    let (category, department) = scope.triage_learned_cases()?;
    let counts = scope.triage_counts()?;
    Ok(json!({
        "auto_dispatch": settings.auto_dispatch,
        "threshold": settings.threshold,
        "learned": { "category": category, "department": department },
        "ready": triage::ready(department),
        "min_cases": triage::MIN_CASES,
        "min_department_cases": triage::MIN_DEPARTMENT_CASES,
        "auto_dispatched": counts.auto_dispatched,
        "undone": counts.undone,
    }))
}

pub fn get_triage_settings(ctx: &mut Ctx) -> HandlerResult {
    let scope = ctx.scope()?;
    let settings = scope.triage_settings()?;
    Ok(json(200, &wire(&scope, &settings)?))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SettingsBody {
    auto_dispatch: bool,
    threshold: f64,
}

/// `PUT …/admin/triage`: on or off, and the confidence a department
/// suggestion must reach. On before the model is ready, it waits.
pub fn put_triage_settings(ctx: &mut Ctx) -> HandlerResult {
    let body: SettingsBody = ctx.json_body()?;
    let settings = Settings {
        auto_dispatch: body.auto_dispatch,
        threshold: body.threshold,
    };
    settings.check()?;
    let saved = ctx.transaction(|ctx| {
        let scope = ctx.scope()?;
        let before = scope.triage_settings()?;
        scope.set_triage_settings(&settings, Utc::now())?;
        let setting =
            |s: &Settings| json!({ "auto_dispatch": s.auto_dispatch, "threshold": s.threshold });
        ctx.audit(
            "update",
            "triage_settings",
            "triage",
            Some(setting(&before)),
            Some(setting(&settings)),
        )?;
        let scope = ctx.scope()?;
        wire(&scope, &settings)
    })?;
    Ok(json(200, &saved))
}
