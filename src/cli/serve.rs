//! `frontdesk serve`: the HTTP server with the configured platforms, until SIGINT/SIGTERM;
//! SIGHUP reloads the configuration file.

use anyhow::Context;
use frontdesk::config::Config;
use frontdesk::{App, Deps};
use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

pub async fn run(config: Config, config_path: Option<&Path>) -> anyhow::Result<ExitCode> {
    let app = App::build(config, Deps::production())
        .await
        .context("starting the server")?
        .reload_on_sighup(config_path.map(Path::to_path_buf))
        .context("starting the server")?;
    let addr = app.local_addr();
    tracing::info!(%addr, "listening");
    // Scripts (and tests) read the bound address from stdout, e.g. with listen = "127.0.0.1:0".
    println!("frontdesk listening on http://{addr}");
    let _ = std::io::stdout().flush();
    app.run_until_stopped(frontdesk::shutdown_signal())
        .await
        .context("serving")?;
    Ok(ExitCode::SUCCESS)
}
