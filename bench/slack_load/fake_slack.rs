//! The Slack Web API that `frontdesk serve` talks to during a load run: an axum server on
//! 127.0.0.1:0 that answers every call after a fixed latency (a `tokio::time::sleep`, so any
//! number of calls can wait at once) with what Slack would say, in the shapes of
//! `tests/api/helpers/fake_slack.rs`.
//!
//! It keeps what a run needs to measure delivery: when the first message reached each user's
//! DM channel (`D` + user id, as `conversations.open` hands them out), the messages posted in
//! every channel (so `conversations.history`/`replies` can return them with their metadata),
//! how many calls of each method it saw and how many were in flight at most.
//!
//! [`FakeSlack::start_with`] can make it closer to Slack for crash runs (`bench/chaos.rs`):
//! timestamps from the clock, as Slack's are (so a history search from `oldest` finds recent
//! posts), and a `chat.postMessage` that takes effect the moment it arrives, before its answer's
//! latency, so a caller that dies while waiting has posted all the same.

use axum::extract::{Path, RawQuery, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use serde_json::{json, Value};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

pub const BOT_USER: &str = "UBOT";
pub const BOT_ID: &str = "BBOT";
pub const TEAM: &str = "T0FRONT";

/// Slack's `ts` for the `n`th message: unique and increasing, `1700000000.000001` onwards.
fn ts_of(n: u64) -> String {
    format!("{}.{:06}", 1_700_000_000 + n / 1_000_000, n % 1_000_000)
}

/// A `ts` as microseconds, for comparing; `None` when it isn't one.
fn ts_key(ts: &str) -> Option<u64> {
    let (secs, frac) = ts.split_once('.').unwrap_or((ts, ""));
    let secs: u64 = secs.parse().ok()?;
    let mut micros = 0u64;
    for (i, c) in frac.chars().take(6).enumerate() {
        micros += u64::from(c.to_digit(10)?) * 10u64.pow(5 - i as u32);
    }
    Some(secs * 1_000_000 + micros)
}

/// A message the bot posted, as history returns it.
struct Posted {
    key: u64,
    ts: String,
    thread_ts: Option<String>,
    text: String,
    metadata: Option<Value>,
}

impl Posted {
    fn to_json(&self, with_metadata: bool) -> Value {
        let mut m = json!({"type": "message", "subtype": "bot_message", "user": BOT_USER,
            "bot_id": BOT_ID, "app_id": "A0FRONT", "team": TEAM, "text": self.text, "ts": self.ts});
        if let Some(t) = &self.thread_ts {
            m["thread_ts"] = json!(t);
        }
        if let (true, Some(md)) = (with_metadata, &self.metadata) {
            m["metadata"] = md.clone();
        }
        m
    }

    /// Top level in its channel (not a reply in a thread).
    fn top_level(&self) -> bool {
        self.thread_ts.as_deref().is_none_or(|t| t == self.ts)
    }
}

/// How the fake behaves; `Options::default()` is what [`FakeSlack::start`] does.
#[derive(Clone, Copy, Default)]
pub struct Options {
    /// Every call is answered this long after it arrives.
    pub latency: Duration,
    /// A message's `ts` is the current time in microseconds (kept increasing), like
    /// Slack's, instead of counting up from `1700000000.000001`.
    pub clock_ts: bool,
    /// A `chat.postMessage` is recorded (and in the history) on arrival, before the latency.
    pub post_on_arrival: bool,
}

#[derive(Default)]
struct Inner {
    options: Options,
    seq: AtomicU64,
    /// The last clock `ts` handed out, in microseconds (with `clock_ts`).
    last_clock_ts: AtomicU64,
    in_flight: AtomicU64,
    max_in_flight: AtomicU64,
    by_method: Mutex<BTreeMap<String, u64>>,
    /// Every channel's posts, oldest first.
    channels: Mutex<HashMap<String, Vec<Posted>>>,
    /// `D…` channel -> the user `conversations.open` gave it to.
    dm_owner: Mutex<HashMap<String, String>>,
    /// user -> when the first message to their DM channel was answered.
    first_dm: Mutex<HashMap<String, Instant>>,
    reactions: Mutex<HashSet<(String, String, String)>>,
    /// What `apps.connections.open` hands out (Socket Mode); unset, it refuses the token.
    socket_url: Mutex<Option<String>>,
}

/// Counts a call in flight for as long as it lives (also when the caller hangs up).
struct InFlight<'a>(&'a AtomicU64);

impl<'a> InFlight<'a> {
    fn enter(inner: &'a Inner) -> InFlight<'a> {
        let now = inner.in_flight.fetch_add(1, Ordering::Relaxed) + 1;
        inner.max_in_flight.fetch_max(now, Ordering::Relaxed);
        InFlight(&inner.in_flight)
    }
}

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::Relaxed);
    }
}

/// A message the bot posted, as the fake holds it now (after any `chat.update`).
#[allow(dead_code)] // for bench/chaos.rs; slack_load looks at first DMs only
pub struct PostRecord {
    pub channel: String,
    pub ts: String,
    pub thread_ts: Option<String>,
    pub text: String,
    /// `metadata.event_payload.outbox_id`, when the post carried one.
    pub outbox_id: Option<String>,
}

#[allow(dead_code)]
impl PostRecord {
    pub fn top_level(&self) -> bool {
        self.thread_ts.as_deref().is_none_or(|t| t == self.ts)
    }
}

/// What the fake saw, for the report.
pub struct Stats {
    pub calls: u64,
    pub by_method: BTreeMap<String, u64>,
    pub max_in_flight: u64,
}

#[derive(Clone)]
pub struct FakeSlack {
    api_url: String,
    inner: Arc<Inner>,
}

impl FakeSlack {
    pub async fn start(latency: Duration) -> std::io::Result<FakeSlack> {
        FakeSlack::start_with(Options {
            latency,
            ..Options::default()
        })
        .await
    }

    pub async fn start_with(options: Options) -> std::io::Result<FakeSlack> {
        let inner = Arc::new(Inner {
            options,
            ..Inner::default()
        });
        let app = axum::Router::new()
            .route("/api/{method}", axum::routing::any(handle))
            .with_state(inner.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Ok(FakeSlack {
            api_url: format!("http://{addr}/api/"),
            inner,
        })
    }

    /// Makes `apps.connections.open` answer with `url` (a Socket Mode stand-in's).
    #[allow(dead_code)]
    pub fn set_socket_url(&self, url: &str) {
        *self.inner.socket_url.lock().unwrap() = Some(url.to_string());
    }

    /// With a trailing slash, like Slack's `https://slack.com/api/`.
    pub fn api_url(&self) -> &str {
        &self.api_url
    }

    /// When the first message to `user`'s DM channel was posted, for each of `users` that got
    /// one.
    pub fn first_dms<'u>(
        &self,
        users: impl IntoIterator<Item = &'u str>,
    ) -> Vec<(&'u str, Instant)> {
        let first = self.inner.first_dm.lock().unwrap();
        users
            .into_iter()
            .filter_map(|u| first.get(u).map(|at| (u, *at)))
            .collect()
    }

    /// How many of `users` got a first DM.
    pub fn count_first_dms<'u>(&self, users: impl IntoIterator<Item = &'u str>) -> usize {
        let first = self.inner.first_dm.lock().unwrap();
        users.into_iter().filter(|u| first.contains_key(*u)).count()
    }

    /// Every post so far, channel by channel, oldest first in each.
    #[allow(dead_code)]
    pub fn posts(&self) -> Vec<PostRecord> {
        let channels = self.inner.channels.lock().unwrap();
        let mut out = Vec::new();
        for (channel, posts) in channels.iter() {
            out.extend(posts.iter().map(|p| PostRecord {
                channel: channel.clone(),
                ts: p.ts.clone(),
                thread_ts: p.thread_ts.clone(),
                text: p.text.clone(),
                outbox_id: p.metadata.as_ref().and_then(|md| {
                    match &md["event_payload"]["outbox_id"] {
                        Value::String(s) => Some(s.clone()),
                        Value::Number(n) => Some(n.to_string()),
                        _ => None,
                    }
                }),
            }));
        }
        out
    }

    /// How many top-level posts `channel` has.
    #[allow(dead_code)]
    pub fn top_level_count(&self, channel: &str) -> usize {
        let channels = self.inner.channels.lock().unwrap();
        channels
            .get(channel)
            .map_or(0, |ps| ps.iter().filter(|p| p.top_level()).count())
    }

    pub fn stats(&self) -> Stats {
        let by_method = self.inner.by_method.lock().unwrap().clone();
        Stats {
            calls: by_method.values().sum(),
            by_method,
            max_in_flight: self.inner.max_in_flight.load(Ordering::Relaxed),
        }
    }
}

/// The call's parameters: the query string's, then the body's (JSON or form-encoded).
fn fields(
    headers: &HeaderMap,
    query: Option<String>,
    body: &[u8],
) -> serde_json::Map<String, Value> {
    let form = |text: &str| {
        serde_urlencoded::from_str::<Vec<(String, String)>>(text)
            .unwrap_or_default()
            .into_iter()
            .map(|(k, v)| (k, Value::String(v)))
    };
    let mut out: serde_json::Map<String, Value> = form(query.as_deref().unwrap_or("")).collect();
    let ct = headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let json_body = ct.starts_with("application/json")
        || (!ct.contains("form") && body.trim_ascii_start().starts_with(b"{"));
    if json_body {
        if let Ok(Value::Object(m)) = serde_json::from_slice(body) {
            out.extend(m);
        }
    } else if !body.is_empty() {
        out.extend(form(&String::from_utf8_lossy(body)));
    }
    out
}

fn ok(mut v: Value) -> Response {
    v["ok"] = json!(true);
    respond(v)
}

fn error(code: &str) -> Response {
    respond(json!({"ok": false, "error": code}))
}

fn respond(v: Value) -> Response {
    (
        [("content-type", "application/json; charset=utf-8")],
        v.to_string(),
    )
        .into_response()
}

async fn handle(
    State(inner): State<Arc<Inner>>,
    Path(method): Path<String>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    let _in_flight = InFlight::enter(&inner);
    *inner
        .by_method
        .lock()
        .unwrap()
        .entry(method.clone())
        .or_default() += 1;
    let fields = fields(&headers, query, &body);
    if inner.options.post_on_arrival && method == "chat.postMessage" {
        // Taken now; the caller learns of it only after the latency.
        let response = answer(&inner, &method, &fields);
        if !inner.options.latency.is_zero() {
            tokio::time::sleep(inner.options.latency).await;
        }
        return response;
    }
    if !inner.options.latency.is_zero() {
        tokio::time::sleep(inner.options.latency).await;
    }
    answer(&inner, &method, &fields)
}

/// The next message `ts`: counted, or from the clock with `clock_ts`.
fn next_ts(inner: &Inner) -> String {
    if !inner.options.clock_ts {
        return ts_of(inner.seq.fetch_add(1, Ordering::Relaxed) + 1);
    }
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_micros() as u64);
    let last = inner
        .last_clock_ts
        .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |last| {
            Some(now.max(last + 1))
        })
        .unwrap_or(0);
    let micros = now.max(last + 1);
    format!("{}.{:06}", micros / 1_000_000, micros % 1_000_000)
}

fn answer(inner: &Inner, method: &str, fields: &serde_json::Map<String, Value>) -> Response {
    let field = |n: &str| match fields.get(n) {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Null) | None => String::new(),
        Some(other) => other.to_string(),
    };
    let truthy = |n: &str| matches!(field(n).as_str(), "true" | "1");
    let next_ts = || next_ts(inner);
    match method {
        "apps.connections.open" => match inner.socket_url.lock().unwrap().clone() {
            Some(url) => ok(json!({ "url": url })),
            None => error("invalid_auth"),
        },
        "auth.test" => ok(json!({
            "url": "https://frontdesk-bench.slack.com/", "team": "Frontdesk Bench", "user": "frontdesk",
            "team_id": TEAM, "user_id": BOT_USER, "bot_id": BOT_ID, "is_enterprise_install": false
        })),
        "conversations.open" => {
            // `users` is an array in JSON and a comma-separated string in a form.
            let users: Vec<String> = match fields.get("users") {
                Some(Value::Array(a)) => a
                    .iter()
                    .filter_map(Value::as_str)
                    .map(str::to_string)
                    .collect(),
                Some(Value::String(s)) => s
                    .split(',')
                    .map(|u| u.trim().to_string())
                    .filter(|u| !u.is_empty())
                    .collect(),
                _ => vec![],
            };
            match users.as_slice() {
                [one] => {
                    let channel = format!("D{one}");
                    inner
                        .dm_owner
                        .lock()
                        .unwrap()
                        .insert(channel.clone(), one.clone());
                    ok(json!({"channel": {"id": channel}, "already_open": false}))
                }
                [] => error("users_list_not_supplied"),
                _ => ok(json!({"channel": {"id": format!("G{}", next_ts().replace('.', ""))}})),
            }
        }
        "chat.postMessage" => {
            let channel = field("channel");
            if channel.is_empty() {
                return error("channel_not_found");
            }
            let ts = next_ts();
            let thread_ts = fields
                .get("thread_ts")
                .and_then(Value::as_str)
                .map(str::to_string);
            let metadata = fields.get("metadata").filter(|m| m.is_object()).cloned();
            let posted = Posted {
                key: ts_key(&ts).unwrap_or(0),
                ts: ts.clone(),
                thread_ts: thread_ts.clone(),
                text: field("text"),
                metadata: metadata.clone(),
            };
            let mut message = posted.to_json(true);
            message["blocks"] = fields.get("blocks").cloned().unwrap_or(json!([]));
            inner
                .channels
                .lock()
                .unwrap()
                .entry(channel.clone())
                .or_default()
                .push(posted);
            if thread_ts.is_none() {
                if let Some(user) = dm_user(inner, &channel) {
                    inner
                        .first_dm
                        .lock()
                        .unwrap()
                        .entry(user)
                        .or_insert_with(Instant::now);
                }
            }
            ok(json!({"channel": channel, "ts": ts, "message": message}))
        }
        "chat.update" => {
            let (channel, ts) = (field("channel"), field("ts"));
            let mut channels = inner.channels.lock().unwrap();
            let Some(m) = channels
                .get_mut(&channel)
                .and_then(|ms| ms.iter_mut().rev().find(|m| m.ts == ts))
            else {
                return error("message_not_found");
            };
            m.text = field("text");
            if let Some(md) = fields.get("metadata").filter(|m| m.is_object()) {
                m.metadata = Some(md.clone());
            }
            let mut message = m.to_json(false);
            message["blocks"] = fields.get("blocks").cloned().unwrap_or(json!([]));
            ok(json!({"channel": channel, "ts": ts, "text": field("text"), "message": message}))
        }
        "chat.postEphemeral" => ok(json!({"message_ts": next_ts()})),
        "reactions.add" => {
            let key = (field("channel"), field("timestamp"), field("name"));
            if inner.reactions.lock().unwrap().insert(key) {
                ok(json!({}))
            } else {
                error("already_reacted")
            }
        }
        "users.info" => {
            let id = field("user");
            ok(json!({"user": {
                "id": id, "team_id": TEAM, "name": id.to_lowercase(), "real_name": format!("User {id}"),
                "deleted": false, "is_bot": false, "tz": "Europe/Berlin", "tz_offset": 3600,
                "profile": {"real_name": format!("User {id}"), "display_name": id.to_lowercase(),
                    "email": format!("{}@bench.example", id.to_lowercase())}
            }}))
        }
        "conversations.info" => {
            let id = field("channel");
            let im = id.starts_with('D');
            ok(json!({"channel": {
                "id": id, "name": id.to_lowercase(), "is_channel": !im, "is_im": im, "is_private": im,
                "created": 1_600_000_000, "is_archived": false, "is_member": true
            }}))
        }
        "conversations.history" | "conversations.replies" => {
            let channels = inner.channels.lock().unwrap();
            let posts = channels
                .get(&field("channel"))
                .map(Vec::as_slice)
                .unwrap_or_default();
            let oldest = ts_key(&field("oldest")).unwrap_or(0);
            let latest = ts_key(&field("latest")).unwrap_or(u64::MAX);
            let inclusive = truthy("inclusive");
            let in_range = |p: &&Posted| {
                (p.key > oldest || (inclusive && p.key == oldest))
                    && (p.key < latest || (inclusive && p.key == latest))
            };
            let matching: Vec<&Posted> = if method == "conversations.history" {
                // Newest first, top-level messages only.
                posts
                    .iter()
                    .rev()
                    .filter(|p| p.top_level())
                    .filter(in_range)
                    .collect()
            } else {
                // The parent, then its replies, oldest first.
                let parent = field("ts");
                posts
                    .iter()
                    .filter(|p| p.ts == parent || p.thread_ts.as_deref() == Some(parent.as_str()))
                    .filter(in_range)
                    .collect()
            };
            let limit = field("limit")
                .parse::<usize>()
                .unwrap_or(100)
                .clamp(1, 1000);
            let skip = field("cursor")
                .strip_prefix("next:")
                .and_then(|n| n.parse::<usize>().ok())
                .unwrap_or(0);
            let page: Vec<Value> = matching
                .iter()
                .skip(skip)
                .take(limit)
                .map(|p| p.to_json(truthy("include_all_metadata")))
                .collect();
            let has_more = skip + page.len() < matching.len();
            let next = if has_more {
                format!("next:{}", skip + page.len())
            } else {
                String::new()
            };
            ok(json!({"messages": page, "has_more": has_more,
                "response_metadata": {"next_cursor": next}}))
        }
        _ => ok(json!({})),
    }
}

/// Whose DM channel `channel` is, if it is one.
fn dm_user(inner: &Inner, channel: &str) -> Option<String> {
    if let Some(user) = inner.dm_owner.lock().unwrap().get(channel) {
        return Some(user.clone());
    }
    // Opened before this fake knew it: Slack's `D` ids here are `D` + the user id.
    channel
        .strip_prefix('D')
        .filter(|u| !u.is_empty())
        .map(str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_increase_and_compare() {
        assert_eq!(ts_of(1), "1700000000.000001");
        assert_eq!(ts_of(1_000_001), "1700000001.000001");
        assert!(ts_key(&ts_of(999_999)) < ts_key(&ts_of(1_000_000)));
        assert_eq!(ts_key("0"), Some(0));
        assert_eq!(ts_key("1700000000.5"), Some(1_700_000_000_500_000));
    }

    #[test]
    fn clock_timestamps_are_now_and_increase() {
        let inner = Inner {
            options: Options {
                clock_ts: true,
                ..Options::default()
            },
            ..Inner::default()
        };
        let (a, b) = (next_ts(&inner), next_ts(&inner));
        assert!(ts_key(&a) < ts_key(&b), "{a} then {b}");
        assert!(ts_key(&a).unwrap() > 1_750_000_000_000_000, "{a}");
    }

    async fn call(inner: &Inner, method: &str, ct: &str, body: &str, query: Option<&str>) -> Value {
        let mut headers = HeaderMap::new();
        headers.insert("content-type", ct.parse().unwrap());
        let fields = fields(&headers, query.map(str::to_string), body.as_bytes());
        let response = answer(inner, method, &fields);
        let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
            .await
            .unwrap();
        serde_json::from_slice(&bytes).unwrap()
    }

    #[tokio::test]
    async fn dms_are_tracked_and_history_keeps_metadata() {
        let inner = Inner::default();
        let form = "application/x-www-form-urlencoded";
        let json_ct = "application/json; charset=utf-8";
        let open = call(&inner, "conversations.open", form, "users=U1", None).await;
        assert_eq!(open["channel"]["id"], "DU1");
        let open = call(
            &inner,
            "conversations.open",
            json_ct,
            r#"{"users":["U2"]}"#,
            None,
        )
        .await;
        assert_eq!(open["channel"]["id"], "DU2");
        let post = r#"{"channel":"DU1","text":"hi","metadata":{"event_type":"frontdesk_dm","event_payload":{"item":"7"}}}"#;
        let posted = call(&inner, "chat.postMessage", json_ct, post, None).await;
        assert_eq!(posted["ts"], "1700000000.000001");
        assert_eq!(posted["channel"], "DU1");
        let again = call(
            &inner,
            "chat.postMessage",
            json_ct,
            r#"{"channel":"DU1","text":"2"}"#,
            None,
        )
        .await;
        assert_eq!(again["ts"], "1700000000.000002");
        assert_eq!(inner.first_dm.lock().unwrap().len(), 1);
        let query = "channel=DU1&oldest=0&limit=200&include_all_metadata=true";
        let history = call(&inner, "conversations.history", form, "", Some(query)).await;
        let messages = history["messages"].as_array().unwrap();
        assert_eq!(messages.len(), 2);
        assert_eq!(messages[1]["metadata"]["event_payload"]["item"], "7");
        let query = "channel=DU1&oldest=1700000000.000001&limit=1";
        let history = call(&inner, "conversations.history", form, "", Some(query)).await;
        assert_eq!(history["messages"][0]["ts"], "1700000000.000002");
        assert_eq!(history["has_more"], false);
    }
}
