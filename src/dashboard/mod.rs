//! The read-only web dashboard at `/dashboard`: an overview of the departments, a page per
//! department with its queue and a CSV export, and a page per request with its timeline.
//! Pages are askama templates (`templates/dashboard/`) rendered on the server, charts are SVG
//! drawn on the server; no JavaScript.
//!
//! - `auth`: the password hash, the signed session cookie and the brake on failed sign-ins;
//! - `oidc`: "Sign in with Slack" (OpenID Connect), for the departments' agents;
//! - `data`: the figures, as pure functions of requests and "now";
//! - `charts`: the SVG charts;
//! - `views`: what each page shows, read from the store;
//! - `pages`: the HTTP handlers and templates.
//!
//! The dashboard is on only when `FRONTDESK_DASHBOARD_PASSWORD` is set or Sign in with Slack
//! is configured; otherwise every page answers 404 and says how to turn it on.

mod auth;
mod charts;
mod data;
mod oidc;
mod pages;
mod views;

pub use auth::AuthError;

use crate::config::{Config, SharedConfig};
use crate::engine::Engine;
use axum::routing::{get, post};
use axum::Router;
use std::sync::Arc;

/// The dashboard's routes and what they share.
#[derive(Clone, Debug)]
pub struct Dashboard {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    engine: Engine,
    config: SharedConfig,
    /// None: no password and no Sign in with Slack, the dashboard is off.
    access: Option<auth::Access>,
    slack: Option<oidc::SlackSignIn>,
    /// For Slack's OpenID Connect calls.
    http: reqwest::Client,
}

/// Takes the dashboard's secrets out of `config` and keeps only the password's hash (and
/// the Slack app's secret, which each sign-in with Slack needs), so that the configuration
/// shared with the rest of the server never holds them.
///
/// # Errors
/// The password could not be hashed.
pub fn take_access(config: &mut Config) -> Result<Option<AccessKey>, AuthError> {
    let password = config.dashboard.password.take();
    let secret = config.dashboard.slack_client_secret.take();
    let d = &config.dashboard;
    let slack = match (d.slack_client_id.is_empty(), secret) {
        (true, _) => None,
        (false, Some(secret)) => Some(oidc::SlackSignIn::new(
            &d.slack_client_id,
            secret.expose(),
            &d.slack_authorize_url,
            &config.slack.api_url,
            &d.public_url,
        )),
        (false, None) => {
            tracing::warn!("dashboard.slack_client_id is set but SLACK_CLIENT_SECRET is not: Sign in with Slack is off");
            None
        }
    };
    if password.is_none() && slack.is_none() {
        return Ok(None);
    }
    let access = auth::Access::new(
        password.as_ref().map(|p| p.expose()),
        d.session_ttl,
        &d.public_url,
    )?;
    Ok(Some(AccessKey { access, slack }))
}

/// The hashed password, the session key and Sign in with Slack, from [`take_access`].
#[derive(Debug)]
pub struct AccessKey {
    access: auth::Access,
    slack: Option<oidc::SlackSignIn>,
}

impl Dashboard {
    pub fn new(engine: Engine, config: SharedConfig, access: Option<AccessKey>) -> Dashboard {
        let (access, slack) = match access {
            Some(a) => (Some(a.access), a.slack),
            None => (None, None),
        };
        Dashboard {
            inner: Arc::new(Inner {
                engine,
                config,
                access,
                slack,
                http: reqwest::Client::builder()
                    .timeout(std::time::Duration::from_secs(10))
                    .build()
                    .unwrap_or_default(),
            }),
        }
    }

    pub fn routes(self) -> Router {
        Router::new()
            .route("/dashboard", get(pages::overview))
            .route("/dashboard/", get(pages::overview))
            .route(
                "/dashboard/login",
                get(pages::login_form).post(pages::login),
            )
            .route("/dashboard/logout", post(pages::logout))
            .route("/dashboard/oidc/start", get(pages::slack_start))
            .route(oidc::CALLBACK_PATH, get(pages::slack_callback))
            .route("/dashboard/departments/{id}", get(pages::department))
            .route("/dashboard/departments/{id}/export.csv", get(pages::export))
            .route("/dashboard/requests/{id}", get(pages::request))
            .with_state(self)
    }
}
