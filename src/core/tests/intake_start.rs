//! Intake, the first steps: starting a request, choosing the department, and the guess from the first words.

use super::*;

// =============================================================================================
// Intake: starting
// =============================================================================================

#[test]
fn a_bare_command_acknowledges_in_place_and_asks_for_the_team_by_dm() {
    let mut w = World::new();
    let t = w.command("carol", "");
    has_text(t.reply(), "I've sent you a direct message");
    let q = t.dm_to("carol");
    has_text(q, "Which team can help?");
    assert_eq!(actions(q), first_department_buttons());
    assert_eq!(t.dm_abouts("carol"), vec![None]);
    let draft = w.draft("carol");
    assert_eq!(draft.step, Step::ChooseDepartment);
    assert_eq!(draft.summary, None);
    assert!(!draft.summary_given);
    assert_eq!(draft.started_at, t0());
    assert_eq!(
        t.scheduled(),
        vec![&Timer {
            at: t0() + Duration::hours(2),
            kind: TimerKind::DraftExpiry {
                user: user("carol")
            }
        }]
    );
    assert!(
        t.cancelled().is_empty(),
        "nothing to cancel on a first draft"
    );
    assert!(t.requests.is_empty());
}

#[test]
fn a_message_with_no_request_and_no_draft_starts_intake_with_its_words() {
    let mut w = World::new();
    let t = w.say("carol", "the vpn drops every hour");
    has_text(t.dm_to("carol"), "It sounds like a request for *IT*");
    assert!(t.replies().next().is_none(), "a DM is answered by DM only");
    let draft = w.draft("carol");
    assert_eq!(draft.summary.as_deref(), Some("the vpn drops every hour"));
    assert_eq!(
        draft.step,
        Step::ConfirmDepartment {
            department: "it".into()
        }
    );
}

#[test]
fn new_request_words_and_button_start_intake_without_first_words() {
    for start in ["new", "New Request", "start"] {
        let mut w = World::new();
        let t = w.say("carol", start);
        has_text(t.dm_to("carol"), "Which team can help?");
        assert_eq!(w.draft("carol").summary, None, "{start}");
    }
    let mut w = World::new();
    let t = w.click("carol", Action::StartRequest);
    assert_eq!(actions(t.dm_to("carol")), first_department_buttons());
    assert_eq!(w.step_of("carol"), Step::ChooseDepartment);
}

// =============================================================================================
// Intake: choosing the department
// =============================================================================================

#[test]
fn department_by_button_asks_for_a_description() {
    let mut w = World::new();
    w.command("carol", "");
    let t = w.click("carol", Action::PickDepartment("it".into()));
    let q = t.dm_to("carol");
    has_text(q, "In a sentence or two, what do you need?");
    assert_eq!(actions(q), vec![Action::Back, Action::Cancel]);
    let draft = w.draft("carol");
    assert_eq!(draft.step, Step::Describe);
    assert_eq!(draft.department.as_deref(), Some("it"));
    assert_eq!(draft.answers, vec![None, None, None]);
}

#[test]
fn department_by_typed_name_number_or_prefix_in_any_case() {
    for (typed, dept) in [
        ("IT", "it"),
        ("it", "it"),
        ("Human", ""),
        ("hr", "hr"),
        ("2", "hr"),
        ("#3", "facilities"),
        ("Facilities", "facilities"),
        ("FAC", "facilities"),
        ("fac", "facilities"),
    ] {
        let mut w = World::new();
        w.command("carol", "");
        w.say("carol", typed);
        let draft = w.draft("carol");
        if dept.is_empty() {
            assert_eq!(draft.department, None, "{typed:?} names no team");
        } else {
            assert_eq!(draft.department.as_deref(), Some(dept), "{typed:?}");
            assert_eq!(draft.step, Step::Describe, "{typed:?}");
        }
    }
}

#[test]
fn a_wrong_department_answer_reasks_with_a_hint() {
    for typed in ["legal", "0", "4", "it please", "🤷"] {
        let mut w = World::new();
        w.command("carol", "");
        let t = w.say("carol", typed);
        let q = t.dm_to("carol");
        assert!(
            q.text.starts_with(
                "I didn't catch that: reply with a number from 1 to 3 or a team's name.\n"
            ),
            "{typed:?}: {:?}",
            q.text
        );
        has_text(q, "Which team can help?");
        assert_eq!(actions(q), department_buttons());
        assert_eq!(w.step_of("carol"), Step::ChooseDepartment);
        assert_eq!(w.draft("carol").department, None);
    }
}

#[test]
fn a_department_button_for_a_team_that_no_longer_exists_asks_again() {
    let mut w = World::new();
    w.command("carol", "");
    let t = w.click("carol", Action::PickDepartment("legal".into()));
    has_text(
        t.dm_to("carol"),
        "That team no longer exists; please pick another.",
    );
    assert_eq!(w.step_of("carol"), Step::ChooseDepartment);
}

#[test]
fn a_department_without_fields_goes_from_description_straight_to_confirm() {
    let mut w = World::new();
    w.command("carol", "");
    w.say("carol", "facilities");
    let t = w.say("carol", "the window won't close");
    let q = t.dm_to("carol");
    assert_eq!(w.step_of("carol"), Step::Confirm);
    assert_eq!(
        q.text,
        "Please check your *Facilities* request:\n• What you need: the window won't close\nSubmit it?"
    );
    assert_eq!(
        actions(q),
        vec![Action::Submit, Action::Back, Action::Cancel]
    );
}

// =============================================================================================
// Intake: first words and the guess
// =============================================================================================

#[test]
fn first_words_with_a_keyword_are_guessed_and_confirmed() {
    let mut w = World::new();
    let t = w.command("carol", "my laptop won't boot");
    let q = t.dm_to("carol");
    assert_eq!(q.text, "It sounds like a request for *IT*. Is that right?");
    assert_eq!(
        actions(q),
        vec![
            Action::ConfirmDepartment,
            Action::RejectDepartment,
            Action::OpenForm,
            Action::Cancel
        ]
    );
    assert_eq!(q.choices[0].label, "Yes, IT");
    let draft = w.draft("carol");
    assert_eq!(
        draft.step,
        Step::ConfirmDepartment {
            department: "it".into()
        }
    );
    assert_eq!(draft.department, None, "not chosen until confirmed");
    assert_eq!(draft.summary.as_deref(), Some("my laptop won't boot"));
    assert!(draft.summary_given);
}

#[test]
fn yes_to_the_guess_skips_the_description_and_asks_the_first_question() {
    for yes in ["yes", "Yes!", "y", "OK", "sure.", "yeah 👍"] {
        let mut w = World::new();
        w.command("carol", "my laptop won't boot");
        let t = w.say("carol", yes);
        let q = t.dm_to("carol");
        assert_eq!(q.text, "Which device is affected?", "{yes:?}");
        assert_eq!(actions(q), vec![Action::Back, Action::Cancel]);
        let draft = w.draft("carol");
        assert_eq!(draft.step, Step::Field { index: 0 });
        assert_eq!(draft.department.as_deref(), Some("it"));
        assert_eq!(draft.answers.len(), 3);
    }
}

#[test]
fn the_confirm_button_accepts_the_guess() {
    let mut w = World::new();
    w.command("carol", "the air conditioning is loud");
    let t = w.click("carol", Action::ConfirmDepartment);
    has_text(t.dm_to("carol"), "Please check your *Facilities* request");
    assert_eq!(w.step_of("carol"), Step::Confirm);
}

#[test]
fn no_to_the_guess_asks_for_the_team_and_keeps_the_words() {
    let mut w = World::new();
    w.command("carol", "my laptop won't boot");
    let t = w.say("carol", "No.");
    assert_eq!(actions(t.dm_to("carol")), department_buttons());
    assert_eq!(w.step_of("carol"), Step::ChooseDepartment);
    let t = w.say("carol", "hr");
    assert_eq!(t.dm_to("carol").text, "What is it about?");
    let draft = w.draft("carol");
    assert_eq!(
        draft.step,
        Step::Field { index: 0 },
        "the words still describe it"
    );
    assert_eq!(draft.summary.as_deref(), Some("my laptop won't boot"));
    assert_eq!(draft.answers, vec![None]);
}

#[test]
fn the_reject_button_asks_for_the_team() {
    let mut w = World::new();
    w.command("carol", "my laptop won't boot");
    let t = w.click("carol", Action::RejectDepartment);
    assert_eq!(actions(t.dm_to("carol")), department_buttons());
    assert_eq!(w.step_of("carol"), Step::ChooseDepartment);
}

#[test]
fn typing_another_team_at_the_guess_picks_that_team() {
    let mut w = World::new();
    w.command("carol", "my laptop won't boot");
    let t = w.say("carol", "facilities");
    has_text(t.dm_to("carol"), "Please check your *Facilities* request");
    assert_eq!(w.draft("carol").department.as_deref(), Some("facilities"));
    assert_eq!(w.step_of("carol"), Step::Confirm);
}

#[test]
fn a_department_button_at_the_guess_picks_that_team() {
    let mut w = World::new();
    w.command("carol", "my laptop won't boot");
    w.click("carol", Action::PickDepartment("hr".into()));
    assert_eq!(w.draft("carol").department.as_deref(), Some("hr"));
    assert_eq!(w.step_of("carol"), Step::Field { index: 0 });
}

#[test]
fn garbage_at_the_guess_asks_for_yes_or_no_again() {
    let mut w = World::new();
    w.command("carol", "my laptop won't boot");
    let t = w.say("carol", "maybe, not sure");
    let q = t.dm_to("carol");
    assert_eq!(
        q.text,
        "Please answer yes or no (or type the team's name).\nIt sounds like a request for *IT*. Is that right?"
    );
    assert_eq!(
        w.step_of("carol"),
        Step::ConfirmDepartment {
            department: "it".into()
        }
    );
}

#[test]
fn no_keyword_means_no_guess_but_the_words_are_the_description() {
    let mut w = World::new();
    let t = w.command("carol", "something is off with the lights");
    assert_eq!(actions(t.dm_to("carol")), first_department_buttons());
    let draft = w.draft("carol");
    assert_eq!(draft.step, Step::ChooseDepartment);
    assert_eq!(
        draft.summary.as_deref(),
        Some("something is off with the lights")
    );
    let t = w.say("carol", "facilities");
    has_text(
        t.dm_to("carol"),
        "• What you need: something is off with the lights",
    );
    assert_eq!(
        w.step_of("carol"),
        Step::Confirm,
        "describe is not asked again"
    );
}

#[test]
fn a_tie_between_teams_gives_no_guess() {
    let mut w = World::new();
    w.command("carol", "laptop on my desk");
    assert_eq!(w.step_of("carol"), Step::ChooseDepartment);
}

#[test]
fn the_word_it_does_not_guess_the_it_team() {
    let mut w = World::new();
    w.command("carol", "my chair is broken, can you fix it?");
    assert_eq!(
        w.step_of("carol"),
        Step::ConfirmDepartment {
            department: "facilities".into()
        }
    );
    let mut w = World::new();
    w.command("carol", "it keeps squeaking");
    assert_eq!(w.step_of("carol"), Step::ChooseDepartment);
    let mut w = World::new();
    w.command("carol", "need IT to look at something");
    assert_eq!(
        w.step_of("carol"),
        Step::ConfirmDepartment {
            department: "it".into()
        }
    );
}

#[test]
fn multi_word_keywords_match_whole_words_only() {
    let r = rules();
    assert_eq!(
        r.guess_department("the air-conditioning is off")
            .unwrap()
            .id,
        "facilities"
    );
    assert!(r.guess_department("hair conditioning products").is_none());
}

#[test]
fn first_words_that_only_name_a_team_confirm_it_and_ask_for_a_description() {
    for words in ["hr", "HR", "Facilities", "it"] {
        let mut w = World::new();
        let t = w.command("carol", words);
        has_text(t.dm_to("carol"), "It sounds like a request for");
        let draft = w.draft("carol");
        assert_eq!(draft.summary, None, "{words:?} is not a description");
        assert!(!draft.summary_given);
        let t = w.say("carol", "yes");
        assert_eq!(
            t.dm_to("carol").text,
            "In a sentence or two, what do you need?"
        );
        assert_eq!(w.step_of("carol"), Step::Describe);
    }
}

#[test]
fn help_followed_by_words_in_a_dm_starts_intake_with_the_words_after_help() {
    let mut w = World::new();
    w.say("carol", "help with my laptop");
    let draft = w.draft("carol");
    assert_eq!(draft.summary.as_deref(), Some("with my laptop"));
    assert_eq!(
        draft.step,
        Step::ConfirmDepartment {
            department: "it".into()
        }
    );

    let mut w = World::new();
    w.say("carol", "Help IT");
    let draft = w.draft("carol");
    assert_eq!(draft.summary, None);
    assert_eq!(
        draft.step,
        Step::ConfirmDepartment {
            department: "it".into()
        }
    );
}

#[test]
fn describe_is_asked_only_when_there_were_no_first_words() {
    let mut w = World::new();
    w.command("carol", "");
    w.click("carol", Action::PickDepartment("it".into()));
    assert_eq!(w.step_of("carol"), Step::Describe);
    let t = w.say("carol", "printer jams");
    assert_eq!(t.dm_to("carol").text, "Which device is affected?");
    let draft = w.draft("carol");
    assert_eq!(draft.summary.as_deref(), Some("printer jams"));
    assert!(!draft.summary_given);
    assert_eq!(draft.step, Step::Field { index: 0 });
}
