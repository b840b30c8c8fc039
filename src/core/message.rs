//! Platform-neutral messages: lines of translatable text plus the choices a user can click.
//!
//! A line is a catalog message id with typed arguments ([`Text`], [`Arg`]): plain words,
//! emphasis, code, a mention of a [`UserRef`], a command hint, a request id, a duration. No
//! platform markup and no wording lives here: the catalogs under `locales/` hold the words,
//! and each adapter renders the arguments (Block Kit mrkdwn, Teams markdown, Adaptive Card
//! text, console text).

use super::ids::{RequestId, UserRef};
use serde::{Deserialize, Serialize};
use std::fmt;

/// What a button does. Encoded as a short string so it fits in any platform's button value
/// and survives a round trip through a chat client.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(into = "String", try_from = "String")]
pub enum Action {
    StartRequest,
    PickDepartment(String),
    ConfirmDepartment,
    RejectDepartment,
    PickOption(usize),
    Skip,
    Back,
    Cancel,
    Submit,
    Claim(RequestId),
    Close(RequestId),
    Reopen(RequestId),
    Rate(RequestId, u8),
    NoComment(RequestId),
    ReplyTo(RequestId),
    /// An agent asks to read a confidential request's content.
    ViewDetails(RequestId),
    /// An agent wants to write to the requester (explicit relay): the platform shows a form;
    /// the click alone only explains how.
    ReplyToRequester(RequestId),
    /// An agent takes over a request, whoever had it.
    TakeOver(RequestId),
    /// The agent gives the request back to the team's queue.
    Unassign(RequestId),
    /// An agent asks whom to give the request to.
    Reassign(RequestId),
    /// Give the request to this agent (a platform user id).
    AssignTo(RequestId, String),
    /// Set the request to wait on its requester.
    AwaitRequester(RequestId),
    /// Open the request form (a Slack modal) instead of the conversation.
    OpenForm,
    /// The requester wants to thank the request's agent (offered after the survey).
    Thank(RequestId),
    /// Post the thank-you without a note.
    SendThanks(RequestId),
    /// The requester changed their mind: nothing is posted.
    NoThanks(RequestId),
    /// The requester answers a choice question about a request filed from a channel message,
    /// in that message's thread: option `option` of the department's field `field`.
    FieldOption {
        request: RequestId,
        field: usize,
        option: usize,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown action {0:?}")]
pub struct BadAction(pub String);

impl Action {
    pub fn parse(s: &str) -> Result<Action, BadAction> {
        let bad = || BadAction(s.to_string());
        let id = |v: &str| RequestId::parse(v).map_err(|_| bad());
        let (verb, arg) = s.split_once(':').unwrap_or((s, ""));
        Ok(match (verb, arg) {
            ("new", "") => Action::StartRequest,
            ("dept", d) if !d.is_empty() => Action::PickDepartment(d.to_string()),
            ("dept_yes", "") => Action::ConfirmDepartment,
            ("dept_no", "") => Action::RejectDepartment,
            ("opt", n) => Action::PickOption(n.parse().map_err(|_| bad())?),
            ("skip", "") => Action::Skip,
            ("back", "") => Action::Back,
            ("cancel", "") => Action::Cancel,
            ("submit", "") => Action::Submit,
            ("claim", r) => Action::Claim(id(r)?),
            ("close", r) => Action::Close(id(r)?),
            ("reopen", r) => Action::Reopen(id(r)?),
            ("nocomment", r) => Action::NoComment(id(r)?),
            ("details", r) => Action::ViewDetails(id(r)?),
            ("tellrequester", r) => Action::ReplyToRequester(id(r)?),
            ("takeover", r) => Action::TakeOver(id(r)?),
            ("unassign", r) => Action::Unassign(id(r)?),
            ("reassign", r) => Action::Reassign(id(r)?),
            ("wait", r) => Action::AwaitRequester(id(r)?),
            ("form", "") => Action::OpenForm,
            ("assign", rest) => match rest.split_once(':') {
                Some((r, user)) if !user.is_empty() => Action::AssignTo(id(r)?, user.to_string()),
                _ => return Err(bad()),
            },
            ("replyto", r) => Action::ReplyTo(id(r)?),
            ("thank", r) => Action::Thank(id(r)?),
            ("thanksend", r) => Action::SendThanks(id(r)?),
            ("nothanks", r) => Action::NoThanks(id(r)?),
            ("fieldopt", rest) => {
                let mut parts = rest.rsplitn(3, ':');
                let (Some(option), Some(field), Some(r)) =
                    (parts.next(), parts.next(), parts.next())
                else {
                    return Err(bad());
                };
                Action::FieldOption {
                    request: id(r)?,
                    field: field.parse().map_err(|_| bad())?,
                    option: option.parse().map_err(|_| bad())?,
                }
            }
            ("rate", rest) => {
                let (r, n) = rest.rsplit_once(':').ok_or_else(bad)?;
                let n: u8 = n.parse().map_err(|_| bad())?;
                if !(1..=5).contains(&n) {
                    return Err(bad());
                }
                Action::Rate(id(r)?, n)
            }
            _ => return Err(bad()),
        })
    }
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Action::StartRequest => f.write_str("new"),
            Action::PickDepartment(d) => write!(f, "dept:{d}"),
            Action::ConfirmDepartment => f.write_str("dept_yes"),
            Action::RejectDepartment => f.write_str("dept_no"),
            Action::PickOption(n) => write!(f, "opt:{n}"),
            Action::Skip => f.write_str("skip"),
            Action::Back => f.write_str("back"),
            Action::Cancel => f.write_str("cancel"),
            Action::Submit => f.write_str("submit"),
            Action::Claim(r) => write!(f, "claim:{r}"),
            Action::Close(r) => write!(f, "close:{r}"),
            Action::Reopen(r) => write!(f, "reopen:{r}"),
            Action::Rate(r, n) => write!(f, "rate:{r}:{n}"),
            Action::NoComment(r) => write!(f, "nocomment:{r}"),
            Action::ReplyTo(r) => write!(f, "replyto:{r}"),
            Action::ViewDetails(r) => write!(f, "details:{r}"),
            Action::ReplyToRequester(r) => write!(f, "tellrequester:{r}"),
            Action::TakeOver(r) => write!(f, "takeover:{r}"),
            Action::Unassign(r) => write!(f, "unassign:{r}"),
            Action::Reassign(r) => write!(f, "reassign:{r}"),
            Action::AssignTo(r, user) => write!(f, "assign:{r}:{user}"),
            Action::AwaitRequester(r) => write!(f, "wait:{r}"),
            Action::OpenForm => f.write_str("form"),
            Action::Thank(r) => write!(f, "thank:{r}"),
            Action::SendThanks(r) => write!(f, "thanksend:{r}"),
            Action::NoThanks(r) => write!(f, "nothanks:{r}"),
            Action::FieldOption {
                request,
                field,
                option,
            } => write!(f, "fieldopt:{request}:{field}:{option}"),
        }
    }
}

impl From<Action> for String {
    fn from(a: Action) -> String {
        a.to_string()
    }
}

impl TryFrom<String> for Action {
    type Error = BadAction;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Action::parse(&s)
    }
}

/// A button: what it says and what it does.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Choice {
    pub label: Text,
    pub action: Action,
}

impl Choice {
    pub fn new(label: Text, action: Action) -> Self {
        Choice { label, action }
    }
}

/// What the desk says: lines of translatable text, and the choices offered under them.
///
/// Serialised in the outbox. Items written before messages were structured hold
/// `{"text": "...", "choices": [{"label": "...", ...}]}` with the words already in them;
/// those still read, as plain text (see [`Message`]'s `Deserialize`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Message {
    pub lines: Vec<Text>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub choices: Vec<Choice>,
}

impl Message {
    pub fn text(text: Text) -> Self {
        Message {
            lines: vec![text],
            choices: Vec::new(),
        }
    }

    pub fn with_choices(text: Text, choices: Vec<Choice>) -> Self {
        Message {
            lines: vec![text],
            choices,
        }
    }

    /// Adds a line under the ones there are.
    pub fn line(mut self, text: Text) -> Self {
        self.lines.push(text);
        self
    }

    /// Adds a button after the ones there are.
    pub fn choice(mut self, choice: Choice) -> Self {
        self.choices.push(choice);
        self
    }

    /// Puts a line above the ones there are.
    pub fn prefixed(mut self, text: Text) -> Self {
        self.lines.insert(0, text);
        self
    }
}

impl<'de> Deserialize<'de> for Message {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        struct LegacyChoice {
            label: String,
            action: Action,
        }
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Repr {
            Current {
                lines: Vec<Text>,
                #[serde(default)]
                choices: Vec<Choice>,
            },
            Legacy {
                text: String,
                #[serde(default)]
                choices: Vec<LegacyChoice>,
            },
        }
        Ok(match Repr::deserialize(d)? {
            Repr::Current { lines, choices } => Message { lines, choices },
            Repr::Legacy { text, choices } => Message {
                lines: vec![Text::plain(text)],
                choices: choices
                    .into_iter()
                    .map(|c| Choice::new(Text::plain(c.label), c.action))
                    .collect(),
            },
        })
    }
}

/// The catalog id whose whole text is its `text` argument: words that need no translation
/// (a department's name on a button, an option from the configuration).
pub const PLAIN: &str = "plain";

/// One translatable line: a message id from the catalogs (`locales/*/frontdesk.ftl`) and the
/// arguments its placeables name. Never holds platform markup; each adapter renders the
/// arguments in its own syntax.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Text {
    pub id: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub args: Vec<(String, Arg)>,
}

impl Text {
    pub fn new(id: &str) -> Self {
        Text {
            id: id.to_string(),
            args: Vec::new(),
        }
    }

    /// Words shown as they are, escaped for the platform.
    pub fn plain(text: impl Into<String>) -> Self {
        Text::new(PLAIN).arg("text", Arg::Plain(text.into()))
    }

    pub fn arg(mut self, name: &str, value: impl Into<Arg>) -> Self {
        self.args.push((name.to_string(), value.into()));
        self
    }
}

/// A command the user can type, shown the way their platform spells it: Slack has the
/// `/help-it` slash command, Teams users type the bare words in their chat with the bot.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Command {
    /// Start a request (`/help-it`).
    Start,
    /// Start a request saying what is needed (`/help-it <what you need>`).
    StartWith,
    /// List one's open requests (`/help-it status`).
    Status,
    /// Cancel a request (`/help-it cancel IT-7`).
    Cancel(RequestId),
}

/// An argument of a [`Text`], typed so each platform can render it its own way.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Arg {
    /// Words from a person or the configuration: shown as written, escaped for the platform.
    Plain(String),
    /// A number; the catalogs may choose plural forms by it.
    Number(i64),
    /// Emphasised (Slack `*x*`, Teams `**x**`).
    Strong(Box<Arg>),
    /// Something to type exactly as shown (`back`, `cancel IT-7`).
    Code(String),
    /// A person, mentioned the platform's way.
    User(UserRef),
    /// A request id.
    Request(RequestId),
    /// A command hint.
    Command(Command),
    /// A length of time, in seconds ("4h", "2h 30m"), in the reader's units.
    Duration(i64),
    /// Another catalog message, formatted first (a status word, "you").
    Text(Box<Text>),
    /// An instant, shown as a local weekday and time ("Monday 10:30") in the reader's time
    /// zone, or in `zone` (named after it) when theirs is unknown; `dated` adds the date.
    LocalTime {
        at: super::ids::Timestamp,
        zone: chrono_tz::Tz,
        dated: bool,
    },
    /// A user group, mentioned the platform's way (Slack `S…`).
    Group(String),
    /// Several arguments, separated by spaces (the people an escalation mentions).
    List(Vec<Arg>),
    /// A link to a request's card in its department channel.
    CardLink(RequestId),
}

impl Arg {
    pub fn strong(inner: impl Into<Arg>) -> Arg {
        Arg::Strong(Box::new(inner.into()))
    }

    pub fn code(text: impl Into<String>) -> Arg {
        Arg::Code(text.into())
    }

    pub fn duration(d: chrono::Duration) -> Arg {
        Arg::Duration(d.num_seconds())
    }
}

impl From<String> for Arg {
    fn from(s: String) -> Arg {
        Arg::Plain(s)
    }
}

impl From<&str> for Arg {
    fn from(s: &str) -> Arg {
        Arg::Plain(s.to_string())
    }
}

impl From<&RequestId> for Arg {
    fn from(id: &RequestId) -> Arg {
        Arg::Request(id.clone())
    }
}

impl From<&UserRef> for Arg {
    fn from(u: &UserRef) -> Arg {
        Arg::User(u.clone())
    }
}

impl From<Text> for Arg {
    fn from(t: Text) -> Arg {
        Arg::Text(Box::new(t))
    }
}

impl From<Command> for Arg {
    fn from(c: Command) -> Arg {
        Arg::Command(c)
    }
}

impl From<u64> for Arg {
    fn from(n: u64) -> Arg {
        Arg::Number(i64::try_from(n).unwrap_or(i64::MAX))
    }
}

impl From<usize> for Arg {
    fn from(n: usize) -> Arg {
        Arg::Number(i64::try_from(n).unwrap_or(i64::MAX))
    }
}

impl From<u8> for Arg {
    fn from(n: u8) -> Arg {
        Arg::Number(n.into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_action_round_trips_through_its_string_form() {
        let id = RequestId::parse("IT-3").unwrap();
        let all = [
            Action::StartRequest,
            Action::PickDepartment("it".into()),
            Action::ConfirmDepartment,
            Action::RejectDepartment,
            Action::PickOption(2),
            Action::Skip,
            Action::Back,
            Action::Cancel,
            Action::Submit,
            Action::Claim(id.clone()),
            Action::Close(id.clone()),
            Action::Reopen(id.clone()),
            Action::Rate(id.clone(), 5),
            Action::NoComment(id.clone()),
            Action::Thank(id.clone()),
            Action::SendThanks(id.clone()),
            Action::NoThanks(id.clone()),
            Action::ViewDetails(id.clone()),
            Action::ReplyToRequester(id.clone()),
            Action::TakeOver(id.clone()),
            Action::Unassign(id.clone()),
            Action::Reassign(id.clone()),
            Action::AssignTo(id.clone(), "U0AGENT".into()),
            Action::AwaitRequester(id.clone()),
            Action::OpenForm,
            Action::ReplyTo(id.clone()),
            Action::FieldOption {
                request: id,
                field: 1,
                option: 3,
            },
        ];
        for a in all {
            assert_eq!(Action::parse(&a.to_string()), Ok(a.clone()));
        }
    }

    #[test]
    fn messages_written_before_they_were_structured_still_read() {
        let old = r#"{"text":"Hi *there*","choices":[{"label":"Skip","action":"skip"}]}"#;
        let msg: Message = serde_json::from_str(old).unwrap();
        assert_eq!(msg.lines, vec![Text::plain("Hi *there*")]);
        assert_eq!(
            msg.choices,
            vec![Choice::new(Text::plain("Skip"), Action::Skip)]
        );
        let new = Message::with_choices(
            Text::new("survey-thanks").arg("id", &RequestId::parse("IT-2").unwrap()),
            vec![Choice::new(Text::new("button-skip"), Action::Skip)],
        )
        .line(Text::plain("more"));
        let json = serde_json::to_string(&new).unwrap();
        assert_eq!(serde_json::from_str::<Message>(&json).unwrap(), new);
    }

    #[test]
    fn garbage_actions_are_errors_not_panics() {
        for s in [
            "",
            "dept:",
            "opt:x",
            "rate:IT-1:9",
            "rate:IT-1",
            "claim:nope",
            "launch",
            "rate::",
        ] {
            assert!(Action::parse(s).is_err(), "{s:?}");
        }
    }
}
