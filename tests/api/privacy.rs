//! One person's data and the audit log, through the real binary while it serves: `privacy
//! export` finds a person's words, `privacy erase` leaves no trace of them in an export or a
//! backup, and `audit verify` notices a changed byte in the stored log.

use crate::helpers::fake_slack::FakeSlack;
use crate::helpers::process::{run, wait_until_unlocked};
use crate::helpers::slack::{command, ready, say, slack_env, start};
use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine as _;
use sha2::{Digest, Sha256};

fn text(out: &std::process::Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// Every stored value in a backup file, decoded: the file keeps them in base64.
fn backup_values(path: &std::path::Path) -> String {
    let mut out = String::new();
    for line in std::fs::read_to_string(path).unwrap().lines().skip(1) {
        let record: serde_json::Value = serde_json::from_str(line).unwrap();
        if let Some(kv) = record.get("kv") {
            for part in kv.as_array().unwrap() {
                let bytes = B64.decode(part.as_str().unwrap()).unwrap();
                out.push_str(&String::from_utf8_lossy(&bytes));
                out.push('\n');
            }
        }
    }
    out
}

/// Checks the exported log as an outside tool would, from the documented rule alone.
fn check_chain(lines: &str) -> Vec<serde_json::Value> {
    let mut prev = "0".repeat(64);
    let mut entries = Vec::new();
    for (i, line) in lines.lines().enumerate() {
        let e: serde_json::Value = serde_json::from_str(line).unwrap();
        assert_eq!(e["seq"], (i + 1) as u64, "{line}");
        assert_eq!(e["prev"], prev.as_str(), "{line}");
        let field = |k: &str| match &e[k] {
            serde_json::Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        let joined = ["seq", "at", "request", "actor", "event", "detail", "prev"]
            .map(field)
            .join("\n");
        let hash: String = Sha256::digest(joined.as_bytes())
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        assert_eq!(e["hash"], hash.as_str(), "{line}");
        prev = hash;
        entries.push(e);
    }
    entries
}

#[tokio::test(flavor = "multi_thread")]
async fn erasure_leaves_no_trace_in_exports_or_backups_and_the_log_records_it() {
    let fake = FakeSlack::start().await;
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let data_arg = data.display().to_string();
    let server = start(&slack_env(&fake, &data, None));
    ready(&server).await;

    command(&server, "U1", "my quokka-laptop won't boot", "trig-privacy").await;
    for (i, answer) in ["yes", "ThinkPad wombat-7", "high", "submit"]
        .iter()
        .enumerate()
    {
        let ts = format!("1700000500.00000{i}");
        say(&server, &format!("EvPriv{i}"), "U1", answer, &ts).await;
    }
    say(
        &server,
        "EvPriv9",
        "U1",
        "the quokka printer is broken too",
        "1700000600.000001",
    )
    .await;
    // Someone else's draft, which the erasure leaves alone.
    command(&server, "U2", "the numbat projector flickers", "trig-other").await;

    let env = [("FRONTDESK_DATA_DIR", data_arg.as_str())];
    let export = run(&["privacy", "export", "--user", "U1"], &env);
    assert!(export.status.success(), "{}", text(&export));
    let person: serde_json::Value = serde_json::from_slice(&export.stdout).unwrap();
    assert_eq!(person["requests_filed"][0]["id"], "IT-1", "{person}");
    let exported = person.to_string();
    for words in ["quokka-laptop", "wombat-7", "quokka printer"] {
        assert!(exported.contains(words), "{words} missing in {exported}");
    }
    assert!(!exported.contains("numbat"), "{exported}");

    let before = dir.path().join("before.backup");
    let backup = run(&["backup", "--to", &before.display().to_string()], &env);
    assert!(backup.status.success(), "{}", text(&backup));
    assert!(
        backup_values(&before).contains("quokka"),
        "the backup holds the words before the erasure"
    );

    let erase = run(&["privacy", "erase", "--user", "U1"], &env);
    assert!(erase.status.success(), "{}", text(&erase));
    assert!(text(&erase).contains("erased slack:U1"), "{}", text(&erase));

    let after = dir.path().join("after.backup");
    let backup = run(&["backup", "--to", &after.display().to_string()], &env);
    assert!(backup.status.success(), "{}", text(&backup));
    let requests = run(&["requests", "export"], &env);
    let person = run(&["privacy", "export", "--user", "U1"], &env);
    for (what, content) in [
        ("the backup", backup_values(&after)),
        ("requests export", text(&requests)),
        ("privacy export", text(&person)),
    ] {
        for words in ["quokka", "wombat"] {
            assert!(
                !content.contains(words),
                "{words} left in {what}: {content}"
            );
        }
        assert!(content.contains("IT-1"), "the request itself stays: {what}");
    }
    assert!(
        backup_values(&after).contains("numbat"),
        "someone else's draft stays"
    );

    let verify = run(&["audit", "verify"], &env);
    assert!(verify.status.success(), "{}", text(&verify));
    assert!(
        text(&verify).contains("the chain holds"),
        "{}",
        text(&verify)
    );
    let log = run(&["audit", "export"], &env);
    assert!(log.status.success(), "{}", text(&log));
    let log = String::from_utf8(log.stdout).unwrap();
    let entries = check_chain(&log);
    assert!(entries
        .iter()
        .any(|e| e["request"] == "IT-1" && e["event"] == "created" && e["actor"] == "slack:U1"));
    let erasure = entries.last().unwrap();
    assert_eq!(erasure["event"], "erasure", "{log}");
    assert!(
        erasure["detail"]
            .as_str()
            .unwrap()
            .contains("user=slack:U1"),
        "{log}"
    );
    assert!(!log.contains("quokka"), "{log}");
    assert!(server.stop().success());

    // A byte changed in the stored log, with the server stopped.
    wait_until_unlocked(&data);
    {
        let db = sled::open(&data).unwrap();
        let audit = db.open_tree("audit").unwrap();
        let (key, value) = audit.iter().nth(1).unwrap().unwrap();
        let mut value = value.to_vec();
        let at = value.windows(5).position(|w| w == b"\"at\":").unwrap() + 7;
        value[at] = if value[at] == b'1' { b'2' } else { b'1' };
        audit.insert(key, value).unwrap();
        db.flush().unwrap();
    }
    wait_until_unlocked(&data);
    let verify = run(&["audit", "verify"], &env);
    assert_eq!(verify.status.code(), Some(1), "{}", text(&verify));
    assert!(
        text(&verify).contains("entry 2 was changed"),
        "{}",
        text(&verify)
    );
}
