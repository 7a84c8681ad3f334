//! Policy documents: departments publish them with their files (uploaded
//! first); anyone searches and reads them. A superseded policy stays
//! readable and names its successor.

use chrono::Utc;
use domain::deadline::zone_offset;
use domain::intake::sha256_hex;
use domain::policy::{Effective, parse_date, parse_tags, recognise_policy_file};
use domain::{Permission, Problem, Role};
use edge::{Ctx, HandlerResult, files, json};
use serde::Deserialize;
use serde_json::{Value, json};
use store::{NewPolicy, NewPolicyFile, Policy, PolicyQuery};

use crate::wire;

/// `POST …/enterprise/policy-files?name=通知.pdf`: the raw file as the
/// body; its type is judged by its bytes. Attached by a policy later.
pub fn upload_file(ctx: &mut Ctx) -> HandlerResult {
    let name = ctx
        .query("name")
        .filter(|n| !n.trim().is_empty())
        .ok_or_else(|| Problem::validation("name", "name the file: ?name=通知.pdf"))?;
    let bytes = ctx.request().body().to_vec();
    let content_type = recognise_policy_file(&bytes, &name)?;
    let sha256 = sha256_hex(&bytes);
    let tenant = ctx.tenant()?;
    // The bytes go first, so that no row ever points at a missing file, and
    // again with the row: the sweep may have deleted them meanwhile, when
    // no row used the digest (see `files::put`).
    files::put(tenant.id.0, &sha256, &bytes)?;
    let new = NewPolicyFile {
        name,
        content_type: content_type.to_string(),
        size: i64::try_from(bytes.len()).unwrap_or(i64::MAX),
        sha256,
        uploaded_by: ctx.caller()?.actor(),
    };
    let file = ctx.transaction(|ctx| {
        files::put(tenant.id.0, &new.sha256, &bytes)?;
        Ok(ctx.scope()?.record_policy_file(new, Utc::now())?)
    })?;
    Ok(json(201, &wire::policy_file(tenant.code.as_str(), &file)))
}

/// `GET …/enterprise/policy-files/:file`: a file of a published policy,
/// to anyone; one uploaded and not yet published with a policy, to staff
/// who may publish policies (with their token), and to no one else.
pub fn download_file(ctx: &mut Ctx) -> HandlerResult {
    let id = ctx.id_param("id", "policy file")?;
    let file = ctx
        .scope()?
        .policy_file(id)?
        .ok_or_else(|| Problem::not_found("no such policy file"))?;
    let published = file.policy.is_some();
    if !published && !ctx.signed_in_with(Permission::PublishPolicies) {
        return Err(Problem::not_found("no such policy file"));
    }
    let tenant = ctx.tenant()?;
    let bytes = files::get(tenant.id.0, &file.sha256)?
        .ok_or_else(|| Problem::internal("the bytes of a policy file are missing"))?;
    Ok(edge::respond::bytes(
        200,
        &[
            ("content-type", file.content_type.as_str()),
            ("etag", &format!("\"{}\"", file.sha256)),
            (
                "cache-control",
                if published {
                    "public, max-age=31536000, immutable"
                } else {
                    "private, no-store"
                },
            ),
            ("x-content-type-options", "nosniff"),
        ],
        bytes,
    ))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PolicyBody {
    title: String,
    body: String,
    issuer: String,
    effective_from: String,
    effective_to: Option<String>,
    #[serde(default)]
    tags: Vec<String>,
    supersedes: Option<i64>,
    #[serde(default)]
    files: Vec<i64>,
}

/// `POST …/enterprise/policies`: publishes a policy; department staff
/// publish in their department's name.
pub fn publish(ctx: &mut Ctx) -> HandlerResult {
    let body: PolicyBody = ctx.json_body()?;
    let from = parse_date("effective_from", &body.effective_from)?;
    let to = body
        .effective_to
        .as_deref()
        .map(|d| parse_date("effective_to", d))
        .transpose()?;
    let caller = ctx.caller()?;
    let department = match caller.user.role {
        Role::DepartmentStaff => caller.user.department,
        _ => None,
    };
    let actor = caller.actor();
    let new = NewPolicy {
        title: body.title,
        body: body.body,
        issuer: body.issuer,
        effective: Effective::new(from, to)?,
        tags: parse_tags(&body.tags)?,
        department,
        supersedes: body.supersedes,
        files: body.files,
    };
    let policy = ctx.transaction(|ctx| {
        let policy = ctx.scope()?.publish_policy(new, &actor, Utc::now())?;
        ctx.audit(
            "publish",
            "policy",
            policy.id,
            None,
            Some(wire::policy(&policy, None)),
        )?;
        Ok(policy)
    })?;
    render(ctx, 201, &policy)
}

/// `GET …/enterprise/policies?q=&tag=&issuer=&in_force=true&superseded=true`:
/// matching policies, best first. Never fails on `q`.
pub fn search(ctx: &mut Ctx) -> HandlerResult {
    let in_force_on = match ctx.query_value("in_force").as_deref() {
        None | Some("false") => None,
        Some("true") => Some(today(ctx)?),
        Some(day) => Some(parse_date("in_force", day)?),
    };
    let query = PolicyQuery {
        text: ctx.query("q").unwrap_or_default(),
        tag: ctx.query("tag").filter(|t| !t.trim().is_empty()),
        issuer: ctx.query("issuer").filter(|t| !t.trim().is_empty()),
        in_force_on,
        include_superseded: ctx.query("superseded").as_deref() == Some("true"),
        limit: ctx.page_limit()?,
    };
    let found = ctx.scope()?.search_policies(&query)?;
    let items: Vec<_> = found.iter().map(|p| wire::policy(p, None)).collect();
    Ok(json(200, &json!({ "policies": items })))
}

/// The tenant's local date: policies are in force by local days.
fn today(ctx: &mut Ctx) -> Result<chrono::NaiveDate, Problem> {
    let tenant = ctx.tenant()?;
    let offset = zone_offset(&tenant.time_zone)?;
    Ok(Utc::now().with_timezone(&offset).date_naive())
}

/// `GET …/enterprise/policies/:policy`: one policy with its files.
pub fn get(ctx: &mut Ctx) -> HandlerResult {
    let id = ctx.id_param("id", "policy")?;
    let policy = ctx
        .scope()?
        .policy(id)?
        .ok_or_else(|| Problem::not_found("no such policy"))?;
    render(ctx, 200, &policy)
}

fn render(ctx: &mut Ctx, status: u16, policy: &Policy) -> HandlerResult {
    let tenant = ctx.tenant()?;
    let files: Vec<Value> = ctx
        .scope()?
        .policy_files(policy.id)?
        .iter()
        .map(|f| wire::policy_file(tenant.code.as_str(), f))
        .collect();
    Ok(json(status, &wire::policy(policy, Some(files))))
}
