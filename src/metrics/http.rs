//! HTTP request latency: one histogram per route, method and status, observed by the
//! latency middleware (`crate::http`).

use crate::instrument::{describe, Labels};
use prometheus_client::collector::Collector;
use prometheus_client::encoding::DescriptorEncoder;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::histogram::Histogram;
use std::time::Duration;

/// Upper bounds (seconds) of the HTTP latency buckets. Slack wants an answer within 3 s, so
/// the buckets are fine below that and coarse above.
pub const HTTP_BUCKETS: [f64; 13] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

fn histogram() -> Histogram {
    Histogram::new(HTTP_BUCKETS)
}

/// The latency histograms.
#[derive(Debug)]
pub(super) struct HttpLatency(Family<Labels, Histogram, fn() -> Histogram>);

impl Default for HttpLatency {
    fn default() -> Self {
        HttpLatency(Family::new_with_constructor(histogram))
    }
}

impl HttpLatency {
    pub(super) fn observe(
        &self,
        endpoint: &str,
        method: &'static str,
        status: u16,
        took: Duration,
    ) {
        self.0
            .get_or_create(&vec![
                ("endpoint", endpoint.to_owned()),
                ("method", method.to_owned()),
                ("status", status.to_string()),
            ])
            .observe(took.as_secs_f64());
    }
}

impl Collector for HttpLatency {
    fn encode(&self, mut encoder: DescriptorEncoder) -> Result<(), std::fmt::Error> {
        describe(
            &mut encoder,
            "frontdesk_http_request_duration_seconds",
            "Time to answer HTTP requests (until the response head), by route, method and status.",
            &self.0,
        )
    }
}

/// The HTTP methods that get their own label value; anything else is `other`, so that a
/// client inventing methods can't grow the number of series.
pub fn method_label(method: &axum::http::Method) -> &'static str {
    use axum::http::Method;
    match *method {
        Method::GET => "GET",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::DELETE => "DELETE",
        Method::HEAD => "HEAD",
        Method::OPTIONS => "OPTIONS",
        Method::PATCH => "PATCH",
        _ => "other",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_methods_share_one_label_value() {
        let odd = axum::http::Method::from_bytes(b"BREW").unwrap();
        assert_eq!(method_label(&odd), "other");
        assert_eq!(method_label(&axum::http::Method::POST), "POST");
    }
}
