//! Where a webhook may be sent: a tenant admin names the URL, and the
//! platform posts to it from inside the deployment's network, so a URL
//! that points back inside (the machine itself, a private network, the
//! cloud's metadata service) would let an admin read what answers there
//! through the delivery log. Such URLs are refused when a webhook is saved
//! and again before each delivery.
//!
//! The host is judged as the resolver that will connect would read it, not
//! as a browser would: C resolvers take `2130706433`, `0x7f.1` and `127.1`
//! for 127.0.0.1, so a host whose last label is numeric must be a plain
//! dotted quad, and anything but ASCII letters, digits, dots and hyphens
//! (percent escapes, full-width digits that IDNA would map) is refused.
//! A name is not resolved here (the domain does no I/O): a public name that
//! resolves to a private address is the network's egress rules' to stop
//! (docs/webhooks.md).

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use crate::problem::Problem;

/// Longest webhook URL.
pub const MAX_URL_CHARS: usize = 500;

/// Which hosts the deployment lets webhooks reach.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reach {
    /// Public hosts only: the default, and what production runs with.
    PublicOnly,
    /// Any host, this machine and private networks included: for a
    /// developer's or a test's local receiver (`allow_local_webhooks`).
    LocalToo,
}

/// Names that always mean this machine or the inside of a network.
const INTERNAL_SUFFIXES: &[&str] = &[
    "localhost",
    "localdomain",
    "local",
    "internal",
    "intranet",
    "lan",
    "home.arpa",
];

/// The shape of a webhook URL, as a regular expression: http(s), a host
/// name with a dot, a dotted quad or a bracketed IPv6 address, a port, and
/// no white space or control character. What it cannot say (a port beyond
/// 65535, an IPv6 address that does not parse, a host that is not public)
/// [`check_webhook_url`] refuses with 422.
pub fn url_pattern() -> String {
    let label = "[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?";
    let last = "[A-Za-z](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?";
    let octet = "(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])";
    let ws = crate::limits::WHITE_SPACE_CLASS;
    format!(
        r"^https?://(?:(?:{label}\.)+{last}\.?|(?:{octet}\.){{3}}{octet}|\[[0-9A-Fa-f:.]+\])(?::[0-9]{{1,5}})?(?:[/?#][^{ws}\u0000-\u001f\u007f-\u009f]*)?$"
    )
}

/// A webhook URL a tenant admin may register: absolute http(s), with a
/// host, no credentials in it, not too long, and (unless `reach` says
/// otherwise) a public host.
pub fn check_webhook_url(url: &str, reach: Reach) -> Result<(), Problem> {
    check_outbound_url(url, reach, "url", "a webhook URL")
}

/// A URL the platform will post to from inside the deployment (a webhook,
/// an SMS provider's endpoint), by the webhook's rules; `field` and `noun`
/// name it in the problem, so each caller's refusal says what was refused.
pub fn check_outbound_url(url: &str, reach: Reach, field: &str, noun: &str) -> Result<(), Problem> {
    let bad = |why: &str| Problem::validation(field, format!("{noun} {why}"));
    if url.chars().count() > MAX_URL_CHARS {
        return Err(bad("has at most 500 characters"));
    }
    if url.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(bad("has no spaces or control characters"));
    }
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
        .ok_or_else(|| bad("starts with https:// (or http:// for a local receiver)"))?;
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    if authority.is_empty() {
        return Err(bad("names a host"));
    }
    if authority.contains('@') {
        return Err(bad("carries no credentials; the signature authenticates"));
    }
    // Past the shape the document states (`url_pattern`): 422.
    let unprocessable = |why: &str| Problem::unprocessable(field, format!("{noun} {why}"));
    let host = host_of(authority).ok_or_else(|| {
        unprocessable(
            "has a host that is a name in ASCII letters, digits, dots and hyphens \
             (an international name in its xn-- form), a dotted IPv4 address or [an IPv6 address]",
        )
    })?;
    if reach == Reach::PublicOnly && !host.is_public() {
        return Err(unprocessable(
            "must name a public host: this machine, private networks, \
             link-local and metadata addresses cannot be reached",
        ));
    }
    Ok(())
}

/// The host of a URL, as the resolver will read it.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Host {
    Name(String),
    Ip(IpAddr),
}

/// The host of `authority` (`host[:port]`), or `None` when it is not one
/// that means the same to every resolver.
fn host_of(authority: &str) -> Option<Host> {
    if let Some(bracketed) = authority.strip_prefix('[') {
        let (address, after) = bracketed.split_once(']')?;
        if !(after.is_empty() || is_port(after.strip_prefix(':')?)) {
            return None;
        }
        return address.parse::<Ipv6Addr>().ok().map(|a| Host::Ip(a.into()));
    }
    let (host, port) = match authority.rsplit_once(':') {
        Some((host, port)) => (host, Some(port)),
        None => (authority, None),
    };
    if port.is_some_and(|p| !is_port(p)) {
        return None;
    }
    let host = host.strip_suffix('.').unwrap_or(host).to_ascii_lowercase();
    let labels: Vec<&str> = host.split('.').collect();
    let well_formed = labels.iter().all(|label| {
        !label.is_empty()
            && label.len() <= 63
            && label
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-')
            && !label.starts_with('-')
            && !label.ends_with('-')
    });
    if !well_formed || host.len() > 253 {
        return None;
    }
    let last = labels.last()?;
    let numeric = last.bytes().all(|b| b.is_ascii_digit()) || last.starts_with("0x");
    if numeric {
        // Only the plain dotted quad: every other numeric spelling is read
        // differently by different resolvers.
        let address: Ipv4Addr = host.parse().ok()?;
        return (address.to_string() == host).then_some(Host::Ip(address.into()));
    }
    Some(Host::Name(host))
}

fn is_port(port: &str) -> bool {
    !port.is_empty() && port.len() <= 5 && port.parse::<u16>().is_ok_and(|p| p > 0)
}

impl Host {
    fn is_public(&self) -> bool {
        match self {
            Host::Name(name) => {
                name.contains('.')
                    && !INTERNAL_SUFFIXES
                        .iter()
                        .any(|s| name == s || name.ends_with(&format!(".{s}")))
            }
            Host::Ip(IpAddr::V4(a)) => is_public_v4(*a),
            Host::Ip(IpAddr::V6(a)) => is_public_v6(*a),
        }
    }
}

fn is_public_v4(a: Ipv4Addr) -> bool {
    let [first, second, ..] = a.octets();
    let shared = first == 100 && (64..128).contains(&second); // 100.64.0.0/10, carrier NAT
    let this_network = first == 0; // 0.0.0.0/8
    let protocol = first == 192 && second == 0 && a.octets()[2] == 0; // 192.0.0.0/24
    let benchmarking = first == 198 && (18..20).contains(&second); // 198.18.0.0/15
    let reserved = first >= 240; // 240.0.0.0/4 and the broadcast address
    !(a.is_loopback()
        || a.is_private()
        || a.is_link_local() // 169.254.0.0/16: the metadata services
        || a.is_unspecified()
        || a.is_multicast()
        || a.is_documentation()
        || shared
        || this_network
        || protocol
        || benchmarking
        || reserved)
}

fn is_public_v6(a: Ipv6Addr) -> bool {
    if let Some(v4) = a.to_ipv4_mapped() {
        return is_public_v4(v4);
    }
    let first = a.segments()[0];
    let unique_local = (first & 0xfe00) == 0xfc00; // fc00::/7 (fd00:ec2::254, the metadata)
    let link_local = (first & 0xffc0) == 0xfe80; // fe80::/10
    let documentation = first == 0x2001 && a.segments()[1] == 0x0db8;
    // ::/96 (IPv4-compatible, deprecated) and the NAT64 prefix carry an IPv4 inside.
    let embeds_v4 = a.segments()[..6].iter().all(|s| *s == 0)
        || (a.segments()[..6] == [0x64, 0xff9b, 0, 0, 0, 0]);
    if embeds_v4 {
        let [.., hi, lo] = a.segments();
        return !a.is_unspecified()
            && !a.is_loopback()
            && is_public_v4(Ipv4Addr::from((u32::from(hi) << 16) | u32::from(lo)));
    }
    !(a.is_loopback()
        || a.is_unspecified()
        || a.is_multicast()
        || unique_local
        || link_local
        || documentation)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn public_hosts_are_taken() {
        for url in [
            "https://ops.example.cn/hooks/grid",
            "https://ops.example.cn:8443/hooks?x=1",
            "https://xn--fiqs8s.cn/h",
            "http://203.0.113.7.nip.example.cn/",
            "https://8.8.8.8/hook",
            "https://[2400:3200::1]:443/hook",
            "https://example.cn./h",
        ] {
            assert_eq!(check_webhook_url(url, Reach::PublicOnly), Ok(()), "{url}");
        }
    }

    #[test]
    fn inside_addresses_are_refused_however_written() {
        for url in [
            "http://localhost:22/",
            "http://LOCALHOST/",
            "http://api.localhost/",
            "http://127.0.0.1:3000/api",
            "http://127.0.0.1.:3000/",
            "https://169.254.169.254/latest/meta-data/",
            "http://metadata.google.internal/computeMetadata/v1/",
            "http://10.0.0.5/",
            "http://172.16.3.4/",
            "http://192.168.1.1/",
            "http://100.64.0.1/",
            "http://0.0.0.0:3000/",
            "http://2130706433/",
            "http://0x7f000001/",
            "http://0x7f.0.0.1/",
            "http://0177.0.0.1/",
            "http://127.1/",
            "http://[::1]/",
            "http://[::ffff:127.0.0.1]/",
            "http://[::ffff:a9fe:a9fe]/",
            "http://[::127.0.0.1]/",
            "http://[fd00:ec2::254]/",
            "http://[fe80::1]/",
            "http://127%2E0%2E0%2E1/",
            "http://１２７.０.０.１/",
            "http://router/",
            "http://printer.lan/",
            "https://user:pw@example.cn/",
        ] {
            let refused = check_webhook_url(url, Reach::PublicOnly).expect_err(url);
            assert_eq!(refused.field.as_deref(), Some("url"), "{url}");
        }
    }

    #[test]
    fn a_local_receiver_is_taken_where_the_deployment_allows_it() {
        assert_eq!(
            check_webhook_url("http://127.0.0.1:9000/", Reach::LocalToo),
            Ok(())
        );
        // Still a URL: the shape rules hold everywhere.
        for bad in [
            "ftp://example.cn/",
            "https://",
            "https:///path",
            "https://user:pw@example.cn/",
            "https://example.cn/a b",
            "example.cn",
            "http://127.0.0.1:99999/",
            "http://2130706433/",
        ] {
            let p = check_webhook_url(bad, Reach::LocalToo).expect_err(bad);
            assert_eq!(p.field.as_deref(), Some("url"), "{bad}");
        }
        let long = format!("https://e.cn/{}", "a".repeat(MAX_URL_CHARS));
        assert!(check_webhook_url(&long, Reach::LocalToo).is_err());
    }
}
