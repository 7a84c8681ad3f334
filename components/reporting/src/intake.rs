//! A report becomes a case in state `reported` with a public tracking code.
//! Residents report without an account and get a secret to come back with;
//! grid workers and agents report with their token, and a grid worker may
//! record a problem already fixed on the spot. A retried submission with
//! the same `Idempotency-Key` gets the first answer; a report like an open
//! case nearby is offered that case to join instead.

use std::collections::BTreeMap;

use chrono::Utc;
use domain::intake::{Accepted, DuplicateRule, EDIT_WINDOW, Priority, reporter_secret, sha256_hex};
use domain::report::{Judged, Report};
use domain::{CaseAction, GridNodeId, Problem, TrackingCode};
use edge::{Ctx, HandlerResult, idempotency};
use serde::Deserialize;
use serde_json::{Value, json};
use store::{Contact, NewCase, Purpose, Routing, StoredResponse};

use crate::attachments;
use crate::multipart;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReportBody {
    category: String,
    description: String,
    latitude: Option<f64>,
    longitude: Option<f64>,
    grid_node_id: Option<i64>,
    address: Option<String>,
    #[serde(default)]
    priority: Option<String>,
    #[serde(default)]
    extra: BTreeMap<String, Value>,
    /// Files uploaded before, by id.
    #[serde(default)]
    attachment_ids: Vec<i64>,
    /// A resident's name and phone: private, never shown publicly.
    name: Option<String>,
    phone: Option<String>,
    /// A grid worker's report of a problem already fixed (当场解决).
    #[serde(default)]
    fixed_on_the_spot: bool,
    /// Create a new case even though a similar open one exists.
    #[serde(default)]
    insist: bool,
    /// The caller's patrol it was found on (docs/patrols.md).
    #[serde(default)]
    patrol_id: Option<i64>,
}

pub fn submit_report(ctx: &mut Ctx) -> HandlerResult {
    let tenant = ctx.tenant()?;
    let key = idempotency::key(ctx)?;
    let fingerprint = idempotency::fingerprint(ctx);
    if let Some(key) = &key
        && let Some(stored) = ctx.scope()?.stored_response(key)?
    {
        return idempotency::replay(&stored, &fingerprint);
    }
    if ctx.optional_caller().is_none() {
        edge::limits::check(ctx.request(), tenant.code.as_str(), "report")?;
    }
    let content_type = ctx.content_type();
    let (body, files): (ReportBody, Vec<multipart::FilePart>) =
        if content_type == "multipart/form-data" {
            let raw = ctx
                .request()
                .header("content-type")
                .and_then(|h| h.as_str())
                .unwrap_or("")
                .to_string();
            let form = multipart::parse(&raw, ctx.request().body())?;
            (edge::context::parse_json(&form.report)?, form.files)
        } else {
            (ctx.json_body()?, Vec::new())
        };
    let report = check_report(ctx, &body, body.attachment_ids.len() + files.len())?;
    let patrol = found_on_patrol(ctx, body.patrol_id)?;
    let mut attachment_ids = body.attachment_ids.clone();
    // Every file is checked first, and its bytes stored only once the report
    // is taken (a likely duplicate stores nothing the sweep could not find).
    let new_files = files
        .iter()
        .map(|file| {
            attachments::check_file(ctx, &file.bytes, file.declared.as_deref(), Accepted::Media)
        })
        .collect::<Result<Vec<_>, _>>()?;
    if !body.insist && !body.fixed_on_the_spot {
        let duplicates = ctx.scope()?.likely_duplicates(
            report.judged.category.as_str(),
            report.judged.grid_node,
            report.judged.location,
            DuplicateRule::DEFAULT,
            Utc::now(),
        )?;
        if !duplicates.is_empty() {
            return Err(possible_duplicates(&duplicates));
        }
    }

    for (new, file) in new_files.iter().zip(&files) {
        attachments::store_bytes(ctx, new, &file.bytes)?;
    }
    let resident = ctx.optional_caller().is_none();
    let secret = resident
        .then(|| edge::random_bytes::<16>().map(reporter_secret))
        .transpose()?;
    // Everything the case needs is read before the write lock: the
    // transaction holds only the writes (docs/benchmarks/README.md).
    let routing = if body.fixed_on_the_spot {
        Routing::Triage
    } else {
        // A routing rule for the category (and place) dispatches at once.
        Routing::Automatic
    };
    let new = new_case(ctx, &report, &body, secret.as_deref())?;
    let mut prepared = ctx.scope()?.prepare_case(new, routing, Utc::now())?;
    if let Some(patrol) = &patrol {
        prepared.on_patrol(patrol.id);
    }
    let created = ctx.transaction(|ctx| {
        let scope = ctx.scope()?;
        let case = edge::with_fresh_tracking_code(|code| {
            prepared.with_tracking_code(code);
            scope.record_case(&prepared, Utc::now())
        })?;
        let uploader = attachments::uploader(ctx);
        for (new, file) in new_files.iter().cloned().zip(&files) {
            attachment_ids.push(attachments::record(ctx, new, &file.bytes)?.id);
        }
        let scope = ctx.scope()?;
        scope.attach(case.id, &attachment_ids, Purpose::Evidence, &uploader)?;
        let mut case = case;
        if body.fixed_on_the_spot {
            let actor = ctx.caller()?.actor();
            let scope = ctx.scope()?;
            case = scope.apply_action(
                case.id,
                case.version,
                &CaseAction::FixedOnTheSpot,
                &actor,
                Utc::now(),
            )?;
            scope.mark_fixed_on_the_spot(case.id)?;
        }
        if let Some(patrol) = &patrol {
            ctx.scope()?.count_patrol_problem(
                patrol,
                case.grid_node,
                body.fixed_on_the_spot,
                Utc::now(),
            )?;
        }
        let reply = json!({
            "id": case.id.0,
            "tracking_code": case.tracking_code.as_str(),
            "state": case.state,
            "grid_node_id": case.grid_node.map(|g| g.0),
            "attachment_ids": attachment_ids,
            "created_at": case.created_at.to_rfc3339(),
            "reporter_secret": secret,
        });
        if let Some(key) = &key {
            let stored = StoredResponse {
                fingerprint: fingerprint.clone(),
                status: 201,
                body: reply.to_string(),
            };
            ctx.scope()?.store_response(key, &stored, Utc::now())?;
        }
        Ok(reply)
    });
    match created {
        Ok(reply) => Ok(edge::json(201, &reply)),
        // A concurrent retry with the same key committed first: replay it.
        Err(problem) if key.is_some() && problem.status() == 409 => {
            let stored = key
                .as_deref()
                .map(|k| ctx.scope().and_then(|s| Ok(s.stored_response(k)?)))
                .transpose()?
                .flatten();
            match stored {
                Some(stored) => idempotency::replay(&stored, &fingerprint),
                None => Err(problem),
            }
        }
        Err(problem) => Err(problem),
    }
}

/// The patrol a report names: the caller's own, not closed (else 422
/// `patrol_not_yours`, 409 `patrol_closed`). A volunteer reports only what
/// it finds on its patrol.
fn found_on_patrol(ctx: &mut Ctx, patrol: Option<i64>) -> Result<Option<store::Patrol>, Problem> {
    let caller = ctx.optional_caller().map(|c| (c.user.id, c.user.role));
    match (patrol, caller) {
        (None, Some((_, domain::Role::Volunteer))) => Err(Problem::forbidden(
            "a volunteer reports what it finds on its patrol: name it (patrol_id)",
        )
        .with_field("patrol_id")),
        (None, _) => Ok(None),
        (Some(_), None) => Err(Problem::coded(
            domain::ProblemCode::PatrolNotYours,
            "a patrol is named by the grid worker or volunteer walking it, signed in",
        )
        .with_field("patrol_id")),
        (Some(id), Some((person, _))) => Ok(Some(ctx.scope()?.patrol_for_report(
            id,
            person,
            Utc::now(),
        )?)),
    }
}

/// A report that passed every rule, ready to insert.
struct CheckedReport {
    judged: Judged,
    priority: Priority,
}

/// Judges the report by the rules every door shares (`domain::report`),
/// with the facts read from the store, and the priority only this door takes.
fn check_report(
    ctx: &mut Ctx,
    body: &ReportBody,
    attachments: usize,
) -> Result<CheckedReport, Problem> {
    let report = Report {
        reporter: ctx.optional_caller().map(|c| c.user.role),
        category: &body.category,
        description: Some(&body.description),
        extra: body.extra.clone(),
        latitude: body.latitude,
        longitude: body.longitude,
        address: body.address.as_deref(),
        grid_node: body.grid_node_id.map(GridNodeId),
        fixed_on_the_spot: body.fixed_on_the_spot,
        attachments,
    };
    let judged = crate::judging::judge(&ctx.scope()?, &report)?;
    let priority = body
        .priority
        .as_deref()
        .map(Priority::parse)
        .transpose()?
        .unwrap_or_default();
    Ok(CheckedReport { judged, priority })
}

/// The case a checked report becomes (its tracking code is drawn when it is recorded).
fn new_case(
    ctx: &mut Ctx,
    report: &CheckedReport,
    body: &ReportBody,
    secret: Option<&str>,
) -> Result<NewCase, Problem> {
    let phone = body
        .phone
        .as_deref()
        .map(domain::phone::mobile)
        .transpose()?;
    Ok(NewCase {
        grid_node: report.judged.grid_node,
        location: report.judged.location,
        reporter: ctx.optional_caller().map(|c| c.user.id),
        priority: report.priority,
        extra: json!(report.judged.extra),
        address: body.address.clone(),
        contact: Contact {
            name: body.name.clone().filter(|n| !n.trim().is_empty()),
            phone,
            email: None,
        },
        reporter_secret_hash: secret.map(|s| sha256_hex(s.as_bytes())),
        editable_until: secret.map(|_| Utc::now() + EDIT_WINDOW),
        ..NewCase::basic(
            TrackingCode::from_random(edge::random_bytes::<8>()?),
            report.judged.category.as_str(),
            report.judged.description.as_str(),
            report.judged.source,
        )
    })
}

/// A 409 offering the open cases this report is probably about.
fn possible_duplicates(cases: &[store::Case]) -> Problem {
    let offered: Vec<Value> = cases
        .iter()
        .map(|c| {
            json!({
                "tracking_code": c.tracking_code.as_str(),
                "category": c.category,
                "state": c.state,
                "reported_at": c.created_at.to_rfc3339(),
                "me_too_count": c.me_too_count,
            })
        })
        .collect();
    Problem::coded(
        domain::ProblemCode::DuplicateNearby,
        "a similar open case was reported nearby: join it with POST …/reports/{code}/me-too, \
         or send this report again with \"insist\": true",
    )
    .with_field("category")
    .with_extension("duplicates", json!(offered))
}
