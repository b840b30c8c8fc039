//! The configuration's types: one serde struct per TOML section, the
//! `Default` each section takes when a file leaves it (or some of its keys)
//! out, and [`Secret`], which never prints its value.
//!
//! Nothing here checks values beyond their type; that is `validate.rs`.

use std::fmt;
use std::path::PathBuf;
use std::str::FromStr;
use std::time::Duration;

use serde::de::{Deserializer, IgnoredAny};
use serde::Deserialize;

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
    /// How long closed requests keep what people wrote (all departments; each may override).
    #[serde(default)]
    pub retention: RetentionConfig,
    /// When the weekly digest is posted; off when absent.
    #[serde(default)]
    pub digest: super::digest::DigestConfig,
    #[serde(default)]
    pub dashboard: DashboardConfig,
    /// No default here on purpose: a file that forgets its departments should
    /// fail validation, not silently route tickets to the sample channels.
    #[serde(default)]
    pub departments: Vec<DepartmentConfig>,
    /// `[[help_channels]]`: Slack channels where people ask for help in the open.
    #[serde(default)]
    pub help_channels: Vec<super::help_channels::HelpChannelConfig>,
    /// The catalogs this configuration asks for, built on first use ([`Config::messages`]).
    #[serde(skip)]
    pub(crate) catalogs: std::sync::OnceLock<std::sync::Arc<crate::i18n::Catalogs>>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ServerConfig {
    /// `host:port` to bind; must parse as a [`SocketAddr`](std::net::SocketAddr).
    pub listen: String,
    pub data_dir: PathBuf,
    pub log_format: LogFormat,
    pub max_body_bytes: usize,
    /// The language for people whose own is unknown, and for department channels: a shipped
    /// locale (`en`, `de`).
    pub default_locale: String,
    /// A Fluent file whose messages replace the shipped ones of the default locale.
    pub messages_file: Option<PathBuf>,
}

impl Default for ServerConfig {
    fn default() -> Self {
        Self {
            listen: "127.0.0.1:3000".into(),
            data_dir: PathBuf::from("./data"),
            log_format: LogFormat::Text,
            max_body_bytes: 1024 * 1024,
            default_locale: "en".into(),
            messages_file: None,
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
    /// Reaction names (without colons) that file the message they are put on as a request
    /// (🎫 by default). Empty turns filing by reaction off.
    pub ticket_reactions: Vec<String>,
    /// What `/help-it` without words opens: `"conversation"` (the DM questions) or `"form"`
    /// (a modal with every question at once).
    pub slash_opens: SlashOpens,
    pub internal_note_prefix: String,
    /// Reaction put on agent replies once they were relayed to the requester.
    pub relayed_marker: String,
    /// Only from `SLACK_SIGNING_SECRET`; see the module docs.
    #[serde(deserialize_with = "secret_in_file")]
    pub signing_secret: Option<Secret>,
    /// Only from `SLACK_BOT_TOKEN`.
    #[serde(deserialize_with = "secret_in_file")]
    pub bot_token: Option<Secret>,
    /// Only from `SLACK_APP_TOKEN` (`xapp-…`); when set, Slack is also reached over Socket
    /// Mode.
    #[serde(deserialize_with = "secret_in_file")]
    pub app_token: Option<Secret>,
    /// `[slack.socket]`: how Socket Mode keeps its connections.
    pub socket: SocketModeConfig,
}

/// How Socket Mode keeps its WebSocket connections to Slack.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SocketModeConfig {
    /// Connections kept open at once (Slack allows 10 per app and spreads envelopes over
    /// them); two, so one is always up while the other is replaced.
    pub connections: usize,
    /// How often a ping goes out on a connection.
    #[serde(with = "humantime_serde")]
    pub ping_interval: Duration,
    /// A connection that has sent nothing (no pong, no frame) for this long after a ping is
    /// taken for dead and replaced.
    #[serde(with = "humantime_serde")]
    pub ping_timeout: Duration,
    /// The first wait before a failed connection attempt is tried again; it doubles (with
    /// jitter) up to `reconnect_max_backoff`.
    #[serde(with = "humantime_serde")]
    pub reconnect_initial_backoff: Duration,
    #[serde(with = "humantime_serde")]
    pub reconnect_max_backoff: Duration,
}

impl Default for SocketModeConfig {
    fn default() -> Self {
        Self {
            connections: 2,
            ping_interval: Duration::from_secs(10),
            ping_timeout: Duration::from_secs(10),
            reconnect_initial_backoff: Duration::from_secs(1),
            reconnect_max_backoff: Duration::from_secs(60),
        }
    }
}

impl Default for SlackConfig {
    fn default() -> Self {
        Self {
            api_url: "https://slack.com/api/".into(),
            close_reactions: strings(&["white_check_mark", "heavy_check_mark"]),
            ticket_reactions: strings(&["ticket"]),
            slash_opens: SlashOpens::Conversation,
            internal_note_prefix: "note:".into(),
            relayed_marker: "outbox_tray".into(),
            signing_secret: None,
            bot_token: None,
            app_token: None,
            socket: SocketModeConfig::default(),
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
    /// The wait before each reminder of an unanswered survey.
    #[serde(with = "humantime_serde")]
    pub remind_after: Duration,
    /// How many reminders an unanswered survey gets, each `remind_after` after the last.
    pub reminders: u32,
    /// The share of closed requests that get a survey, 0.0 to 1.0, picked by a fixed hash of
    /// the request id.
    pub sample: f64,
    /// A requester sent a survey gets no other within this time; zero turns it off.
    #[serde(with = "humantime_serde")]
    pub cooldown: Duration,
}

impl Default for SurveyConfig {
    fn default() -> Self {
        Self {
            enabled: true,
            remind_after: Duration::from_secs(24 * HOUR),
            reminders: 1,
            sample: 1.0,
            cooldown: Duration::ZERO,
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
    /// IANA time zone of `hours` and `holidays`; empty means UTC.
    pub timezone: String,
    /// Business hours such as `"Mon-Fri 09:00-17:30"`; empty means around the clock.
    pub hours: Vec<String>,
    /// Days off, `YYYY-MM-DD`.
    pub holidays: Vec<String>,
    /// An iCalendar file whose events' start dates are days off too.
    pub holidays_ics: Option<std::path::PathBuf>,
    /// Priorities chased around the clock, whatever the hours (e.g. `["urgent"]`).
    pub always_on_priorities: Vec<String>,
    /// Business time from filing to close; absent: no resolution service level.
    #[serde(with = "humantime_serde")]
    pub resolution_sla: Option<Duration>,
    /// The wait between resolution reminders; absent: `remind_every`.
    #[serde(with = "humantime_serde")]
    pub resolution_remind_every: Option<Duration>,
    /// The escalation ladder, `[[departments.escalation]]`.
    pub escalation: Vec<EscalationConfig>,
    /// This department's retention, instead of the top-level `[retention]`.
    pub retention: Option<RetentionConfig>,
    /// The channel card shows only id, department, status, assignee and age; agents read
    /// the rest through "View details". Needs `relay = "explicit"`.
    pub confidential: bool,
    /// `"thread"`: replies in the card's thread reach the requester (except internal notes);
    /// `"explicit"`: only "Reply to requester" or `/help-it reply ID text` does.
    pub relay: crate::core::Relay,
    /// Who gets a new request: `"manual"` (an agent claims it), `"round_robin"` or
    /// `"least_loaded"`, over `on_call` or, when that is empty, `agents`.
    pub assign: crate::core::Assign,
    /// User ids new requests are assigned among; each must be one of `agents` (when set).
    pub on_call: Vec<String>,
    /// A request waiting on its requester this long is closed, with a nudge half-way.
    #[serde(with = "humantime_serde")]
    pub auto_close_after: Option<Duration>,
}

/// `[retention]`, and `[departments.retention]` for one department.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RetentionConfig {
    /// A closed or cancelled request's summary, answers, messages and comments are removed
    /// this long after it closed. Absent: kept for good.
    #[serde(with = "humantime_serde")]
    pub closed_content_after: Option<Duration>,
}

/// One step of an escalation ladder.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct EscalationConfig {
    /// Business time since the request was filed.
    #[serde(with = "humantime_serde")]
    pub after: Duration,
    /// `U…` users and `S…` user groups are mentioned in the request's thread, `C…`
    /// channels get a post linking to its card.
    pub notify: Vec<String>,
    /// What stops the step: `"first_response"` (default) or `"resolution"`.
    pub until: EscalationUntil,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EscalationUntil {
    #[default]
    FirstResponse,
    Resolution,
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
            timezone: String::new(),
            hours: Vec::new(),
            holidays: Vec::new(),
            holidays_ics: None,
            always_on_priorities: Vec::new(),
            resolution_sla: None,
            resolution_remind_every: None,
            escalation: Vec::new(),
            retention: None,
            confidential: false,
            relay: crate::core::Relay::Thread,
            assign: crate::core::Assign::Manual,
            on_call: Vec::new(),
            auto_close_after: None,
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

/// `[dashboard]`: the read-only web dashboard at `/dashboard`. It is on only when a password
/// is set (`FRONTDESK_DASHBOARD_PASSWORD`).
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DashboardConfig {
    /// Where people reach frontdesk, e.g. `https://desk.example.com`. An `https` address makes
    /// the session cookie `Secure`, as does a request that arrives with
    /// `X-Forwarded-Proto: https`. Empty: not known.
    pub public_url: String,
    /// How long a sign-in lasts.
    #[serde(with = "humantime_serde")]
    pub session_ttl: Duration,
    /// Only from `FRONTDESK_DASHBOARD_PASSWORD`. The server keeps only a hash of it.
    #[serde(deserialize_with = "secret_in_file")]
    pub password: Option<Secret>,
    /// "Sign in with Slack": the Slack app's client id; empty turns it off. Needs
    /// `public_url` (Slack sends people back there) and `SLACK_CLIENT_SECRET`.
    pub slack_client_id: String,
    /// Slack's OpenID Connect authorize page.
    pub slack_authorize_url: String,
    /// Only from `SLACK_CLIENT_SECRET`.
    #[serde(deserialize_with = "secret_in_file")]
    pub slack_client_secret: Option<Secret>,
}

impl Default for DashboardConfig {
    fn default() -> Self {
        Self {
            public_url: String::new(),
            session_ttl: Duration::from_secs(12 * HOUR),
            password: None,
            slack_client_id: String::new(),
            slack_authorize_url: "https://slack.com/openid/connect/authorize".into(),
            slack_client_secret: None,
        }
    }
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

/// Accepts any value so that a secret in the file, whatever its type, gets
/// the "use the environment variable" message rather than a type error. The
/// value itself is dropped unread; `Some` only marks that the key was there.
fn secret_in_file<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<Secret>, D::Error> {
    IgnoredAny::deserialize(deserializer)?;
    Ok(Some(Secret(String::new())))
}

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| (*s).to_owned()).collect()
}

const HOUR: u64 = 60 * 60;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_secret_never_shows_its_value() {
        let secret = Secret::new("hunter2");
        assert_eq!(format!("{secret:?}"), "[redacted]");
        assert_eq!(format!("{secret}"), "[redacted]");
        assert_eq!(secret.expose(), "hunter2");
    }
}

/// What `/help-it` without words opens.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SlashOpens {
    /// The questions one by one in a DM.
    #[default]
    Conversation,
    /// A modal with every question at once.
    Form,
}
