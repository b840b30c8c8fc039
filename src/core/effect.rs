//! What the core decided should happen. The shell stores these with the state change that
//! caused them, in one transaction, and delivers or schedules them afterwards.

use super::ids::{Platform, PostRef, RequestId, Timestamp, UserRef};
use super::message::{Message, Text};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// A message for the outside world. Cards are rendered from the stored request when they are
/// delivered, so a delivery late after a crash shows the request as it is, not as it was.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Outgoing {
    /// A direct message to a user; `about` links the message to a request so that a reply in
    /// its thread finds the request again.
    Dm {
        to: UserRef,
        msg: Message,
        about: Option<RequestId>,
    },
    /// Post the request card in its department's channel.
    PostCard { request: RequestId },
    /// Re-render the request card in place.
    UpdateCard { request: RequestId },
    /// Post in the thread under the request card.
    ThreadPost { request: RequestId, msg: Message },
    /// Show in the card's thread that an agent's reply reached the requester.
    MarkRelayed { request: RequestId, post: PostRef },
    /// A note only `to` sees, next to where they acted (a refused claim, say).
    Notice {
        to: UserRef,
        request: Option<RequestId>,
        msg: Message,
    },
    /// Replace a message the bot sent `to` (a survey they answered) with `msg`, which offers
    /// nothing to click, so it can't be answered twice.
    ReplacePost {
        to: UserRef,
        request: RequestId,
        post: PostRef,
        msg: Message,
    },
    /// A reply in the thread under `thread`, a channel post that is no request card (the
    /// answer to a mention of the bot there).
    ThreadReply { thread: PostRef, msg: Message },
    /// A reply to the requester in the thread of the channel message their request was
    /// filed from ([`super::capture::Origin`]).
    OriginReply { request: RequestId, msg: Message },
    /// A post of its own in a channel (an escalation step's), about a request; a
    /// [`super::message::Arg::CardLink`] in it links to the request's card.
    ChannelPost {
        channel: String,
        request: RequestId,
        msg: Message,
    },
    /// A requester's thank-you to the agent of `request`, a post of its own in the
    /// request's department channel.
    Thanks { request: RequestId, msg: Message },
    /// A department's weekly digest of `week` (its Monday), posted in its channel on
    /// `platform`. The words are decided when the timer fires, so a retry posts the same.
    Digest {
        platform: Platform,
        channel: String,
        department: String,
        week: NaiveDate,
        msg: Message,
    },
}

/// The conversation a message goes into. Messages into one conversation reach people in the
/// order the desk decided them; messages into different conversations don't wait on each
/// other.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Conversation {
    /// The bot's direct conversation with a person, and the notes only they see.
    Direct(UserRef),
    /// A request's card in its department channel and the thread under it.
    Card(RequestId),
    /// The thread under a channel post that is no request card.
    Thread(PostRef),
    /// A channel's own posts that are no request card.
    Channel(String),
}

impl Conversation {
    /// A stable key for indexes and in-memory maps: `dm:slack:U123`, `card:IT-7`.
    pub fn key(&self) -> String {
        match self {
            Conversation::Direct(user) => format!("dm:{user}"),
            Conversation::Card(request) => format!("card:{request}"),
            Conversation::Thread(post) => {
                format!("thread:{}:{}:{}", post.platform, post.channel, post.id)
            }
            Conversation::Channel(channel) => format!("channel:{channel}"),
        }
    }
}

impl Outgoing {
    /// Which conversation this message goes into.
    pub fn conversation(&self) -> Conversation {
        match self {
            Outgoing::Dm { to, .. }
            | Outgoing::Notice { to, .. }
            | Outgoing::ReplacePost { to, .. } => Conversation::Direct(to.clone()),
            Outgoing::ThreadReply { thread, .. } => Conversation::Thread(thread.clone()),
            Outgoing::ChannelPost { channel, .. } | Outgoing::Digest { channel, .. } => {
                Conversation::Channel(channel.clone())
            }
            Outgoing::PostCard { request }
            | Outgoing::UpdateCard { request }
            | Outgoing::ThreadPost { request, .. }
            | Outgoing::MarkRelayed { request, .. }
            | Outgoing::Thanks { request, .. }
            | Outgoing::OriginReply { request, .. } => Conversation::Card(request.clone()),
        }
    }

    pub fn request(&self) -> Option<&RequestId> {
        match self {
            Outgoing::Dm { about, .. } => about.as_ref(),
            Outgoing::PostCard { request }
            | Outgoing::UpdateCard { request }
            | Outgoing::ThreadPost { request, .. }
            | Outgoing::MarkRelayed { request, .. }
            | Outgoing::Thanks { request, .. }
            | Outgoing::OriginReply { request, .. } => Some(request),
            Outgoing::Notice { request, .. } => request.as_ref(),
            Outgoing::ReplacePost { request, .. } | Outgoing::ChannelPost { request, .. } => {
                Some(request)
            }
            Outgoing::ThreadReply { .. } | Outgoing::Digest { .. } => None,
        }
    }

    /// Short name for logs and metrics.
    pub fn kind(&self) -> &'static str {
        match self {
            Outgoing::Dm { .. } => "dm",
            Outgoing::PostCard { .. } => "post_card",
            Outgoing::UpdateCard { .. } => "update_card",
            Outgoing::ThreadPost { .. } => "thread_post",
            Outgoing::MarkRelayed { .. } => "mark_relayed",
            Outgoing::Notice { .. } => "notice",
            Outgoing::ReplacePost { .. } => "replace_post",
            Outgoing::ThreadReply { .. } => "thread_reply",
            Outgoing::ChannelPost { .. } => "channel_post",
            Outgoing::Digest { .. } => "digest",
            Outgoing::Thanks { .. } => "thanks",
            Outgoing::OriginReply { .. } => "origin_reply",
        }
    }
}

#[cfg(test)]
mod conversation_tests {
    use super::*;
    use crate::core::Platform;

    #[test]
    fn a_request_card_its_updates_and_its_thread_share_one_conversation() {
        let r = RequestId::parse("IT-7").unwrap();
        let user = UserRef::new(Platform::Slack, "U1");
        let msg = Message::text(crate::core::Text::plain("hello"));
        let card = Outgoing::PostCard { request: r.clone() }.conversation();
        assert_eq!(
            card,
            Outgoing::UpdateCard { request: r.clone() }.conversation()
        );
        assert_eq!(
            card,
            Outgoing::ThreadPost {
                request: r.clone(),
                msg: msg.clone()
            }
            .conversation()
        );
        let dm = Outgoing::Dm {
            to: user.clone(),
            msg: msg.clone(),
            about: Some(r.clone()),
        };
        let notice = Outgoing::Notice {
            to: user.clone(),
            request: Some(r.clone()),
            msg,
        };
        assert_eq!(dm.conversation(), notice.conversation());
        assert_ne!(dm.conversation(), card);
        assert_eq!(card.key(), "card:IT-7");
        assert_ne!(
            dm.conversation().key(),
            Conversation::Direct(UserRef::new(Platform::Slack, "U2")).key()
        );
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum TimerKind {
    /// Nobody has responded to a request yet; `round` counts reminders already sent.
    FirstResponse {
        request: RequestId,
        round: u32,
    },
    SurveyReminder {
        request: RequestId,
    },
    DraftExpiry {
        user: UserRef,
    },
    /// A closed or cancelled request's content is due for removal (retention).
    ContentRetention {
        request: RequestId,
    },
    /// The resolution service level comes due; `round` counts reminders already sent.
    Resolution {
        request: RequestId,
        round: u32,
    },
    /// A step of the escalation ladder comes due (`step` counts from 0).
    Escalation {
        request: RequestId,
        step: u32,
    },
    /// Half of `auto_close_after` has passed since the request began waiting at `since`.
    WaitingNudge {
        request: RequestId,
        since: Timestamp,
    },
    /// `auto_close_after` has passed since the request began waiting at `since`.
    WaitingClose {
        request: RequestId,
        since: Timestamp,
    },
    /// A department's weekly digest of `week` (its Monday, local) comes due.
    Digest {
        department: String,
        week: NaiveDate,
    },
}

impl TimerKind {
    pub fn request(&self) -> Option<&RequestId> {
        match self {
            TimerKind::FirstResponse { request, .. }
            | TimerKind::SurveyReminder { request }
            | TimerKind::ContentRetention { request }
            | TimerKind::Resolution { request, .. }
            | TimerKind::Escalation { request, .. }
            | TimerKind::WaitingNudge { request, .. }
            | TimerKind::WaitingClose { request, .. } => Some(request),
            TimerKind::DraftExpiry { .. } | TimerKind::Digest { .. } => None,
        }
    }

    /// What the timer belongs to; cancelling by owner removes every pending timer of it.
    pub fn owner(&self) -> String {
        match self {
            TimerKind::FirstResponse { request, .. }
            | TimerKind::SurveyReminder { request }
            | TimerKind::ContentRetention { request }
            | TimerKind::Resolution { request, .. }
            | TimerKind::Escalation { request, .. }
            | TimerKind::WaitingNudge { request, .. }
            | TimerKind::WaitingClose { request, .. } => format!("req:{request}"),
            TimerKind::DraftExpiry { user } => format!("user:{user}"),
            TimerKind::Digest { department, .. } => format!("dept:{department}"),
        }
    }

    /// Every kind's [`TimerKind::name`], for counts that show each kind from the start.
    pub const NAMES: [&'static str; 9] = [
        "first_response",
        "survey_reminder",
        "draft_expiry",
        "content_retention",
        "resolution",
        "escalation",
        "waiting_nudge",
        "waiting_close",
        "digest",
    ];

    pub fn name(&self) -> &'static str {
        match self {
            TimerKind::FirstResponse { .. } => "first_response",
            TimerKind::SurveyReminder { .. } => "survey_reminder",
            TimerKind::DraftExpiry { .. } => "draft_expiry",
            TimerKind::ContentRetention { .. } => "content_retention",
            TimerKind::Resolution { .. } => "resolution",
            TimerKind::Escalation { .. } => "escalation",
            TimerKind::WaitingNudge { .. } => "waiting_nudge",
            TimerKind::WaitingClose { .. } => "waiting_close",
            TimerKind::Digest { .. } => "digest",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Timer {
    pub at: Timestamp,
    pub kind: TimerKind,
}

/// Which pending timers to drop.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum TimerFilter {
    FirstResponse(RequestId),
    SurveyReminder(RequestId),
    AllFor(RequestId),
    Draft(UserRef),
    /// The resolution reminders and the escalation ladder.
    ServiceLevels(RequestId),
    /// The resolution reminders alone (they stand still while waiting on the requester).
    Resolution(RequestId),
    /// The nudge and the close of a request waiting on its requester.
    Waiting(RequestId),
    /// A department's pending weekly digest.
    Digest(String),
}

impl TimerFilter {
    pub fn owner(&self) -> String {
        match self {
            TimerFilter::FirstResponse(r)
            | TimerFilter::SurveyReminder(r)
            | TimerFilter::AllFor(r)
            | TimerFilter::ServiceLevels(r)
            | TimerFilter::Resolution(r)
            | TimerFilter::Waiting(r) => {
                format!("req:{r}")
            }
            TimerFilter::Draft(u) => format!("user:{u}"),
            TimerFilter::Digest(d) => format!("dept:{d}"),
        }
    }

    pub fn matches(&self, kind: &TimerKind) -> bool {
        match (self, kind) {
            (TimerFilter::FirstResponse(r), TimerKind::FirstResponse { request, .. }) => {
                r == request
            }
            (TimerFilter::SurveyReminder(r), TimerKind::SurveyReminder { request }) => r == request,
            (TimerFilter::AllFor(r), k) => k.request() == Some(r),
            (
                TimerFilter::ServiceLevels(r),
                TimerKind::Resolution { request, .. } | TimerKind::Escalation { request, .. },
            ) => r == request,
            (TimerFilter::Resolution(r), TimerKind::Resolution { request, .. }) => r == request,
            (
                TimerFilter::Waiting(r),
                TimerKind::WaitingNudge { request, .. } | TimerKind::WaitingClose { request, .. },
            ) => r == request,
            (TimerFilter::Draft(u), TimerKind::DraftExpiry { user }) => u == user,
            (TimerFilter::Digest(d), TimerKind::Digest { department, .. }) => d == department,
            _ => false,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Effect {
    /// Answer right away, where the user acted (the slash command's acknowledgement).
    /// Not durable: only for what the user needs to see at once and loses nothing if missed.
    Reply(Message),
    Send(Outgoing),
    Schedule(Timer),
    Cancel(TimerFilter),
    /// A submitted form is sent back: each entry names a field (its key in the form) and
    /// what is wrong with it. Nothing else happened.
    FormErrors(Vec<(String, Text)>),
}
