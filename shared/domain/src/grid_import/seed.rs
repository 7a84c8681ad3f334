//! The seed zone: the report's demo area (8 townships down to 7,349 micro-grids),
//! generated deterministically as import rows that tile one another.

use super::GridImportRow;
use crate::geo::Geometry;
use crate::grid::{GridCode, GridLevel};

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
    use super::super::plan_import;
    use super::*;
    use std::collections::HashMap;

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
