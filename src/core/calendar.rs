//! Business calendars: when a department works, and time counted in its working hours.
//!
//! A [`Calendar`] is a time zone, weekly opening hours and holidays. It answers the three
//! questions service levels ask: [`Calendar::add`] (the instant N business minutes after
//! another), [`Calendar::between`] (the business time between two instants) and
//! [`Calendar::next_open`] (the next instant the department works). Hours are local wall-clock
//! times, converted through the zone day by day, so a daylight-saving change moves them with
//! the clocks: "09:00" stays nine in the morning in March and in November, and a day whose
//! night is an hour shorter counts an hour less.
//!
//! Pure: no clock, no I/O. Parsing the `hours` strings of the configuration lives here too,
//! so the configuration check and the desk read them by the same rule.

use super::ids::Timestamp;
use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc, Weekday};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// How far ahead the arithmetic looks for working time before giving up. A calendar that
/// works less than once in this many days is a configuration mistake; the desk then treats
/// the rest of the time as working time rather than never reminding anyone.
const HORIZON_DAYS: i64 = 800;

/// One weekly opening: a weekday and local minutes since midnight, `start < end <= 24:00`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Opening {
    /// Monday is 0.
    pub day: u8,
    pub start: u16,
    pub end: u16,
}

/// A department's working time. The default works around the clock, in UTC, every day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Calendar {
    pub zone: Tz,
    /// Empty: around the clock (every day 00:00 to 24:00, holidays aside).
    pub hours: Vec<Opening>,
    pub holidays: BTreeSet<NaiveDate>,
}

impl Default for Calendar {
    fn default() -> Self {
        Calendar::always()
    }
}

/// What is wrong with an `hours` entry or a list of them.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HoursError {
    #[error("{0:?} is not like \"Mon-Fri 09:00-17:30\": days, a space, then from-to times")]
    Shape(String),
    #[error("{0:?} is not a weekday (Mon, Tue, Wed, Thu, Fri, Sat, Sun) or a range of them")]
    Days(String),
    #[error("{0:?} is not a time of day HH:MM (00:00 to 24:00)")]
    Time(String),
    #[error("{0:?} ends before it starts (or where it starts)")]
    Inverted(String),
    #[error("{0:?} overlaps {1:?} on {2}")]
    Overlap(String, String, &'static str),
}

const DAY_NAMES: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

fn weekday(s: &str) -> Option<u8> {
    const FULL: [&str; 7] = [
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
    ];
    let s = s.trim().to_ascii_lowercase();
    // "Mon" or "Monday", in any case; not "Mo" or "Monkey".
    FULL.iter()
        .position(|f| s == *f || (s.len() == 3 && f.starts_with(&s)))
        .and_then(|i| u8::try_from(i).ok())
}

fn minutes(s: &str) -> Option<u16> {
    let (h, m) = s.trim().split_once(':')?;
    if h.is_empty() || h.len() > 2 || m.len() != 2 {
        return None;
    }
    let (h, m): (u16, u16) = (h.parse().ok()?, m.parse().ok()?);
    let total = h * 60 + m;
    (m < 60 && total <= 24 * 60).then_some(total)
}

/// Parses one entry such as `"Mon-Fri 09:00-12:30"`, `"Sat 10:00-14:00"` or
/// `"Mon,Wed 08:00-12:00"` into its openings.
///
/// # Errors
/// The entry's shape, a day or a time is wrong, or it ends before it starts.
pub fn parse_hours(entry: &str) -> Result<Vec<Opening>, HoursError> {
    let shape = || HoursError::Shape(entry.to_string());
    let (days, times) = entry
        .trim()
        .split_once(char::is_whitespace)
        .ok_or_else(shape)?;
    let (from, to) = times.trim().split_once('-').ok_or_else(shape)?;
    let bad_time = |t: &str| HoursError::Time(t.trim().to_string());
    let start = minutes(from).ok_or_else(|| bad_time(from))?;
    let end = minutes(to).ok_or_else(|| bad_time(to))?;
    if end <= start {
        return Err(HoursError::Inverted(entry.to_string()));
    }
    let mut out = Vec::new();
    for part in days.split(',') {
        let bad_days = || HoursError::Days(part.trim().to_string());
        let (first, last) = match part.split_once('-') {
            Some((a, b)) => (
                weekday(a).ok_or_else(bad_days)?,
                weekday(b).ok_or_else(bad_days)?,
            ),
            None => {
                let d = weekday(part).ok_or_else(bad_days)?;
                (d, d)
            }
        };
        // "Fri-Mon" wraps over the weekend.
        let mut d = first;
        loop {
            out.push(Opening { day: d, start, end });
            if d == last {
                break;
            }
            d = (d + 1) % 7;
        }
    }
    Ok(out)
}

/// Parses every entry and refuses openings that overlap on a day.
///
/// # Errors
/// The first wrong entry, or the first overlap.
pub fn parse_week(entries: &[String]) -> Result<Vec<Opening>, HoursError> {
    let mut all: Vec<(Opening, &str)> = Vec::new();
    for entry in entries {
        for o in parse_hours(entry)? {
            if let Some((_, other)) = all
                .iter()
                .find(|(x, _)| x.day == o.day && x.start < o.end && o.start < x.end)
            {
                return Err(HoursError::Overlap(
                    entry.clone(),
                    (*other).to_string(),
                    DAY_NAMES[usize::from(o.day)],
                ));
            }
            all.push((o, entry));
        }
    }
    let mut hours: Vec<Opening> = all.into_iter().map(|(o, _)| o).collect();
    hours.sort();
    Ok(hours)
}

/// The UTC instant of a local wall-clock time. A time the clocks skip (spring forward) is
/// read as the first instant after the gap; a time they pass twice (fall back) as the first.
fn instant(zone: Tz, local: NaiveDateTime) -> Timestamp {
    let mut t = local;
    for _ in 0..=180 {
        if let Some(at) = zone.from_local_datetime(&t).earliest() {
            return at.with_timezone(&Utc);
        }
        t += Duration::minutes(1);
    }
    Utc.from_utc_datetime(&local)
}

impl Calendar {
    /// Around the clock, every day.
    pub fn always() -> Self {
        Calendar {
            zone: Tz::UTC,
            hours: Vec::new(),
            holidays: BTreeSet::new(),
        }
    }

    /// Whether every instant is working time, so that arithmetic is plain addition.
    pub fn is_always(&self) -> bool {
        self.hours.is_empty() && self.holidays.is_empty()
    }

    fn local_date(&self, t: Timestamp) -> NaiveDate {
        t.with_timezone(&self.zone).date_naive()
    }

    /// The working spans of one local date, in order, as UTC instants.
    fn spans(&self, date: NaiveDate) -> Vec<(Timestamp, Timestamp)> {
        if self.holidays.contains(&date) {
            return Vec::new();
        }
        let at = |minute: u16| {
            let days = i64::from(minute / (24 * 60));
            let rest = u32::from(minute % (24 * 60));
            let time = NaiveTime::from_num_seconds_from_midnight_opt(rest * 60, 0)
                .expect("minutes of a day");
            instant(self.zone, (date + Duration::days(days)).and_time(time))
        };
        if self.hours.is_empty() {
            return vec![(at(0), at(24 * 60))];
        }
        let day = u8::try_from(date.weekday().num_days_from_monday()).expect("0..7");
        self.hours
            .iter()
            .filter(|o| o.day == day)
            .map(|o| (at(o.start), at(o.end)))
            .filter(|(s, e)| s < e)
            .collect()
    }

    /// Working spans from the local day of `from` on, up to the horizon.
    fn spans_from(&self, from: Timestamp) -> impl Iterator<Item = (Timestamp, Timestamp)> + '_ {
        let first = self.local_date(from) - Duration::days(1);
        (0..HORIZON_DAYS)
            .map(move |i| first + Duration::days(i))
            .flat_map(move |d| self.spans(d))
            .filter(move |(_, e)| *e > from)
    }

    /// The instant `amount` of working time after `from`. Zero gives the next working
    /// instant ([`Calendar::next_open`]).
    pub fn add(&self, from: Timestamp, amount: Duration) -> Timestamp {
        if self.is_always() {
            return from + amount;
        }
        let mut left = amount.max(Duration::zero());
        let mut last = from;
        for (s, e) in self.spans_from(from) {
            let begin = s.max(from);
            if left <= e - begin {
                return begin + left;
            }
            left -= e - begin;
            last = e;
        }
        last + left
    }

    /// The working time between `from` and `to` (zero when `to` is not after `from`).
    pub fn between(&self, from: Timestamp, to: Timestamp) -> Duration {
        if to <= from {
            return Duration::zero();
        }
        if self.is_always() {
            return to - from;
        }
        let mut total = Duration::zero();
        for (s, e) in self.spans_from(from) {
            if s >= to {
                break;
            }
            total += e.min(to) - s.max(from);
        }
        total
    }

    /// The first working instant at or after `t`.
    pub fn next_open(&self, t: Timestamp) -> Timestamp {
        self.add(t, Duration::zero())
    }

    /// Whether the department works at `t`. The end of a span counts as working, so a
    /// deadline that lands on closing time is still kept on that day.
    pub fn is_open(&self, t: Timestamp) -> bool {
        if self.is_always() {
            return true;
        }
        self.spans_from(t - Duration::seconds(1))
            .take_while(|(s, _)| *s <= t)
            .any(|(s, e)| s <= t && t <= e)
    }
}

/// The weekday names the catalogs know (`weekday-mon` …), Monday first.
pub fn weekday_id(day: Weekday) -> &'static str {
    match day {
        Weekday::Mon => "weekday-mon",
        Weekday::Tue => "weekday-tue",
        Weekday::Wed => "weekday-wed",
        Weekday::Thu => "weekday-thu",
        Weekday::Fri => "weekday-fri",
        Weekday::Sat => "weekday-sat",
        Weekday::Sun => "weekday-sun",
    }
}
