//! The words the desk says that several steps share, and small text helpers.

use super::message::{Action, Choice, Message};
use chrono::Duration;

/// Longest text we keep from a user in one answer; chat platforms cap messages near here.
pub const MAX_ANSWER_CHARS: usize = 3000;

/// The help text naming the usual teams; the desk itself uses [`help_for`] with the configured ones.
pub fn help() -> Message {
    help_for(&["IT", "HR", "Facilities", "Finance"])
}

/// The help text for a desk serving `teams` (their names, in order).
pub fn help_for<S: AsRef<str>>(teams: &[S]) -> Message {
    let names: Vec<&str> = teams.iter().map(|t| t.as_ref()).collect();
    let teams = match names.as_slice() {
        [] => "your".to_string(),
        [one] => one.to_string(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    };
    Message::with_choices(
        format!(
            "I'm the front desk for {teams} requests.\n\
             • `/help-it <what you need>` (or message me) starts a request; I'll ask a few questions.\n\
             • `/help-it status` lists your open requests.\n\
             • `/help-it cancel IT-7` cancels one of yours.\n\
             • While answering: `back` goes to the previous question, `skip` skips an optional one, `cancel` stops.\n\
             Once a request is in, reply to me here and I'll pass your message on to the team."
        ),
        vec![Choice::new("New request", Action::StartRequest)],
    )
}

pub fn no_draft() -> Message {
    Message::with_choices(
        "That conversation has ended. Start a new request whenever you need us.",
        vec![Choice::new("New request", Action::StartRequest)],
    )
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

/// "4h", "2h 30m", "45m", "1d 2h": how people say durations in chat.
pub fn duration(d: Duration) -> String {
    let total_minutes = d.num_minutes().max(0);
    if total_minutes == 0 {
        let s = d.num_seconds().max(0);
        return format!("{s}s");
    }
    let days = total_minutes / (24 * 60);
    let hours = (total_minutes / 60) % 24;
    let minutes = total_minutes % 60;
    let mut parts = Vec::new();
    if days > 0 {
        parts.push(format!("{days}d"));
    }
    if hours > 0 {
        parts.push(format!("{hours}h"));
    }
    if minutes > 0 && days == 0 {
        parts.push(format!("{minutes}m"));
    }
    parts.join(" ")
}

pub fn mention(user_id: &str) -> String {
    format!("<@{user_id}>")
}

#[cfg(test)]
mod tests {
    use super::*;

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
        assert!(help()
            .text
            .starts_with("I'm the front desk for IT, HR, Facilities and Finance requests.\n"));
        assert!(help_for(&["IT"])
            .text
            .starts_with("I'm the front desk for IT requests.\n"));
        assert!(help_for(&["IT", "HR"])
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
