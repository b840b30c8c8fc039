//! The store's side of encryption at rest (see [`super::seal`]): the mark in `meta` that
//! says the content is sealed and with which key, refusing a missing or wrong key, and
//! sealing everything again under the current key (the first start with a key, and
//! `frontdesk keys rotate`).

use super::seal::{Content, SealError, KEY_VAR};
use super::{decode, encode, keys, Store, StoreError};
use serde::{Deserialize, Serialize};

const MARK_KEY: &str = "sealed_with";
/// What the mark's check value opens to with the right key.
const CHECK_TEXT: &str = "frontdesk sealed store";
/// Values rewritten per transaction while sealing again.
const BATCH: usize = 512;

#[derive(Debug, Serialize, Deserialize)]
struct Mark {
    key_id: String,
    check: String,
}

/// What [`Store::reseal`] rewrote.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Resealed {
    pub requests: u64,
    pub sessions: u64,
    pub outbox_items: u64,
    pub key_id: String,
}

impl Store {
    /// Whether the content is sealed, and the id of the key it was last sealed under.
    pub fn sealed_with(&self) -> Result<Option<String>, StoreError> {
        Ok(self.mark()?.map(|m| m.key_id))
    }

    fn mark(&self) -> Result<Option<Mark>, StoreError> {
        match self.meta.get(MARK_KEY)? {
            Some(v) => Ok(Some(decode("meta", &v)?)),
            None => Ok(None),
        }
    }

    /// Refuses a sealed store without its key, and seals a clear one opened with a key.
    pub(super) fn check_keys(&self) -> Result<(), StoreError> {
        match (self.mark()?, &self.keys) {
            (None, None) => Ok(()),
            (Some(mark), None) => Err(SealError::MissingKey {
                key_id: mark.key_id,
            }
            .into()),
            (Some(mark), Some(keys)) => match keys.open(&mark.check) {
                Ok(text) if text == CHECK_TEXT => Ok(()),
                _ => Err(keys.wrong_key(mark.key_id).into()),
            },
            (None, Some(_)) => {
                let done = self.reseal()?;
                tracing::info!(
                    key = %done.key_id,
                    requests = done.requests,
                    sessions = done.sessions,
                    outbox_items = done.outbox_items,
                    "sealed the store's content (first start with an encryption key)"
                );
                Ok(())
            }
        }
    }

    /// Seals every request, session and outbox item under the current key, opening them
    /// with any accepted key. The mark is written first: from then on the store needs a key,
    /// also if this pass is cut short (a rerun finishes it).
    ///
    /// # Errors
    /// No key is set ([`SealError::BadKey`]), a value opens with none of the keys, or
    /// storage failed.
    pub fn reseal(&self) -> Result<Resealed, StoreError> {
        let Some(keys) = self.keys.clone() else {
            return Err(SealError::BadKey {
                var: KEY_VAR,
                reason: "not set".into(),
            }
            .into());
        };
        let mark = Mark {
            key_id: keys.id(),
            check: keys.seal(CHECK_TEXT),
        };
        self.meta.insert(MARK_KEY, encode(&mark))?;
        self.db.flush()?;
        let mut done = Resealed {
            key_id: keys.id(),
            ..Resealed::default()
        };
        let mut batch = Vec::with_capacity(BATCH);
        for request in self.all_requests() {
            batch.push(request?);
            if batch.len() == BATCH {
                done.requests += self.rewrite_requests(&batch)?;
                batch.clear();
            }
        }
        done.requests += self.rewrite_requests(&batch)?;
        done.sessions = self.rewrite_tree(&self.sessions, "sessions", Content::Session)?;
        done.outbox_items = self.rewrite_tree(&self.outbox, "outbox", Content::OutboxItem)?
            + self.rewrite_tree(&self.dead_letters, "dead_letters", Content::OutboxItem)?;
        self.db.flush()?;
        Ok(done)
    }

    fn rewrite_requests(&self, batch: &[crate::core::Request]) -> Result<u64, StoreError> {
        if batch.is_empty() {
            return Ok(0);
        }
        let _writing = self.lock_indexes();
        let mut edit = self.requests.edit();
        for r in batch {
            edit.insert(
                &keys::request_key(&r.id),
                self.encode_content(Content::Request, r),
            )?;
        }
        self.commit_plan(&self.requests, &edit.finish())?;
        Ok(batch.len() as u64)
    }

    /// Rewrites every value of a plain tree, sealed under the current key.
    fn rewrite_tree(
        &self,
        tree: &sled::Tree,
        name: &'static str,
        content: Content,
    ) -> Result<u64, StoreError> {
        let mut n = 0;
        for entry in tree.iter() {
            let (k, v) = entry?;
            let value: serde_json::Value = self.decode_content(name, content, &v)?;
            let sealed = self.encode_content(content, &value);
            // Only if nobody changed it meanwhile: a writer's newer value is sealed already.
            let _ = tree.compare_and_swap(&k, Some(&v), Some(sealed))?;
            n += 1;
        }
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::{Draft, Event, Outgoing, Platform, Session, Status, Step};
    use crate::store::conformance::{request, t, user};
    use crate::store::{Keys, StepWrite};

    const KEY_A: &str = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";
    const KEY_B: &str = "HxwdHhscGRgXFhUUExIREA8ODQwLCgkIBwYFBAMCAQA=";
    const WORDS: [&str; 4] = ["wombat", "quokka", "numbat", "bilby"];

    fn keys(current: &str, older: &[&str]) -> Option<Keys> {
        Some(Keys::new(current, older).unwrap())
    }

    /// A request, a draft and an outbox item, each holding some of [`WORDS`].
    fn fill(store: &Store) {
        let mut r = request("IT", 1, "U1", Status::Open);
        r.summary = "the wombat ate my badge".into();
        r.record(
            t(1),
            Some(&user("U9")),
            Event::AgentReplied {
                text: "a quokka is on it".into(),
            },
        );
        let draft = Session {
            draft: Some(Draft {
                started_at: t(0),
                last_activity: t(0),
                step: Step::ChooseDepartment,
                department: None,
                summary: Some("numbat in the server room".into()),
                summary_given: true,
                answers: vec![],
            }),
            pending_reply: None,
            capture: None,
            note_for: None,
        };
        let msg = crate::core::Message::text(crate::core::Text::plain("bilby says hi"));
        store
            .commit_step(StepWrite {
                requests: std::slice::from_ref(&r),
                session: Some((&user("U2"), &draft)),
                outbox: vec![(
                    Platform::Slack,
                    Outgoing::Dm {
                        to: user("U1"),
                        msg,
                        about: None,
                    },
                )],
                ..StepWrite::at(t(1))
            })
            .unwrap();
        store.flush().unwrap();
    }

    /// Every stored byte, as text: what a copy of the data directory's trees would show.
    fn raw(store: &Store) -> String {
        let mut out = String::new();
        for name in store.db.tree_names() {
            for kv in store.db.open_tree(&name).unwrap().iter() {
                let (_, v) = kv.unwrap();
                out.push_str(&String::from_utf8_lossy(&v));
            }
        }
        out
    }

    fn readable(store: &Store) {
        let r = store
            .request(&crate::core::RequestId::new("IT", 1))
            .unwrap()
            .unwrap();
        assert_eq!(r.summary, "the wombat ate my badge");
        let s = store.session(&user("U2")).unwrap();
        assert_eq!(
            s.draft.unwrap().summary.as_deref(),
            Some("numbat in the server room")
        );
        let items = store.outbox_items().unwrap();
        assert!(format!("{items:?}").contains("bilby"), "{items:?}");
    }

    fn reopen(store: Store, keys: Option<Keys>) -> Result<Store, StoreError> {
        let path = store.path().to_path_buf();
        drop(store);
        Store::open_with_keys(&path, keys)
    }

    #[test]
    fn sealed_content_reads_back_with_the_key_and_never_without() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open_with_keys(dir.path(), keys(KEY_A, &[])).unwrap();
        fill(&store);
        let stored = raw(&store);
        for w in WORDS {
            assert!(!stored.contains(w), "{w} stored in clear");
        }
        assert!(stored.contains("IT-1"), "ids stay clear");
        readable(&store);
        let export = format!("{:?}", store.export().unwrap().trees);
        assert!(
            !WORDS.iter().any(|w| export.contains(w)),
            "backups stay sealed"
        );

        let store = reopen(store, keys(KEY_A, &[])).unwrap();
        readable(&store);
        let path = store.path().to_path_buf();
        drop(store);
        let a = Keys::new(KEY_A, &[]).unwrap().id();
        match Store::open_with_keys(&path, None) {
            Err(StoreError::Sealed(SealError::MissingKey { key_id })) => assert_eq!(key_id, a),
            other => panic!("opened without a key: {other:?}"),
        }
        match Store::open_with_keys(&path, keys(KEY_B, &[])) {
            Err(StoreError::Sealed(e @ SealError::WrongKey { .. })) => {
                assert!(e.to_string().contains(&a), "{e}")
            }
            other => panic!("opened with the wrong key: {other:?}"),
        }
    }

    #[test]
    fn a_clear_store_is_sealed_on_its_first_start_with_a_key() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open_with_keys(dir.path(), None).unwrap();
        fill(&store);
        assert!(raw(&store).contains("wombat"));
        assert_eq!(store.sealed_with().unwrap(), None);
        let store = reopen(store, keys(KEY_A, &[])).unwrap();
        let stored = raw(&store);
        assert!(!WORDS.iter().any(|w| stored.contains(w)), "{stored}");
        readable(&store);
    }

    #[test]
    fn rotation_moves_every_value_to_the_new_key() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open_with_keys(dir.path(), keys(KEY_A, &[])).unwrap();
        fill(&store);
        // The new key, with the old one still accepted: everything reads.
        let store = reopen(store, keys(KEY_B, &[KEY_A])).unwrap();
        readable(&store);
        let done = store.reseal().unwrap();
        assert_eq!((done.requests, done.sessions, done.outbox_items), (1, 1, 1));
        let b = Keys::new(KEY_B, &[]).unwrap().id();
        assert_eq!(done.key_id, b);
        assert_eq!(store.sealed_with().unwrap(), Some(b));
        // Without the old key now.
        let store = reopen(store, keys(KEY_B, &[])).unwrap();
        readable(&store);
        let a = Keys::new(KEY_A, &[]).unwrap().id();
        assert!(
            reopen(store, keys(KEY_A, &[])).is_err(),
            "{a} no longer opens it"
        );
    }
}
