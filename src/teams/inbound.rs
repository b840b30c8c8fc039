//! `POST /api/messages`, the Bot Framework messaging endpoint.
//!
//! Order of work: the `Authorization` header must be a bearer token (else 401), the body
//! must be an activity (else 400), the token must pass [`auth::verify_at`] with keys from
//! [`openid::KeySource`] (else 401, nothing stored), then the conversation reference is
//! remembered, the activity is mapped to inputs and each goes through the engine with the
//! dedup id `teams:{conversation}:{activity}`. The 200 comes after the engine's durable step;
//! everything the desk says back goes through the outbox.
//!
//! That includes the "thanks" card that replaces an answered survey and the pointer that
//! answers an @mention in a channel outside any request thread: the core decides both.
//!
//! The request form is the exception ([`super::form`]): a message extension's invoke is
//! answered in the HTTP response itself (a task module, as JSON), and the form card in the
//! personal chat is sent and replaced at once, as a Slack modal is opened at once.

use super::activity::{self, Activity, Inbound};
use super::{auth, form, openid, Shared};
use crate::config::current;
use crate::core::{Input, Platform, PostRef};
use crate::engine::EngineError;
use crate::store::StoreError;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use std::sync::Arc;
use tracing::Instrument;

#[derive(Debug, thiserror::Error)]
pub enum InboundError {
    #[error("unauthorized")]
    Unauthorized(#[from] auth::AuthError),
    #[error("bad request: {0}")]
    BadRequest(String),
    #[error("signing keys unavailable")]
    Keys(#[from] openid::KeysError),
    #[error(transparent)]
    Engine(#[from] EngineError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl IntoResponse for InboundError {
    fn into_response(self) -> Response {
        match &self {
            InboundError::Unauthorized(reason) => {
                tracing::info!(reason = %reason, "refused an activity");
                (StatusCode::UNAUTHORIZED, reason.to_string()).into_response()
            }
            InboundError::BadRequest(reason) => {
                (StatusCode::BAD_REQUEST, reason.clone()).into_response()
            }
            InboundError::Keys(e) => {
                tracing::error!(error = %crate::telemetry::chain(e), "can't verify activities: no signing keys");
                (StatusCode::SERVICE_UNAVAILABLE, "signing keys unavailable").into_response()
            }
            InboundError::Engine(_) | InboundError::Store(_) => {
                tracing::error!(error = %self, "handling an activity failed");
                (StatusCode::INTERNAL_SERVER_ERROR, "internal error").into_response()
            }
        }
    }
}

pub(super) async fn handle_messages(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, InboundError> {
    let authorization = headers
        .get(header::AUTHORIZATION)
        .map(|v| v.to_str().unwrap_or(""));
    let token = auth::bearer(authorization)?;
    let activity: Activity = serde_json::from_slice(&body)
        .map_err(|e| InboundError::BadRequest(format!("malformed activity: {e}")))?;
    if activity.service_url.is_empty() {
        return Err(InboundError::BadRequest(
            "activity has no serviceUrl".into(),
        ));
    }
    let span = tracing::info_span!(
        "teams.activity",
        activity_id = activity.id.as_deref().unwrap_or(""),
        activity_type = %activity.kind,
        conversation = %activity.conversation.id,
        request_id = tracing::field::Empty,
    );
    async move {
        verify(&shared, token, &activity).await?;
        shared.refs.observe(&activity).await?;
        if let Some(answer) = form::on_invoke(&shared, &activity).await? {
            return Ok(Json(answer).into_response());
        }
        if !form::on_chat_message(&shared, &activity).await? {
            handle_activity(&shared, &activity).await?;
        }
        Ok(StatusCode::OK.into_response())
    }
    .instrument(span)
    .await
}

async fn verify(shared: &Shared, token: &str, a: &Activity) -> Result<(), InboundError> {
    let kid = auth::key_id(token)?;
    let now = shared.engine.now();
    let keys = shared.keys.keys_for(&kid, now).await?;
    let verified = auth::verify_at(
        token,
        &a.service_url,
        &a.channel_id,
        now.timestamp(),
        &keys,
        &shared.app_id,
    )?;
    tracing::debug!(kid = %verified.kid, expires_at = verified.expires_at, "token verified");
    Ok(())
}

async fn handle_activity(shared: &Arc<Shared>, a: &Activity) -> Result<(), InboundError> {
    let config = current(&shared.config);
    let store = shared.engine.store().clone();
    // The request itself, so that the core decides whether the post is its card.
    let inbound = activity::classify(a, &config.teams.close_reactions, &|post| match store
        .request_by_post(post)?
    {
        Some(id) => store.request(&id),
        None => Ok(None),
    })?;
    let inputs = match inbound {
        Inbound::Inputs(inputs) => inputs,
        Inbound::ChannelMention => match mention_thread(a) {
            Some(thread) => vec![Input::MentionedInChannel {
                user: a.user(),
                thread,
                text: activity::clean_text(a.text.as_deref().unwrap_or(""), a),
            }],
            None => return Ok(()),
        },
        Inbound::Nothing(reason) => {
            tracing::debug!(reason, "nothing for the desk");
            return Ok(());
        }
    };
    let base = a.dedup_id();
    for (i, input) in inputs.into_iter().enumerate() {
        let dedup = base.as_ref().map(|b| {
            if i == 0 {
                b.clone()
            } else {
                format!("{b}:{i}")
            }
        });
        if let Some(id) = input.named_requests().first() {
            tracing::Span::current().record("request_id", tracing::field::display(id));
        }
        let outcome = shared.engine.handle(input, dedup).await?;
        if !outcome.applied {
            tracing::debug!("already handled (a redelivery)");
            continue;
        }
        if !outcome.replies.is_empty() {
            // Replies answer slash commands, which Teams doesn't have; the inputs built here
            // never produce them.
            tracing::debug!(replies = outcome.replies.len(), "immediate replies dropped");
        }
    }
    Ok(())
}

/// The thread an @mention in a channel is answered in: the thread it was written in, or the
/// one under the mention itself.
fn mention_thread(a: &Activity) -> Option<PostRef> {
    let root = match activity::thread_root(&a.conversation.id) {
        Some(root) => root,
        None => a.id.as_deref().filter(|id| !id.is_empty())?,
    };
    Some(PostRef::new(
        Platform::Teams,
        activity::channel_base(&a.conversation.id),
        root,
    ))
}
