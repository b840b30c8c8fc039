//! Steps: what a committed step makes readable, duplicates skipped, timers fired once and
//! cancelled by owner and kind, the audit log in commit order, and the active requests' index.

use super::*;

pub(in crate::store) fn a_committed_step_is_readable<F: Factory>(f: &mut F) {
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

pub(in crate::store) fn a_duplicate_event_id_is_skipped<F: Factory>(f: &mut F) {
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

pub(in crate::store) fn a_fired_timer_cannot_fire_again<F: Factory>(f: &mut F) {
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

pub(in crate::store) fn timers_are_due_in_order_and_cancel_filters_pick_by_owner_and_kind<
    F: Factory,
>(
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

pub(in crate::store) fn every_history_line_is_audited_in_commit_order<F: Factory>(f: &mut F) {
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
            crate::store::audit::GENESIS
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
pub(in crate::store) fn active_requests_follow_every_step<F: Factory>(f: &mut F) {
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
