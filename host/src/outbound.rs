//! `allowed_outbound_hosts`: which addresses a component may call.
//! Entries are `scheme://host[:port]`, where the scheme, the host, a leading
//! `*.` of the host, and the port may each be `*` — the forms Spin documents.
//! A request to anything else is denied before a connection is made.

use anyhow::{Context, bail};

#[derive(Debug, Clone, Default)]
pub struct OutboundPolicy {
    allowed: Vec<AllowedHost>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct AllowedHost {
    scheme: Pattern,
    host: HostPattern,
    port: Pattern,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Pattern {
    Any,
    Exactly(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum HostPattern {
    Any,
    Exactly(String),
    /// `*.example.com`: any subdomain of `example.com`.
    SubdomainOf(String),
}

impl OutboundPolicy {
    pub fn parse(entries: &[String]) -> anyhow::Result<Self> {
        let allowed = entries
            .iter()
            .map(|e| {
                AllowedHost::parse(e).with_context(|| format!("allowed_outbound_hosts: {e:?}"))
            })
            .collect::<anyhow::Result<_>>()?;
        Ok(OutboundPolicy { allowed })
    }

    /// Whether a request to `scheme://host:port` may go out.
    pub fn allows(&self, scheme: &str, host: &str, port: u16) -> bool {
        let port = port.to_string();
        self.allowed.iter().any(|a| {
            a.scheme.matches(scheme)
                && a.host.matches(&host.to_ascii_lowercase())
                && a.port.matches(&port)
        })
    }
}

impl AllowedHost {
    fn parse(entry: &str) -> anyhow::Result<Self> {
        let Some((scheme, rest)) = entry.split_once("://") else {
            bail!("an entry needs a scheme, like https://example.com");
        };
        let rest = rest.trim_end_matches('/');
        let (host, port) = match rest.rsplit_once(':') {
            Some((h, p)) => (h, Pattern::parse(p)),
            None => (rest, Pattern::Exactly(default_port(scheme)?.to_string())),
        };
        if host.is_empty() {
            bail!("an entry needs a host");
        }
        let host = if host == "*" {
            HostPattern::Any
        } else if let Some(domain) = host.strip_prefix("*.") {
            HostPattern::SubdomainOf(domain.to_ascii_lowercase())
        } else {
            HostPattern::Exactly(host.to_ascii_lowercase())
        };
        Ok(AllowedHost {
            scheme: Pattern::parse(scheme),
            host,
            port,
        })
    }
}

fn default_port(scheme: &str) -> anyhow::Result<u16> {
    match scheme {
        "http" => Ok(80),
        "https" => Ok(443),
        other => bail!("scheme {other:?} needs an explicit port"),
    }
}

impl Pattern {
    fn parse(s: &str) -> Self {
        if s == "*" {
            Pattern::Any
        } else {
            Pattern::Exactly(s.to_string())
        }
    }

    fn matches(&self, value: &str) -> bool {
        match self {
            Pattern::Any => true,
            Pattern::Exactly(s) => s == value,
        }
    }
}

impl HostPattern {
    fn matches(&self, host: &str) -> bool {
        match self {
            HostPattern::Any => true,
            HostPattern::Exactly(h) => h == host,
            HostPattern::SubdomainOf(domain) => host
                .strip_suffix(domain.as_str())
                .is_some_and(|sub| sub.ends_with('.') && sub.len() > 1),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(entries: &[&str], target: (&str, &str, u16), expected: bool) {
        let entries: Vec<String> = entries.iter().map(|s| s.to_string()).collect();
        let policy = OutboundPolicy::parse(&entries).expect("valid entries");
        assert_eq!(
            policy.allows(target.0, target.1, target.2),
            expected,
            "{entries:?} for {target:?}"
        );
    }

    #[test]
    fn matching() {
        check(&[], ("https", "example.com", 443), false);
        check(
            &["https://example.com"],
            ("https", "example.com", 443),
            true,
        );
        check(&["https://example.com"], ("http", "example.com", 80), false);
        check(
            &["https://example.com"],
            ("https", "example.com", 8443),
            false,
        );
        check(
            &["https://example.com:*"],
            ("https", "example.com", 8443),
            true,
        );
        check(
            &["https://*.example.com"],
            ("https", "a.example.com", 443),
            true,
        );
        check(
            &["https://*.example.com"],
            ("https", "example.com", 443),
            false,
        );
        check(
            &["https://*.example.com"],
            ("https", "badexample.com", 443),
            false,
        );
        check(&["*://*:*"], ("http", "10.0.0.1", 9), true);
        check(
            &["http://127.0.0.1:3000"],
            ("http", "127.0.0.1", 3000),
            true,
        );
    }

    #[test]
    fn malformed_entries_are_refused() {
        for bad in ["example.com", "ftp://example.com", "https://"] {
            assert!(OutboundPolicy::parse(&[bad.to_string()]).is_err(), "{bad}");
        }
    }
}
