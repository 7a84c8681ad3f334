//! Planning an import: checking the rows against each other and the tenant's grid
//! (names, duplicate and taken codes, unknown parents, the level rule, cycles) and
//! ordering them parents first, ready for the store to write in one transaction.

use super::{GridImportRow, RowProblem};
use crate::grid::{GridCode, GridLevel};
use crate::limits;
use std::collections::{HashMap, HashSet};

/// Checks an import against itself and the tenant's grid (`existing` gives the level of
/// a code already in the tenant): names, duplicate and taken codes, unknown parents, the
/// level rule and cycles. Returns the rows ordered parents before children.
pub fn plan_import(
    rows: Vec<GridImportRow>,
    existing: &dyn Fn(&GridCode) -> Option<GridLevel>,
) -> Result<Vec<GridImportRow>, Vec<RowProblem>> {
    let mut problems = Vec::new();
    // The first row of each code; later ones are duplicates.
    let mut first: HashMap<&GridCode, &GridImportRow> = HashMap::new();
    for row in &rows {
        let name = row.name.trim();
        if name.is_empty() {
            problems.push(RowProblem::new(
                row.line,
                "name",
                "a grid node needs a name",
            ));
        } else if row.name.chars().count() > limits::GRID_NODE_NAME.max_chars() {
            problems.push(RowProblem::new(
                row.line,
                "name",
                format!(
                    "a name must be at most {} characters",
                    limits::GRID_NODE_NAME.max_chars()
                ),
            ));
        }
        if row.households.is_some_and(|h| h < 0) {
            problems.push(RowProblem::new(
                row.line,
                "households",
                "households must be 0 or more",
            ));
        }
        if let Some(earlier) = first.get(&row.code) {
            problems.push(RowProblem::between_rows(
                row.line,
                "code",
                format!(
                    "code '{}' appears twice: first on line {}",
                    row.code, earlier.line
                ),
            ));
        } else {
            first.insert(&row.code, row);
        }
        if existing(&row.code).is_some() {
            problems.push(RowProblem::conflict(
                row.line,
                "code",
                format!("code '{}' already exists in this tenant", row.code),
            ));
        }
    }

    let in_cycle = rows_in_cycles(&rows, &first);
    for row in &rows {
        if let Some(cycle) = in_cycle.get(&row.line) {
            problems.push(RowProblem::between_rows(
                row.line,
                "parent_code",
                format!("the parent references form a cycle: {cycle}"),
            ));
            continue;
        }
        let parent_level = match &row.parent_code {
            None => None,
            Some(p) => match first.get(p).map(|r| r.level).or_else(|| existing(p)) {
                Some(level) => Some(level),
                None => {
                    problems.push(RowProblem::between_rows(
                        row.line,
                        "parent_code",
                        format!("unknown parent '{p}': neither in this file nor in the tenant"),
                    ));
                    continue;
                }
            },
        };
        if !row.level.can_be_child_of(parent_level) {
            let detail = match parent_level {
                None => format!(
                    "a node without a parent must be a township, not a {}",
                    row.level.name_en()
                ),
                Some(p) => format!(
                    "a {} cannot be placed under a {}: each level sits one below its parent",
                    row.level.name_en(),
                    p.name_en()
                ),
            };
            problems.push(RowProblem::between_rows(row.line, "level", detail));
        }
    }

    if !problems.is_empty() {
        problems.sort_by_key(|p| p.line);
        return Err(problems);
    }
    let mut rows = rows;
    // With the level rule holding, a parent's level is one less than its child's.
    rows.sort_by_key(|r| (r.level, r.line));
    Ok(rows)
}

/// The lines of rows whose parent chain (within the file) loops, with the loop spelled
/// out as `A → B → A`.
fn rows_in_cycles(
    rows: &[GridImportRow],
    first: &HashMap<&GridCode, &GridImportRow>,
) -> HashMap<usize, String> {
    let mut in_cycle = HashMap::new();
    let mut done: HashSet<&GridCode> = HashSet::new();
    for row in rows {
        let mut path: Vec<&GridCode> = Vec::new();
        let mut on_path: HashSet<&GridCode> = HashSet::new();
        let mut current = Some(&row.code);
        while let Some(code) = current {
            if done.contains(code) {
                break;
            }
            if !on_path.insert(code) {
                let start = path.iter().position(|c| *c == code).unwrap_or(0);
                let cycle = &path[start..];
                let spelled = cycle
                    .iter()
                    .chain(std::iter::once(&code))
                    .map(|c| c.as_str())
                    .collect::<Vec<_>>()
                    .join(" → ");
                for c in cycle {
                    for r in rows.iter().filter(|r| &r.code == *c) {
                        in_cycle.insert(r.line, spelled.clone());
                    }
                }
                break;
            }
            path.push(code);
            current = first.get(code).and_then(|r| r.parent_code.as_ref());
        }
        done.extend(path);
    }
    in_cycle
}

#[cfg(test)]
mod tests {
    use super::super::checks::{Expected, check_problems};
    use super::*;

    fn grid_code(s: &str) -> GridCode {
        GridCode::parse(s).expect("code")
    }

    fn row(line: usize, code: &str, parent: Option<&str>, level: GridLevel) -> GridImportRow {
        GridImportRow {
            line,
            code: grid_code(code),
            parent_code: parent.map(grid_code),
            level,
            name: format!("node {code}"),
            households: None,
            geometry: None,
        }
    }

    fn check_plan(rows: Vec<GridImportRow>, expected: Expected<'_>) {
        let existing = |c: &GridCode| match c.as_str() {
            "OLD_T" => Some(GridLevel::Township),
            "OLD_G" => Some(GridLevel::Grid),
            _ => None,
        };
        check_problems(plan_import(rows, &existing), expected);
    }

    #[test]
    fn planning() {
        use GridLevel::*;
        // Children listed before parents come out after them.
        check_plan(
            vec![
                row(2, "M1", Some("G1"), MicroGrid),
                row(3, "G1", Some("C1"), Grid),
                row(4, "C1", Some("T1"), Community),
                row(5, "T1", None, Township),
                row(6, "C2", Some("OLD_T"), Community),
                row(7, "M2", Some("OLD_G"), MicroGrid),
            ],
            Ok(vec![
                ("T1", None),
                ("C1", Some("T1")),
                ("C2", Some("OLD_T")),
                ("G1", Some("C1")),
                ("M1", Some("G1")),
                ("M2", Some("OLD_G")),
            ]),
        );
        let mut blank = row(9, "T9", None, Township);
        blank.name = "  ".into();
        check_plan(
            vec![
                row(2, "T1", None, Township),
                row(3, "T1", None, Township),
                row(4, "OLD_T", None, Township),
                row(5, "C1", Some("NOPE"), Community),
                row(6, "G1", Some("T1"), Grid),
                row(7, "A", Some("B"), Grid),
                row(8, "B", Some("A"), Community),
                blank,
                row(10, "S", Some("S"), Community),
                row(11, "C9", None, Community),
            ],
            Err(vec![
                (3, "code", "first on line 2"),
                (4, "code", "already exists"),
                (5, "parent_code", "unknown parent 'NOPE'"),
                (6, "level", "grid cannot be placed under a township"),
                (7, "parent_code", "cycle: A → B → A"),
                (8, "parent_code", "cycle: A → B → A"),
                (9, "name", "needs a name"),
                (10, "parent_code", "cycle: S → S"),
                (11, "level", "must be a township"),
            ]),
        );
    }
}
