//! Posts in channels and threads: a request's thread, the thread of the channel message a
//! request was filed from, posts of their own (escalations, thank-yous, digests), and the
//! mark on a relayed reply. Each is skipped when an earlier attempt already posted it.

use super::{Delivered, DeliveryError, SlackDeliverer};
use crate::core::{Message, Platform, PostRef, RequestId};
use crate::i18n::Words;
use crate::slack::blocks;
use crate::store::OutboxItem;

impl SlackDeliverer {
    pub(super) async fn deliver_thread_post(
        &self,
        id: &RequestId,
        msg: &Message,
        item: &OutboxItem,
    ) -> Result<Delivered, DeliveryError> {
        let card = self.posted_card(id)?;
        // A department channel: the desk's default language, as any thread reply there.
        self.deliver_thread_reply(&card, msg, item).await
    }

    /// A reply to the requester under the channel message their request was filed from.
    /// The message is linked to the request, so the requester's replies there find it.
    pub(super) async fn deliver_origin_reply(
        &self,
        id: &RequestId,
        msg: &Message,
        item: &OutboxItem,
    ) -> Result<Delivered, DeliveryError> {
        let r = self.load(id)?;
        let Some(origin) = r.origin.filter(|o| o.post.platform == Platform::Slack) else {
            return Err(DeliveryError::Permanent(format!(
                "{id} was not filed from a Slack message"
            )));
        };
        let thread = origin.post;
        if self
            .before_post(&thread.channel, Some(&thread.id), item)
            .await?
            .is_none()
        {
            let content = self.content_for(&r.requester, msg).await;
            self.post(&thread.channel, content, Some(&thread.id), item)
                .await
                .map_err(|e| self.failed(&e, Some(&thread.channel)))?;
        }
        Ok(Delivered {
            card: None,
            links: vec![(thread, id.clone())],
        })
    }

    /// A post of its own in a channel about a request, linking to the request's card.
    pub(super) async fn deliver_channel_post(
        &self,
        channel: &str,
        id: &RequestId,
        msg: &Message,
        item: &OutboxItem,
    ) -> Result<Delivered, DeliveryError> {
        let card = self.posted_card(id)?;
        self.channel_message(channel, None, msg, item, Some((id, &card)))
            .await
    }

    /// The card's permalink for a post that links to it; none when Slack can't give one.
    async fn card_link(&self, id: &RequestId, card: &PostRef) -> Option<String> {
        match self.api.permalink(&card.channel, &card.id).await {
            Ok(link) => Some(link),
            Err(e) => {
                // The post still names the request; a link is a convenience.
                tracing::warn!(error = %e.describe(Some(&card.channel)), request = %id, "no permalink for the card; posting without a link");
                None
            }
        }
    }

    /// A requester's thank-you, a post of its own in the request's department channel.
    pub(super) async fn deliver_thanks(
        &self,
        id: &RequestId,
        msg: &Message,
        item: &OutboxItem,
    ) -> Result<Delivered, DeliveryError> {
        let r = self.load(id)?;
        let channel = crate::config::current(&self.config)
            .department(&r.department)
            .map(|d| d.slack_channel.clone())
            .unwrap_or_default();
        if channel.is_empty() {
            return Err(DeliveryError::Permanent(format!(
                "department {:?} has no slack_channel for the thank-you of {id}",
                r.department
            )));
        }
        self.channel_message(&channel, None, msg, item, None).await
    }

    /// The request's Slack card, which a post about it belongs under or links to; not ready
    /// while the card is not posted.
    fn posted_card(&self, id: &RequestId) -> Result<PostRef, DeliveryError> {
        self.load(id)?
            .card
            .filter(|c| c.platform == Platform::Slack)
            .ok_or_else(|| DeliveryError::NotReady(format!("the card of {id} is not posted yet")))
    }

    /// A department's weekly digest, a post of its own in its channel.
    pub(super) async fn deliver_digest(
        &self,
        channel: &str,
        msg: &Message,
        item: &OutboxItem,
    ) -> Result<Delivered, DeliveryError> {
        self.channel_message(channel, None, msg, item, None).await
    }

    pub(super) async fn deliver_thread_reply(
        &self,
        thread: &PostRef,
        msg: &Message,
        item: &OutboxItem,
    ) -> Result<Delivered, DeliveryError> {
        self.channel_message(&thread.channel, Some(&thread.id), msg, item, None)
            .await
    }

    /// A message in a channel (under `thread`, or a post of its own), in the desk's default
    /// language, linking to `card` when given; skipped when an earlier attempt already
    /// posted it.
    async fn channel_message(
        &self,
        channel: &str,
        thread: Option<&str>,
        msg: &Message,
        item: &OutboxItem,
        card: Option<(&RequestId, &PostRef)>,
    ) -> Result<Delivered, DeliveryError> {
        if self.before_post(channel, thread, item).await?.is_none() {
            let link = match card {
                Some((id, card)) => self.card_link(id, card).await,
                None => None,
            };
            let messages = self.messages();
            let words = Words::channel(&messages).with_card_link(link.as_deref());
            let content = blocks::message_content(msg, &words);
            self.post(channel, content, thread, item)
                .await
                .map_err(|e| self.failed(&e, Some(channel)))?;
        }
        Ok(Delivered::default())
    }

    pub(super) async fn deliver_relayed_mark(
        &self,
        post: &PostRef,
    ) -> Result<Delivered, DeliveryError> {
        let marker = crate::config::current(&self.config)
            .slack
            .relayed_marker
            .clone();
        self.pauses.check("reactions.add")?;
        let result = match self
            .api
            .reactions_add(&post.channel, &marker, &post.id)
            .await
        {
            Err(e) if e.code() == Some("already_reacted") => Ok(()),
            result => result,
        };
        self.done_unless_failed(
            result,
            post,
            "the relayed reply was deleted; nothing to mark",
        )
    }
}
