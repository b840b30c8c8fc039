//! Conversation references: what the bot must remember to write to someone later (a
//! reminder, a survey, a relayed reply). Teams gives a bot no way to message a user or a
//! channel from scratch; it needs the `serviceUrl` and tenant of an earlier activity, and for
//! a personal chat the conversation id (or a new one made with the user's id and tenant).
//!
//! Kept in the store's adapter key-value space, tree `teams_refs`, as JSON:
//! - `user:{29:id}` → [`UserRecord`]: service URL, tenant, personal conversation, name;
//! - `channel:{19:id}` → [`PlaceRecord`] for every channel and team the bot has heard from;
//! - `latest` → [`PlaceRecord`] of the latest activity, the fallback for a channel that never
//!   spoke to the bot (in a single-tenant deployment every conversation shares it);
//! - `aad:{object id}` → the `29:…` id of the user with that Entra (AAD) object id. Message
//!   extensions name a message's author by object id only, and the bot can write only to
//!   `29:…` ids; a user is found here once any activity of theirs has reached the bot.
//!
//! Written only when something changed, through the engine's writer, so a new reference is
//! on disk before the activity that brought it is acknowledged.

use super::activity::{channel_base, Activity, ConversationKind};
use crate::engine::{Engine, EngineError};
use crate::store::StoreError;
use serde::{Deserialize, Serialize};

const TREE: &str = "teams_refs";

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserRecord {
    pub service_url: String,
    #[serde(default)]
    pub tenant_id: Option<String>,
    /// The 1:1 conversation with the bot, once known.
    #[serde(default)]
    pub personal_conversation: Option<String>,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub aad_object_id: Option<String>,
    /// The language of the user's Teams client, from their latest activity that said.
    #[serde(default)]
    pub locale: Option<String>,
    /// The user's IANA time zone, from their latest activity that said.
    #[serde(default)]
    pub timezone: Option<String>,
}

/// Where a channel (or the latest activity) was reached from.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlaceRecord {
    pub service_url: String,
    #[serde(default)]
    pub tenant_id: Option<String>,
}

fn user_key(id: &str) -> String {
    format!("user:{id}")
}

fn channel_key(id: &str) -> String {
    format!("channel:{id}")
}

fn aad_key(object_id: &str) -> String {
    format!("aad:{object_id}")
}

const LATEST: &str = "latest";

/// Reads and writes the references.
#[derive(Debug, Clone)]
pub struct Refs {
    engine: Engine,
}

impl Refs {
    pub fn new(engine: Engine) -> Self {
        Refs { engine }
    }

    fn get<T: for<'de> Deserialize<'de>>(&self, key: &str) -> Result<Option<T>, StoreError> {
        let Some(bytes) = self.engine.store().kv_get(TREE, key.as_bytes())? else {
            return Ok(None);
        };
        serde_json::from_slice(&bytes)
            .map(Some)
            .map_err(|e| StoreError::Corrupt {
                tree: "kv_teams_refs",
                message: e.to_string(),
            })
    }

    pub fn user(&self, id: &str) -> Result<Option<UserRecord>, StoreError> {
        self.get(&user_key(id))
    }

    pub fn channel(&self, id: &str) -> Result<Option<PlaceRecord>, StoreError> {
        self.get(&channel_key(channel_base(id)))
    }

    pub fn latest(&self) -> Result<Option<PlaceRecord>, StoreError> {
        self.get(LATEST)
    }

    /// The `29:…` id of the user with this Entra object id, if the bot has heard from them.
    ///
    /// # Errors
    /// Storage failures.
    pub fn user_by_aad(&self, object_id: &str) -> Result<Option<String>, StoreError> {
        if object_id.is_empty() {
            return Ok(None);
        }
        self.get(&aad_key(object_id))
    }

    /// A display name for mentions and cards.
    pub fn name(&self, id: &str) -> Option<String> {
        self.user(id).ok().flatten().and_then(|u| u.name)
    }

    /// Remembers what `a` tells about its sender and conversation.
    ///
    /// # Errors
    /// Storage failures.
    pub async fn observe(&self, a: &Activity) -> Result<(), EngineError> {
        let writes = self.changes(a)?;
        self.write(writes).await
    }

    /// Records the personal conversation created for a user.
    ///
    /// # Errors
    /// Storage failures.
    pub async fn set_personal_conversation(
        &self,
        user: &str,
        conversation: &str,
    ) -> Result<(), EngineError> {
        let mut record = self.user(user)?.unwrap_or_default();
        record.personal_conversation = Some(conversation.to_string());
        self.write(vec![(user_key(user), encode(&record))]).await
    }

    async fn write(&self, writes: Vec<(String, Vec<u8>)>) -> Result<(), EngineError> {
        if writes.is_empty() {
            return Ok(());
        }
        self.engine
            .write(move |store| {
                for (key, value) in &writes {
                    store.kv_put(TREE, key.as_bytes(), value)?;
                }
                Ok::<_, StoreError>(())
            })
            .await??;
        Ok(())
    }

    /// The keys whose stored value differs from what `a` says.
    fn changes(&self, a: &Activity) -> Result<Vec<(String, Vec<u8>)>, StoreError> {
        if a.service_url.is_empty() {
            return Ok(Vec::new());
        }
        let tenant = a.tenant_id().map(str::to_string);
        let kind = a.conversation_kind();
        let mut candidates: Vec<(String, Vec<u8>)> = Vec::new();

        // The sender, unless it is a bot (the bot's own id starts with `28:`).
        if !a.from.id.is_empty() && !a.from.id.starts_with("28:") {
            let key = user_key(&a.from.id);
            let known: Option<UserRecord> = self.get(&key)?;
            if known.is_none() {
                // How an operator finds the id to put in a department's `agents` list.
                tracing::info!(
                    teams_user = %a.from.id,
                    aad_object_id = a.from.aad_object_id.as_deref().unwrap_or(""),
                    "first activity from this Teams user"
                );
            }
            let mut record = known.unwrap_or_default();
            record.service_url = a.service_url.clone();
            record.tenant_id = tenant.clone().or(record.tenant_id);
            if let Some(name) = a.from.name.as_ref().filter(|n| !n.is_empty()) {
                record.name = Some(name.clone());
            }
            if let Some(aad) = a.from.aad_object_id.as_ref().filter(|n| !n.is_empty()) {
                record.aad_object_id = Some(aad.clone());
                candidates.push((aad_key(aad), encode(&a.from.id)));
            }
            if let Some(locale) = a.locale.as_ref().filter(|l| !l.trim().is_empty()) {
                record.locale = Some(locale.clone());
            }
            if let Some(zone) = a.time_zone() {
                record.timezone = Some(zone.to_string());
            }
            if kind == ConversationKind::Personal && !a.conversation.id.is_empty() {
                record.personal_conversation = Some(a.conversation.id.clone());
            }
            candidates.push((key, encode(&record)));
        }

        let place = encode(&PlaceRecord {
            service_url: a.service_url.clone(),
            tenant_id: tenant,
        });
        if kind == ConversationKind::Channel {
            let data = a.channel_data.as_ref();
            let ids = [
                Some(channel_base(&a.conversation.id)),
                data.and_then(|d| d.channel.as_ref()).map(|c| c.id.as_str()),
                data.and_then(|d| d.team.as_ref()).map(|t| t.id.as_str()),
            ];
            for id in ids.into_iter().flatten().filter(|id| !id.is_empty()) {
                let key = channel_key(id);
                if !candidates.iter().any(|(k, _)| k == &key) {
                    candidates.push((key, place.clone()));
                }
            }
        }
        candidates.push((LATEST.to_string(), place));

        let mut writes = Vec::new();
        for (key, value) in candidates {
            let old = self.engine.store().kv_get(TREE, key.as_bytes())?;
            if old.as_deref() != Some(value.as_slice()) {
                writes.push((key, value));
            }
        }
        Ok(writes)
    }
}

fn encode<T: Serialize>(value: &T) -> Vec<u8> {
    serde_json::to_vec(value).expect("references are plain data")
}
