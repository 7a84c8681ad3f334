//! Importing a whole area's grid at once: parsing CSV or nested JSON into rows, and
//! planning the import against the tenant's existing grid. Pure: the store runs the plan
//! in one transaction.
//!
//! Every problem is collected, each naming the line (CSV, header included) or item
//! number (JSON, document order) and the field, so a user fixes a file in one pass.

use crate::geo::Geometry;
use crate::grid::{GridCode, GridLevel};
use serde::Serialize;
use serde_json::Value;
use std::collections::{HashMap, HashSet};

/// Longest grid node name, in characters.
pub const MAX_NAME_CHARS: usize = 100;

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

const REQUIRED_COLUMNS: [&str; 4] = ["code", "parent_code", "level", "name"];
const OPTIONAL_COLUMNS: [&str; 2] = ["households", "geometry"];

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

/// Parses a whole area as a nested tree:
/// `{"nodes": [{"code", "name", "level", "households"?, "geometry"?, "children": [...]}]}`.
/// A child's parent is the node it is nested in; a top-level node may name an existing
/// `parent_code` (to import under a node already in the tenant) or be a root.
pub fn parse_json(bytes: &[u8]) -> Result<Vec<GridImportRow>, Vec<RowProblem>> {
    let document: Value = serde_json::from_slice(bytes).map_err(|e| {
        vec![RowProblem::new(
            0,
            "body",
            format!(
                "not valid JSON (UTF-8) at line {} column {}: {e}",
                e.line(),
                e.column()
            ),
        )]
    })?;
    let Some(nodes) = document.get("nodes").and_then(Value::as_array) else {
        return Err(vec![RowProblem::new(
            0,
            "nodes",
            "the document must be an object with a \"nodes\" array",
        )]);
    };
    let mut walk = JsonWalk::default();
    for (i, node) in nodes.iter().enumerate() {
        walk.node(node, &format!("nodes[{i}]"), None, true);
    }
    if walk.problems.is_empty() {
        Ok(walk.rows)
    } else {
        Err(walk.problems)
    }
}

#[derive(Default)]
struct JsonWalk {
    item: usize,
    rows: Vec<GridImportRow>,
    problems: Vec<RowProblem>,
}

impl JsonWalk {
    /// `parent`: `Some(code)` when nested under a node whose code parsed, `None` at the top
    /// (or under a node whose code did not parse, which is already reported).
    fn node(&mut self, value: &Value, path: &str, parent: Option<&GridCode>, top: bool) {
        self.item += 1;
        let line = self.item;
        let before = self.problems.len();
        let Some(object) = value.as_object() else {
            self.problems
                .push(RowProblem::new(line, path, "a node must be an object"));
            return;
        };
        let mut report = |field: &str, detail: String| {
            self.problems
                .push(RowProblem::new(line, format!("{path}.{field}"), detail));
        };
        for key in object.keys() {
            let allowed = matches!(
                key.as_str(),
                "code" | "name" | "level" | "households" | "geometry" | "children"
            ) || (top && key == "parent_code");
            if !allowed {
                report(
                    key,
                    "unknown field: a node has code, name, level, households, geometry \
                     and children (and parent_code at the top level only)"
                        .into(),
                );
            }
        }
        let text = |key: &str| object.get(key).and_then(Value::as_str);
        let code = match text("code") {
            Some(s) => GridCode::parse(s)
                .map_err(|p| report("code", p.detail))
                .ok(),
            None => {
                report("code", "a node needs a \"code\" string".into());
                None
            }
        };
        let parent_code = if top {
            match object.get("parent_code") {
                None | Some(Value::Null) => Some(None),
                Some(Value::String(s)) => GridCode::parse(s)
                    .map(Some)
                    .map_err(|p| report("parent_code", p.detail))
                    .ok(),
                Some(_) => {
                    report("parent_code", "parent_code must be a string".into());
                    None
                }
            }
        } else {
            parent.cloned().map(Some)
        };
        let level = match object.get("level") {
            Some(Value::String(s)) => parse_level(s).map_err(|d| report("level", d)).ok(),
            Some(Value::Number(n)) => parse_level(&n.to_string())
                .map_err(|d| report("level", d))
                .ok(),
            _ => {
                report("level", "a node needs a \"level\"".into());
                None
            }
        };
        let name = match text("name") {
            Some(s) => Some(s.trim().to_owned()),
            None => {
                report("name", "a node needs a \"name\" string".into());
                None
            }
        };
        let households = match object.get("households") {
            None | Some(Value::Null) => Some(None),
            Some(v) => match v.as_i64() {
                Some(n) if n >= 0 => Some(Some(n)),
                _ => {
                    report(
                        "households",
                        "households must be a whole number, 0 or more".into(),
                    );
                    None
                }
            },
        };
        let geometry = match object.get("geometry") {
            None | Some(Value::Null) => Some(None),
            Some(v) => match Geometry::from_geojson_at(v, &format!("{path}.geometry")) {
                Ok(g) => Some(Some(g)),
                Err(p) => {
                    let field = p.field.unwrap_or_else(|| format!("{path}.geometry"));
                    self.problems.push(RowProblem::new(line, field, p.detail));
                    None
                }
            },
        };
        let children = match object.get("children") {
            None | Some(Value::Null) => &[][..],
            Some(Value::Array(items)) => items.as_slice(),
            Some(_) => {
                self.problems.push(RowProblem::new(
                    line,
                    format!("{path}.children"),
                    "children must be an array of nodes",
                ));
                &[][..]
            }
        };
        if self.problems.len() == before
            && let (Some(code), Some(parent_code), Some(level), Some(name), Some(h), Some(g)) =
                (&code, parent_code, level, name, households, geometry)
        {
            self.rows.push(GridImportRow {
                line,
                code: code.clone(),
                parent_code,
                level,
                name,
                households: h,
                geometry: g,
            });
        }
        for (i, child) in children.iter().enumerate() {
            self.node(
                child,
                &format!("{path}.children[{i}]"),
                code.as_ref(),
                false,
            );
        }
    }
}

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
        } else if name.chars().count() > MAX_NAME_CHARS {
            problems.push(RowProblem::new(
                row.line,
                "name",
                format!("a name must be at most {MAX_NAME_CHARS} characters"),
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
            problems.push(RowProblem::new(
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
            problems.push(RowProblem::new(
                row.line,
                "code",
                format!("code '{}' already exists in this tenant", row.code),
            ));
        }
    }

    let in_cycle = rows_in_cycles(&rows, &first);
    for row in &rows {
        if let Some(cycle) = in_cycle.get(&row.line) {
            problems.push(RowProblem::new(
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
                    problems.push(RowProblem::new(
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
            problems.push(RowProblem::new(row.line, "level", detail));
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

/// Township names of the generated zone.
const TOWNSHIPS: [&str; 8] = [
    "金山镇",
    "开元街道",
    "清溪镇",
    "望湖街道",
    "石桥镇",
    "云栖镇",
    "临江街道",
    "桃源镇",
];

/// The zone of the report, generated deterministically: 8 townships, 168 communities,
/// 300 grids and 7,349 micro-grids (7,825 nodes), spread evenly, each a rectangle tiling
/// its parent's around lat 30.2, lon 120.1. Rows are in document order (parents first)
/// and numbered from 1 like the items of a JSON import.
pub fn seed_zone() -> Vec<GridImportRow> {
    let zone = Rect {
        min_lon: 119.95,
        min_lat: 30.05,
        max_lon: 120.25,
        max_lat: 30.35,
    };
    let communities = spread(168, 8);
    let grids = spread(300, 168);
    let micro_grids = spread(7349, 300);
    let mut rows = Vec::with_capacity(7825);
    let (mut community_index, mut grid_index) = (0, 0);
    for (t, t_rect) in zone.split(8).into_iter().enumerate() {
        let t_code = code(format!("T{:02}", t + 1));
        push(
            &mut rows,
            &t_code,
            None,
            GridLevel::Township,
            TOWNSHIPS[t].into(),
            None,
            t_rect,
        );
        for (c, c_rect) in t_rect.split(communities[t]).into_iter().enumerate() {
            let c_code = code(format!("{t_code}-C{:03}", c + 1));
            let c_name = format!("{}第{}社区", TOWNSHIPS[t], c + 1);
            push(
                &mut rows,
                &c_code,
                Some(&t_code),
                GridLevel::Community,
                c_name,
                None,
                c_rect,
            );
            for (g, g_rect) in c_rect.split(grids[community_index]).into_iter().enumerate() {
                let g_code = code(format!("{c_code}-G{}", g + 1));
                let g_name = format!("第{}网格", g + 1);
                push(
                    &mut rows,
                    &g_code,
                    Some(&c_code),
                    GridLevel::Grid,
                    g_name,
                    None,
                    g_rect,
                );
                for (m, m_rect) in g_rect
                    .split(micro_grids[grid_index])
                    .into_iter()
                    .enumerate()
                {
                    let m_code = code(format!("{g_code}-M{:03}", m + 1));
                    let m_name = format!("第{}微网格", m + 1);
                    let households = 20 + ((rows.len() * 7) % 41) as i64;
                    push(
                        &mut rows,
                        &m_code,
                        Some(&g_code),
                        GridLevel::MicroGrid,
                        m_name,
                        Some(households),
                        m_rect,
                    );
                }
                grid_index += 1;
            }
            community_index += 1;
        }
    }
    rows
}

fn code(s: String) -> GridCode {
    GridCode::parse(&s).unwrap_or_else(|p| unreachable!("generated code {s}: {p}"))
}

fn push(
    rows: &mut Vec<GridImportRow>,
    code: &GridCode,
    parent: Option<&GridCode>,
    level: GridLevel,
    name: String,
    households: Option<i64>,
    rect: Rect,
) {
    let geometry = Geometry::rectangle(rect.min_lon, rect.min_lat, rect.max_lon, rect.max_lat)
        .unwrap_or_else(|p| unreachable!("generated rectangle {rect:?}: {p}"));
    rows.push(GridImportRow {
        line: rows.len() + 1,
        code: code.clone(),
        parent_code: parent.cloned(),
        level,
        name,
        households,
        geometry: Some(geometry),
    });
}

/// `total` items over `parts` parents as evenly as possible, the first ones taking one more.
fn spread(total: usize, parts: usize) -> Vec<usize> {
    (0..parts)
        .map(|i| total / parts + usize::from(i < total % parts))
        .collect()
}

#[derive(Debug, Clone, Copy)]
struct Rect {
    min_lon: f64,
    min_lat: f64,
    max_lon: f64,
    max_lat: f64,
}

impl Rect {
    /// `n` tiles covering the rectangle exactly: about √n rows, each cut into columns.
    fn split(self, n: usize) -> Vec<Rect> {
        let row_count = (n as f64).sqrt().ceil() as usize;
        let per_row = spread(n, row_count);
        let lerp = |a: f64, b: f64, i: usize, k: usize| {
            if i == k {
                b
            } else {
                a + (b - a) * i as f64 / k as f64
            }
        };
        let mut tiles = Vec::with_capacity(n);
        for (r, &columns) in per_row.iter().enumerate() {
            let min_lat = lerp(self.min_lat, self.max_lat, r, row_count);
            let max_lat = lerp(self.min_lat, self.max_lat, r + 1, row_count);
            for c in 0..columns {
                tiles.push(Rect {
                    min_lon: lerp(self.min_lon, self.max_lon, c, columns),
                    max_lon: lerp(self.min_lon, self.max_lon, c + 1, columns),
                    min_lat,
                    max_lat,
                });
            }
        }
        tiles
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gc(s: &str) -> GridCode {
        GridCode::parse(s).expect("code")
    }

    /// `(line, field)` of each problem, with a fragment of its detail.
    type Expected<'a> = Result<Vec<(&'a str, Option<&'a str>)>, Vec<(usize, &'a str, &'a str)>>;

    fn check_problems(actual: Result<Vec<GridImportRow>, Vec<RowProblem>>, expected: Expected<'_>) {
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

    fn check_json(input: serde_json::Value, expected: Expected<'_>) {
        check_problems(parse_json(input.to_string().as_bytes()), expected);
    }

    #[test]
    fn json_parsing() {
        use serde_json::json;
        check_json(
            json!({"nodes": [
                {"code": "T1", "name": "镇", "level": "township", "children": [
                    {"code": "C1", "name": "社区", "level": 2, "children": [
                        {"code": "G1", "name": "网格", "level": "grid"}]},
                    {"code": "C2", "name": "社区", "level": "community", "households": null}]},
                {"code": "C3", "parent_code": "T0", "name": "社区", "level": "community",
                 "geometry": {"type": "Point", "coordinates": [120.1, 30.2]}}]}),
            Ok(vec![
                ("T1", None),
                ("C1", Some("T1")),
                ("G1", Some("C1")),
                ("C2", Some("T1")),
                ("C3", Some("T0")),
            ]),
        );
        check_json(
            json!({"nodes": [
                {"code": "T1", "name": "镇", "level": "township", "children": [
                    {"code": "C1", "name": "社区", "level": "village", "parent_code": "X"},
                    {"code": "C2", "name": 5, "level": 2, "households": -1,
                     "geometry": {"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [0, 0]]]},
                     "children": {}}]},
                {"code": "bad code", "level": 9}]}),
            Err(vec![
                (2, "nodes[0].children[0].parent_code", "unknown field"),
                (2, "nodes[0].children[0].level", "not a grid level"),
                (3, "nodes[0].children[1].name", "name"),
                (3, "nodes[0].children[1].households", "0 or more"),
                (
                    3,
                    "nodes[0].children[1].geometry.coordinates[0]",
                    "at least 4",
                ),
                (3, "nodes[0].children[1].children", "array"),
                (4, "nodes[1].code", "only ASCII"),
                (4, "nodes[1].level", "not a grid level"),
                (4, "nodes[1].name", "name"),
            ]),
        );
        check_problems(
            parse_json(b"{\"nodes\": [}"),
            Err(vec![(0, "body", "not valid JSON")]),
        );
        check_json(json!([1]), Err(vec![(0, "nodes", "\"nodes\" array")]));
    }

    fn row(line: usize, code: &str, parent: Option<&str>, level: GridLevel) -> GridImportRow {
        GridImportRow {
            line,
            code: gc(code),
            parent_code: parent.map(gc),
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

    #[test]
    fn the_seed_zone_has_the_reports_counts_and_plans_cleanly() {
        let rows = seed_zone();
        let count = |level| rows.iter().filter(|r| r.level == level).count();
        assert_eq!(
            GridLevel::ALL.map(count),
            [8, 168, 300, 7349],
            "townships, communities, grids, micro-grids"
        );
        assert_eq!(seed_zone(), rows, "deterministic");
        let by_code: HashMap<&GridCode, &GridImportRow> =
            rows.iter().map(|r| (&r.code, r)).collect();
        for r in &rows {
            let geometry = r.geometry.as_ref().expect("every node has a shape");
            let b = geometry.bbox();
            let (lat, lon) = ((b.min_lat + b.max_lat) / 2.0, (b.min_lon + b.max_lon) / 2.0);
            assert!(geometry.contains(lat, lon));
            assert!((30.0..30.4).contains(&lat) && (119.9..120.3).contains(&lon));
            if let Some(p) = &r.parent_code {
                let parent = by_code[p].geometry.as_ref().expect("shape");
                assert!(parent.contains(lat, lon), "{} inside {p}", r.code);
            }
            assert_eq!(r.households.is_some(), r.level == GridLevel::MicroGrid);
        }
        let planned = plan_import(rows.clone(), &|_| None).expect("the seed plans cleanly");
        assert_eq!(planned.len(), 7825);
    }

    #[test]
    fn seed_micro_grids_tile_without_overlap() {
        // Points on a lattice over the zone fall in exactly one micro-grid each.
        let micro: Vec<Geometry> = seed_zone()
            .into_iter()
            .filter(|r| r.level == GridLevel::MicroGrid)
            .filter_map(|r| r.geometry)
            .collect();
        for i in 0..12 {
            for j in 0..12 {
                let lat = 30.05 + 0.3 * (i as f64 + 0.37) / 12.0;
                let lon = 119.95 + 0.3 * (j as f64 + 0.61) / 12.0;
                let hits = micro.iter().filter(|g| g.contains(lat, lon)).count();
                assert_eq!(hits, 1, "({lat}, {lon})");
            }
        }
    }
}
