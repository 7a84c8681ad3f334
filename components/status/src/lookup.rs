//! `GET …/status/:code`: a case by its tracking code, as the public sees
//! it; with the reporter's secret (`Reporter-Secret`), their own parts too.

use chrono::Utc;
use domain::intake::reporter_secret_matches;
use domain::organisation::Code;
use domain::publication::{PublicCase, ReporterView};
use domain::{Problem, TrackingCode};
use edge::limits::{self, Limit};
use edge::{Ctx, HandlerResult};
use store::CaseRecord;

use crate::cache::{Freshness, cached};
use crate::wire;

/// Look-ups that find nothing are braked (`edge::limits::LOOKUP_MISSES`).
const MISSES: Limit = limits::LOOKUP_MISSES;

/// Public look-ups may be kept this long by caches.
const FRESH_SECONDS: u32 = 60;

/// The same 404 for a malformed code, an unknown one and one of another
/// tenant, so that look-ups reveal nothing.
fn no_such_case() -> Problem {
    Problem::not_found("no case has this tracking code")
}

pub fn look_up_case(ctx: &mut Ctx) -> HandlerResult {
    let tenant = ctx.tenant()?;
    limits::refuse_when_spent(ctx.request(), tenant.code.as_str(), MISSES)?;
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
        return Ok(cached(
            ctx,
            &body,
            Freshness::Public {
                seconds: FRESH_SECONDS,
            },
        ));
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
        _ => Err(Problem::forbidden(
            "this secret does not belong to this case",
        )),
    }
}
