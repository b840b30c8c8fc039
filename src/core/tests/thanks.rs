//! Thank-yous after the survey: offered to the requester, opt-in, with an optional note,
//! posted in the department channel naming the agent, once per request.
//! See: issue 16 (point 3).

use super::*;

/// Carol's request, handled and closed by Alice, rated and commented.
fn surveyed(w: &mut World) -> Transition {
    closed_by_alice(w);
    w.click("carol", Action::Rate(rid("IT-1"), 5));
    w.say("carol", "quick and kind")
}

fn thanks_posts(t: &Transition) -> Vec<&'static Shown> {
    t.outgoing()
        .filter_map(|o| match o {
            Outgoing::Thanks { request, msg } => {
                assert_eq!(request, &rid("IT-1"));
                Some(look(msg))
            }
            _ => None,
        })
        .collect()
}

#[test]
fn the_end_of_the_survey_offers_to_thank_the_agent() {
    let mut w = World::new();
    let t = surveyed(&mut w);
    let dm = t.dm_to("carol");
    has_text(dm, "Thank you for your feedback!");
    has_text(dm, "say thanks to");
    assert_eq!(actions(dm), vec![Action::Thank(rid("IT-1"))]);
    // Skipping the comment ends the survey with the same offer.
    let mut w = World::new();
    closed_by_alice(&mut w);
    w.click("carol", Action::Rate(rid("IT-1"), 4));
    let t = w.click("carol", Action::NoComment(rid("IT-1")));
    assert_eq!(actions(t.dm_to("carol")), vec![Action::Thank(rid("IT-1"))]);
}

#[test]
fn the_agent_is_the_assignee_or_else_whoever_closed_it_never_the_requester() {
    let mut w = World::new();
    closed_by_alice(&mut w);
    let mut r = w.req("IT-1").clone();
    assert_eq!(thanked_agent(&r), Some(user("alice")));
    r.assignee = None;
    assert_eq!(thanked_agent(&r), Some(user("alice")));
    r.history.retain(|h| !matches!(h.event, Event::Closed));
    assert_eq!(thanked_agent(&r), None);
    r.assignee = Some(user("carol"));
    assert_eq!(thanked_agent(&r), None);
}

#[test]
fn say_thanks_then_a_note_posts_it_in_the_channel_naming_the_agent() {
    let mut w = World::new();
    surveyed(&mut w);
    let t = w.click("carol", Action::Thank(rid("IT-1")));
    let ask = t.dm_to("carol");
    has_text(ask, "What would you like to tell");
    assert_eq!(
        actions(ask),
        vec![
            Action::SendThanks(rid("IT-1")),
            Action::NoThanks(rid("IT-1"))
        ]
    );
    assert!(thanks_posts(&t).is_empty());
    assert_eq!(w.req("IT-1").survey.state, SurveyState::AwaitingThanks);

    let t = w.say("carol", "You saved my presentation!");
    let posts = thanks_posts(&t);
    assert_eq!(posts.len(), 1);
    has_text(posts[0], "says thanks to");
    has_text(posts[0], "You saved my presentation!");
    let r = t.changed("IT-1").unwrap();
    assert_eq!(
        last_event(r).event,
        Event::Thanked {
            agent: user("alice"),
            text: "You saved my presentation!".into()
        }
    );
    assert_eq!(last_event(r).actor, Some(user("carol")));
    assert_eq!(r.survey.state, SurveyState::Done);
    has_text(t.dm_to("carol"), "is posted");
    // The post mentions the agent the platform's way.
    let Some(Outgoing::Thanks { msg, .. }) =
        t.outgoing().find(|o| matches!(o, Outgoing::Thanks { .. }))
    else {
        unreachable!()
    };
    assert!(msg.lines[0]
        .args
        .contains(&("agent".to_string(), Arg::User(user("alice")))));

    // Once per request: a second click says so and posts nothing.
    let t = w.click("carol", Action::Thank(rid("IT-1")));
    has_text(t.dm_to("carol"), "already thanked");
    assert!(thanks_posts(&t).is_empty());
    assert_eq!(w.req("IT-1").survey.state, SurveyState::Done);
}

#[test]
fn skip_posts_without_a_note_and_no_thanks_posts_nothing() {
    let mut w = World::new();
    surveyed(&mut w);
    w.click("carol", Action::Thank(rid("IT-1")));
    let t = w.say("carol", "skip");
    let posts = thanks_posts(&t);
    assert_eq!(posts.len(), 1);
    assert_eq!(posts[0].text.lines().count(), 1, "{}", posts[0].text);
    assert_eq!(
        last_event(t.changed("IT-1").unwrap()).event,
        Event::Thanked {
            agent: user("alice"),
            text: String::new()
        }
    );

    for decline in ["no thanks", "No thanks!"] {
        let mut w = World::new();
        surveyed(&mut w);
        w.click("carol", Action::Thank(rid("IT-1")));
        let t = w.say("carol", decline);
        assert!(thanks_posts(&t).is_empty());
        has_text(t.dm_to("carol"), "nothing was posted");
        let r = t.changed("IT-1").unwrap();
        assert!(!r
            .history
            .iter()
            .any(|h| matches!(h.event, Event::Thanked { .. })));
        assert_eq!(r.survey.state, SurveyState::Done);
    }

    let mut w = World::new();
    surveyed(&mut w);
    w.click("carol", Action::Thank(rid("IT-1")));
    let t = w.click("carol", Action::NoThanks(rid("IT-1")));
    assert!(thanks_posts(&t).is_empty());
    let mut w = World::new();
    surveyed(&mut w);
    w.click("carol", Action::Thank(rid("IT-1")));
    let t = w.click("carol", Action::SendThanks(rid("IT-1")));
    assert_eq!(thanks_posts(&t).len(), 1);
}

#[test]
fn only_the_requester_can_say_thanks_and_not_offering_it_posts_nothing() {
    let mut w = World::new();
    surveyed(&mut w);
    let t = w.click("dave", Action::Thank(rid("IT-1")));
    assert!(thanks_posts(&t).is_empty());
    assert!(t.changed("IT-1").is_none());
    // Without the click, the next message is no thank-you.
    let t = w.say("carol", "thanks again");
    assert!(thanks_posts(&t).is_empty());
}

#[test]
fn a_thank_you_note_is_content_retention_and_erasure_remove() {
    let mut w = World::new();
    surveyed(&mut w);
    w.click("carol", Action::Thank(rid("IT-1")));
    w.say("carol", "You saved my day");
    let mut r = w.req("IT-1").clone();
    assert!(crate::core::remove_content(&mut r));
    assert!(r.history.iter().all(|h| match &h.event {
        Event::Thanked { text, .. } => text.is_empty(),
        _ => true,
    }));
}

#[test]
fn a_note_asked_after_a_draft_was_left_open_is_the_note_not_an_answer_to_the_draft() {
    let mut w = World::new();
    closed_by_alice(&mut w);
    // Carol starts a new request and leaves it at its first question.
    w.advance(Duration::minutes(1));
    w.say("carol", "new request");
    assert!(w.session("carol").draft.is_some());
    w.advance(Duration::minutes(1));
    w.click("carol", Action::Rate(rid("IT-1"), 5));
    let t = w.say("carol", "quick and kind");
    assert_eq!(
        w.req("IT-1").survey.comment.as_deref(),
        Some("quick and kind")
    );
    has_text(t.dm_to("carol"), "Thank you for your feedback!");
    w.advance(Duration::minutes(1));
    w.click("carol", Action::Thank(rid("IT-1")));
    let t = w.say("carol", "you saved my day");
    has_text(thanks_posts(&t)[0], "you saved my day");
    // The draft is still there, and what Carol writes next answers it again.
    let draft = w.session("carol").draft.clone().expect("the draft is kept");
    w.say("carol", "IT");
    assert_ne!(w.session("carol").draft, Some(draft));
    assert!(w.session("carol").note_for.is_none());
}

#[test]
fn a_draft_moved_on_after_the_note_was_asked_takes_the_words() {
    let mut w = World::new();
    closed_by_alice(&mut w);
    w.click("carol", Action::Rate(rid("IT-1"), 5));
    // Carol leaves the comment and starts a request instead; her words are for it.
    w.advance(Duration::minutes(1));
    w.say("carol", "new request");
    w.advance(Duration::minutes(1));
    w.say("carol", "the printer on floor 3 is jammed");
    assert_eq!(w.req("IT-1").survey.comment, None);
    assert!(w.session("carol").draft.is_some());
}
