//! The real `frontdesk serve` process: it reports ready, and stops cleanly on SIGTERM and
//! SIGINT, exiting 0 with its store flushed and unlocked.

use crate::helpers::app::spawn_binary;
use crate::helpers::process::{self, Server};
use std::time::{Duration, Instant};

fn serve(data_dir: &std::path::Path) -> Server {
    let data_dir = data_dir.display().to_string();
    spawn_binary(
        &[],
        &[
            ("FRONTDESK_LISTEN", "127.0.0.1:0"),
            ("FRONTDESK_DATA_DIR", &data_dir),
        ],
    )
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
        let server = serve(dir.path());
        let addr = server.url("");
        let health = get(&format!("{addr}/healthz")).await;
        assert_eq!(health.status(), 200);
        until_ready(&addr).await;
        let status = server.stop_with(sig);
        assert!(status.success(), "SIG{sig}: exit status {status:?}");
    }
    // The store was released: another process can open it.
    let data_dir = dir.path().display().to_string();
    let out = process::run(&["requests", "list"], &[("FRONTDESK_DATA_DIR", &data_dir)]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[tokio::test]
async fn a_second_server_on_the_same_data_dir_is_refused_with_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let first = serve(dir.path());
    let data_dir = dir.path().display().to_string();
    let out = process::run(
        &["serve"],
        &[
            ("FRONTDESK_LISTEN", "127.0.0.1:0"),
            ("FRONTDESK_DATA_DIR", &data_dir),
        ],
    );
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("store"), "{stderr}");
    assert!(first.stop().success());
}
