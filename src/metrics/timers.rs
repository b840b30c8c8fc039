//! Timers as the store holds them at scrape time: how many are due now by kind, and how many
//! wait. The timers fired are the scheduler's count.

use super::scrape::Scrape;
use crate::core::TimerKind;
use crate::instrument::{count, gauge, gauges};
use prometheus_client::encoding::DescriptorEncoder;
use std::collections::BTreeMap;

/// At most this many due timers are read per scrape to count them by kind.
const DUE_TIMERS_SCAN_LIMIT: usize = 10_000;

/// Writes the families; notes a failed store read in `scrape`.
pub(super) fn write(scrape: &Scrape<'_>, encoder: &mut DescriptorEncoder) -> std::fmt::Result {
    let store = scrape.engine.store();
    let mut due: BTreeMap<&'static str, u64> =
        TimerKind::NAMES.into_iter().map(|k| (k, 0)).collect();
    match store.due_timers(scrape.engine.now(), DUE_TIMERS_SCAN_LIMIT) {
        Ok(timers) => {
            for (_, t) in timers {
                *due.entry(t.kind.name()).or_default() += 1;
            }
        }
        Err(e) => {
            scrape.store_failed();
            tracing::warn!(error = %crate::telemetry::chain(&e), "metrics: reading due timers failed");
        }
    }
    gauges(
        encoder,
        "frontdesk_reminders_due",
        "Timers (reminders, escalations, expiries, digests and the like) due now and not fired yet, by kind.",
        due.iter()
            .map(|(kind, n)| (vec![("kind", kind.to_string())], count(*n))),
    )?;
    gauge(
        encoder,
        "frontdesk_reminders_pending",
        "Timers scheduled for the future or due now.",
        count(store.timer_count()),
    )
}
