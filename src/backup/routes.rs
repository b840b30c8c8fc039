//! `POST /admin/backup`: a running server's side of `frontdesk backup`.

use super::{snapshot_live, BackupError};
use crate::admin::AdminAccess;
use crate::engine::Engine;
use crate::metrics::Metrics;
use axum::body::Body;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use std::io::Write;
use std::net::SocketAddr;
use std::sync::Arc;
use tracing::Instrument;

/// `POST /admin/backup`: streams a consistent snapshot in the backup file format. The
/// response starts at once; a failure half-way ends the stream early, which the client
/// notices by the missing end record.
pub async fn admin_backup(
    State(access): State<Arc<AdminAccess>>,
    State(engine): State<Engine>,
    State(metrics): State<Arc<Metrics>>,
    request: Request,
) -> Response {
    let peer = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0);
    if let Err(refusal) = access.authorize(request.headers(), peer) {
        tracing::warn!(?refusal, peer = ?peer, "admin request refused");
        return crate::admin::refusal_response(refusal);
    }
    tracing::info!("backup requested");
    let (tx, rx) = tokio::sync::mpsc::channel::<Bytes>(16);
    tokio::spawn(
        async move {
            let result = async {
                let snapshot = snapshot_live(&engine).await?;
                tokio::task::spawn_blocking(move || snapshot.write_to(ChannelWriter { tx }))
                    .await
                    .map_err(|e| BackupError::Snapshot(e.to_string()))?
            }
            .await;
            match result {
                Ok(summary) => {
                    metrics.backup_finished(true);
                    tracing::info!(
                        requests = summary.requests,
                        entries = summary.entries,
                        bytes = summary.bytes,
                        sha256 = %summary.sha256,
                        "backup sent"
                    );
                }
                Err(e) => {
                    metrics.backup_finished(false);
                    tracing::error!(error = %crate::telemetry::chain(&e), "backup failed");
                }
            }
        }
        .instrument(tracing::Span::current()),
    );
    let body = Body::from_stream(futures::stream::unfold(rx, |mut rx| async move {
        rx.recv()
            .await
            .map(|chunk| (Ok::<_, std::io::Error>(chunk), rx))
    }));
    (
        [
            (header::CONTENT_TYPE, "application/x-ndjson"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        body,
    )
        .into_response()
}

/// Hands what is written to an async body stream, from a blocking thread.
struct ChannelWriter {
    tx: tokio::sync::mpsc::Sender<Bytes>,
}

impl Write for ChannelWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.tx
            .blocking_send(Bytes::copy_from_slice(buf))
            .map_err(|_| {
                std::io::Error::new(std::io::ErrorKind::BrokenPipe, "the client went away")
            })?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}
