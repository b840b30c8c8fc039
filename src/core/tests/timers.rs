//! Timers: the first-response reminders and escalation, and the survey reminder.

use super::*;

// =============================================================================================
// Timers
// =============================================================================================

#[test]
fn the_first_response_timer_chases_the_team_and_comes_back() {
    let mut w = World::new();
    file_laptop(&mut w, "carol");
    w.advance(Duration::hours(4));
    let fired = w.fire_due_timers();
    assert_eq!(fired.len(), 1);
    let t = &fired[0];
    let posts = t.thread_posts("IT-1");
    assert_eq!(posts.len(), 1);
    assert_eq!(
        posts[0].text,
        "<@itlead> ⏰ *IT-1* has waited 4h without a response (service level: 4h)."
    );
    assert_eq!(actions(posts[0]), vec![Action::Claim(rid("IT-1"))]);
    assert!(t.dms_to("carol").is_empty());
    assert_eq!(
        t.scheduled(),
        vec![&Timer {
            at: w.now + Duration::hours(2),
            kind: TimerKind::FirstResponse {
                request: rid("IT-1"),
                round: 1
            }
        }]
    );
    let r = w.req("IT-1");
    assert_eq!(r.reminders_sent, 1);
    assert_eq!(
        last_event(r),
        &HistoryEntry {
            at: w.now,
            actor: None,
            event: Event::Reminded { round: 1 }
        }
    );

    w.advance(Duration::hours(2));
    let fired = w.fire_due_timers();
    assert_eq!(fired.len(), 1);
    has_text(
        fired[0].thread_posts("IT-1")[0],
        "has waited 6h without a response",
    );
    assert_eq!(w.req("IT-1").reminders_sent, 2);
    assert_eq!(
        w.pending("first_response")[0].kind,
        TimerKind::FirstResponse {
            request: rid("IT-1"),
            round: 2
        }
    );
}

#[test]
fn nothing_fires_before_the_service_level() {
    let mut w = World::new();
    file_laptop(&mut w, "carol");
    w.advance(Duration::hours(4) - Duration::seconds(1));
    assert!(w.fire_due_timers().is_empty());
}

#[test]
fn a_reminder_without_anyone_to_escalate_to_mentions_nobody() {
    let mut w = World::new();
    file_leave(&mut w, "carol");
    w.advance(Duration::hours(8));
    let fired = w.fire_due_timers();
    assert_eq!(
        fired[0].thread_posts("HR-1")[0].text,
        "⏰ *HR-1* has waited 8h without a response (service level: 8h)."
    );
    assert_eq!(fired[0].scheduled()[0].at, w.now + Duration::hours(4));
}

#[test]
fn the_first_response_timer_does_nothing_once_someone_responded() {
    let mut w = World::new();
    file_laptop(&mut w, "carol");
    w.thread_reply("alice", "IT-1", "looking");
    w.advance(Duration::hours(4));
    assert!(w.fire_due_timers().is_empty(), "the timer was cancelled");
    // Even a late delivery of the old timer is harmless.
    let t = w.fire(TimerKind::FirstResponse {
        request: rid("IT-1"),
        round: 0,
    });
    assert_eq!(t, Transition::default());
    assert_eq!(w.req("IT-1").reminders_sent, 0);
}

#[test]
fn the_first_response_timer_does_nothing_once_closed_or_cancelled() {
    let mut w = World::new();
    file_laptop(&mut w, "carol");
    w.command("carol", "cancel IT-1");
    let t = w.fire(TimerKind::FirstResponse {
        request: rid("IT-1"),
        round: 0,
    });
    assert_eq!(t, Transition::default());

    let mut w = World::new();
    file_laptop(&mut w, "carol");
    w.click("carol", Action::Close(rid("IT-1")));
    let t = w.fire(TimerKind::FirstResponse {
        request: rid("IT-1"),
        round: 3,
    });
    assert_eq!(t, Transition::default());
    let t = w.fire(TimerKind::FirstResponse {
        request: rid("IT-404"),
        round: 0,
    });
    assert_eq!(t, Transition::default());
}

#[test]
fn request_timers_act_for_nobody_and_leave_sessions_alone() {
    let mut w = World::new();
    file_laptop(&mut w, "carol");
    w.advance(Duration::hours(3));
    draft_at_urgency(&mut w, "carol");
    let before = w.session("carol");
    w.advance(Duration::hours(1));
    let fired = w.fire_due_timers();
    assert_eq!(fired.len(), 1, "only the reminder is due");
    assert_eq!(fired[0].thread_posts("IT-1").len(), 1);
    assert_eq!(fired[0].session, Session::default());
    assert_eq!(w.session("carol"), before, "carol's draft is untouched");
}

#[test]
fn the_survey_reminder_fires_once_while_the_rating_is_awaited() {
    let mut w = World::new();
    closed_by_alice(&mut w);
    w.advance(Duration::hours(24));
    let fired = w.fire_due_timers();
    assert_eq!(fired.len(), 1);
    let t = &fired[0];
    let msg = t.dm_to("carol");
    assert_eq!(
        msg.text,
        "A quick reminder: how did we do with *IT-1*? One click is enough."
    );
    assert_eq!(actions(msg), rating_buttons("IT-1"));
    assert!(t.scheduled().is_empty(), "only one reminder");
    assert_eq!(
        last_event(w.req("IT-1")),
        &HistoryEntry {
            at: w.now,
            actor: None,
            event: Event::SurveyReminded
        }
    );
    w.advance(Duration::days(7));
    assert!(w.fire_due_timers().is_empty());
    // The reminder's buttons still work.
    w.click("carol", Action::Rate(rid("IT-1"), 4));
    assert_eq!(w.req("IT-1").survey.rating, Some(4));
}

#[test]
fn the_survey_reminder_does_nothing_once_rated_or_reopened() {
    let mut w = World::new();
    closed_by_alice(&mut w);
    w.click("carol", Action::Rate(rid("IT-1"), 5));
    w.advance(Duration::hours(24));
    assert!(w.fire_due_timers().is_empty());
    let t = w.fire(TimerKind::SurveyReminder {
        request: rid("IT-1"),
    });
    assert_eq!(t, Transition::default());

    let mut w = World::new();
    closed_by_alice(&mut w);
    w.click("alice", Action::Reopen(rid("IT-1")));
    let t = w.fire(TimerKind::SurveyReminder {
        request: rid("IT-1"),
    });
    assert_eq!(t, Transition::default());
}

#[test]
fn every_timer_kind_is_named_in_the_list_counts_start_from() {
    let id = rid("IT-1");
    let kinds = [
        TimerKind::FirstResponse {
            request: id.clone(),
            round: 1,
        },
        TimerKind::SurveyReminder {
            request: id.clone(),
        },
        TimerKind::DraftExpiry { user: user("erin") },
        TimerKind::ContentRetention {
            request: id.clone(),
        },
        TimerKind::Resolution {
            request: id.clone(),
            round: 1,
        },
        TimerKind::Escalation {
            request: id.clone(),
            step: 0,
        },
        TimerKind::WaitingNudge {
            request: id.clone(),
            since: t0(),
        },
        TimerKind::WaitingClose {
            request: id.clone(),
            since: t0(),
        },
        TimerKind::Digest {
            department: "it".into(),
            week: t0().date_naive(),
        },
    ];
    let names: Vec<&str> = kinds.iter().map(TimerKind::name).collect();
    assert_eq!(names, TimerKind::NAMES);
}
