//! Slack Socket Mode: the desk dials out to Slack over WebSockets and receives there what
//! the request URLs would receive, for a desk with no public HTTPS ingress.
//!
//! This module owns the connections, not the desk rules: each envelope's payload goes to the
//! same handlers as the HTTP path ([`crate::slack::handle`]).
//!
//! - [`envelope`]: the frames and the ack (pure).
//! - [`open`]: `apps.connections.open` with the app-level token.
//! - `connection`: one WebSocket, from hello to close, with pings.
//! - `dispatch`: one envelope, applied once, acknowledged after the commit.
//! - `recent`: envelope ids seen lately (in memory, bounded).
//!
//! [`SocketMode::run`] keeps `slack.socket.connections` connections (two by default: Slack
//! spreads envelopes over them, and one stays up while the other is replaced). Each is kept
//! by its own slot: when Slack announces a `disconnect`, or the socket goes quiet past its
//! ping, the slot opens the replacement first and closes the old connection after; a
//! connection that drops is re-opened. Failed attempts wait with exponential backoff and
//! jitter (`reconnect_initial_backoff` … `reconnect_max_backoff`).

mod connection;
mod dispatch;
pub(crate) mod envelope;
pub(crate) mod open;
mod recent;

use super::handle::Inbound;
use super::status::SlackStatus;
use crate::config::SocketModeConfig;
use connection::Live;
use open::Opener;
use std::hash::{BuildHasher, Hasher};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Semaphore;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;
use tracing::Instrument;

/// Envelope ids remembered in memory; Slack's redeliveries come within minutes.
const RECENT_ENVELOPES: usize = 20_000;
/// Envelopes applied at once over all connections; more wait, unread, on their socket.
const MAX_IN_FLIGHT: usize = 1024;

/// What every connection and envelope task shares.
#[derive(Debug)]
pub(crate) struct Shared {
    pub inbound: Arc<Inbound>,
    pub status: Arc<SlackStatus>,
    pub config: SocketModeConfig,
    pub recent: recent::Recent,
    pub in_flight: Arc<Semaphore>,
}

impl Shared {
    fn with_stats(&self, f: impl FnOnce(&crate::slack::status::SocketStats)) {
        if let Some(s) = self.status.socket() {
            f(s);
        }
    }
}

/// The Socket Mode client.
#[derive(Debug)]
pub(crate) struct SocketMode {
    shared: Arc<Shared>,
    opener: Opener,
    next_id: AtomicU64,
}

impl SocketMode {
    pub fn new(
        inbound: Arc<Inbound>,
        status: Arc<SlackStatus>,
        config: SocketModeConfig,
        opener: Opener,
    ) -> SocketMode {
        SocketMode {
            shared: Arc::new(Shared {
                inbound,
                status,
                config,
                recent: recent::Recent::new(RECENT_ENVELOPES),
                in_flight: Arc::new(Semaphore::new(MAX_IN_FLIGHT)),
            }),
            opener,
            next_id: AtomicU64::new(1),
        }
    }

    /// Keeps the connections until `stop`; then closes them, letting envelopes being applied
    /// finish and get their acks.
    pub async fn run(self: Arc<Self>, stop: CancellationToken) {
        let slots = TaskTracker::new();
        for slot in 0..self.shared.config.connections {
            let span = tracing::info_span!("slack.socket_slot", slot);
            slots.spawn(self.clone().keep_slot(stop.clone()).instrument(span));
        }
        slots.close();
        slots.wait().await;
        tracing::info!("Socket Mode connections closed");
    }

    /// One slot: a connection, replaced or re-opened whenever it ends, until `stop`.
    async fn keep_slot(self: Arc<Self>, stop: CancellationToken) {
        let mut backoff = Backoff::new(
            self.shared.config.reconnect_initial_backoff,
            self.shared.config.reconnect_max_backoff,
        );
        let Some(mut current) = self.connect(&mut backoff, &stop).await else {
            return;
        };
        loop {
            tokio::select! {
                _ = stop.cancelled() => {
                    current.close.cancel();
                    let _ = current.done.await;
                    return;
                }
                why = &mut current.done => {
                    let why = why.unwrap_or_else(|e| format!("the connection task failed: {e}"));
                    tracing::warn!(connection = current.id, why = %why, "Socket Mode connection lost; reconnecting");
                    self.note_reconnect();
                    // A little jitter so the slots don't all dial at the same instant.
                    let pause = jitter(self.shared.config.reconnect_initial_backoff) / 2;
                    tokio::select! {
                        _ = stop.cancelled() => return,
                        _ = tokio::time::sleep(pause) => {}
                    }
                    match self.connect(&mut backoff, &stop).await {
                        Some(next) => current = next,
                        None => return,
                    }
                }
                Some(why) = current.replace.recv() => {
                    self.note_reconnect();
                    // The old connection keeps serving until the new one said hello.
                    let Some(next) = self.connect(&mut backoff, &stop).await else {
                        current.close.cancel();
                        let _ = current.done.await;
                        return;
                    };
                    tracing::info!(connection = current.id, why = %why, "replacement is up; closing the old connection");
                    current.close.cancel();
                    // Its task drains the envelopes it is applying and closes by itself.
                    drop(std::mem::replace(&mut current, next));
                }
            }
        }
    }

    fn note_reconnect(&self) {
        if let Some(s) = self.shared.status.socket() {
            s.note_reconnect();
        }
    }

    /// Opens a connection, retrying with backoff until it is up; `None` once `stop` fires.
    async fn connect(&self, backoff: &mut Backoff, stop: &CancellationToken) -> Option<Live> {
        loop {
            let id = self.next_id.fetch_add(1, Ordering::Relaxed);
            let attempt = tokio::select! {
                _ = stop.cancelled() => return None,
                attempt = connection::connect(&self.shared, &self.opener, id) => attempt,
            };
            match attempt {
                Ok(live) => {
                    tracing::info!(connection = id, "Socket Mode connection up");
                    backoff.reset();
                    return Some(live);
                }
                Err(e) => {
                    if let Some(s) = self.shared.status.socket() {
                        s.note_connect_failure();
                    }
                    let wait = backoff.next().max(e.retry_after().unwrap_or_default());
                    tracing::warn!(problem = %e.describe(), retry_in = ?wait, "opening a Socket Mode connection failed");
                    tokio::select! {
                        _ = stop.cancelled() => return None,
                        _ = tokio::time::sleep(wait) => {}
                    }
                }
            }
        }
    }
}

/// Exponential backoff with jitter: each wait is drawn between half and all of the current
/// step, which doubles up to the cap, so many clients that lost Slack at the same moment
/// don't come back at the same moment.
#[derive(Debug)]
struct Backoff {
    initial: Duration,
    max: Duration,
    step: Duration,
}

impl Backoff {
    fn new(initial: Duration, max: Duration) -> Self {
        Backoff {
            initial,
            max: max.max(initial),
            step: initial,
        }
    }

    fn next(&mut self) -> Duration {
        let wait = self.step / 2 + jitter(self.step / 2);
        self.step = self.step.saturating_mul(2).min(self.max);
        wait
    }

    fn reset(&mut self) {
        self.step = self.initial;
    }
}

/// A random duration in `[0, up_to]`.
fn jitter(up_to: Duration) -> Duration {
    // std's hasher keys are random per process and per `RandomState`: enough for jitter.
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u64(up_to.as_nanos() as u64);
    let fraction = (h.finish() % 10_000) as f64 / 10_000.0;
    up_to.mul_f64(fraction)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_with_jitter_up_to_the_cap_and_starts_over_after_a_success() {
        let mut b = Backoff::new(Duration::from_secs(1), Duration::from_secs(8));
        let steps = [1u64, 2, 4, 8, 8, 8];
        for step in steps {
            let wait = b.next();
            let step = Duration::from_secs(step);
            assert!(
                wait >= step / 2 && wait <= step,
                "{wait:?} for a step of {step:?}"
            );
        }
        b.reset();
        assert!(b.next() <= Duration::from_secs(1));
    }
}
