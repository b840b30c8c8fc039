//! The weekly digest posted in the department channels at `digest.when`, on the fake Slack
//! and the Teams stand-in: once per department per week, across restarts and downtime, and
//! not for a quiet week. The clock is a manual one; the scheduler and the outbox are driven
//! by hand.
//!
//! See: issue 16 (point 2).

use crate::helpers::fake_slack::FakeSlack;
use crate::helpers::slack::{SlackApp, IT_CHANNEL};
use crate::helpers::teams::{TeamsApp, ALICE, BOB};
use chrono::{TimeZone, Utc};
use frontdesk::core::Timestamp;
use std::path::PathBuf;
use std::time::Duration;

fn utc(y: i32, m: u32, d: u32, h: u32, min: u32) -> Timestamp {
    Utc.with_ymd_and_hms(y, m, d, h, min, 0).unwrap()
}

/// Every department's digest at Friday 16:00 in Berlin, the store in `dir`.
fn digest_on_fridays(dir: PathBuf) -> impl FnOnce(&mut frontdesk::config::Config) {
    move |c| {
        c.server.data_dir = dir;
        c.digest.when = Some("Fri 16:00".into());
        for d in &mut c.departments {
            d.timezone = "Europe/Berlin".into();
        }
    }
}

/// The digests the fake Slack was sent, per channel.
fn slack_digests(fake: &FakeSlack) -> Vec<(String, String)> {
    fake.calls_to("chat.postMessage")
        .into_iter()
        .filter(|c| !c.rate_limited)
        .map(|c| {
            (
                c.body["channel"].as_str().unwrap_or("").to_string(),
                c.body.to_string(),
            )
        })
        .filter(|(_, body)| body.contains("weekly digest"))
        .collect()
}

static STARTS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// The desk on `dir` again, once the stopped one has let go of the store, its clock at `now`.
async fn restarted(fake: &FakeSlack, dir: &std::path::Path, now: Timestamp) -> SlackApp {
    for _ in 0..100 {
        match SlackApp::build(fake.clone(), digest_on_fridays(dir.to_path_buf())).await {
            Ok(app) => {
                app.clock.set(now);
                // Fresh trigger ids: the ones an earlier app used are remembered as handled.
                let generation = STARTS.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                for _ in 0..generation * 1000 {
                    app.new_ts();
                }
                return app;
            }
            Err(_) => tokio::time::sleep(Duration::from_millis(50)).await,
        }
    }
    panic!("the store stayed locked");
}

/// Fires what is due and delivers it.
async fn tick(app: &SlackApp) {
    app.scheduler.fire_due().await.expect("the scheduler fires");
    app.drain().await;
}

#[tokio::test]
async fn the_digest_is_posted_once_a_week_in_the_channel_across_restarts_and_downtime() {
    let data = tempfile::tempdir().unwrap();
    let dir = data.path().to_path_buf();
    let fake = FakeSlack::start().await;
    // Wednesday 2 December 2026; Friday 16:00 in Berlin is 15:00 UTC.
    let app = restarted(&fake, &dir, utc(2026, 12, 2, 9, 0)).await;
    tick(&app).await;
    app.file_it_request("UREQ", "vpn drops").await;
    assert!(slack_digests(&fake).is_empty());

    // Friday 16:00 in Berlin: one post in IT's channel; the other departments had a quiet week.
    app.clock.set(utc(2026, 12, 4, 14, 59));
    tick(&app).await;
    assert!(slack_digests(&fake).is_empty());
    app.clock.set(utc(2026, 12, 4, 15, 0));
    tick(&app).await;
    let posted = slack_digests(&fake);
    assert_eq!(posted.len(), 1, "{posted:?}");
    assert_eq!(posted[0].0, IT_CHANNEL);
    assert!(posted[0].1.contains("2026-W49"), "{}", posted[0].1);
    assert!(posted[0].1.contains("filed: 1"), "{}", posted[0].1);
    app.clock.set(utc(2026, 12, 4, 15, 30));
    tick(&app).await;
    assert_eq!(slack_digests(&fake).len(), 1);

    // A restart an hour later doesn't post again.
    app.app.shutdown().await;
    let app = restarted(&fake, &dir, utc(2026, 12, 4, 16, 0)).await;
    tick(&app).await;
    assert_eq!(slack_digests(&fake).len(), 1);

    // A week with no requests: the timer fires, nothing is posted.
    app.clock.set(utc(2026, 12, 11, 15, 0));
    tick(&app).await;
    assert_eq!(slack_digests(&fake).len(), 1);

    // A request on Monday, then the desk is down over Friday: posted once when it starts.
    app.clock.set(utc(2026, 12, 14, 9, 0));
    app.file_it_request("UREQ2", "printer jams").await;
    app.app.shutdown().await;
    let app = restarted(&fake, &dir, utc(2026, 12, 23, 8, 0)).await;
    tick(&app).await;
    let posted = slack_digests(&fake);
    assert_eq!(posted.len(), 2, "{posted:?}");
    assert!(posted[1].1.contains("2026-W51"), "{}", posted[1].1);
    tick(&app).await;
    assert_eq!(slack_digests(&fake).len(), 2);
    app.app.shutdown().await;
    let app = restarted(&fake, &dir, utc(2026, 12, 23, 9, 0)).await;
    tick(&app).await;
    assert_eq!(slack_digests(&fake).len(), 2);
}

#[tokio::test]
async fn without_digest_when_nothing_is_scheduled() {
    let app = SlackApp::spawn().await;
    app.file_it_request("UREQ", "vpn drops").await;
    assert_eq!(app.scheduler.catch_up_digests().await.unwrap(), 0);
    app.advance(Duration::from_secs(8 * 24 * 3600));
    app.scheduler.fire_due().await.unwrap();
    app.drain().await;
    assert!(slack_digests(&app.fake).is_empty());
}

/// Runs Alice's intake with typed answers only.
async fn open_request(app: &TeamsApp) {
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
}

#[tokio::test]
async fn the_digest_is_posted_once_a_week_in_the_teams_channel() {
    // The stand-in's clock starts on Monday 16 June 2025, 09:00 UTC.
    let app = TeamsApp::spawn_with(|c| c.digest.when = Some("Mon 10:00".into())).await;
    assert_eq!(app.scheduler.fire_due().await.unwrap(), 0);
    open_request(&app).await;
    let digests = |app: &TeamsApp| {
        app.standin
            .calls()
            .into_iter()
            .filter(|c| c.body["isGroup"] == true && c.shown().contains("weekly digest"))
            .collect::<Vec<_>>()
    };
    app.advance(chrono::Duration::hours(1));
    assert!(app.scheduler.fire_due().await.unwrap() >= 1);
    app.drain().await;
    let posted = digests(&app);
    assert_eq!(posted.len(), 1, "{posted:#?}");
    assert_eq!(
        posted[0].body["channelData"]["channel"]["id"],
        crate::helpers::teams::IT_CHANNEL
    );
    assert!(
        posted[0].shown().contains("2025-W25"),
        "{}",
        posted[0].shown()
    );
    app.scheduler.fire_due().await.unwrap();
    app.drain().await;
    assert_eq!(digests(&app).len(), 1);
    // A restart doesn't post again.
    let on_mondays = |c: &mut frontdesk::config::Config| c.digest.when = Some("Mon 10:00".into());
    let app = app.restarted(on_mondays).await;
    app.scheduler.fire_due().await.unwrap();
    app.drain().await;
    assert_eq!(digests(&app).len(), 1);
    // The next week nothing new happened: no post.
    app.advance(chrono::Duration::days(7));
    app.scheduler.fire_due().await.unwrap();
    app.drain().await;
    assert_eq!(digests(&app).len(), 1);
    // Bob claims the request the Monday after, before 10:00, then the desk is down over
    // 10:00: that week is posted once when it starts.
    app.advance(chrono::Duration::days(7) - chrono::Duration::hours(1));
    let root = app.request("IT-1").card.expect("the card is posted").id;
    app.post(&app.card_click(BOB, &root, "claim:IT-1")).await;
    app.drain().await;
    let app = app.restarted(on_mondays).await;
    app.advance(chrono::Duration::hours(22));
    let app = app.restarted(on_mondays).await;
    app.scheduler.fire_due().await.unwrap();
    app.drain().await;
    let posted = digests(&app);
    assert_eq!(posted.len(), 2, "{posted:#?}");
    assert!(
        posted[1].shown().contains("2025-W27"),
        "{}",
        posted[1].shown()
    );
    let app = app.restarted(on_mondays).await;
    app.scheduler.fire_due().await.unwrap();
    app.drain().await;
    assert_eq!(digests(&app).len(), 2);
}
