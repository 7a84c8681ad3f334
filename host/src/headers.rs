//! The headers Spin adds to every request it hands a component
//! (`spin-full-url`, `spin-path-info`, ...). They overwrite any header of
//! the same name the client sent, so a client cannot spoof its address.

use std::net::SocketAddr;

use http::HeaderValue;
use http::header::HeaderName;

use crate::routes::RouteMatch;

/// The Spin headers for a request to `path_and_query` routed by `matched`.
pub fn spin_headers(
    scheme: &str,
    host: &str,
    path_and_query: &str,
    matched: &RouteMatch,
    client: SocketAddr,
) -> Vec<(String, String)> {
    let mut headers = vec![
        (
            "spin-full-url".to_string(),
            format!("{scheme}://{host}{path_and_query}"),
        ),
        ("spin-path-info".to_string(), matched.path_info.clone()),
        ("spin-matched-route".to_string(), matched.raw_route.clone()),
        ("spin-base-path".to_string(), "/".to_string()),
        (
            "spin-raw-component-route".to_string(),
            matched.raw_route.clone(),
        ),
        (
            "spin-component-route".to_string(),
            matched.component_route().to_string(),
        ),
        ("spin-client-addr".to_string(), client.to_string()),
    ];
    for (name, value) in &matched.named {
        headers.push((
            format!("spin-path-match-{}", name.to_ascii_lowercase()),
            value.clone(),
        ));
    }
    headers
}

/// Sets `headers` on `map`, replacing what was there.
pub fn apply(map: &mut http::HeaderMap, headers: Vec<(String, String)>) -> anyhow::Result<()> {
    for (name, value) in headers {
        map.insert(
            HeaderName::from_bytes(name.as_bytes())?,
            HeaderValue::from_str(&value)?,
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::manifest::HttpTrigger;
    use crate::routes::Router;

    fn headers_for(route: &str, path: &str) -> Vec<(String, String)> {
        let router = Router::build(&[HttpTrigger {
            id: None,
            route: Some(route.into()),
            component: "c".into(),
        }])
        .unwrap();
        let matched = router.route(path.split('?').next().unwrap()).unwrap();
        spin_headers(
            "http",
            "127.0.0.1:3000",
            path,
            &matched,
            "127.0.0.1:5555".parse().unwrap(),
        )
    }

    fn get<'a>(headers: &'a [(String, String)], name: &str) -> &'a str {
        headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
            .unwrap_or_else(|| panic!("{name} missing"))
    }

    #[test]
    fn wildcard_route_headers() {
        let h = headers_for("/foo/...", "/foo/bar?k=v");
        assert_eq!(
            get(&h, "spin-full-url"),
            "http://127.0.0.1:3000/foo/bar?k=v"
        );
        assert_eq!(get(&h, "spin-path-info"), "/bar");
        assert_eq!(get(&h, "spin-matched-route"), "/foo/...");
        assert_eq!(get(&h, "spin-base-path"), "/");
        assert_eq!(get(&h, "spin-raw-component-route"), "/foo/...");
        assert_eq!(get(&h, "spin-component-route"), "/foo");
        assert_eq!(get(&h, "spin-client-addr"), "127.0.0.1:5555");
    }

    #[test]
    fn named_segments_become_path_match_headers() {
        let h = headers_for("/foo/:userid/...", "/foo/42/bar");
        assert_eq!(get(&h, "spin-path-match-userid"), "42");
        assert_eq!(get(&h, "spin-component-route"), "/foo/:userid");
        assert_eq!(get(&h, "spin-path-info"), "/bar");
    }
}
