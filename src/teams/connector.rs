//! The Bot Connector REST API (v3) and the bot's access token.
//!
//! The token comes from `teams.token_url` by the client-credentials grant with the app id and
//! password, scope `https://api.botframework.com/.default`, and is cached until five minutes
//! before it expires. It is sent only to a `serviceUrl` whose host is on
//! `teams.service_url_hosts`, over https (plain http only for loopback hosts, for local
//! stand-ins); the check runs before a token is even fetched. Redirects are not followed, so
//! the token can't be walked to another host either. Tokens and passwords are never logged.

use crate::clock::Clock;
use crate::config::Secret;
use crate::core::Timestamp;
use crate::outbox::DeliveryError;
use serde::Deserialize;
use serde_json::Value;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Mutex;

/// The scope of a Bot Connector token.
pub const SCOPE: &str = "https://api.botframework.com/.default";

/// A token is replaced this long before it expires.
const TOKEN_MARGIN: chrono::TimeDelta = chrono::TimeDelta::minutes(5);

/// How much of an error body goes into a message.
const BODY_SNIPPET: usize = 300;

#[derive(Debug, thiserror::Error)]
pub enum ConnectorError {
    #[error("service URL {url:?} refused: {reason}")]
    NotAllowed { url: String, reason: String },
    #[error("the token endpoint refused the app credentials ({status}): {body}; check TEAMS_APP_ID, TEAMS_APP_PASSWORD and TEAMS_TOKEN_URL")]
    Credentials { status: u16, body: String },
    #[error("the token endpoint answered {status}")]
    TokenUnavailable {
        status: u16,
        retry_after: Option<Duration>,
    },
    #[error("{what}")]
    Network {
        what: &'static str,
        source: reqwest::Error,
    },
    #[error("the Bot Connector refused the bot's token ({status}): {body}")]
    Unauthorized { status: u16, body: String },
    #[error("conversation or message not found (404): {body}")]
    NotFound { body: String },
    #[error("the Bot Connector answered {status}: {body}")]
    Status {
        status: u16,
        body: String,
        retry_after: Option<Duration>,
    },
    #[error("unexpected answer from {what}: {message}")]
    Decode { what: &'static str, message: String },
}

impl ConnectorError {
    /// Whether trying again later may help, in the outbox's terms.
    pub fn into_delivery(self) -> DeliveryError {
        let reason = self.to_string();
        match self {
            ConnectorError::Network { .. } => DeliveryError::Retry {
                reason,
                after: None,
            },
            ConnectorError::TokenUnavailable { retry_after, .. } => DeliveryError::Retry {
                reason,
                after: retry_after,
            },
            ConnectorError::Status {
                status,
                retry_after,
                ..
            } if is_transient(status) => DeliveryError::Retry {
                reason,
                after: retry_after,
            },
            // A malformed answer to a request that may have succeeded: trying again may post
            // twice, but dropping it may lose the message; the outbox's dedup window is small.
            ConnectorError::Decode { .. } => DeliveryError::Retry {
                reason,
                after: None,
            },
            ConnectorError::NotAllowed { .. }
            | ConnectorError::Credentials { .. }
            | ConnectorError::Unauthorized { .. }
            | ConnectorError::NotFound { .. }
            | ConnectorError::Status { .. } => DeliveryError::Permanent(reason),
        }
    }
}

/// Rate limits (429), "precondition failed" under concurrent edits (412) and server-side
/// trouble (5xx) pass; other answers won't change by asking again.
fn is_transient(status: u16) -> bool {
    matches!(status, 408 | 412 | 429) || (500..600).contains(&status)
}

/// `Retry-After` in seconds (the form the Bot Connector and Entra use).
fn retry_after(headers: &reqwest::header::HeaderMap) -> Option<Duration> {
    headers
        .get(reqwest::header::RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim()
        .parse::<u64>()
        .ok()
        .map(Duration::from_secs)
}

fn snippet(body: &str) -> String {
    crate::core::text::clip(body.trim(), BODY_SNIPPET)
}

/// Percent-encodes one path segment: conversation ids hold `:`, `@` and `;`.
pub fn encode_segment(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn is_loopback(host: &url::Host<&str>) -> bool {
    match host {
        url::Host::Domain(d) => d.eq_ignore_ascii_case("localhost"),
        url::Host::Ipv4(ip) => ip.is_loopback(),
        url::Host::Ipv6(ip) => ip.is_loopback(),
    }
}

/// Checks a `serviceUrl` against the allowlist and returns it without a trailing slash.
///
/// # Errors
/// [`ConnectorError::NotAllowed`], saying why.
pub fn checked_base(service_url: &str, allowed_hosts: &[String]) -> Result<String, ConnectorError> {
    let refuse = |reason: &str| ConnectorError::NotAllowed {
        url: service_url.to_string(),
        reason: reason.to_string(),
    };
    let url = url::Url::parse(service_url).map_err(|_| refuse("not a URL"))?;
    let host = url.host().ok_or_else(|| refuse("no host"))?;
    match url.scheme() {
        "https" => {}
        "http" if is_loopback(&host) => {}
        "http" => return Err(refuse("plain http is accepted only for loopback hosts")),
        _ => return Err(refuse("not an https URL")),
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(refuse("credentials in the URL"));
    }
    let name = match &host {
        url::Host::Domain(d) => d.to_string(),
        url::Host::Ipv4(ip) => ip.to_string(),
        url::Host::Ipv6(ip) => ip.to_string(),
    };
    let allowed = allowed_hosts.iter().any(|h| {
        h.trim_matches(|c| c == '[' || c == ']')
            .eq_ignore_ascii_case(&name)
    });
    if !allowed {
        return Err(refuse(
            "host is not on teams.service_url_hosts (TEAMS_SERVICE_URL_HOSTS extends the list)",
        ));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(refuse("query or fragment in a service URL"));
    }
    Ok(service_url.trim_end_matches('/').to_string())
}

/// The answer to `POST /v3/conversations`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ConversationResource {
    #[serde(default)]
    pub id: String,
    #[serde(default)]
    pub activity_id: Option<String>,
}

#[derive(Deserialize)]
struct ResourceId {
    #[serde(default)]
    id: Option<String>,
}

#[derive(Deserialize)]
struct TokenResponse {
    access_token: String,
    #[serde(default)]
    expires_in: Option<i64>,
}

struct CachedToken {
    value: String,
    refresh_at: Timestamp,
}

/// The Bot Connector client: token cache plus the few REST calls frontdesk makes.
pub struct Connector {
    http: reqwest::Client,
    token_url: String,
    app_id: String,
    app_password: Secret,
    allowed_hosts: Vec<String>,
    clock: Arc<dyn Clock>,
    token: Mutex<Option<CachedToken>>,
}

impl std::fmt::Debug for Connector {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Connector")
            .field("token_url", &self.token_url)
            .field("app_id", &self.app_id)
            .field("allowed_hosts", &self.allowed_hosts)
            .finish_non_exhaustive()
    }
}

impl Connector {
    pub fn new(
        http: reqwest::Client,
        token_url: String,
        app_id: String,
        app_password: Secret,
        allowed_hosts: Vec<String>,
        clock: Arc<dyn Clock>,
    ) -> Self {
        Connector {
            http,
            token_url,
            app_id,
            app_password,
            allowed_hosts,
            clock,
            token: Mutex::new(None),
        }
    }

    /// A valid access token, from the cache when it has more than five minutes left.
    async fn token(&self) -> Result<String, ConnectorError> {
        let mut cached = self.token.lock().await;
        let now = self.clock.now();
        if let Some(t) = cached.as_ref().filter(|t| now < t.refresh_at) {
            return Ok(t.value.clone());
        }
        let form = [
            ("grant_type", "client_credentials"),
            ("client_id", self.app_id.as_str()),
            ("client_secret", self.app_password.expose()),
            ("scope", SCOPE),
        ];
        let response = self
            .http
            .post(&self.token_url)
            .form(&form)
            .send()
            .await
            .map_err(|source| ConnectorError::Network {
                what: "fetching the bot's token",
                source,
            })?;
        let status = response.status().as_u16();
        if !response.status().is_success() {
            let retry = retry_after(response.headers());
            let body = snippet(&response.text().await.unwrap_or_default());
            return Err(if matches!(status, 400 | 401 | 403) {
                ConnectorError::Credentials { status, body }
            } else {
                ConnectorError::TokenUnavailable {
                    status,
                    retry_after: retry,
                }
            });
        }
        let body: TokenResponse = response.json().await.map_err(|e| ConnectorError::Decode {
            what: "the token endpoint",
            message: e.to_string(),
        })?;
        let lifetime = chrono::TimeDelta::seconds(body.expires_in.unwrap_or(3600).max(0));
        // A token shorter-lived than the margin is used once and fetched again next time.
        let refresh_at = now + (lifetime - TOKEN_MARGIN).max(chrono::TimeDelta::zero());
        tracing::debug!(
            expires_in = lifetime.num_seconds(),
            "fetched a Bot Connector token"
        );
        *cached = Some(CachedToken {
            value: body.access_token.clone(),
            refresh_at,
        });
        Ok(body.access_token)
    }

    async fn forget_token(&self) {
        self.token.lock().await.take();
    }

    /// One authenticated call. A 401 may mean the cached token was revoked early: the call is
    /// tried once more with a fresh token before giving up.
    async fn call(
        &self,
        method: reqwest::Method,
        service_url: &str,
        path: &str,
        body: &Value,
    ) -> Result<Value, ConnectorError> {
        let base = checked_base(service_url, &self.allowed_hosts)?;
        let url = format!("{base}{path}");
        let mut fresh = false;
        loop {
            let token = self.token().await?;
            let response = self
                .http
                .request(method.clone(), &url)
                .bearer_auth(token)
                .json(body)
                .send()
                .await
                .map_err(|source| ConnectorError::Network {
                    what: "calling the Bot Connector",
                    source,
                })?;
            let status = response.status().as_u16();
            if response.status().is_success() {
                let text = response
                    .text()
                    .await
                    .map_err(|source| ConnectorError::Network {
                        what: "reading the Bot Connector's answer",
                        source,
                    })?;
                if text.trim().is_empty() {
                    return Ok(Value::Null);
                }
                return serde_json::from_str(&text).map_err(|e| ConnectorError::Decode {
                    what: "the Bot Connector",
                    message: e.to_string(),
                });
            }
            let retry = retry_after(response.headers());
            let text = snippet(&response.text().await.unwrap_or_default());
            match status {
                401 if !fresh => {
                    self.forget_token().await;
                    fresh = true;
                    continue;
                }
                401 | 403 => return Err(ConnectorError::Unauthorized { status, body: text }),
                404 => return Err(ConnectorError::NotFound { body: text }),
                _ => {
                    return Err(ConnectorError::Status {
                        status,
                        body: text,
                        retry_after: retry,
                    })
                }
            }
        }
    }

    /// Posts an activity to a conversation (for a channel thread: `channel;messageid=root`);
    /// returns the new activity's id.
    ///
    /// # Errors
    /// See [`ConnectorError::into_delivery`] for which ones pass.
    pub async fn send(
        &self,
        service_url: &str,
        conversation: &str,
        activity: &Value,
    ) -> Result<String, ConnectorError> {
        let path = format!(
            "/v3/conversations/{}/activities",
            encode_segment(conversation)
        );
        let answer = self
            .call(reqwest::Method::POST, service_url, &path, activity)
            .await?;
        resource_id(answer)
    }

    /// Replaces an activity the bot sent (the request card, an answered survey).
    ///
    /// # Errors
    /// As [`Connector::send`].
    pub async fn update(
        &self,
        service_url: &str,
        conversation: &str,
        activity_id: &str,
        activity: &Value,
    ) -> Result<(), ConnectorError> {
        let path = format!(
            "/v3/conversations/{}/activities/{}",
            encode_segment(conversation),
            encode_segment(activity_id)
        );
        let mut activity = activity.clone();
        activity["id"] = Value::String(activity_id.to_string());
        self.call(reqwest::Method::PUT, service_url, &path, &activity)
            .await?;
        Ok(())
    }

    /// Creates a conversation: a 1:1 chat with a user, or a new thread in a channel (with
    /// its first activity).
    ///
    /// # Errors
    /// As [`Connector::send`].
    pub async fn create_conversation(
        &self,
        service_url: &str,
        params: &Value,
    ) -> Result<ConversationResource, ConnectorError> {
        let answer = self
            .call(
                reqwest::Method::POST,
                service_url,
                "/v3/conversations",
                params,
            )
            .await?;
        let resource: ConversationResource =
            serde_json::from_value(answer).map_err(|e| ConnectorError::Decode {
                what: "the Bot Connector (create conversation)",
                message: e.to_string(),
            })?;
        if resource.id.is_empty() {
            return Err(ConnectorError::Decode {
                what: "the Bot Connector (create conversation)",
                message: "no conversation id".into(),
            });
        }
        Ok(resource)
    }

    /// The bot as a conversation member.
    pub fn bot_account(&self) -> Value {
        serde_json::json!({"id": format!("28:{}", self.app_id)})
    }
}

fn resource_id(answer: Value) -> Result<String, ConnectorError> {
    let id: Option<ResourceId> = serde_json::from_value(answer).ok();
    id.and_then(|r| r.id)
        .filter(|id| !id.is_empty())
        .ok_or(ConnectorError::Decode {
            what: "the Bot Connector",
            message: "no activity id in the answer".into(),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hosts() -> Vec<String> {
        vec![
            "smba.trafficmanager.net".into(),
            "127.0.0.1".into(),
            "[::1]".into(),
        ]
    }

    #[test]
    fn only_allowlisted_https_hosts_or_loopback_http_pass() {
        assert_eq!(
            checked_base("https://smba.trafficmanager.net/amer/", &hosts()).unwrap(),
            "https://smba.trafficmanager.net/amer"
        );
        assert_eq!(
            checked_base("https://SMBA.trafficmanager.net/emea", &hosts()).unwrap(),
            "https://SMBA.trafficmanager.net/emea"
        );
        assert!(checked_base("http://127.0.0.1:8080/", &hosts()).is_ok());
        assert!(checked_base("http://[::1]:8080/", &hosts()).is_ok());
        for bad in [
            "http://smba.trafficmanager.net/amer/",
            "https://evil.example/amer/",
            "https://smba.trafficmanager.net.evil.example/",
            "https://user:pw@smba.trafficmanager.net/",
            "http://127.0.0.2:8080/",
            "ftp://smba.trafficmanager.net/",
            "https://smba.trafficmanager.net/?next=evil",
            "not a url",
        ] {
            assert!(
                matches!(
                    checked_base(bad, &hosts()),
                    Err(ConnectorError::NotAllowed { .. })
                ),
                "{bad} passed"
            );
        }
    }

    #[test]
    fn conversation_ids_are_encoded_as_one_segment() {
        assert_eq!(
            encode_segment("19:abc@thread.tacv2;messageid=17"),
            "19%3Aabc%40thread.tacv2%3Bmessageid%3D17"
        );
        assert_eq!(encode_segment("a:1Xy-_.~"), "a%3A1Xy-_.~");
    }

    #[test]
    fn failures_map_to_the_outbox_policy() {
        let status = |status: u16| ConnectorError::Status {
            status,
            body: String::new(),
            retry_after: Some(Duration::from_secs(7)),
        };
        for s in [429, 412, 500, 502, 503, 504] {
            assert_eq!(
                status(s).into_delivery(),
                DeliveryError::Retry {
                    reason: format!("the Bot Connector answered {s}: "),
                    after: Some(Duration::from_secs(7))
                }
            );
        }
        assert!(matches!(
            status(400).into_delivery(),
            DeliveryError::Permanent(_)
        ));
        let unauthorized = ConnectorError::Unauthorized {
            status: 403,
            body: "BotNotInConversationRoster".into(),
        };
        assert!(
            matches!(unauthorized.into_delivery(), DeliveryError::Permanent(m) if m.contains("403"))
        );
        let missing = ConnectorError::NotFound {
            body: String::new(),
        };
        assert!(matches!(
            missing.into_delivery(),
            DeliveryError::Permanent(_)
        ));
    }
}
