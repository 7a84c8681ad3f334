//! Public tracking codes: what a resident writes down or reads over the phone to look up
//! their case without an account.
//!
//! Anyone may look a code up, so it must be unguessable: 50 random bits from the caller
//! (10 Crockford base32 characters). Crockford's alphabet has no I, L, O or U, so codes
//! survive handwriting and phone calls; parsing folds the usual confusions back.

use crate::problem::Problem;
use serde::{Deserialize, Serialize};
use std::fmt;

const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
const CHARS: usize = 10;

/// A valid tracking code in canonical form `XXXXX-XXXXX`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct TrackingCode(String);

impl TrackingCode {
    /// Builds a code from random bytes (the caller owns the randomness source: on Spin,
    /// WASI's random; in tests, fixed bytes). Only 50 of the 64 bits are used.
    pub fn from_random(bytes: [u8; 8]) -> TrackingCode {
        let mut n = u64::from_be_bytes(bytes);
        let mut chars = [0u8; CHARS];
        for slot in chars.iter_mut().rev() {
            *slot = ALPHABET[(n & 0x1f) as usize];
            n >>= 5;
        }
        Self::from_canonical_chars(&chars)
    }

    fn from_canonical_chars(chars: &[u8; CHARS]) -> TrackingCode {
        let mut s = String::with_capacity(CHARS + 1);
        for (i, &c) in chars.iter().enumerate() {
            if i == CHARS / 2 {
                s.push('-');
            }
            s.push(char::from(c));
        }
        TrackingCode(s)
    }

    /// Accepts what people type: any case, with or without the hyphen, surrounding
    /// spaces, and O for 0, I or L for 1.
    pub fn parse(input: &str) -> Result<TrackingCode, Problem> {
        let invalid = || {
            Problem::validation(
                "tracking_code",
                "a tracking code has 10 characters like 7K3QD-M9XA2 (letters and digits, no U)",
            )
        };
        let trimmed = input.trim();
        let compact: Vec<char> = match trimmed.char_indices().nth(CHARS / 2) {
            Some((i, '-')) => trimmed[..i]
                .chars()
                .chain(trimmed[i + 1..].chars())
                .collect(),
            _ => trimmed.chars().collect(),
        };
        if compact.len() != CHARS {
            return Err(invalid());
        }
        let mut chars = [0u8; CHARS];
        for (slot, c) in chars.iter_mut().zip(compact) {
            let c = match c.to_ascii_uppercase() {
                'O' => '0',
                'I' | 'L' => '1',
                other => other,
            };
            if !c.is_ascii() || !ALPHABET.contains(&(c as u8)) {
                return Err(invalid());
            }
            *slot = c as u8;
        }
        Ok(Self::from_canonical_chars(&chars))
    }

    /// What [`TrackingCode::parse`] takes, as a regular expression.
    pub fn pattern() -> String {
        // The alphabet, either case, with I, L and O read as 1 and 0; no U.
        let char = "[0-9A-TV-Za-tv-z]";
        crate::limits::surrounded_by_white_space(&format!("{char}{{5}}-?{char}{{5}}"))
    }

    /// Canonical `XXXXX-XXXXX` form, as stored and displayed.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for TrackingCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for TrackingCode {
    type Error = Problem;
    fn try_from(s: String) -> Result<Self, Problem> {
        Self::parse(&s)
    }
}

impl From<TrackingCode> for String {
    fn from(c: TrackingCode) -> String {
        c.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn check(input: &str, expected: Option<&str>) {
        let actual = TrackingCode::parse(input).ok();
        assert_eq!(
            actual.as_ref().map(TrackingCode::as_str),
            expected,
            "input {input:?}"
        );
    }

    #[test]
    fn parsing() {
        check("7K3QD-M9XA2", Some("7K3QD-M9XA2"));
        check("7k3qd-m9xa2", Some("7K3QD-M9XA2"));
        check("7K3QDM9XA2", Some("7K3QD-M9XA2"));
        check("  7K3QD-M9XA2 ", Some("7K3QD-M9XA2"));
        check("OIL00-00000", Some("01100-00000"));
        check("oil00-00000", Some("01100-00000"));
        check("7K3QD-M9XAU", None);
        check("7K3QD-M9XA", None);
        check("7K3QD-M9XA22", None);
        check("7K3Q-DM9XA2", None);
        check("7K3QD--9XA2", None);
        check("7K3QD M9XA2", None);
        check("", None);
        check("网格网格网-网格网格网", None);
        check("7K3QD-M9XA!", None);
    }

    #[test]
    fn from_random_is_deterministic_and_canonical() {
        assert_eq!(TrackingCode::from_random([0; 8]).as_str(), "00000-00000");
        assert_eq!(TrackingCode::from_random([0xff; 8]).as_str(), "ZZZZZ-ZZZZZ");
        assert_eq!(
            TrackingCode::from_random([0, 0, 0, 0, 0, 0, 0, 33]).as_str(),
            "00000-00011"
        );
    }

    proptest! {
        #[test]
        fn random_codes_parse_back(bytes in any::<[u8; 8]>()) {
            let code = TrackingCode::from_random(bytes);
            prop_assert_eq!(code.as_str().len(), 11);
            prop_assert_eq!(TrackingCode::parse(code.as_str()), Ok(code.clone()));
            prop_assert_eq!(TrackingCode::parse(&code.as_str().to_lowercase()), Ok(code.clone()));
            prop_assert_eq!(TrackingCode::parse(&code.as_str().replace('-', "")), Ok(code));
        }

        #[test]
        fn parse_never_panics(s in ".{0,20}") {
            let _ = TrackingCode::parse(&s);
        }
    }
}
