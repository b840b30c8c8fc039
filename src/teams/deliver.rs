//! Outbox items for Teams, delivered through the Bot Connector.
//!
//! | item | what happens |
//! | --- | --- |
//! | `Dm`, `Notice` | a message in the user's personal chat with the bot (created first if only the user and tenant are known); messages with choices are Adaptive Cards |
//! | `PostCard` | a new thread in the department's `teams_channel` whose root is the request card; updated instead if the request already has a card |
//! | `UpdateCard` | the card re-rendered from the stored request and replaced (`PUT`); nothing to do before it is posted |
//! | `ThreadPost` | a reply in the card's thread; not ready until the card is posted |
//! | `ReplacePost` | the card replaced (`PUT`) by one that shows `msg` and offers nothing to click (an answered survey) |
//! | `ThreadReply` | a reply in the thread under a channel post that is no request card (the answer to a mention there) |
//! | `ChannelPost` | a new thread in a channel (an escalation step's `19:…` channel) naming a request, with a link to its card; not ready until the card is posted |
//! | `MarkRelayed` | nothing: Slack marks a relayed reply with a reaction, but a bot can't react to messages in Teams, and a "relayed" reply under every agent message would be noise |
//!
//! Cards are rendered from the request as stored at delivery time, so a late delivery shows
//! the request as it is.
//!
//! Teams limits a bot per conversation (1,800 operations an hour, with short bursts) and per
//! tenant (50 a second). Sends are paced to both (`outbox.teams_*`), and a 429 pauses its
//! conversation until its `Retry-After` ends; either defers the item, and nothing else waits.
//!
//! What remains of the duplicate window here: the Bot Connector has no way to look up a
//! message by an id of ours, so a send the connector accepted just before the process died
//! (or whose answer timed out) is sent again on the next attempt.

use super::activity::thread_conversation;
use super::cards;
use super::connector::{Connector, ConnectorError};
use super::refs::{PlaceRecord, Refs};
use crate::config::{current, SharedConfig};
use crate::core::{Message, Outgoing, Platform, PostRef, Request, RequestId, UserRef};
use crate::engine::Engine;
use crate::i18n::Words;
use crate::outbox::pace::{Pace, Pauses};
use crate::outbox::{Delivered, Deliverer, DeliveryError};
use crate::store::{OutboxItem, StoreError};
use serde_json::json;
use std::sync::Arc;
use tracing::Instrument;

/// The Teams [`Deliverer`].
#[derive(Debug, Clone)]
pub struct TeamsDeliverer {
    engine: Engine,
    config: SharedConfig,
    connector: Arc<Connector>,
    refs: Refs,
    limits: Arc<Limits>,
}

/// How long a 429 without `Retry-After` pauses its conversation.
const DEFAULT_PAUSE: std::time::Duration = std::time::Duration::from_secs(5);

/// Teams' documented limits, and the conversations it paused.
#[derive(Debug)]
pub struct Limits {
    per_conversation: Option<Pace>,
    per_tenant: Option<Pace>,
    paused: Pauses,
}

impl Limits {
    pub fn new(config: &crate::config::OutboxConfig, clock: Arc<dyn crate::clock::Clock>) -> Self {
        Limits {
            per_conversation: Pace::new(
                config.teams_conversation_rate,
                config.teams_conversation_burst,
            ),
            // A second's worth at once.
            per_tenant: Pace::new(
                config.teams_tenant_rate,
                config.teams_tenant_rate.ceil().clamp(1.0, 10_000.0) as u32,
            ),
            paused: Pauses::new(clock),
        }
    }

    /// Waits for room to call the connector about `conversation` in `tenant`.
    async fn admit(&self, conversation: &str, tenant: Option<&str>) -> Result<(), DeliveryError> {
        self.paused.check(conversation)?;
        if let Some(pace) = &self.per_tenant {
            pace.admit(tenant.unwrap_or("")).await?;
        }
        if let Some(pace) = &self.per_conversation {
            pace.admit(conversation).await?;
        }
        Ok(())
    }

    /// A failed call as a delivery error; a 429 pauses its conversation.
    fn failed(&self, conversation: &str, e: ConnectorError) -> DeliveryError {
        if let ConnectorError::Status {
            status: 429,
            retry_after,
            ..
        } = &e
        {
            let wait = retry_after.unwrap_or(DEFAULT_PAUSE);
            tracing::warn!(conversation, pause = ?wait, "Teams rate-limited a conversation; pausing it");
            self.paused.pause(conversation, wait);
        }
        e.into_delivery()
    }
}

fn store_error(e: StoreError) -> DeliveryError {
    DeliveryError::Retry {
        reason: format!("reading the store: {e}"),
        after: None,
    }
}

impl TeamsDeliverer {
    pub fn new(
        engine: Engine,
        config: SharedConfig,
        connector: Arc<Connector>,
        refs: Refs,
        limits: Arc<Limits>,
    ) -> Self {
        TeamsDeliverer {
            engine,
            config,
            connector,
            refs,
            limits,
        }
    }

    fn names(&self) -> impl Fn(&str) -> Option<String> + '_ {
        |id| self.refs.name(id)
    }

    fn request(&self, id: &RequestId) -> Result<Request, DeliveryError> {
        self.engine
            .store()
            .request(id)
            .map_err(store_error)?
            .ok_or_else(|| DeliveryError::Permanent(format!("request {id} is not in the store")))
    }

    /// Where to reach a channel: its own reference, else the requester's service URL and
    /// tenant (a request's channel is in the requester's tenant), else the latest one seen.
    fn place_for(&self, channel: &str, requester: &UserRef) -> Result<PlaceRecord, DeliveryError> {
        if let Some(place) = self.refs.channel(channel).map_err(store_error)? {
            return Ok(place);
        }
        if let Some(user) = self.refs.user(&requester.id).map_err(store_error)? {
            return Ok(PlaceRecord {
                service_url: user.service_url,
                tenant_id: user.tenant_id,
            });
        }
        self.refs.latest().map_err(store_error)?.ok_or_else(|| {
            DeliveryError::NotReady(
                "no Teams activity has been received yet, so no service URL is known".into(),
            )
        })
    }

    /// Sends a message to a user's personal chat; returns the conversation and activity ids.
    async fn direct(&self, to: &UserRef, msg: &Message) -> Result<(String, String), DeliveryError> {
        if to.platform != Platform::Teams {
            return Err(DeliveryError::Permanent(format!(
                "{to} is not a Teams user"
            )));
        }
        let Some(user) = self.refs.user(&to.id).map_err(store_error)? else {
            return Err(DeliveryError::Permanent(format!(
                "no conversation with {to} is known: they need to open a chat with the bot (or install the app) first"
            )));
        };
        let conversation = match &user.personal_conversation {
            Some(c) => c.clone(),
            None => {
                let mut params = json!({
                    "bot": self.connector.bot_account(),
                    "members": [{"id": to.id}],
                    "isGroup": false,
                });
                if let Some(tenant) = &user.tenant_id {
                    params["channelData"] = json!({"tenant": {"id": tenant}});
                    params["tenantId"] = json!(tenant);
                }
                let key = format!("user:{}", to.id);
                self.limits.admit(&key, user.tenant_id.as_deref()).await?;
                let created = self
                    .connector
                    .create_conversation(&user.service_url, &params)
                    .await
                    .map_err(|e| self.limits.failed(&key, e))?;
                self.refs
                    .set_personal_conversation(&to.id, &created.id)
                    .await
                    .map_err(|e| DeliveryError::Retry {
                        reason: format!("storing the conversation reference: {e}"),
                        after: None,
                    })?;
                created.id
            }
        };
        tracing::Span::current().record("conversation", tracing::field::display(&conversation));
        let messages = current(&self.config).messages();
        let zone = user.timezone.as_deref().and_then(|z| z.parse().ok());
        let words =
            Words::new(&messages, messages.locale_for(user.locale.as_deref())).in_zone(zone);
        let activity = cards::message_activity(msg, &words, &self.names());
        self.limits
            .admit(&conversation, user.tenant_id.as_deref())
            .await?;
        let id = self
            .connector
            .send(&user.service_url, &conversation, &activity)
            .await
            .map_err(|e| self.limits.failed(&conversation, e))?;
        Ok((conversation, id))
    }

    async fn dm(
        &self,
        to: &UserRef,
        msg: &Message,
        about: Option<&RequestId>,
    ) -> Result<Delivered, DeliveryError> {
        let (conversation, id) = self.direct(to, msg).await?;
        Ok(Delivered {
            card: None,
            links: about
                .map(|r| (PostRef::new(Platform::Teams, conversation, id), r.clone()))
                .into_iter()
                .collect(),
        })
    }

    /// What the card may show and its buttons, by the department's settings.
    fn card_view(&self, r: &Request) -> crate::core::CardView {
        let config = current(&self.config);
        let (confidential, relay) = config
            .department(&r.department)
            .map(|d| (d.confidential, d.relay))
            .unwrap_or_default();
        crate::core::card_view(r, confidential, relay)
    }

    fn department_name(&self, r: &Request) -> String {
        current(&self.config)
            .department(&r.department)
            .map(|d| d.name.clone())
            .unwrap_or_else(|| r.department.clone())
    }

    async fn post_card(&self, id: &RequestId) -> Result<Delivered, DeliveryError> {
        let r = self.request(id)?;
        if r.card.is_some() {
            // Posted before (a redelivery after the platform accepted it): show the current state.
            self.update_card_of(&r).await?;
            return Ok(Delivered::default());
        }
        let config = current(&self.config);
        let channel = config
            .department(&r.department)
            .map(|d| d.teams_channel.clone())
            .unwrap_or_default();
        if channel.is_empty() {
            return Err(DeliveryError::Permanent(format!(
                "department {:?} has no teams_channel, so {id} can't be posted in Teams",
                r.department
            )));
        }
        tracing::Span::current().record("conversation", tracing::field::display(&channel));
        let place = self.place_for(&channel, &r.requester)?;
        let messages = config.messages();
        let activity = cards::request_activity(
            &r,
            &self.department_name(&r),
            &self.card_view(&r),
            &Words::channel(&messages),
            &self.names(),
        );
        let created = self.start_thread(&channel, &place, activity).await?;
        let root = created
            .activity_id
            .clone()
            .filter(|a| !a.is_empty())
            .or_else(|| super::activity::thread_root(&created.id).map(str::to_string))
            .ok_or_else(|| {
                DeliveryError::Permanent(format!(
                    "the Bot Connector created thread {} without saying the card's message id",
                    created.id
                ))
            })?;
        tracing::info!(card = %root, "request card posted");
        Ok(Delivered {
            card: Some((id.clone(), PostRef::new(Platform::Teams, channel, root))),
            links: Vec::new(),
        })
    }

    async fn update_card_of(&self, r: &Request) -> Result<(), DeliveryError> {
        let Some(card) = &r.card else { return Ok(()) };
        let place = self.place_for(&card.channel, &r.requester)?;
        let conversation = thread_conversation(&card.channel, &card.id);
        tracing::Span::current().record("conversation", tracing::field::display(&conversation));
        let messages = current(&self.config).messages();
        let activity = cards::request_activity(
            r,
            &self.department_name(r),
            &self.card_view(r),
            &Words::channel(&messages),
            &self.names(),
        );
        self.limits
            .admit(&conversation, place.tenant_id.as_deref())
            .await?;
        self.connector
            .update(&place.service_url, &conversation, &card.id, &activity)
            .await
            .map_err(|e| self.limits.failed(&conversation, e))
    }

    /// Replaces a card the bot sent `to` in their personal chat (an answered survey).
    async fn replace(
        &self,
        to: &UserRef,
        post: &PostRef,
        msg: &Message,
    ) -> Result<Delivered, DeliveryError> {
        let Some(user) = self.refs.user(&to.id).map_err(store_error)? else {
            return Err(DeliveryError::Permanent(format!(
                "no conversation with {to} is known"
            )));
        };
        let conversation = &post.channel;
        tracing::Span::current().record("conversation", tracing::field::display(conversation));
        let messages = current(&self.config).messages();
        let words = Words::new(&messages, messages.locale_for(user.locale.as_deref()));
        let activity = cards::replacement_activity(msg, &words, &self.names());
        self.limits
            .admit(conversation, user.tenant_id.as_deref())
            .await?;
        self.connector
            .update(&user.service_url, conversation, &post.id, &activity)
            .await
            .map_err(|e| self.limits.failed(conversation, e))?;
        Ok(Delivered::default())
    }

    /// Answers in the thread under a channel post that is no request card.
    async fn thread_reply(
        &self,
        thread: &PostRef,
        msg: &Message,
    ) -> Result<Delivered, DeliveryError> {
        let place = match self.refs.channel(&thread.channel).map_err(store_error)? {
            Some(place) => place,
            None => self.refs.latest().map_err(store_error)?.ok_or_else(|| {
                DeliveryError::NotReady(
                    "no Teams activity has been received yet, so no service URL is known".into(),
                )
            })?,
        };
        let conversation = thread_conversation(&thread.channel, &thread.id);
        tracing::Span::current().record("conversation", tracing::field::display(&conversation));
        let messages = current(&self.config).messages();
        let activity = cards::message_activity(msg, &Words::channel(&messages), &self.names());
        self.limits
            .admit(&conversation, place.tenant_id.as_deref())
            .await?;
        self.connector
            .send(&place.service_url, &conversation, &activity)
            .await
            .map_err(|e| self.limits.failed(&conversation, e))?;
        Ok(Delivered::default())
    }

    /// A new thread in a channel whose root names a request, with a link to its card.
    async fn channel_post(
        &self,
        channel: &str,
        id: &RequestId,
        msg: &Message,
    ) -> Result<Delivered, DeliveryError> {
        let r = self.request(id)?;
        let Some(card) = &r.card else {
            return Err(DeliveryError::NotReady(format!(
                "{id} has no card in Teams yet"
            )));
        };
        tracing::Span::current().record("conversation", tracing::field::display(channel));
        let place = self.place_for(channel, &r.requester)?;
        let link = format!(
            "https://teams.microsoft.com/l/message/{}/{}",
            card.channel, card.id
        );
        let messages = current(&self.config).messages();
        let words = Words::channel(&messages).with_card_link(Some(&link));
        let activity = cards::message_activity(msg, &words, &self.names());
        self.start_thread(channel, &place, activity).await?;
        Ok(Delivered::default())
    }

    /// Posts `activity` as a new thread in a channel (a card, a channel post, a digest).
    async fn start_thread(
        &self,
        channel: &str,
        place: &PlaceRecord,
        activity: serde_json::Value,
    ) -> Result<super::connector::ConversationResource, DeliveryError> {
        let mut params = json!({
            "isGroup": true,
            "bot": self.connector.bot_account(),
            "channelData": {"channel": {"id": channel}},
            "activity": activity,
        });
        if let Some(tenant) = &place.tenant_id {
            params["channelData"]["tenant"] = json!({"id": tenant});
            params["tenantId"] = json!(tenant);
        }
        self.limits
            .admit(channel, place.tenant_id.as_deref())
            .await?;
        self.connector
            .create_conversation(&place.service_url, &params)
            .await
            .map_err(|e| self.limits.failed(channel, e))
    }

    /// A requester's thank-you: a new thread in the request's department channel.
    async fn thanks_post(&self, id: &RequestId, msg: &Message) -> Result<Delivered, DeliveryError> {
        let r = self.request(id)?;
        let channel = current(&self.config)
            .department(&r.department)
            .map(|d| d.teams_channel.clone())
            .unwrap_or_default();
        if channel.is_empty() {
            return Err(DeliveryError::Permanent(format!(
                "department {:?} has no teams_channel for the thank-you of {id}",
                r.department
            )));
        }
        self.digest_post(&channel, msg).await
    }

    /// A department's weekly digest: a new thread in its channel, in the desk's language.
    async fn digest_post(&self, channel: &str, msg: &Message) -> Result<Delivered, DeliveryError> {
        tracing::Span::current().record("conversation", tracing::field::display(channel));
        // No requester to borrow a service URL from: the channel's own, else the latest.
        let place = match self.refs.channel(channel).map_err(store_error)? {
            Some(place) => place,
            None => self.refs.latest().map_err(store_error)?.ok_or_else(|| {
                DeliveryError::NotReady(
                    "no Teams activity has been received yet, so no service URL is known".into(),
                )
            })?,
        };
        let messages = current(&self.config).messages();
        let activity = cards::message_activity(msg, &Words::channel(&messages), &self.names());
        self.start_thread(channel, &place, activity).await?;
        Ok(Delivered::default())
    }

    async fn thread_post(&self, id: &RequestId, msg: &Message) -> Result<Delivered, DeliveryError> {
        let r = self.request(id)?;
        let Some(card) = &r.card else {
            return Err(DeliveryError::NotReady(format!(
                "{id} has no card in Teams yet"
            )));
        };
        let place = self.place_for(&card.channel, &r.requester)?;
        let conversation = thread_conversation(&card.channel, &card.id);
        tracing::Span::current().record("conversation", tracing::field::display(&conversation));
        // A department channel: the desk's default language.
        let messages = current(&self.config).messages();
        let activity = cards::message_activity(msg, &Words::channel(&messages), &self.names());
        self.limits
            .admit(&conversation, place.tenant_id.as_deref())
            .await?;
        self.connector
            .send(&place.service_url, &conversation, &activity)
            .await
            .map_err(|e| self.limits.failed(&conversation, e))?;
        Ok(Delivered::default())
    }
}

#[async_trait::async_trait]
impl Deliverer for TeamsDeliverer {
    async fn deliver(&self, item: &OutboxItem) -> Result<Delivered, DeliveryError> {
        let span = tracing::info_span!("teams.deliver", conversation = tracing::field::Empty);
        async {
            match &item.outgoing {
                Outgoing::Dm { to, msg, about } => self.dm(to, msg, about.as_ref()).await,
                Outgoing::Notice { to, request, msg } => self.dm(to, msg, request.as_ref()).await,
                Outgoing::PostCard { request } => self.post_card(request).await,
                Outgoing::UpdateCard { request } => {
                    let r = self.request(request)?;
                    self.update_card_of(&r).await?;
                    Ok(Delivered::default())
                }
                Outgoing::ThreadPost { request, msg } => self.thread_post(request, msg).await,
                // See the module docs: Teams has no bot reactions, and a reply would be noise.
                Outgoing::MarkRelayed { .. } => Ok(Delivered::default()),
                Outgoing::ReplacePost { to, post, msg, .. } => self.replace(to, post, msg).await,
                Outgoing::ThreadReply { thread, msg } => self.thread_reply(thread, msg).await,
                // Requests are filed from channel messages on Slack only; a Slack request's
                // messages never come here.
                Outgoing::OriginReply { .. } => Ok(Delivered::default()),
                Outgoing::ChannelPost {
                    channel,
                    request,
                    msg,
                } => self.channel_post(channel, request, msg).await,
                Outgoing::Digest { channel, msg, .. } => self.digest_post(channel, msg).await,
                Outgoing::Thanks { request, msg } => self.thanks_post(request, msg).await,
            }
        }
        .instrument(span)
        .await
    }

    fn paused(&self) -> usize {
        self.limits.paused.active()
    }
}
