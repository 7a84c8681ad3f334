//! Patrols and grid days in the store: a track's pieces out of order and
//! twice, visits once, the figures and the coverage kept in each write's
//! transaction (and equal to what the rows say), grid days and who is on
//! them, the retention sweep, another tenant's rows out of reach, and the
//! statements a piece of track costs.

use super::fixtures::{CountingDb, fixed_now, fresh_db, new_grid_node, new_user, tenant};
use crate::*;
use chrono::{DateTime, Duration, NaiveDate, Utc};
use domain::patrol::{
    GridDayPlan, MAX_TRACK_POINTS, NewVisit, Tally, TrackPiece, TrackPoint, VisitKind, distance,
};
use domain::{Geometry, GridLevel, GridNodeId, Location, ProblemCode, Role, UserId};

struct Place {
    grid: GridNodeId,
    other_grid: GridNodeId,
    micro: GridNodeId,
    other_micro: GridNodeId,
    worker: UserId,
    volunteer: UserId,
    staff: UserId,
}

/// Township, community, two grids with a micro-grid each (the first one
/// shaped around 30° N 120° E), a grid worker holding the first grid, a
/// volunteer and a member of a department's staff.
fn place(scope: &TenantScope<'_, NativeDb>) -> Place {
    let node = |parent: Option<GridNodeId>, level, code: &str| {
        scope
            .create_grid_node(new_grid_node(parent, level, code))
            .expect("node")
            .id
    };
    let township = node(None, GridLevel::Township, "T");
    let community = node(Some(township), GridLevel::Community, "T-C");
    let grid = node(Some(community), GridLevel::Grid, "T-C-G1");
    let other_grid = node(Some(community), GridLevel::Grid, "T-C-G2");
    let micro = node(Some(grid), GridLevel::MicroGrid, "T-C-G1-M1");
    let other_micro = node(Some(other_grid), GridLevel::MicroGrid, "T-C-G2-M1");
    let square = Geometry::rectangle(119.99, 29.99, 120.01, 30.01).expect("square");
    scope
        .set_grid_geometry(micro, Some(square), None)
        .expect("shape");
    let person = |login: &str, role| {
        scope
            .create_user(
                NewUser {
                    role,
                    ..new_user(login)
                },
                fixed_now(),
            )
            .expect("user")
            .id
    };
    let worker = person("worker", Role::GridWorker);
    scope
        .set_grid_assignments(worker, &[(grid, false)])
        .expect("assign");
    Place {
        grid,
        other_grid,
        micro,
        other_micro,
        worker,
        volunteer: person("volunteer", Role::Volunteer),
        staff: person("clerk", Role::CommandCentre),
    }
}

/// A point `north` metres north of 30° N 120° E, `seconds` after `start`.
fn point(north: f64, seconds: i64) -> TrackPoint {
    TrackPoint {
        lat: 30.0 + north / 111_195.0,
        lng: 120.0,
        at: fixed_now() + Duration::seconds(seconds),
        accuracy: Some(8.0),
    }
}

/// Piece `n` of a walk north at 100 m a minute: its points `from..from+count`.
fn piece(n: i64, from: i64, count: i64) -> TrackPiece {
    let points = (from..from + count)
        .map(|i| point(i as f64 * 100.0, i * 60))
        .collect();
    TrackPiece::new(n, points).expect("piece")
}

fn start(scope: &TenantScope<'_, NativeDb>, person: UserId, grid: GridNodeId) -> Patrol {
    scope
        .start_patrol(&NewPatrol {
            person,
            grid: grid.0,
            grid_day: None,
            started_at: fixed_now(),
        })
        .expect("start")
}

fn visit(client_id: &str, place: Option<Location>, micro: Option<i64>) -> NewVisit {
    NewVisit::new(
        client_id,
        VisitKind::Household,
        "漏水",
        place,
        micro,
        None,
        fixed_now() + Duration::minutes(10),
    )
    .expect("visit")
}

/// The figures of the start's day, which must agree with the patrols' own sums.
fn figures_of_the_day(scope: &TenantScope<'_, NativeDb>) -> PatrolFigures {
    let day = scope.local_date(fixed_now()).unwrap();
    scope.patrol_figures(day, day).unwrap()
}

fn code(e: Error) -> ProblemCode {
    domain::Problem::from(e).code()
}

#[test]
fn a_track_counts_once_whatever_the_order_its_pieces_arrive_in() {
    let db = fresh_db();
    let t = tenant(&db, "patrol-a");
    let scope = TenantScope::new(&db, &t);
    let p = place(&scope);
    let patrol = start(&scope, p.worker, p.grid);
    assert_eq!(patrol.tally.metres, 0.0);
    // Piece 1 first, then 0, then 1 again: the walk is 0 → 400 m.
    assert_eq!(
        scope.add_track_piece(&patrol, &piece(1, 3, 2)).unwrap(),
        PieceOutcome::Added
    );
    assert_eq!(
        scope.add_track_piece(&patrol, &piece(0, 0, 3)).unwrap(),
        PieceOutcome::Added
    );
    assert_eq!(
        scope.add_track_piece(&patrol, &piece(1, 3, 2)).unwrap(),
        PieceOutcome::Again
    );
    let other = scope.add_track_piece(&patrol, &piece(1, 5, 2)).unwrap_err();
    assert_eq!(code(other), ProblemCode::TrackPieceConflict);
    let read = scope.patrol(patrol.id).unwrap().unwrap();
    assert!(
        (read.tally.metres - 400.0).abs() < 0.5,
        "{}",
        read.tally.metres
    );
    let track = scope.patrol_track(patrol.id).unwrap();
    assert_eq!(track.iter().map(|p| p.number()).collect::<Vec<_>>(), [0, 1]);
    assert_eq!(distance(&track), read.tally.metres);
    let figures = figures_of_the_day(&scope);
    assert_eq!(
        figures.total.metres, read.tally.metres,
        "kept with the piece"
    );
    assert_eq!(figures.total.patrols, 1);
    assert_eq!(figures.by_person[0].id, p.worker.0);
    assert_eq!(figures.by_grid[0].id, p.grid.0);
}

#[test]
fn visits_count_once_and_mark_their_micro_grid_visited() {
    let db = fresh_db();
    let t = tenant(&db, "patrol-b");
    let scope = TenantScope::new(&db, &t);
    let p = place(&scope);
    let patrol = start(&scope, p.worker, p.grid);
    let inside = Location::new(30.0, 120.0).unwrap();
    let micro = scope.visit_micro_grid(&patrol, None, Some(inside)).unwrap();
    assert_eq!(micro, Some(p.micro.0), "located by the place");
    let (first, created) = scope
        .add_visit(&patrol, &visit("v-1", Some(inside), micro))
        .unwrap();
    assert!(created);
    assert_eq!(first.micro_grid.as_ref().map(|m| m.0), Some(p.micro.0));
    let (again, created) = scope.add_visit(&patrol, &visit("v-1", None, None)).unwrap();
    assert!(!created, "the same client id is the same visit");
    assert_eq!(again, first);
    scope.add_visit(&patrol, &visit("v-2", None, None)).unwrap();
    assert_eq!(scope.patrol(patrol.id).unwrap().unwrap().tally.visits, 2);
    assert_eq!(figures_of_the_day(&scope).total.visits, 2);
    assert!(
        scope
            .visit_micro_grid(&patrol, Some(p.grid.0), None)
            .is_err(),
        "a grid is not a micro-grid"
    );
    let coverage = scope.coverage().unwrap();
    let last = |id: GridNodeId| {
        coverage
            .iter()
            .find(|n| n.id == id.0)
            .map(|n| n.last_visit_at)
    };
    assert_eq!(
        last(p.micro),
        Some(Some(fixed_now() + Duration::minutes(10)))
    );
    assert_eq!(last(p.other_micro), Some(None), "never visited");
    assert_eq!(last(p.grid), None, "only micro-grids are listed");
}

#[test]
fn a_person_runs_one_patrol_and_its_minutes_count_at_its_end() {
    let db = fresh_db();
    let t = tenant(&db, "patrol-c");
    let scope = TenantScope::new(&db, &t);
    let p = place(&scope);
    let patrol = start(&scope, p.worker, p.grid);
    let again = scope
        .start_patrol(&NewPatrol {
            person: p.worker,
            grid: p.other_grid.0,
            grid_day: None,
            started_at: fixed_now(),
        })
        .unwrap_err();
    let problem = domain::Problem::from(again);
    assert_eq!(problem.code(), ProblemCode::PatrolRunning);
    assert!(
        problem
            .to_json()
            .contains(&format!("\"patrol_id\":{}", patrol.id))
    );
    let end = fixed_now() + Duration::minutes(95);
    let ended = scope.end_patrol(&patrol, end).unwrap();
    assert_eq!((ended.ended_at, ended.tally.minutes), (Some(end), 95));
    let twice = scope.end_patrol(&ended, end + Duration::hours(1)).unwrap();
    assert_eq!(twice, ended, "ending again changes nothing");
    assert_eq!(figures_of_the_day(&scope).total.minutes, 95);
    // A report on the patrol: the reporter's own, until a day after its end.
    let later = end + Duration::hours(2);
    assert_eq!(
        scope
            .patrol_for_report(patrol.id, p.worker, later)
            .unwrap()
            .id,
        patrol.id
    );
    assert_eq!(
        code(
            scope
                .patrol_for_report(patrol.id, p.volunteer, later)
                .unwrap_err()
        ),
        ProblemCode::PatrolNotYours
    );
    assert_eq!(
        code(
            scope
                .patrol_for_report(patrol.id, p.worker, end + Duration::hours(25))
                .unwrap_err()
        ),
        ProblemCode::PatrolClosed
    );
    scope
        .count_patrol_problem(&ended, Some(p.other_micro), true, later)
        .unwrap();
    scope
        .count_patrol_problem(&ended, None, false, later)
        .unwrap();
    let counted = scope.patrol(patrol.id).unwrap().unwrap().tally;
    assert_eq!((counted.problems_found, counted.fixed_on_the_spot), (2, 1));
    let figures = figures_of_the_day(&scope).total;
    assert_eq!((figures.problems_found, figures.fixed_on_the_spot), (2, 1));
    assert_eq!(figures.on_the_spot_rate(), Some(0.5));
    // A problem found in a micro-grid of another grid, two hours after the
    // end, does not visit it (the coverage counts the patrol's grid, inside
    // its window).
    assert!(
        scope
            .coverage()
            .unwrap()
            .iter()
            .any(|n| n.id == p.other_micro.0 && n.last_visit_at.is_none())
    );
    // A new patrol may start now.
    start(&scope, p.worker, p.grid);
}

fn plan(date: NaiveDate, grids: &[GridNodeId], members: &[UserId]) -> GridDayPlan {
    GridDayPlan::new(
        date,
        "周三网格日",
        grids.iter().map(|g| g.0).collect(),
        members.iter().map(|m| m.0).collect(),
        date,
    )
    .expect("plan")
}

#[test]
fn a_grid_day_lists_its_grids_and_people_and_sums_their_patrols() {
    let db = fresh_db();
    let t = tenant(&db, "patrol-d");
    let scope = TenantScope::new(&db, &t);
    let p = place(&scope);
    let today = scope.local_date(fixed_now()).unwrap();
    let refused = scope
        .create_grid_day(
            &plan(today, &[p.grid], &[p.staff]),
            "tenant_admin:1",
            fixed_now(),
        )
        .unwrap_err();
    assert_eq!(
        domain::Problem::from(refused).status(),
        422,
        "centre staff are not members"
    );
    let community = scope.grid_path(p.grid).unwrap()[1].id;
    assert_eq!(
        domain::Problem::from(
            scope
                .create_grid_day(
                    &plan(today, &[community], &[]),
                    "tenant_admin:1",
                    fixed_now()
                )
                .unwrap_err()
        )
        .status(),
        404,
        "a community is not a grid"
    );
    let day = scope
        .create_grid_day(
            &plan(today, &[p.grid], &[p.worker, p.volunteer]),
            "tenant_admin:1",
            fixed_now(),
        )
        .unwrap();
    assert_eq!(day.grids, vec![(p.grid.0, "node T-C-G1".to_string())]);
    assert_eq!(day.members.len(), 2);
    assert!(day.members.iter().all(|m| !m.signed_in));
    let facts = scope.grid_day_facts(day.id, p.volunteer).unwrap().unwrap();
    assert_eq!(
        (facts.date, facts.grids.clone(), facts.member),
        (today, vec![p.grid.0], true)
    );
    assert!(
        !scope
            .grid_day_facts(day.id, p.staff)
            .unwrap()
            .unwrap()
            .member
    );

    let signed_in = scope
        .start_patrol(&NewPatrol {
            person: p.volunteer,
            grid: p.grid.0,
            grid_day: Some(day.id),
            started_at: fixed_now(),
        })
        .unwrap();
    scope
        .add_visit(&signed_in, &visit("x", None, None))
        .unwrap();
    scope.add_track_piece(&signed_in, &piece(0, 0, 4)).unwrap();
    // The worker's own patrol that day is not the grid day's.
    start(&scope, p.worker, p.grid);
    let read = scope.grid_day(day.id).unwrap().unwrap();
    assert_eq!(read.people_signed_in, 1);
    assert_eq!(
        (read.totals.patrols, read.totals.visits),
        (1, 1),
        "{:?}",
        read.totals
    );
    assert!((read.totals.metres - 300.0).abs() < 0.5);
    let volunteer = read.members.iter().find(|m| m.id == p.volunteer).unwrap();
    assert!(volunteer.signed_in && volunteer.role == "volunteer");
    let mine = scope.my_grid_days(p.volunteer, today).unwrap();
    assert_eq!(mine.len(), 1);
    assert_eq!(mine[0].my_patrol, Some(signed_in.id));
    assert!(scope.my_grid_days(p.staff, today).unwrap().is_empty());
    assert!(
        scope
            .my_grid_days(p.volunteer, today + Duration::days(1))
            .unwrap()
            .is_empty()
    );
    let listed = scope.grid_days(today, today).unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].totals, read.totals);

    // Replaced whole; then deleted (the caller checks the date).
    let next_week = today + Duration::days(7);
    let later = scope
        .create_grid_day(
            &plan(next_week, &[p.grid], &[p.worker]),
            "tenant_admin:1",
            fixed_now(),
        )
        .unwrap();
    let changed = scope
        .update_grid_day(later.id, &plan(next_week, &[p.other_grid], &[p.volunteer]))
        .unwrap();
    assert_eq!(changed.grids[0].0, p.other_grid.0);
    assert_eq!(changed.members[0].id, p.volunteer);
    scope.delete_grid_day(later.id).unwrap();
    assert_eq!(scope.grid_day(later.id).unwrap(), None);
}

#[test]
fn the_sweep_thins_tracks_past_the_tenants_retention_and_keeps_the_sums() {
    let db = fresh_db();
    let t = tenant(&db, "patrol-e");
    let scope = TenantScope::new(&db, &t);
    let p = place(&scope);
    let patrol = start(&scope, p.worker, p.grid);
    scope.add_track_piece(&patrol, &piece(0, 0, 3)).unwrap();
    let ended = scope
        .end_patrol(&patrol, fixed_now() + Duration::hours(1))
        .unwrap();
    let before: Tally = ended.tally;
    assert_eq!(scope.track_retention_days().unwrap(), 180, "the default");
    let thin_at = |days: i64| fixed_now() + Duration::hours(1) + Duration::days(days);
    assert_eq!(scope.thin_old_tracks(thin_at(179)).unwrap(), 0);
    assert_eq!(scope.patrol_track(patrol.id).unwrap().len(), 1);
    scope.set_track_retention_days(30).unwrap();
    assert!(scope.set_track_retention_days(6).is_err());
    assert_eq!(scope.track_retention_days().unwrap(), 30);
    assert_eq!(scope.thin_old_tracks(thin_at(29)).unwrap(), 0);
    assert_eq!(scope.thin_old_tracks(thin_at(31)).unwrap(), 1);
    assert_eq!(scope.thin_old_tracks(thin_at(32)).unwrap(), 0, "once");
    let thinned = scope.patrol(patrol.id).unwrap().unwrap();
    assert!(thinned.track_thinned);
    assert_eq!(thinned.tally, before, "the summary stays");
    assert!(scope.patrol_track(patrol.id).unwrap().is_empty());
    // A running patrol is never thinned.
    let running = start(&scope, p.worker, p.grid);
    scope.add_track_piece(&running, &piece(0, 0, 2)).unwrap();
    assert_eq!(scope.thin_old_tracks(thin_at(3650)).unwrap(), 0);
    assert_eq!(scope.patrol_track(running.id).unwrap().len(), 1);
}

#[test]
fn another_tenant_sees_none_of_it() {
    let db = fresh_db();
    let (a, b) = (tenant(&db, "patrol-f"), tenant(&db, "patrol-g"));
    let scope = TenantScope::new(&db, &a);
    let p = place(&scope);
    let patrol = start(&scope, p.worker, p.grid);
    scope.add_track_piece(&patrol, &piece(0, 0, 2)).unwrap();
    let other = TenantScope::new(&db, &b);
    assert_eq!(other.patrol(patrol.id).unwrap(), None);
    assert!(other.patrol_track(patrol.id).unwrap().is_empty());
    assert!(
        other
            .patrols(&PatrolQuery {
                limit: 50,
                ..PatrolQuery::default()
            })
            .unwrap()
            .is_empty()
    );
    let day = other.local_date(fixed_now()).unwrap();
    assert_eq!(
        other.patrol_figures(day, day).unwrap(),
        PatrolFigures::default()
    );
    assert!(other.held_grids(p.worker).unwrap().is_empty());
    assert_eq!(other.patrol_grid(p.grid.0).unwrap(), None);
}

#[test]
fn a_piece_of_track_costs_a_handful_of_statements_whatever_the_track() {
    let db = fresh_db();
    let t = tenant(&db, "patrol-h");
    let scope = TenantScope::new(&db, &t);
    let p = place(&scope);
    let patrol = start(&scope, p.worker, p.grid);
    for n in 0..20 {
        scope
            .add_track_piece(&patrol, &piece(n, n * 500, 500))
            .unwrap();
    }
    let counting = CountingDb::new(&db);
    let counted = TenantScope::new(&counting, &t);
    counted
        .add_track_piece(&patrol, &piece(20, 10_000, 500))
        .unwrap();
    // BEGIN, the neighbours, the count of points, the new piece, the
    // patrol, the figures, COMMIT.
    assert_eq!(counting.counts(), (7, 7));
    // A problem found, inside the report's transaction: the patrol, the
    // figures, the micro-grid; no savepoint of its own.
    let counting = CountingDb::new(&db);
    let counted = TenantScope::new(&counting, &t);
    in_transaction(&counting, |_| {
        counted.count_patrol_problem(&patrol, Some(p.micro), true, fixed_now())
    })
    .unwrap();
    assert_eq!(counting.counts(), (5, 5));
    let listed: Vec<DateTime<Utc>> = counted
        .patrols(&PatrolQuery {
            person: Some(p.worker),
            limit: 10,
            ..PatrolQuery::default()
        })
        .unwrap()
        .iter()
        .map(|p| p.started_at)
        .collect();
    assert_eq!(listed, vec![fixed_now()]);
}

/// A database that counts the rows of track pieces its statements read.
struct RowCountingDb<'a> {
    inner: &'a NativeDb,
    piece_rows: std::cell::Cell<usize>,
}

impl crate::Database for RowCountingDb<'_> {
    fn execute(&self, sql: &str, params: &[crate::Value]) -> Result<crate::Rows, StoreError> {
        let rows = self.inner.execute(sql, params)?;
        if sql.starts_with("SELECT piece, points") {
            self.piece_rows.set(self.piece_rows.get() + rows.len());
        }
        Ok(rows)
    }

    fn transaction_depth(&self) -> &std::cell::Cell<u32> {
        self.inner.transaction_depth()
    }
}

#[test]
fn a_piece_reads_its_two_neighbours_and_a_track_keeps_at_most_20000_points() {
    let db = fresh_db();
    let t = tenant(&db, "patrol-i");
    let scope = TenantScope::new(&db, &t);
    let p = place(&scope);
    let patrol = start(&scope, p.worker, p.grid);
    // 40 pieces of 500 points (one every 60 s is far past 12 hours, but
    // the store counts points, the component times them), every other
    // piece first, then the gaps: the kept distance is the whole track's.
    let full = MAX_TRACK_POINTS / 500;
    let order: Vec<i64> = (0..full).step_by(2).chain((1..full).step_by(2)).collect();
    let counting = RowCountingDb {
        inner: &db,
        piece_rows: Default::default(),
    };
    let counted = TenantScope::new(&counting, &t);
    for n in order {
        counting.piece_rows.set(0);
        counted
            .add_track_piece(&patrol, &piece(n, n * 500, 500))
            .unwrap();
        assert!(
            counting.piece_rows.get() <= 2,
            "piece {n} read {} pieces",
            counting.piece_rows.get()
        );
    }
    let read = scope.patrol(patrol.id).unwrap().unwrap();
    let track = scope.patrol_track(patrol.id).unwrap();
    assert_eq!(track.len() as i64, full);
    assert!(
        (read.tally.metres - distance(&track)).abs() < 0.5,
        "{} kept, {} along the track",
        read.tally.metres,
        distance(&track)
    );
    assert_eq!(figures_of_the_day(&scope).total.metres, read.tally.metres);
    // One point more is refused, and changes nothing.
    let over = scope
        .add_track_piece(&patrol, &piece(full, full * 500, 1))
        .unwrap_err();
    assert_eq!(code(over), ProblemCode::TrackFull);
    assert_eq!(scope.patrol(patrol.id).unwrap().unwrap().tally, read.tally);
    assert_eq!(scope.patrol_track(patrol.id).unwrap().len() as i64, full);
    // A piece already in is still recognised.
    assert_eq!(
        scope
            .add_track_piece(&patrol, &piece(3, 1500, 500))
            .unwrap(),
        PieceOutcome::Again
    );
}

#[test]
fn the_sweep_ends_a_patrol_left_running_at_12_hours() {
    let db = fresh_db();
    let t = tenant(&db, "patrol-j");
    let scope = TenantScope::new(&db, &t);
    let p = place(&scope);
    let patrol = start(&scope, p.worker, p.grid);
    scope.add_track_piece(&patrol, &piece(0, 0, 3)).unwrap();
    let at = |hours: i64| fixed_now() + Duration::hours(hours);
    assert_eq!(scope.end_overdue_patrols(at(11)).unwrap(), 0);
    assert_eq!(scope.running_patrol(p.worker).unwrap(), Some(patrol.id));
    assert_eq!(scope.end_overdue_patrols(at(24 * 400)).unwrap(), 1);
    assert_eq!(scope.end_overdue_patrols(at(24 * 400)).unwrap(), 0, "once");
    let ended = scope.patrol(patrol.id).unwrap().unwrap();
    assert_eq!(ended.ended_at, Some(at(12)));
    assert_eq!(ended.tally.minutes, 720, "not 576,000");
    assert_eq!(figures_of_the_day(&scope).total.minutes, 720);
    let log = scope.audit_log(None, 50).unwrap();
    let entry = log
        .iter()
        .find(|e| e.target_type == "patrol" && e.action == "end")
        .expect("the sweep's end in the audit log");
    assert_eq!(entry.actor, "sweep");
    // The reporting window and the retention now run from that end.
    let closed = scope
        .patrol_for_report(patrol.id, p.worker, at(12 + 25))
        .unwrap_err();
    assert_eq!(code(closed), ProblemCode::PatrolClosed);
    scope.set_track_retention_days(30).unwrap();
    assert_eq!(
        scope.thin_old_tracks(at(12) + Duration::days(31)).unwrap(),
        1
    );
    // The person starts again, after that end only.
    assert_eq!(scope.last_patrol_end(p.worker).unwrap(), Some(at(12)));
    assert_eq!(scope.last_patrol_end(p.volunteer).unwrap(), None);
}

#[test]
fn coverage_counts_only_micro_grids_under_the_patrols_grid_inside_its_window() {
    let db = fresh_db();
    let t = tenant(&db, "patrol-k");
    let scope = TenantScope::new(&db, &t);
    let p = place(&scope);
    let patrol = start(&scope, p.worker, p.grid);
    // A micro-grid of another grid, named: refused.
    let named = scope
        .visit_micro_grid(&patrol, Some(p.other_micro.0), None)
        .unwrap_err();
    assert_eq!(code(named), ProblemCode::NotPatrolGrid);
    assert_eq!(
        scope
            .visit_micro_grid(&patrol, Some(p.micro.0), None)
            .unwrap(),
        Some(p.micro.0)
    );
    // Stored with another grid's micro-grid anyway (a caller that did not
    // ask): the coverage does not move.
    scope
        .add_visit(&patrol, &visit("v-x", None, Some(p.other_micro.0)))
        .unwrap();
    // A problem found elsewhere, or long after the patrol: not a visit.
    scope
        .count_patrol_problem(&patrol, Some(p.other_micro), false, fixed_now())
        .unwrap();
    let ended = scope
        .end_patrol(&patrol, fixed_now() + Duration::hours(1))
        .unwrap();
    scope
        .count_patrol_problem(
            &ended,
            Some(p.micro),
            false,
            fixed_now() + Duration::hours(20),
        )
        .unwrap();
    let last = |id: GridNodeId| {
        scope
            .coverage()
            .unwrap()
            .iter()
            .find(|n| n.id == id.0)
            .and_then(|n| n.last_visit_at)
    };
    assert_eq!(last(p.other_micro), None);
    assert_eq!(last(p.micro), None);
    // Inside: counted.
    scope
        .count_patrol_problem(
            &ended,
            Some(p.micro),
            true,
            fixed_now() + Duration::minutes(62),
        )
        .unwrap();
    assert_eq!(last(p.micro), Some(fixed_now() + Duration::minutes(62)));
    assert_eq!(
        scope
            .patrol(patrol.id)
            .unwrap()
            .unwrap()
            .tally
            .problems_found,
        3
    );
}

#[test]
fn a_grid_day_someone_signed_in_to_keeps_its_date_grids_and_people() {
    let db = fresh_db();
    let t = tenant(&db, "patrol-l");
    let scope = TenantScope::new(&db, &t);
    let p = place(&scope);
    let today = scope.local_date(fixed_now()).unwrap();
    let day = scope
        .create_grid_day(
            &plan(today, &[p.grid], &[p.volunteer, p.worker]),
            "tenant_admin:1",
            fixed_now(),
        )
        .unwrap();
    scope
        .start_patrol(&NewPatrol {
            person: p.volunteer,
            grid: p.grid.0,
            grid_day: Some(day.id),
            started_at: fixed_now(),
        })
        .unwrap();
    let refused = |after: GridDayPlan, field: &str| {
        let e = scope.update_grid_day(day.id, &after).unwrap_err();
        let problem = domain::Problem::from(e);
        assert_eq!(problem.code(), ProblemCode::GridDayStarted);
        assert_eq!(problem.field.as_deref(), Some(field));
    };
    // Moved to tomorrow on another grid with nobody: refused.
    let tomorrow = today + Duration::days(1);
    refused(
        GridDayPlan::new(tomorrow, "日", vec![p.other_grid.0], vec![], today).unwrap(),
        "date",
    );
    refused(plan(today, &[p.other_grid], &[p.volunteer]), "grid_ids");
    refused(plan(today, &[p.grid], &[p.worker]), "member_ids");
    let unchanged = scope.grid_day(day.id).unwrap().unwrap();
    assert_eq!(
        (
            unchanged.date,
            unchanged.grids.len(),
            unchanged.members.len()
        ),
        (today, 1, 2)
    );
    // The title and additions; someone who did not sign in may go.
    let mut more = plan(today, &[p.grid, p.other_grid], &[p.volunteer]);
    more.title = "周三网格日（加）".into();
    let changed = scope.update_grid_day(day.id, &more).unwrap();
    assert_eq!(
        (
            changed.title.as_str(),
            changed.grids.len(),
            changed.members.len()
        ),
        ("周三网格日（加）", 2, 1)
    );
    let deleted = scope.delete_grid_day(day.id).unwrap_err();
    assert_eq!(code(deleted), ProblemCode::GridDayStarted);
    assert!(scope.grid_day(day.id).unwrap().is_some());
}
