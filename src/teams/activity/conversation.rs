//! Conversation ids: a channel's base id, a thread's root message, and a thread's id.

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
