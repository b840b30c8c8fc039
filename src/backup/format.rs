//! The backup file format: writing a [`Snapshot`] out, and reading a file back with every
//! check (magic line, header, versions, counts, checksum).
//!
//! # Version 1
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

use super::{io, BackupError, Snapshot};
use crate::store::SCHEMA_VERSION;
use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine as _;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};

/// The first line of every backup file.
pub const MAGIC: &str = "frontdesk-backup 1";
/// The format version this build writes and reads.
pub const FORMAT: u32 = 1;

/// No line of a backup is longer than this (a record holds one stored value).
const MAX_LINE: u64 = 64 * 1024 * 1024;

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

impl Snapshot {
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

/// Reads a backup file line by line: the magic line, the header, then records.
struct Reader<R: BufRead> {
    path: PathBuf,
    inner: R,
    hasher: Sha256,
    buf: Vec<u8>,
    bytes: u64,
}

/// A record of a backup as [`read_backup`] hands it on.
pub(super) enum Item {
    /// A tree's name and how many entries it announced.
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

/// Reads the backup at `path` and hands each tree and entry to `each`, in file order. The
/// checksum and the end record's counts are checked only at the end: a caller that writes
/// what it is handed checks the file with [`verify`] first.
pub(super) fn read_backup(
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Store;

    #[test]
    fn a_snapshot_reads_back_as_written() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("data")).unwrap();
        store.kv_put("extra", b"k\0\xff", b"v\n\"").unwrap();
        let snapshot = Snapshot::take(&store).unwrap();
        let mut bytes = Vec::new();
        let written = snapshot.write_to(&mut bytes).unwrap();
        assert_eq!(written.bytes, bytes.len() as u64);
        assert!(bytes.starts_with(format!("{MAGIC}\n").as_bytes()));
        let file = dir.path().join("b");
        std::fs::write(&file, &bytes).unwrap();
        assert_eq!(verify(&file).unwrap(), written);
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
