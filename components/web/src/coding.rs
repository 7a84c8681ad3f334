//! Which content coding a file is sent in: the request's `Accept-Encoding`
//! (RFC 9110 §12.5.3) weighed against the codings the file is offered in.

/// A content coding the component can send.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Coding {
    Br,
    Gzip,
    Identity,
}

impl Coding {
    /// The token in `Accept-Encoding` and `Content-Encoding`.
    pub fn token(self) -> &'static str {
        match self {
            Coding::Br => "br",
            Coding::Gzip => "gzip",
            Coding::Identity => "identity",
        }
    }

    /// What a precompressed sibling's file name adds to its source's.
    pub fn extension(self) -> &'static str {
        match self {
            Coding::Br => ".br",
            Coding::Gzip => ".gz",
            Coding::Identity => "",
        }
    }
}

/// A quality value in thousandths (`q=0.5` is 500): 0 refuses a coding.
type Quality = u16;

/// The coding to send: of `offered` (best first; identity is always
/// possible besides), the one the client weighs highest, the earlier
/// offered on a tie and identity last. No `Accept-Encoding` at all, or
/// nothing acceptable, gets identity (RFC 9110 allows a 406 there; a page
/// is more use). `identity` unnamed counts as acceptable but least wanted,
/// unless `*` names it.
pub fn choose(accept_encoding: Option<&str>, offered: &[Coding]) -> Coding {
    let Some(header) = accept_encoding else {
        return Coding::Identity;
    };
    let weights: Vec<(String, Quality)> = header.split(',').filter_map(weighed).collect();
    let named = |token: &str| {
        weights
            .iter()
            .find(|(name, _)| name == token || (token == "gzip" && name == "x-gzip"))
            .map(|(_, q)| *q)
    };
    let any = named("*");
    let quality = |coding: Coding| match (named(coding.token()), any, coding) {
        (Some(q), _, _) | (None, Some(q), _) => q,
        (None, None, Coding::Identity) => 1,
        (None, None, _) => 0,
    };
    let mut best = (Coding::Identity, quality(Coding::Identity));
    for &coding in offered.iter().rev() {
        let q = quality(coding);
        if q > 0 && q >= best.1 {
            best = (coding, q);
        }
    }
    best.0
}

/// One `coding;q=0.8` element, its name in lower case; `None` when it is
/// not one (an empty element, a malformed weight).
fn weighed(element: &str) -> Option<(String, Quality)> {
    let mut parts = element.split(';');
    let name = parts.next()?.trim().to_ascii_lowercase();
    if name.is_empty() {
        return None;
    }
    let mut q = 1000;
    for parameter in parts {
        let (key, value) = parameter.split_once('=')?;
        if key.trim().eq_ignore_ascii_case("q") {
            q = quality(value.trim())?;
        }
    }
    Some((name, q))
}

/// A `qvalue`: `0`, `1`, or up to three decimals (`0.125`, `1.000`).
fn quality(value: &str) -> Option<Quality> {
    let (whole, fraction) = value.split_once('.').unwrap_or((value, ""));
    if fraction.len() > 3 || !fraction.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let thousandths = format!("{fraction:0<3}").parse::<Quality>().ok()?;
    match whole {
        "0" => Some(thousandths),
        "1" if thousandths == 0 => Some(1000),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::Coding::{self, Br, Gzip, Identity};
    use super::choose;

    #[track_caller]
    fn check(accept_encoding: Option<&str>, offered: &[Coding], expected: Coding) {
        assert_eq!(
            choose(accept_encoding, offered),
            expected,
            "Accept-Encoding {accept_encoding:?}, offered {offered:?}"
        );
    }

    #[test]
    fn a_browser_gets_the_smallest_offered() {
        let chrome = Some("gzip, deflate, br, zstd");
        check(chrome, &[Br, Gzip], Br);
        check(chrome, &[Gzip], Gzip);
        check(chrome, &[], Identity);
        check(Some("gzip, deflate"), &[Br, Gzip], Gzip);
    }

    #[test]
    fn no_header_or_an_empty_one_is_identity() {
        check(None, &[Br, Gzip], Identity);
        check(Some(""), &[Br, Gzip], Identity);
        check(Some("identity"), &[Br, Gzip], Identity);
    }

    #[test]
    fn weights_decide() {
        check(Some("br;q=0.5, gzip"), &[Br, Gzip], Gzip);
        check(Some("br;q=0.5, gzip;q=0.6"), &[Br, Gzip], Gzip);
        check(Some("br;q=1.0, gzip;q=1"), &[Br, Gzip], Br);
        check(Some("gzip;q=0.5, identity"), &[Gzip], Identity);
        check(Some("gzip;q=0.5, identity;q=0.4"), &[Gzip], Gzip);
        check(Some("GZIP ; Q=0.9"), &[Br, Gzip], Gzip);
        check(Some("x-gzip"), &[Gzip], Gzip);
    }

    #[test]
    fn zero_refuses() {
        check(Some("br;q=0, gzip"), &[Br, Gzip], Gzip);
        check(Some("br;q=0, gzip;q=0"), &[Br, Gzip], Identity);
        check(Some("gzip, identity;q=0"), &[Gzip], Gzip);
        // Nothing acceptable at all: identity rather than a 406.
        check(Some("identity;q=0"), &[], Identity);
        check(Some("*;q=0"), &[Br, Gzip], Identity);
    }

    #[test]
    fn the_star_stands_for_what_is_not_named() {
        check(Some("*"), &[Br, Gzip], Br);
        check(Some("br;q=0, *"), &[Br, Gzip], Gzip);
        check(Some("*;q=0.5, identity"), &[Br, Gzip], Identity);
        check(Some("*;q=0, gzip"), &[Br, Gzip], Gzip);
    }

    #[test]
    fn a_malformed_weight_drops_its_element() {
        check(Some("br;q=2, gzip"), &[Br, Gzip], Gzip);
        check(Some("br;q=0.1234, gzip"), &[Br, Gzip], Gzip);
        check(Some("br;q, gzip"), &[Br, Gzip], Gzip);
        check(Some(" , ,br"), &[Br, Gzip], Br);
    }
}
