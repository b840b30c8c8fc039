//! The acceptance story from first words to comment, what the store must load for an input, and odds and ends.

use super::*;

// =============================================================================================
// The whole story
// =============================================================================================

#[test]
fn the_acceptance_story_from_first_words_to_comment() {
    let mut w = World::new();

    let t = w.command("carol", "my laptop won't boot");
    has_text(t.reply(), "direct message");
    has_text(t.dm_to("carol"), "*IT*. Is that right?");

    w.advance(Duration::minutes(1));
    let t = w.click("carol", Action::ConfirmDepartment);
    assert_eq!(t.dm_to("carol").text, "Which device is affected?");

    w.advance(Duration::minutes(1));
    let t = w.say("carol", "ThinkPad X1");
    assert_eq!(t.dm_to("carol").text, "How urgent is it?");

    w.advance(Duration::minutes(1));
    let t = w.click("carol", Action::PickOption(2));
    assert_eq!(t.dm_to("carol").text, "Anything else? (optional)");

    w.advance(Duration::minutes(1));
    let t = w.click("carol", Action::Skip);
    has_text(t.dm_to("carol"), "• How urgent is it? high");

    w.advance(Duration::minutes(1));
    let t = w.click("carol", Action::Submit);
    assert!(t.sends(&Outgoing::PostCard {
        request: rid("IT-1")
    }));
    has_text(t.dm_to("carol"), "*IT-1*");
    let created = w.now;

    w.advance(Duration::minutes(30));
    let t = w.click("alice", Action::Claim(rid("IT-1")));
    assert_eq!(t.dm_to("carol").text, "<@alice> is now working on *IT-1*.");

    w.advance(Duration::minutes(5));
    let t = w.thread_reply("alice", "IT-1", "on my way");
    assert_eq!(t.dm_to("carol").text, "<@alice> on *IT-1*:\non my way");

    w.advance(Duration::minutes(5));
    let t = w.say("carol", "thanks, I'm at desk 4");
    assert_eq!(
        t.thread_posts("IT-1")[0].text,
        "<@carol> (requester) wrote:\nthanks, I'm at desk 4"
    );

    w.advance(Duration::minutes(40));
    let t = w.click("alice", Action::Close(rid("IT-1")));
    assert_eq!(actions(t.dms_to("carol")[1]), rating_buttons("IT-1"));

    w.advance(Duration::minutes(2));
    let t = w.click("carol", Action::Rate(rid("IT-1"), 5));
    has_text(t.dm_to("carol"), "5/5");

    w.advance(Duration::minutes(1));
    let t = w.say("carol", "fixed in no time, thank you!");
    // The survey ends with thanks, and the offer to thank Alice (issue 16).
    let done = t.dm_to("carol");
    assert_eq!(
        done.text.lines().next(),
        Some("Thank you for your feedback!")
    );
    assert_eq!(actions(done), vec![Action::Thank(rid("IT-1"))]);

    let r = w.req("IT-1");
    assert_eq!(r.status, Status::Closed);
    assert_eq!(r.assignee, Some(user("alice")));
    assert_eq!(r.priority, Priority::High);
    assert_eq!(r.created_at, created);
    assert_eq!(r.first_response_at, Some(created + Duration::minutes(30)));
    assert_eq!(r.closed_at, Some(created + Duration::minutes(80)));
    assert_eq!(r.survey.state, SurveyState::Done);
    assert_eq!(r.survey.rating, Some(5));
    assert_eq!(
        r.survey.comment.as_deref(),
        Some("fixed in no time, thank you!")
    );
    assert_eq!(
        events(r),
        vec![
            Event::Created,
            Event::Claimed,
            Event::AgentReplied {
                text: "on my way".into()
            },
            Event::RequesterReplied {
                text: "thanks, I'm at desk 4".into()
            },
            Event::Closed,
            Event::Rated { rating: 5 },
            Event::Commented {
                text: "fixed in no time, thank you!".into()
            },
        ]
    );
    let actors: Vec<_> = r
        .history
        .iter()
        .map(|h| h.actor.clone().unwrap().id)
        .collect();
    assert_eq!(
        actors,
        ["carol", "alice", "alice", "carol", "alice", "carol", "carol"]
    );
    assert!(r.history.windows(2).all(|p| p[0].at < p[1].at));
    assert!(
        w.timers.is_empty(),
        "nothing left to chase: {:#?}",
        w.timers
    );
    assert!(w.sessions.is_empty());
}

// =============================================================================================
// Odds and ends
// =============================================================================================

#[test]
fn inputs_name_the_requests_the_store_must_load() {
    let dm = |text: &str, about: Option<&str>| Input::MessageReceived {
        user: user("carol"),
        text: text.into(),
        place: Place::Direct {
            about: about.map(rid),
        },
    };
    assert_eq!(dm("cancel it-4", None).named_requests(), vec![rid("IT-4")]);
    assert_eq!(
        dm("cancel FAC-2", Some("IT-1")).named_requests(),
        vec![rid("IT-1"), rid("FAC-2")]
    );
    assert_eq!(
        dm("cancel IT-1", Some("IT-1")).named_requests(),
        vec![rid("IT-1")]
    );
    assert!(dm("cancel the meeting", None).named_requests().is_empty());
    assert!(dm("IT-3", None).named_requests().is_empty());
    let cmd = Input::CommandInvoked {
        user: user("carol"),
        text: "CANCEL hr-2".into(),
    };
    assert_eq!(cmd.named_requests(), vec![rid("HR-2")]);
    let timer = Input::TimerFired {
        timer: Timer {
            at: t0(),
            kind: TimerKind::DraftExpiry {
                user: user("carol"),
            },
        },
    };
    assert!(timer.named_requests().is_empty());
    assert_eq!(timer.actor(), Some(&user("carol")));
    let reminder = Input::TimerFired {
        timer: Timer {
            at: t0(),
            kind: TimerKind::SurveyReminder {
                request: rid("IT-1"),
            },
        },
    };
    assert_eq!(reminder.named_requests(), vec![rid("IT-1")]);
    assert_eq!(reminder.actor(), None);
}

#[test]
fn a_snapshot_holds_the_named_requests_then_the_actors_requests_that_need_attention() {
    let mut w = World::new();
    let at = t0();
    let made = |id: &str, who: &str, status: Status, survey: SurveyState| Request {
        status,
        survey: Survey {
            state: survey,
            ..Survey::default()
        },
        ..Request::new(rid(id), "it", user(who), "printer", at)
    };
    for r in [
        made("IT-1", "carol", Status::Open, SurveyState::NotSent),
        made("IT-2", "carol", Status::Closed, SurveyState::AwaitingRating),
        made("IT-3", "carol", Status::Closed, SurveyState::Done),
        made("IT-4", "carol", Status::Cancelled, SurveyState::NotSent),
        made("IT-5", "dave", Status::Open, SurveyState::NotSent),
        made(
            "IT-6",
            "carol",
            Status::Closed,
            SurveyState::AwaitingComment,
        ),
    ] {
        w.requests.insert(r.id.clone(), r);
    }
    let ids =
        |s: &Snapshot| -> Vec<String> { s.requests.iter().map(|r| r.id.to_string()).collect() };

    // The named request first (whatever its state), then carol's that need attention, once each.
    let reopen = Input::ButtonClicked {
        user: user("carol"),
        action: Action::Reopen(rid("IT-3")),
        post: None,
    };
    assert_eq!(ids(&w.snapshot(&reopen)), ["IT-3", "IT-1", "IT-2", "IT-6"]);
    let close = Input::ButtonClicked {
        user: user("carol"),
        action: Action::Close(rid("IT-1")),
        post: None,
    };
    assert_eq!(ids(&w.snapshot(&close)), ["IT-1", "IT-2", "IT-6"]);
    // Someone else's request is loaded only when named.
    let claim = Input::ButtonClicked {
        user: user("dave"),
        action: Action::Claim(rid("IT-2")),
        post: None,
    };
    assert_eq!(ids(&w.snapshot(&claim)), ["IT-2", "IT-5"]);
    // A timer acts for nobody: only what it names.
    let reminder = Input::TimerFired {
        timer: Timer {
            at,
            kind: TimerKind::SurveyReminder {
                request: rid("IT-2"),
            },
        },
    };
    let snapshot = w.snapshot(&reminder);
    assert_eq!(ids(&snapshot), ["IT-2"]);
    assert_eq!(snapshot.next_number, 0);

    // A draft with a department carries that department's next number.
    w.counters.insert("IT".into(), 6);
    w.sessions.insert(
        user("erin"),
        Session {
            draft: Some(Draft {
                started_at: at,
                last_activity: at,
                step: Step::Describe,
                department: Some("it".into()),
                summary: None,
                summary_given: false,
                answers: Vec::new(),
            }),
            pending_reply: None,
            capture: None,
            note_for: None,
        },
    );
    let typed = Input::MessageReceived {
        user: user("erin"),
        text: "my printer".into(),
        place: Place::Direct { about: None },
    };
    let snapshot = w.snapshot(&typed);
    assert_eq!(snapshot.next_number, 7);
    assert_eq!(snapshot.session, w.session("erin"));
    assert_eq!(numbering_prefix(&snapshot.session, &w.rules), Some("IT"));
    assert_eq!(numbering_prefix(&Session::default(), &w.rules), None);
}

#[test]
fn a_command_of_only_spaces_starts_a_blank_request() {
    let mut w = World::new();
    let t = w.command("carol", "   ");
    has_text(t.reply(), "direct message");
    let draft = w.draft("carol");
    assert_eq!(draft.summary, None);
    assert_eq!(draft.step, Step::ChooseDepartment);
}

#[test]
fn the_claim_button_on_a_reminder_stops_the_chase() {
    let mut w = World::new();
    file_laptop(&mut w, "carol");
    w.advance(Duration::hours(4));
    let fired = w.fire_due_timers();
    let claim = fired[0].thread_posts("IT-1")[0].choices[0].action.clone();
    w.advance(Duration::minutes(15));
    let t = w.click("bob", claim);
    assert_eq!(t.dm_to("carol").text, "<@bob> is now working on *IT-1*.");
    assert_eq!(w.req("IT-1").first_response_at, Some(w.now));
    assert!(w.pending("first_response").is_empty());
    w.advance(Duration::hours(10));
    assert!(w.fire_due_timers().is_empty());
}

#[test]
fn a_reopened_request_is_not_chased_again() {
    let mut w = World::new();
    file_laptop(&mut w, "carol");
    w.click("carol", Action::Close(rid("IT-1")));
    w.click("carol", Action::Reopen(rid("IT-1")));
    assert_eq!(w.req("IT-1").status, Status::Open);
    let t = w.fire(TimerKind::FirstResponse {
        request: rid("IT-1"),
        round: 0,
    });
    assert_eq!(t, Transition::default());
}

#[test]
fn an_agent_can_still_write_to_the_requester_after_closing() {
    let mut w = World::new();
    closed_by_alice(&mut w);
    let t = w.thread_reply("alice", "IT-1", "PS: update your BIOS");
    assert_eq!(
        t.dm_to("carol").text,
        "<@alice> on *IT-1*:\nPS: update your BIOS"
    );
    assert_eq!(w.req("IT-1").status, Status::Closed);
    assert_eq!(w.req("IT-1").survey.state, SurveyState::AwaitingRating);
}

#[test]
fn typing_an_id_that_is_not_one_of_the_open_requests_asks_again_and_keeps_the_message() {
    let mut w = World::new();
    file_laptop(&mut w, "carol");
    w.advance(Duration::minutes(1));
    file_chair(&mut w, "carol");
    w.say("carol", "see you monday");
    let t = w.say("carol", "HR-9");
    let q = t.dm_to("carol");
    assert_eq!(
        q.text,
        "HR-9 isn't one of your open requests. Which one is your message for?"
    );
    assert_eq!(
        actions(q),
        vec![Action::ReplyTo(rid("FAC-1")), Action::ReplyTo(rid("IT-1"))]
    );
    assert!(t.requests.is_empty());
    assert_eq!(
        w.session("carol").pending_reply.as_deref(),
        Some("see you monday")
    );
    let t = w.say("carol", "IT-1");
    assert_eq!(
        t.thread_posts("IT-1")[0].text,
        "<@carol> (requester) wrote:\nsee you monday"
    );
}

#[test]
fn a_pending_message_is_clipped() {
    let mut w = World::new();
    file_laptop(&mut w, "carol");
    file_chair(&mut w, "carol");
    w.say("carol", &"q".repeat(10_000));
    let pending = w.session("carol").pending_reply.unwrap();
    assert_eq!(pending.chars().count(), text::MAX_ANSWER_CHARS);
}
