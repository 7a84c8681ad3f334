//! Enterprises of the tenant's area, their users, and their requests.
//!
//! A registration creates the company and its first user together, the
//! user disabled until a tenant admin or a department approves the company.
//! A request is a case (`source = 'enterprise'`) filed under its kind's
//! category, plus a row in `enterprise_requests` that says whose it is;
//! it is dispatched by the tenant's routing rules like any case.

use super::TenantScope;
use super::users::{USER_COLUMNS, user_from_row};
use crate::db::{Database, Row, StoreError, in_transaction};
use crate::error::{Error, unique_to_conflict};
use crate::scoped::cases::{Case, Contact, NewCase};
use crate::time::{get_opt_time, get_time, to_text};
use crate::{NewUser, User, UserChanges, decoded};
use chrono::{DateTime, Utc};
use domain::enterprise::{CreditCode, EnterpriseStatus, RequestKind};
use domain::intake::Priority;
use domain::limits;
use domain::{CaseId, CaseSource, Problem, Role, TrackingCode, UserId};

#[derive(Debug, Clone, PartialEq)]
pub struct Enterprise {
    pub id: i64,
    pub credit_code: CreditCode,
    pub name: String,
    pub address: String,
    pub industry: String,
    pub contact_name: String,
    pub contact_phone: String,
    pub status: EnterpriseStatus,
    /// Who approved or rejected it, when, and why.
    pub decided_by: Option<String>,
    pub decided_at: Option<DateTime<Utc>>,
    pub decision_note: Option<String>,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct NewEnterprise {
    pub credit_code: CreditCode,
    pub name: String,
    pub address: String,
    pub industry: String,
    pub contact_name: String,
    pub contact_phone: String,
}

/// What an enterprise user submits.
#[derive(Debug, Clone, PartialEq)]
pub struct NewRequest {
    pub kind: RequestKind,
    pub title: String,
    pub description: String,
    /// The kind's own details (a JSON object), kept with the request.
    pub details: serde_json::Value,
    pub priority: Priority,
}

/// A case that is an enterprise's request.
#[derive(Debug, Clone, PartialEq)]
pub struct EnterpriseRequest {
    pub case: Case,
    pub enterprise_id: i64,
    pub kind: RequestKind,
    pub title: String,
    pub submitted_by: UserId,
    pub details: serde_json::Value,
}

const ENTERPRISE_COLUMNS: &str = "id, credit_code, name, address, industry, contact_name, \
    contact_phone, status, decided_by, decided_at, decision_note, created_at";

fn enterprise_from_row(row: &Row<'_>) -> Result<Enterprise, StoreError> {
    Ok(Enterprise {
        id: row.get_i64("id")?,
        credit_code: decoded(
            "credit_code",
            CreditCode::parse(row.get_str("credit_code")?),
        )?,
        name: row.get_string("name")?,
        address: row.get_string("address")?,
        industry: row.get_string("industry")?,
        contact_name: row.get_string("contact_name")?,
        contact_phone: row.get_string("contact_phone")?,
        status: decoded("status", EnterpriseStatus::parse(row.get_str("status")?))?,
        decided_by: row.get_opt_string("decided_by")?,
        decided_at: get_opt_time(row, "decided_at")?,
        decision_note: row.get_opt_string("decision_note")?,
        created_at: get_time(row, "created_at")?,
    })
}

impl<D: Database + ?Sized> TenantScope<'_, D> {
    /// Registers a company with its first user, who can log in once the
    /// company is approved. A credit code registered before is a 409,
    /// unless that registration was refused: then the company applies
    /// again ([`Self::reapply`]).
    pub fn register_enterprise(
        &self,
        new: NewEnterprise,
        first_user: NewUser,
        now: DateTime<Utc>,
    ) -> Result<(Enterprise, User), Error> {
        limits::ENTERPRISE_NAME.check(&new.name)?;
        limits::ENTERPRISE_ADDRESS.check(&new.address)?;
        limits::INDUSTRY.check(&new.industry)?;
        limits::CONTACT_NAME.check(&new.contact_name)?;
        let phone = domain::phone::mobile(&new.contact_phone)
            .map_err(|p| Problem::validation("contact.phone", p.detail))?;
        let details = [
            new.name.trim().into(),
            new.address.trim().into(),
            new.industry.trim().into(),
            new.contact_name.trim().into(),
            phone.into(),
        ];
        in_transaction(self.db, |db| {
            match self.enterprise_by_code(&new.credit_code)? {
                Some(refused) if refused.status == EnterpriseStatus::Rejected => {
                    return self.reapply(refused.id, details, first_user, now);
                }
                Some(_) => {
                    return Err(Problem::conflict(format!(
                        "an enterprise with credit code {} is already registered",
                        new.credit_code.as_str()
                    ))
                    .into());
                }
                None => {}
            }
            let mut params = vec![self.tenant.0.into(), new.credit_code.as_str().into()];
            params.extend(details);
            params.extend([
                EnterpriseStatus::Pending.as_str().into(),
                to_text(now).into(),
            ]);
            let rows = db
                .execute(
                    &format!(
                        "INSERT INTO enterprises (tenant_id, credit_code, name, address, \
                     industry, contact_name, contact_phone, status, created_at) \
                     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING {ENTERPRISE_COLUMNS}"
                    ),
                    &params,
                )
                .map_err(|e| {
                    unique_to_conflict(e, || "the credit code was registered meanwhile".into())
                })?;
            let enterprise = enterprise_from_row(&rows.returned()?)?;
            let user = self.create_enterprise_user(&enterprise, first_user, now)?;
            Ok((enterprise, user))
        })
    }

    /// A refused company applies again (a refusal usually asks for papers
    /// put right): its registration is pending again with the new details,
    /// the refusal's decision cleared (it stays in the audit log). The new
    /// first account takes over the refused application's account of the
    /// same login, with the new password; the refused application's other
    /// accounts leave the company for good, since approval enables the
    /// company's accounts and whoever applied then need not be who applies
    /// now.
    fn reapply(
        &self,
        id: i64,
        details: [crate::Value; 5],
        first_user: NewUser,
        now: DateTime<Utc>,
    ) -> Result<(Enterprise, User), Error> {
        let mut params = details.to_vec();
        params.extend([
            EnterpriseStatus::Pending.as_str().into(),
            to_text(now).into(),
            self.tenant.0.into(),
            id.into(),
        ]);
        let rows = self.db.execute(
            &format!(
                "UPDATE enterprises SET name = ?, address = ?, industry = ?, contact_name = ?, \
                 contact_phone = ?, status = ?, created_at = ?, decided_by = NULL, \
                 decided_at = NULL, decision_note = NULL \
                 WHERE tenant_id = ? AND id = ? RETURNING {ENTERPRISE_COLUMNS}"
            ),
            &params,
        )?;
        let enterprise = enterprise_from_row(&rows.returned()?)?;
        let same_login = self
            .enterprise_users(id)?
            .into_iter()
            .find(|u| u.login == first_user.login.trim());
        let user = match same_login {
            Some(earlier) => {
                self.set_password(earlier.id, &first_user.password_hash)?;
                self.update_user(
                    earlier.id,
                    UserChanges {
                        display_name: Some(first_user.display_name),
                        phone: Some(first_user.phone),
                        disabled: Some(true),
                        ..UserChanges::default()
                    },
                )?
            }
            None => self.create_enterprise_user(&enterprise, first_user, now)?,
        };
        self.db.execute(
            "UPDATE users SET enterprise_id = NULL, disabled = 1, \
             token_version = token_version + 1 \
             WHERE tenant_id = ? AND enterprise_id = ? AND id <> ?",
            &[self.tenant.0.into(), id.into(), user.id.0.into()],
        )?;
        Ok((enterprise, user))
    }

    fn enterprise_by_code(&self, code: &CreditCode) -> Result<Option<Enterprise>, Error> {
        let rows = self.db.execute(
            &format!(
                "SELECT {ENTERPRISE_COLUMNS} FROM enterprises WHERE tenant_id = ? AND credit_code = ?"
            ),
            &[self.tenant.0.into(), code.as_str().into()],
        )?;
        Ok(rows.first().map(|r| enterprise_from_row(&r)).transpose()?)
    }

    /// An enterprise user of `enterprise`, enabled only once it is approved.
    fn create_enterprise_user(
        &self,
        enterprise: &Enterprise,
        new: NewUser,
        now: DateTime<Utc>,
    ) -> Result<User, Error> {
        let new = NewUser {
            role: Role::Enterprise,
            department: None,
            agent_point: None,
            ..new
        };
        in_transaction(self.db, |db| {
            let user = self.create_user(new, now)?;
            let rows = db.execute(
                &format!(
                    "UPDATE users SET enterprise_id = ?, disabled = ? \
                     WHERE tenant_id = ? AND id = ? RETURNING {USER_COLUMNS}"
                ),
                &[
                    enterprise.id.into(),
                    (enterprise.status != EnterpriseStatus::Approved).into(),
                    self.tenant.0.into(),
                    user.id.0.into(),
                ],
            )?;
            Ok(user_from_row(&rows.returned()?)?)
        })
    }

    /// Another user for an approved enterprise (its staff add colleagues).
    pub fn add_enterprise_user(
        &self,
        enterprise: &Enterprise,
        new: NewUser,
        now: DateTime<Utc>,
    ) -> Result<User, Error> {
        if enterprise.status != EnterpriseStatus::Approved {
            return Err(Problem::conflict("the enterprise is not approved").into());
        }
        self.create_enterprise_user(enterprise, new, now)
    }

    pub fn enterprise(&self, id: i64) -> Result<Option<Enterprise>, Error> {
        let rows = self.db.execute(
            &format!("SELECT {ENTERPRISE_COLUMNS} FROM enterprises WHERE tenant_id = ? AND id = ?"),
            &[self.tenant.0.into(), id.into()],
        )?;
        Ok(rows.first().map(|r| enterprise_from_row(&r)).transpose()?)
    }

    /// The enterprise a user acts for, if any.
    pub fn enterprise_of(&self, user: UserId) -> Result<Option<Enterprise>, Error> {
        let rows = self.db.execute(
            &format!(
                "SELECT {ENTERPRISE_COLUMNS} FROM enterprises WHERE tenant_id = ? AND id = \
                 (SELECT enterprise_id FROM users WHERE tenant_id = ? AND id = ?)"
            ),
            &[self.tenant.0.into(), self.tenant.0.into(), user.0.into()],
        )?;
        Ok(rows.first().map(|r| enterprise_from_row(&r)).transpose()?)
    }

    /// Registrations, oldest first, optionally of one status.
    pub fn list_enterprises(
        &self,
        status: Option<EnterpriseStatus>,
        after: Option<i64>,
        limit: u32,
    ) -> Result<Vec<Enterprise>, Error> {
        let rows = self.db.execute(
            &format!(
                "SELECT {ENTERPRISE_COLUMNS} FROM enterprises WHERE tenant_id = ? \
                 AND (? IS NULL OR status = ?) AND id > ? ORDER BY id LIMIT ?"
            ),
            &[
                self.tenant.0.into(),
                status.map(|s| s.as_str()).into(),
                status.map(|s| s.as_str()).into(),
                after.unwrap_or(0).into(),
                limit.clamp(1, 200).into(),
            ],
        )?;
        Ok(rows
            .iter()
            .map(|r| enterprise_from_row(&r))
            .collect::<Result<_, _>>()?)
    }

    /// Approves (enabling its users) or rejects a pending registration.
    pub fn decide_enterprise(
        &self,
        id: i64,
        approve: bool,
        note: Option<&str>,
        actor: &str,
        now: DateTime<Utc>,
    ) -> Result<Enterprise, Error> {
        in_transaction(self.db, |db| {
            let current = self
                .enterprise(id)?
                .ok_or_else(|| Error::NotFound("no such enterprise".into()))?;
            let status = current.status.decide(approve)?;
            let rows = db.execute(
                &format!(
                    "UPDATE enterprises SET status = ?, decided_by = ?, decided_at = ?, \
                     decision_note = ? WHERE tenant_id = ? AND id = ? AND status = ? \
                     RETURNING {ENTERPRISE_COLUMNS}"
                ),
                &[
                    status.as_str().into(),
                    actor.into(),
                    to_text(now).into(),
                    note.map(str::trim).filter(|n| !n.is_empty()).into(),
                    self.tenant.0.into(),
                    id.into(),
                    current.status.as_str().into(),
                ],
            )?;
            let decided = rows
                .first()
                .map(|r| enterprise_from_row(&r))
                .transpose()?
                .ok_or_else(|| Error::Conflict("the registration was decided meanwhile".into()))?;
            if status == EnterpriseStatus::Approved {
                db.execute(
                    "UPDATE users SET disabled = 0 WHERE tenant_id = ? AND enterprise_id = ?",
                    &[self.tenant.0.into(), id.into()],
                )?;
            }
            Ok(decided)
        })
    }

    /// The users of an enterprise, by id.
    pub fn enterprise_users(&self, enterprise: i64) -> Result<Vec<User>, Error> {
        let rows = self.db.execute(
            &format!(
                "SELECT {USER_COLUMNS} FROM users WHERE tenant_id = ? AND enterprise_id = ? \
                 ORDER BY id"
            ),
            &[self.tenant.0.into(), enterprise.into()],
        )?;
        Ok(rows
            .iter()
            .map(|r| user_from_row(&r))
            .collect::<Result<_, _>>()?)
    }

    /// Files a request as a case of its kind's category (creating the
    /// category with the kind's default deadlines if the tenant has not),
    /// and dispatches it by the routing rules, all in one transaction.
    pub fn submit_request(
        &self,
        enterprise: &Enterprise,
        submitted_by: UserId,
        new: NewRequest,
        tracking_code: TrackingCode,
        now: DateTime<Utc>,
    ) -> Result<EnterpriseRequest, Error> {
        if enterprise.status != EnterpriseStatus::Approved {
            return Err(Problem::forbidden("the enterprise is not approved yet").into());
        }
        limits::REQUEST_TITLE.check(&new.title)?;
        if !new.details.is_object() {
            return Err(Problem::validation("details", "details must be a JSON object").into());
        }
        in_transaction(self.db, |db| {
            let category = self.category_for_kind(new.kind)?;
            let case = self.insert_case(
                NewCase {
                    reporter: Some(submitted_by),
                    priority: new.priority,
                    contact: Contact {
                        name: Some(enterprise.contact_name.clone()),
                        phone: Some(enterprise.contact_phone.clone()),
                        email: None,
                    },
                    ..NewCase::basic(
                        tracking_code,
                        category,
                        new.description.clone(),
                        CaseSource::Enterprise,
                    )
                },
                now,
            )?;
            db.execute(
                "INSERT INTO enterprise_requests (case_id, tenant_id, enterprise_id, kind, \
                 title, submitted_by, details) VALUES (?, ?, ?, ?, ?, ?, ?)",
                &[
                    case.id.0.into(),
                    self.tenant.0.into(),
                    enterprise.id.into(),
                    new.kind.as_str().into(),
                    new.title.trim().into(),
                    submitted_by.0.into(),
                    new.details.to_string().into(),
                ],
            )?;
            let case = self.auto_dispatch(case, now)?;
            Ok(EnterpriseRequest {
                case,
                enterprise_id: enterprise.id,
                kind: new.kind,
                title: new.title.trim().to_string(),
                submitted_by,
                details: new.details.clone(),
            })
        })
    }

    /// One request, whoever's it is (the caller checks it is theirs).
    pub fn enterprise_request(&self, case: CaseId) -> Result<Option<EnterpriseRequest>, Error> {
        let rows = self.db.execute(
            "SELECT case_id, enterprise_id, kind, title, submitted_by, details \
             FROM enterprise_requests WHERE tenant_id = ? AND case_id = ?",
            &[self.tenant.0.into(), case.0.into()],
        )?;
        let Some(row) = rows.first() else {
            return Ok(None);
        };
        let case = self
            .case_by_id(case)?
            .ok_or_else(|| StoreError::Sql("an enterprise request without its case".into()))?;
        Ok(Some(request_from_row(&row, case)?))
    }

    /// An enterprise's requests, newest first, paged by case id.
    pub fn enterprise_requests(
        &self,
        enterprise: i64,
        before: Option<CaseId>,
        limit: u32,
    ) -> Result<Vec<EnterpriseRequest>, Error> {
        let rows = self.db.execute(
            "SELECT case_id, enterprise_id, kind, title, submitted_by, details \
             FROM enterprise_requests WHERE tenant_id = ? AND enterprise_id = ? \
             AND case_id < ? ORDER BY case_id DESC LIMIT ?",
            &[
                self.tenant.0.into(),
                enterprise.into(),
                before.map_or(i64::MAX, |c| c.0).into(),
                limit.clamp(1, 200).into(),
            ],
        )?;
        rows.iter()
            .map(|row| {
                let case = self
                    .case_by_id(CaseId(row.get_i64("case_id")?))?
                    .ok_or_else(|| {
                        StoreError::Sql("an enterprise request without its case".into())
                    })?;
                Ok(request_from_row(&row, case)?)
            })
            .collect()
    }
}

fn request_from_row(row: &Row<'_>, case: Case) -> Result<EnterpriseRequest, StoreError> {
    Ok(EnterpriseRequest {
        case,
        enterprise_id: row.get_i64("enterprise_id")?,
        kind: decoded("kind", RequestKind::parse(row.get_str("kind")?))?,
        title: row.get_string("title")?,
        submitted_by: UserId(row.get_i64("submitted_by")?),
        details: serde_json::from_str(row.get_str("details")?).map_err(|_| StoreError::Decode {
            column: "details".into(),
            expected: "a JSON object",
        })?,
    })
}
