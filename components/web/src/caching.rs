//! How long a browser may keep a file, and how it asks whether its copy
//! is still good.

use sha2::{Digest, Sha256};

use crate::coding::Coding;

/// A vendored library's files, whose URL names its version: kept a year,
/// never asked for again (a new version is a new URL).
pub const IMMUTABLE: &str = "public, max-age=31536000, immutable";
/// Everything else: kept, but asked for again each time (a `304` when
/// unchanged), so an edited page shows at once.
pub const REVALIDATE: &str = "no-cache";

/// The `Cache-Control` of the file at `path` asked for with `query`:
/// immutable only for a vendored file whose URL names its version, in its
/// folder (`/vendor/leaflet-1.9.4/leaflet.js`, the way
/// `static/vendor/README.md` asks for) or as `?v=`
/// (`/vendor/leaflet/leaflet.js?v=1.9.4`).
pub fn cache_control(path: &str, query: &str) -> &'static str {
    let Some(rest) = path.strip_prefix("/vendor/") else {
        return REVALIDATE;
    };
    let names_a_file = !rest.is_empty() && !rest.ends_with('/');
    let in_versioned_folder = rest
        .split_once('/')
        .is_some_and(|(folder, _)| names_a_version(folder));
    let versioned_query = query
        .split('&')
        .any(|pair| pair.strip_prefix("v=").is_some_and(|v| !v.is_empty()));
    if names_a_file && (in_versioned_folder || versioned_query) {
        IMMUTABLE
    } else {
        REVALIDATE
    }
}

/// `leaflet-1.9.4`, `echarts-5.6.0-rc.1`: a name, a hyphen, then a version
/// that starts with a digit.
fn names_a_version(folder: &str) -> bool {
    folder.split_once('-').is_some_and(|(name, version)| {
        !name.is_empty()
            && version.starts_with(|c: char| c.is_ascii_digit())
            && version
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"-.+".contains(&b))
    })
}

/// A strong entity tag for `bytes` sent in `coding`: the first 128 bits
/// of their SHA-256, and the coding's name when there is one (each coding
/// of a file is a representation of its own, RFC 9110 §8.8.3).
pub fn etag(bytes: &[u8], coding: Coding) -> String {
    let digest = Sha256::digest(bytes);
    let hex: String = digest[..16].iter().map(|b| format!("{b:02x}")).collect();
    match coding {
        Coding::Identity => format!("\"{hex}\""),
        other => format!("\"{hex}-{}\"", other.token()),
    }
}

/// Whether `If-None-Match` names `etag` (or is `*`): the client's copy is
/// current. Compared weakly, as RFC 9110 §13.1.2 asks.
pub fn still_current(if_none_match: Option<&str>, etag: &str) -> bool {
    if_none_match.is_some_and(|header| {
        header.trim() == "*"
            || header
                .split(',')
                .map(|tag| tag.trim().trim_start_matches("W/"))
                .any(|tag| tag == etag)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_versioned_vendor_files_are_immutable() {
        for (path, query, expected) in [
            ("/vendor/leaflet-1.9.4/leaflet.js", "", IMMUTABLE),
            (
                "/vendor/leaflet-1.9.4/images/marker-icon.png",
                "",
                IMMUTABLE,
            ),
            ("/vendor/echarts-5.6.0-rc.1/echarts.min.js", "", IMMUTABLE),
            ("/vendor/leaflet/leaflet.js", "v=1.9.4", IMMUTABLE),
            ("/vendor/leaflet/leaflet.js", "x=1&v=1.9.4", IMMUTABLE),
            ("/vendor/README.md", "", REVALIDATE),
            ("/vendor/leaflet/leaflet.js", "", REVALIDATE),
            ("/vendor/leaflet/leaflet.js", "v=", REVALIDATE),
            ("/vendor/leaflet/leaflet.js", "nov=1", REVALIDATE),
            ("/vendor/leaflet-latest/leaflet.js", "", REVALIDATE),
            ("/vendor/leaflet-1.9.4/", "", REVALIDATE),
            ("/vendor/-1.9.4/leaflet.js", "", REVALIDATE),
            ("/common.js", "v=1", REVALIDATE),
            ("/worker/sw.js", "", REVALIDATE),
            ("/x/vendor/leaflet-1.9.4/leaflet.js", "", REVALIDATE),
        ] {
            assert_eq!(cache_control(path, query), expected, "{path}?{query}");
        }
    }

    #[test]
    fn a_tag_names_the_bytes_and_the_coding() {
        let plain = etag(b"body", Coding::Identity);
        assert_eq!(plain.len(), 34, "{plain}");
        assert_ne!(plain, etag(b"body!", Coding::Identity));
        assert_eq!(
            etag(b"body", Coding::Gzip),
            format!("{}-gzip\"", plain.trim_end_matches('"'))
        );
        assert!(etag(b"body", Coding::Br).ends_with("-br\""));
    }

    #[test]
    fn if_none_match_is_compared_weakly() {
        let tag = "\"abc\"";
        for (header, expected) in [
            (None, false),
            (Some("\"abc\""), true),
            (Some("W/\"abc\""), true),
            (Some("\"x\", \"abc\""), true),
            (Some("*"), true),
            (Some("\"abc-gzip\""), false),
            (Some("abc"), false),
            (Some(""), false),
        ] {
            assert_eq!(still_current(header, tag), expected, "{header:?}");
        }
    }
}
