//! What people type instead of clicking: a button's label, or a command word.
//!
//! **Labels.** Every question the desk asks with buttons can also be answered by typing what a
//! button says, in any case, with or without its punctuation: "yes, it", "Yes IT", "no another
//! team", "5 great", "Zurück". [`typed_choice`] is the one rule, for every question.
//!
//! The words on a button come from the catalogs (`locales/*/frontdesk.ftl`, plus the admin's
//! overrides), which the core does not read: it only names catalog ids, and stays a pure
//! function of its inputs. So the shell renders, once per configuration, every label the core
//! can offer in every locale the desk writes, and hands the words over as data in the
//! [`Rules`](super::Rules) ([`ButtonWords`]). Labels that need no catalog (a team's name, a
//! field's option: [`Text::plain`]) are compared as they are.
//!
//! Typed text is compared with the label's words in *every* shipped locale, not only the
//! reader's: the core does not know the reader's locale (the adapters learn it when they
//! deliver), and "Zurück" typed by someone who reads English still means back. No label of one
//! locale says another button's words in another; if a typed text ever matched two different
//! offered actions, it matches none and is read as an ordinary answer.
//!
//! **Commands.** [`typed_command`] says when a message is a command (`help`, `status`,
//! `cancel`) rather than an answer, and [`ButtonWords::says`] whether it is one of the other
//! words that act like a button ([`Typed`]: `back`, `skip`, `yes`, `no`). Their English words
//! are built in and always work; each catalog adds its language's (`typed-*` messages, a list
//! separated by commas), compared in every locale as labels are.

use super::message::{Action, Arg, Choice, Text, PLAIN};
use super::rules::Department;

/// The catalog ids of the labels the core puts on buttons in a person's conversation, whose
/// words don't depend on the conversation. "Yes, <team>" ([`yes_team`]) is rendered per
/// department. The request card's Claim/Close/Reopen live in a channel, where nobody types
/// answers. The "which request?" question's labels (`choice-request`: a request's id and
/// summary) can't be rendered ahead; see [`ButtonWords`] for how they are compared.
pub const FIXED_LABELS: &[&str] = &[
    "button-new-request",
    "button-fill-form",
    "button-other-team",
    "button-back",
    "button-skip",
    "button-cancel",
    "button-submit",
    "button-thanks-send",
    "button-no-thanks",
    "rating-1",
    "rating-2",
    "rating-3",
    "rating-4",
    "rating-5",
];

/// The catalog ids of labels made of a conversation's words, which can't be rendered ahead
/// (see [`ButtonWords`]).
const CONVERSATION_LABELS: &[&str] = &["choice-request"];

/// The label of the button that confirms the guessed team.
pub fn yes_team(name: &str) -> Text {
    Text::new("button-yes-team").arg("team", name)
}

/// Text as it is compared with a label: lower case, words only. Punctuation and runs of spaces
/// don't count ("Yes, IT" and " yes it!" are both "yes it"; "1 · poor" is "1 poor").
pub fn normalise(s: &str) -> String {
    s.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect::<Vec<_>>()
        .join(" ")
}

/// The words of every label the core can offer, in every locale the desk writes, rendered by
/// the shell from the catalogs (see the module's comment). Kept normalised.
///
/// A label made of a conversation's words, which the shell can't render ahead (the "which
/// request?" question's `choice-request`, "IT-1: printer jams"), says its arguments' words in
/// their order: the shipped catalogs only arrange those arguments with punctuation, which
/// doesn't count. (Were an override to add words to such a label, typing its id still works
/// there.)
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ButtonWords {
    labels: Vec<(Text, Vec<String>)>,
    /// The catalogs' words for each [`Typed`] word, in lower case, every locale's together.
    typed: Vec<(Typed, Vec<String>)>,
}

/// A word that, typed as a message of its own, acts like a command or a button.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Typed {
    Help,
    Status,
    Cancel,
    Queue,
    Back,
    Skip,
    Yes,
    No,
}

impl Typed {
    pub const ALL: [Typed; 8] = [
        Typed::Help,
        Typed::Status,
        Typed::Cancel,
        Typed::Queue,
        Typed::Back,
        Typed::Skip,
        Typed::Yes,
        Typed::No,
    ];

    /// The catalog message listing the word's forms in a language.
    pub fn catalog_id(self) -> &'static str {
        match self {
            Typed::Help => "typed-help",
            Typed::Status => "typed-status",
            Typed::Cancel => "typed-cancel",
            Typed::Queue => "typed-queue",
            Typed::Back => "typed-back",
            Typed::Skip => "typed-skip",
            Typed::Yes => "typed-yes",
            Typed::No => "typed-no",
        }
    }

    /// The English forms: documented commands, so they work whatever an override says.
    fn english(self) -> &'static [&'static str] {
        match self {
            Typed::Help => &["help"],
            Typed::Status => &["status", "my requests"],
            Typed::Cancel => &["cancel", "stop", "quit"],
            Typed::Queue => &["queue", "my queue"],
            Typed::Back => &["back"],
            Typed::Skip => &["skip"],
            Typed::Yes => &[
                "yes", "y", "yep", "yeah", "ok", "okay", "correct", "right", "sure",
            ],
            Typed::No => &["no", "n", "nope", "wrong"],
        }
    }
}

/// "Yes!", "no." and "ok 👍" read as their word.
fn bare(s: &str) -> &str {
    s.trim()
        .trim_end_matches(|c: char| !c.is_alphanumeric())
        .trim()
}

impl ButtonWords {
    /// The labels whose words the shell renders for a desk serving `departments`.
    pub fn labels(departments: &[Department]) -> Vec<Text> {
        FIXED_LABELS
            .iter()
            .map(|id| Text::new(id))
            .chain(departments.iter().map(|d| yes_team(&d.name)))
            .collect()
    }

    /// Renders each of [`ButtonWords::labels`], and each [`Typed`] word's list, with
    /// `render`, which gives a message's words in each locale.
    pub fn build(departments: &[Department], render: impl Fn(&Text) -> Vec<String>) -> Self {
        let typed = Typed::ALL
            .iter()
            .map(|&word| {
                let mut forms: Vec<String> = render(&Text::new(word.catalog_id()))
                    .iter()
                    .flat_map(|list| {
                        list.split(',')
                            .map(|w| w.trim().to_lowercase())
                            .collect::<Vec<_>>()
                    })
                    .filter(|w| !w.is_empty())
                    .collect();
                forms.sort();
                forms.dedup();
                (word, forms)
            })
            .collect();
        ButtonWords {
            typed,
            labels: Self::labels(departments)
                .into_iter()
                .map(|label| {
                    let mut words: Vec<String> = render(&label)
                        .iter()
                        .map(|w| normalise(w))
                        .filter(|w| !w.is_empty())
                        .collect();
                    words.dedup();
                    (label, words)
                })
                .collect(),
        }
    }

    /// Whether `text`, typed as a message of its own, is `word`: one of its English forms or
    /// of a catalog's, in any case, with spaces around it and punctuation after it ignored.
    pub fn says(&self, word: Typed, text: &str) -> bool {
        let lower = bare(text).to_lowercase();
        word.english().contains(&lower.as_str())
            || self
                .typed
                .iter()
                .any(|(w, forms)| *w == word && forms.contains(&lower))
    }

    /// Whether `label` says `typed` (normalised) in some locale.
    fn label_says(&self, label: &Text, typed: &str) -> bool {
        if label.id == PLAIN {
            return label.args.iter().any(|(name, arg)| match arg {
                Arg::Plain(words) if name == "text" => normalise(words) == typed,
                _ => false,
            });
        }
        match self.labels.iter().find(|(l, _)| l == label) {
            Some((_, words)) => words.iter().any(|w| w == typed),
            None if CONVERSATION_LABELS.contains(&label.id.as_str()) => {
                let words: Vec<String> = label
                    .args
                    .iter()
                    .filter_map(|(_, arg)| match arg {
                        Arg::Plain(words) => Some(normalise(words)),
                        Arg::Request(id) => Some(normalise(&id.to_string())),
                        _ => None,
                    })
                    .filter(|w| !w.is_empty())
                    .collect();
                !words.is_empty() && words.join(" ") == typed
            }
            None => false,
        }
    }
}

/// The action of the offered choice whose label `typed` says: what clicking it would do.
/// `None` when no label matches, or when labels of different actions do.
pub fn typed_choice(typed: &str, choices: &[Choice], words: &ButtonWords) -> Option<Action> {
    let typed = normalise(typed);
    if typed.is_empty() {
        return None;
    }
    let mut found: Option<&Action> = None;
    for c in choices
        .iter()
        .filter(|c| words.label_says(&c.label, &typed))
    {
        match found {
            Some(a) if a != &c.action => return None,
            _ => found = Some(&c.action),
        }
    }
    found.cloned()
}

/// A command typed in a conversation with the bot.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TypedCommand {
    /// `help` or `?` (German `hilfe`).
    Help,
    /// `status` or `my requests` (`meine anfragen`).
    Status,
    /// `cancel`, `stop` or `quit` (`abbrechen`, …).
    Cancel,
    /// `queue` (`warteschlange`): an agent's queue.
    Queue,
}

/// The command a message is, if it is one.
///
/// The rule, the same while a request is being written and outside one: the message is a
/// command when it is the command's word *alone*, in any case, with spaces around it and
/// punctuation after it ignored ("status", " Help ", "cancel.", "help?"), in English or in a
/// catalog's language ("Hilfe", "abbrechen"). Anything longer is not a command, so a free-text
/// answer that merely contains the word ("help with the VPN", "status page is down", "cancel
/// my meeting room") stays an answer.
pub fn typed_command(text: &str, words: &ButtonWords) -> Option<TypedCommand> {
    let trimmed = text.trim();
    if !trimmed.is_empty() && trimmed.chars().all(|c| c == '?') {
        return Some(TypedCommand::Help);
    }
    [
        (Typed::Help, TypedCommand::Help),
        (Typed::Status, TypedCommand::Status),
        (Typed::Cancel, TypedCommand::Cancel),
        (Typed::Queue, TypedCommand::Queue),
    ]
    .into_iter()
    .find(|(word, _)| words.says(*word, trimmed))
    .map(|(_, command)| command)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::rules::fixtures::rules;
    use crate::core::RequestId;

    fn words() -> ButtonWords {
        rules().buttons
    }

    fn choice(label: Text, action: Action) -> Choice {
        Choice::new(label, action)
    }

    #[test]
    fn normalising_keeps_only_lower_case_words() {
        assert_eq!(normalise("Yes, IT"), "yes it");
        assert_eq!(normalise("  yes   it!! "), "yes it");
        assert_eq!(normalise("1 · poor"), "1 poor");
        assert_eq!(normalise("ZURÜCK"), "zurück");
        assert_eq!(normalise("…"), "");
    }

    #[test]
    fn every_fixed_label_and_every_team_has_words_in_english_and_german() {
        let w = words();
        let r = rules();
        for label in ButtonWords::labels(&r.departments) {
            let (_, said) = w
                .labels
                .iter()
                .find(|(l, _)| l == &label)
                .expect("rendered");
            assert!(!said.is_empty(), "{label:?}");
        }
        let said = |id: &str| {
            let label = Text::new(id);
            w.labels
                .iter()
                .find(|(l, _)| l == &label)
                .unwrap()
                .1
                .clone()
        };
        assert_eq!(said("button-back"), ["back", "zurück"]);
        assert_eq!(said("rating-5"), ["5 great", "5 sehr gut"]);
        assert_eq!(said("rating-2"), ["2"], "the same words once");
        assert!(w.label_says(&yes_team("IT"), "yes it"));
        assert!(w.label_says(&yes_team("IT"), "ja it"));
        assert!(!w.label_says(&yes_team("HR"), "yes it"));
    }

    #[test]
    fn a_typed_label_is_its_choice_whatever_its_case_and_punctuation() {
        let choices = [
            choice(yes_team("IT"), Action::ConfirmDepartment),
            choice(Text::new("button-other-team"), Action::RejectDepartment),
            choice(Text::new("button-cancel"), Action::Cancel),
        ];
        let w = words();
        for typed in [
            "Yes, IT", "yes it", " YES,IT ", "yes, it!", "Ja, IT", "ja it",
        ] {
            assert_eq!(
                typed_choice(typed, &choices, &w),
                Some(Action::ConfirmDepartment),
                "{typed:?}"
            );
        }
        for typed in [
            "No, another team",
            "no another team.",
            "Nein, ein anderes Team",
        ] {
            assert_eq!(
                typed_choice(typed, &choices, &w),
                Some(Action::RejectDepartment),
                "{typed:?}"
            );
        }
        assert_eq!(
            typed_choice("Abbrechen", &choices, &w),
            Some(Action::Cancel)
        );
        for typed in ["yes it is", "another team", "", "!!", "Yes, HR"] {
            assert_eq!(typed_choice(typed, &choices, &w), None, "{typed:?}");
        }
    }

    #[test]
    fn only_offered_choices_match() {
        let choices = [choice(Text::new("button-back"), Action::Back)];
        assert_eq!(typed_choice("Submit", &choices, &words()), None);
        assert_eq!(
            typed_choice("back.", &choices, &words()),
            Some(Action::Back)
        );
    }

    #[test]
    fn plain_labels_are_their_own_words() {
        let choices = [
            choice(
                Text::plain("Facilities"),
                Action::PickDepartment("fac".into()),
            ),
            choice(Text::plain("Very high!"), Action::PickOption(3)),
        ];
        let w = ButtonWords::default();
        assert_eq!(
            typed_choice("facilities", &choices, &w),
            Some(Action::PickDepartment("fac".into()))
        );
        assert_eq!(
            typed_choice("very high", &choices, &w),
            Some(Action::PickOption(3))
        );
        assert_eq!(typed_choice("very", &choices, &w), None);
    }

    #[test]
    fn ratings_are_typed_with_their_words() {
        let id = RequestId::new("IT", 1);
        let choices: Vec<Choice> = (1u8..=5)
            .map(|n| {
                choice(
                    Text::new(&format!("rating-{n}")),
                    Action::Rate(id.clone(), n),
                )
            })
            .collect();
        let w = words();
        assert_eq!(
            typed_choice("5 · great", &choices, &w),
            Some(Action::Rate(id.clone(), 5))
        );
        assert_eq!(
            typed_choice("1 poor", &choices, &w),
            Some(Action::Rate(id.clone(), 1))
        );
        assert_eq!(
            typed_choice("5 - sehr gut", &choices, &w),
            Some(Action::Rate(id.clone(), 5))
        );
        assert_eq!(typed_choice("3", &choices, &w), Some(Action::Rate(id, 3)));
    }

    #[test]
    fn a_label_of_a_conversations_words_says_its_arguments() {
        let it1 = RequestId::new("IT", 1);
        let label = Text::new("choice-request")
            .arg("id", &it1)
            .arg("summary", "printer jams");
        let choices = [choice(label, Action::ReplyTo(it1.clone()))];
        for typed in [
            "IT-1: printer jams",
            "it 1 printer jams",
            "IT-1 printer jams!",
        ] {
            assert_eq!(
                typed_choice(typed, &choices, &words()),
                Some(Action::ReplyTo(it1.clone())),
                "{typed:?}"
            );
        }
        for typed in ["printer jams", "IT-1", "IT-1: printer"] {
            assert_eq!(typed_choice(typed, &choices, &words()), None, "{typed:?}");
        }
        // A label that wasn't rendered ahead says nothing, even through its arguments.
        let claim = [choice(Text::new("button-claim"), Action::Claim(it1))];
        assert_eq!(typed_choice("claim", &claim, &words()), None);
        let legal = [choice(yes_team("Legal"), Action::ConfirmDepartment)];
        assert_eq!(typed_choice("legal", &legal, &words()), None);
    }

    #[test]
    fn two_actions_saying_the_same_words_match_neither() {
        let choices = [
            choice(Text::plain("Other"), Action::PickOption(0)),
            choice(Text::plain("other"), Action::PickOption(1)),
        ];
        assert_eq!(typed_choice("other", &choices, &words()), None);
    }

    #[test]
    fn a_command_is_its_word_alone() {
        use TypedCommand::*;
        for (typed, command) in [
            ("help", Help),
            (" Help ", Help),
            ("HELP!", Help),
            ("?", Help),
            ("??", Help),
            ("status", Status),
            ("Status?", Status),
            ("my requests", Status),
            ("cancel", Cancel),
            ("Cancel.", Cancel),
            ("STOP", Cancel),
            ("quit", Cancel),
        ] {
            assert_eq!(typed_command(typed, &words()), Some(command), "{typed:?}");
        }
        for typed in [
            "help with the vpn",
            "status page is down",
            "cancel my meeting room",
            "please help",
            "helpdesk",
            "",
            "   ",
        ] {
            assert_eq!(typed_command(typed, &words()), None, "{typed:?}");
        }
    }

    #[test]
    fn command_words_work_in_german_too_and_english_whatever_the_catalogs_say() {
        use TypedCommand::*;
        for (typed, command) in [
            ("Hilfe", Help),
            ("hilfe?", Help),
            ("Meine Anfragen", Status),
            ("abbrechen.", Cancel),
            ("Stopp", Cancel),
        ] {
            assert_eq!(typed_command(typed, &words()), Some(command), "{typed:?}");
        }
        for typed in ["hilfe beim vpn", "abbrechen bitte nicht"] {
            assert_eq!(typed_command(typed, &words()), None, "{typed:?}");
        }
        // Without any catalog words, the English ones still work, and only they.
        let none = ButtonWords::default();
        assert_eq!(typed_command("status", &none), Some(Status));
        assert_eq!(typed_command("hilfe", &none), None);
    }

    #[test]
    fn back_skip_yes_and_no_are_typed_in_either_language() {
        let w = words();
        for (word, typed) in [
            (Typed::Back, "back"),
            (Typed::Back, "Zurück!"),
            (Typed::Skip, "überspringen"),
            (Typed::Yes, "Yes!"),
            (Typed::Yes, "ja"),
            (Typed::Yes, "Genau."),
            (Typed::No, "Nein"),
            (Typed::No, "nope"),
        ] {
            assert!(w.says(word, typed), "{typed:?} is {word:?}");
        }
        for (word, typed) in [
            (Typed::Yes, "nein"),
            (Typed::No, "ja"),
            (Typed::Back, "zurück zum start"),
            (Typed::Yes, "✅ ja"),
            (Typed::Skip, ""),
        ] {
            assert!(!w.says(word, typed), "{typed:?} is not {word:?}");
        }
    }
}
