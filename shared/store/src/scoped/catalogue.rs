//! The service catalogue: categories of case, their default department and
//! deadlines, and the extra fields a report of each must carry.

use super::TenantScope;
use crate::db::{Database, Row, StoreError};
use crate::decoded;
use crate::error::{Error, unique_to_conflict};
use domain::limits;
use domain::{Code, ExtraField, Problem};

#[derive(Debug, Clone, PartialEq)]
pub struct Category {
    pub id: i64,
    pub code: Code,
    pub name_zh: String,
    pub name_en: String,
    pub default_department_id: Option<i64>,
    /// Working hours to first response and to resolution.
    pub response_hours: u32,
    pub resolution_hours: u32,
    pub extra_fields: Vec<ExtraField>,
    pub retired: bool,
    /// Whether its reports must say where the problem is.
    pub place_required: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct NewCategory {
    pub code: Code,
    pub name_zh: String,
    pub name_en: String,
    pub default_department: Option<i64>,
    pub response_hours: u32,
    pub resolution_hours: u32,
    pub extra_fields: Vec<ExtraField>,
    pub place_required: bool,
}

/// `None` leaves a field as it is; `Some(None)` clears the department.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CategoryChanges {
    pub name_zh: Option<String>,
    pub name_en: Option<String>,
    pub default_department: Option<Option<i64>>,
    pub response_hours: Option<u32>,
    pub resolution_hours: Option<u32>,
    pub extra_fields: Option<Vec<ExtraField>>,
    pub retired: Option<bool>,
    pub place_required: Option<bool>,
}

const CATEGORY_COLUMNS: &str = "id, code, name_zh, name_en, default_department_id, \
    response_hours, resolution_hours, extra_fields, retired, place_required";

fn category_from_row(row: &Row<'_>) -> Result<Category, StoreError> {
    let hours = |column: &str| -> Result<u32, StoreError> {
        u32::try_from(row.get_i64(column)?).map_err(|_| StoreError::Decode {
            column: column.to_owned(),
            expected: "a positive number of hours",
        })
    };
    Ok(Category {
        id: row.get_i64("id")?,
        code: decoded("code", Code::parse(row.get_str("code")?))?,
        name_zh: row.get_string("name_zh")?,
        name_en: row.get_string("name_en")?,
        default_department_id: row.get_opt_i64("default_department_id")?,
        response_hours: hours("response_hours")?,
        resolution_hours: hours("resolution_hours")?,
        extra_fields: serde_json::from_str(row.get_str("extra_fields")?).map_err(|_| {
            StoreError::Decode {
                column: "extra_fields".into(),
                expected: "a JSON list of extra fields",
            }
        })?,
        retired: row.get_bool("retired")?,
        place_required: row.get_bool("place_required")?,
    })
}

impl<D: Database + ?Sized> TenantScope<'_, D> {
    pub fn create_category(&self, new: NewCategory) -> Result<Category, Error> {
        self.check_category(
            &new.name_zh,
            &new.name_en,
            new.default_department,
            new.response_hours,
            new.resolution_hours,
            &new.extra_fields,
        )?;
        let code = new.code.as_str().to_string();
        let rows = self
            .db
            .execute(
                &format!(
                    "INSERT INTO categories (tenant_id, code, name_zh, name_en, \
                     default_department_id, response_hours, resolution_hours, extra_fields, \
                     place_required) \
                     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING {CATEGORY_COLUMNS}"
                ),
                &[
                    self.tenant.0.into(),
                    code.as_str().into(),
                    new.name_zh.trim().into(),
                    new.name_en.trim().into(),
                    new.default_department.into(),
                    new.response_hours.into(),
                    new.resolution_hours.into(),
                    extra_fields_json(&new.extra_fields)?.into(),
                    new.place_required.into(),
                ],
            )
            .map_err(|e| unique_to_conflict(e, || format!("category '{code}' exists")))?;
        Ok(category_from_row(&rows.returned()?)?)
    }

    pub fn list_categories(&self) -> Result<Vec<Category>, Error> {
        let rows = self.db.execute(
            &format!("SELECT {CATEGORY_COLUMNS} FROM categories WHERE tenant_id = ? ORDER BY code"),
            &[self.tenant.0.into()],
        )?;
        Ok(rows
            .iter()
            .map(|r| category_from_row(&r))
            .collect::<Result<_, _>>()?)
    }

    pub fn category(&self, id: i64) -> Result<Option<Category>, Error> {
        let rows = self.db.execute(
            &format!("SELECT {CATEGORY_COLUMNS} FROM categories WHERE tenant_id = ? AND id = ?"),
            &[self.tenant.0.into(), id.into()],
        )?;
        Ok(rows.first().map(|r| category_from_row(&r)).transpose()?)
    }

    pub fn category_by_code(&self, code: &Code) -> Result<Option<Category>, Error> {
        let rows = self.db.execute(
            &format!("SELECT {CATEGORY_COLUMNS} FROM categories WHERE tenant_id = ? AND code = ?"),
            &[self.tenant.0.into(), code.as_str().into()],
        )?;
        Ok(rows.first().map(|r| category_from_row(&r)).transpose()?)
    }

    pub fn update_category(&self, id: i64, changes: CategoryChanges) -> Result<Category, Error> {
        let current = self
            .category(id)?
            .ok_or_else(|| Error::NotFound("no such category".into()))?;
        let next = Category {
            name_zh: changes.name_zh.unwrap_or(current.name_zh),
            name_en: changes.name_en.unwrap_or(current.name_en),
            default_department_id: changes
                .default_department
                .unwrap_or(current.default_department_id),
            response_hours: changes.response_hours.unwrap_or(current.response_hours),
            resolution_hours: changes.resolution_hours.unwrap_or(current.resolution_hours),
            extra_fields: changes.extra_fields.unwrap_or(current.extra_fields),
            retired: changes.retired.unwrap_or(current.retired),
            place_required: changes.place_required.unwrap_or(current.place_required),
            ..current
        };
        self.check_category(
            &next.name_zh,
            &next.name_en,
            next.default_department_id,
            next.response_hours,
            next.resolution_hours,
            &next.extra_fields,
        )?;
        let rows = self.db.execute(
            &format!(
                "UPDATE categories SET name_zh = ?, name_en = ?, default_department_id = ?, \
                 response_hours = ?, resolution_hours = ?, extra_fields = ?, retired = ?, \
                 place_required = ? WHERE tenant_id = ? AND id = ? RETURNING {CATEGORY_COLUMNS}"
            ),
            &[
                next.name_zh.trim().into(),
                next.name_en.trim().into(),
                next.default_department_id.into(),
                next.response_hours.into(),
                next.resolution_hours.into(),
                extra_fields_json(&next.extra_fields)?.into(),
                next.retired.into(),
                next.place_required.into(),
                self.tenant.0.into(),
                id.into(),
            ],
        )?;
        Ok(category_from_row(&rows.returned()?)?)
    }

    fn check_category(
        &self,
        name_zh: &str,
        name_en: &str,
        department: Option<i64>,
        response_hours: u32,
        resolution_hours: u32,
        extra_fields: &[ExtraField],
    ) -> Result<(), Error> {
        limits::CATEGORY_NAME_ZH.check(name_zh)?;
        limits::CATEGORY_NAME_EN.check(name_en)?;
        if response_hours < limits::MIN_DEADLINE_HOURS
            || resolution_hours < limits::MIN_DEADLINE_HOURS
        {
            return Err(
                Problem::validation("response_hours", "deadlines are at least one hour").into(),
            );
        }
        if resolution_hours < response_hours {
            return Err(Problem::unprocessable(
                "resolution_hours",
                "the resolution deadline cannot come before the response deadline",
            )
            .into());
        }
        domain::organisation::check_extra_fields(extra_fields)?;
        if let Some(d) = department
            && !self.exists("departments", d)?
        {
            return Err(Problem::unknown("default_department_id", "no such department").into());
        }
        Ok(())
    }
}

fn extra_fields_json(fields: &[ExtraField]) -> Result<String, Error> {
    serde_json::to_string(fields)
        .map_err(|e| StoreError::Sql(format!("cannot encode extra fields: {e}")).into())
}
