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

pub(super) fn a_committed_step_is_readable<F: Factory>(f: &mut F) {
    let s = f.create();
    let u1 = user("U1");
    let session = draft_session();
    let mut survey = request("HR", 4, "U1", Status::Closed);
    survey.survey.state = SurveyState::AwaitingRating;
    let requests = [
        request("IT", 1, "U1", Status::Open),
        request("IT", 2, "U2", Status::Claimed),
        request("IT", 3, "U1", Status::Closed),
        survey,
    ];
    let mut w = step(&requests);
    w.session = Some((&u1, &session));
    w.outbox = vec![card(1)];
    let outbox_ids = applied(s.commit_step(w).unwrap());
    assert_eq!(outbox_ids.len(), 1);

    assert_eq!(
        s.request(&RequestId::new("IT", 2)).unwrap(),
        Some(requests[1].clone())
    );
    assert_eq!(s.request(&RequestId::new("IT", 9)).unwrap(), None);
    assert_eq!(s.session(&u1).unwrap(), session);
    assert_eq!(s.session(&user("U2")).unwrap(), Session::default());
    assert_eq!(s.active_drafts(), 1);
    assert_eq!(s.request_count(), 4);
    assert_eq!(
        (s.next_number("IT").unwrap(), s.next_number("HR").unwrap()),
        (4, 5)
    );
    assert_eq!(s.next_number("FAC").unwrap(), 1);
    // Oldest first; the closed request whose survey waits needs attention too.
    assert_eq!(
        names(&s.requests_needing_attention(&u1).unwrap()),
        ["IT-1", "HR-4"]
    );
    assert_eq!(
        names(&s.requests_of_user(&u1, None).unwrap()),
        ["IT-1", "IT-3", "HR-4"]
    );
    assert_eq!(
        names(&s.requests_of_user(&u1, Some(Status::Closed)).unwrap()),
        ["IT-3", "HR-4"]
    );
    assert_eq!(
        sorted(&s.requests_with_status(Status::Claimed).unwrap()),
        ["IT-2"]
    );
    assert_eq!(s.count_with_status(Status::Closed).unwrap(), 2);
    let by_department = s.count_by_department(Status::Closed).unwrap();
    assert_eq!(
        by_department.into_iter().collect::<Vec<_>>(),
        [("hr".to_string(), 1), ("it".to_string(), 1)]
    );
    let all = s.all_requests().collect::<Result<Vec<_>, _>>().unwrap();
    assert_eq!(sorted(&all), ["HR-4", "IT-1", "IT-2", "IT-3"]);
    assert_eq!(
        s.outbox_item(outbox_ids[0]).unwrap().unwrap().outgoing,
        card(1).1
    );

    // A request that changes status leaves its old status's listings.
    let mut claimed = requests[0].clone();
    claimed.status = Status::Claimed;
    claimed.record(t(1), Some(&user("A1")), Event::Claimed);
    applied(s.commit_step(step(std::slice::from_ref(&claimed))).unwrap());
    assert_eq!(s.count_with_status(Status::Open).unwrap(), 0);
    assert_eq!(
        sorted(&s.requests_with_status(Status::Claimed).unwrap()),
        ["IT-1", "IT-2"]
    );
    assert_eq!(s.request(&claimed.id).unwrap(), Some(claimed));
    // An empty session is removed.
    let empty = Session::default();
    let mut w = step(&[]);
    w.session = Some((&u1, &empty));
    applied(s.commit_step(w).unwrap());
    assert_eq!(s.active_drafts(), 0);
}

pub(super) fn a_duplicate_event_id_is_skipped<F: Factory>(f: &mut F) {
    let s = f.create();
    let first = [request("IT", 1, "U1", Status::Open)];
    let mut w = step(&first);
    w.dedup = Vec::leak(vec!["slack:Ev1".to_string()]);
    applied(s.commit_step(w).unwrap());
    assert!(s.seen("slack:Ev1").unwrap());
    assert!(!s.seen("slack:Ev2").unwrap());

    let second = [request("IT", 2, "U1", Status::Open)];
    let timers = [Timer {
        at: t(1),
        kind: TimerKind::DraftExpiry { user: user("U1") },
    }];
    let mut w = step(&second);
    w.dedup = Vec::leak(vec!["slack:Ev1".to_string()]);
    w.schedule = &timers;
    w.outbox = vec![card(2)];
    assert_eq!(s.commit_step(w).unwrap(), CommitOutcome::Duplicate);
    assert_eq!(s.request(&RequestId::new("IT", 2)).unwrap(), None);
    assert_eq!(s.request_count(), 1);
    assert_eq!(
        (s.timer_count(), s.outbox_len()),
        (0, 0),
        "a duplicate writes nothing"
    );
    assert_eq!(s.next_number("IT").unwrap(), 2);

    // Pruned ids are forgotten: only those first seen before the cutoff.
    let mut w = step(&[]);
    w.dedup = Vec::leak(vec!["slack:Ev3".to_string()]);
    w.now = t(5);
    applied(s.commit_step(w).unwrap());
    assert_eq!(s.prune_seen(t(2)).unwrap(), 1);
    assert!(!s.seen("slack:Ev1").unwrap());
    assert!(s.seen("slack:Ev3").unwrap());
    let mut w = step(&[]);
    w.dedup = Vec::leak(vec!["slack:Ev1".to_string()]);
    applied(s.commit_step(w).unwrap());
}

pub(super) fn a_fired_timer_cannot_fire_again<F: Factory>(f: &mut F) {
    let s = f.create();
    let timers = [
        Timer {
            at: t(1),
            kind: TimerKind::DraftExpiry { user: user("U1") },
        },
        Timer {
            at: t(2),
            kind: TimerKind::DraftExpiry { user: user("U2") },
        },
    ];
    let mut w = step(&[]);
    w.schedule = &timers;
    applied(s.commit_step(w).unwrap());
    let (id, timer) = s.next_timer().unwrap().unwrap();
    assert_eq!(timer, timers[0]);

    // The step a timer causes commits with its removal.
    let requests = [request("IT", 1, "U1", Status::Open)];
    let mut w = step(&requests);
    w.fired_timer = Some(&id);
    w.outbox = vec![card(1)];
    applied(s.commit_step(w).unwrap());
    assert_eq!(s.timer_count(), 1);
    assert!(s
        .timers_for_owner(&timers[0].kind.owner())
        .unwrap()
        .is_empty());

    // Firing it again writes nothing.
    let again = [request("IT", 2, "U1", Status::Open)];
    let mut w = step(&again);
    w.fired_timer = Some(&id);
    w.outbox = vec![card(2)];
    assert_eq!(s.commit_step(w).unwrap(), CommitOutcome::TimerGone);
    assert_eq!((s.request_count(), s.outbox_len()), (1, 1));
    let due: Vec<Timer> = s
        .due_timers(t(9), 10)
        .unwrap()
        .into_iter()
        .map(|(_, t)| t)
        .collect();
    assert_eq!(due, timers[1..]);
}

pub(super) fn timers_are_due_in_order_and_cancel_filters_pick_by_owner_and_kind<F: Factory>(
    f: &mut F,
) {
    let s = f.create();
    let it1 = RequestId::new("IT", 1);
    let it2 = RequestId::new("IT", 2);
    let first_response = |request: &RequestId, h| Timer {
        at: t(h),
        kind: TimerKind::FirstResponse {
            request: request.clone(),
            round: 0,
        },
    };
    let survey = |request: &RequestId, h| Timer {
        at: t(h),
        kind: TimerKind::SurveyReminder {
            request: request.clone(),
        },
    };
    let timers = [
        first_response(&it1, 5),
        survey(&it1, 2),
        first_response(&it2, 3),
        Timer {
            at: t(4),
            kind: TimerKind::DraftExpiry { user: user("U9") },
        },
    ];
    let mut w = step(&[]);
    w.schedule = &timers;
    applied(s.commit_step(w).unwrap());
    assert_eq!(s.timer_count(), 4);
    assert_eq!(s.next_timer().unwrap().unwrap().1, timers[1]);
    let due_at = |now, limit| -> Vec<Timer> {
        s.due_timers(now, limit)
            .unwrap()
            .into_iter()
            .map(|(_, t)| t)
            .collect()
    };
    assert_eq!(
        due_at(t(4), 10),
        [timers[1].clone(), timers[2].clone(), timers[3].clone()]
    );
    assert_eq!(
        due_at(t(9), 2),
        timers[1..3],
        "the limit caps a burst, earliest first"
    );
    assert!(due_at(t(1), 10).is_empty());
    assert_eq!(s.due_timer_count(t(3)).unwrap(), 2);

    let cancel = [TimerFilter::FirstResponse(it1.clone())];
    let mut w = step(&[]);
    w.cancel = &cancel;
    applied(s.commit_step(w).unwrap());
    let owned: Vec<Timer> = s
        .timers_for_owner(&format!("req:{it1}"))
        .unwrap()
        .into_iter()
        .map(|(_, t)| t)
        .collect();
    assert_eq!(
        owned,
        [timers[1].clone()],
        "only IT-1's first-response timer went"
    );
    assert_eq!(s.timer_count(), 3);

    let cancel = [
        TimerFilter::AllFor(it2.clone()),
        TimerFilter::Draft(user("U9")),
    ];
    let mut w = step(&[]);
    w.cancel = &cancel;
    applied(s.commit_step(w).unwrap());
    assert_eq!(due_at(t(9), 10), [timers[1].clone()]);
}

pub(super) fn the_outbox_offers_lane_heads_in_due_order<F: Factory>(f: &mut F) {
    let s = f.create();
    let mut w = step(&[]);
    w.outbox = vec![card(1), card(1), card(2), card(1), card(3)];
    let ids = applied(s.commit_step(w).unwrap());
    assert!(ids.windows(2).all(|p| p[0] < p[1]), "ids grow: {ids:?}");
    assert_eq!(s.outbox_len(), 5);
    let due_ids = |now, limit, skip: &dyn Fn(u64) -> bool| -> Vec<u64> {
        let (items, _) = s.due_outbox(now, limit, skip).unwrap();
        items.into_iter().map(|i| i.id).collect()
    };
    // Only each lane's first message is offered.
    assert_eq!(due_ids(t(0), 10, &|_| false), [ids[0], ids[2], ids[4]]);
    assert_eq!(due_ids(t(0), 2, &|_| false), [ids[0], ids[2]]);
    assert_eq!(due_ids(t(0), 10, &|id| id == ids[2]), [ids[0], ids[4]]);

    // Lane 1's head waits for a retry: lane 1 waits, the others go first, and the wait is
    // what the worker sleeps until.
    let mut head = s.outbox_item(ids[0]).unwrap().unwrap();
    head.attempts = 1;
    head.next_attempt_at = t(2);
    s.update_outbox(&head).unwrap();
    assert_eq!(due_ids(t(0), 10, &|_| false), [ids[2], ids[4]]);
    s.record_delivery(ids[2], None, &[]).unwrap();
    s.record_delivery(ids[4], None, &[]).unwrap();
    assert_eq!(s.next_outbox(t(0)).unwrap(), (None, Some(t(2))));
    assert_eq!(s.next_outbox(t(2)).unwrap().0.map(|i| i.id), Some(ids[0]));

    // Due longest first across lanes, whatever the ids.
    let mut w = step(&[]);
    w.outbox = vec![card(4)];
    let later = applied(s.commit_step(w).unwrap());
    assert_eq!(due_ids(t(3), 10, &|_| false), [later[0], ids[0]]);
    let mut postponed = s.outbox_item(later[0]).unwrap().unwrap();
    postponed.next_attempt_at = t(5);
    s.update_outbox(&postponed).unwrap();
    assert_eq!(due_ids(t(5), 10, &|_| false), [ids[0], later[0]]);

    // A delivered head hands its lane on to the next message, in order.
    s.record_delivery(ids[0], None, &[]).unwrap();
    assert_eq!(due_ids(t(5), 10, &|_| false), [ids[1], later[0]]);
    s.record_delivery(ids[1], None, &[]).unwrap();
    assert_eq!(due_ids(t(5), 10, &|_| false), [ids[3], later[0]]);
    assert_eq!(s.outbox_len(), 2);
}

pub(super) fn retry_state_persists<F: Factory>(f: &mut F) {
    let s = f.create();
    let mut w = step(&[]);
    w.outbox = vec![card(1)];
    let ids = applied(s.commit_step(w).unwrap());
    let fresh = s.outbox_item(ids[0]).unwrap().unwrap();
    assert_eq!(
        (fresh.attempts, fresh.next_attempt_at, fresh.created_at),
        (0, t(0), t(0))
    );
    assert_eq!((fresh.last_error.clone(), fresh.sending), (None, false));
    let retried = OutboxItem {
        attempts: 3,
        next_attempt_at: t(4),
        last_error: Some("chat.update: ratelimited".into()),
        sending: true,
        ..fresh
    };
    s.update_outbox(&retried).unwrap();
    assert_eq!(s.outbox_item(ids[0]).unwrap().as_ref(), Some(&retried));
    assert_eq!(s.outbox_items().unwrap(), std::slice::from_ref(&retried));
    s.flush().unwrap();
    let s = f.reopen(s);
    assert_eq!(s.outbox_item(ids[0]).unwrap(), Some(retried.clone()));
    assert_eq!(s.next_outbox(t(0)).unwrap(), (None, Some(t(4))));
    // An item no longer in the outbox is not brought back by a late update.
    s.record_delivery(ids[0], None, &[]).unwrap();
    s.update_outbox(&retried).unwrap();
    assert_eq!(s.outbox_item(ids[0]).unwrap(), None);
    assert_eq!(s.outbox_len(), 0);
}

pub(super) fn dead_letters_keep_their_item_and_can_be_retried<F: Factory>(f: &mut F) {
    let s = f.create();
    let mut w = step(&[]);
    w.outbox = vec![card(1), card(1)];
    let ids = applied(s.commit_step(w).unwrap());
    let mut item = s.outbox_item(ids[0]).unwrap().unwrap();
    item.attempts = 9;
    item.last_error = Some("chat.postMessage: channel_not_found".into());
    s.dead_letter(&item).unwrap();
    assert_eq!((s.outbox_len(), s.dead_letter_len()), (1, 1));
    assert_eq!(s.dead_letters().unwrap(), [item.clone()]);
    assert_eq!(s.outbox_item(ids[0]).unwrap(), None);
    // Its lane goes on without it.
    assert_eq!(s.next_outbox(t(0)).unwrap().0.map(|i| i.id), Some(ids[1]));

    assert!(!s.retry_dead_letter(ids[1] + 1000, t(2)).unwrap());
    assert!(s.retry_dead_letter(ids[0], t(2)).unwrap());
    assert_eq!((s.outbox_len(), s.dead_letter_len()), (2, 0));
    let revived = s.outbox_item(ids[0]).unwrap().unwrap();
    assert_eq!((revived.attempts, revived.next_attempt_at), (0, t(2)));
    assert_eq!(revived.outgoing, item.outgoing);
    // It keeps its id, so it goes before the later message of its lane again.
    assert_eq!(s.next_outbox(t(2)).unwrap().0.map(|i| i.id), Some(ids[0]));
    assert!(!s.retry_dead_letter(ids[0], t(2)).unwrap(), "retried once");
}

pub(super) fn a_delivery_records_the_card_and_the_posts_that_point_at_requests<F: Factory>(
    f: &mut F,
) {
    let s = f.create();
    let r = request("IT", 1, "U1", Status::Open);
    let mut w = step(std::slice::from_ref(&r));
    w.outbox = vec![(
        Platform::Slack,
        Outgoing::PostCard {
            request: r.id.clone(),
        },
    )];
    let ids = applied(s.commit_step(w).unwrap());
    let card_post = PostRef::new(Platform::Slack, "C0IT", "1700.1");
    let dm_post = PostRef::new(Platform::Slack, "D1", "1700.2");
    s.record_delivery(
        ids[0],
        Some((&r.id, &card_post)),
        &[(dm_post.clone(), r.id.clone())],
    )
    .unwrap();
    assert_eq!(s.outbox_len(), 0);
    assert_eq!(
        s.request(&r.id).unwrap().unwrap().card,
        Some(card_post.clone())
    );
    assert_eq!(s.request_by_post(&card_post).unwrap(), Some(r.id.clone()));
    assert_eq!(s.request_by_post(&dm_post).unwrap(), Some(r.id.clone()));
    let elsewhere = PostRef::new(Platform::Slack, "C0IT", "1700.3");
    assert_eq!(s.request_by_post(&elsewhere).unwrap(), None);
    // A later step from a snapshot taken before the delivery keeps the card.
    let mut claimed = r.clone();
    claimed.status = Status::Claimed;
    applied(s.commit_step(step(&[claimed])).unwrap());
    assert_eq!(s.request(&r.id).unwrap().unwrap().card, Some(card_post));
}

pub(super) fn a_delivery_session_that_did_not_end_is_noticed_after_a_restart<F: Factory>(
    f: &mut F,
) {
    let s = f.create();
    let first = s.begin_delivery_session().unwrap();
    assert_eq!((first.suspect_below, first.unclean), (0, false));
    s.end_delivery_session().unwrap();
    let mut w = step(&[]);
    w.outbox = vec![card(1), card(2)];
    let waiting = applied(s.commit_step(w).unwrap());
    s.flush().unwrap();
    // A clean end: nothing is suspect.
    let s = f.reopen(s);
    let clean = s.begin_delivery_session().unwrap();
    assert_eq!((clean.suspect_below, clean.unclean), (0, false));
    // The process dies with the session running.
    let s = f.reopen(s);
    let unclean = s.begin_delivery_session().unwrap();
    assert!(unclean.unclean);
    assert!(
        waiting.iter().all(|id| *id < unclean.suspect_below),
        "{waiting:?} below {}",
        unclean.suspect_below
    );
    let mut w = step(&[]);
    w.outbox = vec![card(3)];
    let later = applied(s.commit_step(w).unwrap());
    assert!(
        later[0] >= unclean.suspect_below,
        "new items are not suspect"
    );
    // The watermark outlives a clean session: the suspects may still be waiting.
    s.end_delivery_session().unwrap();
    let s = f.reopen(s);
    let next = s.begin_delivery_session().unwrap();
    assert_eq!(
        (next.suspect_below, next.unclean),
        (unclean.suspect_below, false)
    );
}

pub(super) fn kv_round_trips_per_tree<F: Factory>(f: &mut F) {
    let s = f.create();
    assert_eq!(s.kv_get("refs", b"k").unwrap(), None);
    s.kv_put("refs", b"k\0\xff", b"v\n").unwrap();
    s.kv_put("other", b"k\0\xff", b"w").unwrap();
    assert_eq!(
        s.kv_get("refs", b"k\0\xff").unwrap().as_deref(),
        Some(&b"v\n"[..])
    );
    assert_eq!(
        s.kv_get("other", b"k\0\xff").unwrap().as_deref(),
        Some(&b"w"[..])
    );
    s.kv_put("refs", b"k\0\xff", b"v2").unwrap();
    assert_eq!(
        s.kv_get("refs", b"k\0\xff").unwrap().as_deref(),
        Some(&b"v2"[..])
    );
    s.kv_remove("refs", b"k\0\xff").unwrap();
    s.kv_remove("refs", b"never there").unwrap();
    assert_eq!(s.kv_get("refs", b"k\0\xff").unwrap(), None);
    assert_eq!(
        s.kv_get("other", b"k\0\xff").unwrap().as_deref(),
        Some(&b"w"[..])
    );
    s.flush().unwrap();
    let s = f.reopen(s);
    assert_eq!(
        s.kv_get("other", b"k\0\xff").unwrap().as_deref(),
        Some(&b"w"[..])
    );
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

pub(super) fn data_survives_reopening<F: Factory>(f: &mut F) {
    let s = f.create();
    let ids = fill(&s);
    s.flush().unwrap();
    let s = f.reopen(s);
    check_filled(&s, &ids);
    // Ids keep growing after a restart.
    let mut w = step(&[]);
    w.outbox = vec![card(9)];
    let later = applied(s.commit_step(w).unwrap());
    assert!(
        ids.iter().all(|id| *id < later[0]),
        "{ids:?} then {later:?}"
    );
    // A fired timer stays fired.
    let (timer, _) = s.next_timer().unwrap().unwrap();
    let mut w = step(&[]);
    w.fired_timer = Some(&timer);
    applied(s.commit_step(w).unwrap());
    s.flush().unwrap();
    let s = f.reopen(s);
    let mut w = step(&[]);
    w.fired_timer = Some(&timer);
    assert_eq!(s.commit_step(w).unwrap(), CommitOutcome::TimerGone);
}

pub(super) fn an_export_imports_into_an_equal_store<F: Factory>(f: &mut F) {
    let source = f.create();
    let ids = fill(&source);
    let export = source.export().unwrap();
    let copy = f.create();
    copy.import(export.clone()).unwrap();
    check_filled(&copy, &ids);
    assert_eq!(
        copy.schema_version().unwrap(),
        source.schema_version().unwrap()
    );
    // The copy is a whole store: it survives a restart.
    copy.flush().unwrap();
    let copy = f.reopen(copy);
    check_filled(&copy, &ids);
    // New ids never collide with copied ones.
    assert!(copy.generate_id().unwrap() >= export.id_floor);
    let mut w = step(&[]);
    w.outbox = vec![card(9)];
    let later = applied(copy.commit_step(w).unwrap());
    assert!(
        ids.iter().all(|id| *id < later[0]),
        "{ids:?} then {later:?}"
    );
    // An import never mixes two stores.
    assert!(
        copy.import(export).is_err(),
        "an import into a store with data"
    );
}

pub(super) fn every_history_line_is_audited_in_commit_order<F: Factory>(f: &mut F) {
    let s = f.create();
    let mut it1 = request("IT", 1, "U1", Status::Open);
    it1.record(t(1), Some(&user("U1")), Event::Created);
    applied(s.commit_step(step(std::slice::from_ref(&it1))).unwrap());
    let mut claimed = it1.clone();
    claimed.status = Status::Claimed;
    claimed.record(t(2), Some(&user("U9")), Event::Claimed);
    claimed.record(
        t(3),
        Some(&user("U9")),
        Event::AgentReplied {
            text: "secret words".into(),
        },
    );
    let note = AuditRecord {
        at: t(4),
        request: None,
        actor: None,
        event: "erasure".into(),
        detail: "user=slack:U1".into(),
    };
    applied(
        s.commit_step(StepWrite {
            requests: std::slice::from_ref(&claimed),
            audit: std::slice::from_ref(&note),
            ..StepWrite::at(t(4))
        })
        .unwrap(),
    );
    // Writing a request again without new history lines logs nothing.
    applied(s.commit_step(step(std::slice::from_ref(&claimed))).unwrap());
    let s = f.reopen(s);
    let entries: Vec<AuditEntry> = s.audit_entries().collect::<Result<_, _>>().unwrap();
    let seen: Vec<(u64, &str, &str, &str)> = entries
        .iter()
        .map(|e| {
            (
                e.seq,
                e.request.as_str(),
                e.actor.as_str(),
                e.event.as_str(),
            )
        })
        .collect();
    assert_eq!(
        seen,
        [
            (1, "IT-1", "slack:U1", "created"),
            (2, "IT-1", "slack:U9", "claimed"),
            (3, "IT-1", "slack:U9", "agent_replied"),
            (4, "", "", "erasure"),
        ]
    );
    for (i, e) in entries.iter().enumerate() {
        assert_eq!(e.hash, e.expected_hash(), "{e:?}");
        let prev = if i == 0 {
            super::audit::GENESIS
        } else {
            entries[i - 1].hash.as_str()
        };
        assert_eq!(e.prev, prev, "{e:?}");
        assert!(!serde_json::to_string(e).unwrap().contains("secret"));
    }
    assert_eq!(
        s.verify_audit().unwrap(),
        AuditReport {
            entries: 4,
            problem: None
        }
    );
}

/// The active requests' index: what the dashboard's queues read instead of the requests.
pub(super) fn active_requests_follow_every_step<F: Factory>(f: &mut F) {
    let s = f.create();
    let active = |s: &F::Store| -> Vec<(String, Status, Option<UserRef>)> {
        s.active_requests()
            .unwrap()
            .into_iter()
            .map(|a| (a.id.to_string(), a.status, a.assignee))
            .collect()
    };
    let mut it1 = request("IT", 1, "U1", Status::Open);
    let mut hr2 = request("HR", 2, "U2", Status::Open);
    let closed = request("IT", 3, "U1", Status::Closed);
    applied(
        s.commit_step(step(&[it1.clone(), hr2.clone(), closed]))
            .unwrap(),
    );
    assert_eq!(
        active(&s),
        [
            ("HR-2".to_string(), Status::Open, None),
            ("IT-1".to_string(), Status::Open, None)
        ]
    );
    // Claimed, then waiting on the requester: still active, with its assignee.
    it1.status = Status::Claimed;
    it1.assignee = Some(user("A1"));
    it1.first_response_at = Some(t(2));
    it1.record(t(2), Some(&user("A1")), Event::Claimed);
    applied(s.commit_step(step(std::slice::from_ref(&it1))).unwrap());
    assert_eq!(s.active_requests().unwrap()[1], ActiveRequest::from(&it1));
    it1.status = Status::Waiting;
    applied(s.commit_step(step(std::slice::from_ref(&it1))).unwrap());
    assert_eq!(active(&s)[1].1, Status::Waiting);
    // Closed and cancelled requests leave it; a reopened one comes back.
    it1.status = Status::Closed;
    it1.closed_at = Some(t(4));
    hr2.status = Status::Cancelled;
    applied(s.commit_step(step(&[it1.clone(), hr2])).unwrap());
    assert!(active(&s).is_empty());
    it1.status = Status::Open;
    it1.closed_at = None;
    applied(s.commit_step(step(std::slice::from_ref(&it1))).unwrap());
    assert_eq!(
        active(&s),
        [("IT-1".to_string(), Status::Open, Some(user("A1")))]
    );
    // A duplicate step changes nothing.
    let mut again = it1.clone();
    again.status = Status::Closed;
    let mut w = step(std::slice::from_ref(&it1));
    w.dedup = Vec::leak(vec!["slack:EvA".to_string()]);
    applied(s.commit_step(w).unwrap());
    let mut w = step(std::slice::from_ref(&again));
    w.dedup = Vec::leak(vec!["slack:EvA".to_string()]);
    assert_eq!(s.commit_step(w).unwrap(), CommitOutcome::Duplicate);
    s.flush().unwrap();
    let s = f.reopen(s);
    assert_eq!(s.active_requests().unwrap(), [ActiveRequest::from(&it1)]);
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
