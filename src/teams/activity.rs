//! Bot Framework activities (schema v3) as serde types, and what they mean to the desk.
//!
//! [`classify`] is pure apart from the post lookup it is handed: an activity goes in, the core
//! [`Input`]s (or nothing) come out. Unknown activity types and unknown fields are accepted
//! and ignored, as the Activity spec requires (A2005, A2014).

use crate::core::{
    is_card_reply, Action, Input, Place, Platform, PostRef, Request, RequestId, UserRef,
};
use serde::{Deserialize, Serialize};

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
}

/// A channel conversation id without its thread part: `19:abc@thread.tacv2;messageid=1` →
/// `19:abc@thread.tacv2`.
pub fn channel_base(conversation_id: &str) -> &str {
    conversation_id.split(';').next().unwrap_or(conversation_id)
}

/// The root message of a channel thread, from a conversation id such as
/// `19:abc@thread.tacv2;messageid=1700000000000`.
pub fn thread_root(conversation_id: &str) -> Option<&str> {
    conversation_id
        .split(';')
        .skip(1)
        .find_map(|part| part.strip_prefix("messageid="))
        .filter(|id| !id.is_empty())
}

/// The conversation id of the thread under a channel message.
pub fn thread_conversation(channel: &str, root: &str) -> String {
    format!("{};messageid={root}", channel_base(channel))
}

/// What the post lookup handed to [`classify`] finds for a post: the request the post belongs
/// to (its card, or a direct message the bot sent about it).
pub trait PostOwner {
    fn request_id(self) -> RequestId;
    /// Whether `post` is this request's card, by the core's rule ([`is_card_reply`]).
    fn has_card(&self, post: &PostRef) -> bool;
}

impl PostOwner for Request {
    fn request_id(self) -> RequestId {
        self.id
    }

    fn has_card(&self, post: &PostRef) -> bool {
        is_card_reply(self.card.as_ref(), post)
    }
}

/// The request whose card `post` is.
fn card_owner<T: PostOwner, E>(
    post: &PostRef,
    find: &dyn Fn(&PostRef) -> Result<Option<T>, E>,
) -> Result<Option<RequestId>, E> {
    Ok(find(post)?
        .filter(|owner| owner.has_card(post))
        .map(PostOwner::request_id))
}

/// What an activity asks of the desk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Inbound {
    /// Inputs for the engine, in order.
    Inputs(Vec<Input>),
    /// The bot was @mentioned in a channel outside any request card's thread.
    ChannelMention,
    /// Nothing to do; the reason is for the debug log.
    Nothing(&'static str),
}

/// Maps an activity to what the desk should do. `find` looks up which request a posted
/// message belongs to (the store's post index); a reply in a channel thread, or a close
/// reaction, counts only when the post is that request's card.
///
/// # Errors
/// Only `find`'s.
pub fn classify<T: PostOwner, E>(
    a: &Activity,
    close_reactions: &[String],
    find: &dyn Fn(&PostRef) -> Result<Option<T>, E>,
) -> Result<Inbound, E> {
    if a.from.id.is_empty() {
        return Ok(Inbound::Nothing("activity has no sender"));
    }
    if !a.recipient.id.is_empty() && a.from.id == a.recipient.id {
        return Ok(Inbound::Nothing("the bot's own activity"));
    }
    let kind = a.conversation_kind();
    match a.kind.as_str() {
        "message" => classify_message(a, kind, find),
        "messageReaction" => {
            if kind != ConversationKind::Channel {
                // Request cards live only in channels; a thumbs-up in a personal chat is a
                // thumbs-up, not a close.
                return Ok(Inbound::Nothing("reaction outside a channel"));
            }
            let Some(target) = a.reply_to_id.as_deref().filter(|id| !id.is_empty()) else {
                return Ok(Inbound::Nothing("reaction without replyToId"));
            };
            let post = PostRef::new(Platform::Teams, channel_base(&a.conversation.id), target);
            let closes = |list: &[Reaction]| {
                list.iter().any(|r| {
                    close_reactions
                        .iter()
                        .any(|c| c.eq_ignore_ascii_case(&r.kind))
                })
            };
            let (added, removed) = (closes(&a.reactions_added), closes(&a.reactions_removed));
            if !added && !removed {
                return Ok(Inbound::Nothing("not a close reaction"));
            }
            let Some(request) = card_owner(&post, find)? else {
                return Ok(Inbound::Nothing(
                    "reaction on a message that is not a request card",
                ));
            };
            let user = a.user();
            let mut inputs = Vec::new();
            if added {
                inputs.push(Input::CloseReactionAdded {
                    user: user.clone(),
                    request: request.clone(),
                });
            }
            if removed {
                inputs.push(Input::CloseReactionRemoved { user, request });
            }
            Ok(Inbound::Inputs(inputs))
        }
        _ => Ok(Inbound::Nothing("activity type without desk meaning")),
    }
}

fn classify_message<T: PostOwner, E>(
    a: &Activity,
    kind: ConversationKind,
    find: &dyn Fn(&PostRef) -> Result<Option<T>, E>,
) -> Result<Inbound, E> {
    if kind == ConversationKind::GroupChat {
        return Ok(Inbound::Nothing("group chats are not a desk surface"));
    }
    let user = a.user();
    if let Some(raw) = a.submitted_action() {
        return Ok(match Action::parse(raw) {
            Ok(action) => {
                // The card clicked, which Teams can replace.
                let post = a
                    .reply_to_id
                    .as_ref()
                    .filter(|id| !id.is_empty() && !a.conversation.id.is_empty())
                    .map(|id| PostRef::new(Platform::Teams, a.conversation.id.clone(), id));
                Inbound::Inputs(vec![Input::ButtonClicked { user, action, post }])
            }
            Err(_) => Inbound::Nothing("card submit with an unknown action"),
        });
    }
    let text = clean_text(a.text.as_deref().unwrap_or(""), a);
    if text.is_empty() {
        return Ok(Inbound::Nothing("message without text"));
    }
    match kind {
        ConversationKind::Personal => {
            let about = match a.reply_to_id.as_deref().filter(|id| !id.is_empty()) {
                Some(id) => find(&PostRef::new(
                    Platform::Teams,
                    a.conversation.id.clone(),
                    id,
                ))?
                .map(PostOwner::request_id),
                None => None,
            };
            Ok(Inbound::Inputs(vec![Input::MessageReceived {
                user,
                text,
                place: Place::Direct { about },
            }]))
        }
        ConversationKind::Channel => {
            let base = channel_base(&a.conversation.id);
            let root = thread_root(&a.conversation.id);
            let request = match root {
                Some(root) => card_owner(&PostRef::new(Platform::Teams, base, root), find)?,
                None => None,
            };
            let (Some(request), Some(id)) = (request, a.id.as_deref()) else {
                return Ok(Inbound::ChannelMention);
            };
            let post = PostRef::new(Platform::Teams, a.conversation.id.clone(), id);
            Ok(Inbound::Inputs(vec![Input::MessageReceived {
                user,
                text,
                place: Place::CardThread { request, post },
            }]))
        }
        ConversationKind::GroupChat => unreachable!("returned above"),
    }
}

/// The text a person wrote: the bot's own @mention removed, other mentions reduced to the
/// name, the few HTML entities Teams uses decoded, whitespace trimmed.
pub fn clean_text(text: &str, a: &Activity) -> String {
    let bot_mentions: Vec<&str> = a
        .entities
        .iter()
        .filter(|e| e.kind == "mention")
        .filter(|e| e.mentioned.as_ref().is_some_and(|m| m.id == a.recipient.id))
        .filter_map(|e| e.text.as_deref())
        .collect();
    let bot_name = a.recipient.name.as_deref().unwrap_or("");
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("<at>") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 4..];
        match after.find("</at>") {
            Some(end) => {
                let name = &after[..end];
                let whole = &rest[start..start + 4 + end + 5];
                let is_bot =
                    bot_mentions.contains(&whole) || (bot_mentions.is_empty() && name == bot_name);
                if !is_bot {
                    out.push_str(name);
                }
                rest = &after[end + 5..];
            }
            None => {
                out.push_str(&rest[start..]);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    let decoded = out
        .replace("&nbsp;", " ")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&");
    decoded.trim().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::convert::Infallible;

    #[test]
    fn the_senders_time_zone_comes_from_local_timezone_or_client_info() {
        let with = |extra: serde_json::Value| -> Activity {
            let mut a = serde_json::json!({"type": "message", "text": "hi"});
            a.as_object_mut()
                .unwrap()
                .extend(extra.as_object().unwrap().clone());
            serde_json::from_value(a).unwrap()
        };
        let client_info = serde_json::json!({"entities": [
            {"type": "clientInfo", "locale": "de-DE", "country": "DE", "platform": "Web", "timezone": "Europe/Berlin"}
        ]});
        assert_eq!(with(client_info.clone()).time_zone(), Some("Europe/Berlin"));
        let mut both = client_info;
        both["localTimezone"] = "Asia/Tokyo".into();
        assert_eq!(with(both).time_zone(), Some("Asia/Tokyo"));
        assert_eq!(with(serde_json::json!({})).time_zone(), None);
    }

    fn fixture(name: &str) -> Activity {
        let text = match name {
            "message_personal" => include_str!("../../tests/fixtures/teams/message_personal.json"),
            "submit_personal" => include_str!("../../tests/fixtures/teams/submit_personal.json"),
            "message_channel_thread" => {
                include_str!("../../tests/fixtures/teams/message_channel_thread.json")
            }
            "reaction_like" => include_str!("../../tests/fixtures/teams/reaction_like.json"),
            "conversation_update_personal" => {
                include_str!("../../tests/fixtures/teams/conversation_update_personal.json")
            }
            _ => unreachable!("unknown fixture {name}"),
        };
        serde_json::from_str(text).unwrap()
    }

    /// A lookup that knows only IT-1's card.
    fn card_it1(post: &PostRef) -> Result<Option<Request>, Infallible> {
        let card = PostRef::new(Platform::Teams, "19:itdesk@thread.tacv2", "1700000000001");
        if post != &card {
            return Ok(None);
        }
        it1_with_its_card(post)
    }

    /// A lookup that returns the request: IT-1, whose card is the one above, is also named
    /// by the index for another post in the same channel.
    fn it1_with_its_card(post: &PostRef) -> Result<Option<Request>, Infallible> {
        let card = PostRef::new(Platform::Teams, "19:itdesk@thread.tacv2", "1700000000001");
        let other = PostRef::new(Platform::Teams, "19:itdesk@thread.tacv2", "1700000000999");
        let at = chrono::DateTime::from_timestamp(1_700_000_000, 0).unwrap();
        let it1 = Request {
            card: Some(card.clone()),
            ..Request::new(
                RequestId::parse("IT-1").unwrap(),
                "it",
                UserRef::new(Platform::Teams, "29:alice"),
                "Laptop won't boot",
                at,
            )
        };
        Ok((post == &card || post == &other).then_some(it1))
    }

    fn like() -> Vec<String> {
        vec!["like".into()]
    }

    #[test]
    fn a_personal_message_is_a_direct_message_from_the_29_id() {
        let a = fixture("message_personal");
        assert_eq!(
            a.dedup_id().as_deref(),
            Some("teams:a:1personal-conv:1700000000100")
        );
        assert_eq!(a.tenant_id(), Some("tenant-1"));
        let got = classify(&a, &like(), &card_it1).unwrap();
        assert_eq!(
            got,
            Inbound::Inputs(vec![Input::MessageReceived {
                user: UserRef::new(Platform::Teams, "29:alice"),
                text: "help it".into(),
                place: Place::Direct { about: None },
            }])
        );
    }

    #[test]
    fn an_adaptive_card_submit_is_a_button_click() {
        let a = fixture("submit_personal");
        assert_eq!(
            classify(&a, &like(), &card_it1).unwrap(),
            Inbound::Inputs(vec![Input::ButtonClicked {
                user: UserRef::new(Platform::Teams, "29:alice"),
                action: Action::ConfirmDepartment,
                post: Some(PostRef::new(
                    Platform::Teams,
                    a.conversation.id.clone(),
                    "1700000000050"
                )),
            }])
        );
        let mut garbled = a.clone();
        garbled.value = Some(serde_json::json!({"action": "launch:missiles"}));
        assert!(matches!(
            classify(&garbled, &like(), &card_it1).unwrap(),
            Inbound::Nothing(_)
        ));
    }

    #[test]
    fn a_reply_in_a_card_thread_goes_to_the_card_without_the_bot_mention() {
        let a = fixture("message_channel_thread");
        assert_eq!(
            classify(&a, &like(), &card_it1).unwrap(),
            Inbound::Inputs(vec![Input::MessageReceived {
                user: UserRef::new(Platform::Teams, "29:bob"),
                text: "Try holding Alice's power button for 10s & retry".into(),
                place: Place::CardThread {
                    request: RequestId::parse("IT-1").unwrap(),
                    post: PostRef::new(
                        Platform::Teams,
                        "19:itdesk@thread.tacv2;messageid=1700000000001",
                        "1700000000200"
                    ),
                },
            }])
        );
    }

    #[test]
    fn a_channel_message_outside_card_threads_is_a_mention() {
        let mut a = fixture("message_channel_thread");
        a.conversation.id = "19:itdesk@thread.tacv2;messageid=999".into();
        assert_eq!(
            classify(&a, &like(), &card_it1).unwrap(),
            Inbound::ChannelMention
        );
        a.conversation.id = "19:itdesk@thread.tacv2".into();
        assert_eq!(
            classify(&a, &like(), &card_it1).unwrap(),
            Inbound::ChannelMention
        );
    }

    #[test]
    fn close_reactions_on_a_card_close_and_reopen() {
        let a = fixture("reaction_like");
        let bob = UserRef::new(Platform::Teams, "29:bob");
        let it1 = RequestId::parse("IT-1").unwrap();
        assert_eq!(
            classify(&a, &like(), &card_it1).unwrap(),
            Inbound::Inputs(vec![Input::CloseReactionAdded {
                user: bob.clone(),
                request: it1.clone()
            }])
        );
        let mut removed = a.clone();
        removed.reactions_removed = std::mem::take(&mut removed.reactions_added);
        assert_eq!(
            classify(&removed, &like(), &card_it1).unwrap(),
            Inbound::Inputs(vec![Input::CloseReactionRemoved {
                user: bob,
                request: it1
            }])
        );
        // Another reaction type, or configured reactions that don't include it, do nothing.
        assert!(matches!(
            classify(&a, &["heart".to_string()], &card_it1).unwrap(),
            Inbound::Nothing(_)
        ));
        let mut elsewhere = a.clone();
        elsewhere.reply_to_id = Some("1700000000999".into());
        assert!(matches!(
            classify(&elsewhere, &like(), &card_it1).unwrap(),
            Inbound::Nothing(_)
        ));
        let mut personal = a;
        personal.conversation.conversation_type = Some("personal".into());
        assert!(matches!(
            classify(&personal, &like(), &card_it1).unwrap(),
            Inbound::Nothing(_)
        ));
    }

    #[test]
    fn only_the_card_itself_takes_replies_and_close_reactions() {
        let reply = fixture("message_channel_thread");
        assert_eq!(
            classify(&reply, &like(), &it1_with_its_card).unwrap(),
            classify(&reply, &like(), &card_it1).unwrap()
        );
        let mut under_another_post = reply;
        under_another_post.conversation.id =
            "19:itdesk@thread.tacv2;messageid=1700000000999".into();
        assert_eq!(
            classify(&under_another_post, &like(), &it1_with_its_card).unwrap(),
            Inbound::ChannelMention
        );

        let reaction = fixture("reaction_like");
        assert!(matches!(
            classify(&reaction, &like(), &it1_with_its_card).unwrap(),
            Inbound::Inputs(_)
        ));
        let mut on_another_post = reaction;
        on_another_post.reply_to_id = Some("1700000000999".into());
        assert!(matches!(
            classify(&on_another_post, &like(), &it1_with_its_card).unwrap(),
            Inbound::Nothing(_)
        ));
    }

    #[test]
    fn conversation_updates_carry_no_input() {
        let a = fixture("conversation_update_personal");
        assert_eq!(a.members_added.len(), 2);
        assert!(matches!(
            classify(&a, &like(), &card_it1).unwrap(),
            Inbound::Nothing(_)
        ));
    }

    #[test]
    fn thread_ids_split_and_join() {
        let conv = "19:abc@thread.tacv2;messageid=17";
        assert_eq!(channel_base(conv), "19:abc@thread.tacv2");
        assert_eq!(thread_root(conv), Some("17"));
        assert_eq!(thread_root("19:abc@thread.tacv2"), None);
        assert_eq!(
            thread_conversation(conv, "18"),
            "19:abc@thread.tacv2;messageid=18"
        );
    }

    #[test]
    fn mentions_of_other_people_keep_their_name() {
        let a = Activity {
            recipient: ChannelAccount {
                id: "28:bot".into(),
                name: Some("frontdesk".into()),
                aad_object_id: None,
            },
            ..Activity::default()
        };
        assert_eq!(
            clean_text("<at>frontdesk</at>  ask <at>Carol</at> ", &a),
            "ask Carol"
        );
        assert_eq!(clean_text("broken <at>tag", &a), "broken <at>tag");
    }
}
