//! The request form on Slack: opening it (the "Fill in a form" button, the App Home, the
//! "New request" shortcut, `/help-it` with `slack.slash_opens = "form"`, and the "Create
//! request" message shortcut prefilled from a message), redrawing it when a department is
//! chosen, and handing a submission to the core, whose field errors go back to Slack as
//! `response_action: errors`.

use super::blocks::{self, FormState};
use super::handle::{Inbound, Refusal, Reply};
use super::payload::ShortcutOn;
use crate::core::{FormAnswers, Input, Platform, UserRef, DEPARTMENT_KEY, SUMMARY_KEY};
use crate::i18n::Words;
use serde_json::json;
use std::collections::BTreeMap;
use tracing::Instrument;

/// The global shortcut's `callback_id` ("New request").
pub const NEW_REQUEST_SHORTCUT: &str = "new_request";
/// The message shortcut's `callback_id` ("Create request").
pub const CREATE_REQUEST_SHORTCUT: &str = "create_request";

impl Inbound {
    fn form_words<T>(&self, user: &str, f: impl FnOnce(&Words<'_>) -> T) -> T {
        let messages = crate::config::current(&self.config).messages();
        let locale = messages.locale_for(self.locales.cached(user).flatten().as_deref());
        f(&Words::new(&messages, locale))
    }

    /// Opens the form; false if Slack refused (the trigger expired, say).
    pub(super) async fn open_form(&self, user: &str, trigger: &str, state: FormState) -> bool {
        let rules = self.engine.rules();
        let view = self.form_words(user, |w| blocks::form_modal(&rules.departments, &state, w));
        match self.api.views_open(trigger, view).await {
            Ok(()) => true,
            Err(e) => {
                tracing::warn!(error = %crate::telemetry::chain(&e), "could not open the request form");
                false
            }
        }
    }

    /// A shortcut: "New request" opens the form; "Create request" opens it prefilled with
    /// the message's words and link, for the message's author.
    pub(super) async fn on_shortcut(
        &self,
        user: &str,
        callback_id: &str,
        trigger: &str,
        message: Option<ShortcutOn>,
    ) {
        let state = match (callback_id, message) {
            (NEW_REQUEST_SHORTCUT, _) => FormState::default(),
            (CREATE_REQUEST_SHORTCUT, Some(m)) => {
                let link = self.api.permalink(&m.channel, &m.ts).await.ok();
                let summary = match link {
                    Some(link) => format!("{}\n\n{link}", m.text.trim()),
                    None => m.text.trim().to_string(),
                };
                FormState {
                    department: None,
                    summary,
                    requester: m.author.or_else(|| Some(user.to_string())),
                }
            }
            (other, _) => {
                tracing::debug!(callback_id = other, "a shortcut that isn't ours");
                return;
            }
        };
        let span = tracing::info_span!("slack.shortcut", %user, callback_id);
        self.open_form(user, trigger, state).instrument(span).await;
    }

    /// A department was chosen in the form: it is drawn again with that department's fields.
    pub(super) async fn form_department_chosen(
        &self,
        user: &str,
        view_id: &str,
        hash: Option<&str>,
        department: &str,
        metadata: &str,
    ) {
        let state = FormState {
            department: Some(department.to_string()),
            ..FormState::parse(metadata)
        };
        let rules = self.engine.rules();
        let view = self.form_words(user, |w| blocks::form_modal(&rules.departments, &state, w));
        if let Err(e) = self.api.views_update(view_id, hash, view).await {
            tracing::warn!(error = %crate::telemetry::chain(&e), "could not update the request form");
        }
    }

    /// The form was submitted: the core files it or sends it back field by field.
    ///
    /// # Errors
    /// The step could not be applied (Slack then shows an error and the person can retry).
    pub(super) async fn on_form_submission(
        &self,
        user: String,
        view_id: Option<String>,
        by_block: BTreeMap<String, String>,
    ) -> Result<Reply, Refusal> {
        let mut fields = Vec::new();
        for (block, value) in &by_block {
            if let Some(field) = block.strip_prefix("field:") {
                fields.push((field.to_string(), value.clone()));
            }
        }
        let form = FormAnswers {
            department: by_block
                .get(blocks::DEPARTMENT_BLOCK)
                .cloned()
                .unwrap_or_default(),
            summary: by_block
                .get(blocks::SUMMARY_BLOCK)
                .cloned()
                .unwrap_or_default(),
            fields,
            requester: by_block
                .get(blocks::REQUESTER_BLOCK)
                .map(|u| UserRef::new(Platform::Slack, u.as_str())),
        };
        let span = tracing::info_span!("slack.form", %user, request_id = tracing::field::Empty);
        let outcome = self
            .step(
                Input::FormSubmitted {
                    user: Inbound::slack_user(&user),
                    form,
                },
                view_id
                    .map(|v| format!("slack:view:{v}"))
                    .into_iter()
                    .collect(),
            )
            .instrument(span)
            .await?;
        if outcome.form_errors.is_empty() {
            return Ok(None);
        }
        let errors: serde_json::Map<String, serde_json::Value> = self.form_words(&user, |w| {
            outcome
                .form_errors
                .iter()
                .map(|(key, text)| {
                    let block = match key.as_str() {
                        DEPARTMENT_KEY => blocks::DEPARTMENT_BLOCK.to_string(),
                        SUMMARY_KEY => blocks::SUMMARY_BLOCK.to_string(),
                        field => blocks::field_block(field),
                    };
                    (block, json!(w.format(text, &mut crate::i18n::Plain)))
                })
                .collect()
        });
        Ok(Some(json!({"response_action": "errors", "errors": errors})))
    }
}
