//! Intake, the middle: the department's questions, going back, and cancelling a draft at every step.

use super::*;

// =============================================================================================
// Intake: the department's questions
// =============================================================================================

#[test]
fn a_text_field_takes_what_is_typed() {
    let mut w = World::new();
    w.command("carol", "my laptop won't boot");
    w.say("carol", "yes");
    let t = w.say("carol", "ThinkPad X1 (the old one)");
    let q = t.dm_to("carol");
    assert_eq!(q.text, "How urgent is it?");
    assert_eq!(actions(q), urgency_buttons());
    assert_eq!(q.choices[2].label, "high");
    let draft = w.draft("carol");
    assert_eq!(
        draft.answers[0].as_deref(),
        Some("ThinkPad X1 (the old one)")
    );
    assert_eq!(draft.step, Step::Field { index: 1 });
}

#[test]
fn a_choice_field_takes_a_button() {
    let mut w = World::new();
    draft_at_urgency(&mut w, "carol");
    let t = w.click("carol", Action::PickOption(3));
    let q = t.dm_to("carol");
    assert_eq!(q.text, "Anything else? (optional)");
    assert_eq!(actions(q), vec![Action::Skip, Action::Back, Action::Cancel]);
    assert_eq!(w.draft("carol").answers[1].as_deref(), Some("urgent"));
}

#[test]
fn a_choice_field_takes_a_typed_option_in_any_case_or_its_number() {
    for (typed, value) in [
        ("high", "high"),
        ("HIGH", "high"),
        ("Low", "low"),
        ("1", "low"),
        ("4", "urgent"),
    ] {
        let mut w = World::new();
        draft_at_urgency(&mut w, "carol");
        w.say("carol", typed);
        let draft = w.draft("carol");
        assert_eq!(draft.answers[1].as_deref(), Some(value), "{typed:?}");
        assert_eq!(draft.step, Step::Field { index: 2 }, "{typed:?}");
    }
}

#[test]
fn a_wrong_choice_answer_lists_the_options() {
    for typed in ["asap", "0", "5", "highest", "ÜRGENT"] {
        let mut w = World::new();
        draft_at_urgency(&mut w, "carol");
        let t = w.say("carol", typed);
        let q = t.dm_to("carol");
        assert_eq!(
            q.text,
            "Please pick one of: low, normal, high, urgent (or its number).\nHow urgent is it?",
            "{typed:?}"
        );
        assert_eq!(actions(q), urgency_buttons());
        let draft = w.draft("carol");
        assert_eq!(draft.answers[1], None);
        assert_eq!(draft.step, Step::Field { index: 1 });
    }
}

#[test]
fn skip_on_an_optional_question_goes_on_with_no_answer() {
    for by_button in [false, true] {
        let mut w = World::new();
        draft_at_urgency(&mut w, "carol");
        w.say("carol", "normal");
        let t = if by_button {
            w.click("carol", Action::Skip)
        } else {
            w.say("carol", "SKIP")
        };
        has_text(t.dm_to("carol"), "Please check your *IT* request");
        has_text(t.dm_to("carol"), "• Anything else? —");
        let draft = w.draft("carol");
        assert_eq!(draft.step, Step::Confirm);
        assert_eq!(draft.answers[2], None);
    }
}

#[test]
fn skip_on_a_required_question_is_refused() {
    let mut w = World::new();
    draft_at_urgency(&mut w, "carol");
    let t = w.say("carol", "skip");
    assert_eq!(
        t.dm_to("carol").text,
        "This question can't be skipped.\nHow urgent is it?"
    );
    assert_eq!(w.step_of("carol"), Step::Field { index: 1 });
    let t = w.click("carol", Action::Skip);
    has_text(t.dm_to("carol"), "This question can't be skipped.");
    assert_eq!(w.step_of("carol"), Step::Field { index: 1 });
}

#[test]
fn skip_outside_the_questions_is_refused() {
    let mut w = World::new();
    w.command("carol", "");
    let t = w.say("carol", "skip");
    has_text(
        t.dm_to("carol"),
        "This question can't be skipped.\nWhich team can help?",
    );
    w.say("carol", "it");
    let t = w.say("carol", "skip");
    has_text(
        t.dm_to("carol"),
        "This question can't be skipped.\nIn a sentence or two",
    );
    assert_eq!(w.step_of("carol"), Step::Describe);
    assert_eq!(w.draft("carol").summary, None);
}

#[test]
fn an_optional_answer_can_be_given_and_shows_in_the_summary() {
    let mut w = World::new();
    draft_at_urgency(&mut w, "carol");
    w.say("carol", "high");
    let t = w.say("carol", "it's the one on floor 3");
    assert_eq!(
        t.dm_to("carol").text,
        "Please check your *IT* request:\n• What you need: printer jams\n• Which device is affected? HP 4000\n\
         • How urgent is it? high\n• Anything else? it's the one on floor 3\nSubmit it?"
    );
}

// =============================================================================================
// Intake: back
// =============================================================================================

#[test]
fn back_on_the_first_question_asks_it_again() {
    let mut w = World::new();
    w.command("carol", "");
    let t = w.say("carol", "back");
    assert_eq!(actions(t.dm_to("carol")), department_buttons());
    assert_eq!(w.step_of("carol"), Step::ChooseDepartment);
    let t = w.click("carol", Action::Back);
    has_text(t.dm_to("carol"), "Which team can help?");
    assert_eq!(w.step_of("carol"), Step::ChooseDepartment);
}

#[test]
fn back_on_the_guess_asks_it_again() {
    let mut w = World::new();
    w.command("carol", "my laptop won't boot");
    let t = w.say("carol", "back");
    has_text(t.dm_to("carol"), "It sounds like a request for *IT*");
    assert_eq!(
        w.step_of("carol"),
        Step::ConfirmDepartment {
            department: "it".into()
        }
    );
}

#[test]
fn back_from_describe_goes_to_the_department() {
    let mut w = World::new();
    w.command("carol", "");
    w.say("carol", "it");
    let t = w.click("carol", Action::Back);
    assert_eq!(actions(t.dm_to("carol")), department_buttons());
    assert_eq!(w.step_of("carol"), Step::ChooseDepartment);
}

#[test]
fn back_from_the_first_field_goes_to_describe_when_the_user_described_it() {
    let mut w = World::new();
    w.command("carol", "");
    w.say("carol", "it");
    w.say("carol", "printer jams");
    let t = w.say("carol", "back");
    has_text(t.dm_to("carol"), "In a sentence or two");
    assert_eq!(w.step_of("carol"), Step::Describe);
    w.say("carol", "printer jams and smokes");
    let draft = w.draft("carol");
    assert_eq!(draft.summary.as_deref(), Some("printer jams and smokes"));
    assert_eq!(draft.step, Step::Field { index: 0 });
}

#[test]
fn back_from_the_first_field_goes_to_the_department_when_first_words_were_given() {
    let mut w = World::new();
    w.command("carol", "my laptop won't boot");
    w.say("carol", "yes");
    let t = w.say("carol", "back");
    assert_eq!(actions(t.dm_to("carol")), department_buttons());
    assert_eq!(w.step_of("carol"), Step::ChooseDepartment);
}

#[test]
fn back_from_a_later_field_goes_to_the_previous_one_and_keeps_answers() {
    let mut w = World::new();
    draft_at_urgency(&mut w, "carol");
    w.say("carol", "high");
    assert_eq!(w.step_of("carol"), Step::Field { index: 2 });
    let t = w.click("carol", Action::Back);
    assert_eq!(t.dm_to("carol").text, "How urgent is it?");
    assert_eq!(w.step_of("carol"), Step::Field { index: 1 });
    assert_eq!(w.draft("carol").answers[1].as_deref(), Some("high"));
    let t = w.say("carol", "back");
    assert_eq!(t.dm_to("carol").text, "Which device is affected?");
    assert_eq!(w.step_of("carol"), Step::Field { index: 0 });
    assert_eq!(w.draft("carol").answers[0].as_deref(), Some("HP 4000"));
}

#[test]
fn back_from_confirm_goes_to_the_last_field() {
    let mut w = World::new();
    draft_at_urgency(&mut w, "carol");
    w.say("carol", "high");
    w.say("carol", "skip");
    let t = w.say("carol", "back");
    assert_eq!(t.dm_to("carol").text, "Anything else? (optional)");
    assert_eq!(w.step_of("carol"), Step::Field { index: 2 });
}

#[test]
fn back_from_confirm_without_fields_goes_to_describe_or_the_department() {
    // Described in the conversation: back to the description.
    let mut w = World::new();
    w.command("carol", "");
    w.say("carol", "facilities");
    w.say("carol", "window stuck");
    assert_eq!(w.step_of("carol"), Step::Confirm);
    let t = w.click("carol", Action::Back);
    has_text(t.dm_to("carol"), "In a sentence or two");
    assert_eq!(w.step_of("carol"), Step::Describe);

    // Described by the command: back to the department.
    let mut w = World::new();
    w.command("carol", "my chair is broken");
    w.say("carol", "yes");
    assert_eq!(w.step_of("carol"), Step::Confirm);
    let t = w.say("carol", "back");
    assert_eq!(actions(t.dm_to("carol")), department_buttons());
    assert_eq!(w.step_of("carol"), Step::ChooseDepartment);
}

#[test]
fn picking_the_same_team_again_keeps_the_answers_and_another_team_clears_them() {
    let mut w = World::new();
    w.command("carol", "my laptop won't boot");
    w.say("carol", "yes");
    w.say("carol", "ThinkPad");
    w.say("carol", "back");
    w.say("carol", "back");
    assert_eq!(w.step_of("carol"), Step::ChooseDepartment);
    w.say("carol", "it");
    assert_eq!(w.draft("carol").answers[0].as_deref(), Some("ThinkPad"));
    w.say("carol", "back");
    w.say("carol", "hr");
    assert_eq!(w.draft("carol").answers, vec![None]);
}

// =============================================================================================
// Intake: cancel
// =============================================================================================

fn assert_draft_cancelled(w: &World, t: &Transition) {
    let msg = t.dm_to("carol");
    assert_eq!(
        msg.text,
        "Cancelled; nothing was sent. Start again whenever you need us."
    );
    assert_eq!(actions(msg), vec![Action::StartRequest]);
    assert_eq!(t.cancelled(), vec![&TimerFilter::Draft(user("carol"))]);
    assert!(t.requests.is_empty());
    assert!(w.session("carol").is_empty());
    assert!(w.requests.is_empty());
    assert!(w.pending("draft_expiry").is_empty());
}

/// Scripts that leave carol's draft at each step.
pub(super) fn at_every_step() -> Vec<(&'static str, Script)> {
    vec![
        ("choose department", |w| {
            w.command("carol", "");
        }),
        ("confirm department", |w| {
            w.command("carol", "my laptop won't boot");
        }),
        ("describe", |w| {
            w.command("carol", "");
            w.say("carol", "it");
        }),
        ("first field", |w| {
            w.command("carol", "my laptop won't boot");
            w.say("carol", "yes");
        }),
        ("choice field", |w| draft_at_urgency(w, "carol")),
        ("optional field", |w| {
            draft_at_urgency(w, "carol");
            w.say("carol", "high");
        }),
        ("confirm", |w| {
            draft_at_urgency(w, "carol");
            w.say("carol", "high");
            w.say("carol", "skip");
        }),
    ]
}

#[test]
fn cancel_typed_at_every_step_drops_the_draft() {
    for (name, script) in at_every_step() {
        for word in ["cancel", "Cancel", "stop", "quit"] {
            let mut w = World::new();
            script(&mut w);
            assert!(w.session("carol").draft.is_some(), "{name}");
            let t = w.say("carol", word);
            assert_draft_cancelled(&w, &t);
        }
    }
}

#[test]
fn the_cancel_button_at_every_step_drops_the_draft() {
    for (name, script) in at_every_step() {
        let mut w = World::new();
        script(&mut w);
        assert!(w.session("carol").draft.is_some(), "{name}");
        let t = w.click("carol", Action::Cancel);
        assert_draft_cancelled(&w, &t);
    }
}

#[test]
fn the_cancel_command_without_an_id_drops_the_draft_being_written() {
    let mut w = World::new();
    draft_at_urgency(&mut w, "carol");
    let t = w.command("carol", "cancel");
    assert!(t.replies().next().is_none());
    assert_draft_cancelled(&w, &t);
}

#[test]
fn the_cancel_command_without_an_id_or_a_draft_asks_which() {
    let mut w = World::new();
    let t = w.command("carol", "cancel");
    assert_eq!(
        t.reply().text,
        "Which request? Use `/help-it cancel IT-7`; `/help-it status` lists yours."
    );
    assert!(t.outgoing().next().is_none());
    let t = w.command("carol", "cancel my-laptop-thing");
    has_text(t.reply(), "`my-laptop-thing` is not a request id.");
    assert!(w.session("carol").is_empty());
}

#[test]
fn cancel_typed_with_no_draft_explains_instead_of_starting_a_request() {
    let mut w = World::new();
    let t = w.say("carol", "cancel");
    has_text(
        t.dm_to("carol"),
        "There's no request in progress to cancel.",
    );
    assert!(
        w.session("carol").is_empty(),
        "\"cancel\" must not become a request"
    );

    let mut w = World::new();
    file_laptop(&mut w, "carol");
    let t = w.say("carol", "stop");
    has_text(t.dm_to("carol"), "type `cancel IT-7`");
    assert!(t.thread_posts("IT-1").is_empty(), "not relayed to the team");
    assert_eq!(w.req("IT-1").status, Status::Open);
}
