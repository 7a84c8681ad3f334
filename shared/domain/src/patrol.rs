//! Patrols (巡查) and grid days (周三网格日): a grid worker's or a
//! volunteer's walk of a grid, its track (uploaded by the phone in pieces),
//! its visits and the problems found on it; a tenant's grid day, with its
//! grids and the people who go into them. `docs/patrols.md`.
//!
//! What is decided here: which points a track's distance counts, what a
//! piece and a visit may carry, who may patrol which grid on which day,
//! how long a phone may still upload, how long a track is kept, and the
//! summary and figures' arithmetic. The store keeps the sums.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::auth::Role;
use crate::case::Location;
use crate::intake::distance_metres;
use crate::limits::{Bounds, Text, check_plain};
use crate::problem::{Problem, ProblemCode};

/// A piece of track carries 1 to this many points.
pub const MAX_PIECE_POINTS: usize = 500;
/// Piece numbers a phone may use (0, 1, 2, …).
pub const MAX_PIECE: i64 = 100_000;
/// A point whose accuracy radius is wider than this (metres) is kept but
/// not counted in the distance.
pub const MAX_ACCURACY_METRES: f64 = 100.0;
/// A step implying more than this speed (km/h) from the last counted point
/// is a jump of the receiver, not a walk: the point is kept, not counted.
pub const MAX_SPEED_KMH: f64 = 150.0;
/// How long after its end a patrol still takes track pieces, visits and
/// reports (phones upload late), and how far back a phone may say it started.
pub const LATE_WINDOW: Duration = Duration::hours(24);
/// The longest a patrol runs: an end said later is clamped to its start
/// plus this, and the sweep ends a patrol left running this long there.
/// The report's grid worker walks at least four hours; twelve leaves a
/// long grid day whole.
pub const MAX_PATROL_LENGTH: Duration = Duration::hours(12);
/// How far a phone's clock may be off: a point or a visit is timed from
/// this before the patrol's start to this after its end (or now).
pub const CLOCK_SLACK: Duration = Duration::minutes(5);
/// The most points a patrol's track keeps (then 409 `track_full`): a
/// point a second for the report's four-hour walk is 14,400; a browser
/// while walking gives one every one to a few seconds.
pub const MAX_TRACK_POINTS: i64 = 20_000;
/// A patrol read (`GET …/patrols/{id}`) shows at most this many points of
/// its track, evenly picked along it (`track_simplified`).
pub const MAX_TRACK_SHOWN: usize = 2_000;
/// How far ahead a grid day is planned (days).
pub const GRID_DAY_AHEAD_DAYS: i64 = 366;
/// The largest accuracy radius a point may state (metres).
pub const MAX_ACCURACY_RADIUS: f64 = 1e6;
/// The phone's own id of a visit (1 to 64 characters).
pub const CLIENT_ID_MAX_CHARS: usize = 64;
/// A visit's note (may be empty).
pub const VISIT_NOTE_MAX_CHARS: usize = 200;
/// A grid day's title.
pub const GRID_DAY_TITLE: Text = Text::new("title", 60);
/// A grid day lists 1 to this many grids.
pub const MAX_GRID_DAY_GRIDS: usize = 500;
/// A grid day lists at most this many people.
pub const MAX_GRID_DAY_MEMBERS: usize = 2000;
/// How many days a tenant keeps patrols' tracks (`track_retention_days`).
pub const TRACK_RETENTION_DAYS: Bounds = Bounds { min: 7, max: 3650 };
/// The retention a tenant has until it sets one.
pub const DEFAULT_TRACK_RETENTION_DAYS: i64 = 180;

/// One point of a track as the phone recorded it.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct TrackPoint {
    pub lat: f64,
    pub lng: f64,
    pub at: DateTime<Utc>,
    /// The receiver's accuracy radius in metres, when it gave one.
    #[serde(default)]
    pub accuracy: Option<f64>,
}

impl TrackPoint {
    fn location(&self) -> Option<Location> {
        Location::new(self.lat, self.lng).ok()
    }

    /// Whether the receiver vouches for the point (no accuracy given is
    /// taken as good: a browser always gives one, a test may not).
    fn accurate(&self) -> bool {
        self.accuracy.is_none_or(|a| a <= MAX_ACCURACY_METRES)
    }
}

/// A piece of track, checked: 1 to [`MAX_PIECE_POINTS`] points, each in
/// range, their times non-decreasing.
#[derive(Debug, Clone, PartialEq)]
pub struct TrackPiece {
    number: i64,
    points: Vec<TrackPoint>,
}

impl TrackPiece {
    pub fn new(number: i64, points: Vec<TrackPoint>) -> Result<TrackPiece, Problem> {
        if !(0..=MAX_PIECE).contains(&number) {
            return Err(Problem::validation(
                "piece",
                format!("a piece is numbered 0 to {MAX_PIECE}"),
            ));
        }
        if points.is_empty() || points.len() > MAX_PIECE_POINTS {
            return Err(Problem::validation(
                "points",
                format!("a piece carries 1 to {MAX_PIECE_POINTS} points"),
            ));
        }
        for (i, point) in points.iter().enumerate() {
            Location::new(point.lat, point.lng)
                .map_err(|p| p.with_field(format!("points[{i}]")))?;
            if point
                .accuracy
                .is_some_and(|a| !(0.0..=MAX_ACCURACY_RADIUS).contains(&a))
            {
                return Err(Problem::validation(
                    format!("points[{i}].accuracy"),
                    "accuracy is a radius in metres, 0 to 1000000",
                ));
            }
            if i > 0 && point.at < points[i - 1].at {
                return Err(Problem::unprocessable(
                    format!("points[{i}].at"),
                    "the points of a piece are in the order they were recorded",
                ));
            }
        }
        Ok(TrackPiece { number, points })
    }

    pub fn number(&self) -> i64 {
        self.number
    }

    /// Refuses a piece with a point timed outside the patrol's window
    /// ([`check_in_window`]): 422 `outside_patrol` naming the point.
    pub fn check_times(
        &self,
        started: DateTime<Utc>,
        ended: Option<DateTime<Utc>>,
        now: DateTime<Utc>,
    ) -> Result<(), Problem> {
        for (i, point) in self.points.iter().enumerate() {
            check_in_window(point.at, &format!("points[{i}].at"), started, ended, now)?;
        }
        Ok(())
    }

    pub fn points(&self) -> &[TrackPoint] {
        &self.points
    }

    /// The points as stored: the same points always give the same text, so
    /// a piece sent again is recognised.
    pub fn to_stored(&self) -> String {
        serde_json::to_string(&self.points).unwrap_or_default()
    }

    /// A stored piece read back.
    pub fn from_stored(number: i64, text: &str) -> Result<TrackPiece, Problem> {
        let points: Vec<TrackPoint> = serde_json::from_str(text)
            .map_err(|_| Problem::internal("a stored track piece is not a list of points"))?;
        Ok(TrackPiece { number, points })
    }
}

/// The distance walked along the pieces (in their numbers' order, whatever
/// order they arrived in), in metres: the sum of great-circle steps between
/// counted points. A point is counted when its accuracy is within
/// [`MAX_ACCURACY_METRES`] and the step to it from the last counted point
/// implies at most [`MAX_SPEED_KMH`].
pub fn distance(pieces: &[TrackPiece]) -> f64 {
    let mut ordered: Vec<&TrackPiece> = pieces.iter().collect();
    ordered.sort_by_key(|p| p.number);
    let mut last: Option<(Location, DateTime<Utc>)> = None;
    let mut metres = 0.0;
    for point in ordered.iter().flat_map(|p| p.points.iter()) {
        let Some(here) = point.location().filter(|_| point.accurate()) else {
            continue;
        };
        match last {
            None => last = Some((here, point.at)),
            Some((there, then)) => {
                let step = distance_metres(there, here);
                let seconds = (point.at - then).num_milliseconds() as f64 / 1000.0;
                let kmh = if seconds > 0.0 {
                    step / seconds * 3.6
                } else if step > 0.0 {
                    f64::INFINITY
                } else {
                    0.0
                };
                if kmh <= MAX_SPEED_KMH {
                    metres += step;
                    last = Some((here, point.at));
                }
            }
        }
    }
    metres
}

/// What a new piece adds to a track's distance, from the pieces just before
/// and after it by number (either may be missing): the distance along the
/// three less the distance along the two. A track's distance is the sum of
/// what its pieces added, so an upload reads two pieces, not the track.
pub fn distance_added(
    before: Option<&TrackPiece>,
    new: &TrackPiece,
    after: Option<&TrackPiece>,
) -> f64 {
    let around: Vec<TrackPiece> = before.into_iter().chain(after).cloned().collect();
    let mut with = around.clone();
    with.push(new.clone());
    distance(&with) - distance(&around)
}

/// The track as a patrol read shows it: every point when there are at most
/// [`MAX_TRACK_SHOWN`], else that many picked evenly along it (the first
/// and the last always), and whether it was thinned so.
pub fn shown_track(points: Vec<TrackPoint>) -> (Vec<TrackPoint>, bool) {
    let n = points.len();
    if n <= MAX_TRACK_SHOWN {
        return (points, false);
    }
    let last = n - 1;
    let slots = MAX_TRACK_SHOWN - 1;
    let shown = (0..=slots)
        .map(|k| points[k * last / slots])
        .collect::<Vec<_>>();
    (shown, true)
}

/// The times a patrol takes points and visits at: from [`CLOCK_SLACK`]
/// before its start to that after its end (a running patrol: now, and no
/// later than its start plus [`MAX_PATROL_LENGTH`]).
pub fn window(
    started: DateTime<Utc>,
    ended: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> (DateTime<Utc>, DateTime<Utc>) {
    let end = ended
        .unwrap_or(now)
        .min(now)
        .min(started + MAX_PATROL_LENGTH);
    (started - CLOCK_SLACK, end + CLOCK_SLACK)
}

/// Refuses a time outside the patrol's [`window`]: 422 `outside_patrol`.
pub fn check_in_window(
    at: DateTime<Utc>,
    field: &str,
    started: DateTime<Utc>,
    ended: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> Result<(), Problem> {
    let (from, to) = window(started, ended, now);
    if at < from || at > to {
        return Err(Problem::coded(
            ProblemCode::OutsidePatrol,
            format!("{at} is outside the patrol ({from} to {to})"),
        )
        .with_field(field));
    }
    Ok(())
}

/// Whether a time counts for the coverage of the patrol's micro-grids:
/// inside its [`window`].
pub fn in_window(
    at: DateTime<Utc>,
    started: DateTime<Utc>,
    ended: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> bool {
    check_in_window(at, "at", started, ended, now).is_ok()
}

/// What a visit was to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VisitKind {
    /// 入户走访.
    Household,
    /// 走访企业.
    Company,
    /// 楼栋.
    Building,
    Other,
}

impl VisitKind {
    pub const ALL: [VisitKind; 4] = [Self::Household, Self::Company, Self::Building, Self::Other];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Household => "household",
            Self::Company => "company",
            Self::Building => "building",
            Self::Other => "other",
        }
    }

    pub fn parse(s: &str) -> Result<VisitKind, Problem> {
        Self::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| {
                Problem::validation("kind", "kind is household, company, building or other")
            })
    }
}

/// A visit as the phone sends it, checked.
#[derive(Debug, Clone, PartialEq)]
pub struct NewVisit {
    pub client_id: String,
    pub kind: VisitKind,
    pub note: String,
    pub place: Option<Location>,
    pub micro_grid: Option<i64>,
    pub at: DateTime<Utc>,
}

impl NewVisit {
    /// Checks the phone's id and the note, and the time (none: now; not
    /// in the future).
    pub fn new(
        client_id: &str,
        kind: VisitKind,
        note: &str,
        place: Option<Location>,
        micro_grid: Option<i64>,
        at: Option<DateTime<Utc>>,
        now: DateTime<Utc>,
    ) -> Result<NewVisit, Problem> {
        let id_chars = client_id.chars().count();
        if id_chars == 0 || id_chars > CLIENT_ID_MAX_CHARS {
            return Err(Problem::validation(
                "client_id",
                format!("client_id is 1 to {CLIENT_ID_MAX_CHARS} characters"),
            ));
        }
        if note.chars().count() > VISIT_NOTE_MAX_CHARS {
            return Err(Problem::validation(
                "note",
                format!("note must be at most {VISIT_NOTE_MAX_CHARS} characters"),
            ));
        }
        check_plain("client_id", client_id)?;
        check_plain("note", note)?;
        let at = at.unwrap_or(now);
        if at > now + Duration::minutes(5) {
            return Err(Problem::unprocessable("at", "a visit is not in the future"));
        }
        Ok(NewVisit {
            client_id: client_id.to_string(),
            kind,
            note: note.trim().to_string(),
            place,
            micro_grid,
            at,
        })
    }
}

/// When a patrol starts: when the phone says (not in the future, not more
/// than [`LATE_WINDOW`] ago, not before the end of the person's previous
/// patrol: 409 `patrol_overlaps`), else now (or that end, if later).
pub fn start_time(
    said: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
    previous_end: Option<DateTime<Utc>>,
) -> Result<DateTime<Utc>, Problem> {
    let Some(at) = said else {
        return Ok(previous_end.map_or(now, |end| end.max(now)));
    };
    if let Some(end) = previous_end.filter(|end| at < *end) {
        return Err(Problem::coded(
            ProblemCode::PatrolOverlaps,
            format!("your previous patrol ended at {end}: a patrol starts after it"),
        )
        .with_field("started_at"));
    }
    if at > now + Duration::minutes(5) {
        return Err(Problem::unprocessable(
            "started_at",
            "a patrol does not start in the future",
        ));
    }
    if at < now - LATE_WINDOW {
        return Err(Problem::unprocessable(
            "started_at",
            "a patrol is started at most 24 hours late",
        ));
    }
    Ok(at)
}

/// When a patrol ends: when the phone says (not before it started, not in
/// the future), else now; no later than its start plus
/// [`MAX_PATROL_LENGTH`] (a later end is clamped to that).
pub fn end_time(
    said: Option<DateTime<Utc>>,
    started: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<DateTime<Utc>, Problem> {
    let at = said.unwrap_or(now).max(started.min(now));
    if said.is_some_and(|s| s < started) {
        return Err(Problem::unprocessable(
            "ended_at",
            "a patrol does not end before it started",
        ));
    }
    if at > now + Duration::minutes(5) {
        return Err(Problem::unprocessable(
            "ended_at",
            "a patrol does not end in the future",
        ));
    }
    Ok(at.min(started + MAX_PATROL_LENGTH))
}

/// Whether a patrol still takes what the phone recorded on it: while it
/// runs and up to [`LATE_WINDOW`] after its end (409 `patrol_closed`). A
/// patrol left running ends, for this, at its start plus
/// [`MAX_PATROL_LENGTH`] (where the sweep ends it).
pub fn check_open(
    started_at: DateTime<Utc>,
    ended_at: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> Result<(), Problem> {
    let end = ended_at.unwrap_or(started_at + MAX_PATROL_LENGTH);
    if now > end + LATE_WINDOW {
        return Err(Problem::coded(
            ProblemCode::PatrolClosed,
            "the patrol ended more than 24 hours ago: it takes nothing more",
        ));
    }
    Ok(())
}

/// Where the sweep ends a patrol left running: at its start plus
/// [`MAX_PATROL_LENGTH`], once that is past; `None` while it may still run.
pub fn overdue_end(started_at: DateTime<Utc>, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
    let end = started_at + MAX_PATROL_LENGTH;
    (now >= end).then_some(end)
}

/// Whole minutes from `start` to `end`.
pub fn minutes(start: DateTime<Utc>, end: DateTime<Utc>) -> i64 {
    (end - start).num_minutes().max(0)
}

/// Who patrols: the roles that walk grids.
pub fn patrols(role: Role) -> bool {
    matches!(role, Role::GridWorker | Role::Volunteer)
}

/// Who sees every patrol and its track: the command centre and the tenant
/// admin. Anyone else who patrols sees their own only.
pub fn sees_every_patrol(role: Role) -> bool {
    matches!(role, Role::CommandCentre | Role::TenantAdmin)
}

/// A grid node as the patrol rules see it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GridFacts {
    pub id: i64,
    pub parent: Option<i64>,
    /// 1 township … 4 micro-grid.
    pub level: i64,
}

/// The grid day a patrol is started on, as the rules see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DayFacts {
    pub date: NaiveDate,
    pub grids: Vec<i64>,
    pub member: bool,
}

/// Whether `role` may start a patrol of `grid` (whose nodes above it,
/// root first, are `above`), holding `held` (grid nodes with their
/// parents), on `day` (a grid day named, with today's local date).
///
/// A patrol is of a level-3 grid or a micro-grid. On a grid day: the
/// caller is on it, the grid is one of its grids (or a micro-grid of one),
/// and it is the day (409 `grid_day_not_today`). Without one: a grid
/// worker patrols a grid they hold, the grid above a micro-grid they hold,
/// or a micro-grid of a grid they hold; a volunteer patrols only on a grid
/// day.
pub fn may_start(
    role: Role,
    grid: GridFacts,
    held: &[GridFacts],
    day: Option<(&DayFacts, NaiveDate)>,
) -> Result<(), Problem> {
    if !patrols(role) {
        return Err(Problem::forbidden(
            "only grid workers and volunteers patrol",
        ));
    }
    if grid.level < 3 {
        return Err(Problem::unprocessable(
            "grid_id",
            "a patrol is of a grid (level 3) or a micro-grid",
        ));
    }
    match day {
        Some((day, today)) => {
            if !day.member {
                return Err(Problem::forbidden("you are not listed on this grid day")
                    .with_field("grid_day_id"));
            }
            let of_the_day =
                day.grids.contains(&grid.id) || grid.parent.is_some_and(|p| day.grids.contains(&p));
            if !of_the_day {
                return Err(Problem::unprocessable(
                    "grid_id",
                    "the grid is not one of the grid day's",
                ));
            }
            if day.date != today {
                return Err(Problem::coded(
                    ProblemCode::GridDayNotToday,
                    format!("the grid day is on {}, not today ({today})", day.date),
                )
                .with_field("grid_day_id"));
            }
            Ok(())
        }
        None if role == Role::Volunteer => Err(Problem::forbidden(
            "a volunteer patrols on a grid day: name it (grid_day_id)",
        )
        .with_field("grid_day_id")),
        None => {
            let holds = held
                .iter()
                .any(|h| h.id == grid.id || grid.parent == Some(h.id) || h.parent == Some(grid.id));
            if holds {
                Ok(())
            } else {
                Err(Problem::forbidden("the grid is not one you hold").with_field("grid_id"))
            }
        }
    }
}

/// A grid day as the admin sends it, checked (the grids and people
/// exist and are of the right kind: the store's part).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GridDayPlan {
    pub date: NaiveDate,
    pub title: String,
    pub grids: Vec<i64>,
    pub members: Vec<i64>,
}

impl GridDayPlan {
    /// `today` is the tenant's local date: a day is planned for today or later.
    pub fn new(
        date: NaiveDate,
        title: &str,
        mut grids: Vec<i64>,
        mut members: Vec<i64>,
        today: NaiveDate,
    ) -> Result<GridDayPlan, Problem> {
        GRID_DAY_TITLE.check_plain(title)?;
        if grids.is_empty() || grids.len() > MAX_GRID_DAY_GRIDS {
            return Err(Problem::validation(
                "grid_ids",
                format!("a grid day lists 1 to {MAX_GRID_DAY_GRIDS} grids"),
            ));
        }
        if members.len() > MAX_GRID_DAY_MEMBERS {
            return Err(Problem::validation(
                "member_ids",
                format!("a grid day lists at most {MAX_GRID_DAY_MEMBERS} people"),
            ));
        }
        if date < today || date > today + Duration::days(GRID_DAY_AHEAD_DAYS) {
            return Err(Problem::unprocessable(
                "date",
                format!(
                    "a grid day is planned for today or a later day, at most {GRID_DAY_AHEAD_DAYS} days ahead"
                ),
            ));
        }
        grids.sort_unstable();
        grids.dedup();
        members.sort_unstable();
        members.dedup();
        Ok(GridDayPlan {
            date,
            title: title.trim().to_string(),
            grids,
            members,
        })
    }
}

/// Who may be listed on a grid day: grid workers and volunteers.
pub fn may_join_grid_day(role: Role) -> bool {
    patrols(role)
}

/// Whether a grid day may still be changed (before or on the day) or
/// deleted (only before it): 409 otherwise.
pub fn check_day_change(date: NaiveDate, today: NaiveDate, delete: bool) -> Result<(), Problem> {
    if date < today || (delete && date == today) {
        return Err(Problem::conflict(if delete {
            "a grid day is deleted only before the day"
        } else {
            "a grid day that is over is not changed"
        }));
    }
    Ok(())
}

/// Once someone has signed in to a grid day (`signed_in`: who), what may
/// still change: the title, and grids and people added. Its date, its
/// grids and the people who signed in stay, and it is not deleted (`after`
/// none): 409 `grid_day_started`.
pub fn check_started_day(
    before: &GridDayPlan,
    signed_in: &[i64],
    after: Option<&GridDayPlan>,
) -> Result<(), Problem> {
    if signed_in.is_empty() {
        return Ok(());
    }
    let started = |what: &str, field: &str| {
        Err(Problem::coded(
            ProblemCode::GridDayStarted,
            format!("people have signed in to this grid day: {what}"),
        )
        .with_field(field))
    };
    let Some(after) = after else {
        return started("it is not deleted", "id");
    };
    if after.date != before.date {
        return started("its date stays", "date");
    }
    if before.grids.iter().any(|g| !after.grids.contains(g)) {
        return started("its grids stay (add others)", "grid_ids");
    }
    if signed_in.iter().any(|p| !after.members.contains(p)) {
        return started("the people who signed in stay", "member_ids");
    }
    Ok(())
}

/// A date as the API takes it: `YYYY-MM-DD` and nothing else (the
/// document's `format: date`; chrono alone takes `+262142-12-31`).
pub fn parse_date(text: &str, field: &str) -> Result<NaiveDate, Problem> {
    let bytes = text.as_bytes();
    let form = bytes.len() == 10
        && bytes.iter().enumerate().all(|(i, b)| match i {
            4 | 7 => *b == b'-',
            _ => b.is_ascii_digit(),
        });
    form.then(|| NaiveDate::parse_from_str(text, "%Y-%m-%d").ok())
        .flatten()
        .ok_or_else(|| Problem::validation(field, format!("{field} is a date, YYYY-MM-DD")))
}

/// A tenant's track retention, in days, checked.
pub fn retention_days(days: i64) -> Result<i64, Problem> {
    if TRACK_RETENTION_DAYS.contains(days) {
        Ok(days)
    } else {
        Err(Problem::validation(
            "track_retention_days",
            format!(
                "track_retention_days is {} to {}",
                TRACK_RETENTION_DAYS.min, TRACK_RETENTION_DAYS.max
            ),
        ))
    }
}

/// Tracks of patrols ended before this are thinned to their summary.
pub fn thin_before(now: DateTime<Utc>, retention_days: i64) -> DateTime<Utc> {
    now - Duration::days(retention_days)
}

/// A patrol's or a group of patrols' figures.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Tally {
    pub patrols: i64,
    pub minutes: i64,
    /// Rounded to the metre on the wire.
    pub metres: f64,
    pub visits: i64,
    pub problems_found: i64,
    pub fixed_on_the_spot: i64,
}

impl Tally {
    /// The report's on-the-spot rate: settled on the spot ÷ problems
    /// found; `None` when none was found.
    pub fn on_the_spot_rate(&self) -> Option<f64> {
        (self.problems_found > 0)
            .then(|| self.fixed_on_the_spot as f64 / self.problems_found as f64)
    }

    pub fn add(&mut self, other: &Tally) {
        self.patrols += other.patrols;
        self.minutes += other.minutes;
        self.metres += other.metres;
        self.visits += other.visits;
        self.problems_found += other.problems_found;
        self.fixed_on_the_spot += other.fixed_on_the_spot;
    }
}

/// Coverage of the micro-grids: how many there are and how many were not
/// visited in the last 7 and 30 days (never visited counts in both).
pub fn coverage(last_visits: &[Option<DateTime<Utc>>], now: DateTime<Utc>) -> (i64, i64, i64) {
    let not_since = |days: i64| {
        last_visits
            .iter()
            .filter(|v| v.is_none_or(|at| at < now - Duration::days(days)))
            .count() as i64
    };
    (last_visits.len() as i64, not_since(7), not_since(30))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn t(seconds: i64) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 5, 6, 9, 0, 0).unwrap() + Duration::seconds(seconds)
    }

    /// A point `north` metres north of 30°N 120°E at `seconds`.
    fn p(north: f64, seconds: i64, accuracy: Option<f64>) -> TrackPoint {
        TrackPoint {
            lat: 30.0 + north / 111_195.0,
            lng: 120.0,
            at: t(seconds),
            accuracy,
        }
    }

    fn piece(number: i64, points: Vec<TrackPoint>) -> TrackPiece {
        TrackPiece::new(number, points).expect("a valid piece")
    }

    fn check_distance(pieces: &[TrackPiece], expected: f64) {
        let got = distance(pieces);
        assert!(
            (got - expected).abs() < 0.5,
            "{got} metres, expected {expected}"
        );
    }

    #[test]
    fn distance_counts_good_steps_in_piece_order() {
        // 100 m a minute, walking.
        let walk = |from: i64, n: i64| {
            (0..n)
                .map(|i| p(((from + i) * 100) as f64, (from + i) * 60, Some(10.0)))
                .collect::<Vec<_>>()
        };
        check_distance(&[piece(0, walk(0, 1))], 0.0);
        check_distance(&[piece(0, walk(0, 3))], 200.0);
        // Two pieces join: their gap is walked too.
        check_distance(&[piece(0, walk(0, 3)), piece(1, walk(3, 2))], 400.0);
        // Arrival order does not matter.
        check_distance(&[piece(1, walk(3, 2)), piece(0, walk(0, 3))], 400.0);
        // A piece missing: the step across its gap counts when walkable.
        check_distance(&[piece(0, walk(0, 2)), piece(2, walk(4, 1))], 400.0);
    }

    #[test]
    fn distance_leaves_out_vague_points_and_jumps() {
        // A vague point (150 m accuracy) between two good ones.
        check_distance(
            &[piece(
                0,
                vec![
                    p(0.0, 0, Some(5.0)),
                    p(500.0, 60, Some(150.0)),
                    p(100.0, 120, Some(5.0)),
                ],
            )],
            100.0,
        );
        // Exactly 100 m of accuracy counts.
        check_distance(
            &[piece(
                0,
                vec![p(0.0, 0, Some(100.0)), p(100.0, 60, Some(100.0))],
            )],
            100.0,
        );
        // A jump of 5 km in 10 s (1800 km/h) is left out; the walk goes on
        // from the last counted point.
        check_distance(
            &[piece(
                0,
                vec![p(0.0, 0, None), p(5000.0, 10, None), p(100.0, 60, None)],
            )],
            100.0,
        );
        // 150 km/h exactly is counted (41.67 m/s): a car, but possible.
        check_distance(
            &[piece(0, vec![p(0.0, 0, None), p(416.0, 10, None)])],
            416.0,
        );
        // Two points at one instant in different places: a jump.
        check_distance(&[piece(0, vec![p(0.0, 0, None), p(10.0, 0, None)])], 0.0);
        // The same point twice at one instant: nothing walked, nothing wrong.
        check_distance(
            &[piece(
                0,
                vec![p(0.0, 0, None), p(0.0, 0, None), p(50.0, 60, None)],
            )],
            50.0,
        );
    }

    fn check_piece(number: i64, points: Vec<TrackPoint>, expected: Result<(), &str>) {
        match (TrackPiece::new(number, points), expected) {
            (Ok(_), Ok(())) => {}
            (Err(p), Err(field)) => assert_eq!(p.field.as_deref(), Some(field), "{p}"),
            (got, want) => panic!("{got:?}, expected {want:?}"),
        }
    }

    #[test]
    fn a_piece_has_1_to_500_points_in_time_order_and_in_range() {
        check_piece(0, vec![p(0.0, 0, None)], Ok(()));
        check_piece(0, vec![], Err("points"));
        check_piece(0, vec![p(0.0, 0, None); 500], Ok(()));
        check_piece(0, vec![p(0.0, 0, None); 501], Err("points"));
        check_piece(-1, vec![p(0.0, 0, None)], Err("piece"));
        check_piece(
            3,
            vec![p(0.0, 10, None), p(0.0, 5, None)],
            Err("points[1].at"),
        );
        let mut far = p(0.0, 0, None);
        far.lat = 91.0;
        check_piece(0, vec![far], Err("points[0]"));
        check_piece(0, vec![p(0.0, 0, Some(-1.0))], Err("points[0].accuracy"));
    }

    #[test]
    fn a_stored_piece_reads_back_the_same() {
        let original = piece(4, vec![p(0.0, 0, Some(12.5)), p(30.0, 20, None)]);
        let text = original.to_stored();
        assert_eq!(TrackPiece::from_stored(4, &text), Ok(original.clone()));
        assert_eq!(piece(4, original.points().to_vec()).to_stored(), text);
    }

    #[test]
    fn visits_kinds_ids_notes_and_times() {
        let check = |client_id: &str, note: &str, at: Option<i64>, expected: Result<(), &str>| {
            let got = NewVisit::new(
                client_id,
                VisitKind::Household,
                note,
                None,
                None,
                at.map(t),
                t(0),
            );
            match (got, expected) {
                (Ok(v), Ok(())) => assert_eq!(v.at, at.map_or(t(0), t)),
                (Err(p), Err(field)) => assert_eq!(p.field.as_deref(), Some(field)),
                (got, want) => panic!("{got:?}, expected {want:?}"),
            }
        };
        check("v-1", "", None, Ok(()));
        check("v-1", "王大爷家漏水", Some(-600), Ok(()));
        check("", "", None, Err("client_id"));
        check(&"x".repeat(64), "", None, Ok(()));
        check(&"x".repeat(65), "", None, Err("client_id"));
        check("v", &"字".repeat(200), None, Ok(()));
        check("v", &"字".repeat(201), None, Err("note"));
        check("v", "", Some(3600), Err("at"));
        check("v\u{0}1", "", None, Err("client_id"));
        check("v", "门口\u{0}", None, Err("note"));
        check("v", "\u{202e}abc", None, Err("note"));
        check("v", "\u{2067}abc", None, Err("note"));
        check("v", "一楼\n二楼\t三楼", None, Ok(()));
        for kind in VisitKind::ALL {
            assert_eq!(VisitKind::parse(kind.as_str()), Ok(kind));
        }
        assert!(VisitKind::parse("shop").is_err());
    }

    #[test]
    fn start_and_end_times() {
        let now = t(100_000);
        assert_eq!(start_time(None, now, None), Ok(now));
        assert_eq!(start_time(Some(t(90_000)), now, None), Ok(t(90_000)));
        assert!(start_time(Some(now + Duration::hours(1)), now, None).is_err());
        assert!(start_time(Some(now - Duration::hours(25)), now, None).is_err());
        assert_eq!(end_time(None, t(90_000), now), Ok(now));
        assert_eq!(end_time(Some(t(95_000)), t(90_000), now), Ok(t(95_000)));
        assert!(end_time(Some(t(0)), t(10), now).is_err());
        assert!(end_time(Some(now + Duration::hours(1)), t(0), now).is_err());
    }

    #[test]
    fn a_patrol_starts_after_the_previous_ends_and_runs_at_most_12_hours() {
        let now = t(100_000);
        let check_start =
            |said: Option<i64>, previous: Option<i64>, expected: Result<i64, ProblemCode>| {
                let got = start_time(said.map(t), now, previous.map(t));
                assert_eq!(
                    got.map_err(|p| p.code()),
                    expected.map(t),
                    "{said:?} after {previous:?}"
                );
            };
        check_start(Some(90_000), Some(80_000), Ok(90_000));
        check_start(Some(90_000), Some(90_000), Ok(90_000));
        // Back-dated into the previous patrol: three patrols of 23h58m each in a minute.
        check_start(Some(20_000), Some(90_000), Err(ProblemCode::PatrolOverlaps));
        check_start(Some(89_999), Some(90_000), Err(ProblemCode::PatrolOverlaps));
        check_start(None, Some(90_000), Ok(100_000));
        // A previous end a little ahead of the server's clock: the start waits for it.
        check_start(None, Some(100_100), Ok(100_100));
        let hours = |h: i64| h * 3600;
        let check_end = |said: Option<i64>, started: i64, now: i64, expected: Result<i64, ()>| {
            let got = end_time(said.map(t), t(started), t(now));
            assert_eq!(
                got.map_err(|_| ()),
                expected.map(t),
                "{said:?} from {started} at {now}"
            );
        };
        check_end(None, 0, hours(4), Ok(hours(4)));
        check_end(None, 0, hours(12), Ok(hours(12)));
        // Left running 400 days: ended at 12 hours, not 576,000 minutes.
        check_end(None, 0, hours(24 * 400), Ok(hours(12)));
        check_end(Some(hours(13)), 0, hours(14), Ok(hours(12)));
        check_end(Some(hours(11)), 0, hours(14), Ok(hours(11)));
        assert_eq!(overdue_end(t(0), t(hours(12) - 1)), None);
        assert_eq!(overdue_end(t(0), t(hours(12))), Some(t(hours(12))));
        assert_eq!(overdue_end(t(0), t(hours(9600))), Some(t(hours(12))));
    }

    #[test]
    fn points_and_visits_are_timed_inside_the_patrol() {
        let minutes = |m: i64| m * 60;
        // A patrol started at 0; (ended, now, at, inside).
        let check = |ended: Option<i64>, now: i64, at: i64, inside: bool| {
            let got = check_in_window(t(at), "at", t(0), ended.map(t), t(now));
            match got {
                Ok(()) => assert!(inside, "{at} taken ({ended:?}, now {now})"),
                Err(p) => {
                    assert!(!inside, "{at} refused ({ended:?}, now {now})");
                    assert_eq!((p.code(), p.status()), (ProblemCode::OutsidePatrol, 422));
                }
            }
            assert_eq!(in_window(t(at), t(0), ended.map(t), t(now)), inside);
        };
        check(None, minutes(60), minutes(30), true);
        check(None, minutes(60), minutes(-5), true);
        check(None, minutes(60), minutes(-5) - 1, false);
        check(None, minutes(60), minutes(65), true);
        check(None, minutes(60), minutes(65) + 1, false);
        check(Some(minutes(60)), minutes(600), minutes(65), true);
        check(Some(minutes(60)), minutes(600), minutes(66), false);
        // A running patrol's window stops at 12 hours.
        check(None, minutes(60 * 48), minutes(60 * 12 + 5), true);
        check(None, minutes(60 * 48), minutes(60 * 13), false);
        // 2027, 2099, 9999 on a patrol of 2026.
        let far = "9999-12-31T00:00:00Z".parse::<DateTime<Utc>>().unwrap();
        assert!(check_in_window(far, "at", t(0), None, t(60)).is_err());
        let bad = piece(
            0,
            vec![p(0.0, 0, None), p(10.0, 60, None), p(20.0, 7200, None)],
        );
        let refused = bad.check_times(t(0), None, t(3600)).unwrap_err();
        assert_eq!(refused.field.as_deref(), Some("points[2].at"));
        assert!(bad.check_times(t(0), None, t(7200)).is_ok());
    }

    #[test]
    fn a_piece_adds_its_distance_from_its_neighbours_only() {
        // 100 m a minute; pieces of 3 points, the whole walk 12 pieces.
        let walk = |n: i64| {
            piece(
                n,
                (0..3)
                    .map(|i| p(((n * 3 + i) * 100) as f64, (n * 3 + i) * 60, Some(10.0)))
                    .collect(),
            )
        };
        let pieces: Vec<TrackPiece> = (0..12).map(walk).collect();
        let whole = distance(&pieces);
        assert!((whole - 3500.0).abs() < 0.5, "{whole}");
        for order in [
            (0..12).collect::<Vec<usize>>(),
            (0..12).rev().collect(),
            vec![5, 0, 11, 3, 1, 7, 2, 9, 4, 10, 6, 8],
        ] {
            let mut got: Vec<&TrackPiece> = Vec::new();
            let mut added = 0.0;
            for i in order.iter().copied() {
                let number = pieces[i].number();
                let before = got
                    .iter()
                    .filter(|q| q.number() < number)
                    .max_by_key(|q| q.number());
                let after = got
                    .iter()
                    .filter(|q| q.number() > number)
                    .min_by_key(|q| q.number());
                added += distance_added(before.copied(), &pieces[i], after.copied());
                got.push(&pieces[i]);
            }
            assert!((added - whole).abs() < 0.5, "{order:?}: {added}");
        }
    }

    #[test]
    fn a_read_shows_at_most_2000_points_of_a_track() {
        let check = |n: usize, shown: usize, simplified: bool| {
            let points: Vec<TrackPoint> = (0..n as i64).map(|i| p(i as f64, i, None)).collect();
            let (got, thinned) = shown_track(points.clone());
            assert_eq!((got.len(), thinned), (shown, simplified), "{n} points");
            if n > 0 {
                assert_eq!((got[0], got[got.len() - 1]), (points[0], points[n - 1]));
            }
            assert!(got.windows(2).all(|w| w[0].at < w[1].at));
        };
        check(0, 0, false);
        check(1, 1, false);
        check(2000, 2000, false);
        check(2001, 2000, true);
        check(20_000, 2000, true);
        check(200_000, 2000, true);
    }

    #[test]
    fn dates_are_yyyy_mm_dd_only() {
        let check = |text: &str, ok: bool| {
            assert_eq!(parse_date(text, "date").is_ok(), ok, "{text}");
        };
        check("2026-05-06", true);
        check("9999-12-31", true);
        check("+262142-12-31", false);
        check("-0001-01-01", false);
        check("2026-5-6", false);
        check("2026-05-06T00:00:00Z", false);
        check("2026-02-30", false);
        check(" 2026-05-06", false);
    }

    #[test]
    fn a_patrol_takes_uploads_until_a_day_after_its_end() {
        let check = |ended: Option<i64>, now: i64, open: bool| {
            assert_eq!(
                check_open(t(0), ended.map(t), t(now)).is_ok(),
                open,
                "{ended:?} {now}"
            );
        };
        check(None, 3600, true);
        check(Some(0), 86_400, true);
        check(Some(0), 86_401, false);
        // Left running: it ends at 12 hours, so it is closed a day later.
        check(None, 12 * 3600 + 86_400, true);
        check(None, 12 * 3600 + 86_401, false);
        check(None, 10_000_000, false);
        let closed = check_open(t(0), Some(t(0)), t(90_000)).unwrap_err();
        assert_eq!(closed.code(), ProblemCode::PatrolClosed);
        assert_eq!(closed.status(), 409);
    }

    const fn node(id: i64, parent: i64, level: i64) -> GridFacts {
        GridFacts {
            id,
            parent: Some(parent),
            level,
        }
    }
    const GRID: GridFacts = node(30, 20, 3);
    const MICRO: GridFacts = node(40, 30, 4);
    const OTHER_GRID: GridFacts = node(31, 20, 3);
    const COMMUNITY: GridFacts = node(20, 10, 2);

    fn day(date: &str, grids: &[i64], member: bool) -> DayFacts {
        DayFacts {
            date: date.parse().unwrap(),
            grids: grids.to_vec(),
            member,
        }
    }

    fn check_start(
        role: Role,
        grid: GridFacts,
        held: &[GridFacts],
        on: Option<&DayFacts>,
        expected: Result<(), ProblemCode>,
    ) {
        let today: NaiveDate = "2026-05-06".parse().unwrap();
        let got = may_start(role, grid, held, on.map(|d| (d, today))).map_err(|p| p.code());
        assert_eq!(got, expected, "{role:?} {grid:?} held {held:?} on {on:?}");
    }

    #[test]
    fn who_may_patrol_which_grid() {
        use ProblemCode::{GridDayNotToday, InvalidInput, NotAllowed, Unprocessable};
        let _ = InvalidInput;
        let w = Role::GridWorker;
        let v = Role::Volunteer;
        // A grid worker's own grids: the grid, the grid above a micro-grid
        // held, a micro-grid of a grid held.
        check_start(w, GRID, &[GRID], None, Ok(()));
        check_start(w, GRID, &[MICRO], None, Ok(()));
        check_start(w, MICRO, &[GRID], None, Ok(()));
        check_start(w, OTHER_GRID, &[GRID], None, Err(NotAllowed));
        check_start(w, OTHER_GRID, &[], None, Err(NotAllowed));
        check_start(w, COMMUNITY, &[COMMUNITY], None, Err(Unprocessable));
        // A volunteer patrols only on a grid day.
        check_start(v, GRID, &[], None, Err(NotAllowed));
        let wednesday = day("2026-05-06", &[30], true);
        check_start(v, GRID, &[], Some(&wednesday), Ok(()));
        check_start(v, MICRO, &[], Some(&wednesday), Ok(()));
        check_start(v, OTHER_GRID, &[], Some(&wednesday), Err(Unprocessable));
        check_start(
            w,
            OTHER_GRID,
            &[OTHER_GRID],
            Some(&wednesday),
            Err(Unprocessable),
        );
        check_start(
            v,
            GRID,
            &[],
            Some(&day("2026-05-06", &[30], false)),
            Err(NotAllowed),
        );
        check_start(
            v,
            GRID,
            &[],
            Some(&day("2026-05-13", &[30], true)),
            Err(GridDayNotToday),
        );
        check_start(
            w,
            GRID,
            &[GRID],
            Some(&day("2026-04-29", &[30], true)),
            Err(GridDayNotToday),
        );
        // Nobody else patrols.
        check_start(
            Role::CommandCentre,
            GRID,
            &[],
            Some(&wednesday),
            Err(NotAllowed),
        );
        check_start(Role::DepartmentStaff, GRID, &[GRID], None, Err(NotAllowed));
    }

    #[test]
    fn grid_day_plans() {
        let today: NaiveDate = "2026-05-06".parse().unwrap();
        let check = |date: &str,
                     title: &str,
                     grids: Vec<i64>,
                     members: usize,
                     expected: Result<(), &str>| {
            let got = GridDayPlan::new(
                date.parse().unwrap(),
                title,
                grids,
                (0..members as i64).collect(),
                today,
            );
            match (got, expected) {
                (Ok(_), Ok(())) => {}
                (Err(p), Err(field)) => assert_eq!(p.field.as_deref(), Some(field), "{p}"),
                (got, want) => panic!("{got:?}, expected {want:?}"),
            }
        };
        check("2026-05-06", "周三网格日", vec![1], 0, Ok(()));
        check("2026-05-13", "周三网格日", vec![1, 2], 2000, Ok(()));
        check("2026-05-05", "周三网格日", vec![1], 0, Err("date"));
        check("2026-05-13", " ", vec![1], 0, Err("title"));
        check("2026-05-13", &"网".repeat(61), vec![1], 0, Err("title"));
        check("2026-05-13", "\u{0}\u{202e}", vec![1], 0, Err("title"));
        check("2026-05-13", "周三\u{202e}网格日", vec![1], 0, Err("title"));
        check("2027-05-07", "日", vec![1], 0, Ok(()));
        check("2027-05-08", "日", vec![1], 0, Err("date"));
        check("9999-12-31", "日", vec![1], 0, Err("date"));
        check("2026-05-13", "日", vec![], 0, Err("grid_ids"));
        check("2026-05-13", "日", (0..501).collect(), 0, Err("grid_ids"));
        check("2026-05-13", "日", vec![1], 2001, Err("member_ids"));
        let plan = GridDayPlan::new(today, " 日 ", vec![3, 1, 3], vec![9, 9], today).unwrap();
        assert_eq!(
            (plan.title.as_str(), plan.grids, plan.members),
            ("日", vec![1, 3], vec![9])
        );
    }

    #[test]
    fn a_grid_day_changes_until_it_is_over_and_goes_only_before_it() {
        let today: NaiveDate = "2026-05-06".parse().unwrap();
        let check = |date: &str, delete: bool, ok: bool| {
            let date: NaiveDate = date.parse().unwrap();
            assert_eq!(
                check_day_change(date, today, delete).is_ok(),
                ok,
                "{date} {delete}"
            );
        };
        check("2026-05-07", false, true);
        check("2026-05-06", false, true);
        check("2026-05-05", false, false);
        check("2026-05-07", true, true);
        check("2026-05-06", true, false);
        assert!(may_join_grid_day(Role::Volunteer) && may_join_grid_day(Role::GridWorker));
    }

    #[test]
    fn a_grid_day_someone_signed_in_to_keeps_its_date_grids_and_people() {
        let plan = |date: &str, grids: &[i64], members: &[i64]| GridDayPlan {
            date: date.parse().unwrap(),
            title: "周三网格日".into(),
            grids: grids.to_vec(),
            members: members.to_vec(),
        };
        let before = plan("2026-05-06", &[30, 31], &[7, 8]);
        let check = |signed_in: &[i64], after: Option<GridDayPlan>, expected: Result<(), &str>| {
            let got = check_started_day(&before, signed_in, after.as_ref());
            match (got, expected) {
                (Ok(()), Ok(())) => {}
                (Err(p), Err(field)) => {
                    assert_eq!((p.code(), p.status()), (ProblemCode::GridDayStarted, 409));
                    assert_eq!(p.field.as_deref(), Some(field));
                }
                (got, want) => panic!("{signed_in:?} {after:?}: {got:?}, expected {want:?}"),
            }
        };
        // Nobody signed in: anything goes (the day's own rules aside).
        check(&[], Some(plan("2026-05-07", &[32], &[])), Ok(()));
        check(&[], None, Ok(()));
        // Signed in: the title and additions only.
        check(&[7], Some(plan("2026-05-06", &[30, 31], &[7, 8])), Ok(()));
        check(
            &[7],
            Some(plan("2026-05-06", &[30, 31, 32], &[7, 8, 9])),
            Ok(()),
        );
        check(&[7], Some(plan("2026-05-06", &[30, 31], &[7])), Ok(()));
        check(
            &[7],
            Some(plan("2026-05-07", &[30, 31], &[7, 8])),
            Err("date"),
        );
        check(&[7], Some(plan("2026-05-07", &[32], &[])), Err("date"));
        check(
            &[7],
            Some(plan("2026-05-06", &[30], &[7, 8])),
            Err("grid_ids"),
        );
        check(
            &[7],
            Some(plan("2026-05-06", &[30, 31], &[8])),
            Err("member_ids"),
        );
        check(&[7], None, Err("id"));
        assert!(!may_join_grid_day(Role::CommandCentre));
    }

    #[test]
    fn retention_and_rates() {
        assert_eq!(retention_days(7), Ok(7));
        assert_eq!(retention_days(3650), Ok(3650));
        assert!(retention_days(6).is_err());
        assert!(retention_days(3651).is_err());
        assert_eq!(thin_before(t(0), 180), t(0) - Duration::days(180));
        let mut tally = Tally::default();
        assert_eq!(tally.on_the_spot_rate(), None);
        tally.add(&Tally {
            problems_found: 10,
            fixed_on_the_spot: 9,
            ..Tally::default()
        });
        assert_eq!(tally.on_the_spot_rate(), Some(0.9));
        assert_eq!(minutes(t(0), t(3599)), 59);
        assert_eq!(minutes(t(10), t(0)), 0);
    }

    #[test]
    fn coverage_counts_never_and_long_ago() {
        let now = t(0);
        let visits = [
            None,
            Some(now - Duration::days(1)),
            Some(now - Duration::days(8)),
            Some(now - Duration::days(31)),
        ];
        assert_eq!(coverage(&visits, now), (4, 3, 2));
        assert_eq!(coverage(&[], now), (0, 0, 0));
    }

    #[test]
    fn who_sees_what() {
        for role in Role::ALL {
            assert_eq!(
                sees_every_patrol(role),
                matches!(role, Role::CommandCentre | Role::TenantAdmin),
            );
            assert_eq!(
                patrols(role),
                matches!(role, Role::GridWorker | Role::Volunteer)
            );
        }
    }
}
