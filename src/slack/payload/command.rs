//! Slash commands: the form Slack posts (or the Socket Mode payload) and the [`Command`] it means.

use super::*;

#[derive(Debug, Default, Deserialize)]
pub(super) struct CommandForm {
    ssl_check: Option<String>,
    command: Option<String>,
    text: Option<String>,
    user_id: Option<String>,
    team_id: Option<String>,
    channel_id: Option<String>,
    trigger_id: Option<String>,
}

/// A slash command, or Slack's certificate check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// `ssl_check=1`: Slack checking the certificate; answer 200 and do nothing.
    SslCheck,
    Invoked {
        command: String,
        user: String,
        text: String,
        team: Option<String>,
        channel: Option<String>,
        trigger_id: Option<String>,
    },
}

impl Command {
    /// Who typed it; none for Slack's certificate check.
    pub fn user(&self) -> Option<&str> {
        match self {
            Command::SslCheck => None,
            Command::Invoked { user, .. } => Some(user),
        }
    }
}

/// Slack's certificate check (`ssl_check=1`): answered with 200 before verification, like
/// Slack's own SDKs do, since it changes nothing and Slack may not sign it.
pub fn is_ssl_check(body: &[u8]) -> bool {
    body.len() < 512
        && serde_urlencoded::from_bytes::<CommandForm>(body)
            .is_ok_and(|f| f.ssl_check.as_deref() == Some("1") && f.user_id.is_none())
}

/// # Errors
/// Not a form, or no `user_id`.
pub fn parse_command(body: &[u8]) -> Result<Command, PayloadError> {
    let form: CommandForm =
        serde_urlencoded::from_bytes(body).map_err(|e| PayloadError::Form(e.to_string()))?;
    command_of(form)
}

/// A slash command as Socket Mode delivers it: the form's fields as one JSON object.
///
/// # Errors
/// Not an object of strings, or no `user_id`.
pub fn parse_command_json(payload: serde_json::Value) -> Result<Command, PayloadError> {
    let form: CommandForm =
        serde_json::from_value(payload).map_err(|e| PayloadError::Json(e.to_string()))?;
    command_of(form)
}

pub(super) fn command_of(form: CommandForm) -> Result<Command, PayloadError> {
    if form.ssl_check.as_deref() == Some("1") {
        return Ok(Command::SslCheck);
    }
    let user = form
        .user_id
        .filter(|u| !u.is_empty())
        .ok_or(PayloadError::Missing("user_id"))?;
    Ok(Command::Invoked {
        command: form.command.unwrap_or_default(),
        user,
        text: unescape(form.text.as_deref().unwrap_or("")),
        team: form.team_id,
        channel: form.channel_id,
        trigger_id: form.trigger_id.filter(|t| !t.is_empty()),
    })
}
