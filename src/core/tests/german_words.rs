//! Command words and yes/no typed in German: they do what the English ones do, at the same
//! questions, also where no button says them.

use super::*;

#[test]
fn ja_and_nein_answer_the_guessed_team() {
    let mut w = World::new();
    w.command("carol", "my laptop won't boot");
    w.say("carol", "Ja!");
    assert_eq!(w.step_of("carol"), Step::Field { index: 0 });

    let mut w = World::new();
    w.command("carol", "my laptop won't boot");
    w.say("carol", "nein");
    assert_eq!(w.step_of("carol"), Step::ChooseDepartment);
}

#[test]
fn stopp_cancels_hilfe_explains_and_meine_anfragen_lists_at_every_step() {
    for (name, script) in super::intake_questions::at_every_step() {
        let mut w = World::new();
        script(&mut w);
        let t = w.say("carol", "Stopp");
        assert!(w.session("carol").draft.is_none(), "{name}");
        assert!(!t.dms_to("carol").is_empty(), "{name}");

        let mut w = World::new();
        script(&mut w);
        let step = w.step_of("carol");
        let t = w.say("carol", "Hilfe?");
        has_text(t.dm_to("carol"), "Answer the question below");
        assert_eq!(w.step_of("carol"), step, "{name}: the draft stays");

        let mut w = World::new();
        script(&mut w);
        let t = w.say("carol", "meine Anfragen");
        has_text(t.dm_to("carol"), "You have no open requests.");
        assert_eq!(w.step_of("carol"), step, "{name}: the draft stays");
    }
}

#[test]
fn zurueck_and_ueberspringen_go_back_and_skip() {
    let mut w = World::new();
    draft_at_urgency(&mut w, "carol");
    w.say("carol", "high");
    w.say("carol", "überspringen");
    assert_eq!(w.step_of("carol"), Step::Confirm);
    assert_eq!(w.draft("carol").answers[2], None);
    w.say("carol", "Zurück.");
    assert_eq!(w.step_of("carol"), Step::Field { index: 2 });
}

#[test]
fn longer_messages_with_those_words_are_answers() {
    let mut w = World::new();
    w.command("carol", "my laptop won't boot");
    w.say("carol", "yes");
    w.say("carol", "hilfe beim Drucker");
    assert_eq!(
        w.draft("carol").answers[0].as_deref(),
        Some("hilfe beim Drucker")
    );
}
