//! Load script for Slack Socket Mode (issue 13, "Performance"): sends `/help-it` slash
//! command envelopes to `frontdesk serve` over its Socket Mode connections and measures the
//! acknowledgements. Each ack comes after the command's state is on disk (the engine's group
//! commit), as with the HTTP path that `slack_load` measures, so the two compare like for like.
//!
//! Run with (release, so the numbers mean something):
//!
//! ```text
//! cargo build --release --example socket_load --bin frontdesk
//! cargo run --release --example socket_load -- [--clients 32 | --rate 500] [--seconds 10]
//!     [--server-cpus 0] [--bin target/release/frontdesk]
//! ```
//!
//! It starts the fake Slack Web API of `slack_load` (`slack_load/fake_slack.rs`), whose
//! `apps.connections.open` hands out the URL of a WebSocket stand-in for Slack's Socket Mode
//! side running in this process, then `frontdesk serve` with `SLACK_APP_TOKEN` set (under
//! `taskset -c LIST` with `--server-cpus LIST`; this process then moves to the other CPUs).
//! Once the server's connections said hello, the load goes out round-robin over them:
//!
//! * closed loop (`--clients N`): N clients each send an envelope, wait for its ack, send the
//!   next, for `--seconds`;
//! * open loop (`--rate R`, the default at 500/s): envelope `i` is due at `start + i / rate`,
//!   and its latency counts from then ("coordinated omission" as in `slack_load`).
//!
//! Every envelope is a command from a user of its own with a trigger id of its own, so each
//! starts a fresh intake. Reported: acks/s and ack latency (from send to ack), and how many of
//! the acknowledged commands got their first DM (the work behind the ack happens).

// Shared with slack_load and chaos, which use more of it.
#[allow(dead_code)]
#[path = "slack_load/fake_slack.rs"]
mod fake_slack;
#[path = "slack_load/server.rs"]
mod server;

use fake_slack::FakeSlack;
use futures::{SinkExt, StreamExt};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::{mpsc, oneshot};
use tokio_tungstenite::tungstenite::Message;

const USAGE: &str = "usage: socket_load [--clients N | --rate N] [--seconds N] \
    [--server-cpus LIST] [--bin PATH]";

const WARM_UP: usize = 200;
/// An envelope without an ack after this long counts as failed.
const ACK_LIMIT: Duration = Duration::from_secs(10);

struct Args {
    rate: Option<u64>,
    clients: Option<usize>,
    seconds: u64,
    server_cpus: Option<String>,
    bin: Option<String>,
}

/// The server's default (`slack.socket.connections`).
const CONNECTIONS: usize = 2;

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        rate: None,
        clients: None,
        seconds: 10,
        server_cpus: None,
        bin: None,
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
            "--server-cpus" => args.server_cpus = Some(value()?),
            "--bin" => args.bin = Some(value()?),
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
    Ok(args)
}

/// Slack's side of the sockets: hello, envelopes out, acks in.
#[derive(Default)]
struct SocketSide {
    /// One sender per connection that said hello.
    conns: Mutex<Vec<mpsc::UnboundedSender<String>>>,
    /// Envelope id → who waits for its ack.
    waiting: Mutex<HashMap<String, oneshot::Sender<Instant>>>,
    next: AtomicUsize,
}

impl SocketSide {
    async fn start(self: &Arc<Self>) -> std::io::Result<String> {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let side = self.clone();
        tokio::spawn(async move {
            while let Ok((tcp, _)) = listener.accept().await {
                let _ = tcp.set_nodelay(true);
                tokio::spawn(side.clone().serve(tcp));
            }
        });
        Ok(format!("ws://{addr}/link/?ticket=bench"))
    }

    async fn serve(self: Arc<Self>, tcp: tokio::net::TcpStream) {
        let Ok(ws) = tokio_tungstenite::accept_async(tcp).await else {
            return;
        };
        let (mut sink, mut stream) = ws.split();
        if sink
            .send(Message::text(r#"{"type":"hello","num_connections":1}"#))
            .await
            .is_err()
        {
            return;
        }
        let (tx, mut rx) = mpsc::unbounded_channel::<String>();
        self.conns.lock().unwrap().push(tx);
        tokio::spawn(async move {
            while let Some(text) = rx.recv().await {
                if sink.send(Message::text(text)).await.is_err() {
                    return;
                }
            }
        });
        while let Some(Ok(frame)) = stream.next().await {
            let Message::Text(text) = frame else { continue };
            let at = Instant::now();
            let Ok(v) = serde_json::from_str::<Value>(&text) else {
                continue;
            };
            let Some(id) = v.get("envelope_id").and_then(Value::as_str) else {
                continue;
            };
            if let Some(waiter) = self.waiting.lock().unwrap().remove(id) {
                let _ = waiter.send(at);
            }
        }
    }

    fn connections(&self) -> usize {
        self.conns.lock().unwrap().len()
    }

    /// Sends `envelope` on the next connection; resolves with when its ack arrived.
    fn send(&self, id: &str, envelope: String) -> oneshot::Receiver<Instant> {
        let (tx, rx) = oneshot::channel();
        self.waiting.lock().unwrap().insert(id.to_string(), tx);
        let conns = self.conns.lock().unwrap();
        let i = self.next.fetch_add(1, Ordering::Relaxed) % conns.len();
        let _ = conns[i].send(envelope);
        rx
    }
}

struct Outcome {
    user: String,
    latency: Duration,
    service: Duration,
    ok: bool,
}

struct Commander {
    side: Arc<SocketSide>,
    run: String,
    seq: AtomicU64,
}

impl Commander {
    async fn send(&self, user: String, due: Instant) -> Outcome {
        let n = self.seq.fetch_add(1, Ordering::Relaxed);
        let id = format!("{}-{n}", self.run);
        let envelope = json!({"envelope_id": id, "type": "slash_commands",
            "accepts_response_payload": true, "retry_attempt": 0,
            "payload": {"token": "unused", "team_id": fake_slack::TEAM, "team_domain": "frontdesk-bench",
                "channel_id": "C0BENCH", "channel_name": "bench", "user_id": user,
                "user_name": user.to_lowercase(), "command": "/help-it", "text": "my vpn is broken",
                "api_app_id": "A0BENCH", "trigger_id": format!("{n}.{}", self.run),
                "response_url": "https://hooks.slack.com/commands/T0FRONT/1/x"}})
        .to_string();
        let sent = Instant::now();
        let acked = tokio::time::timeout(ACK_LIMIT, self.side.send(&id, envelope)).await;
        let (ok, at) = match acked {
            Ok(Ok(at)) => (true, at),
            _ => {
                self.side.waiting.lock().unwrap().remove(&id);
                (false, Instant::now())
            }
        };
        Outcome {
            user,
            latency: at - due.min(sent),
            service: at - sent,
            ok,
        }
    }
}

struct Load {
    outcomes: Vec<Outcome>,
    start: Instant,
    end: Instant,
}

async fn open_loop(cmd: Arc<Commander>, rate: u64, seconds: u64) -> Result<Load, String> {
    let total = rate * seconds;
    println!("open loop: {total} envelopes at {rate}/s for {seconds} s");
    let interval = Duration::from_secs_f64(1.0 / rate as f64);
    let start = Instant::now();
    let mut tasks = Vec::with_capacity(total as usize);
    for i in 0..total {
        let due = start + interval.mul_f64(i as f64);
        tokio::time::sleep_until(due.into()).await;
        let cmd = cmd.clone();
        tasks.push(tokio::spawn(async move {
            cmd.send(format!("UO{i:07}"), due).await
        }));
    }
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
    println!("closed loop: {clients} clients for {seconds} s");
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

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

fn print_latencies(name: &str, mut v: Vec<Duration>) {
    v.sort();
    let ms = |d: Duration| format!("{:.2} ms", d.as_secs_f64() * 1000.0);
    println!(
        "{name}: p50 {}  p90 {}  p99 {}  max {}",
        ms(percentile(&v, 50.0)),
        ms(percentile(&v, 90.0)),
        ms(percentile(&v, 99.0)),
        ms(percentile(&v, 100.0))
    );
}

async fn run(args: Args) -> Result<(), String> {
    frontdesk::slack::install_crypto_provider();
    let data_dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let fake = FakeSlack::start(Duration::ZERO)
        .await
        .map_err(|e| e.to_string())?;
    let side = Arc::new(SocketSide::default());
    fake.set_socket_url(&side.start().await.map_err(|e| e.to_string())?);
    let bin = args.bin.clone().unwrap_or_else(|| {
        let exe = std::env::current_exe().unwrap_or_default();
        let dir = exe
            .parent()
            .and_then(|p| p.parent())
            .map(|p| p.to_path_buf())
            .unwrap_or_default();
        dir.join("frontdesk").display().to_string()
    });
    let launch = server::Launch {
        bin: &bin,
        api_url: fake.api_url(),
        secret: "bench-signing-secret",
        data_dir: data_dir.path(),
        outbox_concurrency: None,
        cpus: args.server_cpus.as_deref(),
        app_token: Some("xapp-1-A0BENCH-1-bench"),
    };
    let (mut child, addr) = server::start(&launch).await?;
    let deadline = Instant::now() + Duration::from_secs(30);
    while side.connections() < CONNECTIONS {
        if Instant::now() > deadline {
            return Err("the server's Socket Mode connections did not come up".into());
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    println!(
        "server: {bin} on {addr}; {} Socket Mode connections; server CPUs {}",
        side.connections(),
        args.server_cpus.as_deref().unwrap_or("any")
    );
    let cmd = Arc::new(Commander {
        side: side.clone(),
        run: format!("bench{}", std::process::id()),
        seq: AtomicU64::new(1),
    });

    let warm: Vec<Outcome> = futures::stream::iter(0..WARM_UP)
        .map(|i| {
            let cmd = cmd.clone();
            async move { cmd.send(format!("UW{i:06}"), Instant::now()).await }
        })
        .buffer_unordered(16)
        .collect()
        .await;
    println!(
        "warm-up: {} envelopes, {} acknowledged",
        WARM_UP,
        warm.iter().filter(|o| o.ok).count()
    );

    let load = match args.clients {
        Some(clients) => closed_loop(cmd.clone(), clients, args.seconds).await?,
        None => open_loop(cmd.clone(), args.rate.unwrap_or(500), args.seconds).await?,
    };
    let total = load.outcomes.len();
    let ok = load.outcomes.iter().filter(|o| o.ok).count();
    let took = (load.end - load.start).as_secs_f64();
    println!(
        "envelopes:  {total} sent, {ok} acknowledged, {} not within {ACK_LIMIT:?}",
        total - ok
    );
    println!(
        "acks:       {:.0} acknowledged/s (all in {took:.2} s)",
        ok as f64 / took
    );
    let acked: Vec<&Outcome> = load.outcomes.iter().filter(|o| o.ok).collect();
    if args.clients.is_some() {
        print_latencies("ack latency", acked.iter().map(|o| o.latency).collect());
    } else {
        print_latencies(
            "ack latency (from due time)",
            acked.iter().map(|o| o.latency).collect(),
        );
        print_latencies(
            "ack latency (from send)",
            acked.iter().map(|o| o.service).collect(),
        );
    }
    // The work behind the acks: each command's first DM.
    let users: Vec<&str> = acked.iter().map(|o| o.user.as_str()).collect();
    let deadline = Instant::now() + Duration::from_secs(120);
    while fake.count_first_dms(users.iter().copied()) < users.len() && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    println!(
        "delivery:   {} of {} acknowledged commands got their first DM",
        fake.count_first_dms(users.iter().copied()),
        users.len()
    );
    server::stop(&mut child).await;
    Ok(())
}

fn main() -> std::process::ExitCode {
    let mut args = match parse_args() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("socket_load: {e}");
            return std::process::ExitCode::from(2);
        }
    };
    let mut runtime = tokio::runtime::Builder::new_multi_thread();
    if let Some(list) = args.server_cpus.clone() {
        let server_cpus = match server::parse_cpu_list(&list) {
            Ok(c) => c,
            Err(e) => {
                eprintln!("socket_load: --server-cpus: {e}");
                return std::process::ExitCode::from(2);
            }
        };
        if server::taskset_available() {
            if let Some(client_cpus) = server::pin_client_away_from(&server_cpus) {
                println!("load client and fake Slack on CPUs {client_cpus:?}");
                runtime.worker_threads(client_cpus.len());
            }
        } else {
            eprintln!("socket_load: warning: no taskset here; the server runs unpinned");
            args.server_cpus = None;
        }
    }
    let runtime = runtime.enable_all().build().expect("a runtime");
    match runtime.block_on(run(args)) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("socket_load: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}
