//! The tenant's working calendar: working hours and the days that depart
//! from Monday to Friday.

use super::TenantScope;
use crate::db::{Database, Row, StoreError};
use crate::error::Error;
use chrono::NaiveDate;
use domain::deadline::{WorkCalendar, zone_offset};
use domain::{CalendarDay, DayKind, WorkingHours};

fn hours_from_row(row: &Row<'_>) -> Result<WorkingHours, Error> {
    let minute = |column: &str| -> Result<u16, StoreError> {
        u16::try_from(row.get_i64(column)?).map_err(|_| StoreError::Decode {
            column: column.to_owned(),
            expected: "minutes after midnight",
        })
    };
    Ok(WorkingHours::new(
        minute("work_day_start_minute")?,
        minute("work_day_end_minute")?,
    )?)
}

fn day_from_row(row: &Row<'_>) -> Result<CalendarDay, StoreError> {
    Ok(CalendarDay {
        day: NaiveDate::parse_from_str(row.get_str("day")?, "%Y-%m-%d").map_err(|_| {
            StoreError::Decode {
                column: "day".into(),
                expected: "a date like 2026-10-01",
            }
        })?,
        kind: crate::decoded("kind", DayKind::parse(row.get_str("kind")?))?,
        name: row.get_string("name")?,
    })
}

impl<D: Database + ?Sized> TenantScope<'_, D> {
    pub fn working_hours(&self) -> Result<WorkingHours, Error> {
        let rows = self.db.execute(
            "SELECT work_day_start_minute, work_day_end_minute FROM tenants WHERE id = ?",
            &[self.tenant.0.into()],
        )?;
        hours_from_row(&rows.returned()?)
    }

    /// The tenant's working time in its own time zone: what deadlines count
    /// in. One statement: the hours with each listed day.
    pub fn work_calendar(&self) -> Result<WorkCalendar, Error> {
        let offset = zone_offset(&self.time_zone)?;
        let rows = self.db.execute(
            "SELECT t.work_day_start_minute, t.work_day_end_minute, d.day, d.kind, d.name \
             FROM tenants t LEFT JOIN calendar_days d ON d.tenant_id = t.id \
             WHERE t.id = ? ORDER BY d.day",
            &[self.tenant.0.into()],
        )?;
        let hours = hours_from_row(&rows.returned()?)?;
        let days = rows
            .iter()
            .filter(|r| r.get_opt_str("day").is_ok_and(|d| d.is_some()))
            .map(|r| day_from_row(&r))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(WorkCalendar::new(hours, &days, offset))
    }

    pub fn calendar_days(&self) -> Result<Vec<CalendarDay>, Error> {
        let rows = self.db.execute(
            "SELECT day, kind, name FROM calendar_days WHERE tenant_id = ? ORDER BY day",
            &[self.tenant.0.into()],
        )?;
        Ok(rows
            .iter()
            .map(|r| day_from_row(&r))
            .collect::<Result<_, StoreError>>()?)
    }

    /// Replaces the calendar: working hours and every listed day.
    pub fn set_calendar(&self, hours: WorkingHours, days: &[CalendarDay]) -> Result<(), Error> {
        domain::calendar::check_days(days)?;
        crate::in_transaction(self.db, |db| -> Result<(), Error> {
            db.execute(
                "UPDATE tenants SET work_day_start_minute = ?, work_day_end_minute = ? WHERE id = ?",
                &[
                    i64::from(hours.start_minute()).into(),
                    i64::from(hours.end_minute()).into(),
                    self.tenant.0.into(),
                ],
            )?;
            db.execute(
                "DELETE FROM calendar_days WHERE tenant_id = ?",
                &[self.tenant.0.into()],
            )?;
            for d in days {
                db.execute(
                    "INSERT INTO calendar_days (tenant_id, day, kind, name) VALUES (?, ?, ?, ?)",
                    &[
                        self.tenant.0.into(),
                        d.day.format("%Y-%m-%d").to_string().into(),
                        d.kind.as_str().into(),
                        d.name.trim().into(),
                    ],
                )?;
            }
            Ok(())
        })
    }
}
