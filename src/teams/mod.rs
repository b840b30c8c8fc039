//! Microsoft Teams adapter, over the Bot Framework protocol: activities posted to
//! `/api/messages` become core inputs; outbox items become Bot Connector REST calls.
//!
//! Active when `TEAMS_APP_ID` and `TEAMS_APP_PASSWORD` are both set. Everything Teams-shaped
//! stays here; the core sees `UserRef { platform: Teams, id: "29:…" }` (the Bot Framework
//! user id, `from.id`) and `PostRef { channel: conversation id, id: activity id }`. Agent
//! lists in the configuration hold those `29:…` ids for Teams agents.
//!
//! - [`auth`]: the inbound JWT rules, pure (`verify_at`);
//! - [`openid`]: the signing keys from the OpenID metadata, cached;
//! - [`activity`]: the activity schema and its mapping to inputs, pure;
//! - [`inbound`]: the HTTP handler;
//! - [`refs`]: conversation references, so the bot can write to people later;
//! - [`cards`]: messages, Adaptive Cards and the request card;
//! - [`form`]: the request form: the "Create request" message extension and the form card
//!   in the personal chat;
//! - [`connector`]: the access token and the Bot Connector REST calls, with the allowlist;
//! - [`deliver`]: the outbox [`Deliverer`].
//!
//! Settings read at start: app id and password, the metadata and token URLs, the serviceUrl
//! allowlist. Read on every use (so a configuration reload applies): departments and their
//! `teams_channel`, `teams.close_reactions`.

pub(crate) mod activity;
pub(crate) mod auth;
pub(crate) mod cards;
pub(crate) mod connector;
pub(crate) mod deliver;
mod form;
mod inbound;
pub(crate) mod openid;
pub(crate) mod refs;

use crate::config::Config;
use crate::config::SharedConfig;
use crate::engine::Engine;
use crate::outbox::Deliverer;
use std::sync::Arc;
use std::time::Duration;

#[derive(Debug, thiserror::Error)]
pub enum AdapterError {
    #[error("building the HTTP client")]
    Http(#[from] reqwest::Error),
}

/// What the handler and the deliverer share.
#[derive(Debug)]
pub(crate) struct Shared {
    engine: Engine,
    config: SharedConfig,
    app_id: String,
    keys: openid::KeySource,
    connector: Arc<connector::Connector>,
    refs: refs::Refs,
    limits: Arc<deliver::Limits>,
}

/// The Teams side of the desk: its routes and its deliverer.
#[derive(Debug)]
pub struct Adapter {
    shared: Arc<Shared>,
}

fn http_client(follow_redirects: bool) -> Result<reqwest::Client, reqwest::Error> {
    let redirects = if follow_redirects {
        reqwest::redirect::Policy::limited(5)
    } else {
        reqwest::redirect::Policy::none()
    };
    reqwest::Client::builder()
        .user_agent(concat!("frontdesk/", env!("CARGO_PKG_VERSION")))
        .connect_timeout(Duration::from_secs(5))
        .timeout(Duration::from_secs(20))
        .redirect(redirects)
        .build()
}

impl Adapter {
    /// `None` when Teams is not configured (no app id or no password).
    ///
    /// # Errors
    /// The HTTP client can't be built (TLS setup).
    pub async fn from_config(
        config: &Config,
        engine: Engine,
        shared: SharedConfig,
    ) -> Result<Option<Adapter>, AdapterError> {
        let teams = &config.teams;
        let (Some(app_id), Some(password)) = (
            teams.app_id.clone().filter(|id| !id.trim().is_empty()),
            teams
                .app_password
                .clone()
                .filter(|p| !p.expose().is_empty()),
        ) else {
            return Ok(None);
        };
        let keys = openid::KeySource::new(http_client(true)?, teams.openid_metadata_url.clone());
        // The token travels with these requests: no redirects, so it can't be led elsewhere.
        let connector = Arc::new(connector::Connector::new(
            http_client(false)?,
            teams.token_url.clone(),
            app_id.clone(),
            password,
            teams.service_url_hosts.clone(),
            engine.clock().clone(),
        ));
        if teams.token_url.contains("/botframework.com/") {
            // The multi-tenant endpoint; Azure has created only single-tenant bots since
            // July 2025, and their tokens come from their own tenant.
            tracing::warn!(
                token_url = %teams.token_url,
                "teams.token_url is the multi-tenant endpoint; a single-tenant bot needs \
                 TEAMS_TOKEN_URL=https://login.microsoftonline.com/<tenant id>/oauth2/v2.0/token"
            );
        }
        tracing::info!(app_id = %app_id, allowed_hosts = ?teams.service_url_hosts, "Teams adapter enabled");
        Ok(Some(Adapter {
            shared: Arc::new(Shared {
                refs: refs::Refs::new(engine.clone()),
                limits: Arc::new(deliver::Limits::new(&config.outbox, engine.clock().clone())),
                engine,
                config: shared,
                app_id,
                keys,
                connector,
            }),
        }))
    }

    /// `POST /api/messages`.
    pub fn routes(&self) -> axum::Router {
        axum::Router::new()
            .route(
                "/api/messages",
                axum::routing::post(inbound::handle_messages),
            )
            .with_state(self.shared.clone())
    }

    pub fn deliverer(&self) -> Arc<dyn Deliverer> {
        let s = &self.shared;
        Arc::new(deliver::TeamsDeliverer::new(
            s.engine.clone(),
            s.config.clone(),
            s.connector.clone(),
            s.refs.clone(),
            s.limits.clone(),
        ))
    }
}
