//! `apps.connections.open`: asks Slack for a WebSocket URL with the app-level token.
//!
//! The call goes to the configured `slack.api_url`, like every other Web API call, so a local
//! stand-in can hand out a `ws://` URL. The token goes in the `Authorization` header (Slack
//! refuses it as a form field) and never into a log line; the URL it returns is a
//! short-lived credential too and is not logged either.

use std::time::Duration;

/// How long `apps.connections.open` may take.
const OPEN_TIMEOUT: Duration = Duration::from_secs(10);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OpenError {
    #[error("apps.connections.open: network error: {0}")]
    Network(String),
    #[error("apps.connections.open: HTTP {status}")]
    Http {
        status: u16,
        retry_after: Option<Duration>,
    },
    /// `ok: false`, with Slack's error code.
    #[error("apps.connections.open: {code}")]
    Refused { code: String },
    #[error("apps.connections.open: unexpected response: {0}")]
    BadResponse(String),
}

impl OpenError {
    /// Worth trying again later: the network, 5xx, 429, Slack's own trouble. A refused
    /// token is not; the attempts go on anyway, slowly, since only an operator can fix it.
    pub fn is_retryable(&self) -> bool {
        match self {
            OpenError::Network(_) | OpenError::BadResponse(_) => true,
            OpenError::Http { status, .. } => *status >= 500 || *status == 429 || *status == 408,
            OpenError::Refused { code } => matches!(
                code.as_str(),
                "ratelimited" | "internal_error" | "fatal_error" | "service_unavailable"
            ),
        }
    }

    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            OpenError::Http { retry_after, .. } => *retry_after,
            _ => None,
        }
    }

    /// The error with what an operator should do about it, when we know.
    pub fn describe(&self) -> String {
        let fix = match self {
            OpenError::Refused { code } => match code.as_str() {
                "invalid_auth" | "not_authed" | "token_revoked" | "account_inactive" => {
                    "SLACK_APP_TOKEN is not valid: create an app-level token (Basic Information → App-Level Tokens) with the connections:write scope"
                }
                "not_allowed_token_type" => {
                    "SLACK_APP_TOKEN must be an app-level token (xapp-…), not a bot or user token"
                }
                "missing_scope" => {
                    "the app-level token lacks the connections:write scope: create one with it"
                }
                "invalid_app" | "app_not_found" | "socket_mode_disabled" => {
                    "turn Socket Mode on for the app (Settings → Socket Mode, or manifests/slack/manifest.socket.yml)"
                }
                _ => return self.to_string(),
            },
            OpenError::Http { status: 404, .. } => {
                "check slack.api_url / SLACK_API_URL (it should end in /api)"
            }
            _ => return self.to_string(),
        };
        format!("{self}: {fix}")
    }
}

#[derive(serde::Deserialize)]
struct Answer {
    ok: bool,
    error: Option<String>,
    url: Option<String>,
}

/// Asks for WebSocket URLs. Cheap to clone.
#[derive(Clone)]
pub struct Opener {
    http: reqwest::Client,
    method_url: String,
    token: String,
}

impl std::fmt::Debug for Opener {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Opener")
            .field("method_url", &self.method_url)
            .finish_non_exhaustive()
    }
}

impl Opener {
    /// # Errors
    /// The HTTP client could not be built.
    pub fn new(api_url: &str, app_token: &str) -> Result<Opener, OpenError> {
        super::super::api::install_crypto_provider();
        let http = reqwest::Client::builder()
            .timeout(OPEN_TIMEOUT)
            .build()
            .map_err(|e| OpenError::Network(e.to_string()))?;
        Ok(Opener {
            http,
            method_url: format!(
                "{}/apps.connections.open",
                api_url.trim().trim_end_matches('/')
            ),
            token: app_token.to_string(),
        })
    }

    /// A fresh WebSocket URL (`wss://…`, or `ws://…` from a local stand-in).
    ///
    /// # Errors
    /// See [`OpenError`]; [`OpenError::is_retryable`] says whether to try again soon.
    pub async fn open(&self) -> Result<url::Url, OpenError> {
        let response = self
            .http
            .post(&self.method_url)
            .bearer_auth(&self.token)
            .header("content-type", "application/x-www-form-urlencoded")
            .send()
            .await
            .map_err(|e| OpenError::Network(e.without_url().to_string()))?;
        let status = response.status();
        if !status.is_success() {
            let retry_after = response
                .headers()
                .get("retry-after")
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.trim().parse().ok())
                .map(Duration::from_secs);
            return Err(OpenError::Http {
                status: status.as_u16(),
                retry_after,
            });
        }
        let answer: Answer = response
            .json()
            .await
            .map_err(|e| OpenError::BadResponse(e.without_url().to_string()))?;
        if !answer.ok {
            return Err(OpenError::Refused {
                code: answer.error.unwrap_or_else(|| "unknown_error".into()),
            });
        }
        let url = answer
            .url
            .ok_or_else(|| OpenError::BadResponse("no url in the answer".into()))?;
        let url = url::Url::parse(&url)
            .map_err(|e| OpenError::BadResponse(format!("the url does not parse: {e}")))?;
        if !matches!(url.scheme(), "wss" | "ws") {
            return Err(OpenError::BadResponse(format!(
                "the url is not a WebSocket URL (scheme {})",
                url.scheme()
            )));
        }
        Ok(url)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_refused_token_says_how_to_fix_it_and_slack_trouble_is_retried() {
        let refused = OpenError::Refused {
            code: "invalid_auth".into(),
        };
        assert!(!refused.is_retryable());
        assert!(refused.describe().contains("connections:write"));
        assert!(OpenError::Http {
            status: 503,
            retry_after: None
        }
        .is_retryable());
        assert!(OpenError::Network("refused".into()).is_retryable());
        assert!(OpenError::Refused {
            code: "ratelimited".into()
        }
        .is_retryable());
    }

    #[test]
    fn the_token_is_not_in_the_debug_output() {
        let opener = Opener::new("http://127.0.0.1:9/api/", "xapp-1-secret").unwrap();
        let shown = format!("{opener:?}");
        assert!(!shown.contains("xapp-1-secret"), "{shown}");
        assert!(shown.contains("http://127.0.0.1:9/api/apps.connections.open"));
    }
}
