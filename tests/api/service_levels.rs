//! Black-box tests of service levels on a business calendar (issue 14): one department with
//! business hours, a holiday and an escalation ladder, end to end on Slack and on Teams. The
//! clock is a manual one; timers fire when a test fires them, and only what is due fires.
//!
//! Run with `cargo test --test api service_levels::`.

use crate::helpers::metrics::scrape;
use crate::helpers::slack::{SlackApp, IT_CHANNEL};
use crate::helpers::teams::{TeamsApp, ALICE as TEAMS_ALICE};
use chrono::{DateTime, Utc};
use frontdesk::admin::{AdminCommand, DepartmentLevels};
use frontdesk::config::{Config, EscalationConfig, EscalationUntil};
use frontdesk::ManualClock;
use frontdesk::Scheduler;
use std::time::Duration;

const ALICE: &str = "UALICE";
const ESCALATIONS: &str = "C0ESCALATE";
const TEAMS_ESCALATIONS: &str = "19:escalations@thread.tacv2";

fn at(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

/// IT works Mon-Fri 09:00-17:00 in Berlin, 24 and 25 December are holidays; the first
/// response is due within 2h; after 1h the lead and the on-call group are mentioned, after
/// 90 minutes `channel` gets a post.
fn office(c: &mut Config, lead: &str, channel: &str) {
    let it = c.departments.iter_mut().find(|d| d.id == "it").unwrap();
    it.timezone = "Europe/Berlin".into();
    it.hours = vec!["Mon-Fri 09:00-17:00".into()];
    it.holidays = vec!["2026-12-24".into(), "2026-12-25".into()];
    it.first_response_sla = Duration::from_secs(2 * 3600);
    it.escalate_to = String::new();
    it.escalation = vec![
        EscalationConfig {
            after: Duration::from_secs(3600),
            notify: vec![lead.into(), "SONCALL".into()],
            until: EscalationUntil::FirstResponse,
        },
        EscalationConfig {
            after: Duration::from_secs(5400),
            notify: vec![channel.into()],
            until: EscalationUntil::FirstResponse,
        },
    ];
}

/// The clock and the scheduler of a desk under test.
struct Timers<'a> {
    clock: &'a ManualClock,
    scheduler: &'a Scheduler,
}

/// Sets the clock and fires what is due; returns how many timers fired.
async fn fire_at(t: &Timers<'_>, when: &str) -> usize {
    t.clock.set(at(when));
    let mut fired = 0;
    loop {
        let n = t.scheduler.fire_due().await.expect("timers fire");
        if n == 0 {
            return fired;
        }
        fired += n;
    }
}

fn slack_ref(app: &SlackApp) -> Timers<'_> {
    Timers {
        clock: &app.clock,
        scheduler: &app.scheduler,
    }
}

fn teams_ref(app: &TeamsApp) -> Timers<'_> {
    Timers {
        clock: &app.clock,
        scheduler: &app.scheduler,
    }
}

#[tokio::test]
async fn on_slack_the_ladder_escalates_in_business_hours_only() {
    let app = SlackApp::spawn_with(|c| office(c, "ULEAD", ESCALATIONS)).await;
    app.fake.set_timezone(ALICE, "America/New_York");
    // Wednesday 23 December 2026, 16:30 in Berlin.
    app.clock.set(at("2026-12-23T15:30:00Z"));
    let id = app.file_it_request(ALICE, "my vpn is broken").await;
    // Half an hour today, then the holidays and the weekend: the first response is due on
    // Monday 28th at 10:30 in Berlin, 04:30 where Alice is.
    let confirmation = app.last_dm(ALICE).str("text").to_string();
    assert!(
        confirmation.contains("Expect a first response by Monday 04:30."),
        "{confirmation}"
    );
    let thread = app.card_ts(&id);
    let thread_posts = |app: &SlackApp| app.posts_in(IT_CHANNEL, Some(&thread)).len();
    let r = slack_ref(&app);

    // Nothing in the evening, on the holidays or at the weekend.
    for when in [
        "2026-12-23T16:30:00Z",
        "2026-12-24T10:00:00Z",
        "2026-12-25T10:00:00Z",
        "2026-12-26T10:00:00Z",
        "2026-12-27T22:00:00Z",
        "2026-12-28T08:29:00Z",
    ] {
        assert_eq!(fire_at(&r, when).await, 0, "at {when}");
    }
    app.drain().await;
    assert_eq!(thread_posts(&app), 0);
    assert!(app.fake.posts_to(ESCALATIONS).is_empty());

    // Monday 09:30 in Berlin: the first step mentions the lead and the group in the thread.
    assert_eq!(fire_at(&r, "2026-12-28T08:30:00Z").await, 1);
    app.drain().await;
    let posts = app.posts_in(IT_CHANNEL, Some(&thread));
    assert_eq!(posts.len(), 1);
    let text = posts[0].str("text");
    assert!(
        text.starts_with(
            "<@ULEAD> <!subteam^SONCALL> 🚨 Escalation 1: *IT-1* has had no response for 1h"
        ),
        "{text}"
    );
    assert!(app.fake.posts_to(ESCALATIONS).is_empty());

    // 10:00: the second step posts in the escalation channel, linking to the card.
    assert_eq!(fire_at(&r, "2026-12-28T09:00:00Z").await, 1);
    app.drain().await;
    let channel = app.fake.posts_to(ESCALATIONS);
    assert_eq!(channel.len(), 1);
    let text = channel[0]["text"].as_str().unwrap();
    assert!(text.contains("Escalation 2: *IT-1*"), "{text}");
    assert!(
        text.contains(&format!(
            "<https://frontdesk-test.slack.com/archives/{IT_CHANNEL}/p{}|IT-1>",
            thread.replace('.', "")
        )),
        "{text}"
    );

    // 10:30: the first-response reminder; each step fired once and stays quiet.
    assert_eq!(fire_at(&r, "2026-12-28T09:30:00Z").await, 1);
    app.drain().await;
    assert_eq!(thread_posts(&app), 2);
    fire_at(&r, "2026-12-29T09:30:00Z").await;
    app.drain().await;
    assert_eq!(app.fake.posts_to(ESCALATIONS).len(), 1);
    assert_eq!(
        app.posts_in(IT_CHANNEL, Some(&thread))
            .iter()
            .filter(|p| p.str("text").contains("Escalation"))
            .count(),
        1
    );

    // Claimed after 9h30 of business time: the first-response level was missed.
    app.click(crate::helpers::slack::AGENT, &format!("claim:{id}"))
        .await;
    let m = scrape(&app.url("")).await;
    let first = [("department", "it"), ("level", "first_response")];
    assert_eq!(m.get("frontdesk_sla_missed_total", &first), 1.0);
    assert_eq!(m.get("frontdesk_sla_met_total", &first), 0.0);
    assert_eq!(m.get("frontdesk_sla_attainment_ratio", &first), 0.0);
    let stats = frontdesk::admin::execute(
        &**app.engine.store(),
        &AdminCommand::Stats {
            json: true,
            levels: DepartmentLevels::of(&app.config.rules()),
        },
        at("2026-12-29T12:00:00Z"),
    )
    .expect("stats");
    let stats: serde_json::Value = serde_json::from_str(&stats).unwrap();
    let first = &stats["it"]["service_levels"]["first_response"];
    assert_eq!(
        (first["met"].as_u64(), first["missed"].as_u64()),
        (Some(0), Some(1))
    );
    assert_eq!(first["ratio"], 0.0);
}

#[tokio::test]
async fn on_slack_a_claim_before_the_first_step_stops_the_ladder() {
    let app = SlackApp::spawn_with(|c| office(c, "ULEAD", ESCALATIONS)).await;
    // Monday 28 December 2026, 10:00 in Berlin.
    app.clock.set(at("2026-12-28T09:00:00Z"));
    let id = app.file_it_request(ALICE, "my vpn is broken").await;
    app.click(crate::helpers::slack::AGENT, &format!("claim:{id}"))
        .await;
    app.drain().await;
    let r = slack_ref(&app);
    fire_at(&r, "2026-12-28T15:00:00Z").await;
    app.drain().await;
    let thread = app.card_ts(&id);
    assert!(app
        .posts_in(IT_CHANNEL, Some(&thread))
        .iter()
        .all(|p| !p.str("text").contains("Escalation")));
    assert!(app.fake.posts_to(ESCALATIONS).is_empty());
    let m = scrape(&app.url("")).await;
    let first = [("department", "it"), ("level", "first_response")];
    assert_eq!(m.get("frontdesk_sla_met_total", &first), 1.0);
    assert_eq!(m.get("frontdesk_sla_attainment_ratio", &first), 1.0);
    // A department calendar without the requester's zone names the department's.
    let confirmation = app
        .dms_to(ALICE)
        .into_iter()
        .map(|c| c.str("text").to_string())
        .find(|t| t.contains("Expect a first response"))
        .unwrap();
    assert!(
        confirmation.contains("by Monday 12:00 (Europe/Berlin)."),
        "{confirmation}"
    );
}

#[tokio::test]
async fn on_teams_the_ladder_escalates_in_business_hours_only() {
    let lead = "29:1lead";
    let app = TeamsApp::spawn_with(|c| office(c, lead, TEAMS_ESCALATIONS)).await;
    app.clock.set(at("2026-12-23T15:30:00Z"));
    let r = teams_ref(&app);

    // Alice files a request from her personal chat; her client says she is in Tokyo.
    let mut installed = app.installed(TEAMS_ALICE);
    installed["localTimezone"] = "Asia/Tokyo".into();
    app.post(&installed).await;
    for text in [
        "help it",
        "yes",
        "My laptop won't boot",
        "ThinkPad X1",
        "high",
        "submit",
    ] {
        let mut dm = app.dm(TEAMS_ALICE, text);
        dm["localTimezone"] = "Asia/Tokyo".into();
        app.post(&dm).await;
        app.drain().await;
    }
    let request = app.request("IT-1");
    let card = request.card.expect("the card is posted");
    // Due on Monday 28th, 10:30 in Berlin: 18:30 in Tokyo.
    let confirmation = app
        .standin
        .calls()
        .into_iter()
        .filter(|c| c.conversation.as_deref() == Some(TEAMS_ALICE.chat))
        .map(|c| c.shown())
        .find(|t| t.contains("Expect a first response"))
        .expect("the confirmation names the time");
    assert!(confirmation.contains("by Monday 18:30."), "{confirmation}");

    let before = app.standin.calls().len();
    for when in [
        "2026-12-23T16:30:00Z",
        "2026-12-24T10:00:00Z",
        "2026-12-25T10:00:00Z",
        "2026-12-27T22:00:00Z",
        "2026-12-28T08:29:00Z",
    ] {
        assert_eq!(fire_at(&r, when).await, 0, "at {when}");
    }
    app.drain().await;
    assert!(app.standin.calls_since(before).is_empty());

    assert_eq!(fire_at(&r, "2026-12-28T08:30:00Z").await, 1);
    app.drain().await;
    let calls = app.standin.calls_since(before);
    let thread = format!("{};messageid={}", card.channel, card.id);
    let in_thread: Vec<_> = calls
        .iter()
        .filter(|c| c.conversation.as_deref() == Some(thread.as_str()))
        .collect();
    assert_eq!(in_thread.len(), 1, "{calls:#?}");
    assert!(
        in_thread[0]
            .shown()
            .contains("Escalation 1: **IT-1** has had no response for 1h"),
        "{}",
        in_thread[0].shown()
    );

    let before = app.standin.calls().len();
    assert_eq!(fire_at(&r, "2026-12-28T09:00:00Z").await, 1);
    app.drain().await;
    let calls = app.standin.calls_since(before);
    let posted: Vec<_> = calls
        .iter()
        .filter(|c| c.body["channelData"]["channel"]["id"] == TEAMS_ESCALATIONS)
        .collect();
    assert_eq!(posted.len(), 1, "{calls:#?}");
    let shown = posted[0].shown();
    assert!(shown.contains("Escalation 2: **IT-1**"), "{shown}");
    assert!(
        shown.contains(&format!(
            "[IT-1](https://teams.microsoft.com/l/message/{}/{})",
            card.channel, card.id
        )),
        "{shown}"
    );
    let before = app.standin.calls().len();
    fire_at(&r, "2026-12-29T12:00:00Z").await;
    app.drain().await;
    assert!(app
        .standin
        .calls_since(before)
        .iter()
        .all(|c| !c.shown().contains("Escalation")));
}

#[test]
fn check_config_names_each_wrong_service_level_key() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("levels.toml");
    std::fs::write(
        &path,
        r#"
[[departments]]
id = "it"
name = "IT"
prefix = "IT"
slack_channel = "C0IT"
timezone = "Europe/Berlinn"
hours = ["Mon-Fri 09:00-13:00", "Fri 12:00-18:00"]
holidays_ics = "/nonexistent/holidays.ics"

[[departments.escalation]]
after = "2h"
notify = ["U0LEAD"]

[[departments.escalation]]
after = "1h"
notify = ["C0ESC"]
"#,
    )
    .unwrap();
    let data_dir = dir.path().display().to_string();
    let out = crate::helpers::process::frontdesk(
        &["check-config", "--config", path.to_str().unwrap()],
        &[("FRONTDESK_DATA_DIR", &data_dir)],
    )
    .output()
    .expect("running frontdesk");
    let all = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!out.status.success(), "{all}");
    for needle in [
        "departments[0].timezone: unknown time zone \"Europe/Berlinn\"",
        "departments[0].hours: \"Fri 12:00-18:00\" overlaps \"Mon-Fri 09:00-13:00\" on Fri",
        "departments[0].holidays_ics: cannot read /nonexistent/holidays.ics",
        "departments[0].escalation[1].after: 1h is not after the step before (2h)",
    ] {
        assert!(all.contains(needle), "{needle} in {all}");
    }
}
