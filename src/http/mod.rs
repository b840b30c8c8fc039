//! The HTTP surface shared by all adapters: health, readiness, metrics, the admin backup
//! endpoint, request ids, tracing, latency histograms, body limits and timeouts. Platform
//! endpoints come from the adapters' own routers.
//!
//! Every request runs in an `http` span carrying `x_request_id` (the `x-request-id` header,
//! generated when absent and echoed in the response); log lines of the request carry it.

pub(crate) mod metrics;

use crate::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::Router;
use std::sync::atomic::Ordering;
use std::time::Duration;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

pub fn router(state: AppState, platforms: Router, max_body_bytes: usize) -> Router {
    let header = axum::http::HeaderName::from_static("x-request-id");
    Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics::metrics))
        .route("/admin/backup", post(crate::backup::admin_backup))
        .route("/admin/command", post(crate::admin::admin_command))
        .with_state(state.clone())
        .merge(platforms)
        .layer(RequestBodyLimitLayer::new(max_body_bytes))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            Duration::from_secs(10),
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.metrics.clone(),
            metrics::track_latency,
        ))
        .layer(PropagateRequestIdLayer::new(header.clone()))
        .layer(
            TraceLayer::new_for_http().make_span_with(|req: &axum::http::Request<_>| {
                // Borrowed, not copied: the span records them when it is created, and only
                // if it is enabled, so a request pays nothing for them at `warn`.
                let matched = req
                    .extensions()
                    .get::<axum::extract::MatchedPath>()
                    .map_or("", |m| m.as_str());
                let x_request_id = req
                    .headers()
                    .get("x-request-id")
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("");
                // `path` is the route pattern: raw paths and query strings stay out of logs.
                tracing::info_span!("http", method = %req.method(), path = %matched, x_request_id)
            }),
        )
        .layer(SetRequestIdLayer::new(header, MakeRequestUuid))
}

/// Alive unless the writer stopped: then every write fails, and only a restart helps.
async fn healthz(State(state): State<AppState>) -> impl IntoResponse {
    if state.engine.writer_running() {
        (StatusCode::OK, "ok")
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, "writer stopped")
    }
}

async fn readyz(State(state): State<AppState>) -> impl IntoResponse {
    let mut problems = Vec::new();
    if state.engine.store().schema_version().is_err() {
        problems.push("store not readable");
    }
    if !state.engine.writer_running() {
        problems.push("writer not running");
    }
    if crate::config::current(&state.config).departments.is_empty() {
        problems.push("no departments configured");
    }
    if state.background_workers {
        if !state.readiness.outbox_running.load(Ordering::Relaxed) {
            problems.push("outbox worker not running");
        }
        if !state.readiness.scheduler_running.load(Ordering::Relaxed) {
            problems.push("scheduler not running");
        }
    }
    if let Some(socket) = state.slack.as_ref().and_then(|s| s.socket()) {
        if socket.connections() <= 0 {
            problems.push("no Slack Socket Mode connection is up");
        }
    }
    if problems.is_empty() {
        (StatusCode::OK, "ready".to_string())
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, problems.join("; "))
    }
}
