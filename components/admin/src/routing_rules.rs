//! Routing rules: which department a new case goes to, by category and
//! optionally by grid subtree; the first matching rule, in the order the
//! tenant admin sets, wins; no match sends the case to triage.

use domain::GridNodeId;
use edge::{Ctx, HandlerResult, json};
use serde::Deserialize;
use serde_json::{Value, json};
use store::RoutingRule;

fn wire(rules: &[RoutingRule]) -> Value {
    json!({
        "rules": rules
            .iter()
            .map(|r| json!({
                "category": r.category,
                "grid_node_id": r.grid_node.map(|g| g.0),
                "department_id": r.department,
            }))
            .collect::<Vec<_>>()
    })
}

pub fn get_routing_rules(ctx: &mut Ctx) -> HandlerResult {
    let rules = ctx.scope()?.routing_rules()?;
    Ok(json(200, &wire(&rules)))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RulesBody {
    rules: Vec<RuleBody>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleBody {
    category: String,
    grid_node_id: Option<i64>,
    department_id: i64,
}

/// Replaces the rules, in the order given.
pub fn set_routing_rules(ctx: &mut Ctx) -> HandlerResult {
    let body: RulesBody = ctx.json_body()?;
    let rules: Vec<RoutingRule> = body
        .rules
        .into_iter()
        .map(|r| RoutingRule {
            category: r.category,
            grid_node: r.grid_node_id.map(GridNodeId),
            department: r.department_id,
        })
        .collect();
    let after = wire(&rules);
    ctx.transaction(|ctx| {
        let before = wire(&ctx.scope()?.routing_rules()?);
        ctx.scope()?.set_routing_rules(&rules)?;
        ctx.audit(
            "set_routing_rules",
            "routing_rules",
            "all",
            Some(before),
            Some(after.clone()),
        )
    })?;
    Ok(json(200, &after))
}
