//! Modals the desk opens: "Reply to requester", whose text goes to the core on submission,
//! and a confidential request's details, shown only to the agent who asked.

use super::*;

/// The modal's `callback_id` for "Reply to requester"; its `private_metadata` is the id.
pub const REPLY_MODAL: &str = "fd_reply";
/// The `action_id` of the reply modal's text input.
pub const REPLY_TEXT: &str = "text";

/// "Reply to requester": a modal with one text box. What is submitted goes to the core,
/// which checks the sender is one of the department's agents.
pub fn reply_modal(id: &crate::core::RequestId, words: &Words<'_>) -> SlackView {
    let input = SlackBlockPlainTextInputElement::new()
        .with_action_id(REPLY_TEXT.into())
        .with_multiline(true);
    let label = words.format(
        &Text::new("reply-modal-label").arg("id", id),
        &mut crate::i18n::Plain,
    );
    let blocks = vec![SlackInputBlock::new(
        plain(&label, 2000),
        SlackInputBlockElement::PlainTextInput(input),
    )
    .with_block_id("reply".into())
    .into()];
    SlackView::Modal(
        SlackModalView::new(plain(&words.word("button-reply-requester"), 24), blocks)
            .with_submit(plain(&words.word("reply-modal-send"), 24))
            .with_callback_id(REPLY_MODAL.into())
            .with_private_metadata(id.to_string()),
    )
}

/// A read-only modal showing core messages (a confidential request's details).
pub fn messages_modal(title: &str, msgs: &[Message], words: &Words<'_>) -> SlackView {
    let mut blocks = Vec::new();
    for m in msgs {
        let rendered = words.render(m, &mut Mrkdwn);
        sections(&rendered.text, &mut blocks);
    }
    blocks.truncate(VIEW_BLOCKS_MAX);
    SlackView::Modal(
        SlackModalView::new(plain(title, 24), blocks)
            .with_close(plain(&words.word("details-close"), 24)),
    )
}
