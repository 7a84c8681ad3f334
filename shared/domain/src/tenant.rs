//! Tenants: one township, street or district per tenant, isolated from all others.
//!
//! The tenant code appears in URLs and in tokens, so it is restricted to a small,
//! unambiguous alphabet and checked once, here.

use crate::problem::Problem;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::fmt;

/// A tenant's URL-safe code, e.g. `jinkai` or `xinglong-street`. Valid by construction.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct TenantCode(String);

impl TenantCode {
    pub const MIN_LEN: usize = 2;
    pub const MAX_LEN: usize = 32;

    /// Lowercase ASCII letters, digits and `-`; starts with a letter; does not end in `-`.
    /// Upper case is refused rather than folded so that one tenant has one spelling.
    pub fn parse(s: &str) -> Result<Self, Problem> {
        let bad = |why: &str| Err(Problem::validation("tenant", format!("tenant code {why}")));
        if !(Self::MIN_LEN..=Self::MAX_LEN).contains(&s.len()) {
            return bad("must be 2 to 32 characters long");
        }
        if !s
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        {
            return bad("may contain only lowercase letters, digits and '-'");
        }
        if !s.starts_with(|c: char| c.is_ascii_lowercase()) {
            return bad("must start with a letter");
        }
        if s.ends_with('-') {
            return bad("must not end with '-'");
        }
        Ok(Self(s.to_owned()))
    }

    /// What [`TenantCode::parse`] takes, as a regular expression.
    pub fn pattern() -> String {
        format!(
            "^[a-z](?:[a-z0-9-]{{{},{}}}[a-z0-9])$",
            Self::MIN_LEN - 2,
            Self::MAX_LEN - 2
        )
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for TenantCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for TenantCode {
    type Error = Problem;
    fn try_from(s: String) -> Result<Self, Problem> {
        Self::parse(&s)
    }
}

impl From<TenantCode> for String {
    fn from(c: TenantCode) -> String {
        c.0
    }
}

/// Database identity of a tenant. Never shown to the public: URLs use the code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct TenantId(pub i64);

/// The administrative level a tenant stands for; it decides the root of its grid.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TenantKind {
    Township,
    Street,
    District,
}

impl TenantKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Township => "township",
            Self::Street => "street",
            Self::District => "district",
        }
    }

    pub fn parse(s: &str) -> Result<Self, Problem> {
        match s {
            "township" => Ok(Self::Township),
            "street" => Ok(Self::Street),
            "district" => Ok(Self::District),
            _ => Err(Problem::validation(
                "kind",
                "tenant kind must be one of: township, street, district",
            )),
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            Self::Township => "乡镇",
            Self::Street => "街道",
            Self::District => "区",
        }
    }
}

/// A suspended tenant keeps its data but serves nothing (e.g. unpaid, or under audit).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TenantStatus {
    Active,
    Suspended,
}

impl TenantStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Active => "active",
            Self::Suspended => "suspended",
        }
    }

    pub fn parse(s: &str) -> Result<Self, Problem> {
        match s {
            "active" => Ok(Self::Active),
            "suspended" => Ok(Self::Suspended),
            _ => Err(Problem::validation(
                "status",
                "tenant status must be 'active' or 'suspended'",
            )),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tenant {
    pub id: TenantId,
    pub code: TenantCode,
    pub name: String,
    pub kind: TenantKind,
    /// IANA name, e.g. `Asia/Shanghai`: deadlines count local working hours.
    pub time_zone: String,
    pub status: TenantStatus,
    pub created_at: DateTime<Utc>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(input: &str, expected: Result<&str, &str>) {
        let actual = TenantCode::parse(input);
        match (actual, expected) {
            (Ok(code), Ok(want)) => assert_eq!(code.as_str(), want, "input {input:?}"),
            (Err(p), Err(fragment)) => {
                assert_eq!(p.status(), 400);
                assert_eq!(p.field.as_deref(), Some("tenant"));
                assert!(p.detail.contains(fragment), "{input:?}: {}", p.detail);
            }
            (actual, expected) => panic!("{input:?}: got {actual:?}, expected {expected:?}"),
        }
    }

    #[test]
    fn tenant_codes() {
        check("jinkai", Ok("jinkai"));
        check("ab", Ok("ab"));
        check("xinglong-street-2", Ok("xinglong-street-2"));
        check(&"a".repeat(32), Ok(&"a".repeat(32)));
        check("a", Err("2 to 32"));
        check("", Err("2 to 32"));
        check(&"a".repeat(33), Err("2 to 32"));
        check("Jinkai", Err("lowercase"));
        check("jin kai", Err("lowercase"));
        check("jin_kai", Err("lowercase"));
        check("金开", Err("lowercase"));
        check("1jinkai", Err("start with a letter"));
        check("-jinkai", Err("start with a letter"));
        check("jinkai-", Err("end with"));
    }

    #[test]
    fn tenant_code_serde_validates() {
        let ok: TenantCode = serde_json::from_str(r#""jinkai""#).expect("valid");
        assert_eq!(ok.as_str(), "jinkai");
        assert!(serde_json::from_str::<TenantCode>(r#""Bad!""#).is_err());
        assert_eq!(
            serde_json::to_string(&ok).expect("serialise"),
            r#""jinkai""#
        );
    }

    #[test]
    fn kinds_round_trip() {
        for kind in [
            TenantKind::Township,
            TenantKind::Street,
            TenantKind::District,
        ] {
            assert_eq!(TenantKind::parse(kind.as_str()), Ok(kind));
            let json = serde_json::to_string(&kind).expect("serialise");
            assert_eq!(json, format!("\"{}\"", kind.as_str()));
        }
        assert!(TenantKind::parse("county").is_err());
        for status in [TenantStatus::Active, TenantStatus::Suspended] {
            assert_eq!(TenantStatus::parse(status.as_str()), Ok(status));
        }
    }
}
