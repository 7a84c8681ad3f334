//! What a step of the case flow does to a case beside its state: who holds
//! it and how its clock moves. The state machine (`CaseState::next`) says
//! where a step leads; [`check`] says what stands in a step's way that the
//! state alone does not; [`effect`] says, as a value, what the step changes
//! (the holder, the category, the clock's stamps and deadlines). The store
//! only applies the value, in the step's transaction.

use chrono::{DateTime, Utc};

use crate::case::{ActionKind, CaseAction, CaseState};
use crate::deadline::WorkCalendar;
use crate::intake::Priority;
use crate::organisation::Code;
use crate::problem::Problem;
use crate::workflow::{Deadlines, MAX_RETURNS};

/// A case's holder and clock, as a step reads them.
#[derive(Debug, Clone, PartialEq)]
pub struct CaseClock {
    pub state: CaseState,
    pub category: String,
    pub priority: Priority,
    pub department: Option<i64>,
    pub dispatched_at: Option<DateTime<Utc>>,
    pub responded_at: Option<DateTime<Utc>>,
    pub response_due_at: Option<DateTime<Utc>>,
    pub resolution_due_at: Option<DateTime<Utc>>,
    pub paused_at: Option<DateTime<Utc>>,
}

impl CaseClock {
    fn deadlines(&self) -> Option<Deadlines> {
        Some(Deadlines {
            response_due: self.response_due_at?,
            resolution_due: self.resolution_due_at?,
        })
    }
}

/// A category's working hours, to first response and to resolution.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CategoryHours {
    pub response: u32,
    pub resolution: u32,
}

/// What the store knows that a step needs.
#[derive(Debug, Clone, Copy)]
pub struct StepFacts<'a> {
    pub now: DateTime<Utc>,
    pub calendar: &'a WorkCalendar,
    /// The department a dispatch or a transfer names, found by its code.
    pub department: Option<i64>,
    /// The hours of the category the step leaves the case in (for a
    /// recategorisation, the new one), when [`needs_category_hours`] says
    /// the step needs them; `None` when there is no such category.
    pub hours: Option<CategoryHours>,
    /// How often the case was returned (退单) before.
    pub returns_so_far: usize,
    /// The department holding the case got it from the smart triage's own
    /// dispatch (智能分拨), not from a person or a routing rule since
    /// (`triage::dispatched_by_triage` reads it from the timeline).
    pub dispatched_by_triage: bool,
}

/// A column's change: left as it is, set, or emptied.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Change<T> {
    #[default]
    Keep,
    Set(T),
    Clear,
}

/// What a step changes beside the state and the version.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Effect {
    /// The department that holds the case.
    pub department: Change<i64>,
    pub category: Option<String>,
    /// Set once, at the first dispatch.
    pub dispatched_at: Option<DateTime<Utc>>,
    /// Set once, at the first sign-for.
    pub responded_at: Option<DateTime<Utc>>,
    pub resolved_at: Change<DateTime<Utc>>,
    pub paused_at: Change<DateTime<Utc>>,
    pub deadlines: Option<Deadlines>,
    /// The escalation ladder starts again (against a new deadline).
    pub restart_escalation: bool,
}

/// A case whose category was deleted since is extended by a working day.
pub const EXTENSION_WITHOUT_CATEGORY_HOURS: u32 = 8;

/// Whether the step reads its category's hours: a dispatch to start the
/// clock, a recategorisation to recount it, an extension to move it.
pub fn needs_category_hours(action: &CaseAction) -> bool {
    matches!(
        action,
        CaseAction::Dispatch { .. } | CaseAction::Recategorise { .. } | CaseAction::GrantExtension
    )
}

/// What stands in the way of `action` on the case as it is `before` the
/// step, beyond what its state allows: a transfer to the department that
/// holds it, a recategorisation to no category or the same one, a return
/// past the limit (the command centre's dispatch is then final).
pub fn check(action: &CaseAction, before: &CaseClock, facts: &StepFacts) -> Result<(), Problem> {
    match action {
        CaseAction::Transfer { .. } if facts.department == before.department => Err(
            Problem::conflict("the case is already with this department").with_field("department"),
        ),
        CaseAction::Recategorise { category, .. } => {
            Code::parse(category).map_err(|p| p.with_field("category"))?;
            if facts.hours.is_none() {
                return Err(Problem::unknown("category", "no such category"));
            }
            if before.category == *category {
                return Err(
                    Problem::conflict("the case already has this category").with_field("category")
                );
            }
            Ok(())
        }
        CaseAction::UndoTriage { .. } if !facts.dispatched_by_triage => Err(Problem::coded(
            crate::ProblemCode::NotDispatchedByTriage,
            "the department holding this case did not get it from the smart triage's dispatch",
        )),
        _ if action.kind() == ActionKind::Return && facts.returns_so_far >= MAX_RETURNS => {
            Err(Problem::conflict(format!(
                "this case was returned {} times: the command centre's dispatch is final",
                facts.returns_so_far
            )))
        }
        _ => Ok(()),
    }
}

/// What `action` changes on the case, given the case as the state machine
/// left it (`after`: its new state, its holder and clock not yet changed).
pub fn effect(
    action: &CaseAction,
    after: &CaseClock,
    facts: &StepFacts,
) -> Result<Effect, Problem> {
    let now = facts.now;
    let calendar = facts.calendar;
    let category_gone = || Problem::conflict("the case's category no longer exists");
    let clock_from = |start: DateTime<Utc>, hours: CategoryHours| {
        Deadlines::at_dispatch(
            start,
            hours.response,
            hours.resolution,
            after.priority,
            calendar,
        )
    };
    let effect = match action {
        // A re-dispatch after a return keeps the clock of the first.
        CaseAction::Dispatch { .. } => Effect {
            department: facts.department.map_or(Change::Keep, Change::Set),
            dispatched_at: after.dispatched_at.is_none().then_some(now),
            deadlines: Some(match after.deadlines() {
                Some(running) => running,
                None => clock_from(now, facts.hours.ok_or_else(category_gone)?),
            }),
            ..Effect::default()
        },
        // The clock keeps running from the first dispatch: a transfer is
        // not a fresh start for anyone.
        CaseAction::Transfer { .. } => Effect {
            department: facts.department.map_or(Change::Keep, Change::Set),
            ..Effect::default()
        },
        // Taken back from a department (the state machine sends it to
        // `registered`), the case leaves it; a running clock keeps its start
        // and is recounted with the new category's hours.
        CaseAction::Recategorise { category, .. } => Effect {
            category: Some(category.clone()),
            department: if after.state == CaseState::Registered {
                Change::Clear
            } else {
                Change::Keep
            },
            deadlines: match after.dispatched_at {
                Some(start) => Some(clock_from(start, facts.hours.ok_or_else(category_gone)?)),
                None => None,
            },
            ..Effect::default()
        },
        // Back to triage, as a return: the clock keeps its start.
        CaseAction::Return { .. } | CaseAction::UndoTriage { .. } => Effect {
            department: Change::Clear,
            ..Effect::default()
        },
        // The ladder starts again against the new deadline; the escalations
        // so far stay in the timeline.
        CaseAction::GrantExtension => match after.deadlines() {
            Some(running) => Effect {
                deadlines: Some(
                    running.extended(
                        facts
                            .hours
                            .map_or(EXTENSION_WITHOUT_CATEGORY_HOURS, |h| h.resolution),
                        after.priority,
                        calendar,
                    ),
                ),
                restart_escalation: true,
                ..Effect::default()
            },
            None => Effect::default(),
        },
        CaseAction::SignFor => Effect {
            responded_at: after.responded_at.is_none().then_some(now),
            ..Effect::default()
        },
        CaseAction::Resolve { .. } => Effect {
            resolved_at: Change::Set(now),
            ..Effect::default()
        },
        CaseAction::Reopen { .. } => Effect {
            resolved_at: Change::Clear,
            ..Effect::default()
        },
        CaseAction::AwaitReporter => Effect {
            paused_at: Change::Set(now),
            ..Effect::default()
        },
        // Paused time never counts: the deadlines move by what the pause took.
        CaseAction::ReporterReplied => Effect {
            paused_at: Change::Clear,
            deadlines: match (after.paused_at, after.deadlines()) {
                (Some(paused), Some(running)) => Some(running.after_pause(paused, now, calendar)),
                _ => None,
            },
            ..Effect::default()
        },
        _ => Effect::default(),
    };
    Ok(effect)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{beijing, china_2026_calendar};

    fn registered() -> CaseClock {
        CaseClock {
            state: CaseState::Registered,
            category: "garbage".into(),
            priority: Priority::Normal,
            department: None,
            dispatched_at: None,
            responded_at: None,
            response_due_at: None,
            resolution_due_at: None,
            paused_at: None,
        }
    }

    const HOURS: CategoryHours = CategoryHours {
        response: 2,
        resolution: 16,
    };

    fn facts(calendar: &WorkCalendar, now: DateTime<Utc>) -> StepFacts<'_> {
        StepFacts {
            now,
            calendar,
            department: None,
            hours: Some(HOURS),
            returns_so_far: 0,
            dispatched_by_triage: false,
        }
    }

    fn dispatch() -> CaseAction {
        CaseAction::Dispatch {
            department: "urban".into(),
            assisting: vec![],
        }
    }

    #[test]
    fn the_first_dispatch_starts_the_clock_and_a_second_keeps_it() {
        let calendar = china_2026_calendar();
        let monday = beijing("2026-03-02 09:00");
        let step = StepFacts {
            department: Some(7),
            ..facts(&calendar, monday)
        };
        let first = effect(&dispatch(), &registered(), &step).unwrap();
        assert_eq!(first.department, Change::Set(7));
        assert_eq!(first.dispatched_at, Some(monday));
        let deadlines = first.deadlines.unwrap();
        assert_eq!(deadlines.response_due, beijing("2026-03-02 11:00"));
        // After a return, a re-dispatch: the first dispatch's clock stands.
        let returned = CaseClock {
            dispatched_at: Some(monday),
            response_due_at: Some(deadlines.response_due),
            resolution_due_at: Some(deadlines.resolution_due),
            ..registered()
        };
        let later = StepFacts {
            department: Some(8),
            ..facts(&calendar, beijing("2026-03-03 09:00"))
        };
        let again = effect(&dispatch(), &returned, &later).unwrap();
        assert_eq!(again.dispatched_at, None, "set once");
        assert_eq!(again.deadlines, Some(deadlines));
        assert_eq!(again.department, Change::Set(8));
        // Without the category's hours there is no clock to start.
        let gone = StepFacts {
            hours: None,
            ..step
        };
        assert_eq!(
            effect(&dispatch(), &registered(), &gone)
                .unwrap_err()
                .status(),
            409
        );
    }

    #[test]
    fn what_stands_in_a_steps_way() {
        let calendar = china_2026_calendar();
        let now = beijing("2026-03-02 09:00");
        let held = CaseClock {
            state: CaseState::Dispatched,
            department: Some(7),
            ..registered()
        };
        let transfer = CaseAction::Transfer {
            department: "urban".into(),
            reason: "错派".into(),
        };
        let to = |department| StepFacts {
            department: Some(department),
            ..facts(&calendar, now)
        };
        assert_eq!(check(&transfer, &held, &to(7)).unwrap_err().status(), 409);
        assert!(check(&transfer, &held, &to(8)).is_ok());
        let back = CaseAction::Return {
            reason: "非本部门职责".into(),
        };
        let returned = |times| StepFacts {
            returns_so_far: times,
            ..facts(&calendar, now)
        };
        assert!(check(&back, &held, &returned(MAX_RETURNS - 1)).is_ok());
        // Only the triage's own dispatch is undone; the case then leaves
        // the department, as a return does.
        let undo = CaseAction::UndoTriage {
            reason: "应由派出所处理".into(),
        };
        let by_triage = StepFacts {
            dispatched_by_triage: true,
            ..facts(&calendar, now)
        };
        assert_eq!(
            check(&undo, &held, &facts(&calendar, now))
                .unwrap_err()
                .code(),
            crate::ProblemCode::NotDispatchedByTriage
        );
        assert!(check(&undo, &held, &by_triage).is_ok());
        assert_eq!(
            effect(&undo, &held, &by_triage).unwrap().department,
            Change::Clear
        );
        assert_eq!(
            check(&back, &held, &returned(MAX_RETURNS))
                .unwrap_err()
                .status(),
            409
        );
        let to_category = |category: &str| CaseAction::Recategorise {
            category: category.into(),
            reason: "分类有误".into(),
        };
        let no_such = StepFacts {
            hours: None,
            ..facts(&calendar, now)
        };
        for (action, step) in [
            (to_category("garbage"), facts(&calendar, now)),
            (to_category("parking"), no_such),
            (to_category("Not A Code"), facts(&calendar, now)),
        ] {
            let problem = check(&action, &held, &step).unwrap_err();
            assert_eq!(problem.field.as_deref(), Some("category"), "{action:?}");
        }
        assert!(check(&to_category("parking"), &held, &facts(&calendar, now)).is_ok());
    }

    #[test]
    fn a_recategorised_case_leaves_its_department_and_recounts_from_the_first_dispatch() {
        let calendar = china_2026_calendar();
        let monday = beijing("2026-03-02 09:00");
        let taken_back = CaseClock {
            state: CaseState::Registered,
            department: Some(7),
            dispatched_at: Some(monday),
            ..registered()
        };
        let longer = StepFacts {
            hours: Some(CategoryHours {
                response: 4,
                resolution: 24,
            }),
            ..facts(&calendar, beijing("2026-03-04 09:00"))
        };
        let action = CaseAction::Recategorise {
            category: "parking".into(),
            reason: "分类有误".into(),
        };
        let changed = effect(&action, &taken_back, &longer).unwrap();
        assert_eq!(changed.category.as_deref(), Some("parking"));
        assert_eq!(changed.department, Change::Clear);
        assert_eq!(
            changed.deadlines.unwrap().response_due,
            beijing("2026-03-02 13:00"),
            "counted from the first dispatch"
        );
    }

    #[test]
    fn a_pause_moves_the_deadlines_by_the_working_time_it_took() {
        let calendar = china_2026_calendar();
        let paused = beijing("2026-03-02 09:00");
        let waiting = CaseClock {
            state: CaseState::InProgress,
            paused_at: Some(paused),
            response_due_at: Some(beijing("2026-03-02 11:00")),
            resolution_due_at: Some(beijing("2026-03-03 09:00")),
            ..registered()
        };
        let replied = effect(
            &CaseAction::ReporterReplied,
            &waiting,
            &facts(&calendar, beijing("2026-03-02 10:00")),
        )
        .unwrap();
        assert_eq!(replied.paused_at, Change::Clear);
        assert_eq!(
            replied.deadlines.unwrap().response_due,
            beijing("2026-03-02 12:00")
        );
        let extension = effect(
            &CaseAction::GrantExtension,
            &waiting,
            &StepFacts {
                hours: None,
                ..facts(&calendar, paused)
            },
        )
        .unwrap();
        assert!(extension.restart_escalation);
        assert!(extension.deadlines.unwrap().resolution_due > beijing("2026-03-03 09:00"));
    }
}
