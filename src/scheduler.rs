//! Reminders and expiries that must survive restarts. Timers live in the store, ordered by
//! due time; one task sleeps until the earliest, fires what is due, and sleeps again. No
//! polling over requests: a wake-up reads only the timers that are due.

mod digest;

use crate::core::TimerKind;
use crate::engine::{Engine, EngineError};
use crate::instrument::{describe, Labels};
use crate::store::StoreError;
use prometheus_client::collector::Collector;
use prometheus_client::encoding::DescriptorEncoder;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio_util::sync::CancellationToken;
use tracing::Instrument;

#[derive(Debug, thiserror::Error)]
pub enum SchedulerError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Engine(#[from] EngineError),
}

#[derive(Debug)]
pub struct SchedulerStats {
    pub fired: AtomicU64,
    /// Kept coarse on purpose: one counter per timer kind.
    fired_by_kind: Family<Labels, Counter>,
}

impl Default for SchedulerStats {
    fn default() -> Self {
        let fired_by_kind = Family::default();
        // Every kind shows from the start, at zero until one fires.
        for kind in crate::core::TimerKind::NAMES {
            fired_by_kind.get_or_create_owned(&vec![("kind", kind.to_string())]);
        }
        SchedulerStats {
            fired: AtomicU64::new(0),
            fired_by_kind,
        }
    }
}

/// Writes the timers fired, by kind, at each scrape.
#[derive(Debug)]
pub struct SchedulerCollector(pub Arc<SchedulerStats>);

impl Collector for SchedulerCollector {
    fn encode(&self, mut encoder: DescriptorEncoder) -> Result<(), std::fmt::Error> {
        describe(
            &mut encoder,
            "frontdesk_reminders_fired",
            "Timers fired since the process started, by kind.",
            &self.0.fired_by_kind,
        )
    }
}

#[derive(Debug, Clone)]
pub struct Scheduler {
    engine: Engine,
    /// How many overdue timers fire in one go; after a long outage the rest follow in batches.
    max_burst: usize,
    pub stats: Arc<SchedulerStats>,
    digest: digest::DigestSetup,
}

/// Platforms stop retrying a webhook within minutes; a day of event ids is plenty.
const KEEP_SEEN_EVENTS: chrono::Duration = chrono::Duration::hours(24);
const PRUNE_EVERY: Duration = Duration::from_secs(3600);

/// The pause between bursts of overdue timers, so a backlog doesn't flood a channel.
const BURST_PAUSE: Duration = Duration::from_secs(1);

impl Scheduler {
    pub fn new(engine: Engine, max_burst: usize) -> Self {
        Scheduler {
            engine,
            max_burst: max_burst.max(1),
            stats: Arc::new(SchedulerStats::default()),
            digest: digest::DigestSetup::default(),
        }
    }

    /// Fires the timers due now, at most one burst. Returns how many fired.
    ///
    /// # Errors
    /// Storage failures.
    pub async fn fire_due(&self) -> Result<usize, SchedulerError> {
        // Cheap unless the digest settings changed: at start, and after a reload.
        self.catch_up_digests().await?;
        let now = self.engine.now();
        let due = self.engine.store().due_timers(now, self.max_burst)?;
        let mut fired = 0;
        for (id, timer) in due {
            let kind = timer.kind.name();
            let span =
                tracing::info_span!("scheduler.fire", kind, request_id = tracing::field::Empty);
            if let Some(r) = timer.kind.request() {
                span.record("request_id", tracing::field::display(r));
            }
            // Attached to the future, not entered: a guard held across `.await` would mark
            // whatever else runs on this thread meanwhile with this timer's span.
            let applied = match timer.kind {
                TimerKind::Digest { .. } => self.fire_digest(id, timer).instrument(span).await?,
                _ => {
                    self.engine
                        .fire_timer(id, timer)
                        .instrument(span)
                        .await?
                        .applied
                }
            };
            if applied {
                fired += 1;
                self.stats.fired.fetch_add(1, Ordering::Relaxed);
                self.stats
                    .fired_by_kind
                    .get_or_create(&vec![("kind", kind.to_string())])
                    .inc();
            }
        }
        Ok(fired)
    }

    /// Timers due now that have not fired yet.
    pub fn due_count(&self) -> usize {
        self.engine
            .store()
            .due_timer_count(self.engine.now())
            .unwrap_or(0)
    }

    /// Forgets webhook event ids older than a day, so the dedup set stays small.
    async fn prune_seen_events(&self) {
        let cutoff = self.engine.now() - KEEP_SEEN_EVENTS;
        match self
            .engine
            .write(move |store| store.prune_seen(cutoff))
            .await
        {
            Ok(Ok(n)) if n > 0 => tracing::debug!(pruned = n, "forgot old webhook event ids"),
            Ok(Ok(_)) => {}
            Ok(Err(e)) => {
                tracing::warn!(error = %crate::telemetry::chain(&e), "pruning webhook event ids failed")
            }
            Err(e) => {
                tracing::warn!(error = %crate::telemetry::chain(&e), "pruning webhook event ids failed")
            }
        }
    }

    /// Gives every closed request whose department keeps content for a limited time a
    /// retention timer, if it has none: requests closed before `retention` was configured (or
    /// before it was shortened) are covered too. Reads the requests off the writer thread;
    /// each timer is written on it. Returns how many were scheduled.
    ///
    /// # Errors
    /// Storage failures.
    pub async fn catch_up_retention(&self) -> Result<usize, SchedulerError> {
        let rules = self.engine.rules();
        if rules.departments.iter().all(|d| d.retention.is_none()) {
            return Ok(0);
        }
        let store = self.engine.store().clone();
        let missing = tokio::task::spawn_blocking(move || -> Result<Vec<_>, StoreError> {
            let mut missing = Vec::new();
            for r in store.all_requests() {
                let r = r?;
                let Some(at) = crate::core::retention_due(&r, &rules) else {
                    continue;
                };
                let kind = crate::core::TimerKind::ContentRetention { request: r.id };
                let pending = store.timers_for_owner(&kind.owner())?;
                if !pending.iter().any(|(_, t)| t.kind == kind && t.at <= at) {
                    missing.push(crate::core::Timer { at, kind });
                }
            }
            Ok(missing)
        })
        .await
        .map_err(|e| StoreError::Corrupt {
            tree: "requests",
            message: e.to_string(),
        })??;
        let count = missing.len();
        for chunk in missing.chunks(256) {
            let chunk = chunk.to_vec();
            let now = self.engine.now();
            self.engine
                .write(move |store| {
                    store.commit_step(crate::store::StepWrite {
                        schedule: &chunk,
                        ..crate::store::StepWrite::at(now)
                    })
                })
                .await??;
        }
        if count > 0 {
            self.engine.timer_wake().notify_one();
            tracing::info!(
                count,
                "scheduled content retention for requests closed earlier"
            );
        }
        Ok(count)
    }

    /// The departments' retention periods, to notice a reload that changed them.
    fn retention_settings(&self) -> Vec<Option<chrono::Duration>> {
        self.engine
            .rules()
            .departments
            .iter()
            .map(|d| d.retention)
            .collect()
    }

    pub async fn run(self, stop: CancellationToken) {
        let mut retention_seen = None;
        let wake = self.engine.timer_wake();
        let backlog = self.due_count();
        if backlog > self.max_burst {
            tracing::warn!(
                backlog,
                burst = self.max_burst,
                "reminders fell due while stopped; firing them in bursts"
            );
        } else if backlog > 0 {
            tracing::info!(backlog, "firing reminders that fell due while stopped");
        }
        let mut last_prune: Option<tokio::time::Instant> = None;
        loop {
            // At the start, and after a reload that changed a retention period.
            let retention = self.retention_settings();
            if retention_seen.as_ref() != Some(&retention) {
                if let Err(e) = self.catch_up_retention().await {
                    tracing::error!(error = %crate::telemetry::chain(&e), "scheduling content retention failed");
                }
                retention_seen = Some(retention);
            }
            if last_prune.is_none_or(|t| t.elapsed() >= PRUNE_EVERY) {
                last_prune = Some(tokio::time::Instant::now());
                self.prune_seen_events().await;
            }
            let pause = match self.fire_due().await {
                Ok(n) if n >= self.max_burst => Some(BURST_PAUSE),
                Ok(_) => None,
                Err(e) => {
                    tracing::error!(error = %crate::telemetry::chain(&e), "scheduler: store error; pausing");
                    Some(BURST_PAUSE)
                }
            };
            let sleep = pause.unwrap_or_else(|| match self.engine.store().next_timer() {
                Ok(Some((_, t))) => (t.at - self.engine.now()).to_std().unwrap_or_default(),
                // Nothing scheduled: wait for a commit to schedule something.
                _ => Duration::from_secs(3600),
            });
            // Wall-clock jumps (suspend, NTP) are caught by looking again at least hourly.
            let sleep = sleep.min(Duration::from_secs(3600));
            tokio::select! {
                _ = stop.cancelled() => return,
                _ = wake.notified() => {}
                _ = tokio::time::sleep(sleep) => {}
            }
        }
    }
}
