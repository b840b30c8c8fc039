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

            check_fields(&at, &dept.fields, p);
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
mod tests {
    use std::path::PathBuf;

    use super::super::testing::{
        keys_of, no_env, parse_error_of, problems_of, with_default, MINIMAL,
    };
    use super::super::{Config, DepartmentConfig, Secret};

    #[test]
    fn a_relay_marker_that_also_closes_requests_is_refused() {
        let problems = problems_of(&format!(
            "[slack]\nclose_reactions = [\"white_check_mark\", \"outbox_tray\"]\n{MINIMAL}"
        ));
        assert!(
            problems.iter().any(|p| p.key == "slack.relayed_marker"),
            "{problems:?}"
        );
    }

    #[test]
    fn a_file_without_departments_is_refused() {
        assert_eq!(keys_of("[server]\n"), ["departments"]);
    }

    #[test]
    fn a_bad_listen_address_is_reported_under_server_listen() {
        let text = format!("[server]\nlisten = \"localhost\"\n{MINIMAL}");
        let problems = problems_of(&text);
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].key, "server.listen");
        assert!(problems[0].message.contains("not a socket address"));
    }

    #[test]
    fn the_default_locale_must_be_one_frontdesk_ships() {
        let config = Config::from_toml_str(MINIMAL, &no_env).unwrap();
        assert_eq!(config.server.default_locale, "en");
        for ok in ["en", "de"] {
            let text = format!("[server]\ndefault_locale = \"{ok}\"\n{MINIMAL}");
            assert!(Config::from_toml_str(&text, &no_env).is_ok(), "{ok}");
        }
        let text = format!("[server]\ndefault_locale = \"de-DE\"\n{MINIMAL}");
        let problems = problems_of(&text);
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert_eq!(problems[0].key, "server.default_locale");
        assert!(problems[0].message.contains("en, de"), "{problems:?}");
    }

    #[test]
    fn a_messages_file_is_read_and_checked_at_load() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("m.ftl");
        let text = format!(
            "[server]\ndefault_locale = \"de\"\nmessages_file = {:?}\n{MINIMAL}",
            file.to_str().unwrap()
        );
        let problems = problems_of(&text);
        assert_eq!(problems.len(), 1, "a missing file: {problems:?}");
        assert_eq!(problems[0].key, "server.messages_file");
        std::fs::write(&file, "claimed = { $user } hat { $ticket }.\n").unwrap();
        let problems = problems_of(&text);
        assert_eq!(problems[0].key, "server.messages_file");
        assert!(problems[0].message.contains("$ticket"), "{problems:?}");
        std::fs::write(&file, "claimed = { $user } hat { $id } übernommen.\n").unwrap();
        let config = Config::from_toml_str(&text, &no_env).unwrap();
        let text = crate::core::Text::new("claimed")
            .arg(
                "user",
                &crate::core::UserRef::new(crate::core::Platform::Slack, "U1"),
            )
            .arg("id", "IT-1");
        let words = config.messages();
        assert_eq!(
            words.format("de", &text, &mut crate::i18n::Plain),
            "U1 hat IT-1 übernommen."
        );
        assert_eq!(
            words.format("en", &text, &mut crate::i18n::Plain),
            "U1 is now working on IT-1."
        );
    }

    #[test]
    fn zero_server_sizes_are_reported() {
        let keys = with_default(|c| {
            c.server.max_body_bytes = 0;
            c.server.data_dir = PathBuf::new();
            c.scheduler.max_burst = 0;
        });
        assert_eq!(
            keys,
            [
                "server.data_dir",
                "server.max_body_bytes",
                "scheduler.max_burst"
            ]
        );
    }

    #[test]
    fn urls_must_be_http_or_https() {
        let text = format!(
            "[slack]\napi_url = \"ftp://slack.com/api/\"\n[teams]\nopenid_metadata_url = \"not a url\"\ntoken_url = \"http://localhost:9/token\"\n{MINIMAL}"
        );
        let problems = problems_of(&text);
        let keys: Vec<_> = problems.iter().map(|p| p.key.as_str()).collect();
        assert_eq!(keys, ["slack.api_url", "teams.openid_metadata_url"]);
        assert!(problems[0].message.contains("http or https"));
    }

    #[test]
    fn reaction_names_must_be_bare_and_non_empty() {
        let text = format!(
            "[slack]\nclose_reactions = [\"ok\", \":white_check_mark:\", \"\"]\nrelayed_marker = \"\"\n[teams]\nclose_reactions = [\"thumbs up\"]\n{MINIMAL}"
        );
        let problems = problems_of(&text);
        let keys: Vec<_> = problems.iter().map(|p| p.key.as_str()).collect();
        assert_eq!(
            keys,
            [
                "slack.close_reactions[1]",
                "slack.close_reactions[2]",
                "slack.relayed_marker",
                "teams.close_reactions[0]"
            ]
        );
        assert!(problems[0].message.contains("without colons"));
    }

    #[test]
    fn socket_mode_settings_and_the_app_token_are_checked() {
        let keys = with_default(|c| {
            c.slack.app_token = Some(Secret::new("xoxb-a-bot-token"));
            c.slack.socket.connections = 11;
            c.slack.socket.ping_timeout = std::time::Duration::ZERO;
            c.slack.socket.reconnect_max_backoff = std::time::Duration::from_millis(1);
        });
        assert_eq!(
            keys,
            [
                "SLACK_APP_TOKEN",
                "slack.socket.connections",
                "slack.socket.ping_timeout",
                "slack.socket.reconnect_max_backoff"
            ]
        );
        let text = format!("[slack.socket]\nconnections = 3\nping_interval = \"5s\"\n{MINIMAL}");
        let env = |name: &str| (name == "SLACK_APP_TOKEN").then(|| "xapp-1-A1-2-abc".to_string());
        let c = Config::from_toml_str(&text, &env).unwrap();
        assert_eq!(c.slack.socket.connections, 3);
        assert_eq!(
            c.slack.socket.ping_interval,
            std::time::Duration::from_secs(5)
        );
        assert_eq!(c.slack.app_token.unwrap().expose(), "xapp-1-A1-2-abc");
    }

    #[test]
    fn an_empty_internal_note_prefix_is_refused() {
        let keys = with_default(|c| c.slack.internal_note_prefix = " ".into());
        assert_eq!(keys, ["slack.internal_note_prefix"]);
    }

    #[test]
    fn teams_settings_are_checked() {
        let keys = with_default(|c| {
            c.teams.app_id = Some(String::new());
            c.teams
                .service_url_hosts
                .push("https://evil.example/".into());
        });
        assert_eq!(keys, ["teams.app_id", "teams.service_url_hosts[3]"]);

        let keys = with_default(|c| c.teams.app_password = Some(Secret::new("pw")));
        assert_eq!(keys, ["teams.app_id"]);
    }

    #[test]
    fn zero_durations_are_reported_where_they_matter() {
        let text = r#"
[survey]
remind_after = "0s"
[intake]
timeout = "0s"
[outbox]
give_up_after = "0s"
initial_backoff = "0s"
max_backoff = "0s"
[[departments]]
id = "it"
name = "IT"
prefix = "IT"
slack_channel = "C0IT"
first_response_sla = "0s"
remind_every = "0s"
"#;
        assert_eq!(
            keys_of(text),
            [
                "survey.remind_after",
                "intake.timeout",
                "outbox.give_up_after",
                "outbox.initial_backoff",
                "outbox.max_backoff",
                "departments[0].first_response_sla",
                "departments[0].remind_every",
            ]
        );
    }

    #[test]
    fn the_survey_policy_is_checked_by_key() {
        let problems = problems_of(&format!(
            "[survey]\nsample = 1.5\nreminders = 11\n{MINIMAL}"
        ));
        let keys: Vec<&str> = problems.iter().map(|p| p.key.as_str()).collect();
        assert_eq!(keys, ["survey.reminders", "survey.sample"]);
        assert!(
            problems[0].message.contains("at most 10"),
            "{}",
            problems[0].message
        );
        assert!(
            problems[1].message.contains("1.5")
                && problems[1].message.contains("from 0.0 (no surveys) to 1.0"),
            "{}",
            problems[1].message
        );
        for bad in ["-0.1", "nan", "inf"] {
            let text = format!("[survey]\nsample = {bad}\n{MINIMAL}");
            assert_eq!(keys_of(&text), ["survey.sample"], "{bad}");
        }
        // The ends of the ranges are fine, as is a whole number for the share.
        for fine in [
            "sample = 0.0\nreminders = 0\ncooldown = \"0s\"",
            "sample = 1\nreminders = 10\ncooldown = \"7d\"",
            "sample = 0.25\ncooldown = \"2weeks\"",
        ] {
            let text = format!("[survey]\n{fine}\n{MINIMAL}");
            assert!(
                Config::from_toml_str(&text, &no_env).is_ok(),
                "{fine}: {:?}",
                Config::from_toml_str(&text, &no_env).err()
            );
        }
        let c = Config::from_toml_str(
            &format!("[survey]\nsample = 0.25\ncooldown = \"7d\"\nreminders = 3\n{MINIMAL}"),
            &no_env,
        )
        .unwrap();
        assert_eq!(c.survey.sample, 0.25);
        assert_eq!(
            c.survey.cooldown,
            std::time::Duration::from_secs(7 * 86_400)
        );
        assert_eq!(c.survey.reminders, 3);
    }

    #[test]
    fn a_survey_cooldown_or_reminder_count_that_is_no_value_is_reported_naming_the_key() {
        for (line, key) in [
            ("cooldown = \"-1d\"", "survey.cooldown"),
            ("cooldown = \"a week\"", "survey.cooldown"),
            ("cooldown = 7", "survey.cooldown"),
            ("reminders = -1", "survey.reminders"),
            ("reminders = 1.5", "survey.reminders"),
            ("sample = \"half\"", "survey.sample"),
        ] {
            let shown = parse_error_of(&format!("[survey]\n{line}\n{MINIMAL}"));
            assert!(
                shown.starts_with(&format!("cannot parse configuration at key `{key}`: ")),
                "{line}: {shown}"
            );
        }
    }

    #[test]
    fn max_backoff_below_initial_backoff_is_reported() {
        let text = format!("[outbox]\ninitial_backoff = \"10m\"\nmax_backoff = \"5m\"\n{MINIMAL}");
        let problems = problems_of(&text);
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].key, "outbox.max_backoff");
        assert!(
            problems[0].message.contains("10m"),
            "{}",
            problems[0].message
        );
    }

    #[test]
    fn delivery_concurrency_and_pacing_are_checked_by_key() {
        let text = format!(
            "[outbox]\nconcurrency = 0\nslack_channel_rate = -1.0\nslack_channel_burst = 0\n{MINIMAL}"
        );
        assert_eq!(
            keys_of(&text),
            [
                "outbox.concurrency",
                "outbox.slack_channel_rate",
                "outbox.slack_channel_burst"
            ]
        );
        let fine = format!("[outbox]\nconcurrency = 64\nteams_tenant_rate = 0\n{MINIMAL}");
        let c = Config::from_toml_str(&fine, &no_env).unwrap();
        assert_eq!(c.outbox.concurrency, 64);
        assert_eq!(c.outbox.teams_tenant_rate, 0.0);
    }

    #[test]
    fn department_ids_must_be_lowercase_and_unique() {
        let keys = with_default(|c| {
            c.departments[1].id = "IT".into();
            c.departments[2].id = "it".into();
            c.departments[3].id = String::new();
        });
        assert_eq!(
            keys,
            [
                "departments[1].id",
                "departments[2].id",
                "departments[3].id"
            ]
        );
        let problems = Config {
            departments: vec![
                Config::builtin_default().departments[0].clone(),
                DepartmentConfig {
                    prefix: "IT2".into(),
                    ..Config::builtin_default().departments[0].clone()
                },
            ],
            ..Config::builtin_default()
        }
        .validate()
        .unwrap_err();
        assert_eq!(problems.problems()[0].key, "departments[1].id");
        assert!(problems.problems()[0].message.contains("departments[0]"));
    }

    #[test]
    fn department_prefixes_must_be_uppercase_and_unique() {
        let keys = with_default(|c| {
            c.departments[1].prefix = "hr".into();
            c.departments[2].prefix = "IT".into();
            c.departments[3].prefix = String::new();
        });
        assert_eq!(
            keys,
            [
                "departments[1].prefix",
                "departments[2].prefix",
                "departments[3].prefix"
            ]
        );
    }

    #[test]
    fn department_names_and_list_entries_must_not_be_empty() {
        let keys = with_default(|c| {
            c.departments[0].name = " ".into();
            c.departments[0].keywords.push(String::new());
            c.departments[0].agents = vec!["U1".into(), " ".into()];
        });
        assert_eq!(
            keys,
            [
                "departments[0].name",
                "departments[0].keywords[9]",
                "departments[0].agents[1]"
            ]
        );
    }

    #[test]
    fn a_department_needs_a_channel_and_channels_must_be_ids() {
        let keys = with_default(|c| {
            c.departments[0].slack_channel = String::new();
            c.departments[1].slack_channel = "#hr".into();
            c.departments[2].teams_channel = "a b".into();
        });
        assert_eq!(
            keys,
            [
                "departments[0]",
                "departments[1].slack_channel",
                "departments[2].teams_channel"
            ]
        );
    }

    #[test]
    fn field_ids_must_be_present_and_unique_within_a_department() {
        let keys = with_default(|c| {
            c.departments[0].fields[1].id = "device".into();
            c.departments[1].fields[0].id = String::new();
            // The same id in another department is fine.
            c.departments[2].fields[0].id = "device".into();
        });
        assert_eq!(
            keys,
            ["departments[0].fields[1].id", "departments[1].fields[0].id"]
        );
    }

    #[test]
    fn field_prompts_must_not_be_empty() {
        let keys = with_default(|c| c.departments[3].fields[1].prompt = String::new());
        assert_eq!(keys, ["departments[3].fields[1].prompt"]);
    }

    #[test]
    fn choice_fields_need_unique_non_empty_options() {
        let keys = with_default(|c| {
            c.departments[0].fields[1].options.clear();
            c.departments[1].fields[0].options = vec!["a".into(), "".into(), "a".into()];
        });
        assert_eq!(
            keys,
            [
                "departments[0].fields[1].options",
                "departments[1].fields[0].options[1]",
                "departments[1].fields[0].options[2]"
            ]
        );
    }

    #[test]
    fn a_text_field_with_options_is_refused() {
        let text = format!(
            "{MINIMAL}[[departments.fields]]\nid = \"device\"\nprompt = \"Which?\"\noptions = [\"a\"]\n"
        );
        let problems = problems_of(&text);
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].key, "departments[0].fields[0].options");
        assert!(problems[0].message.contains("text field"));
    }

    #[test]
    fn every_problem_is_reported_not_just_the_first() {
        let text = r#"
[server]
listen = "nowhere"
[outbox]
initial_backoff = "0s"
[[departments]]
id = "It Dept"
prefix = ""
[[departments.fields]]
id = "x"
kind = "choice"
"#;
        let error = Config::from_toml_str(text, &no_env).unwrap_err();
        let keys: Vec<_> = error.problems().iter().map(|p| p.key.as_str()).collect();
        assert_eq!(
            keys,
            [
                "server.listen",
                "outbox.initial_backoff",
                "departments[0].id",
                "departments[0].name",
                "departments[0].prefix",
                "departments[0]",
                "departments[0].fields[0].prompt",
                "departments[0].fields[0].options",
            ]
        );
        // One `key: message` line per problem under a heading.
        let shown = error.to_string();
        assert_eq!(shown.lines().count(), 1 + keys.len());
        assert!(shown.contains("\nserver.listen: not a socket address"));
        assert!(shown.contains("\ndepartments[0].fields[0].options: a choice field"));
    }
}
