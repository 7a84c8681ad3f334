//! Notices (公告): published by a tenant admin, or a grid worker where they
//! are assigned (`domain::publication::may_publish_notice`); read by anyone,
//! by community.

use chrono::Utc;
use domain::publication::may_publish_notice;
use domain::{GridNodeId, Problem};
use edge::{Ctx, HandlerResult, json};
use serde::Deserialize;
use serde_json::Value;
use store::{NewNotice, Notice};

use crate::board::community_by_code;
use crate::cache::{Freshness, cached};
use crate::wire;

const FRESH_SECONDS: u32 = 60;

fn no_such_notice() -> Problem {
    Problem::not_found("no such notice")
}

/// A notice with the node it was published to.
fn render(ctx: &mut Ctx, notice: &Notice) -> Result<Value, Problem> {
    let tenant = ctx.tenant()?;
    let node = ctx.scope()?.grid_node(notice.grid_node)?;
    Ok(wire::notice(&tenant, notice, node.as_ref()))
}

/// `GET …/notices?community=&cursor=&limit=`: notices in force, newest first.
pub fn list(ctx: &mut Ctx) -> HandlerResult {
    let community = match ctx.query("community") {
        None => None,
        Some(code) => Some(community_by_code(ctx, &code)?),
    };
    let before = match ctx.query_value("cursor") {
        None => None,
        Some(c) => Some(c.parse::<i64>().map_err(|_| {
            Problem::validation("cursor", "use the next_cursor of the previous page")
        })?),
    };
    let limit = ctx.page_limit()?.min(store::scoped::MAX_NOTICE_PAGE);
    let notices = ctx.scope()?.current_notices(community, before, limit)?;
    let rendered = notices
        .iter()
        .map(|n| render(ctx, n))
        .collect::<Result<Vec<_>, _>>()?;
    let next_cursor = edge::next_page(&notices, limit, |n| n.id.to_string());
    Ok(cached(
        ctx,
        &serde_json::json!({ "notices": rendered, "next_cursor": next_cursor }),
        Freshness::Public {
            seconds: FRESH_SECONDS,
        },
    ))
}

/// `GET …/notices/:id`: one notice; a withdrawn one is 410.
pub fn get(ctx: &mut Ctx) -> HandlerResult {
    let id = ctx.id_param("id", "notice")?;
    let notice = ctx.scope()?.notice(id)?.ok_or_else(no_such_notice)?;
    if notice.withdrawn_at.is_some() {
        return Err(Problem::gone("this notice was withdrawn"));
    }
    let body = render(ctx, &notice)?;
    Ok(cached(
        ctx,
        &body,
        Freshness::Public {
            seconds: FRESH_SECONDS,
        },
    ))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PublishBody {
    grid_node_id: i64,
    title: String,
    body: String,
    #[serde(default)]
    attachment_ids: Vec<i64>,
}

/// The caller may publish to `node` (tenant admin anywhere; grid worker at
/// or below an assignment). An unknown node is refused by the store.
fn check_publisher(ctx: &mut Ctx, node: GridNodeId) -> Result<(), Problem> {
    let caller = ctx.caller()?.clone();
    let scope = ctx.scope()?;
    let path: Vec<GridNodeId> = scope.grid_path(node)?.iter().map(|n| n.id).collect();
    let assigned: Vec<GridNodeId> = scope
        .grid_assignments(caller.user.id)?
        .into_iter()
        .map(|(id, _)| GridNodeId(id))
        .collect();
    may_publish_notice(caller.user.role, &path, &assigned)
}

/// `POST …/notices`: publishes a notice with uploaded files.
pub fn publish(ctx: &mut Ctx) -> HandlerResult {
    let body: PublishBody = ctx.json_body()?;
    let node = GridNodeId(body.grid_node_id);
    check_publisher(ctx, node)?;
    let actor = ctx.caller()?.actor();
    let rendered = ctx.transaction(|ctx| {
        let notice = ctx.scope()?.publish_notice(
            NewNotice {
                grid_node: node,
                title: body.title,
                body: body.body,
                attachment_ids: body.attachment_ids,
                published_by: actor,
            },
            Utc::now(),
        )?;
        let rendered = render(ctx, &notice)?;
        ctx.audit("publish", "notice", notice.id, None, Some(rendered.clone()))?;
        Ok(rendered)
    })?;
    Ok(json(201, &rendered))
}

/// `DELETE …/notices/:id`: withdraws a notice (kept on record).
pub fn withdraw(ctx: &mut Ctx) -> HandlerResult {
    let id = ctx.id_param("id", "notice")?;
    let notice = ctx.scope()?.notice(id)?.ok_or_else(no_such_notice)?;
    check_publisher(ctx, notice.grid_node)?;
    let rendered = ctx.transaction(|ctx| {
        let withdrawn = ctx.scope()?.withdraw_notice(id, Utc::now())?;
        let rendered = render(ctx, &withdrawn)?;
        ctx.audit("withdraw", "notice", id, None, Some(rendered.clone()))?;
        Ok(rendered)
    })?;
    Ok(json(200, &rendered))
}
