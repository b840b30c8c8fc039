//! The request form on Teams, two ways in:
//! - the message extension "Create request" on any message (`composeExtension/fetchTask`
//!   answered with a task module holding the form, prefilled from the message;
//!   `composeExtension/submitAction` answered with the form again, for a newly picked
//!   department or with what is missing, or with a last message once it is filed);
//! - the form as an Adaptive Card in the personal chat, sent for "Fill in a form" on the
//!   conversation's first question or for `form` typed alone, and replaced in place at each
//!   step.
//!
//! Both end in the core's `Input::FormSubmitted`, exactly as the Slack modal does, once per
//! message (the extension) or per form card (the chat), whatever Teams redelivers.
//!
//! Message payloads name people by Entra object id, while the bot writes only to `29:…` ids.
//! A picked requester (by default the message's author) is found by object id among the users
//! the bot has heard from ([`Refs::user_by_aad`](super::refs::Refs::user_by_aad)); someone it
//! never heard from can't be written to, so the person filing becomes the requester and the
//! author's name is recorded in the summary.
//!
//! - [`parse`]: what the activities say, pure;
//! - [`card`]: the form card and the task module answers, pure;
//! - [`handle`]: the glue to the engine, the store and the connector.

mod card;
mod handle;
mod parse;

pub(super) use handle::{on_chat_message, on_invoke};
