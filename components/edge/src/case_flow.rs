//! A case's flow as staff see it, for every component that shows a case:
//! its timeline and the steps the caller may take on it now. The routing
//! component's `GET …/cases/{id}` and the agent desk's matter build them
//! here, so both read the same history and offer the same steps.

use std::collections::HashMap;

use domain::auth::actor_user;
use domain::workflow::{Standing, may_take};
use domain::{Permission, Problem, UserId};
use serde_json::{Value, json};
use store::{Case, CaseEvent, Database, PersonName, TenantScope};

use crate::Caller;

/// The people behind a set of actor strings (`department_staff:8`,
/// `user:6`), read in one statement, and the agent point of each agent
/// (`agent:9`) among them; actors that are no person (`resident`,
/// `system:routing`, …) are left to the pages to name.
#[derive(Debug, Default)]
pub struct People {
    names: HashMap<UserId, PersonName>,
    points: HashMap<UserId, String>,
}

impl People {
    pub fn of<'a, D: Database + ?Sized>(
        scope: &TenantScope<'_, D>,
        actors: impl IntoIterator<Item = &'a str>,
    ) -> Result<People, Problem> {
        let actors: Vec<&str> = actors.into_iter().collect();
        let users: Vec<UserId> = actors.iter().copied().filter_map(actor_user).collect();
        let names = scope.names_of_users(&users)?;
        // Agents one by one: a case has one or two (its taker, one it was passed up to).
        let mut points = HashMap::new();
        for agent in actors
            .iter()
            .filter(|a| a.starts_with("agent:"))
            .filter_map(|a| actor_user(a))
        {
            if points.contains_key(&agent) {
                continue;
            }
            let Some(point) = scope.find_user(agent)?.and_then(|u| u.agent_point) else {
                continue;
            };
            if let Some(point) = scope.agent_point(point)? {
                points.insert(agent, point.name);
            }
        }
        Ok(People { names, points })
    }

    /// The person an actor string names, if it is one of the people read.
    pub fn get(&self, actor: &str) -> Option<&PersonName> {
        self.names.get(&actor_user(actor)?)
    }

    /// The name of the agent point of the agent an actor string names.
    pub fn agent_point(&self, actor: &str) -> Option<&str> {
        self.points.get(&actor_user(actor)?).map(String::as_str)
    }

    /// The display name of the person an actor string names, or null.
    pub fn name(&self, actor: Option<&str>) -> Value {
        json!(actor.and_then(|a| self.get(a)).map(|p| &p.display_name))
    }
}

/// The case's history, oldest first, internal notes included (this is the
/// staff's view; the public one is `domain::publication`'s). Each step names
/// the person who took it (`actor_name`, and `actor_department` for
/// department staff, `actor_agent_point` for an agent), null for an actor
/// that is no person.
pub fn timeline(events: &[CaseEvent], people: &People) -> Value {
    events
        .iter()
        .map(|e| {
            let person = people.get(&e.actor);
            json!({
                "at": e.at.to_rfc3339(),
                "actor": e.actor,
                "actor_name": person.map(|p| &p.display_name),
                "actor_department": person.and_then(|p| p.department.as_ref()),
                "actor_agent_point": people.agent_point(&e.actor),
                "action": e.action,
                "from_state": e.from_state,
                "to_state": e.to_state,
                "note": e.note,
                "public": e.public,
            })
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
    let role = caller.user.role;
    if !domain::permissions::allows(role, Permission::ActOnCases) {
        return Vec::new();
    }
    let standing = standing(caller, case);
    case.state
        .allowed_actions()
        .filter(|a| may_take(role, *a, standing).is_ok())
        .map(|a| a.name())
        .collect()
}
