//! Who acts for which unit. A unit is a department or an agent point; its
//! members (department staff, agents) act for their own unit only, and the
//! command centre and the tenant's administrator act for whichever unit
//! they name. One decision for every desk that asks it: the assisting
//! department's part of a joint case, the agent point a matter is taken at
//! or handled by, the department whose inquiry answer is published.

use crate::auth::Role;
use crate::problem::Problem;

/// A kind of unit that holds work.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    /// 职能部门: holds dispatched cases, enterprise requests, disputes.
    Department,
    /// 代办点: holds the residents' matters it took or was passed.
    AgentPoint,
}

impl Unit {
    /// The role whose accounts are members of a unit of this kind.
    pub fn member(self) -> Role {
        match self {
            Self::Department => Role::DepartmentStaff,
            Self::AgentPoint => Role::Agent,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Self::Department => "department",
            Self::AgentPoint => "agent point",
        }
    }
}

/// Roles that act for any unit of the tenant, by naming it.
fn supervises(role: Role) -> bool {
    matches!(role, Role::CommandCentre | Role::TenantAdmin)
}

/// The unit a caller with `role` and their own unit `own` acts for, when
/// the request names `named` (by its id; the body's field is `field`): a
/// member, their own (naming another is refused, naming none means theirs);
/// the centre and the admin, the one they name.
pub fn unit_acted_for(
    unit: Unit,
    field: &str,
    role: Role,
    own: Option<i64>,
    named: Option<i64>,
) -> Result<i64, Problem> {
    let what = unit.name();
    if role == unit.member() {
        return match (own, named) {
            (None, _) => Err(Problem::forbidden(format!(
                "this account belongs to no {what}: the tenant admin assigns one"
            ))),
            (Some(own), Some(named)) if named != own => Err(Problem::forbidden(format!(
                "a {what}'s staff act for their own {what} only"
            ))),
            (Some(own), _) => Ok(own),
        };
    }
    if supervises(role) {
        // Required of some callers and not others: beyond what the API
        // document states of the field (422).
        return named.ok_or_else(|| {
            Problem::unprocessable(field, format!("name the {what} this is done for"))
        });
    }
    Err(Problem::forbidden(format!(
        "only a {what}'s own staff or the command centre act for a {what}"
    )))
}

/// Whether a caller with `role` and own unit `own` may act on what the unit
/// `holder` holds: a member on their own unit's only, the centre and the
/// admin on any.
pub fn may_act_on(unit: Unit, role: Role, own: Option<i64>, holder: Option<i64>) -> bool {
    if supervises(role) {
        return true;
    }
    role == unit.member() && own.is_some() && own == holder
}

#[cfg(test)]
mod tests {
    use super::*;

    fn status(result: Result<i64, Problem>) -> Result<i64, u16> {
        result.map_err(|p| p.status())
    }

    #[test]
    fn members_act_for_their_own_unit_and_supervisors_for_the_one_they_name() {
        for unit in [Unit::Department, Unit::AgentPoint] {
            let member = unit.member();
            let act = |role, own, named| status(unit_acted_for(unit, "unit", role, own, named));
            assert_eq!(act(member, Some(3), None), Ok(3));
            assert_eq!(act(member, Some(3), Some(3)), Ok(3));
            assert_eq!(act(member, Some(3), Some(4)), Err(403));
            assert_eq!(act(member, None, None), Err(403));
            assert_eq!(act(member, None, Some(4)), Err(403));
            for supervisor in [Role::CommandCentre, Role::TenantAdmin] {
                assert_eq!(act(supervisor, None, Some(4)), Ok(4));
                assert_eq!(act(supervisor, None, None), Err(422));
            }
            for outsider in [Role::GridWorker, Role::Enterprise, Role::PlatformAdmin] {
                assert_eq!(act(outsider, Some(3), Some(3)), Err(403), "{outsider:?}");
            }
        }
        // A member of the other kind of unit is an outsider here.
        let agent_for_department =
            unit_acted_for(Unit::Department, "department", Role::Agent, Some(3), None);
        assert_eq!(status(agent_for_department), Err(403));
    }

    #[test]
    fn members_act_on_their_own_units_work_and_supervisors_on_any() {
        let on = |role, own, holder| may_act_on(Unit::Department, role, own, holder);
        assert!(on(Role::DepartmentStaff, Some(3), Some(3)));
        assert!(!on(Role::DepartmentStaff, Some(3), Some(4)));
        assert!(!on(Role::DepartmentStaff, Some(3), None));
        assert!(
            !on(Role::DepartmentStaff, None, None),
            "no unit holds nothing"
        );
        assert!(on(Role::CommandCentre, None, Some(4)));
        assert!(on(Role::TenantAdmin, None, None));
        assert!(!on(Role::GridWorker, Some(3), Some(3)));
        assert!(!on(Role::Agent, Some(3), Some(3)));
    }
}
