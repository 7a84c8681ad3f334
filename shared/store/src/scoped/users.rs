//! A tenant's user accounts. Platform admins (no tenant) live in `platform`.

use super::TenantScope;
use crate::db::{Database, Row, Rows, StoreError, placeholders};
use crate::decoded;
use crate::error::{Error, unique_to_conflict};
use crate::time::{get_time, to_text};
use chrono::{DateTime, Utc};
use domain::limits;
use domain::{Problem, Role, TenantId, UserId};
use std::collections::HashMap;
use std::fmt;

#[derive(Clone, PartialEq, Eq)]
pub struct User {
    pub id: UserId,
    /// `None` for platform admins only.
    pub tenant: Option<TenantId>,
    /// A user name or a phone number; unique within the tenant.
    pub login: String,
    pub display_name: String,
    pub role: Role,
    /// PHC string; check with `domain::verify_password`.
    pub password_hash: String,
    /// Bumped to revoke every token issued before.
    pub token_version: i64,
    /// A second way to log in; unique within the tenant.
    pub phone: Option<String>,
    /// For department staff: their department.
    pub department: Option<i64>,
    /// For agents: their agent point.
    pub agent_point: Option<i64>,
    /// A disabled account cannot log in and its tokens are refused.
    pub disabled: bool,
    pub created_at: DateTime<Utc>,
}

/// The hash is left out so that a logged user does not hand it to a cracker.
impl fmt::Debug for User {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("User")
            .field("id", &self.id)
            .field("tenant", &self.tenant)
            .field("login", &self.login)
            .field("display_name", &self.display_name)
            .field("role", &self.role)
            .field("token_version", &self.token_version)
            .field("phone", &self.phone)
            .field("department", &self.department)
            .field("agent_point", &self.agent_point)
            .field("disabled", &self.disabled)
            .field("created_at", &self.created_at)
            .finish_non_exhaustive()
    }
}

/// How staff read who someone is: their display name and, for department
/// staff, their department's name; for an agent, their agent point's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonName {
    pub display_name: String,
    pub department: Option<String>,
    pub agent_point: Option<String>,
}

/// What an admin may change about a person; `None` leaves a field as it is
/// (for `phone`, `department` and `agent_point`, `Some(None)` clears it).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UserChanges {
    pub display_name: Option<String>,
    pub role: Option<Role>,
    pub phone: Option<Option<String>>,
    pub department: Option<Option<i64>>,
    pub agent_point: Option<Option<i64>>,
    pub disabled: Option<bool>,
}

#[derive(Clone, PartialEq, Eq)]
pub struct NewUser {
    pub login: String,
    pub display_name: String,
    /// Any role but `PlatformAdmin`, which belongs to no tenant.
    pub role: Role,
    pub password_hash: String,
    pub phone: Option<String>,
    pub department: Option<i64>,
    pub agent_point: Option<i64>,
}

impl fmt::Debug for NewUser {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NewUser")
            .field("login", &self.login)
            .field("display_name", &self.display_name)
            .field("role", &self.role)
            .finish_non_exhaustive()
    }
}

pub(crate) const USER_COLUMNS: &str = "id, tenant_id, login, display_name, role, \
    password_hash, token_version, phone, department_id, agent_point_id, disabled, created_at";

pub(crate) fn user_from_row(row: &Row<'_>) -> Result<User, StoreError> {
    Ok(User {
        id: UserId(row.get_i64("id")?),
        tenant: row.get_opt_i64("tenant_id")?.map(TenantId),
        login: row.get_string("login")?,
        display_name: row.get_string("display_name")?,
        role: decoded("role", Role::parse(row.get_str("role")?))?,
        password_hash: row.get_string("password_hash")?,
        token_version: row.get_i64("token_version")?,
        phone: row.get_opt_string("phone")?,
        department: row.get_opt_i64("department_id")?,
        agent_point: row.get_opt_i64("agent_point_id")?,
        disabled: row.get_bool("disabled")?,
        created_at: get_time(row, "created_at")?,
    })
}

impl<D: Database + ?Sized> TenantScope<'_, D> {
    /// A taken login is a [`Error::Conflict`].
    pub fn create_user(&self, new: NewUser, now: DateTime<Utc>) -> Result<User, Error> {
        if new.role == Role::PlatformAdmin {
            return Err(Problem::validation(
                "role",
                "platform admins belong to no tenant; create them on the platform",
            )
            .into());
        }
        limits::LOGIN.check(&new.login)?;
        domain::auth::check_login(&new.login)?;
        limits::DISPLAY_NAME.check(&new.display_name)?;
        let phone = new
            .phone
            .as_deref()
            .map(domain::phone::mobile)
            .transpose()?;
        self.check_membership(new.role, new.department, new.agent_point)?;
        let login = new.login.trim();
        let rows = self
            .db
            .execute(
                &format!(
                    "INSERT INTO users (tenant_id, login, display_name, role, password_hash, \
                     phone, department_id, agent_point_id, created_at) \
                     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING {USER_COLUMNS}"
                ),
                &[
                    self.tenant.0.into(),
                    login.into(),
                    new.display_name.trim().into(),
                    new.role.as_str().into(),
                    new.password_hash.into(),
                    phone.into(),
                    new.department.into(),
                    new.agent_point.into(),
                    to_text(now).into(),
                ],
            )
            .map_err(|e| {
                unique_to_conflict(e, || format!("login '{login}' or its phone is taken"))
            })?;
        Ok(user_from_row(&rows.returned()?)?)
    }

    /// By user name or by phone number: people log in with either. What
    /// reads as a phone number is looked up among phones only, the rest
    /// among logins only (no login looks like a phone: `check_login`).
    pub fn find_user_by_login(&self, login: &str) -> Result<Option<User>, Error> {
        let (column, value) = match domain::phone::mobile(login) {
            Ok(phone) => ("phone", phone),
            Err(_) => ("login", login.trim().to_string()),
        };
        let rows = self.db.execute(
            &format!("SELECT {USER_COLUMNS} FROM users WHERE tenant_id = ? AND {column} = ?"),
            &[self.tenant.0.into(), value.into()],
        )?;
        Ok(rows.first().map(|r| user_from_row(&r)).transpose()?)
    }

    /// The tenant's people, by id, paged.
    pub fn list_users(&self, after: Option<UserId>, limit: u32) -> Result<Vec<User>, Error> {
        let rows = self.db.execute(
            &format!(
                "SELECT {USER_COLUMNS} FROM users WHERE tenant_id = ? AND id > ? ORDER BY id LIMIT ?"
            ),
            &[
                self.tenant.0.into(),
                after.map_or(0, |a| a.0).into(),
                limit.clamp(1, 200).into(),
            ],
        )?;
        Ok(rows
            .iter()
            .map(|r| user_from_row(&r))
            .collect::<Result<_, _>>()?)
    }

    /// Applies `changes`; a change of role or of the disabled flag revokes
    /// the user's tokens (their claims no longer hold).
    pub fn update_user(&self, id: UserId, changes: UserChanges) -> Result<User, Error> {
        let current = self
            .find_user(id)?
            .ok_or_else(|| Error::NotFound("no such user".into()))?;
        let role = changes.role.unwrap_or(current.role);
        if role == Role::PlatformAdmin {
            return Err(Problem::validation("role", "platform admins belong to no tenant").into());
        }
        let department = changes.department.unwrap_or(current.department);
        let agent_point = changes.agent_point.unwrap_or(current.agent_point);
        self.check_membership(role, department, agent_point)?;
        let display_name = match changes.display_name {
            Some(name) => {
                limits::DISPLAY_NAME.check(&name)?;
                name.trim().to_string()
            }
            None => current.display_name.clone(),
        };
        let phone = match changes.phone {
            Some(Some(p)) => Some(domain::phone::mobile(&p)?),
            Some(None) => None,
            None => current.phone.clone(),
        };
        let disabled = changes.disabled.unwrap_or(current.disabled);
        let revoke = role != current.role || disabled != current.disabled;
        let rows = self
            .db
            .execute(
                &format!(
                    "UPDATE users SET display_name = ?, role = ?, phone = ?, department_id = ?, \
                     agent_point_id = ?, disabled = ?, token_version = token_version + ? \
                     WHERE tenant_id = ? AND id = ? RETURNING {USER_COLUMNS}"
                ),
                &[
                    display_name.into(),
                    role.as_str().into(),
                    phone.into(),
                    department.into(),
                    agent_point.into(),
                    disabled.into(),
                    i64::from(revoke).into(),
                    self.tenant.0.into(),
                    id.0.into(),
                ],
            )
            .map_err(|e| unique_to_conflict(e, || "that phone number is taken".into()))?;
        Ok(user_from_row(&rows.returned()?)?)
    }

    /// Sets a new password hash and revokes every earlier token.
    pub fn set_password(&self, id: UserId, password_hash: &str) -> Result<(), Error> {
        self.db.execute(
            "UPDATE users SET password_hash = ?, token_version = token_version + 1 \
             WHERE tenant_id = ? AND id = ?",
            &[password_hash.into(), self.tenant.0.into(), id.0.into()],
        )?;
        Ok(())
    }

    /// Revokes every token of the user (logging out everywhere).
    pub fn revoke_tokens(&self, id: UserId) -> Result<(), Error> {
        self.db.execute(
            "UPDATE users SET token_version = token_version + 1 WHERE tenant_id = ? AND id = ?",
            &[self.tenant.0.into(), id.0.into()],
        )?;
        Ok(())
    }

    /// Department staff belong to a department of this tenant, agents to an
    /// agent point of it; nobody else to either. The role and the ids are
    /// checked together (422; an id of nothing is 404).
    fn check_membership(
        &self,
        role: Role,
        department: Option<i64>,
        agent_point: Option<i64>,
    ) -> Result<(), Error> {
        match (role, department) {
            (Role::DepartmentStaff, None) => {
                return Err(Problem::unprocessable(
                    "department_id",
                    "department staff need a department",
                )
                .into());
            }
            (Role::DepartmentStaff, Some(d)) if !self.exists("departments", d)? => {
                return Err(Problem::unknown("department_id", "no such department").into());
            }
            (Role::DepartmentStaff, Some(_)) | (_, None) => {}
            (_, Some(_)) => {
                return Err(Problem::unprocessable(
                    "department_id",
                    "only department staff belong to a department",
                )
                .into());
            }
        }
        match (role, agent_point) {
            (Role::Agent, None) => {
                Err(Problem::unprocessable("agent_point_id", "agents need an agent point").into())
            }
            (Role::Agent, Some(p)) if !self.exists("agent_points", p)? => {
                Err(Problem::unknown("agent_point_id", "no such agent point").into())
            }
            (Role::Agent, Some(_)) | (_, None) => Ok(()),
            (_, Some(_)) => Err(Problem::unprocessable(
                "agent_point_id",
                "only agents belong to an agent point",
            )
            .into()),
        }
    }

    pub fn find_user(&self, id: UserId) -> Result<Option<User>, Error> {
        self.one_user("id = ?", id.0.into())
    }

    fn one_user(&self, condition: &str, param: crate::Value) -> Result<Option<User>, Error> {
        let rows = self.db.execute(
            &format!("SELECT {USER_COLUMNS} FROM users WHERE tenant_id = ? AND {condition}"),
            &[self.tenant.0.into(), param],
        )?;
        Ok(rows.first().map(|r| user_from_row(&r)).transpose()?)
    }

    /// The names of those of `users` who are this tenant's, in one statement.
    pub fn names_of_users(&self, users: &[UserId]) -> Result<HashMap<UserId, PersonName>, Error> {
        let rows = self.rows_of_users(
            "u.id, u.display_name, d.name AS department, p.name AS agent_point FROM users u \
             LEFT JOIN departments d ON d.tenant_id = u.tenant_id AND d.id = u.department_id \
             LEFT JOIN agent_points p ON p.tenant_id = u.tenant_id AND p.id = u.agent_point_id",
            users.iter().map(|u| u.0),
        )?;
        rows.iter()
            .map(|r| {
                let name = PersonName {
                    display_name: r.get_string("display_name")?,
                    department: r.get_opt_string("department")?,
                    agent_point: r.get_opt_string("agent_point")?,
                };
                Ok((UserId(r.get_i64("id")?), name))
            })
            .collect()
    }

    /// The department of each of `users` that has one, in one statement.
    pub(crate) fn departments_of_users(&self, users: &[i64]) -> Result<HashMap<i64, i64>, Error> {
        let rows =
            self.rows_of_users("u.id, u.department_id FROM users u", users.iter().copied())?;
        let mut departments = HashMap::new();
        for r in rows.iter() {
            if let Some(department) = r.get_opt_i64("department_id")? {
                departments.insert(r.get_i64("id")?, department);
            }
        }
        Ok(departments)
    }

    /// `SELECT {select} WHERE u.tenant_id = ? AND u.id IN (…)` over the
    /// distinct `users` (`select` names the users table `u`), in one
    /// statement; no rows for no users.
    fn rows_of_users(
        &self,
        select: &str,
        users: impl IntoIterator<Item = i64>,
    ) -> Result<Rows, Error> {
        let mut users: Vec<i64> = users.into_iter().collect();
        users.sort_unstable();
        users.dedup();
        if users.is_empty() {
            return Ok(Rows::default());
        }
        let in_list = placeholders(users.len());
        let mut params = vec![self.tenant.0.into()];
        params.extend(users.iter().map(|&id| id.into()));
        Ok(self.db.execute(
            &format!("SELECT {select} WHERE u.tenant_id = ? AND u.id IN ({in_list})"),
            &params,
        )?)
    }
}
