//! Deadlines in working time: "4 working hours" from a dispatch at 16:00 on
//! a Friday before a holiday ends days later. Counted on the tenant's
//! calendar (working hours, weekends, holidays, make-up working days) in the
//! tenant's local time; stored and compared in UTC.

use std::collections::HashMap;

use chrono::{
    DateTime, Datelike, Duration, FixedOffset, NaiveDate, NaiveTime, TimeZone, Utc, Weekday,
};

use crate::calendar::{CalendarDay, DayKind, WorkingHours};
use crate::problem::Problem;

/// A tenant's working time: when the clock of a deadline runs.
#[derive(Debug, Clone)]
pub struct WorkCalendar {
    hours: WorkingHours,
    exceptions: HashMap<NaiveDate, DayKind>,
    offset: FixedOffset,
}

/// The UTC offset of the time zones tenants use. China keeps one offset all
/// year, so a fixed offset is exact there; a tenant elsewhere gives its
/// offset directly (`+08:00`).
pub fn zone_offset(time_zone: &str) -> Result<FixedOffset, Problem> {
    let hours = match time_zone {
        "Asia/Shanghai" | "Asia/Chongqing" | "Asia/Harbin" | "Asia/Hong_Kong" | "Asia/Macau"
        | "Asia/Taipei" | "PRC" => Some(8 * 3600),
        "Asia/Urumqi" | "Asia/Kashgar" => Some(6 * 3600),
        "UTC" | "Etc/UTC" => Some(0),
        _ => None,
    };
    if let Some(seconds) = hours {
        return FixedOffset::east_opt(seconds).ok_or_else(|| Problem::internal("bad offset"));
    }
    time_zone.parse::<FixedOffset>().map_err(|_| {
        Problem::validation(
            "time_zone",
            "use Asia/Shanghai (or another zone of China), UTC, or an offset like +08:00",
        )
    })
}

impl WorkCalendar {
    pub fn new(hours: WorkingHours, days: &[CalendarDay], offset: FixedOffset) -> Self {
        WorkCalendar {
            hours,
            exceptions: days.iter().map(|d| (d.day, d.kind)).collect(),
            offset,
        }
    }

    fn is_working_day(&self, day: NaiveDate) -> bool {
        match self.exceptions.get(&day) {
            Some(kind) => *kind == DayKind::Workday,
            None => !matches!(day.weekday(), Weekday::Sat | Weekday::Sun),
        }
    }

    /// The working window of `day` in UTC, if it is a working day.
    fn window(&self, day: NaiveDate) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
        if !self.is_working_day(day) {
            return None;
        }
        let at = |minute: u16| {
            let time = NaiveTime::from_num_seconds_from_midnight_opt(u32::from(minute) * 60, 0)
                .unwrap_or(NaiveTime::MIN);
            let local = day.and_time(time);
            self.offset
                .from_local_datetime(&local)
                .single()
                .map(|t| t.with_timezone(&Utc))
        };
        let end = if self.hours.end_minute() == 24 * 60 {
            at(0).map(|t| t + Duration::days(1))
        } else {
            at(self.hours.end_minute())
        };
        Some((at(self.hours.start_minute())?, end?))
    }

    fn local_day(&self, t: DateTime<Utc>) -> NaiveDate {
        t.with_timezone(&self.offset).date_naive()
    }

    /// The moment `minutes` of working time after `start`. Searches at most
    /// ten years ahead, which no calendar of real holidays reaches.
    pub fn add_working_minutes(&self, start: DateTime<Utc>, minutes: i64) -> DateTime<Utc> {
        if minutes <= 0 {
            return start;
        }
        let mut remaining = Duration::minutes(minutes);
        let mut day = self.local_day(start);
        for _ in 0..3660 {
            if let Some((open, close)) = self.window(day) {
                let from = start.max(open);
                if from < close {
                    let available = close - from;
                    if remaining <= available {
                        return from + remaining;
                    }
                    remaining -= available;
                }
            }
            day = day.succ_opt().unwrap_or(day);
        }
        start + remaining
    }

    /// Working minutes between two moments (0 when `to` is not after `from`).
    pub fn working_minutes_between(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> i64 {
        if to <= from {
            return 0;
        }
        let mut total = Duration::zero();
        let mut day = self.local_day(from);
        let last = self.local_day(to);
        while day <= last {
            if let Some((open, close)) = self.window(day) {
                let (a, b) = (from.max(open), to.min(close));
                if a < b {
                    total += b - a;
                }
            }
            match day.succ_opt() {
                Some(next) => day = next,
                None => break,
            }
        }
        total.num_minutes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{beijing, china_2026_calendar};
    use proptest::prelude::*;

    fn check(start: &str, minutes: i64, expected: &str) {
        assert_eq!(
            china_2026_calendar().add_working_minutes(beijing(start), minutes),
            beijing(expected),
            "{minutes} working minutes from {start}"
        );
    }

    #[test]
    fn deadlines_on_chinas_2026_calendar() {
        check("2026-03-02 10:00", 60, "2026-03-02 11:00"); // an ordinary Monday
        check("2026-03-02 17:00", 60, "2026-03-03 09:30"); // over the evening
        check("2026-03-06 17:00", 60, "2026-03-09 09:30"); // over a weekend
        check("2026-03-07 12:00", 30, "2026-03-09 09:30"); // reported on a Saturday
        check("2026-02-13 17:00", 60, "2026-02-14 09:30"); // into a make-up Saturday
        check("2026-02-14 17:00", 60, "2026-02-24 09:30"); // over the Spring Festival
        check("2026-03-02 08:00", 0, "2026-03-02 08:00");
        check("2026-03-02 07:00", 4 * 60, "2026-03-02 13:00"); // before opening
    }

    #[test]
    fn minutes_between_counts_only_working_time() {
        let cal = china_2026_calendar();
        assert_eq!(
            cal.working_minutes_between(beijing("2026-03-06 17:00"), beijing("2026-03-09 09:30")),
            60
        );
        assert_eq!(
            cal.working_minutes_between(beijing("2026-03-09 09:30"), beijing("2026-03-06 17:00")),
            0
        );
        assert_eq!(
            cal.working_minutes_between(beijing("2026-03-02 00:00"), beijing("2026-03-03 00:00")),
            510
        );
    }

    #[test]
    fn zones() {
        assert_eq!(
            zone_offset("Asia/Shanghai").unwrap().local_minus_utc(),
            8 * 3600
        );
        assert_eq!(
            zone_offset("+05:30").unwrap().local_minus_utc(),
            5 * 3600 + 1800
        );
        assert!(zone_offset("Mars/Olympus").is_err());
    }

    /// The reference: step minute by minute, counting working minutes.
    fn reference_add(cal: &WorkCalendar, start: DateTime<Utc>, minutes: i64) -> DateTime<Utc> {
        let mut t = start;
        let mut left = minutes;
        let working = |t: DateTime<Utc>| {
            let local = t.with_timezone(&cal.offset);
            let minute = local.hour_minute();
            cal.is_working_day(local.date_naive())
                && minute >= cal.hours.start_minute()
                && minute < cal.hours.end_minute()
        };
        if left == 0 {
            return t;
        }
        loop {
            if working(t) {
                left -= 1;
                if left == 0 {
                    return t + Duration::minutes(1);
                }
            }
            t += Duration::minutes(1);
        }
    }

    trait HourMinute {
        fn hour_minute(&self) -> u16;
    }
    impl HourMinute for DateTime<FixedOffset> {
        fn hour_minute(&self) -> u16 {
            use chrono::Timelike;
            (self.hour() * 60 + self.minute()) as u16
        }
    }

    fn calendar_strategy() -> impl Strategy<Value = WorkCalendar> {
        (
            0u16..12 * 60,
            60u16..12 * 60,
            proptest::collection::vec((0u32..40, any::<bool>()), 0..12),
            -12i32..14,
        )
            .prop_map(|(start, length, days, offset_hours)| {
                let hours = WorkingHours::new(start, (start + length).min(24 * 60)).unwrap();
                let base = NaiveDate::from_ymd_opt(2026, 3, 1).unwrap();
                let days: Vec<CalendarDay> = days
                    .into_iter()
                    .map(|(n, holiday)| CalendarDay {
                        day: base + Duration::days(i64::from(n)),
                        kind: if holiday {
                            DayKind::Holiday
                        } else {
                            DayKind::Workday
                        },
                        name: "x".into(),
                    })
                    .collect();
                WorkCalendar::new(
                    hours,
                    &days,
                    FixedOffset::east_opt(offset_hours * 3600).unwrap(),
                )
            })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        #[test]
        fn agrees_with_the_minute_by_minute_reference(
            cal in calendar_strategy(),
            start_minute in 0i64..(30 * 24 * 60),
            minutes in 0i64..(3 * 8 * 60),
        ) {
            let start = Utc.with_ymd_and_hms(2026, 3, 1, 0, 0, 0).unwrap() + Duration::minutes(start_minute);
            let fast = cal.add_working_minutes(start, minutes);
            prop_assert_eq!(fast, reference_add(&cal, start, minutes));
            prop_assert_eq!(cal.working_minutes_between(start, fast), minutes);
        }
    }
}
