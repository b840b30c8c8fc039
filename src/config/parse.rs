//! Reading TOML text into a [`Config`]: type errors name the key they are
//! about, and secrets written into the file are taken out and refused.
//!
//! toml reports where in the text an error is but not which key it belongs
//! to, so deserialization goes through `serde_path_to_error`, which tracks
//! the path of keys and array indexes down to the failing value. serde
//! cannot go on after a type error, so parsing stops at the first one;
//! everything else is left to validation, which reports all problems at once.

use serde_path_to_error::Segment;

use super::types::Config;
use super::validate::ConfigProblem;
use super::ConfigError;

/// Parses `text` and takes out any secrets the file holds, returning the
/// config and one problem per secret found.
pub(super) fn parse(text: &str) -> Result<(Config, Vec<ConfigProblem>), ConfigError> {
    let mut config: Config = serde_path_to_error::deserialize(toml::Deserializer::new(text))
        .map_err(|error| ConfigError::Parse {
            path: None,
            key: key_path(error.path()),
            message: error.into_inner().to_string().trim_end().to_owned(),
        })?;
    let problems = take_file_secrets(&mut config);
    Ok((config, problems))
}

/// The path written the way validation names keys, e.g.
/// `departments[1].fields[0].kind`; `None` when the error is not about a key
/// (a syntax error, found before any value is read).
fn key_path(path: &serde_path_to_error::Path) -> Option<String> {
    let mut out = String::new();
    for segment in path {
        match segment {
            Segment::Seq { index } => out.push_str(&format!("[{index}]")),
            Segment::Map { key } | Segment::Enum { variant: key } => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(&render_key(key));
            }
            // A key that is not a string; TOML has none, so this is only
            // defensive.
            Segment::Unknown => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push('?');
            }
        }
    }
    (!out.is_empty()).then_some(out)
}

/// A bare key as it is, any other quoted as TOML would need it.
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

/// Moves secrets that came from the file out of the config and reports
/// each one, naming the variable to use instead.
fn take_file_secrets(config: &mut Config) -> Vec<ConfigProblem> {
    let slots = [
        (
            "slack.signing_secret",
            "SLACK_SIGNING_SECRET",
            &mut config.slack.signing_secret,
        ),
        (
            "slack.bot_token",
            "SLACK_BOT_TOKEN",
            &mut config.slack.bot_token,
        ),
        (
            "slack.app_token",
            "SLACK_APP_TOKEN",
            &mut config.slack.app_token,
        ),
        (
            "teams.app_password",
            "TEAMS_APP_PASSWORD",
            &mut config.teams.app_password,
        ),
        (
            "dashboard.password",
            "FRONTDESK_DASHBOARD_PASSWORD",
            &mut config.dashboard.password,
        ),
        (
            "dashboard.slack_client_secret",
            "SLACK_CLIENT_SECRET",
            &mut config.dashboard.slack_client_secret,
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

#[cfg(test)]
mod tests {
    use super::super::testing::{env_of, no_env, parse_error_of, MINIMAL};
    use super::super::Config;

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
    fn key_paths_name_list_items_inline_tables_and_quoted_keys() {
        for (text, key) in [
            (
                format!("{MINIMAL}keywords = [\"a\", 1]\n"),
                "departments[0].keywords[1]",
            ),
            (
                "[[departments]]\nfields = [{ id = \"a\", extra = 1 }]\n".to_owned(),
                "departments[0].fields[0].extra",
            ),
            (
                format!("[server]\n\"a b\" = 1\n{MINIMAL}"),
                "server.\"a b\"",
            ),
            (
                format!("[server]\nlisten = 1979-05-27T07:32:00Z\n{MINIMAL}"),
                "server.listen",
            ),
            ("server = 3\n".to_owned(), "server"),
        ] {
            let shown = parse_error_of(&text);
            assert!(
                shown.starts_with(&format!("cannot parse configuration at key `{key}`: ")),
                "{shown}"
            );
        }
    }

    #[test]
    fn an_error_that_is_not_about_one_value_names_no_key() {
        for text in [
            "[server\nlisten = 1\n",
            "[server]\nlisten = \"a\"\nlisten = \"b\"\n",
        ] {
            let shown = parse_error_of(text);
            assert!(
                shown.starts_with("cannot parse configuration: TOML parse error"),
                "{shown}"
            );
        }
    }

    #[test]
    fn a_syntax_error_keeps_the_toml_line_information() {
        let shown = parse_error_of("[server\nlisten = 1\n");
        assert!(shown.contains("line 1"), "{shown}");
    }

    #[test]
    fn the_dashboard_password_comes_only_from_the_environment() {
        let text = format!("[dashboard]\npassword = \"pw\"\n{MINIMAL}");
        let error = Config::from_toml_str(&text, &no_env).unwrap_err();
        let problems = error.problems();
        assert_eq!(problems[0].key, "dashboard.password");
        assert!(problems[0].message.contains("FRONTDESK_DASHBOARD_PASSWORD"));
        let env = env_of(&[("FRONTDESK_DASHBOARD_PASSWORD", " from env ")]);
        let config = Config::from_toml_str(MINIMAL, &env).unwrap();
        let password = config.dashboard.password.as_ref().unwrap();
        assert_eq!(password.expose(), "from env");
        assert!(Config::from_toml_str(MINIMAL, &no_env)
            .unwrap()
            .dashboard
            .password
            .is_none());
        let text = format!("[dashboard]\npublic_url = \"desk.example.com\"\n{MINIMAL}");
        let error = Config::from_toml_str(&text, &no_env).unwrap_err();
        assert_eq!(error.problems()[0].key, "dashboard.public_url");
    }
}
