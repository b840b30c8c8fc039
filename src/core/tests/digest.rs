//! When weekly digests come due: `digest.when` in a department's zone, across
//! daylight-saving changes, once per week after downtime and restarts.
//! See: issue 16 (point 2).

use crate::core::{
    digest_fired, digest_timer_stale, local_monday, next_digest, DigestWhen, TimerKind, Timestamp,
    WhenError,
};
use chrono::{NaiveDate, TimeZone, Utc, Weekday};
use chrono_tz::Tz;

fn utc(y: i32, m: u32, d: u32, h: u32, min: u32) -> Timestamp {
    Utc.with_ymd_and_hms(y, m, d, h, min, 0).unwrap()
}

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

const BERLIN: Tz = chrono_tz::Europe::Berlin;

fn fri_16() -> DigestWhen {
    DigestWhen::parse("Fri 16:00").unwrap()
}

fn week_of(t: &crate::core::Timer) -> NaiveDate {
    match &t.kind {
        TimerKind::Digest { week, .. } => *week,
        other => panic!("not a digest timer: {other:?}"),
    }
}

#[test]
fn when_reads_a_weekday_and_a_time() {
    let w = DigestWhen::parse("Fri 16:00").unwrap();
    assert_eq!(w.day, Weekday::Fri);
    assert_eq!(w.time.to_string(), "16:00:00");
    assert_eq!(
        DigestWhen::parse(" friday  09:05 ").unwrap().day,
        Weekday::Fri
    );
    assert_eq!(
        DigestWhen::parse("16:00"),
        Err(WhenError::Shape("16:00".into()))
    );
    assert_eq!(
        DigestWhen::parse("Fry 16:00"),
        Err(WhenError::Day("Fry".into()))
    );
    assert_eq!(
        DigestWhen::parse("Fri 24:00"),
        Err(WhenError::Time("24:00".into()))
    );
    assert!(DigestWhen::parse("Fri 16:00 CET").is_err());
}

#[test]
fn the_digest_time_stays_at_four_in_the_afternoon_across_the_autumn_change() {
    // Clocks go back on Sunday 25 October 2026 in Berlin: 16:00 is 14:00 UTC before, 15:00 after.
    let posted = utc(2026, 10, 23, 14, 0);
    assert_eq!(fri_16().in_week(day(2026, 10, 19), BERLIN), posted);
    let next = next_digest("it", fri_16(), BERLIN, None, posted);
    assert_eq!(next.at, utc(2026, 10, 30, 15, 0));
    assert_eq!(week_of(&next), day(2026, 10, 26));
    assert_eq!(next.at - posted, chrono::Duration::hours(7 * 24 + 1));
}

#[test]
fn a_time_the_clocks_skip_is_taken_an_hour_later_and_one_they_pass_twice_at_its_first_pass() {
    let sun = DigestWhen::parse("Sun 02:30").unwrap();
    // 29 March 2026: 02:00 CET jumps to 03:00 CEST; 03:30 CEST is 01:30 UTC.
    assert_eq!(
        sun.in_week(day(2026, 3, 23), BERLIN),
        utc(2026, 3, 29, 1, 30)
    );
    // 25 October 2026: 02:30 happens twice; the first (CEST) is 00:30 UTC.
    assert_eq!(
        sun.in_week(day(2026, 10, 19), BERLIN),
        utc(2026, 10, 25, 0, 30)
    );
}

#[test]
fn the_first_digest_is_the_first_time_still_ahead() {
    // Friday 18:00 in Berlin: this week's time passed, so next week's.
    let now = utc(2026, 11, 27, 17, 0);
    let t = next_digest("it", fri_16(), BERLIN, None, now);
    assert_eq!(t.at, utc(2026, 12, 4, 15, 0));
    assert_eq!(t.kind.owner(), "dept:it");
    // Thursday: this week's.
    let t = next_digest("it", fri_16(), BERLIN, None, utc(2026, 11, 26, 9, 0));
    assert_eq!(t.at, utc(2026, 11, 27, 15, 0));
}

#[test]
fn the_week_is_the_departments_own() {
    // Monday 00:30 in Tokyo is still Sunday in UTC.
    let tokyo: Tz = chrono_tz::Asia::Tokyo;
    assert_eq!(
        local_monday(utc(2026, 11, 29, 15, 30), tokyo),
        day(2026, 11, 30)
    );
    assert_eq!(
        local_monday(utc(2026, 11, 29, 15, 30), Tz::UTC),
        day(2026, 11, 23)
    );
}

#[test]
fn a_digest_on_time_posts_its_week_and_schedules_the_next() {
    let at = utc(2026, 11, 27, 15, 0);
    let fired = digest_fired("it", fri_16(), BERLIN, day(2026, 11, 23), at);
    assert_eq!(fired.week, day(2026, 11, 23));
    assert_eq!(fired.next.at, utc(2026, 12, 4, 15, 0));
    assert_eq!(week_of(&fired.next), day(2026, 11, 30));
}

#[test]
fn weeks_missed_while_down_post_once_for_the_latest_week() {
    // Due 27 November, the desk came back on Wednesday 16 December: two more Fridays passed.
    let now = utc(2026, 12, 16, 8, 0);
    let fired = digest_fired("it", fri_16(), BERLIN, day(2026, 11, 23), now);
    assert_eq!(fired.week, day(2026, 12, 7));
    // The next is this week's Friday, not one of the missed ones.
    assert_eq!(fired.next.at, utc(2026, 12, 18, 15, 0));
    assert!(fired.next.at > now);
}

#[test]
fn a_week_posted_late_is_not_posted_again_on_its_own_friday() {
    // Posted on Monday 08:00 for last week (down over Friday): this Friday is next week's.
    let now = utc(2026, 11, 30, 8, 0);
    let fired = digest_fired("it", fri_16(), BERLIN, day(2026, 11, 23), now);
    assert_eq!(fired.week, day(2026, 11, 23));
    assert_eq!(week_of(&fired.next), day(2026, 11, 30));
    assert_eq!(fired.next.at, utc(2026, 12, 4, 15, 0));
}

#[test]
fn a_pending_digest_gives_way_only_to_a_changed_time() {
    let now = utc(2026, 11, 25, 9, 0);
    let pending = next_digest("it", fri_16(), BERLIN, None, now);
    // A restart: the same timer is wanted, so nothing changes.
    let again = next_digest("it", fri_16(), BERLIN, Some(week_of(&pending)), now);
    assert!(!digest_timer_stale(&pending, &again, now));
    // `digest.when` moved to Thursday: the timer moves, and stays in the same week.
    let thu = DigestWhen::parse("Thu 10:00").unwrap();
    let moved = next_digest("it", thu, BERLIN, Some(week_of(&pending)), now);
    assert!(digest_timer_stale(&pending, &moved, now));
    assert_eq!(week_of(&moved), week_of(&pending));
    // A week already posted (the pending timer is for next week) is not posted again, even
    // when the new time this week is still ahead.
    let after_post = utc(2026, 11, 27, 15, 1);
    let next_week = next_digest("it", fri_16(), BERLIN, None, after_post);
    let sat = DigestWhen::parse("Sat 10:00").unwrap();
    let moved = next_digest("it", sat, BERLIN, Some(week_of(&next_week)), after_post);
    assert_eq!(week_of(&moved), day(2026, 11, 30));
    // A timer due already stays: a week missed while down is still posted.
    let later = utc(2026, 12, 2, 9, 0);
    assert!(!digest_timer_stale(&pending, &moved, later));
}
