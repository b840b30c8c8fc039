//! Helpers for tests/ops.rs: the real `frontdesk` binary as a child process with its logs
//! captured, loopback HTTP, a strict reader of the Prometheus text format, and a small
//! fake of Slack's Web API.

#![allow(dead_code)]

use axum::extract::{Path, State};
use axum::response::IntoResponse;
use serde_json::{json, Value};
use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{mpsc, Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

/// How long any wait on a real process may take before the test fails.
pub const PATIENCE: Duration = Duration::from_secs(30);

pub const BIN: &str = env!("CARGO_BIN_EXE_frontdesk");

/// Besides the configuration's own variables ([`frontdesk::config::ENV_VARS`]), the ones
/// that choose the file or change logging and networking: the tests set what they need and
/// nothing leaks in from the environment they run in.
const HERMETIC_TOO: &[&str] = &[
    "FRONTDESK_CONFIG",
    "RUST_LOG",
    "HTTP_PROXY",
    "HTTPS_PROXY",
    "ALL_PROXY",
    "http_proxy",
    "https_proxy",
    "all_proxy",
];

/// A `frontdesk` command with a clean environment.
pub fn frontdesk(args: &[&str], env: &[(&str, &str)]) -> Command {
    let mut cmd = Command::new(BIN);
    for name in frontdesk::config::ENV_VARS.iter().chain(HERMETIC_TOO) {
        cmd.env_remove(name);
    }
    cmd.args(args).envs(env.iter().copied());
    cmd
}

/// [`run`], for a command that must succeed: fails the test with its stderr otherwise.
pub fn run_ok(args: &[&str], env: &[(&str, &str)]) -> std::process::Output {
    let out = run(args, env);
    assert!(
        out.status.success(),
        "frontdesk {} failed: {}",
        args.join(" "),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// Runs a short-lived `frontdesk` command to completion (bounded by [`PATIENCE`]).
pub fn run(args: &[&str], env: &[(&str, &str)]) -> std::process::Output {
    let mut cmd = frontdesk(args, env);
    cmd.stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let child = cmd.spawn().expect("spawning frontdesk");
    let pid = child.id();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(child.wait_with_output());
    });
    match rx.recv_timeout(PATIENCE) {
        Ok(out) => out.expect("waiting for frontdesk"),
        Err(_) => {
            let _ = Command::new("kill")
                .arg("-KILL")
                .arg(pid.to_string())
                .status();
            panic!("frontdesk {args:?} did not finish within {PATIENCE:?}");
        }
    }
}

#[derive(Default)]
struct Seen {
    lines: Vec<String>,
    /// The stream reached its end (the child closed it or exited).
    closed: bool,
}

/// Lines a child wrote to one stream, with a way to wait for a particular one.
#[derive(Clone, Default)]
pub struct Lines(Arc<(Mutex<Seen>, Condvar)>);

impl Lines {
    fn collect(self, stream: impl std::io::Read + Send + 'static) {
        std::thread::spawn(move || {
            let (seen, changed) = &*self.0;
            for line in BufReader::new(stream).lines() {
                let Ok(line) = line else { break };
                seen.lock().unwrap().lines.push(line);
                changed.notify_all();
            }
            seen.lock().unwrap().closed = true;
            changed.notify_all();
        });
    }

    pub fn all(&self) -> Vec<String> {
        self.0 .0.lock().unwrap().lines.clone()
    }

    /// Every line, once the stream has ended (bounded by [`PATIENCE`]).
    pub fn all_until_closed(&self) -> Vec<String> {
        let deadline = Instant::now() + PATIENCE;
        let (seen, changed) = &*self.0;
        let mut guard = seen.lock().unwrap();
        while !guard.closed {
            let left = deadline.saturating_duration_since(Instant::now());
            assert!(
                !left.is_zero(),
                "the stream did not end within {PATIENCE:?}"
            );
            guard = changed.wait_timeout(guard, left).unwrap().0;
        }
        guard.lines.clone()
    }

    /// Waits until a line satisfies `want`; returns it.
    pub fn wait_for(&self, what: &str, want: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + PATIENCE;
        let (seen, changed) = &*self.0;
        let mut guard = seen.lock().unwrap();
        loop {
            if let Some(l) = guard.lines.iter().find(|l| want(l)) {
                return l.clone();
            }
            let left = deadline.saturating_duration_since(Instant::now());
            assert!(
                !left.is_zero() && !guard.closed,
                "no line {what} within {PATIENCE:?}; got:\n{}",
                guard.lines.join("\n")
            );
            guard = changed.wait_timeout(guard, left).unwrap().0;
        }
    }

    /// Waits until something new is written (or the stream ends), at most `limit`.
    fn wait_a_little(&self, limit: Duration) {
        let (seen, changed) = &*self.0;
        let guard = seen.lock().unwrap();
        let (n, closed) = (guard.lines.len(), guard.closed);
        let _ = changed
            .wait_timeout_while(guard, limit, |s| s.lines.len() == n && s.closed == closed)
            .unwrap();
    }
}

/// `frontdesk serve` running as a child process.
pub struct Server {
    child: Child,
    pub addr: SocketAddr,
    pub stdout: Lines,
    pub stderr: Lines,
}

impl Server {
    /// Starts `frontdesk <args>` (which must include `serve`) and waits for its
    /// `frontdesk listening on http://ADDR` line.
    pub fn start(args: &[&str], env: &[(&str, &str)]) -> Server {
        let mut child = frontdesk(args, env)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawning frontdesk serve");
        let (stdout, stderr) = (Lines::default(), Lines::default());
        stdout.clone().collect(child.stdout.take().unwrap());
        stderr.clone().collect(child.stderr.take().unwrap());
        let mut server = Server {
            child,
            addr: "127.0.0.1:0".parse().unwrap(),
            stdout,
            stderr,
        };
        let deadline = Instant::now() + PATIENCE;
        let line = loop {
            if let Some(l) = server
                .stdout
                .all()
                .into_iter()
                .find(|l| l.starts_with("frontdesk listening on http://"))
            {
                break l;
            }
            if let Ok(Some(status)) = server.child.try_wait() {
                panic!(
                    "frontdesk serve exited ({status}) before listening:\n{}",
                    server.stderr.all().join("\n")
                );
            }
            assert!(
                Instant::now() < deadline,
                "frontdesk serve did not start listening within {PATIENCE:?}:\n{}",
                server.stderr.all().join("\n")
            );
            // Wake on the next stdout line; look at the process again after a moment in
            // case it died without writing one.
            server.stdout.wait_a_little(Duration::from_millis(100));
        };
        server.addr = line
            .trim_start_matches("frontdesk listening on http://")
            .trim()
            .parse()
            .expect("the announced address");
        assert!(
            server.addr.ip().is_loopback(),
            "tests listen on loopback only"
        );
        server
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Sends a signal (`HUP`, `TERM`, …) to this child with `kill`.
    pub fn signal(&self, name: &str) {
        let status = Command::new("kill")
            .arg(format!("-{name}"))
            .arg(self.pid().to_string())
            .status()
            .expect("running kill");
        assert!(status.success(), "kill -{name} failed");
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// SIGKILL: the process dies wherever it is, as in a crash.
    pub fn kill_9(mut self) {
        self.signal("KILL");
        let _ = self.child.wait();
    }

    /// SIGTERM, then waits for the exit (bounded).
    pub fn stop(mut self) -> ExitStatus {
        self.signal("TERM");
        let deadline = Instant::now() + PATIENCE;
        loop {
            if let Some(status) = self.child.try_wait().expect("waiting for frontdesk") {
                return status;
            }
            assert!(
                Instant::now() < deadline,
                "frontdesk did not stop within {PATIENCE:?} of SIGTERM"
            );
            // Its stderr closes when it exits: wake then, or look again after a moment.
            self.stderr.wait_a_little(Duration::from_millis(50));
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// Waits until no handle holds the store's lock in `dir`. sled lets go of its lock from a
/// background thread a moment after the last handle in a process is dropped, so a test that
/// closes a store and hands the directory to something else waits for that first.
pub fn wait_until_unlocked(dir: &std::path::Path) {
    let db = dir.join("db");
    let deadline = Instant::now() + PATIENCE;
    loop {
        let Ok(file) = std::fs::File::open(&db) else {
            return; // no store (yet)
        };
        match file.try_lock() {
            Ok(()) => {
                let _ = file.unlock();
                return;
            }
            Err(std::fs::TryLockError::WouldBlock) => {
                assert!(
                    Instant::now() < deadline,
                    "{} stayed locked for {PATIENCE:?}",
                    db.display()
                );
                std::thread::sleep(Duration::from_millis(5));
            }
            Err(std::fs::TryLockError::Error(e)) => panic!("locking {}: {e}", db.display()),
        }
    }
}

/// An HTTP client for loopback tests: no proxy from the environment, short timeouts.
pub fn http() -> reqwest::Client {
    reqwest::Client::builder()
        .no_proxy()
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap()
}

pub async fn get(url: &str) -> (u16, String) {
    let r = http().get(url).send().await.expect("GET");
    (r.status().as_u16(), r.text().await.unwrap_or_default())
}

/// Polls `check` until it returns Some, for at most [`PATIENCE`].
pub async fn eventually<T, F, Fut>(what: &str, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let deadline = Instant::now() + PATIENCE;
    let mut pause = Duration::from_millis(5);
    loop {
        if let Some(v) = check().await {
            return v;
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(pause).await;
        pause = (pause * 2).min(Duration::from_millis(200));
    }
}

// ---------------------------------------------------------------------------------------------
// Prometheus text format
// ---------------------------------------------------------------------------------------------

/// Scrapes /metrics: checks the content type and the format strictly, then parses it.
pub async fn scrape(base: &str) -> Metrics {
    let r = http()
        .get(format!("{base}/metrics"))
        .send()
        .await
        .expect("GET /metrics");
    assert_eq!(r.status(), 200);
    let ct = r.headers()[reqwest::header::CONTENT_TYPE]
        .to_str()
        .unwrap()
        .to_string();
    assert!(
        ct.starts_with("text/plain") && ct.contains("version=0.0.4"),
        "content type {ct}"
    );
    Metrics::parse(&r.text().await.unwrap())
}

/// A parsed scrape: by `prometheus-parse`, after [`check_exposition`] passed.
pub struct Metrics {
    pub text: String,
    pub scrape: prometheus_parse::Scrape,
}

impl Metrics {
    pub fn parse(text: &str) -> Metrics {
        if let Err(e) = check_exposition(text) {
            panic!("invalid exposition format: {e}\n{text}");
        }
        let scrape = prometheus_parse::Scrape::parse(text.lines().map(|l| Ok(l.to_string())))
            .expect("prometheus-parse reads it");
        Metrics {
            text: text.to_string(),
            scrape,
        }
    }

    /// The value of the one sample of `name` whose labels include `labels`. Histograms are
    /// reported by `prometheus-parse` as one sample per series; use [`Metrics::histogram`].
    pub fn value(&self, name: &str, labels: &[(&str, &str)]) -> Option<f64> {
        let matching: Vec<f64> = self
            .scrape
            .samples
            .iter()
            .filter(|s| s.metric == name)
            .filter(|s| labels.iter().all(|(k, v)| s.labels.get(k) == Some(*v)))
            .filter_map(|s| match s.value {
                prometheus_parse::Value::Counter(v)
                | prometheus_parse::Value::Gauge(v)
                | prometheus_parse::Value::Untyped(v) => Some(v),
                _ => None,
            })
            .collect();
        assert!(
            matching.len() <= 1,
            "{name} {labels:?} matches {} samples",
            matching.len()
        );
        matching.first().copied()
    }

    pub fn get(&self, name: &str, labels: &[(&str, &str)]) -> f64 {
        self.value(name, labels)
            .unwrap_or_else(|| panic!("no sample {name} {labels:?} in\n{}", self.text))
    }

    /// (buckets as (le, cumulative count), count, sum) of one histogram series.
    pub fn histogram(&self, name: &str, labels: &[(&str, &str)]) -> Option<HistogramSeries> {
        let sample = self
            .scrape
            .samples
            .iter()
            .filter(|s| s.metric == name)
            .find(|s| labels.iter().all(|(k, v)| s.labels.get(k) == Some(*v)))?;
        match &sample.value {
            prometheus_parse::Value::Histogram(buckets) => {
                let count = self.get(&format!("{name}_count"), labels);
                let sum = self.get(&format!("{name}_sum"), labels);
                Some((
                    buckets.iter().map(|b| (b.less_than, b.count)).collect(),
                    count,
                    sum,
                ))
            }
            _ => None,
        }
    }

    pub fn family_type(&self, name: &str) -> Option<String> {
        self.text.lines().find_map(|l| {
            l.strip_prefix(&format!("# TYPE {name} "))
                .map(str::to_string)
        })
    }
}

fn is_metric_name(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_' || c == ':')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':')
}

fn is_label_name(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

fn parse_value(s: &str) -> Option<f64> {
    match s {
        "+Inf" => Some(f64::INFINITY),
        "-Inf" => Some(f64::NEG_INFINITY),
        "NaN" => Some(f64::NAN),
        _ => s.parse().ok(),
    }
}

/// `name{a="x",b="y"}` → (name, [(a, x), (b, y)]), strictly: quoted values with only the
/// escapes `\\`, `\"` and `\n`, no duplicate label names.
fn parse_series(s: &str) -> Result<(String, Vec<(String, String)>), String> {
    let Some(open) = s.find('{') else {
        return if is_metric_name(s) {
            Ok((s.to_string(), vec![]))
        } else {
            Err(format!("bad metric name {s:?}"))
        };
    };
    let name = &s[..open];
    if !is_metric_name(name) {
        return Err(format!("bad metric name {name:?}"));
    }
    let body = s[open + 1..]
        .strip_suffix('}')
        .ok_or_else(|| format!("unterminated labels in {s:?}"))?;
    let mut labels: Vec<(String, String)> = Vec::new();
    let mut rest = body;
    while !rest.is_empty() {
        let eq = rest
            .find('=')
            .ok_or_else(|| format!("label without = in {s:?}"))?;
        let label = &rest[..eq];
        if !is_label_name(label) {
            return Err(format!("bad label name {label:?} in {s:?}"));
        }
        let mut chars = rest[eq + 1..].char_indices();
        if chars.next().map(|(_, c)| c) != Some('"') {
            return Err(format!("unquoted label value in {s:?}"));
        }
        let mut value = String::new();
        let mut end = None;
        while let Some((i, c)) = chars.next() {
            match c {
                '\\' => match chars.next() {
                    Some((_, '\\')) => value.push('\\'),
                    Some((_, '"')) => value.push('"'),
                    Some((_, 'n')) => value.push('\n'),
                    other => return Err(format!("bad escape {other:?} in {s:?}")),
                },
                '"' => {
                    end = Some(eq + 1 + i + 1);
                    break;
                }
                '\n' => return Err(format!("raw newline in {s:?}")),
                c => value.push(c),
            }
        }
        let end = end.ok_or_else(|| format!("unterminated label value in {s:?}"))?;
        if labels.iter().any(|(l, _)| l == label) {
            return Err(format!("duplicate label {label} in {s:?}"));
        }
        labels.push((label.to_string(), value));
        rest = &rest[end..];
        if let Some(r) = rest.strip_prefix(',') {
            rest = r;
        } else if !rest.is_empty() {
            return Err(format!("junk after a label value in {s:?}"));
        }
    }
    Ok((name.to_string(), labels))
}

/// Checks the text exposition format (0.0.4) strictly, beyond what `prometheus-parse`
/// tolerates: well-formed names, labels and values; `# TYPE` once per family, before its
/// samples; each family's samples together; no duplicate series; counters not negative;
/// histogram buckets cumulative, ending in `+Inf` equal to `_count`, with a `_sum`.
pub fn check_exposition(text: &str) -> Result<(), String> {
    use std::collections::{BTreeMap, HashMap, HashSet};
    if !text.ends_with('\n') {
        return Err("does not end with a newline".into());
    }
    let mut types: HashMap<String, String> = HashMap::new();
    let mut finished: HashSet<String> = HashSet::new();
    let mut current: Option<String> = None;
    let mut series: HashSet<String> = HashSet::new();
    // histogram series (family, labels without le) → buckets, count, sum
    type Key = (String, Vec<(String, String)>);
    let mut buckets: BTreeMap<Key, Vec<(f64, f64)>> = BTreeMap::new();
    let mut counts: BTreeMap<Key, f64> = BTreeMap::new();
    let mut sums: HashSet<Key> = HashSet::new();
    for (n, line) in text.lines().enumerate() {
        let at = |m: String| format!("line {}: {m}: {line:?}", n + 1);
        if line.is_empty() {
            continue;
        }
        if let Some(comment) = line.strip_prefix('#') {
            let words: Vec<&str> = comment.trim_start().splitn(3, ' ').collect();
            match words.as_slice() {
                ["TYPE", name, kind] => {
                    if !is_metric_name(name) {
                        return Err(at("bad family name".into()));
                    }
                    if !["counter", "gauge", "histogram", "summary", "untyped"].contains(kind) {
                        return Err(at("unknown type".into()));
                    }
                    if types.insert(name.to_string(), kind.to_string()).is_some() {
                        return Err(at("second TYPE for a family".into()));
                    }
                    if finished.contains(*name) || current.as_deref() == Some(name) {
                        return Err(at("TYPE after the family's samples".into()));
                    }
                }
                ["HELP", name, ..] if !is_metric_name(name) => {
                    return Err(at("bad family name".into()))
                }
                _ => {}
            }
            continue;
        }
        let (series_text, value) = line.rsplit_once(' ').ok_or_else(|| at("no value".into()))?;
        let value = parse_value(value).ok_or_else(|| at("bad value".into()))?;
        let (name, labels) = parse_series(series_text).map_err(at)?;
        let family = ["_bucket", "_count", "_sum"]
            .iter()
            .find_map(|suffix| {
                name.strip_suffix(suffix).filter(|f| {
                    types
                        .get(*f)
                        .is_some_and(|t| t == "histogram" || t == "summary")
                })
            })
            .unwrap_or(&name)
            .to_string();
        let kind = types
            .get(&family)
            .ok_or_else(|| at(format!("sample of {family} before its TYPE")))?
            .clone();
        if current.as_deref() != Some(family.as_str()) {
            if let Some(prev) = current.take() {
                finished.insert(prev);
            }
            if finished.contains(&family) {
                return Err(at(format!("samples of {family} are not together")));
            }
            current = Some(family.clone());
        }
        let mut sorted = labels.clone();
        sorted.sort();
        if !series.insert(format!("{name}{sorted:?}")) {
            return Err(at("duplicate series".into()));
        }
        if kind == "counter" && (value.is_nan() || value < 0.0) {
            return Err(at("negative or NaN counter".into()));
        }
        if kind == "histogram" {
            let mut base: Vec<(String, String)> =
                sorted.iter().filter(|(k, _)| k != "le").cloned().collect();
            base.sort();
            let key = (family.clone(), base);
            if name.ends_with("_bucket") {
                let le = labels
                    .iter()
                    .find(|(k, _)| k == "le")
                    .and_then(|(_, v)| parse_value(v))
                    .ok_or_else(|| at("bucket without a numeric le".into()))?;
                buckets.entry(key).or_default().push((le, value));
            } else if name.ends_with("_count") {
                counts.insert(key, value);
            } else if name.ends_with("_sum") {
                sums.insert(key);
            } else {
                return Err(at(
                    "a histogram sample that is not _bucket/_count/_sum".into()
                ));
            }
        }
    }
    for (key, bs) in &buckets {
        if bs.windows(2).any(|w| w[0].0 >= w[1].0 || w[0].1 > w[1].1) {
            return Err(format!("{key:?}: buckets not increasing and cumulative"));
        }
        match bs.last() {
            Some((le, n)) if le.is_infinite() && Some(n) == counts.get(key) => {}
            _ => return Err(format!("{key:?}: no +Inf bucket equal to _count")),
        }
        if !sums.contains(key) {
            return Err(format!("{key:?}: no _sum"));
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// A fake of the Slack Web API methods frontdesk calls, answering the documented shapes.
// ---------------------------------------------------------------------------------------------

/// Slack methods called, with the auth header each carried.
pub type CallLog = Arc<Mutex<Vec<(String, Option<String>)>>>;

/// (buckets as (le, cumulative count), count, sum).
pub type HistogramSeries = (Vec<(f64, f64)>, f64, f64);

pub struct FakeSlack {
    pub addr: SocketAddr,
    pub calls: CallLog,
    /// Every answered call with its decoded body, for tests that look at channels and text.
    pub bodies: Arc<Mutex<Vec<(String, Value)>>>,
    /// While set, calls hang without an answer and are not recorded: a Slack that is slow
    /// exactly when the bot dies.
    pub stall: Arc<std::sync::atomic::AtomicBool>,
    /// Shapes how the fake answers: delays, held channels, rate-limited methods.
    pub behaviour: Arc<Behaviour>,
    stop: tokio_util::sync::CancellationToken,
}

/// A message the fake took: (channel, ts, thread_ts, metadata).
pub type Posted = (String, String, Option<String>, Value);

/// How the fake answers, beyond "at once and `ok`".
#[derive(Default)]
pub struct Behaviour {
    /// Every call waits this long before answering (after it was taken and recorded).
    pub delay_ms: AtomicU64,
    /// Added to the delay: up to this many milliseconds more, different per call, so
    /// answers come back in another order than the calls went out.
    pub jitter_ms: AtomicU64,
    /// Posts into these channels are taken (recorded, and in the history) but never answered.
    pub held_channels: Mutex<Vec<String>>,
    /// Methods answered with a 429 and this `Retry-After`, while listed.
    pub rate_limited: Mutex<HashMap<String, u64>>,
    /// `chat.postMessage` calls being answered now, and the most there were at once.
    pub posts_in_flight: AtomicU64,
    pub max_posts_in_flight: AtomicU64,
    /// Every message posted, oldest first.
    pub history: Mutex<Vec<Posted>>,
    /// The WebSocket URL `apps.connections.open` hands out (Socket Mode); while unset it
    /// refuses the app token with `invalid_auth`.
    pub socket_url: Mutex<Option<String>>,
}

impl Behaviour {
    pub fn hold_channel(&self, channel: &str) {
        self.held_channels.lock().unwrap().push(channel.to_string());
    }

    pub fn release_channels(&self) {
        self.held_channels.lock().unwrap().clear();
    }

    pub fn rate_limit(&self, method: &str, retry_after_secs: u64) {
        self.rate_limited
            .lock()
            .unwrap()
            .insert(method.to_string(), retry_after_secs);
    }

    /// The outbox ids the posts into `channel` (and its threads) carried, in arrival order.
    pub fn outbox_ids_in(&self, channel: &str) -> Vec<(Option<String>, u64)> {
        self.history
            .lock()
            .unwrap()
            .iter()
            .filter(|(c, ..)| c == channel)
            .filter_map(|(_, _, thread, md)| {
                let id = md["event_payload"]["outbox_id"].as_str()?.parse().ok()?;
                Some((thread.clone(), id))
            })
            .collect()
    }
}

#[derive(Clone)]
struct FakeState {
    calls: CallLog,
    bodies: Arc<Mutex<Vec<(String, Value)>>>,
    stall: Arc<std::sync::atomic::AtomicBool>,
    behaviour: Arc<Behaviour>,
    ts: Arc<AtomicU64>,
}

impl FakeSlack {
    pub async fn start() -> FakeSlack {
        let state = FakeState {
            calls: Arc::default(),
            bodies: Arc::default(),
            stall: Arc::default(),
            behaviour: Arc::default(),
            ts: Arc::new(AtomicU64::new(1)),
        };
        let (calls, bodies, stall, behaviour) = (
            state.calls.clone(),
            state.bodies.clone(),
            state.stall.clone(),
            state.behaviour.clone(),
        );
        let app = axum::Router::new()
            .route("/api/{method}", axum::routing::any(fake_slack_method))
            .with_state(state);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let stop = tokio_util::sync::CancellationToken::new();
        let token = stop.clone();
        tokio::spawn(async move {
            let _ = axum::serve(listener, app)
                .with_graceful_shutdown(token.cancelled_owned())
                .await;
        });
        FakeSlack {
            addr,
            calls,
            bodies,
            stall,
            behaviour,
            stop,
        }
    }

    pub fn api_url(&self) -> String {
        format!("http://{}/api/", self.addr)
    }

    pub fn calls_to(&self, method: &str) -> usize {
        self.calls
            .lock()
            .unwrap()
            .iter()
            .filter(|(m, _)| m == method)
            .count()
    }
}

impl Drop for FakeSlack {
    fn drop(&mut self) {
        self.stop.cancel();
    }
}

fn form_or_json(body: &[u8]) -> Value {
    serde_json::from_slice(body).unwrap_or_else(|_| {
        let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(body).unwrap_or_default();
        Value::Object(
            pairs
                .into_iter()
                .map(|(k, v)| (k, Value::String(v)))
                .collect(),
        )
    })
}

async fn fake_slack_method(
    State(state): State<FakeState>,
    Path(method): Path<String>,
    uri: axum::http::Uri,
    headers: axum::http::HeaderMap,
    body: axum::body::Bytes,
) -> axum::response::Response {
    let auth = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    if state.stall.load(Ordering::SeqCst) {
        std::future::pending::<()>().await;
    }
    state.calls.lock().unwrap().push((method.clone(), auth));
    let b = &state.behaviour;
    let limited = b.rate_limited.lock().unwrap().get(&method).copied();
    if let Some(secs) = limited {
        return (
            axum::http::StatusCode::TOO_MANY_REQUESTS,
            [("retry-after", secs.to_string())],
            axum::Json(json!({"ok": false, "error": "ratelimited"})),
        )
            .into_response();
    }
    let fields = if body.is_empty() {
        // Readers such as conversations.history come as GET with a query string.
        let query = uri.query().unwrap_or("").as_bytes().to_vec();
        form_or_json(&query)
    } else {
        form_or_json(&body)
    };
    state
        .bodies
        .lock()
        .unwrap()
        .push((method.clone(), fields.clone()));
    let field = |n: &str| {
        fields
            .get(n)
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string()
    };
    let seq = state.ts.fetch_add(1, Ordering::SeqCst);
    let ts = format!("1700000000.{seq:06}");
    let posting = method == "chat.postMessage";
    if posting {
        let thread = fields
            .get("thread_ts")
            .and_then(Value::as_str)
            .map(str::to_string);
        let metadata = fields.get("metadata").cloned().unwrap_or(Value::Null);
        b.history
            .lock()
            .unwrap()
            .push((field("channel"), ts.clone(), thread, metadata));
        let now = b.posts_in_flight.fetch_add(1, Ordering::SeqCst) + 1;
        b.max_posts_in_flight.fetch_max(now, Ordering::SeqCst);
        if b.held_channels.lock().unwrap().contains(&field("channel")) {
            std::future::pending::<()>().await;
        }
    }
    let delay = b.delay_ms.load(Ordering::SeqCst)
        + match b.jitter_ms.load(Ordering::SeqCst) {
            0 => 0,
            jitter => seq.wrapping_mul(7919) % jitter,
        };
    if delay > 0 {
        tokio::time::sleep(std::time::Duration::from_millis(delay)).await;
    }
    if posting {
        b.posts_in_flight.fetch_sub(1, Ordering::SeqCst);
    }
    let mut answer = match method.as_str() {
        "apps.connections.open" => match b.socket_url.lock().unwrap().clone() {
            Some(url) => json!({ "url": url }),
            None => {
                return axum::Json(json!({"ok": false, "error": "invalid_auth"})).into_response()
            }
        },
        "auth.test" => json!({
            "url": "https://ops-test.slack.com/", "team": "Ops Test", "user": "frontdesk",
            "team_id": "T0OPS", "user_id": "U0BOT", "bot_id": "B0BOT", "is_enterprise_install": false
        }),
        "conversations.open" => {
            let user = match fields.get("users") {
                Some(Value::Array(a)) => {
                    a.first().and_then(Value::as_str).unwrap_or("").to_string()
                }
                Some(Value::String(s)) => s.split(',').next().unwrap_or("").to_string(),
                _ => String::new(),
            };
            json!({"channel": {"id": format!("D{user}")}, "already_open": false})
        }
        "chat.postMessage" | "chat.update" => {
            let ts = if method == "chat.update" {
                field("ts")
            } else {
                ts
            };
            json!({"channel": field("channel"), "ts": ts, "message": {
                "type": "message", "text": field("text"), "user": "U0BOT", "bot_id": "B0BOT", "ts": ts}})
        }
        "chat.postEphemeral" => json!({"message_ts": ts}),
        "views.publish" => json!({"view": {"id": "V0HOME", "team_id": "T0OPS", "type": "home",
            "blocks": [], "private_metadata": "", "callback_id": "", "hash": "1.a",
            "state": {"values": {}}, "app_id": "A0OPS", "bot_id": "B0BOT"}}),
        "conversations.history" | "conversations.replies" => {
            let channel = field("channel");
            let thread = (method == "conversations.replies").then(|| field("ts"));
            // `oldest` is not applied: the fake's timestamps are not the real time.
            let mut messages: Vec<Value> = b
                .history
                .lock()
                .unwrap()
                .iter()
                .filter(|(c, _, t, _)| {
                    c == &channel && (thread.is_none() || t.as_ref() == thread.as_ref())
                })
                .map(|(_, ts, t, md)| {
                    let mut m =
                        json!({"type": "message", "user": "U0BOT", "bot_id": "B0BOT", "ts": ts});
                    if let Some(t) = t {
                        m["thread_ts"] = json!(t);
                    }
                    if field("include_all_metadata") == "true" && !md.is_null() {
                        m["metadata"] = md.clone();
                    }
                    m
                })
                .collect();
            messages.reverse();
            json!({"messages": messages, "has_more": false})
        }
        "conversations.info" => json!({"channel": {"id": field("channel"), "name": "help",
            "is_channel": true, "is_private": false, "created": 1600000000,
            "is_archived": false, "is_member": true}}),
        _ => json!({}),
    };
    answer["ok"] = json!(true);
    axum::Json(answer).into_response()
}

/// `X-Slack-Signature` as Slack computes it: HMAC-SHA256 of `v0:{ts}:{body}`.
pub fn slack_signature(secret: &str, ts: i64, body: &[u8]) -> String {
    use hmac::{Hmac, Mac};
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(format!("v0:{ts}:").as_bytes());
    mac.update(body);
    format!("v0={}", hex::encode(mac.finalize().into_bytes()))
}

/// POSTs `body` to a Slack endpoint of the server, signed with `secret`.
pub async fn post_signed(
    url: &str,
    secret: &str,
    content_type: &str,
    body: String,
    x_request_id: &str,
) -> u16 {
    let ts = chrono::Utc::now().timestamp();
    let sig = slack_signature(secret, ts, body.as_bytes());
    http()
        .post(url)
        .header("content-type", content_type)
        .header("x-slack-request-timestamp", ts.to_string())
        .header("x-slack-signature", sig)
        .header("x-request-id", x_request_id)
        .body(body)
        .send()
        .await
        .expect("POST to the Slack endpoint")
        .status()
        .as_u16()
}

// ---- a desk on Slack, driven as Slack drives it ----

/// The signing secret of [`slack_env`]'s server.
pub const SIGNING_SECRET: &str = "crash-test-signing-secret";
const FORM: &str = "application/x-www-form-urlencoded";

/// The environment of a `frontdesk serve` on Slack (the fake), on `data`.
pub fn slack_env(
    fake: &FakeSlack,
    data: &std::path::Path,
    config: Option<&std::path::Path>,
) -> Vec<(String, String)> {
    let mut env = vec![
        ("FRONTDESK_LISTEN".to_string(), "127.0.0.1:0".to_string()),
        ("FRONTDESK_DATA_DIR".into(), data.display().to_string()),
        ("SLACK_API_URL".into(), fake.api_url()),
        ("SLACK_SIGNING_SECRET".into(), SIGNING_SECRET.into()),
        ("SLACK_BOT_TOKEN".into(), "xoxb-crash-test".into()),
    ];
    if let Some(c) = config {
        env.push(("FRONTDESK_CONFIG".into(), c.display().to_string()));
    }
    env
}

pub fn start(env: &[(String, String)]) -> Server {
    let pairs: Vec<(&str, &str)> = env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    Server::start(&["serve"], &pairs)
}

pub async fn ready(server: &Server) {
    let url = server.url("/readyz");
    eventually("readiness", || async {
        (get(&url).await.0 == 200).then_some(())
    })
    .await;
}

pub async fn command(server: &Server, user: &str, text: &str, trigger: &str) {
    let body = serde_urlencoded::to_string([
        ("team_id", "T0OPS"),
        ("channel_id", "C0GENERAL"),
        ("user_id", user),
        ("command", "/help-it"),
        ("text", text),
        ("response_url", "http://127.0.0.1:9/unused"),
        ("trigger_id", trigger),
    ])
    .unwrap();
    let status = post_signed(
        &server.url("/slack/commands"),
        SIGNING_SECRET,
        FORM,
        body,
        trigger,
    )
    .await;
    assert_eq!(status, 200, "slash command from {user}");
}

pub fn dm_event(event_id: &str, user: &str, text: &str, ts: &str) -> String {
    serde_json::json!({
        "token": "unused", "team_id": "T0OPS", "api_app_id": "A0OPS", "type": "event_callback",
        "event_id": event_id, "event_time": 1_700_000_000,
        "event": {"type": "message", "channel_type": "im", "channel": format!("D{user}"),
            "user": user, "text": text, "ts": ts, "event_ts": ts},
    })
    .to_string()
}

pub async fn say(server: &Server, event_id: &str, user: &str, text: &str, ts: &str) {
    let status = post_signed(
        &server.url("/slack/events"),
        SIGNING_SECRET,
        "application/json",
        dm_event(event_id, user, text, ts),
        event_id,
    )
    .await;
    assert_eq!(status, 200, "event {event_id}");
}

/// Answered `chat.postMessage` calls into `channel`.
pub fn posts_to(fake: &FakeSlack, channel: &str) -> Vec<Value> {
    fake.bodies
        .lock()
        .unwrap()
        .iter()
        .filter(|(m, b)| m == "chat.postMessage" && b["channel"] == channel)
        .map(|(_, b)| b.clone())
        .collect()
}
