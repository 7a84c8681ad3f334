//! The tenant's working calendar, which the deadlines count in.

use domain::{CalendarDay, WorkingHours};
use edge::{Ctx, HandlerResult, json};
use serde::Deserialize;
use serde_json::{Value, json};

fn calendar_wire(hours: WorkingHours, days: &[CalendarDay]) -> Value {
    json!({
        "work_day_start": hours.start_text(),
        "work_day_end": hours.end_text(),
        "days": days,
    })
}

pub fn get_calendar(ctx: &mut Ctx) -> HandlerResult {
    let scope = ctx.scope()?;
    let hours = scope.working_hours()?;
    let days = scope.calendar_days()?;
    Ok(json(200, &calendar_wire(hours, &days)))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CalendarBody {
    work_day_start: String,
    work_day_end: String,
    days: Vec<CalendarDay>,
}

impl CalendarBody {
    pub fn parse(&self) -> Result<(WorkingHours, Vec<CalendarDay>), domain::Problem> {
        domain::calendar::check_days(&self.days)?;
        Ok((
            WorkingHours::parse(&self.work_day_start, &self.work_day_end)?,
            self.days.clone(),
        ))
    }
}

/// Replaces the calendar whole: hours and every listed day.
pub fn set_calendar(ctx: &mut Ctx) -> HandlerResult {
    let body: CalendarBody = ctx.json_body()?;
    let (hours, days) = body.parse()?;
    let before = {
        let scope = ctx.scope()?;
        calendar_wire(scope.working_hours()?, &scope.calendar_days()?)
    };
    let after = calendar_wire(hours, &days);
    ctx.transaction(|ctx| {
        ctx.scope()?.set_calendar(hours, &days)?;
        ctx.audit(
            "set_calendar",
            "calendar",
            "calendar",
            Some(before),
            Some(after.clone()),
        )
    })?;
    Ok(json(200, &after))
}
