//! The outbox's trees and their two indexes.
//!
//! `outbox` holds the items by id; `dead_letters` the ones given up on. Messages into one
//! conversation (a person's DM, a request's card and its thread) are delivered in the order
//! they were decided, so only the oldest pending item of each conversation lane (its head)
//! can be delivered next. The heads are the entries of `outbox_queue`, keyed by next attempt
//! time and id: the next deliveries are its first entries, found without reading the rest of
//! a backlog. `outbox_by_lane` (lane, id) finds the item that becomes a lane's head when its
//! head goes.

use super::atomic::ChangeTree;
use super::seal::Content;
use super::{keys, OutboxItem, Store, StoreError};
use crate::core::Timestamp;
use sled::transaction::ConflictableTransactionError;

/// The `meta` key present while a delivery session runs.
const DELIVERING: &str = "delivery_session";

/// The `meta` key of the id below which waiting items may have been sent unrecorded.
const SUSPECT_BELOW: &str = "suspect_below";

/// The `meta` key holding how many items the outbox holds: every transaction that adds or
/// removes items moves it, so `/metrics` reads one key instead of walking a backlog (which
/// pulled all of it into sled's cache, tens of MiB for 100,000 waiting messages).
pub(super) const OUTBOX_LEN: &str = "outbox_len";

/// Moves the stored outbox length by `delta`, inside the transaction that adds or removes
/// the items.
pub(super) fn add_to_outbox_len<E>(
    meta: &ChangeTree<'_>,
    delta: i64,
) -> Result<(), ConflictableTransactionError<E>> {
    if delta == 0 {
        return Ok(());
    }
    let current = read_len(meta.get(OUTBOX_LEN)?.as_deref());
    let next = current.saturating_add_signed(delta);
    meta.insert(OUTBOX_LEN, &next.to_be_bytes())?;
    Ok(())
}

fn read_len(stored: Option<&[u8]>) -> u64 {
    stored
        .and_then(|v| v.try_into().ok())
        .map(u64::from_be_bytes)
        .unwrap_or(0)
}

/// What [`Store::begin_delivery_session`] found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DeliverySession {
    /// Items with a smaller id may have reached the platform unrecorded.
    pub suspect_below: u64,
    /// The last session did not end: the watermark moved past the items waiting now.
    pub unclean: bool,
}

/// The index changes that taking one item out of the outbox brings.
#[derive(Debug, Default)]
pub(super) struct Removal {
    id: u64,
    queue_key: Option<Vec<u8>>,
    lane_key: Option<Vec<u8>>,
    /// The queue entry of the lane's next item, which becomes its head.
    promoted: Option<Vec<u8>>,
}

impl Removal {
    /// Applies the removal to the outbox (`t_outbox`), its queue and its lane index.
    pub(super) fn apply<E>(
        &self,
        t_outbox: &ChangeTree<'_>,
        t_queue: &ChangeTree<'_>,
        t_by_lane: &ChangeTree<'_>,
    ) -> Result<(), ConflictableTransactionError<E>> {
        t_outbox.remove(&keys::outbox_key(self.id))?;
        if let Some(k) = &self.queue_key {
            t_queue.remove(k.as_slice())?;
        }
        if let Some(k) = &self.lane_key {
            t_by_lane.remove(k.as_slice())?;
        }
        if let Some(k) = &self.promoted {
            t_queue.insert(k.as_slice(), &[])?;
        }
        Ok(())
    }
}

/// The index entries of items a step adds.
pub(super) struct NewItemKeys {
    /// Queue entries of the items that go first in their lane.
    pub queue: Vec<Vec<u8>>,
    pub by_lane: Vec<Vec<u8>>,
}

impl Store {
    pub fn outbox_items(&self) -> Result<Vec<OutboxItem>, StoreError> {
        self.outbox
            .iter()
            .map(|e| self.decode_content("outbox", Content::OutboxItem, &e?.1))
            .collect()
    }

    pub fn dead_letters(&self) -> Result<Vec<OutboxItem>, StoreError> {
        self.dead_letters
            .iter()
            .map(|e| self.decode_content("dead_letters", Content::OutboxItem, &e?.1))
            .collect()
    }

    pub fn outbox_len(&self) -> usize {
        let stored = self.meta.get(OUTBOX_LEN).ok().flatten();
        read_len(stored.as_deref()) as usize
    }

    /// Counts the outbox into its stored length when a store has none yet (one from before
    /// it was kept, or an import of one).
    pub(super) fn count_outbox_if_uncounted(&self) -> Result<(), StoreError> {
        let _writing = self.lock_indexes();
        if self.meta.get(OUTBOX_LEN)?.is_none() {
            let n = self.outbox.len() as u64;
            self.meta.insert(OUTBOX_LEN, &n.to_be_bytes())?;
        }
        Ok(())
    }

    pub fn dead_letter_len(&self) -> usize {
        self.dead_letters.len()
    }

    pub fn outbox_item(&self, id: u64) -> Result<Option<OutboxItem>, StoreError> {
        self.outbox
            .get(keys::outbox_key(id))?
            .map(|v| self.decode_content("outbox", Content::OutboxItem, &v))
            .transpose()
    }

    /// The next item to deliver at `now`: of the lanes' heads, the one due longest. Without
    /// an item due, returns when the next one falls due, for the worker's sleep.
    pub fn next_outbox(
        &self,
        now: Timestamp,
    ) -> Result<(Option<OutboxItem>, Option<Timestamp>), StoreError> {
        let (mut items, next) = self.due_outbox(now, 1, |_| false)?;
        Ok((items.pop(), next))
    }

    /// Up to `limit` items to deliver at `now`, due longest first, passing over the items
    /// `skip` names (the ones in flight). Only lanes' heads are candidates: while an earlier
    /// message into a conversation waits for a retry, later ones wait too. The second value
    /// is when the next item not passed over falls due, when none of them is due yet.
    pub fn due_outbox(
        &self,
        now: Timestamp,
        limit: usize,
        skip: impl Fn(u64) -> bool,
    ) -> Result<(Vec<OutboxItem>, Option<Timestamp>), StoreError> {
        // The queue entries and their items are read as one: a delivery committed in between
        // would leave an entry without its item.
        let _reading = self.read_indexes();
        let now = keys::time_bytes(now);
        let mut items = Vec::new();
        for entry in self.outbox_queue.iter() {
            if items.len() >= limit {
                break;
            }
            let (key, _) = entry?;
            let (due, id) =
                keys::parse_outbox_queue_key(&key).ok_or_else(|| StoreError::Corrupt {
                    tree: "outbox_queue",
                    message: "a key is not a time and an id".into(),
                })?;
            if skip(id) {
                continue;
            }
            if due > now {
                return Ok((items, Some(keys::time_from_bytes(due))));
            }
            match self.outbox_item(id)? {
                Some(item) => items.push(item),
                None => {
                    return Err(StoreError::Corrupt {
                        tree: "outbox_queue",
                        message: format!("it lists item {id}, which is not in the outbox"),
                    })
                }
            }
        }
        Ok((items, None))
    }

    /// Starts a delivery session and returns the suspicion watermark: items with a smaller
    /// id may have reached the platform without their delivery being recorded, and their next
    /// attempt asks the platform first. If the last session did not end
    /// ([`Store::end_delivery_session`] never ran: a crash, a kill, a stop that gave up on a
    /// stuck delivery), the watermark moves past every item waiting now. One key, whatever
    /// the backlog: nothing is rewritten. The session's start is on disk before this
    /// returns, so it comes before any delivery of the session.
    pub fn begin_delivery_session(&self) -> Result<DeliverySession, StoreError> {
        let mut watermark = self
            .meta
            .get(SUSPECT_BELOW)?
            .and_then(|v| v.as_ref().try_into().ok().map(u64::from_be_bytes))
            .unwrap_or(0);
        let unclean = self.meta.get(DELIVERING)?.is_some();
        if unclean {
            // Ids only grow: every item waiting now has a smaller one.
            watermark = self.generate_id()?;
            self.meta.insert(SUSPECT_BELOW, &watermark.to_be_bytes())?;
        }
        self.meta.insert(DELIVERING, &[1])?;
        self.flush()?;
        Ok(DeliverySession {
            suspect_below: watermark,
            unclean,
        })
    }

    /// Ends a delivery session with nothing in flight: the next session need not suspect
    /// the waiting items.
    pub fn end_delivery_session(&self) -> Result<(), StoreError> {
        self.meta.remove(DELIVERING)?;
        self.flush()
    }

    /// Marks `id` as possibly sent, as a timed-out attempt does through `update_outbox`.
    #[cfg(test)]
    pub(super) fn mark_sending(&self, id: u64) -> Result<bool, StoreError> {
        let key = keys::outbox_key(id);
        let trees = [self.outbox.clone()];
        let result = self.changes.apply(&trees, |t: &[ChangeTree<'_>]| {
            let t = &t[0];
            let Some(old) = t.get(key)? else {
                return Ok(false);
            };
            let mut item: OutboxItem = self
                .decode_content("outbox", Content::OutboxItem, &old)
                .map_err(corrupt)?;
            if !item.sending {
                item.sending = true;
                t.insert(&key, self.encode_content(Content::OutboxItem, &item))?;
            }
            Ok(true)
        });
        finish(result)
    }

    /// The trees moving an item between the outbox and the dead letters writes, in the order
    /// [`Removal::apply`] takes them, then the dead letters and `meta`.
    fn outbox_and_dead_letters(&self) -> [sled::Tree; 5] {
        [
            self.outbox.clone(),
            self.outbox_queue.clone(),
            self.outbox_by_lane.clone(),
            self.dead_letters.clone(),
            self.meta.clone(),
        ]
    }

    /// The oldest pending item of `lane`, if any.
    fn lane_head(&self, lane: &str) -> Result<Option<u64>, StoreError> {
        let prefix = keys::outbox_lane_prefix(lane);
        match self.outbox_by_lane.scan_prefix(&prefix).next() {
            Some(entry) => Ok(keys::id_after(&entry?.0, prefix.len())),
            None => Ok(None),
        }
    }

    /// Plans taking `id` out of the outbox. The caller holds the index lock. None when the
    /// item is gone.
    pub(super) fn plan_outbox_removal(&self, id: u64) -> Result<Option<Removal>, StoreError> {
        let Some(item) = self.outbox_item(id)? else {
            return Ok(None);
        };
        self.plan_removal_of(&item).map(Some)
    }

    /// [`Store::plan_outbox_removal`] of an item already read.
    pub(super) fn plan_removal_of(&self, item: &OutboxItem) -> Result<Removal, StoreError> {
        let id = item.id;
        let queue_key = keys::outbox_queue_key(item.next_attempt_at, id);
        let is_head = self.outbox_queue.contains_key(&queue_key)?;
        let mut removal = Removal {
            id,
            queue_key: is_head.then_some(queue_key),
            ..Removal::default()
        };
        {
            let lane = item.lane();
            let prefix = keys::outbox_lane_prefix(&lane);
            removal.lane_key = Some(keys::outbox_lane_key(&lane, id));
            if is_head {
                for entry in self.outbox_by_lane.scan_prefix(&prefix) {
                    let Some(next) = keys::id_after(&entry?.0, prefix.len()) else {
                        continue;
                    };
                    if next != id {
                        if let Some(next_item) = self.outbox_item(next)? {
                            removal.promoted =
                                Some(keys::outbox_queue_key(next_item.next_attempt_at, next));
                        }
                        break;
                    }
                }
            }
        }
        Ok(removal)
    }

    /// Removes delivered items that left nothing else to record (no card, no links), in one
    /// change for all of them: the deliveries finished while the writer was busy share one,
    /// as they share a flush.
    /// Items already gone are passed over.
    ///
    /// # Errors
    /// Storage failure or a corrupt stored value; then none of them is removed.
    pub fn record_deliveries(&self, ids: &[u64]) -> Result<(), StoreError> {
        let mut later = Vec::new();
        {
            let _writing = self.lock_indexes();
            let mut lanes = std::collections::HashSet::new();
            let mut removals = Vec::with_capacity(ids.len());
            for &id in ids {
                let Some(item) = self.outbox_item(id)? else {
                    continue;
                };
                // A lane's second item is planned against the store without the first's
                // removal; it goes on its own, after. (A lane has one item in flight, so
                // this is for callers other than the worker.)
                if !lanes.insert(item.lane()) {
                    later.push(id);
                    continue;
                }
                removals.push(self.plan_removal_of(&item)?);
            }
            if !removals.is_empty() {
                let trees = [
                    self.outbox.clone(),
                    self.outbox_queue.clone(),
                    self.outbox_by_lane.clone(),
                    self.meta.clone(),
                ];
                let result = self.changes.apply(&trees,
                    |t: &[ChangeTree<'_>]| -> Result<(), ConflictableTransactionError<super::write::Skip>> {
                        for removal in &removals {
                            removal.apply(&t[0], &t[1], &t[2])?;
                        }
                        add_to_outbox_len(&t[3], -(removals.len() as i64))
                    },
                );
                super::write::tx_result(result)?;
            }
        }
        for id in later {
            self.record_delivery(id, None, &[])?;
        }
        Ok(())
    }

    /// For items a step adds: which of them become heads (the queue keys to write) and
    /// their request index keys. The caller holds the index lock.
    pub(super) fn plan_new_outbox_items(
        &self,
        items: &[OutboxItem],
    ) -> Result<NewItemKeys, StoreError> {
        let mut queue = Vec::new();
        let mut by_lane = Vec::new();
        let mut seen: Vec<String> = Vec::new();
        for item in items {
            let lane = item.lane();
            by_lane.push(keys::outbox_lane_key(&lane, item.id));
            // New items have the newest ids: one goes first only if nothing in its lane is
            // pending.
            if !seen.contains(&lane) && self.lane_head(&lane)?.is_none() {
                queue.push(keys::outbox_queue_key(item.next_attempt_at, item.id));
            }
            seen.push(lane);
        }
        Ok(NewItemKeys { queue, by_lane })
    }

    /// Stores an item's new retry state (attempts, next attempt, last error).
    pub fn update_outbox(&self, item: &OutboxItem) -> Result<(), StoreError> {
        let _writing = self.lock_indexes();
        let trees = [self.outbox.clone(), self.outbox_queue.clone()];
        let result = self.changes.apply(&trees, |t: &[ChangeTree<'_>]| {
            let key = keys::outbox_key(item.id);
            // Only if it is still there: a delivery or `outbox retry` may have moved it.
            let Some(old) = t[0].get(key)? else {
                return Ok(());
            };
            let old: OutboxItem = self
                .decode_content("outbox", Content::OutboxItem, &old)
                .map_err(corrupt)?;
            t[0].insert(&key, self.encode_content(Content::OutboxItem, item))?;
            let old_key = keys::outbox_queue_key(old.next_attempt_at, item.id);
            if t[1].take(old_key)?.is_some() {
                t[1].insert(keys::outbox_queue_key(item.next_attempt_at, item.id), &[])?;
            }
            Ok(())
        });
        finish(result)
    }

    /// Gives up on an item: it moves to the dead letters, where `outbox retry` can revive it.
    pub fn dead_letter(&self, item: &OutboxItem) -> Result<(), StoreError> {
        let _writing = self.lock_indexes();
        let Some(removal) = self.plan_outbox_removal(item.id)? else {
            return Ok(());
        };
        let trees = self.outbox_and_dead_letters();
        let result = self.changes.apply(&trees, |t: &[ChangeTree<'_>]| {
            removal.apply(&t[0], &t[1], &t[2])?;
            t[3].insert(
                &keys::outbox_key(item.id),
                self.encode_content(Content::OutboxItem, item),
            )?;
            add_to_outbox_len(&t[4], -1)
        });
        finish(result)
    }

    /// Puts a dead letter back in the outbox for immediate delivery. It keeps its id, so it
    /// goes before later messages into its conversation. Returns false when no dead letter has
    /// that id.
    pub fn retry_dead_letter(&self, id: u64, now: Timestamp) -> Result<bool, StoreError> {
        let _writing = self.lock_indexes();
        let Some(v) = self.dead_letters.get(keys::outbox_key(id))? else {
            return Ok(false);
        };
        let mut item: OutboxItem = self.decode_content("dead_letters", Content::OutboxItem, &v)?;
        item.attempts = 0;
        item.next_attempt_at = now;
        item.created_at = now;
        let mut head_now = true;
        let mut demoted = None;
        let lane = item.lane();
        if let Some(head) = self.lane_head(&lane)? {
            head_now = head > id;
            if head_now {
                demoted = self
                    .outbox_item(head)?
                    .map(|h| keys::outbox_queue_key(h.next_attempt_at, head));
            }
        }
        let trees = self.outbox_and_dead_letters();
        let result = self.changes.apply(&trees, |t: &[ChangeTree<'_>]| {
            if t[3].take(&keys::outbox_key(id))?.is_none() {
                return Ok(false);
            }
            t[0].insert(
                &keys::outbox_key(id),
                self.encode_content(Content::OutboxItem, &item),
            )?;
            t[2].insert(keys::outbox_lane_key(&lane, id), &[])?;
            if let Some(k) = &demoted {
                t[1].remove(k.as_slice())?;
            }
            if head_now {
                t[1].insert(keys::outbox_queue_key(now, id), &[])?;
            }
            add_to_outbox_len(&t[4], 1)?;
            Ok(true)
        });
        finish(result)
    }

    /// Builds the queue and the lane index from the items, replacing whatever they held
    /// (store schema 1 had neither; schema 2 ordered by request, not by conversation).
    pub(super) fn index_outbox(&self) -> Result<(), StoreError> {
        let _writing = self.lock_indexes();
        self.outbox_queue.clear()?;
        self.outbox_by_lane.clear()?;
        // Version 2's index by request; gone whether or not this store had one.
        self.db.drop_tree("outbox_by_request")?;
        let mut seen = std::collections::HashSet::new();
        for entry in self.outbox.iter() {
            let item: OutboxItem = self.decode_content("outbox", Content::OutboxItem, &entry?.1)?;
            let lane = item.lane();
            self.outbox_by_lane
                .insert(keys::outbox_lane_key(&lane, item.id), &[])?;
            if seen.insert(lane) {
                self.outbox_queue
                    .insert(keys::outbox_queue_key(item.next_attempt_at, item.id), &[])?;
            }
        }
        Ok(())
    }
}

fn corrupt(e: StoreError) -> ConflictableTransactionError<StoreError> {
    ConflictableTransactionError::Abort(e)
}

fn finish<T>(
    result: Result<T, sled::transaction::TransactionError<StoreError>>,
) -> Result<T, StoreError> {
    match result {
        Ok(v) => Ok(v),
        Err(sled::transaction::TransactionError::Abort(e)) => Err(e),
        Err(sled::transaction::TransactionError::Storage(e)) => Err(e.into()),
    }
}
