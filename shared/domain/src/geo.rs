//! Grid geometry: a point or a polygon a grid node may carry, so that a location can be
//! resolved to its micro-grid.
//!
//! Parsed from a GeoJSON *geometry* object (RFC 7946 §3.1): `Point`, `Polygon` or
//! `MultiPolygon`, positions `[lon, lat]` in range, rings closed with at least four
//! positions. The types keep those invariants: a [`Position`] is finite and in range, a
//! [`Ring`] is closed, a [`Polygon`] has an exterior ring, a [`MultiPolygon`] at least one
//! polygon. Winding order is not checked (RFC 7946 asks parsers not to reject on it).

use crate::problem::Problem;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Value, json};

/// The largest latitude, north or south, in degrees.
pub const MAX_LATITUDE: f64 = 90.0;
/// The largest longitude, east or west, in degrees.
pub const MAX_LONGITUDE: f64 = 180.0;

/// A `[lon, lat]` position in WGS 84 degrees: finite, longitude within ±180, latitude
/// within ±90.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Position {
    lon: f64,
    lat: f64,
}

// Positions are finite by construction (no NaN), so equality is an equivalence.
impl Eq for Position {}

impl Position {
    pub fn new(lon: f64, lat: f64) -> Result<Position, Problem> {
        if !(-MAX_LONGITUDE..=MAX_LONGITUDE).contains(&lon) {
            return Err(Problem::validation(
                "lon",
                "longitude must be between -180 and 180 (GeoJSON positions are [lon, lat])",
            ));
        }
        if !(-MAX_LATITUDE..=MAX_LATITUDE).contains(&lat) {
            return Err(Problem::validation(
                "lat",
                "latitude must be between -90 and 90 (GeoJSON positions are [lon, lat])",
            ));
        }
        Ok(Position { lon, lat })
    }

    pub fn lon(self) -> f64 {
        self.lon
    }

    pub fn lat(self) -> f64 {
        self.lat
    }
}

/// A closed linear ring: at least four positions, the last equal to the first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ring(Vec<Position>);

impl Ring {
    pub fn new(positions: Vec<Position>) -> Result<Ring, Problem> {
        if positions.len() < 4 {
            return Err(Problem::validation(
                "ring",
                "a linear ring needs at least 4 positions (the last repeating the first)",
            ));
        }
        if positions.first() != positions.last() {
            // That the last position repeats the first, a schema cannot say.
            return Err(Problem::unprocessable(
                "ring",
                "a linear ring must be closed: its last position must equal its first",
            ));
        }
        Ok(Ring(positions))
    }

    pub fn positions(&self) -> &[Position] {
        &self.0
    }

    /// Whether a horizontal ray from the point crosses this ring an odd number of times.
    /// Half-open on edges, so a point on an edge shared by two tiles falls in exactly one.
    fn crossings_odd(&self, lat: f64, lon: f64) -> bool {
        let mut inside = false;
        for edge in self.0.windows(2) {
            let (a, b) = (edge[0], edge[1]);
            if (a.lat > lat) != (b.lat > lat) {
                let lon_at = a.lon + (lat - a.lat) / (b.lat - a.lat) * (b.lon - a.lon);
                if lon < lon_at {
                    inside = !inside;
                }
            }
        }
        inside
    }
}

/// An exterior ring and any number of holes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Polygon {
    rings: Vec<Ring>,
}

impl Polygon {
    pub fn new(exterior: Ring, holes: Vec<Ring>) -> Polygon {
        let mut rings = Vec::with_capacity(holes.len() + 1);
        rings.push(exterior);
        rings.extend(holes);
        Polygon { rings }
    }

    pub fn exterior(&self) -> &Ring {
        &self.rings[0]
    }

    pub fn holes(&self) -> &[Ring] {
        &self.rings[1..]
    }

    pub fn rings(&self) -> &[Ring] {
        &self.rings
    }

    /// Even-odd over all rings: inside the exterior and not inside a hole.
    fn contains(&self, lat: f64, lon: f64) -> bool {
        self.rings
            .iter()
            .filter(|r| r.crossings_odd(lat, lon))
            .count()
            % 2
            == 1
    }
}

/// One or more polygons.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MultiPolygon(Vec<Polygon>);

impl MultiPolygon {
    pub fn new(first: Polygon, rest: Vec<Polygon>) -> MultiPolygon {
        let mut all = Vec::with_capacity(rest.len() + 1);
        all.push(first);
        all.extend(rest);
        MultiPolygon(all)
    }

    pub fn polygons(&self) -> &[Polygon] {
        &self.0
    }
}

/// A grid node's shape. (De)serialises as a GeoJSON geometry object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Geometry {
    Point(Position),
    Polygon(Polygon),
    MultiPolygon(MultiPolygon),
}

/// A bounding box in degrees; the store keeps it in columns to narrow spatial searches.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BBox {
    pub min_lat: f64,
    pub min_lon: f64,
    pub max_lat: f64,
    pub max_lon: f64,
}

impl BBox {
    pub fn contains(&self, lat: f64, lon: f64) -> bool {
        (self.min_lat..=self.max_lat).contains(&lat) && (self.min_lon..=self.max_lon).contains(&lon)
    }

    fn of(positions: impl Iterator<Item = Position>) -> BBox {
        let mut b = BBox {
            min_lat: f64::INFINITY,
            min_lon: f64::INFINITY,
            max_lat: f64::NEG_INFINITY,
            max_lon: f64::NEG_INFINITY,
        };
        for p in positions {
            b.min_lat = b.min_lat.min(p.lat);
            b.min_lon = b.min_lon.min(p.lon);
            b.max_lat = b.max_lat.max(p.lat);
            b.max_lon = b.max_lon.max(p.lon);
        }
        b
    }
}

impl Geometry {
    /// Parses a GeoJSON geometry object; a problem names the field as `geometry.…`.
    pub fn from_geojson(value: &Value) -> Result<Geometry, Problem> {
        Self::from_geojson_at(value, "geometry")
    }

    /// Like [`Geometry::from_geojson`], naming fields under `path` (e.g.
    /// `nodes[2].geometry`), for geometries nested in a larger document.
    pub fn from_geojson_at(value: &Value, path: &str) -> Result<Geometry, Problem> {
        let object = value.as_object().ok_or_else(|| {
            Problem::validation(path, "a geometry must be a GeoJSON geometry object")
        })?;
        let kind = object.get("type").and_then(Value::as_str).ok_or_else(|| {
            Problem::validation(format!("{path}.type"), "a geometry needs a \"type\"")
        })?;
        let coordinates = object.get("coordinates").ok_or_else(|| {
            Problem::validation(
                format!("{path}.coordinates"),
                "a geometry needs \"coordinates\"",
            )
        })?;
        let at = format!("{path}.coordinates");
        match kind {
            "Point" => Ok(Geometry::Point(position(coordinates, &at)?)),
            "Polygon" => Ok(Geometry::Polygon(polygon(coordinates, &at)?)),
            "MultiPolygon" => {
                let items = array(coordinates, &at, "an array of polygons")?;
                let mut polygons = items
                    .iter()
                    .enumerate()
                    .map(|(i, p)| polygon(p, &format!("{at}[{i}]")))
                    .collect::<Result<Vec<_>, _>>()?
                    .into_iter();
                let first = polygons.next().ok_or_else(|| {
                    Problem::validation(&at, "a MultiPolygon needs at least one polygon")
                })?;
                Ok(Geometry::MultiPolygon(MultiPolygon::new(
                    first,
                    polygons.collect(),
                )))
            }
            _ => Err(Problem::validation(
                format!("{path}.type"),
                "geometry type must be Point, Polygon or MultiPolygon",
            )),
        }
    }

    /// An axis-aligned rectangle polygon, wound counter-clockwise as RFC 7946 recommends.
    pub fn rectangle(
        min_lon: f64,
        min_lat: f64,
        max_lon: f64,
        max_lat: f64,
    ) -> Result<Geometry, Problem> {
        let corners = [
            (min_lon, min_lat),
            (max_lon, min_lat),
            (max_lon, max_lat),
            (min_lon, max_lat),
            (min_lon, min_lat),
        ];
        let positions = corners
            .iter()
            .map(|&(lon, lat)| Position::new(lon, lat))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Geometry::Polygon(Polygon::new(
            Ring::new(positions)?,
            Vec::new(),
        )))
    }

    pub fn to_geojson(&self) -> Value {
        fn pos(p: &Position) -> Value {
            json!([p.lon, p.lat])
        }
        fn poly(p: &Polygon) -> Value {
            Value::Array(
                p.rings
                    .iter()
                    .map(|r| Value::Array(r.0.iter().map(pos).collect()))
                    .collect(),
            )
        }
        match self {
            Geometry::Point(p) => json!({"type": "Point", "coordinates": pos(p)}),
            Geometry::Polygon(p) => json!({"type": "Polygon", "coordinates": poly(p)}),
            Geometry::MultiPolygon(m) => json!({
                "type": "MultiPolygon",
                "coordinates": Value::Array(m.0.iter().map(poly).collect()),
            }),
        }
    }

    pub fn bbox(&self) -> BBox {
        match self {
            Geometry::Point(p) => BBox::of(std::iter::once(*p)),
            // Holes lie inside the exterior, so the exterior alone bounds a polygon.
            Geometry::Polygon(p) => BBox::of(p.exterior().0.iter().copied()),
            Geometry::MultiPolygon(m) => {
                BBox::of(m.0.iter().flat_map(|p| p.exterior().0.iter().copied()))
            }
        }
    }

    /// Whether the point lies inside (even-odd rule, holes excluded). A point geometry
    /// has no area and contains nothing.
    pub fn contains(&self, lat: f64, lon: f64) -> bool {
        match self {
            Geometry::Point(_) => false,
            Geometry::Polygon(p) => p.contains(lat, lon),
            Geometry::MultiPolygon(m) => m.0.iter().any(|p| p.contains(lat, lon)),
        }
    }
}

fn array<'v>(value: &'v Value, at: &str, what: &str) -> Result<&'v Vec<Value>, Problem> {
    value
        .as_array()
        .ok_or_else(|| Problem::validation(at, format!("expected {what}")))
}

fn position(value: &Value, at: &str) -> Result<Position, Problem> {
    let items = array(value, at, "a position [lon, lat]")?;
    let numbers: Option<Vec<f64>> = items.iter().map(Value::as_f64).collect();
    match numbers.as_deref() {
        // A third number (altitude) is allowed by GeoJSON and ignored here.
        Some([lon, lat] | [lon, lat, _]) => {
            Position::new(*lon, *lat).map_err(|p| Problem::validation(at, p.detail))
        }
        _ => Err(Problem::validation(
            at,
            "a position must be [lon, lat]: two numbers",
        )),
    }
}

fn ring(value: &Value, at: &str) -> Result<Ring, Problem> {
    let items = array(value, at, "a linear ring: an array of positions")?;
    let positions = items
        .iter()
        .enumerate()
        .map(|(i, p)| position(p, &format!("{at}[{i}]")))
        .collect::<Result<Vec<_>, _>>()?;
    Ring::new(positions).map_err(|p| p.with_field(at))
}

fn polygon(value: &Value, at: &str) -> Result<Polygon, Problem> {
    let items = array(value, at, "a polygon: an array of linear rings")?;
    let mut rings = items
        .iter()
        .enumerate()
        .map(|(i, r)| ring(r, &format!("{at}[{i}]")))
        .collect::<Result<Vec<_>, _>>()?
        .into_iter();
    let exterior = rings
        .next()
        .ok_or_else(|| Problem::validation(at, "a polygon needs an exterior ring"))?;
    Ok(Polygon::new(exterior, rings.collect()))
}

impl Serialize for Geometry {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.to_geojson().serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for Geometry {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = Value::deserialize(deserializer)?;
        Geometry::from_geojson(&value).map_err(|p| {
            serde::de::Error::custom(format!("{} ({})", p.detail, p.field.unwrap_or_default()))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Parses `input`; `Ok` expects the geometry's GeoJSON to round-trip to itself,
    /// `Err((field, fragment))` the problem's field and a fragment of its detail.
    fn check(input: Value, expected: Result<(), (&str, &str)>) {
        match (Geometry::from_geojson(&input), expected) {
            (Ok(g), Ok(())) => assert_eq!(g.to_geojson(), input),
            (Err(p), Err((field, fragment))) => {
                assert_eq!(p.field.as_deref(), Some(field), "{input}: {}", p.detail);
                assert!(p.detail.contains(fragment), "{input}: {}", p.detail);
            }
            (actual, expected) => panic!("{input}: got {actual:?}, expected {expected:?}"),
        }
    }

    fn square() -> Value {
        json!([[0.0, 0.0], [4.0, 0.0], [4.0, 4.0], [0.0, 4.0], [0.0, 0.0]])
    }

    fn hole() -> Value {
        json!([[1.0, 1.0], [1.0, 2.0], [2.0, 2.0], [2.0, 1.0], [1.0, 1.0]])
    }

    #[test]
    fn parsing() {
        check(
            json!({"type": "Point", "coordinates": [120.1, 30.2]}),
            Ok(()),
        );
        check(
            json!({"type": "Polygon", "coordinates": [square()]}),
            Ok(()),
        );
        check(
            json!({"type": "Polygon", "coordinates": [square(), hole()]}),
            Ok(()),
        );
        check(
            json!({"type": "MultiPolygon", "coordinates": [[square()], [hole()]]}),
            Ok(()),
        );
        check(json!([1, 2]), Err(("geometry", "geometry object")));
        check(
            json!({"coordinates": [1, 2]}),
            Err(("geometry.type", "type")),
        );
        check(
            json!({"type": "LineString", "coordinates": [[1, 2], [3, 4]]}),
            Err(("geometry.type", "Point, Polygon or MultiPolygon")),
        );
        check(
            json!({"type": "Point"}),
            Err(("geometry.coordinates", "coordinates")),
        );
        check(
            json!({"type": "Point", "coordinates": [30.2, 190.0]}),
            Err(("geometry.coordinates", "latitude")),
        );
        check(
            json!({"type": "Point", "coordinates": [181, 0]}),
            Err(("geometry.coordinates", "longitude")),
        );
        check(
            json!({"type": "Point", "coordinates": ["120", "30"]}),
            Err(("geometry.coordinates", "two numbers")),
        );
        check(
            json!({"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 1], [0, 0]], [[0, 0], [1, 0], [1, 1], [0, 100]]]}),
            Err(("geometry.coordinates[1][3]", "latitude")),
        );
        check(
            json!({"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [0, 0]]]}),
            Err(("geometry.coordinates[0]", "at least 4")),
        );
        check(
            json!({"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 1]]]}),
            Err(("geometry.coordinates[0]", "closed")),
        );
        check(
            json!({"type": "Polygon", "coordinates": []}),
            Err(("geometry.coordinates", "exterior")),
        );
        check(
            json!({"type": "MultiPolygon", "coordinates": []}),
            Err(("geometry.coordinates", "at least one polygon")),
        );
        check(
            json!({"type": "MultiPolygon", "coordinates": [[square()], [[[0, 0], [1, 0]]]]}),
            Err(("geometry.coordinates[1][0]", "at least 4")),
        );
    }

    #[test]
    fn a_third_coordinate_is_ignored_and_serde_round_trips() {
        let g = Geometry::from_geojson(&json!({"type": "Point", "coordinates": [1, 2, 3]}))
            .expect("point with altitude");
        assert_eq!(g, Geometry::Point(Position::new(1.0, 2.0).expect("pos")));
        let text = serde_json::to_string(&g).expect("serialise");
        assert_eq!(serde_json::from_str::<Geometry>(&text).expect("parse"), g);
        assert!(serde_json::from_str::<Geometry>(r#"{"type":"Point"}"#).is_err());
    }

    fn check_contains(geometry: Value, lat: f64, lon: f64, expected: bool) {
        let g = Geometry::from_geojson(&geometry).expect("valid");
        assert_eq!(
            g.contains(lat, lon),
            expected,
            "{geometry} ∋ ({lat}, {lon})"
        );
    }

    #[test]
    fn containment() {
        let poly = json!({"type": "Polygon", "coordinates": [square()]});
        let holed = json!({"type": "Polygon", "coordinates": [square(), hole()]});
        let multi = json!({"type": "MultiPolygon", "coordinates": [[square()], [[[10, 10], [11, 10], [11, 11], [10, 11], [10, 10]]]]});
        let point = json!({"type": "Point", "coordinates": [1, 1]});
        check_contains(poly.clone(), 2.0, 2.0, true);
        check_contains(poly.clone(), 0.5, 3.5, true);
        check_contains(poly.clone(), 5.0, 2.0, false);
        check_contains(poly.clone(), 2.0, -0.1, false);
        check_contains(holed.clone(), 1.5, 1.5, false);
        check_contains(holed.clone(), 3.0, 3.0, true);
        check_contains(multi.clone(), 10.5, 10.5, true);
        check_contains(multi.clone(), 2.0, 2.0, true);
        check_contains(multi, 7.0, 7.0, false);
        check_contains(point, 1.0, 1.0, false);
        // A concave "L": the notch is outside.
        let l = json!({"type": "Polygon", "coordinates": [[[0, 0], [2, 0], [2, 1], [1, 1], [1, 2], [0, 2], [0, 0]]]});
        check_contains(l.clone(), 0.5, 0.5, true);
        check_contains(l.clone(), 1.5, 0.5, true);
        check_contains(l, 1.5, 1.5, false);
    }

    #[test]
    fn bounding_boxes() {
        let g = Geometry::from_geojson(&json!({"type": "MultiPolygon", "coordinates": [[square()], [[[10, -1], [11, -1], [11, 11], [10, 11], [10, -1]]]]})).expect("valid");
        assert_eq!(
            g.bbox(),
            BBox {
                min_lat: -1.0,
                min_lon: 0.0,
                max_lat: 11.0,
                max_lon: 11.0
            }
        );
        let p = Geometry::Point(Position::new(120.1, 30.2).expect("pos"));
        assert!(p.bbox().contains(30.2, 120.1));
    }

    proptest! {
        #[test]
        fn rectangles_contain_their_inside_and_not_beyond_their_bbox(
            min_lon in -179.0f64..179.0,
            min_lat in -89.0f64..89.0,
            width in 0.0001f64..1.0,
            height in 0.0001f64..1.0,
            fx in 0.01f64..0.99,
            fy in 0.01f64..0.99,
            out_dx in 0.0001f64..1.0,
            out_side in 0usize..4,
        ) {
            let (max_lon, max_lat) = (min_lon + width, min_lat + height);
            let g = Geometry::rectangle(min_lon, min_lat, max_lon, max_lat).expect("in range");
            let (lon, lat) = (min_lon + fx * width, min_lat + fy * height);
            prop_assert!(g.contains(lat, lon));
            let (olat, olon) = match out_side {
                0 => (lat, max_lon + out_dx),
                1 => (lat, min_lon - out_dx),
                2 => (max_lat + out_dx, lon),
                _ => (min_lat - out_dx, lon),
            };
            prop_assert!(!g.bbox().contains(olat, olon));
            prop_assert!(!g.contains(olat, olon));
        }
    }
}
