//! `frontdesk console`: the desk in a terminal, on the configured data directory.

use anyhow::Context;
use frontdesk::config::Config;
use frontdesk::Console;
use std::process::ExitCode;
use std::sync::Arc;

pub async fn run(config: Config, user: &str) -> anyhow::Result<ExitCode> {
    let store = Arc::new(super::open_store(&config.server.data_dir)?);
    let console = Console::new(config, store, user, Box::new(std::io::stdout()));
    console.banner();
    let stdin = tokio::io::BufReader::new(tokio::io::stdin());
    console.run(stdin).await.context("console")?;
    Ok(ExitCode::SUCCESS)
}
