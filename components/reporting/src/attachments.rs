//! Attachments: photos, videos and voice notes, uploaded before a report
//! (and referred to by id) or with it (multipart), and the mediation
//! centre's PDF papers. Their type is decided by their bytes; staff see
//! every one, the public only those on a case that no one has hidden, and
//! never a PDF.

use chrono::Utc;
use domain::intake::{
    Accepted, AttachmentId, AttachmentKind, Uploader, recognise, reporter_secret_matches,
    sha256_hex,
};
use domain::permissions::allows;
use domain::{Permission, Problem};
use edge::{Ctx, HandlerResult, json};
use serde::Deserialize;
use serde_json::{Value, json};
use store::{Attachment, NewAttachment};

use crate::files;

pub fn wire(a: &Attachment) -> Value {
    json!({
        "id": a.id,
        "kind": a.kind.as_str(),
        "content_type": a.content_type,
        "size": a.size,
        "sha256": a.sha256,
        "purpose": a.purpose.as_str(),
        "public": a.public,
    })
}

/// Who is uploading, or linking uploads to a report: the account, or a
/// resident without one (whose address is kept for the record).
pub fn uploader(ctx: &Ctx) -> Uploader {
    match ctx.optional_caller() {
        Some(caller) => Uploader::Account(caller.actor()),
        None => Uploader::Resident {
            address: edge::limits::client_address(ctx.request()),
        },
    }
}

/// Whether the request carries the secret of the case the file is on, and
/// the file is one its reporter sees (`domain::publication::reporter_sees`).
fn reporter_sees(ctx: &mut Ctx, attachment: &Attachment) -> Result<bool, Problem> {
    let (Some(case_id), Some(given)) = (
        attachment.case_id,
        ctx.request()
            .header("reporter-secret")
            .and_then(|h| h.as_str())
            .map(str::to_string),
    ) else {
        return Ok(false);
    };
    let Some(case) = ctx.scope()?.case_by_id(case_id)? else {
        return Ok(false);
    };
    let holds_secret = case
        .reporter_secret_hash
        .as_deref()
        .is_some_and(|stored| reporter_secret_matches(&given, stored));
    Ok(holds_secret
        && domain::publication::reporter_sees(&store::scoped::publication::attachment_facts(
            attachment,
        )))
}

/// Checks a file (with the media type the client `declared`, a hint) for
/// what is `accepted`, writing nothing: what [`record`] writes once
/// [`store_bytes`] has stored the bytes.
pub fn check_file(
    ctx: &mut Ctx,
    bytes: &[u8],
    declared: Option<&str>,
    accepted: Accepted,
) -> Result<NewAttachment, Problem> {
    let recognised = recognise(bytes, declared, accepted)?;
    Ok(NewAttachment {
        sha256: sha256_hex(bytes),
        content_type: recognised.content_type.to_string(),
        kind: recognised.kind,
        size: i64::try_from(bytes.len()).unwrap_or(i64::MAX),
        uploaded_by: uploader(ctx),
    })
}

/// Stores a checked file's bytes ahead of the transaction that records it,
/// so that the write lock is not held while they are written (inside it,
/// [`record`] only finds them whole). Bytes go first, so no record ever
/// points at a missing file.
pub fn store_bytes(ctx: &mut Ctx, new: &NewAttachment, bytes: &[u8]) -> Result<(), Problem> {
    files::put(ctx.tenant()?.id.0, &new.sha256, bytes)
}

/// Records a file stored by [`store_bytes`] under an id drawn at random, so
/// that nobody can guess another's upload; an id already taken (a vanishing
/// chance among 2^53) is drawn again. Runs in a transaction, in which the
/// `bytes` are put again: the sweep may have deleted the digest's bytes
/// since they were stored, when no row used them (see `files::put`).
pub fn record(ctx: &mut Ctx, new: NewAttachment, bytes: &[u8]) -> Result<Attachment, Problem> {
    ctx.transaction(|ctx| {
        files::put(ctx.tenant()?.id.0, &new.sha256, bytes)?;
        let scope = ctx.scope()?;
        let mut attempt = 0;
        loop {
            let id = AttachmentId::from_random(edge::random_bytes::<8>()?);
            match scope.record_attachment(id, new.clone(), Utc::now()) {
                Err(store::Error::Conflict(_)) if attempt < 3 => attempt += 1,
                other => return Ok(other?),
            }
        }
    })
}

/// Checks, stores and records one file; not yet on any case.
pub fn store_file(
    ctx: &mut Ctx,
    bytes: &[u8],
    declared: Option<&str>,
    accepted: Accepted,
) -> Result<Attachment, Problem> {
    let new = check_file(ctx, bytes, declared, accepted)?;
    store_bytes(ctx, &new, bytes)?;
    record(ctx, new, bytes)
}

/// `POST …/attachments`: the raw file as the body. The mediation centre's
/// staff may upload PDF papers too (a dispute's IOU, contract, agreement);
/// everyone else what a report carries.
pub fn upload(ctx: &mut Ctx) -> HandlerResult {
    let accepted = match ctx.optional_caller() {
        None => {
            let tenant = ctx.tenant()?;
            edge::limits::check(ctx.request(), tenant.code.as_str(), "upload")?;
            Accepted::Media
        }
        Some(caller) if allows(caller.user.role, Permission::MediateDisputes) => {
            Accepted::MediaAndPapers
        }
        Some(_) => Accepted::Media,
    };
    let body = ctx.request().body().to_vec();
    let declared = ctx.content_type();
    let attachment = store_file(ctx, &body, Some(&declared), accepted)?;
    Ok(json(201, &wire(&attachment)))
}

/// `GET …/attachments/:id`: the file, to staff; to the reporter (with the
/// case's secret) when it is theirs to see; to anyone when it is on a case
/// and public. A public file can be hidden later (faces, plates), so no
/// cache may keep it without asking again: every answer is `no-cache`
/// with the file's digest as its tag, and a revalidation costs a 304.
pub fn download(ctx: &mut Ctx) -> HandlerResult {
    let id = ctx.id_param("id", "attachment")?;
    let attachment = ctx
        .scope()?
        .attachment(id)?
        .ok_or_else(|| Problem::not_found("no such attachment"))?;
    let staff = ctx
        .optional_caller()
        .is_some_and(|c| allows(c.user.role, Permission::ViewCases));
    // Public only on a case or a notice, not hidden, and never a PDF paper:
    // the publication rule.
    let in_use = attachment.case_id.is_some() || ctx.scope()?.is_notice_attachment(id)?;
    let public =
        domain::publication::attachment_is_public(attachment.kind, attachment.public, in_use);
    if !staff && !public && !reporter_sees(ctx, &attachment)? {
        // The same answer as for an unknown id: nothing is revealed.
        return Err(Problem::not_found("no such attachment"));
    }
    let etag = format!("\"{}\"", attachment.sha256);
    let cache = if public { "public" } else { "private" };
    let cache_control = format!("{cache}, no-cache");
    if ctx
        .request()
        .header("if-none-match")
        .and_then(|h| h.as_str())
        .is_some_and(|tags| tags.split(',').any(|t| t.trim() == etag))
    {
        return Ok(edge::respond::empty(
            304,
            &[("etag", &etag), ("cache-control", &cache_control)],
        ));
    }
    let tenant = ctx.tenant()?;
    let bytes = files::get(tenant.id.0, &attachment.sha256)?
        .ok_or_else(|| Problem::internal("the file of an attachment is missing"))?;
    let disposition = format!("attachment; filename=\"document-{id}.pdf\"");
    let mut headers = vec![
        ("content-type", attachment.content_type.as_str()),
        ("etag", etag.as_str()),
        ("cache-control", cache_control.as_str()),
        ("x-content-type-options", "nosniff"),
    ];
    // A paper is saved, not opened inside the app's origin.
    if attachment.kind == AttachmentKind::Document {
        headers.push(("content-disposition", &disposition));
    }
    Ok(edge::respond::bytes(200, &headers, bytes))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VisibilityBody {
    public: bool,
}

/// `PATCH …/attachments/:id`: staff hide a file from public view (faces,
/// plates are the uploader's duty, but anyone on staff can hide) or show it.
pub fn set_visibility(ctx: &mut Ctx) -> HandlerResult {
    let id = ctx.id_param("id", "attachment")?;
    let body: VisibilityBody = ctx.json_body()?;
    let updated = ctx.transaction(|ctx| {
        let attachment = ctx.scope()?.set_attachment_public(id, body.public)?;
        let after = wire(&attachment);
        ctx.audit(
            "set_visibility",
            "attachment",
            id,
            None,
            Some(after.clone()),
        )?;
        Ok(after)
    })?;
    Ok(json(200, &updated))
}
