//! What each page shows, read from the store: plain structs the templates print.
//!
//! The overview reads no request it doesn't list: open counts, the overdue ones and what
//! they have waited come from the store's index of active requests
//! ([`DeskStore::active_requests`]: ids, states and times, no words), the weekly figures
//! from the figures the store keeps per department and week ([`DeskStore::weekly_figures`]),
//! a few reads however many requests those weeks hold. Only the rows a queue lists (at most
//! [`MAX_ROWS`]) have their request read, for its summary, and none of a confidential
//! department. The department page's distribution comes from the same figures; its
//! comments and busiest answers and keywords are what people wrote, so they are read from
//! the window's requests (not at all for a confidential department).

use super::charts::{self, Labels};
use super::data::{self, Targets};
use crate::config::{Config, DepartmentConfig};
use crate::core::{Event, Request, Timestamp};
use crate::report::weekly::monday_of;
use crate::store::{ActiveRequest, DeskStore, StoreError};

/// Words in the reader's language, by catalog id.
pub trait Say {
    fn say(&self, id: &str) -> String;
}

/// The targets a department's attainment is measured against.
pub fn targets(d: &DepartmentConfig) -> Targets {
    Targets {
        first_response: i64::try_from(d.first_response_sla.as_secs()).unwrap_or(i64::MAX),
        resolution: resolution_target(d),
    }
}

/// The department's resolution target (`resolution_sla`), in seconds.
fn resolution_target(d: &DepartmentConfig) -> Option<i64> {
    d.resolution_sla
        .map(|t| i64::try_from(t.as_secs()).unwrap_or(i64::MAX))
}

fn when(t: Timestamp) -> String {
    t.format("%Y-%m-%d %H:%M UTC").to_string()
}

/// One row of a queue.
#[derive(Debug, Clone)]
pub struct QueueRow {
    pub id: String,
    pub summary: String,
    pub age: String,
    pub assignee: String,
    pub status: String,
    pub overdue: bool,
}

/// The most rows a queue shows; the figures above it count them all.
pub const MAX_ROWS: usize = 100;

/// The rows of a queue, at most [`MAX_ROWS`]: only these have their request read, for the
/// summary, and not in a confidential department.
fn queue_rows(
    store: &dyn DeskStore,
    rows: Vec<(ActiveRequest, bool)>,
    now: Timestamp,
    words: &dyn Say,
    keep: impl Fn(bool) -> bool,
    confidential: &dyn Fn(&str) -> bool,
) -> Result<Vec<QueueRow>, StoreError> {
    rows.into_iter()
        .filter(|(_, overdue)| keep(*overdue))
        .take(MAX_ROWS)
        .map(|(r, overdue)| {
            // A confidential department's requests show counts and states, never words.
            let summary = if confidential(&r.department) {
                String::new()
            } else {
                store.request(&r.id)?.map(|r| r.summary).unwrap_or_default()
            };
            Ok(QueueRow {
                id: r.id.to_string(),
                summary,
                age: data::short_duration((now - r.created_at).num_seconds()),
                assignee: r
                    .assignee
                    .as_ref()
                    .map(|a| a.to_string())
                    .unwrap_or_else(|| words.say("dashboard-unassigned")),
                status: words.say(&format!("status-title-{}", r.status.as_str())),
                overdue,
            })
        })
        .collect()
}

/// One department on the overview.
#[derive(Debug, Clone)]
pub struct DepartmentCard {
    pub id: String,
    pub name: String,
    pub open: u64,
    pub overdue: usize,
    pub first_response: String,
    pub resolution: String,
    pub rating: String,
    pub volume: usize,
    pub attainment_chart: String,
    pub volume_chart: String,
}

pub struct Overview {
    pub departments: Vec<DepartmentCard>,
    pub overdue: Vec<QueueRow>,
    /// More are overdue than [`MAX_ROWS`].
    pub overdue_truncated: bool,
}

pub fn overview(
    store: &dyn DeskStore,
    config: &Config,
    now: Timestamp,
    words: &dyn Say,
) -> Result<Overview, StoreError> {
    // Open counts every active request (waiting on the requester too); the queues and
    // attainment only those the desk owes an answer (open and claimed).
    let mut active_by_department: std::collections::HashMap<String, Vec<ActiveRequest>> =
        std::collections::HashMap::new();
    for r in store.active_requests()? {
        active_by_department
            .entry(r.department.clone())
            .or_default()
            .push(r);
    }
    let since = data::window_start(now);
    let no_figure = words.say("dashboard-no-figure");
    let mut departments = Vec::new();
    let mut overdue_rows = Vec::new();
    for d in &config.departments {
        let t = targets(d);
        let mine = active_by_department.remove(&d.id).unwrap_or_default();
        let open = mine.len() as u64;
        // The weeks: the store's figures, and what the waiting requests have waited.
        let mut tally = data::WeekTally::new(t, now);
        let first_monday = monday_of(since.date_naive());
        let this_monday = monday_of(now.date_naive());
        for (monday, figures) in store.weekly_figures(&d.id, first_monday, this_monday)? {
            tally.add_figures(monday, &figures);
        }
        for r in &mine {
            tally.add_waiting(r);
        }
        let weeks = tally.finish();
        let queue = data::queue(mine, t, now);
        let overdue = queue.iter().filter(|(_, o)| *o).count();
        overdue_rows.extend(queue.into_iter().filter(|(_, o)| *o));
        let this = weeks.last().cloned();
        let pct = |v: Option<f64>| v.map(data::percent).unwrap_or_else(|| no_figure.clone());
        let first_label = words.say("dashboard-first-response");
        let resolution_label = words.say("dashboard-resolution");
        let attainment_name = format!("{} · {}", d.name, words.say("dashboard-attainment-chart"));
        let volume_label = words.say("dashboard-volume");
        let rating_label = words.say("dashboard-average-rating");
        let volume_name = format!("{} · {}", d.name, words.say("dashboard-volume-chart"));
        departments.push(DepartmentCard {
            id: d.id.clone(),
            name: d.name.clone(),
            open,
            overdue,
            first_response: pct(this.as_ref().and_then(|w| w.first_response)),
            resolution: if t.resolution.is_some() {
                pct(this.as_ref().and_then(|w| w.resolution))
            } else {
                words.say("dashboard-no-target")
            },
            rating: this
                .as_ref()
                .and_then(|w| w.average_rating)
                .map(|r| format!("{r:.1}/5"))
                .unwrap_or_else(|| no_figure.clone()),
            volume: this.as_ref().map(|w| w.filed).unwrap_or(0),
            attainment_chart: charts::attainment(
                &weeks,
                &Labels {
                    name: &attainment_name,
                    first: &first_label,
                    second: &resolution_label,
                },
            ),
            volume_chart: charts::volume_and_rating(
                &weeks,
                &Labels {
                    name: &volume_name,
                    first: &volume_label,
                    second: &rating_label,
                },
            ),
        });
    }
    // Overdue across departments: the longest waiting first.
    overdue_rows.sort_by_key(|(r, _)| r.created_at);
    Ok(Overview {
        departments,
        overdue_truncated: overdue_rows.len() > MAX_ROWS,
        overdue: queue_rows(store, overdue_rows, now, words, |o| o, &|d| {
            config.department(d).is_some_and(|d| d.confidential)
        })?,
    })
}

pub struct DepartmentPage {
    pub id: String,
    pub name: String,
    pub queue: Vec<QueueRow>,
    /// More are waiting than [`MAX_ROWS`].
    pub queue_truncated: bool,
    pub distribution_chart: String,
    pub comments: Vec<data::Comment>,
    pub answers: Vec<(String, String, usize)>,
    pub keywords: Vec<(String, usize)>,
    /// The export form's default period: the window's first day to today.
    pub since: String,
    pub until: String,
}

pub fn department(
    store: &dyn DeskStore,
    d: &DepartmentConfig,
    now: Timestamp,
    words: &dyn Say,
) -> Result<DepartmentPage, StoreError> {
    let t = targets(d);
    let mine: Vec<ActiveRequest> = store
        .active_requests()?
        .into_iter()
        .filter(|r| r.department == d.id)
        .collect();
    let since = data::window_start(now);
    // The distribution: the weeks' figures, which hold every answered and closed request's
    // durations, whatever the number of requests.
    let (mut first, mut resolution) = ([0; 6], [0; 6]);
    let (from, to) = (monday_of(since.date_naive()), monday_of(now.date_naive()));
    for (_, f) in store.weekly_figures(&d.id, from, to)? {
        data::add_to_distribution(&mut first, &f.first_response);
        data::add_to_distribution(&mut resolution, &f.resolution);
    }
    let mut comments = Vec::new();
    let mut answers = data::AnswerCounts::new();
    let mut keywords = std::collections::BTreeMap::new();
    if !d.confidential {
        store.visit_requests_filed_since(&d.prefix, since, &mut |r| {
            if r.department != d.id {
                return;
            }
            data::add_comment(&mut comments, &r, COMMENTS);
            data::count_answers(&mut answers, &r);
            data::count_keywords(&mut keywords, &r, &d.keywords);
        })?;
    }
    let queue = data::queue(mine, t, now);
    let queue_truncated = queue.len() > MAX_ROWS;
    let first_label = words.say("dashboard-first-response");
    let resolution_label = words.say("dashboard-resolution");
    let name = format!("{} · {}", d.name, words.say("dashboard-distribution-chart"));
    Ok(DepartmentPage {
        id: d.id.clone(),
        name: d.name.clone(),
        queue: queue_rows(store, queue, now, words, |_| true, &|_| d.confidential)?,
        queue_truncated,
        distribution_chart: charts::distribution(
            &first,
            &resolution,
            &Labels {
                name: &name,
                first: &first_label,
                second: &resolution_label,
            },
        ),
        comments: data::finish_comments(comments, COMMENTS),
        answers: data::top_answers(answers, 10),
        keywords: data::top_keywords(keywords, 10),
        since: since.format("%Y-%m-%d").to_string(),
        until: now.format("%Y-%m-%d").to_string(),
    })
}

/// Survey comments on a department's page.
const COMMENTS: usize = 10;

/// One line of a request's timeline.
#[derive(Debug, Clone)]
pub struct TimelineEntry {
    pub iso: String,
    pub when: String,
    pub who: String,
    pub what: String,
    pub text: Option<String>,
}

pub struct RequestPage {
    pub id: String,
    pub summary: String,
    pub details: Vec<(String, String)>,
    pub timeline: Vec<TimelineEntry>,
}

fn event_words(e: &Event, words: &dyn Say) -> (String, Option<String>) {
    let (id, text) = match e {
        Event::Created => ("created", None),
        Event::Claimed => ("claimed", None),
        Event::AgentReplied { text } => ("agent-replied", Some(text.clone())),
        Event::RequesterReplied { text } => ("requester-replied", Some(text.clone())),
        Event::Closed => ("closed", None),
        Event::Reopened => ("reopened", None),
        Event::Cancelled => ("cancelled", None),
        Event::Rated { rating } => ("rated", Some(format!("{rating}/5"))),
        Event::Commented { text } => ("commented", Some(text.clone())),
        Event::Reminded { round } => ("reminded", Some(format!("#{round}"))),
        Event::SurveyReminded => ("survey-reminded", None),
        Event::ContentRemoved => ("content-removed", None),
        Event::Assigned { to } => ("assigned", Some(to.to_string())),
        Event::Unassigned => ("unassigned", None),
        Event::WaitingOnRequester { text } => ("waiting", Some(text.clone())),
        Event::Resumed => ("resumed", None),
        Event::NudgedRequester => ("nudged", None),
        Event::ResolutionReminded { round } => ("resolution-reminded", Some(format!("#{round}"))),
        Event::Escalated { step } => ("escalated", Some(format!("#{step}"))),
        Event::Thanked { agent, text } => ("thanked", Some(format!("{agent}: {text}"))),
    };
    (words.say(&format!("dashboard-event-{id}")), text)
}

pub fn request(r: &Request, config: &Config, words: &dyn Say) -> RequestPage {
    let department = config
        .departments
        .iter()
        .find(|d| d.id == r.department)
        .map(|d| d.name.clone())
        .unwrap_or_else(|| r.department.clone());
    // A confidential department's request shows its states and times, never its words or
    // who asked.
    let confidential = config
        .department(&r.department)
        .is_some_and(|d| d.confidential);
    let shown;
    let r = if confidential {
        let mut stripped = r.clone();
        crate::core::remove_content(&mut stripped);
        stripped.requester = crate::core::UserRef::new(r.requester.platform, "—");
        shown = stripped;
        &shown
    } else {
        r
    };
    let mut details = vec![
        (words.say("dashboard-department"), department),
        (
            words.say("dashboard-status"),
            words.say(&format!("status-title-{}", r.status.as_str())),
        ),
        (words.say("dashboard-requester"), r.requester.to_string()),
        (
            words.say("dashboard-assignee"),
            r.assignee
                .as_ref()
                .map(|a| a.to_string())
                .unwrap_or_else(|| words.say("dashboard-unassigned")),
        ),
        (words.say("dashboard-priority"), r.priority.as_str().into()),
        (words.say("dashboard-filed"), when(r.created_at)),
    ];
    if let Some(t) = r.closed_at {
        details.push((words.say("dashboard-closed"), when(t)));
    }
    for a in &r.answers {
        details.push((a.prompt.clone(), a.value.clone().unwrap_or_default()));
    }
    if let Some(n) = r.survey.rating {
        details.push((words.say("dashboard-rating"), format!("{n}/5")));
    }
    if let Some(c) = &r.survey.comment {
        details.push((words.say("dashboard-comment"), c.clone()));
    }
    let timeline = r
        .history
        .iter()
        .map(|h| {
            let (what, text) = event_words(&h.event, words);
            TimelineEntry {
                iso: h.at.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
                when: when(h.at),
                who: h
                    .actor
                    .as_ref()
                    .map(|a| a.to_string())
                    .unwrap_or_else(|| words.say("dashboard-the-desk")),
                what,
                text,
            }
        })
        .collect();
    RequestPage {
        id: r.id.to_string(),
        summary: r.summary.clone(),
        details,
        timeline,
    }
}

/// The CSV of `frontdesk requests export --since --until`, restricted to one department:
/// the same columns and order (by request number).
pub fn export_csv(
    store: &dyn DeskStore,
    d: &DepartmentConfig,
    period: crate::report::Period,
) -> Result<Result<String, csv::Error>, StoreError> {
    let from = period
        .since
        .map(|day| {
            chrono::TimeZone::from_utc_datetime(&chrono::Utc, &day.and_time(chrono::NaiveTime::MIN))
        })
        .unwrap_or(chrono::DateTime::<chrono::Utc>::MIN_UTC);
    let mut requests = store.requests_filed_since(&d.prefix, from)?;
    requests.retain(|r| r.department == d.id && period.contains(r.created_at));
    if d.confidential {
        // Figures and states only: what people wrote stays out of a file anyone signed in
        // to the dashboard can download.
        for r in &mut requests {
            crate::core::remove_content(r);
        }
    }
    Ok(crate::report::export_csv(&requests))
}

#[cfg(test)]
mod tests;
