//! Core messages and requests rendered for Teams: markdown messages, Adaptive Cards (schema
//! 1.4) with `Action.Submit` buttons, and the request card.
//!
//! Messages come from the core as catalog ids with typed arguments; here they become Teams
//! markdown ([`Markdown`]: `**bold**`, `` `code` ``, HTML-escaped text) or Adaptive Card text
//! (card TextBlocks have no inline code, so code is bold there), mentions become
//! `<at>Name</at>` with their `mention` entities, and command hints become the words a Teams
//! user actually types (`status`, `cancel IT-7`, `help <what you need>`), since Teams has no
//! slash commands.
//!
//! A button's `data` is `{"action": "<Action>"}`, with the action in its string form
//! ([`Action::parse`](crate::core::Action::parse) reads it back), so a click arrives as a
//! `message` whose `value` carries it.

use crate::core::{CardView, Command, Message, Request, Status, UserRef};
use crate::i18n::{Plain, Rendered, Style, Words};
use serde_json::{json, Value};

/// How a user id becomes a display name; `None` when the desk never saw the user.
pub type Names<'a> = &'a dyn Fn(&str) -> Option<String>;

pub const ADAPTIVE_CARD: &str = "application/vnd.microsoft.card.adaptive";

/// Teams draws at most a handful of buttons in one row; more go in further rows.
const BUTTONS_PER_ROW: usize = 5;

/// Summaries (notification previews) are short.
const SUMMARY_CHARS: usize = 120;

/// A mention in rendered text: `<at>Name</at>` and the entity Teams needs for it.
struct Mention {
    id: String,
    name: String,
}

/// Teams text: markdown for message activities, or Adaptive Card TextBlock text.
pub struct Markdown<'a> {
    names: Names<'a>,
    /// Adaptive Card text rather than a markdown message.
    card: bool,
    mentions: Vec<Mention>,
}

impl<'a> Markdown<'a> {
    /// For a message activity's `text`.
    pub fn message(names: Names<'a>) -> Self {
        Markdown {
            names,
            card: false,
            mentions: Vec::new(),
        }
    }

    /// For an Adaptive Card's TextBlocks.
    pub fn card(names: Names<'a>) -> Self {
        Markdown {
            names,
            card: true,
            mentions: Vec::new(),
        }
    }
}

/// What a Teams user types for a command hint.
fn teams_command(command: &Command, words: &str) -> String {
    match command {
        Command::Status | Command::Cancel(_) => words.to_string(),
        Command::Start | Command::StartWith => format!("help {words}").trim_end().to_string(),
    }
}

impl Style for Markdown<'_> {
    fn text(&mut self, s: &str) -> String {
        if self.card {
            // TextBlocks show text as it is; they read no HTML.
            s.to_string()
        } else {
            // Teams reads message text as HTML: what people typed may hold `<`, `>` and `&`.
            escape_html(s)
        }
    }
    fn strong(&mut self, rendered: String) -> String {
        format!("**{rendered}**")
    }
    fn code(&mut self, s: &str) -> String {
        if self.card {
            format!("**{s}**")
        } else {
            // Inside `code` the markdown renderer escapes by itself.
            format!("`{s}`")
        }
    }
    fn mention(&mut self, user: &UserRef) -> String {
        // Teams needs a name to show; a user the desk never saw is "someone".
        match (self.names)(&user.id).filter(|_| !user.id.is_empty()) {
            Some(name) => {
                let shown = format!("<at>{name}</at>");
                if !self.mentions.iter().any(|m| m.id == user.id) {
                    self.mentions.push(Mention {
                        id: user.id.clone(),
                        name,
                    });
                }
                shown
            }
            None => "someone".to_string(),
        }
    }
    fn command(&mut self, command: &Command, words: &str) -> String {
        self.code(&teams_command(command, words))
    }
    fn link(&mut self, url: &str, label: &str) -> String {
        format!("[{}]({})", self.text(label), url.replace([' ', ')'], ""))
    }
}

/// Plain words for notification previews: no markup, names for mentions.
struct Preview<'a> {
    names: Names<'a>,
}

impl Style for Preview<'_> {
    fn text(&mut self, s: &str) -> String {
        s.to_string()
    }
    fn strong(&mut self, rendered: String) -> String {
        rendered
    }
    fn code(&mut self, s: &str) -> String {
        s.to_string()
    }
    fn mention(&mut self, user: &UserRef) -> String {
        (self.names)(&user.id).unwrap_or_else(|| "someone".to_string())
    }
    fn command(&mut self, command: &Command, words: &str) -> String {
        teams_command(command, words)
    }
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

/// `&`, `<` and `>` as HTML entities: Teams reads message text as HTML.
fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            c => out.push(c),
        }
    }
    out
}

/// The first line of a message in plain words, for notification previews.
fn summary_of(msg: &Message, words: &Words<'_>, names: Names<'_>) -> String {
    let first = msg
        .lines
        .iter()
        .map(|line| words.format(line, &mut Preview { names }))
        .find(|l| !l.trim().is_empty())
        .unwrap_or_default();
    let first = first.lines().next().unwrap_or("").trim().to_string();
    crate::core::text::clip(&first, SUMMARY_CHARS)
}

/// A core message as an activity, in the reader's words: markdown text, or an Adaptive Card
/// when it has choices.
pub fn message_activity(msg: &Message, words: &Words<'_>, names: Names<'_>) -> Value {
    if msg.choices.is_empty() {
        let mut style = Markdown::message(names);
        let rendered = words.render(msg, &mut style);
        text_activity(&rendered.text, &style.mentions)
    } else {
        card_activity(
            &summary_of(msg, words, names),
            choice_card(msg, words, names),
        )
    }
}

/// A plain markdown message from rendered text and the mentions in it.
fn text_activity(text: &str, mentions: &[Mention]) -> Value {
    let lines: Vec<&str> = text.lines().collect();
    let mut activity = json!({
        "type": "message",
        "textFormat": "markdown",
        // A single newline does not break a line in Teams markdown; a blank line does.
        "text": lines.join("\n\n"),
    });
    if !mentions.is_empty() {
        activity["entities"] = Value::Array(mention_entities(mentions));
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

fn text_blocks(text: &str) -> Vec<Value> {
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .enumerate()
        .map(|(i, line)| {
            let mut block = json!({"type": "TextBlock", "text": line, "wrap": true});
            if i > 0 {
                block["spacing"] = json!("Small");
            }
            block
        })
        .collect()
}

/// The id of the reply box on a card whose requests take explicit replies.
pub const REPLY_INPUT: &str = "reply";

fn submit((label, action): &(String, crate::core::Action)) -> Value {
    json!({"type": "Action.Submit", "title": label, "data": {"action": action.to_string()}})
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
pub fn choice_card(msg: &Message, words: &Words<'_>, names: Names<'_>) -> Value {
    let mut style = Markdown::card(names);
    let Rendered { text, choices } = words.render(msg, &mut style);
    let mut body = text_blocks(&text);
    if choices.len() <= BUTTONS_PER_ROW {
        return card(body, choices.iter().map(submit).collect(), &style.mentions);
    }
    for row in choices.chunks(BUTTONS_PER_ROW) {
        body.push(
            json!({"type": "ActionSet", "actions": row.iter().map(submit).collect::<Vec<_>>()}),
        );
    }
    card(body, Vec::new(), &style.mentions)
}

fn title_case(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// The request card posted in the department channel and updated in place.
pub fn request_card(
    r: &Request,
    department: &str,
    view: &CardView,
    words: &Words<'_>,
    names: Names<'_>,
) -> Value {
    let name_of = |id: &str| names(id).unwrap_or_else(|| id.to_string());
    let status = title_case(&words.word(&format!("status-title-{}", r.status.as_str())));
    let priority = title_case(&words.word(&format!("priority-{}", r.priority.as_str())));
    let assignee = json!({"title": words.word("card-assignee"), "value": r.assignee.as_ref().map(|a| name_of(&a.id)).unwrap_or_else(|| "—".into())});
    let department = json!({"title": words.word("card-department"), "value": department});
    let status_fact = json!({"title": words.word("card-status"), "value": status});
    let mut facts = if view.shows_content {
        vec![
            json!({"title": words.word("card-requester"), "value": name_of(&r.requester.id)}),
            department,
            json!({"title": words.word("card-priority"), "value": priority}),
            status_fact,
            assignee,
        ]
    } else {
        // Only the department, status, assignee and age.
        vec![
            department,
            status_fact,
            assignee,
            json!({"title": words.word("card-created"), "value": r.created_at.format("%Y-%m-%d %H:%M UTC").to_string()}),
        ]
    };
    if view.shows_content {
        for a in &r.answers {
            facts.push(json!({"title": a.prompt, "value": a.value.as_deref().unwrap_or("—")}));
        }
    }
    let color = match r.status {
        Status::Open => "Attention",
        Status::Claimed => "Accent",
        Status::Closed => "Good",
        Status::Cancelled => "Default",
        Status::Waiting => "Warning",
    };
    let title = if view.shows_content {
        format!("**{}** · {}", r.id, r.summary)
    } else {
        format!("**{}**", r.id)
    };
    let body = vec![
        json!({"type": "TextBlock", "text": title, "size": "Medium", "wrap": true}),
        json!({"type": "TextBlock", "text": status, "color": color, "weight": "Bolder", "spacing": "None"}),
        json!({"type": "FactSet", "facts": facts}),
    ];
    let buttons: Vec<(String, crate::core::Action)> = view
        .choices
        .iter()
        .map(|c| (words.format(&c.label, &mut Plain), c.action.clone()))
        .collect();
    let mut body = body;
    if buttons
        .iter()
        .any(|(_, a)| matches!(a, crate::core::Action::ReplyToRequester(_)))
    {
        // "Reply to requester" sends what is in this box; only that reaches the requester.
        body.push(json!({
            "type": "Input.Text", "id": REPLY_INPUT, "isMultiline": true,
            "label": words.format(&crate::core::Text::new("reply-modal-label").arg("id", &r.id), &mut Plain),
        }));
    }
    card(body, buttons.iter().map(submit).collect(), &[])
}

/// The activity for a request card (new or updated).
pub fn request_activity(
    r: &Request,
    department: &str,
    view: &CardView,
    words: &Words<'_>,
    names: Names<'_>,
) -> Value {
    let summary = if view.shows_content {
        crate::core::text::clip(&format!("{}: {}", r.id, r.summary), SUMMARY_CHARS)
    } else {
        r.id.to_string()
    };
    card_activity(&summary, request_card(r, department, view, words, names))
}

/// What a card becomes when it is replaced (an answered survey): a card again, since Teams
/// replaces a card with a card, showing `msg`.
pub fn replacement_activity(msg: &Message, words: &Words<'_>, names: Names<'_>) -> Value {
    card_activity(
        &summary_of(msg, words, names),
        choice_card(msg, words, names),
    )
}

#[cfg(test)]
mod tests;
