//! Delivery and the writer: the outbox's depth, dead letters, deliveries and failures by
//! method, what is in flight, paused or deferred, and the writer's group commit.

use super::exposition::Exposition;
use super::Sources;
use std::sync::atomic::Ordering;

/// The single writer's jobs, flushes and backlog.
pub(super) fn render_writer(out: &mut Exposition, state: &Sources<'_>) {
    let engine_stats = state.engine.stats();
    out.family(
        "frontdesk_store_writes_total",
        "Jobs (steps, delivery records) the single writer applied to the store.",
        "counter",
    );
    out.sample(
        "frontdesk_store_writes_total",
        &[],
        engine_stats.jobs.load(Ordering::Relaxed),
    );
    out.family(
        "frontdesk_store_flushes_total",
        "Flushes to disk, each making a batch of writes durable (group commit).",
        "counter",
    );
    out.sample(
        "frontdesk_store_flushes_total",
        &[],
        engine_stats.flushes.load(Ordering::Relaxed),
    );
    out.family(
        "frontdesk_store_writes_queued",
        "Writes waiting for the single writer.",
        "gauge",
    );
    out.sample(
        "frontdesk_store_writes_queued",
        &[],
        engine_stats.queued.load(Ordering::Relaxed),
    );
}

/// The outbox and its worker.
pub(super) fn render(out: &mut Exposition, state: &Sources<'_>) {
    let store = state.engine.store();
    out.family(
        "frontdesk_outbox_depth",
        "Messages waiting to be delivered (including ones waiting for a retry).",
        "gauge",
    );
    out.sample("frontdesk_outbox_depth", &[], store.outbox_len());
    out.family(
        "frontdesk_outbox_dead_letters",
        "Messages given up on; list them with `frontdesk outbox list`.",
        "gauge",
    );
    out.sample(
        "frontdesk_outbox_dead_letters",
        &[],
        store.dead_letter_len(),
    );
    let by_method = state
        .outbox
        .stats
        .by_method
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .clone();
    let mut methods: Vec<(&String, &String)> = by_method.keys().map(|(p, k, _)| (p, k)).collect();
    methods.sort();
    methods.dedup();
    for (name, outcome, help) in [
        (
            "frontdesk_deliveries_total",
            "ok",
            "Messages delivered, by platform and method.",
        ),
        (
            "frontdesk_delivery_failures_total",
            "error",
            "Failed delivery attempts (each retry counts), by platform and method.",
        ),
    ] {
        out.family(name, help, "counter");
        for (platform, method) in &methods {
            let n = by_method
                .get(&((*platform).clone(), (*method).clone(), outcome.to_string()))
                .copied()
                .unwrap_or(0);
            out.sample(name, &[("platform", platform), ("method", method)], n);
        }
    }
    out.family(
        "frontdesk_dead_lettered_total",
        "Messages moved to the dead letters since the process started.",
        "counter",
    );
    out.sample(
        "frontdesk_dead_lettered_total",
        &[],
        state.outbox.stats.dead.load(Ordering::Relaxed),
    );
    out.family(
        "frontdesk_outbox_in_flight",
        "Deliveries started and not finished.",
        "gauge",
    );
    out.sample(
        "frontdesk_outbox_in_flight",
        &[],
        state.outbox.stats.in_flight.load(Ordering::Relaxed),
    );
    let (limit, ceiling) = state.outbox.concurrency();
    out.family(
        "frontdesk_outbox_concurrency",
        "How many deliveries may be in flight now: it grows while calls succeed quickly and halves on 429s, timeouts and 5xx.",
        "gauge",
    );
    out.sample("frontdesk_outbox_concurrency", &[], limit);
    out.family(
        "frontdesk_outbox_concurrency_ceiling",
        "The most deliveries that may ever be in flight (outbox.concurrency).",
        "gauge",
    );
    out.sample("frontdesk_outbox_concurrency_ceiling", &[], ceiling);
    out.family(
        "frontdesk_outbox_paused",
        "Methods (Slack) or conversations (Teams) the platform paused with a 429, now.",
        "gauge",
    );
    for (platform, paused) in state.outbox.paused() {
        out.sample(
            "frontdesk_outbox_paused",
            &[("platform", &platform.to_string())],
            paused,
        );
    }
    let deferred = state
        .outbox
        .stats
        .deferred
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .clone();
    let mut deferred: Vec<_> = deferred.into_iter().collect();
    deferred.sort();
    out.family(
        "frontdesk_outbox_deferred_total",
        "Deliveries put off without failing: paced to a destination's documented rate, or held while the platform paused their method or conversation.",
        "counter",
    );
    for ((platform, reason), n) in deferred {
        out.sample(
            "frontdesk_outbox_deferred_total",
            &[("platform", &platform), ("reason", reason)],
            n,
        );
    }
}
