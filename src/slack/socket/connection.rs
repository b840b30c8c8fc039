//! One Socket Mode connection, from `apps.connections.open` to its close.
//!
//! [`connect`] asks for a URL, opens the WebSocket and waits for Slack's `hello`; only then
//! does the connection count as up. [`Live`] is the running connection: it reads frames, hands
//! each envelope to its own task ([`super::dispatch`]) and writes the acknowledgements those
//! tasks send back, pings Slack every `ping_interval`, and asks its keeper for a replacement
//! when Slack announces a `disconnect` or the socket stays silent past `ping_timeout` after a
//! ping. It keeps serving until the keeper closes it, once the replacement is up.
//!
//! Closing drains: envelopes already being applied still get their ack on this socket (if it
//! still carries anything), then a close frame goes out. An envelope whose ack is lost with a
//! dropped socket is delivered again by Slack and answered from the de-duplication.

use super::dispatch;
use super::envelope::{self, Frame};
use super::open::{OpenError, Opener};
use super::Shared;
use futures::{SinkExt, StreamExt};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use tokio::time::Instant;
use tokio_tungstenite::tungstenite::Message;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;
use tracing::Instrument;

type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// How long opening the WebSocket and waiting for `hello` may take.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// How long a closing connection waits for the envelopes it is applying.
const DRAIN_LIMIT: Duration = Duration::from_secs(5);

#[derive(Debug, thiserror::Error)]
pub enum ConnectError {
    #[error(transparent)]
    Open(#[from] OpenError),
    #[error("opening the WebSocket: {0}")]
    WebSocket(String),
    #[error("no hello from Slack: {0}")]
    NoHello(String),
}

impl ConnectError {
    pub fn describe(&self) -> String {
        match self {
            ConnectError::Open(e) => e.describe(),
            other => other.to_string(),
        }
    }

    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            ConnectError::Open(e) => e.retry_after(),
            _ => None,
        }
    }
}

/// A connection that said hello and is serving.
#[derive(Debug)]
pub struct Live {
    pub id: u64,
    /// Why Slack or the pings want this connection replaced (at most one message).
    pub replace: mpsc::Receiver<String>,
    /// Cancel to close it (after the replacement is up, or at shutdown).
    pub close: CancellationToken,
    /// Ends with why the connection ended.
    pub done: JoinHandle<String>,
}

/// Opens connection `id`: a fresh URL, the WebSocket, Slack's `hello`.
///
/// # Errors
/// Any step failed; nothing is left open.
pub async fn connect(shared: &Arc<Shared>, opener: &Opener, id: u64) -> Result<Live, ConnectError> {
    let url = opener.open().await?;
    let (mut socket, early) = tokio::time::timeout(CONNECT_TIMEOUT, async {
        // No Nagle: an ack is one small frame, and holding it back adds its wait to Slack's
        // 3-second budget.
        let (mut socket, _) =
            tokio_tungstenite::connect_async_with_config(url.as_str(), None, true)
                .await
                .map_err(|e| ConnectError::WebSocket(e.to_string()))?;
        // Slack sends hello first; anything before it is kept and served after it.
        let mut early = Vec::new();
        loop {
            match socket.next().await {
                Some(Ok(Message::Text(text))) => match envelope::parse(&text) {
                    Ok(Frame::Hello { num_connections }) => {
                        tracing::debug!(num_connections, "hello from Slack");
                        return Ok((socket, early));
                    }
                    _ => early.push(text.to_string()),
                },
                Some(Ok(_)) => {}
                Some(Err(e)) => return Err(ConnectError::NoHello(e.to_string())),
                None => return Err(ConnectError::NoHello("the connection closed".into())),
            }
        }
    })
    .await
    .map_err(|_| ConnectError::NoHello(format!("nothing within {CONNECT_TIMEOUT:?}")))??;
    let _ = socket.flush().await;
    let (replace_tx, replace) = mpsc::channel(1);
    let close = CancellationToken::new();
    shared.with_stats(|s| s.connection_up());
    let span = tracing::info_span!("slack.socket", connection = id);
    let done = tokio::spawn(
        serve(socket, shared.clone(), replace_tx, close.clone(), early).instrument(span),
    );
    Ok(Live {
        id,
        replace,
        close,
        done,
    })
}

/// The connection's loop; returns why it ended.
async fn serve(
    mut socket: Socket,
    shared: Arc<Shared>,
    replace: mpsc::Sender<String>,
    close: CancellationToken,
    early: Vec<String>,
) -> String {
    let (acks_tx, mut acks) = mpsc::unbounded_channel::<String>();
    let handlers = TaskTracker::new();
    let mut asked = false;
    let mut ask_replacement = |why: String| {
        if !asked {
            asked = true;
            let _ = replace.try_send(why);
        }
    };
    for text in early {
        if let Some(why) = on_text(&text, &shared, &handlers, &acks_tx).await {
            ask_replacement(why);
        }
    }
    let every = shared.config.ping_interval;
    let mut ping = tokio::time::interval_at(Instant::now() + every, every);
    ping.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    // Set when a ping went out and nothing has come back since.
    let mut silent_after: Option<Instant> = None;
    let why = loop {
        tokio::select! {
            biased;
            _ = close.cancelled() => break "closed by frontdesk".to_string(),
            Some(ack) = acks.recv() => {
                if let Err(e) = socket.send(Message::text(ack)).await {
                    break format!("sending an ack failed: {e}");
                }
            }
            frame = socket.next() => {
                silent_after = None;
                match frame {
                    Some(Ok(Message::Text(text))) => {
                        if let Some(why) = on_text(&text, &shared, &handlers, &acks_tx).await {
                            ask_replacement(why);
                        }
                    }
                    Some(Ok(Message::Close(frame))) => {
                        break format!("closed by Slack ({})", frame.map(|f| f.reason.to_string()).unwrap_or_default());
                    }
                    Some(Ok(_)) => {} // pings (answered by the library), pongs, binary
                    Some(Err(e)) => break format!("the connection failed: {e}"),
                    None => break "the connection ended".to_string(),
                }
            }
            _ = ping.tick() => {
                if let Err(e) = socket.send(Message::Ping(Default::default())).await {
                    break format!("sending a ping failed: {e}");
                }
                silent_after.get_or_insert(Instant::now() + shared.config.ping_timeout);
            }
            _ = sleep_until(silent_after) => {
                tracing::warn!(timeout = ?shared.config.ping_timeout, "no answer to a ping; replacing the connection");
                silent_after = None;
                ask_replacement("silent past its ping".to_string());
            }
        }
    };
    tracing::info!(why = %why, "Socket Mode connection ending");
    // What is being applied still gets its ack here, if this socket still carries anything.
    handlers.close();
    let drain = async {
        loop {
            tokio::select! {
                _ = handlers.wait() => break,
                Some(ack) = acks.recv() => { let _ = socket.send(Message::text(ack)).await; }
            }
        }
        while let Ok(ack) = acks.try_recv() {
            let _ = socket.send(Message::text(ack)).await;
        }
        let _ = socket.close(None).await;
    };
    if tokio::time::timeout(DRAIN_LIMIT, drain).await.is_err() {
        tracing::warn!(limit = ?DRAIN_LIMIT, "envelopes still being applied when the connection closed; Slack will deliver them again");
    }
    shared.with_stats(|s| s.connection_down());
    why
}

async fn sleep_until(at: Option<Instant>) {
    match at {
        Some(at) => tokio::time::sleep_until(at).await,
        None => std::future::pending().await,
    }
}

/// One text frame; returns why to replace the connection when Slack asks for it.
async fn on_text(
    text: &str,
    shared: &Arc<Shared>,
    handlers: &TaskTracker,
    acks: &mpsc::UnboundedSender<String>,
) -> Option<String> {
    match envelope::parse(text) {
        Ok(Frame::Envelope(envelope)) => {
            // Backpressure: with every permit taken, stop reading until one is free.
            let permit = match shared.in_flight.clone().acquire_owned().await {
                Ok(p) => p,
                Err(_) => return None,
            };
            let span = tracing::info_span!("slack.envelope", envelope_id = %envelope.id,
                kind = envelope.kind.as_str(), retry = envelope.retry_attempt);
            handlers.spawn(
                dispatch::handle(shared.clone(), envelope, acks.clone(), permit).instrument(span),
            );
            None
        }
        Ok(Frame::Disconnect { reason }) => {
            tracing::info!(reason = %reason, "Slack asked to reconnect; opening a replacement first");
            Some(format!("disconnect: {reason}"))
        }
        Ok(Frame::Hello { .. }) => None,
        Ok(Frame::Other { kind }) => {
            tracing::debug!(%kind, "a Socket Mode frame we don't use");
            None
        }
        Err(e) => {
            // Without an envelope id there is nothing to acknowledge.
            tracing::warn!(error = %crate::telemetry::chain(&e), "unreadable Socket Mode frame ignored");
            None
        }
    }
}
