//! What the Slack adapter knows about its own standing, shared by both transports, the
//! deliverer, `/metrics` and `/readyz`: Slack's signals about the app (rate limiting, revoked
//! access) and, when Socket Mode is on, its connections and envelopes.
//!
//! Only counters and flags live here; nothing in this module talks to Slack.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::Mutex;

/// The adapter's standing. One per process.
#[derive(Debug, Default)]
pub struct SlackStatus {
    /// `app_rate_limited` events received: Slack dropped events for the workspace.
    app_rate_limited: AtomicU64,
    /// Why outbound calls stopped (`tokens_revoked`, `app_uninstalled`), once they did.
    revoked: Mutex<Option<&'static str>>,
    /// Present when Socket Mode is configured (`SLACK_APP_TOKEN`).
    socket: Option<SocketStats>,
}

impl SlackStatus {
    pub fn new(socket_mode: bool) -> Self {
        SlackStatus {
            socket: socket_mode.then(SocketStats::default),
            ..SlackStatus::default()
        }
    }

    pub fn note_rate_limited(&self) {
        self.app_rate_limited.fetch_add(1, Ordering::Relaxed);
    }

    pub fn app_rate_limited(&self) -> u64 {
        self.app_rate_limited.load(Ordering::Relaxed)
    }

    /// Stops outbound calls: the token is gone and every call would fail the same way.
    /// Only a restart with a new token (after reinstalling the app) starts them again.
    pub fn revoke(&self, why: &'static str) {
        *self.revoked.lock().unwrap_or_else(|e| e.into_inner()) = Some(why);
    }

    /// Why outbound calls stopped, if they did.
    pub fn revoked(&self) -> Option<&'static str> {
        *self.revoked.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn socket(&self) -> Option<&SocketStats> {
        self.socket.as_ref()
    }
}

/// Socket Mode's connections and envelopes, for `/metrics` and `/readyz`.
#[derive(Debug, Default)]
pub struct SocketStats {
    /// Connections that said `hello` and are not closed yet.
    connections: AtomicI64,
    /// Connections replaced or re-opened after the first set came up.
    reconnects: AtomicU64,
    /// Failed attempts to open a connection.
    connect_failures: AtomicU64,
    /// (envelope type, outcome) → count.
    envelopes: Mutex<BTreeMap<(String, &'static str), u64>>,
}

impl SocketStats {
    pub fn connection_up(&self) {
        self.connections.fetch_add(1, Ordering::Relaxed);
    }

    pub fn connection_down(&self) {
        self.connections.fetch_sub(1, Ordering::Relaxed);
    }

    pub fn connections(&self) -> i64 {
        self.connections.load(Ordering::Relaxed)
    }

    pub fn note_reconnect(&self) {
        self.reconnects.fetch_add(1, Ordering::Relaxed);
    }

    pub fn reconnects(&self) -> u64 {
        self.reconnects.load(Ordering::Relaxed)
    }

    pub fn note_connect_failure(&self) {
        self.connect_failures.fetch_add(1, Ordering::Relaxed);
    }

    pub fn connect_failures(&self) -> u64 {
        self.connect_failures.load(Ordering::Relaxed)
    }

    /// Counts one envelope. `kind` is Slack's envelope type; unknown types share one label
    /// so a flood of new types can't grow the number of series.
    pub fn note_envelope(&self, kind: &str, outcome: &'static str) {
        let kind = match kind {
            "events_api" | "slash_commands" | "interactive" => kind,
            _ => "other",
        };
        *self
            .envelopes
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .entry((kind.to_string(), outcome))
            .or_default() += 1;
    }

    pub fn envelopes(&self) -> BTreeMap<(String, &'static str), u64> {
        self.envelopes
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }
}
