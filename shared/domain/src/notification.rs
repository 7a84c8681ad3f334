//! Webhook notifications: every case event is posted to the tenant's webhook
//! URLs as a CloudEvents 1.0 JSON document (structured mode), signed the way
//! the Standard Webhooks specification describes, and retried with backoff.
//!
//! Delivery is at least once: a receiver deduplicates by the event `id`
//! (also sent as the `webhook-id` header).

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use chrono::{DateTime, Duration, Utc};
use hmac::{Hmac, Mac};
use serde_json::{Value, json};
use sha2::Sha256;

/// The media type of a structured-mode CloudEvent over HTTP.
pub const CONTENT_TYPE: &str = "application/cloudevents+json";

/// Active webhooks a tenant may have at once.
pub const MAX_WEBHOOKS: usize = 5;

/// Delays before each retry; after the last, the delivery is abandoned (and
/// stays listed with its last error for the tenant admin to see).
const BACKOFF_MINUTES: [i64; 8] = [1, 5, 15, 60, 180, 360, 720, 1440];

/// When to try again after `attempts` failed attempts, or `None` to give up.
pub fn next_attempt(attempts: u32, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
    let index = usize::try_from(attempts).ok()?.checked_sub(1)?;
    BACKOFF_MINUTES
        .get(index)
        .map(|minutes| now + Duration::minutes(*minutes))
}

/// Attempts made before a delivery is abandoned.
pub const MAX_ATTEMPTS: u32 = BACKOFF_MINUTES.len() as u32 + 1;

/// Why a delivery got no answer, as the delivery log tells a tenant admin.
/// Only the kind is kept, never the network's own words: what a host's
/// error says (addresses, banners, resolver messages) is not the tenant's
/// to read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeliveryFailure {
    /// The URL is not one webhooks may reach (checked again before each
    /// delivery: `receiver::check_webhook_url`), or the deployment's
    /// outbound rules refused it.
    NotAllowed,
    /// No answer within the delivery's time limit.
    Timeout,
    /// The name did not resolve, or nothing accepted the connection.
    Unreachable,
    /// The connection opened but TLS or HTTP failed.
    Broken,
}

impl DeliveryFailure {
    pub fn describe(self) -> &'static str {
        match self {
            Self::NotAllowed => "not allowed: webhooks reach public hosts only",
            Self::Timeout => "timeout: no answer in time",
            Self::Unreachable => "unreachable: no such host, or the connection was refused",
            Self::Broken => "failed: the connection broke (TLS or HTTP error)",
        }
    }
}

/// What happened to a case, as the tenant's systems receive it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseEventNotice<'a> {
    pub tenant: &'a str,
    /// The event's id in the case history: unique within the tenant.
    pub event_id: i64,
    pub case_id: i64,
    pub tracking_code: &'a str,
    pub action: &'a str,
    pub from_state: Option<&'a str>,
    pub to_state: &'a str,
    pub actor: &'a str,
    pub note: Option<&'a str>,
    pub public: bool,
    pub at: DateTime<Utc>,
}

impl CaseEventNotice<'_> {
    /// The CloudEvent id: unique per tenant and event, stable across retries.
    pub fn id(&self) -> String {
        format!("{}-{}", self.tenant, self.event_id)
    }

    /// The CloudEvents 1.0 document (structured mode).
    pub fn cloud_event(&self) -> Value {
        json!({
            "specversion": "1.0",
            "id": self.id(),
            "source": format!("/api/t/{}/cases/{}", self.tenant, self.case_id),
            "type": format!("cn.gridgov.case.{}", self.action),
            "subject": self.tracking_code,
            "time": self.at.to_rfc3339(),
            "datacontenttype": "application/json",
            "data": {
                "case_id": self.case_id,
                "tracking_code": self.tracking_code,
                "action": self.action,
                "from_state": self.from_state,
                "to_state": self.to_state,
                "actor": self.actor,
                "note": self.note,
                "public": self.public,
            },
        })
    }
}

/// The `webhook-signature` header of the Standard Webhooks specification:
/// `v1,` and the base64 HMAC-SHA256, under the webhook's secret, of
/// `{id}.{unix seconds}.{body}`. The timestamp lets receivers refuse replays.
/// The key is the base64 after the secret's `whsec_` prefix, as the
/// specification's libraries read it.
pub fn signature(secret: &str, message_id: &str, timestamp: i64, body: &str) -> String {
    let encoded = secret.strip_prefix("whsec_").unwrap_or(secret);
    let key = BASE64
        .decode(encoded)
        .unwrap_or_else(|_| secret.as_bytes().to_vec());
    // HMAC takes a key of any length, so this cannot fail.
    let mut mac = Hmac::<Sha256>::new_from_slice(&key).expect("any key length");
    mac.update(format!("{message_id}.{timestamp}.{body}").as_bytes());
    format!("v1,{}", BASE64.encode(mac.finalize().into_bytes()))
}

/// A new webhook secret from 24 random bytes: `whsec_` and base64, as the
/// Standard Webhooks libraries expect it.
pub fn new_secret(random: [u8; 24]) -> String {
    format!("whsec_{}", BASE64.encode(random))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_then_give_up() {
        let now = DateTime::parse_from_rfc3339("2026-03-02T00:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        assert_eq!(
            next_attempt(0, now),
            None,
            "no attempt yet means nothing to retry"
        );
        assert_eq!(next_attempt(1, now), Some(now + Duration::minutes(1)));
        assert_eq!(next_attempt(2, now), Some(now + Duration::minutes(5)));
        assert_eq!(next_attempt(8, now), Some(now + Duration::hours(24)));
        assert_eq!(next_attempt(MAX_ATTEMPTS, now), None);
    }

    #[test]
    fn signature_matches_the_standard_webhooks_example() {
        // The test vector of the Standard Webhooks specification's libraries.
        let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
        let body = r#"{"test": 2432232314}"#;
        assert_eq!(
            signature(secret, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, body),
            "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
        );
    }

    #[test]
    fn cloud_event_shape() {
        let at = DateTime::parse_from_rfc3339("2026-03-02T01:02:03Z")
            .unwrap()
            .with_timezone(&Utc);
        let notice = CaseEventNotice {
            tenant: "demo",
            event_id: 7,
            case_id: 3,
            tracking_code: "ABCDE-FGHJK",
            action: "dispatch",
            from_state: Some("registered"),
            to_state: "dispatched",
            actor: "user:2",
            note: Some("urban"),
            public: true,
            at,
        };
        let event = notice.cloud_event();
        assert_eq!(event["specversion"], "1.0");
        assert_eq!(event["id"], "demo-7");
        assert_eq!(event["type"], "cn.gridgov.case.dispatch");
        assert_eq!(event["source"], "/api/t/demo/cases/3");
        assert_eq!(event["data"]["to_state"], "dispatched");
        assert_eq!(
            new_secret([0; 24]),
            "whsec_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
        );
    }
}
