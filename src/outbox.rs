//! Delivery of what the desk decided to say. Items were written to the store with the state
//! change that caused them; a worker delivers them in order, retries with exponential backoff
//! (honouring a platform's `Retry-After`), and after `outbox.give_up_after` moves an item to
//! the dead letters, where `frontdesk outbox retry ID` can revive it.
//!
//! The narrow window for a duplicate: the platform accepted a message, and the process died
//! before the delivery was recorded (one local transaction and flush later). After a restart
//! that message is sent again. Nothing is ever lost in that window.

use crate::clock::Clock;
use crate::core::{Platform, PostRef, RequestId, Timestamp};
use crate::engine::{Engine, EngineError};
use crate::store::{OutboxItem, StoreError};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;
use tokio_util::sync::CancellationToken;

/// The longest one delivery may take, all platform calls included.
pub const DELIVERY_TIMEOUT: Duration = Duration::from_secs(30);

/// What a platform gave back for a delivered message.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Delivered {
    /// The request card's reference, when the item posted it.
    pub card: Option<(RequestId, PostRef)>,
    /// Messages sent about a request, so a reply in their thread finds it.
    pub links: Vec<(PostRef, RequestId)>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DeliveryError {
    /// Worth trying again: network trouble, rate limits, 5xx.
    #[error("{reason}")]
    Retry {
        reason: String,
        after: Option<Duration>,
    },
    /// Something this item needs is not there yet (the card it replies under is unposted).
    #[error("not ready: {0}")]
    NotReady(String),
    /// Trying again won't help until someone fixes something (a channel the bot isn't in).
    #[error("{0}")]
    Permanent(String),
}

/// A platform's way of sending messages.
#[async_trait::async_trait]
pub trait Deliverer: Send + Sync {
    async fn deliver(&self, item: &OutboxItem) -> Result<Delivered, DeliveryError>;
}

#[derive(Debug, Clone, Copy)]
pub struct RetryPolicy {
    pub initial_backoff: Duration,
    pub max_backoff: Duration,
    pub give_up_after: Duration,
}

impl RetryPolicy {
    /// Exponential backoff from the number of failed attempts, at least what the platform asked.
    pub fn backoff(&self, attempts: u32, asked: Option<Duration>) -> Duration {
        let exp = self.initial_backoff.saturating_mul(
            1u32.checked_shl(attempts.saturating_sub(1).min(20))
                .unwrap_or(u32::MAX),
        );
        exp.min(self.max_backoff)
            .max(asked.unwrap_or(Duration::ZERO))
    }
}

/// Counters the worker keeps for /metrics.
#[derive(Debug, Default)]
pub struct OutboxStats {
    pub delivered: std::sync::atomic::AtomicU64,
    pub failed: std::sync::atomic::AtomicU64,
    pub dead: std::sync::atomic::AtomicU64,
    /// (platform, kind, outcome) → count
    pub by_method: std::sync::Mutex<HashMap<(String, String, String), u64>>,
}

impl OutboxStats {
    fn count(&self, platform: Platform, kind: &str, outcome: &str) {
        let mut m = self.by_method.lock().unwrap_or_else(|e| e.into_inner());
        *m.entry((platform.to_string(), kind.to_string(), outcome.to_string()))
            .or_default() += 1;
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Attempt {
    Delivered(u64),
    Retrying {
        id: u64,
        at: Timestamp,
    },
    DeadLettered(u64),
    /// Nothing due; the earliest waiting item falls due at this time, if any.
    Idle(Option<Timestamp>),
}

#[derive(Clone)]
pub struct OutboxWorker {
    engine: Engine,
    deliverers: HashMap<Platform, Arc<dyn Deliverer>>,
    policy: RetryPolicy,
    pub stats: Arc<OutboxStats>,
}

impl std::fmt::Debug for OutboxWorker {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OutboxWorker")
            .field("platforms", &self.deliverers.keys().collect::<Vec<_>>())
            .field("policy", &self.policy)
            .finish()
    }
}

#[derive(Debug, thiserror::Error)]
pub enum OutboxError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Engine(#[from] EngineError),
}

impl OutboxWorker {
    pub fn new(engine: Engine, policy: RetryPolicy) -> Self {
        OutboxWorker {
            engine,
            deliverers: HashMap::new(),
            policy,
            stats: Arc::new(OutboxStats::default()),
        }
    }

    pub fn with_deliverer(mut self, platform: Platform, deliverer: Arc<dyn Deliverer>) -> Self {
        self.deliverers.insert(platform, deliverer);
        self
    }

    fn clock(&self) -> &Arc<dyn Clock> {
        self.engine.clock()
    }

    /// Delivers the next due item, if any. Tests drive the outbox with this, one step at a time.
    ///
    /// # Errors
    /// Only storage failures; a failed delivery is a normal outcome (`Retrying`, `DeadLettered`).
    pub async fn try_deliver_next(&self) -> Result<Attempt, OutboxError> {
        let now = self.clock().now();
        let (item, next_due) = self.engine.store().next_outbox(now)?;
        let Some(mut item) = item else {
            return Ok(Attempt::Idle(next_due));
        };
        let span = tracing::info_span!("outbox.deliver", outbox_id = item.id, platform = %item.platform,
            kind = item.outgoing.kind(), request_id = tracing::field::Empty);
        if let Some(r) = item.outgoing.request() {
            span.record("request_id", tracing::field::display(r));
        }
        let _enter = span.enter();
        let kind = item.outgoing.kind();
        let result = match self.deliverers.get(&item.platform) {
            // A platform that accepts the connection and never answers must not stall every
            // message behind this one; the item is retried like any other failure.
            Some(d) => match tokio::time::timeout(DELIVERY_TIMEOUT, d.deliver(&item)).await {
                Ok(result) => result,
                Err(_) => Err(DeliveryError::Retry {
                    reason: format!("no answer within {DELIVERY_TIMEOUT:?}"),
                    after: None,
                }),
            },
            None => Err(DeliveryError::Permanent(format!(
                "{} is not configured",
                item.platform
            ))),
        };
        match result {
            Ok(delivered) => {
                let id = item.id;
                self.engine
                    .write(move |store| {
                        store.record_delivery(
                            id,
                            delivered.card.as_ref().map(|(r, p)| (r, p)),
                            &delivered.links,
                        )
                    })
                    .await??;
                self.stats
                    .delivered
                    .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                self.stats.count(item.platform, kind, "ok");
                tracing::debug!("delivered");
                Ok(Attempt::Delivered(id))
            }
            Err(err) => {
                self.stats
                    .failed
                    .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                self.stats.count(item.platform, kind, "error");
                item.attempts += 1;
                item.last_error = Some(err.to_string());
                let age = (now - item.created_at).to_std().unwrap_or_default();
                let give_up =
                    matches!(err, DeliveryError::Permanent(_)) || age >= self.policy.give_up_after;
                if give_up {
                    tracing::error!(error = %err, attempts = item.attempts, "delivery failed; moved to dead letters (`frontdesk outbox list`)");
                    let id = item.id;
                    self.engine
                        .write(move |store| store.dead_letter(&item))
                        .await??;
                    self.stats
                        .dead
                        .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    return Ok(Attempt::DeadLettered(id));
                }
                let asked = match &err {
                    DeliveryError::Retry { after, .. } => *after,
                    _ => None,
                };
                let wait = self.policy.backoff(item.attempts, asked);
                item.next_attempt_at =
                    now + chrono::Duration::from_std(wait).unwrap_or(chrono::Duration::MAX);
                tracing::warn!(error = %err, attempts = item.attempts, retry_in = ?wait, "delivery failed; will retry");
                let (id, at) = (item.id, item.next_attempt_at);
                self.engine
                    .write(move |store| store.update_outbox(&item))
                    .await??;
                Ok(Attempt::Retrying { id, at })
            }
        }
    }

    /// Delivers everything due now; returns how many attempts were made.
    pub async fn drain(&self) -> Result<usize, OutboxError> {
        let mut n = 0;
        loop {
            match self.try_deliver_next().await? {
                Attempt::Idle(_) => return Ok(n),
                _ => n += 1,
            }
            // A retry falls due in the future, so this loop ends; the guard is for clocks
            // that stand still while items are rescheduled to `now`.
            if n > 10_000 {
                return Ok(n);
            }
        }
    }

    /// Runs until `stop`, sleeping until the next item is due or a commit queues a new one.
    pub async fn run(self, stop: CancellationToken) {
        let wake = self.engine.outbox_wake();
        loop {
            let idle_until = match self.try_deliver_next().await {
                Ok(Attempt::Idle(next)) => next,
                Ok(_) => continue,
                Err(e) => {
                    tracing::error!(error = %e, "outbox worker: store error; pausing");
                    Some(self.clock().now() + chrono::Duration::seconds(1))
                }
            };
            let sleep = idle_until
                .map(|at| (at - self.clock().now()).to_std().unwrap_or_default())
                .unwrap_or(Duration::from_secs(3600));
            tokio::select! {
                _ = stop.cancelled() => return,
                _ = wake.notified() => {}
                _ = tokio::time::sleep(sleep) => {}
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_the_cap_and_honours_retry_after() {
        let p = RetryPolicy {
            initial_backoff: Duration::from_secs(1),
            max_backoff: Duration::from_secs(60),
            give_up_after: Duration::from_secs(3600),
        };
        assert_eq!(p.backoff(1, None), Duration::from_secs(1));
        assert_eq!(p.backoff(2, None), Duration::from_secs(2));
        assert_eq!(p.backoff(4, None), Duration::from_secs(8));
        assert_eq!(p.backoff(30, None), Duration::from_secs(60));
        assert_eq!(
            p.backoff(1, Some(Duration::from_secs(7))),
            Duration::from_secs(7)
        );
    }
}
