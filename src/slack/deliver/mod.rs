//! Delivery of the desk's outgoing messages to Slack: the outbox's [`Deliverer`] for
//! `Platform::Slack`.
//!
//! Each item is one or two Web API calls. Cards are rendered from the request as stored at
//! delivery time, so a late delivery shows the request as it is now. Failures are returned,
//! not logged (the outbox worker logs them with the request id and retries or dead-letters):
//! rate limits and Slack's or the network's trouble are `Retry`, a configuration problem is
//! `Permanent` with the fix in the message, and a thread post whose card isn't up yet is
//! `NotReady`.
//!
//! Keeping to Slack's limits: a 429 pauses its method (for this workspace) until its
//! `Retry-After` ends, and posts are paced per channel (`outbox.slack_channel_rate`); both
//! defer the item rather than fail it, and nothing else waits.
//!
//! Every post carries its outbox id in Slack's message metadata. An item whose last attempt
//! may have posted (the process died, or the call timed out) looks for that tag in the
//! channel's recent history first, and records the post it finds instead of posting again.

use super::api::{ApiError, ApiErrorKind, SlackApi};
use super::blocks;
use crate::config::SharedConfig;
use crate::core::{Message, Outgoing, Platform, PostRef, Request, RequestId, Timestamp, UserRef};
use crate::engine::Engine;
use crate::i18n::Words;
use crate::outbox::pace::{Pace, Pauses};
use crate::outbox::{Delivered, Deliverer, DeliveryError};
use crate::store::OutboxItem;
use slack_morphism::prelude::*;
use std::collections::HashMap;
use std::sync::Arc;

mod cards;
mod channels;
mod dm_channels;
pub use dm_channels::DmChannels;
use std::time::Duration;

/// The metadata event type of frontdesk's posts; the payload's `outbox_id` names the item.
pub const OUTBOX_EVENT: &str = "frontdesk_outbox";

/// How long a 429 without `Retry-After` pauses its method.
const DEFAULT_PAUSE: Duration = Duration::from_secs(5);

#[derive(Debug)]
pub struct SlackDeliverer {
    pub(crate) api: SlackApi,
    pub(crate) engine: Engine,
    pub(crate) config: SharedConfig,
    pub(crate) dms: Arc<DmChannels>,
    pub(crate) locales: Arc<super::locale::Locales>,
    /// Posts per channel, as Slack documents them.
    pub(crate) pace: Option<Pace>,
    /// Methods Slack answered with a 429, until its `Retry-After` ends.
    pub(crate) pauses: Pauses,
    /// Says when Slack revoked the token: then nothing is sent.
    pub(crate) status: Arc<super::status::SlackStatus>,
}

#[async_trait::async_trait]
impl Deliverer for SlackDeliverer {
    async fn deliver(&self, item: &OutboxItem) -> Result<Delivered, DeliveryError> {
        if let Some(why) = self.status.revoked() {
            // Every call would fail with the revoked token; retrying would go on for a day.
            // A dead letter waits for `frontdesk outbox retry` after the app is reinstalled.
            return Err(DeliveryError::Permanent(format!(
                "Slack revoked frontdesk's access to the workspace ({why}): reinstall the app, put the new bot token in SLACK_BOT_TOKEN, restart, then `frontdesk outbox retry` this item"
            )));
        }
        match &item.outgoing {
            Outgoing::Dm { to, msg, about } => self.deliver_dm(to, msg, about.as_ref(), item).await,
            Outgoing::PostCard { request } => self.deliver_card(request, item).await,
            Outgoing::UpdateCard { request } => self.deliver_card_update(request, item).await,
            Outgoing::ThreadPost { request, msg } => {
                self.deliver_thread_post(request, msg, item).await
            }
            Outgoing::MarkRelayed { post, .. } => self.deliver_relayed_mark(post).await,
            Outgoing::Notice { to, request, msg } => {
                self.deliver_notice(to, request.as_ref(), msg, item).await
            }
            Outgoing::ReplacePost { to, post, msg, .. } => {
                self.deliver_replacement(to, post, msg).await
            }
            Outgoing::ThreadReply { thread, msg } => {
                self.deliver_thread_reply(thread, msg, item).await
            }
            Outgoing::OriginReply { request, msg } => {
                self.deliver_origin_reply(request, msg, item).await
            }
            Outgoing::ChannelPost {
                channel,
                request,
                msg,
            } => self.deliver_channel_post(channel, request, msg, item).await,
            Outgoing::Digest { channel, msg, .. } => self.deliver_digest(channel, msg, item).await,
            Outgoing::Thanks { request, msg } => self.deliver_thanks(request, msg, item).await,
        }
    }

    fn paused(&self) -> usize {
        self.pauses.active()
    }
}

/// Slack's `oldest` for a history search from a minute before `t` (clocks differ).
fn oldest(t: Timestamp) -> String {
    let t = t - chrono::Duration::seconds(60);
    format!(
        "{}.{:06}",
        t.timestamp().max(0),
        t.timestamp_subsec_micros()
    )
}

impl SlackDeliverer {
    /// The catalogs of the configuration in force.
    fn messages(&self) -> Arc<crate::i18n::Catalogs> {
        crate::config::current(&self.config).messages()
    }

    /// A message for one user, in their language.
    async fn content_for(&self, to: &UserRef, msg: &Message) -> SlackMessageContent {
        let messages = self.messages();
        let tag = self.locales.get(&self.api, &to.id).await;
        // Only a message showing a local time needs the reader's zone.
        let zone = match shows_local_time(msg) {
            true => self.locales.zone(&self.api, &to.id).await,
            false => None,
        };
        let words = Words::new(&messages, messages.locale_for(tag.as_deref())).in_zone(zone);
        blocks::message_content(msg, &words)
    }

    fn load(&self, id: &RequestId) -> Result<Request, DeliveryError> {
        match self.engine.store().request(id) {
            Ok(Some(r)) => Ok(r),
            Ok(None) => Err(DeliveryError::Permanent(format!(
                "request {id} is not in the store"
            ))),
            Err(e) => Err(DeliveryError::Retry {
                reason: format!("reading {id}: {e}"),
                after: None,
            }),
        }
    }

    /// The bot's DM channel with `user`, opening it when we don't know it yet.
    async fn dm_channel(&self, user: &str) -> Result<String, DeliveryError> {
        if let Some(ch) = self.dms.get(user) {
            return Ok(ch);
        }
        self.pauses.check("conversations.open")?;
        let ch = self
            .api
            .conversations_open(user)
            .await
            .map_err(|e| self.failed(&e, None))?;
        self.dms.remember(user, &ch);
        Ok(ch)
    }

    /// A failed call as a delivery error; a 429 pauses its method.
    fn failed(&self, e: &ApiError, channel: Option<&str>) -> DeliveryError {
        if let ApiErrorKind::RateLimited { retry_after } = &e.kind {
            let wait = retry_after.unwrap_or(DEFAULT_PAUSE);
            tracing::warn!(method = e.method, pause = ?wait, "Slack rate-limited a method; pausing it");
            self.pauses.pause(e.method, wait);
        }
        if e.is_retryable() {
            DeliveryError::Retry {
                reason: e.to_string(),
                after: e.retry_after(),
            }
        } else {
            DeliveryError::Permanent(e.describe(channel))
        }
    }

    /// The outcome of editing or marking a message the desk sent: done when it worked, and
    /// also when someone deleted the message meanwhile (`gone` says so in the log).
    fn done_unless_failed(
        &self,
        result: Result<(), ApiError>,
        post: &PostRef,
        gone: &'static str,
    ) -> Result<Delivered, DeliveryError> {
        match result {
            Ok(()) => Ok(Delivered::default()),
            Err(e) if e.code() == Some("message_not_found") => {
                tracing::info!(channel = %post.channel, ts = %post.id, "{gone}");
                Ok(Delivered::default())
            }
            Err(e) => Err(self.failed(&e, Some(&post.channel))),
        }
    }

    /// Before posting `item` into `channel` (or the thread under `thread`): waits for the
    /// method and the channel to be free, and, when an earlier attempt may have posted
    /// already, returns that post instead.
    async fn before_post(
        &self,
        channel: &str,
        thread: Option<&str>,
        item: &OutboxItem,
    ) -> Result<Option<PostRef>, DeliveryError> {
        if item.sending {
            let method = if thread.is_some() {
                "conversations.replies"
            } else {
                "conversations.history"
            };
            self.pauses.check(method)?;
            let id = item.id.to_string();
            let tag = (OUTBOX_EVENT, "outbox_id", id.as_str());
            match self
                .api
                .find_tagged(channel, thread, &oldest(item.created_at), tag)
                .await
            {
                Ok(Some(ts)) => {
                    tracing::info!(channel, ts = %ts, "an earlier attempt posted this already; recording it instead of posting again");
                    return Ok(Some(PostRef::new(Platform::Slack, channel, ts)));
                }
                Ok(None) => {}
                Err(e) if e.is_retryable() => return Err(self.failed(&e, Some(channel))),
                // Without the history scope the post can't be looked for: a possible
                // duplicate beats a message never sent.
                Err(e) => {
                    tracing::warn!(error = %e.describe(Some(channel)), "could not check whether an earlier attempt posted; posting")
                }
            }
        }
        self.pauses.check("chat.postMessage")?;
        if let Some(pace) = &self.pace {
            pace.admit(channel).await?;
        }
        Ok(None)
    }

    async fn post(
        &self,
        channel: &str,
        mut content: SlackMessageContent,
        thread: Option<&str>,
        item: &OutboxItem,
    ) -> Result<PostRef, ApiError> {
        content.metadata = Some(SlackMessageMetadata {
            event_type: OUTBOX_EVENT.to_string(),
            event_payload: Some(HashMap::from([(
                "outbox_id".to_string(),
                item.id.to_string(),
            )])),
        });
        let mut req =
            SlackApiChatPostMessageRequest::new(SlackChannelId(channel.to_string()), content);
        if let Some(ts) = thread {
            req = req.with_thread_ts(SlackTs(ts.to_string()));
        }
        let posted = self.api.post_message(&req).await?;
        tracing::debug!(channel = %posted.channel, ts = %posted.ts, "posted");
        Ok(PostRef::new(Platform::Slack, posted.channel, posted.ts))
    }

    async fn deliver_dm(
        &self,
        to: &UserRef,
        msg: &Message,
        about: Option<&RequestId>,
        item: &OutboxItem,
    ) -> Result<Delivered, DeliveryError> {
        // Opening the DM and looking up the reader's language are independent calls for
        // someone the desk hasn't written to yet: side by side, the first DM goes out one
        // platform round trip sooner.
        let (channel, content) = tokio::join!(self.dm_channel(&to.id), self.content_for(to, msg));
        let channel = channel?;
        let post = match self.before_post(&channel, None, item).await? {
            Some(earlier) => earlier,
            None => match self.post(&channel, content, None, item).await {
                Ok(p) => p,
                Err(e) => {
                    if e.code() == Some("channel_not_found") {
                        // A stale cached channel: open it again next time.
                        self.dms.forget(&to.id);
                    }
                    return Err(self.failed(&e, Some(&channel)));
                }
            },
        };
        Ok(Delivered {
            card: None,
            links: about.map(|id| vec![(post, id.clone())]).unwrap_or_default(),
        })
    }

    async fn deliver_notice(
        &self,
        to: &UserRef,
        id: Option<&RequestId>,
        msg: &Message,
        item: &OutboxItem,
    ) -> Result<Delivered, DeliveryError> {
        let card = match id {
            Some(id) => self
                .load(id)
                .ok()
                .and_then(|r| r.card)
                .filter(|c| c.platform == Platform::Slack),
            None => None,
        };
        if let Some(card) = card {
            self.pauses.check("chat.postEphemeral")?;
            // Ephemeral, next to the card where the user acted.
            let req = SlackApiChatPostEphemeralRequest::new(
                SlackChannelId(card.channel.clone()),
                SlackUserId(to.id.clone()),
                self.content_for(to, msg).await,
            );
            match self.api.post_ephemeral(&req).await {
                Ok(()) => return Ok(Delivered::default()),
                // The user isn't in that channel (they acted in a DM): tell them there.
                Err(e)
                    if matches!(
                        e.code(),
                        Some("user_not_in_channel" | "not_in_channel" | "channel_not_found")
                    ) => {}
                Err(e) => return Err(self.failed(&e, Some(&card.channel))),
            }
        }
        self.deliver_dm(to, msg, id, item).await
    }
}

/// Whether a message shows a local time, which is written in the reader's time zone.
fn shows_local_time(msg: &Message) -> bool {
    fn arg(a: &crate::core::Arg) -> bool {
        use crate::core::Arg;
        match a {
            Arg::LocalTime { .. } => true,
            Arg::Strong(inner) => arg(inner),
            Arg::Text(t) => t.args.iter().any(|(_, a)| arg(a)),
            Arg::List(items) => items.iter().any(arg),
            _ => false,
        }
    }
    msg.lines.iter().any(|l| l.args.iter().any(|(_, a)| arg(a)))
}
