//! What an activity asks of the desk: [`classify`] turns it into core inputs, with the post
//! lookup it is handed.

use super::*;

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
pub(super) fn card_owner<T: PostOwner, E>(
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

pub(super) fn classify_message<T: PostOwner, E>(
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
            // The card's reply box holds what to send: the form was filled in.
            Ok(Action::ReplyToRequester(request)) if a.submitted_reply().is_some() => {
                Inbound::Inputs(vec![Input::ReplyToRequester {
                    user,
                    request,
                    text: a.submitted_reply().unwrap_or_default().to_string(),
                }])
            }
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
