//! One request as handlers see it: its path parameters, its JSON body, its
//! tenant and caller, and a lazily opened database connection.

use std::collections::HashMap;

use domain::{Claims, Problem, Tenant, TenantCode, TenantStatus};
use serde::de::DeserializeOwned;
use spin_sdk::http::Request;
use store::TenantScope;

use crate::auth;
use crate::db::SpinDb;

/// JSON bodies larger than this are refused; uploads have their own limits.
pub const MAX_JSON_BYTES: usize = 1 << 20;

pub struct Ctx {
    request: Request,
    params: HashMap<String, String>,
    db: Option<SpinDb>,
}

impl Ctx {
    pub fn new(request: Request, params: HashMap<String, String>) -> Self {
        Ctx {
            request,
            params,
            db: None,
        }
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

    /// A query-string parameter, percent-decoded.
    pub fn query(&self, name: &str) -> Option<String> {
        form_urlencoded::parse(self.request.query().as_bytes())
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.into_owned())
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
        let content_type = self
            .request
            .header("content-type")
            .and_then(|h| h.as_str())
            .unwrap_or("");
        if !content_type.is_empty() && !content_type.starts_with("application/json") {
            return Err(Problem::unsupported_media_type(format!(
                "send the body as application/json, not {content_type}"
            )));
        }
        let mut deserializer = serde_json::Deserializer::from_slice(body);
        let value = serde_path_to_error::deserialize(&mut deserializer).map_err(json_problem)?;
        deserializer
            .end()
            .map_err(|e| Problem::malformed_json(e.to_string()))?;
        Ok(value)
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

    /// The tenant named by the route's `:tenant` segment. An unknown code is
    /// a 404 that says nothing about other tenants.
    pub fn tenant(&mut self) -> Result<Tenant, Problem> {
        let code = TenantCode::parse(self.param("tenant")?)
            .map_err(|_| Problem::not_found("no such tenant"))?;
        let db = self.db()?;
        store::platform::find_tenant(db, &code)?.ok_or_else(|| Problem::not_found("no such tenant"))
    }

    /// The tenant and a caller authenticated for it. A token of another
    /// tenant is refused, as is any caller of a suspended tenant.
    pub fn tenant_caller(&mut self) -> Result<(Tenant, Claims), Problem> {
        let claims = auth::authenticate(&self.request)?;
        let tenant = self.tenant()?;
        domain::require_tenant(&claims, &tenant.code)?;
        if tenant.status == TenantStatus::Suspended {
            return Err(Problem::forbidden("this tenant is suspended"));
        }
        Ok((tenant, claims))
    }

    /// A platform admin caller.
    pub fn platform_admin(&self) -> Result<Claims, Problem> {
        let claims = auth::authenticate(&self.request)?;
        domain::require_platform_admin(&claims)?;
        Ok(claims)
    }

    /// The tenant-scoped store for `tenant`: the only way to its data.
    pub fn scope<'a>(&'a mut self, tenant: &Tenant) -> Result<TenantScope<'a, SpinDb>, Problem> {
        let db = self.db()?;
        Ok(TenantScope::new(db, tenant))
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
