//! A tenant's webhooks and their outbox. Each case event queues one delivery
//! per active webhook in the transaction that records the event, so an event
//! is never lost and never announced without having happened; the sweep
//! (an external scheduler's call) then posts what is due and records each
//! attempt. See `domain::notification` for the payload, signature and backoff.

use super::TenantScope;
use super::cases::{Case, NewEvent};
use super::outbox::{Attempt, Outbox, Verdict};
use crate::db::{Database, Row, StoreError};
use crate::error::Error;
use crate::time::{get_opt_time, get_time, to_text};
use chrono::{DateTime, Utc};
use domain::Problem;
use domain::notification::{CaseEventNotice, DeliveryFailure, MAX_WEBHOOKS};
use domain::receiver::{Reach, check_webhook_url};

/// A registered webhook, without its secret (shown once, at creation).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Webhook {
    pub id: i64,
    pub url: String,
    pub created_at: DateTime<Utc>,
    pub retired_at: Option<DateTime<Utc>>,
}

/// One event's delivery to one webhook, as the admin sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivery {
    pub id: i64,
    pub webhook_id: i64,
    /// The case event announced, or `None` for a warning's.
    pub event_id: Option<i64>,
    /// The early warning announced (`warning.raised`), or `None` for a case event's.
    pub warning_id: Option<i64>,
    pub attempts: u32,
    pub next_attempt_at: Option<DateTime<Utc>>,
    pub last_status: Option<u16>,
    pub last_error: Option<String>,
    pub delivered_at: Option<DateTime<Utc>>,
}

impl Delivery {
    /// Neither delivered nor due again: the retries are used up.
    pub fn abandoned(&self) -> bool {
        self.delivered_at.is_none() && self.next_attempt_at.is_none()
    }
}

/// A delivery that is due, with what the sender needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DueDelivery {
    pub id: i64,
    pub url: String,
    pub secret: String,
    pub payload: String,
    /// The CloudEvent id, also the `webhook-id` header.
    pub message_id: String,
}

/// How one attempt went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AttemptOutcome {
    /// The receiver answered with this status (2xx counts as delivered).
    Answered(u16),
    /// No answer: refused, unreachable, timed out, or not allowed outbound.
    Failed(DeliveryFailure),
}

const WEBHOOK_COLUMNS: &str = "id, url, created_at, retired_at";
const DELIVERY_COLUMNS: &str = "id, webhook_id, event_id, warning_id, attempts, next_attempt_at, \
     last_status, last_error, delivered_at";

fn webhook_from_row(row: &Row<'_>) -> Result<Webhook, StoreError> {
    Ok(Webhook {
        id: row.get_i64("id")?,
        url: row.get_string("url")?,
        created_at: get_time(row, "created_at")?,
        retired_at: get_opt_time(row, "retired_at")?,
    })
}

fn delivery_from_row(row: &Row<'_>) -> Result<Delivery, StoreError> {
    Ok(Delivery {
        id: row.get_i64("id")?,
        webhook_id: row.get_i64("webhook_id")?,
        event_id: row.get_opt_i64("event_id")?,
        warning_id: row.get_opt_i64("warning_id")?,
        attempts: u32::try_from(row.get_i64("attempts")?).unwrap_or(u32::MAX),
        next_attempt_at: get_opt_time(row, "next_attempt_at")?,
        last_status: row
            .get_opt_i64("last_status")?
            .and_then(|s| u16::try_from(s).ok()),
        last_error: row.get_opt_string("last_error")?,
        delivered_at: get_opt_time(row, "delivered_at")?,
    })
}

impl<D: Database + ?Sized> TenantScope<'_, D> {
    /// Registers a webhook; `secret` comes from `domain::notification::new_secret`,
    /// `reach` from the deployment (`edge::outbound::webhook_reach`).
    pub fn create_webhook(
        &self,
        url: &str,
        secret: &str,
        reach: Reach,
        now: DateTime<Utc>,
    ) -> Result<Webhook, Error> {
        let url = url.trim();
        check_webhook_url(url, reach)?;
        let active = self
            .webhooks()?
            .iter()
            .filter(|w| w.retired_at.is_none())
            .count();
        if active >= MAX_WEBHOOKS {
            return Err(Problem::conflict(format!(
                "a tenant has at most {MAX_WEBHOOKS} active webhooks; retire one first"
            ))
            .into());
        }
        let rows = self.db.execute(
            &format!(
                "INSERT INTO webhooks (tenant_id, url, secret, created_at) VALUES (?, ?, ?, ?) \
                 RETURNING {WEBHOOK_COLUMNS}"
            ),
            &[
                self.tenant.0.into(),
                url.into(),
                secret.into(),
                to_text(now).into(),
            ],
        )?;
        Ok(webhook_from_row(&rows.returned()?)?)
    }

    /// Every webhook, retired ones included, oldest first.
    pub fn webhooks(&self) -> Result<Vec<Webhook>, Error> {
        let rows = self.db.execute(
            &format!("SELECT {WEBHOOK_COLUMNS} FROM webhooks WHERE tenant_id = ? ORDER BY id"),
            &[self.tenant.0.into()],
        )?;
        Ok(rows
            .iter()
            .map(|r| webhook_from_row(&r))
            .collect::<Result<_, _>>()?)
    }

    /// Stops posting to a webhook; its pending deliveries are abandoned, its
    /// history stays.
    pub fn retire_webhook(&self, id: i64, now: DateTime<Utc>) -> Result<Webhook, Error> {
        let rows = self.db.execute(
            &format!(
                "UPDATE webhooks SET retired_at = COALESCE(retired_at, ?) \
                 WHERE tenant_id = ? AND id = ? RETURNING {WEBHOOK_COLUMNS}"
            ),
            &[to_text(now).into(), self.tenant.0.into(), id.into()],
        )?;
        let webhook = rows
            .first()
            .map(|r| webhook_from_row(&r))
            .transpose()?
            .ok_or_else(|| Error::NotFound("no such webhook".into()))?;
        self.db.execute(
            "UPDATE webhook_deliveries SET next_attempt_at = NULL \
             WHERE tenant_id = ? AND webhook_id = ? AND delivered_at IS NULL",
            &[self.tenant.0.into(), id.into()],
        )?;
        Ok(webhook)
    }

    /// A webhook's deliveries, newest first, before the id `before`.
    pub fn webhook_deliveries(
        &self,
        webhook: i64,
        before: Option<i64>,
        limit: u32,
    ) -> Result<Vec<Delivery>, Error> {
        let rows = self.db.execute(
            &format!(
                "SELECT {DELIVERY_COLUMNS} FROM webhook_deliveries \
                 WHERE tenant_id = ? AND webhook_id = ? AND id < ? ORDER BY id DESC LIMIT ?"
            ),
            &[
                self.tenant.0.into(),
                webhook.into(),
                before.unwrap_or(i64::MAX).into(),
                limit.clamp(1, super::MAX_PAGE).into(),
            ],
        )?;
        Ok(rows
            .iter()
            .map(|r| delivery_from_row(&r))
            .collect::<Result<_, _>>()?)
    }

    /// Queues each of `events` (with the id its history row got) for every
    /// active webhook, in one statement whatever the number of webhooks or
    /// events: the webhooks are joined in SQL, not read first.
    pub(crate) fn queue_notifications(
        &self,
        case: &Case,
        events: &[(i64, &NewEvent<'_>)],
    ) -> Result<(), Error> {
        if events.is_empty() {
            return Ok(());
        }
        let mut params: Vec<crate::Value> = Vec::with_capacity(events.len() * 3 + 1);
        for (event_id, event) in events {
            let notice = CaseEventNotice {
                tenant: self.code.as_str(),
                event_id: *event_id,
                case_id: case.id.0,
                tracking_code: case.tracking_code.as_str(),
                action: event.action,
                from_state: event.from.map(|s| s.as_str()),
                to_state: event.to.as_str(),
                actor: event.actor,
                note: event.note,
                public: event.public,
                at: event.at,
            };
            params.extend([
                (*event_id).into(),
                notice.cloud_event().to_string().into(),
                to_text(event.at).into(),
            ]);
        }
        params.push(self.tenant.0.into());
        self.db.execute(
            &format!(
                "WITH events (event_id, payload, at) AS (VALUES {}) \
                 INSERT INTO webhook_deliveries \
                 (tenant_id, webhook_id, event_id, payload, next_attempt_at, created_at) \
                 SELECT w.tenant_id, w.id, e.event_id, e.payload, e.at, e.at \
                 FROM webhooks w, events e WHERE w.tenant_id = ? AND w.retired_at IS NULL \
                 ORDER BY e.event_id, w.id",
                vec!["(?, ?, ?)"; events.len()].join(", ")
            ),
            &params,
        )?;
        Ok(())
    }

    /// Deliveries whose time has come, oldest first.
    pub fn due_deliveries(
        &self,
        now: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<DueDelivery>, Error> {
        let rows = self.db.execute(
            "SELECT d.id, d.event_id, d.warning_id, d.payload, w.url, w.secret \
             FROM webhook_deliveries d JOIN webhooks w ON w.id = d.webhook_id \
             WHERE d.tenant_id = ? AND d.next_attempt_at IS NOT NULL AND d.next_attempt_at <= ? \
             AND w.retired_at IS NULL ORDER BY d.next_attempt_at, d.id LIMIT ?",
            &[self.tenant.0.into(), to_text(now).into(), limit.into()],
        )?;
        let tenant = self.code.as_str();
        Ok(rows
            .iter()
            .map(|r| -> Result<DueDelivery, StoreError> {
                Ok(DueDelivery {
                    id: r.get_i64("id")?,
                    url: r.get_string("url")?,
                    secret: r.get_string("secret")?,
                    payload: r.get_string("payload")?,
                    message_id: match r.get_opt_i64("event_id")? {
                        Some(event) => format!("{tenant}-{event}"),
                        None => domain::warning::message_id(tenant, r.get_i64("warning_id")?),
                    },
                })
            })
            .collect::<Result<_, _>>()?)
    }

    /// Records an attempt: delivered on a 2xx answer, otherwise due again
    /// after the backoff, or abandoned after the last attempt.
    pub fn record_attempt(
        &self,
        delivery: i64,
        outcome: &AttemptOutcome,
        now: DateTime<Utc>,
    ) -> Result<Delivery, Error> {
        let attempt = match outcome {
            AttemptOutcome::Answered(status) if (200..300).contains(status) => Attempt {
                verdict: Verdict::Delivered,
                status: Some(*status),
                error: None,
            },
            AttemptOutcome::Answered(status) => Attempt {
                verdict: Verdict::Retry,
                status: Some(*status),
                error: Some(format!("the receiver answered {status}")),
            },
            AttemptOutcome::Failed(why) => Attempt {
                verdict: Verdict::Retry,
                status: None,
                error: Some(why.describe().to_string()),
            },
        };
        let rows = self.record_outbox_attempt(
            Outbox::Webhooks,
            delivery,
            &attempt,
            None,
            DELIVERY_COLUMNS,
            now,
        )?;
        Ok(delivery_from_row(&rows.returned()?)?)
    }
}
