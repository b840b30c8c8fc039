//! Which closed requests get a survey (the sample and the per-requester cooldown), how many
//! reminders it gets, and its withdrawal when the request is reopened.

use super::*;

fn world(edit: impl FnOnce(&mut Rules)) -> World {
    let mut rules = rules();
    edit(&mut rules);
    World::with(rules)
}

/// Whether closing `id` just now sent its requester a survey, read from what went out and
/// what was stored (they must agree).
fn surveyed(w: &World, t: &Transition, id: &RequestId) -> bool {
    let r = w.requests.get(id).unwrap();
    let asked = t.outgoing().any(|o| match o {
        Outgoing::Dm { msg, about, .. } => {
            about.as_ref() == Some(id) && look(msg).text.starts_with("How did we do with")
        }
        _ => false,
    });
    let reminder = t.scheduled().iter().any(|timer| {
        timer.kind
            == TimerKind::SurveyReminder {
                request: id.clone(),
            }
    });
    assert_eq!(asked, r.survey.state == SurveyState::AwaitingRating, "{id}");
    assert_eq!(asked, reminder, "{id}: a survey comes with its reminder");
    assert_eq!(asked, r.survey.sent_at == Some(w.now), "{id}");
    asked
}

fn close(w: &mut World, id: &RequestId) -> bool {
    let t = w.click("alice", Action::Close(id.clone()));
    assert_eq!(w.req(&id.to_string()).status, Status::Closed);
    surveyed(w, &t, id)
}

fn survey_dms(t: &Transition, who: &str) -> usize {
    t.dms_to(who)
        .iter()
        .filter(|m| actions(m) == rating_buttons("IT-1"))
        .count()
}

// =============================================================================================
// The sample
// =============================================================================================

#[test]
fn a_sample_of_zero_sends_no_survey() {
    let mut w = world(|r| r.survey_sample = Sample::of(0.0));
    let id = file_laptop(&mut w, "carol");
    let t = w.click("alice", Action::Close(id.clone()));
    // Told that it was closed, and nothing else.
    assert_eq!(
        t.dm_to("carol").text,
        "*IT-1* was closed by <@alice>.",
        "no survey follows"
    );
    assert!(!surveyed(&w, &t, &id));
    assert!(w.pending("survey_reminder").is_empty());
    // A typed digit is not a rating then: carol has nothing open, so it starts a request.
    let t = w.say("carol", "5");
    assert!(t.changed("IT-1").is_none());
    w.sessions.clear();
    let t = w.click("carol", Action::Rate(id, 5));
    assert_eq!(
        t.dm_to("carol").text,
        "There's no survey for IT-1, so there's nothing to rate."
    );
}

#[test]
fn a_sample_of_one_surveys_every_closed_request() {
    let mut w = world(|r| r.survey_sample = Sample::of(1.0));
    for n in 1..=30 {
        let who = format!("user{n}");
        let id = file_chair(&mut w, &who);
        assert!(close(&mut w, &id), "{id}");
    }
}

/// The requests among FAC-1 … FAC-40 in a sample of a half, by their ids' fixed points.
const HALF_OF_FORTY: [u64; 13] = [1, 3, 8, 11, 15, 16, 19, 21, 23, 30, 33, 34, 37];

#[test]
fn a_fractional_sample_picks_the_same_requests_every_time() {
    let run = || {
        let mut w = world(|r| r.survey_sample = Sample::of(0.5));
        let mut picked = Vec::new();
        for n in 1..=40u64 {
            // Each by another requester, so that nothing but the sample decides.
            let id = file_chair(&mut w, &format!("user{n}"));
            assert_eq!(id, RequestId::new("FAC", n));
            if close(&mut w, &id) {
                picked.push(n);
            }
        }
        (w, picked)
    };
    let (mut w, picked) = run();
    assert_eq!(picked, HALF_OF_FORTY);
    assert_eq!(run().1, picked, "the same requests again");
    // Reopened and closed again, a request gets the same answer as before.
    for n in [picked[0], (1..=40).find(|n| !picked.contains(n)).unwrap()] {
        let id = RequestId::new("FAC", n);
        let who = w.req(&id.to_string()).requester.id.clone();
        w.click(&who, Action::Reopen(id.clone()));
        assert_eq!(close(&mut w, &id), picked.contains(&n), "{id}");
    }
}

#[test]
fn a_request_left_out_of_the_sample_is_left_out_for_everyone() {
    // Which requests are sampled depends on nothing but the id: not on who asked or closed it.
    let sample = Sample::of(0.5);
    let (inside, outside) = (
        (1..)
            .map(|n| RequestId::new("IT", n))
            .find(|id| sample.includes(id))
            .unwrap(),
        (1..)
            .map(|n| RequestId::new("IT", n))
            .find(|id| !sample.includes(id))
            .unwrap(),
    );
    for who in ["carol", "dave"] {
        let mut w = world(|r| r.survey_sample = sample);
        let mut last = RequestId::new("IT", 0);
        while last.number() < inside.number().max(outside.number()) {
            last = file_laptop(&mut w, who);
        }
        assert!(close(&mut w, &inside), "{who}");
        assert!(!close(&mut w, &outside), "{who}");
    }
}

// =============================================================================================
// The cooldown
// =============================================================================================

fn week_cooldown() -> World {
    world(|r| r.survey_cooldown = Duration::days(7))
}

#[test]
fn a_second_request_closed_within_the_cooldown_gets_no_survey() {
    let mut w = week_cooldown();
    let laptop = file_laptop(&mut w, "carol");
    let chair = file_chair(&mut w, "carol");
    let leave = file_leave(&mut w, "carol");
    assert!(close(&mut w, &laptop));
    let first = w.now;

    w.advance(Duration::days(7) - Duration::minutes(1));
    let t = w.click("alice", Action::Close(chair.clone()));
    assert!(!surveyed(&w, &t, &chair));
    assert_eq!(t.dm_to("carol").text, "*FAC-1* was closed by <@alice>.");

    // A week after the last survey, the next close asks again.
    w.now = first + Duration::days(7);
    assert!(close(&mut w, &leave));
}

#[test]
fn the_cooldown_is_per_requester() {
    let mut w = week_cooldown();
    let carols = file_laptop(&mut w, "carol");
    let daves = file_laptop(&mut w, "dave");
    assert!(close(&mut w, &carols));
    w.advance(Duration::hours(1));
    assert!(close(&mut w, &daves));
}

#[test]
fn a_cooldown_of_zero_lets_every_close_ask() {
    let mut w = world(|r| r.survey_cooldown = Duration::zero());
    let first = file_laptop(&mut w, "carol");
    let second = file_chair(&mut w, "carol");
    assert!(close(&mut w, &first));
    assert!(close(&mut w, &second));
}

#[test]
fn the_close_loads_when_the_requester_was_last_surveyed_only_under_a_cooldown() {
    let close_input = |id: &str| Input::ButtonClicked {
        user: user("alice"),
        action: Action::Close(rid(id)),
        post: None,
    };
    let mut w = week_cooldown();
    let laptop = file_laptop(&mut w, "carol");
    file_chair(&mut w, "carol");
    assert!(close(&mut w, &laptop));
    let surveyed_at = w.now;
    w.advance(Duration::hours(2));
    // Alice acts, so carol's requests are not hers to load; the close still needs carol's
    // last survey, and gets it.
    let snapshot = w.snapshot(&close_input("FAC-1"));
    assert_eq!(
        ids(&snapshot.requests),
        ["FAC-1"],
        "only the closed request itself"
    );
    assert_eq!(
        snapshot.last_survey_elsewhere,
        BTreeMap::from([(rid("FAC-1"), surveyed_at)])
    );
    // The request's own survey is not "elsewhere".
    let snapshot = w.snapshot(&close_input("IT-1"));
    assert!(snapshot.last_survey_elsewhere.is_empty());
    // A close reaction is a close too; a claim is not.
    let react = Input::CloseReactionAdded {
        user: user("alice"),
        request: rid("FAC-1"),
    };
    assert_eq!(w.snapshot(&react).last_survey_elsewhere.len(), 1);
    let claim = Input::ButtonClicked {
        user: user("alice"),
        action: Action::Claim(rid("FAC-1")),
        post: None,
    };
    assert!(w.snapshot(&claim).last_survey_elsewhere.is_empty());
    // Nor is it read for a close that sends no survey anyway: by the requester herself.
    let by_carol = Input::ButtonClicked {
        user: user("carol"),
        action: Action::Close(rid("FAC-1")),
        post: None,
    };
    assert!(w.snapshot(&by_carol).last_survey_elsewhere.is_empty());
    // Without a cooldown nothing more is read.
    w.rules.survey_cooldown = Duration::zero();
    assert!(w
        .snapshot(&close_input("FAC-1"))
        .last_survey_elsewhere
        .is_empty());
}

fn ids(requests: &[Request]) -> Vec<String> {
    requests.iter().map(|r| r.id.to_string()).collect()
}

#[test]
fn a_withdrawn_survey_counts_for_the_cooldown_but_not_against_its_own_request() {
    let mut w = week_cooldown();
    let laptop = file_laptop(&mut w, "carol");
    let chair = file_chair(&mut w, "carol");
    assert!(close(&mut w, &laptop));
    w.advance(Duration::hours(1));
    w.click("alice", Action::Reopen(laptop.clone()));
    // Carol was asked about the laptop an hour ago, withdrawn or not.
    w.advance(Duration::hours(1));
    assert!(!close(&mut w, &chair));
    // Asking again about the laptop replaces the withdrawn survey: it is not a second one.
    w.advance(Duration::hours(1));
    assert!(close(&mut w, &laptop));
}

#[test]
fn requests_stored_before_the_survey_time_was_kept_count_from_their_close() {
    let mut w = week_cooldown();
    let laptop = file_laptop(&mut w, "carol");
    let chair = file_chair(&mut w, "carol");
    assert!(close(&mut w, &laptop));
    // As an older version stored it: no time, but the survey's state and the close.
    w.requests.get_mut(&laptop).unwrap().survey.sent_at = None;
    assert_eq!(w.req("IT-1").survey_sent_at(), Some(w.now));
    w.advance(Duration::days(1));
    assert!(!close(&mut w, &chair));
}

#[test]
fn a_requester_closing_their_own_request_is_not_surveyed_and_starts_no_cooldown() {
    let mut w = week_cooldown();
    let laptop = file_laptop(&mut w, "carol");
    let chair = file_chair(&mut w, "carol");
    let t = w.click("carol", Action::Close(laptop.clone()));
    assert!(!surveyed(&w, &t, &laptop));
    assert!(close(&mut w, &chair));
}

// =============================================================================================
// Reminders
// =============================================================================================

/// Lets a day pass at a time and fires what is due; returns how many survey reminders carol got.
fn reminders_over(w: &mut World, days: i64) -> Vec<usize> {
    (0..days)
        .map(|_| {
            w.advance(Duration::hours(24));
            w.fire_due_timers()
                .iter()
                .map(|t| survey_dms(t, "carol"))
                .sum()
        })
        .collect()
}

#[test]
fn three_reminders_come_a_day_apart_and_then_no_more() {
    let mut w = world(|r| r.survey_reminders = 3);
    closed_by_alice(&mut w);
    assert_eq!(reminders_over(&mut w, 6), [1, 1, 1, 0, 0, 0]);
    let r = w.req("IT-1");
    assert_eq!(r.survey_reminders_sent(), 3);
    let times: Vec<Timestamp> = r
        .history
        .iter()
        .filter(|h| h.event == Event::SurveyReminded)
        .map(|h| h.at)
        .collect();
    let closed = r.closed_at.unwrap();
    assert_eq!(
        times,
        [1, 2, 3].map(|d| closed + Duration::hours(24 * d)),
        "each remind_after after the last"
    );
    assert!(w.pending("survey_reminder").is_empty());
    // A late or repeated timer sends nothing more either.
    let t = w.fire(TimerKind::SurveyReminder {
        request: rid("IT-1"),
    });
    assert_eq!(t, Transition::default());
    // The last reminder's buttons still rate.
    w.click("carol", Action::Rate(rid("IT-1"), 3));
    assert_eq!(w.req("IT-1").survey.rating, Some(3));
}

#[test]
fn one_reminder_is_the_default() {
    assert_eq!(rules().survey_reminders, 1);
    let mut w = World::new();
    closed_by_alice(&mut w);
    assert_eq!(reminders_over(&mut w, 4), [1, 0, 0, 0]);
}

#[test]
fn zero_reminders_schedule_none() {
    let mut w = world(|r| r.survey_reminders = 0);
    let id = file_laptop(&mut w, "carol");
    let t = w.click("alice", Action::Close(id));
    assert_eq!(survey_dms(&t, "carol"), 1, "the survey still goes out");
    assert!(t.scheduled().is_empty());
    assert_eq!(reminders_over(&mut w, 3), [0, 0, 0]);
    let t = w.fire(TimerKind::SurveyReminder {
        request: rid("IT-1"),
    });
    assert_eq!(t, Transition::default());
}

#[test]
fn a_rating_stops_the_remaining_reminders() {
    let mut w = world(|r| r.survey_reminders = 3);
    closed_by_alice(&mut w);
    assert_eq!(reminders_over(&mut w, 1), [1]);
    let t = w.click("carol", Action::Rate(rid("IT-1"), 5));
    assert_eq!(
        t.cancelled(),
        vec![&TimerFilter::SurveyReminder(rid("IT-1"))]
    );
    assert_eq!(reminders_over(&mut w, 3), [0, 0, 0]);
}

#[test]
fn a_survey_asked_again_after_a_reopen_gets_its_reminders_afresh() {
    let mut w = world(|r| r.survey_reminders = 2);
    closed_by_alice(&mut w);
    assert_eq!(reminders_over(&mut w, 2), [1, 1]);
    w.click("alice", Action::Reopen(rid("IT-1")));
    w.click("alice", Action::Close(rid("IT-1")));
    assert_eq!(w.req("IT-1").survey_reminders_sent(), 0);
    assert_eq!(reminders_over(&mut w, 3), [1, 1, 0]);
}

// =============================================================================================
// Withdrawal on reopen
// =============================================================================================

#[test]
fn reopening_withdraws_the_pending_survey() {
    let mut w = world(|r| r.survey_reminders = 2);
    closed_by_alice(&mut w);
    let sent = w.req("IT-1").survey.sent_at;
    w.advance(Duration::hours(3));
    let t = w.click("alice", Action::Reopen(rid("IT-1")));
    assert_eq!(
        t.dm_to("carol").text,
        "*IT-1* was reopened by <@alice>.\nIts survey is withdrawn, so there's no need to answer it."
    );
    assert_eq!(
        t.cancelled(),
        vec![&TimerFilter::SurveyReminder(rid("IT-1"))]
    );
    let r = w.req("IT-1");
    assert_eq!(r.survey.state, SurveyState::NotSent);
    assert_eq!(r.survey.sent_at, sent, "when it was sent is kept");
    assert!(w.pending("survey_reminder").is_empty());
    // No reminder comes, even from a timer that was already on its way.
    assert_eq!(reminders_over(&mut w, 3), [0, 0, 0]);
    let t = w.fire(TimerKind::SurveyReminder {
        request: rid("IT-1"),
    });
    assert_eq!(t, Transition::default());
}

#[test]
fn a_late_rating_on_a_withdrawn_survey_is_answered_and_changes_nothing() {
    let mut w = World::new();
    closed_by_alice(&mut w);
    w.click("alice", Action::Reopen(rid("IT-1")));
    let withdrawn =
        "The survey about IT-1 was withdrawn when it was reopened, so there's nothing to rate.";
    // Where the platform can replace the clicked survey (Teams), it says so in its place...
    let survey = PostRef::new(Platform::Teams, "a:carol-chat", "1700000000050");
    let t = w.click_on("carol", Action::Rate(rid("IT-1"), 4), survey.clone());
    let replaced: Vec<_> = t
        .outgoing()
        .map(|o| match o {
            Outgoing::ReplacePost {
                to,
                request,
                post,
                msg,
            } => (to, request, post, look(msg)),
            other => panic!("only the survey is replaced, not {other:?}"),
        })
        .collect();
    assert_eq!(replaced.len(), 1);
    let (to, request, post, msg) = &replaced[0];
    assert_eq!(
        (*to, *request, *post),
        (&user("carol"), &rid("IT-1"), &survey)
    );
    assert_eq!(msg.text, withdrawn);
    assert!(msg.choices.is_empty(), "nothing to click any more");
    assert!(t.requests.is_empty());
    // ...and elsewhere (Slack) a DM answers the click.
    let t = w.click("carol", Action::Rate(rid("IT-1"), 4));
    assert_eq!(t.dm_to("carol").text, withdrawn);
    assert!(t.requests.is_empty());
    // A typed digit is a message for the team again, the request being open.
    let t = w.say("carol", "4");
    assert_eq!(t.thread_posts("IT-1").len(), 1);
    assert_eq!(w.req("IT-1").survey.rating, None);
    // Still withdrawn once closed again by carol herself, who gets no new survey.
    w.click("carol", Action::Close(rid("IT-1")));
    let t = w.click("carol", Action::Rate(rid("IT-1"), 4));
    has_text(t.dm_to("carol"), "was withdrawn");
    // Reopened and closed by the team, it is asked again, and the old buttons rate it.
    w.click("alice", Action::Reopen(rid("IT-1")));
    w.click("alice", Action::Close(rid("IT-1")));
    w.click("carol", Action::Rate(rid("IT-1"), 4));
    assert_eq!(w.req("IT-1").survey.rating, Some(4));
}

#[test]
fn reopening_an_answered_survey_withdraws_nothing() {
    let mut w = World::new();
    closed_by_alice(&mut w);
    w.click("carol", Action::Rate(rid("IT-1"), 2));
    let t = w.click("alice", Action::Reopen(rid("IT-1")));
    assert_eq!(t.dm_to("carol").text, "*IT-1* was reopened by <@alice>.");
    let t = w.click("carol", Action::Rate(rid("IT-1"), 5));
    has_text(t.dm_to("carol"), "already recorded");
}
