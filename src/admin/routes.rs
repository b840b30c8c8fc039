//! `POST /admin/command`: the server's side of the CLI's `requests`, `stats`, `report` and
//! `outbox` commands while it holds the store.

use super::access::refusal_response;
use super::AdminAccess;
use super::{execute, AdminCommand, AdminError};
use crate::engine::Engine;
use axum::extract::{ConnectInfo, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use std::net::SocketAddr;
use std::sync::Arc;

/// `POST /admin/command`: runs an [`AdminCommand`] for the CLI on this host.
pub async fn admin_command(
    State(access): State<Arc<AdminAccess>>,
    State(engine): State<Engine>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    if let Err(refusal) = access.authorize(&headers, Some(peer)) {
        tracing::warn!(?refusal, %peer, "admin request refused");
        return refusal_response(refusal);
    }
    let command: AdminCommand = match serde_json::from_slice(&body) {
        Ok(c) => c,
        Err(e) => {
            return (
                StatusCode::BAD_REQUEST,
                format!("not an admin command: {e}\n"),
            )
                .into_response()
        }
    };
    tracing::info!(?command, "admin command");
    let now = engine.now();
    let result = if command.writes() {
        let cmd = command.clone();
        let r = engine.write(move |store| execute(store, &cmd, now)).await;
        engine.outbox_wake().notify_one();
        r.unwrap_or_else(|e| Err(AdminError::NoServer(e.to_string())))
    } else {
        let store = engine.store().clone();
        tokio::task::spawn_blocking(move || execute(&*store, &command, now))
            .await
            .unwrap_or_else(|e| Err(AdminError::NoServer(e.to_string())))
    };
    match result {
        Ok(text) => ([(header::CONTENT_TYPE, "text/plain; charset=utf-8")], text).into_response(),
        Err(e @ AdminError::NotFound(_)) => {
            (StatusCode::NOT_FOUND, format!("{e}\n")).into_response()
        }
        Err(e @ AdminError::BadInput(_)) => {
            (StatusCode::BAD_REQUEST, format!("{e}\n")).into_response()
        }
        Err(e @ AdminError::CheckFailed(_)) => {
            (StatusCode::CONFLICT, format!("{e}\n")).into_response()
        }
        Err(e) => {
            tracing::error!(error = %crate::telemetry::chain(&e), "admin command failed");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                "the store could not be read; see the server log\n",
            )
                .into_response()
        }
    }
}
