//! The policy Q&A: a department's answer to a policy inquiry, anonymised
//! and published; searched by anyone, and offered to an enterprise before
//! it asks a question that was answered before.

use chrono::Utc;
use domain::acting::{self, Unit};
use domain::enterprise::{InquiryParties, RequestKind, anonymise};
use domain::{CaseId, Problem, Role};
use edge::{Ctx, HandlerResult, json};
use serde::Deserialize;
use serde_json::json;
use store::{EnterpriseRequest, NewPolicyAnswer, PolicyAnswer};

use crate::wire;

/// How many answers a search or a suggestion shows at most.
const MAX_SHOWN: u32 = 50;
const SUGGESTIONS: u32 = 5;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AnswerBody {
    /// The inquiry answered; without it, a question and answer written
    /// for the Q&A directly.
    case_id: Option<i64>,
    /// Default: the inquiry as the enterprise wrote it.
    question: Option<String>,
    /// Default: the answer the department resolved the inquiry with.
    answer: Option<String>,
    /// The enterprise that asked, for an answer written without `case_id`
    /// (a question taken by phone or at the counter): it is masked like an
    /// inquiry's.
    enterprise_id: Option<i64>,
    /// The policies the answer rests on.
    #[serde(default)]
    policies: Vec<i64>,
}

/// `POST …/enterprise/qa`: publishes an answer, anonymised whoever wrote
/// the text: the enterprise's name and credit code, its people's names and
/// phones (the inquiry's enterprise, or the one named by `enterprise_id`),
/// and every long number or e-mail address are masked.
pub fn publish(ctx: &mut Ctx) -> HandlerResult {
    let body: AnswerBody = ctx.json_body()?;
    let caller = ctx.caller()?.user.clone();
    let actor = ctx.caller()?.actor();
    let inquiry = match body.case_id {
        Some(id) => Some(answered_inquiry(
            ctx,
            CaseId(id),
            caller.role,
            caller.department,
        )?),
        None => None,
    };
    let parties = parties(ctx, inquiry.as_ref(), body.enterprise_id)?;
    let question = body
        .question
        .or_else(|| inquiry.as_ref().map(|i| i.request.case.description.clone()))
        .ok_or_else(|| {
            Problem::unprocessable("question", "question is required without case_id")
        })?;
    let answer = body
        .answer
        .or_else(|| inquiry.as_ref().and_then(|i| i.resolution.clone()))
        .ok_or_else(|| Problem::unprocessable("answer", "answer is required"))?;
    let new = NewPolicyAnswer {
        case: inquiry.as_ref().map(|i| i.request.case.id),
        question: anonymise(&question, &parties),
        answer: anonymise(&answer, &parties),
        department: inquiry
            .as_ref()
            .and_then(|i| i.request.case.department)
            .or(caller.department),
        policies: body.policies,
    };
    let published = ctx.transaction(|ctx| {
        let published = ctx.scope()?.publish_answer(new, &actor, Utc::now())?;
        ctx.audit(
            "publish",
            "policy_answer",
            published.id,
            None,
            Some(wire::answer(&published)),
        )?;
        Ok(published)
    })?;
    Ok(json(201, &wire::answer(&published)))
}

/// Who the answer must not name: the inquiry's enterprise, or the one
/// staff name for an answer they write directly (an unknown one, or
/// another than the inquiry's, is a 400 naming `enterprise_id`). Without
/// either, `anonymise` hides only what it hides in every published text.
fn parties(
    ctx: &mut Ctx,
    inquiry: Option<&AnsweredInquiry>,
    enterprise: Option<i64>,
) -> Result<InquiryParties, Problem> {
    match (inquiry, enterprise) {
        (Some(inquiry), Some(named)) if inquiry.request.enterprise_id != named => {
            Err(Problem::unprocessable(
                "enterprise_id",
                "the inquiry was asked by another enterprise: leave enterprise_id out with case_id",
            ))
        }
        (Some(inquiry), _) => Ok(ctx.scope()?.inquiry_parties(inquiry.request.case.id)?),
        (None, Some(id)) => ctx
            .scope()?
            .enterprise_parties(id)?
            .ok_or_else(|| Problem::unknown("enterprise_id", "no such enterprise")),
        (None, None) => Ok(InquiryParties::default()),
    }
}

/// A policy inquiry that has been answered, with the answer it was
/// resolved with.
struct AnsweredInquiry {
    request: EnterpriseRequest,
    resolution: Option<String>,
}

/// The inquiry `case`, if the caller may publish its answer: department
/// staff only for inquiries their department holds.
fn answered_inquiry(
    ctx: &mut Ctx,
    case: CaseId,
    role: Role,
    department: Option<i64>,
) -> Result<AnsweredInquiry, Problem> {
    let request = ctx
        .scope()?
        .enterprise_request(case)?
        .ok_or_else(|| Problem::unknown("case_id", "no such enterprise request"))?;
    if request.kind != RequestKind::PolicyInquiry {
        return Err(Problem::unprocessable(
            "case_id",
            "only answers to policy inquiries go to the policy Q&A",
        ));
    }
    if !acting::may_act_on(Unit::Department, role, department, request.case.department) {
        return Err(Problem::forbidden(
            "department staff publish answers to their own department's inquiries only",
        ));
    }
    if request.case.resolved_at.is_none() {
        return Err(Problem::conflict(
            "the inquiry is not answered yet: resolve it first",
        ));
    }
    let resolution = ctx
        .scope()?
        .case_events(case)?
        .into_iter()
        .rev()
        .find(|e| e.action == "resolve")
        .and_then(|e| e.note);
    Ok(AnsweredInquiry {
        request,
        resolution,
    })
}

/// `GET …/enterprise/qa?q=`: answers containing every term typed, best
/// first; the newest without `q`. Never fails on what is typed.
pub fn search(ctx: &mut Ctx) -> HandlerResult {
    let typed = ctx.query("q").unwrap_or_default();
    let limit = ctx.page_limit()?.min(MAX_SHOWN);
    let found = ctx.scope()?.search_answers(&typed, limit)?;
    Ok(listed(&found))
}

/// `GET …/enterprise/similar-answers?question=`: the published answers
/// closest to a question about to be asked.
pub fn suggest(ctx: &mut Ctx) -> HandlerResult {
    let question = ctx.query("question").unwrap_or_default();
    let found = ctx.scope()?.similar_answers(&question, SUGGESTIONS)?;
    Ok(listed(&found))
}

fn listed(found: &[PolicyAnswer]) -> edge::Response {
    let items: Vec<_> = found.iter().map(wire::answer).collect();
    json(200, &json!({ "answers": items }))
}

/// `GET …/enterprise/qa/:answer`.
pub fn get(ctx: &mut Ctx) -> HandlerResult {
    let id = ctx.id_param("id", "answer")?;
    let answer = ctx
        .scope()?
        .policy_answer(id)?
        .ok_or_else(|| Problem::not_found("no such answer"))?;
    Ok(json(200, &wire::answer(&answer)))
}

/// `DELETE …/enterprise/qa/:answer`: takes an answer out of the Q&A.
pub fn withdraw(ctx: &mut Ctx) -> HandlerResult {
    let id = ctx.id_param("id", "answer")?;
    let before = ctx
        .scope()?
        .policy_answer(id)?
        .ok_or_else(|| Problem::not_found("no such answer"))?;
    ctx.transaction(|ctx| {
        ctx.scope()?.withdraw_answer(id, Utc::now())?;
        ctx.audit(
            "withdraw",
            "policy_answer",
            id,
            Some(wire::answer(&before)),
            None,
        )
    })?;
    Ok(edge::respond::empty(204, &[]))
}
