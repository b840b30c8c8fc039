//! Crash benchmark: requests are filed through the real `frontdesk serve` while it is killed
//! with SIGKILL over and over and restarted on the same data directory; afterwards it checks
//! that nothing acknowledged was lost and nothing was posted twice.
//!
//! ```text
//! cargo build --release --example chaos --bin frontdesk
//! cargo run --release --example chaos -- [--intakes 8] [--kills 50] [--seed 1]
//!     [--latency-ms 100] [--gap-ms 200-800] [--drain-seconds 60]
//!     [--bin target/release/frontdesk] [--keep]
//! ```
//!
//! It starts the fake Slack Web API of `slack_load` (`slack_load/fake_slack.rs`) with every call
//! answered after `--latency-ms`, message timestamps from the clock, and a `chat.postMessage`
//! taken the moment it arrives, before that latency, as Slack takes it: a kill while the bot
//! waits for the answer leaves a post the bot has not recorded. Then `frontdesk serve` from the
//! release directory on 127.0.0.1:0 with a temp data dir and the example configuration with
//! Slack's channel pacing loosened (`slack_channel_rate = 1000.0`, `slack_channel_burst = 1000`).
//!
//! `--intakes N` loops each file requests one after another, as Slack would deliver them: a
//! signed `/help-it my laptop won't boot` to `/slack/commands`, then signed Events API DMs
//! "yes", "ThinkPad", "high" and "submit" to `/slack/events`, each sent once the question it
//! answers is in the user's DM (or after 15 s without it). Every request has a user, a trigger
//! id and event ids of its own. A call that gets no 200 (the server died) is sent again once the
//! server is back: an event with the same event id and `x-slack-retry-num`, as Slack retries; a
//! command with the same trigger id.
//!
//! Meanwhile the server gets SIGKILL `--kills` times, each after a random `--gap-ms` (a seeded
//! RNG, `--seed`) since it was ready, and is started again on the same data dir (waiting for
//! `/readyz`). After the last restart the loops finish the request they are in and stop, the
//! bench waits (at most `--drain-seconds`) for `frontdesk_outbox_depth 0` in `/metrics`, stops
//! the server with SIGTERM and reads `frontdesk requests export --format json`. It reports:
//!
//! * lost: acknowledged (HTTP 200) submits whose user has no request;
//! * undelivered: requests with no card among the top-level posts in C0IT;
//! * cards posted twice: request ids (from the card text) with more than one card post, and
//!   card outbox ids (Slack message metadata) posted more than once;
//! * duplicate DMs: DM outbox ids posted more than once; likewise thread posts;
//!
//! and exits 1 if any of these is not zero, the outbox did not drain or the server did not
//! stop cleanly. `--keep` keeps the temp dir: the data, the config, `serve.log` (the server's
//! stderr, every run) and `posts.jsonl` (every post the fake Slack holds).

#[path = "chaos/check.rs"]
mod check;
#[allow(dead_code)]
#[path = "slack_load/fake_slack.rs"]
mod fake_slack;
#[path = "chaos/server.rs"]
mod server;

use fake_slack::{FakeSlack, Options};
use hmac::{Hmac, Mac};
use server::Setup;
use sha2::Sha256;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const USAGE: &str = "usage: chaos [--intakes N] [--kills N] [--seed N] [--latency-ms N] \
    [--gap-ms MIN-MAX] [--drain-seconds N] [--bin PATH] [--keep]";
const SECRET: &str = "chaos-signing-secret";
const CARDS: &str = "C0IT";
const ANSWERS: [&str; 4] = ["yes", "ThinkPad", "high", "submit"];
const FORM: &str = "application/x-www-form-urlencoded";
/// How long an intake waits for the bot's question before answering anyway.
const QUESTION_WAIT: Duration = Duration::from_secs(15);

struct Args {
    intakes: usize,
    kills: usize,
    seed: u64,
    latency_ms: u64,
    gap_ms: (u64, u64),
    drain_seconds: u64,
    bin: Option<String>,
    keep: bool,
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        intakes: 8,
        kills: 50,
        seed: 1,
        latency_ms: 100,
        gap_ms: (200, 800),
        drain_seconds: 60,
        bin: None,
        keep: false,
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
            "--intakes" => args.intakes = number!(),
            "--kills" => args.kills = number!(),
            "--seed" => args.seed = number!(),
            "--latency-ms" => args.latency_ms = number!(),
            "--gap-ms" => {
                let v = value()?;
                let (a, b) = v.split_once('-').unwrap_or((&v, &v));
                let parse = |s: &str| {
                    s.trim()
                        .parse::<u64>()
                        .map_err(|e| format!("--gap-ms: {e}"))
                };
                args.gap_ms = (parse(a)?, parse(b)?);
            }
            "--drain-seconds" => args.drain_seconds = number!(),
            "--bin" => args.bin = Some(value()?),
            "--keep" => args.keep = true,
            "-h" | "--help" => return Err(USAGE.into()),
            other => return Err(format!("unknown argument {other}\n{USAGE}")),
        }
    }
    if args.intakes == 0 || args.gap_ms.0 > args.gap_ms.1 {
        return Err(format!(
            "--intakes must be positive and --gap-ms MIN-MAX ordered\n{USAGE}"
        ));
    }
    Ok(args)
}

/// splitmix64: a small seeded generator, so a run's kill moments can be repeated.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn between(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.next() % (hi - lo + 1)
    }
}

fn sign(ts: i64, body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(SECRET.as_bytes()).expect("any key length");
    mac.update(format!("v0:{ts}:").as_bytes());
    mac.update(body);
    format!("v0={}", hex::encode(mac.finalize().into_bytes()))
}

#[derive(Default)]
struct Counters {
    requests_started: AtomicU64,
    calls: AtomicU64,
    /// Calls that got no 200 (connection refused or cut by a kill, or another status).
    failed_calls: AtomicU64,
    commands_resent: AtomicU64,
    events_retried: AtomicU64,
    submits_retried: AtomicU64,
    questions_not_seen: AtomicU64,
}

/// What the intake loops share.
struct Desk {
    http: reqwest::Client,
    fake: FakeSlack,
    /// The running server's base URL; `None` while it is down.
    server: tokio::sync::watch::Receiver<Option<String>>,
    stop: AtomicBool,
    /// Users whose "submit" was answered with 200.
    acked_submits: Mutex<Vec<String>>,
    counts: Counters,
}

impl Desk {
    /// POSTs a signed `body` to `path` until it is answered with 200; returns the failed
    /// attempts. With `retry_headers` a resend carries `x-slack-retry-num`, as Slack's do.
    async fn deliver(
        &self,
        path: &str,
        content_type: &str,
        body: &str,
        retry_headers: bool,
    ) -> u32 {
        let mut server = self.server.clone();
        let mut failures = 0u32;
        loop {
            let base = match server.wait_for(Option::is_some).await {
                Ok(b) => b.clone().unwrap_or_default(),
                Err(_) => return failures,
            };
            let ts = chrono::Utc::now().timestamp();
            let mut request = self
                .http
                .post(format!("{base}{path}"))
                .header("content-type", content_type)
                .header("x-slack-request-timestamp", ts.to_string())
                .header("x-slack-signature", sign(ts, body.as_bytes()))
                .body(body.to_string());
            if retry_headers && failures > 0 {
                request = request
                    .header("x-slack-retry-num", failures.to_string())
                    .header("x-slack-retry-reason", "http_error");
            }
            self.counts.calls.fetch_add(1, Ordering::Relaxed);
            match request.send().await {
                Ok(r) if r.status() == 200 => return failures,
                _ => {
                    failures += 1;
                    self.counts.failed_calls.fetch_add(1, Ordering::Relaxed);
                    tokio::time::sleep(Duration::from_millis(10)).await;
                }
            }
        }
    }

    /// Waits until `user`'s DM holds `n` top-level posts (the bot's `n`th question).
    async fn await_question(&self, user: &str, n: usize) {
        let channel = format!("D{user}");
        let deadline = Instant::now() + QUESTION_WAIT;
        while self.fake.top_level_count(&channel) < n {
            if Instant::now() > deadline {
                self.counts
                    .questions_not_seen
                    .fetch_add(1, Ordering::Relaxed);
                return;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }
}

fn command_body(user: &str, trigger: &str) -> String {
    serde_urlencoded::to_string([
        ("token", "verification_token"),
        ("team_id", fake_slack::TEAM),
        ("team_domain", "frontdesk-bench"),
        ("channel_id", "C0BENCH"),
        ("channel_name", "bench"),
        ("user_id", user),
        ("user_name", &user.to_lowercase()),
        ("command", "/help-it"),
        ("text", "my laptop won't boot"),
        ("trigger_id", trigger),
        (
            "response_url",
            "https://hooks.slack.com/commands/T0FRONT/1/x",
        ),
    ])
    .expect("a form")
}

fn dm_event(event_id: &str, user: &str, text: &str, ts: &str) -> String {
    serde_json::json!({
        "token": "verification_token", "team_id": fake_slack::TEAM, "api_app_id": "A0FRONT",
        "type": "event_callback", "event_id": event_id, "event_time": chrono::Utc::now().timestamp(),
        "event": {"type": "message", "channel_type": "im", "channel": format!("D{user}"),
            "user": user, "text": text, "ts": ts, "event_ts": ts},
    })
    .to_string()
}

/// Loop `i`: files requests one after another until told to stop.
async fn intake(desk: Arc<Desk>, i: usize) {
    let mut k = 0u32;
    while !desk.stop.load(Ordering::SeqCst) {
        let user = format!("UCH{i:02}X{k:05}");
        desk.counts.requests_started.fetch_add(1, Ordering::Relaxed);
        let body = command_body(&user, &format!("chaos.{i}.{k}"));
        if desk.deliver("/slack/commands", FORM, &body, false).await > 0 {
            desk.counts.commands_resent.fetch_add(1, Ordering::Relaxed);
        }
        for (j, text) in ANSWERS.iter().enumerate() {
            desk.await_question(&user, j + 1).await;
            let now = chrono::Utc::now();
            let ts = format!("{}.{:06}", now.timestamp(), now.timestamp_subsec_micros());
            let body = dm_event(&format!("EvCh{i:02}x{k:05}x{j}"), &user, text, &ts);
            let failures = desk
                .deliver("/slack/events", "application/json", &body, true)
                .await;
            if failures > 0 {
                desk.counts.events_retried.fetch_add(1, Ordering::Relaxed);
            }
            if *text == "submit" {
                if failures > 0 {
                    desk.counts.submits_retried.fetch_add(1, Ordering::Relaxed);
                }
                desk.acked_submits.lock().unwrap().push(user.clone());
            }
        }
        k += 1;
    }
}

/// One sample's value from `/metrics`.
async fn metric(http: &reqwest::Client, base: &str, name: &str) -> Option<f64> {
    let text = http
        .get(format!("{base}/metrics"))
        .send()
        .await
        .ok()?
        .text()
        .await
        .ok()?;
    text.lines()
        .find_map(|l| l.strip_prefix(name)?.strip_prefix(' ')?.trim().parse().ok())
}

async fn run(args: Args) -> Result<bool, String> {
    frontdesk::slack::install_crypto_provider();
    let began = Instant::now();
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let config = include_str!("../frontdesk.example.toml")
        .replace("slack_channel_rate = 1.0", "slack_channel_rate = 1000.0")
        .replace("slack_channel_burst = 4", "slack_channel_burst = 1000");
    if !config.contains("slack_channel_rate = 1000.0")
        || !config.contains("slack_channel_burst = 1000")
    {
        return Err("frontdesk.example.toml no longer has the pacing lines this replaces".into());
    }
    let config_path = dir.path().join("frontdesk.toml");
    std::fs::write(&config_path, config).map_err(|e| e.to_string())?;
    let fake = FakeSlack::start_with(Options {
        latency: Duration::from_millis(args.latency_ms),
        clock_ts: true,
        post_on_arrival: true,
    })
    .await
    .map_err(|e| e.to_string())?;
    let bin = args.bin.clone().unwrap_or_else(|| {
        // target/release/examples/chaos -> target/release/frontdesk
        let exe = std::env::current_exe().unwrap_or_default();
        let dir = exe
            .parent()
            .and_then(|p| p.parent())
            .map(|p| p.to_path_buf());
        dir.unwrap_or_default()
            .join("frontdesk")
            .display()
            .to_string()
    });
    let setup = Setup {
        bin,
        data_dir: dir.path().join("data"),
        config: config_path,
        api_url: fake.api_url().to_string(),
        log: dir.path().join("serve.log"),
    };
    let http = reqwest::Client::builder()
        .no_proxy()
        .timeout(Duration::from_secs(10))
        .pool_max_idle_per_host(64)
        .build()
        .map_err(|e| e.to_string())?;
    let mut server = setup.start(&http, SECRET).await?;
    println!(
        "chaos: {} on {} (data {}), fake Slack answering after {} ms; {} intakes, {} kills every {}-{} ms, seed {}",
        setup.bin, server.base, setup.data_dir.display(), args.latency_ms, args.intakes,
        args.kills, args.gap_ms.0, args.gap_ms.1, args.seed
    );
    let (up, server_rx) = tokio::sync::watch::channel(Some(server.base.clone()));
    let desk = Arc::new(Desk {
        http: http.clone(),
        fake: fake.clone(),
        server: server_rx,
        stop: AtomicBool::new(false),
        acked_submits: Mutex::default(),
        counts: Counters::default(),
    });
    let loops: Vec<_> = (0..args.intakes)
        .map(|i| tokio::spawn(intake(desk.clone(), i)))
        .collect();

    let mut rng = Rng(args.seed);
    let mut restarts = Vec::with_capacity(args.kills);
    for _ in 0..args.kills {
        let gap = rng.between(args.gap_ms.0, args.gap_ms.1);
        tokio::time::sleep(Duration::from_millis(gap)).await;
        up.send_replace(None);
        server.kill_9().await;
        let restarting = Instant::now();
        server = setup.start(&http, SECRET).await?;
        restarts.push(restarting.elapsed());
        up.send_replace(Some(server.base.clone()));
    }
    desk.stop.store(true, Ordering::SeqCst);
    for l in loops {
        l.await.map_err(|e| e.to_string())?;
    }
    let load_secs = began.elapsed().as_secs_f64();

    let drain_from = Instant::now();
    let drain_limit = Duration::from_secs(args.drain_seconds);
    let drained = loop {
        if metric(&http, &server.base, "frontdesk_outbox_depth").await == Some(0.0) {
            break true;
        }
        if drain_from.elapsed() > drain_limit {
            break false;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    let drain_secs = drain_from.elapsed().as_secs_f64();
    let dead_letters = metric(&http, &server.base, "frontdesk_outbox_dead_letters").await;
    let status = server.stop().await;

    let out = setup
        .command(&["requests", "export", "--format", "json"])
        .output()
        .await
        .map_err(|e| e.to_string())?;
    if !out.status.success() {
        return Err(format!(
            "requests export: {}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    let requests: Vec<serde_json::Value> =
        serde_json::from_slice(&out.stdout).map_err(|e| format!("requests export: {e}"))?;
    let acked = desk.acked_submits.lock().unwrap().clone();
    let posts = fake.posts();
    let found = check::check(&requests, &acked, &posts, CARDS);
    let log = std::fs::read_to_string(&setup.log).unwrap_or_default();
    let found_earlier = log
        .matches("an earlier attempt posted this already")
        .count();
    restarts.sort();
    let c = &desk.counts;
    let n = |a: &AtomicU64| a.load(Ordering::Relaxed);
    let listed = |what: String| {
        if what == "[]" {
            String::new()
        } else {
            format!(": {what}")
        }
    };

    println!(
        "kills:                 {} (SIGKILL, then a restart on the same data dir; restart to ready: median {} ms, max {} ms)",
        args.kills,
        restarts.get(restarts.len() / 2).map_or(0, Duration::as_millis),
        restarts.last().map_or(0, Duration::as_millis),
    );
    println!(
        "requests filed:        {} in the store ({} intakes started)",
        found.requests,
        n(&c.requests_started)
    );
    println!(
        "submits acknowledged:  {} ({} of them on a retry after a kill)",
        acked.len(),
        n(&c.submits_retried)
    );
    println!(
        "webhooks:              {} calls, {} without a 200; {} events re-sent with x-slack-retry-num, {} commands re-sent",
        n(&c.calls),
        n(&c.failed_calls),
        n(&c.events_retried),
        n(&c.commands_resent),
    );
    println!(
        "lost:                  {} (acknowledged submits without a request){}",
        found.lost.len(),
        listed(format!("{:?}", found.lost))
    );
    println!(
        "undelivered:           {} (requests without a card in {CARDS}){}",
        found.undelivered.len(),
        listed(format!("{:?}", found.undelivered))
    );
    println!(
        "cards posted twice:    {} (request ids with more than one of the {} cards; {} card outbox ids posted twice; {} cards of no stored request){}",
        found.cards_twice.len(),
        found.card_posts,
        found.card_ids_twice,
        found.strays,
        listed(format!("{:?}", found.cards_twice))
    );
    println!(
        "duplicate DMs:         {} (DM outbox ids posted more than once; thread posts: {}; users with two requests: {}; posts without an outbox id: {})",
        found.dms_twice, found.thread_posts_twice, found.users_with_two, found.untagged
    );
    println!(
        "earlier posts found:   {found_earlier} (deliveries that found their post from before a kill in the history)"
    );
    println!(
        "questions not seen:    {} (answers sent after {} s without the bot's question)",
        n(&c.questions_not_seen),
        QUESTION_WAIT.as_secs()
    );
    println!(
        "outbox:                {} {drain_secs:.1} s after the intakes stopped; dead letters {}; SIGTERM: {}",
        if drained { "drained" } else { "NOT drained" },
        dead_letters.map_or("?".into(), |d| d.to_string()),
        status.map_or("no exit within 30 s".into(), |s| s.to_string())
    );
    let stats = fake.stats();
    let methods: Vec<String> = stats
        .by_method
        .iter()
        .map(|(m, k)| format!("{m} {k}"))
        .collect();
    println!(
        "fake Slack:            {} Web API calls ({})",
        stats.calls,
        methods.join(", ")
    );
    println!(
        "wall time:             {:.1} s ({load_secs:.1} s of intakes and kills, {drain_secs:.1} s drain)",
        began.elapsed().as_secs_f64()
    );
    if args.keep {
        let lines: Vec<String> = posts
            .iter()
            .map(|p| {
                serde_json::json!({"channel": p.channel, "ts": p.ts, "thread_ts": p.thread_ts,
                    "outbox_id": p.outbox_id, "text": p.text})
                .to_string()
            })
            .collect();
        let _ = std::fs::write(dir.path().join("posts.jsonl"), lines.join("\n") + "\n");
        println!(
            "kept:                  {} (posts.jsonl: what the fake Slack holds)",
            dir.keep().display()
        );
    }
    Ok(found.passed() && drained && status.is_some_and(|s| s.success()))
}

fn main() -> std::process::ExitCode {
    let args = match parse_args() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("chaos: {e}");
            return std::process::ExitCode::from(2);
        }
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    match runtime.block_on(run(args)) {
        Ok(true) => std::process::ExitCode::SUCCESS,
        Ok(false) => {
            println!("FAILED: see the lines above");
            std::process::ExitCode::FAILURE
        }
        Err(e) => {
            eprintln!("chaos: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}
