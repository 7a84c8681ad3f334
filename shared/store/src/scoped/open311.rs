//! What the Open311 GeoReport v2 endpoint needs of a tenant's data: its API keys (kept
//! as SHA-256 only), cases as a 311 client sees them (with the 0004 intake columns:
//! address and the category's extra fields), the public history as "updates", and
//! notes a 311 system adds to a case.
//!
//! The reporter's contact columns are written here and never read back: nothing in
//! this module returns them, so the Open311 edge cannot leak them.

use super::TenantScope;
use crate::db::{Database, Row, StoreError, Value, in_transaction};
use crate::error::{Error, unique_to_conflict};
use crate::time::{get_time, to_text};
use crate::{decoded, non_blank};
use chrono::{DateTime, Utc};
use domain::{CaseId, CaseSource, CaseState, GridNodeId, Location, TrackingCode};
use sha2::{Digest, Sha256};

/// The most rows one Open311 listing returns (GeoReport v2: "1000 requests").
pub const OPEN311_MAX_RESULTS: u32 = 1000;

/// The `action` of a note added through Open311 `servicerequestupdates`.
pub const OPEN311_NOTE_ACTION: &str = "open311_update";

/// The SHA-256 of an API key, lower-case hex: what `api_keys.key_hash` holds.
pub fn hash_api_key(key: &str) -> String {
    Sha256::digest(key.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// An issued key, without the key (only its hash is stored).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiKey {
    pub id: i64,
    pub name: String,
    pub created_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
}

/// What a presented key turned out to be.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ApiKeyCheck {
    Valid(ApiKey),
    Revoked,
    Unknown,
}

/// A case as Open311 shows it: no reporter, no contact details.
#[derive(Debug, Clone, PartialEq)]
pub struct Open311Case {
    pub id: CaseId,
    pub tracking_code: TrackingCode,
    pub category: String,
    pub description: String,
    pub location: Option<Location>,
    pub address: Option<String>,
    /// The category's extra fields as given (a JSON object), plus `open311.media_url`.
    pub extra: serde_json::Map<String, serde_json::Value>,
    pub state: CaseState,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A report arriving through Open311 `POST requests`.
#[derive(Debug, Clone, PartialEq)]
pub struct NewOpen311Case {
    pub tracking_code: TrackingCode,
    pub category: String,
    pub description: String,
    pub grid_node: Option<GridNodeId>,
    pub location: Option<Location>,
    pub address: Option<String>,
    pub extra: serde_json::Map<String, serde_json::Value>,
    pub reporter_name: Option<String>,
    pub reporter_phone: Option<String>,
    pub reporter_email: Option<String>,
}

/// Which cases `GET requests` wants. Empty lists mean "any".
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Open311Filter {
    pub tracking_codes: Vec<TrackingCode>,
    pub categories: Vec<String>,
    pub states: Vec<CaseState>,
    /// On the case's creation time (`requested_datetime`), inclusive.
    pub start: Option<DateTime<Utc>>,
    pub end: Option<DateTime<Utc>>,
    /// Clamped to 1..=[`OPEN311_MAX_RESULTS`].
    pub limit: u32,
}

/// One public step of a case's history, as an Open311 "update".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseUpdate {
    pub event_id: i64,
    pub tracking_code: TrackingCode,
    pub at: DateTime<Utc>,
    pub action: String,
    pub state: CaseState,
    pub note: Option<String>,
}

const COLUMNS: &str = "id, tracking_code, category, description, latitude, longitude, address, \
     extra, state, created_at, updated_at";

fn case_from_row(row: &Row<'_>) -> Result<Open311Case, StoreError> {
    let location = match (row.get_opt_f64("latitude")?, row.get_opt_f64("longitude")?) {
        (Some(lat), Some(lon)) => Some(decoded("latitude", Location::new(lat, lon))?),
        _ => None,
    };
    let extra = match serde_json::from_str(row.get_str("extra")?) {
        Ok(serde_json::Value::Object(map)) => map,
        _ => {
            return Err(StoreError::Decode {
                column: "extra".into(),
                expected: "a JSON object",
            });
        }
    };
    Ok(Open311Case {
        id: CaseId(row.get_i64("id")?),
        tracking_code: decoded(
            "tracking_code",
            TrackingCode::parse(row.get_str("tracking_code")?),
        )?,
        category: row.get_string("category")?,
        description: row.get_string("description")?,
        location,
        address: row.get_opt_string("address")?,
        extra,
        state: decoded("state", CaseState::parse(row.get_str("state")?))?,
        created_at: get_time(row, "created_at")?,
        updated_at: get_time(row, "updated_at")?,
    })
}

fn api_key_from_row(row: &Row<'_>) -> Result<ApiKey, StoreError> {
    Ok(ApiKey {
        id: row.get_i64("id")?,
        name: row.get_string("name")?,
        created_at: get_time(row, "created_at")?,
        revoked_at: match row.get_opt_str("revoked_at")? {
            None => None,
            Some(_) => Some(get_time(row, "revoked_at")?),
        },
    })
}

/// `?, ?, ?` for `n` parameters.
fn placeholders(n: usize) -> String {
    vec!["?"; n].join(", ")
}

impl<D: Database + ?Sized> TenantScope<'_, D> {
    /// Stores a new key by its hash. The same key twice is a conflict.
    pub fn issue_api_key(
        &self,
        name: &str,
        key: &str,
        now: DateTime<Utc>,
    ) -> Result<ApiKey, Error> {
        non_blank("name", name, 100)?;
        let rows = self
            .db
            .execute(
                "INSERT INTO api_keys (tenant_id, name, key_hash, created_at) VALUES (?, ?, ?, ?) \
                 RETURNING id, name, created_at, revoked_at",
                &[
                    self.tenant.0.into(),
                    name.trim().into(),
                    hash_api_key(key).into(),
                    to_text(now).into(),
                ],
            )
            .map_err(|e| unique_to_conflict(e, || "this key is already issued".to_owned()))?;
        Ok(api_key_from_row(&rows.returned()?)?)
    }

    pub fn list_api_keys(&self) -> Result<Vec<ApiKey>, Error> {
        let rows = self.db.execute(
            "SELECT id, name, created_at, revoked_at FROM api_keys WHERE tenant_id = ? ORDER BY id",
            &[self.tenant.0.into()],
        )?;
        Ok(rows
            .iter()
            .map(|r| api_key_from_row(&r))
            .collect::<Result<_, _>>()?)
    }

    /// Revokes key `id` (idempotent: a revoked key keeps its first revocation time).
    pub fn revoke_api_key(&self, id: i64, now: DateTime<Utc>) -> Result<ApiKey, Error> {
        let rows = self.db.execute(
            "UPDATE api_keys SET revoked_at = COALESCE(revoked_at, ?) \
             WHERE tenant_id = ? AND id = ? RETURNING id, name, created_at, revoked_at",
            &[to_text(now).into(), self.tenant.0.into(), id.into()],
        )?;
        match rows.first() {
            Some(row) => Ok(api_key_from_row(&row)?),
            None => Err(Error::NotFound("no such API key".into())),
        }
    }

    /// Whether `key` is one of this tenant's keys, and still valid.
    pub fn check_api_key(&self, key: &str) -> Result<ApiKeyCheck, Error> {
        let rows = self.db.execute(
            "SELECT id, name, created_at, revoked_at FROM api_keys \
             WHERE tenant_id = ? AND key_hash = ?",
            &[self.tenant.0.into(), hash_api_key(key).into()],
        )?;
        Ok(match rows.first() {
            None => ApiKeyCheck::Unknown,
            Some(row) => {
                let key = api_key_from_row(&row)?;
                if key.revoked_at.is_some() {
                    ApiKeyCheck::Revoked
                } else {
                    ApiKeyCheck::Valid(key)
                }
            }
        })
    }

    /// Records a resident's case from Open311, in state `Reported`, with its intake
    /// event, its address, extra fields and the reporter's private contact details.
    pub fn insert_open311_case(
        &self,
        new: NewOpen311Case,
        now: DateTime<Utc>,
    ) -> Result<Open311Case, Error> {
        non_blank("service_code", &new.category, 64)?;
        non_blank("description", &new.description, 4000)?;
        let extra = serde_json::Value::Object(new.extra.clone()).to_string();
        in_transaction(self.db, |db| {
            let at = to_text(now);
            let rows = db
                .execute(
                    &format!(
                        "INSERT INTO cases (tenant_id, tracking_code, category, description, \
                         grid_node_id, latitude, longitude, state, version, source, \
                         created_at, updated_at, address, extra, reporter_name, reporter_phone, \
                         reporter_email) \
                         VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?, ?, ?, ?, ?, ?) \
                         RETURNING {COLUMNS}"
                    ),
                    &[
                        self.tenant.0.into(),
                        new.tracking_code.as_str().into(),
                        new.category.trim().into(),
                        new.description.trim().into(),
                        new.grid_node.map(|g| g.0).into(),
                        new.location.map(|l| l.latitude()).into(),
                        new.location.map(|l| l.longitude()).into(),
                        CaseState::Reported.as_str().into(),
                        CaseSource::Resident.as_str().into(),
                        at.clone().into(),
                        at.clone().into(),
                        new.address.as_deref().map(str::trim).into(),
                        extra.into(),
                        new.reporter_name.into(),
                        new.reporter_phone.into(),
                        new.reporter_email.into(),
                    ],
                )
                .map_err(|e| {
                    unique_to_conflict(e, || {
                        format!("tracking code {} is already in use", new.tracking_code)
                    })
                })?;
            let case = case_from_row(&rows.returned()?)?;
            self.insert_event(
                case.id,
                &at,
                CaseSource::Resident.as_str(),
                super::REPORT_ACTION,
                None,
                case.state,
                None,
            )?;
            Ok(case)
        })
    }

    pub fn open311_case(&self, code: &TrackingCode) -> Result<Option<Open311Case>, Error> {
        let rows = self.db.execute(
            &format!("SELECT {COLUMNS} FROM cases WHERE tenant_id = ? AND tracking_code = ?"),
            &[self.tenant.0.into(), code.as_str().into()],
        )?;
        Ok(rows.first().map(|r| case_from_row(&r)).transpose()?)
    }

    /// Cases matching `filter`, newest first.
    pub fn open311_cases(&self, filter: &Open311Filter) -> Result<Vec<Open311Case>, Error> {
        let mut sql = format!("SELECT {COLUMNS} FROM cases WHERE tenant_id = ?");
        let mut params: Vec<Value> = vec![self.tenant.0.into()];
        if !filter.tracking_codes.is_empty() {
            sql.push_str(&format!(
                " AND tracking_code IN ({})",
                placeholders(filter.tracking_codes.len())
            ));
            params.extend(filter.tracking_codes.iter().map(|c| c.as_str().into()));
        }
        if !filter.categories.is_empty() {
            sql.push_str(&format!(
                " AND category IN ({})",
                placeholders(filter.categories.len())
            ));
            params.extend(filter.categories.iter().map(|c| c.as_str().into()));
        }
        if !filter.states.is_empty() {
            sql.push_str(&format!(
                " AND state IN ({})",
                placeholders(filter.states.len())
            ));
            params.extend(filter.states.iter().map(|s| s.as_str().into()));
        }
        if let Some(start) = filter.start {
            sql.push_str(" AND created_at >= ?");
            params.push(to_text(start).into());
        }
        if let Some(end) = filter.end {
            sql.push_str(" AND created_at <= ?");
            params.push(to_text(end).into());
        }
        sql.push_str(" ORDER BY created_at DESC, id DESC LIMIT ?");
        params.push(filter.limit.clamp(1, OPEN311_MAX_RESULTS).into());
        let rows = self.db.execute(&sql, &params)?;
        Ok(rows
            .iter()
            .map(|r| case_from_row(&r))
            .collect::<Result<_, _>>()?)
    }

    /// Public history steps of every case between `start` and `end` (inclusive), oldest
    /// first, at most `limit` (clamped to 1..=[`OPEN311_MAX_RESULTS`]).
    pub fn case_updates_between(
        &self,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<CaseUpdate>, Error> {
        let rows = self.db.execute(
            "SELECT e.id, c.tracking_code, e.at, e.action, e.to_state, e.note \
             FROM case_events e JOIN cases c ON c.id = e.case_id AND c.tenant_id = e.tenant_id \
             WHERE e.tenant_id = ? AND e.public = 1 AND e.at >= ? AND e.at <= ? \
             ORDER BY e.at, e.id LIMIT ?",
            &[
                self.tenant.0.into(),
                to_text(start).into(),
                to_text(end).into(),
                limit.clamp(1, OPEN311_MAX_RESULTS).into(),
            ],
        )?;
        rows.iter()
            .map(|row| {
                Ok(CaseUpdate {
                    event_id: row.get_i64("id")?,
                    tracking_code: decoded(
                        "tracking_code",
                        TrackingCode::parse(row.get_str("tracking_code")?),
                    )?,
                    at: get_time(&row, "at")?,
                    action: row.get_string("action")?,
                    state: decoded("to_state", CaseState::parse(row.get_str("to_state")?))?,
                    note: row.get_opt_string("note")?,
                })
            })
            .collect::<Result<_, StoreError>>()
            .map_err(Error::from)
    }

    /// Adds a public note to a case without changing its state, as `actor`. A note with
    /// the same actor (which carries the 311 system's own update id) on the same case is
    /// not added twice: its id is returned again, so a client may safely retry.
    pub fn add_open311_note(
        &self,
        code: &TrackingCode,
        actor: &str,
        note: &str,
        now: DateTime<Utc>,
    ) -> Result<i64, Error> {
        non_blank("description", note, 4000)?;
        non_blank("update_id", actor, 100)?;
        in_transaction(self.db, |db| {
            let case = self
                .open311_case(code)?
                .ok_or_else(|| Error::NotFound("no such service request".into()))?;
            let existing = db.execute(
                "SELECT id FROM case_events WHERE tenant_id = ? AND case_id = ? AND actor = ? \
                 AND action = ?",
                &[
                    self.tenant.0.into(),
                    case.id.0.into(),
                    actor.into(),
                    OPEN311_NOTE_ACTION.into(),
                ],
            )?;
            if let Some(row) = existing.first() {
                return Ok(row.get_i64("id")?);
            }
            let at = to_text(now);
            let id = self.insert_event(
                case.id,
                &at,
                actor,
                OPEN311_NOTE_ACTION,
                Some(case.state),
                case.state,
                Some(note.trim()),
            )?;
            db.execute(
                "UPDATE cases SET updated_at = ? WHERE tenant_id = ? AND id = ?",
                &[at.into(), self.tenant.0.into(), case.id.0.into()],
            )?;
            Ok(id)
        })
    }

    /// Appends a public event; returns its id.
    #[allow(clippy::too_many_arguments)]
    fn insert_event(
        &self,
        case_id: CaseId,
        at: &str,
        actor: &str,
        action: &str,
        from: Option<CaseState>,
        to: CaseState,
        note: Option<&str>,
    ) -> Result<i64, StoreError> {
        let rows = self.db.execute(
            "INSERT INTO case_events \
             (tenant_id, case_id, at, actor, action, from_state, to_state, note, public) \
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1) RETURNING id",
            &[
                self.tenant.0.into(),
                case_id.0.into(),
                at.into(),
                actor.into(),
                action.into(),
                from.map(CaseState::as_str).into(),
                to.as_str().into(),
                note.into(),
            ],
        )?;
        rows.returned()?.get_i64("id")
    }
}
