//! The CLI's side of a backup taken by a running server: `POST /admin/backup`, the stream
//! written beside its destination, checked, and renamed into place.

use super::format::{verify, Summary};
use super::{io, partial_path, private_file, BackupError};
use crate::admin::AdminClient;
use std::io::Write;
use std::path::Path;

/// Asks the server running on `data_dir` for a backup and writes it to `to`, checked.
///
/// # Errors
/// The admin files can't be read, the server can't be reached or refuses, or what arrived
/// is not a complete backup.
pub async fn fetch_from_server(data_dir: &Path, to: &Path) -> Result<Summary, BackupError> {
    let admin = AdminClient::for_data_dir(data_dir).map_err(BackupError::NoServer)?;
    let mut response = admin
        .post("/admin/backup")
        .send()
        .await
        .map_err(|e| BackupError::NoServer(format!("{}: {e}", admin.addr)))?;
    if !response.status().is_success() {
        let status = response.status().as_u16();
        let message = response.text().await.unwrap_or_default().trim().to_string();
        return Err(BackupError::Refused { status, message });
    }
    let partial = partial_path(to);
    let result = async {
        let mut file = private_file(&partial)?;
        let write_err = || io(format!("writing {}", partial.display()));
        while let Some(chunk) = response
            .chunk()
            .await
            .map_err(|e| BackupError::NoServer(format!("receiving the backup: {e}")))?
        {
            file.write_all(&chunk).map_err(write_err())?;
        }
        file.sync_all().map_err(write_err())?;
        drop(file);
        let (checked, to) = (partial.clone(), to.to_path_buf());
        tokio::task::spawn_blocking(move || {
            let summary = verify(&checked)?;
            std::fs::rename(&checked, &to).map_err(io(format!("renaming to {}", to.display())))?;
            Ok(summary)
        })
        .await
        .map_err(|e| BackupError::Snapshot(e.to_string()))?
    }
    .await;
    if result.is_err() {
        let _ = std::fs::remove_file(&partial);
    }
    result
}
