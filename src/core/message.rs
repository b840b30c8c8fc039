//! Platform-neutral messages: text plus the choices a user can click. Adapters render them
//! as Block Kit, Adaptive Cards or numbered console options; no platform markup lives here.
//!
//! Text may mention a user as `<@ID>`; adapters turn that into their own mention syntax.

use super::ids::RequestId;
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
            ("replyto", r) => Action::ReplyTo(id(r)?),
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

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Choice {
    pub label: String,
    pub action: Action,
}

impl Choice {
    pub fn new(label: impl Into<String>, action: Action) -> Self {
        Choice {
            label: label.into(),
            action,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Message {
    pub text: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub choices: Vec<Choice>,
}

impl Message {
    pub fn text(text: impl Into<String>) -> Self {
        Message {
            text: text.into(),
            choices: Vec::new(),
        }
    }

    pub fn with_choices(text: impl Into<String>, choices: Vec<Choice>) -> Self {
        Message {
            text: text.into(),
            choices,
        }
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
            Action::ReplyTo(id),
        ];
        for a in all {
            assert_eq!(Action::parse(&a.to_string()), Ok(a.clone()));
        }
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
