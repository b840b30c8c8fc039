//! `frontdesk check-config`: every problem with its key, non-zero exit when there is one.

use frontdesk::config::{Config, ConfigError};
use std::path::Path;
use std::process::ExitCode;

pub async fn run(path: Option<&Path>, online: bool) -> anyhow::Result<ExitCode> {
    let config = match Config::load(path) {
        Ok(c) => c,
        Err(ConfigError::Invalid(problems)) => {
            eprintln!(
                "frontdesk: the configuration has {} problem(s):",
                problems.len()
            );
            for p in problems {
                eprintln!("  {p}");
            }
            return Ok(ExitCode::from(1));
        }
        Err(e) => {
            eprintln!("frontdesk: {e}");
            return Ok(ExitCode::from(1));
        }
    };
    // The key is checked as the store will check it: an unusable one is an error.
    match frontdesk::store::Keys::from_env() {
        Ok(Some(_)) => {}
        Ok(None) => eprintln!(
            "frontdesk: warning: {} is not set, so request content is stored unencrypted (see docs/operations.md#encryption-at-rest)",
            frontdesk::store::KEY_VAR
        ),
        Err(e) => {
            eprintln!("frontdesk: {e}");
            return Ok(ExitCode::from(1));
        }
    }
    let where_from = path
        .map(|p| p.display().to_string())
        .unwrap_or_else(|| "built-in defaults".into());
    if online {
        let problems = frontdesk::slack::online_check(&config).await;
        if !problems.is_empty() {
            eprintln!(
                "frontdesk: the configuration is valid, but Slack reports {} problem(s):",
                problems.len()
            );
            for p in problems {
                eprintln!("  {p}");
            }
            return Ok(ExitCode::from(1));
        }
    }
    println!(
        "configuration OK ({where_from}): {} department(s): {}",
        config.departments.len(),
        config
            .departments
            .iter()
            .map(|d| d.id.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    );
    Ok(ExitCode::SUCCESS)
}
