//! The SMS outbox: each public step of a case whose reporter left a phone
//! queues a message in the event's own transaction, only while the tenant's
//! SMS is on; attempts back off like the webhooks'; erasing the contact or
//! turning SMS off cancels what is pending.

use super::fixtures::{
    beijing, calendar, fresh_db, photo_upload, route_garbage_to, tenant_with_urban_and_garbage,
};
use crate::*;
use chrono::{DateTime, Duration, Utc};
use domain::notification::DeliveryFailure;
use domain::receiver::Reach;
use domain::sms::{Answer, SettingsInput, SmsSettings, SmsStep};
use domain::{CaseAction, CaseSource, Tenant, TrackingCode};

fn settings(enabled: bool, templates: &[SmsStep]) -> SmsSettings {
    SmsSettings::new(
        SettingsInput {
            provider: None,
            endpoint: Some("https://sms.example.cn/".into()),
            access_key_id: "testId".into(),
            access_key_secret: Some("testSecret".into()),
            sign_name: "金山街道".into(),
            templates: templates
                .iter()
                .map(|s| (*s, format!("SMS_{}", *s as usize + 1)))
                .collect(),
            enabled,
        },
        None,
        Reach::PublicOnly,
    )
    .unwrap()
}

/// The time every test here starts at.
fn at() -> DateTime<Utc> {
    beijing("2026-03-02 09:00")
}

/// Tenant `alpha` with garbage routed to `urban` on intake and, unless
/// `None`, its SMS turned on with a template for `templates`.
fn texting(db: &NativeDb, templates: Option<&[SmsStep]>) -> Tenant {
    let (t, urban) = tenant_with_urban_and_garbage(db);
    let scope = TenantScope::new(db, &t);
    route_garbage_to(&scope, urban);
    if let Some(templates) = templates {
        scope
            .save_sms_settings(&settings(true, templates), at())
            .unwrap();
    }
    t
}

/// A resident's report with their phone and the case's secret (so they
/// may rate it once closed), dispatched on intake to `urban`.
fn report_with_phone(
    scope: &TenantScope<'_, NativeDb>,
    n: u8,
    phone: Option<&str>,
    at: DateTime<Utc>,
) -> Case {
    let mut new = NewCase::basic(
        TrackingCode::from_random([n; 8]),
        "garbage",
        "垃圾",
        CaseSource::Resident,
    );
    new.contact.phone = phone.map(str::to_string);
    new.reporter_secret_hash = Some("0".repeat(64));
    let case = scope.insert_case(new, at).unwrap();
    scope.auto_dispatch(case, at).unwrap()
}

/// Plays the department's and the centre's steps to the close.
fn play_to_close(scope: &TenantScope<'_, NativeDb>, case: Case, at: DateTime<Utc>) -> Case {
    let photo = photo_upload(scope, u64::from(case.id.0 as u32), "user:2", at);
    let mut case = case;
    for action in [
        CaseAction::SignFor,
        CaseAction::StartWork,
        CaseAction::Resolve {
            answer: "已清理".into(),
            attachment_ids: vec![photo],
        },
        CaseAction::Verify,
        CaseAction::Close,
    ] {
        case = scope
            .act(case.id, case.version, &action, "user:2", at, &calendar())
            .unwrap();
    }
    case
}

fn steps(due: &[DueSms]) -> Vec<SmsStep> {
    due.iter().map(|d| d.step).collect()
}

#[test]
fn nothing_is_queued_without_a_provider_turned_on() {
    let db = fresh_db();
    let t = texting(&db, None);
    let scope = TenantScope::new(&db, &t);
    let at = at();
    let case = report_with_phone(&scope, 1, Some("13911112222"), at);
    assert!(scope.sms_settings().unwrap().is_none());
    scope
        .save_sms_settings(&settings(false, &SmsStep::ALL), at)
        .unwrap();
    play_to_close(&scope, case, at);
    assert!(scope.due_sms(at, 100).unwrap().is_empty());
    assert!(scope.sms_deliveries(None, 100).unwrap().is_empty());
}

#[test]
fn each_public_step_texts_the_reporter_who_left_a_phone() {
    let db = fresh_db();
    let t = texting(&db, Some(&SmsStep::ALL));
    let scope = TenantScope::new(&db, &t);
    let at = at();
    let stored = scope.sms_settings().unwrap().unwrap();
    assert!(stored.configured());
    assert_eq!(stored.access_key_secret(), "testSecret");

    let case = report_with_phone(&scope, 1, Some("13911112222"), at);
    let no_phone = report_with_phone(&scope, 2, None, at);
    let due = scope.due_sms(at, 100).unwrap();
    assert_eq!(steps(&due), [SmsStep::Accepted, SmsStep::Dispatched]);
    assert_eq!(due[0].phone, "13911112222");
    assert_eq!(due[0].tracking_code, case.tracking_code.as_str());
    assert_eq!(due[0].template_code, "SMS_1");
    assert_eq!(due[1].template_code, "SMS_2");

    play_to_close(&scope, case, at);
    play_to_close(&scope, no_phone, at);
    let due = scope.due_sms(at, 100).unwrap();
    assert_eq!(
        steps(&due),
        SmsStep::ALL,
        "resolved, closed and the rating's invitation; nothing for the case without a phone"
    );
    let listed = scope.sms_deliveries(None, 100).unwrap();
    assert_eq!(listed.len(), 5);
    assert!(listed.iter().all(|d| d.state() == "pending"));
    assert_eq!(listed[0].masked_phone.as_deref(), Some("139****2222"));
}

#[test]
fn a_step_without_a_template_sends_nothing() {
    let db = fresh_db();
    let t = texting(&db, Some(&[SmsStep::Dispatched, SmsStep::Closed]));
    let scope = TenantScope::new(&db, &t);
    let at = at();
    let case = report_with_phone(&scope, 1, Some("13911112222"), at);
    play_to_close(&scope, case, at);
    assert_eq!(
        steps(&scope.due_sms(at, 100).unwrap()),
        [SmsStep::Dispatched, SmsStep::Closed]
    );
}

#[test]
fn attempts_back_off_a_refusal_is_final_and_a_delivery_keeps_the_providers_id() {
    let db = fresh_db();
    let t = texting(&db, Some(&SmsStep::ALL));
    let scope = TenantScope::new(&db, &t);
    let at = at();
    report_with_phone(&scope, 1, Some("13911112222"), at);
    let due = scope.due_sms(at, 100).unwrap();

    let flow_control = Ok(Answer::Retry("isv.BUSINESS_LIMIT_CONTROL".into()));
    let failed = scope
        .record_sms_attempt(due[0].id, Some(200), &flow_control, at)
        .unwrap();
    assert_eq!(failed.attempts, 1);
    assert_eq!(failed.next_attempt_at, Some(at + Duration::minutes(1)));
    assert_eq!(
        failed.last_error.as_deref(),
        Some("isv.BUSINESS_LIMIT_CONTROL")
    );
    assert_eq!(
        steps(&scope.due_sms(at, 100).unwrap()),
        [SmsStep::Dispatched]
    );
    let later = at + Duration::minutes(1);
    let unreachable = Err(DeliveryFailure::Unreachable);
    let again = scope
        .record_sms_attempt(due[0].id, None, &unreachable, later)
        .unwrap();
    assert_eq!(again.next_attempt_at, Some(later + Duration::minutes(5)));

    let sent = Ok(Answer::Sent {
        provider_id: Some("900619746936498440^0".into()),
    });
    let delivered = scope
        .record_sms_attempt(due[0].id, Some(200), &sent, later)
        .unwrap();
    assert_eq!(delivered.state(), "delivered");
    assert_eq!(
        delivered.provider_id.as_deref(),
        Some("900619746936498440^0")
    );
    assert_eq!(delivered.attempts, 3);

    let refused = Ok(Answer::Refused("isv.MOBILE_NUMBER_ILLEGAL".into()));
    let abandoned = scope
        .record_sms_attempt(due[1].id, Some(400), &refused, at)
        .unwrap();
    assert_eq!(abandoned.state(), "abandoned");
    assert!(
        scope
            .due_sms(at + Duration::days(30), 100)
            .unwrap()
            .is_empty()
    );
}

#[test]
fn erasing_the_contact_or_turning_sms_off_cancels_what_is_pending() {
    let db = fresh_db();
    let t = texting(&db, Some(&SmsStep::ALL));
    let scope = TenantScope::new(&db, &t);
    let at = at();
    let erased = report_with_phone(&scope, 1, Some("13911112222"), at);
    let kept = report_with_phone(&scope, 2, Some("13933334444"), at);
    scope.erase_contact(erased.id, at).unwrap();
    let due = scope.due_sms(at, 100).unwrap();
    assert_eq!(due.len(), 2);
    assert!(
        due.iter()
            .all(|d| d.tracking_code == kept.tracking_code.as_str())
    );
    let listed = scope.sms_deliveries(None, 100).unwrap();
    let of_erased: Vec<_> = listed.iter().filter(|d| d.case_id == erased.id.0).collect();
    assert_eq!(of_erased.len(), 2);
    assert!(
        of_erased
            .iter()
            .all(|d| d.state() == "cancelled" && d.masked_phone.is_none()),
        "{of_erased:?}"
    );
    // The erased case's later steps queue nothing: its phone is gone.
    play_to_close(&scope, erased, at);
    assert_eq!(scope.due_sms(at, 100).unwrap().len(), 2);

    scope
        .save_sms_settings(&settings(false, &SmsStep::ALL), at)
        .unwrap();
    assert!(scope.due_sms(at, 100).unwrap().is_empty());
    assert!(
        scope
            .sms_deliveries(None, 100)
            .unwrap()
            .iter()
            .all(|d| d.state() == "cancelled")
    );
}

#[test]
fn the_secret_is_never_exported() {
    let db = fresh_db();
    let t = texting(&db, Some(&SmsStep::ALL));
    let export = export_tenant(&db, &t, at()).unwrap().to_string();
    assert!(export.contains("金山街道"));
    assert!(!export.contains("testSecret"));
}

#[test]
fn webhooks_never_carry_the_reporters_number() {
    let db = fresh_db();
    let t = texting(&db, Some(&SmsStep::ALL));
    let scope = TenantScope::new(&db, &t);
    scope
        .create_webhook("https://ops.example.cn/", "s", Reach::PublicOnly, at())
        .unwrap();
    report_with_phone(&scope, 1, Some("13911112222"), at());
    let payloads = scope.due_deliveries(at(), 100).unwrap();
    assert_eq!(payloads.len(), 4, "report, accept, register, dispatch");
    assert!(payloads.iter().all(|d| !d.payload.contains("13911112222")));
    assert_eq!(scope.due_sms(at(), 100).unwrap().len(), 2);
}
