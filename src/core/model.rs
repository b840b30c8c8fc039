//! The data the desk keeps: requests with their history and survey, and each user's
//! conversation session (an intake draft, or a question the bot is waiting on).

use super::ids::{Platform, PostRef, RequestId, Timestamp, UserRef};
use serde::{Deserialize, Serialize};
use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Open,
    Claimed,
    Closed,
    Cancelled,
    /// An agent needs something from the requester; their reply resumes the request.
    Waiting,
}

impl Status {
    /// In the order of their stored codes.
    pub const ALL: [Status; 5] = [
        Status::Open,
        Status::Claimed,
        Status::Closed,
        Status::Cancelled,
        Status::Waiting,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Open => "open",
            Status::Claimed => "claimed",
            Status::Closed => "closed",
            Status::Cancelled => "cancelled",
            Status::Waiting => "waiting",
        }
    }

    pub fn parse(s: &str) -> Option<Status> {
        Status::ALL
            .into_iter()
            .find(|st| st.as_str().eq_ignore_ascii_case(s.trim()))
    }

    /// Open, claimed or waiting on the requester: the request is not finished.
    pub fn is_active(self) -> bool {
        matches!(self, Status::Open | Status::Claimed | Status::Waiting)
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Priority {
    Low,
    Normal,
    High,
    Urgent,
}

impl Priority {
    pub fn as_str(self) -> &'static str {
        match self {
            Priority::Low => "low",
            Priority::Normal => "normal",
            Priority::High => "high",
            Priority::Urgent => "urgent",
        }
    }

    pub fn parse(s: &str) -> Option<Priority> {
        match s.trim().to_ascii_lowercase().as_str() {
            "low" => Some(Priority::Low),
            "normal" | "medium" => Some(Priority::Normal),
            "high" => Some(Priority::High),
            "urgent" | "critical" => Some(Priority::Urgent),
            _ => None,
        }
    }
}

impl fmt::Display for Priority {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A department question and what the requester said; the prompt is kept so old requests
/// still read well after the configuration changes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Answer {
    pub field: String,
    pub prompt: String,
    pub value: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Event {
    Created,
    Claimed,
    AgentReplied {
        text: String,
    },
    RequesterReplied {
        text: String,
    },
    Closed,
    Reopened,
    Cancelled,
    Rated {
        rating: u8,
    },
    Commented {
        text: String,
    },
    Reminded {
        round: u32,
    },
    SurveyReminded,
    /// Retention removed what people wrote (`retention.closed_content_after`).
    ContentRemoved,
    /// The request was given to `to`: by the department's assignment rule (no actor), by an
    /// agent taking it over, or by an agent reassigning it.
    Assigned {
        to: UserRef,
    },
    /// Its agent gave it back to the team's queue.
    Unassigned,
    /// An agent set it to wait on the requester; `text` says what is needed (may be empty).
    WaitingOnRequester {
        text: String,
    },
    /// The requester's reply ended the wait.
    Resumed,
    /// The requester was reminded that the team waits for their reply.
    NudgedRequester,
    /// The resolution service level was missed; `round` counts these reminders.
    ResolutionReminded {
        round: u32,
    },
    /// A step of the escalation ladder notified someone (steps count from 1).
    Escalated {
        step: u32,
    },
    /// The requester thanked the agent who handled the request, in the department channel;
    /// `text` is their note (empty without one).
    Thanked {
        agent: UserRef,
        text: String,
    },
}

/// One line of a request's history: who did what, when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryEntry {
    pub at: Timestamp,
    /// None for the desk itself (reminders).
    pub actor: Option<UserRef>,
    pub event: Event,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SurveyState {
    NotSent,
    AwaitingRating,
    AwaitingComment,
    Done,
    /// Survey done; the requester chose to say thanks and the desk waits for their note.
    AwaitingThanks,
}

impl SurveyState {
    pub const ALL: [SurveyState; 5] = [
        SurveyState::NotSent,
        SurveyState::AwaitingRating,
        SurveyState::AwaitingComment,
        SurveyState::Done,
        SurveyState::AwaitingThanks,
    ];

    /// The survey went out and the requester still owes it a rating or a comment.
    pub fn awaits_answer(self) -> bool {
        matches!(
            self,
            SurveyState::AwaitingRating
                | SurveyState::AwaitingComment
                | SurveyState::AwaitingThanks
        )
    }
}

/// Whether a message from a request's requester may be about it: the request is active (a
/// message for the team), or its survey waits for a rating or a comment. The shell loads
/// these requests of the acting user before every step; the store may narrow by its index
/// first, but this is the rule.
pub fn needs_attention(status: Status, survey: SurveyState) -> bool {
    status.is_active() || survey.awaits_answer()
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Survey {
    pub state: SurveyState,
    pub rating: Option<u8>,
    pub comment: Option<String>,
    /// When the survey last went out about this request. Kept when a reopen withdraws it: the
    /// requester was asked all the same, which the survey cooldown counts.
    #[serde(default)]
    pub sent_at: Option<Timestamp>,
}

impl Default for Survey {
    fn default() -> Self {
        Survey {
            state: SurveyState::NotSent,
            rating: None,
            comment: None,
            sent_at: None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Request {
    pub id: RequestId,
    pub department: String,
    pub requester: UserRef,
    pub summary: String,
    pub answers: Vec<Answer>,
    pub priority: Priority,
    pub status: Status,
    pub assignee: Option<UserRef>,
    pub created_at: Timestamp,
    pub first_response_at: Option<Timestamp>,
    pub closed_at: Option<Timestamp>,
    pub history: Vec<HistoryEntry>,
    pub survey: Survey,
    /// The request card in the department channel, once a platform has posted it.
    #[serde(default)]
    pub card: Option<PostRef>,
    /// Reminder rounds fired so far, so a repeated reminder says how long it has waited.
    #[serde(default)]
    pub reminders_sent: u32,
    /// The channel message the request was filed from (a ticket reaction, a help channel);
    /// its thread is then the requester's side of the conversation.
    #[serde(default)]
    pub origin: Option<super::capture::Origin>,
}

impl Request {
    /// A request just filed: open, unassigned, with no history yet.
    pub fn new(
        id: RequestId,
        department: impl Into<String>,
        requester: UserRef,
        summary: impl Into<String>,
        created_at: Timestamp,
    ) -> Request {
        Request {
            id,
            department: department.into(),
            requester,
            summary: summary.into(),
            answers: Vec::new(),
            priority: Priority::Normal,
            status: Status::Open,
            assignee: None,
            created_at,
            first_response_at: None,
            closed_at: None,
            history: Vec::new(),
            survey: Survey::default(),
            card: None,
            reminders_sent: 0,
            origin: None,
        }
    }

    /// Whether a message from the requester may be about this request ([`needs_attention`]).
    pub fn needs_attention(&self) -> bool {
        needs_attention(self.status, self.survey.state)
    }

    /// The platform the request came from; its card goes to that platform's channel.
    pub fn platform(&self) -> Platform {
        self.requester.platform
    }

    /// When a survey last went out about this request. Requests stored before the time was
    /// kept have a survey that went out with their last close, if their survey was ever sent.
    pub fn survey_sent_at(&self) -> Option<Timestamp> {
        self.survey.sent_at.or_else(|| {
            if self.survey.state == SurveyState::NotSent {
                return None;
            }
            self.history
                .iter()
                .rev()
                .find(|h| h.event == Event::Closed)
                .map(|h| h.at)
        })
    }

    /// How many reminders the survey that went out with the last close has had: the
    /// reminders recorded since that close.
    pub fn survey_reminders_sent(&self) -> u32 {
        let reminded = self
            .history
            .iter()
            .rev()
            .take_while(|h| h.event != Event::Closed)
            .filter(|h| h.event == Event::SurveyReminded)
            .count();
        u32::try_from(reminded).unwrap_or(u32::MAX)
    }

    /// When the request waited on its requester, as (from, to) spans; the resolution clock
    /// stops during them. A wait ends with the requester's reply, a close or a cancel; one
    /// still running ends at the end of time.
    pub fn waiting_intervals(&self) -> Vec<(Timestamp, Timestamp)> {
        let mut spans = Vec::new();
        let mut since: Option<Timestamp> = None;
        for h in &self.history {
            match h.event {
                Event::WaitingOnRequester { .. } => since = since.or(Some(h.at)),
                Event::Resumed | Event::Closed | Event::Cancelled => {
                    if let Some(from) = since.take() {
                        spans.push((from, h.at));
                    }
                }
                _ => {}
            }
        }
        if let Some(from) = since {
            spans.push((from, Timestamp::MAX_UTC));
        }
        spans
    }

    /// When the resolution clock stood still before `until`: while the request was closed
    /// (between a close and its reopen, or since its last close) and while it waited on its
    /// requester ([`Request::waiting_intervals`]).
    pub fn resolution_pauses(&self, until: Timestamp) -> Vec<(Timestamp, Timestamp)> {
        let mut pauses = self.waiting_intervals();
        let mut closed: Option<Timestamp> = None;
        for h in &self.history {
            match h.event {
                Event::Closed => closed = closed.or(Some(h.at)),
                Event::Reopened => {
                    if let Some(from) = closed.take() {
                        pauses.push((from, h.at.min(until)));
                    }
                }
                _ => {}
            }
        }
        // A request closed now is measured to its close, so an open end adds nothing.
        pauses.retain(|(from, to)| from < to);
        pauses
    }

    /// Resolution reminders sent since the request was filed.
    pub fn resolution_reminders_sent(&self) -> u32 {
        let n = self
            .history
            .iter()
            .filter(|h| matches!(h.event, Event::ResolutionReminded { .. }))
            .count();
        u32::try_from(n).unwrap_or(u32::MAX)
    }

    pub fn record(&mut self, at: Timestamp, actor: Option<&UserRef>, event: Event) {
        self.history.push(HistoryEntry {
            at,
            actor: actor.cloned(),
            event,
        });
    }
}

/// Where an intake conversation stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "step", rename_all = "snake_case")]
pub enum Step {
    ChooseDepartment,
    /// We guessed from the first words and ask the user to confirm.
    ConfirmDepartment {
        department: String,
    },
    Describe,
    Field {
        index: usize,
    },
    Confirm,
}

/// A request being written, one question at a time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Draft {
    pub started_at: Timestamp,
    pub last_activity: Timestamp,
    pub step: Step,
    pub department: Option<String>,
    pub summary: Option<String>,
    /// Whether the summary came from the command text (then Describe is never asked).
    pub summary_given: bool,
    /// One slot per department field, in order; None while unanswered or skipped.
    pub answers: Vec<Option<String>>,
}

/// What the bot remembers about one user between messages.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Session {
    pub draft: Option<Draft>,
    /// A message the user sent while having several open requests; kept until they say which.
    pub pending_reply: Option<String>,
    /// A channel message this user was asked to pick a team for (they reacted to it, or
    /// wrote it in a help channel that names no team).
    #[serde(default)]
    pub capture: Option<super::capture::Captured>,
    /// The request whose free-text note (a survey comment, a thank-you) the bot asked this
    /// user for, and when. A draft left open since before then does not take the answer.
    /// Without a draft it decides nothing, so it alone doesn't keep a session.
    #[serde(default)]
    pub note_for: Option<(RequestId, Timestamp)>,
}

impl Session {
    pub fn is_empty(&self) -> bool {
        self.draft.is_none() && self.pending_reply.is_none() && self.capture.is_none()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn active_requests_and_unanswered_surveys_need_attention() {
        for status in Status::ALL {
            for survey in SurveyState::ALL {
                let expected = match (status, survey) {
                    (Status::Open | Status::Claimed | Status::Waiting, _) => true,
                    (
                        _,
                        SurveyState::AwaitingRating
                        | SurveyState::AwaitingComment
                        | SurveyState::AwaitingThanks,
                    ) => true,
                    (
                        Status::Closed | Status::Cancelled,
                        SurveyState::NotSent | SurveyState::Done,
                    ) => false,
                };
                assert_eq!(
                    needs_attention(status, survey),
                    expected,
                    "{status} with the survey {survey:?}"
                );
            }
        }
    }

    #[test]
    fn a_survey_stored_before_its_send_time_was_kept_reads_without_one() {
        let old: Survey =
            serde_json::from_str(r#"{"state":"done","rating":4,"comment":null}"#).unwrap();
        assert_eq!(old.sent_at, None);
        assert_eq!(old.rating, Some(4));
        let at = chrono::DateTime::from_timestamp(1_700_000_000, 0).unwrap();
        let new = Survey {
            sent_at: Some(at),
            ..Survey::default()
        };
        let back: Survey = serde_json::from_str(&serde_json::to_string(&new).unwrap()).unwrap();
        assert_eq!(back, new);
    }

    #[test]
    fn a_request_needs_attention_by_its_status_and_survey() {
        let at = chrono::DateTime::from_timestamp(1_700_000_000, 0).unwrap();
        let mut r = Request::new(
            RequestId::new("IT", 1),
            "it",
            UserRef::new(Platform::Slack, "U1"),
            "printer",
            at,
        );
        assert!(r.needs_attention());
        r.status = Status::Closed;
        assert!(!r.needs_attention());
        r.survey.state = SurveyState::AwaitingRating;
        assert!(r.needs_attention());
        r.survey.state = SurveyState::Done;
        assert!(!r.needs_attention());
    }
}
