//! Phone numbers, checked in one place. Two kinds: a mainland mobile
//! number (accounts, reporters, enterprise contacts: what an SMS reaches
//! and a login may be) is normalised to its 11 digits; any phone (a
//! dispute's party may give a landline or a number abroad) is kept as
//! written once it looks like one.

use crate::Problem;

/// A mainland mobile number as its 11 digits: spaces and hyphens dropped,
/// a leading `+86` removed.
pub fn mobile(raw: &str) -> Result<String, Problem> {
    let digits: String = raw.chars().filter(|c| !matches!(c, ' ' | '-')).collect();
    let digits = digits.strip_prefix("+86").unwrap_or(&digits).to_string();
    if digits.len() == 11 && digits.starts_with('1') && digits.bytes().all(|b| b.is_ascii_digit()) {
        Ok(digits)
    } else {
        Err(Problem::validation(
            "phone",
            "a phone number is 11 digits starting with 1",
        ))
    }
}

/// [`mobile`] as a regular expression: spaces and hyphens anywhere, an
/// optional `+86`, then 11 digits starting with 1.
pub fn mobile_pattern() -> String {
    r"^[ -]*(?:\+[ -]*8[ -]*6[ -]*)?1(?:[ -]*[0-9]){10}[ -]*$".to_string()
}

/// [`any`] as a regular expression.
pub fn any_pattern() -> String {
    r"^[ +()-]*(?:[0-9][ +()-]*){5,20}$".to_string()
}

/// Any phone: 5 to 20 digits, with spaces, hyphens, `+` and parentheses.
pub fn any(raw: &str) -> Result<(), Problem> {
    let digits = raw.chars().filter(char::is_ascii_digit).count();
    let allowed = raw
        .chars()
        .all(|c| c.is_ascii_digit() || matches!(c, ' ' | '-' | '+' | '(' | ')'));
    if allowed && (5..=20).contains(&digits) {
        Ok(())
    } else {
        Err(Problem::validation(
            "phone",
            "a phone number has 5 to 20 digits (spaces, hyphens, + and parentheses allowed)",
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_mobile_number_is_normalised_to_its_eleven_digits() {
        assert_eq!(mobile("+86 139-1111-2222").unwrap(), "13911112222");
        assert_eq!(mobile("13911112222").unwrap(), "13911112222");
        for bad in [
            "",
            "0571-8888888",
            "2391111222",
            "139111122223",
            "1391111222x",
        ] {
            assert!(mobile(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn any_phone_takes_landlines_and_numbers_abroad() {
        for good in ["0571-8888 8888", "+44 (20) 7946 0958", "13911112222"] {
            assert!(any(good).is_ok(), "{good}");
        }
        for bad in ["1234", "call me", "123456789012345678901"] {
            assert!(any(bad).is_err(), "{bad}");
        }
    }
}
