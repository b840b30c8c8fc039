//! What the form's activities say, read without I/O: the message a message extension was
//! invoked on (`value.messagePayload`), the invoke's operation, a submitted form card's inputs
//! and the state the card carries, and whether a typed message asks for the form.

use super::super::activity::Activity;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The key in an `Action.Submit`'s data that marks a form card; its value is the [`FormState`].
/// Teams merges the card's inputs into the same object, so no input may use it as its id.
pub const STATE_KEY: &str = "fdForm";
/// Input ids, as the core's form keys name them back.
pub const DEPARTMENT_INPUT: &str = "department";
pub const SUMMARY_INPUT: &str = "summary";
pub const REQUESTER_INPUT: &str = "requester";
/// The message extension's command, as `manifests/teams/manifest.json` declares it.
pub const CREATE_REQUEST_COMMAND: &str = "createRequest";

/// The input id of a department's field.
pub fn field_input(id: &str) -> String {
    format!("field:{id}")
}

/// Who wrote a message, as Teams names them in a message payload: by Entra (AAD) object id,
/// not by the `29:…` id the bot writes to.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Author {
    pub aad: String,
    #[serde(default)]
    pub name: String,
}

/// The message a request is filed from.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceMessage {
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub link: Option<String>,
    /// `None` when an app or bot wrote it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub author: Option<Author>,
}

/// What a form card carries from one step to the next, in its submit button's data.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FormState {
    /// The department whose fields the card shows.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub department: Option<String>,
    /// The message it was opened on (the message extension).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<SourceMessage>,
}

/// A form card as submitted: its state and what was entered.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Submitted {
    pub state: FormState,
    pub department: String,
    pub summary: String,
    /// The object id picked as the requester, when the card asked.
    pub requester: Option<String>,
    /// Field id → value, for the fields with something entered.
    pub fields: Vec<(String, String)>,
}

/// What to do with a submitted form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Next {
    /// Another department was picked (or the first one): draw its fields.
    Redraw,
    /// Hand it to the core, which files it or names what is missing.
    File,
}

impl Submitted {
    /// Teams has no "on change" for a choice set, so picking a department and submitting
    /// are the same button: a department other than the one whose fields are shown means
    /// "show me its fields".
    pub fn next(&self) -> Next {
        let chosen = self.department.trim();
        if !chosen.is_empty() && self.state.department.as_deref() != Some(chosen) {
            Next::Redraw
        } else {
            Next::File
        }
    }
}

/// Reads a submitted form card's data (an `Action.Submit`'s `data` with the inputs merged
/// in); `None` when the data is not a form's.
pub fn submitted(data: &Value) -> Option<Submitted> {
    let map = data.as_object()?;
    let state: FormState = serde_json::from_value(map.get(STATE_KEY)?.clone()).ok()?;
    let text = |key: &str| {
        map.get(key)
            .and_then(Value::as_str)
            .map(str::trim)
            .unwrap_or("")
            .to_string()
    };
    let mut fields: Vec<(String, String)> = map
        .iter()
        .filter_map(|(key, value)| {
            let id = key.strip_prefix("field:")?;
            let value = value.as_str()?.trim();
            (!value.is_empty()).then(|| (id.to_string(), value.to_string()))
        })
        .collect();
    fields.sort();
    Some(Submitted {
        state,
        department: text(DEPARTMENT_INPUT),
        summary: text(SUMMARY_INPUT),
        requester: Some(text(REQUESTER_INPUT)).filter(|r| !r.is_empty()),
        fields,
    })
}

/// A message extension's invoke.
#[derive(Debug, Clone, PartialEq)]
pub enum Invoke {
    /// `composeExtension/fetchTask`: the form is asked for, on `message` with its words.
    FetchTask {
        command: String,
        message: Option<(SourceMessage, String)>,
    },
    /// `composeExtension/submitAction`: the form's card was submitted.
    SubmitAction {
        command: String,
        message: Option<SourceMessage>,
        data: Value,
    },
}

/// The message extension invoke `a` is, if it is one.
pub fn invoke(a: &Activity) -> Option<Invoke> {
    if a.kind != "invoke" {
        return None;
    }
    let value = a.value.as_ref()?;
    let command = value
        .get("commandId")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    match a.name.as_deref()? {
        "composeExtension/fetchTask" => Some(Invoke::FetchTask {
            command,
            message: message_payload(value),
        }),
        "composeExtension/submitAction" => Some(Invoke::SubmitAction {
            command,
            message: message_payload(value).map(|(m, _)| m),
            data: value.get("data").cloned().unwrap_or(Value::Null),
        }),
        _ => None,
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Payload {
    #[serde(default)]
    id: Option<String>,
    #[serde(default)]
    link_to_message: Option<String>,
    #[serde(default)]
    body: Option<PayloadBody>,
    #[serde(default)]
    from: Option<PayloadFrom>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct PayloadBody {
    #[serde(default)]
    content_type: Option<String>,
    #[serde(default)]
    content: Option<String>,
}

#[derive(Deserialize)]
struct PayloadFrom {
    #[serde(default)]
    user: Option<PayloadUser>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct PayloadUser {
    #[serde(default)]
    id: Option<String>,
    #[serde(default)]
    display_name: Option<String>,
}

/// The message an invoke's `value.messagePayload` describes, and its words as plain text.
pub fn message_payload(value: &Value) -> Option<(SourceMessage, String)> {
    let payload: Payload = serde_json::from_value(value.get("messagePayload")?.clone()).ok()?;
    let id = payload.id.filter(|id| !id.is_empty())?;
    let text = match payload.body {
        Some(PayloadBody {
            content: Some(content),
            content_type,
        }) => {
            if content_type.is_some_and(|t| t.eq_ignore_ascii_case("text")) {
                content.trim().to_string()
            } else {
                html_to_text(&content)
            }
        }
        _ => String::new(),
    };
    let author = payload.from.and_then(|f| f.user).and_then(|u| {
        let aad = u.id.filter(|id| !id.is_empty())?;
        Some(Author {
            aad,
            name: u.display_name.unwrap_or_default(),
        })
    });
    Some((
        SourceMessage {
            id,
            link: payload.link_to_message.filter(|l| !l.is_empty()),
            author,
        },
        text,
    ))
}

/// A Teams message body (HTML) as the plain words a person reads: tags dropped (a mention
/// keeps the name), a line break for `<br>` and each closed paragraph, entities decoded,
/// empty lines dropped.
pub fn html_to_text(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(start) = rest.find('<') {
        out.push_str(&rest[..start]);
        let Some(end) = rest[start..].find('>') else {
            out.push_str(&rest[start..]);
            rest = "";
            break;
        };
        let tag = rest[start + 1..start + end].trim().to_ascii_lowercase();
        let name: String = tag
            .trim_start_matches('/')
            .chars()
            .take_while(char::is_ascii_alphanumeric)
            .collect();
        let closing = tag.starts_with('/');
        if name == "br" || (closing && matches!(name.as_str(), "p" | "div" | "li")) {
            out.push('\n');
        }
        rest = &rest[start + end + 1..];
    }
    out.push_str(rest);
    let decoded = out
        .replace("&nbsp;", " ")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&apos;", "'")
        .replace("&amp;", "&");
    decoded
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join("\n")
}

/// Whether a typed message asks for the form: one of `words` (the form word and the
/// button's label, in every language), in any case, with or without punctuation.
pub fn asks_for_form(text: &str, words: &[String]) -> bool {
    let norm = |s: &str| -> String {
        s.chars()
            .filter(|c| c.is_alphanumeric())
            .flat_map(char::to_lowercase)
            .collect()
    };
    let typed = norm(text);
    !typed.is_empty() && words.iter().any(|w| norm(w) == typed)
}

#[cfg(test)]
mod tests;
