//! The read and maintenance commands work while `frontdesk serve` holds the store: the CLI
//! hands them to the running server with the admin token from the data directory.

use crate::helpers::fake_slack::FakeSlack;
use crate::helpers::process::run;
use crate::helpers::slack::{command, ready, say, slack_env, start};

#[tokio::test(flavor = "multi_thread")]
async fn requests_stats_and_outbox_commands_go_through_the_running_server() {
    let fake = FakeSlack::start().await;
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().display().to_string();
    let server = start(&slack_env(&fake, dir.path(), None));
    ready(&server).await;

    command(&server, "U1", "my laptop won't boot", "trig-admin").await;
    for (i, text) in ["yes", "ThinkPad", "high", "submit"].iter().enumerate() {
        say(
            &server,
            &format!("EvAdmin{i}"),
            "U1",
            text,
            &format!("1700000400.00000{i}"),
        )
        .await;
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
