//! The smart triage model's rows (`domain::triage`, `docs/triage.md`): two
//! models per tenant, `category` (the category a case ended in) and
//! `department` (the department holding it, by id), kept as the counts the
//! domain's `Model` is made of and updated in the transaction of each staff
//! step that decides where a case belongs.

use chrono::{DateTime, Utc};
use domain::triage::{self, Features, LabelCounts, Model, Settings, Suggestion};
use serde_json::json;

use super::TenantScope;
use super::cases::Case;
use crate::db::{Database, Row, StoreError, Value};
use crate::error::Error;
use crate::time::to_text;

/// What the triage's own dispatches came to: the dashboard's figures.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TriageCounts {
    /// New reports the triage dispatched on intake.
    pub auto_dispatched: i64,
    /// Those the command centre sent back to triage.
    pub undone: i64,
}

const CATEGORY: &str = "category";
const DEPARTMENT: &str = "department";

/// The `triage_labels` row of no label (no category or department has an
/// empty code or id) keeps, in `grams`, how many distinct grams the model
/// holds: a suggestion reads it instead of counting them.
const VOCABULARY: &str = "";

/// Adds `sign` (1 or -1) times the number of the text's grams (a JSON
/// array) the model holds no row for to its count of distinct grams: run
/// before learning (the grams about to be new) and after unlearning (those
/// just gone).
const COUNT_ABSENT_GRAMS: &str = "INSERT INTO triage_labels (tenant_id, model, label, cases, grams) \
     SELECT ?1, ?2, '', 0, ?3 * count(*) FROM json_each(?4) WHERE NOT EXISTS (\
     SELECT 1 FROM triage_grams g WHERE g.tenant_id = ?1 AND g.model = ?2 \
     AND g.gram = json_extract(value, '$[0]')) \
     ON CONFLICT (tenant_id, model, label) DO UPDATE SET grams = grams + excluded.grams";

/// What the models suggest for a text, best first.
#[derive(Debug, Clone, PartialEq)]
pub struct TriageSuggestions {
    /// Labels are category codes.
    pub category: Vec<Suggestion>,
    /// Labels are department ids, as text.
    pub department: Vec<Suggestion>,
}

impl<D: Database + ?Sized> TenantScope<'_, D> {
    /// After a staff step that decides where a case belongs (a dispatch, a
    /// transfer, a re-categorisation; inside its transaction): the case
    /// counts, in both models, for the category and the department it now
    /// has, moved from those it counted for before (each model unlearns
    /// exactly what it learned). A case no department holds yet (still in
    /// triage) is not counted.
    pub(crate) fn triage_decided(&self, case: &Case) -> Result<(), Error> {
        let Some(department) = case.department else {
            return Ok(());
        };
        let department = department.to_string();
        let learned = self.db.execute(
            "SELECT category, department FROM triage_learned WHERE tenant_id = ? AND case_id = ?",
            &[self.tenant.0.into(), case.id.0.into()],
        )?;
        let features = Features::of(&case.description);
        let before = match learned.first() {
            Some(row) => Some((row.get_string("category")?, row.get_string("department")?)),
            None => None,
        };
        for (model, now, was) in [
            (CATEGORY, &case.category, before.as_ref().map(|b| &b.0)),
            (DEPARTMENT, &department, before.as_ref().map(|b| &b.1)),
        ] {
            if was == Some(now) {
                continue;
            }
            if let Some(was) = was {
                self.triage_count(&features, model, was, -1)?;
            }
            self.triage_count(&features, model, now, 1)?;
        }
        if before.as_ref() != Some(&(case.category.clone(), department.clone())) {
            self.db.execute(
                "INSERT INTO triage_learned (tenant_id, case_id, category, department) \
                 VALUES (?, ?, ?, ?) ON CONFLICT (tenant_id, case_id) DO UPDATE SET \
                 category = excluded.category, department = excluded.department",
                &[
                    self.tenant.0.into(),
                    case.id.0.into(),
                    case.category.clone().into(),
                    department.into(),
                ],
            )?;
        }
        Ok(())
    }

    /// Forgets a case (an undone dispatch of the triage's, back to
    /// triage): each model unlearns exactly what it counted the case for,
    /// so the wrong department no longer speaks for such reports; staff's
    /// next dispatch teaches the case anew. Nothing when it counted for
    /// nothing.
    pub(crate) fn triage_forget(&self, case: &Case) -> Result<(), Error> {
        let learned = self.db.execute(
            "SELECT category, department FROM triage_learned WHERE tenant_id = ? AND case_id = ?",
            &[self.tenant.0.into(), case.id.0.into()],
        )?;
        let Some(row) = learned.first() else {
            return Ok(());
        };
        let features = Features::of(&case.description);
        self.triage_count(&features, CATEGORY, &row.get_string("category")?, -1)?;
        self.triage_count(&features, DEPARTMENT, &row.get_string("department")?, -1)?;
        self.db.execute(
            "DELETE FROM triage_learned WHERE tenant_id = ? AND case_id = ?",
            &[self.tenant.0.into(), case.id.0.into()],
        )?;
        Ok(())
    }

    /// Marks a case the triage dispatched on intake as not yet confirmed by
    /// anyone (one statement, in the intake's transaction).
    pub(crate) fn triage_unconfirmed(&self, case: &Case) -> Result<(), Error> {
        self.db.execute(
            "INSERT INTO triage_unconfirmed (tenant_id, case_id) VALUES (?, ?)",
            &[self.tenant.0.into(), case.id.0.into()],
        )?;
        Ok(())
    }

    /// Takes away a case's unconfirmed mark: whether it had one (the
    /// triage's dispatch, now confirmed by a sign-for or dropped by an
    /// undo). One statement.
    pub(crate) fn triage_confirmed(&self, case: &Case) -> Result<bool, Error> {
        let rows = self.db.execute(
            "DELETE FROM triage_unconfirmed WHERE tenant_id = ? AND case_id = ? RETURNING case_id",
            &[self.tenant.0.into(), case.id.0.into()],
        )?;
        Ok(rows.first().is_some())
    }

    /// The tenant's automatic dispatch setting (the default when its admin
    /// never set one).
    pub fn triage_settings(&self) -> Result<Settings, Error> {
        let rows = self.db.execute(
            "SELECT auto_dispatch, threshold FROM triage_settings WHERE tenant_id = ?",
            &[self.tenant.0.into()],
        )?;
        Ok(match rows.first() {
            None => Settings::default(),
            Some(row) => Settings {
                auto_dispatch: row.get_i64("auto_dispatch")? == 1,
                threshold: row.get_f64("threshold")?,
            },
        })
    }

    /// Sets the tenant's automatic dispatch (its threshold checked).
    pub fn set_triage_settings(
        &self,
        settings: &Settings,
        now: DateTime<Utc>,
    ) -> Result<(), Error> {
        settings.check()?;
        self.db.execute(
            "INSERT INTO triage_settings (tenant_id, auto_dispatch, threshold, updated_at) \
             VALUES (?, ?, ?, ?) ON CONFLICT (tenant_id) DO UPDATE SET \
             auto_dispatch = excluded.auto_dispatch, threshold = excluded.threshold, \
             updated_at = excluded.updated_at",
            &[
                self.tenant.0.into(),
                i64::from(settings.auto_dispatch).into(),
                settings.threshold.into(),
                to_text(now).into(),
            ],
        )?;
        Ok(())
    }

    /// The triage's dispatches so far: made on intake, and undone by the
    /// command centre.
    pub fn triage_counts(&self) -> Result<TriageCounts, Error> {
        let rows = self.db.execute(
            "SELECT auto_dispatched, undone FROM triage_counts WHERE tenant_id = ?",
            &[self.tenant.0.into()],
        )?;
        Ok(match rows.first() {
            None => TriageCounts::default(),
            Some(row) => TriageCounts {
                auto_dispatched: row.get_i64("auto_dispatched")?,
                undone: row.get_i64("undone")?,
            },
        })
    }

    /// How many decided cases each model holds (category, department): one
    /// read of the label rows.
    pub fn triage_learned_cases(&self) -> Result<(u64, u64), Error> {
        let rows = self.db.execute(
            "SELECT model, sum(cases) AS cases FROM triage_labels WHERE tenant_id = ? \
             GROUP BY model",
            &[self.tenant.0.into()],
        )?;
        let mut learned = (0, 0);
        for row in rows.iter() {
            let cases = u64::try_from(row.get_i64("cases")?).unwrap_or(0);
            match row.get_str("model")? {
                CATEGORY => learned.0 = cases,
                DEPARTMENT => learned.1 = cases,
                _ => {}
            }
        }
        Ok(learned)
    }

    /// Adds to the kept counts (one statement).
    pub(crate) fn count_triage(&self, auto_dispatched: i64, undone: i64) -> Result<(), Error> {
        self.db.execute(
            "INSERT INTO triage_counts (tenant_id, auto_dispatched, undone) VALUES (?, ?, ?) \
             ON CONFLICT (tenant_id) DO UPDATE SET \
             auto_dispatched = auto_dispatched + excluded.auto_dispatched, \
             undone = undone + excluded.undone",
            &[self.tenant.0.into(), auto_dispatched.into(), undone.into()],
        )?;
        Ok(())
    }

    /// The department the triage dispatches a new report to on intake (no
    /// routing rule took it), with its confidence and reasons: `None` when
    /// automatic dispatch is off (one read), or the model is not ready or
    /// not sure enough (two more, `domain::triage::auto_dispatch`), or the
    /// department is retired.
    pub(crate) fn triage_auto_dispatch(
        &self,
        description: &str,
    ) -> Result<Option<(i64, Suggestion)>, Error> {
        let settings = self.triage_settings()?;
        if !settings.auto_dispatch {
            return Ok(None);
        }
        let features = Features::of(description);
        let (_, model) = self.triage_models(&features)?;
        let suggestions = model.suggest(&features);
        let cases_of = |label: &str| {
            model
                .labels()
                .find(|(l, _)| *l == label)
                .map_or(0, |(_, counts)| counts.cases)
        };
        let Some(best) = triage::auto_dispatch(&settings, &suggestions, model.cases(), cases_of)
        else {
            return Ok(None);
        };
        let Ok(department) = best.label.parse::<i64>() else {
            return Ok(None);
        };
        Ok(Some((department, best.clone())))
    }

    /// Adds (`sign` 1) or takes away (`sign` -1) one case's counts for a
    /// label: one statement for its grams (the text's grams as a JSON
    /// array), one for the label's totals, one for the model's count of
    /// distinct grams, and on taking away one each to drop the rows left at
    /// zero.
    fn triage_count(
        &self,
        features: &Features,
        model: &str,
        label: &str,
        sign: i64,
    ) -> Result<(), Error> {
        let grams: Vec<serde_json::Value> = features
            .grams()
            .map(|(gram, n)| json!([gram, sign * i64::from(n)]))
            .collect();
        let grams = serde_json::Value::Array(grams).to_string();
        let tenant: Value = self.tenant.0.into();
        let count_absent = || {
            self.db.execute(
                COUNT_ABSENT_GRAMS,
                &[
                    tenant.clone(),
                    model.into(),
                    sign.into(),
                    grams.clone().into(),
                ],
            )
        };
        if sign > 0 {
            count_absent()?;
        }
        self.db.execute(
            "INSERT INTO triage_grams (tenant_id, model, gram, label, count) \
             SELECT ?, ?, json_extract(value, '$[0]'), ?, json_extract(value, '$[1]') \
             FROM json_each(?) WHERE true \
             ON CONFLICT (tenant_id, model, gram, label) DO UPDATE SET count = count + excluded.count",
            &[
                tenant.clone(),
                model.into(),
                label.into(),
                grams.clone().into(),
            ],
        )?;
        let total = i64::try_from(features.total()).unwrap_or(i64::MAX);
        self.db.execute(
            "INSERT INTO triage_labels (tenant_id, model, label, cases, grams) VALUES (?, ?, ?, ?, ?) \
             ON CONFLICT (tenant_id, model, label) DO UPDATE SET \
             cases = cases + excluded.cases, grams = grams + excluded.grams",
            &[
                tenant.clone(),
                model.into(),
                label.into(),
                sign.into(),
                (sign * total).into(),
            ],
        )?;
        if sign < 0 {
            self.db.execute(
                "DELETE FROM triage_grams WHERE tenant_id = ? AND model = ? AND label = ? \
                 AND count <= 0 AND gram IN (SELECT json_extract(value, '$[0]') FROM json_each(?))",
                &[
                    tenant.clone(),
                    model.into(),
                    label.into(),
                    grams.clone().into(),
                ],
            )?;
            self.db.execute(
                "DELETE FROM triage_labels WHERE tenant_id = ? AND model = ? AND label = ? \
                 AND cases <= 0",
                &[tenant.clone(), model.into(), label.into()],
            )?;
            count_absent()?;
        }
        Ok(())
    }

    /// The suggestions for a text: the label rows (with each model's count
    /// of distinct grams) and the rows of the text's own grams, in two
    /// reads whatever the tenant's size.
    pub fn triage_suggestions(&self, text: &str) -> Result<TriageSuggestions, Error> {
        let features = Features::of(text);
        let (category, department) = self.triage_models(&features)?;
        Ok(TriageSuggestions {
            category: category.suggest(&features),
            department: department.suggest(&features),
        })
    }

    /// Both models as far as a text needs them (category, department):
    /// every label row and the rows of the text's grams, in two reads.
    pub fn triage_models(&self, features: &Features) -> Result<(Model, Model), Error> {
        let tenant: Value = self.tenant.0.into();
        let labels = self.db.execute(
            "SELECT model, label, cases, grams FROM triage_labels WHERE tenant_id = ?",
            &[self.tenant.0.into()],
        )?;
        let grams: Vec<&str> = features.grams().map(|(g, _)| g).collect();
        let rows = self.db.execute(
            "SELECT model, gram, label, count FROM triage_grams WHERE tenant_id = ? \
             AND gram IN (SELECT value FROM json_each(?))",
            &[tenant, json!(grams).to_string().into()],
        )?;
        let model = |name: &str| -> Result<Model, Error> {
            let of_model = |row: &Row<'_>| row.get_str("model").is_ok_and(|m| m == name);
            let (label_rows, vocabulary) = split_vocabulary(
                labels
                    .iter()
                    .filter(|r| of_model(r))
                    .map(|r| label_row(&r))
                    .collect::<Result<Vec<_>, _>>()?,
            );
            Ok(Model::from_rows(
                Model::default().scoring(),
                label_rows,
                vocabulary,
                rows.iter()
                    .filter(|r| of_model(r))
                    .map(|r| gram_row(&r))
                    .collect::<Result<Vec<_>, _>>()?,
            ))
        };
        Ok((model(CATEGORY)?, model(DEPARTMENT)?))
    }

    /// A whole model as stored (`category` or `department`), its count of
    /// distinct grams as kept: for tests and tools; suggestions read only
    /// what a text needs.
    pub fn triage_model(&self, name: &str) -> Result<Model, Error> {
        let tenant: Value = self.tenant.0.into();
        let labels = self.db.execute(
            "SELECT label, cases, grams FROM triage_labels WHERE tenant_id = ? AND model = ?",
            &[tenant.clone(), name.into()],
        )?;
        let grams = self.db.execute(
            "SELECT gram, label, count FROM triage_grams WHERE tenant_id = ? AND model = ?",
            &[tenant, name.into()],
        )?;
        let (label_rows, vocabulary) = split_vocabulary(
            labels
                .iter()
                .map(|r| label_row(&r))
                .collect::<Result<Vec<_>, _>>()?,
        );
        let gram_rows = grams
            .iter()
            .map(|r| gram_row(&r))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Model::from_rows(
            Model::default().scoring(),
            label_rows,
            vocabulary,
            gram_rows,
        ))
    }
}

/// The label rows apart from the count of distinct grams (0 when the model
/// holds none).
fn split_vocabulary(rows: Vec<(String, LabelCounts)>) -> (Vec<(String, LabelCounts)>, u64) {
    let (vocabulary, labels): (Vec<_>, Vec<_>) =
        rows.into_iter().partition(|(label, _)| label == VOCABULARY);
    let distinct = vocabulary.first().map_or(0, |(_, counts)| counts.grams);
    (labels, distinct)
}

/// A `triage_labels` row: the label and its totals.
fn label_row(row: &Row<'_>) -> Result<(String, LabelCounts), StoreError> {
    Ok((
        row.get_string("label")?,
        LabelCounts {
            cases: u32::try_from(row.get_i64("cases")?).unwrap_or(0),
            grams: u64::try_from(row.get_i64("grams")?).unwrap_or(0),
        },
    ))
}

/// A `triage_grams` row: gram, label, count.
fn gram_row(row: &Row<'_>) -> Result<(String, String, u32), StoreError> {
    Ok((
        row.get_string("gram")?,
        row.get_string("label")?,
        u32::try_from(row.get_i64("count")?).unwrap_or(0),
    ))
}
