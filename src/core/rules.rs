//! The rules the core follows: departments, their questions and service levels.
//! Built from the configuration by the shell; the core never reads config files.

use super::sla::ServiceLevels;
use super::survey::Sample;
use super::typed::ButtonWords;
use chrono::Duration;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum FieldKind {
    Text,
    Choice(Vec<String>),
}

/// One question a department asks before a request is submitted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Field {
    pub id: String,
    pub prompt: String,
    pub kind: FieldKind,
    pub required: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Department {
    pub id: String,
    pub name: String,
    pub prefix: String,
    pub keywords: Vec<String>,
    /// Platform user ids allowed to claim and close; empty means anyone.
    pub agents: Vec<String>,
    pub fields: Vec<Field>,
    pub first_response_sla: Duration,
    pub remind_every: Duration,
    /// Platform user id to mention in reminders; empty means nobody in particular.
    pub escalate_to: String,
    /// Business hours, the resolution service level and the escalation ladder.
    pub service: ServiceLevels,
    /// How long a closed or cancelled request keeps what people wrote; `None` keeps it.
    pub retention: Option<Duration>,
    /// The channel card and its thread never show what people wrote; agents read it
    /// through "View details", which only they are shown.
    pub confidential: bool,
    /// How agents' words reach the requester.
    pub relay: Relay,
    /// Who gets a new request.
    pub assign: Assign,
    /// Platform user ids new requests are assigned among; empty: the agents.
    pub on_call: Vec<String>,
    /// A request waiting on its requester this long is closed (with a nudge half-way).
    pub auto_close_after: Option<Duration>,
}

/// Who gets a new request: nobody until an agent claims it, or someone by a rule.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Assign {
    #[default]
    Manual,
    /// In turn, by request number.
    RoundRobin,
    /// The one with the fewest active requests of the department.
    LeastLoaded,
}

/// How an agent's words reach the requester.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Relay {
    /// Every reply in the card's thread is relayed, except internal notes.
    #[default]
    Thread,
    /// The thread stays among the agents; only "Reply to requester" (or `/help-it reply ID
    /// text`) reaches the requester.
    Explicit,
}

impl Department {
    pub fn is_agent(&self, user_id: &str) -> bool {
        self.agents.is_empty() || self.agents.iter().any(|a| a == user_id)
    }
}

/// Everyday words that only name a team when typed exactly as the team's name is written.
const COMMON_WORDS: &[&str] = &[
    "a", "an", "and", "as", "at", "be", "by", "do", "go", "if", "in", "is", "it", "me", "my", "no",
    "of", "on", "or", "so", "to", "up", "us", "we",
];

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rules {
    pub departments: Vec<Department>,
    pub intake_timeout: Duration,
    pub survey_enabled: bool,
    /// The wait before each survey reminder.
    pub survey_remind_after: Duration,
    /// How many reminders an unanswered survey gets, each `survey_remind_after` after the last.
    pub survey_reminders: u32,
    /// Which closed requests get a survey (see `super::survey`).
    pub survey_sample: Sample,
    /// A requester sent a survey gets no other within this time; zero turns it off.
    pub survey_cooldown: Duration,
    /// Thread replies starting with this stay among agents (see [`Rules::is_internal_note`]).
    pub internal_note_prefix: String,
    /// What the buttons the core offers say, in every locale the desk writes, so that typing a
    /// label works like clicking it (see `super::typed`).
    pub buttons: ButtonWords,
}

/// Marks that may stand in front of a thread reply's words: Slack's bold, italic, strike and
/// code markers (`*Note:*`, `_note:_`).
const FORMATTING_MARKS: &[char] = &['*', '_', '~', '`'];

impl Rules {
    /// Whether a reply in a request card's thread is an internal note, which stays among the
    /// agents. It is when it starts with [`Rules::internal_note_prefix`], compared so that an
    /// agent's way of typing it can't leak the note to the requester:
    /// - case doesn't count (`Note:`, `NOTE:`);
    /// - spaces, and formatting marks (`*Note:*`), in front of it don't count;
    /// - spaces before the prefix's punctuation don't count (`note :` is `note:`), and a space
    ///   inside the prefix is any run of spaces.
    ///
    /// Missing a note sends an agents' remark to the requester, while reading an ordinary reply
    /// as a note only keeps it in the thread (no "relayed" mark appears on it), so where the
    /// two could be confused the rule leans towards a note.
    pub fn is_internal_note(&self, text: &str) -> bool {
        let prefix = self
            .internal_note_prefix
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .to_lowercase();
        if prefix.is_empty() {
            return false;
        }
        let text = text
            .trim_start_matches(|c: char| c.is_whitespace() || FORMATTING_MARKS.contains(&c))
            .to_lowercase();
        let mut rest = text.as_str();
        for p in prefix.chars() {
            if p.is_whitespace() {
                let after = rest.trim_start();
                if after.len() == rest.len() {
                    return false;
                }
                rest = after;
                continue;
            }
            if !p.is_alphanumeric() {
                rest = rest.trim_start();
            }
            match rest.strip_prefix(p) {
                Some(after) => rest = after,
                None => return false,
            }
        }
        true
    }

    pub fn department(&self, id: &str) -> Option<&Department> {
        self.departments.iter().find(|d| d.id == id)
    }

    pub fn department_by_prefix(&self, prefix: &str) -> Option<&Department> {
        self.departments
            .iter()
            .find(|d| d.prefix.eq_ignore_ascii_case(prefix))
    }

    /// A department named by what a person might type: its number in the list (1-based),
    /// id, name or prefix, in any case.
    pub fn department_by_answer(&self, answer: &str) -> Option<&Department> {
        let a = answer.trim().trim_start_matches('#');
        if let Ok(n) = a.parse::<usize>() {
            return n.checked_sub(1).and_then(|i| self.departments.get(i));
        }
        self.departments.iter().find(|d| {
            d.id.eq_ignore_ascii_case(a)
                || d.name.eq_ignore_ascii_case(a)
                || d.prefix.eq_ignore_ascii_case(a)
        })
    }

    /// Best department for a free-text description, by keyword hits; ties and no hits give None
    /// so we ask instead of guessing wrong.
    pub fn guess_department(&self, text: &str) -> Option<&Department> {
        let typed: Vec<&str> = text
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .collect();
        let words: Vec<String> = typed.iter().map(|w| w.to_lowercase()).collect();
        if words.is_empty() {
            return None;
        }
        // Phrases match whole words only ("hair conditioning" is not "air conditioning"),
        // whatever punctuation sits between them ("air-conditioning" is).
        let spaced = format!(" {} ", words.join(" "));
        // A team named like an everyday word ("IT" and "it") is named only when typed as the
        // name is written; "can you fix it" says nothing about IT.
        let names = |d: &Department| {
            words.iter().zip(&typed).any(|(w, t)| {
                if COMMON_WORDS.contains(&w.as_str()) {
                    *t == d.name
                } else {
                    *w == d.name.to_lowercase() || w.eq_ignore_ascii_case(&d.id)
                }
            })
        };
        let score = |d: &Department| -> usize {
            let name_hit = names(d);
            let keyword_hits = d
                .keywords
                .iter()
                .filter(|k| {
                    let k = k.to_lowercase();
                    let phrase: Vec<&str> = k
                        .split(|c: char| !c.is_alphanumeric())
                        .filter(|w| !w.is_empty())
                        .collect();
                    // Multi-word keywords match as phrases; single words match a word or its plural.
                    match phrase.as_slice() {
                        [] => false,
                        [k] => words
                            .iter()
                            .any(|w| w.as_str() == *k || w.strip_suffix('s') == Some(*k)),
                        _ => spaced.contains(&format!(" {} ", phrase.join(" "))),
                    }
                })
                .count();
            keyword_hits + usize::from(name_hit) * 2
        };
        let mut best: Option<(&Department, usize)> = None;
        let mut tie = false;
        for d in &self.departments {
            let s = score(d);
            if s == 0 {
                continue;
            }
            match best {
                Some((_, b)) if s == b => tie = true,
                Some((_, b)) if s < b => {}
                _ => {
                    best = Some((d, s));
                    tie = false;
                }
            }
        }
        if tie {
            None
        } else {
            best.map(|(d, _)| d)
        }
    }
}

#[cfg(test)]
pub(crate) mod fixtures {
    use super::*;

    fn choice(id: &str, prompt: &str, options: &[&str], required: bool) -> Field {
        Field {
            id: id.into(),
            prompt: prompt.into(),
            kind: FieldKind::Choice(options.iter().map(|s| s.to_string()).collect()),
            required,
        }
    }

    fn text(id: &str, prompt: &str, required: bool) -> Field {
        Field {
            id: id.into(),
            prompt: prompt.into(),
            kind: FieldKind::Text,
            required,
        }
    }

    /// IT (agents alice and bob), HR (anyone), Facilities: enough shape for every core test.
    pub(crate) fn rules() -> Rules {
        let departments = vec![
            Department {
                id: "it".into(),
                name: "IT".into(),
                prefix: "IT".into(),
                keywords: vec!["laptop".into(), "vpn".into(), "password".into()],
                agents: vec!["alice".into(), "bob".into()],
                fields: vec![
                    text("device", "Which device is affected?", true),
                    choice(
                        "urgency",
                        "How urgent is it?",
                        &["low", "normal", "high", "urgent"],
                        true,
                    ),
                    text("notes", "Anything else?", false),
                ],
                first_response_sla: Duration::hours(4),
                remind_every: Duration::hours(2),
                escalate_to: "itlead".into(),
                service: ServiceLevels::default(),
                retention: None,
                confidential: false,
                relay: Relay::Thread,
                assign: Assign::Manual,
                on_call: vec![],
                auto_close_after: None,
            },
            Department {
                id: "hr".into(),
                name: "HR".into(),
                prefix: "HR".into(),
                keywords: vec!["holiday".into(), "contract".into()],
                agents: vec![],
                fields: vec![choice(
                    "topic",
                    "What is it about?",
                    &["leave", "contract", "other"],
                    true,
                )],
                first_response_sla: Duration::hours(8),
                remind_every: Duration::hours(4),
                escalate_to: String::new(),
                service: ServiceLevels::default(),
                retention: None,
                confidential: false,
                relay: Relay::Thread,
                assign: Assign::Manual,
                on_call: vec![],
                auto_close_after: None,
            },
            Department {
                id: "facilities".into(),
                name: "Facilities".into(),
                prefix: "FAC".into(),
                keywords: vec!["desk".into(), "chair".into(), "air conditioning".into()],
                agents: vec![],
                fields: vec![],
                first_response_sla: Duration::hours(4),
                remind_every: Duration::hours(2),
                escalate_to: String::new(),
                service: ServiceLevels::default(),
                retention: None,
                confidential: false,
                relay: Relay::Thread,
                assign: Assign::Manual,
                on_call: vec![],
                auto_close_after: None,
            },
        ];
        Rules {
            buttons: crate::core::shown::button_words(&departments),
            departments,
            intake_timeout: Duration::hours(2),
            survey_enabled: true,
            survey_remind_after: Duration::hours(24),
            survey_reminders: 1,
            survey_sample: Sample::ALL,
            survey_cooldown: Duration::zero(),
            internal_note_prefix: "note:".into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::fixtures::rules;

    #[test]
    fn departments_are_found_by_number_name_id_or_prefix() {
        let r = rules();
        assert_eq!(r.department_by_answer("1").unwrap().id, "it");
        assert_eq!(
            r.department_by_answer("facilities").unwrap().id,
            "facilities"
        );
        assert_eq!(r.department_by_answer("fac").unwrap().id, "facilities");
        assert_eq!(r.department_by_answer(" Hr ").unwrap().id, "hr");
        assert!(r.department_by_answer("0").is_none());
        assert!(r.department_by_answer("4").is_none());
        assert!(r.department_by_answer("legal").is_none());
    }

    #[test]
    fn keywords_guess_the_department() {
        let r = rules();
        assert_eq!(r.guess_department("my laptop won't boot").unwrap().id, "it");
        assert_eq!(
            r.guess_department("My LAPTOPS are broken").unwrap().id,
            "it"
        );
        assert_eq!(
            r.guess_department("the air conditioning is loud")
                .unwrap()
                .id,
            "facilities"
        );
        assert_eq!(
            r.guess_department("question for hr about pay").unwrap().id,
            "hr"
        );
    }

    #[test]
    fn an_internal_note_is_its_prefix_whatever_the_case_and_spacing() {
        let r = rules();
        for note in [
            "note: check the warranty",
            "Note: check the warranty",
            "NOTE:x",
            "   note: indented",
            "\tNote:\ttabbed",
            "note : a space before the colon",
            "Note  :two spaces",
            "*Note:* bold",
            "_note:_ italic",
            "note:",
        ] {
            assert!(r.is_internal_note(note), "{note:?}");
        }
        for reply in [
            "I'll note: that later", // the prefix must come first
            "notes: plural",
            "no te: split",
            "note without a colon",
            "not e:",
            "",
            "Your laptop is ready",
        ] {
            assert!(!r.is_internal_note(reply), "{reply:?}");
        }
    }

    #[test]
    fn the_configured_prefix_is_compared_the_same_way() {
        let mut r = rules();
        r.internal_note_prefix = " Internal: ".into();
        assert!(r.is_internal_note("INTERNAL: vendor ticket 42"));
        assert!(r.is_internal_note("internal : vendor ticket 42"));
        assert!(!r.is_internal_note("note: not this desk's prefix"));
        r.internal_note_prefix = "fyi team:".into();
        assert!(r.is_internal_note("FYI  Team : ask the vendor"));
        assert!(!r.is_internal_note("fyiteam: no space"));
        r.internal_note_prefix = "!".into();
        assert!(r.is_internal_note(" ! quick note"));
        assert!(!r.is_internal_note("Thanks!"));
    }

    #[test]
    fn no_hit_or_a_tie_gives_no_guess() {
        let r = rules();
        assert!(r.guess_department("hello there").is_none());
        assert!(r.guess_department("").is_none());
        assert!(r.guess_department("laptop on my desk").is_none());
    }
}
