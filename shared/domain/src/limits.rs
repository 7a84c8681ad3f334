//! Limits on what a request may carry, each written once: checked where the
//! input is parsed (here, in the store, at the edge) and stated in the
//! OpenAPI document from the same constant (`api::contract` lists which
//! field of the document each one governs, and its test writes them into
//! `static/api/openapi.json`).
//!
//! Free text is the commonest case: a name, a title, a note. Each such field
//! is a [`Text`]: it must say something (a character besides white space)
//! and at most so many characters, counted as sent.

use crate::Problem;

/// The characters `char::is_whitespace` counts as white space (Unicode's
/// `White_Space` property), as the body of a regular-expression character
/// class. Spelled out because `\s` means something else in each language
/// that reads the document (ECMAScript's includes U+FEFF, Python's the
/// separators U+001C to U+001F, and neither is Rust's `trim`).
pub const WHITE_SPACE_CLASS: &str =
    r"\t-\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000";

/// The `pattern` of text that is not blank: somewhere, one character that
/// is not white space (what `value.trim().is_empty()` refuses).
pub fn not_blank_pattern() -> String {
    format!("[^{WHITE_SPACE_CLASS}]")
}

/// `core` (a regular expression without anchors) with white space allowed
/// around it, anchored: what a parser that trims first takes.
pub fn surrounded_by_white_space(core: &str) -> String {
    format!("^[{WHITE_SPACE_CLASS}]*{core}[{WHITE_SPACE_CLASS}]*$")
}

/// The `pattern` of a value with no white space at either end (and not
/// empty): what `value.trim() == value` keeps.
pub fn no_white_space_around_pattern() -> String {
    format!(r"^[^{WHITE_SPACE_CLASS}](?:[\s\S]*[^{WHITE_SPACE_CLASS}])?$")
}

/// A free-text field: not blank, and at most `max_chars` characters
/// (Unicode scalar values, as JSON Schema's `maxLength` counts them).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Text {
    field: &'static str,
    max_chars: usize,
}

impl Text {
    pub const fn new(field: &'static str, max_chars: usize) -> Text {
        Text { field, max_chars }
    }

    /// The field as the client spells it, e.g. `contact.name`.
    pub const fn field(self) -> &'static str {
        self.field
    }

    pub const fn max_chars(self) -> usize {
        self.max_chars
    }

    /// Refuses blank text and text longer than the limit, naming the field.
    pub fn check(self, value: &str) -> Result<(), Problem> {
        self.check_at(self.field, value)
    }

    /// Like [`Text::check`], naming the field as `at` (an item of a list:
    /// `tasks[2].task`).
    pub fn check_at(self, at: &str, value: &str) -> Result<(), Problem> {
        if value.trim().is_empty() {
            Err(Problem::validation(at, format!("{at} must not be empty")))
        } else if value.chars().count() > self.max_chars {
            Err(Problem::validation(
                at,
                format!("{at} must be at most {} characters", self.max_chars),
            ))
        } else {
            Ok(())
        }
    }
}

/// Whether `c` may stand in free text that people read: not a control
/// character (a line break and a tab excepted) and not a bidirectional
/// override or isolate (U+202A to U+202E, U+2066 to U+2069), which turn the
/// text around it on the reader's screen.
pub fn plain_char(c: char) -> bool {
    let control = c.is_control() && c != '\n' && c != '\t';
    let direction = matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}');
    !(control || direction)
}

/// Refuses text with a character [`plain_char`] refuses, naming the field.
pub fn check_plain(at: &str, value: &str) -> Result<(), Problem> {
    match value.chars().position(|c| !plain_char(c)) {
        Some(i) => Err(Problem::validation(
            at,
            format!("{at} has a control or text-direction character (character {i})"),
        )),
        None => Ok(()),
    }
}

/// The `pattern` of text [`check_plain`] takes.
pub fn plain_pattern() -> String {
    r"^[^\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]*$".to_string()
}

impl Text {
    /// [`Text::check`] and [`check_plain`].
    pub fn check_plain(self, value: &str) -> Result<(), Problem> {
        self.check(value)?;
        check_plain(self.field, value)
    }
}

/// How many items one page of a list may hold: `limit` from 1 to `max`,
/// `default` when the query leaves it out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageLimit {
    pub default: u32,
    pub max: u32,
}

impl PageLimit {
    /// The `limit` of a query string (absent: the default).
    pub fn parse(self, given: Option<&str>) -> Result<u32, Problem> {
        match given {
            None => Ok(self.default),
            Some(l) => l
                .parse::<u32>()
                .ok()
                .filter(|l| (1..=self.max).contains(l))
                .ok_or_else(|| {
                    Problem::validation("limit", format!("limit must be 1 to {}", self.max))
                }),
        }
    }
}

/// An integer parameter's range.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Bounds {
    pub min: i64,
    pub max: i64,
}

impl Bounds {
    pub fn contains(self, value: i64) -> bool {
        (self.min..=self.max).contains(&value)
    }
}

/// Every list but the public board.
pub const PAGE: PageLimit = PageLimit {
    default: 50,
    max: 200,
};

/// The public board's cases (`GET …/board`): pages a phone shows.
pub const BOARD_PAGE: PageLimit = PageLimit {
    default: 20,
    max: 100,
};

/// The days the public board's map looks back (`GET …/board/map?days=`).
pub const BOARD_MAP_DAYS: Bounds = Bounds { min: 1, max: 365 };

/// A category's deadlines are whole working hours, at least this many.
pub const MIN_DEADLINE_HOURS: u32 = 1;

/// An Open311 API key the admin chooses (instead of a drawn one) has at
/// least this many characters, and no white space around it.
pub const CHOSEN_API_KEY_MIN_CHARS: usize = 8;

// People and accounts.
pub const LOGIN: Text = Text::new("login", 64);
pub const DISPLAY_NAME: Text = Text::new("display_name", 100);

// The tenant and its organisation.
pub const TENANT_NAME: Text = Text::new("name", 100);
pub const TIME_ZONE: Text = Text::new("time_zone", 64);
pub const DEPARTMENT_NAME: Text = Text::new("name", 100);
pub const AGENT_POINT_NAME: Text = Text::new("name", 100);
pub const GRID_NODE_NAME: Text = Text::new("name", 100);
pub const CATEGORY_NAME_ZH: Text = Text::new("name_zh", 100);
pub const CATEGORY_NAME_EN: Text = Text::new("name_en", 100);
pub const EXTRA_FIELD_LABEL_ZH: Text = Text::new("label_zh", 100);
pub const EXTRA_FIELD_LABEL_EN: Text = Text::new("label_en", 100);
pub const CALENDAR_DAY_NAME: Text = Text::new("name", 100);
pub const API_KEY_NAME: Text = Text::new("name", 100);

// Cases.
/// Who took a step, as the history records it (never sent by a client).
pub const ACTOR: Text = Text::new("actor", 100);
pub const CASE_CATEGORY: Text = Text::new("category", 64);
pub const CASE_DESCRIPTION: Text = Text::new("description", 4000);
/// A comment, or what a reporter adds to their report.
pub const NOTE: Text = Text::new("text", 4000);
/// What an assisting department did, when its part of a case is done.
pub const ANSWER: Text = Text::new("answer", 4000);

// Community notices.
pub const NOTICE_TITLE: Text = Text::new("title", 200);
pub const NOTICE_BODY: Text = Text::new("body", 20_000);

// Enterprises and policies.
pub const ENTERPRISE_NAME: Text = Text::new("name", 100);
pub const ENTERPRISE_ADDRESS: Text = Text::new("address", 200);
pub const INDUSTRY: Text = Text::new("industry", 50);
pub const CONTACT_NAME: Text = Text::new("contact.name", 50);
pub const REQUEST_TITLE: Text = Text::new("title", 100);
pub const POLICY_TITLE: Text = Text::new("title", 200);
pub const POLICY_BODY: Text = Text::new("body", 100_000);
pub const POLICY_ISSUER: Text = Text::new("issuer", 100);
/// One tag of a policy.
pub const TAG: Text = Text::new("tags", 20);
pub const POLICY_FILE_NAME: Text = Text::new("name", 200);
pub const QUESTION: Text = Text::new("question", 4000);
pub const PUBLISHED_ANSWER: Text = Text::new("answer", 20_000);

// Mediation and the agent service.
pub const PARTY_NAME: Text = Text::new("name", 100);
pub const PARTY_ADDRESS_MAX_CHARS: usize = 200;
pub const DISPUTE_SUBJECT: Text = Text::new("subject", 500);
pub const WINDOW: Text = Text::new("window", 50);
pub const SESSION_PLACE: Text = Text::new("place", 200);
pub const AGREED: Text = Text::new("agreed", 20_000);
pub const RESIDENT_NAME: Text = Text::new("resident.name", 100);
pub const PASS_UP_REASON: Text = Text::new("reason", 1000);
pub const TASK: Text = Text::new("task", 500);
pub const TASK_OWNER: Text = Text::new("owner", 100);
pub const PROMISE: Text = Text::new("promise", 500);

// Open311.
/// A 311 system's update of a request.
pub const OPEN311_NOTE: Text = Text::new("description", 4000);
pub const OPEN311_UPDATE_ID: Text = Text::new("update_id", 100);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_white_space_class_is_rusts_white_space() {
        // The class, read back: single characters and ranges of escapes.
        let mut listed = Vec::new();
        let mut rest = WHITE_SPACE_CLASS;
        let next = |rest: &mut &str| -> char {
            let (c, len) = match rest.strip_prefix('\\') {
                Some(escaped) if escaped.starts_with('u') => (
                    char::from_u32(u32::from_str_radix(&escaped[1..5], 16).unwrap()).unwrap(),
                    6,
                ),
                Some(escaped) if escaped.starts_with('t') => ('\t', 2),
                Some(escaped) if escaped.starts_with('r') => ('\r', 2),
                Some(_) => panic!("unexpected escape in {rest}"),
                None => (rest.chars().next().unwrap(), 1),
            };
            *rest = &rest[len..];
            c
        };
        while !rest.is_empty() {
            let first = next(&mut rest);
            if let Some(after) = rest.strip_prefix('-') {
                rest = after;
                let last = next(&mut rest);
                listed.extend(first..=last);
            } else {
                listed.push(first);
            }
        }
        let rusts: Vec<char> = (0..=char::MAX as u32)
            .filter_map(char::from_u32)
            .filter(|c| c.is_whitespace())
            .collect();
        listed.sort();
        assert_eq!(listed, rusts);
    }

    fn check(text: Text, value: &str, expected: Result<(), &str>) {
        let got = text.check(value).map_err(|p| p.detail);
        assert_eq!(
            got.as_ref().map(|_| ()).map_err(String::as_str),
            expected,
            "{value:?}"
        );
    }

    #[test]
    fn text_says_something_within_its_limit() {
        let name = Text::new("name", 3);
        check(name, "abc", Ok(()));
        check(name, " 长 ", Ok(()));
        check(name, "长长长", Ok(()));
        check(name, "", Err("name must not be empty"));
        check(name, " \u{3000}\n", Err("name must not be empty"));
        check(name, "abcd", Err("name must be at most 3 characters"));
        // Counted as sent: spaces around count too.
        check(name, " abc", Err("name must be at most 3 characters"));
        assert_eq!(
            name.check_at("items[2].name", "")
                .unwrap_err()
                .field
                .as_deref(),
            Some("items[2].name")
        );
    }

    #[test]
    fn page_limits() {
        assert_eq!(PAGE.parse(None), Ok(50));
        assert_eq!(PAGE.parse(Some("1")), Ok(1));
        assert_eq!(PAGE.parse(Some("200")), Ok(200));
        for bad in ["0", "201", "-1", "x", ""] {
            let problem = PAGE.parse(Some(bad)).unwrap_err();
            assert_eq!(problem.detail, "limit must be 1 to 200", "{bad}");
        }
        assert_eq!(BOARD_PAGE.parse(None), Ok(20));
        assert!(BOARD_PAGE.parse(Some("101")).is_err());
    }
}
