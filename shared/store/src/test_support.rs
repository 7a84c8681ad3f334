//! What every store test starts from: a migrated in-memory database and
//! tenants in it.

use crate::{NativeDb, NewAttachment, NewTenant, TenantScope, create_tenant, migrate};
use chrono::{DateTime, TimeZone, Utc};
use domain::intake::{AttachmentId, AttachmentKind, Uploader};
use domain::{Tenant, TenantCode, TenantKind};

/// A fixed moment, so that stored times are predictable.
pub fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 3, 1, 8, 0, 0)
        .single()
        .expect("valid")
}

/// A fresh, migrated database in memory.
pub fn db() -> NativeDb {
    let db = NativeDb::open_in_memory().expect("open");
    migrate(&db).expect("migrate");
    db
}

/// An active township tenant named after its code.
pub fn tenant(db: &NativeDb, code: &str) -> Tenant {
    create_tenant(
        db,
        NewTenant {
            code: TenantCode::parse(code).expect("code"),
            name: format!("{code} 镇"),
            kind: TenantKind::Township,
            time_zone: "Asia/Shanghai".into(),
        },
        t0(),
    )
    .expect("create tenant")
}

/// An upload's id as the edge draws one, from `seed` instead of randomness:
/// scattered over 1..2^53 like a real one, never in upload order.
pub fn upload_id(seed: u64) -> AttachmentId {
    AttachmentId::from_random(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15).to_be_bytes())
}

/// Photo upload `n` (its own digest and id) by the account `by`, at `at`:
/// its id, to put on a case.
pub fn photo_upload(scope: &TenantScope<'_, NativeDb>, n: u64, by: &str, at: DateTime<Utc>) -> i64 {
    scope
        .record_attachment(
            upload_id(n),
            NewAttachment {
                sha256: format!("{n:064}"),
                content_type: "image/jpeg".into(),
                kind: AttachmentKind::Photo,
                size: 10,
                uploaded_by: Uploader::Account(by.into()),
            },
            at,
        )
        .expect("photo upload")
        .id
}

/// A database that counts the statements sent through it (each one is a
/// round trip on libSQL), and notes which ones run under the write lock.
pub struct CountingDb<'a> {
    inner: &'a NativeDb,
    pub statements: std::cell::RefCell<Vec<String>>,
}

impl<'a> CountingDb<'a> {
    pub fn new(inner: &'a NativeDb) -> Self {
        CountingDb {
            inner,
            statements: Default::default(),
        }
    }

    /// How many statements were sent, and how many of them from
    /// `BEGIN IMMEDIATE` to `COMMIT` inclusive.
    pub fn counts(&self) -> (usize, usize) {
        let statements = self.statements.borrow();
        let begin = statements.iter().position(|s| s.starts_with("BEGIN"));
        let commit = statements.iter().rposition(|s| s.starts_with("COMMIT"));
        let locked = match (begin, commit) {
            (Some(b), Some(c)) => c - b + 1,
            _ => 0,
        };
        (statements.len(), locked)
    }
}

impl crate::Database for CountingDb<'_> {
    fn execute(
        &self,
        sql: &str,
        params: &[crate::Value],
    ) -> Result<crate::Rows, crate::StoreError> {
        self.statements.borrow_mut().push(sql.to_string());
        self.inner.execute(sql, params)
    }

    fn transaction_depth(&self) -> &std::cell::Cell<u32> {
        self.inner.transaction_depth()
    }
}
