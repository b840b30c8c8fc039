//! Black-box tests of the `frontdesk` binary: the console demo, the request CLI, stats and
//! configuration checks, each on a fresh data directory.

use crate::helpers::process;
use std::io::Write;
use std::path::Path;
use std::process::{Output, Stdio};

fn frontdesk(data_dir: &Path, args: &[&str], stdin: &[u8]) -> Output {
    let data_dir = data_dir.display().to_string();
    let mut child = process::frontdesk(args, &[("FRONTDESK_DATA_DIR", &data_dir)])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("starting frontdesk");
    child.stdin.take().unwrap().write_all(stdin).unwrap();
    child.wait_with_output().expect("waiting for frontdesk")
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

const ACCEPTANCE_SCRIPT: &str = "\
/help-it my laptop won't boot
yes
ThinkPad X1 Carbon
3
1
/as alice
/claim IT-1
/reply IT-1 Hold the power button for 10 seconds, then try again.
/as employee
That worked, thank you!
/as alice
/react IT-1 white_check_mark
/as employee
5
Quick and friendly
";

#[test]
fn a_piped_console_script_runs_the_whole_lifecycle_and_the_request_survives_the_process() {
    let dir = tempfile::tempdir().unwrap();
    let out = frontdesk(dir.path(), &["console"], ACCEPTANCE_SCRIPT.as_bytes());
    let console = text(&out);
    assert!(out.status.success(), "{console}");
    assert!(
        console.contains("It sounds like a request for *IT*"),
        "{console}"
    );
    assert!(
        console.contains("[#it] ┌ IT-1 · my laptop won't boot"),
        "{console}"
    );
    assert!(
        console.contains("@alice is now working on *IT-1*"),
        "{console}"
    );
    assert!(console.contains("Hold the power button"), "{console}");
    assert!(
        console.contains("[#it › IT-1] @employee (requester) wrote:"),
        "{console}"
    );
    assert!(console.contains("How did we do with *IT-1*?"), "{console}");
    assert!(
        console.contains("Thank you for your feedback!"),
        "{console}"
    );

    let out = frontdesk(dir.path(), &["requests", "show", "IT-1"], b"");
    let shown = text(&out);
    assert!(out.status.success(), "{shown}");
    for expected in [
        "IT-1 · my laptop won't boot",
        "status:         closed",
        "priority:       high",
        "assignee:       console:alice",
        "Which device or system is affected? ThinkPad X1 Carbon",
        "How urgent is it? high",
        "rating:         5/5",
        "comment:        Quick and friendly",
    ] {
        assert!(
            shown.contains(expected),
            "missing {expected:?} in:\n{shown}"
        );
    }
    let history = [
        "console:employee opened the request",
        "console:alice claimed it",
        "console:alice replied: Hold the power button",
        "console:employee wrote: That worked, thank you!",
        "console:alice closed it",
        "console:employee rated it 5/5",
        "console:employee commented: Quick and friendly",
    ];
    let mut at = 0;
    for line in history {
        let found = shown[at..].find(line).unwrap_or_else(|| {
            panic!("history line {line:?} missing or out of order in:\n{shown}")
        });
        at += found + line.len();
    }

    // The same script again gets the next number: counters survive restarts.
    let out = frontdesk(dir.path(), &["console"], ACCEPTANCE_SCRIPT.as_bytes());
    let again = text(&out);
    assert!(out.status.success(), "{again}");
    assert!(again.contains("Your request *IT-2*"), "{again}");
    let out = frontdesk(dir.path(), &["requests", "show", "IT-2"], b"");
    assert!(
        text(&out).contains("IT-2 · my laptop won't boot"),
        "{}",
        text(&out)
    );
}

#[test]
fn malformed_console_input_gets_polite_answers_and_never_panics() {
    let dir = tempfile::tempdir().unwrap();
    let mut script: Vec<u8> = Vec::new();
    for line in [
        "/claim",
        "/claim not-an-id",
        "/claim IT-99",
        "/close IT-0",
        "/reply",
        "/reply IT-1",
        "/react",
        "/react IT-1 tada",
        "/unreact IT-5",
        "/wait soon",
        "/wait",
        "/as",
        "/show ???",
        "/nonsense",
        "0",
        "999999999999999999999999",
        "-1",
        "/help-it",
        "999",
        "back",
        "back",
        "skip",
        "🙂🙃 ñ 漢字",
        "/help-it cancel",
        "/help-it cancel IT-123",
        "/help-it cancel ---",
        "cancel",
        "/help-it status",
        "/help",
    ] {
        script.extend_from_slice(line.as_bytes());
        script.push(b'\n');
    }
    script.extend_from_slice(&[0xff, 0xfe, b'x', b'\n']);
    script.extend_from_slice("a".repeat(100_000).as_bytes());
    script.extend_from_slice(b"\n/help-it\n1\n");
    let out = frontdesk(dir.path(), &["console"], &script);
    let all = text(&out);
    assert!(out.status.success(), "{all}");
    assert!(!all.contains("panicked"), "{all}");
    assert!(all.contains("Usage: /claim ID"), "{all}");
    assert!(all.contains("not a request id"), "{all}");
    assert!(all.contains("I can't find request IT-99."), "{all}");
    assert!(all.contains("doesn't close requests"), "{all}");
    assert!(all.contains("Usage: /wait DURATION"), "{all}");
    assert!(all.contains("Unknown console command /nonsense"), "{all}");
    assert!(all.contains("I didn't catch that"), "{all}");
    assert!(all.contains("can't be skipped"), "{all}");
    assert!(all.contains("I can't find request IT-123"), "{all}");
    assert!(all.contains("You have no open requests."), "{all}");
}

#[test]
fn requests_list_export_and_stats_report_what_happened() {
    let dir = tempfile::tempdir().unwrap();
    let script = "\
/as carol
/help-it the vpn drops every hour
yes
work laptop
2
submit
/as dave
/help-it
4
my expense report is stuck
12.50
skip
submit
/as alice
/claim IT-1
/close IT-1
/as carol
4
skip
";
    let out = frontdesk(dir.path(), &["console"], script.as_bytes());
    assert!(out.status.success(), "{}", text(&out));

    let list = text(&frontdesk(dir.path(), &["requests", "list"], b""));
    assert!(list.contains("IT-1") && list.contains("FIN-1"), "{list}");
    let open = text(&frontdesk(
        dir.path(),
        &["requests", "list", "--status", "open"],
        b"",
    ));
    assert!(open.contains("FIN-1") && !open.contains("IT-1"), "{open}");
    let carol = text(&frontdesk(
        dir.path(),
        &["requests", "list", "--user", "console:carol"],
        b"",
    ));
    assert!(
        carol.contains("IT-1") && !carol.contains("FIN-1"),
        "{carol}"
    );
    let bad = frontdesk(
        dir.path(),
        &["requests", "list", "--status", "sleeping"],
        b"",
    );
    assert!(!bad.status.success());
    assert!(text(&bad).contains("unknown status"), "{}", text(&bad));

    let json = frontdesk(dir.path(), &["requests", "export", "--format", "json"], b"");
    let exported: serde_json::Value = serde_json::from_slice(&json.stdout).expect("export is JSON");
    let ids: Vec<&str> = exported
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["FIN-1", "IT-1"]);
    assert_eq!(exported[1]["survey"]["rating"], 4);

    let csv = text(&frontdesk(
        dir.path(),
        &["requests", "export", "--format", "csv"],
        b"",
    ));
    let mut lines = csv.lines();
    assert!(
        lines
            .next()
            .unwrap()
            .starts_with("id,department,requester,summary"),
        "{csv}"
    );
    assert_eq!(csv.lines().count(), 3, "{csv}");
    assert!(csv.contains("my expense report is stuck"), "{csv}");

    let stats = frontdesk(dir.path(), &["stats", "--json"], b"");
    let stats: serde_json::Value =
        serde_json::from_slice(&stats.stdout).expect("stats --json is JSON");
    assert_eq!(stats["it"]["closed"], 1);
    assert_eq!(stats["it"]["open"], 0);
    assert_eq!(stats["it"]["average_rating"], 4.0);
    assert_eq!(stats["finance"]["open"], 1);
    let table = text(&frontdesk(dir.path(), &["stats"], b""));
    assert!(
        table.contains("DEPARTMENT") && table.contains("finance"),
        "{table}"
    );

    let missing = frontdesk(dir.path(), &["requests", "show", "IT-7"], b"");
    assert!(!missing.status.success());
    assert!(text(&missing).contains("no request IT-7"));
}

#[test]
fn a_bad_config_exits_non_zero_naming_every_bad_key() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.toml");
    std::fs::write(
        &path,
        r#"
[[departments]]
id = "it"
name = "IT"
prefix = "IT"
slack_channel = "C0IT"
first_response_sla = "4h"

[[departments.fields]]
id = "urgency"
prompt = "How urgent?"
kind = "choice"
options = []

[[departments]]
id = "it"
name = "IT again"
prefix = "IT"
slack_channel = "C0IT2"
"#,
    )
    .unwrap();
    let path = path.to_str().unwrap();
    let out = frontdesk(dir.path(), &["check-config", "--config", path], b"");
    let all = text(&out);
    assert!(!out.status.success(), "{all}");
    assert!(all.contains("departments[0].fields[0].options"), "{all}");
    assert!(all.contains("departments[1].id"), "{all}");
    assert!(all.contains("departments[1].prefix"), "{all}");

    std::fs::write(
        dir.path().join("dur.toml"),
        "[intake]\ntimeout = \"soon\"\n",
    )
    .unwrap();
    let out = frontdesk(
        dir.path(),
        &[
            "console",
            "--config",
            dir.path().join("dur.toml").to_str().unwrap(),
        ],
        b"",
    );
    assert!(!out.status.success());
    assert!(text(&out).contains("intake.timeout"), "{}", text(&out));

    let out = frontdesk(
        dir.path(),
        &["check-config", "--config", "/nonexistent/frontdesk.toml"],
        b"",
    );
    assert!(!out.status.success());
    assert!(
        text(&out).contains("/nonexistent/frontdesk.toml"),
        "{}",
        text(&out)
    );
}

#[test]
fn the_example_and_the_builtin_config_check_out() {
    let dir = tempfile::tempdir().unwrap();
    let example = concat!(env!("CARGO_MANIFEST_DIR"), "/frontdesk.example.toml");
    let out = frontdesk(dir.path(), &["check-config", "--config", example], b"");
    assert!(out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("configuration OK"), "{}", text(&out));
    let out = frontdesk(dir.path(), &["check-config"], b"");
    assert!(out.status.success(), "{}", text(&out));
}

#[test]
fn a_console_card_lists_the_commands_its_status_offers() {
    let dir = tempfile::tempdir().unwrap();
    let script = "\
/help-it my laptop won't boot
yes
ThinkPad
3
1
/as alice
/claim IT-1
/close IT-1
/as employee
/help-it the printer is jammed
yes
HP
2
1
/help-it cancel IT-2
";
    let out = frontdesk(dir.path(), &["console"], script.as_bytes());
    let console = text(&out);
    assert!(out.status.success(), "{console}");
    // Each card, as first posted and after each update: its status line, then its commands.
    let cards: Vec<&str> = console
        .split('┌')
        .skip(1)
        .map(|card| card.split("\n[").next().unwrap_or(card))
        .collect();
    let expect = [
        (
            "status open",
            Some("[/claim IT-1  /close IT-1  /help-it wait IT-1  /reply IT-1 TEXT]"),
        ),
        (
            "status claimed",
            Some("[/close IT-1  /help-it wait IT-1  /takeover IT-1  /unassign IT-1  /reply IT-1 TEXT]"),
        ),
        ("status closed", Some("[/reopen IT-1]")),
        (
            "status open",
            Some("[/claim IT-2  /close IT-2  /help-it wait IT-2  /reply IT-2 TEXT]"),
        ),
        ("status cancelled", None),
    ];
    assert_eq!(cards.len(), expect.len(), "{console}");
    for (card, (status, commands)) in cards.iter().zip(expect) {
        assert!(card.contains(status), "{status} in {card}");
        match commands {
            Some(commands) => assert!(card.contains(commands), "{commands} in {card}"),
            None => assert!(!card.contains("    [/"), "no commands in {card}"),
        }
    }
}

/// The example configuration with `replace` applied to its text.
fn example_with(dir: &Path, name: &str, replace: (&str, &str)) -> String {
    let example = include_str!("../../frontdesk.example.toml");
    assert!(
        example.contains(replace.0),
        "the example has {:?}",
        replace.0
    );
    let path = dir.join(name);
    std::fs::write(&path, example.replacen(replace.0, replace.1, 1)).unwrap();
    path.to_str().unwrap().to_string()
}

#[test]
fn the_language_keys_are_checked_and_named_when_wrong() {
    let dir = tempfile::tempdir().unwrap();
    let default = "default_locale = \"en\"";
    let config = example_with(dir.path(), "fr.toml", (default, "default_locale = \"fr\""));
    let out = frontdesk(dir.path(), &["check-config", "--config", &config], b"");
    let all = text(&out);
    assert!(!out.status.success(), "{all}");
    assert!(
        all.contains("server.default_locale") && all.contains("\"fr\"") && all.contains("en, de"),
        "{all}"
    );

    let messages = dir.path().join("messages.ftl");
    let with_file = format!(
        "{default}\nmessages_file = {:?}",
        messages.to_str().unwrap()
    );
    let config = example_with(dir.path(), "file.toml", (default, &with_file));
    let out = frontdesk(dir.path(), &["check-config", "--config", &config], b"");
    let all = text(&out);
    assert!(!out.status.success(), "a missing file: {all}");
    assert!(all.contains("server.messages_file"), "{all}");
    for (bad, named) in [
        ("survey-thanks = Cheers, { $name }!\n", "$name"),
        ("no-such-message = Hi\n", "no-such-message"),
        ("survey-thanks = { $oops\n", "line 1"),
    ] {
        std::fs::write(&messages, bad).unwrap();
        let out = frontdesk(dir.path(), &["check-config", "--config", &config], b"");
        let all = text(&out);
        assert!(!out.status.success(), "{bad:?} is refused: {all}");
        assert!(
            all.contains("server.messages_file") && all.contains(named),
            "{bad:?}: {all}"
        );
    }
    std::fs::write(&messages, "survey-thanks = Cheers!\n").unwrap();
    let out = frontdesk(dir.path(), &["check-config", "--config", &config], b"");
    assert!(out.status.success(), "{}", text(&out));
}

#[test]
fn check_config_names_a_wrong_survey_policy_by_its_keys() {
    let dir = tempfile::tempdir().unwrap();
    let written = "reminders = 1                    # ...and send at most this many (0-10; 0 = no reminders)\nsample = 1.0";
    let config = example_with(
        dir.path(),
        "survey.toml",
        (written, "reminders = 11\nsample = 1.5"),
    );
    let out = frontdesk(dir.path(), &["check-config", "--config", &config], b"");
    let all = text(&out);
    assert!(!out.status.success(), "{all}");
    assert!(
        all.contains("survey.reminders") && all.contains("at most 10"),
        "{all}"
    );
    assert!(
        all.contains("survey.sample") && all.contains("1.5"),
        "{all}"
    );

    let config = example_with(
        dir.path(),
        "cooldown.toml",
        ("cooldown = \"0s\"", "cooldown = \"-7d\""),
    );
    let out = frontdesk(dir.path(), &["check-config", "--config", &config], b"");
    let all = text(&out);
    assert!(!out.status.success(), "{all}");
    assert!(all.contains("`survey.cooldown`"), "{all}");

    let config = example_with(
        dir.path(),
        "fine.toml",
        ("cooldown = \"0s\"", "cooldown = \"7d\""),
    );
    let out = frontdesk(dir.path(), &["check-config", "--config", &config], b"");
    assert!(out.status.success(), "{}", text(&out));
}

#[test]
fn the_console_speaks_the_default_locale_with_the_admins_overrides() {
    let dir = tempfile::tempdir().unwrap();
    let messages = dir.path().join("messages.ftl");
    std::fs::write(
        &messages,
        "intake-started-dm = Schauen Sie in Ihre Direktnachrichten.\n",
    )
    .unwrap();
    let with_file = format!(
        "default_locale = \"de\"\nmessages_file = {:?}",
        messages.to_str().unwrap()
    );
    let config = example_with(
        dir.path(),
        "de.toml",
        ("default_locale = \"en\"", &with_file),
    );
    let out = frontdesk(
        dir.path(),
        &["console", "--config", &config],
        b"/help-it my laptop won't boot\nyes\n",
    );
    let console = text(&out);
    assert!(out.status.success(), "{console}");
    assert!(
        console.contains("Schauen Sie in Ihre Direktnachrichten."),
        "the override: {console}"
    );
    assert!(
        console.contains("Das klingt nach einer Anfrage für *IT*. Stimmt das?"),
        "the shipped German: {console}"
    );
    assert!(console.contains("1) Ja, IT"), "{console}");
}
