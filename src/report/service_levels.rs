//! Service-level attainment per department for `frontdesk stats`: of the requests whose
//! first response or resolution can be told, how many met the level, in business time.
//!
//! A first response counts once given, or as missed while still awaited past its level; a
//! resolution counts once closed, or as missed while still open past its level (cancelled
//! requests don't count). The levels come from the caller's configuration
//! ([`DepartmentLevels`]), so the server and an offline run print the same.

use crate::core::{first_response_met, resolution_met, Request, Rules, ServiceLevels, Timestamp};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A department's service levels, as the stats need them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DepartmentLevels {
    pub id: String,
    pub first_response_sla_secs: i64,
    pub levels: ServiceLevels,
}

impl DepartmentLevels {
    /// Every department's levels in `rules`.
    pub fn of(rules: &Rules) -> Vec<DepartmentLevels> {
        rules
            .departments
            .iter()
            .map(|d| DepartmentLevels {
                id: d.id.clone(),
                first_response_sla_secs: d.first_response_sla.num_seconds(),
                levels: d.service.clone(),
            })
            .collect()
    }
}

/// How many met a level and how many missed it; `ratio` is the share that met it.
#[derive(Debug, Default, Clone, PartialEq, Serialize)]
pub struct Attainment {
    pub met: u64,
    pub missed: u64,
    pub ratio: Option<f64>,
}

impl Attainment {
    fn count(&mut self, met: Option<bool>) {
        match met {
            Some(true) => self.met += 1,
            Some(false) => self.missed += 1,
            None => {}
        }
    }

    fn finish(&mut self) {
        let all = self.met + self.missed;
        self.ratio = (all > 0).then(|| self.met as f64 / all as f64);
    }

    /// "92% (23/25)", or "-" with nothing to tell.
    pub fn cell(&self) -> String {
        match self.ratio {
            Some(r) => format!(
                "{:.0}% ({}/{})",
                r * 100.0,
                self.met,
                self.met + self.missed
            ),
            None => "-".to_string(),
        }
    }
}

/// One department's attainment; `resolution` only where it has a resolution level.
#[derive(Debug, Default, Clone, PartialEq, Serialize)]
pub struct ServiceLevelStats {
    pub first_response: Attainment,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resolution: Option<Attainment>,
}

/// Counts attainment as requests stream past; departments without levels are left out.
#[derive(Debug, Default)]
pub struct Tally<'a> {
    levels: &'a [DepartmentLevels],
    now: Option<Timestamp>,
    by_department: BTreeMap<String, ServiceLevelStats>,
}

impl<'a> Tally<'a> {
    pub fn new(levels: &'a [DepartmentLevels], now: Timestamp) -> Self {
        Tally {
            levels,
            now: Some(now),
            by_department: BTreeMap::new(),
        }
    }

    pub fn add(&mut self, r: &Request) {
        let (Some(d), Some(now)) = (self.levels.iter().find(|d| d.id == r.department), self.now)
        else {
            return;
        };
        let stats = self.by_department.entry(d.id.clone()).or_default();
        let sla = chrono::Duration::seconds(d.first_response_sla_secs);
        stats
            .first_response
            .count(first_response_met(&d.levels, sla, r, now));
        if d.levels.resolution_sla.is_some() {
            stats
                .resolution
                .get_or_insert_with(Attainment::default)
                .count(resolution_met(&d.levels, r, now));
        }
    }

    pub fn finish(mut self) -> BTreeMap<String, ServiceLevelStats> {
        for s in self.by_department.values_mut() {
            s.first_response.finish();
            if let Some(r) = &mut s.resolution {
                r.finish();
            }
        }
        self.by_department
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::calendar::{parse_week, Calendar};
    use crate::core::{Platform, RequestId, Status, UserRef};
    use chrono::{Duration, Utc};

    fn at(s: &str) -> Timestamp {
        chrono::DateTime::parse_from_rfc3339(s)
            .unwrap()
            .with_timezone(&Utc)
    }

    #[test]
    fn attainment_counts_business_time_and_what_is_overdue() {
        let levels = vec![DepartmentLevels {
            id: "it".into(),
            first_response_sla_secs: 3600,
            levels: ServiceLevels {
                calendar: Calendar {
                    zone: chrono_tz::Europe::Berlin,
                    hours: parse_week(&["Mon-Fri 09:00-17:00".to_string()]).unwrap(),
                    holidays: Default::default(),
                },
                resolution_sla: Some(Duration::hours(8)),
                ..ServiceLevels::default()
            },
        }];
        let request = |n: u64, filed: &str| {
            Request::new(
                RequestId::new("IT", n),
                "it",
                UserRef::new(Platform::Slack, "U1"),
                "x",
                at(filed),
            )
        };
        // Filed on Friday at 16:30 CET, answered on Monday at 09:20: 50 business minutes.
        let mut met = request(1, "2024-03-08T15:30:00Z");
        met.first_response_at = Some(at("2024-03-11T08:20:00Z"));
        met.status = Status::Closed;
        met.closed_at = Some(at("2024-03-11T10:00:00Z"));
        // Answered after 2 business hours; still open after 8.
        let mut late = request(2, "2024-03-11T08:00:00Z");
        late.first_response_at = Some(at("2024-03-11T10:00:00Z"));
        // Filed just now: nothing to tell yet.
        let fresh = request(3, "2024-03-12T15:30:00Z");
        let mut tally = Tally::new(&levels, at("2024-03-12T15:40:00Z"));
        for r in [&met, &late, &fresh] {
            tally.add(r);
        }
        let stats = tally.finish();
        let it = &stats["it"];
        assert_eq!((it.first_response.met, it.first_response.missed), (1, 1));
        assert_eq!(it.first_response.ratio, Some(0.5));
        let resolution = it.resolution.as_ref().unwrap();
        assert_eq!((resolution.met, resolution.missed), (1, 1));
        assert_eq!(it.first_response.cell(), "50% (1/2)");
    }
}
