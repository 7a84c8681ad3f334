//! The `analytics` component: the command centre's picture of the area
//! (用数据说话) — figures for any grid node, category, department and
//! period, hot spots, spike alerts, league tables, and exports (streamed).
//! Everything reads the figures the store keeps on every case change
//! (`case_stats`), never a scan of the cases, except the case lists.

mod export;
mod figures;
mod hotspots;
mod league;
mod query;
mod triage;

use edge::router::Handler;
use spin_sdk::http::{IncomingRequest, ResponseOutparam};
use spin_sdk::http_component;

#[http_component]
async fn handle(request: IncomingRequest, out: ResponseOutparam) {
    edge::Router::new(api::ANALYTICS, handler_for)
        .serve(request, out)
        .await
}

fn handler_for(operation: &str) -> Option<Handler> {
    Some(match operation {
        "getFigures" => figures::get_figures,
        "rebuildFigures" => figures::rebuild,
        "getHotspots" => hotspots::get_hotspots,
        "getSpikeAlerts" => hotspots::get_alerts,
        "getDepartmentLeague" => league::departments,
        "getGridLeague" => league::grids,
        "exportTable" => export::export_table,
        "getTriageFigures" => triage::get_triage_figures,
        _ => return None,
    })
}
