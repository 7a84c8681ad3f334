//! Policy documents and their files. A policy is never edited or deleted:
//! a new one supersedes it, and the old one stays readable, naming its
//! successor.

use super::TenantScope;
use super::fulltext::POLICIES;
use crate::db::{Database, Row, StoreError, Value, in_transaction};
use crate::decoded;
use crate::error::Error;
use crate::time::{get_time, to_text};
use chrono::{DateTime, NaiveDate, Utc};
use domain::Problem;
use domain::enterprise::search_terms;
use domain::limits;
use domain::policy::{Effective, parse_date};

#[derive(Debug, Clone, PartialEq)]
pub struct Policy {
    pub id: i64,
    pub title: String,
    pub body: String,
    pub issuer: String,
    pub effective: Effective,
    pub tags: Vec<String>,
    pub department: Option<i64>,
    pub superseded_by: Option<i64>,
    pub published_by: String,
    pub published_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct NewPolicy {
    pub title: String,
    pub body: String,
    pub issuer: String,
    pub effective: Effective,
    /// Already checked with `domain::policy::parse_tags`.
    pub tags: Vec<String>,
    pub department: Option<i64>,
    /// The policy this one replaces, which must not be replaced already.
    pub supersedes: Option<i64>,
    /// Uploaded, not yet attached policy files.
    pub files: Vec<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyFile {
    pub id: i64,
    pub policy: Option<i64>,
    pub name: String,
    pub content_type: String,
    pub size: i64,
    pub sha256: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewPolicyFile {
    pub name: String,
    pub content_type: String,
    pub size: i64,
    pub sha256: String,
    pub uploaded_by: String,
}

/// A search of policies: typed text (never refused), filters, a page.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PolicyQuery {
    pub text: String,
    pub tag: Option<String>,
    pub issuer: Option<String>,
    /// Only policies in force on this day.
    pub in_force_on: Option<NaiveDate>,
    /// Superseded policies are left out unless asked for.
    pub include_superseded: bool,
    pub limit: u32,
}

const POLICY_COLUMNS: &str = "c.id, c.title, c.body, c.issuer, c.effective_from, \
    c.effective_to, c.tags, c.department_id, c.superseded_by, c.published_by, c.published_at";
const FILE_COLUMNS: &str = "id, policy_id, name, content_type, size, sha256";
const DAY: &str = "%Y-%m-%d";

fn policy_from_row(row: &Row<'_>) -> Result<Policy, StoreError> {
    let day = |column: &str| decoded(column, parse_date(column, row.get_str(column)?));
    let effective_to = match row.get_opt_str("effective_to")? {
        Some(_) => Some(day("effective_to")?),
        None => None,
    };
    Ok(Policy {
        id: row.get_i64("id")?,
        title: row.get_string("title")?,
        body: row.get_string("body")?,
        issuer: row.get_string("issuer")?,
        effective: decoded(
            "effective_to",
            Effective::new(day("effective_from")?, effective_to),
        )?,
        tags: serde_json::from_str(row.get_str("tags")?).map_err(|_| StoreError::Decode {
            column: "tags".into(),
            expected: "a JSON list of strings",
        })?,
        department: row.get_opt_i64("department_id")?,
        superseded_by: row.get_opt_i64("superseded_by")?,
        published_by: row.get_string("published_by")?,
        published_at: get_time(row, "published_at")?,
    })
}

fn file_from_row(row: &Row<'_>) -> Result<PolicyFile, StoreError> {
    Ok(PolicyFile {
        id: row.get_i64("id")?,
        policy: row.get_opt_i64("policy_id")?,
        name: row.get_string("name")?,
        content_type: row.get_string("content_type")?,
        size: row.get_i64("size")?,
        sha256: row.get_string("sha256")?,
    })
}

impl<D: Database + ?Sized> TenantScope<'_, D> {
    /// Publishes a policy with its files, indexes it, and marks the policy
    /// it supersedes; all or nothing.
    pub fn publish_policy(
        &self,
        new: NewPolicy,
        actor: &str,
        now: DateTime<Utc>,
    ) -> Result<Policy, Error> {
        limits::POLICY_TITLE.check(&new.title)?;
        limits::POLICY_BODY.check(&new.body)?;
        limits::POLICY_ISSUER.check(&new.issuer)?;
        if let Some(department) = new.department
            && !self.exists("departments", department)?
        {
            return Err(Problem::unknown("department_id", "no such department").into());
        }
        in_transaction(self.db, |db| {
            let rows = db.execute(
                "INSERT INTO policies (tenant_id, title, body, issuer, effective_from, \
                 effective_to, tags, department_id, published_by, published_at) \
                 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                &[
                    self.tenant.0.into(),
                    new.title.trim().into(),
                    new.body.trim().into(),
                    new.issuer.trim().into(),
                    new.effective.from().format(DAY).to_string().into(),
                    new.effective.to().map(|d| d.format(DAY).to_string()).into(),
                    serde_json::json!(new.tags).to_string().into(),
                    new.department.into(),
                    actor.into(),
                    to_text(now).into(),
                ],
            )?;
            let id = rows.returned()?.get_i64("id")?;
            db.execute(&POLICIES.index_row(), &[id.into()])?;
            for file in &new.files {
                let attached = db.execute(
                    "UPDATE policy_files SET policy_id = ? \
                     WHERE tenant_id = ? AND id = ? AND policy_id IS NULL RETURNING id",
                    &[id.into(), self.tenant.0.into(), (*file).into()],
                )?;
                if attached.is_empty() {
                    return Err(match self.policy_file(*file)? {
                        None => Problem::unknown("files", format!("no policy file {file}")),
                        Some(_) => Problem::conflict(format!(
                            "policy file {file} is already attached to a policy"
                        ))
                        .with_field("files"),
                    }
                    .into());
                }
            }
            if let Some(old) = new.supersedes {
                let replaced = db.execute(
                    "UPDATE policies SET superseded_by = ? \
                     WHERE tenant_id = ? AND id = ? AND id <> ? AND superseded_by IS NULL \
                     RETURNING id",
                    &[id.into(), self.tenant.0.into(), old.into(), id.into()],
                )?;
                if replaced.is_empty() {
                    return Err(match self.policy(old)? {
                        None => Problem::unknown("supersedes", "no such policy"),
                        Some(p) => Problem::conflict(format!(
                            "policy {old} is already superseded by policy {}",
                            p.superseded_by.unwrap_or_default()
                        )),
                    }
                    .into());
                }
            }
            self.policy(id)?
                .ok_or_else(|| Error::NotFound("the policy just written".into()))
        })
    }

    pub fn policy(&self, id: i64) -> Result<Option<Policy>, Error> {
        let rows = self.db.execute(
            &format!("SELECT {POLICY_COLUMNS} FROM policies c WHERE c.tenant_id = ? AND c.id = ?"),
            &[self.tenant.0.into(), id.into()],
        )?;
        Ok(rows.first().map(|r| policy_from_row(&r)).transpose()?)
    }

    /// Policies matching every typed term, filtered; best match first (or
    /// newest first without text).
    pub fn search_policies(&self, query: &PolicyQuery) -> Result<Vec<Policy>, Error> {
        let search = POLICIES.all_of(self.tenant.0, &search_terms(&query.text));
        let mut sql = format!("SELECT {POLICY_COLUMNS} {}", search.from_where);
        let mut params = search.params;
        if let Some(tag) = &query.tag {
            sql.push_str(" AND EXISTS (SELECT 1 FROM json_each(c.tags) WHERE json_each.value = ?)");
            params.push(tag.trim().into());
        }
        if let Some(issuer) = &query.issuer {
            sql.push_str(" AND c.issuer = ?");
            params.push(issuer.trim().into());
        }
        if let Some(day) = query.in_force_on {
            let day = day.format(DAY).to_string();
            sql.push_str(
                " AND c.effective_from <= ? AND (c.effective_to IS NULL OR c.effective_to >= ?)",
            );
            params.push(day.clone().into());
            params.push(day.into());
        }
        if !query.include_superseded {
            sql.push_str(" AND c.superseded_by IS NULL");
        }
        sql.push_str(&format!(" ORDER BY {} LIMIT ?", search.order_by));
        params.push(Value::from(query.limit.clamp(1, 100)));
        let rows = self.db.execute(&sql, &params)?;
        Ok(rows
            .iter()
            .map(|r| policy_from_row(&r))
            .collect::<Result<_, _>>()?)
    }

    /// Records an uploaded file (its bytes already stored), not yet on a policy.
    pub fn record_policy_file(
        &self,
        new: NewPolicyFile,
        now: DateTime<Utc>,
    ) -> Result<PolicyFile, Error> {
        limits::POLICY_FILE_NAME.check(&new.name)?;
        let rows = self.db.execute(
            &format!(
                "INSERT INTO policy_files (tenant_id, name, content_type, size, sha256, \
                 uploaded_by, uploaded_at) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING {FILE_COLUMNS}"
            ),
            &[
                self.tenant.0.into(),
                new.name.trim().into(),
                new.content_type.into(),
                new.size.into(),
                new.sha256.into(),
                new.uploaded_by.into(),
                to_text(now).into(),
            ],
        )?;
        Ok(file_from_row(&rows.returned()?)?)
    }

    pub fn policy_file(&self, id: i64) -> Result<Option<PolicyFile>, Error> {
        let rows = self.db.execute(
            &format!("SELECT {FILE_COLUMNS} FROM policy_files WHERE tenant_id = ? AND id = ?"),
            &[self.tenant.0.into(), id.into()],
        )?;
        Ok(rows.first().map(|r| file_from_row(&r)).transpose()?)
    }

    pub fn policy_files(&self, policy: i64) -> Result<Vec<PolicyFile>, Error> {
        let rows = self.db.execute(
            &format!(
                "SELECT {FILE_COLUMNS} FROM policy_files WHERE tenant_id = ? AND policy_id = ? \
                 ORDER BY id"
            ),
            &[self.tenant.0.into(), policy.into()],
        )?;
        Ok(rows
            .iter()
            .map(|r| file_from_row(&r))
            .collect::<Result<_, _>>()?)
    }
}
