//! `frontdesk serve`: the HTTP server with the configured platforms, until SIGINT/SIGTERM.

use anyhow::Context;
use frontdesk::app::{App, Deps};
use frontdesk::config::Config;
use std::io::Write;
use std::process::ExitCode;

pub async fn run(config: Config) -> anyhow::Result<ExitCode> {
    let app = App::build(config, Deps::production())
        .await
        .context("starting the server")?;
    let addr = app.local_addr();
    tracing::info!(%addr, "listening");
    // Scripts (and tests) read the bound address from stdout, e.g. with listen = "127.0.0.1:0".
    println!("frontdesk listening on http://{addr}");
    let _ = std::io::stdout().flush();
    app.run_until_stopped(frontdesk::shutdown::signal())
        .await
        .context("serving")?;
    Ok(ExitCode::SUCCESS)
}
