//! Requests filed with a form: every answer at once, each missing or wrong one sent back by
//! field, a complete one filed as the conversation files it.

use super::*;
use crate::core::FormAnswers;

fn form(department: &str, summary: &str, fields: &[(&str, &str)]) -> FormAnswers {
    FormAnswers {
        department: department.into(),
        summary: summary.into(),
        fields: fields
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        requester: None,
    }
}

fn errors(t: &Transition) -> Vec<String> {
    t.effects
        .iter()
        .filter_map(|e| match e {
            Effect::FormErrors(errors) => {
                Some(errors.iter().map(|(k, _)| k.clone()).collect::<Vec<_>>())
            }
            _ => None,
        })
        .flatten()
        .collect()
}

#[test]
fn missing_and_wrong_answers_come_back_by_field_and_nothing_is_filed() {
    let mut w = World::new();
    let t = w.step(Input::FormSubmitted {
        user: user("carol"),
        form: form("it", "  ", &[("urgency", "whenever")]),
    });
    assert_eq!(errors(&t), ["summary", "device", "urgency"]);
    assert!(t.requests.is_empty());
    assert_eq!(t.effects.len(), 1, "only the errors: {:#?}", t.effects);
    let t = w.step(Input::FormSubmitted {
        user: user("carol"),
        form: form("payroll", "pay", &[]),
    });
    assert_eq!(errors(&t), ["department"]);
}

#[test]
fn a_complete_form_is_filed_as_the_conversation_files_it() {
    let mut w = World::new();
    let t = w.step(Input::FormSubmitted {
        user: user("carol"),
        form: form(
            "it",
            "my screen is black",
            &[("device", "Dell 27"), ("urgency", "HIGH"), ("notes", "")],
        ),
    });
    assert!(errors(&t).is_empty());
    let r = w.req("IT-1");
    assert_eq!(r.summary, "my screen is black");
    assert_eq!(r.priority.as_str(), "high");
    let values: Vec<Option<&str>> = r.answers.iter().map(|a| a.value.as_deref()).collect();
    assert_eq!(values, [Some("Dell 27"), Some("high"), None]);
    assert!(t.sends(&Outgoing::PostCard {
        request: rid("IT-1")
    }));
    assert!(t.dm_to("carol").text.contains("*IT-1*"));
}

#[test]
fn a_form_filed_for_someone_else_is_theirs_and_the_filer_is_told() {
    let mut w = World::new();
    let mut f = form(
        "it",
        "the printer is on fire",
        &[("device", "printer"), ("urgency", "urgent")],
    );
    f.requester = Some(user("dave"));
    let t = w.step(Input::FormSubmitted {
        user: user("carol"),
        form: f,
    });
    let r = w.req("IT-1");
    assert_eq!(r.requester, user("dave"));
    assert_eq!(r.history[0].actor, Some(user("carol")), "carol filed it");
    assert!(t.dm_to("dave").text.contains("*IT-1*"));
    assert_eq!(
        t.notice_to("carol").0.text,
        "Filed IT-1 for <@dave>; they'll hear from the team directly."
    );
}

#[test]
fn fill_in_a_form_typed_or_clicked_where_no_form_opens_keeps_the_conversation_going() {
    let mut w = World::new();
    w.command("carol", "");
    let t = w.say("carol", "Fill in a form!");
    assert!(t
        .dm_to("carol")
        .text
        .starts_with("The form opens from its button"));
    assert_eq!(w.step_of("carol"), Step::ChooseDepartment);
}
