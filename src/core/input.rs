//! What happened, as facts the core reacts to. Adapters build these from platform payloads;
//! the scheduler builds `TimerFired`.

use super::effect::Timer;
use super::ids::{PostRef, RequestId, UserRef};
use super::message::Action;
use serde::{Deserialize, Serialize};

/// Where a typed message was written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Place {
    /// A direct conversation with the bot; `about` is set when the user answered inside the
    /// thread of a message the bot sent about one request.
    Direct { about: Option<RequestId> },
    /// A reply under a request card in a department channel.
    CardThread { request: RequestId, post: PostRef },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Input {
    /// `/help-it [text]` or its equivalent; `text` is everything after the command.
    CommandInvoked {
        user: UserRef,
        text: String,
    },
    MessageReceived {
        user: UserRef,
        text: String,
        place: Place,
    },
    ButtonClicked {
        user: UserRef,
        action: Action,
    },
    /// A reaction the platform treats as "done" was put on a request card.
    CloseReactionAdded {
        user: UserRef,
        request: RequestId,
    },
    CloseReactionRemoved {
        user: UserRef,
        request: RequestId,
    },
    TimerFired {
        timer: Timer,
    },
}

impl Input {
    /// The person acting, whose session the core may change. Timers act for the draft owner.
    pub fn actor(&self) -> Option<&UserRef> {
        match self {
            Input::CommandInvoked { user, .. }
            | Input::MessageReceived { user, .. }
            | Input::ButtonClicked { user, .. }
            | Input::CloseReactionAdded { user, .. }
            | Input::CloseReactionRemoved { user, .. } => Some(user),
            Input::TimerFired { timer } => match &timer.kind {
                super::effect::TimerKind::DraftExpiry { user } => Some(user),
                _ => None,
            },
        }
    }

    /// Requests this input names directly, which the shell loads before stepping.
    pub fn named_requests(&self) -> Vec<RequestId> {
        use super::message::Action as A;
        match self {
            Input::MessageReceived {
                place: Place::CardThread { request, .. },
                ..
            }
            | Input::CloseReactionAdded { request, .. }
            | Input::CloseReactionRemoved { request, .. } => vec![request.clone()],
            Input::MessageReceived {
                place: Place::Direct { about },
                text,
                ..
            } => {
                // `cancel IT-3` typed to the bot names IT-3 as much as the command does.
                let mut ids: Vec<RequestId> = about.iter().cloned().collect();
                if let Some(id) = cancel_target(text).filter(|id| !ids.contains(id)) {
                    ids.push(id);
                }
                ids
            }
            Input::ButtonClicked { action, .. } => match action {
                A::Claim(r)
                | A::Close(r)
                | A::Reopen(r)
                | A::Rate(r, _)
                | A::NoComment(r)
                | A::ReplyTo(r) => {
                    vec![r.clone()]
                }
                _ => vec![],
            },
            Input::CommandInvoked { text, .. } => cancel_target(text).into_iter().collect(),
            Input::TimerFired { timer } => timer.kind.request().cloned().into_iter().collect(),
        }
    }
}

/// The id in `cancel IT-3`.
fn cancel_target(text: &str) -> Option<RequestId> {
    let mut words = text.split_whitespace();
    match (words.next(), words.next()) {
        (Some(w), Some(id)) if w.eq_ignore_ascii_case("cancel") => RequestId::parse(id).ok(),
        _ => None,
    }
}
