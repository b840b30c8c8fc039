//! Delivery under load, black-box: the real `frontdesk serve` against a fake Slack Web API
//! whose every answer takes a while. Many conversations are served at once, each one's
//! messages stay in order, a stuck or rate-limited destination holds only itself, and a
//! kill -9 with many posts in flight posts nothing twice.

use crate::helpers::fake_slack::FakeSlack;
use crate::helpers::metrics::scrape;
use crate::helpers::process::Server;
use crate::helpers::slack::{command, posts_to, ready, say, start};
use crate::helpers::{eventually, slack};
use std::path::Path;
use std::sync::atomic::Ordering;

fn serve(fake: &FakeSlack, data: &Path, config: Option<&Path>) -> (Server, Vec<(String, String)>) {
    let env = slack::slack_env(fake, data, config);
    (start(&env), env)
}

/// The example configuration with pacing loosened: these tests are about concurrency, and
/// eight cards at once would otherwise be paced to Slack's one a second per channel.
fn unpaced_config(dir: &Path) -> std::path::PathBuf {
    let example = include_str!("../../frontdesk.example.toml")
        .replace("slack_channel_rate = 1.0", "slack_channel_rate = 1000.0")
        .replace("slack_channel_burst = 4", "slack_channel_burst = 1000");
    assert!(example.contains("slack_channel_rate = 1000.0"));
    let path = dir.join("frontdesk.toml");
    std::fs::write(&path, example).unwrap();
    path
}

/// Every post into `channel` (each thread on its own) carries a larger outbox id than the one
/// before it: the order the desk decided.
fn assert_in_decided_order(fake: &FakeSlack, channel: &str) {
    let posts = fake.behaviour().outbox_ids_in(channel);
    assert!(!posts.is_empty(), "nothing was posted into {channel}");
    let mut last: std::collections::HashMap<Option<String>, u64> = Default::default();
    for (thread, id) in posts {
        if let Some(before) = last.insert(thread.clone(), id) {
            assert!(
                id > before,
                "{channel} (thread {thread:?}): outbox item {id} arrived after {before}"
            );
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn messages_to_many_users_go_out_in_parallel() {
    let fake = FakeSlack::start().await;
    fake.behaviour().delay_ms.store(300, Ordering::SeqCst);
    let dir = tempfile::tempdir().unwrap();
    let (server, _) = serve(&fake, dir.path(), None);
    ready(&server).await;
    let users: Vec<String> = (0..16).map(|i| format!("UPAR{i:02}")).collect();
    for (i, user) in users.iter().enumerate() {
        command(
            &server,
            user,
            "my laptop won't boot",
            &format!("trig-par-{i}"),
        )
        .await;
    }
    eventually("a first question for every user", || async {
        users
            .iter()
            .all(|u| !posts_to(&fake, &format!("D{u}")).is_empty())
            .then_some(())
    })
    .await;
    // One at a time, every post would have been alone with Slack.
    let most = fake.behaviour().max_posts_in_flight.load(Ordering::SeqCst);
    assert!(most >= 3, "at most {most} posts were in flight at once");
    assert!(server.stop().success());
}

#[tokio::test(flavor = "multi_thread")]
async fn each_conversation_gets_its_messages_in_the_order_the_desk_decided_them() {
    let fake = FakeSlack::start().await;
    // Answers come back in a shuffled order: 5 to 45 ms.
    fake.behaviour().delay_ms.store(5, Ordering::SeqCst);
    fake.behaviour().jitter_ms.store(40, Ordering::SeqCst);
    let dir = tempfile::tempdir().unwrap();
    let config = unpaced_config(dir.path());
    let (server, _) = serve(&fake, dir.path(), Some(&config));
    ready(&server).await;
    let users = ["UORD1", "UORD2", "UORD3"];
    for (n, user) in users.iter().enumerate() {
        command(
            &server,
            user,
            "my laptop won't boot",
            &format!("trig-ord-{n}"),
        )
        .await;
        // Answers typed faster than the bot's questions arrive.
        for (i, text) in ["yes", "ThinkPad", "high", "submit", "any news?", "hello?"]
            .iter()
            .enumerate()
        {
            say(
                &server,
                &format!("EvOrd{n}-{i}"),
                user,
                text,
                &format!("17000003{n}0.00000{i}"),
            )
            .await;
        }
    }
    eventually("three cards, each with its thread posts", || async {
        (fake
            .behaviour()
            .outbox_ids_in("C0IT")
            .iter()
            .filter(|(thread, _)| thread.is_some())
            .count()
            >= 6)
            .then_some(())
    })
    .await;
    for user in users {
        assert_in_decided_order(&fake, &format!("D{user}"));
    }
    assert_in_decided_order(&fake, "C0IT");
    assert!(server.stop().success());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_stuck_destination_does_not_hold_up_anyone_else() {
    let fake = FakeSlack::start().await;
    fake.behaviour().hold_channel("DUSTUCK");
    let dir = tempfile::tempdir().unwrap();
    let (server, _) = serve(&fake, dir.path(), None);
    ready(&server).await;
    command(&server, "USTUCK", "my laptop won't boot", "trig-stuck").await;
    eventually("the post into the stuck DM is taken", || async {
        (!fake.behaviour().outbox_ids_in("DUSTUCK").is_empty()).then_some(())
    })
    .await;
    // Its answer never comes (the bot gives up on it after 30 s); others go meanwhile.
    for (i, user) in ["UFREE1", "UFREE2"].iter().enumerate() {
        command(&server, user, "the vpn drops", &format!("trig-free-{i}")).await;
        say(
            &server,
            &format!("EvFree{i}"),
            user,
            "yes",
            &format!("1700000400.00000{i}"),
        )
        .await;
    }
    eventually("the others' questions", || async {
        ["DUFREE1", "DUFREE2"]
            .iter()
            .all(|d| posts_to(&fake, d).len() >= 2)
            .then_some(())
    })
    .await;
    // The others' deliveries finish; the stuck one stays in flight.
    let url = server.url("");
    eventually("only the stuck delivery in flight", || async {
        (scrape(&url).await.get("frontdesk_outbox_in_flight", &[]) == 1.0).then_some(())
    })
    .await;
    fake.behaviour().release_channels();
    server.kill_9();
}

#[tokio::test(flavor = "multi_thread")]
async fn a_rate_limit_pauses_only_the_method_it_was_about() {
    let fake = FakeSlack::start().await;
    let dir = tempfile::tempdir().unwrap();
    let (server, _) = serve(&fake, dir.path(), None);
    ready(&server).await;
    // UKNOWN wrote to the bot, so its DM channel is known and needs no conversations.open.
    say(&server, "EvKnown", "UKNOWN", "hello", "1700000500.000001").await;
    eventually("the answer to the hello", || async {
        (!posts_to(&fake, "DUKNOWN").is_empty()).then_some(())
    })
    .await;
    fake.behaviour().rate_limit("conversations.open", 60);
    let opens_before = fake.calls_to("conversations.open").len();
    command(&server, "UNEW1", "my laptop won't boot", "trig-rl-1").await;
    eventually("the rate-limited conversations.open", || async {
        (fake.calls_to("conversations.open").len() > opens_before).then_some(())
    })
    .await;
    // Another new user waits for the pause without asking Slack again; the known user's
    // conversation goes on.
    command(&server, "UNEW2", "my laptop won't boot", "trig-rl-2").await;
    let posts_before = posts_to(&fake, "DUKNOWN").len();
    command(&server, "UKNOWN", "my laptop won't boot", "trig-rl-3").await;
    eventually("the known user's question", || async {
        (posts_to(&fake, "DUKNOWN").len() > posts_before).then_some(())
    })
    .await;
    let url = server.url("");
    eventually("the paused delivery counted", || async {
        let m = scrape(&url).await;
        (m.get(
            "frontdesk_outbox_deferred_total",
            &[("platform", "slack"), ("reason", "paused")],
        ) >= 1.0
            && m.get("frontdesk_outbox_paused", &[("platform", "slack")]) == 1.0)
            .then_some(())
    })
    .await;
    assert_eq!(
        fake.calls_to("conversations.open").len(),
        opens_before + 1,
        "the paused method was not called again"
    );
    assert!(posts_to(&fake, "DUNEW1").is_empty() && posts_to(&fake, "DUNEW2").is_empty());
    assert!(server.stop().success());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_kill_with_many_cards_in_flight_posts_each_card_exactly_once() {
    let fake = FakeSlack::start().await;
    let dir = tempfile::tempdir().unwrap();
    let config = unpaced_config(dir.path());
    let (server, env) = serve(&fake, dir.path(), Some(&config));
    ready(&server).await;
    let users: Vec<String> = (0..8).map(|i| format!("UKILL{i}")).collect();
    for (n, user) in users.iter().enumerate() {
        command(
            &server,
            user,
            "my laptop won't boot",
            &format!("trig-kill-{n}"),
        )
        .await;
        for (i, text) in ["yes", "ThinkPad", "high"].iter().enumerate() {
            say(
                &server,
                &format!("EvKill{n}-{i}"),
                user,
                text,
                &format!("17000006{n}0.00000{i}"),
            )
            .await;
        }
    }
    eventually("every confirmation question", || async {
        users
            .iter()
            .all(|u| {
                posts_to(&fake, &format!("D{u}"))
                    .iter()
                    .any(|p| p["text"].as_str().unwrap_or("").contains("Submit it?"))
            })
            .then_some(())
    })
    .await;
    // Slack takes every card and answers none before the process dies.
    fake.behaviour().hold_channel("C0IT");
    for (n, user) in users.iter().enumerate() {
        say(
            &server,
            &format!("EvKillSubmit{n}"),
            user,
            "submit",
            &format!("17000006{n}0.000009"),
        )
        .await;
    }
    eventually("all eight cards in flight", || async {
        (fake.behaviour().outbox_ids_in("C0IT").len() >= users.len()).then_some(())
    })
    .await;
    server.kill_9();
    fake.behaviour().release_channels();

    let server = start(&env);
    ready(&server).await;
    let url = server.url("");
    eventually("the outbox empty after the restart", || async {
        (scrape(&url).await.get("frontdesk_outbox_depth", &[]) == 0.0).then_some(())
    })
    .await;
    assert!(server.stop().success());
    let cards = fake.behaviour().outbox_ids_in("C0IT");
    let mut ids: Vec<u64> = cards.iter().map(|(_, id)| *id).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(cards.len(), users.len(), "one post per card: {cards:?}");
    assert_eq!(ids.len(), users.len());
    assert!(
        fake.calls_to("conversations.history").len() >= users.len(),
        "each card looked for its earlier post"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_persons_dm_channel_is_opened_once_also_across_a_restart() {
    let fake = FakeSlack::start().await;
    let dir = tempfile::tempdir().unwrap();
    let (server, env) = serve(&fake, dir.path(), None);
    ready(&server).await;
    command(&server, "UONCE", "my laptop won't boot", "trig-once-1").await;
    // The person answers once the question reached them, as a person does: a DM from them
    // would otherwise tell the desk their DM channel before it had to open one.
    eventually("the first question", || async {
        (!posts_to(&fake, "DUONCE").is_empty()).then_some(())
    })
    .await;
    for (i, text) in ["yes", "ThinkPad", "cancel"].iter().enumerate() {
        say(
            &server,
            &format!("EvOnce{i}"),
            "UONCE",
            text,
            &format!("1700000700.00000{i}"),
        )
        .await;
    }
    eventually("four messages", || async {
        (posts_to(&fake, "DUONCE").len() >= 4).then_some(())
    })
    .await;
    assert_eq!(fake.calls_to("conversations.open").len(), 1);
    assert!(server.stop().success());

    // A fresh process, and a command (from a channel, not the DM): the DM channel can only
    // come from the store.
    let server = start(&env);
    ready(&server).await;
    let before = posts_to(&fake, "DUONCE").len();
    command(&server, "UONCE", "my laptop won't boot", "trig-once-2").await;
    eventually("the first question of the new request", || async {
        (posts_to(&fake, "DUONCE").len() > before).then_some(())
    })
    .await;
    assert_eq!(
        fake.calls_to("conversations.open").len(),
        1,
        "the channel came from the store"
    );
    assert!(server.stop().success());
}
