//! Copying a whole store out, and writing one into a fresh directory: what backups and
//! restores need from the store, without their knowing how it keeps its data.
//!
//! [`Store::export`] copies every tree at one instant, with the id floor a restored store
//! must move past. [`Import`] writes trees, in batches, into a directory that holds no
//! store, and [`Import::finish`] hands the result back opened as a normal [`Store`].
//! [`Store::exists`] and [`is_store_file`] know which files of a directory make up a store;
//! [`super::restore()`] puts them together into a restore.

use super::{lock, Store, StoreError};
use std::ffi::OsStr;
use std::panic::AssertUnwindSafe;
use std::path::{Path, PathBuf};

/// Entries written to the new store per batch during an import.
const IMPORT_BATCH: usize = 10_000;
/// An id floor above this is not something frontdesk wrote; refuse rather than spin.
const MAX_ID_FLOOR: u64 = 1 << 40;

/// One tree: its name and its key/value pairs in key order.
pub type TreeCopy = (Vec<u8>, Vec<(Vec<u8>, Vec<u8>)>);

/// Every tree of a store, copied at one instant.
#[derive(Debug, Clone)]
pub struct Export {
    pub schema_version: Option<u32>,
    /// Above every id the store had handed out (outbox items, timers): a store imported
    /// from the copy moves its id generator past it, so its new ids never collide with
    /// copied ones.
    pub id_floor: u64,
    /// In order of their names.
    pub trees: Vec<TreeCopy>,
}

#[derive(Debug, thiserror::Error)]
pub enum SnapshotError {
    #[error(transparent)]
    Store(#[from] StoreError),
    /// Reading the store failed while copying it. sled's export panics on a read error
    /// rather than returning it; this is the panic's message.
    #[error("reading the store failed while copying it: {0}")]
    Read(String),
    #[error("writing the restored store")]
    Write(#[from] sled::Error),
    /// An id floor no store of frontdesk's reaches: moving past it would take for ever.
    #[error("the id floor {0} is implausibly high")]
    IdFloor(u64),
    /// [`Store::import`] into a store that holds data: the two would mix.
    #[error("the store to import into already holds data")]
    NotEmpty,
}

impl Store {
    /// Copies every tree, with the schema version and the id floor. Consistent only if
    /// nothing writes meanwhile: call it on the engine's writer thread, or on a store this
    /// process alone has open.
    ///
    /// # Errors
    /// Reading the store failed.
    pub fn export(&self) -> Result<Export, SnapshotError> {
        let schema_version = self.schema_version()?;
        // Ids are handed out in increasing order; this one is above every id in use.
        let id_floor = self.generate_id()?;
        // Keep a read error, which sled's export reports by panicking, from taking the
        // writer thread down with it.
        let copied = std::panic::catch_unwind(AssertUnwindSafe(|| {
            self.db
                .export()
                .into_iter()
                .filter(|(kind, _, _)| kind.as_slice() == b"tree")
                .map(|(_, name, entries)| {
                    let entries = entries
                        .filter_map(|mut kv| {
                            let v = kv.pop()?;
                            let k = kv.pop()?;
                            Some((k, v))
                        })
                        .collect::<Vec<_>>();
                    (name, entries)
                })
                .collect::<Vec<_>>()
        }));
        let mut trees = copied.map_err(|panic| {
            let message = panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_else(|| "unknown error".into());
            SnapshotError::Read(message)
        })?;
        trees.sort_by(|a, b| a.0.cmp(&b.0));
        Ok(Export {
            schema_version,
            id_floor,
            trees,
        })
    }

    /// Writes `export` into this store, which must hold nothing yet, moves the id generator
    /// past its floor and lifts what came in to the current schema, as opening does. The
    /// in-place counterpart of [`Import`], for a store that is already open.
    ///
    /// # Errors
    /// [`SnapshotError::NotEmpty`], an implausible id floor, or writing failed.
    pub fn import(&self, export: Export) -> Result<(), SnapshotError> {
        {
            let _writing = self.lock_indexes();
            for name in self.db.tree_names() {
                // `meta` of a new store holds its schema version; the export brings its own.
                if name.as_ref() != b"meta" && !self.db.open_tree(&name)?.is_empty() {
                    return Err(SnapshotError::NotEmpty);
                }
            }
            self.meta.clear()?;
            for (name, entries) in export.trees {
                let tree = self.db.open_tree(&name)?;
                let mut batch = sled::Batch::default();
                for (i, (k, v)) in entries.into_iter().enumerate() {
                    batch.insert(k, v);
                    if (i + 1) % IMPORT_BATCH == 0 {
                        tree.apply_batch(std::mem::take(&mut batch))?;
                    }
                }
                tree.apply_batch(batch)?;
            }
            advance_ids(&self.db, export.id_floor)?;
        }
        // Takes the index lock itself.
        self.migrate()?;
        self.flush()?;
        Ok(())
    }

    /// Whether `dir` holds a store (its `conf` and `db` files).
    pub fn exists(dir: &Path) -> bool {
        dir.join("db").is_file() && dir.join("conf").is_file()
    }
}

/// Whether a directory entry is one of a store's own files: `db`, `conf`, `blobs/` and
/// `snap.*`. Anything else in a data directory is not the store's.
pub(super) fn is_store_file(name: &OsStr) -> bool {
    let name = name.to_string_lossy();
    name == "db" || name == "conf" || name == "blobs" || name.starts_with("snap.")
}

/// Writes copied trees into a directory that holds no store: [`Import::tree`] starts a
/// tree, [`Import::insert`] adds an entry to the tree started last, [`Import::finish`]
/// completes the store and opens it. Dropped unfinished, it leaves a partial store behind
/// (the caller marks the directory until it finishes) and lets go of the directory.
pub struct Import {
    dir: PathBuf,
    tree: Option<sled::Tree>,
    batch: sled::Batch,
    in_batch: usize,
    db: sled::Db,
    /// Last: fields drop in order, so the sled handles are gone when this waits for the
    /// directory's lock to be let go of, and the store can be opened at once.
    _release: lock::Release,
}

impl std::fmt::Debug for Import {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Import")
            .field("dir", &self.dir)
            .field("in_batch", &self.in_batch)
            .finish_non_exhaustive()
    }
}

impl Import {
    /// Creates an empty store in `dir` to import into ([`super::restore()`] does, once the
    /// directory is cleared).
    ///
    /// # Errors
    /// The store can't be created.
    pub(super) fn create(dir: &Path) -> Result<Import, SnapshotError> {
        let db = sled::Config::new().path(dir).open()?;
        Ok(Import {
            dir: dir.to_path_buf(),
            tree: None,
            batch: sled::Batch::default(),
            in_batch: 0,
            db,
            _release: lock::Release::new(dir),
        })
    }

    /// Starts the tree `name`: the entries inserted from now on go into it.
    ///
    /// # Errors
    /// Writing failed.
    pub fn tree(&mut self, name: &[u8]) -> Result<(), SnapshotError> {
        self.apply()?;
        self.tree = Some(self.db.open_tree(name)?);
        Ok(())
    }

    /// Adds an entry to the tree started last; entries before any tree are dropped.
    ///
    /// # Errors
    /// Writing failed.
    pub fn insert(&mut self, key: Vec<u8>, value: Vec<u8>) -> Result<(), SnapshotError> {
        self.batch.insert(key, value);
        self.in_batch += 1;
        if self.in_batch >= IMPORT_BATCH {
            self.apply()?;
        }
        Ok(())
    }

    /// Writes the pending batch into the current tree.
    fn apply(&mut self) -> Result<(), SnapshotError> {
        let batch = std::mem::take(&mut self.batch);
        self.in_batch = 0;
        if let Some(tree) = &self.tree {
            tree.apply_batch(batch)?;
        }
        Ok(())
    }

    /// Writes what is pending, moves the id generator past `id_floor` (see
    /// [`Export::id_floor`]), makes everything durable and closes the store, then opens it
    /// the normal way (migrations included).
    ///
    /// # Errors
    /// Writing failed, the id floor is implausibly high ([`SnapshotError::IdFloor`]), or
    /// the store can't be opened.
    pub fn finish(mut self, id_floor: u64) -> Result<Store, SnapshotError> {
        self.apply()?;
        advance_ids(&self.db, id_floor)?;
        self.db.flush()?;
        let dir = self.dir.clone();
        // Waits until the directory's lock is free (see `_release`).
        drop(self);
        Ok(Store::open(&dir)?)
    }
}

/// sled has no way to set its id generator, only to draw from it; draw until past the floor.
/// Cheap: about 10 ns per id (an atomic add, and a write per million); a store restarted
/// daily for years is past a billion ids, a few seconds.
fn advance_ids(db: &sled::Db, floor: u64) -> Result<(), SnapshotError> {
    if floor > MAX_ID_FLOOR {
        return Err(SnapshotError::IdFloor(floor));
    }
    while db.generate_id()? < floor {}
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_export_imports_into_an_equal_store_past_its_id_floor() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("a")).unwrap();
        store.kv_put("extra", b"k\0\xff", b"v").unwrap();
        for i in 0..3u32 {
            store.kv_put("many", &i.to_be_bytes(), b"x").unwrap();
        }
        let export = store.export().unwrap();
        assert!(export.trees.windows(2).all(|w| w[0].0 < w[1].0));
        let target = dir.path().join("b");
        let mut import = Import::create(&target).unwrap();
        for (name, entries) in &export.trees {
            import.tree(name).unwrap();
            for (k, v) in entries {
                import.insert(k.clone(), v.clone()).unwrap();
            }
        }
        let restored = import.finish(export.id_floor).unwrap();
        assert!(Store::exists(&target));
        assert_eq!(
            restored.kv_get("extra", b"k\0\xff").unwrap().as_deref(),
            Some(&b"v"[..])
        );
        assert!(restored.generate_id().unwrap() >= export.id_floor);
        let again = restored.export().unwrap();
        assert_eq!(again.trees, export.trees);
        assert_eq!(again.schema_version, export.schema_version);
    }

    #[test]
    fn an_implausible_id_floor_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let import = Import::create(dir.path()).unwrap();
        assert!(matches!(
            import.finish(MAX_ID_FLOOR + 1),
            Err(SnapshotError::IdFloor(_))
        ));
        // The import let go of the directory when it failed.
        assert!(!Store::in_use(dir.path()));
    }

    #[test]
    fn store_files_are_told_from_others() {
        for name in ["db", "conf", "blobs", "snap.0000001"] {
            assert!(is_store_file(OsStr::new(name)), "{name}");
        }
        for name in ["lost+found", "kept.backup", "admin.token", "database"] {
            assert!(!is_store_file(OsStr::new(name)), "{name}");
        }
        let dir = tempfile::tempdir().unwrap();
        assert!(!Store::exists(dir.path()));
        drop(Store::open(dir.path()).unwrap());
        assert!(Store::exists(dir.path()));
    }
}
