//! frontdesk: a self-hosted help desk for internal requests over Slack and Microsoft Teams.
//!
//! # Layout
//! - [`core`]: the desk's logic as pure functions; no I/O, no clock, no platform types.
//! - [`config`]: the TOML configuration, environment overrides and validation.
//! - [`store`]: the sled store; the only module that knows keys and encodings.
//! - [`engine`]: load → step → commit on a single writer thread with group commit.
//! - [`outbox`] and `scheduler` ([`Scheduler`]): delivery with retries, and durable timers.
//! - [`i18n`]: the desk's words, Fluent catalogs per locale (`locales/`), and how a
//!   structured core message becomes a sentence in the reader's language.
//! - `console` ([`Console`]): the whole desk in a terminal, no chat workspace needed.
//! - `dashboard`: the read-only web dashboard at `/dashboard`, pages rendered on the server.
//! - [`clock`]: where "now" comes from (a manual clock in tests).
//! - `metrics`, [`backup`] and `reload` ([`reload()`]): running it for real: `/metrics`, consistent
//!   backups and restores, configuration reload on SIGHUP.
//!
//! Modules whose few public items are re-exported here are private (`console`, `dashboard`, `http`,
//! `metrics`, `reload`, `report`, `scheduler`, `shutdown`, `state`, `teams`, `telemetry`), and
//! so are the submodules of [`core`], [`slack`] and [`outbox`]: what the command line, the
//! tests and the benchmarks need is re-exported from their parent.

pub mod admin;
pub mod app;
pub mod backup;
pub mod clock;
pub mod config;
mod console;
pub mod core;
mod dashboard;
pub mod engine;
mod http;
pub mod i18n;
mod metrics;
pub mod outbox;
mod reload;
mod report;
mod scheduler;
mod shutdown;
pub mod slack;
mod state;
pub mod store;
mod teams;
mod telemetry;

pub use console::Console;
pub use http::router;
pub use reload::{reload, ReloadError, Reloaded};
pub use scheduler::Scheduler;
pub use shutdown::signal as shutdown_signal;
pub use telemetry::{chain as error_chain, init as init_logging, ErrorChain};
