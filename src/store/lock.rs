//! The lock on a store's directory.
//!
//! sled takes an exclusive advisory lock (`flock`) on `<dir>/db` when it opens a store, and
//! the lock goes with the data file when that is closed. Dropping the last `Db` or `Tree`
//! handle does not close it at once: sled's I/O threads finish the writes they were given
//! while holding the file, so for a moment after the drop the directory is still locked
//! and an immediate reopen fails. [`Release`] waits that moment out when a store is
//! dropped, so code that closes a store and opens it again never sees its own lock.
//!
//! sled reports a held lock as `io::ErrorKind::Other`, with the lock call's `WouldBlock`
//! only in the message text, so [`open_error`] tells the case by trying the lock itself.

use super::{Store, StoreError};
use std::fs::{File, TryLockError};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// The longest a dropped store waits for sled to let go of its lock. Normally that takes
/// a few milliseconds at most; the wait runs this long only if another process took the
/// lock the moment it was free.
const RELEASE_PATIENCE: Duration = Duration::from_secs(5);

/// What a failed `sled::Config::open` means: [`StoreError::Locked`] when the directory's
/// lock is held, [`StoreError::Open`] for anything else.
pub(super) fn open_error(dir: &Path, source: sled::Error) -> StoreError {
    let path = dir.to_path_buf();
    if matches!(source, sled::Error::Io(_)) && lock_held(dir) {
        StoreError::Locked {
            path,
            source: Box::new(source),
        }
    } else {
        StoreError::Open {
            path,
            source: Box::new(source),
        }
    }
}

/// Whether an open handle, in this process or another, holds the lock on the store in
/// `dir`. Tries the same lock sled takes (`flock`, as `File::try_lock` does on Unix), on a
/// file of its own, and lets go of it at once: `flock` locks belong to an open file, so
/// this one conflicts with sled's even within one process, and closing it leaves sled's
/// alone. A free lock is held for those few microseconds.
fn lock_held(dir: &Path) -> bool {
    let Ok(file) = File::open(dir.join("db")) else {
        return false; // no store there (yet)
    };
    match file.try_lock() {
        Ok(()) => {
            let _ = file.unlock();
            false
        }
        Err(TryLockError::WouldBlock) => true,
        // A file system without locks: sled could not have locked it either.
        Err(TryLockError::Error(_)) => false,
    }
}

/// Waits, at most `patience`, until nothing holds the lock on the store in `dir`.
/// Returns whether it was let go of.
pub(super) fn wait_released(dir: &Path, patience: Duration) -> bool {
    let deadline = Instant::now() + patience;
    let mut pause = Duration::from_micros(100);
    while lock_held(dir) {
        if Instant::now() >= deadline {
            return false;
        }
        std::thread::sleep(pause);
        pause = (pause * 2).min(Duration::from_millis(10));
    }
    true
}

impl Store {
    /// Whether a process, this one included, has the store in `dir` open.
    pub fn in_use(dir: &Path) -> bool {
        lock_held(dir)
    }
}

/// Shared by every clone of a [`Store`] and declared after its sled handles, so it is
/// dropped last, once every handle of the last clone is gone. It then waits until sled has
/// closed the data file: when the drop of a store returns, its directory can be opened
/// again.
#[derive(Debug)]
pub(super) struct Release {
    dir: PathBuf,
}

impl Release {
    pub(super) fn new(dir: &Path) -> Release {
        Release {
            dir: dir.to_path_buf(),
        }
    }
}

impl Drop for Release {
    fn drop(&mut self) {
        if !wait_released(&self.dir, RELEASE_PATIENCE) {
            tracing::warn!(
                path = %self.dir.display(),
                "the store is still locked after closing it; another process may have opened it"
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Opens the store in a fresh directory `rounds` times, dropping it after each round's
    /// writes. A round writes enough that sled's I/O threads are often still busy with the
    /// store's data file when it is dropped.
    fn reopen_at_once(rounds: u64) {
        let dir = tempfile::tempdir().unwrap();
        let value = |round: u64| vec![round as u8; 3000];
        for round in 0..rounds {
            let store = Store::open(dir.path())
                .unwrap_or_else(|e| panic!("reopening after {round} rounds: {e}"));
            if round > 0 {
                let last = store.kv_get("rounds", b"last").unwrap();
                assert_eq!(last, Some((round - 1).to_be_bytes().to_vec()));
            }
            for i in 0..(round % 7) * 20 {
                store
                    .kv_put("values", &i.to_be_bytes(), &value(round))
                    .unwrap();
            }
            store
                .kv_put("rounds", b"last", &round.to_be_bytes())
                .unwrap();
            store.flush().unwrap();
            drop(store);
        }
    }

    /// Eight directories at once, fifty rounds each. Without the wait in [`Release`] one of
    /// these 400 reopens now and then finds the lock of the store dropped just before (most
    /// runs of this test fail then).
    #[test]
    fn a_dropped_store_reopens_at_once() {
        std::thread::scope(|scope| {
            for _ in 0..8 {
                scope.spawn(|| reopen_at_once(50));
            }
        });
    }

    #[test]
    fn the_lock_goes_with_the_last_clone() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let clone = store.clone();
        drop(store);
        assert!(Store::in_use(dir.path()), "a clone still has it open");
        drop(clone);
        assert!(!Store::in_use(dir.path()));
    }

    #[test]
    fn a_store_open_elsewhere_is_reported_as_locked() {
        let dir = tempfile::tempdir().unwrap();
        assert!(!Store::in_use(dir.path()), "no store yet");
        let store = Store::open(dir.path()).unwrap();
        assert!(Store::in_use(dir.path()));
        match Store::open(dir.path()) {
            Err(StoreError::Locked { path, source }) => {
                assert_eq!(path, dir.path());
                // What users read (the error and its causes) is what sled said, as before.
                let error = StoreError::Locked { path, source };
                let shown = crate::telemetry::chain(&error).to_string();
                assert!(
                    shown.starts_with(&format!("opening the store at {}: ", dir.path().display())),
                    "{shown}"
                );
                assert!(shown.contains("could not acquire lock"), "{shown}");
                assert_eq!(
                    shown.matches("could not acquire lock").count(),
                    1,
                    "{shown}"
                );
            }
            other => panic!("expected Locked, got {other:?}"),
        }
        drop(store);
        assert!(!Store::in_use(dir.path()));
        Store::open(dir.path()).unwrap();
    }

    #[test]
    fn other_open_failures_are_not_reported_as_locked() {
        let dir = tempfile::tempdir().unwrap();
        // A file where the directory should be.
        let file = dir.path().join("data");
        std::fs::write(&file, "not a directory").unwrap();
        match Store::open(&file) {
            Err(StoreError::Open { .. }) => {}
            other => panic!("expected Open, got {other:?}"),
        }
    }

    #[test]
    fn a_storage_engine_failure_is_kept_as_the_cause() {
        let error = StoreError::from(sled::Error::Unsupported("no such thing".into()));
        assert!(matches!(error, StoreError::Backend(_)));
        let cause = std::error::Error::source(&error).expect("a cause");
        assert!(cause.to_string().contains("no such thing"), "{cause}");
        assert_eq!(
            crate::telemetry::chain(&error)
                .to_string()
                .matches("no such thing")
                .count(),
            1
        );
    }
}
