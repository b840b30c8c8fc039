//! The three endpoints Slack calls: `/slack/commands`, `/slack/events` and
//! `/slack/interactivity`.
//!
//! Every request is verified on its raw bytes first (401 and nothing stored otherwise), then
//! parsed (400 with a short reason for garbage), turned into a core `Input` and handed to the
//! engine, which commits it (deduplicated by Slack's event id or trigger id) before we answer.
//! Nothing slow happens before the answer: messages to Slack go through the outbox, and the
//! App Home is published in the background.

use super::api::SlackApi;
use super::blocks;
use super::deliver::DmChannels;
use super::home;
use super::payload::{self, Click, Command, Event, Filter, Interaction, Push};
use super::startup::KnownBot;
use super::verify::{verify_at, VerifyError};
use crate::app::SharedConfig;
use crate::core::{is_card_reply, Action, Input, Place, Platform, PostRef, RequestId, UserRef};
use crate::engine::{Engine, EngineError, StepOutcome};
use crate::store::StoreError;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
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
}

pub(crate) fn router(state: Arc<Inbound>) -> Router {
    Router::new()
        .route("/slack/commands", post(handle_command))
        .route("/slack/events", post(handle_events))
        .route("/slack/interactivity", post(handle_interactivity))
        .with_state(state)
}

/// Why a request was turned away, as the status and short reason Slack (or a prober) sees.
#[derive(Debug, thiserror::Error)]
enum Refusal {
    #[error("{0}")]
    Unverified(#[from] VerifyError),
    #[error("{0}")]
    Malformed(#[from] payload::PayloadError),
    #[error("storage unavailable")]
    Store(#[from] StoreError),
    #[error("storage unavailable")]
    Engine(#[from] EngineError),
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        match &self {
            Refusal::Unverified(e) => {
                tracing::warn!(reason = %e, "refused a Slack request that failed signature verification");
                (StatusCode::UNAUTHORIZED, format!("unauthorized: {e}")).into_response()
            }
            Refusal::Malformed(e) => {
                // Bad input from the caller: worth a debug line, not an alarm.
                tracing::debug!(reason = %e, "refused a malformed Slack request");
                (StatusCode::BAD_REQUEST, format!("bad request: {e}")).into_response()
            }
            Refusal::Store(e) => {
                tracing::error!(error = %e, "store failure while handling a Slack request; Slack will retry");
                (StatusCode::INTERNAL_SERVER_ERROR, self.to_string()).into_response()
            }
            Refusal::Engine(e) => {
                tracing::error!(error = %e, "engine failure while handling a Slack request; Slack will retry");
                (StatusCode::INTERNAL_SERVER_ERROR, self.to_string()).into_response()
            }
        }
    }
}

impl Inbound {
    fn verify(&self, headers: &HeaderMap, body: &[u8]) -> Result<(), VerifyError> {
        let config = crate::app::current(&self.config);
        // The adapter only runs with a secret; an empty one can't match any signature.
        let secret = config
            .slack
            .signing_secret
            .as_ref()
            .map(|s| s.expose().as_bytes())
            .unwrap_or_default();
        verify_at(secret, headers, body, self.engine.now().timestamp())
    }

    fn slack_user(id: &str) -> UserRef {
        UserRef::new(Platform::Slack, id)
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

    /// What an event means as a core input, asking the store which request a message is about.
    fn input_for(&self, event: Event) -> Result<Option<Input>, StoreError> {
        let span = tracing::Span::current();
        Ok(match event {
            Event::DirectMessage {
                user,
                channel,
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
                self.card_request(&root)?
                    .map(|request| Input::MessageReceived {
                        user: Self::slack_user(&user),
                        text,
                        place: Place::CardThread {
                            request,
                            post: PostRef::new(Platform::Slack, channel, ts),
                        },
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
                // A view, not a chat message: rebuilt on every opening, so best effort is enough.
                tokio::spawn(
                    home::publish(
                        self.api.clone(),
                        self.engine.store().clone(),
                        crate::app::current(&self.config).messages(),
                        self.locales.clone(),
                        user,
                    )
                    .instrument(span.clone()),
                );
                None
            }
            Event::Ignored { why } => {
                tracing::debug!(why, "event ignored");
                None
            }
        })
    }

    /// Steps the engine and notes in the span which requests the step touched.
    async fn step(&self, input: Input, dedup: Option<String>) -> Result<StepOutcome, EngineError> {
        let span = tracing::Span::current();
        if let Some(id) = input.named_requests().first() {
            span.record("request_id", tracing::field::display(id));
        }
        let outcome = self.engine.handle(input, dedup).await?;
        if !outcome.applied {
            tracing::debug!("already handled (a retry or a repeated id); nothing done");
        } else if let Some(r) = outcome.requests.first() {
            span.record("request_id", tracing::field::display(&r.id));
        }
        Ok(outcome)
    }
}

fn retry_num(headers: &HeaderMap) -> Option<u32> {
    headers
        .get("x-slack-retry-num")?
        .to_str()
        .ok()?
        .parse()
        .ok()
}

async fn handle_command(
    State(state): State<Arc<Inbound>>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, Refusal> {
    if payload::is_ssl_check(&body) {
        return Ok(StatusCode::OK.into_response());
    }
    state.verify(&headers, &body)?;
    let (command, user, text, team, channel, trigger_id) = match payload::parse_command(&body)? {
        Command::SslCheck => return Ok(StatusCode::OK.into_response()),
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
        // The answer must come within Slack's 3 seconds: only a locale already known is used.
        let messages = crate::app::current(&state.config).messages();
        let locale = messages.locale_for(state.locales.cached(&user).flatten().as_deref());
        let words = crate::i18n::Words::new(&messages, locale);
        let input = Input::CommandInvoked {
            user: Inbound::slack_user(&user),
            text,
        };
        let dedup = trigger_id.map(|t| format!("slack:trig:{t}"));
        match state.step(input, dedup).await {
            Ok(outcome) if outcome.replies.is_empty() => Ok(StatusCode::OK.into_response()),
            Ok(outcome) => Ok(Json(ephemeral(blocks::combined_content(
                &outcome.replies,
                &words,
            )))
            .into_response()),
            Err(e) => {
                // Slack never retries a slash command: tell the user rather than fail silently.
                tracing::error!(error = %e, "handling /help-it failed");
                let sorry = crate::core::Message::text(crate::core::Text::new("command-failed"));
                Ok(Json(ephemeral(blocks::message_content(&sorry, &words))).into_response())
            }
        }
    }
    .instrument(span)
    .await
}

/// `{"response_type":"ephemeral","text":…,"blocks":…}`: only the invoking user sees it.
fn ephemeral(content: slack_morphism::prelude::SlackMessageContent) -> serde_json::Value {
    let mut value = serde_json::to_value(content).unwrap_or_else(|_| serde_json::json!({}));
    if let Some(map) = value.as_object_mut() {
        map.insert("response_type".into(), "ephemeral".into());
    }
    value
}

async fn handle_events(
    State(state): State<Arc<Inbound>>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, Refusal> {
    state.verify(&headers, &body)?;
    let config = crate::app::current(&state.config);
    let bot = state.bot.get();
    let filter = Filter {
        bot: bot.as_deref(),
        close_reactions: &config.slack.close_reactions,
    };
    let (event_id, team, event) = match payload::parse_push(&body, filter)? {
        Push::UrlVerification { challenge } => {
            tracing::info!("answered Slack's url_verification challenge");
            return Ok(Json(serde_json::json!({ "challenge": challenge })).into_response());
        }
        Push::RateLimited => {
            tracing::warn!(
                "Slack paused event deliveries: more than its per-workspace event rate limit"
            );
            return Ok(StatusCode::OK.into_response());
        }
        Push::Other { kind } => {
            tracing::debug!(%kind, "unhandled Events API request type");
            return Ok(StatusCode::OK.into_response());
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
        retry = retry_num(&headers).unwrap_or(0),
        channel = tracing::field::Empty,
        request_id = tracing::field::Empty
    );
    async move {
        if let Some(input) = state.input_for(event)? {
            state
                .step(input, event_id.map(|id| format!("slack:ev:{id}")))
                .await?;
        }
        Ok(StatusCode::OK.into_response())
    }
    .instrument(span)
    .await
}

async fn handle_interactivity(
    State(state): State<Arc<Inbound>>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, Refusal> {
    state.verify(&headers, &body)?;
    let (team, clicks) = match payload::parse_interaction(&body)? {
        Interaction::BlockActions { team, clicks } => (team, clicks),
        Interaction::Other { kind } => {
            tracing::debug!(%kind, "unhandled interaction type");
            return Ok(StatusCode::OK.into_response());
        }
    };
    for Click {
        user,
        value,
        action_id,
        key,
    } in clicks
    {
        let span = tracing::info_span!("slack.click", %user, team = team.as_deref().unwrap_or(""),
            action_id = action_id.as_deref().unwrap_or(""), request_id = tracing::field::Empty);
        let action = match Action::parse(&value) {
            Ok(a) => a,
            Err(e) => {
                span.in_scope(|| tracing::debug!(error = %e, "a button that isn't ours"));
                continue;
            }
        };
        // Slack leaves an answered survey as it is (its buttons answer "already recorded"),
        // so the clicked message is not handed to the core.
        let input = Input::ButtonClicked {
            user: Inbound::slack_user(&user),
            action,
            post: None,
        };
        state
            .step(input, key.map(|k| format!("slack:trig:{k}")))
            .instrument(span)
            .await?;
    }
    Ok(StatusCode::OK.into_response())
}
