//! Work queues, and the sweep an external scheduler calls.

use std::time::{Duration, Instant};

use chrono::Utc;
use domain::notification;
use domain::{CaseState, Problem, Role};
use edge::{Ctx, HandlerResult, files, json};
use serde_json::{Value, json};
use store::{AttemptOutcome, Clock, Queue, QueueQuery, QueueSort};

/// `GET …/queues/:queue`: `triage`, `open`, `overdue`, `escalated`,
/// `unassigned`, `verification` (the command centre's views), `inbox` (the caller's
/// department: cases it leads or assists with), `mine` (the caller's own
/// reports). Filters `state`, `category`, `clock` (`due_soon`, `overdue`);
/// `sort` (`oldest`, `newest`, `due`); paged by `after` (the previous page's
/// `next_after`).
pub fn get_queue(ctx: &mut Ctx) -> HandlerResult {
    let name = ctx.param("queue")?.to_string();
    let caller = ctx.caller()?.user.clone();
    let queue = match name.as_str() {
        "triage" => Queue::Triage,
        "open" => Queue::Open,
        "overdue" => Queue::Overdue,
        "escalated" => Queue::Escalated,
        "unassigned" => Queue::Unassigned,
        "verification" => Queue::Verification,
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
                "queues are triage, open, overdue, escalated, unassigned, verification, inbox and mine",
            ));
        }
    };
    let query = QueueQuery {
        state: ctx
            .query_value("state")
            .map(|s| CaseState::parse(&s))
            .transpose()?,
        category: ctx.query("category"),
        clock: match ctx.query_value("clock").as_deref() {
            None => None,
            Some("due_soon") => Some(Clock::DueSoon),
            Some("overdue") => Some(Clock::Overdue),
            Some(_) => return Err(Problem::validation("clock", "clock is due_soon or overdue")),
        },
        sort: match ctx.query_value("sort").as_deref() {
            None | Some("oldest") => QueueSort::Oldest,
            Some("newest") => QueueSort::Newest,
            Some("due") => QueueSort::Due,
            Some(_) => {
                return Err(Problem::validation("sort", "sort is oldest, newest or due"));
            }
        },
        after: ctx.query("after"),
    };
    let limit = ctx.page_limit()?;
    let page = ctx.scope()?.queue(queue, &query, limit)?;
    crate::cases::page(ctx, &page.cases, page.next.map(Value::String))
}

/// How many webhook deliveries one sweep call attempts: each may wait on a
/// slow receiver, and the call must finish well inside the request limit.
pub(crate) const DELIVERIES_PER_SWEEP: u32 = 20;

/// How long one delivery may wait to connect, for the answer's first byte,
/// and between its bytes: a receiver slower than this has failed this
/// attempt (recorded, retried with backoff).
pub(crate) const DELIVERY_TIME_LIMIT: Duration = Duration::from_secs(5);

/// How long a sweep goes on starting deliveries: one attempt can take twice
/// the limit (connect, then first byte), and the host stops a request at
/// 30 s.
const DELIVERY_BUDGET: Duration = Duration::from_secs(20);

/// Whether a sweep that began delivering at `started` (webhooks, then SMS)
/// may start another delivery; what is left stays due for the next sweep.
pub(crate) fn has_time_for_another(started: Instant) -> bool {
    started.elapsed() + 2 * DELIVERY_TIME_LIMIT <= DELIVERY_BUDGET
}

/// How many digests' bytes one sweep call deletes at most; the rest stay
/// queued for the next call (each is one short write transaction).
const FILES_DELETED_PER_SWEEP: usize = 200;

/// `POST …/cases/sweep`: evaluates every running clock and escalates the
/// late cases, deletes the uploads left on nothing past their retention
/// and then the bytes no row uses any more, and posts the webhook
/// deliveries and the SMS to residents (docs/sms.md) that are due. Spin has no timers, so a scheduler calls this
/// (see docs/workflow.md).
pub fn sweep(ctx: &mut Ctx) -> HandlerResult {
    let calendar = ctx.work_calendar()?;
    let report = ctx.scope()?.sweep(Utc::now(), &calendar)?;
    let warnings = ctx.scope()?.sweep_warnings(Utc::now())?;
    let patrols_ended = ctx.scope()?.end_overdue_patrols(Utc::now())?;
    let tracks_thinned = ctx.scope()?.thin_old_tracks(Utc::now())?;
    let tenant = ctx.tenant()?.id.0;
    let files_deleted = ctx
        .scope()?
        .delete_unused_files(FILES_DELETED_PER_SWEEP, |sha256| {
            Ok(files::delete(tenant, sha256)?)
        })?;
    let started = Instant::now();
    let (delivered, failed) = deliver_webhooks(ctx, started)?;
    let (sms_delivered, sms_failed) = crate::sms::deliver(ctx, started)?;
    Ok(json(
        200,
        &json!({
            "checked": report.checked,
            "escalated": report.escalated,
            "uploads": { "purged": report.purged_uploads, "files_deleted": files_deleted },
            "webhooks": { "delivered": delivered, "failed": failed },
            "sms": { "delivered": sms_delivered, "failed": sms_failed },
            "patrols": { "ended": patrols_ended, "tracks_thinned": tracks_thinned },
            "warnings": { "read": warnings.read, "raised": warnings.raised, "updated": warnings.updated },
        }),
    ))
}

/// Posts each due delivery, signed, and records the outcome. Returns
/// (delivered, failed).
fn deliver_webhooks(ctx: &mut Ctx, started: Instant) -> Result<(usize, usize), Problem> {
    let scope = ctx.scope()?;
    let due = scope.due_deliveries(Utc::now(), DELIVERIES_PER_SWEEP)?;
    let (mut delivered, mut failed) = (0, 0);
    for delivery in due {
        // What is left waits, still due, for the next sweep: the call must
        // end well within the host's request time limit.
        if !has_time_for_another(started) {
            break;
        }
        let now = Utc::now();
        let timestamp = now.timestamp();
        let headers = [
            ("content-type", notification::CONTENT_TYPE.to_string()),
            ("webhook-id", delivery.message_id.clone()),
            ("webhook-timestamp", timestamp.to_string()),
            (
                "webhook-signature",
                notification::signature(
                    &delivery.secret,
                    &delivery.message_id,
                    timestamp,
                    &delivery.payload,
                ),
            ),
        ];
        let outcome = match edge::outbound::post_webhook(
            &delivery.url,
            &headers,
            delivery.payload,
            DELIVERY_TIME_LIMIT,
        ) {
            Ok(status) => AttemptOutcome::Answered(status),
            Err(why) => AttemptOutcome::Failed(why),
        };
        let recorded = scope.record_attempt(delivery.id, &outcome, Utc::now())?;
        if recorded.delivered_at.is_some() {
            delivered += 1;
        } else {
            failed += 1;
        }
    }
    Ok((delivered, failed))
}
