use super::*;
use crate::i18n::Catalogs;
use std::sync::OnceLock;

fn catalogs() -> &'static Catalogs {
    static C: OnceLock<Catalogs> = OnceLock::new();
    C.get_or_init(|| Catalogs::shipped("en").unwrap())
}

fn departments() -> Vec<Department> {
    crate::config::Config::builtin_default().rules().departments
}

fn ids(card: &Value) -> Vec<String> {
    card["body"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|b| b["id"].as_str().map(str::to_string))
        .collect()
}

#[test]
fn before_a_department_is_picked_the_card_asks_for_it_and_what_is_needed() {
    let departments = departments();
    let state = FormState::default();
    let view = FormView {
        departments: &departments,
        state: &state,
        summary: "VPN drops",
        requester: None,
        values: &[],
        errors: &[],
    };
    let card = form_card(&view, &Words::new(catalogs(), "en"));
    assert_eq!(ids(&card), ["department", "summary"]);
    assert_eq!(card["body"][1]["value"], "VPN drops");
    assert_eq!(card["actions"][0]["title"], "Next");
    assert_eq!(card["actions"][0]["data"], json!({"fdForm": {}}));
    let offered: Vec<&str> = card["body"][0]["choices"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["value"].as_str().unwrap())
        .collect();
    assert_eq!(offered, ["it", "hr", "facilities", "finance"]);
}

#[test]
fn a_picked_department_shows_its_fields_with_values_errors_and_the_requester() {
    let departments = departments();
    let state = FormState {
        department: Some("it".into()),
        message: None,
    };
    let author = super::super::parse::Author {
        aad: "aad-olo".into(),
        name: "Olo".into(),
    };
    let values = [("urgency".to_string(), "high".to_string())];
    let errors = [("device".to_string(), "Device: needed".to_string())];
    let view = FormView {
        departments: &departments,
        state: &state,
        summary: "",
        requester: Some(&author),
        values: &values,
        errors: &errors,
    };
    let card = form_card(&view, &Words::new(catalogs(), "de"));
    assert_eq!(
        ids(&card),
        [
            "department",
            "requester",
            "summary",
            "field:device",
            "error:device",
            "field:urgency"
        ]
    );
    let body = card["body"].as_array().unwrap();
    assert_eq!(body[0]["value"], "it");
    assert_eq!(body[1]["value"], "aad-olo");
    assert_eq!(body[1]["choices"][0]["title"], "Olo");
    assert_eq!(body[4]["text"], "Device: needed");
    assert_eq!(body[5]["value"], "high");
    assert_eq!(body[5]["label"], "How urgent is it?");
    assert_eq!(body[5].get("isRequired"), None);
    assert_eq!(card["actions"][0]["title"], "Absenden");
    assert_eq!(
        card["actions"][0]["data"],
        json!({"fdForm": {"department": "it"}})
    );
}

#[test]
fn task_module_answers_have_the_bot_framework_shape() {
    let t = task_continue("New request", json!({"type": "AdaptiveCard"}));
    assert_eq!(t["task"]["type"], "continue");
    assert_eq!(t["task"]["value"]["title"], "New request");
    assert_eq!(t["task"]["value"]["card"]["contentType"], ADAPTIVE_CARD);
    assert_eq!(
        t["task"]["value"]["card"]["content"]["type"],
        "AdaptiveCard"
    );
    assert_eq!(
        task_message("Filed IT-1."),
        json!({"task": {"type": "message", "value": "Filed IT-1."}})
    );
}
