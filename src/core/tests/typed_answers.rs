//! Typing instead of clicking: a button's label typed as it reads (any case, with or without
//! its punctuation, in English or German) does what the button does, at every question; and
//! the commands typed while a request is being written.

use super::*;
use crate::core::shown::label_in;
use crate::core::typed::normalise;

/// The last message with buttons sent to `who` in `t`.
fn last_question(t: &Transition, who: &str) -> Message {
    t.effects
        .iter()
        .rev()
        .find_map(|e| match e {
            Effect::Send(Outgoing::Dm { to, msg, .. })
                if to == &user(who) && !msg.choices.is_empty() =>
            {
                Some(msg.clone())
            }
            _ => None,
        })
        .expect("a question with buttons")
}

fn to_choose_department(w: &mut World) -> Transition {
    w.command("carol", "")
}

fn to_confirm_department(w: &mut World) -> Transition {
    w.command("carol", "my laptop won't boot")
}

fn to_describe(w: &mut World) -> Transition {
    w.command("carol", "");
    w.click("carol", Action::PickDepartment("it".into()))
}

fn to_required_text(w: &mut World) -> Transition {
    w.command("carol", "my laptop won't boot");
    w.say("carol", "yes")
}

fn to_choice(w: &mut World) -> Transition {
    w.command("carol", "my laptop won't boot");
    w.say("carol", "yes");
    w.say("carol", "ThinkPad X1")
}

fn to_optional_text(w: &mut World) -> Transition {
    to_choice(w);
    w.say("carol", "high")
}

fn to_summary(w: &mut World) -> Transition {
    to_optional_text(w);
    w.say("carol", "skip")
}

fn to_hr_choice(w: &mut World) -> Transition {
    w.command("carol", "question about my holiday");
    w.say("carol", "yes")
}

fn to_survey_rating(w: &mut World) -> Transition {
    let id = file_laptop(w, "carol");
    w.click("alice", Action::Claim(id.clone()));
    w.click("alice", Action::Close(id))
}

fn to_survey_comment(w: &mut World) -> Transition {
    to_survey_rating(w);
    w.click("carol", Action::Rate(rid("IT-1"), 4))
}

fn to_which_request(w: &mut World) -> Transition {
    file_laptop(w, "carol");
    file_chair(w, "carol");
    w.say("carol", "I'm working from home tomorrow")
}

fn to_cancelled_draft(w: &mut World) -> Transition {
    w.command("carol", "");
    w.say("carol", "cancel")
}

/// A way to a question; the transition is the one that asked it.
type ToQuestion = fn(&mut World) -> Transition;

/// Every kind of question the desk asks with buttons, and how to get to it.
const QUESTIONS: &[(&str, ToQuestion)] = &[
    ("choose the department", to_choose_department),
    ("confirm the department", to_confirm_department),
    ("describe", to_describe),
    ("required text field", to_required_text),
    ("choice field", to_choice),
    ("optional text field", to_optional_text),
    ("summary", to_summary),
    ("another department's choice field", to_hr_choice),
    ("survey rating", to_survey_rating),
    ("survey comment", to_survey_comment),
    ("which request is it for", to_which_request),
    ("after a cancelled draft", to_cancelled_draft),
];

#[test]
fn every_button_of_every_question_can_be_typed_as_it_reads() {
    let mut checked = 0;
    for (question, script) in QUESTIONS {
        let mut w = World::new();
        let asked = last_question(&script(&mut w), "carol");
        for choice in &asked.choices {
            let mut clicked = World::new();
            script(&mut clicked);
            let expected = clicked.click("carol", choice.action.clone());
            for locale in ["en", "de"] {
                let label = label_in(locale, &choice.label);
                for typed in [
                    label.clone(),
                    label.to_uppercase(),
                    label.to_lowercase(),
                    format!("  {}!  ", normalise(&label)),
                ] {
                    let mut w = World::new();
                    script(&mut w);
                    let t = w.say("carol", &typed);
                    assert_eq!(
                        t, expected,
                        "{question}: typing {typed:?} should do what clicking {:?} does",
                        choice.action
                    );
                    assert_eq!(w.sessions, clicked.sessions, "{question}: {typed:?}");
                    assert_eq!(w.requests, clicked.requests, "{question}: {typed:?}");
                    checked += 1;
                }
            }
        }
    }
    assert!(checked > 100, "{checked}");
}

#[test]
fn typing_the_confirmation_buttons_label_moves_on() {
    // It used to answer "Please answer yes or no" to this, again and again.
    let mut w = World::new();
    to_confirm_department(&mut w);
    let t = w.say("carol", "Yes, IT");
    assert_eq!(t.dm_to("carol").text, "Which device is affected?");
    assert_eq!(w.step_of("carol"), Step::Field { index: 0 });
    assert_eq!(w.draft("carol").department.as_deref(), Some("it"));

    let mut w = World::new();
    to_confirm_department(&mut w);
    let t = w.say("carol", "No, another team");
    has_text(t.dm_to("carol"), "Which team can help?");
    assert_eq!(w.step_of("carol"), Step::ChooseDepartment);

    // German readers see (and type) German labels.
    let mut w = World::new();
    to_confirm_department(&mut w);
    w.say("carol", "ja, it");
    assert_eq!(w.step_of("carol"), Step::Field { index: 0 });
}

#[test]
fn the_confirmation_still_takes_yes_no_and_a_teams_name() {
    for (typed, step) in [
        ("yes", Step::Field { index: 0 }),
        ("Yep!", Step::Field { index: 0 }),
        ("no", Step::ChooseDepartment),
        ("facilities", Step::Confirm),
    ] {
        let mut w = World::new();
        to_confirm_department(&mut w);
        w.say("carol", typed);
        assert_eq!(w.step_of("carol"), step, "{typed:?}");
    }
    let mut w = World::new();
    to_confirm_department(&mut w);
    let t = w.say("carol", "Yes, HR");
    has_text(t.dm_to("carol"), "Please answer yes or no");
}

#[test]
fn labels_typed_in_a_free_text_question_are_still_answers_unless_offered() {
    // "Submit" is not a button of the device question: it is the device.
    let mut w = World::new();
    to_required_text(&mut w);
    w.say("carol", "Submit");
    assert_eq!(w.draft("carol").answers[0].as_deref(), Some("Submit"));
    // "Yes, IT" at the description is the description.
    let mut w = World::new();
    to_describe(&mut w);
    w.say("carol", "Yes, IT");
    assert_eq!(w.draft("carol").summary.as_deref(), Some("Yes, IT"));
}

#[test]
fn a_typed_new_request_label_starts_a_request_without_words() {
    for typed in ["New request!", "neue Anfrage"] {
        let mut w = World::new();
        let t = w.say("carol", typed);
        has_text(t.dm_to("carol"), "Which team can help?");
        assert_eq!(w.draft("carol").summary, None, "{typed:?}");
    }
}

// ---- commands typed while a request is being written ----

#[test]
fn status_while_answering_lists_the_requests_and_asks_again() {
    let mut w = World::new();
    file_chair(&mut w, "carol");
    to_required_text(&mut w);
    let before = w.draft("carol");
    let t = w.say("carol", "Status");
    let msg = t.dm_to("carol");
    assert_eq!(
        msg.text,
        "Your open requests:\n• *FAC-1* my chair is broken — open (waiting for someone to pick \
         it up)\nWhich device is affected?"
    );
    assert_eq!(actions(msg), vec![Action::Back, Action::Cancel]);
    let after = w.draft("carol");
    assert_eq!(
        after.answers, before.answers,
        "\"status\" is not the device"
    );
    assert_eq!(after.step, Step::Field { index: 0 });

    // With nothing filed yet, and at a choice question.
    let mut w = World::new();
    to_choice(&mut w);
    let t = w.say("carol", "my requests");
    let msg = t.dm_to("carol");
    assert_eq!(msg.text, "You have no open requests.\nHow urgent is it?");
    assert_eq!(actions(msg), urgency_buttons());
    assert_eq!(w.step_of("carol"), Step::Field { index: 1 });
    assert_eq!(w.draft("carol").answers[1], None);
}

#[test]
fn commands_work_at_every_question_and_leave_the_draft_where_it_was() {
    let drafts: [ToQuestion; 7] = [
        to_choose_department,
        to_confirm_department,
        to_describe,
        to_required_text,
        to_choice,
        to_optional_text,
        to_summary,
    ];
    for script in drafts {
        for word in ["status", "STATUS.", "help", "Help?", "?"] {
            let mut w = World::new();
            script(&mut w);
            let before = w.draft("carol");
            let t = w.say("carol", word);
            assert!(t.requests.is_empty(), "{word:?}");
            let mut after = w.draft("carol");
            assert_eq!(after.last_activity, w.now);
            after.last_activity = before.last_activity;
            assert_eq!(after, before, "{word:?}");
            // The question is asked again, with its buttons (the form's is the first
            // question's alone).
            let mut asked = shown(&last_question(&script(&mut World::new()), "carol")).choices;
            asked.retain(|c| c.action != Action::OpenForm);
            assert_eq!(t.dm_to("carol").choices, asked, "{word:?}");
        }
        for word in ["cancel", "Cancel!", "stop"] {
            let mut w = World::new();
            script(&mut w);
            let t = w.say("carol", word);
            assert_eq!(
                t.dm_to("carol").text,
                "Cancelled; nothing was sent. Start again whenever you need us.",
                "{word:?}"
            );
            assert!(w.session("carol").draft.is_none(), "{word:?}");
            assert!(w.pending("draft_expiry").is_empty(), "{word:?}");
        }
    }
}

#[test]
fn a_command_word_inside_a_longer_answer_is_the_answer() {
    let mut w = World::new();
    to_describe(&mut w);
    w.say("carol", "status page is down");
    assert_eq!(
        w.draft("carol").summary.as_deref(),
        Some("status page is down")
    );
    w.say("carol", "help desk PC");
    assert_eq!(w.draft("carol").answers[0].as_deref(), Some("help desk PC"));
    w.say("carol", "high");
    w.say("carol", "please cancel my old ticket too");
    assert_eq!(
        w.draft("carol").answers[2].as_deref(),
        Some("please cancel my old ticket too")
    );
    assert_eq!(w.step_of("carol"), Step::Confirm);
}
