//! A report becomes a case in state `reported` with a public tracking code.
//! Residents report without an account and get a secret to come back with;
//! grid workers and agents report with their token, and a grid worker may
//! record a problem already fixed on the spot. A retried submission with
//! the same `Idempotency-Key` gets the first answer; a report like an open
//! case nearby is offered that case to join instead.

use std::collections::BTreeMap;

use chrono::Utc;
use domain::intake::{Accepted, DuplicateRule, EDIT_WINDOW, Priority, reporter_secret, sha256_hex};
use domain::{CaseAction, CaseSource, Code, GridNodeId, Location, Problem, Role, TrackingCode};
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
    let report = check_report(ctx, &body)?;
    let mut attachment_ids = body.attachment_ids.clone();
    // Every file is checked first, and its bytes stored only once the report
    // is taken (a likely duplicate stores nothing the sweep could not find).
    let new_files = files
        .iter()
        .map(|file| {
            attachments::check_file(ctx, &file.bytes, file.declared.as_deref(), Accepted::Media)
        })
        .collect::<Result<Vec<_>, _>>()?;
    if body.fixed_on_the_spot && attachment_ids.is_empty() && new_files.is_empty() {
        return Err(Problem::validation(
            "attachment_ids",
            "a problem fixed on the spot needs a photo of the result as evidence",
        ));
    }
    if !body.insist && !body.fixed_on_the_spot {
        let duplicates = ctx.scope()?.likely_duplicates(
            &report.category,
            report.grid_node,
            report.location,
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

/// A report that passed every check, ready to insert.
struct CheckedReport {
    category: String,
    grid_node: Option<GridNodeId>,
    location: Option<Location>,
    priority: Priority,
    source: CaseSource,
}

fn check_report(ctx: &mut Ctx, body: &ReportBody) -> Result<CheckedReport, Problem> {
    let (source, role) = match ctx.optional_caller() {
        None => (CaseSource::Resident, None),
        Some(c) if c.user.role == Role::Agent => (CaseSource::Agent, Some(Role::Agent)),
        Some(c) => (CaseSource::GridWorker, Some(c.user.role)),
    };
    if body.fixed_on_the_spot && role != Some(Role::GridWorker) {
        return Err(Problem::forbidden(
            "only a grid worker records a problem as fixed on the spot",
        ));
    }
    let code = Code::parse(&body.category).map_err(|_| unknown_category())?;
    if let Some(desk) = domain::case_kind::reserved_for(code.as_str()) {
        return Err(Problem::validation(
            "category",
            format!(
                "'{}' is taken in at the {} desk, not as a report",
                code.as_str(),
                desk.as_str()
            ),
        ));
    }
    let category = ctx
        .scope()?
        .category_by_code(&code)?
        .filter(|c| !c.retired)
        .ok_or_else(unknown_category)?;
    domain::intake::check_extra(&category.extra_fields, &body.extra)?;
    let description = body.description.trim();
    if description.is_empty() || description.chars().count() > 4000 {
        return Err(Problem::validation(
            "description",
            "describe the problem in 1 to 4000 characters",
        ));
    }
    let priority = body
        .priority
        .as_deref()
        .map(Priority::parse)
        .transpose()?
        .unwrap_or_default();
    let location = match (body.latitude, body.longitude) {
        (None, None) => None,
        (Some(lat), Some(lon)) => Some(Location::new(lat, lon)?),
        (Some(_), None) => return Err(Problem::validation("longitude", "give both coordinates")),
        (None, Some(_)) => return Err(Problem::validation("latitude", "give both coordinates")),
    };
    let scope = ctx.scope()?;
    let grid_node = match (body.grid_node_id, location) {
        (Some(id), _) => Some(GridNodeId(id)),
        (None, Some(place)) => match scope.locate(place.latitude(), place.longitude())? {
            Some(node) => Some(node.id),
            // A tenant whose grid has shapes knows its area: a place in none is outside it.
            None if scope.has_grid_geometry()? => {
                return Err(Problem::validation(
                    "latitude",
                    "this place is outside the area of this township or district",
                ));
            }
            None => None,
        },
        (None, None) => None,
    };
    Ok(CheckedReport {
        category: category.code.as_str().to_string(),
        grid_node,
        location,
        priority,
        source,
    })
}

fn unknown_category() -> Problem {
    Problem::validation(
        "category",
        "unknown category: choose one of GET /api/t/{tenant}/admin/categories",
    )
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
        grid_node: report.grid_node,
        location: report.location,
        reporter: ctx.optional_caller().map(|c| c.user.id),
        priority: report.priority,
        extra: json!(body.extra),
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
            report.category.clone(),
            body.description.trim(),
            report.source,
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
    Problem::conflict(
        "a similar open case was reported nearby: join it with POST …/reports/{code}/me-too, \
         or send this report again with \"insist\": true",
    )
    .with_field("category")
    .with_extension("duplicates", json!(offered))
}
