//! A desk on Slack, driven as Slack drives it.
//!
//! In process, [`SlackApp`]: the app of [`spawn_app`] with a temp data dir, a manual clock and
//! the fake Slack, plus helpers that send requests signed and shaped like Slack's own (built
//! from the fixtures in tests/fixtures/slack, with ids rewritten per scenario).
//!
//! For the real binary (the end of this file): the environment of a `frontdesk serve` on the
//! fake Slack, and slash commands and DM events posted to it signed.

use super::app::{base_config, spawn_app, spawn_binary, TestApp};
use super::fake_slack::{Call, FakeSlack};
use super::process::Server;
use super::signer::slack_signature;
use super::{eventually, get, http};
use chrono::Utc;
use frontdesk::config::{Config, Secret};
use frontdesk::AppError;
use frontdesk::ManualClock;
use serde_json::{json, Value};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

pub const SECRET: &str = "8f742231b10e8888abcd99yyyzzz85a5";
pub const TOKEN: &str = "xoxb-test-token";
pub const AGENT: &str = "UAGENT";
pub const IT_CHANNEL: &str = "C0IT";

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/slack");

pub fn fixture(name: &str) -> String {
    std::fs::read_to_string(format!("{FIXTURES}/{name}"))
        .unwrap_or_else(|e| panic!("fixture {name}: {e}"))
}

pub fn fixture_json(name: &str) -> Value {
    serde_json::from_str(&fixture(name)).unwrap()
}

/// The bot's DM channel with a user, as the fake Slack assigns it.
pub fn dm_channel(user: &str) -> String {
    format!("D{user}")
}

pub fn test_config(data_dir: &std::path::Path, fake: &FakeSlack) -> Config {
    let mut c = base_config(data_dir);
    c.server.max_body_bytes = 64 * 1024;
    c.slack.api_url = fake.api_url();
    c.slack.signing_secret = Some(Secret::new(SECRET));
    c.slack.bot_token = Some(Secret::new(TOKEN));
    c.outbox.initial_backoff = Duration::from_secs(1);
    c.outbox.max_backoff = Duration::from_secs(60);
    c.outbox.give_up_after = Duration::from_secs(3600);
    // Pacing is tested on its own; these tests run on a clock that moves only when told.
    c.outbox.slack_channel_rate = 1000.0;
    c.outbox.slack_channel_burst = 1000;
    for d in &mut c.departments {
        d.agents = vec![AGENT.into(), "UAGENT2".into()];
    }
    c
}

/// The app on the fake Slack, with a manual clock; its outbox runs when drained.
pub struct SlackApp {
    pub app: TestApp,
    pub fake: FakeSlack,
    pub clock: Arc<ManualClock>,
    pub config: Config,
    http: reqwest::Client,
    counter: AtomicU64,
    _dir: tempfile::TempDir,
}

impl std::ops::Deref for SlackApp {
    type Target = TestApp;

    fn deref(&self) -> &TestApp {
        &self.app
    }
}

impl SlackApp {
    pub async fn spawn() -> SlackApp {
        Self::spawn_with(|_| {}).await
    }

    pub async fn spawn_with(edit: impl FnOnce(&mut Config)) -> SlackApp {
        let fake = FakeSlack::start().await;
        Self::build(fake, edit).await.expect("the app starts")
    }

    pub async fn build(
        fake: FakeSlack,
        edit: impl FnOnce(&mut Config),
    ) -> Result<SlackApp, AppError> {
        fake.require_token(TOKEN);
        let dir = tempfile::tempdir().unwrap();
        let mut config = test_config(dir.path(), &fake);
        edit(&mut config);
        let clock = Arc::new(ManualClock::new(Utc::now()));
        let app = spawn_app(config.clone(), clock.clone(), false).await?;
        Ok(SlackApp {
            app,
            fake,
            clock,
            config,
            http: reqwest::Client::new(),
            counter: AtomicU64::new(1),
            _dir: dir,
        })
    }

    fn next(&self) -> u64 {
        self.counter.fetch_add(1, Ordering::SeqCst)
    }

    /// A fresh `ts` for a user message.
    pub fn new_ts(&self) -> String {
        format!("1800000000.{:06}", self.next())
    }

    /// POSTs `body` signed with the test secret at the app clock's current time.
    pub async fn post_signed(
        &self,
        path: &str,
        content_type: &str,
        body: Vec<u8>,
        extra: &[(&str, String)],
    ) -> reqwest::Response {
        let ts = self.clock_now();
        let sig = slack_signature(SECRET, ts, &body);
        let mut headers = vec![
            ("x-slack-request-timestamp", ts.to_string()),
            ("x-slack-signature", sig),
        ];
        headers.extend(extra.iter().cloned());
        self.post_raw(path, content_type, body, &headers).await
    }

    /// POSTs with exactly the headers given (for signature tests).
    pub async fn post_raw(
        &self,
        path: &str,
        content_type: &str,
        body: Vec<u8>,
        headers: &[(&str, String)],
    ) -> reqwest::Response {
        let mut req = self
            .http
            .post(self.url(path))
            .header("content-type", content_type)
            .body(body);
        for (k, v) in headers {
            req = req.header(*k, v);
        }
        req.send().await.expect("the app answers")
    }

    pub fn clock_now(&self) -> i64 {
        use frontdesk::Clock;
        self.clock.now().timestamp()
    }

    pub fn advance(&self, by: Duration) {
        self.clock.advance(chrono::Duration::from_std(by).unwrap());
    }

    // ---- slash commands ----

    /// A `/help-it` form body for `user`, from the fixture, with a fresh trigger_id.
    pub fn command_body(&self, user: &str, text: &str) -> Vec<u8> {
        let fields: Vec<(String, String)> =
            serde_urlencoded::from_str(&fixture("slash_command.form")).unwrap();
        let trigger = format!("{}.111.trig{}", self.next(), self.next());
        let fields: Vec<(String, String)> = fields
            .into_iter()
            .map(|(k, v)| {
                let v = match k.as_str() {
                    "user_id" => user.to_string(),
                    "text" => text.to_string(),
                    "command" => "/help-it".to_string(),
                    "trigger_id" => trigger.clone(),
                    "team_id" => super::fake_slack::TEAM.to_string(),
                    "response_url" => format!("http://{}/hooks/commands", self.addr),
                    _ => v,
                };
                (k, v)
            })
            .collect();
        serde_urlencoded::to_string(fields).unwrap().into_bytes()
    }

    pub async fn command(&self, user: &str, text: &str) -> reqwest::Response {
        let body = self.command_body(user, text);
        self.post_signed(
            "/slack/commands",
            "application/x-www-form-urlencoded",
            body,
            &[],
        )
        .await
    }

    /// Runs `/help-it text` and returns the ephemeral answer.
    pub async fn command_json(&self, user: &str, text: &str) -> Value {
        let r = self.command(user, text).await;
        assert_eq!(r.status(), 200);
        r.json().await.expect("an ephemeral JSON answer")
    }

    // ---- events ----

    /// Wraps an inner event in the envelope of the message_im fixture, with a fresh event_id.
    pub fn envelope(&self, event: Value) -> Value {
        let mut v = fixture_json("message_im.json");
        v["team_id"] = json!(super::fake_slack::TEAM);
        v["event_id"] = json!(format!("Ev{:08}", self.next()));
        v["event"] = event;
        v
    }

    pub async fn event(&self, body: &Value) -> reqwest::Response {
        self.event_with(body, &[]).await
    }

    pub async fn event_with(&self, body: &Value, extra: &[(&str, String)]) -> reqwest::Response {
        let r = self
            .post_signed(
                "/slack/events",
                "application/json",
                serde_json::to_vec(body).unwrap(),
                extra,
            )
            .await;
        r
    }

    /// A `message.im` event: `user` wrote `text` to the bot, optionally in a thread.
    pub fn dm_event(&self, user: &str, text: &str, thread_ts: Option<&str>) -> Value {
        let mut e = fixture_json("message_im.json")["event"].clone();
        let ts = self.new_ts();
        e["user"] = json!(user);
        e["text"] = json!(text);
        e["channel"] = json!(dm_channel(user));
        e["ts"] = json!(ts);
        e["event_ts"] = json!(ts);
        let obj = e.as_object_mut().unwrap();
        obj.remove("parent_user_id");
        match thread_ts {
            Some(t) => {
                obj.insert("thread_ts".into(), json!(t));
            }
            None => {
                obj.remove("thread_ts");
            }
        }
        self.envelope(e)
    }

    pub async fn dm(&self, user: &str, text: &str) -> reqwest::Response {
        let body = self.dm_event(user, text, None);
        let r = self.event(&body).await;
        assert_eq!(r.status(), 200, "DM event refused");
        r
    }

    pub async fn dm_in_thread(&self, user: &str, text: &str, thread_ts: &str) {
        let body = self.dm_event(user, text, Some(thread_ts));
        assert_eq!(self.event(&body).await.status(), 200);
    }

    /// A reply by `user` in the thread under `thread_ts` in `channel`; returns the reply's ts.
    pub async fn thread_reply(
        &self,
        user: &str,
        channel: &str,
        thread_ts: &str,
        text: &str,
    ) -> String {
        let mut e = fixture_json("message_thread_reply.json")["event"].clone();
        let ts = self.new_ts();
        e["user"] = json!(user);
        e["text"] = json!(text);
        e["channel"] = json!(channel);
        e["ts"] = json!(ts);
        e["event_ts"] = json!(ts);
        e["thread_ts"] = json!(thread_ts);
        e["channel_type"] = json!("channel");
        e.as_object_mut().unwrap().remove("blocks");
        let body = self.envelope(e);
        assert_eq!(self.event(&body).await.status(), 200);
        ts
    }

    pub fn reaction_event(
        &self,
        added: bool,
        user: &str,
        channel: &str,
        ts: &str,
        name: &str,
    ) -> Value {
        let mut e = fixture_json("reaction_added.json")["event"].clone();
        e["type"] = json!(if added {
            "reaction_added"
        } else {
            "reaction_removed"
        });
        e["user"] = json!(user);
        e["reaction"] = json!(name);
        e["item"]["channel"] = json!(channel);
        e["item"]["ts"] = json!(ts);
        e["item_user"] = json!(super::fake_slack::BOT_USER);
        e["event_ts"] = json!(self.new_ts());
        self.envelope(e)
    }

    pub async fn react(&self, added: bool, user: &str, channel: &str, ts: &str, name: &str) {
        let body = self.reaction_event(added, user, channel, ts, name);
        assert_eq!(self.event(&body).await.status(), 200);
    }

    // ---- interactivity ----

    /// A block_actions body for `user` pressing a button with `value`.
    pub fn click_body(&self, user: &str, value: &str, trigger_id: Option<&str>) -> Vec<u8> {
        let mut p = fixture_json("block_actions_button.json");
        p["user"]["id"] = json!(user);
        p["trigger_id"] = json!(trigger_id
            .map(str::to_string)
            .unwrap_or_else(|| format!("{}.222.click", self.next())));
        p["container"]["channel_id"] = json!(dm_channel(user));
        p["container"]["is_ephemeral"] = json!(false);
        p["channel"]["id"] = json!(dm_channel(user));
        p["actions"][0]["value"] = json!(value);
        p["actions"][0]["action_id"] = json!("fd:m:0");
        serde_urlencoded::to_string([("payload", p.to_string())])
            .unwrap()
            .into_bytes()
    }

    pub async fn click(&self, user: &str, value: &str) {
        let body = self.click_body(user, value, None);
        let r = self
            .post_signed(
                "/slack/interactivity",
                "application/x-www-form-urlencoded",
                body,
                &[],
            )
            .await;
        assert_eq!(r.status(), 200, "click {value} refused");
    }

    // ---- outbox and what Slack saw ----

    pub async fn drain(&self) -> usize {
        self.outbox.drain().await.expect("the outbox drains")
    }

    /// Messages the bot posted to `user`'s DM, oldest first.
    pub fn dms_to(&self, user: &str) -> Vec<Call> {
        let ch = dm_channel(user);
        self.fake
            .calls_to("chat.postMessage")
            .into_iter()
            .filter(|c| c.str("channel") == ch)
            .collect()
    }

    pub fn last_dm(&self, user: &str) -> Call {
        self.dms_to(user)
            .pop()
            .unwrap_or_else(|| panic!("no DM to {user}"))
    }

    /// Posts in `channel` (cards when `thread` is None, thread posts under `thread`).
    pub fn posts_in(&self, channel: &str, thread: Option<&str>) -> Vec<Call> {
        self.fake
            .calls_to("chat.postMessage")
            .into_iter()
            .filter(|c| {
                c.str("channel") == channel
                    && c.body.get("thread_ts").and_then(Value::as_str) == thread
            })
            .collect()
    }

    /// The ts the fake gave a posted message.
    pub fn fake_ts_of(&self, call: &Call) -> String {
        call.ts.clone().expect("a posted message has a ts")
    }

    /// The ts of a request's card, from the store.
    pub fn card_ts(&self, id: &str) -> String {
        let r = self
            .engine
            .store()
            .request(&frontdesk::core::RequestId::parse(id).unwrap())
            .unwrap()
            .unwrap_or_else(|| panic!("{id} not stored"));
        r.card.unwrap_or_else(|| panic!("{id} has no card")).id
    }

    pub fn request(&self, id: &str) -> frontdesk::core::Request {
        self.engine
            .store()
            .request(&frontdesk::core::RequestId::parse(id).unwrap())
            .unwrap()
            .unwrap_or_else(|| panic!("{id} not stored"))
    }

    /// Files a request for `user` through the whole DM intake (IT: device, then urgency) and
    /// delivers everything; returns the new id.
    pub async fn file_it_request(&self, user: &str, summary: &str) -> String {
        let reply = self.command_json(user, summary).await;
        assert_eq!(reply["response_type"], "ephemeral");
        self.drain().await;
        assert!(
            self.last_dm(user)
                .button_values()
                .contains(&"dept_yes".to_string()),
            "{:?}",
            self.last_dm(user)
        );
        self.click(user, "dept_yes").await;
        self.drain().await;
        self.dm(user, "ThinkPad X1").await;
        self.drain().await;
        self.click(user, "opt:2").await;
        self.drain().await;
        self.click(user, "submit").await;
        self.drain().await;
        let confirmation = self.last_dm(user).str("text").to_string();
        let id = confirmation
            .split('*')
            .nth(1)
            .unwrap_or_else(|| panic!("no id in {confirmation:?}"))
            .to_string();
        assert!(self.request(&id).card.is_some());
        id
    }
}

// ---- the real binary on the fake Slack ----

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
    spawn_binary(&[], &pairs)
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
    fake.posts_to(channel)
}
