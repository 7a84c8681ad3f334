//! Open311 GeoReport v2 (<http://wiki.open311.org/GeoReport_v2>) for every tenant,
//! with FixMyStreet's `servicerequestupdates` extension.
//!
//! `jurisdiction_id` names the tenant (its code); writes need an `api_key` the
//! tenant's administrator issued. `service_request_id` is the case's public tracking
//! code: unguessable, the same one residents see, and what `tokens/` resolves to.
//! Every failure is the spec's error list with a fitting HTTP status, never a
//! problem document. Nothing here reveals the reporter; coordinates are rounded to
//! about 100 m (three decimals), like the public status page keeps them private.

mod wire;

use std::collections::BTreeMap;
use std::ops::RangeInclusive;

use chrono::{DateTime, Duration, NaiveDate, NaiveDateTime, SecondsFormat, Utc};
use domain::publication::{
    PrivateFacts, Redactor, exchanged_through_open311, open311_description, public_note,
    public_point,
};
use domain::report::Report;
use domain::{Code, ExtraField, ExtraFieldKind, Tenant, TenantCode, TenantStatus, TrackingCode};
use edge::limits::LOOKUP_MISSES;
use edge::{Ctx, HandlerResult};
use serde_json::{Map, Value, json};
use store::scoped::open311::{ApiKey, ApiKeyCheck, OPEN311_MAX_RESULTS, Open311Filter};
use store::{Case, Category, Contact, NewCase, Routing, TenantScope};

use wire::{Doc, Format, Open311Error, respond};

type Answer = Result<Doc, Open311Error>;

/// Where GeoReport v2 is specified; named in discovery.
const SPECIFICATION: &str = "http://wiki.open311.org/GeoReport_v2";
/// The date of this endpoint's last change of shape (discovery's `changeset`).
const CHANGESET: &str = "2026-11-27T00:00:00+00:00";
/// Requests per page of `GET requests` when the client names no
/// `page_size` (at most `OPEN311_MAX_RESULTS`).
const PAGE_SIZE: u32 = 50;

/// The deepest `page` of `GET requests` (a client that wants older cases
/// narrows the dates instead).
const MAX_PAGE: u32 = 1000;

/// The default window of `GET requests` and `GET servicerequestupdates` (the spec's 90 days).
const DEFAULT_DAYS: i64 = 90;
/// Codes one `GET requests` may name (`service_request_id=a,b,…`): a client
/// following its own requests asks for a few at a time, and each code not
/// found counts against the look-up miss limit, as on the status page.
const MAX_REQUEST_IDS: usize = 20;

// --- handlers, one per route -------------------------------------------------

/// The handler of each operation of `api::OPEN311`.
pub fn handler_for(operation: &str) -> Option<edge::router::Handler> {
    Some(match operation {
        "open311DiscoveryJson" => discovery_json,
        "open311DiscoveryXml" => discovery_xml,
        "open311ServicesJson" => services_json,
        "open311ServicesXml" => services_xml,
        "open311ServiceDefinition" => service_definition,
        "open311RequestsJson" => requests_json,
        "open311RequestsXml" => requests_xml,
        "open311PostRequestJson" => post_request_json,
        "open311PostRequestXml" => post_request_xml,
        "open311Request" => request,
        "open311Token" => token,
        "open311UpdatesJson" => updates_json,
        "open311UpdatesXml" => updates_xml,
        "open311PostUpdateJson" => post_update_json,
        "open311PostUpdateXml" => post_update_xml,
        _ => return None,
    })
}

pub fn discovery_json(ctx: &mut Ctx) -> HandlerResult {
    Ok(serve(ctx, Format::Json, discovery))
}
pub fn discovery_xml(ctx: &mut Ctx) -> HandlerResult {
    Ok(serve(ctx, Format::Xml, discovery))
}
pub fn services_json(ctx: &mut Ctx) -> HandlerResult {
    Ok(serve(ctx, Format::Json, services))
}
pub fn services_xml(ctx: &mut Ctx) -> HandlerResult {
    Ok(serve(ctx, Format::Xml, services))
}
pub fn service_definition(ctx: &mut Ctx) -> HandlerResult {
    Ok(serve_param(ctx, "service", definition))
}
pub fn requests_json(ctx: &mut Ctx) -> HandlerResult {
    Ok(serve(ctx, Format::Json, list_requests))
}
pub fn requests_xml(ctx: &mut Ctx) -> HandlerResult {
    Ok(serve(ctx, Format::Xml, list_requests))
}
pub fn post_request_json(ctx: &mut Ctx) -> HandlerResult {
    Ok(serve(ctx, Format::Json, post_request))
}
pub fn post_request_xml(ctx: &mut Ctx) -> HandlerResult {
    Ok(serve(ctx, Format::Xml, post_request))
}
pub fn request(ctx: &mut Ctx) -> HandlerResult {
    Ok(serve_param(ctx, "request", one_request))
}
pub fn token(ctx: &mut Ctx) -> HandlerResult {
    Ok(serve_param(ctx, "token", resolve_token))
}
pub fn updates_json(ctx: &mut Ctx) -> HandlerResult {
    Ok(serve(ctx, Format::Json, list_updates))
}
pub fn updates_xml(ctx: &mut Ctx) -> HandlerResult {
    Ok(serve(ctx, Format::Xml, list_updates))
}
pub fn post_update_json(ctx: &mut Ctx) -> HandlerResult {
    Ok(serve(ctx, Format::Json, post_update))
}
pub fn post_update_xml(ctx: &mut Ctx) -> HandlerResult {
    Ok(serve(ctx, Format::Xml, post_update))
}

fn serve(
    ctx: &mut Ctx,
    format: Format,
    f: impl FnOnce(&mut Ctx, &Params) -> Answer,
) -> edge::Response {
    let answer = Params::of(ctx).and_then(|params| f(ctx, &params));
    respond(format, &answer.unwrap_or_else(|e| e.doc()))
}

/// For `…/:name` routes: `CODE.json` or `CODE.xml`; another ending is a 404.
fn serve_param(
    ctx: &mut Ctx,
    name: &str,
    f: impl FnOnce(&mut Ctx, &Params, &str) -> Answer,
) -> edge::Response {
    let segment = ctx.param(name).unwrap_or_default().to_string();
    let Some((code, format)) = Format::split(&segment) else {
        let error = Open311Error::not_found("ask for CODE.json or CODE.xml");
        return respond(Format::Json, &error.doc());
    };
    let answer = Params::of(ctx).and_then(|params| f(ctx, &params, code));
    respond(format, &answer.unwrap_or_else(|e| e.doc()))
}

// --- input ---------------------------------------------------------------------

/// The request's parameters: a POST's form fields first, then the query string.
struct Params(Vec<(String, String)>);

impl Params {
    fn of(ctx: &Ctx) -> Result<Params, Open311Error> {
        let body = (ctx.request().method().to_string() == "POST")
            .then(|| (ctx.content_type(), ctx.request().body()));
        Params::parse(body, ctx.request().query())
    }

    /// A POST's form body (content type and bytes) then the query string.
    fn parse(body: Option<(String, &[u8])>, query: &str) -> Result<Params, Open311Error> {
        let mut pairs = Vec::new();
        if let Some((content_type, body)) = body {
            if body.len() > edge::context::MAX_JSON_BYTES {
                return Err(Open311Error::new(413, "the request body is too large"));
            }
            match content_type.as_str() {
                "application/x-www-form-urlencoded" | "" => pairs.extend(
                    form_urlencoded::parse(body).map(|(k, v)| (k.into_owned(), v.into_owned())),
                ),
                other => {
                    return Err(Open311Error::bad_request(format!(
                        "send the fields as application/x-www-form-urlencoded, not {other}"
                    )));
                }
            }
        }
        pairs.extend(
            form_urlencoded::parse(query.as_bytes()).map(|(k, v)| (k.into_owned(), v.into_owned())),
        );
        Ok(Params(pairs))
    }

    /// A field, trimmed; blank counts as absent.
    fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.trim())
            .filter(|v| !v.is_empty())
    }

    fn required(&self, name: &str) -> Result<&str, Open311Error> {
        self.get(name)
            .ok_or_else(|| Open311Error::bad_request(format!("{name} is required")))
    }

    /// A comma-separated list (`service_code=a,b`), blanks dropped.
    fn list(&self, name: &str) -> Option<Vec<&str>> {
        self.get(name).map(|v| {
            v.split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .collect()
        })
    }

    /// `attribute[KEY]=value` pairs, as a report's extra fields (text: the
    /// category's rules make numbers of them, `domain::report`).
    fn attributes(&self) -> BTreeMap<String, Value> {
        self.0
            .iter()
            .filter_map(|(k, v)| {
                k.strip_prefix("attribute[")
                    .and_then(|rest| rest.strip_suffix(']'))
                    .map(|key| (key.to_string(), Value::String(v.trim().to_string())))
            })
            .collect()
    }

    fn english(&self) -> bool {
        self.get("locale")
            .is_some_and(|l| l.to_ascii_lowercase().starts_with("en"))
    }

    /// A whole number in `range`, if given.
    fn number(&self, name: &str, range: RangeInclusive<u32>) -> Result<Option<u32>, Open311Error> {
        self.get(name)
            .map(|v| {
                v.trim()
                    .parse::<u32>()
                    .ok()
                    .filter(|n| range.contains(n))
                    .ok_or_else(|| {
                        Open311Error::bad_request(format!(
                            "{name} must be a whole number from {} to {}",
                            range.start(),
                            range.end()
                        ))
                    })
            })
            .transpose()
    }

    fn date(&self, name: &str) -> Result<Option<DateTime<Utc>>, Open311Error> {
        self.get(name)
            .map(|v| {
                parse_datetime(v).ok_or_else(|| {
                    Open311Error::bad_request(format!(
                        "{name} must be a W3C date-time such as 2026-01-31T08:00:00+08:00"
                    ))
                })
            })
            .transpose()
    }
}

/// W3C date-times (ISO 8601 / RFC 3339), leniently: a `+` that a client forgot to
/// percent-encode arrives as a space; no offset means UTC; a bare date is its midnight.
fn parse_datetime(input: &str) -> Option<DateTime<Utc>> {
    let s = input.trim();
    let repaired = match s.rfind(' ') {
        Some(i) if i > 10 => format!("{}+{}", &s[..i], &s[i + 1..]),
        _ => s.to_string(),
    };
    if let Ok(t) = DateTime::parse_from_rfc3339(&repaired) {
        return Some(t.with_timezone(&Utc));
    }
    for pattern in ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%dT%H:%M"] {
        if let Ok(t) = NaiveDateTime::parse_from_str(&repaired, pattern) {
            return Some(t.and_utc());
        }
    }
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|t| t.and_utc())
}

/// W3C date-time as the spec's examples write it, in UTC.
fn w3c(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, false)
}

/// The tenant `jurisdiction_id` names. Unknown and malformed codes are the same 404.
fn jurisdiction(ctx: &mut Ctx, params: &Params) -> Result<Tenant, Open311Error> {
    let code = params.required("jurisdiction_id")?;
    let unknown = || Open311Error::not_found(format!("jurisdiction_id '{code}' is not known here"));
    let code = TenantCode::parse(code).map_err(|_| unknown())?;
    store::find_tenant(ctx.db()?, &code)?.ok_or_else(unknown)
}

/// The key a write presents: missing, unknown and revoked keys are all 403.
fn require_key<D: store::Database + ?Sized>(
    scope: &TenantScope<'_, D>,
    tenant: &Tenant,
    params: &Params,
) -> Result<ApiKey, Open311Error> {
    let key = params
        .get("api_key")
        .ok_or_else(|| Open311Error::forbidden("api_key is required"))?;
    let key = match scope.check_api_key(key)? {
        ApiKeyCheck::Valid(key) => key,
        ApiKeyCheck::Revoked => {
            return Err(Open311Error::forbidden("this api_key has been revoked"));
        }
        ApiKeyCheck::Unknown => return Err(Open311Error::forbidden("api_key is not valid")),
    };
    if tenant.status == TenantStatus::Suspended {
        return Err(Open311Error::forbidden(
            "this jurisdiction is suspended and takes no new requests",
        ));
    }
    Ok(key)
}

fn tracking_code(code: &str) -> Result<TrackingCode, Open311Error> {
    TrackingCode::parse(code)
        .map_err(|_| Open311Error::not_found(format!("no service request '{code}'")))
}

// --- discovery and services -----------------------------------------------------

fn discovery(ctx: &mut Ctx, _params: &Params) -> Answer {
    let url = ctx
        .request()
        .header("spin-full-url")
        .and_then(|h| h.as_str())
        .and_then(|full| {
            full.find("/open311/v2/")
                .map(|i| full[..i + 12].to_string())
        })
        .unwrap_or_else(|| "/open311/v2/".to_string());
    Ok(Doc::ok(
        "discovery",
        json!({
            "changeset": CHANGESET,
            "contact": "Each jurisdiction (jurisdiction_id = the tenant's code) is run by its own administrator.",
            "key_service": "API keys for POST are issued by the jurisdiction's administrator.",
            "endpoints": [{
                "specification": SPECIFICATION,
                "url": url,
                "changeset": CHANGESET,
                "type": "production",
                "formats": ["application/json", "text/xml"],
            }],
        }),
    ))
}

fn services(ctx: &mut Ctx, params: &Params) -> Answer {
    let tenant = jurisdiction(ctx, params)?;
    let scope = TenantScope::new(ctx.db()?, &tenant);
    let english = params.english();
    let list: Vec<Value> = scope
        .list_categories()?
        .iter()
        .filter(|c| !c.retired && offered_to_311(c))
        .map(|c| {
            let (name, other) = names(c, english);
            json!({
                "service_code": c.code.as_str(),
                "service_name": name,
                "description": other,
                "metadata": !c.extra_fields.is_empty(),
                "type": "realtime",
                "keywords": "",
                "group": "",
            })
        })
        .collect();
    Ok(Doc::ok("services", Value::Array(list)))
}

/// The category's name and its name in the other language (Chinese first).
fn names(c: &Category, english: bool) -> (&str, &str) {
    if english {
        (&c.name_en, &c.name_zh)
    } else {
        (&c.name_zh, &c.name_en)
    }
}

fn active_category<D: store::Database + ?Sized>(
    scope: &TenantScope<'_, D>,
    code: &str,
) -> Result<Option<Category>, Open311Error> {
    let Ok(code) = Code::parse(code) else {
        return Ok(None);
    };
    Ok(scope
        .category_by_code(&code)?
        .filter(|c| !c.retired && offered_to_311(c)))
}

/// A category 311 clients may report under: not one a desk reserves.
fn offered_to_311(category: &Category) -> bool {
    domain::case_kind::reserved_for(category.code.as_str()).is_none()
}

fn definition(ctx: &mut Ctx, params: &Params, code: &str) -> Answer {
    let tenant = jurisdiction(ctx, params)?;
    let scope = TenantScope::new(ctx.db()?, &tenant);
    let category = active_category(&scope, code)?
        .ok_or_else(|| Open311Error::not_found(format!("no service '{code}'")))?;
    let english = params.english();
    let attributes: Vec<Value> = category
        .extra_fields
        .iter()
        .enumerate()
        .map(|(i, field)| attribute(i, field, english))
        .collect();
    Ok(Doc::ok(
        "service_definition",
        json!({ "service_code": category.code.as_str(), "attributes": attributes }),
    ))
}

fn attribute(index: usize, field: &ExtraField, english: bool) -> Value {
    let (datatype, description) = match field.kind {
        ExtraFieldKind::Text => ("string", ""),
        ExtraFieldKind::Number => ("number", "a number"),
        ExtraFieldKind::Choice => ("singlevaluelist", "one of the values"),
    };
    let mut attribute = json!({
        "variable": true,
        "code": field.key,
        "datatype": datatype,
        "required": field.required,
        "datatype_description": description,
        "order": index + 1,
        "description": if english { &field.label_en } else { &field.label_zh },
    });
    if field.kind == ExtraFieldKind::Choice {
        attribute["values"] = field
            .choices
            .iter()
            .map(|c| json!({ "key": c, "name": c }))
            .collect();
    }
    attribute
}

// --- requests ---------------------------------------------------------------------

fn post_request(ctx: &mut Ctx, params: &Params) -> Answer {
    let tenant = jurisdiction(ctx, params)?;
    let db = ctx.db()?;
    let scope = TenantScope::new(db, &tenant);
    require_key(&scope, &tenant, params)?;
    let location = location(params)?;
    let address = params.get("address_string").map(str::to_string);
    if location.is_none() && address.is_none() {
        return Err(Open311Error::bad_request(
            "give a location: lat and long, or address_string",
        ));
    }
    let report = Report {
        category: params.required("service_code")?,
        description: params.get("description"),
        extra: params.attributes(),
        latitude: location.map(|(lat, _)| lat),
        longitude: location.map(|(_, long)| long),
        address: address.as_deref(),
        ..Report::default()
    };
    let judged = crate::judging::judge(&scope, &report)?;
    let name = [params.get("first_name"), params.get("last_name")]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ");
    let contact = |field: &str| -> Result<Option<String>, Open311Error> {
        match params.get(field) {
            Some(v) if v.chars().count() > 200 => Err(Open311Error::bad_request(format!(
                "{field} must be at most 200 characters"
            ))),
            v => Ok(v.map(str::to_string)),
        }
    };
    let mut extra: Map<String, Value> = judged.extra.into_iter().collect();
    if let Some(url) = params.get("media_url") {
        if !(url.starts_with("http://") || url.starts_with("https://")) || url.len() > 2000 {
            return Err(Open311Error::bad_request(
                "media_url must be an http(s) URL",
            ));
        }
        extra.insert(MEDIA_URL_KEY.into(), Value::String(url.to_string()));
    }
    let new_case = NewCase {
        grid_node: judged.grid_node,
        location: judged.location,
        address,
        extra: Value::Object(extra),
        contact: Contact {
            name: Some(name.clone()).filter(|n| !n.is_empty()),
            phone: contact("phone")?,
            email: contact("email")?,
        },
        ..NewCase::basic(
            TrackingCode::from_random(edge::random_bytes::<8>()?),
            judged.category.as_str(),
            judged.description,
            judged.source,
        )
    };
    // As with any intake: a routing rule for the service dispatches at once,
    // in the transaction that records the case.
    let mut prepared = scope.prepare_case(new_case, Routing::Automatic, Utc::now())?;
    let case = edge::with_fresh_tracking_code(|code| {
        prepared.with_tracking_code(code);
        scope.record_case(&prepared, Utc::now())
    })?;
    let code = case.tracking_code.as_str();
    Ok(Doc::ok(
        "service_requests",
        json!([{
            "service_request_id": code,
            "service_notice": format!("已受理，查询码 {code} (received; your tracking code is {code})"),
            "account_id": null,
        }]),
    ))
}

/// Where `open311.media_url` is kept in a case's `extra` object: a dot cannot appear in
/// an extra field's key, so it cannot collide with one.
const MEDIA_URL_KEY: &str = "open311.media_url";

/// `lat` and `long` as numbers, when given; whether they make a place is
/// the report's rule (`domain::report`).
fn location(params: &Params) -> Result<Option<(f64, f64)>, Open311Error> {
    let number = |name: &str| -> Result<Option<f64>, Open311Error> {
        params
            .get(name)
            .map(|v| {
                v.parse::<f64>()
                    .ok()
                    .filter(|x| x.is_finite())
                    .ok_or_else(|| Open311Error::bad_request(format!("{name} must be a number")))
            })
            .transpose()
    };
    match (number("lat")?, number("long")?) {
        (None, None) => Ok(None),
        (Some(lat), Some(long)) => Ok(Some((lat, long))),
        (Some(_), None) => Err(Open311Error::bad_request("long is required with lat")),
        (None, Some(_)) => Err(Open311Error::bad_request("lat is required with long")),
    }
}

fn list_requests(ctx: &mut Ctx, params: &Params) -> Answer {
    let tenant = jurisdiction(ctx, params)?;
    if let Some(ids) = params.list("service_request_id") {
        if ids.len() > MAX_REQUEST_IDS {
            return Err(Open311Error::bad_request(format!(
                "service_request_id names at most {MAX_REQUEST_IDS} requests at a time"
            )));
        }
        edge::limits::refuse_when_spent(ctx.request(), tenant.code.as_str(), LOOKUP_MISSES)?;
    }
    let scope = TenantScope::new(ctx.db()?, &tenant);
    // Paging, as most Open311 servers page: newest first, `page_size`
    // (default PAGE_SIZE) requests per `page` (from 1).
    let page_size = params
        .number("page_size", 1..=OPEN311_MAX_RESULTS)?
        .unwrap_or(PAGE_SIZE);
    let page = params.number("page", 1..=MAX_PAGE)?.unwrap_or(1);
    let mut filter = Open311Filter {
        limit: page_size,
        offset: (page - 1) * page_size,
        ..Open311Filter::default()
    };
    let mut asked_for: Option<usize> = None;
    if let Some(ids) = params.list("service_request_id") {
        // The spec: with ids, every other filter is ignored (paging too).
        asked_for = Some(ids.len());
        filter.limit = OPEN311_MAX_RESULTS;
        filter.offset = 0;
        filter.tracking_codes = ids
            .iter()
            .filter_map(|id| TrackingCode::parse(id).ok())
            .collect();
    } else {
        if let Some(codes) = params.list("service_code") {
            filter.categories = codes.iter().map(|c| c.to_string()).collect();
        }
        if let Some(statuses) = params.list("status") {
            for status in statuses {
                let open = match status.to_ascii_lowercase().as_str() {
                    "open" => true,
                    "closed" => false,
                    _ => {
                        return Err(Open311Error::bad_request(format!(
                            "status is open or closed, not '{status}'"
                        )));
                    }
                };
                filter.states.extend(
                    domain::CaseState::ALL
                        .into_iter()
                        .filter(|s| s.is_open() == open),
                );
            }
        }
        let (start, end) = (params.date("start_date")?, params.date("end_date")?);
        filter.start = match (start, end) {
            (Some(start), _) => Some(start),
            (None, Some(end)) => Some(end - Duration::days(DEFAULT_DAYS)),
            (None, None) => Some(Utc::now() - Duration::days(DEFAULT_DAYS)),
        };
        filter.end = end;
        if let (Some(start), Some(end)) = (filter.start, filter.end)
            && start > end
        {
            return Err(Open311Error::bad_request(
                "start_date must not be after end_date",
            ));
        }
    }
    let cases = if asked_for.is_some() && filter.tracking_codes.is_empty() {
        Vec::new()
    } else {
        scope.open311_cases(&filter)?
    };
    let categories = scope.list_categories()?;
    let misses = asked_for.unwrap_or(0).saturating_sub(cases.len());
    edge::limits::count_many(
        ctx.request(),
        tenant.code.as_str(),
        LOOKUP_MISSES,
        u32::try_from(misses).unwrap_or(u32::MAX),
    )?;
    let list = cases
        .iter()
        .map(|c| request_doc(c, &tenant, &categories, params.english()))
        .collect();
    Ok(Doc::ok("service_requests", Value::Array(list)))
}

fn one_request(ctx: &mut Ctx, params: &Params, id: &str) -> Answer {
    let tenant = jurisdiction(ctx, params)?;
    let case = exchanged_case(ctx, &tenant, id)?
        .ok_or_else(|| Open311Error::not_found(format!("no service request '{id}'")))?;
    let scope = TenantScope::new(ctx.db()?, &tenant);
    let categories = scope.list_categories()?;
    Ok(Doc::ok(
        "service_requests",
        json!([request_doc(&case, &tenant, &categories, params.english())]),
    ))
}

/// Requests are created at once, so a token is the request's id: the spec lets the
/// POST answer carry `service_request_id` directly, and `tokens/ID` resolves to itself.
fn resolve_token(ctx: &mut Ctx, params: &Params, token: &str) -> Answer {
    let tenant = jurisdiction(ctx, params)?;
    let case = exchanged_case(ctx, &tenant, token)?
        .ok_or_else(|| Open311Error::not_found(format!("no token '{token}'")))?;
    Ok(Doc::ok(
        "service_requests",
        json!([{ "service_request_id": case.tracking_code.as_str(), "token": token }]),
    ))
}

/// The case of a code a client looks up, if Open311 exchanges it; a miss
/// (malformed, unknown, or a desk's case) counts against the look-up miss
/// limit as on the status page, and past it the client waits.
fn exchanged_case(
    ctx: &mut Ctx,
    tenant: &Tenant,
    code: &str,
) -> Result<Option<Case>, Open311Error> {
    edge::limits::refuse_when_spent(ctx.request(), tenant.code.as_str(), LOOKUP_MISSES)?;
    let found = match TrackingCode::parse(code) {
        Ok(code) => TenantScope::new(ctx.db()?, tenant)
            .case_by_tracking_code(&code)?
            .filter(|case| exchanged_through_open311(case.source)),
        Err(_) => None,
    };
    if found.is_none() {
        edge::limits::count(ctx.request(), tenant.code.as_str(), LOOKUP_MISSES)?;
    }
    Ok(found)
}

/// One request as GeoReport v2 lists it, with what `domain::publication`
/// lets the public see: never the reporter's name, contact or address (the
/// text masked as on the status page), the point rounded to ~100 m.
fn request_doc(case: &Case, tenant: &Tenant, categories: &[Category], english: bool) -> Value {
    let service_name = categories
        .iter()
        .find(|c| c.code.as_str() == case.category)
        .map_or(case.category.as_str(), |c| names(c, english).0);
    let description = open311_description(&store::scoped::publication::case_facts(case, &[]));
    let point = case.location.map(public_point);
    json!({
        "service_request_id": case.tracking_code.as_str(),
        "status": if case.state.is_open() { "open" } else { "closed" },
        "status_notes": null,
        "service_name": service_name,
        "service_code": case.category,
        "description": description,
        "agency_responsible": tenant.name,
        "service_notice": null,
        "requested_datetime": w3c(case.created_at),
        "updated_datetime": w3c(case.updated_at),
        "expected_datetime": null,
        // The reporter's address is theirs; the rounded point says where.
        "address": null,
        "address_id": null,
        "zipcode": null,
        "lat": point.map(|(lat, _)| lat),
        "long": point.map(|(_, long)| long),
        "media_url": case.extra.get(MEDIA_URL_KEY).and_then(Value::as_str).unwrap_or(""),
        "extended_attributes": {
            "fixmystreet_status": fixmystreet_status(case.state),
            "state": case.state.as_str(),
            "state_label": case.state.label_zh(),
        },
    })
}

/// Our detailed state as one of FixMyStreet's extended statuses, for the consumers
/// that show more than open/closed.
fn fixmystreet_status(state: domain::CaseState) -> &'static str {
    use domain::CaseState as S;
    match state {
        S::Reported => "open",
        S::Accepted | S::AwaitingReporter => "investigating",
        S::Registered | S::Dispatched | S::SignedFor => "action_scheduled",
        // Resolved still awaits verification: not yet claimed fixed.
        S::InProgress | S::Resolved => "in_progress",
        S::Verified | S::Closed | S::Archived => "fixed",
        S::Declined => "not_councils_responsibility",
    }
}

// --- servicerequestupdates (FixMyStreet) -----------------------------------------

fn list_updates(ctx: &mut Ctx, params: &Params) -> Answer {
    let tenant = jurisdiction(ctx, params)?;
    let scope = TenantScope::new(ctx.db()?, &tenant);
    let end = params.date("end_date")?.unwrap_or_else(Utc::now);
    let start = params
        .date("start_date")?
        .unwrap_or(end - Duration::days(DEFAULT_DAYS));
    if start > end {
        return Err(Open311Error::bad_request(
            "start_date must not be after end_date",
        ));
    }
    let updates = scope.case_updates_between(start, end, OPEN311_MAX_RESULTS)?;
    let list = updates
        .iter()
        .map(|u| {
            // Masked as the status page masks the same note: the case's
            // reporter wherever named, phone-like numbers, e-mails.
            let redactor = Redactor::for_case(&PrivateFacts {
                name: u.reporter.name.as_deref(),
                phone: u.reporter.phone.as_deref(),
                email: u.reporter.email.as_deref(),
                address: u.address.as_deref(),
                ..PrivateFacts::default()
            });
            json!({
                "update_id": u.event_id.to_string(),
                "service_request_id": u.tracking_code.as_str(),
                "status": fixmystreet_status(u.state),
                "updated_datetime": w3c(u.at),
                "description": public_note(&u.action, u.note.as_deref(), &redactor).unwrap_or_default(),
                "media_url": "",
                "external_status_code": u.state.as_str(),
            })
        })
        .collect();
    Ok(Doc::ok("service_request_updates", Value::Array(list)))
}

/// A 311 system's update becomes a public note on the case; the case's state does
/// not change (our state machine is driven by the staff who work the case).
fn post_update(ctx: &mut Ctx, params: &Params) -> Answer {
    let tenant = jurisdiction(ctx, params)?;
    let db = ctx.db()?;
    let scope = TenantScope::new(db, &tenant);
    let key = require_key(&scope, &tenant, params)?;
    let id = params.required("service_request_id")?;
    let update_id = params.required("update_id")?;
    let status = params.get("status");
    if let Some(when) = params.get("updated_datetime")
        && parse_datetime(when).is_none()
    {
        return Err(Open311Error::bad_request(
            "updated_datetime must be a W3C date-time",
        ));
    }
    let note = match (params.get("description"), status) {
        (Some(text), _) => text.to_string(),
        (None, Some(status)) => format!("status: {status}"),
        (None, None) => {
            return Err(Open311Error::bad_request(
                "description (or status) is required",
            ));
        }
    };
    let code = tracking_code(id)?;
    let actor: String = format!("open311:{}:{update_id}", key.id)
        .chars()
        .take(100)
        .collect();
    let event = match scope.add_open311_note(&code, &actor, &note, Utc::now()) {
        Err(store::Error::NotFound(_)) => {
            return Err(Open311Error::not_found(format!(
                "no service request '{id}'"
            )));
        }
        other => other?,
    };
    Ok(Doc::ok(
        "service_request_updates",
        json!([{ "update_id": event.to_string() }]),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(input: &str, expected: Option<&str>) {
        assert_eq!(
            parse_datetime(input).map(w3c).as_deref(),
            expected,
            "{input}"
        );
    }

    #[test]
    fn dates() {
        check(
            "2026-01-31T08:00:00+08:00",
            Some("2026-01-31T00:00:00+00:00"),
        );
        check(
            "2026-01-31T08:00:00 08:00",
            Some("2026-01-31T00:00:00+00:00"),
        );
        check("2026-01-31T08:00:00Z", Some("2026-01-31T08:00:00+00:00"));
        check("2026-01-31T08:00:00", Some("2026-01-31T08:00:00+00:00"));
        check("2026-01-31", Some("2026-01-31T00:00:00+00:00"));
        check("yesterday", None);
    }
}

/// Property-based fuzzing of what an Open311 client sends: any form body
/// and query string is parsed into fields, and the fields into a place,
/// dates, lists and a category's attributes, without a panic: each answer
/// is a value or the spec's 400 error.
#[cfg(test)]
mod fuzz {
    use super::*;
    use domain::fuzzing::noise_or_mutated;
    use domain::{Code, ExtraField, ExtraFieldKind};
    use proptest::prelude::*;

    fn category() -> Category {
        let field = |key: &str, kind, required, choices: &[&str]| ExtraField {
            key: key.into(),
            label_zh: key.into(),
            label_en: key.into(),
            kind,
            required,
            choices: choices.iter().map(|c| c.to_string()).collect(),
        };
        Category {
            id: 1,
            code: Code::parse("pothole").unwrap(),
            name_zh: "坑洼".into(),
            name_en: "Pothole".into(),
            default_department_id: None,
            response_hours: 2,
            resolution_hours: 8,
            extra_fields: vec![
                field("depth", ExtraFieldKind::Number, true, &[]),
                field("size", ExtraFieldKind::Choice, false, &["small", "large"]),
                field("note", ExtraFieldKind::Text, false, &[]),
            ],
            retired: false,
            place_required: true,
        }
    }

    const VALID: &str = "api_key=k&jurisdiction_id=demo&service_code=pothole&lat=30.27&long=120.15\
        &description=%E5%9D%91&attribute%5Bdepth%5D=12&attribute%5Bsize%5D=large\
        &start_date=2026-01-31T08:00:00%2B08:00&service_request_id=A,B";

    fn read_everything(params: &Params) {
        let _ = location(params);
        let _ = params.date("start_date");
        let _ = params.list("service_request_id");
        let _ = params.required("service_code");
        let _ = domain::report::check_extra(&category().extra_fields, &params.attributes());
        let _ = params.english();
    }

    proptest! {
        #[test]
        fn form_bodies_never_panic(body in noise_or_mutated(VALID.as_bytes()), query in any::<String>()) {
            let content_type = "application/x-www-form-urlencoded".to_string();
            if let Ok(params) = Params::parse(Some((content_type, &body)), &query) {
                read_everything(&params);
            }
        }
    }

    #[test]
    fn the_seed_is_valid() {
        let params = Params::parse(Some((String::new(), VALID.as_bytes())), "").unwrap();
        assert!(location(&params).unwrap().is_some());
        let extra = domain::report::check_extra(&category().extra_fields, &params.attributes());
        assert_eq!(extra.unwrap().len(), 2);
        assert!(params.date("start_date").unwrap().is_some());
    }
}
