//! What the core decided should happen. The shell stores these with the state change that
//! caused them, in one transaction, and delivers or schedules them afterwards.

use super::ids::{PostRef, RequestId, Timestamp, UserRef};
use super::message::Message;
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
}

impl Outgoing {
    pub fn request(&self) -> Option<&RequestId> {
        match self {
            Outgoing::Dm { about, .. } => about.as_ref(),
            Outgoing::PostCard { request }
            | Outgoing::UpdateCard { request }
            | Outgoing::ThreadPost { request, .. }
            | Outgoing::MarkRelayed { request, .. } => Some(request),
            Outgoing::Notice { request, .. } => request.as_ref(),
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
        }
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
}

impl TimerKind {
    pub fn request(&self) -> Option<&RequestId> {
        match self {
            TimerKind::FirstResponse { request, .. } | TimerKind::SurveyReminder { request } => {
                Some(request)
            }
            TimerKind::DraftExpiry { .. } => None,
        }
    }

    /// What the timer belongs to; cancelling by owner removes every pending timer of it.
    pub fn owner(&self) -> String {
        match self {
            TimerKind::FirstResponse { request, .. } | TimerKind::SurveyReminder { request } => {
                format!("req:{request}")
            }
            TimerKind::DraftExpiry { user } => format!("user:{user}"),
        }
    }

    pub fn name(&self) -> &'static str {
        match self {
            TimerKind::FirstResponse { .. } => "first_response",
            TimerKind::SurveyReminder { .. } => "survey_reminder",
            TimerKind::DraftExpiry { .. } => "draft_expiry",
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
}

impl TimerFilter {
    pub fn owner(&self) -> String {
        match self {
            TimerFilter::FirstResponse(r)
            | TimerFilter::SurveyReminder(r)
            | TimerFilter::AllFor(r) => {
                format!("req:{r}")
            }
            TimerFilter::Draft(u) => format!("user:{u}"),
        }
    }

    pub fn matches(&self, kind: &TimerKind) -> bool {
        match (self, kind) {
            (TimerFilter::FirstResponse(r), TimerKind::FirstResponse { request, .. }) => {
                r == request
            }
            (TimerFilter::SurveyReminder(r), TimerKind::SurveyReminder { request }) => r == request,
            (TimerFilter::AllFor(r), k) => k.request() == Some(r),
            (TimerFilter::Draft(u), TimerKind::DraftExpiry { user }) => u == user,
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
}
