//! The resident's pick checked (研判 on the portal): while a resident fills
//! in a report, the tenant's category model says whether the category they
//! picked looks wrong for what they wrote, and which public category it
//! looks like instead ("这看起来像：占道经营？"). Anonymous, braked like the
//! other anonymous writes; the answer names a public category and nothing
//! else (no confidence, no other case, no department).

use domain::limits;
use domain::triage::{self, Features};
use edge::{Ctx, HandlerResult, json};
use serde::Deserialize;
use serde_json::json;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CheckBody {
    /// The category the resident picked, by code.
    category: String,
    /// What they wrote so far.
    description: String,
}

/// `POST …/triage/check`: `{"looks_like": null}` when the pick looks right
/// (or the model cannot tell yet), else the category it looks like.
pub fn check(ctx: &mut Ctx) -> HandlerResult {
    let tenant = ctx.tenant()?;
    edge::limits::check(ctx.request(), tenant.code.as_str(), "triage-check")?;
    let body: CheckBody = ctx.json_body()?;
    limits::CASE_CATEGORY.check(&body.category)?;
    limits::CASE_DESCRIPTION.check(&body.description)?;
    let scope = ctx.scope()?;
    let (model, _) = scope.triage_models(&Features::of(&body.description))?;
    let suggestions = model.suggest(&Features::of(&body.description));
    let categories = scope.list_categories()?;
    // Only what a resident may pick is ever pointed out.
    let offered = |code: &str| {
        categories.iter().any(|c| {
            c.code.as_str() == code && !c.retired && domain::case_kind::reserved_for(code).is_none()
        })
    };
    let looks_like = triage::looks_like(suggestions, body.category.trim(), model.cases(), offered)
        .and_then(|s| categories.iter().find(|c| c.code.as_str() == s.label))
        .map(|c| {
            json!({
                "code": c.code.as_str(),
                "name_zh": c.name_zh,
                "name_en": c.name_en,
            })
        });
    Ok(json(200, &json!({ "looks_like": looks_like })))
}
