//! The rules of intake: priorities, what files a report may carry (by what
//! they are, not what they are called) and what papers the mediation centre
//! may file besides, the reporter's secret, and when a new report is likely a duplicate.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::case::{CaseSource, Location};
use crate::problem::Problem;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Priority {
    Low,
    #[default]
    Normal,
    High,
    Urgent,
}

impl Priority {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Low => "low",
            Self::Normal => "normal",
            Self::High => "high",
            Self::Urgent => "urgent",
        }
    }

    pub fn parse(s: &str) -> Result<Self, Problem> {
        match s {
            "low" => Ok(Self::Low),
            "normal" => Ok(Self::Normal),
            "high" => Ok(Self::High),
            "urgent" => Ok(Self::Urgent),
            _ => Err(Problem::validation(
                "priority",
                "priority is low, normal, high or urgent",
            )),
        }
    }
}

/// What an attachment is, decided from its first bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AttachmentKind {
    Photo,
    Video,
    Voice,
    /// A PDF: an IOU, a contract, a signed agreement. Only a dispute's
    /// paper at the mediation centre, never a report's, and never public.
    Document,
}

impl AttachmentKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Photo => "photo",
            Self::Video => "video",
            Self::Voice => "voice",
            Self::Document => "document",
        }
    }

    pub fn parse(s: &str) -> Result<Self, Problem> {
        match s {
            "photo" => Ok(Self::Photo),
            "video" => Ok(Self::Video),
            "voice" => Ok(Self::Voice),
            "document" => Ok(Self::Document),
            _ => Err(Problem::validation(
                "kind",
                "kind is photo, video, voice or document",
            )),
        }
    }

    /// The largest file of this kind: a phone photo, a short clip, a voice
    /// note, a scanned contract of a few dozen pages.
    pub fn max_bytes(self) -> usize {
        match self {
            Self::Photo => 10 << 20,
            Self::Video => 30 << 20,
            Self::Voice => 5 << 20,
            Self::Document => 20 << 20,
        }
    }

    /// Whether a file of this kind may ever be shown to the public. A
    /// document names the parties of a dispute on every page: never.
    pub fn may_be_public(self) -> bool {
        !matches!(self, Self::Document)
    }

    /// Whether a case from `source` takes a file of this kind: a PDF is a
    /// dispute's paper (taken in with it, or its outcome's); every other
    /// case, a resident's or a grid worker's report above all, carries
    /// photos, video and voice recordings. The field at fault is `field`.
    pub fn check_attachable(self, source: CaseSource, field: &str) -> Result<(), Problem> {
        if self == Self::Document && source != CaseSource::Mediation {
            return Err(Problem::validation(
                field,
                "a PDF document is taken only as a dispute's paper at the mediation centre: \
                 a report or its result carries photos, video or voice recordings",
            ));
        }
        Ok(())
    }
}

/// What an upload may be: what a report carries, or, for the mediation
/// centre's staff, a PDF paper too. The caller's right decides, the bytes
/// decide what the file is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Accepted {
    /// Photos, video and voice recordings: every report, every resolution.
    Media,
    /// Those and PDF documents: a dispute's papers.
    MediaAndPapers,
}

/// An upload's id, drawn at random so that it cannot be guessed: for a
/// resident without an account, knowing the id is the right to put the file
/// on a report. Ids run from 1 to 2^53 − 1, JavaScript's largest exact
/// integer, so a page handles every id as it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct AttachmentId(i64);

impl AttachmentId {
    /// The largest id: 2^53 − 1 (`Number.MAX_SAFE_INTEGER`).
    pub const MAX: i64 = (1 << 53) - 1;

    /// An id from random bytes (the caller owns the randomness source: on
    /// Spin, WASI's random; in tests, fixed bytes).
    pub fn from_random(bytes: [u8; 8]) -> AttachmentId {
        let n = u64::from_be_bytes(bytes) % Self::MAX.unsigned_abs();
        AttachmentId(i64::try_from(n).unwrap_or(0) + 1)
    }

    pub fn get(self) -> i64 {
        self.0
    }
}

/// Who uploaded a file, and so who may put it on a case or a notice: an
/// upload is usable only by its uploader. An account uses its own uploads;
/// a resident without an account uses any anonymous upload whose id they
/// hold (the id is unguessable, see [`AttachmentId`]), from whatever
/// address, since a phone's address changes between an upload and its report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Uploader {
    /// A signed-in account, by its actor string (`role:user id`).
    Account(String),
    /// A resident without an account; the address they came from is kept
    /// for the record, never matched.
    Resident { address: String },
}

/// How an anonymous upload's `uploaded_by` starts; an actor string
/// (`role:user id`) never has an `@`.
const RESIDENT_PREFIX: &str = "resident@";

impl Uploader {
    /// As an attachment's `uploaded_by` records it: the actor string, or
    /// `resident@` and the address.
    pub fn record(&self) -> String {
        match self {
            Self::Account(actor) => actor.clone(),
            Self::Resident { address } => format!("{RESIDENT_PREFIX}{address}"),
        }
    }

    /// Whether a file whose record says `uploaded_by` is this uploader's to
    /// use: an account's own files only; for a resident, any anonymous one.
    pub fn may_use(&self, uploaded_by: &str) -> bool {
        match self {
            Self::Account(actor) => uploaded_by == actor,
            Self::Resident { .. } => uploaded_by.starts_with(RESIDENT_PREFIX),
        }
    }
}

/// How long an upload may wait to be put on a case, a notice or a dispute.
/// Past it the sweep deletes the upload, and its bytes unless another file
/// shares them: a report, a resolution or a filing follows its files within
/// minutes, and a resident's abandoned photo (a face, a plate, a home) is
/// not kept without a purpose. A day leaves room for a form finished after
/// a break, or on the next shift.
pub const UNLINKED_UPLOAD_RETENTION: Duration = Duration::hours(24);

/// An upload made before this time and still on nothing is abandoned.
pub fn abandoned_before(now: DateTime<Utc>) -> DateTime<Utc> {
    now - UNLINKED_UPLOAD_RETENTION
}

/// All attachments of one case together may not exceed this.
pub const MAX_CASE_ATTACHMENT_BYTES: usize = 60 << 20;
/// Attachments one case may have.
pub const MAX_CASE_ATTACHMENTS: usize = 9;

/// A file whose type was recognised from its content.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Recognised {
    pub kind: AttachmentKind,
    pub content_type: &'static str,
}

/// Recognises a photo, video or voice recording by its magic bytes, and,
/// when `accepted` takes papers, a PDF by its `%PDF-` header; what the
/// client claims (name, content type) is not trusted, with one exception
/// that grants nothing: MP4 holds sound as well as film, and a browser
/// records voice notes as `audio/mp4`, so an MP4 the client `declared` as
/// audio is filed as voice (under voice's smaller size limit). Anything
/// else (a file declared a PDF included), an empty file or one over its
/// kind's size limit is refused.
pub fn recognise(
    bytes: &[u8],
    declared: Option<&str>,
    accepted: Accepted,
) -> Result<Recognised, Problem> {
    let declared_audio =
        declared.is_some_and(|d| d.trim().to_ascii_lowercase().starts_with("audio/"));
    if bytes.is_empty() {
        return Err(Problem::validation("file", "the file is empty"));
    }
    let papers = accepted == Accepted::MediaAndPapers;
    // AMR, the voice-note format of most Chinese phones, starts with "#!AMR",
    // which `infer` would take for a shell script's "#!".
    let mime = if bytes.starts_with(b"#!AMR") {
        "audio/amr"
    } else if bytes.starts_with(b"%PDF-") {
        "application/pdf"
    } else {
        infer::get(bytes).map(|t| t.mime_type()).unwrap_or("")
    };
    let (kind, content_type) = match mime {
        "image/jpeg" => (AttachmentKind::Photo, "image/jpeg"),
        "image/png" => (AttachmentKind::Photo, "image/png"),
        "image/webp" => (AttachmentKind::Photo, "image/webp"),
        "image/heif" => (AttachmentKind::Photo, "image/heif"),
        "image/gif" => (AttachmentKind::Photo, "image/gif"),
        "video/mp4" if declared_audio => (AttachmentKind::Voice, "audio/mp4"),
        "video/mp4" => (AttachmentKind::Video, "video/mp4"),
        "video/quicktime" => (AttachmentKind::Video, "video/quicktime"),
        "video/webm" => (AttachmentKind::Video, "video/webm"),
        "video/3gpp" => (AttachmentKind::Video, "video/3gpp"),
        "audio/amr" => (AttachmentKind::Voice, "audio/amr"),
        "audio/mpeg" => (AttachmentKind::Voice, "audio/mpeg"),
        "audio/m4a" | "audio/x-m4a" => (AttachmentKind::Voice, "audio/mp4"),
        "audio/aac" => (AttachmentKind::Voice, "audio/aac"),
        "audio/ogg" => (AttachmentKind::Voice, "audio/ogg"),
        "audio/x-wav" | "audio/wav" => (AttachmentKind::Voice, "audio/wav"),
        "application/pdf" if papers => (AttachmentKind::Document, "application/pdf"),
        other => {
            let wanted = if papers {
                "a photo, video, voice recording or PDF document"
            } else {
                "a photo, video or voice recording"
            };
            return Err(Problem::coded(
                crate::ProblemCode::FileTypeNotAccepted,
                if other.is_empty() {
                    format!("the file is not {wanted} we recognise")
                } else {
                    format!("files of type {other} are not accepted: send {wanted}")
                },
            )
            .with_field("file"));
        }
    };
    if bytes.len() > kind.max_bytes() {
        return Err(Problem::coded(
            crate::ProblemCode::FileTooLarge,
            format!(
                "a {} may be at most {} MB",
                kind.as_str(),
                kind.max_bytes() >> 20
            ),
        )
        .with_field("file"));
    }
    Ok(Recognised { kind, content_type })
}

/// Who pressed "me too", as kept: a digest of the client's address and,
/// when the page sends one, of the device's own id (a random value it
/// keeps). A person counts once per case: a press whose address or device
/// was counted before is not counted again, so neither switching networks
/// nor inventing device ids adds a second count. Neighbours behind one
/// address (a carrier's NAT) count once together; the count is a signal
/// of how many are affected, not a vote. Digests, so the table holds no
/// address.
pub fn me_too_pressers(address: &str, device: Option<&str>) -> Vec<String> {
    let device = device
        .map(str::trim)
        .filter(|d| (8..=64).contains(&d.len()))
        .filter(|d| {
            d.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        });
    std::iter::once(format!("address:{address}"))
        .chain(device.map(|d| format!("device:{d}")))
        .map(|presser| sha256_hex(presser.as_bytes()))
        .collect()
}

/// The SHA-256 of some bytes, as lower-case hex: the name of a stored file,
/// and of a reporter's secret (only its digest is kept).
pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// A reporter's secret, from 16 random bytes: shown once, as 32 hex digits.
pub fn reporter_secret(random: [u8; 16]) -> String {
    random.iter().map(|b| format!("{b:02x}")).collect()
}

/// Whether `given` is the secret whose SHA-256 is `stored_hash`, compared
/// in constant time so that timing reveals nothing of the digest.
pub fn reporter_secret_matches(given: &str, stored_hash: &str) -> bool {
    let given = sha256_hex(given.trim().as_bytes());
    given.len() == stored_hash.len()
        && given
            .bytes()
            .zip(stored_hash.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// How long a reporter may still change what they wrote.
pub const EDIT_WINDOW: Duration = Duration::minutes(30);

/// When a new report is offered an existing case as its likely duplicate.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DuplicateRule {
    /// Only open cases reported this recently count.
    pub within: Duration,
    /// Or closer than this, when both have coordinates and no micro-grid is known.
    pub metres: f64,
}

impl DuplicateRule {
    pub const DEFAULT: DuplicateRule = DuplicateRule {
        within: Duration::hours(72),
        metres: 150.0,
    };

    /// The earliest report time that still counts.
    pub fn since(&self, now: DateTime<Utc>) -> DateTime<Utc> {
        now - self.within
    }

    /// Whether two places are the same for this rule: the same micro-grid
    /// when both know theirs, else within `metres` when both have coordinates.
    pub fn same_place(
        &self,
        a: (Option<i64>, Option<Location>),
        b: (Option<i64>, Option<Location>),
    ) -> bool {
        match (a, b) {
            ((Some(x), _), (Some(y), _)) => x == y,
            ((_, Some(p)), (_, Some(q))) => distance_metres(p, q) <= self.metres,
            _ => false,
        }
    }
}

/// Great-circle distance (haversine), good to a metre at these scales.
pub fn distance_metres(a: Location, b: Location) -> f64 {
    let (lat1, lat2) = (a.latitude().to_radians(), b.latitude().to_radians());
    let dlat = lat2 - lat1;
    let dlon = (b.longitude() - a.longitude()).to_radians();
    let h = (dlat / 2.0).sin().powi(2) + lat1.cos() * lat2.cos() * (dlon / 2.0).sin().powi(2);
    2.0 * 6_371_000.0 * h.sqrt().asin()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attachment_ids_stay_within_what_javascript_counts_exactly() {
        let check = |bytes: [u8; 8], expected: i64| {
            assert_eq!(
                AttachmentId::from_random(bytes).get(),
                expected,
                "{bytes:?}"
            );
        };
        check([0; 8], 1);
        check([0, 0, 0, 0, 0, 0, 0, 41], 42);
        check(
            [0, 0x1f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfd],
            AttachmentId::MAX - 1,
        );
        check(
            [0, 0x1f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe],
            AttachmentId::MAX,
        );
        check([0, 0x1f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff], 1);
        // 2^64 − 1 is 2047 more than a multiple of 2^53 − 1.
        check([0xff; 8], 2048);
    }

    proptest::proptest! {
        #[test]
        fn every_attachment_id_is_safe(bytes in proptest::prelude::any::<[u8; 8]>()) {
            let id = AttachmentId::from_random(bytes).get();
            proptest::prop_assert!((1..=AttachmentId::MAX).contains(&id), "{}", id);
        }
    }

    #[test]
    fn an_upload_is_usable_by_its_uploader_only() {
        let worker = Uploader::Account("grid_worker:7".into());
        let resident = Uploader::Resident {
            address: "10.0.0.9".into(),
        };
        let check = |who: &Uploader, uploaded_by: &str, expected: bool| {
            assert_eq!(
                who.may_use(uploaded_by),
                expected,
                "{who:?} on {uploaded_by}"
            );
        };
        check(&worker, "grid_worker:7", true);
        check(&worker, "grid_worker:71", false);
        check(&worker, "department_staff:7", false);
        check(&worker, "resident@10.0.0.9", false);
        check(&resident, "resident@10.0.0.9", true);
        check(&resident, "resident@192.168.1.4", true);
        check(&resident, "grid_worker:7", false);
        check(&resident, "resident", false);
        assert_eq!(worker.record(), "grid_worker:7");
        assert_eq!(resident.record(), "resident@10.0.0.9");
        assert!(resident.may_use(&resident.record()));
        assert!(worker.may_use(&worker.record()));
    }

    #[test]
    fn files_are_recognised_by_content_not_name() {
        let jpeg = [0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10, b'J', b'F', b'I', b'F', 0];
        assert_eq!(
            recognise(&jpeg, None, Accepted::Media).unwrap().kind,
            AttachmentKind::Photo
        );
        let png = [
            0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 0x0D,
        ];
        assert_eq!(
            recognise(&png, None, Accepted::Media).unwrap().content_type,
            "image/png"
        );
        let amr = b"#!AMR\n\x3c\x48\x77";
        assert_eq!(
            recognise(amr, None, Accepted::Media).unwrap().kind,
            AttachmentKind::Voice
        );
        let mp4 = [
            0, 0, 0, 0x18, b'f', b't', b'y', b'p', b'i', b's', b'o', b'm', 0, 0, 2, 0,
        ];
        assert_eq!(
            recognise(&mp4, None, Accepted::Media).unwrap().kind,
            AttachmentKind::Video
        );
        assert_eq!(
            recognise(&mp4, Some("video/mp4"), Accepted::Media)
                .unwrap()
                .kind,
            AttachmentKind::Video
        );
        let voice = recognise(&mp4, Some("Audio/MP4"), Accepted::Media).unwrap();
        assert_eq!(
            (voice.kind, voice.content_type),
            (AttachmentKind::Voice, "audio/mp4")
        );
        // Declaring changes nothing for what is not MP4.
        assert_eq!(
            recognise(&jpeg, Some("audio/mp4"), Accepted::Media)
                .unwrap()
                .kind,
            AttachmentKind::Photo
        );
        for bad in [
            &b""[..],
            b"<html>not a photo</html>",
            b"%PDF-1.7\n",
            b"MZ\x90\x00",
        ] {
            assert!(
                recognise(bad, Some("audio/mp4"), Accepted::Media).is_err(),
                "{bad:?}"
            );
        }
        let mut huge = jpeg.to_vec();
        huge.resize((10 << 20) + 1, 0);
        assert_eq!(
            recognise(&huge, None, Accepted::Media)
                .unwrap_err()
                .status(),
            413
        );
    }

    /// What `bytes` declared as `declared` is taken as, or the status it is refused with.
    fn check_paper(
        bytes: &[u8],
        declared: &str,
        accepted: Accepted,
        expected: Result<(AttachmentKind, &str), u16>,
    ) {
        let got = recognise(bytes, Some(declared), accepted)
            .map(|r| (r.kind, r.content_type))
            .map_err(|p| p.status());
        assert_eq!(
            got,
            expected,
            "{:?} as {declared}",
            String::from_utf8_lossy(&bytes[..bytes.len().min(12)])
        );
    }

    #[test]
    fn papers_are_pdfs_by_their_bytes_and_only_where_taken() {
        use Accepted::{Media, MediaAndPapers as Papers};
        use AttachmentKind::{Document, Photo};
        let pdf = b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\n";
        let jpeg = [0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10, b'J', b'F', b'I', b'F', 0];
        check_paper(
            pdf,
            "application/pdf",
            Papers,
            Ok((Document, "application/pdf")),
        );
        check_paper(pdf, "image/png", Papers, Ok((Document, "application/pdf")));
        check_paper(
            pdf,
            "application/octet-stream",
            Papers,
            Ok((Document, "application/pdf")),
        );
        // A scan is still a photo where papers are taken.
        check_paper(&jpeg, "application/pdf", Papers, Ok((Photo, "image/jpeg")));
        // Posing as a PDF is not being one.
        check_paper(
            b"<html>%PDF-1.7</html>",
            "application/pdf",
            Papers,
            Err(415),
        );
        check_paper(b" %PDF-1.7\n", "application/pdf", Papers, Err(415));
        check_paper(b"PK\x03\x04", "application/pdf", Papers, Err(415));
        // Reports take no papers.
        check_paper(pdf, "application/pdf", Media, Err(415));
        let mut huge = pdf.to_vec();
        huge.resize((20 << 20) + 1, b' ');
        check_paper(&huge, "application/pdf", Papers, Err(413));
        huge.truncate(20 << 20);
        check_paper(
            &huge,
            "application/pdf",
            Papers,
            Ok((Document, "application/pdf")),
        );
        let refused = recognise(pdf, None, Media).unwrap_err();
        assert!(
            refused.detail.contains("photo, video or voice"),
            "{}",
            refused.detail
        );
        assert!(!AttachmentKind::Document.may_be_public());
        let on = |kind: AttachmentKind, source| {
            kind.check_attachable(source, "f").map_err(|p| p.status())
        };
        assert_eq!(on(Document, CaseSource::Mediation), Ok(()));
        for source in CaseSource::ALL {
            assert_eq!(on(Photo, source), Ok(()), "{source:?}");
            if source != CaseSource::Mediation {
                assert_eq!(on(Document, source), Err(400), "{source:?}");
            }
        }
        assert!(AttachmentKind::Photo.may_be_public());
        assert_eq!(AttachmentKind::parse("document"), Ok(Document));
    }

    #[test]
    fn duplicates_are_the_same_micro_grid_or_close_by() {
        let rule = DuplicateRule::DEFAULT;
        let here = Location::new(30.2741, 120.1551).unwrap();
        let near = Location::new(30.2750, 120.1551).unwrap(); // ~100 m north
        let far = Location::new(30.2800, 120.1551).unwrap(); // ~650 m
        assert!(rule.same_place((Some(7), None), (Some(7), Some(far))));
        assert!(!rule.same_place((Some(7), Some(here)), (Some(8), Some(here))));
        assert!(rule.same_place((None, Some(here)), (None, Some(near))));
        assert!(!rule.same_place((None, Some(here)), (None, Some(far))));
        assert!(!rule.same_place((None, None), (None, Some(here))));
        let d = distance_metres(here, near);
        assert!((95.0..=105.0).contains(&d), "{d}");
    }

    #[test]
    fn secrets_and_digests() {
        assert_eq!(reporter_secret([0xAB; 16]).len(), 32);
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        let secret = reporter_secret([7; 16]);
        let stored = sha256_hex(secret.as_bytes());
        assert!(reporter_secret_matches(&secret, &stored));
        assert!(reporter_secret_matches(&format!(" {secret}\n"), &stored));
        assert!(!reporter_secret_matches(&reporter_secret([8; 16]), &stored));
        assert!(!reporter_secret_matches("", &stored));
    }
}
