//! The request form as an Adaptive Card, and the task module answers that carry it. Pure:
//! the words come in through [`Words`], errors come in already worded.

use super::parse::SUMMARY_INPUT;
use super::parse::{field_input, Author, FormState, DEPARTMENT_INPUT, REQUESTER_INPUT, STATE_KEY};
use crate::core::text::clip;
use crate::core::Text;
use crate::core::{Department, FieldKind};
use crate::i18n::{Plain, Words};
use crate::teams::cards::ADAPTIVE_CARD;
use serde_json::{json, Value};

/// Teams caps an `Input.Text` at what its `maxLength` says; the core clips answers anyway.
const MAX_TEXT: usize = 3000;

/// What the form shows: the department picked so far, what was entered, and what is wrong.
#[derive(Debug, Clone, Copy)]
pub struct FormView<'a> {
    pub departments: &'a [Department],
    pub state: &'a FormState,
    pub summary: &'a str,
    /// The person picked as the requester, when the form asks (filed from a message).
    pub requester: Option<&'a Author>,
    /// Field id → what was entered.
    pub values: &'a [(String, String)],
    /// Form key (`department`, `summary` or a field id) → the worded problem.
    pub errors: &'a [(String, String)],
}

fn error_block(key: &str, errors: &[(String, String)]) -> Option<Value> {
    let (_, text) = errors.iter().find(|(k, _)| k == key)?;
    Some(json!({
        "type": "TextBlock", "id": format!("error:{key}"), "text": text,
        "color": "Attention", "wrap": true, "spacing": "None",
    }))
}

fn choices(options: impl Iterator<Item = (String, String)>) -> Vec<Value> {
    options
        .map(|(title, value)| json!({"title": title, "value": value}))
        .collect()
}

/// The form card: the department (and, from a message, who it is for) and what is needed,
/// then the chosen department's fields; one submit button that shows a newly picked
/// department's fields, or sends the form.
pub fn form_card(view: &FormView<'_>, words: &Words<'_>) -> Value {
    let chosen = view
        .state
        .department
        .as_deref()
        .and_then(|id| view.departments.iter().find(|d| d.id == id));
    let mut body = Vec::new();
    let mut department = json!({
        "type": "Input.ChoiceSet", "id": DEPARTMENT_INPUT, "style": "compact",
        "label": words.word("form-department"),
        "placeholder": words.word("form-department-placeholder"),
        "isRequired": true, "errorMessage": words.word("form-pick-department"),
        "choices": choices(view.departments.iter().map(|d| (d.name.clone(), d.id.clone()))),
    });
    if let Some(d) = chosen {
        department["value"] = json!(d.id);
    }
    body.push(department);
    body.extend(error_block(DEPARTMENT_INPUT, view.errors));
    if let Some(person) = view.requester {
        // A people picker: Teams offers everyone in the directory and sends back the
        // picked person's object id.
        let shown = if person.name.is_empty() {
            person.aad.clone()
        } else {
            person.name.clone()
        };
        body.push(json!({
            "type": "Input.ChoiceSet", "id": REQUESTER_INPUT, "style": "compact",
            "label": words.word("form-requester"),
            "choices": [{"title": shown, "value": person.aad}],
            "choices.data": {"type": "Data.Query", "dataset": "graph.microsoft.com/users"},
            "value": person.aad,
        }));
    }
    body.push(json!({
        "type": "Input.Text", "id": SUMMARY_INPUT, "isMultiline": true, "maxLength": MAX_TEXT,
        "label": words.word("form-summary"), "value": clip(view.summary, MAX_TEXT),
        "isRequired": true, "errorMessage": words.word("form-say-what"),
    }));
    body.extend(error_block(SUMMARY_INPUT, view.errors));
    for field in chosen.map(|d| d.fields.as_slice()).unwrap_or_default() {
        let id = field_input(&field.id);
        let value = view
            .values
            .iter()
            .find(|(f, _)| f == &field.id)
            .map(|(_, v)| v.as_str());
        let mut input = match &field.kind {
            FieldKind::Text => json!({
                "type": "Input.Text", "id": id, "maxLength": MAX_TEXT,
            }),
            FieldKind::Choice(options) => json!({
                "type": "Input.ChoiceSet", "id": id, "style": "compact",
                "choices": choices(options.iter().map(|o| (o.clone(), o.clone()))),
            }),
        };
        // Not `isRequired`: Teams checks every required input before any submit, so a
        // person who picked the wrong team couldn't switch before filling in its fields. The
        // core names what is missing instead, and optional fields say so, as the
        // conversation's questions do.
        input["label"] = if field.required {
            json!(field.prompt)
        } else {
            json!(words.format(
                &Text::new("ask-optional").arg("prompt", field.prompt.as_str()),
                &mut Plain
            ))
        };
        if let Some(v) = value {
            input["value"] = json!(v);
        }
        body.push(input);
        body.extend(error_block(&field.id, view.errors));
    }
    let label = if chosen.is_some() {
        words.word("button-submit")
    } else {
        words.word("teams-form-next")
    };
    let mut data = serde_json::Map::new();
    data.insert(
        STATE_KEY.to_string(),
        serde_json::to_value(view.state).expect("plain data serialises"),
    );
    json!({
        "type": "AdaptiveCard",
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "version": "1.4",
        "body": body,
        "actions": [{"type": "Action.Submit", "title": label, "data": Value::Object(data)}],
    })
}

/// A card that only says `text`: a sent form, so it can't be sent again.
pub fn notice_card(text: &str) -> Value {
    json!({
        "type": "AdaptiveCard",
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "version": "1.4",
        "body": [{"type": "TextBlock", "text": text, "wrap": true}],
    })
}

/// A task module (the message extension's dialog) showing `card`.
pub fn task_continue(title: &str, card: Value) -> Value {
    json!({"task": {"type": "continue", "value": {
        "title": title,
        "card": {"contentType": ADAPTIVE_CARD, "content": card},
    }}})
}

/// The dialog's last word: Teams shows `text` in place of the form.
pub fn task_message(text: &str) -> Value {
    json!({"task": {"type": "message", "value": text}})
}

#[cfg(test)]
mod tests;
