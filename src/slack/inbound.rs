//! The three endpoints Slack calls: `/slack/commands`, `/slack/events` and
//! `/slack/interactivity`.
//!
//! Every request is verified on its raw bytes first (401 and nothing stored otherwise), then
//! parsed (400 with a short reason for garbage) and handed to [`super::handle`], which applies
//! it and returns the body to answer with, once the change is on disk. Nothing slow happens
//! before the answer: messages to Slack go through the outbox, and the App Home is published
//! in the background.

use super::handle::{Inbound, Refusal, Reply};
use super::payload;
use super::verify::{verify_at, VerifyError};
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use std::sync::Arc;

pub(crate) fn router(state: Arc<Inbound>) -> Router {
    Router::new()
        .route("/slack/commands", post(handle_command))
        .route("/slack/events", post(handle_events))
        .route("/slack/interactivity", post(handle_interactivity))
        .with_state(state)
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
                tracing::error!(error = %crate::telemetry::chain(e), "store failure while handling a Slack request; Slack will retry");
                (StatusCode::INTERNAL_SERVER_ERROR, self.to_string()).into_response()
            }
            Refusal::Engine(e) => {
                tracing::error!(error = %crate::telemetry::chain(e), "engine failure while handling a Slack request; Slack will retry");
                (StatusCode::INTERNAL_SERVER_ERROR, self.to_string()).into_response()
            }
            Refusal::Slack(e) => {
                // Logged where it happened; Slack retries an event that isn't answered 2xx.
                tracing::debug!(error = %e, "turned an event away until Slack can be read");
                (StatusCode::SERVICE_UNAVAILABLE, self.to_string()).into_response()
            }
        }
    }
}

fn verify(state: &Inbound, headers: &HeaderMap, body: &[u8]) -> Result<(), VerifyError> {
    let config = crate::config::current(&state.config);
    // Without a secret (Socket Mode only) nothing can match: an empty key verifies nothing
    // an attacker could sign without knowing it.
    let Some(secret) = config.slack.signing_secret.as_ref() else {
        return Err(VerifyError::NoSecret);
    };
    verify_at(
        secret.expose().as_bytes(),
        headers,
        body,
        state.engine.now().timestamp(),
    )
}

/// A handler's answer as the HTTP response: an empty 200 or the JSON body.
fn respond(reply: Reply) -> Response {
    match reply {
        None => StatusCode::OK.into_response(),
        Some(body) => Json(body).into_response(),
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
    verify(&state, &headers, &body)?;
    let command = payload::parse_command(&body)?;
    let user = command.user().map(str::to_owned);
    match state.on_command(command).await {
        Ok(reply) => Ok(respond(reply)),
        Err(e) if e.is_failure() => {
            tracing::error!(error = %crate::telemetry::chain(&e), "handling /help-it failed");
            Ok(Json(state.command_failed(user.as_deref())).into_response())
        }
        Err(e) => Err(e),
    }
}

async fn handle_events(
    State(state): State<Arc<Inbound>>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, Refusal> {
    verify(&state, &headers, &body)?;
    let push = state.with_filter(|filter| payload::parse_push(&body, filter))?;
    let reply = state
        .on_push(push, retry_num(&headers).unwrap_or(0))
        .await?;
    Ok(respond(reply))
}

async fn handle_interactivity(
    State(state): State<Arc<Inbound>>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, Refusal> {
    verify(&state, &headers, &body)?;
    let interaction = payload::parse_interaction(&body)?;
    Ok(respond(state.on_interaction(interaction).await?))
}
