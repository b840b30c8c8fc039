//! `GET /metrics` and the middleware that times every HTTP request for it. What the numbers
//! are and how they are written lives in [`crate::metrics`]; this module only connects them
//! to the router.

use crate::metrics::{method_label, Format, Metrics};
use crate::state::AppState;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::sync::Arc;
use std::time::Instant;

/// The label for requests no route matched (404s): one series, whatever the path was.
pub const UNMATCHED: &str = "unmatched";

/// `GET /metrics`: the text format 0.0.4, or OpenMetrics when the scraper's `Accept` asks
/// for it.
pub async fn metrics(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let format = Format::from_accept(headers.get(header::ACCEPT).and_then(|v| v.to_str().ok()));
    // Encoding reads the store; keep it off the async workers.
    let encoded = tokio::task::spawn_blocking(move || state.metrics.encode(format)).await;
    match encoded {
        Ok(Ok(text)) => ([(header::CONTENT_TYPE, format.content_type())], text).into_response(),
        Ok(Err(e)) => {
            tracing::error!(error = %e, "encoding metrics failed");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
        Err(e) => {
            tracing::error!(error = %crate::telemetry::chain(&e), "encoding metrics failed");
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
