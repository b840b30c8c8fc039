//! frontdesk's integration tests: one test binary, as Cargo builds `tests/api/main.rs`, so the
//! crate and its helpers are compiled and linked once.
//!
//! - `helpers/`: what the tests share, one of each: `spawn_app` and `spawn_binary`
//!   (`helpers/app.rs`), the hermetic command builder for the real binary
//!   (`helpers/process.rs`), the fake Slack Web API (`helpers/fake_slack.rs`), the Teams
//!   stand-in (`helpers/teams_standin.rs`), the request signer (`helpers/signer.rs`, the
//!   library's own), and a desk driven through Slack or Teams (`helpers/slack.rs`,
//!   `helpers/teams.rs`).
//! - one module per topic, below. Fixtures stay in `tests/fixtures/`.
//!
//! Run one topic with `cargo test --test api slack::`, one test by its name; `TEST_LOG=1`
//! prints the in-process server's logs.
//!
//! Adding a topic: write `tests/api/<topic>.rs` (or `tests/api/<topic>/mod.rs` with its own
//! submodules), declare it below with `mod <topic>;`, and take what it needs from
//! `crate::helpers` rather than a copy of its own. A new top-level `tests/<name>.rs` would be
//! a second test binary; move it in here instead. A test that needs something process-wide
//! (a global tracing subscriber, the current directory, an environment variable) must not
//! set it itself: every test runs in this one process, on parallel threads. Use or extend
//! `helpers::logs` for tracing, and the real binary (`helpers::process`) for the rest.

mod helpers;

mod admin;
mod channel_intake;
mod console;
mod crash;
mod dashboard;
mod delivery;
mod desk;
mod digest;
mod forms;
mod handover;
mod locales;
mod manifests;
mod metrics_formats;
mod ops;
mod privacy;
mod process;
mod reports;
mod service_levels;
mod slack;
mod socket_mode;
mod spans;
mod teams;
mod teams_forms;
mod thanks;
