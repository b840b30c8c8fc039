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
use crate::core::{Action, Arg, Command, Message, Request, Status, Text, UserRef};
use crate::i18n::{Rendered, Style, Words};
use slack_morphism::prelude::*;

mod card;
mod escape;
mod form;
mod home;
mod message;
mod modal;

pub use card::{card_content, CardContext};
use card::{slack_date, status_label};
pub use escape::{escape, escape_words, unescape, Mrkdwn};
pub use form::{
    field_block, form_modal, FormState, DEPARTMENT_BLOCK, FORM_DEPARTMENT, FORM_MODAL,
    REQUESTER_BLOCK, SUMMARY_BLOCK,
};
pub use home::home_view;
use message::{action_blocks, md, plain, sections};
pub use message::{combined_content, message_content};
pub use modal::{messages_modal, reply_modal, REPLY_MODAL, REPLY_TEXT};

pub const SECTION_MAX: usize = 3000;
pub const HEADER_MAX: usize = 150;
pub const BUTTON_TEXT_MAX: usize = 75;
pub const BUTTON_VALUE_MAX: usize = 2000;
pub const BUTTONS_PER_BLOCK: usize = 25;
pub const MESSAGE_BLOCKS_MAX: usize = 50;
pub const VIEW_BLOCKS_MAX: usize = 100;
/// Slack truncates longer message text.
pub const TEXT_MAX: usize = 40_000;

#[cfg(test)]
mod tests;
