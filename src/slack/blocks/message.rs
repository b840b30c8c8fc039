//! Core messages as Block Kit: sections within Slack's size limits, buttons in actions blocks,
//! and the plain-text fallback.

use super::*;

pub(super) fn md(text: impl Into<String>) -> SlackBlockText {
    SlackBlockText::MarkDown(SlackBlockMarkDownText::new(text.into()))
}

pub(super) fn plain(text: &str, max: usize) -> SlackBlockPlainTextOnly {
    SlackBlockPlainText::new(clip(text, max))
        .with_emoji(true)
        .into()
}

/// Splits text into pieces Slack accepts in one section, preferring line breaks.
pub(super) fn chunks(text: &str, max: usize) -> Vec<String> {
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

pub(super) fn sections(text: &str, blocks: &mut Vec<SlackBlock>) {
    for piece in chunks(text, SECTION_MAX) {
        blocks.push(SlackSectionBlock::new().with_text(md(piece)).into());
    }
}

pub(super) fn button(label: &str, action: &Action, action_id: String) -> SlackBlockButtonElement {
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
pub(super) fn action_blocks(key: &str, buttons: &[(String, Action)]) -> Vec<SlackBlock> {
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
