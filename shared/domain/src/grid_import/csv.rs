//! Reading an import from a CSV file: UTF-8 text with a header, one node a row, each
//! problem named by its line and column.

use super::{GridImportRow, RowProblem, parse_level};
use crate::geo::Geometry;
use crate::grid::GridCode;
use serde_json::Value;
use std::collections::HashMap;

const REQUIRED_COLUMNS: [&str; 4] = ["code", "parent_code", "level", "name"];
const OPTIONAL_COLUMNS: [&str; 2] = ["households", "geometry"];

fn parse_households(s: &str) -> Result<Option<i64>, String> {
    let s = s.trim();
    if s.is_empty() {
        return Ok(None);
    }
    match s.parse::<i64>() {
        Ok(n) if n >= 0 => Ok(Some(n)),
        _ => Err(format!(
            "'{s}' is not a number of households (a whole number, 0 or more)"
        )),
    }
}

/// Parses a CSV file: UTF-8 (a BOM is fine), a header naming the columns `code`,
/// `parent_code`, `level`, `name` and optionally `households` and `geometry` (GeoJSON
/// text), in any order. An empty `parent_code` makes a root.
pub fn parse_csv(bytes: &[u8]) -> Result<Vec<GridImportRow>, Vec<RowProblem>> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if let Err(e) = std::str::from_utf8(bytes) {
        let line = bytes[..e.valid_up_to()]
            .iter()
            .filter(|&&b| b == b'\n')
            .count()
            + 1;
        return Err(vec![RowProblem::new(
            line,
            "encoding",
            "the file is not UTF-8 text (GBK, as Excel often saves, is not accepted): \
             save it as \"CSV UTF-8\" and upload it again",
        )]);
    }
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(bytes);
    let header: Vec<String> = match reader.headers() {
        Ok(h) => h.iter().map(|c| c.to_ascii_lowercase()).collect(),
        Err(e) => return Err(vec![RowProblem::new(1, "header", e.to_string())]),
    };
    let mut problems = Vec::new();
    let mut columns: HashMap<&str, usize> = HashMap::new();
    for (i, name) in header.iter().enumerate() {
        match REQUIRED_COLUMNS
            .iter()
            .chain(&OPTIONAL_COLUMNS)
            .find(|c| **c == name.as_str())
        {
            Some(known) => {
                if columns.insert(known, i).is_some() {
                    problems.push(RowProblem::new(1, name, "this column appears twice"));
                }
            }
            None if name.is_empty() && header.len() == 1 => {}
            None => problems.push(RowProblem::new(
                1,
                name,
                "unknown column: the columns are code, parent_code, level, name, \
                 households (optional) and geometry (optional)",
            )),
        }
    }
    for required in REQUIRED_COLUMNS {
        if !columns.contains_key(required) {
            problems.push(RowProblem::new(1, required, "the header lacks this column"));
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }

    let mut rows = Vec::new();
    let mut record = csv::StringRecord::new();
    loop {
        let line = reader.position().line() as usize;
        match reader.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                let line = e.position().map_or(line, |p| p.line() as usize);
                problems.push(RowProblem::new(line, "row", e.to_string()));
                break;
            }
        }
        let line = record.position().map_or(line, |p| p.line() as usize);
        if record.len() != header.len() {
            problems.push(RowProblem::new(
                line,
                "row",
                format!("expected {} cells, found {}", header.len(), record.len()),
            ));
            continue;
        }
        let cell = |name: &str| columns.get(name).map_or("", |&i| &record[i]);
        if let Some(row) = row_from_cells(line, &cell, &mut problems) {
            rows.push(row);
        }
    }
    if problems.is_empty() {
        Ok(rows)
    } else {
        Err(problems)
    }
}

fn row_from_cells<'a>(
    line: usize,
    cell: &dyn Fn(&str) -> &'a str,
    problems: &mut Vec<RowProblem>,
) -> Option<GridImportRow> {
    let before = problems.len();
    let mut report = |field: &str, detail: String| {
        problems.push(RowProblem::new(line, field, detail));
    };
    let code = GridCode::parse(cell("code"))
        .map_err(|p| report("code", p.detail))
        .ok();
    let parent_code = match cell("parent_code") {
        "" => Some(None),
        s => GridCode::parse(s)
            .map(Some)
            .map_err(|p| report("parent_code", p.detail))
            .ok(),
    };
    let level = parse_level(cell("level"))
        .map_err(|d| report("level", d))
        .ok();
    let households = parse_households(cell("households"))
        .map_err(|d| report("households", d))
        .ok();
    let geometry = match cell("geometry") {
        "" => Some(None),
        text => match serde_json::from_str::<Value>(text) {
            Ok(v) => Geometry::from_geojson(&v)
                .map(Some)
                .map_err(|p| report(p.field.as_deref().unwrap_or("geometry"), p.detail))
                .ok(),
            Err(e) => {
                report("geometry", format!("not GeoJSON text: {e}"));
                None
            }
        },
    };
    if problems.len() > before {
        return None;
    }
    Some(GridImportRow {
        line,
        code: code?,
        parent_code: parent_code?,
        level: level?,
        name: cell("name").to_owned(),
        households: households?,
        geometry: geometry?,
    })
}

#[cfg(test)]
mod tests {
    use super::super::checks::{Expected, check_problems};
    use super::*;

    fn check_csv(input: &str, expected: Expected<'_>) {
        check_problems(parse_csv(input.as_bytes()), expected);
    }

    #[test]
    fn csv_parsing() {
        check_csv(
            "code,parent_code,level,name\nT1,,township,金山镇\nC1,T1,2,金山社区\n",
            Ok(vec![("T1", None), ("C1", Some("T1"))]),
        );
        // Columns in any order, a BOM, optional columns, a quoted GeoJSON cell.
        check_csv(
            "\u{feff}name,level,code,parent_code,households,geometry\n\
             甲,micro_grid,M1,G1,12,\"{\"\"type\"\":\"\"Point\"\",\"\"coordinates\"\":[120.1,30.2]}\"\n\
             乙,micro_grid,M2,G1,,\n",
            Ok(vec![("M1", Some("G1")), ("M2", Some("G1"))]),
        );
        check_csv(
            "code,level,name,colour\n",
            Err(vec![
                (1, "colour", "unknown column"),
                (1, "parent_code", "lacks"),
            ]),
        );
        check_csv(
            "",
            Err(vec![
                (1, "code", "lacks"),
                (1, "parent_code", "lacks"),
                (1, "level", "lacks"),
                (1, "name", "lacks"),
            ]),
        );
        check_csv(
            "code,parent_code,level,name,households,geometry\n\
             T 1,,county,x,-3,\"{\"\"type\"\":\"\"Point\"\",\"\"coordinates\"\":[30.2,120.1]}\"\n\
             C1,T-1,2\n\
             C2,T/1,2,y,,{oops\n",
            Err(vec![
                (2, "code", "only ASCII"),
                (2, "level", "not a grid level"),
                (2, "households", "not a number"),
                (2, "geometry.coordinates", "latitude"),
                (3, "row", "expected 6 cells, found 3"),
                (4, "parent_code", "only ASCII"),
                (4, "geometry", "not GeoJSON"),
            ]),
        );
    }

    #[test]
    fn csv_in_gbk_is_refused_with_its_line() {
        // "金山镇" in GBK on line 3.
        let mut bytes = b"code,parent_code,level,name\nT1,,1,ok\nT2,,1,".to_vec();
        bytes.extend_from_slice(&[0xBD, 0xF0, 0xC9, 0xBD, 0xD5, 0xF2, b'\n']);
        let problems = parse_csv(&bytes).expect_err("GBK");
        assert_eq!(problems.len(), 1);
        assert_eq!(
            (problems[0].line, problems[0].field.as_str()),
            (3, "encoding")
        );
        assert!(
            problems[0].detail.contains("UTF-8"),
            "{}",
            problems[0].detail
        );
    }
}
