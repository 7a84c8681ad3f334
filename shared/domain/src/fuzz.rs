//! Property-based fuzzing of every parser here that reads untrusted input:
//! grid imports (CSV and JSON), tracking codes, tokens, uploaded files'
//! magic bytes. Each must answer a value or a `Problem` for any input,
//! never panic. Inputs are both random and mutations of valid ones (valid
//! inputs with a byte flipped, cut short or extended reach deeper than
//! random noise). The budget is proptest's (`PROPTEST_CASES`, 256 by
//! default), so `cargo test` runs a small bounded fuzz on every run.

use crate::auth::{Claims, Role, TokenKeys};
use crate::fuzzing::mutated;
use crate::grid_import::{parse_csv, parse_json};
use crate::intake::{Accepted, recognise};
use crate::tenant::TenantCode;
use crate::tracking::TrackingCode;
use chrono::{Duration, TimeZone, Utc};
use proptest::prelude::*;

const GRID_CSV: &str = "code,parent_code,level,name,households\n\
    JK,,township,金开街道,\n\
    JK-01,JK,community,一社区,\n\
    JK-01-01,JK-01,grid,一网格,\n\
    JK-01-01-01,JK-01-01,micro_grid,一微网格,35\n";

const GRID_JSON: &str = r#"{"nodes": [{"code":"JK","level":"township","name":"金开","children":[
    {"code":"JK-01","level":"community","name":"一社区","children":[]}]}]}"#;

fn token() -> String {
    let now = Utc.with_ymd_and_hms(2026, 3, 1, 0, 0, 0).unwrap();
    let claims = Claims::for_tenant(
        "7",
        &crate::tenant::Tenant {
            id: crate::tenant::TenantId(1),
            code: TenantCode::parse("demo").unwrap(),
            name: "demo".into(),
            kind: crate::tenant::TenantKind::Township,
            time_zone: "Asia/Shanghai".into(),
            status: crate::tenant::TenantStatus::Active,
            created_at: now,
        },
        Role::CommandCentre,
        now,
        Duration::hours(1),
    );
    TokenKeys::new(b"fuzz-secret").issue(&claims).unwrap()
}

proptest! {
    #[test]
    fn grid_csv_never_panics(bytes in prop_oneof![
        proptest::collection::vec(any::<u8>(), 0..400),
        mutated(GRID_CSV.as_bytes().to_vec()),
    ]) {
        let _ = parse_csv(&bytes);
    }

    #[test]
    fn grid_json_never_panics(bytes in prop_oneof![
        proptest::collection::vec(any::<u8>(), 0..400),
        mutated(GRID_JSON.as_bytes().to_vec()),
    ]) {
        let _ = parse_json(&bytes);
    }

    #[test]
    fn tracking_codes_never_panic(text in prop_oneof![
        any::<String>(),
        "[0-9A-Za-z-]{0,14}",
    ]) {
        if let Ok(code) = TrackingCode::parse(&text) {
            // What parses is canonical and parses back to itself.
            prop_assert_eq!(TrackingCode::parse(code.as_str()), Ok(code.clone()));
        }
    }

    #[test]
    fn tokens_never_panic_and_tampering_is_refused(bytes in prop_oneof![
        proptest::collection::vec(any::<u8>(), 0..300),
        mutated(token().into_bytes()),
    ]) {
        let keys = TokenKeys::new(b"fuzz-secret");
        let now = Utc.with_ymd_and_hms(2026, 3, 1, 0, 30, 0).unwrap();
        let text = String::from_utf8_lossy(&bytes);
        if let Ok(claims) = keys.verify(&text, now) {
            // Only the untouched token (or one that decodes to the same
            // signed content) may pass.
            prop_assert_eq!(claims.sub, "7");
        }
    }

    #[test]
    fn file_sniffing_never_panics(bytes in prop_oneof![
        proptest::collection::vec(any::<u8>(), 0..64),
        mutated(vec![0xFF, 0xD8, 0xFF, 0xE0, 0, 16, b'J', b'F', b'I', b'F', 0, 0xFF, 0xD9]),
        mutated(b"#!AMR\n\x3c\x00\x00".to_vec()),
        mutated(b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00".to_vec()),
        mutated(b"%PDF-1.7\n%\xE2\xE3\xCF\xD3\n".to_vec()),
    ]) {
        for accepted in [Accepted::Media, Accepted::MediaAndPapers] {
            let _ = recognise(&bytes, None, accepted);
            let _ = recognise(&bytes, Some("audio/mp4"), accepted);
        }
    }
}

/// The seeds of the mutations are valid, so mutations start deep inside
/// the parsers rather than at their first check.
#[test]
fn the_seeds_are_valid() {
    assert_eq!(parse_csv(GRID_CSV.as_bytes()).map(|rows| rows.len()), Ok(4));
    assert!(parse_json(GRID_JSON.as_bytes()).is_ok());
    let now = Utc.with_ymd_and_hms(2026, 3, 1, 0, 30, 0).unwrap();
    assert!(TokenKeys::new(b"fuzz-secret").verify(&token(), now).is_ok());
}
