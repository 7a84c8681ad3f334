//! What a resident can do with their case's secret (sent as the
//! `Reporter-Secret` header): add information, edit what they wrote within
//! the edit window, and erase their name and contact. And what anyone can
//! do with a tracking code: say "me too".

use chrono::Utc;
use domain::intake::{me_too_pressers, reporter_secret_matches};
use domain::{Problem, ProblemCode, TrackingCode};
use edge::{Ctx, HandlerResult, json};
use serde::Deserialize;
use serde_json::{Value, json};
use std::collections::BTreeMap;
use store::{Case, Purpose};

use crate::attachments;

/// The case of the path's tracking code; unknown and malformed codes alike
/// are 404, revealing nothing.
fn case_of_path(ctx: &mut Ctx) -> Result<Case, Problem> {
    let code = TrackingCode::parse(ctx.param("code")?).map_err(|_| no_such_case())?;
    ctx.scope()?
        .case_by_tracking_code(&code)?
        .ok_or_else(no_such_case)
}

fn no_such_case() -> Problem {
    Problem::coded(
        ProblemCode::UnknownTrackingCode,
        "no case has this tracking code",
    )
}

/// The case, if the request carries its reporter's secret.
fn reporters_case(ctx: &mut Ctx) -> Result<Case, Problem> {
    let case = case_of_path(ctx)?;
    let given = ctx
        .request()
        .header("reporter-secret")
        .and_then(|h| h.as_str());
    match (given, &case.reporter_secret_hash) {
        (Some(given), Some(stored)) if reporter_secret_matches(given, stored) => Ok(case),
        (None, _) => Err(Problem::coded(
            ProblemCode::ReporterSecretRequired,
            "send the secret you got with your report as the Reporter-Secret header",
        )),
        _ => Err(Problem::coded(
            ProblemCode::WrongReporterSecret,
            "this secret does not belong to this case",
        )),
    }
}

/// "Me too": another resident has the same problem; counted on the case.
pub fn me_too(ctx: &mut Ctx) -> HandlerResult {
    let tenant = ctx.tenant()?;
    edge::limits::check(ctx.request(), tenant.code.as_str(), "me-too")?;
    let case = case_of_path(ctx)?;
    if !case.state.is_open() {
        return Err(Problem::coded(
            ProblemCode::CaseNotOpen,
            "this case is no longer open; report it anew",
        ));
    }
    let pressers = me_too_pressers(
        &edge::limits::client_address(ctx.request()),
        ctx.request().header("device-id").and_then(|h| h.as_str()),
    );
    let pressed = ctx.scope()?.add_me_too(case.id, &pressers, Utc::now())?;
    Ok(json(
        200,
        &json!({
            "tracking_code": case.tracking_code.as_str(),
            "me_too_count": pressed.count,
            "counted": pressed.counted,
        }),
    ))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InformationBody {
    text: String,
    #[serde(default)]
    attachment_ids: Vec<i64>,
}

/// More information from the reporter: a note on the case (for staff),
/// with more files if they have them.
pub fn add_information(ctx: &mut Ctx) -> HandlerResult {
    let case = reporters_case(ctx)?;
    let body: InformationBody = ctx.json_body()?;
    ctx.transaction(|ctx| {
        let uploader = attachments::uploader(ctx);
        let scope = ctx.scope()?;
        scope.add_note(
            case.id,
            "reporter",
            "reporter_information",
            &body.text,
            false,
            Utc::now(),
        )?;
        scope.attach(case.id, &body.attachment_ids, Purpose::Evidence, &uploader)?;
        Ok(())
    })?;
    Ok(json(
        200,
        &json!({ "tracking_code": case.tracking_code.as_str(), "added": true }),
    ))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EditBody {
    description: Option<String>,
    extra: Option<BTreeMap<String, Value>>,
}

/// The reporter corrects what they wrote, within the edit window and while
/// nobody has acted on the case yet.
pub fn edit_report(ctx: &mut Ctx) -> HandlerResult {
    let case = reporters_case(ctx)?;
    let body: EditBody = ctx.json_body()?;
    if case.editable_until.is_none_or(|until| Utc::now() > until) || case.version > 1 {
        return Err(Problem::coded(
            ProblemCode::NotEditable,
            "this report can no longer be edited: add information instead",
        ));
    }
    let extra = match body.extra {
        Some(extra) => {
            let code = domain::Code::parse(&case.category)?;
            let category = ctx
                .scope()?
                .category_by_code(&code)?
                .ok_or_else(|| Problem::conflict("the case's category no longer exists"))?;
            json!(domain::report::check_extra(&category.extra_fields, &extra)?)
        }
        None => case.extra.clone(),
    };
    let description = match body.description {
        Some(text) => domain::report::check_description(&text)?,
        None => case.description.clone(),
    };
    ctx.scope()?
        .edit_report(case.id, &description, &extra, Utc::now())?;
    Ok(json(
        200,
        &json!({ "tracking_code": case.tracking_code.as_str(), "edited": true }),
    ))
}

/// The reporter removes their name and contact from the case.
pub fn erase_contact(ctx: &mut Ctx) -> HandlerResult {
    let case = reporters_case(ctx)?;
    ctx.scope()?.erase_contact(case.id, Utc::now())?;
    Ok(json(
        200,
        &json!({ "tracking_code": case.tracking_code.as_str(), "erased": true }),
    ))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RatingBody {
    score: i64,
    comment: Option<String>,
    /// With a low score: send the case back to work (once per case).
    #[serde(default)]
    reopen: bool,
}

/// 满意度回访: the reporter rates the outcome of their closed case.
pub fn rate(ctx: &mut Ctx) -> HandlerResult {
    let case = reporters_case(ctx)?;
    let body: RatingBody = ctx.json_body()?;
    let calendar = ctx.work_calendar()?;
    let rated = ctx.scope()?.rate(
        case.id,
        body.score,
        body.comment.as_deref(),
        body.reopen,
        Utc::now(),
        &calendar,
    )?;
    Ok(json(
        200,
        &json!({
            "tracking_code": rated.tracking_code.as_str(),
            "rating": rated.rating,
            "state": rated.state,
        }),
    ))
}
