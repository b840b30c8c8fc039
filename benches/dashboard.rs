//! The dashboard on a big store: 1,000,000 requests in four departments, filed every two
//! minutes over the last four years up to now (so the 13 weeks the overview charts hold about
//! 65,000 of them); of the last two weeks' requests one in ten is still open (about 1,000),
//! older ones are all closed. It starts the real `frontdesk serve` on the
//! store with a dashboard password, and reports:
//!
//! - the server's resident memory (`VmRSS`) after start and after a `/metrics` scrape (its
//!   usual figure), after 20 views of the overview (and how far that is from the usual
//!   figure), and after the department page and CSV too; and its peak (`VmHWM`);
//! - how long the overview takes (min, median, max of 20 views), the IT department's page
//!   and a week's CSV of IT.
//!
//! Run with `cargo bench --bench dashboard` (`FRONTDESK_BENCH_DASHBOARD_SIZE` sets the number
//! of requests). Populating takes a few minutes; the store is kept under
//! `target/bench-stores/dashboard-<size>` and reused (its dates then lag behind the clock by
//! as long as it was kept; delete it for fresh ones). A kept store from an older frontdesk is
//! opened once before the server starts, so that its migration is not measured.

use chrono::{Duration, Utc};
use frontdesk::core::{Event, HistoryEntry, Platform, Request, RequestId, Status, UserRef};
use frontdesk::store::{StepWrite, Store};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

const DEPARTMENTS: [(&str, &str); 4] = [
    ("IT", "it"),
    ("HR", "hr"),
    ("FAC", "facilities"),
    ("FIN", "finance"),
];
const PASSWORD: &str = "bench-password";

fn user(n: u64) -> UserRef {
    UserRef::new(Platform::Slack, format!("U{:05}", n % 10_000))
}

fn request(n: u64, size: u64, now: chrono::DateTime<Utc>) -> Request {
    let (prefix, dept) = DEPARTMENTS[(n % 4) as usize];
    let filed = now - Duration::minutes(2 * (size - n) as i64 + 5);
    let mut r = Request::new(
        RequestId::new(prefix, n / 4 + 1),
        dept,
        user(n),
        format!("request number {n}: my laptop won't boot after the vpn update"),
        filed,
    );
    r.history.push(HistoryEntry {
        at: filed,
        actor: Some(user(n)),
        event: Event::Created,
    });
    if n.is_multiple_of(10) && now - filed < Duration::weeks(2) {
        return r;
    }
    let agent = UserRef::new(Platform::Slack, format!("UAGENT{}", n % 7));
    let answered = filed + Duration::minutes((n % 360) as i64);
    let closed = answered + Duration::minutes((n % 2_000) as i64);
    r.status = Status::Closed;
    r.assignee = Some(agent.clone());
    r.first_response_at = Some(answered);
    r.closed_at = Some(closed);
    r.history.push(HistoryEntry {
        at: closed,
        actor: Some(agent),
        event: Event::Closed,
    });
    if n.is_multiple_of(3) {
        r.survey.rating = Some((n % 5 + 1) as u8);
        if n.is_multiple_of(9) {
            r.survey.comment = Some("Quick and friendly, thanks".into());
        }
    }
    r
}

fn populate(dir: &Path, size: u64) {
    let marker = dir.join("POPULATED");
    if marker.exists() {
        return;
    }
    let _ = std::fs::remove_dir_all(dir);
    let store = Store::open(dir).expect("open");
    let now = Utc::now();
    let began = Instant::now();
    let mut n = 0;
    while n < size {
        let end = (n + 2_000).min(size);
        let requests: Vec<Request> = (n..end).map(|i| request(i, size, now)).collect();
        store
            .commit_step(StepWrite {
                requests: &requests,
                ..StepWrite::at(now)
            })
            .expect("commit");
        n = end;
    }
    store.flush().unwrap();
    drop(store);
    std::fs::write(&marker, b"ok").unwrap();
    eprintln!("  populated {size} requests in {:.1?}", began.elapsed());
}

/// A `/proc/{pid}/status` figure in KiB (`VmRSS`, `VmHWM`) as MiB.
fn status_mib(pid: u32, field: &str) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with(field))
                .and_then(|l| l.split_whitespace().nth(1).and_then(|n| n.parse().ok()))
        })
        .unwrap_or(0)
        / 1024
}

fn rss_mib(pid: u32) -> u64 {
    status_mib(pid, "VmRSS:")
}

fn main() {
    let size: u64 = std::env::var("FRONTDESK_BENCH_DASHBOARD_SIZE")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join(format!("target/bench-stores/dashboard-{size}"));
    populate(&dir, size);
    // Lifts a store kept from an older frontdesk now, not in the server measured.
    drop(Store::open(&dir).expect("open"));

    let mut child = Command::new(env!("CARGO_BIN_EXE_frontdesk"))
        .arg("serve")
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("FRONTDESK_DATA_DIR", &dir)
        .env("FRONTDESK_LISTEN", "127.0.0.1:0")
        .env("FRONTDESK_DASHBOARD_PASSWORD", PASSWORD)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("starting frontdesk serve");
    let pid = child.id();
    let started = Instant::now();
    // The address is announced on one of the two streams, depending on the log format.
    let (lines, announced) = std::sync::mpsc::channel::<String>();
    for stream in [
        Box::new(child.stdout.take().unwrap()) as Box<dyn std::io::Read + Send>,
        Box::new(child.stderr.take().unwrap()),
    ] {
        let lines = lines.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stream).lines().map_while(Result::ok) {
                let _ = lines.send(line);
            }
        });
    }
    let mut url = None;
    while let Ok(line) = announced.recv_timeout(std::time::Duration::from_secs(120)) {
        if let Some(i) = line.find("http://127.0.0.1:") {
            let rest = &line[i..];
            let end = rest
                .find(|c: char| !(c.is_ascii_alphanumeric() || ":/.".contains(c)))
                .unwrap_or(rest.len());
            url = Some(rest[..end].to_string());
            break;
        }
    }
    let url = url.expect("the server says where it listens");
    let ready = started.elapsed();

    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let http = reqwest::Client::builder()
            .no_proxy()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        let at_start = rss_mib(pid);
        http.get(format!("{url}/metrics")).send().await.unwrap();
        let usual = rss_mib(pid);
        let r = http
            .post(format!("{url}/dashboard/login"))
            .form(&[("password", PASSWORD)])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 303, "signed in");
        let cookie = r.headers()["set-cookie"]
            .to_str()
            .unwrap()
            .split(';')
            .next()
            .unwrap()
            .to_string();
        let time = |path: String| {
            let http = http.clone();
            let cookie = cookie.clone();
            let url = url.clone();
            async move {
                let t = Instant::now();
                let r = http
                    .get(format!("{url}{path}"))
                    .header("cookie", cookie)
                    .send()
                    .await
                    .unwrap();
                assert_eq!(r.status(), 200, "{path}");
                let bytes = r.bytes().await.unwrap().len();
                (t.elapsed(), bytes)
            }
        };
        let mut views = Vec::new();
        let mut size_of_page = 0;
        for _ in 0..20 {
            let (d, b) = time("/dashboard".into()).await;
            views.push(d);
            size_of_page = b;
        }
        views.sort();
        let after_overview = rss_mib(pid);
        let (department, _) = time("/dashboard/departments/it".into()).await;
        let today = Utc::now().date_naive();
        let week_ago = today - Duration::days(6);
        let (csv, csv_bytes) =
            time(format!("/dashboard/departments/it/export.csv?since={week_ago}&until={today}"))
                .await;
        let after = rss_mib(pid);
        let peak = status_mib(pid, "VmHWM:");
        println!(
            "{size} requests: listening after {ready:.2?} | RSS {at_start} MiB at start, usual {usual} MiB (after /metrics), \
             {after_overview} MiB after 20 overviews ({:+.0} % of usual), {after} MiB after the department page and CSV too, peak {peak} MiB | overview ({size_of_page} bytes) min {:.1?} median {:.1?} max {:.1?} | \
             IT department page {department:.1?} | a week's CSV of IT ({csv_bytes} bytes) {csv:.1?}",
            (after_overview as f64 - usual as f64) / usual.max(1) as f64 * 100.0,
            views[0],
            views[views.len() / 2],
            views[views.len() - 1],
        );
    });
    let _ = Command::new("kill").arg(pid.to_string()).status();
    let _ = child.wait();
}
