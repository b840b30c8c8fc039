//! Envelopes seen lately, by envelope id, so the same envelope on two connections (or again
//! after a reconnect) is applied once and every copy gets the same acknowledgement.
//!
//! In memory and bounded: the durable guard is the engine's de-duplication by event id,
//! trigger id and message identity, which survives restarts. This set only makes a copy
//! that arrives while the first is still being applied wait for it, instead of racing it,
//! and lets a late copy be acknowledged with the first one's answer (a slash command's
//! reply) rather than an empty one.

use serde_json::Value;
use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use tokio::sync::watch;

/// How far one envelope got.
#[derive(Debug, Clone, PartialEq)]
pub enum Progress {
    Running,
    /// Applied and on disk; the answer to put in every ack of it.
    Done(Option<Value>),
    /// Not applied; the envelope is forgotten so a redelivery tries again.
    Failed,
}

/// What to do with an envelope that just arrived.
#[derive(Debug)]
pub enum Claim {
    /// First sight: apply it, then [`Ticket::finish`].
    New(Ticket),
    /// Another copy is being applied: wait for its outcome.
    Running(watch::Receiver<Progress>),
    /// Applied before: acknowledge with the same answer.
    Done(Option<Value>),
}

#[derive(Debug, Default)]
struct Inner {
    by_id: HashMap<String, watch::Sender<Progress>>,
    /// Ids in arrival order, for eviction.
    order: VecDeque<String>,
}

/// The recent envelopes. Cheap to clone; all clones share one set.
#[derive(Debug, Clone)]
pub struct Recent {
    inner: Arc<Mutex<Inner>>,
    capacity: usize,
}

impl Recent {
    pub fn new(capacity: usize) -> Self {
        Recent {
            inner: Arc::default(),
            capacity: capacity.max(1),
        }
    }

    pub fn claim(&self, id: &str) -> Claim {
        let mut inner = self.lock();
        if let Some(progress) = inner.by_id.get(id) {
            return match &*progress.borrow() {
                Progress::Done(answer) => Claim::Done(answer.clone()),
                _ => Claim::Running(progress.subscribe()),
            };
        }
        let (tx, _) = watch::channel(Progress::Running);
        inner.by_id.insert(id.to_string(), tx);
        inner.order.push_back(id.to_string());
        // Forget the oldest finished envelopes; running ones stay (they are few: the
        // connections bound how many run at once).
        let mut looked = 0;
        while inner.by_id.len() > self.capacity && looked < inner.order.len() {
            looked += 1;
            let Some(oldest) = inner.order.pop_front() else {
                break;
            };
            let running = inner
                .by_id
                .get(&oldest)
                .is_some_and(|p| *p.borrow() == Progress::Running);
            if running {
                inner.order.push_back(oldest);
            } else {
                inner.by_id.remove(&oldest);
            }
        }
        Claim::New(Ticket {
            recent: self.clone(),
            id: id.to_string(),
            finished: false,
        })
    }

    fn finish(&self, id: &str, progress: Progress) {
        let mut inner = self.lock();
        let failed = progress == Progress::Failed;
        if let Some(tx) = inner.by_id.get(id) {
            tx.send_replace(progress);
        }
        if failed {
            inner.by_id.remove(id);
            inner.order.retain(|i| i != id);
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.lock().by_id.len()
    }
}

/// The right to apply one envelope. Dropped unfinished (the task was cancelled), it counts as
/// failed, so a redelivery is applied rather than waiting forever.
#[derive(Debug)]
pub struct Ticket {
    recent: Recent,
    id: String,
    finished: bool,
}

impl Ticket {
    /// `Some(answer)` once applied; `None` when it failed.
    pub fn finish(mut self, answer: Option<Option<Value>>) {
        self.finished = true;
        let progress = match answer {
            Some(a) => Progress::Done(a),
            None => Progress::Failed,
        };
        self.recent.finish(&self.id, progress);
    }
}

impl Drop for Ticket {
    fn drop(&mut self) {
        if !self.finished {
            self.recent.finish(&self.id, Progress::Failed);
        }
    }
}

/// Waits for another copy's outcome: `Some(answer)` when it was applied, `None` when it
/// failed (then this copy is not acknowledged either; Slack delivers it again).
pub async fn outcome(mut rx: watch::Receiver<Progress>) -> Option<Option<Value>> {
    let seen = rx.wait_for(|p| *p != Progress::Running).await;
    match seen.as_deref() {
        Ok(Progress::Done(answer)) => Some(answer.clone()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[tokio::test]
    async fn a_second_copy_waits_for_the_first_and_gets_its_answer() {
        let recent = Recent::new(10);
        let Claim::New(ticket) = recent.claim("e1") else {
            panic!("first sight")
        };
        let Claim::Running(rx) = recent.claim("e1") else {
            panic!("a copy while running")
        };
        let waiting = tokio::spawn(outcome(rx));
        ticket.finish(Some(Some(json!({"text": "hi"}))));
        assert_eq!(waiting.await.unwrap(), Some(Some(json!({"text": "hi"}))));
        assert!(matches!(recent.claim("e1"), Claim::Done(Some(_))));
    }

    #[tokio::test]
    async fn a_failed_envelope_is_forgotten_and_its_waiting_copy_is_not_acknowledged() {
        let recent = Recent::new(10);
        let Claim::New(ticket) = recent.claim("e1") else {
            panic!()
        };
        let Claim::Running(rx) = recent.claim("e1") else {
            panic!()
        };
        drop(ticket);
        assert_eq!(outcome(rx).await, None);
        assert!(matches!(recent.claim("e1"), Claim::New(_)));
    }

    #[test]
    fn the_set_is_bounded_and_keeps_what_is_still_running() {
        let recent = Recent::new(3);
        let Claim::New(running) = recent.claim("keep") else {
            panic!()
        };
        for i in 0..10 {
            if let Claim::New(t) = recent.claim(&format!("e{i}")) {
                t.finish(Some(None));
            }
        }
        assert!(recent.len() <= 3, "{}", recent.len());
        assert!(matches!(recent.claim("keep"), Claim::Running(_)));
        assert!(matches!(recent.claim("e9"), Claim::Done(None)));
        assert!(matches!(recent.claim("e0"), Claim::New(_)));
        running.finish(Some(None));
    }
}
