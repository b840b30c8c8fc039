//! Slack's request signature (`X-Slack-Signature`), computed by frontdesk's own
//! [`frontdesk::slack::verify::sign`]: the tests sign with the code the server checks with,
//! and that code is checked against Slack's documented example in its unit tests.

/// `v0=…` for `body` sent at unix time `ts`, signed with `secret`.
pub fn slack_signature(secret: &str, ts: i64, body: &[u8]) -> String {
    frontdesk::slack::sign(secret.as_bytes(), ts, body)
}
