//! Start-up checks against the real workspace: `auth.test` (who the bot is; without it the
//! bot could not tell its own messages from users') and `conversations.info` for every
//! department channel (does it exist, is the bot in it, is it archived).
//!
//! Each problem is one line naming the exact fix. `serve` logs them; `check-config --online`
//! prints them through [`online_check`].

use super::api::{BotIdentity, SlackApi};
use crate::config::Config;

/// Whether Slack is switched on: both secrets present. `Err` names the missing half.
pub fn credentials(config: &Config) -> Result<Option<(&str, &str)>, String> {
    match (&config.slack.signing_secret, &config.slack.bot_token) {
        (Some(s), Some(t)) => Ok(Some((s.expose(), t.expose()))),
        (None, None) => Ok(None),
        (Some(_), None) => Err(
            "SLACK_SIGNING_SECRET is set but SLACK_BOT_TOKEN is not; set both to enable Slack"
                .into(),
        ),
        (None, Some(_)) => Err(
            "SLACK_BOT_TOKEN is set but SLACK_SIGNING_SECRET is not; set both to enable Slack"
                .into(),
        ),
    }
}

/// `auth.test`, with the error phrased for an operator.
///
/// # Errors
/// The token is refused or Slack can't be reached; the message says what to do.
pub async fn identify(api: &SlackApi) -> Result<BotIdentity, String> {
    api.auth_test().await.map_err(|e| {
        let mut text = format!("Slack refused the bot token: {}", e.describe(None));
        if e.is_retryable() {
            text = format!("could not reach Slack to check the bot token ({e}); check slack.api_url / SLACK_API_URL and the network");
        }
        text
    })
}

/// One line per department channel the bot can't use, with the fix.
pub async fn check_channels(api: &SlackApi, config: &Config) -> Vec<String> {
    let mut problems = Vec::new();
    for (i, dept) in config.departments.iter().enumerate() {
        let channel = dept.slack_channel.trim();
        if channel.is_empty() {
            continue;
        }
        let at = format!(
            "department {} (departments[{i}].slack_channel = {channel})",
            dept.name
        );
        match api.conversations_info(channel).await {
            Ok(info) => {
                let name = info
                    .name
                    .as_deref()
                    .map(|n| format!("#{n}"))
                    .unwrap_or_else(|| channel.to_string());
                if info.is_archived == Some(true) {
                    problems.push(format!(
                        "{at}: {name} is archived; unarchive it or give the department another channel"
                    ));
                } else if info.is_member == Some(false) {
                    problems.push(format!(
                        "{at}: the bot is not a member of {name}; invite it by typing `/invite @frontdesk` in {name}"
                    ));
                }
            }
            Err(e) => problems.push(format!("{at}: {}", e.describe(Some(channel)))),
        }
    }
    problems
}

/// Everything `check-config --online` reports for Slack: empty when Slack is fine or not
/// configured at all.
pub async fn online_check(config: &Config) -> Vec<String> {
    let token = match credentials(config) {
        Ok(Some((_, token))) => token,
        Ok(None) => return Vec::new(),
        Err(problem) => return vec![problem],
    };
    let api = match SlackApi::new(&config.slack.api_url, token) {
        Ok(api) => api,
        Err(e) => return vec![e.to_string()],
    };
    if let Err(problem) = identify(&api).await {
        return vec![problem];
    }
    check_channels(&api, config).await
}
