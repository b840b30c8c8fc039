//! A minimal Slack slash-command handler: the reference point for frontdesk's acknowledgement
//! path (issue 10, point 4). It does only what a durable ack and a first DM need: the v0
//! signature check, one sled insert made durable before the ack, the ack, and two Web API
//! calls (`conversations.open`, then `chat.postMessage`). No store model, no state machine,
//! no outbox, no retries. Comparing it with `frontdesk serve` on the same machine, under the
//! same load script, shows what frontdesk's extra work costs.
//!
//! It is a drop-in for `frontdesk serve` under `bench/slack_load.rs`: it takes the same
//! environment (`FRONTDESK_LISTEN`, `FRONTDESK_DATA_DIR`, `SLACK_API_URL`,
//! `SLACK_SIGNING_SECRET`, `SLACK_BOT_TOKEN`), ignores its arguments, and prints the same
//! "frontdesk listening on http://ADDR" line. Run it with:
//!
//! ```text
//! cargo build --release --example slack_load --example minimal_slack
//! ./target/release/examples/slack_load --bin target/release/examples/minimal_slack \
//!     --clients 32 --seconds 8 --latency-ms 0 --server-cpus 0
//! ```
//!
//! Durability is a group commit, as in frontdesk's engine: one writer thread takes every
//! write waiting, inserts them, flushes once and then answers each waiter. `GET /metrics`
//! reports the inserts and flushes under frontdesk's names, so the script's "store:" line
//! shows the batch size here too.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Json;
use hmac::{Hmac, Mac};
use serde_json::{json, Value};
use sha2::Sha256;
use std::io::Write as _;
use std::process::ExitCode;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use tokio::sync::{mpsc, oneshot};

/// A command to make durable; `done` hears once it is on disk (or why not).
struct Write {
    key: String,
    value: Bytes,
    done: oneshot::Sender<Result<(), String>>,
}

#[derive(Default)]
struct Counters {
    writes: AtomicU64,
    flushes: AtomicU64,
}

struct Shared {
    secret: Vec<u8>,
    writes: mpsc::UnboundedSender<Write>,
    counters: Arc<Counters>,
    http: reqwest::Client,
    /// With a trailing slash: `{api_url}{method}`.
    api_url: String,
    token: String,
}

#[derive(serde::Deserialize)]
struct Command {
    user_id: String,
    trigger_id: String,
    #[serde(default)]
    text: String,
}

fn main() -> ExitCode {
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("minimal_slack: starting the async runtime: {e}");
            return ExitCode::from(2);
        }
    };
    match runtime.block_on(run()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("minimal_slack: {e}");
            ExitCode::from(2)
        }
    }
}

async fn run() -> Result<(), String> {
    let env = |name: &str| std::env::var(name).map_err(|_| format!("{name} is not set"));
    let listen = env("FRONTDESK_LISTEN").unwrap_or_else(|_| "127.0.0.1:3000".into());
    let mut api_url = env("SLACK_API_URL").unwrap_or_else(|_| "https://slack.com/api/".into());
    if !api_url.ends_with('/') {
        api_url.push('/');
    }
    let data_dir = std::path::PathBuf::from(env("FRONTDESK_DATA_DIR")?);
    let db = sled::open(data_dir.join("minimal_slack.sled")).map_err(|e| e.to_string())?;
    let counters = Arc::new(Counters::default());
    let (writes, queue) = mpsc::unbounded_channel();
    let writer_counters = counters.clone();
    std::thread::Builder::new()
        .name("group-commit".into())
        .spawn(move || group_commit(&db, queue, &writer_counters))
        .map_err(|e| e.to_string())?;
    // Several TLS stacks in the dependency graph: rustls needs to be told which to use.
    frontdesk::slack::install_crypto_provider();
    let shared = Arc::new(Shared {
        secret: env("SLACK_SIGNING_SECRET")?.into_bytes(),
        writes,
        counters,
        http: reqwest::Client::new(),
        api_url,
        token: env("SLACK_BOT_TOKEN")?,
    });
    let app = axum::Router::new()
        .route("/slack/commands", post(command))
        .route("/metrics", get(metrics))
        .with_state(shared);
    let listener = tokio::net::TcpListener::bind(&listen)
        .await
        .map_err(|e| format!("binding {listen}: {e}"))?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    // The load script reads the address from the last word of this line, as from frontdesk.
    println!("frontdesk listening on http://{addr}");
    let _ = std::io::stdout().flush();
    axum::serve(listener, app).await.map_err(|e| e.to_string())
}

/// The single writer: every write waiting when it wakes shares one flush.
fn group_commit(db: &sled::Db, mut queue: mpsc::UnboundedReceiver<Write>, counters: &Counters) {
    let mut batch = Vec::new();
    while let Some(first) = queue.blocking_recv() {
        batch.push(first);
        while let Ok(more) = queue.try_recv() {
            batch.push(more);
        }
        let result = batch
            .iter()
            .try_for_each(|w| db.insert(w.key.as_bytes(), w.value.as_ref()).map(drop))
            .and_then(|()| db.flush().map(drop))
            .map_err(|e| e.to_string());
        counters
            .writes
            .fetch_add(batch.len() as u64, Ordering::Relaxed);
        counters.flushes.fetch_add(1, Ordering::Relaxed);
        for write in batch.drain(..) {
            let _ = write.done.send(result.clone());
        }
    }
}

/// Slack's v0 signature over `v0:{timestamp}:{body}`, within five minutes of now.
fn verified(secret: &[u8], headers: &HeaderMap, body: &[u8]) -> bool {
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    let (Some(ts), Some(signature)) = (
        header("x-slack-request-timestamp"),
        header("x-slack-signature"),
    ) else {
        return false;
    };
    let fresh = ts
        .parse::<i64>()
        .is_ok_and(|t| chrono::Utc::now().timestamp().abs_diff(t) <= 300);
    let Some(expected) = signature
        .strip_prefix("v0=")
        .and_then(|h| hex::decode(h).ok())
    else {
        return false;
    };
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).expect("HMAC takes keys of any length");
    mac.update(format!("v0:{ts}:").as_bytes());
    mac.update(body);
    // verify_slice compares in constant time.
    fresh && mac.verify_slice(&expected).is_ok()
}

async fn command(State(s): State<Arc<Shared>>, headers: HeaderMap, body: Bytes) -> Response {
    if !verified(&s.secret, &headers, &body) {
        return StatusCode::UNAUTHORIZED.into_response();
    }
    let Ok(command) = serde_urlencoded::from_bytes::<Command>(&body) else {
        return StatusCode::BAD_REQUEST.into_response();
    };
    let (done, written) = oneshot::channel();
    let write = Write {
        key: command.trigger_id,
        value: body,
        done,
    };
    if s.writes.send(write).is_err() {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    }
    if let Err(e) = written.await.unwrap_or_else(|_| Err("writer gone".into())) {
        eprintln!("minimal_slack: storing a command: {e}");
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    }
    // On disk: the DM may start now, racing the ack's write to the socket, as frontdesk's
    // outbox does once a step is committed.
    tokio::spawn(first_dm(s.clone(), command.user_id, command.text));
    Json(json!({
        "response_type": "ephemeral",
        "text": "Got it. I'll ask you a few questions in a direct message.",
    }))
    .into_response()
}

/// Opens the user's DM and posts the first question; a failure is logged and dropped.
async fn first_dm(s: Arc<Shared>, user: String, text: String) {
    let open = s
        .http
        .post(format!("{}conversations.open", s.api_url))
        .bearer_auth(&s.token)
        .form(&[("users", user.as_str())]);
    let channel = match call(open).await {
        Ok(answer) => answer["channel"]["id"].as_str().map(str::to_string),
        Err(e) => return eprintln!("minimal_slack: conversations.open: {e}"),
    };
    let Some(channel) = channel else {
        return eprintln!("minimal_slack: conversations.open gave no channel id");
    };
    let post = s
        .http
        .post(format!("{}chat.postMessage", s.api_url))
        .bearer_auth(&s.token)
        .json(&json!({
            "channel": channel,
            "text": format!("About \"{text}\": which device is it on?"),
        }));
    if let Err(e) = call(post).await {
        eprintln!("minimal_slack: chat.postMessage: {e}");
    }
}

/// Sends a Web API call; its answer when Slack says `"ok": true`.
async fn call(request: reqwest::RequestBuilder) -> Result<Value, String> {
    let answer: Value = request
        .send()
        .await
        .and_then(reqwest::Response::error_for_status)
        .map_err(|e| e.to_string())?
        .json()
        .await
        .map_err(|e| e.to_string())?;
    match answer["ok"].as_bool() {
        Some(true) => Ok(answer),
        _ => Err(format!("not ok: {}", answer["error"])),
    }
}

/// The store counters the load script reads, under frontdesk's names.
async fn metrics(State(s): State<Arc<Shared>>) -> String {
    let writes = s.counters.writes.load(Ordering::Relaxed);
    let flushes = s.counters.flushes.load(Ordering::Relaxed);
    format!(
        "# TYPE frontdesk_store_writes counter\nfrontdesk_store_writes_total {writes}\n\
         # TYPE frontdesk_store_flushes counter\nfrontdesk_store_flushes_total {flushes}\n"
    )
}
