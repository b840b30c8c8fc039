//! The requester's language end to end: over Slack, an override file with a section per
//! locale, the first answer to a slash command in a locale the store already knows, and the
//! command words typed in German; in the console, request cards in the default locale.

use crate::helpers::fake_slack::FakeSlack;
use crate::helpers::process;
use crate::helpers::slack::SlackApp;
use frontdesk::core::{Platform, UserRef};
use std::time::Duration;

const DE: &str = "UGERTRUD";
const EN: &str = "UELLEN";

#[tokio::test]
async fn a_messages_file_overrides_each_locale_in_its_own_section() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("messages.ftl");
    std::fs::write(
        &file,
        "\
# Before any section: the default locale (en).
ask-confirm-department = Is this one for { $team }?

## locale: de
ask-confirm-department = Ist das etwas für { $team }?
",
    )
    .unwrap();
    let f = file.clone();
    let app = SlackApp::spawn_with(move |c| c.server.messages_file = Some(f)).await;
    app.fake.set_locale(DE, "de-DE");
    app.command_json(DE, "my laptop is broken").await;
    app.command_json(EN, "my laptop is broken").await;
    app.drain().await;
    assert_eq!(
        app.last_dm(DE).blocks().unwrap()[0]["text"]["text"],
        "Ist das etwas für *IT*?"
    );
    assert_eq!(
        app.last_dm(EN).blocks().unwrap()[0]["text"]["text"],
        "Is this one for *IT*?"
    );
}

#[tokio::test]
async fn the_first_answer_to_a_slash_command_after_a_restart_speaks_the_stored_locale() {
    let data = tempfile::tempdir().unwrap();
    let dir = data.path().to_path_buf();
    let d = dir.clone();
    let app = SlackApp::spawn_with(move |c| c.server.data_dir = d).await;
    app.fake.set_locale(DE, "de-DE");
    // Starting a request sends a DM, which asks Slack for the locale and keeps it.
    app.command_json(DE, "my laptop is broken").await;
    app.drain().await;
    assert_eq!(app.fake.calls_to("users.info").len(), 1);
    app.dm(DE, "abbrechen").await;
    app.drain().await;
    let fake = app.fake.clone();
    drop(app);

    // A new process: nothing in memory, the locale in the store.
    let app = restarted(fake.clone(), dir).await;
    fake.clear();
    // The harness numbers trigger and event ids from 1 again; skip the ones the first
    // process used, which the store remembers as seen.
    for _ in 0..2 {
        let _ = app.click_body(DE, "unused", None);
    }
    let reply = app.command_json(DE, "status").await;
    assert!(
        reply["text"]
            .as_str()
            .unwrap()
            .starts_with("Sie haben keine offenen Anfragen."),
        "{reply}"
    );
    assert!(fake.calls_to("users.info").is_empty());
}

#[tokio::test]
async fn a_german_user_can_type_the_german_command_words() {
    let app = SlackApp::spawn().await;
    app.fake.set_locale(DE, "de-DE");
    app.command_json(DE, "my laptop is broken").await;
    app.drain().await;
    // "ja" alone: no button says it ("Ja, IT" does), the word does.
    app.dm(DE, "ja").await;
    app.drain().await;
    assert!(
        app.last_dm(DE)
            .str("text")
            .starts_with("Which device or system is affected?"),
        "{}",
        app.last_dm(DE).str("text")
    );
    app.dm(DE, "Hilfe").await;
    app.drain().await;
    assert!(
        app.last_dm(DE)
            .str("text")
            .starts_with("Beantworten Sie die Frage unten"),
        "{}",
        app.last_dm(DE).str("text")
    );
    app.dm(DE, "stopp").await;
    app.drain().await;
    let user = UserRef::new(Platform::Slack, DE);
    assert!(app.engine.store().session(&user).unwrap().draft.is_none());
}

/// The app again on `dir`, once the stopped one has let go of the store.
async fn restarted(fake: FakeSlack, dir: std::path::PathBuf) -> SlackApp {
    for _ in 0..100 {
        let dir = dir.clone();
        match SlackApp::build(fake.clone(), move |c| c.server.data_dir = dir).await {
            Ok(app) => return app,
            Err(_) => tokio::time::sleep(Duration::from_millis(50)).await,
        }
    }
    panic!("the store stayed locked");
}

#[test]
fn the_consoles_cards_speak_the_default_locale() {
    let dir = tempfile::tempdir().unwrap();
    let example = include_str!("../../frontdesk.example.toml");
    let english = "default_locale = \"en\"";
    assert!(example.contains(english));
    let config = dir.path().join("de.toml");
    std::fs::write(
        &config,
        example.replacen(english, "default_locale = \"de\"", 1),
    )
    .unwrap();
    let data = dir.path().join("data").display().to_string();
    let mut child = process::frontdesk(
        &["console", "--config", config.to_str().unwrap()],
        &[("FRONTDESK_DATA_DIR", &data)],
    )
    .stdin(std::process::Stdio::piped())
    .stdout(std::process::Stdio::piped())
    .stderr(std::process::Stdio::piped())
    .spawn()
    .expect("starting frontdesk console");
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"/help-it my laptop won't boot\nja\nThinkPad\n3\n1\n/as alice\n/claim IT-1\n")
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let console = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(out.status.success(), "{console}");
    assert!(
        console.contains("IT · von @employee · Priorität hoch · Status offen"),
        "{console}"
    );
    assert!(
        console.contains("Status in Bearbeitung · bei @alice"),
        "{console}"
    );
}
