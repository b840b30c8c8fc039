//! Command-line interface: one function per subcommand, each thin over the library.

mod backup;
mod check_config;
mod console;
mod serve;

use anyhow::Context;
use chrono::NaiveDate;
use clap::{Parser, Subcommand, ValueEnum};
use frontdesk::admin::{AdminCommand, AdminError, DepartmentTarget, DigestFormat};
use frontdesk::config::{Config, LogFormat};
use frontdesk::store::Store;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Debug, Parser)]
#[command(
    name = "frontdesk",
    version,
    about = "A self-hosted help desk for Slack and Microsoft Teams"
)]
pub struct Cli {
    /// Configuration file (TOML). Without it the built-in departments are used.
    #[arg(long, global = true, value_name = "PATH", env = "FRONTDESK_CONFIG")]
    config: Option<PathBuf>,
    /// Log format: text or json (overrides server.log_format).
    #[arg(long, global = true, value_name = "FORMAT")]
    log_format: Option<LogFormat>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the server: Slack and Teams endpoints, /healthz, reminders and delivery.
    Serve,
    /// Try the whole desk in a terminal on the embedded store, no chat workspace needed.
    Console {
        /// Who you are at the start (switch with /as NAME).
        #[arg(long, default_value = "employee")]
        user: String,
    },
    /// Validate the configuration and report every problem with its key.
    CheckConfig {
        /// Also check the Slack token, scopes and department channels against Slack.
        #[arg(long)]
        online: bool,
    },
    /// Look at stored requests.
    Requests {
        #[command(subcommand)]
        command: RequestsCommand,
    },
    /// Per-department figures: open, closed, median response and resolution times, rating.
    Stats {
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// The weekly digest per department: requests resolved, the median first response
    /// against the service level, ratings and the week's best survey comments.
    Report {
        /// Report on a week, Monday 00:00 to Sunday 24:00 UTC: the last complete one, or the
        /// one given by --week-of.
        #[arg(long, required_unless_present = "week_of")]
        week: bool,
        /// The week that holds this day (YYYY-MM-DD) instead of the last complete one.
        #[arg(long, value_name = "DATE", value_parser = parse_date)]
        week_of: Option<NaiveDate>,
        /// Only this department (its id, e.g. `it`).
        #[arg(long, value_name = "ID")]
        department: Option<String>,
        /// text (the message a channel would be sent), json, or a self-contained html page.
        #[arg(long, value_enum, default_value = "text")]
        format: ReportFormat,
    },
    /// Messages waiting for delivery, and the ones given up on.
    Outbox {
        #[command(subcommand)]
        command: OutboxCommand,
    },
    /// One person's data: export everything stored about them, or erase their words.
    Privacy {
        #[command(subcommand)]
        command: PrivacyCommand,
    },
    /// The audit log: every transition, each entry chained to the one before by its hash.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// Encryption at rest.
    Keys {
        #[command(subcommand)]
        command: KeysCommand,
    },
    /// Write a consistent backup of the store; works while `frontdesk serve` runs.
    Backup {
        /// The backup file to write (replaced if it exists).
        #[arg(long, value_name = "FILE")]
        to: PathBuf,
        /// The data directory (default: server.data_dir from the configuration).
        #[arg(long, value_name = "DIR")]
        data_dir: Option<PathBuf>,
    },
    /// Restore a backup into a data directory; frontdesk must not be running on it.
    Restore {
        /// The backup file, as written by `frontdesk backup`.
        #[arg(long, value_name = "FILE")]
        from: PathBuf,
        /// The data directory to restore into; must not hold a store unless --force.
        #[arg(long, value_name = "DIR")]
        data_dir: PathBuf,
        /// Replace the store already in the data directory.
        #[arg(long)]
        force: bool,
    },
}

#[derive(Debug, Subcommand)]
enum RequestsCommand {
    /// List requests, oldest first.
    List {
        /// open, claimed, waiting, closed or cancelled.
        #[arg(long)]
        status: Option<String>,
        /// A user: `slack:U123`, `teams:29:…`, `console:alice`, or a bare id.
        #[arg(long)]
        user: Option<String>,
        /// Only active requests past their service level (first response, or resolution once
        /// answered), in business time.
        #[arg(long)]
        overdue: bool,
    },
    /// Everything about one request, including its history.
    Show { id: String },
    /// All requests as JSON or CSV on stdout, or those filed in a period.
    ///
    /// The period is when a request was filed (its creation time, in UTC); both bounds are
    /// inclusive days and either may be left out.
    Export {
        #[arg(long, value_enum, default_value = "json")]
        format: ExportFormat,
        /// Only requests filed on or after this day (YYYY-MM-DD, from 00:00 UTC).
        #[arg(long, value_name = "DATE", value_parser = parse_date)]
        since: Option<NaiveDate>,
        /// Only requests filed on or before this day (YYYY-MM-DD, up to 24:00 UTC).
        #[arg(long, value_name = "DATE", value_parser = parse_date)]
        until: Option<NaiveDate>,
    },
}

/// A day as `YYYY-MM-DD`; clap names the flag in its error and exits with 2.
fn parse_date(s: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .map_err(|e| format!("{e}: expected a date as YYYY-MM-DD, e.g. 2026-03-31"))
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum ExportFormat {
    Json,
    Csv,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum ReportFormat {
    Text,
    Json,
    Html,
}

#[derive(Debug, Subcommand)]
enum PrivacyCommand {
    /// Everything stored about a person as JSON: the requests they filed, what they wrote
    /// on others' requests, their ratings and drafts.
    Export {
        /// `slack:U123`, `teams:29:…`, or a bare id (that id on every platform).
        #[arg(long)]
        user: String,
    },
    /// Remove a person's words everywhere (summaries, answers, messages, comments, drafts),
    /// keeping ids, times and ratings; the erasure is recorded in the audit log.
    Erase {
        /// `slack:U123`, `teams:29:…`, or a bare id (that id on every platform).
        #[arg(long)]
        user: String,
    },
}

#[derive(Debug, Subcommand)]
enum KeysCommand {
    /// Seal all stored content under FRONTDESK_ENCRYPTION_KEY, opening what is sealed under
    /// a key in FRONTDESK_ENCRYPTION_OLD_KEYS; afterwards the old keys can be dropped.
    Rotate,
}

#[derive(Debug, Subcommand)]
enum AuditCommand {
    /// Check the chain; exits 1 naming the first entry changed, removed or reordered.
    Verify,
    /// Write the log as JSON lines (see docs/operations.md for checking it elsewhere).
    Export,
}

#[derive(Debug, Subcommand)]
enum OutboxCommand {
    /// Pending messages and dead letters.
    List,
    /// Move a dead letter back into the outbox; the server delivers it on its next pass.
    Retry { id: u64 },
}

pub async fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let config_path = cli.config.as_deref();
    match cli.command {
        Command::CheckConfig { online } => check_config::run(config_path, online).await,
        Command::Serve => {
            let config = load_config(config_path)?;
            frontdesk::init_logging(cli.log_format.unwrap_or(config.server.log_format));
            serve::run(config, config_path).await
        }
        Command::Console { user } => {
            let config = load_config(config_path)?;
            console::run(config, &user).await
        }
        Command::Requests { command } => {
            let command = match command {
                RequestsCommand::List {
                    status,
                    user,
                    overdue,
                } => {
                    let levels = if overdue {
                        frontdesk::admin::DepartmentLevels::of(&load_config(config_path)?.rules())
                    } else {
                        Vec::new()
                    };
                    AdminCommand::RequestsList {
                        status,
                        user,
                        overdue,
                        levels,
                    }
                }
                RequestsCommand::Show { id } => AdminCommand::RequestsShow { id },
                RequestsCommand::Export {
                    format,
                    since,
                    until,
                } => {
                    if let (Some(s), Some(u)) = (since, until) {
                        if s > u {
                            eprintln!("frontdesk: --since {s} is after --until {u}");
                            return Ok(ExitCode::from(2));
                        }
                    }
                    AdminCommand::RequestsExport {
                        csv: matches!(format, ExportFormat::Csv),
                        since,
                        until,
                    }
                }
            };
            admin(config_path, command).await
        }
        Command::Report {
            week: _,
            week_of,
            department,
            format,
        } => {
            let config = load_config(config_path)?;
            let command = AdminCommand::WeeklyReport {
                week_of,
                department,
                format: match format {
                    ReportFormat::Text => DigestFormat::Text,
                    ReportFormat::Json => DigestFormat::Json,
                    ReportFormat::Html => DigestFormat::Html,
                },
                departments: config
                    .departments
                    .iter()
                    .map(DepartmentTarget::from_config)
                    .collect(),
            };
            admin_with(&config, command).await
        }
        Command::Stats { json } => {
            let config = load_config(config_path)?;
            let levels = frontdesk::admin::DepartmentLevels::of(&config.rules());
            admin_with(&config, AdminCommand::Stats { json, levels }).await
        }
        Command::Outbox { command } => {
            let command = match command {
                OutboxCommand::List => AdminCommand::OutboxList,
                OutboxCommand::Retry { id } => AdminCommand::OutboxRetry { id },
            };
            admin(config_path, command).await
        }
        Command::Privacy { command } => {
            let command = match command {
                PrivacyCommand::Export { user } => AdminCommand::PrivacyExport { user },
                PrivacyCommand::Erase { user } => AdminCommand::PrivacyErase { user },
            };
            admin(config_path, command).await
        }
        Command::Audit { command } => {
            let command = match command {
                AuditCommand::Verify => AdminCommand::AuditVerify,
                AuditCommand::Export => AdminCommand::AuditExport,
            };
            admin(config_path, command).await
        }
        Command::Keys {
            command: KeysCommand::Rotate,
        } => admin(config_path, AdminCommand::KeysRotate).await,
        Command::Backup { to, data_dir } => {
            let data_dir = match data_dir {
                Some(dir) => dir,
                None => load_config(config_path)?.server.data_dir,
            };
            backup::backup(&data_dir, &to).await
        }
        Command::Restore {
            from,
            data_dir,
            force,
        } => backup::restore(&from, &data_dir, force).await,
    }
}

/// Runs a read or maintenance command on the store, or through the server holding it.
async fn admin(config_path: Option<&Path>, command: AdminCommand) -> anyhow::Result<ExitCode> {
    admin_with(&load_config(config_path)?, command).await
}

async fn admin_with(config: &Config, command: AdminCommand) -> anyhow::Result<ExitCode> {
    let dir = &config.server.data_dir;
    match frontdesk::admin::run(dir, &command).await {
        Ok(out) => {
            print!("{out}");
            Ok(ExitCode::SUCCESS)
        }
        Err(
            e @ (AdminError::NotFound(_) | AdminError::BadInput(_) | AdminError::CheckFailed(_)),
        ) => {
            eprintln!("frontdesk: {e}");
            Ok(ExitCode::from(1))
        }
        Err(e) => Err(e).with_context(|| format!("the store at {}", dir.display())),
    }
}

pub(crate) fn load_config(path: Option<&Path>) -> anyhow::Result<Config> {
    Config::load(path).with_context(|| match path {
        Some(p) => format!("configuration {}", p.display()),
        None => "built-in configuration".to_string(),
    })
}

pub(crate) fn open_store(dir: &Path) -> anyhow::Result<Store> {
    Store::open(dir).with_context(|| {
        format!(
            "opening the store at {} (the console needs the store to itself: stop `frontdesk serve` first)",
            dir.display()
        )
    })
}
