//! Whole conversations against the pure core: a small in-memory world applies each
//! transition the way the store does, so the tests read like the chats they stand for.

use super::rules::fixtures::rules;
use super::shown::{shown, Shown};
use super::*;
use chrono::{Duration, TimeZone, Utc};
use std::collections::BTreeMap;

// ---------------------------------------------------------------------------------------------
// The world: requests, sessions, counters, pending timers and a clock.
// ---------------------------------------------------------------------------------------------

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

// =============================================================================================
// Intake: starting
// =============================================================================================

#[test]
fn a_bare_command_acknowledges_in_place_and_asks_for_the_team_by_dm() {
    let mut w = World::new();
    let t = w.command("carol", "");
    has_text(t.reply(), "I've sent you a direct message");
    let q = t.dm_to("carol");
    has_text(q, "Which team can help?");
    assert_eq!(actions(q), department_buttons());
    assert_eq!(t.dm_abouts("carol"), vec![None]);
    let draft = w.draft("carol");
    assert_eq!(draft.step, Step::ChooseDepartment);
    assert_eq!(draft.summary, None);
    assert!(!draft.summary_given);
    assert_eq!(draft.started_at, t0());
    assert_eq!(
        t.scheduled(),
        vec![&Timer {
            at: t0() + Duration::hours(2),
            kind: TimerKind::DraftExpiry {
                user: user("carol")
            }
        }]
    );
    assert!(
        t.cancelled().is_empty(),
        "nothing to cancel on a first draft"
    );
    assert!(t.requests.is_empty());
}

#[test]
fn a_message_with_no_request_and_no_draft_starts_intake_with_its_words() {
    let mut w = World::new();
    let t = w.say("carol", "the vpn drops every hour");
    has_text(t.dm_to("carol"), "It sounds like a request for *IT*");
    assert!(t.replies().next().is_none(), "a DM is answered by DM only");
    let draft = w.draft("carol");
    assert_eq!(draft.summary.as_deref(), Some("the vpn drops every hour"));
    assert_eq!(
        draft.step,
        Step::ConfirmDepartment {
            department: "it".into()
        }
    );
}

#[test]
fn new_request_words_and_button_start_intake_without_first_words() {
    for start in ["new", "New Request", "start"] {
        let mut w = World::new();
        let t = w.say("carol", start);
        has_text(t.dm_to("carol"), "Which team can help?");
        assert_eq!(w.draft("carol").summary, None, "{start}");
    }
    let mut w = World::new();
    let t = w.click("carol", Action::StartRequest);
    assert_eq!(actions(t.dm_to("carol")), department_buttons());
    assert_eq!(w.step_of("carol"), Step::ChooseDepartment);
}

// =============================================================================================
// Intake: choosing the department
// =============================================================================================

#[test]
fn department_by_button_asks_for_a_description() {
    let mut w = World::new();
    w.command("carol", "");
    let t = w.click("carol", Action::PickDepartment("it".into()));
    let q = t.dm_to("carol");
    has_text(q, "In a sentence or two, what do you need?");
    assert_eq!(actions(q), vec![Action::Back, Action::Cancel]);
    let draft = w.draft("carol");
    assert_eq!(draft.step, Step::Describe);
    assert_eq!(draft.department.as_deref(), Some("it"));
    assert_eq!(draft.answers, vec![None, None, None]);
}

#[test]
fn department_by_typed_name_number_or_prefix_in_any_case() {
    for (typed, dept) in [
        ("IT", "it"),
        ("it", "it"),
        ("Human", ""),
        ("hr", "hr"),
        ("2", "hr"),
        ("#3", "facilities"),
        ("Facilities", "facilities"),
        ("FAC", "facilities"),
        ("fac", "facilities"),
    ] {
        let mut w = World::new();
        w.command("carol", "");
        w.say("carol", typed);
        let draft = w.draft("carol");
        if dept.is_empty() {
            assert_eq!(draft.department, None, "{typed:?} names no team");
        } else {
            assert_eq!(draft.department.as_deref(), Some(dept), "{typed:?}");
            assert_eq!(draft.step, Step::Describe, "{typed:?}");
        }
    }
}

#[test]
fn a_wrong_department_answer_reasks_with_a_hint() {
    for typed in ["legal", "0", "4", "it please", "🤷"] {
        let mut w = World::new();
        w.command("carol", "");
        let t = w.say("carol", typed);
        let q = t.dm_to("carol");
        assert!(
            q.text.starts_with(
                "I didn't catch that: reply with a number from 1 to 3 or a team's name.\n"
            ),
            "{typed:?}: {:?}",
            q.text
        );
        has_text(q, "Which team can help?");
        assert_eq!(actions(q), department_buttons());
        assert_eq!(w.step_of("carol"), Step::ChooseDepartment);
        assert_eq!(w.draft("carol").department, None);
    }
}

#[test]
fn a_department_button_for_a_team_that_no_longer_exists_asks_again() {
    let mut w = World::new();
    w.command("carol", "");
    let t = w.click("carol", Action::PickDepartment("legal".into()));
    has_text(
        t.dm_to("carol"),
        "That team no longer exists; please pick another.",
    );
    assert_eq!(w.step_of("carol"), Step::ChooseDepartment);
}

#[test]
fn a_department_without_fields_goes_from_description_straight_to_confirm() {
    let mut w = World::new();
    w.command("carol", "");
    w.say("carol", "facilities");
    let t = w.say("carol", "the window won't close");
    let q = t.dm_to("carol");
    assert_eq!(w.step_of("carol"), Step::Confirm);
    assert_eq!(
        q.text,
        "Please check your *Facilities* request:\n• What you need: the window won't close\nSubmit it?"
    );
    assert_eq!(
        actions(q),
        vec![Action::Submit, Action::Back, Action::Cancel]
    );
}

// =============================================================================================
// Intake: first words and the guess
// =============================================================================================

#[test]
fn first_words_with_a_keyword_are_guessed_and_confirmed() {
    let mut w = World::new();
    let t = w.command("carol", "my laptop won't boot");
    let q = t.dm_to("carol");
    assert_eq!(q.text, "It sounds like a request for *IT*. Is that right?");
    assert_eq!(
        actions(q),
        vec![
            Action::ConfirmDepartment,
            Action::RejectDepartment,
            Action::Cancel
        ]
    );
    assert_eq!(q.choices[0].label, "Yes, IT");
    let draft = w.draft("carol");
    assert_eq!(
        draft.step,
        Step::ConfirmDepartment {
            department: "it".into()
        }
    );
    assert_eq!(draft.department, None, "not chosen until confirmed");
    assert_eq!(draft.summary.as_deref(), Some("my laptop won't boot"));
    assert!(draft.summary_given);
}

#[test]
fn yes_to_the_guess_skips_the_description_and_asks_the_first_question() {
    for yes in ["yes", "Yes!", "y", "OK", "sure.", "yeah 👍"] {
        let mut w = World::new();
        w.command("carol", "my laptop won't boot");
        let t = w.say("carol", yes);
        let q = t.dm_to("carol");
        assert_eq!(q.text, "Which device is affected?", "{yes:?}");
        assert_eq!(actions(q), vec![Action::Back, Action::Cancel]);
        let draft = w.draft("carol");
        assert_eq!(draft.step, Step::Field { index: 0 });
        assert_eq!(draft.department.as_deref(), Some("it"));
        assert_eq!(draft.answers.len(), 3);
    }
}

#[test]
fn the_confirm_button_accepts_the_guess() {
    let mut w = World::new();
    w.command("carol", "the air conditioning is loud");
    let t = w.click("carol", Action::ConfirmDepartment);
    has_text(t.dm_to("carol"), "Please check your *Facilities* request");
    assert_eq!(w.step_of("carol"), Step::Confirm);
}

#[test]
fn no_to_the_guess_asks_for_the_team_and_keeps_the_words() {
    let mut w = World::new();
    w.command("carol", "my laptop won't boot");
    let t = w.say("carol", "No.");
    assert_eq!(actions(t.dm_to("carol")), department_buttons());
    assert_eq!(w.step_of("carol"), Step::ChooseDepartment);
    let t = w.say("carol", "hr");
    assert_eq!(t.dm_to("carol").text, "What is it about?");
    let draft = w.draft("carol");
    assert_eq!(
        draft.step,
        Step::Field { index: 0 },
        "the words still describe it"
    );
    assert_eq!(draft.summary.as_deref(), Some("my laptop won't boot"));
    assert_eq!(draft.answers, vec![None]);
}

#[test]
fn the_reject_button_asks_for_the_team() {
    let mut w = World::new();
    w.command("carol", "my laptop won't boot");
    let t = w.click("carol", Action::RejectDepartment);
    assert_eq!(actions(t.dm_to("carol")), department_buttons());
    assert_eq!(w.step_of("carol"), Step::ChooseDepartment);
}

#[test]
fn typing_another_team_at_the_guess_picks_that_team() {
    let mut w = World::new();
    w.command("carol", "my laptop won't boot");
    let t = w.say("carol", "facilities");
    has_text(t.dm_to("carol"), "Please check your *Facilities* request");
    assert_eq!(w.draft("carol").department.as_deref(), Some("facilities"));
    assert_eq!(w.step_of("carol"), Step::Confirm);
}

#[test]
fn a_department_button_at_the_guess_picks_that_team() {
    let mut w = World::new();
    w.command("carol", "my laptop won't boot");
    w.click("carol", Action::PickDepartment("hr".into()));
    assert_eq!(w.draft("carol").department.as_deref(), Some("hr"));
    assert_eq!(w.step_of("carol"), Step::Field { index: 0 });
}

#[test]
fn garbage_at_the_guess_asks_for_yes_or_no_again() {
    let mut w = World::new();
    w.command("carol", "my laptop won't boot");
    let t = w.say("carol", "maybe, not sure");
    let q = t.dm_to("carol");
    assert_eq!(
        q.text,
        "Please answer yes or no (or type the team's name).\nIt sounds like a request for *IT*. Is that right?"
    );
    assert_eq!(
        w.step_of("carol"),
        Step::ConfirmDepartment {
            department: "it".into()
        }
    );
}

#[test]
fn no_keyword_means_no_guess_but_the_words_are_the_description() {
    let mut w = World::new();
    let t = w.command("carol", "something is off with the lights");
    assert_eq!(actions(t.dm_to("carol")), department_buttons());
    let draft = w.draft("carol");
    assert_eq!(draft.step, Step::ChooseDepartment);
    assert_eq!(
        draft.summary.as_deref(),
        Some("something is off with the lights")
    );
    let t = w.say("carol", "facilities");
    has_text(
        t.dm_to("carol"),
        "• What you need: something is off with the lights",
    );
    assert_eq!(
        w.step_of("carol"),
        Step::Confirm,
        "describe is not asked again"
    );
}

#[test]
fn a_tie_between_teams_gives_no_guess() {
    let mut w = World::new();
    w.command("carol", "laptop on my desk");
    assert_eq!(w.step_of("carol"), Step::ChooseDepartment);
}

#[test]
fn the_word_it_does_not_guess_the_it_team() {
    let mut w = World::new();
    w.command("carol", "my chair is broken, can you fix it?");
    assert_eq!(
        w.step_of("carol"),
        Step::ConfirmDepartment {
            department: "facilities".into()
        }
    );
    let mut w = World::new();
    w.command("carol", "it keeps squeaking");
    assert_eq!(w.step_of("carol"), Step::ChooseDepartment);
    let mut w = World::new();
    w.command("carol", "need IT to look at something");
    assert_eq!(
        w.step_of("carol"),
        Step::ConfirmDepartment {
            department: "it".into()
        }
    );
}

#[test]
fn multi_word_keywords_match_whole_words_only() {
    let r = rules();
    assert_eq!(
        r.guess_department("the air-conditioning is off")
            .unwrap()
            .id,
        "facilities"
    );
    assert!(r.guess_department("hair conditioning products").is_none());
}

#[test]
fn first_words_that_only_name_a_team_confirm_it_and_ask_for_a_description() {
    for words in ["hr", "HR", "Facilities", "it"] {
        let mut w = World::new();
        let t = w.command("carol", words);
        has_text(t.dm_to("carol"), "It sounds like a request for");
        let draft = w.draft("carol");
        assert_eq!(draft.summary, None, "{words:?} is not a description");
        assert!(!draft.summary_given);
        let t = w.say("carol", "yes");
        assert_eq!(
            t.dm_to("carol").text,
            "In a sentence or two, what do you need?"
        );
        assert_eq!(w.step_of("carol"), Step::Describe);
    }
}

#[test]
fn help_followed_by_words_in_a_dm_starts_intake_with_the_words_after_help() {
    let mut w = World::new();
    w.say("carol", "help with my laptop");
    let draft = w.draft("carol");
    assert_eq!(draft.summary.as_deref(), Some("with my laptop"));
    assert_eq!(
        draft.step,
        Step::ConfirmDepartment {
            department: "it".into()
        }
    );

    let mut w = World::new();
    w.say("carol", "Help IT");
    let draft = w.draft("carol");
    assert_eq!(draft.summary, None);
    assert_eq!(
        draft.step,
        Step::ConfirmDepartment {
            department: "it".into()
        }
    );
}

#[test]
fn describe_is_asked_only_when_there_were_no_first_words() {
    let mut w = World::new();
    w.command("carol", "");
    w.click("carol", Action::PickDepartment("it".into()));
    assert_eq!(w.step_of("carol"), Step::Describe);
    let t = w.say("carol", "printer jams");
    assert_eq!(t.dm_to("carol").text, "Which device is affected?");
    let draft = w.draft("carol");
    assert_eq!(draft.summary.as_deref(), Some("printer jams"));
    assert!(!draft.summary_given);
    assert_eq!(draft.step, Step::Field { index: 0 });
}

// =============================================================================================
// Intake: the department's questions
// =============================================================================================

#[test]
fn a_text_field_takes_what_is_typed() {
    let mut w = World::new();
    w.command("carol", "my laptop won't boot");
    w.say("carol", "yes");
    let t = w.say("carol", "ThinkPad X1 (the old one)");
    let q = t.dm_to("carol");
    assert_eq!(q.text, "How urgent is it?");
    assert_eq!(actions(q), urgency_buttons());
    assert_eq!(q.choices[2].label, "high");
    let draft = w.draft("carol");
    assert_eq!(
        draft.answers[0].as_deref(),
        Some("ThinkPad X1 (the old one)")
    );
    assert_eq!(draft.step, Step::Field { index: 1 });
}

#[test]
fn a_choice_field_takes_a_button() {
    let mut w = World::new();
    draft_at_urgency(&mut w, "carol");
    let t = w.click("carol", Action::PickOption(3));
    let q = t.dm_to("carol");
    assert_eq!(q.text, "Anything else? (optional)");
    assert_eq!(actions(q), vec![Action::Skip, Action::Back, Action::Cancel]);
    assert_eq!(w.draft("carol").answers[1].as_deref(), Some("urgent"));
}

#[test]
fn a_choice_field_takes_a_typed_option_in_any_case_or_its_number() {
    for (typed, value) in [
        ("high", "high"),
        ("HIGH", "high"),
        ("Low", "low"),
        ("1", "low"),
        ("4", "urgent"),
    ] {
        let mut w = World::new();
        draft_at_urgency(&mut w, "carol");
        w.say("carol", typed);
        let draft = w.draft("carol");
        assert_eq!(draft.answers[1].as_deref(), Some(value), "{typed:?}");
        assert_eq!(draft.step, Step::Field { index: 2 }, "{typed:?}");
    }
}

#[test]
fn a_wrong_choice_answer_lists_the_options() {
    for typed in ["asap", "0", "5", "highest", "ÜRGENT"] {
        let mut w = World::new();
        draft_at_urgency(&mut w, "carol");
        let t = w.say("carol", typed);
        let q = t.dm_to("carol");
        assert_eq!(
            q.text,
            "Please pick one of: low, normal, high, urgent (or its number).\nHow urgent is it?",
            "{typed:?}"
        );
        assert_eq!(actions(q), urgency_buttons());
        let draft = w.draft("carol");
        assert_eq!(draft.answers[1], None);
        assert_eq!(draft.step, Step::Field { index: 1 });
    }
}

#[test]
fn skip_on_an_optional_question_goes_on_with_no_answer() {
    for by_button in [false, true] {
        let mut w = World::new();
        draft_at_urgency(&mut w, "carol");
        w.say("carol", "normal");
        let t = if by_button {
            w.click("carol", Action::Skip)
        } else {
            w.say("carol", "SKIP")
        };
        has_text(t.dm_to("carol"), "Please check your *IT* request");
        has_text(t.dm_to("carol"), "• Anything else? —");
        let draft = w.draft("carol");
        assert_eq!(draft.step, Step::Confirm);
        assert_eq!(draft.answers[2], None);
    }
}

#[test]
fn skip_on_a_required_question_is_refused() {
    let mut w = World::new();
    draft_at_urgency(&mut w, "carol");
    let t = w.say("carol", "skip");
    assert_eq!(
        t.dm_to("carol").text,
        "This question can't be skipped.\nHow urgent is it?"
    );
    assert_eq!(w.step_of("carol"), Step::Field { index: 1 });
    let t = w.click("carol", Action::Skip);
    has_text(t.dm_to("carol"), "This question can't be skipped.");
    assert_eq!(w.step_of("carol"), Step::Field { index: 1 });
}

#[test]
fn skip_outside_the_questions_is_refused() {
    let mut w = World::new();
    w.command("carol", "");
    let t = w.say("carol", "skip");
    has_text(
        t.dm_to("carol"),
        "This question can't be skipped.\nWhich team can help?",
    );
    w.say("carol", "it");
    let t = w.say("carol", "skip");
    has_text(
        t.dm_to("carol"),
        "This question can't be skipped.\nIn a sentence or two",
    );
    assert_eq!(w.step_of("carol"), Step::Describe);
    assert_eq!(w.draft("carol").summary, None);
}

#[test]
fn an_optional_answer_can_be_given_and_shows_in_the_summary() {
    let mut w = World::new();
    draft_at_urgency(&mut w, "carol");
    w.say("carol", "high");
    let t = w.say("carol", "it's the one on floor 3");
    assert_eq!(
        t.dm_to("carol").text,
        "Please check your *IT* request:\n• What you need: printer jams\n• Which device is affected? HP 4000\n\
         • How urgent is it? high\n• Anything else? it's the one on floor 3\nSubmit it?"
    );
}

// =============================================================================================
// Intake: back
// =============================================================================================

#[test]
fn back_on_the_first_question_asks_it_again() {
    let mut w = World::new();
    w.command("carol", "");
    let t = w.say("carol", "back");
    assert_eq!(actions(t.dm_to("carol")), department_buttons());
    assert_eq!(w.step_of("carol"), Step::ChooseDepartment);
    let t = w.click("carol", Action::Back);
    has_text(t.dm_to("carol"), "Which team can help?");
    assert_eq!(w.step_of("carol"), Step::ChooseDepartment);
}

#[test]
fn back_on_the_guess_asks_it_again() {
    let mut w = World::new();
    w.command("carol", "my laptop won't boot");
    let t = w.say("carol", "back");
    has_text(t.dm_to("carol"), "It sounds like a request for *IT*");
    assert_eq!(
        w.step_of("carol"),
        Step::ConfirmDepartment {
            department: "it".into()
        }
    );
}

#[test]
fn back_from_describe_goes_to_the_department() {
    let mut w = World::new();
    w.command("carol", "");
    w.say("carol", "it");
    let t = w.click("carol", Action::Back);
    assert_eq!(actions(t.dm_to("carol")), department_buttons());
    assert_eq!(w.step_of("carol"), Step::ChooseDepartment);
}

#[test]
fn back_from_the_first_field_goes_to_describe_when_the_user_described_it() {
    let mut w = World::new();
    w.command("carol", "");
    w.say("carol", "it");
    w.say("carol", "printer jams");
    let t = w.say("carol", "back");
    has_text(t.dm_to("carol"), "In a sentence or two");
    assert_eq!(w.step_of("carol"), Step::Describe);
    w.say("carol", "printer jams and smokes");
    let draft = w.draft("carol");
    assert_eq!(draft.summary.as_deref(), Some("printer jams and smokes"));
    assert_eq!(draft.step, Step::Field { index: 0 });
}

#[test]
fn back_from_the_first_field_goes_to_the_department_when_first_words_were_given() {
    let mut w = World::new();
    w.command("carol", "my laptop won't boot");
    w.say("carol", "yes");
    let t = w.say("carol", "back");
    assert_eq!(actions(t.dm_to("carol")), department_buttons());
    assert_eq!(w.step_of("carol"), Step::ChooseDepartment);
}

#[test]
fn back_from_a_later_field_goes_to_the_previous_one_and_keeps_answers() {
    let mut w = World::new();
    draft_at_urgency(&mut w, "carol");
    w.say("carol", "high");
    assert_eq!(w.step_of("carol"), Step::Field { index: 2 });
    let t = w.click("carol", Action::Back);
    assert_eq!(t.dm_to("carol").text, "How urgent is it?");
    assert_eq!(w.step_of("carol"), Step::Field { index: 1 });
    assert_eq!(w.draft("carol").answers[1].as_deref(), Some("high"));
    let t = w.say("carol", "back");
    assert_eq!(t.dm_to("carol").text, "Which device is affected?");
    assert_eq!(w.step_of("carol"), Step::Field { index: 0 });
    assert_eq!(w.draft("carol").answers[0].as_deref(), Some("HP 4000"));
}

#[test]
fn back_from_confirm_goes_to_the_last_field() {
    let mut w = World::new();
    draft_at_urgency(&mut w, "carol");
    w.say("carol", "high");
    w.say("carol", "skip");
    let t = w.say("carol", "back");
    assert_eq!(t.dm_to("carol").text, "Anything else? (optional)");
    assert_eq!(w.step_of("carol"), Step::Field { index: 2 });
}

#[test]
fn back_from_confirm_without_fields_goes_to_describe_or_the_department() {
    // Described in the conversation: back to the description.
    let mut w = World::new();
    w.command("carol", "");
    w.say("carol", "facilities");
    w.say("carol", "window stuck");
    assert_eq!(w.step_of("carol"), Step::Confirm);
    let t = w.click("carol", Action::Back);
    has_text(t.dm_to("carol"), "In a sentence or two");
    assert_eq!(w.step_of("carol"), Step::Describe);

    // Described by the command: back to the department.
    let mut w = World::new();
    w.command("carol", "my chair is broken");
    w.say("carol", "yes");
    assert_eq!(w.step_of("carol"), Step::Confirm);
    let t = w.say("carol", "back");
    assert_eq!(actions(t.dm_to("carol")), department_buttons());
    assert_eq!(w.step_of("carol"), Step::ChooseDepartment);
}

#[test]
fn picking_the_same_team_again_keeps_the_answers_and_another_team_clears_them() {
    let mut w = World::new();
    w.command("carol", "my laptop won't boot");
    w.say("carol", "yes");
    w.say("carol", "ThinkPad");
    w.say("carol", "back");
    w.say("carol", "back");
    assert_eq!(w.step_of("carol"), Step::ChooseDepartment);
    w.say("carol", "it");
    assert_eq!(w.draft("carol").answers[0].as_deref(), Some("ThinkPad"));
    w.say("carol", "back");
    w.say("carol", "hr");
    assert_eq!(w.draft("carol").answers, vec![None]);
}

// =============================================================================================
// Intake: cancel
// =============================================================================================

fn assert_draft_cancelled(w: &World, t: &Transition) {
    let msg = t.dm_to("carol");
    assert_eq!(
        msg.text,
        "Cancelled; nothing was sent. Start again whenever you need us."
    );
    assert_eq!(actions(msg), vec![Action::StartRequest]);
    assert_eq!(t.cancelled(), vec![&TimerFilter::Draft(user("carol"))]);
    assert!(t.requests.is_empty());
    assert!(w.session("carol").is_empty());
    assert!(w.requests.is_empty());
    assert!(w.pending("draft_expiry").is_empty());
}

/// A way to get the world into some state.
type Script = fn(&mut World);

/// Scripts that leave carol's draft at each step.
fn at_every_step() -> Vec<(&'static str, Script)> {
    vec![
        ("choose department", |w| {
            w.command("carol", "");
        }),
        ("confirm department", |w| {
            w.command("carol", "my laptop won't boot");
        }),
        ("describe", |w| {
            w.command("carol", "");
            w.say("carol", "it");
        }),
        ("first field", |w| {
            w.command("carol", "my laptop won't boot");
            w.say("carol", "yes");
        }),
        ("choice field", |w| draft_at_urgency(w, "carol")),
        ("optional field", |w| {
            draft_at_urgency(w, "carol");
            w.say("carol", "high");
        }),
        ("confirm", |w| {
            draft_at_urgency(w, "carol");
            w.say("carol", "high");
            w.say("carol", "skip");
        }),
    ]
}

#[test]
fn cancel_typed_at_every_step_drops_the_draft() {
    for (name, script) in at_every_step() {
        for word in ["cancel", "Cancel", "stop", "quit"] {
            let mut w = World::new();
            script(&mut w);
            assert!(w.session("carol").draft.is_some(), "{name}");
            let t = w.say("carol", word);
            assert_draft_cancelled(&w, &t);
        }
    }
}

#[test]
fn the_cancel_button_at_every_step_drops_the_draft() {
    for (name, script) in at_every_step() {
        let mut w = World::new();
        script(&mut w);
        assert!(w.session("carol").draft.is_some(), "{name}");
        let t = w.click("carol", Action::Cancel);
        assert_draft_cancelled(&w, &t);
    }
}

#[test]
fn the_cancel_command_without_an_id_drops_the_draft_being_written() {
    let mut w = World::new();
    draft_at_urgency(&mut w, "carol");
    let t = w.command("carol", "cancel");
    assert!(t.replies().next().is_none());
    assert_draft_cancelled(&w, &t);
}

#[test]
fn the_cancel_command_without_an_id_or_a_draft_asks_which() {
    let mut w = World::new();
    let t = w.command("carol", "cancel");
    assert_eq!(
        t.reply().text,
        "Which request? Use `/help-it cancel IT-7`; `/help-it status` lists yours."
    );
    assert!(t.outgoing().next().is_none());
    let t = w.command("carol", "cancel my-laptop-thing");
    has_text(t.reply(), "`my-laptop-thing` is not a request id.");
    assert!(w.session("carol").is_empty());
}

#[test]
fn cancel_typed_with_no_draft_explains_instead_of_starting_a_request() {
    let mut w = World::new();
    let t = w.say("carol", "cancel");
    has_text(
        t.dm_to("carol"),
        "There's no request in progress to cancel.",
    );
    assert!(
        w.session("carol").is_empty(),
        "\"cancel\" must not become a request"
    );

    let mut w = World::new();
    file_laptop(&mut w, "carol");
    let t = w.say("carol", "stop");
    has_text(t.dm_to("carol"), "type `cancel IT-7`");
    assert!(t.thread_posts("IT-1").is_empty(), "not relayed to the team");
    assert_eq!(w.req("IT-1").status, Status::Open);
}

// =============================================================================================
// Intake: stale buttons and restarts
// =============================================================================================

#[test]
fn a_button_from_an_earlier_question_asks_the_current_one_again() {
    let cases: Vec<(Script, Action, Step)> = vec![
        (
            |w| drop(w.command("carol", "")),
            Action::PickOption(1),
            Step::ChooseDepartment,
        ),
        (
            |w| drop(w.command("carol", "")),
            Action::ConfirmDepartment,
            Step::ChooseDepartment,
        ),
        (
            |w| drop(w.command("carol", "")),
            Action::Submit,
            Step::ChooseDepartment,
        ),
        (
            |w| {
                w.command("carol", "");
                w.say("carol", "it");
            },
            Action::PickDepartment("hr".into()),
            Step::Describe,
        ),
        (
            |w| {
                w.command("carol", "");
                w.say("carol", "it");
            },
            Action::RejectDepartment,
            Step::Describe,
        ),
        (
            |w| draft_at_urgency(w, "carol"),
            Action::Submit,
            Step::Field { index: 1 },
        ),
        (
            |w| draft_at_urgency(w, "carol"),
            Action::PickOption(7),
            Step::Field { index: 1 },
        ),
        (
            |w| {
                w.command("carol", "my laptop won't boot");
                w.say("carol", "yes");
            },
            Action::PickOption(0),
            Step::Field { index: 0 },
        ),
    ];
    for (script, action, step) in cases {
        let mut w = World::new();
        script(&mut w);
        let before = w.draft("carol");
        let t = w.click("carol", action.clone());
        let q = t.dm_to("carol");
        assert!(
            q.text
                .starts_with("That button belongs to an earlier question.\n"),
            "{action:?}: {:?}",
            q.text
        );
        let after = w.draft("carol");
        assert_eq!(after.step, step, "{action:?}");
        assert_eq!(after.answers, before.answers, "{action:?}");
        assert_eq!(after.department, before.department, "{action:?}");
    }
}

#[test]
fn a_second_command_restarts_the_draft_and_replaces_its_expiry_timer() {
    let mut w = World::new();
    draft_at_urgency(&mut w, "carol");
    w.advance(Duration::minutes(30));
    let t = w.command("carol", "vpn is down");
    let q = t.dm_to("carol");
    assert!(
        q.text.starts_with(
            "Starting a new request (the one you were writing is discarded).\nIt sounds like"
        ),
        "{:?}",
        q.text
    );
    let draft = w.draft("carol");
    assert_eq!(
        draft.step,
        Step::ConfirmDepartment {
            department: "it".into()
        }
    );
    assert_eq!(draft.department, None);
    assert!(draft.answers.is_empty());
    assert_eq!(draft.summary.as_deref(), Some("vpn is down"));
    assert_eq!(draft.started_at, t0() + Duration::minutes(30));
    assert_eq!(t.cancelled(), vec![&TimerFilter::Draft(user("carol"))]);
    let due = t0() + Duration::minutes(150);
    assert_eq!(
        t.scheduled(),
        vec![&Timer {
            at: due,
            kind: TimerKind::DraftExpiry {
                user: user("carol")
            }
        }]
    );
    assert_eq!(w.pending("draft_expiry").len(), 1, "the old timer is gone");
    assert_eq!(w.pending("draft_expiry")[0].at, due);
}

#[test]
fn new_request_typed_mid_draft_is_an_answer_but_the_button_restarts() {
    let mut w = World::new();
    w.command("carol", "");
    w.say("carol", "it");
    w.say("carol", "new request");
    assert_eq!(w.draft("carol").summary.as_deref(), Some("new request"));
    let t = w.click("carol", Action::StartRequest);
    has_text(t.dm_to("carol"), "Starting a new request");
    assert_eq!(w.step_of("carol"), Step::ChooseDepartment);
    assert_eq!(w.draft("carol").summary, None);
}

// =============================================================================================
// Intake: submit
// =============================================================================================

#[test]
fn submit_creates_the_request_posts_its_card_and_starts_the_first_response_clock() {
    let mut w = World::new();
    w.command("carol", "my laptop won't boot");
    w.say("carol", "yes");
    w.say("carol", "ThinkPad X1");
    w.say("carol", "high");
    w.say("carol", "skip");
    w.advance(Duration::minutes(3));
    let t = w.click("carol", Action::Submit);
    let now = t0() + Duration::minutes(3);

    assert_eq!(t.requests.len(), 1);
    let r = &t.requests[0];
    assert_eq!(r.id, rid("IT-1"));
    assert_eq!(r.department, "it");
    assert_eq!(r.requester, user("carol"));
    assert_eq!(r.summary, "my laptop won't boot");
    assert_eq!(
        r.answers,
        vec![
            Answer {
                field: "device".into(),
                prompt: "Which device is affected?".into(),
                value: Some("ThinkPad X1".into())
            },
            Answer {
                field: "urgency".into(),
                prompt: "How urgent is it?".into(),
                value: Some("high".into())
            },
            Answer {
                field: "notes".into(),
                prompt: "Anything else?".into(),
                value: None
            },
        ]
    );
    assert_eq!(r.priority, Priority::High);
    assert_eq!(r.status, Status::Open);
    assert_eq!(r.assignee, None);
    assert_eq!(r.created_at, now);
    assert_eq!(r.first_response_at, None);
    assert_eq!(r.closed_at, None);
    assert_eq!(
        r.history,
        vec![HistoryEntry {
            at: now,
            actor: Some(user("carol")),
            event: Event::Created
        }]
    );
    assert_eq!(r.survey, Survey::default());
    assert_eq!(r.card, None);
    assert_eq!(r.reminders_sent, 0);

    assert_eq!(
        t.effects,
        vec![
            Effect::Cancel(TimerFilter::Draft(user("carol"))),
            Effect::Send(Outgoing::PostCard {
                request: rid("IT-1")
            }),
            Effect::Send(Outgoing::Dm {
                to: user("carol"),
                msg: Message::text(
                    Text::new("submitted")
                        .arg("id", Arg::strong(&rid("IT-1")))
                        .arg("team", "IT")
                        .arg("sla", Arg::duration(Duration::hours(4)))
                ),
                about: Some(rid("IT-1")),
            }),
            Effect::Schedule(Timer {
                at: now + Duration::hours(4),
                kind: TimerKind::FirstResponse {
                    request: rid("IT-1"),
                    round: 0
                }
            }),
        ]
    );
    assert_eq!(
        t.dm_to("carol").text,
        "Thanks! Your request *IT-1* is with IT. They aim to respond within 4h; you'll hear from \
         them right here. Reply here any time to add details."
    );
    assert!(w.session("carol").is_empty());
    assert!(w.pending("draft_expiry").is_empty());
    assert_eq!(w.pending("first_response").len(), 1);
}

#[test]
fn submit_can_be_typed() {
    for word in ["submit", "Send", "yes"] {
        let mut w = World::new();
        w.command("carol", "my chair is broken");
        w.say("carol", "yes");
        let t = w.say("carol", word);
        assert_eq!(t.requests.len(), 1, "{word:?}");
        assert_eq!(t.requests[0].id, rid("FAC-1"));
        assert_eq!(t.requests[0].priority, Priority::Normal);
    }
}

#[test]
fn anything_else_at_confirm_explains_the_choices() {
    let mut w = World::new();
    w.command("carol", "my chair is broken");
    w.say("carol", "yes");
    let t = w.say("carol", "hmm");
    let q = t.dm_to("carol");
    assert!(q.text.starts_with(
        "Reply `submit` to send it, `back` to change an answer, or `cancel` to drop it.\n"
    ));
    assert!(t.requests.is_empty());
    assert_eq!(w.step_of("carol"), Step::Confirm);
}

#[test]
fn request_numbers_count_per_department_and_are_never_reused() {
    let mut w = World::new();
    assert_eq!(file_laptop(&mut w, "carol"), rid("IT-1"));
    assert_eq!(file_laptop(&mut w, "dave"), rid("IT-2"));
    assert_eq!(file_chair(&mut w, "carol"), rid("FAC-1"));
    w.command("carol", "cancel IT-1");
    assert_eq!(file_laptop(&mut w, "carol"), rid("IT-3"));
    assert_eq!(
        w.req("IT-1").status,
        Status::Cancelled,
        "IT-1 is not overwritten"
    );
    assert_eq!(w.req("IT-2").requester, user("dave"));
}

#[test]
fn priority_comes_from_the_urgency_answer() {
    for (urgency, priority) in [
        ("low", Priority::Low),
        ("normal", Priority::Normal),
        ("high", Priority::High),
        ("urgent", Priority::Urgent),
    ] {
        let mut w = World::new();
        draft_at_urgency(&mut w, "carol");
        w.say("carol", urgency);
        w.say("carol", "skip");
        let t = w.say("carol", "submit");
        assert_eq!(t.requests[0].priority, priority, "{urgency}");
    }
    let mut w = World::new();
    let id = file_leave(&mut w, "carol");
    assert_eq!(w.req(&id.to_string()).priority, Priority::Normal);
    assert_eq!(w.req("HR-1").answers[0].value.as_deref(), Some("leave"));
}

// =============================================================================================
// Intake: expiry
// =============================================================================================

#[test]
fn the_expiry_timer_drops_an_idle_draft_and_tells_the_user() {
    let mut w = World::new();
    draft_at_urgency(&mut w, "carol");
    w.advance(Duration::hours(2));
    let fired = w.fire_due_timers();
    assert_eq!(fired.len(), 1);
    let t = &fired[0];
    let msg = t.dm_to("carol");
    has_text(msg, "expired after 2h without an answer, so I dropped it.");
    assert_eq!(actions(msg), vec![Action::StartRequest]);
    assert_eq!(t.cancelled(), vec![&TimerFilter::Draft(user("carol"))]);
    assert!(w.session("carol").is_empty());
    assert!(w.timers.is_empty());
}

#[test]
fn the_expiry_timer_looks_again_later_while_the_user_is_answering() {
    let mut w = World::new();
    w.command("carol", "");
    w.advance(Duration::hours(1));
    w.say("carol", "it");
    w.advance(Duration::hours(1));
    let fired = w.fire_due_timers();
    assert_eq!(fired.len(), 1);
    let t = &fired[0];
    assert!(
        t.outgoing().next().is_none(),
        "nothing to tell: {:#?}",
        t.effects
    );
    assert_eq!(
        t.scheduled(),
        vec![&Timer {
            at: t0() + Duration::hours(3),
            kind: TimerKind::DraftExpiry {
                user: user("carol")
            }
        }]
    );
    assert_eq!(w.step_of("carol"), Step::Describe, "the draft is kept");

    w.advance(Duration::hours(1));
    let fired = w.fire_due_timers();
    has_text(fired[0].dm_to("carol"), "expired");
    assert!(w.session("carol").is_empty());
}

#[test]
fn the_expiry_timer_does_nothing_without_a_draft() {
    let mut w = World::new();
    file_laptop(&mut w, "carol");
    let t = w.fire(TimerKind::DraftExpiry {
        user: user("carol"),
    });
    assert!(t.effects.is_empty());
    assert!(t.requests.is_empty());
    let t = w.fire(TimerKind::DraftExpiry {
        user: user("nobody"),
    });
    assert!(t.effects.is_empty());
}

#[test]
fn a_message_to_an_expired_draft_tells_the_user_and_starts_fresh() {
    let mut w = World::new();
    draft_at_urgency(&mut w, "carol");
    w.advance(Duration::hours(3));
    let t = w.say("carol", "high");
    let dms = t.dms_to("carol");
    assert_eq!(dms.len(), 2, "{dms:#?}");
    assert_eq!(
        dms[0].text,
        "The request you were writing expired after 2h without an answer, so I dropped it. Let's start again."
    );
    assert!(
        dms[0].choices.is_empty(),
        "the next message is the new start"
    );
    has_text(dms[1], "Which team can help?");
    assert!(
        !dms[1].text.contains("Starting a new request"),
        "nothing left to discard"
    );
    let draft = w.draft("carol");
    assert_eq!(draft.step, Step::ChooseDepartment);
    assert_eq!(draft.summary, None, "an old answer is not a description");
    assert_eq!(draft.started_at, w.now);
    assert_eq!(w.pending("draft_expiry").len(), 1);
    assert_eq!(w.pending("draft_expiry")[0].at, w.now + Duration::hours(2));
}

#[test]
fn an_answer_to_an_expired_draft_is_not_taken_as_a_rating() {
    let mut w = World::new();
    closed_by_alice(&mut w);
    draft_at_urgency(&mut w, "carol");
    w.advance(Duration::hours(3));
    let t = w.say("carol", "2");
    assert!(t.changed("IT-1").is_none());
    assert_eq!(w.req("IT-1").survey.state, SurveyState::AwaitingRating);
    assert_eq!(w.req("IT-1").survey.rating, None);
    assert_eq!(w.step_of("carol"), Step::ChooseDepartment);
}

#[test]
fn an_answer_to_an_expired_draft_is_not_relayed_to_an_open_request() {
    let mut w = World::new();
    file_laptop(&mut w, "carol");
    draft_at_urgency(&mut w, "carol");
    w.advance(Duration::hours(3));
    let t = w.say("carol", "my personal phone");
    assert!(t.thread_posts("IT-1").is_empty());
    assert!(t.changed("IT-1").is_none());
    assert_eq!(w.req("IT-1").history.len(), 1);
    assert_eq!(w.step_of("carol"), Step::ChooseDepartment);
}

#[test]
fn keywords_still_work_on_an_expired_draft() {
    let mut w = World::new();
    file_laptop(&mut w, "carol");
    draft_at_urgency(&mut w, "carol");
    w.advance(Duration::hours(3));
    let t = w.say("carol", "status");
    let dms = t.dms_to("carol");
    assert_eq!(dms.len(), 2);
    has_text(dms[0], "expired");
    has_text(dms[0], "to start again");
    assert_eq!(actions(dms[0]), vec![Action::StartRequest]);
    has_text(dms[1], "Your open requests:");
    assert!(w.session("carol").is_empty());

    let mut w = World::new();
    draft_at_urgency(&mut w, "carol");
    w.advance(Duration::hours(3));
    let t = w.say("carol", "cancel");
    has_text(t.dm_to("carol"), "expired");
    assert!(w.session("carol").is_empty());
}

#[test]
fn intake_buttons_without_a_draft_say_the_conversation_has_ended() {
    for action in [
        Action::Submit,
        Action::Back,
        Action::Skip,
        Action::Cancel,
        Action::PickOption(0),
        Action::PickDepartment("it".into()),
        Action::ConfirmDepartment,
        Action::RejectDepartment,
    ] {
        let mut w = World::new();
        let t = w.click("carol", action.clone());
        let msg = t.dm_to("carol");
        assert_eq!(
            msg.text, "That conversation has ended. Start a new request whenever you need us.",
            "{action:?}"
        );
        assert_eq!(actions(msg), vec![Action::StartRequest]);
        assert!(w.session("carol").is_empty());
    }
}

#[test]
fn a_button_on_an_expired_draft_says_so_once() {
    let mut w = World::new();
    w.command("carol", "my chair is broken");
    w.say("carol", "yes");
    w.advance(Duration::hours(2));
    let t = w.click("carol", Action::Submit);
    let msg = t.dm_to("carol");
    has_text(msg, "expired after 2h");
    assert_eq!(actions(msg), vec![Action::StartRequest]);
    assert!(t.requests.is_empty(), "an expired draft is never submitted");
    assert!(w.session("carol").is_empty());
}

#[test]
fn answering_keeps_the_draft_alive() {
    let mut w = World::new();
    w.command("carol", "");
    w.advance(Duration::minutes(110));
    w.say("carol", "it");
    assert_eq!(
        w.draft("carol").last_activity,
        t0() + Duration::minutes(110)
    );
    w.advance(Duration::minutes(110));
    w.click("carol", Action::Back);
    assert_eq!(
        w.draft("carol").last_activity,
        t0() + Duration::minutes(220)
    );
    assert_eq!(w.step_of("carol"), Step::ChooseDepartment);
}

// =============================================================================================
// Intake: odd input
// =============================================================================================

#[test]
fn huge_input_is_clipped() {
    let huge = "x".repeat(10_000);
    let mut w = World::new();
    w.command("carol", &format!("laptop {huge}"));
    let summary = w.draft("carol").summary.unwrap();
    assert_eq!(summary.chars().count(), text::MAX_ANSWER_CHARS);
    assert!(summary.starts_with("laptop x") && summary.ends_with('…'));
    w.say("carol", "yes");
    w.say("carol", &huge);
    let device = w.draft("carol").answers[0].clone().unwrap();
    assert_eq!(device.chars().count(), text::MAX_ANSWER_CHARS);

    let mut w = World::new();
    w.command("carol", "");
    w.say("carol", "it");
    w.say("carol", &"ä".repeat(5_000));
    assert_eq!(
        w.draft("carol").summary.unwrap().chars().count(),
        text::MAX_ANSWER_CHARS
    );
}

#[test]
fn huge_messages_to_the_team_are_clipped() {
    let mut w = World::new();
    file_laptop(&mut w, "carol");
    let t = w.say("carol", &"y".repeat(9_000));
    let Event::RequesterReplied { text } = &last_event(w.req("IT-1")).event else {
        panic!("not relayed: {:#?}", t.effects)
    };
    assert_eq!(text.chars().count(), text::MAX_ANSWER_CHARS);
    assert!(t.thread_posts("IT-1")[0].text.len() < 4_000);
    let t = w.thread_reply("alice", "IT-1", &"z".repeat(9_000));
    let Event::AgentReplied { text } = &last_event(w.req("IT-1")).event else {
        panic!("not relayed: {:#?}", t.effects)
    };
    assert_eq!(text.chars().count(), text::MAX_ANSWER_CHARS);
}

#[test]
fn empty_and_whitespace_messages_do_nothing() {
    let mut w = World::new();
    for text in ["", "   ", "\n\t "] {
        let t = w.say("carol", text);
        assert_eq!(t, Transition::default(), "{text:?}");
    }
    assert!(w.session("carol").is_empty());

    draft_at_urgency(&mut w, "carol");
    let before = w.draft("carol");
    w.advance(Duration::minutes(5));
    let t = w.say("carol", "  ");
    assert!(t.effects.is_empty());
    assert_eq!(w.draft("carol"), before, "not even activity is recorded");

    file_laptop(&mut w, "dave");
    let t = w.thread_reply("alice", "IT-1", "   ");
    assert!(t.effects.is_empty() && t.requests.is_empty());
}

#[test]
fn unicode_input_goes_through_every_step() {
    let mut w = World::new();
    let t = w.command("carol", "我的笔记本电脑坏了 💻");
    assert_eq!(actions(t.dm_to("carol")), department_buttons());
    w.say("carol", "ＩＴ");
    assert_eq!(
        w.step_of("carol"),
        Step::ChooseDepartment,
        "full-width letters name no team"
    );
    w.say("carol", "1");
    assert_eq!(w.step_of("carol"), Step::Field { index: 0 });
    w.say("carol", "Ноутбук «Зенит» 🖥️");
    w.say("carol", "ÜRGENT");
    assert_eq!(w.step_of("carol"), Step::Field { index: 1 });
    w.say("carol", "urgent");
    w.say("carol", "İstanbul ofisi — ŞİMDİ 🙏🏽");
    let t = w.say("carol", "✅ yes");
    has_text(t.dm_to("carol"), "Reply `submit`");
    let t = w.say("carol", "yes");
    let r = &t.requests[0];
    assert_eq!(r.summary, "我的笔记本电脑坏了 💻");
    assert_eq!(r.answers[0].value.as_deref(), Some("Ноутбук «Зенит» 🖥️"));
    assert_eq!(
        r.answers[2].value.as_deref(),
        Some("İstanbul ofisi — ŞİMDİ 🙏🏽")
    );
    assert_eq!(r.priority, Priority::Urgent);

    let mut w = World::new();
    w.say("dave", "HELP İstanbul");
    assert_eq!(w.draft("dave").summary.as_deref(), Some("İstanbul"));
    let mut w = World::new();
    w.say("dave", &"🎉".repeat(4_000));
    assert_eq!(
        w.draft("dave").summary.unwrap().chars().count(),
        text::MAX_ANSWER_CHARS
    );
}

// =============================================================================================
// Help and status
// =============================================================================================

#[test]
fn help_is_answered_in_place_or_by_dm() {
    let mut w = World::new();
    let t = w.command("carol", "help");
    let help = t.reply();
    assert!(
        help.text
            .starts_with("I'm the front desk for IT, HR and Facilities requests.\n"),
        "names the configured teams, no others: {:?}",
        help.text
    );
    assert_eq!(actions(help), vec![Action::StartRequest]);
    let help = help.clone();
    assert!(t.outgoing().next().is_none());
    assert!(w.session("carol").is_empty());
    for word in ["help", "HELP", "?"] {
        let t = w.say("carol", word);
        assert_eq!(t.dm_to("carol"), &help);
    }
    assert!(w.session("carol").is_empty());
}

#[test]
fn help_while_answering_explains_and_asks_again() {
    let mut w = World::new();
    w.command("carol", "my laptop won't boot");
    w.say("carol", "yes");
    let t = w.say("carol", "Help");
    let q = t.dm_to("carol");
    assert!(q
        .text
        .starts_with("Answer the question below; `back` goes to the previous question"));
    assert!(q.text.ends_with("\nWhich device is affected?"));
    let draft = w.draft("carol");
    assert_eq!(draft.answers[0], None, "\"help\" is not the device");
    assert_eq!(draft.step, Step::Field { index: 0 });
}

#[test]
fn help_with_more_words_is_a_request() {
    let mut w = World::new();
    let t = w.command("carol", "help me reset my password");
    has_text(t.reply(), "I've sent you a direct message");
    assert_eq!(
        w.draft("carol").summary.as_deref(),
        Some("help me reset my password")
    );
    assert_eq!(
        w.step_of("carol"),
        Step::ConfirmDepartment {
            department: "it".into()
        }
    );
}

#[test]
fn status_lists_only_the_users_active_requests_oldest_first() {
    let mut w = World::new();
    file_laptop(&mut w, "carol"); // IT-1, claimed below
    w.advance(Duration::minutes(1));
    file_laptop(&mut w, "carol"); // IT-2, closed below
    w.advance(Duration::minutes(1));
    file_chair(&mut w, "carol"); // FAC-1, open
    w.advance(Duration::minutes(1));
    file_laptop(&mut w, "dave"); // IT-3, someone else's
    w.advance(Duration::minutes(1));
    file_leave(&mut w, "carol"); // HR-1, cancelled below
    w.click("alice", Action::Claim(rid("IT-1")));
    w.click("alice", Action::Close(rid("IT-2")));
    w.command("carol", "cancel HR-1");

    let t = w.command("carol", "status");
    assert_eq!(
        t.reply().text,
        "Your open requests:\n• *IT-1* my laptop won't boot — claimed (with <@alice>)\n\
         • *FAC-1* my chair is broken — open (waiting for someone to pick it up)"
    );
    let t = w.say("carol", "my requests");
    has_text(t.dm_to("carol"), "• *IT-1* my laptop won't boot — claimed");

    let t = w.command("erin", "STATUS");
    assert_eq!(t.reply().text, "You have no open requests.");
    assert_eq!(actions(t.reply()), vec![Action::StartRequest]);
}

// =============================================================================================
// Lifecycle: claim
// =============================================================================================

#[test]
fn an_agent_claims_an_open_request() {
    let mut w = World::new();
    file_laptop(&mut w, "carol");
    w.advance(Duration::minutes(20));
    let t = w.click("alice", Action::Claim(rid("IT-1")));
    let r = t.changed("IT-1").expect("claim changes the request");
    assert_eq!(r.status, Status::Claimed);
    assert_eq!(r.assignee, Some(user("alice")));
    assert_eq!(r.first_response_at, Some(w.now));
    assert_eq!(
        last_event(r),
        &HistoryEntry {
            at: w.now,
            actor: Some(user("alice")),
            event: Event::Claimed
        }
    );
    assert_eq!(
        t.cancelled(),
        vec![&TimerFilter::FirstResponse(rid("IT-1"))]
    );
    assert!(t.sends(&Outgoing::UpdateCard {
        request: rid("IT-1")
    }));
    assert_eq!(t.dm_to("carol").text, "<@alice> is now working on *IT-1*.");
    assert_eq!(t.dm_abouts("carol"), vec![Some(rid("IT-1"))]);
    assert!(t.dms_to("alice").is_empty());
    assert!(w.pending("first_response").is_empty());
    assert!(w.session("alice").is_empty());
}

#[test]
fn a_claim_by_someone_who_is_not_an_agent_is_refused_with_a_notice() {
    let mut w = World::new();
    file_laptop(&mut w, "carol");
    for who in ["dave", "carol"] {
        let t = w.click(who, Action::Claim(rid("IT-1")));
        let (msg, about) = t.notice_to(who);
        assert_eq!(msg.text, "Only IT agents can claim IT-1.");
        assert_eq!(about, Some(&rid("IT-1")));
        assert!(t.requests.is_empty());
        assert_eq!(t.outgoing().count(), 1);
    }
    assert_eq!(w.req("IT-1").status, Status::Open);
}

#[test]
fn a_claimed_request_cannot_be_claimed_again() {
    let mut w = World::new();
    file_laptop(&mut w, "carol");
    w.click("alice", Action::Claim(rid("IT-1")));
    let t = w.click("bob", Action::Claim(rid("IT-1")));
    assert_eq!(
        t.notice_to("bob").0.text,
        "IT-1 is already claimed by <@alice>."
    );
    assert!(t.requests.is_empty());
    let t = w.click("alice", Action::Claim(rid("IT-1")));
    assert_eq!(t.notice_to("alice").0.text, "You already have IT-1.");
    assert!(t.requests.is_empty());
    assert_eq!(w.req("IT-1").assignee, Some(user("alice")));
    assert_eq!(
        events(w.req("IT-1")),
        vec![Event::Created, Event::Claimed],
        "no second claim recorded"
    );
}

#[test]
fn a_closed_or_cancelled_request_cannot_be_claimed() {
    let mut w = World::new();
    file_laptop(&mut w, "carol");
    w.click("alice", Action::Close(rid("IT-1")));
    let t = w.click("bob", Action::Claim(rid("IT-1")));
    assert_eq!(
        t.notice_to("bob").0.text,
        "IT-1 is closed; reopen it first."
    );
    assert_eq!(w.req("IT-1").assignee, None);

    file_laptop(&mut w, "carol");
    w.command("carol", "cancel IT-2");
    let t = w.click("bob", Action::Claim(rid("IT-2")));
    assert_eq!(
        t.notice_to("bob").0.text,
        "IT-2 is cancelled; reopen it first."
    );
}

#[test]
fn anyone_can_claim_in_a_team_without_an_agent_list() {
    let mut w = World::new();
    file_leave(&mut w, "carol");
    let t = w.click("dave", Action::Claim(rid("HR-1")));
    assert_eq!(t.changed("HR-1").unwrap().assignee, Some(user("dave")));
    assert_eq!(t.dm_to("carol").text, "<@dave> is now working on *HR-1*.");
}

#[test]
fn claiming_an_unknown_request_says_so() {
    let mut w = World::new();
    let t = w.click("alice", Action::Claim(rid("IT-9")));
    let (msg, about) = t.notice_to("alice");
    assert_eq!(msg.text, "I can't find request IT-9.");
    assert_eq!(about, None);
    assert!(t.requests.is_empty());
}

// =============================================================================================
// Lifecycle: messages both ways
// =============================================================================================

#[test]
fn an_agents_thread_reply_reaches_the_requester_and_counts_as_first_response() {
    let mut w = World::new();
    file_laptop(&mut w, "carol");
    w.advance(Duration::minutes(10));
    let t = w.thread_reply("bob", "IT-1", "  have you tried turning it off and on?  ");
    assert_eq!(
        t.dm_to("carol").text,
        "<@bob> on *IT-1*:\nhave you tried turning it off and on?"
    );
    assert_eq!(t.dm_abouts("carol"), vec![Some(rid("IT-1"))]);
    assert!(t.sends(&Outgoing::MarkRelayed {
        request: rid("IT-1"),
        post: w.post()
    }));
    assert_eq!(
        t.cancelled(),
        vec![&TimerFilter::FirstResponse(rid("IT-1"))]
    );
    let r = w.req("IT-1");
    assert_eq!(r.first_response_at, Some(w.now));
    assert_eq!(r.status, Status::Open, "a reply is not a claim");
    assert_eq!(r.assignee, None);
    assert_eq!(
        last_event(r),
        &HistoryEntry {
            at: w.now,
            actor: Some(user("bob")),
            event: Event::AgentReplied {
                text: "have you tried turning it off and on?".into()
            }
        }
    );

    w.advance(Duration::minutes(10));
    let t = w.thread_reply("alice", "IT-1", "on my way");
    assert!(t.cancelled().is_empty(), "the chase is already over");
    assert_eq!(
        w.req("IT-1").first_response_at,
        Some(t0() + Duration::minutes(10))
    );
    assert_eq!(t.dm_to("carol").text, "<@alice> on *IT-1*:\non my way");
}

#[test]
fn an_internal_note_stays_in_the_thread() {
    let mut w = World::new();
    file_laptop(&mut w, "carol");
    for note in [
        "note: check the warranty",
        "NOTE: asked the vendor",
        "Note:x",
    ] {
        let t = w.thread_reply("alice", "IT-1", note);
        assert_eq!(t, Transition::default(), "{note:?}");
    }
    assert_eq!(w.req("IT-1").first_response_at, None);
    assert_eq!(w.req("IT-1").history.len(), 1);
}

#[test]
fn a_thread_reply_by_the_requester_is_ignored() {
    let mut w = World::new();
    file_laptop(&mut w, "carol");
    let t = w.thread_reply("carol", "IT-1", "any news?");
    assert_eq!(t, Transition::default());
}

#[test]
fn a_thread_reply_by_a_bystander_is_not_relayed() {
    let mut w = World::new();
    file_laptop(&mut w, "carol");
    let t = w.thread_reply("dave", "IT-1", "+1, mine too");
    assert_eq!(t, Transition::default());
    assert_eq!(w.req("IT-1").first_response_at, None);
    assert_eq!(w.pending("first_response").len(), 1, "the chase goes on");

    // Where anyone is an agent, anyone's reply is the team's.
    file_leave(&mut w, "carol");
    let t = w.thread_reply("dave", "HR-1", "we'll sort it");
    assert_eq!(t.dm_to("carol").text, "<@dave> on *HR-1*:\nwe'll sort it");
}

#[test]
fn a_thread_reply_on_an_unknown_request_does_nothing() {
    let mut w = World::new();
    let t = w.thread_reply("alice", "IT-4", "hello?");
    assert_eq!(t, Transition::default());
}

#[test]
fn the_requesters_dm_goes_to_their_one_open_request() {
    let mut w = World::new();
    file_laptop(&mut w, "carol");
    w.advance(Duration::minutes(5));
    let t = w.say("carol", "it still won't boot");
    let posts = t.thread_posts("IT-1");
    assert_eq!(posts.len(), 1);
    assert_eq!(
        posts[0].text,
        "<@carol> (requester) wrote:\nit still won't boot"
    );
    assert_eq!(
        t.dm_to("carol").text,
        "Passed on to the team handling IT-1."
    );
    assert_eq!(t.dm_abouts("carol"), vec![Some(rid("IT-1"))]);
    let r = w.req("IT-1");
    assert_eq!(
        last_event(r),
        &HistoryEntry {
            at: w.now,
            actor: Some(user("carol")),
            event: Event::RequesterReplied {
                text: "it still won't boot".into()
            }
        }
    );
    assert_eq!(r.first_response_at, None, "the requester is not the team");
    assert!(t.cancelled().is_empty());
    assert!(w.session("carol").is_empty());
}

#[test]
fn with_several_open_requests_the_requester_is_asked_which_one() {
    let mut w = World::new();
    file_laptop(&mut w, "carol");
    w.advance(Duration::minutes(1));
    file_chair(&mut w, "carol");
    let t = w.say("carol", "I'm working from home tomorrow");
    let q = t.dm_to("carol");
    assert_eq!(
        q.text,
        "You have several open requests. Which one is this message for?"
    );
    assert_eq!(
        actions(q),
        vec![Action::ReplyTo(rid("FAC-1")), Action::ReplyTo(rid("IT-1"))],
        "newest first"
    );
    assert_eq!(q.choices[1].label, "IT-1: my laptop won't boot");
    assert!(t.thread_posts("IT-1").is_empty() && t.thread_posts("FAC-1").is_empty());
    assert!(t.requests.is_empty());
    assert_eq!(
        w.session("carol").pending_reply.as_deref(),
        Some("I'm working from home tomorrow")
    );

    let t = w.click("carol", Action::ReplyTo(rid("IT-1")));
    assert_eq!(
        t.thread_posts("IT-1")[0].text,
        "<@carol> (requester) wrote:\nI'm working from home tomorrow"
    );
    assert_eq!(
        events(w.req("IT-1")).last(),
        Some(&Event::RequesterReplied {
            text: "I'm working from home tomorrow".into()
        })
    );
    assert_eq!(w.req("FAC-1").history.len(), 1);
    assert!(w.session("carol").is_empty());
}

#[test]
fn typing_a_request_id_sends_the_pending_message_there() {
    let mut w = World::new();
    file_laptop(&mut w, "carol");
    file_chair(&mut w, "carol");
    w.say("carol", "the building is closed friday");
    let t = w.say("carol", "fac-1");
    assert_eq!(
        t.thread_posts("FAC-1")[0].text,
        "<@carol> (requester) wrote:\nthe building is closed friday"
    );
    assert!(t.thread_posts("IT-1").is_empty());
    assert_eq!(w.session("carol").pending_reply, None);
}

#[test]
fn reply_to_without_a_pending_message_asks_for_one() {
    let mut w = World::new();
    file_laptop(&mut w, "carol");
    let t = w.click("carol", Action::ReplyTo(rid("IT-1")));
    assert_eq!(
        t.dm_to("carol").text,
        "Type your message and I'll pass it on to the people handling IT-1."
    );
    assert!(t.requests.is_empty());
}

#[test]
fn reply_to_by_someone_else_is_refused() {
    let mut w = World::new();
    file_laptop(&mut w, "carol");
    file_chair(&mut w, "dave");
    file_laptop(&mut w, "dave");
    w.say("dave", "some secret");
    let t = w.click("dave", Action::ReplyTo(rid("IT-1")));
    assert_eq!(
        t.notice_to("dave").0.text,
        "Only the person who opened IT-1 can write to its team here."
    );
    assert!(t.thread_posts("IT-1").is_empty());
    assert_eq!(
        w.session("dave").pending_reply.as_deref(),
        Some("some secret")
    );
    let t = w.click("dave", Action::ReplyTo(rid("IT-7")));
    assert_eq!(t.notice_to("dave").0.text, "I can't find request IT-7.");
}

#[test]
fn a_dm_in_the_thread_about_a_request_goes_to_that_request() {
    let mut w = World::new();
    file_laptop(&mut w, "carol");
    w.advance(Duration::minutes(1));
    file_chair(&mut w, "carol");
    let t = w.say_about("carol", "IT-1", "it's a ThinkPad");
    assert_eq!(t.thread_posts("IT-1").len(), 1);
    assert!(t.thread_posts("FAC-1").is_empty());
    assert!(w.session("carol").is_empty(), "nothing to ask");
}

#[test]
fn a_dm_in_the_thread_of_a_closed_request_goes_to_the_open_one() {
    let mut w = World::new();
    file_laptop(&mut w, "carol");
    w.command("carol", "cancel IT-1");
    file_chair(&mut w, "carol");
    let t = w.say_about("carol", "IT-1", "chair still wobbles");
    assert!(t.thread_posts("IT-1").is_empty());
    assert_eq!(t.thread_posts("FAC-1").len(), 1);
}

#[test]
fn a_new_draft_forgets_a_pending_message() {
    let mut w = World::new();
    file_laptop(&mut w, "carol");
    file_chair(&mut w, "carol");
    w.say("carol", "hello");
    assert!(w.session("carol").pending_reply.is_some());
    w.command("carol", "");
    assert_eq!(w.session("carol").pending_reply, None);
}

#[test]
fn cancel_typed_with_a_pending_message_drops_it() {
    let mut w = World::new();
    file_laptop(&mut w, "carol");
    file_chair(&mut w, "carol");
    w.say("carol", "hello");
    let t = w.say("carol", "cancel");
    assert_eq!(t.dm_to("carol").text, "OK, I won't pass that message on.");
    assert!(w.session("carol").is_empty());
}

// =============================================================================================
// Lifecycle: close and reopen
// =============================================================================================

#[test]
fn an_agent_closes_and_the_survey_is_sent() {
    let mut w = World::new();
    file_laptop(&mut w, "carol");
    w.click("alice", Action::Claim(rid("IT-1")));
    w.advance(Duration::hours(1));
    let t = w.click("alice", Action::Close(rid("IT-1")));
    let r = t.changed("IT-1").unwrap();
    assert_eq!(r.status, Status::Closed);
    assert_eq!(r.closed_at, Some(w.now));
    assert_eq!(r.survey.state, SurveyState::AwaitingRating);
    assert_eq!(
        last_event(r),
        &HistoryEntry {
            at: w.now,
            actor: Some(user("alice")),
            event: Event::Closed
        }
    );
    assert_eq!(
        r.first_response_at,
        Some(t0()),
        "the claim was the first response"
    );
    assert!(t.sends(&Outgoing::UpdateCard {
        request: rid("IT-1")
    }));
    let dms = t.dms_to("carol");
    assert_eq!(dms.len(), 2);
    assert_eq!(dms[0].text, "*IT-1* was closed by <@alice>.");
    assert_eq!(
        dms[1].text,
        "How did we do with *IT-1*? Rate it from 1 (poor) to 5 (great)."
    );
    assert_eq!(actions(dms[1]), rating_buttons("IT-1"));
    assert_eq!(dms[1].choices[0].label, "1 · poor");
    assert_eq!(dms[1].choices[4].label, "5 · great");
    assert_eq!(
        t.dm_abouts("carol"),
        vec![Some(rid("IT-1")), Some(rid("IT-1"))]
    );
    assert_eq!(
        t.scheduled(),
        vec![&Timer {
            at: w.now + Duration::hours(24),
            kind: TimerKind::SurveyReminder {
                request: rid("IT-1")
            }
        }]
    );
}

#[test]
fn closing_before_anyone_responded_stops_the_chase() {
    let mut w = World::new();
    file_laptop(&mut w, "carol");
    w.advance(Duration::minutes(30));
    let t = w.click("bob", Action::Close(rid("IT-1")));
    assert!(t
        .cancelled()
        .contains(&&TimerFilter::FirstResponse(rid("IT-1"))));
    assert!(w.pending("first_response").is_empty());
    assert_eq!(w.req("IT-1").first_response_at, Some(w.now));
    assert_eq!(w.req("IT-1").assignee, None);
}

#[test]
fn the_requester_closing_gets_no_survey() {
    let mut w = World::new();
    file_laptop(&mut w, "carol");
    w.click("alice", Action::Claim(rid("IT-1")));
    let t = w.click("carol", Action::Close(rid("IT-1")));
    assert_eq!(t.dm_to("carol").text, "*IT-1* was closed by you.");
    assert!(t.scheduled().is_empty());
    let r = w.req("IT-1");
    assert_eq!(r.status, Status::Closed);
    assert_eq!(r.survey.state, SurveyState::NotSent);
    assert!(w.pending("survey_reminder").is_empty());
}

#[test]
fn no_survey_when_surveys_are_off() {
    let mut rules = rules();
    rules.survey_enabled = false;
    let mut w = World::with(rules);
    file_laptop(&mut w, "carol");
    let t = w.click("alice", Action::Close(rid("IT-1")));
    assert_eq!(t.dm_to("carol").text, "*IT-1* was closed by <@alice>.");
    assert!(t.scheduled().is_empty());
    assert_eq!(w.req("IT-1").survey.state, SurveyState::NotSent);
    let t = w.click("carol", Action::Rate(rid("IT-1"), 5));
    assert_eq!(
        t.dm_to("carol").text,
        "There's no survey for IT-1, so there's nothing to rate."
    );
}

#[test]
fn an_agents_close_reaction_closes() {
    let mut w = World::new();
    file_laptop(&mut w, "carol");
    let t = w.react("bob", "IT-1");
    assert_eq!(w.req("IT-1").status, Status::Closed);
    assert_eq!(t.dms_to("carol").len(), 2, "closed + survey");
    assert_eq!(t.dms_to("carol")[0].text, "*IT-1* was closed by <@bob>.");
}

#[test]
fn a_close_reaction_by_a_non_agent_is_ignored_silently() {
    let mut w = World::new();
    file_laptop(&mut w, "carol");
    let t = w.react("dave", "IT-1");
    assert_eq!(t, Transition::default());
    assert_eq!(w.req("IT-1").status, Status::Open);
    let t = w.react("dave", "IT-99");
    assert_eq!(t, Transition::default(), "even on an unknown request");
}

#[test]
fn the_requesters_close_reaction_closes() {
    let mut w = World::new();
    file_laptop(&mut w, "carol");
    let t = w.react("carol", "IT-1");
    assert_eq!(t.dm_to("carol").text, "*IT-1* was closed by you.");
    assert_eq!(w.req("IT-1").status, Status::Closed);
}

#[test]
fn a_close_by_button_from_a_non_agent_is_refused() {
    let mut w = World::new();
    file_laptop(&mut w, "carol");
    let t = w.click("dave", Action::Close(rid("IT-1")));
    assert_eq!(
        t.notice_to("dave").0.text,
        "Only the team's agents or the requester can close IT-1."
    );
    assert!(t.requests.is_empty());
    let t = w.click("dave", Action::Close(rid("IT-99")));
    assert_eq!(t.notice_to("dave").0.text, "I can't find request IT-99.");
}

#[test]
fn closing_twice_is_refused() {
    let mut w = World::new();
    file_laptop(&mut w, "carol");
    w.click("alice", Action::Close(rid("IT-1")));
    let t = w.click("bob", Action::Close(rid("IT-1")));
    assert_eq!(t.notice_to("bob").0.text, "IT-1 is already closed.");
    assert!(t.requests.is_empty());
    let t = w.react("bob", "IT-1");
    assert_eq!(
        t,
        Transition::default(),
        "a second reaction is not worth a message"
    );
    assert_eq!(
        events(w.req("IT-1"))
            .iter()
            .filter(|e| **e == Event::Closed)
            .count(),
        1
    );
    assert_eq!(w.pending("survey_reminder").len(), 1);
}

#[test]
fn removing_the_close_reaction_reopens_as_claimed() {
    let mut w = World::new();
    file_laptop(&mut w, "carol");
    w.click("alice", Action::Claim(rid("IT-1")));
    w.react("alice", "IT-1");
    w.advance(Duration::minutes(2));
    let t = w.unreact("alice", "IT-1");
    let r = t.changed("IT-1").unwrap();
    assert_eq!(r.status, Status::Claimed);
    assert_eq!(r.assignee, Some(user("alice")));
    assert_eq!(r.closed_at, None);
    assert_eq!(r.survey.state, SurveyState::NotSent);
    assert_eq!(last_event(r).event, Event::Reopened);
    assert_eq!(
        t.cancelled(),
        vec![&TimerFilter::SurveyReminder(rid("IT-1"))]
    );
    assert!(t.sends(&Outgoing::UpdateCard {
        request: rid("IT-1")
    }));
    assert_eq!(t.dm_to("carol").text, "*IT-1* was reopened by <@alice>.");
    assert!(w.pending("survey_reminder").is_empty());
}

#[test]
fn the_reopen_button_reopens_an_unclaimed_request_as_open() {
    let mut w = World::new();
    file_laptop(&mut w, "carol");
    w.click("bob", Action::Close(rid("IT-1")));
    let t = w.click("carol", Action::Reopen(rid("IT-1")));
    assert_eq!(t.dm_to("carol").text, "*IT-1* was reopened by you.");
    let r = w.req("IT-1");
    assert_eq!(r.status, Status::Open);
    assert_eq!(r.assignee, None);
    assert!(w.pending("survey_reminder").is_empty());
    // Back in the list, so a DM reaches the team again.
    let t = w.say("carol", "still broken");
    assert_eq!(t.thread_posts("IT-1").len(), 1);
}

#[test]
fn reopening_what_is_not_closed_is_refused() {
    let mut w = World::new();
    file_laptop(&mut w, "carol");
    let t = w.click("alice", Action::Reopen(rid("IT-1")));
    assert_eq!(t.notice_to("alice").0.text, "IT-1 is open, not closed.");
    let t = w.unreact("alice", "IT-1");
    assert_eq!(t, Transition::default());
    w.command("carol", "cancel IT-1");
    let t = w.click("carol", Action::Reopen(rid("IT-1")));
    assert_eq!(
        t.notice_to("carol").0.text,
        "IT-1 is cancelled, not closed."
    );
    assert_eq!(w.req("IT-1").status, Status::Cancelled);
}

#[test]
fn reopening_by_a_non_agent_is_refused() {
    let mut w = World::new();
    file_laptop(&mut w, "carol");
    w.click("alice", Action::Close(rid("IT-1")));
    let t = w.click("dave", Action::Reopen(rid("IT-1")));
    assert_eq!(
        t.notice_to("dave").0.text,
        "Only the team's agents or the requester can reopen IT-1."
    );
    let t = w.unreact("dave", "IT-1");
    assert_eq!(t, Transition::default());
    assert_eq!(w.req("IT-1").status, Status::Closed);
}

#[test]
fn closing_again_after_a_reopen_asks_for_the_survey_again() {
    let mut w = World::new();
    closed_by_alice(&mut w);
    w.click("alice", Action::Reopen(rid("IT-1")));
    let t = w.click("alice", Action::Close(rid("IT-1")));
    assert_eq!(actions(t.dms_to("carol")[1]), rating_buttons("IT-1"));
    assert_eq!(w.pending("survey_reminder").len(), 1);
}

#[test]
fn reopening_after_a_rating_ends_the_survey_so_messages_reach_the_team() {
    let mut w = World::new();
    closed_by_alice(&mut w);
    w.click("carol", Action::Rate(rid("IT-1"), 2));
    w.click("alice", Action::Reopen(rid("IT-1")));
    let s = &w.req("IT-1").survey;
    assert_eq!(s.state, SurveyState::Done);
    assert_eq!(s.rating, Some(2));
    let t = w.say("carol", "it broke again");
    assert_eq!(t.thread_posts("IT-1").len(), 1);
    assert_eq!(w.req("IT-1").survey.comment, None);
    // Closed again: the rating stands, no second survey.
    let t = w.click("alice", Action::Close(rid("IT-1")));
    assert_eq!(t.dms_to("carol").len(), 1);
    assert!(t.scheduled().is_empty());
}

// =============================================================================================
// Lifecycle: cancel
// =============================================================================================

#[test]
fn the_requester_cancels_by_command() {
    let mut w = World::new();
    file_laptop(&mut w, "carol");
    w.click("alice", Action::Claim(rid("IT-1")));
    w.advance(Duration::minutes(7));
    let t = w.command("carol", "cancel it-1");
    assert_eq!(t.reply().text, "Cancelled IT-1. The team has been told.");
    assert!(t.dms_to("carol").is_empty());
    assert_eq!(t.cancelled(), vec![&TimerFilter::AllFor(rid("IT-1"))]);
    assert!(t.sends(&Outgoing::UpdateCard {
        request: rid("IT-1")
    }));
    assert_eq!(
        t.thread_posts("IT-1")[0].text,
        "<@carol> cancelled this request."
    );
    let r = w.req("IT-1");
    assert_eq!(r.status, Status::Cancelled);
    assert_eq!(r.closed_at, Some(w.now));
    assert_eq!(
        last_event(r),
        &HistoryEntry {
            at: w.now,
            actor: Some(user("carol")),
            event: Event::Cancelled
        }
    );
    assert_eq!(r.survey.state, SurveyState::NotSent);
}

#[test]
fn the_requester_cancels_by_dm() {
    let mut w = World::new();
    file_laptop(&mut w, "carol");
    let t = w.say("carol", "Cancel IT-1");
    assert_eq!(
        t.dm_to("carol").text,
        "Cancelled IT-1. The team has been told."
    );
    assert_eq!(t.dm_abouts("carol"), vec![Some(rid("IT-1"))]);
    assert!(t.replies().next().is_none());
    assert_eq!(w.req("IT-1").status, Status::Cancelled);
    assert!(w.timers.is_empty(), "the first-response timer is gone");
    assert!(t
        .thread_posts("IT-1")
        .iter()
        .all(|m| !m.text.contains("(requester) wrote")));
}

#[test]
fn someone_else_cannot_cancel_a_request() {
    let mut w = World::new();
    file_laptop(&mut w, "carol");
    let t = w.command("alice", "cancel IT-1");
    assert_eq!(
        t.reply().text,
        "Only the person who opened IT-1 can cancel it."
    );
    assert!(t.requests.is_empty());
    let t = w.say("dave", "cancel IT-1");
    assert_eq!(
        t.dm_to("dave").text,
        "Only the person who opened IT-1 can cancel it."
    );
    assert_eq!(w.req("IT-1").status, Status::Open);
}

#[test]
fn cancelling_what_is_finished_or_unknown_says_so() {
    let mut w = World::new();
    file_laptop(&mut w, "carol");
    w.command("carol", "cancel IT-1");
    let t = w.command("carol", "cancel IT-1");
    assert_eq!(t.reply().text, "IT-1 is already cancelled.");
    assert!(t.requests.is_empty());
    file_laptop(&mut w, "carol");
    w.click("alice", Action::Close(rid("IT-2")));
    let t = w.command("carol", "cancel IT-2");
    assert_eq!(t.reply().text, "IT-2 is already closed.");
    let t = w.command("carol", "cancel HR-8");
    assert_eq!(
        t.reply().text,
        "I can't find request HR-8. `/help-it status` lists yours."
    );
}

// =============================================================================================
// Lifecycle: survey
// =============================================================================================

#[test]
fn every_rating_button_records_its_rating_and_asks_for_a_comment() {
    for n in 1..=5u8 {
        let mut w = World::new();
        closed_by_alice(&mut w);
        w.advance(Duration::minutes(1));
        let t = w.click("carol", Action::Rate(rid("IT-1"), n));
        let r = t.changed("IT-1").unwrap();
        assert_eq!(r.survey.rating, Some(n));
        assert_eq!(r.survey.state, SurveyState::AwaitingComment);
        assert_eq!(
            last_event(r),
            &HistoryEntry {
                at: w.now,
                actor: Some(user("carol")),
                event: Event::Rated { rating: n }
            }
        );
        assert_eq!(
            t.cancelled(),
            vec![&TimerFilter::SurveyReminder(rid("IT-1"))]
        );
        let msg = t.dm_to("carol");
        assert_eq!(
            msg.text,
            format!("Thanks for rating *IT-1* {n}/5! Anything you'd like to add? Type a comment, or skip.")
        );
        assert_eq!(actions(msg), vec![Action::NoComment(rid("IT-1"))]);
        assert!(w.pending("survey_reminder").is_empty());
    }
}

/// The replacements of earlier messages a transition asks for: (to, request, post, words).
fn replacements(t: &Transition) -> Vec<(UserRef, RequestId, PostRef, String)> {
    t.outgoing()
        .filter_map(|o| match o {
            Outgoing::ReplacePost {
                to,
                request,
                post,
                msg,
            } => {
                let shown = look(msg);
                assert!(
                    shown.choices.is_empty(),
                    "a replacement offers nothing to click"
                );
                Some((
                    to.clone(),
                    request.clone(),
                    post.clone(),
                    shown.text.clone(),
                ))
            }
            _ => None,
        })
        .collect()
}

#[test]
fn rating_on_a_survey_the_platform_can_replace_thanks_in_its_place() {
    let mut w = World::new();
    closed_by_alice(&mut w);
    let survey = PostRef::new(Platform::Teams, "a:carol-chat", "1700000000050");
    let t = w.click_on("carol", Action::Rate(rid("IT-1"), 4), survey.clone());
    assert_eq!(
        replacements(&t),
        vec![(
            user("carol"),
            rid("IT-1"),
            survey.clone(),
            "Thanks, you rated *IT-1* 4/5.".to_string()
        )]
    );
    // The request for a comment follows, as after any rating.
    has_text(t.dm_to("carol"), "Anything you'd like to add?");
    // A second click on the same card changes nothing and replaces nothing.
    let t = w.click_on("carol", Action::Rate(rid("IT-1"), 2), survey.clone());
    assert!(replacements(&t).is_empty());
    assert!(t.changed("IT-1").is_none());
    // Nor does someone else's click.
    let t = w.click_on("dave", Action::Rate(rid("IT-1"), 1), survey);
    assert!(replacements(&t).is_empty());
}

#[test]
fn a_rating_without_a_clicked_message_replaces_nothing() {
    let mut w = World::new();
    closed_by_alice(&mut w);
    let t = w.click("carol", Action::Rate(rid("IT-1"), 5));
    assert!(replacements(&t).is_empty());
    let mut w = World::new();
    closed_by_alice(&mut w);
    let t = w.say("carol", "3");
    assert!(replacements(&t).is_empty());
}

#[test]
fn a_mention_in_a_channel_is_answered_with_a_pointer_in_its_thread() {
    let mut w = World::new();
    let thread = PostRef::new(Platform::Teams, "19:itdesk@thread.tacv2", "1700000000999");
    let t = w.mention("bob", thread.clone());
    let replies: Vec<_> = t
        .outgoing()
        .map(|o| match o {
            Outgoing::ThreadReply { thread, msg } => (thread.clone(), look(msg).text.clone()),
            other => panic!("only the pointer goes out, not {other:?}"),
        })
        .collect();
    assert_eq!(replies.len(), 1);
    assert_eq!(replies[0].0, thread);
    assert!(
        replies[0]
            .1
            .starts_with("I post help requests in this channel")
            && replies[0]
                .1
                .ends_with("open a chat with me and type `/help-it`."),
        "{}",
        replies[0].1
    );
    assert!(t.requests.is_empty());
    assert_eq!(
        Outgoing::ThreadReply {
            thread: thread.clone(),
            msg: Message::text(Text::plain("x"))
        }
        .conversation()
        .key(),
        "thread:teams:19:itdesk@thread.tacv2:1700000000999"
    );
}

#[test]
fn a_typed_digit_rates_the_closed_request() {
    let mut w = World::new();
    closed_by_alice(&mut w);
    let t = w.say("carol", "4");
    assert_eq!(t.changed("IT-1").unwrap().survey.rating, Some(4));
    has_text(t.dm_to("carol"), "4/5");
}

#[test]
fn a_digit_out_of_range_is_not_a_rating() {
    let mut w = World::new();
    closed_by_alice(&mut w);
    for typed in ["0", "6", "42"] {
        let t = w.say("carol", typed);
        assert!(t.changed("IT-1").is_none(), "{typed}");
        w.sessions.clear();
    }
    assert_eq!(w.req("IT-1").survey.state, SurveyState::AwaitingRating);
}

#[test]
fn an_out_of_range_rating_action_is_kept_on_the_scale() {
    let mut w = World::new();
    closed_by_alice(&mut w);
    let t = w.click("carol", Action::Rate(rid("IT-1"), 9));
    assert_eq!(w.req("IT-1").survey.rating, Some(5));
    assert_eq!(last_event(w.req("IT-1")).event, Event::Rated { rating: 5 });
    has_text(t.dm_to("carol"), "5/5");
}

#[test]
fn a_typed_comment_completes_the_survey() {
    let mut w = World::new();
    closed_by_alice(&mut w);
    w.click("carol", Action::Rate(rid("IT-1"), 5));
    let t = w.say("carol", "  quick and friendly  ");
    assert_eq!(t.dm_to("carol").text, "Thank you for your feedback!");
    let r = w.req("IT-1");
    assert_eq!(r.survey.state, SurveyState::Done);
    assert_eq!(r.survey.comment.as_deref(), Some("quick and friendly"));
    assert_eq!(
        last_event(r).event,
        Event::Commented {
            text: "quick and friendly".into()
        }
    );
    assert!(
        t.thread_posts("IT-1").is_empty(),
        "a comment is not a message for the team"
    );
}

#[test]
fn the_comment_can_be_skipped_by_button_or_word() {
    for skip in [None, Some("skip"), Some("No"), Some("-")] {
        let mut w = World::new();
        closed_by_alice(&mut w);
        w.click("carol", Action::Rate(rid("IT-1"), 3));
        let t = match skip {
            None => w.click("carol", Action::NoComment(rid("IT-1"))),
            Some(word) => w.say("carol", word),
        };
        assert_eq!(
            t.dm_to("carol").text,
            "Thank you for your feedback!",
            "{skip:?}"
        );
        let r = w.req("IT-1");
        assert_eq!(r.survey.state, SurveyState::Done);
        assert_eq!(r.survey.comment, None);
        assert_eq!(r.survey.rating, Some(3));
        assert_eq!(last_event(r).event, Event::Rated { rating: 3 }, "{skip:?}");
    }
}

#[test]
fn after_the_survey_messages_start_a_new_request_again() {
    let mut w = World::new();
    closed_by_alice(&mut w);
    w.click("carol", Action::Rate(rid("IT-1"), 5));
    w.click("carol", Action::NoComment(rid("IT-1")));
    let t = w.click("carol", Action::NoComment(rid("IT-1")));
    assert!(t.effects.is_empty(), "a second skip is a no-op");
    let t = w.say("carol", "my vpn is down");
    has_text(t.dm_to("carol"), "It sounds like a request for *IT*");
    assert_eq!(w.req("IT-1").survey.comment, None);
}

#[test]
fn rating_twice_is_answered_politely() {
    let mut w = World::new();
    closed_by_alice(&mut w);
    w.click("carol", Action::Rate(rid("IT-1"), 4));
    let t = w.click("carol", Action::Rate(rid("IT-1"), 1));
    assert_eq!(
        t.dm_to("carol").text,
        "Your rating for IT-1 is already recorded. Thanks!"
    );
    assert!(t.requests.is_empty());
    w.say("carol", "great work");
    let t = w.click("carol", Action::Rate(rid("IT-1"), 1));
    has_text(t.dm_to("carol"), "already recorded");
    assert_eq!(w.req("IT-1").survey.rating, Some(4));
}

#[test]
fn rating_an_open_request_is_refused() {
    let mut w = World::new();
    file_laptop(&mut w, "carol");
    let t = w.click("carol", Action::Rate(rid("IT-1"), 5));
    assert_eq!(
        t.dm_to("carol").text,
        "IT-1 isn't closed yet, so there's nothing to rate."
    );
    assert!(t.requests.is_empty());
}

#[test]
fn rating_by_someone_other_than_the_requester_is_refused() {
    let mut w = World::new();
    closed_by_alice(&mut w);
    let t = w.click("alice", Action::Rate(rid("IT-1"), 5));
    assert_eq!(
        t.notice_to("alice").0.text,
        "Only the requester can rate a request."
    );
    assert!(t.requests.is_empty());
    let t = w.click("alice", Action::NoComment(rid("IT-1")));
    assert!(t.effects.is_empty());
    assert_eq!(w.req("IT-1").survey.state, SurveyState::AwaitingRating);
}

#[test]
fn a_survey_answer_in_a_requests_thread_goes_to_that_request() {
    let mut w = World::new();
    file_laptop(&mut w, "carol");
    file_laptop(&mut w, "carol");
    w.click("alice", Action::Close(rid("IT-1")));
    w.advance(Duration::minutes(5));
    w.click("alice", Action::Close(rid("IT-2")));
    // In the main conversation a digit rates the most recently closed one...
    let t = w.say("carol", "5");
    assert_eq!(t.changed("IT-2").unwrap().survey.rating, Some(5));
    // ...but in IT-1's thread it rates IT-1, even while IT-2 waits for its comment.
    let t = w.say_about("carol", "IT-1", "2");
    assert_eq!(t.changed("IT-1").unwrap().survey.rating, Some(2));
    assert_eq!(w.req("IT-2").survey.state, SurveyState::AwaitingComment);
    let t = w.say_about("carol", "IT-1", "slow");
    assert_eq!(
        t.changed("IT-1").unwrap().survey.comment.as_deref(),
        Some("slow")
    );
    assert_eq!(w.req("IT-2").survey.state, SurveyState::AwaitingComment);
}

#[test]
fn a_message_about_an_open_request_is_relayed_even_while_a_comment_is_awaited() {
    let mut w = World::new();
    closed_by_alice(&mut w);
    w.click("carol", Action::Rate(rid("IT-1"), 4));
    file_chair(&mut w, "carol");
    let t = w.say_about("carol", "FAC-1", "the left armrest");
    assert_eq!(t.thread_posts("FAC-1").len(), 1);
    assert_eq!(w.req("IT-1").survey.state, SurveyState::AwaitingComment);
}

// =============================================================================================
// Timers
// =============================================================================================

#[test]
fn the_first_response_timer_chases_the_team_and_comes_back() {
    let mut w = World::new();
    file_laptop(&mut w, "carol");
    w.advance(Duration::hours(4));
    let fired = w.fire_due_timers();
    assert_eq!(fired.len(), 1);
    let t = &fired[0];
    let posts = t.thread_posts("IT-1");
    assert_eq!(posts.len(), 1);
    assert_eq!(
        posts[0].text,
        "<@itlead> ⏰ *IT-1* has waited 4h without a response (service level: 4h)."
    );
    assert_eq!(actions(posts[0]), vec![Action::Claim(rid("IT-1"))]);
    assert!(t.dms_to("carol").is_empty());
    assert_eq!(
        t.scheduled(),
        vec![&Timer {
            at: w.now + Duration::hours(2),
            kind: TimerKind::FirstResponse {
                request: rid("IT-1"),
                round: 1
            }
        }]
    );
    let r = w.req("IT-1");
    assert_eq!(r.reminders_sent, 1);
    assert_eq!(
        last_event(r),
        &HistoryEntry {
            at: w.now,
            actor: None,
            event: Event::Reminded { round: 1 }
        }
    );

    w.advance(Duration::hours(2));
    let fired = w.fire_due_timers();
    assert_eq!(fired.len(), 1);
    has_text(
        fired[0].thread_posts("IT-1")[0],
        "has waited 6h without a response",
    );
    assert_eq!(w.req("IT-1").reminders_sent, 2);
    assert_eq!(
        w.pending("first_response")[0].kind,
        TimerKind::FirstResponse {
            request: rid("IT-1"),
            round: 2
        }
    );
}

#[test]
fn nothing_fires_before_the_service_level() {
    let mut w = World::new();
    file_laptop(&mut w, "carol");
    w.advance(Duration::hours(4) - Duration::seconds(1));
    assert!(w.fire_due_timers().is_empty());
}

#[test]
fn a_reminder_without_anyone_to_escalate_to_mentions_nobody() {
    let mut w = World::new();
    file_leave(&mut w, "carol");
    w.advance(Duration::hours(8));
    let fired = w.fire_due_timers();
    assert_eq!(
        fired[0].thread_posts("HR-1")[0].text,
        "⏰ *HR-1* has waited 8h without a response (service level: 8h)."
    );
    assert_eq!(fired[0].scheduled()[0].at, w.now + Duration::hours(4));
}

#[test]
fn the_first_response_timer_does_nothing_once_someone_responded() {
    let mut w = World::new();
    file_laptop(&mut w, "carol");
    w.thread_reply("alice", "IT-1", "looking");
    w.advance(Duration::hours(4));
    assert!(w.fire_due_timers().is_empty(), "the timer was cancelled");
    // Even a late delivery of the old timer is harmless.
    let t = w.fire(TimerKind::FirstResponse {
        request: rid("IT-1"),
        round: 0,
    });
    assert_eq!(t, Transition::default());
    assert_eq!(w.req("IT-1").reminders_sent, 0);
}

#[test]
fn the_first_response_timer_does_nothing_once_closed_or_cancelled() {
    let mut w = World::new();
    file_laptop(&mut w, "carol");
    w.command("carol", "cancel IT-1");
    let t = w.fire(TimerKind::FirstResponse {
        request: rid("IT-1"),
        round: 0,
    });
    assert_eq!(t, Transition::default());

    let mut w = World::new();
    file_laptop(&mut w, "carol");
    w.click("carol", Action::Close(rid("IT-1")));
    let t = w.fire(TimerKind::FirstResponse {
        request: rid("IT-1"),
        round: 3,
    });
    assert_eq!(t, Transition::default());
    let t = w.fire(TimerKind::FirstResponse {
        request: rid("IT-404"),
        round: 0,
    });
    assert_eq!(t, Transition::default());
}

#[test]
fn request_timers_act_for_nobody_and_leave_sessions_alone() {
    let mut w = World::new();
    file_laptop(&mut w, "carol");
    w.advance(Duration::hours(3));
    draft_at_urgency(&mut w, "carol");
    let before = w.session("carol");
    w.advance(Duration::hours(1));
    let fired = w.fire_due_timers();
    assert_eq!(fired.len(), 1, "only the reminder is due");
    assert_eq!(fired[0].thread_posts("IT-1").len(), 1);
    assert_eq!(fired[0].session, Session::default());
    assert_eq!(w.session("carol"), before, "carol's draft is untouched");
}

#[test]
fn the_survey_reminder_fires_once_while_the_rating_is_awaited() {
    let mut w = World::new();
    closed_by_alice(&mut w);
    w.advance(Duration::hours(24));
    let fired = w.fire_due_timers();
    assert_eq!(fired.len(), 1);
    let t = &fired[0];
    let msg = t.dm_to("carol");
    assert_eq!(
        msg.text,
        "A quick reminder: how did we do with *IT-1*? One click is enough."
    );
    assert_eq!(actions(msg), rating_buttons("IT-1"));
    assert!(t.scheduled().is_empty(), "only one reminder");
    assert_eq!(
        last_event(w.req("IT-1")),
        &HistoryEntry {
            at: w.now,
            actor: None,
            event: Event::SurveyReminded
        }
    );
    w.advance(Duration::days(7));
    assert!(w.fire_due_timers().is_empty());
    // The reminder's buttons still work.
    w.click("carol", Action::Rate(rid("IT-1"), 4));
    assert_eq!(w.req("IT-1").survey.rating, Some(4));
}

#[test]
fn the_survey_reminder_does_nothing_once_rated_or_reopened() {
    let mut w = World::new();
    closed_by_alice(&mut w);
    w.click("carol", Action::Rate(rid("IT-1"), 5));
    w.advance(Duration::hours(24));
    assert!(w.fire_due_timers().is_empty());
    let t = w.fire(TimerKind::SurveyReminder {
        request: rid("IT-1"),
    });
    assert_eq!(t, Transition::default());

    let mut w = World::new();
    closed_by_alice(&mut w);
    w.click("alice", Action::Reopen(rid("IT-1")));
    let t = w.fire(TimerKind::SurveyReminder {
        request: rid("IT-1"),
    });
    assert_eq!(t, Transition::default());
}

// =============================================================================================
// The whole story
// =============================================================================================

#[test]
fn the_acceptance_story_from_first_words_to_comment() {
    let mut w = World::new();

    let t = w.command("carol", "my laptop won't boot");
    has_text(t.reply(), "direct message");
    has_text(t.dm_to("carol"), "*IT*. Is that right?");

    w.advance(Duration::minutes(1));
    let t = w.click("carol", Action::ConfirmDepartment);
    assert_eq!(t.dm_to("carol").text, "Which device is affected?");

    w.advance(Duration::minutes(1));
    let t = w.say("carol", "ThinkPad X1");
    assert_eq!(t.dm_to("carol").text, "How urgent is it?");

    w.advance(Duration::minutes(1));
    let t = w.click("carol", Action::PickOption(2));
    assert_eq!(t.dm_to("carol").text, "Anything else? (optional)");

    w.advance(Duration::minutes(1));
    let t = w.click("carol", Action::Skip);
    has_text(t.dm_to("carol"), "• How urgent is it? high");

    w.advance(Duration::minutes(1));
    let t = w.click("carol", Action::Submit);
    assert!(t.sends(&Outgoing::PostCard {
        request: rid("IT-1")
    }));
    has_text(t.dm_to("carol"), "*IT-1*");
    let created = w.now;

    w.advance(Duration::minutes(30));
    let t = w.click("alice", Action::Claim(rid("IT-1")));
    assert_eq!(t.dm_to("carol").text, "<@alice> is now working on *IT-1*.");

    w.advance(Duration::minutes(5));
    let t = w.thread_reply("alice", "IT-1", "on my way");
    assert_eq!(t.dm_to("carol").text, "<@alice> on *IT-1*:\non my way");

    w.advance(Duration::minutes(5));
    let t = w.say("carol", "thanks, I'm at desk 4");
    assert_eq!(
        t.thread_posts("IT-1")[0].text,
        "<@carol> (requester) wrote:\nthanks, I'm at desk 4"
    );

    w.advance(Duration::minutes(40));
    let t = w.click("alice", Action::Close(rid("IT-1")));
    assert_eq!(actions(t.dms_to("carol")[1]), rating_buttons("IT-1"));

    w.advance(Duration::minutes(2));
    let t = w.click("carol", Action::Rate(rid("IT-1"), 5));
    has_text(t.dm_to("carol"), "5/5");

    w.advance(Duration::minutes(1));
    let t = w.say("carol", "fixed in no time, thank you!");
    assert_eq!(t.dm_to("carol").text, "Thank you for your feedback!");

    let r = w.req("IT-1");
    assert_eq!(r.status, Status::Closed);
    assert_eq!(r.assignee, Some(user("alice")));
    assert_eq!(r.priority, Priority::High);
    assert_eq!(r.created_at, created);
    assert_eq!(r.first_response_at, Some(created + Duration::minutes(30)));
    assert_eq!(r.closed_at, Some(created + Duration::minutes(80)));
    assert_eq!(r.survey.state, SurveyState::Done);
    assert_eq!(r.survey.rating, Some(5));
    assert_eq!(
        r.survey.comment.as_deref(),
        Some("fixed in no time, thank you!")
    );
    assert_eq!(
        events(r),
        vec![
            Event::Created,
            Event::Claimed,
            Event::AgentReplied {
                text: "on my way".into()
            },
            Event::RequesterReplied {
                text: "thanks, I'm at desk 4".into()
            },
            Event::Closed,
            Event::Rated { rating: 5 },
            Event::Commented {
                text: "fixed in no time, thank you!".into()
            },
        ]
    );
    let actors: Vec<_> = r
        .history
        .iter()
        .map(|h| h.actor.clone().unwrap().id)
        .collect();
    assert_eq!(
        actors,
        ["carol", "alice", "alice", "carol", "alice", "carol", "carol"]
    );
    assert!(r.history.windows(2).all(|p| p[0].at < p[1].at));
    assert!(
        w.timers.is_empty(),
        "nothing left to chase: {:#?}",
        w.timers
    );
    assert!(w.sessions.is_empty());
}

// =============================================================================================
// Odds and ends
// =============================================================================================

#[test]
fn inputs_name_the_requests_the_store_must_load() {
    let dm = |text: &str, about: Option<&str>| Input::MessageReceived {
        user: user("carol"),
        text: text.into(),
        place: Place::Direct {
            about: about.map(rid),
        },
    };
    assert_eq!(dm("cancel it-4", None).named_requests(), vec![rid("IT-4")]);
    assert_eq!(
        dm("cancel FAC-2", Some("IT-1")).named_requests(),
        vec![rid("IT-1"), rid("FAC-2")]
    );
    assert_eq!(
        dm("cancel IT-1", Some("IT-1")).named_requests(),
        vec![rid("IT-1")]
    );
    assert!(dm("cancel the meeting", None).named_requests().is_empty());
    assert!(dm("IT-3", None).named_requests().is_empty());
    let cmd = Input::CommandInvoked {
        user: user("carol"),
        text: "CANCEL hr-2".into(),
    };
    assert_eq!(cmd.named_requests(), vec![rid("HR-2")]);
    let timer = Input::TimerFired {
        timer: Timer {
            at: t0(),
            kind: TimerKind::DraftExpiry {
                user: user("carol"),
            },
        },
    };
    assert!(timer.named_requests().is_empty());
    assert_eq!(timer.actor(), Some(&user("carol")));
    let reminder = Input::TimerFired {
        timer: Timer {
            at: t0(),
            kind: TimerKind::SurveyReminder {
                request: rid("IT-1"),
            },
        },
    };
    assert_eq!(reminder.named_requests(), vec![rid("IT-1")]);
    assert_eq!(reminder.actor(), None);
}

#[test]
fn a_snapshot_holds_the_named_requests_then_the_actors_requests_that_need_attention() {
    let mut w = World::new();
    let at = t0();
    let made = |id: &str, who: &str, status: Status, survey: SurveyState| Request {
        status,
        survey: Survey {
            state: survey,
            ..Survey::default()
        },
        ..Request::new(rid(id), "it", user(who), "printer", at)
    };
    for r in [
        made("IT-1", "carol", Status::Open, SurveyState::NotSent),
        made("IT-2", "carol", Status::Closed, SurveyState::AwaitingRating),
        made("IT-3", "carol", Status::Closed, SurveyState::Done),
        made("IT-4", "carol", Status::Cancelled, SurveyState::NotSent),
        made("IT-5", "dave", Status::Open, SurveyState::NotSent),
        made(
            "IT-6",
            "carol",
            Status::Closed,
            SurveyState::AwaitingComment,
        ),
    ] {
        w.requests.insert(r.id.clone(), r);
    }
    let ids =
        |s: &Snapshot| -> Vec<String> { s.requests.iter().map(|r| r.id.to_string()).collect() };

    // The named request first (whatever its state), then carol's that need attention, once each.
    let reopen = Input::ButtonClicked {
        user: user("carol"),
        action: Action::Reopen(rid("IT-3")),
        post: None,
    };
    assert_eq!(ids(&w.snapshot(&reopen)), ["IT-3", "IT-1", "IT-2", "IT-6"]);
    let close = Input::ButtonClicked {
        user: user("carol"),
        action: Action::Close(rid("IT-1")),
        post: None,
    };
    assert_eq!(ids(&w.snapshot(&close)), ["IT-1", "IT-2", "IT-6"]);
    // Someone else's request is loaded only when named.
    let claim = Input::ButtonClicked {
        user: user("dave"),
        action: Action::Claim(rid("IT-2")),
        post: None,
    };
    assert_eq!(ids(&w.snapshot(&claim)), ["IT-2", "IT-5"]);
    // A timer acts for nobody: only what it names.
    let reminder = Input::TimerFired {
        timer: Timer {
            at,
            kind: TimerKind::SurveyReminder {
                request: rid("IT-2"),
            },
        },
    };
    let snapshot = w.snapshot(&reminder);
    assert_eq!(ids(&snapshot), ["IT-2"]);
    assert_eq!(snapshot.next_number, 0);

    // A draft with a department carries that department's next number.
    w.counters.insert("IT".into(), 6);
    w.sessions.insert(
        user("erin"),
        Session {
            draft: Some(Draft {
                started_at: at,
                last_activity: at,
                step: Step::Describe,
                department: Some("it".into()),
                summary: None,
                summary_given: false,
                answers: Vec::new(),
            }),
            pending_reply: None,
        },
    );
    let typed = Input::MessageReceived {
        user: user("erin"),
        text: "my printer".into(),
        place: Place::Direct { about: None },
    };
    let snapshot = w.snapshot(&typed);
    assert_eq!(snapshot.next_number, 7);
    assert_eq!(snapshot.session, w.session("erin"));
    assert_eq!(numbering_prefix(&snapshot.session, &w.rules), Some("IT"));
    assert_eq!(numbering_prefix(&Session::default(), &w.rules), None);
}

#[test]
fn a_command_of_only_spaces_starts_a_blank_request() {
    let mut w = World::new();
    let t = w.command("carol", "   ");
    has_text(t.reply(), "direct message");
    let draft = w.draft("carol");
    assert_eq!(draft.summary, None);
    assert_eq!(draft.step, Step::ChooseDepartment);
}

#[test]
fn the_claim_button_on_a_reminder_stops_the_chase() {
    let mut w = World::new();
    file_laptop(&mut w, "carol");
    w.advance(Duration::hours(4));
    let fired = w.fire_due_timers();
    let claim = fired[0].thread_posts("IT-1")[0].choices[0].action.clone();
    w.advance(Duration::minutes(15));
    let t = w.click("bob", claim);
    assert_eq!(t.dm_to("carol").text, "<@bob> is now working on *IT-1*.");
    assert_eq!(w.req("IT-1").first_response_at, Some(w.now));
    assert!(w.pending("first_response").is_empty());
    w.advance(Duration::hours(10));
    assert!(w.fire_due_timers().is_empty());
}

#[test]
fn a_reopened_request_is_not_chased_again() {
    let mut w = World::new();
    file_laptop(&mut w, "carol");
    w.click("carol", Action::Close(rid("IT-1")));
    w.click("carol", Action::Reopen(rid("IT-1")));
    assert_eq!(w.req("IT-1").status, Status::Open);
    let t = w.fire(TimerKind::FirstResponse {
        request: rid("IT-1"),
        round: 0,
    });
    assert_eq!(t, Transition::default());
}

#[test]
fn an_agent_can_still_write_to_the_requester_after_closing() {
    let mut w = World::new();
    closed_by_alice(&mut w);
    let t = w.thread_reply("alice", "IT-1", "PS: update your BIOS");
    assert_eq!(
        t.dm_to("carol").text,
        "<@alice> on *IT-1*:\nPS: update your BIOS"
    );
    assert_eq!(w.req("IT-1").status, Status::Closed);
    assert_eq!(w.req("IT-1").survey.state, SurveyState::AwaitingRating);
}

#[test]
fn typing_an_id_that_is_not_one_of_the_open_requests_asks_again_and_keeps_the_message() {
    let mut w = World::new();
    file_laptop(&mut w, "carol");
    w.advance(Duration::minutes(1));
    file_chair(&mut w, "carol");
    w.say("carol", "see you monday");
    let t = w.say("carol", "HR-9");
    let q = t.dm_to("carol");
    assert_eq!(
        q.text,
        "HR-9 isn't one of your open requests. Which one is your message for?"
    );
    assert_eq!(
        actions(q),
        vec![Action::ReplyTo(rid("FAC-1")), Action::ReplyTo(rid("IT-1"))]
    );
    assert!(t.requests.is_empty());
    assert_eq!(
        w.session("carol").pending_reply.as_deref(),
        Some("see you monday")
    );
    let t = w.say("carol", "IT-1");
    assert_eq!(
        t.thread_posts("IT-1")[0].text,
        "<@carol> (requester) wrote:\nsee you monday"
    );
}

#[test]
fn a_pending_message_is_clipped() {
    let mut w = World::new();
    file_laptop(&mut w, "carol");
    file_chair(&mut w, "carol");
    w.say("carol", &"q".repeat(10_000));
    let pending = w.session("carol").pending_reply.unwrap();
    assert_eq!(pending.chars().count(), text::MAX_ANSWER_CHARS);
}
