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
pub use plan::{MAX_NAME_CHARS, plan_import};
pub use seed::seed_zone;

use crate::geo::Geometry;
use crate::grid::{GridCode, GridLevel};
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
}

impl RowProblem {
    fn new(line: usize, field: impl Into<String>, detail: impl Into<String>) -> Self {
        RowProblem {
            line,
            field: field.into(),
            detail: detail.into(),
        }
    }
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
