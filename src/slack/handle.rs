//! What Slack's payloads do to the desk, whichever transport brought them: the HTTP request
//! URLs ([`super::inbound`]) and Socket Mode ([`super::socket`]) both parse a payload, call
//! one function here and send back what it returns (the HTTP response body, or the `payload`
//! of the envelope's acknowledgement). The desk rules are written once.
//!
//! Each function returns only after the state change the payload caused is on disk (the
//! engine's group commit), so the caller may acknowledge as soon as it has the answer. An
//! error means nothing was applied and nothing must be acknowledged as done.
//!
//! De-duplication is the engine's, inside the commit: a slash command by its `trigger_id`, a
//! button by its `trigger_id` and position, an event by its `event_id`, and a message also
//! by its identity (channel and `ts`), because Slack has redelivered one message under
//! several event ids.

use super::api::SlackApi;
use super::blocks;
use super::deliver::DmChannels;
use super::home;
use super::payload::{self, Click, Command, Event, Filter, Interaction, Push};
use super::startup::KnownBot;
use super::status::SlackStatus;
use super::verify::VerifyError;
use crate::config::SharedConfig;
use crate::core::{is_card_reply, Action, Input, Place, Platform, PostRef, RequestId, UserRef};
use crate::engine::{Engine, EngineError, StepOutcome};
use crate::store::StoreError;
use serde_json::Value;
use std::sync::Arc;
use tracing::Instrument;

/// What the handlers share.
#[derive(Debug)]
pub(crate) struct Inbound {
    pub engine: Engine,
    pub config: SharedConfig,
    pub api: SlackApi,
    /// Empty until `auth.test` has answered (Slack was unreachable at start).
    pub bot: Arc<KnownBot>,
    pub dms: Arc<DmChannels>,
    pub locales: Arc<super::locale::Locales>,
    pub status: Arc<SlackStatus>,
}

/// Why a payload was turned away, or could not be applied.
#[derive(Debug, thiserror::Error)]
pub(crate) enum Refusal {
    #[error(transparent)]
    Unverified(#[from] VerifyError),
    #[error(transparent)]
    Malformed(#[from] payload::PayloadError),
    #[error("storage unavailable")]
    Store(#[from] StoreError),
    #[error("storage unavailable")]
    Engine(#[from] EngineError),
    /// Slack could not tell what the event is about just now (a message read failed for a
    /// reason that passes); turning the event away has Slack deliver it again.
    #[error("Slack unavailable; deliver again")]
    Slack(#[source] super::api::ApiError),
}

impl Refusal {
    /// The payload was fine but the desk could not apply it: a retry may succeed.
    pub fn is_failure(&self) -> bool {
        matches!(
            self,
            Refusal::Store(_) | Refusal::Engine(_) | Refusal::Slack(_)
        )
    }
}

/// The answer to a payload: `None` is an empty 200 (or an ack without a payload).
pub(crate) type Reply = Option<Value>;

impl Inbound {
    pub(super) fn slack_user(id: &str) -> UserRef {
        UserRef::new(Platform::Slack, id)
    }

    /// A slash command: applied, and answered with the ephemeral reply.
    ///
    /// # Errors
    /// The step could not be applied ([`Refusal::Engine`]).
    pub async fn on_command(&self, command: Command) -> Result<Reply, Refusal> {
        let (command, user, text, team, channel, trigger_id) = match command {
            Command::SslCheck => return Ok(None),
            Command::Invoked {
                command,
                user,
                text,
                team,
                channel,
                trigger_id,
            } => (command, user, text, team, channel, trigger_id),
        };
        let span = tracing::info_span!("slack.command", %command, %user, team = team.as_deref().unwrap_or(""),
            channel = channel.as_deref().unwrap_or(""), request_id = tracing::field::Empty);
        async move {
            let wants_form = text.trim().is_empty()
                && crate::config::current(&self.config).slack.slash_opens
                    == crate::config::SlashOpens::Form;
            if let (true, Some(trigger)) = (wants_form, &trigger_id) {
                if self.open_form(&user, trigger, Default::default()).await {
                    return Ok(None);
                }
            }
            let input = Input::CommandInvoked {
                user: Inbound::slack_user(&user),
                text,
            };
            let dedup = trigger_id.map(|t| format!("slack:trig:{t}"));
            let outcome = self.step(input, dedup.into_iter().collect()).await?;
            // The answer must come within Slack's 3 seconds: only a locale already known is used.
            let messages = crate::config::current(&self.config).messages();
            let locale = messages.locale_for(self.locales.cached(&user).flatten().as_deref());
            let words = crate::i18n::Words::new(&messages, locale);
            Ok((!outcome.replies.is_empty())
                .then(|| ephemeral(blocks::combined_content(&outcome.replies, &words))))
        }
        .instrument(span)
        .await
    }

    /// An Events API body. `retry` is Slack's retry number, for the logs.
    ///
    /// # Errors
    /// The store could not be read or the step could not be applied.
    pub async fn on_push(&self, push: Push, retry: u32) -> Result<Reply, Refusal> {
        let (event_id, team, event) = match push {
            Push::UrlVerification { challenge } => {
                tracing::info!("answered Slack's url_verification challenge");
                return Ok(Some(serde_json::json!({ "challenge": challenge })));
            }
            Push::RateLimited { team } => {
                self.status.note_rate_limited();
                tracing::warn!(
                    team = team.as_deref().unwrap_or(""),
                    "Slack is dropping events for this workspace: more than its limit of 30,000 events per hour (app_rate_limited)"
                );
                return Ok(None);
            }
            Push::Other { kind } => {
                tracing::debug!(%kind, "unhandled Events API request type");
                return Ok(None);
            }
            Push::Callback {
                event_id,
                team,
                event,
            } => (event_id, team, event),
        };
        let span = tracing::info_span!(
            "slack.event",
            event_id = event_id.as_deref().unwrap_or(""),
            team = team.as_deref().unwrap_or(""),
            retry,
            channel = tracing::field::Empty,
            request_id = tracing::field::Empty
        );
        async move {
            let identity = event.identity();
            if let Event::AccessRevoked { why } = event {
                self.access_revoked(team.as_deref(), why);
                return Ok(None);
            }
            let input = match event {
                Event::TicketReaction { .. } | Event::ChannelMessage { .. } => {
                    self.captured(event).await?
                }
                event => self.input_for(event)?,
            };
            if let Some(input) = input {
                let mut dedup: Vec<String> = event_id
                    .map(|id| format!("slack:ev:{id}"))
                    .into_iter()
                    .collect();
                dedup.extend(identity.map(|(channel, ts)| format!("slack:msg:{channel}:{ts}")));
                self.step(input, dedup).await?;
            }
            Ok(None)
        }
        .instrument(span)
        .await
    }

    /// Block actions (our buttons); other interactions are acknowledged and ignored.
    ///
    /// # Errors
    /// A click could not be applied; the clicks before it were.
    pub async fn on_interaction(&self, interaction: Interaction) -> Result<Reply, Refusal> {
        let (team, clicks) = match interaction {
            Interaction::BlockActions { team, clicks } => (team, clicks),
            Interaction::ViewSubmission {
                callback_id,
                user,
                view_id,
                by_block,
                ..
            } if callback_id == blocks::FORM_MODAL => {
                return self.on_form_submission(user, view_id, by_block).await;
            }
            Interaction::ViewSubmission {
                team,
                user,
                view_id,
                callback_id,
                private_metadata,
                values,
                ..
            } => {
                return self
                    .on_view_submission(
                        team,
                        user,
                        view_id,
                        &callback_id,
                        &private_metadata,
                        values,
                    )
                    .await
            }
            Interaction::Shortcut {
                user,
                callback_id,
                trigger_id,
                message,
                ..
            } => {
                self.on_shortcut(&user, &callback_id, &trigger_id, message)
                    .await;
                return Ok(None);
            }
            Interaction::ViewChoice {
                user,
                view_id,
                hash,
                action_id,
                value,
                private_metadata,
            } => {
                if action_id == blocks::FORM_DEPARTMENT {
                    self.form_department_chosen(
                        &user,
                        &view_id,
                        hash.as_deref(),
                        &value,
                        &private_metadata,
                    )
                    .await;
                }
                return Ok(None);
            }
            Interaction::Other { kind } => {
                tracing::debug!(%kind, "unhandled interaction type");
                return Ok(None);
            }
        };
        for Click {
            user,
            value,
            action_id,
            key,
            trigger_id,
        } in clicks
        {
            let span = tracing::info_span!("slack.click", %user, team = team.as_deref().unwrap_or(""),
                action_id = action_id.as_deref().unwrap_or(""), request_id = tracing::field::Empty);
            let action = match Action::parse(&value) {
                Ok(a) => a,
                Err(e) => {
                    span.in_scope(|| tracing::debug!(error = %crate::telemetry::chain(&e), "a button that isn't ours"));
                    continue;
                }
            };
            // "Reply to requester" opens its form; the core checks who sends it when it comes
            // back. If the form can't open, the click goes to the core, which says how else.
            if let (Action::ViewDetails(id), Some(trigger)) = (&action, &trigger_id) {
                if self
                    .show_details(&user, id, trigger)
                    .instrument(span.clone())
                    .await?
                {
                    continue;
                }
            }
            if let (Action::OpenForm, Some(trigger)) = (&action, &trigger_id) {
                if self.open_form(&user, trigger, Default::default()).await {
                    continue;
                }
            }
            if let (Action::ReplyToRequester(id), Some(trigger)) = (&action, &trigger_id) {
                if self
                    .open_reply_modal(&user, id, trigger)
                    .instrument(span.clone())
                    .await
                {
                    continue;
                }
            }
            // Slack leaves an answered survey as it is (its buttons answer "already recorded"),
            // so the clicked message is not handed to the core.
            let input = Input::ButtonClicked {
                user: Inbound::slack_user(&user),
                action,
                post: None,
            };
            self.step(
                input,
                key.map(|k| format!("slack:trig:{k}")).into_iter().collect(),
            )
            .instrument(span)
            .await?;
        }
        Ok(None)
    }

    /// The filter for events, with the bot's identity as far as it is known.
    pub fn with_filter<T>(&self, f: impl FnOnce(Filter<'_>) -> T) -> T {
        let config = crate::config::current(&self.config);
        let bot = self.bot.get();
        let capture_channels: Vec<String> = config
            .help_channels
            .iter()
            .filter(|h| h.capture == crate::config::Capture::All)
            .map(|h| h.slack_channel.clone())
            .collect();
        f(Filter {
            bot: bot.as_deref(),
            close_reactions: &config.slack.close_reactions,
            ticket_reactions: &config.slack.ticket_reactions,
            capture_channels: &capture_channels,
        })
    }

    /// `tokens_revoked` (the bot token) or `app_uninstalled` for the bot's workspace: every
    /// call with the token fails from now on, so the deliverer stops making them.
    fn access_revoked(&self, team: Option<&str>, why: &'static str) {
        let bot_team = self.bot.get().and_then(|b| b.team_id.clone());
        if let (Some(team), Some(ours)) = (team, bot_team.as_deref()) {
            if team != ours {
                tracing::info!(team, why, "access revoked for another workspace; ignored");
                return;
            }
        }
        self.status.revoke(why);
        tracing::error!(
            team = team.unwrap_or(""),
            why,
            "Slack revoked frontdesk's access to the workspace ({why}); no more messages are sent to Slack. Reinstall the app, put the new bot token in SLACK_BOT_TOKEN and restart; then `frontdesk outbox retry` sends what was held back"
        );
    }

    /// The request whose card `post` is: a reply in `post`'s thread, or a close reaction on
    /// it, is for that request ([`is_card_reply`]).
    fn card_request(&self, post: &PostRef) -> Result<Option<RequestId>, StoreError> {
        let store = self.engine.store();
        let Some(id) = store.request_by_post(post)? else {
            return Ok(None);
        };
        Ok(store
            .request(&id)?
            .filter(|r| is_card_reply(r.card.as_ref(), post))
            .map(|r| r.id))
    }

    /// The request filed from the message `post` (a ticket reaction, a help channel): a
    /// reply in its thread is the requester's side of that request's conversation.
    fn origin_request(&self, post: &PostRef) -> Result<Option<RequestId>, StoreError> {
        let store = self.engine.store();
        let Some(id) = store.request_by_post(post)? else {
            return Ok(None);
        };
        Ok(store
            .request(&id)?
            .filter(|r| r.origin.as_ref().is_some_and(|o| &o.post == post))
            .map(|r| r.id))
    }

    /// What an event means as a core input, asking the store which request a message is about.
    fn input_for(&self, event: Event) -> Result<Option<Input>, StoreError> {
        let span = tracing::Span::current();
        Ok(match event {
            Event::DirectMessage {
                user,
                channel,
                ts: _,
                text,
                thread_ts,
            } => {
                span.record("channel", tracing::field::display(&channel));
                self.dms.remember(&user, &channel);
                let about = match thread_ts {
                    Some(ts) => self.engine.store().request_by_post(&PostRef::new(
                        Platform::Slack,
                        &channel,
                        ts,
                    ))?,
                    None => None,
                };
                Some(Input::MessageReceived {
                    user: Self::slack_user(&user),
                    text,
                    place: Place::Direct { about },
                })
            }
            Event::ThreadReply {
                user,
                channel,
                ts,
                thread_ts,
                text,
            } => {
                span.record("channel", tracing::field::display(&channel));
                let root = PostRef::new(Platform::Slack, &channel, thread_ts);
                let place = match self.card_request(&root)? {
                    Some(request) => Some(Place::CardThread {
                        request,
                        post: PostRef::new(Platform::Slack, channel, ts),
                    }),
                    None => match self.origin_request(&root)? {
                        Some(request) => Some(Place::OriginThread { request }),
                        // Only a help channel's message can wait in a thread for its team.
                        None => crate::config::current(&self.config)
                            .help_channel(&channel)
                            .filter(|h| h.capture == crate::config::Capture::All)
                            .map(|_| Place::WaitingThread { root }),
                    },
                };
                place.map(|place| Input::MessageReceived {
                    user: Self::slack_user(&user),
                    text,
                    place,
                })
            }
            Event::CloseReaction {
                added,
                user,
                channel,
                ts,
            } => {
                span.record("channel", tracing::field::display(&channel));
                let post = PostRef::new(Platform::Slack, channel, ts);
                self.card_request(&post)?.map(|request| {
                    let user = Self::slack_user(&user);
                    if added {
                        Input::CloseReactionAdded { user, request }
                    } else {
                        Input::CloseReactionRemoved { user, request }
                    }
                })
            }
            Event::HomeOpened { user } => {
                // A view, not a message: it is rebuilt from the store, so it does not go
                // through the outbox (see `home`).
                tokio::spawn(
                    home::publish(
                        self.api.clone(),
                        self.engine.store().clone(),
                        crate::config::current(&self.config).messages(),
                        self.locales.clone(),
                        user,
                        self.engine.rules(),
                        self.engine.now(),
                    )
                    .instrument(span.clone()),
                );
                None
            }
            Event::AccessRevoked { .. }
            | Event::ChannelMessage { .. }
            | Event::TicketReaction { .. } => None,
            Event::Ignored { why } => {
                tracing::debug!(why, "event ignored");
                None
            }
        })
    }

    /// Steps the engine and notes in the span which requests the step touched.
    pub(super) async fn step(
        &self,
        input: Input,
        dedup: Vec<String>,
    ) -> Result<StepOutcome, EngineError> {
        let span = tracing::Span::current();
        if let Some(id) = input.named_requests().first() {
            span.record("request_id", tracing::field::display(id));
        }
        let outcome = self.engine.handle_once(input, dedup).await?;
        if !outcome.applied {
            tracing::debug!("already handled (a retry or a repeated id); nothing done");
        } else if let Some(r) = outcome.requests.first() {
            span.record("request_id", tracing::field::display(&r.id));
        }
        Ok(outcome)
    }
}

impl Event {
    /// The message's identity (channel, ts) for messages the desk acts on.
    fn identity(&self) -> Option<(String, String)> {
        match self {
            Event::DirectMessage { channel, ts, .. }
            | Event::ThreadReply { channel, ts, .. }
            | Event::ChannelMessage { channel, ts, .. }
            | Event::TicketReaction { channel, ts, .. } => Some((channel.clone(), ts.clone())),
            _ => None,
        }
    }
}

/// `{"response_type":"ephemeral","text":…,"blocks":…}`: only the invoking user sees it.
pub(crate) fn ephemeral(content: slack_morphism::prelude::SlackMessageContent) -> Value {
    let mut value = serde_json::to_value(content).unwrap_or_else(|_| serde_json::json!({}));
    if let Some(map) = value.as_object_mut() {
        map.insert("response_type".into(), "ephemeral".into());
    }
    value
}

impl Inbound {
    /// The answer to a slash command the desk could not record. Slack never retries a
    /// command sent to a request URL, so the user is told rather than left with a timeout.
    pub(crate) fn command_failed(&self, user: Option<&str>) -> Value {
        let messages = crate::config::current(&self.config).messages();
        let known = user.and_then(|u| self.locales.cached(u).flatten());
        let words = crate::i18n::Words::new(&messages, messages.locale_for(known.as_deref()));
        let sorry = crate::core::Message::text(crate::core::Text::new("command-failed"));
        ephemeral(blocks::message_content(&sorry, &words))
    }
}
