//! Content retention: a closed or cancelled request's words are removed once its
//! department's period has passed, by a durable timer, and the removal is in its history.

use super::*;

fn keeping_it_for(days: i64) -> World {
    let mut rules = rules();
    rules.departments[0].retention = Some(Duration::days(days));
    World::with(rules)
}

fn retention_timer(id: &str) -> TimerKind {
    TimerKind::ContentRetention { request: rid(id) }
}

#[test]
fn a_closed_requests_words_go_after_the_period_and_its_figures_stay() {
    let mut w = keeping_it_for(30);
    file_laptop(&mut w, "carol");
    w.click("alice", Action::Claim(rid("IT-1")));
    w.thread_reply("alice", "IT-1", "try turning it off and on");
    let t = w.click("alice", Action::Close(rid("IT-1")));
    let closed_at = w.now;
    assert!(t.scheduled().contains(&&Timer {
        at: closed_at + Duration::days(30),
        kind: retention_timer("IT-1"),
    }));
    w.click("carol", Action::Rate(rid("IT-1"), 4));

    w.advance(Duration::days(30) - Duration::seconds(1));
    w.fire_due_timers();
    assert!(!w.req("IT-1").summary.is_empty(), "not before the period");

    w.advance(Duration::seconds(1));
    w.fire_due_timers();
    let r = w.req("IT-1");
    assert_eq!(r.summary, "");
    assert!(
        r.answers.iter().all(|a| a.value.is_none()),
        "{:?}",
        r.answers
    );
    let text = format!("{:?}", r.history);
    assert!(!text.contains("turning"), "{text}");
    assert_eq!(
        last_event(r),
        &HistoryEntry {
            at: w.now,
            actor: None,
            event: Event::ContentRemoved
        }
    );
    assert_eq!(r.survey.rating, Some(4));
    assert_eq!(r.closed_at, Some(closed_at));
    assert!(r.first_response_at.is_some());
}

#[test]
fn a_request_reopened_in_the_meantime_keeps_its_words_until_it_closes_again() {
    let mut w = keeping_it_for(10);
    file_laptop(&mut w, "carol");
    w.click("alice", Action::Close(rid("IT-1")));
    w.advance(Duration::days(5));
    w.click("carol", Action::Reopen(rid("IT-1")));
    w.advance(Duration::days(5));
    w.fire_due_timers();
    assert!(!w.req("IT-1").summary.is_empty(), "open again: kept");

    let t = w.click("alice", Action::Close(rid("IT-1")));
    assert!(t.scheduled().contains(&&Timer {
        at: w.now + Duration::days(10),
        kind: retention_timer("IT-1"),
    }));
    w.advance(Duration::days(10));
    w.fire_due_timers();
    assert_eq!(w.req("IT-1").summary, "");
}

#[test]
fn a_cancelled_request_is_kept_for_the_same_period() {
    let mut w = keeping_it_for(7);
    file_laptop(&mut w, "carol");
    let t = w.command("carol", "cancel IT-1");
    assert!(t.scheduled().contains(&&Timer {
        at: w.now + Duration::days(7),
        kind: retention_timer("IT-1"),
    }));
    w.advance(Duration::days(7));
    w.fire_due_timers();
    assert_eq!(w.req("IT-1").summary, "");
}

#[test]
fn without_a_retention_period_nothing_is_scheduled_or_removed() {
    let mut w = World::new();
    file_laptop(&mut w, "carol");
    let t = w.click("alice", Action::Close(rid("IT-1")));
    assert!(t
        .scheduled()
        .iter()
        .all(|timer| !matches!(timer.kind, TimerKind::ContentRetention { .. })));
    w.advance(Duration::days(5000));
    w.fire_due_timers();
    assert!(!w.req("IT-1").summary.is_empty());
}
