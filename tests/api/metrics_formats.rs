//! `/metrics` in both formats it writes: the text format 0.0.4 for every scraper that doesn't
//! ask otherwise, and OpenMetrics when the `Accept` header prefers it (as Prometheus's does).
//! Every family `/metrics` showed before it was built on a `prometheus-client` registry is
//! still there, by the same name, type and help, in both.
//!
//! The real binary, with Slack over Socket Mode against local fakes, so that every family
//! shows, the Slack ones included.

use crate::helpers::fake_slack::FakeSlack;
use crate::helpers::metrics::{parse_series, scrape};
use crate::helpers::process::Server;
use crate::helpers::socket_standin::Standin;
use crate::helpers::{eventually, get, http};
use std::collections::{BTreeMap, BTreeSet};

/// Every family and its type, as `/metrics` showed them in the text format before.
const FAMILIES: &[(&str, &str)] = &[
    ("frontdesk_build_info", "gauge"),
    ("frontdesk_start_time_seconds", "gauge"),
    ("frontdesk_worker_up", "gauge"),
    ("frontdesk_departments", "gauge"),
    ("frontdesk_config_reloads_total", "counter"),
    (
        "frontdesk_config_last_reload_success_timestamp_seconds",
        "gauge",
    ),
    ("frontdesk_store_writes_total", "counter"),
    ("frontdesk_store_flushes_total", "counter"),
    ("frontdesk_store_writes_queued", "gauge"),
    ("frontdesk_requests_created_total", "counter"),
    ("frontdesk_requests_claimed_total", "counter"),
    ("frontdesk_requests_closed_total", "counter"),
    ("frontdesk_requests_reopened_total", "counter"),
    ("frontdesk_requests_cancelled_total", "counter"),
    ("frontdesk_open_requests", "gauge"),
    ("frontdesk_satisfaction_ratings_total", "counter"),
    ("frontdesk_active_drafts", "gauge"),
    ("frontdesk_outbox_depth", "gauge"),
    ("frontdesk_outbox_dead_letters", "gauge"),
    ("frontdesk_deliveries_total", "counter"),
    ("frontdesk_delivery_failures_total", "counter"),
    ("frontdesk_dead_lettered_total", "counter"),
    ("frontdesk_outbox_in_flight", "gauge"),
    ("frontdesk_outbox_concurrency", "gauge"),
    ("frontdesk_outbox_concurrency_ceiling", "gauge"),
    ("frontdesk_outbox_paused", "gauge"),
    ("frontdesk_outbox_deferred_total", "counter"),
    ("frontdesk_reminders_due", "gauge"),
    ("frontdesk_reminders_pending", "gauge"),
    ("frontdesk_reminders_fired_total", "counter"),
    ("frontdesk_backups_total", "counter"),
    ("frontdesk_store_readable", "gauge"),
    ("frontdesk_slack_app_rate_limited_total", "counter"),
    ("frontdesk_slack_access_revoked", "gauge"),
    ("frontdesk_slack_socket_connections", "gauge"),
    ("frontdesk_slack_socket_reconnects_total", "counter"),
    ("frontdesk_slack_socket_connect_failures_total", "counter"),
    ("frontdesk_slack_socket_envelopes_total", "counter"),
    ("frontdesk_http_request_duration_seconds", "histogram"),
];

/// OpenMetrics names a counter's family without `_total`; its samples keep it.
fn openmetrics_family(name: &str, kind: &str) -> String {
    match kind {
        "counter" => name.strip_suffix("_total").unwrap_or(name).to_string(),
        _ => name.to_string(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn both_formats_carry_every_family_and_openmetrics_parses() {
    let fake = FakeSlack::start().await;
    let standin = Standin::start().await;
    *fake.behaviour().socket_url.lock().unwrap() = Some(standin.url());
    let dir = tempfile::tempdir().unwrap();
    let env = [
        ("FRONTDESK_LISTEN", "127.0.0.1:0".to_string()),
        (
            "FRONTDESK_DATA_DIR",
            dir.path().join("data").display().to_string(),
        ),
        ("SLACK_API_URL", fake.api_url()),
        ("SLACK_BOT_TOKEN", "xoxb-metrics-test".into()),
        ("SLACK_APP_TOKEN", "xapp-1-A0OPS-1-metrics-test".into()),
    ];
    // Waiting for the server blocks: off the runtime, which meanwhile serves the fakes.
    let server = tokio::task::spawn_blocking(move || {
        let pairs: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
        Server::start(&["serve"], &pairs)
    })
    .await
    .expect("frontdesk serve starts");
    let base = server.url("");
    eventually("/readyz to answer 200", || async {
        (get(&format!("{base}/readyz")).await.0 == 200).then_some(())
    })
    .await;

    // The text format, as every scraper that doesn't ask for OpenMetrics gets it.
    let text = scrape(&base).await;
    // Then OpenMetrics, as Prometheus asks for it.
    let r = http()
        .get(format!("{base}/metrics"))
        .header(
            "accept",
            "application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1",
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(
        r.headers()["content-type"],
        "application/openmetrics-text; version=1.0.0; charset=utf-8"
    );
    let om_text = r.text().await.unwrap();
    let om = parse_openmetrics(&om_text).unwrap_or_else(|e| panic!("{e}\n{om_text}"));

    for &(name, kind) in FAMILIES {
        assert_eq!(
            text.family_type(name).as_deref(),
            Some(kind),
            "{name} in the text format\n{}",
            text.text
        );
        assert!(
            text.text.contains(&format!("# HELP {name} ")),
            "{name} has a HELP line"
        );
        let om_name = openmetrics_family(name, kind);
        assert_eq!(
            om.types.get(&om_name).map(String::as_str),
            Some(kind),
            "{om_name} in OpenMetrics"
        );
    }
    // Help texts are written once, as given: no full stop added to one that has one.
    assert!(text.text.contains(
        "# HELP frontdesk_requests_created_total Requests filed since the process started, by department.\n"
    ));
    assert!(!text.text.contains("..\n"), "{}", text.text);
    assert!(!text.text.contains("# EOF") && !text.text.contains("# UNIT"));

    // Every series of the first scrape is in the second, under the same sample name.
    for sample in text.text.lines().filter(|l| !l.starts_with('#')) {
        let (series, _) = sample.rsplit_once(' ').unwrap();
        let (name, labels) = parse_series(series).unwrap();
        let key = (name.clone(), normalised(labels));
        assert!(om.series.contains(&key), "{series} in OpenMetrics");
    }
    // And the same values where nothing moved in between.
    for name in [
        "frontdesk_departments",
        "frontdesk_slack_socket_reconnects_total",
        "frontdesk_slack_access_revoked",
    ] {
        assert_eq!(
            om.values.get(name).copied(),
            Some(text.get(name, &[])),
            "{name}"
        );
    }
    server.stop();
}

/// Labels by name, with a bucket's bound as a number: the text format writes `le="1"`
/// where OpenMetrics writes `le="1.0"`.
fn normalised(labels: Vec<(String, String)>) -> BTreeMap<String, String> {
    labels
        .into_iter()
        .map(|(k, v)| match (k.as_str(), v.parse::<f64>()) {
            ("le", Ok(bound)) => (k, format!("{bound:?}")),
            _ => (k, v),
        })
        .collect()
}

/// What a strict read of an OpenMetrics text found.
struct OpenMetrics {
    /// Family → type.
    types: BTreeMap<String, String>,
    /// (sample name, labels) of every sample.
    series: BTreeSet<(String, BTreeMap<String, String>)>,
    /// Unlabelled samples' values.
    values: BTreeMap<String, f64>,
}

/// Reads OpenMetrics text strictly enough to catch a broken answer: it ends with `# EOF`; each
/// family has one TYPE before its samples and its samples together; a sample's name is its
/// family's name plus a suffix its type allows; values are numbers; no series twice.
fn parse_openmetrics(text: &str) -> Result<OpenMetrics, String> {
    let body = text
        .strip_suffix("# EOF\n")
        .ok_or("does not end with # EOF")?;
    let mut out = OpenMetrics {
        types: BTreeMap::new(),
        series: BTreeSet::new(),
        values: BTreeMap::new(),
    };
    let mut current: Option<(String, String)> = None;
    for (n, line) in body.lines().enumerate() {
        let at = |m: &str| format!("line {}: {m}: {line:?}", n + 1);
        if let Some(meta) = line.strip_prefix("# ") {
            let words: Vec<&str> = meta.splitn(3, ' ').collect();
            match words.as_slice() {
                ["TYPE", name, kind] => {
                    let known = [
                        "counter",
                        "gauge",
                        "histogram",
                        "info",
                        "unknown",
                        "stateset",
                        "summary",
                        "gaugehistogram",
                    ];
                    if !known.contains(kind) {
                        return Err(at("unknown type"));
                    }
                    if out
                        .types
                        .insert(name.to_string(), kind.to_string())
                        .is_some()
                    {
                        return Err(at("a second TYPE for a family"));
                    }
                    current = Some((name.to_string(), kind.to_string()));
                }
                ["HELP", _, _] | ["UNIT", _, _] => {}
                _ => return Err(at("unknown metadata")),
            }
            continue;
        }
        let (family, kind) = current
            .as_ref()
            .ok_or_else(|| at("a sample before any TYPE"))?;
        let (series, value) = line.rsplit_once(' ').ok_or_else(|| at("no value"))?;
        let value: f64 = match value {
            "+Inf" => f64::INFINITY,
            "-Inf" => f64::NEG_INFINITY,
            v => v.parse().map_err(|_| at("bad value"))?,
        };
        let (name, labels) = parse_series(series).map_err(|e| at(&e))?;
        let suffixes: &[&str] = match kind.as_str() {
            "counter" => &["_total", "_created"],
            "histogram" => &["_bucket", "_count", "_sum", "_created"],
            "info" => &["_info"],
            _ => &[""],
        };
        if !suffixes
            .iter()
            .any(|s| name.strip_suffix(s) == Some(family.as_str()))
        {
            return Err(at(&format!("not a sample of the family {family}")));
        }
        if labels.is_empty() {
            out.values.insert(name.clone(), value);
        }
        if !out.series.insert((name, normalised(labels))) {
            return Err(at("a series twice"));
        }
    }
    Ok(out)
}
