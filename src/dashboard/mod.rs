//! The read-only web dashboard at `/dashboard`: an overview of the departments, a page per
//! department with its queue and a CSV export, and a page per request with its timeline.
//! Pages are askama templates (`templates/dashboard/`) rendered on the server, charts are SVG
//! drawn on the server; no JavaScript.
//!
//! - `auth`: the password hash, the signed session cookie and the brake on failed sign-ins;
//! - `data`: the figures, as pure functions of requests and "now";
//! - `charts`: the SVG charts;
//! - `views`: what each page shows, read from the store;
//! - `pages`: the HTTP handlers and templates.
//!
//! The dashboard is on only when `FRONTDESK_DASHBOARD_PASSWORD` is set; otherwise every page
//! answers 404 and says how to turn it on.

mod auth;
mod charts;
mod data;
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
    /// None: no password was set, the dashboard is off.
    access: Option<auth::Access>,
}

/// Takes the dashboard's password out of `config` and keeps only its hash, so that the
/// configuration shared with the rest of the server never holds it.
///
/// # Errors
/// The password could not be hashed.
pub fn take_access(config: &mut Config) -> Result<Option<AccessKey>, AuthError> {
    let Some(password) = config.dashboard.password.take() else {
        return Ok(None);
    };
    auth::Access::new(
        password.expose(),
        config.dashboard.session_ttl,
        &config.dashboard.public_url,
    )
    .map(|a| Some(AccessKey(a)))
}

/// The hashed password and the session key, from [`take_access`].
#[derive(Debug)]
pub struct AccessKey(auth::Access);

impl Dashboard {
    pub fn new(engine: Engine, config: SharedConfig, access: Option<AccessKey>) -> Dashboard {
        Dashboard {
            inner: Arc::new(Inner {
                engine,
                config,
                access: access.map(|a| a.0),
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
            .route("/dashboard/departments/{id}", get(pages::department))
            .route("/dashboard/departments/{id}/export.csv", get(pages::export))
            .route("/dashboard/requests/{id}", get(pages::request))
            .with_state(self)
    }
}
