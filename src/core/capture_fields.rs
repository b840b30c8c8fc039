//! The department's required questions for a request filed from a channel message, asked in
//! that message's thread: one at a time, with a button per option for a choice question. The
//! requester answers by clicking or by writing the answer in the thread; until every required
//! question is answered, what they write there answers the open question instead of going to
//! the team.

use super::message::{Action, Arg, Choice, Message, Text};
use super::model::{Answer, Priority, Request};
use super::rules::{Department, Field, FieldKind};
use super::text::{clip, MAX_ANSWER_CHARS};
use super::typed::typed_choice;
use super::{Desk, Outgoing, RequestId, UserRef};

/// The answers a captured request starts with: every field of its department, unanswered.
pub(super) fn blank_answers(dept: &Department) -> Vec<Answer> {
    dept.fields
        .iter()
        .map(|f| Answer {
            field: f.id.clone(),
            prompt: f.prompt.clone(),
            value: None,
        })
        .collect()
}

/// The first required field of `dept` that `r` has no answer for, with its index.
fn open_question<'d>(r: &Request, dept: &'d Department) -> Option<(usize, &'d Field)> {
    dept.fields.iter().enumerate().find(|(_, f)| {
        f.required
            && r.answers
                .iter()
                .find(|a| a.field == f.id)
                .is_none_or(|a| a.value.is_none())
    })
}

impl Desk<'_> {
    /// The department of `id`, if the request was filed from a channel message and the
    /// rules still know its department.
    fn captured_department(&self, id: &RequestId) -> Option<Department> {
        let r = self.request(id).filter(|r| r.origin.is_some())?;
        self.rules.department(&r.department).cloned()
    }

    /// The open question of `id`, if one is still unanswered.
    pub(super) fn pending_field(&self, id: &RequestId) -> Option<(usize, Field)> {
        let dept = self.captured_department(id)?;
        let r = self.request(id)?;
        open_question(r, &dept).map(|(i, f)| (i, f.clone()))
    }

    /// Asks the next unanswered required question in the message's thread, if any.
    /// Returns whether it asked.
    pub(super) fn ask_next_field(&mut self, id: &RequestId, hint: Option<Text>) -> bool {
        let Some((index, field)) = self.pending_field(id) else {
            return false;
        };
        let choices = field_choices(id, index, &field);
        let msg = Message {
            lines: hint
                .into_iter()
                .chain([Text::new("capture-ask-field").arg("prompt", field.prompt.as_str())])
                .collect(),
            choices,
        };
        self.send(Outgoing::OriginReply {
            request: id.clone(),
            msg,
        });
        true
    }

    /// The requester wrote in the thread while a question is open: it answers it.
    pub(super) fn answer_field_in_thread(&mut self, id: &RequestId, text: &str) {
        let Some((index, field)) = self.pending_field(id) else {
            return;
        };
        let value = match &field.kind {
            FieldKind::Text => Some(clip(text, MAX_ANSWER_CHARS)),
            FieldKind::Choice(options) => {
                let offered = field_choices(id, index, &field);
                let by_number = text
                    .trim()
                    .parse::<usize>()
                    .ok()
                    .and_then(|n| n.checked_sub(1))
                    .and_then(|i| options.get(i));
                by_number
                    .or_else(|| options.iter().find(|o| o.eq_ignore_ascii_case(text.trim())))
                    .cloned()
                    .or_else(|| match typed_choice(text, &offered, &self.rules.buttons) {
                        Some(Action::FieldOption { option, .. }) => options.get(option).cloned(),
                        _ => None,
                    })
            }
        };
        match value {
            Some(v) => self.record_field(id, index, v),
            None => {
                let hint = match &field.kind {
                    FieldKind::Choice(options) => {
                        Text::new("hint-pick-option").arg("options", options.join(", "))
                    }
                    FieldKind::Text => Text::new("hint-type-answer"),
                };
                self.ask_next_field(id, Some(hint));
            }
        }
    }

    /// A button of a question in the thread: only the requester answers, and only the
    /// question still open.
    pub(super) fn field_option_clicked(
        &mut self,
        user: &UserRef,
        id: &RequestId,
        index: usize,
        option: usize,
    ) {
        let Some(r) = self.request(id) else {
            return self.unknown_request(user, id);
        };
        if &r.requester != user {
            let msg = Message::text(Text::new("capture-field-not-yours").arg("id", id));
            return self.notice(user, Some(id), msg);
        }
        let open = self.pending_field(id);
        let value = open
            .as_ref()
            .filter(|(i, _)| *i == index)
            .and_then(|(_, f)| match &f.kind {
                FieldKind::Choice(options) => options.get(option).cloned(),
                FieldKind::Text => None,
            });
        match value {
            Some(v) => self.record_field(id, index, v),
            // Answered already (a second click), or the department's questions changed.
            None if open.is_some() => {
                self.ask_next_field(id, Some(Text::new("hint-stale-button")));
            }
            None => {}
        }
    }

    fn record_field(&mut self, id: &RequestId, index: usize, value: String) {
        let Some(dept) = self.captured_department(id) else {
            return;
        };
        let Some(field) = dept.fields.get(index) else {
            return;
        };
        let Some(r) = self.request_mut(id) else {
            return;
        };
        match r.answers.iter_mut().find(|a| a.field == field.id) {
            Some(a) => a.value = Some(value.clone()),
            None => r.answers.push(Answer {
                field: field.id.clone(),
                prompt: field.prompt.clone(),
                value: Some(value.clone()),
            }),
        }
        if matches!(field.id.as_str(), "urgency" | "priority") {
            if let Some(p) = Priority::parse(&value) {
                r.priority = p;
            }
        }
        self.send(Outgoing::UpdateCard {
            request: id.clone(),
        });
        if !self.ask_next_field(id, None) {
            self.send(Outgoing::OriginReply {
                request: id.clone(),
                msg: Message::text(Text::new("capture-fields-done").arg("id", Arg::strong(id))),
            });
        }
    }
}

/// A button per option of a choice question; none for a text question.
fn field_choices(id: &RequestId, index: usize, field: &Field) -> Vec<Choice> {
    match &field.kind {
        FieldKind::Choice(options) => options
            .iter()
            .enumerate()
            .map(|(i, o)| {
                Choice::new(
                    Text::plain(o.clone()),
                    Action::FieldOption {
                        request: id.clone(),
                        field: index,
                        option: i,
                    },
                )
            })
            .collect(),
        FieldKind::Text => Vec::new(),
    }
}
