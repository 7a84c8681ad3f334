//! A report becomes a case in state `reported` with a public tracking code.
//! Residents report without an account; a grid worker's token marks the
//! case as theirs.

use chrono::Utc;
use domain::{CaseSource, GridNodeId, Location, Problem, Role, TrackingCode};
use edge::{Ctx, HandlerResult, json};
use serde::Deserialize;
use serde_json::json;
use store::NewCase;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReportBody {
    category: String,
    description: String,
    latitude: Option<f64>,
    longitude: Option<f64>,
    grid_node_id: Option<i64>,
}

pub fn submit_report(ctx: &mut Ctx) -> HandlerResult {
    // The route admits anyone, and checks a token if one is sent.
    let (source, reporter) = match ctx.optional_caller() {
        None => (CaseSource::Resident, None),
        Some(caller) if caller.user.role == Role::Agent => {
            (CaseSource::Agent, Some(caller.user.id))
        }
        Some(caller) => (CaseSource::GridWorker, Some(caller.user.id)),
    };
    let body: ReportBody = ctx.json_body()?;
    let location = parse_location(body.latitude, body.longitude)?;
    let category = body.category.trim();
    if category.is_empty() {
        return Err(Problem::validation("category", "choose a category"));
    }
    let description = body.description.trim();
    if description.is_empty() || description.chars().count() > 4000 {
        return Err(Problem::validation(
            "description",
            "describe the problem in 1 to 4000 characters",
        ));
    }
    let new_case = |tracking_code| NewCase {
        tracking_code,
        category: category.to_string(),
        description: description.to_string(),
        grid_node: body.grid_node_id.map(GridNodeId),
        location,
        source,
        reporter,
    };
    let scope = ctx.scope()?;
    // 50 random bits make a collision rare, not impossible: draw again.
    let mut attempt = 0;
    let case = loop {
        let code = TrackingCode::from_random(edge::random_bytes::<8>()?);
        match scope.insert_case(new_case(code), Utc::now()) {
            Err(store::Error::Conflict(_)) if attempt < 3 => attempt += 1,
            other => break other?,
        }
    };
    Ok(json(
        201,
        &json!({
            "id": case.id.0,
            "tracking_code": case.tracking_code.as_str(),
            "state": case.state,
            "created_at": case.created_at.to_rfc3339(),
        }),
    ))
}

fn parse_location(
    latitude: Option<f64>,
    longitude: Option<f64>,
) -> Result<Option<Location>, Problem> {
    match (latitude, longitude) {
        (None, None) => Ok(None),
        (Some(lat), Some(lon)) => Location::new(lat, lon).map(Some),
        (Some(_), None) => Err(Problem::validation("longitude", "give both coordinates")),
        (None, Some(_)) => Err(Problem::validation("latitude", "give both coordinates")),
    }
}
