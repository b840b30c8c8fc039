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
//! The exposition format is written by hand: it is small, and writing it here keeps label
//! escaping and the histogram layout in one reviewed place (tests parse the output with a
//! Prometheus text-format parser).

use crate::app::{current, AppState};
use crate::core::Status;
use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::Duration;

/// The `Content-Type` of the text exposition format.
pub const CONTENT_TYPE: &str = "text/plain; version=0.0.4; charset=utf-8";

/// Upper bounds (seconds) of the HTTP latency buckets. Slack wants an answer within 3 s, so
/// the buckets are fine below that and coarse above.
pub const HTTP_BUCKETS: [f64; 13] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

/// At most this many due timers are read per scrape to count them by kind.
const DUE_TIMERS_SCAN_LIMIT: usize = 10_000;

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct HttpKey {
    endpoint: String,
    method: &'static str,
    status: u16,
}

#[derive(Debug, Clone, Default)]
struct Histogram {
    /// Observations per bucket (not cumulative); the last slot is "above every bound".
    buckets: [u64; HTTP_BUCKETS.len() + 1],
    count: u64,
    sum: f64,
}

impl Histogram {
    fn observe(&mut self, seconds: f64) {
        let slot = HTTP_BUCKETS
            .iter()
            .position(|bound| seconds <= *bound)
            .unwrap_or(HTTP_BUCKETS.len());
        self.buckets[slot] += 1;
        self.count += 1;
        self.sum += seconds;
    }
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

/// The HTTP methods that get their own label value; anything else is `other`, so that a
/// client inventing methods can't grow the number of series.
pub fn method_label(method: &axum::http::Method) -> &'static str {
    use axum::http::Method;
    match *method {
        Method::GET => "GET",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::DELETE => "DELETE",
        Method::HEAD => "HEAD",
        Method::OPTIONS => "OPTIONS",
        Method::PATCH => "PATCH",
        _ => "other",
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
    pub fn render(&self, state: &AppState) -> String {
        let mut out = Exposition::default();
        let config = current(&state.config);
        let store = state.engine.store();

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
        for (worker, flag) in [
            ("outbox", &state.readiness.outbox_running),
            ("scheduler", &state.readiness.scheduler_running),
        ] {
            out.sample(
                "frontdesk_worker_up",
                &[("worker", worker)],
                u64::from(flag.load(Ordering::Relaxed)),
            );
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

        // ---- the writer's group commit ----
        let engine_stats = state.engine.stats();
        out.family(
            "frontdesk_store_writes_total",
            "Jobs (steps, delivery records) the single writer applied to the store.",
            "counter",
        );
        out.sample(
            "frontdesk_store_writes_total",
            &[],
            engine_stats.jobs.load(Ordering::Relaxed),
        );
        out.family(
            "frontdesk_store_flushes_total",
            "Flushes to disk, each making a batch of writes durable (group commit).",
            "counter",
        );
        out.sample(
            "frontdesk_store_flushes_total",
            &[],
            engine_stats.flushes.load(Ordering::Relaxed),
        );
        out.family(
            "frontdesk_store_writes_queued",
            "Writes waiting for the single writer.",
            "gauge",
        );
        out.sample(
            "frontdesk_store_writes_queued",
            &[],
            engine_stats.queued.load(Ordering::Relaxed),
        );

        // ---- requests ----
        let mut departments: Vec<String> =
            config.departments.iter().map(|d| d.id.clone()).collect();
        let events = state
            .engine
            .stats()
            .events
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone();
        let ratings = state
            .engine
            .stats()
            .ratings
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone();
        let mut open: HashMap<(String, Status), u64> = HashMap::new();
        let mut store_ok = true;
        for status in [Status::Open, Status::Claimed] {
            match store.count_by_department(status) {
                Ok(counts) => {
                    for (department, n) in counts {
                        open.insert((department, status), n);
                    }
                }
                Err(e) => {
                    store_ok = false;
                    tracing::warn!(error = %e, "metrics: reading open requests failed");
                }
            }
        }
        // Departments that were removed from the configuration but still have data keep
        // their series until they have nothing left to report.
        let extra = events
            .keys()
            .map(|(d, _)| d)
            .chain(ratings.keys().map(|(d, _)| d))
            .chain(open.keys().map(|(d, _)| d));
        for d in extra {
            if !departments.contains(d) {
                departments.push(d.clone());
            }
        }
        departments.sort();

        for (kind, help) in [
            (
                "created",
                "Requests filed since the process started, by department.",
            ),
            (
                "claimed",
                "Requests claimed by an agent since the process started, by department.",
            ),
            (
                "closed",
                "Requests closed since the process started, by department.",
            ),
            (
                "reopened",
                "Requests reopened since the process started, by department.",
            ),
            (
                "cancelled",
                "Requests cancelled by their requester since the process started, by department.",
            ),
        ] {
            let name = format!("frontdesk_requests_{kind}_total");
            out.family(&name, help, "counter");
            for d in &departments {
                let n = events.get(&(d.clone(), kind)).copied().unwrap_or(0);
                out.sample(&name, &[("department", d)], n);
            }
        }
        out.family(
            "frontdesk_open_requests",
            "Requests waiting for an agent (open) or being worked on (claimed), by department.",
            "gauge",
        );
        for d in &departments {
            for status in [Status::Open, Status::Claimed] {
                let n = open.get(&(d.clone(), status)).copied().unwrap_or(0);
                out.sample(
                    "frontdesk_open_requests",
                    &[("department", d), ("status", status.as_str())],
                    n,
                );
            }
        }
        out.family(
            "frontdesk_satisfaction_ratings_total",
            "Survey ratings (1 = poor … 5 = great) given since the process started, by department.",
            "counter",
        );
        for d in &departments {
            for rating in 1u8..=5 {
                let n = ratings.get(&(d.clone(), rating)).copied().unwrap_or(0);
                out.sample(
                    "frontdesk_satisfaction_ratings_total",
                    &[("department", d), ("rating", &rating.to_string())],
                    n,
                );
            }
        }
        out.family(
            "frontdesk_active_drafts",
            "Users in the middle of a conversation with the bot (an intake draft or an unanswered question).",
            "gauge",
        );
        out.sample("frontdesk_active_drafts", &[], store.active_drafts());

        // ---- delivery ----
        out.family(
            "frontdesk_outbox_depth",
            "Messages waiting to be delivered (including ones waiting for a retry).",
            "gauge",
        );
        out.sample("frontdesk_outbox_depth", &[], store.outbox_len());
        out.family(
            "frontdesk_outbox_dead_letters",
            "Messages given up on; list them with `frontdesk outbox list`.",
            "gauge",
        );
        out.sample(
            "frontdesk_outbox_dead_letters",
            &[],
            store.dead_letter_len(),
        );
        let by_method = state
            .outbox
            .stats
            .by_method
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone();
        let mut methods: Vec<(&String, &String)> =
            by_method.keys().map(|(p, k, _)| (p, k)).collect();
        methods.sort();
        methods.dedup();
        for (name, outcome, help) in [
            (
                "frontdesk_deliveries_total",
                "ok",
                "Messages delivered, by platform and method.",
            ),
            (
                "frontdesk_delivery_failures_total",
                "error",
                "Failed delivery attempts (each retry counts), by platform and method.",
            ),
        ] {
            out.family(name, help, "counter");
            for (platform, method) in &methods {
                let n = by_method
                    .get(&((*platform).clone(), (*method).clone(), outcome.to_string()))
                    .copied()
                    .unwrap_or(0);
                out.sample(name, &[("platform", platform), ("method", method)], n);
            }
        }
        out.family(
            "frontdesk_dead_lettered_total",
            "Messages moved to the dead letters since the process started.",
            "counter",
        );
        out.sample(
            "frontdesk_dead_lettered_total",
            &[],
            state.outbox.stats.dead.load(Ordering::Relaxed),
        );
        out.family(
            "frontdesk_outbox_in_flight",
            "Deliveries started and not finished.",
            "gauge",
        );
        out.sample(
            "frontdesk_outbox_in_flight",
            &[],
            state.outbox.stats.in_flight.load(Ordering::Relaxed),
        );
        let (limit, ceiling) = state.outbox.concurrency();
        out.family(
            "frontdesk_outbox_concurrency",
            "How many deliveries may be in flight now: it grows while calls succeed quickly and halves on 429s, timeouts and 5xx.",
            "gauge",
        );
        out.sample("frontdesk_outbox_concurrency", &[], limit);
        out.family(
            "frontdesk_outbox_concurrency_ceiling",
            "The most deliveries that may ever be in flight (outbox.concurrency).",
            "gauge",
        );
        out.sample("frontdesk_outbox_concurrency_ceiling", &[], ceiling);
        out.family(
            "frontdesk_outbox_paused",
            "Methods (Slack) or conversations (Teams) the platform paused with a 429, now.",
            "gauge",
        );
        for (platform, paused) in state.outbox.paused() {
            out.sample(
                "frontdesk_outbox_paused",
                &[("platform", &platform.to_string())],
                paused,
            );
        }
        let deferred = state
            .outbox
            .stats
            .deferred
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone();
        let mut deferred: Vec<_> = deferred.into_iter().collect();
        deferred.sort();
        out.family(
            "frontdesk_outbox_deferred_total",
            "Deliveries put off without failing: paced to a destination's documented rate, or held while the platform paused their method or conversation.",
            "counter",
        );
        for ((platform, reason), n) in deferred {
            out.sample(
                "frontdesk_outbox_deferred_total",
                &[("platform", &platform), ("reason", reason)],
                n,
            );
        }

        // ---- timers ----
        let mut due: BTreeMap<&'static str, u64> =
            ["first_response", "survey_reminder", "draft_expiry"]
                .into_iter()
                .map(|k| (k, 0))
                .collect();
        match store.due_timers(state.engine.now(), DUE_TIMERS_SCAN_LIMIT) {
            Ok(timers) => {
                for (_, t) in timers {
                    *due.entry(t.kind.name()).or_default() += 1;
                }
            }
            Err(e) => {
                store_ok = false;
                tracing::warn!(error = %e, "metrics: reading due timers failed");
            }
        }
        out.family(
            "frontdesk_reminders_due",
            "Timers (first-response reminders, survey reminders, draft expiries) due now and not fired yet, by kind.",
            "gauge",
        );
        for (kind, n) in &due {
            out.sample("frontdesk_reminders_due", &[("kind", kind)], *n);
        }
        out.family(
            "frontdesk_reminders_pending",
            "Timers scheduled for the future or due now.",
            "gauge",
        );
        out.sample("frontdesk_reminders_pending", &[], store.timer_count());
        let fired = state
            .scheduler
            .stats
            .fired_by_kind
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone();
        let mut fired: BTreeMap<&'static str, u64> = fired.into_iter().collect();
        for kind in due.keys() {
            fired.entry(kind).or_default();
        }
        out.family(
            "frontdesk_reminders_fired_total",
            "Timers fired since the process started, by kind.",
            "counter",
        );
        for (kind, n) in &fired {
            out.sample("frontdesk_reminders_fired_total", &[("kind", kind)], *n);
        }

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
            render_slack(&mut out, slack);
        }

        // ---- HTTP ----
        let http = self.http.lock().unwrap_or_else(|e| e.into_inner()).clone();
        let name = "frontdesk_http_request_duration_seconds";
        out.family(
            name,
            "Time to answer HTTP requests (until the response head), by route, method and status.",
            "histogram",
        );
        for (key, h) in &http {
            let status = key.status.to_string();
            let labels = [
                ("endpoint", key.endpoint.as_str()),
                ("method", key.method),
                ("status", status.as_str()),
            ];
            let mut cumulative = 0;
            for (i, bound) in HTTP_BUCKETS.iter().enumerate() {
                cumulative += h.buckets[i];
                out.sample_with_le(name, &labels, &format_float(*bound), cumulative);
            }
            out.sample_with_le(name, &labels, "+Inf", h.count);
            out.sample_named(&format!("{name}_sum"), &labels, &format_float(h.sum));
            out.sample_named(&format!("{name}_count"), &labels, &h.count.to_string());
        }
        out.text
    }
}

/// A number as Prometheus reads it: shortest round-trip form, `+Inf`/`-Inf`/`NaN` spelled out.
/// Slack's signals, and Socket Mode's connections and envelopes when it is on.
fn render_slack(out: &mut Exposition, slack: &crate::slack::status::SlackStatus) {
    out.family(
        "frontdesk_slack_app_rate_limited_total",
        "app_rate_limited events: Slack dropped events for the workspace (more than 30,000 an hour).",
        "counter",
    );
    out.sample(
        "frontdesk_slack_app_rate_limited_total",
        &[],
        slack.app_rate_limited(),
    );
    out.family(
        "frontdesk_slack_access_revoked",
        "1 once Slack revoked the bot token or the app was uninstalled: nothing is sent to Slack until a restart with a new token.",
        "gauge",
    );
    out.sample(
        "frontdesk_slack_access_revoked",
        &[],
        u64::from(slack.revoked().is_some()),
    );
    let Some(socket) = slack.socket() else {
        return;
    };
    out.family(
        "frontdesk_slack_socket_connections",
        "Socket Mode connections up (said hello and not closed).",
        "gauge",
    );
    out.sample(
        "frontdesk_slack_socket_connections",
        &[],
        socket.connections(),
    );
    out.family(
        "frontdesk_slack_socket_reconnects_total",
        "Socket Mode connections replaced (disconnect, silence) or re-opened after a drop.",
        "counter",
    );
    out.sample(
        "frontdesk_slack_socket_reconnects_total",
        &[],
        socket.reconnects(),
    );
    out.family(
        "frontdesk_slack_socket_connect_failures_total",
        "Failed attempts to open a Socket Mode connection.",
        "counter",
    );
    out.sample(
        "frontdesk_slack_socket_connect_failures_total",
        &[],
        socket.connect_failures(),
    );
    out.family(
        "frontdesk_slack_socket_envelopes_total",
        "Socket Mode envelopes by type and outcome: processed (applied, or found applied before by its event id), duplicate (a copy of an envelope answered from the first), malformed (acknowledged, dropped), failed (not applied, not acknowledged).",
        "counter",
    );
    for ((kind, outcome), n) in socket.envelopes() {
        out.sample(
            "frontdesk_slack_socket_envelopes_total",
            &[("type", &kind), ("outcome", outcome)],
            n,
        );
    }
}

fn format_float(v: f64) -> String {
    if v.is_nan() {
        "NaN".into()
    } else if v.is_infinite() {
        if v > 0.0 { "+Inf" } else { "-Inf" }.into()
    } else {
        // `{:?}` is the shortest text that reads back as the same number (`1.0`, `0.0025`,
        // `1e-7`); Prometheus parses all of these forms.
        format!("{v:?}")
    }
}

/// Writes the text exposition format: `# HELP`, `# TYPE`, then the family's samples.
#[derive(Default)]
struct Exposition {
    text: String,
}

impl Exposition {
    fn family(&mut self, name: &str, help: &str, kind: &str) {
        let _ = writeln!(self.text, "# HELP {name} {}", escape_help(help));
        let _ = writeln!(self.text, "# TYPE {name} {kind}");
    }

    fn sample(&mut self, name: &str, labels: &[(&str, &str)], value: impl ToString) {
        self.sample_named(name, labels, &value.to_string());
    }

    fn sample_with_le(&mut self, name: &str, labels: &[(&str, &str)], le: &str, value: u64) {
        let mut all: Vec<(&str, &str)> = labels.to_vec();
        all.push(("le", le));
        self.sample_named(&format!("{name}_bucket"), &all, &value.to_string());
    }

    fn sample_named(&mut self, name: &str, labels: &[(&str, &str)], value: &str) {
        self.text.push_str(name);
        if !labels.is_empty() {
            self.text.push('{');
            for (i, (k, v)) in labels.iter().enumerate() {
                if i > 0 {
                    self.text.push(',');
                }
                let _ = write!(self.text, "{k}=\"{}\"", escape_label(v));
            }
            self.text.push('}');
        }
        self.text.push(' ');
        self.text.push_str(value);
        self.text.push('\n');
    }
}

/// Label values escape backslash, double quote and line feed.
fn escape_label(v: &str) -> String {
    let mut out = String::with_capacity(v.len());
    for c in v.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
    out
}

/// HELP text escapes backslash and line feed.
fn escape_help(v: &str) -> String {
    v.replace('\\', "\\\\").replace('\n', "\\n")
}

#[cfg(test)]
mod tests {
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
