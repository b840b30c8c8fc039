//! Figures read at scrape time from where they live, not counted: the workers' liveness, the
//! configuration in force, and what the store holds now (through its indexes only). Each
//! area has its section: [`super::desk`], [`super::delivery`] and [`super::timers`]; a new
//! one is a function writing its families, called from [`ScrapeCollector::encode`].

use crate::config::{current, Config, SharedConfig};
use crate::engine::Engine;
use crate::instrument::{gauge, gauges};
use prometheus_client::collector::Collector;
use prometheus_client::encoding::DescriptorEncoder;
use std::cell::Cell;
use std::sync::Arc;

/// Each background worker by name, and whether it runs now.
pub type Workers = Arc<dyn Fn() -> Vec<(&'static str, bool)> + Send + Sync>;

/// What one scrape reads, and whether every store read succeeded.
pub(super) struct Scrape<'a> {
    pub(super) engine: &'a Engine,
    pub(super) config: Arc<Config>,
    store_ok: Cell<bool>,
}

impl Scrape<'_> {
    pub(super) fn store_failed(&self) {
        self.store_ok.set(false);
    }
}

pub(super) struct ScrapeCollector {
    pub(super) engine: Engine,
    pub(super) config: SharedConfig,
    pub(super) workers: Workers,
}

impl std::fmt::Debug for ScrapeCollector {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ScrapeCollector").finish_non_exhaustive()
    }
}

impl Collector for ScrapeCollector {
    fn encode(&self, mut encoder: DescriptorEncoder) -> Result<(), std::fmt::Error> {
        let scrape = Scrape {
            engine: &self.engine,
            config: current(&self.config),
            store_ok: Cell::new(true),
        };
        gauges(
            &mut encoder,
            "frontdesk_worker_up",
            "1 while the background worker runs (0 when workers are off or stopped).",
            (self.workers)()
                .into_iter()
                .map(|(worker, up)| (vec![("worker", worker.to_string())], i64::from(up))),
        )?;
        gauge(
            &mut encoder,
            "frontdesk_departments",
            "Departments in the configuration in force.",
            crate::instrument::count(scrape.config.departments.len()),
        )?;
        super::desk::write(&scrape, &mut encoder)?;
        super::delivery::write(&scrape, &mut encoder)?;
        super::timers::write(&scrape, &mut encoder)?;
        gauge(
            &mut encoder,
            "frontdesk_store_readable",
            "1 when every store read this scrape made succeeded.",
            i64::from(scrape.store_ok.get()),
        )
    }
}
