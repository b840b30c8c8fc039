//! Requests filed from a message someone wrote in a channel, not from the DM conversation:
//! a ticket reaction on any message, or a top-level message in a help channel that captures
//! everything. This module owns which messages count (pleasantries don't), which department
//! such a request goes to, filing it, and the rule that the message's thread, not the DM, is
//! then the requester's side of the conversation.
//!
//! The department's required questions are then asked in the thread (`capture_fields`).
//!
//! The shell fetches what the core can't: the message's words and author, its permalink,
//! and the requester's replies already written under it; they arrive in a [`Captured`].

use super::message::{Action, Arg, Choice, Message, Text};
use super::model::{Event, Request};
use super::rules::{Department, Rules};
use super::text::{clip, MAX_ANSWER_CHARS};
use super::{Desk, Outgoing, PostRef, RequestId, UserRef};
use serde::{Deserialize, Serialize};

/// A channel message to be filed as a request, with what the shell fetched about it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Captured {
    /// The message's author.
    pub requester: UserRef,
    /// Who put the ticket reaction on it; `None` when a help channel captured it.
    pub filed_by: Option<UserRef>,
    pub text: String,
    /// The message itself: its thread becomes the requester's side of the conversation.
    pub post: PostRef,
    pub permalink: Option<String>,
    /// The help channel's department, when the channel names one.
    pub department: Option<String>,
    /// What the requester already wrote under the message, oldest first.
    #[serde(default)]
    pub earlier_replies: Vec<String>,
}

impl Captured {
    /// Who is asked which team, when the words don't say: the person who reacted, else the
    /// author. Their session keeps the message until they answer.
    pub fn asker(&self) -> &UserRef {
        self.filed_by.as_ref().unwrap_or(&self.requester)
    }
}

/// Where a request filed from a channel message came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Origin {
    /// The message: the bot answers in its thread, and relays through it.
    pub post: PostRef,
    pub permalink: Option<String>,
    /// Who filed it for the requester (a ticket reaction), if not the requester.
    pub filed_by: Option<UserRef>,
}

/// Words that, alone or together, only thank or acknowledge ("thanks!", "ok 👍", "+1").
const PLEASANTRIES: &[&str] = &[
    "+1", "a", "alles", "alright", "awesome", "bye", "cheers", "cool", "dank", "danke", "done",
    "fine", "got", "great", "gut", "it", "k", "kk", "klar", "lot", "many", "much", "nice", "np",
    "ok", "okay", "passt", "perfect", "prima", "schön", "so", "super", "sure", "thank", "thanks",
    "thx", "ty", "tyvm", "very", "vielen", "works", "worked", "yay", "yeah", "yep", "yes", "you",
];

/// Whether a message only thanks or acknowledges, and asks for nothing: pleasantries and
/// acknowledgements ("thanks", "ok", "+1", "great, thanks!"), or emoji alone (`:tada:`,
/// 👍). A help channel that captures every message skips these.
pub fn is_pleasantry(text: &str) -> bool {
    // `:thumbsup:` and `:+1::skin-tone-2:` are emoji as Slack writes them.
    let words: Vec<String> = text
        .split_whitespace()
        .flat_map(|w| w.split(',').map(str::to_string).collect::<Vec<_>>())
        .filter(|w| !is_shortcode(w))
        .map(|w| {
            w.chars()
                .filter(|c| c.is_alphanumeric() || *c == '+')
                .collect::<String>()
                .to_lowercase()
        })
        .filter(|w| !w.is_empty())
        .collect();
    // Five words of thanks are still thanks; more is usually a question after them.
    words.len() <= 5 && words.iter().all(|w| PLEASANTRIES.contains(&w.as_str()))
}

fn is_shortcode(word: &str) -> bool {
    let inner = word.trim_matches(|c: char| !c.is_alphanumeric() && c != ':');
    inner.len() > 2
        && inner.starts_with(':')
        && inner.ends_with(':')
        && inner
            .trim_matches(':')
            .split("::")
            .all(|n| !n.is_empty() && n.chars().all(|c| c.is_alphanumeric() || "_+-".contains(c)))
}

/// The department a captured message goes to: the help channel's (if the desk knows it),
/// else the one its words point to.
pub fn capture_department<'r>(c: &Captured, rules: &'r Rules) -> Option<&'r Department> {
    c.department
        .as_deref()
        .and_then(|d| rules.department(d))
        .or_else(|| rules.guess_department(&c.text))
}

impl Desk<'_> {
    pub(super) fn on_capture(&mut self, c: Captured) {
        let text = c.text.trim();
        // A reaction is someone's choice to file it; a help channel files only real asks.
        if text.is_empty() || (c.filed_by.is_none() && is_pleasantry(text)) {
            return;
        }
        match capture_department(&c, self.rules).cloned() {
            Some(dept) => self.file_capture(c, &dept),
            None => self.ask_capture_department(c),
        }
    }

    /// Neither the channel nor the words name a team: the asker picks one with buttons.
    fn ask_capture_department(&mut self, c: Captured) {
        let choices = self
            .rules
            .departments
            .iter()
            .map(|d| {
                Choice::new(
                    Text::plain(d.name.clone()),
                    Action::PickDepartment(d.id.clone()),
                )
            })
            .collect();
        let question = Message::with_choices(Text::new("capture-ask-department"), choices);
        let asker = c.asker().clone();
        let thread = c.post.clone();
        let reacted = c.filed_by.is_some();
        self.session.capture = Some(c);
        if reacted {
            self.notice(&asker, None, question);
        } else {
            self.send(Outgoing::ThreadReply {
                thread,
                msg: question,
            });
        }
    }

    /// A department button clicked while a captured message waits for its team. Returns
    /// false when nothing waits, so the click means what it means in a draft.
    pub(super) fn capture_department_picked(&mut self, department: &str) -> bool {
        let Some(c) = self.session.capture.take() else {
            return false;
        };
        match self.rules.department(department).cloned() {
            Some(dept) => self.file_capture(c, &dept),
            None => {
                let asker = c.asker().clone();
                self.session.capture = Some(c);
                self.notice(&asker, None, Message::text(Text::new("hint-team-gone")));
            }
        }
        true
    }

    fn file_capture(&mut self, c: Captured, dept: &Department) {
        let id = RequestId::new(dept.prefix.clone(), self.next_number.max(1));
        let mut request = Request::new(
            id.clone(),
            dept.id.clone(),
            c.requester.clone(),
            clip(c.text.trim(), MAX_ANSWER_CHARS),
            self.now,
        );
        request.answers = super::capture_fields::blank_answers(dept);
        request.origin = Some(Origin {
            post: c.post.clone(),
            permalink: c.permalink.clone(),
            filed_by: c.filed_by.clone().filter(|f| f != &c.requester),
        });
        let filer = c.filed_by.as_ref().unwrap_or(&c.requester);
        request.record(self.now, Some(filer), Event::Created);
        for reply in &c.earlier_replies {
            request.record(
                self.now,
                Some(&c.requester),
                Event::RequesterReplied {
                    text: clip(reply, MAX_ANSWER_CHARS),
                },
            );
        }
        self.insert_request(request);
        self.send(Outgoing::PostCard {
            request: id.clone(),
        });
        // Backfill: what the requester already added under the message reaches the team too.
        let confidential = self.rules.is_confidential(&dept.id);
        for reply in &c.earlier_replies {
            let shown = if confidential {
                Message::text(Text::new("thread-requester-wrote-hidden"))
            } else {
                Message::text(Text::new("thread-requester-wrote").arg("user", &c.requester))
                    .line(Text::plain(clip(reply, MAX_ANSWER_CHARS)))
            };
            self.send(Outgoing::ThreadPost {
                request: id.clone(),
                msg: shown,
            });
        }
        let mut filed = Message::text(
            Text::new("capture-filed")
                .arg("id", Arg::strong(&id))
                .arg("team", dept.name.as_str())
                .arg("sla", Arg::duration(dept.first_response_sla)),
        );
        if let Some(by) = self.request(&id).and_then(|r| self.first_response_by(r)) {
            filed = filed.line(Text::new("first-response-by").arg("when", by));
        }
        self.send(Outgoing::OriginReply {
            request: id.clone(),
            msg: filed,
        });
        self.ask_next_field(&id, None);
        self.start_clocks(&id);
    }

    /// A reply under the message a request was filed from: the requester's words go to the
    /// team; others talking there (colleagues chiming in) stay where they are.
    pub(super) fn on_origin_reply(&mut self, user: &UserRef, text: &str, id: &RequestId) {
        let text = text.trim();
        let Some(r) = self.request(id) else { return };
        if &r.requester != user || text.is_empty() || !r.status.is_active() {
            return;
        }
        if self.pending_field(id).is_some() {
            // An answer is the requester writing: a request waiting on them goes on.
            self.resume_if_waiting(user, id);
            return self.answer_field_in_thread(id, text);
        }
        self.relay_from_requester(user, id, text);
    }

    /// A reply under a message that waits for its team: the requester's words are kept, so
    /// the card's thread gets them once the team is chosen. Anyone else's stay where they are.
    pub(super) fn on_waiting_thread_reply(&mut self, user: &UserRef, text: &str, root: &PostRef) {
        let text = text.trim();
        if let Some(c) = self.session.capture.as_mut() {
            if &c.post == root && &c.requester == user && !text.is_empty() {
                c.earlier_replies.push(clip(text, MAX_ANSWER_CHARS));
            }
        }
    }

    /// Whether the requester's side of a request is the thread of the message it was filed
    /// from. A confidential department's words never go to a channel, where colleagues read
    /// along: its requesters are told by DM.
    pub(super) fn requester_in_thread(&self, id: &RequestId) -> bool {
        self.request(id)
            .is_some_and(|r| r.origin.is_some() && !self.rules.is_confidential(&r.department))
    }

    /// A message for a request's requester: in the thread of the message it was filed from,
    /// if it was, else by DM.
    pub(super) fn tell_requester(&mut self, id: &RequestId, msg: Message) {
        let Some(r) = self.request(id) else { return };
        if self.requester_in_thread(id) {
            self.send(Outgoing::OriginReply {
                request: id.clone(),
                msg,
            });
        } else {
            let requester = r.requester.clone();
            self.dm(&requester, msg, Some(id));
        }
    }
}
