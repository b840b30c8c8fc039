//! Core messages and requests rendered for Teams: plain markdown messages, Adaptive Cards
//! (schema 1.4) with `Action.Submit` buttons, and the request card.
//!
//! The core writes Slack-flavoured text (`*bold*`, `` `code` ``, `<@USER>` mentions, and
//! `/help-it …` in its help). Here that becomes Teams markdown (`**bold**`), `<at>Name</at>`
//! mentions with their `mention` entities, and the words a Teams user actually types
//! (`status`, `cancel IT-7`, `help <what you need>`), since Teams has no slash commands.
//!
//! A button's `data` is `{"action": "<Action>"}`, with the action in its string form
//! ([`Action::parse`](crate::core::Action::parse) reads it back), so a click arrives as a
//! `message` whose `value` carries it.

use crate::core::{card_choices, Choice, Message, Request, RequestId, Status};
use serde_json::{json, Value};

/// How a user id becomes a display name; `None` when the desk never saw the user.
pub type Names<'a> = &'a dyn Fn(&str) -> Option<String>;

pub const ADAPTIVE_CARD: &str = "application/vnd.microsoft.card.adaptive";

/// Teams draws at most a handful of buttons in one row; more go in further rows.
const BUTTONS_PER_ROW: usize = 5;

/// Summaries (notification previews) are short.
const SUMMARY_CHARS: usize = 120;

/// The core's wording for Slack's slash command, said the way Teams users type it.
fn teams_wording(text: &str) -> String {
    text.replace("/help-it status", "status")
        .replace("/help-it cancel", "cancel")
        .replace("/help-it ", "help ")
        .replace("/help-it", "help")
}

/// Slack's `*bold*` is Teams' italic; pairs of single stars on a line become `**bold**`.
/// With `code_as_bold`, backtick pairs also become bold (Adaptive Cards have no inline code).
fn restyle_line(line: &str, code_as_bold: bool) -> String {
    let mut line = line.to_string();
    let pairs = |line: &str, c: char| {
        let n = line.matches(c).count();
        n >= 2 && n.is_multiple_of(2)
    };
    if pairs(&line, '*') && !line.contains("**") {
        line = line.replace('*', "**");
    }
    if code_as_bold && pairs(&line, '`') {
        line = line.replace('`', "**");
    }
    line
}

/// A mention found in core text: `<@ID>`.
struct Mention {
    id: String,
    name: String,
}

/// Rewrites `<@ID>` mentions as `<at>Name</at>` (or "someone" when the name is unknown, since
/// Teams needs a name to show) and passes the text between them through `text`.
fn resolve_mentions(
    input: &str,
    names: Names<'_>,
    text: impl Fn(&str) -> String,
) -> (String, Vec<Mention>) {
    let mut out = String::with_capacity(input.len());
    let mut mentions: Vec<Mention> = Vec::new();
    let mut rest = input;
    while let Some(start) = rest.find("<@") {
        let Some(len) = rest[start..].find('>') else {
            break;
        };
        out.push_str(&text(&rest[..start]));
        let id = &rest[start + 2..start + len];
        match names(id).filter(|_| !id.is_empty()) {
            Some(name) => {
                out.push_str(&format!("<at>{name}</at>"));
                if !mentions.iter().any(|m| m.id == id) {
                    mentions.push(Mention {
                        id: id.to_string(),
                        name,
                    });
                }
            }
            None => out.push_str("someone"),
        }
        rest = &rest[start + len + 1..];
    }
    out.push_str(&text(rest));
    (out, mentions)
}

fn mention_entities(mentions: &[Mention]) -> Vec<Value> {
    mentions
        .iter()
        .map(|m| {
            json!({
                "type": "mention",
                "text": format!("<at>{}</at>", m.name),
                "mentioned": {"id": m.id, "name": m.name},
            })
        })
        .collect()
}

/// Text that came from people may hold `<`, `>` and `&`; Teams reads message text as HTML.
/// Inside `` `code` `` the markdown renderer escapes by itself, so those spans stay as they are,
/// and so do `<@ID>` mentions, which are resolved afterwards.
fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for line in text.split_inclusive('\n') {
        let mut in_code = false;
        let mut rest = line;
        while let Some(c) = rest.chars().next() {
            let mention = (!in_code && rest.starts_with("<@"))
                .then(|| rest.find('>'))
                .flatten();
            if let Some(end) = mention {
                out.push_str(&rest[..=end]);
                rest = &rest[end + 1..];
                continue;
            }
            match c {
                '`' => {
                    in_code = !in_code;
                    out.push(c);
                }
                '&' if !in_code => out.push_str("&amp;"),
                '<' if !in_code => out.push_str("&lt;"),
                '>' if !in_code => out.push_str("&gt;"),
                _ => out.push(c),
            }
            rest = &rest[c.len_utf8()..];
        }
    }
    out
}

/// The first line of a message without markup, for notification previews.
fn summary_of(text: &str) -> String {
    let first = text
        .lines()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("")
        .trim();
    let plain: String = first.chars().filter(|c| !matches!(c, '*' | '`')).collect();
    crate::core::text::clip(&plain, SUMMARY_CHARS)
}

/// A core message as an activity: markdown text, or an Adaptive Card when it has choices.
pub fn message_activity(msg: &Message, names: Names<'_>) -> Value {
    if msg.choices.is_empty() {
        text_activity(&msg.text, names)
    } else {
        card_activity(
            &summary_of(&teams_wording(&msg.text)),
            choice_card(msg, names),
        )
    }
}

/// A plain markdown message.
pub fn text_activity(text: &str, names: Names<'_>) -> Value {
    let escaped = escape_html(&teams_wording(text));
    let (resolved, mentions) = resolve_mentions(&escaped, names, str::to_string);
    let lines: Vec<String> = resolved.lines().map(|l| restyle_line(l, false)).collect();
    let mut activity = json!({
        "type": "message",
        "textFormat": "markdown",
        // A single newline does not break a line in Teams markdown; a blank line does.
        "text": lines.join("\n\n"),
    });
    if !mentions.is_empty() {
        activity["entities"] = Value::Array(mention_entities(&mentions));
    }
    activity
}

/// An activity carrying one Adaptive Card.
pub fn card_activity(summary: &str, card: Value) -> Value {
    json!({
        "type": "message",
        "summary": summary,
        "attachments": [{"contentType": ADAPTIVE_CARD, "content": card}],
    })
}

fn text_blocks(text: &str, names: Names<'_>) -> (Vec<Value>, Vec<Mention>) {
    let (resolved, mentions) = resolve_mentions(&teams_wording(text), names, str::to_string);
    let blocks = resolved
        .lines()
        .filter(|l| !l.trim().is_empty())
        .enumerate()
        .map(|(i, line)| {
            let mut block =
                json!({"type": "TextBlock", "text": restyle_line(line, true), "wrap": true});
            if i > 0 {
                block["spacing"] = json!("Small");
            }
            block
        })
        .collect();
    (blocks, mentions)
}

fn submit(choice: &Choice) -> Value {
    json!({"type": "Action.Submit", "title": choice.label, "data": {"action": choice.action.to_string()}})
}

fn card(body: Vec<Value>, actions: Vec<Value>, mentions: &[Mention]) -> Value {
    let mut card = json!({
        "type": "AdaptiveCard",
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "version": "1.4",
        "body": body,
    });
    if !actions.is_empty() {
        card["actions"] = Value::Array(actions);
    }
    if !mentions.is_empty() {
        card["msteams"] = json!({"entities": mention_entities(mentions)});
    }
    card
}

/// A question with buttons: the text, then one `Action.Submit` per choice. A few choices sit
/// in the card's action row; longer lists (a department's many options) become rows of
/// action sets in the body, since Teams shows only a few actions per row.
pub fn choice_card(msg: &Message, names: Names<'_>) -> Value {
    let (mut body, mentions) = text_blocks(&msg.text, names);
    if msg.choices.len() <= BUTTONS_PER_ROW {
        return card(body, msg.choices.iter().map(submit).collect(), &mentions);
    }
    for row in msg.choices.chunks(BUTTONS_PER_ROW) {
        body.push(
            json!({"type": "ActionSet", "actions": row.iter().map(submit).collect::<Vec<_>>()}),
        );
    }
    card(body, Vec::new(), &mentions)
}

fn title_case(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// The request card posted in the department channel and updated in place.
pub fn request_card(r: &Request, department: &str, names: Names<'_>) -> Value {
    let name_of = |id: &str| names(id).unwrap_or_else(|| id.to_string());
    let mut facts = vec![
        json!({"title": "Requester", "value": name_of(&r.requester.id)}),
        json!({"title": "Department", "value": department}),
        json!({"title": "Priority", "value": title_case(r.priority.as_str())}),
        json!({"title": "Status", "value": title_case(r.status.as_str())}),
        json!({"title": "Assignee", "value": r.assignee.as_ref().map(|a| name_of(&a.id)).unwrap_or_else(|| "—".into())}),
    ];
    for a in &r.answers {
        facts.push(json!({"title": a.prompt, "value": a.value.as_deref().unwrap_or("—")}));
    }
    let color = match r.status {
        Status::Open => "Attention",
        Status::Claimed => "Accent",
        Status::Closed => "Good",
        Status::Cancelled => "Default",
    };
    let body = vec![
        json!({"type": "TextBlock", "text": format!("**{}** · {}", r.id, r.summary), "size": "Medium", "wrap": true}),
        json!({"type": "TextBlock", "text": title_case(r.status.as_str()), "color": color, "weight": "Bolder", "spacing": "None"}),
        json!({"type": "FactSet", "facts": facts}),
    ];
    card(body, card_choices(r).iter().map(submit).collect(), &[])
}

/// The activity for a request card (new or updated).
pub fn request_activity(r: &Request, department: &str, names: Names<'_>) -> Value {
    let summary = crate::core::text::clip(&format!("{}: {}", r.id, r.summary), SUMMARY_CHARS);
    card_activity(&summary, request_card(r, department, names))
}

/// What an answered survey card becomes, so it can't be answered twice.
pub fn survey_answered(request: &RequestId, rating: u8) -> Value {
    let text = format!("Thanks, you rated **{request}** {rating}/5.");
    card_activity(
        &summary_of(&text),
        card(
            vec![json!({"type": "TextBlock", "text": text, "wrap": true})],
            Vec::new(),
            &[],
        ),
    )
}

/// The answer to an @mention in a channel outside any request card's thread.
pub fn channel_pointer() -> Value {
    json!({
        "type": "message",
        "textFormat": "markdown",
        "text": "I post help requests in this channel and pass replies written under a request's card \
                 on to the person who asked. Use the buttons on a card to claim or close it. To ask \
                 for help yourself, open a chat with me and type **help**.",
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::{Action, Answer, Platform, Priority, UserRef};

    fn names(id: &str) -> Option<String> {
        match id {
            "29:bob" => Some("Bob Agent".into()),
            "29:alice" => Some("Alice Example".into()),
            _ => None,
        }
    }

    #[test]
    fn plain_messages_are_teams_markdown_with_mentions() {
        let a = text_activity("<@29:bob> on *IT-1*:\nTry <this> & that", &names);
        assert_eq!(
            a["text"],
            "<at>Bob Agent</at> on **IT-1**:\n\nTry &lt;this&gt; &amp; that"
        );
        assert_eq!(a["entities"][0]["mentioned"]["id"], "29:bob");
        assert_eq!(a["entities"][0]["text"], "<at>Bob Agent</at>");
        let unknown = text_activity("<@29:zed> is on it", &names);
        assert_eq!(unknown["text"], "someone is on it");
        assert!(unknown.get("entities").is_none());
    }

    #[test]
    fn slash_command_wording_becomes_what_teams_users_type() {
        let a = text_activity(
            "Use `/help-it cancel IT-7`; `/help-it status` lists yours. `/help-it <what>` <b>",
            &names,
        );
        assert_eq!(
            a["text"],
            "Use `cancel IT-7`; `status` lists yours. `help <what>` &lt;b&gt;"
        );
    }

    #[test]
    fn choices_become_submit_buttons_carrying_the_action() {
        let msg = Message::with_choices(
            "It sounds like a request for *IT*. Is that right?",
            vec![
                Choice::new("Yes, IT", Action::ConfirmDepartment),
                Choice::new("Cancel", Action::Cancel),
            ],
        );
        let a = message_activity(&msg, &names);
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
    }

    #[test]
    fn long_choice_lists_wrap_into_rows() {
        let choices = (0..7)
            .map(|i| Choice::new(format!("o{i}"), Action::PickOption(i)))
            .collect();
        let card = choice_card(&Message::with_choices("Pick", choices), &names);
        assert!(card.get("actions").is_none());
        let body = card["body"].as_array().unwrap();
        assert_eq!(body[1]["type"], "ActionSet");
        assert_eq!(body[1]["actions"].as_array().unwrap().len(), 5);
        assert_eq!(body[2]["actions"][1]["data"]["action"], "opt:6");
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
        let a = request_activity(&request(Status::Open), "IT", &names);
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
        assert_eq!(actions, ["claim:IT-1", "close:IT-1"]);

        let claimed = request_card(&request(Status::Claimed), "IT", &names);
        assert!(claimed.to_string().contains("Bob Agent"));
        assert_eq!(claimed["actions"][0]["data"]["action"], "close:IT-1");
        let closed = request_card(&request(Status::Closed), "IT", &names);
        assert_eq!(closed["actions"][0]["data"]["action"], "reopen:IT-1");
        assert!(request_card(&request(Status::Cancelled), "IT", &names)
            .get("actions")
            .is_none());
    }

    #[test]
    fn the_answered_survey_has_no_buttons() {
        let a = survey_answered(&RequestId::parse("IT-1").unwrap(), 4);
        let card = &a["attachments"][0]["content"];
        assert_eq!(card["body"][0]["text"], "Thanks, you rated **IT-1** 4/5.");
        assert!(card.get("actions").is_none());
    }
}
