//! The bot's DM channel with each user, kept in the store so `conversations.open` is called
//! once per person.

use crate::store::DeskStore;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// The store's tree of DM channels, by user.
const DM_TREE: &str = "slack_dm_channels";

/// The bot's DM channel with each user, learned from `conversations.open` and from the DMs
/// users send, and kept in the store, so `conversations.open` is called once per person,
/// also across restarts. Losing an entry costs one `conversations.open`.
#[derive(Debug, Default)]
pub struct DmChannels {
    by_user: Mutex<HashMap<String, String>>,
    store: Option<Arc<dyn DeskStore>>,
}

impl DmChannels {
    pub fn new(store: Arc<dyn DeskStore>) -> Self {
        DmChannels {
            by_user: Mutex::default(),
            store: Some(store),
        }
    }

    pub fn get(&self, user: &str) -> Option<String> {
        if let Some(ch) = self.cached(user) {
            return Some(ch);
        }
        let stored = self
            .store
            .as_ref()?
            .kv_get(DM_TREE, user.as_bytes())
            .ok()??;
        let ch = String::from_utf8(stored).ok()?;
        self.cache(user, &ch);
        Some(ch)
    }

    pub fn remember(&self, user: &str, channel: &str) {
        if self.cached(user).as_deref() == Some(channel) {
            return;
        }
        self.cache(user, channel);
        if let Some(store) = &self.store {
            // Not through the writer: this is a cache, and the next commit's flush takes it
            // to disk with everything else.
            if let Err(e) = store.kv_put(DM_TREE, user.as_bytes(), channel.as_bytes()) {
                tracing::warn!(error = %crate::telemetry::chain(&e), "keeping a DM channel in the store failed");
            }
        }
    }

    pub(super) fn cached(&self, user: &str) -> Option<String> {
        self.by_user
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(user)
            .cloned()
    }

    pub(super) fn cache(&self, user: &str, channel: &str) {
        self.by_user
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(user.to_string(), channel.to_string());
    }

    pub(super) fn forget(&self, user: &str) {
        self.by_user
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(user);
        if let Some(store) = &self.store {
            let _ = store.kv_remove(DM_TREE, user.as_bytes());
        }
    }
}
