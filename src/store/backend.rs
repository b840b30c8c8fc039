//! [`DeskStore`]: everything the rest of frontdesk needs from storage, and nothing about how
//! a backend keeps it. sled's [`Store`] implements it here; a second backend (PostgreSQL, for
//! running on several machines) implements the same trait and runs the same conformance
//! suite (`conformance`, in tests).

use super::{
    ActiveRequest, AuditEntry, AuditReport, CommitOutcome, DeliverySession, Export, OutboxItem,
    Resealed, SnapshotError, StepWrite, Store, StoreError, TimerId, WeekFigures,
};
use crate::core::{PostRef, Request, RequestId, Session, Status, Timer, Timestamp, UserRef};
use std::collections::BTreeMap;

/// The desk's storage.
///
/// # What a backend guarantees
/// - **Atomic steps.** [`commit_step`](DeskStore::commit_step) writes a whole
///   [`StepWrite`] (requests and their indexes, the session, timers scheduled, cancelled and
///   fired, outbox items, the event id) or nothing of it, also across a crash. Readers never
///   see half a step.
/// - **Dedupe by event id.** A step whose [`StepWrite::dedup`] id was committed before writes
///   nothing and returns [`CommitOutcome::Duplicate`], until [`prune_seen`](DeskStore::prune_seen)
///   forgets the id.
/// - **Timers fire at most once.** A step with [`StepWrite::fired_timer`] removes that timer
///   in the same commit; if it is gone already (fired, cancelled) the step writes nothing and
///   returns [`CommitOutcome::TimerGone`]. [`TimerId`]s come only from the backend's own
///   timer queries.
/// - **Outbox items are never lost.** An item stays in the outbox until
///   [`record_delivery`](DeskStore::record_delivery) removes it or
///   [`dead_letter`](DeskStore::dead_letter) moves it to the dead letters, from where
///   [`retry_dead_letter`](DeskStore::retry_dead_letter) brings it back. Items of one
///   conversation lane are offered in id order, one at a time (only the lane's head is due).
///   Ids only grow, also across a restart and an export/import.
/// - **Request numbers are never reused**: [`next_number`](DeskStore::next_number) moves past
///   every committed request, also across a restart.
/// - **Flush means durable.** Writes may be buffered until [`flush`](DeskStore::flush)
///   returns; after that they survive a crash. The engine flushes once per batch of steps
///   and acknowledges nothing before.
/// - **A delivery session that did not end is noticed.**
///   [`begin_delivery_session`](DeskStore::begin_delivery_session) is durable when it
///   returns; the next begin without an
///   [`end_delivery_session`](DeskStore::end_delivery_session) between reports `unclean`
///   and a watermark above every item waiting then.
///
/// # Threads and errors
/// Steps and outbox changes are written by the engine's one writer thread, one at a time;
/// reads, and the adapters' key-value writes, come from any thread meanwhile and must see
/// whole steps only. Failures are [`StoreError`]s; a backend other than sled adds a variant
/// for its own errors, keeping them as the source.
pub trait DeskStore: Send + Sync + std::fmt::Debug {
    // ---- steps ----

    /// Writes one step atomically; see the trait's guarantees.
    ///
    /// # Errors
    /// Storage failure or a corrupt stored value; nothing is written then.
    fn commit_step(&self, write: StepWrite<'_>) -> Result<CommitOutcome, StoreError>;
    /// Whether a step with this event id was committed (and not pruned).
    fn seen(&self, event_id: &str) -> Result<bool, StoreError>;
    /// Forgets event ids first seen before `cutoff`; returns how many.
    fn prune_seen(&self, cutoff: Timestamp) -> Result<usize, StoreError>;
    /// Makes every write so far durable.
    fn flush(&self) -> Result<(), StoreError>;
    /// The stored data's schema version; reading it is also a cheap health check.
    fn schema_version(&self) -> Result<Option<u32>, StoreError>;
    /// A number never handed out before by this store, larger than every earlier one.
    fn generate_id(&self) -> Result<u64, StoreError>;

    // ---- requests and sessions ----

    fn request(&self, id: &RequestId) -> Result<Option<Request>, StoreError>;
    /// The number the next request with this prefix gets.
    fn next_number(&self, prefix: &str) -> Result<u64, StoreError>;
    /// The user's requests that need attention by [`crate::core::needs_attention`].
    fn requests_needing_attention(&self, user: &UserRef) -> Result<Vec<Request>, StoreError>;
    /// The user's requests, optionally of one status, oldest first.
    fn requests_of_user(
        &self,
        user: &UserRef,
        status: Option<Status>,
    ) -> Result<Vec<Request>, StoreError>;
    fn requests_with_status(&self, status: Status) -> Result<Vec<Request>, StoreError>;
    fn count_with_status(&self, status: Status) -> Result<usize, StoreError>;
    /// Every active request (open, claimed, waiting on the requester) as
    /// [`ActiveRequest`], by request key, kept up to date with every step: what the
    /// dashboard's queues and open counts read instead of the requests.
    fn active_requests(&self) -> Result<Vec<ActiveRequest>, StoreError>;
    /// How many requests of this status each department has.
    fn count_by_department(&self, status: Status) -> Result<BTreeMap<String, u64>, StoreError>;
    /// The requests numbered with `prefix` filed at or after `since`, oldest first; reads
    /// only those (see [`Store::visit_requests_filed_since`]).
    fn requests_filed_since(
        &self,
        prefix: &str,
        since: Timestamp,
    ) -> Result<Vec<Request>, StoreError>;
    /// One department's [`WeekFigures`] for the weeks from Monday `from` to Monday `to`,
    /// kept up to date with every write (see [`Store::weekly_figures`]).
    fn weekly_figures(
        &self,
        department: &str,
        from: chrono::NaiveDate,
        to: chrono::NaiveDate,
    ) -> Result<Vec<(chrono::NaiveDate, WeekFigures)>, StoreError>;
    /// [`DeskStore::requests_filed_since`] one at a time, holding none of them.
    fn visit_requests_filed_since(
        &self,
        prefix: &str,
        since: Timestamp,
        visit: &mut dyn FnMut(Request),
    ) -> Result<(), StoreError>;
    /// Every request, streamed (a store may hold millions).
    fn all_requests(&self) -> Box<dyn Iterator<Item = Result<Request, StoreError>> + '_>;
    fn request_count(&self) -> usize;
    /// The request a platform message belongs to (its card, or a message linked to it by
    /// [`record_delivery`](DeskStore::record_delivery)).
    fn request_by_post(&self, post: &PostRef) -> Result<Option<RequestId>, StoreError>;
    /// The user's session; empty when none is stored.
    fn session(&self, user: &UserRef) -> Result<Session, StoreError>;
    /// How many users have a non-empty session.
    fn active_drafts(&self) -> usize;

    // ---- timers ----

    /// The earliest pending timer.
    fn next_timer(&self) -> Result<Option<(TimerId, Timer)>, StoreError>;
    /// Timers due at or before `now`, earliest first, at most `limit`.
    fn due_timers(&self, now: Timestamp, limit: usize)
        -> Result<Vec<(TimerId, Timer)>, StoreError>;
    fn due_timer_count(&self, now: Timestamp) -> Result<usize, StoreError>;
    fn timer_count(&self) -> usize;
    /// The pending timers of one owner ([`crate::core::TimerKind::owner`]).
    fn timers_for_owner(&self, owner: &str) -> Result<Vec<(TimerId, Timer)>, StoreError>;

    // ---- outbox ----

    fn outbox_items(&self) -> Result<Vec<OutboxItem>, StoreError>;
    fn outbox_item(&self, id: u64) -> Result<Option<OutboxItem>, StoreError>;
    fn outbox_len(&self) -> usize;
    /// The next item to deliver at `now`, or when the next one falls due.
    fn next_outbox(
        &self,
        now: Timestamp,
    ) -> Result<(Option<OutboxItem>, Option<Timestamp>), StoreError>;
    /// Up to `limit` lane heads due at `now`, due longest first, passing over those `skip`
    /// names; or, when none is due, when the next one not passed over falls due.
    fn due_outbox(
        &self,
        now: Timestamp,
        limit: usize,
        skip: &dyn Fn(u64) -> bool,
    ) -> Result<(Vec<OutboxItem>, Option<Timestamp>), StoreError>;
    /// Stores an item's retry state (attempts, next attempt, last error, sending), if the
    /// item is still in the outbox.
    fn update_outbox(&self, item: &OutboxItem) -> Result<(), StoreError>;
    /// Removes a delivered item, storing the card reference and the messages linked to
    /// requests that the delivery produced.
    fn record_delivery(
        &self,
        outbox_id: u64,
        card: Option<(&RequestId, &PostRef)>,
        links: &[(PostRef, RequestId)],
    ) -> Result<(), StoreError>;
    /// Removes delivered items that left nothing else to record, as
    /// [`record_delivery`](DeskStore::record_delivery) with no card and no links does for
    /// one; items already gone are passed over. A backend whose writes cost per transaction
    /// does them in one; the default removes them one by one.
    ///
    /// # Errors
    /// Storage failure or a corrupt stored value.
    fn record_deliveries(&self, ids: &[u64]) -> Result<(), StoreError> {
        for &id in ids {
            self.record_delivery(id, None, &[])?;
        }
        Ok(())
    }
    /// Moves an item to the dead letters.
    fn dead_letter(&self, item: &OutboxItem) -> Result<(), StoreError>;
    fn dead_letters(&self) -> Result<Vec<OutboxItem>, StoreError>;
    fn dead_letter_len(&self) -> usize;
    /// Puts a dead letter back for delivery at `now`; false when there is none with `id`.
    fn retry_dead_letter(&self, id: u64, now: Timestamp) -> Result<bool, StoreError>;
    /// Starts a delivery session; see the trait's guarantees.
    fn begin_delivery_session(&self) -> Result<DeliverySession, StoreError>;
    fn end_delivery_session(&self) -> Result<(), StoreError>;

    // ---- adapters' key-value space ----

    fn kv_get(&self, tree: &str, key: &[u8]) -> Result<Option<Vec<u8>>, StoreError>;
    fn kv_put(&self, tree: &str, key: &[u8], value: &[u8]) -> Result<(), StoreError>;
    fn kv_remove(&self, tree: &str, key: &[u8]) -> Result<(), StoreError>;

    // ---- the audit log ----

    /// Every entry, oldest first. A step's new history lines are appended in the step's
    /// commit, each entry carrying the hash of the one before (see [`AuditEntry`]).
    fn audit_entries(&self) -> Box<dyn Iterator<Item = Result<AuditEntry, StoreError>> + '_>;
    /// Walks the chain; reports the first entry changed, removed or reordered.
    fn verify_audit(&self) -> Result<AuditReport, StoreError>;

    // ---- encryption at rest ----

    /// Seals every stored value holding people's words under the current key (see
    /// [`super::Keys`]); values sealed under an older accepted key move to the current one.
    fn reseal(&self) -> Result<Resealed, StoreError>;

    // ---- backups ----

    /// Copies everything at one instant. Consistent only if nothing writes meanwhile (the
    /// engine runs it on its writer thread). The copy is named trees of key/value pairs,
    /// which the backup file stores as they are: their contents are the backend's own
    /// layout, read back only by the same backend.
    fn export(&self) -> Result<Export, SnapshotError>;
    /// Writes an export of a store of the same backend into this one, which must hold
    /// nothing yet, moving the id generator past [`Export::id_floor`].
    fn import(&self, export: Export) -> Result<(), SnapshotError>;
}

impl DeskStore for Store {
    fn commit_step(&self, write: StepWrite<'_>) -> Result<CommitOutcome, StoreError> {
        Store::commit_step(self, write)
    }
    fn seen(&self, event_id: &str) -> Result<bool, StoreError> {
        Store::seen(self, event_id)
    }
    fn prune_seen(&self, cutoff: Timestamp) -> Result<usize, StoreError> {
        Store::prune_seen(self, cutoff)
    }
    fn flush(&self) -> Result<(), StoreError> {
        Store::flush(self)
    }
    fn schema_version(&self) -> Result<Option<u32>, StoreError> {
        Store::schema_version(self)
    }
    fn generate_id(&self) -> Result<u64, StoreError> {
        Store::generate_id(self)
    }

    fn request(&self, id: &RequestId) -> Result<Option<Request>, StoreError> {
        Store::request(self, id)
    }
    fn next_number(&self, prefix: &str) -> Result<u64, StoreError> {
        Store::next_number(self, prefix)
    }
    fn requests_needing_attention(&self, user: &UserRef) -> Result<Vec<Request>, StoreError> {
        Store::requests_needing_attention(self, user)
    }
    fn requests_of_user(
        &self,
        user: &UserRef,
        status: Option<Status>,
    ) -> Result<Vec<Request>, StoreError> {
        Store::requests_of_user(self, user, status)
    }
    fn requests_with_status(&self, status: Status) -> Result<Vec<Request>, StoreError> {
        Store::requests_with_status(self, status)
    }
    fn count_with_status(&self, status: Status) -> Result<usize, StoreError> {
        Store::count_with_status(self, status)
    }
    fn active_requests(&self) -> Result<Vec<ActiveRequest>, StoreError> {
        Store::active_requests(self)
    }
    fn count_by_department(&self, status: Status) -> Result<BTreeMap<String, u64>, StoreError> {
        Store::count_by_department(self, status)
    }
    fn requests_filed_since(
        &self,
        prefix: &str,
        since: Timestamp,
    ) -> Result<Vec<Request>, StoreError> {
        Store::requests_filed_since(self, prefix, since)
    }
    fn weekly_figures(
        &self,
        department: &str,
        from: chrono::NaiveDate,
        to: chrono::NaiveDate,
    ) -> Result<Vec<(chrono::NaiveDate, WeekFigures)>, StoreError> {
        Store::weekly_figures(self, department, from, to)
    }
    fn visit_requests_filed_since(
        &self,
        prefix: &str,
        since: Timestamp,
        visit: &mut dyn FnMut(Request),
    ) -> Result<(), StoreError> {
        Store::visit_requests_filed_since(self, prefix, since, visit)
    }
    fn all_requests(&self) -> Box<dyn Iterator<Item = Result<Request, StoreError>> + '_> {
        Box::new(Store::all_requests(self))
    }
    fn request_count(&self) -> usize {
        Store::request_count(self)
    }
    fn request_by_post(&self, post: &PostRef) -> Result<Option<RequestId>, StoreError> {
        Store::request_by_post(self, post)
    }
    fn session(&self, user: &UserRef) -> Result<Session, StoreError> {
        Store::session(self, user)
    }
    fn active_drafts(&self) -> usize {
        Store::active_drafts(self)
    }

    fn next_timer(&self) -> Result<Option<(TimerId, Timer)>, StoreError> {
        Store::next_timer(self)
    }
    fn due_timers(
        &self,
        now: Timestamp,
        limit: usize,
    ) -> Result<Vec<(TimerId, Timer)>, StoreError> {
        Store::due_timers(self, now, limit)
    }
    fn due_timer_count(&self, now: Timestamp) -> Result<usize, StoreError> {
        Store::due_timer_count(self, now)
    }
    fn timer_count(&self) -> usize {
        Store::timer_count(self)
    }
    fn timers_for_owner(&self, owner: &str) -> Result<Vec<(TimerId, Timer)>, StoreError> {
        Store::timers_for_owner(self, owner)
    }

    fn outbox_items(&self) -> Result<Vec<OutboxItem>, StoreError> {
        Store::outbox_items(self)
    }
    fn outbox_item(&self, id: u64) -> Result<Option<OutboxItem>, StoreError> {
        Store::outbox_item(self, id)
    }
    fn outbox_len(&self) -> usize {
        Store::outbox_len(self)
    }
    fn next_outbox(
        &self,
        now: Timestamp,
    ) -> Result<(Option<OutboxItem>, Option<Timestamp>), StoreError> {
        Store::next_outbox(self, now)
    }
    fn due_outbox(
        &self,
        now: Timestamp,
        limit: usize,
        skip: &dyn Fn(u64) -> bool,
    ) -> Result<(Vec<OutboxItem>, Option<Timestamp>), StoreError> {
        Store::due_outbox(self, now, limit, skip)
    }
    fn update_outbox(&self, item: &OutboxItem) -> Result<(), StoreError> {
        Store::update_outbox(self, item)
    }
    fn record_delivery(
        &self,
        outbox_id: u64,
        card: Option<(&RequestId, &PostRef)>,
        links: &[(PostRef, RequestId)],
    ) -> Result<(), StoreError> {
        Store::record_delivery(self, outbox_id, card, links)
    }
    fn record_deliveries(&self, ids: &[u64]) -> Result<(), StoreError> {
        Store::record_deliveries(self, ids)
    }
    fn dead_letter(&self, item: &OutboxItem) -> Result<(), StoreError> {
        Store::dead_letter(self, item)
    }
    fn dead_letters(&self) -> Result<Vec<OutboxItem>, StoreError> {
        Store::dead_letters(self)
    }
    fn dead_letter_len(&self) -> usize {
        Store::dead_letter_len(self)
    }
    fn retry_dead_letter(&self, id: u64, now: Timestamp) -> Result<bool, StoreError> {
        Store::retry_dead_letter(self, id, now)
    }
    fn begin_delivery_session(&self) -> Result<DeliverySession, StoreError> {
        Store::begin_delivery_session(self)
    }
    fn end_delivery_session(&self) -> Result<(), StoreError> {
        Store::end_delivery_session(self)
    }

    fn kv_get(&self, tree: &str, key: &[u8]) -> Result<Option<Vec<u8>>, StoreError> {
        Store::kv_get(self, tree, key)
    }
    fn kv_put(&self, tree: &str, key: &[u8], value: &[u8]) -> Result<(), StoreError> {
        Store::kv_put(self, tree, key, value)
    }
    fn kv_remove(&self, tree: &str, key: &[u8]) -> Result<(), StoreError> {
        Store::kv_remove(self, tree, key)
    }

    fn audit_entries(&self) -> Box<dyn Iterator<Item = Result<AuditEntry, StoreError>> + '_> {
        Box::new(Store::audit_entries(self))
    }
    fn verify_audit(&self) -> Result<AuditReport, StoreError> {
        Store::verify_audit(self)
    }

    fn reseal(&self) -> Result<Resealed, StoreError> {
        Store::reseal(self)
    }

    fn export(&self) -> Result<Export, SnapshotError> {
        Store::export(self)
    }
    fn import(&self, export: Export) -> Result<(), SnapshotError> {
        Store::import(self, export)
    }
}
