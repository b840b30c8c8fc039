//! When a department's weekly digest is posted: the `digest.when` setting ("Fri 16:00"), read
//! as a wall-clock time in the department's time zone, and the rule that posts each week at
//! most once.
//!
//! A digest timer names the week it is for (the Monday, local). Firing posts the latest week
//! whose time has come (after downtime: once, for the most recent week, not once per week
//! missed) and schedules the first later week's time. Because the timer carries its week, a
//! change of `digest.when` or a restart can move the timer but never post a week again.
//!
//! Pure: no clock, no I/O. The shell reads the week's figures and decides nothing else.

use super::effect::{Timer, TimerKind};
use super::ids::Timestamp;
use chrono::{Datelike, Duration, LocalResult, NaiveDate, NaiveTime, TimeZone, Weekday};
use chrono_tz::Tz;

/// A weekly time: a weekday and a local time of day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DigestWhen {
    pub day: Weekday,
    pub time: NaiveTime,
}

/// What is wrong with a `digest.when` value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WhenError {
    #[error("{0:?} is not like \"Fri 16:00\": a weekday, a space, then a time HH:MM")]
    Shape(String),
    #[error("{0:?} is not a weekday (Mon, Tue, Wed, Thu, Fri, Sat, Sun)")]
    Day(String),
    #[error("{0:?} is not a time of day HH:MM (00:00 to 23:59)")]
    Time(String),
}

impl DigestWhen {
    /// Reads `"Fri 16:00"`. Day names are English and may be written out ("Friday").
    ///
    /// # Errors
    /// What [`WhenError`] says.
    pub fn parse(s: &str) -> Result<DigestWhen, WhenError> {
        let mut parts = s.split_whitespace();
        let (Some(day), Some(time), None) = (parts.next(), parts.next(), parts.next()) else {
            return Err(WhenError::Shape(s.to_string()));
        };
        let day: Weekday = day.parse().map_err(|_| WhenError::Day(day.to_string()))?;
        let time = NaiveTime::parse_from_str(time, "%H:%M")
            .map_err(|_| WhenError::Time(time.to_string()))?;
        Ok(DigestWhen { day, time })
    }

    /// The instant this week's digest is due: the weekday of the week starting on `monday`,
    /// at the local time in `zone`. A time the clocks skip (the spring-forward hour) is taken
    /// an hour later, as the clocks show it then; a time they pass twice, at its first pass.
    pub fn in_week(&self, monday: NaiveDate, zone: Tz) -> Timestamp {
        let day = monday + Duration::days(i64::from(self.day.num_days_from_monday()));
        let local = day.and_time(self.time);
        match zone.from_local_datetime(&local) {
            LocalResult::Single(t) => t.to_utc(),
            LocalResult::Ambiguous(first, _) => first.to_utc(),
            LocalResult::None => {
                let later = local + Duration::hours(1);
                zone.from_local_datetime(&later)
                    .earliest()
                    .map(|t| t.to_utc())
                    // No zone skips two hours in a row; fall back to reading it as UTC.
                    .unwrap_or_else(|| local.and_utc())
            }
        }
    }
}

/// The Monday of the week that holds `at` in `zone`.
pub fn local_monday(at: Timestamp, zone: Tz) -> NaiveDate {
    let day = at.with_timezone(&zone).date_naive();
    day - Duration::days(i64::from(day.weekday().num_days_from_monday()))
}

/// The digest timer of `department` for the first week, from `from_week` on, whose time is
/// after `now`.
pub fn next_digest(
    department: &str,
    when: DigestWhen,
    zone: Tz,
    from_week: Option<NaiveDate>,
    now: Timestamp,
) -> Timer {
    let mut week = local_monday(now, zone);
    if let Some(from) = from_week {
        week = week.max(from);
    }
    while when.in_week(week, zone) <= now {
        week += Duration::days(7);
    }
    Timer {
        at: when.in_week(week, zone),
        kind: TimerKind::Digest {
            department: department.to_string(),
            week,
        },
    }
}

/// What firing a digest timer does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DigestFired {
    /// The week to post (its Monday): the latest one whose time has come, never earlier
    /// than the timer's own.
    pub week: NaiveDate,
    /// The next week's timer.
    pub next: Timer,
}

/// The timer for `week` fired at `now`: which week to post, and the timer after it.
pub fn digest_fired(
    department: &str,
    when: DigestWhen,
    zone: Tz,
    week: NaiveDate,
    now: Timestamp,
) -> DigestFired {
    let mut latest = week;
    while when.in_week(latest + Duration::days(7), zone) <= now {
        latest += Duration::days(7);
    }
    DigestFired {
        week: latest,
        next: next_digest(
            department,
            when,
            zone,
            Some(latest + Duration::days(7)),
            now,
        ),
    }
}

/// Whether a pending digest timer should give way to `wanted` (the one [`next_digest`] gives
/// from the pending timer's week): it is kept when it is due already (a week missed while the
/// desk was down is still posted) or when it is the same timer.
pub fn digest_timer_stale(pending: &Timer, wanted: &Timer, now: Timestamp) -> bool {
    pending.at > now && pending != wanted
}
