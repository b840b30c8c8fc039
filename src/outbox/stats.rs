//! What the outbox worker counts for `/metrics`, and how it shows it: deliveries and failed
//! attempts by platform and method, dead letters, deferrals, what is in flight, and the
//! concurrency limit and platform pauses as they are at the scrape.

use super::{Deferral, OutboxWorker};
use crate::core::Platform;
use crate::instrument::{describe, gauge, gauges, Labels};
use prometheus_client::collector::Collector;
use prometheus_client::encoding::DescriptorEncoder;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use std::sync::atomic::{AtomicU64, Ordering};

/// Counters the worker keeps.
#[derive(Debug, Default)]
pub struct OutboxStats {
    pub delivered: AtomicU64,
    pub failed: AtomicU64,
    /// Messages moved to the dead letters.
    pub dead: Counter,
    /// Deliveries started and not finished.
    pub in_flight: Gauge,
    /// Successful deliveries and failed attempts, by platform and method. A method that
    /// appears in one family appears in both, at zero until counted there.
    deliveries: Family<Labels, Counter>,
    failures: Family<Labels, Counter>,
    /// Deliveries put off, by platform and reason (paced or paused).
    deferred: Family<Labels, Counter>,
}

impl OutboxStats {
    pub(super) fn count(&self, platform: Platform, kind: &str, ok: bool) {
        let labels = vec![
            ("platform", platform.to_string()),
            ("method", kind.to_string()),
        ];
        let (this, other) = if ok {
            (&self.deliveries, &self.failures)
        } else {
            (&self.failures, &self.deliveries)
        };
        other.get_or_create_owned(&labels);
        this.get_or_create(&labels).inc();
        Self::add(if ok { &self.delivered } else { &self.failed });
    }

    pub(super) fn count_deferral(&self, platform: Platform, reason: Deferral) {
        self.deferred
            .get_or_create(&vec![
                ("platform", platform.to_string()),
                ("reason", reason.as_str().to_string()),
            ])
            .inc();
    }

    fn add(counter: &AtomicU64) {
        counter.fetch_add(1, Ordering::Relaxed);
    }
}

/// Writes the worker's figures at each scrape.
#[derive(Debug)]
pub struct OutboxCollector(pub OutboxWorker);

impl Collector for OutboxCollector {
    fn encode(&self, mut encoder: DescriptorEncoder) -> Result<(), std::fmt::Error> {
        let stats = &self.0.stats;
        describe(
            &mut encoder,
            "frontdesk_deliveries",
            "Messages delivered, by platform and method.",
            &stats.deliveries,
        )?;
        describe(
            &mut encoder,
            "frontdesk_delivery_failures",
            "Failed delivery attempts (each retry counts), by platform and method.",
            &stats.failures,
        )?;
        describe(
            &mut encoder,
            "frontdesk_dead_lettered",
            "Messages moved to the dead letters since the process started.",
            &stats.dead,
        )?;
        describe(
            &mut encoder,
            "frontdesk_outbox_in_flight",
            "Deliveries started and not finished.",
            &stats.in_flight,
        )?;
        let (limit, ceiling) = self.0.concurrency();
        gauge(
            &mut encoder,
            "frontdesk_outbox_concurrency",
            "How many deliveries may be in flight now: it grows while calls succeed quickly and halves on 429s, timeouts and 5xx.",
            crate::instrument::count(limit),
        )?;
        gauge(
            &mut encoder,
            "frontdesk_outbox_concurrency_ceiling",
            "The most deliveries that may ever be in flight (outbox.concurrency).",
            crate::instrument::count(ceiling),
        )?;
        gauges(
            &mut encoder,
            "frontdesk_outbox_paused",
            "Methods (Slack) or conversations (Teams) the platform paused with a 429, now.",
            self.0.paused().into_iter().map(|(platform, paused)| {
                (
                    vec![("platform", platform.to_string())],
                    crate::instrument::count(paused),
                )
            }),
        )?;
        describe(
            &mut encoder,
            "frontdesk_outbox_deferred",
            "Deliveries put off without failing: paced to a destination's documented rate, or held while the platform paused their method or conversation.",
            &stats.deferred,
        )
    }
}
