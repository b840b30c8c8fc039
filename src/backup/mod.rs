//! Backups and restores of the whole store.
//!
//! # Consistency
//! A running server's snapshot is taken on the engine's writer thread ([`Engine::write`]):
//! while it is copied no step can commit, so the copy holds every step completely or not at
//! all, and every change acknowledged before the backup was asked for. The copy is made in
//! memory (the writer is blocked only while copying, not while the file is written) and then
//! streamed. Without a server, the CLI opens the store itself; the store's lock keeps a
//! server from starting meanwhile.
//!
//! # Modules
//! This one holds the public API: [`Snapshot`], [`write_file`], [`BackupError`].
//! - `format`: the backup file format ([`Snapshot::write_to`], [`verify`]), documented there.
//! - `restore`: [`restore()`] into a data directory, and the marker of an unfinished one.
//! - `client`: [`fetch_from_server`], the CLI asking a running server for a backup.
//! - `routes`: [`admin_backup`], the server's `POST /admin/backup`.
//!
//! The store does the copying and the writing ([`Store::export`], [`crate::store::restore()`]);
//! the admin token and the local-connection check that guard the endpoint are
//! [`crate::admin`]'s.

mod client;
mod format;
mod restore;
mod routes;

use crate::engine::{Engine, EngineError};
use crate::store::{DeskStore, Export, SnapshotError, Store, StoreError, TreeCopy};
use std::path::{Path, PathBuf};

pub use client::fetch_from_server;
pub use format::{verify, Header, Summary, FORMAT, MAGIC};
pub use restore::{check_no_interrupted_restore, restore, RESTORE_MARKER};
pub use routes::admin_backup;

// The admin access that guards `POST /admin/backup`, also named through this module.
pub use crate::admin::{AdminAccess, AdminClient, Refusal, ADMIN_ADDR_FILE, ADMIN_TOKEN_FILE};

#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    #[error("{context}")]
    Io {
        context: String,
        source: std::io::Error,
    },
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Engine(#[from] EngineError),
    /// Copying the store out, or writing the restored one.
    #[error(transparent)]
    StoreCopy(#[from] SnapshotError),
    #[error("{path}: {message}")]
    Format { path: PathBuf, message: String },
    #[error("{path}: checksum mismatch: the file is damaged or was changed (expected {expected}, found {found})")]
    Checksum {
        path: PathBuf,
        expected: String,
        found: String,
    },
    #[error("the backup holds schema version {found}, newer than this frontdesk understands ({supported}); restore it with a newer frontdesk")]
    TooNew { found: u32, supported: u32 },
    #[error(
        "{0} already holds a store; restore into an empty directory, or pass --force to replace it"
    )]
    NotEmpty(PathBuf),
    #[error("{0} is in use by a running frontdesk; stop it before restoring")]
    InUse(PathBuf),
    #[error("no frontdesk store in {0}")]
    NoStore(PathBuf),
    #[error("a restore into {0} did not finish; run `frontdesk restore --force` again before starting frontdesk")]
    InterruptedRestore(PathBuf),
    #[error("the store is in use but the running server can't be reached: {0}")]
    NoServer(String),
    #[error("the server refused the backup ({status}): {message}")]
    Refused { status: u16, message: String },
    #[error("reading the store failed while copying it: {0}")]
    Snapshot(String),
    #[error("restored store differs from the backup: {0}")]
    Verify(String),
}

fn io(context: impl Into<String>) -> impl FnOnce(std::io::Error) -> BackupError {
    let context = context.into();
    move |source| BackupError::Io { context, source }
}

/// Every tree of a store, copied at one instant, with the header its backup file gets.
#[derive(Debug, Clone)]
pub struct Snapshot {
    pub header: Header,
    trees: Vec<TreeCopy>,
}

impl Snapshot {
    /// Copies every tree of `store`. Consistent only if nothing writes meanwhile: call it on
    /// the writer thread ([`snapshot_live`]) or on a store this process alone has open.
    ///
    /// # Errors
    /// Reading the store failed.
    pub fn take(store: &dyn DeskStore) -> Result<Snapshot, BackupError> {
        let Export {
            schema_version,
            id_floor,
            trees,
        } = store.export()?;
        Ok(Snapshot {
            header: Header {
                format: FORMAT,
                frontdesk_version: env!("CARGO_PKG_VERSION").to_string(),
                schema_version,
                created_at: chrono::Utc::now(),
                id_floor,
            },
            trees,
        })
    }

    pub fn requests(&self) -> u64 {
        self.trees
            .iter()
            .flat_map(|(name, entries)| {
                entries
                    .iter()
                    .map(|(_, v)| crate::store::requests_in_exported_entry(name, v))
            })
            .sum()
    }
}

/// Takes a consistent snapshot of a running desk on its writer thread.
///
/// # Errors
/// The engine stopped, or reading the store failed.
pub async fn snapshot_live(engine: &Engine) -> Result<Snapshot, BackupError> {
    engine.write(|store| Snapshot::take(store)).await?
}

/// Writes `snapshot` to `to` through a temporary file (mode 0600: a backup holds everything
/// users wrote), checks what was written, and only then renames it into place.
///
/// # Errors
/// Writing or the check failed; `to` is then left untouched.
pub fn write_file(snapshot: &Snapshot, to: &Path) -> Result<Summary, BackupError> {
    write_file_with(to, |file| snapshot.write_to(file).map(|_| ()))
}

/// Where a backup is written before it is checked and renamed to `to`.
fn partial_path(to: &Path) -> PathBuf {
    let mut name = to.file_name().unwrap_or_default().to_os_string();
    name.push(".partial");
    to.with_file_name(name)
}

fn write_file_with(
    to: &Path,
    fill: impl FnOnce(&mut std::fs::File) -> Result<(), BackupError>,
) -> Result<Summary, BackupError> {
    let partial = partial_path(to);
    let result = (|| {
        let mut file = private_file(&partial)?;
        fill(&mut file)?;
        file.sync_all()
            .map_err(io(format!("writing {}", partial.display())))?;
        drop(file);
        let summary = verify(&partial)?;
        std::fs::rename(&partial, to).map_err(io(format!("renaming to {}", to.display())))?;
        Ok(summary)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&partial);
    }
    result
}

/// Creates (or truncates) `path` readable and writable by this user alone.
fn private_file(path: &Path) -> Result<std::fs::File, BackupError> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options
        .open(path)
        .map_err(io(format!("creating {}", path.display())))
}

/// Whether `dir` holds a frontdesk store.
pub fn store_exists(dir: &Path) -> bool {
    Store::exists(dir)
}

/// True when `err` says a process (possibly this one) holds the store's lock.
pub fn is_locked(err: &StoreError) -> bool {
    matches!(err, StoreError::Locked { .. })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failed_write_leaves_neither_the_file_nor_its_partial() {
        let dir = tempfile::tempdir().unwrap();
        let to = dir.path().join("b");
        std::fs::write(&to, "an older backup\n").unwrap();
        let err = write_file_with(&to, |file| {
            use std::io::Write;
            file.write_all(b"frontdesk-backup 1\n")
                .map_err(io("writing"))
        })
        .unwrap_err();
        assert!(matches!(err, BackupError::Format { .. }), "{err}");
        assert_eq!(std::fs::read_to_string(&to).unwrap(), "an older backup\n");
        assert!(!partial_path(&to).exists());
    }
}
