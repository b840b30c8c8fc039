//! Configuration: the TOML file format, its built-in defaults, environment
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

use std::collections::HashMap;
use std::fmt;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;

use serde::de::{Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;

/// The most deliveries `outbox.concurrency` may allow in flight.
const MAX_CONCURRENCY: usize = 10_000;

/// Every environment variable [`Config::apply_env`] reads.
pub const ENV_VARS: &[&str] = &[
    "FRONTDESK_LISTEN",
    "FRONTDESK_DATA_DIR",
    "FRONTDESK_LOG_FORMAT",
    "FRONTDESK_OUTBOX_CONCURRENCY",
    "SLACK_API_URL",
    "SLACK_SIGNING_SECRET",
    "SLACK_BOT_TOKEN",
    "TEAMS_APP_ID",
    "TEAMS_APP_PASSWORD",
    "TEAMS_OPENID_METADATA_URL",
    "TEAMS_TOKEN_URL",
    "TEAMS_SERVICE_URL_HOSTS",
];

/// The whole configuration. Build it with [`Config::load`],
/// [`Config::from_toml_str`] or [`Config::builtin_default`].
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    #[serde(default)]
    pub server: ServerConfig,
    #[serde(default)]
    pub slack: SlackConfig,
    #[serde(default)]
    pub teams: TeamsConfig,
    #[serde(default)]
    pub survey: SurveyConfig,
    #[serde(default)]
    pub intake: IntakeConfig,
    #[serde(default)]
    pub outbox: OutboxConfig,
    #[serde(default)]
    pub scheduler: SchedulerConfig,
    /// No default here on purpose: a file that forgets its departments should
    /// fail validation, not silently route tickets to the sample channels.
    #[serde(default)]
    pub departments: Vec<DepartmentConfig>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ServerConfig {
    /// `host:port` to bind; must parse as a [`SocketAddr`].
    pub listen: String,
    pub data_dir: PathBuf,
    pub log_format: LogFormat,
    pub max_body_bytes: usize,
}

impl Default for ServerConfig {
    fn default() -> Self {
        Self {
            listen: "127.0.0.1:3000".into(),
            data_dir: PathBuf::from("./data"),
            log_format: LogFormat::Text,
            max_body_bytes: 1024 * 1024,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    #[default]
    Text,
    Json,
}

impl FromStr for LogFormat {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "text" => Ok(Self::Text),
            "json" => Ok(Self::Json),
            _ => Err(format!("unknown log format {s:?}, expected text or json")),
        }
    }
}

impl fmt::Display for LogFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Text => "text",
            Self::Json => "json",
        })
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SlackConfig {
    pub api_url: String,
    /// Reaction names (without colons) that close a ticket. Empty disables
    /// closing by reaction.
    pub close_reactions: Vec<String>,
    pub internal_note_prefix: String,
    /// Reaction put on agent replies once they were relayed to the requester.
    pub relayed_marker: String,
    /// Only from `SLACK_SIGNING_SECRET`; see the module docs.
    #[serde(deserialize_with = "secret_in_file")]
    pub signing_secret: Option<Secret>,
    /// Only from `SLACK_BOT_TOKEN`.
    #[serde(deserialize_with = "secret_in_file")]
    pub bot_token: Option<Secret>,
}

impl Default for SlackConfig {
    fn default() -> Self {
        Self {
            api_url: "https://slack.com/api/".into(),
            close_reactions: strings(&["white_check_mark", "heavy_check_mark"]),
            internal_note_prefix: "note:".into(),
            relayed_marker: "outbox_tray".into(),
            signing_secret: None,
            bot_token: None,
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TeamsConfig {
    pub app_id: Option<String>,
    /// Only from `TEAMS_APP_PASSWORD`.
    #[serde(deserialize_with = "secret_in_file")]
    pub app_password: Option<Secret>,
    pub openid_metadata_url: String,
    pub token_url: String,
    /// Hosts a Bot Framework `serviceUrl` may point at. `TEAMS_SERVICE_URL_HOSTS`
    /// adds to this list rather than replacing it.
    pub service_url_hosts: Vec<String>,
    pub close_reactions: Vec<String>,
}

impl Default for TeamsConfig {
    fn default() -> Self {
        Self {
            app_id: None,
            app_password: None,
            openid_metadata_url:
                "https://login.botframework.com/v1/.well-known/openidconfiguration".into(),
            token_url: "https://login.microsoftonline.com/botframework.com/oauth2/v2.0/token"
                .into(),
            service_url_hosts: strings(&[
                "smba.trafficmanager.net",
                "smba.infra.gcc.teams.microsoft.com",
                "smba.infra.gov.teams.microsoft.us",
            ]),
            close_reactions: strings(&["like"]),
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SurveyConfig {
    pub enabled: bool,
    #[serde(with = "humantime_serde")]
    pub remind_after: Duration,
}

impl Default for SurveyConfig {
    fn default() -> Self {
        Self {
            enabled: true,
            remind_after: Duration::from_secs(24 * HOUR),
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct IntakeConfig {
    /// How long an unfinished intake conversation waits for the next answer.
    #[serde(with = "humantime_serde")]
    pub timeout: Duration,
}

impl Default for IntakeConfig {
    fn default() -> Self {
        Self {
            timeout: Duration::from_secs(2 * HOUR),
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct OutboxConfig {
    #[serde(with = "humantime_serde")]
    pub give_up_after: Duration,
    #[serde(with = "humantime_serde")]
    pub initial_backoff: Duration,
    #[serde(with = "humantime_serde")]
    pub max_backoff: Duration,
    /// The most deliveries in flight at once; the number adapts below it.
    pub concurrency: usize,
    /// Slack posts per channel per second, sustained (0: no pacing), and how many at once.
    pub slack_channel_rate: f64,
    pub slack_channel_burst: u32,
    /// Teams messages per conversation per second, sustained (0: no pacing), and at once.
    pub teams_conversation_rate: f64,
    pub teams_conversation_burst: u32,
    /// Teams calls per tenant per second (0: no pacing).
    pub teams_tenant_rate: f64,
}

impl Default for OutboxConfig {
    fn default() -> Self {
        Self {
            give_up_after: Duration::from_secs(24 * HOUR),
            initial_backoff: Duration::from_secs(1),
            max_backoff: Duration::from_secs(5 * 60),
            concurrency: 512,
            slack_channel_rate: 1.0,
            slack_channel_burst: 4,
            teams_conversation_rate: 0.5,
            teams_conversation_burst: 7,
            teams_tenant_rate: 50.0,
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SchedulerConfig {
    /// How many overdue reminders may fire at once, e.g. after a restart.
    pub max_burst: usize,
}

impl Default for SchedulerConfig {
    fn default() -> Self {
        Self { max_burst: 100 }
    }
}

/// Every key defaults (ids and names to empty) so that validation, which
/// reports all problems at once, catches missing ones rather than serde,
/// which stops at the first.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DepartmentConfig {
    pub id: String,
    pub name: String,
    /// Ticket number prefix, e.g. `IT` for `IT-42`.
    pub prefix: String,
    /// Empty: the department is not on Slack.
    pub slack_channel: String,
    /// Empty: the department is not on Teams.
    pub teams_channel: String,
    pub keywords: Vec<String>,
    /// User ids allowed to claim/close; empty means anyone.
    pub agents: Vec<String>,
    #[serde(with = "humantime_serde")]
    pub first_response_sla: Duration,
    #[serde(with = "humantime_serde")]
    pub remind_every: Duration,
    /// Who to mention on a reminder; empty means nobody.
    pub escalate_to: String,
    pub fields: Vec<FieldConfig>,
}

impl Default for DepartmentConfig {
    fn default() -> Self {
        Self {
            id: String::new(),
            name: String::new(),
            prefix: String::new(),
            slack_channel: String::new(),
            teams_channel: String::new(),
            keywords: Vec::new(),
            agents: Vec::new(),
            first_response_sla: Duration::from_secs(4 * HOUR),
            remind_every: Duration::from_secs(2 * HOUR),
            escalate_to: String::new(),
            fields: Vec::new(),
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FieldConfig {
    pub id: String,
    pub prompt: String,
    pub kind: FieldKind,
    /// Allowed answers of a `choice` field; must be empty for `text`.
    pub options: Vec<String>,
    pub required: bool,
}

impl Default for FieldConfig {
    fn default() -> Self {
        Self {
            id: String::new(),
            prompt: String::new(),
            kind: FieldKind::Text,
            options: Vec::new(),
            required: true,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FieldKind {
    #[default]
    Text,
    Choice,
}

/// A credential. `Debug` and `Display` print `[redacted]` so that logging a
/// config (or anything holding one) cannot leak it; call [`Secret::expose`]
/// at the single place the raw value is needed.
#[derive(Clone)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

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

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read config file {}: {source}", path.display())]
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
    /// Reads `path` (or takes the built-in default when `None`), applies
    /// overrides from the process environment and validates.
    pub fn load(path: Option<&Path>) -> Result<Config, ConfigError> {
        // The injected-env API speaks `String`, so a non-UTF-8 value would
        // otherwise look unset and be silently ignored.
        let mut problems: Vec<ConfigProblem> = ENV_VARS
            .iter()
            .filter(|name| matches!(std::env::var(name), Err(std::env::VarError::NotUnicode(_))))
            .map(|name| ConfigProblem::new(*name, "not valid UTF-8"))
            .collect();
        let env = |name: &str| std::env::var(name).ok();
        let result = match path {
            None => Config::default_with_env(&env),
            Some(path) => {
                let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Io {
                    path: path.to_owned(),
                    source,
                })?;
                Config::from_toml_str(&text, &env)
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
        let (mut config, mut problems) = parse(text)?;
        problems.extend(config.apply_env(env));
        problems.extend(config.problems());
        finish(config, problems)
    }

    /// Parses `text` without environment overrides or validation. Secrets in
    /// the file are still refused: they are never acceptable there.
    pub fn from_toml_str_unvalidated(text: &str) -> Result<Config, ConfigError> {
        let (config, problems) = parse(text)?;
        finish(config, problems)
    }

    /// The built-in default with overrides from `env` applied, validated.
    pub fn default_with_env(env: &dyn Fn(&str) -> Option<String>) -> Result<Config, ConfigError> {
        let mut config = Config::builtin_default();
        let mut problems = config.apply_env(env);
        problems.extend(config.problems());
        finish(config, problems)
    }

    /// Applies the environment overrides listed in [`ENV_VARS`]. A value that
    /// does not parse is reported under the variable's name and not applied.
    pub fn apply_env(&mut self, env: &dyn Fn(&str) -> Option<String>) -> Vec<ConfigProblem> {
        let get = |name: &str| {
            env(name)
                .map(|value| value.trim().to_owned())
                .filter(|value| !value.is_empty())
        };
        let mut problems = Vec::new();

        if let Some(value) = get("FRONTDESK_LISTEN") {
            match check_socket_addr(&value) {
                Ok(()) => self.server.listen = value,
                Err(message) => problems.push(ConfigProblem::new("FRONTDESK_LISTEN", message)),
            }
        }
        if let Some(value) = get("FRONTDESK_DATA_DIR") {
            self.server.data_dir = PathBuf::from(value);
        }
        if let Some(value) = get("FRONTDESK_LOG_FORMAT") {
            match value.parse() {
                Ok(format) => self.server.log_format = format,
                Err(message) => problems.push(ConfigProblem::new("FRONTDESK_LOG_FORMAT", message)),
            }
        }
        if let Some(value) = get("FRONTDESK_OUTBOX_CONCURRENCY") {
            match value.parse::<usize>() {
                Ok(n) => self.outbox.concurrency = n,
                Err(_) => problems.push(ConfigProblem::new(
                    "FRONTDESK_OUTBOX_CONCURRENCY",
                    format!("{value:?} is not a whole number"),
                )),
            }
        }

        let urls = [
            ("SLACK_API_URL", &mut self.slack.api_url),
            (
                "TEAMS_OPENID_METADATA_URL",
                &mut self.teams.openid_metadata_url,
            ),
            ("TEAMS_TOKEN_URL", &mut self.teams.token_url),
        ];
        for (name, slot) in urls {
            if let Some(value) = get(name) {
                match check_http_url(&value) {
                    Ok(()) => *slot = value,
                    Err(message) => problems.push(ConfigProblem::new(name, message)),
                }
            }
        }

        if let Some(value) = get("SLACK_SIGNING_SECRET") {
            self.slack.signing_secret = Some(Secret(value));
        }
        if let Some(value) = get("SLACK_BOT_TOKEN") {
            self.slack.bot_token = Some(Secret(value));
        }
        if let Some(value) = get("TEAMS_APP_ID") {
            self.teams.app_id = Some(value);
        }
        if let Some(value) = get("TEAMS_APP_PASSWORD") {
            self.teams.app_password = Some(Secret(value));
        }

        if let Some(value) = get("TEAMS_SERVICE_URL_HOSTS") {
            // Tolerate stray commas ("a,b,") since the list is hand-typed.
            for host in value.split(',').map(str::trim).filter(|h| !h.is_empty()) {
                match check_host(host) {
                    Ok(()) => {
                        if !self.teams.service_url_hosts.iter().any(|h| h == host) {
                            self.teams.service_url_hosts.push(host.to_owned());
                        }
                    }
                    Err(message) => problems.push(ConfigProblem::new(
                        "TEAMS_SERVICE_URL_HOSTS",
                        format!("{host:?}: {message}"),
                    )),
                }
            }
        }
        problems
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

    fn problems(&self) -> Vec<ConfigProblem> {
        let mut p = Problems::default();
        self.check_server(&mut p);
        self.check_slack(&mut p);
        self.check_teams(&mut p);
        p.positive("survey.remind_after", self.survey.remind_after);
        p.positive("intake.timeout", self.intake.timeout);
        self.check_outbox(&mut p);
        if self.scheduler.max_burst == 0 {
            p.add("scheduler.max_burst", "must be at least 1");
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

    /// Four example departments (IT, HR, Facilities, Finance) on Slack
    /// channels `C0IT`, `C0HR`, `C0FAC`, `C0FIN`. Used when no file is given,
    /// and mirrored by `frontdesk.example.toml`.
    pub fn builtin_default() -> Config {
        let urgency = || FieldConfig {
            id: "urgency".into(),
            prompt: "How urgent is it?".into(),
            kind: FieldKind::Choice,
            options: strings(&["low", "normal", "high", "urgent"]),
            required: true,
        };
        let text = |id: &str, prompt: &str, required: bool| FieldConfig {
            id: id.into(),
            prompt: prompt.into(),
            kind: FieldKind::Text,
            options: Vec::new(),
            required,
        };
        let department =
            |id: &str, name: &str, prefix: &str, keywords: &[&str], fields| DepartmentConfig {
                id: id.into(),
                name: name.into(),
                prefix: prefix.into(),
                slack_channel: format!("C0{prefix}"),
                keywords: strings(keywords),
                fields,
                ..DepartmentConfig::default()
            };
        Config {
            server: ServerConfig::default(),
            slack: SlackConfig::default(),
            teams: TeamsConfig::default(),
            survey: SurveyConfig::default(),
            intake: IntakeConfig::default(),
            outbox: OutboxConfig::default(),
            scheduler: SchedulerConfig::default(),
            departments: vec![
                department(
                    "it",
                    "IT",
                    "IT",
                    &[
                        "laptop", "vpn", "password", "wifi", "email", "printer", "account",
                        "software", "login",
                    ],
                    vec![
                        text("device", "Which device or system is affected?", true),
                        urgency(),
                    ],
                ),
                department(
                    "hr",
                    "HR",
                    "HR",
                    &[
                        "leave",
                        "holiday",
                        "vacation",
                        "sick",
                        "contract",
                        "benefits",
                        "onboarding",
                        "offboarding",
                    ],
                    vec![
                        FieldConfig {
                            id: "topic".into(),
                            prompt: "What is it about?".into(),
                            kind: FieldKind::Choice,
                            options: strings(&[
                                "leave",
                                "benefits",
                                "contract",
                                "onboarding",
                                "other",
                            ]),
                            required: true,
                        },
                        text("details", "Anything else we should know?", false),
                    ],
                ),
                department(
                    "facilities",
                    "Facilities",
                    "FAC",
                    &[
                        "desk", "chair", "room", "heating", "light", "parking", "badge", "kitchen",
                        "cleaning",
                    ],
                    vec![
                        text("location", "Where is it (building, floor, room)?", true),
                        urgency(),
                    ],
                ),
                department(
                    "finance",
                    "Finance",
                    "FIN",
                    &[
                        "invoice",
                        "expense",
                        "reimbursement",
                        "budget",
                        "purchase",
                        "payment",
                        "salary",
                        "payroll",
                        "payslip",
                    ],
                    vec![
                        text("amount", "What amount is involved, if any?", false),
                        text(
                            "cost_center",
                            "Which cost center should it be booked to, if you know?",
                            false,
                        ),
                    ],
                ),
            ],
        }
    }

    /// Moves secrets that came from the file out of the config and reports
    /// each one, naming the variable to use instead.
    fn take_file_secrets(&mut self) -> Vec<ConfigProblem> {
        let slots = [
            (
                "slack.signing_secret",
                "SLACK_SIGNING_SECRET",
                &mut self.slack.signing_secret,
            ),
            (
                "slack.bot_token",
                "SLACK_BOT_TOKEN",
                &mut self.slack.bot_token,
            ),
            (
                "teams.app_password",
                "TEAMS_APP_PASSWORD",
                &mut self.teams.app_password,
            ),
        ];
        slots
            .into_iter()
            .filter_map(|(key, var, slot)| {
                slot.take().map(|_| {
                    ConfigProblem::new(
                        key,
                        format!(
                            "secrets are not read from the config file; remove it and set the {var} environment variable instead"
                        ),
                    )
                })
            })
            .collect()
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

fn parse(text: &str) -> Result<(Config, Vec<ConfigProblem>), ConfigError> {
    let mut config: Config = toml::from_str(text).map_err(|error| ConfigError::Parse {
        path: None,
        key: error.span().and_then(|span| key_path_at(text, span)),
        message: error.to_string().trim_end().to_owned(),
    })?;
    let problems = config.take_file_secrets();
    Ok((config, problems))
}

fn finish(config: Config, problems: Vec<ConfigProblem>) -> Result<Config, ConfigError> {
    if problems.is_empty() {
        Ok(config)
    } else {
        Err(ConfigError::Invalid(problems))
    }
}

/// Accepts any value so that a secret in the file, whatever its type, gets
/// the "use the environment variable" message rather than a type error. The
/// value itself is dropped unread; `Some` only marks that the key was there.
fn secret_in_file<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<Secret>, D::Error> {
    IgnoredAny::deserialize(deserializer)?;
    Ok(Some(Secret(String::new())))
}

fn check_socket_addr(value: &str) -> Result<(), String> {
    value.parse::<SocketAddr>().map(|_| ()).map_err(|_| {
        format!("not a socket address: {value:?} (expected ip:port, e.g. 127.0.0.1:3000)")
    })
}

fn check_http_url(value: &str) -> Result<(), String> {
    let url = url::Url::parse(value).map_err(|e| format!("not a URL: {value:?} ({e})"))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(format!("{value:?} must be an http or https URL"));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(format!("{value:?} has no host"));
    }
    Ok(())
}

fn check_host(host: &str) -> Result<(), String> {
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

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| (*s).to_owned()).collect()
}

const HOUR: u64 = 60 * 60;

// --- key path of a parse error -------------------------------------------
//
// toml reports a byte span but no key path (it only names the key when it has
// no span to show). To name the key, re-read the document as a tree of
// spanned keys and values and pick the innermost one covering the error span.

#[derive(Debug)]
enum Node {
    Table(Vec<(toml::Spanned<String>, toml::Spanned<Node>)>),
    Array(Vec<toml::Spanned<Node>>),
    Leaf,
}

impl<'de> Deserialize<'de> for Node {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct NodeVisitor;

        impl<'de> Visitor<'de> for NodeVisitor {
            type Value = Node;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("any TOML value")
            }

            fn visit_bool<E>(self, _: bool) -> Result<Node, E> {
                Ok(Node::Leaf)
            }

            fn visit_i64<E>(self, _: i64) -> Result<Node, E> {
                Ok(Node::Leaf)
            }

            fn visit_u64<E>(self, _: u64) -> Result<Node, E> {
                Ok(Node::Leaf)
            }

            fn visit_f64<E>(self, _: f64) -> Result<Node, E> {
                Ok(Node::Leaf)
            }

            fn visit_str<E>(self, _: &str) -> Result<Node, E> {
                Ok(Node::Leaf)
            }

            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Node, A::Error> {
                let mut items = Vec::new();
                while let Some(item) = seq.next_element()? {
                    items.push(item);
                }
                Ok(Node::Array(items))
            }

            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Node, A::Error> {
                let mut entries = Vec::new();
                while let Some(key) = map.next_key()? {
                    entries.push((key, map.next_value()?));
                }
                Ok(Node::Table(entries))
            }
        }

        deserializer.deserialize_any(NodeVisitor)
    }
}

/// Best effort: `None` when the text has a syntax error, or a datetime
/// (whose private representation does not carry spans).
fn key_path_at(text: &str, span: std::ops::Range<usize>) -> Option<String> {
    let root: Node = toml::from_str(text).ok()?;
    let mut best: Option<(usize, Vec<String>)> = None;
    let mut path = Vec::new();
    find_key(&root, &span, &mut path, &mut best);
    best.map(|(_, path)| render_path(&path))
}

fn find_key(
    node: &Node,
    span: &std::ops::Range<usize>,
    path: &mut Vec<String>,
    best: &mut Option<(usize, Vec<String>)>,
) {
    // Parent spans do not always cover their children (a `[[a.b]]` table
    // lives outside the span of its `[[a]]`), so search the whole tree.
    match node {
        Node::Leaf => {}
        Node::Table(entries) => {
            for (key, value) in entries {
                path.push(render_key(key.get_ref()));
                consider(&key.span(), span, path, best);
                consider(&value.span(), span, path, best);
                find_key(value.get_ref(), span, path, best);
                path.pop();
            }
        }
        Node::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                path.push(format!("[{i}]"));
                consider(&item.span(), span, path, best);
                find_key(item.get_ref(), span, path, best);
                path.pop();
            }
        }
    }
}

fn consider(
    covering: &std::ops::Range<usize>,
    span: &std::ops::Range<usize>,
    path: &[String],
    best: &mut Option<(usize, Vec<String>)>,
) {
    if covering.start <= span.start && span.end <= covering.end {
        let width = covering.end - covering.start;
        // Equal widths: prefer the deeper path (an array of tables shares
        // its span with its only element).
        if best
            .as_ref()
            .is_none_or(|(w, p)| width < *w || (width == *w && path.len() > p.len()))
        {
            *best = Some((width, path.to_vec()));
        }
    }
}

fn render_key(key: &str) -> String {
    let bare = !key.is_empty()
        && key
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
    if bare {
        key.to_owned()
    } else {
        format!("{key:?}")
    }
}

fn render_path(parts: &[String]) -> String {
    let mut out = String::new();
    for part in parts {
        if !out.is_empty() && !part.starts_with('[') {
            out.push('.');
        }
        out.push_str(part);
    }
    out
}

impl Config {
    /// The part of the configuration the desk's core decides by.
    pub fn rules(&self) -> crate::core::Rules {
        use crate::core::{Department, Field, FieldKind as CoreKind, Rules};
        let dur = |d: Duration| chrono::Duration::from_std(d).unwrap_or(chrono::Duration::MAX);
        Rules {
            departments: self
                .departments
                .iter()
                .map(|d| Department {
                    id: d.id.clone(),
                    name: d.name.clone(),
                    prefix: d.prefix.clone(),
                    keywords: d.keywords.clone(),
                    agents: d.agents.clone(),
                    fields: d
                        .fields
                        .iter()
                        .map(|f| Field {
                            id: f.id.clone(),
                            prompt: f.prompt.clone(),
                            kind: match f.kind {
                                FieldKind::Text => CoreKind::Text,
                                FieldKind::Choice => CoreKind::Choice(f.options.clone()),
                            },
                            required: f.required,
                        })
                        .collect(),
                    first_response_sla: dur(d.first_response_sla),
                    remind_every: dur(d.remind_every),
                    escalate_to: d.escalate_to.clone(),
                })
                .collect(),
            intake_timeout: dur(self.intake.timeout),
            survey_enabled: self.survey.enabled,
            survey_remind_after: dur(self.survey.remind_after),
            internal_note_prefix: self.slack.internal_note_prefix.clone(),
        }
    }

    pub fn department(&self, id: &str) -> Option<&DepartmentConfig> {
        self.departments.iter().find(|d| d.id == id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const EXAMPLE: &str = include_str!("../frontdesk.example.toml");

    fn no_env(_: &str) -> Option<String> {
        None
    }

    fn env_of(pairs: &'static [(&'static str, &'static str)]) -> impl Fn(&str) -> Option<String> {
        move |name| {
            pairs
                .iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| (*v).to_owned())
        }
    }

    /// A minimal valid file with one department, to which tests append.
    const MINIMAL: &str = r#"
[[departments]]
id = "it"
name = "IT"
prefix = "IT"
slack_channel = "C0IT"
"#;

    fn problems_of(text: &str) -> Vec<ConfigProblem> {
        match Config::from_toml_str(text, &no_env) {
            Err(ConfigError::Invalid(problems)) => problems,
            other => panic!("expected validation problems, got {other:?}"),
        }
    }

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

    fn keys_of(text: &str) -> Vec<String> {
        problems_of(text).into_iter().map(|p| p.key).collect()
    }

    fn parse_error_of(text: &str) -> String {
        match Config::from_toml_str(text, &no_env) {
            Err(error @ ConfigError::Parse { .. }) => error.to_string(),
            other => panic!("expected a parse error, got {other:?}"),
        }
    }

    fn with_default(edit: impl FnOnce(&mut Config)) -> Vec<String> {
        let mut config = Config::builtin_default();
        edit(&mut config);
        config
            .validate()
            .expect_err("expected validation to fail")
            .problems()
            .iter()
            .map(|p| p.key.clone())
            .collect()
    }

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
    fn the_example_file_validates_and_matches_the_builtin_default() {
        let example = Config::from_toml_str(EXAMPLE, &no_env).unwrap();
        // Debug covers every field (secrets print as [redacted]), so this
        // keeps the documented file and the built-in default in step.
        assert_eq!(
            format!("{example:#?}"),
            format!("{:#?}", Config::builtin_default())
        );
    }

    #[test]
    fn a_minimal_file_gets_defaults_for_everything_else() {
        let config = Config::from_toml_str(MINIMAL, &no_env).unwrap();
        assert_eq!(config.server.listen, "127.0.0.1:3000");
        assert_eq!(
            config.departments[0].first_response_sla,
            Duration::from_secs(4 * HOUR)
        );
        assert!(config.departments[0].keywords.is_empty());
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

    #[test]
    fn secrets_in_the_file_are_refused_naming_the_env_var() {
        let text = format!(
            "[slack]\nsigning_secret = \"s3cr3t\"\nbot_token = 12\n[teams]\napp_id = \"app\"\napp_password = \"pw\"\n{MINIMAL}"
        );
        let error = Config::from_toml_str(&text, &no_env).unwrap_err();
        let problems = error.problems();
        assert_eq!(problems.len(), 3, "{problems:?}");
        assert_eq!(problems[0].key, "slack.signing_secret");
        assert!(problems[0].message.contains("SLACK_SIGNING_SECRET"));
        assert_eq!(problems[1].key, "slack.bot_token");
        assert!(problems[1].message.contains("SLACK_BOT_TOKEN"));
        assert_eq!(problems[2].key, "teams.app_password");
        assert!(problems[2].message.contains("TEAMS_APP_PASSWORD"));
        assert!(!error.to_string().contains("s3cr3t"));
        // Even with the variables set, the file entry is still an error.
        let env = env_of(&[("SLACK_SIGNING_SECRET", "env-secret")]);
        assert!(Config::from_toml_str(&text, &env).is_err());
        assert!(Config::from_toml_str_unvalidated(&text).is_err());
    }

    #[test]
    fn env_overrides_server_and_url_settings() {
        let env = env_of(&[
            ("FRONTDESK_LISTEN", "0.0.0.0:8080"),
            ("FRONTDESK_DATA_DIR", "/var/lib/frontdesk"),
            ("FRONTDESK_LOG_FORMAT", "JSON"),
            ("SLACK_API_URL", "http://127.0.0.1:9999/api/"),
            ("TEAMS_OPENID_METADATA_URL", "http://127.0.0.1:9999/openid"),
            ("TEAMS_TOKEN_URL", "http://127.0.0.1:9999/token"),
            ("TEAMS_APP_ID", "app-123"),
        ]);
        let c = Config::from_toml_str(MINIMAL, &env).unwrap();
        assert_eq!(c.server.listen, "0.0.0.0:8080");
        assert_eq!(c.server.data_dir, PathBuf::from("/var/lib/frontdesk"));
        assert_eq!(c.server.log_format, LogFormat::Json);
        assert_eq!(c.slack.api_url, "http://127.0.0.1:9999/api/");
        assert_eq!(c.teams.openid_metadata_url, "http://127.0.0.1:9999/openid");
        assert_eq!(c.teams.token_url, "http://127.0.0.1:9999/token");
        assert_eq!(c.teams.app_id.as_deref(), Some("app-123"));
    }

    #[test]
    fn env_overrides_apply_to_the_builtin_default_too() {
        let env = env_of(&[("FRONTDESK_LISTEN", "127.0.0.1:4000")]);
        let c = Config::default_with_env(&env).unwrap();
        assert_eq!(c.server.listen, "127.0.0.1:4000");
        assert_eq!(c.departments.len(), 4);
    }

    #[test]
    fn secrets_come_from_env() {
        let env = env_of(&[
            ("SLACK_SIGNING_SECRET", "  signing  "),
            ("SLACK_BOT_TOKEN", "xoxb-1"),
            ("TEAMS_APP_ID", "app"),
            ("TEAMS_APP_PASSWORD", "pw"),
        ]);
        let c = Config::from_toml_str(MINIMAL, &env).unwrap();
        assert_eq!(c.slack.signing_secret.as_ref().unwrap().expose(), "signing");
        assert_eq!(c.slack.bot_token.as_ref().unwrap().expose(), "xoxb-1");
        assert_eq!(c.teams.app_password.as_ref().unwrap().expose(), "pw");
        let shown = format!("{c:?}");
        assert!(!shown.contains("xoxb-1") && !shown.contains("signing\""));
    }

    #[test]
    fn empty_env_values_count_as_unset() {
        let env = env_of(&[("SLACK_BOT_TOKEN", ""), ("FRONTDESK_LISTEN", "  ")]);
        let c = Config::from_toml_str(MINIMAL, &env).unwrap();
        assert!(c.slack.bot_token.is_none());
        assert_eq!(c.server.listen, "127.0.0.1:3000");
    }

    #[test]
    fn teams_service_url_hosts_env_extends_the_list() {
        let env = env_of(&[(
            "TEAMS_SERVICE_URL_HOSTS",
            "localhost, smba.trafficmanager.net,,127.0.0.1,",
        )]);
        let c = Config::from_toml_str(MINIMAL, &env).unwrap();
        assert_eq!(
            c.teams.service_url_hosts,
            [
                "smba.trafficmanager.net",
                "smba.infra.gcc.teams.microsoft.com",
                "smba.infra.gov.teams.microsoft.us",
                "localhost",
                "127.0.0.1",
            ]
        );
    }

    #[test]
    fn bad_env_values_are_reported_naming_the_variable() {
        let env = env_of(&[
            ("FRONTDESK_LISTEN", "nope"),
            ("FRONTDESK_LOG_FORMAT", "xml"),
            ("SLACK_API_URL", "ftp://x/"),
            ("TEAMS_TOKEN_URL", "token"),
            ("TEAMS_SERVICE_URL_HOSTS", "ok.example,http://bad.example/"),
        ]);
        let error = Config::from_toml_str(MINIMAL, &env).unwrap_err();
        let keys: Vec<_> = error.problems().iter().map(|p| p.key.as_str()).collect();
        assert_eq!(
            keys,
            [
                "FRONTDESK_LISTEN",
                "FRONTDESK_LOG_FORMAT",
                "SLACK_API_URL",
                "TEAMS_TOKEN_URL",
                "TEAMS_SERVICE_URL_HOSTS",
            ]
        );
        assert!(error
            .to_string()
            .contains("\nFRONTDESK_LISTEN: not a socket address"));
    }

    #[test]
    fn a_bad_env_value_is_not_applied() {
        let mut config = Config::builtin_default();
        let problems = config.apply_env(&env_of(&[("FRONTDESK_LISTEN", "nope")]));
        assert_eq!(problems.len(), 1);
        assert_eq!(config.server.listen, "127.0.0.1:3000");
    }

    #[test]
    fn a_secret_never_shows_its_value() {
        let secret = Secret::new("hunter2");
        assert_eq!(format!("{secret:?}"), "[redacted]");
        assert_eq!(format!("{secret}"), "[redacted]");
        assert_eq!(secret.expose(), "hunter2");
    }

    #[test]
    fn an_unknown_key_is_rejected_naming_it() {
        let text = format!(
            "{MINIMAL}[[departments.fields]]\nid = \"x\"\nprompt = \"p\"\nrequird = false\n"
        );
        let shown = parse_error_of(&text);
        assert!(shown.contains("unknown field `requird`"), "{shown}");
        assert!(
            shown.contains("departments[0].fields[0].requird"),
            "{shown}"
        );

        let shown = parse_error_of(&format!("[sever]\nlisten = \"x\"\n{MINIMAL}"));
        assert!(shown.contains("unknown field `sever`"), "{shown}");
    }

    #[test]
    fn a_bad_duration_is_reported_naming_the_key() {
        for bad in ["abc", "4 hourz", "4h30"] {
            let text = format!(
                "{MINIMAL}[[departments]]\nid = \"hr\"\nname = \"HR\"\nprefix = \"HR\"\nslack_channel = \"C0HR\"\nfirst_response_sla = \"{bad}\"\n"
            );
            let shown = parse_error_of(&text);
            assert!(
                shown.contains("`departments[1].first_response_sla`"),
                "{shown}"
            );
            assert!(shown.contains(bad), "{shown}");
        }
        let shown = parse_error_of(&format!("[outbox]\nmax_backoff = 300\n{MINIMAL}"));
        assert!(shown.contains("`outbox.max_backoff`"), "{shown}");
    }

    #[test]
    fn a_bad_enum_value_is_reported_naming_the_key() {
        let shown = parse_error_of(&format!(
            "{MINIMAL}[[departments.fields]]\nid = \"x\"\nprompt = \"p\"\nkind = \"radio\"\n"
        ));
        assert!(shown.contains("`departments[0].fields[0].kind`"), "{shown}");
        assert!(shown.contains("radio"), "{shown}");
    }

    #[test]
    fn a_syntax_error_keeps_the_toml_line_information() {
        let shown = parse_error_of("[server\nlisten = 1\n");
        assert!(shown.contains("line 1"), "{shown}");
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
