use super::message::{chunks, message_blocks};
use super::*;
use crate::core::{Choice, Platform, RequestId};
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

#[test]
fn core_messages_become_mrkdwn_with_people_s_words_escaped() {
    let id = RequestId::parse("IT-1").unwrap();
    let bob = UserRef::new(Platform::Slack, "U2");
    let msg = Message::text(
        Text::new("agent-wrote")
            .arg("user", &bob)
            .arg("id", Arg::strong(&id)),
    )
    .line(Text::plain("Try <this> & that, <@U9> and <!channel|x>"));
    let json = serde_json::to_value(message_content(&msg, &en())).unwrap();
    assert_eq!(
        json["text"],
        "<@U2> on *IT-1*:\nTry &lt;this&gt; &amp; that, <@U9> and &lt;!channel|x&gt;"
    );
    assert_eq!(json["blocks"][0]["text"]["type"], "mrkdwn");
}

#[test]
fn command_hints_are_the_slash_command() {
    let msg = Message::text(
        Text::new("cancel-which")
            .arg("cancel", Command::Cancel(RequestId::new("IT", 7)))
            .arg("status", Command::Status),
    );
    let json = serde_json::to_value(message_content(&msg, &en())).unwrap();
    assert_eq!(
        json["text"],
        "Which request? Use `/help-it cancel IT-7`; `/help-it status` lists yours."
    );
    let help = crate::core::text::help_for(&["IT"]);
    let json = serde_json::to_value(message_content(&help, &en())).unwrap();
    assert!(json["text"]
        .as_str()
        .unwrap()
        .contains("• `/help-it &lt;what you need&gt;` (or message me) starts a request"));
}

#[test]
fn a_german_reader_gets_german_words_and_labels() {
    let msg = Message::with_choices(
        Text::new("ask-confirm-department").arg("team", Arg::strong("IT")),
        vec![Choice::new(
            Text::new("button-yes-team").arg("team", "IT"),
            Action::ConfirmDepartment,
        )],
    );
    let json = serde_json::to_value(message_content(&msg, &de())).unwrap();
    assert_eq!(
        json["blocks"][0]["text"]["text"],
        "Das klingt nach einer Anfrage für *IT*. Stimmt das?"
    );
    assert_eq!(json["blocks"][1]["elements"][0]["text"]["text"], "Ja, IT");
}

#[test]
fn markup_characters_are_escaped_but_slack_tokens_survive() {
    assert_eq!(escape("a < b && c > d"), "a &lt; b &amp;&amp; c &gt; d");
    assert_eq!(
        escape("<@U123> see <#C1|it> and <https://x.y|docs>"),
        "<@U123> see <#C1|it> and <https://x.y|docs>"
    );
    assert_eq!(
        escape("already &lt;escaped&gt; &amp; fine"),
        "already &lt;escaped&gt; &amp; fine"
    );
    assert_eq!(escape("<b>bold</b>"), "&lt;b&gt;bold&lt;/b&gt;");
    assert_eq!(escape("héllo <"), "héllo &lt;");
}

#[test]
fn people_s_words_cannot_ping_a_whole_channel() {
    assert_eq!(
        escape_words("<!here> <!channel> <!everyone> <!subteam^S1|@it> look"),
        "&lt;!here&gt; &lt;!channel&gt; &lt;!everyone&gt; &lt;!subteam^S1|@it&gt; look"
    );
    assert_eq!(
        escape_words("<@U1> <#C1|it> <https://x.y|docs> <!date^1^{date}|d> a < b"),
        "<@U1> <#C1|it> <https://x.y|docs> <!date^1^{date}|d> a &lt; b"
    );
    let relayed = Message::text(Text::plain("<!channel> urgent & <b>"));
    let json = serde_json::to_value(message_content(&relayed, &en())).unwrap();
    assert_eq!(json["text"], "&lt;!channel&gt; urgent &amp; &lt;b&gt;");
}

#[test]
fn unescape_reverses_slacks_entities() {
    assert_eq!(unescape("a &lt;b&gt; &amp; c"), "a <b> & c");
    assert_eq!(unescape("plain"), "plain");
}

#[test]
fn long_text_is_split_into_sections_slack_accepts() {
    let text = "x".repeat(7000);
    let pieces = chunks(&text, SECTION_MAX);
    assert_eq!(pieces.len(), 3);
    assert!(pieces.iter().all(|p| p.chars().count() <= SECTION_MAX));
    let lines = format!("{}\n{}", "a".repeat(2000), "b".repeat(2000));
    let pieces = chunks(&lines, SECTION_MAX);
    assert_eq!(pieces.len(), 2);
    assert!(pieces[1].starts_with('b'));
}

#[test]
fn choices_become_buttons_with_unique_action_ids_and_the_action_as_value() {
    let id = RequestId::parse("IT-4").unwrap();
    let choices = (1..=5)
        .map(|n| Choice::new(Text::plain(n.to_string()), Action::Rate(id.clone(), n)))
        .collect();
    let msg = Message::with_choices(Text::plain("Rate it"), choices);
    let json = serde_json::to_value(message_content(&msg, &en())).unwrap();
    let buttons = json["blocks"][1]["elements"].as_array().unwrap();
    assert_eq!(buttons.len(), 5);
    let ids: std::collections::HashSet<&str> = buttons
        .iter()
        .map(|b| b["action_id"].as_str().unwrap())
        .collect();
    assert_eq!(ids.len(), 5);
    assert_eq!(buttons[4]["value"], "rate:IT-4:5");
    assert_eq!(json["text"], "Rate it\n(1 · 2 · 3 · 4 · 5)");
}

/// The card of `r` in an ordinary department (thread relay, not confidential).
fn ordinary_card(r: &Request, close_reaction: Option<&'static str>) -> CardContext<'static> {
    CardContext {
        department_name: "IT",
        internal_note_prefix: "!",
        close_reaction,
        view: crate::core::card_view(r, false, crate::core::Relay::Thread),
    }
}

#[test]
fn the_card_shows_the_buttons_its_status_offers() {
    let at = chrono::DateTime::from_timestamp(1_700_000_000, 0).unwrap();
    let buttons = |status| -> Vec<(String, String)> {
        let r = Request {
            status,
            ..Request::new(
                RequestId::parse("IT-1").unwrap(),
                "it",
                UserRef::new(Platform::Slack, "U1"),
                "printer",
                at,
            )
        };
        let ctx = ordinary_card(&r, Some("white_check_mark"));
        let json = serde_json::to_value(card_content(&r, &ctx, &en())).unwrap();
        json["blocks"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|b| b["type"] == "actions")
            .flat_map(|b| b["elements"].as_array().unwrap().clone())
            .map(|e| {
                (
                    e["text"]["text"].as_str().unwrap().to_string(),
                    e["value"].as_str().unwrap().to_string(),
                )
            })
            .collect()
    };
    let pair = |label: &str, value: &str| (label.to_string(), value.to_string());
    assert_eq!(
        buttons(Status::Open),
        [
            pair("Claim", "claim:IT-1"),
            pair("Close", "close:IT-1"),
            pair("Waiting on requester", "wait:IT-1"),
            pair("Reassign…", "reassign:IT-1"),
        ]
    );
    assert_eq!(
        buttons(Status::Claimed),
        [
            pair("Close", "close:IT-1"),
            pair("Waiting on requester", "wait:IT-1"),
            pair("Take over", "takeover:IT-1"),
            pair("Reassign…", "reassign:IT-1"),
            pair("Unassign", "unassign:IT-1"),
        ]
    );
    assert_eq!(buttons(Status::Closed), [pair("Reopen", "reopen:IT-1")]);
    assert!(buttons(Status::Cancelled).is_empty());
}

#[test]
fn a_card_shows_the_requesters_words_without_their_broadcasts() {
    let at = chrono::DateTime::from_timestamp(1_700_000_000, 0).unwrap();
    let mut r = Request::new(
        RequestId::parse("IT-1").unwrap(),
        "it",
        UserRef::new(Platform::Slack, "U1"),
        "<!here> printer & <toner>",
        at,
    );
    r.answers.push(crate::core::Answer {
        field: "device".into(),
        prompt: "Which device?".into(),
        value: Some("<!channel>".into()),
    });
    let ctx = ordinary_card(&r, None);
    let json = serde_json::to_value(card_content(&r, &ctx, &en())).unwrap();
    // Everywhere Slack reads mrkdwn; the header is plain text, shown as written.
    let mut mrkdwn = vec![json["text"].as_str().unwrap().to_string()];
    for block in json["blocks"].as_array().unwrap() {
        let texts = block["fields"]
            .as_array()
            .cloned()
            .unwrap_or_else(|| vec![block["text"].clone()]);
        mrkdwn.extend(
            texts
                .iter()
                .filter(|t| t["type"] == "mrkdwn")
                .map(|t| t["text"].as_str().unwrap().to_string()),
        );
    }
    let all = mrkdwn.join("\n");
    assert!(
        all.contains("&lt;!here&gt;") && all.contains("&lt;!channel&gt;"),
        "{all}"
    );
    assert!(
        !all.contains("<!here>") && !all.contains("<!channel>"),
        "{all}"
    );
    assert_eq!(
        json["text"],
        "IT-1: &lt;!here&gt; printer &amp; &lt;toner&gt; (open, normal priority) from <@U1>"
    );
    let de = serde_json::to_value(card_content(&r, &ctx, &de())).unwrap();
    assert!(de["blocks"][1]["fields"][0]["text"]
        .as_str()
        .unwrap()
        .starts_with("*Anfragende Person*\n<@U1>"));
}

#[test]
fn a_confidential_card_shows_no_words_requester_or_priority() {
    let at = chrono::DateTime::from_timestamp(1_700_000_000, 0).unwrap();
    let mut r = Request::new(
        RequestId::parse("HR-1").unwrap(),
        "hr",
        UserRef::new(Platform::Slack, "USECRET"),
        "my salary is wrong",
        at,
    );
    r.answers.push(crate::core::Answer {
        field: "topic".into(),
        prompt: "Topic?".into(),
        value: Some("payroll".into()),
    });
    let ctx = CardContext {
        department_name: "HR",
        internal_note_prefix: "note:",
        close_reaction: None,
        view: crate::core::card_view(&r, true, crate::core::Relay::Explicit),
    };
    let json = serde_json::to_string(&card_content(&r, &ctx, &en())).unwrap();
    for hidden in ["salary", "payroll", "Topic?", "USECRET", "Normal"] {
        assert!(!json.contains(hidden), "{hidden} on the card: {json}");
    }
    for shown in [
        "HR-1",
        "HR",
        "details:HR-1",
        "tellrequester:HR-1",
        "claim:HR-1",
    ] {
        assert!(json.contains(shown), "{shown} missing: {json}");
    }
}

#[test]
fn many_choices_are_spread_over_several_actions_blocks() {
    let choices = (0..30)
        .map(|n| Choice::new(Text::plain(format!("Option {n}")), Action::PickOption(n)))
        .collect();
    let msg = Message::with_choices(Text::plain("Pick"), choices);
    let blocks = message_blocks(&en().render(&msg, &mut Mrkdwn));
    assert_eq!(blocks.len(), 3);
    let json = serde_json::to_value(&blocks).unwrap();
    assert_eq!(json[1]["elements"].as_array().unwrap().len(), 25);
    assert_eq!(json[2]["elements"].as_array().unwrap().len(), 5);
    assert_eq!(json[2]["elements"][4]["action_id"], "fd:m:29");
}
