//! The request form on Slack: opened from `/help-it` (with `slack.slash_opens = "form"`),
//! the conversation's "Fill in a form" button, the "New request" shortcut and the "Create
//! request" message shortcut; redrawn when a department is chosen; sent back field by field
//! when something is missing; and filed like the conversation when complete.

use crate::helpers::slack::{dm_channel, SlackApp};
use frontdesk::config::SlashOpens;
use serde_json::{json, Value};

const ALICE: &str = "UALICE";
const FORM: &str = "application/x-www-form-urlencoded";

async fn interact(app: &SlackApp, payload: Value) -> reqwest::Response {
    let body = serde_urlencoded::to_string([("payload", payload.to_string())]).unwrap();
    app.post_signed("/slack/interactivity", FORM, body.into_bytes(), &[])
        .await
}

fn submission(view_id: &str, values: Value) -> Value {
    json!({
        "type": "view_submission", "team": {"id": "T0FRONT"}, "user": {"id": ALICE},
        "view": {"id": view_id, "callback_id": "fd_form", "private_metadata": "{\"department\":\"it\"}",
                 "state": {"values": values}},
    })
}

fn block_ids(view: &Value) -> Vec<String> {
    view["blocks"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|b| b["block_id"].as_str().map(str::to_string))
        .collect()
}

#[tokio::test]
async fn the_form_opens_from_the_slash_command_asks_the_departments_fields_and_files_the_request() {
    let app = SlackApp::spawn_with(|c| c.slack.slash_opens = SlashOpens::Form).await;
    let r = app.command(ALICE, "").await;
    assert_eq!(r.status(), 200);
    assert_eq!(
        r.text().await.unwrap(),
        "",
        "the form answers; nothing to say in place"
    );
    let opened = app.fake.calls_to("views.open");
    assert_eq!(opened.len(), 1, "{opened:?}");
    let view = &opened[0].body["view"];
    assert_eq!(view["callback_id"], "fd_form");
    assert_eq!(block_ids(view), ["department"]);

    // Choosing the department redraws the form in place with its questions.
    let chosen = json!({
        "type": "block_actions", "user": {"id": ALICE}, "trigger_id": "7.7.t",
        "view": {"id": "V0FORM", "hash": "h1", "private_metadata": "{}"},
        "actions": [{"action_id": "fd_form_department", "type": "static_select",
                     "selected_option": {"value": "it"}}],
    });
    assert_eq!(interact(&app, chosen).await.status(), 200);
    let updated = app.fake.calls_to("views.update");
    assert_eq!(updated.len(), 1);
    assert_eq!(updated[0].body["view_id"], "V0FORM");
    assert_eq!(
        block_ids(&updated[0].body["view"]),
        ["department", "summary", "field:device", "field:urgency"]
    );

    // A required field left empty comes back with an error on it; nothing is filed.
    let missing = submission(
        "V0FORM",
        json!({
            "department": {"fd_form_department": {"type": "static_select", "selected_option": {"value": "it"}}},
            "summary": {"value": {"type": "plain_text_input", "value": "my screen is black"}},
            "field:urgency": {"value": {"type": "static_select", "selected_option": {"value": "high"}}},
        }),
    );
    let r = interact(&app, missing).await;
    assert_eq!(r.status(), 200);
    let answer: Value = r.json().await.unwrap();
    assert_eq!(answer["response_action"], "errors");
    assert_eq!(answer["errors"]["field:device"], "This one is needed.");
    app.drain().await;
    assert!(app.posts_in("C0IT", None).is_empty(), "nothing filed");

    // Complete: filed as the conversation files it, once.
    let complete = submission(
        "V0FORM",
        json!({
            "department": {"fd_form_department": {"type": "static_select", "selected_option": {"value": "it"}}},
            "summary": {"value": {"type": "plain_text_input", "value": "my screen is black"}},
            "field:device": {"value": {"type": "plain_text_input", "value": "Dell 27"}},
            "field:urgency": {"value": {"type": "static_select", "selected_option": {"value": "high"}}},
        }),
    );
    let r = interact(&app, complete.clone()).await;
    assert_eq!(r.text().await.unwrap(), "", "the form closes");
    assert_eq!(interact(&app, complete).await.status(), 200, "a redelivery");
    app.drain().await;
    let cards = app.posts_in("C0IT", None);
    assert_eq!(cards.len(), 1, "one card");
    let card = cards[0].text_everywhere();
    assert!(
        card.contains("my screen is black") && card.contains("Dell 27"),
        "{card}"
    );
    let r = app.request("IT-1");
    assert_eq!(r.priority.as_str(), "high");
    assert!(app
        .dms_to(ALICE)
        .iter()
        .any(|d| d.str("text").contains("IT-1")));
}

#[tokio::test]
async fn the_button_and_the_shortcuts_open_the_form_and_a_message_prefills_it() {
    let app = SlackApp::spawn().await;
    // The conversation's first question offers the form.
    app.command(ALICE, "").await;
    app.drain().await;
    assert!(app
        .last_dm(ALICE)
        .button_values()
        .contains(&"form".to_string()));
    let body = app.click_body(ALICE, "form", Some("8.8.form"));
    app.post_signed("/slack/interactivity", FORM, body, &[])
        .await;
    let global = json!({"type": "shortcut", "callback_id": "new_request", "trigger_id": "9.9.t",
                        "user": {"id": ALICE}, "team": {"id": "T0FRONT"}});
    assert_eq!(interact(&app, global).await.status(), 200);
    let on_message = json!({
        "type": "message_action", "callback_id": "create_request", "trigger_id": "10.10.t",
        "user": {"id": ALICE}, "team": {"id": "T0FRONT"}, "channel": {"id": "C0GENERAL"},
        "message": {"type": "message", "user": "UBOB", "ts": "1800000000.000100", "text": "the printer on 3 is on fire"},
    });
    assert_eq!(interact(&app, on_message).await.status(), 200);
    let opened = app.fake.calls_to("views.open");
    let triggers: Vec<&str> = opened.iter().map(|c| c.str("trigger_id")).collect();
    assert_eq!(triggers, ["8.8.form", "9.9.t", "10.10.t"]);
    let prefilled = &opened[2].body["view"];
    let metadata: Value =
        serde_json::from_str(prefilled["private_metadata"].as_str().unwrap()).unwrap();
    assert!(
        metadata["summary"]
            .as_str()
            .unwrap()
            .starts_with("the printer on 3 is on fire"),
        "{metadata}"
    );
    assert_eq!(metadata["requester"], "UBOB");
    assert!(block_ids(prefilled).contains(&"requester".to_string()));
    // Filed for the message's author.
    let filed = json!({
        "type": "view_submission", "team": {"id": "T0FRONT"}, "user": {"id": ALICE},
        "view": {"id": "V0MSG", "callback_id": "fd_form", "private_metadata": metadata.to_string(),
            "state": {"values": {
                "department": {"fd_form_department": {"type": "static_select", "selected_option": {"value": "facilities"}}},
                "requester": {"value": {"type": "users_select", "selected_user": "UBOB"}},
                "summary": {"value": {"type": "plain_text_input", "value": "the printer on 3 is on fire"}},
                "field:location": {"value": {"type": "plain_text_input", "value": "3rd floor"}},
                "field:urgency": {"value": {"type": "static_select", "selected_option": {"value": "urgent"}}},
            }}},
    });
    assert_eq!(interact(&app, filed).await.status(), 200);
    app.drain().await;
    let r = app.request("FAC-1");
    assert_eq!(r.requester.id, "UBOB");
    assert!(app
        .fake
        .calls_to("chat.postMessage")
        .iter()
        .any(|c| c.str("channel") == dm_channel("UBOB")));
}
