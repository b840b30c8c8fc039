//! The request form on Teams (issue 12): the "Create request" message extension (a task
//! module prefilled from the message, submitted with `composeExtension/submitAction`) and the
//! form as an Adaptive Card in the personal chat. Each runs through to the card posted in the
//! department's channel, against the Teams stand-in, on a manual clock.
//!
//! Run with `cargo test --test api teams_forms::`.

use crate::helpers::teams as harness;
use crate::helpers::teams_standin::Call;

use frontdesk::core::{Platform, RequestId, UserRef};
use harness::{Person, TeamsApp, ALICE, BOB, BOT_ID, IT_CHANNEL, MALLORY, TENANT};
use serde_json::{json, Value};

const GENERAL: &str = "19:general@thread.tacv2";
const TEAM: &str = "19:team-general@thread.tacv2";
/// The channel message the extension is used on.
const MESSAGE_ID: &str = "1750000000999";
const HR_CHANNEL: &str = "19:hrdesk@thread.tacv2";

fn link() -> String {
    format!("https://teams.microsoft.com/l/message/{GENERAL}/{MESSAGE_ID}")
}

fn aad(who: Person) -> String {
    // The object id the harness gives each person's activities.
    format!("aad-{}", who.name)
}

/// An activity from `who`, shaped as Teams sends it.
fn activity(app: &TeamsApp, kind: &str, who: Person, conversation: Value) -> Value {
    json!({
        "type": kind,
        "id": app.next_id(),
        "channelId": "msteams",
        "serviceUrl": app.standin.service_url(),
        "from": {"id": who.id, "name": who.name, "aadObjectId": aad(who)},
        "recipient": {"id": BOT_ID, "name": "frontdesk"},
        "conversation": conversation,
        "channelData": {"tenant": {"id": TENANT}, "channel": {"id": GENERAL}, "team": {"id": TEAM}},
        "locale": "en-US",
    })
}

/// The message payload of a channel message written by `author` (object id and name).
fn payload(author: (&str, &str), html: &str) -> Value {
    json!({
        "linkToMessage": link(),
        "id": MESSAGE_ID,
        "replyToId": null,
        "createdDateTime": "2025-06-16T08:55:00.000Z",
        "body": {"contentType": "html", "content": html},
        "from": {"user": {"userIdentityType": "aadUser", "id": author.0, "displayName": author.1},
                 "application": null},
    })
}

/// A message extension invoke by `who` on the channel message.
fn invoke(app: &TeamsApp, who: Person, name: &str, value: Value) -> Value {
    let conversation = json!({
        "isGroup": true, "conversationType": "channel", "tenantId": TENANT,
        "id": format!("{GENERAL};messageid={MESSAGE_ID}"),
    });
    let mut a = activity(app, "invoke", who, conversation);
    a["name"] = json!(name);
    a["value"] = value;
    a
}

fn fetch_task(app: &TeamsApp, who: Person, message: Value) -> Value {
    invoke(
        app,
        who,
        "composeExtension/fetchTask",
        json!({"commandId": "createRequest", "commandContext": "message",
               "context": {"theme": "default"}, "messagePayload": message}),
    )
}

fn submit_action(app: &TeamsApp, who: Person, message: Value, data: Value) -> Value {
    invoke(
        app,
        who,
        "composeExtension/submitAction",
        json!({"commandId": "createRequest", "commandContext": "message",
               "context": {"theme": "default"}, "messagePayload": message, "data": data}),
    )
}

/// Posts an invoke and returns the JSON Teams gets back.
async fn answered(app: &TeamsApp, a: &Value) -> Value {
    let r = app.post_with_token(a, &app.token_for(a)).await;
    assert_eq!(r.status(), 200);
    r.json().await.expect("an invoke is answered with JSON")
}

/// The Adaptive Card of a task module answer.
fn task_card(answer: &Value) -> &Value {
    assert_eq!(answer["task"]["type"], "continue", "{answer}");
    let card = &answer["task"]["value"]["card"];
    assert_eq!(
        card["contentType"],
        "application/vnd.microsoft.card.adaptive"
    );
    &card["content"]
}

/// The ids of a card's body elements, in order.
fn ids(card: &Value) -> Vec<String> {
    card["body"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|b| b["id"].as_str().map(str::to_string))
        .collect()
}

fn element<'a>(card: &'a Value, id: &str) -> &'a Value {
    card["body"]
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["id"] == id)
        .unwrap_or_else(|| panic!("no {id} in {card}"))
}

/// What Teams sends when the card's button is pressed: its data with the inputs merged in.
fn pressed(card: &Value, inputs: Value) -> Value {
    let mut data = card["actions"][0]["data"].clone();
    for (k, v) in inputs.as_object().unwrap() {
        data[k] = v.clone();
    }
    data
}

/// Sends an activity and delivers what it caused; returns the Connector calls made.
async fn act(app: &TeamsApp, a: Value) -> Vec<Call> {
    let before = app.standin.calls().len();
    app.post(&a).await;
    app.drain().await;
    app.standin.calls_since(before)
}

fn card_posts<'a>(calls: &'a [Call], channel: &str) -> Vec<&'a Call> {
    calls
        .iter()
        .filter(|c| {
            c.raw_path == "/teams/v3/conversations"
                && c.body["channelData"]["channel"]["id"] == channel
        })
        .collect()
}

fn to_chat(calls: &[Call], who: Person) -> Vec<&Call> {
    calls
        .iter()
        .filter(|c| c.method == "POST" && c.conversation.as_deref() == Some(who.chat))
        .collect()
}

fn stored(app: &TeamsApp, id: &str) -> bool {
    app.engine
        .store()
        .request(&RequestId::parse(id).unwrap())
        .unwrap()
        .is_some()
}

// ---- the message extension ----

#[tokio::test]
async fn create_request_on_a_message_opens_the_form_prefilled_from_it() {
    let app = TeamsApp::spawn().await;
    app.post(&app.installed(ALICE)).await;
    let before = app.standin.calls().len();

    let html = "<div><div>The printer on floor 3 eats paper&nbsp;&amp; jams</div>\n</div>";
    let answer = answered(
        &app,
        &fetch_task(&app, MALLORY, payload((&aad(ALICE), ALICE.name), html)),
    )
    .await;
    assert_eq!(answer["task"]["value"]["title"], "New request");
    let card = task_card(&answer);
    assert_eq!(ids(card), ["department", "requester", "summary"]);
    // The message's words and link are the summary; its author is who it is for.
    assert_eq!(
        element(card, "summary")["value"],
        format!("The printer on floor 3 eats paper & jams\n\n{}", link())
    );
    let requester = element(card, "requester");
    assert_eq!(requester["value"], aad(ALICE));
    assert_eq!(requester["choices"][0]["title"], ALICE.name);
    assert_eq!(
        requester["choices.data"]["dataset"],
        "graph.microsoft.com/users"
    );
    let departments: Vec<&str> = element(card, "department")["choices"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["value"].as_str().unwrap())
        .collect();
    assert_eq!(departments, ["it", "hr", "facilities", "finance"]);
    assert_eq!(card["actions"][0]["title"], "Next");
    assert_eq!(
        card["actions"][0]["data"]["fdForm"]["message"]["id"],
        MESSAGE_ID
    );
    // Nothing is filed or sent yet.
    assert_eq!(app.standin.calls().len(), before);
    assert!(!stored(&app, "IT-1"));
}

#[tokio::test]
async fn a_submitted_form_names_the_missing_field_then_files_once_however_often_it_arrives() {
    // See: issue 12
    let app = TeamsApp::spawn().await;
    app.post(&app.installed(ALICE)).await;
    let message = payload(
        (&aad(ALICE), ALICE.name),
        "<p>The printer on floor 3 eats paper</p>",
    );
    let first = answered(&app, &fetch_task(&app, MALLORY, message.clone())).await;
    let summary = task_card(&first)["body"][2]["value"].clone();

    // Picking IT shows IT's fields, the summary and requester kept.
    let data = pressed(
        task_card(&first),
        json!({"department": "it", "requester": aad(ALICE), "summary": summary}),
    );
    let answer = answered(&app, &submit_action(&app, MALLORY, message.clone(), data)).await;
    let card = task_card(&answer).clone();
    assert_eq!(
        ids(&card),
        [
            "department",
            "requester",
            "summary",
            "field:device",
            "field:urgency"
        ]
    );
    assert_eq!(element(&card, "department")["value"], "it");
    assert_eq!(element(&card, "summary")["value"], summary);
    assert_eq!(
        element(&card, "field:device")["label"],
        "Which device or system is affected?"
    );
    assert_eq!(card["actions"][0]["title"], "Submit");

    // Sent without the device: the form comes back naming it, with what was entered.
    let data = pressed(
        &card,
        json!({"department": "it", "requester": aad(ALICE), "summary": summary,
               "field:urgency": "high"}),
    );
    let answer = answered(&app, &submit_action(&app, MALLORY, message.clone(), data)).await;
    let card = task_card(&answer).clone();
    assert_eq!(
        element(&card, "error:device")["text"],
        "Which device or system is affected?: This one is needed."
    );
    assert_eq!(element(&card, "field:urgency")["value"], "high");
    assert!(
        !stored(&app, "IT-1"),
        "nothing is filed with a field missing"
    );

    // Complete: filed for the message's author, and the dialog closes with a message.
    let data = pressed(
        &card,
        json!({"department": "it", "requester": aad(ALICE), "summary": summary,
               "field:urgency": "high", "field:device": "Printer P3"}),
    );
    let submit = submit_action(&app, MALLORY, message.clone(), data.clone());
    let answer = answered(&app, &submit).await;
    assert_eq!(
        answer,
        json!({"task": {"type": "message", "value": "Filed IT-1 with IT."}})
    );
    let before = app.standin.calls().len();
    app.drain().await;
    let calls = app.standin.calls_since(before);
    let posted = card_posts(&calls, IT_CHANNEL);
    assert_eq!(posted.len(), 1, "{calls:#?}");
    let shown = posted[0].shown();
    for needle in ["IT-1", "printer on floor 3", "Alice Example", "Printer P3"] {
        assert!(shown.contains(needle), "{needle} missing: {shown}");
    }
    let request = app.request("IT-1");
    assert_eq!(request.requester, ALICE.user());
    assert!(request.summary.contains(&link()), "{}", request.summary);
    assert_eq!(request.history[0].actor, Some(MALLORY.user()));
    // The requester gets the conversation's confirmation; the person filing hears it was done.
    let to_alice = to_chat(&calls, ALICE);
    assert!(
        to_alice
            .iter()
            .any(|c| c.shown().contains("Your request **IT-1** is with IT")),
        "{calls:#?}"
    );
    assert!(
        calls
            .iter()
            .any(|c| c.shown().contains("Filed **IT-1** for")
                || c.shown().contains("Filed IT-1 for")),
        "{calls:#?}"
    );

    // Teams retries the same invoke; another person uses the extension on the same message.
    let again = answered(&app, &submit).await;
    assert_eq!(again["task"]["value"], "This was sent already, as IT-1.");
    let other = answered(&app, &submit_action(&app, BOB, message, data)).await;
    assert_eq!(other["task"]["value"], "This was sent already, as IT-1.");
    let before = app.standin.calls().len();
    app.drain().await;
    assert!(card_posts(&app.standin.calls_since(before), IT_CHANNEL).is_empty());
    assert!(!stored(&app, "IT-2"), "the message became one request");
}

#[tokio::test]
async fn an_author_the_desk_never_heard_from_leaves_the_request_with_the_person_filing() {
    let app = TeamsApp::spawn().await;
    let zed = ("aad-zed-0001", "Zed Newcomer");
    let message = payload(zed, "<p>Badge reader at door B is dead</p>");
    let first = answered(&app, &fetch_task(&app, MALLORY, message.clone())).await;
    assert_eq!(element(task_card(&first), "requester")["value"], zed.0);
    let data = pressed(
        task_card(&first),
        json!({"department": "facilities", "requester": zed.0, "summary": "Badge reader at door B is dead"}),
    );
    let answer = answered(&app, &submit_action(&app, MALLORY, message.clone(), data)).await;
    let data = pressed(
        task_card(&answer),
        json!({"department": "facilities", "requester": zed.0,
               "summary": "Badge reader at door B is dead",
               "field:location": "HQ, door B", "field:urgency": "normal"}),
    );
    let answer = answered(&app, &submit_action(&app, MALLORY, message, data)).await;
    assert_eq!(
        answer["task"]["value"],
        "Filed FAC-1 with Facilities. Zed Newcomer hasn't written to the desk yet, so the \
         request is in your name and updates come to you."
    );
    let request = app.request("FAC-1");
    assert_eq!(request.requester, MALLORY.user());
    assert_eq!(
        request.summary,
        "Badge reader at door B is dead\n\nAsked by Zed Newcomer in Teams."
    );
    let calls = {
        let before = app.standin.calls().len();
        app.drain().await;
        app.standin.calls_since(before)
    };
    assert_eq!(
        card_posts(&calls, "19:facilitiesdesk@thread.tacv2").len(),
        1,
        "{calls:#?}"
    );
}

// ---- the form card in the personal chat ----

#[tokio::test]
async fn the_form_card_in_the_personal_chat_files_like_the_conversation() {
    // See: issue 12
    let app = TeamsApp::spawn().await;
    act(&app, app.installed(ALICE)).await;

    // The conversation's first question offers the form.
    let calls = act(&app, app.dm(ALICE, "my printer is jammed")).await;
    let question = calls.last().unwrap();
    assert!(
        question.actions().contains(&"form".to_string()),
        "{:?}",
        question.actions()
    );
    let calls = act(
        &app,
        app.dm_click(ALICE, question.answered_id.as_ref().unwrap(), "form"),
    )
    .await;
    let sent = to_chat(&calls, ALICE);
    assert_eq!(sent.len(), 1, "{calls:#?}");
    let form = sent[0].card().unwrap().clone();
    assert_eq!(ids(&form), ["department", "summary"]);
    let form_id = sent[0].answered_id.clone().unwrap();

    // Submitting the card from the chat.
    let submit = |inputs: Value, card: &Value| {
        let mut a = app.dm(ALICE, "");
        a.as_object_mut().unwrap().remove("text");
        a["replyToId"] = json!(form_id);
        a["value"] = pressed(card, inputs);
        a
    };
    // Picking HR replaces the card with HR's fields.
    let calls = act(
        &app,
        submit(
            json!({"department": "hr", "summary": "Parental leave from May"}),
            &form,
        ),
    )
    .await;
    assert_eq!(calls.len(), 1, "{calls:#?}");
    assert_eq!(calls[0].method, "PUT");
    assert_eq!(calls[0].activity.as_deref(), Some(form_id.as_str()));
    let form = calls[0].card().unwrap().clone();
    assert_eq!(
        ids(&form),
        ["department", "summary", "field:topic", "field:details"]
    );
    assert_eq!(
        element(&form, "field:details")["label"],
        "Anything else we should know? (optional)"
    );

    // The topic is needed.
    let calls = act(
        &app,
        submit(
            json!({"department": "hr", "summary": "Parental leave from May",
                   "field:details": "from 1 May"}),
            &form,
        ),
    )
    .await;
    assert_eq!(calls.len(), 1, "{calls:#?}");
    let form = calls[0].card().unwrap().clone();
    assert_eq!(
        element(&form, "error:topic")["text"],
        "What is it about?: This one is needed."
    );
    assert_eq!(element(&form, "field:details")["value"], "from 1 May");
    assert!(!stored(&app, "HR-1"));

    // Complete: filed, the card says so, and the same confirmation as the conversation's.
    let complete = json!({"department": "hr", "summary": "Parental leave from May",
                          "field:details": "from 1 May", "field:topic": "leave"});
    let calls = act(&app, submit(complete.clone(), &form)).await;
    let put = calls
        .iter()
        .find(|c| c.method == "PUT")
        .expect("the card replaced");
    assert!(put.shown().contains("Sent as HR-1"), "{}", put.shown());
    assert!(put.actions().is_empty());
    assert_eq!(card_posts(&calls, HR_CHANNEL).len(), 1, "{calls:#?}");
    assert!(
        to_chat(&calls, ALICE).iter().any(|c| c
            .shown()
            .contains("Thanks! Your request **HR-1** is with HR")),
        "{calls:#?}"
    );
    let request = app.request("HR-1");
    assert_eq!(request.requester, UserRef::new(Platform::Teams, ALICE.id));
    assert_eq!(request.answers[0].value.as_deref(), Some("leave"));

    // A second click on the same card files nothing more.
    let calls = act(&app, submit(complete, &form)).await;
    assert!(card_posts(&calls, HR_CHANNEL).is_empty(), "{calls:#?}");
    assert!(calls
        .iter()
        .any(|c| c.shown().contains("This was sent already, as HR-1.")));
    assert!(!stored(&app, "HR-2"));

    // Typed alone, the form's word sends a new form.
    let calls = act(&app, app.dm(ALICE, "Form")).await;
    let sent = to_chat(&calls, ALICE);
    assert_eq!(sent.len(), 1, "{calls:#?}");
    assert_eq!(ids(sent[0].card().unwrap()), ["department", "summary"]);
}

#[test]
fn the_teams_manifest_declares_create_request_on_messages() {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/manifests/teams/manifest.json"
    ))
    .unwrap();
    let manifest: Value = serde_json::from_str(&text).unwrap();
    let extension = &manifest["composeExtensions"][0];
    assert_eq!(extension["botId"], manifest["bots"][0]["botId"]);
    assert_eq!(
        extension["commands"][0],
        json!({"id": "createRequest", "type": "action", "title": "Create request",
               "description": "File this message as a help request",
               "context": ["message"], "fetchTask": true})
    );
}
