//! Changing a packed index inside a transaction: an [`Edit`] collects inserts and removals, and
//! a [`Plan`] says which chunks to rewrite, split or drop.

use super::*;

/// Planned changes to a [`Packed`] map: the chunks it touched, as they will be.
pub(in crate::store) struct Edit<'p> {
    pub(super) packed: &'p Packed,
    /// Keys of the chunks read from the tree; the ones not rewritten are deleted.
    pub(super) loaded: BTreeSet<Vec<u8>>,
    /// The touched chunks by their current first key.
    pub(super) chunks: BTreeMap<Vec<u8>, Vec<Entry>>,
    pub(super) delta: i64,
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

    pub(in crate::store) fn insert(
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
    pub(in crate::store) fn get(&mut self, key: &[u8]) -> Result<Option<Vec<u8>>, StoreError> {
        let Some(at) = self.locate(key)? else {
            return Ok(None);
        };
        let entries = &self.chunks[&at];
        Ok(entries
            .binary_search_by(|(k, _)| k.as_slice().cmp(key))
            .ok()
            .map(|i| entries[i].1.clone()))
    }

    pub(in crate::store) fn remove(&mut self, key: &[u8]) -> Result<Option<Vec<u8>>, StoreError> {
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

    pub(in crate::store) fn finish(self) -> Plan {
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
pub(in crate::store) struct Plan {
    len_key: Vec<u8>,
    deletes: Vec<Vec<u8>>,
    puts: Vec<(Vec<u8>, Vec<u8>)>,
    delta: i64,
}

impl Plan {
    pub(in crate::store) fn apply<E>(
        &self,
        tree: &ChangeTree<'_>,
        meta: &ChangeTree<'_>,
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
