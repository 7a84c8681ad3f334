//! Who is calling: bearer tokens signed with the `jwt_secret` Spin
//! variable, and the operator key (`platform_operator_key`) that alone may
//! run migrations and create the first platform admin.

use chrono::Utc;
use domain::{Claims, Password, Problem, TokenKeys};
use spin_sdk::http::Request;
use spin_sdk::variables;

/// The token keys, from the component's `jwt_secret` variable.
pub fn token_keys() -> Result<TokenKeys, Problem> {
    let secret = variable("jwt_secret")?;
    Ok(TokenKeys::new(secret.as_bytes()))
}

/// A required Spin variable; its absence is an operator's mistake (503).
pub fn variable(name: &str) -> Result<String, Problem> {
    variables::get(name).map_err(|e| {
        Problem::service_unavailable(format!("Spin variable '{name}' is not available: {e:?}"))
    })
}

/// The bearer token of `request`, if it carries one.
pub fn bearer(request: &Request) -> Option<&str> {
    let value = request.header("authorization")?.as_str()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then_some(token.trim())
}

/// The verified claims of the request's bearer token.
pub fn authenticate(request: &Request) -> Result<Claims, Problem> {
    let token = bearer(request).ok_or_else(|| {
        Problem::unauthorized("this needs a bearer token: log in and send Authorization: Bearer …")
    })?;
    token_keys()?.verify(token, Utc::now())
}

/// Admits the operator of the deployment, who holds `platform_operator_key`.
pub fn require_operator(request: &Request) -> Result<(), Problem> {
    let Some(given) = bearer(request) else {
        return Err(Problem::unauthorized(
            "this needs the operator key as a bearer token",
        ));
    };
    let expected = variable("platform_operator_key")?;
    if constant_time_eq(given.as_bytes(), expected.as_bytes()) {
        Ok(())
    } else {
        Err(Problem::forbidden("the operator key is wrong"))
    }
}

/// Compares secrets without leaking where they first differ.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Checks the password rules, then hashes with a fresh salt.
pub fn hash_new_password(password: &str) -> Result<String, Problem> {
    let password = Password::parse(password).map_err(|p| p.with_field("password"))?;
    domain::hash_password(password.as_str(), &crate::random_bytes::<16>()?)
}
