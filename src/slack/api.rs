//! The Slack Web API calls frontdesk makes, through slack-morphism's client.
//!
//! Requests are slack-morphism's typed request structs; responses are decoded into small
//! structs of our own holding only what we use. A message Slack echoes back may contain block
//! types newer than the crate knows, and a response that fails to decode after Slack accepted
//! a message would make the outbox post it again.
//!
//! The base URL comes from `slack.api_url` (trailing slash removed) and the connector speaks
//! plain HTTP as well as HTTPS, so the whole bot runs against a local stand-in of Slack.
//! Errors keep the method name and Slack's error code; what to do about them is decided by
//! the caller ([`ApiError::is_retryable`], [`ApiError::fix`]).
//!
//! slack-morphism's hyper connector has no request timeout of its own, so every call is bounded
//! here ([`CALL_TIMEOUT`]); a call without an answer in time is a retryable network error. The
//! outbox's 30 s limit per delivery stays the outer bound for deliveries of several calls.

use serde::Deserialize;
use slack_morphism::errors::SlackClientError;
use slack_morphism::prelude::*;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

/// How long one Web API call may take, connecting included. Slack answers in well under a
/// second; a call that takes this long is stuck, and the caller retries later.
pub const CALL_TIMEOUT: Duration = Duration::from_secs(10);

/// Installs rustls' ring provider as the process default, once. Several TLS stacks in the
/// dependency graph make rustls refuse to pick one by itself, and it panics on the first
/// TLS connection instead. Safe to call any number of times.
pub fn install_crypto_provider() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        // Err only when another provider was installed first, which is just as good.
        let _ = rustls::crypto::ring::default_provider().install_default();
    });
}

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
const TRANSIENT_CODES: &[&str] = &[
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

fn classify(method: &'static str, err: SlackClientError) -> ApiError {
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

#[derive(Deserialize)]
struct NeededScope {
    needed: Option<String>,
}

/// Who the bot is, from `auth.test`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct BotIdentity {
    /// The bot user's id (`U…`): its own messages and reactions carry it.
    pub user_id: String,
    /// The bot's id (`B…`): messages it posts carry it as `bot_id`.
    #[serde(default)]
    pub bot_id: Option<String>,
    #[serde(default)]
    pub team_id: Option<String>,
    #[serde(default)]
    pub team: Option<String>,
}

/// Where a posted message landed.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Posted {
    pub channel: String,
    pub ts: String,
}

/// What `conversations.info` tells us about a department channel.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct ChannelInfo {
    pub id: String,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub is_member: Option<bool>,
    #[serde(default)]
    pub is_archived: Option<bool>,
    #[serde(default)]
    pub is_private: Option<bool>,
}

#[derive(Deserialize)]
struct ChannelEnvelope<T> {
    channel: T,
}

#[derive(Deserialize)]
struct Id {
    id: String,
}

/// Pages of history [`SlackApi::find_tagged`] reads at most: a post from a few minutes ago
/// is on the first page of all but the busiest channels.
const HISTORY_PAGES: usize = 5;

#[derive(Deserialize)]
struct History {
    #[serde(default)]
    messages: Vec<HistoryMessage>,
    #[serde(default)]
    has_more: Option<bool>,
    #[serde(default)]
    response_metadata: Option<Cursor>,
}

#[derive(Deserialize)]
struct Cursor {
    #[serde(default)]
    next_cursor: Option<String>,
}

#[derive(Deserialize)]
struct HistoryMessage {
    ts: String,
    #[serde(default)]
    metadata: Option<Metadata>,
}

#[derive(Deserialize)]
struct Metadata {
    #[serde(default)]
    event_type: String,
    #[serde(default)]
    event_payload: serde_json::Map<String, serde_json::Value>,
}

/// Ignores whatever Slack answered beyond `ok: true`.
#[derive(Deserialize)]
struct Empty {}

/// The bot's handle on the Web API. Cheap to clone.
#[derive(Clone)]
pub struct SlackApi {
    client: Arc<SlackHyperClient>,
    token: SlackApiToken,
    timeout: Duration,
}

impl std::fmt::Debug for SlackApi {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SlackApi").finish_non_exhaustive()
    }
}

#[derive(Debug, thiserror::Error)]
#[error("setting up the HTTPS client for Slack: {0}")]
pub struct ClientSetupError(String);

impl SlackApi {
    /// A client for `api_url` (e.g. `https://slack.com/api/`) with the bot token.
    ///
    /// # Errors
    /// The TLS configuration could not be built.
    pub fn new(api_url: &str, bot_token: &str) -> Result<SlackApi, ClientSetupError> {
        install_crypto_provider();
        // The system's roots when it has any, else the bundled Mozilla roots (slim images).
        let https = match hyper_rustls::HttpsConnectorBuilder::new().with_native_roots() {
            Ok(b) => b.https_or_http().enable_all_versions().build(),
            Err(_) => hyper_rustls::HttpsConnectorBuilder::new()
                .with_webpki_roots()
                .https_or_http()
                .enable_all_versions()
                .build(),
        };
        // slack-morphism appends "/{method}" itself.
        let base = api_url.trim().trim_end_matches('/');
        if base.is_empty() {
            return Err(ClientSetupError("slack.api_url is empty".into()));
        }
        let connector = SlackClientHyperConnector::with_connector(https).with_slack_api_url(base);
        Ok(SlackApi {
            client: Arc::new(SlackClient::new(connector)),
            token: SlackApiToken::new(SlackApiTokenValue(bot_token.to_string())),
            timeout: CALL_TIMEOUT,
        })
    }

    /// The same client with another limit per call than [`CALL_TIMEOUT`].
    #[must_use]
    pub fn with_timeout(mut self, timeout: Duration) -> SlackApi {
        self.timeout = timeout;
        self
    }

    /// `call`, or a [`ApiErrorKind::Network`] error when it has no answer within the limit.
    async fn bounded<T>(
        &self,
        method: &'static str,
        call: impl Future<Output = Result<T, ApiError>>,
    ) -> Result<T, ApiError> {
        match tokio::time::timeout(self.timeout, call).await {
            Ok(result) => result,
            Err(_) => Err(ApiError::new(
                method,
                ApiErrorKind::Network(format!("no answer within {:?}", self.timeout)),
            )),
        }
    }

    async fn post<RQ, RS>(&self, method: &'static str, req: &RQ) -> Result<RS, ApiError>
    where
        RQ: serde::Serialize + Send + Sync,
        RS: for<'de> Deserialize<'de> + Send,
    {
        let session = self.client.open_session(&self.token);
        self.bounded(method, async {
            session
                .http_session_api
                .http_post(method, req, None)
                .await
                .map_err(|e| classify(method, e))
        })
        .await
    }

    /// # Errors
    /// The token is invalid, or Slack could not be reached.
    pub async fn auth_test(&self) -> Result<BotIdentity, ApiError> {
        self.post("auth.test", &serde_json::json!({})).await
    }

    /// Opens (or finds) the bot's direct conversation with `user`; returns its `D…` id.
    ///
    /// # Errors
    /// See [`ApiError`].
    pub async fn conversations_open(&self, user: &str) -> Result<String, ApiError> {
        let req =
            SlackApiConversationsOpenRequest::new().with_users(vec![SlackUserId(user.to_string())]);
        let r: ChannelEnvelope<Id> = self.post("conversations.open", &req).await?;
        Ok(r.channel.id)
    }

    /// A user's locale (`de-DE`) and time zone (`Europe/Berlin`) from `users.info` with
    /// `include_locale`; either is `None` when Slack doesn't say.
    ///
    /// # Errors
    /// See [`ApiError`].
    pub async fn users_info(&self, user: &str) -> Result<UserInfo, ApiError> {
        #[derive(Deserialize)]
        struct UserEnvelope {
            user: UserInfo,
        }
        let session = self.client.open_session(&self.token);
        let params = vec![
            ("user", Some(user.to_string())),
            ("include_locale", Some("true".to_string())),
        ];
        let r: UserEnvelope = self
            .bounded("users.info", async {
                session
                    .http_session_api
                    .http_get("users.info", &params, None)
                    .await
                    .map_err(|e| classify("users.info", e))
            })
            .await?;
        Ok(r.user)
    }

    /// The permalink of a message (`chat.getPermalink`).
    ///
    /// # Errors
    /// See [`ApiError`].
    pub async fn permalink(&self, channel: &str, ts: &str) -> Result<String, ApiError> {
        #[derive(Deserialize)]
        struct Link {
            permalink: String,
        }
        let session = self.client.open_session(&self.token);
        let params = vec![
            ("channel", Some(channel.to_string())),
            ("message_ts", Some(ts.to_string())),
        ];
        let r: Link = self
            .bounded("chat.getPermalink", async {
                session
                    .http_session_api
                    .http_get("chat.getPermalink", &params, None)
                    .await
                    .map_err(|e| classify("chat.getPermalink", e))
            })
            .await?;
        Ok(r.permalink)
    }

    /// # Errors
    /// See [`ApiError`].
    pub async fn conversations_info(&self, channel: &str) -> Result<ChannelInfo, ApiError> {
        let session = self.client.open_session(&self.token);
        let params = vec![("channel", Some(channel.to_string()))];
        let r: ChannelEnvelope<ChannelInfo> = self
            .bounded("conversations.info", async {
                session
                    .http_session_api
                    .http_get("conversations.info", &params, None)
                    .await
                    .map_err(|e| classify("conversations.info", e))
            })
            .await?;
        Ok(r.channel)
    }

    /// # Errors
    /// See [`ApiError`].
    pub async fn post_message(
        &self,
        req: &SlackApiChatPostMessageRequest,
    ) -> Result<Posted, ApiError> {
        self.post("chat.postMessage", req).await
    }

    /// # Errors
    /// See [`ApiError`].
    pub async fn update_message(
        &self,
        req: &SlackApiChatUpdateRequest,
    ) -> Result<Posted, ApiError> {
        self.post("chat.update", req).await
    }

    /// # Errors
    /// See [`ApiError`].
    pub async fn post_ephemeral(
        &self,
        req: &SlackApiChatPostEphemeralRequest,
    ) -> Result<(), ApiError> {
        let _: Empty = self.post("chat.postEphemeral", req).await?;
        Ok(())
    }

    /// # Errors
    /// See [`ApiError`].
    pub async fn reactions_add(&self, channel: &str, name: &str, ts: &str) -> Result<(), ApiError> {
        let req = SlackApiReactionsAddRequest::new(
            SlackChannelId(channel.to_string()),
            SlackReactionName(name.to_string()),
            SlackTs(ts.to_string()),
        );
        let _: Empty = self.post("reactions.add", &req).await?;
        Ok(())
    }

    /// The `ts` of a message in `channel` (or in the thread under `thread`) posted since
    /// `oldest` whose metadata carries `event_type` with `key` = `value`: how a delivery
    /// finds out whether an earlier attempt's post went through. Reads a few pages at most.
    ///
    /// # Errors
    /// See [`ApiError`].
    pub async fn find_tagged(
        &self,
        channel: &str,
        thread: Option<&str>,
        oldest: &str,
        tag: (&str, &str, &str),
    ) -> Result<Option<String>, ApiError> {
        let (event_type, key, value) = tag;
        let method = if thread.is_some() {
            "conversations.replies"
        } else {
            "conversations.history"
        };
        let mut cursor: Option<String> = None;
        for _ in 0..HISTORY_PAGES {
            let mut params = vec![
                ("channel", Some(channel.to_string())),
                ("oldest", Some(oldest.to_string())),
                ("limit", Some("200".to_string())),
                ("include_all_metadata", Some("true".to_string())),
            ];
            if let Some(ts) = thread {
                params.push(("ts", Some(ts.to_string())));
            }
            if let Some(c) = &cursor {
                params.push(("cursor", Some(c.clone())));
            }
            let session = self.client.open_session(&self.token);
            let page: History = self
                .bounded(method, async {
                    session
                        .http_session_api
                        .http_get(method, &params, None)
                        .await
                        .map_err(|e| classify(method, e))
                })
                .await?;
            let found = page.messages.into_iter().find(|m| {
                m.metadata.as_ref().is_some_and(|md| {
                    md.event_type == event_type
                        && md.event_payload.get(key).is_some_and(|v| match v {
                            serde_json::Value::String(s) => s == value,
                            other => other.as_u64().is_some_and(|n| n.to_string() == value),
                        })
                })
            });
            if let Some(m) = found {
                return Ok(Some(m.ts));
            }
            cursor = page
                .response_metadata
                .and_then(|r| r.next_cursor)
                .filter(|c| !c.is_empty());
            if cursor.is_none() || page.has_more == Some(false) {
                break;
            }
        }
        Ok(None)
    }

    /// # Errors
    /// See [`ApiError`].
    pub async fn views_publish(&self, user: &str, view: SlackView) -> Result<(), ApiError> {
        let req = SlackApiViewsPublishRequest::new(SlackUserId(user.to_string()), view);
        let _: Empty = self.post("views.publish", &req).await?;
        Ok(())
    }
}

/// What `users.info` says about a person that the desk uses.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct UserInfo {
    #[serde(default)]
    pub locale: Option<String>,
    /// IANA time zone, e.g. `Europe/Berlin`.
    #[serde(default)]
    pub tz: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn slack(code: &str) -> ApiError {
        ApiError::new(
            "chat.postMessage",
            ApiErrorKind::Slack {
                code: code.into(),
                needed: None,
            },
        )
    }

    #[test]
    fn transient_codes_and_server_errors_are_retried() {
        assert!(slack("ratelimited").is_retryable());
        assert!(slack("internal_error").is_retryable());
        assert!(slack("service_unavailable").is_retryable());
        assert!(ApiError::new("chat.update", ApiErrorKind::Http { status: 502 }).is_retryable());
        assert!(ApiError::new("chat.update", ApiErrorKind::Network("reset".into())).is_retryable());
        assert!(!slack("channel_not_found").is_retryable());
        assert!(!slack("invalid_auth").is_retryable());
        assert!(!ApiError::new("chat.update", ApiErrorKind::Http { status: 403 }).is_retryable());
    }

    #[test]
    fn permanent_errors_say_how_to_fix_them() {
        let e = slack("not_in_channel");
        assert_eq!(
            e.describe(Some("C0IT")),
            "chat.postMessage: not_in_channel: invite the bot to <#C0IT> (C0IT): type `/invite @frontdesk` in that channel"
        );
        let scope = ApiError::new(
            "conversations.info",
            ApiErrorKind::Slack {
                code: "missing_scope".into(),
                needed: Some("channels:read".into()),
            },
        );
        assert!(
            scope
                .describe(None)
                .contains("add the bot scope `channels:read`"),
            "{}",
            scope.describe(None)
        );
        assert!(slack("token_revoked")
            .describe(None)
            .contains("SLACK_BOT_TOKEN"));
        assert!(slack("something_new").fix(None).is_none());
    }

    #[test]
    fn rate_limits_show_the_wait() {
        let e = ApiError::new(
            "chat.postMessage",
            ApiErrorKind::RateLimited {
                retry_after: Some(Duration::from_secs(7)),
            },
        );
        assert_eq!(
            e.to_string(),
            "chat.postMessage: ratelimited (HTTP 429, retry after 7s)"
        );
        assert_eq!(e.retry_after(), Some(Duration::from_secs(7)));
    }
}
