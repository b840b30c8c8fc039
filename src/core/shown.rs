//! Test-only: messages as the core's tests read them, in English with the markup the desk
//! used before messages were structured (`*bold*`, `` `code` ``, `<@id>`, `/help-it status`),
//! so that the conversation tests state the exact words a reader gets.

use super::message::{Action, Command, Message};
use super::UserRef;
use crate::i18n::{Catalogs, Style};
use std::sync::OnceLock;

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ShownChoice {
    pub(crate) label: String,
    pub(crate) action: Action,
}

/// A message in English words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Shown {
    pub(crate) text: String,
    pub(crate) choices: Vec<ShownChoice>,
}

struct Reference;

impl Style for Reference {
    fn text(&mut self, s: &str) -> String {
        s.to_string()
    }
    fn strong(&mut self, rendered: String) -> String {
        format!("*{rendered}*")
    }
    fn code(&mut self, s: &str) -> String {
        format!("`{s}`")
    }
    fn mention(&mut self, user: &UserRef) -> String {
        format!("<@{}>", user.id)
    }
    fn command(&mut self, _: &Command, words: &str) -> String {
        format!("`{}`", format!("/help-it {words}").trim_end())
    }
    fn group(&mut self, id: &str) -> String {
        format!("<!subteam^{id}>")
    }
    fn link(&mut self, url: &str, label: &str) -> String {
        format!("<{url}|{label}>")
    }
}

fn catalogs() -> &'static Catalogs {
    static CATALOGS: OnceLock<Catalogs> = OnceLock::new();
    CATALOGS.get_or_init(|| Catalogs::shipped("en").expect("en is shipped"))
}

pub(crate) fn shown(msg: &Message) -> Shown {
    let r = catalogs().render("en", msg, &mut Reference);
    Shown {
        text: r.text,
        choices: r
            .choices
            .into_iter()
            .map(|(label, action)| ShownChoice { label, action })
            .collect(),
    }
}

/// What the buttons say in every shipped locale, as the shell renders them for the rules.
pub(crate) fn button_words(departments: &[super::Department]) -> super::ButtonWords {
    super::ButtonWords::build(departments, |label| {
        crate::i18n::SHIPPED
            .iter()
            .map(|(locale, _)| catalogs().format(locale, label, &mut crate::i18n::Plain))
            .collect()
    })
}

/// A button's label in `locale`, as the reader sees it.
pub(crate) fn label_in(locale: &str, label: &super::Text) -> String {
    catalogs().format(locale, label, &mut crate::i18n::Plain)
}
