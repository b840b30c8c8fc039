//! The client: each Web API call frontdesk makes, bounded by [`CALL_TIMEOUT`], and the small
//! response types it decodes.

use super::*;

#[derive(Deserialize)]
pub(super) struct NeededScope {
    pub(super) needed: Option<String>,
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
pub(super) struct ChannelEnvelope<T> {
    channel: T,
}

#[derive(Deserialize)]
pub(super) struct Id {
    id: String,
}

/// Pages of history [`SlackApi::find_tagged`] reads at most: a post from a few minutes ago
/// is on the first page of all but the busiest channels.
pub(super) const HISTORY_PAGES: usize = 5;

#[derive(Deserialize)]
pub(super) struct History {
    #[serde(default)]
    messages: Vec<HistoryMessage>,
    #[serde(default)]
    has_more: Option<bool>,
    #[serde(default)]
    response_metadata: Option<Cursor>,
}

#[derive(Deserialize)]
pub(super) struct Cursor {
    #[serde(default)]
    next_cursor: Option<String>,
}

#[derive(Deserialize)]
pub(super) struct HistoryMessage {
    ts: String,
    #[serde(default)]
    metadata: Option<Metadata>,
}

#[derive(Deserialize)]
pub(super) struct Metadata {
    #[serde(default)]
    event_type: String,
    #[serde(default)]
    event_payload: serde_json::Map<String, serde_json::Value>,
}

/// Ignores whatever Slack answered beyond `ok: true`.
#[derive(Deserialize)]
pub(super) struct Empty {}

/// The bot's handle on the Web API. Cheap to clone.
#[derive(Clone)]
pub struct SlackApi {
    pub(super) client: Arc<SlackHyperClient>,
    pub(super) token: SlackApiToken,
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
    pub(super) async fn bounded<T>(
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

    /// A Web API method read with query parameters.
    pub(super) async fn get<RS>(
        &self,
        method: &'static str,
        params: Vec<(&str, Option<String>)>,
    ) -> Result<RS, ApiError>
    where
        RS: for<'de> Deserialize<'de> + Send,
    {
        let session = self.client.open_session(&self.token);
        self.bounded(method, async {
            session
                .http_session_api
                .http_get(method, &params, None)
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
    /// See `ApiError`.
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
    /// See `ApiError`.
    pub async fn users_info(&self, user: &str) -> Result<UserInfo, ApiError> {
        #[derive(Deserialize)]
        struct UserEnvelope {
            user: UserInfo,
        }
        let params = vec![
            ("user", Some(user.to_string())),
            ("include_locale", Some("true".to_string())),
        ];
        let r: UserEnvelope = self.get("users.info", params).await?;
        Ok(r.user)
    }

    /// The permalink of a message (`chat.getPermalink`).
    ///
    /// # Errors
    /// See `ApiError`.
    pub async fn permalink(&self, channel: &str, ts: &str) -> Result<String, ApiError> {
        #[derive(Deserialize)]
        struct Link {
            permalink: String,
        }
        let params = vec![
            ("channel", Some(channel.to_string())),
            ("message_ts", Some(ts.to_string())),
        ];
        let r: Link = self.get("chat.getPermalink", params).await?;
        Ok(r.permalink)
    }

    /// # Errors
    /// See `ApiError`.
    pub async fn conversations_info(&self, channel: &str) -> Result<ChannelInfo, ApiError> {
        let params = vec![("channel", Some(channel.to_string()))];
        let r: ChannelEnvelope<ChannelInfo> = self.get("conversations.info", params).await?;
        Ok(r.channel)
    }

    /// # Errors
    /// See `ApiError`.
    pub async fn post_message(
        &self,
        req: &SlackApiChatPostMessageRequest,
    ) -> Result<Posted, ApiError> {
        self.post("chat.postMessage", req).await
    }

    /// # Errors
    /// See `ApiError`.
    pub async fn update_message(
        &self,
        req: &SlackApiChatUpdateRequest,
    ) -> Result<Posted, ApiError> {
        self.post("chat.update", req).await
    }

    /// # Errors
    /// See `ApiError`.
    pub async fn post_ephemeral(
        &self,
        req: &SlackApiChatPostEphemeralRequest,
    ) -> Result<(), ApiError> {
        let _: Empty = self.post("chat.postEphemeral", req).await?;
        Ok(())
    }

    /// # Errors
    /// See `ApiError`.
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
    /// See `ApiError`.
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
            let page: History = self.get(method, params).await?;
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
    /// See `ApiError`.
    pub async fn views_publish(&self, user: &str, view: SlackView) -> Result<(), ApiError> {
        let req = SlackApiViewsPublishRequest::new(SlackUserId(user.to_string()), view);
        let _: Empty = self.post("views.publish", &req).await?;
        Ok(())
    }

    /// Replaces an open modal (`hash` guards against a newer version of it).
    pub async fn views_update(
        &self,
        view_id: &str,
        hash: Option<&str>,
        view: SlackView,
    ) -> Result<(), ApiError> {
        let mut req = SlackApiViewsUpdateRequest::new(view).with_view_id(view_id.into());
        if let Some(hash) = hash {
            req = req.with_hash(hash.into());
        }
        let _: Empty = self.post("views.update", &req).await?;
        Ok(())
    }

    /// Opens a modal for the person whose click gave `trigger_id` (valid for 3 seconds).
    pub async fn views_open(&self, trigger_id: &str, view: SlackView) -> Result<(), ApiError> {
        let req = SlackApiViewsOpenRequest::new(SlackTriggerId(trigger_id.to_string()), view);
        let _: Empty = self.post("views.open", &req).await?;
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
