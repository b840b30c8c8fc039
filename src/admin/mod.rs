//! The read and maintenance commands of the CLI (`requests`, `stats`, `report`, `outbox`,
//! `privacy`, `audit`), as
//! one function over the store. The store admits one process at a time, so while `frontdesk
//! serve` holds it the CLI sends the same command to the server (`POST /admin/command`, with
//! the admin token from the data directory) and the server runs this same function.
//!
//! # Modules
//! This one holds the commands: [`AdminCommand`], [`execute`], [`run`], [`AdminError`].
//! - `access`: the admin token and the local-connection check ([`AdminAccess`]) that guard
//!   every admin endpoint, this one's and `POST /admin/backup`.
//! - `client`: [`AdminClient`], how the CLI reaches the running server, and [`run_on_server`].
//! - `privacy`: one person's data and its erasure, and the audit log's checks.
//! - `routes`: [`admin_command`], the server's `POST /admin/command`.

mod access;
mod client;
mod privacy;
mod routes;

use crate::core::{Platform, Request, RequestId, Status, Timestamp, UserRef};
use crate::report;
pub use crate::report::service_levels::DepartmentLevels;
use crate::report::weekly;
pub use crate::report::weekly::DepartmentTarget;
use crate::report::Period;
use crate::store::{DeskStore, OutboxItem, Store, StoreError};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::path::Path;

pub(crate) use access::refusal_response;
pub use access::{AdminAccess, Refusal, ADMIN_ADDR_FILE, ADMIN_TOKEN_FILE};
pub use client::{run_on_server, AdminClient};
pub use routes::admin_command;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "command", rename_all = "snake_case")]
pub enum AdminCommand {
    RequestsList {
        status: Option<String>,
        user: Option<String>,
        /// Only active requests past their current service level.
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        overdue: bool,
        /// The departments' service levels from the caller's configuration, for `overdue`.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        levels: Vec<report::service_levels::DepartmentLevels>,
    },
    RequestsShow {
        id: String,
    },
    RequestsExport {
        csv: bool,
        /// Only requests filed on or after this day (UTC).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        since: Option<NaiveDate>,
        /// Only requests filed on or before this day (UTC), the whole day.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        until: Option<NaiveDate>,
    },
    /// The weekly digest. The departments and their targets come from the caller's
    /// configuration, so the server and an offline run print the same.
    WeeklyReport {
        /// A day in the week to report; without it the last complete week.
        #[serde(default)]
        week_of: Option<NaiveDate>,
        #[serde(default)]
        department: Option<String>,
        format: DigestFormat,
        departments: Vec<DepartmentTarget>,
    },
    Stats {
        json: bool,
        /// The departments' service levels from the caller's configuration, for attainment;
        /// without them the stats have none.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        levels: Vec<report::service_levels::DepartmentLevels>,
    },
    OutboxList,
    OutboxRetry {
        id: u64,
    },
    /// Everything stored about one person, as JSON.
    PrivacyExport {
        user: String,
    },
    /// Removes one person's words everywhere, and records that it did.
    PrivacyErase {
        user: String,
    },
    /// Checks the audit log's chain.
    AuditVerify,
    /// The audit log as JSON lines.
    AuditExport,
    /// Seals all content again under the current encryption key.
    KeysRotate,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DigestFormat {
    Text,
    Json,
    Html,
}

impl AdminCommand {
    /// Whether the command changes the store (and so runs on the server's writer thread).
    pub fn writes(&self) -> bool {
        matches!(
            self,
            AdminCommand::OutboxRetry { .. }
                | AdminCommand::PrivacyErase { .. }
                | AdminCommand::KeysRotate
        )
    }
}

#[derive(Debug, thiserror::Error)]
pub enum AdminError {
    /// The command names something that isn't there (exit 1, HTTP 404).
    #[error("{0}")]
    NotFound(String),
    /// The command's arguments don't make sense (exit 1, HTTP 400).
    #[error("{0}")]
    BadInput(String),
    /// A check ran and found a problem (exit 1, HTTP 409).
    #[error("{0}")]
    CheckFailed(String),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("reaching the running server: {0}")]
    NoServer(String),
    #[error("the running server refused (HTTP {status}): {message}")]
    Refused { status: u16, message: String },
}

fn users_matching(arg: &str) -> Vec<UserRef> {
    match UserRef::parse(arg) {
        Some(u) => vec![u],
        // A bare id: the same id on any platform.
        None => [Platform::Console, Platform::Slack, Platform::Teams]
            .into_iter()
            .map(|p| UserRef::new(p, arg))
            .collect(),
    }
}

fn outbox_line(item: &OutboxItem) -> String {
    format!(
        "{:<20} {:<8} {:<13} {:<10} attempts={:<3} next={} {}",
        item.id,
        item.platform.as_str(),
        item.outgoing.kind(),
        item.outgoing
            .request()
            .map(|r| r.to_string())
            .unwrap_or_else(|| "-".into()),
        item.attempts,
        item.next_attempt_at.format("%Y-%m-%d %H:%M:%S"),
        item.last_error.as_deref().unwrap_or("")
    )
}

/// Runs a command against the store and returns what to print.
///
/// # Errors
/// The command names something missing or makes no sense, or the store failed.
pub fn execute(
    store: &dyn DeskStore,
    command: &AdminCommand,
    now: Timestamp,
) -> Result<String, AdminError> {
    match command {
        AdminCommand::RequestsList {
            status,
            user,
            overdue,
            levels,
        } => {
            let status = match status {
                Some(s) => Some(Status::parse(s).ok_or_else(|| {
                    AdminError::BadInput(format!(
                        "unknown status {s:?}: use open, claimed, waiting, closed or cancelled"
                    ))
                })?),
                None => None,
            };
            let mut requests: Vec<Request> = match (user, status) {
                (Some(u), _) => {
                    let mut v = Vec::new();
                    for u in users_matching(u) {
                        v.extend(store.requests_of_user(&u, status)?);
                    }
                    v
                }
                (None, Some(s)) => store.requests_with_status(s)?,
                (None, None) if *overdue => {
                    let mut v = Vec::new();
                    for s in Status::ALL.into_iter().filter(|s| s.is_active()) {
                        v.extend(store.requests_with_status(s)?);
                    }
                    v
                }
                (None, None) => store.all_requests().collect::<Result<_, _>>()?,
            };
            if *overdue {
                requests.retain(|r| {
                    levels
                        .iter()
                        .find(|l| l.id == r.department)
                        .is_some_and(|l| {
                            let sla = chrono::Duration::seconds(l.first_response_sla_secs);
                            crate::core::due_at_with(r, sla, &l.levels, now)
                                .is_some_and(|d| d <= now)
                        })
                });
            }
            requests.sort_by(|a, b| a.created_at.cmp(&b.created_at).then(a.id.cmp(&b.id)));
            Ok(format!("{}\n", report::list(&requests)))
        }
        AdminCommand::RequestsShow { id } => {
            let id = RequestId::parse(id).map_err(|e| AdminError::BadInput(e.to_string()))?;
            match store.request(&id)? {
                Some(r) => Ok(format!("{}\n", report::show(&r))),
                None => Err(AdminError::NotFound(format!("no request {id}"))),
            }
        }
        AdminCommand::RequestsExport { csv, since, until } => {
            let period = Period {
                since: *since,
                until: *until,
            };
            if let (Some(s), Some(u)) = (since, until) {
                if s > u {
                    return Err(AdminError::BadInput(format!(
                        "--since {s} is after --until {u}"
                    )));
                }
            }
            let mut requests: Vec<Request> = store.all_requests().collect::<Result<_, _>>()?;
            if !period.is_unbounded() {
                requests.retain(|r| period.contains(r.created_at));
            }
            if *csv {
                report::export_csv(&requests).map_err(|e| AdminError::BadInput(e.to_string()))
            } else {
                Ok(format!("{}\n", report::export_json(&requests)))
            }
        }
        AdminCommand::Stats { json, levels } => {
            // Streamed: a store of a million requests is summed, not loaded.
            let mut failed = None;
            let stats = report::stats_with_levels(
                store
                    .all_requests()
                    .map_while(|r| r.map_err(|e| failed = Some(e)).ok()),
                levels,
                now,
            );
            if let Some(e) = failed {
                return Err(e.into());
            }
            Ok(if *json {
                format!(
                    "{}\n",
                    serde_json::to_string_pretty(&stats).expect("stats serialise")
                )
            } else {
                format!("{}\n", report::stats_table(&stats))
            })
        }
        AdminCommand::WeeklyReport {
            week_of,
            department,
            format,
            departments,
        } => {
            let chosen: Vec<DepartmentTarget> = match department {
                Some(id) => match departments.iter().find(|d| &d.id == id) {
                    Some(d) => vec![d.clone()],
                    None => {
                        let known: Vec<&str> = departments.iter().map(|d| d.id.as_str()).collect();
                        return Err(AdminError::BadInput(format!(
                            "unknown department {id:?}: use one of {}",
                            known.join(", ")
                        )));
                    }
                },
                None => departments.clone(),
            };
            let monday = match week_of {
                Some(day) => weekly::monday_of(*day),
                None => weekly::last_complete_week(now),
            };
            let mut failed = None;
            let digest = weekly::digest(
                store
                    .all_requests()
                    .map_while(|r| r.map_err(|e| failed = Some(e)).ok()),
                &chosen,
                monday,
            );
            if let Some(e) = failed {
                return Err(e.into());
            }
            Ok(match format {
                DigestFormat::Text => weekly::text(&digest),
                DigestFormat::Json => weekly::json(&digest),
                DigestFormat::Html => weekly::html(&digest),
            })
        }
        AdminCommand::OutboxList => {
            let pending = store.outbox_items()?;
            let dead = store.dead_letters()?;
            let mut out = format!("pending ({}):\n", pending.len());
            for i in &pending {
                out.push_str(&format!("  {}\n", outbox_line(i)));
            }
            out.push_str(&format!("dead letters ({}):\n", dead.len()));
            for i in &dead {
                out.push_str(&format!("  {}\n", outbox_line(i)));
            }
            Ok(out)
        }
        AdminCommand::OutboxRetry { id } => {
            if !store.retry_dead_letter(*id, now)? {
                return Err(AdminError::NotFound(format!(
                    "no dead letter with id {id} (`frontdesk outbox list` shows them)"
                )));
            }
            store.flush()?;
            Ok(format!(
                "dead letter {id} is back in the outbox and will be delivered on the next pass\n"
            ))
        }
        AdminCommand::PrivacyExport { user } => privacy::export(store, user),
        AdminCommand::PrivacyErase { user } => privacy::erase(store, user, now),
        AdminCommand::AuditVerify => privacy::audit_verify(store),
        AdminCommand::AuditExport => privacy::audit_export(store),
        AdminCommand::KeysRotate => {
            let done = store.reseal()?;
            Ok(format!(
                "sealed {} request(s), {} session(s) and {} outbox item(s) under key {}; \
                 older keys are no longer needed\n",
                done.requests, done.sessions, done.outbox_items, done.key_id
            ))
        }
    }
}

/// Runs a command on the store in `data_dir` directly, or through the server that holds it.
///
/// # Errors
/// See [`execute`] and [`run_on_server`].
pub async fn run(data_dir: &Path, command: &AdminCommand) -> Result<String, AdminError> {
    match Store::open(data_dir) {
        Ok(store) => {
            let out = execute(&store, command, chrono::Utc::now());
            drop(store);
            out
        }
        Err(StoreError::Locked { .. }) => run_on_server(data_dir, command).await,
        Err(e) => Err(e.into()),
    }
}
