//! What the store's tests start from: a migrated in-memory database, tenants
//! in it, the times and calendar the workflow runs on, and the few rows most
//! tests need (a tenant with a department and a category, a reported case,
//! an upload). Every helper more than one test module uses lives here.

use crate::{
    Case, Error, NativeDb, NewAttachment, NewCase, NewCategory, NewGridNode, NewTenant, NewUser,
    RoutingRule, TenantScope, create_tenant, migrate,
};
use chrono::{DateTime, TimeZone, Utc};
use domain::deadline::{WorkCalendar, zone_offset};
use domain::intake::{AttachmentId, AttachmentKind, Uploader};
use domain::{
    CaseId, CaseSource, Code, GridCode, GridLevel, GridNodeId, Location, Problem, ProblemKind,
    Role, Tenant, TenantCode, TenantKind, TrackingCode, UserId, WorkingHours,
};

// ---- The database and its tenants ----

/// A fresh, migrated database in memory.
pub fn fresh_db() -> NativeDb {
    let db = NativeDb::open_in_memory().expect("open");
    migrate(&db).expect("migrate");
    db
}

/// A fixed moment (2025-03-01 08:00 UTC) standing for "now", so that stored
/// times are predictable.
pub fn fixed_now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 3, 1, 8, 0, 0)
        .single()
        .expect("valid")
}

/// An active township tenant named after its code, created at [`fixed_now`].
pub fn tenant(db: &NativeDb, code: &str) -> Tenant {
    create_tenant(
        db,
        NewTenant {
            code: TenantCode::parse(code).expect("code"),
            name: format!("{code} 镇"),
            kind: TenantKind::Township,
            time_zone: "Asia/Shanghai".into(),
        },
        fixed_now(),
    )
    .expect("create tenant")
}

/// The kind of problem a refused call reaches the client as.
pub fn problem_kind(e: Error) -> ProblemKind {
    Problem::from(e).kind
}

// ---- Working time ----

/// The moment `"YYYY-MM-DD HH:MM"` on a Beijing clock (UTC+8), in UTC: the
/// workflow tests write their times as the township reads them.
pub fn beijing(local: &str) -> DateTime<Utc> {
    DateTime::parse_from_str(&format!("{local} +0800"), "%Y-%m-%d %H:%M %z")
        .unwrap()
        .with_timezone(&Utc)
}

/// The default working hours on China's 2026 calendar, in Shanghai.
pub fn calendar() -> WorkCalendar {
    WorkCalendar::new(
        WorkingHours::DEFAULT,
        &domain::calendar::china_2026(),
        zone_offset("Asia/Shanghai").unwrap(),
    )
}

// ---- A tenant ready for cases ----

/// Tenant `alpha` with an `urban` department (城管) and a `garbage`
/// category (2 hours to respond, 8 to resolve) but no routing rule: the
/// tenant and the department's id.
pub fn tenant_with_urban_and_garbage(db: &NativeDb) -> (Tenant, i64) {
    let t = tenant(db, "alpha");
    let scope = TenantScope::new(db, &t);
    let urban = scope
        .create_department(&Code::parse("urban").unwrap(), "城管")
        .unwrap();
    scope
        .create_category(NewCategory {
            code: Code::parse("garbage").unwrap(),
            name_zh: "垃圾".into(),
            name_en: "Garbage".into(),
            default_department: None,
            response_hours: 2,
            resolution_hours: 8,
            extra_fields: vec![],
            place_required: true,
        })
        .unwrap();
    (t, urban.id)
}

/// A second category, `road_damage` (4 hours to respond, 24 to resolve),
/// for re-categorising a case.
pub fn add_road_damage_category(scope: &TenantScope<'_, NativeDb>) {
    scope
        .create_category(NewCategory {
            code: Code::parse("road_damage").unwrap(),
            name_zh: "道路破损".into(),
            name_en: "Road damage".into(),
            default_department: None,
            response_hours: 4,
            resolution_hours: 24,
            extra_fields: vec![],
            place_required: true,
        })
        .unwrap();
}

/// One rule: every garbage case to `department`.
pub fn route_garbage_to(scope: &TenantScope<'_, NativeDb>, department: i64) {
    scope
        .set_routing_rules(&[RoutingRule {
            category: "garbage".into(),
            grid_node: None,
            department,
        }])
        .unwrap();
}

/// A resident reports garbage at `at`: the case's tracking code is drawn
/// from `n`, and nothing dispatches it.
pub fn report_garbage(scope: &TenantScope<'_, NativeDb>, n: u8, at: DateTime<Utc>) -> Case {
    scope
        .insert_case(
            NewCase::basic(
                TrackingCode::from_random([n; 8]),
                "garbage",
                "垃圾",
                CaseSource::Resident,
            ),
            at,
        )
        .unwrap()
}

// ---- The same few rows in any tenant ----

/// A grid worker (张三) logging in as `login`.
pub fn new_user(login: &str) -> NewUser {
    NewUser {
        login: login.into(),
        display_name: "张三".into(),
        role: Role::GridWorker,
        password_hash: "$argon2id$placeholder".into(),
        phone: None,
        department: None,
        agent_point: None,
    }
}

/// A grid node `code` at `level` under `parent`, without shape or households.
pub fn new_grid_node(parent: Option<GridNodeId>, level: GridLevel, code: &str) -> NewGridNode {
    NewGridNode {
        parent,
        level,
        code: GridCode::parse(code).expect("code"),
        name: format!("node {code}"),
        households: None,
        geometry: None,
    }
}

/// A resident's environment case at 30° N, 120° E, on `grid` if given.
pub fn new_located_case(code: &TrackingCode, grid: Option<GridNodeId>) -> NewCase {
    NewCase {
        grid_node: grid,
        location: Some(Location::new(30.0, 120.0).expect("location")),
        ..NewCase::basic(
            code.clone(),
            "environment",
            "垃圾堆放",
            CaseSource::Resident,
        )
    }
}

/// The same data in one tenant: a township, a community, a user, a case.
pub struct Seeded {
    pub root: GridNodeId,
    pub community: GridNodeId,
    pub user: UserId,
    pub case: CaseId,
    pub tracking: TrackingCode,
}

/// Township T1, community C1 under it, user `wang13800`, and a case on C1
/// whose tracking code is drawn from `random`, all at [`fixed_now`].
pub fn seed(scope: &TenantScope<'_, NativeDb>, random: u8) -> Seeded {
    let root = scope
        .create_grid_node(new_grid_node(None, GridLevel::Township, "T1"))
        .expect("root");
    let community = scope
        .create_grid_node(new_grid_node(Some(root.id), GridLevel::Community, "C1"))
        .expect("community");
    let user = scope
        .create_user(new_user("wang13800"), fixed_now())
        .expect("user");
    let tracking = TrackingCode::from_random([random; 8]);
    let case = scope
        .insert_case(new_located_case(&tracking, Some(community.id)), fixed_now())
        .expect("case");
    Seeded {
        root: root.id,
        community: community.id,
        user: user.id,
        case: case.id,
        tracking,
    }
}

// ---- Uploads ----

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

// ---- Counting round trips ----

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
