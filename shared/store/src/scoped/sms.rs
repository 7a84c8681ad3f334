//! A tenant's SMS settings and its SMS outbox. Each case event that a
//! resident hears about (`domain::sms::SmsStep::for_event`) queues one row
//! per message in the transaction that records the event, when the case
//! has the reporter's phone and the tenant's SMS is on with a template for
//! that step; the sweep sends what is due and records each attempt with
//! the webhooks' backoff (`outbox`). The phone is read from the case at
//! send time, never copied: erasing the contact cancels what is pending.

use super::TenantScope;
use super::cases::{Case, NewEvent};
use super::outbox::{Attempt, Outbox, Verdict};
use crate::db::{Database, Row, StoreError};
use crate::error::Error;
use crate::time::{get_opt_time, get_time, to_text};
use chrono::{DateTime, Utc};
use domain::CaseId;
use domain::sms::{Answer, Provider, SmsSettings, SmsStep, masked_number};

/// One message of the outbox, as a tenant admin sees it: the number
/// masked (`None` once the resident erased it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SmsDelivery {
    pub id: i64,
    pub case_id: i64,
    pub tracking_code: String,
    pub step: SmsStep,
    pub masked_phone: Option<String>,
    pub attempts: u32,
    pub next_attempt_at: Option<DateTime<Utc>>,
    pub last_status: Option<u16>,
    pub last_error: Option<String>,
    pub provider_id: Option<String>,
    pub delivered_at: Option<DateTime<Utc>>,
    pub cancelled_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

impl SmsDelivery {
    /// `pending`, `delivered`, `cancelled` (the contact was erased, or SMS
    /// turned off, before it was sent) or `abandoned` (retries used up, or
    /// refused for good).
    pub fn state(&self) -> &'static str {
        match (self.delivered_at, self.cancelled_at, self.next_attempt_at) {
            (Some(_), _, _) => "delivered",
            (None, Some(_), _) => "cancelled",
            (None, None, Some(_)) => "pending",
            (None, None, None) => "abandoned",
        }
    }
}

/// A message whose time has come, with what the sender needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DueSms {
    pub id: i64,
    pub step: SmsStep,
    /// Personal data: for the provider's request only.
    pub phone: String,
    pub tracking_code: String,
    pub template_code: String,
}

const SETTINGS_COLUMNS: &str = "provider, endpoint, access_key_id, access_key_secret, sign_name, \
     template_accepted, template_dispatched, template_resolved, template_closed, \
     template_rate_invitation, enabled";

const DELIVERY_COLUMNS: &str = "d.id, d.case_id, c.tracking_code, c.reporter_phone, d.step, \
     d.attempts, d.next_attempt_at, d.last_status, d.last_error, d.provider_id, d.delivered_at, \
     d.cancelled_at, d.created_at";

/// The settings column of each step's template, in the order of `SmsStep::ALL`.
const TEMPLATE_COLUMNS: [&str; 5] = [
    "template_accepted",
    "template_dispatched",
    "template_resolved",
    "template_closed",
    "template_rate_invitation",
];

fn template_column(step: SmsStep) -> &'static str {
    TEMPLATE_COLUMNS[step as usize]
}

/// `CASE {step} WHEN 'accepted' THEN s.template_accepted … END`: the
/// template of a step, in SQL.
fn template_of(step_expr: &str) -> String {
    let arms: String = SmsStep::ALL
        .iter()
        .map(|s| format!(" WHEN '{}' THEN s.{}", s.as_str(), template_column(*s)))
        .collect();
    format!("CASE {step_expr}{arms} END")
}

fn settings_from_row(row: &Row<'_>) -> Result<SmsSettings, StoreError> {
    let provider = Provider::parse(row.get_str("provider")?).map_err(|_| StoreError::Decode {
        column: "provider".into(),
        expected: "an SMS provider",
    })?;
    let mut templates: [Option<String>; 5] = Default::default();
    for (slot, column) in templates.iter_mut().zip(TEMPLATE_COLUMNS) {
        *slot = Some(row.get_string(column)?).filter(|t| !t.is_empty());
    }
    Ok(SmsSettings::stored(
        provider,
        row.get_string("endpoint")?,
        row.get_string("access_key_id")?,
        row.get_string("access_key_secret")?,
        row.get_string("sign_name")?,
        templates,
        row.get_bool("enabled")?,
    ))
}

fn step_from(text: &str) -> Result<SmsStep, StoreError> {
    SmsStep::parse(text).map_err(|_| StoreError::Decode {
        column: "step".into(),
        expected: "an SMS step",
    })
}

fn delivery_from_row(row: &Row<'_>) -> Result<SmsDelivery, StoreError> {
    Ok(SmsDelivery {
        id: row.get_i64("id")?,
        case_id: row.get_i64("case_id")?,
        tracking_code: row.get_string("tracking_code")?,
        step: step_from(row.get_str("step")?)?,
        masked_phone: row.get_opt_str("reporter_phone")?.map(masked_number),
        attempts: u32::try_from(row.get_i64("attempts")?).unwrap_or(u32::MAX),
        next_attempt_at: get_opt_time(row, "next_attempt_at")?,
        last_status: row
            .get_opt_i64("last_status")?
            .and_then(|s| u16::try_from(s).ok()),
        last_error: row.get_opt_string("last_error")?,
        provider_id: row.get_opt_string("provider_id")?,
        delivered_at: get_opt_time(row, "delivered_at")?,
        cancelled_at: get_opt_time(row, "cancelled_at")?,
        created_at: get_time(row, "created_at")?,
    })
}

impl<D: Database + ?Sized> TenantScope<'_, D> {
    /// The tenant's SMS settings, if ever saved.
    pub fn sms_settings(&self) -> Result<Option<SmsSettings>, Error> {
        let rows = self.db.execute(
            &format!("SELECT {SETTINGS_COLUMNS} FROM sms_settings WHERE tenant_id = ?"),
            &[self.tenant.0.into()],
        )?;
        Ok(rows.first().map(|r| settings_from_row(&r)).transpose()?)
    }

    /// Saves the settings whole. Turned off (or lacking what a message
    /// needs), what is pending is cancelled: SMS turned on again later does
    /// not send old news.
    pub fn save_sms_settings(
        &self,
        settings: &SmsSettings,
        now: DateTime<Utc>,
    ) -> Result<(), Error> {
        let at = to_text(now);
        let mut params: Vec<crate::Value> = vec![
            self.tenant.0.into(),
            settings.provider().as_str().into(),
            settings.endpoint().into(),
            settings.access_key_id().into(),
            settings.access_key_secret().into(),
            settings.sign_name().into(),
        ];
        params.extend(
            SmsStep::ALL
                .iter()
                .map(|s| settings.template(*s).unwrap_or_default().into()),
        );
        params.extend([settings.enabled().into(), at.clone().into()]);
        let updates: String = SETTINGS_COLUMNS
            .split(", ")
            .map(|c| format!("{c} = excluded.{c}, "))
            .collect();
        self.db.execute(
            &format!(
                "INSERT INTO sms_settings (tenant_id, {SETTINGS_COLUMNS}, updated_at) \
                 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) \
                 ON CONFLICT (tenant_id) DO UPDATE SET {updates}updated_at = excluded.updated_at"
            ),
            &params,
        )?;
        if !settings.configured() {
            self.db.execute(
                "UPDATE sms_deliveries SET next_attempt_at = NULL, cancelled_at = ? \
                 WHERE tenant_id = ? AND next_attempt_at IS NOT NULL",
                &[at.into(), self.tenant.0.into()],
            )?;
        }
        Ok(())
    }

    /// Queues the messages `events` send (with the ids their history rows
    /// got), in one statement, only when the case has the reporter's phone
    /// and some event is one a resident hears about: the settings are
    /// joined in SQL (turned on, with a template for the step), not read
    /// first, so a tenant without SMS queues nothing.
    pub(crate) fn queue_sms(
        &self,
        case: &Case,
        events: &[(i64, &NewEvent<'_>)],
    ) -> Result<(), Error> {
        if case.contact.phone.is_none() {
            return Ok(());
        }
        let rating_open = case.reporter_secret_hash.is_some() && case.rating.is_none();
        let messages: Vec<(i64, SmsStep, DateTime<Utc>)> = events
            .iter()
            .flat_map(|(id, event)| {
                SmsStep::for_event(event.action, rating_open)
                    .iter()
                    .map(move |step| (*id, *step, event.at))
            })
            .collect();
        if messages.is_empty() {
            return Ok(());
        }
        let mut params: Vec<crate::Value> = Vec::with_capacity(messages.len() * 3 + 2);
        for (id, step, at) in &messages {
            params.extend([(*id).into(), step.as_str().into(), to_text(*at).into()]);
        }
        params.extend([case.id.0.into(), self.tenant.0.into()]);
        self.db.execute(
            &format!(
                "WITH messages (event_id, step, at) AS (VALUES {}) \
                 INSERT INTO sms_deliveries \
                 (tenant_id, case_id, event_id, step, next_attempt_at, created_at) \
                 SELECT s.tenant_id, ?, m.event_id, m.step, m.at, m.at \
                 FROM sms_settings s, messages m \
                 WHERE s.tenant_id = ? AND s.enabled = 1 AND {} <> '' \
                 ORDER BY m.event_id",
                vec!["(?, ?, ?)"; messages.len()].join(", "),
                template_of("m.step"),
            ),
            &params,
        )?;
        Ok(())
    }

    /// The resident erased their contact: what was not sent yet never is.
    pub(crate) fn cancel_sms_for_case(
        &self,
        case: CaseId,
        now: DateTime<Utc>,
    ) -> Result<(), Error> {
        self.db.execute(
            "UPDATE sms_deliveries SET next_attempt_at = NULL, cancelled_at = ? \
             WHERE tenant_id = ? AND case_id = ? AND next_attempt_at IS NOT NULL",
            &[to_text(now).into(), self.tenant.0.into(), case.0.into()],
        )?;
        Ok(())
    }

    /// Messages whose time has come, oldest first, while SMS is on; the
    /// phone and the template read now, so a message follows the settings
    /// of its attempt.
    pub fn due_sms(&self, now: DateTime<Utc>, limit: u32) -> Result<Vec<DueSms>, Error> {
        let rows = self.db.execute(
            &format!(
                "SELECT d.id, d.step, c.reporter_phone, c.tracking_code, {} AS template_code \
                 FROM sms_deliveries d JOIN cases c ON c.id = d.case_id AND c.tenant_id = d.tenant_id \
                 JOIN sms_settings s ON s.tenant_id = d.tenant_id \
                 WHERE d.tenant_id = ? AND d.next_attempt_at IS NOT NULL AND d.next_attempt_at <= ? \
                 AND s.enabled = 1 AND c.reporter_phone IS NOT NULL \
                 ORDER BY d.next_attempt_at, d.id LIMIT ?",
                template_of("d.step")
            ),
            &[self.tenant.0.into(), to_text(now).into(), limit.into()],
        )?;
        Ok(rows
            .iter()
            .map(|r| -> Result<DueSms, StoreError> {
                Ok(DueSms {
                    id: r.get_i64("id")?,
                    step: step_from(r.get_str("step")?)?,
                    phone: r.get_string("reporter_phone")?,
                    tracking_code: r.get_string("tracking_code")?,
                    template_code: r.get_string("template_code")?,
                })
            })
            .collect::<Result<_, _>>()?)
    }

    /// Records an attempt: delivered when the provider took the message,
    /// given up at once when it refused it for good, otherwise due again
    /// after the webhooks' backoff (abandoned after the last attempt).
    /// `answer` is `Err` with the kind of failure when no answer came.
    pub fn record_sms_attempt(
        &self,
        id: i64,
        status: Option<u16>,
        answer: &Result<Answer, domain::notification::DeliveryFailure>,
        now: DateTime<Utc>,
    ) -> Result<SmsDelivery, Error> {
        let (verdict, error, provider_id) = match answer {
            Ok(Answer::Sent { provider_id }) => (Verdict::Delivered, None, provider_id.clone()),
            Ok(Answer::Retry(code)) => (Verdict::Retry, Some(code.clone()), None),
            Ok(Answer::Refused(code)) => (Verdict::GiveUp, Some(code.clone()), None),
            Err(why) => (Verdict::Retry, Some(why.describe().to_string()), None),
        };
        let attempt = Attempt {
            verdict,
            status,
            error,
        };
        let rows = self.record_outbox_attempt(
            Outbox::Sms,
            id,
            &attempt,
            Some(("provider_id", provider_id.into())),
            "id",
            now,
        )?;
        rows.returned()?;
        self.sms_delivery(id)?
            .ok_or_else(|| Error::NotFound("no such SMS delivery".into()))
    }

    fn sms_delivery(&self, id: i64) -> Result<Option<SmsDelivery>, Error> {
        let rows = self.db.execute(
            &format!(
                "SELECT {DELIVERY_COLUMNS} FROM sms_deliveries d \
                 JOIN cases c ON c.id = d.case_id AND c.tenant_id = d.tenant_id \
                 WHERE d.tenant_id = ? AND d.id = ?"
            ),
            &[self.tenant.0.into(), id.into()],
        )?;
        Ok(rows.first().map(|r| delivery_from_row(&r)).transpose()?)
    }

    /// The tenant's SMS messages, newest first, before the id `before`.
    pub fn sms_deliveries(
        &self,
        before: Option<i64>,
        limit: u32,
    ) -> Result<Vec<SmsDelivery>, Error> {
        let rows = self.db.execute(
            &format!(
                "SELECT {DELIVERY_COLUMNS} FROM sms_deliveries d \
                 JOIN cases c ON c.id = d.case_id AND c.tenant_id = d.tenant_id \
                 WHERE d.tenant_id = ? AND d.id < ? ORDER BY d.id DESC LIMIT ?"
            ),
            &[
                self.tenant.0.into(),
                before.unwrap_or(i64::MAX).into(),
                limit.clamp(1, super::MAX_PAGE).into(),
            ],
        )?;
        Ok(rows
            .iter()
            .map(|r| delivery_from_row(&r))
            .collect::<Result<_, _>>()?)
    }
}
