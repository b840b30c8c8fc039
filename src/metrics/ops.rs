//! Running the server: its version and start, configuration reloads (SIGHUP) and backups.

use crate::instrument::{describe, gauge, gauges, Labels};
use prometheus_client::collector::Collector;
use prometheus_client::encoding::DescriptorEncoder;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;

#[derive(Debug)]
pub(super) struct Ops {
    /// By result: success or failure.
    reloads: Family<Labels, Counter>,
    /// Unix seconds of the last successful (re)load; the start counts as the first load.
    last_reload_ok: Gauge,
    /// By result: success or failure.
    backups: Family<Labels, Counter>,
    started_at: i64,
}

fn result(ok: bool) -> Labels {
    vec![("result", if ok { "success" } else { "failure" }.to_string())]
}

impl Default for Ops {
    fn default() -> Self {
        let now = chrono::Utc::now().timestamp();
        let ops = Ops {
            reloads: Family::default(),
            last_reload_ok: Gauge::default(),
            backups: Family::default(),
            started_at: now,
        };
        ops.last_reload_ok.set(now);
        for ok in [true, false] {
            ops.reloads.get_or_create_owned(&result(ok));
            ops.backups.get_or_create_owned(&result(ok));
        }
        ops
    }
}

impl Ops {
    pub(super) fn reload_succeeded(&self) {
        self.reloads.get_or_create(&result(true)).inc();
        self.last_reload_ok.set(chrono::Utc::now().timestamp());
    }

    pub(super) fn reload_failed(&self) {
        self.reloads.get_or_create(&result(false)).inc();
    }

    pub(super) fn backup_finished(&self, ok: bool) {
        self.backups.get_or_create(&result(ok)).inc();
    }
}

impl Collector for Ops {
    fn encode(&self, mut encoder: DescriptorEncoder) -> Result<(), std::fmt::Error> {
        gauges(
            &mut encoder,
            "frontdesk_build_info",
            "The running frontdesk version; always 1.",
            [(vec![("version", env!("CARGO_PKG_VERSION").to_string())], 1)],
        )?;
        gauge(
            &mut encoder,
            "frontdesk_start_time_seconds",
            "When the process started, in Unix seconds.",
            self.started_at,
        )?;
        describe(
            &mut encoder,
            "frontdesk_config_reloads",
            "Configuration reloads (SIGHUP) by result; a failed reload keeps the old configuration.",
            &self.reloads,
        )?;
        describe(
            &mut encoder,
            "frontdesk_config_last_reload_success_timestamp_seconds",
            "When the configuration in force was loaded, in Unix seconds.",
            &self.last_reload_ok,
        )?;
        describe(
            &mut encoder,
            "frontdesk_backups",
            "Backups served through POST /admin/backup, by result.",
            &self.backups,
        )
    }
}
