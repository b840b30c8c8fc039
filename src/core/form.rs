//! Requests filed with a form (a Slack modal) instead of the conversation: the same
//! department, fields and checks, all at once. A form with a missing or wrong answer is sent
//! back with an error next to each field ([`Effect::FormErrors`]); a complete one is filed
//! exactly as the conversation files it.

use super::message::{Message, Text};
use super::model::Answer;
use super::rules::FieldKind;
use super::text::{clip, MAX_ANSWER_CHARS};
use super::{Desk, Effect, UserRef};

/// The form's key for the summary, as [`Effect::FormErrors`] names it.
pub const SUMMARY_KEY: &str = "summary";
/// The form's key for the department.
pub const DEPARTMENT_KEY: &str = "department";

/// What a submitted form says.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct FormAnswers {
    /// The department's id.
    pub department: String,
    pub summary: String,
    /// Field id → what was entered or chosen; a field left empty is absent.
    pub fields: Vec<(String, String)>,
    /// Who the request is for, when the person filing chose someone else (a message's
    /// author); `None`: themselves.
    #[serde(default)]
    pub requester: Option<UserRef>,
}

impl Desk<'_> {
    /// A form was submitted by `user`.
    pub(super) fn form_submitted(&mut self, user: &UserRef, form: FormAnswers) {
        let Some(dept) = self.rules.department(&form.department).cloned() else {
            let text = Text::new("form-pick-department");
            return self
                .effects
                .push(Effect::FormErrors(vec![(DEPARTMENT_KEY.to_string(), text)]));
        };
        let mut errors = Vec::new();
        let summary = clip(form.summary.trim(), MAX_ANSWER_CHARS);
        if summary.is_empty() {
            errors.push((SUMMARY_KEY.to_string(), Text::new("form-say-what")));
        }
        let mut answers = Vec::new();
        for field in &dept.fields {
            let given = form
                .fields
                .iter()
                .find(|(id, _)| id == &field.id)
                .map(|(_, v)| v.trim())
                .filter(|v| !v.is_empty());
            let value = match (&field.kind, given) {
                (_, None) if field.required => {
                    errors.push((field.id.clone(), Text::new("form-required")));
                    None
                }
                (_, None) => None,
                (FieldKind::Text, Some(v)) => Some(clip(v, MAX_ANSWER_CHARS)),
                (FieldKind::Choice(options), Some(v)) => {
                    match options.iter().find(|o| o.eq_ignore_ascii_case(v)) {
                        Some(o) => Some(o.clone()),
                        None => {
                            errors.push((
                                field.id.clone(),
                                Text::new("hint-pick-option").arg("options", options.join(", ")),
                            ));
                            None
                        }
                    }
                }
            };
            answers.push(Answer {
                field: field.id.clone(),
                prompt: field.prompt.clone(),
                value,
            });
        }
        if !errors.is_empty() {
            return self.effects.push(Effect::FormErrors(errors));
        }
        let requester = form.requester.clone().unwrap_or_else(|| user.clone());
        let id = self.file_request(user, &requester, &dept, summary, answers);
        if &requester != user {
            self.notice(
                user,
                Some(&id),
                Message::text(
                    Text::new("form-filed-for")
                        .arg("id", &id)
                        .arg("user", &requester),
                ),
            );
        }
    }

    /// "Fill in a form" reached the core: the platform could not show the form (the click
    /// was typed, or the form failed to open), so the conversation goes on.
    pub(super) fn form_unavailable(&mut self, user: &UserRef) {
        self.dm(user, Message::text(Text::new("form-unavailable")), None);
    }
}
