//! Black-box tests of requests filed from a channel message (issue 12): a 🎫 reaction on any
//! message, and a help channel that captures every message. The real server, the fake Slack,
//! signed events; each way in is followed to the posted card and the answer in the
//! message's thread.
//!
//! Run with `cargo test --test api channel_intake::`.

use crate::helpers::slack::{SlackApp, AGENT, IT_CHANNEL};
use frontdesk::config::{Capture, HelpChannelConfig};
use frontdesk::core::{Platform, UserRef};
use serde_json::{json, Value};

const ERIN: &str = "UERIN";
const FRANK: &str = "UFRANK";
const GUS: &str = "UGUS";
const HELP: &str = "C0HELP";
const ASK: &str = "C0ASK";

fn slack_user(id: &str) -> UserRef {
    UserRef::new(Platform::Slack, id)
}

/// The app with `#help` capturing every message and `#ask` filing only on a reaction.
async fn spawn() -> SlackApp {
    SlackApp::spawn_with(|c| {
        c.help_channels = vec![
            HelpChannelConfig {
                slack_channel: HELP.into(),
                department: String::new(),
                capture: Capture::All,
            },
            HelpChannelConfig {
                slack_channel: ASK.into(),
                department: "it".into(),
                capture: Capture::Reaction,
            },
        ];
    })
    .await
}

/// A top-level message `user` wrote in `channel`, as the Events API delivers it; a fresh
/// event id each time it is wrapped.
fn channel_message(user: &str, channel: &str, ts: &str, text: &str) -> Value {
    json!({
        "type": "message", "channel": channel, "user": user, "text": text, "ts": ts,
        "event_ts": ts, "channel_type": "channel", "client_msg_id": format!("msg-{ts}")
    })
}

/// Cards posted in `channel` (posts outside any thread).
fn cards_in(app: &SlackApp, channel: &str) -> Vec<crate::helpers::fake_slack::Call> {
    app.posts_in(channel, None)
}

#[tokio::test]
async fn a_ticket_added_twice_by_two_people_files_one_request_answered_in_the_thread() {
    // Arrange
    let app = spawn().await;
    let ts = "1600000000.000100";
    app.fake
        .written(ASK, ts, ERIN, "my laptop won't boot", None);
    app.fake.written(
        ASK,
        "1600000000.000200",
        ERIN,
        "it's the ThinkPad X1",
        Some(ts),
    );

    // Act
    app.react(true, FRANK, ASK, ts, "ticket").await;
    app.react(true, GUS, ASK, ts, "ticket").await;
    // The same person's second 🎫 (Slack sends one per reaction; a retry has a new id too).
    app.react(true, FRANK, ASK, ts, "ticket").await;
    app.drain().await;

    // Assert
    let cards = cards_in(&app, IT_CHANNEL);
    assert_eq!(cards.len(), 1, "one card: {cards:#?}");
    let card = cards[0].text_everywhere();
    assert!(card.contains("my laptop won't boot"), "{card}");
    // The card links to the message and says who filed it.
    assert!(card.contains("/archives/C0ASK/p1600000000000100"), "{card}");
    assert!(card.contains(&format!("<@{FRANK}>")), "{card}");
    let r = app.request("IT-1");
    assert_eq!(r.requester, slack_user(ERIN));
    assert_eq!(r.summary, "my laptop won't boot");
    let origin = r.origin.expect("filed from the message");
    assert_eq!(
        (origin.post.channel.as_str(), origin.post.id.as_str()),
        (ASK, ts)
    );
    assert_eq!(origin.filed_by, Some(slack_user(FRANK)));
    assert_eq!(
        origin.permalink.as_deref(),
        Some("https://frontdesk-test.slack.com/archives/C0ASK/p1600000000000100")
    );
    assert_eq!(app.engine.store().request_count(), 1);
    let answers = app.posts_in(ASK, Some(ts));
    assert_eq!(answers.len(), 2, "{answers:#?}");
    assert!(
        answers[0].text_everywhere().contains("IT-1"),
        "{answers:#?}"
    );
    // IT's required questions follow in the thread.
    assert!(answers[1]
        .text_everywhere()
        .contains("Which device or system is affected?"));
    // The reply Erin wrote under the message before the card existed is in the card's thread.
    let card_ts = app.card_ts("IT-1");
    let backfill = app.posts_in(IT_CHANNEL, Some(&card_ts));
    assert!(
        backfill
            .iter()
            .any(|c| c.text_everywhere().contains("ThinkPad X1")),
        "{backfill:#?}"
    );
    // No DM conversation: the thread is Erin's side.
    assert!(app.dms_to(ERIN).is_empty());

    // Erin answers there: by writing, then with a button.
    app.thread_reply(ERIN, ASK, ts, "ThinkPad X1").await;
    app.drain().await;
    let answers = app.posts_in(ASK, Some(ts));
    assert_eq!(answers.len(), 3);
    let buttons = answers[2].button_values();
    assert_eq!(buttons.len(), 4, "{buttons:?}");
    app.click(ERIN, &buttons[2]).await;
    app.drain().await;
    let r = app.request("IT-1");
    assert_eq!(r.answers[0].value.as_deref(), Some("ThinkPad X1"));
    assert_eq!(r.answers[1].value.as_deref(), Some("high"));
    assert_eq!(app.posts_in(ASK, Some(ts)).len(), 4);

    // And both ways through that thread: the agent's reply reaches it, Erin's reply there
    // reaches the card's thread.
    app.thread_reply(
        AGENT,
        IT_CHANNEL,
        &card_ts,
        "Hold the power button for 10 seconds.",
    )
    .await;
    app.drain().await;
    let answers = app.posts_in(ASK, Some(ts));
    assert_eq!(answers.len(), 5);
    assert!(answers[4]
        .text_everywhere()
        .contains("Hold the power button"));
    app.thread_reply(ERIN, ASK, ts, "That worked, thanks!")
        .await;
    app.drain().await;
    let thread = app.posts_in(IT_CHANNEL, Some(&card_ts));
    assert!(
        thread
            .last()
            .is_some_and(|c| c.text_everywhere().contains("That worked, thanks!")),
        "{thread:#?}"
    );
    assert!(app.dms_to(ERIN).is_empty());
}

#[tokio::test]
async fn the_same_message_delivered_under_three_event_ids_files_one_request() {
    // Arrange
    let app = spawn().await;
    let ts = "1600000000.000300";
    let event = channel_message(ERIN, HELP, ts, "the vpn drops every hour");

    // Act: three deliveries, each with its own event id and no retry headers.
    let mut ids = Vec::new();
    for _ in 0..3 {
        let body = app.envelope(event.clone());
        ids.push(body["event_id"].clone());
        assert_eq!(app.event(&body).await.status(), 200);
    }
    app.drain().await;

    // Assert
    assert_eq!(ids.len(), 3);
    assert_ne!(ids[0], ids[1]);
    assert_eq!(cards_in(&app, IT_CHANNEL).len(), 1);
    assert_eq!(app.engine.store().request_count(), 1);
    let r = app.request("IT-1");
    assert_eq!(r.requester, slack_user(ERIN));
    assert_eq!(r.origin.expect("filed from the message").filed_by, None);
    let answers = app.posts_in(HELP, Some(ts));
    assert_eq!(
        answers.len(),
        2,
        "the id, then the first question: {answers:#?}"
    );
    assert!(answers[0].text_everywhere().contains("IT-1"));
    // A 🎫 on the message already filed files nothing more.
    app.react(true, FRANK, HELP, ts, "ticket").await;
    app.drain().await;
    assert_eq!(app.engine.store().request_count(), 1);
}

#[tokio::test]
async fn a_help_channel_files_the_real_messages_and_skips_the_pleasantry_in_between() {
    // Arrange
    let app = spawn().await;
    let (first, thanks, second) = (
        "1600000000.000400",
        "1600000000.000500",
        "1600000000.000600",
    );

    // Act
    for (user, ts, text) in [
        (ERIN, first, "my laptop won't boot"),
        (GUS, thanks, "thanks! :pray:"),
        (FRANK, second, "the heating in room 4 is broken"),
    ] {
        let body = app.envelope(channel_message(user, HELP, ts, text));
        assert_eq!(app.event(&body).await.status(), 200);
    }
    app.drain().await;

    // Assert
    assert_eq!(app.engine.store().request_count(), 2);
    assert_eq!(cards_in(&app, IT_CHANNEL).len(), 1);
    assert_eq!(cards_in(&app, "C0FAC").len(), 1);
    assert_eq!(app.request("IT-1").requester, slack_user(ERIN));
    assert_eq!(app.request("FAC-1").requester, slack_user(FRANK));
    assert!(app.posts_in(HELP, Some(thanks)).is_empty());
    assert!(app.posts_in(HELP, Some(first))[0]
        .text_everywhere()
        .contains("IT-1"));
    assert!(app.posts_in(HELP, Some(second))[0]
        .text_everywhere()
        .contains("FAC-1"));
    // Only the filed messages were worth a permalink.
    assert_eq!(app.fake.calls_to("chat.getPermalink").len(), 2);
}

#[tokio::test]
async fn a_message_in_a_channel_that_is_no_help_channel_files_nothing_without_a_ticket() {
    let app = spawn().await;
    let body = app.envelope(channel_message(
        ERIN,
        ASK,
        "1600000000.000700",
        "my laptop won't boot",
    ));
    assert_eq!(app.event(&body).await.status(), 200);
    app.drain().await;
    assert_eq!(app.engine.store().request_count(), 0);
    assert!(app.fake.calls_to("chat.postMessage").is_empty());
}

#[tokio::test]
async fn check_config_online_names_a_help_channel_the_bot_is_not_in() {
    use crate::helpers::fake_slack::ChannelState;
    let app = spawn().await;
    app.fake
        .set_channel(HELP, ChannelState::NotMember("it-help".into()));
    let problems = frontdesk::slack::online_check(&app.config).await;
    assert_eq!(problems.len(), 1, "{problems:#?}");
    assert!(
        problems[0].contains("help_channels[0].slack_channel = C0HELP")
            && problems[0].contains("#it-help")
            && problems[0].contains("/invite @frontdesk"),
        "{}",
        problems[0]
    );
    let asked: Vec<String> = app
        .fake
        .calls_to("conversations.info")
        .iter()
        .map(|c| c.str("channel").to_string())
        .collect();
    assert!(asked.iter().any(|c| c == ASK), "{asked:?}");
}

#[tokio::test]
async fn a_ticket_request_keeps_its_requester_in_the_thread_and_asks_the_rating_in_private() {
    // Arrange: Erin's message is filed by Frank's 🎫.
    let app = spawn().await;
    let ts = "1600000000.000800";
    app.fake.written(ASK, ts, ERIN, "the printer jams", None);
    app.react(true, FRANK, ASK, ts, "ticket").await;
    app.drain().await;
    // Erin answers IT's two questions in the thread.
    app.thread_reply(ERIN, ASK, ts, "HP LaserJet").await;
    app.click(ERIN, "fieldopt:IT-1:1:1").await;
    app.drain().await;
    let before = app.posts_in(ASK, Some(ts)).len();

    // Act: an agent claims it, asks Erin something, and closes it.
    app.click(AGENT, "claim:IT-1").await;
    app.click(AGENT, "wait:IT-1").await;
    app.drain().await;
    app.thread_reply(ERIN, ASK, ts, "it's the one on floor 3")
        .await;
    app.click(AGENT, "close:IT-1").await;
    app.drain().await;

    // Assert: each step is told in the message's thread, in order.
    let told: Vec<String> = app.posts_in(ASK, Some(ts))[before..]
        .iter()
        .map(|c| c.text_everywhere())
        .collect();
    assert_eq!(told.len(), 3, "{told:#?}");
    assert!(
        told[0].contains("is now working on") && told[0].contains(&format!("<@{AGENT}>")),
        "{told:#?}"
    );
    assert!(told[1].contains("needs something from you"), "{told:#?}");
    assert!(
        told[2].contains("closed") && told[2].contains("survey by direct message"),
        "{told:#?}"
    );
    // Erin's answer while it waited reached the team and resumed the request first.
    let card_thread = app.posts_in(IT_CHANNEL, Some(&app.card_ts("IT-1")));
    assert!(card_thread
        .iter()
        .any(|c| c.text_everywhere().contains("floor 3")));
    // The rating is the only thing that went to Erin's DMs.
    let dms = app.dms_to(ERIN);
    assert_eq!(dms.len(), 1, "{dms:#?}");
    assert!(dms[0]
        .button_values()
        .iter()
        .any(|v| v.starts_with("rate:IT-1")));
}

#[tokio::test]
async fn a_confidential_teams_answers_go_to_the_requester_privately_not_to_the_channel() {
    // Arrange: IT is confidential; Erin's message in #ask is filed by a 🎫.
    let app = SlackApp::spawn_with(|c| {
        c.help_channels = vec![HelpChannelConfig {
            slack_channel: ASK.into(),
            department: "it".into(),
            capture: Capture::Reaction,
        }];
        c.departments[0].confidential = true;
    })
    .await;
    let ts = "1600000000.000900";
    app.fake
        .written(ASK, ts, ERIN, "my payslip looks wrong", None);
    app.react(true, FRANK, ASK, ts, "ticket").await;
    app.drain().await;
    let before = app.posts_in(ASK, Some(ts)).len();

    // Act
    app.click(AGENT, "claim:IT-1").await;
    app.thread_reply(
        AGENT,
        IT_CHANNEL,
        &app.card_ts("IT-1"),
        "We'll correct it this month.",
    )
    .await;
    app.drain().await;

    // Assert: nothing more in the channel thread; both reached Erin by DM.
    assert_eq!(app.posts_in(ASK, Some(ts)).len(), before);
    let dms: Vec<String> = app
        .dms_to(ERIN)
        .iter()
        .map(|c| c.text_everywhere())
        .collect();
    assert_eq!(dms.len(), 2, "{dms:#?}");
    assert!(dms[1].contains("correct it this month"), "{dms:#?}");
}

#[tokio::test]
async fn what_the_requester_adds_while_the_team_is_asked_reaches_the_cards_thread() {
    // Arrange: a help channel message whose words name no team.
    let app = spawn().await;
    let ts = "1600000000.001000";
    let body = app.envelope(channel_message(
        ERIN,
        HELP,
        ts,
        "who can help me with this?",
    ));
    assert_eq!(app.event(&body).await.status(), 200);
    app.drain().await;
    let asked = app.posts_in(HELP, Some(ts));
    assert_eq!(asked.len(), 1, "{asked:#?}");
    assert!(asked[0].button_values().contains(&"dept:it".to_string()));

    // Act: Erin adds a detail, Gus chimes in, then Erin picks IT.
    app.thread_reply(ERIN, HELP, ts, "the screen flickers since the update")
        .await;
    app.thread_reply(GUS, HELP, ts, "same here").await;
    app.click(ERIN, "dept:it").await;
    app.drain().await;

    // Assert
    assert_eq!(cards_in(&app, IT_CHANNEL).len(), 1);
    let thread: Vec<String> = app
        .posts_in(IT_CHANNEL, Some(&app.card_ts("IT-1")))
        .iter()
        .map(|c| c.text_everywhere())
        .collect();
    assert!(
        thread.iter().any(|t| t.contains("screen flickers")),
        "{thread:#?}"
    );
    assert!(
        !thread.iter().any(|t| t.contains("same here")),
        "{thread:#?}"
    );
}

#[tokio::test]
async fn a_reacted_message_slack_cannot_read_just_now_is_filed_when_slack_delivers_it_again() {
    use crate::helpers::fake_slack::Failure;
    // Arrange
    let app = spawn().await;
    let ts = "1600000000.001100";
    app.fake
        .written(ASK, ts, ERIN, "my laptop won't boot", None);
    app.fake
        .fail("conversations.history", Failure::Http(503), 1);
    let body = app.reaction_event(true, FRANK, ASK, ts, "ticket");

    // Act: the first delivery finds Slack failing; Slack retries the same event.
    let first = app.event(&body).await.status();
    let retry = app
        .event_with(&body, &[("x-slack-retry-num", "1".into())])
        .await
        .status();
    app.drain().await;

    // Assert
    assert_eq!(first, 503, "turned away so that Slack delivers it again");
    assert_eq!(retry, 200);
    assert_eq!(app.engine.store().request_count(), 1);
    assert_eq!(cards_in(&app, IT_CHANNEL).len(), 1);
}
