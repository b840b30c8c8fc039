//! Lifting stored data from older layouts. Each step is idempotent, so a crash half-way
//! through re-runs it from the start on the next open.

use super::{packed::Packed, Store, StoreError, SCHEMA_VERSION};

/// Index entries moved per transaction when packing a version-1 store.
const PACK_BATCH: usize = 4096;

impl Store {
    /// The migration hook: each arm lifts the data one version.
    pub(super) fn migrate(&self) -> Result<(), StoreError> {
        let mut version = match self.schema_version()? {
            Some(v) => v,
            // A brand-new store starts at the current version; there is nothing to lift.
            None if self.requests.tree().is_empty() && self.old_tree_is_empty("requests")? => {
                SCHEMA_VERSION
            }
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
                1 => self.pack_indexes()?,
                // Version 2 ordered the outbox per request; version 3 per conversation.
                2 => self.index_outbox()?,
                // Version 4 keeps an audit log; it starts with the histories so far.
                3 => self.backfill_audit()?,
                // Version 5 indexes the active requests for the dashboard's queues.
                4 => self.build_active_index()?,
                _ => unreachable!("every version below SCHEMA_VERSION has a step"),
            }
            version += 1;
            self.meta.insert("schema_version", &version.to_be_bytes())?;
        }
        self.meta
            .insert("schema_version", &SCHEMA_VERSION.to_be_bytes())?;
        // Not schema steps: the figures and the outbox's length are derived, and built
        // whenever they are missing.
        self.count_outbox_if_uncounted()?;
        self.build_weekly_figures()
    }

    /// Version 1 kept a sled key per index entry; version 2 packs the indexes into chunks
    /// (see [`super::packed`]). Each old tree is copied, then dropped.
    fn pack_indexes(&self) -> Result<(), StoreError> {
        let pairs = [
            ("requests", &self.requests),
            ("by_requester", &self.by_requester),
            ("by_status", &self.by_status),
            ("by_post", &self.by_post),
            ("timers", &self.timers),
            ("timer_owners", &self.timer_owners),
        ];
        for (old_name, packed) in pairs {
            if !self.has_tree(old_name) {
                continue;
            }
            let old = self.db.open_tree(old_name)?;
            let mut batch = Vec::with_capacity(PACK_BATCH);
            let mut moved = 0usize;
            for entry in old.iter() {
                let (k, v) = entry?;
                let v = if old_name == "by_status" && v.is_empty() {
                    // Version 2 keeps the department in the status index (requests are
                    // packed before it).
                    self.department_of_status_key(&k)?
                        .unwrap_or_default()
                        .into_bytes()
                } else {
                    v.to_vec()
                };
                batch.push((k.to_vec(), v));
                if batch.len() == PACK_BATCH {
                    moved += self.pack_batch(packed, &batch)?;
                    batch.clear();
                }
            }
            moved += self.pack_batch(packed, &batch)?;
            self.db.flush()?;
            self.db.drop_tree(old_name)?;
            tracing::info!(
                tree = old_name,
                entries = moved,
                "packed an index (store schema 1 to 2)"
            );
        }
        Ok(())
    }

    fn has_tree(&self, name: &str) -> bool {
        self.db
            .tree_names()
            .iter()
            .any(|n| n.as_ref() == name.as_bytes())
    }

    /// True when a tree of an older layout is absent or empty (without creating it).
    fn old_tree_is_empty(&self, name: &str) -> Result<bool, StoreError> {
        Ok(!self.has_tree(name) || self.db.open_tree(name)?.is_empty())
    }

    fn pack_batch(
        &self,
        packed: &Packed,
        batch: &[(Vec<u8>, Vec<u8>)],
    ) -> Result<usize, StoreError> {
        let _writing = self.lock_indexes();
        let mut edit = packed.edit();
        for (k, v) in batch {
            edit.insert(k, v.clone())?;
        }
        self.commit_plan(packed, &edit.finish())?;
        Ok(batch.len())
    }
}
