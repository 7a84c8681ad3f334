//! Reading the audit logs: a tenant's, and the platform's own.

use edge::{Ctx, HandlerResult, json};

use crate::wire::{self, Page};

pub fn audit_log(ctx: &mut Ctx) -> HandlerResult {
    let after = ctx.query_i64("after")?;
    let limit = ctx.page_limit()?;
    let entries = ctx.scope()?.audit_log(after, limit)?;
    let last = entries.last().map(|e| e.id);
    let items = entries.iter().map(wire::audit_entry).collect();
    Ok(json(200, &Page::new(items, last, limit)))
}

pub fn platform_audit_log(ctx: &mut Ctx) -> HandlerResult {
    let after = ctx.query_i64("after")?;
    let limit = ctx.page_limit()?;
    let entries = store::platform::audit_log(ctx.db()?, after, limit)?;
    let last = entries.last().map(|e| e.id);
    let items = entries.iter().map(wire::audit_entry).collect();
    Ok(json(200, &Page::new(items, last, limit)))
}
