//! Service-level attainment per department, for the first response and for resolution, in
//! business time: how many requests met or missed each level since the process started, and
//! the share that met it.
//!
//! A level is counted when it is settled: the first response when it is given, resolution
//! when the request is closed (a reopened request's next close counts again). The figures
//! come from the engine's counters ([`crate::engine::EngineStats::service_levels`]); nothing
//! here reads the store.

use crate::config::{current, SharedConfig};
use crate::core::Level;
use crate::engine::Engine;
use crate::instrument::Labels;
use prometheus_client::collector::Collector;
use prometheus_client::encoding::{DescriptorEncoder, EncodeMetric};
use prometheus_client::metrics::counter::ConstCounter;
use prometheus_client::metrics::gauge::ConstGauge;
use prometheus_client::metrics::MetricType;

/// Writes the service-level families at each scrape.
#[derive(Debug)]
pub(super) struct ServiceLevelCollector {
    pub(super) engine: Engine,
    pub(super) config: SharedConfig,
}

impl Collector for ServiceLevelCollector {
    fn encode(&self, mut encoder: DescriptorEncoder) -> Result<(), std::fmt::Error> {
        let config = current(&self.config);
        let counts = self
            .engine
            .stats()
            .service_levels
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone();
        let mut departments: Vec<String> =
            config.departments.iter().map(|d| d.id.clone()).collect();
        for (d, _) in counts.keys() {
            if !departments.contains(d) {
                departments.push(d.clone());
            }
        }
        departments.sort();
        // Resolution only where a department has that level (or has figures from before a
        // reload).
        let levels_of = |d: &str| -> Vec<Level> {
            let resolution = config
                .department(d)
                .is_some_and(|c| c.resolution_sla.is_some())
                || counts.contains_key(&(d.to_string(), Level::Resolution));
            let mut levels = vec![Level::FirstResponse];
            if resolution {
                levels.push(Level::Resolution);
            }
            levels
        };
        let labels = |d: &str, level: Level| -> Labels {
            vec![
                ("department", d.to_string()),
                ("level", level.as_str().to_string()),
            ]
        };
        for (name, help, missed) in [
            (
                "frontdesk_sla_met",
                "Requests that met a service level (business time) since the process started, by department and level.",
                false,
            ),
            (
                "frontdesk_sla_missed",
                "Requests that missed a service level (business time) since the process started, by department and level.",
                true,
            ),
        ] {
            let mut family = encoder.encode_descriptor(name, help, None, MetricType::Counter)?;
            for d in &departments {
                for level in levels_of(d) {
                    let (m, x) = counts.get(&(d.clone(), level)).copied().unwrap_or((0, 0));
                    let n = if missed { x } else { m };
                    ConstCounter::new(n).encode(family.encode_family(&labels(d, level))?)?;
                }
            }
        }
        let mut family = encoder.encode_descriptor(
            "frontdesk_sla_attainment_ratio",
            "The share of requests settled since the process started that met the service level (0 to 1), by department and level; absent before the first.",
            None,
            MetricType::Gauge,
        )?;
        for d in &departments {
            for level in levels_of(d) {
                let (m, x) = counts.get(&(d.clone(), level)).copied().unwrap_or((0, 0));
                if m + x == 0 {
                    continue;
                }
                let ratio = m as f64 / (m + x) as f64;
                ConstGauge::new(ratio).encode(family.encode_family(&labels(d, level))?)?;
            }
        }
        Ok(())
    }
}
