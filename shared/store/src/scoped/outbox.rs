//! What the webhook and SMS outboxes share: each row is one message, due
//! at `next_attempt_at`; an attempt is recorded with its status and error,
//! and the next one scheduled with `domain::notification`'s backoff, or the
//! row is settled (delivered, or abandoned when the retries are used up or
//! the answer says no retry can succeed).

use super::TenantScope;
use crate::db::{Database, Rows};
use crate::error::Error;
use crate::time::to_text;
use chrono::{DateTime, Utc};
use domain::notification::{MAX_ATTEMPTS, next_attempt};

/// An outbox table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Outbox {
    Webhooks,
    Sms,
}

impl Outbox {
    fn table(self) -> &'static str {
        match self {
            Self::Webhooks => "webhook_deliveries",
            Self::Sms => "sms_deliveries",
        }
    }
}

/// What an attempt's answer means for the message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Verdict {
    Delivered,
    /// Due again after the backoff (or abandoned after the last attempt).
    Retry,
    /// Abandoned now: no retry can succeed.
    GiveUp,
}

/// One attempt, as recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Attempt {
    pub verdict: Verdict,
    pub status: Option<u16>,
    pub error: Option<String>,
}

impl<D: Database + ?Sized> TenantScope<'_, D> {
    /// Records an attempt at the row `id` of `outbox` and returns the row's
    /// `columns` after it; `set` names one more column to write with it.
    pub(crate) fn record_outbox_attempt(
        &self,
        outbox: Outbox,
        id: i64,
        attempt: &Attempt,
        set: Option<(&str, crate::Value)>,
        columns: &str,
        now: DateTime<Utc>,
    ) -> Result<Rows, Error> {
        let table = outbox.table();
        let rows = self.db.execute(
            &format!("SELECT attempts FROM {table} WHERE tenant_id = ? AND id = ?"),
            &[self.tenant.0.into(), id.into()],
        )?;
        let attempts = rows
            .first()
            .map(|r| r.get_i64("attempts"))
            .transpose()?
            .ok_or_else(|| Error::NotFound("no such delivery".into()))?;
        let attempts = u32::try_from(attempts).unwrap_or(MAX_ATTEMPTS) + 1;
        let delivered = attempt.verdict == Verdict::Delivered;
        let next = match attempt.verdict {
            Verdict::Retry => next_attempt(attempts, now).map(to_text),
            Verdict::Delivered | Verdict::GiveUp => None,
        };
        let (extra, mut params): (String, Vec<crate::Value>) = match set {
            Some((column, value)) => (format!(", {column} = ?"), vec![value]),
            None => (String::new(), Vec::new()),
        };
        let mut all: Vec<crate::Value> = vec![
            i64::from(attempts).into(),
            attempt.status.map(i64::from).into(),
            attempt.error.clone().into(),
            next.into(),
            delivered.then(|| to_text(now)).into(),
        ];
        all.append(&mut params);
        all.extend([self.tenant.0.into(), id.into()]);
        Ok(self.db.execute(
            &format!(
                "UPDATE {table} SET attempts = ?, last_status = ?, last_error = ?, \
                 next_attempt_at = ?, delivered_at = ?{extra} WHERE tenant_id = ? AND id = ? \
                 RETURNING {columns}"
            ),
            &all,
        )?)
    }
}
