//! Business calendars: parsing hours, adding and measuring business time across weekends,
//! holidays and daylight-saving changes (Europe/Berlin: the last Sundays of March and October).

use crate::core::calendar::{parse_hours, parse_week, Calendar, HoursError, Opening};
use chrono::{Duration, NaiveDate, TimeZone, Utc};

fn at(s: &str) -> crate::core::Timestamp {
    chrono::DateTime::parse_from_rfc3339(s)
        .unwrap()
        .with_timezone(&Utc)
}

fn berlin(hours: &[&str], holidays: &[&str]) -> Calendar {
    let hours: Vec<String> = hours.iter().map(|h| h.to_string()).collect();
    Calendar {
        zone: chrono_tz::Europe::Berlin,
        hours: parse_week(&hours).unwrap(),
        holidays: holidays
            .iter()
            .map(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").unwrap())
            .collect(),
    }
}

fn office() -> Calendar {
    berlin(&["Mon-Fri 09:00-12:30", "Mon-Fri 13:30-17:30"], &[])
}

#[test]
fn an_hours_entry_reads_days_and_times() {
    assert_eq!(
        parse_hours("Mon-Wed 09:00-12:30").unwrap(),
        (0..3)
            .map(|day| Opening {
                day,
                start: 9 * 60,
                end: 12 * 60 + 30
            })
            .collect::<Vec<_>>()
    );
    assert_eq!(parse_hours("sat,Sunday 00:00-24:00").unwrap().len(), 2);
    assert_eq!(parse_hours("Fri-Mon 10:00-11:00").unwrap().len(), 4);
}

#[test]
fn wrong_hours_are_refused_with_a_reason() {
    assert!(matches!(parse_hours("Mon-Fri"), Err(HoursError::Shape(_))));
    assert!(matches!(
        parse_hours("Mox 09:00-10:00"),
        Err(HoursError::Days(_))
    ));
    assert!(matches!(parse_hours("Mon 9-10"), Err(HoursError::Time(_))));
    assert!(matches!(
        parse_hours("Mon 25:00-26:00"),
        Err(HoursError::Time(_))
    ));
    assert!(matches!(
        parse_hours("Mon 17:00-09:00"),
        Err(HoursError::Inverted(_))
    ));
    assert!(matches!(
        parse_hours("Mon 09:00-09:00"),
        Err(HoursError::Inverted(_))
    ));
    let overlapping = [
        "Mon-Fri 09:00-13:00".to_string(),
        "Fri 12:00-14:00".to_string(),
    ];
    assert_eq!(
        parse_week(&overlapping),
        Err(HoursError::Overlap(
            "Fri 12:00-14:00".into(),
            "Mon-Fri 09:00-13:00".into(),
            "Fri"
        ))
    );
    let touching = ["Mon 09:00-12:00".to_string(), "Mon 12:00-14:00".to_string()];
    assert!(parse_week(&touching).is_ok());
}

#[test]
fn around_the_clock_is_plain_time() {
    let c = Calendar::always();
    let t = at("2026-03-28T23:00:00Z");
    assert_eq!(c.add(t, Duration::hours(5)), t + Duration::hours(5));
    assert_eq!(c.between(t, t + Duration::hours(30)), Duration::hours(30));
    assert_eq!(c.next_open(t), t);
}

#[test]
fn business_time_skips_the_lunch_break_the_night_and_the_weekend() {
    let c = office();
    // Friday 11:00 CET (10:00Z) + 3h: 1h30 before lunch, 1h30 after.
    assert_eq!(
        c.add(at("2026-01-09T10:00:00Z"), Duration::hours(3)),
        at("2026-01-09T14:00:00Z")
    );
    // Friday 17:00 CET + 1h: half an hour on Friday, half on Monday from 09:00.
    assert_eq!(
        c.add(at("2026-01-09T16:00:00Z"), Duration::hours(1)),
        at("2026-01-12T08:30:00Z")
    );
    assert_eq!(
        c.between(at("2026-01-09T16:00:00Z"), at("2026-01-12T08:30:00Z")),
        Duration::hours(1)
    );
    // Filed on Saturday: the clock starts on Monday morning.
    assert_eq!(
        c.next_open(at("2026-01-10T12:00:00Z")),
        at("2026-01-12T08:00:00Z")
    );
    assert!(!c.is_open(at("2026-01-10T12:00:00Z")));
    assert!(!c.is_open(at("2026-01-12T11:45:00Z")), "lunch");
    // Closing time is still that day's time.
    assert!(c.is_open(at("2026-01-12T16:30:00Z")));
    // A whole working week is 7h30 a day.
    assert_eq!(
        c.between(at("2026-01-12T00:00:00Z"), at("2026-01-17T00:00:00Z")),
        Duration::minutes(5 * 450)
    );
}

#[test]
fn a_holiday_is_skipped_like_a_weekend() {
    let c = berlin(&["Mon-Fri 09:00-17:00"], &["2026-12-24", "2026-12-25"]);
    // Wednesday 23 December 16:00 CET + 2h: one hour then, one on Monday 28th.
    assert_eq!(
        c.add(at("2026-12-23T15:00:00Z"), Duration::hours(2)),
        at("2026-12-28T09:00:00Z")
    );
    assert!(!c.is_open(at("2026-12-24T10:00:00Z")));
    // Around the clock, a holiday still counts nothing.
    let c = Calendar {
        hours: Vec::new(),
        ..berlin(&[], &["2026-12-25"])
    };
    assert_eq!(
        c.between(at("2026-12-24T23:00:00Z"), at("2026-12-25T23:00:00Z")),
        Duration::zero()
    );
    assert_eq!(
        c.add(at("2026-12-24T22:00:00Z"), Duration::hours(2)),
        at("2026-12-26T00:00:00Z")
    );
}

#[test]
fn opening_hours_follow_the_clocks_in_spring() {
    let c = berlin(&["Mon-Fri 09:00-17:00"], &[]);
    // Friday 27 March 2026 16:00 CET (15:00Z) + 2h: the clocks go forward on Sunday 29th,
    // so Monday's 10:00 is 08:00Z, not 09:00Z.
    assert_eq!(
        c.add(at("2026-03-27T15:00:00Z"), Duration::hours(2)),
        at("2026-03-30T08:00:00Z")
    );
    // The night of the change is an hour shorter: a Sunday 01:00-04:00 opening is 2h long.
    let night = berlin(&["Sun 01:00-04:00"], &[]);
    assert_eq!(
        night.between(at("2026-03-28T00:00:00Z"), at("2026-03-30T00:00:00Z")),
        Duration::hours(2)
    );
    // A time the clocks skip (02:30) is read as the end of the gap.
    let gap = berlin(&["Sun 02:30-05:00"], &[]);
    assert_eq!(
        gap.next_open(at("2026-03-28T12:00:00Z")),
        at("2026-03-29T01:00:00Z")
    );
}

#[test]
fn opening_hours_follow_the_clocks_in_autumn() {
    let c = berlin(&["Mon-Fri 09:00-17:00"], &[]);
    // Friday 23 October 2026 16:00 CEST (14:00Z) + 2h: back to CET on Sunday 25th, so
    // Monday's 10:00 is 09:00Z.
    assert_eq!(
        c.add(at("2026-10-23T14:00:00Z"), Duration::hours(2)),
        at("2026-10-26T09:00:00Z")
    );
    // The night of the change is an hour longer: Sunday 01:00-04:00 lasts 4h.
    let night = berlin(&["Sun 01:00-04:00"], &[]);
    assert_eq!(
        night.between(at("2026-10-24T00:00:00Z"), at("2026-10-26T00:00:00Z")),
        Duration::hours(4)
    );
    // Around the clock with a holiday on the change day: that day lasts 25 hours.
    let holiday = Calendar {
        hours: Vec::new(),
        ..berlin(&[], &["2026-10-25"])
    };
    assert_eq!(
        holiday.between(at("2026-10-24T00:00:00Z"), at("2026-10-27T00:00:00Z")),
        Duration::hours(72 - 25)
    );
}

#[test]
fn zero_business_time_from_a_closed_moment_is_the_next_opening() {
    let c = office();
    let saturday = Utc.with_ymd_and_hms(2026, 1, 10, 9, 0, 0).unwrap();
    assert_eq!(c.add(saturday, Duration::zero()), c.next_open(saturday));
    assert_eq!(c.between(saturday, saturday), Duration::zero());
    assert_eq!(
        c.between(saturday + Duration::hours(1), saturday),
        Duration::zero()
    );
}
