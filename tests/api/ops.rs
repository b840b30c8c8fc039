//! Running frontdesk for real: health and readiness, `/metrics` read by a Prometheus
//! text-format parser, configuration reload on SIGHUP, backups taken under load and restored,
//! the admin endpoint's refusals, and structured logs that never hold a secret.
//!
//! In-process tests use the real `App` on 127.0.0.1:0; the others run the real binary
//! (`CARGO_BIN_EXE_frontdesk`) and wait on what it prints, never on fixed sleeps.

use crate::helpers::app::{base_config as config_for, spawn_app, spawn_binary, TestApp};
use crate::helpers::fake_slack::FakeSlack;
use crate::helpers::metrics::scrape;
use crate::helpers::process::{self, wait_until_unlocked};
use crate::helpers::slack::post_signed;
use crate::helpers::{eventually, get, http};
use frontdesk::backup::{self, BackupError};
use frontdesk::config::current;
use frontdesk::config::Config;
use frontdesk::core::{Action, Input, Place, Platform, RequestId, Status, UserRef};
use frontdesk::store::Store;
use frontdesk::Engine;
use frontdesk::{App, Deps};
use frontdesk::{Clock, ManualClock, SystemClock};
use serde_json::Value;
use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};

// ---------------------------------------------------------------------------------------------
// In-process app
// ---------------------------------------------------------------------------------------------

/// The app with its background workers, as `frontdesk serve` runs it, in this process.
async fn running(config: Config, clock: Arc<dyn Clock>) -> TestApp {
    wait_until_unlocked(&config.server.data_dir);
    spawn_app(config, clock, true)
        .await
        .expect("building the app")
}

fn console_user(name: &str) -> UserRef {
    UserRef::new(Platform::Console, name)
}

async fn say(engine: &Engine, who: &str, text: &str) -> frontdesk::StepOutcome {
    engine
        .handle(
            Input::MessageReceived {
                user: console_user(who),
                text: text.into(),
                place: Place::Direct { about: None },
            },
            None,
        )
        .await
        .expect("a step")
}

async fn click(engine: &Engine, who: &str, action: Action) {
    let out = engine
        .handle(
            Input::ButtonClicked {
                user: console_user(who),
                action,
                post: None,
            },
            None,
        )
        .await
        .expect("a click");
    assert!(out.applied);
}

/// `who` files a Facilities request with the built-in questions; returns its id once the
/// engine acknowledged it.
async fn file_facilities(engine: &Engine, who: &str) -> RequestId {
    engine
        .handle(
            Input::CommandInvoked {
                user: console_user(who),
                text: "my chair is broken".into(),
            },
            None,
        )
        .await
        .expect("the command");
    say(engine, who, "yes").await;
    say(engine, who, "Room 4.12").await;
    say(engine, who, "high").await;
    let out = say(engine, who, "submit").await;
    assert_eq!(out.requests.len(), 1, "submit files one request");
    out.requests[0].id.clone()
}

async fn file_it(engine: &Engine, who: &str) -> RequestId {
    engine
        .handle(
            Input::CommandInvoked {
                user: console_user(who),
                text: "my laptop won't boot".into(),
            },
            None,
        )
        .await
        .expect("the command");
    say(engine, who, "yes").await;
    say(engine, who, "ThinkPad X1").await;
    say(engine, who, "high").await;
    let out = say(engine, who, "submit").await;
    assert_eq!(out.requests.len(), 1, "submit files one request");
    out.requests[0].id.clone()
}

// ---------------------------------------------------------------------------------------------
// Health, readiness and metrics
// ---------------------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn health_readiness_and_metrics_that_a_prometheus_parser_reads() {
    let dir = tempfile::tempdir().unwrap();
    let t0 = chrono::Utc::now();
    let clock = Arc::new(ManualClock::new(t0));
    let app = running(config_for(dir.path()), clock.clone()).await;
    let base = app.url("");

    assert_eq!(get(&format!("{base}/healthz")).await, (200, "ok".into()));
    // The workers flag themselves as running once their tasks start.
    eventually("/readyz to answer 200", || async {
        let (status, body) = get(&format!("{base}/readyz")).await;
        (status == 200 && body == "ready").then_some(())
    })
    .await;

    // Three Facilities requests and one IT request; one closed and rated 4, one cancelled,
    // one claimed; someone half-way through a draft.
    let engine = app.engine.clone();
    let fac1 = file_facilities(&engine, "ann").await;
    let fac2 = file_facilities(&engine, "ben").await;
    let fac3 = file_facilities(&engine, "cat").await;
    let it1 = file_it(&engine, "dan").await;
    click(&engine, "agent", Action::Claim(fac1.clone())).await;
    click(&engine, "agent", Action::Close(fac1.clone())).await;
    click(&engine, "ann", Action::Rate(fac1.clone(), 4)).await;
    click(&engine, "agent", Action::Claim(fac3.clone())).await;
    let cancelled = say(&engine, "ben", &format!("cancel {fac2}")).await;
    assert!(
        cancelled
            .requests
            .iter()
            .any(|r| r.id == fac2 && r.status == Status::Cancelled),
        "cancel {fac2} cancels it"
    );
    engine
        .handle(
            Input::CommandInvoked {
                user: console_user("eve"),
                text: String::new(),
            },
            None,
        )
        .await
        .unwrap();
    let _ = get(&format!("{base}/no/such/page")).await;

    // Console users have no deliverer in the server: their messages are dead-lettered,
    // which shows as delivery failures by platform and method.
    let m = eventually("the outbox to empty", || async {
        let m = scrape(&base).await;
        // The worker counts a dead letter just after storing it; wait for both.
        let settled = m.get("frontdesk_outbox_depth", &[]) == 0.0
            && m.get("frontdesk_outbox_dead_letters", &[])
                == m.get("frontdesk_dead_lettered_total", &[]);
        settled.then_some(m)
    })
    .await;

    let dept = |d: &'static str| [("department", d)];
    assert_eq!(
        m.get("frontdesk_requests_created_total", &dept("facilities")),
        3.0
    );
    assert_eq!(m.get("frontdesk_requests_created_total", &dept("it")), 1.0);
    assert_eq!(m.get("frontdesk_requests_created_total", &dept("hr")), 0.0);
    assert_eq!(
        m.get("frontdesk_requests_closed_total", &dept("facilities")),
        1.0
    );
    assert_eq!(
        m.get("frontdesk_requests_cancelled_total", &dept("facilities")),
        1.0
    );
    assert_eq!(
        m.get("frontdesk_requests_claimed_total", &dept("facilities")),
        2.0
    );
    let open = |d: &'static str, s: &'static str| {
        m.get(
            "frontdesk_open_requests",
            &[("department", d), ("status", s)],
        )
    };
    assert_eq!(open("facilities", "open"), 0.0);
    assert_eq!(open("facilities", "claimed"), 1.0);
    assert_eq!(open("it", "open"), 1.0);
    assert_eq!(open("hr", "open"), 0.0);
    let rating = |r: &'static str| {
        m.get(
            "frontdesk_satisfaction_ratings_total",
            &[("department", "facilities"), ("rating", r)],
        )
    };
    assert_eq!(rating("4"), 1.0);
    assert_eq!(rating("5"), 0.0);
    assert_eq!(m.get("frontdesk_active_drafts", &[]), 1.0, "eve's draft");
    assert_eq!(m.get("frontdesk_departments", &[]), 4.0);
    assert_eq!(m.get("frontdesk_worker_up", &[("worker", "outbox")]), 1.0);
    assert_eq!(
        m.get("frontdesk_worker_up", &[("worker", "scheduler")]),
        1.0
    );
    let failures: f64 = m
        .scrape
        .samples
        .iter()
        .filter(|s| s.metric == "frontdesk_delivery_failures_total")
        .filter(|s| s.labels.get("platform") == Some("console"))
        .map(|s| match s.value {
            prometheus_parse::Value::Counter(v) => v,
            _ => 0.0,
        })
        .sum();
    assert!(
        failures > 0.0,
        "failed deliveries are counted by platform and method"
    );
    assert!(m
        .value(
            "frontdesk_delivery_failures_total",
            &[("platform", "console"), ("method", "dm")]
        )
        .is_some_and(|v| v > 0.0));
    assert_eq!(
        m.get("frontdesk_outbox_dead_letters", &[]),
        m.get("frontdesk_dead_lettered_total", &[])
    );
    assert_eq!(
        m.family_type("frontdesk_requests_created_total").as_deref(),
        Some("counter")
    );
    assert_eq!(
        m.family_type("frontdesk_open_requests").as_deref(),
        Some("gauge")
    );

    // HTTP latency, by route pattern and status; unknown paths share one series.
    let (buckets, count, sum) = m
        .histogram(
            "frontdesk_http_request_duration_seconds",
            &[
                ("endpoint", "/healthz"),
                ("method", "GET"),
                ("status", "200"),
            ],
        )
        .expect("a /healthz histogram");
    assert!(count >= 1.0 && sum >= 0.0);
    assert_eq!(buckets.last().map(|b| b.1), Some(count));
    assert!(m
        .histogram(
            "frontdesk_http_request_duration_seconds",
            &[("endpoint", "unmatched"), ("status", "404")],
        )
        .is_some());
    assert!(
        !m.text.contains("/no/such/page"),
        "raw paths never become labels"
    );

    // Reminders: nobody answered IT-1 within its service level; once the clock passes it,
    // a first-response reminder is due, then fired.
    assert_eq!(
        m.get("frontdesk_reminders_due", &[("kind", "first_response")]),
        0.0
    );
    // Every kind shows from the start, at zero, the newer ones too.
    for kind in ["escalation", "resolution", "waiting_close", "digest"] {
        assert_eq!(m.get("frontdesk_reminders_due", &[("kind", kind)]), 0.0);
        assert_eq!(
            m.get("frontdesk_reminders_fired_total", &[("kind", kind)]),
            0.0
        );
    }
    clock.advance(chrono::Duration::hours(30));
    let m = scrape(&base).await;
    let due = m.get("frontdesk_reminders_due", &[("kind", "first_response")]);
    assert!(due >= 1.0, "a first-response reminder is due");
    let fired = app.state.scheduler.fire_due().await.unwrap();
    assert!(fired >= 1);
    let m = scrape(&base).await;
    assert_eq!(
        m.get("frontdesk_reminders_due", &[("kind", "first_response")]),
        0.0
    );
    assert!(
        m.get(
            "frontdesk_reminders_fired_total",
            &[("kind", "first_response")]
        ) >= 1.0
    );
    assert_eq!(it1.prefix(), "IT");

    app.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn readiness_fails_while_the_workers_are_not_running() {
    let dir = tempfile::tempdir().unwrap();
    let app = App::build(
        config_for(dir.path()),
        Deps {
            clock: Arc::new(SystemClock),
            background_workers: true,
        },
    )
    .await
    .unwrap();
    // Built but not running: the router answers, the workers aren't there yet.
    let router = frontdesk::router(app.state().clone(), axum::Router::new(), 1024);
    use tower::ServiceExt;
    let response = router
        .oneshot(
            axum::http::Request::get("/readyz")
                .body(axum::body::Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(response.status(), 503);
    let body = axum::body::to_bytes(response.into_body(), 4096)
        .await
        .unwrap();
    let body = String::from_utf8_lossy(&body);
    assert!(body.contains("outbox worker not running"), "{body}");
    assert!(body.contains("scheduler not running"), "{body}");
}

// ---------------------------------------------------------------------------------------------
// Configuration reload
// ---------------------------------------------------------------------------------------------

const ONE_DEPARTMENT: &str = r#"
[[departments]]
id = "it"
name = "IT"
prefix = "IT"
slack_channel = "C0IT"
keywords = ["laptop"]
first_response_sla = "4h"
remind_every = "2h"

[[departments.fields]]
id = "device"
prompt = "Which device?"
kind = "text"
required = true
"#;

const SECOND_DEPARTMENT: &str = r#"
[[departments]]
id = "facilities"
name = "Facilities"
prefix = "FAC"
slack_channel = "C0FAC"
keywords = ["chair"]
first_response_sla = "1h"
remind_every = "1h"
"#;

/// Valid TOML, but the second department reuses IT's prefix.
const BAD_SECOND_DEPARTMENT: &str = r#"
[[departments]]
id = "legal"
name = "Legal"
prefix = "IT"
slack_channel = "C0LEGAL"
keywords = ["contract"]
first_response_sla = "1h"
remind_every = "1h"
"#;

fn config_file(server: &str, departments: &[&str]) -> String {
    format!("{server}\n{}", departments.concat())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reload_swaps_departments_and_a_bad_file_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let path = dir.path().join("frontdesk.toml");
    let server = format!(
        "[server]\nlisten = \"127.0.0.1:0\"\ndata_dir = {:?}\n",
        data.display().to_string()
    );
    std::fs::write(&path, config_file(&server, &[ONE_DEPARTMENT])).unwrap();
    let config = Config::load(Some(&path)).unwrap();
    let app = running(config, Arc::new(SystemClock)).await;
    let state = app.state.clone();
    assert_eq!(state.engine.rules().departments.len(), 1);

    // A good file with a second department and a different listen address: departments
    // apply now, the server section only after a restart.
    let moved = server.replace("127.0.0.1:0", "127.0.0.1:9");
    std::fs::write(
        &path,
        config_file(&moved, &[ONE_DEPARTMENT, SECOND_DEPARTMENT]),
    )
    .unwrap();
    let reloaded = frontdesk::reload(&state, Some(&path)).unwrap();
    assert_eq!(reloaded.departments, 2);
    assert_eq!(reloaded.needs_restart, vec!["server"]);
    assert_eq!(state.engine.rules().departments.len(), 2);
    assert!(state.engine.rules().department("facilities").is_some());
    assert_eq!(current(&state.config).departments.len(), 2);
    assert_eq!(current(&state.config).server.listen, "127.0.0.1:0");
    // New requests use the new department at once.
    let fac = file_chair_without_fields(&state.engine, "fay").await;
    assert_eq!(fac.prefix(), "FAC");

    // A bad file: nothing changes, the error names the key.
    std::fs::write(
        &path,
        config_file(&server, &[ONE_DEPARTMENT, BAD_SECOND_DEPARTMENT]),
    )
    .unwrap();
    let err = frontdesk::reload(&state, Some(&path)).unwrap_err();
    assert!(err.to_string().contains("departments[1].prefix"), "{err}");
    assert!(state.engine.rules().department("facilities").is_some());
    assert!(state.engine.rules().department("legal").is_none());
    std::fs::write(&path, "this is [not toml").unwrap();
    assert!(frontdesk::reload(&state, Some(&path)).is_err());
    assert_eq!(state.engine.rules().departments.len(), 2);

    let m = scrape(&app.url("")).await;
    assert_eq!(
        m.get("frontdesk_config_reloads_total", &[("result", "success")]),
        1.0
    );
    assert_eq!(
        m.get("frontdesk_config_reloads_total", &[("result", "failure")]),
        2.0
    );
    assert_eq!(m.get("frontdesk_departments", &[]), 2.0);
    app.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reload_changes_the_desks_language_and_wording_without_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let path = dir.path().join("frontdesk.toml");
    let messages = dir.path().join("messages.ftl");
    let server = format!(
        "[server]\nlisten = \"127.0.0.1:0\"\ndata_dir = {:?}\n",
        data.display().to_string()
    );
    std::fs::write(&path, config_file(&server, &[ONE_DEPARTMENT])).unwrap();
    let config = Config::load(Some(&path)).unwrap();
    let app = running(config, Arc::new(SystemClock)).await;
    let state = app.state.clone();
    let said = |config: &Config| {
        config.messages().format(
            config.messages().default_locale(),
            &frontdesk::core::Text::new("intake-started-dm"),
            &mut frontdesk::Plain,
        )
    };
    assert_eq!(
        said(&current(&state.config)),
        "I've sent you a direct message to collect the details."
    );

    // German, with one message of the admin's own.
    std::fs::write(
        &messages,
        "intake-started-dm = Schauen Sie in Ihre Direktnachrichten.\n",
    )
    .unwrap();
    let german = format!(
        "{server}default_locale = \"de\"\nmessages_file = {:?}\n",
        messages.display().to_string()
    );
    std::fs::write(&path, config_file(&german, &[ONE_DEPARTMENT])).unwrap();
    let reloaded = frontdesk::reload(&state, Some(&path)).unwrap();
    assert!(
        reloaded.needs_restart.is_empty(),
        "{:?}",
        reloaded.needs_restart
    );
    let config = current(&state.config);
    assert_eq!(config.server.default_locale, "de");
    assert_eq!(said(&config), "Schauen Sie in Ihre Direktnachrichten.");

    // An edited messages file is read again on the next reload; a broken one is refused
    // and the wording in force stays.
    std::fs::write(
        &messages,
        "intake-started-dm = Bitte in die Direktnachrichten schauen.\n",
    )
    .unwrap();
    frontdesk::reload(&state, Some(&path)).unwrap();
    assert_eq!(
        said(&current(&state.config)),
        "Bitte in die Direktnachrichten schauen."
    );
    std::fs::write(&messages, "intake-started-dm = { $who }\n").unwrap();
    let err = frontdesk::reload(&state, Some(&path)).unwrap_err();
    assert!(err.to_string().contains("server.messages_file"), "{err}");
    assert_eq!(
        said(&current(&state.config)),
        "Bitte in die Direktnachrichten schauen."
    );
    app.shutdown().await;
}

/// The test configuration's Facilities department has no questions.
async fn file_chair_without_fields(engine: &Engine, who: &str) -> RequestId {
    engine
        .handle(
            Input::CommandInvoked {
                user: console_user(who),
                text: "my chair is broken".into(),
            },
            None,
        )
        .await
        .unwrap();
    say(engine, who, "yes").await;
    let out = say(engine, who, "submit").await;
    assert_eq!(out.requests.len(), 1, "{:?}", out.replies);
    out.requests[0].id.clone()
}

#[test]
fn sighup_reloads_the_running_server_and_a_bad_file_keeps_the_old_config() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let path = dir.path().join("frontdesk.toml");
    let server_section = format!(
        "[server]\nlisten = \"127.0.0.1:0\"\ndata_dir = {:?}\n",
        data.display().to_string()
    );
    std::fs::write(&path, config_file(&server_section, &[ONE_DEPARTMENT])).unwrap();
    let path_arg = path.display().to_string();
    let server = spawn_binary(&["--config", &path_arg], &[]);
    let base = server.url("");
    let departments = |base: String| async move {
        let m = scrape(&base).await;
        (
            m.get("frontdesk_departments", &[]),
            m.get("frontdesk_config_reloads_total", &[("result", "success")]),
            m.get("frontdesk_config_reloads_total", &[("result", "failure")]),
        )
    };
    assert_eq!(rt.block_on(departments(base.clone())), (1.0, 0.0, 0.0));

    std::fs::write(
        &path,
        config_file(&server_section, &[ONE_DEPARTMENT, SECOND_DEPARTMENT]),
    )
    .unwrap();
    server.signal("HUP");
    server
        .stderr
        .wait_for("saying the configuration was reloaded", |l| {
            l.contains("configuration reloaded")
        });
    assert_eq!(rt.block_on(departments(base.clone())), (2.0, 1.0, 0.0));

    std::fs::write(
        &path,
        config_file(&server_section, &[ONE_DEPARTMENT, BAD_SECOND_DEPARTMENT]),
    )
    .unwrap();
    server.signal("HUP");
    let why = server.stderr.wait_for("saying the reload failed", |l| {
        l.contains("configuration reload failed")
    });
    assert!(why.contains("departments[1].prefix"), "{why}");
    assert_eq!(rt.block_on(departments(base.clone())), (2.0, 1.0, 1.0));
    assert_eq!(rt.block_on(get(&format!("{base}/readyz"))).0, 200);

    let status = server.stop();
    assert!(status.success(), "{status}");
}

// ---------------------------------------------------------------------------------------------
// Backup and restore
// ---------------------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_backup_taken_under_load_restores_every_acknowledged_request() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let app = running(config_for(&data), Arc::new(SystemClock)).await;
    let engine = app.engine.clone();

    // Eight users file requests one after another until told to stop; each acknowledged
    // request is recorded the moment the engine answers.
    let acked: Arc<Mutex<Vec<RequestId>>> = Arc::default();
    let stop = tokio_util::sync::CancellationToken::new();
    let mut load = Vec::new();
    for worker in 0..8 {
        let (engine, acked, stop) = (engine.clone(), acked.clone(), stop.clone());
        load.push(tokio::spawn(async move {
            let mut n = 0;
            while !stop.is_cancelled() && n < 400 {
                let id = file_facilities(&engine, &format!("load-{worker}-{n}")).await;
                acked.lock().unwrap().push(id);
                n += 1;
            }
        }));
    }
    eventually("some requests under way", || async {
        (acked.lock().unwrap().len() >= 40).then_some(())
    })
    .await;

    // Everything acknowledged before the backup starts must be in it.
    let before: BTreeSet<RequestId> = acked.lock().unwrap().iter().cloned().collect();
    let file = dir.path().join("under-load.backup");
    let file_arg = file.display().to_string();
    let data_arg = data.display().to_string();
    let out = tokio::task::spawn_blocking(move || {
        process::run_ok(&["backup", "--to", &file_arg, "--data-dir", &data_arg], &[])
    })
    .await
    .unwrap();
    let during = acked.lock().unwrap().len();
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(said.contains("from the running server"), "{said}");
    stop.cancel();
    for task in load {
        task.await.unwrap();
    }
    let after = acked.lock().unwrap().len();
    eprintln!(
        "load: {} acknowledged before the backup, {during} when it finished, {after} in all",
        before.len()
    );
    let summary = backup::verify(&file).unwrap();
    assert!(summary.requests as usize >= before.len());
    assert!(summary.requests as usize <= after);
    app.shutdown().await;

    // Restore with the CLI into a fresh directory.
    let restored = dir.path().join("restored");
    process::run_ok(
        &[
            "restore",
            "--from",
            &file.display().to_string(),
            "--data-dir",
            &restored.display().to_string(),
        ],
        &[],
    );
    let store = Store::open(&restored).expect("the restored store opens");
    for id in &before {
        let r = store
            .request(id)
            .unwrap()
            .unwrap_or_else(|| panic!("{id} was acknowledged before the backup and is missing"));
        assert_eq!(r.status, Status::Open);
    }
    assert_eq!(store.request_count() as u64, summary.requests);
    // The indexes came along: every restored request is listed under its status.
    let by_status: usize = Status::ALL
        .iter()
        .map(|s| store.count_with_status(*s).unwrap())
        .sum();
    assert_eq!(by_status, store.request_count());
    assert_eq!(
        store.requests_with_status(Status::Open).unwrap().len(),
        store.request_count()
    );
    // Ids handed out after the restore are above every restored one.
    let restored_ids: Vec<u64> = store
        .outbox_items()
        .unwrap()
        .into_iter()
        .chain(store.dead_letters().unwrap())
        .map(|i| i.id)
        .collect();
    let next = store.generate_id().unwrap();
    assert!(
        restored_ids.iter().all(|id| *id < next),
        "new id {next} collides with restored ids"
    );
    drop(store);
    wait_until_unlocked(&restored);

    // The restored directory serves: a new request gets the next number.
    let app = running(config_for(&restored), Arc::new(SystemClock)).await;
    let next = file_facilities(&app.engine, "after-restore").await;
    assert_eq!(next.number(), summary.requests + 1);
    app.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn offline_backup_round_trips_and_restore_refuses_what_it_should() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let app = running(config_for(&data), Arc::new(SystemClock)).await;
    let mut ids = Vec::new();
    for who in ["ann", "ben", "cat"] {
        ids.push(file_facilities(&app.engine, who).await);
    }
    app.shutdown().await;
    wait_until_unlocked(&data);

    // No server: the CLI opens the store itself.
    let file = dir.path().join("offline.backup");
    let out = process::run_ok(
        &[
            "backup",
            "--to",
            &file.display().to_string(),
            "--data-dir",
            &data.display().to_string(),
        ],
        &[],
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("no server running"));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&file).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "backups are private to their owner");
    }
    let summary = backup::verify(&file).unwrap();
    assert_eq!(summary.requests, 3);

    // A damaged copy: one changed byte in a value fails the checksum.
    let text = std::fs::read_to_string(&file).unwrap();
    let damaged = dir.path().join("damaged.backup");
    let kv = text.find("{\"kv\":[\"").unwrap() + 8;
    let mut bytes = text.clone().into_bytes();
    bytes[kv] = if bytes[kv] == b'A' { b'B' } else { b'A' };
    std::fs::write(&damaged, &bytes).unwrap();
    assert!(matches!(
        backup::verify(&damaged),
        Err(BackupError::Checksum { .. })
    ));
    // A truncated copy: no end record.
    let truncated = dir.path().join("truncated.backup");
    let cut = text.rfind("{\"end\"").unwrap();
    std::fs::write(&truncated, &text[..cut]).unwrap();
    let err = backup::verify(&truncated).unwrap_err();
    assert!(err.to_string().contains("truncated"), "{err}");
    assert!(backup::verify(&dir.path().join("nope")).is_err());
    // A damaged file is refused before the target is touched.
    let target = dir.path().join("target");
    assert!(backup::restore(&damaged, &target, false).is_err());
    assert!(!target.exists() || std::fs::read_dir(&target).unwrap().next().is_none());

    // A directory holding a store needs --force.
    let out = process::run(
        &[
            "restore",
            "--from",
            &file.display().to_string(),
            "--data-dir",
            &data.display().to_string(),
        ],
        &[],
    );
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("--force"));
    // Other files don't count (a fresh volume's lost+found) and are left alone.
    let other = dir.path().join("other");
    std::fs::create_dir_all(other.join("lost+found")).unwrap();
    std::fs::write(other.join("notes.txt"), "mine").unwrap();
    backup::restore(&file, &other, false).unwrap();
    assert!(other.join("notes.txt").exists() && other.join("lost+found").is_dir());
    assert!(matches!(
        backup::restore(&file, &other, false),
        Err(BackupError::NotEmpty(_))
    ));
    // A backup kept inside the data directory survives a forced restore from it.
    let inside = other.join("kept.backup");
    std::fs::copy(&file, &inside).unwrap();
    wait_until_unlocked(&other);
    backup::restore(&inside, &other, true).unwrap();
    assert!(inside.exists() && other.join("notes.txt").exists());

    // --force refuses a store that a process has open.
    let open = Store::open(&data).unwrap();
    assert!(matches!(
        backup::restore(&file, &data, true),
        Err(BackupError::InUse(_))
    ));
    drop(open);
    wait_until_unlocked(&data);

    // Work done after the backup, then a forced restore brings the backup's state back.
    let app = running(config_for(&data), Arc::new(SystemClock)).await;
    let extra = file_facilities(&app.engine, "dan").await;
    app.shutdown().await;
    wait_until_unlocked(&data);
    process::run_ok(
        &[
            "restore",
            "--from",
            &file.display().to_string(),
            "--data-dir",
            &data.display().to_string(),
            "--force",
        ],
        &[],
    );
    let store = Store::open(&data).unwrap();
    for id in &ids {
        assert!(store.request(id).unwrap().is_some());
    }
    assert!(store.request(&extra).unwrap().is_none());
    drop(store);
    wait_until_unlocked(&data);

    // A restore that stopped half-way keeps the server from starting on the half store.
    std::fs::write(data.join(backup::RESTORE_MARKER), "").unwrap();
    let err = App::build(
        config_for(&data),
        Deps {
            clock: Arc::new(SystemClock),
            background_workers: false,
        },
    )
    .await
    .unwrap_err();
    assert!(err.to_string().contains("did not finish"), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_admin_backup_endpoint_needs_the_token_and_a_direct_local_connection() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let app = running(config_for(&data), Arc::new(SystemClock)).await;
    file_facilities(&app.engine, "ann").await;
    let token = std::fs::read_to_string(data.join(backup::ADMIN_TOKEN_FILE)).unwrap();
    let addr = std::fs::read_to_string(data.join(backup::ADMIN_ADDR_FILE)).unwrap();
    assert_eq!(format!("http://{addr}"), app.url(""));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(data.join(backup::ADMIN_TOKEN_FILE))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    let url = format!("{}/admin/backup", app.url(""));
    let post = |auth: Option<String>, forwarded: bool| {
        let url = url.clone();
        async move {
            let mut req = http().post(url);
            if let Some(a) = auth {
                req = req.header("authorization", a);
            }
            if forwarded {
                req = req.header("x-forwarded-for", "203.0.113.9");
            }
            let r = req.send().await.unwrap();
            (r.status().as_u16(), r.bytes().await.unwrap())
        }
    };
    assert_eq!(post(None, false).await.0, 401);
    assert_eq!(post(Some("Bearer wrong".into()), false).await.0, 401);
    assert_eq!(
        post(Some(token.clone()), false).await.0,
        401,
        "Bearer scheme"
    );
    assert_eq!(
        post(Some(format!("Bearer {token}")), true).await.0,
        403,
        "never through a proxy"
    );
    assert_eq!(
        http().get(&url).send().await.unwrap().status(),
        405,
        "POST only"
    );
    let (status, body) = post(Some(format!("Bearer {token}")), false).await;
    assert_eq!(status, 200);
    let file = dir.path().join("via-http.backup");
    std::fs::write(&file, &body).unwrap();
    assert_eq!(backup::verify(&file).unwrap().requests, 1);
    let m = scrape(&app.url("")).await;
    assert_eq!(
        m.get("frontdesk_backups_total", &[("result", "success")]),
        1.0
    );
    app.shutdown().await;
    // A stopped server takes its admin files with it.
    assert!(!data.join(backup::ADMIN_TOKEN_FILE).exists());
    assert!(!data.join(backup::ADMIN_ADDR_FILE).exists());
}

// ---------------------------------------------------------------------------------------------
// Logs
// ---------------------------------------------------------------------------------------------

const SIGNING_SECRET: &str = "ops-signing-secret-5f1e9c0d";
const BOT_TOKEN: &str = "xoxb-ops-bot-token-7d3a41";
const TEAMS_PASSWORD: &str = "ops-teams-password-9b2c77";
const TEAMS_JWT: &str = "eyJhbGciOiJSUzI1NiJ9.ops-teams-jwt-marker-e4f1.c2ln";

/// Whether `value` (a JSON log line) has `key` equal to `want` anywhere: its fields, the
/// current span, the span list.
fn has_field(value: &Value, key: &str, want: &str) -> bool {
    match value {
        Value::Object(map) => map.iter().any(|(k, v)| {
            (k == key && v.as_str().is_some_and(|s| s.split(',').any(|p| p == want)))
                || has_field(v, key, want)
        }),
        Value::Array(items) => items.iter().any(|v| has_field(v, key, want)),
        _ => false,
    }
}

fn slack_event(event_id: &str, user: &str, text: &str, ts: &str) -> String {
    serde_json::json!({
        "token": "unused", "team_id": "T0OPS", "api_app_id": "A0OPS", "type": "event_callback",
        "event_id": event_id, "event_time": 1_700_000_000,
        "event": {"type": "message", "channel_type": "im", "channel": format!("D{user}"),
            "user": user, "text": text, "ts": ts, "event_ts": ts, "team": "T0OPS"},
        "authorizations": [{"team_id": "T0OPS", "user_id": "U0BOT", "is_bot": true}]
    })
    .to_string()
}

fn slack_click(user: &str, value: &str, trigger: &str) -> String {
    let payload = serde_json::json!({
        "type": "block_actions", "api_app_id": "A0OPS", "token": "unused", "trigger_id": trigger,
        "user": {"id": user, "username": user, "name": user, "team_id": "T0OPS"},
        "team": {"id": "T0OPS", "domain": "ops-test"},
        "container": {"type": "message", "message_ts": "1700000000.000001", "channel_id": "C0IT"},
        "channel": {"id": "C0IT", "name": "it-help"},
        "actions": [{"action_id": value, "block_id": "b", "value": value, "type": "button",
            "action_ts": "1700000001.000001", "text": {"type": "plain_text", "text": "x"}}]
    });
    serde_urlencoded::to_string([("payload", payload.to_string())]).unwrap()
}

#[test]
fn logs_of_a_full_run_are_json_carry_ids_and_hold_no_secrets() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let fake = rt.block_on(FakeSlack::start());
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let data_arg = data.display().to_string();
    let fake_base = format!("http://{}", fake.addr);
    let (openid, token_url) = (format!("{fake_base}/openid"), format!("{fake_base}/token"));
    let api_url = fake.api_url();
    let env = [
        ("FRONTDESK_LISTEN", "127.0.0.1:0"),
        ("FRONTDESK_DATA_DIR", data_arg.as_str()),
        ("RUST_LOG", "debug"),
        ("SLACK_API_URL", api_url.as_str()),
        ("SLACK_SIGNING_SECRET", SIGNING_SECRET),
        ("SLACK_BOT_TOKEN", BOT_TOKEN),
        ("TEAMS_APP_ID", "00000000-0000-0000-0000-00000000ops1"),
        ("TEAMS_APP_PASSWORD", TEAMS_PASSWORD),
        ("TEAMS_OPENID_METADATA_URL", openid.as_str()),
        ("TEAMS_TOKEN_URL", token_url.as_str()),
    ];
    let server = spawn_binary(&["--log-format", "json"], &env);
    let base = server.url("");
    let admin_token = std::fs::read_to_string(data.join(backup::ADMIN_TOKEN_FILE)).unwrap();

    rt.block_on(async {
        // Probes, with a request id of our own.
        let r = http()
            .get(format!("{base}/healthz"))
            .header("x-request-id", "ops-trace-healthz-1")
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        assert_eq!(r.headers()["x-request-id"], "ops-trace-healthz-1");
        eventually("readiness", || async {
            (get(&format!("{base}/readyz")).await.0 == 200).then_some(())
        })
        .await;

        // A whole request through Slack: the slash command, the intake by DM, an agent
        // claiming and closing it, the requester rating it.
        let command = serde_urlencoded::to_string([
            ("token", "unused"),
            ("team_id", "T0OPS"),
            ("team_domain", "ops-test"),
            ("channel_id", "C0GENERAL"),
            ("channel_name", "general"),
            ("user_id", "U0EMP"),
            ("user_name", "emp"),
            ("command", "/help-it"),
            ("text", "my laptop won't boot"),
            ("api_app_id", "A0OPS"),
            ("response_url", &format!("{fake_base}/response")),
            ("trigger_id", "1700000000.1.ops"),
        ])
        .unwrap();
        let form = "application/x-www-form-urlencoded";
        let status = post_signed(
            &format!("{base}/slack/commands"),
            SIGNING_SECRET,
            form,
            command,
            "ops-trace-command-1",
        )
        .await;
        assert_eq!(status, 200, "the slash command is accepted");
        for (i, text) in ["yes", "ThinkPad X1", "high", "submit"].iter().enumerate() {
            let status = post_signed(
                &format!("{base}/slack/events"),
                SIGNING_SECRET,
                "application/json",
                slack_event(
                    &format!("Ev0OPS{i}"),
                    "U0EMP",
                    text,
                    &format!("1700000100.00000{i}"),
                ),
                &format!("ops-trace-event-{i}"),
            )
            .await;
            assert_eq!(status, 200, "event {i} is accepted");
        }
        for (who, value, trigger) in [
            ("U0AGENT", "claim:IT-1", "t1"),
            ("U0AGENT", "close:IT-1", "t2"),
            ("U0EMP", "rate:IT-1:5", "t3"),
        ] {
            let status = post_signed(
                &format!("{base}/slack/interactivity"),
                SIGNING_SECRET,
                form,
                slack_click(who, value, trigger),
                "ops-trace-click",
            )
            .await;
            assert_eq!(status, 200, "{value} is accepted");
        }
        // A forged Slack request and a Teams activity with a made-up token are refused.
        let forged = post_signed(
            &format!("{base}/slack/commands"),
            "not-the-secret",
            form,
            "command=%2Fhelp-it&user_id=U0X".into(),
            "ops-trace-forged",
        )
        .await;
        assert!((400..500).contains(&forged), "forged: {forged}");
        let teams = http()
            .post(format!("{base}/api/messages"))
            .header("authorization", format!("Bearer {TEAMS_JWT}"))
            .json(&serde_json::json!({"type": "message", "text": "hi"}))
            .send()
            .await
            .unwrap();
        assert!(
            teams.status().is_client_error(),
            "teams: {}",
            teams.status()
        );

        // The outbox delivers to the fake Slack with the bot token.
        let m = eventually("deliveries to Slack", || async {
            let m = scrape(&base).await;
            let delivered: f64 = m
                .scrape
                .samples
                .iter()
                .filter(|s| s.metric == "frontdesk_deliveries_total")
                .filter(|s| s.labels.get("platform") == Some("slack"))
                .map(|s| match s.value {
                    prometheus_parse::Value::Counter(v) => v,
                    _ => 0.0,
                })
                .sum();
            (delivered > 0.0 && m.get("frontdesk_outbox_depth", &[]) == 0.0).then_some(m)
        })
        .await;
        assert_eq!(
            m.get("frontdesk_requests_created_total", &[("department", "it")]),
            1.0
        );
        assert_eq!(
            m.get(
                "frontdesk_satisfaction_ratings_total",
                &[("department", "it"), ("rating", "5")]
            ),
            1.0
        );
    });
    assert!(!fake.calls_to("chat.postMessage").is_empty());
    assert!(fake
        .calls()
        .iter()
        .all(|c| c.authorization.as_deref() == Some(&format!("Bearer {BOT_TOKEN}"))));

    // A backup through the admin endpoint, and a reload.
    let file = dir.path().join("run.backup");
    let out = process::run_ok(
        &[
            "backup",
            "--to",
            &file.display().to_string(),
            "--data-dir",
            &data_arg,
        ],
        &[],
    );
    let cli_output = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!cli_output.contains(admin_token.trim()));
    server.signal("HUP");
    server
        .stderr
        .wait_for("the reload", |l| l.contains("configuration reloaded"));
    let stderr = server.stderr.clone();
    let status = server.stop();
    assert!(status.success(), "{status}");

    let logs = stderr.all_until_closed();
    assert!(logs.len() > 20, "a debug run logs plenty: {}", logs.len());
    let mut parsed = Vec::new();
    for line in &logs {
        let value: Value = serde_json::from_str(line)
            .unwrap_or_else(|e| panic!("not a JSON log line ({e}): {line}"));
        parsed.push(value);
    }
    for secret in [
        SIGNING_SECRET,
        BOT_TOKEN,
        TEAMS_PASSWORD,
        TEAMS_JWT,
        "ops-teams-jwt-marker",
        admin_token.trim(),
    ] {
        let leaks: Vec<&String> = logs.iter().filter(|l| l.contains(secret)).collect();
        assert!(
            leaks.is_empty(),
            "a secret appears in the logs:\n{}",
            leaks
                .iter()
                .map(|l| l.as_str())
                .collect::<Vec<_>>()
                .join("\n")
        );
    }
    // Spans carry the HTTP request id, the desk's request id and platform ids.
    assert!(
        parsed
            .iter()
            .any(|v| has_field(v, "x_request_id", "ops-trace-healthz-1")),
        "the x-request-id is on the request's log lines"
    );
    assert!(
        parsed
            .iter()
            .any(|v| has_field(v, "x_request_id", "ops-trace-command-1")
                && has_field(v, "user", "slack:U0EMP")),
        "a Slack step logs the HTTP request id and the Slack user"
    );
    assert!(
        parsed.iter().any(|v| has_field(v, "request_id", "IT-1")),
        "the desk's request id is logged"
    );
    assert!(
        parsed
            .iter()
            .any(|v| has_field(v, "event_id", "slack:ev:Ev0OPS3")
                || has_field(v, "event_id", "Ev0OPS3")),
        "the platform's event id is logged"
    );
}
