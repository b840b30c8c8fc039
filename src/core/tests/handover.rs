//! Who has a request and when it waits: assignment rules, take over, reassign, unassign,
//! waiting on the requester with its nudge and close, and an agent's queue.

use super::*;
use crate::core::{Assign, QueueLine};

fn with_it(change: impl FnOnce(&mut crate::core::Department)) -> World {
    let mut rules = rules();
    change(&mut rules.departments[0]);
    World::with(rules)
}

/// [`file_laptop`], returning the submitting step.
fn file(w: &mut World, who: &str) -> Transition {
    w.command(who, "my laptop won't boot");
    for answer in ["yes", "ThinkPad X1", "high", "skip"] {
        w.say(who, answer);
    }
    w.say(who, "submit")
}

fn assignee(w: &World, id: &str) -> Option<String> {
    w.req(id).assignee.as_ref().map(|a| a.id.clone())
}

#[test]
fn round_robin_takes_the_on_call_list_in_turn_by_request_number() {
    let mut w = with_it(|d| {
        d.assign = Assign::RoundRobin;
        d.on_call = vec!["bob".into(), "alice".into()];
    });
    let t = file(&mut w, "carol");
    assert_eq!(assignee(&w, "IT-1").as_deref(), Some("bob"));
    assert_eq!(w.req("IT-1").status, Status::Claimed);
    assert_eq!(
        w.req("IT-1").history.last().unwrap().event,
        Event::Assigned { to: user("bob") }
    );
    assert!(t
        .dms_to("carol")
        .iter()
        .any(|d| d.text == "<@bob> has your request *IT-1* now."));
    assert_eq!(t.dm_to("bob").text, "*IT-1* is yours now.");
    assert_eq!(
        w.req("IT-1").first_response_at,
        None,
        "assignment is no response"
    );
    file_laptop(&mut w, "dave");
    file_laptop(&mut w, "erin");
    assert_eq!(assignee(&w, "IT-2").as_deref(), Some("alice"));
    assert_eq!(assignee(&w, "IT-3").as_deref(), Some("bob"));
}

#[test]
fn least_loaded_picks_the_agent_with_the_fewest_active_requests() {
    let mut w = with_it(|d| d.assign = Assign::LeastLoaded);
    file_laptop(&mut w, "carol");
    // alice and bob have none: the first in the list.
    assert_eq!(assignee(&w, "IT-1").as_deref(), Some("alice"));
    file_laptop(&mut w, "dave");
    assert_eq!(assignee(&w, "IT-2").as_deref(), Some("bob"));
    w.click("bob", Action::Close(rid("IT-2")));
    file_laptop(&mut w, "erin");
    assert_eq!(
        assignee(&w, "IT-3").as_deref(),
        Some("bob"),
        "bob has none open"
    );
}

#[test]
fn manual_assignment_leaves_a_new_request_unassigned() {
    let mut w = World::new();
    file_laptop(&mut w, "carol");
    assert_eq!(assignee(&w, "IT-1"), None);
    assert_eq!(w.req("IT-1").status, Status::Open);
}

#[test]
fn an_agent_takes_over_and_both_the_requester_and_the_old_agent_are_told() {
    let mut w = World::new();
    file_laptop(&mut w, "carol");
    w.click("alice", Action::Claim(rid("IT-1")));
    let t = w.click("bob", Action::TakeOver(rid("IT-1")));
    assert_eq!(assignee(&w, "IT-1").as_deref(), Some("bob"));
    assert_eq!(t.dm_to("carol").text, "<@bob> has your request *IT-1* now.");
    assert_eq!(t.dm_to("alice").text, "*IT-1* is with <@bob> now.");
    let last = w.req("IT-1").history.last().unwrap().clone();
    assert_eq!(
        (last.actor, last.event),
        (Some(user("bob")), Event::Assigned { to: user("bob") })
    );
    let t = w.click("bob", Action::TakeOver(rid("IT-1")));
    assert_eq!(t.notice_to("bob").0.text, "You already have IT-1.");
    let t = w.click("dave", Action::TakeOver(rid("IT-1")));
    assert_eq!(
        t.notice_to("dave").0.text,
        "Only the team's agents can hand IT-1 on."
    );
}

#[test]
fn unassigning_puts_it_back_in_the_queue_and_reassigning_offers_the_agents() {
    let mut w = World::new();
    file_laptop(&mut w, "carol");
    w.click("alice", Action::Claim(rid("IT-1")));
    let t = w.click("alice", Action::Unassign(rid("IT-1")));
    assert_eq!(w.req("IT-1").status, Status::Open);
    assert_eq!(assignee(&w, "IT-1"), None);
    assert_eq!(
        t.dm_to("carol").text,
        "*IT-1* is back in the team's queue; the next free agent will pick it up."
    );
    assert_eq!(last_event(w.req("IT-1")).event, Event::Unassigned);

    let t = w.click("alice", Action::Reassign(rid("IT-1")));
    let (offer, _) = t.notice_to("alice");
    assert_eq!(offer.text, "Who should have IT-1?");
    assert_eq!(
        actions(offer),
        vec![
            Action::AssignTo(rid("IT-1"), "alice".into()),
            Action::AssignTo(rid("IT-1"), "bob".into())
        ]
    );
    let t = w.click("alice", Action::AssignTo(rid("IT-1"), "bob".into()));
    assert_eq!(assignee(&w, "IT-1").as_deref(), Some("bob"));
    assert_eq!(t.dm_to("bob").text, "*IT-1* is yours now.");
    assert_eq!(w.req("IT-1").first_response_at, Some(w.now));
    let t = w.click("alice", Action::AssignTo(rid("IT-1"), "mallory".into()));
    assert!(t
        .notice_to("alice")
        .0
        .text
        .contains("isn't one of the team's agents"));
}

#[test]
fn waiting_on_the_requester_pauses_until_they_reply() {
    let mut w = World::new();
    file_laptop(&mut w, "carol");
    w.click("alice", Action::Claim(rid("IT-1")));
    let t = w.command("alice", "wait IT-1 What is the asset tag on the back?");
    assert_eq!(
        t.reply().text,
        "IT-1 now waits on its requester; their reply resumes it."
    );
    assert_eq!(
        t.dm_to("carol").text,
        "<@alice> needs something from you for *IT-1*:\nWhat is the asset tag on the back?\nReply here to continue."
    );
    assert_eq!(w.req("IT-1").status, Status::Waiting);
    assert!(t
        .cancelled()
        .contains(&&TimerFilter::Resolution(rid("IT-1"))));
    w.advance(Duration::hours(3));
    let t = w.say_about("carol", "IT-1", "It says A-1234");
    let r = w.req("IT-1");
    assert_eq!(r.status, Status::Claimed);
    assert!(r.history.iter().any(|h| h.event == Event::Resumed));
    assert!(t.thread_posts("IT-1")[0].text.contains("It says A-1234"));
    let waited = r.waiting_intervals();
    assert_eq!(waited.len(), 1);
    assert_eq!(waited[0].1 - waited[0].0, Duration::hours(3));
    let t = w.click("alice", Action::AwaitRequester(rid("IT-1")));
    assert!(t.dm_to("carol").text.contains("needs something from you"));
    let t = w.click("alice", Action::AwaitRequester(rid("IT-1")));
    assert_eq!(
        t.notice_to("alice").0.text,
        "IT-1 is already waiting on its requester."
    );
    let t = w.command("carol", "wait IT-1 me");
    assert!(t.reply().text.starts_with("Only the team's agents"));
}

#[test]
fn without_a_reply_the_requester_is_nudged_half_way_then_the_request_closes() {
    let mut w = with_it(|d| d.auto_close_after = Some(Duration::days(4)));
    file_laptop(&mut w, "carol");
    w.click("alice", Action::AwaitRequester(rid("IT-1")));
    w.advance(Duration::days(2));
    let fired = w.fire_due_timers();
    let nudges: Vec<_> = fired.iter().flat_map(|t| t.dms_to("carol")).collect();
    assert_eq!(nudges.len(), 1, "{nudges:?}");
    assert!(nudges[0]
        .text
        .contains("still waiting for your reply on *IT-1*"));
    w.advance(Duration::days(2));
    let fired = w.fire_due_timers();
    let r = w.req("IT-1");
    assert_eq!(r.status, Status::Closed);
    assert_eq!(r.closed_at, Some(w.now));
    let closed: Vec<_> = fired.iter().flat_map(|t| t.dms_to("carol")).collect();
    assert!(closed[0]
        .text
        .starts_with("*IT-1* was closed because we didn't hear back"));
    let posts: Vec<_> = fired.iter().flat_map(|t| t.thread_posts("IT-1")).collect();
    assert!(posts
        .iter()
        .any(|p| p.text.starts_with("Closed: no reply from the requester")));
}

#[test]
fn a_reply_before_the_nudge_stops_the_nudge_and_the_close() {
    let mut w = with_it(|d| d.auto_close_after = Some(Duration::days(4)));
    file_laptop(&mut w, "carol");
    w.click("alice", Action::AwaitRequester(rid("IT-1")));
    w.advance(Duration::days(1));
    let t = w.say_about("carol", "IT-1", "here you go");
    assert!(t.cancelled().contains(&&TimerFilter::Waiting(rid("IT-1"))));
    w.advance(Duration::days(5));
    w.fire_due_timers();
    assert_eq!(w.req("IT-1").status, Status::Open);
}

#[test]
fn the_queue_groups_overdue_due_soon_unassigned_and_mine() {
    let mut w = World::new();
    file_laptop(&mut w, "carol"); // IT-1: 4h first response
    w.advance(Duration::hours(1));
    file_laptop(&mut w, "dave"); // IT-2
    w.advance(Duration::hours(2));
    file_laptop(&mut w, "erin"); // IT-3
    file_laptop(&mut w, "fred"); // IT-4
    w.click("alice", Action::Claim(rid("IT-4")));
    w.advance(Duration::hours(1) + Duration::minutes(30));
    // IT-1 waited 4h30: overdue by 30m. IT-2 3h30: 30m left, due soon. IT-3 1h30: unassigned.
    // IT-4 is alice's, answered (no resolution level): no clock.
    let t = w.command("alice", "queue");
    let text = &t.reply().text;
    let expected = [
        "Your queue:",
        "Overdue (1):",
        "*IT-1* · open · nobody · filed 4h 30m ago · overdue by 30m",
        "Due soon (1):",
        "*IT-2* · open · nobody · filed 3h 30m ago · 30m left",
        "Unassigned (1):",
        "*IT-3* · open · nobody · filed 1h 30m ago · 2h 30m left",
        "Mine (1):",
        "*IT-4* · claimed · <@alice> · filed 1h 30m ago",
    ]
    .join("\n");
    assert_eq!(text, &expected);
    let q = crate::core::queue(
        &user("alice"),
        &w.requests.values().cloned().collect::<Vec<_>>(),
        &w.rules,
        w.now,
    );
    let ids = |lines: &[QueueLine]| {
        lines
            .iter()
            .map(|l| l.request.id.to_string())
            .collect::<Vec<_>>()
    };
    assert_eq!(ids(&q.overdue), ["IT-1"]);
    assert!(crate::core::is_overdue(w.req("IT-1"), &w.rules, w.now));
    assert!(!crate::core::is_overdue(w.req("IT-2"), &w.rules, w.now));
    let t = w.command("dave", "queue it");
    assert_eq!(
        t.reply().text,
        "You aren't an agent of a department called it."
    );
}

#[test]
fn queue_typed_mid_draft_shows_the_queue_then_asks_again() {
    let mut w = World::new();
    file_laptop(&mut w, "carol");
    w.command("alice", "my screen flickers");
    let t = w.say("alice", "queue");
    let dm = t.dm_to("alice");
    assert!(
        dm.text.starts_with("Your queue:\nUnassigned (1):"),
        "{}",
        dm.text
    );
    assert!(w.session("alice").draft.is_some(), "the draft stays");
}

#[test]
fn mentioning_the_bot_with_queue_in_a_channel_answers_in_that_thread() {
    let mut w = World::new();
    file_laptop(&mut w, "carol");
    let thread = PostRef::new(Platform::Slack, "C0IT", "1700000000.000900");
    let t = w.step(Input::MentionedInChannel {
        user: user("alice"),
        thread: thread.clone(),
        text: "queue".into(),
    });
    let replies: Vec<_> = t
        .effects
        .iter()
        .filter_map(|e| match e {
            Effect::Send(Outgoing::ThreadReply { thread: th, msg }) if th == &thread => {
                Some(shown(msg).text)
            }
            _ => None,
        })
        .collect();
    assert_eq!(replies.len(), 1);
    assert!(replies[0].starts_with("Your queue:"), "{}", replies[0]);
}
