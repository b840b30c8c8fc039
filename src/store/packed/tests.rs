use super::*;
use std::collections::BTreeMap;

fn open(max: usize) -> (tempfile::TempDir, sled::Db, Packed) {
    open_with_bytes(max, 1 << 20)
}

fn open_with_bytes(max: usize, max_bytes: usize) -> (tempfile::TempDir, sled::Db, Packed) {
    let dir = tempfile::tempdir().unwrap();
    let db = sled::Config::new().path(dir.path()).open().unwrap();
    let packed = Packed::new(
        db.open_tree("packed").unwrap(),
        "packed",
        max,
        max_bytes,
        Default::default(),
    );
    (dir, db, packed)
}

fn commit(db: &sled::Db, packed: &Packed, plan: &Plan) {
    let meta = db.open_tree("meta").unwrap();
    let trees = [packed.tree().clone(), meta];
    super::super::atomic::Changes::open(db)
        .unwrap()
        .apply(&trees, |t: &[ChangeTree<'_>]| {
            plan.apply::<()>(&t[0], &t[1])
        })
        .unwrap();
}

fn len(db: &sled::Db, packed: &Packed) -> u64 {
    let meta = db.open_tree("meta").unwrap();
    read_len(meta.get(len_key(packed.name())).unwrap().as_deref())
}

/// Chunks are non-empty, within size, stored under their first key and in order.
fn check_chunks(packed: &Packed) {
    let mut last: Option<Vec<u8>> = None;
    for chunk in packed.tree().iter() {
        let (k, v) = chunk.unwrap();
        let entries = decode_chunk(&v).unwrap();
        assert!(!entries.is_empty(), "an empty chunk was left behind");
        assert!(entries.len() <= packed.max, "a chunk outgrew the limit");
        assert!(
            size(&entries) <= packed.max_bytes || entries.len() == 1,
            "a chunk outgrew the byte limit"
        );
        assert_eq!(
            entries[0].0,
            k.to_vec(),
            "a chunk is keyed by its first entry"
        );
        assert!(entries.windows(2).all(|w| w[0].0 < w[1].0));
        if let Some(last) = &last {
            assert!(last < &entries[0].0, "chunks overlap");
        }
        last = Some(entries.last().unwrap().0.clone());
    }
}

struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

fn key(n: u64) -> Vec<u8> {
    // Two-byte prefixes give scan_prefix something to find across chunk borders.
    format!("{:02}/{:04}", n % 7, n).into_bytes()
}

#[test]
fn random_edits_match_a_btreemap_and_keep_chunks_sound() {
    // The last two are bound by bytes: values up to 300 bytes against 256- and 1024-byte
    // chunks, so some entries get a chunk of their own.
    for (seed, max, max_bytes) in [
        (7, 2, 1 << 20),
        (11, 4, 1 << 20),
        (13, 8, 1 << 20),
        (17, 32, 1 << 20),
        (19, 32, 256),
        (23, 16, 1024),
    ] {
        let (_dir, db, packed) = open_with_bytes(max, max_bytes);
        let mut model: BTreeMap<Vec<u8>, Vec<u8>> = BTreeMap::new();
        let mut rng = Rng(seed);
        for round in 0..150 {
            let mut edit = packed.edit();
            // Several operations per plan, as one step schedules and cancels several timers.
            for _ in 0..1 + rng.next() % 12 {
                let k = key(rng.next() % 400);
                if rng.next().is_multiple_of(3) {
                    assert_eq!(edit.remove(&k).unwrap(), model.remove(&k), "round {round}");
                } else {
                    let mut v = format!("v{round}").into_bytes();
                    v.resize(v.len() + (rng.next() % 300) as usize, b'.');
                    assert_eq!(
                        edit.insert(&k, v.clone()).unwrap(),
                        model.insert(k, v),
                        "round {round}"
                    );
                }
            }
            commit(&db, &packed, &edit.finish());
            check_chunks(&packed);
            assert_eq!(len(&db, &packed), model.len() as u64);
        }
        let all: Vec<Entry> = packed.iter().map(Result::unwrap).collect();
        let expected: Vec<Entry> = model.clone().into_iter().collect();
        assert_eq!(all, expected);
        for n in 0..400 {
            assert_eq!(packed.get(&key(n)).unwrap(), model.get(&key(n)).cloned());
        }
        for p in 0..7 {
            let prefix = format!("{p:02}/").into_bytes();
            let found = packed.scan_prefix(&prefix).unwrap();
            let expected: Vec<Entry> = model
                .iter()
                .filter(|(k, _)| k.starts_with(&prefix))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect();
            assert_eq!(found, expected, "prefix {p}");
        }
        let end = key(3);
        let upto = packed.up_to(&end, 5).unwrap();
        let expected: Vec<Entry> = model
            .range(..=end)
            .take(5)
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        assert_eq!(upto, expected);
        assert_eq!(
            packed.first().unwrap(),
            model.iter().next().map(|(k, v)| (k.clone(), v.clone()))
        );
    }
}

#[test]
fn appending_in_order_fills_chunks() {
    let (_dir, db, packed) = open(32);
    for batch in 0..10u64 {
        let mut edit = packed.edit();
        for n in 0..100 {
            let k = (batch * 100 + n).to_be_bytes();
            edit.insert(&k, vec![1]).unwrap();
        }
        commit(&db, &packed, &edit.finish());
    }
    check_chunks(&packed);
    // 1,000 entries in chunks of 32: full chunks, not half-full ones.
    assert_eq!(packed.tree().len(), 32);
    assert_eq!(len(&db, &packed), 1000);
}

#[test]
fn thinned_chunks_merge_so_chunks_follow_entries() {
    let (_dir, db, packed) = open(32);
    let mut edit = packed.edit();
    for n in 0..3200u64 {
        edit.insert(&n.to_be_bytes(), vec![]).unwrap();
    }
    commit(&db, &packed, &edit.finish());
    assert_eq!(packed.tree().len(), 100);
    // Cancel nine in ten, scattered, one at a time as steps do.
    for n in (0..3200u64).filter(|n| n % 10 != 0) {
        let mut edit = packed.edit();
        edit.remove(&n.to_be_bytes()).unwrap();
        commit(&db, &packed, &edit.finish());
    }
    check_chunks(&packed);
    assert_eq!(len(&db, &packed), 320);
    assert!(
        packed.tree().len() <= 20,
        "320 entries left in {} chunks",
        packed.tree().len()
    );
}

#[test]
fn a_growing_entry_moves_out_of_a_full_chunk_instead_of_bloating_it() {
    let (_dir, db, packed) = open_with_bytes(32, 1024);
    let mut edit = packed.edit();
    for n in 0..8u64 {
        edit.insert(&n.to_be_bytes(), vec![b'x'; 100]).unwrap();
    }
    commit(&db, &packed, &edit.finish());
    assert_eq!(packed.tree().len(), 1);
    // One request's history grows past the chunk size on its own.
    let mut edit = packed.edit();
    edit.insert(&3u64.to_be_bytes(), vec![b'y'; 5000]).unwrap();
    commit(&db, &packed, &edit.finish());
    check_chunks(&packed);
    assert_eq!(
        packed.get(&3u64.to_be_bytes()).unwrap(),
        Some(vec![b'y'; 5000])
    );
    assert_eq!(packed.iter().count(), 8);
    for chunk in packed.tree().iter() {
        let entries = decode_chunk(&chunk.unwrap().1).unwrap();
        assert!(size(&entries) <= 1024 || entries.len() == 1);
    }
}

#[test]
fn a_cut_chunk_is_reported_as_corrupt_not_a_panic() {
    let (_dir, _db, packed) = open(4);
    let mut bytes = encode_chunk(&[(b"a".to_vec(), b"1".to_vec())]);
    bytes.pop();
    packed.tree().insert(b"a", bytes).unwrap();
    assert!(matches!(
        packed.get(b"a"),
        Err(StoreError::Corrupt { tree: "packed", .. })
    ));
    assert!(packed.iter().any(|e| e.is_err()));
    assert_eq!(decode_chunk(&[0, 0, 0, 9]), None);
    assert_eq!(decode_chunk(&[]), None);
}

#[test]
fn walks_over_several_chunks_stay_consistent_while_chunks_split_and_merge() {
    let (_dir, db, packed) = open(8);
    let stable: Vec<Vec<u8>> = (0..200u64)
        .map(|n| (n * 2).to_be_bytes().to_vec())
        .collect();
    let mut edit = packed.edit();
    for k in &stable {
        edit.insert(k, b"stable".to_vec()).unwrap();
    }
    commit(&db, &packed, &edit.finish());

    let done = std::sync::atomic::AtomicBool::new(false);
    std::thread::scope(|scope| {
        scope.spawn(|| {
            // Odd keys come and go in bursts, splitting and merging the chunks between the
            // stable ones.
            let mut rng = Rng(99);
            for _ in 0..300 {
                let _writing = packed.write_lock();
                let mut edit = packed.edit();
                let base = rng.next() % 400;
                let insert = rng.next().is_multiple_of(2);
                for n in (base..base + 40).filter(|n| n % 2 == 1) {
                    let k = n.to_be_bytes();
                    if insert {
                        edit.insert(&k, b"volatile".to_vec()).unwrap();
                    } else {
                        edit.remove(&k).unwrap();
                    }
                }
                commit(&db, &packed, &edit.finish());
            }
            done.store(true, std::sync::atomic::Ordering::SeqCst);
        });
        let mut walks = 0;
        while !done.load(std::sync::atomic::Ordering::SeqCst) || walks < 5 {
            let keys: Vec<Vec<u8>> = packed.iter().map(|e| e.unwrap().0).collect();
            assert!(keys.windows(2).all(|w| w[0] < w[1]), "an entry came twice");
            let seen: Vec<&Vec<u8>> = keys
                .iter()
                .filter(|k| u64::from_be_bytes(k[..].try_into().unwrap()) % 2 == 0)
                .collect();
            assert_eq!(seen.len(), stable.len(), "a stable entry went missing");
            let upto = packed.up_to(&400u64.to_be_bytes(), usize::MAX).unwrap();
            assert!(upto.windows(2).all(|w| w[0].0 < w[1].0));
            assert_eq!(
                upto.iter().filter(|(_, v)| v == b"stable").count(),
                stable.len()
            );
            walks += 1;
        }
    });
    check_chunks(&packed);
}
