//! Password rules and hashing (argon2id, PHC strings).
//!
//! The salt comes from the caller because this crate has no randomness source. The cost
//! is OWASP's minimum for argon2id (19 MiB, 2 passes, 1 lane): tens of milliseconds
//! natively, which a login request can afford but an attacker with a stolen table cannot.

use crate::problem::Problem;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use std::fmt;

const MEMORY_KIB: u32 = 19_456;
const PASSES: u32 = 2;
const LANES: u32 = 1;

/// A password that meets the length rule. `Debug` hides it so it cannot reach a log.
#[derive(Clone, PartialEq, Eq)]
pub struct Password(String);

impl Password {
    pub const MIN_CHARS: usize = 8;
    pub const MAX_CHARS: usize = 128;

    /// 8 to 128 characters (not bytes: Chinese pass-phrases are welcome). The upper bound
    /// keeps hashing cost bounded.
    pub fn parse(s: &str) -> Result<Password, Problem> {
        let n = s.chars().count();
        if (Self::MIN_CHARS..=Self::MAX_CHARS).contains(&n) {
            Ok(Password(s.to_owned()))
        } else {
            Err(Problem::validation(
                "password",
                "password must be 8 to 128 characters long",
            ))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(***)")
    }
}

fn hasher() -> Result<Argon2<'static>, Problem> {
    let params = Params::new(MEMORY_KIB, PASSES, LANES, None)
        .map_err(|_| Problem::internal("password hashing is misconfigured"))?;
    Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
}

/// Hashes into a PHC string (`$argon2id$v=19$m=19456,t=2,p=1$...`), which records its
/// own parameters so they can be raised later without invalidating stored hashes.
pub fn hash_password(password: &str, salt: &[u8; 16]) -> Result<String, Problem> {
    let salt = SaltString::encode_b64(salt)
        .map_err(|_| Problem::internal("could not encode the password salt"))?;
    hasher()?
        .hash_password(password.as_bytes(), &salt)
        .map(|hash| hash.to_string())
        .map_err(|_| Problem::internal("could not hash the password"))
}

/// `false` for a wrong password and for an unreadable stored hash alike: the caller
/// answers both with the same 401, which reveals nothing.
pub fn verify_password(password: &str, phc: &str) -> bool {
    let Ok(hash) = PasswordHash::new(phc) else {
        return false;
    };
    // Parameters are read from the PHC string itself.
    Argon2::default()
        .verify_password(password.as_bytes(), &hash)
        .is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(input: &str, ok: bool) {
        assert_eq!(Password::parse(input).is_ok(), ok, "{input:?}");
    }

    #[test]
    fn length_rule() {
        check("", false);
        check("1234567", false);
        check("12345678", true);
        check("网格治理事事有回音", true);
        check("网格治理事事有", false);
        check(&"a".repeat(128), true);
        check(&"a".repeat(129), false);
        assert_eq!(
            format!("{:?}", Password::parse("secret-pw").expect("ok")),
            "Password(***)"
        );
    }

    #[test]
    fn hash_and_verify() {
        let phc = hash_password("correct horse", &[7; 16]).expect("hash");
        assert!(phc.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{phc}");
        assert!(verify_password("correct horse", &phc));
        assert!(!verify_password("correct horse!", &phc));
        assert!(!verify_password("correct horse", "not a phc string"));
        assert!(!verify_password("correct horse", ""));
        // Same salt, same password: same hash (the caller must pass fresh salt).
        assert_eq!(hash_password("correct horse", &[7; 16]).expect("hash"), phc);
        assert_ne!(hash_password("correct horse", &[8; 16]).expect("hash"), phc);
    }
}
