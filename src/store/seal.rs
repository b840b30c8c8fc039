//! Encryption at rest: what people wrote is sealed with XChaCha20-Poly1305 under the key in
//! `FRONTDESK_ENCRYPTION_KEY` before it reaches the disk, and opened when it is read back.
//!
//! Sealed are a request's summary, answer values, the text of its history (replies,
//! comments) and its survey comment; a session's draft summary and answers and a message
//! waiting for its request; an outbox item's or dead letter's message. Ids, statuses and
//! timestamps stay clear: the indexes and the stats need them, and they say nothing anyone
//! wrote. A sealed string is `sealed:v1:` and the base64 of the key's id (4 bytes), a random
//! nonce (24 bytes) and the ciphertext, so each value names the key that opens it and keys
//! can be rotated value by value.
//!
//! The store remembers that it is sealed (a check value in `meta`), so a missing or wrong key
//! refuses to open it rather than serving unreadable words.

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine as _;
use chacha20poly1305::aead::{Aead, AeadCore, KeyInit, OsRng};
use chacha20poly1305::XChaCha20Poly1305;
use serde_json::Value;
use sha2::{Digest, Sha256};

/// The variable holding the current key: 32 bytes in base64 (`openssl rand -base64 32`).
pub const KEY_VAR: &str = "FRONTDESK_ENCRYPTION_KEY";
/// Keys still accepted for reading while values move to the current one (comma separated).
pub const OLD_KEYS_VAR: &str = "FRONTDESK_ENCRYPTION_OLD_KEYS";

const PREFIX: &str = "sealed:v1:";
const ID_LEN: usize = 4;
const NONCE_LEN: usize = 24;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SealError {
    #[error("{var} is not a usable key: {reason} (expected 32 bytes in base64, as `openssl rand -base64 32` prints)")]
    BadKey { var: &'static str, reason: String },
    #[error("the store's content is encrypted (key {key_id}); set {KEY_VAR} to its key")]
    MissingKey { key_id: String },
    #[error("{KEY_VAR} does not open this store: its content is encrypted with key {stored}, and the key given is {given}{older}", older = if .older.is_empty() { String::new() } else { format!(" (also accepted: {})", .older.join(", ")) })]
    WrongKey {
        stored: String,
        given: String,
        older: Vec<String>,
    },
    #[error(
        "a value is sealed with key {key_id}, which is neither {KEY_VAR} nor one of {OLD_KEYS_VAR}"
    )]
    UnknownKey { key_id: String },
    #[error("a sealed value does not open: it was changed or cut")]
    Tampered,
}

struct Key {
    id: [u8; ID_LEN],
    cipher: XChaCha20Poly1305,
}

impl Key {
    fn parse(var: &'static str, text: &str) -> Result<Key, SealError> {
        let bad = |reason: String| SealError::BadKey { var, reason };
        let bytes = B64
            .decode(text.trim())
            .map_err(|e| bad(format!("not base64 ({e})")))?;
        if bytes.len() != 32 {
            return Err(bad(format!("{} bytes", bytes.len())));
        }
        let digest = Sha256::digest(&bytes);
        let mut id = [0; ID_LEN];
        id.copy_from_slice(&digest[..ID_LEN]);
        let cipher = XChaCha20Poly1305::new_from_slice(&bytes).map_err(|e| bad(e.to_string()))?;
        Ok(Key { id, cipher })
    }

    fn id_hex(&self) -> String {
        hex::encode(self.id)
    }
}

/// The keys a store seals with (the current one) and opens with (it and the older ones).
pub struct Keys {
    current: Key,
    older: Vec<Key>,
}

/// Ids only: keys never reach a log.
impl std::fmt::Debug for Keys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Keys")
            .field("current", &self.current.id_hex())
            .field("older", &self.older_ids())
            .finish()
    }
}

impl Keys {
    /// Keys from their base64 text.
    ///
    /// # Errors
    /// A key that is not 32 bytes of base64, naming its variable.
    pub fn new(current: &str, older: &[&str]) -> Result<Keys, SealError> {
        Ok(Keys {
            current: Key::parse(KEY_VAR, current)?,
            older: older
                .iter()
                .map(|k| Key::parse(OLD_KEYS_VAR, k))
                .collect::<Result<_, _>>()?,
        })
    }

    /// The keys from [`KEY_VAR`] and [`OLD_KEYS_VAR`]; `None` when no key is set.
    ///
    /// # Errors
    /// A key that is set but unusable.
    pub fn from_env() -> Result<Option<Keys>, SealError> {
        let Some(current) = std::env::var(KEY_VAR).ok().filter(|k| !k.trim().is_empty()) else {
            return Ok(None);
        };
        let older = std::env::var(OLD_KEYS_VAR).unwrap_or_default();
        let older: Vec<&str> = older
            .split(',')
            .map(str::trim)
            .filter(|k| !k.is_empty())
            .collect();
        Keys::new(&current, &older).map(Some)
    }

    /// The current key's id (hex), as the store and the errors name it.
    pub fn id(&self) -> String {
        self.current.id_hex()
    }

    fn older_ids(&self) -> Vec<String> {
        self.older.iter().map(Key::id_hex).collect()
    }

    /// Seals `plain` under the current key.
    pub fn seal(&self, plain: &str) -> String {
        let nonce = XChaCha20Poly1305::generate_nonce(&mut OsRng);
        let sealed = self
            .current
            .cipher
            .encrypt(&nonce, plain.as_bytes())
            .expect("sealing a buffer in memory does not fail");
        let mut out = Vec::with_capacity(ID_LEN + NONCE_LEN + sealed.len());
        out.extend_from_slice(&self.current.id);
        out.extend_from_slice(&nonce);
        out.extend_from_slice(&sealed);
        format!("{PREFIX}{}", B64.encode(out))
    }

    /// Opens a sealed string; a string that is not sealed is returned as it is.
    pub fn open(&self, text: &str) -> Result<String, SealError> {
        let Some(body) = text.strip_prefix(PREFIX) else {
            return Ok(text.to_string());
        };
        let bytes = B64.decode(body).map_err(|_| SealError::Tampered)?;
        if bytes.len() < ID_LEN + NONCE_LEN {
            return Err(SealError::Tampered);
        }
        let (id, rest) = bytes.split_at(ID_LEN);
        let (nonce, sealed) = rest.split_at(NONCE_LEN);
        let key = std::iter::once(&self.current)
            .chain(&self.older)
            .find(|k| k.id == id)
            .ok_or_else(|| SealError::UnknownKey {
                key_id: hex::encode(id),
            })?;
        let plain = key
            .cipher
            .decrypt(nonce.into(), sealed)
            .map_err(|_| SealError::Tampered)?;
        String::from_utf8(plain).map_err(|_| SealError::Tampered)
    }

    /// The id of the key a sealed string names.
    pub fn key_of(text: &str) -> Option<String> {
        let body = text.strip_prefix(PREFIX)?;
        let bytes = B64.decode(body).ok()?;
        (bytes.len() >= ID_LEN).then(|| hex::encode(&bytes[..ID_LEN]))
    }

    pub(super) fn wrong_key(&self, stored: String) -> SealError {
        SealError::WrongKey {
            stored,
            given: self.id(),
            older: self.older_ids(),
        }
    }
}

/// Which kind of stored value, for where its words are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Content {
    Request,
    Session,
    OutboxItem,
}

/// Applies `f` to every string of `value` that holds words, as `content` lays them out.
/// `whole` is applied to values sealed as a whole (an outbox item's message).
fn visit(
    content: Content,
    value: &mut Value,
    f: &mut dyn FnMut(&mut Value) -> Result<(), SealError>,
    whole: &mut dyn FnMut(&mut Value) -> Result<(), SealError>,
) -> Result<(), SealError> {
    let mut at = |path: &[&str], f: &mut dyn FnMut(&mut Value) -> Result<(), SealError>| {
        each(value, path, f)
    };
    match content {
        Content::Request => {
            at(&["summary"], f)?;
            at(&["answers", "*", "value"], f)?;
            at(&["history", "*", "event", "text"], f)?;
            at(&["survey", "comment"], f)?;
        }
        Content::Session => {
            at(&["draft", "summary"], f)?;
            at(&["draft", "answers", "*"], f)?;
            at(&["pending_reply"], f)?;
        }
        Content::OutboxItem => at(&["outgoing"], whole)?,
    }
    Ok(())
}

fn each(
    value: &mut Value,
    path: &[&str],
    f: &mut dyn FnMut(&mut Value) -> Result<(), SealError>,
) -> Result<(), SealError> {
    let Some((first, rest)) = path.split_first() else {
        return f(value);
    };
    match (*first, value) {
        ("*", Value::Array(items)) => {
            for item in items {
                each(item, rest, f)?;
            }
            Ok(())
        }
        (name, Value::Object(map)) => match map.get_mut(name) {
            Some(v) => each(v, rest, f),
            None => Ok(()),
        },
        _ => Ok(()),
    }
}

/// Seals the words of a stored value in place.
pub(super) fn seal(keys: &Keys, content: Content, value: &mut Value) {
    let mut text = |v: &mut Value| {
        if let Value::String(s) = v {
            if !s.is_empty() && !s.starts_with(PREFIX) {
                *s = keys.seal(s);
            }
        }
        Ok(())
    };
    let mut whole = |v: &mut Value| {
        if !v.is_string() {
            *v = Value::String(keys.seal(&v.to_string()));
        }
        Ok(())
    };
    visit(content, value, &mut text, &mut whole).expect("sealing does not fail");
}

/// Opens the words of a stored value in place.
pub(super) fn open(keys: &Keys, content: Content, value: &mut Value) -> Result<(), SealError> {
    let mut text = |v: &mut Value| {
        if let Value::String(s) = v {
            *s = keys.open(s)?;
        }
        Ok(())
    };
    let mut whole = |v: &mut Value| {
        if let Value::String(s) = v {
            if s.starts_with(PREFIX) {
                *v = serde_json::from_str(&keys.open(s)?).map_err(|_| SealError::Tampered)?;
            }
        }
        Ok(())
    };
    visit(content, value, &mut text, &mut whole)
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY_A: &str = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";
    const KEY_B: &str = "HxwdHhscGRgXFhUUExIREA8ODQwLCgkIBwYFBAMCAQA=";

    #[test]
    fn a_sealed_string_opens_with_its_key_and_not_without() {
        let a = Keys::new(KEY_A, &[]).unwrap();
        let sealed = a.seal("my salary is wrong");
        assert!(sealed.starts_with(PREFIX) && !sealed.contains("salary"));
        assert_ne!(
            sealed,
            a.seal("my salary is wrong"),
            "a fresh nonce each time"
        );
        assert_eq!(a.open(&sealed).unwrap(), "my salary is wrong");
        let b = Keys::new(KEY_B, &[]).unwrap();
        assert_eq!(
            b.open(&sealed),
            Err(SealError::UnknownKey { key_id: a.id() })
        );
        let rotating = Keys::new(KEY_B, &[KEY_A]).unwrap();
        assert_eq!(rotating.open(&sealed).unwrap(), "my salary is wrong");
        assert_eq!(Keys::key_of(&sealed), Some(a.id()));
    }

    #[test]
    fn a_changed_byte_does_not_open() {
        let a = Keys::new(KEY_A, &[]).unwrap();
        let sealed = a.seal("hello");
        let mut bytes = B64.decode(&sealed[PREFIX.len()..]).unwrap();
        let last = bytes.len() - 1;
        bytes[last] ^= 1;
        let changed = format!("{PREFIX}{}", B64.encode(bytes));
        assert_eq!(a.open(&changed), Err(SealError::Tampered));
    }

    #[test]
    fn bad_keys_are_named_by_their_variable() {
        let e = Keys::new("not base64!", &[]).unwrap_err();
        assert!(e.to_string().starts_with(KEY_VAR), "{e}");
        let e = Keys::new(KEY_A, &["c2hvcnQ="]).unwrap_err();
        assert!(
            e.to_string().starts_with(OLD_KEYS_VAR) && e.to_string().contains("5 bytes"),
            "{e}"
        );
        assert!(!format!("{:?}", Keys::new(KEY_A, &[]).unwrap()).contains(KEY_A));
    }

    #[test]
    fn only_the_words_of_a_request_are_sealed() {
        let keys = Keys::new(KEY_A, &[]).unwrap();
        let mut v = serde_json::json!({
            "id": "IT-1", "status": "open", "summary": "printer on fire",
            "answers": [{"field": "floor", "prompt": "Which floor?", "value": "3"}],
            "history": [{"at": "2026-01-01T00:00:00Z", "event": {"kind": "created"}},
                        {"at": "2026-01-01T00:00:00Z", "event": {"kind": "agent_replied", "text": "on my way"}}],
            "survey": {"state": "done", "rating": 5, "comment": "fast"},
        });
        let clear = v.clone();
        seal(&keys, Content::Request, &mut v);
        let text = v.to_string();
        for words in ["printer", "on my way", "fast", "\"3\""] {
            assert!(!text.contains(words), "{words} in {text}");
        }
        for kept in [
            "IT-1",
            "open",
            "Which floor?",
            "agent_replied",
            "\"rating\":5",
        ] {
            assert!(text.contains(kept), "{kept} not in {text}");
        }
        open(&keys, Content::Request, &mut v).unwrap();
        assert_eq!(v, clear);
    }

    #[test]
    fn an_outbox_message_is_sealed_whole() {
        let keys = Keys::new(KEY_A, &[]).unwrap();
        let mut v =
            serde_json::json!({"id": 7, "outgoing": {"type": "dm", "msg": {"text": "secret"}}});
        let clear = v.clone();
        seal(&keys, Content::OutboxItem, &mut v);
        assert!(!v.to_string().contains("secret") && v["id"] == 7);
        open(&keys, Content::OutboxItem, &mut v).unwrap();
        assert_eq!(v, clear);
    }
}
