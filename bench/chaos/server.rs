//! Starting, killing and stopping `frontdesk serve` for `bench/chaos.rs`, and running its other
//! commands on the same data dir and configuration.

use std::path::PathBuf;
use std::time::{Duration, Instant};
use tokio::io::AsyncBufReadExt;

/// How long a start (to listening and ready) or a SIGTERM stop may take.
const PATIENCE: Duration = Duration::from_secs(30);

/// How to run the `frontdesk` binary on this run's data dir.
pub struct Setup {
    pub bin: String,
    pub data_dir: PathBuf,
    pub config: PathBuf,
    pub api_url: String,
    pub log: PathBuf,
}

pub struct Server {
    pub child: tokio::process::Child,
    /// `http://127.0.0.1:PORT`
    pub base: String,
}

impl Setup {
    pub fn command(&self, args: &[&str]) -> tokio::process::Command {
        let mut c = tokio::process::Command::new(&self.bin);
        for name in frontdesk::config::ENV_VARS {
            c.env_remove(name);
        }
        c.args(args)
            .env("FRONTDESK_CONFIG", &self.config)
            .env("FRONTDESK_DATA_DIR", &self.data_dir)
            .stdin(std::process::Stdio::null());
        c
    }

    /// `frontdesk serve`, once it listens and `/readyz` answers 200.
    pub async fn start(&self, http: &reqwest::Client, secret: &str) -> Result<Server, String> {
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.log)
            .map_err(|e| format!("{}: {e}", self.log.display()))?;
        let rust_log = std::env::var("RUST_LOG")
            .unwrap_or_else(|_| "warn,frontdesk::slack::deliver=info".into());
        let mut child = self
            .command(&["serve"])
            .env("FRONTDESK_LISTEN", "127.0.0.1:0")
            .env("SLACK_API_URL", &self.api_url)
            .env("SLACK_SIGNING_SECRET", secret)
            .env("SLACK_BOT_TOKEN", "xoxb-chaos")
            .env("RUST_LOG", rust_log)
            .stdout(std::process::Stdio::piped())
            .stderr(log)
            .kill_on_drop(true)
            .spawn()
            .map_err(|e| {
                format!(
                    "starting {}: {e} (cargo build --release --bin frontdesk)",
                    self.bin
                )
            })?;
        let stdout = child.stdout.take().ok_or("no stdout")?;
        let mut lines = tokio::io::BufReader::new(stdout).lines();
        let listening = async {
            while let Ok(Some(line)) = lines.next_line().await {
                if let Some(addr) = line.strip_prefix("frontdesk listening on ") {
                    return Some(addr.trim().to_string());
                }
            }
            None
        };
        let base = tokio::time::timeout(PATIENCE, listening)
            .await
            .map_err(|_| "frontdesk did not listen within 30 s".to_string())?
            .ok_or_else(|| {
                format!(
                    "frontdesk exited before listening; see {}",
                    self.log.display()
                )
            })?;
        // Keep reading stdout so the child never blocks on a full pipe.
        tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
        let deadline = Instant::now() + PATIENCE;
        loop {
            let ready = http.get(format!("{base}/readyz")).send().await;
            if ready.is_ok_and(|r| r.status() == 200) {
                return Ok(Server { child, base });
            }
            if let Ok(Some(status)) = child.try_wait() {
                return Err(format!(
                    "frontdesk exited ({status}) before it was ready; see {}",
                    self.log.display()
                ));
            }
            if Instant::now() > deadline {
                return Err(format!("{base}/readyz not 200 within 30 s"));
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    }
}

impl Server {
    pub async fn kill_9(mut self) {
        // SIGKILL on Unix.
        let _ = self.child.start_kill();
        let _ = self.child.wait().await;
    }

    /// SIGTERM and the exit status, if it came within [`PATIENCE`].
    pub async fn stop(mut self) -> Option<std::process::ExitStatus> {
        let pid = self.child.id()?.to_string();
        let _ = std::process::Command::new("kill")
            .args(["-TERM", &pid])
            .status();
        tokio::time::timeout(PATIENCE, self.child.wait())
            .await
            .ok()
            .and_then(Result::ok)
    }
}
