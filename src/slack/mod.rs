//! Slack adapter: Slack's HTTP requests in, core inputs to the engine; the engine's outgoing
//! messages out, as Web API calls. Slack types never leave this module: the core sees
//! `UserRef { platform: Slack, id: "U…" }` and `PostRef { channel, id: ts }`.
//!
//! - [`verify`]: request signatures (pure).
//! - [`payload`]: request bodies → what they mean (pure).
//! - [`inbound`]: the `/slack/*` endpoints: verify, parse, commit, answer.
//! - [`blocks`]: messages, cards and the App Home as Block Kit (pure).
//! - [`api`]: the Web API calls, through slack-morphism's client.
//! - [`deliver`]: the outbox's deliverer for Slack.
//! - [`home`]: the App Home tab.
//! - [`startup`]: `auth.test` and the department channel checks.
//!
//! The adapter is on when both `SLACK_SIGNING_SECRET` and `SLACK_BOT_TOKEN` are set.

pub mod api;
pub mod blocks;
pub mod deliver;
pub mod home;
mod inbound;
pub mod locale;
pub mod payload;
pub mod startup;
pub mod verify;

pub use api::install_crypto_provider;
pub use startup::online_check;

use crate::app::SharedConfig;
use crate::config::Config;
use crate::engine::Engine;
use crate::outbox::Deliverer;
use std::sync::Arc;

#[derive(Debug, thiserror::Error)]
pub enum AdapterError {
    #[error("{0}")]
    Config(String),
    #[error(transparent)]
    Client(#[from] api::ClientSetupError),
    /// `auth.test` refused the token (or the app lacks a scope): retrying can't fix that.
    #[error("{0}")]
    Auth(String),
}

/// The Slack side of the desk: its routes and its deliverer.
#[derive(Debug)]
pub struct Adapter {
    inbound: Arc<inbound::Inbound>,
    deliverer: Arc<deliver::SlackDeliverer>,
}

impl Adapter {
    /// Connects to Slack when it is configured: learns the bot's identity (`auth.test`) and
    /// checks the department channels, logging each problem with its fix. `None` when Slack
    /// is not configured.
    ///
    /// When Slack can't be asked right now (network error, timeout, 5xx, 429, Slack's own
    /// trouble) the adapter starts anyway with the identity unknown, and a detached task asks
    /// `auth.test` again with backoff until it answers, then runs the channel checks. Inbound
    /// filtering is safe meanwhile; see [`payload::Filter`].
    ///
    /// # Errors
    /// Only one of the two secrets is set, the HTTPS client can't be built, or `auth.test`
    /// refuses the token (`invalid_auth`, `token_revoked`, a missing scope, …).
    pub async fn from_config(
        config: &Config,
        engine: Engine,
        shared: SharedConfig,
    ) -> Result<Option<Adapter>, AdapterError> {
        let Some((_, token)) = startup::credentials(config).map_err(AdapterError::Config)? else {
            tracing::info!("Slack is not configured (SLACK_SIGNING_SECRET, SLACK_BOT_TOKEN); its endpoints are off");
            return Ok(None);
        };
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
        });
        let inbound = Arc::new(inbound::Inbound {
            engine,
            config: shared,
            api,
            bot,
            dms,
            locales,
        });
        Ok(Some(Adapter { inbound, deliverer }))
    }

    /// `/slack/commands`, `/slack/events` and `/slack/interactivity`, state applied.
    pub fn routes(&self) -> axum::Router {
        inbound::router(self.inbound.clone())
    }

    pub fn deliverer(&self) -> Arc<dyn Deliverer> {
        self.deliverer.clone()
    }
}
