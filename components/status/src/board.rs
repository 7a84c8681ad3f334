//! The public board: cases with their outcomes (filtered, cursor-paged),
//! the figures over 7, 30 and 365 days, and the grid-level map.

use chrono::{Duration, Utc};
use domain::publication::{FIGURE_WINDOWS, Figures, Outcome, PublicCase, public_answer};
use domain::{CaseId, Problem, TrackingCode};
use edge::{Ctx, HandlerResult};
use serde_json::{Value, json};
use store::BoardQuery;

use crate::cache::{Freshness, cached, cached_as};
use crate::wire;

/// The list changes with every case; figures and the map move slowly.
const LIST_FRESH_SECONDS: u32 = 60;
const FIGURES_FRESH_SECONDS: u32 = 300;

/// `GET …/board?category=&community=&status=&cursor=&limit=`.
pub fn list(ctx: &mut Ctx) -> HandlerResult {
    let tenant = ctx.tenant()?;
    let query = board_query(ctx)?;
    let limit = query.limit;
    let scope = ctx.scope()?;
    let entries = scope.board_page(&query)?;
    let categories = scope.list_categories()?;
    let now = Utc::now();
    let cases: Vec<Value> = entries
        .iter()
        .map(|entry| {
            let facts = entry.facts();
            let public = PublicCase::new(&facts, &[], &entry.attachment_facts(), now);
            let mut case = wire::public_case(&tenant, &public, &categories);
            // The board shows the outcome, not the whole history.
            if let Some(case) = case.as_object_mut() {
                case.remove("timeline");
            }
            case["answer"] = json!(entry.answer.as_deref().map(|a| public_answer(&facts, a)));
            case
        })
        .collect();
    let next_cursor = edge::next_page(&entries, limit, |e| {
        e.case.tracking_code.as_str().to_string()
    });
    Ok(cached(
        ctx,
        &json!({ "cases": cases, "next_cursor": next_cursor }),
        Freshness::Public {
            seconds: LIST_FRESH_SECONDS,
        },
    ))
}

/// The filters of the query string, each checked; the cursor is the last
/// tracking code of the previous page (ids stay internal).
fn board_query(ctx: &mut Ctx) -> Result<BoardQuery, Problem> {
    let limit = ctx.page_limit_of(domain::limits::BOARD_PAGE)?;
    let outcome = ctx
        .query_value("status")
        .map(|s| Outcome::parse(&s))
        .transpose()?;
    let category = ctx.query("category").filter(|c| !c.is_empty());
    let community = match ctx.query("community") {
        None => None,
        Some(code) => Some(community_by_code(ctx, &code)?),
    };
    let before = match ctx.query_value("cursor") {
        None => None,
        Some(cursor) => Some(cursor_case(ctx, &cursor)?),
    };
    Ok(BoardQuery {
        category,
        community,
        outcome,
        before,
        limit,
    })
}

/// A grid node of the tenant by its code (`community=`).
pub fn community_by_code(ctx: &mut Ctx, code: &str) -> Result<domain::GridNodeId, Problem> {
    ctx.scope()?
        .grid_node_by_code(code)?
        .map(|n| n.id)
        .ok_or_else(|| Problem::unknown("community", format!("no community has the code '{code}'")))
}

/// A cursor is a tracking code (400 when it is not one); one no case has
/// is 404.
fn cursor_case(ctx: &mut Ctx, cursor: &str) -> Result<CaseId, Problem> {
    let code = TrackingCode::parse(cursor)
        .map_err(|_| Problem::validation("cursor", "use the next_cursor of the previous page"))?;
    Ok(ctx
        .scope()?
        .case_by_tracking_code(&code)?
        .ok_or_else(|| {
            Problem::coded(
                domain::ProblemCode::UnknownTrackingCode,
                "no case has this tracking code",
            )
            .with_field("cursor")
        })?
        .id)
}

/// `GET …/board/figures`: received, resolved, closure rate (办结率), on-time
/// rate, average days to resolve and satisfaction, for 7, 30 and 365 days.
pub fn figures(ctx: &mut Ctx) -> HandlerResult {
    let now = Utc::now();
    let scope = ctx.scope()?;
    let windows = FIGURE_WINDOWS
        .iter()
        .map(|days| {
            let counts = scope.figure_counts(now - Duration::days(*days))?;
            Ok(wire::figures(*days, &Figures::from_counts(counts)))
        })
        .collect::<Result<Vec<_>, store::Error>>()?;
    Ok(cached(
        ctx,
        &json!({ "as_of": now.to_rfc3339(), "windows": windows }),
        Freshness::Public {
            seconds: FIGURES_FRESH_SECONDS,
        },
    ))
}

/// `GET …/board/map?days=`: open and resolved cases per grid as GeoJSON.
pub fn map(ctx: &mut Ctx) -> HandlerResult {
    let bounds = domain::limits::BOARD_MAP_DAYS;
    let days = match ctx.query_i64("days")? {
        None => 30,
        Some(d) if bounds.contains(d) => d,
        Some(_) => {
            return Err(Problem::validation(
                "days",
                format!("days must be {} to {}", bounds.min, bounds.max),
            ));
        }
    };
    let cells = ctx.scope()?.map_cells(Utc::now() - Duration::days(days))?;
    Ok(cached_as(
        ctx,
        &wire::map(&cells, days),
        Freshness::Public {
            seconds: FIGURES_FRESH_SECONDS,
        },
        "application/geo+json",
    ))
}
