//! The public look-up, board, figures, map and notices against an in-memory
//! SQLite, and the query plans that keep them cheap at scale.

use super::fixtures::{
    calendar, fixed_now, fresh_db, report_garbage, route_garbage_to, tenant_with_urban_and_garbage,
    upload_id,
};
use crate::*;
use chrono::Duration;
use domain::intake::{AttachmentKind, Uploader};
use domain::publication::{Outcome, PublicCase};
use domain::{CaseAction, CaseId, Geometry, GridCode, GridLevel, GridNodeId, Role};

fn node(
    scope: &TenantScope<'_, NativeDb>,
    parent: Option<GridNodeId>,
    level: GridLevel,
    code: &str,
    geometry: Option<Geometry>,
) -> GridNodeId {
    scope
        .create_grid_node(NewGridNode {
            parent,
            level,
            code: GridCode::parse(code).unwrap(),
            name: format!("{code}名"),
            households: None,
            geometry,
        })
        .unwrap()
        .id
}

/// Township T, communities C1 and C2, grid G1 in C1 with micro-grid M1
/// (a 0.01° box at 30.00–30.01 N, 120.00–120.01 E), grid G2 in C2 without shapes.
struct Grid {
    township: GridNodeId,
    c1: GridNodeId,
    g1: GridNodeId,
    m1: GridNodeId,
    g2: GridNodeId,
}

fn grid(scope: &TenantScope<'_, NativeDb>) -> Grid {
    let township = node(scope, None, GridLevel::Township, "T", None);
    let c1 = node(scope, Some(township), GridLevel::Community, "C1", None);
    let c2 = node(scope, Some(township), GridLevel::Community, "C2", None);
    let g1 = node(scope, Some(c1), GridLevel::Grid, "G1", None);
    let m1 = node(
        scope,
        Some(g1),
        GridLevel::MicroGrid,
        "M1",
        Some(Geometry::rectangle(120.0, 30.0, 120.01, 30.01).unwrap()),
    );
    let g2 = node(scope, Some(c2), GridLevel::Grid, "G2", None);
    Grid {
        township,
        c1,
        g1,
        m1,
        g2,
    }
}

fn place(db: &NativeDb, case: CaseId, node: GridNodeId) {
    db.execute(
        "UPDATE cases SET grid_node_id = ? WHERE id = ?",
        &[node.0.into(), case.0.into()],
    )
    .unwrap();
}

/// Sets a case's outcome directly: the figures read columns, not history.
fn settle(db: &NativeDb, case: CaseId, state: &str, days: i64, due_days: i64, rating: Option<i64>) {
    db.execute(
            "UPDATE cases SET state = ?, resolved_at = ?, resolution_due_at = ?, rating = ? WHERE id = ?",
            &[
                state.into(),
                crate::time::to_text(fixed_now() + Duration::days(days)).into(),
                crate::time::to_text(fixed_now() + Duration::days(due_days)).into(),
                rating.into(),
                case.0.into(),
            ],
        )
        .unwrap();
}

#[test]
fn a_case_record_credits_departments_and_publishes_nothing_private() {
    let db = fresh_db();
    let (t, urban) = tenant_with_urban_and_garbage(&db);
    let scope = TenantScope::new(&db, &t);
    let g = grid(&scope);
    route_garbage_to(&scope, urban);
    let staff = scope
        .create_user(
            NewUser {
                login: "li".into(),
                display_name: "李师傅".into(),
                role: Role::DepartmentStaff,
                password_hash: "x".into(),
                phone: None,
                department: Some(urban),
                agent_point: None,
            },
            fixed_now(),
        )
        .unwrap();
    let mut new = NewCase::basic(
        domain::TrackingCode::from_random([7; 8]),
        "garbage",
        "王五家门口垃圾，电话13912345678",
        domain::CaseSource::Resident,
    );
    new.grid_node = Some(g.m1);
    new.location = Some(domain::Location::new(30.004_321, 120.005_678).unwrap());
    new.contact.name = Some("王五".into());
    new.contact.phone = Some("13912345678".into());
    new.address = Some("幸福里8幢".into());
    let now = fixed_now();
    let case = scope
        .auto_dispatch(scope.insert_case(new, now).unwrap(), now)
        .unwrap();
    let actor = format!("department_staff:{}", staff.id.0);
    let photo = scope
        .record_attachment(
            upload_id(1),
            NewAttachment {
                sha256: "ab".repeat(32),
                content_type: "image/jpeg".into(),
                kind: AttachmentKind::Photo,
                size: 10,
                uploaded_by: Uploader::Account(actor.clone()),
            },
            now,
        )
        .unwrap();
    let mut case = case;
    for action in [
        CaseAction::SignFor,
        CaseAction::StartWork,
        CaseAction::Resolve {
            answer: "已清运，王五满意".into(),
            attachment_ids: vec![photo.id],
        },
    ] {
        case = scope
            .act(case.id, case.version, &action, &actor, now, &calendar())
            .unwrap();
    }
    scope
        .add_note(case.id, &actor, "comment", "内部：住户难缠", false, now)
        .unwrap();

    let record = scope
        .case_record(&case.tracking_code)
        .unwrap()
        .expect("found");
    let public = PublicCase::new(
        &record.facts(),
        &record.event_facts(),
        &record.attachment_facts(),
        now,
    );
    let by: Vec<(&str, &str)> = public
        .timeline
        .iter()
        .map(|e| (e.action.as_str(), e.by.as_str()))
        .collect();
    assert_eq!(
        by,
        [
            ("report", "群众"),
            ("accept", "平台"),
            ("register", "平台"),
            ("dispatch", "城管"),
            ("sign_for", "城管"),
            ("start_work", "城管"),
            ("resolve", "城管"),
        ]
    );
    assert_eq!(
        public.place.as_ref().map(|p| p.label()).as_deref(),
        Some("C1名 · G1名")
    );
    assert_eq!(public.attachments.len(), 1);
    let everything = format!("{public:?}");
    for private in [
        "王五",
        "13912345678",
        "幸福里",
        "M1",
        "30.004",
        "120.005",
        "住户难缠",
        "李师傅",
    ] {
        assert!(
            !everything.contains(private),
            "{private} leaked: {everything}"
        );
    }
    assert!(
        scope
            .case_record(&domain::TrackingCode::from_random([8; 8]))
            .unwrap()
            .is_none()
    );
}

#[test]
fn the_board_filters_pages_and_counts() {
    let db = fresh_db();
    let (t, _) = tenant_with_urban_and_garbage(&db);
    let scope = TenantScope::new(&db, &t);
    let g = grid(&scope);
    let cases: Vec<Case> = (1..=6)
        .map(|n| report_garbage(&scope, n, fixed_now() + Duration::hours(n.into())))
        .collect();
    for case in &cases[..3] {
        place(&db, case.id, g.m1);
    }
    place(&db, cases[3].id, g.g2);
    settle(&db, cases[0].id, "closed", 1, 2, Some(5));
    settle(&db, cases[1].id, "archived", 3, 2, Some(2));
    settle(&db, cases[2].id, "declined", 1, 2, None);

    let page = |query: BoardQuery| -> Vec<i64> {
        scope
            .board_page(&query)
            .unwrap()
            .iter()
            .map(|e| e.case.id.0)
            .collect()
    };
    let ids = |range: &[usize]| -> Vec<i64> { range.iter().map(|i| cases[*i].id.0).collect() };
    assert_eq!(
        page(BoardQuery {
            limit: 4,
            ..Default::default()
        }),
        ids(&[5, 4, 3, 2])
    );
    assert_eq!(
        page(BoardQuery {
            limit: 4,
            before: Some(cases[2].id),
            ..Default::default()
        }),
        ids(&[1, 0])
    );
    assert_eq!(
        page(BoardQuery {
            limit: 10,
            outcome: Some(Outcome::Resolved),
            ..Default::default()
        }),
        ids(&[1, 0])
    );
    assert_eq!(
        page(BoardQuery {
            limit: 10,
            community: Some(g.c1),
            ..Default::default()
        }),
        ids(&[2, 1, 0])
    );
    assert_eq!(
        page(BoardQuery {
            limit: 10,
            community: Some(g.c1),
            outcome: Some(Outcome::Open),
            ..Default::default()
        }),
        Vec::<i64>::new()
    );
    assert_eq!(
        page(BoardQuery {
            limit: 10,
            category: Some("noise".into()),
            ..Default::default()
        }),
        Vec::<i64>::new()
    );

    let counts = scope
        .figure_counts(fixed_now() - Duration::days(1))
        .unwrap();
    assert_eq!(
        (
            counts.received,
            counts.declined,
            counts.resolved,
            counts.on_time,
            counts.timed
        ),
        (6, 1, 2, 1, 2)
    );
    assert!(
        (counts.days_to_resolve - 4.0).abs() < 0.2,
        "{}",
        counts.days_to_resolve
    );
    assert_eq!(
        (counts.rated, counts.rating_sum, counts.satisfied),
        (2, 7, 1)
    );
    assert_eq!(
        scope
            .figure_counts(fixed_now() + Duration::days(1))
            .unwrap()
            .received,
        0
    );

    // Only G1 has a shape (through M1); G2 is left off the map.
    let cells = scope.map_cells(fixed_now() - Duration::days(1)).unwrap();
    assert_eq!(cells.len(), 1, "{cells:?}");
    let cell = &cells[0];
    assert_eq!((cell.node, cell.open, cell.resolved), (g.g1, 0, 2));
    assert!((cell.latitude - 30.005).abs() < 1e-9 && (cell.longitude - 120.005).abs() < 1e-9);
    let _ = g.township;
}

#[test]
fn notices_reach_their_community_and_can_be_withdrawn() {
    let db = fresh_db();
    let (t, _) = tenant_with_urban_and_garbage(&db);
    let scope = TenantScope::new(&db, &t);
    let g = grid(&scope);
    let publish = |node: GridNodeId, title: &str, files: Vec<i64>| {
        scope.publish_notice(
            NewNotice {
                grid_node: node,
                title: title.into(),
                body: "正文".into(),
                attachment_ids: files,
                published_by: "tenant_admin:1".into(),
            },
            fixed_now(),
        )
    };
    let file = scope
        .record_attachment(
            upload_id(2),
            NewAttachment {
                sha256: "cd".repeat(32),
                content_type: "image/jpeg".into(),
                kind: AttachmentKind::Photo,
                size: 10,
                uploaded_by: Uploader::Account("tenant_admin:1".into()),
            },
            fixed_now(),
        )
        .unwrap();
    let everyone = publish(g.township, "全镇停水", vec![]).unwrap();
    let c1 = publish(g.c1, "C1 议事", vec![file.id]).unwrap();
    let g1 = publish(g.g1, "G1 清洁日", vec![]).unwrap();
    let other = publish(g.g2, "G2 通知", vec![]).unwrap();
    assert_eq!(c1.attachments, [file.id]);
    assert!(scope.is_notice_attachment(file.id).unwrap());
    let reused = publish(g.c1, "again", vec![file.id]).unwrap_err();
    assert_eq!(
        Problem::from(reused).field.as_deref(),
        Some("attachment_ids[0]")
    );
    let titles = |community: Option<GridNodeId>| -> Vec<i64> {
        scope
            .current_notices(community, None, 10)
            .unwrap()
            .iter()
            .map(|n| n.id)
            .collect()
    };
    assert_eq!(titles(Some(g.c1)), [g1.id, c1.id, everyone.id]);
    assert_eq!(titles(None), [other.id, g1.id, c1.id, everyone.id]);
    scope.withdraw_notice(g1.id, fixed_now()).unwrap();
    assert_eq!(titles(Some(g.c1)), [c1.id, everyone.id]);
    assert!(scope.notice(g1.id).unwrap().unwrap().withdrawn_at.is_some());
    let missing = publish(GridNodeId(9999), "x", vec![]).unwrap_err();
    assert_eq!(
        Problem::from(missing).field.as_deref(),
        Some("grid_node_id")
    );
    assert!(matches!(
        scope.withdraw_notice(9999, fixed_now()),
        Err(Error::NotFound(_))
    ));
}

/// The plan SQLite picks for `sql`, one line per step.
fn plan(db: &NativeDb, sql: &str, params: &[Value]) -> String {
    let rows = db
        .execute(&format!("EXPLAIN QUERY PLAN {sql}"), params)
        .unwrap();
    rows.iter()
        .map(|r| r.get_string("detail").unwrap())
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn public_reads_use_indexes_and_never_sort_the_whole_tenant() {
    let db = fresh_db();
    let p = |values: &[Value]| values.to_vec();
    let lookup = plan(
        &db,
        "SELECT * FROM cases WHERE tenant_id = ? AND tracking_code = ?",
        &p(&[1_i64.into(), "X".into()]),
    );
    assert!(
        lookup.contains("USING INDEX sqlite_autoindex_cases_1"),
        "{lookup}"
    );
    let board = plan(
        &db,
        "SELECT id FROM cases WHERE tenant_id = ? AND id < ? AND +category = ? AND +state IN (?, ?) \
         ORDER BY id DESC LIMIT ?",
        &p(&[
            1_i64.into(),
            9_i64.into(),
            "g".into(),
            "closed".into(),
            "archived".into(),
            20_i64.into(),
        ]),
    );
    assert!(board.contains("cases_board"), "{board}");
    assert!(
        !board.contains("TEMP B-TREE"),
        "a board page must not sort: {board}"
    );
    let figures = plan(
        &db,
        "SELECT COUNT(*), SUM(state = 'closed'), SUM(resolved_at <= resolution_due_at), COUNT(rating) \
         FROM cases WHERE tenant_id = ? AND created_at >= ?",
        &p(&[1_i64.into(), "2026".into()]),
    );
    assert!(
        figures.contains("COVERING INDEX cases_figures"),
        "{figures}"
    );
    let events = plan(
        &db,
        "SELECT * FROM case_events WHERE tenant_id = ? AND case_id = ? ORDER BY id",
        &p(&[1_i64.into(), 1_i64.into()]),
    );
    assert!(
        events.contains("case_events_case") && !events.contains("TEMP B-TREE"),
        "{events}"
    );
    let notices = plan(
        &db,
        "SELECT id FROM notices WHERE tenant_id = ? AND withdrawn_at IS NULL AND id < ? \
         ORDER BY id DESC LIMIT ?",
        &p(&[1_i64.into(), 9_i64.into(), 20_i64.into()]),
    );
    assert!(!notices.contains("TEMP B-TREE"), "{notices}");
}
