//! The audit log: every transition of every request, appended in commit order to the `audit`
//! tree (16 entries per stored value, one JSON line each), each entry carrying the hash of
//! the one before. Changing, removing or reordering an entry breaks the chain from there on,
//! and [`Store::verify_audit`] names the first entry that no longer fits.
//!
//! The log says what happened, to which request, by whom and when; it never holds what
//! people wrote. So retention and erasure remove content from the requests and add an
//! entry here saying so, and the log itself is never rewritten.
//!
//! # The chain, for an outside checker
//! Each entry's `hash` is the lowercase hex SHA-256 of its fields joined by `\n`, in this
//! order: `seq`, `at`, `request`, `actor`, `event`, `detail`, `prev` (an absent field is the
//! empty string). `prev` is the previous entry's `hash`; the first entry's is 64 zeros.
//! `seq` counts from 1 without gaps. `frontdesk audit export` writes the entries as JSON
//! lines with exactly these fields.

use super::atomic::ChangeTree;
use super::{decode, encode, Store, StoreError};
use crate::core::{Event, HistoryEntry, RequestId, Timestamp};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use sled::transaction::ConflictableTransactionError;

/// The `prev` of the first entry.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

const TAIL_KEY: &str = "audit_tail";

/// Entries per stored value: sled keeps memory resident per key, so a log of millions of
/// entries is kept in chunks (one JSON line per entry), as the packed indexes are.
const CHUNK: u64 = 16;

/// The key of the chunk that holds entry `seq` (entries count from 1).
fn chunk_key(seq: u64) -> [u8; 8] {
    ((seq - 1) / CHUNK).to_be_bytes()
}

/// The entries of one stored chunk, as their JSON lines.
fn lines(chunk: &[u8]) -> impl Iterator<Item = &[u8]> {
    chunk.split(|b| *b == b'\n').filter(|l| !l.is_empty())
}

/// One entry of the audit log, as stored and as exported.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEntry {
    pub seq: u64,
    /// RFC 3339, as hashed.
    pub at: String,
    /// The request it is about; empty for entries about the desk or a person.
    #[serde(default)]
    pub request: String,
    /// Who did it (`slack:U123`); empty for the desk itself and for admin commands.
    #[serde(default)]
    pub actor: String,
    /// What happened: a history event's kind (`created`, `claimed`, `closed` …), or
    /// `retention` / `erasure`.
    pub event: String,
    /// Numbers that go with the event (`rating=4`), or what an erasure covered. Never text
    /// that people wrote.
    #[serde(default)]
    pub detail: String,
    pub prev: String,
    pub hash: String,
}

impl AuditEntry {
    /// The hash this entry should carry, from its other fields.
    pub fn expected_hash(&self) -> String {
        let joined = [
            self.seq.to_string().as_str(),
            &self.at,
            &self.request,
            &self.actor,
            &self.event,
            &self.detail,
            &self.prev,
        ]
        .join("\n");
        hex(&Sha256::digest(joined.as_bytes()))
    }
}

/// An entry before it has its place in the chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditRecord {
    pub at: Timestamp,
    pub request: Option<RequestId>,
    pub actor: Option<String>,
    pub event: String,
    pub detail: String,
}

impl AuditRecord {
    /// The record of one line of a request's history: its kind and its numbers, never its
    /// text.
    pub fn of_history(request: &RequestId, entry: &HistoryEntry) -> Self {
        let (event, detail) = describe(&entry.event);
        AuditRecord {
            at: entry.at,
            request: Some(request.clone()),
            actor: entry.actor.as_ref().map(ToString::to_string),
            event,
            detail,
        }
    }
}

/// The event's kind and its numeric fields (`rating=4`), read from its serialised form so
/// that every kind of event is covered without listing them here.
fn describe(event: &Event) -> (String, String) {
    let value = serde_json::to_value(event).unwrap_or_default();
    let kind = value
        .get("kind")
        .and_then(|k| k.as_str())
        .unwrap_or("unknown")
        .to_string();
    let mut numbers: Vec<String> = value
        .as_object()
        .into_iter()
        .flatten()
        .filter(|(k, v)| k.as_str() != "kind" && (v.is_number() || v.is_boolean()))
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    numbers.sort();
    (kind, numbers.join(" "))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Tail {
    seq: u64,
    hash: String,
}

/// Appends records to the log inside a transaction over the `audit` tree and `meta`.
pub(super) fn append(
    audit: &ChangeTree<'_>,
    meta: &ChangeTree<'_>,
    records: &[AuditRecord],
) -> Result<(), ConflictableTransactionError<super::write::Skip>> {
    if records.is_empty() {
        return Ok(());
    }
    let mut tail = match meta.get(TAIL_KEY)? {
        Some(v) => serde_json::from_slice(&v).map_err(|e| {
            super::write::corrupt(StoreError::Corrupt {
                tree: "meta",
                message: format!("audit tail: {e}"),
            })
        })?,
        None => Tail {
            seq: 0,
            hash: GENESIS.to_string(),
        },
    };
    // The chunk being filled: its key and its bytes so far.
    let mut open: Option<([u8; 8], Vec<u8>)> = None;
    for record in records {
        let entry = chain(&tail, record);
        let key = chunk_key(entry.seq);
        if open.as_ref().is_none_or(|(k, _)| *k != key) {
            if let Some((k, bytes)) = open.take() {
                audit.insert(&k, bytes)?;
            }
            let existing = audit.get(key)?.map(|v| v.to_vec()).unwrap_or_default();
            open = Some((key, existing));
        }
        let (_, bytes) = open.as_mut().expect("just opened");
        bytes.extend_from_slice(&encode(&entry));
        bytes.push(b'\n');
        tail = Tail {
            seq: entry.seq,
            hash: entry.hash,
        };
    }
    if let Some((k, bytes)) = open {
        audit.insert(&k, bytes)?;
    }
    meta.insert(TAIL_KEY, encode(&tail))?;
    Ok(())
}

fn chain(tail: &Tail, record: &AuditRecord) -> AuditEntry {
    let mut entry = AuditEntry {
        seq: tail.seq + 1,
        at: record
            .at
            .to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true),
        request: record
            .request
            .as_ref()
            .map(ToString::to_string)
            .unwrap_or_default(),
        actor: record.actor.clone().unwrap_or_default(),
        event: record.event.clone(),
        detail: record.detail.clone(),
        prev: tail.hash.clone(),
        hash: String::new(),
    };
    entry.hash = entry.expected_hash();
    entry
}

/// What [`Store::verify_audit`] found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditReport {
    /// Entries read.
    pub entries: u64,
    /// The first entry that does not fit, and how; `None` when the whole chain holds.
    pub problem: Option<AuditProblem>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AuditProblem {
    #[error("entry {seq} was changed: its contents do not match its hash")]
    Changed { seq: u64 },
    #[error("entry {seq} does not follow entry {previous}: it was removed, inserted or moved")]
    Broken { seq: u64, previous: u64 },
    #[error("entry {seq} cannot be read: {message}")]
    Unreadable { seq: u64, message: String },
    #[error("the log ends at entry {found}, but entry {expected} was written: entries at the end were removed")]
    Truncated { found: u64, expected: u64 },
}

impl Store {
    /// Every entry of the audit log, oldest first.
    pub fn audit_entries(&self) -> impl Iterator<Item = Result<AuditEntry, StoreError>> + '_ {
        self.audit.iter().flat_map(|kv| {
            let entries: Vec<Result<AuditEntry, StoreError>> = match kv {
                Ok((_, v)) => lines(&v).map(|line| decode("audit", line)).collect(),
                Err(e) => vec![Err(e.into())],
            };
            entries
        })
    }

    /// Appends records outside a step (retention, erasure).
    pub fn append_audit(&self, records: &[AuditRecord]) -> Result<(), StoreError> {
        let trees = [self.audit.clone(), self.meta.clone()];
        let result = self
            .changes
            .apply(&trees, |t: &[ChangeTree<'_>]| append(&t[0], &t[1], records));
        super::write::tx_result(result)
    }

    /// Walks the chain and reports the first entry that was changed, removed or reordered.
    pub fn verify_audit(&self) -> Result<AuditReport, StoreError> {
        // A step's entries and the chain's tail are written key by key: hold writers off.
        let _reading = self.read_indexes();
        let mut previous = Tail {
            seq: 0,
            hash: GENESIS.to_string(),
        };
        let mut entries = 0;
        let report = |entries, problem| {
            Ok(AuditReport {
                entries,
                problem: Some(problem),
            })
        };
        for kv in self.audit.iter() {
            let (key, chunk) = kv?;
            let index = key.as_ref().try_into().map(u64::from_be_bytes).unwrap_or(0);
            // Where the chunk's entries belong: its first one is entry index × CHUNK + 1.
            let first = index * CHUNK + 1;
            for (i, value) in lines(&chunk).enumerate() {
                let key_seq = first + i as u64;
                let entry: AuditEntry = match serde_json::from_slice(value) {
                    Ok(e) => e,
                    Err(e) => {
                        return report(
                            entries,
                            AuditProblem::Unreadable {
                                seq: key_seq,
                                message: e.to_string(),
                            },
                        )
                    }
                };
                entries += 1;
                if entry.hash != entry.expected_hash() {
                    return report(entries, AuditProblem::Changed { seq: key_seq });
                }
                if entry.seq != key_seq
                    || entry.seq != previous.seq + 1
                    || entry.prev != previous.hash
                {
                    return report(
                        entries,
                        AuditProblem::Broken {
                            seq: key_seq,
                            previous: previous.seq,
                        },
                    );
                }
                previous = Tail {
                    seq: entry.seq,
                    hash: entry.hash,
                };
            }
        }
        let written: Option<Tail> = match self.meta.get(TAIL_KEY)? {
            Some(v) => Some(decode("meta", &v)?),
            None => None,
        };
        if let Some(tail) = written {
            if tail.seq != previous.seq || tail.hash != previous.hash {
                return Ok(AuditReport {
                    entries,
                    problem: Some(AuditProblem::Truncated {
                        found: previous.seq,
                        expected: tail.seq,
                    }),
                });
            }
        }
        Ok(AuditReport {
            entries,
            problem: None,
        })
    }

    /// Version 3 stores had no audit log: it starts with their requests' histories, oldest
    /// first, so every transition ever recorded is in the chain.
    pub(super) fn backfill_audit(&self) -> Result<(), StoreError> {
        if self.meta.get(TAIL_KEY)?.is_some() {
            return Ok(());
        }
        let mut records = Vec::new();
        for request in self.all_requests() {
            let request = request?;
            for entry in &request.history {
                records.push(AuditRecord::of_history(&request.id, entry));
            }
        }
        records.sort_by_key(|r| r.at);
        // Idempotent across a crash half-way: the tail is written last, with the entries.
        self.audit.clear()?;
        self.append_audit(&records)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::{Request, Status, UserRef};
    use crate::store::conformance::{request, t, user};
    use crate::store::StepWrite;

    /// A store whose log holds IT-1's three transitions.
    fn three_entries() -> (tempfile::TempDir, Store) {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let mut r: Request = request("IT", 1, "U1", Status::Open);
        let agent: UserRef = user("U9");
        for (h, event) in [(1, Event::Created), (2, Event::Claimed), (3, Event::Closed)] {
            r.record(t(h), Some(&agent), event);
            store
                .commit_step(StepWrite {
                    requests: std::slice::from_ref(&r),
                    ..StepWrite::at(t(h))
                })
                .unwrap();
        }
        assert_eq!(
            store.verify_audit().unwrap(),
            AuditReport {
                entries: 3,
                problem: None
            }
        );
        (dir, store)
    }

    /// Changes the stored log's entries (all in its first chunk) as `change` says.
    fn tamper(store: &Store, change: impl FnOnce(&mut Vec<Vec<u8>>)) {
        let chunk = store.audit.get(0u64.to_be_bytes()).unwrap().unwrap();
        let mut entries: Vec<Vec<u8>> = lines(&chunk).map(<[u8]>::to_vec).collect();
        assert_eq!(entries.len(), 3);
        change(&mut entries);
        let mut bytes = Vec::new();
        for e in entries {
            bytes.extend(e);
            bytes.push(b'\n');
        }
        store.audit.insert(0u64.to_be_bytes(), bytes).unwrap();
    }

    fn problem(store: &Store) -> Option<AuditProblem> {
        store.verify_audit().unwrap().problem
    }

    #[test]
    fn a_changed_byte_is_found_at_its_entry() {
        let (_dir, store) = three_entries();
        tamper(&store, |entries| {
            let value = &mut entries[1];
            let at = value.windows(9).position(|w| w == b"\"claimed\"").unwrap() + 1;
            value[at] ^= 0x20; // "Claimed": still valid JSON, no longer the hashed text
        });
        assert_eq!(problem(&store), Some(AuditProblem::Changed { seq: 2 }));
    }

    #[test]
    fn a_removed_entry_breaks_the_chain_where_it_was() {
        let (_dir, store) = three_entries();
        tamper(&store, |entries| {
            entries.remove(1);
        });
        assert_eq!(
            problem(&store),
            Some(AuditProblem::Broken {
                seq: 2,
                previous: 1
            })
        );
    }

    #[test]
    fn swapped_entries_are_found_at_the_first_one_moved() {
        let (_dir, store) = three_entries();
        tamper(&store, |entries| entries.swap(1, 2));
        assert_eq!(
            problem(&store),
            Some(AuditProblem::Broken {
                seq: 2,
                previous: 1
            })
        );
    }

    #[test]
    fn entries_cut_off_the_end_are_noticed() {
        let (_dir, store) = three_entries();
        tamper(&store, |entries| {
            entries.pop();
        });
        assert_eq!(
            problem(&store),
            Some(AuditProblem::Truncated {
                found: 2,
                expected: 3
            })
        );
    }

    #[test]
    fn a_long_log_is_kept_in_chunks_and_reads_back_in_order() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let records: Vec<AuditRecord> = (0..40)
            .map(|i| AuditRecord {
                at: t(i),
                request: None,
                actor: None,
                event: "test".into(),
                detail: format!("n={i}"),
            })
            .collect();
        store.append_audit(&records[..5]).unwrap();
        store.append_audit(&records[5..]).unwrap();
        assert_eq!(store.audit.len(), 3, "40 entries in chunks of {CHUNK}");
        let seqs: Vec<u64> = store.audit_entries().map(|e| e.unwrap().seq).collect();
        assert_eq!(seqs, (1..=40).collect::<Vec<_>>());
        assert_eq!(store.verify_audit().unwrap().problem, None);
    }

    #[test]
    fn a_store_from_before_the_log_starts_it_with_the_histories_so_far() {
        let dir = tempfile::tempdir().unwrap();
        {
            let (_old, store) = three_entries();
            let path = store.path().to_path_buf();
            store.audit.clear().unwrap();
            store.meta.remove(TAIL_KEY).unwrap();
            store
                .meta
                .insert("schema_version", &3u32.to_be_bytes())
                .unwrap();
            store.flush().unwrap();
            drop(store);
            std::fs::rename(&path, dir.path().join("db")).unwrap();
        }
        let store = Store::open(&dir.path().join("db")).unwrap();
        let events: Vec<String> = store.audit_entries().map(|e| e.unwrap().event).collect();
        assert_eq!(events, ["created", "claimed", "closed"]);
        assert_eq!(store.verify_audit().unwrap().problem, None);
    }

    #[test]
    fn the_hash_covers_every_field() {
        let entry = chain(
            &Tail {
                seq: 0,
                hash: GENESIS.into(),
            },
            &AuditRecord {
                at: chrono::DateTime::from_timestamp(1_700_000_000, 0).unwrap(),
                request: None,
                actor: Some("slack:U1".into()),
                event: "closed".into(),
                detail: String::new(),
            },
        );
        assert_eq!(entry.hash, entry.expected_hash());
        for change in [
            |e: &mut AuditEntry| e.seq = 2,
            |e: &mut AuditEntry| e.at.push('x'),
            |e: &mut AuditEntry| e.request.push('x'),
            |e: &mut AuditEntry| e.actor.push('x'),
            |e: &mut AuditEntry| e.event.push('x'),
            |e: &mut AuditEntry| e.detail.push('x'),
            |e: &mut AuditEntry| e.prev.replace_range(0..1, "1"),
        ] {
            let mut changed = entry.clone();
            change(&mut changed);
            assert_ne!(changed.expected_hash(), entry.hash, "{changed:?}");
        }
    }

    #[test]
    fn events_are_described_by_kind_and_numbers_never_text() {
        assert_eq!(
            describe(&Event::Rated { rating: 4 }),
            ("rated".into(), "rating=4".into())
        );
        assert_eq!(
            describe(&Event::Commented {
                text: "my salary".into()
            }),
            ("commented".into(), String::new())
        );
    }
}
