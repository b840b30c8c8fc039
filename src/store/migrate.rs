//! Lifting stored data from older layouts. Each step is idempotent, so a crash half-way
//! through re-runs it from the start on the next open.

use super::{decode, keys, Store, StoreError, SCHEMA_VERSION};
use crate::core::Timer;

/// Timers moved per transaction when packing a version-1 store.
const PACK_BATCH: usize = 4096;

impl Store {
    /// The migration hook: each arm lifts the data one version.
    pub(super) fn migrate(&self) -> Result<(), StoreError> {
        let mut version = match self.schema_version()? {
            Some(v) => v,
            // A brand-new store starts at the current version; there is nothing to lift.
            None if self.requests.is_empty() => SCHEMA_VERSION,
            None => 0,
        };
        if version > SCHEMA_VERSION {
            return Err(StoreError::TooNew {
                path: self.path.clone(),
                found: version,
                supported: SCHEMA_VERSION,
            });
        }
        while version < SCHEMA_VERSION {
            match version {
                // Version 0 had no version key; the layout is otherwise the same.
                0 => {}
                1 => self.pack_timers()?,
                _ => unreachable!("every version below SCHEMA_VERSION has a step"),
            }
            version += 1;
            self.meta.insert("schema_version", &version.to_be_bytes())?;
        }
        self.meta
            .insert("schema_version", &SCHEMA_VERSION.to_be_bytes())?;
        Ok(())
    }

    /// Version 1 kept a sled key per timer in the trees `timers` and `timer_owners`;
    /// version 2 packs them into chunks (see [`super::packed`]).
    fn pack_timers(&self) -> Result<(), StoreError> {
        if !self.db.tree_names().iter().any(|n| n.as_ref() == b"timers") {
            return Ok(());
        }
        let old = self.db.open_tree("timers")?;
        let mut batch = Vec::with_capacity(PACK_BATCH);
        let mut moved = 0usize;
        for entry in old.iter() {
            let (k, v) = entry?;
            batch.push((k.to_vec(), v.to_vec()));
            if batch.len() == PACK_BATCH {
                moved += self.pack_timer_batch(&batch)?;
                batch.clear();
            }
        }
        moved += self.pack_timer_batch(&batch)?;
        self.db.flush()?;
        self.db.drop_tree("timers")?;
        self.db.drop_tree("timer_owners")?;
        tracing::info!(
            timers = moved,
            "packed the timer index (store schema 1 to 2)"
        );
        Ok(())
    }

    fn pack_timer_batch(&self, batch: &[(Vec<u8>, Vec<u8>)]) -> Result<usize, StoreError> {
        let _writing = self.lock_timers();
        let mut timers = self.timers.edit();
        let mut owners = self.timer_owners.edit();
        for (k, v) in batch {
            let timer: Timer = decode("timers", v)?;
            timers.insert(k, v.clone())?;
            owners.insert(
                &keys::timer_owner_key(&timer.kind.owner(), k),
                timer.kind.name().as_bytes().to_vec(),
            )?;
        }
        self.commit_timer_plans(&timers.finish(), &owners.finish())?;
        Ok(batch.len())
    }
}
