//! Configuration reload on SIGHUP (`systemctl reload frontdesk`, `kill -HUP`).
//!
//! The file is read and validated in full first (file, environment overrides, every rule);
//! only a configuration that passes replaces the one in force, in one swap: the engine's
//! rules (departments, fields, service levels, intake and survey timing) and the shared
//! [`Config`] the adapters read. A bad file changes nothing: the old configuration keeps
//! running and the log says which keys are wrong.
//!
//! What is bound at start stays as it was until a restart: `[server]` (listen address, data
//! directory, log format, body limit), `[outbox]` retry timing and `[scheduler]`, and platform
//! credentials (they come from the environment, which a running process can't re-read).
//! A reload that changes those says so in the log.

use crate::config::current;
use crate::config::{Config, ConfigError};
use crate::state::AppState;
use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum ReloadError {
    #[error(transparent)]
    Config(#[from] ConfigError),
}

/// What a successful reload did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reloaded {
    pub departments: usize,
    /// Sections that differ from the running configuration but apply only after a restart.
    pub needs_restart: Vec<&'static str>,
}

/// Loads `path` (or the built-in configuration plus environment when `None`), validates it,
/// and on success puts it in force. Records the outcome in the metrics and the log.
///
/// # Errors
/// The configuration can't be read or is invalid; nothing changed then.
pub fn reload(state: &AppState, path: Option<&Path>) -> Result<Reloaded, ReloadError> {
    let source = path.map_or_else(
        || "the built-in configuration".to_string(),
        |p| p.display().to_string(),
    );
    match Config::load(path) {
        Ok(new) => {
            let reloaded = apply(state, new);
            state.metrics.reload_succeeded();
            if reloaded.needs_restart.is_empty() {
                tracing::info!(
                    config = %source,
                    departments = reloaded.departments,
                    "configuration reloaded"
                );
            } else {
                tracing::warn!(
                    config = %source,
                    departments = reloaded.departments,
                    restart_needed_for = %reloaded.needs_restart.join(", "),
                    "configuration reloaded; some changed sections apply only after a restart"
                );
            }
            Ok(reloaded)
        }
        Err(e) => {
            state.metrics.reload_failed();
            tracing::error!(
                config = %source,
                error = %one_line(&e),
                "configuration reload failed; the previous configuration stays in force"
            );
            Err(e.into())
        }
    }
}

/// The error on one log line: every problem as `key: message`, separated by `; `.
fn one_line(e: &ConfigError) -> String {
    match e.problems() {
        [] => e
            .to_string()
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .collect::<Vec<_>>()
            .join(" "),
        problems => problems
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join("; "),
    }
}

/// Puts a validated configuration in force, keeping what is bound at start.
fn apply(state: &AppState, mut new: Config) -> Reloaded {
    let old = current(&state.config);
    let mut needs_restart = Vec::new();
    // Compared through Debug: the sections have no PartialEq, and secrets print redacted
    // on both sides, so they compare equal (they can't change without a restart anyway).
    let differs =
        |a: &dyn std::fmt::Debug, b: &dyn std::fmt::Debug| format!("{a:?}") != format!("{b:?}");
    // The desk's language and wording are read on every use, so they change with a reload.
    let mut bound = new.server.clone();
    bound.default_locale = old.server.default_locale.clone();
    bound.messages_file = old.server.messages_file.clone();
    if differs(&old.server, &bound) {
        needs_restart.push("server");
    }
    if differs(&old.outbox, &new.outbox) {
        needs_restart.push("outbox");
    }
    if differs(&old.scheduler, &new.scheduler) {
        needs_restart.push("scheduler");
    }
    // The listener and the store are already open; a different address or directory in
    // the shared config would only mislead readers of it.
    new.server = crate::config::ServerConfig {
        default_locale: new.server.default_locale.clone(),
        messages_file: new.server.messages_file.clone(),
        ..old.server.clone()
    };
    // The dashboard's password was hashed at start and taken out of the config; a reload
    // must not bring the plain one back into memory.
    new.dashboard = old.dashboard.clone();
    warn_about_removed_departments(state, &old, &new);
    let departments = new.departments.len();
    state.engine.set_rules(new.rules());
    *state.config.write().unwrap_or_else(|e| e.into_inner()) = std::sync::Arc::new(new);
    Reloaded {
        departments,
        needs_restart,
    }
}

/// A department dropped from the file keeps its requests; say so if some are still active.
fn warn_about_removed_departments(state: &AppState, old: &Config, new: &Config) {
    let removed: Vec<&str> = old
        .departments
        .iter()
        .filter(|d| new.department(&d.id).is_none())
        .map(|d| d.id.as_str())
        .collect();
    if removed.is_empty() {
        return;
    }
    let store = state.engine.store();
    for status in [crate::core::Status::Open, crate::core::Status::Claimed] {
        let Ok(requests) = store.requests_with_status(status) else {
            continue;
        };
        for id in &removed {
            let n = requests.iter().filter(|r| r.department == *id).count();
            if n > 0 {
                tracing::warn!(
                    department = id,
                    status = status.as_str(),
                    requests = n,
                    "department removed from the configuration still has active requests; they stay as they are"
                );
            }
        }
    }
}

/// Listens for SIGHUP. Created before the server announces itself, so that a SIGHUP sent
/// right after start reloads rather than killing the process (the default action).
#[derive(Debug)]
pub struct ReloadOnHangup {
    path: Option<PathBuf>,
    #[cfg(unix)]
    signal: tokio::signal::unix::Signal,
}

impl ReloadOnHangup {
    /// Must be called inside the Tokio runtime.
    ///
    /// # Errors
    /// The signal handler can't be installed.
    pub fn install(path: Option<PathBuf>) -> std::io::Result<ReloadOnHangup> {
        Ok(ReloadOnHangup {
            path,
            #[cfg(unix)]
            signal: tokio::signal::unix::signal(tokio::signal::unix::SignalKind::hangup())?,
        })
    }

    /// Reloads on every SIGHUP until `stop`.
    pub async fn run(self, state: AppState, stop: tokio_util::sync::CancellationToken) {
        #[cfg(unix)]
        {
            let ReloadOnHangup { path, mut signal } = self;
            loop {
                tokio::select! {
                    _ = stop.cancelled() => return,
                    got = signal.recv() => {
                        if got.is_none() {
                            return;
                        }
                        tracing::info!("SIGHUP: reloading the configuration");
                        let (state, path) = (state.clone(), path.clone());
                        // Reading the file and scanning active requests are blocking work.
                        let _ = tokio::task::spawn_blocking(move || reload(&state, path.as_deref())).await;
                    }
                }
            }
        }
        #[cfg(not(unix))]
        {
            let _ = (self, state);
            stop.cancelled().await;
        }
    }
}
