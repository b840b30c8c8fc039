//! Restoring a backup file into a data directory: the checks of the file before anything
//! is touched, the admin files of the server that ran there, and the marker that keeps a
//! server off a half-written store. Which directories can take a store, which of their
//! files are the store's, and the writing are the store's ([`store::restore()`]).

use super::format::{read_backup, verify, Item, Summary};
use super::{io, BackupError};
use crate::admin::{ADMIN_ADDR_FILE, ADMIN_TOKEN_FILE};
use crate::store::{self, RestoreError, SnapshotError, Store};
use std::path::Path;

/// In the data directory while a restore runs; a server refuses to start while it exists.
pub const RESTORE_MARKER: &str = "restore.incomplete";

/// Restores the backup at `from` into `data_dir`.
///
/// The file is checked completely first. `data_dir` must not hold a store unless `force` is
/// set; with `force` the store in it must not be open in any process, and is replaced. Only
/// the store's own files (`db`, `conf`, `blobs/`, `snap.*`) and frontdesk's admin files are
/// removed: anything else in the directory (`lost+found`, the backup file itself) stays.
/// While the restore runs a marker file keeps a server from starting on a half-written
/// store. At the end the store is opened the normal way and its request count compared with
/// the backup's.
///
/// # Errors
/// The file is not a good backup, the directory is not acceptable, or writing failed.
pub fn restore(from: &Path, data_dir: &Path, force: bool) -> Result<Summary, BackupError> {
    let summary = verify(from)?;
    Store::check_restore_target(data_dir, force)?;
    let marker = data_dir.join(RESTORE_MARKER);
    std::fs::write(&marker, b"a restore is writing this store\n")
        .map_err(io(format!("writing {}", marker.display())))?;
    remove_admin_files(data_dir)?;

    let (store, imported) = store::restore(data_dir, summary.header.id_floor, |import| {
        read_backup(from, |item| {
            match item {
                Item::Tree(name, _) => import.tree(&name)?,
                Item::Kv(k, v) => import.insert(k, v)?,
            }
            Ok(())
        })
    })?;
    // The second read must have seen the very file the first one checked.
    if imported.sha256 != summary.sha256 {
        return Err(BackupError::Verify(
            "the backup file changed while it was being restored".into(),
        ));
    }
    let requests = store.request_count() as u64;
    if requests != summary.requests {
        return Err(BackupError::Verify(format!(
            "the backup has {} requests, the restored store {requests}",
            summary.requests
        )));
    }
    store.flush()?;
    drop(store);
    std::fs::remove_file(&marker).map_err(io(format!("removing {}", marker.display())))?;
    Ok(summary)
}

impl From<RestoreError> for BackupError {
    fn from(e: RestoreError) -> BackupError {
        match e {
            RestoreError::NotEmpty(dir) => BackupError::NotEmpty(dir),
            RestoreError::InUse(dir) => BackupError::InUse(dir),
            RestoreError::Io { context, source } => BackupError::Io { context, source },
            RestoreError::Write(SnapshotError::IdFloor(floor)) => {
                BackupError::Verify(format!("the backup's id floor {floor} is implausibly high"))
            }
            RestoreError::Write(e) => BackupError::StoreCopy(e),
        }
    }
}

/// The admin files of the server that ran on the replaced store: its token and address, and
/// what a write of them left behind.
fn is_admin_file(name: &std::ffi::OsStr) -> bool {
    let text = name.to_string_lossy();
    let admin_tmp = text.starts_with("admin.") && text.ends_with(".tmp");
    name == ADMIN_TOKEN_FILE || name == ADMIN_ADDR_FILE || admin_tmp
}

fn remove_admin_files(dir: &Path) -> Result<(), BackupError> {
    crate::store::remove_entries(dir, is_admin_file)
        .map_err(|(context, source)| BackupError::Io { context, source })
}

/// Refuses a data directory a restore did not finish in.
///
/// # Errors
/// The restore marker is there.
pub fn check_no_interrupted_restore(data_dir: &Path) -> Result<(), BackupError> {
    if data_dir.join(RESTORE_MARKER).exists() {
        Err(BackupError::InterruptedRestore(data_dir.to_path_buf()))
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::super::{is_locked, write_file, Snapshot};
    use super::*;
    use crate::store::StoreError;

    #[test]
    fn a_snapshot_round_trips_through_the_file_format() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("data")).unwrap();
        store.kv_put("extra", b"k\0\xff", b"v\n\"").unwrap();
        let snapshot = Snapshot::take(&store).unwrap();
        let file = dir.path().join("b");
        let written = write_file(&snapshot, &file).unwrap();
        drop(store);
        let target = dir.path().join("restored");
        assert_eq!(restore(&file, &target, false).unwrap(), written);
        let restored = Store::open(&target).unwrap();
        assert_eq!(
            restored.kv_get("extra", b"k\0\xff").unwrap().as_deref(),
            Some(&b"v\n\""[..])
        );
        assert!(restored.generate_id().unwrap() >= snapshot.header.id_floor);
        assert!(!target.join(RESTORE_MARKER).exists());
    }

    #[test]
    fn a_store_open_in_this_process_is_locked_and_not_restored_over() {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("data");
        let store = Store::open(&data).unwrap();
        store.kv_put("extra", b"k", b"before").unwrap();
        let file = dir.path().join("b");
        write_file(&Snapshot::take(&store).unwrap(), &file).unwrap();
        let err = Store::open(&data).unwrap_err();
        assert!(is_locked(&err), "{err:?}");
        assert!(matches!(
            restore(&file, &data, true),
            Err(BackupError::InUse(_))
        ));
        store.kv_put("extra", b"k", b"after").unwrap();
        drop(store);
        // Closed: the lock is free at once, and a forced restore replaces the store.
        restore(&file, &data, true).unwrap();
        let restored = Store::open(&data).unwrap();
        assert_eq!(
            restored.kv_get("extra", b"k").unwrap().as_deref(),
            Some(&b"before"[..])
        );
        assert!(!is_locked(&StoreError::Corrupt {
            tree: "meta",
            message: "x".into()
        }));
    }

    #[test]
    fn an_implausible_id_floor_fails_the_restore_and_leaves_the_marker() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("data")).unwrap();
        let mut snapshot = Snapshot::take(&store).unwrap();
        drop(store);
        snapshot.header.id_floor = 1 << 41;
        let file = dir.path().join("b");
        write_file(&snapshot, &file).unwrap();
        let target = dir.path().join("restored");
        let err = restore(&file, &target, false).unwrap_err();
        assert!(matches!(err, BackupError::Verify(_)), "{err:?}");
        assert_eq!(
            err.to_string(),
            "restored store differs from the backup: the backup's id floor 2199023255552 is implausibly high"
        );
        assert!(target.join(RESTORE_MARKER).exists());
        assert!(check_no_interrupted_restore(&target).is_err());
        assert!(!Store::in_use(&target));
    }

    #[test]
    fn only_the_admin_files_are_removed_beside_the_store() {
        for name in ["admin.token", "admin.addr", "admin.token.tmp"] {
            assert!(is_admin_file(name.as_ref()), "{name}");
        }
        // The store's own files are the store's to remove (`store::restore`).
        for name in ["db", "conf", "lost+found", "kept.backup", RESTORE_MARKER] {
            assert!(!is_admin_file(name.as_ref()), "{name}");
        }
    }

    #[test]
    fn a_forced_restore_replaces_the_store_and_admin_files_and_keeps_the_rest() {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("data");
        let store = Store::open(&data).unwrap();
        store.kv_put("extra", b"k", b"backed up").unwrap();
        let file = dir.path().join("b");
        write_file(&Snapshot::take(&store).unwrap(), &file).unwrap();
        drop(store);
        for name in [ADMIN_TOKEN_FILE, ADMIN_ADDR_FILE, "lost+found"] {
            std::fs::write(data.join(name), "x").unwrap();
        }
        restore(&file, &data, true).unwrap();
        assert!(!data.join(ADMIN_TOKEN_FILE).exists());
        assert!(!data.join(ADMIN_ADDR_FILE).exists());
        assert!(data.join("lost+found").exists());
        assert!(!data.join(RESTORE_MARKER).exists());
        let restored = Store::open(&data).unwrap();
        assert_eq!(
            restored.kv_get("extra", b"k").unwrap().as_deref(),
            Some(&b"backed up"[..])
        );
    }
}
