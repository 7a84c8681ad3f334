//! A case's flow as staff see it, for every component that shows a case:
//! its timeline and the steps the caller may take on it now. The routing
//! component's `GET …/cases/{id}` and the agent desk's matter build them
//! here, so both read the same history and offer the same steps.

use domain::workflow::{Standing, may_take};
use domain::{ActionKind, Permission};
use serde_json::{Value, json};
use store::{Case, CaseEvent};

use crate::Caller;
pub use crate::people::People;

/// The case's history, oldest first, internal notes included (this is the
/// staff's view; the public one is `domain::publication`'s). Each step names
/// the person who took it (`actor_name`, and `actor_department` for
/// department staff, `actor_agent_point` for an agent), null for an actor
/// that is no person; `actor_kind` says what the actor is (a role,
/// `resident`, `reporter`, `system`, `open311`: `domain::auth::Actor`), and
/// `details` carries the step's data (departments and categories by code,
/// an escalation's level) so that no page parses the note.
pub fn timeline(events: &[CaseEvent], people: &People) -> Value {
    events
        .iter()
        .map(|e| {
            let mut step = json!({
                "at": e.at.to_rfc3339(),
                "actor": e.actor,
                "actor_agent_point": people.agent_point(&e.actor),
                "action": e.action,
                "from_state": e.from_state,
                "to_state": e.to_state,
                "note": e.note,
                "details": e.details,
                "public": e.public,
            });
            people.name_into(&mut step, &e.actor);
            step
        })
        .collect()
}

/// How the caller stands to the case: do they hold it, did they report it.
pub fn standing(caller: &Caller, case: &Case) -> Standing {
    Standing {
        holds_case: case.department.is_some() && case.department == caller.user.department,
        reported_case: case.reporter == Some(caller.user.id),
    }
}

/// The steps the case's state allows and the caller may take, by name, so
/// pages offer only buttons that work; none for a caller who may not act
/// on cases at all (an agent follows the flow of their matters, the
/// departments and the centre move it).
pub fn allowed_actions(caller: &Caller, case: &Case) -> Vec<&'static str> {
    allowed_kinds(caller, case, &[])
        .map(ActionKind::name)
        .collect()
}

/// [`allowed_actions`] and [`allowed_steps`] of a case whose timeline
/// (`events`) is at hand: they also offer undoing the smart triage's
/// dispatch while the department holding it got it from the triage
/// (`domain::triage::dispatched_by_triage`); without the timeline, never.
pub fn allowed_on_timeline(caller: &Caller, case: &Case, events: &[CaseEvent]) -> (Value, Value) {
    let kinds: Vec<ActionKind> = allowed_kinds(caller, case, events).collect();
    (
        json!(kinds.iter().map(|k| k.name()).collect::<Vec<_>>()),
        kinds.into_iter().map(|k| step_json(k, case)).collect(),
    )
}

/// [`allowed_actions`] with what each step's form asks for: its fields
/// (`ActionKind::fields`) and whether the result needs photos (a case a
/// grid worker or a resident reported is resolved with a photo of the
/// work done). Pages build their forms from this, never from a copy.
pub fn allowed_steps(caller: &Caller, case: &Case) -> Value {
    allowed_kinds(caller, case, &[])
        .map(|kind| step_json(kind, case))
        .collect()
}

fn step_json(kind: ActionKind, case: &Case) -> Value {
    json!({
        "action": kind.name(),
        "fields": kind.fields(),
        "photos_required": kind == ActionKind::Resolve
            && case.source.results_are_photographed(),
    })
}

fn allowed_kinds<'a>(
    caller: &Caller,
    case: &'a Case,
    events: &[CaseEvent],
) -> impl Iterator<Item = ActionKind> + 'a {
    let role = caller.user.role;
    let may_act = domain::permissions::allows(role, Permission::ActOnCases);
    let standing = standing(caller, case);
    let by_triage = domain::triage::dispatched_by_triage(
        events.iter().map(|e| (e.action.as_str(), e.actor.as_str())),
    );
    case.state.allowed_actions().filter(move |a| {
        may_act
            && may_take(role, *a, standing).is_ok()
            && (*a != ActionKind::UndoTriage || by_triage)
    })
}
