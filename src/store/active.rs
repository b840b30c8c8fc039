//! The active requests (open, claimed, waiting on the requester) with what the dashboard
//! lists and counts them by, kept up to date with every write of a request: a page that
//! shows the queues reads these few entries, not the requests (whose histories and words
//! it would decode only to throw them away).
//!
//! Tree `active_requests`: key the request's key, value [`ActiveRequest`] as JSON. Each
//! write of a request puts its entry in while it is active and takes it out when it is
//! not, in the same transaction as the request. No words are kept here (a summary would
//! have to be sealed like the request's), only ids, states and times. Stores from before
//! this tree (schema 4) get it built from the status index when they are lifted to schema 5.
//!
//! A plain tree, not a [`super::packed`] one: it holds the requests still being worked on, a
//! few thousand at the most, not the history, so sled's memory per key stays small.

use super::atomic::ChangeTree;
use super::{decode, encode, keys, Store, StoreError};
use crate::core::{Priority, Request, RequestId, Status, Timestamp, UserRef};
use serde::{Deserialize, Serialize};
use sled::transaction::ConflictableTransactionError;
use std::collections::BTreeMap;

pub(super) const TREE: &str = "active_requests";

/// An active request as the dashboard's queues need it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActiveRequest {
    pub id: RequestId,
    pub department: String,
    pub status: Status,
    pub priority: Priority,
    pub assignee: Option<UserRef>,
    pub created_at: Timestamp,
    pub first_response_at: Option<Timestamp>,
}

impl From<&Request> for ActiveRequest {
    fn from(r: &Request) -> ActiveRequest {
        ActiveRequest {
            id: r.id.clone(),
            department: r.department.clone(),
            status: r.status,
            priority: r.priority,
            assignee: r.assignee.clone(),
            created_at: r.created_at,
            first_response_at: r.first_response_at,
        }
    }
}

/// The changes one step makes to the index, by request key: Some puts an entry in (or
/// replaces it), None takes it out. A step carrying a request twice leaves the later one.
#[derive(Debug, Default)]
pub(super) struct ActiveChanges(BTreeMap<Vec<u8>, Option<Vec<u8>>>);

impl ActiveChanges {
    /// `new` replaces `old` (None for a new request).
    pub(super) fn change(&mut self, old: Option<&Request>, new: &Request) {
        let key = keys::request_key(&new.id);
        let entry = new.status.is_active().then(|| ActiveRequest::from(new));
        let was = old
            .filter(|o| o.status.is_active())
            .map(ActiveRequest::from);
        // `old` is what the step planned so far, so this also holds for a request carried twice.
        if entry == was {
            // Most writes of an active request (a reply, a reminder) leave its entry as it was.
            return;
        }
        self.0.insert(key, entry.as_ref().map(encode));
    }

    pub(super) fn apply<E>(
        &self,
        tree: &ChangeTree<'_>,
    ) -> Result<(), ConflictableTransactionError<E>> {
        for (k, v) in &self.0 {
            match v {
                Some(v) => {
                    tree.insert(k.as_slice(), v.as_slice())?;
                }
                None => {
                    tree.remove(k.as_slice())?;
                }
            }
        }
        Ok(())
    }
}

impl Store {
    /// Every active request (open, claimed or waiting on the requester), by request key
    /// (department prefix, then number). Reads the index alone, however many requests the
    /// store holds.
    pub fn active_requests(&self) -> Result<Vec<ActiveRequest>, StoreError> {
        self.active.iter().map(|e| decode(TREE, &e?.1)).collect()
    }

    /// Builds the index from the status index and the records it names (schema 4 to 5).
    /// Idempotent: the tree is cleared first, so a crash half-way builds it again.
    pub(super) fn build_active_index(&self) -> Result<(), StoreError> {
        self.active.clear()?;
        let mut batch = sled::Batch::default();
        let mut built = 0usize;
        for status in Status::ALL.into_iter().filter(|s| s.is_active()) {
            for (k, _) in self
                .by_status
                .scan_prefix(&keys::by_status_prefix(status))?
            {
                let Some(id) = keys::parse_by_status_key(&k) else {
                    continue;
                };
                let key = keys::request_key(&id);
                let Some(v) = self.requests.get(&key)? else {
                    continue;
                };
                // Plain decoding: the fields indexed are never sealed, so this needs no key
                // (the keys are checked after migrating).
                let r: Request = decode("requests", &v)?;
                // The record decides: a status entry that disagrees with it is not copied.
                if r.status.is_active() {
                    batch.insert(key, encode(&ActiveRequest::from(&r)));
                    built += 1;
                }
            }
        }
        self.active.apply_batch(batch)?;
        self.db.flush()?;
        tracing::info!(
            requests = built,
            "indexed the active requests (store schema 4 to 5)"
        );
        Ok(())
    }
}

#[cfg(test)]
mod tests;
