//! The clock of a case: deadlines set at dispatch from the category's hours
//! and the priority, counted in working time, paused while the case waits
//! for the reporter; and the escalation ladder when time runs out
//! (超时督办: warn, raise to the command centre, to the grid's higher level,
//! then a formal summons).

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::auth::Role;
use crate::case::ActionKind;
use crate::deadline::WorkCalendar;
use crate::intake::Priority;
use crate::problem::Problem;

/// A department may hand a case back this many times; after that the
/// command centre's dispatch is final (退单 no more).
pub const MAX_RETURNS: usize = 2;

/// How the person acting stands to the case, beyond their role.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Standing {
    /// Their department is the case's lead department.
    pub holds_case: bool,
    /// They reported the case (a grid worker checks the work on their own report).
    pub reported_case: bool,
}

/// Who takes which step: the command centre (and the tenant admin) triage,
/// dispatch, transfer, rule on extensions, verify and close, and may act for
/// a department; the department holding the case signs for it, works it and
/// answers; the grid worker who reported a case may verify the result on the
/// spot or send it back. The reporter's own steps (replying, reopening by a
/// rating) come through their secret, not a role. Assisting departments act
/// on their own part, not on the case (see the store's `complete_assist`).
pub fn may_take(role: Role, action: ActionKind, standing: Standing) -> Result<(), Problem> {
    use ActionKind as A;
    let centre = matches!(role, Role::CommandCentre | Role::TenantAdmin);
    let allowed = match action {
        A::Accept
        | A::Decline
        | A::Register
        | A::Dispatch
        | A::Transfer
        | A::Recategorise
        | A::GrantExtension
        | A::RefuseExtension
        | A::Close
        | A::Reopen
        | A::Archive
        | A::UndoTriage => centre,
        A::Verify | A::RejectVerification => {
            centre || (role == Role::GridWorker && standing.reported_case)
        }
        A::SignFor
        | A::Return
        | A::RequestExtension
        | A::StartWork
        | A::AwaitReporter
        | A::ReporterReplied
        | A::Resolve => {
            if role == Role::DepartmentStaff && !standing.holds_case {
                return Err(Problem::forbidden(
                    "this case is not held by your department",
                ));
            }
            role == Role::DepartmentStaff || centre
        }
        // Only at intake, by the grid worker who fixed it.
        A::FixedOnTheSpot => false,
    };
    if allowed {
        Ok(())
    } else {
        Err(Problem::forbidden(format!(
            "the role {} does not take the step '{}' on this case",
            role.as_str(),
            action.name()
        )))
    }
}

/// Who may publish on a case (a public comment shows on the status page,
/// credited to the publisher's department): those who answer for it, the
/// command centre and the tenant admin, and the department holding it.
/// Anyone else on staff who may read the case writes internal notes only.
pub fn may_publish_on(role: Role, standing: Standing) -> Result<(), Problem> {
    let centre = matches!(role, Role::CommandCentre | Role::TenantAdmin);
    if centre || (role == Role::DepartmentStaff && standing.holds_case) {
        Ok(())
    } else {
        Err(Problem::forbidden(
            "only the department holding this case or the command centre may publish on it; \
             write an internal note (public: false) instead",
        )
        .with_field("public"))
    }
}

/// Who sees the reporter's name, phone and e-mail on a case: those who may
/// need to call them back. The command centre and the tenant admin, the
/// department holding the case, and the grid worker who reported it (often
/// typed in for the resident). Other staff who may read the case (a
/// department it was transferred away from) see the place but not the
/// person; the public never sees either.
pub fn may_see_contact(role: Role, standing: Standing) -> bool {
    matches!(role, Role::CommandCentre | Role::TenantAdmin)
        || (role == Role::DepartmentStaff && standing.holds_case)
        || (role == Role::GridWorker && standing.reported_case)
}

/// Working hours the command centre has to triage a new case (judge and
/// dispatch it) before its category's own clock starts: the 12345 hotlines'
/// 派单时限 (two working hours for an ordinary case), scaled by priority
/// like every deadline.
pub const TRIAGE_HOURS: u32 = 2;

/// When a case waiting in triage should have been dispatched by: counted
/// in working time from its report. Shown to the command centre as the
/// triage queue's time left; it does not escalate (the case's own clock
/// does, once dispatched).
pub fn triage_due(
    reported: DateTime<Utc>,
    priority: Priority,
    calendar: &WorkCalendar,
) -> DateTime<Utc> {
    calendar.add_working_minutes(reported, minutes_for(TRIAGE_HOURS, priority))
}

/// Working minutes for a category's hours at a priority: urgent cases get a
/// quarter of the time, high half, low half as much again.
pub fn minutes_for(hours: u32, priority: Priority) -> i64 {
    let minutes = i64::from(hours) * 60;
    let scaled = match priority {
        Priority::Urgent => minutes / 4,
        Priority::High => minutes / 2,
        Priority::Normal => minutes,
        Priority::Low => minutes * 3 / 2,
    };
    scaled.max(30)
}

/// A case's two deadlines.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Deadlines {
    pub response_due: DateTime<Utc>,
    pub resolution_due: DateTime<Utc>,
}

impl Deadlines {
    /// Set when the case is dispatched: the clock starts then, not at
    /// sign-off, so delaying 签收 gains nothing.
    pub fn at_dispatch(
        dispatched: DateTime<Utc>,
        response_hours: u32,
        resolution_hours: u32,
        priority: Priority,
        calendar: &WorkCalendar,
    ) -> Deadlines {
        Deadlines {
            response_due: calendar
                .add_working_minutes(dispatched, minutes_for(response_hours, priority)),
            resolution_due: calendar
                .add_working_minutes(dispatched, minutes_for(resolution_hours, priority)),
        }
    }

    /// A granted extension (延期): the resolution deadline moves by the
    /// case's resolution time once more, counted from the current deadline.
    pub fn extended(
        self,
        resolution_hours: u32,
        priority: Priority,
        calendar: &WorkCalendar,
    ) -> Deadlines {
        Deadlines {
            response_due: self.response_due,
            resolution_due: calendar
                .add_working_minutes(self.resolution_due, minutes_for(resolution_hours, priority)),
        }
    }

    /// After a pause from `paused` to `resumed`, both deadlines move by the
    /// working time the pause took: paused time never counts.
    pub fn after_pause(
        self,
        paused: DateTime<Utc>,
        resumed: DateTime<Utc>,
        calendar: &WorkCalendar,
    ) -> Deadlines {
        let paused_minutes = calendar.working_minutes_between(paused, resumed);
        Deadlines {
            response_due: calendar.add_working_minutes(self.response_due, paused_minutes),
            resolution_due: calendar.add_working_minutes(self.resolution_due, paused_minutes),
        }
    }
}

/// Working minutes left until `due` (negative when overdue), as of `now`;
/// while paused, time stands still at the moment of the pause.
pub fn minutes_left(
    due: DateTime<Utc>,
    now: DateTime<Utc>,
    paused_at: Option<DateTime<Utc>>,
    calendar: &WorkCalendar,
) -> i64 {
    let at = paused_at.unwrap_or(now);
    if at <= due {
        calendar.working_minutes_between(at, due)
    } else {
        -calendar.working_minutes_between(due, at)
    }
}

/// The escalation ladder.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Escalation {
    None = 0,
    /// 80% of the time used: the handler is warned (预警).
    Warned = 1,
    /// Overdue (超时): marked and raised to the command centre (督办).
    Overdue = 2,
    /// Half the time again past due: raised to the grid's higher level.
    RaisedHigher = 3,
    /// Twice the time past due: the unit is formally summoned (约谈).
    Summoned = 4,
}

impl Escalation {
    pub fn from_level(level: i64) -> Escalation {
        match level {
            i64::MIN..=0 => Escalation::None,
            1 => Escalation::Warned,
            2 => Escalation::Overdue,
            3 => Escalation::RaisedHigher,
            _ => Escalation::Summoned,
        }
    }

    pub fn level(self) -> i64 {
        self as i64
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Escalation::None => "none",
            Escalation::Warned => "warned",
            Escalation::Overdue => "overdue",
            Escalation::RaisedHigher => "raised_higher",
            Escalation::Summoned => "summoned",
        }
    }

    /// Where a case stands on the ladder when `used` working minutes of
    /// `allowed` have gone by.
    pub fn for_time_used(used: i64, allowed: i64) -> Escalation {
        let allowed = allowed.max(1);
        if used * 2 >= allowed * 4 {
            Escalation::Summoned
        } else if used * 2 >= allowed * 3 {
            Escalation::RaisedHigher
        } else if used >= allowed {
            Escalation::Overdue
        } else if used * 10 >= allowed * 8 {
            Escalation::Warned
        } else {
            Escalation::None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{beijing, china_2026_calendar};
    use proptest::prelude::*;

    #[test]
    fn deadlines_start_at_dispatch_in_working_time() {
        let d = Deadlines::at_dispatch(
            beijing("2026-03-06 16:00"),
            2,
            8,
            Priority::Normal,
            &china_2026_calendar(),
        );
        assert_eq!(d.response_due, beijing("2026-03-09 09:30")); // over the weekend
        assert_eq!(d.resolution_due, beijing("2026-03-09 15:30")); // 90 min Friday, 390 Monday
        let urgent = Deadlines::at_dispatch(
            beijing("2026-03-02 09:00"),
            2,
            8,
            Priority::Urgent,
            &china_2026_calendar(),
        );
        assert_eq!(urgent.response_due, beijing("2026-03-02 09:30"));
    }

    #[test]
    fn triage_is_due_two_working_hours_after_the_report() {
        let calendar = china_2026_calendar();
        let check = |reported: &str, priority, due: &str| {
            assert_eq!(
                triage_due(beijing(reported), priority, &calendar),
                beijing(due),
                "{reported} {priority:?}"
            );
        };
        check("2026-03-02 09:00", Priority::Normal, "2026-03-02 11:00");
        check("2026-03-02 09:00", Priority::Urgent, "2026-03-02 09:30");
        // Reported on a Friday evening: due on Monday morning.
        check("2026-03-06 20:00", Priority::Normal, "2026-03-09 11:00");
    }

    /// Who may publish on a case and who sees its reporter's contact, by
    /// role and standing: one table, as the two rules are read together.
    #[test]
    fn who_publishes_on_a_case_and_who_sees_its_reporter() {
        let holding = Standing {
            holds_case: true,
            reported_case: false,
        };
        let reporter = Standing {
            holds_case: false,
            reported_case: true,
        };
        let none = Standing::default();
        // (role, standing, may publish, sees the contact)
        for (role, standing, publishes, sees_contact) in [
            (Role::CommandCentre, none, true, true),
            (Role::TenantAdmin, none, true, true),
            (Role::DepartmentStaff, holding, true, true),
            (Role::DepartmentStaff, none, false, false),
            (Role::GridWorker, reporter, false, true),
            (Role::GridWorker, none, false, false),
            (Role::Agent, none, false, false),
            (Role::Enterprise, holding, false, false),
        ] {
            assert_eq!(
                (
                    may_publish_on(role, standing).is_ok(),
                    may_see_contact(role, standing)
                ),
                (publishes, sees_contact),
                "{role:?} {standing:?}"
            );
        }
    }

    #[test]
    fn who_takes_which_step() {
        use ActionKind as A;
        let holding = Standing {
            holds_case: true,
            reported_case: false,
        };
        let reporter = Standing {
            holds_case: false,
            reported_case: true,
        };
        let none = Standing::default();
        let may = |role, action, standing| may_take(role, action, standing).is_ok();
        assert!(may(Role::CommandCentre, A::Dispatch, none));
        assert!(may(Role::CommandCentre, A::Transfer, none));
        assert!(may(Role::CommandCentre, A::Resolve, none));
        assert!(!may(Role::DepartmentStaff, A::Dispatch, holding));
        assert!(!may(Role::DepartmentStaff, A::Transfer, holding));
        assert!(may(Role::DepartmentStaff, A::SignFor, holding));
        let elsewhere = may_take(Role::DepartmentStaff, A::SignFor, none).expect_err("not held");
        assert_eq!(elsewhere.detail, "this case is not held by your department");
        assert!(!may(Role::DepartmentStaff, A::GrantExtension, holding));
        assert!(!may(Role::GridWorker, A::Resolve, reporter));
        assert!(may(Role::GridWorker, A::Verify, reporter));
        assert!(may(Role::GridWorker, A::RejectVerification, reporter));
        assert!(!may(Role::GridWorker, A::Verify, none));
        for action in ActionKind::ALL {
            assert!(!may(Role::Enterprise, action, holding), "{action:?}");
        }
    }

    #[test]
    fn the_ladder() {
        let check =
            |used, expected| assert_eq!(Escalation::for_time_used(used, 100), expected, "{used}");
        check(0, Escalation::None);
        check(79, Escalation::None);
        check(80, Escalation::Warned);
        check(100, Escalation::Overdue);
        check(150, Escalation::RaisedHigher);
        check(200, Escalation::Summoned);
        assert_eq!(Escalation::from_level(2), Escalation::Overdue);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(48))]
        /// However long a pause, the working time left after it is what was
        /// left when it began.
        #[test]
        fn paused_time_never_counts(
            dispatch_offset in 0i64..(20 * 24 * 60),
            pause_after in 0i64..(3 * 24 * 60),
            pause_length in 0i64..(10 * 24 * 60),
            hours in 1u32..40,
        ) {
            let cal = china_2026_calendar();
            let dispatched = beijing("2026-03-01 00:00") + chrono::Duration::minutes(dispatch_offset);
            let d = Deadlines::at_dispatch(dispatched, 1, hours, Priority::Normal, &cal);
            let paused = dispatched + chrono::Duration::minutes(pause_after);
            let resumed = paused + chrono::Duration::minutes(pause_length);
            prop_assume!(paused < d.resolution_due);
            let left_before = minutes_left(d.resolution_due, paused, None, &cal);
            let moved = d.after_pause(paused, resumed, &cal);
            let left_after = minutes_left(moved.resolution_due, resumed, None, &cal);
            prop_assert_eq!(left_before, left_after);
            // And while paused, the time left does not move.
            prop_assert_eq!(minutes_left(d.resolution_due, resumed, Some(paused), &cal), left_before);
        }
    }
}
