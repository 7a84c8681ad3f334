//! The service catalogue: categories of case. Anyone may read it (the
//! resident portal's category picker); the tenant admin maintains it.

use domain::{Code, ExtraField};
use edge::{Ctx, HandlerResult, json};
use serde::Deserialize;
use serde_json::json;

use crate::wire;

pub fn list_categories(ctx: &mut Ctx) -> HandlerResult {
    let categories = ctx.scope()?.list_categories()?;
    let items: Vec<_> = categories.iter().map(wire::category).collect();
    Ok(json(200, &json!({ "items": items })))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewCategoryBody {
    code: String,
    name_zh: String,
    name_en: String,
    default_department_id: Option<i64>,
    response_hours: u32,
    resolution_hours: u32,
    #[serde(default)]
    extra_fields: Vec<ExtraField>,
    /// Whether its reports must say where the problem is: yes unless
    /// said otherwise (most categories are about a place).
    #[serde(default = "needs_a_place")]
    place_required: bool,
}

fn needs_a_place() -> bool {
    true
}

pub fn create_category(ctx: &mut Ctx) -> HandlerResult {
    let body: NewCategoryBody = ctx.json_body()?;
    let new = store::NewCategory {
        code: Code::parse(&body.code)?,
        name_zh: body.name_zh,
        name_en: body.name_en,
        default_department: body.default_department_id,
        response_hours: body.response_hours,
        resolution_hours: body.resolution_hours,
        extra_fields: body.extra_fields,
        place_required: body.place_required,
    };
    let created = ctx.transaction(|ctx| {
        let category = ctx.scope()?.create_category(new)?;
        let after = wire::category(&category);
        ctx.audit("create", "category", category.id, None, Some(after.clone()))?;
        Ok(after)
    })?;
    Ok(json(201, &created))
}

/// Absent fields stay as they are; `"default_department_id": null` clears it.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CategoryChangesBody {
    name_zh: Option<String>,
    name_en: Option<String>,
    #[serde(default, deserialize_with = "edge::nullable")]
    default_department_id: Option<Option<i64>>,
    response_hours: Option<u32>,
    resolution_hours: Option<u32>,
    extra_fields: Option<Vec<ExtraField>>,
    retired: Option<bool>,
    place_required: Option<bool>,
}

pub fn update_category(ctx: &mut Ctx) -> HandlerResult {
    let id = ctx.id_param("id", "category")?;
    let body: CategoryChangesBody = ctx.json_body()?;
    let changes = store::CategoryChanges {
        name_zh: body.name_zh,
        name_en: body.name_en,
        default_department: body.default_department_id,
        response_hours: body.response_hours,
        resolution_hours: body.resolution_hours,
        extra_fields: body.extra_fields,
        retired: body.retired,
        place_required: body.place_required,
    };
    let updated = ctx.transaction(|ctx| {
        let scope = ctx.scope()?;
        let before = scope
            .category(id)?
            .ok_or_else(|| domain::Problem::not_found("no such category"))?;
        let after = scope.update_category(id, changes)?;
        let (before, after) = (wire::category(&before), wire::category(&after));
        ctx.audit("update", "category", id, Some(before), Some(after.clone()))?;
        Ok(after)
    })?;
    Ok(json(200, &updated))
}
