//! Thank-yous after the survey, on the fake Slack and the Teams stand-in: rate, the offer to
//! thank the agent, a click, an optional note, and the post in the department channel naming
//! the agent; declining posts nothing.
//!
//! See: issue 16 (point 3).

use crate::helpers::slack::{SlackApp, AGENT, IT_CHANNEL};
use crate::helpers::teams::{TeamsApp, ALICE, BOB};
use frontdesk::core::{Event, SurveyState};

const REQUESTER: &str = "UREQ";

/// A request filed, closed by the agent with the close reaction, rated 5 and commented.
async fn surveyed(app: &SlackApp) -> String {
    let id = app.file_it_request(REQUESTER, "my vpn is broken").await;
    let card_ts = app.card_ts(&id);
    app.react(true, AGENT, IT_CHANNEL, &card_ts, "white_check_mark")
        .await;
    app.drain().await;
    app.click(REQUESTER, &format!("rate:{id}:5")).await;
    app.drain().await;
    app.dm(REQUESTER, "Quick fix!").await;
    app.drain().await;
    id
}

fn thanks_posts(app: &SlackApp) -> Vec<String> {
    app.fake
        .posts_to(IT_CHANNEL)
        .into_iter()
        .map(|p| p.to_string())
        .filter(|p| p.contains("says thanks to"))
        .collect()
}

#[tokio::test]
async fn a_requester_thanks_the_agent_in_the_slack_channel_with_a_note() {
    let app = SlackApp::spawn().await;
    let id = surveyed(&app).await;
    let offer = app.last_dm(REQUESTER);
    assert!(offer.str("text").contains("Thank you for your feedback"));
    assert!(
        offer.text_everywhere().contains(&format!("<@{AGENT}>")),
        "{offer:?}"
    );
    assert_eq!(offer.button_values(), [format!("thank:{id}")]);
    assert!(thanks_posts(&app).is_empty(), "opt-in: nothing yet");

    app.click(REQUESTER, &format!("thank:{id}")).await;
    app.drain().await;
    let ask = app.last_dm(REQUESTER);
    assert_eq!(
        ask.button_values(),
        [format!("thanksend:{id}"), format!("nothanks:{id}")]
    );
    app.dm(REQUESTER, "You saved my presentation").await;
    app.drain().await;

    let posts = thanks_posts(&app);
    assert_eq!(posts.len(), 1, "{posts:?}");
    assert!(posts[0].contains(&format!("<@{AGENT}>")), "{}", posts[0]);
    assert!(
        posts[0].contains(&format!("<@{REQUESTER}>")),
        "{}",
        posts[0]
    );
    assert!(
        posts[0].contains("You saved my presentation"),
        "{}",
        posts[0]
    );
    // A post of its own, not in the card's thread.
    assert!(app
        .fake
        .posts_to(IT_CHANNEL)
        .iter()
        .filter(|p| p.to_string().contains("says thanks to"))
        .all(|p| p.get("thread_ts").is_none()));
    let r = app.request(&id);
    assert!(r.history.iter().any(|h| h.event
        == Event::Thanked {
            agent: frontdesk::core::UserRef::new(frontdesk::core::Platform::Slack, AGENT),
            text: "You saved my presentation".into()
        }));
    assert!(app.last_dm(REQUESTER).str("text").contains("is posted"));
}

#[tokio::test]
async fn declining_or_never_clicking_posts_no_thank_you_on_slack() {
    let app = SlackApp::spawn().await;
    let id = surveyed(&app).await;
    // Not clicking: nothing is posted.
    assert!(thanks_posts(&app).is_empty());

    app.click(REQUESTER, &format!("thank:{id}")).await;
    app.drain().await;
    app.dm(REQUESTER, "no thanks").await;
    app.drain().await;
    assert!(thanks_posts(&app).is_empty());
    let told = app.last_dm(REQUESTER);
    assert!(told.str("text").contains("nothing was posted"), "{told:?}");
    let r = app.request(&id);
    assert_eq!(r.survey.state, SurveyState::Done);
    assert!(!r
        .history
        .iter()
        .any(|h| matches!(h.event, Event::Thanked { .. })));
}

/// Alice's request, claimed and closed by Bob, rated and its comment skipped.
async fn teams_surveyed(app: &TeamsApp) -> String {
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
    let root = app.request("IT-1").card.expect("the card is posted").id;
    app.post(&app.card_click(BOB, &root, "claim:IT-1")).await;
    app.drain().await;
    app.post(&app.card_click(BOB, &root, "close:IT-1")).await;
    app.drain().await;
    app.post(&app.dm(ALICE, "5")).await;
    app.drain().await;
    app.post(&app.dm(ALICE, "skip")).await;
    app.drain().await;
    root
}

fn teams_thanks(app: &TeamsApp) -> Vec<crate::helpers::teams_standin::Call> {
    app.standin
        .calls()
        .into_iter()
        .filter(|c| c.body["isGroup"] == true && c.shown().contains("says thanks to"))
        .collect()
}

#[tokio::test]
async fn a_requester_thanks_the_agent_in_the_teams_channel() {
    let app = TeamsApp::spawn().await;
    teams_surveyed(&app).await;
    let offer = app
        .standin
        .calls()
        .into_iter()
        .rev()
        .find(|c| c.shown().contains("Thank you for your feedback"))
        .expect("the survey's last message");
    assert_eq!(offer.actions(), ["thank:IT-1"]);
    assert!(offer.shown().contains("Bob"), "{}", offer.shown());

    app.post(&app.dm_click(ALICE, "card", "thank:IT-1")).await;
    app.drain().await;
    app.post(&app.dm(ALICE, "Thanks for the quick fix")).await;
    app.drain().await;
    let posts = teams_thanks(&app);
    assert_eq!(posts.len(), 1, "{posts:#?}");
    assert_eq!(
        posts[0].body["channelData"]["channel"]["id"],
        crate::helpers::teams::IT_CHANNEL
    );
    let shown = posts[0].shown();
    assert!(shown.contains("Bob"), "{shown}");
    assert!(shown.contains("Thanks for the quick fix"), "{shown}");
}

#[tokio::test]
async fn declining_on_teams_posts_nothing() {
    let app = TeamsApp::spawn().await;
    teams_surveyed(&app).await;
    app.post(&app.dm_click(ALICE, "card", "thank:IT-1")).await;
    app.drain().await;
    app.post(&app.dm_click(ALICE, "card", "nothanks:IT-1"))
        .await;
    app.drain().await;
    assert!(teams_thanks(&app).is_empty());
    assert_eq!(app.request("IT-1").survey.state, SurveyState::Done);
}
