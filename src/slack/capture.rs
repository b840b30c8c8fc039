//! Filing a channel message as a request, the Slack side: a ticket reaction on any message
//! (`slack.ticket_reactions`), or a top-level message in a `[[help_channels]]` channel with
//! `capture = "all"`. This module fetches what the core can't see (the reacted message's
//! words and author through `conversations.history`/`conversations.replies`, its permalink,
//! the author's replies already under it) and hands the core a [`Captured`]; whether and
//! where it is filed is the core's decision.

use super::blocks::unescape;
use super::handle::{Inbound, Refusal};
use super::payload::Event;
use crate::config::Capture;
use crate::core::{is_pleasantry, Captured, Input, Platform, PostRef, UserRef};

/// Message subtypes that are still a person's words.
const PERSON_SUBTYPES: [&str; 2] = ["file_share", "thread_broadcast"];

impl Inbound {
    /// The input a help channel message or a ticket reaction means, if any. A message read
    /// that fails for a passing reason (a rate limit, Slack's or the network's failure)
    /// refuses the event, so Slack delivers it again; one that cannot succeed (the bot is
    /// not in the channel) drops it with a warning that says what to fix.
    ///
    /// # Errors
    /// [`Refusal::Slack`] when the reacted message could not be read just now.
    pub(super) async fn captured(&self, event: Event) -> Result<Option<Input>, Refusal> {
        let config = crate::config::current(&self.config);
        match event {
            Event::ChannelMessage {
                user,
                channel,
                ts,
                text,
            } => {
                let Some(help) = config
                    .help_channel(&channel)
                    .filter(|h| h.capture == Capture::All)
                else {
                    return Ok(None);
                };
                // Not worth a permalink; the core would skip it all the same.
                if is_pleasantry(&text) {
                    tracing::debug!("a pleasantry in a help channel; not filed");
                    return Ok(None);
                }
                let department = Some(help.department.trim().to_string()).filter(|d| !d.is_empty());
                let permalink = self.permalink_of(&channel, &ts).await;
                Ok(Some(Input::MessageCaptured {
                    capture: Captured {
                        requester: UserRef::new(Platform::Slack, user),
                        filed_by: None,
                        text,
                        post: PostRef::new(Platform::Slack, channel, ts),
                        permalink,
                        department,
                        earlier_replies: Vec::new(),
                    },
                }))
            }
            Event::TicketReaction { user, channel, ts } => {
                let post = PostRef::new(Platform::Slack, &channel, &ts);
                // A reaction on a card, or on a message the bot sent about a request, files
                // nothing new.
                match self.engine.store().request_by_post(&post) {
                    Ok(None) => {}
                    Ok(Some(id)) => {
                        tracing::debug!(request = %id, "ticket reaction on a request's message; nothing to file");
                        return Ok(None);
                    }
                    Err(e) => return Err(Refusal::Store(e)),
                }
                let message = match self.api.message(&channel, &ts).await {
                    Ok(Some(m)) => m,
                    Ok(None) => {
                        tracing::info!(%channel, %ts, "the reacted message is gone; nothing to file");
                        return Ok(None);
                    }
                    Err(e) if e.is_retryable() => {
                        tracing::warn!(error = %e.describe(Some(&channel)), "could not read the reacted message; Slack will deliver the reaction again");
                        return Err(Refusal::Slack(e));
                    }
                    Err(e) => {
                        tracing::warn!(error = %e.describe(Some(&channel)), "could not read the reacted message");
                        return Ok(None);
                    }
                };
                let person = message.bot_id.is_none()
                    && message
                        .subtype
                        .as_deref()
                        .is_none_or(|s| PERSON_SUBTYPES.contains(&s));
                let Some(author) = message.user.clone().filter(|_| person) else {
                    return Ok(None);
                };
                let bot = self.bot.get();
                if bot.as_deref().is_some_and(|b| b.user_id == author) {
                    return Ok(None);
                }
                let text = unescape(message.text.as_deref().unwrap_or(""))
                    .trim()
                    .to_string();
                let top_level = message.thread_ts.as_deref().is_none_or(|t| t == ts);
                let earlier_replies = if top_level && message.reply_count.unwrap_or(0) > 0 {
                    self.replies_by(&channel, &ts, &author).await
                } else {
                    Vec::new()
                };
                let department = config
                    .help_channel(&channel)
                    .map(|h| h.department.trim().to_string())
                    .filter(|d| !d.is_empty());
                let permalink = self.permalink_of(&channel, &ts).await;
                Ok(Some(Input::MessageCaptured {
                    capture: Captured {
                        requester: UserRef::new(Platform::Slack, author),
                        filed_by: Some(UserRef::new(Platform::Slack, user)),
                        text,
                        post,
                        permalink,
                        department,
                        earlier_replies,
                    },
                }))
            }
            _ => Ok(None),
        }
    }

    async fn permalink_of(&self, channel: &str, ts: &str) -> Option<String> {
        match self.api.permalink(channel, ts).await {
            Ok(link) => Some(link),
            Err(e) => {
                // The request still quotes the message; the link is a convenience.
                tracing::warn!(error = %e.describe(Some(channel)), "no permalink for the filed message");
                None
            }
        }
    }

    /// What `author` already wrote under the message: it goes to the card's thread too.
    async fn replies_by(&self, channel: &str, ts: &str, author: &str) -> Vec<String> {
        match self.api.replies(channel, ts).await {
            Ok(replies) => replies
                .into_iter()
                .filter(|m| m.bot_id.is_none() && m.user.as_deref() == Some(author))
                .filter_map(|m| m.text)
                .map(|t| unescape(&t).trim().to_string())
                .filter(|t| !t.is_empty())
                .collect(),
            Err(e) => {
                tracing::warn!(error = %e.describe(Some(channel)), "could not read the replies under the filed message");
                Vec::new()
            }
        }
    }
}
