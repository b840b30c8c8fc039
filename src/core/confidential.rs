//! Confidential departments and explicit replies: what a channel may show of a request,
//! "View details" for agents only, and words that reach the requester only when an agent
//! sends them on purpose (`relay = "explicit"`).

use super::message::{Action, Arg, Choice, Message, Text};
use super::model::{Event, Request};
use super::rules::Relay;
use super::text::{clip, MAX_ANSWER_CHARS};
use super::{Desk, Outgoing, RequestId, Rules, UserRef};

impl Rules {
    /// Whether the department's channel may show what people wrote in its requests.
    pub fn is_confidential(&self, department: &str) -> bool {
        self.department(department).is_some_and(|d| d.confidential)
    }

    /// How agents' words reach the requester in this department.
    pub fn relay(&self, department: &str) -> Relay {
        self.department(department)
            .map(|d| d.relay)
            .unwrap_or_default()
    }
}

/// What a request card in the department's channel may show, and its buttons.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CardView {
    /// Whether the card shows what people wrote (summary, answers), who asked and the
    /// priority. A confidential department's card shows only the id, department, status,
    /// assignee and age.
    pub shows_content: bool,
    /// The agent's actions for the status, then "View details" on a confidential card and
    /// "Reply to requester" while an explicit-relay request is active.
    pub choices: Vec<Choice>,
}

/// The card of `r` in a department that is `confidential` (or not) with this `relay`.
pub fn card_view(r: &Request, confidential: bool, relay: Relay) -> CardView {
    let mut choices = super::card_choices(r);
    if confidential {
        choices.push(Choice::new(
            Text::new("button-view-details"),
            Action::ViewDetails(r.id.clone()),
        ));
    }
    if relay == Relay::Explicit && r.status.is_active() {
        choices.push(Choice::new(
            Text::new("button-reply-requester"),
            Action::ReplyToRequester(r.id.clone()),
        ));
    }
    CardView {
        shows_content: !confidential,
        choices,
    }
}

/// Everything the requester wrote and was told, for an agent's eyes only.
fn details(r: &Request) -> Message {
    let mut msg = Message::text(Text::new("details-title").arg("id", Arg::strong(&r.id)));
    if !r.summary.trim().is_empty() {
        msg = msg.line(Text::plain(r.summary.clone()));
    }
    for a in &r.answers {
        let value = match &a.value {
            Some(v) => Arg::Plain(v.clone()),
            None => Text::new("card-skipped").into(),
        };
        msg = msg.line(
            Text::new("details-answer")
                .arg("prompt", Arg::Plain(a.prompt.clone()))
                .arg("value", value),
        );
    }
    for entry in &r.history {
        let (who, text) = match (&entry.actor, &entry.event) {
            (Some(who), Event::RequesterReplied { text } | Event::AgentReplied { text }) => {
                (who, text)
            }
            _ => continue,
        };
        msg = msg.line(
            Text::new("details-message")
                .arg("user", who)
                .arg("text", Arg::Plain(text.clone())),
        );
    }
    msg
}

impl Desk<'_> {
    /// "View details": the content of a request, shown only to the department's agents, as a
    /// notice where they clicked, or (`here`) as the step's reply for the platform to show
    /// at once.
    pub(super) fn view_details(&mut self, user: &UserRef, id: &RequestId, here: bool) {
        let msg = match self.request(id) {
            None => Message::text(Text::new("request-unknown").arg("id", id)),
            Some(r) if self.is_agent_for(user, r) => details(r),
            Some(_) => Message::text(Text::new("details-not-agent").arg("id", id)),
        };
        self.answer(user, id, msg, here);
    }

    /// "Reply to requester" clicked where the platform shows no form: say how to write it.
    pub(super) fn explain_reply(&mut self, user: &UserRef, id: &RequestId) {
        let example = Arg::code(format!("reply {id} …"));
        self.notice(
            user,
            Some(id),
            Message::text(Text::new("reply-how").arg("id", id).arg("example", example)),
        );
    }

    /// An agent's words sent to the requester on purpose (`/help-it reply ID text`, the
    /// "Reply to requester" form). The card's thread shows that they went out; a confidential
    /// department's thread shows that without the words.
    pub(super) fn reply_to_requester(
        &mut self,
        user: &UserRef,
        id: &RequestId,
        text: &str,
        answer_here: bool,
    ) {
        let text = clip(text.trim(), MAX_ANSWER_CHARS);
        let Some(r) = self.request(id) else {
            return self.unknown_request(user, id);
        };
        let refusal = if !self.is_agent_for(user, r) || &r.requester == user {
            Some(Text::new("reply-not-agent").arg("id", id))
        } else if !r.status.is_active() {
            Some(
                Text::new("request-already")
                    .arg("id", id)
                    .arg("status", super::text::status(r.status)),
            )
        } else if text.is_empty() {
            Some(
                Text::new("reply-how")
                    .arg("id", id)
                    .arg("example", Arg::code(format!("reply {id} …"))),
            )
        } else {
            None
        };
        if let Some(refusal) = refusal {
            return self.answer(user, id, Message::text(refusal), answer_here);
        }
        let confidential = self.rules.is_confidential(&r.department);
        let now = self.now;
        if let Some(r) = self.request_mut(id) {
            r.record(now, Some(user), Event::AgentReplied { text: text.clone() });
        }
        self.responded(id);
        self.tell_requester(
            id,
            Message::text(
                Text::new("agent-wrote")
                    .arg("user", user)
                    .arg("id", Arg::strong(id)),
            )
            .line(Text::plain(text.clone())),
        );
        let shown = if confidential {
            Message::text(Text::new("thread-sent-to-requester-hidden").arg("user", user))
        } else {
            Message::text(Text::new("thread-sent-to-requester").arg("user", user))
                .line(Text::plain(text))
        };
        self.send(Outgoing::ThreadPost {
            request: id.clone(),
            msg: shown,
        });
        let done = Message::text(Text::new("reply-sent").arg("id", id));
        self.answer(user, id, done, answer_here);
    }
}
