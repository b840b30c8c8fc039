//! Interactivity: button clicks, and the [`Interaction`] they mean.

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
}

#[derive(Debug, Deserialize)]
struct ViewPayload {
    id: Option<String>,
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
        let values = view
            .state
            .map(|s| s.values)
            .unwrap_or_default()
            .into_values()
            .flatten()
            .filter_map(|(action, input)| Some((action, input.value?)))
            .collect();
        return Ok(Interaction::ViewSubmission {
            team: p.team.map(|t| t.id),
            user,
            view_id: view.id,
            callback_id: view.callback_id.unwrap_or_default(),
            private_metadata: view.private_metadata.unwrap_or_default(),
            values,
        });
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
