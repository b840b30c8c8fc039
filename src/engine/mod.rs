//! The imperative shell around the core: load a snapshot, `core::step`, commit the
//! transition, and only then answer.
//!
//! All writes go through one writer thread. It applies every job waiting in its queue, calls
//! `flush` once for the whole batch, and only then answers each caller (group commit): each
//! acknowledged change is on disk, and a busy server pays one fsync per batch, not per request.
//! Reads go to the store directly from any thread.

use crate::clock::Clock;
use crate::core::{
    self, Effect, Event, Input, Message, Outgoing, Platform, Request, Rules, Timer, Timestamp,
};
use crate::store::{CommitOutcome, DeskStore, StepWrite, StoreError, TimerId};
use std::collections::HashMap;
use std::sync::mpsc;
use std::sync::{Arc, Mutex, RwLock};
use tokio::sync::{oneshot, Notify};
use tracing::Instrument;

mod stats;
pub use stats::{EngineCollector, EngineStats};

#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("the desk is shutting down")]
    Stopped,
    /// The work panicked; it was set aside and the writer went on with the next.
    #[error("the step failed unexpectedly and was set aside: {0}")]
    Panicked(String),
}

/// What a step did, for the adapter that answers the platform.
#[derive(Debug, Clone, Default)]
pub struct StepOutcome {
    /// False when the event id was seen before (or the timer already fired): nothing changed.
    pub applied: bool,
    /// Immediate answers for where the user acted.
    pub replies: Vec<Message>,
    /// Requests created or changed by the step, as stored.
    pub requests: Vec<Request>,
    pub outbox_ids: Vec<u64>,
    pub timers_scheduled: usize,
    /// The history entries the step appended, with their request's department (for metrics).
    pub events: Vec<(String, Event)>,
    /// The service levels the step settled: (department, level, met), for metrics.
    pub service_levels: Vec<(String, core::Level, bool)>,
    /// A submitted form sent back, field by field; nothing was written.
    pub form_errors: Vec<(String, core::Text)>,
}

type Completion = Box<dyn FnOnce() + Send>;
type Job = Box<dyn FnOnce(&dyn DeskStore) -> Completion + Send>;

/// Handle to the desk. Cheap to clone; all clones share one writer.
#[derive(Clone, Debug)]
pub struct Engine {
    inner: Arc<Inner>,
}

struct Inner {
    /// Any backend: the engine needs only what [`DeskStore`] offers.
    store: Arc<dyn DeskStore>,
    rules: RwLock<Arc<Rules>>,
    clock: Arc<dyn Clock>,
    jobs: Mutex<Option<mpsc::Sender<Job>>>,
    writer: Mutex<Option<std::thread::JoinHandle<()>>>,
    /// Woken after a commit that queued messages or timers.
    pub outbox_wake: Arc<Notify>,
    pub timer_wake: Arc<Notify>,
    stats: Arc<EngineStats>,
}

impl std::fmt::Debug for Inner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine")
            .field("store", &self.store)
            .finish()
    }
}

impl Engine {
    pub fn start(store: Arc<dyn DeskStore>, rules: Rules, clock: Arc<dyn Clock>) -> Engine {
        let (tx, rx) = mpsc::channel::<Job>();
        let writer_store = store.clone();
        let stats = Arc::new(EngineStats::default());
        let writer_stats = stats.clone();
        let writer = std::thread::Builder::new()
            .name("frontdesk-writer".into())
            .spawn(move || writer_loop(&*writer_store, rx, &writer_stats))
            .expect("spawning the writer thread");
        Engine {
            inner: Arc::new(Inner {
                store,
                rules: RwLock::new(Arc::new(rules)),
                clock,
                jobs: Mutex::new(Some(tx)),
                writer: Mutex::new(Some(writer)),
                outbox_wake: Arc::new(Notify::new()),
                timer_wake: Arc::new(Notify::new()),
                stats,
            }),
        }
    }

    pub fn store(&self) -> &Arc<dyn DeskStore> {
        &self.inner.store
    }

    pub fn clock(&self) -> &Arc<dyn Clock> {
        &self.inner.clock
    }

    pub fn now(&self) -> Timestamp {
        self.inner.clock.now()
    }

    /// Counters of what steps recorded, for /metrics.
    pub fn stats(&self) -> &Arc<EngineStats> {
        &self.inner.stats
    }

    pub fn rules(&self) -> Arc<Rules> {
        self.inner
            .rules
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Swaps the rules (configuration reload); steps already running keep the old ones.
    pub fn set_rules(&self, rules: Rules) {
        *self.inner.rules.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(rules);
    }

    pub fn outbox_wake(&self) -> Arc<Notify> {
        self.inner.outbox_wake.clone()
    }

    pub fn timer_wake(&self) -> Arc<Notify> {
        self.inner.timer_wake.clone()
    }

    /// Runs `work` on the writer thread; its result is returned after the batch it ran in
    /// was flushed to disk.
    ///
    /// # Errors
    /// `Stopped` once the engine was closed.
    pub async fn write<T, F>(&self, work: F) -> Result<T, EngineError>
    where
        T: Send + 'static,
        F: FnOnce(&dyn DeskStore) -> T + Send + 'static,
    {
        self.submit(work)?.await.map_err(|_| EngineError::Stopped)?
    }

    /// Whether the writer thread still takes work; it stops only when the store can no
    /// longer be flushed, or after [`Engine::close`].
    pub fn writer_running(&self) -> bool {
        self.inner
            .writer
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .as_ref()
            .is_some_and(|w| !w.is_finished())
    }

    fn submit<T, F>(
        &self,
        work: F,
    ) -> Result<oneshot::Receiver<Result<T, EngineError>>, EngineError>
    where
        T: Send + 'static,
        F: FnOnce(&dyn DeskStore) -> T + Send + 'static,
    {
        let (tx, rx) = oneshot::channel();
        let job: Job = Box::new(move |store| {
            // A bug in one step must not end the only writer: every later write would fail.
            // What the step wrote is all or nothing (one transaction), so nothing is half-done.
            let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| work(store)))
                .map_err(|panic| {
                    let message = panic_message(panic.as_ref());
                    tracing::error!(panic = %message, "a step panicked; its input was set aside and the writer goes on");
                    EngineError::Panicked(message)
                });
            Box::new(move || {
                let _ = tx.send(result);
            })
        });
        let jobs = self.inner.jobs.lock().unwrap_or_else(|e| e.into_inner());
        let sender = jobs.as_ref().ok_or(EngineError::Stopped)?;
        // Counted before it can be taken, so the count never goes below zero.
        self.inner.stats.queued.inc();
        if sender.send(job).is_err() {
            self.inner.stats.queued.dec();
            return Err(EngineError::Stopped);
        }
        Ok(rx)
    }

    /// Handles one input from a user or platform. `dedup` is the platform's event id: an id
    /// seen before is acknowledged without doing anything again.
    ///
    /// # Errors
    /// Storage failures; the step is then not applied at all.
    pub async fn handle(
        &self,
        input: Input,
        dedup: Option<String>,
    ) -> Result<StepOutcome, EngineError> {
        self.handle_once(input, dedup.into_iter().collect()).await
    }

    /// [`Engine::handle`] for an input known by several ids (a platform's event id and the
    /// message's own identity, which survives a redelivery under a new event id): it is
    /// applied unless one of them was applied before, and all are recorded with it.
    ///
    /// # Errors
    /// Storage failures; the step is then not applied at all.
    pub async fn handle_once(
        &self,
        input: Input,
        dedup: Vec<String>,
    ) -> Result<StepOutcome, EngineError> {
        let span = step_span(&input, dedup.first().map(String::as_str));
        let (rules, now) = (self.rules(), self.now());
        let outcome = self
            .write(move |store| apply_step(store, &rules, now, input, &dedup, None))
            .instrument(span.clone())
            .await??;
        span.in_scope(|| self.after_commit(&outcome));
        Ok(outcome)
    }

    /// Fires a stored timer. The timer is removed in the same transaction as the step it
    /// causes, so it fires at most once, even across a crash.
    pub async fn fire_timer(&self, id: TimerId, timer: Timer) -> Result<StepOutcome, EngineError> {
        let (rules, now) = (self.rules(), self.now());
        let outcome = self
            .write(move |store| {
                let input = Input::TimerFired { timer };
                apply_step(store, &rules, now, input, &[], Some(&id))
            })
            .await??;
        self.after_commit(&outcome);
        Ok(outcome)
    }

    fn after_commit(&self, outcome: &StepOutcome) {
        self.inner.stats.desk.record(&outcome.events);
        self.inner
            .stats
            .record_service_levels(&outcome.service_levels);
        if outcome.applied {
            let ids: Vec<String> = outcome.requests.iter().map(|r| r.id.to_string()).collect();
            tracing::debug!(
                request_id = ids.join(","),
                outbox = outcome.outbox_ids.len(),
                timers = outcome.timers_scheduled,
                "step committed"
            );
        }
        if !outcome.outbox_ids.is_empty() {
            self.inner.outbox_wake.notify_one();
        }
        if outcome.timers_scheduled > 0 {
            self.inner.timer_wake.notify_one();
        }
    }

    /// Stops the writer after the jobs already queued, and flushes. Idempotent.
    pub fn close(&self) {
        self.inner
            .jobs
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .take();
        if let Some(handle) = self
            .inner
            .writer
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .take()
        {
            let _ = handle.join();
        }
        let _ = self.inner.store.flush();
    }
}

impl Drop for Inner {
    fn drop(&mut self) {
        self.jobs.lock().unwrap_or_else(|e| e.into_inner()).take();
        if let Some(handle) = self.writer.lock().unwrap_or_else(|e| e.into_inner()).take() {
            let _ = handle.join();
        }
    }
}

/// The span of one step: what kind of input, from whom (platform user id), the platform's
/// event id, and the desk request it names. Never the text a user typed.
fn step_span(input: &Input, dedup: Option<&str>) -> tracing::Span {
    let kind = match input {
        Input::CommandInvoked { .. } => "command",
        Input::MessageReceived { .. } => "message",
        Input::ButtonClicked { .. } => "button",
        Input::MentionedInChannel { .. } => "channel_mention",
        Input::CloseReactionAdded { .. } => "close_reaction_added",
        Input::CloseReactionRemoved { .. } => "close_reaction_removed",
        Input::TimerFired { .. } => "timer",
        Input::ReplyToRequester { .. } => "reply_to_requester",
        Input::FormSubmitted { .. } => "form",
        Input::DetailsRequested { .. } => "details",
        Input::MessageCaptured { .. } => "message_captured",
    };
    let span = tracing::info_span!(
        "desk.step",
        input = kind,
        user = tracing::field::Empty,
        event_id = dedup.unwrap_or(""),
        request_id = tracing::field::Empty
    );
    if let Some(user) = input.actor() {
        span.record("user", tracing::field::display(user));
    }
    if let Some(id) = input.named_requests().first() {
        span.record("request_id", tracing::field::display(id));
    }
    span
}

/// What a panic said, when it said it with a string.
fn panic_message(panic: &(dyn std::any::Any + Send)) -> String {
    panic
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic without a message".to_string())
}

/// The biggest batch one flush covers; bounds the latency the first job in a batch waits.
const MAX_BATCH: usize = 256;

fn writer_loop(store: &dyn DeskStore, rx: mpsc::Receiver<Job>, stats: &EngineStats) {
    while let Ok(first) = rx.recv() {
        stats.queued.dec();
        let mut done: Vec<Completion> = vec![first(store)];
        drain(store, &rx, &stats.queued, &mut done);
        // A flush costs a log write and a wait for the disk whatever it carries. Let the
        // threads that were kept off the CPU by this batch queue what they have, so that on
        // a busy (or small) machine one flush covers more of it.
        std::thread::yield_now();
        drain(store, &rx, &stats.queued, &mut done);
        stats.jobs.inc_by(done.len() as u64);
        stats.flushes.inc();
        if let Err(e) = store.flush() {
            // Callers are answered only after a successful flush; on failure they learn the
            // engine stopped, and nothing is acknowledged that may not be on disk.
            tracing::error!(error = %crate::telemetry::chain(&e), "flushing the store failed; stopping the writer");
            return;
        }
        for complete in done {
            complete();
        }
    }
}

fn drain(
    store: &dyn DeskStore,
    rx: &mpsc::Receiver<Job>,
    queued: &prometheus_client::metrics::gauge::Gauge,
    done: &mut Vec<Completion>,
) {
    while done.len() < MAX_BATCH {
        match rx.try_recv() {
            Ok(job) => {
                queued.dec();
                done.push(job(store));
            }
            Err(_) => break,
        }
    }
}

/// Which platform delivers an outgoing message: the recipient's, or the request's origin.
fn platform_for(out: &Outgoing, requests: &[Request]) -> Platform {
    match out {
        Outgoing::Dm { to, .. }
        | Outgoing::Notice { to, .. }
        | Outgoing::ReplacePost { to, .. } => to.platform,
        Outgoing::MarkRelayed { post, .. } => post.platform,
        Outgoing::ThreadReply { thread, .. } => thread.platform,
        Outgoing::Digest { platform, .. } => *platform,
        Outgoing::PostCard { request }
        | Outgoing::UpdateCard { request }
        | Outgoing::ThreadPost { request, .. }
        | Outgoing::ChannelPost { request, .. }
        | Outgoing::Thanks { request, .. }
        | Outgoing::OriginReply { request, .. } => requests
            .iter()
            .find(|r| &r.id == request)
            .map(|r| r.platform())
            .unwrap_or(Platform::Console),
    }
}

/// The store as the core's [`core::SnapshotSource`].
struct StoreSource<'a>(&'a dyn DeskStore);

impl core::SnapshotSource for StoreSource<'_> {
    type Error = StoreError;

    fn session(&self, user: &core::UserRef) -> Result<core::Session, StoreError> {
        self.0.session(user)
    }

    fn request(&self, id: &core::RequestId) -> Result<Option<Request>, StoreError> {
        self.0.request(id)
    }

    fn requests_needing_attention(&self, user: &core::UserRef) -> Result<Vec<Request>, StoreError> {
        self.0.requests_needing_attention(user)
    }

    fn next_number(&self, prefix: &str) -> Result<u64, StoreError> {
        self.0.next_number(prefix)
    }

    fn all_requests_of(&self, user: &core::UserRef) -> Result<Vec<Request>, StoreError> {
        self.0.requests_of_user(user, None)
    }

    fn active_requests(&self, department: &str) -> Result<Vec<Request>, StoreError> {
        let mut out = Vec::new();
        for status in core::Status::ALL.into_iter().filter(|s| s.is_active()) {
            out.extend(
                self.0
                    .requests_with_status(status)?
                    .into_iter()
                    .filter(|r| r.department == department),
            );
        }
        Ok(out)
    }
}

/// Load → step → commit, on the writer thread.
pub(crate) fn apply_step(
    store: &dyn DeskStore,
    rules: &Rules,
    now: Timestamp,
    input: Input,
    dedup: &[String],
    fired_timer: Option<&TimerId>,
) -> Result<StepOutcome, StoreError> {
    // Cheap early exit; the commit checks again inside its transaction.
    for id in dedup {
        if store.seen(id)? {
            return Ok(StepOutcome::default());
        }
    }
    let actor = input.actor().cloned();
    // What the step needs loaded is the core's rule; the store only reads.
    let snapshot = core::load_snapshot(&StoreSource(store), &input, rules)?;
    let requests = snapshot.requests.clone();
    let history_before: HashMap<core::RequestId, usize> = requests
        .iter()
        .map(|r| (r.id.clone(), r.history.len()))
        .collect();
    let transition = core::step(snapshot, input, now, rules);
    let mut all_requests = transition.requests.clone();
    all_requests.extend(
        requests
            .iter()
            .filter(|r| !transition.requests.iter().any(|t| t.id == r.id))
            .cloned(),
    );
    // The requests as they were before the step, for the service levels it settled.
    let before = requests;
    let mut schedule = Vec::new();
    let mut cancel = Vec::new();
    let mut outbox = Vec::new();
    let mut replies = Vec::new();
    let form_errors: Vec<(String, core::Text)> = transition
        .effects
        .iter()
        .filter_map(|e| match e {
            Effect::FormErrors(errors) => Some(errors.clone()),
            _ => None,
        })
        .flatten()
        .collect();
    if !form_errors.is_empty() {
        // Nothing happened, and the corrected form comes back under the same view: its
        // identity must not be recorded as seen.
        return Ok(StepOutcome {
            form_errors,
            ..StepOutcome::default()
        });
    }
    for effect in &transition.effects {
        match effect {
            Effect::Reply(m) => replies.push(m.clone()),
            Effect::FormErrors(_) => {}
            Effect::Send(o) => outbox.push((platform_for(o, &all_requests), o.clone())),
            Effect::Schedule(t) => schedule.push(t.clone()),
            Effect::Cancel(f) => cancel.push(f.clone()),
        }
    }
    let write = StepWrite {
        dedup,
        fired_timer,
        session: actor.as_ref().map(|a| (a, &transition.session)),
        requests: &transition.requests,
        schedule: &schedule,
        cancel: &cancel,
        outbox,
        audit: &[],
        now,
    };
    match store.commit_step(write)? {
        CommitOutcome::Applied { outbox_ids } => {
            let events = transition
                .requests
                .iter()
                .flat_map(|r| {
                    let before = history_before.get(&r.id).copied().unwrap_or(0);
                    r.history
                        .iter()
                        .skip(before)
                        .map(|h| (r.department.clone(), h.event.clone()))
                })
                .collect();
            let service_levels = transition
                .requests
                .iter()
                .flat_map(|r| {
                    let Some(d) = rules.department(&r.department) else {
                        return Vec::new();
                    };
                    let before = before.iter().find(|b| b.id == r.id);
                    core::settled(before, r, d.first_response_sla, &d.service, now)
                        .into_iter()
                        .map(|(level, met)| (r.department.clone(), level, met))
                        .collect()
                })
                .collect();
            Ok(StepOutcome {
                applied: true,
                replies,
                requests: transition.requests,
                outbox_ids,
                timers_scheduled: schedule.len(),
                events,
                service_levels,
                form_errors: Vec::new(),
            })
        }
        CommitOutcome::Duplicate | CommitOutcome::TimerGone => Ok(StepOutcome::default()),
    }
}
