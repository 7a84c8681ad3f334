//! Work queues, and the sweep an external scheduler calls.

use chrono::Utc;
use domain::{CaseId, Problem, Role};
use edge::{Ctx, HandlerResult, json};
use serde_json::json;
use store::Queue;

/// `GET …/queues/:queue`: `triage`, `open`, `overdue`, `escalated` (the
/// command centre's views), `inbox` (the caller's department), `mine` (the
/// caller's own reports); paged by `after`.
pub fn get_queue(ctx: &mut Ctx) -> HandlerResult {
    let name = ctx.param("queue")?.to_string();
    let caller = ctx.caller()?.user.clone();
    let queue = match name.as_str() {
        "triage" => Queue::Triage,
        "open" => Queue::Open,
        "overdue" => Queue::Overdue,
        "escalated" => Queue::Escalated,
        "inbox" => match (caller.role, caller.department) {
            (Role::DepartmentStaff, Some(department)) => Queue::Department(department),
            _ => {
                return Err(Problem::forbidden(
                    "the inbox is a department's: this account belongs to none",
                ));
            }
        },
        "mine" => Queue::ReportedBy(caller.id),
        _ => {
            return Err(Problem::not_found(
                "queues are triage, open, overdue, escalated, inbox and mine",
            ));
        }
    };
    let after = ctx.query_i64("after")?.map(CaseId);
    let limit = ctx.page_limit()?;
    let cases = ctx.scope()?.queue(queue, after, limit)?;
    crate::cases::page(ctx, &cases, limit)
}

/// `POST …/cases/sweep`: evaluates every running clock and escalates the
/// late cases. Spin has no timers, so a scheduler calls this (see README).
pub fn sweep(ctx: &mut Ctx) -> HandlerResult {
    let calendar = ctx.work_calendar()?;
    let report = ctx.scope()?.sweep(Utc::now(), &calendar)?;
    Ok(json(
        200,
        &json!({ "checked": report.checked, "escalated": report.escalated }),
    ))
}
