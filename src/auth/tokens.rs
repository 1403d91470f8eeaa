//! Access tokens (short-lived JWTs: HS256 pinned, `exp`/`iat`/`iss`/`aud` checked, a `kid` so
//! the key can rotate) and opaque secrets (refresh tokens, emailed links), stored only as hashes.

use std::collections::HashMap;

use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use jsonwebtoken::{
    decode, decode_header, encode, Algorithm, DecodingKey, EncodingKey, Header, Validation,
};
use rand::RngCore;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::{
    db::{tokens as db_tokens, DbConnection},
    domain::ids::UserId,
    error::{AppError, AppResult},
};

const ALGORITHM: Algorithm = Algorithm::HS256;
pub const AUDIENCE: &str = "pledgeboard-api";
/// The `slot` of the generated key that every instance shares.
const PRIMARY_SLOT: &str = "access-tokens";

/// A fresh 256-bit random secret, URL-safe base64 (43 characters).
pub fn random_secret() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

/// How a secret is kept at rest: SHA-256, hex. The secrets are random and long, so a fast hash
/// is enough; what it prevents is a database reader using them.
pub fn hash_secret(secret: &str) -> String {
    let digest = Sha256::digest(secret.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// The claims of an access token.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Claims {
    /// The user id.
    pub sub: String,
    pub iss: String,
    pub aud: String,
    pub iat: i64,
    pub exp: i64,
    pub jti: String,
    /// The account's session generation when the token was issued.
    #[serde(default)]
    pub gen: i32,
}

/// Signs and checks access tokens.
pub struct TokenKeys {
    active_kid: String,
    keys: HashMap<String, (EncodingKey, DecodingKey)>,
    issuer: String,
    ttl_secs: i64,
}

impl TokenKeys {
    /// The configured secret when there is one, else the key generated on first start and kept
    /// in the database (so restarts and instances agree). Run at startup, off the async workers.
    pub fn load(
        conn: &mut DbConnection,
        configured: Option<&str>,
        issuer: String,
        ttl_secs: i64,
    ) -> AppResult<Self> {
        let secret = match configured.filter(|s| !s.trim().is_empty()) {
            Some(secret) if secret.len() < 32 => {
                return Err(AppError::internal(
                    "the JWT secret must be at least 32 characters",
                ));
            }
            Some(secret) => secret.to_owned(),
            None => shared_secret(conn)?,
        };
        // The kid names the key without revealing it.
        let kid = hash_secret(&secret)[..16].to_owned();
        let pair = (
            EncodingKey::from_secret(secret.as_bytes()),
            DecodingKey::from_secret(secret.as_bytes()),
        );
        Ok(Self {
            active_kid: kid.clone(),
            keys: HashMap::from([(kid, pair)]),
            issuer,
            ttl_secs,
        })
    }

    pub fn ttl_secs(&self) -> i64 {
        self.ttl_secs
    }

    pub fn issue(&self, user_id: &UserId, generation: i32) -> AppResult<String> {
        let now = chrono::Utc::now().timestamp();
        let claims = Claims {
            sub: user_id.to_string(),
            iss: self.issuer.clone(),
            aud: AUDIENCE.to_owned(),
            iat: now,
            exp: now + self.ttl_secs,
            jti: uuid::Uuid::new_v4().to_string(),
            gen: generation,
        };
        let mut header = Header::new(ALGORITHM);
        header.kid = Some(self.active_kid.clone());
        let (key, _) = self
            .keys
            .get(&self.active_kid)
            .ok_or_else(|| AppError::internal("the active signing key is missing"))?;
        encode(&header, &claims, key)
            .map_err(|e| AppError::internal(format!("signing a token: {e}")))
    }

    /// The claims of a valid token; any defect (signature, algorithm, expiry, issuer, audience,
    /// unknown key) is the same `Unauthorized` to the caller.
    pub fn verify(&self, token: &str) -> AppResult<Claims> {
        let header = decode_header(token).map_err(|_| AppError::Unauthorized)?;
        if header.alg != ALGORITHM {
            return Err(AppError::Unauthorized);
        }
        let kid = header.kid.ok_or(AppError::Unauthorized)?;
        let (_, key) = self.keys.get(&kid).ok_or(AppError::Unauthorized)?;
        let mut validation = Validation::new(ALGORITHM);
        validation.set_audience(&[AUDIENCE]);
        validation.set_issuer(&[&self.issuer]);
        validation.set_required_spec_claims(&["exp", "iat", "iss", "aud", "sub"]);
        validation.leeway = 5;
        decode::<Claims>(token, key, &validation)
            .map(|data| data.claims)
            .map_err(|_| AppError::Unauthorized)
    }
}

/// The generated signing secret, created by whichever instance gets there first.
fn shared_secret(conn: &mut DbConnection) -> AppResult<String> {
    if let Some(secret) = db_tokens::signing_secret(conn, PRIMARY_SLOT)? {
        return Ok(secret);
    }
    let secret = random_secret();
    if db_tokens::insert_signing_key(conn, &hash_secret(&secret)[..16], PRIMARY_SLOT, &secret)? {
        return Ok(secret);
    }
    // Another instance inserted its key between our read and our write: use that one.
    db_tokens::signing_secret(conn, PRIMARY_SLOT)?
        .ok_or_else(|| AppError::internal("signing key vanished"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(secret: &str, issuer: &str, ttl: i64) -> TokenKeys {
        let kid = hash_secret(secret)[..16].to_owned();
        TokenKeys {
            active_kid: kid.clone(),
            keys: HashMap::from([(
                kid,
                (
                    EncodingKey::from_secret(secret.as_bytes()),
                    DecodingKey::from_secret(secret.as_bytes()),
                ),
            )]),
            issuer: issuer.to_owned(),
            ttl_secs: ttl,
        }
    }

    const SECRET: &str = "0123456789abcdef0123456789abcdef";

    #[test]
    fn a_fresh_token_verifies() {
        let k = keys(SECRET, "https://p.example", 900);
        let claims = k
            .verify(&k.issue(&UserId::from("user-1"), 0).unwrap())
            .unwrap();
        assert_eq!(claims.sub, "user-1");
        assert_eq!(claims.aud, AUDIENCE);
        assert_eq!(claims.exp - claims.iat, 900);
    }

    #[test]
    fn expired_foreign_or_unsigned_tokens_fail() {
        let k = keys(SECRET, "https://p.example", 900);
        let expired = keys(SECRET, "https://p.example", -60)
            .issue(&UserId::from("u"), 0)
            .unwrap();
        assert!(k.verify(&expired).is_err());
        let other_key = keys(
            "another secret of thirty-two characters",
            "https://p.example",
            900,
        )
        .issue(&UserId::from("u"), 0)
        .unwrap();
        assert!(k.verify(&other_key).is_err());
        let other_issuer = keys(SECRET, "https://elsewhere.example", 900)
            .issue(&UserId::from("u"), 0)
            .unwrap();
        assert!(k.verify(&other_issuer).is_err());
        let token = k.issue(&UserId::from("u"), 0).unwrap();
        let mut parts: Vec<&str> = token.split('.').collect();
        let none_header = URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"JWT"}"#);
        parts[0] = &none_header;
        assert!(k.verify(&format!("{}.{}.", parts[0], parts[1])).is_err());
        assert!(k.verify("garbage").is_err());
    }

    #[test]
    fn secrets_are_random_and_hashed() {
        let a = random_secret();
        assert_eq!(a.len(), 43);
        assert_ne!(a, random_secret());
        assert_eq!(hash_secret(&a).len(), 64);
        assert_eq!(hash_secret(&a), hash_secret(&a));
    }
}
