//! `[[help_channels]]` and `slack.ticket_reactions`: the Slack channels where people ask for
//! help in the open, and the reactions that file a message as a request. This module owns
//! their shape and their checks; the Slack adapter reads them to decide what a channel
//! message or a reaction means.

use serde::Deserialize;

use super::types::Config;
use super::validate::ConfigProblem;

/// Which messages of a help channel become requests.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Capture {
    /// Every top-level message from a person, except pleasantries.
    All,
    /// Only messages someone puts a ticket reaction on.
    #[default]
    Reaction,
}

/// One `[[help_channels]]` entry.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct HelpChannelConfig {
    /// The channel's id (`C…` or `G…`).
    pub slack_channel: String,
    /// The department its requests go to; empty: guessed from each message's words.
    pub department: String,
    pub capture: Capture,
}

impl Config {
    /// The help channel entry of a Slack channel, if it is one.
    pub fn help_channel(&self, channel: &str) -> Option<&HelpChannelConfig> {
        self.help_channels
            .iter()
            .find(|h| h.slack_channel == channel)
    }

    /// Problems with `[[help_channels]]` and `slack.ticket_reactions`, by key path.
    pub(super) fn help_channel_problems(&self) -> Vec<ConfigProblem> {
        let mut problems = Vec::new();
        let mut add =
            |key: String, message: String| problems.push(ConfigProblem::new(key, message));
        for (i, name) in self.slack.ticket_reactions.iter().enumerate() {
            let key = format!("slack.ticket_reactions[{i}]");
            if name.is_empty() {
                add(key, "must not be empty".into());
            } else if name.contains(':') {
                add(
                    key,
                    format!(
                        "{name:?}: write the reaction name without colons, e.g. \"{}\"",
                        name.trim_matches(':')
                    ),
                );
            } else if name.chars().any(char::is_whitespace) {
                add(key, format!("{name:?}: must not contain whitespace"));
            } else if self.slack.close_reactions.contains(name) {
                // One reaction can't both file a message and close the request it became.
                add(
                    key,
                    format!("{name:?}: must differ from every slack.close_reactions entry"),
                );
            }
        }
        for (i, entry) in self.help_channels.iter().enumerate() {
            let key = |field: &str| format!("help_channels[{i}].{field}");
            let channel = entry.slack_channel.trim();
            if channel.is_empty() {
                add(key("slack_channel"), "must not be empty".into());
            } else if channel.starts_with('#') || channel.chars().any(char::is_whitespace) {
                add(
                    key("slack_channel"),
                    format!("{channel:?}: write the channel's id (C…), not its name"),
                );
            } else if self.help_channels[..i]
                .iter()
                .any(|h| h.slack_channel == entry.slack_channel)
            {
                add(
                    key("slack_channel"),
                    format!("{channel:?} is already a help channel"),
                );
            } else if self
                .departments
                .iter()
                .any(|d| d.slack_channel == entry.slack_channel)
            {
                // Agents talk there; their messages are not requests.
                add(
                    key("slack_channel"),
                    format!("{channel:?} is a department's channel"),
                );
            }
            let department = entry.department.trim();
            if !department.is_empty() && !self.departments.iter().any(|d| d.id == department) {
                let known: Vec<&str> = self.departments.iter().map(|d| d.id.as_str()).collect();
                add(
                    key("department"),
                    format!(
                        "unknown department {department:?}; known: {}",
                        known.join(", ")
                    ),
                );
            }
        }
        problems
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::{keys_of, no_env, MINIMAL};
    use super::*;

    #[test]
    fn a_help_channel_is_read_with_its_capture_and_department() {
        let text = format!(
            "{MINIMAL}\n[[help_channels]]\nslack_channel = \"C0HELP\"\ndepartment = \"it\"\ncapture = \"all\"\n\n[[help_channels]]\nslack_channel = \"C0ASK\"\n"
        );
        let config = Config::from_toml_str(&text, &no_env).unwrap();
        let help = config.help_channel("C0HELP").unwrap();
        assert_eq!(
            (help.department.as_str(), help.capture),
            ("it", Capture::All)
        );
        let ask = config.help_channel("C0ASK").unwrap();
        assert_eq!(
            (ask.department.as_str(), ask.capture),
            ("", Capture::Reaction)
        );
        assert!(config.help_channel("C0IT").is_none());
        assert_eq!(config.slack.ticket_reactions, ["ticket"]);
    }

    #[test]
    fn bad_help_channel_entries_are_named_by_key_path() {
        let text = format!(
            "[slack]\nticket_reactions = [\":ticket:\", \"white_check_mark\"]\n{MINIMAL}\n\
             [[help_channels]]\nslack_channel = \"#it-help\"\n\n\
             [[help_channels]]\nslack_channel = \"C0IT\"\ndepartment = \"nope\"\n\n\
             [[help_channels]]\nslack_channel = \"\"\n"
        );
        assert_eq!(
            keys_of(&text),
            [
                "slack.ticket_reactions[0]",
                "slack.ticket_reactions[1]",
                "help_channels[0].slack_channel",
                "help_channels[1].slack_channel",
                "help_channels[1].department",
                "help_channels[2].slack_channel",
            ]
        );
    }

    #[test]
    fn an_unknown_capture_is_refused_while_parsing() {
        let text =
            format!("{MINIMAL}\n[[help_channels]]\nslack_channel = \"C1\"\ncapture = \"some\"\n");
        assert!(Config::from_toml_str(&text, &no_env).is_err());
    }
}
