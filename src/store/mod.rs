//! The durable store on sled. This module alone knows the trees, the key encodings and the
//! value formats. Writes that change what users see go through [`Store::commit_step`] as one
//! change (state, outbox items, timers and the webhook's event id together; see `atomic`),
//! so a crash leaves either all of a step or none of it.
//!
//! Trees: `request_chunks`, `counters`, `sessions`, `by_requester_chunks`,
//! `by_status_chunks`, `by_post_chunks`, `timer_chunks`, `timer_owner_chunks`, `outbox`,
//! `outbox_queue`, `outbox_by_lane`, `dead_letters`, `seen`, `meta`, `audit` (see
//! `audit`: every transition, hash-chained), `weekly_figures` (see `figures`),
//! `active_requests` (see `active`), `journal` (see `atomic`: the change being applied,
//! empty between changes). The `_chunks` trees
//! are `packed` maps: sled keeps memory resident per key, and packing lets a million
//! requests and pending reminders cost the process about what a thousand do. The outbox's
//! trees are transient and stay one key per item (see `outbox`). With an encryption key,
//! what people wrote is sealed before it is stored (see `seal`).

mod active;
mod atomic;
mod audit;
mod backend;
#[cfg(test)]
mod conformance;
mod figures;
mod keys;
mod lock;
mod migrate;
mod outbox;
mod packed;
mod read;
mod restore;
mod seal;
mod sealing;
mod snapshot;
mod write;

use crate::core::{
    Outgoing, Platform, PostRef, Request, RequestId, Session, Status, SurveyState, Timer,
    Timestamp, UserRef,
};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};

pub use active::ActiveRequest;
pub use audit::{AuditEntry, AuditProblem, AuditRecord, AuditReport};
pub use backend::DeskStore;
pub use figures::{minutes_up, WeekFigures};
pub use keys::TimerId;
pub use outbox::DeliverySession;
pub use restore::{remove_entries, restore, RestoreError};
use seal::Content;
pub use seal::{Keys, SealError, KEY_VAR, OLD_KEYS_VAR};
pub use sealing::Resealed;
pub use snapshot::{Export, Import, SnapshotError, TreeCopy};
pub use write::{CommitOutcome, StepWrite};

/// Bump when the stored format changes, and teach `Store::migrate` the step.
pub const SCHEMA_VERSION: u32 = 5;

/// Entries per chunk of a packed index: a chunk stays a few kilobytes, and sled's per-key
/// memory is paid once per 32 entries.
const CHUNK: usize = 32;
const CHUNK_BYTES: usize = 8 * 1024;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("opening the store at {path}")]
    Open {
        path: PathBuf,
        #[source]
        source: BackendError,
    },
    /// Another handle holds the directory's lock: a running server, or a store this process
    /// has open. `source` is the storage engine's report of it, which is what users are shown.
    #[error("opening the store at {path}")]
    Locked {
        path: PathBuf,
        #[source]
        source: BackendError,
    },
    /// The storage engine failed a read or a write.
    #[error("store I/O")]
    Backend(#[source] BackendError),
    #[error("corrupt value in tree {tree}: {message}")]
    Corrupt { tree: &'static str, message: String },
    #[error("the data in {path} has schema version {found}, newer than this frontdesk understands ({supported}); upgrade frontdesk")]
    TooNew {
        path: PathBuf,
        found: u32,
        supported: u32,
    },
    /// The content is encrypted and the keys given don't open it (or a key is unusable).
    #[error(transparent)]
    Sealed(#[from] SealError),
    #[error("counter for {prefix} is {found}, expected to allocate {wanted}")]
    CounterMismatch {
        prefix: String,
        found: u64,
        wanted: u64,
    },
}

/// A storage engine's own error, kept as the cause of a [`StoreError`] so that the error's
/// type names no engine: the next backend brings its own.
pub type BackendError = Box<dyn std::error::Error + Send + Sync>;

impl From<sled::Error> for StoreError {
    fn from(e: sled::Error) -> Self {
        StoreError::Backend(Box::new(e))
    }
}

/// A message waiting to be delivered, with its retry state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutboxItem {
    pub id: u64,
    pub platform: Platform,
    pub outgoing: Outgoing,
    pub created_at: Timestamp,
    pub attempts: u32,
    pub next_attempt_at: Timestamp,
    #[serde(default)]
    pub last_error: Option<String>,
    /// A delivery attempt started and its outcome was never recorded: the platform may have
    /// the message already (the process died, or the call timed out after Slack took it).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub sending: bool,
}

impl OutboxItem {
    /// The conversation lane the item waits in: its messages go out one at a time, in order.
    pub fn lane(&self) -> String {
        self.outgoing.conversation().key()
    }
}

#[derive(Clone)]
pub struct Store {
    db: sled::Db,
    path: PathBuf,
    requests: packed::Packed,
    counters: sled::Tree,
    sessions: sled::Tree,
    by_requester: packed::Packed,
    by_status: packed::Packed,
    by_post: packed::Packed,
    timers: packed::Packed,
    timer_owners: packed::Packed,
    outbox: sled::Tree,
    outbox_queue: sled::Tree,
    outbox_by_lane: sled::Tree,
    dead_letters: sled::Tree,
    seen: sled::Tree,
    meta: sled::Tree,
    audit: sled::Tree,
    /// Set when content is encrypted at rest (see [`seal`]).
    keys: Option<Arc<Keys>>,
    /// Every write that spans several keys goes through it (see [`atomic`]).
    changes: Arc<atomic::Changes>,
    weekly: sled::Tree,
    /// The active requests' index entries (see [`active`]).
    active: sled::Tree,
    /// Writers hold it from planning a change of the indexes to applying it; readers that
    /// need several keys to agree (a packed chunk moving, an outbox item and its queue
    /// entry) hold its read side.
    index_lock: Arc<RwLock<()>>,
    /// Last: fields drop in order, so the last clone's sled handles are gone when this
    /// waits for the directory's lock to be let go of.
    _release: Arc<lock::Release>,
}

/// The directory only: sled's handles would print every entry of every tree.
impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store")
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

/// How many requests one entry of an exported tree holds: backups count requests without
/// knowing how the store packs them.
pub fn requests_in_exported_entry(tree: &[u8], value: &[u8]) -> u64 {
    match tree {
        // Schema 1 kept one request per key.
        b"requests" => 1,
        b"request_chunks" => packed::chunk_len(value),
        _ => 0,
    }
}

fn decode<T: for<'de> Deserialize<'de>>(tree: &'static str, bytes: &[u8]) -> Result<T, StoreError> {
    serde_json::from_slice(bytes).map_err(|e| StoreError::Corrupt {
        tree,
        message: e.to_string(),
    })
}

fn encode<T: Serialize>(value: &T) -> Vec<u8> {
    serde_json::to_vec(value).expect("store values are plain data and always serialise")
}

impl Store {
    /// Encodes a value that holds people's words, sealing them when the store is encrypted.
    fn encode_content<T: Serialize>(&self, content: Content, value: &T) -> Vec<u8> {
        match &self.keys {
            None => encode(value),
            Some(keys) => {
                let mut v = serde_json::to_value(value).expect("store values serialise");
                seal::seal(keys, content, &mut v);
                encode(&v)
            }
        }
    }

    /// Decodes a value written by [`Store::encode_content`].
    fn decode_content<T: for<'de> Deserialize<'de>>(
        &self,
        tree: &'static str,
        content: Content,
        bytes: &[u8],
    ) -> Result<T, StoreError> {
        match &self.keys {
            None => decode(tree, bytes),
            Some(keys) => {
                let mut v: serde_json::Value = decode(tree, bytes)?;
                seal::open(keys, content, &mut v)?;
                serde_json::from_value(v).map_err(|e| StoreError::Corrupt {
                    tree,
                    message: e.to_string(),
                })
            }
        }
    }
}

impl Store {
    /// Opens (or creates) the store in `dir`, migrating older data.
    ///
    /// Dropping the last clone of the store closes it: that returns once the directory's
    /// lock is free again, so the store can be opened again right away.
    ///
    /// # Errors
    /// The directory can't be opened ([`StoreError::Locked`] when a process, this one
    /// included, has it open; permissions) or holds data from a newer version.
    pub fn open(dir: &Path) -> Result<Store, StoreError> {
        Store::open_with_keys(dir, Keys::from_env()?)
    }

    /// Opens the store in `dir` with these encryption keys (see `seal`): the content of a
    /// store opened with keys for the first time is sealed under the current key then.
    ///
    /// # Errors
    /// As [`Store::open`]; also [`StoreError::Sealed`] when the store is encrypted and
    /// `keys` is `None` or doesn't open it.
    pub fn open_with_keys(dir: &Path, keys: Option<Keys>) -> Result<Store, StoreError> {
        let db = sled::Config::new()
            .path(dir)
            .mode(sled::Mode::HighThroughput)
            // sled caches up to 1 GiB by default; a help desk's working set is far smaller.
            .cache_capacity(64 * 1024 * 1024)
            .open()
            .map_err(|source| lock::open_error(dir, source))?;
        // A change cut short by a crash is completed before anything reads the store.
        if atomic::replay(&db)? {
            tracing::info!("completed a change that a crash had cut short");
        }
        let tree = |name: &str| db.open_tree(name);
        // One lock for all indexes: a step's plan spans several of them.
        let index_lock = Arc::new(RwLock::new(()));
        let packed = |name: &'static str| -> Result<packed::Packed, sled::Error> {
            Ok(packed::Packed::new(
                db.open_tree(name)?,
                name,
                CHUNK,
                CHUNK_BYTES,
                index_lock.clone(),
            ))
        };
        let store = Store {
            requests: packed("request_chunks")?,
            counters: tree("counters")?,
            sessions: tree("sessions")?,
            by_requester: packed("by_requester_chunks")?,
            by_status: packed("by_status_chunks")?,
            by_post: packed("by_post_chunks")?,
            timers: packed("timer_chunks")?,
            timer_owners: packed("timer_owner_chunks")?,
            outbox: tree("outbox")?,
            outbox_queue: tree("outbox_queue")?,
            outbox_by_lane: tree("outbox_by_lane")?,
            dead_letters: tree("dead_letters")?,
            seen: tree("seen")?,
            meta: tree("meta")?,
            audit: tree("audit")?,
            keys: keys.map(Arc::new),
            changes: Arc::new(atomic::Changes::open(&db)?),
            weekly: tree(figures::TREE)?,
            active: tree(active::TREE)?,
            index_lock,
            path: dir.to_path_buf(),
            db,
            _release: Arc::new(lock::Release::new(dir)),
        };
        store.migrate()?;
        store.check_keys()?;
        Ok(store)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn schema_version(&self) -> Result<Option<u32>, StoreError> {
        Ok(self
            .meta
            .get("schema_version")?
            .and_then(|v| v.as_ref().try_into().ok().map(u32::from_be_bytes)))
    }

    /// Makes every write so far durable. Returns once the data is on disk.
    pub fn flush(&self) -> Result<(), StoreError> {
        self.db.flush()?;
        Ok(())
    }

    pub fn generate_id(&self) -> Result<u64, StoreError> {
        Ok(self.db.generate_id()?)
    }
}

#[cfg(test)]
mod tests;
