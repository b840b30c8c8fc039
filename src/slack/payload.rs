//! Slack's request bodies as serde types, and what each one means for the desk.
//!
//! Pure: bytes in, a [`Command`], [`Event`] or list of [`Click`]s out; looking up which request
//! a Slack message belongs to is left to the caller (it needs the store). Our own small types
//! rather than slack-morphism's models: theirs reject an interaction type they don't know
//! and parse every block of every message, where we need a dozen fields and must answer 200 to
//! whatever else Slack sends.
//!
//! Noise is dropped here: the bot's own messages and reactions, other bots' messages, edits,
//! deletions, joins and the like. Edits and deletions are ignored on purpose: what the user
//! first wrote was already acted on (an answer to an intake question, a relayed reply), and a
//! correction is best sent as a new message. A file shared with a message is relayed as its
//! text plus one `(attachment: name)` line per file.

use super::api::BotIdentity;
use super::blocks::unescape;
use serde::Deserialize;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PayloadError {
    #[error("body is not valid JSON: {0}")]
    Json(String),
    #[error("body is not a valid form: {0}")]
    Form(String),
    #[error("missing field {0}")]
    Missing(&'static str),
    #[error("malformed {what}: {why}")]
    Malformed { what: &'static str, why: String },
}

// ---- slash commands ----

#[derive(Debug, Default, Deserialize)]
struct CommandForm {
    ssl_check: Option<String>,
    command: Option<String>,
    text: Option<String>,
    user_id: Option<String>,
    team_id: Option<String>,
    channel_id: Option<String>,
    trigger_id: Option<String>,
}

/// A slash command, or Slack's certificate check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// `ssl_check=1`: Slack checking the certificate; answer 200 and do nothing.
    SslCheck,
    Invoked {
        command: String,
        user: String,
        text: String,
        team: Option<String>,
        channel: Option<String>,
        trigger_id: Option<String>,
    },
}

impl Command {
    /// Who typed it; none for Slack's certificate check.
    pub fn user(&self) -> Option<&str> {
        match self {
            Command::SslCheck => None,
            Command::Invoked { user, .. } => Some(user),
        }
    }
}

/// Slack's certificate check (`ssl_check=1`): answered with 200 before verification, like
/// Slack's own SDKs do, since it changes nothing and Slack may not sign it.
pub fn is_ssl_check(body: &[u8]) -> bool {
    body.len() < 512
        && serde_urlencoded::from_bytes::<CommandForm>(body)
            .is_ok_and(|f| f.ssl_check.as_deref() == Some("1") && f.user_id.is_none())
}

/// # Errors
/// Not a form, or no `user_id`.
pub fn parse_command(body: &[u8]) -> Result<Command, PayloadError> {
    let form: CommandForm =
        serde_urlencoded::from_bytes(body).map_err(|e| PayloadError::Form(e.to_string()))?;
    command_of(form)
}

/// A slash command as Socket Mode delivers it: the form's fields as one JSON object.
///
/// # Errors
/// Not an object of strings, or no `user_id`.
pub fn parse_command_json(payload: serde_json::Value) -> Result<Command, PayloadError> {
    let form: CommandForm =
        serde_json::from_value(payload).map_err(|e| PayloadError::Json(e.to_string()))?;
    command_of(form)
}

fn command_of(form: CommandForm) -> Result<Command, PayloadError> {
    if form.ssl_check.as_deref() == Some("1") {
        return Ok(Command::SslCheck);
    }
    let user = form
        .user_id
        .filter(|u| !u.is_empty())
        .ok_or(PayloadError::Missing("user_id"))?;
    Ok(Command::Invoked {
        command: form.command.unwrap_or_default(),
        user,
        text: unescape(form.text.as_deref().unwrap_or("")),
        team: form.team_id,
        channel: form.channel_id,
        trigger_id: form.trigger_id.filter(|t| !t.is_empty()),
    })
}

// ---- Events API ----

#[derive(Debug, Deserialize)]
struct PushBody {
    #[serde(rename = "type")]
    kind: String,
    challenge: Option<String>,
    event_id: Option<String>,
    team_id: Option<String>,
    event: Option<serde_json::Value>,
}

#[derive(Debug, Deserialize)]
struct MessageEvent {
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
struct FileRef {
    name: Option<String>,
    title: Option<String>,
}

#[derive(Debug, Deserialize)]
struct ReactionEvent {
    user: Option<String>,
    reaction: Option<String>,
    item: Option<ReactionItem>,
}

#[derive(Debug, Deserialize)]
struct ReactionItem {
    #[serde(rename = "type")]
    kind: Option<String>,
    channel: Option<String>,
    ts: Option<String>,
}

#[derive(Debug, Deserialize)]
struct HomeEvent {
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

fn push_of(push: PushBody, filter: Filter<'_>) -> Result<Push, PayloadError> {
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

fn classify_event(event: serde_json::Value, filter: Filter<'_>) -> Result<Event, PayloadError> {
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

fn parse_event<T: for<'de> Deserialize<'de>>(
    event: serde_json::Value,
    what: &'static str,
) -> Result<T, PayloadError> {
    serde_json::from_value(event).map_err(|e| PayloadError::Malformed {
        what,
        why: e.to_string(),
    })
}

fn classify_message(m: MessageEvent, filter: Filter<'_>) -> Event {
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
        _ => Event::Ignored {
            why: "channel message outside a thread",
        },
    }
}

/// `white_check_mark::skin-tone-2` is still `white_check_mark`.
fn base_reaction(name: &str) -> &str {
    name.split("::").next().unwrap_or(name)
}

fn classify_reaction(r: ReactionEvent, added: bool, filter: Filter<'_>) -> Event {
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

// ---- interactivity ----

#[derive(Debug, Deserialize)]
struct InteractivityForm {
    payload: Option<String>,
}

#[derive(Debug, Deserialize)]
struct InteractionPayload {
    #[serde(rename = "type")]
    kind: String,
    user: Option<IdObject>,
    team: Option<IdObject>,
    trigger_id: Option<String>,
    #[serde(default)]
    actions: Vec<ActionPayload>,
    view: Option<ViewPayload>,
}

#[derive(Debug, Deserialize)]
struct ViewPayload {
    id: Option<String>,
    callback_id: Option<String>,
    private_metadata: Option<String>,
    state: Option<ViewState>,
}

#[derive(Debug, Deserialize)]
struct ViewState {
    /// block_id → action_id → the input's state.
    #[serde(default)]
    values: std::collections::BTreeMap<String, std::collections::BTreeMap<String, InputState>>,
}

#[derive(Debug, Deserialize)]
struct InputState {
    value: Option<String>,
}

#[derive(Debug, Deserialize)]
struct IdObject {
    id: String,
}

#[derive(Debug, Deserialize)]
struct ActionPayload {
    action_id: Option<String>,
    value: Option<String>,
    action_ts: Option<String>,
}

/// A button press: who pressed and the button's value (an `Action` in text form).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Click {
    pub user: String,
    pub value: String,
    pub action_id: Option<String>,
    /// `trigger_id` of the interaction, plus the action's position: the dedup key.
    pub key: Option<String>,
    /// The interaction's `trigger_id`, for opening a modal in answer.
    pub trigger_id: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Interaction {
    BlockActions {
        team: Option<String>,
        clicks: Vec<Click>,
    },
    /// A modal of ours was submitted.
    ViewSubmission {
        team: Option<String>,
        user: String,
        /// The view's id: the dedup key.
        view_id: Option<String>,
        callback_id: String,
        private_metadata: String,
        /// Each input's value by its `action_id`.
        values: std::collections::BTreeMap<String, String>,
    },
    Other {
        kind: String,
    },
}

/// # Errors
/// Not a form with a `payload` field holding a JSON object with a `type`; a block_actions
/// payload without a user.
pub fn parse_interaction(body: &[u8]) -> Result<Interaction, PayloadError> {
    let form: InteractivityForm =
        serde_urlencoded::from_bytes(body).map_err(|e| PayloadError::Form(e.to_string()))?;
    let payload = form.payload.ok_or(PayloadError::Missing("payload"))?;
    let p: InteractionPayload =
        serde_json::from_str(&payload).map_err(|e| PayloadError::Json(e.to_string()))?;
    interaction_of(p)
}

/// An interaction as Socket Mode delivers it: the JSON object itself, not wrapped in a form.
///
/// # Errors
/// As [`parse_interaction`].
pub fn parse_interaction_json(payload: serde_json::Value) -> Result<Interaction, PayloadError> {
    let p: InteractionPayload =
        serde_json::from_value(payload).map_err(|e| PayloadError::Json(e.to_string()))?;
    interaction_of(p)
}

fn interaction_of(p: InteractionPayload) -> Result<Interaction, PayloadError> {
    if p.kind == "view_submission" {
        let user = p.user.ok_or(PayloadError::Missing("user"))?.id;
        let view = p.view.ok_or(PayloadError::Missing("view"))?;
        let values = view
            .state
            .map(|s| s.values)
            .unwrap_or_default()
            .into_values()
            .flatten()
            .filter_map(|(action, input)| Some((action, input.value?)))
            .collect();
        return Ok(Interaction::ViewSubmission {
            team: p.team.map(|t| t.id),
            user,
            view_id: view.id,
            callback_id: view.callback_id.unwrap_or_default(),
            private_metadata: view.private_metadata.unwrap_or_default(),
            values,
        });
    }
    if p.kind != "block_actions" {
        return Ok(Interaction::Other { kind: p.kind });
    }
    let user = p.user.ok_or(PayloadError::Missing("user"))?.id;
    let clicks = p
        .actions
        .into_iter()
        .enumerate()
        .filter_map(|(i, a)| {
            let value = a.value?;
            let key = p
                .trigger_id
                .as_ref()
                .map(|t| format!("{t}:{i}"))
                .or(a.action_ts.map(|ts| format!("{user}:{ts}:{i}")));
            Some(Click {
                user: user.clone(),
                value,
                action_id: a.action_id,
                key,
                trigger_id: p.trigger_id.clone(),
            })
        })
        .collect();
    Ok(Interaction::BlockActions {
        team: p.team.map(|t| t.id),
        clicks,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/slack");

    fn fixture(name: &str) -> Vec<u8> {
        std::fs::read(format!("{FIXTURES}/{name}")).unwrap_or_else(|e| panic!("{name}: {e}"))
    }

    fn bot() -> BotIdentity {
        BotIdentity {
            user_id: "UBOT".into(),
            bot_id: Some("BBOT".into()),
            team_id: Some("T111".into()),
            team: None,
        }
    }

    fn push(name: &str) -> Push {
        let bot = bot();
        let close = vec!["white_check_mark".to_string(), "heart_eyes".to_string()];
        parse_push(
            &fixture(name),
            Filter {
                bot: Some(&bot),
                close_reactions: &close,
            },
        )
        .unwrap()
    }

    fn event(name: &str) -> Event {
        match push(name) {
            Push::Callback { event, .. } => event,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn url_verification_yields_the_challenge() {
        assert_eq!(
            push("url_verification.json"),
            Push::UrlVerification {
                challenge: "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P".into()
            }
        );
    }

    #[test]
    fn a_dm_in_a_thread_keeps_its_thread() {
        assert_eq!(
            event("message_im.json"),
            Event::DirectMessage {
                user: "W222".into(),
                channel: "D111".into(),
                ts: "1726133700.887259".into(),
                text: "When Slack was released?".into(),
                thread_ts: Some("1726133698.626339".into()),
            }
        );
    }

    #[test]
    fn bot_messages_edits_and_deletions_are_ignored() {
        for name in [
            "message_bot.json",
            "message_bot_no_subtype.json",
            "message_changed.json",
            "message_deleted.json",
        ] {
            assert!(matches!(event(name), Event::Ignored { .. }), "{name}");
        }
    }

    #[test]
    fn with_the_bot_unknown_bot_messages_and_its_marker_reaction_are_still_ignored() {
        let close = vec!["white_check_mark".to_string(), "heart_eyes".to_string()];
        let unknown = Filter {
            bot: None,
            close_reactions: &close,
        };
        let parse =
            |v: &serde_json::Value| match parse_push(&serde_json::to_vec(v).unwrap(), unknown)
                .unwrap()
            {
                Push::Callback { event, .. } => event,
                other => panic!("{other:?}"),
            };
        for name in ["message_bot.json", "message_bot_no_subtype.json"] {
            let v: serde_json::Value = serde_json::from_slice(&fixture(name)).unwrap();
            assert!(matches!(parse(&v), Event::Ignored { .. }), "{name}");
        }
        // The bot's own DM echoed back: it carries its bot_id.
        let mut own: serde_json::Value =
            serde_json::from_slice(&fixture("message_im.json")).unwrap();
        own["event"]["user"] = "UBOT".into();
        own["event"]["bot_id"] = "BBOT".into();
        assert!(matches!(parse(&own), Event::Ignored { .. }));
        // The relayed marker the bot puts on agents' replies is not a close reaction.
        let mut marker: serde_json::Value =
            serde_json::from_slice(&fixture("reaction_added.json")).unwrap();
        marker["event"]["user"] = "UBOT".into();
        marker["event"]["reaction"] = "outbox_tray".into();
        assert!(matches!(parse(&marker), Event::Ignored { .. }));
        // People's events still count.
        assert!(matches!(
            parse(&serde_json::from_slice(&fixture("reaction_added.json")).unwrap()),
            Event::CloseReaction { .. }
        ));
    }

    #[test]
    fn a_channel_thread_reply_is_recognised() {
        assert!(matches!(
            event("message_thread_reply.json"),
            Event::ThreadReply { .. }
        ));
        assert!(matches!(
            event("message_channel_2.json"),
            Event::Ignored { .. }
        ));
    }

    #[test]
    fn shared_files_are_named_in_the_text() {
        match event("message_file_share.json") {
            Event::Ignored { .. } => {} // top-level channel message: not in a card thread
            other => panic!("{other:?}"),
        }
        let bot = bot();
        let mut v: serde_json::Value =
            serde_json::from_slice(&fixture("message_file_share.json")).unwrap();
        v["event"]["thread_ts"] = "1.000".into();
        let body = serde_json::to_vec(&v).unwrap();
        let Push::Callback {
            event: Event::ThreadReply { text, .. },
            ..
        } = parse_push(
            &body,
            Filter {
                bot: Some(&bot),
                close_reactions: &[],
            },
        )
        .unwrap()
        else {
            panic!()
        };
        assert!(text.contains("(attachment: "), "{text}");
    }

    #[test]
    fn close_reactions_are_recognised_and_others_ignored() {
        assert_eq!(
            event("reaction_added.json"),
            Event::CloseReaction {
                added: true,
                user: "W111".into(),
                channel: "C111".into(),
                ts: "1599529504.000400".into()
            }
        );
        let bot = bot();
        let none: Vec<String> = vec![];
        let Push::Callback { event, .. } = parse_push(
            &fixture("reaction_added.json"),
            Filter {
                bot: Some(&bot),
                close_reactions: &none,
            },
        )
        .unwrap() else {
            panic!()
        };
        assert!(matches!(event, Event::Ignored { .. }));
    }

    #[test]
    fn unknown_event_types_are_ignored_not_errors() {
        for name in ["member_joined_channel.json", "app_mention.json"] {
            assert!(matches!(event(name), Event::Ignored { .. }), "{name}");
        }
    }

    #[test]
    fn a_revoked_bot_token_or_an_uninstall_revokes_access_but_user_tokens_do_not() {
        assert_eq!(
            event("tokens_revoked.json"),
            Event::AccessRevoked {
                why: "tokens_revoked"
            }
        );
        let bot = bot();
        let filter = Filter {
            bot: Some(&bot),
            close_reactions: &[],
        };
        let parse = |body: serde_json::Value| match parse_push(body.to_string().as_bytes(), filter)
        {
            Ok(Push::Callback { event, .. }) => event,
            other => panic!("{other:?}"),
        };
        let wrap = |event: serde_json::Value| serde_json::json!({"type": "event_callback", "team_id": "T111", "event_id": "Ev1", "event": event});
        assert_eq!(
            parse(wrap(serde_json::json!({"type": "app_uninstalled"}))),
            Event::AccessRevoked {
                why: "app_uninstalled"
            }
        );
        assert!(matches!(
            parse(wrap(
                serde_json::json!({"type": "tokens_revoked", "tokens": {"oauth": ["U1"], "bot": []}})
            )),
            Event::Ignored { .. }
        ));
    }

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        let bot = bot();
        let f = Filter {
            bot: Some(&bot),
            close_reactions: &[],
        };
        for body in [
            &b""[..],
            b"{",
            b"[]",
            b"null",
            b"{\"type\":1}",
            b"\xff\xfe",
            b"{\"type\":\"event_callback\"}",
        ] {
            assert!(
                parse_push(body, f).is_err(),
                "{:?}",
                String::from_utf8_lossy(body)
            );
        }
        assert!(parse_push(
            br#"{"type":"event_callback","event":{"type":"message","user":5}}"#,
            f
        )
        .is_err());
    }

    #[test]
    fn slash_commands_and_ssl_checks_parse() {
        assert_eq!(
            parse_command(&fixture("ssl_check.form")),
            Ok(Command::SslCheck)
        );
        assert_eq!(
            parse_command(&fixture("slash_command.form")),
            Ok(Command::Invoked {
                command: "/hello-world".into(),
                user: "W111".into(),
                text: "Hi".into(),
                team: Some("T111".into()),
                channel: Some("C111".into()),
                trigger_id: Some("111.111.xxx".into()),
            })
        );
        assert_eq!(
            parse_command(b"text=hi"),
            Err(PayloadError::Missing("user_id"))
        );
    }

    #[test]
    fn a_view_submission_carries_its_inputs_by_action_id() {
        let payload = serde_json::json!({
            "type": "view_submission",
            "team": {"id": "T111"},
            "user": {"id": "U222"},
            "trigger_id": "333.444.aaa",
            "view": {
                "id": "V123",
                "type": "modal",
                "callback_id": "fd_reply",
                "private_metadata": "HR-4",
                "state": {"values": {"reply": {"text": {"type": "plain_text_input", "value": "Your payslip is fixed."}}}}
            }
        });
        let body = serde_urlencoded::to_string([("payload", payload.to_string())]).unwrap();
        let expected = Interaction::ViewSubmission {
            team: Some("T111".into()),
            user: "U222".into(),
            view_id: Some("V123".into()),
            callback_id: "fd_reply".into(),
            private_metadata: "HR-4".into(),
            values: [("text".to_string(), "Your payslip is fixed.".to_string())].into(),
        };
        assert_eq!(parse_interaction(body.as_bytes()), Ok(expected.clone()));
        assert_eq!(parse_interaction_json(payload), Ok(expected));
    }

    #[test]
    fn block_actions_yield_one_click_per_button() {
        let json = String::from_utf8(fixture("block_actions_button.json")).unwrap();
        let body = serde_urlencoded::to_string([("payload", json)]).unwrap();
        assert_eq!(
            parse_interaction(body.as_bytes()),
            Ok(Interaction::BlockActions {
                team: Some("T111".into()),
                clicks: vec![Click {
                    user: "W111".into(),
                    value: "click_me_123".into(),
                    action_id: Some("a".into()),
                    key: Some("111.222.valid:0".into()),
                    trigger_id: Some("111.222.valid".into()),
                }]
            })
        );
        assert!(parse_interaction(b"payload=%7B").is_err());
        assert!(parse_interaction(b"nothing=here").is_err());
        assert_eq!(
            parse_interaction(b"payload=%7B%22type%22%3A%22view_closed%22%7D"),
            Ok(Interaction::Other {
                kind: "view_closed".into()
            })
        );
    }
}
