//! A request's life, second part: closing and reopening it, and the requester cancelling it.

use super::*;

// =============================================================================================
// Lifecycle: close and reopen
// =============================================================================================

#[test]
fn an_agent_closes_and_the_survey_is_sent() {
    let mut w = World::new();
    file_laptop(&mut w, "carol");
    w.click("alice", Action::Claim(rid("IT-1")));
    w.advance(Duration::hours(1));
    let t = w.click("alice", Action::Close(rid("IT-1")));
    let r = t.changed("IT-1").unwrap();
    assert_eq!(r.status, Status::Closed);
    assert_eq!(r.closed_at, Some(w.now));
    assert_eq!(r.survey.state, SurveyState::AwaitingRating);
    assert_eq!(
        last_event(r),
        &HistoryEntry {
            at: w.now,
            actor: Some(user("alice")),
            event: Event::Closed
        }
    );
    assert_eq!(
        r.first_response_at,
        Some(t0()),
        "the claim was the first response"
    );
    assert!(t.sends(&Outgoing::UpdateCard {
        request: rid("IT-1")
    }));
    let dms = t.dms_to("carol");
    assert_eq!(dms.len(), 2);
    assert_eq!(dms[0].text, "*IT-1* was closed by <@alice>.");
    assert_eq!(
        dms[1].text,
        "How did we do with *IT-1*? Rate it from 1 (poor) to 5 (great)."
    );
    assert_eq!(actions(dms[1]), rating_buttons("IT-1"));
    assert_eq!(dms[1].choices[0].label, "1 · poor");
    assert_eq!(dms[1].choices[4].label, "5 · great");
    assert_eq!(
        t.dm_abouts("carol"),
        vec![Some(rid("IT-1")), Some(rid("IT-1"))]
    );
    assert_eq!(
        t.scheduled(),
        vec![&Timer {
            at: w.now + Duration::hours(24),
            kind: TimerKind::SurveyReminder {
                request: rid("IT-1")
            }
        }]
    );
}

#[test]
fn closing_before_anyone_responded_stops_the_chase() {
    let mut w = World::new();
    file_laptop(&mut w, "carol");
    w.advance(Duration::minutes(30));
    let t = w.click("bob", Action::Close(rid("IT-1")));
    assert!(t
        .cancelled()
        .contains(&&TimerFilter::FirstResponse(rid("IT-1"))));
    assert!(w.pending("first_response").is_empty());
    assert_eq!(w.req("IT-1").first_response_at, Some(w.now));
    assert_eq!(w.req("IT-1").assignee, None);
}

#[test]
fn the_requester_closing_gets_no_survey() {
    let mut w = World::new();
    file_laptop(&mut w, "carol");
    w.click("alice", Action::Claim(rid("IT-1")));
    let t = w.click("carol", Action::Close(rid("IT-1")));
    assert_eq!(t.dm_to("carol").text, "*IT-1* was closed by you.");
    assert!(t.scheduled().is_empty());
    let r = w.req("IT-1");
    assert_eq!(r.status, Status::Closed);
    assert_eq!(r.survey.state, SurveyState::NotSent);
    assert!(w.pending("survey_reminder").is_empty());
}

#[test]
fn no_survey_when_surveys_are_off() {
    let mut rules = rules();
    rules.survey_enabled = false;
    let mut w = World::with(rules);
    file_laptop(&mut w, "carol");
    let t = w.click("alice", Action::Close(rid("IT-1")));
    assert_eq!(t.dm_to("carol").text, "*IT-1* was closed by <@alice>.");
    assert!(t.scheduled().is_empty());
    assert_eq!(w.req("IT-1").survey.state, SurveyState::NotSent);
    let t = w.click("carol", Action::Rate(rid("IT-1"), 5));
    assert_eq!(
        t.dm_to("carol").text,
        "There's no survey for IT-1, so there's nothing to rate."
    );
}

#[test]
fn an_agents_close_reaction_closes() {
    let mut w = World::new();
    file_laptop(&mut w, "carol");
    let t = w.react("bob", "IT-1");
    assert_eq!(w.req("IT-1").status, Status::Closed);
    assert_eq!(t.dms_to("carol").len(), 2, "closed + survey");
    assert_eq!(t.dms_to("carol")[0].text, "*IT-1* was closed by <@bob>.");
}

#[test]
fn a_close_reaction_by_a_non_agent_is_ignored_silently() {
    let mut w = World::new();
    file_laptop(&mut w, "carol");
    let t = w.react("dave", "IT-1");
    assert_eq!(t, Transition::default());
    assert_eq!(w.req("IT-1").status, Status::Open);
    let t = w.react("dave", "IT-99");
    assert_eq!(t, Transition::default(), "even on an unknown request");
}

#[test]
fn the_requesters_close_reaction_closes() {
    let mut w = World::new();
    file_laptop(&mut w, "carol");
    let t = w.react("carol", "IT-1");
    assert_eq!(t.dm_to("carol").text, "*IT-1* was closed by you.");
    assert_eq!(w.req("IT-1").status, Status::Closed);
}

#[test]
fn a_close_by_button_from_a_non_agent_is_refused() {
    let mut w = World::new();
    file_laptop(&mut w, "carol");
    let t = w.click("dave", Action::Close(rid("IT-1")));
    assert_eq!(
        t.notice_to("dave").0.text,
        "Only the team's agents or the requester can close IT-1."
    );
    assert!(t.requests.is_empty());
    let t = w.click("dave", Action::Close(rid("IT-99")));
    assert_eq!(t.notice_to("dave").0.text, "I can't find request IT-99.");
}

#[test]
fn closing_twice_is_refused() {
    let mut w = World::new();
    file_laptop(&mut w, "carol");
    w.click("alice", Action::Close(rid("IT-1")));
    let t = w.click("bob", Action::Close(rid("IT-1")));
    assert_eq!(t.notice_to("bob").0.text, "IT-1 is already closed.");
    assert!(t.requests.is_empty());
    let t = w.react("bob", "IT-1");
    assert_eq!(
        t,
        Transition::default(),
        "a second reaction is not worth a message"
    );
    assert_eq!(
        events(w.req("IT-1"))
            .iter()
            .filter(|e| **e == Event::Closed)
            .count(),
        1
    );
    assert_eq!(w.pending("survey_reminder").len(), 1);
}

#[test]
fn removing_the_close_reaction_reopens_as_claimed() {
    let mut w = World::new();
    file_laptop(&mut w, "carol");
    w.click("alice", Action::Claim(rid("IT-1")));
    w.react("alice", "IT-1");
    w.advance(Duration::minutes(2));
    let t = w.unreact("alice", "IT-1");
    let r = t.changed("IT-1").unwrap();
    assert_eq!(r.status, Status::Claimed);
    assert_eq!(r.assignee, Some(user("alice")));
    assert_eq!(r.closed_at, None);
    assert_eq!(r.survey.state, SurveyState::NotSent);
    assert_eq!(last_event(r).event, Event::Reopened);
    assert_eq!(
        t.cancelled(),
        vec![&TimerFilter::SurveyReminder(rid("IT-1"))]
    );
    assert!(t.sends(&Outgoing::UpdateCard {
        request: rid("IT-1")
    }));
    assert_eq!(
        t.dm_to("carol").text,
        "*IT-1* was reopened by <@alice>.\nIts survey is withdrawn, so there's no need to answer it."
    );
    assert!(w.pending("survey_reminder").is_empty());
}

#[test]
fn the_reopen_button_reopens_an_unclaimed_request_as_open() {
    let mut w = World::new();
    file_laptop(&mut w, "carol");
    w.click("bob", Action::Close(rid("IT-1")));
    let t = w.click("carol", Action::Reopen(rid("IT-1")));
    assert_eq!(
        t.dm_to("carol").text,
        "*IT-1* was reopened by you.\nIts survey is withdrawn, so there's no need to answer it."
    );
    let r = w.req("IT-1");
    assert_eq!(r.status, Status::Open);
    assert_eq!(r.assignee, None);
    assert!(w.pending("survey_reminder").is_empty());
    // Back in the list, so a DM reaches the team again.
    let t = w.say("carol", "still broken");
    assert_eq!(t.thread_posts("IT-1").len(), 1);
}

#[test]
fn reopening_what_is_not_closed_is_refused() {
    let mut w = World::new();
    file_laptop(&mut w, "carol");
    let t = w.click("alice", Action::Reopen(rid("IT-1")));
    assert_eq!(t.notice_to("alice").0.text, "IT-1 is open, not closed.");
    let t = w.unreact("alice", "IT-1");
    assert_eq!(t, Transition::default());
    w.command("carol", "cancel IT-1");
    let t = w.click("carol", Action::Reopen(rid("IT-1")));
    assert_eq!(
        t.notice_to("carol").0.text,
        "IT-1 is cancelled, not closed."
    );
    assert_eq!(w.req("IT-1").status, Status::Cancelled);
}

#[test]
fn reopening_by_a_non_agent_is_refused() {
    let mut w = World::new();
    file_laptop(&mut w, "carol");
    w.click("alice", Action::Close(rid("IT-1")));
    let t = w.click("dave", Action::Reopen(rid("IT-1")));
    assert_eq!(
        t.notice_to("dave").0.text,
        "Only the team's agents or the requester can reopen IT-1."
    );
    let t = w.unreact("dave", "IT-1");
    assert_eq!(t, Transition::default());
    assert_eq!(w.req("IT-1").status, Status::Closed);
}

#[test]
fn closing_again_after_a_reopen_asks_for_the_survey_again() {
    let mut w = World::new();
    closed_by_alice(&mut w);
    w.click("alice", Action::Reopen(rid("IT-1")));
    let t = w.click("alice", Action::Close(rid("IT-1")));
    assert_eq!(actions(t.dms_to("carol")[1]), rating_buttons("IT-1"));
    assert_eq!(w.pending("survey_reminder").len(), 1);
}

#[test]
fn reopening_after_a_rating_ends_the_survey_so_messages_reach_the_team() {
    let mut w = World::new();
    closed_by_alice(&mut w);
    w.click("carol", Action::Rate(rid("IT-1"), 2));
    w.click("alice", Action::Reopen(rid("IT-1")));
    let s = &w.req("IT-1").survey;
    assert_eq!(s.state, SurveyState::Done);
    assert_eq!(s.rating, Some(2));
    let t = w.say("carol", "it broke again");
    assert_eq!(t.thread_posts("IT-1").len(), 1);
    assert_eq!(w.req("IT-1").survey.comment, None);
    // Closed again: the rating stands, no second survey.
    let t = w.click("alice", Action::Close(rid("IT-1")));
    assert_eq!(t.dms_to("carol").len(), 1);
    assert!(t.scheduled().is_empty());
}

// =============================================================================================
// Lifecycle: cancel
// =============================================================================================

#[test]
fn the_requester_cancels_by_command() {
    let mut w = World::new();
    file_laptop(&mut w, "carol");
    w.click("alice", Action::Claim(rid("IT-1")));
    w.advance(Duration::minutes(7));
    let t = w.command("carol", "cancel it-1");
    assert_eq!(t.reply().text, "Cancelled IT-1. The team has been told.");
    assert!(t.dms_to("carol").is_empty());
    assert_eq!(t.cancelled(), vec![&TimerFilter::AllFor(rid("IT-1"))]);
    assert!(t.sends(&Outgoing::UpdateCard {
        request: rid("IT-1")
    }));
    assert_eq!(
        t.thread_posts("IT-1")[0].text,
        "<@carol> cancelled this request."
    );
    let r = w.req("IT-1");
    assert_eq!(r.status, Status::Cancelled);
    assert_eq!(r.closed_at, Some(w.now));
    assert_eq!(
        last_event(r),
        &HistoryEntry {
            at: w.now,
            actor: Some(user("carol")),
            event: Event::Cancelled
        }
    );
    assert_eq!(r.survey.state, SurveyState::NotSent);
}

#[test]
fn the_requester_cancels_by_dm() {
    let mut w = World::new();
    file_laptop(&mut w, "carol");
    let t = w.say("carol", "Cancel IT-1");
    assert_eq!(
        t.dm_to("carol").text,
        "Cancelled IT-1. The team has been told."
    );
    assert_eq!(t.dm_abouts("carol"), vec![Some(rid("IT-1"))]);
    assert!(t.replies().next().is_none());
    assert_eq!(w.req("IT-1").status, Status::Cancelled);
    assert!(w.timers.is_empty(), "the first-response timer is gone");
    assert!(t
        .thread_posts("IT-1")
        .iter()
        .all(|m| !m.text.contains("(requester) wrote")));
}

#[test]
fn someone_else_cannot_cancel_a_request() {
    let mut w = World::new();
    file_laptop(&mut w, "carol");
    let t = w.command("alice", "cancel IT-1");
    assert_eq!(
        t.reply().text,
        "Only the person who opened IT-1 can cancel it."
    );
    assert!(t.requests.is_empty());
    let t = w.say("dave", "cancel IT-1");
    assert_eq!(
        t.dm_to("dave").text,
        "Only the person who opened IT-1 can cancel it."
    );
    assert_eq!(w.req("IT-1").status, Status::Open);
}

#[test]
fn cancelling_what_is_finished_or_unknown_says_so() {
    let mut w = World::new();
    file_laptop(&mut w, "carol");
    w.command("carol", "cancel IT-1");
    let t = w.command("carol", "cancel IT-1");
    assert_eq!(t.reply().text, "IT-1 is already cancelled.");
    assert!(t.requests.is_empty());
    file_laptop(&mut w, "carol");
    w.click("alice", Action::Close(rid("IT-2")));
    let t = w.command("carol", "cancel IT-2");
    assert_eq!(t.reply().text, "IT-2 is already closed.");
    let t = w.command("carol", "cancel HR-8");
    assert_eq!(
        t.reply().text,
        "I can't find request HR-8. `/help-it status` lists yours."
    );
}
