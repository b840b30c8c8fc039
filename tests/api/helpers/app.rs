//! The one way a test starts the desk: [`spawn_app`] runs the real `App` in this process on
//! 127.0.0.1:0, [`spawn_binary`] runs the real `frontdesk serve` as a child process on a
//! random loopback port. Everything else (a fake Slack, the Teams stand-in, a manual clock)
//! is put around one of these two.

use super::process::Server;
use frontdesk::config::Config;
use frontdesk::Clock;
use frontdesk::Engine;
use frontdesk::OutboxWorker;
use frontdesk::Scheduler;
use frontdesk::{App, AppError, AppState, Deps};
use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;

/// The built-in configuration, listening on 127.0.0.1:0 with its store in `data_dir`.
pub fn base_config(data_dir: &Path) -> Config {
    let mut c = Config::builtin_default();
    c.server.listen = "127.0.0.1:0".into();
    c.server.data_dir = data_dir.to_path_buf();
    c
}

/// The real `App`, running in this process until [`TestApp::shutdown`] or until it is dropped.
pub struct TestApp {
    pub addr: SocketAddr,
    pub state: AppState,
    pub engine: Engine,
    pub outbox: OutboxWorker,
    pub scheduler: Scheduler,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    done: Option<tokio::task::JoinHandle<Result<(), AppError>>>,
}

/// Builds the app from `config` (its store in `config.server.data_dir`) and runs it on the
/// current runtime. With `background_workers` false the outbox and the scheduler run only
/// when a test drives them (`outbox.drain()`, `scheduler.tick()`), so nothing sleeps.
///
/// # Errors
/// What `App::build` says, for tests of a start that must fail.
pub async fn spawn_app(
    config: Config,
    clock: Arc<dyn Clock>,
    background_workers: bool,
) -> Result<TestApp, AppError> {
    super::logs::init();
    let app = App::build(
        config,
        Deps {
            clock,
            background_workers,
        },
    )
    .await?;
    let addr = app.local_addr();
    let state = app.state().clone();
    let engine = app.engine().clone();
    let outbox = app.outbox().clone();
    let scheduler = app.scheduler().clone();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let done = tokio::spawn(app.run_until_stopped(async move {
        let _ = stopped.await;
    }));
    Ok(TestApp {
        addr,
        state,
        engine,
        outbox,
        scheduler,
        stop: Some(stop),
        done: Some(done),
    })
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// Stops the app and waits until it ran to its end cleanly. Its store closes once the
    /// last clone of its engine is dropped.
    pub async fn shutdown(mut self) {
        let _ = self.stop.take().expect("running").send(());
        let done = self.done.take().expect("running");
        tokio::time::timeout(super::PATIENCE, done)
            .await
            .expect("the app stops")
            .expect("the app task")
            .expect("the app ran cleanly");
    }
}

/// Starts `frontdesk <options> serve` (the hermetic command of [`super::process::frontdesk`])
/// with `env`, and waits until it says where it listens. `options` are the global ones that
/// come before the subcommand: `--config`, `--log-format`.
pub fn spawn_binary(options: &[&str], env: &[(&str, &str)]) -> Server {
    let args: Vec<&str> = options.iter().copied().chain(["serve"]).collect();
    Server::start(&args, env)
}
