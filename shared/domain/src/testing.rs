//! What the domain's tests share: the working calendar of a township in
//! China in 2026, and times written as a Beijing clock shows them.

use chrono::{DateTime, Utc};

use crate::calendar::{WorkingHours, china_2026};
use crate::deadline::{WorkCalendar, zone_offset};

/// The default working day over China's 2026 holidays, in Beijing time.
pub fn china_2026_calendar() -> WorkCalendar {
    WorkCalendar::new(
        WorkingHours::DEFAULT,
        &china_2026(),
        zone_offset("Asia/Shanghai").expect("a zone"),
    )
}

/// A Beijing wall-clock time, `YYYY-MM-DD HH:MM`, as UTC.
pub fn beijing(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_str(&format!("{s} +0800"), "%Y-%m-%d %H:%M %z")
        .expect("a Beijing time")
        .with_timezone(&Utc)
}
