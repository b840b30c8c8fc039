//! `GET /metrics` and the middleware that times every HTTP request for it. What the numbers
//! are and how they are written lives in [`crate::metrics`]; this module only connects them
//! to the router.

use crate::metrics::{method_label, Metrics, Sources, CONTENT_TYPE};
use crate::state::AppState;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{header, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Instant;

/// The label for requests no route matched (404s): one series, whatever the path was.
pub const UNMATCHED: &str = "unmatched";

/// `GET /metrics`: the Prometheus text exposition format.
pub async fn metrics(State(state): State<AppState>) -> Response {
    // Rendering reads the store; keep it off the async workers.
    let rendered = tokio::task::spawn_blocking(move || {
        let ready = &state.readiness;
        state.metrics.render(&Sources {
            engine: &state.engine,
            config: &state.config,
            outbox: &state.outbox,
            scheduler: &state.scheduler,
            workers: [
                ("outbox", ready.outbox_running.load(Ordering::Relaxed)),
                ("scheduler", ready.scheduler_running.load(Ordering::Relaxed)),
            ],
            slack: state.slack.as_deref(),
        })
    })
    .await;
    match rendered {
        Ok(text) => ([(header::CONTENT_TYPE, CONTENT_TYPE)], text).into_response(),
        Err(e) => {
            tracing::error!(error = %crate::telemetry::chain(&e), "rendering metrics failed");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

/// Times each request until its response head and records it by route pattern (never the
/// raw path), method and status.
pub async fn track_latency(
    State(metrics): State<Arc<Metrics>>,
    request: Request,
    next: Next,
) -> Response {
    let endpoint = request
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_else(|| UNMATCHED.to_owned());
    let method = method_label(request.method());
    let started = Instant::now();
    let response = next.run(request).await;
    metrics.observe_http(
        &endpoint,
        method,
        response.status().as_u16(),
        started.elapsed(),
    );
    response
}
