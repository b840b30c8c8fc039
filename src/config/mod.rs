//! Configuration: the TOML file format, its built-in default, environment
//! overrides, and validation.
//!
//! This module owns everything between "a path (or nothing) on the command
//! line" and "a [`Config`] the rest of the program may trust". Loading happens
//! in three steps:
//!
//! 1. parse the TOML (or take [`Config::builtin_default`]); type errors stop
//!    here with the offending key path, because serde cannot go on after one;
//! 2. apply environment overrides ([`Config::apply_env`]); a malformed
//!    variable is reported under its own name and leaves the file value alone;
//! 3. validate ([`Config::validate`]), which collects every problem instead
//!    of stopping at the first, so an operator can fix a file in one go.
//!
//! Secrets (Slack signing secret and bot token, Teams app password) are only
//! ever read from the environment. A config file is often committed or shared
//! in a ticket, so a secret found in it is refused rather than used.
//!
//! Environment values that are empty or only whitespace count as unset, and
//! values are trimmed, so `SLACK_BOT_TOKEN=` in a compose file does not
//! produce an empty token.
//!
//! This file holds [`Config`]'s public API and [`ConfigError`]; the work is
//! done in private submodules:
//! - `types`: the serde structs of each section and their defaults;
//! - `parse`: TOML text to a [`Config`], naming the key of a type error;
//! - `env`: the environment overrides and [`ENV_VARS`];
//! - `validate`: the checks and the [`ConfigProblem`]s they report;
//! - `rules`: the conversion to the core's [`Rules`](crate::core::Rules);
//! - `help_channels`: `[[help_channels]]`, the channels whose messages become requests,
//!   and their checks;
//! - `service_levels`: business hours, holidays (also from an `.ics` file), the resolution
//!   service level and the escalation ladder: their checks and their conversion.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

mod digest;
mod env;
mod help_channels;
mod parse;
mod rules;
mod service_levels;
#[cfg(test)]
mod testing;
mod types;
mod validate;

pub use digest::DigestConfig;
pub use env::ENV_VARS;
pub use help_channels::{Capture, HelpChannelConfig};
pub use types::{
    Config, DashboardConfig, DepartmentConfig, EscalationConfig, EscalationUntil, FieldConfig,
    FieldKind, IntakeConfig, LogFormat, OutboxConfig, RetentionConfig, SchedulerConfig, Secret,
    ServerConfig, SlackConfig, SlashOpens, SocketModeConfig, SurveyConfig, TeamsConfig,
};
pub use validate::ConfigProblem;

/// The configuration currently in force, shared by everything that reads it and swapped
/// whole on reload: a reader keeps the `Arc` it took for as long as it needs a consistent
/// view.
pub type SharedConfig = std::sync::Arc<std::sync::RwLock<std::sync::Arc<Config>>>;

/// The configuration in force now.
pub fn current(config: &SharedConfig) -> std::sync::Arc<Config> {
    config.read().unwrap_or_else(|e| e.into_inner()).clone()
}

/// The built-in default, which is also the documented example: one copy,
/// shipped in the binary.
const EXAMPLE: &str = include_str!("../../frontdesk.example.toml");

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read config file {}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    /// The TOML is malformed or a value has the wrong type. `key` is the
    /// path of the offending key when it could be worked out; `message` is
    /// toml's own text, which carries the line, column and a snippet.
    #[error("cannot parse {}{}: {message}", describe_source(path.as_deref()), describe_key(key.as_deref()))]
    Parse {
        path: Option<PathBuf>,
        key: Option<String>,
        message: String,
    },
    #[error("invalid configuration:{}", list_problems(.0))]
    Invalid(Vec<ConfigProblem>),
}

impl ConfigError {
    /// The validation problems, empty for I/O and parse errors.
    pub fn problems(&self) -> &[ConfigProblem] {
        match self {
            Self::Invalid(problems) => problems,
            _ => &[],
        }
    }
}

fn describe_source(path: Option<&Path>) -> String {
    match path {
        Some(path) => format!("config file {}", path.display()),
        None => "configuration".to_owned(),
    }
}

fn describe_key(key: Option<&str>) -> String {
    key.map(|key| format!(" at key `{key}`"))
        .unwrap_or_default()
}

fn list_problems(problems: &[ConfigProblem]) -> String {
    problems.iter().map(|p| format!("\n{p}")).collect()
}

impl Config {
    /// The desk's words for this configuration: the shipped catalogs, `server.default_locale`
    /// for readers whose language is unknown, and `server.messages_file`'s overrides. Built on
    /// first use; a reload builds a new configuration and so reads the file again.
    pub fn messages(&self) -> std::sync::Arc<crate::i18n::Catalogs> {
        self.catalogs
            .get_or_init(|| {
                let server = &self.server;
                let built = crate::i18n::Catalogs::load(
                    &server.default_locale,
                    server.messages_file.as_deref(),
                );
                std::sync::Arc::new(built.unwrap_or_else(|e| {
                    // Validation refuses such a configuration; this is one changed under it.
                    tracing::error!(error = %crate::telemetry::chain(&e), "the messages configured can't be used; using the shipped ones");
                    crate::i18n::Catalogs::shipped(&server.default_locale)
                        .or_else(|_| crate::i18n::Catalogs::shipped(crate::i18n::REFERENCE))
                        .expect("the reference locale is shipped")
                }))
            })
            .clone()
    }

    /// Reads `path` (or takes the built-in default when `None`), applies
    /// overrides from the process environment and validates.
    pub fn load(path: Option<&Path>) -> Result<Config, ConfigError> {
        let mut problems = env::not_unicode_in_process();
        let process_env = |name: &str| std::env::var(name).ok();
        let result = match path {
            None => Config::default_with_env(&process_env),
            Some(path) => {
                let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Io {
                    path: path.to_owned(),
                    source,
                })?;
                Config::from_toml_str(&text, &process_env)
            }
        };
        match result {
            Ok(config) if problems.is_empty() => Ok(config),
            Ok(_) => Err(ConfigError::Invalid(problems)),
            Err(ConfigError::Invalid(more)) => {
                problems.extend(more);
                Err(ConfigError::Invalid(problems))
            }
            Err(ConfigError::Parse { key, message, .. }) => Err(ConfigError::Parse {
                path: path.map(Path::to_owned),
                key,
                message,
            }),
            Err(other) => Err(other),
        }
    }

    /// Parses `text`, applies overrides from `env` and validates, reporting
    /// file, environment and validation problems together.
    pub fn from_toml_str(
        text: &str,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Config, ConfigError> {
        let (mut config, mut problems) = parse::parse(text)?;
        problems.extend(config.apply_env(env));
        problems.extend(config.problems());
        finish(config, problems)
    }

    /// Parses `text` without environment overrides or validation. Secrets in
    /// the file are still refused: they are never acceptable there.
    pub fn from_toml_str_unvalidated(text: &str) -> Result<Config, ConfigError> {
        let (config, problems) = parse::parse(text)?;
        finish(config, problems)
    }

    /// The built-in default with overrides from `env` applied, validated.
    pub fn default_with_env(env: &dyn Fn(&str) -> Option<String>) -> Result<Config, ConfigError> {
        let mut config = Config::builtin_default();
        let mut problems = config.apply_env(env);
        problems.extend(config.problems());
        finish(config, problems)
    }

    /// The configuration in `frontdesk.example.toml`, built into the binary:
    /// four example departments (IT, HR, Facilities, Finance) on Slack
    /// channels `C0IT`, `C0HR`, `C0FAC`, `C0FIN`. Used when no file is given.
    pub fn builtin_default() -> Config {
        static DEFAULT: OnceLock<Config> = OnceLock::new();
        DEFAULT
            .get_or_init(|| match parse::parse(EXAMPLE) {
                Ok((config, problems)) if problems.is_empty() => config,
                Ok((_, problems)) => {
                    panic!("frontdesk.example.toml holds secrets: {problems:?}")
                }
                Err(error) => panic!("frontdesk.example.toml does not parse: {error}"),
            })
            .clone()
    }

    /// Applies the environment overrides listed in [`ENV_VARS`]. A value that
    /// does not parse is reported under the variable's name and not applied.
    pub fn apply_env(&mut self, env: &dyn Fn(&str) -> Option<String>) -> Vec<ConfigProblem> {
        env::apply(self, env)
    }

    /// Checks every rule and reports all problems, section by section.
    /// Secrets found in a file are caught earlier, while parsing.
    pub fn validate(&self) -> Result<(), ConfigError> {
        let problems = self.problems();
        if problems.is_empty() {
            Ok(())
        } else {
            Err(ConfigError::Invalid(problems))
        }
    }

    /// The part of the configuration the desk's core decides by.
    pub fn rules(&self) -> crate::core::Rules {
        rules::of(self)
    }

    pub fn department(&self, id: &str) -> Option<&DepartmentConfig> {
        self.departments.iter().find(|d| d.id == id)
    }
}

fn finish(config: Config, problems: Vec<ConfigProblem>) -> Result<Config, ConfigError> {
    if problems.is_empty() {
        Ok(config)
    } else {
        Err(ConfigError::Invalid(problems))
    }
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;
    use std::time::Duration;

    use super::testing::{no_env, MINIMAL};
    use super::*;

    #[test]
    fn the_builtin_default_validates() {
        let config = Config::builtin_default();
        config.validate().unwrap();
        let ids: Vec<_> = config.departments.iter().map(|d| d.id.as_str()).collect();
        assert_eq!(ids, ["it", "hr", "facilities", "finance"]);
        let prefixes: Vec<_> = config
            .departments
            .iter()
            .map(|d| d.prefix.as_str())
            .collect();
        assert_eq!(prefixes, ["IT", "HR", "FAC", "FIN"]);
        let channels: Vec<_> = config
            .departments
            .iter()
            .map(|d| d.slack_channel.as_str())
            .collect();
        assert_eq!(channels, ["C0IT", "C0HR", "C0FAC", "C0FIN"]);
        assert!(config
            .departments
            .iter()
            .all(|d| d.teams_channel.is_empty()));
        assert!(config.departments.iter().all(|d| d.agents.is_empty()));
    }

    #[test]
    fn the_default_has_the_documented_values() {
        let c = Config::builtin_default();
        assert_eq!(c.server.listen, "127.0.0.1:3000");
        assert_eq!(c.server.data_dir, PathBuf::from("./data"));
        assert_eq!(c.server.log_format, LogFormat::Text);
        assert_eq!(c.server.max_body_bytes, 1_048_576);
        assert_eq!(c.slack.api_url, "https://slack.com/api/");
        assert_eq!(c.slack.relayed_marker, "outbox_tray");
        assert_eq!(c.teams.close_reactions, ["like"]);
        assert_eq!(c.teams.service_url_hosts.len(), 3);
        assert_eq!(c.survey.remind_after, Duration::from_secs(86_400));
        assert_eq!(c.survey.reminders, 1);
        assert_eq!(c.survey.sample, 1.0);
        assert_eq!(c.survey.cooldown, Duration::ZERO);
        assert_eq!(c.intake.timeout, Duration::from_secs(7_200));
        assert_eq!(c.outbox.max_backoff, Duration::from_secs(300));
        assert_eq!(c.scheduler.max_burst, 100);
        assert_eq!(
            c.departments[0].first_response_sla,
            Duration::from_secs(14_400)
        );
        assert_eq!(c.departments[0].remind_every, Duration::from_secs(7_200));
    }

    #[test]
    fn the_example_parses_with_no_problems_and_has_the_four_departments() {
        let config = Config::from_toml_str(EXAMPLE, &no_env).unwrap();
        let ids: Vec<_> = config.departments.iter().map(|d| d.id.as_str()).collect();
        assert_eq!(ids, ["it", "hr", "facilities", "finance"]);
        assert!(config.departments.iter().all(|d| d.fields.len() == 2));
    }

    /// The example says a key left out takes the value it shows, so the
    /// values it spells out must be the sections' own defaults.
    #[test]
    fn the_example_spells_out_the_defaults_of_left_out_keys() {
        let example = Config::builtin_default();
        let same = |written: &dyn std::fmt::Debug, default: &dyn std::fmt::Debug| {
            assert_eq!(format!("{written:#?}"), format!("{default:#?}"));
        };
        same(&example.server, &ServerConfig::default());
        same(&example.slack, &SlackConfig::default());
        same(&example.teams, &TeamsConfig::default());
        same(&example.survey, &SurveyConfig::default());
        same(&example.intake, &IntakeConfig::default());
        same(&example.outbox, &OutboxConfig::default());
        same(&example.scheduler, &SchedulerConfig::default());
        same(&example.dashboard, &DashboardConfig::default());
        for dept in &example.departments {
            let defaults = DepartmentConfig {
                id: dept.id.clone(),
                name: dept.name.clone(),
                prefix: dept.prefix.clone(),
                slack_channel: dept.slack_channel.clone(),
                keywords: dept.keywords.clone(),
                fields: dept.fields.clone(),
                ..DepartmentConfig::default()
            };
            same(dept, &defaults);
        }
    }

    #[test]
    fn a_minimal_file_gets_defaults_for_everything_else() {
        let config = Config::from_toml_str(MINIMAL, &no_env).unwrap();
        assert_eq!(config.server.listen, "127.0.0.1:3000");
        assert_eq!(
            config.departments[0].first_response_sla,
            Duration::from_secs(4 * 60 * 60)
        );
        assert!(config.departments[0].keywords.is_empty());
    }

    #[test]
    fn load_reads_a_file_and_reports_its_path() {
        let dir = std::env::temp_dir().join(format!("frontdesk-config-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let good = dir.join("good.toml");
        std::fs::write(&good, MINIMAL).unwrap();
        let bad = dir.join("bad.toml");
        std::fs::write(&bad, "[server]\nlisten = 3\n").unwrap();

        // The process env may hold FRONTDESK_* in a developer shell, so only
        // assert on what the file decides.
        if let Ok(config) = Config::load(Some(&good)) {
            assert_eq!(config.departments[0].id, "it");
        }
        let shown = Config::load(Some(&bad)).unwrap_err().to_string();
        assert!(shown.contains("bad.toml"), "{shown}");
        assert!(shown.contains("`server.listen`"), "{shown}");
        let missing = Config::load(Some(&dir.join("missing.toml"))).unwrap_err();
        assert!(matches!(missing, ConfigError::Io { .. }), "{missing:?}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
