//! A tenant's organisation: departments (职能部门), categories of case (the
//! service catalogue) with the extra fields a report of that kind must carry,
//! and agent points (代办点).

use serde::{Deserialize, Serialize};

use crate::limits;
use crate::problem::Problem;

/// The code of a department, category or agent point: ASCII letters,
/// digits, `-` and `_`, 1 to 40 characters (safe in URLs, CSV and Open311
/// `service_code`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Code(String);

impl Code {
    pub const MAX_LEN: usize = 40;

    pub fn parse(s: &str) -> Result<Self, Problem> {
        let s = s.trim();
        if s.is_empty() || s.len() > Self::MAX_LEN {
            return Err(Problem::validation(
                "code",
                format!("a code is 1 to {} characters", Self::MAX_LEN),
            ));
        }
        if !s
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        {
            return Err(Problem::validation(
                "code",
                "a code may contain only ASCII letters, digits, '-' and '_'",
            ));
        }
        Ok(Code(s.to_owned()))
    }

    /// What [`Code::parse`] takes (spaces around are trimmed), as a regular
    /// expression.
    pub fn pattern() -> String {
        crate::limits::surrounded_by_white_space(&format!("[A-Za-z0-9_-]{{1,{}}}", Self::MAX_LEN))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Code {
    type Error = Problem;
    fn try_from(s: String) -> Result<Self, Problem> {
        Self::parse(&s)
    }
}

impl From<Code> for String {
    fn from(c: Code) -> String {
        c.0
    }
}

/// 代办点 level: where the agent works the matter before passing it up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AgentPointLevel {
    Village,
    Township,
    District,
}

impl AgentPointLevel {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Village => "village",
            Self::Township => "township",
            Self::District => "district",
        }
    }

    pub fn parse(s: &str) -> Result<Self, Problem> {
        match s {
            "village" => Ok(Self::Village),
            "township" => Ok(Self::Township),
            "district" => Ok(Self::District),
            _ => Err(Problem::validation(
                "level",
                "level is one of village, township, district",
            )),
        }
    }
}

/// One extra field a report of a category must (or may) carry, e.g. the
/// plate of an abandoned car. Open311 calls these attributes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExtraField {
    /// The key in a report's `extra` object: lower-case ASCII and `_`.
    pub key: String,
    pub label_zh: String,
    pub label_en: String,
    pub kind: ExtraFieldKind,
    #[serde(default)]
    pub required: bool,
    /// For `choice`: the allowed values.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub choices: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ExtraFieldKind {
    Text,
    Number,
    Choice,
}

const MAX_KEY_LEN: usize = 40;

/// Whether `key` is an extra field's key: 1 to 40 lower-case ASCII
/// letters, digits and `_`.
pub fn check_extra_field_key(key: &str) -> bool {
    !key.is_empty()
        && key.len() <= MAX_KEY_LEN
        && key
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

/// [`check_extra_field_key`] as a regular expression.
pub fn extra_field_key_pattern() -> String {
    format!("^[a-z0-9_]{{1,{MAX_KEY_LEN}}}$")
}

/// Checks a category's list of extra fields: keys well-formed and unique,
/// labels present, choices exactly for `choice` fields.
pub fn check_extra_fields(fields: &[ExtraField]) -> Result<(), Problem> {
    let mut seen = std::collections::HashSet::new();
    for (i, field) in fields.iter().enumerate() {
        let at = |name: &str| format!("extra_fields[{i}].{name}");
        if !check_extra_field_key(&field.key) {
            return Err(Problem::validation(
                at("key"),
                format!("a key is 1 to {MAX_KEY_LEN} lower-case letters, digits or '_'"),
            ));
        }
        if !seen.insert(field.key.as_str()) {
            // Keys unique across a list: beyond what the document can state.
            return Err(Problem::unprocessable(
                at("key"),
                format!("key '{}' appears twice", field.key),
            ));
        }
        limits::EXTRA_FIELD_LABEL_ZH.check_at(&at("label_zh"), &field.label_zh)?;
        limits::EXTRA_FIELD_LABEL_EN.check_at(&at("label_en"), &field.label_en)?;
        match (field.kind, field.choices.is_empty()) {
            (ExtraFieldKind::Choice, true) => {
                return Err(Problem::validation(
                    at("choices"),
                    "a choice field needs its choices",
                ));
            }
            (ExtraFieldKind::Text | ExtraFieldKind::Number, false) => {
                return Err(Problem::validation(
                    at("choices"),
                    "only choice fields have choices",
                ));
            }
            _ => {}
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field(key: &str, kind: ExtraFieldKind, choices: &[&str]) -> ExtraField {
        ExtraField {
            key: key.into(),
            label_zh: "标签".into(),
            label_en: "Label".into(),
            kind,
            required: false,
            choices: choices.iter().map(|c| c.to_string()).collect(),
        }
    }

    fn check(fields: &[ExtraField], expected_field: Option<&str>) {
        let got = check_extra_fields(fields).err().and_then(|p| p.field);
        assert_eq!(got.as_deref(), expected_field, "{fields:?}");
    }

    #[test]
    fn extra_fields() {
        use ExtraFieldKind::*;
        check(&[], None);
        check(&[field("plate", Text, &[])], None);
        check(&[field("size", Choice, &["s", "m"])], None);
        check(&[field("Plate", Text, &[])], Some("extra_fields[0].key"));
        check(
            &[field("a", Text, &[]), field("a", Number, &[])],
            Some("extra_fields[1].key"),
        );
        check(
            &[field("size", Choice, &[])],
            Some("extra_fields[0].choices"),
        );
        check(
            &[field("n", Number, &["1"])],
            Some("extra_fields[0].choices"),
        );
    }

    #[test]
    fn codes() {
        assert!(Code::parse("police_01").is_ok());
        assert_eq!(Code::parse(" urban ").unwrap().as_str(), "urban");
        for bad in ["", "有中文", "a b", &"x".repeat(41)] {
            assert!(Code::parse(bad).is_err(), "{bad}");
        }
    }
}
