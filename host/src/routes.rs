//! Route matching with Spin's rules, on the same matcher Spin uses (`routefinder`):
//! exact routes before wildcards, the longest prefix among wildcards,
//! `:name` segments captured, a trailing `/...` matching the rest of the path.
//! Spin strips one trailing slash from a route and captures the trailing
//! slash of a path in `spin-path-info`; both are reproduced here.

use anyhow::anyhow;

use crate::manifest::HttpTrigger;

/// The routes of an application, built once at start-up.
pub struct Router {
    inner: routefinder::Router<Target>,
}

#[derive(Debug, Clone)]
struct Target {
    component: String,
    /// The route as written in the manifest, e.g. `/api/t/:tenant/...`.
    raw_route: String,
}

/// The outcome of routing one request path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RouteMatch {
    pub component: String,
    pub raw_route: String,
    /// The part of the path matched by a trailing `/...` (Spin's `spin-path-info`).
    pub path_info: String,
    /// Named segments: `:tenant` gives `("tenant", "demo")`.
    pub named: Vec<(String, String)>,
}

impl RouteMatch {
    /// The route without its trailing wildcard (Spin's `spin-component-route`).
    pub fn component_route(&self) -> &str {
        self.raw_route
            .strip_suffix("/...")
            .unwrap_or(&self.raw_route)
    }
}

impl Router {
    /// Builds the router; like Spin, a later duplicate of a route replaces the
    /// earlier one, and private routes are not routable.
    pub fn build(triggers: &[HttpTrigger]) -> anyhow::Result<Self> {
        let mut unique: Vec<(String, Target)> = Vec::new();
        for t in triggers {
            let Some(route) = &t.route else { continue };
            let target = Target {
                component: t.component.clone(),
                raw_route: route.clone(),
            };
            match unique.iter_mut().find(|(r, _)| r == route) {
                Some(existing) => existing.1 = target,
                None => unique.push((route.clone(), target)),
            }
        }
        let mut inner = routefinder::Router::new();
        for (route, target) in unique {
            let spec = route_spec(&route);
            inner
                .add(spec.as_str(), target)
                .map_err(|e| anyhow!("route {route:?}: {e}"))?;
        }
        Ok(Router { inner })
    }

    /// The component for `path`, or `None` when no route matches (a 404).
    pub fn route(&self, path: &str) -> Option<RouteMatch> {
        let found = self.inner.best_match(path)?;
        let target = found.handler();
        let captures = found.captures();
        let mut named: Vec<(String, String)> = captures
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        named.sort();
        let path_info = match captures.wildcard() {
            None => String::new(),
            Some(rest) => match (rest.is_empty(), path.ends_with('/')) {
                (true, false) => String::new(),
                (true, true) => "/".to_string(),
                (false, false) => format!("/{rest}"),
                (false, true) => format!("/{rest}/"),
            },
        };
        Some(RouteMatch {
            component: target.component.clone(),
            raw_route: target.raw_route.clone(),
            path_info,
            named,
        })
    }
}

/// Converts a manifest route into `routefinder` syntax: absolute, one
/// trailing slash stripped, `/...` spelled `/*`.
fn route_spec(route: &str) -> String {
    let absolute = if route.starts_with('/') {
        route.to_string()
    } else {
        format!("/{route}")
    };
    if let Some(prefix) = absolute.strip_suffix("/...") {
        return format!("{prefix}/*");
    }
    match absolute.strip_suffix('/') {
        Some(stripped) => stripped.to_string(),
        None => absolute,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn router(routes: &[(&str, &str)]) -> Router {
        let triggers: Vec<HttpTrigger> = routes
            .iter()
            .map(|(route, component)| HttpTrigger {
                id: None,
                route: Some(route.to_string()),
                component: component.to_string(),
            })
            .collect();
        Router::build(&triggers).expect("routes build")
    }

    /// `check(routes, path, expected)`: `expected` is `(component, path_info)`
    /// or `None` for a 404.
    fn check(routes: &[(&str, &str)], path: &str, expected: Option<(&str, &str)>) {
        let got = router(routes).route(path);
        let got = got
            .as_ref()
            .map(|m| (m.component.as_str(), m.path_info.as_str()));
        assert_eq!(got, expected, "routing {path} over {routes:?}");
    }

    #[test]
    fn exact_routes() {
        check(&[("/a", "a")], "/a", Some(("a", "")));
        check(&[("/a", "a")], "/a/b", None);
        check(&[("/a", "a")], "/b", None);
        check(&[("/a/", "a")], "/a", Some(("a", "")));
    }

    #[test]
    fn wildcards_match_the_rest() {
        let routes = [("/api/...", "api")];
        check(&routes, "/api", Some(("api", "")));
        check(&routes, "/api/", Some(("api", "/")));
        check(&routes, "/api/x/y", Some(("api", "/x/y")));
        check(&routes, "/api/x/y/", Some(("api", "/x/y/")));
        check(&routes, "/apix", None);
    }

    #[test]
    fn exact_before_wildcard_and_longest_prefix_first() {
        let routes = [
            ("/...", "web"),
            ("/api/...", "api"),
            ("/api/openapi.json", "doc"),
            ("/api/t/:tenant/reports/...", "reporting"),
        ];
        check(&routes, "/", Some(("web", "/")));
        check(&routes, "/index.html", Some(("web", "/index.html")));
        check(&routes, "/api/openapi.json", Some(("doc", "")));
        check(&routes, "/api/other", Some(("api", "/other")));
        check(&routes, "/api/t/demo/reports/7", Some(("reporting", "/7")));
        check(&routes, "/api/t/demo/cases", Some(("api", "/t/demo/cases")));
    }

    #[test]
    fn named_segments_are_captured() {
        let m = router(&[("/api/t/:tenant/reports/...", "r")])
            .route("/api/t/demo/reports/9")
            .expect("matches");
        assert_eq!(m.named, [("tenant".to_string(), "demo".to_string())]);
        assert_eq!(m.component_route(), "/api/t/:tenant/reports");
        assert_eq!(m.raw_route, "/api/t/:tenant/reports/...");
    }

    #[test]
    fn a_later_duplicate_route_wins_as_in_spin() {
        check(
            &[("/a", "first"), ("/a", "second")],
            "/a",
            Some(("second", "")),
        );
    }

    #[test]
    fn private_routes_are_not_routable() {
        let triggers = [HttpTrigger {
            id: None,
            route: None,
            component: "hidden".into(),
        }];
        assert!(Router::build(&triggers).unwrap().route("/").is_none());
    }
}
