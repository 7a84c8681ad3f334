//! RFC 9457 problem details: the one error shape every component returns.
//!
//! The `type` URI and `title` of each kind are part of the API contract (clients switch
//! on them), so they live here once, as data, and never depend on the request. Each
//! problem also carries a finer, machine-readable `code` (`crate::problem_code`).

pub use crate::problem_code::ProblemCode;
use serde::Serialize;
use std::fmt;

/// The base of every problem `type` URI. It names, it does not resolve.
pub const PROBLEM_TYPE_BASE: &str = "https://gridgov.example/problems/";

/// Every kind of failure the API reports. Adding one is an API change; renaming a slug
/// is a breaking one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ProblemKind {
    Validation,
    MalformedJson,
    Unauthorized,
    Forbidden,
    NotFound,
    MethodNotAllowed,
    /// A write lost a race, e.g. a stale `version`, or a duplicate key.
    Conflict,
    /// The case state machine refused the action in the current state.
    IllegalTransition,
    Gone,
    PayloadTooLarge,
    /// 422: well-formed, and valid by the API document, but refused by a rule the
    /// document cannot state: a relation between fields (a period that ends before it
    /// starts), a check digit, what the caller's own account implies, an idempotency key
    /// reused with another body.
    UnprocessableContent,
    UnsupportedMediaType,
    TooManyRequests,
    Internal,
    ServiceUnavailable,
}

impl ProblemKind {
    /// Every kind, for tests and documentation generators.
    pub const ALL: [ProblemKind; 15] = [
        Self::Validation,
        Self::MalformedJson,
        Self::Unauthorized,
        Self::Forbidden,
        Self::NotFound,
        Self::MethodNotAllowed,
        Self::Conflict,
        Self::IllegalTransition,
        Self::Gone,
        Self::PayloadTooLarge,
        Self::UnprocessableContent,
        Self::UnsupportedMediaType,
        Self::TooManyRequests,
        Self::Internal,
        Self::ServiceUnavailable,
    ];

    /// HTTP status code.
    pub fn status(self) -> u16 {
        match self {
            Self::Validation | Self::MalformedJson => 400,
            Self::Unauthorized => 401,
            Self::Forbidden => 403,
            Self::NotFound => 404,
            Self::MethodNotAllowed => 405,
            Self::Conflict | Self::IllegalTransition => 409,
            Self::Gone => 410,
            Self::PayloadTooLarge => 413,
            Self::UnprocessableContent => 422,
            Self::UnsupportedMediaType => 415,
            Self::TooManyRequests => 429,
            Self::Internal => 500,
            Self::ServiceUnavailable => 503,
        }
    }

    /// Stable last segment of the `type` URI.
    pub fn slug(self) -> &'static str {
        match self {
            Self::Validation => "validation",
            Self::MalformedJson => "malformed-json",
            Self::Unauthorized => "unauthorized",
            Self::Forbidden => "forbidden",
            Self::NotFound => "not-found",
            Self::MethodNotAllowed => "method-not-allowed",
            Self::Conflict => "conflict",
            Self::IllegalTransition => "illegal-transition",
            Self::Gone => "gone",
            Self::PayloadTooLarge => "payload-too-large",
            Self::UnprocessableContent => "unprocessable-content",
            Self::UnsupportedMediaType => "unsupported-media-type",
            Self::TooManyRequests => "too-many-requests",
            Self::Internal => "internal",
            Self::ServiceUnavailable => "service-unavailable",
        }
    }

    /// Short English summary; the same for every occurrence of the kind (RFC 9457 §3.1.3).
    pub fn title(self) -> &'static str {
        match self {
            Self::Validation => "Invalid input",
            Self::MalformedJson => "Malformed JSON body",
            Self::Unauthorized => "Authentication required",
            Self::Forbidden => "Not allowed",
            Self::NotFound => "Not found",
            Self::MethodNotAllowed => "Method not allowed",
            Self::Conflict => "Conflict",
            Self::IllegalTransition => "Action not allowed in the current state",
            Self::Gone => "Gone",
            Self::PayloadTooLarge => "Payload too large",
            Self::UnprocessableContent => "Unprocessable content",
            Self::UnsupportedMediaType => "Unsupported media type",
            Self::TooManyRequests => "Too many requests",
            Self::Internal => "Internal error",
            Self::ServiceUnavailable => "Service unavailable",
        }
    }

    /// The full `type` URI.
    pub fn type_uri(self) -> String {
        format!("{PROBLEM_TYPE_BASE}{}", self.slug())
    }
}

/// A failure to report to the client. The `detail` is shown to users, so it must never
/// carry internal causes (SQL text, stack traces): those are logged by whoever built it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub kind: ProblemKind,
    /// Which error it was, for clients to act on; its kind's default unless
    /// set by [`Problem::coded`] or [`Problem::with_code`].
    code: ProblemCode,
    pub detail: String,
    /// The request field at fault, as the client spelled it (e.g. `"grid_code"`).
    pub field: Option<String>,
    /// The internal cause, for the operator's log only: never in the body.
    cause: Option<String>,
    /// For 429 and 503: seconds after which a retry may succeed (`Retry-After`).
    retry_after: Option<i64>,
    /// RFC 9457 extension members, e.g. the list of bad rows of an import.
    extensions: Vec<(String, serde_json::Value)>,
}

/// The JSON body of an `application/problem+json` response. Kept apart from `Problem` so
/// the wire shape can be checked (and documented) on its own.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProblemBody {
    #[serde(rename = "type")]
    pub type_uri: String,
    pub title: &'static str,
    pub status: u16,
    /// The [`ProblemCode`]'s slug.
    pub code: &'static str,
    pub detail: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
}

/// The media type of a problem body.
pub const PROBLEM_CONTENT_TYPE: &str = "application/problem+json";

impl Problem {
    pub fn new(kind: ProblemKind, detail: impl Into<String>) -> Self {
        Self {
            kind,
            code: kind.default_code(),
            detail: detail.into(),
            field: None,
            cause: None,
            retry_after: None,
            extensions: Vec::new(),
        }
    }

    /// A problem with its own code: the code decides the kind (and so the status).
    pub fn coded(code: ProblemCode, detail: impl Into<String>) -> Self {
        Self::new(code.kind(), detail).with_code(code)
    }

    /// Gives the problem a finer code than its kind's default. The code's
    /// kind is the problem's (one code, one status): a code of another kind
    /// changes the kind with it, so that the body never contradicts itself.
    pub fn with_code(mut self, code: ProblemCode) -> Self {
        debug_assert_eq!(
            code.kind(),
            self.kind,
            "{code:?} is not of kind {:?}",
            self.kind
        );
        self.kind = code.kind();
        self.code = code;
        self
    }

    /// The problem's code.
    pub fn code(&self) -> ProblemCode {
        self.code
    }

    /// Adds an extension member to the problem's body (RFC 9457 §3.2).
    pub fn with_extension(mut self, name: impl Into<String>, value: serde_json::Value) -> Self {
        self.extensions.push((name.into(), value));
        self
    }

    /// Tells the client when to try again (the `Retry-After` header).
    pub fn with_retry_after(mut self, seconds: i64) -> Self {
        self.retry_after = Some(seconds);
        self
    }

    pub fn retry_after(&self) -> Option<i64> {
        self.retry_after
    }

    /// Records the internal cause of a server-side problem for the log.
    pub fn with_cause(mut self, cause: impl Into<String>) -> Self {
        self.cause = Some(cause.into());
        self
    }

    /// The internal cause, if one was recorded: log it, never send it.
    pub fn cause(&self) -> Option<&str> {
        self.cause.as_deref()
    }

    /// Names the request field at fault.
    pub fn with_field(mut self, field: impl Into<String>) -> Self {
        self.field = Some(field.into());
        self
    }

    pub fn validation(field: impl Into<String>, detail: impl Into<String>) -> Self {
        Self::new(ProblemKind::Validation, detail).with_field(field)
    }
    /// A thing the request names (in its path, its query or its body) does not exist:
    /// 404, naming the field that names it.
    pub fn unknown(field: impl Into<String>, detail: impl Into<String>) -> Self {
        Self::new(ProblemKind::NotFound, detail).with_field(field)
    }
    /// Valid by the API document, refused by a rule it cannot state (see
    /// [`ProblemKind::UnprocessableContent`]): 422, naming the field.
    pub fn unprocessable(field: impl Into<String>, detail: impl Into<String>) -> Self {
        Self::new(ProblemKind::UnprocessableContent, detail).with_field(field)
    }
    pub fn malformed_json(detail: impl Into<String>) -> Self {
        Self::new(ProblemKind::MalformedJson, detail)
    }
    pub fn unauthorized(detail: impl Into<String>) -> Self {
        Self::new(ProblemKind::Unauthorized, detail)
    }
    pub fn forbidden(detail: impl Into<String>) -> Self {
        Self::new(ProblemKind::Forbidden, detail)
    }
    pub fn not_found(detail: impl Into<String>) -> Self {
        Self::new(ProblemKind::NotFound, detail)
    }
    pub fn method_not_allowed(detail: impl Into<String>) -> Self {
        Self::new(ProblemKind::MethodNotAllowed, detail)
    }
    pub fn conflict(detail: impl Into<String>) -> Self {
        Self::new(ProblemKind::Conflict, detail)
    }
    pub fn illegal_transition(detail: impl Into<String>) -> Self {
        Self::new(ProblemKind::IllegalTransition, detail)
    }
    pub fn gone(detail: impl Into<String>) -> Self {
        Self::new(ProblemKind::Gone, detail)
    }
    pub fn payload_too_large(detail: impl Into<String>) -> Self {
        Self::new(ProblemKind::PayloadTooLarge, detail)
    }
    pub fn unsupported_media_type(detail: impl Into<String>) -> Self {
        Self::new(ProblemKind::UnsupportedMediaType, detail)
    }
    pub fn too_many_requests(detail: impl Into<String>) -> Self {
        Self::new(ProblemKind::TooManyRequests, detail)
    }
    /// Use a generic detail: the cause belongs in the log, not in the response.
    pub fn internal(detail: impl Into<String>) -> Self {
        Self::new(ProblemKind::Internal, detail)
    }
    pub fn service_unavailable(detail: impl Into<String>) -> Self {
        Self::new(ProblemKind::ServiceUnavailable, detail)
    }

    pub fn status(&self) -> u16 {
        self.kind.status()
    }

    pub fn body(&self) -> ProblemBody {
        ProblemBody {
            type_uri: self.kind.type_uri(),
            title: self.kind.title(),
            status: self.status(),
            code: self.code.slug(),
            detail: self.detail.clone(),
            field: self.field.clone(),
        }
    }

    /// The response body. Serialising a struct of strings and a number cannot fail, so
    /// the fallback only exists to keep this infallible without a panic path.
    pub fn to_json(&self) -> String {
        let mut body = match serde_json::to_value(self.body()) {
            Ok(serde_json::Value::Object(map)) => map,
            _ => serde_json::Map::new(),
        };
        for (name, value) in &self.extensions {
            // The standard members cannot be overwritten by an extension.
            body.entry(name.clone()).or_insert_with(|| value.clone());
        }
        serde_json::to_string(&body).unwrap_or_else(|_| {
            format!(
                r#"{{"type":"{}","title":"Internal error","status":500,"code":"{}"}}"#,
                ProblemKind::Internal.type_uri(),
                ProblemKind::Internal.default_code().slug()
            )
        })
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} ({}): {}",
            self.kind.title(),
            self.status(),
            self.detail
        )?;
        if let Some(field) = &self.field {
            write!(f, " [field: {field}]")?;
        }
        Ok(())
    }
}

impl std::error::Error for Problem {}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn check(problem: Problem, expected: serde_json::Value) {
        let actual: serde_json::Value =
            serde_json::from_str(&problem.to_json()).expect("to_json emits JSON");
        assert_eq!(actual, expected);
    }

    #[test]
    fn validation_names_the_field() {
        check(
            Problem::validation("code", "too short"),
            json!({
                "type": "https://gridgov.example/problems/validation",
                "title": "Invalid input",
                "status": 400,
                "code": "invalid_input",
                "detail": "too short",
                "field": "code",
            }),
        );
    }

    #[test]
    fn field_is_omitted_when_absent() {
        check(
            Problem::not_found("no such case"),
            json!({
                "type": "https://gridgov.example/problems/not-found",
                "title": "Not found",
                "status": 404,
                "code": "not_found",
                "detail": "no such case",
            }),
        );
    }

    #[test]
    fn slugs_are_unique_and_statuses_are_errors() {
        let mut slugs: Vec<_> = ProblemKind::ALL.iter().map(|k| k.slug()).collect();
        slugs.sort_unstable();
        slugs.dedup();
        assert_eq!(slugs.len(), ProblemKind::ALL.len());
        assert!(
            ProblemKind::ALL
                .iter()
                .all(|k| (400..600).contains(&k.status()))
        );
    }

    #[test]
    fn a_coded_problem_carries_its_code_and_its_kind() {
        check(
            Problem::coded(ProblemCode::VersionConflict, "reload").with_field("version"),
            json!({
                "type": "https://gridgov.example/problems/conflict",
                "title": "Conflict",
                "status": 409,
                "code": "version_conflict",
                "detail": "reload",
                "field": "version",
            }),
        );
        let slowed = Problem::coded(ProblemCode::TooManyLookups, "wait").with_retry_after(240);
        assert_eq!((slowed.status(), slowed.retry_after()), (429, Some(240)));
        assert_eq!(
            Problem::validation("latitude", "outside")
                .with_code(ProblemCode::OutsideArea)
                .code()
                .slug(),
            "outside_area"
        );
    }

    #[test]
    fn an_extension_cannot_overwrite_the_code() {
        let body: serde_json::Value = serde_json::from_str(
            &Problem::coded(ProblemCode::DuplicateNearby, "near")
                .with_extension("code", json!("other"))
                .with_extension("duplicates", json!([]))
                .to_json(),
        )
        .unwrap();
        assert_eq!(body["code"], "duplicate_nearby");
        assert_eq!(body["duplicates"], json!([]));
    }

    #[test]
    fn display_is_readable() {
        assert_eq!(
            Problem::validation("login", "empty").to_string(),
            "Invalid input (400): empty [field: login]"
        );
    }
}
