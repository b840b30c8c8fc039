//! Formatting a [`Text`] for one reader: the catalog gives the words, the adapter's [`Style`]
//! renders the arguments in its platform's syntax.
//!
//! How markup and escaping stay apart: each non-numeric argument is rendered by the style
//! first, and Fluent is handed a private-use placeholder for it instead. The formatted
//! sentence (the catalog's words, which may hold `&` or `<` like any text) is then escaped as
//! a whole by the style, and only then are the rendered arguments put in place of their
//! placeholders. So a translation can't inject markup, and markup isn't escaped twice.
//! Numbers go to Fluent as numbers, so catalogs can choose plural forms by them.

use super::{Catalogs, Reader};
use crate::core::text::{duration_parts, Unit};
use crate::core::{Action, Arg, Command, Message, Text, UserRef};
use fluent_bundle::{FluentArgs, FluentValue};

const OPEN: char = '\u{E000}';
const CLOSE: char = '\u{E001}';

/// How one platform shows the pieces of a message.
pub trait Style {
    /// Words from the catalog or a person, escaped so the platform shows them as written.
    fn text(&mut self, s: &str) -> String;
    /// Emphasis around an already rendered piece.
    fn strong(&mut self, rendered: String) -> String;
    /// Something to type exactly as shown.
    fn code(&mut self, s: &str) -> String;
    /// A person.
    fn mention(&mut self, user: &UserRef) -> String;
    /// A command hint; `words` is what follows the command's name (`status`, `cancel IT-7`,
    /// `<what you need>`, or nothing), unescaped.
    fn command(&mut self, command: &Command, words: &str) -> String;
    /// A user group (Slack `S…`); platforms without groups show the id.
    fn group(&mut self, id: &str) -> String {
        self.text(id)
    }
    /// A link to `url` that reads `label` (unescaped).
    fn link(&mut self, url: &str, label: &str) -> String {
        let _ = url;
        self.text(label)
    }
}

/// Text as it is: no markup, no escaping. For button labels and other plain-text fields.
#[derive(Debug, Default, Clone, Copy)]
pub struct Plain;

impl Style for Plain {
    fn text(&mut self, s: &str) -> String {
        s.to_string()
    }
    fn strong(&mut self, rendered: String) -> String {
        rendered
    }
    fn code(&mut self, s: &str) -> String {
        s.to_string()
    }
    fn mention(&mut self, user: &UserRef) -> String {
        user.id.clone()
    }
    fn command(&mut self, _: &Command, words: &str) -> String {
        words.to_string()
    }
}

/// A message in words: its text (lines joined by `\n`) and its choices' labels.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    pub text: String,
    pub choices: Vec<(String, Action)>,
}

impl Catalogs {
    /// `text` in `locale`, its arguments rendered by `style`.
    pub fn format(&self, locale: &str, text: &Text, style: &mut dyn Style) -> String {
        self.format_for(locale, Reader::default(), text, style)
    }

    /// [`Catalogs::format`] for a reader of whom more is known.
    pub fn format_for(
        &self,
        locale: &str,
        reader: Reader<'_>,
        text: &Text,
        style: &mut dyn Style,
    ) -> String {
        let mut rendered: Vec<String> = Vec::new();
        let mut args = FluentArgs::new();
        for (name, arg) in &text.args {
            match arg {
                Arg::Number(n) => args.set(name.as_str(), FluentValue::from(*n)),
                other => {
                    let placeholder = format!("{OPEN}{}{CLOSE}", rendered.len());
                    rendered.push(self.arg(locale, reader, other, style));
                    args.set(name.as_str(), FluentValue::from(placeholder));
                }
            }
        }
        let sentence = self.words(locale, &text.id, &args);
        fill(&style.text(&sentence), &rendered)
    }

    /// A whole message for one reader: its lines in `style`, its labels in plain text.
    pub fn render(&self, locale: &str, msg: &Message, style: &mut dyn Style) -> Rendered {
        self.render_for(locale, Reader::default(), msg, style)
    }

    /// [`Catalogs::render`] for a reader of whom more is known.
    pub fn render_for(
        &self,
        locale: &str,
        reader: Reader<'_>,
        msg: &Message,
        style: &mut dyn Style,
    ) -> Rendered {
        let text = msg
            .lines
            .iter()
            .map(|line| self.format_for(locale, reader, line, style))
            .collect::<Vec<_>>()
            .join("\n");
        let choices = msg
            .choices
            .iter()
            .map(|c| (self.format(locale, &c.label, &mut Plain), c.action.clone()))
            .collect();
        Rendered { text, choices }
    }

    /// A message with no arguments, as plain words (a card's field label, say).
    pub fn word(&self, locale: &str, id: &str) -> String {
        self.words(locale, id, &FluentArgs::new())
    }

    /// The catalog's sentence for `id` with `args` in place; a message missing from the
    /// locale comes from the reference catalog, and one missing everywhere shows its id.
    fn words(&self, locale: &str, id: &str, args: &FluentArgs) -> String {
        let found = [self.bundle(locale), self.reference()]
            .into_iter()
            .find_map(|b| b.get_message(id).and_then(|m| m.value()).map(|p| (b, p)));
        let Some((bundle, pattern)) = found else {
            tracing::warn!(message = id, "no catalog has this message");
            return id.to_string();
        };
        let mut errors = Vec::new();
        let out = bundle.format_pattern(pattern, Some(args), &mut errors);
        if !errors.is_empty() {
            tracing::warn!(message = id, locale, errors = ?errors, "formatting a message failed in part");
        }
        out.into_owned()
    }

    fn arg(&self, locale: &str, reader: Reader<'_>, arg: &Arg, style: &mut dyn Style) -> String {
        match arg {
            Arg::Plain(s) => style.text(s),
            Arg::Number(n) => style.text(&n.to_string()),
            Arg::Strong(inner) => {
                let inner = self.arg(locale, reader, inner, style);
                style.strong(inner)
            }
            Arg::Code(s) => style.code(s),
            Arg::User(u) => style.mention(u),
            Arg::Request(id) => style.text(&id.to_string()),
            Arg::Command(c) => {
                let words = match c {
                    Command::Start => String::new(),
                    Command::StartWith => {
                        format!("<{}>", self.word(locale, "command-what-you-need"))
                    }
                    Command::Status => "status".to_string(),
                    Command::Cancel(id) => format!("cancel {id}"),
                };
                style.command(c, &words)
            }
            Arg::Duration(seconds) => {
                let parts = duration_parts(chrono::Duration::seconds(*seconds));
                let words: Vec<String> = parts
                    .into_iter()
                    .map(|(n, unit)| {
                        let id = match unit {
                            Unit::Days => "duration-days",
                            Unit::Hours => "duration-hours",
                            Unit::Minutes => "duration-minutes",
                            Unit::Seconds => "duration-seconds",
                        };
                        let mut args = FluentArgs::new();
                        args.set("n", FluentValue::from(n));
                        self.words(locale, id, &args)
                    })
                    .collect();
                style.text(&words.join(" "))
            }
            Arg::Text(t) => self.format_for(locale, reader, t, style),
            Arg::LocalTime { at, zone, dated } => {
                let words = self.local_time(locale, *at, reader.zone, *zone, *dated);
                style.text(&words)
            }
            Arg::Group(id) => style.group(id),
            Arg::List(items) => items
                .iter()
                .map(|a| self.arg(locale, reader, a, style))
                .collect::<Vec<_>>()
                .join(" "),
            Arg::CardLink(id) => match reader.card_link {
                Some(url) => style.link(url, &id.to_string()),
                None => style.text(&id.to_string()),
            },
        }
    }

    /// "Monday 10:30" (with the date when `dated`) in the reader's zone; in `fallback`, named,
    /// when the reader's is unknown.
    fn local_time(
        &self,
        locale: &str,
        at: crate::core::Timestamp,
        reader: Option<chrono_tz::Tz>,
        fallback: chrono_tz::Tz,
        dated: bool,
    ) -> String {
        use chrono::Datelike;
        let zone = reader.unwrap_or(fallback);
        let local = at.with_timezone(&zone);
        let mut args = FluentArgs::new();
        let day = self.word(locale, crate::core::calendar::weekday_id(local.weekday()));
        args.set("day", FluentValue::from(day));
        args.set("time", FluentValue::from(local.format("%H:%M").to_string()));
        args.set(
            "date",
            FluentValue::from(local.format("%Y-%m-%d").to_string()),
        );
        let id = if dated {
            "local-date-time"
        } else {
            "local-time"
        };
        let mut words = self.words(locale, id, &args);
        if reader.is_none() {
            args.set("when", FluentValue::from(words));
            args.set("zone", FluentValue::from(zone.name()));
            words = self.words(locale, "local-time-zone", &args);
        }
        words
    }
}

/// Puts the rendered arguments in place of their placeholders.
fn fill(escaped: &str, rendered: &[String]) -> String {
    let mut out = String::with_capacity(escaped.len());
    let mut rest = escaped;
    while let Some(start) = rest.find(OPEN) {
        out.push_str(&rest[..start]);
        let after = &rest[start + OPEN.len_utf8()..];
        let Some(end) = after.find(CLOSE) else {
            out.push_str(&rest[start..]);
            return out;
        };
        match after[..end]
            .parse::<usize>()
            .ok()
            .and_then(|i| rendered.get(i))
        {
            Some(piece) => out.push_str(piece),
            None => out.push_str(&rest[start..start + OPEN.len_utf8() + end + CLOSE.len_utf8()]),
        }
        rest = &after[end + CLOSE.len_utf8()..];
    }
    out.push_str(rest);
    out
}
