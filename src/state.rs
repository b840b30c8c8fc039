//! What every HTTP handler shares: the engine, the configuration in force, the background
//! workers and their liveness, the monitoring counters and the admin access. Handlers that
//! need only a part take that part (`State<Engine>`, `State<Arc<AdminAccess>>`, …) through the
//! [`FromRef`] impls below, so their modules need not know this struct.

use crate::admin::AdminAccess;
use crate::config::SharedConfig;
use crate::engine::Engine;
use crate::metrics::Metrics;
use crate::outbox::OutboxWorker;
use crate::scheduler::Scheduler;
use axum::extract::FromRef;
use std::sync::Arc;

/// Liveness of the parts /readyz reports on.
#[derive(Debug, Default)]
pub struct Readiness {
    pub outbox_running: std::sync::atomic::AtomicBool,
    pub scheduler_running: std::sync::atomic::AtomicBool,
}

/// Shared by every HTTP handler.
#[derive(Clone, Debug)]
pub struct AppState {
    pub engine: Engine,
    pub config: SharedConfig,
    pub outbox: OutboxWorker,
    pub scheduler: Scheduler,
    pub readiness: Arc<Readiness>,
    pub background_workers: bool,
    /// HTTP latency, reloads and backups; everything else /metrics reads where it lives.
    pub metrics: Arc<Metrics>,
    /// The token and address `frontdesk backup` uses to reach this server.
    pub admin: Arc<AdminAccess>,
    /// Slack's signals and Socket Mode connections, when Slack is on.
    pub slack: Option<Arc<crate::slack::status::SlackStatus>>,
}

impl FromRef<AppState> for Engine {
    fn from_ref(state: &AppState) -> Engine {
        state.engine.clone()
    }
}

impl FromRef<AppState> for Arc<AdminAccess> {
    fn from_ref(state: &AppState) -> Arc<AdminAccess> {
        state.admin.clone()
    }
}

impl FromRef<AppState> for Arc<Metrics> {
    fn from_ref(state: &AppState) -> Arc<Metrics> {
        state.metrics.clone()
    }
}
