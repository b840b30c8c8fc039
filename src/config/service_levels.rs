//! A department's service-level keys: `timezone`, `hours`, `holidays`, `holidays_ics`,
//! `always_on_priorities`, `resolution_sla`, `resolution_remind_every` and
//! `[[departments.escalation]]`. Their checks, by key path, and their conversion to the
//! core's [`ServiceLevels`].
//!
//! The `.ics` file is read here, when the rules are built (at start and on every reload), so
//! the core never touches a file. Only what a holiday calendar needs is read from it: the
//! start date of each `VEVENT` (`DTSTART`), and each following day up to its `DTEND` for
//! all-day events spanning several days. Recurrence rules are not expanded.

use std::collections::BTreeSet;
use std::path::Path;

use chrono::{Duration, NaiveDate};
use chrono_tz::Tz;

use crate::core::calendar::{parse_week, Calendar};
use crate::core::{EscalationStep, Notify, Priority, ServiceLevels, Until};

use super::types::{DepartmentConfig, EscalationUntil};
use super::validate::ConfigProblem;

/// The longest event an `.ics` file may give as days off; longer ones are not holidays.
const MAX_EVENT_DAYS: i64 = 366;

/// What is wrong with an `.ics` file.
#[derive(Debug, thiserror::Error)]
pub enum IcsError {
    #[error("cannot read {}: {source}", path.display())]
    Read {
        path: std::path::PathBuf,
        source: std::io::Error,
    },
    #[error("line {line}: {value:?} is not a date (YYYYMMDD)")]
    Date { line: usize, value: String },
    #[error("no BEGIN:VCALENDAR: not an iCalendar file")]
    NotCalendar,
}

/// Unfolds continuation lines (RFC 5545: a line starting with a space or tab continues the
/// one before).
fn unfold(text: &str) -> Vec<(usize, String)> {
    let mut lines: Vec<(usize, String)> = Vec::new();
    for (n, raw) in text.lines().enumerate() {
        let raw = raw.trim_end_matches('\r');
        match raw.strip_prefix([' ', '\t']) {
            Some(rest) if !lines.is_empty() => {
                lines.last_mut().expect("checked").1.push_str(rest);
            }
            _ => lines.push((n + 1, raw.to_string())),
        }
    }
    lines
}

/// The date of a `DTSTART`/`DTEND` value: `20261225`, `20261225T000000` or
/// `20261225T000000Z` (the date as written; holidays are whole days).
fn date_of(value: &str, line: usize) -> Result<NaiveDate, IcsError> {
    let digits = value.trim().get(..8).unwrap_or("");
    NaiveDate::parse_from_str(digits, "%Y%m%d").map_err(|_| IcsError::Date {
        line,
        value: value.trim().to_string(),
    })
}

/// The days off an iCalendar text names.
///
/// # Errors
/// The text is no calendar, or a `DTSTART`/`DTEND` holds no date.
pub fn parse_ics(text: &str) -> Result<BTreeSet<NaiveDate>, IcsError> {
    let lines = unfold(text);
    if !lines
        .iter()
        .any(|(_, l)| l.trim().eq_ignore_ascii_case("BEGIN:VCALENDAR"))
    {
        return Err(IcsError::NotCalendar);
    }
    let mut days = BTreeSet::new();
    let mut in_event = false;
    let mut start: Option<NaiveDate> = None;
    let mut end: Option<NaiveDate> = None;
    let mut all_day = false;
    for (n, line) in &lines {
        let Some((name, value)) = line.split_once(':') else {
            continue;
        };
        let mut params = name.split(';');
        let key = params.next().unwrap_or("").to_ascii_uppercase();
        let date_only = params.any(|p| p.eq_ignore_ascii_case("VALUE=DATE"));
        match key.as_str() {
            "BEGIN" if value.trim().eq_ignore_ascii_case("VEVENT") => {
                in_event = true;
                (start, end, all_day) = (None, None, false);
            }
            "END" if value.trim().eq_ignore_ascii_case("VEVENT") => {
                if let Some(first) = start {
                    days.insert(first);
                    // An all-day event ends on the day after its last day (DTEND excluded).
                    if let (true, Some(after)) = (all_day, end) {
                        let span = (after - first).num_days().min(MAX_EVENT_DAYS);
                        for i in 1..span {
                            days.insert(first + Duration::days(i));
                        }
                    }
                }
                in_event = false;
            }
            "DTSTART" if in_event => {
                start = Some(date_of(value, *n)?);
                all_day = date_only || value.trim().len() == 8;
            }
            "DTEND" if in_event => end = Some(date_of(value, *n)?),
            _ => {}
        }
    }
    Ok(days)
}

/// Reads an `.ics` file's days off.
///
/// # Errors
/// The file can't be read, or [`parse_ics`] refuses it.
pub fn read_ics(path: &Path) -> Result<BTreeSet<NaiveDate>, IcsError> {
    let text = std::fs::read_to_string(path).map_err(|source| IcsError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    parse_ics(&text)
}

fn zone_of(name: &str) -> Option<Tz> {
    if name.trim().is_empty() {
        return Some(Tz::UTC);
    }
    name.trim().parse().ok()
}

fn holiday_of(s: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").ok()
}

fn chrono(d: std::time::Duration) -> Duration {
    Duration::from_std(d).unwrap_or(Duration::MAX)
}

/// The core's service levels of a department. Values the checks refuse are left out; a
/// configuration with them never loads, and a changed `.ics` file that no longer reads
/// is logged and skipped, keeping the listed holidays.
pub(super) fn of(d: &DepartmentConfig) -> ServiceLevels {
    let mut holidays: BTreeSet<NaiveDate> =
        d.holidays.iter().filter_map(|h| holiday_of(h)).collect();
    if let Some(path) = &d.holidays_ics {
        match read_ics(path) {
            Ok(days) => holidays.extend(days),
            Err(e) => {
                tracing::error!(department = %d.id, error = %crate::telemetry::chain(&e), "the holidays_ics file can't be used; only the holidays listed count");
            }
        }
    }
    let calendar = Calendar {
        zone: zone_of(&d.timezone).unwrap_or(Tz::UTC),
        hours: parse_week(&d.hours).unwrap_or_default(),
        holidays,
    };
    ServiceLevels {
        calendar,
        always_on: d
            .always_on_priorities
            .iter()
            .filter_map(|p| Priority::parse(p))
            .collect(),
        resolution_sla: d.resolution_sla.map(chrono),
        resolution_remind_every: chrono(d.resolution_remind_every.unwrap_or(d.remind_every)),
        escalation: d
            .escalation
            .iter()
            .map(|s| EscalationStep {
                after: chrono(s.after),
                notify: s.notify.iter().map(|n| Notify::parse(n)).collect(),
                until: match s.until {
                    EscalationUntil::FirstResponse => Until::FirstResponse,
                    EscalationUntil::Resolution => Until::Resolution,
                },
            })
            .collect(),
    }
}

/// Every problem with a department's service-level keys; `at` is its key path
/// (`departments[2]`).
pub(super) fn problems(at: &str, d: &DepartmentConfig) -> Vec<ConfigProblem> {
    let mut p = Vec::new();
    let mut add = |key: String, message: String| p.push(ConfigProblem::new(key, message));
    if zone_of(&d.timezone).is_none() {
        add(
            format!("{at}.timezone"),
            format!(
                "unknown time zone {:?}: use an IANA name such as \"Europe/Berlin\"",
                d.timezone
            ),
        );
    }
    for (i, entry) in d.hours.iter().enumerate() {
        if let Err(e) = crate::core::calendar::parse_hours(entry) {
            add(format!("{at}.hours[{i}]"), e.to_string());
        }
    }
    if d.hours
        .iter()
        .all(|h| crate::core::calendar::parse_hours(h).is_ok())
    {
        if let Err(e) = parse_week(&d.hours) {
            add(format!("{at}.hours"), e.to_string());
        }
    }
    for (i, day) in d.holidays.iter().enumerate() {
        if holiday_of(day).is_none() {
            add(
                format!("{at}.holidays[{i}]"),
                format!("{day:?} is not a date YYYY-MM-DD"),
            );
        }
    }
    if let Some(path) = &d.holidays_ics {
        if let Err(e) = read_ics(path) {
            add(format!("{at}.holidays_ics"), e.to_string());
        }
    }
    for (i, priority) in d.always_on_priorities.iter().enumerate() {
        if Priority::parse(priority).is_none() {
            add(
                format!("{at}.always_on_priorities[{i}]"),
                format!("unknown priority {priority:?}: use low, normal, high or urgent"),
            );
        }
    }
    if d.resolution_sla.is_some_and(|s| s.is_zero()) {
        add(
            format!("{at}.resolution_sla"),
            "must be greater than zero".into(),
        );
    }
    if d.resolution_remind_every.is_some_and(|s| s.is_zero()) {
        add(
            format!("{at}.resolution_remind_every"),
            "must be greater than zero".into(),
        );
    }
    let mut before: Option<std::time::Duration> = None;
    for (i, step) in d.escalation.iter().enumerate() {
        let key = format!("{at}.escalation[{i}]");
        if step.after.is_zero() {
            add(format!("{key}.after"), "must be greater than zero".into());
        } else if let Some(prev) = before.filter(|prev| step.after <= *prev) {
            add(
                format!("{key}.after"),
                format!(
                    "{} is not after the step before ({}): steps must come in order, each later than the last",
                    humantime::format_duration(step.after),
                    humantime::format_duration(prev)
                ),
            );
        }
        before = Some(before.map_or(step.after, |b| b.max(step.after)));
        if step.notify.is_empty() {
            add(
                format!("{key}.notify"),
                "must name at least one user (U…), user group (S…) or channel (C…)".into(),
            );
        }
        for (j, id) in step.notify.iter().enumerate() {
            if id.trim().is_empty() || id.chars().any(char::is_whitespace) {
                add(
                    format!("{key}.notify[{j}]"),
                    format!("{id:?} must be a user, user group or channel id, without spaces"),
                );
            } else if id.starts_with('#') || id.starts_with('@') {
                add(
                    format!("{key}.notify[{j}]"),
                    format!("{id:?}: use the id (U…, S… or C…), not a name"),
                );
            }
        }
    }
    p
}

#[cfg(test)]
mod tests {
    use super::super::testing::{problems_of, MINIMAL};
    use super::*;

    fn keys(extra: &str) -> Vec<String> {
        problems_of(&format!("{MINIMAL}{extra}"))
            .into_iter()
            .map(|p| p.key)
            .collect()
    }

    #[test]
    fn an_ics_file_gives_its_events_start_dates_and_all_day_spans() {
        let ics = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nSUMMARY:Christmas\r\nDTSTART;VALUE=DATE:20261225\r\nDTEND;VALUE=DATE:20261227\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nDTSTART:20260501T000000Z\r\nDTEND:20260502T000000Z\r\nSUMMARY:Labour\r\n  Day\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
        let days: Vec<String> = parse_ics(ics)
            .unwrap()
            .into_iter()
            .map(|d| d.to_string())
            .collect();
        assert_eq!(days, ["2026-05-01", "2026-12-25", "2026-12-26"]);
        assert!(matches!(
            parse_ics("DTSTART:20261225"),
            Err(IcsError::NotCalendar)
        ));
        assert!(matches!(
            parse_ics("BEGIN:VCALENDAR\nBEGIN:VEVENT\nDTSTART:2026-12\nEND:VEVENT\n"),
            Err(IcsError::Date { line: 3, .. })
        ));
    }

    #[test]
    fn service_level_keys_are_checked_by_key_path() {
        let found = keys(
            r#"timezone = "Mars/Olympus"
hours = ["Mon-Fri 17:00-09:00", "Mon 9-10"]
holidays = ["2026-13-01"]
holidays_ics = "/nonexistent/holidays.ics"
always_on_priorities = ["asap"]
resolution_sla = "0s"

[[departments.escalation]]
after = "2h"
notify = ["U0LEAD"]

[[departments.escalation]]
after = "1h"
notify = []
"#,
        );
        for key in [
            "departments[0].timezone",
            "departments[0].hours[0]",
            "departments[0].hours[1]",
            "departments[0].holidays[0]",
            "departments[0].holidays_ics",
            "departments[0].always_on_priorities[0]",
            "departments[0].resolution_sla",
            "departments[0].escalation[1].after",
            "departments[0].escalation[1].notify",
        ] {
            assert!(found.iter().any(|k| k == key), "{key} in {found:?}");
        }
    }

    #[test]
    fn overlapping_hours_are_reported_on_the_list() {
        let found = problems_of(&format!(
            "{MINIMAL}hours = [\"Mon-Fri 09:00-13:00\", \"Fri 12:00-14:00\"]\n"
        ));
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].key, "departments[0].hours");
        assert!(
            found[0].message.contains("overlaps"),
            "{}",
            found[0].message
        );
    }

    #[test]
    fn good_service_level_keys_pass_and_become_rules() {
        let dir = tempfile::tempdir().unwrap();
        let ics = dir.path().join("days.ics");
        std::fs::write(
            &ics,
            "BEGIN:VCALENDAR\nBEGIN:VEVENT\nDTSTART;VALUE=DATE:20261224\nEND:VEVENT\nEND:VCALENDAR\n",
        )
        .unwrap();
        let text = format!(
            "{MINIMAL}timezone = \"Europe/Berlin\"\nhours = [\"Mon-Fri 09:00-12:30\", \"Mon-Fri 13:30-17:30\"]\nholidays = [\"2026-12-25\"]\nholidays_ics = {:?}\nalways_on_priorities = [\"urgent\"]\nresolution_sla = \"3d\"\n\n[[departments.escalation]]\nafter = \"1h\"\nnotify = [\"U0LEAD\", \"S0TEAM\"]\n\n[[departments.escalation]]\nafter = \"4h\"\nnotify = [\"C0ESC\"]\nuntil = \"resolution\"\n",
            ics.display().to_string()
        );
        let config = super::super::Config::from_toml_str(&text, &super::super::testing::no_env)
            .expect("a valid configuration");
        let levels = of(&config.departments[0]);
        assert_eq!(levels.calendar.zone, chrono_tz::Europe::Berlin);
        assert_eq!(levels.calendar.hours.len(), 10);
        assert_eq!(levels.calendar.holidays.len(), 2);
        assert_eq!(levels.always_on, vec![Priority::Urgent]);
        assert_eq!(levels.resolution_sla, Some(Duration::days(3)));
        assert_eq!(levels.resolution_remind_every, Duration::hours(2));
        assert_eq!(
            levels.escalation[0].notify,
            vec![
                Notify::User("U0LEAD".into()),
                Notify::Group("S0TEAM".into())
            ]
        );
        assert_eq!(
            levels.escalation[1].notify,
            vec![Notify::Channel("C0ESC".into())]
        );
        assert_eq!(levels.escalation[1].until, Until::Resolution);
    }
}
