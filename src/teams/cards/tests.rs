use super::*;
use crate::core::{Action, Answer, Arg, Choice, Platform, Priority, RequestId, Text, UserRef};
use crate::i18n::Catalogs;
use std::sync::OnceLock;

fn catalogs() -> &'static Catalogs {
    static C: OnceLock<Catalogs> = OnceLock::new();
    C.get_or_init(|| Catalogs::shipped("en").unwrap())
}

fn en() -> Words<'static> {
    Words::new(catalogs(), "en")
}

fn de() -> Words<'static> {
    Words::new(catalogs(), "de")
}

fn user(id: &str) -> UserRef {
    UserRef::new(Platform::Teams, id)
}

fn names(id: &str) -> Option<String> {
    match id {
        "29:bob" => Some("Bob Agent".into()),
        "29:alice" => Some("Alice Example".into()),
        _ => None,
    }
}

#[test]
fn plain_messages_are_teams_markdown_with_mentions() {
    let id = RequestId::parse("IT-1").unwrap();
    let msg = Message::text(
        Text::new("agent-wrote")
            .arg("user", &user("29:bob"))
            .arg("id", Arg::strong(&id)),
    )
    .line(Text::plain("Try <this> & that *not bold*"));
    let a = message_activity(&msg, &en(), &names);
    assert_eq!(
        a["text"],
        "<at>Bob Agent</at> on **IT-1**:\n\nTry &lt;this&gt; &amp; that *not bold*"
    );
    assert_eq!(a["entities"][0]["mentioned"]["id"], "29:bob");
    assert_eq!(a["entities"][0]["text"], "<at>Bob Agent</at>");
    let msg = Message::text(
        Text::new("claimed")
            .arg("user", &user("29:zed"))
            .arg("id", "IT-1"),
    );
    let unknown = message_activity(&msg, &en(), &names);
    assert_eq!(unknown["text"], "someone is now working on IT-1.");
    assert!(unknown.get("entities").is_none());
}

#[test]
fn command_hints_become_what_teams_users_type() {
    let msg = Message::text(
        Text::new("cancel-which")
            .arg("cancel", Command::Cancel(RequestId::new("IT", 7)))
            .arg("status", Command::Status),
    )
    .line(Text::new("help-start").arg("command", Command::StartWith));
    let a = message_activity(&msg, &en(), &names);
    assert_eq!(
        a["text"],
        "Which request? Use `cancel IT-7`; `status` lists yours.\n\n\
         • `help <what you need>` (or message me) starts a request; I'll ask a few questions."
    );
    let a = message_activity(&msg, &de(), &names);
    assert!(a["text"]
        .as_str()
        .unwrap()
        .contains("• `help <was Sie brauchen>` (oder eine Nachricht an mich)"));
}

#[test]
fn choices_become_submit_buttons_carrying_the_action() {
    let msg = Message::with_choices(
        Text::new("ask-confirm-department").arg("team", Arg::strong("IT")),
        vec![
            Choice::new(
                Text::new("button-yes-team").arg("team", "IT"),
                Action::ConfirmDepartment,
            ),
            Choice::new(Text::new("button-cancel"), Action::Cancel),
        ],
    );
    let a = message_activity(&msg, &en(), &names);
    assert_eq!(
        a["summary"],
        "It sounds like a request for IT. Is that right?"
    );
    let card = &a["attachments"][0];
    assert_eq!(card["contentType"], ADAPTIVE_CARD);
    assert_eq!(card["content"]["version"], "1.4");
    assert_eq!(
        card["content"]["body"][0]["text"],
        "It sounds like a request for **IT**. Is that right?"
    );
    assert_eq!(card["content"]["actions"][0]["type"], "Action.Submit");
    assert_eq!(card["content"]["actions"][0]["data"]["action"], "dept_yes");
    assert_eq!(card["content"]["actions"][1]["data"]["action"], "cancel");
    assert_eq!(card["content"]["actions"][0]["title"], "Yes, IT");
    let a = message_activity(&msg, &de(), &names);
    assert_eq!(
        a["attachments"][0]["content"]["body"][0]["text"],
        "Das klingt nach einer Anfrage für **IT**. Stimmt das?"
    );
    assert_eq!(
        a["attachments"][0]["content"]["actions"][1]["title"],
        "Abbrechen"
    );
}

#[test]
fn card_text_shows_code_as_bold_and_leaves_people_s_words_alone() {
    let msg = Message::with_choices(
        Text::new("hint-yes-no"),
        vec![Choice::new(Text::new("button-back"), Action::Back)],
    )
    .line(Text::new("ask-field-gone").arg("back", Arg::code("back")))
    .line(Text::plain("a <b> & c"));
    let card = choice_card(&msg, &en(), &names);
    assert_eq!(
        card["body"][1]["text"],
        "Something changed in this team's questions; please type **back**."
    );
    assert_eq!(card["body"][2]["text"], "a <b> & c");
}

#[test]
fn long_choice_lists_wrap_into_rows() {
    let choices = (0..7)
        .map(|i| Choice::new(Text::plain(format!("o{i}")), Action::PickOption(i)))
        .collect();
    let card = choice_card(
        &Message::with_choices(Text::plain("Pick"), choices),
        &en(),
        &names,
    );
    assert!(card.get("actions").is_none());
    let body = card["body"].as_array().unwrap();
    assert_eq!(body[1]["type"], "ActionSet");
    assert_eq!(body[1]["actions"].as_array().unwrap().len(), 5);
    assert_eq!(body[2]["actions"][1]["data"]["action"], "opt:6");
}

/// A card in an ordinary department (thread relay, not confidential).
fn thread_view(status: Status) -> CardView {
    crate::core::card_view(&request(status), false, crate::core::Relay::Thread)
}

fn request(status: Status) -> Request {
    let now = chrono::DateTime::from_timestamp(1_750_000_000, 0).unwrap();
    Request {
        answers: vec![Answer {
            field: "device".into(),
            prompt: "Which device?".into(),
            value: Some("ThinkPad".into()),
        }],
        priority: Priority::High,
        status,
        assignee: (status == Status::Claimed).then(|| UserRef::new(Platform::Teams, "29:bob")),
        ..Request::new(
            RequestId::parse("IT-1").unwrap(),
            "it",
            UserRef::new(Platform::Teams, "29:alice"),
            "Laptop won't boot",
            now,
        )
    }
}

#[test]
fn the_request_card_shows_the_request_and_the_buttons_its_status_allows() {
    let a = request_activity(
        &request(Status::Open),
        "IT",
        &thread_view(Status::Open),
        &en(),
        &names,
    );
    assert_eq!(a["summary"], "IT-1: Laptop won't boot");
    let card = &a["attachments"][0]["content"];
    let text = card.to_string();
    for needle in [
        "IT-1",
        "Laptop won't boot",
        "Alice Example",
        "High",
        "Open",
        "Which device?",
        "ThinkPad",
    ] {
        assert!(text.contains(needle), "{needle} missing from {text}");
    }
    let actions: Vec<&str> = card["actions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["data"]["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        actions,
        ["claim:IT-1", "close:IT-1", "wait:IT-1", "reassign:IT-1"]
    );

    let claimed = request_card(
        &request(Status::Claimed),
        "IT",
        &thread_view(Status::Claimed),
        &en(),
        &names,
    );
    assert!(claimed.to_string().contains("Bob Agent"));
    assert_eq!(claimed["actions"][0]["data"]["action"], "close:IT-1");
    let closed = request_card(
        &request(Status::Closed),
        "IT",
        &thread_view(Status::Closed),
        &en(),
        &names,
    );
    assert_eq!(closed["actions"][0]["data"]["action"], "reopen:IT-1");
    assert!(request_card(
        &request(Status::Cancelled),
        "IT",
        &thread_view(Status::Cancelled),
        &en(),
        &names
    )
    .get("actions")
    .is_none());
}

#[test]
fn the_answered_survey_has_no_buttons() {
    let msg = Message::text(
        Text::new("survey-answered")
            .arg("id", Arg::strong(&RequestId::parse("IT-1").unwrap()))
            .arg("rating", 4u8),
    );
    let a = replacement_activity(&msg, &en(), &names);
    assert_eq!(a["summary"], "Thanks, you rated IT-1 4/5.");
    let card = &a["attachments"][0]["content"];
    assert_eq!(card["body"][0]["text"], "Thanks, you rated **IT-1** 4/5.");
    assert!(card.get("actions").is_none());
}
