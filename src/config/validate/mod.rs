//! Validation: every rule a parsed configuration must meet, and the
//! [`ConfigProblem`]s it reports.
//!
//! The checks collect every problem instead of stopping at the first, so an
//! operator can fix a file in one go. Each problem names its key path, e.g.
//! `departments[1].fields[0].options`. The value checks that environment
//! overrides share (socket address, URL, host) live here too.

use std::collections::HashMap;
use std::fmt;
use std::net::SocketAddr;
use std::time::Duration;

use super::types::{Config, FieldConfig, FieldKind};

/// The most deliveries `outbox.concurrency` may allow in flight.
const MAX_CONCURRENCY: usize = 10_000;

/// The most reminders `survey.reminders` may ask for: more is nagging, not a reminder.
const MAX_SURVEY_REMINDERS: u32 = 10;

/// One thing wrong with a configuration. `key` is a path into the file such
/// as `departments[1].fields[0].options`, or the environment variable name
/// when the bad value came from the environment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigProblem {
    pub key: String,
    pub message: String,
}

impl ConfigProblem {
    pub fn new(key: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            key: key.into(),
            message: message.into(),
        }
    }
}

impl fmt::Display for ConfigProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.key, self.message)
    }
}

impl Config {
    /// Every problem with this configuration, section by section.
    /// Secrets found in a file are caught earlier, while parsing.
    pub(super) fn problems(&self) -> Vec<ConfigProblem> {
        let mut p = Problems::default();
        self.check_server(&mut p);
        self.check_slack(&mut p);
        self.check_teams(&mut p);
        self.check_survey(&mut p);
        p.positive("intake.timeout", self.intake.timeout);
        self.check_outbox(&mut p);
        if self.scheduler.max_burst == 0 {
            p.add("scheduler.max_burst", "must be at least 1");
        }
        if let Some(after) = self.retention.closed_content_after {
            p.positive("retention.closed_content_after", after);
        }
        if !self.dashboard.public_url.is_empty() {
            if let Err(message) = check_http_url(&self.dashboard.public_url) {
                p.add("dashboard.public_url", message);
            }
        }
        p.positive("dashboard.session_ttl", self.dashboard.session_ttl);
        if !self.dashboard.slack_client_id.is_empty() {
            p.url(
                "dashboard.slack_authorize_url",
                &self.dashboard.slack_authorize_url,
            );
            if self.dashboard.public_url.is_empty() {
                p.add(
                    "dashboard.slack_client_id",
                    "Sign in with Slack needs dashboard.public_url: Slack sends people back there",
                );
            }
        }
        self.check_departments(&mut p);
        p.0.extend(super::digest::problems(self));
        p.0.extend(self.help_channel_problems());
        p.0
    }

    fn check_server(&self, p: &mut Problems) {
        let server = &self.server;
        if let Err(message) = check_socket_addr(&server.listen) {
            p.add("server.listen", message);
        }
        if server.data_dir.as_os_str().is_empty() {
            p.add("server.data_dir", "must not be empty");
        }
        if server.max_body_bytes == 0 {
            p.add("server.max_body_bytes", "must be at least 1");
        }
        if crate::i18n::Catalogs::shipped(&server.default_locale).is_err() {
            let shipped: Vec<&str> = crate::i18n::SHIPPED.iter().map(|(l, _)| *l).collect();
            p.add(
                "server.default_locale",
                format!(
                    "unknown locale {:?}; frontdesk ships {}",
                    server.default_locale,
                    shipped.join(", ")
                ),
            );
        } else if let Some(path) = &server.messages_file {
            if let Err(e) = crate::i18n::Catalogs::load(&server.default_locale, Some(path)) {
                p.add("server.messages_file", format!("{}: {e}", path.display()));
            }
        }
    }

    fn check_slack(&self, p: &mut Problems) {
        let slack = &self.slack;
        p.url("slack.api_url", &slack.api_url);
        p.reactions("slack.close_reactions", &slack.close_reactions);
        if slack.internal_note_prefix.trim().is_empty() {
            // An empty prefix would turn every agent message into a note.
            p.add("slack.internal_note_prefix", "must not be empty");
        }
        p.reaction("slack.relayed_marker", &slack.relayed_marker);
        if !slack.relayed_marker.is_empty() && slack.close_reactions.contains(&slack.relayed_marker)
        {
            // The bot puts the marker on agents' replies; one that also closes is a trap.
            p.add(
                "slack.relayed_marker",
                "must differ from every slack.close_reactions entry",
            );
        }
        if let Some(token) = &slack.app_token {
            // A bot token here is the usual mix-up; say so before Slack refuses it.
            if !token.expose().starts_with("xapp-") {
                p.add(
                    "SLACK_APP_TOKEN",
                    "must be an app-level token (xapp-…, Basic Information → App-Level Tokens, scope connections:write), not a bot or user token",
                );
            }
        }
        let socket = &slack.socket;
        if !(1..=10).contains(&socket.connections) {
            // Slack refuses an eleventh connection per app.
            p.add("slack.socket.connections", "must be between 1 and 10");
        }
        p.positive("slack.socket.ping_interval", socket.ping_interval);
        p.positive("slack.socket.ping_timeout", socket.ping_timeout);
        p.positive(
            "slack.socket.reconnect_initial_backoff",
            socket.reconnect_initial_backoff,
        );
        if socket.reconnect_max_backoff < socket.reconnect_initial_backoff {
            p.add(
                "slack.socket.reconnect_max_backoff",
                "must not be shorter than slack.socket.reconnect_initial_backoff",
            );
        }
    }

    fn check_teams(&self, p: &mut Problems) {
        let teams = &self.teams;
        match &teams.app_id {
            Some(id) if id.trim().is_empty() => p.add(
                "teams.app_id",
                "must not be empty; remove the key to leave Teams disabled",
            ),
            None if teams.app_password.is_some() => p.add(
                "teams.app_id",
                "TEAMS_APP_PASSWORD is set but there is no app id; set TEAMS_APP_ID or teams.app_id",
            ),
            _ => {}
        }
        p.url("teams.openid_metadata_url", &teams.openid_metadata_url);
        p.url("teams.token_url", &teams.token_url);
        for (i, host) in teams.service_url_hosts.iter().enumerate() {
            if let Err(message) = check_host(host) {
                p.add(format!("teams.service_url_hosts[{i}]"), message);
            }
        }
        p.reactions("teams.close_reactions", &teams.close_reactions);
    }

    fn check_survey(&self, p: &mut Problems) {
        let survey = &self.survey;
        p.positive("survey.remind_after", survey.remind_after);
        if survey.reminders > MAX_SURVEY_REMINDERS {
            p.add(
                "survey.reminders",
                format!(
                    "{} is too many; at most {MAX_SURVEY_REMINDERS} reminders (0: none)",
                    survey.reminders
                ),
            );
        }
        if !(0.0..=1.0).contains(&survey.sample) {
            p.add(
                "survey.sample",
                format!(
                    "{} is not a share of requests; write a number from 0.0 (no surveys) to 1.0 (every closed request)",
                    survey.sample
                ),
            );
        }
    }

    fn check_outbox(&self, p: &mut Problems) {
        let outbox = &self.outbox;
        p.positive("outbox.give_up_after", outbox.give_up_after);
        p.positive("outbox.initial_backoff", outbox.initial_backoff);
        p.positive("outbox.max_backoff", outbox.max_backoff);
        if !(1..=MAX_CONCURRENCY).contains(&outbox.concurrency) {
            p.add(
                "outbox.concurrency",
                format!("must be between 1 and {MAX_CONCURRENCY}"),
            );
        }
        for (key, rate) in [
            ("outbox.slack_channel_rate", outbox.slack_channel_rate),
            (
                "outbox.teams_conversation_rate",
                outbox.teams_conversation_rate,
            ),
            ("outbox.teams_tenant_rate", outbox.teams_tenant_rate),
        ] {
            if !rate.is_finite() || rate < 0.0 {
                p.add(
                    key,
                    "must be a number of messages per second, 0 or more (0: no pacing)",
                );
            }
        }
        for (key, burst) in [
            ("outbox.slack_channel_burst", outbox.slack_channel_burst),
            (
                "outbox.teams_conversation_burst",
                outbox.teams_conversation_burst,
            ),
        ] {
            if burst == 0 {
                p.add(key, "must be at least 1");
            }
        }
        if outbox.max_backoff < outbox.initial_backoff {
            p.add(
                "outbox.max_backoff",
                format!(
                    "must be at least outbox.initial_backoff ({})",
                    humantime::format_duration(outbox.initial_backoff)
                ),
            );
        }
    }

    fn check_departments(&self, p: &mut Problems) {
        if self.departments.is_empty() {
            p.add(
                "departments",
                "at least one department is required (add a [[departments]] table)",
            );
        }
        let mut ids: HashMap<&str, usize> = HashMap::new();
        let mut prefixes: HashMap<&str, usize> = HashMap::new();
        for (i, dept) in self.departments.iter().enumerate() {
            let at = format!("departments[{i}]");

            if dept.id.is_empty() {
                p.add(format!("{at}.id"), "must not be empty");
            } else if !is_id(&dept.id) {
                p.add(
                    format!("{at}.id"),
                    format!(
                        "{:?} may only contain lowercase letters, digits, '_' and '-'",
                        dept.id
                    ),
                );
            } else if let Some(first) = ids.insert(&dept.id, i) {
                ids.insert(&dept.id, first);
                p.add(
                    format!("{at}.id"),
                    format!(
                        "duplicate department id {:?} (also departments[{first}])",
                        dept.id
                    ),
                );
            }

            if dept.name.trim().is_empty() {
                p.add(format!("{at}.name"), "must not be empty");
            }

            if dept.prefix.is_empty() {
                p.add(format!("{at}.prefix"), "must not be empty");
            } else if !dept
                .prefix
                .bytes()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
            {
                p.add(
                    format!("{at}.prefix"),
                    format!(
                        "{:?} may only contain uppercase letters A-Z and digits",
                        dept.prefix
                    ),
                );
            } else if let Some(first) = prefixes.insert(&dept.prefix, i) {
                prefixes.insert(&dept.prefix, first);
                p.add(
                    format!("{at}.prefix"),
                    format!(
                        "duplicate prefix {:?} (also departments[{first}]); ticket numbers would clash",
                        dept.prefix
                    ),
                );
            }

            if dept.slack_channel.is_empty() && dept.teams_channel.is_empty() {
                p.add(
                    &at,
                    "has neither slack_channel nor teams_channel, so its tickets could not reach anyone",
                );
            }
            if dept.slack_channel.starts_with('#') {
                p.add(
                    format!("{at}.slack_channel"),
                    "must be a channel id such as C0123ABCD, not a #name",
                );
            } else if has_whitespace(&dept.slack_channel) {
                p.add(format!("{at}.slack_channel"), "must not contain whitespace");
            }
            if has_whitespace(&dept.teams_channel) {
                p.add(format!("{at}.teams_channel"), "must not contain whitespace");
            }

            for (k, keyword) in dept.keywords.iter().enumerate() {
                if keyword.trim().is_empty() {
                    p.add(format!("{at}.keywords[{k}]"), "must not be empty");
                }
            }
            for (k, agent) in dept.agents.iter().enumerate() {
                if agent.trim().is_empty() {
                    p.add(format!("{at}.agents[{k}]"), "must not be empty");
                }
            }
            p.positive(&format!("{at}.first_response_sla"), dept.first_response_sla);
            p.positive(&format!("{at}.remind_every"), dept.remind_every);
            for (k, user) in dept.on_call.iter().enumerate() {
                if !dept.agents.is_empty() && !dept.agents.contains(user) {
                    p.add(
                        format!("{at}.on_call[{k}]"),
                        format!("{user:?} is not one of this department's agents"),
                    );
                }
            }
            if let Some(after) = dept.auto_close_after {
                p.positive(&format!("{at}.auto_close_after"), after);
            }
            if dept.confidential && dept.relay == crate::core::Relay::Thread {
                p.add(
                    format!("{at}.relay"),
                    "a confidential department must set relay = \"explicit\": in thread mode every reply in the card's thread is relayed, and the thread is in a shared channel",
                );
            }
            if let Some(after) = dept.retention.as_ref().and_then(|r| r.closed_content_after) {
                p.positive(&format!("{at}.retention.closed_content_after"), after);
            }

            check_fields(&at, &dept.fields, p);
            p.0.extend(super::service_levels::problems(&at, dept));
        }
    }
}

fn check_fields(at: &str, fields: &[FieldConfig], p: &mut Problems) {
    let mut ids: HashMap<&str, usize> = HashMap::new();
    for (j, field) in fields.iter().enumerate() {
        let at = format!("{at}.fields[{j}]");
        if field.id.is_empty() {
            p.add(format!("{at}.id"), "must not be empty");
        } else if !is_id(&field.id) {
            p.add(
                format!("{at}.id"),
                format!(
                    "{:?} may only contain lowercase letters, digits, '_' and '-'",
                    field.id
                ),
            );
        } else if let Some(first) = ids.insert(&field.id, j) {
            ids.insert(&field.id, first);
            p.add(
                format!("{at}.id"),
                format!("duplicate field id {:?} (also fields[{first}])", field.id),
            );
        }
        if field.prompt.trim().is_empty() {
            p.add(format!("{at}.prompt"), "must not be empty");
        }
        match field.kind {
            FieldKind::Text if !field.options.is_empty() => p.add(
                format!("{at}.options"),
                "a text field takes no options; remove them or set kind = \"choice\"",
            ),
            FieldKind::Text => {}
            FieldKind::Choice if field.options.is_empty() => p.add(
                format!("{at}.options"),
                "a choice field needs at least one option",
            ),
            FieldKind::Choice => {
                let mut seen: HashMap<&str, usize> = HashMap::new();
                for (k, option) in field.options.iter().enumerate() {
                    if option.trim().is_empty() {
                        p.add(format!("{at}.options[{k}]"), "must not be empty");
                    } else if let Some(first) = seen.insert(option, k) {
                        seen.insert(option, first);
                        p.add(
                            format!("{at}.options[{k}]"),
                            format!("duplicate option {option:?} (also options[{first}])"),
                        );
                    }
                }
            }
        }
    }
}

#[derive(Default)]
struct Problems(Vec<ConfigProblem>);

impl Problems {
    fn add(&mut self, key: impl Into<String>, message: impl Into<String>) {
        self.0.push(ConfigProblem::new(key, message));
    }

    fn positive(&mut self, key: &str, value: Duration) {
        if value.is_zero() {
            self.add(key, "must be greater than zero");
        }
    }

    fn url(&mut self, key: &str, value: &str) {
        if let Err(message) = check_http_url(value) {
            self.add(key, message);
        }
    }

    fn reactions(&mut self, key: &str, names: &[String]) {
        for (i, name) in names.iter().enumerate() {
            self.reaction(&format!("{key}[{i}]"), name);
        }
    }

    fn reaction(&mut self, key: &str, name: &str) {
        if name.is_empty() {
            self.add(key, "must not be empty");
        } else if name.contains(':') {
            self.add(
                key,
                format!(
                    "{name:?}: write the reaction name without colons, e.g. \"{}\"",
                    name.trim_matches(':')
                ),
            );
        } else if has_whitespace(name) {
            self.add(key, format!("{name:?}: must not contain whitespace"));
        }
    }
}

pub(super) fn check_socket_addr(value: &str) -> Result<(), String> {
    value.parse::<SocketAddr>().map(|_| ()).map_err(|_| {
        format!("not a socket address: {value:?} (expected ip:port, e.g. 127.0.0.1:3000)")
    })
}

pub(super) fn check_http_url(value: &str) -> Result<(), String> {
    let url = url::Url::parse(value).map_err(|e| format!("not a URL: {value:?} ({e})"))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(format!("{value:?} must be an http or https URL"));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(format!("{value:?} has no host"));
    }
    Ok(())
}

pub(super) fn check_host(host: &str) -> Result<(), String> {
    if host.is_empty() {
        return Err("must not be empty".into());
    }
    if host.contains([':', '/']) || has_whitespace(host) {
        return Err(format!(
            "{host:?} must be a bare host name, without scheme, port or path"
        ));
    }
    url::Host::parse(host)
        .map(|_| ())
        .map_err(|e| format!("{host:?} is not a valid host name ({e})"))
}

fn is_id(value: &str) -> bool {
    !value.is_empty()
        && value
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-')
}

fn has_whitespace(value: &str) -> bool {
    value.chars().any(char::is_whitespace)
}

#[cfg(test)]
mod tests;
