//! A request's life, first part: claiming it, and messages both ways between requester and team.

use super::*;

// =============================================================================================
// Lifecycle: claim
// =============================================================================================

#[test]
fn an_agent_claims_an_open_request() {
    let mut w = World::new();
    file_laptop(&mut w, "carol");
    w.advance(Duration::minutes(20));
    let t = w.click("alice", Action::Claim(rid("IT-1")));
    let r = t.changed("IT-1").expect("claim changes the request");
    assert_eq!(r.status, Status::Claimed);
    assert_eq!(r.assignee, Some(user("alice")));
    assert_eq!(r.first_response_at, Some(w.now));
    assert_eq!(
        last_event(r),
        &HistoryEntry {
            at: w.now,
            actor: Some(user("alice")),
            event: Event::Claimed
        }
    );
    assert_eq!(
        t.cancelled(),
        vec![&TimerFilter::FirstResponse(rid("IT-1"))]
    );
    assert!(t.sends(&Outgoing::UpdateCard {
        request: rid("IT-1")
    }));
    assert_eq!(t.dm_to("carol").text, "<@alice> is now working on *IT-1*.");
    assert_eq!(t.dm_abouts("carol"), vec![Some(rid("IT-1"))]);
    assert!(t.dms_to("alice").is_empty());
    assert!(w.pending("first_response").is_empty());
    assert!(w.session("alice").is_empty());
}

#[test]
fn a_claim_by_someone_who_is_not_an_agent_is_refused_with_a_notice() {
    let mut w = World::new();
    file_laptop(&mut w, "carol");
    for who in ["dave", "carol"] {
        let t = w.click(who, Action::Claim(rid("IT-1")));
        let (msg, about) = t.notice_to(who);
        assert_eq!(msg.text, "Only IT agents can claim IT-1.");
        assert_eq!(about, Some(&rid("IT-1")));
        assert!(t.requests.is_empty());
        assert_eq!(t.outgoing().count(), 1);
    }
    assert_eq!(w.req("IT-1").status, Status::Open);
}

#[test]
fn a_claimed_request_cannot_be_claimed_again() {
    let mut w = World::new();
    file_laptop(&mut w, "carol");
    w.click("alice", Action::Claim(rid("IT-1")));
    let t = w.click("bob", Action::Claim(rid("IT-1")));
    assert_eq!(
        t.notice_to("bob").0.text,
        "IT-1 is already claimed by <@alice>."
    );
    assert!(t.requests.is_empty());
    let t = w.click("alice", Action::Claim(rid("IT-1")));
    assert_eq!(t.notice_to("alice").0.text, "You already have IT-1.");
    assert!(t.requests.is_empty());
    assert_eq!(w.req("IT-1").assignee, Some(user("alice")));
    assert_eq!(
        events(w.req("IT-1")),
        vec![Event::Created, Event::Claimed],
        "no second claim recorded"
    );
}

#[test]
fn a_closed_or_cancelled_request_cannot_be_claimed() {
    let mut w = World::new();
    file_laptop(&mut w, "carol");
    w.click("alice", Action::Close(rid("IT-1")));
    let t = w.click("bob", Action::Claim(rid("IT-1")));
    assert_eq!(
        t.notice_to("bob").0.text,
        "IT-1 is closed; reopen it first."
    );
    assert_eq!(w.req("IT-1").assignee, None);

    file_laptop(&mut w, "carol");
    w.command("carol", "cancel IT-2");
    let t = w.click("bob", Action::Claim(rid("IT-2")));
    assert_eq!(
        t.notice_to("bob").0.text,
        "IT-2 is cancelled; reopen it first."
    );
}

#[test]
fn anyone_can_claim_in_a_team_without_an_agent_list() {
    let mut w = World::new();
    file_leave(&mut w, "carol");
    let t = w.click("dave", Action::Claim(rid("HR-1")));
    assert_eq!(t.changed("HR-1").unwrap().assignee, Some(user("dave")));
    assert_eq!(t.dm_to("carol").text, "<@dave> is now working on *HR-1*.");
}

#[test]
fn claiming_an_unknown_request_says_so() {
    let mut w = World::new();
    let t = w.click("alice", Action::Claim(rid("IT-9")));
    let (msg, about) = t.notice_to("alice");
    assert_eq!(msg.text, "I can't find request IT-9.");
    assert_eq!(about, None);
    assert!(t.requests.is_empty());
}

// =============================================================================================
// Lifecycle: messages both ways
// =============================================================================================

#[test]
fn an_agents_thread_reply_reaches_the_requester_and_counts_as_first_response() {
    let mut w = World::new();
    file_laptop(&mut w, "carol");
    w.advance(Duration::minutes(10));
    let t = w.thread_reply("bob", "IT-1", "  have you tried turning it off and on?  ");
    assert_eq!(
        t.dm_to("carol").text,
        "<@bob> on *IT-1*:\nhave you tried turning it off and on?"
    );
    assert_eq!(t.dm_abouts("carol"), vec![Some(rid("IT-1"))]);
    assert!(t.sends(&Outgoing::MarkRelayed {
        request: rid("IT-1"),
        post: w.post()
    }));
    assert_eq!(
        t.cancelled(),
        vec![&TimerFilter::FirstResponse(rid("IT-1"))]
    );
    let r = w.req("IT-1");
    assert_eq!(r.first_response_at, Some(w.now));
    assert_eq!(r.status, Status::Open, "a reply is not a claim");
    assert_eq!(r.assignee, None);
    assert_eq!(
        last_event(r),
        &HistoryEntry {
            at: w.now,
            actor: Some(user("bob")),
            event: Event::AgentReplied {
                text: "have you tried turning it off and on?".into()
            }
        }
    );

    w.advance(Duration::minutes(10));
    let t = w.thread_reply("alice", "IT-1", "on my way");
    assert!(t.cancelled().is_empty(), "the chase is already over");
    assert_eq!(
        w.req("IT-1").first_response_at,
        Some(t0() + Duration::minutes(10))
    );
    assert_eq!(t.dm_to("carol").text, "<@alice> on *IT-1*:\non my way");
}

#[test]
fn an_internal_note_stays_in_the_thread() {
    let mut w = World::new();
    file_laptop(&mut w, "carol");
    for note in [
        "note: check the warranty",
        "NOTE: asked the vendor",
        "Note:x",
    ] {
        let t = w.thread_reply("alice", "IT-1", note);
        assert_eq!(t, Transition::default(), "{note:?}");
    }
    assert_eq!(w.req("IT-1").first_response_at, None);
    assert_eq!(w.req("IT-1").history.len(), 1);
}

#[test]
fn a_thread_reply_by_the_requester_is_ignored() {
    let mut w = World::new();
    file_laptop(&mut w, "carol");
    let t = w.thread_reply("carol", "IT-1", "any news?");
    assert_eq!(t, Transition::default());
}

#[test]
fn a_thread_reply_by_a_bystander_is_not_relayed() {
    let mut w = World::new();
    file_laptop(&mut w, "carol");
    let t = w.thread_reply("dave", "IT-1", "+1, mine too");
    assert_eq!(t, Transition::default());
    assert_eq!(w.req("IT-1").first_response_at, None);
    assert_eq!(w.pending("first_response").len(), 1, "the chase goes on");

    // Where anyone is an agent, anyone's reply is the team's.
    file_leave(&mut w, "carol");
    let t = w.thread_reply("dave", "HR-1", "we'll sort it");
    assert_eq!(t.dm_to("carol").text, "<@dave> on *HR-1*:\nwe'll sort it");
}

#[test]
fn a_thread_reply_on_an_unknown_request_does_nothing() {
    let mut w = World::new();
    let t = w.thread_reply("alice", "IT-4", "hello?");
    assert_eq!(t, Transition::default());
}

#[test]
fn the_requesters_dm_goes_to_their_one_open_request() {
    let mut w = World::new();
    file_laptop(&mut w, "carol");
    w.advance(Duration::minutes(5));
    let t = w.say("carol", "it still won't boot");
    let posts = t.thread_posts("IT-1");
    assert_eq!(posts.len(), 1);
    assert_eq!(
        posts[0].text,
        "<@carol> (requester) wrote:\nit still won't boot"
    );
    assert_eq!(
        t.dm_to("carol").text,
        "Passed on to the team handling IT-1."
    );
    assert_eq!(t.dm_abouts("carol"), vec![Some(rid("IT-1"))]);
    let r = w.req("IT-1");
    assert_eq!(
        last_event(r),
        &HistoryEntry {
            at: w.now,
            actor: Some(user("carol")),
            event: Event::RequesterReplied {
                text: "it still won't boot".into()
            }
        }
    );
    assert_eq!(r.first_response_at, None, "the requester is not the team");
    assert!(t.cancelled().is_empty());
    assert!(w.session("carol").is_empty());
}

#[test]
fn with_several_open_requests_the_requester_is_asked_which_one() {
    let mut w = World::new();
    file_laptop(&mut w, "carol");
    w.advance(Duration::minutes(1));
    file_chair(&mut w, "carol");
    let t = w.say("carol", "I'm working from home tomorrow");
    let q = t.dm_to("carol");
    assert_eq!(
        q.text,
        "You have several open requests. Which one is this message for?"
    );
    assert_eq!(
        actions(q),
        vec![Action::ReplyTo(rid("FAC-1")), Action::ReplyTo(rid("IT-1"))],
        "newest first"
    );
    assert_eq!(q.choices[1].label, "IT-1: my laptop won't boot");
    assert!(t.thread_posts("IT-1").is_empty() && t.thread_posts("FAC-1").is_empty());
    assert!(t.requests.is_empty());
    assert_eq!(
        w.session("carol").pending_reply.as_deref(),
        Some("I'm working from home tomorrow")
    );

    let t = w.click("carol", Action::ReplyTo(rid("IT-1")));
    assert_eq!(
        t.thread_posts("IT-1")[0].text,
        "<@carol> (requester) wrote:\nI'm working from home tomorrow"
    );
    assert_eq!(
        events(w.req("IT-1")).last(),
        Some(&Event::RequesterReplied {
            text: "I'm working from home tomorrow".into()
        })
    );
    assert_eq!(w.req("FAC-1").history.len(), 1);
    assert!(w.session("carol").is_empty());
}

#[test]
fn typing_a_request_id_sends_the_pending_message_there() {
    let mut w = World::new();
    file_laptop(&mut w, "carol");
    file_chair(&mut w, "carol");
    w.say("carol", "the building is closed friday");
    let t = w.say("carol", "fac-1");
    assert_eq!(
        t.thread_posts("FAC-1")[0].text,
        "<@carol> (requester) wrote:\nthe building is closed friday"
    );
    assert!(t.thread_posts("IT-1").is_empty());
    assert_eq!(w.session("carol").pending_reply, None);
}

#[test]
fn reply_to_without_a_pending_message_asks_for_one() {
    let mut w = World::new();
    file_laptop(&mut w, "carol");
    let t = w.click("carol", Action::ReplyTo(rid("IT-1")));
    assert_eq!(
        t.dm_to("carol").text,
        "Type your message and I'll pass it on to the people handling IT-1."
    );
    assert!(t.requests.is_empty());
}

#[test]
fn reply_to_by_someone_else_is_refused() {
    let mut w = World::new();
    file_laptop(&mut w, "carol");
    file_chair(&mut w, "dave");
    file_laptop(&mut w, "dave");
    w.say("dave", "some secret");
    let t = w.click("dave", Action::ReplyTo(rid("IT-1")));
    assert_eq!(
        t.notice_to("dave").0.text,
        "Only the person who opened IT-1 can write to its team here."
    );
    assert!(t.thread_posts("IT-1").is_empty());
    assert_eq!(
        w.session("dave").pending_reply.as_deref(),
        Some("some secret")
    );
    let t = w.click("dave", Action::ReplyTo(rid("IT-7")));
    assert_eq!(t.notice_to("dave").0.text, "I can't find request IT-7.");
}

#[test]
fn a_dm_in_the_thread_about_a_request_goes_to_that_request() {
    let mut w = World::new();
    file_laptop(&mut w, "carol");
    w.advance(Duration::minutes(1));
    file_chair(&mut w, "carol");
    let t = w.say_about("carol", "IT-1", "it's a ThinkPad");
    assert_eq!(t.thread_posts("IT-1").len(), 1);
    assert!(t.thread_posts("FAC-1").is_empty());
    assert!(w.session("carol").is_empty(), "nothing to ask");
}

#[test]
fn a_dm_in_the_thread_of_a_closed_request_goes_to_the_open_one() {
    let mut w = World::new();
    file_laptop(&mut w, "carol");
    w.command("carol", "cancel IT-1");
    file_chair(&mut w, "carol");
    let t = w.say_about("carol", "IT-1", "chair still wobbles");
    assert!(t.thread_posts("IT-1").is_empty());
    assert_eq!(t.thread_posts("FAC-1").len(), 1);
}

#[test]
fn a_new_draft_forgets_a_pending_message() {
    let mut w = World::new();
    file_laptop(&mut w, "carol");
    file_chair(&mut w, "carol");
    w.say("carol", "hello");
    assert!(w.session("carol").pending_reply.is_some());
    w.command("carol", "");
    assert_eq!(w.session("carol").pending_reply, None);
}

#[test]
fn cancel_typed_with_a_pending_message_drops_it() {
    let mut w = World::new();
    file_laptop(&mut w, "carol");
    file_chair(&mut w, "carol");
    w.say("carol", "hello");
    let t = w.say("carol", "cancel");
    assert_eq!(t.dm_to("carol").text, "OK, I won't pass that message on.");
    assert!(w.session("carol").is_empty());
}
