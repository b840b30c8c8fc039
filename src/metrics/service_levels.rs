//! Service-level attainment per department, for the first response and for resolution, in
//! business time: how many requests met or missed each level since the process started, and
//! the share that met it.
//!
//! A level is counted when it is settled: the first response when it is given, resolution
//! when the request is closed (a reopened request's next close counts again). The figures
//! come from the engine's counters ([`crate::engine::EngineStats::service_levels`]); nothing
//! here reads the store. Kept apart so the section moves as one piece.

use super::exposition::{format_float, Exposition};
use super::Sources;
use crate::config::Config;
use crate::core::Level;

/// Writes the service-level families.
pub(super) fn render(out: &mut Exposition, state: &Sources<'_>, config: &Config) {
    let counts = state
        .engine
        .stats()
        .service_levels
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .clone();
    let mut departments: Vec<String> = config.departments.iter().map(|d| d.id.clone()).collect();
    for (d, _) in counts.keys() {
        if !departments.contains(d) {
            departments.push(d.clone());
        }
    }
    departments.sort();
    // Resolution only where a department has that level (or has figures from before a reload).
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
    for (name, help, missed) in [
        (
            "frontdesk_sla_met_total",
            "Requests that met a service level (business time) since the process started, by department and level.",
            false,
        ),
        (
            "frontdesk_sla_missed_total",
            "Requests that missed a service level (business time) since the process started, by department and level.",
            true,
        ),
    ] {
        out.family(name, help, "counter");
        for d in &departments {
            for level in levels_of(d) {
                let (m, x) = counts.get(&(d.clone(), level)).copied().unwrap_or((0, 0));
                let n = if missed { x } else { m };
                out.sample(name, &[("department", d), ("level", level.as_str())], n);
            }
        }
    }
    out.family(
        "frontdesk_sla_attainment_ratio",
        "The share of requests settled since the process started that met the service level (0 to 1), by department and level; absent before the first.",
        "gauge",
    );
    for d in &departments {
        for level in levels_of(d) {
            let (m, x) = counts.get(&(d.clone(), level)).copied().unwrap_or((0, 0));
            if m + x == 0 {
                continue;
            }
            let ratio = m as f64 / (m + x) as f64;
            out.sample_named(
                "frontdesk_sla_attainment_ratio",
                &[("department", d), ("level", level.as_str())],
                &format_float(ratio),
            );
        }
    }
}
