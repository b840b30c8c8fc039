//! Keeping data: the adapters' key-value space, reopening, and export and import.

use super::*;

pub(in crate::store) fn kv_round_trips_per_tree<F: Factory>(f: &mut F) {
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

pub(in crate::store) fn data_survives_reopening<F: Factory>(f: &mut F) {
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

pub(in crate::store) fn an_export_imports_into_an_equal_store<F: Factory>(f: &mut F) {
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
