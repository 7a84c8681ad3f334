//! Who is calling, and for which tenant: roles, JWT claims, issuing and checking tokens.
//!
//! Tokens are HS256 JWTs signed with a secret the components read from a Spin variable.
//! The expiry is checked against the `now` the caller passes (not a clock of our own),
//! so the rules are testable and the same on every host.
//!
//! Tenant rule: a tenant token carries its tenant code and is refused by every other
//! tenant ([`require_tenant`]). A platform-admin token carries no tenant; it is accepted
//! only on platform routes ([`require_platform_admin`]) and refused by every tenant's
//! routes, so one stolen admin token cannot read tenant data through tenant endpoints.

use crate::problem::{Problem, ProblemCode};
use crate::tenant::Tenant;
#[cfg(test)]
use crate::tenant::TenantCode;
use chrono::{DateTime, Duration, Utc};
mod hs256;

use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Runs the SaaS: onboards tenants. Belongs to no tenant.
    PlatformAdmin,
    /// Runs one township or district.
    TenantAdmin,
    /// 指挥中心: triages, dispatches, tracks.
    CommandCentre,
    /// 职能部门 staff: sign for, act on and answer cases.
    DepartmentStaff,
    /// 网格员 / 微网格长.
    GridWorker,
    /// 代办员 at a village agent point.
    Agent,
    /// 企业 account.
    Enterprise,
    /// 志愿者 / 下沉干部: goes into a grid on a grid day; records visits
    /// and problems found on its own patrols, sees nothing else.
    Volunteer,
}

impl Role {
    pub const ALL: [Role; 8] = [
        Self::PlatformAdmin,
        Self::TenantAdmin,
        Self::CommandCentre,
        Self::DepartmentStaff,
        Self::GridWorker,
        Self::Agent,
        Self::Enterprise,
        Self::Volunteer,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::PlatformAdmin => "platform_admin",
            Self::TenantAdmin => "tenant_admin",
            Self::CommandCentre => "command_centre",
            Self::DepartmentStaff => "department_staff",
            Self::GridWorker => "grid_worker",
            Self::Agent => "agent",
            Self::Enterprise => "enterprise",
            Self::Volunteer => "volunteer",
        }
    }

    pub fn parse(s: &str) -> Result<Self, Problem> {
        Self::ALL
            .into_iter()
            .find(|r| r.as_str() == s)
            .ok_or_else(|| Problem::validation("role", format!("unknown role '{s}'")))
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            Self::PlatformAdmin => "平台管理员",
            Self::TenantAdmin => "租户管理员",
            Self::CommandCentre => "指挥中心",
            Self::DepartmentStaff => "职能部门",
            Self::GridWorker => "网格员",
            Self::Agent => "代办员",
            Self::Enterprise => "企业",
            Self::Volunteer => "志愿者",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Database identity of a user; the `sub` claim is its decimal form.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct UserId(pub i64);

/// How an account is named in a case's history and the audit log:
/// `role:id` (`department_staff:8`).
pub fn actor(role: Role, user: UserId) -> String {
    format!("{}:{}", role.as_str(), user.0)
}

/// An actor string (see [`actor`]) read once, here: what kind of actor it
/// names and the account, if it names one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Actor<'a> {
    /// The role (`department_staff`), `user` (a report made with an
    /// account), a case's source (`resident`, `enterprise`, …),
    /// `reporter`, `system` (the routing rules and the deadline sweep) or
    /// `open311` (a partner system).
    pub kind: &'a str,
    /// The account, for `role:id` and `user:id`; `None` for actors that
    /// are no person's account (`resident`, `reporter`, `system:routing`,
    /// `open311:key:update`).
    pub user: Option<UserId>,
}

impl<'a> Actor<'a> {
    pub fn parse(actor: &'a str) -> Actor<'a> {
        let (kind, rest) = actor.split_once(':').unwrap_or((actor, ""));
        let is_account = kind == "user" || Role::parse(kind).is_ok();
        let user = is_account
            .then(|| rest.parse().ok().filter(|id| *id > 0).map(UserId))
            .flatten();
        Actor { kind, user }
    }

    /// Whether this actor is a member of a department's staff.
    pub fn department_staff(&self) -> Option<UserId> {
        self.user
            .filter(|_| self.kind == Role::DepartmentStaff.as_str())
    }
}

/// The account an actor string names (see [`Actor`]).
pub fn actor_user(actor: &str) -> Option<UserId> {
    Actor::parse(actor).user
}

/// Digits in a login from which it is taken for a phone number: phones
/// (11 digits) and landlines (7 or 8) would all qualify.
const PHONE_SHAPED_DIGITS: usize = 7;

/// Whether a login looks like a phone number: only digits (spaces,
/// hyphens and a leading `+` aside), at least [`PHONE_SHAPED_DIGITS`] of them.
pub fn is_phone_shaped(login: &str) -> bool {
    let login = login.trim();
    let digits: Vec<char> = login
        .strip_prefix('+')
        .unwrap_or(login)
        .chars()
        .filter(|c| !matches!(c, ' ' | '-'))
        .collect();
    digits.len() >= PHONE_SHAPED_DIGITS && digits.iter().all(char::is_ascii_digit)
}

/// People sign in with their login or their phone, and a phone-shaped
/// entry is looked up among phones only: so no login may look like a
/// phone, or someone could take a colleague's phone as their login and
/// stand in their way (or be mistaken for them). The same 409 for every
/// phone-shaped login, so registering says nothing of whose phones exist.
pub fn check_login(login: &str) -> Result<(), Problem> {
    if is_phone_shaped(login) {
        return Err(Problem::conflict(
            "a login may not be a phone number: choose a user name; \
             a phone is given in its own field and signs in too",
        )
        .with_field("login"));
    }
    Ok(())
}

/// The JWT payload. `tenant` is `None` exactly for platform admins; [`TokenKeys::verify`]
/// refuses any other combination.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claims {
    /// The user: `users.id` as a string.
    pub sub: String,
    /// Tenant code.
    pub tenant: Option<String>,
    /// The tenant's id: which incarnation of the code the token is for.
    /// Ids are never reused, so a tenant deleted and created again under
    /// the same code does not accept the tokens of the one before.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tid: Option<i64>,
    pub role: Role,
    /// Issued at, seconds since the epoch.
    pub iat: i64,
    /// Expires at, seconds since the epoch.
    pub exp: i64,
    /// Token id, for revocation lists.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jti: Option<String>,
    /// The user's token version when this token was issued. Logging out,
    /// changing the password or the role bumps the stored version, which
    /// revokes every token issued before.
    #[serde(default)]
    pub ver: i64,
}

impl Claims {
    /// A token for a tenant's user, valid from `now` for `ttl`.
    pub fn for_tenant(
        sub: impl Into<String>,
        tenant: &Tenant,
        role: Role,
        now: DateTime<Utc>,
        ttl: Duration,
    ) -> Claims {
        Claims {
            sub: sub.into(),
            tenant: Some(tenant.code.as_str().to_owned()),
            tid: Some(tenant.id.0),
            role,
            iat: now.timestamp(),
            exp: (now + ttl).timestamp(),
            jti: None,
            ver: 0,
        }
    }

    /// A platform admin's token: no tenant.
    pub fn for_platform_admin(sub: impl Into<String>, now: DateTime<Utc>, ttl: Duration) -> Claims {
        Claims {
            sub: sub.into(),
            tenant: None,
            tid: None,
            role: Role::PlatformAdmin,
            iat: now.timestamp(),
            exp: (now + ttl).timestamp(),
            jti: None,
            ver: 0,
        }
    }

    /// Stamps the user's current token version (see [`Claims::ver`]).
    pub fn with_version(mut self, ver: i64) -> Claims {
        self.ver = ver;
        self
    }

    pub fn with_jti(mut self, jti: impl Into<String>) -> Claims {
        self.jti = Some(jti.into());
        self
    }

    fn is_consistent(&self) -> bool {
        (self.role == Role::PlatformAdmin) == self.tenant.is_none()
    }
}

/// Tokens longer than this are refused before any parsing: ours are a few hundred bytes.
const MAX_TOKEN_LEN: usize = 4096;

/// The signing secret, prepared once per request for both directions.
pub struct TokenKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
}

impl fmt::Debug for TokenKeys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("TokenKeys(..)")
    }
}

impl TokenKeys {
    pub fn new(secret: &[u8]) -> TokenKeys {
        TokenKeys {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
        }
    }

    pub fn issue(&self, claims: &Claims) -> Result<String, Problem> {
        if !claims.is_consistent() {
            return Err(Problem::internal(
                "refusing to issue a token whose tenant does not match its role",
            ));
        }
        hs256::install();
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), claims, &self.encoding)
            .map_err(|_| Problem::internal("could not sign the token"))
    }

    /// Checks signature, shape and expiry. Every failure is a 401; the detail says which
    /// kind so that a client knows whether logging in again helps.
    pub fn verify(&self, token: &str, now: DateTime<Utc>) -> Result<Claims, Problem> {
        if token.len() > MAX_TOKEN_LEN {
            return Err(Problem::unauthorized("malformed token"));
        }
        let mut validation = Validation::new(Algorithm::HS256);
        // Expiry is ours to check against the caller's `now`; audience is not used.
        validation.validate_exp = false;
        validation.validate_aud = false;
        validation.required_spec_claims.clear();
        hs256::install();
        let claims = jsonwebtoken::decode::<Claims>(token, &self.decoding, &validation)
            .map_err(|e| match e.kind() {
                ErrorKind::InvalidSignature => Problem::unauthorized("invalid token signature"),
                _ => Problem::unauthorized("malformed token"),
            })?
            .claims;
        if !claims.is_consistent() {
            return Err(Problem::unauthorized("malformed token"));
        }
        if claims.exp <= now.timestamp() {
            return Err(Problem::coded(ProblemCode::SessionExpired, "token expired"));
        }
        Ok(claims)
    }
}

/// Admits only tokens of `tenant`. Platform-admin tokens are refused here too: they
/// belong on platform routes (see the module docs).
pub fn require_tenant(claims: &Claims, tenant: &Tenant) -> Result<(), Problem> {
    match claims.tenant.as_deref() {
        Some(code) if code == tenant.code.as_str() && claims.tid == Some(tenant.id.0) => Ok(()),
        Some(code) if code == tenant.code.as_str() => Err(Problem::coded(
            ProblemCode::SessionExpired,
            "this token was issued before this tenant was created anew: log in again",
        )),
        Some(_) => Err(Problem::forbidden("this token belongs to another tenant")),
        None => Err(Problem::forbidden(
            "platform admin tokens are valid only on platform routes",
        )),
    }
}

/// Admits only platform-admin tokens (which carry no tenant).
pub fn require_platform_admin(claims: &Claims) -> Result<(), Problem> {
    if claims.role == Role::PlatformAdmin && claims.tenant.is_none() {
        Ok(())
    } else {
        Err(Problem::forbidden("platform admin role required"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use proptest::prelude::*;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2025, 3, 1, 8, 0, 0)
            .single()
            .expect("valid")
    }

    fn tenant(code: &str, id: i64) -> Tenant {
        Tenant {
            id: crate::tenant::TenantId(id),
            code: TenantCode::parse(code).expect("valid"),
            name: code.into(),
            kind: crate::tenant::TenantKind::Township,
            time_zone: "Asia/Shanghai".into(),
            status: crate::tenant::TenantStatus::Active,
            created_at: now(),
        }
    }

    fn jinkai() -> Tenant {
        tenant("jinkai", 1)
    }

    fn keys() -> TokenKeys {
        TokenKeys::new(b"test secret, at least 32 bytes long!!")
    }

    fn check_rejected(token: &str, at: DateTime<Utc>, detail: &str) {
        let p = keys().verify(token, at).expect_err("must be refused");
        assert_eq!(p.status(), 401);
        assert_eq!(p.detail, detail, "token {token:?}");
    }

    #[test]
    fn issue_then_verify() {
        let claims =
            Claims::for_tenant("42", &jinkai(), Role::GridWorker, now(), Duration::hours(8))
                .with_jti("t1");
        let token = keys().issue(&claims).expect("issue");
        let back = keys().verify(&token, now()).expect("verify");
        assert_eq!(back, claims);
        assert_eq!(back.exp - back.iat, 8 * 3600);
    }

    #[test]
    fn refusals() {
        let claims = Claims::for_tenant("42", &jinkai(), Role::Agent, now(), Duration::hours(1));
        let token = keys().issue(&claims).expect("issue");
        check_rejected(&token, now() + Duration::hours(1), "token expired");
        let other = TokenKeys::new(b"another secret")
            .issue(&claims)
            .expect("issue");
        check_rejected(&other, now(), "invalid token signature");
        check_rejected("", now(), "malformed token");
        check_rejected("a.b.c", now(), "malformed token");
        check_rejected(&"x".repeat(5000), now(), "malformed token");
        // alg=none must not pass.
        let unsigned = format!(
            "eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.{}.",
            token.split('.').nth(1).expect("payload")
        );
        check_rejected(&unsigned, now(), "malformed token");
    }

    #[test]
    fn inconsistent_claims_are_neither_issued_nor_accepted() {
        let mut claims = Claims::for_platform_admin("1", now(), Duration::hours(1));
        claims.tenant = Some("jinkai".into());
        assert_eq!(keys().issue(&claims).expect_err("refused").status(), 500);
    }

    #[test]
    fn tenant_rule() {
        let a = Claims::for_tenant("1", &jinkai(), Role::TenantAdmin, now(), Duration::hours(1));
        let other = tenant("other", 2);
        assert!(require_tenant(&a, &jinkai()).is_ok());
        assert_eq!(require_tenant(&a, &other).expect_err("403").status(), 403);
        // The same code created anew is another tenant: log in again.
        let reborn = tenant("jinkai", 3);
        assert_eq!(require_tenant(&a, &reborn).expect_err("401").status(), 401);
        let mut without_id = a.clone();
        without_id.tid = None;
        assert_eq!(
            require_tenant(&without_id, &jinkai())
                .expect_err("401")
                .status(),
            401
        );
        assert_eq!(require_platform_admin(&a).expect_err("403").status(), 403);
        let admin = Claims::for_platform_admin("1", now(), Duration::hours(1));
        assert_eq!(
            require_tenant(&admin, &jinkai()).expect_err("403").status(),
            403
        );
        assert!(require_platform_admin(&admin).is_ok());
    }

    #[test]
    fn logins_may_not_look_like_phones() {
        for phone in [
            "13811119999",
            "+86 138 1111 9999",
            "138-1111-9999",
            "8765432",
        ] {
            assert!(is_phone_shaped(phone), "{phone}");
            let refused = check_login(phone).expect_err(phone);
            assert_eq!(
                (refused.status(), refused.field.as_deref()),
                (409, Some("login"))
            );
        }
        for login in [
            "wangwu",
            "admin2026",
            "123456",
            "138a1111999",
            "王五13811119999",
        ] {
            assert!(check_login(login).is_ok(), "{login}");
        }
    }

    #[test]
    fn roles_round_trip() {
        for role in Role::ALL {
            assert_eq!(Role::parse(role.as_str()), Ok(role));
            assert_eq!(
                serde_json::to_string(&role).expect("serialise"),
                format!("\"{role}\"")
            );
        }
        assert!(Role::parse("resident").is_err());
    }

    #[test]
    fn actors_name_their_accounts() {
        fn check(actor: &str, expected: Option<i64>) {
            assert_eq!(actor_user(actor), expected.map(UserId), "actor {actor:?}");
        }
        for role in Role::ALL {
            check(&super::actor(role, UserId(8)), Some(8));
        }
        check("user:6", Some(6));
        check("resident", None);
        check("grid_worker", None);
        check("reporter", None);
        check("system:routing", None);
        check("open311:1:u1", None);
        check("open311:1:5", None);
        check("department_staff:", None);
        check("department_staff:8:9", None);
        check("department_staff:-1", None);
        check("user:x", None);
        let kinds = [
            "resident",
            "system:routing",
            "open311:1:u1",
            "user:6",
            "department_staff:8",
        ]
        .map(|a| Actor::parse(a).kind);
        assert_eq!(
            kinds,
            ["resident", "system", "open311", "user", "department_staff"]
        );
        assert_eq!(
            Actor::parse("department_staff:8").department_staff(),
            Some(UserId(8))
        );
        assert_eq!(Actor::parse("grid_worker:8").department_staff(), None);
    }

    proptest! {
        #[test]
        fn verify_never_panics(s in "\\PC{0,300}") {
            let p = keys().verify(&s, now()).expect_err("garbage is refused");
            prop_assert_eq!(p.status(), 401);
        }

        #[test]
        fn verify_never_panics_on_jwt_shaped_garbage(
            a in "[A-Za-z0-9_-]{0,60}", b in "[A-Za-z0-9_-]{0,200}", c in "[A-Za-z0-9_-]{0,60}"
        ) {
            let token = format!("{a}.{b}.{c}");
            prop_assert!(keys().verify(&token, now()).is_err());
        }
    }
}
