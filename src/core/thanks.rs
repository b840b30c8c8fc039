//! Thank-yous: after the survey, the requester may thank the agent who handled their
//! request, with an optional line of their own, in the department's channel.
//!
//! Opt-in: the end of the survey offers a "Say thanks" button. A click asks for a note
//! ([`SurveyState::AwaitingThanks`]); the next message is the note, "skip" posts without
//! one, "no thanks" posts nothing. One thank-you per request, recorded in its history as
//! [`Event::Thanked`] (its `text` is people's words: sealed, erased and expired with the rest).

use super::message::{Action, Choice, Message, Text};
use super::model::{Event, Request, SurveyState};
use super::text::{clip, MAX_ANSWER_CHARS};
use super::{Desk, Outgoing, RequestId, UserRef};

/// Who a thank-you for `r` goes to: its assignee, or else whoever closed it; never the
/// requester themself.
pub fn thanked_agent(r: &Request) -> Option<UserRef> {
    let agent = r.assignee.clone().or_else(|| {
        r.history
            .iter()
            .rev()
            .find(|h| matches!(h.event, Event::Closed))
            .and_then(|h| h.actor.clone())
    })?;
    (agent != r.requester).then_some(agent)
}

/// Whether `r`'s requester already thanked someone for it.
pub fn already_thanked(r: &Request) -> bool {
    r.history
        .iter()
        .any(|h| matches!(h.event, Event::Thanked { .. }))
}

/// How a note typed after "Say thanks" is read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Note {
    /// Post the thank-you with these words.
    Text(String),
    /// Post it without a note.
    Without,
    /// Post nothing.
    Declined,
}

/// Reads what the requester typed when asked for a note: the buttons' own words (in any
/// language the desk writes) and the usual English ones, else the note itself.
pub(super) fn read_note(text: &str, id: &RequestId, buttons: &super::ButtonWords) -> Note {
    let plain = text.trim().to_lowercase();
    let plain = plain.trim_end_matches(['.', '!']);
    if matches!(plain, "no thanks" | "no thank you" | "no" | "cancel") {
        return Note::Declined;
    }
    if matches!(plain, "skip" | "-" | "none") {
        return Note::Without;
    }
    match super::typed::typed_choice(text, &note_choices(id), buttons) {
        Some(Action::SendThanks(_)) => Note::Without,
        Some(Action::NoThanks(_)) => Note::Declined,
        _ => Note::Text(clip(text.trim(), MAX_ANSWER_CHARS)),
    }
}

fn note_choices(id: &RequestId) -> Vec<Choice> {
    vec![
        Choice::new(
            Text::new("button-thanks-send"),
            Action::SendThanks(id.clone()),
        ),
        Choice::new(Text::new("button-no-thanks"), Action::NoThanks(id.clone())),
    ]
}

impl Desk<'_> {
    /// The last message of a survey: thanks, and the offer to thank the agent, if there is
    /// one to thank and they were not thanked yet.
    pub(super) fn survey_done(&mut self, user: &UserRef, id: &RequestId) {
        let mut msg = Message::text(Text::new("survey-thanks"));
        if let Some(agent) = self
            .request(id)
            .filter(|r| !already_thanked(r))
            .and_then(thanked_agent)
        {
            msg = msg
                .line(Text::new("thanks-offer").arg("agent", &agent))
                .choice(Choice::new(
                    Text::new("button-say-thanks"),
                    Action::Thank(id.clone()),
                ));
        }
        self.dm(user, msg, Some(id));
    }

    /// "Say thanks" was clicked: ask for a note.
    pub(super) fn thank_clicked(&mut self, user: &UserRef, id: &RequestId) {
        let Some(r) = self.request(id) else {
            return self.unknown_request(user, id);
        };
        if &r.requester != user {
            return self.notice(user, Some(id), Message::text(Text::new("thanks-not-yours")));
        }
        let Some(agent) = thanked_agent(r) else {
            return;
        };
        if already_thanked(r) {
            let text = Text::new("thanks-already")
                .arg("agent", &agent)
                .arg("id", id);
            return self.dm(user, Message::text(text), Some(id));
        }
        if r.survey.state != SurveyState::Done {
            // Asked already (a second click), or the survey is not over (reopened since).
            return;
        }
        self.request_mut(id).expect("checked above").survey.state = SurveyState::AwaitingThanks;
        self.session.note_for = Some((id.clone(), self.now));
        let ask = Text::new("thanks-ask").arg("agent", &agent);
        self.dm(user, Message::with_choices(ask, note_choices(id)), Some(id));
    }

    /// The requester's answer to "what would you like to tell them?".
    pub(super) fn thanks_note(&mut self, user: &UserRef, id: &RequestId, note: Note) {
        let Some(r) = self.request(id) else {
            return self.unknown_request(user, id);
        };
        if &r.requester != user || r.survey.state != SurveyState::AwaitingThanks {
            return;
        }
        let Some(agent) = thanked_agent(r) else {
            return;
        };
        let now = self.now;
        self.session.note_for = None;
        let r = self.request_mut(id).expect("checked above");
        r.survey.state = SurveyState::Done;
        let text = match note {
            Note::Declined => {
                let told = Text::new("thanks-declined");
                return self.dm(user, Message::text(told), Some(id));
            }
            Note::Without => String::new(),
            Note::Text(text) => text,
        };
        r.record(
            now,
            Some(user),
            Event::Thanked {
                agent: agent.clone(),
                text: text.clone(),
            },
        );
        let post = Text::new("thanks-post")
            .arg("from", user)
            .arg("agent", &agent)
            .arg("id", id);
        let post = if text.is_empty() {
            Message::text(post)
        } else {
            Message::text(post).line(Text::new("thanks-note").arg("text", text))
        };
        self.send(Outgoing::Thanks {
            request: id.clone(),
            msg: post,
        });
        let told = Text::new("thanks-posted").arg("agent", &agent);
        self.dm(user, Message::text(told), Some(id));
    }

    /// A message from the requester while a note is awaited.
    pub(super) fn thanks_text(&mut self, user: &UserRef, id: &RequestId, text: &str) {
        let note = read_note(text, id, &self.rules.buttons);
        self.thanks_note(user, id, note);
    }
}
