//! What the Slack adapter knows about its own standing, shared by both transports, the
//! deliverer, `/metrics` and `/readyz`: Slack's signals about the app (rate limiting, revoked
//! access) and, when Socket Mode is on, its connections and envelopes.
//!
//! Only counters and flags live here, and the collector that shows them on `/metrics`;
//! nothing in this module talks to Slack.

use crate::instrument::{describe, gauge, Labels};
use prometheus_client::collector::Collector;
use prometheus_client::encoding::DescriptorEncoder;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use std::sync::{Arc, Mutex};

/// The adapter's standing. One per process.
#[derive(Debug, Default)]
pub struct SlackStatus {
    /// `app_rate_limited` events received: Slack dropped events for the workspace.
    app_rate_limited: Counter,
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
        self.app_rate_limited.inc();
    }

    pub fn app_rate_limited(&self) -> u64 {
        self.app_rate_limited.get()
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
    connections: Gauge,
    /// Connections replaced or re-opened after the first set came up.
    reconnects: Counter,
    /// Failed attempts to open a connection.
    connect_failures: Counter,
    /// By envelope type and outcome.
    envelopes: Family<Labels, Counter>,
}

impl SocketStats {
    pub fn connection_up(&self) {
        self.connections.inc();
    }

    pub fn connection_down(&self) {
        self.connections.dec();
    }

    pub fn connections(&self) -> i64 {
        self.connections.get()
    }

    pub fn note_reconnect(&self) {
        self.reconnects.inc();
    }

    pub fn reconnects(&self) -> u64 {
        self.reconnects.get()
    }

    pub fn note_connect_failure(&self) {
        self.connect_failures.inc();
    }

    pub fn connect_failures(&self) -> u64 {
        self.connect_failures.get()
    }

    /// Counts one envelope. `kind` is Slack's envelope type; unknown types share one label
    /// so a flood of new types can't grow the number of series.
    pub fn note_envelope(&self, kind: &str, outcome: &'static str) {
        let kind = match kind {
            "events_api" | "slash_commands" | "interactive" => kind,
            _ => "other",
        };
        self.envelopes
            .get_or_create(&vec![
                ("type", kind.to_string()),
                ("outcome", outcome.to_string()),
            ])
            .inc();
    }
}

/// Writes Slack's signals, and Socket Mode's figures when it is on, at each scrape.
#[derive(Debug)]
pub struct SlackCollector(pub Arc<SlackStatus>);

impl Collector for SlackCollector {
    fn encode(&self, mut encoder: DescriptorEncoder) -> Result<(), std::fmt::Error> {
        let slack = &self.0;
        describe(
            &mut encoder,
            "frontdesk_slack_app_rate_limited",
            "app_rate_limited events: Slack dropped events for the workspace (more than 30,000 an hour).",
            &slack.app_rate_limited,
        )?;
        gauge(
            &mut encoder,
            "frontdesk_slack_access_revoked",
            "1 once Slack revoked the bot token or the app was uninstalled: nothing is sent to Slack until a restart with a new token.",
            i64::from(slack.revoked().is_some()),
        )?;
        let Some(socket) = slack.socket() else {
            return Ok(());
        };
        describe(
            &mut encoder,
            "frontdesk_slack_socket_connections",
            "Socket Mode connections up (said hello and not closed).",
            &socket.connections,
        )?;
        describe(
            &mut encoder,
            "frontdesk_slack_socket_reconnects",
            "Socket Mode connections replaced (disconnect, silence) or re-opened after a drop.",
            &socket.reconnects,
        )?;
        describe(
            &mut encoder,
            "frontdesk_slack_socket_connect_failures",
            "Failed attempts to open a Socket Mode connection.",
            &socket.connect_failures,
        )?;
        describe(
            &mut encoder,
            "frontdesk_slack_socket_envelopes",
            "Socket Mode envelopes by type and outcome: processed (applied, or found applied before by its event id), duplicate (a copy of an envelope answered from the first), malformed (acknowledged, dropped), failed (not applied, not acknowledged).",
            &socket.envelopes,
        )
    }
}
