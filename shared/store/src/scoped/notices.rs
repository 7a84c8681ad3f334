//! Notices (公告): what a township, community or grid tells its residents,
//! with files. Published by staff, read by anyone; withdrawn notices are
//! kept for the record but no longer shown.

use super::TenantScope;
use crate::db::{Database, Row, StoreError, Value, in_transaction};
use crate::error::Error;
use crate::time::{get_opt_time, get_time, to_text};
use chrono::{DateTime, Utc};
use domain::intake::Uploader;
use domain::limits;
use domain::{GridNodeId, Problem};

/// Largest page of notices.
pub const MAX_NOTICE_PAGE: u32 = 50;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    pub id: i64,
    pub grid_node: GridNodeId,
    pub title: String,
    pub body: String,
    /// Who published it (`role:user id`), for the audit; never shown publicly.
    pub published_by: String,
    pub published_at: DateTime<Utc>,
    pub withdrawn_at: Option<DateTime<Utc>>,
    /// Ids of its files, in the order given.
    pub attachments: Vec<i64>,
}

#[derive(Debug, Clone)]
pub struct NewNotice {
    pub grid_node: GridNodeId,
    pub title: String,
    pub body: String,
    pub attachment_ids: Vec<i64>,
    pub published_by: String,
}

const NOTICE_COLUMNS: &str =
    "id, grid_node_id, title, body, published_by, published_at, withdrawn_at";

fn notice_from_row(row: &Row<'_>) -> Result<Notice, StoreError> {
    Ok(Notice {
        id: row.get_i64("id")?,
        grid_node: GridNodeId(row.get_i64("grid_node_id")?),
        title: row.get_string("title")?,
        body: row.get_string("body")?,
        published_by: row.get_string("published_by")?,
        published_at: get_time(row, "published_at")?,
        withdrawn_at: get_opt_time(row, "withdrawn_at")?,
        attachments: Vec::new(),
    })
}

impl<D: Database + ?Sized> TenantScope<'_, D> {
    /// Publishes a notice to a live grid node of this tenant, with files the
    /// publisher uploaded, not yet used by a case or another notice.
    pub fn publish_notice(&self, new: NewNotice, now: DateTime<Utc>) -> Result<Notice, Error> {
        limits::NOTICE_TITLE.check(&new.title)?;
        limits::NOTICE_BODY.check(&new.body)?;
        in_transaction(self.db, |db| {
            match self.grid_node(new.grid_node)? {
                Some(node) if !node.retired => {}
                Some(_) => {
                    return Err(Problem::conflict("the grid node is retired")
                        .with_field("grid_node_id")
                        .into());
                }
                None => {
                    return Err(Problem::unknown(
                        "grid_node_id",
                        "no such grid node in this tenant",
                    )
                    .into());
                }
            }
            let rows = db.execute(
                &format!(
                    "INSERT INTO notices (tenant_id, grid_node_id, title, body, published_by, \
                     published_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING {NOTICE_COLUMNS}"
                ),
                &[
                    self.tenant.0.into(),
                    new.grid_node.0.into(),
                    new.title.trim().into(),
                    new.body.trim().into(),
                    new.published_by.as_str().into(),
                    to_text(now).into(),
                ],
            )?;
            let mut notice = notice_from_row(&rows.returned()?)?;
            let publisher = Uploader::Account(new.published_by.clone());
            for (i, id) in new.attachment_ids.iter().enumerate() {
                self.link_to_notice(notice.id, *id, &publisher, &format!("attachment_ids[{i}]"))?;
            }
            notice.attachments = new.attachment_ids.clone();
            Ok(notice)
        })
    }

    fn link_to_notice(
        &self,
        notice: i64,
        attachment: i64,
        by: &Uploader,
        field: &str,
    ) -> Result<(), Error> {
        let found = self.unused_upload(attachment, by, field)?;
        if !found.kind.may_be_public() {
            return Err(Problem::unprocessable(
                field,
                "a PDF document is a dispute's paper, never public: a notice shows photos",
            )
            .into());
        }
        self.db.execute(
            "INSERT INTO notice_attachments (tenant_id, notice_id, attachment_id) VALUES (?, ?, ?)",
            &[self.tenant.0.into(), notice.into(), attachment.into()],
        )?;
        Ok(())
    }

    /// Whether a file is shown with a notice (which makes it public unless hidden).
    pub fn is_notice_attachment(&self, attachment: i64) -> Result<bool, Error> {
        let rows = self.db.execute(
            "SELECT 1 AS found FROM notice_attachments WHERE tenant_id = ? AND attachment_id = ?",
            &[self.tenant.0.into(), attachment.into()],
        )?;
        Ok(!rows.is_empty())
    }

    /// A notice, withdrawn or not; `None` when unknown.
    pub fn notice(&self, id: i64) -> Result<Option<Notice>, Error> {
        let rows = self.db.execute(
            &format!("SELECT {NOTICE_COLUMNS} FROM notices WHERE tenant_id = ? AND id = ?"),
            &[self.tenant.0.into(), id.into()],
        )?;
        let Some(row) = rows.first() else {
            return Ok(None);
        };
        let mut notice = notice_from_row(&row)?;
        notice.attachments = self.notice_attachments(id)?;
        Ok(Some(notice))
    }

    fn notice_attachments(&self, notice: i64) -> Result<Vec<i64>, Error> {
        let rows = self.db.execute(
            "SELECT attachment_id FROM notice_attachments WHERE tenant_id = ? AND notice_id = ? \
             ORDER BY rowid",
            &[self.tenant.0.into(), notice.into()],
        )?;
        Ok(rows
            .iter()
            .map(|r| r.get_i64("attachment_id"))
            .collect::<Result<_, _>>()?)
    }

    /// Notices in force, newest first, after the cursor `before` (an id).
    /// For a community: those to the township (everyone), to the community
    /// and to the grids and micro-grids in it.
    pub fn current_notices(
        &self,
        community: Option<GridNodeId>,
        before: Option<i64>,
        limit: u32,
    ) -> Result<Vec<Notice>, Error> {
        let mut sql = format!(
            "SELECT {NOTICE_COLUMNS} FROM notices WHERE tenant_id = ? AND withdrawn_at IS NULL \
             AND id < ?"
        );
        let mut params: Vec<Value> = vec![self.tenant.0.into(), before.unwrap_or(i64::MAX).into()];
        if let Some(node) = community {
            sql.push_str(
                " AND grid_node_id IN (SELECT id FROM grid_nodes WHERE tenant_id = ? AND \
                 (level = 1 OR id = ? OR parent_id = ? OR parent_id IN \
                 (SELECT id FROM grid_nodes WHERE tenant_id = ? AND parent_id = ?)))",
            );
            let t = self.tenant.0;
            params.extend([t, node.0, node.0, t, node.0].map(Value::from));
        }
        sql.push_str(" ORDER BY id DESC LIMIT ?");
        params.push(limit.clamp(1, MAX_NOTICE_PAGE).into());
        let rows = self.db.execute(&sql, &params)?;
        let mut notices: Vec<Notice> = rows
            .iter()
            .map(|r| notice_from_row(&r))
            .collect::<Result<_, _>>()?;
        for notice in &mut notices {
            notice.attachments = self.notice_attachments(notice.id)?;
        }
        Ok(notices)
    }

    /// Withdraws a notice: it stays on record but is no longer shown.
    pub fn withdraw_notice(&self, id: i64, now: DateTime<Utc>) -> Result<Notice, Error> {
        let rows = self.db.execute(
            &format!(
                "UPDATE notices SET withdrawn_at = COALESCE(withdrawn_at, ?) \
                 WHERE tenant_id = ? AND id = ? RETURNING {NOTICE_COLUMNS}"
            ),
            &[to_text(now).into(), self.tenant.0.into(), id.into()],
        )?;
        let row = rows
            .first()
            .ok_or_else(|| Error::NotFound("no such notice".into()))?;
        let mut notice = notice_from_row(&row)?;
        notice.attachments = self.notice_attachments(id)?;
        Ok(notice)
    }
}
