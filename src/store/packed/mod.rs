//! A sorted map kept in one sled tree as chunks of up to `max` entries and `max_bytes`
//! bytes (a single bigger entry gets a chunk of its own), each chunk stored under the key of
//! its first entry.
//!
//! Why: sled 0.34 keeps a little recovery state resident for every page of a tree, and a
//! leaf page holds at most 16 keys, so a tree's resident memory grows with its number of keys
//! (about 30 bytes a key, measured), whatever the cache size. A tree that can hold millions
//! of entries (pending reminders, requests and their indexes) would make the process grow
//! with it. Packing the entries into chunks divides that by the chunk size, and reads of a
//! time range still touch only the chunks that hold it.
//!
//! Invariant: chunks are non-empty, sorted, and every entry of a chunk sorts before the first
//! key of the next chunk. The chunk responsible for a key is the last one whose first key is
//! at or before it (or the first chunk, for a key before all others).
//!
//! Writes are planned in an [`Edit`] before the change that writes them (a change can't scan)
//! and written by [`Plan::apply`] inside one change (see `atomic`), under the store's index
//! lock. A change is applied key by key, so reads take the lock's read side too: one entry
//! is read from one chunk, and a walk over several chunks takes each chunk under it.

use super::atomic::ChangeTree;
use super::StoreError;
use sled::transaction::ConflictableTransactionError;
use std::collections::{BTreeMap, BTreeSet};
use std::ops::Bound;
use std::sync::{Arc, PoisonError, RwLock, RwLockReadGuard};

mod chunk;
mod edit;

pub(super) use chunk::{chunk_len, decode_chunk, encode_chunk, read_len};
use chunk::{entry_size, half_by_size, size, walk_chunk};
pub(super) use edit::{Edit, Plan};

pub(super) type Entry = (Vec<u8>, Vec<u8>);

#[derive(Debug, Clone)]
pub(super) struct Packed {
    tree: sled::Tree,
    name: &'static str,
    max: usize,
    max_bytes: usize,
    /// The store's index lock: writers hold it from planning to commit; walks take its
    /// read side chunk by chunk.
    writes: Arc<RwLock<()>>,
}

/// The `meta` key holding a map's entry count, kept in step by [`Plan::apply`].
pub(super) fn len_key(name: &str) -> Vec<u8> {
    format!("len:{name}").into_bytes()
}

impl Packed {
    pub(super) fn new(
        tree: sled::Tree,
        name: &'static str,
        max: usize,
        max_bytes: usize,
        writes: Arc<RwLock<()>>,
    ) -> Packed {
        assert!(max >= 2, "a chunk must be able to split");
        Packed {
            tree,
            name,
            max,
            max_bytes,
            writes,
        }
    }

    /// What a writer holds from planning an [`Edit`] to committing its [`Plan`] (the store
    /// takes the same lock through its own handle).
    #[cfg(test)]
    pub(super) fn write_lock(&self) -> std::sync::RwLockWriteGuard<'_, ()> {
        self.writes.write().unwrap_or_else(PoisonError::into_inner)
    }

    /// Whether entries fit in one chunk.
    fn fits(&self, count: usize, bytes: usize) -> bool {
        count <= self.max && bytes <= self.max_bytes
    }

    pub(super) fn tree(&self) -> &sled::Tree {
        &self.tree
    }

    pub(super) fn name(&self) -> &'static str {
        self.name
    }

    fn decode(&self, bytes: &[u8]) -> Result<Vec<Entry>, StoreError> {
        decode_chunk(bytes).ok_or_else(|| self.corrupt())
    }

    /// One entry. Under the lock's read side: a change is applied key by key, and a chunk
    /// moving to a new first key is removed before its new key is written.
    pub(super) fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>, StoreError> {
        let _reading = self.read_lock();
        self.get_held(key)
    }

    /// [`Packed::get`] for a caller that holds the write lock.
    pub(super) fn get_held(&self, key: &[u8]) -> Result<Option<Vec<u8>>, StoreError> {
        // The chunk that would hold `key`: the last one starting at or before it.
        let Some(chunk) = self.tree.range(..=key).next_back() else {
            return Ok(None);
        };
        let (_, bytes) = chunk?;
        // Look the key up in place: a request read shouldn't copy its 31 neighbours.
        let mut found = None;
        let whole = walk_chunk(&bytes, |k, v| {
            if k == key {
                found = Some(v.to_vec());
            }
            k < key
        });
        if whole.is_none() && found.is_none() {
            return Err(self.corrupt());
        }
        Ok(found)
    }

    fn corrupt(&self) -> StoreError {
        StoreError::Corrupt {
            tree: self.name,
            message: "a chunk's entries are cut short".into(),
        }
    }

    pub(super) fn first(&self) -> Result<Option<Entry>, StoreError> {
        let _reading = self.read_lock();
        match self.tree.first()? {
            Some((_, v)) => Ok(self.decode(&v)?.into_iter().next()),
            None => Ok(None),
        }
    }

    fn read_lock(&self) -> RwLockReadGuard<'_, ()> {
        self.writes.read().unwrap_or_else(PoisonError::into_inner)
    }

    /// The entries after `from` in the first chunk that has any (empty at the end), read in
    /// one consistent step: unless the caller holds the write lock already, under its read
    /// side, so that a split or merge committed meanwhile can't make a walk over several
    /// chunks see an entry twice or miss one.
    fn chunk_from(&self, from: Bound<&[u8]>, held: bool) -> Result<Vec<Entry>, StoreError> {
        let _reading = (!held).then(|| self.read_lock());
        let key = match from {
            Bound::Unbounded => {
                return match self.tree.first()? {
                    Some((_, v)) => self.decode(&v),
                    None => Ok(Vec::new()),
                }
            }
            Bound::Included(k) | Bound::Excluded(k) => k,
        };
        if let Some(chunk) = self.tree.range(..=key).next_back() {
            let mut entries = self.decode(&chunk?.1)?;
            entries.retain(|(k, _)| match from {
                Bound::Included(b) => k.as_slice() >= b,
                _ => k.as_slice() > key,
            });
            if !entries.is_empty() {
                return Ok(entries);
            }
        }
        match self
            .tree
            .range::<&[u8], _>((Bound::Excluded(key), Bound::Unbounded))
            .next()
        {
            Some(chunk) => self.decode(&chunk?.1),
            None => Ok(Vec::new()),
        }
    }

    /// Visits entries in order from `from` while `visit` returns true.
    fn walk(
        &self,
        from: Bound<&[u8]>,
        held: bool,
        mut visit: impl FnMut(Entry) -> bool,
    ) -> Result<(), StoreError> {
        let mut cursor: Option<Vec<u8>> = None;
        loop {
            let bound = match &cursor {
                Some(c) => Bound::Excluded(c.as_slice()),
                None => from,
            };
            let entries = self.chunk_from(bound, held)?;
            let Some(last) = entries.last().map(|(k, _)| k.clone()) else {
                return Ok(());
            };
            for entry in entries {
                if !visit(entry) {
                    return Ok(());
                }
            }
            cursor = Some(last);
        }
    }

    /// Entries with keys at or before `end`, in order, at most `limit`.
    pub(super) fn up_to(&self, end: &[u8], limit: usize) -> Result<Vec<Entry>, StoreError> {
        let mut out = Vec::new();
        self.walk(Bound::Unbounded, false, |entry| {
            let more = out.len() < limit && entry.0.as_slice() <= end;
            if more {
                out.push(entry);
            }
            more
        })?;
        Ok(out)
    }

    /// How many entries have keys at or before `end`, without keeping them.
    pub(super) fn count_up_to(&self, end: &[u8]) -> Result<usize, StoreError> {
        let mut n = 0;
        self.walk(Bound::Unbounded, false, |entry| {
            let more = entry.0.as_slice() <= end;
            n += usize::from(more);
            more
        })?;
        Ok(n)
    }

    /// Visits entries in order from `from` (inclusive) while `visit` returns true: a range
    /// read touches only the chunks that hold the range.
    pub(super) fn visit_from(
        &self,
        from: &[u8],
        visit: impl FnMut(Entry) -> bool,
    ) -> Result<(), StoreError> {
        self.walk(Bound::Included(from), false, visit)
    }

    /// Entries whose keys start with `prefix`, in order.
    pub(super) fn scan_prefix(&self, prefix: &[u8]) -> Result<Vec<Entry>, StoreError> {
        self.scan_prefix_inner(prefix, false)
    }

    /// [`Packed::scan_prefix`] for a caller that holds the write lock.
    pub(super) fn scan_prefix_held(&self, prefix: &[u8]) -> Result<Vec<Entry>, StoreError> {
        self.scan_prefix_inner(prefix, true)
    }

    /// Visits the entries whose keys start with `prefix`, in order, without collecting them.
    pub(super) fn visit_prefix(
        &self,
        prefix: &[u8],
        mut visit: impl FnMut(Entry),
    ) -> Result<(), StoreError> {
        self.walk(Bound::Included(prefix), false, |entry| {
            let more = entry.0.starts_with(prefix);
            if more {
                visit(entry);
            }
            more
        })
    }

    fn scan_prefix_inner(&self, prefix: &[u8], held: bool) -> Result<Vec<Entry>, StoreError> {
        let mut out = Vec::new();
        self.walk(Bound::Included(prefix), held, |entry| {
            let more = entry.0.starts_with(prefix);
            if more {
                out.push(entry);
            }
            more
        })?;
        Ok(out)
    }

    /// Every entry, in order, a chunk at a time.
    pub(super) fn iter(&self) -> impl Iterator<Item = Result<Entry, StoreError>> + '_ {
        let mut cursor: Option<Vec<u8>> = None;
        let mut buffer = std::collections::VecDeque::new();
        let mut done = false;
        std::iter::from_fn(move || {
            if buffer.is_empty() && !done {
                let bound = match &cursor {
                    Some(c) => Bound::Excluded(c.as_slice()),
                    None => Bound::Unbounded,
                };
                match self.chunk_from(bound, false) {
                    Ok(entries) => {
                        done = entries.is_empty();
                        cursor = entries.last().map(|(k, _)| k.clone());
                        buffer.extend(entries);
                    }
                    Err(e) => {
                        done = true;
                        return Some(Err(e));
                    }
                }
            }
            buffer.pop_front().map(Ok)
        })
    }

    pub(super) fn edit(&self) -> Edit<'_> {
        Edit {
            packed: self,
            loaded: BTreeSet::new(),
            chunks: BTreeMap::new(),
            delta: 0,
        }
    }
}

#[cfg(test)]
mod tests;
