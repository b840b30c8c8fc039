//! Backups and restores of the whole store, and the admin access that lets
//! `frontdesk backup` ask a running server for one.
//!
//! # Consistency
//! A running server's snapshot is taken on the engine's writer thread ([`Engine::write`]):
//! while it is copied no step can commit, so the copy holds every step completely or not at
//! all, and every change acknowledged before the backup was asked for. The copy is made in
//! memory (the writer is blocked only while copying, not while the file is written) and then
//! streamed. Without a server, the CLI opens the store itself; sled's lock keeps a server from
//! starting meanwhile.
//!
//! # File format (version 1)
//! Text, one record per line, so a backup can be inspected with `head` and compresses well:
//! ```text
//! frontdesk-backup 1
//! {"format":1,"frontdesk_version":"0.1.0","schema_version":1,"created_at":"…","id_floor":123}
//! {"tree":{"name":"<base64>","entries":2}}
//! {"kv":["<base64 key>","<base64 value>"]}
//! {"kv":["…","…"]}
//! …
//! {"end":{"trees":14,"entries":345,"requests":100,"sha256":"<hex>"}}
//! ```
//! `sha256` covers every byte before the `end` line; a restore checks it (and every count)
//! before it touches the target directory. `id_floor` is above every id the store had handed
//! out (outbox items, timers); a restore moves the new store's id generator past it, so ids
//! handed out after a restore never collide with restored ones.
//!
//! # Admin access
//! On start the server writes a random token to `<data_dir>/admin.token` (mode 0600) and an
//! address to reach it on to `<data_dir>/admin.addr`. `POST /admin/backup` answers only
//! callers that present that token *and* connect from this host (loopback, or the server's
//! own address when bound to one), and never a request that came through a proxy
//! (`Forwarded`/`X-Forwarded-For`/`X-Real-IP`). Reading the token needs the same file access
//! as reading the data itself, so the endpoint gives nobody more than they already have.

use crate::engine::{Engine, EngineError};
use crate::store::{Store, StoreError, SCHEMA_VERSION};
use axum::body::Body;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{header, HeaderMap};
use axum::response::{IntoResponse, Response};
use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine as _;
use bytes::Bytes;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::path::{Path, PathBuf};
use tracing::Instrument;

/// The first line of every backup file.
pub const MAGIC: &str = "frontdesk-backup 1";
/// The format version this build writes and reads.
pub const FORMAT: u32 = 1;
/// In the data directory: the admin token (mode 0600) and the address to reach the server.
pub const ADMIN_TOKEN_FILE: &str = "admin.token";
pub const ADMIN_ADDR_FILE: &str = "admin.addr";
/// In the data directory while a restore runs; a server refuses to start while it exists.
pub const RESTORE_MARKER: &str = "restore.incomplete";

/// No line of a backup is longer than this (a record holds one stored value).
const MAX_LINE: u64 = 64 * 1024 * 1024;
/// Entries written to the new store per batch during a restore.
const RESTORE_BATCH: usize = 10_000;
/// An id floor above this is not something frontdesk wrote; refuse rather than spin.
const MAX_ID_FLOOR: u64 = 1 << 40;

#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    #[error("{context}: {source}")]
    Io {
        context: String,
        source: std::io::Error,
    },
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Engine(#[from] EngineError),
    #[error("writing the restored store: {0}")]
    Sled(#[from] sled::Error),
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

/// The second line of a backup.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Header {
    pub format: u32,
    pub frontdesk_version: String,
    pub schema_version: Option<u32>,
    pub created_at: crate::core::Timestamp,
    pub id_floor: u64,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
enum Record {
    Tree { name: String, entries: u64 },
    Kv(String, String),
    End(Trailer),
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Trailer {
    trees: u64,
    entries: u64,
    requests: u64,
    sha256: String,
}

/// What a backup holds, as written or as checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Summary {
    pub header: Header,
    pub trees: u64,
    pub entries: u64,
    /// Requests in the backup (packed trees hold several per entry).
    pub requests: u64,
    pub sha256: String,
    pub bytes: u64,
}

impl std::fmt::Display for Summary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} requests ({} entries in {} trees, {} bytes), taken {}, sha256 {}",
            self.requests,
            self.entries,
            self.trees,
            self.bytes,
            self.header.created_at.to_rfc3339(),
            self.sha256
        )
    }
}

/// One tree: its name and its key/value pairs in key order.
type TreeCopy = (Vec<u8>, Vec<(Vec<u8>, Vec<u8>)>);

/// Every tree of a store, copied at one instant.
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
    pub fn take(store: &Store) -> Result<Snapshot, BackupError> {
        let schema_version = store.schema_version()?;
        // Ids are handed out in increasing order; this one is above every id in use.
        let id_floor = store.generate_id()?;
        // sled's export panics on a read error rather than returning it; keep that from
        // taking the writer thread down with it.
        let copied = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            store
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
            BackupError::Snapshot(message)
        })?;
        trees.sort_by(|a, b| a.0.cmp(&b.0));
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

    /// Writes the backup file format to `out`.
    ///
    /// # Errors
    /// Writing failed (for a stream: the reader went away).
    pub fn write_to(&self, out: impl Write) -> Result<Summary, BackupError> {
        let mut w = HashingWriter {
            inner: std::io::BufWriter::with_capacity(64 * 1024, out),
            hasher: Sha256::new(),
            bytes: 0,
        };
        let err = io("writing the backup");
        let result = (|| -> std::io::Result<Summary> {
            writeln!(w, "{MAGIC}")?;
            line(&mut w, &self.header)?;
            let mut entries = 0u64;
            for (name, kvs) in &self.trees {
                line(
                    &mut w,
                    &Record::Tree {
                        name: B64.encode(name),
                        entries: kvs.len() as u64,
                    },
                )?;
                for (k, v) in kvs {
                    line(&mut w, &Record::Kv(B64.encode(k), B64.encode(v)))?;
                }
                entries += kvs.len() as u64;
            }
            let sha256 = hex::encode(w.hasher.clone().finalize());
            let trailer = Trailer {
                trees: self.trees.len() as u64,
                entries,
                requests: self.requests(),
                sha256: sha256.clone(),
            };
            let mut end =
                serde_json::to_vec(&Record::End(trailer)).map_err(std::io::Error::other)?;
            end.push(b'\n');
            w.inner.write_all(&end)?;
            w.inner.flush()?;
            Ok(Summary {
                header: self.header.clone(),
                trees: self.trees.len() as u64,
                entries,
                requests: self.requests(),
                sha256,
                bytes: w.bytes + end.len() as u64,
            })
        })();
        result.map_err(err)
    }
}

fn line(w: &mut impl Write, value: &impl Serialize) -> std::io::Result<()> {
    serde_json::to_writer(&mut *w, value).map_err(std::io::Error::other)?;
    w.write_all(b"\n")
}

struct HashingWriter<W: Write> {
    inner: W,
    hasher: Sha256,
    bytes: u64,
}

impl<W: Write> Write for HashingWriter<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hasher.update(&buf[..n]);
        self.bytes += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

/// Takes a consistent snapshot of a running desk on its writer thread.
///
/// # Errors
/// The engine stopped, or reading the store failed.
pub async fn snapshot_live(engine: &Engine) -> Result<Snapshot, BackupError> {
    engine.write(Snapshot::take).await?
}

/// Writes `snapshot` to `to` through a temporary file (mode 0600: a backup holds everything
/// users wrote), checks what was written, and only then renames it into place.
///
/// # Errors
/// Writing or the check failed; `to` is then left untouched.
pub fn write_file(snapshot: &Snapshot, to: &Path) -> Result<Summary, BackupError> {
    write_file_with(to, |file| snapshot.write_to(file).map(|_| ()))
}

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

/// Reads a backup file line by line: the magic line, the header, then records.
struct Reader<R: BufRead> {
    path: PathBuf,
    inner: R,
    hasher: Sha256,
    buf: Vec<u8>,
    bytes: u64,
}

enum Item {
    Tree(Vec<u8>, u64),
    Kv(Vec<u8>, Vec<u8>),
}

impl<R: BufRead> Reader<R> {
    fn format_error(&self, message: impl Into<String>) -> BackupError {
        BackupError::Format {
            path: self.path.clone(),
            message: message.into(),
        }
    }

    /// The next line without its `\n`; None at the end of the file. Hashes what it reads
    /// unless told not to (the trailer).
    fn next_line(&mut self) -> Result<Option<&[u8]>, BackupError> {
        self.buf.clear();
        let n = (&mut self.inner)
            .take(MAX_LINE)
            .read_until(b'\n', &mut self.buf)
            .map_err(io(format!("reading {}", self.path.display())))?;
        if n == 0 {
            return Ok(None);
        }
        if self.buf.last() != Some(&b'\n') {
            return Err(self.format_error("truncated: the last line is incomplete"));
        }
        self.bytes += n as u64;
        Ok(Some(&self.buf[..n - 1]))
    }

    fn open(path: &Path, inner: R) -> Result<(Reader<R>, Header), BackupError> {
        let mut r = Reader {
            path: path.to_path_buf(),
            inner,
            hasher: Sha256::new(),
            buf: Vec::new(),
            bytes: 0,
        };
        match r.next_line()? {
            Some(l) if l == MAGIC.as_bytes() => {}
            _ => {
                return Err(r.format_error("not a frontdesk backup (no `frontdesk-backup 1` line)"))
            }
        }
        r.hasher.update(&r.buf);
        let header: Header = match r.next_line()? {
            Some(l) => {
                serde_json::from_slice(l).map_err(|e| r.format_error(format!("bad header: {e}")))?
            }
            None => return Err(r.format_error("truncated after the first line")),
        };
        r.hasher.update(&r.buf);
        if header.format != FORMAT {
            return Err(r.format_error(format!(
                "backup format {} is not supported by this frontdesk (it reads format {FORMAT})",
                header.format
            )));
        }
        if let Some(found) = header.schema_version.filter(|v| *v > SCHEMA_VERSION) {
            return Err(BackupError::TooNew {
                found,
                supported: SCHEMA_VERSION,
            });
        }
        Ok((r, header))
    }

    /// The next tree or entry; Err(trailer) at the end record, checked against what was read.
    fn next_item(&mut self) -> Result<Result<Item, Trailer>, BackupError> {
        let Some(l) = self.next_line()? else {
            return Err(self.format_error("truncated: no end record"));
        };
        let record: Record =
            serde_json::from_slice(l).map_err(|e| self.format_error(format!("bad record: {e}")))?;
        let decode = |s: &str, what: &str| {
            B64.decode(s)
                .map_err(|e| self.format_error(format!("bad base64 in {what}: {e}")))
        };
        let item = match record {
            Record::End(trailer) => return Ok(Err(trailer)),
            Record::Tree { name, entries } => Item::Tree(decode(&name, "a tree name")?, entries),
            Record::Kv(k, v) => Item::Kv(decode(&k, "a key")?, decode(&v, "a value")?),
        };
        self.hasher.update(&self.buf);
        Ok(Ok(item))
    }

    /// Checks the trailer against what was read, and that nothing follows it.
    fn finish(
        mut self,
        header: Header,
        trailer: Trailer,
        trees: u64,
        entries: u64,
        requests: u64,
    ) -> Result<Summary, BackupError> {
        let found = hex::encode(self.hasher.clone().finalize());
        if found != trailer.sha256 {
            return Err(BackupError::Checksum {
                path: self.path.clone(),
                expected: trailer.sha256,
                found,
            });
        }
        if (trailer.trees, trailer.entries, trailer.requests) != (trees, entries, requests) {
            return Err(self.format_error(format!(
                "counts differ: the end record says {} trees, {} entries, {} requests; the file has {trees}, {entries}, {requests}",
                trailer.trees, trailer.entries, trailer.requests
            )));
        }
        if self.next_line()?.is_some() {
            return Err(self.format_error("data after the end record"));
        }
        Ok(Summary {
            header,
            trees,
            entries,
            requests,
            sha256: found,
            bytes: self.bytes,
        })
    }
}

/// Reads a whole backup file and checks its structure, counts and checksum, without
/// writing anything.
///
/// # Errors
/// The file can't be read, is not a backup, is truncated or damaged.
pub fn verify(path: &Path) -> Result<Summary, BackupError> {
    read_backup(path, |_| Ok(()))
}

fn read_backup(
    path: &Path,
    mut each: impl FnMut(Item) -> Result<(), BackupError>,
) -> Result<Summary, BackupError> {
    let file = std::fs::File::open(path).map_err(io(format!("opening {}", path.display())))?;
    let (mut reader, header) = Reader::open(path, BufReader::with_capacity(256 * 1024, file))?;
    let (mut trees, mut entries, mut requests) = (0u64, 0u64, 0u64);
    // The current tree: announced entries, entries seen, its name.
    let mut current: Option<(u64, u64, Vec<u8>)> = None;
    let check_tree = |reader: &Reader<_>, current: &Option<(u64, u64, Vec<u8>)>| match current {
        Some((announced, seen, _)) if announced != seen => Err(reader.format_error(format!(
            "a tree announced {announced} entries but has {seen}"
        ))),
        _ => Ok(()),
    };
    loop {
        match reader.next_item()? {
            Ok(Item::Tree(name, announced)) => {
                check_tree(&reader, &current)?;
                trees += 1;
                current = Some((announced, 0, name.clone()));
                each(Item::Tree(name, announced))?;
            }
            Ok(Item::Kv(k, v)) => {
                let Some((_, seen, tree)) = current.as_mut() else {
                    return Err(reader.format_error("an entry before any tree"));
                };
                *seen += 1;
                entries += 1;
                requests += crate::store::requests_in_exported_entry(tree, &v);
                each(Item::Kv(k, v))?;
            }
            Err(trailer) => {
                check_tree(&reader, &current)?;
                return reader.finish(header, trailer, trees, entries, requests);
            }
        }
    }
}

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
    prepare_target(data_dir, force)?;
    let marker = data_dir.join(RESTORE_MARKER);
    std::fs::write(&marker, b"a restore is writing this store\n")
        .map_err(io(format!("writing {}", marker.display())))?;
    remove_store_files(data_dir)?;

    let db = sled::Config::new().path(data_dir).open()?;
    let mut tree: Option<sled::Tree> = None;
    let mut batch = sled::Batch::default();
    let mut in_batch = 0usize;
    let imported = read_backup(from, |item| {
        match item {
            Item::Tree(name, _) => {
                if let Some(t) = tree.take() {
                    t.apply_batch(std::mem::take(&mut batch))?;
                    in_batch = 0;
                }
                tree = Some(db.open_tree(name)?);
            }
            Item::Kv(k, v) => {
                batch.insert(k, v);
                in_batch += 1;
                if in_batch >= RESTORE_BATCH {
                    if let Some(t) = &tree {
                        t.apply_batch(std::mem::take(&mut batch))?;
                    }
                    in_batch = 0;
                }
            }
        }
        Ok(())
    })?;
    if let Some(t) = tree.take() {
        t.apply_batch(batch)?;
    }
    // The second read must have seen the very file the first one checked.
    if imported.sha256 != summary.sha256 {
        return Err(BackupError::Verify(
            "the backup file changed while it was being restored".into(),
        ));
    }
    advance_ids(&db, summary.header.id_floor)?;
    db.flush()?;
    drop(db);

    let store = open_when_released(data_dir)?;
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

/// sled has no way to set its id generator, only to draw from it; draw until past the floor.
/// Cheap: about 10 ns per id (an atomic add, and a write per million); a store restarted
/// daily for years is past a billion ids, a few seconds.
fn advance_ids(db: &sled::Db, floor: u64) -> Result<(), BackupError> {
    if floor > MAX_ID_FLOOR {
        return Err(BackupError::Verify(format!(
            "the backup's id floor {floor} is implausibly high"
        )));
    }
    while db.generate_id()? < floor {}
    Ok(())
}

/// Whether a directory entry is part of a sled store.
fn is_store_file(name: &std::ffi::OsStr) -> bool {
    let name = name.to_string_lossy();
    name == "db" || name == "conf" || name == "blobs" || name.starts_with("snap.")
}

/// What a restore replaces: the store's files and the admin files of the server that ran
/// on it.
fn is_replaced(name: &std::ffi::OsStr) -> bool {
    let text = name.to_string_lossy();
    let admin_tmp = text.starts_with("admin.") && text.ends_with(".tmp");
    is_store_file(name) || name == ADMIN_TOKEN_FILE || name == ADMIN_ADDR_FILE || admin_tmp
}

/// Whether `dir` holds a sled store (its `conf` and `db` files).
pub fn store_exists(dir: &Path) -> bool {
    dir.join("db").is_file() && dir.join("conf").is_file()
}

/// Opens a store that this process has just written through sled directly (a restore).
/// sled lets go of its file lock a moment after its last handle is dropped (a dropped
/// [`Store`] waits for that, a bare `sled::Db` does not), so an immediate reopen can find
/// it still locked; this waits (at most ten seconds) for the lock instead of failing.
///
/// # Errors
/// As [`Store::open`], including a lock still held after the wait.
pub fn open_when_released(dir: &Path) -> Result<Store, StoreError> {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        match Store::open(dir) {
            Err(e) if is_locked(&e) && std::time::Instant::now() < deadline => {
                std::thread::sleep(std::time::Duration::from_millis(20));
            }
            other => return other,
        }
    }
}

/// True when `err` says a process (possibly this one) holds the store's lock.
pub fn is_locked(err: &StoreError) -> bool {
    matches!(err, StoreError::Locked { .. })
}

fn prepare_target(dir: &Path, force: bool) -> Result<(), BackupError> {
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
    if !force {
        return Err(BackupError::NotEmpty(dir.to_path_buf()));
    }
    // A free lock proves no server runs on it. Only the lock is tried, not the store opened:
    // a store too broken to open is what --force is for.
    if Store::in_use(dir) {
        return Err(BackupError::InUse(dir.to_path_buf()));
    }
    Ok(())
}

fn remove_store_files(dir: &Path) -> Result<(), BackupError> {
    for entry in std::fs::read_dir(dir).map_err(io(format!("reading {}", dir.display())))? {
        let entry = entry.map_err(io(format!("reading {}", dir.display())))?;
        if !is_replaced(&entry.file_name()) {
            continue;
        }
        let path = entry.path();
        let removed = if entry.file_type().map(|t| t.is_dir()).unwrap_or(false) {
            std::fs::remove_dir_all(&path)
        } else {
            std::fs::remove_file(&path)
        };
        removed.map_err(io(format!("removing {}", path.display())))?;
    }
    Ok(())
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

// ---------------------------------------------------------------------------------------------
// Admin access
// ---------------------------------------------------------------------------------------------

/// The running server's admin credentials: a random token and the address it listens on.
pub struct AdminAccess {
    token: String,
    /// The address written to `admin.addr`: the listener's, with an unspecified IP replaced
    /// by loopback.
    connect: SocketAddr,
    /// The IP the server is bound to, when it is a specific one.
    bound_ip: Option<IpAddr>,
}

impl std::fmt::Debug for AdminAccess {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AdminAccess")
            .field("token", &"[redacted]")
            .field("connect", &self.connect)
            .finish()
    }
}

/// Why an admin request was turned away.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// It came through a proxy (forwarding headers).
    Proxied,
    /// Not from this host.
    Remote,
    /// No token, or the wrong one.
    Unauthorized,
}

impl AdminAccess {
    /// Fresh credentials for a server listening on `bound`.
    pub fn new(bound: SocketAddr) -> AdminAccess {
        // Two v4 UUIDs: 244 random bits from the operating system's generator.
        let token = format!(
            "{}{}",
            uuid::Uuid::new_v4().simple(),
            uuid::Uuid::new_v4().simple()
        );
        let (connect_ip, bound_ip) = match bound.ip() {
            IpAddr::V4(ip) if ip.is_unspecified() => (IpAddr::V4(Ipv4Addr::LOCALHOST), None),
            IpAddr::V6(ip) if ip.is_unspecified() => (IpAddr::V6(Ipv6Addr::LOCALHOST), None),
            ip => (ip, Some(ip)),
        };
        AdminAccess {
            token,
            connect: SocketAddr::new(connect_ip, bound.port()),
            bound_ip,
        }
    }

    pub fn connect_addr(&self) -> SocketAddr {
        self.connect
    }

    /// Writes `admin.token` (mode 0600) and `admin.addr` into `data_dir`, each through a
    /// temporary file and a rename so a reader never sees half a token.
    ///
    /// # Errors
    /// The files can't be written.
    pub fn publish(&self, data_dir: &Path) -> Result<(), BackupError> {
        let put = |name: &str, content: &str| -> Result<(), BackupError> {
            let path = data_dir.join(name);
            let tmp = data_dir.join(format!("{name}.tmp"));
            let mut file = private_file(&tmp)?;
            file.write_all(content.as_bytes())
                .and_then(|_| file.sync_all())
                .map_err(io(format!("writing {}", tmp.display())))?;
            std::fs::rename(&tmp, &path).map_err(io(format!("writing {}", path.display())))
        };
        put(ADMIN_TOKEN_FILE, &self.token)?;
        put(ADMIN_ADDR_FILE, &self.connect.to_string())
    }

    /// Removes the files [`AdminAccess::publish`] wrote, if they are still this server's.
    pub fn unpublish(&self, data_dir: &Path) {
        let token = data_dir.join(ADMIN_TOKEN_FILE);
        if std::fs::read_to_string(&token).is_ok_and(|t| t == self.token) {
            let _ = std::fs::remove_file(token);
            let _ = std::fs::remove_file(data_dir.join(ADMIN_ADDR_FILE));
        }
    }

    /// Whether an admin request may go ahead: not proxied, from this host, with the token.
    ///
    /// # Errors
    /// Why not.
    pub fn authorize(&self, headers: &HeaderMap, peer: Option<SocketAddr>) -> Result<(), Refusal> {
        if ["forwarded", "x-forwarded-for", "x-real-ip"]
            .iter()
            .any(|h| headers.contains_key(*h))
        {
            return Err(Refusal::Proxied);
        }
        let local = peer.is_some_and(|p| {
            let ip = p.ip().to_canonical();
            ip.is_loopback() || self.bound_ip.is_some_and(|b| b.to_canonical() == ip)
        });
        if !local {
            return Err(Refusal::Remote);
        }
        let presented = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim)
            .unwrap_or("");
        use subtle::ConstantTimeEq;
        if presented.len() == self.token.len()
            && bool::from(presented.as_bytes().ct_eq(self.token.as_bytes()))
        {
            Ok(())
        } else {
            Err(Refusal::Unauthorized)
        }
    }
}

/// How a command-line process reaches the server that holds the store: the address and the
/// token the server published in its data directory, and an HTTP client that never goes
/// through a proxy (the token must go straight to the server).
#[derive(Debug)]
pub struct AdminClient {
    pub addr: String,
    token: String,
    http: reqwest::Client,
}

impl AdminClient {
    /// # Errors
    /// The admin files can't be read (no server, or another user's), or the client can't be built.
    pub fn for_data_dir(data_dir: &Path) -> Result<AdminClient, String> {
        let read = |name: &str| {
            let path = data_dir.join(name);
            std::fs::read_to_string(&path)
                .map(|s| s.trim().to_string())
                .map_err(|e| {
                    format!(
                        "reading {}: {e} (run it as the user frontdesk runs as)",
                        path.display()
                    )
                })
        };
        let http = reqwest::Client::builder()
            .no_proxy()
            .connect_timeout(std::time::Duration::from_secs(5))
            .build()
            .map_err(|e| e.to_string())?;
        Ok(AdminClient {
            addr: read(ADMIN_ADDR_FILE)?,
            token: read(ADMIN_TOKEN_FILE)?,
            http,
        })
    }

    /// A POST to `path` on the server, with the admin token.
    pub fn post(&self, path: &str) -> reqwest::RequestBuilder {
        self.http
            .post(format!("http://{}{path}", self.addr))
            .bearer_auth(&self.token)
    }
}

/// `POST /admin/backup`: streams a consistent snapshot in the backup file format. The
/// response starts at once; a failure half-way ends the stream early, which the client
/// notices by the missing end record.
pub async fn admin_backup(State(state): State<crate::app::AppState>, request: Request) -> Response {
    let peer = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0);
    if let Err(refusal) = state.admin.authorize(request.headers(), peer) {
        tracing::warn!(?refusal, peer = ?peer, "admin request refused");
        return crate::admin::refusal_response(refusal);
    }
    tracing::info!("backup requested");
    let (tx, rx) = tokio::sync::mpsc::channel::<Bytes>(16);
    let (engine, metrics) = (state.engine.clone(), state.metrics.clone());
    tokio::spawn(
        async move {
            let result = async {
                let snapshot = snapshot_live(&engine).await?;
                tokio::task::spawn_blocking(move || snapshot.write_to(ChannelWriter { tx }))
                    .await
                    .map_err(|e| BackupError::Snapshot(e.to_string()))?
            }
            .await;
            match result {
                Ok(summary) => {
                    metrics.backup_finished(true);
                    tracing::info!(
                        requests = summary.requests,
                        entries = summary.entries,
                        bytes = summary.bytes,
                        sha256 = %summary.sha256,
                        "backup sent"
                    );
                }
                Err(e) => {
                    metrics.backup_finished(false);
                    tracing::error!(error = %e, "backup failed");
                }
            }
        }
        .instrument(tracing::Span::current()),
    );
    let body = Body::from_stream(futures::stream::unfold(rx, |mut rx| async move {
        rx.recv()
            .await
            .map(|chunk| (Ok::<_, std::io::Error>(chunk), rx))
    }));
    (
        [
            (header::CONTENT_TYPE, "application/x-ndjson"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        body,
    )
        .into_response()
}

/// Hands what is written to an async body stream, from a blocking thread.
struct ChannelWriter {
    tx: tokio::sync::mpsc::Sender<Bytes>,
}

impl Write for ChannelWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.tx
            .blocking_send(Bytes::copy_from_slice(buf))
            .map_err(|_| {
                std::io::Error::new(std::io::ErrorKind::BrokenPipe, "the client went away")
            })?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Asks the server running on `data_dir` for a backup and writes it to `to`, checked.
///
/// # Errors
/// The admin files can't be read, the server can't be reached or refuses, or what arrived
/// is not a complete backup.
pub async fn fetch_from_server(data_dir: &Path, to: &Path) -> Result<Summary, BackupError> {
    let admin = AdminClient::for_data_dir(data_dir).map_err(BackupError::NoServer)?;
    let mut response = admin
        .post("/admin/backup")
        .send()
        .await
        .map_err(|e| BackupError::NoServer(format!("{}: {e}", admin.addr)))?;
    if !response.status().is_success() {
        let status = response.status().as_u16();
        let message = response.text().await.unwrap_or_default().trim().to_string();
        return Err(BackupError::Refused { status, message });
    }
    let partial = partial_path(to);
    let result = async {
        let mut file = private_file(&partial)?;
        let write_err = || io(format!("writing {}", partial.display()));
        while let Some(chunk) = response
            .chunk()
            .await
            .map_err(|e| BackupError::NoServer(format!("receiving the backup: {e}")))?
        {
            file.write_all(&chunk).map_err(write_err())?;
        }
        file.sync_all().map_err(write_err())?;
        drop(file);
        let (checked, to) = (partial.clone(), to.to_path_buf());
        tokio::task::spawn_blocking(move || {
            let summary = verify(&checked)?;
            std::fs::rename(&checked, &to).map_err(io(format!("renaming to {}", to.display())))?;
            Ok(summary)
        })
        .await
        .map_err(|e| BackupError::Snapshot(e.to_string()))?
    }
    .await;
    if result.is_err() {
        let _ = std::fs::remove_file(&partial);
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, String)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, v.parse().unwrap());
        }
        h
    }

    fn peer(s: &str) -> Option<SocketAddr> {
        Some(s.parse().unwrap())
    }

    #[test]
    fn an_unspecified_listen_address_is_reached_on_loopback() {
        let a = AdminAccess::new("0.0.0.0:3000".parse().unwrap());
        assert_eq!(a.connect_addr(), "127.0.0.1:3000".parse().unwrap());
        let a = AdminAccess::new("[::]:3000".parse().unwrap());
        assert_eq!(a.connect_addr(), "[::1]:3000".parse().unwrap());
        let a = AdminAccess::new("10.1.2.3:3000".parse().unwrap());
        assert_eq!(a.connect_addr(), "10.1.2.3:3000".parse().unwrap());
    }

    #[test]
    fn admin_requests_need_the_token_a_local_peer_and_no_proxy() {
        let a = AdminAccess::new("0.0.0.0:3000".parse().unwrap());
        let good = headers(&[("authorization", format!("Bearer {}", a.token))]);
        assert_eq!(a.authorize(&good, peer("127.0.0.1:5000")), Ok(()));
        assert_eq!(a.authorize(&good, peer("[::1]:5000")), Ok(()));
        // An IPv4 client of a dual-stack listener.
        assert_eq!(a.authorize(&good, peer("[::ffff:127.0.0.1]:5000")), Ok(()));
        assert_eq!(
            a.authorize(&good, peer("192.0.2.7:5000")),
            Err(Refusal::Remote)
        );
        assert_eq!(a.authorize(&good, None), Err(Refusal::Remote));
        let mut proxied = good.clone();
        proxied.insert("x-forwarded-for", "192.0.2.7".parse().unwrap());
        assert_eq!(
            a.authorize(&proxied, peer("127.0.0.1:5000")),
            Err(Refusal::Proxied)
        );
        for bad in [
            headers(&[]),
            headers(&[("authorization", "Bearer nope".into())]),
            headers(&[("authorization", a.token.clone())]),
            headers(&[("authorization", format!("Basic {}", a.token))]),
            headers(&[("authorization", format!("Bearer {}x", a.token))]),
        ] {
            assert_eq!(
                a.authorize(&bad, peer("127.0.0.1:5000")),
                Err(Refusal::Unauthorized)
            );
        }
    }

    #[test]
    fn a_server_bound_to_one_address_accepts_its_own_host_on_it() {
        let a = AdminAccess::new("192.0.2.10:3000".parse().unwrap());
        let good = headers(&[("authorization", format!("Bearer {}", a.token))]);
        assert_eq!(a.authorize(&good, peer("192.0.2.10:5000")), Ok(()));
        assert_eq!(
            a.authorize(&good, peer("192.0.2.11:5000")),
            Err(Refusal::Remote)
        );
    }

    #[test]
    fn tokens_are_long_random_and_never_debug_printed() {
        let (a, b) = (
            AdminAccess::new("127.0.0.1:1".parse().unwrap()),
            AdminAccess::new("127.0.0.1:1".parse().unwrap()),
        );
        assert_eq!(a.token.len(), 64);
        assert_ne!(a.token, b.token);
        assert!(!format!("{a:?}").contains(&a.token));
    }

    #[test]
    fn a_snapshot_round_trips_through_the_file_format() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("data")).unwrap();
        store.kv_put("extra", b"k\0\xff", b"v\n\"").unwrap();
        let snapshot = Snapshot::take(&store).unwrap();
        let mut bytes = Vec::new();
        let written = snapshot.write_to(&mut bytes).unwrap();
        assert_eq!(written.bytes, bytes.len() as u64);
        let file = dir.path().join("b");
        std::fs::write(&file, &bytes).unwrap();
        let read = verify(&file).unwrap();
        assert_eq!(read, written);
        drop(store);
        let target = dir.path().join("restored");
        restore(&file, &target, false).unwrap();
        let restored = open_when_released(&target).unwrap();
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
    fn newer_formats_and_schemas_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let write = |name: &str, header: &str| {
            let path = dir.path().join(name);
            std::fs::write(&path, format!("{MAGIC}\n{header}\n")).unwrap();
            path
        };
        let newer_format = write(
            "f",
            r#"{"format":2,"frontdesk_version":"9","schema_version":1,"created_at":"2024-01-01T00:00:00Z","id_floor":0}"#,
        );
        assert!(verify(&newer_format)
            .unwrap_err()
            .to_string()
            .contains("format 2"));
        let newer_schema = write(
            "s",
            r#"{"format":1,"frontdesk_version":"9","schema_version":99,"created_at":"2024-01-01T00:00:00Z","id_floor":0}"#,
        );
        assert!(matches!(
            verify(&newer_schema),
            Err(BackupError::TooNew { found: 99, .. })
        ));
        let not_a_backup = dir.path().join("n");
        std::fs::write(&not_a_backup, "hello\n").unwrap();
        assert!(verify(&not_a_backup)
            .unwrap_err()
            .to_string()
            .contains("not a frontdesk backup"));
    }
}
