//! `frontdesk outbox list|retry`.

use anyhow::bail;
use frontdesk::store::{OutboxItem, Store};
use std::process::ExitCode;

fn line(item: &OutboxItem) -> String {
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

pub fn list(store: &Store) -> anyhow::Result<ExitCode> {
    let pending = store.outbox_items()?;
    let dead = store.dead_letters()?;
    println!("pending ({}):", pending.len());
    for i in &pending {
        println!("  {}", line(i));
    }
    println!("dead letters ({}):", dead.len());
    for i in &dead {
        println!("  {}", line(i));
    }
    Ok(ExitCode::SUCCESS)
}

pub fn retry(store: &Store, id: u64) -> anyhow::Result<ExitCode> {
    if !store.retry_dead_letter(id, chrono::Utc::now())? {
        bail!("no dead letter with id {id} (`frontdesk outbox list` shows them)");
    }
    store.flush()?;
    println!("dead letter {id} is back in the outbox; the server delivers it on its next pass");
    Ok(ExitCode::SUCCESS)
}
