//! Who acted, by name: the history and the audit log keep account strings
//! (`department_staff:8`, `user:6`, `agent:9`); staff read names. Shared by
//! the case flow's timeline, the agent desk and the audit log.

use std::collections::HashMap;

use domain::auth::actor_user;
use domain::{Problem, UserId};
use serde_json::{Value, json};
use store::{Database, PersonName, TenantScope};

/// The people behind a set of actor strings (`department_staff:8`,
/// `user:6`), read in one statement, and the agent point of each agent
/// (`agent:9`) among them; actors that are no person (`resident`,
/// `system:routing`, …) are left to the pages to name.
#[derive(Debug, Default)]
pub struct People {
    names: HashMap<UserId, PersonName>,
}

impl People {
    pub fn of<'a, D: Database + ?Sized>(
        scope: &TenantScope<'_, D>,
        actors: impl IntoIterator<Item = &'a str>,
    ) -> Result<People, Problem> {
        let users: Vec<UserId> = actors.into_iter().filter_map(actor_user).collect();
        Ok(People {
            names: scope.names_of_users(&users)?,
        })
    }

    /// The person an actor string names, if it is one of the people read.
    pub fn get(&self, actor: &str) -> Option<&PersonName> {
        self.names.get(&actor_user(actor)?)
    }

    /// The name of the agent point of the agent an actor string names.
    pub fn agent_point(&self, actor: &str) -> Option<&str> {
        self.get(actor)?.agent_point.as_deref()
    }

    /// The display name of the person an actor string names, or null.
    pub fn name(&self, actor: Option<&str>) -> Value {
        json!(actor.and_then(|a| self.get(a)).map(|p| &p.display_name))
    }

    /// `actor_name` and `actor_department` of `item`, an answer naming
    /// `actor`: null for an actor that is no person; and `actor_kind`, what
    /// the actor is (`domain::auth::Actor`), so that no page parses it.
    pub fn name_into(&self, item: &mut Value, actor: &str) {
        item["actor_kind"] = json!(domain::auth::Actor::parse(actor).kind);
        let person = self.get(actor);
        item["actor_name"] = json!(person.map(|p| &p.display_name));
        item["actor_department"] = json!(person.and_then(|p| p.department.as_ref()));
    }
}
