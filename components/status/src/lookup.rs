//! `GET …/status/:code`: a case by its tracking code, as the public sees
//! it; with the reporter's secret (`Reporter-Secret`), their own parts too.

use chrono::Utc;
use domain::intake::reporter_secret_matches;
use domain::organisation::Code;
use domain::publication::{PublicCase, ReporterView};
use domain::{Problem, TenantCode, TrackingCode};
use edge::limits::{self, Limit};
use edge::{Ctx, HandlerResult, Response, snapshots};
use store::CaseRecord;

use crate::cache::{Freshness, cached, cached_bytes};
use crate::wire;

/// Look-ups that find nothing are braked (`edge::limits::LOOKUP_MISSES`).
const MISSES: Limit = limits::LOOKUP_MISSES;

/// Public look-ups may be kept by caches as long as the key-value store
/// keeps them.
const PUBLIC: Freshness = Freshness::Public {
    seconds: snapshots::MAX_AGE_SECONDS as u32,
};

/// The same 404 for a malformed code, an unknown one and one of another
/// tenant, so that look-ups reveal nothing.
fn no_such_case() -> Problem {
    Problem::coded(
        domain::ProblemCode::UnknownTrackingCode,
        "no case has this tracking code",
    )
}

/// The public answer (no reporter's secret) as kept in the key-value
/// store by an earlier look-up, before the route reads the tenant: no
/// database at all (`edge::snapshots` says why it is never stale).
pub fn kept_answer(ctx: &mut Ctx) -> Option<Response> {
    if ctx.request().header("reporter-secret").is_some() {
        return None;
    }
    let tenant = TenantCode::parse(ctx.param("tenant").ok()?).ok()?;
    if let Err(spent) = limits::refuse_when_spent(ctx.request(), tenant.as_str(), MISSES) {
        return Some(edge::problem_response(&spent));
    }
    let code = TrackingCode::parse(ctx.param("code").ok()?).ok()?;
    let body = snapshots::fresh(tenant.as_str(), code.as_str())?;
    Some(cached_bytes(
        ctx,
        body.into_bytes(),
        PUBLIC,
        "application/json",
    ))
}

pub fn look_up_case(ctx: &mut Ctx) -> HandlerResult {
    let tenant = ctx.tenant()?;
    limits::refuse_when_spent(ctx.request(), tenant.code.as_str(), MISSES)?;
    // Read before the case: a write after this read leaves what is kept behind.
    let mark = snapshots::mark(tenant.code.as_str());
    let record = TrackingCode::parse(ctx.param("code")?)
        .ok()
        .map(|code| ctx.scope()?.case_record(&code).map_err(Problem::from))
        .transpose()?
        .flatten();
    let Some(record) = record else {
        limits::count(ctx.request(), tenant.code.as_str(), MISSES)?;
        return Err(no_such_case());
    };
    let secret = ctx
        .request()
        .header("reporter-secret")
        .and_then(|h| h.as_str())
        .map(str::to_string);
    // The case's own category (names in both languages), not the catalogue.
    let category = Code::parse(&record.case.category)
        .ok()
        .map(|code| ctx.scope()?.category_by_code(&code).map_err(Problem::from))
        .transpose()?
        .flatten();
    let facts = record.facts();
    let public = PublicCase::new(
        &facts,
        &record.event_facts(),
        &record.attachment_facts(),
        Utc::now(),
    );
    let mut body = wire::public_case(&tenant, &public, category.as_slice());
    let Some(secret) = secret else {
        if let Some(mark) = mark {
            let code = record.case.tracking_code.as_str();
            snapshots::keep(tenant.code.as_str(), code, &mark, &body.to_string());
        }
        return Ok(cached(ctx, &body, PUBLIC));
    };
    require_reporter(&record, &secret)?;
    let view = ReporterView::new(&facts, &record.attachment_facts());
    body["reporter"] = wire::reporter(&tenant, &public.tracking_code, &view);
    Ok(cached(ctx, &body, Freshness::Private))
}

/// The secret must be the case's; a wrong one is 403, as the reporting
/// component answers it.
fn require_reporter(record: &CaseRecord, secret: &str) -> Result<(), Problem> {
    match &record.case.reporter_secret_hash {
        Some(stored) if reporter_secret_matches(secret, stored) => Ok(()),
        _ => Err(Problem::coded(
            domain::ProblemCode::WrongReporterSecret,
            "this secret does not belong to this case",
        )),
    }
}
