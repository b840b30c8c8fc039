//! How a module shows what it counts on `/metrics`: its counters, gauges and histograms are
//! `prometheus-client` metrics it owns, and it hands the registry a
//! [`Collector`](prometheus_client::collector::Collector) that writes them with [`describe`], or
//! writes figures it reads at scrape time with [`gauge`] and [`gauges`].
//!
//! A leaf: it depends on `prometheus-client` alone, so the modules that count (engine, outbox,
//! scheduler, Slack, …) need not depend on `metrics`, which depends on them to build the
//! registry.
//!
//! Why collectors and not `Registry::register`: the registry leaves out a family that has no
//! series yet (no delivery made, no envelope received), and `/metrics` has always shown every
//! family's HELP and TYPE from the first scrape on. A collector writes them regardless, and
//! in the order it was registered.

use prometheus_client::encoding::{DescriptorEncoder, EncodeMetric};
use prometheus_client::metrics::gauge::ConstGauge;
use prometheus_client::metrics::MetricType;

/// A series' labels: name and value, in the order they are written.
pub type Labels = Vec<(&'static str, String)>;

/// Writes one metric with its HELP and TYPE lines. A counter is named without `_total`: the
/// encoder adds it to the samples (and, in the text format 0.0.4, to the family).
///
/// # Errors
/// Only the writer's (writing to a `String` doesn't fail).
pub fn describe(
    encoder: &mut DescriptorEncoder,
    name: &str,
    help: &str,
    metric: &impl EncodeMetric,
) -> Result<(), std::fmt::Error> {
    let e = encoder.encode_descriptor(name, help, None, metric.metric_type())?;
    metric.encode(e)
}

/// Writes a gauge without labels whose value was read just now.
///
/// # Errors
/// Only the writer's.
pub fn gauge(
    encoder: &mut DescriptorEncoder,
    name: &str,
    help: &str,
    value: i64,
) -> Result<(), std::fmt::Error> {
    describe(encoder, name, help, &ConstGauge::new(value))
}

/// Writes a family of gauges whose values were read just now, one series per entry.
///
/// # Errors
/// Only the writer's.
pub fn gauges(
    encoder: &mut DescriptorEncoder,
    name: &str,
    help: &str,
    series: impl IntoIterator<Item = (Labels, i64)>,
) -> Result<(), std::fmt::Error> {
    let mut family = encoder.encode_descriptor(name, help, None, MetricType::Gauge)?;
    for (labels, value) in series {
        ConstGauge::new(value).encode(family.encode_family(&labels)?)?;
    }
    Ok(())
}

/// A count read from the store as a gauge value (the store counts in `usize`/`u64`).
pub fn count(n: impl TryInto<i64>) -> i64 {
    n.try_into().unwrap_or(i64::MAX)
}
