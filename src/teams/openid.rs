//! The Bot Framework's signing keys: the OpenID metadata at `teams.openid_metadata_url` names
//! a `jwks_uri`, which serves the keys. Both are fetched lazily and cached.
//!
//! The cache is refreshed when it is older than a day, and when a token names a key id the
//! cache doesn't hold (Microsoft rolls keys over), but at most once per
//! [`UNKNOWN_KID_REFRESH_INTERVAL`]: a stream of made-up key ids must not turn into a stream
//! of requests to the metadata endpoint. A failed refresh keeps serving the keys already held.

use super::auth::Jwks;
use crate::core::Timestamp;
use serde::Deserialize;
use std::sync::Arc;
use tokio::sync::Mutex;

/// How long fetched keys are trusted without asking again.
pub const MAX_AGE: chrono::TimeDelta = chrono::TimeDelta::hours(24);

/// The least time between two refreshes caused by an unknown key id.
pub const UNKNOWN_KID_REFRESH_INTERVAL: chrono::TimeDelta = chrono::TimeDelta::minutes(5);

#[derive(Debug, thiserror::Error)]
pub enum KeysError {
    #[error("fetching {what} from {url}")]
    Fetch {
        what: &'static str,
        url: String,
        source: reqwest::Error,
    },
    #[error("{what} at {url} answered {status}")]
    Status {
        what: &'static str,
        url: String,
        status: reqwest::StatusCode,
    },
}

#[derive(Debug, Deserialize)]
struct Metadata {
    jwks_uri: String,
}

#[derive(Debug)]
struct Cached {
    jwks: Arc<Jwks>,
    fetched_at: Timestamp,
}

#[derive(Debug, Default)]
struct State {
    cached: Option<Cached>,
    last_unknown_kid_refresh: Option<Timestamp>,
}

/// Fetches and caches the signing keys. One fetch at a time: concurrent callers wait for it.
#[derive(Debug)]
pub struct KeySource {
    http: reqwest::Client,
    metadata_url: String,
    state: Mutex<State>,
}

impl KeySource {
    pub fn new(http: reqwest::Client, metadata_url: String) -> Self {
        KeySource {
            http,
            metadata_url,
            state: Mutex::new(State::default()),
        }
    }

    /// Keys that should include `kid`, refreshing the cache if it is stale or lacks `kid`
    /// (rate-limited). The caller still checks whether `kid` is there.
    ///
    /// # Errors
    /// No keys could be fetched and none are cached.
    pub async fn keys_for(&self, kid: &str, now: Timestamp) -> Result<Arc<Jwks>, KeysError> {
        let mut state = self.state.lock().await;
        let refresh = match &state.cached {
            None => true,
            Some(c) if now - c.fetched_at >= MAX_AGE => true,
            Some(c) if c.jwks.find(kid).is_none() => {
                let allowed = state
                    .last_unknown_kid_refresh
                    .is_none_or(|at| now - at >= UNKNOWN_KID_REFRESH_INTERVAL);
                if allowed {
                    state.last_unknown_kid_refresh = Some(now);
                    tracing::info!(
                        kid,
                        "token names a key we don't hold; refreshing the signing keys"
                    );
                }
                allowed
            }
            Some(_) => false,
        };
        if refresh {
            match self.fetch().await {
                Ok(jwks) => {
                    tracing::debug!(keys = jwks.keys.len(), "fetched Bot Framework signing keys");
                    state.cached = Some(Cached {
                        jwks: Arc::new(jwks),
                        fetched_at: now,
                    });
                }
                Err(e) if state.cached.is_some() => {
                    tracing::warn!(error = %crate::telemetry::chain(&e), "refreshing the signing keys failed; keeping the cached ones");
                }
                Err(e) => return Err(e),
            }
        }
        Ok(state
            .cached
            .as_ref()
            .map(|c| c.jwks.clone())
            .unwrap_or_default())
    }

    async fn fetch(&self) -> Result<Jwks, KeysError> {
        let metadata: Metadata = self.get_json("OpenID metadata", &self.metadata_url).await?;
        self.get_json("signing keys", &metadata.jwks_uri).await
    }

    async fn get_json<T: for<'de> Deserialize<'de>>(
        &self,
        what: &'static str,
        url: &str,
    ) -> Result<T, KeysError> {
        let fetch_err = |source| KeysError::Fetch {
            what,
            url: url.to_string(),
            source,
        };
        let response = self.http.get(url).send().await.map_err(fetch_err)?;
        if !response.status().is_success() {
            return Err(KeysError::Status {
                what,
                url: url.to_string(),
                status: response.status(),
            });
        }
        response.json().await.map_err(fetch_err)
    }
}
