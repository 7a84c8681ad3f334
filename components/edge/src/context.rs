//! One request as handlers see it: its path parameters, its JSON body, its
//! tenant and caller (admitted by the route's declared access before the
//! handler runs), and a lazily opened database connection.

use std::collections::HashMap;

use api::Access;
use chrono::Utc;
use domain::{Claims, Permission, Problem, Tenant, TenantCode, TenantStatus, UserId};
use serde::de::DeserializeOwned;
use spin_sdk::http::Request;
use store::{TenantScope, User};

use crate::auth;
use crate::db::SpinDb;

/// JSON bodies larger than this are refused; uploads have their own limits.
pub const MAX_JSON_BYTES: usize = 1 << 20;

/// An authenticated caller: their verified token and their account as it is now.
#[derive(Debug, Clone)]
pub struct Caller {
    pub claims: Claims,
    pub user: User,
}

impl Caller {
    /// How the caller is named in timelines and the audit log.
    pub fn actor(&self) -> String {
        domain::auth::actor(self.user.role, self.user.id)
    }
}

pub struct Ctx {
    request: Request,
    params: HashMap<String, String>,
    db: Option<SpinDb>,
    tenant: Option<Tenant>,
    caller: Option<Caller>,
    /// A body to stream instead of the handler's response (see `stream`).
    stream: Option<crate::stream::Stream>,
}

impl Ctx {
    pub fn new(request: Request, params: HashMap<String, String>) -> Self {
        Ctx {
            request,
            params,
            db: None,
            tenant: None,
            caller: None,
            stream: None,
        }
    }

    /// Answers with a streamed body instead of the handler's response (for
    /// large exports); only on routers served with `Router::serve`.
    pub fn set_stream(&mut self, stream: crate::stream::Stream) {
        self.stream = Some(stream);
    }

    pub(crate) fn take_stream(&mut self) -> Option<crate::stream::Stream> {
        self.stream.take()
    }

    /// A connection of the stream's own, which outlives the handler.
    pub fn own_db(&mut self) -> Result<SpinDb, Problem> {
        Ok(self.db.take().map_or_else(SpinDb::open_default, Ok)?)
    }

    pub fn request(&self) -> &Request {
        &self.request
    }

    /// A path parameter of the matched route.
    pub fn param(&self, name: &str) -> Result<&str, Problem> {
        self.params.get(name).map(String::as_str).ok_or_else(|| {
            Problem::internal("the request could not be routed")
                .with_cause(format!("route has no :{name} parameter"))
        })
    }

    /// A numeric id from the path; a malformed one is simply not found.
    pub fn id_param(&self, name: &str, what: &str) -> Result<i64, Problem> {
        self.param(name)?
            .parse()
            .map_err(|_| Problem::not_found(format!("no such {what}")))
    }

    /// A text query parameter (a code, a search, a cursor), percent-decoded.
    /// An empty one (`community=`, what a form sends for a field left blank)
    /// is absent: no text parameter of this API means anything by it.
    pub fn query(&self, name: &str) -> Option<String> {
        self.query_value(name).filter(|v| !v.is_empty())
    }

    /// A typed query parameter's value as sent (a number, a date, one of a
    /// list), for its parser: an empty one is not a number, a date or one
    /// of the list, as the API document says.
    pub fn query_value(&self, name: &str) -> Option<String> {
        form_urlencoded::parse(self.request.query().as_bytes())
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.into_owned())
    }

    /// A numeric query parameter, if present.
    pub fn query_i64(&self, name: &str) -> Result<Option<i64>, Problem> {
        self.query_value(name)
            .map(|v| {
                v.parse()
                    .map_err(|_| Problem::validation(name, format!("{name} must be a number")))
            })
            .transpose()
    }

    /// The `limit` query parameter of most lists ([`domain::limits::PAGE`]).
    pub fn page_limit(&self) -> Result<u32, Problem> {
        self.page_limit_of(domain::limits::PAGE)
    }

    /// The `limit` query parameter of a list with a page size of its own.
    pub fn page_limit_of(&self, page: domain::limits::PageLimit) -> Result<u32, Problem> {
        page.parse(self.query_value("limit").as_deref())
    }

    /// The body as JSON of type `T`; malformed or mistyped JSON is a 400
    /// naming the field at fault.
    pub fn json_body<T: DeserializeOwned>(&self) -> Result<T, Problem> {
        let body = self.request.body();
        if body.len() > MAX_JSON_BYTES {
            return Err(Problem::payload_too_large(format!(
                "JSON bodies are limited to {MAX_JSON_BYTES} bytes"
            )));
        }
        let content_type = self.content_type();
        if !content_type.is_empty() && !content_type.starts_with("application/json") {
            return Err(Problem::unsupported_media_type(format!(
                "send the body as application/json, not {content_type}"
            )));
        }
        parse_json(body)
    }

    /// The request's media type, lower-case, without parameters.
    pub fn content_type(&self) -> String {
        self.request
            .header("content-type")
            .and_then(|h| h.as_str())
            .unwrap_or("")
            .split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase()
    }

    /// The database, opened on first use.
    pub fn db(&mut self) -> Result<&SpinDb, Problem> {
        if self.db.is_none() {
            self.db = Some(SpinDb::open_default()?);
        }
        self.db
            .as_ref()
            .ok_or_else(|| Problem::internal("database connection vanished"))
    }

    /// The tenant named by the route's `:tenant` segment, looked up once. An
    /// unknown code is a 404 that says nothing about other tenants.
    pub fn tenant(&mut self) -> Result<Tenant, Problem> {
        if let Some(tenant) = &self.tenant {
            return Ok(tenant.clone());
        }
        let code = TenantCode::parse(self.param("tenant")?).map_err(|_| no_such_tenant())?;
        let db = self.db()?;
        let tenant = store::find_tenant(db, &code)?.ok_or_else(no_such_tenant)?;
        self.tenant = Some(tenant.clone());
        Ok(tenant)
    }

    /// The caller the route's access admitted. A handler of a route without
    /// authentication gets an internal error: the route table is wrong.
    pub fn caller(&self) -> Result<&Caller, Problem> {
        self.caller.as_ref().ok_or_else(|| {
            Problem::internal("this operation needs a caller")
                .with_cause("handler asked for a caller on a route that admits anyone")
        })
    }

    /// The caller, if the route admitted one (`PublicOrTenant` routes).
    pub fn optional_caller(&self) -> Option<&Caller> {
        self.caller.as_ref()
    }

    /// The tenant-scoped store: the only way to a tenant's data.
    pub fn scope(&mut self) -> Result<TenantScope<'_, SpinDb>, Problem> {
        let tenant = self.tenant()?;
        let db = self.db()?;
        Ok(TenantScope::new(db, &tenant))
    }

    /// The path's tenant's working calendar: what deadlines count in.
    pub fn work_calendar(&mut self) -> Result<domain::deadline::WorkCalendar, Problem> {
        Ok(self.scope()?.work_calendar()?)
    }

    /// Checks the route's access rule; on success the tenant and caller are
    /// known to the handler.
    pub fn admit(&mut self, access: Access) -> Result<(), Problem> {
        let has_tenant = self.params.contains_key("tenant");
        if has_tenant {
            let tenant = self.tenant()?;
            let writes = !matches!(self.request.method().to_string().as_str(), "GET" | "HEAD");
            if tenant.status == TenantStatus::Suspended
                && (writes || self.signs_in_as_staff(access))
            {
                return Err(Problem::forbidden(
                    "this tenant is suspended: its data is kept, but it takes no logins or changes",
                ));
            }
        }
        match access {
            Access::Public => Ok(()),
            Access::Operator => auth::require_operator(&self.request),
            Access::Platform(permission) => self.admit_platform(permission),
            Access::Tenant(permission) => self.admit_tenant(permission),
            Access::PublicOrTenant(permission) => match auth::bearer(&self.request) {
                None => Ok(()),
                Some(_) => self.admit_tenant(permission),
            },
        }
    }

    /// On a route open to the public: whether the request also carries a
    /// token of the path's tenant whose account holds `permission` (the
    /// caller is then known), for a handler that shows such callers more
    /// than the public. A missing or refused token is the public's view.
    pub fn signed_in_with(&mut self, permission: Permission) -> bool {
        auth::bearer(&self.request).is_some() && self.admit_tenant(permission).is_ok()
    }

    /// Whether the request enters as a tenant's account: a route that needs
    /// a token, or one open to the public that was sent one (which then
    /// sees more than the public: a suspended tenant's staff see nothing).
    fn signs_in_as_staff(&self, access: Access) -> bool {
        match access {
            Access::Tenant(_) => true,
            Access::PublicOrTenant(_) => auth::bearer(&self.request).is_some(),
            Access::Public | Access::Operator | Access::Platform(_) => false,
        }
    }

    fn admit_platform(&mut self, permission: Permission) -> Result<(), Problem> {
        let claims = auth::authenticate(&self.request)?;
        domain::require_platform_admin(&claims)?;
        let id = subject(&claims)?;
        let db = self.db()?;
        let user = store::platform::find_platform_user_by_id(db, id)?;
        let user = current_account(user, &claims)?;
        allow(&user, permission)?;
        self.caller = Some(Caller { claims, user });
        Ok(())
    }

    fn admit_tenant(&mut self, permission: Permission) -> Result<(), Problem> {
        let claims = auth::authenticate(&self.request)?;
        let tenant = self.tenant()?;
        domain::require_tenant(&claims, &tenant)?;
        let id = subject(&claims)?;
        let user = self.scope()?.find_user(id)?;
        let user = current_account(user, &claims)?;
        allow(&user, permission)?;
        self.caller = Some(Caller { claims, user });
        Ok(())
    }

    /// Runs `f` in one transaction (a savepoint inside another), so that a
    /// change and its audit entry land together or not at all.
    pub fn transaction<T>(
        &mut self,
        f: impl FnOnce(&mut Ctx) -> Result<T, Problem>,
    ) -> Result<T, Problem> {
        let open = store::begin(self.db()?)?;
        let result = f(self);
        store::finish(self.db()?, open, result.is_ok())?;
        result
    }

    /// Appends to the tenant's audit log, as the caller.
    pub fn audit(
        &mut self,
        action: &str,
        target_type: &'static str,
        target_id: impl ToString,
        before: Option<serde_json::Value>,
        after: Option<serde_json::Value>,
    ) -> Result<(), Problem> {
        let actor = self.caller()?.actor();
        self.scope()?.audit(
            store::AuditRecord {
                actor,
                action: action.to_string(),
                target_type,
                target_id: Some(target_id.to_string()),
                before,
                after,
            },
            Utc::now(),
        )?;
        Ok(())
    }
}

fn subject(claims: &Claims) -> Result<UserId, Problem> {
    claims
        .sub
        .parse()
        .map(UserId)
        .map_err(|_| Problem::unauthorized("malformed token"))
}

/// The 404 of a tenant code that names no tenant (malformed or unknown alike).
fn no_such_tenant() -> Problem {
    Problem::coded(domain::ProblemCode::UnknownTenant, "no such tenant")
}

/// The account behind a token must still exist, be enabled, and not have
/// revoked the token (logout, password or role change).
fn current_account(user: Option<User>, claims: &Claims) -> Result<User, Problem> {
    let ended = |detail: &str| Problem::coded(domain::ProblemCode::SessionExpired, detail);
    let user = user.ok_or_else(|| ended("this account no longer exists"))?;
    if user.disabled {
        return Err(ended("this account is disabled"));
    }
    if user.token_version != claims.ver {
        return Err(ended(
            "this token was revoked (logout, password or role change): log in again",
        ));
    }
    Ok(user)
}

fn allow(user: &User, permission: Permission) -> Result<(), Problem> {
    if domain::permissions::allows(user.role, permission) {
        Ok(())
    } else {
        Err(Problem::forbidden(format!(
            "the role {} may not {}",
            user.role.as_str(),
            permission.describe()
        )))
    }
}

/// Parses JSON bytes into `T`; malformed or mistyped JSON is a 400 naming
/// the field at fault.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, Problem> {
    // Serde reads a struct from an array too, field by field in order
    // (`[null, null]`); every body of this API is an object, and the
    // document says so.
    if bytes.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'[') {
        return Err(Problem::new(
            domain::ProblemKind::Validation,
            "the body is a JSON object, not an array",
        ));
    }
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    let mut value: serde_json::Value =
        serde_path_to_error::deserialize(&mut deserializer).map_err(json_problem)?;
    deserializer
        .end()
        .map_err(|e| Problem::malformed_json(e.to_string()))?;
    integers_as_integers(&mut value);
    serde_path_to_error::deserialize(value).map_err(json_problem)
}

/// JSON has one kind of number, and JSON Schema's `integer` is any number
/// without a fraction: `3.0` is the integer 3 (clients that hold numbers
/// as doubles send it so), which serde reads into an `i64` only when it is
/// written `3`.
fn integers_as_integers(value: &mut serde_json::Value) {
    use serde_json::Value;
    match value {
        Value::Number(n) => {
            if let Some(f) = n.as_f64().filter(|_| n.is_f64())
                && f.fract() == 0.0
                && (-(2f64.powi(63))..2f64.powi(63)).contains(&f)
            {
                *value = Value::from(f as i64);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(integers_as_integers),
        Value::Object(members) => members.values_mut().for_each(integers_as_integers),
        _ => {}
    }
}

/// serde_json's error, with the path of the field at fault when it has one.
fn json_problem(e: serde_path_to_error::Error<serde_json::Error>) -> Problem {
    use serde_json::error::Category;
    let path = e.path().to_string();
    let inner = e.into_inner();
    let message = inner.to_string();
    let field = match (field_in_message(&message), path.as_str()) {
        (Some(f), "." | "") => f,
        (Some(f), p) => format!("{p}.{f}"),
        (None, p) => p.to_string(),
    };
    match inner.classify() {
        Category::Data => Problem::validation(field, message),
        Category::Syntax | Category::Eof | Category::Io => Problem::malformed_json(message),
    }
}

/// A missing field is not on the path (the path ends at its parent object),
/// so it is read from serde's message, which names it in backticks. Other
/// messages ("invalid type: integer `5`") quote values, not fields.
fn field_in_message(message: &str) -> Option<String> {
    if !message.starts_with("missing field") {
        return None;
    }
    let start = message.find('`')? + 1;
    let end = start + message[start..].find('`')?;
    Some(message[start..end].to_string())
}

/// Property-based fuzzing of the JSON body parser: any bytes give a value
/// or a 400 problem naming what is wrong, never a panic.
#[cfg(test)]
mod fuzz {
    use super::parse_json;
    use domain::fuzzing::noise_or_mutated;
    use proptest::prelude::*;
    use serde::Deserialize;

    /// A body with the shapes real ones have: nested, optional, typed.
    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Body {
        category: String,
        description: String,
        latitude: Option<f64>,
        attachment_ids: Option<Vec<i64>>,
        extra: Option<serde_json::Map<String, serde_json::Value>>,
    }

    const VALID: &str = r#"{"category":"garbage","description":"满了","latitude":30.2,"attachment_ids":[1,2],"extra":{"k":[true,null]}}"#;

    proptest! {
        #[test]
        fn json_bodies_never_panic(bytes in noise_or_mutated(VALID.as_bytes())) {
            if let Err(problem) = parse_json::<Body>(&bytes) {
                prop_assert_eq!(problem.status(), 400);
            }
        }
    }

    #[test]
    fn the_seed_is_valid() {
        assert!(parse_json::<Body>(VALID.as_bytes()).is_ok());
        let deep = r#"{"a":"#.repeat(100_000);
        assert_eq!(
            parse_json::<serde_json::Value>(deep.as_bytes()).map_err(|p| p.status()),
            Err(400),
            "nesting past serde_json's limit is refused, not a stack overflow"
        );
    }

    #[test]
    fn a_whole_number_written_with_a_point_is_an_integer() {
        #[derive(Debug, serde::Deserialize, PartialEq)]
        struct Ids {
            version: i64,
            ids: Vec<i64>,
            latitude: f64,
        }
        assert_eq!(
            parse_json::<Ids>(br#"{"version": -2715.0, "ids": [3.0, 4], "latitude": 30.0}"#),
            Ok(Ids {
                version: -2715,
                ids: vec![3, 4],
                latitude: 30.0
            })
        );
        let fraction = parse_json::<Ids>(br#"{"version": 1.5, "ids": [], "latitude": 1}"#);
        assert_eq!(fraction.unwrap_err().field.as_deref(), Some("version"));
    }

    #[test]
    fn a_body_is_an_object_not_the_array_serde_would_read_a_struct_from() {
        #[derive(Debug, serde::Deserialize)]
        #[allow(dead_code)]
        struct Changes {
            name: Option<String>,
            retired: Option<bool>,
        }
        assert!(parse_json::<Changes>(br#"{"name": null}"#).is_ok());
        let refused = parse_json::<Changes>(b" [null, null]").unwrap_err();
        assert_eq!(refused.status(), 400);
    }
}
