//! The one fake of Slack's Web API: an axum server on 127.0.0.1:0 that answers like Slack
//! (`application/json`, `ok: true`, plausible `channel`/`ts`/`message`) and records every call
//! for assertions.
//!
//! Switches, for the in-process tests: inject 429s with `Retry-After`, `ok: false` errors and
//! HTTP 500s for the next calls of a method, refuse the token at `auth.test` (or fail it until
//! told to accept it again), accept one bot token only, never answer a call, shape what
//! `conversations.info` and `users.info` say. `openid.connect.token` and `.userInfo` sign in
//! the user a code names ("Sign in with Slack").
//!
//! And for the tests that drive the real binary ([`Behaviour`] and [`FakeSlack::stall`]): stall
//! every call (unrecorded) while the bot is killed, delay answers with jitter so they come back
//! out of order, hold the posts into a channel without answering, rate-limit a method while it
//! is listed, count the posts in flight, and keep a history of every message posted that
//! `conversations.history` and `conversations.replies` answer from, with the messages people
//! wrote that a test put there ([`FakeSlack::written`]). `latest` (with `inclusive`) and
//! `limit` are applied, so a read of one message by its ts finds that message.

use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::any;
use axum::Router;
use serde_json::{json, Value};
use std::collections::{HashMap, HashSet, VecDeque};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

pub const BOT_USER: &str = "UBOT";
pub const BOT_ID: &str = "BBOT";
pub const TEAM: &str = "T0FRONT";
/// The client secret `openid.connect.token` accepts.
pub const OIDC_CLIENT_SECRET: &str = "oidc-client-secret";

/// One Web API call as the fake received it.
#[derive(Debug, Clone)]
pub struct Call {
    pub method: String,
    pub http_method: String,
    pub authorization: Option<String>,
    pub content_type: Option<String>,
    /// The JSON body, or the form/query fields as a JSON object of strings.
    pub body: Value,
    /// The `ts` the fake gave a posted message.
    pub ts: Option<String>,
    /// Answered with a 429 because [`Behaviour::rate_limit`] listed the method.
    pub rate_limited: bool,
}

impl Call {
    pub fn str(&self, field: &str) -> &str {
        self.body.get(field).and_then(Value::as_str).unwrap_or("")
    }

    /// Every button value in the call's blocks.
    pub fn button_values(&self) -> Vec<String> {
        let mut out = Vec::new();
        if let Some(blocks) = self.blocks() {
            for b in blocks {
                if let Some(elements) = b.get("elements").and_then(Value::as_array) {
                    for e in elements {
                        if e["type"] == "button" {
                            out.push(e["value"].as_str().unwrap_or("").to_string());
                        }
                    }
                }
            }
        }
        out
    }

    /// Every button's action_id.
    pub fn action_ids(&self) -> Vec<String> {
        self.blocks()
            .into_iter()
            .flatten()
            .filter_map(|b| b.get("elements").and_then(Value::as_array))
            .flatten()
            .filter(|e| e["type"] == "button")
            .map(|e| e["action_id"].as_str().unwrap_or("").to_string())
            .collect()
    }

    pub fn blocks(&self) -> Option<&Vec<Value>> {
        self.body.get("blocks").and_then(Value::as_array)
    }

    /// The whole body as text, for "mentions X" assertions.
    pub fn text_everywhere(&self) -> String {
        self.body.to_string()
    }
}

/// What to answer instead of success.
#[derive(Debug, Clone)]
pub enum Failure {
    RateLimited {
        retry_after_secs: u64,
    },
    /// `{"ok":false,"error":code}` with HTTP 200.
    Error(String),
    /// `missing_scope` with the scope Slack says is needed.
    MissingScope(String),
    Http(u16),
    /// Accepts the request and never answers (an hour, in practice).
    Hang,
}

/// What `conversations.info` says about a channel.
#[derive(Debug, Clone)]
pub enum ChannelState {
    Member(String),
    NotMember(String),
    Archived(String),
    Fails(Failure),
}

/// A message the fake took: (channel, ts, thread_ts, metadata).
pub type Posted = (String, String, Option<String>, Value);

/// How the fake answers, beyond "at once and `ok`": for load and crash tests.
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

#[derive(Default)]
struct Inner {
    calls: Mutex<Vec<Call>>,
    failures: Mutex<HashMap<String, VecDeque<Failure>>>,
    channels: Mutex<HashMap<String, ChannelState>>,
    auth_failure: Mutex<Option<Failure>>,
    /// The only bot token accepted, when set; any token otherwise.
    token: Mutex<Option<String>>,
    /// (channel, ts) of every message posted, with its latest body.
    messages: Mutex<HashMap<(String, String), Value>>,
    reactions: Mutex<HashSet<(String, String, String)>>,
    /// What `users.info` says each user's locale is (`include_locale`); others have none.
    locales: Mutex<HashMap<String, String>>,
    timezones: Mutex<HashMap<String, String>>,
    /// Messages people wrote, as Slack returns them, oldest first.
    written: Mutex<Vec<Value>>,
    counter: AtomicU64,
    /// While set, calls hang without an answer and are not recorded.
    stall: AtomicBool,
    behaviour: Behaviour,
}

#[derive(Clone)]
pub struct FakeSlack {
    pub addr: SocketAddr,
    inner: Arc<Inner>,
    stop: Arc<StopOnDrop>,
}

/// Stops the server when the last clone of the fake is dropped.
struct StopOnDrop(tokio_util::sync::CancellationToken);

impl Drop for StopOnDrop {
    fn drop(&mut self) {
        self.0.cancel();
    }
}

impl FakeSlack {
    pub async fn start() -> FakeSlack {
        let inner = Arc::new(Inner::default());
        let app = Router::new()
            .route("/api/{method}", any(handle))
            .with_state(inner.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("binding the fake Slack");
        let addr = listener.local_addr().unwrap();
        let stop = tokio_util::sync::CancellationToken::new();
        let token = stop.clone();
        tokio::spawn(async move {
            axum::serve(listener, app)
                .with_graceful_shutdown(token.cancelled_owned())
                .await
                .expect("fake Slack serving");
        });
        FakeSlack {
            addr,
            inner,
            stop: Arc::new(StopOnDrop(stop)),
        }
    }

    /// Only `Bearer {token}` is accepted from now on; other calls get `not_authed`.
    pub fn require_token(&self, token: &str) {
        *self.inner.token.lock().unwrap() = Some(token.to_string());
    }

    /// While `on`, calls hang without an answer and are not recorded: a Slack that is slow
    /// exactly when the bot dies.
    pub fn stall(&self, on: bool) {
        self.inner.stall.store(on, Ordering::SeqCst);
    }

    /// Delays, held channels, rate-limited methods, and the history of posts.
    pub fn behaviour(&self) -> &Behaviour {
        &self.inner.behaviour
    }

    /// Answered `chat.postMessage` calls into `channel` (not the rate-limited ones), as sent.
    pub fn posts_to(&self, channel: &str) -> Vec<Value> {
        self.calls_to("chat.postMessage")
            .into_iter()
            .filter(|c| !c.rate_limited && c.body["channel"] == channel)
            .map(|c| c.body)
            .collect()
    }

    /// With a trailing slash, like frontdesk's default `https://slack.com/api/`.
    pub fn api_url(&self) -> String {
        format!("http://{}/api/", self.addr)
    }

    pub fn calls(&self) -> Vec<Call> {
        self.inner.calls.lock().unwrap().clone()
    }

    pub fn calls_to(&self, method: &str) -> Vec<Call> {
        self.calls()
            .into_iter()
            .filter(|c| c.method == method)
            .collect()
    }

    /// Calls other than the start-up checks.
    pub fn work_calls(&self) -> Vec<Call> {
        self.calls()
            .into_iter()
            .filter(|c| c.method != "auth.test" && c.method != "conversations.info")
            .collect()
    }

    pub fn clear(&self) {
        self.inner.calls.lock().unwrap().clear();
    }

    /// The next `times` calls of `method` fail this way.
    pub fn fail(&self, method: &str, failure: Failure, times: usize) {
        let mut f = self.inner.failures.lock().unwrap();
        let q = f.entry(method.to_string()).or_default();
        for _ in 0..times {
            q.push_back(failure.clone());
        }
    }

    /// Every `auth.test` fails this way until [`FakeSlack::accept_token`].
    pub fn refuse_token(&self, failure: Failure) {
        *self.inner.auth_failure.lock().unwrap() = Some(failure);
    }

    /// `auth.test` answers normally again.
    pub fn accept_token(&self) {
        *self.inner.auth_failure.lock().unwrap() = None;
    }

    /// `users.info` says `user`'s locale is `locale` (`de-DE`).
    pub fn set_locale(&self, user: &str, locale: &str) {
        self.inner
            .locales
            .lock()
            .unwrap()
            .insert(user.to_string(), locale.to_string());
    }

    /// `users.info` says `user`'s time zone is `tz` (`America/New_York`).
    pub fn set_timezone(&self, user: &str, tz: &str) {
        self.inner
            .timezones
            .lock()
            .unwrap()
            .insert(user.to_string(), tz.to_string());
    }

    pub fn set_channel(&self, id: &str, state: ChannelState) {
        self.inner
            .channels
            .lock()
            .unwrap()
            .insert(id.to_string(), state);
    }

    /// The latest content of a message the bot posted.
    /// A message `user` wrote in `channel` (under `thread`, if given), for
    /// `conversations.history` and `conversations.replies` to return. Its ts should be older
    /// than the fake's own posts (`1600000000.…`).
    pub fn written(&self, channel: &str, ts: &str, user: &str, text: &str, thread: Option<&str>) {
        let mut m =
            json!({"type": "message", "channel": channel, "user": user, "text": text, "ts": ts});
        if let Some(t) = thread {
            m["thread_ts"] = json!(t);
        }
        let mut written = self.inner.written.lock().unwrap();
        if let Some(root) = thread.and_then(|t| {
            written
                .iter_mut()
                .find(|w| w["ts"] == t && w["channel"] == channel)
        }) {
            root["thread_ts"] = json!(thread);
            let n = root["reply_count"].as_u64().unwrap_or(0);
            root["reply_count"] = json!(n + 1);
        }
        written.push(m);
    }

    pub fn message(&self, channel: &str, ts: &str) -> Option<Value> {
        self.inner
            .messages
            .lock()
            .unwrap()
            .get(&(channel.to_string(), ts.to_string()))
            .cloned()
    }

    /// Waits (bounded) until `method` was called at least `n` times: only for work a real
    /// background task does.
    pub async fn wait_for(&self, method: &str, n: usize) -> Vec<Call> {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
        loop {
            let calls = self.calls_to(method);
            if calls.len() >= n {
                return calls;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "timed out waiting for {n} call(s) to {method}; got {calls:?}"
            );
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }
}

fn ok(mut v: Value) -> Response {
    v["ok"] = json!(true);
    (
        StatusCode::OK,
        [("content-type", "application/json; charset=utf-8")],
        v.to_string(),
    )
        .into_response()
}

fn failure_response(f: &Failure) -> Response {
    let json_ct = [("content-type", "application/json; charset=utf-8")];
    match f {
        Failure::RateLimited { retry_after_secs } => (
            StatusCode::TOO_MANY_REQUESTS,
            [("content-type", "application/json; charset=utf-8"), ("retry-after", &retry_after_secs.to_string())],
            json!({"ok": false, "error": "ratelimited"}).to_string(),
        )
            .into_response(),
        Failure::Error(code) => (StatusCode::OK, json_ct, json!({"ok": false, "error": code}).to_string()).into_response(),
        Failure::MissingScope(needed) => (
            StatusCode::OK,
            json_ct,
            json!({"ok": false, "error": "missing_scope", "needed": needed, "provided": "chat:write,im:write"}).to_string(),
        )
            .into_response(),
        Failure::Hang => unreachable!("answered by `fail_with`"),
        Failure::Http(status) => (
            StatusCode::from_u16(*status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
            [("content-type", "text/html")],
            "<html>upstream trouble</html>",
        )
            .into_response(),
    }
}

async fn fail_with(f: &Failure) -> Response {
    if let Failure::Hang = f {
        tokio::time::sleep(Duration::from_secs(3600)).await;
    }
    failure_response(f)
}

fn body_fields(headers: &HeaderMap, query: Option<String>, body: &[u8]) -> Value {
    let ct = headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if ct.starts_with("application/json") {
        return serde_json::from_slice(body).unwrap_or(Value::Null);
    }
    if let Ok(json) = serde_json::from_slice::<Value>(body) {
        return json;
    }
    let text = if body.is_empty() {
        query.unwrap_or_default()
    } else {
        String::from_utf8_lossy(body).into_owned()
    };
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(&text).unwrap_or_default();
    Value::Object(
        pairs
            .into_iter()
            .map(|(k, v)| (k, Value::String(v)))
            .collect(),
    )
}

async fn handle(
    State(inner): State<Arc<Inner>>,
    Path(method): Path<String>,
    RawQuery(query): RawQuery,
    http_method: axum::http::Method,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    if inner.stall.load(Ordering::SeqCst) {
        std::future::pending::<()>().await;
    }
    let fields = body_fields(&headers, query, &body);
    let header = |n: &str| {
        headers
            .get(n)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    };
    let index = {
        let mut calls = inner.calls.lock().unwrap();
        calls.push(Call {
            method: method.clone(),
            http_method: http_method.to_string(),
            authorization: header("authorization"),
            content_type: header("content-type"),
            body: fields.clone(),
            ts: None,
            rate_limited: false,
        });
        calls.len() - 1
    };
    // The bot token is checked where one is required; Socket Mode's call carries the
    // app-level token instead, and Sign in with Slack the client's secret or a user's token.
    let required = inner.token.lock().unwrap().clone();
    let bot_call = !matches!(
        method.as_str(),
        "apps.connections.open" | "openid.connect.token" | "openid.connect.userInfo"
    );
    if let Some(token) = required.filter(|_| bot_call) {
        if header("authorization") != Some(format!("Bearer {token}")) {
            return failure_response(&Failure::Error("not_authed".into()));
        }
    }
    if method == "auth.test" {
        let refused = inner.auth_failure.lock().unwrap().clone();
        if let Some(f) = refused {
            return fail_with(&f).await;
        }
    }
    let injected = inner
        .failures
        .lock()
        .unwrap()
        .get_mut(&method)
        .and_then(VecDeque::pop_front);
    if let Some(f) = injected {
        return fail_with(&f).await;
    }
    let b = &inner.behaviour;
    let limited = b.rate_limited.lock().unwrap().get(&method).copied();
    if let Some(retry_after_secs) = limited {
        inner.calls.lock().unwrap()[index].rate_limited = true;
        return failure_response(&Failure::RateLimited { retry_after_secs });
    }
    let field = |n: &str| {
        fields
            .get(n)
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string()
    };
    let next_ts = || {
        format!(
            "1700000000.{:06}",
            inner.counter.fetch_add(1, Ordering::SeqCst) + 1
        )
    };
    // A post is taken (its ts given, recorded in the history) before the delay; a post into
    // a held channel is never answered.
    let posted = if method == "chat.postMessage" {
        let channel = field("channel");
        if !channel.starts_with('C') && !channel.starts_with('D') && !channel.starts_with('G') {
            return failure_response(&Failure::Error("channel_not_found".into()));
        }
        let ts = next_ts();
        inner.calls.lock().unwrap()[index].ts = Some(ts.clone());
        let thread = fields
            .get("thread_ts")
            .and_then(Value::as_str)
            .map(str::to_string);
        let metadata = fields.get("metadata").cloned().unwrap_or(Value::Null);
        b.history
            .lock()
            .unwrap()
            .push((channel.clone(), ts.clone(), thread, metadata));
        let now = b.posts_in_flight.fetch_add(1, Ordering::SeqCst) + 1;
        b.max_posts_in_flight.fetch_max(now, Ordering::SeqCst);
        if b.held_channels.lock().unwrap().contains(&channel) {
            std::future::pending::<()>().await;
        }
        Some((channel, ts))
    } else {
        None
    };
    let delay = b.delay_ms.load(Ordering::SeqCst)
        + match b.jitter_ms.load(Ordering::SeqCst) {
            0 => 0,
            jitter => (index as u64 + 1).wrapping_mul(7919) % jitter,
        };
    if delay > 0 {
        tokio::time::sleep(Duration::from_millis(delay)).await;
    }
    if posted.is_some() {
        b.posts_in_flight.fetch_sub(1, Ordering::SeqCst);
    }
    match method.as_str() {
        "apps.connections.open" => match b.socket_url.lock().unwrap().clone() {
            Some(url) => ok(json!({ "url": url })),
            None => failure_response(&Failure::Error("invalid_auth".into())),
        },
        "auth.test" => ok(json!({
            "url": "https://frontdesk-test.slack.com/", "team": "Frontdesk Test", "user": "frontdesk",
            "team_id": TEAM, "user_id": BOT_USER, "bot_id": BOT_ID, "is_enterprise_install": false
        })),
        "conversations.open" => {
            // Slack takes `users` as a comma-separated string or (in JSON) an array.
            let users = match fields.get("users") {
                Some(Value::Array(a)) => a
                    .iter()
                    .filter_map(Value::as_str)
                    .map(str::to_string)
                    .collect::<Vec<_>>(),
                Some(Value::String(s)) => s.split(',').map(str::to_string).collect(),
                _ => vec![],
            };
            match users.as_slice() {
                [one] => ok(json!({"channel": {"id": format!("D{one}")}, "already_open": false})),
                _ => failure_response(&Failure::Error("users_list_not_supplied".into())),
            }
        }
        "chat.postMessage" => {
            let (channel, ts) = posted.expect("a post is taken above");
            inner
                .messages
                .lock()
                .unwrap()
                .insert((channel.clone(), ts.clone()), fields.clone());
            let mut message = json!({
                "type": "message", "subtype": "bot_message", "text": field("text"), "user": BOT_USER,
                "bot_id": BOT_ID, "ts": ts, "app_id": "A0FRONT", "team": TEAM,
                "blocks": fields.get("blocks").cloned().unwrap_or(json!([]))
            });
            if let Some(t) = fields.get("thread_ts") {
                message["thread_ts"] = t.clone();
            }
            ok(json!({"channel": channel, "ts": ts, "message": message}))
        }
        "chat.update" => {
            let key = (field("channel"), field("ts"));
            let mut messages = inner.messages.lock().unwrap();
            if !messages.contains_key(&key) {
                return failure_response(&Failure::Error("message_not_found".into()));
            }
            messages.insert(key.clone(), fields.clone());
            ok(json!({"channel": key.0, "ts": key.1, "text": field("text"),
                "message": {"type": "message", "text": field("text"), "user": BOT_USER, "bot_id": BOT_ID,
                    "blocks": fields.get("blocks").cloned().unwrap_or(json!([]))}}))
        }
        "chat.getPermalink" => ok(json!({
            "channel": field("channel"),
            "permalink": format!(
                "https://frontdesk-test.slack.com/archives/{}/p{}",
                field("channel"),
                field("message_ts").replace('.', "")
            )
        })),
        "chat.postEphemeral" => ok(json!({"message_ts": next_ts()})),
        // Sign in with Slack: a code `code-for-U123` is U123's, and its token says so.
        "openid.connect.token" => match field("code").strip_prefix("code-for-") {
            Some(user) if field("client_secret") == OIDC_CLIENT_SECRET => ok(json!({
                "access_token": format!("xoxp-oidc-{user}"), "token_type": "Bearer",
                "id_token": "not.checked.here"
            })),
            _ => failure_response(&Failure::Error("invalid_code".into())),
        },
        "openid.connect.userInfo" => match header("authorization")
            .as_deref()
            .and_then(|a| a.strip_prefix("Bearer xoxp-oidc-"))
        {
            Some(user) => ok(json!({
                "sub": user, "https://slack.com/user_id": user, "https://slack.com/team_id": TEAM,
                "name": user.to_lowercase()
            })),
            None => failure_response(&Failure::Error("invalid_auth".into())),
        },
        "users.info" => {
            let id = field("user");
            let mut user =
                json!({"id": id, "team_id": TEAM, "name": id.to_lowercase(), "is_bot": false});
            // Slack says the locale only when asked with include_locale.
            if field("include_locale") == "true" {
                if let Some(l) = inner.locales.lock().unwrap().get(&id) {
                    user["locale"] = json!(l);
                }
            }
            if let Some(tz) = inner.timezones.lock().unwrap().get(&id) {
                user["tz"] = json!(tz);
            }
            ok(json!({ "user": user }))
        }
        "reactions.add" => {
            let key = (field("channel"), field("timestamp"), field("name"));
            if !inner.reactions.lock().unwrap().insert(key) {
                return failure_response(&Failure::Error("already_reacted".into()));
            }
            ok(json!({}))
        }
        "views.publish" => ok(json!({"view": {
            "id": "V0HOME", "team_id": TEAM, "type": "home", "hash": "1700000000.abc",
            "blocks": fields.get("view").and_then(|v| v.get("blocks")).cloned().unwrap_or(json!([])),
            "private_metadata": "", "callback_id": "", "state": {"values": {}}, "app_id": "A0FRONT", "bot_id": BOT_ID
        }})),
        // A modal opened in answer to a click: Slack gives the view back with an id.
        "views.open" => {
            if field("trigger_id").is_empty() {
                return failure_response(&Failure::Error("invalid_trigger_id".into()));
            }
            let mut view = fields.get("view").cloned().unwrap_or(json!({}));
            view["id"] = json!("V0MODAL");
            view["team_id"] = json!(TEAM);
            ok(json!({ "view": view }))
        }
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
                        json!({"type": "message", "user": BOT_USER, "bot_id": BOT_ID, "ts": ts});
                    if let Some(t) = t {
                        m["thread_ts"] = json!(t);
                    }
                    if field("include_all_metadata") == "true" && !md.is_null() {
                        m["metadata"] = md.clone();
                    }
                    m
                })
                .collect();
            // People's messages: top-level ones in the history; a thread's root and
            // replies in `conversations.replies`.
            let written = inner.written.lock().unwrap().clone();
            messages.extend(written.into_iter().filter(|m| {
                m["channel"] == channel.as_str()
                    && match &thread {
                        Some(root) => m["ts"] == root.as_str() || m["thread_ts"] == root.as_str(),
                        None => m["thread_ts"].is_null() || m["thread_ts"] == m["ts"],
                    }
            }));
            messages.sort_by(|a, b| {
                a["ts"]
                    .as_str()
                    .unwrap_or("")
                    .cmp(b["ts"].as_str().unwrap_or(""))
            });
            let latest = field("latest");
            if !latest.is_empty() {
                let inclusive = field("inclusive") == "true";
                messages.retain(|m| {
                    let ts = m["ts"].as_str().unwrap_or("");
                    ts < latest.as_str() || (inclusive && ts == latest)
                });
            }
            // The history is newest first; a thread's replies oldest first.
            if thread.is_none() {
                messages.reverse();
            }
            if let Ok(limit) = field("limit").parse::<usize>() {
                messages.truncate(limit);
            }
            ok(json!({"messages": messages, "has_more": false}))
        }
        "conversations.info" => {
            let channel = field("channel");
            let state = inner
                .channels
                .lock()
                .unwrap()
                .get(&channel)
                .cloned()
                .unwrap_or_else(|| ChannelState::Member(channel.to_lowercase()));
            let info = |name: &str, member: bool, archived: bool| {
                ok(
                    json!({"channel": {"id": channel, "name": name, "is_channel": true, "is_private": false,
                    "created": 1600000000, "is_archived": archived, "is_member": member}}),
                )
            };
            match state {
                ChannelState::Member(n) => info(&n, true, false),
                ChannelState::NotMember(n) => info(&n, false, false),
                ChannelState::Archived(n) => info(&n, true, true),
                ChannelState::Fails(f) => fail_with(&f).await,
            }
        }
        _ => ok(json!({})),
    }
}
