//! Slack adapter (placeholder until the adapter lands): turns Slack payloads into core inputs and
//! delivers core effects through Slack's API.

use crate::app::SharedConfig;
use crate::config::Config;
use crate::engine::Engine;
use crate::outbox::Deliverer;
use std::sync::Arc;

#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct AdapterError(pub String);

/// The Slack side of the desk: its routes and its deliverer.
#[derive(Debug)]
pub struct Adapter {}

impl Adapter {
    /// None when Slack is not configured.
    pub async fn from_config(
        _config: &Config,
        _engine: Engine,
        _shared: SharedConfig,
    ) -> Result<Option<Adapter>, AdapterError> {
        Ok(None)
    }

    pub fn routes(&self) -> axum::Router {
        axum::Router::new()
    }

    pub fn deliverer(&self) -> Arc<dyn Deliverer> {
        unimplemented!("no Slack deliverer yet")
    }
}

/// Problems Slack reports with the configured token, scopes and channels (empty = fine).
pub async fn online_check(_config: &Config) -> Vec<String> {
    vec!["the Slack adapter is not built yet".to_string()]
}
