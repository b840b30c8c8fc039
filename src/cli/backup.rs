//! `frontdesk backup` and `frontdesk restore`.
//!
//! `backup` opens the store itself when no server has it open; when one does (sled's lock
//! says so), it asks that server through `POST /admin/backup` with the token the server
//! wrote into the data directory. Either way the file is written beside its destination,
//! checked completely, and only then renamed into place.

use anyhow::Context;
use frontdesk::backup::{self, Snapshot};
use frontdesk::store::Store;
use std::path::Path;
use std::process::ExitCode;

pub async fn backup(data_dir: &Path, to: &Path) -> anyhow::Result<ExitCode> {
    backup::check_no_interrupted_restore(data_dir)?;
    if !backup::store_exists(data_dir) {
        anyhow::bail!(
            "no frontdesk store in {} (set --data-dir, FRONTDESK_DATA_DIR or server.data_dir)",
            data_dir.display()
        );
    }
    let (summary, how) = match Store::open(data_dir) {
        Ok(store) => {
            let to = to.to_path_buf();
            let summary = tokio::task::spawn_blocking(move || {
                let snapshot = Snapshot::take(&store)?;
                backup::write_file(&snapshot, &to)
            })
            .await
            .context("backup task")??;
            (summary, "from the store directly (no server running)")
        }
        Err(e) if backup::is_locked(&e) => {
            let summary = backup::fetch_from_server(data_dir, to)
                .await
                .context("asking the running server for a backup")?;
            (summary, "from the running server")
        }
        Err(e) => {
            return Err(e).with_context(|| format!("opening the store at {}", data_dir.display()))
        }
    };
    println!("backup written to {} {how}", to.display());
    println!("{summary}");
    Ok(ExitCode::SUCCESS)
}

pub async fn restore(from: &Path, data_dir: &Path, force: bool) -> anyhow::Result<ExitCode> {
    let (from_owned, dir) = (from.to_path_buf(), data_dir.to_path_buf());
    let summary = tokio::task::spawn_blocking(move || backup::restore(&from_owned, &dir, force))
        .await
        .context("restore task")?
        .with_context(|| format!("restoring {} into {}", from.display(), data_dir.display()))?;
    println!(
        "restored {} into {}: {summary}",
        from.display(),
        data_dir.display()
    );
    Ok(ExitCode::SUCCESS)
}
