//! The conformance suite: what every [`DeskStore`] backend must do, written against the
//! trait alone. Each case is a function generic over a [`Factory`]; [`sled_store`] runs
//! every case on sled's [`Store`]. A second backend adds its factory and one
//! `conformance_tests!` line.

use super::{
    ActiveRequest, AuditEntry, AuditRecord, AuditReport, CommitOutcome, DeskStore, OutboxItem,
    StepWrite, Store,
};
use crate::core::{
    Draft, Event, Outgoing, Platform, PostRef, Request, RequestId, Session, Status, Step,
    SurveyState, Timer, TimerFilter, TimerKind, Timestamp, UserRef,
};
use chrono::TimeZone;

mod outbox;
mod persistence;
mod steps;
use outbox::*;
use persistence::*;
use steps::*;

/// Stores of the backend under test.
pub(super) trait Factory {
    type Store: DeskStore;
    /// A new store that holds nothing.
    fn create(&mut self) -> Self::Store;
    /// Closes `store` and opens its data again, as a restart does. Writes flushed before
    /// must be there.
    fn reopen(&mut self, store: Self::Store) -> Self::Store;
}

pub(super) fn t(h: i64) -> Timestamp {
    chrono::Utc
        .timestamp_opt(1_800_000_000 + h * 3600, 0)
        .unwrap()
}

pub(super) fn user(id: &str) -> UserRef {
    UserRef::new(Platform::Slack, id)
}

pub(super) fn request(prefix: &str, n: u64, who: &str, status: Status) -> Request {
    Request {
        status,
        ..Request::new(
            RequestId::new(prefix, n),
            prefix.to_lowercase(),
            user(who),
            format!("request {n}"),
            t(n as i64),
        )
    }
}

fn step(requests: &[Request]) -> StepWrite<'_> {
    StepWrite {
        requests,
        ..StepWrite::at(t(0))
    }
}

/// A message into the card lane of request `IT-n`: one lane per request.
fn card(n: u64) -> (Platform, Outgoing) {
    let request = RequestId::new("IT", n);
    (Platform::Slack, Outgoing::UpdateCard { request })
}

fn applied(outcome: CommitOutcome) -> Vec<u64> {
    match outcome {
        CommitOutcome::Applied { outbox_ids } => outbox_ids,
        other => panic!("expected the step to apply, got {other:?}"),
    }
}

fn draft_session() -> Session {
    Session {
        draft: Some(Draft {
            started_at: t(0),
            last_activity: t(0),
            step: Step::ChooseDepartment,
            department: None,
            summary: None,
            summary_given: false,
            answers: vec![],
        }),
        pending_reply: None,
        capture: None,
        note_for: None,
    }
}

/// The requests' ids, in the order given.
fn names(requests: &[Request]) -> Vec<String> {
    requests.iter().map(|r| r.id.to_string()).collect()
}

/// The requests' ids, sorted: for listings whose order the trait leaves open.
fn sorted(requests: &[Request]) -> Vec<String> {
    let mut names = names(requests);
    names.sort();
    names
}

/// Steps of every kind, for the stores that must keep them.
fn fill<S: DeskStore>(s: &S) -> Vec<u64> {
    let u1 = user("U1");
    let session = draft_session();
    let requests = [
        request("IT", 1, "U1", Status::Open),
        request("HR", 7, "U2", Status::Closed),
    ];
    let timers = [Timer {
        at: t(3),
        kind: TimerKind::SurveyReminder {
            request: RequestId::new("HR", 7),
        },
    }];
    let mut w = step(&requests);
    w.dedup = Vec::leak(vec!["slack:Ev1".to_string()]);
    w.session = Some((&u1, &session));
    w.schedule = &timers;
    w.outbox = vec![card(1), card(1), card(7)];
    let ids = applied(s.commit_step(w).unwrap());
    let mut dead = s.outbox_item(ids[2]).unwrap().unwrap();
    dead.last_error = Some("gone".into());
    s.dead_letter(&dead).unwrap();
    s.kv_put("refs", b"k", b"v").unwrap();
    ids
}

/// Everything [`fill`] wrote, read back.
fn check_filled<S: DeskStore>(s: &S, ids: &[u64]) {
    assert_eq!(s.request_count(), 2);
    assert_eq!(
        s.request(&RequestId::new("HR", 7)).unwrap().unwrap().status,
        Status::Closed
    );
    assert_eq!(
        names(&s.requests_of_user(&user("U1"), None).unwrap()),
        ["IT-1"]
    );
    assert_eq!(s.count_with_status(Status::Open).unwrap(), 1);
    assert_eq!(
        s.active_requests().unwrap(),
        [ActiveRequest::from(&request("IT", 1, "U1", Status::Open))]
    );
    assert_eq!(
        (s.next_number("IT").unwrap(), s.next_number("HR").unwrap()),
        (2, 8)
    );
    assert_eq!(s.session(&user("U1")).unwrap(), draft_session());
    assert!(s.seen("slack:Ev1").unwrap());
    assert_eq!(s.timer_count(), 1);
    assert_eq!(s.due_timers(t(3), 10).unwrap().len(), 1);
    let mut pending: Vec<u64> = s.outbox_items().unwrap().iter().map(|i| i.id).collect();
    pending.sort_unstable();
    assert_eq!(pending, ids[..2]);
    assert_eq!(s.next_outbox(t(0)).unwrap().0.map(|i| i.id), Some(ids[0]));
    assert_eq!(
        s.dead_letters().unwrap()[0].last_error.as_deref(),
        Some("gone")
    );
    assert_eq!(s.kv_get("refs", b"k").unwrap().as_deref(), Some(&b"v"[..]));
}

/// One `#[test]` per case, each with a fresh factory from `$factory`.
macro_rules! conformance_tests {
    ($factory:expr) => {
        conformance_tests!($factory;
            a_committed_step_is_readable,
            a_duplicate_event_id_is_skipped,
            a_fired_timer_cannot_fire_again,
            timers_are_due_in_order_and_cancel_filters_pick_by_owner_and_kind,
            the_outbox_offers_lane_heads_in_due_order,
            retry_state_persists,
            dead_letters_keep_their_item_and_can_be_retried,
            a_delivery_records_the_card_and_the_posts_that_point_at_requests,
            a_delivery_session_that_did_not_end_is_noticed_after_a_restart,
            kv_round_trips_per_tree,
            data_survives_reopening,
            an_export_imports_into_an_equal_store,
            every_history_line_is_audited_in_commit_order,
            active_requests_follow_every_step,
        );
    };
    ($factory:expr; $($case:ident),* $(,)?) => {
        $(
            #[test]
            fn $case() {
                super::$case(&mut $factory);
            }
        )*
    };
}

/// sled: each store in its own directory of one temporary directory.
mod sled_store {
    use super::{Factory, Store};

    struct Sled {
        dir: tempfile::TempDir,
        stores: usize,
    }

    impl Sled {
        fn new() -> Sled {
            Sled {
                dir: tempfile::tempdir().unwrap(),
                stores: 0,
            }
        }
    }

    impl Factory for Sled {
        type Store = Store;

        fn create(&mut self) -> Store {
            self.stores += 1;
            Store::open(&self.dir.path().join(self.stores.to_string())).unwrap()
        }

        fn reopen(&mut self, store: Store) -> Store {
            let path = store.path().to_path_buf();
            // Returns once the directory's lock is free (see `lock::Release`).
            drop(store);
            Store::open(&path).unwrap()
        }
    }

    conformance_tests!(Sled::new());
}
