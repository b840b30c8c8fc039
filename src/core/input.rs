//! What happened, as facts the core reacts to. Adapters build these from platform payloads;
//! the scheduler builds `TimerFired`.

use super::capture::Captured;
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
    /// A reply in the thread of the channel message a request was filed from.
    OriginThread { request: RequestId },
    /// A reply in a help channel's thread that no request has yet: under a message that
    /// waits for its team to be chosen, the requester's words are kept for the card.
    WaitingThread { root: PostRef },
}

/// Whether a message written in the thread under `root`, or a reaction put on `root`, is
/// about the request whose card is `card`: `root` must be the card itself, on the same
/// platform, in the same channel. The platform's post index also names the direct messages
/// the bot sent about a request; a reply under one of those, or a close reaction on one, is
/// not a reply to the card. Each adapter builds `root` its own way (Slack: the channel and the
/// `thread_ts`; Teams: the channel without its thread part and the thread's root message id).
pub fn is_card_reply(card: Option<&PostRef>, root: &PostRef) -> bool {
    card.is_some_and(|card| {
        card.platform == root.platform && card.channel == root.channel && card.id == root.id
    })
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
        /// The message whose button was clicked, when the platform says which and can
        /// replace it (Teams): an answered survey is then replaced so it can't be answered
        /// twice.
        #[serde(default)]
        post: Option<PostRef>,
    },
    /// The bot was mentioned in a channel, outside any request card's thread; `thread` is
    /// the post the answer goes under.
    MentionedInChannel {
        user: UserRef,
        thread: PostRef,
        /// What they wrote besides the mention (`queue` asks for their queue).
        #[serde(default)]
        text: String,
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
    /// "View details" where the platform can show the answer at once, only to the clicker
    /// (a Slack modal): the details, or the refusal, come back as the step's reply.
    DetailsRequested {
        user: UserRef,
        request: RequestId,
    },
    /// A request form was submitted.
    FormSubmitted {
        user: UserRef,
        form: super::form::FormAnswers,
    },
    /// A channel message to file as a request: a ticket reaction put on it, or a help
    /// channel that captures every message.
    MessageCaptured {
        capture: Captured,
    },
    /// An agent's words for the requester, sent on purpose (a form's submission).
    ReplyToRequester {
        user: UserRef,
        request: RequestId,
        text: String,
    },
}

impl Input {
    /// The person acting, whose session the core may change. Timers act for the draft owner.
    pub fn actor(&self) -> Option<&UserRef> {
        match self {
            Input::CommandInvoked { user, .. }
            | Input::MessageReceived { user, .. }
            | Input::ButtonClicked { user, .. }
            | Input::MentionedInChannel { user, .. }
            | Input::CloseReactionAdded { user, .. }
            | Input::CloseReactionRemoved { user, .. }
            | Input::ReplyToRequester { user, .. }
            | Input::FormSubmitted { user, .. }
            | Input::DetailsRequested { user, .. } => Some(user),
            Input::MessageCaptured { capture } => Some(capture.asker()),
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
                place: Place::CardThread { request, .. } | Place::OriginThread { request },
                ..
            }
            | Input::CloseReactionAdded { request, .. }
            | Input::CloseReactionRemoved { request, .. }
            | Input::ReplyToRequester { request, .. }
            | Input::DetailsRequested { request, .. } => vec![request.clone()],
            Input::MessageReceived {
                place: Place::Direct { about },
                text,
                ..
            } => {
                // `cancel IT-3` typed to the bot names IT-3 as much as the command does.
                let mut ids: Vec<RequestId> = about.iter().cloned().collect();
                for word in ["cancel", "reply", "wait"] {
                    if let Some(id) = named_request(text, word).filter(|id| !ids.contains(id)) {
                        ids.push(id);
                    }
                }
                ids
            }
            Input::ButtonClicked { action, .. } => match action {
                A::Claim(r)
                | A::Close(r)
                | A::Reopen(r)
                | A::Rate(r, _)
                | A::NoComment(r)
                | A::ReplyTo(r)
                | A::ViewDetails(r)
                | A::ReplyToRequester(r)
                | A::TakeOver(r)
                | A::Unassign(r)
                | A::Reassign(r)
                | A::AssignTo(r, _)
                | A::AwaitRequester(r)
                | A::Thank(r)
                | A::SendThanks(r)
                | A::NoThanks(r)
                | A::FieldOption { request: r, .. } => {
                    vec![r.clone()]
                }
                _ => vec![],
            },
            Input::CommandInvoked { text, .. } => ["cancel", "reply", "wait"]
                .into_iter()
                .filter_map(|word| named_request(text, word))
                .collect(),
            Input::MentionedInChannel { .. }
            | Input::MessageReceived {
                place: Place::WaitingThread { .. },
                ..
            }
            | Input::FormSubmitted { .. }
            | Input::MessageCaptured { .. } => vec![],
            Input::TimerFired { timer } => timer.kind.request().cloned().into_iter().collect(),
        }
    }
}

/// The id in `cancel IT-3` (`verb` "cancel") or `reply IT-3 …` ("reply").
pub(crate) fn named_request(text: &str, verb: &str) -> Option<RequestId> {
    let mut words = text.split_whitespace();
    match (words.next(), words.next()) {
        (Some(w), Some(id)) if w.eq_ignore_ascii_case(verb) => RequestId::parse(id).ok(),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::Platform;

    fn card() -> PostRef {
        PostRef::new(Platform::Slack, "C-desk", "1700000000.000100")
    }

    #[test]
    fn a_reply_under_the_card_is_a_card_reply() {
        assert!(is_card_reply(Some(&card()), &card()));
    }

    #[test]
    fn a_reply_under_another_post_is_not() {
        let card = card();
        // A DM the bot sent about the request: also in the post index, but not the card.
        let dm = PostRef::new(Platform::Slack, "D-alice", "1700000000.000100");
        let other = PostRef::new(Platform::Slack, "C-desk", "1700000000.000200");
        let teams = PostRef::new(Platform::Teams, "C-desk", "1700000000.000100");
        for root in [dm, other, teams] {
            assert!(!is_card_reply(Some(&card), &root), "{root:?}");
        }
    }

    #[test]
    fn a_request_without_a_card_has_no_card_replies() {
        assert!(!is_card_reply(None, &card()));
    }
}
