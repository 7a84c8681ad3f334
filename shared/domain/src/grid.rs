//! The four-level grid (网格) a tenant's territory is divided into.
//!
//! Cases are placed on grid nodes and escalate up them, so the tree shape is an
//! invariant: the root is a township (level 1) and every child is exactly one level
//! below its parent. The store checks it with [`GridLevel::can_be_child_of`].

use crate::geo::Geometry;
use crate::problem::Problem;
use serde::{Deserialize, Serialize};
use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GridLevel {
    /// 乡镇/街道: the level-1 grid; one per tenant in practice.
    Township = 1,
    /// 社区/行政村.
    Community = 2,
    /// 网格: 3 to 5 per community.
    Grid = 3,
    /// 微网格: a building or a few households.
    MicroGrid = 4,
}

impl GridLevel {
    pub const ALL: [GridLevel; 4] = [Self::Township, Self::Community, Self::Grid, Self::MicroGrid];

    /// The level number, as stored and as the report counts them (1..=4).
    pub fn number(self) -> i64 {
        self as i64
    }

    pub fn from_number(n: i64) -> Option<Self> {
        Self::ALL.into_iter().find(|l| l.number() == n)
    }

    /// Stable wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Township => "township",
            Self::Community => "community",
            Self::Grid => "grid",
            Self::MicroGrid => "micro_grid",
        }
    }

    pub fn parse(s: &str) -> Result<Self, Problem> {
        Self::ALL
            .into_iter()
            .find(|l| l.as_str() == s)
            .ok_or_else(|| {
                Problem::validation(
                    "level",
                    "grid level must be one of: township, community, grid, micro_grid",
                )
            })
    }

    pub fn name_zh(self) -> &'static str {
        match self {
            Self::Township => "乡镇/街道",
            Self::Community => "社区/行政村",
            Self::Grid => "网格",
            Self::MicroGrid => "微网格",
        }
    }

    pub fn name_en(self) -> &'static str {
        match self {
            Self::Township => "township or street",
            Self::Community => "community or village",
            Self::Grid => "grid",
            Self::MicroGrid => "micro-grid",
        }
    }

    pub fn child(self) -> Option<Self> {
        Self::from_number(self.number() + 1)
    }

    pub fn parent(self) -> Option<Self> {
        Self::from_number(self.number() - 1)
    }

    /// Whether a node of this level may hang under a node of `parent` level (`None`:
    /// be a root). Skipping a level would break escalation, which walks one level up.
    pub fn can_be_child_of(self, parent: Option<GridLevel>) -> bool {
        match parent {
            None => self == Self::Township,
            Some(p) => p.child() == Some(self),
        }
    }
}

impl fmt::Display for GridLevel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct GridNodeId(pub i64);

/// A tenant's own code for a grid node, e.g. the administrative division code
/// `330782-101-003` or `JK_07`. Unique within a tenant.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct GridCode(String);

impl GridCode {
    pub const MAX_LEN: usize = 40;

    /// ASCII letters, digits, `-` and `_`, 1 to 40 characters: safe in URLs and CSV.
    pub fn parse(s: &str) -> Result<Self, Problem> {
        if s.is_empty() || s.len() > Self::MAX_LEN {
            return Err(Problem::validation(
                "code",
                format!("grid code must be 1 to {} characters long", Self::MAX_LEN),
            ));
        }
        if !s
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        {
            return Err(Problem::validation(
                "code",
                "grid code may contain only ASCII letters, digits, '-' and '_'",
            ));
        }
        Ok(Self(s.to_owned()))
    }

    /// What [`GridCode::parse`] takes, as a regular expression.
    pub fn pattern() -> String {
        format!("^[A-Za-z0-9_-]{{1,{}}}$", Self::MAX_LEN)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for GridCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for GridCode {
    type Error = Problem;
    fn try_from(s: String) -> Result<Self, Problem> {
        Self::parse(&s)
    }
}

impl From<GridCode> for String {
    fn from(c: GridCode) -> String {
        c.0
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GridNode {
    pub id: GridNodeId,
    pub parent: Option<GridNodeId>,
    pub level: GridLevel,
    pub code: GridCode,
    pub name: String,
    /// Retired nodes keep their history (old cases point at them) but take no new cases.
    pub retired: bool,
    /// Its point or outline, if known: how a location is resolved to a micro-grid.
    pub geometry: Option<Geometry>,
    /// How many households live there (usually given for micro-grids).
    pub households: Option<i64>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(input: &str, expected: Result<&str, &str>) {
        match (GridCode::parse(input), expected) {
            (Ok(code), Ok(want)) => assert_eq!(code.as_str(), want),
            (Err(p), Err(fragment)) => {
                assert_eq!(p.field.as_deref(), Some("code"));
                assert!(p.detail.contains(fragment), "{input:?}: {}", p.detail);
            }
            (actual, expected) => panic!("{input:?}: got {actual:?}, expected {expected:?}"),
        }
    }

    #[test]
    fn grid_codes() {
        check("A", Ok("A"));
        check("330782-101_003", Ok("330782-101_003"));
        check(&"9".repeat(40), Ok(&"9".repeat(40)));
        check("", Err("1 to 40"));
        check(&"9".repeat(41), Err("1 to 40"));
        check("a b", Err("only ASCII"));
        check("网格1", Err("only ASCII"));
        check("a/b", Err("only ASCII"));
    }

    fn check_child(child: GridLevel, parent: Option<GridLevel>, expected: bool) {
        assert_eq!(
            child.can_be_child_of(parent),
            expected,
            "{child:?} under {parent:?}"
        );
    }

    #[test]
    fn level_rule() {
        use GridLevel::*;
        check_child(Township, None, true);
        check_child(Community, None, false);
        check_child(MicroGrid, None, false);
        check_child(Community, Some(Township), true);
        check_child(Grid, Some(Community), true);
        check_child(MicroGrid, Some(Grid), true);
        check_child(Grid, Some(Township), false);
        check_child(Township, Some(Township), false);
        check_child(Community, Some(Grid), false);
        check_child(MicroGrid, Some(MicroGrid), false);
    }

    #[test]
    fn levels_link_up_and_down() {
        assert_eq!(GridLevel::Township.parent(), None);
        assert_eq!(GridLevel::MicroGrid.child(), None);
        for level in GridLevel::ALL {
            if let Some(c) = level.child() {
                assert_eq!(c.parent(), Some(level));
            }
            assert_eq!(GridLevel::from_number(level.number()), Some(level));
            assert_eq!(GridLevel::parse(level.as_str()), Ok(level));
            let json = serde_json::to_string(&level).expect("serialise");
            assert_eq!(json, format!("\"{}\"", level.as_str()));
        }
        assert_eq!(GridLevel::from_number(0), None);
        assert_eq!(GridLevel::from_number(5), None);
        assert_eq!(GridLevel::MicroGrid.name_zh(), "微网格");
    }
}
