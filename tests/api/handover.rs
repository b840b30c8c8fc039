//! Who has a request, waiting on the requester, and the agent's queue, end to end: on the
//! fake Slack (round robin, take over, wait, resume, the queue in a slash command and on the
//! App Home), on Teams (the same by card buttons and typed words), and `requests list
//! --overdue` from the command line.

use crate::helpers::slack::{dm_channel, fixture_json, SlackApp, AGENT};
use frontdesk::core::{Assign, Status};
use serde_json::json;
use std::time::Duration;

const ALICE: &str = "UALICE";
const AGENT2: &str = "UAGENT2";

#[tokio::test]
async fn on_slack_a_request_is_assigned_taken_over_set_waiting_and_resumed() {
    let app = SlackApp::spawn_with(|c| {
        let it = &mut c.departments[0];
        it.assign = Assign::RoundRobin;
        it.on_call = vec![AGENT2.into(), AGENT.into()];
        it.auto_close_after = Some(Duration::from_secs(2 * 24 * 3600));
    })
    .await;
    let id = app.file_it_request(ALICE, "my vpn is broken").await;
    let r = app.request(&id);
    assert_eq!(r.assignee.as_ref().map(|a| a.id.as_str()), Some(AGENT2));
    assert_eq!(r.status, Status::Claimed);
    let card = app.posts_in("C0IT", None).pop().unwrap();
    assert!(card.text_everywhere().contains(&format!("<@{AGENT2}>")));
    assert!(app.dms_to(ALICE).iter().any(|d| d
        .str("text")
        .contains(&format!("<@{AGENT2}> has your request *{id}* now"))));

    // The other agent takes it over from the card.
    app.click(AGENT, &format!("takeover:{id}")).await;
    app.drain().await;
    assert_eq!(
        app.request(&id).assignee.map(|a| a.id),
        Some(AGENT.to_string())
    );
    let update = app.fake.calls_to("chat.update").pop().unwrap();
    assert!(update.text_everywhere().contains(&format!("<@{AGENT}>")));
    assert!(app
        .last_dm(ALICE)
        .str("text")
        .contains(&format!("<@{AGENT}> has your request")));

    // Waiting on the requester: the card says so, the requester is asked.
    let reply = app
        .command_json(AGENT, &format!("wait {id} Which floor are you on?"))
        .await;
    assert!(
        reply.to_string().contains("now waits on its requester"),
        "{reply}"
    );
    app.drain().await;
    assert_eq!(app.request(&id).status, Status::Waiting);
    let asked = app.last_dm(ALICE);
    assert!(
        asked.str("text").contains("Which floor are you on?"),
        "{asked:?}"
    );
    let update = app.fake.calls_to("chat.update").pop().unwrap();
    assert!(update.text_everywhere().contains("Waiting on requester"));

    // The agent's queue, by slash command: theirs, waiting, without a clock.
    let queue = app.command_json(AGENT, "queue").await.to_string();
    assert!(queue.contains("Mine (1)") && queue.contains(&id), "{queue}");

    // The requester's reply resumes the request.
    app.dm(ALICE, "Third floor").await;
    app.drain().await;
    assert_eq!(app.request(&id).status, Status::Claimed);

    // The App Home shows an agent's queue.
    let mut opened = fixture_json("app_home_opened.json");
    opened["event"]["user"] = json!(AGENT);
    opened["event"]["tab"] = json!("home");
    opened["event"]["channel"] = json!(dm_channel(AGENT));
    assert_eq!(app.event(&opened).await.status(), 200);
    let published = app.fake.wait_for("views.publish", 1).await;
    let home = published[0].text_everywhere();
    assert!(home.contains("Your queue") && home.contains(&id), "{home}");
}

#[tokio::test]
async fn on_slack_a_request_nobody_answers_is_nudged_then_closed() {
    let app = SlackApp::spawn_with(|c| {
        c.departments[0].auto_close_after = Some(Duration::from_secs(4 * 24 * 3600));
        c.survey.enabled = false;
    })
    .await;
    let id = app.file_it_request(ALICE, "my vpn is broken").await;
    app.click(AGENT, &format!("wait:{id}")).await;
    app.drain().await;
    let fire = || async {
        while app.scheduler.fire_due().await.expect("timers fire") > 0 {}
        app.drain().await;
    };
    app.advance(Duration::from_secs(2 * 24 * 3600));
    fire().await;
    assert!(app
        .last_dm(ALICE)
        .str("text")
        .contains("still waiting for your reply"));
    assert_eq!(app.request(&id).status, Status::Waiting);
    app.advance(Duration::from_secs(2 * 24 * 3600));
    fire().await;
    assert_eq!(app.request(&id).status, Status::Closed);
    assert!(app
        .last_dm(ALICE)
        .str("text")
        .contains("was closed because we didn't hear back"));
}

#[tokio::test]
async fn on_teams_the_card_hands_over_waits_and_the_queue_answers_in_the_chat() {
    use crate::helpers::teams::{TeamsApp, ALICE, BOB};
    use crate::helpers::teams_standin::Call;
    let app = TeamsApp::spawn().await;
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
    for who in [ALICE, BOB] {
        act(app.installed(who)).await;
    }
    let calls = act(app.dm(ALICE, "help it")).await;
    act(app.dm_click(ALICE, &last_id(&calls), "dept_yes")).await;
    act(app.dm(ALICE, "My laptop won't boot")).await;
    let calls = act(app.dm(ALICE, "ThinkPad X1")).await;
    let calls = act(app.dm_click(ALICE, &last_id(&calls), "opt:2")).await;
    let calls = act(app.dm_click(ALICE, &last_id(&calls), "submit")).await;
    let root = calls
        .iter()
        .find(|c| c.raw_path == "/teams/v3/conversations")
        .and_then(|c| c.answered_id.clone())
        .expect("the card is posted");
    let calls = act(app.card_click(BOB, &root, "wait:IT-1")).await;
    assert_eq!(app.request("IT-1").status, Status::Waiting);
    assert!(calls
        .iter()
        .any(|c| c.conversation.as_deref() == Some(ALICE.chat)
            && c.shown().contains("needs something from you")));
    let put = calls
        .iter()
        .find(|c| c.method == "PUT")
        .expect("card updated");
    assert!(
        put.shown().contains("Waiting on requester"),
        "{}",
        put.shown()
    );
    let calls = act(app.dm(BOB, "queue")).await;
    let queue = calls.last().unwrap().shown();
    assert!(
        queue.contains("Your queue") && queue.contains("IT-1"),
        "{queue}"
    );
    act(app.dm(ALICE, "It is the grey one")).await;
    assert_eq!(app.request("IT-1").status, Status::Open);
    act(app.card_click(BOB, &root, "takeover:IT-1")).await;
    assert_eq!(
        app.request("IT-1").assignee.map(|a| a.id),
        Some(BOB.id.to_string())
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn requests_list_overdue_names_the_requests_past_their_service_level() {
    use crate::helpers::eventually;
    use crate::helpers::fake_slack::FakeSlack;
    use crate::helpers::process::run;
    use crate::helpers::slack::{command, ready, say, slack_env, start};
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
[[departments]]
id = "facilities"
name = "Facilities"
prefix = "FAC"
slack_channel = "C0FAC"
keywords = ["chair"]
first_response_sla = "4h"
"#,
    )
    .unwrap();
    let data = dir.path().join("data");
    let server = start(&slack_env(&fake, &data, Some(&config)));
    ready(&server).await;
    for (user, text, n) in [
        ("U1", "my laptop won't boot", 1),
        ("U2", "my chair is broken", 2),
    ] {
        command(&server, user, text, &format!("trig-overdue-{n}")).await;
        for (i, answer) in ["yes", "submit"].iter().enumerate() {
            let ts = format!("170000090{n}.00000{i}");
            say(&server, &format!("EvOver{n}{i}"), user, answer, &ts).await;
        }
    }
    let data_arg = data.display().to_string();
    let config_arg = config.display().to_string();
    let env = [
        ("FRONTDESK_DATA_DIR", data_arg.as_str()),
        ("FRONTDESK_CONFIG", config_arg.as_str()),
    ];
    let listed = eventually("IT-1 overdue", || async {
        let out = run(&["requests", "list", "--overdue"], &env);
        let text = String::from_utf8_lossy(&out.stdout).to_string();
        text.contains("IT-1").then_some(text)
    })
    .await;
    assert!(!listed.contains("FAC-1"), "{listed}");
    let all = run(&["requests", "list"], &env);
    assert!(String::from_utf8_lossy(&all.stdout).contains("FAC-1"));
    assert!(server.stop().success());
}
