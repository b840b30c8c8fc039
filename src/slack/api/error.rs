//! A failed Web API call: its method, how it failed, whether a retry can help, and what an admin
//! can do about it.

use super::*;

/// A failed Web API call: which method, and how it failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{method}: {kind}")]
pub struct ApiError {
    pub method: &'static str,
    pub kind: ApiErrorKind,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ApiErrorKind {
    /// HTTP 429.
    #[error("ratelimited (HTTP 429{})", retry_after.map(|d| format!(", retry after {}s", d.as_secs())).unwrap_or_default())]
    RateLimited { retry_after: Option<Duration> },
    /// HTTP 200 with `ok: false`; `needed` is the missing scope of a `missing_scope` error.
    #[error("{code}")]
    Slack {
        code: String,
        needed: Option<String>,
    },
    /// Any other HTTP status.
    #[error("HTTP {status}")]
    Http { status: u16 },
    /// The request did not get a response (connection refused, reset, TLS, timeout).
    #[error("network error: {0}")]
    Network(String),
    /// A response that is not the JSON Slack sends.
    #[error("unexpected response: {0}")]
    BadResponse(String),
}

/// `ok: false` codes that are Slack's own trouble and go away on their own.
pub(super) const TRANSIENT_CODES: &[&str] = &[
    "ratelimited",
    "internal_error",
    "fatal_error",
    "service_unavailable",
    "request_timeout",
    "team_added_to_org",
];

impl ApiError {
    pub(crate) fn new(method: &'static str, kind: ApiErrorKind) -> Self {
        ApiError { method, kind }
    }

    /// Slack's error code for `ok: false` answers.
    pub fn code(&self) -> Option<&str> {
        match &self.kind {
            ApiErrorKind::Slack { code, .. } => Some(code),
            ApiErrorKind::RateLimited { .. } => Some("ratelimited"),
            _ => None,
        }
    }

    /// Worth trying again later: rate limits, Slack's own failures, 5xx, the network.
    pub fn is_retryable(&self) -> bool {
        match &self.kind {
            ApiErrorKind::RateLimited { .. }
            | ApiErrorKind::Network(_)
            | ApiErrorKind::BadResponse(_) => true,
            ApiErrorKind::Http { status } => *status >= 500 || *status == 408,
            ApiErrorKind::Slack { code, .. } => TRANSIENT_CODES.contains(&code.as_str()),
        }
    }

    pub fn retry_after(&self) -> Option<Duration> {
        match &self.kind {
            ApiErrorKind::RateLimited { retry_after } => *retry_after,
            _ => None,
        }
    }

    /// What an operator has to do so the call can succeed, when we know; `channel` is the
    /// channel the call was about.
    pub fn fix(&self, channel: Option<&str>) -> Option<String> {
        let ch = channel
            .map(|c| format!("<#{c}> ({c})"))
            .unwrap_or_else(|| "the channel".to_string());
        let scope_fix = |needed: &Option<String>| {
            match needed {
            Some(scope) => format!(
                "add the bot scope `{scope}` under OAuth & Permissions in the Slack app settings (or in manifests/slack/manifest.yml), then reinstall the app"
            ),
            None => "add the missing bot scope under OAuth & Permissions in the Slack app settings, then reinstall the app".to_string(),
        }
        };
        let code = match &self.kind {
            ApiErrorKind::Slack { code, needed } if code == "missing_scope" => {
                return Some(scope_fix(needed))
            }
            ApiErrorKind::Slack { code, .. } => code.as_str(),
            ApiErrorKind::Http { status: 404 } => {
                return Some(
                    "check slack.api_url / SLACK_API_URL (it should end in /api)".to_string(),
                )
            }
            _ => return None,
        };
        let text = match code {
            "not_in_channel" => format!("invite the bot to {ch}: type `/invite @frontdesk` in that channel"),
            "channel_not_found" => format!(
                "channel {} does not exist or the bot cannot see it: check the department's slack_channel (a channel id such as C0123ABCD), and if the channel is private invite the bot with `/invite @frontdesk`",
                channel.unwrap_or("?")
            ),
            "is_archived" => format!("{ch} is archived: unarchive it or give the department another slack_channel"),
            "invalid_auth" | "not_authed" | "token_revoked" | "account_inactive" | "token_expired" => {
                "the bot token is not valid: reinstall the Slack app and put its Bot User OAuth Token (xoxb-…) in SLACK_BOT_TOKEN".to_string()
            }
            "not_allowed_token_type" => "SLACK_BOT_TOKEN must be the Bot User OAuth Token (xoxb-…), not a user or app token".to_string(),
            "restricted_action" => format!("a workspace setting forbids the bot to post in {ch}; ask a workspace admin"),
            "invalid_blocks" | "invalid_blocks_format" | "msg_too_long" | "no_text" | "invalid_arguments" => {
                "Slack refused the message frontdesk built; this is a frontdesk bug, please report it with this log line".to_string()
            }
            "user_not_found" | "user_disabled" | "cannot_dm_bot" | "user_not_in_channel" => {
                "the user can't receive messages from the bot (deactivated, a bot, or not in the channel)".to_string()
            }
            "message_not_found" | "cant_update_message" | "edit_window_closed" => {
                "the message was deleted or can no longer be edited".to_string()
            }
            _ => return None,
        };
        Some(text)
    }

    /// "chat.postMessage: not_in_channel: invite the bot to …" for logs and dead letters.
    pub fn describe(&self, channel: Option<&str>) -> String {
        match self.fix(channel) {
            Some(fix) => format!("{self}: {fix}"),
            None => self.to_string(),
        }
    }
}

pub(super) fn classify(method: &'static str, err: SlackClientError) -> ApiError {
    let kind = match err {
        SlackClientError::RateLimitError(e) => ApiErrorKind::RateLimited {
            retry_after: e.retry_after,
        },
        SlackClientError::ApiError(e) => {
            let needed = e
                .http_response_body
                .as_deref()
                .and_then(|b| serde_json::from_str::<NeededScope>(b).ok())
                .and_then(|n| n.needed);
            ApiErrorKind::Slack {
                code: e.code,
                needed,
            }
        }
        SlackClientError::HttpError(e) => ApiErrorKind::Http {
            status: e.status_code.as_u16(),
        },
        SlackClientError::ProtocolError(e) => ApiErrorKind::BadResponse(e.json_error.to_string()),
        // Connection failures, resets and timeouts surface as these.
        other => ApiErrorKind::Network(other.to_string()),
    };
    ApiError::new(method, kind)
}
