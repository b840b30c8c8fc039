//! Wiring: opens the store, starts the engine, the outbox worker and the scheduler, builds
//! the HTTP router with the platform adapters that are configured, and runs until told to
//! stop. Nothing here decides anything; it only connects the parts.

use crate::backup::{AdminAccess, BackupError};
use crate::clock::{Clock, SystemClock};
use crate::config::Config;
use crate::engine::Engine;
use crate::metrics::Metrics;
use crate::outbox::{OutboxWorker, RetryPolicy};
use crate::reload::ReloadOnHangup;
use crate::scheduler::Scheduler;
use crate::store::{Store, StoreError};
use std::future::Future;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, RwLock};
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error(transparent)]
    Store(#[from] StoreError),
    // Each variant names what failed and keeps the cause as its `source()`; the command line
    // prints the whole chain ("slack adapter: …: …"), so the cause is not repeated here.
    #[error("binding {addr}")]
    Bind {
        addr: String,
        source: std::io::Error,
    },
    #[error("slack adapter")]
    Slack(#[source] crate::slack::AdapterError),
    #[error("teams adapter")]
    Teams(#[source] crate::teams::AdapterError),
    #[error("serving HTTP")]
    Serve(#[source] std::io::Error),
    #[error(transparent)]
    Backup(#[from] BackupError),
    #[error("installing the SIGHUP handler")]
    Signal(#[source] std::io::Error),
    #[error("dashboard")]
    Dashboard(#[source] crate::dashboard::AuthError),
}

/// How long a stop waits for the outbox worker and the scheduler to finish their current
/// item; Kubernetes and systemd give 30 seconds before they kill.
const SHUTDOWN_GRACE: std::time::Duration = std::time::Duration::from_secs(20);

/// What tests (and only tests) swap out.
#[derive(Debug, Clone)]
pub struct Deps {
    pub clock: Arc<dyn Clock>,
    /// Run the outbox worker and the scheduler in the background. Tests that drive them step
    /// by step (`app.outbox().drain()`, `app.scheduler().fire_due()`) turn this off.
    pub background_workers: bool,
}

impl Deps {
    pub fn production() -> Self {
        Deps {
            clock: Arc::new(SystemClock),
            background_workers: true,
        }
    }
}

// Where callers have always found them; they live with the configuration and the state.
pub use crate::config::{current, SharedConfig};
pub use crate::state::{AppState, Readiness};

/// Sets a liveness flag for as long as it lives: a worker that returns or panics clears it.
struct Running<'a>(&'a std::sync::atomic::AtomicBool);

impl<'a> Running<'a> {
    fn mark(flag: &'a std::sync::atomic::AtomicBool) -> Self {
        flag.store(true, std::sync::atomic::Ordering::Relaxed);
        Running(flag)
    }
}

impl Drop for Running<'_> {
    fn drop(&mut self) {
        self.0.store(false, std::sync::atomic::Ordering::Relaxed);
    }
}

#[derive(Debug)]
pub struct App {
    listener: tokio::net::TcpListener,
    router: axum::Router,
    state: AppState,
    reload: Option<ReloadOnHangup>,
    socket: Option<Arc<crate::slack::socket::SocketMode>>,
}

impl App {
    /// Opens the store and binds the listener; nothing runs until [`App::run_until_stopped`].
    ///
    /// # Errors
    /// The store can't be opened, the address can't be bound, or an adapter can't start.
    pub async fn build(mut config: Config, deps: Deps) -> Result<App, AppError> {
        crate::backup::check_no_interrupted_restore(&config.server.data_dir)?;
        // Before the config is shared: from here on only the password's hash is in memory.
        let dashboard = crate::dashboard::take_access(&mut config).map_err(AppError::Dashboard)?;
        let store = Arc::new(Store::open(&config.server.data_dir)?);
        let engine = Engine::start(store, config.rules(), deps.clock.clone());
        let policy = RetryPolicy {
            initial_backoff: config.outbox.initial_backoff,
            max_backoff: config.outbox.max_backoff,
            give_up_after: config.outbox.give_up_after,
        };
        let shared: SharedConfig = Arc::new(RwLock::new(Arc::new(config.clone())));
        let mut outbox = OutboxWorker::new(engine.clone(), policy, config.outbox.concurrency);
        let mut router = axum::Router::new();
        let (mut slack_status, mut socket) = (None, None);
        if let Some(slack) =
            crate::slack::Adapter::from_config(&config, engine.clone(), shared.clone())
                .await
                .map_err(AppError::Slack)?
        {
            outbox = outbox.with_deliverer(crate::core::Platform::Slack, slack.deliverer());
            router = router.merge(slack.routes());
            slack_status = Some(slack.status());
            socket = slack.socket_mode();
        }
        if let Some(teams) =
            crate::teams::Adapter::from_config(&config, engine.clone(), shared.clone())
                .await
                .map_err(AppError::Teams)?
        {
            outbox = outbox.with_deliverer(crate::core::Platform::Teams, teams.deliverer());
            router = router.merge(teams.routes());
        }
        router = router.merge(
            crate::dashboard::Dashboard::new(engine.clone(), shared.clone(), dashboard).routes(),
        );
        let platforms = outbox.paused().into_iter().map(|(p, _)| p).collect();
        let scheduler = Scheduler::new(engine.clone(), config.scheduler.max_burst)
            .with_digest(shared.clone(), platforms);
        let addr = config.server.listen.clone();
        let listener = tokio::net::TcpListener::bind(&addr)
            .await
            .map_err(|source| AppError::Bind { addr, source })?;
        let admin = AdminAccess::new(listener.local_addr().map_err(|source| AppError::Bind {
            addr: config.server.listen.clone(),
            source,
        })?);
        if let Err(e) = admin.publish(&config.server.data_dir) {
            tracing::warn!(error = %crate::telemetry::chain(&e), "writing the admin token; `frontdesk backup` can't reach this server");
        }
        let readiness = Arc::new(Readiness::default());
        let workers: crate::metrics::Workers = {
            let ready = readiness.clone();
            Arc::new(move || {
                vec![
                    (
                        "outbox",
                        ready
                            .outbox_running
                            .load(std::sync::atomic::Ordering::Relaxed),
                    ),
                    (
                        "scheduler",
                        ready
                            .scheduler_running
                            .load(std::sync::atomic::Ordering::Relaxed),
                    ),
                ]
            })
        };
        let metrics = Metrics::new(crate::metrics::Sources {
            engine: engine.clone(),
            config: shared.clone(),
            outbox: outbox.clone(),
            scheduler: scheduler.clone(),
            workers,
            slack: slack_status.clone(),
        });
        let state = AppState {
            engine,
            config: shared,
            outbox,
            scheduler,
            readiness,
            background_workers: deps.background_workers,
            metrics: Arc::new(metrics),
            admin: Arc::new(admin),
            slack: slack_status,
        };
        let router = crate::http::router(state.clone(), router, config.server.max_body_bytes);
        Ok(App {
            listener,
            router,
            state,
            reload: None,
            socket,
        })
    }

    /// Reloads the configuration from `path` (the built-in one when `None`) on SIGHUP while
    /// the app runs. Call before announcing the server: from here on a SIGHUP no longer
    /// terminates the process.
    ///
    /// # Errors
    /// The signal handler can't be installed.
    pub fn reload_on_sighup(mut self, path: Option<PathBuf>) -> Result<App, AppError> {
        self.reload = Some(ReloadOnHangup::install(path).map_err(AppError::Signal)?);
        Ok(self)
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.listener
            .local_addr()
            .expect("a bound listener has an address")
    }

    pub fn state(&self) -> &AppState {
        &self.state
    }

    pub fn engine(&self) -> &Engine {
        &self.state.engine
    }

    pub fn outbox(&self) -> &OutboxWorker {
        &self.state.outbox
    }

    pub fn scheduler(&self) -> &Scheduler {
        &self.state.scheduler
    }

    /// Serves until `shutdown` resolves, then stops accepting, lets in-flight requests and the
    /// workers finish, and flushes the store.
    ///
    /// # Errors
    /// The HTTP server failed.
    pub async fn run_until_stopped(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> Result<(), AppError> {
        let App {
            listener,
            router,
            state,
            reload,
            socket,
        } = self;
        let stop = CancellationToken::new();
        let tracker = TaskTracker::new();
        if let Some(socket) = socket {
            // Acknowledging envelopes is answering Slack, like serving HTTP: it runs whether
            // or not the background workers do.
            tracker.spawn(socket.run(stop.clone()));
        }
        if let Some(reload) = reload {
            tracker.spawn(reload.run(state.clone(), stop.clone()));
        }
        if state.background_workers {
            let (worker, token, ready) =
                (state.outbox.clone(), stop.clone(), state.readiness.clone());
            tracker.spawn(async move {
                let _running = Running::mark(&ready.outbox_running);
                worker.run(token).await;
            });
            let (scheduler, token, ready) = (
                state.scheduler.clone(),
                stop.clone(),
                state.readiness.clone(),
            );
            tracker.spawn(async move {
                let _running = Running::mark(&ready.scheduler_running);
                scheduler.run(token).await;
            });
        }
        tracker.close();
        let signal_stop = stop.clone();
        tokio::spawn(async move {
            shutdown.await;
            tracing::info!("shutting down: no new requests; finishing work in flight");
            signal_stop.cancel();
        });
        let served = axum::serve(
            listener,
            router.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(stop.clone().cancelled_owned())
        .await;
        stop.cancel();
        // A delivery stuck on an unresponsive platform must not hold the exit hostage; it is
        // still in the outbox and goes out after the restart.
        if tokio::time::timeout(SHUTDOWN_GRACE, tracker.wait())
            .await
            .is_err()
        {
            tracing::warn!(grace = ?SHUTDOWN_GRACE, "background work did not finish in time; stopping anyway");
        }
        state
            .admin
            .unpublish(&current(&state.config).server.data_dir);
        let engine = state.engine.clone();
        let _ = tokio::task::spawn_blocking(move || engine.close()).await;
        tracing::info!("stopped; store flushed");
        served.map_err(AppError::Serve)
    }
}

#[cfg(test)]
mod running_tests {
    use super::Running;
    use std::sync::atomic::{AtomicBool, Ordering};

    #[test]
    fn a_worker_that_panics_is_no_longer_reported_running() {
        let flag = AtomicBool::new(false);
        let outcome = std::panic::catch_unwind(|| {
            let _running = Running::mark(&flag);
            assert!(flag.load(Ordering::Relaxed));
            panic!("the worker failed");
        });
        assert!(outcome.is_err());
        assert!(!flag.load(Ordering::Relaxed));
    }
}
