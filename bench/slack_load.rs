//! Load script for the Slack endpoint (issue 3, "Performance"): sends signed `/help-it`
//! slash commands to `frontdesk serve` on loopback and measures both acknowledgement and
//! delivery. Each acknowledgement comes after the command's state is flushed to disk (the
//! engine's group commit), so the ack numbers are for durable acks; a command's job is
//! delivered when the first question of its intake is posted to the user's DM.
//!
//! Run with (release, so the numbers mean something):
//!
//! ```text
//! cargo build --release --example slack_load --bin frontdesk
//! cargo run --release --example slack_load -- [--clients 32 | --rate 500] [--seconds 10]
//!     [--latency-ms 0] [--server-cpus 0] [--concurrency N] [--drain-seconds 120]
//!     [--users N] [--bin target/release/frontdesk | --addr http://127.0.0.1:3000 --secret S]
//! ```
//!
//! For example `-- --clients 32 --seconds 5 --latency-ms 50 --server-cpus 0`.
//!
//! By default it starts a fake Slack Web API in process (see `slack_load/fake_slack.rs`: every
//! call is answered after `--latency-ms`, many at once, in Slack's shapes), then
//! `frontdesk serve` from the release directory with a temp data dir, configured through
//! environment variables to use that fake (`--concurrency N` sets
//! `FRONTDESK_OUTBOX_CONCURRENCY`), and stops it with SIGTERM at the end. `--server-cpus LIST`
//! starts the server under `taskset -c LIST` and moves this process (load client and fake
//! Slack) onto the remaining CPUs. With `--addr` it targets a server that is already running
//! (signing with `--secret`) and reports acknowledgements only.
//!
//! `--bin target/release/examples/minimal_slack` runs the reference handler instead of
//! frontdesk (`bench/minimal_slack.rs`, built with `cargo build --release --example
//! minimal_slack`): the signature check, one durable sled write, the ack and a first DM's two
//! Web API calls, nothing more. Its figures, taken on the same machine, are the yardstick for
//! frontdesk's.
//!
//! Two ways to load:
//!
//! * Closed loop (`--clients N`): N clients each send a command, wait for its answer and send
//!   the next, for `--seconds`. Every command comes from a user id of its own with a trigger
//!   id of its own, so each one starts a fresh intake.
//! * Open loop (`--rate R`, the default at 500/s): command `i` is due at `start + i / rate`,
//!   whether or not earlier ones were answered, and its latency is measured from when it was
//!   due, so a stalled server can't hide behind a slowed-down client ("coordinated
//!   omission"). Users are distinct unless `--users N` makes them repeat.
//!
//! Reported: acknowledgements/s and ack latency; then, waiting up to `--drain-seconds` after
//! the load for every acknowledged job's first DM: completed jobs/s (jobs over the time from
//! the load's start to the last first DM), the drain time (from the last acknowledgement to the
//! last first DM), how many jobs never completed, the time from sending a command to its first
//! DM, and the Web API calls the fake saw. Before the load, a warm-up (connections, the store's
//! first pages, the allocator) runs and its DMs are delivered.

#[path = "slack_load/fake_slack.rs"]
mod fake_slack;
#[path = "slack_load/server.rs"]
mod server;

use fake_slack::FakeSlack;
use futures::StreamExt;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

const USAGE: &str = "usage: slack_load [--clients N | --rate N] [--seconds N] [--latency-ms N] \
    [--server-cpus LIST] [--concurrency N] [--drain-seconds N] [--users N] \
    [--bin PATH | --addr URL --secret S]";

/// Commands sent (and their DMs awaited) before the measured load.
const WARM_UP: usize = 200;

struct Args {
    rate: Option<u64>,
    clients: Option<usize>,
    seconds: u64,
    users: u64,
    latency_ms: u64,
    server_cpus: Option<String>,
    concurrency: Option<usize>,
    drain_seconds: u64,
    bin: Option<String>,
    addr: Option<String>,
    secret: String,
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        rate: None,
        clients: None,
        seconds: 10,
        users: 0,
        latency_ms: 0,
        server_cpus: None,
        concurrency: None,
        drain_seconds: 120,
        bin: None,
        addr: None,
        secret: "bench-signing-secret".into(),
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || it.next().ok_or_else(|| format!("{flag} needs a value"));
        macro_rules! number {
            () => {
                value()?.parse().map_err(|e| format!("{flag}: {e}"))?
            };
        }
        match flag.as_str() {
            "--rate" => args.rate = Some(number!()),
            "--clients" => args.clients = Some(number!()),
            "--seconds" => args.seconds = number!(),
            "--users" => args.users = number!(),
            "--latency-ms" => args.latency_ms = number!(),
            "--server-cpus" => args.server_cpus = Some(value()?),
            "--concurrency" => args.concurrency = Some(number!()),
            "--drain-seconds" => args.drain_seconds = number!(),
            "--bin" => args.bin = Some(value()?),
            "--addr" => args.addr = Some(value()?),
            "--secret" => args.secret = value()?,
            "-h" | "--help" => return Err(USAGE.into()),
            other => return Err(format!("unknown argument {other}\n{USAGE}")),
        }
    }
    if args.rate.is_some() && args.clients.is_some() {
        return Err("--rate (open loop) and --clients (closed loop) exclude each other".into());
    }
    if args.rate == Some(0) || args.clients == Some(0) || args.seconds == 0 {
        return Err("--rate, --clients and --seconds must be positive".into());
    }
    if args.seconds > 60 {
        return Err("--seconds is capped at 60".into());
    }
    if args.clients.is_some() && args.users != 0 {
        return Err("--users is for the open loop; closed-loop users are all distinct".into());
    }
    if args.addr.is_some() && (args.server_cpus.is_some() || args.concurrency.is_some()) {
        return Err(
            "--server-cpus and --concurrency need a server started here, not --addr".into(),
        );
    }
    Ok(args)
}

fn sign(secret: &str, ts: i64, body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("any key length");
    mac.update(format!("v0:{ts}:").as_bytes());
    mac.update(body);
    format!("v0={}", hex::encode(mac.finalize().into_bytes()))
}

/// One command's answer.
struct Outcome {
    user: String,
    /// When the request left.
    sent: Instant,
    /// From when the command was due (open loop) or sent (closed loop) to its answer.
    latency: Duration,
    /// From when the request actually left to when its answer arrived.
    service: Duration,
    ok: bool,
}

/// Sends signed `/help-it` commands, each with a trigger id never used before.
struct Commander {
    client: reqwest::Client,
    url: String,
    secret: String,
    /// Tells this run's trigger ids from an earlier run's (with `--addr`).
    run: String,
    triggers: AtomicU64,
}

impl Commander {
    fn body(&self, user: &str) -> String {
        let n = self.triggers.fetch_add(1, Ordering::Relaxed);
        serde_urlencoded::to_string([
            ("token", "verification_token"),
            ("team_id", fake_slack::TEAM),
            ("team_domain", "frontdesk-bench"),
            ("channel_id", "C0BENCH"),
            ("channel_name", "bench"),
            ("user_id", user),
            ("user_name", &user.to_lowercase()),
            ("command", "/help-it"),
            ("text", "my vpn is broken"),
            ("trigger_id", &format!("{n}.{}", self.run)),
            (
                "response_url",
                "https://hooks.slack.com/commands/T0FRONT/1/x",
            ),
        ])
        .expect("a form")
    }

    /// `due` is when the command should have left; its latency counts from then.
    async fn send(&self, user: String, due: Instant) -> Outcome {
        let body = self.body(&user);
        let ts = chrono::Utc::now().timestamp();
        let sig = sign(&self.secret, ts, body.as_bytes());
        let sent = Instant::now();
        let result = self
            .client
            .post(&self.url)
            .header("content-type", "application/x-www-form-urlencoded")
            .header("x-slack-request-timestamp", ts.to_string())
            .header("x-slack-signature", sig)
            .body(body)
            .send()
            .await;
        let ok = match result {
            Ok(r) => r.status().is_success() && r.bytes().await.is_ok(),
            Err(_) => false,
        };
        let done = Instant::now();
        Outcome {
            user,
            sent,
            latency: done - due.min(sent),
            service: done - sent,
            ok,
        }
    }
}

/// What a measured load did.
struct Load {
    outcomes: Vec<Outcome>,
    start: Instant,
    /// When the last answer arrived.
    end: Instant,
}

async fn open_loop(
    cmd: Arc<Commander>,
    rate: u64,
    seconds: u64,
    users: u64,
) -> Result<Load, String> {
    let total = rate * seconds;
    let users = if users == 0 { total } else { users };
    println!(
        "open loop: {total} commands at {rate}/s for {seconds} s to {}",
        cmd.url
    );
    let interval = Duration::from_secs_f64(1.0 / rate as f64);
    let start = Instant::now();
    let mut tasks = Vec::with_capacity(total as usize);
    for i in 0..total {
        let due = start + interval.mul_f64(i as f64);
        tokio::time::sleep_until(due.into()).await;
        let cmd = cmd.clone();
        tasks.push(tokio::spawn(async move {
            cmd.send(format!("UO{:07}", i % users), due).await
        }));
    }
    println!("  all sent in {:.2} s", start.elapsed().as_secs_f64());
    let mut outcomes = Vec::with_capacity(tasks.len());
    for t in tasks {
        outcomes.push(t.await.map_err(|e| e.to_string())?);
    }
    Ok(Load {
        outcomes,
        start,
        end: Instant::now(),
    })
}

async fn closed_loop(cmd: Arc<Commander>, clients: usize, seconds: u64) -> Result<Load, String> {
    println!(
        "closed loop: {clients} clients for {seconds} s to {}",
        cmd.url
    );
    let start = Instant::now();
    let stop = start + Duration::from_secs(seconds);
    let tasks: Vec<_> = (0..clients)
        .map(|c| {
            let cmd = cmd.clone();
            tokio::spawn(async move {
                let mut outcomes = Vec::new();
                let mut k = 0u64;
                while Instant::now() < stop {
                    outcomes.push(cmd.send(format!("UC{c:03}N{k:07}"), Instant::now()).await);
                    k += 1;
                }
                outcomes
            })
        })
        .collect();
    let mut outcomes = Vec::new();
    for t in tasks {
        outcomes.extend(t.await.map_err(|e| e.to_string())?);
    }
    Ok(Load {
        outcomes,
        start,
        end: Instant::now(),
    })
}

/// Waits (up to `limit`) until each of `users` has had its first DM; returns how many did.
async fn await_first_dms(fake: &FakeSlack, users: &[&str], limit: Duration) -> usize {
    let deadline = Instant::now() + limit;
    loop {
        let done = fake.count_first_dms(users.iter().copied());
        if done == users.len() || Instant::now() >= deadline {
            return done;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

async fn warm_up(cmd: &Arc<Commander>, fake: Option<&FakeSlack>) {
    let users: Vec<String> = (0..WARM_UP).map(|i| format!("UW{i:06}")).collect();
    let started = Instant::now();
    let acked: Vec<Outcome> = futures::stream::iter(users.iter().cloned())
        .map(|u| {
            let cmd = cmd.clone();
            async move { cmd.send(u, Instant::now()).await }
        })
        .buffer_unordered(16)
        .filter(|o| std::future::ready(o.ok))
        .collect()
        .await;
    let Some(fake) = fake else { return };
    let acked: Vec<&str> = acked.iter().map(|o| o.user.as_str()).collect();
    let done = await_first_dms(fake, &acked, Duration::from_secs(60)).await;
    println!(
        "warm-up: {} commands, {} acknowledged, {done} first DMs, in {:.2} s",
        WARM_UP,
        acked.len(),
        started.elapsed().as_secs_f64()
    );
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}

fn print_latencies(name: &str, mut v: Vec<Duration>) {
    v.sort();
    println!(
        "{name}: p50 {}  p90 {}  p99 {}  max {}",
        ms(percentile(&v, 50.0)),
        ms(percentile(&v, 90.0)),
        ms(percentile(&v, 99.0)),
        ms(percentile(&v, 100.0))
    );
}

fn report_acks(load: &Load, open: bool) {
    let total = load.outcomes.len();
    let ok = load.outcomes.iter().filter(|o| o.ok).count();
    let took = (load.end - load.start).as_secs_f64();
    println!(
        "commands:   {total} sent, {ok} acknowledged with 200, {} failed",
        total - ok
    );
    println!(
        "acks:       {:.0} acknowledged/s (all answers in {took:.2} s)",
        ok as f64 / took
    );
    let latency = load.outcomes.iter().map(|o| o.latency).collect();
    if open {
        print_latencies("ack latency (from due time)", latency);
        print_latencies(
            "ack latency (from send)",
            load.outcomes.iter().map(|o| o.service).collect(),
        );
    } else {
        print_latencies("ack latency", latency);
    }
}

async fn report_delivery(fake: &FakeSlack, load: &Load, drain_limit: Duration) {
    // A job per acknowledged user (its first command, when users repeat).
    let mut sent_at: HashMap<&str, Instant> = HashMap::new();
    for o in load.outcomes.iter().filter(|o| o.ok) {
        sent_at.entry(o.user.as_str()).or_insert(o.sent);
    }
    let users: Vec<&str> = sent_at.keys().copied().collect();
    let waited_from = Instant::now();
    await_first_dms(fake, &users, drain_limit.saturating_sub(load.end.elapsed())).await;
    let firsts = fake.first_dms(users.iter().copied());
    let missing = users.len() - firsts.len();
    println!(
        "delivery:   {} of {} acknowledged jobs got their first DM, {missing} never did (waited {:.2} s of at most {} s)",
        firsts.len(),
        users.len(),
        waited_from.elapsed().as_secs_f64(),
        drain_limit.as_secs()
    );
    let Some(last) = firsts.iter().map(|(_, at)| *at).max() else {
        return;
    };
    let span = (last - load.start).as_secs_f64();
    // With jobs missing, the rate and the drain are lower bounds of what finishing would take.
    let unfinished = if missing > 0 {
        format!(" INCOMPLETE: {missing} jobs missing")
    } else {
        String::new()
    };
    println!(
        "jobs:       {:.0} completed/s ({} first DMs from the load's start to the last one, {span:.2} s){unfinished}",
        firsts.len() as f64 / span,
        firsts.len()
    );
    match last.checked_duration_since(load.end) {
        Some(d) => println!(
            "drain:      {:.3} s from the load's stop (last acknowledgement) to the last first DM{unfinished}",
            d.as_secs_f64()
        ),
        None => println!(
            "drain:      0 s (every first DM was posted before the last acknowledgement){unfinished}"
        ),
    }
    print_latencies(
        "first DM (from sending the command)",
        firsts
            .iter()
            .map(|(u, at)| at.saturating_duration_since(sent_at[u]))
            .collect(),
    );
}

fn report_fake(fake: &FakeSlack) {
    let stats = fake.stats();
    let methods: Vec<String> = stats
        .by_method
        .iter()
        .map(|(m, n)| format!("{m} {n}"))
        .collect();
    println!(
        "fake Slack: {} Web API calls in the whole run, at most {} in flight ({})",
        stats.calls,
        stats.max_in_flight,
        methods.join(", ")
    );
}

async fn run(args: Args) -> Result<(), String> {
    frontdesk::slack::install_crypto_provider();
    let data_dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let mut fake = None;
    let (mut child, base) = match &args.addr {
        Some(addr) => (None, addr.trim_end_matches('/').to_string()),
        None => {
            let latency = Duration::from_millis(args.latency_ms);
            let started = FakeSlack::start(latency).await.map_err(|e| e.to_string())?;
            let bin = args.bin.clone().unwrap_or_else(|| {
                let exe = std::env::current_exe().unwrap_or_default();
                // target/release/examples/slack_load -> target/release/frontdesk
                let dir = exe
                    .parent()
                    .and_then(|p| p.parent())
                    .map(|p| p.to_path_buf())
                    .unwrap_or_default();
                dir.join("frontdesk").display().to_string()
            });
            let launch = server::Launch {
                bin: &bin,
                api_url: started.api_url(),
                secret: &args.secret,
                data_dir: data_dir.path(),
                outbox_concurrency: args.concurrency,
                cpus: args.server_cpus.as_deref(),
                app_token: None,
            };
            let (child, addr) = server::start(&launch).await?;
            println!(
                "server: {bin} on {addr}; fake Slack answers after {} ms; server CPUs {}; outbox concurrency {}",
                args.latency_ms,
                args.server_cpus.as_deref().unwrap_or("any"),
                args.concurrency
                    .map_or_else(|| "default".to_string(), |n| n.to_string())
            );
            fake = Some(started);
            (Some(child), addr)
        }
    };
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(256)
        .build()
        .map_err(|e| e.to_string())?;
    let now_ms = chrono::Utc::now().timestamp_millis();
    let cmd = Arc::new(Commander {
        client,
        url: format!("{base}/slack/commands"),
        secret: args.secret.clone(),
        run: format!("bench{}x{now_ms}", std::process::id()),
        triggers: AtomicU64::new(1),
    });

    warm_up(&cmd, fake.as_ref()).await;
    let server_pid = child.as_ref().and_then(tokio::process::Child::id);
    let cpu_before = server_pid.and_then(server::usage);
    let load = match args.clients {
        Some(clients) => closed_loop(cmd.clone(), clients, args.seconds).await?,
        None => {
            open_loop(
                cmd.clone(),
                args.rate.unwrap_or(500),
                args.seconds,
                args.users,
            )
            .await?
        }
    };
    report_acks(&load, args.clients.is_none());
    if let Some(fake) = &fake {
        report_delivery(fake, &load, Duration::from_secs(args.drain_seconds)).await;
        report_fake(fake);
    }
    if let Ok(metrics) = reqwest::get(format!("{base}/metrics")).await {
        let text = metrics.text().await.unwrap_or_default();
        let value = |name: &str| -> Option<f64> {
            text.lines()
                .find_map(|l| l.strip_prefix(name)?.trim().parse().ok())
        };
        if let (Some(writes), Some(flushes)) = (
            value("frontdesk_store_writes_total "),
            value("frontdesk_store_flushes_total "),
        ) {
            println!(
                "store:      {writes:.0} writes in {flushes:.0} flushes ({:.1} per flush) over the whole run",
                writes / flushes.max(1.0)
            );
        }
    }
    if let (Some(before), Some(after)) = (cpu_before, server_pid.and_then(server::usage)) {
        let acked = load.outcomes.iter().filter(|o| o.ok).count().max(1);
        let cpu = after.cpu_seconds - before.cpu_seconds;
        println!(
            "server:     {cpu:.2} s of CPU from the load's start to the drain's end, {:.0} µs per acknowledged job; {} context switches per job",
            cpu * 1e6 / acked as f64,
            (after.context_switches - before.context_switches) / acked as u64
        );
    }
    if let Some(child) = child.as_mut() {
        server::stop(child).await;
    }
    Ok(())
}

fn main() -> std::process::ExitCode {
    let mut args = match parse_args() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("slack_load: {e}");
            return std::process::ExitCode::from(2);
        }
    };
    let mut runtime = tokio::runtime::Builder::new_multi_thread();
    if let Some(list) = args.server_cpus.clone() {
        let server_cpus = match server::parse_cpu_list(&list) {
            Ok(c) => c,
            Err(e) => {
                eprintln!("slack_load: --server-cpus: {e}");
                return std::process::ExitCode::from(2);
            }
        };
        if server::taskset_available() {
            // Before the runtime starts its threads, so they all inherit the CPUs.
            if let Some(client_cpus) = server::pin_client_away_from(&server_cpus) {
                println!("load client and fake Slack on CPUs {client_cpus:?}");
                runtime.worker_threads(client_cpus.len());
            }
        } else {
            eprintln!("slack_load: warning: no taskset here; the server runs unpinned");
            args.server_cpus = None;
        }
    }
    let runtime = runtime.enable_all().build().expect("a runtime");
    match runtime.block_on(run(args)) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("slack_load: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}
