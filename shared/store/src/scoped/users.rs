//! A tenant's user accounts. Platform admins (no tenant) live in `platform`.

use super::TenantScope;
use crate::db::{Database, Row, StoreError};
use crate::error::{Error, unique_to_conflict};
use crate::time::{get_time, to_text};
use crate::{decoded, non_blank};
use chrono::{DateTime, Utc};
use domain::{Problem, Role, TenantId, UserId};
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
            .field("created_at", &self.created_at)
            .finish_non_exhaustive()
    }
}

#[derive(Clone, PartialEq, Eq)]
pub struct NewUser {
    pub login: String,
    pub display_name: String,
    /// Any role but `PlatformAdmin`, which belongs to no tenant.
    pub role: Role,
    pub password_hash: String,
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

pub(crate) const USER_COLUMNS: &str =
    "id, tenant_id, login, display_name, role, password_hash, token_version, created_at";

pub(crate) fn user_from_row(row: &Row<'_>) -> Result<User, StoreError> {
    Ok(User {
        id: UserId(row.get_i64("id")?),
        tenant: row.get_opt_i64("tenant_id")?.map(TenantId),
        login: row.get_string("login")?,
        display_name: row.get_string("display_name")?,
        role: decoded("role", Role::parse(row.get_str("role")?))?,
        password_hash: row.get_string("password_hash")?,
        token_version: row.get_i64("token_version")?,
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
        non_blank("login", &new.login, 64)?;
        non_blank("display_name", &new.display_name, 100)?;
        let login = new.login.trim();
        let rows = self
            .db
            .execute(
                &format!(
                    "INSERT INTO users \
                     (tenant_id, login, display_name, role, password_hash, created_at) \
                     VALUES (?, ?, ?, ?, ?, ?) RETURNING {USER_COLUMNS}"
                ),
                &[
                    self.tenant.0.into(),
                    login.into(),
                    new.display_name.trim().into(),
                    new.role.as_str().into(),
                    new.password_hash.into(),
                    to_text(now).into(),
                ],
            )
            .map_err(|e| unique_to_conflict(e, || format!("login '{login}' is taken")))?;
        let row = rows
            .first()
            .ok_or_else(|| StoreError::Sql("INSERT ... RETURNING returned no row".into()))?;
        Ok(user_from_row(&row)?)
    }

    pub fn find_user_by_login(&self, login: &str) -> Result<Option<User>, Error> {
        self.one_user("login = ?", login.trim().into())
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
}
