//! Importing a whole area's grid at once: parsing CSV or nested JSON into rows, and
//! planning the import against the tenant's existing grid. Pure: the store runs the plan
//! in one transaction.
//!
//! Every problem is collected, each naming the line (CSV, header included) or item
//! number (JSON, document order) and the field, so a user fixes a file in one pass.
//!
//! One job a module: `csv` and `json` read a file into [`GridImportRow`]s, `plan`
//! checks the rows against each other and the tenant's grid, and `seed` generates the
//! demo zone as rows. Here: the row and the problem they all speak, and the level
//! syntax both readers accept.

mod csv;
mod json;
mod plan;
mod seed;

pub use csv::parse_csv;
pub use json::parse_json;
pub use plan::plan_import;
pub use seed::seed_zone;

use crate::geo::Geometry;
use crate::grid::{GridCode, GridLevel};
use crate::problem::ProblemKind;
use serde::Serialize;

/// One grid node as an import file gives it, before it is planned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GridImportRow {
    /// 1-based line in a CSV file (the header is line 1), or the item's number in
    /// document order in a JSON file.
    pub line: usize,
    pub code: GridCode,
    pub parent_code: Option<GridCode>,
    pub level: GridLevel,
    pub name: String,
    pub households: Option<i64>,
    pub geometry: Option<Geometry>,
}

/// One thing wrong with an import file. `line` 0 means the document as a whole.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RowProblem {
    pub line: usize,
    pub field: String,
    pub detail: String,
    /// What the file breaks: a rule the API document states of each node
    /// (`Validation`), one between rows it cannot state (a duplicate code,
    /// an unknown parent, the level rule: `UnprocessableContent`), or the
    /// tenant's grid (a code taken, a retired parent: `Conflict`). The list
    /// as a whole is [`kind_of`] its problems.
    #[serde(skip)]
    pub kind: ProblemKind,
}

impl RowProblem {
    fn new(line: usize, field: impl Into<String>, detail: impl Into<String>) -> Self {
        RowProblem {
            line,
            field: field.into(),
            detail: detail.into(),
            kind: ProblemKind::Validation,
        }
    }

    /// A problem of the file beyond what the document states of one node.
    fn between_rows(line: usize, field: impl Into<String>, detail: impl Into<String>) -> Self {
        RowProblem {
            kind: ProblemKind::UnprocessableContent,
            ..Self::new(line, field, detail)
        }
    }

    /// A row the tenant's grid refuses as it stands.
    pub fn conflict(line: usize, field: impl Into<String>, detail: impl Into<String>) -> Self {
        RowProblem {
            kind: ProblemKind::Conflict,
            ..Self::new(line, field, detail)
        }
    }
}

/// The kind of a refused import: 400 if any row breaks what the document
/// states (the file is not what it says a file is), else 422 if a rule
/// between rows refuses it, else 409.
pub fn kind_of(problems: &[RowProblem]) -> ProblemKind {
    [ProblemKind::Validation, ProblemKind::UnprocessableContent]
        .into_iter()
        .find(|kind| problems.iter().any(|p| p.kind == *kind))
        .unwrap_or(ProblemKind::Conflict)
}

/// Parses a level as its wire name (`township`...`micro_grid`) or its number (1..=4).
fn parse_level(s: &str) -> Result<GridLevel, String> {
    let s = s.trim();
    s.parse::<i64>()
        .ok()
        .and_then(GridLevel::from_number)
        .or_else(|| GridLevel::parse(s).ok())
        .ok_or_else(|| {
            format!(
                "'{s}' is not a grid level: use township, community, grid, micro_grid or 1 to 4"
            )
        })
}

/// What the readers' and the planner's tests share: one way to state the rows or the
/// problems a call should give.
#[cfg(test)]
mod checks {
    use super::{GridImportRow, RowProblem};

    /// `(line, field)` of each problem, with a fragment of its detail.
    pub(super) type Expected<'a> =
        Result<Vec<(&'a str, Option<&'a str>)>, Vec<(usize, &'a str, &'a str)>>;

    pub(super) fn check_problems(
        actual: Result<Vec<GridImportRow>, Vec<RowProblem>>,
        expected: Expected<'_>,
    ) {
        match (actual, expected) {
            (Ok(rows), Ok(want)) => {
                let got: Vec<(&str, Option<&str>)> = rows
                    .iter()
                    .map(|r| (r.code.as_str(), r.parent_code.as_ref().map(|p| p.as_str())))
                    .collect();
                assert_eq!(got, want);
            }
            (Err(problems), Err(want)) => {
                let got: Vec<(usize, &str)> = problems
                    .iter()
                    .map(|p| (p.line, p.field.as_str()))
                    .collect();
                let want_keys: Vec<(usize, &str)> = want.iter().map(|w| (w.0, w.1)).collect();
                assert_eq!(got, want_keys, "{problems:#?}");
                for (p, w) in problems.iter().zip(&want) {
                    assert!(p.detail.contains(w.2), "{p:?} lacks {:?}", w.2);
                }
            }
            (actual, expected) => panic!("got {actual:#?}, expected {expected:?}"),
        }
    }
}
