//! Odd input (huge, empty, unicode), and the help and status commands.

use super::*;

// =============================================================================================
// Intake: odd input
// =============================================================================================

#[test]
fn huge_input_is_clipped() {
    let huge = "x".repeat(10_000);
    let mut w = World::new();
    w.command("carol", &format!("laptop {huge}"));
    let summary = w.draft("carol").summary.unwrap();
    assert_eq!(summary.chars().count(), text::MAX_ANSWER_CHARS);
    assert!(summary.starts_with("laptop x") && summary.ends_with('…'));
    w.say("carol", "yes");
    w.say("carol", &huge);
    let device = w.draft("carol").answers[0].clone().unwrap();
    assert_eq!(device.chars().count(), text::MAX_ANSWER_CHARS);

    let mut w = World::new();
    w.command("carol", "");
    w.say("carol", "it");
    w.say("carol", &"ä".repeat(5_000));
    assert_eq!(
        w.draft("carol").summary.unwrap().chars().count(),
        text::MAX_ANSWER_CHARS
    );
}

#[test]
fn huge_messages_to_the_team_are_clipped() {
    let mut w = World::new();
    file_laptop(&mut w, "carol");
    let t = w.say("carol", &"y".repeat(9_000));
    let Event::RequesterReplied { text } = &last_event(w.req("IT-1")).event else {
        panic!("not relayed: {:#?}", t.effects)
    };
    assert_eq!(text.chars().count(), text::MAX_ANSWER_CHARS);
    assert!(t.thread_posts("IT-1")[0].text.len() < 4_000);
    let t = w.thread_reply("alice", "IT-1", &"z".repeat(9_000));
    let Event::AgentReplied { text } = &last_event(w.req("IT-1")).event else {
        panic!("not relayed: {:#?}", t.effects)
    };
    assert_eq!(text.chars().count(), text::MAX_ANSWER_CHARS);
}

#[test]
fn empty_and_whitespace_messages_do_nothing() {
    let mut w = World::new();
    for text in ["", "   ", "\n\t "] {
        let t = w.say("carol", text);
        assert_eq!(t, Transition::default(), "{text:?}");
    }
    assert!(w.session("carol").is_empty());

    draft_at_urgency(&mut w, "carol");
    let before = w.draft("carol");
    w.advance(Duration::minutes(5));
    let t = w.say("carol", "  ");
    assert!(t.effects.is_empty());
    assert_eq!(w.draft("carol"), before, "not even activity is recorded");

    file_laptop(&mut w, "dave");
    let t = w.thread_reply("alice", "IT-1", "   ");
    assert!(t.effects.is_empty() && t.requests.is_empty());
}

#[test]
fn unicode_input_goes_through_every_step() {
    let mut w = World::new();
    let t = w.command("carol", "我的笔记本电脑坏了 💻");
    assert_eq!(actions(t.dm_to("carol")), first_department_buttons());
    w.say("carol", "ＩＴ");
    assert_eq!(
        w.step_of("carol"),
        Step::ChooseDepartment,
        "full-width letters name no team"
    );
    w.say("carol", "1");
    assert_eq!(w.step_of("carol"), Step::Field { index: 0 });
    w.say("carol", "Ноутбук «Зенит» 🖥️");
    w.say("carol", "ÜRGENT");
    assert_eq!(w.step_of("carol"), Step::Field { index: 1 });
    w.say("carol", "urgent");
    w.say("carol", "İstanbul ofisi — ŞİMDİ 🙏🏽");
    let t = w.say("carol", "✅ yes");
    has_text(t.dm_to("carol"), "Reply `submit`");
    let t = w.say("carol", "yes");
    let r = &t.requests[0];
    assert_eq!(r.summary, "我的笔记本电脑坏了 💻");
    assert_eq!(r.answers[0].value.as_deref(), Some("Ноутбук «Зенит» 🖥️"));
    assert_eq!(
        r.answers[2].value.as_deref(),
        Some("İstanbul ofisi — ŞİMDİ 🙏🏽")
    );
    assert_eq!(r.priority, Priority::Urgent);

    let mut w = World::new();
    w.say("dave", "HELP İstanbul");
    assert_eq!(w.draft("dave").summary.as_deref(), Some("İstanbul"));
    let mut w = World::new();
    w.say("dave", &"🎉".repeat(4_000));
    assert_eq!(
        w.draft("dave").summary.unwrap().chars().count(),
        text::MAX_ANSWER_CHARS
    );
}

// =============================================================================================
// Help and status
// =============================================================================================

#[test]
fn help_is_answered_in_place_or_by_dm() {
    let mut w = World::new();
    let t = w.command("carol", "help");
    let help = t.reply();
    assert!(
        help.text
            .starts_with("I'm the front desk for IT, HR and Facilities requests.\n"),
        "names the configured teams, no others: {:?}",
        help.text
    );
    assert_eq!(actions(help), vec![Action::StartRequest]);
    let help = help.clone();
    assert!(t.outgoing().next().is_none());
    assert!(w.session("carol").is_empty());
    for word in ["help", "HELP", "?"] {
        let t = w.say("carol", word);
        assert_eq!(t.dm_to("carol"), &help);
    }
    assert!(w.session("carol").is_empty());
}

#[test]
fn help_while_answering_explains_and_asks_again() {
    let mut w = World::new();
    w.command("carol", "my laptop won't boot");
    w.say("carol", "yes");
    let t = w.say("carol", "Help");
    let q = t.dm_to("carol");
    assert!(q
        .text
        .starts_with("Answer the question below; `back` goes to the previous question"));
    assert!(q.text.ends_with("\nWhich device is affected?"));
    let draft = w.draft("carol");
    assert_eq!(draft.answers[0], None, "\"help\" is not the device");
    assert_eq!(draft.step, Step::Field { index: 0 });
}

#[test]
fn help_with_more_words_is_a_request() {
    let mut w = World::new();
    let t = w.command("carol", "help me reset my password");
    has_text(t.reply(), "I've sent you a direct message");
    assert_eq!(
        w.draft("carol").summary.as_deref(),
        Some("help me reset my password")
    );
    assert_eq!(
        w.step_of("carol"),
        Step::ConfirmDepartment {
            department: "it".into()
        }
    );
}

#[test]
fn status_lists_only_the_users_active_requests_oldest_first() {
    let mut w = World::new();
    file_laptop(&mut w, "carol"); // IT-1, claimed below
    w.advance(Duration::minutes(1));
    file_laptop(&mut w, "carol"); // IT-2, closed below
    w.advance(Duration::minutes(1));
    file_chair(&mut w, "carol"); // FAC-1, open
    w.advance(Duration::minutes(1));
    file_laptop(&mut w, "dave"); // IT-3, someone else's
    w.advance(Duration::minutes(1));
    file_leave(&mut w, "carol"); // HR-1, cancelled below
    w.click("alice", Action::Claim(rid("IT-1")));
    w.click("alice", Action::Close(rid("IT-2")));
    w.command("carol", "cancel HR-1");

    let t = w.command("carol", "status");
    assert_eq!(
        t.reply().text,
        "Your open requests:\n• *IT-1* my laptop won't boot — claimed (with <@alice>)\n\
         • *FAC-1* my chair is broken — open (waiting for someone to pick it up)"
    );
    let t = w.say("carol", "my requests");
    has_text(t.dm_to("carol"), "• *IT-1* my laptop won't boot — claimed");

    let t = w.command("erin", "STATUS");
    assert_eq!(t.reply().text, "You have no open requests.");
    assert_eq!(actions(t.reply()), vec![Action::StartRequest]);
}
