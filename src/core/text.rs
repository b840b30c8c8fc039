//! The words the desk says that several steps share, and small text helpers.

use super::ids::RequestId;
use super::message::{Action, Arg, Choice, Command, Message, Text};
use super::model::Status;
use chrono::Duration;

/// Longest text we keep from a user in one answer; chat platforms cap messages near here.
pub const MAX_ANSWER_CHARS: usize = 3000;

/// The help text naming the usual teams; the desk itself uses [`help_for`] with the configured ones.
#[cfg(test)]
pub fn help() -> Message {
    help_for(&["IT", "HR", "Facilities", "Finance"])
}

/// The help text for a desk serving `teams` (their names, in order).
pub fn help_for<S: AsRef<str>>(teams: &[S]) -> Message {
    let names: Vec<&str> = teams.iter().map(|t| t.as_ref()).collect();
    let intro = match names.as_slice() {
        [] => Text::new("help-intro-any"),
        [one] => Text::new("help-intro").arg("teams", *one),
        [init @ .., last] => Text::new("help-intro").arg(
            "teams",
            Text::new("list-and")
                .arg("init", init.join(", "))
                .arg("last", *last),
        ),
    };
    let example = RequestId::new("IT", 7);
    Message::with_choices(intro, vec![new_request_choice()])
        .line(Text::new("help-start").arg("command", Command::StartWith))
        .line(Text::new("help-status").arg("command", Command::Status))
        .line(Text::new("help-cancel").arg("command", Command::Cancel(example)))
        .line(
            Text::new("help-answering")
                .arg("back", Arg::code("back"))
                .arg("skip", Arg::code("skip"))
                .arg("cancel", Arg::code("cancel")),
        )
        .line(Text::new("help-reply"))
}

/// The button that starts a request.
pub fn new_request_choice() -> Choice {
    Choice::new(Text::new("button-new-request"), Action::StartRequest)
}

pub fn no_draft() -> Message {
    Message::with_choices(Text::new("no-draft"), vec![new_request_choice()])
}

/// A request's status in words ("open", "claimed"), for the reader's language.
pub fn status(status: Status) -> Text {
    Text::new(match status {
        Status::Open => "status-open",
        Status::Claimed => "status-claimed",
        Status::Closed => "status-closed",
        Status::Cancelled => "status-cancelled",
        Status::Waiting => "status-on-requester",
    })
}

/// Cut text to `max` characters on a character boundary, marking the cut.
pub fn clip(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let mut out: String = text.chars().take(max.saturating_sub(1)).collect();
    out.push('…');
    out
}

/// A unit of a duration as people write it in chat.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    Days,
    Hours,
    Minutes,
    Seconds,
}

/// The parts of a duration as people say them: "1d 2h", "2h 30m", "45m", "30s" (minutes are
/// left out once there are days; seconds show only under a minute).
pub fn duration_parts(d: Duration) -> Vec<(i64, Unit)> {
    let total_minutes = d.num_minutes().max(0);
    if total_minutes == 0 {
        return vec![(d.num_seconds().max(0), Unit::Seconds)];
    }
    let days = total_minutes / (24 * 60);
    let hours = (total_minutes / 60) % 24;
    let minutes = total_minutes % 60;
    let mut parts = Vec::new();
    if days > 0 {
        parts.push((days, Unit::Days));
    }
    if hours > 0 {
        parts.push((hours, Unit::Hours));
    }
    if minutes > 0 && days == 0 {
        parts.push((minutes, Unit::Minutes));
    }
    parts
}

/// "4h", "2h 30m", "45m", "1d 2h": how people say durations in chat (the reports' form; chat
/// messages carry [`Arg::Duration`] and show it in the reader's units).
pub fn duration(d: Duration) -> String {
    duration_parts(d)
        .into_iter()
        .map(|(n, unit)| {
            let suffix = match unit {
                Unit::Days => "d",
                Unit::Hours => "h",
                Unit::Minutes => "m",
                Unit::Seconds => "s",
            };
            format!("{n}{suffix}")
        })
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::shown::shown;

    #[test]
    fn durations_read_like_people_write_them() {
        assert_eq!(duration(Duration::hours(4)), "4h");
        assert_eq!(duration(Duration::minutes(150)), "2h 30m");
        assert_eq!(duration(Duration::minutes(45)), "45m");
        assert_eq!(duration(Duration::hours(26)), "1d 2h");
        assert_eq!(duration(Duration::seconds(30)), "30s");
    }

    #[test]
    fn help_names_the_teams_it_is_given() {
        assert!(shown(&help())
            .text
            .starts_with("I'm the front desk for IT, HR, Facilities and Finance requests.\n"));
        assert!(shown(&help_for(&["IT"]))
            .text
            .starts_with("I'm the front desk for IT requests.\n"));
        assert!(shown(&help_for(&["IT", "HR"]))
            .text
            .starts_with("I'm the front desk for IT and HR requests.\n"));
        assert_eq!(help_for(&["IT"]).choices, help().choices);
    }

    #[test]
    fn clipping_respects_character_boundaries() {
        assert_eq!(clip("héllo wörld", 5), "héll…");
        assert_eq!(clip("short", 10), "short");
    }
}
