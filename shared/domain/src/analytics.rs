//! The command centre's figures (用数据说话): what each case contributes to
//! them, how sums become rates and medians, and when a week's count is a
//! spike.
//!
//! The store keeps, per day and dimension, the SUM over all cases of
//! [`contribution`]; a change to a case takes its old contribution out and
//! puts the new one in, so the sums are always exactly what a recount would
//! give (a test checks that after random workloads). Days are the tenant's
//! local dates of the counted moments: a case counts as received on the day
//! it was reported, closed on the day it was closed, and so on.

use chrono::{DateTime, Datelike, Duration, FixedOffset, NaiveDate, Utc};
use serde::Serialize;

use crate::case::{CaseSource, CaseState};

/// Upper bounds (minutes) of the time histograms' buckets: 1 h, 4 h, 8 h,
/// 1, 2, 3, 5, 7 and 30 days; the last bucket holds everything longer.
pub const BUCKET_BOUNDS: [i64; 9] = [60, 240, 480, 1_440, 2_880, 4_320, 7_200, 10_080, 43_200];
pub const BUCKETS: usize = BUCKET_BOUNDS.len() + 1;

/// The counters, in the order of their columns (`case_stats`).
pub const COUNTER_NAMES: [&str; 13] = [
    "received",
    "closed",
    "declined",
    "on_time",
    "fixed_on_the_spot",
    "reopened",
    "responded",
    "response_minutes",
    "resolved",
    "resolution_minutes",
    "rated",
    "rating_sum",
    "satisfied",
];
const SCALARS: usize = COUNTER_NAMES.len();
/// Scalars, then the resolution histogram, then the response histogram.
pub const WIDTH: usize = SCALARS + 2 * BUCKETS;

/// The column of each counter, in order (scalars, `resolution_b0..`, `response_b0..`).
pub fn column_names() -> Vec<String> {
    let mut names: Vec<String> = COUNTER_NAMES.iter().map(|s| s.to_string()).collect();
    names.extend((0..BUCKETS).map(|i| format!("resolution_b{i}")));
    names.extend((0..BUCKETS).map(|i| format!("response_b{i}")));
    names
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum C {
    Received,
    Closed,
    Declined,
    OnTime,
    FixedOnTheSpot,
    Reopened,
    Responded,
    ResponseMinutes,
    Resolved,
    ResolutionMinutes,
    Rated,
    RatingSum,
    Satisfied,
}

/// A vector of counters: one case's contribution, or a sum of many.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Counters(pub [i64; WIDTH]);

impl Default for Counters {
    fn default() -> Self {
        Counters([0; WIDTH])
    }
}

impl Counters {
    fn add(&mut self, counter: C, value: i64) {
        self.0[counter as usize] += value;
    }

    fn get(&self, counter: C) -> i64 {
        self.0[counter as usize]
    }

    fn count_in_histogram(&mut self, offset: usize, minutes: i64) {
        let bucket = BUCKET_BOUNDS
            .iter()
            .position(|bound| minutes < *bound)
            .unwrap_or(BUCKET_BOUNDS.len());
        self.0[offset + bucket] += 1;
    }

    /// `self += sign * other`.
    pub fn accumulate(&mut self, other: &Counters, sign: i64) {
        for (mine, theirs) in self.0.iter_mut().zip(other.0.iter()) {
            *mine += sign * theirs;
        }
    }

    pub fn is_zero(&self) -> bool {
        self.0.iter().all(|v| *v == 0)
    }

    fn histogram(&self, offset: usize) -> &[i64] {
        &self.0[offset..offset + BUCKETS]
    }
}

/// What of a case the figures read.
#[derive(Debug, Clone, PartialEq)]
pub struct CaseFacts<'a> {
    pub category: &'a str,
    pub department: Option<i64>,
    pub source: CaseSource,
    pub state: CaseState,
    pub created_at: DateTime<Utc>,
    pub responded_at: Option<DateTime<Utc>>,
    pub resolved_at: Option<DateTime<Utc>>,
    pub resolution_due_at: Option<DateTime<Utc>>,
    pub closed_at: Option<DateTime<Utc>>,
    pub fixed_on_the_spot: bool,
    pub reopen_count: i64,
    pub rating: Option<i64>,
    pub rated_at: Option<DateTime<Utc>>,
}

/// The dimensions a contribution is filed under (besides the grid node).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct StatKey {
    pub day: NaiveDate,
    pub category: String,
    /// 0 when no department holds the case.
    pub department: i64,
    pub source: &'static str,
}

/// A case's part of the figures, by day.
pub fn contribution(case: &CaseFacts<'_>, zone: FixedOffset) -> Vec<(StatKey, Counters)> {
    let key = |at: DateTime<Utc>| StatKey {
        day: at.with_timezone(&zone).date_naive(),
        category: case.category.to_string(),
        department: case.department.unwrap_or(0),
        source: case.source.as_str(),
    };
    let minutes = |from: DateTime<Utc>, to: DateTime<Utc>| (to - from).num_minutes().max(0);
    let mut parts: Vec<(StatKey, Counters)> = Vec::new();
    let mut add = |at: DateTime<Utc>, counters: Counters| {
        let k = key(at);
        match parts.iter_mut().find(|(existing, _)| *existing == k) {
            Some((_, sum)) => sum.accumulate(&counters, 1),
            None => parts.push((k, counters)),
        }
    };

    let mut reported = Counters::default();
    reported.add(C::Received, 1);
    reported.add(C::FixedOnTheSpot, i64::from(case.fixed_on_the_spot));
    reported.add(C::Reopened, case.reopen_count);
    add(case.created_at, reported);

    if let Some(responded) = case.responded_at {
        let mut c = Counters::default();
        let took = minutes(case.created_at, responded);
        c.add(C::Responded, 1);
        c.add(C::ResponseMinutes, took);
        c.count_in_histogram(SCALARS + BUCKETS, took);
        add(responded, c);
    }
    if let Some(closed) = case.closed_at {
        let mut c = Counters::default();
        match case.state {
            CaseState::Closed | CaseState::Archived => {
                let resolved = case.resolved_at.unwrap_or(closed);
                let took = minutes(case.created_at, resolved);
                c.add(C::Closed, 1);
                c.add(C::Resolved, 1);
                c.add(C::ResolutionMinutes, took);
                c.count_in_histogram(SCALARS, took);
                let in_time = case.resolution_due_at.is_none_or(|due| resolved <= due);
                c.add(C::OnTime, i64::from(in_time));
            }
            CaseState::Declined => c.add(C::Declined, 1),
            // An open case has no outcome yet (a reopen clears `closed_at`).
            _ => {}
        }
        if !c.is_zero() {
            add(closed, c);
        }
    }
    if let (Some(rating), Some(rated)) = (case.rating, case.rated_at) {
        let mut c = Counters::default();
        c.add(C::Rated, 1);
        c.add(C::RatingSum, rating);
        c.add(C::Satisfied, i64::from(rating >= 4));
        add(rated, c);
    }
    parts
}

/// Figures as people read them, from a sum of contributions.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Figures {
    pub received: i64,
    pub closed: i64,
    pub declined: i64,
    /// 办结率: closed of received, in the period.
    pub closure_rate: Option<f64>,
    pub fixed_on_the_spot: i64,
    /// Of those closed, resolved by their deadline.
    pub on_time_rate: Option<f64>,
    pub reopened: i64,
    pub average_response_hours: Option<f64>,
    /// From the histogram: exact to within its bucket.
    pub median_response_hours: Option<f64>,
    pub average_resolution_hours: Option<f64>,
    pub median_resolution_hours: Option<f64>,
    pub rated: i64,
    pub average_rating: Option<f64>,
    /// Ratings of 4 or 5, of those rated.
    pub satisfaction_rate: Option<f64>,
}

fn ratio(part: i64, whole: i64) -> Option<f64> {
    (whole > 0).then(|| part as f64 / whole as f64)
}

/// The median of a histogram, interpolated linearly inside its bucket; the
/// open last bucket answers its lower bound.
fn median_minutes(histogram: &[i64]) -> Option<f64> {
    let total: i64 = histogram.iter().sum();
    if total == 0 {
        return None;
    }
    let half = total as f64 / 2.0;
    let mut below = 0i64;
    for (i, count) in histogram.iter().enumerate() {
        if *count > 0 && (below + count) as f64 >= half {
            let lower = if i == 0 { 0 } else { BUCKET_BOUNDS[i - 1] } as f64;
            let Some(upper) = BUCKET_BOUNDS.get(i) else {
                return Some(lower);
            };
            let share = (half - below as f64) / *count as f64;
            return Some(lower + (*upper as f64 - lower) * share);
        }
        below += count;
    }
    None
}

impl From<&Counters> for Figures {
    fn from(c: &Counters) -> Figures {
        let hours = |m: Option<f64>| m.map(|m| (m / 60.0 * 10.0).round() / 10.0);
        Figures {
            received: c.get(C::Received),
            closed: c.get(C::Closed),
            declined: c.get(C::Declined),
            closure_rate: ratio(c.get(C::Closed), c.get(C::Received)),
            fixed_on_the_spot: c.get(C::FixedOnTheSpot),
            on_time_rate: ratio(c.get(C::OnTime), c.get(C::Closed)),
            reopened: c.get(C::Reopened),
            average_response_hours: hours(ratio(c.get(C::ResponseMinutes), c.get(C::Responded))),
            median_response_hours: hours(median_minutes(c.histogram(SCALARS + BUCKETS))),
            average_resolution_hours: hours(ratio(c.get(C::ResolutionMinutes), c.get(C::Resolved))),
            median_resolution_hours: hours(median_minutes(c.histogram(SCALARS))),
            rated: c.get(C::Rated),
            average_rating: ratio(c.get(C::RatingSum), c.get(C::Rated))
                .map(|r| (r * 100.0).round() / 100.0),
            satisfaction_rate: ratio(c.get(C::Satisfied), c.get(C::Rated)),
        }
    }
}

/// How a series is broken down.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Period {
    Day,
    /// ISO weeks, named by their Monday.
    Week,
    Month,
}

impl Period {
    pub fn parse(s: &str) -> Option<Period> {
        match s {
            "day" => Some(Period::Day),
            "week" => Some(Period::Week),
            "month" => Some(Period::Month),
            _ => None,
        }
    }

    /// The first day of the period `day` falls in.
    pub fn start_of(self, day: NaiveDate) -> NaiveDate {
        match self {
            Period::Day => day,
            Period::Week => day - Duration::days(i64::from(day.weekday().num_days_from_monday())),
            Period::Month => day.with_day(1).unwrap_or(day),
        }
    }
}

/// Sums per-day counters into periods, in date order.
pub fn by_period(days: &[(NaiveDate, Counters)], period: Period) -> Vec<(NaiveDate, Counters)> {
    let mut out: Vec<(NaiveDate, Counters)> = Vec::new();
    for (day, counters) in days {
        let start = period.start_of(*day);
        match out.last_mut() {
            Some((last, sum)) if *last == start => sum.accumulate(counters, 1),
            _ => out.push((start, *counters)),
        }
    }
    out
}

/// P(X ≥ k) for X ~ Poisson(λ).
pub fn poisson_tail(k: u64, lambda: f64) -> f64 {
    if k == 0 {
        return 1.0;
    }
    // 1 - P(X ≤ k-1), summing the terms iteratively (no factorials).
    let mut term = (-lambda).exp();
    let mut below = term;
    for i in 1..k {
        term *= lambda / i as f64;
        below += term;
    }
    (1.0 - below).max(0.0)
}

/// The spike rule: this week's count `k` is a spike when it is at least
/// [`SPIKE_MIN_COUNT`] and so far above the grid's own normal (the weekly
/// mean λ of the weeks before, at least [`SPIKE_MIN_RATE`]) that a Poisson
/// process with that rate would reach it less than once in a thousand weeks.
pub fn is_spike(k: i64, baseline_weekly_mean: f64) -> bool {
    let lambda = baseline_weekly_mean.max(SPIKE_MIN_RATE);
    k >= SPIKE_MIN_COUNT && poisson_tail(k as u64, lambda) < SPIKE_P
}

pub const SPIKE_MIN_COUNT: i64 = 5;
pub const SPIKE_MIN_RATE: f64 = 0.5;
pub const SPIKE_P: f64 = 0.001;
/// Weeks of history a spike is judged against.
pub const SPIKE_BASELINE_WEEKS: i64 = 8;

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    fn facts() -> CaseFacts<'static> {
        CaseFacts {
            category: "garbage",
            department: Some(3),
            source: CaseSource::Resident,
            state: CaseState::Closed,
            created_at: at("2026-03-01T15:30:00Z"), // 23:30 on 1 March in Beijing
            responded_at: Some(at("2026-03-01T17:00:00Z")),
            resolved_at: Some(at("2026-03-02T03:30:00Z")),
            resolution_due_at: Some(at("2026-03-02T09:00:00Z")),
            closed_at: Some(at("2026-03-03T02:00:00Z")),
            fixed_on_the_spot: false,
            reopen_count: 1,
            rating: Some(5),
            rated_at: Some(at("2026-03-03T03:00:00Z")),
        }
    }

    fn beijing() -> FixedOffset {
        FixedOffset::east_opt(8 * 3600).unwrap()
    }

    #[test]
    fn a_case_counts_on_the_local_day_of_each_moment() {
        let parts = contribution(&facts(), beijing());
        let days: Vec<String> = parts.iter().map(|(k, _)| k.day.to_string()).collect();
        // received on the 1st (local), responded on the 2nd (01:00 local),
        // closed and rated on the 3rd.
        assert_eq!(days, ["2026-03-01", "2026-03-02", "2026-03-03"]);
        let mut total = Counters::default();
        for (_, c) in &parts {
            total.accumulate(c, 1);
        }
        let figures = Figures::from(&total);
        assert_eq!(
            (figures.received, figures.closed, figures.reopened),
            (1, 1, 1)
        );
        assert_eq!(figures.on_time_rate, Some(1.0));
        assert_eq!(figures.closure_rate, Some(1.0));
        assert_eq!(figures.average_resolution_hours, Some(12.0));
        assert_eq!(figures.average_response_hours, Some(1.5));
        assert_eq!(figures.satisfaction_rate, Some(1.0));
    }

    #[test]
    fn late_declined_and_open_cases() {
        let mut late = facts();
        late.resolution_due_at = Some(at("2026-03-02T01:00:00Z"));
        let total = sum(&[late]);
        assert_eq!(Figures::from(&total).on_time_rate, Some(0.0));

        let mut declined = facts();
        declined.state = CaseState::Declined;
        declined.rating = None;
        let f = Figures::from(&sum(&[declined]));
        assert_eq!((f.closed, f.declined, f.closure_rate), (0, 1, Some(0.0)));

        let mut open = facts();
        open.state = CaseState::InProgress;
        open.closed_at = None;
        let f = Figures::from(&sum(&[open]));
        assert_eq!((f.received, f.closed, f.on_time_rate), (1, 0, None));
    }

    fn sum(cases: &[CaseFacts<'_>]) -> Counters {
        let mut total = Counters::default();
        for case in cases {
            for (_, c) in contribution(case, beijing()) {
                total.accumulate(&c, 1);
            }
        }
        total
    }

    #[test]
    fn medians_come_from_the_histogram() {
        assert_eq!(median_minutes(&[0; BUCKETS]), None);
        let mut h = [0i64; BUCKETS];
        h[1] = 2; // two cases between 1 h and 4 h
        assert_eq!(median_minutes(&h), Some(60.0 + 180.0 * 0.5));
        h[BUCKETS - 1] = 10; // most took over 30 days
        assert_eq!(median_minutes(&h), Some(43_200.0));
    }

    #[test]
    fn periods() {
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        assert_eq!(Period::Week.start_of(d("2026-03-05")), d("2026-03-02"));
        assert_eq!(Period::Month.start_of(d("2026-03-05")), d("2026-03-01"));
        let mut one = Counters::default();
        one.add(C::Received, 1);
        let days = [
            (d("2026-03-01"), one),
            (d("2026-03-02"), one),
            (d("2026-03-03"), one),
        ];
        let weeks = by_period(&days, Period::Week);
        assert_eq!(weeks.len(), 2);
        assert_eq!(weeks[1].1.get(C::Received), 2);
    }

    #[test]
    fn spikes() {
        assert!((poisson_tail(0, 3.0) - 1.0).abs() < 1e-12);
        assert!((poisson_tail(1, 2.0) - (1.0 - (-2.0f64).exp())).abs() < 1e-12);
        assert!(!is_spike(4, 0.0), "too few to call");
        assert!(is_spike(8, 1.0));
        assert!(!is_spike(8, 6.0), "normal for a busy grid");
        assert!(is_spike(20, 6.0));
    }
}
