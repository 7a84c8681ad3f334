//! A tenant's working calendar: working hours, weekends, public holidays and
//! make-up working days (调休). Holidays are data, loaded per tenant; China's
//! official calendar for the current year is what a new tenant starts with.

use chrono::{Datelike, NaiveDate, Weekday};
use serde::{Deserialize, Serialize};

use crate::problem::Problem;

/// A day that departs from the Monday-to-Friday rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CalendarDay {
    pub day: NaiveDate,
    pub kind: DayKind,
    /// E.g. 春节, or 春节调休 for a make-up working day.
    pub name: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DayKind {
    /// No work, whatever the weekday.
    Holiday,
    /// Work, whatever the weekday (a make-up working day).
    Workday,
}

impl DayKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Holiday => "holiday",
            Self::Workday => "workday",
        }
    }

    pub fn parse(s: &str) -> Result<Self, Problem> {
        match s {
            "holiday" => Ok(Self::Holiday),
            "workday" => Ok(Self::Workday),
            _ => Err(Problem::validation("kind", "kind is holiday or workday")),
        }
    }
}

/// The working day, in minutes after local midnight: 09:00 to 17:30 by default.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkingHours {
    start_minute: u16,
    end_minute: u16,
}

impl WorkingHours {
    pub const DEFAULT: WorkingHours = WorkingHours {
        start_minute: 9 * 60,
        end_minute: 17 * 60 + 30,
    };

    pub fn new(start_minute: u16, end_minute: u16) -> Result<Self, Problem> {
        if start_minute >= end_minute || end_minute > 24 * 60 {
            // Each time is read alone (`clock_pattern`); their order is a rule
            // between two fields.
            return Err(Problem::unprocessable(
                "work_day_end",
                "the working day must end after it starts, by midnight",
            ));
        }
        Ok(WorkingHours {
            start_minute,
            end_minute,
        })
    }

    /// Parses `"09:00"`-style times.
    pub fn parse(start: &str, end: &str) -> Result<Self, Problem> {
        let start_minute = parse_clock(start).map_err(|p| p.with_field("work_day_start"))?;
        let end_minute = parse_clock(end).map_err(|p| p.with_field("work_day_end"))?;
        Self::new(start_minute, end_minute)
    }

    pub fn start_minute(self) -> u16 {
        self.start_minute
    }

    pub fn end_minute(self) -> u16 {
        self.end_minute
    }

    pub fn start_text(self) -> String {
        clock_text(self.start_minute)
    }

    pub fn end_text(self) -> String {
        clock_text(self.end_minute)
    }
}

/// A time of day as `HH:MM`, two digits each, from `00:00` to `24:00`.
pub fn parse_clock(s: &str) -> Result<u16, Problem> {
    let bad = || Problem::validation("time", format!("'{s}' is not a time like 09:00"));
    let (h, m) = s.split_once(':').ok_or_else(bad)?;
    let two_digits = |part: &str| part.len() == 2 && part.bytes().all(|b| b.is_ascii_digit());
    if !two_digits(h) || !two_digits(m) {
        return Err(bad());
    }
    let h: u16 = h.parse().map_err(|_| bad())?;
    let m: u16 = m.parse().map_err(|_| bad())?;
    if h > 24 || m > 59 || (h == 24 && m > 0) {
        return Err(bad());
    }
    Ok(h * 60 + m)
}

/// [`parse_clock`] as a regular expression.
pub fn clock_pattern() -> String {
    "^(?:[01][0-9]:[0-5][0-9]|2[0-3]:[0-5][0-9]|24:00)$".to_string()
}

fn clock_text(minute: u16) -> String {
    format!("{:02}:{:02}", minute / 60, minute % 60)
}

/// Whether `day` is a working day under `exceptions` (which must hold the
/// tenant's calendar days; any order).
pub fn is_working_day(day: NaiveDate, exceptions: &[CalendarDay]) -> bool {
    match exceptions.iter().find(|d| d.day == day) {
        Some(d) => d.kind == DayKind::Workday,
        None => !matches!(day.weekday(), Weekday::Sat | Weekday::Sun),
    }
}

/// Checks a calendar: each day named, no day listed twice.
pub fn check_days(days: &[CalendarDay]) -> Result<(), Problem> {
    let mut seen = std::collections::HashSet::new();
    for (i, d) in days.iter().enumerate() {
        crate::limits::CALENDAR_DAY_NAME.check_at(&format!("days[{i}].name"), &d.name)?;
        if !seen.insert(d.day) {
            // Days unique across the list: beyond what the document can state.
            return Err(Problem::unprocessable(
                format!("days[{i}].day"),
                format!("{} is listed twice", d.day),
            ));
        }
    }
    Ok(())
}

/// China's public holidays and make-up working days for 2026, as the State
/// Council's General Office announced them (国办发明电〔2025〕7号).
pub fn china_2026() -> Vec<CalendarDay> {
    const HOLIDAYS: &[(&str, &str, &str)] = &[
        ("2026-01-01", "2026-01-03", "元旦"),
        ("2026-02-15", "2026-02-23", "春节"),
        ("2026-04-04", "2026-04-06", "清明节"),
        ("2026-05-01", "2026-05-05", "劳动节"),
        ("2026-06-19", "2026-06-21", "端午节"),
        ("2026-09-25", "2026-09-27", "中秋节"),
        ("2026-10-01", "2026-10-07", "国庆节"),
    ];
    const MAKE_UP_DAYS: &[(&str, &str)] = &[
        ("2026-01-04", "元旦调休"),
        ("2026-02-14", "春节调休"),
        ("2026-02-28", "春节调休"),
        ("2026-05-09", "劳动节调休"),
        ("2026-09-20", "国庆节调休"),
        ("2026-10-10", "国庆节调休"),
    ];
    let date = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok();
    let mut days = Vec::new();
    for (first, last, name) in HOLIDAYS {
        let (Some(first), Some(last)) = (date(first), date(last)) else {
            continue;
        };
        for day in first.iter_days().take_while(|d| *d <= last) {
            days.push(CalendarDay {
                day,
                kind: DayKind::Holiday,
                name: (*name).to_string(),
            });
        }
    }
    for (day, name) in MAKE_UP_DAYS {
        if let Some(day) = date(day) {
            days.push(CalendarDay {
                day,
                kind: DayKind::Workday,
                name: (*name).to_string(),
            });
        }
    }
    days
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn china_2026_working_days() {
        let cal = china_2026();
        let check = |day: &str, working: bool| {
            assert_eq!(is_working_day(d(day), &cal), working, "{day}");
        };
        check("2026-01-01", false); // 元旦, a Thursday
        check("2026-01-04", true); // make-up Sunday
        check("2026-02-17", false); // 春节, a Tuesday
        check("2026-02-14", true); // make-up Saturday
        check("2026-03-02", true); // an ordinary Monday
        check("2026-03-07", false); // an ordinary Saturday
        check("2026-10-08", true); // the Thursday after 国庆
        check("2026-10-10", true); // make-up Saturday
        assert!(check_days(&cal).is_ok());
        assert_eq!(
            cal.iter().filter(|c| c.kind == DayKind::Holiday).count(),
            33
        );
    }

    #[test]
    fn working_hours() {
        let h = WorkingHours::parse("08:30", "17:00").unwrap();
        assert_eq!((h.start_minute(), h.end_minute()), (510, 1020));
        assert_eq!(h.start_text(), "08:30");
        for (s, e) in [
            ("17:00", "09:00"),
            ("9", "17:00"),
            ("09:60", "17:00"),
            ("09:00", "24:01"),
        ] {
            assert!(WorkingHours::parse(s, e).is_err(), "{s}-{e}");
        }
    }
}
