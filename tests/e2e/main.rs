//! One test binary for all end-to-end tests (one build, one link).
//! `across_runtimes`: the product tests again on Spin, on Spin with Redis, on Spin with libSQL and Redis.
//! `host`: the Spin-compatible host's behaviours, on its probe fixture.
//! `foundation`: the product's components on the host.
//! `intake`: reports, files, retries, duplicates, the reporter's secret.
//! `tenancy`: tenants, the grid, people and access.
//! `workflow`: routing rules, the case flow on the clock, queues, the sweep.
//! `case_flow`: the steps and the timeline as structured data for the pages.
//! `isolation`: every route against every kind of wrong caller.
//! `open311`: Open311 GeoReport v2 as a 311 client uses it.
//! `security`: the attacks that once worked, each refused at its root.
//! `browser`: the pages in headless Chromium (tests/browser, playwright-core).
//! `browser_mediation`: the mediation window and the agent desk in headless Chromium.
//! `browser_enterprise`: the enterprise portal and the public board in headless Chromium.
//! `browser_dashboard`: the dashboard's ECharts charts, its 未定位 row and its sums in headless Chromium.
//! `status`: the public look-up, board, figures, map and notices.
//! `enterprise`: registrations, requests as routed cases, the policy Q&A, policies.
//! `mediation`: disputes and agent matters as cases, their lists, outcomes, figures and privacy.
//! `analytics`: the dashboard's figures, hot spots, league tables, exports.
//! `soak`: concurrent retries, staff at work and a SIGKILL lose nothing.
//! `contract`: schemathesis checks the served OpenAPI document against the app.
//! `web_assets`: the pages' files compressed by Accept-Encoding, cached, revalidated.
//! `portal_address`: a township's address `/t/{tenant}/` serves the resident portal.
//! `portal_api`: a category's place rule at intake; rating opens at closure, and the look-up says when.
//! `browser_portal`: the resident portal and the worker app in headless Chromium.
//! `problem_codes`: each refusal a resident or staff meet carries its documented code (and Retry-After for a wait).
//! `browser_errors`: the pages say what the API refused in Chinese, with the wait, and show no English.
//! `triage`: staff decisions teach the triage; suggestions, the public check, automatic dispatch and its undo.
//! `patrols`: a patrol from start to summary (track pieces, visits, problems found), who sees tracks, grid days, figures, coverage, retention.
//! `browser_triage`: the console's suggestions filling the dispatch form, the portal's "这看起来像…", the admin's automatic dispatch, in headless Chromium.
//! `browser_maps`: the maps over the tenant's tiles (a local fixture), GCJ-02 converted both ways, in headless Chromium.
//! `browser_patrols`: patrols in the worker app (moving positions, offline, a reload), grid days, coverage, tracks, in headless Chromium.
//! `warnings`: early warnings (预警) raised by reports and the sweep, once; webhooks; the three actions; who may not see them.
//! `browser_warnings`: the console's 预警 panel and the dashboard's counts in headless Chromium.

mod across_runtimes;
mod analytics;
mod browser;
mod browser_dashboard;
mod browser_enterprise;
mod browser_errors;
mod browser_maps;
mod browser_mediation;
mod browser_patrols;
mod browser_portal;
mod browser_sms;
mod browser_triage;
mod browser_warnings;
mod case_flow;
mod contract;
mod enterprise;
mod foundation;
mod host;
mod intake;
mod isolation;
mod mediation;
mod open311;
mod patrols;
mod portal_address;
mod portal_api;
mod problem_codes;
mod security;
mod sms;
mod soak;
mod status;
mod tenancy;
mod triage;
mod warnings;
mod web_assets;
mod workflow;
mod workflow_paths;
