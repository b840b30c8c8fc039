//! Black-box tests of the Microsoft Teams adapter (issue 6): the real server on a random
//! loopback port, a local stand-in for the OpenID metadata, the token endpoint and the Bot
//! Connector, and activities signed with the stand-in's key. No sleeps: the outbox is drained
//! by hand and the clock is a manual one.
//!
//! Run with `cargo test --test api teams::`; `TEST_LOG=1` prints the server's logs.

use crate::helpers::teams as harness;
use crate::helpers::teams_standin as standin;

use frontdesk::core::{Platform, PostRef, Status, SurveyState};
use frontdesk::Attempt;
use harness::{Person, TeamsApp, ALICE, APP_ID, BOB, IT_CHANNEL, MALLORY, PASSWORD, TENANT};
use serde_json::json;
use standin::{jwk, Call, StandIn, OTHER_KEY, TEST_KEY};

/// The last Connector call, after checking there is one.
fn last(calls: &[Call]) -> &Call {
    calls.last().expect("a Connector call")
}

/// The calls that posted into `who`'s personal chat.
fn to_chat(calls: &[Call], who: Person) -> Vec<&Call> {
    calls
        .iter()
        .filter(|c| c.method == "POST" && c.conversation.as_deref() == Some(who.chat))
        .collect()
}

/// The single call posting into `who`'s chat whose text contains `needle`.
fn dm_containing<'a>(calls: &'a [Call], who: Person, needle: &str) -> &'a Call {
    let found: Vec<&Call> = to_chat(calls, who)
        .into_iter()
        .filter(|c| c.shown().contains(needle))
        .collect();
    assert_eq!(
        found.len(),
        1,
        "one DM to {} containing {needle:?}; calls: {calls:#?}",
        who.name
    );
    found[0]
}

fn thread_of(root: &str) -> String {
    format!("{IT_CHANNEL};messageid={root}")
}

/// Sends an activity and delivers what it caused; returns the Connector calls made.
async fn act(app: &TeamsApp, activity: serde_json::Value) -> Vec<Call> {
    let before = app.standin.calls().len();
    app.post(&activity).await;
    app.drain().await;
    app.standin.calls_since(before)
}

// ---- the whole lifecycle ----

#[tokio::test]
async fn a_request_goes_from_first_message_to_survey_comment_in_teams() {
    let app = TeamsApp::spawn().await;

    // Installing the app in a personal chat stores the conversation reference.
    assert!(act(&app, app.installed(ALICE)).await.is_empty());
    let reference = app.user_ref(ALICE).expect("a reference for Alice");
    assert_eq!(reference["personal_conversation"], ALICE.chat);
    assert_eq!(reference["service_url"], app.standin.service_url());
    assert_eq!(reference["tenant_id"], TENANT);

    // "help it" starts the intake: the department is guessed and offered as card buttons.
    let calls = act(&app, app.dm(ALICE, "help it")).await;
    let q = last(&calls);
    assert_eq!(q.conversation.as_deref(), Some(ALICE.chat));
    assert_eq!(
        q.raw_path,
        "/teams/v3/conversations/a%3A1alice-personal-chat/activities"
    );
    assert!(
        q.shown().contains("It sounds like a request for **IT**"),
        "{}",
        q.shown()
    );
    assert_eq!(q.actions(), ["dept_yes", "dept_no", "form", "cancel"]);
    assert_eq!(
        q.activity_json()["attachments"][0]["contentType"],
        "application/vnd.microsoft.card.adaptive"
    );
    assert_eq!(q.card().unwrap()["version"], "1.4");

    // Card submits and typed answers both work.
    let card = q.answered_id.clone().unwrap();
    let calls = act(&app, app.dm_click(ALICE, &card, "dept_yes")).await;
    assert!(
        last(&calls).shown().contains("what do you need?"),
        "{}",
        last(&calls).shown()
    );
    let calls = act(&app, app.dm(ALICE, "My laptop won't boot")).await;
    assert!(last(&calls)
        .shown()
        .contains("Which device or system is affected?"));
    let calls = act(&app, app.dm(ALICE, "ThinkPad X1")).await;
    let urgency = last(&calls);
    assert!(urgency.shown().contains("How urgent is it?"));
    assert_eq!(
        urgency.actions(),
        ["opt:0", "opt:1", "opt:2", "opt:3", "back", "cancel"]
    );
    let calls = act(
        &app,
        app.dm_click(ALICE, &urgency.answered_id.clone().unwrap(), "opt:2"),
    )
    .await;
    let confirm = last(&calls);
    assert!(
        confirm.shown().contains("ThinkPad X1") && confirm.shown().contains("high"),
        "{}",
        confirm.shown()
    );
    assert_eq!(confirm.actions(), ["submit", "back", "cancel"]);

    // Submitting posts the request card as a new thread in the IT channel.
    let calls = act(
        &app,
        app.dm_click(ALICE, &confirm.answered_id.clone().unwrap(), "submit"),
    )
    .await;
    let posted: Vec<&Call> = calls
        .iter()
        .filter(|c| c.raw_path == "/teams/v3/conversations")
        .collect();
    assert_eq!(posted.len(), 1, "{calls:#?}");
    let post = posted[0];
    assert_eq!(post.body["isGroup"], true);
    assert_eq!(post.body["channelData"]["channel"]["id"], IT_CHANNEL);
    assert_eq!(post.body["channelData"]["tenant"]["id"], TENANT);
    assert_eq!(post.body["bot"]["id"], format!("28:{APP_ID}"));
    let shown = post.shown();
    for needle in [
        "IT-1",
        "My laptop won't boot",
        "Alice Example",
        "High",
        "Open",
        "ThinkPad X1",
    ] {
        assert!(
            shown.contains(needle),
            "{needle} missing from the card: {shown}"
        );
    }
    assert_eq!(
        post.actions(),
        ["claim:IT-1", "close:IT-1", "wait:IT-1", "reassign:IT-1"]
    );
    let root = post.answered_id.clone().unwrap();
    assert_eq!(
        app.request("IT-1").card,
        Some(PostRef::new(Platform::Teams, IT_CHANNEL, root.clone()))
    );
    // The DM about the request is linked to it, so a reply quoting it finds the request.
    let thanks = dm_containing(&calls, ALICE, "Your request **IT-1** is with IT");
    let link = PostRef::new(
        Platform::Teams,
        ALICE.chat,
        thanks.answered_id.clone().unwrap(),
    );
    assert_eq!(
        app.engine
            .store()
            .request_by_post(&link)
            .unwrap()
            .map(|r| r.to_string())
            .as_deref(),
        Some("IT-1")
    );

    // Bob claims with the card's button: the card is updated in place, Alice hears of it.
    let calls = act(&app, app.card_click(BOB, &root, "claim:IT-1")).await;
    let put = calls
        .iter()
        .find(|c| c.method == "PUT")
        .expect("the card is updated");
    assert_eq!(put.conversation.as_deref(), Some(thread_of(&root).as_str()));
    assert_eq!(put.activity.as_deref(), Some(root.as_str()));
    assert_eq!(put.body["id"], root);
    assert!(
        put.shown().contains("Claimed") && put.shown().contains("Bob Agent"),
        "{}",
        put.shown()
    );
    assert_eq!(
        put.actions(),
        [
            "close:IT-1",
            "wait:IT-1",
            "takeover:IT-1",
            "reassign:IT-1",
            "unassign:IT-1"
        ]
    );
    let told = dm_containing(&calls, ALICE, "is now working on **IT-1**");
    assert!(
        told.shown().starts_with("<at>Bob Agent</at>"),
        "{}",
        told.shown()
    );
    assert_eq!(told.body["entities"][0]["mentioned"]["id"], BOB.id);
    assert_eq!(app.request("IT-1").status, Status::Claimed);

    // The same activity delivered twice is handled once.
    let again = app.card_click(BOB, &root, "claim:IT-1");
    app.post(&again).await;
    app.drain().await;
    let before = app.standin.calls().len();
    app.post(&again).await;
    app.drain().await;
    assert_eq!(
        app.standin.calls().len(),
        before,
        "a redelivered activity did something again"
    );

    // Claiming again earns Bob a notice in a personal chat that first has to be created.
    let created: Vec<Call> = app
        .standin
        .calls()
        .into_iter()
        .filter(|c| c.raw_path == "/teams/v3/conversations" && c.body["isGroup"] == false)
        .collect();
    assert_eq!(created.len(), 1, "one 1:1 conversation created for Bob");
    assert_eq!(created[0].body["members"][0]["id"], BOB.id);
    assert_eq!(created[0].body["channelData"]["tenant"]["id"], TENANT);
    let bob_chat = created[0].answered_id.clone().unwrap();
    let notices: Vec<Call> = app
        .standin
        .calls()
        .into_iter()
        .filter(|c| c.conversation.as_deref() == Some(bob_chat.as_str()))
        .collect();
    assert!(
        notices[0].shown().contains("You already have IT-1"),
        "{notices:#?}"
    );
    assert_eq!(
        app.user_ref(BOB).unwrap()["personal_conversation"],
        bob_chat
    );

    // Bob's reply in the card's thread reaches Alice's personal chat, without the @mention.
    let calls = act(
        &app,
        app.thread_reply(BOB, &root, "Try holding the power button for 10s"),
    )
    .await;
    let relayed = dm_containing(&calls, ALICE, "Try holding the power button for 10s");
    assert!(
        !relayed.shown().contains("frontdesk"),
        "{}",
        relayed.shown()
    );
    assert_eq!(
        calls.len(),
        1,
        "the relay is marked by nothing else in the thread: {calls:#?}"
    );

    // Alice's answer in her personal chat goes to the card's thread.
    let calls = act(&app, app.dm(ALICE, "Still broken after that")).await;
    let in_thread: Vec<&Call> = calls
        .iter()
        .filter(|c| c.conversation.as_deref() == Some(thread_of(&root).as_str()))
        .collect();
    assert_eq!(in_thread.len(), 1, "{calls:#?}");
    assert!(in_thread[0].shown().contains("Still broken after that"));
    assert!(
        in_thread[0]
            .shown()
            .contains("<at>Alice Example</at> (requester) wrote"),
        "{}",
        in_thread[0].shown()
    );
    dm_containing(&calls, ALICE, "Passed on to the team handling IT-1");

    // A 👍 ("like") on the card closes it; Alice gets the survey as a card with five buttons.
    let calls = act(&app, app.reaction(BOB, &root, "like", true)).await;
    let put = calls
        .iter()
        .find(|c| c.method == "PUT")
        .expect("the card is updated");
    assert!(put.shown().contains("Closed"));
    assert_eq!(put.actions(), ["reopen:IT-1"]);
    dm_containing(&calls, ALICE, "was closed by <at>Bob Agent</at>");
    let survey = dm_containing(&calls, ALICE, "How did we do with");
    assert_eq!(
        survey.actions(),
        [
            "rate:IT-1:1",
            "rate:IT-1:2",
            "rate:IT-1:3",
            "rate:IT-1:4",
            "rate:IT-1:5"
        ]
    );
    let first_survey = survey.answered_id.clone().unwrap();
    assert_eq!(app.request("IT-1").status, Status::Closed);

    // Reopen with the card's button, then close with its Close button.
    let calls = act(&app, app.card_click(BOB, &root, "reopen:IT-1")).await;
    assert_eq!(
        calls.iter().find(|c| c.method == "PUT").unwrap().actions(),
        [
            "close:IT-1",
            "wait:IT-1",
            "takeover:IT-1",
            "reassign:IT-1",
            "unassign:IT-1"
        ]
    );
    let told = dm_containing(&calls, ALICE, "was reopened by <at>Bob Agent</at>");
    assert!(
        told.shown().contains("Its survey is withdrawn"),
        "{}",
        told.shown()
    );
    assert_eq!(app.request("IT-1").status, Status::Claimed);
    // A click on the withdrawn survey: that card is replaced by a note saying so.
    let calls = act(&app, app.dm_click(ALICE, &first_survey, "rate:IT-1:5")).await;
    let note = calls
        .iter()
        .find(|c| c.method == "PUT" && c.activity.as_deref() == Some(first_survey.as_str()))
        .expect("the withdrawn survey card is replaced");
    assert!(
        note.shown().contains("was withdrawn when it was reopened"),
        "{}",
        note.shown()
    );
    assert!(note.actions().is_empty());
    assert!(to_chat(&calls, ALICE).is_empty(), "{calls:#?}");
    assert_eq!(app.request("IT-1").survey.rating, None);
    let calls = act(&app, app.card_click(BOB, &root, "close:IT-1")).await;
    assert_eq!(
        calls.iter().find(|c| c.method == "PUT").unwrap().actions(),
        ["reopen:IT-1"]
    );
    let survey = dm_containing(&calls, ALICE, "How did we do with").clone();
    assert_eq!(app.request("IT-1").status, Status::Closed);

    // Rating: the survey card is replaced in place by a "thanks" card, delivered through the
    // outbox like every other message, before the request for a comment.
    let survey_id = survey.answered_id.clone().unwrap();
    let calls = act(&app, app.dm_click(ALICE, &survey_id, "rate:IT-1:4")).await;
    let replaced =
        |c: &Call| c.method == "PUT" && c.activity.as_deref() == Some(survey_id.as_str());
    let thanks_at = calls
        .iter()
        .position(replaced)
        .expect("the survey card is replaced");
    let thanks = &calls[thanks_at];
    assert_eq!(thanks.conversation.as_deref(), Some(ALICE.chat));
    assert!(
        thanks.shown().contains("you rated **IT-1** 4/5"),
        "{}",
        thanks.shown()
    );
    assert!(thanks.actions().is_empty());
    let ask = dm_containing(&calls, ALICE, "Anything you'd like to add?");
    assert_eq!(ask.actions(), ["nocomment:IT-1"]);
    let ask_at = calls.iter().position(|c| std::ptr::eq(c, ask)).unwrap();
    assert!(thanks_at < ask_at, "{calls:#?}");

    // The typed comment is stored with the rating.
    let calls = act(&app, app.dm(ALICE, "Quick and friendly, thanks")).await;
    dm_containing(&calls, ALICE, "Thank you for your feedback!");
    let r = app.request("IT-1");
    assert_eq!(r.status, Status::Closed);
    assert_eq!(r.survey.rating, Some(4));
    assert_eq!(
        r.survey.comment.as_deref(),
        Some("Quick and friendly, thanks")
    );
    assert_eq!(r.survey.state, SurveyState::Done);

    // One token served every call, and only the stand-in's Connector ever saw it.
    let tokens = app.standin.token_requests();
    assert_eq!(tokens.len(), 1, "the token is cached");
    let form: std::collections::HashMap<_, _> = tokens[0].iter().cloned().collect();
    assert_eq!(form["grant_type"], "client_credentials");
    assert_eq!(form["client_id"], APP_ID);
    assert_eq!(form["client_secret"], PASSWORD);
    assert_eq!(form["scope"], "https://api.botframework.com/.default");
    for c in app.standin.calls() {
        assert_eq!(
            c.authorization.as_deref(),
            Some("Bearer stand-in-token-1"),
            "{c:#?}"
        );
    }
    assert_eq!(app.engine.store().outbox_len(), 0);
    assert_eq!(app.engine.store().dead_letter_len(), 0);
}

#[tokio::test]
async fn a_channel_mention_outside_request_threads_gets_a_pointer_in_its_thread() {
    let app = TeamsApp::spawn().await;
    let mention = app.channel_mention(BOB, "help");
    app.post(&mention).await;
    let id = mention["id"].as_str().unwrap().to_string();
    // The pointer is a durable message like any other: stored before the activity is
    // acknowledged, sent by the outbox.
    assert_eq!(app.engine.store().outbox_len(), 1);
    app.drain().await;
    let calls = app.standin.calls();
    assert_eq!(calls.len(), 1, "{calls:#?}");
    assert_eq!(
        calls[0].conversation.as_deref(),
        Some(thread_of(&id).as_str())
    );
    assert!(
        calls[0]
            .shown()
            .contains("open a chat with me and type `help`"),
        "{}",
        calls[0].shown()
    );
    assert_eq!(app.engine.store().outbox_len(), 0);
    // A redelivery of the same activity is not answered twice.
    app.post(&mention).await;
    assert_eq!(app.engine.store().outbox_len(), 0);
}

/// Runs Alice's intake with typed answers only; returns the request card's message id.
async fn open_request(app: &TeamsApp) -> String {
    for text in [
        "help it",
        "yes",
        "VPN drops every hour",
        "Work laptop",
        "urgent",
        "submit",
    ] {
        app.post(&app.dm(ALICE, text)).await;
    }
    app.drain().await;
    app.request("IT-1").card.expect("the card is posted").id
}

#[tokio::test]
async fn reminders_reach_the_card_thread_and_survey_reminders_the_personal_chat() {
    let app = TeamsApp::spawn().await;
    let root = open_request(&app).await;
    assert_eq!(
        app.request("IT-1").priority,
        frontdesk::core::Priority::Urgent
    );

    // Nobody responds within the service level: the reminder goes under the card.
    app.advance(chrono::Duration::hours(4) + chrono::Duration::minutes(1));
    assert_eq!(app.scheduler.fire_due().await.unwrap(), 1);
    let before = app.standin.calls().len();
    app.drain().await;
    let calls = app.standin.calls_since(before);
    let reminder = last(&calls);
    assert_eq!(
        reminder.conversation.as_deref(),
        Some(thread_of(&root).as_str())
    );
    assert!(
        reminder.shown().contains("has waited 4h 1m"),
        "{}",
        reminder.shown()
    );
    assert_eq!(reminder.actions(), ["claim:IT-1"]);

    // Its Claim button works from the thread.
    let mut click = app.card_click(BOB, &root, "claim:IT-1");
    click["replyToId"] = serde_json::json!(reminder.answered_id.clone().unwrap());
    act(&app, click).await;
    assert_eq!(app.request("IT-1").status, Status::Claimed);

    // Closed, and the survey is not answered for a day: a reminder with the buttons again.
    act(&app, app.card_click(BOB, &root, "close:IT-1")).await;
    app.advance(chrono::Duration::hours(25));
    assert!(app.scheduler.fire_due().await.unwrap() >= 1);
    let before = app.standin.calls().len();
    app.drain().await;
    let calls = app.standin.calls_since(before);
    let again = dm_containing(&calls, ALICE, "A quick reminder");
    assert_eq!(again.actions().len(), 5);
}

// ---- inbound authentication ----

fn assert_nothing_stored(app: &TeamsApp, who: Person) {
    let store = app.engine.store();
    assert!(
        store.session(&who.user()).unwrap().is_empty(),
        "a session was stored for {}",
        who.name
    );
    assert!(
        app.user_ref(who).is_none(),
        "a conversation reference was stored for {}",
        who.name
    );
    assert_eq!(store.outbox_len(), 0, "something was queued for delivery");
    assert_eq!(store.request_count(), 0);
}

#[tokio::test]
async fn activities_without_a_valid_bot_framework_token_get_401_and_nothing_is_stored() {
    let app = TeamsApp::spawn().await;
    let activity = app.dm(MALLORY, "help it");
    let service_url = app.standin.service_url();
    let now = app.now();
    let claims = |change: &dyn Fn(&mut serde_json::Value)| {
        let mut c = app.claims(&service_url);
        change(&mut c);
        c
    };
    let cases: Vec<(&str, Option<String>, &str)> = vec![
        ("no Authorization header", None, "missing Authorization"),
        (
            "not a bearer token",
            Some("Basic bWFsbG9yeTpwdw==".into()),
            "Bearer",
        ),
        (
            "garbled token",
            Some("Bearer not-a-jwt".into()),
            "not a JWT",
        ),
        ("empty bearer", Some("Bearer ".into()), "Bearer"),
        (
            "forged: signed with another key under our key id",
            Some(format!(
                "Bearer {}",
                app.sign(OTHER_KEY, "k1", &claims(&|_| {}))
            )),
            "bad signature",
        ),
        (
            "expired beyond the clock skew",
            Some(format!(
                "Bearer {}",
                app.sign(TEST_KEY, "k1", &claims(&|c| c["exp"] = json!(now - 301)))
            )),
            "expired",
        ),
        (
            "not valid yet",
            Some(format!(
                "Bearer {}",
                app.sign(TEST_KEY, "k1", &claims(&|c| c["nbf"] = json!(now + 301)))
            )),
            "not valid yet",
        ),
        (
            "wrong audience",
            Some(format!(
                "Bearer {}",
                app.sign(
                    TEST_KEY,
                    "k1",
                    &claims(&|c| c["aud"] = json!("another-bot"))
                )
            )),
            "audience",
        ),
        (
            "wrong issuer",
            Some(format!(
                "Bearer {}",
                app.sign(
                    TEST_KEY,
                    "k1",
                    &claims(&|c| c["iss"] = json!("https://sts.windows.net/evil/"))
                )
            )),
            "issuer",
        ),
        (
            "key not endorsed for msteams",
            Some(format!(
                "Bearer {}",
                app.sign(TEST_KEY, "k-skype", &claims(&|_| {}))
            )),
            "endorsed",
        ),
        (
            "serviceurl claim for another service URL",
            Some(format!(
                "Bearer {}",
                app.sign(
                    TEST_KEY,
                    "k1",
                    &claims(&|c| c["serviceurl"] = json!("https://smba.trafficmanager.net/amer/"))
                )
            )),
            "serviceurl",
        ),
        (
            "no serviceurl claim",
            Some(format!(
                "Bearer {}",
                app.sign(
                    TEST_KEY,
                    "k1",
                    &claims(&|c| {
                        c.as_object_mut().unwrap().remove("serviceurl");
                    })
                )
            )),
            "serviceurl",
        ),
    ];
    for (what, authorization, reason) in cases {
        let r = app
            .post_raw(serde_json::to_vec(&activity).unwrap(), authorization)
            .await;
        assert_eq!(r.status(), 401, "{what}");
        let body = r.text().await.unwrap();
        assert!(
            body.contains(reason),
            "{what}: {body:?} should say {reason:?}"
        );
    }
    // A valid token for another activity's service URL doesn't carry over to this one either.
    let mut moved = activity.clone();
    moved["serviceUrl"] = json!("https://smba.trafficmanager.net/amer/");
    let token = app.token_for(&activity);
    assert_eq!(app.post_with_token(&moved, &token).await.status(), 401);

    app.drain().await;
    assert_nothing_stored(&app, MALLORY);
    assert!(!app
        .engine
        .store()
        .seen(&format!(
            "teams:{}:{}",
            MALLORY.chat,
            activity["id"].as_str().unwrap()
        ))
        .unwrap());
    assert!(app.standin.calls().is_empty());
    assert!(app.standin.token_requests().is_empty());

    // The same activity with a good token goes through, so the refusals were about the token.
    app.post(&activity).await;
    assert!(app.user_ref(MALLORY).is_some());
}

#[tokio::test]
async fn malformed_bodies_are_400_once_the_header_is_there() {
    let app = TeamsApp::spawn().await;
    let token = app.token_for(&app.dm(ALICE, "hi"));
    let r = app
        .post_raw(b"{not json".to_vec(), Some(format!("Bearer {token}")))
        .await;
    assert_eq!(r.status(), 400);
    let r = app
        .post_raw(
            br#"{"type":"message","text":"no service url"}"#.to_vec(),
            Some(format!("Bearer {token}")),
        )
        .await;
    assert_eq!(r.status(), 400);
    // Without a header the answer is 401 whatever the body.
    assert_eq!(
        app.post_raw(b"{not json".to_vec(), None).await.status(),
        401
    );
    assert_nothing_stored(&app, ALICE);
}

#[tokio::test]
async fn an_unknown_key_id_refreshes_the_keys_once_and_no_more_often_than_every_five_minutes() {
    let app = TeamsApp::spawn().await;
    app.post(&app.dm(ALICE, "help")).await;
    assert_eq!(app.standin.metadata_fetches(), 1);
    app.post(&app.dm(ALICE, "status")).await;
    assert_eq!(app.standin.metadata_fetches(), 1, "keys are cached");

    // Microsoft rolls its keys over: a token signed with a key published after our fetch.
    app.standin.add_key(jwk(OTHER_KEY, "k2", &["msteams"]));
    let a = app.dm(ALICE, "help");
    let token = app.sign(OTHER_KEY, "k2", &app.claims(&app.standin.service_url()));
    assert_eq!(app.post_with_token(&a, &token).await.status(), 200);
    assert_eq!(
        app.standin.metadata_fetches(),
        2,
        "one refresh for the new key id"
    );

    // Made-up key ids don't turn into a stream of fetches.
    for _ in 0..3 {
        let a = app.dm(ALICE, "help");
        let token = app.sign(OTHER_KEY, "k3", &app.claims(&app.standin.service_url()));
        let r = app.post_with_token(&a, &token).await;
        assert_eq!(r.status(), 401);
        assert!(r.text().await.unwrap().contains("unknown signing key"));
    }
    assert_eq!(app.standin.metadata_fetches(), 2);
    app.advance(chrono::Duration::minutes(6));
    let a = app.dm(ALICE, "help");
    let token = app.sign(OTHER_KEY, "k3", &app.claims(&app.standin.service_url()));
    assert_eq!(app.post_with_token(&a, &token).await.status(), 401);
    assert_eq!(app.standin.metadata_fetches(), 3);

    // And keys older than a day are fetched again even when the key id is known.
    app.advance(chrono::Duration::hours(25));
    app.post(&app.dm(ALICE, "help")).await;
    assert_eq!(app.standin.metadata_fetches(), 4);
}

// ---- outbound ----

#[tokio::test]
async fn rate_limits_and_server_errors_are_retried_honouring_retry_after() {
    let app = TeamsApp::spawn().await;
    app.post(&app.dm(ALICE, "help")).await;
    app.standin.fail_next(429, Some(7));
    let attempt = app.outbox.try_deliver_next().await.unwrap();
    let Attempt::Retrying { id, at } = attempt else {
        panic!("expected a retry, got {attempt:?}")
    };
    use frontdesk::Clock;
    assert_eq!(
        at,
        app.clock.now() + chrono::Duration::seconds(7),
        "Retry-After is honoured"
    );
    let item = app.engine.store().outbox_item(id).unwrap().unwrap();
    assert!(item.last_error.unwrap().contains("429"));
    assert_eq!(app.drain().await, 0, "nothing is due before Retry-After");

    app.advance(chrono::Duration::seconds(7));
    app.standin.fail_next(503, None);
    assert!(matches!(
        app.outbox.try_deliver_next().await.unwrap(),
        Attempt::Retrying { .. }
    ));
    app.advance(chrono::Duration::seconds(60));
    assert_eq!(app.drain().await, 1);
    let chat = to_chat(&app.standin.calls(), ALICE)
        .into_iter()
        .cloned()
        .collect::<Vec<_>>();
    assert_eq!(chat.len(), 3, "two failures, then the help message");
    assert!(chat[2].answered_id.is_some() && chat[2].shown().contains("New request"));
    assert_eq!(app.engine.store().outbox_len(), 0);

    // A token lasts until five minutes before it expires (3599 s here), then a new one is fetched.
    assert_eq!(app.standin.token_requests().len(), 1);
    app.advance(chrono::Duration::seconds(3599 - 300 - 67 - 1));
    app.post(&app.dm(ALICE, "help")).await;
    app.drain().await;
    assert_eq!(app.standin.token_requests().len(), 1);
    app.advance(chrono::Duration::seconds(2));
    app.post(&app.dm(ALICE, "help")).await;
    app.drain().await;
    assert_eq!(app.standin.token_requests().len(), 2);
    assert_eq!(
        last(&app.standin.calls()).authorization.as_deref(),
        Some("Bearer stand-in-token-2")
    );
}

#[tokio::test]
async fn a_missing_conversation_or_a_refused_bot_is_a_dead_letter_not_a_retry() {
    let app = TeamsApp::spawn().await;
    app.post(&app.dm(ALICE, "help")).await;
    app.standin.fail_next(404, None);
    assert!(matches!(
        app.outbox.try_deliver_next().await.unwrap(),
        Attempt::DeadLettered(_)
    ));
    app.post(&app.dm(ALICE, "status")).await;
    app.standin.fail_next(403, None);
    assert!(matches!(
        app.outbox.try_deliver_next().await.unwrap(),
        Attempt::DeadLettered(_)
    ));
    let dead = app.engine.store().dead_letters().unwrap();
    assert!(
        dead[0].last_error.as_deref().unwrap().contains("404"),
        "{dead:?}"
    );
    assert!(
        dead[1].last_error.as_deref().unwrap().contains("403"),
        "{dead:?}"
    );
    // A 401 is retried once with a fresh token before it counts.
    app.post(&app.dm(ALICE, "help")).await;
    app.standin.fail_next(401, None);
    assert!(matches!(
        app.outbox.try_deliver_next().await.unwrap(),
        Attempt::Delivered(_)
    ));
    assert_eq!(app.standin.token_requests().len(), 2);
}

#[tokio::test]
async fn a_service_url_off_the_allowlist_never_receives_the_token() {
    let app = TeamsApp::spawn().await;
    // A second stand-in on another loopback address, which is not on the allowlist.
    let elsewhere = StandIn::start("127.0.0.2").await;
    let mut activity = app.dm(ALICE, "help");
    activity["serviceUrl"] = json!(elsewhere.service_url());
    // The Bot Connector signs whatever serviceUrl it sends; the token is valid for it.
    app.post(&activity).await;
    app.drain().await;
    let dead = app.engine.store().dead_letters().unwrap();
    assert_eq!(dead.len(), 1);
    let reason = dead[0].last_error.clone().unwrap();
    assert!(
        reason.contains("not on teams.service_url_hosts"),
        "{reason}"
    );
    assert_eq!(elsewhere.any_requests(), 0, "the other host was called");
    assert!(
        app.standin.token_requests().is_empty(),
        "no token was even fetched"
    );
    assert!(app.standin.calls().is_empty());
}

// ---- languages ----

/// `activity` as sent by a Teams client set to `locale`.
fn in_locale(mut activity: serde_json::Value, locale: &str) -> serde_json::Value {
    activity["locale"] = serde_json::json!(locale);
    activity
}

#[tokio::test]
async fn a_teams_user_whose_client_is_german_gets_german_messages_and_the_card_stays_in_the_default(
) {
    let app = TeamsApp::spawn().await;
    let calls = act(&app, in_locale(app.dm(ALICE, "help it"), "de-DE")).await;
    let q = last(&calls);
    assert_eq!(
        q.card().unwrap()["body"][0]["text"],
        "Das klingt nach einer Anfrage für **IT**. Stimmt das?"
    );
    let titles: Vec<&str> = q.card().unwrap()["actions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["title"].as_str().unwrap())
        .collect();
    assert_eq!(
        titles,
        [
            "Ja, IT",
            "Nein, ein anderes Team",
            "Formular ausfüllen",
            "Abbrechen"
        ]
    );
    assert_eq!(
        q.activity_json()["summary"],
        "Das klingt nach einer Anfrage für IT. Stimmt das?"
    );
    assert_eq!(app.user_ref(ALICE).unwrap()["locale"], "de-DE");

    // Teams clients say their language with every activity.
    let card = q.answered_id.clone().unwrap();
    let calls = act(
        &app,
        in_locale(app.dm_click(ALICE, &card, "dept_yes"), "de-DE"),
    )
    .await;
    assert!(
        last(&calls)
            .shown()
            .contains("Was brauchen Sie, in ein oder zwei Sätzen?"),
        "{}",
        last(&calls).shown()
    );
    for answer in ["My laptop won't boot", "ThinkPad X1", "high"] {
        act(&app, in_locale(app.dm(ALICE, answer), "de-DE")).await;
    }
    let calls = act(&app, in_locale(app.dm(ALICE, "submit"), "de-DE")).await;
    let thanks = dm_containing(&calls, ALICE, "Danke! Ihre Anfrage **IT-1** liegt bei IT.");
    assert!(
        thanks.shown().contains("innerhalb von 4 Std."),
        "{}",
        thanks.shown()
    );
    // The request card in the department channel reads the desk's default language.
    let posted = calls
        .iter()
        .find(|c| c.raw_path == "/teams/v3/conversations")
        .expect("the card is posted");
    let card = posted.body.to_string();
    assert!(
        card.contains("\"Requester\"") && card.contains("\"Claim\""),
        "{card}"
    );

    // A client switched to English is answered in English from then on.
    let calls = act(&app, in_locale(app.dm(ALICE, "status"), "en-US")).await;
    assert!(
        last(&calls).shown().starts_with("Your open requests:"),
        "{}",
        last(&calls).shown()
    );
}

#[tokio::test]
async fn typing_the_card_buttons_titles_in_german_files_the_request() {
    let app = TeamsApp::spawn().await;
    let de = |activity| in_locale(activity, "de-DE");
    let calls = act(&app, de(app.dm(ALICE, "my laptop won't boot"))).await;
    assert!(last(&calls).shown().contains("Stimmt das?"));
    // What the confirmation card's button says, typed instead of clicked.
    let calls = act(&app, de(app.dm(ALICE, "Ja, IT"))).await;
    assert!(
        last(&calls)
            .shown()
            .contains("Which device or system is affected?"),
        "{}",
        last(&calls).shown()
    );
    act(&app, de(app.dm(ALICE, "ThinkPad X1"))).await;
    // A command mid-draft: the draft stays at the urgency question.
    let calls = act(&app, de(app.dm(ALICE, "Status"))).await;
    let shown = last(&calls).shown();
    assert!(
        shown.contains("Sie haben keine offenen Anfragen.") && shown.contains("How urgent is it?"),
        "{shown}"
    );
    act(&app, de(app.dm(ALICE, "HIGH"))).await;
    let calls = act(&app, de(app.dm(ALICE, "absenden!"))).await;
    dm_containing(&calls, ALICE, "Danke! Ihre Anfrage **IT-1** liegt bei IT.");
    assert!(calls
        .iter()
        .any(|c| c.raw_path == "/teams/v3/conversations"));
    let r = app.request("IT-1");
    let values: Vec<_> = r.answers.iter().map(|a| a.value.clone()).collect();
    assert_eq!(
        values,
        [Some("ThinkPad X1".to_string()), Some("high".to_string())]
    );
}
