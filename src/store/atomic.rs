//! Changes to several trees at once, all or nothing, without sled transactions.
//!
//! A sled transaction writes its log buffer out twice (it rolls the buffer before and after
//! pinning its batch record), and each of those is a `pwrite` and a `sync_file_range` that
//! waits for the disk. With one transaction per step, that IO was most of what a step cost,
//! and the engine's group commit could not share it between steps.
//!
//! A change here gathers its writes first. Then it stores them as one record under one key of
//! the `journal` tree (a single insert is atomic in sled), applies them key by key, and
//! removes the record; all of it lands in the log buffer the next flush writes. After a crash
//! sled recovers a prefix of its log, so a change is either wholly absent, or whole, or its
//! record survived and [`replay`] applies it again when the store opens. Every write in a
//! record is a whole value or a removal, so applying one twice is harmless.
//!
//! Changes are made one at a time, so a read-modify-write in one never races another; one
//! that fails or panics half-way is completed from its record before the next one starts.
//! Readers that need several keys to agree (the packed indexes, the outbox queue and its
//! items) hold the index lock's read side, and writers hold its write side around a change.

use super::StoreError;
use sled::transaction::{
    ConflictableTransactionError, TransactionError, UnabortableTransactionError,
};
use sled::IVec;
use std::cell::RefCell;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;

/// The tree that holds the change being applied, and its one key.
pub(super) const JOURNAL: &str = "journal";
const PENDING: &[u8] = b"pending";

/// One write of a change: tree (by position), key, and the new value or `None` to remove.
type Op = (usize, IVec, Option<IVec>);

/// Makes changes one at a time; see the module comment.
#[derive(Debug)]
pub(super) struct Changes {
    db: sled::Db,
    journal: sled::Tree,
    one_at_a_time: Mutex<()>,
    /// Set while a change is being applied: still set at the next change when the last one
    /// failed or panicked half-way, which then applies its record before anything else.
    unfinished: AtomicBool,
}

/// One tree as a change sees it: what the change wrote so far, over what the tree holds.
pub(super) struct ChangeTree<'a> {
    tree: &'a sled::Tree,
    index: usize,
    ops: &'a RefCell<Vec<Op>>,
}

type OpResult<T> = Result<T, UnabortableTransactionError>;

impl ChangeTree<'_> {
    fn written(&self, key: &[u8]) -> Option<Option<IVec>> {
        self.ops
            .borrow()
            .iter()
            .rev()
            .find(|(index, k, _)| *index == self.index && k.as_ref() == key)
            .map(|(_, _, v)| v.clone())
    }

    pub(super) fn get<K: AsRef<[u8]>>(&self, key: K) -> OpResult<Option<IVec>> {
        let key = key.as_ref();
        match self.written(key) {
            Some(value) => Ok(value),
            None => Ok(self.tree.get(key)?),
        }
    }

    pub(super) fn insert<K, V>(&self, key: K, value: V) -> OpResult<()>
    where
        K: AsRef<[u8]> + Into<IVec>,
        V: Into<IVec>,
    {
        self.ops
            .borrow_mut()
            .push((self.index, key.into(), Some(value.into())));
        Ok(())
    }

    pub(super) fn remove<K>(&self, key: K) -> OpResult<()>
    where
        K: AsRef<[u8]> + Into<IVec>,
    {
        self.ops.borrow_mut().push((self.index, key.into(), None));
        Ok(())
    }

    /// Removes `key`, returning what it held (a read that a plain removal doesn't pay).
    pub(super) fn take<K>(&self, key: K) -> OpResult<Option<IVec>>
    where
        K: AsRef<[u8]> + Into<IVec>,
    {
        let old = self.get(key.as_ref())?;
        self.remove(key)?;
        Ok(old)
    }
}

impl Changes {
    pub(super) fn open(db: &sled::Db) -> Result<Changes, sled::Error> {
        Ok(Changes {
            db: db.clone(),
            journal: db.open_tree(JOURNAL)?,
            one_at_a_time: Mutex::new(()),
            unfinished: AtomicBool::new(false),
        })
    }

    /// Runs `change` against `trees` and applies what it wrote, all or nothing. Nothing is
    /// written when it returns an error. The caller flushes.
    pub(super) fn apply<T, E>(
        &self,
        trees: &[sled::Tree],
        change: impl FnOnce(&[ChangeTree<'_>]) -> Result<T, ConflictableTransactionError<E>>,
    ) -> Result<T, TransactionError<E>> {
        let _one = self
            .one_at_a_time
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if self.unfinished.load(Ordering::Acquire) {
            apply_pending(&self.db).map_err(|e| {
                TransactionError::Storage(sled::Error::ReportableBug(format!(
                    "completing a change that failed half-way: {e}"
                )))
            })?;
            self.unfinished.store(false, Ordering::Release);
        }
        let ops = RefCell::new(Vec::new());
        let views: Vec<ChangeTree<'_>> = trees
            .iter()
            .enumerate()
            .map(|(index, tree)| ChangeTree {
                tree,
                index,
                ops: &ops,
            })
            .collect();
        let value = match change(&views) {
            Ok(value) => value,
            Err(ConflictableTransactionError::Abort(e)) => return Err(TransactionError::Abort(e)),
            Err(ConflictableTransactionError::Storage(e)) => {
                return Err(TransactionError::Storage(e))
            }
            // Only sled's own transactions report conflicts; changes here never meet one.
            Err(_) => {
                return Err(TransactionError::Storage(sled::Error::ReportableBug(
                    "a change reported a conflict".into(),
                )))
            }
        };
        drop(views);
        let ops = ops.into_inner();
        self.write_all(trees, &ops)
            .map_err(TransactionError::Storage)?;
        Ok(value)
    }

    fn write_all(&self, trees: &[sled::Tree], ops: &[Op]) -> Result<(), sled::Error> {
        match ops {
            [] => Ok(()),
            // One key is atomic on its own.
            [(index, key, value)] => write(&trees[*index], key, value),
            _ => {
                self.unfinished.store(true, Ordering::Release);
                self.journal.insert(PENDING, encode(trees, ops))?;
                for (index, key, value) in ops {
                    write(&trees[*index], key, value)?;
                }
                self.journal.remove(PENDING)?;
                self.unfinished.store(false, Ordering::Release);
                Ok(())
            }
        }
    }
}

fn write(tree: &sled::Tree, key: &IVec, value: &Option<IVec>) -> Result<(), sled::Error> {
    match value {
        Some(v) => tree.insert(key, v.clone()).map(drop),
        None => tree.remove(key).map(drop),
    }
}

/// Applies a change whose record outlived a crash (see the module comment), before anything
/// reads the store. Returns whether there was one.
///
/// # Errors
/// Storage failure, or a record that does not decode.
pub(super) fn replay(db: &sled::Db) -> Result<bool, StoreError> {
    let replayed = apply_pending(db)?;
    if replayed {
        db.flush()?;
    }
    Ok(replayed)
}

/// Applies the pending record, if any, and removes it.
fn apply_pending(db: &sled::Db) -> Result<bool, StoreError> {
    let journal = db.open_tree(JOURNAL)?;
    let Some(record) = journal.get(PENDING)? else {
        return Ok(false);
    };
    let (names, ops) = decode(&record).ok_or_else(|| StoreError::Corrupt {
        tree: "journal",
        message: "the pending change does not decode".into(),
    })?;
    let trees = names
        .iter()
        .map(|name| db.open_tree(name))
        .collect::<Result<Vec<_>, _>>()?;
    for (index, key, value) in &ops {
        let tree = trees.get(*index).ok_or_else(|| StoreError::Corrupt {
            tree: "journal",
            message: "the pending change names a tree it does not list".into(),
        })?;
        write(tree, key, value)?;
    }
    journal.remove(PENDING)?;
    Ok(true)
}

// The record: the trees' names, then each write. Lengths are big-endian u32s.
//   u32 trees, per tree: u32 length, name
//   u32 writes, per write: u32 tree, u32 length, key, u8 1 and u32 length, value | u8 0

fn encode(trees: &[sled::Tree], ops: &[Op]) -> Vec<u8> {
    let size = ops
        .iter()
        .map(|(_, k, v)| 13 + k.len() + v.as_ref().map_or(0, |v| 4 + v.len()))
        .sum::<usize>();
    let mut out = Vec::with_capacity(size + 64);
    let put_len = |out: &mut Vec<u8>, n: usize| {
        out.extend_from_slice(&u32::try_from(n).unwrap_or(u32::MAX).to_be_bytes())
    };
    put_len(&mut out, trees.len());
    for tree in trees {
        let name = tree.name();
        put_len(&mut out, name.len());
        out.extend_from_slice(&name);
    }
    put_len(&mut out, ops.len());
    for (index, key, value) in ops {
        put_len(&mut out, *index);
        put_len(&mut out, key.len());
        out.extend_from_slice(key);
        match value {
            Some(v) => {
                out.push(1);
                put_len(&mut out, v.len());
                out.extend_from_slice(v);
            }
            None => out.push(0),
        }
    }
    out
}

fn decode(mut bytes: &[u8]) -> Option<(Vec<IVec>, Vec<Op>)> {
    fn take<'a>(bytes: &mut &'a [u8], n: usize) -> Option<&'a [u8]> {
        if bytes.len() < n {
            return None;
        }
        let (head, rest) = bytes.split_at(n);
        *bytes = rest;
        Some(head)
    }
    fn len(bytes: &mut &[u8]) -> Option<usize> {
        let raw: [u8; 4] = take(bytes, 4)?.try_into().ok()?;
        usize::try_from(u32::from_be_bytes(raw)).ok()
    }
    let bytes = &mut bytes;
    let tree_count = len(bytes)?;
    let mut names = Vec::new();
    for _ in 0..tree_count {
        let n = len(bytes)?;
        names.push(IVec::from(take(bytes, n)?));
    }
    let op_count = len(bytes)?;
    let mut ops = Vec::new();
    for _ in 0..op_count {
        let index = len(bytes)?;
        let n = len(bytes)?;
        let key = IVec::from(take(bytes, n)?);
        let value = match take(bytes, 1)?[0] {
            0 => None,
            1 => {
                let n = len(bytes)?;
                Some(IVec::from(take(bytes, n)?))
            }
            _ => return None,
        };
        ops.push((index, key, value));
    }
    bytes.is_empty().then_some((names, ops))
}

#[cfg(test)]
mod tests;
