//! Confidential departments and explicit replies: the channel never shows what people wrote,
//! agents read it through "View details", and only replies sent on purpose reach the
//! requester.

use super::*;
use crate::core::{card_view, Relay};

/// IT, made confidential with explicit replies (its agents are alice and bob).
fn confidential_it() -> World {
    let mut rules = rules();
    rules.departments[0].confidential = true;
    rules.departments[0].relay = Relay::Explicit;
    World::with(rules)
}

fn explicit_it() -> World {
    let mut rules = rules();
    rules.departments[0].relay = Relay::Explicit;
    World::with(rules)
}

fn all_text(t: &Transition) -> String {
    format!("{:?}", t.effects)
}

#[test]
fn in_explicit_mode_a_plain_thread_reply_stays_among_the_agents() {
    let mut w = explicit_it();
    file_laptop(&mut w, "carol");
    let t = w.thread_reply("alice", "IT-1", "looks like the SSD is gone");
    assert!(t.dms_to("carol").is_empty(), "{:#?}", t.effects);
    assert!(t.effects.is_empty(), "nothing happens: {:#?}", t.effects);
    assert_eq!(w.req("IT-1").first_response_at, None);
}

#[test]
fn reply_sends_to_the_requester_and_shows_it_in_the_thread_marked_as_sent() {
    let mut w = explicit_it();
    file_laptop(&mut w, "carol");
    let t = w.command("alice", "reply IT-1 Bring it to desk 4 at noon");
    let dm = t.dm_to("carol");
    assert_eq!(dm.text, "<@alice> on *IT-1*:\nBring it to desk 4 at noon");
    let posts = t.thread_posts("IT-1");
    assert_eq!(
        posts[0].text,
        "✉️ Sent to the requester by <@alice>:\nBring it to desk 4 at noon"
    );
    assert_eq!(t.reply().text, "Sent to the requester of IT-1.");
    let r = w.req("IT-1");
    assert_eq!(r.first_response_at, Some(w.now));
    assert_eq!(
        last_event(r).event,
        Event::AgentReplied {
            text: "Bring it to desk 4 at noon".into()
        }
    );
}

#[test]
fn only_agents_reply_to_an_active_request_with_words() {
    let mut w = explicit_it();
    file_laptop(&mut w, "carol");
    let t = w.command("dave", "reply IT-1 hello");
    assert_eq!(
        t.reply().text,
        "Only the team's agents can write to the requester of IT-1."
    );
    assert!(t.dms_to("carol").is_empty());
    let t = w.command("alice", "reply IT-1");
    assert!(t
        .reply()
        .text
        .starts_with("To write to the requester of IT-1, send `reply IT-1 …`"));
    let t = w.command("alice", "reply nonsense");
    assert!(t
        .reply()
        .text
        .contains("the request's id, then your message"));
    w.click("alice", Action::Close(rid("IT-1")));
    let t = w.command("alice", "reply IT-1 too late");
    assert_eq!(t.reply().text, "IT-1 is already closed.");
    assert!(t.dms_to("carol").is_empty());
}

#[test]
fn the_reply_form_and_a_typed_reply_in_the_bot_chat_work_like_the_command() {
    let mut w = explicit_it();
    file_laptop(&mut w, "carol");
    let t = w.step(Input::ReplyToRequester {
        user: user("bob"),
        request: rid("IT-1"),
        text: "On my way".into(),
    });
    assert_eq!(t.dm_to("carol").text, "<@bob> on *IT-1*:\nOn my way");
    assert_eq!(t.notice_to("bob").0.text, "Sent to the requester of IT-1.");
    let t = w.say("bob", "reply IT-1 Fixed it");
    assert_eq!(t.dm_to("carol").text, "<@bob> on *IT-1*:\nFixed it");
    // Clicking the card's button where no form opens explains the command.
    let t = w.click("bob", Action::ReplyToRequester(rid("IT-1")));
    assert!(t.notice_to("bob").0.text.contains("`reply IT-1 …`"));
}

#[test]
fn a_confidential_thread_says_the_requester_wrote_but_not_what() {
    let mut w = confidential_it();
    file_laptop(&mut w, "carol");
    let t = w.say_about("carol", "IT-1", "my manager must not know");
    let posts = t.thread_posts("IT-1");
    assert_eq!(
        posts[0].text,
        "The requester wrote to the team. Use “View details” to read it."
    );
    assert!(!all_text(&t).contains("manager"), "{:#?}", t.effects);
    let t = w.command("alice", "reply IT-1 We will keep it private");
    assert_eq!(
        t.thread_posts("IT-1")[0].text,
        "✉️ <@alice> sent a reply to the requester."
    );
    assert!(t.dm_to("carol").text.contains("We will keep it private"));
}

#[test]
fn view_details_shows_an_agent_everything_and_anyone_else_nothing() {
    let mut w = confidential_it();
    file_laptop(&mut w, "carol");
    w.say_about("carol", "IT-1", "it smells of smoke");
    let t = w.click("alice", Action::ViewDetails(rid("IT-1")));
    let (details, about) = t.notice_to("alice");
    assert_eq!(about, Some(&rid("IT-1")));
    for words in ["laptop won't boot", "ThinkPad X1", "smells of smoke"] {
        assert!(
            details.text.contains(words),
            "{words} not in {}",
            details.text
        );
    }
    let t = w.click("dave", Action::ViewDetails(rid("IT-1")));
    let (refusal, _) = t.notice_to("dave");
    assert_eq!(
        refusal.text,
        "Only the team's agents can see the details of IT-1."
    );
    assert!(!all_text(&t).contains("smoke"));
}

#[test]
fn the_card_offers_details_and_replies_where_the_department_needs_them() {
    let mut w = confidential_it();
    file_laptop(&mut w, "carol");
    let r = w.req("IT-1").clone();
    let actions = |v: CardView| v.choices.into_iter().map(|c| c.action).collect::<Vec<_>>();
    let id = rid("IT-1");
    let view = card_view(&r, true, Relay::Explicit);
    assert!(!view.shows_content);
    assert_eq!(
        actions(view),
        [
            Action::Claim(id.clone()),
            Action::Close(id.clone()),
            Action::AwaitRequester(id.clone()),
            Action::Reassign(id.clone()),
            Action::ViewDetails(id.clone()),
            Action::ReplyToRequester(id.clone()),
        ]
    );
    let view = card_view(&r, false, Relay::Thread);
    assert!(view.shows_content);
    assert_eq!(
        actions(view),
        [
            Action::Claim(id.clone()),
            Action::Close(id.clone()),
            Action::AwaitRequester(id.clone()),
            Action::Reassign(id.clone()),
        ]
    );
    let mut closed = r.clone();
    closed.status = Status::Closed;
    assert_eq!(
        actions(card_view(&closed, false, Relay::Explicit)),
        [Action::Reopen(id)],
        "nothing to reply to once closed"
    );
}

#[test]
fn an_escalation_to_a_channel_names_a_confidential_request_by_its_id_alone() {
    use crate::core::{EscalationStep, Notify, Until};
    let mut rules = rules();
    rules.departments[0].confidential = true;
    rules.departments[0].relay = Relay::Explicit;
    rules.departments[0].service.escalation = vec![EscalationStep {
        after: Duration::hours(1),
        notify: vec![Notify::parse("C0LEADS")],
        until: Until::FirstResponse,
    }];
    let mut w = World::with(rules);
    file_laptop(&mut w, "carol");
    w.advance(Duration::hours(1));
    let fired = w.fire_due_timers();
    let posts: Vec<String> = fired
        .iter()
        .flat_map(|t| t.effects.iter())
        .filter_map(|e| match e {
            Effect::Send(Outgoing::ChannelPost { msg, .. }) => Some(shown(msg).text),
            _ => None,
        })
        .collect();
    assert_eq!(posts.len(), 1, "{fired:#?}");
    assert!(posts[0].contains("IT-1"), "{}", posts[0]);
    assert!(!posts[0].contains("laptop"), "{}", posts[0]);
}

#[test]
fn details_asked_for_a_modal_come_back_as_the_reply_and_refusals_too() {
    let mut w = confidential_it();
    file_laptop(&mut w, "carol");
    let t = w.step(Input::DetailsRequested {
        user: user("alice"),
        request: rid("IT-1"),
    });
    assert!(t.reply().text.contains("laptop won't boot"));
    assert!(t.effects.iter().all(|e| matches!(e, Effect::Reply(_))));
    let t = w.step(Input::DetailsRequested {
        user: user("dave"),
        request: rid("IT-1"),
    });
    assert_eq!(
        t.reply().text,
        "Only the team's agents can see the details of IT-1."
    );
}
