//! Identifiers shared by every layer: request ids, user references, platforms.
//! Parsed once at the edge, then passed around as types.

use serde::{Deserialize, Serialize};
use std::fmt;

/// Wall-clock time as the core sees it; the shell reads the clock and passes it in.
pub type Timestamp = chrono::DateTime<chrono::Utc>;

/// Where a user or a message lives.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Platform {
    Console,
    Slack,
    Teams,
}

impl Platform {
    pub fn as_str(self) -> &'static str {
        match self {
            Platform::Console => "console",
            Platform::Slack => "slack",
            Platform::Teams => "teams",
        }
    }

    pub fn parse(s: &str) -> Option<Platform> {
        match s {
            "console" => Some(Platform::Console),
            "slack" => Some(Platform::Slack),
            "teams" => Some(Platform::Teams),
            _ => None,
        }
    }
}

impl fmt::Display for Platform {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A person on one platform. The same human on Slack and Teams is two users.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct UserRef {
    pub platform: Platform,
    pub id: String,
}

impl UserRef {
    pub fn new(platform: Platform, id: impl Into<String>) -> Self {
        UserRef {
            platform,
            id: id.into(),
        }
    }

    /// `slack:U123`, the form used by the CLI and the store.
    pub fn parse(s: &str) -> Option<UserRef> {
        let (p, id) = s.split_once(':')?;
        let platform = Platform::parse(p)?;
        if id.is_empty() {
            return None;
        }
        Some(UserRef::new(platform, id))
    }
}

impl fmt::Display for UserRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.platform, self.id)
    }
}

/// `IT-42`: a department prefix and a per-department number that is never reused.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct RequestId {
    prefix: String,
    number: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not a request id: {0:?} (expected PREFIX-NUMBER, e.g. IT-7)")]
pub struct BadRequestId(pub String);

impl RequestId {
    pub fn new(prefix: impl Into<String>, number: u64) -> Self {
        RequestId {
            prefix: prefix.into(),
            number,
        }
    }

    /// Accepts any case (`it-7`), since people type ids.
    pub fn parse(s: &str) -> Result<RequestId, BadRequestId> {
        let bad = || BadRequestId(s.to_string());
        let (prefix, number) = s.trim().rsplit_once('-').ok_or_else(bad)?;
        if prefix.is_empty() || !prefix.chars().all(|c| c.is_ascii_alphanumeric()) {
            return Err(bad());
        }
        let number: u64 = number.parse().map_err(|_| bad())?;
        if number == 0 {
            return Err(bad());
        }
        Ok(RequestId::new(prefix.to_ascii_uppercase(), number))
    }

    pub fn prefix(&self) -> &str {
        &self.prefix
    }

    pub fn number(&self) -> u64 {
        self.number
    }
}

impl fmt::Display for RequestId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}", self.prefix, self.number)
    }
}

impl TryFrom<String> for RequestId {
    type Error = BadRequestId;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        RequestId::parse(&s)
    }
}

impl From<RequestId> for String {
    fn from(id: RequestId) -> String {
        id.to_string()
    }
}

/// A message a platform gave back when the bot posted: enough to update it or reply in its thread.
/// Opaque to the core: Slack stores `channel` + `ts`, Teams a conversation id + activity id.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct PostRef {
    pub platform: Platform,
    pub channel: String,
    pub id: String,
}

impl PostRef {
    pub fn new(platform: Platform, channel: impl Into<String>, id: impl Into<String>) -> Self {
        PostRef {
            platform,
            channel: channel.into(),
            id: id.into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_ids_parse_case_insensitively_and_print_canonically() {
        let id = RequestId::parse("it-7").unwrap();
        assert_eq!(id.to_string(), "IT-7");
        assert_eq!(id.prefix(), "IT");
        assert_eq!(id.number(), 7);
        assert_eq!(RequestId::parse(" FAC-12 ").unwrap().to_string(), "FAC-12");
    }

    #[test]
    fn malformed_request_ids_are_rejected() {
        for s in [
            "",
            "IT",
            "IT-",
            "-7",
            "IT-x",
            "IT-0",
            "I T-3",
            "IT--3",
            "IT-99999999999999999999999",
        ] {
            assert!(RequestId::parse(s).is_err(), "{s:?} should not parse");
        }
    }

    #[test]
    fn user_refs_round_trip_through_text() {
        let u = UserRef::parse("slack:U123").unwrap();
        assert_eq!(u, UserRef::new(Platform::Slack, "U123"));
        assert_eq!(u.to_string(), "slack:U123");
        assert!(UserRef::parse("fax:1").is_none());
        assert!(UserRef::parse("slack:").is_none());
        assert!(UserRef::parse("nocolon").is_none());
    }
}
