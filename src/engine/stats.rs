//! What the engine counts for `/metrics`: the single writer's jobs, flushes and backlog, and
//! what steps recorded in requests' histories (requests filed, claimed, closed, … and ratings,
//! per department). The counters are `prometheus-client` metrics; [`EngineCollector`] writes
//! them into the server's registry.

use crate::core::Event;
use crate::engine::Engine;
use crate::instrument::{describe, Labels};
use prometheus_client::collector::Collector;
use prometheus_client::encoding::DescriptorEncoder;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use std::collections::{BTreeSet, HashMap};
use std::sync::Mutex;

/// The writer's counters, and the desk's.
#[derive(Debug, Default)]
pub struct EngineStats {
    /// Jobs the writer ran, and the flushes that made them durable: their ratio is the size
    /// of the average group commit.
    pub jobs: Counter,
    pub flushes: Counter,
    /// Jobs sent to the writer and not yet taken up: its backlog.
    pub queued: Gauge,
    pub desk: DeskCounters,
    /// (department, service level) → (met, missed), as settled since the start.
    pub service_levels: Mutex<HashMap<(String, crate::core::Level), (u64, u64)>>,
}

impl EngineStats {
    pub(crate) fn record_service_levels(&self, settled: &[(String, crate::core::Level, bool)]) {
        if settled.is_empty() {
            return;
        }
        let mut counts = self
            .service_levels
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        for (department, level, met) in settled {
            let (m, x) = counts.entry((department.clone(), *level)).or_default();
            if *met {
                *m += 1;
            } else {
                *x += 1;
            }
        }
    }
}

/// The request events that have a family of their own, with its help text.
const EVENT_FAMILIES: [(&str, &str); 5] = [
    (
        "created",
        "Requests filed since the process started, by department.",
    ),
    (
        "claimed",
        "Requests claimed by an agent since the process started, by department.",
    ),
    (
        "closed",
        "Requests closed since the process started, by department.",
    ),
    (
        "reopened",
        "Requests reopened since the process started, by department.",
    ),
    (
        "cancelled",
        "Requests cancelled by their requester since the process started, by department.",
    ),
];

/// Requests' events and ratings per department since the start.
#[derive(Debug, Default)]
pub struct DeskCounters {
    /// One family per entry of [`EVENT_FAMILIES`], in that order.
    events: [Family<Labels, Counter>; 5],
    ratings: Family<Labels, Counter>,
    /// Departments with series, and those of them something was counted for. Changed under
    /// this lock only, so that dropping a department's series can't lose a count.
    shown: Mutex<Shown>,
}

#[derive(Debug, Default)]
struct Shown {
    all: BTreeSet<String>,
    counted: BTreeSet<String>,
}

impl DeskCounters {
    pub(crate) fn record(&self, events: &[(String, Event)]) {
        if events.is_empty() {
            return;
        }
        let mut shown = self.shown.lock().unwrap_or_else(|e| e.into_inner());
        for (department, event) in events {
            let kind = match event {
                Event::Created => "created",
                Event::Claimed => "claimed",
                Event::Closed => "closed",
                Event::Reopened => "reopened",
                Event::Cancelled => "cancelled",
                Event::Rated { rating } => {
                    self.show(&mut shown, department);
                    self.ratings
                        .get_or_create(&rating_labels(department, *rating))
                        .inc();
                    shown.counted.insert(department.clone());
                    continue;
                }
                _ => continue,
            };
            if let Some(i) = EVENT_FAMILIES.iter().position(|(k, _)| *k == kind) {
                self.show(&mut shown, department);
                self.events[i]
                    .get_or_create(&department_labels(department))
                    .inc();
                shown.counted.insert(department.clone());
            }
        }
    }

    /// Every department with series now: the configured ones and any counted since the start.
    pub fn departments(&self) -> BTreeSet<String> {
        self.shown
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .all
            .clone()
    }

    /// Gives each of `configured` its series (zero until counted) and drops the series of a
    /// department no longer configured that nothing was counted for, as if it never was.
    fn cover(&self, configured: &[String]) {
        let mut shown = self.shown.lock().unwrap_or_else(|e| e.into_inner());
        for d in configured {
            self.show(&mut shown, d);
        }
        let gone: Vec<String> = shown
            .all
            .iter()
            .filter(|d| !configured.contains(d) && !shown.counted.contains(*d))
            .cloned()
            .collect();
        for d in gone {
            for family in &self.events {
                family.remove(&department_labels(&d));
            }
            for rating in 1..=5 {
                self.ratings.remove(&rating_labels(&d, rating));
            }
            shown.all.remove(&d);
        }
    }

    fn show(&self, shown: &mut Shown, department: &str) {
        if shown.all.contains(department) {
            return;
        }
        for family in &self.events {
            family.get_or_create_owned(&department_labels(department));
        }
        for rating in 1..=5 {
            self.ratings
                .get_or_create_owned(&rating_labels(department, rating));
        }
        shown.all.insert(department.to_string());
    }
}

fn department_labels(department: &str) -> Labels {
    vec![("department", department.to_string())]
}

fn rating_labels(department: &str, rating: u8) -> Labels {
    vec![
        ("department", department.to_string()),
        ("rating", rating.to_string()),
    ]
}

/// Writes the engine's counters at each scrape, after giving every configured department
/// (from the rules in force) its series.
#[derive(Debug)]
pub struct EngineCollector(pub Engine);

impl Collector for EngineCollector {
    fn encode(&self, mut encoder: DescriptorEncoder) -> Result<(), std::fmt::Error> {
        let stats = self.0.stats();
        let configured: Vec<String> = self
            .0
            .rules()
            .departments
            .iter()
            .map(|d| d.id.clone())
            .collect();
        stats.desk.cover(&configured);
        describe(
            &mut encoder,
            "frontdesk_store_writes",
            "Jobs (steps, delivery records) the single writer applied to the store.",
            &stats.jobs,
        )?;
        describe(
            &mut encoder,
            "frontdesk_store_flushes",
            "Flushes to disk, each making a batch of writes durable (group commit).",
            &stats.flushes,
        )?;
        describe(
            &mut encoder,
            "frontdesk_store_writes_queued",
            "Writes waiting for the single writer.",
            &stats.queued,
        )?;
        for ((kind, help), family) in EVENT_FAMILIES.iter().zip(&stats.desk.events) {
            describe(
                &mut encoder,
                &format!("frontdesk_requests_{kind}"),
                help,
                family,
            )?;
        }
        describe(
            &mut encoder,
            "frontdesk_satisfaction_ratings",
            "Survey ratings (1 = poor … 5 = great) given since the process started, by department.",
            &stats.desk.ratings,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn value(family: &Family<Labels, Counter>, labels: &Labels) -> Option<u64> {
        family.get(labels).map(|c| c.get())
    }

    #[test]
    fn configured_departments_show_zero_and_unconfigured_ones_only_once_counted() {
        let desk = DeskCounters::default();
        desk.cover(&["it".into(), "hr".into()]);
        assert_eq!(value(&desk.events[0], &department_labels("hr")), Some(0));
        assert_eq!(value(&desk.ratings, &rating_labels("hr", 5)), Some(0));
        desk.record(&[("it".into(), Event::Created)]);
        desk.record(&[("it".into(), Event::Rated { rating: 4 })]);
        assert_eq!(value(&desk.events[0], &department_labels("it")), Some(1));
        assert_eq!(value(&desk.ratings, &rating_labels("it", 4)), Some(1));

        // A reload drops both: hr had nothing counted and goes, it keeps its figures.
        desk.cover(&[]);
        assert_eq!(value(&desk.events[0], &department_labels("hr")), None);
        assert_eq!(value(&desk.ratings, &rating_labels("hr", 1)), None);
        assert_eq!(value(&desk.events[0], &department_labels("it")), Some(1));
        assert_eq!(value(&desk.events[2], &department_labels("it")), Some(0));
        assert_eq!(desk.departments(), BTreeSet::from(["it".to_string()]));
    }
}
