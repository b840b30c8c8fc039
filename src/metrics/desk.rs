//! The desk's figures read from the store at scrape time: the requests open now (from the
//! store's status index, never by walking every request) and the drafts in progress. The
//! requests' counters are the engine's ([`crate::engine::EngineStats`]).

use super::scrape::Scrape;
use crate::core::Status;
use crate::instrument::{count, gauge, gauges};
use prometheus_client::encoding::DescriptorEncoder;
use std::collections::{BTreeSet, HashMap};

/// The statuses of requests not yet finished, each a series of `frontdesk_open_requests`.
const ACTIVE: [Status; 3] = [Status::Open, Status::Claimed, Status::Waiting];

/// Writes the families; notes a failed store read in `scrape`.
pub(super) fn write(scrape: &Scrape<'_>, encoder: &mut DescriptorEncoder) -> std::fmt::Result {
    let store = scrape.engine.store();
    let mut open: HashMap<(String, Status), u64> = HashMap::new();
    for status in ACTIVE {
        match store.count_by_department(status) {
            Ok(counts) => {
                for (department, n) in counts {
                    open.insert((department, status), n);
                }
            }
            Err(e) => {
                scrape.store_failed();
                tracing::warn!(error = %crate::telemetry::chain(&e), "metrics: reading open requests failed");
            }
        }
    }
    // The configured departments, those counted since the start (a removed one keeps its
    // series while it has figures) and those with open requests.
    let mut departments: BTreeSet<String> = scrape
        .config
        .departments
        .iter()
        .map(|d| d.id.clone())
        .collect();
    departments.extend(scrape.engine.stats().desk.departments());
    departments.extend(open.keys().map(|(d, _)| d.clone()));
    gauges(
        encoder,
        "frontdesk_open_requests",
        "Requests waiting for an agent (open), being worked on (claimed) or waiting on their requester (waiting), by department.",
        departments.iter().flat_map(|d| {
            let open = &open;
            ACTIVE.map(|status| {
                (
                    vec![
                        ("department", d.clone()),
                        ("status", status.as_str().to_string()),
                    ],
                    count(open.get(&(d.clone(), status)).copied().unwrap_or(0)),
                )
            })
        }),
    )?;
    gauge(
        encoder,
        "frontdesk_active_drafts",
        "Users in the middle of a conversation with the bot (an intake draft or an unanswered question).",
        count(store.active_drafts()),
    )
}
