//! Slack's signals, and Socket Mode's connections and envelopes when it is on.

use super::exposition::Exposition;

pub(super) fn render(out: &mut Exposition, slack: &crate::slack::status::SlackStatus) {
    out.family(
        "frontdesk_slack_app_rate_limited_total",
        "app_rate_limited events: Slack dropped events for the workspace (more than 30,000 an hour).",
        "counter",
    );
    out.sample(
        "frontdesk_slack_app_rate_limited_total",
        &[],
        slack.app_rate_limited(),
    );
    out.family(
        "frontdesk_slack_access_revoked",
        "1 once Slack revoked the bot token or the app was uninstalled: nothing is sent to Slack until a restart with a new token.",
        "gauge",
    );
    out.sample(
        "frontdesk_slack_access_revoked",
        &[],
        u64::from(slack.revoked().is_some()),
    );
    let Some(socket) = slack.socket() else {
        return;
    };
    out.family(
        "frontdesk_slack_socket_connections",
        "Socket Mode connections up (said hello and not closed).",
        "gauge",
    );
    out.sample(
        "frontdesk_slack_socket_connections",
        &[],
        socket.connections(),
    );
    out.family(
        "frontdesk_slack_socket_reconnects_total",
        "Socket Mode connections replaced (disconnect, silence) or re-opened after a drop.",
        "counter",
    );
    out.sample(
        "frontdesk_slack_socket_reconnects_total",
        &[],
        socket.reconnects(),
    );
    out.family(
        "frontdesk_slack_socket_connect_failures_total",
        "Failed attempts to open a Socket Mode connection.",
        "counter",
    );
    out.sample(
        "frontdesk_slack_socket_connect_failures_total",
        &[],
        socket.connect_failures(),
    );
    out.family(
        "frontdesk_slack_socket_envelopes_total",
        "Socket Mode envelopes by type and outcome: processed (applied, or found applied before by its event id), duplicate (a copy of an envelope answered from the first), malformed (acknowledged, dropped), failed (not applied, not acknowledged).",
        "counter",
    );
    for ((kind, outcome), n) in socket.envelopes() {
        out.sample(
            "frontdesk_slack_socket_envelopes_total",
            &[("type", &kind), ("outcome", outcome)],
            n,
        );
    }
}
