//! Interactivity: button clicks, shortcuts, choices and submissions in our modals, and the
//! [`Interaction`] they mean.

use super::*;

#[derive(Debug, Deserialize)]
pub(super) struct InteractivityForm {
    payload: Option<String>,
}

#[derive(Debug, Deserialize)]
pub(super) struct InteractionPayload {
    #[serde(rename = "type")]
    kind: String,
    user: Option<IdObject>,
    team: Option<IdObject>,
    trigger_id: Option<String>,
    #[serde(default)]
    actions: Vec<ActionPayload>,
    view: Option<ViewPayload>,
    /// A shortcut's callback id.
    callback_id: Option<String>,
    /// The message a message shortcut was used on.
    message: Option<ShortcutMessage>,
    channel: Option<IdObject>,
}

#[derive(Debug, Deserialize)]
struct ShortcutMessage {
    #[serde(default)]
    text: String,
    ts: Option<String>,
    user: Option<String>,
}

#[derive(Debug, Deserialize)]
struct ViewPayload {
    id: Option<String>,
    hash: Option<String>,
    callback_id: Option<String>,
    private_metadata: Option<String>,
    state: Option<ViewState>,
}

#[derive(Debug, Deserialize)]
struct ViewState {
    /// block_id → action_id → the input's state.
    #[serde(default)]
    values: std::collections::BTreeMap<String, std::collections::BTreeMap<String, InputState>>,
}

#[derive(Debug, Deserialize)]
struct InputState {
    value: Option<String>,
    selected_option: Option<SelectedOption>,
    selected_user: Option<String>,
}

#[derive(Debug, Deserialize)]
struct SelectedOption {
    value: String,
}

impl InputState {
    /// What was typed, chosen, or the person picked.
    fn answer(self) -> Option<String> {
        self.value
            .or(self.selected_option.map(|o| o.value))
            .or(self.selected_user)
    }
}

#[derive(Debug, Deserialize)]
pub(super) struct IdObject {
    id: String,
}

#[derive(Debug, Deserialize)]
pub(super) struct ActionPayload {
    action_id: Option<String>,
    value: Option<String>,
    action_ts: Option<String>,
    selected_option: Option<SelectedOption>,
}

/// A button press: who pressed and the button's value (an `Action` in text form).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Click {
    pub user: String,
    pub value: String,
    pub action_id: Option<String>,
    /// `trigger_id` of the interaction, plus the action's position: the dedup key.
    pub key: Option<String>,
    /// The interaction's `trigger_id`, for opening a modal in answer.
    pub trigger_id: Option<String>,
}

/// The message a message shortcut was used on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShortcutOn {
    pub channel: String,
    pub ts: String,
    pub text: String,
    /// Its author, when a person wrote it.
    pub author: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Interaction {
    BlockActions {
        team: Option<String>,
        clicks: Vec<Click>,
    },
    /// A modal of ours was submitted.
    ViewSubmission {
        team: Option<String>,
        user: String,
        /// The view's id: the dedup key.
        view_id: Option<String>,
        callback_id: String,
        private_metadata: String,
        /// Each input's value by its `action_id`.
        values: std::collections::BTreeMap<String, String>,
        /// Each input's value by its block's id.
        by_block: std::collections::BTreeMap<String, String>,
    },
    /// A shortcut of ours: `callback_id` names it; a message shortcut carries the message.
    Shortcut {
        team: Option<String>,
        user: String,
        callback_id: String,
        trigger_id: String,
        message: Option<ShortcutOn>,
    },
    /// A choice inside one of our modals changed (the form's department).
    ViewChoice {
        user: String,
        view_id: String,
        hash: Option<String>,
        action_id: String,
        value: String,
        private_metadata: String,
    },
    Other {
        kind: String,
    },
}

/// # Errors
/// Not a form with a `payload` field holding a JSON object with a `type`; a block_actions
/// payload without a user.
pub fn parse_interaction(body: &[u8]) -> Result<Interaction, PayloadError> {
    let form: InteractivityForm =
        serde_urlencoded::from_bytes(body).map_err(|e| PayloadError::Form(e.to_string()))?;
    let payload = form.payload.ok_or(PayloadError::Missing("payload"))?;
    let p: InteractionPayload =
        serde_json::from_str(&payload).map_err(|e| PayloadError::Json(e.to_string()))?;
    interaction_of(p)
}

/// An interaction as Socket Mode delivers it: the JSON object itself, not wrapped in a form.
///
/// # Errors
/// As [`parse_interaction`].
pub fn parse_interaction_json(payload: serde_json::Value) -> Result<Interaction, PayloadError> {
    let p: InteractionPayload =
        serde_json::from_value(payload).map_err(|e| PayloadError::Json(e.to_string()))?;
    interaction_of(p)
}

pub(super) fn interaction_of(p: InteractionPayload) -> Result<Interaction, PayloadError> {
    if p.kind == "view_submission" {
        let user = p.user.ok_or(PayloadError::Missing("user"))?.id;
        let view = p.view.ok_or(PayloadError::Missing("view"))?;
        let mut values = std::collections::BTreeMap::new();
        let mut by_block = std::collections::BTreeMap::new();
        for (block, inputs) in view.state.map(|s| s.values).unwrap_or_default() {
            for (action, input) in inputs {
                if let Some(answer) = input.answer() {
                    by_block.insert(block.clone(), answer.clone());
                    values.insert(action, answer);
                }
            }
        }
        return Ok(Interaction::ViewSubmission {
            team: p.team.map(|t| t.id),
            user,
            view_id: view.id,
            callback_id: view.callback_id.unwrap_or_default(),
            private_metadata: view.private_metadata.unwrap_or_default(),
            values,
            by_block,
        });
    }
    if p.kind == "shortcut" || p.kind == "message_action" {
        let user = p.user.ok_or(PayloadError::Missing("user"))?.id;
        let message = match (p.message, p.channel) {
            (Some(m), Some(channel)) => Some(ShortcutOn {
                channel: channel.id,
                ts: m.ts.unwrap_or_default(),
                text: m.text,
                author: m.user,
            }),
            _ => None,
        };
        return Ok(Interaction::Shortcut {
            team: p.team.map(|t| t.id),
            user,
            callback_id: p.callback_id.unwrap_or_default(),
            trigger_id: p.trigger_id.ok_or(PayloadError::Missing("trigger_id"))?,
            message,
        });
    }
    if p.kind == "block_actions" {
        if let Some(view) = &p.view {
            let chosen = p.actions.iter().find_map(|a| {
                Some((
                    a.action_id.clone()?,
                    a.selected_option.as_ref()?.value.clone(),
                ))
            });
            if let (Some((action_id, value)), Some(view_id)) = (chosen, view.id.clone()) {
                return Ok(Interaction::ViewChoice {
                    user: p.user.ok_or(PayloadError::Missing("user"))?.id,
                    view_id,
                    hash: view.hash.clone(),
                    action_id,
                    value,
                    private_metadata: view.private_metadata.clone().unwrap_or_default(),
                });
            }
        }
    }
    if p.kind != "block_actions" {
        return Ok(Interaction::Other { kind: p.kind });
    }
    let user = p.user.ok_or(PayloadError::Missing("user"))?.id;
    let clicks = p
        .actions
        .into_iter()
        .enumerate()
        .filter_map(|(i, a)| {
            let value = a.value?;
            let key = p
                .trigger_id
                .as_ref()
                .map(|t| format!("{t}:{i}"))
                .or(a.action_ts.map(|ts| format!("{user}:{ts}:{i}")));
            Some(Click {
                user: user.clone(),
                value,
                action_id: a.action_id,
                key,
                trigger_id: p.trigger_id.clone(),
            })
        })
        .collect();
    Ok(Interaction::BlockActions {
        team: p.team.map(|t| t.id),
        clicks,
    })
}
