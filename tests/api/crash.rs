//! Crash tests: the real `frontdesk serve` is killed with SIGKILL at several points and
//! restarted on the same data directory. Nothing acknowledged is lost, nothing is done twice.
//! The Slack Web API is a local fake that can stall, so a kill lands while a delivery is in
//! flight.

use crate::helpers::fake_slack::FakeSlack;
use crate::helpers::slack::{
    command, dm_event, posts_to, ready, say, start, SIGNING_SECRET as SECRET,
};
use crate::helpers::{eventually, process, signer, slack};
use std::path::Path;

fn env(fake: &FakeSlack, data: &Path, config: Option<&Path>) -> Vec<(String, String)> {
    slack::slack_env(fake, data, config)
}

fn cli(data: &Path, args: &[&str]) -> String {
    let out = process::run(args, &[("FRONTDESK_DATA_DIR", &data.display().to_string())]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[tokio::test(flavor = "multi_thread")]
async fn acknowledged_commands_survive_a_kill_before_delivery_and_are_delivered_once_after_restart()
{
    let fake = FakeSlack::start().await;
    let dir = tempfile::tempdir().unwrap();
    let env = env(&fake, dir.path(), None);
    let server = start(&env);
    ready(&server).await;

    // Slack stops answering: every command is acknowledged (so on disk), none delivered.
    fake.stall(true);
    let users = ["U1", "U2", "U3", "U4", "U5"];
    for (i, u) in users.iter().enumerate() {
        command(&server, u, "my laptop won't boot", &format!("trig-{i}")).await;
    }
    server.kill_9();
    fake.stall(false);

    let server = start(&env);
    for u in users {
        let dm = format!("D{u}");
        eventually("the question reaches every user", || async {
            (!posts_to(&fake, &dm).is_empty()).then_some(())
        })
        .await;
    }
    assert!(server.stop().success());
    for u in users {
        let posts = posts_to(&fake, &format!("D{u}"));
        assert_eq!(posts.len(), 1, "{u} got {posts:?}");
        assert!(
            posts[0]["text"].as_str().unwrap().contains("IT"),
            "{posts:?}"
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_request_submitted_just_before_a_kill_is_kept_posted_once_and_its_number_never_reused() {
    let fake = FakeSlack::start().await;
    let dir = tempfile::tempdir().unwrap();
    let env = env(&fake, dir.path(), None);
    let server = start(&env);
    ready(&server).await;
    command(&server, "U1", "my laptop won't boot", "trig-a").await;
    for (i, text) in ["yes", "ThinkPad", "high"].iter().enumerate() {
        say(
            &server,
            &format!("EvA{i}"),
            "U1",
            text,
            &format!("1700000100.00000{i}"),
        )
        .await;
    }
    eventually("the confirmation question", || async {
        posts_to(&fake, "DU1")
            .iter()
            .any(|p| p["text"].as_str().unwrap_or("").contains("Submit it?"))
            .then_some(())
    })
    .await;
    // The card post hangs in flight when the process dies.
    fake.stall(true);
    say(&server, "EvSubmit", "U1", "submit", "1700000100.000009").await;
    server.kill_9();
    fake.stall(false);

    let server = start(&env);
    eventually("the card in #it", || async {
        (!posts_to(&fake, "C0IT").is_empty()).then_some(())
    })
    .await;
    // Slack retries the submit it never saw acknowledged: applied once only.
    let retry = reqwest::Client::new()
        .post(server.url("/slack/events"))
        .header("content-type", "application/json")
        .header("x-slack-retry-num", "1")
        .header("x-slack-retry-reason", "http_timeout");
    let body = dm_event("EvSubmit", "U1", "submit", "1700000100.000009");
    let ts = chrono::Utc::now().timestamp();
    let status = retry
        .header("x-slack-request-timestamp", ts.to_string())
        .header(
            "x-slack-signature",
            signer::slack_signature(SECRET, ts, body.as_bytes()),
        )
        .body(body)
        .send()
        .await
        .unwrap()
        .status();
    assert_eq!(status, 200);
    // The next request gets the next number.
    command(&server, "U2", "the vpn drops", "trig-b").await;
    for (i, text) in ["yes", "laptop", "low", "submit"].iter().enumerate() {
        say(
            &server,
            &format!("EvB{i}"),
            "U2",
            text,
            &format!("1700000200.00000{i}"),
        )
        .await;
    }
    eventually("the second card", || async {
        (posts_to(&fake, "C0IT").len() >= 2).then_some(())
    })
    .await;
    assert!(server.stop().success());

    let cards = posts_to(&fake, "C0IT");
    assert_eq!(cards.len(), 2, "one card per request: {cards:?}");
    let list = cli(dir.path(), &["requests", "list"]);
    assert!(
        list.contains("IT-1") && list.contains("IT-2") && !list.contains("IT-3"),
        "{list}"
    );
    let it1 = cli(dir.path(), &["requests", "show", "IT-1"]);
    assert_eq!(it1.matches("opened the request").count(), 1, "{it1}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_reminder_that_fired_before_a_kill_does_not_fire_again_after_restart() {
    let fake = FakeSlack::start().await;
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("frontdesk.toml");
    std::fs::write(
        &config,
        r#"
[[departments]]
id = "it"
name = "IT"
prefix = "IT"
slack_channel = "C0IT"
keywords = ["laptop"]
first_response_sla = "1s"
remind_every = "1h"
escalate_to = "U0LEAD"
"#,
    )
    .unwrap();
    let data = dir.path().join("data");
    let env = env(&fake, &data, Some(&config));
    let server = start(&env);
    ready(&server).await;
    command(&server, "U1", "my laptop won't boot", "trig-r").await;
    for (i, text) in ["yes", "submit"].iter().enumerate() {
        say(
            &server,
            &format!("EvR{i}"),
            "U1",
            text,
            &format!("1700000300.00000{i}"),
        )
        .await;
    }
    let reminders = || {
        posts_to(&fake, "C0IT")
            .into_iter()
            .filter(|p| {
                p["text"]
                    .as_str()
                    .unwrap_or("")
                    .contains("without a response")
            })
            .count()
    };
    eventually("the service-level reminder", || async {
        (reminders() == 1).then_some(())
    })
    .await;
    server.kill_9();

    let server = start(&env);
    ready(&server).await;
    // A stop runs the scheduler's first pass to its end, so anything overdue would be out.
    assert!(server.stop().success());
    assert_eq!(reminders(), 1);
    let shown = cli(&data, &["requests", "show", "IT-1"]);
    assert_eq!(
        shown.matches("service-level reminder #1").count(),
        1,
        "{shown}"
    );
    assert!(!shown.contains("reminder #2"), "{shown}");
}
