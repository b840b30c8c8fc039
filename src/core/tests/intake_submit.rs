//! Intake, the end: stale buttons and restarts, submitting, and drafts that expire.

use super::*;

// =============================================================================================
// Intake: stale buttons and restarts
// =============================================================================================

#[test]
fn a_button_from_an_earlier_question_asks_the_current_one_again() {
    let cases: Vec<(Script, Action, Step)> = vec![
        (
            |w| drop(w.command("carol", "")),
            Action::PickOption(1),
            Step::ChooseDepartment,
        ),
        (
            |w| drop(w.command("carol", "")),
            Action::ConfirmDepartment,
            Step::ChooseDepartment,
        ),
        (
            |w| drop(w.command("carol", "")),
            Action::Submit,
            Step::ChooseDepartment,
        ),
        (
            |w| {
                w.command("carol", "");
                w.say("carol", "it");
            },
            Action::PickDepartment("hr".into()),
            Step::Describe,
        ),
        (
            |w| {
                w.command("carol", "");
                w.say("carol", "it");
            },
            Action::RejectDepartment,
            Step::Describe,
        ),
        (
            |w| draft_at_urgency(w, "carol"),
            Action::Submit,
            Step::Field { index: 1 },
        ),
        (
            |w| draft_at_urgency(w, "carol"),
            Action::PickOption(7),
            Step::Field { index: 1 },
        ),
        (
            |w| {
                w.command("carol", "my laptop won't boot");
                w.say("carol", "yes");
            },
            Action::PickOption(0),
            Step::Field { index: 0 },
        ),
    ];
    for (script, action, step) in cases {
        let mut w = World::new();
        script(&mut w);
        let before = w.draft("carol");
        let t = w.click("carol", action.clone());
        let q = t.dm_to("carol");
        assert!(
            q.text
                .starts_with("That button belongs to an earlier question.\n"),
            "{action:?}: {:?}",
            q.text
        );
        let after = w.draft("carol");
        assert_eq!(after.step, step, "{action:?}");
        assert_eq!(after.answers, before.answers, "{action:?}");
        assert_eq!(after.department, before.department, "{action:?}");
    }
}

#[test]
fn a_second_command_restarts_the_draft_and_replaces_its_expiry_timer() {
    let mut w = World::new();
    draft_at_urgency(&mut w, "carol");
    w.advance(Duration::minutes(30));
    let t = w.command("carol", "vpn is down");
    let q = t.dm_to("carol");
    assert!(
        q.text.starts_with(
            "Starting a new request (the one you were writing is discarded).\nIt sounds like"
        ),
        "{:?}",
        q.text
    );
    let draft = w.draft("carol");
    assert_eq!(
        draft.step,
        Step::ConfirmDepartment {
            department: "it".into()
        }
    );
    assert_eq!(draft.department, None);
    assert!(draft.answers.is_empty());
    assert_eq!(draft.summary.as_deref(), Some("vpn is down"));
    assert_eq!(draft.started_at, t0() + Duration::minutes(30));
    assert_eq!(t.cancelled(), vec![&TimerFilter::Draft(user("carol"))]);
    let due = t0() + Duration::minutes(150);
    assert_eq!(
        t.scheduled(),
        vec![&Timer {
            at: due,
            kind: TimerKind::DraftExpiry {
                user: user("carol")
            }
        }]
    );
    assert_eq!(w.pending("draft_expiry").len(), 1, "the old timer is gone");
    assert_eq!(w.pending("draft_expiry")[0].at, due);
}

#[test]
fn new_request_typed_mid_draft_is_an_answer_but_the_button_restarts() {
    let mut w = World::new();
    w.command("carol", "");
    w.say("carol", "it");
    w.say("carol", "new request");
    assert_eq!(w.draft("carol").summary.as_deref(), Some("new request"));
    let t = w.click("carol", Action::StartRequest);
    has_text(t.dm_to("carol"), "Starting a new request");
    assert_eq!(w.step_of("carol"), Step::ChooseDepartment);
    assert_eq!(w.draft("carol").summary, None);
}

// =============================================================================================
// Intake: submit
// =============================================================================================

#[test]
fn submit_creates_the_request_posts_its_card_and_starts_the_first_response_clock() {
    let mut w = World::new();
    w.command("carol", "my laptop won't boot");
    w.say("carol", "yes");
    w.say("carol", "ThinkPad X1");
    w.say("carol", "high");
    w.say("carol", "skip");
    w.advance(Duration::minutes(3));
    let t = w.click("carol", Action::Submit);
    let now = t0() + Duration::minutes(3);

    assert_eq!(t.requests.len(), 1);
    let r = &t.requests[0];
    assert_eq!(r.id, rid("IT-1"));
    assert_eq!(r.department, "it");
    assert_eq!(r.requester, user("carol"));
    assert_eq!(r.summary, "my laptop won't boot");
    assert_eq!(
        r.answers,
        vec![
            Answer {
                field: "device".into(),
                prompt: "Which device is affected?".into(),
                value: Some("ThinkPad X1".into())
            },
            Answer {
                field: "urgency".into(),
                prompt: "How urgent is it?".into(),
                value: Some("high".into())
            },
            Answer {
                field: "notes".into(),
                prompt: "Anything else?".into(),
                value: None
            },
        ]
    );
    assert_eq!(r.priority, Priority::High);
    assert_eq!(r.status, Status::Open);
    assert_eq!(r.assignee, None);
    assert_eq!(r.created_at, now);
    assert_eq!(r.first_response_at, None);
    assert_eq!(r.closed_at, None);
    assert_eq!(
        r.history,
        vec![HistoryEntry {
            at: now,
            actor: Some(user("carol")),
            event: Event::Created
        }]
    );
    assert_eq!(r.survey, Survey::default());
    assert_eq!(r.card, None);
    assert_eq!(r.reminders_sent, 0);

    assert_eq!(
        t.effects,
        vec![
            Effect::Cancel(TimerFilter::Draft(user("carol"))),
            Effect::Send(Outgoing::PostCard {
                request: rid("IT-1")
            }),
            Effect::Send(Outgoing::Dm {
                to: user("carol"),
                msg: Message::text(
                    Text::new("submitted")
                        .arg("id", Arg::strong(&rid("IT-1")))
                        .arg("team", "IT")
                        .arg("sla", Arg::duration(Duration::hours(4)))
                )
                .line(Text::new("first-response-by").arg(
                    "when",
                    Arg::LocalTime {
                        at: now + Duration::hours(4),
                        zone: chrono_tz::UTC,
                        dated: false,
                    }
                )),
                about: Some(rid("IT-1")),
            }),
            Effect::Schedule(Timer {
                at: now + Duration::hours(4),
                kind: TimerKind::FirstResponse {
                    request: rid("IT-1"),
                    round: 0
                }
            }),
        ]
    );
    assert_eq!(
        t.dm_to("carol").text,
        "Thanks! Your request *IT-1* is with IT. They aim to respond within 4h; you'll hear from \
         them right here. Reply here any time to add details.\nExpect a first response by Monday 13:03 (UTC)."
    );
    assert!(w.session("carol").is_empty());
    assert!(w.pending("draft_expiry").is_empty());
    assert_eq!(w.pending("first_response").len(), 1);
}

#[test]
fn submit_can_be_typed() {
    for word in ["submit", "Send", "yes"] {
        let mut w = World::new();
        w.command("carol", "my chair is broken");
        w.say("carol", "yes");
        let t = w.say("carol", word);
        assert_eq!(t.requests.len(), 1, "{word:?}");
        assert_eq!(t.requests[0].id, rid("FAC-1"));
        assert_eq!(t.requests[0].priority, Priority::Normal);
    }
}

#[test]
fn anything_else_at_confirm_explains_the_choices() {
    let mut w = World::new();
    w.command("carol", "my chair is broken");
    w.say("carol", "yes");
    let t = w.say("carol", "hmm");
    let q = t.dm_to("carol");
    assert!(q.text.starts_with(
        "Reply `submit` to send it, `back` to change an answer, or `cancel` to drop it.\n"
    ));
    assert!(t.requests.is_empty());
    assert_eq!(w.step_of("carol"), Step::Confirm);
}

#[test]
fn request_numbers_count_per_department_and_are_never_reused() {
    let mut w = World::new();
    assert_eq!(file_laptop(&mut w, "carol"), rid("IT-1"));
    assert_eq!(file_laptop(&mut w, "dave"), rid("IT-2"));
    assert_eq!(file_chair(&mut w, "carol"), rid("FAC-1"));
    w.command("carol", "cancel IT-1");
    assert_eq!(file_laptop(&mut w, "carol"), rid("IT-3"));
    assert_eq!(
        w.req("IT-1").status,
        Status::Cancelled,
        "IT-1 is not overwritten"
    );
    assert_eq!(w.req("IT-2").requester, user("dave"));
}

#[test]
fn priority_comes_from_the_urgency_answer() {
    for (urgency, priority) in [
        ("low", Priority::Low),
        ("normal", Priority::Normal),
        ("high", Priority::High),
        ("urgent", Priority::Urgent),
    ] {
        let mut w = World::new();
        draft_at_urgency(&mut w, "carol");
        w.say("carol", urgency);
        w.say("carol", "skip");
        let t = w.say("carol", "submit");
        assert_eq!(t.requests[0].priority, priority, "{urgency}");
    }
    let mut w = World::new();
    let id = file_leave(&mut w, "carol");
    assert_eq!(w.req(&id.to_string()).priority, Priority::Normal);
    assert_eq!(w.req("HR-1").answers[0].value.as_deref(), Some("leave"));
}

// =============================================================================================
// Intake: expiry
// =============================================================================================

#[test]
fn the_expiry_timer_drops_an_idle_draft_and_tells_the_user() {
    let mut w = World::new();
    draft_at_urgency(&mut w, "carol");
    w.advance(Duration::hours(2));
    let fired = w.fire_due_timers();
    assert_eq!(fired.len(), 1);
    let t = &fired[0];
    let msg = t.dm_to("carol");
    has_text(msg, "expired after 2h without an answer, so I dropped it.");
    assert_eq!(actions(msg), vec![Action::StartRequest]);
    assert_eq!(t.cancelled(), vec![&TimerFilter::Draft(user("carol"))]);
    assert!(w.session("carol").is_empty());
    assert!(w.timers.is_empty());
}

#[test]
fn the_expiry_timer_looks_again_later_while_the_user_is_answering() {
    let mut w = World::new();
    w.command("carol", "");
    w.advance(Duration::hours(1));
    w.say("carol", "it");
    w.advance(Duration::hours(1));
    let fired = w.fire_due_timers();
    assert_eq!(fired.len(), 1);
    let t = &fired[0];
    assert!(
        t.outgoing().next().is_none(),
        "nothing to tell: {:#?}",
        t.effects
    );
    assert_eq!(
        t.scheduled(),
        vec![&Timer {
            at: t0() + Duration::hours(3),
            kind: TimerKind::DraftExpiry {
                user: user("carol")
            }
        }]
    );
    assert_eq!(w.step_of("carol"), Step::Describe, "the draft is kept");

    w.advance(Duration::hours(1));
    let fired = w.fire_due_timers();
    has_text(fired[0].dm_to("carol"), "expired");
    assert!(w.session("carol").is_empty());
}

#[test]
fn the_expiry_timer_does_nothing_without_a_draft() {
    let mut w = World::new();
    file_laptop(&mut w, "carol");
    let t = w.fire(TimerKind::DraftExpiry {
        user: user("carol"),
    });
    assert!(t.effects.is_empty());
    assert!(t.requests.is_empty());
    let t = w.fire(TimerKind::DraftExpiry {
        user: user("nobody"),
    });
    assert!(t.effects.is_empty());
}

#[test]
fn a_message_to_an_expired_draft_tells_the_user_and_starts_fresh() {
    let mut w = World::new();
    draft_at_urgency(&mut w, "carol");
    w.advance(Duration::hours(3));
    let t = w.say("carol", "high");
    let dms = t.dms_to("carol");
    assert_eq!(dms.len(), 2, "{dms:#?}");
    assert_eq!(
        dms[0].text,
        "The request you were writing expired after 2h without an answer, so I dropped it. Let's start again."
    );
    assert!(
        dms[0].choices.is_empty(),
        "the next message is the new start"
    );
    has_text(dms[1], "Which team can help?");
    assert!(
        !dms[1].text.contains("Starting a new request"),
        "nothing left to discard"
    );
    let draft = w.draft("carol");
    assert_eq!(draft.step, Step::ChooseDepartment);
    assert_eq!(draft.summary, None, "an old answer is not a description");
    assert_eq!(draft.started_at, w.now);
    assert_eq!(w.pending("draft_expiry").len(), 1);
    assert_eq!(w.pending("draft_expiry")[0].at, w.now + Duration::hours(2));
}

#[test]
fn an_answer_to_an_expired_draft_is_not_taken_as_a_rating() {
    let mut w = World::new();
    closed_by_alice(&mut w);
    draft_at_urgency(&mut w, "carol");
    w.advance(Duration::hours(3));
    let t = w.say("carol", "2");
    assert!(t.changed("IT-1").is_none());
    assert_eq!(w.req("IT-1").survey.state, SurveyState::AwaitingRating);
    assert_eq!(w.req("IT-1").survey.rating, None);
    assert_eq!(w.step_of("carol"), Step::ChooseDepartment);
}

#[test]
fn an_answer_to_an_expired_draft_is_not_relayed_to_an_open_request() {
    let mut w = World::new();
    file_laptop(&mut w, "carol");
    draft_at_urgency(&mut w, "carol");
    w.advance(Duration::hours(3));
    let t = w.say("carol", "my personal phone");
    assert!(t.thread_posts("IT-1").is_empty());
    assert!(t.changed("IT-1").is_none());
    assert_eq!(w.req("IT-1").history.len(), 1);
    assert_eq!(w.step_of("carol"), Step::ChooseDepartment);
}

#[test]
fn keywords_still_work_on_an_expired_draft() {
    let mut w = World::new();
    file_laptop(&mut w, "carol");
    draft_at_urgency(&mut w, "carol");
    w.advance(Duration::hours(3));
    let t = w.say("carol", "status");
    let dms = t.dms_to("carol");
    assert_eq!(dms.len(), 2);
    has_text(dms[0], "expired");
    has_text(dms[0], "to start again");
    assert_eq!(actions(dms[0]), vec![Action::StartRequest]);
    has_text(dms[1], "Your open requests:");
    assert!(w.session("carol").is_empty());

    let mut w = World::new();
    draft_at_urgency(&mut w, "carol");
    w.advance(Duration::hours(3));
    let t = w.say("carol", "cancel");
    has_text(t.dm_to("carol"), "expired");
    assert!(w.session("carol").is_empty());
}

#[test]
fn intake_buttons_without_a_draft_say_the_conversation_has_ended() {
    for action in [
        Action::Submit,
        Action::Back,
        Action::Skip,
        Action::Cancel,
        Action::PickOption(0),
        Action::PickDepartment("it".into()),
        Action::ConfirmDepartment,
        Action::RejectDepartment,
    ] {
        let mut w = World::new();
        let t = w.click("carol", action.clone());
        let msg = t.dm_to("carol");
        assert_eq!(
            msg.text, "That conversation has ended. Start a new request whenever you need us.",
            "{action:?}"
        );
        assert_eq!(actions(msg), vec![Action::StartRequest]);
        assert!(w.session("carol").is_empty());
    }
}

#[test]
fn a_button_on_an_expired_draft_says_so_once() {
    let mut w = World::new();
    w.command("carol", "my chair is broken");
    w.say("carol", "yes");
    w.advance(Duration::hours(2));
    let t = w.click("carol", Action::Submit);
    let msg = t.dm_to("carol");
    has_text(msg, "expired after 2h");
    assert_eq!(actions(msg), vec![Action::StartRequest]);
    assert!(t.requests.is_empty(), "an expired draft is never submitted");
    assert!(w.session("carol").is_empty());
}

#[test]
fn answering_keeps_the_draft_alive() {
    let mut w = World::new();
    w.command("carol", "");
    w.advance(Duration::minutes(110));
    w.say("carol", "it");
    assert_eq!(
        w.draft("carol").last_activity,
        t0() + Duration::minutes(110)
    );
    w.advance(Duration::minutes(110));
    w.click("carol", Action::Back);
    assert_eq!(
        w.draft("carol").last_activity,
        t0() + Duration::minutes(220)
    );
    assert_eq!(w.step_of("carol"), Step::ChooseDepartment);
}
