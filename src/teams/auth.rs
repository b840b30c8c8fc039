//! Checking the `Authorization: Bearer` JWT the Bot Connector puts on every inbound activity.
//!
//! Pure: the keys and "now" are arguments, so the rules are tested with precoded tokens and a
//! fixed time. The rules are the Bot Framework's channel validation (botbuilder
//! `channel_validation` / `jwt_token_extractor`):
//!
//! 1. the header is `Bearer <token>`;
//! 2. `alg` is RS256, RS384 or RS512 and the key is picked by `kid` from the JWKS the OpenID
//!    metadata points at;
//! 3. that key is *endorsed* for the activity's `channelId` (a non-standard `endorsements`
//!    array on the JWK; a key without it is refused);
//! 4. the signature holds;
//! 5. `iss` is `https://api.botframework.com` and `aud` is the bot's app id;
//! 6. `exp` and `nbf` hold with five minutes of clock skew (`exp` is required);
//! 7. the `serviceurl` claim equals the activity's `serviceUrl`, so a valid token for one
//!    conversation can't redirect the bot's replies (and its token) elsewhere.

use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde::Deserialize;

/// The only issuer accepted for tokens from the Bot Connector.
pub const BOT_FRAMEWORK_ISSUER: &str = "https://api.botframework.com";

/// Clock skew tolerated on `exp` and `nbf`, as botbuilder does.
pub const CLOCK_SKEW_SECS: i64 = 5 * 60;

/// Why a request was refused; the `Display` text is the short reason sent with the 401.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AuthError {
    #[error("missing Authorization header")]
    MissingHeader,
    #[error("Authorization header is not `Bearer <token>`")]
    NotBearer,
    #[error("token is not a JWT")]
    Malformed,
    #[error("token algorithm {0} is not accepted")]
    Algorithm(String),
    #[error("token has no key id")]
    NoKeyId,
    #[error("unknown signing key {0}")]
    UnknownKey(String),
    #[error("signing key is not endorsed for channel {0:?}")]
    NotEndorsed(String),
    #[error("signing key is unusable")]
    BadKey,
    #[error("bad signature")]
    BadSignature,
    #[error("wrong issuer")]
    Issuer,
    #[error("wrong audience")]
    Audience,
    #[error("token has no expiry")]
    NoExpiry,
    #[error("token expired")]
    Expired,
    #[error("token not valid yet")]
    NotYetValid,
    #[error("serviceurl claim does not match the activity")]
    ServiceUrl,
}

/// One key of the Bot Framework's JWKS, with the non-standard `endorsements` array that
/// standard JWK types drop.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Jwk {
    #[serde(default)]
    pub kid: Option<String>,
    #[serde(default)]
    pub kty: String,
    #[serde(default)]
    pub n: Option<String>,
    #[serde(default)]
    pub e: Option<String>,
    #[serde(default)]
    pub endorsements: Vec<String>,
}

/// The key set served at the OpenID metadata's `jwks_uri`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct Jwks {
    #[serde(default)]
    pub keys: Vec<Jwk>,
}

impl Jwks {
    pub fn find(&self, kid: &str) -> Option<&Jwk> {
        self.keys.iter().find(|k| k.kid.as_deref() == Some(kid))
    }
}

/// `aud` may be a string or an array of strings (RFC 7519 §4.1.3).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(untagged)]
enum Audience {
    One(String),
    Many(Vec<String>),
}

impl Audience {
    fn contains(&self, id: &str) -> bool {
        match self {
            Audience::One(a) => a == id,
            Audience::Many(all) => all.iter().any(|a| a == id),
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
struct RawClaims {
    #[serde(default)]
    iss: Option<String>,
    #[serde(default)]
    aud: Option<Audience>,
    #[serde(default)]
    exp: Option<f64>,
    #[serde(default)]
    nbf: Option<f64>,
    #[serde(default)]
    serviceurl: Option<String>,
}

/// What a verified token says, for the logs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified {
    pub kid: String,
    pub expires_at: i64,
}

/// The token from an `Authorization` header value.
///
/// # Errors
/// [`AuthError::MissingHeader`] or [`AuthError::NotBearer`].
pub fn bearer(header: Option<&str>) -> Result<&str, AuthError> {
    let value = header.ok_or(AuthError::MissingHeader)?.trim();
    let (scheme, token) = value.split_once(' ').ok_or(AuthError::NotBearer)?;
    let token = token.trim();
    if !scheme.eq_ignore_ascii_case("bearer") || token.is_empty() || token.contains(' ') {
        return Err(AuthError::NotBearer);
    }
    Ok(token)
}

/// The key id a token asks for, read before the keys are looked up (an unknown one makes the
/// caller refresh its key cache).
///
/// # Errors
/// The token is not a JWT, names an algorithm we don't accept, or has no `kid`.
pub fn key_id(token: &str) -> Result<String, AuthError> {
    let header = jsonwebtoken::decode_header(token).map_err(|_| AuthError::Malformed)?;
    if !matches!(
        header.alg,
        Algorithm::RS256 | Algorithm::RS384 | Algorithm::RS512
    ) {
        return Err(AuthError::Algorithm(format!("{:?}", header.alg)));
    }
    header
        .kid
        .filter(|k| !k.is_empty())
        .ok_or(AuthError::NoKeyId)
}

/// Verifies a Bot Connector token for an activity, at `now` (Unix seconds).
///
/// # Errors
/// The first rule the token breaks; see the module docs.
pub fn verify_at(
    token: &str,
    activity_service_url: &str,
    channel_id: &str,
    now: i64,
    jwks: &Jwks,
    app_id: &str,
) -> Result<Verified, AuthError> {
    let header = jsonwebtoken::decode_header(token).map_err(|_| AuthError::Malformed)?;
    if !matches!(
        header.alg,
        Algorithm::RS256 | Algorithm::RS384 | Algorithm::RS512
    ) {
        return Err(AuthError::Algorithm(format!("{:?}", header.alg)));
    }
    let kid = header
        .kid
        .filter(|k| !k.is_empty())
        .ok_or(AuthError::NoKeyId)?;
    let jwk = jwks
        .find(&kid)
        .ok_or_else(|| AuthError::UnknownKey(kid.clone()))?;
    if channel_id.is_empty()
        || !jwk
            .endorsements
            .iter()
            .any(|e| e.eq_ignore_ascii_case(channel_id))
    {
        return Err(AuthError::NotEndorsed(channel_id.to_string()));
    }
    let (Some(n), Some(e)) = (&jwk.n, &jwk.e) else {
        return Err(AuthError::BadKey);
    };
    if !jwk.kty.eq_ignore_ascii_case("RSA") {
        return Err(AuthError::BadKey);
    }
    let key = DecodingKey::from_rsa_components(n, e).map_err(|_| AuthError::BadKey)?;

    // jsonwebtoken checks only the signature here; the claims are checked below against the
    // `now` we were given (its own checks read the system clock).
    let mut validation = Validation::new(header.alg);
    validation.validate_exp = false;
    validation.validate_nbf = false;
    validation.validate_aud = false;
    validation.required_spec_claims.clear();
    let data = jsonwebtoken::decode::<RawClaims>(token, &key, &validation).map_err(|e| {
        use jsonwebtoken::errors::ErrorKind as K;
        match e.kind() {
            K::InvalidSignature => AuthError::BadSignature,
            K::InvalidRsaKey(_) | K::InvalidKeyFormat => AuthError::BadKey,
            _ => AuthError::Malformed,
        }
    })?;
    let claims = data.claims;

    if claims.iss.as_deref() != Some(BOT_FRAMEWORK_ISSUER) {
        return Err(AuthError::Issuer);
    }
    if app_id.is_empty() || !claims.aud.as_ref().is_some_and(|a| a.contains(app_id)) {
        return Err(AuthError::Audience);
    }
    let exp = claims.exp.ok_or(AuthError::NoExpiry)? as i64;
    if exp + CLOCK_SKEW_SECS < now {
        return Err(AuthError::Expired);
    }
    if let Some(nbf) = claims.nbf {
        if nbf as i64 > now + CLOCK_SKEW_SECS {
            return Err(AuthError::NotYetValid);
        }
    }
    if claims.serviceurl.as_deref() != Some(activity_service_url) {
        return Err(AuthError::ServiceUrl);
    }
    Ok(Verified {
        kid,
        expires_at: exp,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use jsonwebtoken::{EncodingKey, Header};
    use serde_json::json;

    const KEY: &str = include_str!("../../tests/fixtures/teams/test_key.pem");
    const OTHER: &str = include_str!("../../tests/fixtures/teams/other_key.pem");
    const NOW: i64 = 1_750_000_000;
    const SERVICE: &str = "https://smba.trafficmanager.net/amer/";
    const APP: &str = "app-123";

    fn jwk(pem: &str, kid: &str, endorsements: &[&str]) -> Jwk {
        let enc = EncodingKey::from_rsa_pem(pem.as_bytes()).unwrap();
        let std = jsonwebtoken::jwk::Jwk::from_encoding_key(&enc, Algorithm::RS256).unwrap();
        let jsonwebtoken::jwk::AlgorithmParameters::RSA(rsa) = std.algorithm else {
            unreachable!()
        };
        Jwk {
            kid: Some(kid.into()),
            kty: "RSA".into(),
            n: Some(rsa.n),
            e: Some(rsa.e),
            endorsements: endorsements.iter().map(|s| s.to_string()).collect(),
        }
    }

    fn keys() -> Jwks {
        Jwks {
            keys: vec![
                jwk(KEY, "k1", &["msteams", "webchat"]),
                jwk(KEY, "skype-only", &["skype"]),
            ],
        }
    }

    fn sign(pem: &str, kid: Option<&str>, alg: Algorithm, claims: serde_json::Value) -> String {
        let mut header = Header::new(alg);
        header.kid = kid.map(str::to_string);
        jsonwebtoken::encode(
            &header,
            &claims,
            &EncodingKey::from_rsa_pem(pem.as_bytes()).unwrap(),
        )
        .unwrap()
    }

    fn good_claims() -> serde_json::Value {
        json!({"iss": BOT_FRAMEWORK_ISSUER, "aud": APP, "exp": NOW + 600, "nbf": NOW - 60, "serviceurl": SERVICE})
    }

    fn with(change: impl FnOnce(&mut serde_json::Value)) -> serde_json::Value {
        let mut c = good_claims();
        change(&mut c);
        c
    }

    fn without(claim: &str) -> serde_json::Value {
        with(|c| {
            c.as_object_mut().unwrap().remove(claim);
        })
    }

    fn check(token: &str) -> Result<Verified, AuthError> {
        verify_at(token, SERVICE, "msteams", NOW, &keys(), APP)
    }

    #[test]
    fn a_well_formed_token_passes_with_every_rsa_algorithm() {
        for alg in [Algorithm::RS256, Algorithm::RS384, Algorithm::RS512] {
            let t = sign(KEY, Some("k1"), alg, good_claims());
            assert_eq!(
                check(&t),
                Ok(Verified {
                    kid: "k1".into(),
                    expires_at: NOW + 600
                })
            );
        }
    }

    #[test]
    fn each_broken_rule_is_named() {
        let cases: Vec<(String, AuthError)> = vec![
            (
                sign(OTHER, Some("k1"), Algorithm::RS256, good_claims()),
                AuthError::BadSignature,
            ),
            (
                sign(KEY, Some("k9"), Algorithm::RS256, good_claims()),
                AuthError::UnknownKey("k9".into()),
            ),
            (
                sign(KEY, None, Algorithm::RS256, good_claims()),
                AuthError::NoKeyId,
            ),
            (
                sign(KEY, Some("skype-only"), Algorithm::RS256, good_claims()),
                AuthError::NotEndorsed("msteams".into()),
            ),
            (
                sign(
                    KEY,
                    Some("k1"),
                    Algorithm::RS256,
                    with(|c| c["iss"] = json!("https://evil.example")),
                ),
                AuthError::Issuer,
            ),
            (
                sign(
                    KEY,
                    Some("k1"),
                    Algorithm::RS256,
                    with(|c| c["aud"] = json!("other-app")),
                ),
                AuthError::Audience,
            ),
            (
                sign(KEY, Some("k1"), Algorithm::RS256, without("aud")),
                AuthError::Audience,
            ),
            (
                sign(
                    KEY,
                    Some("k1"),
                    Algorithm::RS256,
                    with(|c| c["exp"] = json!(NOW - CLOCK_SKEW_SECS - 1)),
                ),
                AuthError::Expired,
            ),
            (
                sign(
                    KEY,
                    Some("k1"),
                    Algorithm::RS256,
                    with(|c| c["nbf"] = json!(NOW + CLOCK_SKEW_SECS + 1)),
                ),
                AuthError::NotYetValid,
            ),
            (
                sign(KEY, Some("k1"), Algorithm::RS256, without("exp")),
                AuthError::NoExpiry,
            ),
            (
                sign(
                    KEY,
                    Some("k1"),
                    Algorithm::RS256,
                    with(|c| c["serviceurl"] = json!("https://evil.example/")),
                ),
                AuthError::ServiceUrl,
            ),
            (
                sign(KEY, Some("k1"), Algorithm::RS256, without("serviceurl")),
                AuthError::ServiceUrl,
            ),
            ("not.a.jwt".into(), AuthError::Malformed),
        ];
        for (token, want) in cases {
            assert_eq!(check(&token), Err(want));
        }
    }

    #[test]
    fn clock_skew_of_five_minutes_is_tolerated() {
        let t = sign(
            KEY,
            Some("k1"),
            Algorithm::RS256,
            with(|c| c["exp"] = json!(NOW - CLOCK_SKEW_SECS + 5)),
        );
        assert!(check(&t).is_ok());
        let t = sign(
            KEY,
            Some("k1"),
            Algorithm::RS256,
            with(|c| c["nbf"] = json!(NOW + CLOCK_SKEW_SECS - 5)),
        );
        assert!(check(&t).is_ok());
    }

    #[test]
    fn audience_may_be_a_list() {
        let t = sign(
            KEY,
            Some("k1"),
            Algorithm::RS256,
            with(|c| c["aud"] = json!(["x", APP])),
        );
        assert!(check(&t).is_ok());
    }

    #[test]
    fn symmetric_algorithms_are_refused_before_any_key_is_used() {
        let t = jsonwebtoken::encode(
            &Header {
                kid: Some("k1".into()),
                ..Header::new(Algorithm::HS256)
            },
            &good_claims(),
            &EncodingKey::from_secret(b"guess"),
        )
        .unwrap();
        assert_eq!(check(&t), Err(AuthError::Algorithm("HS256".into())));
        assert_eq!(key_id(&t), Err(AuthError::Algorithm("HS256".into())));
    }

    #[test]
    fn a_token_for_another_channel_needs_that_endorsement() {
        let t = sign(KEY, Some("k1"), Algorithm::RS256, good_claims());
        assert_eq!(
            verify_at(&t, SERVICE, "slack", NOW, &keys(), APP),
            Err(AuthError::NotEndorsed("slack".into()))
        );
        assert_eq!(
            verify_at(&t, SERVICE, "", NOW, &keys(), APP),
            Err(AuthError::NotEndorsed(String::new()))
        );
    }

    #[test]
    fn bearer_headers_are_parsed_strictly() {
        assert_eq!(bearer(Some("Bearer abc.def.ghi")), Ok("abc.def.ghi"));
        assert_eq!(bearer(Some("bearer  abc")), Ok("abc"));
        assert_eq!(bearer(None), Err(AuthError::MissingHeader));
        for bad in ["", "Bearer", "Bearer ", "Basic abc", "Bearer a b", "abc"] {
            assert_eq!(bearer(Some(bad)), Err(AuthError::NotBearer), "{bad:?}");
        }
    }
}
