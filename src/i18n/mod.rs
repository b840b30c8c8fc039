//! The desk's words: Fluent catalogs, one per locale, built into the binary, plus the admin's
//! overrides (`server.messages_file`, per locale: [`overrides`]).
//!
//! The core says *what* to say ([`Text`](crate::core::Text): a message id and typed
//! arguments); this module says it in the reader's language, and each adapter supplies a
//! [`Style`] that renders the arguments its platform's way (mentions, emphasis, commands).
//! Locales: `en` is the reference; every shipped locale has every message and variable `en`
//! has ([`check`] holds the test). A locale tag from a platform (`de-DE`, `en_US`) is matched
//! to a shipped locale by its language ([`supported`]).

mod check;
mod format;
mod overrides;

pub use check::check_overrides;
#[cfg(test)]
use check::{differences, variables_by_message};
pub use format::{Plain, Rendered, Style};

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::FluentResource;
use std::path::{Path, PathBuf};

/// The catalogs built into the binary: locale and source. `en` comes first.
pub const SHIPPED: &[(&str, &str)] = &[
    ("en", include_str!("../../locales/en/frontdesk.ftl")),
    ("de", include_str!("../../locales/de/frontdesk.ftl")),
];

/// The reference locale: its catalog defines every message.
pub const REFERENCE: &str = "en";

/// What can be wrong with the catalogs or an override file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum I18nError {
    #[error("unknown locale {0:?}; frontdesk ships {shipped}", shipped = shipped_list())]
    UnknownLocale(String),
    #[error("reading {path}: {message}")]
    Read { path: PathBuf, message: String },
    #[error("line {line}: not valid Fluent syntax ({message})")]
    Syntax { line: usize, message: String },
    #[error("line {line}: unknown locale {locale:?} in the override file; frontdesk ships {shipped}", shipped = shipped_list())]
    OverrideLocale { line: usize, locale: String },
    #[error("{0:?} is not a message frontdesk sends")]
    UnknownMessage(String),
    #[error("message {id:?} has no variable ${variable}; it gets {known}")]
    UnknownVariable {
        id: String,
        variable: String,
        known: String,
    },
}

fn shipped_list() -> String {
    SHIPPED
        .iter()
        .map(|(l, _)| *l)
        .collect::<Vec<_>>()
        .join(", ")
}

/// The shipped locale a platform's tag asks for (`de-DE` → `de`), if frontdesk has it.
pub fn supported(tag: &str) -> Option<&'static str> {
    let language = tag
        .trim()
        .split(['-', '_'])
        .next()
        .unwrap_or("")
        .to_ascii_lowercase();
    SHIPPED.iter().map(|(l, _)| *l).find(|l| *l == language)
}

fn bundle(locale: &str, source: &str) -> FluentBundle<FluentResource> {
    let lang = locale
        .parse()
        .expect("shipped locale names are language identifiers");
    let mut bundle = FluentBundle::new_concurrent(vec![lang]);
    // Unicode isolation marks around placeables protect right-to-left text in documents; in
    // chat they are invisible junk around every name and id.
    bundle.set_use_isolating(false);
    let resource = FluentResource::try_new(source.to_string())
        .unwrap_or_else(|(_, errors)| panic!("the {locale} catalog does not parse: {errors:?}"));
    bundle
        .add_resource(resource)
        .unwrap_or_else(|errors| panic!("the {locale} catalog repeats messages: {errors:?}"));
    bundle
}

/// Every shipped locale's catalog, with the admin's overrides applied.
pub struct Catalogs {
    bundles: Vec<(&'static str, FluentBundle<FluentResource>)>,
    default: &'static str,
}

impl std::fmt::Debug for Catalogs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Catalogs")
            .field(
                "locales",
                &self.bundles.iter().map(|(l, _)| *l).collect::<Vec<_>>(),
            )
            .field("default", &self.default)
            .finish()
    }
}

impl Catalogs {
    /// The shipped catalogs, `default_locale` for readers whose locale is unknown.
    ///
    /// # Errors
    /// `I18nError::UnknownLocale` when `default_locale` is not shipped.
    pub fn shipped(default_locale: &str) -> Result<Catalogs, I18nError> {
        let default = SHIPPED
            .iter()
            .map(|(l, _)| *l)
            .find(|l| *l == default_locale)
            .ok_or_else(|| I18nError::UnknownLocale(default_locale.to_string()))?;
        Ok(Catalogs {
            bundles: SHIPPED
                .iter()
                .map(|(locale, source)| (*locale, bundle(locale, source)))
                .collect(),
            default,
        })
    }

    /// The shipped catalogs with the messages in `overrides` (Fluent source) replacing the
    /// default locale's, or those of the locale a `## locale: de` line names for the messages
    /// after it (`overrides`).
    ///
    /// # Errors
    /// An unknown default locale, or an override that is not valid Fluent, names a message
    /// frontdesk doesn't send, uses a variable that message doesn't get, or names a locale
    /// frontdesk doesn't ship.
    pub fn with_overrides(default_locale: &str, overrides: &str) -> Result<Catalogs, I18nError> {
        let mut catalogs = Catalogs::shipped(default_locale)?;
        check_overrides(overrides)?;
        for (locale, source) in overrides::sections(overrides, catalogs.default)? {
            let resource = FluentResource::try_new(source.clone())
                .map_err(|(_, errors)| check::syntax_error(&source, &errors))?;
            if let Some((_, bundle)) = catalogs.bundles.iter_mut().find(|(l, _)| *l == locale) {
                bundle.add_resource_overriding(resource);
            }
        }
        Ok(catalogs)
    }

    /// The catalogs a configuration asks for: its default locale and its override file.
    ///
    /// # Errors
    /// As [`Catalogs::with_overrides`], and `I18nError::Read` when the file can't be read.
    pub fn load(default_locale: &str, messages_file: Option<&Path>) -> Result<Catalogs, I18nError> {
        match messages_file {
            None => Catalogs::shipped(default_locale),
            Some(path) => {
                let source = std::fs::read_to_string(path).map_err(|e| I18nError::Read {
                    path: path.to_path_buf(),
                    message: e.to_string(),
                })?;
                Catalogs::with_overrides(default_locale, &source)
            }
        }
    }

    /// The locale for readers whose own is unknown, and for channels.
    pub fn default_locale(&self) -> &'static str {
        self.default
    }

    /// The locale to speak to someone whose platform says `tag` (or nothing).
    pub fn locale_for(&self, tag: Option<&str>) -> &'static str {
        tag.and_then(supported).unwrap_or(self.default)
    }

    fn bundle(&self, locale: &str) -> &FluentBundle<FluentResource> {
        let find = |l: &str| self.bundles.iter().find(|(x, _)| *x == l).map(|(_, b)| b);
        find(locale)
            .or_else(|| find(self.default))
            .or_else(|| find(REFERENCE))
            .expect("the reference catalog is always built")
    }

    fn reference(&self) -> &FluentBundle<FluentResource> {
        self.bundle(REFERENCE)
    }
}

/// The catalogs and the locale of one reader: what an adapter renders a message with.
#[derive(Debug, Clone, Copy)]
pub struct Words<'a> {
    pub catalogs: &'a Catalogs,
    pub locale: &'a str,
    /// The reader's time zone and the link to a request's card, where they are known.
    pub reader: Reader<'a>,
}

/// What is known of a reader besides their language: their time zone (local times are shown
/// in it) and, for a post about a request, the link to its card.
#[derive(Debug, Clone, Copy, Default)]
pub struct Reader<'a> {
    pub zone: Option<chrono_tz::Tz>,
    pub card_link: Option<&'a str>,
}

impl<'a> Words<'a> {
    pub fn new(catalogs: &'a Catalogs, locale: &'a str) -> Self {
        Words {
            catalogs,
            locale,
            reader: Reader::default(),
        }
    }

    /// The same words, with local times shown in `zone` when it is known.
    pub fn in_zone(mut self, zone: Option<chrono_tz::Tz>) -> Self {
        self.reader.zone = zone;
        self
    }

    /// The same words, with a link to the card of the request a post is about.
    pub fn with_card_link(mut self, link: Option<&'a str>) -> Self {
        self.reader.card_link = link;
        self
    }

    /// For a department channel: the default locale.
    pub fn channel(catalogs: &'a Catalogs) -> Self {
        Words::new(catalogs, catalogs.default_locale())
    }

    pub fn render(&self, msg: &crate::core::Message, style: &mut dyn Style) -> Rendered {
        self.catalogs
            .render_for(self.locale, self.reader, msg, style)
    }

    pub fn format(&self, text: &crate::core::Text, style: &mut dyn Style) -> String {
        self.catalogs
            .format_for(self.locale, self.reader, text, style)
    }

    /// A message without arguments, as plain words.
    pub fn word(&self, id: &str) -> String {
        self.catalogs.word(self.locale, id)
    }
}

#[cfg(test)]
mod tests;
