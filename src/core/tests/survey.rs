//! The satisfaction survey after a close: ratings, comments, and what is refused.

use super::*;

// =============================================================================================
// Lifecycle: survey
// =============================================================================================

#[test]
fn every_rating_button_records_its_rating_and_asks_for_a_comment() {
    for n in 1..=5u8 {
        let mut w = World::new();
        closed_by_alice(&mut w);
        w.advance(Duration::minutes(1));
        let t = w.click("carol", Action::Rate(rid("IT-1"), n));
        let r = t.changed("IT-1").unwrap();
        assert_eq!(r.survey.rating, Some(n));
        assert_eq!(r.survey.state, SurveyState::AwaitingComment);
        assert_eq!(
            last_event(r),
            &HistoryEntry {
                at: w.now,
                actor: Some(user("carol")),
                event: Event::Rated { rating: n }
            }
        );
        assert_eq!(
            t.cancelled(),
            vec![&TimerFilter::SurveyReminder(rid("IT-1"))]
        );
        let msg = t.dm_to("carol");
        assert_eq!(
            msg.text,
            format!("Thanks for rating *IT-1* {n}/5! Anything you'd like to add? Type a comment, or skip.")
        );
        assert_eq!(actions(msg), vec![Action::NoComment(rid("IT-1"))]);
        assert!(w.pending("survey_reminder").is_empty());
    }
}

/// The replacements of earlier messages a transition asks for: (to, request, post, words).
fn replacements(t: &Transition) -> Vec<(UserRef, RequestId, PostRef, String)> {
    t.outgoing()
        .filter_map(|o| match o {
            Outgoing::ReplacePost {
                to,
                request,
                post,
                msg,
            } => {
                let shown = look(msg);
                assert!(
                    shown.choices.is_empty(),
                    "a replacement offers nothing to click"
                );
                Some((
                    to.clone(),
                    request.clone(),
                    post.clone(),
                    shown.text.clone(),
                ))
            }
            _ => None,
        })
        .collect()
}

#[test]
fn rating_on_a_survey_the_platform_can_replace_thanks_in_its_place() {
    let mut w = World::new();
    closed_by_alice(&mut w);
    let survey = PostRef::new(Platform::Teams, "a:carol-chat", "1700000000050");
    let t = w.click_on("carol", Action::Rate(rid("IT-1"), 4), survey.clone());
    assert_eq!(
        replacements(&t),
        vec![(
            user("carol"),
            rid("IT-1"),
            survey.clone(),
            "Thanks, you rated *IT-1* 4/5.".to_string()
        )]
    );
    // The request for a comment follows, as after any rating.
    has_text(t.dm_to("carol"), "Anything you'd like to add?");
    // A second click on the same card changes nothing and replaces nothing.
    let t = w.click_on("carol", Action::Rate(rid("IT-1"), 2), survey.clone());
    assert!(replacements(&t).is_empty());
    assert!(t.changed("IT-1").is_none());
    // Nor does someone else's click.
    let t = w.click_on("dave", Action::Rate(rid("IT-1"), 1), survey);
    assert!(replacements(&t).is_empty());
}

#[test]
fn a_rating_without_a_clicked_message_replaces_nothing() {
    let mut w = World::new();
    closed_by_alice(&mut w);
    let t = w.click("carol", Action::Rate(rid("IT-1"), 5));
    assert!(replacements(&t).is_empty());
    let mut w = World::new();
    closed_by_alice(&mut w);
    let t = w.say("carol", "3");
    assert!(replacements(&t).is_empty());
}

#[test]
fn a_mention_in_a_channel_is_answered_with_a_pointer_in_its_thread() {
    let mut w = World::new();
    let thread = PostRef::new(Platform::Teams, "19:itdesk@thread.tacv2", "1700000000999");
    let t = w.mention("bob", thread.clone());
    let replies: Vec<_> = t
        .outgoing()
        .map(|o| match o {
            Outgoing::ThreadReply { thread, msg } => (thread.clone(), look(msg).text.clone()),
            other => panic!("only the pointer goes out, not {other:?}"),
        })
        .collect();
    assert_eq!(replies.len(), 1);
    assert_eq!(replies[0].0, thread);
    assert!(
        replies[0]
            .1
            .starts_with("I post help requests in this channel")
            && replies[0]
                .1
                .ends_with("open a chat with me and type `/help-it`."),
        "{}",
        replies[0].1
    );
    assert!(t.requests.is_empty());
    assert_eq!(
        Outgoing::ThreadReply {
            thread: thread.clone(),
            msg: Message::text(Text::plain("x"))
        }
        .conversation()
        .key(),
        "thread:teams:19:itdesk@thread.tacv2:1700000000999"
    );
}

#[test]
fn a_typed_digit_rates_the_closed_request() {
    let mut w = World::new();
    closed_by_alice(&mut w);
    let t = w.say("carol", "4");
    assert_eq!(t.changed("IT-1").unwrap().survey.rating, Some(4));
    has_text(t.dm_to("carol"), "4/5");
}

#[test]
fn a_digit_out_of_range_is_not_a_rating() {
    let mut w = World::new();
    closed_by_alice(&mut w);
    for typed in ["0", "6", "42"] {
        let t = w.say("carol", typed);
        assert!(t.changed("IT-1").is_none(), "{typed}");
        w.sessions.clear();
    }
    assert_eq!(w.req("IT-1").survey.state, SurveyState::AwaitingRating);
}

#[test]
fn an_out_of_range_rating_action_is_kept_on_the_scale() {
    let mut w = World::new();
    closed_by_alice(&mut w);
    let t = w.click("carol", Action::Rate(rid("IT-1"), 9));
    assert_eq!(w.req("IT-1").survey.rating, Some(5));
    assert_eq!(last_event(w.req("IT-1")).event, Event::Rated { rating: 5 });
    has_text(t.dm_to("carol"), "5/5");
}

#[test]
fn a_typed_comment_completes_the_survey() {
    let mut w = World::new();
    closed_by_alice(&mut w);
    w.click("carol", Action::Rate(rid("IT-1"), 5));
    let t = w.say("carol", "  quick and friendly  ");
    assert_eq!(
        t.dm_to("carol").text.lines().next(),
        Some("Thank you for your feedback!")
    );
    let r = w.req("IT-1");
    assert_eq!(r.survey.state, SurveyState::Done);
    assert_eq!(r.survey.comment.as_deref(), Some("quick and friendly"));
    assert_eq!(
        last_event(r).event,
        Event::Commented {
            text: "quick and friendly".into()
        }
    );
    assert!(
        t.thread_posts("IT-1").is_empty(),
        "a comment is not a message for the team"
    );
}

#[test]
fn the_comment_can_be_skipped_by_button_or_word() {
    for skip in [None, Some("skip"), Some("No"), Some("-")] {
        let mut w = World::new();
        closed_by_alice(&mut w);
        w.click("carol", Action::Rate(rid("IT-1"), 3));
        let t = match skip {
            None => w.click("carol", Action::NoComment(rid("IT-1"))),
            Some(word) => w.say("carol", word),
        };
        assert_eq!(
            t.dm_to("carol").text.lines().next(),
            Some("Thank you for your feedback!"),
            "{skip:?}"
        );
        let r = w.req("IT-1");
        assert_eq!(r.survey.state, SurveyState::Done);
        assert_eq!(r.survey.comment, None);
        assert_eq!(r.survey.rating, Some(3));
        assert_eq!(last_event(r).event, Event::Rated { rating: 3 }, "{skip:?}");
    }
}

#[test]
fn after_the_survey_messages_start_a_new_request_again() {
    let mut w = World::new();
    closed_by_alice(&mut w);
    w.click("carol", Action::Rate(rid("IT-1"), 5));
    w.click("carol", Action::NoComment(rid("IT-1")));
    let t = w.click("carol", Action::NoComment(rid("IT-1")));
    assert!(t.effects.is_empty(), "a second skip is a no-op");
    let t = w.say("carol", "my vpn is down");
    has_text(t.dm_to("carol"), "It sounds like a request for *IT*");
    assert_eq!(w.req("IT-1").survey.comment, None);
}

#[test]
fn rating_twice_is_answered_politely() {
    let mut w = World::new();
    closed_by_alice(&mut w);
    w.click("carol", Action::Rate(rid("IT-1"), 4));
    let t = w.click("carol", Action::Rate(rid("IT-1"), 1));
    assert_eq!(
        t.dm_to("carol").text,
        "Your rating for IT-1 is already recorded. Thanks!"
    );
    assert!(t.requests.is_empty());
    w.say("carol", "great work");
    let t = w.click("carol", Action::Rate(rid("IT-1"), 1));
    has_text(t.dm_to("carol"), "already recorded");
    assert_eq!(w.req("IT-1").survey.rating, Some(4));
}

#[test]
fn rating_an_open_request_is_refused() {
    let mut w = World::new();
    file_laptop(&mut w, "carol");
    let t = w.click("carol", Action::Rate(rid("IT-1"), 5));
    assert_eq!(
        t.dm_to("carol").text,
        "IT-1 isn't closed yet, so there's nothing to rate."
    );
    assert!(t.requests.is_empty());
}

#[test]
fn rating_by_someone_other_than_the_requester_is_refused() {
    let mut w = World::new();
    closed_by_alice(&mut w);
    let t = w.click("alice", Action::Rate(rid("IT-1"), 5));
    assert_eq!(
        t.notice_to("alice").0.text,
        "Only the requester can rate a request."
    );
    assert!(t.requests.is_empty());
    let t = w.click("alice", Action::NoComment(rid("IT-1")));
    assert!(t.effects.is_empty());
    assert_eq!(w.req("IT-1").survey.state, SurveyState::AwaitingRating);
}

#[test]
fn a_survey_answer_in_a_requests_thread_goes_to_that_request() {
    let mut w = World::new();
    file_laptop(&mut w, "carol");
    file_laptop(&mut w, "carol");
    w.click("alice", Action::Close(rid("IT-1")));
    w.advance(Duration::minutes(5));
    w.click("alice", Action::Close(rid("IT-2")));
    // In the main conversation a digit rates the most recently closed one...
    let t = w.say("carol", "5");
    assert_eq!(t.changed("IT-2").unwrap().survey.rating, Some(5));
    // ...but in IT-1's thread it rates IT-1, even while IT-2 waits for its comment.
    let t = w.say_about("carol", "IT-1", "2");
    assert_eq!(t.changed("IT-1").unwrap().survey.rating, Some(2));
    assert_eq!(w.req("IT-2").survey.state, SurveyState::AwaitingComment);
    let t = w.say_about("carol", "IT-1", "slow");
    assert_eq!(
        t.changed("IT-1").unwrap().survey.comment.as_deref(),
        Some("slow")
    );
    assert_eq!(w.req("IT-2").survey.state, SurveyState::AwaitingComment);
}

#[test]
fn a_message_about_an_open_request_is_relayed_even_while_a_comment_is_awaited() {
    let mut w = World::new();
    closed_by_alice(&mut w);
    w.click("carol", Action::Rate(rid("IT-1"), 4));
    file_chair(&mut w, "carol");
    let t = w.say_about("carol", "FAC-1", "the left armrest");
    assert_eq!(t.thread_posts("FAC-1").len(), 1);
    assert_eq!(w.req("IT-1").survey.state, SurveyState::AwaitingComment);
}
