//! `frontdesk requests export --since/--until` and `frontdesk report --week`, run as the real
//! binary on a store with requests at known times: offline, and through a running server.

use crate::helpers::app::spawn_binary;
use crate::helpers::process::{run, run_ok, wait_until_unlocked};
use chrono::{DateTime, Duration, Utc};
use frontdesk::core::{Event, HistoryEntry, Platform, Request, RequestId, Status, UserRef};
use frontdesk::store::{StepWrite, Store};
use serde_json::Value;
use std::path::Path;
use std::time::Instant;

fn at(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

fn user(id: &str) -> UserRef {
    UserRef::new(Platform::Slack, id)
}

struct Filed {
    request: Request,
}

impl Filed {
    fn new(prefix: &str, n: u64, dept: &str, filed: &str) -> Filed {
        let mut request = Request::new(
            RequestId::new(prefix, n),
            dept,
            user("UREQ"),
            format!("request {prefix}-{n}"),
            at(filed),
        );
        request.history.push(HistoryEntry {
            at: at(filed),
            actor: Some(user("UREQ")),
            event: Event::Created,
        });
        Filed { request }
    }

    fn claimed(mut self, by: &str, after_minutes: i64) -> Filed {
        let t = self.request.created_at + Duration::minutes(after_minutes);
        let r = &mut self.request;
        r.status = Status::Claimed;
        r.assignee = Some(user(by));
        r.first_response_at = Some(t);
        r.history.push(HistoryEntry {
            at: t,
            actor: Some(user(by)),
            event: Event::Claimed,
        });
        self
    }

    fn closed(mut self, when: &str) -> Filed {
        let r = &mut self.request;
        r.status = Status::Closed;
        r.closed_at = Some(at(when));
        r.history.push(HistoryEntry {
            at: at(when),
            actor: r.assignee.clone(),
            event: Event::Closed,
        });
        self
    }

    fn rated(mut self, when: &str, rating: u8, comment: &str) -> Filed {
        let r = &mut self.request;
        r.survey.rating = Some(rating);
        r.survey.comment = Some(comment.into());
        for event in [
            Event::Rated { rating },
            Event::Commented {
                text: comment.into(),
            },
        ] {
            r.history.push(HistoryEntry {
                at: at(when),
                actor: Some(user("UREQ")),
                event,
            });
        }
        self
    }
}

/// The week of Monday 2026-11-23 to Sunday 2026-11-29, with requests on both sides of it.
fn seed(dir: &Path) {
    let requests: Vec<Request> = vec![
        // Filed the week before, resolved in the week.
        Filed::new("IT", 1, "it", "2026-11-20T10:00:00Z")
            .claimed("UAGENT1", 10)
            .closed("2026-11-24T09:00:00Z"),
        // Filed at the very start of the week, answered in 20 minutes, praised.
        Filed::new("IT", 2, "it", "2026-11-23T00:00:00Z")
            .claimed("UAGENT1", 20)
            .closed("2026-11-23T12:00:00Z")
            .rated("2026-11-23T13:00:00Z", 5, "<b>quick</b> fix"),
        // Filed in the last second of the week, answered the next week.
        Filed::new("IT", 3, "it", "2026-11-29T23:59:59Z").claimed("UAGENT2", 40),
        // Filed on the next Monday.
        Filed::new("IT", 4, "it", "2026-11-30T00:00:00Z"),
        // Answered in an hour, rated 3: counted, not quoted.
        Filed::new("IT", 5, "it", "2026-11-24T09:00:00Z")
            .claimed("UAGENT2", 60)
            .closed("2026-11-24T11:00:00Z")
            .rated("2026-11-24T12:00:00Z", 3, "ok I guess"),
        Filed::new("HR", 1, "hr", "2026-11-25T08:00:00Z")
            .claimed("UHR", 120)
            .closed("2026-11-26T08:00:00Z")
            .rated("2026-11-26T09:00:00Z", 4, "kind and clear"),
    ]
    .into_iter()
    .map(|f| f.request)
    .collect();
    let store = Store::open(dir).unwrap();
    store
        .commit_step(StepWrite {
            requests: &requests,
            ..StepWrite::at(at("2026-11-30T00:00:00Z"))
        })
        .unwrap();
    store.flush().unwrap();
    drop(store);
    wait_until_unlocked(dir);
}

fn ids(export: &[u8]) -> Vec<String> {
    let v: Value = serde_json::from_slice(export).expect("export JSON");
    let mut ids: Vec<String> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_string())
        .collect();
    ids.sort();
    ids
}

fn export(env: &[(&str, &str)], bounds: &[&str]) -> Vec<String> {
    let args: Vec<&str> = ["requests", "export", "--format", "json"]
        .iter()
        .chain(bounds)
        .copied()
        .collect();
    ids(&run_ok(&args, env).stdout)
}

fn report_json(env: &[(&str, &str)], extra: &[&str]) -> Value {
    let args: Vec<&str> = [
        "report",
        "--week",
        "--week-of",
        "2026-11-29",
        "--format",
        "json",
    ]
    .iter()
    .chain(extra)
    .copied()
    .collect();
    serde_json::from_slice(&run_ok(&args, env).stdout).expect("report JSON")
}

/// The figures of the seeded week, whichever way the command reached the store.
fn check_exports_and_report(env: &[(&str, &str)]) {
    assert_eq!(
        export(env, &["--since", "2026-11-23", "--until", "2026-11-29"]),
        ["HR-1", "IT-2", "IT-3", "IT-5"]
    );
    assert_eq!(export(env, &["--since", "2026-11-30"]), ["IT-4"]);
    assert_eq!(export(env, &["--until", "2026-11-22"]), ["IT-1"]);
    assert_eq!(export(env, &[]).len(), 6);
    let csv = run_ok(
        &[
            "requests",
            "export",
            "--format",
            "csv",
            "--since",
            "2026-11-30",
        ],
        env,
    );
    let csv = String::from_utf8(csv.stdout).unwrap();
    assert_eq!(csv.lines().count(), 2, "a header and IT-4: {csv}");
    assert!(csv.lines().nth(1).unwrap().starts_with("IT-4,"), "{csv}");

    let digest = report_json(env, &[]);
    assert_eq!(digest["week"], "2026-W48");
    assert_eq!(digest["from"], "2026-11-23");
    assert_eq!(digest["to"], "2026-11-29");
    let dept = |id: &str| {
        digest["departments"]
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["department"] == id)
            .unwrap_or_else(|| panic!("no {id} in {digest}"))
            .clone()
    };
    let it = dept("it");
    assert_eq!(it["quiet"], false);
    assert_eq!(it["filed"], 3);
    assert_eq!(it["resolved"], 3);
    assert_eq!(it["first_responses"], 2);
    // 20 and 60 minutes.
    assert_eq!(it["median_first_response_secs"], 40 * 60);
    assert_eq!(it["ratings"], 2);
    assert_eq!(it["average_rating"], 4.0);
    let comments = it["comments"].as_array().unwrap();
    assert_eq!(comments.len(), 1, "{it}");
    assert_eq!(comments[0]["text"], "<b>quick</b> fix");
    assert_eq!(comments[0]["agent"], "slack:UAGENT1");
    assert_eq!(comments[0]["request"], "IT-2");
    let hr = dept("hr");
    assert_eq!(hr["resolved"], 1);
    assert_eq!(hr["median_first_response_secs"], 2 * 3600);
    assert_eq!(hr["comments"][0]["agent"], "slack:UHR");
    assert_eq!(dept("facilities")["quiet"], true);

    let only_hr = report_json(env, &["--department", "hr"]);
    assert_eq!(only_hr["departments"].as_array().unwrap().len(), 1);
    assert_eq!(only_hr["departments"][0]["department"], "hr");

    let text = run_ok(
        &[
            "report",
            "--week",
            "--week-of",
            "2026-11-23",
            "--department",
            "it",
        ],
        env,
    );
    let text = String::from_utf8(text.stdout).unwrap();
    assert!(text.contains("3 requests resolved (3 filed)"), "{text}");
    assert!(text.contains("First response: median 40m"), "{text}");
    assert!(text.contains("handled by slack:UAGENT1"), "{text}");
    let quiet = run_ok(&["report", "--week-of", "2026-11-16"], env);
    let quiet = String::from_utf8(quiet.stdout).unwrap();
    assert!(quiet.contains("No requests this week"), "{quiet}");

    let html = run_ok(
        &[
            "report",
            "--week",
            "--week-of",
            "2026-11-23",
            "--format",
            "html",
        ],
        env,
    );
    let html = String::from_utf8(html.stdout).unwrap();
    assert!(html.contains("&lt;b&gt;quick&lt;/b&gt; fix"), "{html}");
    assert!(!html.contains("<b>"), "{html}");

    let unknown = run(&["report", "--week", "--department", "nope"], env);
    assert_eq!(unknown.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("unknown department \"nope\""));
}

#[test]
fn exports_by_period_and_the_weekly_report_read_a_store_offline() {
    let dir = tempfile::tempdir().unwrap();
    seed(dir.path());
    let data = dir.path().display().to_string();
    let env = [("FRONTDESK_DATA_DIR", data.as_str())];
    check_exports_and_report(&env);

    // Bad dates are usage errors that name the flag.
    for (flag, value) in [("--since", "2026-13-01"), ("--until", "yesterday")] {
        let out = run(&["requests", "export", flag, value], &env);
        assert_eq!(out.status.code(), Some(2));
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.contains(flag) && stderr.contains("YYYY-MM-DD"),
            "{stderr}"
        );
    }
    let backwards = run(
        &[
            "requests",
            "export",
            "--since",
            "2026-11-30",
            "--until",
            "2026-11-01",
        ],
        &env,
    );
    assert_eq!(backwards.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&backwards.stderr).contains("is after --until"));
    let bad_week = run(&["report", "--week-of", "2026-02-30"], &env);
    assert_eq!(bad_week.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad_week.stderr).contains("--week-of"));
}

#[tokio::test(flavor = "multi_thread")]
async fn exports_by_period_and_the_weekly_report_go_through_a_running_server() {
    let dir = tempfile::tempdir().unwrap();
    seed(dir.path());
    let data = dir.path().display().to_string();
    let env = [("FRONTDESK_DATA_DIR", data.as_str())];
    let offline = run_ok(
        &["report", "--week-of", "2026-11-23", "--format", "json"],
        &env,
    )
    .stdout;

    let server = spawn_binary(&[], &env);
    let deadline = Instant::now() + std::time::Duration::from_secs(20);
    loop {
        let ready = reqwest::get(server.url("/readyz")).await;
        if ready.is_ok_and(|r| r.status() == 200) {
            break;
        }
        assert!(Instant::now() < deadline, "never became ready");
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    // The store is the server's now: the commands reach it through the admin endpoint.
    assert!(Store::open(dir.path()).is_err());
    let data_dir = data.clone();
    tokio::task::spawn_blocking(move || {
        let env = [("FRONTDESK_DATA_DIR", data_dir.as_str())];
        check_exports_and_report(&env);
        let online = run_ok(
            &["report", "--week-of", "2026-11-23", "--format", "json"],
            &env,
        )
        .stdout;
        assert_eq!(
            String::from_utf8_lossy(&online),
            String::from_utf8_lossy(&offline)
        );
    })
    .await
    .unwrap();
    assert!(server.stop().success());
}
