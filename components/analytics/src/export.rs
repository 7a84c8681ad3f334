//! Exports: any table of the dashboard as CSV, and the case list of a
//! period and filter as CSV or GeoJSON, streamed page by page. CSV starts
//! with a UTF-8 byte-order mark, so Excel as used in China opens the
//! Chinese text right.

use std::collections::HashMap;

use domain::{CaseId, GridNodeId, Problem, Tenant};
use edge::Response;
use edge::db::SpinDb;
use edge::stream::Stream;
use edge::{Ctx, HandlerResult};
use serde_json::{Value, json};
use store::{Case, StatsFilter, TenantScope};

use crate::{figures, league, query};

const BOM: &str = "\u{FEFF}";
/// The name of the grid table's row of cases no grid holds.
const UNPLACED: &str = "未定位";
/// Cases read per chunk of a streamed export.
const PAGE: u32 = 500;

fn csv_bytes(header: &[&str], rows: &[Vec<String>]) -> Result<Vec<u8>, Problem> {
    let mut writer = csv::Writer::from_writer(BOM.as_bytes().to_vec());
    let failed = |e: csv::Error| Problem::internal("could not write CSV").with_cause(e.to_string());
    writer.write_record(header).map_err(failed)?;
    for row in rows {
        writer.write_record(row).map_err(failed)?;
    }
    writer
        .into_inner()
        .map_err(|e| Problem::internal("could not write CSV").with_cause(e.to_string()))
}

fn csv_response(name: &str, bytes: Vec<u8>) -> Response {
    let disposition = format!("attachment; filename=\"{name}.csv\"");
    edge::respond::bytes(
        200,
        &[
            ("content-type", "text/csv; charset=utf-8"),
            ("content-disposition", &disposition),
        ],
        bytes,
    )
}

/// The text of a JSON value in a CSV cell (null as empty).
fn cell(value: &Value) -> String {
    match value {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Rows of JSON objects as CSV, the columns in `header` order.
fn table_csv(name: &str, header: &[&str], rows: &[Value]) -> HandlerResult {
    let cells: Vec<Vec<String>> = rows
        .iter()
        .map(|row| header.iter().map(|h| cell(&row[*h])).collect())
        .collect();
    Ok(csv_response(name, csv_bytes(header, &cells)?))
}

const FIGURE_COLUMNS: [&str; 15] = [
    "start",
    "received",
    "closed",
    "declined",
    "closure_rate",
    "fixed_on_the_spot",
    "on_time_rate",
    "reopened",
    "average_response_hours",
    "median_response_hours",
    "average_resolution_hours",
    "median_resolution_hours",
    "rated",
    "average_rating",
    "satisfaction_rate",
];

/// `GET …/dashboard/export/{figures,departments,grids,cases}`.
pub fn export_table(ctx: &mut Ctx) -> HandlerResult {
    let table = ctx.param("table")?.to_string();
    let filter = query::filter(ctx)?;
    query::check_node(ctx, &filter)?;
    // Every parameter is checked, whichever table reads it.
    let period = figures::period(ctx)?;
    let format = match ctx.query_value("format").as_deref() {
        None | Some("csv") => Format::Csv,
        Some("geojson") => Format::GeoJson,
        Some(_) => return Err(Problem::validation("format", "format is csv or geojson")),
    };
    if format == Format::GeoJson && table != "cases" {
        return Err(Problem::unprocessable(
            "format",
            "only the cases export has a GeoJSON form (its points)",
        ));
    }
    match table.as_str() {
        "figures" => {
            let days = ctx.scope()?.stats_by_day(&filter)?;
            let (series, _) = figures::series_json(&days, period);
            let rows = series.as_array().cloned().unwrap_or_default();
            table_csv("figures", &FIGURE_COLUMNS, &rows)
        }
        "departments" => {
            let rows = league::department_rows(ctx, &filter)?;
            table_csv(
                "departments",
                &[
                    "rank",
                    "code",
                    "name",
                    "closed",
                    "on_time_rate",
                    "average_resolution_hours",
                    "median_resolution_hours",
                    "satisfaction_rate",
                ],
                &rows,
            )
        }
        "grids" => {
            let mut rows = league::grid_rows(ctx, &filter)?.rows;
            // The 未定位 row is named in the file, as the grids are.
            for row in rows.iter_mut().filter(|r| r["unplaced"] == true) {
                row["name"] = json!(UNPLACED);
            }
            table_csv(
                "grids",
                &[
                    "rank",
                    "code",
                    "name",
                    "households",
                    "received",
                    "reports_per_household",
                    "fixed_on_the_spot",
                    "on_the_spot_rate",
                ],
                &rows,
            )
        }
        "cases" => export_cases(ctx, filter, format),
        _ => Err(Problem::not_found(
            "exports are figures, departments, grids and cases",
        )),
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Format {
    Csv,
    GeoJson,
}

const CASE_COLUMNS: [&str; 14] = [
    "tracking_code",
    "category",
    "state",
    "source",
    "priority",
    "department",
    "grid",
    "reported_at",
    "dispatched_at",
    "resolution_due_at",
    "resolved_at",
    "closed_at",
    "on_time",
    "rating",
];

/// Names of departments and grid nodes, looked up once each.
struct Names {
    departments: HashMap<i64, String>,
    grids: HashMap<i64, String>,
}

impl Names {
    fn grid(&mut self, scope: &TenantScope<'_, SpinDb>, node: Option<GridNodeId>) -> String {
        let Some(node) = node else {
            return String::new();
        };
        self.grids
            .entry(node.0)
            .or_insert_with(|| {
                scope
                    .grid_node(node)
                    .ok()
                    .flatten()
                    .map(|g| g.code.as_str().to_string())
                    .unwrap_or_default()
            })
            .clone()
    }
}

fn case_cells(case: &Case, names: &mut Names, scope: &TenantScope<'_, SpinDb>) -> Vec<String> {
    let time =
        |t: Option<chrono::DateTime<chrono::Utc>>| t.map(|t| t.to_rfc3339()).unwrap_or_default();
    let on_time = match (case.closed_at, case.resolution_due_at) {
        (None, _) => String::new(),
        (Some(_), None) => "true".into(),
        (Some(closed), Some(due)) => (case.resolved_at.unwrap_or(closed) <= due).to_string(),
    };
    vec![
        case.tracking_code.as_str().to_string(),
        case.category.clone(),
        case.state.as_str().to_string(),
        case.source.as_str().to_string(),
        case.priority.as_str().to_string(),
        case.department
            .and_then(|d| names.departments.get(&d).cloned())
            .unwrap_or_default(),
        names.grid(scope, case.grid_node),
        case.created_at.to_rfc3339(),
        time(case.dispatched_at),
        time(case.resolution_due_at),
        time(case.resolved_at),
        time(case.closed_at),
        on_time,
        case.rating.map(|r| r.to_string()).unwrap_or_default(),
    ]
}

fn case_feature(case: &Case, cells: &[String]) -> Value {
    let properties: serde_json::Map<String, Value> = CASE_COLUMNS
        .iter()
        .zip(cells)
        .map(|(k, v)| (k.to_string(), json!(v)))
        .collect();
    json!({
        "type": "Feature",
        "geometry": case.location.map(|l| json!({
            "type": "Point",
            "coordinates": [l.longitude(), l.latitude()],
        })),
        "properties": properties,
    })
}

/// Streams the cases reported in the period, `PAGE` at a time.
fn export_cases(ctx: &mut Ctx, filter: StatsFilter, format: Format) -> HandlerResult {
    let tenant: Tenant = ctx.tenant()?;
    let departments = ctx
        .scope()?
        .list_departments()?
        .into_iter()
        .map(|d| (d.id, d.code.as_str().to_string()))
        .collect();
    let db = ctx.own_db()?;
    let mut names = Names {
        departments,
        grids: HashMap::new(),
    };
    let mut after: Option<CaseId> = None;
    let mut started = false;
    let mut finished = false;
    let next = move || -> Result<Option<Vec<u8>>, Problem> {
        if finished {
            return Ok(None);
        }
        let scope = TenantScope::new(&db, &tenant);
        let page = scope.cases_for_export(&filter, after, PAGE)?;
        after = page.last().map(|c| c.id).or(after);
        let last = page.len() < PAGE as usize;
        let mut chunk = Vec::new();
        if !started {
            started = true;
            match format {
                Format::Csv => chunk.extend(csv_bytes(&CASE_COLUMNS, &[])?),
                Format::GeoJson => chunk.extend(b"{\"type\":\"FeatureCollection\",\"features\":["),
            }
        } else if format == Format::GeoJson && !page.is_empty() {
            chunk.push(b',');
        }
        let rows: Vec<Vec<String>> = page
            .iter()
            .map(|case| case_cells(case, &mut names, &scope))
            .collect();
        match format {
            Format::Csv => {
                let mut writer = csv::Writer::from_writer(Vec::new());
                for row in &rows {
                    writer.write_record(row).map_err(|e| {
                        Problem::internal("could not write CSV").with_cause(e.to_string())
                    })?;
                }
                chunk.extend(writer.into_inner().map_err(|e| {
                    Problem::internal("could not write CSV").with_cause(e.to_string())
                })?);
            }
            Format::GeoJson => {
                let features: Vec<String> = page
                    .iter()
                    .zip(&rows)
                    .map(|(case, cells)| case_feature(case, cells).to_string())
                    .collect();
                chunk.extend(features.join(",").into_bytes());
                if last {
                    chunk.extend(b"]}");
                }
            }
        }
        finished = last;
        Ok(Some(chunk))
    };
    let (content_type, extension) = match format {
        Format::Csv => ("text/csv; charset=utf-8", "csv"),
        Format::GeoJson => ("application/geo+json", "geojson"),
    };
    ctx.set_stream(Stream {
        content_type: content_type.into(),
        filename: Some(format!("cases.{extension}")),
        next: Box::new(next),
    });
    // Replaced by the stream; a router without streaming would send it.
    Ok(edge::respond::empty(200, &[]))
}
