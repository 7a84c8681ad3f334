//! What the Open311 GeoReport v2 endpoint needs of a tenant's data: its API keys (kept
//! as SHA-256 only), cases as a 311 client sees them (with the 0004 intake columns:
//! address and the category's extra fields), the public history as "updates", and
//! notes a 311 system adds to a case.
//!
//! The reporter's contact columns come back only to be masked where a public note
//! repeats them (`CaseUpdate::reporter`, for `domain::publication::Redactor`), as the
//! status page masks them; and only cases Open311 exchanges are read at all
//! (`domain::publication::exchanged_through_open311`).

use super::TenantScope;
use super::cases::{Case, Contact};
use crate::db::{Database, Row, StoreError, Value, in_transaction, placeholders};
use crate::decoded;
use crate::error::{Error, unique_to_conflict};
use crate::time::{get_time, to_text};
use chrono::{DateTime, Utc};
use domain::limits;
use domain::publication::open311_sources;
use domain::{CaseState, TrackingCode};

/// The most rows one Open311 listing returns (GeoReport v2: "1000 requests").
pub const OPEN311_MAX_RESULTS: u32 = 1000;

/// The `action` of a note added through Open311 `servicerequestupdates`.
pub const OPEN311_NOTE_ACTION: &str = "open311_update";

/// The SHA-256 of an API key, lower-case hex: what `api_keys.key_hash` holds.
pub fn hash_api_key(key: &str) -> String {
    domain::intake::sha256_hex(key.as_bytes())
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
    /// Matching cases to skip (newest first): the page's start.
    pub offset: u32,
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
    /// The reporter's details, to be masked wherever the note repeats them
    /// (`domain::publication::Redactor::for_case`): never published.
    pub reporter: Contact,
    pub address: Option<String>,
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

impl<D: Database + ?Sized> TenantScope<'_, D> {
    /// Stores a new key by its hash. The same key twice is a conflict.
    pub fn issue_api_key(
        &self,
        name: &str,
        key: &str,
        now: DateTime<Utc>,
    ) -> Result<ApiKey, Error> {
        limits::API_KEY_NAME.check(name)?;
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

    /// Cases matching `filter` that Open311 exchanges
    /// (`domain::publication::exchanged_through_open311`), newest first.
    pub fn open311_cases(&self, filter: &Open311Filter) -> Result<Vec<Case>, Error> {
        let sources = open311_sources();
        let mut sql = format!("source IN ({})", placeholders(sources.len()));
        let mut params: Vec<Value> = vec![self.tenant.0.into()];
        params.extend(sources.iter().map(|s| s.as_str().into()));
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
        sql.push_str(" ORDER BY created_at DESC, id DESC LIMIT ? OFFSET ?");
        params.push(filter.limit.clamp(1, OPEN311_MAX_RESULTS).into());
        params.push(filter.offset.into());
        self.cases_where(&sql, &params)
    }

    /// Public history steps of every case Open311 exchanges between `start`
    /// and `end` (inclusive), oldest first, at most `limit` (clamped to
    /// 1..=[`OPEN311_MAX_RESULTS`]), each with its reporter's details to mask.
    pub fn case_updates_between(
        &self,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<CaseUpdate>, Error> {
        let sources = open311_sources();
        let mut params: Vec<Value> = vec![
            self.tenant.0.into(),
            to_text(start).into(),
            to_text(end).into(),
        ];
        params.extend(sources.iter().map(|s| s.as_str().into()));
        params.push(limit.clamp(1, OPEN311_MAX_RESULTS).into());
        let rows = self.db.execute(
            &format!(
                "SELECT e.id, c.tracking_code, e.at, e.action, e.to_state, e.note, \
                 c.reporter_name, c.reporter_phone, c.reporter_email, c.address \
                 FROM case_events e JOIN cases c ON c.id = e.case_id AND c.tenant_id = e.tenant_id \
                 WHERE e.tenant_id = ? AND e.public = 1 AND e.at >= ? AND e.at <= ? \
                 AND c.source IN ({}) ORDER BY e.at, e.id LIMIT ?",
                placeholders(sources.len())
            ),
            &params,
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
                    reporter: Contact {
                        name: row.get_opt_string("reporter_name")?,
                        phone: row.get_opt_string("reporter_phone")?,
                        email: row.get_opt_string("reporter_email")?,
                    },
                    address: row.get_opt_string("address")?,
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
        limits::OPEN311_NOTE.check(note)?;
        limits::OPEN311_UPDATE_ID.check(actor)?;
        in_transaction(self.db, |db| {
            let case = self
                .case_by_tracking_code(code)?
                .filter(|case| domain::publication::exchanged_through_open311(case.source))
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
            self.add_note(case.id, actor, OPEN311_NOTE_ACTION, note, true, now)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{NativeDb, NewTenant, create_tenant, migrate};
    use chrono::TimeZone;
    use domain::{CaseAction, Tenant, TenantCode, TenantKind};

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0).single().unwrap()
    }

    fn db() -> NativeDb {
        let db = NativeDb::open_in_memory().unwrap();
        migrate(&db).unwrap();
        db
    }

    fn tenant(db: &NativeDb, code: &str) -> Tenant {
        let new = NewTenant {
            code: TenantCode::parse(code).unwrap(),
            name: format!("{code} 镇"),
            kind: TenantKind::Township,
            time_zone: "Asia/Shanghai".into(),
        };
        create_tenant(db, new, now()).unwrap()
    }

    fn new_case(code: u8, category: &str) -> crate::NewCase {
        crate::NewCase {
            location: Some(domain::Location::new(30.2741, 120.1551).unwrap()),
            address: Some("3号楼".into()),
            contact: crate::Contact {
                name: Some("李四".into()),
                phone: Some("13912345678".into()),
                email: None,
            },
            ..crate::NewCase::basic(
                TrackingCode::from_random([code; 8]),
                category,
                "路灯不亮",
                domain::CaseSource::Resident,
            )
        }
    }

    #[test]
    fn keys_are_kept_as_hashes_per_tenant_and_revoked_at_once() {
        assert_eq!(
            hash_api_key("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        let db = db();
        let (a, b) = (tenant(&db, "alpha"), tenant(&db, "beta"));
        let (alpha, beta) = (TenantScope::new(&db, &a), TenantScope::new(&db, &b));
        let key = alpha.issue_api_key("app", "secret-key", now()).unwrap();
        assert!(matches!(
            alpha.issue_api_key("again", "secret-key", now()),
            Err(Error::Conflict(_))
        ));
        assert!(
            matches!(alpha.check_api_key("secret-key").unwrap(), ApiKeyCheck::Valid(k) if k == key)
        );
        assert_eq!(
            beta.check_api_key("secret-key").unwrap(),
            ApiKeyCheck::Unknown
        );
        assert!(matches!(
            beta.revoke_api_key(key.id, now()),
            Err(Error::NotFound(_))
        ));
        alpha.revoke_api_key(key.id, now()).unwrap();
        assert_eq!(
            alpha.check_api_key("secret-key").unwrap(),
            ApiKeyCheck::Revoked
        );
    }

    #[test]
    fn cases_filters_updates_and_notes() {
        let db = db();
        let (a, b) = (tenant(&db, "alpha"), tenant(&db, "beta"));
        let (alpha, beta) = (TenantScope::new(&db, &a), TenantScope::new(&db, &b));
        let light = alpha
            .insert_case(new_case(1, "street_light"), now())
            .unwrap();
        let noise = alpha.insert_case(new_case(2, "noise"), now()).unwrap();
        beta.insert_case(new_case(3, "noise"), now()).unwrap();
        alpha
            .apply_action(noise.id, 1, &CaseAction::Accept, "user:1", now())
            .unwrap();

        let codes = |filter: Open311Filter| -> Vec<String> {
            let mut codes: Vec<_> = alpha
                .open311_cases(&Open311Filter {
                    limit: 10,
                    ..filter
                })
                .unwrap()
                .into_iter()
                .map(|c| c.tracking_code.to_string())
                .collect();
            codes.sort();
            codes
        };
        let (l, n) = (
            light.tracking_code.to_string(),
            noise.tracking_code.to_string(),
        );
        assert_eq!(codes(Open311Filter::default()), [l.clone(), n.clone()]);
        let by_category = Open311Filter {
            categories: vec!["noise".into()],
            ..Open311Filter::default()
        };
        assert_eq!(codes(by_category), std::slice::from_ref(&n));
        let closed = Open311Filter {
            states: vec![CaseState::Closed],
            ..Open311Filter::default()
        };
        assert!(codes(closed).is_empty());
        let later = Open311Filter {
            start: Some(now() + chrono::Duration::seconds(1)),
            ..Open311Filter::default()
        };
        assert!(codes(later).is_empty());

        let updates = alpha.case_updates_between(now(), now(), 100).unwrap();
        let states: Vec<_> = updates.iter().map(|u| u.state).collect();
        assert_eq!(
            states,
            [
                CaseState::Reported,
                CaseState::Reported,
                CaseState::Accepted
            ]
        );

        let first = alpha
            .add_open311_note(&noise.tracking_code, "open311:1:u1", "已转交", now())
            .unwrap();
        let again = alpha
            .add_open311_note(&noise.tracking_code, "open311:1:u1", "已转交", now())
            .unwrap();
        assert_eq!(first, again, "a retried update is added once");
        assert!(matches!(
            beta.add_open311_note(&noise.tracking_code, "open311:1:u2", "x", now()),
            Err(Error::NotFound(_))
        ));
        let events = alpha.case_events(noise.id).unwrap();
        assert_eq!(events.last().map(|e| e.to_state), Some(CaseState::Accepted));
        assert_eq!(
            events
                .iter()
                .filter(|e| e.note.as_deref() == Some("已转交"))
                .count(),
            1
        );
    }
}
