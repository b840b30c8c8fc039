//! Who may see the dashboard: the password check against a hash kept in memory, the signed
//! session cookie, and the brake on failed sign-ins.
//!
//! The password is hashed with Argon2 at start and the plain one is dropped; checking it
//! compares hashes in constant time, one check at a time (see [`argon2`] for the parameters
//! and why). A session is a cookie `{expiry}.{mac}`: an HMAC-SHA256
//! over the expiry with a key drawn at start, so a restart signs everyone out and a cookie
//! cannot be forged or extended without the key.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use axum::http::HeaderMap;
use hmac::{Hmac, Mac};
use rand_core::{OsRng, RngCore};
use sha2::Sha256;
use std::collections::VecDeque;
use std::sync::Mutex;
use std::time::{Duration, Instant};

pub const COOKIE: &str = "frontdesk_dashboard";
/// Failed sign-ins allowed per [`FAILURE_WINDOW`] before all sign-ins wait.
pub const MAX_FAILURES: usize = 10;
pub const FAILURE_WINDOW: Duration = Duration::from_secs(60);

#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    #[error("hashing the dashboard password")]
    Hash(String),
}

/// Argon2id with OWASP's first configuration (46 MiB, one pass, one lane) rather than the
/// crate's default (19 MiB, two passes), which OWASP lists as its equal. Why the bigger
/// block: glibc returns a freed allocation to the system only while it is above its mmap
/// threshold, and freeing the hash's block at start lifts that threshold to the block's size
/// (up to 32 MiB). A 19 MiB block was then taken from the heap at the first sign-in and kept
/// there: 20 MiB more resident for good, half again what a server on a million requests
/// uses. A block above 32 MiB is mapped for each check and unmapped after it. The
/// `frontdesk` binary runs on jemalloc, which serves any block over 8 MiB from its oversize
/// arena and hands it back as soon as it is freed; the size still matters wherever the
/// library runs on glibc's allocator (the tests, or a build without jemalloc).
fn argon2() -> Argon2<'static> {
    let params = Params::new(46 * 1024, 1, 1, None).expect("OWASP's Argon2 parameters are valid");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

pub struct Access {
    /// None: no password is set, only Sign in with Slack lets people in.
    hash: Option<String>,
    key: [u8; 32],
    ttl: chrono::Duration,
    public_https: bool,
    failures: Mutex<VecDeque<Instant>>,
    /// Held while a password is checked: sign-ins that arrive together (before the brake
    /// on failures has seen any) cost one Argon2 block at a time, not one each.
    checking: Mutex<()>,
}

/// Neither the hash nor the key is printed.
impl std::fmt::Debug for Access {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Access")
            .field("ttl", &self.ttl)
            .field("public_https", &self.public_https)
            .finish_non_exhaustive()
    }
}

impl Access {
    /// # Errors
    /// Argon2 refuses the password (it takes any length up to 4 GiB, so only in theory).
    pub fn new(
        password: Option<&str>,
        ttl: Duration,
        public_url: &str,
    ) -> Result<Access, AuthError> {
        let hash = match password {
            Some(password) => {
                let salt = SaltString::generate(&mut OsRng);
                Some(
                    argon2()
                        .hash_password(password.as_bytes(), &salt)
                        .map_err(|e| AuthError::Hash(e.to_string()))?
                        .to_string(),
                )
            }
            None => None,
        };
        let mut key = [0u8; 32];
        OsRng.fill_bytes(&mut key);
        Ok(Access {
            hash,
            key,
            ttl: chrono::Duration::from_std(ttl).unwrap_or(chrono::Duration::hours(12)),
            public_https: public_url
                .trim()
                .to_ascii_lowercase()
                .starts_with("https://"),
            failures: Mutex::new(VecDeque::new()),
            checking: Mutex::new(()),
        })
    }

    pub fn has_password(&self) -> bool {
        self.hash.is_some()
    }

    pub fn password_matches(&self, password: &str) -> bool {
        let Some(Ok(parsed)) = self.hash.as_deref().map(PasswordHash::new) else {
            return false;
        };
        let _one_at_a_time = self.checking.lock().unwrap_or_else(|e| e.into_inner());
        argon2()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok()
    }

    /// Whether sign-ins must wait: too many failed lately. Failures older than the window
    /// are forgotten here.
    pub fn throttled(&self, now: Instant) -> bool {
        let mut failures = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        while failures
            .front()
            .is_some_and(|t| now.duration_since(*t) > FAILURE_WINDOW)
        {
            failures.pop_front();
        }
        failures.len() >= MAX_FAILURES
    }

    pub fn record_failure(&self, now: Instant) {
        let mut failures = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        failures.push_back(now);
        while failures.len() > MAX_FAILURES {
            failures.pop_front();
        }
    }

    fn mac(&self, expiry: i64) -> Hmac<Sha256> {
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.key).expect("HMAC takes any key");
        mac.update(b"frontdesk-dashboard-session-v1:");
        mac.update(expiry.to_string().as_bytes());
        mac
    }

    /// The value of a new session cookie, valid from `now` for the configured time.
    pub fn session_value(&self, now: crate::core::Timestamp) -> String {
        let expiry = (now + self.ttl).timestamp();
        let tag = hex::encode(self.mac(expiry).finalize().into_bytes());
        format!("{expiry}.{tag}")
    }

    /// Whether `value` is a session this server signed that has not expired at `now`.
    pub fn session_valid(&self, value: &str, now: crate::core::Timestamp) -> bool {
        let Some((expiry, tag)) = value.split_once('.') else {
            return false;
        };
        let (Ok(expiry), Ok(tag)) = (expiry.parse::<i64>(), hex::decode(tag)) else {
            return false;
        };
        // verify_slice compares in constant time.
        self.mac(expiry).verify_slice(&tag).is_ok() && now.timestamp() < expiry
    }

    /// The session cookie from a request's headers, if any.
    pub fn cookie_of(headers: &HeaderMap) -> Option<String> {
        headers
            .get_all(axum::http::header::COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(';'))
            .filter_map(|pair| pair.trim().split_once('='))
            .find(|(name, _)| *name == COOKIE)
            .map(|(_, value)| value.to_string())
    }

    /// Whether the person reached us over TLS: the configured public address is https, or
    /// the proxy in front says so.
    pub fn over_tls(&self, headers: &HeaderMap) -> bool {
        self.public_https
            || headers
                .get("x-forwarded-proto")
                .and_then(|v| v.to_str().ok())
                .is_some_and(|p| p.trim().eq_ignore_ascii_case("https"))
    }

    fn attributes(&self, headers: &HeaderMap, max_age: i64) -> String {
        let secure = if self.over_tls(headers) {
            "; Secure"
        } else {
            ""
        };
        format!("; Path=/dashboard; HttpOnly; SameSite=Strict; Max-Age={max_age}{secure}")
    }

    /// The `Set-Cookie` value that signs someone in at `now`.
    pub fn sign_in_cookie(&self, headers: &HeaderMap, now: crate::core::Timestamp) -> String {
        format!(
            "{COOKIE}={}{}",
            self.session_value(now),
            self.attributes(headers, self.ttl.num_seconds())
        )
    }

    /// The `Set-Cookie` value that signs someone out.
    pub fn sign_out_cookie(&self, headers: &HeaderMap) -> String {
        format!("{COOKIE}={}", self.attributes(headers, 0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{TimeZone, Utc};

    fn access(public_url: &str) -> Access {
        Access::new(Some("correct horse"), Duration::from_secs(3600), public_url).unwrap()
    }

    #[test]
    fn only_the_password_matches_and_the_hash_is_not_the_password() {
        let a = access("");
        assert!(a.password_matches("correct horse"));
        assert!(!a.password_matches("correct horse "));
        assert!(!a.password_matches(""));
        let hash = a.hash.clone().unwrap();
        assert!(!hash.contains("correct horse"));
        // OWASP's 46 MiB configuration: a block the allocator gives back after each check.
        assert!(
            hash.starts_with("$argon2id$v=19$m=47104,t=1,p=1$"),
            "{hash}"
        );
        assert!(!format!("{a:?}").contains(&hash));
        let none = Access::new(None, Duration::from_secs(60), "").unwrap();
        assert!(!none.has_password() && !none.password_matches(""));
    }

    #[test]
    fn a_session_is_valid_until_it_expires_and_a_changed_one_never() {
        let a = access("");
        let now = Utc.with_ymd_and_hms(2026, 3, 4, 9, 0, 0).unwrap();
        let v = a.session_value(now);
        assert!(a.session_valid(&v, now));
        assert!(!a.session_valid(&v, now + chrono::Duration::hours(1)));
        let (expiry, tag) = v.split_once('.').unwrap();
        let later = expiry.parse::<i64>().unwrap() + 3600;
        assert!(!a.session_valid(&format!("{later}.{tag}"), now));
        assert!(!a.session_valid(&format!("{expiry}.{}", "0".repeat(64)), now));
        assert!(!a.session_valid("garbage", now));
        // Another server's key signs other cookies.
        assert!(!access("").session_valid(&v, now));
    }

    #[test]
    fn the_cookie_is_http_only_strict_and_secure_only_over_tls() {
        let now = Utc.with_ymd_and_hms(2026, 3, 4, 9, 0, 0).unwrap();
        let plain = access("http://desk.local").sign_in_cookie(&HeaderMap::new(), now);
        assert!(plain.contains("HttpOnly") && plain.contains("SameSite=Strict"));
        assert!(!plain.contains("Secure"));
        assert!(access("https://desk.example.com")
            .sign_in_cookie(&HeaderMap::new(), now)
            .ends_with("; Secure"));
        let mut proxied = HeaderMap::new();
        proxied.insert("x-forwarded-proto", "https".parse().unwrap());
        assert!(access("").sign_in_cookie(&proxied, now).contains("Secure"));
    }

    #[test]
    fn too_many_failures_throttle_sign_ins_for_a_while() {
        let a = access("");
        let t = Instant::now();
        for _ in 0..MAX_FAILURES {
            assert!(!a.throttled(t));
            a.record_failure(t);
        }
        assert!(a.throttled(t));
        assert!(!a.throttled(t + FAILURE_WINDOW + Duration::from_secs(1)));
    }

    #[test]
    fn the_session_cookie_is_found_among_others() {
        let mut h = HeaderMap::new();
        h.insert(
            axum::http::header::COOKIE,
            format!("a=1; {COOKIE}=123.abc; b=2").parse().unwrap(),
        );
        assert_eq!(Access::cookie_of(&h).as_deref(), Some("123.abc"));
    }
}
