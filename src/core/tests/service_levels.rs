//! Service levels on a business calendar: first-response and resolution clocks in business
//! time, nothing firing outside business hours (holidays and daylight-saving changes
//! included), the escalation ladder, and priorities chased around the clock.

use super::*;
use crate::core::calendar::{parse_week, Calendar};
use crate::core::{EscalationStep, Notify, ServiceLevels, Until};

/// IT works Mon-Fri 09:00-17:00 in Berlin; 5 March 2024 is a holiday. Its ladder mentions a
/// lead and a group after 1h, then posts in C0ESC after 3h; resolution within 8h; urgent
/// requests are chased around the clock.
fn office_rules() -> Rules {
    let mut rules = rules();
    let it = &mut rules.departments[0];
    it.service = ServiceLevels {
        calendar: Calendar {
            zone: chrono_tz::Europe::Berlin,
            hours: parse_week(&["Mon-Fri 09:00-17:00".to_string()]).unwrap(),
            holidays: [chrono::NaiveDate::from_ymd_opt(2024, 3, 5).unwrap()]
                .into_iter()
                .collect(),
        },
        always_on: vec![Priority::Urgent],
        resolution_sla: Some(Duration::hours(8)),
        resolution_remind_every: Duration::hours(2),
        escalation: vec![
            EscalationStep {
                after: Duration::hours(1),
                notify: vec![Notify::parse("U0LEAD"), Notify::parse("S0TEAM")],
                until: Until::FirstResponse,
            },
            EscalationStep {
                after: Duration::hours(3),
                notify: vec![Notify::parse("C0ESC")],
                until: Until::FirstResponse,
            },
        ],
    };
    rules
}

fn at(s: &str) -> Timestamp {
    chrono::DateTime::parse_from_rfc3339(s)
        .unwrap()
        .with_timezone(&Utc)
}

/// Files an IT request with the given urgency at the world's time; returns the DM.
fn file_it(w: &mut World, who: &str, urgency: &str) -> Transition {
    w.command(who, "my laptop won't boot");
    w.say(who, "yes");
    w.say(who, "ThinkPad X1");
    w.say(who, urgency);
    w.say(who, "skip");
    w.say(who, "submit")
}

fn channel_posts(t: &Transition) -> Vec<(String, Shown)> {
    t.effects
        .iter()
        .filter_map(|e| match e {
            Effect::Send(Outgoing::ChannelPost { channel, msg, .. }) => {
                Some((channel.clone(), shown(msg)))
            }
            _ => None,
        })
        .collect()
}

fn timer_at(w: &World, kind: &str) -> Vec<Timestamp> {
    w.pending(kind).iter().map(|t| t.at).collect()
}

#[test]
fn the_first_response_is_due_in_business_time_and_the_confirmation_says_when() {
    let mut w = World::with(office_rules());
    // Monday 4 March 2024, 16:00 in Berlin (15:00Z): one business hour today, then the
    // holiday, so the other three are on Wednesday morning.
    w.now = at("2024-03-04T15:00:00Z");
    let t = file_it(&mut w, "carol", "high");
    let dm = t.dm_to("carol");
    assert!(
        dm.text
            .ends_with("Expect a first response by Wednesday 12:00 (Europe/Berlin)."),
        "{}",
        dm.text
    );
    assert_eq!(
        timer_at(&w, "first_response"),
        vec![at("2024-03-06T11:00:00Z")]
    );
    // 8h: 1h on Monday, 7h on Wednesday, to 16:00 CET.
    assert_eq!(timer_at(&w, "resolution"), vec![at("2024-03-06T15:00:00Z")]);
    assert_eq!(timer_at(&w, "escalation"), vec![at("2024-03-04T16:00:00Z")]);
}

#[test]
fn a_department_around_the_clock_also_says_when_to_expect_a_first_response() {
    let mut w = World::new();
    let t = file_it(&mut w, "carol", "high");
    assert!(t.dm_to("carol").text.contains("Expect a first response by"));
}

#[test]
fn nothing_fires_at_night_on_a_holiday_or_at_the_weekend() {
    let mut w = World::with(office_rules());
    // Friday 8 March 2024, 16:30 CET: the ladder's first hour ends on Monday at 09:30.
    w.now = at("2024-03-08T15:30:00Z");
    file_it(&mut w, "carol", "high");
    for hours in [1, 8, 24, 48, 63] {
        w.now = at("2024-03-08T15:30:00Z") + Duration::hours(hours);
        assert!(w.fire_due_timers().is_empty(), "{hours}h later");
    }
    w.now = at("2024-03-11T08:30:00Z");
    let fired = w.fire_due_timers();
    assert_eq!(fired.len(), 1);
    assert_eq!(
        fired[0].thread_posts("IT-1")[0].text,
        "<@U0LEAD> <!subteam^S0TEAM> 🚨 Escalation 1: *IT-1* has had no response for 1h of business time."
    );
}

#[test]
fn the_ladder_fires_each_step_once_in_order() {
    let mut w = World::with(office_rules());
    w.now = at("2024-03-04T09:00:00Z");
    file_it(&mut w, "carol", "high");
    w.advance(Duration::hours(1));
    let fired = w.fire_due_timers();
    assert_eq!(fired.len(), 1);
    assert_eq!(fired[0].thread_posts("IT-1").len(), 1);
    assert!(channel_posts(&fired[0]).is_empty());
    assert_eq!(
        last_event(w.req("IT-1")).event,
        Event::Escalated { step: 1 }
    );
    assert_eq!(timer_at(&w, "escalation"), vec![at("2024-03-04T12:00:00Z")]);

    w.advance(Duration::hours(2));
    let fired = w.fire_due_timers();
    assert_eq!(fired.len(), 1);
    let posts = channel_posts(&fired[0]);
    assert_eq!(posts.len(), 1);
    assert_eq!(posts[0].0, "C0ESC");
    assert_eq!(
        posts[0].1.text,
        "🚨 Escalation 2: *IT-1* has had no response for 3h of business time. “my laptop won't boot”: IT-1"
    );
    assert!(fired[0].thread_posts("IT-1").is_empty());
    assert!(w.pending("escalation").is_empty(), "the last step fired");
    w.advance(Duration::days(7));
    let later: Vec<Transition> = w
        .fire_due_timers()
        .into_iter()
        .filter(|t| {
            t.effects
                .iter()
                .any(|e| matches!(e, Effect::Send(Outgoing::ChannelPost { .. })))
        })
        .collect();
    assert!(later.is_empty(), "each step fires once");
}

#[test]
fn a_first_response_stops_the_ladder() {
    let mut w = World::with(office_rules());
    w.now = at("2024-03-04T09:00:00Z");
    file_it(&mut w, "carol", "high");
    w.advance(Duration::minutes(30));
    w.click("alice", Action::Claim(rid("IT-1")));
    w.advance(Duration::hours(5));
    for t in w.fire_due_timers() {
        assert!(
            !t.effects.iter().any(|e| matches!(
                e,
                Effect::Send(Outgoing::ChannelPost { .. } | Outgoing::ThreadPost { .. })
            )),
            "{:#?}",
            t.effects
        );
    }
    assert!(!events(w.req("IT-1"))
        .iter()
        .any(|e| matches!(e, Event::Escalated { .. })));
}

#[test]
fn a_step_until_resolution_still_fires_after_a_first_response() {
    let mut rules = office_rules();
    rules.departments[0].service.escalation[1].until = Until::Resolution;
    let mut w = World::with(rules);
    w.now = at("2024-03-04T09:00:00Z");
    file_it(&mut w, "carol", "high");
    w.click("alice", Action::Claim(rid("IT-1")));
    w.advance(Duration::hours(3));
    let fired = w.fire_due_timers();
    let posts: Vec<_> = fired.iter().flat_map(channel_posts).collect();
    assert_eq!(posts.len(), 1, "only the resolution step");
    has_text(
        &posts[0].1,
        "is still not resolved after 3h of business time",
    );
}

#[test]
fn the_resolution_level_reminds_in_business_time_until_closed() {
    let mut w = World::with(office_rules());
    w.now = at("2024-03-04T09:00:00Z");
    file_it(&mut w, "carol", "high");
    w.click("alice", Action::Claim(rid("IT-1")));
    // 7h on Monday, the holiday, then 1h on Wednesday: 10:00 CET.
    w.now = at("2024-03-06T09:00:00Z");
    let fired = w.fire_due_timers();
    let posts: Vec<_> = fired.iter().flat_map(|t| t.thread_posts("IT-1")).collect();
    assert_eq!(
        posts
            .iter()
            .filter(|p| p.text.contains("not resolved"))
            .map(|p| p.text.as_str())
            .collect::<Vec<_>>(),
        vec!["⏰ *IT-1* is still not resolved after 8h of business time (resolution service level: 8h); <@alice>."]
    );
    assert_eq!(timer_at(&w, "resolution"), vec![at("2024-03-06T11:00:00Z")]);
    w.click("alice", Action::Close(rid("IT-1")));
    assert!(w.pending("resolution").is_empty());
    assert!(w.pending("escalation").is_empty());
}

#[test]
fn the_resolution_clock_stands_still_while_a_request_is_closed() {
    let rules = office_rules();
    let levels = &rules.departments[0].service;
    let mut r = Request::new(
        rid("IT-1"),
        "it",
        user("carol"),
        "printer",
        at("2024-03-04T09:00:00Z"),
    );
    r.record(at("2024-03-04T10:00:00Z"), None, Event::Closed);
    r.record(at("2024-03-04T13:00:00Z"), None, Event::Reopened);
    assert!(r.waiting_intervals().is_empty());
    // 09:00-15:00Z is business time, less the 3h it was closed: 3h.
    assert_eq!(
        levels.resolution_time(&r, at("2024-03-04T15:00:00Z")),
        Duration::hours(3)
    );
}

#[test]
fn an_urgent_request_is_chased_around_the_clock() {
    let mut w = World::with(office_rules());
    // Saturday night.
    w.now = at("2024-03-09T22:00:00Z");
    let t = file_it(&mut w, "carol", "urgent");
    assert!(
        t.dm_to("carol").text.contains("Sunday 03:00"),
        "{}",
        t.dm_to("carol").text
    );
    assert_eq!(timer_at(&w, "escalation"), vec![at("2024-03-09T23:00:00Z")]);
    w.advance(Duration::hours(4));
    let fired = w.fire_due_timers();
    assert!(fired.iter().any(|t| !t.thread_posts("IT-1").is_empty()));
    assert_eq!(w.req("IT-1").reminders_sent, 1);
}

#[test]
fn the_first_response_clock_follows_the_clocks_going_forward() {
    let mut w = World::with(office_rules());
    // Friday 27 March 2026, 16:00 CET; Berlin moves to summer time on Sunday 29th.
    w.now = at("2026-03-27T15:00:00Z");
    let t = file_it(&mut w, "carol", "high");
    // 1h on Friday, 3h on Monday from 09:00 CEST (07:00Z).
    assert_eq!(
        timer_at(&w, "first_response"),
        vec![at("2026-03-30T10:00:00Z")]
    );
    has_text(t.dm_to("carol"), "by Monday 12:00 (Europe/Berlin)");
    w.now = at("2026-03-30T10:00:00Z");
    let fired = w.fire_due_timers();
    let reminder = fired
        .iter()
        .flat_map(|t| t.thread_posts("IT-1"))
        .find(|p| p.text.contains("without a response"))
        .expect("the first-response reminder");
    assert_eq!(
        reminder.text,
        "<@itlead> ⏰ *IT-1* has waited 4h without a response (service level: 4h)."
    );
    assert_eq!(
        timer_at(&w, "first_response"),
        vec![at("2026-03-30T12:00:00Z")]
    );
}

#[test]
fn a_timer_due_while_closed_waits_for_the_next_opening() {
    let mut w = World::with(office_rules());
    w.now = at("2024-03-04T09:00:00Z");
    file_it(&mut w, "carol", "high");
    // Saturday: a reminder set before the hours changed comes due.
    w.now = at("2024-03-09T12:00:00Z");
    let t = w.fire(TimerKind::FirstResponse {
        request: rid("IT-1"),
        round: 0,
    });
    assert!(t.thread_posts("IT-1").is_empty());
    assert!(t
        .scheduled()
        .iter()
        .any(|s| s.at == at("2024-03-11T08:00:00Z")
            && s.kind
                == TimerKind::FirstResponse {
                    request: rid("IT-1"),
                    round: 0
                }));
}

#[test]
fn notify_ids_are_read_by_their_shape() {
    assert_eq!(Notify::parse("U0LEAD"), Notify::User("U0LEAD".into()));
    assert_eq!(
        Notify::parse("W0ENTERPRISE"),
        Notify::User("W0ENTERPRISE".into())
    );
    assert_eq!(Notify::parse("S0TEAM"), Notify::Group("S0TEAM".into()));
    assert_eq!(Notify::parse("C0ESC"), Notify::Channel("C0ESC".into()));
    assert_eq!(
        Notify::parse("G0PRIVATE"),
        Notify::Channel("G0PRIVATE".into())
    );
    assert_eq!(
        Notify::parse("19:escalations@thread.tacv2"),
        Notify::Channel("19:escalations@thread.tacv2".into())
    );
    assert_eq!(Notify::parse("29:1lead"), Notify::User("29:1lead".into()));
}

#[test]
fn settled_levels_are_told_when_the_first_response_is_given_and_at_close() {
    let rules = office_rules();
    let it = &rules.departments[0];
    let filed = at("2024-03-04T09:00:00Z");
    let open = Request::new(rid("IT-1"), "it", user("carol"), "x", filed);
    let mut answered = open.clone();
    answered.first_response_at = Some(filed + Duration::hours(1));
    let now = filed + Duration::hours(1);
    assert_eq!(
        crate::core::settled(
            Some(&open),
            &answered,
            it.first_response_sla,
            &it.service,
            now
        ),
        vec![(crate::core::Level::FirstResponse, true)]
    );
    assert!(crate::core::settled(
        Some(&answered),
        &answered,
        it.first_response_sla,
        &it.service,
        now
    )
    .is_empty());
    let mut closed = answered.clone();
    closed.status = Status::Closed;
    // Closed on Wednesday at 16:00 CET: 7h Monday + 7h Wednesday, over the 8h level.
    let when = at("2024-03-06T15:00:00Z");
    closed.closed_at = Some(when);
    assert_eq!(
        crate::core::settled(
            Some(&answered),
            &closed,
            it.first_response_sla,
            &it.service,
            when
        ),
        vec![(crate::core::Level::Resolution, false)]
    );
}

#[test]
fn a_reminder_due_at_closing_time_that_fires_a_little_late_still_fires() {
    let mut w = World::with(office_rules());
    // Monday 4 March 2024, 13:00 CET: the first response is due at 17:00 CET.
    w.now = at("2024-03-04T12:00:00Z");
    file_it(&mut w, "carol", "high");
    assert_eq!(
        timer_at(&w, "first_response"),
        vec![at("2024-03-04T16:00:00Z")]
    );
    w.now = at("2024-03-04T16:03:00Z");
    let t = w.fire(TimerKind::FirstResponse {
        request: rid("IT-1"),
        round: 0,
    });
    has_text(
        t.thread_posts("IT-1")[0],
        "has waited 4h without a response",
    );
    // Much later, it waits for the morning.
    w.now = at("2024-03-04T18:00:00Z");
    let t = w.fire(TimerKind::FirstResponse {
        request: rid("IT-1"),
        round: 1,
    });
    assert!(t.thread_posts("IT-1").is_empty());
}
