//! Prometheus metrics. This module owns the numbers the server keeps only for monitoring
//! (HTTP latency histograms, configuration reloads, backups) and the rendering of
//! everything `GET /metrics` shows in the Prometheus text exposition format (version 0.0.4).
//!
//! Most figures are not kept here at all: they are read at scrape time from where they
//! already live. Counters come from the engine ([`crate::engine::EngineStats`]), the outbox
//! worker ([`crate::outbox::OutboxStats`]) and the scheduler
//! ([`crate::scheduler::SchedulerStats`]); gauges come from the store, through its indexes
//! only: open requests are read from the `by_status` index of the two active statuses, never
//! by walking every request ever filed. Counters start at zero when the process starts, as
//! Prometheus expects (`rate()` and `increase()` handle the reset).
//!
//! The exposition format is written by hand ([`exposition`]): it is small, and writing it
//! there keeps label escaping and the histogram layout in one reviewed place (tests parse the
//! output with a Prometheus text-format parser). Each area of the desk has its section:
//! [`desk`] (requests), [`service_levels`] (attainment), [`delivery`] (the outbox and the writer), [`timers`], [`slack`] and
//! [`http`]; this module adds the process, configuration and operations figures.

mod delivery;
mod desk;
mod exposition;
mod http;
mod service_levels;
mod slack;
mod timers;

pub use http::method_label;

use crate::config::current;
use crate::config::SharedConfig;
use crate::engine::Engine;
use crate::outbox::OutboxWorker;
use crate::scheduler::Scheduler;
use crate::slack::status::SlackStatus;
use exposition::Exposition;
use http::{Histogram, HttpKey};
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::Duration;

/// The `Content-Type` of the text exposition format.
pub const CONTENT_TYPE: &str = "text/plain; version=0.0.4; charset=utf-8";

/// Where a scrape reads the figures not kept here.
pub struct Sources<'a> {
    pub engine: &'a Engine,
    pub config: &'a SharedConfig,
    pub outbox: &'a OutboxWorker,
    pub scheduler: &'a Scheduler,
    /// Each background worker by name, and whether it runs now.
    pub workers: [(&'static str, bool); 2],
    /// Slack's signals and Socket Mode connections, when Slack is on.
    pub slack: Option<&'a SlackStatus>,
}

/// What the server counts for monitoring alone. One per process, shared by the HTTP layer,
/// the reload handler and the backup endpoint.
#[derive(Debug)]
pub struct Metrics {
    http: Mutex<BTreeMap<HttpKey, Histogram>>,
    reloads_ok: AtomicU64,
    reloads_failed: AtomicU64,
    /// Unix seconds of the last successful (re)load; the start counts as the first load.
    last_reload_ok: AtomicI64,
    backups_ok: AtomicU64,
    backups_failed: AtomicU64,
    started_at: i64,
}

impl Default for Metrics {
    fn default() -> Self {
        let now = chrono::Utc::now().timestamp();
        Metrics {
            http: Mutex::new(BTreeMap::new()),
            reloads_ok: AtomicU64::new(0),
            reloads_failed: AtomicU64::new(0),
            last_reload_ok: AtomicI64::new(now),
            backups_ok: AtomicU64::new(0),
            backups_failed: AtomicU64::new(0),
            started_at: now,
        }
    }
}

impl Metrics {
    /// Records one HTTP request. `endpoint` is the route's pattern (`/slack/events`), never
    /// the raw path, so the number of series stays bounded.
    pub fn observe_http(&self, endpoint: &str, method: &'static str, status: u16, took: Duration) {
        let key = HttpKey {
            endpoint: endpoint.to_owned(),
            method,
            status,
        };
        self.http
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .entry(key)
            .or_default()
            .observe(took.as_secs_f64());
    }

    pub fn reload_succeeded(&self) {
        self.reloads_ok.fetch_add(1, Ordering::Relaxed);
        self.last_reload_ok
            .store(chrono::Utc::now().timestamp(), Ordering::Relaxed);
    }

    pub fn reload_failed(&self) {
        self.reloads_failed.fetch_add(1, Ordering::Relaxed);
    }

    pub fn backup_finished(&self, ok: bool) {
        if ok {
            self.backups_ok.fetch_add(1, Ordering::Relaxed);
        } else {
            self.backups_failed.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// Everything /metrics shows, in the text exposition format. Reads the store (through
    /// its indexes), so call it off the async runtime's worker threads.
    pub fn render(&self, state: &Sources<'_>) -> String {
        let mut out = Exposition::default();
        let config = current(state.config);

        out.family(
            "frontdesk_build_info",
            "The running frontdesk version; always 1.",
            "gauge",
        );
        out.sample(
            "frontdesk_build_info",
            &[("version", env!("CARGO_PKG_VERSION"))],
            1,
        );
        out.family(
            "frontdesk_start_time_seconds",
            "When the process started, in Unix seconds.",
            "gauge",
        );
        out.sample("frontdesk_start_time_seconds", &[], self.started_at);
        out.family(
            "frontdesk_worker_up",
            "1 while the background worker runs (0 when workers are off or stopped).",
            "gauge",
        );
        for (worker, up) in state.workers {
            out.sample("frontdesk_worker_up", &[("worker", worker)], u64::from(up));
        }

        // ---- configuration ----
        out.family(
            "frontdesk_departments",
            "Departments in the configuration in force.",
            "gauge",
        );
        out.sample("frontdesk_departments", &[], config.departments.len());
        out.family(
            "frontdesk_config_reloads_total",
            "Configuration reloads (SIGHUP) by result; a failed reload keeps the old configuration.",
            "counter",
        );
        out.sample(
            "frontdesk_config_reloads_total",
            &[("result", "success")],
            self.reloads_ok.load(Ordering::Relaxed),
        );
        out.sample(
            "frontdesk_config_reloads_total",
            &[("result", "failure")],
            self.reloads_failed.load(Ordering::Relaxed),
        );
        out.family(
            "frontdesk_config_last_reload_success_timestamp_seconds",
            "When the configuration in force was loaded, in Unix seconds.",
            "gauge",
        );
        out.sample(
            "frontdesk_config_last_reload_success_timestamp_seconds",
            &[],
            self.last_reload_ok.load(Ordering::Relaxed),
        );

        delivery::render_writer(&mut out, state);

        let mut store_ok = desk::render(&mut out, state, &config);
        service_levels::render(&mut out, state, &config);
        delivery::render(&mut out, state);
        store_ok &= timers::render(&mut out, state);

        // ---- operations ----
        out.family(
            "frontdesk_backups_total",
            "Backups served through POST /admin/backup, by result.",
            "counter",
        );
        out.sample(
            "frontdesk_backups_total",
            &[("result", "success")],
            self.backups_ok.load(Ordering::Relaxed),
        );
        out.sample(
            "frontdesk_backups_total",
            &[("result", "failure")],
            self.backups_failed.load(Ordering::Relaxed),
        );
        out.family(
            "frontdesk_store_readable",
            "1 when every store read this scrape made succeeded.",
            "gauge",
        );
        out.sample("frontdesk_store_readable", &[], u64::from(store_ok));

        if let Some(slack) = &state.slack {
            slack::render(&mut out, slack);
        }

        let http = self.http.lock().unwrap_or_else(|e| e.into_inner()).clone();
        http::render(&mut out, &http);
        out.text
    }
}

#[cfg(test)]
mod tests {
    use super::exposition::{escape_help, escape_label, format_float};
    use super::http::{Histogram, HTTP_BUCKETS};
    use super::*;

    #[test]
    fn label_values_and_help_are_escaped() {
        assert_eq!(escape_label(r#"a"b\c"#), r#"a\"b\\c"#);
        assert_eq!(escape_label("x\ny"), "x\\ny");
        assert_eq!(escape_help("a\\b\nc \"q\""), "a\\\\b\\nc \"q\"");
    }

    #[test]
    fn histogram_buckets_take_the_first_bound_at_or_above() {
        let mut h = Histogram::default();
        h.observe(0.001);
        h.observe(0.003);
        h.observe(99.0);
        assert_eq!(h.buckets[0], 1);
        assert_eq!(h.buckets[2], 1);
        assert_eq!(h.buckets[HTTP_BUCKETS.len()], 1);
        assert_eq!(h.count, 3);
    }

    #[test]
    fn floats_are_written_the_way_prometheus_reads_them() {
        assert_eq!(format_float(1.0), "1.0");
        assert_eq!(format_float(0.0025), "0.0025");
        assert_eq!(format_float(f64::INFINITY), "+Inf");
        assert_eq!(format_float(f64::NAN), "NaN");
    }

    #[test]
    fn unknown_methods_share_one_label_value() {
        let odd = axum::http::Method::from_bytes(b"BREW").unwrap();
        assert_eq!(method_label(&odd), "other");
        assert_eq!(method_label(&axum::http::Method::POST), "POST");
    }
}
