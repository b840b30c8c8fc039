//! Words between the requester and the team: the requester's messages posted in the card's
//! thread, and agents' thread replies relayed to the requester (unless they are internal
//! notes, or the department relays only on purpose).

use super::message::{Arg, Message, Text};
use super::model::Event;
use super::text::{clip, MAX_ANSWER_CHARS};
use super::{Desk, Outgoing, PostRef, RequestId, UserRef};

impl Desk<'_> {
    pub(super) fn relay_from_requester(&mut self, user: &UserRef, id: &RequestId, text: &str) {
        self.resume_if_waiting(user, id);
        let now = self.now;
        let text = clip(text, MAX_ANSWER_CHARS);
        let Some(r) = self.request_mut(id) else {
            return self.unknown_request(user, id);
        };
        r.record(
            now,
            Some(user),
            Event::RequesterReplied { text: text.clone() },
        );
        let department = r.department.clone();
        // Written under the message it was filed from: the requester sees it went on there.
        let in_origin = r.origin.is_some();
        // A confidential department's thread says that the requester wrote, not what.
        let shown = if self.rules.is_confidential(&department) {
            Message::text(Text::new("thread-requester-wrote-hidden"))
        } else {
            Message::text(Text::new("thread-requester-wrote").arg("user", user))
                .line(Text::plain(text))
        };
        self.send(Outgoing::ThreadPost {
            request: id.clone(),
            msg: shown,
        });
        if !in_origin {
            self.dm(
                user,
                Message::text(Text::new("relayed-to-team").arg("id", id)),
                Some(id),
            );
        }
    }
    pub(super) fn on_thread_reply(
        &mut self,
        user: &UserRef,
        text: &str,
        id: &RequestId,
        post: PostRef,
    ) {
        let text = text.trim();
        let Some(r) = self.request(id) else { return };
        // The requester's own words reach the team already; a bystander in the channel doesn't
        // speak for the team (and must not stop the first-response chase).
        if &r.requester == user || text.is_empty() || !self.is_agent_for(user, r) {
            return;
        }
        if self.rules.is_internal_note(text)
            || self.rules.relay(&r.department) == super::rules::Relay::Explicit
        {
            // An internal note, or any reply where replies are explicit: agents talking among
            // themselves, never shown to the requester.
            return;
        }
        let now = self.now;
        let text = clip(text, MAX_ANSWER_CHARS);
        if let Some(r) = self.request_mut(id) {
            r.record(now, Some(user), Event::AgentReplied { text: text.clone() });
        }
        self.responded(id);
        self.tell_requester(
            id,
            Message::text(
                Text::new("agent-wrote")
                    .arg("user", user)
                    .arg("id", Arg::strong(id)),
            )
            .line(Text::plain(text)),
        );
        self.send(Outgoing::MarkRelayed {
            request: id.clone(),
            post,
        });
    }
}
