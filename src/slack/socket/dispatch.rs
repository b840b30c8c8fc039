//! One envelope, from its arrival to its acknowledgement.
//!
//! The payload goes to the same handlers as the HTTP request URLs ([`crate::slack::handle`]).
//! The ack is sent only once the state change is on disk; when the change fails there is no
//! ack, and Slack delivers the envelope again. A payload that can't be read is acknowledged
//! (nothing to apply, and a redelivery would be just as unreadable), as Slack's SDKs do.

use super::envelope::{self, Envelope, Kind};
use super::recent::{self, Claim};
use super::Shared;
use crate::slack::handle::{Inbound, Refusal, Reply};
use crate::slack::payload;
use serde_json::Value;
use std::sync::Arc;
use tokio::sync::{mpsc, OwnedSemaphorePermit};

/// Applies `envelope` (once, across copies) and sends its ack to `acks`.
pub async fn handle(
    shared: Arc<Shared>,
    envelope: Envelope,
    acks: mpsc::UnboundedSender<String>,
    _permit: OwnedSemaphorePermit,
) {
    let stats = shared.status.socket();
    let kind = envelope.kind.as_str();
    let count = |outcome: &'static str| {
        if let Some(s) = stats {
            s.note_envelope(kind, outcome);
        }
    };
    if envelope.retry_attempt > 0 {
        tracing::debug!(
            reason = envelope.retry_reason.as_deref().unwrap_or(""),
            "Slack delivers this envelope again"
        );
    }
    let answer = match shared.recent.claim(&envelope.id) {
        Claim::Done(answer) => {
            count("duplicate");
            Some(answer)
        }
        Claim::Running(progress) => {
            count("duplicate");
            recent::outcome(progress).await
        }
        Claim::New(ticket) => {
            match apply(
                &shared.inbound,
                envelope.kind,
                envelope.payload,
                envelope.retry_attempt,
            )
            .await
            {
                Ok(reply) => {
                    count("processed");
                    ticket.finish(Some(reply.clone()));
                    Some(reply)
                }
                Err(Refusal::Malformed(e)) => {
                    count("malformed");
                    tracing::warn!(error = %crate::telemetry::chain(&e), "unreadable envelope payload acknowledged and dropped");
                    ticket.finish(Some(None));
                    Some(None)
                }
                Err(e) => {
                    count("failed");
                    tracing::error!(error = %crate::telemetry::chain(&e), "applying the envelope failed; not acknowledged, so Slack delivers it again");
                    ticket.finish(None);
                    None
                }
            }
        }
    };
    if let Some(reply) = answer {
        let payload: Option<Value> = reply.filter(|_| envelope.accepts_response_payload);
        // The connection may be gone; Slack then delivers the envelope again elsewhere and
        // the recent set answers it.
        let _ = acks.send(envelope::ack(&envelope.id, payload));
    }
}

/// The payload through the transport-neutral handlers.
async fn apply(
    inbound: &Inbound,
    kind: Kind,
    payload: Value,
    retry: u32,
) -> Result<Reply, Refusal> {
    match kind {
        Kind::Events => {
            let push = inbound.with_filter(|filter| payload::parse_push_json(payload, filter))?;
            inbound.on_push(push, retry).await
        }
        Kind::Command => {
            inbound
                .on_command(payload::parse_command_json(payload)?)
                .await
        }
        Kind::Interactive => {
            inbound
                .on_interaction(payload::parse_interaction_json(payload)?)
                .await
        }
        Kind::Other => Ok(None),
    }
}
