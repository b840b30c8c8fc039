//! Which language to write to each Slack user in: their Slack locale, from `users.info` with
//! `include_locale`, asked once per person and kept in the store (tree `slack_locales`) like
//! their DM channel, so restarts don't ask again. The same answer's `tz`, the time zone local
//! times are shown in, is kept beside it (tree `slack_timezones`).
//!
//! A failed lookup (no `users:read` scope, Slack's trouble) never holds a message back: the
//! desk writes in `server.default_locale` and asks again after [`RETRY_AFTER`].

use super::api::SlackApi;
use crate::store::DeskStore;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// The store's tree of Slack locales, by user.
const TREE: &str = "slack_locales";
/// The store's tree of Slack users' time zones, by user.
const ZONES: &str = "slack_timezones";

/// How long a failed lookup is not repeated.
pub const RETRY_AFTER: Duration = Duration::from_secs(3600);

#[derive(Debug, Clone)]
enum Known {
    /// What Slack said (possibly nothing).
    Locale(Option<String>),
    /// The lookup failed at this time.
    Failed(Instant),
}

/// Slack users' locales, cached in memory and in the store.
#[derive(Debug, Default)]
pub struct Locales {
    by_user: Mutex<HashMap<String, Known>>,
    /// Time zones Slack named (`None`: it named none, or an unknown one).
    zones: Mutex<HashMap<String, Option<chrono_tz::Tz>>>,
    store: Option<Arc<dyn DeskStore>>,
}

impl Locales {
    pub fn new(store: Arc<dyn DeskStore>) -> Self {
        Locales {
            by_user: Mutex::default(),
            zones: Mutex::default(),
            store: Some(store),
        }
    }

    fn known(&self, user: &str) -> Option<Known> {
        let map = self.by_user.lock().unwrap_or_else(|e| e.into_inner());
        map.get(user).cloned()
    }

    fn set(&self, user: &str, known: Known) {
        let mut map = self.by_user.lock().unwrap_or_else(|e| e.into_inner());
        map.insert(user.to_string(), known);
    }

    /// What is known without asking Slack: memory, then the store. `Some(None)` when Slack
    /// said the user has no locale; `None` when nobody asked yet (or the last lookup failed).
    pub fn cached(&self, user: &str) -> Option<Option<String>> {
        match self.known(user) {
            Some(Known::Locale(l)) => return Some(l),
            Some(Known::Failed(_)) => return None,
            None => {}
        }
        let stored = self.store.as_ref()?.kv_get(TREE, user.as_bytes()).ok()??;
        let locale = String::from_utf8(stored).ok().filter(|l| !l.is_empty());
        self.set(user, Known::Locale(locale.clone()));
        Some(locale)
    }

    fn keep_zone(&self, user: &str, name: &str) {
        let zone = name.parse::<chrono_tz::Tz>().ok();
        let mut map = self.zones.lock().unwrap_or_else(|e| e.into_inner());
        map.insert(user.to_string(), zone);
        drop(map);
        if let Some(store) = &self.store {
            if let Err(e) = store.kv_put(ZONES, user.as_bytes(), name.as_bytes()) {
                tracing::warn!(error = %crate::telemetry::chain(&e), "keeping a user's time zone in the store failed");
            }
        }
    }

    /// The user's time zone: what Slack said with their locale. Someone whose locale was
    /// kept before time zones were is asked again, once.
    pub async fn zone(&self, api: &SlackApi, user: &str) -> Option<chrono_tz::Tz> {
        let known = self
            .zones
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(user)
            .copied();
        if let Some(zone) = known {
            return zone;
        }
        let stored = self
            .store
            .as_ref()
            .and_then(|s| s.kv_get(ZONES, user.as_bytes()).ok().flatten());
        if let Some(name) = stored {
            let name = String::from_utf8(name).unwrap_or_default();
            let zone = name.parse::<chrono_tz::Tz>().ok();
            self.zones
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .insert(user.to_string(), zone);
            return zone;
        }
        if matches!(self.known(user), Some(Known::Failed(at)) if at.elapsed() < RETRY_AFTER) {
            return None;
        }
        match api.users_info(user).await {
            Ok(info) => {
                self.keep_zone(user, info.tz.as_deref().unwrap_or(""));
                info.tz.and_then(|z| z.parse().ok())
            }
            Err(e) => {
                tracing::info!(error = %e.describe(None), user, "no time zone from users.info; local times in the department's");
                self.set(user, Known::Failed(Instant::now()));
                None
            }
        }
    }

    /// The user's Slack locale, asking Slack the first time; `None` when unknown.
    pub async fn get(&self, api: &SlackApi, user: &str) -> Option<String> {
        if let Some(known) = self.cached(user) {
            return known;
        }
        if let Some(Known::Failed(at)) = self.known(user) {
            if at.elapsed() < RETRY_AFTER {
                return None;
            }
        }
        match api.users_info(user).await {
            Ok(info) => {
                let locale = info.locale;
                self.set(user, Known::Locale(locale.clone()));
                self.keep_zone(user, info.tz.as_deref().unwrap_or(""));
                if let Some(store) = &self.store {
                    // Not through the writer: a cache, flushed with the next commit.
                    let value = locale.as_deref().unwrap_or("");
                    if let Err(e) = store.kv_put(TREE, user.as_bytes(), value.as_bytes()) {
                        tracing::warn!(error = %crate::telemetry::chain(&e), "keeping a user's locale in the store failed");
                    }
                }
                locale
            }
            Err(e) => {
                tracing::info!(error = %e.describe(None), user, "no locale from users.info; writing in the default locale");
                self.set(user, Known::Failed(Instant::now()));
                None
            }
        }
    }
}
