//! frontdesk: a self-hosted help desk for internal requests over Slack and Microsoft Teams.
//!
//! # Layout
//! - [`core`]: the desk's logic as pure functions; no I/O, no clock, no platform types.
//! - [`config`]: the TOML configuration, environment overrides and validation.
//! - [`store`]: the sled store; the only module that knows keys, encodings and sealing.
//! - `engine` ([`Engine`]): load → step → commit on a single writer thread with group commit.
//! - `outbox` ([`OutboxWorker`]) and `scheduler` ([`Scheduler`]): delivery with retries, and
//!   durable timers (the weekly digests among them).
//! - `i18n` ([`Catalogs`], [`Words`]): the desk's words, Fluent catalogs per locale
//!   (`locales/`), and how a structured core message becomes a sentence in the reader's
//!   language.
//! - [`slack`] and `teams`: the platforms' adapters; `console` ([`Console`]): the whole desk in a
//!   terminal, no chat workspace needed.
//! - `dashboard`: the read-only web dashboard at `/dashboard`, pages rendered on the server.
//! - `clock` ([`Clock`], [`ManualClock`]): where "now" comes from (a manual clock in tests).
//! - [`admin`] (the CLI's read and maintenance commands), [`backup`], `metrics` and `reload`
//!   ([`reload()`]): running it for real. `instrument` is how the modules that count hand their
//!   `prometheus-client` metrics to the registry `metrics` builds.
//!
//! Public modules are the library's surfaces, each a coherent API the command line, the
//! tests and the benchmarks use by path: [`core`] (the desk's types and rules), [`config`],
//! [`store`] (with the backend trait a second store implements), [`slack`] (protocol helpers
//! such as request signing), [`admin`] and [`backup`] (the commands the CLI runs). Every
//! other module is private and re-exports its few public items here, as do the submodules
//! of each module.

pub mod admin;
mod app;
pub mod backup;
mod clock;
pub mod config;
mod console;
pub mod core;
mod dashboard;
mod engine;
mod http;
mod i18n;
mod instrument;
mod metrics;
mod outbox;
mod reload;
mod report;
mod scheduler;
mod shutdown;
pub mod slack;
mod state;
pub mod store;
mod teams;
mod telemetry;

pub use app::{App, AppError, AppState, Deps};
pub use clock::{Clock, ManualClock, OffsetClock, SystemClock};
pub use console::Console;
pub use engine::{Engine, EngineError, StepOutcome};
pub use http::router;
pub use i18n::{Catalogs, Plain, Words};
pub use outbox::{Attempt, Delivered, Deliverer, DeliveryError, OutboxWorker, RetryPolicy};
pub use reload::{reload, ReloadError, Reloaded};
pub use scheduler::Scheduler;
pub use shutdown::signal as shutdown_signal;
pub use telemetry::{chain as error_chain, init as init_logging, ErrorChain};
