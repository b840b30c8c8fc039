//! The intake conversation: department, description, the department's questions, a summary
//! to confirm, then submit. `back`, `skip` and `cancel` work at every step; a wrong answer
//! re-asks the question with a short hint.

use super::message::{Action, Arg, Choice, Command, Message, Text};
use super::model::{Answer, Draft, Event, Priority, Request, Step};
use super::rules::{Department, FieldKind};
use super::text::{self, clip, MAX_ANSWER_CHARS};
use super::typed::{typed_choice, typed_command, yes_team, Typed, TypedCommand};
use super::{Desk, Outgoing, RequestId, TimerFilter, TimerKind, UserRef};

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
            msg = msg.prefixed(Text::new("intake-restarted"));
        }
        // On Slack and Teams the conversation's first question also offers the form, with
        // every question at once, just before "Cancel"; the console has no forms.
        if matches!(
            user.platform,
            super::Platform::Slack | super::Platform::Teams
        ) {
            let at = msg.choices.len().saturating_sub(1);
            msg.choices.insert(
                at,
                Choice::new(Text::new("button-fill-form"), Action::OpenForm),
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
        let after = Arg::duration(self.rules.intake_timeout);
        if starting_over {
            Message::text(Text::new("draft-expired-restart").arg("after", after))
        } else {
            Message::with_choices(
                Text::new("draft-expired")
                    .arg("after", after)
                    .arg("command", Command::Start)
                    .arg("new", Arg::code("new request")),
                vec![text::new_request_choice()],
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
                Text::new("draft-cancelled"),
                vec![text::new_request_choice()],
            ),
            None,
        );
    }

    fn draft_department(&self) -> Option<&Department> {
        let d = self.session.draft.as_ref()?;
        self.rules.department(d.department.as_deref()?)
    }

    /// The current question, with an optional hint in front when the last answer didn't fit.
    fn question(&self, hint: Option<Text>) -> Message {
        let Some(draft) = &self.session.draft else {
            return text::no_draft();
        };
        let mut choices = Vec::new();
        let body = match &draft.step {
            Step::ChooseDepartment => {
                for d in &self.rules.departments {
                    choices.push(Choice::new(
                        Text::plain(d.name.clone()),
                        Action::PickDepartment(d.id.clone()),
                    ));
                }
                vec![Text::new("ask-department")]
            }
            Step::ConfirmDepartment { department } => {
                let name = self
                    .rules
                    .department(department)
                    .map(|d| d.name.as_str())
                    .unwrap_or(department);
                choices.push(Choice::new(yes_team(name), Action::ConfirmDepartment));
                choices.push(Choice::new(
                    Text::new("button-other-team"),
                    Action::RejectDepartment,
                ));
                vec![Text::new("ask-confirm-department").arg("team", Arg::strong(name))]
            }
            Step::Describe => {
                choices.push(Choice::new(Text::new("button-back"), Action::Back));
                vec![Text::new("ask-describe")]
            }
            Step::Field { index } => {
                match self.draft_department().and_then(|d| d.fields.get(*index)) {
                    Some(field) => {
                        if let FieldKind::Choice(options) = &field.kind {
                            for (i, o) in options.iter().enumerate() {
                                choices.push(Choice::new(
                                    Text::plain(o.clone()),
                                    Action::PickOption(i),
                                ));
                            }
                        }
                        if !field.required {
                            choices.push(Choice::new(Text::new("button-skip"), Action::Skip));
                        }
                        choices.push(Choice::new(Text::new("button-back"), Action::Back));
                        if field.required {
                            vec![Text::plain(field.prompt.clone())]
                        } else {
                            vec![Text::new("ask-optional").arg("prompt", field.prompt.as_str())]
                        }
                    }
                    None => vec![Text::new("ask-field-gone").arg("back", Arg::code("back"))],
                }
            }
            Step::Confirm => {
                choices.push(Choice::new(Text::new("button-submit"), Action::Submit));
                choices.push(Choice::new(Text::new("button-back"), Action::Back));
                self.summary_text()
            }
        };
        choices.push(Choice::new(Text::new("button-cancel"), Action::Cancel));
        Message {
            lines: hint.into_iter().chain(body).collect(),
            choices,
        }
    }

    fn summary_text(&self) -> Vec<Text> {
        let (Some(draft), Some(dept)) = (&self.session.draft, self.draft_department()) else {
            return vec![Text::plain("")];
        };
        let mut lines = vec![
            Text::new("summary-header").arg("team", Arg::strong(dept.name.as_str())),
            Text::new("summary-need").arg("summary", draft.summary.as_deref().unwrap_or("")),
        ];
        for (field, answer) in dept.fields.iter().zip(&draft.answers) {
            let answer: Arg = match answer {
                Some(a) => a.as_str().into(),
                None => Text::new("summary-no-answer").into(),
            };
            lines.push(
                Text::new("summary-answer")
                    .arg("prompt", field.prompt.as_str())
                    .arg("answer", answer),
            );
        }
        lines.push(Text::new("summary-submit"));
        lines
    }

    fn ask(&mut self, user: &UserRef, hint: Option<Text>) {
        let msg = self.question(hint);
        self.dm(user, msg, None);
    }

    fn draft_mut(&mut self) -> &mut Draft {
        self.session
            .draft
            .as_mut()
            .expect("intake steps run only with a draft")
    }

    /// A message typed while a request is being written. In order: a command typed alone
    /// ([`typed_command`]: `help`, `status`, `cancel`), then `back` and `skip`, then the label of
    /// one of the current question's buttons ([`typed_choice`]: it does what clicking does),
    /// and only then an answer to the question.
    pub(super) fn intake_text(&mut self, user: &UserRef, text: &str) {
        self.draft_mut().last_activity = self.now;
        // "Fill in a form", typed: a form opens only from its button, so say so; the draft
        // stays where it was.
        let form = [Choice::new(Text::new("button-fill-form"), Action::OpenForm)];
        if typed_choice(text, &form, &self.rules.buttons).is_some() {
            return self.form_unavailable(user);
        }
        match typed_command(text, &self.rules.buttons) {
            Some(TypedCommand::Cancel) => return self.cancel_draft(user),
            // Not an answer ("help" is nobody's device): say how answering works, ask again.
            Some(TypedCommand::Help) => {
                return self.ask(
                    user,
                    Some(
                        Text::new("hint-help")
                            .arg("back", Arg::code("back"))
                            .arg("skip", Arg::code("skip"))
                            .arg("cancel", Arg::code("cancel")),
                    ),
                )
            }
            // An agent's queue, then the open question again.
            Some(TypedCommand::Queue) => {
                let queue = self.show_queue(user, None);
                let question = self.question(None);
                let msg = Message {
                    lines: queue.lines.into_iter().chain(question.lines).collect(),
                    choices: question.choices,
                };
                return self.dm(user, msg, None);
            }
            // The requests already filed, then the open question again: the draft stays where
            // it was.
            Some(TypedCommand::Status) => {
                let status = self.status_message(user);
                let question = self.question(None);
                let msg = Message {
                    lines: status.lines.into_iter().chain(question.lines).collect(),
                    choices: question.choices,
                };
                return self.dm(user, msg, None);
            }
            None => {}
        }
        if self.rules.buttons.says(Typed::Back, text) {
            return self.go_back(user);
        }
        if self.rules.buttons.says(Typed::Skip, text) {
            return self.skip(user);
        }
        let offered = self.question(None).choices;
        if let Some(action) = typed_choice(text, &offered, &self.rules.buttons) {
            return self.intake_action(user, action);
        }
        let step = self.draft_mut().step.clone();
        match step {
            Step::ChooseDepartment => match self.rules.department_by_answer(text) {
                Some(d) => {
                    let id = d.id.clone();
                    self.choose_department(user, id);
                }
                None => {
                    let hint =
                        Text::new("hint-department").arg("count", self.rules.departments.len());
                    self.ask(user, Some(hint));
                }
            },
            Step::ConfirmDepartment { department } => {
                if self.rules.buttons.says(Typed::Yes, text) {
                    self.choose_department(user, department);
                } else if self.rules.buttons.says(Typed::No, text) {
                    self.draft_mut().step = Step::ChooseDepartment;
                    self.ask(user, None);
                } else if let Some(d) = self.rules.department_by_answer(text) {
                    let id = d.id.clone();
                    self.choose_department(user, id);
                } else {
                    self.ask(user, Some(Text::new("hint-yes-no")));
                }
            }
            Step::Describe => {
                self.draft_mut().summary = Some(clip(text, MAX_ANSWER_CHARS));
                self.advance(user);
            }
            Step::Field { index } => self.answer_field(user, index, text),
            Step::Confirm => {
                let lower = text.to_lowercase();
                if self.rules.buttons.says(Typed::Yes, text)
                    || matches!(lower.as_str(), "submit" | "send")
                {
                    self.submit(user);
                } else {
                    self.ask(
                        user,
                        Some(
                            Text::new("hint-confirm")
                                .arg("submit", Arg::code("submit"))
                                .arg("back", Arg::code("back"))
                                .arg("cancel", Arg::code("cancel")),
                        ),
                    );
                }
            }
        }
    }

    pub(super) fn intake_action(&mut self, user: &UserRef, action: Action) {
        self.draft_mut().last_activity = self.now;
        let step = self.draft_mut().step.clone();
        let stale = || Some(Text::new("hint-stale-button"));
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
                    self.ask(user, Some(Text::new("hint-team-gone")));
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
                    None => self.ask(user, stale()),
                }
            }
            (Action::Submit, Step::Confirm) => self.submit(user),
            _ => self.ask(user, stale()),
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
            _ => self.ask(user, Some(Text::new("hint-cannot-skip"))),
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
                    FieldKind::Choice(options) => {
                        Text::new("hint-pick-option").arg("options", options.join(", "))
                    }
                    FieldKind::Text => Text::new("hint-type-answer"),
                };
                self.ask(user, Some(hint));
            }
        }
    }

    fn submit(&mut self, user: &UserRef) {
        let Some(draft) = self.session.draft.clone() else {
            return;
        };
        let Some(dept) = self.draft_department().cloned() else {
            self.draft_mut().step = Step::ChooseDepartment;
            return self.ask(user, Some(Text::new("hint-team-gone")));
        };
        let missing =
            dept.fields.iter().enumerate().find(|(i, f)| {
                f.required && draft.answers.get(*i).and_then(|a| a.as_ref()).is_none()
            });
        if let Some((index, _)) = missing {
            self.draft_mut().step = Step::Field { index };
            return self.ask(user, Some(Text::new("hint-required-missing")));
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
        self.session.draft = None;
        self.cancel_timers(TimerFilter::Draft(user.clone()));
        let summary = draft.summary.clone().unwrap_or_default();
        self.file_request(user, user, &dept, summary, answers);
    }

    /// Files a request for `requester` (filed by `filer`: the same person, or someone who
    /// filed it for them from their message): the card, the requester's confirmation, the
    /// service-level clocks and the department's assignment rule.
    pub(super) fn file_request(
        &mut self,
        filer: &UserRef,
        requester: &UserRef,
        dept: &super::Department,
        summary: String,
        answers: Vec<Answer>,
    ) -> RequestId {
        let user = requester;
        let priority = answers
            .iter()
            .filter(|a| matches!(a.field.as_str(), "urgency" | "priority"))
            .find_map(|a| a.value.as_deref().and_then(Priority::parse))
            .unwrap_or(Priority::Normal);
        let id = RequestId::new(dept.prefix.clone(), self.next_number.max(1));
        let mut request = Request {
            answers,
            priority,
            ..Request::new(id.clone(), dept.id.clone(), user.clone(), summary, self.now)
        };
        request.record(self.now, Some(filer), Event::Created);
        self.insert_request(request);
        self.send(Outgoing::PostCard {
            request: id.clone(),
        });
        let mut confirmation = Message::text(
            Text::new("submitted")
                .arg("id", Arg::strong(&id))
                .arg("team", dept.name.as_str())
                .arg("sla", Arg::duration(dept.first_response_sla)),
        );
        if let Some(by) = self.request(&id).and_then(|r| self.first_response_by(r)) {
            confirmation = confirmation.line(Text::new("first-response-by").arg("when", by));
        }
        self.dm(user, confirmation, Some(&id));
        self.start_clocks(&id);
        self.auto_assign(&id);
        id
    }
}
