//! The grid against an in-memory SQLite: the tree's rules (levels, parents,
//! moves, retiring and deleting), the bulk import, and locating a point.

use super::fixtures::{fresh_db, new_grid_node, tenant};
use crate::*;
use chrono::{TimeZone, Utc};
use domain::{
    CaseSource, GridCode, GridLevel, GridNode, GridNodeId, Problem, ProblemKind, TrackingCode,
    geo::Geometry, parse_csv, seed_zone,
};

fn add(
    scope: &TenantScope<'_, NativeDb>,
    parent: Option<&GridNode>,
    level: GridLevel,
    code: &str,
) -> GridNode {
    scope
        .create_grid_node(NewGridNode {
            parent: parent.map(|p| p.id),
            level,
            code: GridCode::parse(code).expect("code"),
            name: format!("网格 {code}"),
            households: None,
            geometry: None,
        })
        .expect("create")
}

/// Township T with communities C1 and C2, grid G1 under C1, micro-grid M1 under G1.
struct Tree {
    t: GridNode,
    c1: GridNode,
    c2: GridNode,
    g1: GridNode,
    m1: GridNode,
}

fn tree(scope: &TenantScope<'_, NativeDb>) -> Tree {
    use GridLevel::*;
    let t = add(scope, None, Township, "T");
    let c1 = add(scope, Some(&t), Community, "C1");
    let c2 = add(scope, Some(&t), Community, "C2");
    let g1 = add(scope, Some(&c1), Grid, "G1");
    let m1 = add(scope, Some(&g1), MicroGrid, "M1");
    Tree { t, c1, c2, g1, m1 }
}

/// The problem a failed call reaches the client as: (status, field).
fn refusal<T: std::fmt::Debug>(result: Result<T, Error>) -> (u16, Option<String>) {
    let p = Problem::from(result.expect_err("refused"));
    (p.status(), p.field)
}

fn codes(nodes: &[GridNode]) -> Vec<&str> {
    nodes.iter().map(|n| n.code.as_str()).collect()
}

#[test]
fn grid_tree_rules() {
    let db = fresh_db();
    let a = tenant(&db, "jinkai");
    let scope = TenantScope::new(&db, &a);
    let check = |parent, level, code: &str, expected: Result<(), &str>| {
        let actual = scope.create_grid_node(new_grid_node(parent, level, code));
        match (actual, expected) {
            (Ok(n), Ok(())) => {
                assert_eq!((n.parent, n.level, n.retired), (parent, level, false));
            }
            (Err(e), Err(field)) => {
                assert_eq!(
                    domain::Problem::from(e).field.as_deref(),
                    Some(field),
                    "{code}"
                );
            }
            (actual, expected) => panic!("{code}: got {actual:?}, expected {expected:?}"),
        }
    };
    check(None, GridLevel::Community, "X1", Err("level"));
    check(None, GridLevel::Township, "T", Ok(()));
    let root = scope.grid_children(None).expect("roots")[0].id;
    check(Some(root), GridLevel::Grid, "X2", Err("level"));
    check(Some(root), GridLevel::Township, "X3", Err("level"));
    check(
        Some(GridNodeId(9999)),
        GridLevel::Community,
        "X4",
        Err("parent_id"),
    );
    check(Some(root), GridLevel::Community, "C", Ok(()));
    let community = scope.grid_children(Some(root)).expect("children")[0].id;
    check(Some(community), GridLevel::Grid, "G", Ok(()));
    let grid = scope.grid_children(Some(community)).expect("children")[0].id;
    check(Some(grid), GridLevel::MicroGrid, "M", Ok(()));
    assert_eq!(scope.count_grid_nodes().expect("count"), 4);
    let dup = scope
        .create_grid_node(new_grid_node(Some(grid), GridLevel::MicroGrid, "M"))
        .expect_err("duplicate code");
    assert!(matches!(dup, Error::Conflict(_)));
}

#[test]
fn rename_and_set_geometry() {
    let db = fresh_db();
    let a = tenant(&db, "aa");
    let scope = TenantScope::new(&db, &a);
    let tr = tree(&scope);
    let renamed = scope
        .rename_grid_node(tr.c1.id, "  新名  ")
        .expect("rename");
    assert_eq!((renamed.name.as_str(), renamed.id), ("新名", tr.c1.id));
    assert_eq!(
        refusal(scope.rename_grid_node(tr.c1.id, " ")),
        (400, Some("name".into()))
    );
    assert_eq!(refusal(scope.rename_grid_node(GridNodeId(999), "x")).0, 404);

    let square = Geometry::rectangle(120.0, 30.0, 120.01, 30.01).expect("rect");
    let shaped = scope
        .set_grid_geometry(tr.m1.id, Some(square.clone()), Some(42))
        .expect("set");
    assert_eq!(
        (shaped.geometry.as_ref(), shaped.households),
        (Some(&square), Some(42))
    );
    assert_eq!(scope.grid_node(tr.m1.id).expect("read"), Some(shaped));
    assert_eq!(
        scope.locate(30.005, 120.005).expect("locate").map(|n| n.id),
        Some(tr.m1.id)
    );
    assert_eq!(
        refusal(scope.set_grid_geometry(tr.m1.id, None, Some(-1))),
        (400, Some("households".into()))
    );
    let cleared = scope
        .set_grid_geometry(tr.m1.id, None, None)
        .expect("clear");
    assert_eq!((cleared.geometry, cleared.households), (None, None));
    assert_eq!(scope.locate(30.005, 120.005).expect("locate"), None);
}

#[test]
fn move_rules() {
    use GridLevel::*;
    let db = fresh_db();
    let (a, b) = (tenant(&db, "aa"), tenant(&db, "bb"));
    let scope = TenantScope::new(&db, &a);
    let scope_b = TenantScope::new(&db, &b);
    let tr = tree(&scope);
    let other = add(&scope_b, None, Township, "T");
    let other_c = add(&scope_b, Some(&other), Community, "C");

    // Under itself, under a descendant, of the wrong level: rules the API
    // document cannot state (422); under another tenant's node: no such
    // parent here (404).
    let refused_by_rule = (422, Some("parent_id".to_owned()));
    assert_eq!(
        refusal(scope.move_grid_node(tr.c1.id, Some(tr.c1.id))),
        refused_by_rule
    );
    assert_eq!(
        refusal(scope.move_grid_node(tr.t.id, Some(tr.g1.id))),
        refused_by_rule
    );
    assert_eq!(
        refusal(scope.move_grid_node(tr.g1.id, Some(other_c.id))),
        (404, Some("parent_id".to_owned()))
    );
    assert_eq!(
        refusal(scope.move_grid_node(tr.g1.id, Some(tr.t.id))),
        refused_by_rule
    );
    assert_eq!(
        refusal(scope.move_grid_node(tr.g1.id, None)),
        refused_by_rule
    );
    assert_eq!(
        refusal(scope.move_grid_node(other_c.id, Some(tr.t.id))).0,
        404
    );

    let moved = scope
        .move_grid_node(tr.g1.id, Some(tr.c2.id))
        .expect("move");
    assert_eq!(moved.parent, Some(tr.c2.id));
    assert_eq!(
        codes(&scope.grid_tree(Some(tr.c2.id)).expect("subtree")),
        ["C2", "G1", "M1"]
    );
    // A community moves to another township.
    let t2 = add(&scope, None, Township, "T2");
    let moved = scope.move_grid_node(tr.c2.id, Some(t2.id)).expect("move");
    assert_eq!(moved.parent, Some(t2.id));

    // A retired parent takes no new children; a retired node does not move.
    let m9 = add(&scope, Some(&tr.g1), MicroGrid, "M9");
    scope.retire_grid_node(m9.id).expect("retire");
    let g9 = add(&scope, Some(&tr.c1), Grid, "G9");
    scope.retire_grid_node(g9.id).expect("retire");
    assert_eq!(
        refusal(scope.move_grid_node(tr.m1.id, Some(g9.id))),
        (409, Some("parent_id".to_owned())),
        "a retired parent"
    );
    assert_eq!(refusal(scope.move_grid_node(m9.id, Some(tr.g1.id))).0, 409);
    assert_eq!(
        scope_b
            .grid_node(other_c.id)
            .expect("read")
            .map(|n| n.parent),
        Some(Some(other.id))
    );
}

#[test]
fn retire_and_delete_rules() {
    use GridLevel::*;
    let db = fresh_db();
    let (a, b) = (tenant(&db, "aa"), tenant(&db, "bb"));
    let scope = TenantScope::new(&db, &a);
    let scope_b = TenantScope::new(&db, &b);
    let tr = tree(&scope);

    let case = scope
        .insert_case(
            NewCase {
                grid_node: Some(tr.m1.id),
                ..NewCase::basic(
                    TrackingCode::from_random([7; 8]),
                    "environment",
                    "垃圾",
                    CaseSource::Resident,
                )
            },
            Utc.with_ymd_and_hms(2025, 3, 1, 9, 0, 0)
                .single()
                .expect("t"),
        )
        .expect("case");
    assert_eq!(case.grid_node, Some(tr.m1.id));

    // Retiring needs the children retired first; retired nodes stay readable.
    assert_eq!(refusal(scope.retire_grid_node(tr.g1.id)).0, 409);
    assert!(scope.retire_grid_node(tr.m1.id).expect("retire").retired);
    assert!(
        scope
            .retire_grid_node(tr.m1.id)
            .expect("idempotent")
            .retired
    );
    assert!(scope.retire_grid_node(tr.g1.id).expect("retire").retired);
    assert!(
        scope
            .grid_node(tr.m1.id)
            .expect("read")
            .expect("still there")
            .retired
    );
    assert_eq!(refusal(scope_b.retire_grid_node(tr.c2.id)).0, 404);
    assert_eq!(refusal(scope_b.delete_grid_node(tr.c2.id)).0, 404);

    // Delete: refused while anything refers to the node, with advice to retire.
    let check_refused = |id: GridNodeId, fragment: &str| {
        let p = Problem::from(scope.delete_grid_node(id).expect_err("refused"));
        assert_eq!(p.kind, ProblemKind::Conflict);
        assert!(p.detail.contains(fragment), "{}", p.detail);
        assert!(p.detail.contains("retire it instead"), "{}", p.detail);
    };
    check_refused(tr.t.id, "2 child node(s)");
    check_refused(tr.m1.id, "1 case(s)");

    let g2 = add(&scope, Some(&tr.c2), Grid, "G2");
    let m2 = add(&scope, Some(&g2), MicroGrid, "M2");
    let m3 = add(&scope, Some(&g2), MicroGrid, "M3");
    db.execute(
        "INSERT INTO users (tenant_id, login, display_name, role, password_hash, created_at) \
         VALUES (?, 'w', 'w', 'grid_worker', 'x', '2025-03-01T00:00:00Z')",
        &[a.id.0.into()],
    )
    .expect("user");
    db.execute(
        "INSERT INTO grid_assignments (tenant_id, user_id, grid_node_id, is_chief) \
         VALUES (?, last_insert_rowid(), ?, 1)",
        &[a.id.0.into(), m2.id.0.into()],
    )
    .expect("assignment");
    db.execute(
        "INSERT INTO agent_points (tenant_id, code, name, level, grid_node_id) \
         VALUES (?, 'AP1', '代办点', 'village', ?)",
        &[a.id.0.into(), m3.id.0.into()],
    )
    .expect("agent point");
    check_refused(m2.id, "1 grid assignment(s)");
    check_refused(m3.id, "1 agent point(s)");

    // A fresh mistake goes.
    let oops = add(&scope, Some(&g2), MicroGrid, "OOPS");
    let before = scope.count_grid_nodes().expect("count");
    scope.delete_grid_node(oops.id).expect("delete");
    assert_eq!(scope.count_grid_nodes().expect("count"), before - 1);
    assert_eq!(scope.grid_node(oops.id).expect("read"), None);
}

#[test]
fn grid_tree_is_one_tenants_parents_first() {
    use GridLevel::*;
    let db = fresh_db();
    let (a, b) = (tenant(&db, "aa"), tenant(&db, "bb"));
    let scope = TenantScope::new(&db, &a);
    let scope_b = TenantScope::new(&db, &b);
    let tr = tree(&scope);
    let t0 = add(&scope, None, Township, "T0");
    add(&scope, Some(&t0), Community, "T0-C");
    let bt = add(&scope_b, None, Township, "BT");
    add(&scope_b, Some(&bt), Community, "BC");

    assert_eq!(
        codes(&scope.grid_tree(None).expect("tree")),
        ["T", "C1", "G1", "M1", "C2", "T0", "T0-C"]
    );
    assert_eq!(
        codes(&scope.grid_tree(Some(tr.c1.id)).expect("sub")),
        ["C1", "G1", "M1"]
    );
    assert_eq!(
        codes(&scope.grid_tree(Some(tr.m1.id)).expect("leaf")),
        ["M1"]
    );
    assert_eq!(refusal(scope.grid_tree(Some(bt.id))).0, 404);
    assert_eq!(refusal(scope.grid_tree(Some(GridNodeId(999)))).0, 404);
    assert_eq!(codes(&scope_b.grid_tree(None).expect("tree")), ["BT", "BC"]);
}

#[test]
fn the_seed_zone_imports_and_reads_back_as_one_tree() {
    let db = fresh_db();
    let (a, b) = (tenant(&db, "aa"), tenant(&db, "bb"));
    let scope = TenantScope::new(&db, &a);
    let report = scope.import_grid(seed_zone()).expect("import");
    assert_eq!(report, ImportReport { created: 7825 });
    assert_eq!(scope.count_grid_nodes().expect("count"), 7825);

    let nodes = scope.grid_tree(None).expect("tree");
    assert_eq!(nodes.len(), 7825);
    let mut seen = std::collections::HashSet::new();
    for n in &nodes {
        if let Some(p) = n.parent {
            assert!(seen.contains(&p), "{} comes after its parent", n.code);
        }
        seen.insert(n.id);
    }
    let per_level = GridLevel::ALL.map(|l| nodes.iter().filter(|n| n.level == l).count());
    assert_eq!(per_level, [8, 168, 300, 7349]);
    assert!(
        TenantScope::new(&db, &b)
            .grid_tree(None)
            .expect("b")
            .is_empty()
    );

    // Importing it again: every code is taken, nothing is written.
    let again = scope.import_grid(seed_zone()).expect_err("taken");
    match &again {
        Error::Rows(problems) => {
            assert_eq!(problems.len(), 7825);
            assert!(problems.iter().all(|p| p.field == "code"));
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(Problem::from(again).status(), 409, "taken codes conflict");
    assert_eq!(scope.count_grid_nodes().expect("count"), 7825);

    // A community imported under an existing township, by parent_code.
    let csv = "code,parent_code,level,name\nT01-C999,T01,community,新社区\n";
    let rows = parse_csv(csv.as_bytes()).expect("csv");
    assert_eq!(
        scope.import_grid(rows).expect("import"),
        ImportReport { created: 1 }
    );
    let t01 = &nodes[0];
    assert_eq!(t01.code.as_str(), "T01");
    let sub = scope.grid_tree(Some(t01.id)).expect("subtree");
    assert_eq!(sub.last().map(|n| n.code.as_str()), Some("T01-C999"));
}

#[test]
fn locate_resolves_a_point_to_its_seed_micro_grid() {
    let db = fresh_db();
    let a = tenant(&db, "aa");
    let scope = TenantScope::new(&db, &a);
    assert_eq!(scope.locate(30.2, 120.1).expect("empty"), None);
    scope.import_grid(seed_zone()).expect("import");
    let target = seed_zone()
        .into_iter()
        .filter(|r| r.level == GridLevel::MicroGrid)
        .nth(4321)
        .expect("a micro-grid");
    let b = target.geometry.as_ref().expect("shape").bbox();
    let (lat, lon) = ((b.min_lat + b.max_lat) / 2.0, (b.min_lon + b.max_lon) / 2.0);
    let found = scope
        .locate(lat, lon)
        .expect("locate")
        .expect("inside the zone");
    assert_eq!(found.code, target.code);
    assert_eq!(found.level, GridLevel::MicroGrid);
    assert_eq!(scope.locate(39.9, 116.4).expect("Beijing"), None);
    // Retired micro-grids take no new cases, so they are not found.
    scope.retire_grid_node(found.id).expect("retire");
    assert_eq!(scope.locate(lat, lon).expect("locate"), None);
}

#[test]
fn a_bad_csv_reports_every_problem_and_writes_nothing() {
    let db = fresh_db();
    let a = tenant(&db, "aa");
    let scope = TenantScope::new(&db, &a);
    let t = add(&scope, None, GridLevel::Township, "OLD");
    let before = scope.count_grid_nodes().expect("count");

    let csv = "code,parent_code,level,name\n\
               T1,,township,金山镇\n\
               C1,T1,province,社区\n\
               C2,NOPE,community,社区\n\
               C3,T1,community,社区\n\
               C3,T1,community,重复\n\
               A,B,community,甲\n\
               B,A,grid,乙\n\
               OLD,T1,community,旧\n";
    // Parsing catches the bad level; planning (in the store) the rest.
    let parse_problems = parse_csv(csv.as_bytes()).expect_err("bad level");
    let keys: Vec<(usize, &str)> = parse_problems
        .iter()
        .map(|p| (p.line, p.field.as_str()))
        .collect();
    assert_eq!(keys, [(3, "level")]);

    let fixed = csv.replace("province", "community");
    let rows = parse_csv(fixed.as_bytes()).expect("parses");
    let e = scope.import_grid(rows).expect_err("refused");
    let Error::Rows(problems) = &e else {
        panic!("{e:?}")
    };
    let keys: Vec<(usize, &str)> = problems
        .iter()
        .map(|p| (p.line, p.field.as_str()))
        .collect();
    assert_eq!(
        keys,
        [
            (4, "parent_code"),
            (6, "code"),
            (7, "parent_code"),
            (8, "parent_code"),
            (9, "code"),
        ],
        "{problems:#?}"
    );
    assert!(
        problems[2].detail.contains("cycle"),
        "{}",
        problems[2].detail
    );
    let p = Problem::from(e);
    assert_eq!(
        (p.status(), p.detail.as_str()),
        (422, "5 rows have problems; see `problems`")
    );
    assert_eq!(scope.count_grid_nodes().expect("count"), before);

    // Invalid UTF-8 (GBK from Excel): one problem, on its line.
    let mut gbk = b"code,parent_code,level,name\nT1,,township,".to_vec();
    gbk.extend_from_slice(&[0xBD, 0xF0, 0xC9, 0xBD, b'\n']);
    let problems = parse_csv(&gbk).expect_err("GBK");
    assert_eq!(
        (problems[0].line, problems[0].field.as_str()),
        (2, "encoding")
    );

    // A parent that is retired takes no imported children.
    scope.retire_grid_node(t.id).expect("retire");
    let rows = parse_csv(b"code,parent_code,level,name\nC9,OLD,community,x\n").expect("parses");
    let e = scope.import_grid(rows).expect_err("retired parent");
    assert!(matches!(&e, Error::Rows(p) if p[0].field == "parent_code" && p[0].line == 2));
    assert_eq!(scope.count_grid_nodes().expect("count"), before);
}
