//! What the desk holds about one person, and removing people's words: the rules behind
//! `frontdesk privacy export|erase` and content retention. Ids, statuses, timestamps and
//! ratings stay, so counts and service-level figures stay true; what people wrote goes.

use super::{Event, Request, RequestId, Session, Timestamp, UserRef};
use serde::Serialize;

/// Everything stored about one person.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct PersonData {
    pub user: String,
    /// The requests they filed, whole.
    pub requests_filed: Vec<Request>,
    /// What they wrote on other people's requests (as an agent, say).
    pub messages_written: Vec<WrittenMessage>,
    /// The ratings and comments they gave.
    pub ratings: Vec<Rating>,
    /// Requests they were in the middle of filing, and messages waiting for them to say
    /// which request they were about.
    pub drafts: Vec<Session>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WrittenMessage {
    pub request: RequestId,
    pub at: Timestamp,
    pub kind: &'static str,
    pub text: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Rating {
    pub request: RequestId,
    pub rating: Option<u8>,
    pub comment: Option<String>,
}

/// Collects what `requests` hold about a person, known as any of `users` (one id may be
/// the same person on several platforms); `sessions` are their stored sessions.
pub fn person_data<'a>(
    label: &str,
    users: &[UserRef],
    requests: impl IntoIterator<Item = &'a Request>,
    sessions: Vec<Session>,
) -> PersonData {
    let mut data = PersonData {
        user: label.to_string(),
        drafts: sessions.into_iter().filter(|s| !s.is_empty()).collect(),
        ..PersonData::default()
    };
    for request in requests {
        let filed = users.contains(&request.requester);
        if filed {
            data.requests_filed.push(request.clone());
            if request.survey.rating.is_some() || request.survey.comment.is_some() {
                data.ratings.push(Rating {
                    request: request.id.clone(),
                    rating: request.survey.rating,
                    comment: request.survey.comment.clone(),
                });
            }
            continue;
        }
        for entry in &request.history {
            if !entry.actor.as_ref().is_some_and(|a| users.contains(a)) {
                continue;
            }
            if let Some((kind, text)) = written(&entry.event) {
                data.messages_written.push(WrittenMessage {
                    request: request.id.clone(),
                    at: entry.at,
                    kind,
                    text: text.to_string(),
                });
            }
        }
    }
    data
}

/// The words of a history event, if it has any.
fn written(event: &Event) -> Option<(&'static str, &str)> {
    match event {
        Event::AgentReplied { text } => Some(("agent_replied", text)),
        Event::RequesterReplied { text } => Some(("requester_replied", text)),
        Event::Commented { text } => Some(("commented", text)),
        Event::WaitingOnRequester { text } => Some(("asked_the_requester", text)),
        Event::Thanked { text, .. } => Some(("thanked", text)),
        _ => None,
    }
}

fn clear_text(event: &mut Event) -> bool {
    match event {
        Event::AgentReplied { text }
        | Event::RequesterReplied { text }
        | Event::Commented { text }
        | Event::WaitingOnRequester { text }
        | Event::Thanked { text, .. } => {
            let had = !text.is_empty();
            text.clear();
            had
        }
        _ => false,
    }
}

/// Whether the request still holds any words: summary, answers, messages, survey comment.
pub fn has_content(r: &Request) -> bool {
    !r.summary.is_empty()
        || r.answers.iter().any(|a| a.value.is_some())
        || r.history
            .iter()
            .any(|h| written(&h.event).is_some_and(|(_, t)| !t.is_empty()))
        || r.survey.comment.is_some()
        || r.origin.as_ref().is_some_and(|o| o.permalink.is_some())
}

/// Removes every word of the request: summary, answers, messages, the survey comment, and
/// the link to the channel message it was filed from.
/// Returns whether anything was there to remove.
pub fn remove_content(request: &mut Request) -> bool {
    let mut removed = !request.summary.is_empty();
    request.summary.clear();
    for answer in &mut request.answers {
        removed |= answer.value.take().is_some();
    }
    for entry in &mut request.history {
        removed |= clear_text(&mut entry.event);
    }
    removed |= request.survey.comment.take().is_some();
    // The link leads to the requester's words in the channel; the desk keeps only where the
    // message was, which relaying still needs.
    if let Some(origin) = request.origin.as_mut() {
        removed |= origin.permalink.take().is_some();
    }
    removed
}

/// Removes `user`'s words from the request: all of it when they filed it, else what they
/// wrote in it. Returns whether anything changed.
pub fn erase_person(request: &mut Request, user: &UserRef) -> bool {
    if &request.requester == user {
        return remove_content(request);
    }
    let mut removed = false;
    for entry in &mut request.history {
        if entry.actor.as_ref() == Some(user) {
            removed |= clear_text(&mut entry.event);
        }
    }
    removed
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::{Answer, HistoryEntry, Platform, Priority, Status, Survey};

    fn at(s: i64) -> Timestamp {
        chrono::DateTime::from_timestamp(1_700_000_000 + s, 0).unwrap()
    }

    fn request(requester: &UserRef, agent: &UserRef) -> Request {
        let mut r = Request {
            id: RequestId::parse("IT-1").unwrap(),
            department: "it".into(),
            requester: requester.clone(),
            summary: "my laptop is broken".into(),
            answers: vec![Answer {
                field: "asset".into(),
                prompt: "Asset tag?".into(),
                value: Some("A-77".into()),
            }],
            priority: Priority::Normal,
            status: Status::Closed,
            assignee: Some(agent.clone()),
            created_at: at(0),
            first_response_at: Some(at(10)),
            closed_at: Some(at(20)),
            history: vec![],
            survey: Survey {
                rating: Some(5),
                comment: Some("quick and kind".into()),
                ..Survey::default()
            },
            card: None,
            reminders_sent: 0,
            origin: None,
        };
        r.history = vec![
            HistoryEntry {
                at: at(0),
                actor: Some(requester.clone()),
                event: Event::Created,
            },
            HistoryEntry {
                at: at(10),
                actor: Some(agent.clone()),
                event: Event::AgentReplied {
                    text: "try turning it off".into(),
                },
            },
            HistoryEntry {
                at: at(11),
                actor: Some(requester.clone()),
                event: Event::RequesterReplied {
                    text: "still broken".into(),
                },
            },
        ];
        r
    }

    fn users() -> (UserRef, UserRef) {
        (
            UserRef::new(Platform::Slack, "U1"),
            UserRef::new(Platform::Slack, "U2"),
        )
    }

    #[test]
    fn a_requester_gets_their_requests_and_ratings_an_agent_their_messages() {
        let (requester, agent) = users();
        let r = request(&requester, &agent);
        let mine = person_data(
            "U1",
            std::slice::from_ref(&requester),
            [&r],
            vec![Session::default()],
        );
        assert_eq!(mine.requests_filed, vec![r.clone()]);
        assert_eq!(mine.ratings.len(), 1);
        assert_eq!(mine.ratings[0].comment.as_deref(), Some("quick and kind"));
        assert!(mine.messages_written.is_empty());
        assert!(mine.drafts.is_empty());
        let theirs = person_data("U2", &[agent], [&r], vec![]);
        assert!(theirs.requests_filed.is_empty());
        assert_eq!(theirs.messages_written.len(), 1);
        assert_eq!(theirs.messages_written[0].text, "try turning it off");
    }

    #[test]
    fn erasing_the_requester_removes_every_word_and_keeps_the_figures() {
        let (requester, agent) = users();
        let mut r = request(&requester, &agent);
        assert!(erase_person(&mut r, &requester));
        let text = serde_json::to_string(&r).unwrap();
        for words in [
            "laptop",
            "A-77",
            "turning",
            "still broken",
            "quick and kind",
        ] {
            assert!(!text.contains(words), "{words} left in {text}");
        }
        assert_eq!(r.survey.rating, Some(5));
        assert_eq!(r.history.len(), 3);
        assert_eq!(r.first_response_at, Some(at(10)));
        assert!(
            !erase_person(&mut r, &requester),
            "nothing left the second time"
        );
    }

    #[test]
    fn removing_the_content_of_a_captured_request_drops_the_link_to_its_message() {
        let (requester, agent) = users();
        let mut r = request(&requester, &agent);
        let post = crate::core::PostRef::new(Platform::Slack, "C-help", "1700000000.000100");
        r.origin = Some(crate::core::Origin {
            post: post.clone(),
            permalink: Some("https://example.slack.com/archives/C-help/p1700000000000100".into()),
            filed_by: None,
        });
        assert!(remove_content(&mut r));
        assert!(!has_content(&r));
        let origin = r.origin.expect("where it was filed from is kept");
        assert_eq!((origin.post, origin.permalink), (post, None));
    }

    #[test]
    fn erasing_an_agent_removes_only_their_words() {
        let (requester, agent) = users();
        let mut r = request(&requester, &agent);
        assert!(erase_person(&mut r, &agent));
        let text = serde_json::to_string(&r).unwrap();
        assert!(!text.contains("turning"));
        assert!(text.contains("still broken") && text.contains("laptop"));
    }
}
