//! Recording plain deliveries (no card, no links: most DMs) in shared transactions.
//!
//! Each outcome goes through the engine's writer and is acknowledged after the batch's
//! flush, as before; what changes is that the deliveries waiting when the writer reaches the
//! first of them are removed from the outbox in one change
//! ([`DeskStore::record_deliveries`]): one record of the change and one planning pass under
//! the index lock, instead of one per delivery.

use crate::engine::{Engine, EngineError};
use crate::store::{DeskStore, StoreError};
use std::sync::{Arc, Mutex, PoisonError};

/// How a shared transaction went, for each delivery in it.
type Outcome = Arc<Mutex<Option<Result<(), String>>>>;

/// Deliveries to record, shared by the worker's tasks.
#[derive(Debug, Default)]
pub(super) struct Recorder {
    pending: Arc<Mutex<Vec<(u64, Outcome)>>>,
}

impl Recorder {
    /// Removes delivered item `id` from the outbox; returns once that is on disk.
    ///
    /// The item joins the pending ones, and a job goes to the writer. The first of these
    /// jobs to run records every delivery pending then; the others find theirs done. A job
    /// runs after every job submitted before it, so by the time this one runs its delivery
    /// has an outcome, and its answer comes after a flush that covers it.
    pub(super) async fn record(&self, engine: &Engine, id: u64) -> Result<(), EngineError> {
        let outcome: Outcome = Arc::default();
        lock(&self.pending).push((id, outcome.clone()));
        let pending = self.pending.clone();
        engine
            .write(move |store| {
                record_pending(store, &pending);
                match lock(&outcome).take() {
                    Some(Ok(())) => Ok(()),
                    Some(Err(message)) => Err(StoreError::Backend(message.into())),
                    // The job that took it panicked before it could say how it went.
                    None => Err(StoreError::Backend(
                        format!("recording the delivery of item {id} was cut short").into(),
                    )),
                }
            })
            .await?
            .map_err(EngineError::Store)
    }
}

/// Records every pending delivery in one transaction and tells each how it went.
fn record_pending(store: &dyn DeskStore, pending: &Mutex<Vec<(u64, Outcome)>>) {
    let batch = std::mem::take(&mut *lock(pending));
    if batch.is_empty() {
        return;
    }
    let ids: Vec<u64> = batch.iter().map(|(id, _)| *id).collect();
    let result = store
        .record_deliveries(&ids)
        .map_err(|e| crate::telemetry::chain(&e).to_string());
    for (_, outcome) in batch {
        *lock(&outcome) = Some(result.clone());
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    // Nothing is left half-changed under these locks: a push, a take, a store.
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::SystemClock;
    use crate::core::rules::fixtures::rules;
    use crate::core::{Message, Outgoing, Platform, Text, UserRef};
    use crate::store::{CommitOutcome, StepWrite, Store};

    // See: issue #10 (recording deliveries rides the engine's group commit)
    #[tokio::test]
    async fn deliveries_recorded_at_once_are_all_removed_and_each_caller_hears_so() {
        let dir = tempfile::tempdir().unwrap();
        let store: Arc<dyn DeskStore> = Arc::new(Store::open(dir.path()).unwrap());
        let engine = Engine::start(store.clone(), rules(), Arc::new(SystemClock));
        let now = engine.now();
        let dm = |to: &str| {
            (
                Platform::Slack,
                Outgoing::Dm {
                    to: UserRef::new(Platform::Slack, to),
                    msg: Message::text(Text::plain("hi")),
                    about: None,
                },
            )
        };
        let write = StepWrite {
            outbox: (0..20).map(|i| dm(&format!("U{i}"))).collect(),
            ..StepWrite::at(now)
        };
        let CommitOutcome::Applied { outbox_ids } = store.commit_step(write).unwrap() else {
            panic!("nothing was written")
        };
        let recorder = Arc::new(Recorder::default());
        let calls = outbox_ids.iter().map(|&id| {
            let (recorder, engine) = (recorder.clone(), engine.clone());
            tokio::spawn(async move { recorder.record(&engine, id).await })
        });
        for call in futures::future::join_all(calls).await {
            call.unwrap().unwrap();
        }
        assert_eq!(store.outbox_len(), 0);
        assert!(lock(&recorder.pending).is_empty());
        // An item gone already is no error.
        recorder.record(&engine, outbox_ids[0]).await.unwrap();
        engine.close();
    }
}
