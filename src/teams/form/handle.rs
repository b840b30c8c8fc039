//! The form's glue between Teams and the core: answering the message extension's invokes
//! with task modules, sending and redrawing the form card in the personal chat, resolving who
//! a request is for, and handing a complete form to the engine as `Input::FormSubmitted`.

use super::card::{self, FormView};
use super::parse::{self, Author, FormState, Invoke, Next, Submitted, CREATE_REQUEST_COMMAND};
use crate::config::current;
use crate::core::{
    Action, FormAnswers, Input, Platform, RequestId, Text, UserRef, DEPARTMENT_KEY, SUMMARY_KEY,
};
use crate::i18n::{Catalogs, Plain, Words};
use crate::store::StoreError;
use crate::teams::activity::{channel_base, clean_text, Activity, ConversationKind};
use crate::teams::cards;
use crate::teams::inbound::InboundError;
use crate::teams::Shared;
use serde_json::Value;

/// Which request each message (or form card) became, so a form sent again can say so.
const FORMS_TREE: &str = "teams_forms";

/// What became of a submitted form.
enum Answer {
    /// The form again: another department's fields, or what is missing.
    Redraw(Value),
    Filed {
        id: RequestId,
        team: String,
        /// The picked requester, by name, when the desk has never heard from them.
        unknown_author: Option<String>,
    },
    /// Sent before (a redelivery, a second click); the request it became, if known.
    Already(Option<String>),
}

/// The reader's words: the activity's language, else the one stored for them.
fn words_for<'a>(messages: &'a Catalogs, shared: &Shared, a: &Activity) -> Words<'a> {
    let stored = shared
        .refs
        .user(&a.from.id)
        .ok()
        .flatten()
        .and_then(|u| u.locale);
    Words::new(
        messages,
        messages.locale_for(a.locale.as_deref().or(stored.as_deref())),
    )
}

/// Answers a message extension invoke; `None` when it is not the form's (an empty 200).
///
/// # Errors
/// Storage and engine failures.
pub(in crate::teams) async fn on_invoke(
    shared: &Shared,
    a: &Activity,
) -> Result<Option<Value>, InboundError> {
    let Some(invoke) = parse::invoke(a) else {
        return Ok(None);
    };
    let config = current(&shared.config);
    let messages = config.messages();
    let words = words_for(&messages, shared, a);
    let title = words.word("form-title");
    match invoke {
        Invoke::FetchTask { command, message } if command == CREATE_REQUEST_COMMAND => {
            let (message, text) = match message {
                Some((m, text)) => (Some(m), text),
                None => (None, String::new()),
            };
            // The words, then the link, as a message shortcut prefills the form on Slack.
            let summary = match message.as_ref().and_then(|m| m.link.as_deref()) {
                Some(link) if !text.is_empty() => format!("{text}\n\n{link}"),
                Some(link) => link.to_string(),
                None => text,
            };
            let requester = message.as_ref().and_then(|m| m.author.clone());
            let state = FormState {
                department: None,
                message,
            };
            let rules = shared.engine.rules();
            let view = FormView {
                departments: &rules.departments,
                state: &state,
                summary: &summary,
                requester: requester.as_ref(),
                values: &[],
                errors: &[],
            };
            Ok(Some(card::task_continue(
                &title,
                card::form_card(&view, &words),
            )))
        }
        Invoke::SubmitAction {
            command,
            message,
            data,
        } if command == CREATE_REQUEST_COMMAND => {
            let Some(submitted) = parse::submitted(&data) else {
                tracing::debug!("a submitAction without the form's state");
                return Ok(None);
            };
            // The message's identity: Teams' own payload, else what the card carried.
            let source = message.or_else(|| submitted.state.message.clone());
            let key = source.map(|m| {
                format!(
                    "teams:message:{}:{}",
                    channel_base(&a.conversation.id),
                    m.id
                )
            });
            Ok(Some(
                match answer(shared, a, &messages, &words, submitted, key).await? {
                    Answer::Redraw(card) => card::task_continue(&title, card),
                    Answer::Filed {
                        id,
                        team,
                        unknown_author,
                    } => {
                        let mut text = words.format(
                            &Text::new("teams-form-filed")
                                .arg("id", &id)
                                .arg("team", team),
                            &mut Plain,
                        );
                        if let Some(name) = unknown_author {
                            text.push(' ');
                            text.push_str(&words.format(
                                &Text::new("teams-form-author-unknown").arg("name", name),
                                &mut Plain,
                            ));
                        }
                        card::task_message(&text)
                    }
                    Answer::Already(id) => card::task_message(&already(&words, id)),
                },
            ))
        }
        Invoke::FetchTask { command, .. } | Invoke::SubmitAction { command, .. } => {
            tracing::debug!(command, "a message extension command that isn't ours");
            Ok(None)
        }
    }
}

fn already(words: &Words<'_>, id: Option<String>) -> String {
    match id {
        Some(id) => words.format(
            &Text::new("teams-form-already-as").arg("id", id),
            &mut Plain,
        ),
        None => words.word("teams-form-already"),
    }
}

/// The personal chat's form: a submitted form card, or the form asked for ("Fill in a form"
/// clicked, or typed). Returns whether the activity was the form's; when the form can't be
/// sent, the click goes on to the core, which says how else to go on.
///
/// # Errors
/// Storage and engine failures.
pub(in crate::teams) async fn on_chat_message(
    shared: &Shared,
    a: &Activity,
) -> Result<bool, InboundError> {
    if a.kind != "message" || a.conversation_kind() != ConversationKind::Personal {
        return Ok(false);
    }
    let config = current(&shared.config);
    let messages = config.messages();
    let words = words_for(&messages, shared, a);
    let title = words.word("form-title");
    if let Some(submitted) = a.value.as_ref().and_then(parse::submitted) {
        // One request per form card, however often it is sent.
        let key = a
            .reply_to_id
            .as_deref()
            .filter(|id| !id.is_empty())
            .map(|card| format!("teams:form:{}:{card}", a.conversation.id));
        let activity = match answer(shared, a, &messages, &words, submitted, key).await? {
            Answer::Redraw(card) => cards::card_activity(&title, card),
            Answer::Filed { id, .. } => {
                let text = words.format(&Text::new("teams-form-done").arg("id", &id), &mut Plain);
                cards::card_activity(&text, card::notice_card(&text))
            }
            Answer::Already(id) => {
                let text = already(&words, id);
                cards::card_activity(&text, card::notice_card(&text))
            }
        };
        show(shared, a, &activity).await;
        return Ok(true);
    }
    let clicked = a
        .value
        .as_ref()
        .and_then(|v| v.get("action"))
        .and_then(Value::as_str)
        .is_some_and(|action| action == Action::OpenForm.to_string());
    let typed = a.value.is_none()
        && parse::asks_for_form(
            &clean_text(a.text.as_deref().unwrap_or(""), a),
            &form_words(&messages),
        );
    if !clicked && !typed {
        return Ok(false);
    }
    let rules = shared.engine.rules();
    let state = FormState::default();
    let view = FormView {
        departments: &rules.departments,
        state: &state,
        summary: "",
        requester: None,
        values: &[],
        errors: &[],
    };
    let activity = cards::card_activity(&title, card::form_card(&view, &words));
    match shared
        .connector
        .send(&a.service_url, &a.conversation.id, &activity)
        .await
    {
        Ok(_) => Ok(true),
        Err(e) => {
            tracing::warn!(error = %crate::telemetry::chain(&e), "could not send the request form");
            Ok(false)
        }
    }
}

/// What typed alone asks for the form: its word and its button's label, in every language.
fn form_words(messages: &Catalogs) -> Vec<String> {
    let mut out = Vec::new();
    for locale in ["en", "de"].into_iter().filter_map(crate::i18n::supported) {
        let words = Words::new(messages, locale);
        out.push(words.word("teams-form-word"));
        out.push(words.word("button-fill-form"));
    }
    out
}

/// Replaces the submitted card (Teams names it in `replyToId`), or sends a new one.
async fn show(shared: &Shared, a: &Activity, activity: &Value) {
    let result = match a.reply_to_id.as_deref().filter(|id| !id.is_empty()) {
        Some(card) => {
            shared
                .connector
                .update(&a.service_url, &a.conversation.id, card, activity)
                .await
        }
        None => shared
            .connector
            .send(&a.service_url, &a.conversation.id, activity)
            .await
            .map(|_| ()),
    };
    if let Err(e) = result {
        tracing::warn!(error = %crate::telemetry::chain(&e), "could not show the request form");
    }
}

/// A submitted form: drawn again for a newly picked department, else handed to the core,
/// which files it or names what is missing. `key` is the identity the request is filed under
/// once (the message, or the form card).
async fn answer(
    shared: &Shared,
    a: &Activity,
    messages: &Catalogs,
    words: &Words<'_>,
    submitted: Submitted,
    key: Option<String>,
) -> Result<Answer, InboundError> {
    let rules = shared.engine.rules();
    let author = submitted
        .state
        .message
        .as_ref()
        .and_then(|m| m.author.as_ref());
    let picked = submitted.requester.as_ref().map(|aad| Author {
        aad: aad.clone(),
        // The picker sends only the object id; the name is known for the author alone.
        name: author
            .filter(|au| &au.aad == aad)
            .map(|au| au.name.clone())
            .unwrap_or_default(),
    });
    let redraw = |state: &FormState, errors: &[(String, String)]| {
        card::form_card(
            &FormView {
                departments: &rules.departments,
                state,
                summary: &submitted.summary,
                requester: picked.as_ref(),
                values: &submitted.fields,
                errors,
            },
            words,
        )
    };
    if submitted.next() == Next::Redraw {
        let state = FormState {
            department: Some(submitted.department.clone()),
            ..submitted.state.clone()
        };
        return Ok(Answer::Redraw(redraw(&state, &[])));
    }
    let (requester, unknown_author) = resolve(shared, a, picked.as_ref())?;
    let mut summary = submitted.summary.clone();
    if let Some(name) = unknown_author.as_deref().filter(|_| !summary.is_empty()) {
        // Agents read the summary: in the desk's language.
        let line = Words::channel(messages).format(
            &Text::new("teams-form-asked-by").arg("name", name),
            &mut Plain,
        );
        summary = format!("{summary}\n\n{line}");
    }
    let form = FormAnswers {
        department: submitted.department.clone(),
        summary,
        fields: submitted.fields.clone(),
        requester,
    };
    let dedup: Vec<String> = a.dedup_id().into_iter().chain(key.clone()).collect();
    let outcome = shared
        .engine
        .handle_once(
            Input::FormSubmitted {
                user: a.user(),
                form,
            },
            dedup,
        )
        .await?;
    if !outcome.form_errors.is_empty() {
        let department = rules.department(&submitted.department);
        let errors: Vec<(String, String)> = outcome
            .form_errors
            .iter()
            .map(|(key, problem)| {
                let field = match key.as_str() {
                    DEPARTMENT_KEY => words.word("form-department"),
                    SUMMARY_KEY => words.word("form-summary"),
                    id => department
                        .and_then(|d| d.fields.iter().find(|f| f.id == id))
                        .map(|f| f.prompt.clone())
                        .unwrap_or_else(|| id.to_string()),
                };
                let problem = words.format(problem, &mut Plain);
                let text = Text::new("teams-form-field-error")
                    .arg("field", field)
                    .arg("problem", problem);
                (key.clone(), words.format(&text, &mut Plain))
            })
            .collect();
        return Ok(Answer::Redraw(redraw(&submitted.state, &errors)));
    }
    if !outcome.applied {
        let id = match &key {
            Some(key) => filed_as(shared, key)?,
            None => None,
        };
        return Ok(Answer::Already(id));
    }
    let Some(request) = outcome.requests.first() else {
        return Ok(Answer::Already(None));
    };
    tracing::Span::current().record("request_id", tracing::field::display(&request.id));
    if let Some(key) = key {
        // The request is filed whatever happens here; without this note a form sent again
        // is told only that it was sent, not as what.
        if let Err(e) = remember(shared, key, &request.id).await {
            tracing::warn!(error = %crate::telemetry::chain(&e), "could not note which request a form became");
        }
    }
    let team = rules
        .department(&request.department)
        .map(|d| d.name.clone())
        .unwrap_or_default();
    Ok(Answer::Filed {
        id: request.id.clone(),
        team,
        unknown_author,
    })
}

/// Who the request is for: the picked person when the desk can write to them (found by
/// object id among the users it has heard from); else the person filing, and the picked
/// person's name is returned so it can be recorded with the request.
fn resolve(
    shared: &Shared,
    a: &Activity,
    picked: Option<&Author>,
) -> Result<(Option<UserRef>, Option<String>), StoreError> {
    let Some(person) = picked else {
        return Ok((None, None));
    };
    if a.from.aad_object_id.as_deref() == Some(person.aad.as_str()) {
        return Ok((None, None));
    }
    Ok(match shared.refs.user_by_aad(&person.aad)? {
        Some(id) if id == a.from.id => (None, None),
        Some(id) => (Some(UserRef::new(Platform::Teams, id)), None),
        None if person.name.is_empty() => (None, Some(person.aad.clone())),
        None => (None, Some(person.name.clone())),
    })
}

async fn remember(shared: &Shared, key: String, id: &RequestId) -> Result<(), InboundError> {
    let id = id.to_string();
    shared
        .engine
        .write(move |store| store.kv_put(FORMS_TREE, key.as_bytes(), id.as_bytes()))
        .await??;
    Ok(())
}

fn filed_as(shared: &Shared, key: &str) -> Result<Option<String>, StoreError> {
    Ok(shared
        .engine
        .store()
        .kv_get(FORMS_TREE, key.as_bytes())?
        .map(|id| String::from_utf8_lossy(&id).into_owned()))
}
