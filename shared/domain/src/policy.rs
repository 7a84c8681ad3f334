//! Policy documents (政策文件): when they are in force, how they are tagged,
//! and which files may be attached to them.

use crate::Problem;
use crate::limits;
use chrono::NaiveDate;

/// When a policy is in force: from a day, and until a day or open-ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Effective {
    from: NaiveDate,
    to: Option<NaiveDate>,
}

impl Effective {
    pub fn new(from: NaiveDate, to: Option<NaiveDate>) -> Result<Effective, Problem> {
        if to.is_some_and(|to| to < from) {
            return Err(Problem::unprocessable(
                "effective_to",
                "effective_to must not be before effective_from",
            ));
        }
        Ok(Effective { from, to })
    }

    pub fn from(&self) -> NaiveDate {
        self.from
    }

    pub fn to(&self) -> Option<NaiveDate> {
        self.to
    }

    pub fn in_force_on(&self, day: NaiveDate) -> bool {
        self.from <= day && self.to.is_none_or(|to| day <= to)
    }
}

/// A date as the wire writes it (`2026-03-01`), naming the field at fault.
pub fn parse_date(field: &str, raw: &str) -> Result<NaiveDate, Problem> {
    NaiveDate::parse_from_str(raw.trim(), "%Y-%m-%d")
        .map_err(|_| Problem::validation(field, format!("{field} must be a date, YYYY-MM-DD")))
}

pub const MAX_TAGS: usize = 10;

/// An answer of the policy Q&A names at most this many policies.
pub const MAX_CITED_POLICIES: usize = 20;

/// At most [`MAX_TAGS`] tags as sent, each [`limits::TAG`]; kept trimmed,
/// duplicates dropped.
pub fn parse_tags(raw: &[String]) -> Result<Vec<String>, Problem> {
    if raw.len() > MAX_TAGS {
        return Err(Problem::validation(
            "tags",
            format!("a policy has at most {MAX_TAGS} tags"),
        ));
    }
    let mut tags: Vec<String> = Vec::new();
    for (i, tag) in raw.iter().enumerate() {
        limits::TAG.check_at(&format!("tags[{i}]"), tag)?;
        let tag = tag.trim();
        if !tags.iter().any(|t| t == tag) {
            tags.push(tag.to_string());
        }
    }
    Ok(tags)
}

/// The largest policy file taken: scanned documents run to several MB.
pub const MAX_POLICY_FILE_BYTES: usize = 20 << 20;

/// The media type of a policy file, judged by its first bytes (a claimed
/// type or a name is never trusted): PDF, Office documents (OOXML, which
/// is a zip, and the older OLE compound files), OFD (China's fixed-layout
/// standard, also a zip), and scans as JPEG or PNG.
pub fn recognise_policy_file(bytes: &[u8], name: &str) -> Result<&'static str, Problem> {
    if bytes.len() > MAX_POLICY_FILE_BYTES {
        return Err(Problem::payload_too_large(format!(
            "a policy file is at most {} MB",
            MAX_POLICY_FILE_BYTES >> 20
        ))
        .with_field("file"));
    }
    let extension = name.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase());
    let zip_type = || match extension.as_deref() {
        Some("docx") => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        Some("xlsx") => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        Some("ofd") => "application/ofd",
        _ => "application/zip",
    };
    if bytes.starts_with(b"%PDF-") {
        Ok("application/pdf")
    } else if bytes.starts_with(b"PK\x03\x04") {
        Ok(zip_type())
    } else if bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]) {
        Ok("application/x-ole-storage")
    } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Ok("image/jpeg")
    } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Ok("image/png")
    } else {
        Err(Problem::unsupported_media_type(
            "a policy file is a PDF, a Word, Excel or OFD document, or a JPEG or PNG scan",
        )
        .with_field("file"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        parse_date("d", s).expect("date")
    }

    #[test]
    fn effective_dates_are_ordered_and_bound_the_days_in_force() {
        let open = Effective::new(day("2026-01-01"), None).expect("open-ended");
        assert!(open.in_force_on(day("2030-01-01")));
        assert!(!open.in_force_on(day("2025-12-31")));
        let closed = Effective::new(day("2026-01-01"), Some(day("2026-12-31"))).expect("closed");
        assert!(closed.in_force_on(day("2026-12-31")));
        assert!(!closed.in_force_on(day("2027-01-01")));
        let backwards = Effective::new(day("2026-01-02"), Some(day("2026-01-01"))).unwrap_err();
        assert_eq!(backwards.field.as_deref(), Some("effective_to"));
        assert_eq!(
            parse_date("effective_from", "2026/01/01")
                .unwrap_err()
                .field
                .as_deref(),
            Some("effective_from")
        );
    }

    #[test]
    fn tags_are_trimmed_deduplicated_and_bounded() {
        let tags =
            |raw: &[&str]| parse_tags(&raw.iter().map(|s| s.to_string()).collect::<Vec<_>>());
        assert_eq!(
            tags(&[" 税收 ", "税收", "科技"]),
            Ok(vec!["税收".into(), "科技".into()])
        );
        assert!(tags(&[""]).is_err());
        assert!(tags(&[&"长".repeat(21)]).is_err());
        let eleven: Vec<String> = (0..11).map(|i| i.to_string()).collect();
        assert!(parse_tags(&eleven).is_err());
    }

    #[test]
    fn policy_files_are_judged_by_their_bytes() {
        let check = |bytes: &[u8], name: &str, expected: Result<&str, u16>| {
            assert_eq!(
                recognise_policy_file(bytes, name).map_err(|p| p.status()),
                expected,
                "{name}"
            );
        };
        check(b"%PDF-1.7 ...", "a.txt", Ok("application/pdf"));
        check(
            b"PK\x03\x04....",
            "通知.DOCX",
            Ok("application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        );
        check(b"PK\x03\x04....", "x.ofd", Ok("application/ofd"));
        check(b"\xFF\xD8\xFF\xE0", "scan", Ok("image/jpeg"));
        check(b"<html>", "a.pdf", Err(415));
        check(&vec![b'%'; MAX_POLICY_FILE_BYTES + 1], "big.pdf", Err(413));
    }
}
