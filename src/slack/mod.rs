//! Slack adapter: Slack's HTTP requests in, core inputs to the engine; the engine's outgoing
//! messages out, as Web API calls. Slack types never leave this module: the core sees
//! `UserRef { platform: Slack, id: "U…" }` and `PostRef { channel, id: ts }`.
//!
//! - `verify`: request signatures (pure).
//! - `payload`: request bodies → what they mean (pure).
//! - `handle`: what a parsed payload does to the desk, for both transports.
//! - `capture`: a ticket reaction or a help channel message, fetched and filed as a request.
//! - `inbound`: the `/slack/*` endpoints: verify, parse, hand over, answer.
//! - `socket`: Socket Mode, the same payloads over WebSockets Slack's side of which we dial.
//! - `status`: Slack's signals (rate limiting, revoked access) and the connections.
//! - `blocks`: messages, cards and the App Home as Block Kit (pure).
//! - `api`: the Web API calls, through slack-morphism's client.
//! - `deliver`: the outbox's deliverer for Slack.
//! - `home`: the App Home tab.
//! - `startup`: `auth.test` and the department channel checks.
//!
//! The adapter is on when `SLACK_BOT_TOKEN` is set with `SLACK_SIGNING_SECRET` (request
//! URLs), `SLACK_APP_TOKEN` (Socket Mode) or both.

pub(crate) mod api;
pub(crate) mod blocks;
mod capture;
pub(crate) mod deliver;
mod form;
mod handle;
pub(crate) mod home;
mod inbound;
pub(crate) mod locale;
mod modals;
pub(crate) mod payload;
pub(crate) mod socket;
pub(crate) mod startup;
pub(crate) mod status;
pub(crate) mod verify;

pub use api::{install_crypto_provider, ApiErrorKind, SlackApi, CALL_TIMEOUT};
pub use blocks::Mrkdwn;
pub use startup::identify;
pub use startup::online_check;
pub use verify::sign;

use crate::config::Config;
use crate::config::SharedConfig;
use crate::engine::Engine;
use crate::outbox::Deliverer;
use std::sync::Arc;

#[derive(Debug, thiserror::Error)]
pub enum AdapterError {
    #[error("{0}")]
    Config(String),
    #[error(transparent)]
    Client(#[from] api::ClientSetupError),
    #[error("Socket Mode")]
    Socket(#[from] socket::open::OpenError),
    /// `auth.test` refused the token (or the app lacks a scope): retrying can't fix that.
    #[error("{0}")]
    Auth(String),
}

/// The Slack side of the desk: its routes and its deliverer.
#[derive(Debug)]
pub struct Adapter {
    inbound: Arc<handle::Inbound>,
    deliverer: Arc<deliver::SlackDeliverer>,
    status: Arc<status::SlackStatus>,
    socket: Option<Arc<socket::SocketMode>>,
}

impl Adapter {
    /// Connects to Slack when it is configured: learns the bot's identity (`auth.test`) and
    /// checks the department channels, logging each problem with its fix. `None` when Slack
    /// is not configured.
    ///
    /// When Slack can't be asked right now (network error, timeout, 5xx, 429, Slack's own
    /// trouble) the adapter starts anyway with the identity unknown, and a detached task asks
    /// `auth.test` again with backoff until it answers, then runs the channel checks. Inbound
    /// filtering is safe meanwhile; see `payload::Filter`.
    ///
    /// # Errors
    /// Only one of the two secrets is set, the HTTPS client can't be built, or `auth.test`
    /// refuses the token (`invalid_auth`, `token_revoked`, a missing scope, …).
    pub async fn from_config(
        config: &Config,
        engine: Engine,
        shared: SharedConfig,
    ) -> Result<Option<Adapter>, AdapterError> {
        let Some(credentials) = startup::credentials(config).map_err(AdapterError::Config)? else {
            tracing::info!("Slack is not configured (SLACK_BOT_TOKEN with SLACK_SIGNING_SECRET or SLACK_APP_TOKEN); its endpoints are off");
            return Ok(None);
        };
        let token = credentials.bot_token;
        install_crypto_provider();
        let api = api::SlackApi::new(&config.slack.api_url, token)?;
        let bot = Arc::new(startup::KnownBot::default());
        match startup::identify(&api).await {
            Ok(identity) => {
                startup::log_connected(&identity);
                bot.set(identity);
                startup::log_channel_problems(&api, config).await;
            }
            Err(failure) if failure.transient => {
                let wait = startup::first_wait(&failure);
                tracing::warn!(problem = %failure, retry_in = ?wait,
                    "Slack auth.test failed; starting without the bot's identity and retrying in the background");
                // Detached on purpose: it ends once auth.test answers, and shutdown need not
                // wait for it (the runtime drops it when the process stops).
                tokio::spawn(startup::identify_later(
                    api.clone(),
                    shared.clone(),
                    bot.clone(),
                    wait,
                ));
            }
            Err(failure) => {
                tracing::error!(problem = %failure, "Slack auth.test failed");
                return Err(AdapterError::Auth(failure.message));
            }
        }
        let dms = Arc::new(deliver::DmChannels::new(engine.store().clone()));
        let locales = Arc::new(locale::Locales::new(engine.store().clone()));
        let status = Arc::new(status::SlackStatus::new(credentials.app_token.is_some()));
        let deliverer = Arc::new(deliver::SlackDeliverer {
            api: api.clone(),
            engine: engine.clone(),
            config: shared.clone(),
            dms: dms.clone(),
            locales: locales.clone(),
            pace: crate::outbox::pace::Pace::new(
                config.outbox.slack_channel_rate,
                config.outbox.slack_channel_burst,
            ),
            pauses: crate::outbox::pace::Pauses::new(engine.clock().clone()),
            status: status.clone(),
        });
        let inbound = Arc::new(handle::Inbound {
            engine,
            config: shared,
            api,
            bot,
            dms,
            locales,
            status: status.clone(),
        });
        let socket = match credentials.app_token {
            Some(app_token) => {
                tracing::info!(
                    connections = config.slack.socket.connections,
                    "Slack Socket Mode is on (SLACK_APP_TOKEN)"
                );
                let opener = socket::open::Opener::new(&config.slack.api_url, app_token)?;
                Some(Arc::new(socket::SocketMode::new(
                    inbound.clone(),
                    status.clone(),
                    config.slack.socket.clone(),
                    opener,
                )))
            }
            None => None,
        };
        if credentials.signing_secret.is_none() {
            tracing::info!("no SLACK_SIGNING_SECRET: the Slack request URLs refuse every request; Socket Mode only");
        }
        Ok(Some(Adapter {
            inbound,
            deliverer,
            status,
            socket,
        }))
    }

    /// `/slack/commands`, `/slack/events` and `/slack/interactivity`, state applied.
    pub fn routes(&self) -> axum::Router {
        inbound::router(self.inbound.clone())
    }

    pub fn deliverer(&self) -> Arc<dyn Deliverer> {
        self.deliverer.clone()
    }

    /// Slack's signals and the Socket Mode connections, for /metrics and /readyz.
    pub fn status(&self) -> Arc<status::SlackStatus> {
        self.status.clone()
    }

    /// The Socket Mode client, when `SLACK_APP_TOKEN` is set; run it with the app's stop token.
    pub(crate) fn socket_mode(&self) -> Option<Arc<socket::SocketMode>> {
        self.socket.clone()
    }
}
