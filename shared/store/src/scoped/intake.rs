//! Intake's storage: attachments and what links them to cases, idempotency
//! records, likely duplicates, "me too"s, and the reporter's own changes.

use super::TenantScope;
use super::cases::Case;
use crate::db::{Database, Row, StoreError, in_transaction, placeholders};
use crate::error::{Error, unique_to_conflict};
use crate::time::{get_time, to_text};
use chrono::{DateTime, Utc};
use domain::intake::{
    AttachmentId, AttachmentKind, DuplicateRule, MAX_CASE_ATTACHMENT_BYTES, MAX_CASE_ATTACHMENTS,
    Uploader, abandoned_before,
};
use domain::limits;
use domain::{CaseId, CaseState, GridNodeId, Location, Problem};
use std::collections::BTreeSet;

/// A stored file's record; the bytes live in the key-value store under the
/// tenant and the file's SHA-256.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attachment {
    pub id: i64,
    pub case_id: Option<CaseId>,
    pub sha256: String,
    pub content_type: String,
    pub kind: AttachmentKind,
    pub size: i64,
    pub purpose: Purpose,
    pub public: bool,
    pub uploaded_by: String,
    pub uploaded_at: DateTime<Utc>,
}

/// Why a file is on a case: evidence from the reporter, or the result a
/// department attaches when it resolves the case.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    Evidence,
    Result,
}

impl Purpose {
    pub fn as_str(self) -> &'static str {
        match self {
            Purpose::Evidence => "evidence",
            Purpose::Result => "result",
        }
    }

    fn parse(s: &str) -> Result<Self, Problem> {
        match s {
            "evidence" => Ok(Purpose::Evidence),
            "result" => Ok(Purpose::Result),
            _ => Err(Problem::validation(
                "purpose",
                "purpose is evidence or result",
            )),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAttachment {
    pub sha256: String,
    pub content_type: String,
    pub kind: AttachmentKind,
    pub size: i64,
    pub uploaded_by: Uploader,
}

/// The first answer to an idempotent request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredResponse {
    pub fingerprint: String,
    pub status: u16,
    pub body: String,
}

const ATTACHMENT_COLUMNS: &str = "id, case_id, sha256, content_type, kind, size, purpose, public, \
    uploaded_by, uploaded_at";

fn attachment_from_row(row: &Row<'_>) -> Result<Attachment, StoreError> {
    Ok(Attachment {
        id: row.get_i64("id")?,
        case_id: row.get_opt_i64("case_id")?.map(CaseId),
        sha256: row.get_string("sha256")?,
        content_type: row.get_string("content_type")?,
        kind: crate::decoded("kind", AttachmentKind::parse(row.get_str("kind")?))?,
        size: row.get_i64("size")?,
        purpose: crate::decoded("purpose", Purpose::parse(row.get_str("purpose")?))?,
        public: row.get_bool("public")?,
        uploaded_by: row.get_string("uploaded_by")?,
        uploaded_at: get_time(row, "uploaded_at")?,
    })
}

/// A "me too" press: the case's count after it, and whether it counted
/// (a person already counted on the case is not counted again).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MeToo {
    pub count: i64,
    pub counted: bool,
}

impl<D: Database + ?Sized> TenantScope<'_, D> {
    /// Records an uploaded file under its random `id`, on no case yet; a
    /// kind that may never be public (a PDF document) is hidden from the
    /// start. An id already taken (by any tenant) is a conflict: draw
    /// another.
    pub fn record_attachment(
        &self,
        id: AttachmentId,
        new: NewAttachment,
        now: DateTime<Utc>,
    ) -> Result<Attachment, Error> {
        let rows = self
            .db
            .execute(
                &format!(
                    "INSERT INTO attachments (id, tenant_id, sha256, content_type, kind, size, \
                     public, uploaded_by, uploaded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) \
                     RETURNING {ATTACHMENT_COLUMNS}"
                ),
                &[
                    id.get().into(),
                    self.tenant.0.into(),
                    new.sha256.into(),
                    new.content_type.into(),
                    new.kind.as_str().into(),
                    new.size.into(),
                    new.kind.may_be_public().into(),
                    new.uploaded_by.record().into(),
                    to_text(now).into(),
                ],
            )
            .map_err(|e| unique_to_conflict(e, || "the attachment id is taken".into()))?;
        Ok(attachment_from_row(&rows.returned()?)?)
    }

    pub fn attachment(&self, id: i64) -> Result<Option<Attachment>, Error> {
        let rows = self.db.execute(
            &format!("SELECT {ATTACHMENT_COLUMNS} FROM attachments WHERE tenant_id = ? AND id = ?"),
            &[self.tenant.0.into(), id.into()],
        )?;
        Ok(rows.first().map(|r| attachment_from_row(&r)).transpose()?)
    }

    /// A case's files, first uploaded first (ids are random: they say
    /// nothing of the order).
    pub fn case_attachments(&self, case: CaseId) -> Result<Vec<Attachment>, Error> {
        let rows = self.db.execute(
            &format!(
                "SELECT {ATTACHMENT_COLUMNS} FROM attachments WHERE tenant_id = ? AND case_id = ? \
                 ORDER BY uploaded_at, id"
            ),
            &[self.tenant.0.into(), case.0.into()],
        )?;
        Ok(rows
            .iter()
            .map(|r| attachment_from_row(&r))
            .collect::<Result<_, _>>()?)
    }

    /// Whether any row of the tenant still uses the bytes of this digest:
    /// an attachment (on a case, a notice, or waiting for one) or a policy
    /// file. Bytes are deleted only when nothing does.
    pub fn file_in_use(&self, sha256: &str) -> Result<bool, Error> {
        let rows = self.db.execute(
            "SELECT EXISTS (SELECT 1 FROM attachments WHERE tenant_id = ?1 AND sha256 = ?2) \
             OR EXISTS (SELECT 1 FROM policy_files WHERE tenant_id = ?1 AND sha256 = ?2) \
             AS found",
            &[self.tenant.0.into(), sha256.into()],
        )?;
        Ok(rows.returned()?.get_bool("found")?)
    }

    /// Deletes the uploads that are on nothing (no case, no notice) and
    /// were made before `domain::intake::abandoned_before(now)`, and queues
    /// their digests in `files_to_delete`, all in one transaction. Only a
    /// row still unlinked when the statement runs goes: a link is made in a
    /// transaction of its own, before the purge (the row stays) or after it
    /// (the link finds no such attachment). Returns how many went.
    pub fn purge_abandoned_uploads(&self, now: DateTime<Utc>) -> Result<usize, Error> {
        in_transaction(self.db, |db| {
            let purged = db.execute(
                "DELETE FROM attachments WHERE tenant_id = ?1 AND case_id IS NULL \
                 AND uploaded_at < ?2 AND NOT EXISTS (SELECT 1 FROM notice_attachments n \
                 WHERE n.tenant_id = ?1 AND n.attachment_id = attachments.id) RETURNING sha256",
                &[self.tenant.0.into(), to_text(abandoned_before(now)).into()],
            )?;
            let digests: BTreeSet<String> = purged
                .iter()
                .map(|r| r.get_string("sha256"))
                .collect::<Result<_, _>>()?;
            for sha256 in digests {
                db.execute(
                    "INSERT INTO files_to_delete (tenant_id, sha256, released_at) \
                     VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
                    &[self.tenant.0.into(), sha256.into(), to_text(now).into()],
                )?;
            }
            Ok(purged.len())
        })
    }

    /// Works through up to `limit` digests queued by
    /// [`Self::purge_abandoned_uploads`], oldest first: for each, in one
    /// transaction, takes it off the queue and, unless a row uses the
    /// digest again, calls `delete` for its bytes. The transaction holds
    /// the write lock while `delete` runs, so no row can take up the digest
    /// meanwhile; a row recorded after it puts the bytes again in its own
    /// transaction (see the edge's `files::put`). A `delete` that fails
    /// leaves the digest queued for the next sweep. Returns how many
    /// digests' bytes were deleted.
    pub fn delete_unused_files(
        &self,
        limit: usize,
        mut delete: impl FnMut(&str) -> Result<(), Error>,
    ) -> Result<usize, Error> {
        let queued = self.db.execute(
            "SELECT sha256 FROM files_to_delete WHERE tenant_id = ? \
             ORDER BY released_at, sha256 LIMIT ?",
            &[
                self.tenant.0.into(),
                i64::try_from(limit).unwrap_or(i64::MAX).into(),
            ],
        )?;
        let digests: Vec<String> = queued
            .iter()
            .map(|r| r.get_string("sha256"))
            .collect::<Result<_, _>>()?;
        let mut deleted = 0;
        for sha256 in digests {
            let unused = in_transaction(self.db, |db| -> Result<bool, Error> {
                db.execute(
                    "DELETE FROM files_to_delete WHERE tenant_id = ? AND sha256 = ?",
                    &[self.tenant.0.into(), sha256.as_str().into()],
                )?;
                if self.file_in_use(&sha256)? {
                    return Ok(false);
                }
                delete(&sha256)?;
                Ok(true)
            })?;
            deleted += usize::from(unused);
        }
        Ok(deleted)
    }

    /// The upload `id`, for `by` to put on a case or a notice: it must be of
    /// this tenant, `by`'s own (see [`Uploader::may_use`]), and on no case or
    /// notice yet. Someone else's upload gets the answer an unknown id gets,
    /// so that nobody learns another's upload exists. Every place that
    /// links uploads asks here; the refusal names `field`.
    pub(crate) fn unused_upload(
        &self,
        id: i64,
        by: &Uploader,
        field: &str,
    ) -> Result<Attachment, Error> {
        let attachment = self
            .attachment(id)?
            .filter(|a| by.may_use(&a.uploaded_by))
            .ok_or_else(|| Problem::unknown(field, "no such attachment"))?;
        if attachment.case_id.is_some() || self.is_notice_attachment(id)? {
            return Err(
                Problem::conflict("this attachment is already on a case or a notice")
                    .with_field(field)
                    .into(),
            );
        }
        Ok(attachment)
    }

    /// Links uploads of `by` to a case. Each must be of this tenant, `by`'s
    /// own, unused (see [`Self::unused_upload`]), and of a kind the case
    /// takes (a PDF only a dispute); the case's count and total size stay
    /// in bounds. One transaction: the sweep's purge of abandoned uploads
    /// runs before it (an id it took is no such attachment) or after it
    /// (a linked upload is not abandoned), never between the check and the
    /// link.
    pub fn attach(
        &self,
        case: CaseId,
        ids: &[i64],
        purpose: Purpose,
        by: &Uploader,
    ) -> Result<(), Error> {
        if ids.is_empty() {
            return Ok(());
        }
        in_transaction(self.db, |db| {
            let source = self
                .case_by_id(case)?
                .ok_or_else(|| Error::NotFound("no such case".into()))?
                .source;
            let existing = self.case_attachments(case)?;
            let mut count = existing.len();
            let mut total: i64 = existing.iter().map(|a| a.size).sum();
            for (i, id) in ids.iter().enumerate() {
                let field = format!("attachment_ids[{i}]");
                let attachment = self.unused_upload(*id, by, &field)?;
                attachment.kind.check_attachable(source, &field)?;
                count += 1;
                total += attachment.size;
                if count > MAX_CASE_ATTACHMENTS {
                    return Err(Problem::validation(
                        field,
                        format!("a case takes at most {MAX_CASE_ATTACHMENTS} attachments"),
                    )
                    .into());
                }
                if total > MAX_CASE_ATTACHMENT_BYTES as i64 {
                    return Err(Problem::payload_too_large(format!(
                        "a case's attachments may total at most {} MB",
                        MAX_CASE_ATTACHMENT_BYTES >> 20
                    ))
                    .with_field(field)
                    .into());
                }
                db.execute(
                    "UPDATE attachments SET case_id = ?, purpose = ? \
                     WHERE tenant_id = ? AND id = ? AND case_id IS NULL",
                    &[
                        case.0.into(),
                        purpose.as_str().into(),
                        self.tenant.0.into(),
                        (*id).into(),
                    ],
                )?;
            }
            Ok(())
        })
    }

    /// Hides an attachment from public view (faces, plates) or shows it
    /// again; a kind that may never be public (a PDF document) is not shown
    /// (409).
    pub fn set_attachment_public(&self, id: i64, public: bool) -> Result<Attachment, Error> {
        if public
            && self
                .attachment(id)?
                .is_some_and(|a| !a.kind.may_be_public())
        {
            return Err(Problem::conflict(
                "a PDF document is a dispute's paper: it is never public",
            )
            .into());
        }
        let rows = self.db.execute(
            &format!(
                "UPDATE attachments SET public = ? WHERE tenant_id = ? AND id = ? \
                 RETURNING {ATTACHMENT_COLUMNS}"
            ),
            &[public.into(), self.tenant.0.into(), id.into()],
        )?;
        match rows.first() {
            Some(row) => Ok(attachment_from_row(&row)?),
            None => Err(Error::NotFound("no such attachment".into())),
        }
    }

    pub fn stored_response(&self, key: &str) -> Result<Option<StoredResponse>, Error> {
        let rows = self.db.execute(
            "SELECT fingerprint, status, response FROM idempotency_keys \
             WHERE tenant_id = ? AND key = ?",
            &[self.tenant.0.into(), key.into()],
        )?;
        Ok(rows
            .first()
            .map(|r| -> Result<_, StoreError> {
                Ok(StoredResponse {
                    fingerprint: r.get_string("fingerprint")?,
                    status: u16::try_from(r.get_i64("status")?).unwrap_or(200),
                    body: r.get_string("response")?,
                })
            })
            .transpose()?)
    }

    /// Records the first answer to a keyed request; call it in the same
    /// transaction as the write the request made.
    pub fn store_response(
        &self,
        key: &str,
        response: &StoredResponse,
        now: DateTime<Utc>,
    ) -> Result<(), Error> {
        self.db.execute(
            "INSERT INTO idempotency_keys (tenant_id, key, fingerprint, status, response, created_at) \
             VALUES (?, ?, ?, ?, ?, ?)",
            &[
                self.tenant.0.into(),
                key.into(),
                response.fingerprint.clone().into(),
                i64::from(response.status).into(),
                response.body.clone().into(),
                to_text(now).into(),
            ],
        )?;
        Ok(())
    }

    /// Open cases of `category` reported since `rule.since(now)` at the same
    /// place (the same micro-grid, or close by), newest first.
    pub fn likely_duplicates(
        &self,
        category: &str,
        grid_node: Option<GridNodeId>,
        location: Option<Location>,
        rule: DuplicateRule,
        now: DateTime<Utc>,
    ) -> Result<Vec<Case>, Error> {
        if grid_node.is_none() && location.is_none() {
            return Ok(Vec::new());
        }
        let open: Vec<&str> = CaseState::ALL
            .iter()
            .filter(|s| s.is_open())
            .map(|s| s.as_str())
            .collect();
        let in_list = placeholders(open.len());
        let mut params: Vec<crate::Value> = vec![
            self.tenant.0.into(),
            category.into(),
            to_text(rule.since(now)).into(),
        ];
        params.extend(open.iter().map(|s| crate::Value::from(*s)));
        let candidates = self.cases_where(
            &format!(
                "category = ? AND created_at >= ? AND state IN ({in_list}) \
                 ORDER BY created_at DESC LIMIT 50"
            ),
            &params,
        )?;
        let here = (grid_node.map(|g| g.0), location);
        Ok(candidates
            .into_iter()
            .filter(|c| rule.same_place(here, (c.grid_node.map(|g| g.0), c.location)))
            .take(5)
            .collect())
    }

    /// Counts one more resident reporting the same problem, once per
    /// person: `pressers` are the digests that identify them
    /// (`domain::intake::me_too_pressers`); if any was counted on the case
    /// before, nothing changes.
    pub fn add_me_too(
        &self,
        case: CaseId,
        pressers: &[String],
        now: DateTime<Utc>,
    ) -> Result<MeToo, Error> {
        in_transaction(self.db, |db| {
            let known = db.execute(
                &format!(
                    "SELECT 1 AS known FROM me_too_presses WHERE tenant_id = ? AND case_id = ? \
                     AND presser IN ({}) LIMIT 1",
                    placeholders(pressers.len().max(1))
                ),
                &[self.tenant.0.into(), case.0.into()]
                    .into_iter()
                    .chain(pressers.iter().map(|p| p.as_str().into()))
                    .chain(pressers.is_empty().then(|| "".into()))
                    .collect::<Vec<_>>(),
            )?;
            let counted = known.is_empty();
            if counted {
                for presser in pressers {
                    db.execute(
                        "INSERT OR IGNORE INTO me_too_presses (tenant_id, case_id, presser, \
                         pressed_at) VALUES (?, ?, ?, ?)",
                        &[
                            self.tenant.0.into(),
                            case.0.into(),
                            presser.as_str().into(),
                            to_text(now).into(),
                        ],
                    )?;
                }
            }
            let rows = db.execute(
                "UPDATE cases SET me_too_count = me_too_count + ? WHERE tenant_id = ? AND id = ? \
                 RETURNING me_too_count",
                &[
                    i64::from(counted).into(),
                    self.tenant.0.into(),
                    case.0.into(),
                ],
            )?;
            match rows.first() {
                Some(row) => Ok(MeToo {
                    count: row.get_i64("me_too_count")?,
                    counted,
                }),
                None => Err(Error::NotFound("no such case".into())),
            }
        })
    }

    /// The reporter's edit of what they wrote, within the edit window.
    pub fn edit_report(
        &self,
        case: CaseId,
        description: &str,
        extra: &serde_json::Value,
        now: DateTime<Utc>,
    ) -> Result<(), Error> {
        limits::CASE_DESCRIPTION.check(description)?;
        self.db.execute(
            "UPDATE cases SET description = ?, extra = ?, updated_at = ? WHERE tenant_id = ? AND id = ?",
            &[
                description.trim().into(),
                extra.to_string().into(),
                to_text(now).into(),
                self.tenant.0.into(),
                case.0.into(),
            ],
        )?;
        Ok(())
    }

    /// Erases the reporter's name and contact details from a case; the
    /// SMS not sent yet are cancelled with them.
    pub fn erase_contact(&self, case: CaseId, now: DateTime<Utc>) -> Result<(), Error> {
        in_transaction(self.db, |db| {
            db.execute(
                "UPDATE cases SET reporter_name = NULL, reporter_phone = NULL, \
                 reporter_email = NULL WHERE tenant_id = ? AND id = ?",
                &[self.tenant.0.into(), case.0.into()],
            )?;
            self.cancel_sms_for_case(case, now)
        })
    }

    /// Whether any micro-grid of the tenant has a shape: then the grid
    /// knows the tenant's area, and a place outside every shape is outside it.
    pub fn has_grid_geometry(&self) -> Result<bool, Error> {
        let rows = self.db.execute(
            "SELECT 1 AS found FROM grid_nodes WHERE tenant_id = ? AND level = 4 \
             AND geometry IS NOT NULL AND retired = 0 LIMIT 1",
            &[self.tenant.0.into()],
        )?;
        Ok(!rows.is_empty())
    }

    /// Marks a case as fixed on the spot (当场解决), which it is counted as.
    pub fn mark_fixed_on_the_spot(&self, case: CaseId) -> Result<(), Error> {
        in_transaction(self.db, |db| {
            let before = self.case_by_id(case)?;
            db.execute(
                "UPDATE cases SET fixed_on_the_spot = 1 WHERE tenant_id = ? AND id = ?",
                &[self.tenant.0.into(), case.0.into()],
            )?;
            let after = self.case_by_id(case)?;
            self.restat(before.as_ref(), after.as_ref())
        })
    }
}
