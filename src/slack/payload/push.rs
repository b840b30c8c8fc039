//! The Events API: the pushed body, and which [`Event`] (if any) each event means for the desk,
//! with the noise dropped.

use super::*;

#[derive(Debug, Deserialize)]
pub(super) struct PushBody {
    #[serde(rename = "type")]
    kind: String,
    challenge: Option<String>,
    event_id: Option<String>,
    team_id: Option<String>,
    event: Option<serde_json::Value>,
}

#[derive(Debug, Deserialize)]
pub(super) struct MessageEvent {
    user: Option<String>,
    bot_id: Option<String>,
    channel: Option<String>,
    channel_type: Option<String>,
    #[serde(default)]
    text: Option<String>,
    ts: Option<String>,
    thread_ts: Option<String>,
    #[serde(default)]
    files: Vec<FileRef>,
}

#[derive(Debug, Deserialize)]
pub(super) struct FileRef {
    name: Option<String>,
    title: Option<String>,
}

#[derive(Debug, Deserialize)]
pub(super) struct ReactionEvent {
    user: Option<String>,
    reaction: Option<String>,
    item: Option<ReactionItem>,
}

#[derive(Debug, Deserialize)]
pub(super) struct ReactionItem {
    #[serde(rename = "type")]
    kind: Option<String>,
    channel: Option<String>,
    ts: Option<String>,
}

#[derive(Debug, Deserialize)]
pub(super) struct HomeEvent {
    user: Option<String>,
    tab: Option<String>,
}

/// An Events API request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Push {
    UrlVerification {
        challenge: String,
    },
    Callback {
        event_id: Option<String>,
        team: Option<String>,
        event: Event,
    },
    /// Slack paused deliveries for exceeding its event rate limit.
    RateLimited {
        team: Option<String>,
    },
    Other {
        kind: String,
    },
}

/// What an event means for the desk, before the store is asked about posts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// A user wrote to the bot; `thread_ts` when inside a thread of the DM.
    DirectMessage {
        user: String,
        channel: String,
        ts: String,
        text: String,
        thread_ts: Option<String>,
    },
    /// A user replied in a thread of a channel (maybe under a request card).
    ThreadReply {
        user: String,
        channel: String,
        ts: String,
        thread_ts: String,
        text: String,
    },
    /// A top-level message in a help channel that captures every message.
    ChannelMessage {
        user: String,
        channel: String,
        ts: String,
        text: String,
    },
    /// A ticket reaction was put on a message: file it (`slack.ticket_reactions`).
    TicketReaction {
        user: String,
        channel: String,
        ts: String,
    },
    /// One of the close reactions was put on (or taken off) a message.
    CloseReaction {
        added: bool,
        user: String,
        channel: String,
        ts: String,
    },
    HomeOpened {
        user: String,
    },
    /// The bot token of the workspace was revoked (`tokens_revoked` naming a bot token) or
    /// the app was uninstalled (`app_uninstalled`): calls with the token can only fail now.
    AccessRevoked {
        why: &'static str,
    },
    Ignored {
        why: &'static str,
    },
}

/// What the adapter needs to know to filter events.
///
/// `bot` is `None` while the bot's identity is unknown (Slack was unreachable at start and
/// `auth.test` hasn't answered yet). That can't make the bot answer itself in a loop:
/// - Every message frontdesk posts is sent with the bot token, so Slack delivers it with a
///   `bot_id` (and mostly the `bot_message` subtype); both are dropped whatever `bot` is. The
///   comparison with the bot's user id is only a second line of defence.
/// - The only reaction the bot adds is `slack.relayed_marker`, on agents' replies in a card's
///   thread, never on a card. A reaction counts only when it is a close reaction *and* the
///   message is a request's card (the adapter checks the store), so the bot's own reaction is
///   dropped further on even if the marker were configured as a close reaction.
/// - `app_home_opened` for the bot user never happens; were it to, it would only publish a
///   Home view.
#[derive(Debug, Clone, Copy)]
pub struct Filter<'a> {
    pub bot: Option<&'a BotIdentity>,
    pub close_reactions: &'a [String],
    /// Reactions that file the message they are put on (`slack.ticket_reactions`).
    pub ticket_reactions: &'a [String],
    /// Help channels whose every top-level message may become a request (`capture = "all"`).
    pub capture_channels: &'a [String],
}

impl Filter<'_> {
    /// `user` is the bot itself, as far as we know.
    fn is_bot(&self, user: &str) -> bool {
        self.bot.is_some_and(|b| b.user_id == user)
    }
}

/// # Errors
/// Not JSON, not an object with a `type`, or an event we handle with missing fields.
pub fn parse_push(body: &[u8], filter: Filter<'_>) -> Result<Push, PayloadError> {
    let push: PushBody =
        serde_json::from_slice(body).map_err(|e| PayloadError::Json(e.to_string()))?;
    push_of(push, filter)
}

/// An Events API body as Socket Mode delivers it (the `payload` of an `events_api` envelope).
///
/// # Errors
/// As [`parse_push`].
pub fn parse_push_json(
    payload: serde_json::Value,
    filter: Filter<'_>,
) -> Result<Push, PayloadError> {
    let push: PushBody =
        serde_json::from_value(payload).map_err(|e| PayloadError::Json(e.to_string()))?;
    push_of(push, filter)
}

pub(super) fn push_of(push: PushBody, filter: Filter<'_>) -> Result<Push, PayloadError> {
    match push.kind.as_str() {
        "url_verification" => Ok(Push::UrlVerification {
            challenge: push.challenge.ok_or(PayloadError::Missing("challenge"))?,
        }),
        "event_callback" => {
            let event = push.event.ok_or(PayloadError::Missing("event"))?;
            Ok(Push::Callback {
                event_id: push.event_id,
                team: push.team_id,
                event: classify_event(event, filter)?,
            })
        }
        "app_rate_limited" => Ok(Push::RateLimited { team: push.team_id }),
        _ => Ok(Push::Other { kind: push.kind }),
    }
}

pub(super) fn classify_event(
    event: serde_json::Value,
    filter: Filter<'_>,
) -> Result<Event, PayloadError> {
    let kind = event
        .get("type")
        .and_then(|t| t.as_str())
        .ok_or(PayloadError::Missing("event.type"))?;
    match kind {
        "message" => {
            // Subtypes we don't act on are dropped before parsing: their shapes vary.
            let subtype = event.get("subtype").and_then(|s| s.as_str());
            if !matches!(
                subtype,
                None | Some("file_share") | Some("thread_broadcast")
            ) {
                return Ok(Event::Ignored {
                    why: "message subtype (edit, deletion, join, bot message …)",
                });
            }
            let m: MessageEvent = parse_event(event, "message event")?;
            Ok(classify_message(m, filter))
        }
        "reaction_added" | "reaction_removed" => {
            let added = kind == "reaction_added";
            let r: ReactionEvent = parse_event(event, "reaction event")?;
            Ok(classify_reaction(r, added, filter))
        }
        "app_home_opened" => {
            let h: HomeEvent = parse_event(event, "app_home_opened event")?;
            match (h.user, h.tab.as_deref()) {
                (Some(user), Some("home") | None) if !filter.is_bot(&user) => {
                    Ok(Event::HomeOpened { user })
                }
                _ => Ok(Event::Ignored {
                    why: "messages tab or no user",
                }),
            }
        }
        "app_uninstalled" => Ok(Event::AccessRevoked {
            why: "app_uninstalled",
        }),
        "tokens_revoked" => {
            // Only the bot token matters: frontdesk holds no user tokens.
            let bot_tokens = event
                .pointer("/tokens/bot")
                .and_then(|b| b.as_array())
                .is_some_and(|b| !b.is_empty());
            Ok(if bot_tokens {
                Event::AccessRevoked {
                    why: "tokens_revoked",
                }
            } else {
                Event::Ignored {
                    why: "tokens_revoked for user tokens only",
                }
            })
        }
        _ => Ok(Event::Ignored {
            why: "event type not handled",
        }),
    }
}

pub(super) fn parse_event<T: for<'de> Deserialize<'de>>(
    event: serde_json::Value,
    what: &'static str,
) -> Result<T, PayloadError> {
    serde_json::from_value(event).map_err(|e| PayloadError::Malformed {
        what,
        why: e.to_string(),
    })
}

pub(super) fn classify_message(m: MessageEvent, filter: Filter<'_>) -> Event {
    if m.bot_id.is_some() {
        return Event::Ignored {
            why: "written by a bot",
        };
    }
    let (Some(user), Some(channel), Some(ts)) = (m.user, m.channel, m.ts) else {
        return Event::Ignored {
            why: "message without user, channel or ts",
        };
    };
    if filter.is_bot(&user) {
        return Event::Ignored {
            why: "the bot's own message",
        };
    }
    let mut text = unescape(m.text.as_deref().unwrap_or("")).trim().to_string();
    for f in &m.files {
        let name = f.name.as_deref().or(f.title.as_deref()).unwrap_or("file");
        if !text.is_empty() {
            text.push('\n');
        }
        text.push_str(&format!("(attachment: {name})"));
    }
    if text.is_empty() {
        return Event::Ignored {
            why: "empty message",
        };
    }
    let is_dm = m.channel_type.as_deref() == Some("im")
        || (m.channel_type.is_none() && channel.starts_with('D'));
    if is_dm {
        return Event::DirectMessage {
            user,
            channel,
            thread_ts: m.thread_ts.filter(|t| *t != ts),
            ts,
            text,
        };
    }
    match m.thread_ts {
        Some(thread_ts) if thread_ts != ts => Event::ThreadReply {
            user,
            channel,
            ts,
            thread_ts,
            text,
        },
        _ if filter.capture_channels.contains(&channel) => Event::ChannelMessage {
            user,
            channel,
            ts,
            text,
        },
        _ => Event::Ignored {
            why: "channel message outside a thread",
        },
    }
}

/// `white_check_mark::skin-tone-2` is still `white_check_mark`.
pub(super) fn base_reaction(name: &str) -> &str {
    name.split("::").next().unwrap_or(name)
}

pub(super) fn classify_reaction(r: ReactionEvent, added: bool, filter: Filter<'_>) -> Event {
    let (Some(user), Some(reaction), Some(item)) = (r.user, r.reaction, r.item) else {
        return Event::Ignored {
            why: "reaction without user, name or item",
        };
    };
    if filter.is_bot(&user) {
        return Event::Ignored {
            why: "the bot's own reaction",
        };
    }
    let ticket = added
        && filter
            .ticket_reactions
            .iter()
            .any(|t| t == base_reaction(&reaction));
    if ticket {
        return match (item.kind.as_deref(), item.channel, item.ts) {
            // A ticket reaction in a DM with the bot has nobody to answer in the open.
            (Some("message") | None, Some(channel), Some(ts)) if !channel.starts_with('D') => {
                Event::TicketReaction { user, channel, ts }
            }
            _ => Event::Ignored {
                why: "ticket reaction on something other than a channel message",
            },
        };
    }
    if !filter
        .close_reactions
        .iter()
        .any(|c| c == base_reaction(&reaction))
    {
        return Event::Ignored {
            why: "not a close reaction",
        };
    }
    match (item.kind.as_deref(), item.channel, item.ts) {
        (Some("message") | None, Some(channel), Some(ts)) => Event::CloseReaction {
            added,
            user,
            channel,
            ts,
        },
        _ => Event::Ignored {
            why: "reaction on something other than a message",
        },
    }
}
