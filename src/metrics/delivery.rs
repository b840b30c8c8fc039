//! The outbox as the store holds it at scrape time: messages waiting and dead letters. What
//! the worker counts (deliveries, failures, deferrals, concurrency) is the outbox's own
//! ([`crate::outbox::OutboxStats`]).

use super::scrape::Scrape;
use crate::instrument::{count, gauge};
use prometheus_client::encoding::DescriptorEncoder;

pub(super) fn write(scrape: &Scrape<'_>, encoder: &mut DescriptorEncoder) -> std::fmt::Result {
    let store = scrape.engine.store();
    gauge(
        encoder,
        "frontdesk_outbox_depth",
        "Messages waiting to be delivered (including ones waiting for a retry).",
        count(store.outbox_len()),
    )?;
    gauge(
        encoder,
        "frontdesk_outbox_dead_letters",
        "Messages given up on; list them with `frontdesk outbox list`.",
        count(store.dead_letter_len()),
    )
}
