//! Whole conversations against the pure core: a small in-memory world applies each
//! transition the way the store does, so the tests read like the chats they stand for.
//!
//! This file holds the world, the readers of transitions and the scripts for the common ways
//! in; the tests are in one file per topic below.

use super::rules::fixtures::rules;
use super::shown::{shown, Shown};
use super::*;
use chrono::{Duration, TimeZone, Utc};
use std::collections::BTreeMap;

mod calendar;
mod capture;
mod claim_and_messages;
mod close_and_cancel;
mod confidential;
mod digest;
mod form;
mod german_words;
mod handover;
mod intake_questions;
mod intake_start;
mod intake_submit;
mod odd_input_and_help;
mod retention;
mod service_levels;
mod story;
mod survey;
mod survey_policy;
mod thanks;
mod timers;
mod typed_answers;

// ---------------------------------------------------------------------------------------------
// The world: requests, sessions, counters, pending timers and a clock.
// ---------------------------------------------------------------------------------------------

/// A way to get the world into some state.
type Script = fn(&mut World);

fn user(id: &str) -> UserRef {
    UserRef::new(Platform::Slack, id)
}

fn rid(s: &str) -> RequestId {
    RequestId::parse(s).unwrap()
}

fn t0() -> Timestamp {
    Utc.with_ymd_and_hms(2024, 3, 4, 9, 0, 0).unwrap()
}

struct World {
    rules: Rules,
    now: Timestamp,
    requests: BTreeMap<RequestId, Request>,
    sessions: BTreeMap<UserRef, Session>,
    counters: BTreeMap<String, u64>,
    timers: Vec<Timer>,
    posts: u64,
}

impl World {
    fn new() -> Self {
        World::with(rules())
    }

    fn with(rules: Rules) -> Self {
        World {
            rules,
            now: t0(),
            requests: BTreeMap::new(),
            sessions: BTreeMap::new(),
            counters: BTreeMap::new(),
            timers: Vec::new(),
            posts: 0,
        }
    }

    /// What the store would load, by the core's own rule.
    fn snapshot(&self, input: &Input) -> Snapshot {
        match load_snapshot(self, input, &self.rules) {
            Ok(snapshot) => snapshot,
            Err(never) => match never {},
        }
    }

    fn step(&mut self, input: Input) -> Transition {
        let snapshot = self.snapshot(&input);
        let t = step(snapshot, input.clone(), self.now, &self.rules);
        if let Some(actor) = input.actor() {
            if t.session.is_empty() {
                self.sessions.remove(actor);
            } else {
                self.sessions.insert(actor.clone(), t.session.clone());
            }
        }
        for r in &t.requests {
            if !self.requests.contains_key(&r.id) {
                let c = self.counters.entry(r.id.prefix().to_string()).or_insert(0);
                *c = (*c).max(r.id.number());
            }
            self.requests.insert(r.id.clone(), r.clone());
        }
        // Like the store: cancels see only the timers pending before this step.
        for e in &t.effects {
            if let Effect::Cancel(f) = e {
                self.timers.retain(|timer| !f.matches(&timer.kind));
            }
        }
        for e in &t.effects {
            if let Effect::Schedule(timer) = e {
                self.timers.push(timer.clone());
            }
        }
        t
    }

    fn command(&mut self, who: &str, text: &str) -> Transition {
        self.step(Input::CommandInvoked {
            user: user(who),
            text: text.into(),
        })
    }

    fn say(&mut self, who: &str, text: &str) -> Transition {
        self.step(Input::MessageReceived {
            user: user(who),
            text: text.into(),
            place: Place::Direct { about: None },
        })
    }

    /// A DM written in the thread of a bot message about one request.
    fn say_about(&mut self, who: &str, id: &str, text: &str) -> Transition {
        self.step(Input::MessageReceived {
            user: user(who),
            text: text.into(),
            place: Place::Direct {
                about: Some(rid(id)),
            },
        })
    }

    fn click(&mut self, who: &str, action: Action) -> Transition {
        self.step(Input::ButtonClicked {
            user: user(who),
            action,
            post: None,
        })
    }

    /// A click on a button of the message `post`, which the platform can replace.
    fn click_on(&mut self, who: &str, action: Action, post: PostRef) -> Transition {
        self.step(Input::ButtonClicked {
            user: user(who),
            action,
            post: Some(post),
        })
    }

    fn mention(&mut self, who: &str, thread: PostRef) -> Transition {
        self.step(Input::MentionedInChannel {
            user: user(who),
            thread,
            text: String::new(),
        })
    }

    fn thread_reply(&mut self, who: &str, id: &str, text: &str) -> Transition {
        self.posts += 1;
        self.step(Input::MessageReceived {
            user: user(who),
            text: text.into(),
            place: Place::CardThread {
                request: rid(id),
                post: self.post(),
            },
        })
    }

    /// The post the last thread reply was written as.
    fn post(&self) -> PostRef {
        PostRef::new(Platform::Slack, "C-desk", format!("p{}", self.posts))
    }

    fn react(&mut self, who: &str, id: &str) -> Transition {
        self.step(Input::CloseReactionAdded {
            user: user(who),
            request: rid(id),
        })
    }

    fn unreact(&mut self, who: &str, id: &str) -> Transition {
        self.step(Input::CloseReactionRemoved {
            user: user(who),
            request: rid(id),
        })
    }

    /// Fires a timer that may or may not be pending (a late or duplicate delivery).
    fn fire(&mut self, kind: TimerKind) -> Transition {
        self.step(Input::TimerFired {
            timer: Timer { at: self.now, kind },
        })
    }

    /// Fires every pending timer that is due, earliest first, removing each as it fires.
    fn fire_due_timers(&mut self) -> Vec<Transition> {
        let mut out = Vec::new();
        for _ in 0..100 {
            let due = self
                .timers
                .iter()
                .enumerate()
                .filter(|(_, t)| t.at <= self.now)
                .min_by_key(|(_, t)| t.at)
                .map(|(i, _)| i);
            let Some(i) = due else { return out };
            let timer = self.timers.remove(i);
            out.push(self.step(Input::TimerFired { timer }));
        }
        panic!("timers keep firing");
    }

    fn advance(&mut self, d: Duration) {
        self.now += d;
    }

    fn req(&self, id: &str) -> &Request {
        self.requests
            .get(&rid(id))
            .unwrap_or_else(|| panic!("no request {id}"))
    }

    fn session(&self, who: &str) -> Session {
        self.sessions.get(&user(who)).cloned().unwrap_or_default()
    }

    fn draft(&self, who: &str) -> Draft {
        self.session(who)
            .draft
            .unwrap_or_else(|| panic!("{who} has no draft"))
    }

    fn step_of(&self, who: &str) -> Step {
        self.draft(who).step
    }

    fn pending(&self, kind: &str) -> Vec<&Timer> {
        self.timers
            .iter()
            .filter(|t| t.kind.name() == kind)
            .collect()
    }
}

/// The world as the store the engine loads from. It hands over all of a user's requests and
/// leaves it to the core to pick the ones that need attention.
impl SnapshotSource for World {
    type Error = std::convert::Infallible;

    fn session(&self, user: &UserRef) -> Result<Session, Self::Error> {
        Ok(self.sessions.get(user).cloned().unwrap_or_default())
    }

    fn request(&self, id: &RequestId) -> Result<Option<Request>, Self::Error> {
        Ok(self.requests.get(id).cloned())
    }

    fn requests_needing_attention(&self, user: &UserRef) -> Result<Vec<Request>, Self::Error> {
        Ok(self
            .requests
            .values()
            .filter(|r| &r.requester == user)
            .cloned()
            .collect())
    }

    fn next_number(&self, prefix: &str) -> Result<u64, Self::Error> {
        Ok(self.counters.get(prefix).copied().unwrap_or(0) + 1)
    }

    fn all_requests_of(&self, user: &UserRef) -> Result<Vec<Request>, Self::Error> {
        Ok(self
            .requests
            .values()
            .filter(|r| &r.requester == user)
            .cloned()
            .collect())
    }

    fn active_requests(&self, department: &str) -> Result<Vec<Request>, Self::Error> {
        Ok(self
            .requests
            .values()
            .filter(|r| r.department == department && r.status.is_active())
            .cloned()
            .collect())
    }
}

// ---------------------------------------------------------------------------------------------
// Reading transitions.
// ---------------------------------------------------------------------------------------------

trait Look {
    fn dms_to(&self, who: &str) -> Vec<&'static Shown>;
    fn dm_to(&self, who: &str) -> &'static Shown;
    fn dm_abouts(&self, who: &str) -> Vec<Option<RequestId>>;
    fn notice_to(&self, who: &str) -> (&'static Shown, Option<&RequestId>);
    fn reply(&self) -> &'static Shown;
    fn thread_posts(&self, id: &str) -> Vec<&'static Shown>;
    fn scheduled(&self) -> Vec<&Timer>;
    fn cancelled(&self) -> Vec<&TimerFilter>;
    fn sends(&self, out: &Outgoing) -> bool;
    fn changed(&self, id: &str) -> Option<&Request>;
}

/// A message in English words. Leaked so that tests can hold and pass it around as they
/// would a reference into the transition; a test process is short.
fn look(msg: &Message) -> &'static Shown {
    Box::leak(Box::new(shown(msg)))
}

impl Look for Transition {
    /// The DMs `who` got, in English words.
    fn dms_to(&self, who: &str) -> Vec<&'static Shown> {
        self.outgoing()
            .filter_map(|o| match o {
                Outgoing::Dm { to, msg, .. } if *to == user(who) => Some(look(msg)),
                _ => None,
            })
            .collect()
    }

    /// The one DM `who` got.
    fn dm_to(&self, who: &str) -> &'static Shown {
        let mut dms = self.dms_to(who);
        assert_eq!(
            dms.len(),
            1,
            "expected one DM to {who}, got {dms:#?}\nall effects: {:#?}",
            self.effects
        );
        dms.remove(0)
    }

    fn dm_abouts(&self, who: &str) -> Vec<Option<RequestId>> {
        self.outgoing()
            .filter_map(|o| match o {
                Outgoing::Dm { to, about, .. } if *to == user(who) => Some(about.clone()),
                _ => None,
            })
            .collect()
    }

    fn notice_to(&self, who: &str) -> (&'static Shown, Option<&RequestId>) {
        let mut notices: Vec<_> = self
            .outgoing()
            .filter_map(|o| match o {
                Outgoing::Notice { to, msg, request } if *to == user(who) => {
                    Some((look(msg), request.as_ref()))
                }
                _ => None,
            })
            .collect();
        assert_eq!(
            notices.len(),
            1,
            "expected one notice to {who}: {:#?}",
            self.effects
        );
        notices.remove(0)
    }

    fn reply(&self) -> &'static Shown {
        let replies: Vec<_> = self.replies().collect();
        assert_eq!(replies.len(), 1, "expected one reply: {:#?}", self.effects);
        look(replies[0])
    }

    fn thread_posts(&self, id: &str) -> Vec<&'static Shown> {
        self.outgoing()
            .filter_map(|o| match o {
                Outgoing::ThreadPost { request, msg } if *request == rid(id) => Some(look(msg)),
                _ => None,
            })
            .collect()
    }

    fn scheduled(&self) -> Vec<&Timer> {
        self.effects
            .iter()
            .filter_map(|e| match e {
                Effect::Schedule(t) => Some(t),
                _ => None,
            })
            .collect()
    }

    fn cancelled(&self) -> Vec<&TimerFilter> {
        self.effects
            .iter()
            .filter_map(|e| match e {
                Effect::Cancel(f) => Some(f),
                _ => None,
            })
            .collect()
    }

    fn sends(&self, out: &Outgoing) -> bool {
        self.outgoing().any(|o| o == out)
    }

    fn changed(&self, id: &str) -> Option<&Request> {
        self.requests.iter().find(|r| r.id == rid(id))
    }
}

fn actions(msg: &Shown) -> Vec<Action> {
    msg.choices.iter().map(|c| c.action.clone()).collect()
}

fn has_text(msg: &Shown, part: &str) {
    assert!(
        msg.text.contains(part),
        "expected {part:?} in {:?}",
        msg.text
    );
}

fn department_buttons() -> Vec<Action> {
    vec![
        Action::PickDepartment("it".into()),
        Action::PickDepartment("hr".into()),
        Action::PickDepartment("facilities".into()),
        Action::Cancel,
    ]
}

/// The conversation's first question: the teams, then the form (Slack), then cancel.
fn first_department_buttons() -> Vec<Action> {
    let mut v = department_buttons();
    v.insert(v.len() - 1, Action::OpenForm);
    v
}

fn urgency_buttons() -> Vec<Action> {
    vec![
        Action::PickOption(0),
        Action::PickOption(1),
        Action::PickOption(2),
        Action::PickOption(3),
        Action::Back,
        Action::Cancel,
    ]
}

fn rating_buttons(id: &str) -> Vec<Action> {
    (1..=5).map(|n| Action::Rate(rid(id), n)).collect()
}

fn events(r: &Request) -> Vec<Event> {
    r.history.iter().map(|h| h.event.clone()).collect()
}

fn last_event(r: &Request) -> &HistoryEntry {
    r.history.last().expect("history is never empty")
}

// ---------------------------------------------------------------------------------------------
// Scripts for the common ways in.
// ---------------------------------------------------------------------------------------------

/// `who` files an IT request: laptop won't boot, ThinkPad X1, high urgency, no notes.
fn file_laptop(w: &mut World, who: &str) -> RequestId {
    w.command(who, "my laptop won't boot");
    w.say(who, "yes");
    w.say(who, "ThinkPad X1");
    w.say(who, "high");
    w.say(who, "skip");
    let t = w.say(who, "submit");
    assert_eq!(
        t.requests.len(),
        1,
        "submit should create one request: {:#?}",
        t.effects
    );
    t.requests[0].id.clone()
}

/// `who` files a Facilities request (no questions to answer).
fn file_chair(w: &mut World, who: &str) -> RequestId {
    w.command(who, "my chair is broken");
    w.say(who, "yes");
    let t = w.say(who, "submit");
    assert_eq!(t.requests.len(), 1, "{:#?}", t.effects);
    t.requests[0].id.clone()
}

/// `who` files an HR request about leave.
fn file_leave(w: &mut World, who: &str) -> RequestId {
    w.command(who, "question about my holiday");
    w.say(who, "yes");
    w.say(who, "leave");
    let t = w.say(who, "submit");
    assert_eq!(t.requests.len(), 1, "{:#?}", t.effects);
    t.requests[0].id.clone()
}

/// An IT draft stopped at the urgency question (field 1), described in the describe step.
fn draft_at_urgency(w: &mut World, who: &str) {
    w.command(who, "");
    w.click(who, Action::PickDepartment("it".into()));
    w.say(who, "printer jams");
    w.say(who, "HP 4000");
    assert_eq!(w.step_of(who), Step::Field { index: 1 });
}

/// IT-1 filed by carol, claimed by alice and closed by alice: the survey is waiting.
fn closed_by_alice(w: &mut World) -> RequestId {
    let id = file_laptop(w, "carol");
    w.click("alice", Action::Claim(id.clone()));
    w.click("alice", Action::Close(id.clone()));
    assert_eq!(w.req("IT-1").survey.state, SurveyState::AwaitingRating);
    id
}
