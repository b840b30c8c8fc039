//! Outbox items for Teams, delivered through the Bot Connector.
//!
//! | item | what happens |
//! | --- | --- |
//! | `Dm`, `Notice` | a message in the user's personal chat with the bot (created first if only the user and tenant are known); messages with choices are Adaptive Cards |
//! | `PostCard` | a new thread in the department's `teams_channel` whose root is the request card; updated instead if the request already has a card |
//! | `UpdateCard` | the card re-rendered from the stored request and replaced (`PUT`); nothing to do before it is posted |
//! | `ThreadPost` | a reply in the card's thread; not ready until the card is posted |
//! | `MarkRelayed` | nothing: Slack marks a relayed reply with a reaction, but a bot can't react to messages in Teams, and a "relayed" reply under every agent message would be noise |
//!
//! Cards are rendered from the request as stored at delivery time, so a late delivery shows
//! the request as it is.

use super::activity::thread_conversation;
use super::cards;
use super::connector::{Connector, ConnectorError};
use super::refs::{PlaceRecord, Refs};
use crate::app::{current, SharedConfig};
use crate::core::{Message, Outgoing, Platform, PostRef, Request, RequestId, UserRef};
use crate::engine::Engine;
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
    ) -> Self {
        TeamsDeliverer {
            engine,
            config,
            connector,
            refs,
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
                let created = self
                    .connector
                    .create_conversation(&user.service_url, &params)
                    .await
                    .map_err(ConnectorError::into_delivery)?;
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
        let activity = cards::message_activity(msg, &self.names());
        let id = self
            .connector
            .send(&user.service_url, &conversation, &activity)
            .await
            .map_err(ConnectorError::into_delivery)?;
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
        let mut params = json!({
            "isGroup": true,
            "bot": self.connector.bot_account(),
            "channelData": {"channel": {"id": channel}},
            "activity": cards::request_activity(&r, &self.department_name(&r), &self.names()),
        });
        if let Some(tenant) = &place.tenant_id {
            params["channelData"]["tenant"] = json!({"id": tenant});
            params["tenantId"] = json!(tenant);
        }
        let created = self
            .connector
            .create_conversation(&place.service_url, &params)
            .await
            .map_err(ConnectorError::into_delivery)?;
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
        let activity = cards::request_activity(r, &self.department_name(r), &self.names());
        self.connector
            .update(&place.service_url, &conversation, &card.id, &activity)
            .await
            .map_err(ConnectorError::into_delivery)
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
        let activity = cards::message_activity(msg, &self.names());
        self.connector
            .send(&place.service_url, &conversation, &activity)
            .await
            .map_err(ConnectorError::into_delivery)?;
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
            }
        }
        .instrument(span)
        .await
    }
}
