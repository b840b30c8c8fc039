//! The store's writes. Each is one all-or-nothing change over the trees it touches (see
//! `atomic`); the caller flushes (the engine does it once per batch: group commit).

use super::atomic::ChangeTree;
use super::audit::{self, AuditRecord};
use super::keys;
use super::packed::{Packed, Plan};
use super::seal::Content;
use super::{decode, encode, OutboxItem, Store, StoreError, TimerId};
use crate::core::{
    Outgoing, Platform, PostRef, Request, RequestId, Session, Timer, TimerFilter, Timestamp,
    UserRef,
};
use sled::transaction::{abort, ConflictableTransactionError, TransactionError};

/// Everything one step of the desk writes.
#[derive(Debug)]
pub struct StepWrite<'a> {
    /// Ids the step is known by (a platform's event id, a message's identity): the step is
    /// skipped if any of them was already applied, and all of them are recorded with it.
    pub dedup: &'a [String],
    /// The timer that caused this step; the step is skipped if it is already gone.
    pub fired_timer: Option<&'a TimerId>,
    /// The acting user's new session.
    pub session: Option<(&'a UserRef, &'a Session)>,
    pub requests: &'a [Request],
    pub schedule: &'a [Timer],
    pub cancel: &'a [TimerFilter],
    pub outbox: Vec<(Platform, Outgoing)>,
    /// Audit entries beyond the requests' new history lines (which are logged anyway):
    /// what an erasure or retention did.
    pub audit: &'a [AuditRecord],
    pub now: Timestamp,
}

impl StepWrite<'_> {
    /// A step that writes nothing yet: fill in what it does with struct update syntax.
    pub fn at(now: Timestamp) -> Self {
        StepWrite {
            dedup: &[],
            fired_timer: None,
            session: None,
            requests: &[],
            schedule: &[],
            cancel: &[],
            outbox: Vec::new(),
            audit: &[],
            now,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CommitOutcome {
    Applied {
        outbox_ids: Vec<u64>,
    },
    /// The event id was seen before; nothing was written.
    Duplicate,
    /// The timer had already fired (or was cancelled); nothing was written.
    TimerGone,
}

pub(super) enum Skip {
    Duplicate,
    Corrupt(String),
}

type TxResult<T> = Result<T, ConflictableTransactionError<Skip>>;

pub(super) fn corrupt(e: StoreError) -> ConflictableTransactionError<Skip> {
    ConflictableTransactionError::Abort(Skip::Corrupt(e.to_string()))
}

// Indexes into the tree slice of a step transaction.
const REQUESTS: usize = 0;
const COUNTERS: usize = 1;
const SESSIONS: usize = 2;
const BY_REQUESTER: usize = 3;
const BY_STATUS: usize = 4;
const TIMERS: usize = 5;
const TIMER_OWNERS: usize = 6;
const OUTBOX: usize = 7;
const SEEN: usize = 8;
const META: usize = 9;
const OUTBOX_QUEUE: usize = 10;
const OUTBOX_BY_LANE: usize = 11;
const AUDIT: usize = 12;
const WEEKLY: usize = 13;
const ACTIVE: usize = 14;

impl Store {
    /// Writes one step atomically.
    ///
    /// # Errors
    /// Storage failure or a corrupt stored value; nothing is written then.
    pub fn commit_step(&self, w: StepWrite<'_>) -> Result<CommitOutcome, StoreError> {
        // The indexes are packed maps: their changes are planned before the change that
        // writes them, under the lock that keeps other index writes (and the readers that
        // need several keys to agree) out until it is applied.
        let _writing = self.lock_indexes();
        let requests = self.plan_requests(w.requests)?;
        let mut timers = self.timers.edit();
        let mut owners = self.timer_owners.edit();
        if let Some(id) = w.fired_timer {
            let key = id.key();
            let Some(v) = timers.remove(key)? else {
                return Ok(CommitOutcome::TimerGone);
            };
            let timer: Timer = decode("timers", &v)?;
            owners.remove(&keys::timer_owner_key(&timer.kind.owner(), key))?;
        }
        for filter in w.cancel {
            let owner = filter.owner();
            for (key, timer) in self.owner_timers(&owner, true)? {
                if filter.matches(&timer.kind) {
                    timers.remove(&key)?;
                    owners.remove(&keys::timer_owner_key(&owner, &key))?;
                }
            }
        }
        for t in w.schedule {
            let key = keys::timer_key(t.at, self.generate_id()?);
            timers.insert(&key, encode(t))?;
            owners.insert(
                &keys::timer_owner_key(&t.kind.owner(), &key),
                t.kind.name().as_bytes().to_vec(),
            )?;
        }
        let (timers, owners) = (timers.finish(), owners.finish());
        let mut items = Vec::with_capacity(w.outbox.len());
        for (platform, outgoing) in w.outbox {
            items.push(OutboxItem {
                id: self.generate_id()?,
                platform,
                outgoing,
                created_at: w.now,
                attempts: 0,
                next_attempt_at: w.now,
                last_error: None,
                sending: false,
            });
        }
        let new_items = self.plan_new_outbox_items(&items)?;
        let audit_records: Vec<AuditRecord> =
            requests.audit.iter().chain(w.audit).cloned().collect();
        let trees = [
            self.requests.tree().clone(),
            self.counters.clone(),
            self.sessions.clone(),
            self.by_requester.tree().clone(),
            self.by_status.tree().clone(),
            self.timers.tree().clone(),
            self.timer_owners.tree().clone(),
            self.outbox.clone(),
            self.seen.clone(),
            self.meta.clone(),
            self.outbox_queue.clone(),
            self.outbox_by_lane.clone(),
            self.audit.clone(),
            self.weekly.clone(),
            self.active.clone(),
        ];
        let result = self
            .changes
            .apply(&trees, |t: &[ChangeTree<'_>]| -> TxResult<()> {
                for id in w.dedup {
                    if t[SEEN].get(keys::seen_key(id))?.is_some() {
                        return abort(Skip::Duplicate);
                    }
                }
                for id in w.dedup {
                    t[SEEN].insert(keys::seen_key(id), &keys::time_bytes(w.now))?;
                }
                if let Some((user, session)) = w.session {
                    if session.is_empty() {
                        t[SESSIONS].remove(keys::user_key(user))?;
                    } else {
                        t[SESSIONS].insert(
                            keys::user_key(user),
                            self.encode_content(Content::Session, session),
                        )?;
                    }
                }
                for id in &requests.new {
                    advance_counter(&t[COUNTERS], id)?;
                }
                requests.records.apply(&t[REQUESTS], &t[META])?;
                requests.by_status.apply(&t[BY_STATUS], &t[META])?;
                requests.by_requester.apply(&t[BY_REQUESTER], &t[META])?;
                requests.figures.apply(&t[WEEKLY], corrupt)?;
                requests.active.apply(&t[ACTIVE])?;
                timers.apply(&t[TIMERS], &t[META])?;
                owners.apply(&t[TIMER_OWNERS], &t[META])?;
                for item in &items {
                    t[OUTBOX].insert(
                        &keys::outbox_key(item.id),
                        self.encode_content(Content::OutboxItem, item),
                    )?;
                }
                for k in &new_items.queue {
                    t[OUTBOX_QUEUE].insert(k.as_slice(), &[])?;
                }
                for k in &new_items.by_lane {
                    t[OUTBOX_BY_LANE].insert(k.as_slice(), &[])?;
                }
                super::outbox::add_to_outbox_len(&t[META], items.len() as i64)?;
                audit::append(&t[AUDIT], &t[META], &audit_records)?;
                Ok(())
            });
        match result {
            Ok(()) => Ok(CommitOutcome::Applied {
                outbox_ids: items.iter().map(|i| i.id).collect(),
            }),
            Err(TransactionError::Abort(Skip::Duplicate)) => Ok(CommitOutcome::Duplicate),
            Err(TransactionError::Abort(Skip::Corrupt(message))) => Err(StoreError::Corrupt {
                tree: "requests",
                message,
            }),
            Err(TransactionError::Storage(e)) => Err(e.into()),
        }
    }

    pub(super) fn lock_indexes(&self) -> std::sync::RwLockWriteGuard<'_, ()> {
        // A panic while it was held left nothing half-written: a change's writes are
        // gathered first and applied after its closure returned.
        self.index_lock
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    pub(super) fn read_indexes(&self) -> std::sync::RwLockReadGuard<'_, ()> {
        self.index_lock
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Writes one planned index change on its own (migrations).
    pub(super) fn commit_plan(&self, packed: &Packed, plan: &Plan) -> Result<(), StoreError> {
        let trees = [packed.tree().clone(), self.meta.clone()];
        let result = self
            .changes
            .apply(&trees, |t: &[ChangeTree<'_>]| -> TxResult<()> {
                plan.apply(&t[0], &t[1])
            });
        tx_result(result)
    }

    /// Marks an outbox item delivered and records what the platform gave back: the card's
    /// reference, and messages that a reply may later point at.
    pub fn record_delivery(
        &self,
        outbox_id: u64,
        card: Option<(&RequestId, &PostRef)>,
        links: &[(PostRef, RequestId)],
    ) -> Result<(), StoreError> {
        let _writing = self.lock_indexes();
        let mut records = self.requests.edit();
        let mut by_post = self.by_post.edit();
        if let Some((id, post)) = card {
            let key = keys::request_key(id);
            if let Some(v) = records.get(&key)? {
                let mut r: Request = self.decode_content("requests", Content::Request, &v)?;
                r.card = Some(post.clone());
                records.insert(&key, self.encode_content(Content::Request, &r))?;
            }
        }
        for (id, post) in card.into_iter().chain(links.iter().map(|(p, id)| (id, p))) {
            by_post.insert(&keys::post_key(post), id.to_string().into_bytes())?;
        }
        let (records, by_post) = (records.finish(), by_post.finish());
        let removal = self.plan_outbox_removal(outbox_id)?;
        let trees = [
            self.outbox.clone(),
            self.requests.tree().clone(),
            self.by_post.tree().clone(),
            self.meta.clone(),
            self.outbox_queue.clone(),
            self.outbox_by_lane.clone(),
        ];
        let result = self
            .changes
            .apply(&trees, |t: &[ChangeTree<'_>]| -> TxResult<()> {
                if let Some(removal) = &removal {
                    removal.apply(&t[0], &t[4], &t[5])?;
                    super::outbox::add_to_outbox_len(&t[3], -1)?;
                }
                records.apply(&t[1], &t[3])?;
                by_post.apply(&t[2], &t[3])?;
                Ok(())
            });
        tx_result(result)
    }
}

pub(super) fn tx_result<T>(result: Result<T, TransactionError<Skip>>) -> Result<T, StoreError> {
    match result {
        Ok(v) => Ok(v),
        Err(TransactionError::Abort(Skip::Corrupt(message))) => Err(StoreError::Corrupt {
            tree: "outbox",
            message,
        }),
        Err(TransactionError::Abort(_)) => unreachable!("only step commits skip"),
        Err(TransactionError::Storage(e)) => Err(e.into()),
    }
}

/// A request's number is never handed out twice: the department counter moves past it.
fn advance_counter(counters: &ChangeTree<'_>, id: &RequestId) -> TxResult<()> {
    let prefix = keys::counter_key(id.prefix());
    let current = counters
        .get(prefix)?
        .and_then(|v| v.as_ref().try_into().ok().map(u64::from_be_bytes))
        .unwrap_or(0);
    if id.number() <= current {
        return Err(corrupt(StoreError::CounterMismatch {
            prefix: id.prefix().to_string(),
            found: current,
            wanted: id.number(),
        }));
    }
    counters.insert(prefix, &id.number().to_be_bytes())?;
    Ok(())
}

/// The planned writes of a step's requests: records and indexes.
struct RequestPlans<'a> {
    records: Plan,
    by_status: Plan,
    by_requester: Plan,
    figures: super::figures::FigureChanges,
    active: super::active::ActiveChanges,
    /// Requests stored for the first time.
    new: Vec<&'a RequestId>,
    /// The history lines the step added, for the audit log.
    audit: Vec<AuditRecord>,
}

impl Store {
    /// Plans the writes of a step's requests; the caller holds the index lock.
    fn plan_requests<'a>(&self, requests: &'a [Request]) -> Result<RequestPlans<'a>, StoreError> {
        let mut records = self.requests.edit();
        let mut by_status = self.by_status.edit();
        let mut by_requester = self.by_requester.edit();
        let mut figures = super::figures::FigureChanges::default();
        let mut active = super::active::ActiveChanges::default();
        let mut new = Vec::new();
        let mut audit = Vec::new();
        for original in requests {
            let key = keys::request_key(&original.id);
            // Read through the edit: a step may carry the same request twice, and the later
            // copy replaces the earlier one.
            let old: Option<Request> = match records.get(&key)? {
                Some(v) => Some(self.decode_content("requests", Content::Request, &v)?),
                None => None,
            };
            let known = old.as_ref().map_or(0, |o| o.history.len());
            audit.extend(
                original
                    .history
                    .iter()
                    .skip(known)
                    .map(|entry| AuditRecord::of_history(&original.id, entry)),
            );
            let mut request = original.clone();
            // The card reference is written by delivery, which the step's snapshot may predate.
            if request.card.is_none() {
                request.card = old.as_ref().and_then(|o| o.card.clone());
            }
            match &old {
                Some(old) => {
                    by_status.remove(&keys::by_status_key(old.status, &old.id))?;
                }
                None => new.push(&original.id),
            }
            // The department rides along so that counting by department reads only the index.
            by_status.insert(
                &keys::by_status_key(request.status, &request.id),
                request.department.as_bytes().to_vec(),
            )?;
            by_requester.insert(
                &keys::by_requester_key(&request.requester, &request.id),
                vec![
                    keys::status_byte(request.status),
                    keys::survey_byte(request.survey.state),
                ],
            )?;
            figures.change(old.as_ref(), &request);
            active.change(old.as_ref(), &request);
            records.insert(&key, self.encode_content(Content::Request, &request))?;
        }
        Ok(RequestPlans {
            records: records.finish(),
            by_status: by_status.finish(),
            by_requester: by_requester.finish(),
            figures,
            active,
            new,
            audit,
        })
    }
}
