//! The real `frontdesk` binary as a child process: the one hermetic command builder,
//! short-lived commands run to completion, `frontdesk serve` with its logs captured, and a
//! wait for a store's lock to be let go.

use super::PATIENCE;
use std::ffi::OsString;
use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{mpsc, Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

pub const BIN: &str = env!("CARGO_BIN_EXE_frontdesk");

/// Besides the configuration's own variables ([`frontdesk::config::ENV_VARS`]) and any other
/// `FRONTDESK_`, `SLACK_` or `TEAMS_` variable, the ones that choose the file or change
/// logging and networking: the tests set what they need and nothing leaks in from the
/// environment they run in.
const HERMETIC_TOO: &[&str] = &[
    "FRONTDESK_CONFIG",
    "RUST_LOG",
    "HTTP_PROXY",
    "HTTPS_PROXY",
    "ALL_PROXY",
    "NO_PROXY",
    "http_proxy",
    "https_proxy",
    "all_proxy",
    "no_proxy",
];

/// The prefixes of the variables frontdesk reads, now or later.
const OURS: &[&str] = &["FRONTDESK_", "SLACK_", "TEAMS_"];

/// The one way a test builds a command for the real `frontdesk` binary, hermetic:
///
/// - nothing leaks in from the environment the tests run in: every `FRONTDESK_`, `SLACK_` and
///   `TEAMS_` variable, `RUST_LOG` and the proxy variables are removed, then `env` is set;
/// - it listens on loopback only: `FRONTDESK_LISTEN` is `127.0.0.1:0` unless `env` or a
///   `--config` file says where;
/// - its store is never the default `./data` of the checkout: `FRONTDESK_DATA_DIR` is a fresh
///   directory under Cargo's `CARGO_TARGET_TMPDIR` unless `env`, `--data-dir` or a `--config`
///   file names one.
///
/// Durations short enough for a test (service levels, reminders, backoff) come from the
/// configuration file a test writes and names with `--config` or `FRONTDESK_CONFIG`.
pub fn frontdesk(args: &[&str], env: &[(&str, &str)]) -> Command {
    let mut cmd = Command::new(BIN);
    for name in frontdesk::config::ENV_VARS.iter().chain(HERMETIC_TOO) {
        cmd.env_remove(name);
    }
    for (name, _) in std::env::vars_os() {
        let text = name.to_string_lossy();
        if OURS.iter().any(|p| text.starts_with(p)) {
            cmd.env_remove(&name);
        }
    }
    // Set by the test, in the environment or on the command line (a configuration file
    // names its own listen address and data directory).
    let given = |var: &str, flag: Option<&str>| {
        env.iter()
            .any(|(k, _)| *k == var || *k == "FRONTDESK_CONFIG")
            || args.iter().any(|a| Some(*a) == flag || *a == "--config")
    };
    if !given("FRONTDESK_LISTEN", None) {
        cmd.env("FRONTDESK_LISTEN", "127.0.0.1:0");
    }
    if !given("FRONTDESK_DATA_DIR", Some("--data-dir")) {
        cmd.env("FRONTDESK_DATA_DIR", scratch_dir());
    }
    cmd.args(args).envs(env.iter().copied());
    cmd
}

/// A directory no other command uses, under Cargo's scratch space for integration tests.
fn scratch_dir() -> OsString {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let dir: PathBuf = [
        env!("CARGO_TARGET_TMPDIR"),
        &format!(
            "frontdesk-{}-{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::SeqCst)
        ),
    ]
    .iter()
    .collect();
    let _ = std::fs::remove_dir_all(&dir);
    dir.into_os_string()
}

/// [`run`], for a command that must succeed: fails the test with its stderr otherwise.
pub fn run_ok(args: &[&str], env: &[(&str, &str)]) -> std::process::Output {
    let out = run(args, env);
    assert!(
        out.status.success(),
        "frontdesk {} failed: {}",
        args.join(" "),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// Runs a short-lived `frontdesk` command to completion (bounded by [`PATIENCE`]).
pub fn run(args: &[&str], env: &[(&str, &str)]) -> std::process::Output {
    let mut cmd = frontdesk(args, env);
    cmd.stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let child = cmd.spawn().expect("spawning frontdesk");
    let pid = child.id();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(child.wait_with_output());
    });
    match rx.recv_timeout(PATIENCE) {
        Ok(out) => out.expect("waiting for frontdesk"),
        Err(_) => {
            let _ = Command::new("kill")
                .arg("-KILL")
                .arg(pid.to_string())
                .status();
            panic!("frontdesk {args:?} did not finish within {PATIENCE:?}");
        }
    }
}

#[derive(Default)]
struct Seen {
    lines: Vec<String>,
    /// The stream reached its end (the child closed it or exited).
    closed: bool,
}

/// Lines a child wrote to one stream, with a way to wait for a particular one.
#[derive(Clone, Default)]
pub struct Lines(Arc<(Mutex<Seen>, Condvar)>);

impl Lines {
    fn collect(self, stream: impl std::io::Read + Send + 'static) {
        std::thread::spawn(move || {
            let (seen, changed) = &*self.0;
            for line in BufReader::new(stream).lines() {
                let Ok(line) = line else { break };
                seen.lock().unwrap().lines.push(line);
                changed.notify_all();
            }
            seen.lock().unwrap().closed = true;
            changed.notify_all();
        });
    }

    pub fn all(&self) -> Vec<String> {
        self.0 .0.lock().unwrap().lines.clone()
    }

    /// Every line, once the stream has ended (bounded by [`PATIENCE`]).
    pub fn all_until_closed(&self) -> Vec<String> {
        let deadline = Instant::now() + PATIENCE;
        let (seen, changed) = &*self.0;
        let mut guard = seen.lock().unwrap();
        while !guard.closed {
            let left = deadline.saturating_duration_since(Instant::now());
            assert!(
                !left.is_zero(),
                "the stream did not end within {PATIENCE:?}"
            );
            guard = changed.wait_timeout(guard, left).unwrap().0;
        }
        guard.lines.clone()
    }

    /// Waits until a line satisfies `want`; returns it.
    pub fn wait_for(&self, what: &str, want: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + PATIENCE;
        let (seen, changed) = &*self.0;
        let mut guard = seen.lock().unwrap();
        loop {
            if let Some(l) = guard.lines.iter().find(|l| want(l)) {
                return l.clone();
            }
            let left = deadline.saturating_duration_since(Instant::now());
            assert!(
                !left.is_zero() && !guard.closed,
                "no line {what} within {PATIENCE:?}; got:\n{}",
                guard.lines.join("\n")
            );
            guard = changed.wait_timeout(guard, left).unwrap().0;
        }
    }

    /// Waits until something new is written (or the stream ends), at most `limit`.
    fn wait_a_little(&self, limit: Duration) {
        let (seen, changed) = &*self.0;
        let guard = seen.lock().unwrap();
        let (n, closed) = (guard.lines.len(), guard.closed);
        let _ = changed
            .wait_timeout_while(guard, limit, |s| s.lines.len() == n && s.closed == closed)
            .unwrap();
    }
}

/// `frontdesk serve` running as a child process.
pub struct Server {
    child: Child,
    pub addr: SocketAddr,
    pub stdout: Lines,
    pub stderr: Lines,
}

impl Server {
    /// Starts `frontdesk <args>` (which must include `serve`) and waits for its
    /// `frontdesk listening on http://ADDR` line.
    pub fn start(args: &[&str], env: &[(&str, &str)]) -> Server {
        let mut child = frontdesk(args, env)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawning frontdesk serve");
        let (stdout, stderr) = (Lines::default(), Lines::default());
        stdout.clone().collect(child.stdout.take().unwrap());
        stderr.clone().collect(child.stderr.take().unwrap());
        let mut server = Server {
            child,
            addr: "127.0.0.1:0".parse().unwrap(),
            stdout,
            stderr,
        };
        let deadline = Instant::now() + PATIENCE;
        let line = loop {
            if let Some(l) = server
                .stdout
                .all()
                .into_iter()
                .find(|l| l.starts_with("frontdesk listening on http://"))
            {
                break l;
            }
            if let Ok(Some(status)) = server.child.try_wait() {
                panic!(
                    "frontdesk serve exited ({status}) before listening:\n{}",
                    server.stderr.all().join("\n")
                );
            }
            assert!(
                Instant::now() < deadline,
                "frontdesk serve did not start listening within {PATIENCE:?}:\n{}",
                server.stderr.all().join("\n")
            );
            // Wake on the next stdout line; look at the process again after a moment in
            // case it died without writing one.
            server.stdout.wait_a_little(Duration::from_millis(100));
        };
        server.addr = line
            .trim_start_matches("frontdesk listening on http://")
            .trim()
            .parse()
            .expect("the announced address");
        assert!(
            server.addr.ip().is_loopback(),
            "tests listen on loopback only"
        );
        server
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Sends a signal (`HUP`, `TERM`, …) to this child with `kill`.
    pub fn signal(&self, name: &str) {
        let status = Command::new("kill")
            .arg(format!("-{name}"))
            .arg(self.pid().to_string())
            .status()
            .expect("running kill");
        assert!(status.success(), "kill -{name} failed");
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// SIGKILL: the process dies wherever it is, as in a crash.
    pub fn kill_9(mut self) {
        self.signal("KILL");
        let _ = self.child.wait();
    }

    /// SIGTERM, then waits for the exit (bounded).
    pub fn stop(self) -> ExitStatus {
        self.stop_with("TERM")
    }

    /// Sends `signal` (`TERM`, `INT`), then waits for the exit (bounded).
    pub fn stop_with(mut self, signal: &str) -> ExitStatus {
        self.signal(signal);
        let deadline = Instant::now() + PATIENCE;
        loop {
            if let Some(status) = self.child.try_wait().expect("waiting for frontdesk") {
                return status;
            }
            assert!(
                Instant::now() < deadline,
                "frontdesk did not stop within {PATIENCE:?} of SIG{signal}"
            );
            // Its stderr closes when it exits: wake then, or look again after a moment.
            self.stderr.wait_a_little(Duration::from_millis(50));
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// Waits until no handle holds the store's lock in `dir`. sled lets go of its lock from a
/// background thread a moment after the last handle in a process is dropped, so a test that
/// closes a store and hands the directory to something else waits for that first.
pub fn wait_until_unlocked(dir: &std::path::Path) {
    let db = dir.join("db");
    let deadline = Instant::now() + PATIENCE;
    loop {
        let Ok(file) = std::fs::File::open(&db) else {
            return; // no store (yet)
        };
        match file.try_lock() {
            Ok(()) => {
                let _ = file.unlock();
                return;
            }
            Err(std::fs::TryLockError::WouldBlock) => {
                assert!(
                    Instant::now() < deadline,
                    "{} stayed locked for {PATIENCE:?}",
                    db.display()
                );
                std::thread::sleep(Duration::from_millis(5));
            }
            Err(std::fs::TryLockError::Error(e)) => panic!("locking {}: {e}", db.display()),
        }
    }
}
