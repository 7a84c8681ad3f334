//! Data at the seed zone's scale, fast: cases with realistic states,
//! categories, deadlines and timelines written straight through SQL in
//! large transactions, for benchmarks and soak tests (through HTTP, 250,000
//! reports would take hours). Native tooling only; never in a component.
//!
//! The mix follows the report: nearly every case is closed (办结率 98%+),
//! a few percent are at each open step, some were fixed on the spot.

use super::TenantScope;
use super::catalogue::Category;
use crate::db::{Database, in_transaction};
use crate::error::Error;
use crate::time::to_text;
use chrono::{DateTime, Duration, Utc};
use domain::deadline::WorkCalendar;
use domain::intake::Priority;
use domain::workflow::Deadlines;
use domain::{CaseState, TrackingCode};

/// What to generate.
#[derive(Debug, Clone)]
pub struct BulkSpec {
    pub cases: usize,
    /// Cases are spread evenly over this many days before `end`.
    pub days: i64,
    pub end: DateTime<Utc>,
    /// Dispatched cases go to these departments (ids), at random.
    pub departments: Vec<i64>,
    /// Cases are placed in these grid nodes (ids), at random; none when empty.
    pub grid_nodes: Vec<i64>,
    /// The same seed gives the same data.
    pub seed: u64,
}

/// Where generated cases end, in ten-thousandths: (state, share).
const STATE_MIX: &[(CaseState, u32)] = &[
    (CaseState::Closed, 9_330),
    (CaseState::Declined, 150),
    (CaseState::Reported, 60),
    (CaseState::Registered, 60),
    (CaseState::Dispatched, 100),
    (CaseState::SignedFor, 100),
    (CaseState::InProgress, 130),
    (CaseState::AwaitingReporter, 20),
    (CaseState::Resolved, 50),
];

/// The steps from intake to each state, in order (the timeline written).
fn path_to(state: CaseState) -> &'static [&'static str] {
    const FULL: &[&str] = &[
        "accept",
        "register",
        "dispatch",
        "sign_for",
        "start_work",
        "resolve",
        "verify",
        "close",
    ];
    match state {
        CaseState::Reported => &[],
        CaseState::Declined => &["accept", "decline"],
        CaseState::Registered => &FULL[..2],
        CaseState::Dispatched => &FULL[..3],
        CaseState::SignedFor => &FULL[..4],
        CaseState::InProgress => &FULL[..5],
        CaseState::AwaitingReporter => &[
            "accept",
            "register",
            "dispatch",
            "sign_for",
            "start_work",
            "await_reporter",
        ],
        CaseState::Resolved => &FULL[..6],
        _ => FULL,
    }
}

/// The state after each step of a path.
fn state_after(step: &str) -> CaseState {
    match step {
        "accept" => CaseState::Accepted,
        "decline" => CaseState::Declined,
        "register" => CaseState::Registered,
        "dispatch" => CaseState::Dispatched,
        "sign_for" => CaseState::SignedFor,
        "start_work" => CaseState::InProgress,
        "await_reporter" => CaseState::AwaitingReporter,
        "resolve" => CaseState::Resolved,
        "verify" => CaseState::Verified,
        _ => CaseState::Closed,
    }
}

impl<D: Database + ?Sized> TenantScope<'_, D> {
    /// Writes `spec.cases` cases with their timelines, in transactions of
    /// 10,000, then recounts the tenant's figures. Categories are the
    /// tenant's (at least one is needed). Returns how many were written.
    pub fn bulk_fill(&self, spec: &BulkSpec, calendar: &WorkCalendar) -> Result<usize, Error> {
        let categories: Vec<Category> = self.list_categories()?;
        if categories.is_empty() || spec.departments.is_empty() {
            return Err(Error::NotFound(
                "bulk data needs at least one category and one department".into(),
            ));
        }
        let mut rng = fastrand::Rng::with_seed(spec.seed);
        let span_minutes = spec.days * 24 * 60;
        let start = spec.end - Duration::minutes(span_minutes);
        let mut written = 0;
        while written < spec.cases {
            let batch = (spec.cases - written).min(10_000);
            in_transaction(self.db, |_| -> Result<(), Error> {
                for n in written..written + batch {
                    // Evenly spread, so the newest cases are the open ones.
                    let offset = span_minutes * n as i64 / spec.cases.max(1) as i64;
                    let reported = start + Duration::minutes(offset);
                    self.bulk_case(n, reported, spec, &categories, calendar, &mut rng)?;
                }
                Ok(())
            })?;
            written += batch;
        }
        self.rebuild_stats()?;
        Ok(written)
    }

    fn bulk_case(
        &self,
        n: usize,
        reported: DateTime<Utc>,
        spec: &BulkSpec,
        categories: &[Category],
        calendar: &WorkCalendar,
        rng: &mut fastrand::Rng,
    ) -> Result<(), Error> {
        // Older cases are settled; only the last weeks hold open ones.
        let recent = spec.end - reported < Duration::days(21);
        let state = if recent {
            let mut pick = rng.u32(0..10_000);
            STATE_MIX
                .iter()
                .find(|(_, share)| {
                    let hit = pick < *share;
                    pick = pick.saturating_sub(*share);
                    hit
                })
                .map_or(CaseState::Closed, |(s, _)| *s)
        } else if rng.u32(0..100) < 2 {
            CaseState::Declined
        } else {
            CaseState::Closed
        };
        let category = &categories[rng.usize(0..categories.len())];
        let priority = match rng.u32(0..100) {
            0..=1 => Priority::Urgent,
            2..=9 => Priority::High,
            10..=94 => Priority::Normal,
            _ => Priority::Low,
        };
        let department = spec.departments[rng.usize(0..spec.departments.len())];
        let grid_node = (!spec.grid_nodes.is_empty())
            .then(|| spec.grid_nodes[rng.usize(0..spec.grid_nodes.len())]);
        // An odd multiplier is a bijection on the code's 50 bits, so distinct
        // (seed, n) give distinct codes (for seeds below 2^18).
        let index = (spec.seed << 32).wrapping_add(n as u64);
        let mixed = index.wrapping_mul(0x9E37_79B9_7F4A_7C15) & ((1 << 50) - 1);
        let code = TrackingCode::from_random(mixed.to_be_bytes());

        let path = path_to(state);
        let mut at = reported;
        let mut times = Vec::with_capacity(path.len());
        for step in path {
            let minutes = match *step {
                "sign_for" => rng.i64(10..240),
                "start_work" => rng.i64(5..120),
                "resolve" => rng.i64(120..4_000),
                "verify" | "close" => rng.i64(60..1_500),
                _ => rng.i64(1..30),
            };
            at += Duration::minutes(minutes);
            times.push(at.min(spec.end));
        }
        let time_of = |step: &str| path.iter().position(|s| *s == step).map(|i| times[i]);
        let dispatched = time_of("dispatch");
        let deadlines = dispatched.map(|d| {
            Deadlines::at_dispatch(
                d,
                category.response_hours,
                category.resolution_hours,
                priority,
                calendar,
            )
        });
        let updated = times.last().copied().unwrap_or(reported);
        // Most closed cases are rated, mostly well (the report: 98% satisfied).
        let rating =
            (state == CaseState::Closed && rng.u32(0..100) < 60).then(|| i64::from(rng.u8(3..=5)));
        let rows = self.db.execute(
            "INSERT INTO cases (tenant_id, tracking_code, category, description, grid_node_id, \
             state, version, source, priority, department_id, dispatched_at, response_due_at, \
             resolution_due_at, responded_at, resolved_at, paused_at, rating, rated_at, \
             closed_at, created_at, updated_at) \
             VALUES (?, ?, ?, ?, ?, ?, ?, 'resident', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) \
             RETURNING id",
            &[
                self.tenant.0.into(),
                code.as_str().into(),
                category.code.as_str().into(),
                format!("{} #{n}", category.name_zh).into(),
                grid_node.into(),
                state.as_str().into(),
                (path.len() as i64 + 1).into(),
                priority.as_str().into(),
                dispatched.map(|_| department).into(),
                dispatched.map(to_text).into(),
                deadlines.map(|d| to_text(d.response_due)).into(),
                deadlines.map(|d| to_text(d.resolution_due)).into(),
                time_of("sign_for").map(to_text).into(),
                time_of("resolve").map(to_text).into(),
                time_of("await_reporter").map(to_text).into(),
                rating.into(),
                rating.map(|_| to_text(updated)).into(),
                time_of("close")
                    .or_else(|| time_of("decline"))
                    .map(to_text)
                    .into(),
                to_text(reported).into(),
                to_text(updated).into(),
            ],
        )?;
        let case_id = rows.returned()?.get_i64("id")?;
        let mut from: Option<CaseState> = None;
        let mut to = CaseState::Reported;
        for (step, when) in std::iter::once(("report", reported))
            .chain(path.iter().copied().zip(times.iter().copied()))
        {
            if step != "report" {
                from = Some(to);
                to = state_after(step);
            }
            self.db.execute(
                "INSERT INTO case_events (tenant_id, case_id, at, actor, action, from_state, \
                 to_state, note, public) VALUES (?, ?, ?, 'bulk', ?, ?, ?, NULL, 1)",
                &[
                    self.tenant.0.into(),
                    case_id.into(),
                    to_text(when).into(),
                    step.into(),
                    from.map(CaseState::as_str).into(),
                    to.as_str().into(),
                ],
            )?;
        }
        Ok(())
    }
}
