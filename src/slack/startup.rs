//! Start-up checks against the real workspace: `auth.test` (who the bot is; without it the
//! bot could not tell its own messages from users') and `conversations.info` for every
//! department channel (does it exist, is the bot in it, is it archived).
//!
//! Each problem is one line naming the exact fix. `serve` logs them; `check-config --online`
//! prints them through [`online_check`].
//!
//! At start a refused token stops `serve`, but Slack being unreachable or in trouble does not:
//! the server starts with the bot's identity unknown ([`KnownBot`] empty) and
//! [`identify_later`] keeps asking `auth.test` in the background until it answers.

use super::api::{ApiError, BotIdentity, SlackApi};
use crate::config::Config;
use crate::config::SharedConfig;
use std::sync::{Arc, RwLock};
use std::time::Duration;

/// The first wait before `auth.test` is asked again after a transient failure.
pub const RETRY_FIRST: Duration = Duration::from_secs(1);
/// The longest wait between two attempts (unless Slack's `Retry-After` asks for longer).
pub const RETRY_MAX: Duration = Duration::from_secs(60);

/// The Slack secrets that are set.
#[derive(Debug, Clone, Copy)]
pub struct Credentials<'a> {
    pub bot_token: &'a str,
    /// For the HTTP request URLs.
    pub signing_secret: Option<&'a str>,
    /// For Socket Mode.
    pub app_token: Option<&'a str>,
}

/// Whether Slack is switched on: the bot token, plus the signing secret (HTTP request URLs),
/// the app-level token (Socket Mode) or both. `Err` names what is missing.
pub fn credentials(config: &Config) -> Result<Option<Credentials<'_>>, String> {
    let slack = &config.slack;
    let secret = slack.signing_secret.as_ref().map(|s| s.expose());
    let app = slack.app_token.as_ref().map(|s| s.expose());
    match (&slack.bot_token, secret, app) {
        (None, None, None) => Ok(None),
        (None, Some(_), _) => Err(
            "SLACK_SIGNING_SECRET is set but SLACK_BOT_TOKEN is not; set both to enable Slack"
                .into(),
        ),
        (None, None, Some(_)) => Err(
            "SLACK_APP_TOKEN is set but SLACK_BOT_TOKEN is not; Socket Mode needs both".into(),
        ),
        (Some(_), None, None) => Err(
            "SLACK_BOT_TOKEN is set but SLACK_SIGNING_SECRET is not; set both to enable Slack (or set SLACK_APP_TOKEN for Socket Mode)"
                .into(),
        ),
        (Some(bot), signing_secret, app_token) => Ok(Some(Credentials {
            bot_token: bot.expose(),
            signing_secret,
            app_token,
        })),
    }
}

/// Why `auth.test` failed, phrased for an operator.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct AuthFailure {
    /// What happened and what to do about it.
    pub message: String,
    /// Slack or the network may be fine again in a moment: network errors and timeouts, HTTP
    /// 5xx and 429, Slack's own `internal_error`/`fatal_error`/`service_unavailable`/
    /// `ratelimited`, an answer that isn't Slack's JSON. Otherwise the token or the app's
    /// setup is wrong (`invalid_auth`, `not_authed`, `token_revoked`, `account_inactive`,
    /// `missing_scope`, a wrong `slack.api_url`, …) and asking again won't help.
    pub transient: bool,
    /// Slack's `Retry-After`, for a 429.
    pub retry_after: Option<Duration>,
}

impl AuthFailure {
    fn from_api(e: &ApiError) -> AuthFailure {
        let transient = e.is_retryable();
        let message = if transient {
            format!("could not reach Slack to check the bot token ({e}); check slack.api_url / SLACK_API_URL and the network")
        } else {
            format!("Slack refused the bot token: {}", e.describe(None))
        };
        AuthFailure {
            message,
            transient,
            retry_after: e.retry_after(),
        }
    }
}

/// `auth.test`, with the error phrased for an operator.
///
/// # Errors
/// The token is refused or Slack can't be reached; the message says what to do.
pub async fn identify(api: &SlackApi) -> Result<BotIdentity, AuthFailure> {
    api.auth_test().await.map_err(|e| AuthFailure::from_api(&e))
}

/// The bot's identity once `auth.test` has answered; empty while Slack could not be asked.
#[derive(Debug, Default)]
pub struct KnownBot(RwLock<Option<Arc<BotIdentity>>>);

impl KnownBot {
    pub fn get(&self) -> Option<Arc<BotIdentity>> {
        self.0.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    pub fn set(&self, bot: BotIdentity) {
        *self.0.write().unwrap_or_else(|e| e.into_inner()) = Some(Arc::new(bot));
    }
}

/// The info line for a learned identity.
pub fn log_connected(bot: &BotIdentity) {
    tracing::info!(bot_user = %bot.user_id, bot_id = bot.bot_id.as_deref().unwrap_or(""),
        team = bot.team_id.as_deref().unwrap_or(""), "connected to Slack");
}

/// Runs the channel checks and logs one warning per problem.
pub async fn log_channel_problems(api: &SlackApi, config: &Config) {
    for problem in check_channels(api, config).await {
        tracing::warn!(problem = %problem, "Slack channel check");
    }
}

/// The wait before the next attempt: double the last one, at most [`RETRY_MAX`], and never
/// shorter than what Slack asked for with `Retry-After`.
pub fn next_wait(last: Duration, retry_after: Option<Duration>) -> Duration {
    last.saturating_mul(2)
        .min(RETRY_MAX)
        .max(retry_after.unwrap_or_default())
}

/// The wait before the first retry after `failure`.
pub fn first_wait(failure: &AuthFailure) -> Duration {
    RETRY_FIRST.max(failure.retry_after.unwrap_or_default())
}

/// Asks `auth.test` again after `wait`, backing off up to [`RETRY_MAX`], until it answers; then
/// stores the identity in `bot` and runs the channel checks (against the configuration of that
/// moment). Ends as well when the token is refused, which only a restart with another token
/// can fix. Meant to be spawned detached: it holds nothing that shutdown waits for, and the
/// runtime drops it when the process stops.
pub async fn identify_later(
    api: SlackApi,
    config: SharedConfig,
    bot: Arc<KnownBot>,
    mut wait: Duration,
) {
    let mut attempt: u32 = 1;
    loop {
        tokio::time::sleep(wait).await;
        attempt += 1;
        match identify(&api).await {
            Ok(identity) => {
                log_connected(&identity);
                bot.set(identity);
                log_channel_problems(&api, &crate::config::current(&config)).await;
                return;
            }
            Err(failure) if failure.transient => {
                wait = next_wait(wait, failure.retry_after);
                tracing::warn!(problem = %failure, attempt, retry_in = ?wait,
                    "Slack auth.test failed again; the bot's identity is still unknown");
            }
            Err(failure) => {
                tracing::error!(problem = %failure,
                    "Slack auth.test failed; fix SLACK_BOT_TOKEN and restart frontdesk");
                return;
            }
        }
    }
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
        problems
            .extend(check_channel(api, &at, channel, "give the department another channel").await);
    }
    // A help channel the bot is not in delivers neither its messages nor its reactions.
    for (i, help) in config.help_channels.iter().enumerate() {
        let channel = help.slack_channel.trim();
        let at = format!("help channel (help_channels[{i}].slack_channel = {channel})");
        problems.extend(check_channel(api, &at, channel, "remove the entry").await);
    }
    problems
}

/// What is wrong with one channel the bot must be in: archived, not a member, or unknown.
async fn check_channel(api: &SlackApi, at: &str, channel: &str, or_else: &str) -> Option<String> {
    match api.conversations_info(channel).await {
        Ok(info) => {
            let name = info
                .name
                .as_deref()
                .map(|n| format!("#{n}"))
                .unwrap_or_else(|| channel.to_string());
            if info.is_archived == Some(true) {
                Some(format!(
                    "{at}: {name} is archived; unarchive it or {or_else}"
                ))
            } else if info.is_member == Some(false) {
                Some(format!(
                    "{at}: the bot is not a member of {name}; invite it by typing `/invite @frontdesk` in {name}"
                ))
            } else {
                None
            }
        }
        Err(e) => Some(format!("{at}: {}", e.describe(Some(channel)))),
    }
}

/// Everything `check-config --online` reports for Slack: empty when Slack is fine or not
/// configured at all. With `SLACK_APP_TOKEN` set, the app-level token is checked too, by
/// asking for a Socket Mode URL (`apps.connections.open`; the URL is not used).
pub async fn online_check(config: &Config) -> Vec<String> {
    let credentials = match credentials(config) {
        Ok(Some(c)) => c,
        Ok(None) => return Vec::new(),
        Err(problem) => return vec![problem],
    };
    let mut problems = Vec::new();
    if let Some(app_token) = credentials.app_token {
        problems.extend(check_app_token(config, app_token).await);
    }
    let api = match SlackApi::new(&config.slack.api_url, credentials.bot_token) {
        Ok(api) => api,
        Err(e) => {
            problems.push(e.to_string());
            return problems;
        }
    };
    if let Err(problem) = identify(&api).await {
        problems.push(problem.message);
        return problems;
    }
    problems.extend(check_channels(&api, config).await);
    problems
}

/// The app-level token's problem, if it has one.
async fn check_app_token(config: &Config, app_token: &str) -> Option<String> {
    let opener = match super::socket::open::Opener::new(&config.slack.api_url, app_token) {
        Ok(o) => o,
        Err(e) => return Some(format!("SLACK_APP_TOKEN (Socket Mode): {}", e.describe())),
    };
    match opener.open().await {
        Ok(_) => None,
        Err(e) => Some(format!("SLACK_APP_TOKEN (Socket Mode): {}", e.describe())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_back_off_from_one_second_to_a_minute() {
        let mut wait = RETRY_FIRST;
        let mut waits = vec![wait];
        for _ in 0..8 {
            wait = next_wait(wait, None);
            waits.push(wait);
        }
        let secs: Vec<u64> = waits.iter().map(Duration::as_secs).collect();
        assert_eq!(secs, [1, 2, 4, 8, 16, 32, 60, 60, 60]);
        // Slack's Retry-After wins when it asks for longer.
        assert_eq!(
            next_wait(RETRY_FIRST, Some(Duration::from_secs(90))),
            Duration::from_secs(90)
        );
        assert_eq!(
            next_wait(Duration::from_secs(8), Some(Duration::from_secs(3))),
            Duration::from_secs(16)
        );
    }

    #[test]
    fn only_trouble_that_passes_is_transient() {
        use super::super::api::ApiErrorKind;
        let failure = |kind| AuthFailure::from_api(&ApiError::new("auth.test", kind));
        let slack = |code: &str| ApiErrorKind::Slack {
            code: code.into(),
            needed: None,
        };
        for kind in [
            ApiErrorKind::Http { status: 500 },
            ApiErrorKind::Http { status: 503 },
            ApiErrorKind::RateLimited { retry_after: None },
            ApiErrorKind::Network("connection refused".into()),
            ApiErrorKind::BadResponse("expected value".into()),
            slack("internal_error"),
            slack("fatal_error"),
            slack("service_unavailable"),
            slack("ratelimited"),
        ] {
            assert!(failure(kind.clone()).transient, "{kind:?}");
        }
        for kind in [
            slack("invalid_auth"),
            slack("not_authed"),
            slack("token_revoked"),
            slack("account_inactive"),
            ApiErrorKind::Slack {
                code: "missing_scope".into(),
                needed: Some("users:read".into()),
            },
        ] {
            let f = failure(kind.clone());
            assert!(!f.transient, "{kind:?}");
            assert!(f.message.starts_with("Slack refused the bot token"), "{f}");
        }
        assert!(failure(slack("token_revoked"))
            .message
            .contains("SLACK_BOT_TOKEN"));
    }
}
