//! The desk's own figures: requests filed and handled per department, the requests open now
//! (read from the store's status index, never by walking every request), ratings and drafts.

use super::exposition::Exposition;
use super::Sources;
use crate::config::Config;
use crate::core::Status;
use std::collections::HashMap;

/// Writes the request families; false when a store read failed.
pub(super) fn render(out: &mut Exposition, state: &Sources<'_>, config: &Config) -> bool {
    let store = state.engine.store();
    let mut departments: Vec<String> = config.departments.iter().map(|d| d.id.clone()).collect();
    let events = state
        .engine
        .stats()
        .events
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .clone();
    let ratings = state
        .engine
        .stats()
        .ratings
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .clone();
    let mut open: HashMap<(String, Status), u64> = HashMap::new();
    let mut store_ok = true;
    for status in [Status::Open, Status::Claimed] {
        match store.count_by_department(status) {
            Ok(counts) => {
                for (department, n) in counts {
                    open.insert((department, status), n);
                }
            }
            Err(e) => {
                store_ok = false;
                tracing::warn!(error = %crate::telemetry::chain(&e), "metrics: reading open requests failed");
            }
        }
    }
    // Departments that were removed from the configuration but still have data keep
    // their series until they have nothing left to report.
    let extra = events
        .keys()
        .map(|(d, _)| d)
        .chain(ratings.keys().map(|(d, _)| d))
        .chain(open.keys().map(|(d, _)| d));
    for d in extra {
        if !departments.contains(d) {
            departments.push(d.clone());
        }
    }
    departments.sort();

    for (kind, help) in [
        (
            "created",
            "Requests filed since the process started, by department.",
        ),
        (
            "claimed",
            "Requests claimed by an agent since the process started, by department.",
        ),
        (
            "closed",
            "Requests closed since the process started, by department.",
        ),
        (
            "reopened",
            "Requests reopened since the process started, by department.",
        ),
        (
            "cancelled",
            "Requests cancelled by their requester since the process started, by department.",
        ),
    ] {
        let name = format!("frontdesk_requests_{kind}_total");
        out.family(&name, help, "counter");
        for d in &departments {
            let n = events.get(&(d.clone(), kind)).copied().unwrap_or(0);
            out.sample(&name, &[("department", d)], n);
        }
    }
    out.family(
        "frontdesk_open_requests",
        "Requests waiting for an agent (open) or being worked on (claimed), by department.",
        "gauge",
    );
    for d in &departments {
        for status in [Status::Open, Status::Claimed] {
            let n = open.get(&(d.clone(), status)).copied().unwrap_or(0);
            out.sample(
                "frontdesk_open_requests",
                &[("department", d), ("status", status.as_str())],
                n,
            );
        }
    }
    out.family(
        "frontdesk_satisfaction_ratings_total",
        "Survey ratings (1 = poor … 5 = great) given since the process started, by department.",
        "counter",
    );
    for d in &departments {
        for rating in 1u8..=5 {
            let n = ratings.get(&(d.clone(), rating)).copied().unwrap_or(0);
            out.sample(
                "frontdesk_satisfaction_ratings_total",
                &[("department", d), ("rating", &rating.to_string())],
                n,
            );
        }
    }
    out.family(
        "frontdesk_active_drafts",
        "Users in the middle of a conversation with the bot (an intake draft or an unanswered question).",
        "gauge",
    );
    out.sample("frontdesk_active_drafts", &[], store.active_drafts());
    store_ok
}
