//! A submitted request's life: claim, close, reopen, cancel, the
//! satisfaction survey and the service-level reminders.

use super::message::{Action, Arg, Choice, Message, Text};
use super::model::{Event, Status, SurveyState};
use super::survey::{cooling_down, last_survey_elsewhere, may_ask};
use super::text::{self, clip, MAX_ANSWER_CHARS};
use super::{Desk, Outgoing, PostRef, Request, RequestId, TimerFilter, TimerKind, UserRef};

/// The survey's buttons: a rating from 1 to 5.
pub(super) fn rating_choices(id: &RequestId) -> Vec<Choice> {
    const LABELS: [&str; 5] = ["rating-1", "rating-2", "rating-3", "rating-4", "rating-5"];
    LABELS
        .iter()
        .zip(1u8..)
        .map(|(label, n)| Choice::new(Text::new(label), Action::Rate(id.clone(), n)))
        .collect()
}

/// "you" when the reader did it, else a mention of who did.
fn who_did(user: &UserRef, reader: &UserRef) -> Arg {
    if user == reader {
        Text::new("you").into()
    } else {
        user.into()
    }
}

impl Desk<'_> {
    pub(super) fn department_of(&self, r: &Request) -> Option<&super::Department> {
        self.rules.department(&r.department)
    }

    pub(super) fn is_agent_for(&self, user: &UserRef, r: &Request) -> bool {
        self.department_of(r).is_some_and(|d| d.is_agent(&user.id))
    }

    pub(super) fn unknown_request(&mut self, user: &UserRef, id: &RequestId) {
        self.notice(
            user,
            None,
            Message::text(Text::new("request-unknown").arg("id", id)),
        );
    }

    /// Records the first response once: claim, reply or close all count, and stop the chase.
    pub(super) fn responded(&mut self, id: &RequestId) {
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
                Text::new("status-none"),
                vec![text::new_request_choice()],
            );
        }
        mine.sort_by_key(|r| r.created_at);
        let mut msg = Message::text(Text::new("status-header"));
        for r in mine {
            let who = match &r.assignee {
                Some(a) => Text::new("status-with").arg("user", a),
                None => Text::new("status-waiting"),
            };
            msg = msg.line(
                Text::new("status-line")
                    .arg("id", Arg::strong(&r.id))
                    .arg("summary", clip(&r.summary, 60))
                    .arg("status", text::status(r.status))
                    .arg("who", who),
            );
        }
        msg
    }

    pub(super) fn cancel_request(&mut self, user: &UserRef, id: &RequestId, by_command: bool) {
        let say = |desk: &mut Self, text: Text| {
            if by_command {
                desk.reply(Message::text(text));
            } else {
                desk.dm(user, Message::text(text), Some(id));
            }
        };
        let Some(r) = self.request(id) else {
            return say(
                self,
                Text::new("cancel-unknown")
                    .arg("id", id)
                    .arg("status", super::Command::Status),
            );
        };
        if &r.requester != user {
            return say(self, Text::new("cancel-not-yours").arg("id", id));
        }
        if !r.status.is_active() {
            let status = text::status(r.status);
            return say(
                self,
                Text::new("request-already")
                    .arg("id", id)
                    .arg("status", status),
            );
        }
        let now = self.now;
        let r = self.request_mut(id).expect("checked above");
        r.status = Status::Cancelled;
        r.closed_at = Some(now);
        r.record(now, Some(user), Event::Cancelled);
        let department = r.department.clone();
        self.cancel_timers(TimerFilter::AllFor(id.clone()));
        self.schedule_retention(id);
        self.send(Outgoing::UpdateCard {
            request: id.clone(),
        });
        // A confidential department's channel doesn't learn who asked.
        let cancelled = if self.rules.is_confidential(&department) {
            Text::new("thread-cancelled-hidden")
        } else {
            Text::new("thread-cancelled").arg("user", user)
        };
        self.send(Outgoing::ThreadPost {
            request: id.clone(),
            msg: Message::text(cancelled),
        });
        say(self, Text::new("cancelled").arg("id", id));
    }

    pub(super) fn claim(&mut self, user: &UserRef, id: &RequestId) {
        let Some(r) = self.request(id) else {
            return self.unknown_request(user, id);
        };
        let refusal = if !self.is_agent_for(user, r) {
            let team: Arg = match self.department_of(r) {
                Some(d) => d.name.as_str().into(),
                None => Text::new("this-team").into(),
            };
            Some(Text::new("claim-not-agent").arg("team", team).arg("id", id))
        } else {
            match (&r.status, &r.assignee) {
                (Status::Claimed, Some(a)) if a == user => {
                    Some(Text::new("claim-already-yours").arg("id", id))
                }
                (Status::Claimed, Some(a)) => {
                    Some(Text::new("claim-taken").arg("id", id).arg("user", a))
                }
                (Status::Closed | Status::Cancelled, _) => Some(
                    Text::new("claim-closed")
                        .arg("id", id)
                        .arg("status", text::status(r.status)),
                ),
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
        self.responded(id);
        self.send(Outgoing::UpdateCard {
            request: id.clone(),
        });
        self.tell_requester(
            id,
            Message::text(
                Text::new("claimed")
                    .arg("user", user)
                    .arg("id", Arg::strong(id)),
            ),
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
            Some(Text::new("close-not-allowed").arg("id", id))
        } else if !r.status.is_active() {
            Some(
                Text::new("request-already")
                    .arg("id", id)
                    .arg("status", text::status(r.status)),
            )
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
        let ask_survey = self.survey_wanted(r, user);
        let remind = self.rules.survey_reminders > 0;
        let remind_after = self.rules.survey_remind_after;
        let r = self.request_mut(id).expect("checked above");
        r.status = Status::Closed;
        r.closed_at = Some(now);
        r.record(now, Some(user), Event::Closed);
        let requester = r.requester.clone();
        if ask_survey {
            r.survey.state = SurveyState::AwaitingRating;
            r.survey.sent_at = Some(now);
        }
        self.responded(id);
        self.cancel_timers(TimerFilter::FirstResponse(id.clone()));
        self.stop_service_clocks(id);
        self.schedule_retention(id);
        self.send(Outgoing::UpdateCard {
            request: id.clone(),
        });
        let mut told = Message::text(
            Text::new("closed-by")
                .arg("id", Arg::strong(id))
                .arg("who", who_did(user, &requester)),
        );
        // A rating is the requester's own word about named colleagues: it is asked in
        // private, also when the request lives in a channel thread.
        if ask_survey && self.requester_in_thread(id) {
            told = told.line(Text::new("survey-sent-by-dm"));
        }
        self.tell_requester(id, told);
        if ask_survey {
            self.dm(
                &requester,
                Message::with_choices(
                    Text::new("survey-ask").arg("id", Arg::strong(id)),
                    rating_choices(id),
                ),
                Some(id),
            );
            if remind {
                self.schedule(
                    now + remind_after,
                    TimerKind::SurveyReminder {
                        request: id.clone(),
                    },
                );
            }
        }
    }

    /// Whether closing `r` (by `closer`) sends its requester a survey: it may be asked
    /// ([`super::survey::may_ask`]) and the requester was sent no survey about another
    /// request within the cooldown.
    fn survey_wanted(&self, r: &Request, closer: &UserRef) -> bool {
        if !may_ask(self.rules, r, closer) {
            return false;
        }
        let loaded = last_survey_elsewhere(&self.requests, &r.requester, &r.id);
        let last = loaded.max(self.last_survey_elsewhere.get(&r.id).copied());
        !cooling_down(self.rules, last, self.now)
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
                    Text::new("reopen-not-closed")
                        .arg("id", id)
                        .arg("status", text::status(r.status))
                } else {
                    Text::new("reopen-not-allowed").arg("id", id)
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
        let withdrawn = r.survey.state == SurveyState::AwaitingRating;
        match r.survey.state {
            // The survey asked about a closed request; it isn't closed any more, so the survey
            // is withdrawn: no reminder, and a late rating is answered as such. A new close
            // may ask again.
            SurveyState::AwaitingRating => r.survey.state = SurveyState::NotSent,
            // The rating stands, but the requester's next message is for the team now, not a
            // survey comment.
            SurveyState::AwaitingComment | SurveyState::AwaitingThanks => {
                r.survey.state = SurveyState::Done
            }
            SurveyState::NotSent | SurveyState::Done => {}
        }
        let requester = r.requester.clone();
        self.cancel_timers(TimerFilter::SurveyReminder(id.clone()));
        self.resume_resolution_clock(id);
        self.send(Outgoing::UpdateCard {
            request: id.clone(),
        });
        let mut told = Message::text(
            Text::new("reopened-by")
                .arg("id", Arg::strong(id))
                .arg("who", who_did(user, &requester)),
        );
        if withdrawn {
            told = told.line(Text::new("survey-withdrawn"));
        }
        self.tell_requester(id, told);
    }

    /// Records a rating; `clicked` is the survey message whose button gave it, if known.
    pub(super) fn rate(
        &mut self,
        user: &UserRef,
        id: &RequestId,
        rating: u8,
        clicked: Option<PostRef>,
    ) {
        let Some(r) = self.request(id) else {
            return self.unknown_request(user, id);
        };
        if &r.requester != user {
            return self.notice(user, Some(id), Message::text(Text::new("rate-not-yours")));
        }
        match r.survey.state {
            SurveyState::AwaitingRating => {}
            SurveyState::NotSent if r.survey.sent_at.is_some() => {
                // Sent, then withdrawn by a reopen: a click on that old survey. Where the
                // platform can replace it, it says so in its place and can't be clicked again.
                let msg = Message::text(Text::new("rate-withdrawn").arg("id", id));
                return match clicked {
                    Some(post) => self.send(Outgoing::ReplacePost {
                        to: user.clone(),
                        request: id.clone(),
                        post,
                        msg,
                    }),
                    None => self.dm(user, msg, Some(id)),
                };
            }
            SurveyState::NotSent => {
                let text = if r.status.is_active() {
                    Text::new("rate-not-closed").arg("id", id)
                } else {
                    Text::new("rate-no-survey").arg("id", id)
                };
                return self.dm(user, Message::text(text), Some(id));
            }
            SurveyState::AwaitingComment | SurveyState::Done | SurveyState::AwaitingThanks => {
                return self.dm(
                    user,
                    Message::text(Text::new("rate-already").arg("id", id)),
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
        self.session.note_for = Some((id.clone(), now));
        self.cancel_timers(TimerFilter::SurveyReminder(id.clone()));
        if let Some(post) = clicked {
            // Rated, so the survey's buttons have done their job: say thanks in their place.
            self.send(Outgoing::ReplacePost {
                to: user.clone(),
                request: id.clone(),
                post,
                msg: Message::text(
                    Text::new("survey-answered")
                        .arg("id", Arg::strong(id))
                        .arg("rating", rating),
                ),
            });
        }
        self.dm(
            user,
            Message::with_choices(
                Text::new("survey-rated")
                    .arg("id", Arg::strong(id))
                    .arg("rating", rating),
                vec![Choice::new(
                    Text::new("button-skip"),
                    Action::NoComment(id.clone()),
                )],
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
        // The skip button's words ("Skip", "Überspringen") skip as clicking it does.
        let skip = [Choice::new(
            Text::new("button-skip"),
            Action::NoComment(id.clone()),
        )];
        let skipped = matches!(
            text.trim().to_lowercase().as_str(),
            "skip" | "no" | "none" | "-"
        ) || super::typed::typed_choice(text, &skip, &self.rules.buttons).is_some();
        self.session.note_for = None;
        let r = self.request_mut(id).expect("checked above");
        r.survey.state = SurveyState::Done;
        if !skipped {
            let comment = clip(text.trim(), MAX_ANSWER_CHARS);
            r.survey.comment = Some(comment.clone());
            r.record(now, Some(user), Event::Commented { text: comment });
        }
        self.survey_done(user, id);
    }

    pub(super) fn first_response_due(&mut self, id: &RequestId, round: u32) {
        let Some(r) = self.request(id) else { return };
        if !r.status.is_active() || r.first_response_at.is_some() {
            return;
        }
        let Some(dept) = self.department_of(r).cloned() else {
            return;
        };
        let r = r.clone();
        let Some(waited) = self.first_response_chase(&r, round) else {
            return;
        };
        let next = self.next_first_response_reminder(&r);
        let now = self.now;
        let r = self.request_mut(id).expect("checked above");
        r.reminders_sent = round + 1;
        r.record(now, None, Event::Reminded { round: round + 1 });
        let platform = r.requester.platform;
        let reminder = if dept.escalate_to.is_empty() {
            Text::new("reminder")
        } else {
            // The person to escalate to is configured as a platform id on the request's platform.
            let lead = UserRef::new(platform, dept.escalate_to.clone());
            Text::new("reminder-escalated").arg("user", &lead)
        };
        self.send(Outgoing::ThreadPost {
            request: id.clone(),
            msg: Message::with_choices(
                reminder
                    .arg("id", Arg::strong(id))
                    .arg("waited", Arg::duration(waited))
                    .arg("sla", Arg::duration(dept.first_response_sla)),
                vec![Choice::new(
                    Text::new("button-claim"),
                    Action::Claim(id.clone()),
                )],
            ),
        });
        self.schedule(
            next,
            TimerKind::FirstResponse {
                request: id.clone(),
                round: round + 1,
            },
        );
    }

    /// Reminds the requester of an unanswered survey, up to the configured number of times,
    /// each `survey_remind_after` after the last.
    pub(super) fn survey_reminder_due(&mut self, id: &RequestId) {
        let Some(r) = self.request(id) else { return };
        if r.survey.state != SurveyState::AwaitingRating || r.status != Status::Closed {
            return;
        }
        let sent = r.survey_reminders_sent();
        let allowed = self.rules.survey_reminders;
        if sent >= allowed {
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
                Text::new("survey-reminder").arg("id", Arg::strong(id)),
                rating_choices(id),
            ),
            Some(id),
        );
        if sent + 1 < allowed {
            self.schedule(
                now + self.rules.survey_remind_after,
                TimerKind::SurveyReminder {
                    request: id.clone(),
                },
            );
        }
    }
}
