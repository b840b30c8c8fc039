//! Core messages, request cards and the App Home as Block Kit, and Slack text conventions.
//!
//! Pure rendering: no I/O, no store. Every message gets a plain-text `text` fallback (what
//! notifications and screen readers show) besides its blocks, and every block respects Slack's
//! size limits (section text 3000, header 150, button text 75, 25 buttons per actions block,
//! 50 blocks per message, 100 per view), so Slack never refuses a message for its size.
//!
//! Core messages become mrkdwn through [`Mrkdwn`]: emphasis `*bold*`, `` `code` ``, mentions
//! as `<@U…>`, commands as `/help-it …`. In words from people and from the catalogs, the
//! characters that mean markup to Slack (`&`, `<`, `>`) are escaped, except in Slack's own
//! tokens (mentions, channel links, links a Slack user typed) and entities Slack escaped
//! itself. Button labels are Slack plain text and need no escaping.

use crate::core::text::clip;
use crate::core::{card_choices, Action, Arg, Command, Message, Request, Status, Text, UserRef};
use crate::i18n::{Rendered, Style, Words};
use slack_morphism::prelude::*;

pub const SECTION_MAX: usize = 3000;
pub const HEADER_MAX: usize = 150;
pub const BUTTON_TEXT_MAX: usize = 75;
pub const BUTTON_VALUE_MAX: usize = 2000;
pub const BUTTONS_PER_BLOCK: usize = 25;
pub const MESSAGE_BLOCKS_MAX: usize = 50;
pub const VIEW_BLOCKS_MAX: usize = 100;
/// Slack truncates longer message text.
pub const TEXT_MAX: usize = 40_000;

/// Escapes `&`, `<` and `>` for Slack, keeping `<@U…>`, `<#C…>`, `<!here>`, `<http…|…>`,
/// `<mailto:…>` and the entities `&amp;`, `&lt;`, `&gt;` as they are.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        match c {
            '<' => {
                if let Some(end) = rest.find('>') {
                    let inner = &rest[1..end];
                    if is_slack_token(inner) {
                        out.push_str(&rest[..=end]);
                        rest = &rest[end + 1..];
                        continue;
                    }
                }
                out.push_str("&lt;");
            }
            '>' => out.push_str("&gt;"),
            '&' => {
                let entity = ["&amp;", "&lt;", "&gt;"]
                    .into_iter()
                    .find(|e| rest.starts_with(e));
                match entity {
                    Some(e) => {
                        out.push_str(e);
                        rest = &rest[e.len()..];
                        continue;
                    }
                    None => out.push_str("&amp;"),
                }
            }
            c => out.push(c),
        }
        rest = &rest[c.len_utf8()..];
    }
    out
}

/// Slack's mrkdwn, for message text.
#[derive(Debug, Default, Clone, Copy)]
pub struct Mrkdwn;

impl Style for Mrkdwn {
    fn text(&mut self, s: &str) -> String {
        escape_words(s)
    }
    fn strong(&mut self, rendered: String) -> String {
        format!("*{rendered}*")
    }
    fn code(&mut self, s: &str) -> String {
        format!("`{}`", escape_words(s))
    }
    fn mention(&mut self, user: &UserRef) -> String {
        format!("<@{}>", user.id)
    }
    fn command(&mut self, _: &Command, words: &str) -> String {
        format!("`{}`", escape(format!("/help-it {words}").trim_end()))
    }
    fn group(&mut self, id: &str) -> String {
        format!("<!subteam^{}>", escape_words(id))
    }
    fn link(&mut self, url: &str, label: &str) -> String {
        format!(
            "<{}|{}>",
            url.replace(['<', '>', '|'], ""),
            escape_words(label)
        )
    }
}

/// [`escape`] for words from people and catalogs: Slack's tokens survive as there, except
/// the broadcasts (`<!here>`, `<!channel>`, `<!everyone>`, `<!subteam^…>`). The bot posts what
/// a requester wrote into a channel they may not even be in; it must not ping that channel
/// for them.
pub fn escape_words(text: &str) -> String {
    let escaped = escape(text);
    if !escaped.contains("<!") {
        return escaped;
    }
    let mut out = String::with_capacity(escaped.len());
    let mut rest = escaped.as_str();
    while let Some(start) = rest.find("<!") {
        out.push_str(&rest[..start]);
        let token = &rest[start..];
        let end = token.find('>').map_or(token.len(), |e| e + 1);
        let inner = token[2..end].trim_end_matches('>');
        let name = inner.split(['|', '^']).next().unwrap_or("");
        if matches!(name, "here" | "channel" | "everyone" | "subteam") {
            out.push_str("&lt;!");
            out.push_str(&token[2..end].replace('>', "&gt;"));
        } else {
            out.push_str(&token[..end]);
        }
        rest = &token[end..];
    }
    out.push_str(rest);
    out
}

fn is_slack_token(inner: &str) -> bool {
    if inner.is_empty() || inner.contains('<') || inner.contains('\n') {
        return false;
    }
    let lower = inner.to_ascii_lowercase();
    inner.starts_with('@')
        || inner.starts_with('#')
        || inner.starts_with('!')
        || lower.starts_with("http://")
        || lower.starts_with("https://")
        || lower.starts_with("mailto:")
}

/// Slack sends `&`, `<` and `>` typed by users as entities; the desk stores plain text.
pub fn unescape(text: &str) -> String {
    if !text.contains('&') {
        return text.to_string();
    }
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

fn md(text: impl Into<String>) -> SlackBlockText {
    SlackBlockText::MarkDown(SlackBlockMarkDownText::new(text.into()))
}

fn plain(text: &str, max: usize) -> SlackBlockPlainTextOnly {
    SlackBlockPlainText::new(clip(text, max))
        .with_emoji(true)
        .into()
}

/// Splits text into pieces Slack accepts in one section, preferring line breaks.
fn chunks(text: &str, max: usize) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    for line in text.split_inclusive('\n') {
        if current.chars().count() + line.chars().count() > max && !current.is_empty() {
            out.push(std::mem::take(&mut current));
        }
        if line.chars().count() > max {
            let chars: Vec<char> = line.chars().collect();
            for piece in chars.chunks(max) {
                out.push(piece.iter().collect());
            }
            continue;
        }
        current.push_str(line);
    }
    if !current.trim().is_empty() || out.is_empty() {
        out.push(current);
    }
    out.into_iter().filter(|c| !c.trim().is_empty()).collect()
}

fn sections(text: &str, blocks: &mut Vec<SlackBlock>) {
    for piece in chunks(text, SECTION_MAX) {
        blocks.push(SlackSectionBlock::new().with_text(md(piece)).into());
    }
}

fn button(label: &str, action: &Action, action_id: String) -> SlackBlockButtonElement {
    let value = action.to_string();
    let mut b = SlackBlockButtonElement::new(plain(label, BUTTON_TEXT_MAX))
        .with_action_id(SlackActionId(action_id))
        .with_value(clip(&value, BUTTON_VALUE_MAX));
    if matches!(
        action,
        Action::Submit | Action::Claim(_) | Action::ConfirmDepartment | Action::StartRequest
    ) {
        b = b.with_style(SlackBlockButtonStyle::Primary);
    }
    b
}

/// Actions blocks for `(label, action)` pairs, 25 per block, each button with its own
/// `action_id` (`fd:{block}:{index}`), unique within the message.
fn action_blocks(key: &str, buttons: &[(String, Action)]) -> Vec<SlackBlock> {
    buttons
        .chunks(BUTTONS_PER_BLOCK)
        .enumerate()
        .map(|(b, chunk)| {
            let elements = chunk
                .iter()
                .enumerate()
                .map(|(i, (label, action))| {
                    button(
                        label,
                        action,
                        format!("fd:{key}:{}", b * BUTTONS_PER_BLOCK + i),
                    )
                    .into()
                })
                .collect();
            SlackActionsBlock::new(elements)
                .with_block_id(SlackBlockId(format!("fd:{key}:actions:{b}")))
                .into()
        })
        .collect()
}

/// A plain-text rendering: notifications, screen readers, clients without blocks.
pub fn fallback_text(msg: &Rendered) -> String {
    let mut text = msg.text.clone();
    if !msg.choices.is_empty() {
        let labels: Vec<&str> = msg.choices.iter().map(|(l, _)| l.as_str()).collect();
        text.push_str(&format!("\n({})", escape_words(&labels.join(" · "))));
    }
    clip(&text, TEXT_MAX)
}

/// A core message as blocks: its text in sections, its choices as buttons.
pub fn message_blocks(msg: &Rendered) -> Vec<SlackBlock> {
    let mut blocks = Vec::new();
    sections(&msg.text, &mut blocks);
    let room = MESSAGE_BLOCKS_MAX.saturating_sub(1);
    blocks.truncate(room.saturating_sub(msg.choices.len().div_ceil(BUTTONS_PER_BLOCK)));
    blocks.extend(action_blocks("m", &msg.choices));
    blocks.truncate(MESSAGE_BLOCKS_MAX);
    blocks
}

/// A core message in the reader's words, as Slack message content.
pub fn message_content(msg: &Message, words: &Words<'_>) -> SlackMessageContent {
    let rendered = words.render(msg, &mut Mrkdwn);
    SlackMessageContent::new()
        .with_text(fallback_text(&rendered))
        .with_blocks(message_blocks(&rendered))
}

/// Several core messages as one (the slash command's ephemeral answer).
pub fn combined_content(msgs: &[Message], words: &Words<'_>) -> SlackMessageContent {
    let rendered: Vec<Rendered> = msgs.iter().map(|m| words.render(m, &mut Mrkdwn)).collect();
    let text = rendered
        .iter()
        .map(fallback_text)
        .collect::<Vec<_>>()
        .join("\n\n");
    let mut blocks = Vec::new();
    for (i, m) in rendered.iter().enumerate() {
        sections(&m.text, &mut blocks);
        blocks.extend(action_blocks(&format!("r{i}"), &m.choices));
    }
    blocks.truncate(MESSAGE_BLOCKS_MAX);
    SlackMessageContent::new()
        .with_text(clip(&text, TEXT_MAX))
        .with_blocks(blocks)
}

/// The status with its colour, as cards and the App Home show it.
fn status_label(status: Status, words: &Words<'_>) -> String {
    let (dot, word) = match status {
        Status::Open => ("🟡", "status-title-open"),
        Status::Claimed => ("🔵", "status-title-claimed"),
        Status::Closed => ("✅", "status-title-closed"),
        Status::Cancelled => ("⚪", "status-title-cancelled"),
    };
    format!("{dot} {}", escape(&words.word(word)))
}

fn priority_word(r: &Request, words: &Words<'_>) -> String {
    words.word(&format!("priority-{}", r.priority.as_str()))
}

/// `<!date^…>` renders in each reader's own time zone; the fallback is UTC.
fn slack_date(at: &crate::core::Timestamp) -> String {
    format!(
        "<!date^{}^{{date_short_pretty}} {{time}}|{}>",
        at.timestamp(),
        at.format("%Y-%m-%d %H:%M UTC")
    )
}

/// What a card needs beyond the request itself.
#[derive(Debug, Clone)]
pub struct CardContext<'a> {
    pub department_name: &'a str,
    pub internal_note_prefix: &'a str,
    /// The first close reaction, for the hint line (`white_check_mark`).
    pub close_reaction: Option<&'a str>,
}

/// The request card in the department channel.
pub fn card_content(r: &Request, ctx: &CardContext<'_>, words: &Words<'_>) -> SlackMessageContent {
    let id = &r.id;
    let label = |key: &str| escape(&words.word(key));
    let assignee = r
        .assignee
        .as_ref()
        .map(|a| format!("<@{}>", a.id))
        .unwrap_or_else(|| "—".into());
    let fallback = {
        let base = match &r.assignee {
            Some(a) => Text::new("card-fallback-assigned").arg("assignee", a),
            None => Text::new("card-fallback"),
        };
        words.format(
            &base
                .arg("id", id)
                .arg("summary", clip(&r.summary, 200))
                .arg("status", crate::core::text::status(r.status))
                .arg("priority", priority_word(r, words))
                .arg("requester", &r.requester),
            &mut Mrkdwn,
        )
    };
    let mut blocks: Vec<SlackBlock> = Vec::new();
    let title = if r.summary.trim().is_empty() {
        id.to_string()
    } else {
        format!(
            "{id} · {}",
            r.summary.split_whitespace().collect::<Vec<_>>().join(" ")
        )
    };
    blocks.push(SlackHeaderBlock::new(plain(&title, HEADER_MAX)).into());
    let fields = vec![
        md(format!(
            "*{}*\n<@{}>",
            label("card-requester"),
            r.requester.id
        )),
        md(format!(
            "*{}*\n{}",
            label("card-department"),
            escape(ctx.department_name)
        )),
        md(format!(
            "*{}*\n{}",
            label("card-priority"),
            escape(&priority_word(r, words))
        )),
        md(format!(
            "*{}*\n{}",
            label("card-status"),
            status_label(r.status, words)
        )),
        md(format!("*{}*\n{assignee}", label("card-assignee"))),
        md(format!(
            "*{}*\n{}",
            label("card-created"),
            slack_date(&r.created_at)
        )),
    ];
    blocks.push(SlackSectionBlock::new().with_fields(fields).into());
    if !r.summary.trim().is_empty() {
        sections(
            &format!(
                "*{}*\n{}",
                label("card-description"),
                escape_words(&r.summary)
            ),
            &mut blocks,
        );
    }
    let answers: Vec<String> = r
        .answers
        .iter()
        .map(|a| {
            let value = a
                .value
                .as_deref()
                .map(escape_words)
                .unwrap_or_else(|| format!("_{}_", label("card-skipped")));
            format!("*{}*\n{value}", escape(&a.prompt))
        })
        .collect();
    if !answers.is_empty() {
        sections(&answers.join("\n\n"), &mut blocks);
    }
    let buttons: Vec<(String, Action)> = card_choices(r)
        .into_iter()
        .map(|c| (words.format(&c.label, &mut crate::i18n::Plain), c.action))
        .collect();
    // Leave room for the buttons and the hint line.
    blocks.truncate(MESSAGE_BLOCKS_MAX - 2);
    blocks.extend(action_blocks("card", &buttons));
    if r.status.is_active() {
        let mut hint = words.format(
            &Text::new("card-hint").arg("prefix", Arg::code(ctx.internal_note_prefix)),
            &mut Mrkdwn,
        );
        if let Some(reaction) = ctx.close_reaction {
            let close = words.format(
                &Text::new("card-hint-close").arg("reaction", format!(":{reaction}:")),
                &mut Mrkdwn,
            );
            hint.push(' ');
            hint.push_str(&close);
        }
        blocks.push(SlackContextBlock::new(vec![SlackBlockMarkDownText::new(hint).into()]).into());
    }
    SlackMessageContent::new()
        .with_text(clip(&fallback, TEXT_MAX))
        .with_blocks(blocks)
}

/// The App Home: the user's open requests, the recently finished ones, and a button to
/// start a new one.
pub fn home_view(open: &[Request], recent: &[Request], words: &Words<'_>) -> SlackView {
    let strong = |id: &str| format!("*{}*", escape(&words.word(id)));
    let mut blocks: Vec<SlackBlock> = vec![
        SlackHeaderBlock::new(plain(&words.word("home-title"), HEADER_MAX)).into(),
        SlackSectionBlock::new()
            .with_text(md(words.format(
                &Text::new("home-intro").arg("command", Command::Start),
                &mut Mrkdwn,
            )))
            .into(),
    ];
    blocks.extend(action_blocks(
        "home",
        &[(words.word("button-new-request"), Action::StartRequest)],
    ));
    let line = |r: &Request| {
        let head = words.format(
            &Text::new("home-line")
                .arg("id", Arg::strong(&r.id))
                .arg("summary", clip(&r.summary, 200)),
            &mut Mrkdwn,
        );
        let details = match &r.assignee {
            Some(a) => Text::new("home-line-status-assigned").arg("user", a),
            None => Text::new("home-line-status"),
        };
        let details = words.format(
            &details
                .arg("status", Arg::Plain(status_label(r.status, words)))
                .arg("date", slack_date(&r.created_at)),
            &mut Mrkdwn,
        );
        md(clip(&format!("{head}\n{details}"), SECTION_MAX))
    };
    blocks.push(SlackDividerBlock::new().into());
    if open.is_empty() {
        blocks.push(
            SlackSectionBlock::new()
                .with_text(md(format!(
                    "{}\n{}",
                    strong("home-open"),
                    escape(&words.word("home-nothing-open"))
                )))
                .into(),
        );
    } else {
        let count = words.format(
            &Text::new("home-open-count").arg("count", open.len()),
            &mut Mrkdwn,
        );
        blocks.push(
            SlackSectionBlock::new()
                .with_text(md(format!("*{count}*")))
                .into(),
        );
        for r in open.iter().take(40) {
            blocks.push(SlackSectionBlock::new().with_text(line(r)).into());
        }
    }
    if !recent.is_empty() {
        blocks.push(SlackDividerBlock::new().into());
        blocks.push(
            SlackSectionBlock::new()
                .with_text(md(strong("home-recent")))
                .into(),
        );
        for r in recent.iter().take(20) {
            blocks.push(SlackSectionBlock::new().with_text(line(r)).into());
        }
    }
    blocks.truncate(VIEW_BLOCKS_MAX);
    SlackView::Home(SlackHomeView::new(blocks))
}

#[cfg(test)]
mod tests {
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

    #[test]
    fn the_card_shows_the_buttons_its_status_offers() {
        let at = chrono::DateTime::from_timestamp(1_700_000_000, 0).unwrap();
        let ctx = CardContext {
            department_name: "IT",
            internal_note_prefix: "!",
            close_reaction: Some("white_check_mark"),
        };
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
            [pair("Claim", "claim:IT-1"), pair("Close", "close:IT-1")]
        );
        assert_eq!(buttons(Status::Claimed), [pair("Close", "close:IT-1")]);
        assert_eq!(buttons(Status::Closed), [pair("Reopen", "reopen:IT-1")]);
        assert!(buttons(Status::Cancelled).is_empty());
    }

    #[test]
    fn a_card_shows_the_requesters_words_without_their_broadcasts() {
        let at = chrono::DateTime::from_timestamp(1_700_000_000, 0).unwrap();
        let ctx = CardContext {
            department_name: "IT",
            internal_note_prefix: "!",
            close_reaction: None,
        };
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
}
