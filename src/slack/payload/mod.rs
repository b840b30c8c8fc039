//! Slack's request bodies as serde types, and what each one means for the desk.
//!
//! Pure: bytes in, a [`Command`], [`Event`] or list of [`Click`]s out; looking up which request
//! a Slack message belongs to is left to the caller (it needs the store). Our own small types
//! rather than slack-morphism's models: theirs reject an interaction type they don't know
//! and parse every block of every message, where we need a dozen fields and must answer 200 to
//! whatever else Slack sends.
//!
//! Noise is dropped here: the bot's own messages and reactions, other bots' messages, edits,
//! deletions, joins and the like. Edits and deletions are ignored on purpose: what the user
//! first wrote was already acted on (an answer to an intake question, a relayed reply), and a
//! correction is best sent as a new message. A file shared with a message is relayed as its
//! text plus one `(attachment: name)` line per file.

use super::api::BotIdentity;
use super::blocks::unescape;
use serde::Deserialize;

mod command;
mod interaction;
mod push;

pub use command::{is_ssl_check, parse_command, parse_command_json, Command};
pub use interaction::{parse_interaction, parse_interaction_json, Click, Interaction, ShortcutOn};
pub use push::{parse_push, parse_push_json, Event, Filter, Push};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PayloadError {
    #[error("body is not valid JSON: {0}")]
    Json(String),
    #[error("body is not a valid form: {0}")]
    Form(String),
    #[error("missing field {0}")]
    Missing(&'static str),
    #[error("malformed {what}: {why}")]
    Malformed { what: &'static str, why: String },
}

#[cfg(test)]
mod tests;
