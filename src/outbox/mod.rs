//! Delivery of what the desk decided to say. Items were written to the store with the state
//! change that caused them. Many deliveries are in flight at once ([`OutboxWorker::run`]),
//! as many as [`AdaptiveLimit`] allows, but messages into one conversation (a person's DM, a
//! request's card and its thread) go out one at a time, in the order the desk decided them:
//! the store offers only each conversation's oldest message. A failure is retried with
//! exponential backoff (honouring a platform's `Retry-After`), and after
//! `outbox.give_up_after` the item moves to the dead letters, where `frontdesk outbox retry
//! ID` can revive it. Platforms pace and pause their own destinations ([`pace`]).
//!
//! The window for a duplicate: the platform took a message, and the process died (or the
//! call timed out) before the delivery was recorded. The worker runs a delivery session that
//! is on disk while it delivers; after a session that did not end cleanly, every item waiting
//! then counts as possibly sent (one id watermark, nothing rewritten), and so does an item
//! whose attempt failed in a way that may come after the platform took it (a timeout, a
//! dropped connection). A marked item's next attempt
//! first asks the platform whether the message is there (Slack: message metadata carrying the
//! outbox id). A clean run pays nothing for this: no write per message. Nothing is ever lost
//! in that window.

mod limit;
pub(crate) mod pace;
mod record;
mod stats;
mod worker;

pub use stats::{OutboxCollector, OutboxStats};
pub use worker::{Attempt, OutboxError, OutboxWorker};

use crate::core::{PostRef, RequestId};
use crate::store::OutboxItem;
use std::time::Duration;

/// The longest one delivery may take, all platform calls included.
pub const DELIVERY_TIMEOUT: Duration = Duration::from_secs(30);

/// What a platform gave back for a delivered message.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Delivered {
    /// The request card's reference, when the item posted it.
    pub card: Option<(RequestId, PostRef)>,
    /// Messages sent about a request, so a reply in their thread finds it.
    pub links: Vec<(PostRef, RequestId)>,
}

/// Why a delivery was put off without failing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Deferral {
    /// The destination's documented rate is used up for now.
    Paced,
    /// The platform answered a 429 for this method or conversation a moment ago.
    Paused,
}

impl Deferral {
    pub fn as_str(self) -> &'static str {
        match self {
            Deferral::Paced => "paced",
            Deferral::Paused => "paused",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DeliveryError {
    /// Worth trying again: network trouble, rate limits, 5xx.
    #[error("{reason}")]
    Retry {
        reason: String,
        after: Option<Duration>,
    },
    /// Something this item needs is not there yet (the card it replies under is unposted).
    #[error("not ready: {0}")]
    NotReady(String),
    /// Trying again won't help until someone fixes something (a channel the bot isn't in).
    #[error("{0}")]
    Permanent(String),
    /// Not now, and not a failure: tried again after `wait`, without counting an attempt.
    #[error("{} for {wait:?}", reason.as_str())]
    Deferred { wait: Duration, reason: Deferral },
}

/// A platform's way of sending messages.
#[async_trait::async_trait]
pub trait Deliverer: Send + Sync {
    async fn deliver(&self, item: &OutboxItem) -> Result<Delivered, DeliveryError>;

    /// How many methods or conversations the platform has paused now, for /metrics.
    fn paused(&self) -> usize {
        0
    }
}

#[derive(Debug, Clone, Copy)]
pub struct RetryPolicy {
    pub initial_backoff: Duration,
    pub max_backoff: Duration,
    pub give_up_after: Duration,
}

impl RetryPolicy {
    /// Exponential backoff from the number of failed attempts, at least what the platform asked.
    pub fn backoff(&self, attempts: u32, asked: Option<Duration>) -> Duration {
        let exp = self.initial_backoff.saturating_mul(
            1u32.checked_shl(attempts.saturating_sub(1).min(20))
                .unwrap_or(u32::MAX),
        );
        exp.min(self.max_backoff)
            .max(asked.unwrap_or(Duration::ZERO))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_the_cap_and_honours_retry_after() {
        let p = RetryPolicy {
            initial_backoff: Duration::from_secs(1),
            max_backoff: Duration::from_secs(60),
            give_up_after: Duration::from_secs(3600),
        };
        assert_eq!(p.backoff(1, None), Duration::from_secs(1));
        assert_eq!(p.backoff(2, None), Duration::from_secs(2));
        assert_eq!(p.backoff(4, None), Duration::from_secs(8));
        assert_eq!(p.backoff(30, None), Duration::from_secs(60));
        assert_eq!(
            p.backoff(1, Some(Duration::from_secs(7))),
            Duration::from_secs(7)
        );
    }
}
