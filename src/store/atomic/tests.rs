use super::*;

fn db() -> (tempfile::TempDir, sled::Db) {
    let dir = tempfile::tempdir().unwrap();
    let db = sled::Config::new().path(dir.path()).open().unwrap();
    (dir, db)
}

type Change<T> = Result<T, ConflictableTransactionError<&'static str>>;

/// Waits until sled's threads let go of a store opened with sled directly, as closing a
/// `Store` does on its own.
fn released(dir: &std::path::Path) {
    assert!(
        crate::store::lock::wait_released(dir, std::time::Duration::from_secs(5)),
        "the store stayed locked"
    );
}

fn value(tree: &sled::Tree, key: &str) -> Option<String> {
    tree.get(key)
        .unwrap()
        .map(|v| String::from_utf8(v.to_vec()).unwrap())
}

#[test]
fn a_change_reads_its_own_writes_and_applies_them_in_order() {
    let (_dir, db) = db();
    let changes = Changes::open(&db).unwrap();
    let (a, b) = (db.open_tree("a").unwrap(), db.open_tree("b").unwrap());
    a.insert("kept", "old").unwrap();
    a.insert("gone", "soon").unwrap();
    let seen = changes
        .apply(&[a.clone(), b.clone()], |t| -> Change<_> {
            let before = t[0].get("kept")?;
            t[0].insert("kept", "new")?;
            let after = t[0].get("kept")?;
            // The same key in another tree is another key.
            let other = t[1].get("kept")?;
            let removed = t[0].take("gone")?;
            let removed_again = t[0].take("gone")?;
            t[1].insert("x", "1")?;
            t[1].insert("x", "2")?;
            Ok((before, after, other, removed, removed_again))
        })
        .unwrap();
    assert_eq!(seen.0.as_deref(), Some(&b"old"[..]));
    assert_eq!(seen.1.as_deref(), Some(&b"new"[..]));
    assert_eq!(seen.2, None);
    assert_eq!(seen.3.as_deref(), Some(&b"soon"[..]));
    assert_eq!(seen.4, None);
    assert_eq!(value(&a, "kept").as_deref(), Some("new"));
    assert_eq!(value(&a, "gone"), None);
    assert_eq!(value(&b, "x").as_deref(), Some("2"));
    assert!(
        db.open_tree(JOURNAL).unwrap().is_empty(),
        "the record is removed"
    );
}

#[test]
fn a_change_that_aborts_writes_nothing() {
    let (_dir, db) = db();
    let changes = Changes::open(&db).unwrap();
    let a = db.open_tree("a").unwrap();
    let result = changes.apply(std::slice::from_ref(&a), |t| -> Change<()> {
        t[0].insert("k", "v")?;
        Err(ConflictableTransactionError::Abort("no"))
    });
    assert!(matches!(result, Err(TransactionError::Abort("no"))));
    assert!(a.is_empty());
}

#[test]
fn a_record_left_by_a_crash_is_applied_when_the_store_opens() {
    let dir = tempfile::tempdir().unwrap();
    {
        let db = sled::Config::new().path(dir.path()).open().unwrap();
        let (a, b) = (db.open_tree("a").unwrap(), db.open_tree("b").unwrap());
        a.insert("stale", "x").unwrap();
        let ops: Vec<Op> = vec![
            (0, IVec::from("k1"), Some(IVec::from("v1"))),
            (1, IVec::from("k2"), Some(IVec::from("v2"))),
            (0, IVec::from("stale"), None),
        ];
        // The record and the first write made it to disk; the rest did not.
        db.open_tree(JOURNAL)
            .unwrap()
            .insert(PENDING, encode(&[a.clone(), b], &ops))
            .unwrap();
        a.insert("k1", "v1").unwrap();
        db.flush().unwrap();
    }
    released(dir.path());
    let db = sled::Config::new().path(dir.path()).open().unwrap();
    assert!(replay(&db).unwrap());
    let (a, b) = (db.open_tree("a").unwrap(), db.open_tree("b").unwrap());
    assert_eq!(value(&a, "k1").as_deref(), Some("v1"));
    assert_eq!(value(&b, "k2").as_deref(), Some("v2"));
    assert_eq!(value(&a, "stale"), None);
    assert!(db.open_tree(JOURNAL).unwrap().is_empty());
    assert!(!replay(&db).unwrap(), "nothing is left to apply");
}

#[test]
fn a_record_round_trips_and_a_cut_one_is_refused() {
    let (_dir, db) = db();
    let trees = [
        db.open_tree("first").unwrap(),
        db.open_tree("second").unwrap(),
    ];
    let ops: Vec<Op> = vec![
        (1, IVec::from(&b"key"[..]), Some(IVec::from(vec![0u8; 300]))),
        (0, IVec::from(&b""[..]), None),
        (1, IVec::from(&b"\x00\xff"[..]), Some(IVec::from(&b""[..]))),
    ];
    let record = encode(&trees, &ops);
    let (names, decoded) = decode(&record).unwrap();
    assert_eq!(names, vec![IVec::from("first"), IVec::from("second")]);
    assert_eq!(decoded, ops);
    for cut in 0..record.len() {
        assert!(decode(&record[..cut]).is_none(), "cut at {cut}");
    }
    let mut longer = record.clone();
    longer.push(0);
    assert!(decode(&longer).is_none());
}

#[test]
fn a_record_that_does_not_decode_is_reported_not_applied() {
    let (_dir, db) = db();
    db.open_tree(JOURNAL)
        .unwrap()
        .insert(PENDING, &b"\x00\x00"[..])
        .unwrap();
    assert!(matches!(
        replay(&db),
        Err(StoreError::Corrupt {
            tree: "journal",
            ..
        })
    ));
}

#[test]
fn opening_the_store_completes_a_change_a_crash_cut_short() {
    use crate::store::Store;
    let dir = tempfile::tempdir().unwrap();
    drop(Store::open_with_keys(dir.path(), None).unwrap());
    {
        // What a crash between the record and the writes it lists leaves behind: the
        // record alone (here: a change that counts one more message waiting).
        let db = sled::Config::new().path(dir.path()).open().unwrap();
        let meta = db.open_tree("meta").unwrap();
        let ops: Vec<Op> = vec![(
            0,
            IVec::from(crate::store::outbox::OUTBOX_LEN),
            Some(IVec::from(&7u64.to_be_bytes()[..])),
        )];
        db.open_tree(JOURNAL)
            .unwrap()
            .insert(PENDING, encode(&[meta], &ops))
            .unwrap();
        db.flush().unwrap();
    }
    released(dir.path());
    let store = Store::open_with_keys(dir.path(), None).unwrap();
    assert_eq!(store.outbox_len(), 7);
}

#[test]
fn a_change_that_failed_half_way_is_completed_before_the_next_one() {
    let (_dir, db) = db();
    let changes = Changes::open(&db).unwrap();
    let a = db.open_tree("a").unwrap();
    // What a change that failed after its record and its first write leaves in the process.
    let ops: Vec<Op> = vec![
        (0, IVec::from("first"), Some(IVec::from("1"))),
        (0, IVec::from("second"), Some(IVec::from("2"))),
    ];
    db.open_tree(JOURNAL)
        .unwrap()
        .insert(PENDING, encode(std::slice::from_ref(&a), &ops))
        .unwrap();
    a.insert("first", "1").unwrap();
    changes.unfinished.store(true, Ordering::Release);
    let seen = changes
        .apply(std::slice::from_ref(&a), |t| -> Change<_> {
            Ok(t[0].get("second")?)
        })
        .unwrap();
    assert_eq!(
        seen.as_deref(),
        Some(&b"2"[..]),
        "the next change sees it whole"
    );
    assert!(db.open_tree(JOURNAL).unwrap().is_empty());
    assert!(!changes.unfinished.load(Ordering::Acquire));
}
