//! Waiting on the requester: an agent says what is needed, the resolution clock stands
//! still, and the requester's reply resumes the request. With the department's
//! `auto_close_after`, a request nobody answered gets one nudge half-way and is closed with a
//! note at the end.

use super::message::{Arg, Message, Text};
use super::model::{Event, Status};
use super::text::{clip, MAX_ANSWER_CHARS};
use super::{Desk, Outgoing, RequestId, TimerFilter, TimerKind, Timestamp, UserRef};

impl Desk<'_> {
    /// An agent sets the request to wait on its requester (the card's button, or
    /// `/help-it wait IT-3 what is needed`).
    pub(super) fn await_requester(
        &mut self,
        user: &UserRef,
        id: &RequestId,
        need: &str,
        answer_here: bool,
    ) {
        let need = clip(need.trim(), MAX_ANSWER_CHARS);
        let Some(r) = self.request(id) else {
            return self.unknown_request(user, id);
        };
        let refusal = if !self.is_agent_for(user, r) || &r.requester == user {
            Some(Text::new("wait-not-agent").arg("id", id))
        } else if r.status == Status::Waiting {
            Some(Text::new("wait-already").arg("id", id))
        } else if !r.status.is_active() {
            Some(
                Text::new("request-already")
                    .arg("id", id)
                    .arg("status", super::text::status(r.status)),
            )
        } else {
            None
        };
        if let Some(text) = refusal {
            return self.answer(user, id, Message::text(text), answer_here);
        }
        let auto_close = self.department_of(r).and_then(|d| d.auto_close_after);
        let now = self.now;
        let r = self.request_mut(id).expect("checked above");
        r.status = Status::Waiting;
        r.record(
            now,
            Some(user),
            Event::WaitingOnRequester { text: need.clone() },
        );
        self.responded(id);
        // The resolution clock stands still until the requester answers.
        self.cancel_timers(TimerFilter::Resolution(id.clone()));
        if let Some(after) = auto_close {
            self.schedule(
                now + after / 2,
                TimerKind::WaitingNudge {
                    request: id.clone(),
                    since: now,
                },
            );
            self.schedule(
                now + after,
                TimerKind::WaitingClose {
                    request: id.clone(),
                    since: now,
                },
            );
        }
        self.send(Outgoing::UpdateCard {
            request: id.clone(),
        });
        let mut told = Message::text(
            Text::new("waiting-requester")
                .arg("id", Arg::strong(id))
                .arg("user", user),
        );
        if !need.is_empty() {
            told = told.line(Text::plain(need));
        }
        told = told.line(Text::new("waiting-reply-here"));
        self.tell_requester(id, told);
        self.send(Outgoing::ThreadPost {
            request: id.clone(),
            msg: Message::text(Text::new("thread-waiting").arg("user", user)),
        });
        let done = Message::text(Text::new("wait-set").arg("id", id));
        self.answer(user, id, done, answer_here);
    }

    /// The requester wrote: a request waiting on them resumes. Called before their words are
    /// relayed to the team.
    pub(super) fn resume_if_waiting(&mut self, user: &UserRef, id: &RequestId) {
        let now = self.now;
        let Some(r) = self.request_mut(id) else {
            return;
        };
        if r.status != Status::Waiting || &r.requester != user {
            return;
        }
        r.status = if r.assignee.is_some() {
            Status::Claimed
        } else {
            Status::Open
        };
        r.record(now, Some(user), Event::Resumed);
        self.cancel_timers(TimerFilter::Waiting(id.clone()));
        self.resume_resolution_clock(id);
        self.send(Outgoing::UpdateCard {
            request: id.clone(),
        });
    }

    /// Whether the request still waits since the wait this timer was set for.
    fn still_waiting_since(&self, id: &RequestId, since: Timestamp) -> bool {
        self.request(id).is_some_and(|r| {
            r.status == Status::Waiting
                && r.history.iter().rev().find_map(|h| match h.event {
                    Event::WaitingOnRequester { .. } => Some(h.at),
                    _ => None,
                }) == Some(since)
        })
    }

    pub(super) fn waiting_nudge_due(&mut self, id: &RequestId, since: Timestamp) {
        if !self.still_waiting_since(id, since) {
            return;
        }
        let now = self.now;
        let r = self.request_mut(id).expect("checked above");
        r.record(now, None, Event::NudgedRequester);
        let left = Arg::duration(now - since);
        self.tell_requester(
            id,
            Message::text(
                Text::new("waiting-nudge")
                    .arg("id", Arg::strong(id))
                    .arg("left", left),
            ),
        );
    }

    pub(super) fn waiting_close_due(&mut self, id: &RequestId, since: Timestamp) {
        if !self.still_waiting_since(id, since) {
            return;
        }
        let now = self.now;
        let waited = Arg::duration(now - since);
        let r = self.request_mut(id).expect("checked above");
        r.status = Status::Closed;
        r.closed_at = Some(now);
        r.record(now, None, Event::Closed);
        self.cancel_timers(TimerFilter::AllFor(id.clone()));
        self.stop_service_clocks(id);
        self.schedule_retention(id);
        self.send(Outgoing::UpdateCard {
            request: id.clone(),
        });
        self.send(Outgoing::ThreadPost {
            request: id.clone(),
            msg: Message::text(Text::new("thread-closed-no-reply").arg("waited", waited.clone())),
        });
        self.tell_requester(
            id,
            Message::text(
                Text::new("closed-no-reply")
                    .arg("id", Arg::strong(id))
                    .arg("waited", waited),
            ),
        );
    }

    /// Answers the acting agent: in the command's own reply, or a notice where they acted.
    pub(super) fn answer(&mut self, user: &UserRef, id: &RequestId, msg: Message, here: bool) {
        if here {
            self.reply(msg);
        } else {
            self.notice(user, Some(id), msg);
        }
    }
}
