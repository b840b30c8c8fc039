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
//! Writes are planned in an [`Edit`] outside a transaction (sled transactions can't scan)
//! and written by [`Plan::apply`] inside one, under the store's index lock. Reads of one
//! entry read one chunk, which is atomic; reads over several chunks take each chunk under
//! the lock's read side.

use super::StoreError;
use sled::transaction::{ConflictableTransactionError, TransactionalTree};
use std::collections::{BTreeMap, BTreeSet};
use std::ops::Bound;
use std::sync::{Arc, PoisonError, RwLock, RwLockReadGuard};

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

    pub(super) fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>, StoreError> {
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

/// Planned changes to a [`Packed`] map: the chunks it touched, as they will be.
pub(super) struct Edit<'p> {
    packed: &'p Packed,
    /// Keys of the chunks read from the tree; the ones not rewritten are deleted.
    loaded: BTreeSet<Vec<u8>>,
    /// The touched chunks by their current first key.
    chunks: BTreeMap<Vec<u8>, Vec<Entry>>,
    delta: i64,
}

impl Edit<'_> {
    /// Loads a stored chunk (not loaded before) into the working set.
    fn load(&mut self, key: Vec<u8>, value: &[u8]) -> Result<Vec<u8>, StoreError> {
        let entries = self.packed.decode(value)?;
        self.loaded.insert(key.clone());
        self.chunks.insert(key.clone(), entries);
        Ok(key)
    }

    /// The chunk in `range` nearest its upper end (`from_end`) or its lower end, whether in
    /// the working set or still stored (then it is loaded): its working-set key.
    fn nearest(
        &mut self,
        range: (Bound<&[u8]>, Bound<&[u8]>),
        from_end: bool,
    ) -> Result<Option<Vec<u8>>, StoreError> {
        let mut touched = self.chunks.range::<[u8], _>(range);
        let touched = if from_end {
            touched.next_back()
        } else {
            touched.next()
        }
        .map(|(k, _)| k.clone());
        // Stored chunks already loaded are skipped: the working set has them as they are now.
        let mut stored_chunks = self.packed.tree.range::<&[u8], _>(range);
        let mut stored = None;
        while let Some(entry) = if from_end {
            stored_chunks.next_back()
        } else {
            stored_chunks.next()
        } {
            let (k, v) = entry?;
            if !self.loaded.contains(k.as_ref()) {
                stored = Some((k.to_vec(), v));
                break;
            }
        }
        match (touched, stored) {
            (Some(t), Some((s, _))) if (t >= s) == from_end => Ok(Some(t)),
            (_, Some((s, v))) => self.load(s, &v).map(Some),
            (t, None) => Ok(t),
        }
    }

    /// The working-set key of the chunk responsible for `key`, loading it if needed. None
    /// when the map is empty.
    fn locate(&mut self, key: &[u8]) -> Result<Option<Vec<u8>>, StoreError> {
        match self.nearest((Bound::Unbounded, Bound::Included(key)), true)? {
            Some(at) => Ok(Some(at)),
            // The key sorts before every chunk: it joins the first one.
            None => self.nearest((Bound::Unbounded, Bound::Unbounded), false),
        }
    }

    /// Puts a chunk back under its (possibly new) first key, split if it grew too big.
    fn put_back(&mut self, entries: Vec<Entry>, appended: bool) {
        let mut pending = vec![entries];
        while let Some(mut entries) = pending.pop() {
            if entries.len() <= 1 || self.packed.fits(entries.len(), size(&entries)) {
                self.put_chunk(entries);
                continue;
            }
            // Appending in key order (timers due later and later, new requests) fills
            // chunks up; anything else splits in half so both sides have room.
            let at = if appended {
                self.longest_fitting_prefix(&entries)
            } else {
                half_by_size(&entries)
            };
            let rest = entries.split_off(at.clamp(1, entries.len() - 1));
            pending.push(rest);
            pending.push(entries);
        }
    }

    fn longest_fitting_prefix(&self, entries: &[Entry]) -> usize {
        let mut bytes = size(&[]);
        for (i, e) in entries.iter().enumerate() {
            bytes += entry_size(e);
            if !self.packed.fits(i + 1, bytes) {
                return i.max(1);
            }
        }
        entries.len()
    }

    fn put_chunk(&mut self, entries: Vec<Entry>) {
        if let Some(first) = entries.first().map(|(k, _)| k.clone()) {
            self.chunks.insert(first, entries);
        }
    }

    /// The working-set key of the chunk before the one starting at `key`, loading it if needed.
    fn previous_chunk(&mut self, key: &[u8]) -> Result<Option<Vec<u8>>, StoreError> {
        self.nearest((Bound::Unbounded, Bound::Excluded(key)), true)
    }

    /// The working-set key of the chunk after the one starting at `key`, loading it if needed.
    fn next_chunk(&mut self, key: &[u8]) -> Result<Option<Vec<u8>>, StoreError> {
        self.nearest((Bound::Excluded(key), Bound::Unbounded), false)
    }

    pub(super) fn insert(
        &mut self,
        key: &[u8],
        value: Vec<u8>,
    ) -> Result<Option<Vec<u8>>, StoreError> {
        let Some(at) = self.locate(key)? else {
            self.chunks
                .insert(key.to_vec(), vec![(key.to_vec(), value)]);
            self.delta += 1;
            return Ok(None);
        };
        let mut entries = self.chunks.remove(&at).unwrap_or_default();
        let (old, appended) = match entries.binary_search_by(|(k, _)| k.as_slice().cmp(key)) {
            Ok(i) => (Some(std::mem::replace(&mut entries[i].1, value)), false),
            Err(i) => {
                entries.insert(i, (key.to_vec(), value));
                self.delta += 1;
                (None, i + 1 == entries.len())
            }
        };
        self.put_back(entries, appended);
        Ok(old)
    }

    /// The value as this edit has it so far.
    pub(super) fn get(&mut self, key: &[u8]) -> Result<Option<Vec<u8>>, StoreError> {
        let Some(at) = self.locate(key)? else {
            return Ok(None);
        };
        let entries = &self.chunks[&at];
        Ok(entries
            .binary_search_by(|(k, _)| k.as_slice().cmp(key))
            .ok()
            .map(|i| entries[i].1.clone()))
    }

    pub(super) fn remove(&mut self, key: &[u8]) -> Result<Option<Vec<u8>>, StoreError> {
        let Some(at) = self.locate(key)? else {
            return Ok(None);
        };
        let mut entries = self.chunks.remove(&at).unwrap_or_default();
        let old = match entries.binary_search_by(|(k, _)| k.as_slice().cmp(key)) {
            Ok(i) => {
                self.delta -= 1;
                Some(entries.remove(i).1)
            }
            Err(_) => None,
        };
        let Some(first) = entries.first().map(|(k, _)| k.clone()) else {
            return Ok(old);
        };
        // A chunk thinned out by removals joins a neighbour when both fit in one, so the
        // number of chunks keeps following the number of entries.
        let small =
            entries.len() < self.packed.max / 4 || size(&entries) < self.packed.max_bytes / 4;
        if old.is_some() && small {
            for next in [false, true] {
                let neighbour = if next {
                    self.next_chunk(&first)?
                } else {
                    self.previous_chunk(&first)?
                };
                let Some(neighbour) = neighbour else { continue };
                let fits = self.chunks.get(&neighbour).is_some_and(|n| {
                    self.packed
                        .fits(n.len() + entries.len(), size(n) + size(&entries))
                });
                if fits {
                    let other = self.chunks.remove(&neighbour).unwrap_or_default();
                    entries = if next {
                        [entries, other].concat()
                    } else {
                        [other, entries].concat()
                    };
                    break;
                }
            }
        }
        self.put_chunk(entries);
        Ok(old)
    }

    pub(super) fn finish(self) -> Plan {
        let deletes = self
            .loaded
            .iter()
            .filter(|k| !self.chunks.contains_key(*k))
            .cloned()
            .collect();
        let puts = self
            .chunks
            .iter()
            .map(|(k, entries)| (k.clone(), encode_chunk(entries)))
            .collect();
        Plan {
            len_key: len_key(self.packed.name),
            deletes,
            puts,
            delta: self.delta,
        }
    }
}

/// The writes an [`Edit`] came to, ready for a transaction.
#[derive(Debug, Default)]
pub(super) struct Plan {
    len_key: Vec<u8>,
    deletes: Vec<Vec<u8>>,
    puts: Vec<(Vec<u8>, Vec<u8>)>,
    delta: i64,
}

impl Plan {
    pub(super) fn apply<E>(
        &self,
        tree: &TransactionalTree,
        meta: &TransactionalTree,
    ) -> Result<(), ConflictableTransactionError<E>> {
        for k in &self.deletes {
            tree.remove(k.as_slice())?;
        }
        for (k, v) in &self.puts {
            tree.insert(k.as_slice(), v.as_slice())?;
        }
        if self.delta != 0 {
            let current = read_len(meta.get(&self.len_key)?.as_deref());
            let next = current.saturating_add_signed(self.delta);
            meta.insert(self.len_key.as_slice(), &next.to_be_bytes())?;
        }
        Ok(())
    }
}

pub(super) fn read_len(bytes: Option<&[u8]>) -> u64 {
    bytes
        .and_then(|v| v.try_into().ok().map(u64::from_be_bytes))
        .unwrap_or(0)
}

fn entry_size((k, v): &Entry) -> usize {
    8 + k.len() + v.len()
}

fn size(entries: &[Entry]) -> usize {
    4 + entries.iter().map(entry_size).sum::<usize>()
}

/// Where to cut so both halves hold about the same bytes, leaving neither empty.
fn half_by_size(entries: &[Entry]) -> usize {
    let half = size(entries) / 2;
    let mut bytes = size(&[]);
    for (i, e) in entries.iter().enumerate() {
        bytes += entry_size(e);
        if bytes >= half {
            return (i + 1).clamp(1, entries.len() - 1);
        }
    }
    entries.len() / 2
}

/// `[count u32][klen u32][key][vlen u32][value]...`, big-endian lengths.
pub(super) fn encode_chunk(entries: &[Entry]) -> Vec<u8> {
    let mut out = Vec::with_capacity(size(entries));
    out.extend_from_slice(&(entries.len() as u32).to_be_bytes());
    for (k, v) in entries {
        out.extend_from_slice(&(k.len() as u32).to_be_bytes());
        out.extend_from_slice(k);
        out.extend_from_slice(&(v.len() as u32).to_be_bytes());
        out.extend_from_slice(v);
    }
    out
}

/// The number of entries a stored chunk says it holds (0 for a cut one).
pub(super) fn chunk_len(bytes: &[u8]) -> u64 {
    bytes
        .get(..4)
        .and_then(|b| b.try_into().ok())
        .map_or(0, |b| u64::from(u32::from_be_bytes(b)))
}

/// Calls `visit` with each entry of an encoded chunk, in order, while it returns true.
/// None when the encoding is cut short (as far as it was read).
fn walk_chunk(mut bytes: &[u8], mut visit: impl FnMut(&[u8], &[u8]) -> bool) -> Option<()> {
    fn take<'a>(bytes: &mut &'a [u8], n: usize) -> Option<&'a [u8]> {
        if bytes.len() < n {
            return None;
        }
        let (head, tail) = bytes.split_at(n);
        *bytes = tail;
        Some(head)
    }
    fn length(bytes: &mut &[u8]) -> Option<usize> {
        Some(u32::from_be_bytes(take(bytes, 4)?.try_into().ok()?) as usize)
    }
    let count = length(&mut bytes)?;
    for _ in 0..count {
        let klen = length(&mut bytes)?;
        let key = take(&mut bytes, klen)?;
        let vlen = length(&mut bytes)?;
        let value = take(&mut bytes, vlen)?;
        if !visit(key, value) {
            return Some(());
        }
    }
    bytes.is_empty().then_some(())
}

pub(super) fn decode_chunk(bytes: &[u8]) -> Option<Vec<Entry>> {
    let mut entries = Vec::with_capacity(chunk_len(bytes).min(bytes.len() as u64 / 8) as usize);
    walk_chunk(bytes, |k, v| {
        entries.push((k.to_vec(), v.to_vec()));
        true
    })?;
    Some(entries)
}

#[cfg(test)]
mod tests;
