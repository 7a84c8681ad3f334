//! Open311 GeoReport v2 (and FixMyStreet's `servicerequestupdates`), served by the
//! `reporting` component under `/open311/v2/` for every tenant.
//!
//! The spec puts the format in the path (`services.json`, `services.xml`), and
//! routefinder cannot match a suffix after a `:param`, so the fixed paths are listed
//! once per format, and `:service`, `:request` and `:token` capture `CODE.json` or
//! `CODE.xml` whole. There is no `:tenant` segment: the handler resolves the tenant
//! from `jurisdiction_id` and checks `api_key` itself, so every route is `Public` here.

use crate::Access::Public;
use crate::{Route, route};

const fn open311(method: &'static str, path: &'static str, operation: &'static str) -> Route {
    route("reporting", method, path, operation, Public)
}

pub const OPEN311: &[Route] = &[
    open311("GET", "/open311/v2/discovery.json", "open311DiscoveryJson"),
    open311("GET", "/open311/v2/discovery.xml", "open311DiscoveryXml"),
    open311("GET", "/open311/v2/services.json", "open311ServicesJson"),
    open311("GET", "/open311/v2/services.xml", "open311ServicesXml"),
    open311(
        "GET",
        "/open311/v2/services/:service",
        "open311ServiceDefinition",
    ),
    open311("GET", "/open311/v2/requests.json", "open311RequestsJson"),
    open311("GET", "/open311/v2/requests.xml", "open311RequestsXml"),
    open311(
        "POST",
        "/open311/v2/requests.json",
        "open311PostRequestJson",
    ),
    open311("POST", "/open311/v2/requests.xml", "open311PostRequestXml"),
    open311("GET", "/open311/v2/requests/:request", "open311Request"),
    open311("GET", "/open311/v2/tokens/:token", "open311Token"),
    open311(
        "GET",
        "/open311/v2/servicerequestupdates.json",
        "open311UpdatesJson",
    ),
    open311(
        "GET",
        "/open311/v2/servicerequestupdates.xml",
        "open311UpdatesXml",
    ),
    open311(
        "POST",
        "/open311/v2/servicerequestupdates.json",
        "open311PostUpdateJson",
    ),
    open311(
        "POST",
        "/open311/v2/servicerequestupdates.xml",
        "open311PostUpdateXml",
    ),
];
