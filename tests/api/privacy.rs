//! One person's data and the audit log, through the real binary while it serves: `privacy
//! export` finds a person's words, `privacy erase` leaves no trace of them in an export or a
//! backup, and `audit verify` notices a changed byte in the stored log.

use crate::helpers::fake_slack::FakeSlack;
use crate::helpers::process::{run, wait_until_unlocked};
use crate::helpers::slack::{command, ready, say, slack_env, start};
use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine as _;
use sha2::{Digest, Sha256};

fn text(out: &std::process::Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// Every stored value in a backup file, decoded: the file keeps them in base64.
fn backup_values(path: &std::path::Path) -> String {
    let mut out = String::new();
    for line in std::fs::read_to_string(path).unwrap().lines().skip(1) {
        let record: serde_json::Value = serde_json::from_str(line).unwrap();
        if let Some(kv) = record.get("kv") {
            for part in kv.as_array().unwrap() {
                let bytes = B64.decode(part.as_str().unwrap()).unwrap();
                out.push_str(&String::from_utf8_lossy(&bytes));
                out.push('\n');
            }
        }
    }
    out
}

/// Checks the exported log as an outside tool would, from the documented rule alone.
fn check_chain(lines: &str) -> Vec<serde_json::Value> {
    let mut prev = "0".repeat(64);
    let mut entries = Vec::new();
    for (i, line) in lines.lines().enumerate() {
        let e: serde_json::Value = serde_json::from_str(line).unwrap();
        assert_eq!(e["seq"], (i + 1) as u64, "{line}");
        assert_eq!(e["prev"], prev.as_str(), "{line}");
        let field = |k: &str| match &e[k] {
            serde_json::Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        let joined = ["seq", "at", "request", "actor", "event", "detail", "prev"]
            .map(field)
            .join("\n");
        let hash: String = Sha256::digest(joined.as_bytes())
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        assert_eq!(e["hash"], hash.as_str(), "{line}");
        prev = hash;
        entries.push(e);
    }
    entries
}

#[tokio::test(flavor = "multi_thread")]
async fn erasure_leaves_no_trace_in_exports_or_backups_and_the_log_records_it() {
    let fake = FakeSlack::start().await;
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let data_arg = data.display().to_string();
    let server = start(&slack_env(&fake, &data, None));
    ready(&server).await;

    command(&server, "U1", "my quokka-laptop won't boot", "trig-privacy").await;
    for (i, answer) in ["yes", "ThinkPad wombat-7", "high", "submit"]
        .iter()
        .enumerate()
    {
        let ts = format!("1700000500.00000{i}");
        say(&server, &format!("EvPriv{i}"), "U1", answer, &ts).await;
    }
    say(
        &server,
        "EvPriv9",
        "U1",
        "the quokka printer is broken too",
        "1700000600.000001",
    )
    .await;
    // Someone else's draft, which the erasure leaves alone.
    command(&server, "U2", "the numbat projector flickers", "trig-other").await;

    let env = [("FRONTDESK_DATA_DIR", data_arg.as_str())];
    let export = run(&["privacy", "export", "--user", "U1"], &env);
    assert!(export.status.success(), "{}", text(&export));
    let person: serde_json::Value = serde_json::from_slice(&export.stdout).unwrap();
    assert_eq!(person["requests_filed"][0]["id"], "IT-1", "{person}");
    let exported = person.to_string();
    for words in ["quokka-laptop", "wombat-7", "quokka printer"] {
        assert!(exported.contains(words), "{words} missing in {exported}");
    }
    assert!(!exported.contains("numbat"), "{exported}");

    let before = dir.path().join("before.backup");
    let backup = run(&["backup", "--to", &before.display().to_string()], &env);
    assert!(backup.status.success(), "{}", text(&backup));
    assert!(
        backup_values(&before).contains("quokka"),
        "the backup holds the words before the erasure"
    );

    let erase = run(&["privacy", "erase", "--user", "U1"], &env);
    assert!(erase.status.success(), "{}", text(&erase));
    assert!(text(&erase).contains("erased slack:U1"), "{}", text(&erase));

    let after = dir.path().join("after.backup");
    let backup = run(&["backup", "--to", &after.display().to_string()], &env);
    assert!(backup.status.success(), "{}", text(&backup));
    let requests = run(&["requests", "export"], &env);
    let person = run(&["privacy", "export", "--user", "U1"], &env);
    for (what, content) in [
        ("the backup", backup_values(&after)),
        ("requests export", text(&requests)),
        ("privacy export", text(&person)),
    ] {
        for words in ["quokka", "wombat"] {
            assert!(
                !content.contains(words),
                "{words} left in {what}: {content}"
            );
        }
        assert!(content.contains("IT-1"), "the request itself stays: {what}");
    }
    assert!(
        backup_values(&after).contains("numbat"),
        "someone else's draft stays"
    );

    let verify = run(&["audit", "verify"], &env);
    assert!(verify.status.success(), "{}", text(&verify));
    assert!(
        text(&verify).contains("the chain holds"),
        "{}",
        text(&verify)
    );
    let log = run(&["audit", "export"], &env);
    assert!(log.status.success(), "{}", text(&log));
    let log = String::from_utf8(log.stdout).unwrap();
    let entries = check_chain(&log);
    assert!(entries
        .iter()
        .any(|e| e["request"] == "IT-1" && e["event"] == "created" && e["actor"] == "slack:U1"));
    let erasure = entries.last().unwrap();
    assert_eq!(erasure["event"], "erasure", "{log}");
    assert!(
        erasure["detail"]
            .as_str()
            .unwrap()
            .contains("user=slack:U1"),
        "{log}"
    );
    assert!(!log.contains("quokka"), "{log}");
    assert!(server.stop().success());

    // A byte changed in the stored log, with the server stopped.
    wait_until_unlocked(&data);
    {
        let db = sled::open(&data).unwrap();
        let audit = db.open_tree("audit").unwrap();
        // The log keeps its entries in chunks, one JSON line each: the second line's time.
        let (key, value) = audit.iter().next().unwrap().unwrap();
        let mut value = value.to_vec();
        let second_line = value.iter().position(|b| *b == b'\n').unwrap() + 1;
        let at = second_line
            + value[second_line..]
                .windows(5)
                .position(|w| w == b"\"at\":")
                .unwrap()
            + 7;
        value[at] = if value[at] == b'1' { b'2' } else { b'1' };
        audit.insert(key, value).unwrap();
        db.flush().unwrap();
    }
    wait_until_unlocked(&data);
    let verify = run(&["audit", "verify"], &env);
    assert_eq!(verify.status.code(), Some(1), "{}", text(&verify));
    assert!(
        text(&verify).contains("entry 2 was changed"),
        "{}",
        text(&verify)
    );
}

const KEY_A: &str = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";
const KEY_B: &str = "HxwdHhscGRgXFhUUExIREA8ODQwLCgkIBwYFBAMCAQA=";

#[tokio::test(flavor = "multi_thread")]
async fn content_is_sealed_at_rest_and_a_missing_or_wrong_key_refuses_to_start() {
    let fake = FakeSlack::start().await;
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let data_arg = data.display().to_string();
    let mut env = slack_env(&fake, &data, None);
    env.push(("FRONTDESK_ENCRYPTION_KEY".into(), KEY_A.into()));
    let server = start(&env);
    ready(&server).await;
    command(&server, "U1", "my platypus laptop won't boot", "trig-seal").await;
    for (i, answer) in ["yes", "echidna-9", "high", "submit"].iter().enumerate() {
        let ts = format!("1700000700.00000{i}");
        say(&server, &format!("EvSeal{i}"), "U1", answer, &ts).await;
    }
    let with_a = [
        ("FRONTDESK_DATA_DIR", data_arg.as_str()),
        ("FRONTDESK_ENCRYPTION_KEY", KEY_A),
    ];
    let backup = dir.path().join("sealed.backup");
    let out = run(&["backup", "--to", &backup.display().to_string()], &with_a);
    assert!(out.status.success(), "{}", text(&out));
    let values = backup_values(&backup);
    assert!(
        values.contains("\"status\":\"open\"") && values.contains("sealed:v1:"),
        "{values}"
    );
    for words in ["platypus", "echidna"] {
        assert!(!values.contains(words), "{words} in the backup in clear");
    }
    // Through the server, the content reads as written.
    let export = run(&["requests", "export"], &with_a);
    assert!(text(&export).contains("platypus"), "{}", text(&export));
    assert!(server.stop().success());
    wait_until_unlocked(&data);

    let no_key = [("FRONTDESK_DATA_DIR", data_arg.as_str())];
    let refused = run(&["requests", "export"], &no_key);
    assert!(!refused.status.success());
    assert!(
        text(&refused).contains("encrypted") && text(&refused).contains("FRONTDESK_ENCRYPTION_KEY"),
        "{}",
        text(&refused)
    );
    let plain_env: Vec<(&str, &str)> = env
        .iter()
        .filter(|(k, _)| k != "FRONTDESK_ENCRYPTION_KEY")
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let serve = run(&["serve"], &plain_env);
    assert!(!serve.status.success(), "served without its key");
    assert!(
        text(&serve).contains("FRONTDESK_ENCRYPTION_KEY"),
        "{}",
        text(&serve)
    );
    let mut wrong = plain_env.clone();
    wrong.push(("FRONTDESK_ENCRYPTION_KEY", KEY_B));
    let serve = run(&["serve"], &wrong);
    assert!(!serve.status.success(), "served with the wrong key");
    assert!(text(&serve).contains("does not open"), "{}", text(&serve));

    // Rotation: the new key, the old one still accepted, then the old one dropped.
    let rotating = [
        ("FRONTDESK_DATA_DIR", data_arg.as_str()),
        ("FRONTDESK_ENCRYPTION_KEY", KEY_B),
        ("FRONTDESK_ENCRYPTION_OLD_KEYS", KEY_A),
    ];
    let rotate = run(&["keys", "rotate"], &rotating);
    assert!(rotate.status.success(), "{}", text(&rotate));
    assert!(
        text(&rotate).contains("sealed 1 request(s)"),
        "{}",
        text(&rotate)
    );
    let with_b = [
        ("FRONTDESK_DATA_DIR", data_arg.as_str()),
        ("FRONTDESK_ENCRYPTION_KEY", KEY_B),
    ];
    let export = run(&["requests", "export"], &with_b);
    assert!(export.status.success(), "{}", text(&export));
    assert!(text(&export).contains("platypus"), "{}", text(&export));
    assert!(!run(&["requests", "export"], &with_a).status.success());

    let check = run(&["check-config"], &no_key);
    assert!(check.status.success(), "{}", text(&check));
    assert!(
        text(&check).contains("FRONTDESK_ENCRYPTION_KEY is not set"),
        "{}",
        text(&check)
    );
}

#[tokio::test]
async fn retention_removes_a_closed_requests_words_on_the_durable_scheduler() {
    use crate::helpers::slack::SlackApp;
    use std::time::Duration;
    const DAY: Duration = Duration::from_secs(24 * 60 * 60);
    let app = SlackApp::spawn_with(|c| {
        c.retention = frontdesk::config::RetentionConfig {
            closed_content_after: Some(DAY * 2),
        };
        c.survey.enabled = false;
    })
    .await;
    let id = app
        .file_it_request("UREQ", "my kookaburra laptop won't boot")
        .await;
    app.click("UAGENT", &format!("close:{id}")).await;
    app.drain().await;
    let fire = || async { while app.scheduler.fire_due().await.expect("timers fire") > 0 {} };
    app.advance(DAY);
    fire().await;
    assert!(app.request(&id).summary.contains("kookaburra"));
    app.advance(DAY);
    fire().await;
    let r = app.request(&id);
    assert_eq!(r.summary, "");
    assert!(
        !serde_json::to_string(&r).unwrap().contains("kookaburra"),
        "{r:?}"
    );
    assert_eq!(r.status, frontdesk::core::Status::Closed);
    assert_eq!(
        r.history.last().unwrap().event,
        frontdesk::core::Event::ContentRemoved
    );
    let store = app.engine.store();
    let log: Vec<_> = store.audit_entries().map(|e| e.unwrap()).collect();
    let last = log.last().unwrap();
    assert_eq!(
        (last.request.as_str(), last.event.as_str()),
        (id.as_str(), "content_removed")
    );
    assert_eq!(store.verify_audit().unwrap().problem, None);
}

/// A confidential department with explicit replies, on Slack: what the requester wrote
/// reaches only their own DMs and the agents' private views; the channel sees ids and states.
#[tokio::test]
async fn a_confidential_requests_words_reach_only_the_requester_and_the_agents_views() {
    use crate::helpers::slack::{SlackApp, AGENT};
    let app = SlackApp::spawn_with(|c| {
        c.departments[0].confidential = true;
        c.departments[0].relay = frontdesk::core::Relay::Explicit;
    })
    .await;
    let requester = "UREQ";
    let id = app
        .file_it_request(requester, "my wombat laptop won't boot")
        .await;
    // The requester adds something; the team is told that they wrote, not what.
    app.dm_in_thread(requester, "the ocelot scratched it", &app.new_ts())
        .await;
    app.drain().await;
    // An agent's thread reply stays in the thread: nothing is relayed in explicit mode.
    let card = app.card_ts(&id);
    app.thread_reply(AGENT, "C0IT", &card, "zebu: call the vendor?")
        .await;
    // View details: agents get everything, privately; anyone else is refused.
    // "View details" opens a modal for the clicker alone (its trigger is theirs).
    for (who, trigger) in [(AGENT, "11.11.agent"), ("UNOSY", "12.12.nosy")] {
        let body = app.click_body(who, &format!("details:{id}"), Some(trigger));
        let r = app
            .post_signed(
                "/slack/interactivity",
                "application/x-www-form-urlencoded",
                body,
                &[],
            )
            .await;
        assert_eq!(r.status(), 200);
    }
    // Reply to requester: the click opens the form, the form's text goes out.
    let body = app.click_body(AGENT, &format!("tellrequester:{id}"), Some("555.666.form"));
    let r = app
        .post_signed(
            "/slack/interactivity",
            "application/x-www-form-urlencoded",
            body,
            &[],
        )
        .await;
    assert_eq!(r.status(), 200);
    let opened: Vec<_> = app
        .fake
        .calls_to("views.open")
        .into_iter()
        .filter(|c| c.str("trigger_id") == "555.666.form")
        .collect();
    assert_eq!(opened.len(), 1, "{opened:?}");
    assert_eq!(opened[0].body["view"]["private_metadata"], id.as_str());
    let submission = serde_json::json!({
        "type": "view_submission", "team": {"id": "T0FRONT"}, "user": {"id": AGENT},
        "view": {"id": "V0MODAL", "callback_id": opened[0].body["view"]["callback_id"],
            "private_metadata": id,
            "state": {"values": {"reply": {"text": {"type": "plain_text_input", "value": "the capybara team fixed it"}}}}},
    });
    let body = serde_urlencoded::to_string([("payload", submission.to_string())]).unwrap();
    let r = app
        .post_signed(
            "/slack/interactivity",
            "application/x-www-form-urlencoded",
            body.into_bytes(),
            &[],
        )
        .await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.text().await.unwrap(), "", "the modal closes");
    app.drain().await;

    let dm = crate::helpers::slack::dm_channel(requester);
    let agent_only = |c: &crate::helpers::fake_slack::Call| {
        (c.method == "chat.postEphemeral" && c.str("user") == AGENT)
            || (c.method == "views.open" && c.str("trigger_id") == "11.11.agent")
    };
    let mut details_seen = false;
    for call in app.fake.calls() {
        let text = call.body.to_string();
        for words in ["wombat", "ocelot", "ThinkPad", "capybara"] {
            if !text.contains(words) {
                continue;
            }
            let to_requester = call.str("channel") == dm && call.method.starts_with("chat.");
            assert!(
                to_requester || agent_only(&call),
                "{words} went out in {} to {}: {text}",
                call.method,
                call.str("channel")
            );
            details_seen |= agent_only(&call);
        }
        assert!(
            !text.contains("zebu"),
            "an internal reply was relayed: {text}"
        );
    }
    assert!(details_seen, "the agent saw the details");
    assert!(
        app.dms_to(requester)
            .iter()
            .any(|c| c.text_everywhere().contains("the capybara team fixed it")),
        "the reply reached the requester"
    );
    let refused = app.fake.calls_to("views.open").into_iter().any(|c| {
        c.str("trigger_id") == "12.12.nosy" && c.body.to_string().contains("Only the team's agents")
    });
    assert!(refused, "a bystander is refused");
    let thread = app.posts_in("C0IT", Some(&card));
    let thread_text: String = thread.iter().map(|c| c.body.to_string()).collect();
    assert!(thread_text.contains("wrote to the team"), "{thread_text}");
    assert!(
        thread_text.contains("sent a reply to the requester"),
        "{thread_text}"
    );
}

/// The same on Teams: the channel card and its thread show no words; the requester's chat
/// and the agent's own chat with the bot do.
#[tokio::test]
async fn a_confidential_request_on_teams_shows_no_words_in_the_channel() {
    use crate::helpers::teams::{TeamsApp, ALICE, BOB, IT_CHANNEL, MALLORY};
    use crate::helpers::teams_standin::Call;
    let app = TeamsApp::spawn_with(|c| {
        let it = c.departments.iter_mut().find(|d| d.id == "it").unwrap();
        it.confidential = true;
        it.relay = frontdesk::core::Relay::Explicit;
    })
    .await;
    let act = |activity: serde_json::Value| {
        let app = &app;
        async move {
            let before = app.standin.calls().len();
            app.post(&activity).await;
            app.drain().await;
            app.standin.calls_since(before)
        }
    };
    let last_id = |calls: &[Call]| calls.last().unwrap().answered_id.clone().unwrap();
    for who in [ALICE, BOB, MALLORY] {
        act(app.installed(who)).await;
    }
    let calls = act(app.dm(ALICE, "help it")).await;
    act(app.dm_click(ALICE, &last_id(&calls), "dept_yes")).await;
    act(app.dm(ALICE, "My wombat laptop won't boot")).await;
    let calls = act(app.dm(ALICE, "ThinkPad X1")).await;
    let calls = act(app.dm_click(ALICE, &last_id(&calls), "opt:2")).await;
    let calls = act(app.dm_click(ALICE, &last_id(&calls), "submit")).await;
    let card = calls
        .iter()
        .find(|c| c.raw_path == "/teams/v3/conversations")
        .expect("the card is posted");
    let root = card.answered_id.clone().unwrap();
    assert_eq!(
        card.actions(),
        [
            "claim:IT-1",
            "close:IT-1",
            "wait:IT-1",
            "reassign:IT-1",
            "details:IT-1",
            "tellrequester:IT-1"
        ]
    );
    act(app.dm(ALICE, "the ocelot scratched it")).await;
    act(app.thread_reply(BOB, &root, "zebu: call the vendor?")).await;
    let details = act(app.card_click(BOB, &root, "details:IT-1")).await;
    assert!(
        details
            .iter()
            .any(|c| c.shown().contains("wombat") && c.shown().contains("ocelot")),
        "{details:#?}"
    );
    let refused = act(app.card_click(MALLORY, &root, "details:IT-1")).await;
    assert!(refused
        .iter()
        .any(|c| c.shown().contains("Only the team's agents")));
    let mut reply = app.card_click(BOB, &root, "tellrequester:IT-1");
    reply["value"]["reply"] = serde_json::json!("the capybara team fixed it");
    act(reply).await;

    let in_channel = |c: &Call| {
        c.conversation
            .as_deref()
            .is_some_and(|conv| conv.starts_with(IT_CHANNEL))
            || c.body["channelData"]["channel"]["id"] == IT_CHANNEL
    };
    let mut channel_calls = 0;
    for call in app.standin.calls() {
        let text = call.body.to_string();
        assert!(
            !text.contains("zebu"),
            "an internal reply was relayed: {text}"
        );
        if in_channel(&call) {
            channel_calls += 1;
            for words in ["wombat", "ocelot", "ThinkPad", "capybara", "Alice Example"] {
                assert!(
                    !text.contains(words),
                    "{words} shown in the channel: {text}"
                );
            }
        }
        if call.conversation.as_deref() == Some(MALLORY.chat) {
            assert!(!text.contains("wombat"), "{text}");
        }
    }
    assert!(channel_calls >= 3, "the card, its update and thread posts");
    assert!(app
        .standin
        .calls()
        .iter()
        .any(|c| c.conversation.as_deref() == Some(ALICE.chat)
            && c.shown().contains("the capybara team fixed it")));
}

#[tokio::test]
async fn requests_closed_before_retention_was_configured_are_caught_up() {
    use crate::helpers::slack::SlackApp;
    use std::time::Duration;
    const DAY: Duration = Duration::from_secs(24 * 60 * 60);
    let app = SlackApp::spawn_with(|c| c.survey.enabled = false).await;
    let id = app
        .file_it_request("UREQ", "my kookaburra laptop won't boot")
        .await;
    app.click("UAGENT", &format!("close:{id}")).await;
    app.drain().await;
    assert_eq!(app.scheduler.catch_up_retention().await.unwrap(), 0);

    // Retention is configured later (as a reload does), for a period already over.
    app.advance(DAY * 3);
    let mut config = app.config.clone();
    config.retention.closed_content_after = Some(DAY * 2);
    app.engine.set_rules(config.rules());
    assert_eq!(app.scheduler.catch_up_retention().await.unwrap(), 1);
    assert_eq!(
        app.scheduler.catch_up_retention().await.unwrap(),
        0,
        "scheduled once"
    );
    while app.scheduler.fire_due().await.unwrap() > 0 {}
    let r = app.request(&id);
    assert_eq!(r.summary, "");
    assert_eq!(
        r.history.last().unwrap().event,
        frontdesk::core::Event::ContentRemoved
    );
    assert_eq!(
        app.scheduler.catch_up_retention().await.unwrap(),
        0,
        "nothing left to remove"
    );
}
