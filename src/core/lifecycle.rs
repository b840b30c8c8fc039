//! A submitted request's life: claim, messages both ways, close, reopen, cancel, the
//! satisfaction survey and the service-level reminders.

use super::message::{Action, Choice, Message};
use super::model::{Event, Status, SurveyState};
use super::text::{self, clip, mention, MAX_ANSWER_CHARS};
use super::{Desk, Outgoing, PostRef, Request, RequestId, TimerFilter, TimerKind, UserRef};

fn rating_choices(id: &RequestId) -> Vec<Choice> {
    const LABELS: [&str; 5] = ["1 · poor", "2", "3", "4", "5 · great"];
    LABELS
        .iter()
        .zip(1u8..)
        .map(|(label, n)| Choice::new(*label, Action::Rate(id.clone(), n)))
        .collect()
}

impl Desk<'_> {
    fn department_of(&self, r: &Request) -> Option<&super::Department> {
        self.rules.department(&r.department)
    }

    fn is_agent_for(&self, user: &UserRef, r: &Request) -> bool {
        self.department_of(r).is_some_and(|d| d.is_agent(&user.id))
    }

    fn unknown_request(&mut self, user: &UserRef, id: &RequestId) {
        self.notice(
            user,
            None,
            Message::text(format!("I can't find request {id}.")),
        );
    }

    /// Records the first response once: claim, reply or close all count, and stop the chase.
    fn responded(&mut self, id: &RequestId) {
        let now = self.now;
        let Some(r) = self.request_mut(id) else {
            return;
        };
        if r.first_response_at.is_none() {
            r.first_response_at = Some(now);
            self.cancel_timers(TimerFilter::FirstResponse(id.clone()));
        }
    }

    pub(super) fn status_message(&self, user: &UserRef) -> Message {
        let mut mine: Vec<&Request> = self
            .requests
            .iter()
            .filter(|r| &r.requester == user && r.status.is_active())
            .collect();
        if mine.is_empty() {
            return Message::with_choices(
                "You have no open requests.",
                vec![Choice::new("New request", Action::StartRequest)],
            );
        }
        mine.sort_by_key(|r| r.created_at);
        let mut text = String::from("Your open requests:");
        for r in mine {
            let who = match &r.assignee {
                Some(a) => format!("with {}", mention(&a.id)),
                None => "waiting for someone to pick it up".to_string(),
            };
            text.push_str(&format!(
                "\n• *{}* {} — {} ({who})",
                r.id,
                clip(&r.summary, 60),
                r.status
            ));
        }
        Message::text(text)
    }

    pub(super) fn cancel_request(&mut self, user: &UserRef, id: &RequestId, by_command: bool) {
        let say = |desk: &mut Self, text: String| {
            if by_command {
                desk.reply(Message::text(text));
            } else {
                desk.dm(user, Message::text(text), Some(id));
            }
        };
        let Some(r) = self.request(id) else {
            return say(
                self,
                format!("I can't find request {id}. `/help-it status` lists yours."),
            );
        };
        if &r.requester != user {
            return say(
                self,
                format!("Only the person who opened {id} can cancel it."),
            );
        }
        if !r.status.is_active() {
            return say(self, format!("{id} is already {}.", r.status));
        }
        let now = self.now;
        let r = self.request_mut(id).expect("checked above");
        r.status = Status::Cancelled;
        r.closed_at = Some(now);
        r.record(now, Some(user), Event::Cancelled);
        self.cancel_timers(TimerFilter::AllFor(id.clone()));
        self.send(Outgoing::UpdateCard {
            request: id.clone(),
        });
        self.send(Outgoing::ThreadPost {
            request: id.clone(),
            msg: Message::text(format!("{} cancelled this request.", mention(&user.id))),
        });
        say(self, format!("Cancelled {id}. The team has been told."));
    }

    pub(super) fn relay_from_requester(&mut self, user: &UserRef, id: &RequestId, text: &str) {
        let now = self.now;
        let text = clip(text, MAX_ANSWER_CHARS);
        let Some(r) = self.request_mut(id) else {
            return self.unknown_request(user, id);
        };
        r.record(
            now,
            Some(user),
            Event::RequesterReplied { text: text.clone() },
        );
        self.send(Outgoing::ThreadPost {
            request: id.clone(),
            msg: Message::text(format!("{} (requester) wrote:\n{text}", mention(&user.id))),
        });
        self.dm(
            user,
            Message::text(format!("Passed on to the team handling {id}.")),
            Some(id),
        );
    }

    pub(super) fn on_thread_reply(
        &mut self,
        user: &UserRef,
        text: &str,
        id: &RequestId,
        post: PostRef,
    ) {
        let text = text.trim();
        let Some(r) = self.request(id) else { return };
        // The requester's own words reach the team already; a bystander in the channel doesn't
        // speak for the team (and must not stop the first-response chase).
        if &r.requester == user || text.is_empty() || !self.is_agent_for(user, r) {
            return;
        }
        let prefix = self.rules.internal_note_prefix.to_lowercase();
        if !prefix.is_empty() && text.to_lowercase().starts_with(&prefix) {
            // An internal note: agents talking among themselves, never shown to the requester.
            return;
        }
        let requester = r.requester.clone();
        let now = self.now;
        let text = clip(text, MAX_ANSWER_CHARS);
        if let Some(r) = self.request_mut(id) {
            r.record(now, Some(user), Event::AgentReplied { text: text.clone() });
        }
        self.responded(id);
        self.dm(
            &requester,
            Message::text(format!("{} on *{id}*:\n{text}", mention(&user.id))),
            Some(id),
        );
        self.send(Outgoing::MarkRelayed {
            request: id.clone(),
            post,
        });
    }

    pub(super) fn claim(&mut self, user: &UserRef, id: &RequestId) {
        let Some(r) = self.request(id) else {
            return self.unknown_request(user, id);
        };
        let refusal = if !self.is_agent_for(user, r) {
            let dept = self
                .department_of(r)
                .map(|d| d.name.as_str())
                .unwrap_or("this team");
            Some(format!("Only {dept} agents can claim {id}."))
        } else {
            match (&r.status, &r.assignee) {
                (Status::Claimed, Some(a)) if a == user => Some(format!("You already have {id}.")),
                (Status::Claimed, Some(a)) => {
                    Some(format!("{id} is already claimed by {}.", mention(&a.id)))
                }
                (Status::Closed | Status::Cancelled, _) => {
                    Some(format!("{id} is {}; reopen it first.", r.status))
                }
                _ => None,
            }
        };
        if let Some(text) = refusal {
            return self.notice(user, Some(id), Message::text(text));
        }
        let now = self.now;
        let r = self.request_mut(id).expect("checked above");
        r.status = Status::Claimed;
        r.assignee = Some(user.clone());
        r.record(now, Some(user), Event::Claimed);
        let requester = r.requester.clone();
        self.responded(id);
        self.send(Outgoing::UpdateCard {
            request: id.clone(),
        });
        self.dm(
            &requester,
            Message::text(format!("{} is now working on *{id}*.", mention(&user.id))),
            Some(id),
        );
    }

    pub(super) fn close(&mut self, user: &UserRef, id: &RequestId, by_reaction: bool) {
        let Some(r) = self.request(id) else {
            if !by_reaction {
                self.unknown_request(user, id);
            }
            return;
        };
        let allowed = self.is_agent_for(user, r) || &r.requester == user;
        let refusal = if !allowed {
            Some(format!(
                "Only the team's agents or the requester can close {id}."
            ))
        } else if !r.status.is_active() {
            Some(format!("{id} is already {}.", r.status))
        } else {
            None
        };
        if let Some(text) = refusal {
            // A stray emoji from a bystander is not worth a message.
            if !by_reaction {
                self.notice(user, Some(id), Message::text(text));
            }
            return;
        }
        let now = self.now;
        let survey = self.rules.survey_enabled;
        let remind_after = self.rules.survey_remind_after;
        let r = self.request_mut(id).expect("checked above");
        r.status = Status::Closed;
        r.closed_at = Some(now);
        r.record(now, Some(user), Event::Closed);
        let requester = r.requester.clone();
        let ask_survey = survey && &requester != user && r.survey.state == SurveyState::NotSent;
        if ask_survey {
            r.survey.state = SurveyState::AwaitingRating;
        }
        self.responded(id);
        self.cancel_timers(TimerFilter::FirstResponse(id.clone()));
        self.send(Outgoing::UpdateCard {
            request: id.clone(),
        });
        let closer = if &requester == user {
            "you".to_string()
        } else {
            mention(&user.id)
        };
        self.dm(
            &requester,
            Message::text(format!("*{id}* was closed by {closer}.")),
            Some(id),
        );
        if ask_survey {
            self.dm(
                &requester,
                Message::with_choices(
                    format!("How did we do with *{id}*? Rate it from 1 (poor) to 5 (great)."),
                    rating_choices(id),
                ),
                Some(id),
            );
            self.schedule(
                now + remind_after,
                TimerKind::SurveyReminder {
                    request: id.clone(),
                },
            );
        }
    }

    pub(super) fn reopen(&mut self, user: &UserRef, id: &RequestId, by_reaction: bool) {
        let Some(r) = self.request(id) else {
            if !by_reaction {
                self.unknown_request(user, id);
            }
            return;
        };
        let allowed = self.is_agent_for(user, r) || &r.requester == user;
        if !allowed || r.status != Status::Closed {
            if !by_reaction {
                let text = if allowed {
                    format!("{id} is {}, not closed.", r.status)
                } else {
                    format!("Only the team's agents or the requester can reopen {id}.")
                };
                self.notice(user, Some(id), Message::text(text));
            }
            return;
        }
        let now = self.now;
        let r = self.request_mut(id).expect("checked above");
        r.status = if r.assignee.is_some() {
            Status::Claimed
        } else {
            Status::Open
        };
        r.closed_at = None;
        r.record(now, Some(user), Event::Reopened);
        match r.survey.state {
            // The survey asked about a closed request; it isn't closed any more.
            SurveyState::AwaitingRating => r.survey.state = SurveyState::NotSent,
            // The rating stands, but the requester's next message is for the team now, not a
            // survey comment.
            SurveyState::AwaitingComment => r.survey.state = SurveyState::Done,
            SurveyState::NotSent | SurveyState::Done => {}
        }
        let requester = r.requester.clone();
        self.cancel_timers(TimerFilter::SurveyReminder(id.clone()));
        self.send(Outgoing::UpdateCard {
            request: id.clone(),
        });
        let reopener = if &requester == user {
            "you".to_string()
        } else {
            mention(&user.id)
        };
        self.dm(
            &requester,
            Message::text(format!("*{id}* was reopened by {reopener}.")),
            Some(id),
        );
    }

    pub(super) fn rate(&mut self, user: &UserRef, id: &RequestId, rating: u8) {
        let Some(r) = self.request(id) else {
            return self.unknown_request(user, id);
        };
        if &r.requester != user {
            return self.notice(
                user,
                Some(id),
                Message::text("Only the requester can rate a request."),
            );
        }
        match r.survey.state {
            SurveyState::AwaitingRating => {}
            SurveyState::NotSent => {
                let text = if r.status.is_active() {
                    format!("{id} isn't closed yet, so there's nothing to rate.")
                } else {
                    format!("There's no survey for {id}, so there's nothing to rate.")
                };
                return self.dm(user, Message::text(text), Some(id));
            }
            SurveyState::AwaitingComment | SurveyState::Done => {
                return self.dm(
                    user,
                    Message::text(format!("Your rating for {id} is already recorded. Thanks!")),
                    Some(id),
                )
            }
        }
        // Buttons only carry 1 to 5; anything else is read as the nearest end of the scale.
        let rating = rating.clamp(1, 5);
        let now = self.now;
        let r = self.request_mut(id).expect("checked above");
        r.survey.rating = Some(rating);
        r.survey.state = SurveyState::AwaitingComment;
        r.record(now, Some(user), Event::Rated { rating });
        self.cancel_timers(TimerFilter::SurveyReminder(id.clone()));
        self.dm(
            user,
            Message::with_choices(
                format!("Thanks for rating *{id}* {rating}/5! Anything you'd like to add? Type a comment, or skip."),
                vec![Choice::new("Skip", Action::NoComment(id.clone()))],
            ),
            Some(id),
        );
    }

    pub(super) fn survey_comment(&mut self, user: &UserRef, id: &RequestId, text: &str) {
        let Some(r) = self.request(id) else {
            return self.unknown_request(user, id);
        };
        if &r.requester != user || r.survey.state != SurveyState::AwaitingComment {
            return;
        }
        let now = self.now;
        let skipped = matches!(
            text.trim().to_lowercase().as_str(),
            "skip" | "no" | "none" | "-"
        );
        let r = self.request_mut(id).expect("checked above");
        r.survey.state = SurveyState::Done;
        if !skipped {
            let comment = clip(text.trim(), MAX_ANSWER_CHARS);
            r.survey.comment = Some(comment.clone());
            r.record(now, Some(user), Event::Commented { text: comment });
        }
        self.dm(
            user,
            Message::text("Thank you for your feedback!"),
            Some(id),
        );
    }

    pub(super) fn first_response_due(&mut self, id: &RequestId, round: u32) {
        let Some(r) = self.request(id) else { return };
        if !r.status.is_active() || r.first_response_at.is_some() {
            return;
        }
        let Some(dept) = self.department_of(r).cloned() else {
            return;
        };
        let waited = self.now - r.created_at;
        let now = self.now;
        let r = self.request_mut(id).expect("checked above");
        r.reminders_sent = round + 1;
        r.record(now, None, Event::Reminded { round: round + 1 });
        let who = if dept.escalate_to.is_empty() {
            String::new()
        } else {
            format!("{} ", mention(&dept.escalate_to))
        };
        self.send(Outgoing::ThreadPost {
            request: id.clone(),
            msg: Message::with_choices(
                format!(
                    "{who}⏰ *{id}* has waited {} without a response (service level: {}).",
                    text::duration(waited),
                    text::duration(dept.first_response_sla)
                ),
                vec![Choice::new("Claim", Action::Claim(id.clone()))],
            ),
        });
        self.schedule(
            now + dept.remind_every,
            TimerKind::FirstResponse {
                request: id.clone(),
                round: round + 1,
            },
        );
    }

    pub(super) fn survey_reminder_due(&mut self, id: &RequestId) {
        let Some(r) = self.request(id) else { return };
        if r.survey.state != SurveyState::AwaitingRating || r.status != Status::Closed {
            return;
        }
        let requester = r.requester.clone();
        let now = self.now;
        if let Some(r) = self.request_mut(id) {
            r.record(now, None, Event::SurveyReminded);
        }
        self.dm(
            &requester,
            Message::with_choices(
                format!("A quick reminder: how did we do with *{id}*? One click is enough."),
                rating_choices(id),
            ),
            Some(id),
        );
    }
}
