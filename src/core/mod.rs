//! The desk's logic as a pure function: `step(snapshot, input, now, rules) -> Transition`.
//!
//! No I/O, no clock, no platform types. The shell loads a [`Snapshot`] (the acting user's
//! session and the requests the input concerns), calls [`step`], stores the [`Transition`] in
//! one transaction, and only then delivers its effects. Everything the desk decides is here,
//! so it is tested here without a runtime.

pub(crate) mod actions;
mod assignment;
pub(crate) mod calendar;
pub(crate) mod capture;
mod capture_fields;
mod commands;
mod confidential;
pub(crate) mod digest;
pub(crate) mod effect;
mod form;
pub(crate) mod ids;
pub(crate) mod input;
mod intake;
mod lifecycle;
pub(crate) mod message;
pub(crate) mod model;
pub(crate) mod privacy;
pub(crate) mod queue;
mod relay;
mod retention;
pub(crate) mod rules;
#[cfg(test)]
pub(crate) mod shown;
pub(crate) mod sla;
mod snapshot;
pub(crate) mod survey;
pub(crate) mod text;
mod thanks;
pub(crate) mod typed;
mod waiting;

pub use actions::{actions_for, card_choices, Role};
pub use assignment::pick_assignee;
pub use calendar::Calendar;
pub use capture::{capture_department, is_pleasantry, Captured, Origin};
pub use confidential::{card_view, CardView};
pub use digest::{
    digest_fired, digest_timer_stale, local_monday, next_digest, DigestFired, DigestWhen, WhenError,
};
pub use effect::{Conversation, Effect, Outgoing, Timer, TimerFilter, TimerKind};
pub use form::{FormAnswers, DEPARTMENT_KEY, SUMMARY_KEY};
pub use ids::{Platform, PostRef, RequestId, Timestamp, UserRef};
use input::named_request;
pub use input::{is_card_reply, Input, Place};
pub use message::{Action, Arg, Choice, Command, Message, Text};
pub use model::{
    needs_attention, Answer, Draft, Event, HistoryEntry, Priority, Request, Session, Status, Step,
    Survey, SurveyState,
};
pub use privacy::{erase_person, person_data, remove_content, PersonData};
pub use queue::{
    agent_departments, due_at, due_at_with, is_overdue, queue, queue_message, Queue, QueueLine,
};
pub use retention::retention_due;
pub use rules::{Assign, Department, Field, FieldKind, Relay, Rules};
pub use sla::{
    first_response_met, resolution_met, settled, EscalationStep, Level, Notify, ServiceLevels,
    Until,
};
pub use snapshot::{load_snapshot, numbering_prefix, Snapshot, SnapshotSource};
pub use survey::Sample;
pub use thanks::{already_thanked, thanked_agent};
pub use typed::{typed_choice, typed_command, ButtonWords, Typed, TypedCommand};

use lifecycle::rating_choices;
use std::collections::BTreeMap;

/// What changed and what should happen because of it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Transition {
    /// The acting user's session afterwards.
    pub session: Session,
    /// Requests created or changed; unchanged ones are left out.
    pub requests: Vec<Request>,
    pub effects: Vec<Effect>,
}

impl Transition {
    pub fn outgoing(&self) -> impl Iterator<Item = &Outgoing> {
        self.effects.iter().filter_map(|e| match e {
            Effect::Send(o) => Some(o),
            _ => None,
        })
    }

    pub fn replies(&self) -> impl Iterator<Item = &Message> {
        self.effects.iter().filter_map(|e| match e {
            Effect::Reply(m) => Some(m),
            _ => None,
        })
    }
}

/// Decide what an input means. Never fails: a wrong answer or a refused action is a polite
/// message to the user, not an error.
pub fn step(snapshot: Snapshot, input: Input, now: Timestamp, rules: &Rules) -> Transition {
    let mut desk = Desk::new(snapshot, now, rules);
    desk.handle(input);
    desk.finish()
}

/// Working state of one step.
pub(crate) struct Desk<'r> {
    rules: &'r Rules,
    now: Timestamp,
    session: Session,
    requests: Vec<Request>,
    changed: Vec<RequestId>,
    next_number: u64,
    last_survey_elsewhere: BTreeMap<RequestId, Timestamp>,
    /// Active requests of the departments the input looks across ([`Snapshot`]).
    department_requests: Vec<Request>,
    effects: Vec<Effect>,
}

impl<'r> Desk<'r> {
    fn new(snapshot: Snapshot, now: Timestamp, rules: &'r Rules) -> Self {
        Desk {
            rules,
            now,
            session: snapshot.session,
            requests: snapshot.requests,
            changed: Vec::new(),
            next_number: snapshot.next_number,
            last_survey_elsewhere: snapshot.last_survey_elsewhere,
            department_requests: snapshot.department_requests,
            effects: Vec::new(),
        }
    }

    fn finish(self) -> Transition {
        let Desk {
            session,
            requests,
            changed,
            effects,
            ..
        } = self;
        let requests = requests
            .into_iter()
            .filter(|r| changed.contains(&r.id))
            .collect();
        Transition {
            session,
            requests,
            effects,
        }
    }

    fn handle(&mut self, input: Input) {
        match input {
            Input::CommandInvoked { user, text } => self.on_command(&user, &text),
            Input::MessageReceived { user, text, place } => match place {
                Place::Direct { about } => self.on_direct_message(&user, &text, about),
                Place::CardThread { request, post } => {
                    self.on_thread_reply(&user, &text, &request, post)
                }
                Place::OriginThread { request } => self.on_origin_reply(&user, &text, &request),
                Place::WaitingThread { root } => self.on_waiting_thread_reply(&user, &text, &root),
            },
            Input::ButtonClicked { user, action, post } => self.on_button(&user, action, post),
            Input::MentionedInChannel { user, thread, text } => {
                let mut words = text.split_whitespace();
                let first = words.next().unwrap_or("");
                let msg = if first.eq_ignore_ascii_case("queue")
                    || typed_command(first, &self.rules.buttons) == Some(TypedCommand::Queue)
                {
                    self.show_queue(&user, words.next())
                } else {
                    Message::text(Text::new("channel-pointer").arg("help", Command::Start))
                };
                self.send(Outgoing::ThreadReply { thread, msg })
            }
            Input::MessageCaptured { capture } => self.on_capture(capture),
            Input::CloseReactionAdded { user, request } => self.close(&user, &request, true),
            Input::CloseReactionRemoved { user, request } => self.reopen(&user, &request, true),
            Input::TimerFired { timer } => self.on_timer(timer),
            Input::ReplyToRequester {
                user,
                request,
                text,
            } => self.reply_to_requester(&user, &request, &text, false),
            Input::FormSubmitted { user, form } => self.form_submitted(&user, form),
            Input::DetailsRequested { user, request } => self.view_details(&user, &request, true),
        }
    }

    // ---- small helpers shared by intake and lifecycle ----

    fn request(&self, id: &RequestId) -> Option<&Request> {
        self.requests.iter().find(|r| &r.id == id)
    }

    /// Mutable access marks the request as changed so it is written back.
    fn request_mut(&mut self, id: &RequestId) -> Option<&mut Request> {
        let r = self.requests.iter_mut().find(|r| &r.id == id)?;
        if !self.changed.contains(id) {
            self.changed.push(id.clone());
        }
        Some(r)
    }

    fn insert_request(&mut self, request: Request) {
        self.changed.push(request.id.clone());
        self.requests.push(request);
    }

    fn send(&mut self, out: Outgoing) {
        self.effects.push(Effect::Send(out));
    }

    fn dm(&mut self, to: &UserRef, msg: Message, about: Option<&RequestId>) {
        self.send(Outgoing::Dm {
            to: to.clone(),
            msg,
            about: about.cloned(),
        });
    }

    fn notice(&mut self, to: &UserRef, request: Option<&RequestId>, msg: Message) {
        self.send(Outgoing::Notice {
            to: to.clone(),
            request: request.cloned(),
            msg,
        });
    }

    /// The help text, naming the teams this desk actually serves.
    fn help(&self) -> Message {
        let teams: Vec<&str> = self
            .rules
            .departments
            .iter()
            .map(|d| d.name.as_str())
            .collect();
        text::help_for(&teams)
    }

    fn reply(&mut self, msg: Message) {
        self.effects.push(Effect::Reply(msg));
    }

    fn schedule(&mut self, at: Timestamp, kind: TimerKind) {
        self.effects.push(Effect::Schedule(Timer { at, kind }));
    }

    fn cancel_timers(&mut self, filter: TimerFilter) {
        self.effects.push(Effect::Cancel(filter));
    }

    /// The user's requests that still need something, newest first.
    fn active_requests_of(&self, user: &UserRef) -> Vec<RequestId> {
        let mut mine: Vec<&Request> = self
            .requests
            .iter()
            .filter(|r| &r.requester == user && r.status.is_active())
            .collect();
        mine.sort_by(|a, b| b.created_at.cmp(&a.created_at).then(b.id.cmp(&a.id)));
        mine.into_iter().map(|r| r.id.clone()).collect()
    }

    /// The request a survey answer would be for, and what it waits for: the request whose
    /// thread the message was written in, if it waits for an answer; otherwise the most recently
    /// closed one waiting for a comment, else for a rating.
    fn survey_answer_target(
        &self,
        user: &UserRef,
        about: Option<&RequestId>,
    ) -> Option<(RequestId, SurveyState)> {
        if let Some(r) = about.and_then(|id| self.request(id)) {
            if &r.requester == user && r.survey.state.awaits_answer() {
                return Some((r.id.clone(), r.survey.state));
            }
        }
        [
            SurveyState::AwaitingThanks,
            SurveyState::AwaitingComment,
            SurveyState::AwaitingRating,
        ]
        .into_iter()
        .find_map(|state| self.latest_with_survey(user, state).map(|id| (id, state)))
    }

    fn latest_with_survey(&self, user: &UserRef, state: SurveyState) -> Option<RequestId> {
        self.requests
            .iter()
            .filter(|r| &r.requester == user && r.survey.state == state)
            .max_by_key(|r| (r.closed_at, r.created_at))
            .map(|r| r.id.clone())
    }

    // ---- entry points ----

    /// Asks which of `requests` the pending message is for.
    fn ask_which(&mut self, user: &UserRef, requests: &[RequestId], question: Text) {
        let choices = self.which_choices(requests);
        self.dm(user, Message::with_choices(question, choices), None);
    }

    /// The buttons of the "which request?" question: one per request.
    fn which_choices(&self, requests: &[RequestId]) -> Vec<Choice> {
        requests
            .iter()
            .filter_map(|id| self.request(id))
            .flat_map(|r| {
                actions_for(r, Role::Requester)
                    .into_iter()
                    .filter(|a| matches!(a, Action::ReplyTo(_)))
                    .map(|a| {
                        let label = Text::new("choice-request")
                            .arg("id", &r.id)
                            .arg("summary", text::clip(&r.summary, 40));
                        Choice::new(label, a)
                    })
            })
            .collect()
    }

    fn on_button(&mut self, user: &UserRef, action: Action, post: Option<PostRef>) {
        match action {
            Action::Claim(id) => self.claim(user, &id),
            Action::Close(id) => self.close(user, &id, false),
            Action::Reopen(id) => self.reopen(user, &id, false),
            Action::Rate(id, n) => self.rate(user, &id, n, post),
            Action::NoComment(id) => self.survey_comment(user, &id, "skip"),
            Action::Thank(id) => self.thank_clicked(user, &id),
            Action::SendThanks(id) => self.thanks_note(user, &id, thanks::Note::Without),
            Action::NoThanks(id) => self.thanks_note(user, &id, thanks::Note::Declined),
            Action::ViewDetails(id) => self.view_details(user, &id, false),
            Action::ReplyToRequester(id) => self.explain_reply(user, &id),
            Action::TakeOver(id) => self.take_over(user, &id),
            Action::Unassign(id) => self.unassign(user, &id),
            Action::Reassign(id) => self.offer_reassign(user, &id),
            Action::AssignTo(id, agent) => self.assign_to(user, &id, &agent),
            Action::AwaitRequester(id) => self.await_requester(user, &id, "", false),
            Action::ReplyTo(id) => {
                let refusal = match self.request(&id) {
                    None => Some(Text::new("request-unknown").arg("id", &id)),
                    Some(r) if &r.requester != user => {
                        Some(Text::new("reply-to-not-yours").arg("id", &id))
                    }
                    Some(_) => None,
                };
                if let Some(text) = refusal {
                    return self.notice(user, Some(&id), Message::text(text));
                }
                match self.session.pending_reply.take() {
                    Some(text) => self.relay_from_requester(user, &id, &text),
                    None => self.dm(
                        user,
                        Message::text(Text::new("reply-to-ask").arg("id", &id)),
                        Some(&id),
                    ),
                }
            }
            Action::StartRequest => self.start_intake(user, None),
            Action::OpenForm => self.form_unavailable(user),
            Action::FieldOption {
                request,
                field,
                option,
            } => self.field_option_clicked(user, &request, field, option),
            Action::PickDepartment(d) if self.capture_department_picked(&d) => {}
            intake_action => {
                if self.expire_stale_draft(user, false) {
                    // The expiry message already says the conversation has ended.
                } else if self.session.draft.is_none() {
                    self.dm(user, text::no_draft(), None);
                } else {
                    self.intake_action(user, intake_action);
                }
            }
        }
    }

    fn on_timer(&mut self, timer: Timer) {
        match timer.kind {
            TimerKind::FirstResponse { request, round } => self.first_response_due(&request, round),
            TimerKind::SurveyReminder { request } => self.survey_reminder_due(&request),
            TimerKind::DraftExpiry { user } => self.draft_expiry_due(&user),
            TimerKind::ContentRetention { request } => self.content_retention_due(&request),
            TimerKind::Resolution { request, round } => self.resolution_due(&request, round),
            TimerKind::Escalation { request, step } => self.escalation_due(&request, step),
            TimerKind::WaitingNudge { request, since } => self.waiting_nudge_due(&request, since),
            TimerKind::WaitingClose { request, since } => self.waiting_close_due(&request, since),
            // The shell fires digests itself: a week's figures span every request, which a
            // step's snapshot doesn't hold. See [`digest`].
            TimerKind::Digest { .. } => {}
        }
    }
}

#[cfg(test)]
mod tests;
