//! Environment overrides: the variables in [`ENV_VARS`] and how each one
//! changes a configuration.
//!
//! Environment values that are empty or only whitespace count as unset, and
//! values are trimmed, so `SLACK_BOT_TOKEN=` in a compose file does not
//! produce an empty token. A value that does not parse is reported under the
//! variable's own name and leaves the file's value alone.

use std::path::PathBuf;

use super::types::{Config, Secret};
use super::validate::{check_host, check_http_url, check_socket_addr, ConfigProblem};

/// Every environment variable [`Config::apply_env`] reads.
pub const ENV_VARS: &[&str] = &[
    "FRONTDESK_LISTEN",
    "FRONTDESK_DATA_DIR",
    "FRONTDESK_LOG_FORMAT",
    "FRONTDESK_OUTBOX_CONCURRENCY",
    "SLACK_API_URL",
    "SLACK_SIGNING_SECRET",
    "SLACK_BOT_TOKEN",
    "SLACK_APP_TOKEN",
    "TEAMS_APP_ID",
    "TEAMS_APP_PASSWORD",
    "TEAMS_OPENID_METADATA_URL",
    "TEAMS_TOKEN_URL",
    "TEAMS_SERVICE_URL_HOSTS",
    "FRONTDESK_DASHBOARD_PASSWORD",
    "SLACK_CLIENT_SECRET",
];

/// The variables of [`ENV_VARS`] that are set in the process environment but
/// are not valid UTF-8. The injected-env API speaks `String`, so such a value
/// would otherwise look unset and be silently ignored.
pub(super) fn not_unicode_in_process() -> Vec<ConfigProblem> {
    ENV_VARS
        .iter()
        .filter(|name| matches!(std::env::var(name), Err(std::env::VarError::NotUnicode(_))))
        .map(|name| ConfigProblem::new(*name, "not valid UTF-8"))
        .collect()
}

/// Applies the overrides in `env` to `config`; see [`Config::apply_env`].
pub(super) fn apply(
    config: &mut Config,
    env: &dyn Fn(&str) -> Option<String>,
) -> Vec<ConfigProblem> {
    let get = |name: &str| {
        env(name)
            .map(|value| value.trim().to_owned())
            .filter(|value| !value.is_empty())
    };
    let mut problems = Vec::new();

    if let Some(value) = get("FRONTDESK_LISTEN") {
        match check_socket_addr(&value) {
            Ok(()) => config.server.listen = value,
            Err(message) => problems.push(ConfigProblem::new("FRONTDESK_LISTEN", message)),
        }
    }
    if let Some(value) = get("FRONTDESK_DATA_DIR") {
        config.server.data_dir = PathBuf::from(value);
    }
    if let Some(value) = get("FRONTDESK_LOG_FORMAT") {
        match value.parse() {
            Ok(format) => config.server.log_format = format,
            Err(message) => problems.push(ConfigProblem::new("FRONTDESK_LOG_FORMAT", message)),
        }
    }
    if let Some(value) = get("FRONTDESK_OUTBOX_CONCURRENCY") {
        match value.parse::<usize>() {
            Ok(n) => config.outbox.concurrency = n,
            Err(_) => problems.push(ConfigProblem::new(
                "FRONTDESK_OUTBOX_CONCURRENCY",
                format!("{value:?} is not a whole number"),
            )),
        }
    }

    let urls = [
        ("SLACK_API_URL", &mut config.slack.api_url),
        (
            "TEAMS_OPENID_METADATA_URL",
            &mut config.teams.openid_metadata_url,
        ),
        ("TEAMS_TOKEN_URL", &mut config.teams.token_url),
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
        config.slack.signing_secret = Some(Secret::new(value));
    }
    if let Some(value) = get("SLACK_BOT_TOKEN") {
        config.slack.bot_token = Some(Secret::new(value));
    }
    if let Some(value) = get("SLACK_APP_TOKEN") {
        config.slack.app_token = Some(Secret::new(value));
    }
    if let Some(value) = get("TEAMS_APP_ID") {
        config.teams.app_id = Some(value);
    }
    if let Some(value) = get("TEAMS_APP_PASSWORD") {
        config.teams.app_password = Some(Secret::new(value));
    }

    if let Some(value) = get("FRONTDESK_DASHBOARD_PASSWORD") {
        config.dashboard.password = Some(Secret::new(value));
    }
    if let Some(value) = get("SLACK_CLIENT_SECRET") {
        config.dashboard.slack_client_secret = Some(Secret::new(value));
    }

    if let Some(value) = get("TEAMS_SERVICE_URL_HOSTS") {
        // Tolerate stray commas ("a,b,") since the list is hand-typed.
        for host in value.split(',').map(str::trim).filter(|h| !h.is_empty()) {
            match check_host(host) {
                Ok(()) => {
                    if !config.teams.service_url_hosts.iter().any(|h| h == host) {
                        config.teams.service_url_hosts.push(host.to_owned());
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

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::super::testing::{env_of, MINIMAL};
    use super::super::{Config, LogFormat};

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
    fn the_outbox_concurrency_comes_from_the_environment_or_is_refused_by_name() {
        let c =
            Config::default_with_env(&env_of(&[("FRONTDESK_OUTBOX_CONCURRENCY", "32")])).unwrap();
        assert_eq!(c.outbox.concurrency, 32);
        let err = Config::default_with_env(&env_of(&[("FRONTDESK_OUTBOX_CONCURRENCY", "lots")]))
            .unwrap_err()
            .to_string();
        assert!(err.contains("FRONTDESK_OUTBOX_CONCURRENCY"), "{err}");
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
}
