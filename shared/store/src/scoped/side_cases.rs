//! What the kinds of case with side tables (disputes, agent matters) share:
//! the category a kind files under, created on first use, and documents
//! linked to the case but never shown to the public.

use super::TenantScope;
use super::cases::Case;
use super::catalogue::NewCategory;
use super::intake::Purpose;
use crate::db::{Database, Row, Rows, StoreError};
use crate::decoded;
use crate::error::Error;
use chrono::{DateTime, NaiveDate, Utc};
use domain::case_kind::CaseKind;
use domain::intake::Uploader;
use domain::{CaseId, Code, Problem};

impl<D: Database + ?Sized> TenantScope<'_, D> {
    /// The category code a kind files under, created with the kind's
    /// default deadlines the first time; the tenant admin may change those
    /// afterwards. A retired category means the tenant no longer takes the
    /// kind (409).
    pub(crate) fn category_for_kind(&self, kind: impl CaseKind) -> Result<String, Error> {
        let code = decoded("category", Code::parse(&kind.category_code()))?;
        match self.category_by_code(&code)? {
            Some(category) if category.retired => Err(Problem::conflict(format!(
                "this tenant no longer takes '{}' ({})",
                kind.name_en(),
                code.as_str()
            ))
            .into()),
            Some(_) => Ok(code.as_str().to_string()),
            None => {
                let (response_hours, resolution_hours) = kind.default_hours();
                self.create_category(NewCategory {
                    code: code.clone(),
                    name_zh: kind.name_zh().into(),
                    name_en: kind.name_en().into(),
                    default_department: None,
                    response_hours,
                    resolution_hours,
                    extra_fields: Vec::new(),
                    // A desk's matter (a question, a dispute) is not about a place.
                    place_required: false,
                })?;
                Ok(code.as_str().to_string())
            }
        }
    }

    /// Links files `by` uploaded to the case and hides them from the
    /// public: a dispute's or a resident's papers name people.
    pub(crate) fn attach_private(
        &self,
        case: CaseId,
        ids: &[i64],
        purpose: Purpose,
        by: &Uploader,
    ) -> Result<(), Error> {
        self.attach(case, ids, purpose, by)?;
        self.hide_attachments(ids)
    }

    pub(crate) fn hide_attachments(&self, ids: &[i64]) -> Result<(), Error> {
        for id in ids {
            self.set_attachment_public(*id, false)?;
        }
        Ok(())
    }

    /// Each row of a side table (keyed by `case_id`) built with its case.
    /// `what` names the kind of case for the error a missing case is (a
    /// broken foreign key: our fault, not the caller's).
    pub(crate) fn with_their_cases<T>(
        &self,
        rows: &Rows,
        what: &str,
        build: impl Fn(&Row<'_>, Case) -> Result<T, StoreError>,
    ) -> Result<Vec<T>, Error> {
        rows.iter()
            .map(|row| {
                let case = self
                    .case_by_id(CaseId(row.get_i64("case_id")?))?
                    .ok_or_else(|| StoreError::Sql(format!("{what} without its case")))?;
                Ok(build(&row, case)?)
            })
            .collect()
    }

    /// The tenant's local date of a moment (when a matter began, the month
    /// a dispute was taken in).
    pub fn local_date(&self, at: DateTime<Utc>) -> Result<NaiveDate, Error> {
        let offset = domain::deadline::zone_offset(&self.time_zone)?;
        Ok(at.with_timezone(&offset).date_naive())
    }
}

/// Sessions, documents, outcomes, tasks and dates are for a dispute or
/// matter still being handled: a closed, declined or archived one is a 409
/// (`what` names it, `hint` says what to do).
pub(crate) fn require_open(case: &Case, what: &str, hint: &str) -> Result<(), Error> {
    if case.state.is_open() {
        return Ok(());
    }
    Err(Problem::conflict(format!(
        "the {what} is {} ({}): {hint}",
        case.state,
        case.state.label_zh()
    ))
    .into())
}
