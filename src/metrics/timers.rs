//! Timers: how many are due now by kind, how many wait, and how many fired.

use super::exposition::Exposition;
use super::Sources;
use std::collections::BTreeMap;

/// At most this many due timers are read per scrape to count them by kind.
const DUE_TIMERS_SCAN_LIMIT: usize = 10_000;

/// Writes the timer families; false when a store read failed.
pub(super) fn render(out: &mut Exposition, state: &Sources<'_>) -> bool {
    let store = state.engine.store();
    let mut store_ok = true;
    let mut due: BTreeMap<&'static str, u64> =
        ["first_response", "survey_reminder", "draft_expiry"]
            .into_iter()
            .map(|k| (k, 0))
            .collect();
    match store.due_timers(state.engine.now(), DUE_TIMERS_SCAN_LIMIT) {
        Ok(timers) => {
            for (_, t) in timers {
                *due.entry(t.kind.name()).or_default() += 1;
            }
        }
        Err(e) => {
            store_ok = false;
            tracing::warn!(error = %crate::telemetry::chain(&e), "metrics: reading due timers failed");
        }
    }
    out.family(
        "frontdesk_reminders_due",
        "Timers (first-response reminders, survey reminders, draft expiries) due now and not fired yet, by kind.",
        "gauge",
    );
    for (kind, n) in &due {
        out.sample("frontdesk_reminders_due", &[("kind", kind)], *n);
    }
    out.family(
        "frontdesk_reminders_pending",
        "Timers scheduled for the future or due now.",
        "gauge",
    );
    out.sample("frontdesk_reminders_pending", &[], store.timer_count());
    let fired = state
        .scheduler
        .stats
        .fired_by_kind
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .clone();
    let mut fired: BTreeMap<&'static str, u64> = fired.into_iter().collect();
    for kind in due.keys() {
        fired.entry(kind).or_default();
    }
    out.family(
        "frontdesk_reminders_fired_total",
        "Timers fired since the process started, by kind.",
        "counter",
    );
    for (kind, n) in &fired {
        out.sample("frontdesk_reminders_fired_total", &[("kind", kind)], *n);
    }
    store_ok
}
