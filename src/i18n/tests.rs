//! The catalogs are complete, and formatting keeps markup and escaping apart.

use super::*;
use crate::core::{Arg, Command, Message, Platform, RequestId, Text, UserRef};

/// Slack-like markup with visible escaping, to see what went where.
struct Marked;

impl Style for Marked {
    fn text(&mut self, s: &str) -> String {
        s.replace('&', "&amp;").replace('<', "&lt;")
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
        format!("[/help-it {words}]")
    }
}

fn en() -> Catalogs {
    Catalogs::shipped("en").unwrap()
}

#[test]
fn every_locale_has_every_message_and_variable_of_en() {
    let (_, reference) = SHIPPED.iter().find(|(l, _)| *l == REFERENCE).unwrap();
    assert!(
        variables_by_message(reference).unwrap().len() > 50,
        "the reference catalog looks cut short"
    );
    for (locale, source) in SHIPPED {
        let problems = differences(reference, source)
            .unwrap_or_else(|e| panic!("the {locale} catalog doesn't parse: {e}"));
        assert!(problems.is_empty(), "the {locale} catalog: {problems:#?}");
        // Every catalog also loads into a bundle without duplicate ids.
        Catalogs::shipped(locale).unwrap();
    }
}

#[test]
fn the_completeness_check_sees_what_a_catalog_lacks() {
    let reference = "a = Hi { $name }\nb = Bye\nc = { $n } left\n";
    assert_eq!(differences(reference, reference), Ok(vec![]));
    let lacking = "a = Hallo\nc = noch { $n }\nd = extra\n";
    assert_eq!(
        differences(reference, lacking).unwrap(),
        [
            "message \"a\" doesn't use $name",
            "no message \"b\"",
            "message \"d\" is not in the reference, so nothing sends it",
        ]
    );
    // Dropping one message or one variable from the shipped German is caught.
    let (_, en) = SHIPPED[0];
    let (_, de) = SHIPPED.iter().find(|(l, _)| *l == "de").unwrap();
    let without = de.replace("survey-thanks = Vielen Dank für Ihre Rückmeldung!\n", "");
    assert_eq!(
        differences(en, &without).unwrap(),
        ["no message \"survey-thanks\""]
    );
    let without = de.replace("bei { $team }.", "beim Team.");
    assert_eq!(
        differences(en, &without).unwrap(),
        ["message \"submitted\" doesn't use $team"]
    );
}

#[test]
fn the_completeness_check_sees_a_missing_variable() {
    let source = "a = Hi { $name }, { $n ->\n    [one] one\n   *[other] { $n }\n } { -term }\nb = x\n-term = y\n";
    let vars = variables_by_message(source).unwrap();
    assert_eq!(vars["a"].iter().cloned().collect::<Vec<_>>(), ["n", "name"]);
    assert!(vars["b"].is_empty());
    assert!(!vars.contains_key("-term") && !vars.contains_key("term"));
}

#[test]
fn arguments_are_rendered_by_the_style_and_the_sentence_is_escaped_once() {
    let c = en();
    let id = RequestId::parse("IT-7").unwrap();
    let alice = UserRef::new(Platform::Slack, "U1");
    let text = Text::new("agent-wrote")
        .arg("user", &alice)
        .arg("id", Arg::strong(&id));
    assert_eq!(c.format("en", &text, &mut Marked), "<@U1> on *IT-7*:");
    // Words from people are escaped; the markup around them is not.
    let text = Text::new("status-line")
        .arg("id", Arg::strong(&id))
        .arg("summary", "a <b> & c")
        .arg(
            "status",
            crate::core::text::status(crate::core::Status::Open),
        )
        .arg("who", Text::new("status-with").arg("user", &alice));
    assert_eq!(
        c.format("en", &text, &mut Marked),
        "• *IT-7* a &lt;b> &amp; c — open (with <@U1>)"
    );
}

#[test]
fn commands_durations_and_numbers_are_filled_in() {
    let c = en();
    let text = Text::new("help-start").arg("command", Command::StartWith);
    assert_eq!(
        c.format("en", &text, &mut Marked),
        "• [/help-it <what you need>] (or message me) starts a request; I'll ask a few questions."
    );
    let text = Text::new("submitted")
        .arg("id", "IT-1")
        .arg("team", "IT")
        .arg("sla", Arg::duration(chrono::Duration::minutes(150)));
    assert!(c
        .format("de", &text, &mut Plain)
        .contains("innerhalb von 2 Std. 30 Min. antworten"));
    let text = Text::new("hint-department").arg("count", 3usize);
    assert_eq!(
        c.format("de", &text, &mut Plain),
        "Das habe ich nicht verstanden: antworten Sie mit einer Zahl von 1 bis 3 oder dem Namen eines Teams."
    );
}

#[test]
fn no_isolation_marks_reach_the_chat() {
    let c = en();
    let text = Text::new("claimed")
        .arg("user", &UserRef::new(Platform::Slack, "U1"))
        .arg("id", "IT-2");
    let out = c.format("de", &text, &mut Plain);
    assert_eq!(out, "U1 arbeitet jetzt an IT-2.");
    assert!(!out.contains(['\u{2068}', '\u{2069}']));
}

#[test]
fn a_message_renders_its_lines_and_plain_labels() {
    let c = en();
    let msg = Message::with_choices(
        Text::new("survey-ask").arg("id", Arg::strong("IT-3")),
        vec![crate::core::text::new_request_choice()],
    )
    .line(Text::plain("second <line>"));
    let r = c.render("de", &msg, &mut Marked);
    assert_eq!(
        r.text,
        "Wie zufrieden waren Sie mit der Bearbeitung von *IT-3*? Bewerten Sie von 1 (schlecht) bis 5 (sehr gut).\nsecond &lt;line>"
    );
    assert_eq!(r.choices[0].0, "Neue Anfrage");
}

#[test]
fn platform_locale_tags_match_shipped_locales_by_language() {
    assert_eq!(supported("de-DE"), Some("de"));
    assert_eq!(supported("en_US"), Some("en"));
    assert_eq!(supported("DE"), Some("de"));
    assert_eq!(supported("fr-FR"), None);
    assert_eq!(supported(""), None);
    let de = Catalogs::shipped("de").unwrap();
    assert_eq!(de.locale_for(Some("fr-FR")), "de");
    assert_eq!(de.locale_for(None), "de");
    assert_eq!(de.locale_for(Some("en-GB")), "en");
    assert_eq!(
        Catalogs::shipped("fr").unwrap_err(),
        I18nError::UnknownLocale("fr".into())
    );
}

#[test]
fn overrides_replace_the_default_locales_words_only() {
    let c = Catalogs::with_overrides("en", "survey-thanks = Cheers, { $missing_ok }!\n");
    assert!(matches!(
        c,
        Err(I18nError::UnknownVariable { ref id, ref variable, .. }) if id == "survey-thanks" && variable == "missing_ok"
    ));
    let c = Catalogs::with_overrides("en", "claimed = { $user } has { $id } now.\n").unwrap();
    let text = Text::new("claimed")
        .arg("user", &UserRef::new(Platform::Slack, "U1"))
        .arg("id", "IT-2");
    assert_eq!(c.format("en", &text, &mut Plain), "U1 has IT-2 now.");
    assert_eq!(
        c.format("de", &text, &mut Plain),
        "U1 arbeitet jetzt an IT-2."
    );
    assert_eq!(
        c.format("en", &Text::new("survey-thanks"), &mut Plain),
        "Thank you for your feedback!"
    );
}

#[test]
fn bad_override_files_are_refused_with_the_reason() {
    assert_eq!(
        check_overrides("no-such-message = hi\n"),
        Err(I18nError::UnknownMessage("no-such-message".into()))
    );
    let Err(I18nError::Syntax { line, .. }) =
        check_overrides("survey-thanks = ok\n\nclaimed = { $user\n")
    else {
        panic!("a syntax error is refused");
    };
    assert_eq!(line, 3);
    assert_eq!(check_overrides("# only a comment\n"), Ok(()));
}

#[test]
fn an_override_file_can_replace_each_locales_words() {
    let file = "\
survey-thanks = Cheers!
## locale: de
survey-thanks = Prima, danke!
claimed = { $user } kümmert sich um { $id }.
## locale: en
claimed = { $user } took { $id }.
";
    let c = Catalogs::with_overrides("en", file).unwrap();
    let thanks = Text::new("survey-thanks");
    assert_eq!(c.format("en", &thanks, &mut Plain), "Cheers!");
    assert_eq!(c.format("de", &thanks, &mut Plain), "Prima, danke!");
    let claimed = Text::new("claimed")
        .arg("user", &UserRef::new(Platform::Slack, "U1"))
        .arg("id", "IT-2");
    assert_eq!(c.format("en", &claimed, &mut Plain), "U1 took IT-2.");
    assert_eq!(
        c.format("de", &claimed, &mut Plain),
        "U1 kümmert sich um IT-2."
    );
    // Messages before any marker are the default locale's, whichever that is.
    let c = Catalogs::with_overrides("de", "survey-thanks = Danke sehr!\n").unwrap();
    assert_eq!(c.format("de", &thanks, &mut Plain), "Danke sehr!");
    assert_eq!(
        c.format("en", &thanks, &mut Plain),
        "Thank you for your feedback!"
    );
    // A section is checked like the rest; a locale frontdesk doesn't ship is refused by line.
    assert!(matches!(
        Catalogs::with_overrides("en", "## locale: de\nclaimed = { $nobody }\n"),
        Err(I18nError::UnknownVariable { .. })
    ));
    assert_eq!(
        Catalogs::with_overrides("en", "survey-thanks = ok\n## locale: fr\n").unwrap_err(),
        I18nError::OverrideLocale {
            line: 2,
            locale: "fr".into()
        }
    );
    let Err(I18nError::Syntax { line, .. }) = Catalogs::with_overrides(
        "en",
        "## locale: de\nsurvey-thanks = ok\nclaimed = { $user\n",
    ) else {
        panic!("a syntax error in a section is refused");
    };
    assert_eq!(line, 3);
}
