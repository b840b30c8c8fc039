//! The read and maintenance commands work while `frontdesk serve` holds the store: the CLI
//! hands them to the running server with the admin token from the data directory.

use crate::helpers::app::spawn_binary;
use crate::helpers::fake_slack::FakeSlack;
use crate::helpers::process::run;
use crate::helpers::slack::post_signed;
use crate::helpers::{eventually, get};

const SECRET: &str = "admin-test-signing-secret";

#[tokio::test(flavor = "multi_thread")]
async fn requests_stats_and_outbox_commands_go_through_the_running_server() {
    let fake = FakeSlack::start().await;
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().display().to_string();
    let api = fake.api_url();
    let env = [
        ("FRONTDESK_LISTEN", "127.0.0.1:0"),
        ("FRONTDESK_DATA_DIR", data.as_str()),
        ("SLACK_API_URL", api.as_str()),
        ("SLACK_SIGNING_SECRET", SECRET),
        ("SLACK_BOT_TOKEN", "xoxb-admin-test"),
    ];
    let server = spawn_binary(&[], &env);
    let ready = server.url("/readyz");
    eventually("readiness", || async {
        (get(&ready).await.0 == 200).then_some(())
    })
    .await;

    let body = serde_urlencoded::to_string([
        ("team_id", "T0OPS"),
        ("channel_id", "C0GENERAL"),
        ("user_id", "U1"),
        ("command", "/help-it"),
        ("text", "my laptop won't boot"),
        ("response_url", "http://127.0.0.1:9/unused"),
        ("trigger_id", "trig-admin"),
    ])
    .unwrap();
    let form = "application/x-www-form-urlencoded";
    assert_eq!(
        post_signed(&server.url("/slack/commands"), SECRET, form, body, "x1").await,
        200
    );
    for (i, text) in ["yes", "ThinkPad", "high", "submit"].iter().enumerate() {
        let event = serde_json::json!({
            "type": "event_callback", "team_id": "T0OPS", "api_app_id": "A0OPS",
            "event_id": format!("EvAdmin{i}"), "event_time": 1_700_000_000,
            "event": {"type": "message", "channel_type": "im", "channel": "DU1", "user": "U1",
                "text": text, "ts": format!("1700000400.00000{i}")},
        });
        let status = post_signed(
            &server.url("/slack/events"),
            SECRET,
            "application/json",
            event.to_string(),
            "x2",
        )
        .await;
        assert_eq!(status, 200);
    }

    let env = [("FRONTDESK_DATA_DIR", data.as_str())];
    let text = |out: &std::process::Output| {
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    };
    let list = run(&["requests", "list"], &env);
    assert!(list.status.success(), "{}", text(&list));
    assert!(
        text(&list).contains("IT-1") && text(&list).contains("slack:U1"),
        "{}",
        text(&list)
    );
    let show = run(&["requests", "show", "IT-1"], &env);
    assert!(
        text(&show).contains("opened the request"),
        "{}",
        text(&show)
    );
    let missing = run(&["requests", "show", "IT-9"], &env);
    assert!(!missing.status.success());
    assert!(
        text(&missing).contains("no request IT-9"),
        "{}",
        text(&missing)
    );
    let stats = run(&["stats", "--json"], &env);
    let stats: serde_json::Value = serde_json::from_slice(&stats.stdout).expect("stats JSON");
    assert_eq!(stats["it"]["open"], 1);
    let outbox = run(&["outbox", "list"], &env);
    assert!(
        text(&outbox).contains("dead letters (0)"),
        "{}",
        text(&outbox)
    );
    let retry = run(&["outbox", "retry", "424242"], &env);
    assert!(!retry.status.success());
    assert!(
        text(&retry).contains("no dead letter with id 424242"),
        "{}",
        text(&retry)
    );

    // Without the token the endpoint refuses.
    let refused = reqwest::Client::new()
        .post(server.url("/admin/command"))
        .json(&serde_json::json!({"command": "outbox_list"}))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 401);
    assert!(server.stop().success());
}
