//! Patrols (巡查): a grid worker's or a volunteer's walk, its track in the
//! phone's pieces, its visits and the problems found on it (cases with a
//! `patrol_id`), and what is kept of them for the figures: each patrol's
//! own sums, `patrol_figures` per local day × person × grid × grid day, and
//! `micro_grid_visits`, each micro-grid's last visit. Every write changes
//! them in its own transaction, so reading the figures costs the same at
//! any size. `docs/patrols.md`.
//!
//! Statements are few (each is a round trip on libSQL): a piece of track is
//! one row whatever its points; a write is its row, the patrol's sums and
//! the figures' row. A piece's upload reads its two neighbours by number,
//! never the whole track; the patrol's `track_points` counts its points,
//! up to `MAX_TRACK_POINTS`.

use super::TenantScope;
use crate::db::{Database, Row, StoreError, in_transaction, in_transaction_or_joined};
use crate::error::Error;
use crate::time::{get_opt_time, get_time, to_text};
use chrono::{DateTime, NaiveDate, Utc};
use domain::patrol::{
    DEFAULT_TRACK_RETENTION_DAYS, GridFacts, MAX_PATROL_LENGTH, MAX_TRACK_POINTS, NewVisit, Tally,
    TrackPiece, VisitKind, check_open, distance_added, in_window, minutes, thin_before,
};
use domain::{GridNodeId, Location, Problem, ProblemCode, UserId};

/// A patrol as stored, with its person's and grid's names.
#[derive(Debug, Clone, PartialEq)]
pub struct Patrol {
    pub id: i64,
    pub person: UserId,
    pub person_name: String,
    pub grid: i64,
    pub grid_name: String,
    pub grid_day: Option<i64>,
    /// The local date it started on: the figures' day.
    pub day: NaiveDate,
    pub started_at: DateTime<Utc>,
    pub ended_at: Option<DateTime<Utc>>,
    /// Its sums (`patrols` is 1; `minutes` 0 until it ends).
    pub tally: Tally,
    pub track_thinned: bool,
}

impl Patrol {
    /// The key of its row in `patrol_figures`.
    fn figures_key(&self, tenant: i64) -> [crate::Value; 5] {
        [
            tenant.into(),
            self.day.to_string().into(),
            self.person.0.into(),
            self.grid.into(),
            self.grid_day.unwrap_or(0).into(),
        ]
    }
}

/// A patrol to start (its grid and day checked by the caller against
/// `domain::patrol::may_start`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewPatrol {
    pub person: UserId,
    pub grid: i64,
    pub grid_day: Option<i64>,
    pub started_at: DateTime<Utc>,
}

/// A visit as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct Visit {
    pub id: i64,
    pub client_id: String,
    pub kind: VisitKind,
    pub note: String,
    pub place: Option<Location>,
    pub micro_grid: Option<(i64, String)>,
    pub at: DateTime<Utc>,
}

/// A case found on a patrol, as the patrol lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PatrolProblem {
    pub case_id: i64,
    pub tracking_code: String,
    pub category: String,
    pub state: String,
    pub fixed_on_the_spot: bool,
}

/// What became of a piece of track sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PieceOutcome {
    Added,
    /// The same piece with the same points: nothing changed.
    Again,
}

/// Which patrols to list, newest first.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PatrolQuery {
    pub person: Option<UserId>,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    /// The last id of the page before.
    pub after: Option<i64>,
    pub limit: u32,
}

/// One row of the figures: a person or a grid, with its sums.
#[derive(Debug, Clone, PartialEq)]
pub struct FigureRow {
    pub id: i64,
    pub name: String,
    pub tally: Tally,
}

/// The figures of a period.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PatrolFigures {
    pub total: Tally,
    pub by_person: Vec<FigureRow>,
    pub by_grid: Vec<FigureRow>,
}

/// A micro-grid and its last visit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CoverageNode {
    pub id: i64,
    pub name: String,
    pub parent: Option<i64>,
    pub last_visit_at: Option<DateTime<Utc>>,
}

const PATROL_SELECT: &str = "SELECT p.id, p.person_id, u.display_name AS person_name, p.grid_id, \
     g.name AS grid_name, p.grid_day_id, p.day, p.started_at, p.ended_at, p.minutes, p.metres, \
     p.visits, p.problems_found, p.fixed_on_the_spot, p.track_thinned FROM patrols p \
     JOIN users u ON u.tenant_id = p.tenant_id AND u.id = p.person_id \
     JOIN grid_nodes g ON g.tenant_id = p.tenant_id AND g.id = p.grid_id";

fn patrol_from_row(r: &Row<'_>) -> Result<Patrol, StoreError> {
    Ok(Patrol {
        id: r.get_i64("id")?,
        person: UserId(r.get_i64("person_id")?),
        person_name: r.get_string("person_name")?,
        grid: r.get_i64("grid_id")?,
        grid_name: r.get_string("grid_name")?,
        grid_day: r.get_opt_i64("grid_day_id")?,
        day: crate::decoded(
            "day",
            r.get_str("day")?
                .parse::<NaiveDate>()
                .map_err(|_| Problem::internal("day")),
        )?,
        started_at: get_time(r, "started_at")?,
        ended_at: get_opt_time(r, "ended_at")?,
        tally: tally_from_row(r, false)?,
        track_thinned: r.get_bool("track_thinned")?,
    })
}

/// A tally from a row's sums (`patrols` read when `counted`, else 1).
pub(super) fn tally_from_row(r: &Row<'_>, counted: bool) -> Result<Tally, StoreError> {
    Ok(Tally {
        patrols: if counted { r.get_i64("patrols")? } else { 1 },
        minutes: r.get_i64("minutes")?,
        metres: r.get_f64("metres")?,
        visits: r.get_i64("visits")?,
        problems_found: r.get_i64("problems_found")?,
        fixed_on_the_spot: r.get_i64("fixed_on_the_spot")?,
    })
}

/// The sums of `patrol_figures` rows, as a SELECT list.
pub(super) const SUMS: &str = "COALESCE(SUM(f.patrols), 0) AS patrols, \
     COALESCE(SUM(f.minutes), 0) AS minutes, COALESCE(SUM(f.metres), 0.0) AS metres, \
     COALESCE(SUM(f.visits), 0) AS visits, COALESCE(SUM(f.problems_found), 0) AS problems_found, \
     COALESCE(SUM(f.fixed_on_the_spot), 0) AS fixed_on_the_spot";

const FIGURES_KEY: &str =
    "tenant_id = ? AND day = ? AND person_id = ? AND grid_id = ? AND grid_day_id = ?";

impl<D: Database + ?Sized> TenantScope<'_, D> {
    pub fn patrol(&self, id: i64) -> Result<Option<Patrol>, Error> {
        let rows = self.db.execute(
            &format!("{PATROL_SELECT} WHERE p.tenant_id = ? AND p.id = ?"),
            &[self.tenant.0.into(), id.into()],
        )?;
        Ok(rows.first().map(|r| patrol_from_row(&r)).transpose()?)
    }

    /// Patrols newest first, of one person or all.
    pub fn patrols(&self, query: &PatrolQuery) -> Result<Vec<Patrol>, Error> {
        let mut sql = format!("{PATROL_SELECT} WHERE p.tenant_id = ?");
        let mut params = vec![self.tenant.0.into()];
        if let Some(person) = query.person {
            sql.push_str(" AND p.person_id = ?");
            params.push(person.0.into());
        }
        if let Some(from) = query.from {
            sql.push_str(" AND p.day >= ?");
            params.push(from.to_string().into());
        }
        if let Some(to) = query.to {
            sql.push_str(" AND p.day <= ?");
            params.push(to.to_string().into());
        }
        if let Some(after) = query.after {
            sql.push_str(" AND p.id < ?");
            params.push(after.into());
        }
        sql.push_str(" ORDER BY p.id DESC LIMIT ?");
        params.push(i64::from(query.limit).into());
        let rows = self.db.execute(&sql, &params)?;
        Ok(rows
            .iter()
            .map(|r| patrol_from_row(&r))
            .collect::<Result<_, _>>()?)
    }

    /// A grid node as the patrol rules see it (retired ones are none).
    pub fn patrol_grid(&self, id: i64) -> Result<Option<GridFacts>, Error> {
        let rows = self.db.execute(
            "SELECT id, parent_id, level FROM grid_nodes \
             WHERE tenant_id = ? AND id = ? AND retired = 0",
            &[self.tenant.0.into(), id.into()],
        )?;
        Ok(rows.first().map(|r| grid_facts(&r)).transpose()?)
    }

    /// The grids a person holds, as the patrol rules see them.
    pub fn held_grids(&self, person: UserId) -> Result<Vec<GridFacts>, Error> {
        let rows = self.db.execute(
            "SELECT g.id, g.parent_id, g.level FROM grid_assignments a \
             JOIN grid_nodes g ON g.tenant_id = a.tenant_id AND g.id = a.grid_node_id \
             WHERE a.tenant_id = ? AND a.user_id = ?",
            &[self.tenant.0.into(), person.0.into()],
        )?;
        Ok(rows
            .iter()
            .map(|r| grid_facts(&r))
            .collect::<Result<_, _>>()?)
    }

    /// Starts a patrol: its row and its count in the figures, in one
    /// transaction. A person with a running patrol gets 409
    /// `patrol_running` naming it.
    pub fn start_patrol(&self, new: &NewPatrol) -> Result<Patrol, Error> {
        let day = self.local_date(new.started_at)?;
        let inserted = in_transaction(self.db, |db| -> Result<i64, Error> {
            let rows = db.execute(
                "INSERT INTO patrols (tenant_id, person_id, grid_id, grid_day_id, day, started_at) \
                 VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
                &[
                    self.tenant.0.into(),
                    new.person.0.into(),
                    new.grid.into(),
                    new.grid_day.into(),
                    day.to_string().into(),
                    to_text(new.started_at).into(),
                ],
            );
            let id = match rows {
                Ok(rows) => rows.returned()?.get_i64("id")?,
                Err(e) if e.is_unique_violation() => return Err(Error::Conflict(String::new())),
                Err(e) => return Err(e.into()),
            };
            db.execute(
                "INSERT INTO patrol_figures (tenant_id, day, person_id, grid_id, grid_day_id, \
                 patrols) VALUES (?, ?, ?, ?, ?, 1) ON CONFLICT (tenant_id, day, person_id, \
                 grid_id, grid_day_id) DO UPDATE SET patrols = patrols + 1",
                &[
                    self.tenant.0.into(),
                    day.to_string().into(),
                    new.person.0.into(),
                    new.grid.into(),
                    new.grid_day.unwrap_or(0).into(),
                ],
            )?;
            Ok(id)
        });
        let id = match inserted {
            Ok(id) => id,
            Err(Error::Conflict(_)) => {
                let running = self.running_patrol(new.person)?;
                return Err(Problem::coded(
                    ProblemCode::PatrolRunning,
                    "you have a patrol running: end it before starting another",
                )
                .with_extension("patrol_id", serde_json::json!(running))
                .into());
            }
            Err(e) => return Err(e),
        };
        self.patrol(id)?
            .ok_or_else(|| Error::NotFound("the patrol just started".into()))
    }

    /// The person's running patrol, if any.
    pub fn running_patrol(&self, person: UserId) -> Result<Option<i64>, Error> {
        let rows = self.db.execute(
            "SELECT id FROM patrols WHERE tenant_id = ? AND person_id = ? AND ended_at IS NULL",
            &[self.tenant.0.into(), person.0.into()],
        )?;
        Ok(rows.first().map(|r| r.get_i64("id")).transpose()?)
    }

    /// Adds a piece of the track: the same piece again changes nothing; the
    /// same number with other points is 409 `track_piece_conflict`; past
    /// `MAX_TRACK_POINTS` points in all, 409 `track_full`. The distance the
    /// piece adds is measured from the pieces just before and after it by
    /// number (`domain::patrol::distance_added`), and added to the
    /// patrol's and the figures' metres, in the piece's transaction: five
    /// statements whatever the track's length.
    pub fn add_track_piece(
        &self,
        patrol: &Patrol,
        piece: &TrackPiece,
    ) -> Result<PieceOutcome, Error> {
        let stored = piece.to_stored();
        let number = piece.number();
        in_transaction(self.db, |db| -> Result<PieceOutcome, Error> {
            let rows = db.execute(
                "SELECT piece, points FROM (SELECT piece, points FROM patrol_track_pieces \
                 WHERE tenant_id = ? AND patrol_id = ? AND piece <= ? \
                 ORDER BY piece DESC LIMIT 1) UNION ALL SELECT piece, points FROM \
                 (SELECT piece, points FROM patrol_track_pieces \
                 WHERE tenant_id = ? AND patrol_id = ? AND piece > ? ORDER BY piece LIMIT 1)",
                &[
                    self.tenant.0.into(),
                    patrol.id.into(),
                    number.into(),
                    self.tenant.0.into(),
                    patrol.id.into(),
                    number.into(),
                ],
            )?;
            let (mut before, mut after) = (None, None);
            for r in rows.iter() {
                let at = r.get_i64("piece")?;
                let points = r.get_str("points")?;
                if at == number {
                    if points == stored {
                        return Ok(PieceOutcome::Again);
                    }
                    return Err(Problem::coded(
                        ProblemCode::TrackPieceConflict,
                        format!("piece {number} was uploaded before with other points"),
                    )
                    .with_field("piece")
                    .into());
                }
                let found = Some(TrackPiece::from_stored(at, points)?);
                if at < number {
                    before = found;
                } else {
                    after = found;
                }
            }
            // Counted first, in one statement that also says the sum: past
            // the limit the transaction is rolled back with the count.
            let total = db
                .execute(
                    "UPDATE patrols SET track_points = track_points + ? \
                     WHERE tenant_id = ? AND id = ? RETURNING track_points AS total",
                    &[
                        (piece.points().len() as i64).into(),
                        self.tenant.0.into(),
                        patrol.id.into(),
                    ],
                )?
                .returned()?
                .get_i64("total")?;
            if total > MAX_TRACK_POINTS {
                return Err(Problem::coded(
                    ProblemCode::TrackFull,
                    format!(
                        "a patrol's track keeps at most {MAX_TRACK_POINTS} points: end this patrol and start another"
                    ),
                )
                .with_field("points")
                .into());
            }
            let added = distance_added(before.as_ref(), piece, after.as_ref());
            db.execute(
                "INSERT INTO patrol_track_pieces (tenant_id, patrol_id, piece, points) \
                 VALUES (?, ?, ?, ?)",
                &[
                    self.tenant.0.into(),
                    patrol.id.into(),
                    number.into(),
                    stored.clone().into(),
                ],
            )?;
            self.count_on_patrol(db, patrol, "metres = metres + ?", &[added.into()])?;
            Ok(PieceOutcome::Added)
        })
    }

    /// The track, its pieces in their numbers' order.
    pub fn patrol_track(&self, patrol: i64) -> Result<Vec<TrackPiece>, Error> {
        let rows = self.db.execute(
            "SELECT piece, points FROM patrol_track_pieces \
             WHERE tenant_id = ? AND patrol_id = ? ORDER BY piece",
            &[self.tenant.0.into(), patrol.into()],
        )?;
        rows.iter()
            .map(|r| {
                Ok(TrackPiece::from_stored(
                    r.get_i64("piece")?,
                    r.get_str("points")?,
                )?)
            })
            .collect()
    }

    /// Records a visit (the micro-grid already resolved by the caller):
    /// `(visit, true)`; the same `client_id` again on the patrol gives the
    /// first visit, `false`, and changes nothing.
    pub fn add_visit(&self, patrol: &Patrol, visit: &NewVisit) -> Result<(Visit, bool), Error> {
        let created = in_transaction(self.db, |db| -> Result<Option<i64>, Error> {
            let rows = db.execute(
                "INSERT INTO patrol_visits (tenant_id, patrol_id, client_id, kind, note, \
                 latitude, longitude, micro_grid_id, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) \
                 ON CONFLICT (tenant_id, patrol_id, client_id) DO NOTHING RETURNING id",
                &[
                    self.tenant.0.into(),
                    patrol.id.into(),
                    visit.client_id.clone().into(),
                    visit.kind.as_str().into(),
                    visit.note.clone().into(),
                    visit.place.map(|p| p.latitude()).into(),
                    visit.place.map(|p| p.longitude()).into(),
                    visit.micro_grid.into(),
                    to_text(visit.at).into(),
                ],
            )?;
            let Some(id) = rows.first().map(|r| r.get_i64("id")).transpose()? else {
                return Ok(None);
            };
            self.count_on_patrol(db, patrol, "visits = visits + 1", &[])?;
            if let Some(micro_grid) = visit.micro_grid {
                self.visited(db, patrol, micro_grid, visit.at)?;
            }
            Ok(Some(id))
        })?;
        let rows = self.db.execute(
            &format!(
                "{VISIT_SELECT} WHERE v.tenant_id = ? AND v.patrol_id = ? AND v.client_id = ?"
            ),
            &[
                self.tenant.0.into(),
                patrol.id.into(),
                visit.client_id.clone().into(),
            ],
        )?;
        let stored = visit_from_row(&rows.returned()?)?;
        Ok((stored, created.is_some()))
    }

    pub fn patrol_visits(&self, patrol: i64) -> Result<Vec<Visit>, Error> {
        let rows = self.db.execute(
            &format!(
                "{VISIT_SELECT} WHERE v.tenant_id = ? AND v.patrol_id = ? ORDER BY v.at, v.id"
            ),
            &[self.tenant.0.into(), patrol.into()],
        )?;
        Ok(rows
            .iter()
            .map(|r| visit_from_row(&r))
            .collect::<Result<_, _>>()?)
    }

    /// The cases found on the patrol.
    pub fn patrol_problems(&self, patrol: i64) -> Result<Vec<PatrolProblem>, Error> {
        let rows = self.db.execute(
            "SELECT id, tracking_code, category, state, fixed_on_the_spot FROM cases \
             WHERE tenant_id = ? AND patrol_id = ? ORDER BY id",
            &[self.tenant.0.into(), patrol.into()],
        )?;
        Ok(rows
            .iter()
            .map(|r| {
                Ok(PatrolProblem {
                    case_id: r.get_i64("id")?,
                    tracking_code: r.get_string("tracking_code")?,
                    category: r.get_string("category")?,
                    state: r.get_string("state")?,
                    fixed_on_the_spot: r.get_bool("fixed_on_the_spot")?,
                })
            })
            .collect::<Result<_, StoreError>>()?)
    }

    /// Ends the patrol at `ended_at` and adds its minutes to the figures;
    /// a patrol already ended stays as it was.
    pub fn end_patrol(&self, patrol: &Patrol, ended_at: DateTime<Utc>) -> Result<Patrol, Error> {
        let minutes = minutes(patrol.started_at, ended_at);
        in_transaction(self.db, |db| -> Result<(), Error> {
            let ended = db.execute(
                "UPDATE patrols SET ended_at = ?, minutes = ? \
                 WHERE tenant_id = ? AND id = ? AND ended_at IS NULL RETURNING id",
                &[
                    to_text(ended_at).into(),
                    minutes.into(),
                    self.tenant.0.into(),
                    patrol.id.into(),
                ],
            )?;
            if !ended.is_empty() {
                let mut params = vec![minutes.into()];
                params.extend(patrol.figures_key(self.tenant.0));
                db.execute(
                    &format!("UPDATE patrol_figures SET minutes = minutes + ? WHERE {FIGURES_KEY}"),
                    &params,
                )?;
            }
            Ok(())
        })?;
        self.patrol(patrol.id)?
            .ok_or_else(|| Error::NotFound("no such patrol".into()))
    }

    /// The patrol a report names, if the reporter may report on it: theirs
    /// (else 422 `patrol_not_yours`) and not closed (409 `patrol_closed`).
    pub fn patrol_for_report(
        &self,
        patrol: i64,
        reporter: UserId,
        now: DateTime<Utc>,
    ) -> Result<Patrol, Error> {
        let found = self.patrol(patrol)?.filter(|p| p.person == reporter);
        let Some(found) = found else {
            return Err(Problem::coded(
                ProblemCode::PatrolNotYours,
                "the patrol named is not one of yours",
            )
            .with_field("patrol_id")
            .into());
        };
        check_open(found.started_at, found.ended_at, now).map_err(|p| p.with_field("patrol_id"))?;
        Ok(found)
    }

    /// Counts a case found on `patrol` (already recorded with its
    /// `patrol_id`), joining the caller's transaction (no savepoint: two
    /// round trips fewer; a failure fails the report): the patrol's and the
    /// figures' problems found (and fixed on the spot), and the case's
    /// micro-grid as visited when it is under the patrol's grid and the
    /// report is made inside the patrol's window (else it counts for the
    /// patrol, not for the coverage).
    pub fn count_patrol_problem(
        &self,
        patrol: &Patrol,
        grid_node: Option<GridNodeId>,
        fixed_on_the_spot: bool,
        at: DateTime<Utc>,
    ) -> Result<(), Error> {
        in_transaction_or_joined(self.db, |db| -> Result<(), Error> {
            let fixed = i64::from(fixed_on_the_spot);
            self.count_on_patrol(
                db,
                patrol,
                "problems_found = problems_found + 1, fixed_on_the_spot = fixed_on_the_spot + ?",
                &[fixed.into()],
            )?;
            let inside = in_window(at, patrol.started_at, patrol.ended_at, at);
            if let Some(node) = grid_node.filter(|_| inside) {
                self.visited(db, patrol, node.0, at)?;
            }
            Ok(())
        })
    }

    /// `change` (a SET list, with its `params`) on the patrol's row and on
    /// its row of the figures.
    fn count_on_patrol(
        &self,
        db: &D,
        patrol: &Patrol,
        change: &str,
        params: &[crate::Value],
    ) -> Result<(), Error> {
        let mut on_patrol = params.to_vec();
        on_patrol.extend([self.tenant.0.into(), patrol.id.into()]);
        db.execute(
            &format!("UPDATE patrols SET {change} WHERE tenant_id = ? AND id = ?"),
            &on_patrol,
        )?;
        let mut on_figures = params.to_vec();
        on_figures.extend(patrol.figures_key(self.tenant.0));
        db.execute(
            &format!("UPDATE patrol_figures SET {change} WHERE {FIGURES_KEY}"),
            &on_figures,
        )?;
        Ok(())
    }

    /// Marks `node` visited at `at`, if it is a micro-grid of the tenant
    /// under the patrol's grid (the grid or the micro-grid patrolled).
    fn visited(&self, db: &D, patrol: &Patrol, node: i64, at: DateTime<Utc>) -> Result<(), Error> {
        db.execute(
            "INSERT INTO micro_grid_visits (tenant_id, grid_node_id, last_visit_at) \
             SELECT tenant_id, id, ? FROM grid_nodes WHERE tenant_id = ? AND id = ? AND level = 4 \
             AND (id = ? OR parent_id = ?) \
             ON CONFLICT (tenant_id, grid_node_id) DO UPDATE SET \
             last_visit_at = max(last_visit_at, excluded.last_visit_at)",
            &[
                to_text(at).into(),
                self.tenant.0.into(),
                node.into(),
                patrol.grid.into(),
                patrol.grid.into(),
            ],
        )?;
        Ok(())
    }

    /// The micro-grid a visit on `patrol` names (one of the tenant's, 404
    /// otherwise, under the patrol's grid, 422 `not_patrol_grid`
    /// otherwise), else the one its place falls in if under the patrol's
    /// grid, else none.
    pub fn visit_micro_grid(
        &self,
        patrol: &Patrol,
        named: Option<i64>,
        place: Option<Location>,
    ) -> Result<Option<i64>, Error> {
        let under = |g: &GridFacts| g.id == patrol.grid || g.parent == Some(patrol.grid);
        if let Some(id) = named {
            let found = self.patrol_grid(id)?.filter(|g| g.level == 4);
            return match found {
                Some(g) if under(&g) => Ok(Some(g.id)),
                Some(_) => Err(Problem::coded(
                    ProblemCode::NotPatrolGrid,
                    "the micro-grid is not under the patrol's grid",
                )
                .with_field("micro_grid_id")
                .into()),
                None => Err(Problem::unknown("micro_grid_id", "no such micro-grid").into()),
            };
        }
        let Some(p) = place else { return Ok(None) };
        let Some(node) = self.locate(p.latitude(), p.longitude())? else {
            return Ok(None);
        };
        Ok(self
            .patrol_grid(node.id.0)?
            .filter(|g| g.level == 4 && under(g))
            .map(|g| g.id))
    }

    /// The kept figures of the local days `from` to `to`: by person and by
    /// grid (two grouped reads of `patrol_figures`).
    pub fn patrol_figures(&self, from: NaiveDate, to: NaiveDate) -> Result<PatrolFigures, Error> {
        let by = |key: &str, join: &str| -> Result<Vec<FigureRow>, Error> {
            let rows = self.db.execute(
                &format!(
                    "SELECT f.{key} AS id, n.{join} AS name, {SUMS} FROM patrol_figures f \
                     JOIN {} n ON n.tenant_id = f.tenant_id AND n.id = f.{key} \
                     WHERE f.tenant_id = ? AND f.day >= ? AND f.day <= ? \
                     GROUP BY f.{key}, n.{join} ORDER BY f.{key}",
                    if key == "person_id" {
                        "users"
                    } else {
                        "grid_nodes"
                    }
                ),
                &[
                    self.tenant.0.into(),
                    from.to_string().into(),
                    to.to_string().into(),
                ],
            )?;
            Ok(rows
                .iter()
                .map(|r| {
                    Ok(FigureRow {
                        id: r.get_i64("id")?,
                        name: r.get_string("name")?,
                        tally: tally_from_row(&r, true)?,
                    })
                })
                .collect::<Result<_, StoreError>>()?)
        };
        let by_person = by("person_id", "display_name")?;
        let by_grid = by("grid_id", "name")?;
        let mut total = Tally::default();
        for row in &by_person {
            total.add(&row.tally);
        }
        Ok(PatrolFigures {
            total,
            by_person,
            by_grid,
        })
    }

    /// Every micro-grid in service and its last visit, in one read.
    pub fn coverage(&self) -> Result<Vec<CoverageNode>, Error> {
        let rows = self.db.execute(
            "SELECT g.id, g.name, g.parent_id, v.last_visit_at FROM grid_nodes g \
             LEFT JOIN micro_grid_visits v ON v.tenant_id = g.tenant_id AND v.grid_node_id = g.id \
             WHERE g.tenant_id = ? AND g.level = 4 AND g.retired = 0 ORDER BY g.code",
            &[self.tenant.0.into()],
        )?;
        Ok(rows
            .iter()
            .map(|r| {
                Ok(CoverageNode {
                    id: r.get_i64("id")?,
                    name: r.get_string("name")?,
                    parent: r.get_opt_i64("parent_id")?,
                    last_visit_at: get_opt_time(&r, "last_visit_at")?,
                })
            })
            .collect::<Result<_, StoreError>>()?)
    }

    /// How many days the tenant keeps tracks.
    pub fn track_retention_days(&self) -> Result<i64, Error> {
        let rows = self.db.execute(
            "SELECT track_retention_days FROM patrol_settings WHERE tenant_id = ?",
            &[self.tenant.0.into()],
        )?;
        Ok(rows
            .first()
            .map(|r| r.get_i64("track_retention_days"))
            .transpose()?
            .unwrap_or(DEFAULT_TRACK_RETENTION_DAYS))
    }

    /// Sets it (checked by `domain::patrol::retention_days`).
    pub fn set_track_retention_days(&self, days: i64) -> Result<(), Error> {
        let days = domain::patrol::retention_days(days)?;
        self.db.execute(
            "INSERT INTO patrol_settings (tenant_id, track_retention_days) VALUES (?, ?) \
             ON CONFLICT (tenant_id) DO UPDATE SET \
             track_retention_days = excluded.track_retention_days",
            &[self.tenant.0.into(), days.into()],
        )?;
        Ok(())
    }

    /// When the person's latest patrol ended (none ended: `None`).
    pub fn last_patrol_end(&self, person: UserId) -> Result<Option<DateTime<Utc>>, Error> {
        let rows = self.db.execute(
            "SELECT max(ended_at) AS ended_at FROM patrols WHERE tenant_id = ? AND person_id = ?",
            &[self.tenant.0.into(), person.0.into()],
        )?;
        Ok(rows
            .first()
            .map(|r| get_opt_time(&r, "ended_at"))
            .transpose()?
            .flatten())
    }

    /// The sweep's part: ends each patrol left running past
    /// `MAX_PATROL_LENGTH`, at its start plus that (its minutes to the
    /// figures as any end), recorded in the audit log as the sweep's.
    /// Returns how many it ended.
    pub fn end_overdue_patrols(&self, now: DateTime<Utc>) -> Result<usize, Error> {
        let rows = self.db.execute(
            &format!(
                "{PATROL_SELECT} WHERE p.tenant_id = ? AND p.ended_at IS NULL AND p.started_at <= ?"
            ),
            &[
                self.tenant.0.into(),
                to_text(now - MAX_PATROL_LENGTH).into(),
            ],
        )?;
        let overdue = rows
            .iter()
            .map(|r| patrol_from_row(&r))
            .collect::<Result<Vec<_>, _>>()?;
        for patrol in &overdue {
            let at = patrol.started_at + MAX_PATROL_LENGTH;
            self.end_patrol(patrol, at)?;
            self.audit(
                crate::AuditRecord {
                    actor: "sweep".into(),
                    action: "end".into(),
                    target_type: "patrol",
                    target_id: Some(patrol.id.to_string()),
                    before: None,
                    after: Some(serde_json::json!({
                        "ended_at": to_text(at),
                        "ended_by": "sweep",
                    })),
                },
                now,
            )?;
        }
        Ok(overdue.len())
    }

    /// The sweep's part: the tracks of patrols ended longer ago than the
    /// tenant's retention lose their points; their sums stay. Returns how
    /// many patrols were thinned.
    pub fn thin_old_tracks(&self, now: DateTime<Utc>) -> Result<usize, Error> {
        let before = to_text(thin_before(now, self.track_retention_days()?));
        in_transaction(self.db, |db| -> Result<usize, Error> {
            db.execute(
                "DELETE FROM patrol_track_pieces WHERE tenant_id = ? AND patrol_id IN \
                 (SELECT id FROM patrols WHERE tenant_id = ? AND track_thinned = 0 \
                 AND ended_at < ?)",
                &[
                    self.tenant.0.into(),
                    self.tenant.0.into(),
                    before.clone().into(),
                ],
            )?;
            let thinned = db.execute(
                "UPDATE patrols SET track_thinned = 1 \
                 WHERE tenant_id = ? AND track_thinned = 0 AND ended_at < ? RETURNING id",
                &[self.tenant.0.into(), before.into()],
            )?;
            Ok(thinned.len())
        })
    }
}

fn grid_facts(r: &Row<'_>) -> Result<GridFacts, StoreError> {
    Ok(GridFacts {
        id: r.get_i64("id")?,
        parent: r.get_opt_i64("parent_id")?,
        level: r.get_i64("level")?,
    })
}

const VISIT_SELECT: &str = "SELECT v.id, v.client_id, v.kind, v.note, v.latitude, v.longitude, \
     v.micro_grid_id, g.name AS micro_grid_name, v.at FROM patrol_visits v \
     LEFT JOIN grid_nodes g ON g.tenant_id = v.tenant_id AND g.id = v.micro_grid_id";

fn visit_from_row(r: &Row<'_>) -> Result<Visit, StoreError> {
    let place = match (r.get_opt_f64("latitude")?, r.get_opt_f64("longitude")?) {
        (Some(lat), Some(lng)) => Some(crate::decoded("latitude", Location::new(lat, lng))?),
        _ => None,
    };
    let micro_grid = match (
        r.get_opt_i64("micro_grid_id")?,
        r.get_opt_string("micro_grid_name")?,
    ) {
        (Some(id), Some(name)) => Some((id, name)),
        _ => None,
    };
    Ok(Visit {
        id: r.get_i64("id")?,
        client_id: r.get_string("client_id")?,
        kind: crate::decoded("kind", VisitKind::parse(r.get_str("kind")?))?,
        note: r.get_string("note")?,
        place,
        micro_grid,
        at: get_time(r, "at")?,
    })
}
