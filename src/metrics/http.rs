//! HTTP request latency: the histogram per route, method and status, and its rendering.

use super::exposition::{format_float, Exposition};
use std::collections::BTreeMap;

/// Upper bounds (seconds) of the HTTP latency buckets. Slack wants an answer within 3 s, so
/// the buckets are fine below that and coarse above.
pub const HTTP_BUCKETS: [f64; 13] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(super) struct HttpKey {
    pub(super) endpoint: String,
    pub(super) method: &'static str,
    pub(super) status: u16,
}

#[derive(Debug, Clone, Default)]
pub(super) struct Histogram {
    /// Observations per bucket (not cumulative); the last slot is "above every bound".
    pub(super) buckets: [u64; HTTP_BUCKETS.len() + 1],
    pub(super) count: u64,
    pub(super) sum: f64,
}

impl Histogram {
    pub(super) fn observe(&mut self, seconds: f64) {
        let slot = HTTP_BUCKETS
            .iter()
            .position(|bound| seconds <= *bound)
            .unwrap_or(HTTP_BUCKETS.len());
        self.buckets[slot] += 1;
        self.count += 1;
        self.sum += seconds;
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

/// Writes the latency histogram family.
pub(super) fn render(out: &mut Exposition, http: &BTreeMap<HttpKey, Histogram>) {
    let name = "frontdesk_http_request_duration_seconds";
    out.family(
        name,
        "Time to answer HTTP requests (until the response head), by route, method and status.",
        "histogram",
    );
    for (key, h) in http {
        let status = key.status.to_string();
        let labels = [
            ("endpoint", key.endpoint.as_str()),
            ("method", key.method),
            ("status", status.as_str()),
        ];
        let mut cumulative = 0;
        for (i, bound) in HTTP_BUCKETS.iter().enumerate() {
            cumulative += h.buckets[i];
            out.sample_with_le(name, &labels, &format_float(*bound), cumulative);
        }
        out.sample_with_le(name, &labels, "+Inf", h.count);
        out.sample_named(&format!("{name}_sum"), &labels, &format_float(h.sum));
        out.sample_named(&format!("{name}_count"), &labels, &h.count.to_string());
    }
}
