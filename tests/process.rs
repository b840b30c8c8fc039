//! The real `frontdesk serve` process: it reports ready, and stops cleanly on SIGTERM and
//! SIGINT, exiting 0 with its store flushed and unlocked.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

struct Server {
    child: Child,
    addr: String,
}

fn serve(data_dir: &std::path::Path) -> Server {
    let mut child = Command::new(env!("CARGO_BIN_EXE_frontdesk"))
        .arg("serve")
        .env("FRONTDESK_LISTEN", "127.0.0.1:0")
        .env("FRONTDESK_DATA_DIR", data_dir)
        .env_remove("FRONTDESK_CONFIG")
        .env_remove("SLACK_SIGNING_SECRET")
        .env_remove("SLACK_BOT_TOKEN")
        .env_remove("TEAMS_APP_ID")
        .env_remove("TEAMS_APP_PASSWORD")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("starting frontdesk serve");
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let addr = line
        .trim()
        .strip_prefix("frontdesk listening on ")
        .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
        .to_string();
    Server { child, addr }
}

fn signal(child: &Child, name: &str) {
    let ok = Command::new("kill")
        .args([format!("-{name}"), child.id().to_string()])
        .status()
        .unwrap()
        .success();
    assert!(ok, "kill -{name} failed");
}

fn wait_exit(child: &mut Child, within: Duration) -> std::process::ExitStatus {
    let deadline = Instant::now() + within;
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status;
        }
        assert!(
            Instant::now() < deadline,
            "frontdesk did not exit in {within:?}"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

async fn get(url: &str) -> reqwest::Response {
    reqwest::get(url)
        .await
        .unwrap_or_else(|e| panic!("GET {url}: {e}"))
}

async fn until_ready(addr: &str) {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        if get(&format!("{addr}/readyz")).await.status() == 200 {
            return;
        }
        assert!(Instant::now() < deadline, "never became ready");
        tokio::task::yield_now().await;
    }
}

#[tokio::test]
async fn serve_is_healthy_ready_and_stops_cleanly_on_sigterm_and_sigint() {
    let dir = tempfile::tempdir().unwrap();
    for sig in ["TERM", "INT"] {
        let mut server = serve(dir.path());
        let health = get(&format!("{}/healthz", server.addr)).await;
        assert_eq!(health.status(), 200);
        until_ready(&server.addr).await;
        signal(&server.child, sig);
        let status = wait_exit(&mut server.child, Duration::from_secs(20));
        assert!(status.success(), "SIG{sig}: exit status {status:?}");
    }
    // The store was released: another process can open it.
    let out = Command::new(env!("CARGO_BIN_EXE_frontdesk"))
        .args(["requests", "list"])
        .env("FRONTDESK_DATA_DIR", dir.path())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[tokio::test]
async fn a_second_server_on_the_same_data_dir_is_refused_with_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let mut first = serve(dir.path());
    let out = Command::new(env!("CARGO_BIN_EXE_frontdesk"))
        .arg("serve")
        .env("FRONTDESK_LISTEN", "127.0.0.1:0")
        .env("FRONTDESK_DATA_DIR", dir.path())
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("store"), "{stderr}");
    signal(&first.child, "TERM");
    assert!(wait_exit(&mut first.child, Duration::from_secs(20)).success());
}
