use super::*;
use crate::core::{Message, Outgoing, SurveyState, TimerFilter, TimerKind};

// The same fixtures as the conformance suite.
use super::conformance::{request, t, user};

fn write<'a>(requests: &'a [Request]) -> StepWrite<'a> {
    StepWrite {
        requests,
        ..StepWrite::at(t(0))
    }
}

fn open() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    (dir, store)
}

#[test]
fn requests_round_trip_and_counters_advance_per_prefix() {
    let (_d, s) = open();
    assert_eq!(s.next_number("IT").unwrap(), 1);
    s.commit_step(write(&[request("IT", 1, "U1", Status::Open)]))
        .unwrap();
    s.commit_step(write(&[request("HR", 1, "U1", Status::Open)]))
        .unwrap();
    assert_eq!(s.next_number("IT").unwrap(), 2);
    assert_eq!(s.next_number("HR").unwrap(), 2);
    assert_eq!(
        s.request(&RequestId::new("IT", 1))
            .unwrap()
            .unwrap()
            .summary,
        "request 1"
    );
    assert!(s.request(&RequestId::new("IT", 2)).unwrap().is_none());
}

#[test]
fn a_number_below_the_counter_is_never_handed_out_again() {
    let (_d, s) = open();
    s.commit_step(write(&[request("IT", 5, "U1", Status::Open)]))
        .unwrap();
    assert_eq!(s.next_number("IT").unwrap(), 6);
    // IT-3 never existed, but 3 is below the counter: writing it as new is refused whole.
    let reqs = [request("IT", 3, "U1", Status::Open)];
    let mut w = write(&reqs);
    w.dedup = Vec::leak(vec!["ev-3".to_string()]);
    assert!(matches!(s.commit_step(w), Err(StoreError::Corrupt { .. })));
    assert!(s.request(&RequestId::new("IT", 3)).unwrap().is_none());
    assert!(
        !s.seen("ev-3").unwrap(),
        "nothing of a refused step is written"
    );
    assert_eq!(s.next_number("IT").unwrap(), 6);
}

#[test]
fn counters_survive_reopening_the_store() {
    let dir = tempfile::tempdir().unwrap();
    {
        let s = Store::open(dir.path()).unwrap();
        s.commit_step(write(&[request("IT", 1, "U1", Status::Open)]))
            .unwrap();
        s.flush().unwrap();
    }
    let s = Store::open(dir.path()).unwrap();
    assert_eq!(s.next_number("IT").unwrap(), 2);
    assert_eq!(s.schema_version().unwrap(), Some(SCHEMA_VERSION));
}

#[test]
fn a_store_from_a_newer_version_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    {
        let s = Store::open(dir.path()).unwrap();
        s.meta
            .insert("schema_version", &(SCHEMA_VERSION + 1).to_be_bytes())
            .unwrap();
        s.flush().unwrap();
    }
    match Store::open(dir.path()) {
        Err(StoreError::TooNew { found, .. }) => assert_eq!(found, SCHEMA_VERSION + 1),
        other => panic!("expected TooNew, got {other:?}"),
    }
}

#[test]
fn the_requester_index_finds_only_that_users_requests_by_status() {
    let (_d, s) = open();
    s.commit_step(write(&[
        request("IT", 1, "U1", Status::Open),
        request("IT", 2, "U2", Status::Open),
        request("IT", 3, "U1", Status::Closed),
    ]))
    .unwrap();
    let mine: Vec<_> = s
        .requests_of_user(&user("U1"), None)
        .unwrap()
        .into_iter()
        .map(|r| r.id.to_string())
        .collect();
    assert_eq!(mine, ["IT-1", "IT-3"]);
    let open: Vec<_> = s
        .requests_of_user(&user("U1"), Some(Status::Open))
        .unwrap()
        .into_iter()
        .map(|r| r.id.to_string())
        .collect();
    assert_eq!(open, ["IT-1"]);
    assert_eq!(s.count_with_status(Status::Open).unwrap(), 2);

    // A status change moves the request between index entries.
    let mut closed = s.request(&RequestId::new("IT", 1)).unwrap().unwrap();
    closed.status = Status::Closed;
    closed.survey.state = SurveyState::AwaitingRating;
    s.commit_step(write(&[closed])).unwrap();
    assert_eq!(s.count_with_status(Status::Open).unwrap(), 1);
    assert_eq!(s.count_with_status(Status::Closed).unwrap(), 2);
    assert!(s
        .requests_of_user(&user("U1"), Some(Status::Open))
        .unwrap()
        .is_empty());
    let attention: Vec<_> = s
        .requests_needing_attention(&user("U1"))
        .unwrap()
        .into_iter()
        .map(|r| r.id.to_string())
        .collect();
    assert_eq!(
        attention,
        ["IT-1"],
        "a closed request awaiting its survey still needs attention"
    );
}

#[test]
fn open_requests_are_counted_by_department_from_the_index() {
    let (_d, s) = open();
    s.commit_step(write(&[
        request("IT", 1, "U1", Status::Open),
        request("IT", 2, "U2", Status::Open),
        request("HR", 1, "U1", Status::Open),
        request("HR", 2, "U1", Status::Claimed),
    ]))
    .unwrap();
    assert_eq!(
        s.count_by_department(Status::Open).unwrap(),
        BTreeMap::from([("hr".to_string(), 1), ("it".to_string(), 2)])
    );
    assert_eq!(
        s.count_by_department(Status::Claimed).unwrap(),
        BTreeMap::from([("hr".to_string(), 1)])
    );
    assert!(s.count_by_department(Status::Closed).unwrap().is_empty());

    // An index entry without its department is counted through its request.
    let id = RequestId::new("HR", 2);
    let _writing = s.lock_indexes();
    let mut edit = s.by_status.edit();
    edit.insert(&keys::by_status_key(Status::Claimed, &id), vec![])
        .unwrap();
    s.commit_plan(&s.by_status, &edit.finish()).unwrap();
    drop(_writing);
    assert_eq!(
        s.count_by_department(Status::Claimed).unwrap(),
        BTreeMap::from([("hr".to_string(), 1)])
    );
}

#[test]
fn a_step_carrying_a_request_twice_indexes_only_its_last_status() {
    let (_d, s) = open();
    let opened = request("IT", 1, "U1", Status::Open);
    let mut claimed = opened.clone();
    claimed.status = Status::Claimed;
    s.commit_step(write(&[opened, claimed.clone()])).unwrap();
    assert_eq!(s.count_with_status(Status::Open).unwrap(), 0);
    assert_eq!(s.requests_with_status(Status::Claimed).unwrap(), [claimed]);
    assert_eq!(
        s.requests_of_user(&user("U1"), Some(Status::Open)).unwrap(),
        []
    );
}

#[test]
fn a_step_known_by_several_ids_is_a_duplicate_when_any_of_them_was_applied() {
    let (_d, s) = open();
    let first = ["slack:ev:Ev1".to_string(), "slack:msg:D1:1.1".to_string()];
    let mut w = write(&[]);
    w.dedup = &first;
    assert!(matches!(
        s.commit_step(w).unwrap(),
        CommitOutcome::Applied { .. }
    ));
    assert!(s.seen("slack:ev:Ev1").unwrap() && s.seen("slack:msg:D1:1.1").unwrap());
    // The same message again under a new event id: the message's identity catches it.
    let again = ["slack:ev:Ev2".to_string(), "slack:msg:D1:1.1".to_string()];
    let reqs = [request("IT", 1, "U1", Status::Open)];
    let mut w = write(&reqs);
    w.dedup = &again;
    assert_eq!(s.commit_step(w).unwrap(), CommitOutcome::Duplicate);
    assert!(
        !s.seen("slack:ev:Ev2").unwrap(),
        "a duplicate records nothing"
    );
    assert!(s.request(&RequestId::new("IT", 1)).unwrap().is_none());
}

fn survey_timer(n: u64, at: Timestamp) -> Timer {
    Timer {
        at,
        kind: TimerKind::SurveyReminder {
            request: RequestId::new("IT", n),
        },
    }
}

#[test]
fn many_timers_share_few_stored_keys_and_the_count_follows_them() {
    let (_d, s) = open();
    let timers: Vec<Timer> = (1..=2000).map(|n| survey_timer(n, t(n as i64))).collect();
    let mut w = write(&[]);
    w.schedule = &timers;
    s.commit_step(w).unwrap();
    assert_eq!(s.timer_count(), 2000);
    // sled's resident memory follows its key count: 2,000 reminders must not be 2,000 keys.
    assert!(
        s.timers.tree().len() <= 2000 / 16,
        "{} chunks",
        s.timers.tree().len()
    );
    assert!(s.timer_owners.tree().len() <= 2000 / 16);

    // Fire the first 500 one by one, as the scheduler does, and cancel every other one of
    // the rest by owner.
    for _ in 0..500 {
        let (key, _) = s.next_timer().unwrap().unwrap();
        let mut w = write(&[]);
        w.fired_timer = Some(&key);
        s.commit_step(w).unwrap();
    }
    let cancels: Vec<TimerFilter> = (501..=2000)
        .step_by(2)
        .map(|n| TimerFilter::AllFor(RequestId::new("IT", n)))
        .collect();
    let mut w = write(&[]);
    w.cancel = &cancels;
    s.commit_step(w).unwrap();
    assert_eq!(s.timer_count(), 750);
    assert_eq!(s.due_timer_count(t(3000)).unwrap(), 750);
    assert_eq!(
        s.due_timer_count(t(1000)).unwrap(),
        250,
        "502, 504, …, 1000"
    );
    let due = s.due_timers(t(3000), usize::MAX).unwrap();
    assert_eq!(due.len(), 750);
    assert_eq!(due[0].1, survey_timer(502, t(502)));
    assert!(due.windows(2).all(|w| w[0].0 < w[1].0), "due order");
    assert_eq!(s.timers_for_owner("req:IT-502").unwrap().len(), 1);
    assert!(s.timers_for_owner("req:IT-501").unwrap().is_empty());
    assert!(s.timers.tree().len() <= 750 / 8);
}

#[test]
fn a_version_1_store_gets_its_indexes_packed_on_open() {
    let dir = tempfile::tempdir().unwrap();
    let timers: Vec<Timer> = (1..=10).map(|n| survey_timer(n, t(n as i64))).collect();
    let open_request = request("IT", 1, "U1", Status::Open);
    let card = PostRef::new(Platform::Slack, "C1", "1.0001");
    {
        // The version-1 layout: one sled key per index entry.
        let db = sled::open(dir.path()).unwrap();
        let id = &open_request.id;
        db.open_tree("requests")
            .unwrap()
            .insert(keys::request_key(id), encode(&open_request))
            .unwrap();
        db.open_tree("by_status")
            .unwrap()
            .insert(keys::by_status_key(Status::Open, id), &[])
            .unwrap();
        db.open_tree("by_requester")
            .unwrap()
            .insert(keys::by_requester_key(&user("U1"), id), &[0, 0])
            .unwrap();
        db.open_tree("by_post")
            .unwrap()
            .insert(keys::post_key(&card), id.to_string().as_bytes())
            .unwrap();
        let old = db.open_tree("timers").unwrap();
        let owners = db.open_tree("timer_owners").unwrap();
        for (seq, timer) in timers.iter().enumerate() {
            let key = keys::timer_key(timer.at, seq as u64);
            old.insert(&key, encode(timer)).unwrap();
            owners
                .insert(
                    keys::timer_owner_key(&timer.kind.owner(), &key),
                    timer.kind.name(),
                )
                .unwrap();
        }
        // A conversion that crashed after its first batch of timers: it runs again whole.
        let done: Vec<packed::Entry> = (0..3)
            .map(|seq| {
                let timer = &timers[seq];
                (keys::timer_key(timer.at, seq as u64), encode(timer))
            })
            .collect();
        db.open_tree("timer_chunks")
            .unwrap()
            .insert(&done[0].0, packed::encode_chunk(&done))
            .unwrap();
        let meta = db.open_tree("meta").unwrap();
        meta.insert(packed::len_key("timer_chunks"), &3u64.to_be_bytes())
            .unwrap();
        meta.insert("schema_version", &1u32.to_be_bytes()).unwrap();
        db.flush().unwrap();
    }
    wait_unlocked(dir.path());
    let s = Store::open(dir.path()).unwrap();
    assert_eq!(s.schema_version().unwrap(), Some(SCHEMA_VERSION));
    assert_eq!(s.timer_count(), 10);
    let due: Vec<Timer> = s
        .due_timers(t(100), 100)
        .unwrap()
        .into_iter()
        .map(|(_, t)| t)
        .collect();
    assert_eq!(due, timers);
    assert_eq!(s.timers_for_owner("req:IT-3").unwrap().len(), 1);
    assert_eq!(
        s.requests_of_user(&user("U1"), Some(Status::Open)).unwrap(),
        std::slice::from_ref(&open_request)
    );
    assert_eq!(
        s.requests_with_status(Status::Open).unwrap(),
        std::slice::from_ref(&open_request)
    );
    assert_eq!(
        s.count_by_department(Status::Open).unwrap(),
        BTreeMap::from([("it".to_string(), 1)]),
        "the migration labels the status index with departments"
    );
    assert_eq!(s.request_by_post(&card).unwrap(), Some(open_request.id));
    for old in [
        "timers",
        "timer_owners",
        "by_status",
        "by_requester",
        "by_post",
    ] {
        assert!(
            !s.db
                .tree_names()
                .iter()
                .any(|n| n.as_ref() == old.as_bytes()),
            "{old} is still there"
        );
    }
    drop(s);
    // Opening again finds nothing left to lift.
    let s = Store::open(dir.path()).unwrap();
    assert_eq!(s.timer_count(), 10);
}

fn dm(to: &str, about: Option<&RequestId>) -> (Platform, Outgoing) {
    (
        Platform::Slack,
        Outgoing::Dm {
            to: user(to),
            msg: Message::text(crate::core::Text::plain("hi")),
            about: about.cloned(),
        },
    )
}

fn next_id(s: &Store, now: Timestamp) -> Option<u64> {
    s.next_outbox(now).unwrap().0.map(|item| item.id)
}

// See: issue #10 (deliveries finished together are recorded in one transaction)
#[test]
fn deliveries_recorded_together_each_let_their_conversations_next_message_go() {
    let (_d, s) = open();
    let mut w = write(&[]);
    w.outbox = vec![
        dm("U1", None),
        dm("U1", None),
        dm("U2", None),
        dm("U3", None),
    ];
    let CommitOutcome::Applied { outbox_ids: ids } = s.commit_step(w).unwrap() else {
        panic!()
    };
    s.record_deliveries(&[ids[0], ids[2]]).unwrap();
    assert_eq!(s.outbox_len(), 2);
    let mut due: Vec<u64> = s
        .due_outbox(t(0), 10, |_| false)
        .unwrap()
        .0
        .iter()
        .map(|i| i.id)
        .collect();
    due.sort();
    assert_eq!(
        due,
        vec![ids[1], ids[3]],
        "U1's second message is its head now"
    );

    // An id already gone is passed over; two of one conversation are both removed.
    let mut w = write(&[]);
    w.outbox = vec![dm("U4", None), dm("U4", None)];
    let CommitOutcome::Applied { outbox_ids: more } = s.commit_step(w).unwrap() else {
        panic!()
    };
    s.record_deliveries(&[ids[1], ids[0], more[0], more[1], ids[3]])
        .unwrap();
    assert_eq!(s.outbox_len(), 0);
    assert_eq!(s.outbox_queue.len(), 0);
    assert_eq!(s.outbox_by_lane.len(), 0);
    s.record_deliveries(&[]).unwrap();
}

#[test]
fn a_conversations_next_message_moves_up_when_the_one_before_is_delivered_or_given_up() {
    let (_d, s) = open();
    let a = RequestId::new("IT", 1);
    let b = RequestId::new("IT", 2);
    let mut w = write(&[]);
    w.outbox = vec![
        dm("U1", Some(&a)),
        dm("U1", Some(&a)),
        dm("U1", Some(&a)),
        dm("U2", Some(&b)),
        dm("U3", None),
    ];
    let CommitOutcome::Applied { outbox_ids: ids } = s.commit_step(w).unwrap() else {
        panic!()
    };
    // Only each conversation's first message may go.
    assert_eq!(s.outbox_queue.len(), 3);
    assert_eq!(next_id(&s, t(0)), Some(ids[0]));
    s.record_delivery(ids[0], None, &[]).unwrap();
    assert_eq!(next_id(&s, t(0)), Some(ids[1]));

    // U1's second message is given up on: the third goes next; the others wait their turn
    // by due time.
    let second = s.outbox_item(ids[1]).unwrap().unwrap();
    s.dead_letter(&second).unwrap();
    assert_eq!(next_id(&s, t(0)), Some(ids[2]));

    // Retried, the given-up message goes before the third again.
    assert!(s.retry_dead_letter(ids[1], t(0)).unwrap());
    assert!(
        !s.retry_dead_letter(ids[1], t(0)).unwrap(),
        "it is no dead letter now"
    );
    let mut order = Vec::new();
    while let Some(id) = next_id(&s, t(0)) {
        order.push(id);
        s.record_delivery(id, None, &[]).unwrap();
    }
    let position = |id| order.iter().position(|x| *x == id).unwrap();
    assert!(position(ids[1]) < position(ids[2]), "{order:?}");
    assert_eq!(order.len(), 4);
    assert_eq!(s.outbox_len(), 0);
    assert_eq!(s.outbox_queue.len(), 0);
    assert_eq!(s.outbox_by_lane.len(), 0);
}

/// Drops a sled handle opened without the store and waits until sled lets go of the
/// directory's lock, as dropping a [`Store`] does, so the next open finds it free.
fn close_bare(db: sled::Db, dir: &std::path::Path) {
    drop(db);
    wait_unlocked(dir);
}

/// Waits until no sled handle holds the lock on `dir`.
fn wait_unlocked(dir: &std::path::Path) {
    assert!(
        super::lock::wait_released(dir, std::time::Duration::from_secs(5)),
        "sled kept the lock on {}",
        dir.display()
    );
}

/// A store of an older `version` whose outbox holds `items` (ids 10, 11, …), written with
/// sled directly, and nothing else.
fn old_store_with_outbox<const N: usize>(
    dir: &std::path::Path,
    items: [(Platform, Outgoing); N],
    version: u32,
) -> sled::Db {
    let db = sled::open(dir).unwrap();
    let outbox = db.open_tree("outbox").unwrap();
    for (i, (platform, outgoing)) in items.into_iter().enumerate() {
        let item = OutboxItem {
            id: 10 + i as u64,
            platform,
            outgoing,
            created_at: t(0),
            attempts: 0,
            next_attempt_at: t(0),
            last_error: None,
            sending: false,
        };
        outbox.insert(item.id.to_be_bytes(), encode(&item)).unwrap();
    }
    db.open_tree("meta")
        .unwrap()
        .insert("schema_version", &version.to_be_bytes())
        .unwrap();
    db.flush().unwrap();
    db
}

#[test]
fn a_version_1_outbox_gets_its_queue_on_open() {
    let dir = tempfile::tempdir().unwrap();
    let a = RequestId::new("IT", 1);
    let items = [dm("U1", Some(&a)), dm("U1", Some(&a)), dm("U2", None)];
    close_bare(old_store_with_outbox(dir.path(), items, 1), dir.path());
    let s = Store::open(dir.path()).unwrap();
    let mut order = Vec::new();
    while let Some(id) = next_id(&s, t(0)) {
        order.push(id);
        s.record_delivery(id, None, &[]).unwrap();
    }
    assert_eq!(order, [10, 11, 12]);
}

#[test]
fn a_card_and_its_thread_share_a_lane_and_the_requesters_dms_go_beside_it() {
    let (_d, s) = open();
    let a = RequestId::new("IT", 1);
    let mut w = write(&[]);
    w.outbox = vec![
        (Platform::Slack, Outgoing::PostCard { request: a.clone() }),
        dm("U1", Some(&a)),
        (
            Platform::Slack,
            Outgoing::ThreadPost {
                request: a.clone(),
                msg: Message::text(crate::core::Text::plain("hi")),
            },
        ),
        dm("U1", None),
    ];
    let CommitOutcome::Applied { outbox_ids: ids } = s.commit_step(w).unwrap() else {
        panic!()
    };
    // The card and the first DM may go at once; the thread post waits for the card and the
    // second DM for the first.
    let (due, _) = s.due_outbox(t(0), 10, |_| false).unwrap();
    assert_eq!(
        due.iter().map(|i| i.id).collect::<Vec<_>>(),
        vec![ids[0], ids[1]]
    );
    // With the card in flight, only the DM is offered.
    let (due, _) = s.due_outbox(t(0), 10, |id| id == ids[0]).unwrap();
    assert_eq!(due.iter().map(|i| i.id).collect::<Vec<_>>(), vec![ids[1]]);
    s.record_delivery(ids[0], None, &[]).unwrap();
    s.record_delivery(ids[1], None, &[]).unwrap();
    let (due, _) = s.due_outbox(t(0), 1, |_| false).unwrap();
    assert_eq!(due.len(), 1, "the limit holds");
    let (due, _) = s.due_outbox(t(0), 10, |_| false).unwrap();
    assert_eq!(
        due.iter().map(|i| i.id).collect::<Vec<_>>(),
        vec![ids[2], ids[3]]
    );
}

#[test]
fn a_delivery_marked_as_sending_stays_marked_until_it_is_recorded() {
    let (_d, s) = open();
    let mut w = write(&[]);
    w.outbox = vec![dm("U1", None)];
    let CommitOutcome::Applied { outbox_ids: ids } = s.commit_step(w).unwrap() else {
        panic!()
    };
    assert!(!s.outbox_item(ids[0]).unwrap().unwrap().sending);
    assert!(s.mark_sending(ids[0]).unwrap());
    let mut item = s.outbox_item(ids[0]).unwrap().unwrap();
    assert!(item.sending);
    // A retry keeps the mark: the failed attempt may have reached the platform.
    item.attempts = 1;
    s.update_outbox(&item).unwrap();
    assert!(s.outbox_item(ids[0]).unwrap().unwrap().sending);
    s.record_delivery(ids[0], None, &[]).unwrap();
    assert!(!s.mark_sending(ids[0]).unwrap(), "a delivered item is gone");
}

#[test]
fn a_version_2_outbox_is_reordered_by_conversation_on_open() {
    let dir = tempfile::tempdir().unwrap();
    let a = RequestId::new("IT", 1);
    // Version 2 queued only IT-1's first message; the DM about it goes to another
    // conversation than its card, so version 3 offers both.
    let items = [
        (Platform::Slack, Outgoing::PostCard { request: a.clone() }),
        dm("U1", Some(&a)),
    ];
    {
        let db = old_store_with_outbox(dir.path(), items, 2);
        db.open_tree("outbox_queue")
            .unwrap()
            .insert(keys::outbox_queue_key(t(0), 10), &[])
            .unwrap();
        db.open_tree("outbox_by_request")
            .unwrap()
            .insert(b"old", &[])
            .unwrap();
        db.flush().unwrap();
        close_bare(db, dir.path());
    }
    let s = Store::open(dir.path()).unwrap();
    assert_eq!(s.schema_version().unwrap(), Some(SCHEMA_VERSION));
    let (due, _) = s.due_outbox(t(0), 10, |_| false).unwrap();
    assert_eq!(due.iter().map(|i| i.id).collect::<Vec<_>>(), vec![10, 11]);
    assert!(!s
        .db
        .tree_names()
        .iter()
        .any(|n| n.as_ref() == b"outbox_by_request"));
}

#[test]
fn a_delivery_session_that_did_not_end_leaves_every_waiting_item_suspect() {
    let (_d, s) = open();
    assert_eq!(s.begin_delivery_session().unwrap().suspect_below, 0);
    let mut w = write(&[]);
    w.outbox = vec![dm("U1", None), dm("U2", None)];
    let CommitOutcome::Applied { outbox_ids: ids } = s.commit_step(w).unwrap() else {
        panic!()
    };
    // A clean end: the next session trusts the waiting items.
    s.end_delivery_session().unwrap();
    assert_eq!(s.begin_delivery_session().unwrap().suspect_below, 0);
    // No end (a crash): every item waiting now is below the watermark; later ones are not.
    let watermark = s.begin_delivery_session().unwrap().suspect_below;
    assert!(ids.iter().all(|id| *id < watermark), "{ids:?} {watermark}");
    let mut w = write(&[]);
    w.outbox = vec![dm("U3", None)];
    let CommitOutcome::Applied { outbox_ids: later } = s.commit_step(w).unwrap() else {
        panic!()
    };
    assert!(later[0] > watermark);
    // The watermark outlives a clean session: the suspects may still be waiting.
    s.end_delivery_session().unwrap();
    assert_eq!(s.begin_delivery_session().unwrap().suspect_below, watermark);
    // Nothing was rewritten.
    assert!(!s.outbox_item(ids[0]).unwrap().unwrap().sending);
}

#[test]
fn requests_filed_since_reads_one_prefix_from_the_first_filed_at_or_after() {
    let (_d, s) = open();
    // IT-n is filed at hour n; HR's and ITX's numbers sort around IT's keys.
    let mut all: Vec<Request> = (1..=100)
        .map(|n| request("IT", n, "U1", Status::Open))
        .collect();
    all.push(request("HR", 1, "U1", Status::Open));
    all.push(request("ITX", 1, "U1", Status::Open));
    s.commit_step(write(&all)).unwrap();
    let numbers = |prefix: &str, h: i64| -> Vec<u64> {
        s.requests_filed_since(prefix, t(h))
            .unwrap()
            .iter()
            .map(|r| r.id.number())
            .collect()
    };
    assert_eq!(numbers("IT", 97), [97, 98, 99, 100]);
    assert_eq!(numbers("IT", 0).len(), 100);
    assert_eq!(numbers("IT", 101), Vec::<u64>::new());
    assert_eq!(numbers("HR", 0), [1]);
    assert_eq!(numbers("ITX", 2), Vec::<u64>::new());
    assert_eq!(numbers("NONE", 0), Vec::<u64>::new());
}

#[test]
fn weekly_figures_follow_every_write_and_a_rebuild_gives_the_same() {
    let (dir, s) = open();
    // IT-n is filed at hour n; t(0) and t(200) are in different ISO weeks.
    let mut a = request("IT", 1, "U1", Status::Open);
    let b = request("IT", 200, "U1", Status::Open);
    s.commit_step(write(&[a.clone(), b.clone()])).unwrap();
    let weeks = |s: &Store| {
        let from = figures::monday(t(0)) - chrono::Duration::weeks(1);
        s.weekly_figures("it", from, figures::monday(t(400)))
            .unwrap()
    };
    let w = weeks(&s);
    assert_eq!(w.len(), 2);
    assert_eq!((w[0].1.filed, w[1].1.filed), (1, 1));
    assert!(w[0].1.first_response.is_empty());
    // Answered after 90 s, closed after 2 h, rated 4: the old share goes, the new one comes.
    a.first_response_at = Some(a.created_at + chrono::Duration::seconds(90));
    a.status = Status::Closed;
    a.closed_at = Some(a.created_at + chrono::Duration::hours(2));
    a.survey.rating = Some(4);
    s.commit_step(write(std::slice::from_ref(&a))).unwrap();
    let w = weeks(&s);
    assert_eq!(w[0].1.filed, 1);
    assert_eq!(w[0].1.first_response, [(2, 1)].into_iter().collect());
    assert_eq!(w[0].1.resolution, [(120, 1)].into_iter().collect());
    assert_eq!((w[0].1.ratings, w[0].1.rating_sum), (1, 4));
    // Reopened: no resolution any more.
    a.status = Status::Open;
    s.commit_step(write(std::slice::from_ref(&a))).unwrap();
    let maintained = weeks(&s);
    assert!(maintained[0].1.resolution.is_empty());
    // Built again from the requests, as for a store from before the figures.
    s.meta.remove(figures::BUILT).unwrap();
    s.weekly.clear().unwrap();
    drop(s);
    let s = Store::open(dir.path()).unwrap();
    assert_eq!(weeks(&s), maintained);
}

#[test]
fn the_outbox_length_is_kept_with_every_change_and_counted_once_for_a_store_without_it() {
    let dir = tempfile::tempdir().unwrap();
    {
        let s = Store::open(dir.path()).unwrap();
        let mut w = write(&[]);
        w.outbox = vec![dm("U1", None), dm("U2", None), dm("U3", None)];
        let CommitOutcome::Applied { outbox_ids: ids } = s.commit_step(w).unwrap() else {
            panic!()
        };
        assert_eq!(s.outbox_len(), 3);
        let item = s.outbox_item(ids[0]).unwrap().unwrap();
        s.dead_letter(&item).unwrap();
        assert_eq!((s.outbox_len(), s.dead_letter_len()), (2, 1));
        s.record_delivery(ids[1], None, &[]).unwrap();
        // Recorded twice (a retried recording): counted once.
        s.record_delivery(ids[1], None, &[]).unwrap();
        assert_eq!(s.outbox_len(), 1);
        assert!(s.retry_dead_letter(ids[0], t(0)).unwrap());
        assert_eq!(s.outbox_len(), 2);
        // A store from before the length was kept has no such key.
        s.meta.remove(super::outbox::OUTBOX_LEN).unwrap();
        assert_eq!(s.outbox_len(), 0, "read from the key alone");
        s.flush().unwrap();
    }
    let s = Store::open(dir.path()).unwrap();
    assert_eq!(s.outbox_len(), 2, "counted when opened");
}
