//! The query parameters every figure takes: `node` (a grid node id; its
//! subtree counts), `from` and `to` (the tenant's local dates, inclusive;
//! the last 30 days by default), `category` (code), `department` (id) and
//! `source` (reporting channel).

use chrono::{Duration, NaiveDate, Utc};
use domain::deadline::zone_offset;
use domain::{CaseSource, GridLevel, GridNodeId, Problem};
use edge::Ctx;
use store::StatsFilter;

/// The longest period one call may ask for.
const MAX_DAYS: i64 = 3 * 366;

fn date(ctx: &Ctx, name: &str) -> Result<Option<NaiveDate>, Problem> {
    ctx.query_value(name)
        .map(|v| {
            NaiveDate::parse_from_str(&v, "%Y-%m-%d")
                .map_err(|_| Problem::validation(name, format!("{name} is a date: YYYY-MM-DD")))
        })
        .transpose()
}

/// Today in the tenant's time zone.
pub fn today(ctx: &mut Ctx) -> Result<NaiveDate, Problem> {
    let zone = zone_offset(&ctx.tenant()?.time_zone)?;
    Ok(Utc::now().with_timezone(&zone).date_naive())
}

pub fn filter(ctx: &mut Ctx) -> Result<StatsFilter, Problem> {
    let to = match date(ctx, "to")? {
        Some(to) => to,
        None => today(ctx)?,
    };
    let from = date(ctx, "from")?.unwrap_or(to - Duration::days(29));
    // The two dates together: a rule the API document cannot state (422).
    if from > to {
        return Err(Problem::unprocessable("from", "from is on or before to"));
    }
    if (to - from).num_days() >= MAX_DAYS {
        return Err(Problem::unprocessable(
            "from",
            format!("a period is at most {MAX_DAYS} days"),
        ));
    }
    let source = ctx
        .query_value("source")
        .map(|s| CaseSource::parse(&s).map(|s| s.as_str().to_string()))
        .transpose()?;
    Ok(StatsFilter {
        node: ctx.query_i64("node")?.map(GridNodeId),
        from: Some(from),
        to: Some(to),
        category: ctx.query("category"),
        department: ctx.query_i64("department")?,
        source,
    })
}

/// The filter's node must be the tenant's (another tenant's id is unknown).
pub fn check_node(ctx: &mut Ctx, filter: &StatsFilter) -> Result<(), Problem> {
    if let Some(node) = filter.node
        && ctx.scope()?.grid_node(node)?.is_none()
    {
        return Err(Problem::unknown("node", "no such grid node"));
    }
    Ok(())
}

/// The filter's node is the tenant's and not below `level`: the grids of a
/// level are listed under a node at that level or above it (a grid's own
/// micro-grid holds no grid).
pub fn check_node_above(
    ctx: &mut Ctx,
    filter: &StatsFilter,
    level: GridLevel,
) -> Result<(), Problem> {
    let Some(node) = filter.node else {
        return Ok(());
    };
    match ctx.scope()?.grid_node(node)? {
        None => Err(Problem::unknown("node", "no such grid node")),
        Some(found) if found.level.number() > level.number() => Err(Problem::unprocessable(
            "node",
            format!("node is below the level counted ({})", level.as_str()),
        )),
        Some(_) => Ok(()),
    }
}
