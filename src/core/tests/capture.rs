//! Requests filed from a channel message: a ticket reaction, a help channel that captures
//! everything. The message's thread is then the requester's side of the conversation.

use super::*;
use crate::core::capture::{is_pleasantry, Captured};

fn message() -> PostRef {
    PostRef::new(Platform::Slack, "C-help", "1700000000.000100")
}

fn captured(text: &str, filed_by: Option<&str>, department: Option<&str>) -> Captured {
    Captured {
        requester: user("erin"),
        filed_by: filed_by.map(user),
        text: text.into(),
        post: message(),
        permalink: Some("https://example.slack.com/archives/C-help/p1700000000000100".into()),
        department: department.map(str::to_string),
        earlier_replies: Vec::new(),
    }
}

impl World {
    fn capture(&mut self, c: Captured) -> Transition {
        self.step(Input::MessageCaptured { capture: c })
    }

    fn origin_reply(&mut self, who: &str, id: &str, text: &str) -> Transition {
        self.step(Input::MessageReceived {
            user: user(who),
            text: text.into(),
            place: Place::OriginThread { request: rid(id) },
        })
    }
}

/// The messages the transition sends under the filed message.
fn origin_replies(t: &Transition) -> Vec<(&RequestId, &'static Shown)> {
    t.outgoing()
        .filter_map(|o| match o {
            Outgoing::OriginReply { request, msg } => Some((request, look(msg))),
            _ => None,
        })
        .collect()
}

#[test]
fn pleasantries_and_acknowledgements_are_recognised() {
    for text in [
        "thanks",
        "Thanks!",
        "thank you so much",
        "ok",
        "OK, thanks",
        "+1",
        "👍",
        ":tada:",
        ":+1::skin-tone-2:",
        "great, thanks! :pray:",
        "danke",
        "got it",
        "🙏🙏",
        "",
    ] {
        assert!(is_pleasantry(text), "{text:?}");
    }
}

#[test]
fn a_question_is_not_a_pleasantry_even_with_thanks_in_it() {
    for text in [
        "my laptop won't boot",
        "thanks, but the printer is still jammed",
        "ok so the VPN drops every hour",
        "vpn?",
        "help",
        "thanks thanks thanks thanks thanks thanks",
    ] {
        assert!(!is_pleasantry(text), "{text:?}");
    }
}

#[test]
fn a_ticket_reaction_files_the_message_for_its_author_with_the_reactor_recorded() {
    let mut w = World::new();
    let t = w.capture(captured("my laptop won't boot", Some("frank"), None));
    let r = w.req("IT-1");
    assert_eq!(r.requester, user("erin"));
    assert_eq!(r.summary, "my laptop won't boot");
    assert_eq!(r.department, "it");
    let origin = r.origin.as_ref().expect("filed from a message");
    assert_eq!(origin.post, message());
    assert_eq!(origin.filed_by, Some(user("frank")));
    assert!(origin
        .permalink
        .as_deref()
        .unwrap()
        .contains("p1700000000000100"));
    assert_eq!(last_event(r).actor, Some(user("frank")));
    assert!(t.sends(&Outgoing::PostCard {
        request: rid("IT-1")
    }));
    let replies = origin_replies(&t);
    assert_eq!(replies.len(), 2);
    assert_eq!(replies[0].0, &rid("IT-1"));
    has_text(replies[0].1, "IT-1");
    // Then the department's first required question, in the same thread.
    has_text(replies[1].1, "Which device is affected?");
    // The thread is the requester's side: no DM.
    assert!(t.dms_to("erin").is_empty());
    assert!(!w.pending("first_response").is_empty());
}

#[test]
fn the_help_channels_department_wins_over_the_words() {
    let mut w = World::new();
    w.capture(captured("my laptop won't boot", None, Some("hr")));
    assert_eq!(w.req("HR-1").department, "hr");
}

#[test]
fn a_pleasantry_in_a_help_channel_files_nothing_but_a_reaction_on_one_does() {
    let mut w = World::new();
    let t = w.capture(captured("thanks!", None, Some("it")));
    assert!(t.requests.is_empty() && t.effects.is_empty(), "{t:#?}");
    w.capture(captured("thanks!", Some("frank"), Some("it")));
    assert_eq!(w.req("IT-1").summary, "thanks!");
}

#[test]
fn when_nothing_names_a_team_the_reactor_is_asked_and_their_click_files_it() {
    let mut w = World::new();
    let t = w.capture(captured("something odd happened", Some("frank"), None));
    assert!(t.requests.is_empty());
    let (asked, _) = t.notice_to("frank");
    assert_eq!(&actions(asked)[..3], &department_buttons()[..3]);
    let t = w.click("frank", Action::PickDepartment("facilities".into()));
    assert_eq!(t.requests.len(), 1);
    let r = &t.requests[0];
    assert_eq!(
        (r.department.as_str(), &r.requester),
        ("facilities", &user("erin"))
    );
    assert!(w.session("frank").capture.is_none());
    // A second click files nothing more.
    let t = w.click("frank", Action::PickDepartment("it".into()));
    assert!(t.requests.is_empty());
}

#[test]
fn a_help_channel_message_without_a_team_is_asked_about_in_its_thread() {
    let mut w = World::new();
    let t = w.capture(captured("something odd happened", None, None));
    let asked = t
        .outgoing()
        .find_map(|o| match o {
            Outgoing::ThreadReply { thread, msg } if thread == &message() => Some(look(msg)),
            _ => None,
        })
        .expect("asked in the thread");
    assert_eq!(&actions(asked)[..3], &department_buttons()[..3]);
    w.click("erin", Action::PickDepartment("it".into()));
    assert_eq!(w.req("IT-1").requester, user("erin"));
}

#[test]
fn replies_written_before_the_card_are_carried_into_its_thread() {
    let mut w = World::new();
    let mut c = captured("my laptop won't boot", Some("frank"), None);
    c.earlier_replies = vec!["it's a ThinkPad X1".into()];
    let t = w.capture(c);
    let posts = t.thread_posts("IT-1");
    assert_eq!(posts.len(), 1, "{posts:?}");
    has_text(posts[0], "ThinkPad X1");
    assert!(events(w.req("IT-1")).contains(&Event::RequesterReplied {
        text: "it's a ThinkPad X1".into()
    }));
}

#[test]
fn agent_replies_go_to_the_message_thread_and_requester_replies_there_to_the_card() {
    let mut w = World::new();
    w.capture(captured("my laptop won't boot", Some("frank"), None));
    w.origin_reply("erin", "IT-1", "ThinkPad X1");
    w.click(
        "erin",
        Action::FieldOption {
            request: rid("IT-1"),
            field: 1,
            option: 2,
        },
    );
    let t = w.thread_reply("alice", "IT-1", "Hold the power button for 10 seconds.");
    assert!(t.dms_to("erin").is_empty());
    let replies = origin_replies(&t);
    assert_eq!(replies.len(), 1);
    has_text(replies[0].1, "Hold the power button");
    let t = w.origin_reply("erin", "IT-1", "That worked!");
    let posts = t.thread_posts("IT-1");
    assert_eq!(posts.len(), 1);
    has_text(posts[0], "That worked!");
    assert!(t.dms_to("erin").is_empty());
    // A colleague chiming in under the message is not the requester speaking.
    let t = w.origin_reply("gus", "IT-1", "same here");
    assert!(t.effects.is_empty());
}

#[test]
fn the_required_questions_are_asked_in_the_thread_and_answered_there_by_words_or_buttons() {
    let mut w = World::new();
    w.capture(captured("my laptop won't boot", Some("frank"), None));
    let r = w.req("IT-1");
    assert!(r.answers.iter().all(|a| a.value.is_none()));
    // A written answer to a text question goes to the request, not to the team.
    let t = w.origin_reply("erin", "IT-1", "ThinkPad X1");
    assert!(t.thread_posts("IT-1").is_empty());
    assert!(t.sends(&Outgoing::UpdateCard {
        request: rid("IT-1")
    }));
    let asked = origin_replies(&t);
    assert_eq!(asked.len(), 1);
    has_text(asked[0].1, "How urgent is it?");
    let buttons = actions(asked[0].1);
    assert_eq!(buttons.len(), 4);
    assert_eq!(
        buttons[2],
        Action::FieldOption {
            request: rid("IT-1"),
            field: 1,
            option: 2
        }
    );
    // Someone else's click is refused; a wrong word is asked again.
    let t = w.click("gus", buttons[2].clone());
    has_text(t.notice_to("gus").0, "IT-1");
    let t = w.origin_reply("erin", "IT-1", "whenever");
    has_text(origin_replies(&t)[0].1, "low, normal, high, urgent");
    // The requester's click answers it; the optional question is not asked.
    let t = w.click("erin", buttons[2].clone());
    let done = origin_replies(&t);
    assert_eq!(done.len(), 1);
    has_text(done[0].1, "everything");
    let r = w.req("IT-1");
    assert_eq!(r.answers[0].value.as_deref(), Some("ThinkPad X1"));
    assert_eq!(r.answers[1].value.as_deref(), Some("high"));
    assert_eq!(r.priority, Priority::High);
    // A second click on an answered question changes nothing.
    let t = w.click(
        "erin",
        Action::FieldOption {
            request: rid("IT-1"),
            field: 1,
            option: 0,
        },
    );
    assert!(t.requests.is_empty() && t.effects.is_empty(), "{t:#?}");
    // The typed label works like the button.
    let mut w = World::new();
    w.capture(captured("my laptop won't boot", None, Some("it")));
    w.origin_reply("erin", "IT-1", "X1");
    w.origin_reply("erin", "IT-1", "Urgent");
    assert_eq!(w.req("IT-1").priority, Priority::Urgent);
}

#[test]
fn a_field_button_survives_its_round_trip_through_the_platform() {
    let a = Action::FieldOption {
        request: rid("IT-12"),
        field: 1,
        option: 3,
    };
    assert_eq!(Action::parse(&a.to_string()), Ok(a));
    assert!(Action::parse("fieldopt:IT-12:x:3").is_err());
}

#[test]
fn claim_wait_and_close_are_told_in_the_message_thread_and_the_rating_asked_by_dm() {
    let mut w = World::new();
    w.capture(captured("my laptop won't boot", Some("frank"), None));
    let t = w.click("alice", Action::Claim(rid("IT-1")));
    assert!(t.dms_to("erin").is_empty());
    has_text(origin_replies(&t)[0].1, "alice");
    let t = w.click("alice", Action::AwaitRequester(rid("IT-1")));
    assert!(t.dms_to("erin").is_empty());
    assert_eq!(origin_replies(&t).len(), 1);
    let t = w.click("alice", Action::Close(rid("IT-1")));
    let told = origin_replies(&t);
    assert_eq!(told.len(), 1);
    has_text(told[0].1, "survey by direct message");
    let dms = t.dms_to("erin");
    assert_eq!(dms.len(), 1, "only the rating goes by DM: {dms:?}");
    assert!(actions(dms[0]).contains(&Action::Rate(rid("IT-1"), 5)));
}

#[test]
fn a_confidential_department_tells_a_captured_requester_by_dm() {
    let mut rules = rules();
    rules.departments[0].confidential = true;
    let mut w = World::with(rules);
    w.capture(captured(
        "my payslip looks wrong",
        Some("frank"),
        Some("it"),
    ));
    let t = w.click("alice", Action::Claim(rid("IT-1")));
    assert!(origin_replies(&t).is_empty());
    assert_eq!(t.dms_to("erin").len(), 1);
}

#[test]
fn what_the_requester_writes_while_the_team_is_asked_is_carried_to_the_card() {
    let mut w = World::new();
    w.capture(captured("something odd happened", None, None));
    for (who, text) in [("erin", "the screen flickers"), ("gus", "same here")] {
        let t = w.step(Input::MessageReceived {
            user: user(who),
            text: text.into(),
            place: Place::WaitingThread { root: message() },
        });
        assert!(t.effects.is_empty());
    }
    // A reply under some other message is not about this one.
    w.step(Input::MessageReceived {
        user: user("erin"),
        text: "unrelated".into(),
        place: Place::WaitingThread {
            root: PostRef::new(Platform::Slack, "C-help", "1700000000.000999"),
        },
    });
    let t = w.click("erin", Action::PickDepartment("it".into()));
    let posts = t.thread_posts("IT-1");
    assert_eq!(posts.len(), 1, "{posts:?}");
    has_text(posts[0], "the screen flickers");
}

#[test]
fn answering_an_open_question_in_the_thread_resumes_a_request_waiting_on_the_requester() {
    let mut w = World::new();
    w.capture(captured("my laptop won't boot", Some("frank"), None));
    w.click("alice", Action::AwaitRequester(rid("IT-1")));
    assert_eq!(w.req("IT-1").status, Status::Waiting);
    w.origin_reply("erin", "IT-1", "ThinkPad X1");
    assert_eq!(
        w.req("IT-1").answers[0].value.as_deref(),
        Some("ThinkPad X1")
    );
    assert_ne!(w.req("IT-1").status, Status::Waiting);
}
