//! Slack Socket Mode, black-box: the real `frontdesk` binary with `SLACK_APP_TOKEN` set, its
//! `SLACK_API_URL` pointed at a fake Web API that hands out the WebSocket URL of a local
//! stand-in for Slack's Socket Mode side (`helpers/socket_standin.rs`). Everything on
//! 127.0.0.1; waits poll with a deadline, nothing sleeps to synchronise.
//!
//! See: issue #13.

use crate::helpers::fake_slack::{FakeSlack, BOT_USER, TEAM};
use crate::helpers::metrics::{scrape, Metrics};
use crate::helpers::process::{run, wait_until_unlocked, Server};
use crate::helpers::slack::{dm_event, post_signed, posts_to, ready};
use crate::helpers::socket_standin::Standin;
use crate::helpers::{eventually, get};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};

const APP_TOKEN: &str = "xapp-1-A0OPS-1-socket-test";
const BOT_TOKEN: &str = "xoxb-socket-test";
const SIGNING_SECRET: &str = "socket-test-signing-secret";
const ALICE: &str = "UALICE";
const AGENT: &str = "UAGENT";
const IT: &str = "C0IT";

/// One IT department with two intake questions, and Socket Mode timings short enough for
/// tests: a silent socket is noticed within half a second.
const CONFIG: &str = r#"
[slack.socket]
connections = 2
ping_interval = "200ms"
ping_timeout = "300ms"
reconnect_initial_backoff = "50ms"
reconnect_max_backoff = "400ms"

[outbox]
slack_channel_rate = 0.0

[[departments]]
id = "it"
name = "IT"
prefix = "IT"
slack_channel = "C0IT"
keywords = ["vpn", "laptop"]
agents = ["UAGENT"]

[[departments.fields]]
id = "device"
prompt = "Which device or system is affected?"
kind = "text"

[[departments.fields]]
id = "urgency"
prompt = "How urgent is it?"
kind = "choice"
options = ["low", "normal", "high", "urgent"]
"#;

struct Desk {
    fake: FakeSlack,
    standin: Standin,
    server: Server,
    dir: tempfile::TempDir,
    next: AtomicU64,
}

struct Options {
    /// Also serve the HTTP request URLs.
    signing_secret: bool,
    /// `apps.connections.open` answers with the stand-in's URL from the start.
    socket_open: bool,
    /// Runs on the data directory before the server starts.
    prepare: Option<fn(&std::path::Path)>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            signing_secret: false,
            socket_open: true,
            prepare: None,
        }
    }
}

impl Desk {
    async fn start(options: Options) -> Desk {
        let fake = FakeSlack::start().await;
        let standin = Standin::start().await;
        if options.socket_open {
            *fake.behaviour().socket_url.lock().unwrap() = Some(standin.url());
        }
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("data");
        let config = dir.path().join("frontdesk.toml");
        std::fs::write(&config, CONFIG).unwrap();
        if let Some(prepare) = options.prepare {
            prepare(&data);
        }
        let mut env = vec![
            ("FRONTDESK_LISTEN", "127.0.0.1:0".to_string()),
            ("FRONTDESK_DATA_DIR", data.display().to_string()),
            ("FRONTDESK_CONFIG", config.display().to_string()),
            ("SLACK_API_URL", fake.api_url()),
            ("SLACK_BOT_TOKEN", BOT_TOKEN.into()),
            ("SLACK_APP_TOKEN", APP_TOKEN.into()),
            ("RUST_LOG", "info,frontdesk=debug".into()),
        ];
        if options.signing_secret {
            env.push(("SLACK_SIGNING_SECRET", SIGNING_SECRET.into()));
        }
        // Waiting for the server blocks: off the runtime, which meanwhile serves the fakes
        // the server calls while it starts (auth.test).
        let server = tokio::task::spawn_blocking(move || {
            let pairs: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
            Server::start(&["serve"], &pairs)
        })
        .await
        .expect("frontdesk serve starts");
        Desk {
            fake,
            standin,
            server,
            dir,
            next: AtomicU64::new(1),
        }
    }

    /// Both connections up (and /readyz says so).
    async fn connected(&self) -> Vec<usize> {
        let open = eventually("two Socket Mode connections", || async {
            let open = self.standin.open();
            (open.len() >= 2).then_some(open)
        })
        .await;
        ready(&self.server).await;
        open
    }

    fn next(&self) -> u64 {
        self.next.fetch_add(1, Ordering::SeqCst)
    }

    fn envelope_id(&self) -> String {
        format!("env-{}", self.next())
    }

    fn command(&self, user: &str, text: &str) -> Value {
        let n = self.next();
        json!({"envelope_id": self.envelope_id(), "type": "slash_commands",
            "accepts_response_payload": true, "retry_attempt": 0,
            "payload": {"token": "unused", "team_id": TEAM, "team_domain": "ops",
                "channel_id": "C0GENERAL", "channel_name": "general", "user_id": user,
                "user_name": user, "command": "/help-it", "text": text, "api_app_id": "A0OPS",
                "is_enterprise_install": "false",
                "response_url": "http://127.0.0.1:9/commands", "trigger_id": format!("{n}.1.trig")}})
    }

    fn event(&self, body: Value) -> Value {
        json!({"envelope_id": self.envelope_id(), "type": "events_api",
            "accepts_response_payload": false, "retry_attempt": 0, "payload": body})
    }

    /// `user` writes `text` to the bot; returns the envelope and the event's body.
    fn dm(&self, user: &str, text: &str) -> (Value, Value) {
        let n = self.next();
        let body: Value = serde_json::from_str(&dm_event(
            &format!("Ev{n:06}"),
            user,
            text,
            &format!("1800000000.{n:06}"),
        ))
        .unwrap();
        (self.event(body.clone()), body)
    }

    fn reaction(&self, user: &str, channel: &str, ts: &str, name: &str) -> Value {
        let n = self.next();
        self.event(
            json!({"token": "unused", "team_id": TEAM, "api_app_id": "A0OPS",
            "type": "event_callback", "event_id": format!("Ev{n:06}"), "event_time": 1_700_000_000,
            "event": {"type": "reaction_added", "user": user, "reaction": name,
                "item": {"type": "message", "channel": channel, "ts": ts},
                "item_user": BOT_USER, "event_ts": format!("1800000001.{n:06}")}}),
        )
    }

    /// `user` presses our button carrying `value` in `channel`.
    fn click(&self, user: &str, channel: &str, value: &str) -> Value {
        let n = self.next();
        json!({"envelope_id": self.envelope_id(), "type": "interactive",
            "accepts_response_payload": false, "retry_attempt": 0,
            "payload": {"type": "block_actions", "user": {"id": user, "team_id": TEAM},
                "api_app_id": "A0OPS", "team": {"id": TEAM, "domain": "ops"},
                "container": {"type": "message", "message_ts": "1.1", "channel_id": channel, "is_ephemeral": false},
                "channel": {"id": channel, "name": "x"}, "trigger_id": format!("{n}.2.click"),
                "response_url": "http://127.0.0.1:9/actions",
                "actions": [{"action_id": "fd:m:0", "block_id": "b", "type": "button",
                    "value": value, "action_ts": format!("1800000002.{n:06}")}]}})
    }

    /// Sends `envelope` on `conn` and waits for its ack; returns the ack's payload.
    async fn send_acked(&self, conn: usize, envelope: &Value) -> Option<Value> {
        self.standin.send(conn, envelope);
        self.ack_of(envelope).await
    }

    async fn ack_of(&self, envelope: &Value) -> Option<Value> {
        let id = envelope["envelope_id"].as_str().unwrap().to_string();
        eventually(&format!("the ack of {id}"), || async {
            self.standin.acks_of(&id).into_iter().next()
        })
        .await
        .payload
    }

    fn dms(&self, user: &str) -> Vec<Value> {
        posts_to(&self.fake, &format!("D{user}"))
    }

    /// Waits for DM number `n` (1-based) to `user` and returns it.
    async fn nth_dm(&self, user: &str, n: usize) -> Value {
        eventually(&format!("DM #{n} to {user}"), || async {
            self.dms(user).get(n - 1).cloned()
        })
        .await
    }

    async fn metrics(&self) -> Metrics {
        scrape(&self.server.url("")).await
    }

    /// Waits until the outbox has nothing left to send.
    async fn outbox_idle(&self) {
        eventually("an empty outbox", || async {
            let m = self.metrics().await;
            (m.get("frontdesk_outbox_depth", &[]) == 0.0
                && m.get("frontdesk_outbox_in_flight", &[]) == 0.0)
                .then_some(())
        })
        .await;
    }

    fn envelopes(m: &Metrics, kind: &str, outcome: &str) -> f64 {
        m.value(
            "frontdesk_slack_socket_envelopes_total",
            &[("type", kind), ("outcome", outcome)],
        )
        .unwrap_or(0.0)
    }
}

fn has_button(post: &Value, value: &str) -> bool {
    post.to_string().contains(&format!("\"value\":\"{value}\""))
}

fn text_of(post: &Value) -> String {
    post.to_string()
}

// ---- a whole request over the socket ----

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_goes_from_help_it_to_the_survey_over_socket_mode_alone() {
    let desk = Desk::start(Options::default()).await;
    let conns = desk.connected().await;
    let (a, b) = (conns[0], conns[1]);
    // Connecting used the app-level token, in the header.
    let opens: Vec<_> = desk
        .fake
        .calls()
        .into_iter()
        .filter(|c| c.method == "apps.connections.open")
        .map(|c| c.authorization)
        .collect();
    assert!(opens.len() >= 2, "{opens:?}");
    assert!(opens
        .iter()
        .all(|auth| auth.as_deref() == Some(&format!("Bearer {APP_TOKEN}") as &str)));

    // /help-it: the ephemeral reply comes back in the ack's payload.
    let reply = desk
        .send_acked(a, &desk.command(ALICE, "my vpn is broken"))
        .await
        .expect("the command's reply in the ack");
    assert_eq!(reply["response_type"], "ephemeral", "{reply}");

    // The intake, in the DM, over both connections.
    let first = desk.nth_dm(ALICE, 1).await;
    assert!(has_button(&first, "dept_yes"), "{first}");
    desk.send_acked(b, &desk.click(ALICE, &format!("D{ALICE}"), "dept_yes"))
        .await;
    let device = desk.nth_dm(ALICE, 2).await;
    assert!(text_of(&device).contains("Which device"), "{device}");
    desk.send_acked(a, &desk.dm(ALICE, "ThinkPad X1").0).await;
    let urgency = desk.nth_dm(ALICE, 3).await;
    assert!(has_button(&urgency, "opt:2"), "{urgency}");
    desk.send_acked(b, &desk.click(ALICE, &format!("D{ALICE}"), "opt:2"))
        .await;
    let summary = desk.nth_dm(ALICE, 4).await;
    assert!(has_button(&summary, "submit"), "{summary}");
    desk.send_acked(a, &desk.click(ALICE, &format!("D{ALICE}"), "submit"))
        .await;

    // The card in the department's channel, and the confirmation.
    let card = eventually("the card", || async {
        posts_to(&desk.fake, IT).into_iter().next()
    })
    .await;
    assert!(text_of(&card).contains("IT-1"), "{card}");
    assert!(has_button(&card, "claim:IT-1"), "{card}");
    let confirmation = desk.nth_dm(ALICE, 5).await;
    assert!(text_of(&confirmation).contains("*IT-1*"), "{confirmation}");
    let card_ts = desk
        .fake
        .behaviour()
        .history
        .lock()
        .unwrap()
        .iter()
        .find(|(c, _, thread, _)| c == IT && thread.is_none())
        .map(|(_, ts, _, _)| ts.clone())
        .expect("the card's ts");

    // An agent claims it, then closes it with a reaction.
    desk.send_acked(b, &desk.click(AGENT, IT, "claim:IT-1"))
        .await;
    let claimed = desk.nth_dm(ALICE, 6).await;
    assert!(text_of(&claimed).contains("is now working on"), "{claimed}");
    desk.send_acked(a, &desk.reaction(AGENT, IT, &card_ts, "white_check_mark"))
        .await;
    let closed = desk.nth_dm(ALICE, 7).await;
    assert!(text_of(&closed).contains("was closed by"), "{closed}");
    let survey = desk.nth_dm(ALICE, 8).await;
    assert!(has_button(&survey, "rate:IT-1:5"), "{survey}");
    desk.send_acked(b, &desk.click(ALICE, &format!("D{ALICE}"), "rate:IT-1:5"))
        .await;
    let thanks = desk.nth_dm(ALICE, 9).await;
    assert!(text_of(&thanks).contains("5/5"), "{thanks}");

    // An interaction the desk has no use for (a modal submitted): acknowledged with no
    // payload, which closes the modal.
    let view: Value = serde_json::from_str(
        &std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/slack/view_closed.json"
        ))
        .unwrap(),
    )
    .unwrap();
    let mut submitted = view.clone();
    submitted["type"] = json!("view_submission");
    let mut envelope = desk.click(ALICE, &format!("D{ALICE}"), "unused");
    envelope["payload"] = submitted;
    envelope["accepts_response_payload"] = json!(true);
    assert_eq!(desk.send_acked(a, &envelope).await, None);

    let m = desk.metrics().await;
    assert_eq!(
        m.get("frontdesk_requests_created_total", &[("department", "it")]),
        1.0
    );
    assert_eq!(
        m.get("frontdesk_requests_closed_total", &[("department", "it")]),
        1.0
    );
    assert_eq!(
        m.get(
            "frontdesk_satisfaction_ratings_total",
            &[("department", "it"), ("rating", "5")]
        ),
        1.0
    );
    assert_eq!(Desk::envelopes(&m, "slash_commands", "processed"), 1.0);
    assert_eq!(Desk::envelopes(&m, "interactive", "processed"), 6.0);
    assert_eq!(Desk::envelopes(&m, "events_api", "processed"), 2.0);
    assert_eq!(m.get("frontdesk_slack_socket_connections", &[]), 2.0);
    // Without a signing secret the request URLs take nothing.
    let status = post_signed(
        &desk.server.url("/slack/events"),
        "any-secret",
        "application/json",
        desk.dm(ALICE, "hello").1.to_string(),
        "no-secret",
    )
    .await;
    assert_eq!(status, 401);
}

// ---- connections that don't drop work ----

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_disconnect_in_the_middle_of_a_burst_loses_nothing_and_applies_nothing_twice() {
    let desk = Desk::start(Options::default()).await;
    let conns = desk.connected().await;
    let (a, b) = (conns[0], conns[1]);
    let users: Vec<String> = (1..=30).map(|i| format!("UBURST{i:02}")).collect();
    let envelopes: Vec<Value> = users
        .iter()
        .map(|u| desk.command(u, "my laptop is slow"))
        .collect();
    for (i, e) in envelopes.iter().enumerate().take(15) {
        desk.standin.send(if i % 2 == 0 { a } else { b }, e);
    }
    desk.standin.disconnect(a, "refresh_requested");
    // Slack may still deliver on the old connection for a moment; the rest goes wherever
    // connections are open now.
    for (i, e) in envelopes.iter().enumerate().skip(15) {
        let open = desk.standin.open();
        desk.standin.send(open[i % open.len()], e);
    }
    // Like Slack: what is not acknowledged is delivered again, on an open connection.
    let mut attempt = 0;
    eventually("every envelope acknowledged", || {
        attempt += 1;
        let missing: Vec<&Value> = envelopes
            .iter()
            .filter(|e| !desk.standin.acked(e["envelope_id"].as_str().unwrap()))
            .collect();
        let open = desk.standin.open();
        if !missing.is_empty() && attempt % 5 == 0 && !open.is_empty() {
            for e in &missing {
                let mut again = (*e).clone();
                again["retry_attempt"] = json!(attempt / 5);
                desk.standin.send(open[attempt % open.len()], &again);
            }
        }
        let done = missing.is_empty();
        async move { done.then_some(()) }
    })
    .await;

    // The replacement was opened, and the old connection closed, by frontdesk.
    eventually("the old connection closed", || async {
        (!desk.standin.open().contains(&a)).then_some(())
    })
    .await;
    assert!(desk.standin.accepted() >= 3);
    let open = desk.standin.open();
    assert_eq!(open.len(), 2, "{open:?}");
    let replacement = open.into_iter().find(|c| *c != b).unwrap();
    assert!(
        desk.standin.opened_before_closed(replacement, a),
        "the replacement said hello before the old connection closed"
    );

    // Every user got exactly one answer: each command applied once.
    desk.outbox_idle().await;
    for u in &users {
        let dms = desk.dms(u);
        assert_eq!(dms.len(), 1, "{u}: {dms:?}");
    }
    let m = desk.metrics().await;
    assert_eq!(Desk::envelopes(&m, "slash_commands", "processed"), 30.0);
    assert!(m.get("frontdesk_slack_socket_reconnects_total", &[]) >= 1.0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dropped_socket_and_a_silent_one_are_replaced_and_their_envelopes_applied_once() {
    let desk = Desk::start(Options::default()).await;
    let conns = desk.connected().await;
    let (a, b) = (conns[0], conns[1]);

    // An envelope goes out on A, and A drops before its ack can come back.
    let lost = desk.command(ALICE, "my vpn is broken");
    desk.standin.send(a, &lost);
    desk.standin.drop_connection(a);
    let reopened = eventually("a new connection after the drop", || async {
        let open = desk.standin.open();
        (open.len() == 2 && !open.contains(&a)).then_some(open)
    })
    .await;
    // Slack delivers it again on another connection: acknowledged, applied once.
    let mut again = lost.clone();
    again["retry_attempt"] = json!(1);
    let reply = desk.send_acked(b, &again).await;
    assert_eq!(reply.expect("the reply")["response_type"], "ephemeral");
    desk.nth_dm(ALICE, 1).await;

    // B goes silent: no answer to pings. It is replaced.
    desk.standin.stall(b);
    let fresh = eventually("a replacement for the silent connection", || async {
        desk.standin
            .open()
            .into_iter()
            .find(|c| !reopened.contains(c) && *c != b)
    })
    .await;
    desk.send_acked(fresh, &desk.command("UBOB", "printer jam"))
        .await;
    desk.nth_dm("UBOB", 1).await;

    desk.outbox_idle().await;
    assert_eq!(desk.dms(ALICE).len(), 1, "{:?}", desk.dms(ALICE));
    let m = desk.metrics().await;
    assert!(m.get("frontdesk_slack_socket_reconnects_total", &[]) >= 2.0);
    assert_eq!(Desk::envelopes(&m, "slash_commands", "processed"), 2.0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn readyz_fails_while_no_connection_is_up() {
    let desk = Desk::start(Options {
        socket_open: false,
        ..Options::default()
    })
    .await;
    // apps.connections.open refuses the token: no connection, not ready, and the reason says so.
    eventually("a failed connection attempt", || async {
        let m = desk.metrics().await;
        (m.get("frontdesk_slack_socket_connect_failures_total", &[]) >= 1.0).then_some(())
    })
    .await;
    let (status, body) = get(&desk.server.url("/readyz")).await;
    assert_eq!(status, 503);
    assert!(body.contains("Socket Mode"), "{body}");
    assert!(desk
        .server
        .stderr
        .all()
        .iter()
        .any(|l| l.contains("connections:write")));
    // Once Slack takes the token, the attempts (with backoff) get through.
    *desk.fake.behaviour().socket_url.lock().unwrap() = Some(desk.standin.url());
    desk.connected().await;
    let m = desk.metrics().await;
    assert_eq!(m.get("frontdesk_slack_socket_connections", &[]), 2.0);
}

// ---- exactly once ----

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_same_envelope_event_or_message_on_two_connections_is_applied_once() {
    let desk = Desk::start(Options {
        signing_secret: true,
        ..Options::default()
    })
    .await;
    let conns = desk.connected().await;
    let (a, b) = (conns[0], conns[1]);

    // The same envelope on both connections at once: both copies acknowledged, with the
    // same reply, and one intake started.
    let command = desk.command(ALICE, "my vpn is broken");
    desk.standin.send(a, &command);
    desk.standin.send(b, &command);
    let id = command["envelope_id"].as_str().unwrap().to_string();
    let acks = eventually("both copies acknowledged", || async {
        let acks = desk.standin.acks_of(&id);
        (acks.len() == 2).then_some(acks)
    })
    .await;
    assert_ne!(acks[0].conn, acks[1].conn);
    assert_eq!(acks[0].payload, acks[1].payload);
    assert!(acks[0].payload.is_some());
    desk.nth_dm(ALICE, 1).await;
    desk.send_acked(a, &desk.click(ALICE, &format!("D{ALICE}"), "dept_yes"))
        .await;
    desk.nth_dm(ALICE, 2).await; // "Which device…?"

    // The answer arrives four times: in two envelopes with the same event id, under a new
    // event id (the same message redelivered), and on the HTTP request URL.
    let (first, body) = desk.dm(ALICE, "ThinkPad X1");
    let mut same_event = desk.event(body.clone());
    same_event["retry_attempt"] = json!(0);
    let mut new_event_id = body.clone();
    new_event_id["event_id"] = json!("EvREDELIVERED");
    let redelivered = desk.event(new_event_id);
    desk.standin.send(a, &first);
    desk.standin.send(b, &same_event);
    desk.standin.send(b, &redelivered);
    for e in [&first, &same_event, &redelivered] {
        desk.ack_of(e).await;
    }
    let status = post_signed(
        &desk.server.url("/slack/events"),
        SIGNING_SECRET,
        "application/json",
        body.to_string(),
        "http-copy",
    )
    .await;
    assert_eq!(status, 200);

    // One step: the next question, and nothing else (a second application would have
    // answered it with "ThinkPad X1" and drawn a reprompt).
    let urgency = desk.nth_dm(ALICE, 3).await;
    assert!(has_button(&urgency, "opt:2"), "{urgency}");
    desk.outbox_idle().await;
    assert_eq!(desk.dms(ALICE).len(), 3, "{:#?}", desk.dms(ALICE));
    let m = desk.metrics().await;
    assert_eq!(Desk::envelopes(&m, "slash_commands", "duplicate"), 1.0);
    assert_eq!(Desk::envelopes(&m, "events_api", "processed"), 3.0);
}

// ---- a failed state change is not acknowledged ----

/// A store whose record of one user's conversation (`slack:UBROKEN`) is corrupt: every step
/// for that user fails to load it, as after a disk fault.
fn corrupt_one_session(data: &std::path::Path) {
    drop(frontdesk::store::Store::open(data).expect("a fresh store"));
    wait_until_unlocked(data);
    let db = sled::open(data).expect("the store, bare");
    db.open_tree("sessions")
        .unwrap()
        .insert("slack:UBROKEN", &b"\xff not json"[..])
        .unwrap();
    db.flush().unwrap();
    drop(db);
    wait_until_unlocked(data);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_envelope_whose_state_change_fails_is_not_acknowledged() {
    let desk = Desk::start(Options {
        prepare: Some(corrupt_one_session),
        ..Options::default()
    })
    .await;
    let conns = desk.connected().await;
    let (a, b) = (conns[0], conns[1]);

    let broken = desk.command("UBROKEN", "my vpn is broken");
    desk.standin.send(a, &broken);
    eventually("the failure counted", || async {
        let m = desk.metrics().await;
        (Desk::envelopes(&m, "slash_commands", "failed") == 1.0).then_some(())
    })
    .await;
    // Slack delivers it again: it fails again, and again gets no ack.
    let mut again = broken.clone();
    again["retry_attempt"] = json!(1);
    desk.standin.send(b, &again);
    eventually("the second failure counted", || async {
        let m = desk.metrics().await;
        (Desk::envelopes(&m, "slash_commands", "failed") == 2.0).then_some(())
    })
    .await;
    // The connections carry on: another user's command after it is applied and acknowledged.
    desk.send_acked(a, &desk.command(ALICE, "my vpn is broken"))
        .await;
    desk.send_acked(b, &desk.command("UBOB", "printer jam"))
        .await;
    assert!(
        !desk.standin.acked(broken["envelope_id"].as_str().unwrap()),
        "{:?}",
        desk.standin.acks()
    );
    assert!(desk.dms("UBROKEN").is_empty());
    assert!(desk
        .server
        .stderr
        .all()
        .iter()
        .any(|l| l.contains("not acknowledged")));
    let _ = &desk.dir;
}

// ---- Slack's signals ----

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rate_limits_are_counted_and_a_revoked_token_stops_outbound_calls() {
    let desk = Desk::start(Options::default()).await;
    let conns = desk.connected().await;
    let a = conns[0];
    desk.send_acked(
        a,
        &desk.event(
            json!({"token": "unused", "type": "app_rate_limited", "team_id": TEAM,
            "minute_rate_limited": 1518467820, "api_app_id": "A0OPS"}),
        ),
    )
    .await;
    let m = desk.metrics().await;
    assert_eq!(m.get("frontdesk_slack_app_rate_limited_total", &[]), 1.0);
    assert_eq!(m.get("frontdesk_slack_access_revoked", &[]), 0.0);

    // The bot token is revoked; then a command comes in. It is recorded, but nothing is sent
    // to Slack: the message waits in the dead letters for a reinstall.
    let mut revoked: Value = serde_json::from_str(
        &std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/slack/tokens_revoked.json"
        ))
        .unwrap(),
    )
    .unwrap();
    revoked["team_id"] = json!(TEAM);
    desk.send_acked(a, &desk.event(revoked)).await;
    let calls_before = desk.fake.calls().len();
    desk.send_acked(a, &desk.command(ALICE, "my vpn is broken"))
        .await;
    eventually("the DM dead-lettered", || async {
        let m = desk.metrics().await;
        (m.get("frontdesk_outbox_dead_letters", &[]) == 1.0).then_some(m)
    })
    .await;
    let m = desk.metrics().await;
    assert_eq!(m.get("frontdesk_slack_access_revoked", &[]), 1.0);
    let web_calls: Vec<String> = desk.fake.calls()[calls_before..]
        .iter()
        .map(|c| c.method.clone())
        .filter(|m| m != "apps.connections.open")
        .collect();
    assert!(web_calls.is_empty(), "{web_calls:?}");
    assert!(desk
        .server
        .stderr
        .all()
        .iter()
        .any(|l| l.contains("revoked") && l.contains("Reinstall the app")));
}

// ---- check-config ----

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn check_config_online_checks_the_app_token() {
    let fake = FakeSlack::start().await;
    let env = |fake: &FakeSlack| {
        vec![
            ("SLACK_API_URL", fake.api_url()),
            ("SLACK_BOT_TOKEN", BOT_TOKEN.to_string()),
            ("SLACK_APP_TOKEN", APP_TOKEN.to_string()),
        ]
    };
    let run = |env: Vec<(&'static str, String)>| {
        tokio::task::spawn_blocking(move || {
            let pairs: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
            run(&["check-config", "--online"], &pairs)
        })
    };
    // Refused (the fake refuses app tokens until it has a socket URL to hand out).
    let out = run(env(&fake)).await.unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("SLACK_APP_TOKEN (Socket Mode): apps.connections.open: invalid_auth")
            && stderr.contains("connections:write"),
        "{stderr}"
    );
    assert!(!stderr.contains(APP_TOKEN), "the token is never printed");
    // Accepted.
    *fake.behaviour().socket_url.lock().unwrap() = Some("ws://127.0.0.1:9/link".into());
    let out = run(env(&fake)).await.unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let auths: HashMap<String, Option<String>> = fake
        .calls()
        .into_iter()
        .map(|c| (c.method, c.authorization))
        .collect();
    assert_eq!(
        auths["apps.connections.open"].as_deref(),
        Some(&format!("Bearer {APP_TOKEN}") as &str)
    );
    assert_eq!(
        auths["auth.test"].as_deref(),
        Some(&format!("Bearer {BOT_TOKEN}") as &str)
    );
}
