//! Reading one channel message and the replies under it (`conversations.history`,
//! `conversations.replies`): what a ticket reaction or a help channel files as a request.

use super::*;

/// A message as `conversations.history` / `conversations.replies` return it, with only what
/// filing it needs.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct ChannelMessage {
    pub ts: String,
    #[serde(default)]
    pub user: Option<String>,
    #[serde(default)]
    pub bot_id: Option<String>,
    #[serde(default)]
    pub subtype: Option<String>,
    #[serde(default)]
    pub text: Option<String>,
    #[serde(default)]
    pub thread_ts: Option<String>,
    #[serde(default)]
    pub reply_count: Option<u64>,
}

#[derive(Deserialize)]
struct Messages {
    #[serde(default)]
    messages: Vec<ChannelMessage>,
}

/// Replies read under a message at most: a help thread is short, and the rest of a long
/// one is still there to read.
const REPLIES_LIMIT: &str = "100";

impl SlackApi {
    async fn messages(
        &self,
        method: &'static str,
        params: Vec<(&str, Option<String>)>,
    ) -> Result<Vec<ChannelMessage>, ApiError> {
        let page: Messages = self.get(method, params).await?;
        Ok(page.messages)
    }

    /// The message `ts` of `channel`: a top-level one from `conversations.history` limited to
    /// that ts, else (a reply in a thread) from `conversations.replies`. `None` when Slack
    /// has no such message (deleted since).
    ///
    /// # Errors
    /// See `ApiError`.
    pub async fn message(
        &self,
        channel: &str,
        ts: &str,
    ) -> Result<Option<ChannelMessage>, ApiError> {
        let params = vec![
            ("channel", Some(channel.to_string())),
            ("latest", Some(ts.to_string())),
            ("oldest", Some(ts.to_string())),
            ("inclusive", Some("true".to_string())),
            ("limit", Some("1".to_string())),
        ];
        let top = self.messages("conversations.history", params).await?;
        if let Some(m) = top.into_iter().find(|m| m.ts == ts) {
            return Ok(Some(m));
        }
        // A thread's parent comes first whatever the bounds: read it and the reply.
        let params = vec![
            ("channel", Some(channel.to_string())),
            ("ts", Some(ts.to_string())),
            ("oldest", Some(ts.to_string())),
            ("inclusive", Some("true".to_string())),
            ("limit", Some("2".to_string())),
        ];
        let replies = self.messages("conversations.replies", params).await?;
        Ok(replies.into_iter().find(|m| m.ts == ts))
    }

    /// The replies under the message `ts` of `channel`, oldest first, without the message.
    ///
    /// # Errors
    /// See `ApiError`.
    pub async fn replies(&self, channel: &str, ts: &str) -> Result<Vec<ChannelMessage>, ApiError> {
        let params = vec![
            ("channel", Some(channel.to_string())),
            ("ts", Some(ts.to_string())),
            ("limit", Some(REPLIES_LIMIT.to_string())),
        ];
        let mut replies = self.messages("conversations.replies", params).await?;
        replies.retain(|m| m.ts != ts);
        Ok(replies)
    }
}
