//! Load script for the Slack endpoint (issue 3, "Performance"): sends signed `/help-it`
//! slash commands to `frontdesk serve` on loopback at a fixed rate and reports throughput and
//! acknowledgement latency (p50/p90/p99/max). Each acknowledgement comes after the command's
//! state is flushed to disk (the engine's group commit), so this measures durable acks.
//!
//! Run with (release, so the numbers mean something):
//!
//! ```text
//! cargo build --release --bin frontdesk
//! cargo run --release --example slack_load -- [--rate 500] [--seconds 10] [--users N]
//!     [--bin target/release/frontdesk | --addr http://127.0.0.1:3000 --secret S]
//! ```
//!
//! By default it starts a fake Slack Web API in process (every call answered `ok` at once),
//! then `frontdesk serve` from the release directory with a temp data dir, configured through
//! environment variables to use that fake, and stops it with SIGTERM at the end. With
//! `--addr` it targets a server that is already running (signing with `--secret`).
//!
//! The load is open-loop: command `i` is due at `start + i / rate`, whether or not earlier
//! ones were answered, and its latency is measured from when it was due, so a stalled server
//! can't hide behind a slowed-down client ("coordinated omission").

use axum::response::IntoResponse;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

struct Args {
    rate: u64,
    seconds: u64,
    users: u64,
    bin: Option<String>,
    addr: Option<String>,
    secret: String,
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        rate: 500,
        seconds: 10,
        users: 0,
        bin: None,
        addr: None,
        secret: "bench-signing-secret".into(),
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || it.next().ok_or_else(|| format!("{flag} needs a value"));
        match flag.as_str() {
            "--rate" => args.rate = value()?.parse().map_err(|e| format!("--rate: {e}"))?,
            "--seconds" => args.seconds = value()?.parse().map_err(|e| format!("--seconds: {e}"))?,
            "--users" => args.users = value()?.parse().map_err(|e| format!("--users: {e}"))?,
            "--bin" => args.bin = Some(value()?),
            "--addr" => args.addr = Some(value()?),
            "--secret" => args.secret = value()?,
            "-h" | "--help" => {
                return Err("usage: slack_load [--rate N] [--seconds N] [--users N] [--bin PATH | --addr URL --secret S]".into())
            }
            other => return Err(format!("unknown argument {other}")),
        }
    }
    if args.rate == 0 || args.seconds == 0 {
        return Err("--rate and --seconds must be positive".into());
    }
    if args.seconds > 60 {
        return Err("--seconds is capped at 60".into());
    }
    Ok(args)
}

fn sign(secret: &str, ts: i64, body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("any key length");
    mac.update(format!("v0:{ts}:").as_bytes());
    mac.update(body);
    format!("v0={}", hex::encode(mac.finalize().into_bytes()))
}

/// A Slack Web API that says yes to everything, quickly, and counts the calls.
async fn start_fake_slack(calls: Arc<AtomicU64>) -> std::io::Result<String> {
    let counter = calls.clone();
    let seq = Arc::new(AtomicU64::new(0));
    let app = axum::Router::new().route(
        "/api/{method}",
        axum::routing::any(move |axum::extract::Path(method): axum::extract::Path<String>, body: axum::body::Bytes| {
            let counter = counter.clone();
            let seq = seq.clone();
            async move {
                counter.fetch_add(1, Ordering::Relaxed);
                let n = seq.fetch_add(1, Ordering::Relaxed);
                let ts = format!("1700000000.{n:06}");
                let field = |name: &str| {
                    serde_json::from_slice::<serde_json::Value>(&body)
                        .ok()
                        .and_then(|v| v.get(name).and_then(|c| c.as_str().map(str::to_string)))
                        .unwrap_or_default()
                };
                let json = match method.as_str() {
                    "auth.test" => serde_json::json!({"ok": true, "url": "https://bench.slack.com/", "team": "Bench",
                        "user": "frontdesk", "team_id": "TBENCH", "user_id": "UBOT", "bot_id": "BBOT"}),
                    "conversations.open" => serde_json::json!({"ok": true, "channel": {"id": format!("D{n}")}}),
                    "conversations.info" => serde_json::json!({"ok": true, "channel": {"id": "C0", "name": "bench",
                        "is_member": true, "created": 1600000000}}),
                    "chat.postMessage" | "chat.update" => serde_json::json!({"ok": true, "channel": field("channel"), "ts": ts,
                        "message": {"type": "message", "text": "", "ts": ts}}),
                    _ => serde_json::json!({"ok": true}),
                };
                ([("content-type", "application/json")], json.to_string()).into_response()
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    Ok(format!("http://{addr}/api/"))
}

/// `frontdesk serve` on 127.0.0.1:0; returns the child and the address it printed.
async fn start_server(
    bin: &str,
    api_url: &str,
    secret: &str,
    data_dir: &std::path::Path,
) -> Result<(tokio::process::Child, String), String> {
    use tokio::io::AsyncBufReadExt;
    let mut child = tokio::process::Command::new(bin)
        .arg("serve")
        .env_remove("FRONTDESK_CONFIG")
        .env("FRONTDESK_LISTEN", "127.0.0.1:0")
        .env("FRONTDESK_DATA_DIR", data_dir)
        .env("SLACK_API_URL", api_url)
        .env("SLACK_SIGNING_SECRET", secret)
        .env("SLACK_BOT_TOKEN", "xoxb-bench")
        .env(
            "RUST_LOG",
            std::env::var("RUST_LOG").unwrap_or_else(|_| "warn".into()),
        )
        .stdout(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .map_err(|e| {
            format!("starting {bin}: {e} (build it first: cargo build --release --bin frontdesk)")
        })?;
    let stdout = child.stdout.take().ok_or("no stdout")?;
    let mut lines = tokio::io::BufReader::new(stdout).lines();
    let line = tokio::time::timeout(Duration::from_secs(30), lines.next_line())
        .await
        .map_err(|_| "frontdesk did not print its address within 30 s".to_string())?
        .map_err(|e| e.to_string())?
        .ok_or("frontdesk exited before listening")?;
    let addr = line
        .rsplit(' ')
        .next()
        .unwrap_or_default()
        .trim()
        .to_string();
    // Keep reading stdout so the child never blocks on a full pipe.
    tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
    Ok((child, addr))
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

#[derive(Default)]
struct Outcome {
    /// From when the command was due to when its answer arrived.
    latency: Duration,
    /// From when the request actually left to when its answer arrived.
    service: Duration,
    ok: bool,
}

async fn run(args: Args) -> Result<(), String> {
    frontdesk::slack::install_crypto_provider();
    let slack_calls = Arc::new(AtomicU64::new(0));
    let data_dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let (mut child, base) = match &args.addr {
        Some(addr) => (None, addr.trim_end_matches('/').to_string()),
        None => {
            let api_url = start_fake_slack(slack_calls.clone())
                .await
                .map_err(|e| e.to_string())?;
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
            let (child, addr) = start_server(&bin, &api_url, &args.secret, data_dir.path()).await?;
            (Some(child), addr)
        }
    };
    let url = format!("{base}/slack/commands");
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(256)
        .build()
        .map_err(|e| e.to_string())?;
    let total = args.rate * args.seconds;
    let users = if args.users == 0 { total } else { args.users };
    let make_body = |i: u64| {
        serde_urlencoded::to_string([
            ("token", "verification_token".to_string()),
            ("team_id", "TBENCH".to_string()),
            ("channel_id", "C0BENCH".to_string()),
            ("user_id", format!("UB{:07}", i % users)),
            ("command", "/help-it".to_string()),
            ("text", "my vpn is broken".to_string()),
            ("trigger_id", format!("{i}.bench.{}", std::process::id())),
            (
                "response_url",
                "https://hooks.slack.com/commands/T/1/x".to_string(),
            ),
        ])
        .expect("a form")
    };
    let send = {
        let client = client.clone();
        let url = url.clone();
        let secret = args.secret.clone();
        move |body: String, due: Instant| {
            let client = client.clone();
            let url = url.clone();
            let secret = secret.clone();
            async move {
                let ts = chrono::Utc::now().timestamp();
                let sig = sign(&secret, ts, body.as_bytes());
                let sent = Instant::now();
                let result = client
                    .post(&url)
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
                    latency: done - due,
                    service: done - sent,
                    ok,
                }
            }
        }
    };

    // Warm-up: connections, the store's first pages, the allocator.
    let warm = (args.rate / 5).max(20);
    for i in 0..warm {
        send(make_body(total + 1_000_000 + i), Instant::now()).await;
    }

    println!(
        "sending {total} signed /help-it commands at {}/s for {} s to {url}",
        args.rate, args.seconds
    );
    let interval = Duration::from_secs_f64(1.0 / args.rate as f64);
    let start = Instant::now();
    let mut tasks = Vec::with_capacity(total as usize);
    for i in 0..total {
        let due = start + interval.mul_f64(i as f64);
        tokio::time::sleep_until(due.into()).await;
        tasks.push(tokio::spawn(send(make_body(i), due)));
    }
    let sent_in = start.elapsed();
    let mut outcomes = Vec::with_capacity(tasks.len());
    for t in tasks {
        outcomes.push(t.await.map_err(|e| e.to_string())?);
    }
    let finished = start.elapsed();

    let ok = outcomes.iter().filter(|o| o.ok).count();
    let mut latency: Vec<Duration> = outcomes.iter().map(|o| o.latency).collect();
    let mut service: Vec<Duration> = outcomes.iter().map(|o| o.service).collect();
    latency.sort();
    service.sort();
    println!(
        "commands:   {total} sent in {:.2} s, {ok} acknowledged with 200, {} failed",
        sent_in.as_secs_f64(),
        total as usize - ok
    );
    println!(
        "throughput: {:.0} acknowledged/s (all answers in {:.2} s)",
        ok as f64 / finished.as_secs_f64(),
        finished.as_secs_f64()
    );
    for (name, v) in [
        ("ack latency (from due time)", &latency),
        ("ack latency (from send)", &service),
    ] {
        println!(
            "{name}: p50 {}  p90 {}  p99 {}  max {}",
            ms(percentile(v, 50.0)),
            ms(percentile(v, 90.0)),
            ms(percentile(v, 99.0)),
            ms(percentile(v, 100.0))
        );
    }
    if child.is_some() {
        println!(
            "fake Slack saw {} Web API calls meanwhile (the outbox delivering DMs)",
            slack_calls.load(Ordering::Relaxed)
        );
    }
    if let Some(child) = child.as_mut() {
        if let Some(pid) = child.id() {
            let _ = tokio::process::Command::new("kill")
                .args(["-TERM", &pid.to_string()])
                .status()
                .await;
        }
        let _ = tokio::time::timeout(Duration::from_secs(30), child.wait()).await;
    }
    Ok(())
}

fn main() -> std::process::ExitCode {
    let args = match parse_args() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("slack_load: {e}");
            return std::process::ExitCode::from(2);
        }
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    match runtime.block_on(run(args)) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("slack_load: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}
