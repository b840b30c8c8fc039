//! Slack request signing (v0), checked on the raw body before anything is parsed.
//!
//! Pure: the caller passes "now", so the replay window is tested with a fixed clock. Owns the
//! header names, the base string (`v0:{timestamp}:{body}`), the HMAC-SHA256 and the 5-minute
//! window; nothing here logs, and an error never carries the expected signature (it would be
//! a replayable credential in a log line).

use axum::http::HeaderMap;
use hmac::{Hmac, Mac};
use sha2::Sha256;

pub const SIGNATURE_HEADER: &str = "x-slack-signature";
pub const TIMESTAMP_HEADER: &str = "x-slack-request-timestamp";

/// How far a request's timestamp may be from our clock, either way.
pub const MAX_SKEW_SECS: i64 = 5 * 60;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VerifyError {
    #[error("missing x-slack-signature header")]
    MissingSignature,
    #[error("missing x-slack-request-timestamp header")]
    MissingTimestamp,
    #[error("x-slack-request-timestamp is not a unix time")]
    BadTimestamp,
    #[error("x-slack-signature is not v0=<64 hex digits>")]
    MalformedSignature,
    #[error("timestamp {ts} outside the 5-minute window (now {now})")]
    Stale { ts: i64, now: i64 },
    #[error("signature mismatch")]
    BadSignature,
    /// Slack runs in Socket Mode only (no SLACK_SIGNING_SECRET): the request URLs take nothing.
    #[error("no signing secret is configured (Socket Mode only); request URLs are off")]
    NoSecret,
}

/// Checks a request's signature against `secret` as of `now_unix`.
///
/// # Errors
/// Which check failed; the request must then be refused with nothing stored.
pub fn verify_at(
    secret: &[u8],
    headers: &HeaderMap,
    body: &[u8],
    now_unix: i64,
) -> Result<(), VerifyError> {
    let signature = header(headers, SIGNATURE_HEADER).ok_or(VerifyError::MissingSignature)?;
    let ts_text = header(headers, TIMESTAMP_HEADER).ok_or(VerifyError::MissingTimestamp)?;
    let ts: i64 = ts_text
        .trim()
        .parse()
        .map_err(|_| VerifyError::BadTimestamp)?;
    if now_unix.abs_diff(ts) > MAX_SKEW_SECS.unsigned_abs() {
        return Err(VerifyError::Stale { ts, now: now_unix });
    }
    let hex_sig = signature
        .trim()
        .strip_prefix("v0=")
        .filter(|h| h.len() == 64)
        .ok_or(VerifyError::MalformedSignature)?;
    let expected = hex::decode(hex_sig).map_err(|_| VerifyError::MalformedSignature)?;
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).expect("HMAC takes keys of any length");
    mac.update(b"v0:");
    mac.update(ts_text.trim().as_bytes());
    mac.update(b":");
    mac.update(body);
    // verify_slice compares in constant time.
    mac.verify_slice(&expected)
        .map_err(|_| VerifyError::BadSignature)
}

/// The `v0=…` signature Slack would send for `body` at `timestamp`; for tests and load tools.
pub fn sign(secret: &[u8], timestamp: i64, body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).expect("HMAC takes keys of any length");
    mac.update(format!("v0:{timestamp}:").as_bytes());
    mac.update(body);
    format!("v0={}", hex::encode(mac.finalize().into_bytes()))
}

fn header<'h>(headers: &'h HeaderMap, name: &str) -> Option<&'h str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    // The example from Slack's "Verifying requests from Slack" page.
    const SECRET: &str = "8f742231b10e8888abcd99yyyzzz85a5";
    const TS: i64 = 1531420618;
    const BODY: &str = "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c";
    const SIGNATURE: &str = "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503";

    fn headers(sig: Option<&str>, ts: Option<&str>) -> HeaderMap {
        let mut h = HeaderMap::new();
        if let Some(s) = sig {
            h.insert(SIGNATURE_HEADER, HeaderValue::from_str(s).unwrap());
        }
        if let Some(t) = ts {
            h.insert(TIMESTAMP_HEADER, HeaderValue::from_str(t).unwrap());
        }
        h
    }

    #[test]
    fn slacks_documented_example_verifies() {
        let h = headers(Some(SIGNATURE), Some(&TS.to_string()));
        assert_eq!(
            verify_at(SECRET.as_bytes(), &h, BODY.as_bytes(), TS + 2),
            Ok(())
        );
    }

    #[test]
    fn signing_reproduces_slacks_documented_example() {
        assert_eq!(sign(SECRET.as_bytes(), TS, BODY.as_bytes()), SIGNATURE);
    }

    #[test]
    fn a_tampered_body_is_refused() {
        let h = headers(Some(SIGNATURE), Some(&TS.to_string()));
        let body = BODY.replace("roadrunner", "coyote");
        assert_eq!(
            verify_at(SECRET.as_bytes(), &h, body.as_bytes(), TS),
            Err(VerifyError::BadSignature)
        );
    }

    #[test]
    fn another_secret_is_refused() {
        let h = headers(Some(SIGNATURE), Some(&TS.to_string()));
        assert_eq!(
            verify_at(b"other", &h, BODY.as_bytes(), TS),
            Err(VerifyError::BadSignature)
        );
    }

    #[test]
    fn the_window_is_five_minutes_both_ways() {
        let h = headers(Some(SIGNATURE), Some(&TS.to_string()));
        let v = |now| verify_at(SECRET.as_bytes(), &h, BODY.as_bytes(), now);
        assert_eq!(v(TS + 300), Ok(()));
        assert_eq!(v(TS - 300), Ok(()));
        assert_eq!(
            v(TS + 301),
            Err(VerifyError::Stale {
                ts: TS,
                now: TS + 301
            })
        );
        assert_eq!(
            v(TS - 301),
            Err(VerifyError::Stale {
                ts: TS,
                now: TS - 301
            })
        );
    }

    #[test]
    fn missing_and_malformed_headers_are_named() {
        let body = BODY.as_bytes();
        let key = SECRET.as_bytes();
        let ts = TS.to_string();
        assert_eq!(
            verify_at(key, &headers(None, Some(&ts)), body, TS),
            Err(VerifyError::MissingSignature)
        );
        assert_eq!(
            verify_at(key, &headers(Some(SIGNATURE), None), body, TS),
            Err(VerifyError::MissingTimestamp)
        );
        assert_eq!(
            verify_at(key, &headers(Some(SIGNATURE), Some("soon")), body, TS),
            Err(VerifyError::BadTimestamp)
        );
        for bad in [
            "a2114d57",
            "v1=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503",
            "v0=zz",
            "v0=",
        ] {
            assert_eq!(
                verify_at(key, &headers(Some(bad), Some(&ts)), body, TS),
                Err(VerifyError::MalformedSignature),
                "{bad}"
            );
        }
        let not_hex = format!("v0={}", "g".repeat(64));
        assert_eq!(
            verify_at(key, &headers(Some(&not_hex), Some(&ts)), body, TS),
            Err(VerifyError::MalformedSignature)
        );
    }

    #[test]
    fn an_extreme_timestamp_does_not_overflow() {
        let h = headers(Some(SIGNATURE), Some(&i64::MIN.to_string()));
        assert!(matches!(
            verify_at(SECRET.as_bytes(), &h, BODY.as_bytes(), i64::MAX),
            Err(VerifyError::Stale { .. })
        ));
    }
}
