//! The weekly digest of a department: what was resolved, how fast the team first answered
//! against its service level, the ratings, and the best survey comments with the agents who
//! earned them. [`digest`] computes it from requests; `render` prints it as text (what a
//! channel would be sent), JSON or HTML.
//!
//! # Definitions
//! - **The week** is an ISO week, Monday 00:00 to the next Monday 00:00, in UTC (departments
//!   have no time zone yet).
//! - **Resolved**: requests closed now whose `closed_at` falls in the week.
//! - **First response** is the one `frontdesk stats` uses: from filing to the request's
//!   `first_response_at`, the first claim, agent reply or close by the team. The median is
//!   over the requests first answered during the week, and is met when it is within the
//!   department's `first_response_sla`.
//! - **Ratings**: requests whose latest rating was given during the week.
//! - **Comments**: survey comments written during the week on requests rated 4 or 5 (a
//!   digest that celebrates quotes praise, not complaints), highest rating first, then the
//!   most recent; at most three. Each names the request's assignee, or else whoever last
//!   claimed it.
//! - **Thank-yous**: requesters' thanks (after the survey) given during the week, in all and
//!   per agent thanked.
//! - **A quiet week** had none of the above and no request filed: the digest says "No
//!   requests this week".

mod message;
mod render;

pub use message::message;
pub use render::{html, json, text};

use super::median;
use crate::core::{Event, Request, Status, Timestamp};
use chrono::{Datelike, Duration, NaiveDate, TimeZone, Utc};
use serde::{Deserialize, Serialize};

/// Comments quoted per department.
pub const MAX_COMMENTS: usize = 3;
/// The lowest rating whose comment a digest quotes.
pub const MIN_QUOTED_RATING: u8 = 4;

/// What the digest needs to know about a department from the configuration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DepartmentTarget {
    pub id: String,
    pub name: String,
    /// `first_response_sla`, in seconds.
    pub first_response_sla_secs: i64,
    /// A confidential department's digest quotes no comments: it is posted in a channel.
    #[serde(default)]
    pub confidential: bool,
}

impl DepartmentTarget {
    pub fn from_config(d: &crate::config::DepartmentConfig) -> DepartmentTarget {
        DepartmentTarget {
            id: d.id.clone(),
            name: d.name.clone(),
            first_response_sla_secs: i64::try_from(d.first_response_sla.as_secs())
                .unwrap_or(i64::MAX),
            confidential: d.confidential,
        }
    }
}

/// The Monday of the ISO week that holds `day`.
pub fn monday_of(day: NaiveDate) -> NaiveDate {
    day - Duration::days(i64::from(day.weekday().num_days_from_monday()))
}

/// The Monday of the last ISO week that ended before `now` (UTC).
pub fn last_complete_week(now: Timestamp) -> NaiveDate {
    monday_of(now.date_naive()) - Duration::days(7)
}

/// The week starting on `monday`: from its start to the start of the next Monday, in UTC.
pub fn week_bounds(monday: NaiveDate) -> (Timestamp, Timestamp) {
    let start = Utc.from_utc_datetime(&monday.and_hms_opt(0, 0, 0).expect("midnight exists"));
    (start, start + Duration::days(7))
}

/// One quoted survey comment.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DigestComment {
    pub request: String,
    pub rating: u8,
    pub text: String,
    /// Who handled the request (`slack:U123`, ...), if anyone claimed it.
    pub agent: Option<String>,
    pub at: Timestamp,
}

/// How many thank-yous one agent got in the week.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AgentThanks {
    /// `slack:U123`, ...
    pub agent: String,
    pub count: usize,
}

/// One department's week.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DepartmentDigest {
    pub department: String,
    pub name: String,
    /// Nothing happened: no request filed, resolved, answered or rated.
    pub quiet: bool,
    pub filed: usize,
    pub resolved: usize,
    pub first_responses: usize,
    pub median_first_response_secs: Option<i64>,
    pub first_response_target_secs: i64,
    /// Whether the median is within the target; `null` without first responses.
    pub first_response_target_met: Option<bool>,
    pub ratings: usize,
    pub average_rating: Option<f64>,
    pub comments: Vec<DigestComment>,
    /// Thank-yous given during the week.
    pub thanks: usize,
    /// The same per agent thanked, most thanked first.
    pub thanks_by_agent: Vec<AgentThanks>,
}

/// The digest of one week, per department in the configuration's order.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WeeklyDigest {
    /// ISO week, e.g. `2026-W48`.
    pub week: String,
    /// The Monday and the Sunday, inclusive.
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub time_zone: String,
    pub departments: Vec<DepartmentDigest>,
}

#[derive(Default)]
struct Acc {
    filed: usize,
    resolved: usize,
    first: Vec<i64>,
    rating_sum: u64,
    ratings: usize,
    comments: Vec<DigestComment>,
    thanked: Vec<String>,
}

/// The agent who handled a request: its assignee, or else the last one who claimed it.
fn agent(r: &Request) -> Option<String> {
    r.assignee.as_ref().map(|a| a.to_string()).or_else(|| {
        r.history
            .iter()
            .rev()
            .find(|h| matches!(h.event, Event::Claimed))
            .and_then(|h| h.actor.as_ref().map(|a| a.to_string()))
    })
}

/// The digest of the week starting on `monday`, for `departments` (requests of other
/// departments are left out). Streams: only the week's figures are kept.
pub fn digest(
    requests: impl IntoIterator<Item = Request>,
    departments: &[DepartmentTarget],
    monday: NaiveDate,
) -> WeeklyDigest {
    let (start, end) = week_bounds(monday);
    let in_week = |t: Timestamp| t >= start && t < end;
    let mut acc: Vec<Acc> = departments.iter().map(|_| Acc::default()).collect();
    for r in requests {
        let Some(i) = departments.iter().position(|d| d.id == r.department) else {
            continue;
        };
        let a = &mut acc[i];
        if in_week(r.created_at) {
            a.filed += 1;
        }
        if let (Status::Closed, Some(t)) = (r.status, r.closed_at) {
            if in_week(t) {
                a.resolved += 1;
            }
        }
        if let Some(t) = r.first_response_at.filter(|t| in_week(*t)) {
            a.first.push((t - r.created_at).num_seconds());
        }
        let rated = r.history.iter().rev().find_map(|h| match h.event {
            Event::Rated { rating } => Some((h.at, rating)),
            _ => None,
        });
        if let Some((_, rating)) = rated.filter(|(t, _)| in_week(*t)) {
            a.rating_sum += u64::from(rating);
            a.ratings += 1;
        }
        for h in r.history.iter().filter(|h| in_week(h.at)) {
            if let Event::Thanked { agent, .. } = &h.event {
                a.thanked.push(agent.to_string());
            }
        }
        let commented = r.history.iter().rev().find_map(|h| match &h.event {
            Event::Commented { .. } => Some(h.at),
            _ => None,
        });
        if let (Some(t), Some(text), Some(rating)) =
            (commented, r.survey.comment.as_deref(), r.survey.rating)
        {
            if in_week(t) && rating >= MIN_QUOTED_RATING && !text.trim().is_empty() {
                a.comments.push(DigestComment {
                    request: r.id.to_string(),
                    rating,
                    text: text.trim().to_string(),
                    agent: agent(&r),
                    at: t,
                });
            }
        }
    }
    let departments = departments
        .iter()
        .zip(acc)
        .map(|(d, a)| {
            let median_first = median(a.first.clone());
            DepartmentDigest {
                department: d.id.clone(),
                name: d.name.clone(),
                quiet: a.filed == 0
                    && a.resolved == 0
                    && a.first.is_empty()
                    && a.ratings == 0
                    && a.comments.is_empty()
                    && a.thanked.is_empty(),
                filed: a.filed,
                resolved: a.resolved,
                first_responses: a.first.len(),
                median_first_response_secs: median_first,
                first_response_target_secs: d.first_response_sla_secs,
                first_response_target_met: median_first.map(|m| m <= d.first_response_sla_secs),
                ratings: a.ratings,
                average_rating: (a.ratings > 0).then(|| a.rating_sum as f64 / a.ratings as f64),
                comments: if d.confidential {
                    Vec::new()
                } else {
                    best_comments(a.comments)
                },
                thanks: a.thanked.len(),
                thanks_by_agent: by_agent(a.thanked),
            }
        })
        .collect();
    let iso = monday.iso_week();
    WeeklyDigest {
        week: format!("{}-W{:02}", iso.year(), iso.week()),
        from: monday,
        to: monday + Duration::days(6),
        time_zone: "UTC".into(),
        departments,
    }
}

/// Counts per agent, most first, then by agent (for a stable order).
fn by_agent(mut thanked: Vec<String>) -> Vec<AgentThanks> {
    thanked.sort();
    let mut out: Vec<AgentThanks> = Vec::new();
    for agent in thanked {
        match out.last_mut() {
            Some(last) if last.agent == agent => last.count += 1,
            _ => out.push(AgentThanks { agent, count: 1 }),
        }
    }
    out.sort_by(|a, b| b.count.cmp(&a.count).then(a.agent.cmp(&b.agent)));
    out
}

/// Highest rating first, then the most recent, then by request id (for a stable order).
fn best_comments(mut comments: Vec<DigestComment>) -> Vec<DigestComment> {
    comments.sort_by(|a, b| {
        b.rating
            .cmp(&a.rating)
            .then(b.at.cmp(&a.at))
            .then(a.request.cmp(&b.request))
    });
    comments.truncate(MAX_COMMENTS);
    comments
}

#[cfg(test)]
mod tests;
