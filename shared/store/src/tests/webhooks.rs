//! The webhook outbox: events queue deliveries in their own transaction,
//! attempts are recorded with backoff, retired webhooks stop receiving.

use super::fixtures::{
    beijing, fresh_db, report_garbage, route_garbage_to, tenant_with_urban_and_garbage,
};
use crate::*;
use chrono::Duration;
use domain::Problem;
use domain::notification::{DeliveryFailure, MAX_WEBHOOKS};
use domain::receiver::Reach;

#[test]
fn every_event_is_queued_for_each_active_webhook() {
    let db = fresh_db();
    let (t, urban) = tenant_with_urban_and_garbage(&db);
    let scope = TenantScope::new(&db, &t);
    let at = beijing("2026-03-02 09:00");
    let quiet = report_garbage(&scope, 1, at);
    assert!(
        scope.due_deliveries(at, 100).unwrap().is_empty(),
        "no webhook, no outbox"
    );

    let hook = scope
        .create_webhook(
            " https://ops.example.cn/grid ",
            "whsec_c2VjcmV0",
            Reach::LocalToo,
            at,
        )
        .unwrap();
    assert_eq!(hook.url, "https://ops.example.cn/grid");
    route_garbage_to(&scope, urban);
    let case = scope
        .auto_dispatch(report_garbage(&scope, 2, at), at)
        .unwrap();
    let due = scope.due_deliveries(at, 100).unwrap();
    // report, accept, register, dispatch
    assert_eq!(due.len(), 4);
    let events = scope.case_events(case.id).unwrap();
    let first: serde_json::Value = serde_json::from_str(&due[0].payload).unwrap();
    assert_eq!(first["type"], "cn.gridgov.case.report");
    assert_eq!(first["id"], format!("alpha-{}", events[0].id));
    assert_eq!(due[0].message_id, format!("alpha-{}", events[0].id));
    assert_eq!(first["subject"], case.tracking_code.as_str());
    assert_eq!(due[0].secret, "whsec_c2VjcmV0");
    assert!(
        due.iter()
            .all(|d| !d.payload.contains(quiet.tracking_code.as_str())),
        "events before the webhook existed are not sent"
    );
}

#[test]
fn failed_attempts_back_off_then_give_up_and_success_is_final() {
    let db = fresh_db();
    let (t, _) = tenant_with_urban_and_garbage(&db);
    let scope = TenantScope::new(&db, &t);
    let at = beijing("2026-03-02 09:00");
    let hook = scope
        .create_webhook("http://127.0.0.1:9/", "s", Reach::LocalToo, at)
        .unwrap();
    report_garbage(&scope, 3, at);
    let delivery = scope.due_deliveries(at, 10).unwrap().remove(0);

    let failed = scope
        .record_attempt(delivery.id, &AttemptOutcome::Answered(503), at)
        .unwrap();
    assert_eq!(failed.attempts, 1);
    assert_eq!(failed.next_attempt_at, Some(at + Duration::minutes(1)));
    assert!(
        scope.due_deliveries(at, 10).unwrap().is_empty(),
        "not due yet"
    );
    let later = at + Duration::minutes(1);
    assert_eq!(scope.due_deliveries(later, 10).unwrap().len(), 1);

    let mut now = later;
    let mut last = failed;
    while let Some(next) = last.next_attempt_at {
        now = next;
        last = scope
            .record_attempt(
                delivery.id,
                &AttemptOutcome::Failed(DeliveryFailure::Unreachable),
                now,
            )
            .unwrap();
    }
    assert!(last.abandoned());
    assert_eq!(last.attempts, domain::notification::MAX_ATTEMPTS);
    assert_eq!(
        last.last_error.as_deref(),
        Some(DeliveryFailure::Unreachable.describe())
    );
    assert!(
        scope
            .due_deliveries(now + Duration::days(30), 10)
            .unwrap()
            .is_empty()
    );

    report_garbage(&scope, 4, now);
    let second = scope.due_deliveries(now, 10).unwrap().remove(0);
    let ok = scope
        .record_attempt(second.id, &AttemptOutcome::Answered(204), now)
        .unwrap();
    assert_eq!((ok.delivered_at, ok.next_attempt_at), (Some(now), None));
    let listed = scope.webhook_deliveries(hook.id, None, 10).unwrap();
    assert_eq!(
        listed.iter().map(|d| d.id).collect::<Vec<_>>(),
        [second.id, delivery.id]
    );
}

#[test]
fn retired_webhooks_get_nothing_more_and_the_count_is_bounded() {
    let db = fresh_db();
    let (t, _) = tenant_with_urban_and_garbage(&db);
    let scope = TenantScope::new(&db, &t);
    let at = beijing("2026-03-02 09:00");
    let hooks: Vec<_> = (0..MAX_WEBHOOKS)
        .map(|i| {
            scope
                .create_webhook(
                    &format!("https://h{i}.example.cn/"),
                    "s",
                    Reach::LocalToo,
                    at,
                )
                .unwrap()
        })
        .collect();
    let sixth = scope.create_webhook("https://h6.example.cn/", "s", Reach::LocalToo, at);
    assert_eq!(Problem::from(sixth.unwrap_err()).status(), 409);
    let bad = scope.create_webhook("ftp://example.cn/", "s", Reach::LocalToo, at);
    assert_eq!(
        Problem::from(bad.unwrap_err()).field.as_deref(),
        Some("url")
    );

    report_garbage(&scope, 5, at);
    assert_eq!(scope.due_deliveries(at, 100).unwrap().len(), MAX_WEBHOOKS);
    for hook in &hooks[1..] {
        scope.retire_webhook(hook.id, at).unwrap();
    }
    assert_eq!(
        scope.due_deliveries(at, 100).unwrap().len(),
        1,
        "pending ones abandoned"
    );
    report_garbage(&scope, 6, at);
    assert_eq!(scope.due_deliveries(at, 100).unwrap().len(), 2);
    assert!(
        scope
            .create_webhook("https://again.example.cn/", "s", Reach::LocalToo, at)
            .is_ok()
    );
    let missing = scope.retire_webhook(9999, at);
    assert_eq!(Problem::from(missing.unwrap_err()).status(), 404);
}
