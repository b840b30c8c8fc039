//! The outbox: lane heads in due order, retry state, dead letters, what a delivery records,
//! and a delivery session that did not end.

use super::*;

pub(in crate::store) fn the_outbox_offers_lane_heads_in_due_order<F: Factory>(f: &mut F) {
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

pub(in crate::store) fn retry_state_persists<F: Factory>(f: &mut F) {
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

pub(in crate::store) fn dead_letters_keep_their_item_and_can_be_retried<F: Factory>(f: &mut F) {
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

pub(in crate::store) fn a_delivery_records_the_card_and_the_posts_that_point_at_requests<
    F: Factory,
>(
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

pub(in crate::store) fn a_delivery_session_that_did_not_end_is_noticed_after_a_restart<
    F: Factory,
>(
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
