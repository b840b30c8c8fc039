//! The request form: a modal that asks for the department first, then (updated in place
//! when one is chosen) that department's fields and a summary. The core checks and files
//! what is submitted; this only draws it.

use super::*;
use crate::core::{Department, FieldKind};
use serde::{Deserialize, Serialize};

/// The form's `callback_id`.
pub const FORM_MODAL: &str = "fd_form";
/// The department select's `action_id`: choosing one redraws the form.
pub const FORM_DEPARTMENT: &str = "fd_form_department";
/// Block ids, as errors name them.
pub const DEPARTMENT_BLOCK: &str = "department";
pub const SUMMARY_BLOCK: &str = "summary";
pub const REQUESTER_BLOCK: &str = "requester";

/// The block of a department's field.
pub fn field_block(id: &str) -> String {
    format!("field:{id}")
}

/// What the form carries between its steps, in its `private_metadata`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FormState {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub department: Option<String>,
    /// The words to start the summary with (a message shortcut's message and link).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub summary: String,
    /// The person the request is for, when filed from someone's message.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub requester: Option<String>,
}

impl FormState {
    pub fn parse(metadata: &str) -> FormState {
        serde_json::from_str(metadata).unwrap_or_default()
    }
}

fn option(label: &str, value: &str) -> SlackBlockChoiceItem<SlackBlockPlainTextOnly> {
    SlackBlockChoiceItem::new(plain(label, 75), value.to_string())
}

/// The form: departments to choose from, then the chosen one's questions.
pub fn form_modal(departments: &[Department], state: &FormState, words: &Words<'_>) -> SlackView {
    let chosen = state
        .department
        .as_deref()
        .and_then(|id| departments.iter().find(|d| d.id == id));
    let options: Vec<_> = departments.iter().map(|d| option(&d.name, &d.id)).collect();
    let mut select = SlackBlockStaticSelectElement::new()
        .with_action_id(FORM_DEPARTMENT.into())
        .with_options(options)
        .with_placeholder(plain(&words.word("form-department-placeholder"), 150));
    if let Some(d) = chosen {
        select = select.with_initial_option(option(&d.name, &d.id));
    }
    let mut blocks: Vec<SlackBlock> = vec![SlackInputBlock::new(
        plain(&words.word("form-department"), 2000),
        SlackInputBlockElement::StaticSelect(select),
    )
    .with_block_id(DEPARTMENT_BLOCK.into())
    .with_dispatch_action(true)
    .into()];
    if let Some(requester) = &state.requester {
        let pick = SlackBlockUsersSelectElement::new()
            .with_action_id("value".into())
            .with_initial_user(requester.clone());
        blocks.push(
            SlackInputBlock::new(
                plain(&words.word("form-requester"), 2000),
                SlackInputBlockElement::UsersSelect(pick),
            )
            .with_block_id(REQUESTER_BLOCK.into())
            .into(),
        );
    }
    if let Some(d) = chosen {
        let mut summary = SlackBlockPlainTextInputElement::new()
            .with_action_id("value".into())
            .with_multiline(true);
        if !state.summary.is_empty() {
            summary = summary.with_initial_value(clip(&state.summary, 3000));
        }
        blocks.push(
            SlackInputBlock::new(
                plain(&words.word("form-summary"), 2000),
                SlackInputBlockElement::PlainTextInput(summary),
            )
            .with_block_id(SUMMARY_BLOCK.into())
            .into(),
        );
        for f in &d.fields {
            let element = match &f.kind {
                FieldKind::Text => SlackInputBlockElement::PlainTextInput(
                    SlackBlockPlainTextInputElement::new().with_action_id("value".into()),
                ),
                FieldKind::Choice(options) => SlackInputBlockElement::StaticSelect(
                    SlackBlockStaticSelectElement::new()
                        .with_action_id("value".into())
                        .with_options(options.iter().map(|o| option(o, o)).collect()),
                ),
            };
            blocks.push(
                SlackInputBlock::new(plain(&f.prompt, 2000), element)
                    .with_block_id(field_block(&f.id).into())
                    .with_optional(!f.required)
                    .into(),
            );
        }
    }
    let mut modal = SlackModalView::new(plain(&words.word("form-title"), 24), blocks)
        .with_callback_id(FORM_MODAL.into())
        .with_private_metadata(serde_json::to_string(state).expect("plain data serialises"));
    if chosen.is_some() {
        modal = modal.with_submit(plain(&words.word("button-submit"), 24));
    }
    SlackView::Modal(modal)
}
