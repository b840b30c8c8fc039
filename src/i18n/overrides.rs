//! The admin's override file (`server.messages_file`): which locale each of its messages
//! replaces.
//!
//! The file is Fluent. Messages before any marker replace the default locale's; a line
//! `## locale: de` starts a section whose messages replace that locale's, until the next
//! marker (`## locale: en`, …). A marker is a Fluent group comment, so the file stays valid
//! Fluent for any editor or linter; other comments mean nothing.

use super::{I18nError, SHIPPED};

/// The comment that starts a locale's section.
const MARKER: &str = "## locale:";

/// The file split into each locale's source, in the order the locales first appear. Each
/// source is as long as the file, with the other sections' lines left blank, so that a syntax
/// error's line number is the file's.
///
/// # Errors
/// [`I18nError::OverrideLocale`] for a marker naming a locale frontdesk doesn't ship.
pub(super) fn sections(
    source: &str,
    default: &'static str,
) -> Result<Vec<(&'static str, String)>, I18nError> {
    let lines: Vec<&str> = source.lines().collect();
    let mut owner: Vec<&'static str> = Vec::with_capacity(lines.len());
    let mut current = default;
    for (n, line) in lines.iter().enumerate() {
        if let Some(tag) = line.trim_end().strip_prefix(MARKER) {
            let tag = tag.trim();
            current = SHIPPED
                .iter()
                .map(|(l, _)| *l)
                .find(|l| *l == tag)
                .ok_or_else(|| I18nError::OverrideLocale {
                    line: n + 1,
                    locale: tag.to_string(),
                })?;
        }
        owner.push(current);
    }
    let mut locales: Vec<&'static str> = Vec::new();
    for l in &owner {
        if !locales.contains(l) {
            locales.push(l);
        }
    }
    Ok(locales
        .into_iter()
        .map(|locale| {
            let text: Vec<&str> = lines
                .iter()
                .zip(&owner)
                .map(|(line, l)| if *l == locale { *line } else { "" })
                .collect();
            (locale, text.join("\n") + "\n")
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_before_a_marker_are_the_default_locales_and_lines_keep_their_numbers() {
        let file = "a = 1\n## locale: de\nb = 2\n## locale: en\nc = 3\n";
        let s = sections(file, "en").unwrap();
        assert_eq!(s.len(), 2);
        assert_eq!(
            s[0],
            ("en", "a = 1\n\n\n## locale: en\nc = 3\n".to_string())
        );
        assert_eq!(s[1], ("de", "\n## locale: de\nb = 2\n\n\n".to_string()));
        assert_eq!(
            sections("x = 1\n## locale: fr\n", "en"),
            Err(I18nError::OverrideLocale {
                line: 2,
                locale: "fr".into()
            })
        );
        assert_eq!(sections("## Intake\nx = 1\n", "de").unwrap()[0].0, "de");
    }
}
