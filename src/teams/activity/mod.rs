//! Bot Framework activities (schema v3) as serde types, and what they mean to the desk.
//!
//! [`classify`] is pure apart from the post lookup it is handed: an activity goes in, the core
//! [`Input`]s (or nothing) come out. Unknown activity types and unknown fields are accepted
//! and ignored, as the Activity spec requires (A2005, A2014).

use crate::core::{
    is_card_reply, Action, Input, Place, Platform, PostRef, Request, RequestId, UserRef,
};
use serde::{Deserialize, Serialize};

mod classify;
mod conversation;

pub use classify::{classify, clean_text, Inbound};
pub use conversation::{channel_base, thread_conversation, thread_root};

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ChannelAccount {
    #[serde(default)]
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub aad_object_id: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ConversationAccount {
    #[serde(default)]
    pub id: String,
    #[serde(default)]
    pub conversation_type: Option<String>,
    #[serde(default)]
    pub tenant_id: Option<String>,
    #[serde(default)]
    pub is_group: Option<bool>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct IdOnly {
    #[serde(default)]
    pub id: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ChannelData {
    #[serde(default)]
    pub tenant: Option<IdOnly>,
    #[serde(default)]
    pub team: Option<IdOnly>,
    #[serde(default)]
    pub channel: Option<IdOnly>,
    #[serde(default)]
    pub event_type: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct Reaction {
    #[serde(rename = "type", default)]
    pub kind: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct Entity {
    #[serde(rename = "type", default)]
    pub kind: String,
    #[serde(default)]
    pub text: Option<String>,
    #[serde(default)]
    pub mentioned: Option<ChannelAccount>,
    /// A `clientInfo` entity's IANA time zone (`Europe/Berlin`).
    #[serde(default)]
    pub timezone: Option<String>,
}

/// An inbound activity: the fields frontdesk reads, nothing more.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Activity {
    #[serde(rename = "type", default)]
    pub kind: String,
    #[serde(default)]
    pub id: Option<String>,
    #[serde(default)]
    pub channel_id: String,
    #[serde(default)]
    pub service_url: String,
    #[serde(default)]
    pub from: ChannelAccount,
    #[serde(default)]
    pub recipient: ChannelAccount,
    #[serde(default)]
    pub conversation: ConversationAccount,
    #[serde(default)]
    pub reply_to_id: Option<String>,
    #[serde(default)]
    pub text: Option<String>,
    #[serde(default)]
    pub value: Option<serde_json::Value>,
    #[serde(default)]
    pub entities: Vec<Entity>,
    #[serde(default)]
    pub channel_data: Option<ChannelData>,
    #[serde(default)]
    pub reactions_added: Vec<Reaction>,
    #[serde(default)]
    pub reactions_removed: Vec<Reaction>,
    #[serde(default)]
    pub members_added: Vec<ChannelAccount>,
    #[serde(default)]
    pub action: Option<String>,
    /// An invoke's operation (`composeExtension/fetchTask`).
    #[serde(default)]
    pub name: Option<String>,
    /// The sender's client language (`de-DE`), when the client says.
    #[serde(default)]
    pub locale: Option<String>,
    /// The sender's IANA time zone, when the client says.
    #[serde(default)]
    pub local_timezone: Option<String>,
}

/// Where an activity was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConversationKind {
    Personal,
    Channel,
    GroupChat,
}

impl Activity {
    /// The sender's time zone: the activity's `localTimezone`, else a `clientInfo` entity's.
    pub fn time_zone(&self) -> Option<&str> {
        self.local_timezone
            .as_deref()
            .or_else(|| {
                self.entities
                    .iter()
                    .filter(|e| e.kind.eq_ignore_ascii_case("clientInfo"))
                    .find_map(|e| e.timezone.as_deref())
            })
            .filter(|z| !z.trim().is_empty())
    }

    pub fn conversation_kind(&self) -> ConversationKind {
        match self.conversation.conversation_type.as_deref() {
            Some("channel") => ConversationKind::Channel,
            Some("groupChat") => ConversationKind::GroupChat,
            Some("personal") => ConversationKind::Personal,
            // Older payloads carry only `isGroup`; a channel conversation always says "channel".
            _ if self.conversation.is_group == Some(true) => ConversationKind::GroupChat,
            _ => ConversationKind::Personal,
        }
    }

    pub fn tenant_id(&self) -> Option<&str> {
        self.conversation
            .tenant_id
            .as_deref()
            .or_else(|| {
                self.channel_data
                    .as_ref()?
                    .tenant
                    .as_ref()
                    .map(|t| t.id.as_str())
            })
            .filter(|t| !t.is_empty())
    }

    /// The event id the engine deduplicates on.
    pub fn dedup_id(&self) -> Option<String> {
        let id = self.id.as_deref().filter(|id| !id.is_empty())?;
        Some(format!("teams:{}:{id}", self.conversation.id))
    }

    /// The user who acted, as the core knows them.
    pub fn user(&self) -> UserRef {
        UserRef::new(Platform::Teams, self.from.id.clone())
    }

    /// The `action` of an `Action.Submit`'s data, if this message is a button click.
    fn submitted_action(&self) -> Option<&str> {
        self.value.as_ref()?.get("action")?.as_str()
    }

    /// The card's reply box, submitted with "Reply to requester".
    fn submitted_reply(&self) -> Option<&str> {
        self.value
            .as_ref()?
            .get(super::cards::REPLY_INPUT)?
            .as_str()
            .filter(|t| !t.trim().is_empty())
    }
}

#[cfg(test)]
mod tests;
