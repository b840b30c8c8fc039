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
    /// `auth.test` failed: without the bot's own ids it would answer its own messages.
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
    /// # Errors
    /// Only one of the two secrets is set, the HTTPS client can't be built, or `auth.test`
    /// fails (a wrong token, or Slack unreachable).
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
        let bot = startup::identify(&api).await.map_err(|problem| {
            tracing::error!(problem = %problem, "Slack auth.test failed");
            AdapterError::Auth(problem)
        })?;
        tracing::info!(bot_user = %bot.user_id, bot_id = bot.bot_id.as_deref().unwrap_or(""),
            team = bot.team_id.as_deref().unwrap_or(""), "connected to Slack");
        for problem in startup::check_channels(&api, config).await {
            tracing::warn!(problem = %problem, "Slack channel check");
        }
        let dms = Arc::new(deliver::DmChannels::default());
        let deliverer = Arc::new(deliver::SlackDeliverer {
            api: api.clone(),
            engine: engine.clone(),
            config: shared.clone(),
            dms: dms.clone(),
        });
        let inbound = Arc::new(inbound::Inbound {
            engine,
            config: shared,
            api,
            bot,
            dms,
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
