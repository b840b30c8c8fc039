//! Store behaviour at scale: with 1,000 and with 1,000,000 stored requests and pending
//! reminders, how long opening the store takes, how long listing one user's open requests
//! takes (it must not scan all requests), how long a scheduler wake-up takes, and the
//! process's resident memory (sled keeps some state resident per stored key; the store packs
//! its indexes and records so that this stays small). `bench/serve_rss.sh` then measures a
//! running server on the same stores.
//!
//! Run with `cargo bench --bench store_scale` (set `FRONTDESK_BENCH_SIZES=1000,100000` to
//! choose sizes; the default is `1000,1000000`). Populating a million requests takes a few
//! minutes; the stores are kept under `target/bench-stores/` and reused on the next run.
//!
//! The last section is the resident memory of a process whose outbox holds a backlog
//! (`FRONTDESK_BENCH_OUTBOX_RSS` messages, 100,000 by default; `0` skips it): half are
//! request cards for as many requests, half are DMs about no request to 10,000 people. The
//! store is written once, by a process of its own, into `target/bench-stores/outbox-<n>`
//! (dated 2100, so a server started on it has nothing due and keeps them all waiting). Each
//! of two runs copies it and opens the copy twice, each time in a fresh process: the first
//! open replays the log the writer left, the second is a reopen after a clean close. Each
//! reports the RSS after `Store::open`, after asking for the next item when none is due yet
//! (what the outbox worker does at start) and when one is, and after counting the outbox
//! (what a `/metrics` scrape does). To run only this section:
//!
//!     FRONTDESK_BENCH_SIZES= cargo bench --bench store_scale
//!
//! `bench/outbox_rss.sh` then measures `frontdesk serve` on the same store; its header shows
//! how to run both against an older commit for comparison.

use chrono::{Duration, TimeZone};
use frontdesk::core::{
    Message, Outgoing, Platform, Request, RequestId, Status, Timer, TimerKind, UserRef,
};
use frontdesk::store::{StepWrite, Store};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

const USERS: u64 = 10_000;

fn rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1).and_then(|n| n.parse().ok()))
        })
        .unwrap_or(0)
}

fn request(n: u64, start: chrono::DateTime<chrono::Utc>) -> Request {
    Request {
        // One in ten is still open, like a desk that keeps up.
        status: if n.is_multiple_of(10) {
            Status::Open
        } else {
            Status::Closed
        },
        ..Request::new(
            RequestId::new("IT", n),
            "it",
            UserRef::new(Platform::Slack, format!("U{:05}", n % USERS)),
            format!("request number {n}: my laptop won't boot after the update"),
            start + Duration::seconds(n as i64),
        )
    }
}

/// `FRONTDESK_BENCH_TIMERS_ONLY=1`: store only the reminders, to see what they alone cost.
fn timers_only() -> bool {
    std::env::var("FRONTDESK_BENCH_TIMERS_ONLY").is_ok_and(|v| v == "1")
}

fn populate(dir: &Path, size: u64) {
    let marker = dir.join("POPULATED");
    if marker.exists() {
        return;
    }
    let _ = std::fs::remove_dir_all(dir);
    let store = Store::open(dir).expect("open");
    let start = chrono::Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
    let began = Instant::now();
    let batch = 1_000;
    let mut n = 1;
    while n <= size {
        let end = (n + batch - 1).min(size);
        let requests: Vec<Request> = (n..=end).map(|i| request(i, start)).collect();
        let timers: Vec<Timer> = requests
            .iter()
            .map(|r| Timer {
                // Spread over a year, so only a sliver is due at any moment.
                at: start
                    + Duration::days(400)
                    + Duration::seconds((r.id.number() as i64 * 31) % 31_536_000),
                kind: TimerKind::FirstResponse {
                    request: r.id.clone(),
                    round: 0,
                },
            })
            .collect();
        store
            .commit_step(StepWrite {
                requests: if timers_only() { &[] } else { &requests },
                schedule: &timers,
                ..StepWrite::at(start)
            })
            .expect("commit");
        n = end + 1;
    }
    store.flush().unwrap();
    std::fs::write(&marker, b"ok").unwrap();
    eprintln!(
        "  populated {size} requests + reminders in {:.1?}",
        began.elapsed()
    );
}

fn measure(size: u64) {
    let kind = if timers_only() { "-timers" } else { "" };
    let dir =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(format!("target/bench-stores/{size}{kind}"));
    populate(&dir, size);
    let rss_before = rss_kib();
    let t = Instant::now();
    let store = Store::open(&dir).expect("open");
    let open = t.elapsed();
    let rss_open = rss_kib();
    let user = UserRef::new(Platform::Slack, "U00040");
    let t = Instant::now();
    let mut listed = 0;
    for _ in 0..100 {
        listed = store
            .requests_of_user(&user, Some(Status::Open))
            .unwrap()
            .len();
    }
    let list = t.elapsed() / 100;
    // A scheduler wake-up: the earliest timer, then what is due now (a small slice).
    let start = chrono::Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
    let now = start + Duration::days(400) + Duration::hours(1);
    let t = Instant::now();
    let mut due = 0;
    for _ in 0..100 {
        let _ = store.next_timer().unwrap();
        due = store.due_timers(now, 100).unwrap().len();
    }
    let wake = t.elapsed() / 100;
    let what = if timers_only() {
        "reminders (no requests)"
    } else {
        "requests + reminders"
    };
    println!(
        "{size:>9} {what}: open {open:>9.2?} | list one user's open requests ({listed}) {list:>9.2?} | \
         scheduler wake-up (next + {due} due) {wake:>9.2?} | RSS {} MiB after open (+{} MiB), {} MiB after the reads",
        rss_open / 1024,
        rss_open.saturating_sub(rss_before) / 1024,
        rss_kib() / 1024
    );
}

/// The outbox after an outage: `backlog` messages about as many requests wait for Slack.
/// How long the worker takes to learn there is nothing due (and when to wake), and to take
/// the next due message and record its delivery, while the backlog drains.
fn measure_outbox(backlog: u64) {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = Store::open(dir.path()).expect("open");
    let start = chrono::Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
    let mut n = 0;
    while n < backlog {
        let outbox = (n..(n + 1_000).min(backlog))
            .map(|i| {
                (
                    Platform::Slack,
                    Outgoing::PostCard {
                        request: RequestId::new("IT", i + 1),
                    },
                )
            })
            .collect();
        store
            .commit_step(StepWrite {
                outbox,
                ..StepWrite::at(start + Duration::milliseconds(n as i64))
            })
            .expect("commit");
        n += 1_000;
    }
    let before = start - Duration::seconds(1);
    let t = Instant::now();
    for _ in 0..100 {
        let (item, wake) = store.next_outbox(before).unwrap();
        assert!(item.is_none() && wake.is_some());
    }
    let idle = t.elapsed() / 100;
    let later = start + Duration::days(1);
    let t = Instant::now();
    for _ in 0..1_000 {
        let (item, _) = store.next_outbox(later).unwrap();
        store.record_delivery(item.unwrap().id, None, &[]).unwrap();
    }
    let drain = t.elapsed() / 1_000;
    println!(
        "{backlog:>9} messages waiting in the outbox: nothing due yet {idle:>9.2?} | next due message + its delivery recorded {drain:>9.2?}"
    );
}

/// The child processes of the outbox memory section: `populate <dir> <n>` or
/// `measure <dir> <label>`.
const OUTBOX_CHILD: &str = "FRONTDESK_BENCH_OUTBOX_CHILD";

/// When the backlog's messages fall due: far enough ahead that a server started on the
/// store keeps them waiting instead of failing them for want of a configured platform.
fn backlog_due() -> chrono::DateTime<chrono::Utc> {
    chrono::Utc.with_ymd_and_hms(2100, 1, 1, 0, 0, 0).unwrap()
}

/// Item `i` of the backlog: even ones post the card of request `i / 2 + 1` (one each), odd
/// ones are DMs about no request, to 10,000 people in turn (five each for 100,000).
fn backlog_item(i: u64) -> (Platform, Outgoing) {
    let outgoing = if i.is_multiple_of(2) {
        Outgoing::PostCard {
            request: RequestId::new("IT", i / 2 + 1),
        }
    } else {
        Outgoing::Dm {
            to: UserRef::new(Platform::Slack, format!("U{:05}", (i / 2) % USERS)),
            msg: Message::text(frontdesk::core::Text::plain(
                "The desk is back: your messages are on their way.",
            )),
            about: None,
        }
    };
    (Platform::Slack, outgoing)
}

/// Child: writes `n` waiting messages into a fresh store in `dir`, a step per 1,000, and
/// closes it by exiting.
fn populate_backlog(dir: &Path, n: u64) {
    let _ = std::fs::remove_dir_all(dir);
    let store = Store::open(dir).expect("open");
    let began = Instant::now();
    let mut i = 0;
    while i < n {
        let end = (i + 1_000).min(n);
        store
            .commit_step(StepWrite {
                outbox: (i..end).map(backlog_item).collect(),
                ..StepWrite::at(backlog_due() + Duration::milliseconds(i as i64))
            })
            .expect("commit");
        i = end;
    }
    store.flush().unwrap();
    assert_eq!(store.outbox_len() as u64, n);
    drop(store);
    std::fs::write(dir.join("POPULATED"), b"ok").unwrap();
    eprintln!(
        "  populated {n} waiting messages in {:.1?}",
        began.elapsed()
    );
}

/// Child: opens the store in `dir` in this fresh process and prints the RSS at each step.
fn measure_backlog(dir: &Path, label: &str) {
    let mib = |kib: u64| kib as f64 / 1024.0;
    let before = rss_kib();
    let t = Instant::now();
    let store = Store::open(dir).expect("open");
    let open = t.elapsed();
    let opened = rss_kib();
    let (item, wake) = store
        .next_outbox(backlog_due() - Duration::seconds(1))
        .unwrap();
    assert!(item.is_none() && wake.is_some());
    let idle = rss_kib();
    let (item, _) = store
        .next_outbox(backlog_due() + Duration::days(1))
        .unwrap();
    assert!(item.is_some());
    let due = rss_kib();
    let waiting = store.outbox_len();
    let counted = rss_kib();
    println!(
        "{label}: {waiting} waiting, open {open:>8.2?} | RSS MiB: before open {:.1}, after open {:.1}, \
         next_outbox nothing due {:.1}, next_outbox one due {:.1}, after counting the outbox {:.1}",
        mib(before),
        mib(opened),
        mib(idle),
        mib(due),
        mib(counted)
    );
}

/// Runs this bench binary again with `child` in [`OUTBOX_CHILD`] and waits for it.
fn child(args: String) {
    let status = Command::new(std::env::current_exe().expect("own path"))
        .arg("--bench")
        .env(OUTBOX_CHILD, args)
        .status()
        .expect("run child");
    assert!(status.success(), "child process failed: {status}");
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// The outbox memory section: see the module doc.
fn outbox_memory(backlog: u64) {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join(format!("target/bench-stores/outbox-{backlog}"));
    if !dir.join("POPULATED").exists() {
        child(format!("populate {} {backlog}", dir.display()));
    }
    println!(
        "resident memory with {backlog} messages waiting in the outbox (a fresh process each):"
    );
    for run in 1..=2 {
        let copy = tempfile::tempdir().expect("temp dir");
        copy_dir(&dir, copy.path());
        child(format!(
            "measure {} run {run}, first open",
            copy.path().display()
        ));
        child(format!(
            "measure {} run {run}, reopen    ",
            copy.path().display()
        ));
    }
}

fn main() {
    // `cargo test` runs bench targets with `--bench` absent; do nothing then.
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    if let Ok(args) = std::env::var(OUTBOX_CHILD) {
        let args: Vec<&str> = args.splitn(3, ' ').collect();
        match args[..] {
            ["populate", dir, n] => populate_backlog(Path::new(dir), n.parse().expect("a count")),
            ["measure", dir, label] => measure_backlog(Path::new(dir), label),
            _ => panic!("{OUTBOX_CHILD}: populate <dir> <n> or measure <dir> <label>"),
        }
        return;
    }
    let sizes: Vec<u64> = std::env::var("FRONTDESK_BENCH_SIZES")
        .unwrap_or_else(|_| "1000,1000000".into())
        .split(',')
        .filter_map(|s| s.trim().parse().ok())
        .collect();
    for &size in &sizes {
        measure(size);
    }
    if !timers_only() {
        for size in sizes {
            measure_outbox(size.min(100_000));
        }
    }
    let backlog: u64 = std::env::var("FRONTDESK_BENCH_OUTBOX_RSS")
        .ok()
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(100_000);
    if backlog > 0 {
        outbox_memory(backlog);
    }
}
