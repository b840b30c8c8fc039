//! Delivery of the desk's outgoing messages to Slack: the outbox's [`Deliverer`] for
//! `Platform::Slack`.
//!
//! Each item is one or two Web API calls. Cards are rendered from the request as stored at
//! delivery time, so a late delivery shows the request as it is now. Failures are returned,
//! not logged (the outbox worker logs them with the request id and retries or dead-letters):
//! rate limits and Slack's or the network's trouble are `Retry`, a configuration problem is
//! `Permanent` with the fix in the message, and a thread post whose card isn't up yet is
//! `NotReady`.

use super::api::{ApiError, SlackApi};
use super::blocks::{self, CardContext};
use crate::app::SharedConfig;
use crate::core::{Message, Outgoing, Platform, PostRef, Request, RequestId, UserRef};
use crate::engine::Engine;
use crate::outbox::{Delivered, Deliverer, DeliveryError};
use crate::store::OutboxItem;
use slack_morphism::prelude::*;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// The bot's DM channel with each user, learned from `conversations.open` and from the DMs
/// users send. Only a cache: losing it costs one `conversations.open` per user.
#[derive(Debug, Default)]
pub struct DmChannels {
    by_user: Mutex<HashMap<String, String>>,
}

impl DmChannels {
    pub fn get(&self, user: &str) -> Option<String> {
        self.by_user
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(user)
            .cloned()
    }

    pub fn remember(&self, user: &str, channel: &str) {
        self.by_user
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(user.to_string(), channel.to_string());
    }

    fn forget(&self, user: &str) {
        self.by_user
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(user);
    }
}

#[derive(Debug)]
pub struct SlackDeliverer {
    pub(crate) api: SlackApi,
    pub(crate) engine: Engine,
    pub(crate) config: SharedConfig,
    pub(crate) dms: Arc<DmChannels>,
}

fn failed(e: &ApiError, channel: Option<&str>) -> DeliveryError {
    if e.is_retryable() {
        DeliveryError::Retry {
            reason: e.to_string(),
            after: e.retry_after(),
        }
    } else {
        DeliveryError::Permanent(e.describe(channel))
    }
}

#[async_trait::async_trait]
impl Deliverer for SlackDeliverer {
    async fn deliver(&self, item: &OutboxItem) -> Result<Delivered, DeliveryError> {
        match &item.outgoing {
            Outgoing::Dm { to, msg, about } => self.deliver_dm(to, msg, about.as_ref()).await,
            Outgoing::PostCard { request } => self.deliver_card(request).await,
            Outgoing::UpdateCard { request } => self.deliver_card_update(request).await,
            Outgoing::ThreadPost { request, msg } => self.deliver_thread_post(request, msg).await,
            Outgoing::MarkRelayed { post, .. } => self.deliver_relayed_mark(post).await,
            Outgoing::Notice { to, request, msg } => {
                self.deliver_notice(to, request.as_ref(), msg).await
            }
        }
    }
}

impl SlackDeliverer {
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
        let ch = self
            .api
            .conversations_open(user)
            .await
            .map_err(|e| failed(&e, None))?;
        self.dms.remember(user, &ch);
        Ok(ch)
    }

    async fn post(
        &self,
        channel: &str,
        content: SlackMessageContent,
        thread: Option<&str>,
    ) -> Result<PostRef, ApiError> {
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
    ) -> Result<Delivered, DeliveryError> {
        let channel = self.dm_channel(&to.id).await?;
        let post = match self
            .post(&channel, blocks::message_content(msg), None)
            .await
        {
            Ok(p) => p,
            Err(e) => {
                if e.code() == Some("channel_not_found") {
                    // A stale cached channel: open it again next time.
                    self.dms.forget(&to.id);
                }
                return Err(failed(&e, Some(&channel)));
            }
        };
        Ok(Delivered {
            card: None,
            links: about.map(|id| vec![(post, id.clone())]).unwrap_or_default(),
        })
    }

    /// The rendered card and the channel it belongs in.
    fn render_card(&self, r: &Request) -> Result<(SlackMessageContent, String), DeliveryError> {
        let config = crate::app::current(&self.config);
        let dept = config.department(&r.department).ok_or_else(|| {
            DeliveryError::Permanent(format!(
                "department {:?} of {} is no longer configured; add it back or close the request",
                r.department, r.id
            ))
        })?;
        let ctx = CardContext {
            department_name: &dept.name,
            internal_note_prefix: &config.slack.internal_note_prefix,
            close_reaction: config.slack.close_reactions.first().map(String::as_str),
        };
        Ok((blocks::card_content(r, &ctx), dept.slack_channel.clone()))
    }

    async fn update(&self, card: &PostRef, content: SlackMessageContent) -> Result<(), ApiError> {
        let req = SlackApiChatUpdateRequest::new(
            SlackChannelId(card.channel.clone()),
            content,
            SlackTs(card.id.clone()),
        );
        self.api.update_message(&req).await.map(|_| ())
    }

    async fn post_card(
        &self,
        r: &Request,
        content: SlackMessageContent,
        channel: &str,
    ) -> Result<Delivered, DeliveryError> {
        if channel.is_empty() {
            return Err(DeliveryError::Permanent(format!(
                "department {:?} has no slack_channel, so {} can't be posted; set departments[].slack_channel",
                r.department, r.id
            )));
        }
        let post = self
            .post(channel, content, None)
            .await
            .map_err(|e| failed(&e, Some(channel)))?;
        Ok(Delivered {
            card: Some((r.id.clone(), post)),
            links: Vec::new(),
        })
    }

    async fn deliver_card(&self, id: &RequestId) -> Result<Delivered, DeliveryError> {
        let r = self.load(id)?;
        let (content, channel) = self.render_card(&r)?;
        if let Some(card) = r.card.as_ref().filter(|c| c.platform == Platform::Slack) {
            // Posted before, and the process stopped before the outbox recorded it: update
            // the card in place rather than posting it twice.
            match self.update(card, content.clone()).await {
                Ok(()) => {
                    return Ok(Delivered {
                        card: Some((r.id.clone(), card.clone())),
                        links: Vec::new(),
                    })
                }
                Err(e) if e.code() == Some("message_not_found") => {}
                Err(e) => return Err(failed(&e, Some(&card.channel))),
            }
        }
        self.post_card(&r, content, &channel).await
    }

    async fn deliver_card_update(&self, id: &RequestId) -> Result<Delivered, DeliveryError> {
        let r = self.load(id)?;
        let Some(card) = r.card.clone().filter(|c| c.platform == Platform::Slack) else {
            // Not posted yet: when it is, it shows the request as it is then.
            return Ok(Delivered::default());
        };
        let (content, channel) = self.render_card(&r)?;
        match self.update(&card, content.clone()).await {
            Ok(()) => Ok(Delivered::default()),
            Err(e) if e.code() == Some("message_not_found") => {
                // Someone deleted the card: agents need one, so post it again.
                tracing::warn!(request_id = %id, "the card was deleted in Slack; posting it again");
                self.post_card(&r, content, &channel).await
            }
            Err(e) => Err(failed(&e, Some(&card.channel))),
        }
    }

    async fn deliver_thread_post(
        &self,
        id: &RequestId,
        msg: &Message,
    ) -> Result<Delivered, DeliveryError> {
        let r = self.load(id)?;
        let Some(card) = r.card.filter(|c| c.platform == Platform::Slack) else {
            return Err(DeliveryError::NotReady(format!(
                "the card of {id} is not posted yet"
            )));
        };
        self.post(&card.channel, blocks::message_content(msg), Some(&card.id))
            .await
            .map_err(|e| failed(&e, Some(&card.channel)))?;
        Ok(Delivered::default())
    }

    async fn deliver_relayed_mark(&self, post: &PostRef) -> Result<Delivered, DeliveryError> {
        let marker = crate::app::current(&self.config)
            .slack
            .relayed_marker
            .clone();
        match self
            .api
            .reactions_add(&post.channel, &marker, &post.id)
            .await
        {
            Ok(()) => Ok(Delivered::default()),
            Err(e) if e.code() == Some("already_reacted") => Ok(Delivered::default()),
            Err(e) if e.code() == Some("message_not_found") => {
                tracing::info!(channel = %post.channel, ts = %post.id, "the relayed reply was deleted; nothing to mark");
                Ok(Delivered::default())
            }
            Err(e) => Err(failed(&e, Some(&post.channel))),
        }
    }

    async fn deliver_notice(
        &self,
        to: &UserRef,
        id: Option<&RequestId>,
        msg: &Message,
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
            // Ephemeral, next to the card where the user acted.
            let req = SlackApiChatPostEphemeralRequest::new(
                SlackChannelId(card.channel.clone()),
                SlackUserId(to.id.clone()),
                blocks::message_content(msg),
            );
            match self.api.post_ephemeral(&req).await {
                Ok(()) => return Ok(Delivered::default()),
                // The user isn't in that channel (they acted in a DM): tell them there.
                Err(e)
                    if matches!(
                        e.code(),
                        Some("user_not_in_channel" | "not_in_channel" | "channel_not_found")
                    ) => {}
                Err(e) => return Err(failed(&e, Some(&card.channel))),
            }
        }
        self.deliver_dm(to, msg, id).await
    }
}
