//! What the integration tests share, one of each:
//!
//! - [`app`]: `spawn_app` (the real `App` in process) and `spawn_binary` (`frontdesk serve`);
//! - [`process`]: the hermetic command builder for the real binary, and the child it runs;
//! - [`fake_slack`]: the fake Slack Web API; [`socket_standin`]: Slack's Socket Mode side;
//!   [`teams_standin`]: Microsoft's side of Teams;
//! - [`signer`]: Slack's request signature, computed by frontdesk's own code;
//! - [`slack`], [`teams`]: a desk on each platform, driven as the platform drives it;
//! - [`metrics`]: a strict reader of `/metrics`; [`logs`]: the binary's tracing subscriber;
//! - [`browser`]: headless Chromium, the Nu HTML validator and axe-core, for the dashboard.

#![allow(dead_code)]

pub mod app;
pub mod browser;
pub mod fake_slack;
pub mod logs;
pub mod metrics;
pub mod process;
pub mod signer;
pub mod slack;
pub mod socket_standin;
pub mod teams;
pub mod teams_standin;

use std::time::{Duration, Instant};

/// How long any wait on a real process or a background task may take before the test fails.
pub const PATIENCE: Duration = Duration::from_secs(30);

/// An HTTP client for loopback tests: no proxy from the environment, short timeouts.
pub fn http() -> reqwest::Client {
    reqwest::Client::builder()
        .no_proxy()
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap()
}

pub async fn get(url: &str) -> (u16, String) {
    let r = http().get(url).send().await.expect("GET");
    (r.status().as_u16(), r.text().await.unwrap_or_default())
}

/// Polls `check` until it returns Some, for at most [`PATIENCE`].
pub async fn eventually<T, F, Fut>(what: &str, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let deadline = Instant::now() + PATIENCE;
    let mut pause = Duration::from_millis(5);
    loop {
        if let Some(v) = check().await {
            return v;
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(pause).await;
        pause = (pause * 2).min(Duration::from_millis(200));
    }
}
