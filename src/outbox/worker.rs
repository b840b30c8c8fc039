//! The outbox worker: picks the due heads of the conversation lanes, delivers up to the
//! adaptive limit of them at once, and records each outcome through the engine, where
//! concurrent outcomes share one flush (group commit).

use super::limit::{AdaptiveLimit, Signal, QUICK};
use super::record::Recorder;
use super::{Deliverer, DeliveryError, OutboxStats, RetryPolicy, DELIVERY_TIMEOUT};
use crate::clock::Clock;
use crate::core::{Platform, Timestamp};
use crate::engine::{Engine, EngineError};
use crate::store::{OutboxItem, StoreError};
use futures::FutureExt;
use std::collections::{HashMap, HashSet};
use std::panic::AssertUnwindSafe;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;
use tracing::Instrument;

/// How long the worker leaves between two looks at the queue, per delivery in flight: 10 ms
/// with 512 in flight, when each delivery takes 50 ms or more anyway; nothing with none.
const LOOK_SPACING_PER_IN_FLIGHT: Duration = Duration::from_micros(20);

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Attempt {
    Delivered(u64),
    Retrying {
        id: u64,
        at: Timestamp,
    },
    /// Put off by pacing or a platform's pause; no attempt counted.
    Deferred {
        id: u64,
        at: Timestamp,
    },
    DeadLettered(u64),
    /// Nothing due; the earliest waiting item falls due at this time, if any.
    Idle(Option<Timestamp>),
}

/// What a delivery task gives back: the item, when it started, and how it went.
type Finished = (u64, Instant, Result<(Attempt, Signal), OutboxError>);

#[derive(Clone)]
pub struct OutboxWorker {
    engine: Engine,
    deliverers: HashMap<Platform, Arc<dyn Deliverer>>,
    policy: RetryPolicy,
    limit: Arc<AdaptiveLimit>,
    /// Items with a smaller id were waiting when a run stopped uncleanly.
    suspect_below: Arc<AtomicU64>,
    /// Plain deliveries, recorded together (see [`Recorder`]).
    recorder: Arc<Recorder>,
    pub stats: Arc<OutboxStats>,
}

impl std::fmt::Debug for OutboxWorker {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OutboxWorker")
            .field("platforms", &self.deliverers.keys().collect::<Vec<_>>())
            .field("policy", &self.policy)
            .field("limit", &self.limit)
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
    /// A worker with at most `concurrency` deliveries in flight (`outbox.concurrency`).
    pub fn new(engine: Engine, policy: RetryPolicy, concurrency: usize) -> Self {
        OutboxWorker {
            engine,
            deliverers: HashMap::new(),
            policy,
            limit: Arc::new(AdaptiveLimit::new(concurrency)),
            suspect_below: Arc::default(),
            recorder: Arc::default(),
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

    /// How many deliveries may be in flight now, and the most there may ever be.
    pub fn concurrency(&self) -> (usize, usize) {
        (self.limit.current(), self.limit.ceiling())
    }

    /// Per platform, how many methods or conversations it has paused now.
    pub fn paused(&self) -> Vec<(Platform, usize)> {
        let mut out: Vec<_> = self
            .deliverers
            .iter()
            .map(|(p, d)| (*p, d.paused()))
            .collect();
        out.sort_by_key(|(p, _)| p.to_string());
        out
    }

    /// Delivers the next due item, if any, and waits for it. Tests drive the outbox with
    /// this, one step at a time.
    ///
    /// # Errors
    /// Only storage failures; a failed delivery is a normal outcome (`Retrying`, `DeadLettered`).
    pub async fn try_deliver_next(&self) -> Result<Attempt, OutboxError> {
        let now = self.clock().now();
        let (item, next_due) = self.engine.store().next_outbox(now)?;
        let Some(item) = item else {
            return Ok(Attempt::Idle(next_due));
        };
        let span = delivery_span(&item);
        let (attempt, _) = self.attempt(item).instrument(span).await?;
        Ok(attempt)
    }

    /// Delivers everything due now, one at a time; returns how many attempts were made.
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

    /// One delivery of `item`, from the sending mark to the recorded outcome.
    async fn attempt(&self, mut item: OutboxItem) -> Result<(Attempt, Signal), OutboxError> {
        if item.id < self.suspect_below.load(Ordering::Relaxed) {
            // Waiting when a run stopped uncleanly: it may be on the platform already.
            item.sending = true;
        }
        let kind = item.outgoing.kind();
        let deliverer = self.deliverers.get(&item.platform).cloned();
        let result = match &deliverer {
            // A platform that accepts the connection and never answers holds only this
            // item's conversation; it is retried like any other failure.
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
        let now = self.clock().now();
        match result {
            Ok(delivered) => {
                let id = item.id;
                if delivered.card.is_none() && delivered.links.is_empty() {
                    self.recorder.record(&self.engine, id).await?;
                } else {
                    self.engine
                        .write(move |store| {
                            store.record_delivery(
                                id,
                                delivered.card.as_ref().map(|(r, p)| (r, p)),
                                &delivered.links,
                            )
                        })
                        .await??;
                }
                self.stats.count(item.platform, kind, true);
                tracing::debug!("delivered");
                Ok((Attempt::Delivered(id), Signal::Quick))
            }
            Err(DeliveryError::Deferred { wait, reason }) => {
                self.stats.count_deferral(item.platform, reason);
                item.next_attempt_at = now + to_chrono(wait);
                tracing::debug!(reason = reason.as_str(), wait = ?wait, "delivery put off");
                let (id, at) = (item.id, item.next_attempt_at);
                self.engine
                    .write(move |store| store.update_outbox(&item))
                    .await??;
                Ok((Attempt::Deferred { id, at }, Signal::Neutral))
            }
            Err(err) => {
                self.stats.count(item.platform, kind, false);
                let signal = match &err {
                    DeliveryError::Retry { .. } => Signal::Overloaded,
                    _ => Signal::Neutral,
                };
                item.attempts += 1;
                item.last_error = Some(err.to_string());
                // A timeout or a dropped connection may come after the platform took the
                // message: the next attempt asks it first.
                if matches!(err, DeliveryError::Retry { .. }) {
                    item.sending = true;
                }
                let age = (now - item.created_at).to_std().unwrap_or_default();
                let give_up =
                    matches!(err, DeliveryError::Permanent(_)) || age >= self.policy.give_up_after;
                if give_up {
                    tracing::error!(error = %crate::telemetry::chain(&err), attempts = item.attempts, "delivery failed; moved to dead letters (`frontdesk outbox list`)");
                    let id = item.id;
                    self.engine
                        .write(move |store| store.dead_letter(&item))
                        .await??;
                    self.stats.dead.inc();
                    return Ok((Attempt::DeadLettered(id), signal));
                }
                let asked = match &err {
                    DeliveryError::Retry { after, .. } => *after,
                    _ => None,
                };
                let wait = self.policy.backoff(item.attempts, asked);
                item.next_attempt_at = now + to_chrono(wait);
                tracing::warn!(error = %crate::telemetry::chain(&err), attempts = item.attempts, retry_in = ?wait, "delivery failed; will retry");
                let (id, at) = (item.id, item.next_attempt_at);
                self.engine
                    .write(move |store| store.update_outbox(&item))
                    .await??;
                Ok((Attempt::Retrying { id, at }, signal))
            }
        }
    }

    /// Runs until `stop`: keeps as many deliveries in flight as the limit allows, each
    /// conversation's one at a time, and sleeps until the next item is due, a delivery
    /// finishes or a commit queues a new one. On `stop`, lets the deliveries in flight finish.
    pub async fn run(self, stop: CancellationToken) {
        let session = self
            .engine
            .write(|store| store.begin_delivery_session())
            .await;
        match flatten(session) {
            Ok(session) => {
                if session.unclean {
                    tracing::warn!(
                        "the last run stopped without finishing its deliveries; the messages waiting then are checked with the platform before they are sent again"
                    );
                }
                self.suspect_below
                    .store(session.suspect_below, Ordering::Relaxed);
            }
            Err(e) => {
                tracing::error!(error = %crate::telemetry::chain(&e), "starting a delivery session failed")
            }
        }
        let wake = self.engine.outbox_wake();
        let mut tasks: JoinSet<Finished> = JoinSet::new();
        let mut in_flight: HashSet<u64> = HashSet::new();
        let mut last_look: Option<tokio::time::Instant> = None;
        loop {
            // A look at the queue walks past every item in flight; with many in flight, look
            // less often and take in more at once.
            let spacing = LOOK_SPACING_PER_IN_FLIGHT * in_flight.len() as u32;
            let look_at = last_look.map(|at| at + spacing);
            let now = tokio::time::Instant::now();
            let sleep = match look_at {
                Some(at) if at > now => at - now,
                _ => {
                    last_look = Some(now);
                    self.dispatch(&mut tasks, &mut in_flight)
                        .map(|at| (at - self.clock().now()).to_std().unwrap_or_default())
                        .unwrap_or(Duration::from_secs(3600))
                }
            };
            tokio::select! {
                _ = stop.cancelled() => break,
                Some(done) = tasks.join_next(), if !tasks.is_empty() => {
                    self.finished(done, &mut in_flight);
                    // Take in every delivery that finished meanwhile, so the next look at
                    // the queue fills all the room at once instead of one slot per look.
                    while let Some(done) = tasks.try_join_next() {
                        self.finished(done, &mut in_flight);
                    }
                }
                _ = wake.notified() => {}
                _ = tokio::time::sleep(sleep) => {}
            }
        }
        while let Some(done) = tasks.join_next().await {
            self.finished(done, &mut in_flight);
        }
        // Reached only when nothing is in flight; a stop that gives up on a stuck delivery
        // never gets here, and the next session suspects the waiting items.
        let ended = self
            .engine
            .write(|store| store.end_delivery_session())
            .await;
        if let Err(e) = flatten(ended) {
            tracing::error!(error = %crate::telemetry::chain(&e), "ending the delivery session failed");
        }
    }

    /// Starts deliveries of due items while there is room; returns when to look again if
    /// nothing more is due.
    fn dispatch(
        &self,
        tasks: &mut JoinSet<Finished>,
        in_flight: &mut HashSet<u64>,
    ) -> Option<Timestamp> {
        let room = self.limit.current().saturating_sub(in_flight.len());
        if room == 0 {
            return None;
        }
        let now = self.clock().now();
        let (items, next) = match self
            .engine
            .store()
            .due_outbox(now, room, &|id| in_flight.contains(&id))
        {
            Ok(found) => found,
            Err(e) => {
                tracing::error!(error = %crate::telemetry::chain(&e), "outbox worker: store error; pausing");
                return Some(now + chrono::Duration::seconds(1));
            }
        };
        for item in items {
            in_flight.insert(item.id);
            self.stats.in_flight.inc();
            let worker = self.clone();
            let (id, span) = (item.id, delivery_span(&item));
            tasks.spawn(
                async move {
                    let started = Instant::now();
                    let attempt = AssertUnwindSafe(worker.attempt(item)).catch_unwind().await;
                    let result = match attempt {
                        Ok(result) => result,
                        Err(_) => worker.after_panic(id).await,
                    };
                    (id, started, result)
                }
                .instrument(span),
            );
        }
        next
    }

    /// A delivery panicked: the item is retried later like a failure, instead of being
    /// offered again at once and panicking in a loop.
    async fn after_panic(&self, id: u64) -> Result<(Attempt, Signal), OutboxError> {
        tracing::error!("delivery panicked; will retry");
        let now = self.clock().now();
        let Some(mut item) = self.engine.store().outbox_item(id)? else {
            return Ok((Attempt::Idle(None), Signal::Neutral));
        };
        item.attempts += 1;
        item.last_error = Some("the delivery panicked".into());
        item.next_attempt_at = now + to_chrono(self.policy.backoff(item.attempts, None));
        let at = item.next_attempt_at;
        self.engine
            .write(move |store| store.update_outbox(&item))
            .await??;
        Ok((Attempt::Retrying { id, at }, Signal::Neutral))
    }

    fn finished(
        &self,
        done: Result<Finished, tokio::task::JoinError>,
        in_flight: &mut HashSet<u64>,
    ) {
        let (id, started, result) = match done {
            Ok(done) => done,
            // Only when the runtime shuts down: panics are caught inside the task.
            Err(e) => {
                tracing::error!(error = %crate::telemetry::chain(&e), "a delivery task was cancelled");
                return;
            }
        };
        in_flight.remove(&id);
        self.stats.in_flight.dec();
        match result {
            Ok((_, signal)) => {
                let signal = if signal == Signal::Quick && started.elapsed() > QUICK {
                    Signal::Neutral
                } else {
                    signal
                };
                self.limit.record(signal, started);
            }
            Err(e) => {
                tracing::error!(error = %crate::telemetry::chain(&e), outbox_id = id, "outbox worker: recording a delivery failed")
            }
        }
    }
}

/// A write's two failures as one.
fn flatten<T>(result: Result<Result<T, StoreError>, EngineError>) -> Result<T, OutboxError> {
    Ok(result??)
}

fn to_chrono(wait: Duration) -> chrono::Duration {
    chrono::Duration::from_std(wait).unwrap_or(chrono::Duration::MAX)
}

/// The span of one delivery: the item, its platform and kind, and the request it is about.
fn delivery_span(item: &OutboxItem) -> tracing::Span {
    let span = tracing::info_span!("outbox.deliver", outbox_id = item.id, platform = %item.platform,
        kind = item.outgoing.kind(), request_id = tracing::field::Empty);
    if let Some(r) = item.outgoing.request() {
        span.record("request_id", tracing::field::display(r));
    }
    span
}
