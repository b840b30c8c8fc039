//! Teams adapter (placeholder until the adapter lands): turns Teams payloads into core inputs and
//! delivers core effects through Teams's API.

use crate::app::SharedConfig;
use crate::config::Config;
use crate::engine::Engine;
use crate::outbox::Deliverer;
use std::sync::Arc;

#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct AdapterError(pub String);

/// The Teams side of the desk: its routes and its deliverer.
#[derive(Debug)]
pub struct Adapter {}

impl Adapter {
    /// None when Teams is not configured.
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
        unimplemented!("no Teams deliverer yet")
    }
}
