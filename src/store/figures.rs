//! Weekly figures per department, kept up to date with every write of a request, so that a
//! dashboard's weeks are a few reads however many requests they hold.
//!
//! Tree `weekly_figures`: key `{department}\0{the week's Monday, days since 1 CE, i32 BE}`,
//! value [`WeekFigures`] as JSON: what the requests of that department filed in that ISO week
//! (UTC) add up to now. Each write of a request takes its old version's share out and puts
//! the new one's in, in the same transaction. Stores from before this tree get it built from
//! their requests once, when opened (the `meta` key `weekly_figures` marks it done).

use super::atomic::ChangeTree;
use super::{decode, encode, Store, StoreError};
use crate::core::{Request, Status, Timestamp};
use chrono::{Datelike, Duration, NaiveDate};
use serde::{Deserialize, Serialize};
use sled::transaction::ConflictableTransactionError;
use std::collections::BTreeMap;

pub(super) const TREE: &str = "weekly_figures";
pub(super) const BUILT: &str = "weekly_figures";

/// What one department's requests filed in one ISO week add up to.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct WeekFigures {
    pub filed: u64,
    pub ratings: u64,
    pub rating_sum: u64,
    /// Filing to first response of those answered, in whole minutes rounded up → how many.
    #[serde(default)]
    pub first_response: BTreeMap<u32, u64>,
    /// Filing to closing of those closed, likewise.
    #[serde(default)]
    pub resolution: BTreeMap<u32, u64>,
}

impl WeekFigures {
    fn is_empty(&self) -> bool {
        self.filed == 0 && self.first_response.is_empty() && self.resolution.is_empty()
    }

    fn add(&mut self, other: &WeekFigures) {
        self.filed += other.filed;
        self.ratings += other.ratings;
        self.rating_sum += other.rating_sum;
        for (m, n) in &other.first_response {
            *self.first_response.entry(*m).or_default() += n;
        }
        for (m, n) in &other.resolution {
            *self.resolution.entry(*m).or_default() += n;
        }
    }

    fn take(&mut self, other: &WeekFigures) {
        self.filed = self.filed.saturating_sub(other.filed);
        self.ratings = self.ratings.saturating_sub(other.ratings);
        self.rating_sum = self.rating_sum.saturating_sub(other.rating_sum);
        for (hist, out) in [
            (&mut self.first_response, &other.first_response),
            (&mut self.resolution, &other.resolution),
        ] {
            for (m, n) in out {
                if let Some(have) = hist.get_mut(m) {
                    *have = have.saturating_sub(*n);
                    if *have == 0 {
                        hist.remove(m);
                    }
                }
            }
        }
    }
}

/// Seconds as whole minutes, rounded up: a duration is within a target of whole minutes
/// exactly when its rounded-up minutes are.
pub fn minutes_up(secs: i64) -> u32 {
    u32::try_from((secs.max(0) + 59) / 60).unwrap_or(u32::MAX)
}

pub fn monday(t: Timestamp) -> NaiveDate {
    let day = t.date_naive();
    day - Duration::days(i64::from(day.weekday().num_days_from_monday()))
}

fn key(department: &str, monday: NaiveDate) -> Vec<u8> {
    let mut k = department.as_bytes().to_vec();
    k.push(0);
    k.extend_from_slice(&monday.num_days_from_ce().to_be_bytes());
    k
}

fn monday_of_key(k: &[u8]) -> Option<NaiveDate> {
    let days = i32::from_be_bytes(k.get(k.len().checked_sub(4)?..)?.try_into().ok()?);
    NaiveDate::from_num_days_from_ce_opt(days)
}

/// One request's share of its week.
fn share(r: &Request) -> (Vec<u8>, WeekFigures) {
    let mut f = WeekFigures {
        filed: 1,
        ..WeekFigures::default()
    };
    if let Some(n) = r.survey.rating {
        f.ratings = 1;
        f.rating_sum = u64::from(n);
    }
    if let Some(t) = r.first_response_at {
        f.first_response
            .insert(minutes_up((t - r.created_at).num_seconds()), 1);
    }
    if let (Status::Closed, Some(t)) = (r.status, r.closed_at) {
        f.resolution
            .insert(minutes_up((t - r.created_at).num_seconds()), 1);
    }
    (key(&r.department, monday(r.created_at)), f)
}

/// The changes one step makes to the weekly figures: per week, what comes in and what goes.
#[derive(Debug, Default)]
pub(super) struct FigureChanges(BTreeMap<Vec<u8>, (WeekFigures, WeekFigures)>);

impl FigureChanges {
    /// `new` replaces `old` (None for a new request).
    pub(super) fn change(&mut self, old: Option<&Request>, new: &Request) {
        if let Some(old) = old {
            let (k, f) = share(old);
            self.0.entry(k).or_default().1.add(&f);
        }
        let (k, f) = share(new);
        self.0.entry(k).or_default().0.add(&f);
    }

    pub(super) fn apply<E>(
        &self,
        tree: &ChangeTree<'_>,
        corrupt: impl Fn(StoreError) -> ConflictableTransactionError<E>,
    ) -> Result<(), ConflictableTransactionError<E>> {
        for (k, (gain, loss)) in &self.0 {
            let mut week: WeekFigures = match tree.get(k)? {
                Some(v) => decode(TREE, &v).map_err(&corrupt)?,
                None => WeekFigures::default(),
            };
            week.take(loss);
            week.add(gain);
            if week.is_empty() {
                tree.remove(k.as_slice())?;
            } else {
                tree.insert(k.as_slice(), encode(&week))?;
            }
        }
        Ok(())
    }
}

impl Store {
    /// The weekly figures of `department` for the weeks starting from `from` to `to` (both
    /// Mondays, inclusive), by Monday; weeks with no request are left out.
    pub fn weekly_figures(
        &self,
        department: &str,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<(NaiveDate, WeekFigures)>, StoreError> {
        let mut out = Vec::new();
        for entry in self
            .weekly
            .range(key(department, from)..=key(department, to))
        {
            let (k, v) = entry?;
            if let Some(monday) = monday_of_key(&k) {
                out.push((monday, decode(TREE, &v)?));
            }
        }
        Ok(out)
    }

    /// Builds the weekly figures from every stored request, once per store. Called while
    /// the store is opened or imported, before anything else writes to it (the walk over the
    /// requests takes the index lock's read side itself).
    pub(super) fn build_weekly_figures(&self) -> Result<(), StoreError> {
        if self.meta.contains_key(BUILT)? {
            return Ok(());
        }
        let mut weeks: BTreeMap<Vec<u8>, WeekFigures> = BTreeMap::new();
        for entry in self.requests.iter() {
            let (_, v) = entry?;
            let r: Request = decode("requests", &v)?;
            let (k, f) = share(&r);
            weeks.entry(k).or_default().add(&f);
        }
        self.weekly.clear()?;
        let mut batch = sled::Batch::default();
        for (k, f) in &weeks {
            batch.insert(k.as_slice(), encode(f));
        }
        self.weekly.apply_batch(batch)?;
        self.meta.insert(BUILT, &[1u8])?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minutes_round_up_so_that_a_target_in_minutes_is_met_exactly() {
        assert_eq!(minutes_up(0), 0);
        assert_eq!(minutes_up(60), 1);
        assert_eq!(minutes_up(61), 2);
        assert_eq!(minutes_up(-5), 0);
    }

    #[test]
    fn keys_order_by_department_then_week_and_give_the_monday_back() {
        let a = NaiveDate::from_ymd_opt(2026, 3, 2).unwrap();
        let b = NaiveDate::from_ymd_opt(2026, 3, 9).unwrap();
        assert!(key("it", a) < key("it", b));
        assert!(key("it", b) < key("itx", a));
        assert_eq!(monday_of_key(&key("it", b)), Some(b));
    }

    #[test]
    fn taking_a_share_out_undoes_putting_it_in() {
        let mut w = WeekFigures::default();
        let mut one = WeekFigures {
            filed: 1,
            ratings: 1,
            rating_sum: 4,
            ..WeekFigures::default()
        };
        one.first_response.insert(5, 1);
        w.add(&one);
        w.add(&one);
        w.take(&one);
        assert_eq!(w, one);
        w.take(&one);
        assert!(w.is_empty());
        assert_eq!(w, WeekFigures::default());
    }
}
