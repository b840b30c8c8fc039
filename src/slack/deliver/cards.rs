//! Request cards in Slack: rendering a request as its card, posting it once (updating in place
//! a card an earlier attempt posted), keeping it up to date, and replacing a message the
//! desk sent with new words.

use super::{Delivered, DeliveryError, SlackDeliverer};
use crate::core::{Message, Platform, PostRef, Request, RequestId, UserRef};
use crate::i18n::Words;
use crate::slack::api::ApiError;
use crate::slack::blocks::{self, CardContext};
use crate::store::OutboxItem;
use slack_morphism::prelude::*;

impl SlackDeliverer {
    /// The rendered card and the channel it belongs in.
    fn render_card(&self, r: &Request) -> Result<(SlackMessageContent, String), DeliveryError> {
        let config = crate::config::current(&self.config);
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
            view: crate::core::card_view(r, dept.confidential, dept.relay),
        };
        let messages = config.messages();
        let words = Words::channel(&messages);
        Ok((
            blocks::card_content(r, &ctx, &words),
            dept.slack_channel.clone(),
        ))
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
        item: &OutboxItem,
    ) -> Result<Delivered, DeliveryError> {
        if channel.is_empty() {
            return Err(DeliveryError::Permanent(format!(
                "department {:?} has no slack_channel, so {} can't be posted; set departments[].slack_channel",
                r.department, r.id
            )));
        }
        let post = match self.before_post(channel, None, item).await? {
            Some(earlier) => earlier,
            None => self
                .post(channel, content, None, item)
                .await
                .map_err(|e| self.failed(&e, Some(channel)))?,
        };
        Ok(Delivered {
            card: Some((r.id.clone(), post)),
            links: Vec::new(),
        })
    }

    pub(super) async fn deliver_card(
        &self,
        id: &RequestId,
        item: &OutboxItem,
    ) -> Result<Delivered, DeliveryError> {
        let r = self.load(id)?;
        let (content, channel) = self.render_card(&r)?;
        if let Some(card) = r.card.as_ref().filter(|c| c.platform == Platform::Slack) {
            // Posted before, and the process stopped before the outbox recorded it: update
            // the card in place rather than posting it twice.
            if self.update_card(card, content.clone()).await? {
                return Ok(Delivered {
                    card: Some((r.id.clone(), card.clone())),
                    links: Vec::new(),
                });
            }
        }
        self.post_card(&r, content, &channel, item).await
    }

    /// Edits a posted card; false when it is no longer in Slack (someone deleted it).
    async fn update_card(
        &self,
        card: &PostRef,
        content: SlackMessageContent,
    ) -> Result<bool, DeliveryError> {
        self.pauses.check("chat.update")?;
        match self.update(card, content).await {
            Ok(()) => Ok(true),
            Err(e) if e.code() == Some("message_not_found") => Ok(false),
            Err(e) => Err(self.failed(&e, Some(&card.channel))),
        }
    }

    pub(super) async fn deliver_card_update(
        &self,
        id: &RequestId,
        item: &OutboxItem,
    ) -> Result<Delivered, DeliveryError> {
        let r = self.load(id)?;
        let Some(card) = r.card.clone().filter(|c| c.platform == Platform::Slack) else {
            // Not posted yet: when it is, it shows the request as it is then.
            return Ok(Delivered::default());
        };
        let (content, channel) = self.render_card(&r)?;
        if self.update_card(&card, content.clone()).await? {
            return Ok(Delivered::default());
        }
        // Someone deleted the card: agents need one, so post it again.
        tracing::warn!(request_id = %id, "the card was deleted in Slack; posting it again");
        self.post_card(&r, content, &channel, item).await
    }

    pub(super) async fn deliver_replacement(
        &self,
        to: &UserRef,
        post: &PostRef,
        msg: &Message,
    ) -> Result<Delivered, DeliveryError> {
        self.pauses.check("chat.update")?;
        let content = self.content_for(to, msg).await;
        let result = self.update(post, content).await;
        self.done_unless_failed(
            result,
            post,
            "the message to replace was deleted; nothing to do",
        )
    }
}
