//! The one signature algorithm our tokens use, as `jsonwebtoken`'s crypto
//! provider. The crate's own `rust_crypto` provider brings RSA, ECDSA and
//! EdDSA along with HMAC — most of every component's `.wasm` — although a
//! token here is only ever HS256 (`Validation` admits nothing else). With
//! this provider installed, any other algorithm is refused as invalid.

use hmac::{Hmac, Mac};
use jsonwebtoken::crypto::{CryptoProvider, JwkUtils, JwtSigner, JwtVerifier};
use jsonwebtoken::errors::{ErrorKind, Result};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey};
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

/// HS256 only; JWKs are not used, so their helpers are left unimplemented.
static PROVIDER: CryptoProvider = CryptoProvider {
    signer_factory: signer,
    verifier_factory: verifier,
    jwk_utils: JwkUtils::new_unimplemented(),
};

/// Makes HS256 the process's provider; called before every sign and verify
/// (installing is a one-time, idempotent step).
pub fn install() {
    // An error means a provider is already installed: ours, since nothing
    // else in the workspace installs one.
    let _ = PROVIDER.install_default();
}

/// A keyed HMAC-SHA256, reused for each message by cloning.
struct Hs256(HmacSha256);

impl Hs256 {
    fn keyed(secret: &[u8], algorithm: &Algorithm) -> Result<Self> {
        if *algorithm != Algorithm::HS256 {
            return Err(ErrorKind::InvalidAlgorithm.into());
        }
        HmacSha256::new_from_slice(secret)
            .map(Hs256)
            .map_err(|_| ErrorKind::InvalidKeyFormat.into())
    }

    fn mac(&self, message: &[u8]) -> HmacSha256 {
        let mut mac = self.0.clone();
        mac.update(message);
        mac
    }
}

fn signer(algorithm: &Algorithm, key: &EncodingKey) -> Result<Box<dyn JwtSigner>> {
    Ok(Box::new(Hs256::keyed(
        key.try_get_hmac_secret()?,
        algorithm,
    )?))
}

fn verifier(algorithm: &Algorithm, key: &DecodingKey) -> Result<Box<dyn JwtVerifier>> {
    Ok(Box::new(Hs256::keyed(
        key.try_get_hmac_secret()?,
        algorithm,
    )?))
}

impl signature::Signer<Vec<u8>> for Hs256 {
    fn try_sign(&self, message: &[u8]) -> std::result::Result<Vec<u8>, signature::Error> {
        Ok(self.mac(message).finalize().into_bytes().to_vec())
    }
}

impl signature::Verifier<Vec<u8>> for Hs256 {
    /// Constant-time comparison (`verify_slice`).
    fn verify(&self, message: &[u8], tag: &Vec<u8>) -> std::result::Result<(), signature::Error> {
        self.mac(message)
            .verify_slice(tag)
            .map_err(signature::Error::from_source)
    }
}

impl JwtSigner for Hs256 {
    fn algorithm(&self) -> Algorithm {
        Algorithm::HS256
    }
}

impl JwtVerifier for Hs256 {
    fn algorithm(&self) -> Algorithm {
        Algorithm::HS256
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jsonwebtoken::{Header, Validation, decode, encode};
    use serde_json::{Value, json};

    fn validation(algorithm: Algorithm) -> Validation {
        let mut validation = Validation::new(algorithm);
        validation.validate_exp = false;
        validation.required_spec_claims.clear();
        validation
    }

    /// RFC 7515's worked example would need its JWK key; jwt.io's HS256
    /// example token is the one every library checks against.
    #[test]
    fn verifies_the_well_known_hs256_example() {
        install();
        let token = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.\
                     eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.\
                     SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c";
        let key = DecodingKey::from_secret(b"your-256-bit-secret");
        let claims = decode::<Value>(token, &key, &validation(Algorithm::HS256))
            .expect("the example verifies")
            .claims;
        assert_eq!(claims["name"], "John Doe");
        let wrong = DecodingKey::from_secret(b"another secret");
        let refused = decode::<Value>(token, &wrong, &validation(Algorithm::HS256));
        assert_eq!(
            refused.map_err(|e| e.into_kind()).err(),
            Some(ErrorKind::InvalidSignature)
        );
    }

    #[test]
    fn signs_and_verifies_a_round_trip_and_nothing_but_hs256() {
        install();
        let claims = json!({ "sub": "someone" });
        let token = encode(
            &Header::new(Algorithm::HS256),
            &claims,
            &EncodingKey::from_secret(b"s"),
        )
        .expect("HS256 signs");
        let back = decode::<Value>(
            &token,
            &DecodingKey::from_secret(b"s"),
            &validation(Algorithm::HS256),
        )
        .expect("and verifies");
        assert_eq!(back.claims, claims);
        for other in [Algorithm::HS384, Algorithm::HS512] {
            let refused = encode(
                &Header::new(other),
                &claims,
                &EncodingKey::from_secret(b"s"),
            );
            assert_eq!(
                refused.map_err(|e| e.into_kind()).err(),
                Some(ErrorKind::InvalidAlgorithm),
                "{other:?} is not ours to sign"
            );
        }
    }
}
