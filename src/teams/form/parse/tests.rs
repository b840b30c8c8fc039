use super::*;
use serde_json::json;

fn payload() -> Value {
    // The shape Teams sends for a message action on a channel message.
    json!({
        "commandId": "createRequest",
        "commandContext": "message",
        "messagePayload": {
            "linkToMessage": "https://teams.microsoft.com/l/message/19:abc@thread.tacv2/1700000000005",
            "id": "1700000000005",
            "replyToId": null,
            "body": {
                "contentType": "html",
                "content": "<div><div><at id=\"0\">frontdesk</at> the VPN drops&nbsp;every hour<br>since Monday &amp; today</div>\n</div>"
            },
            "from": {
                "user": {"userIdentityType": "aadUser", "id": "aad-olo", "displayName": "Olo Brockhouse"},
                "application": null
            }
        }
    })
}

#[test]
fn a_message_payload_gives_the_message_its_link_author_and_plain_words() {
    let (message, text) = message_payload(&payload()).unwrap();
    assert_eq!(message.id, "1700000000005");
    assert_eq!(
        message.link.as_deref(),
        Some("https://teams.microsoft.com/l/message/19:abc@thread.tacv2/1700000000005")
    );
    assert_eq!(
        message.author,
        Some(Author {
            aad: "aad-olo".into(),
            name: "Olo Brockhouse".into()
        })
    );
    assert_eq!(
        text,
        "frontdesk the VPN drops every hour\nsince Monday & today"
    );
}

#[test]
fn a_message_written_by_an_app_has_no_author_and_one_without_an_id_is_no_message() {
    let mut value = payload();
    value["messagePayload"]["from"] =
        json!({"user": null, "application": {"id": "x", "displayName": "Bot"}});
    assert_eq!(message_payload(&value).unwrap().0.author, None);
    value["messagePayload"]["id"] = json!("");
    assert_eq!(message_payload(&value), None);
    assert_eq!(
        message_payload(&json!({"commandId": "createRequest"})),
        None
    );
}

#[test]
fn html_becomes_the_lines_a_person_reads() {
    assert_eq!(
        html_to_text("<p>one</p><p>two &lt;b&gt;</p>"),
        "one\ntwo <b>"
    );
    assert_eq!(html_to_text("plain"), "plain");
    assert_eq!(
        html_to_text("a <b>bold</b> word<br/>next"),
        "a bold word\nnext"
    );
    assert_eq!(html_to_text("broken <tag"), "broken <tag");
}

#[test]
fn invokes_are_told_apart_by_name() {
    let invoke_named = |name: &str| Activity {
        kind: "invoke".into(),
        name: Some(name.into()),
        value: Some(payload()),
        ..Activity::default()
    };
    match invoke(&invoke_named("composeExtension/fetchTask")) {
        Some(Invoke::FetchTask { command, message }) => {
            assert_eq!(command, CREATE_REQUEST_COMMAND);
            assert_eq!(message.unwrap().0.id, "1700000000005");
        }
        other => panic!("{other:?}"),
    }
    let mut submit = invoke_named("composeExtension/submitAction");
    submit.value.as_mut().unwrap()["data"] = json!({"summary": "x"});
    match invoke(&submit) {
        Some(Invoke::SubmitAction { data, message, .. }) => {
            assert_eq!(data, json!({"summary": "x"}));
            assert!(message.is_some());
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(invoke(&invoke_named("adaptiveCard/action")), None);
    let message = Activity {
        kind: "message".into(),
        ..invoke_named("composeExtension/fetchTask")
    };
    assert_eq!(invoke(&message), None);
}

#[test]
fn a_submitted_card_gives_its_state_and_inputs() {
    let data = json!({
        "fdForm": {"department": "it", "message": {"id": "17", "author": {"aad": "aad-olo", "name": "Olo"}}},
        "department": "it",
        "summary": "  VPN drops  ",
        "requester": "aad-olo",
        "field:urgency": "high",
        "field:device": "",
        "unrelated": "x",
    });
    let s = submitted(&data).unwrap();
    assert_eq!(s.state.department.as_deref(), Some("it"));
    assert_eq!(s.state.message.as_ref().unwrap().id, "17");
    assert_eq!(s.summary, "VPN drops");
    assert_eq!(s.requester.as_deref(), Some("aad-olo"));
    assert_eq!(s.fields, [("urgency".to_string(), "high".to_string())]);
    assert_eq!(s.next(), Next::File);
    assert_eq!(submitted(&json!({"action": "submit"})), None);
    assert_eq!(submitted(&json!("text")), None);
}

#[test]
fn picking_another_department_redraws_and_the_same_one_files() {
    let with = |shown: Option<&str>, picked: &str| Submitted {
        state: FormState {
            department: shown.map(str::to_string),
            message: None,
        },
        department: picked.into(),
        ..Submitted::default()
    };
    assert_eq!(with(None, "it").next(), Next::Redraw);
    assert_eq!(with(Some("it"), "hr").next(), Next::Redraw);
    assert_eq!(with(Some("it"), "it").next(), Next::File);
    // Nothing picked: the core names the department as missing.
    assert_eq!(with(None, "").next(), Next::File);
    assert_eq!(with(Some("it"), " ").next(), Next::File);
}

#[test]
fn the_form_word_is_recognised_in_any_case_and_punctuation() {
    let words = vec!["form".to_string(), "Fill in a form".to_string()];
    assert!(asks_for_form("Form", &words));
    assert!(asks_for_form("form!", &words));
    assert!(asks_for_form("fill in a form", &words));
    assert!(!asks_for_form("a form for my laptop", &words));
    assert!(!asks_for_form("", &words));
    assert!(!asks_for_form("!!", &words));
}

#[test]
fn the_state_round_trips_through_a_cards_data() {
    let state = FormState {
        department: Some("hr".into()),
        message: Some(SourceMessage {
            id: "17".into(),
            link: Some("https://teams.microsoft.com/l/message/x/17".into()),
            author: None,
        }),
    };
    let data = json!({STATE_KEY: serde_json::to_value(&state).unwrap(), "department": "hr"});
    assert_eq!(submitted(&data).unwrap().state, state);
}
