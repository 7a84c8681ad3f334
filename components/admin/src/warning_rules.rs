//! The early warnings' thresholds (docs/warnings.md): how many cases of a
//! category in one micro-grid over how many days make a recurring problem,
//! how near a repeat must be, when a department counts as behind.

use chrono::Utc;
use domain::warning::WarningRules;
use edge::{Ctx, HandlerResult, json};
use serde::Deserialize;
use serde_json::json;

pub fn get_warning_rules(ctx: &mut Ctx) -> HandlerResult {
    let rules = ctx.scope()?.warning_rules()?;
    Ok(json(200, &rules))
}

/// Any of the rules; those left out keep their value (null is refused:
/// the document states none).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RulesBody {
    #[serde(default, deserialize_with = "edge::absent_or")]
    recurring_count: Option<i64>,
    #[serde(default, deserialize_with = "edge::absent_or")]
    recurring_days: Option<i64>,
    #[serde(default, deserialize_with = "edge::absent_or")]
    repeat_metres: Option<i64>,
    #[serde(default, deserialize_with = "edge::absent_or")]
    repeat_days: Option<i64>,
    #[serde(default, deserialize_with = "edge::absent_or")]
    repeat_low_rating: Option<i64>,
    #[serde(default, deserialize_with = "edge::absent_or")]
    late_share_percent: Option<i64>,
    #[serde(default, deserialize_with = "edge::absent_or")]
    late_min_closed: Option<i64>,
    #[serde(default, deserialize_with = "edge::absent_or")]
    late_window_days: Option<i64>,
}

pub fn set_warning_rules(ctx: &mut Ctx) -> HandlerResult {
    let body: RulesBody = ctx.json_body()?;
    ctx.transaction(|ctx| {
        let before = ctx.scope()?.warning_rules()?;
        let rules = WarningRules {
            recurring_count: body.recurring_count.unwrap_or(before.recurring_count),
            recurring_days: body.recurring_days.unwrap_or(before.recurring_days),
            repeat_metres: body.repeat_metres.unwrap_or(before.repeat_metres),
            repeat_days: body.repeat_days.unwrap_or(before.repeat_days),
            repeat_low_rating: body.repeat_low_rating.unwrap_or(before.repeat_low_rating),
            late_share_percent: body.late_share_percent.unwrap_or(before.late_share_percent),
            late_min_closed: body.late_min_closed.unwrap_or(before.late_min_closed),
            late_window_days: body.late_window_days.unwrap_or(before.late_window_days),
        };
        let after = ctx.scope()?.set_warning_rules(&rules, Utc::now())?;
        ctx.audit(
            "set_warning_rules",
            "warning_rules",
            "all",
            Some(json!(before)),
            Some(json!(after)),
        )?;
        Ok(json(200, &after))
    })
}
