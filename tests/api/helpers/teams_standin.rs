//! The one local stand-in for Microsoft's side of a Teams bot: the OpenID metadata and its JWKS
//! (with this test suite's keys and `endorsements`), the Entra token endpoint, and the Bot
//! Connector REST API. It records every call, can be told to fail the next Connector calls,
//! and lets a test wait for a call that happens in the background.

use axum::extract::{OriginalUri, Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use axum::{Json, Router};
use jsonwebtoken::{Algorithm, EncodingKey};
use serde_json::{json, Value};
use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::Notify;

pub const TEST_KEY: &str = include_str!("../../fixtures/teams/test_key.pem");
pub const OTHER_KEY: &str = include_str!("../../fixtures/teams/other_key.pem");

/// One call to the Bot Connector.
#[derive(Debug, Clone)]
pub struct Call {
    pub method: String,
    /// The path as sent, still percent-encoded.
    pub raw_path: String,
    /// The decoded conversation id, when the path has one.
    pub conversation: Option<String>,
    /// The decoded activity id, for updates and replies.
    pub activity: Option<String>,
    pub authorization: Option<String>,
    pub body: Value,
    /// The id the stand-in answered with (a new activity or conversation).
    pub answered_id: Option<String>,
}

impl Call {
    /// The activity the call carries: the body, or the `activity` of a new channel thread.
    pub fn activity_json(&self) -> &Value {
        self.body.get("activity").unwrap_or(&self.body)
    }

    /// The Adaptive Card the activity carries, if any.
    pub fn card(&self) -> Option<&Value> {
        self.activity_json()
            .get("attachments")?
            .get(0)?
            .get("content")
    }

    /// All the text the activity shows, card or not, for `contains` checks.
    pub fn shown(&self) -> String {
        match self.card() {
            Some(card) => card.to_string(),
            None => self.activity_json()["text"]
                .as_str()
                .unwrap_or("")
                .to_string(),
        }
    }

    /// The `action` data of every `Action.Submit` on the card, in order.
    pub fn actions(&self) -> Vec<String> {
        fn walk(v: &Value, out: &mut Vec<String>) {
            match v {
                Value::Object(map) => {
                    if map.get("type").and_then(Value::as_str) == Some("Action.Submit") {
                        if let Some(a) = map
                            .get("data")
                            .and_then(|d| d.get("action"))
                            .and_then(Value::as_str)
                        {
                            out.push(a.to_string());
                        }
                    }
                    for (_, child) in map {
                        walk(child, out);
                    }
                }
                Value::Array(items) => items.iter().for_each(|i| walk(i, out)),
                _ => {}
            }
        }
        let mut out = Vec::new();
        if let Some(card) = self.card() {
            // Top-level actions come after the body in JSON order; read body first, then actions.
            if let Some(body) = card.get("body") {
                walk(body, &mut out);
            }
            if let Some(actions) = card.get("actions") {
                walk(actions, &mut out);
            }
        }
        out
    }
}

#[derive(Default)]
pub struct Recorded {
    pub calls: Mutex<Vec<Call>>,
    /// Form bodies posted to the token endpoint.
    pub token_requests: Mutex<Vec<Vec<(String, String)>>>,
    pub metadata_fetches: AtomicUsize,
    pub jwks_fetches: AtomicUsize,
    /// Every request of any kind, for "this host was never called" checks.
    pub any_requests: AtomicUsize,
    jwks: Mutex<Vec<Value>>,
    failures: Mutex<VecDeque<(u16, Option<u64>)>>,
    next_id: AtomicU64,
    changed: Notify,
    base: Mutex<String>,
}

/// The stand-in server.
#[derive(Clone)]
pub struct StandIn {
    pub addr: SocketAddr,
    pub state: Arc<Recorded>,
}

/// A JWK for a PEM key, with endorsements, as the Bot Framework publishes them.
pub fn jwk(pem: &str, kid: &str, endorsements: &[&str]) -> Value {
    let enc = EncodingKey::from_rsa_pem(pem.as_bytes()).unwrap();
    let std = jsonwebtoken::jwk::Jwk::from_encoding_key(&enc, Algorithm::RS256).unwrap();
    let jsonwebtoken::jwk::AlgorithmParameters::RSA(rsa) = std.algorithm else {
        unreachable!("an RSA key")
    };
    json!({"kty": "RSA", "use": "sig", "kid": kid, "x5t": kid, "n": rsa.n, "e": rsa.e, "endorsements": endorsements})
}

impl StandIn {
    /// Starts on `ip:0`, serving key `k1` (endorsed for msteams) and `k-skype` (endorsed only
    /// for another channel).
    pub async fn start(ip: &str) -> StandIn {
        let state = Arc::new(Recorded::default());
        *state.jwks.lock().unwrap() = vec![
            jwk(TEST_KEY, "k1", &["msteams", "webchat"]),
            jwk(TEST_KEY, "k-skype", &["skype"]),
        ];
        state.next_id.store(1_700_000_000_000, Ordering::SeqCst);
        // The Connector sits under a path, as real service URLs (`…/amer/`) do.
        let connector = Router::new()
            .route("/v3/conversations", post(create_conversation))
            .route("/v3/conversations/{conversation}/activities", post(send))
            .route(
                "/v3/conversations/{conversation}/activities/{activity}",
                put(update).post(reply),
            );
        let app = Router::new()
            .route("/openid", get(metadata))
            .route("/keys", get(keys))
            .route("/token", post(token))
            .nest("/teams", connector)
            .fallback(|| async { StatusCode::NOT_FOUND })
            .layer(axum::middleware::from_fn_with_state(
                state.clone(),
                count_all,
            ))
            .with_state(state.clone());
        let listener = tokio::net::TcpListener::bind((ip, 0)).await.unwrap();
        let addr = listener.local_addr().unwrap();
        *state.base.lock().unwrap() = format!("http://{addr}");
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        StandIn { addr, state }
    }

    pub fn base(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The `serviceUrl` activities from this stand-in carry.
    pub fn service_url(&self) -> String {
        format!("http://{}/teams/", self.addr)
    }

    pub fn add_key(&self, key: Value) {
        self.state.jwks.lock().unwrap().push(key);
    }

    /// The next Connector calls answer with these statuses (and `Retry-After` seconds).
    pub fn fail_next(&self, status: u16, retry_after: Option<u64>) {
        self.state
            .failures
            .lock()
            .unwrap()
            .push_back((status, retry_after));
    }

    pub fn calls(&self) -> Vec<Call> {
        self.state.calls.lock().unwrap().clone()
    }

    pub fn calls_since(&self, n: usize) -> Vec<Call> {
        self.calls().into_iter().skip(n).collect()
    }

    pub fn token_requests(&self) -> Vec<Vec<(String, String)>> {
        self.state.token_requests.lock().unwrap().clone()
    }

    pub fn metadata_fetches(&self) -> usize {
        self.state.metadata_fetches.load(Ordering::SeqCst)
    }

    pub fn any_requests(&self) -> usize {
        self.state.any_requests.load(Ordering::SeqCst)
    }

    /// Waits (at most five seconds) until the recorded calls satisfy `done`: for work the app
    /// does in the background after acknowledging an activity. Woken by each call; no polling.
    pub async fn wait_for(&self, what: &str, done: impl Fn(&[Call]) -> bool) -> Vec<Call> {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
        loop {
            let changed = self.state.changed.notified();
            tokio::pin!(changed);
            changed.as_mut().enable();
            let calls = self.calls();
            if done(&calls) {
                return calls;
            }
            if tokio::time::timeout_at(deadline, changed).await.is_err() {
                panic!("timed out waiting for {what}; calls: {calls:#?}");
            }
        }
    }
}

async fn count_all(
    State(s): State<Arc<Recorded>>,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    s.any_requests.fetch_add(1, Ordering::SeqCst);
    next.run(req).await
}

async fn metadata(State(s): State<Arc<Recorded>>) -> Json<Value> {
    s.metadata_fetches.fetch_add(1, Ordering::SeqCst);
    let base = s.base.lock().unwrap().clone();
    Json(json!({
        "issuer": "https://api.botframework.com",
        "authorization_endpoint": "https://invalid.botframework.com",
        "jwks_uri": format!("{base}/keys"),
        "id_token_signing_alg_values_supported": ["RS256"],
        "token_endpoint_auth_methods_supported": ["private_key_jwt"],
    }))
}

async fn keys(State(s): State<Arc<Recorded>>) -> Json<Value> {
    s.jwks_fetches.fetch_add(1, Ordering::SeqCst);
    Json(json!({"keys": s.jwks.lock().unwrap().clone()}))
}

async fn token(State(s): State<Arc<Recorded>>, body: String) -> Json<Value> {
    let form: Vec<(String, String)> = serde_urlencoded::from_str(&body).unwrap();
    let n = {
        let mut all = s.token_requests.lock().unwrap();
        all.push(form);
        all.len()
    };
    s.changed.notify_waiters();
    Json(
        json!({"token_type": "Bearer", "expires_in": 3599, "ext_expires_in": 3599, "access_token": format!("stand-in-token-{n}")}),
    )
}

impl Recorded {
    fn next_id(&self) -> String {
        self.next_id.fetch_add(1, Ordering::SeqCst).to_string()
    }

    /// Records a call; returns the injected failure to answer with, if one is queued.
    fn record(&self, mut call: Call, answered_id: Option<String>) -> Option<Response> {
        let failure = self.failures.lock().unwrap().pop_front();
        if failure.is_none() {
            call.answered_id = answered_id;
        }
        self.calls.lock().unwrap().push(call);
        self.changed.notify_waiters();
        match failure {
            None => None,
            Some((status, retry_after)) => {
                let mut r = (
                    StatusCode::from_u16(status).unwrap(),
                    Json(json!({"error": {"code": "Injected", "message": "the stand-in was told to fail"}})),
                )
                    .into_response();
                if let Some(secs) = retry_after {
                    r.headers_mut()
                        .insert("retry-after", secs.to_string().parse().unwrap());
                }
                Some(r)
            }
        }
    }
}

fn call(
    method: &str,
    uri: &axum::http::Uri,
    headers: &HeaderMap,
    conversation: Option<String>,
    activity: Option<String>,
    body: Value,
) -> Call {
    Call {
        method: method.into(),
        raw_path: uri.path().to_string(),
        conversation,
        activity,
        authorization: headers
            .get("authorization")
            .and_then(|v| v.to_str().ok())
            .map(str::to_string),
        body,
        answered_id: None,
    }
}

async fn create_conversation(
    State(s): State<Arc<Recorded>>,
    OriginalUri(uri): OriginalUri,
    headers: HeaderMap,
    Json(body): Json<Value>,
) -> Response {
    let (answer, id) = if body["isGroup"] == json!(true) {
        let channel = body["channelData"]["channel"]["id"]
            .as_str()
            .unwrap_or("")
            .to_string();
        let root = s.next_id();
        (
            json!({"id": format!("{channel};messageid={root}"), "activityId": root}),
            root,
        )
    } else {
        let member = body["members"][0]["id"].as_str().unwrap_or("").to_string();
        let conv = format!("a:created-{}", member.trim_start_matches("29:"));
        (json!({"id": conv}), conv)
    };
    match s.record(call("POST", &uri, &headers, None, None, body), Some(id)) {
        None => (StatusCode::CREATED, Json(answer)).into_response(),
        Some(r) => r,
    }
}

async fn send(
    State(s): State<Arc<Recorded>>,
    Path(conversation): Path<String>,
    OriginalUri(uri): OriginalUri,
    headers: HeaderMap,
    Json(body): Json<Value>,
) -> Response {
    let id = s.next_id();
    match s.record(
        call("POST", &uri, &headers, Some(conversation), None, body),
        Some(id.clone()),
    ) {
        None => (StatusCode::CREATED, Json(json!({"id": id}))).into_response(),
        Some(r) => r,
    }
}

async fn reply(
    State(s): State<Arc<Recorded>>,
    Path((conversation, activity)): Path<(String, String)>,
    OriginalUri(uri): OriginalUri,
    headers: HeaderMap,
    Json(body): Json<Value>,
) -> Response {
    let id = s.next_id();
    match s.record(
        call(
            "POST",
            &uri,
            &headers,
            Some(conversation),
            Some(activity),
            body,
        ),
        Some(id.clone()),
    ) {
        None => (StatusCode::CREATED, Json(json!({"id": id}))).into_response(),
        Some(r) => r,
    }
}

async fn update(
    State(s): State<Arc<Recorded>>,
    Path((conversation, activity)): Path<(String, String)>,
    OriginalUri(uri): OriginalUri,
    headers: HeaderMap,
    Json(body): Json<Value>,
) -> Response {
    match s.record(
        call(
            "PUT",
            &uri,
            &headers,
            Some(conversation),
            Some(activity.clone()),
            body,
        ),
        Some(activity.clone()),
    ) {
        None => (StatusCode::OK, Json(json!({"id": activity}))).into_response(),
        Some(r) => r,
    }
}
