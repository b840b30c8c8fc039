//! Starting `frontdesk serve` for a load run, optionally pinned to some CPUs with `taskset`,
//! and moving the load client itself onto the CPUs the server doesn't have.

use std::collections::BTreeSet;
use std::time::Duration;

/// How to start the server.
pub struct Launch<'a> {
    pub bin: &'a str,
    pub api_url: &'a str,
    pub secret: &'a str,
    pub data_dir: &'a std::path::Path,
    /// Sets `FRONTDESK_OUTBOX_CONCURRENCY`.
    pub outbox_concurrency: Option<usize>,
    /// A `taskset -c` CPU list; `None` runs the server unpinned.
    pub cpus: Option<&'a str>,
    /// Sets `SLACK_APP_TOKEN`: Slack over Socket Mode too.
    pub app_token: Option<&'a str>,
}

/// `frontdesk serve` on 127.0.0.1:0; returns the child and the address it printed.
pub async fn start(launch: &Launch<'_>) -> Result<(tokio::process::Child, String), String> {
    use tokio::io::AsyncBufReadExt;
    let mut command = match launch.cpus {
        Some(cpus) => {
            let mut c = tokio::process::Command::new("taskset");
            c.args(["-c", cpus, launch.bin]);
            c
        }
        None => tokio::process::Command::new(launch.bin),
    };
    command
        .arg("serve")
        .env_remove("FRONTDESK_CONFIG")
        .env("FRONTDESK_LISTEN", "127.0.0.1:0")
        .env("FRONTDESK_DATA_DIR", launch.data_dir)
        .env("SLACK_API_URL", launch.api_url)
        .env("SLACK_SIGNING_SECRET", launch.secret)
        .env("SLACK_BOT_TOKEN", "xoxb-bench")
        .env(
            "RUST_LOG",
            std::env::var("RUST_LOG").unwrap_or_else(|_| "warn".into()),
        );
    if let Some(token) = launch.app_token {
        command.env("SLACK_APP_TOKEN", token);
    }
    if let Some(n) = launch.outbox_concurrency {
        command.env("FRONTDESK_OUTBOX_CONCURRENCY", n.to_string());
    }
    let bin = launch.bin;
    let mut child = command
        .stdout(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .map_err(|e| {
            // The build hint names what was asked for: frontdesk or another example.
            let build = match std::path::Path::new(bin)
                .file_name()
                .and_then(|n| n.to_str())
            {
                Some("frontdesk") | None => "--bin frontdesk".to_string(),
                Some(example) => format!("--example {example}"),
            };
            format!("starting {bin}: {e} (build it first: cargo build --release {build})")
        })?;
    let stdout = child.stdout.take().ok_or("no stdout")?;
    let mut lines = tokio::io::BufReader::new(stdout).lines();
    let line = tokio::time::timeout(Duration::from_secs(30), lines.next_line())
        .await
        .map_err(|_| "frontdesk did not print its address within 30 s".to_string())?
        .map_err(|e| e.to_string())?
        .ok_or("frontdesk exited before listening")?;
    let addr = line
        .rsplit(' ')
        .next()
        .unwrap_or_default()
        .trim()
        .to_string();
    // Keep reading stdout so the child never blocks on a full pipe.
    tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
    Ok((child, addr))
}

/// SIGTERM, then wait (bounded) for the server to finish its shutdown.
pub async fn stop(child: &mut tokio::process::Child) {
    if let Some(pid) = child.id() {
        let _ = tokio::process::Command::new("kill")
            .args(["-TERM", &pid.to_string()])
            .status()
            .await;
    }
    let _ = tokio::time::timeout(Duration::from_secs(30), child.wait()).await;
}

/// A CPU list as `taskset -c` takes it: `0`, `0,2`, `0-3`.
pub fn parse_cpu_list(list: &str) -> Result<BTreeSet<usize>, String> {
    let mut cpus = BTreeSet::new();
    for part in list.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let bad = |_| format!("{list:?} is not a CPU list like 0 or 0,2 or 0-3");
        match part.split_once('-') {
            Some((a, b)) => {
                let (a, b): (usize, usize) = (a.parse().map_err(bad)?, b.parse().map_err(bad)?);
                cpus.extend(a..=b);
            }
            None => {
                cpus.insert(part.parse().map_err(bad)?);
            }
        }
    }
    if cpus.is_empty() {
        return Err(format!("{list:?} names no CPU"));
    }
    Ok(cpus)
}

fn format_cpu_list(cpus: &BTreeSet<usize>) -> String {
    cpus.iter()
        .map(usize::to_string)
        .collect::<Vec<_>>()
        .join(",")
}

pub fn taskset_available() -> bool {
    std::process::Command::new("taskset")
        .arg("--version")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// The CPUs this process may run on (`Cpus_allowed_list` in `/proc/self/status`).
fn allowed_cpus() -> Option<BTreeSet<usize>> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let list = status
        .lines()
        .find_map(|l| l.strip_prefix("Cpus_allowed_list:"))?;
    parse_cpu_list(list.trim()).ok()
}

/// Moves this process (all its threads; call it before starting any) onto the allowed CPUs
/// the server doesn't get. Returns those CPUs, or `None` (with a warning) when there are none
/// left or `taskset` failed, and the client stays where it was.
pub fn pin_client_away_from(server: &BTreeSet<usize>) -> Option<BTreeSet<usize>> {
    let allowed = allowed_cpus()?;
    if !server.is_subset(&allowed) {
        eprintln!(
            "slack_load: warning: --server-cpus {} is not within the CPUs allowed here ({})",
            format_cpu_list(server),
            format_cpu_list(&allowed)
        );
    }
    let rest: BTreeSet<usize> = allowed.difference(server).copied().collect();
    if rest.is_empty() {
        eprintln!("slack_load: warning: no CPU left for the load client; it runs unpinned");
        return None;
    }
    let list = format_cpu_list(&rest);
    let pinned = std::process::Command::new("taskset")
        .args(["-a", "-p", "-c", &list, &std::process::id().to_string()])
        .stdout(std::process::Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !pinned {
        eprintln!("slack_load: warning: taskset could not pin the load client to CPUs {list}; it runs unpinned");
        return None;
    }
    Some(rest)
}

/// A process's CPU time (all threads, user and system) and context switches, from `/proc`.
// Not every load script that shares this file reports it.
#[allow(dead_code)]
pub struct Usage {
    pub cpu_seconds: f64,
    pub context_switches: u64,
}

/// Reads `pid`'s usage; `None` where `/proc` is not there.
#[allow(dead_code)]
pub fn usage(pid: u32) -> Option<Usage> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // Fields after the command name, which is in parentheses and may hold spaces.
    let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
    let ticks: f64 = fields.get(11)?.parse::<f64>().ok()? + fields.get(12)?.parse::<f64>().ok()?;
    let mut context_switches = 0;
    for task in std::fs::read_dir(format!("/proc/{pid}/task"))
        .ok()?
        .flatten()
    {
        let status = std::fs::read_to_string(task.path().join("status")).unwrap_or_default();
        for line in status.lines() {
            if let Some(n) = line
                .strip_prefix("voluntary_ctxt_switches:")
                .or_else(|| line.strip_prefix("nonvoluntary_ctxt_switches:"))
            {
                context_switches += n.trim().parse::<u64>().unwrap_or(0);
            }
        }
    }
    // Linux reports in USER_HZ, 100 on every common configuration.
    Some(Usage {
        cpu_seconds: ticks / 100.0,
        context_switches,
    })
}
