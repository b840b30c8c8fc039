//! Read-only views of stored requests for people: the list, one request in full, exports and
//! department statistics. Pure functions over requests; the CLI and the console print them.
//!
//! - `weekly`: the weekly digest ([`weekly::digest`]) and its text, JSON and HTML forms.
//! - `service_levels`: service-level attainment per department, in business time.

pub mod service_levels;
pub mod weekly;

use crate::core::{Event, HistoryEntry, Request, Status, Timestamp};
use chrono::{NaiveDate, TimeZone, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A period of filing dates for exports: from the start of `since` (UTC) to the end of the
/// `until` day, both inclusive; either end may be open.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Period {
    pub since: Option<NaiveDate>,
    pub until: Option<NaiveDate>,
}

impl Period {
    /// The start of a day in UTC.
    fn midnight(day: NaiveDate) -> Timestamp {
        Utc.from_utc_datetime(&day.and_hms_opt(0, 0, 0).expect("midnight exists"))
    }

    /// Whether a request filed at `t` falls in the period.
    pub fn contains(&self, t: Timestamp) -> bool {
        let after_start = self.since.is_none_or(|d| t >= Self::midnight(d));
        let before_end = self.until.is_none_or(|d| match d.succ_opt() {
            Some(next) => t < Self::midnight(next),
            None => true,
        });
        after_start && before_end
    }

    /// Whether the period has no bounds (every request is in it).
    pub fn is_unbounded(&self) -> bool {
        self.since.is_none() && self.until.is_none()
    }
}

fn when(t: Timestamp) -> String {
    t.format("%Y-%m-%d %H:%M").to_string()
}

fn who(h: &HistoryEntry) -> String {
    h.actor
        .as_ref()
        .map(|a| a.to_string())
        .unwrap_or_else(|| "frontdesk".to_string())
}

pub fn event_text(e: &Event) -> String {
    match e {
        Event::Created => "opened the request".into(),
        Event::Claimed => "claimed it".into(),
        Event::AgentReplied { text } => format!("replied: {text}"),
        Event::RequesterReplied { text } => format!("wrote: {text}"),
        Event::Closed => "closed it".into(),
        Event::Reopened => "reopened it".into(),
        Event::Cancelled => "cancelled it".into(),
        Event::Rated { rating } => format!("rated it {rating}/5"),
        Event::Commented { text } => format!("commented: {text}"),
        Event::Reminded { round } => format!("sent service-level reminder #{round}"),
        Event::SurveyReminded => "reminded the requester about the survey".into(),
        Event::ContentRemoved => "removed its content (retention)".into(),
        Event::Assigned { to } => format!("assigned it to {to}"),
        Event::Unassigned => "gave it back to the queue".into(),
        Event::WaitingOnRequester { text } if text.is_empty() => {
            "set it to wait on the requester".into()
        }
        Event::WaitingOnRequester { text } => format!("set it to wait on the requester: {text}"),
        Event::Resumed => "answered; the request resumed".into(),
        Event::NudgedRequester => "reminded the requester that the team waits for them".into(),
        Event::ResolutionReminded { round } => {
            format!("sent resolution service-level reminder #{round}")
        }
        Event::Escalated { step } => format!("escalated (step {step})"),
        Event::Thanked { agent, text } if text.is_empty() => format!("thanked {agent}"),
        Event::Thanked { agent, text } => format!("thanked {agent}: {text}"),
    }
}

pub fn list(requests: &[Request]) -> String {
    if requests.is_empty() {
        return "No requests.".to_string();
    }
    let mut out = format!(
        "{:<10} {:<9} {:<8} {:<20} {:<20} {:<16} {}",
        "ID", "STATUS", "PRIORITY", "REQUESTER", "ASSIGNEE", "CREATED", "SUMMARY"
    );
    for r in requests {
        let assignee = r
            .assignee
            .as_ref()
            .map(|a| a.to_string())
            .unwrap_or_else(|| "-".into());
        out.push_str(&format!(
            "\n{:<10} {:<9} {:<8} {:<20} {:<20} {:<16} {}",
            r.id.to_string(),
            r.status.as_str(),
            r.priority.as_str(),
            r.requester.to_string(),
            assignee,
            when(r.created_at),
            crate::core::text::clip(&r.summary, 60)
        ));
    }
    out
}

pub fn show(r: &Request) -> String {
    let mut s = format!("{} · {}\n", r.id, r.summary);
    s.push_str(&format!("  department:     {}\n", r.department));
    s.push_str(&format!("  requester:      {}\n", r.requester));
    s.push_str(&format!("  status:         {}\n", r.status));
    s.push_str(&format!("  priority:       {}\n", r.priority));
    s.push_str(&format!(
        "  assignee:       {}\n",
        r.assignee
            .as_ref()
            .map(|a| a.to_string())
            .unwrap_or_else(|| "-".into())
    ));
    s.push_str(&format!("  created:        {}\n", when(r.created_at)));
    if let Some(t) = r.first_response_at {
        s.push_str(&format!("  first response: {}\n", when(t)));
    }
    if let Some(t) = r.closed_at {
        s.push_str(&format!("  closed:         {}\n", when(t)));
    }
    if !r.answers.is_empty() {
        s.push_str("  answers:\n");
        for a in &r.answers {
            s.push_str(&format!(
                "    {} {}\n",
                a.prompt,
                a.value.as_deref().unwrap_or("-")
            ));
        }
    }
    if let Some(rating) = r.survey.rating {
        s.push_str(&format!("  rating:         {rating}/5\n"));
        if let Some(c) = &r.survey.comment {
            s.push_str(&format!("  comment:        {c}\n"));
        }
    }
    s.push_str("  history:\n");
    for h in &r.history {
        s.push_str(&format!(
            "    {}  {} {}\n",
            when(h.at),
            who(h),
            event_text(&h.event)
        ));
    }
    s.trim_end().to_string()
}

/// One flat row per request, for CSV.
#[derive(Debug, Serialize)]
struct Row<'a> {
    id: String,
    department: &'a str,
    requester: String,
    summary: &'a str,
    priority: &'a str,
    status: &'a str,
    assignee: String,
    created_at: String,
    first_response_at: String,
    closed_at: String,
    rating: String,
    comment: &'a str,
    answers: String,
}

pub fn export_json(requests: &[Request]) -> String {
    serde_json::to_string_pretty(requests).expect("requests serialise")
}

pub fn export_csv(requests: &[Request]) -> Result<String, csv::Error> {
    let mut w = csv::Writer::from_writer(Vec::new());
    for r in requests {
        w.serialize(Row {
            id: r.id.to_string(),
            department: &r.department,
            requester: r.requester.to_string(),
            summary: &r.summary,
            priority: r.priority.as_str(),
            status: r.status.as_str(),
            assignee: r
                .assignee
                .as_ref()
                .map(|a| a.to_string())
                .unwrap_or_default(),
            created_at: r.created_at.to_rfc3339(),
            first_response_at: r
                .first_response_at
                .map(|t| t.to_rfc3339())
                .unwrap_or_default(),
            closed_at: r.closed_at.map(|t| t.to_rfc3339()).unwrap_or_default(),
            rating: r.survey.rating.map(|n| n.to_string()).unwrap_or_default(),
            comment: r.survey.comment.as_deref().unwrap_or(""),
            answers: r
                .answers
                .iter()
                .map(|a| format!("{}={}", a.field, a.value.as_deref().unwrap_or("")))
                .collect::<Vec<_>>()
                .join("; "),
        })?;
    }
    let bytes = w.into_inner().map_err(|e| e.into_error())?;
    Ok(String::from_utf8(bytes).expect("csv of strings is UTF-8"))
}

/// Figures for one department.
#[derive(Debug, Default, Clone, PartialEq, Serialize)]
pub struct DepartmentStats {
    pub open: usize,
    pub closed: usize,
    pub cancelled: usize,
    pub median_first_response_secs: Option<i64>,
    pub median_resolution_secs: Option<i64>,
    pub average_rating: Option<f64>,
    pub ratings: usize,
    /// Service-level attainment in business time, where the caller gave the levels.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub service_levels: Option<service_levels::ServiceLevelStats>,
}

/// The median of durations in seconds (the mean of the middle two for an even count).
pub(crate) fn median(mut v: Vec<i64>) -> Option<i64> {
    if v.is_empty() {
        return None;
    }
    v.sort_unstable();
    let mid = v.len() / 2;
    Some(if v.len().is_multiple_of(2) {
        (v[mid - 1] + v[mid]) / 2
    } else {
        v[mid]
    })
}

/// Statistics per department, over any iterator of requests (one pass, no big buffers
/// except the durations the medians need).
pub fn stats(requests: impl IntoIterator<Item = Request>) -> BTreeMap<String, DepartmentStats> {
    #[derive(Default)]
    struct Acc {
        s: DepartmentStats,
        first: Vec<i64>,
        resolution: Vec<i64>,
        rating_sum: u64,
    }
    let mut acc: BTreeMap<String, Acc> = BTreeMap::new();
    for r in requests {
        let a = acc.entry(r.department.clone()).or_default();
        match r.status {
            Status::Open | Status::Claimed | Status::Waiting => a.s.open += 1,
            Status::Closed => a.s.closed += 1,
            Status::Cancelled => a.s.cancelled += 1,
        }
        if let Some(t) = r.first_response_at {
            a.first.push((t - r.created_at).num_seconds());
        }
        if let (Status::Closed, Some(t)) = (r.status, r.closed_at) {
            a.resolution.push((t - r.created_at).num_seconds());
        }
        if let Some(n) = r.survey.rating {
            a.rating_sum += u64::from(n);
            a.s.ratings += 1;
        }
    }
    acc.into_iter()
        .map(|(dept, mut a)| {
            a.s.median_first_response_secs = median(a.first);
            a.s.median_resolution_secs = median(a.resolution);
            a.s.average_rating =
                (a.s.ratings > 0).then(|| a.rating_sum as f64 / a.s.ratings as f64);
            (dept, a.s)
        })
        .collect()
}

/// [`stats`] with service-level attainment (see [`service_levels`]), in the same one pass.
pub fn stats_with_levels(
    requests: impl IntoIterator<Item = Request>,
    levels: &[service_levels::DepartmentLevels],
    now: Timestamp,
) -> BTreeMap<String, DepartmentStats> {
    let mut tally = service_levels::Tally::new(levels, now);
    let mut all = stats(requests.into_iter().inspect(|r| tally.add(r)));
    for (department, attainment) in tally.finish() {
        if let Some(s) = all.get_mut(&department) {
            s.service_levels = Some(attainment);
        }
    }
    all
}

pub fn stats_table(stats: &BTreeMap<String, DepartmentStats>) -> String {
    let dur = |s: Option<i64>| {
        s.map(|s| crate::core::text::duration(chrono::Duration::seconds(s)))
            .unwrap_or_else(|| "-".into())
    };
    let mut out = format!(
        "{:<14} {:>5} {:>7} {:>10} {:>16} {:>16} {:>11} {:>16} {:>16}",
        "DEPARTMENT",
        "OPEN",
        "CLOSED",
        "CANCELLED",
        "MEDIAN 1ST RESP",
        "MEDIAN RESOLVE",
        "AVG RATING",
        "1ST RESP SLA",
        "RESOLVE SLA"
    );
    for (dept, s) in stats {
        let rating = s
            .average_rating
            .map(|r| format!("{r:.2} ({})", s.ratings))
            .unwrap_or_else(|| "-".into());
        let levels = s.service_levels.as_ref();
        let first = levels.map_or("-".to_string(), |l| l.first_response.cell());
        let resolve = levels
            .and_then(|l| l.resolution.as_ref())
            .map_or("-".to_string(), |a| a.cell());
        out.push_str(&format!(
            "\n{:<14} {:>5} {:>7} {:>10} {:>16} {:>16} {:>11} {:>16} {:>16}",
            dept,
            s.open,
            s.closed,
            s.cancelled,
            dur(s.median_first_response_secs),
            dur(s.median_resolution_secs),
            rating,
            first,
            resolve
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> Timestamp {
        chrono::DateTime::parse_from_rfc3339(s)
            .unwrap()
            .with_timezone(&Utc)
    }

    fn day(s: &str) -> Option<NaiveDate> {
        Some(NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap())
    }

    #[test]
    fn a_period_includes_the_whole_since_and_until_days_and_nothing_outside() {
        let p = Period {
            since: day("2026-03-02"),
            until: day("2026-03-04"),
        };
        assert!(!p.contains(at("2026-03-01T23:59:59Z")));
        assert!(p.contains(at("2026-03-02T00:00:00Z")));
        assert!(p.contains(at("2026-03-04T23:59:59Z")));
        assert!(!p.contains(at("2026-03-05T00:00:00Z")));
        let one_day = Period {
            since: day("2026-03-02"),
            until: day("2026-03-02"),
        };
        assert!(one_day.contains(at("2026-03-02T12:00:00Z")));
        assert!(!one_day.contains(at("2026-03-03T00:00:00Z")));
    }

    #[test]
    fn a_period_with_an_open_end_reaches_as_far_as_it_goes() {
        let from = Period {
            since: day("2026-03-02"),
            until: None,
        };
        assert!(from.contains(at("2099-01-01T00:00:00Z")));
        assert!(!from.contains(at("2026-03-01T23:59:59Z")));
        let to = Period {
            since: None,
            until: day("2026-03-02"),
        };
        assert!(to.contains(at("1999-01-01T00:00:00Z")));
        assert!(!to.contains(at("2026-03-03T00:00:00Z")));
        assert!(Period::default().is_unbounded());
        assert!(Period::default().contains(at("2026-03-03T00:00:00Z")));
    }

    #[test]
    fn the_median_of_an_even_count_is_the_mean_of_the_middle_two() {
        assert_eq!(median(vec![]), None);
        assert_eq!(median(vec![300]), Some(300));
        assert_eq!(median(vec![900, 60, 300]), Some(300));
        assert_eq!(median(vec![600, 60, 300, 1200]), Some(450));
    }
}
