//! The Slack Web API calls frontdesk makes, through slack-morphism's client.
//!
//! Requests are slack-morphism's typed request structs; responses are decoded into small
//! structs of our own holding only what we use. A message Slack echoes back may contain block
//! types newer than the crate knows, and a response that fails to decode after Slack accepted
//! a message would make the outbox post it again.
//!
//! The base URL comes from `slack.api_url` (trailing slash removed) and the connector speaks
//! plain HTTP as well as HTTPS, so the whole bot runs against a local stand-in of Slack.
//! Errors keep the method name and Slack's error code; what to do about them is decided by
//! the caller ([`ApiError::is_retryable`], [`ApiError::fix`]).
//!
//! slack-morphism's hyper connector has no request timeout of its own, so every call is bounded
//! here ([`CALL_TIMEOUT`]); a call without an answer in time is a retryable network error. The
//! outbox's 30 s limit per delivery stays the outer bound for deliveries of several calls.

use serde::Deserialize;
use slack_morphism::errors::SlackClientError;
use slack_morphism::prelude::*;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

mod client;
mod error;
mod history;

use client::NeededScope;
pub use client::{BotIdentity, ClientSetupError, SlackApi};
use error::classify;
pub use error::{ApiError, ApiErrorKind};

/// How long one Web API call may take, connecting included. Slack answers in well under a
/// second; a call that takes this long is stuck, and the caller retries later.
pub const CALL_TIMEOUT: Duration = Duration::from_secs(10);

/// Installs rustls' ring provider as the process default, once. Several TLS stacks in the
/// dependency graph make rustls refuse to pick one by itself, and it panics on the first
/// TLS connection instead. Safe to call any number of times.
pub fn install_crypto_provider() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        // Err only when another provider was installed first, which is just as good.
        let _ = rustls::crypto::ring::default_provider().install_default();
    });
}

#[cfg(test)]
mod tests;
