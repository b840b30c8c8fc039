//! The dashboard's figures, as pure functions of requests, targets and "now": service-level
//! attainment per week, the queue, distributions, comments, and the busiest fields and
//! keywords. Nothing here reads the store or knows HTML.
//!
//! # Definitions
//! - Weeks are ISO weeks in UTC, as in the weekly digest; a request counts in the week it
//!   was filed.
//! - **Attainment** ([`attainment`]) is the share of durations within the target. For a
//!   request still waiting, the time it has waited counts once it is past the target (it can
//!   only miss); one still within the target does not count yet.
//! - **Overdue now**: open or claimed, and waiting past the first-response target with no
//!   first response, or past the resolution target when the department has one.

use crate::core::{Request, Status, Timestamp};
use crate::report::weekly::{monday_of, week_bounds};
use crate::store::{ActiveRequest, WeekFigures};
use chrono::{Duration, NaiveDate};
use std::collections::BTreeMap;

/// Weeks shown before this one.
pub const PAST_WEEKS: usize = 12;

/// A department's service levels, in seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Targets {
    pub first_response: i64,
    /// None: the department has no resolution target (yet).
    pub resolution: Option<i64>,
}

/// The share of `durations` (seconds) within `target`, from 0.0 to 1.0; None for none.
pub fn attainment(durations: &[i64], target: i64) -> Option<f64> {
    if durations.is_empty() {
        return None;
    }
    let met = durations.iter().filter(|d| **d <= target).count();
    Some(met as f64 / durations.len() as f64)
}

fn active(status: Status) -> bool {
    matches!(status, Status::Open | Status::Claimed)
}

/// Filing to first response; for a request still unanswered, its wait once past `target`.
#[cfg(test)]
pub fn first_response_secs(r: &Request, now: Timestamp, target: i64) -> Option<i64> {
    let (status, created, first) = (r.status, r.created_at, r.first_response_at);
    match first {
        Some(t) => Some((t - created).num_seconds()),
        None if active(status) => Some((now - created).num_seconds()).filter(|w| *w > target),
        None => None,
    }
}

/// Filing to closing; for a request still open, its wait once past `target` (if any).
#[cfg(test)]
pub fn resolution_secs(r: &Request, now: Timestamp, target: Option<i64>) -> Option<i64> {
    let (status, created, closed) = (r.status, r.created_at, r.closed_at);
    match (status, closed) {
        (Status::Closed, Some(t)) => Some((t - created).num_seconds()),
        _ if active(status) => {
            let waited = (now - created).num_seconds();
            target.filter(|t| waited > *t).map(|_| waited)
        }
        _ => None,
    }
}

pub fn is_overdue(r: &ActiveRequest, targets: Targets, now: Timestamp) -> bool {
    if !active(r.status) {
        return false;
    }
    let waited = (now - r.created_at).num_seconds();
    (r.first_response_at.is_none() && waited > targets.first_response)
        || targets.resolution.is_some_and(|t| waited > t)
}

/// One week of one department.
#[derive(Debug, Clone, PartialEq)]
pub struct Week {
    pub monday: NaiveDate,
    pub filed: usize,
    pub first_response: Option<f64>,
    pub resolution: Option<f64>,
    pub average_rating: Option<f64>,
}

/// The start of the oldest week shown: `PAST_WEEKS` weeks before this one's Monday.
pub fn window_start(now: Timestamp) -> Timestamp {
    let monday = monday_of(now.date_naive()) - Duration::weeks(PAST_WEEKS as i64);
    week_bounds(monday).0
}

#[cfg(test)]
/// This week and the [`PAST_WEEKS`] before it, oldest first, from the requests filed since
/// [`window_start`].
pub fn weeks(requests: &[Request], targets: Targets, now: Timestamp) -> Vec<Week> {
    let mut tally = WeekTally::new(targets, now);
    for r in requests {
        tally.add(r);
    }
    tally.finish()
}

/// The weekly figures, one request at a time: it keeps durations and counts, not requests.
#[derive(Debug, Clone)]
pub struct WeekTally {
    targets: Targets,
    now: Timestamp,
    this_monday: NaiveDate,
    /// Per week, oldest first: filed, the durations attainment is measured on, and the
    /// ratings (sum, count).
    filed: Vec<usize>,
    first: Vec<Vec<i64>>,
    resolution: Vec<Vec<i64>>,
    ratings: Vec<(u64, usize)>,
}

impl WeekTally {
    pub fn new(targets: Targets, now: Timestamp) -> WeekTally {
        let n = PAST_WEEKS + 1;
        WeekTally {
            targets,
            now,
            this_monday: monday_of(now.date_naive()),
            filed: vec![0; n],
            first: vec![Vec::new(); n],
            resolution: vec![Vec::new(); n],
            ratings: vec![(0, 0); n],
        }
    }

    /// The index of the week starting on `monday`, if it is shown.
    fn week(&self, monday: NaiveDate) -> Option<usize> {
        let back = (self.this_monday - monday).num_weeks();
        usize::try_from(back)
            .ok()
            .filter(|b| *b <= PAST_WEEKS)
            .map(|b| PAST_WEEKS - b)
    }

    /// A week's figures as the store keeps them: its answered and closed requests'
    /// durations (in whole minutes), filings and ratings.
    pub fn add_figures(&mut self, monday: NaiveDate, f: &WeekFigures) {
        let Some(i) = self.week(monday) else {
            return;
        };
        self.filed[i] += usize::try_from(f.filed).unwrap_or(usize::MAX);
        self.ratings[i].0 += f.rating_sum;
        self.ratings[i].1 += usize::try_from(f.ratings).unwrap_or(usize::MAX);
        let expand = |hist: &std::collections::BTreeMap<u32, u64>, out: &mut Vec<i64>| {
            for (minutes, n) in hist {
                let n = usize::try_from(*n).unwrap_or(usize::MAX);
                out.extend(std::iter::repeat_n(i64::from(*minutes) * 60, n));
            }
        };
        expand(&f.first_response, &mut self.first[i]);
        if self.targets.resolution.is_some() {
            expand(&f.resolution, &mut self.resolution[i]);
        }
    }

    /// An open or claimed request, next to [`WeekTally::add_figures`]: what it has waited
    /// counts once past a target (the figures hold only what was answered or closed).
    pub fn add_waiting(&mut self, r: &ActiveRequest) {
        let Some(i) = self.week(monday_of(r.created_at.date_naive())) else {
            return;
        };
        if !active(r.status) {
            return;
        }
        let waited = (self.now - r.created_at).num_seconds();
        if r.first_response_at.is_none() && waited > self.targets.first_response {
            self.first[i].push(waited);
        }
        if self.targets.resolution.is_some_and(|t| waited > t) {
            self.resolution[i].push(waited);
        }
    }

    /// A whole request of the window (the figures and the waiting ones, from the requests
    /// themselves).
    #[cfg(test)]
    pub fn add(&mut self, r: &Request) {
        let Some(i) = self.week(monday_of(r.created_at.date_naive())) else {
            return;
        };
        self.filed[i] += 1;
        let t = self.targets;
        if let Some(d) = first_response_secs(r, self.now, t.first_response) {
            self.first[i].push(d);
        }
        if let Some(d) = resolution_secs(r, self.now, t.resolution) {
            self.resolution[i].push(d);
        }
        if let Some(n) = r.survey.rating {
            self.ratings[i].0 += u64::from(n);
            self.ratings[i].1 += 1;
        }
    }

    pub fn finish(self) -> Vec<Week> {
        (0..=PAST_WEEKS)
            .map(|i| Week {
                monday: self.this_monday - Duration::weeks((PAST_WEEKS - i) as i64),
                filed: self.filed[i],
                first_response: attainment(&self.first[i], self.targets.first_response),
                resolution: self
                    .targets
                    .resolution
                    .and_then(|target| attainment(&self.resolution[i], target)),
                average_rating: (self.ratings[i].1 > 0)
                    .then(|| self.ratings[i].0 as f64 / self.ratings[i].1 as f64),
            })
            .collect()
    }
}

/// The upper bounds of the distribution's buckets, in seconds; the last bucket is open.
pub const BUCKETS: [i64; 5] = [15 * 60, 3600, 4 * 3600, 24 * 3600, 3 * 24 * 3600];

fn bucket(secs: i64) -> usize {
    BUCKETS
        .iter()
        .position(|b| secs <= *b)
        .unwrap_or(BUCKETS.len())
}

/// How many durations fall in each bucket of [`BUCKETS`] (and the open one after them).
#[cfg(test)]
pub fn distribution(durations: &[i64]) -> [usize; 6] {
    let mut counts = [0; 6];
    for d in durations {
        counts[bucket(*d)] += 1;
    }
    counts
}

/// Adds durations in whole minutes rounded up, as the store's [`WeekFigures`] keep them,
/// to a [`distribution`]. The buckets' bounds are whole minutes, so a duration is within
/// one exactly when its rounded-up minutes are: the counts are those of the seconds.
pub fn add_to_distribution(counts: &mut [usize; 6], minutes: &BTreeMap<u32, u64>) {
    for (m, n) in minutes {
        counts[bucket(i64::from(*m) * 60)] += usize::try_from(*n).unwrap_or(usize::MAX);
    }
}

/// Open requests in the order they should be looked at: overdue first, then oldest first.
pub fn queue(
    mut open: Vec<ActiveRequest>,
    targets: Targets,
    now: Timestamp,
) -> Vec<(ActiveRequest, bool)> {
    open.retain(|r| active(r.status));
    let mut rows: Vec<(ActiveRequest, bool)> = open
        .into_iter()
        .map(|r| {
            let overdue = is_overdue(&r, targets, now);
            (r, overdue)
        })
        .collect();
    rows.sort_by(|(a, ao), (b, bo)| bo.cmp(ao).then(a.created_at.cmp(&b.created_at)));
    rows
}

/// A survey comment, newest first in [`comments`].
#[derive(Debug, Clone, PartialEq)]
pub struct Comment {
    pub request: String,
    pub rating: Option<u8>,
    pub text: String,
    pub at: Timestamp,
}

#[cfg(test)]
pub fn comments(requests: &[Request], max: usize) -> Vec<Comment> {
    let mut out = Vec::new();
    for r in requests {
        add_comment(&mut out, r, max);
    }
    finish_comments(out, max)
}

/// Keeps `r`'s comment among the newest `max` (and a few more until
/// [`finish_comments`]): a tally over many requests holds only a handful.
pub fn add_comment(kept: &mut Vec<Comment>, r: &Request, max: usize) {
    let Some(text) = r.survey.comment.as_deref().map(str::trim) else {
        return;
    };
    if text.is_empty() {
        return;
    }
    kept.push(Comment {
        request: r.id.to_string(),
        rating: r.survey.rating,
        text: text.to_string(),
        at: r.closed_at.unwrap_or(r.created_at),
    });
    if kept.len() > 4 * max.max(1) {
        let all = std::mem::take(kept);
        *kept = finish_comments(all, max);
    }
}

pub fn finish_comments(mut kept: Vec<Comment>, max: usize) -> Vec<Comment> {
    kept.sort_by(|a, b| b.at.cmp(&a.at).then(b.request.cmp(&a.request)));
    kept.truncate(max);
    kept
}

#[cfg(test)]
/// The most frequent answers: (field, value, count), most frequent first.
pub fn busiest_answers(requests: &[Request], max: usize) -> Vec<(String, String, usize)> {
    let mut counts = AnswerCounts::new();
    for r in requests {
        count_answers(&mut counts, r);
    }
    top_answers(counts, max)
}

pub type AnswerCounts = BTreeMap<(String, String), usize>;

pub fn count_answers(counts: &mut AnswerCounts, r: &Request) {
    for a in &r.answers {
        if let Some(v) = a.value.as_deref().map(str::trim).filter(|v| !v.is_empty()) {
            *counts
                .entry((a.field.clone(), v.to_lowercase()))
                .or_default() += 1;
        }
    }
}

pub fn top_answers(counts: AnswerCounts, max: usize) -> Vec<(String, String, usize)> {
    top(counts.into_iter(), max)
        .into_iter()
        .map(|((f, v), n)| (f, v, n))
        .collect()
}

#[cfg(test)]
/// How many summaries mention each of the department's keywords, most frequent first.
pub fn busiest_keywords(
    requests: &[Request],
    keywords: &[String],
    max: usize,
) -> Vec<(String, usize)> {
    let mut counts = BTreeMap::new();
    for r in requests {
        count_keywords(&mut counts, r, keywords);
    }
    top(counts.into_iter(), max)
}

pub fn count_keywords(counts: &mut BTreeMap<String, usize>, r: &Request, keywords: &[String]) {
    let summary = r.summary.to_lowercase();
    for k in keywords {
        if !k.is_empty() && summary.contains(&k.to_lowercase()) {
            *counts.entry(k.clone()).or_default() += 1;
        }
    }
}

pub fn top_keywords(counts: BTreeMap<String, usize>, max: usize) -> Vec<(String, usize)> {
    top(counts.into_iter(), max)
}

fn top<K: Ord>(items: impl Iterator<Item = (K, usize)>, max: usize) -> Vec<(K, usize)> {
    let mut v: Vec<(K, usize)> = items.filter(|(_, n)| *n > 0).collect();
    // Stable: equal counts keep their key order.
    v.sort_by_key(|(_, n)| std::cmp::Reverse(*n));
    v.truncate(max);
    v
}

/// A duration in seconds, compactly: `45s`, `12m`, `3h 05m`, `2d 4h`.
pub fn short_duration(secs: i64) -> String {
    let s = secs.max(0);
    match s {
        0..60 => format!("{s}s"),
        60..3600 => format!("{}m", s / 60),
        3600..86_400 => format!("{}h {:02}m", s / 3600, s % 3600 / 60),
        _ => format!("{}d {}h", s / 86_400, s % 86_400 / 3600),
    }
}

/// A share as a whole percentage.
pub fn percent(share: f64) -> String {
    format!("{:.0} %", share * 100.0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::{Platform, RequestId, UserRef};
    use chrono::{TimeZone, Utc};

    fn at(h: i64) -> Timestamp {
        // A Wednesday, so that a few hours either way stay in one ISO week.
        Utc.with_ymd_and_hms(2026, 3, 4, 0, 0, 0).unwrap() + Duration::hours(h)
    }

    fn request(n: u64, filed: i64) -> Request {
        Request::new(
            RequestId::new("IT", n),
            "it",
            UserRef::new(Platform::Slack, "U1"),
            "laptop vpn",
            at(filed),
        )
    }

    const TARGETS: Targets = Targets {
        first_response: 3600,
        resolution: None,
    };

    #[test]
    fn attainment_is_the_share_within_the_target_and_none_without_durations() {
        assert_eq!(attainment(&[], 60), None);
        assert_eq!(attainment(&[60, 61], 60), Some(0.5));
        assert_eq!(attainment(&[10, 20, 30, 3000], 60), Some(0.75));
    }

    #[test]
    fn a_waiting_request_counts_as_missed_only_once_past_its_target() {
        let r = request(1, 0);
        assert_eq!(
            first_response_secs(&r, at(0) + Duration::minutes(30), 3600),
            None
        );
        assert_eq!(first_response_secs(&r, at(2), 3600), Some(7200));
        let mut answered = request(2, 0);
        answered.first_response_at = Some(at(0) + Duration::minutes(5));
        assert_eq!(first_response_secs(&answered, at(9), 3600), Some(300));
        let mut cancelled = request(3, 0);
        cancelled.status = Status::Cancelled;
        assert_eq!(first_response_secs(&cancelled, at(9), 3600), None);
        assert_eq!(resolution_secs(&r, at(9), None), None);
        assert_eq!(resolution_secs(&r, at(9), Some(3600)), Some(9 * 3600));
    }

    #[test]
    fn weeks_are_this_one_and_twelve_before_with_no_resolution_figure_without_a_target() {
        let mut fast = request(1, 0);
        fast.first_response_at = Some(at(0) + Duration::minutes(10));
        fast.status = Status::Closed;
        fast.closed_at = Some(at(1));
        fast.survey.rating = Some(5);
        let slow = request(2, 1);
        let w = weeks(&[fast.clone(), slow.clone()], TARGETS, at(5));
        assert_eq!(w.len(), PAST_WEEKS + 1);
        let this = w.last().unwrap();
        assert_eq!(this.filed, 2);
        assert_eq!(this.first_response, Some(0.5));
        assert_eq!(this.resolution, None);
        assert_eq!(this.average_rating, Some(5.0));
        assert!(w[..PAST_WEEKS].iter().all(|w| w.filed == 0));
        let with_target = Targets {
            resolution: Some(2 * 3600),
            ..TARGETS
        };
        let w = weeks(&[fast, slow], with_target, at(5));
        assert_eq!(w.last().unwrap().resolution, Some(0.5));
    }

    #[test]
    fn the_queue_puts_overdue_requests_first_then_the_oldest() {
        let old_answered = {
            let mut r = request(1, 0);
            r.first_response_at = Some(at(0));
            r.status = Status::Claimed;
            r
        };
        let overdue = request(2, 1);
        let fresh = request(3, 4);
        let mut closed = request(4, 0);
        closed.status = Status::Closed;
        let q = queue(
            [fresh, old_answered, closed, overdue]
                .iter()
                .map(ActiveRequest::from)
                .collect(),
            TARGETS,
            at(4) + Duration::minutes(1),
        );
        let ids: Vec<(String, bool)> = q.iter().map(|(r, o)| (r.id.to_string(), *o)).collect();
        assert_eq!(
            ids,
            [
                ("IT-2".to_string(), true),
                ("IT-1".to_string(), false),
                ("IT-3".to_string(), false)
            ]
        );
    }

    #[test]
    fn a_distribution_from_the_stores_rounded_up_minutes_is_that_of_the_seconds() {
        // Either side of every bucket's bound, and a few seconds past it.
        let mut secs = vec![0, 1, 59, 60];
        for b in BUCKETS {
            secs.extend([b - 60, b - 1, b, b + 1, b + 59, b + 60]);
        }
        let mut minutes = BTreeMap::new();
        for s in &secs {
            *minutes.entry(crate::store::minutes_up(*s)).or_insert(0u64) += 1;
        }
        let mut counts = [0; 6];
        add_to_distribution(&mut counts, &minutes);
        assert_eq!(counts, distribution(&secs));
        assert_eq!(counts.iter().sum::<usize>(), secs.len());
    }

    #[test]
    fn distributions_comments_and_busiest_answers() {
        assert_eq!(
            distribution(&[60, 900, 901, 3 * 24 * 3600 + 1]),
            [2, 1, 0, 0, 0, 1]
        );
        let mut a = request(1, 0);
        a.survey.comment = Some(" great ".into());
        a.survey.rating = Some(5);
        a.answers.push(crate::core::Answer {
            field: "device".into(),
            prompt: "Which device?".into(),
            value: Some("ThinkPad".into()),
        });
        let mut b = request(2, 1);
        b.survey.comment = Some("".into());
        b.answers = a.answers.clone();
        let c = comments(&[a.clone(), b.clone()], 5);
        assert_eq!(c.len(), 1);
        assert_eq!(c[0].text, "great");
        assert_eq!(
            busiest_answers(&[a.clone(), b.clone()], 5),
            [("device".into(), "thinkpad".into(), 2)]
        );
        assert_eq!(
            busiest_keywords(&[a, b], &["vpn".into(), "printer".into()], 5),
            [("vpn".into(), 2)]
        );
        assert_eq!(short_duration(59), "59s");
        assert_eq!(short_duration(3 * 3600 + 300), "3h 05m");
        assert_eq!(short_duration(2 * 86_400 + 4 * 3600), "2d 4h");
    }

    #[test]
    fn the_stores_weekly_figures_and_the_waiting_requests_give_the_weeks_of_the_requests() {
        let mut answered = request(1, 0);
        answered.first_response_at = Some(at(0) + Duration::minutes(30));
        answered.status = Status::Closed;
        answered.closed_at = Some(at(3));
        answered.survey.rating = Some(4);
        let mut late = request(2, 1);
        late.first_response_at = Some(at(3));
        late.status = Status::Claimed;
        let waiting = request(3, 2);
        let fresh = request(4, 5);
        let last_week = request(5, -7 * 24);
        let all = vec![answered, late, waiting, fresh, last_week];
        let dir = tempfile::tempdir().unwrap();
        let store = crate::store::Store::open(dir.path()).unwrap();
        store
            .commit_step(crate::store::StepWrite {
                requests: &all,
                ..crate::store::StepWrite::at(at(0))
            })
            .unwrap();
        let now = at(5) + Duration::minutes(10);
        for targets in [
            TARGETS,
            Targets {
                resolution: Some(2 * 3600),
                ..TARGETS
            },
        ] {
            let mut tally = WeekTally::new(targets, now);
            let from = monday_of(window_start(now).date_naive());
            for (monday, f) in store
                .weekly_figures("it", from, monday_of(now.date_naive()))
                .unwrap()
            {
                tally.add_figures(monday, &f);
            }
            // The waiting ones as the store's index of active requests has them.
            for r in store.active_requests().unwrap() {
                tally.add_waiting(&r);
            }
            assert_eq!(tally.finish(), weeks(&all, targets, now));
        }
    }
}
