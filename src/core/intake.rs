//! The intake conversation: department, description, the department's questions, a summary
//! to confirm, then submit. `back`, `skip` and `cancel` work at every step; a wrong answer
//! re-asks the question with a short hint.

use super::message::{Action, Choice, Message};
use super::model::{Answer, Draft, Event, Priority, Request, Step};
use super::rules::{Department, FieldKind};
use super::text::{self, clip, MAX_ANSWER_CHARS};
use super::{Desk, Outgoing, RequestId, TimerFilter, TimerKind, UserRef};

/// "Yes!", "no." and "ok 👍" read as their word.
fn bare(s: &str) -> &str {
    s.trim_end_matches(|c: char| !c.is_alphanumeric()).trim()
}

fn is_yes(s: &str) -> bool {
    matches!(
        bare(s),
        "yes" | "y" | "yep" | "yeah" | "ok" | "okay" | "correct" | "right" | "sure"
    )
}

fn is_no(s: &str) -> bool {
    matches!(bare(s), "no" | "n" | "nope" | "wrong")
}

impl Desk<'_> {
    pub(super) fn start_intake(&mut self, user: &UserRef, first_words: Option<String>) {
        let restarting = self.session.draft.is_some();
        self.session.pending_reply = None;
        let summary = first_words
            .map(|w| clip(w.trim(), MAX_ANSWER_CHARS))
            .filter(|w| !w.is_empty());
        // "/help-it hr" names a team but says nothing about what is needed: confirm the team,
        // then ask for a description instead of filing "hr" as the summary.
        let names_team = summary
            .as_deref()
            .filter(|s| s.trim().trim_start_matches('#').parse::<usize>().is_err())
            .and_then(|s| self.rules.department_by_answer(s))
            .map(|d| d.id.clone());
        let summary = if names_team.is_some() { None } else { summary };
        let guess = names_team.or_else(|| {
            summary
                .as_deref()
                .and_then(|s| self.rules.guess_department(s))
                .map(|d| d.id.clone())
        });
        let step = match guess {
            Some(department) => Step::ConfirmDepartment { department },
            None => Step::ChooseDepartment,
        };
        self.session.draft = Some(Draft {
            started_at: self.now,
            last_activity: self.now,
            step,
            department: None,
            summary_given: summary.is_some(),
            summary,
            answers: Vec::new(),
        });
        if restarting {
            self.cancel_timers(TimerFilter::Draft(user.clone()));
        }
        self.schedule(
            self.now + self.rules.intake_timeout,
            TimerKind::DraftExpiry { user: user.clone() },
        );
        let mut msg = self.question(None);
        if restarting {
            msg.text = format!(
                "Starting a new request (the one you were writing is discarded).\n{}",
                msg.text
            );
        }
        self.dm(user, msg, None);
    }

    /// Drops a draft that outlived the intake timeout, telling the user. Returns whether it did.
    /// `starting_over` says the caller goes on to ask the first question again.
    pub(super) fn expire_stale_draft(&mut self, user: &UserRef, starting_over: bool) -> bool {
        let stale = self
            .session
            .draft
            .as_ref()
            .is_some_and(|d| self.now >= d.last_activity + self.rules.intake_timeout);
        if stale {
            self.session.draft = None;
            self.cancel_timers(TimerFilter::Draft(user.clone()));
            let msg = self.expired_message(starting_over);
            self.dm(user, msg, None);
        }
        stale
    }

    fn expired_message(&self, starting_over: bool) -> Message {
        let dropped = format!(
            "The request you were writing expired after {} without an answer, so I dropped it.",
            text::duration(self.rules.intake_timeout)
        );
        if starting_over {
            Message::text(format!("{dropped} Let's start again."))
        } else {
            Message::with_choices(
                format!("{dropped} Type `/help-it` (or message me `new request`) to start again."),
                vec![Choice::new("New request", Action::StartRequest)],
            )
        }
    }

    pub(super) fn draft_expiry_due(&mut self, user: &UserRef) {
        let Some(draft) = &self.session.draft else {
            return;
        };
        let due = draft.last_activity + self.rules.intake_timeout;
        if self.now >= due {
            self.expire_stale_draft(user, false);
        } else {
            // The user kept answering; look again when the draft could next expire.
            self.schedule(due, TimerKind::DraftExpiry { user: user.clone() });
        }
    }

    pub(super) fn cancel_draft(&mut self, user: &UserRef) {
        self.session.draft = None;
        self.cancel_timers(TimerFilter::Draft(user.clone()));
        self.dm(
            user,
            Message::with_choices(
                "Cancelled; nothing was sent. Start again whenever you need us.",
                vec![Choice::new("New request", Action::StartRequest)],
            ),
            None,
        );
    }

    fn draft_department(&self) -> Option<&Department> {
        let d = self.session.draft.as_ref()?;
        self.rules.department(d.department.as_deref()?)
    }

    /// The current question, with an optional hint in front when the last answer didn't fit.
    fn question(&self, hint: Option<&str>) -> Message {
        let Some(draft) = &self.session.draft else {
            return text::no_draft();
        };
        let mut choices = Vec::new();
        let body = match &draft.step {
            Step::ChooseDepartment => {
                for d in &self.rules.departments {
                    choices.push(Choice::new(
                        d.name.clone(),
                        Action::PickDepartment(d.id.clone()),
                    ));
                }
                "Which team can help? Pick one, or type its name or number.".to_string()
            }
            Step::ConfirmDepartment { department } => {
                let name = self
                    .rules
                    .department(department)
                    .map(|d| d.name.as_str())
                    .unwrap_or(department);
                choices.push(Choice::new(
                    format!("Yes, {name}"),
                    Action::ConfirmDepartment,
                ));
                choices.push(Choice::new("No, another team", Action::RejectDepartment));
                format!("It sounds like a request for *{name}*. Is that right?")
            }
            Step::Describe => {
                choices.push(Choice::new("Back", Action::Back));
                "In a sentence or two, what do you need?".to_string()
            }
            Step::Field { index } => {
                match self.draft_department().and_then(|d| d.fields.get(*index)) {
                    Some(field) => {
                        if let FieldKind::Choice(options) = &field.kind {
                            for (i, o) in options.iter().enumerate() {
                                choices.push(Choice::new(o.clone(), Action::PickOption(i)));
                            }
                        }
                        if !field.required {
                            choices.push(Choice::new("Skip", Action::Skip));
                        }
                        choices.push(Choice::new("Back", Action::Back));
                        if field.required {
                            field.prompt.clone()
                        } else {
                            format!("{} (optional)", field.prompt)
                        }
                    }
                    None => "Something changed in this team's questions; please type `back`."
                        .to_string(),
                }
            }
            Step::Confirm => {
                choices.push(Choice::new("Submit", Action::Submit));
                choices.push(Choice::new("Back", Action::Back));
                self.summary_text()
            }
        };
        choices.push(Choice::new("Cancel", Action::Cancel));
        let text = match hint {
            Some(h) => format!("{h}\n{body}"),
            None => body,
        };
        Message::with_choices(text, choices)
    }

    fn summary_text(&self) -> String {
        let (Some(draft), Some(dept)) = (&self.session.draft, self.draft_department()) else {
            return String::new();
        };
        let mut s = format!(
            "Please check your *{}* request:\n• What you need: {}",
            dept.name,
            draft.summary.as_deref().unwrap_or("")
        );
        for (field, answer) in dept.fields.iter().zip(&draft.answers) {
            s.push_str(&format!(
                "\n• {} {}",
                field.prompt,
                answer.as_deref().unwrap_or("—")
            ));
        }
        s.push_str("\nSubmit it?");
        s
    }

    fn ask(&mut self, user: &UserRef, hint: Option<&str>) {
        let msg = self.question(hint);
        self.dm(user, msg, None);
    }

    fn draft_mut(&mut self) -> &mut Draft {
        self.session
            .draft
            .as_mut()
            .expect("intake steps run only with a draft")
    }

    pub(super) fn intake_text(&mut self, user: &UserRef, text: &str) {
        self.draft_mut().last_activity = self.now;
        let lower = text.to_lowercase();
        match lower.as_str() {
            "cancel" | "stop" | "quit" => return self.cancel_draft(user),
            // Not an answer ("help" is nobody's device): say how answering works, ask again.
            "help" | "?" => {
                return self.ask(
                    user,
                    Some("Answer the question below; `back` goes to the previous question, `skip` skips an optional one, `cancel` stops."),
                )
            }
            "back" => return self.go_back(user),
            "skip" => return self.skip(user),
            _ => {}
        }
        let step = self.draft_mut().step.clone();
        match step {
            Step::ChooseDepartment => match self.rules.department_by_answer(text) {
                Some(d) => {
                    let id = d.id.clone();
                    self.choose_department(user, id);
                }
                None => {
                    let hint = format!(
                        "I didn't catch that: reply with a number from 1 to {} or a team's name.",
                        self.rules.departments.len()
                    );
                    self.ask(user, Some(&hint));
                }
            },
            Step::ConfirmDepartment { department } => {
                if is_yes(&lower) {
                    self.choose_department(user, department);
                } else if is_no(&lower) {
                    self.draft_mut().step = Step::ChooseDepartment;
                    self.ask(user, None);
                } else if let Some(d) = self.rules.department_by_answer(text) {
                    let id = d.id.clone();
                    self.choose_department(user, id);
                } else {
                    self.ask(
                        user,
                        Some("Please answer yes or no (or type the team's name)."),
                    );
                }
            }
            Step::Describe => {
                self.draft_mut().summary = Some(clip(text, MAX_ANSWER_CHARS));
                self.advance(user);
            }
            Step::Field { index } => self.answer_field(user, index, text),
            Step::Confirm => {
                if is_yes(&lower) || matches!(lower.as_str(), "submit" | "send") {
                    self.submit(user);
                } else {
                    self.ask(
                        user,
                        Some("Reply `submit` to send it, `back` to change an answer, or `cancel` to drop it."),
                    );
                }
            }
        }
    }

    pub(super) fn intake_action(&mut self, user: &UserRef, action: Action) {
        self.draft_mut().last_activity = self.now;
        let step = self.draft_mut().step.clone();
        let stale = "That button belongs to an earlier question.";
        match (action, step) {
            (Action::Cancel, _) => self.cancel_draft(user),
            (Action::Back, _) => self.go_back(user),
            (Action::Skip, _) => self.skip(user),
            (
                Action::PickDepartment(id),
                Step::ChooseDepartment | Step::ConfirmDepartment { .. },
            ) => {
                if self.rules.department(&id).is_some() {
                    self.choose_department(user, id);
                } else {
                    self.ask(
                        user,
                        Some("That team no longer exists; please pick another."),
                    );
                }
            }
            (Action::ConfirmDepartment, Step::ConfirmDepartment { department }) => {
                self.choose_department(user, department)
            }
            (Action::RejectDepartment, Step::ConfirmDepartment { .. }) => {
                self.draft_mut().step = Step::ChooseDepartment;
                self.ask(user, None);
            }
            (Action::PickOption(i), Step::Field { index }) => {
                let option =
                    self.draft_department()
                        .and_then(|d| match &d.fields.get(index)?.kind {
                            FieldKind::Choice(options) => options.get(i).cloned(),
                            FieldKind::Text => None,
                        });
                match option {
                    Some(o) => self.answer_field(user, index, &o),
                    None => self.ask(user, Some(stale)),
                }
            }
            (Action::Submit, Step::Confirm) => self.submit(user),
            _ => self.ask(user, Some(stale)),
        }
    }

    fn choose_department(&mut self, user: &UserRef, id: String) {
        let fields = self
            .rules
            .department(&id)
            .map(|d| d.fields.len())
            .unwrap_or(0);
        let draft = self.draft_mut();
        if draft.department.as_deref() != Some(id.as_str()) {
            draft.answers = vec![None; fields];
        }
        draft.department = Some(id);
        draft.step = Step::Describe;
        if draft.summary.is_some() {
            self.advance(user);
        } else {
            self.ask(user, None);
        }
    }

    /// Moves from the current step to the next unanswered one and asks it.
    fn advance(&mut self, user: &UserRef) {
        let fields = self.draft_department().map(|d| d.fields.len()).unwrap_or(0);
        let draft = self.draft_mut();
        draft.step = match draft.step {
            Step::Describe if fields > 0 => Step::Field { index: 0 },
            Step::Field { index } if index + 1 < fields => Step::Field { index: index + 1 },
            Step::Describe | Step::Field { .. } => Step::Confirm,
            ref other => other.clone(),
        };
        self.ask(user, None);
    }

    fn go_back(&mut self, user: &UserRef) {
        let fields = self.draft_department().map(|d| d.fields.len()).unwrap_or(0);
        let draft = self.draft_mut();
        let before_fields = if draft.summary_given {
            Step::ChooseDepartment
        } else {
            Step::Describe
        };
        draft.step = match draft.step {
            // The first question has nothing before it: ask it again.
            Step::ChooseDepartment => Step::ChooseDepartment,
            Step::ConfirmDepartment { ref department } => Step::ConfirmDepartment {
                department: department.clone(),
            },
            Step::Describe => Step::ChooseDepartment,
            Step::Field { index: 0 } => before_fields,
            Step::Field { index } => Step::Field { index: index - 1 },
            Step::Confirm if fields > 0 => Step::Field { index: fields - 1 },
            Step::Confirm => before_fields,
        };
        self.ask(user, None);
    }

    fn skip(&mut self, user: &UserRef) {
        let step = self.draft_mut().step.clone();
        let optional = match step {
            Step::Field { index } => self
                .draft_department()
                .and_then(|d| d.fields.get(index))
                .map(|f| !f.required),
            _ => None,
        };
        match (step, optional) {
            (Step::Field { index }, Some(true)) => {
                if let Some(slot) = self.draft_mut().answers.get_mut(index) {
                    *slot = None;
                }
                self.advance(user);
            }
            _ => self.ask(user, Some("This question can't be skipped.")),
        }
    }

    fn answer_field(&mut self, user: &UserRef, index: usize, text: &str) {
        let Some(field) = self
            .draft_department()
            .and_then(|d| d.fields.get(index))
            .cloned()
        else {
            return self.go_back(user);
        };
        let value = match &field.kind {
            FieldKind::Text => Some(clip(text, MAX_ANSWER_CHARS)),
            FieldKind::Choice(options) => {
                let by_number = text
                    .parse::<usize>()
                    .ok()
                    .and_then(|n| n.checked_sub(1))
                    .and_then(|i| options.get(i));
                by_number
                    .or_else(|| options.iter().find(|o| o.eq_ignore_ascii_case(text)))
                    .cloned()
            }
        };
        match value {
            Some(v) => {
                let draft = self.draft_mut();
                if draft.answers.len() <= index {
                    draft.answers.resize(index + 1, None);
                }
                draft.answers[index] = Some(v);
                self.advance(user);
            }
            None => {
                let hint = match &field.kind {
                    FieldKind::Choice(options) => format!(
                        "Please pick one of: {} (or its number).",
                        options.join(", ")
                    ),
                    FieldKind::Text => "Please type an answer.".to_string(),
                };
                self.ask(user, Some(&hint));
            }
        }
    }

    fn submit(&mut self, user: &UserRef) {
        let Some(draft) = self.session.draft.clone() else {
            return;
        };
        let Some(dept) = self.draft_department().cloned() else {
            self.draft_mut().step = Step::ChooseDepartment;
            return self.ask(
                user,
                Some("That team no longer exists; please pick another."),
            );
        };
        let missing =
            dept.fields.iter().enumerate().find(|(i, f)| {
                f.required && draft.answers.get(*i).and_then(|a| a.as_ref()).is_none()
            });
        if let Some((index, _)) = missing {
            self.draft_mut().step = Step::Field { index };
            return self.ask(user, Some("One required question is still unanswered."));
        }
        let answers: Vec<Answer> = dept
            .fields
            .iter()
            .enumerate()
            .map(|(i, f)| Answer {
                field: f.id.clone(),
                prompt: f.prompt.clone(),
                value: draft.answers.get(i).cloned().flatten(),
            })
            .collect();
        let priority = answers
            .iter()
            .filter(|a| matches!(a.field.as_str(), "urgency" | "priority"))
            .find_map(|a| a.value.as_deref().and_then(Priority::parse))
            .unwrap_or(Priority::Normal);
        let id = RequestId::new(dept.prefix.clone(), self.next_number.max(1));
        let mut request = Request {
            answers,
            priority,
            ..Request::new(
                id.clone(),
                dept.id.clone(),
                user.clone(),
                draft.summary.clone().unwrap_or_default(),
                self.now,
            )
        };
        request.record(self.now, Some(user), Event::Created);
        self.insert_request(request);
        self.session.draft = None;
        self.cancel_timers(TimerFilter::Draft(user.clone()));
        self.send(Outgoing::PostCard {
            request: id.clone(),
        });
        self.dm(
            user,
            Message::text(format!(
                "Thanks! Your request *{id}* is with {}. They aim to respond within {}; you'll hear from \
                 them right here. Reply here any time to add details.",
                dept.name,
                text::duration(dept.first_response_sla)
            )),
            Some(&id),
        );
        self.schedule(
            self.now + dept.first_response_sla,
            TimerKind::FirstResponse {
                request: id,
                round: 0,
            },
        );
    }
}
