use super::super::conformance::{request, t, user};
use super::super::{StepWrite, Store, SCHEMA_VERSION};
use super::*;

fn write(requests: &[Request]) -> StepWrite<'_> {
    StepWrite {
        requests,
        ..StepWrite::at(t(0))
    }
}

fn ids(s: &Store) -> Vec<(String, Status)> {
    s.active_requests()
        .unwrap()
        .into_iter()
        .map(|a| (a.id.to_string(), a.status))
        .collect()
}

/// What the index should hold: every stored request that is active, from the records.
fn from_records(s: &Store) -> Vec<ActiveRequest> {
    s.all_requests()
        .map(Result::unwrap)
        .filter(|r| r.status.is_active())
        .map(|r| ActiveRequest::from(&r))
        .collect()
}

#[test]
fn the_index_follows_filing_claiming_waiting_closing_reopening_and_cancelling() {
    let dir = tempfile::tempdir().unwrap();
    let s = Store::open(dir.path()).unwrap();
    let mut a = request("IT", 1, "U1", Status::Open);
    let b = request("IT", 2, "U2", Status::Open);
    let c = request("HR", 1, "U1", Status::Closed);
    s.commit_step(write(&[a.clone(), b.clone(), c])).unwrap();
    assert_eq!(
        ids(&s),
        [
            ("IT-1".to_string(), Status::Open),
            ("IT-2".to_string(), Status::Open)
        ],
        "a request filed closed is never active"
    );

    // Claimed and answered: the entry carries the assignee and the first response.
    a.status = Status::Claimed;
    a.assignee = Some(user("UAGENT"));
    a.first_response_at = Some(t(3));
    a.priority = Priority::High;
    s.commit_step(write(std::slice::from_ref(&a))).unwrap();
    let entry = s.active_requests().unwrap().remove(0);
    assert_eq!(entry, ActiveRequest::from(&a));
    assert_eq!(entry.assignee, Some(user("UAGENT")));
    assert_eq!(
        (
            entry.first_response_at,
            entry.priority,
            entry.department.as_str()
        ),
        (Some(t(3)), Priority::High, "it")
    );

    a.status = Status::Waiting;
    s.commit_step(write(std::slice::from_ref(&a))).unwrap();
    assert_eq!(ids(&s)[0], ("IT-1".to_string(), Status::Waiting));

    a.status = Status::Closed;
    a.closed_at = Some(t(5));
    s.commit_step(write(std::slice::from_ref(&a))).unwrap();
    assert_eq!(ids(&s), [("IT-2".to_string(), Status::Open)]);

    a.status = Status::Open;
    a.closed_at = None;
    s.commit_step(write(std::slice::from_ref(&a))).unwrap();
    assert_eq!(ids(&s)[0], ("IT-1".to_string(), Status::Open));

    let mut b = b;
    b.status = Status::Cancelled;
    s.commit_step(write(std::slice::from_ref(&b))).unwrap();
    assert_eq!(ids(&s), [("IT-1".to_string(), Status::Open)]);
    assert_eq!(s.active_requests().unwrap(), from_records(&s));

    // Kept across a restart.
    drop(s);
    let s = Store::open(dir.path()).unwrap();
    assert_eq!(ids(&s), [("IT-1".to_string(), Status::Open)]);
}

#[test]
fn a_step_carrying_a_request_twice_leaves_the_later_copy() {
    let dir = tempfile::tempdir().unwrap();
    let s = Store::open(dir.path()).unwrap();
    let open = request("IT", 1, "U1", Status::Open);
    let mut closed = open.clone();
    closed.status = Status::Closed;
    s.commit_step(write(&[open.clone(), closed.clone()]))
        .unwrap();
    assert!(s.active_requests().unwrap().is_empty());
    s.commit_step(write(&[closed, open.clone()])).unwrap();
    assert_eq!(s.active_requests().unwrap(), [ActiveRequest::from(&open)]);
}

#[test]
fn erasure_and_retention_keep_the_entries_which_hold_no_words() {
    let dir = tempfile::tempdir().unwrap();
    let s = Store::open(dir.path()).unwrap();
    let mut open = request("IT", 1, "U1", Status::Open);
    open.summary = "my salary is wrong".into();
    let mut closed = request("IT", 2, "U1", Status::Closed);
    closed.closed_at = Some(t(4));
    s.commit_step(write(&[open.clone(), closed.clone()]))
        .unwrap();
    let before = s.active_requests().unwrap();
    // What an erasure and retention write: the same requests without their words.
    for r in [&mut open, &mut closed] {
        crate::core::remove_content(r);
    }
    s.commit_step(write(&[open, closed])).unwrap();
    assert_eq!(s.active_requests().unwrap(), before);
    assert_eq!(before.len(), 1);
    let stored: Vec<u8> = s
        .active
        .iter()
        .flat_map(|e| e.unwrap().1.to_vec())
        .collect();
    assert!(!String::from_utf8_lossy(&stored).contains("salary"));
}

#[test]
fn a_schema_4_store_gets_the_index_built_from_its_requests() {
    let dir = tempfile::tempdir().unwrap();
    let s = Store::open(dir.path()).unwrap();
    let mut requests = Vec::new();
    for n in 1..=80u64 {
        let status = match n % 5 {
            0 => Status::Open,
            1 => Status::Claimed,
            2 => Status::Waiting,
            3 => Status::Closed,
            _ => Status::Cancelled,
        };
        let mut r = request(if n % 2 == 0 { "IT" } else { "HR" }, n, "U1", status);
        r.assignee = (status == Status::Claimed).then(|| user("UAGENT"));
        requests.push(r);
    }
    s.commit_step(write(&requests)).unwrap();
    let maintained = s.active_requests().unwrap();
    assert_eq!(maintained.len(), 48);
    assert_eq!(maintained, from_records(&s));
    // As schema 4 left it: no index.
    s.active.clear().unwrap();
    s.meta
        .insert("schema_version", &4u32.to_be_bytes())
        .unwrap();
    drop(s);
    let s = Store::open(dir.path()).unwrap();
    assert_eq!(s.schema_version().unwrap(), Some(SCHEMA_VERSION));
    assert_eq!(s.active_requests().unwrap(), maintained);
    // And maintained from then on.
    let mut first = requests[0].clone();
    first.status = Status::Closed;
    s.commit_step(write(std::slice::from_ref(&first))).unwrap();
    assert_eq!(s.active_requests().unwrap(), from_records(&s));
    assert_eq!(s.active_requests().unwrap().len(), 47);
}

#[test]
fn a_sealed_schema_4_store_is_indexed_when_opened_with_its_key() {
    let key = format!("{}A=", "B".repeat(42));
    let keys = || Some(super::super::Keys::new(&key, &[]).unwrap());
    let dir = tempfile::tempdir().unwrap();
    let s = Store::open_with_keys(dir.path(), keys()).unwrap();
    let mut r = request("IT", 1, "U1", Status::Open);
    r.summary = "my salary is wrong".into();
    s.commit_step(write(std::slice::from_ref(&r))).unwrap();
    let stored = s.requests.get(&keys::request_key(&r.id)).unwrap().unwrap();
    assert!(
        !String::from_utf8_lossy(&stored).contains("salary"),
        "sealed"
    );
    s.active.clear().unwrap();
    s.meta
        .insert("schema_version", &4u32.to_be_bytes())
        .unwrap();
    drop(s);
    let s = Store::open_with_keys(dir.path(), keys()).unwrap();
    assert_eq!(s.active_requests().unwrap(), [ActiveRequest::from(&r)]);
}
