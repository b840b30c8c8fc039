//! Restoring a whole store into a directory: which directories can take one, clearing the
//! store's own files out of the way (nothing else in the directory), and writing the copied
//! trees in through an [`Import`]. What a backup file looks like, and the marker that keeps
//! a server off a half-written store, are the caller's (`crate::backup`).

use super::snapshot::{is_store_file, Import};
use super::{SnapshotError, Store};
use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum RestoreError {
    /// The directory holds a store and replacing it was not asked for.
    #[error("{0} already holds a store")]
    NotEmpty(PathBuf),
    /// The directory's store is open in a process, this one included.
    #[error("{0} is in use by a running frontdesk")]
    InUse(PathBuf),
    #[error("{context}")]
    Io {
        context: String,
        source: std::io::Error,
    },
    /// Writing the restored store, or opening it afterwards.
    #[error(transparent)]
    Write(#[from] SnapshotError),
}

fn io(context: String) -> impl FnOnce(std::io::Error) -> RestoreError {
    move |source| RestoreError::Io { context, source }
}

impl Store {
    /// Checks that `dir` can take a restored store, creating it if it does not exist: it
    /// holds no store, or (with `replace`) one that no process has open.
    ///
    /// # Errors
    /// [`RestoreError::NotEmpty`], [`RestoreError::InUse`], or the directory can't be read.
    pub fn check_restore_target(dir: &Path, replace: bool) -> Result<(), RestoreError> {
        if !dir.exists() {
            return std::fs::create_dir_all(dir).map_err(io(format!("creating {}", dir.display())));
        }
        let mut occupied = false;
        for entry in std::fs::read_dir(dir).map_err(io(format!("reading {}", dir.display())))? {
            let entry = entry.map_err(io(format!("reading {}", dir.display())))?;
            if is_store_file(&entry.file_name()) {
                occupied = true;
            }
        }
        if !occupied {
            return Ok(());
        }
        if !replace {
            return Err(RestoreError::NotEmpty(dir.to_path_buf()));
        }
        // A free lock proves no server runs on it. Only the lock is tried, not the store
        // opened: a store too broken to open is what replacing it is for.
        if Store::in_use(dir) {
            return Err(RestoreError::InUse(dir.to_path_buf()));
        }
        Ok(())
    }
}

/// Replaces the store in `dir` (checked with [`Store::check_restore_target`]) with one
/// written by `fill`: the store's own files (`db`, `conf`, `blobs/`, `snap.*`) are removed,
/// anything else in the directory stays. `fill` hands the copied trees to the [`Import`];
/// then the id generator moves past `id_floor` (see [`super::Export::id_floor`]) and the
/// store is opened the normal way, migrations included. Returns it with what `fill`
/// returned.
///
/// # Errors
/// Removing the old files or writing failed, `fill` failed, the id floor is implausibly
/// high ([`SnapshotError::IdFloor`]) or the restored store can't be opened. The directory
/// then holds a partial store, and nothing has it open.
pub fn restore<T, E>(
    dir: &Path,
    id_floor: u64,
    fill: impl FnOnce(&mut Import) -> Result<T, E>,
) -> Result<(Store, T), E>
where
    E: From<RestoreError>,
{
    remove_store_files(dir)?;
    let mut import = Import::create(dir).map_err(RestoreError::from)?;
    let filled = fill(&mut import)?;
    let store = import.finish(id_floor).map_err(RestoreError::from)?;
    Ok((store, filled))
}

fn remove_store_files(dir: &Path) -> Result<(), RestoreError> {
    remove_entries(dir, is_store_file)
        .map_err(|(context, source)| RestoreError::Io { context, source })
}

/// Removes the files and directories in `dir` whose names `matches` picks, leaving the rest.
///
/// # Errors
/// What failed ("reading …", "removing …") with its cause; entries before it are gone.
pub fn remove_entries(
    dir: &Path,
    matches: impl Fn(&std::ffi::OsStr) -> bool,
) -> Result<(), (String, std::io::Error)> {
    let reading = |e| (format!("reading {}", dir.display()), e);
    for entry in std::fs::read_dir(dir).map_err(reading)? {
        let entry = entry.map_err(reading)?;
        if !matches(&entry.file_name()) {
            continue;
        }
        let path = entry.path();
        let removed = if entry.file_type().map(|t| t.is_dir()).unwrap_or(false) {
            std::fs::remove_dir_all(&path)
        } else {
            std::fs::remove_file(&path)
        };
        removed.map_err(|e| (format!("removing {}", path.display()), e))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn copy_into(import: &mut Import, from: &Store) -> Result<(), RestoreError> {
        for (name, entries) in from.export()?.trees {
            import.tree(&name)?;
            for (k, v) in entries {
                import.insert(k, v)?;
            }
        }
        Ok(())
    }

    #[test]
    fn a_store_in_use_or_not_to_be_replaced_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("data");
        Store::check_restore_target(&data, false).unwrap();
        assert!(data.is_dir(), "a missing directory is created");
        let store = Store::open(&data).unwrap();
        assert!(matches!(
            Store::check_restore_target(&data, false),
            Err(RestoreError::NotEmpty(_))
        ));
        assert!(matches!(
            Store::check_restore_target(&data, true),
            Err(RestoreError::InUse(_))
        ));
        drop(store);
        Store::check_restore_target(&data, true).unwrap();
    }

    #[test]
    fn a_restore_replaces_only_the_stores_files() {
        let dir = tempfile::tempdir().unwrap();
        let source = Store::open(&dir.path().join("source")).unwrap();
        source.kv_put("extra", b"k", b"restored").unwrap();
        let floor = source.export().unwrap().id_floor;
        let data = dir.path().join("data");
        let old = Store::open(&data).unwrap();
        old.kv_put("extra", b"k", b"replaced").unwrap();
        old.kv_put("other", b"k", b"gone too").unwrap();
        drop(old);
        std::fs::write(data.join("kept.txt"), "not the store's").unwrap();

        Store::check_restore_target(&data, true).unwrap();
        let (restored, ()) = restore(&data, floor, |import| copy_into(import, &source)).unwrap();
        assert_eq!(
            restored.kv_get("extra", b"k").unwrap().as_deref(),
            Some(&b"restored"[..])
        );
        assert_eq!(restored.kv_get("other", b"k").unwrap(), None);
        assert!(restored.generate_id().unwrap() >= floor);
        assert_eq!(
            std::fs::read_to_string(data.join("kept.txt")).unwrap(),
            "not the store's"
        );
    }

    #[test]
    fn a_failed_fill_leaves_the_directory_free() {
        let dir = tempfile::tempdir().unwrap();
        let result: Result<(Store, ()), RestoreError> = restore(dir.path(), 0, |_| {
            Err(RestoreError::Io {
                context: "reading the copy".into(),
                source: std::io::Error::other("gone"),
            })
        });
        assert!(matches!(result, Err(RestoreError::Io { .. })));
        assert!(!Store::in_use(dir.path()));
    }
}
