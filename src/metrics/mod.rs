//! Prometheus metrics: the one `prometheus-client` registry `GET /metrics` encodes, built
//! when the server starts ([`Metrics::new`]), and the few figures kept only for monitoring
//! (HTTP latency, configuration reloads, backups).
//!
//! Each counter is a `prometheus-client` metric owned by the module that counts it, which
//! also hands the registry a collector that writes it: the engine
//! ([`crate::engine::EngineCollector`]: writes and requests by department), the outbox
//! ([`crate::outbox::OutboxCollector`]), the scheduler, Slack's status, and this module's
//! [`ops`] and [`http`]. Figures that live elsewhere are read at scrape time by
//! [`scrape::ScrapeCollector`]: the workers' liveness, the configuration in force, and the
//! store through its indexes only ([`desk`], [`delivery`], [`timers`]). Counters start at
//! zero when the process starts, as Prometheus expects (`rate()` and `increase()` handle the
//! reset).
//!
//! A new family is a few lines: a metric in the module that counts it, written by that
//! module's collector with [`crate::instrument::describe`]; or, for a figure read at scrape
//! time, a section like [`timers`] called from the scrape collector (or a collector of its
//! own registered in [`Metrics::new`]).
//!
//! The answer is OpenMetrics when the scraper asks for it, else the text format 0.0.4
//! ([`format`]); both come from the same registry.

mod delivery;
mod desk;
mod format;
mod http;
mod ops;
mod scrape;
mod service_levels;
mod timers;

pub use format::Format;
pub use http::method_label;
pub use scrape::Workers;

use crate::config::SharedConfig;
use crate::engine::{Engine, EngineCollector};
use crate::outbox::{OutboxCollector, OutboxWorker};
use crate::scheduler::{Scheduler, SchedulerCollector};
use crate::slack::status::{SlackCollector, SlackStatus};
use http::HttpLatency;
use ops::Ops;
use prometheus_client::registry::Registry;
use std::sync::Arc;
use std::time::Duration;

/// What the registry reads from: the parts of the running server.
pub struct Sources {
    pub engine: Engine,
    pub config: SharedConfig,
    pub outbox: OutboxWorker,
    pub scheduler: Scheduler,
    pub workers: Workers,
    /// Slack's signals and Socket Mode connections, when Slack is on.
    pub slack: Option<Arc<SlackStatus>>,
}

/// The registry, and what the server counts for monitoring alone. One per process, shared by
/// the HTTP layer, the reload handler and the backup endpoint.
pub struct Metrics {
    registry: Registry,
    ops: Arc<Ops>,
    http: Arc<HttpLatency>,
}

impl std::fmt::Debug for Metrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Metrics").finish_non_exhaustive()
    }
}

impl Metrics {
    /// Builds the registry: every family `/metrics` shows, in the order it shows them.
    pub fn new(sources: Sources) -> Metrics {
        let ops = Arc::new(Ops::default());
        let http = Arc::new(HttpLatency::default());
        let mut registry = Registry::default();
        registry.register_collector(Box::new(ops.clone()));
        // Before the scrape-time figures: it settles which departments have series, which
        // the open requests then follow.
        registry.register_collector(Box::new(EngineCollector(sources.engine.clone())));
        registry.register_collector(Box::new(service_levels::ServiceLevelCollector {
            engine: sources.engine.clone(),
            config: sources.config.clone(),
        }));
        registry.register_collector(Box::new(scrape::ScrapeCollector {
            engine: sources.engine,
            config: sources.config,
            workers: sources.workers,
        }));
        registry.register_collector(Box::new(OutboxCollector(sources.outbox)));
        registry.register_collector(Box::new(SchedulerCollector(
            sources.scheduler.stats.clone(),
        )));
        if let Some(slack) = sources.slack {
            registry.register_collector(Box::new(SlackCollector(slack)));
        }
        registry.register_collector(Box::new(http.clone()));
        Metrics {
            registry,
            ops,
            http,
        }
    }

    /// Records one HTTP request. `endpoint` is the route's pattern (`/slack/events`), never
    /// the raw path, so the number of series stays bounded.
    pub fn observe_http(&self, endpoint: &str, method: &'static str, status: u16, took: Duration) {
        self.http.observe(endpoint, method, status, took);
    }

    pub fn reload_succeeded(&self) {
        self.ops.reload_succeeded();
    }

    pub fn reload_failed(&self) {
        self.ops.reload_failed();
    }

    pub fn backup_finished(&self, ok: bool) {
        self.ops.backup_finished(ok);
    }

    /// Everything /metrics shows, in `format`. Reads the store (through its indexes), so call
    /// it off the async runtime's worker threads.
    ///
    /// # Errors
    /// Only the writer's, which doesn't fail for a `String`.
    pub fn encode(&self, format: Format) -> Result<String, std::fmt::Error> {
        let mut out = String::new();
        match format {
            Format::Text => {
                prometheus_client::encoding::prometheus_text::encode(&mut out, &self.registry)?
            }
            Format::OpenMetrics => {
                prometheus_client::encoding::text::encode(&mut out, &self.registry)?
            }
        }
        Ok(out)
    }
}
