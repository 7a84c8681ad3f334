//! Reading the audit logs: a tenant's, and the platform's own.

use edge::people::People;
use edge::{Ctx, HandlerResult, json};

use crate::wire::{self, Page};

/// A tenant's log, newest first, each entry naming who acted (the log keeps
/// their account string; `actor_name`, `actor_department` say it in words).
pub fn audit_log(ctx: &mut Ctx) -> HandlerResult {
    let after = ctx.query_i64("after")?;
    let limit = ctx.page_limit()?;
    let scope = ctx.scope()?;
    let entries = scope.audit_log(after, limit)?;
    let people = People::of(&scope, entries.iter().map(|e| e.actor.as_str()))?;
    let page = Page::of(
        &entries,
        limit,
        |e| e.id,
        |e| {
            let mut item = wire::audit_entry(e);
            people.name_into(&mut item, &e.actor);
            item
        },
    );
    Ok(json(200, &page))
}

pub fn platform_audit_log(ctx: &mut Ctx) -> HandlerResult {
    let after = ctx.query_i64("after")?;
    let limit = ctx.page_limit()?;
    let entries = store::platform::audit_log(ctx.db()?, after, limit)?;
    Ok(json(
        200,
        &Page::of(&entries, limit, |e| e.id, wire::audit_entry),
    ))
}
