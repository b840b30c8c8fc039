//! Socket Mode's frames: what Slack sends over the WebSocket (`hello`, `disconnect`, and the
//! envelopes carrying events, slash commands and interactions) and the acknowledgement we
//! send back. Pure: text in, a [`Frame`] out; an envelope id (and maybe a payload) in, the
//! ack's text out.

use serde::Deserialize;
use serde_json::Value;

/// One text frame from Slack.
#[derive(Debug, Clone, PartialEq)]
pub enum Frame {
    /// The connection is ready; `num_connections` is how many the app has open.
    Hello {
        num_connections: Option<u64>,
    },
    /// Slack is about to close this connection: `warning` (soon), `refresh_requested` (the
    /// URL's time is up) or `link_disabled` (Socket Mode was switched off for the app).
    Disconnect {
        reason: String,
    },
    Envelope(Envelope),
    /// A frame type we don't know; ignored.
    Other {
        kind: String,
    },
}

/// What kind of payload an envelope carries, as far as the desk is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// `events_api`: an Events API body, as sent to the events request URL.
    Events,
    /// `slash_commands`: the slash command's form fields as a JSON object.
    Command,
    /// `interactive`: the interaction's JSON (not wrapped in a `payload=` form field).
    Interactive,
    /// Anything else Slack may add; acknowledged and ignored.
    Other,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Events => "events_api",
            Kind::Command => "slash_commands",
            Kind::Interactive => "interactive",
            Kind::Other => "other",
        }
    }
}

/// An envelope: one delivery of one payload, to be acknowledged by its id.
#[derive(Debug, Clone, PartialEq)]
pub struct Envelope {
    pub id: String,
    pub kind: Kind,
    pub payload: Value,
    /// Whether the ack may carry a `payload` (a command's reply, a `response_action`).
    pub accepts_response_payload: bool,
    /// 0 for the first delivery; Slack counts its redeliveries of an unacknowledged envelope.
    pub retry_attempt: u32,
    pub retry_reason: Option<String>,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum FrameError {
    #[error("frame is not a JSON object with a type: {0}")]
    Json(String),
    #[error("{kind} envelope without an envelope_id")]
    NoEnvelopeId { kind: String },
}

#[derive(Deserialize)]
struct RawFrame {
    #[serde(rename = "type")]
    kind: String,
    envelope_id: Option<String>,
    #[serde(default)]
    payload: Value,
    #[serde(default)]
    accepts_response_payload: bool,
    #[serde(default)]
    retry_attempt: u32,
    retry_reason: Option<String>,
    reason: Option<String>,
    num_connections: Option<u64>,
}

/// Reads one text frame.
///
/// # Errors
/// Not a JSON object with a `type`, or an envelope without an id (it can't be acknowledged).
pub fn parse(text: &str) -> Result<Frame, FrameError> {
    let raw: RawFrame = serde_json::from_str(text).map_err(|e| FrameError::Json(e.to_string()))?;
    let kind = match raw.kind.as_str() {
        "hello" => {
            return Ok(Frame::Hello {
                num_connections: raw.num_connections,
            })
        }
        "disconnect" => {
            return Ok(Frame::Disconnect {
                reason: raw.reason.unwrap_or_default(),
            })
        }
        "events_api" => Kind::Events,
        "slash_commands" => Kind::Command,
        "interactive" => Kind::Interactive,
        _ if raw.envelope_id.is_none() => return Ok(Frame::Other { kind: raw.kind }),
        _ => Kind::Other,
    };
    let id = raw
        .envelope_id
        .filter(|id| !id.is_empty())
        .ok_or(FrameError::NoEnvelopeId { kind: raw.kind })?;
    Ok(Frame::Envelope(Envelope {
        id,
        kind,
        payload: raw.payload,
        accepts_response_payload: raw.accepts_response_payload,
        retry_attempt: raw.retry_attempt,
        retry_reason: raw.retry_reason,
    }))
}

/// The acknowledgement of envelope `id`: `{"envelope_id": id}`, plus `"payload"` when there
/// is an answer and the envelope accepts one.
pub fn ack(id: &str, payload: Option<Value>) -> String {
    let mut ack = serde_json::json!({ "envelope_id": id });
    if let Some(p) = payload {
        ack["payload"] = p;
    }
    ack.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn hello_and_disconnect_are_read_with_their_details() {
        assert_eq!(
            parse(r#"{"type":"hello","num_connections":2,"debug_info":{"host":"applink-1"}}"#),
            Ok(Frame::Hello {
                num_connections: Some(2)
            })
        );
        assert_eq!(
            parse(r#"{"type":"disconnect","reason":"refresh_requested","debug_info":{}}"#),
            Ok(Frame::Disconnect {
                reason: "refresh_requested".into()
            })
        );
    }

    #[test]
    fn envelopes_carry_their_id_kind_payload_and_retry() {
        let text = json!({"envelope_id": "e-1", "type": "slash_commands",
            "payload": {"command": "/help-it", "user_id": "U1"},
            "accepts_response_payload": true, "retry_attempt": 2, "retry_reason": "timeout"})
        .to_string();
        let Ok(Frame::Envelope(e)) = parse(&text) else {
            panic!("{:?}", parse(&text))
        };
        assert_eq!(e.id, "e-1");
        assert_eq!(e.kind, Kind::Command);
        assert_eq!(e.payload["command"], "/help-it");
        assert!(e.accepts_response_payload);
        assert_eq!(e.retry_attempt, 2);
        assert_eq!(e.retry_reason.as_deref(), Some("timeout"));
        let events = parse(r#"{"envelope_id":"e-2","type":"events_api","payload":{}}"#).unwrap();
        assert!(matches!(
            events,
            Frame::Envelope(Envelope {
                kind: Kind::Events,
                accepts_response_payload: false,
                retry_attempt: 0,
                ..
            })
        ));
    }

    #[test]
    fn unknown_types_are_other_and_garbage_is_an_error_not_a_panic() {
        assert_eq!(
            parse(r#"{"type":"something_new"}"#),
            Ok(Frame::Other {
                kind: "something_new".into()
            })
        );
        assert!(matches!(
            parse(r#"{"type":"something_new","envelope_id":"e-3"}"#),
            Ok(Frame::Envelope(Envelope {
                kind: Kind::Other,
                ..
            }))
        ));
        for bad in [
            "",
            "{",
            "[]",
            "null",
            r#"{"type":1}"#,
            r#"{"envelope_id":"x"}"#,
        ] {
            assert!(matches!(parse(bad), Err(FrameError::Json(_))), "{bad}");
        }
        assert_eq!(
            parse(r#"{"type":"events_api","payload":{}}"#),
            Err(FrameError::NoEnvelopeId {
                kind: "events_api".into()
            })
        );
    }

    #[test]
    fn an_ack_names_the_envelope_and_carries_the_answer_when_there_is_one() {
        let plain: Value = serde_json::from_str(&ack("e-1", None)).unwrap();
        assert_eq!(plain, json!({"envelope_id": "e-1"}));
        let answered: Value = serde_json::from_str(&ack(
            "e-2",
            Some(json!({"response_action": "errors", "errors": {"b": "required"}})),
        ))
        .unwrap();
        assert_eq!(answered["envelope_id"], "e-2");
        assert_eq!(answered["payload"]["response_action"], "errors");
    }
}
