//! Helpers shared by the configuration's tests.

use super::{Config, ConfigError, ConfigProblem};

/// A minimal valid file with one department, to which tests append.
pub(super) const MINIMAL: &str = r#"
[[departments]]
id = "it"
name = "IT"
prefix = "IT"
slack_channel = "C0IT"
"#;

pub(super) fn no_env(_: &str) -> Option<String> {
    None
}

pub(super) fn env_of(
    pairs: &'static [(&'static str, &'static str)],
) -> impl Fn(&str) -> Option<String> {
    move |name| {
        pairs
            .iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| (*v).to_owned())
    }
}

pub(super) fn problems_of(text: &str) -> Vec<ConfigProblem> {
    match Config::from_toml_str(text, &no_env) {
        Err(ConfigError::Invalid(problems)) => problems,
        other => panic!("expected validation problems, got {other:?}"),
    }
}

pub(super) fn keys_of(text: &str) -> Vec<String> {
    problems_of(text).into_iter().map(|p| p.key).collect()
}

pub(super) fn parse_error_of(text: &str) -> String {
    match Config::from_toml_str(text, &no_env) {
        Err(error @ ConfigError::Parse { .. }) => error.to_string(),
        other => panic!("expected a parse error, got {other:?}"),
    }
}

/// The keys of the problems validation finds in the built-in default after
/// `edit`.
pub(super) fn with_default(edit: impl FnOnce(&mut Config)) -> Vec<String> {
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
