//! The conversion from a [`Config`] to [`Rules`], the part of the
//! configuration the desk's core decides by. Durations become
//! `chrono::Duration`s; one too long for chrono saturates rather than fails.

use std::time::Duration;

use crate::core::{ButtonWords, Department, Field, FieldKind as CoreKind, Rules, Sample};
use crate::i18n::{Plain, SHIPPED};

use super::types::{Config, FieldKind};

/// See [`Config::rules`].
pub(super) fn of(config: &Config) -> Rules {
    let dur = |d: Duration| chrono::Duration::from_std(d).unwrap_or(chrono::Duration::MAX);
    let departments: Vec<Department> = config
        .departments
        .iter()
        .map(|d| Department {
            id: d.id.clone(),
            name: d.name.clone(),
            prefix: d.prefix.clone(),
            keywords: d.keywords.clone(),
            agents: d.agents.clone(),
            fields: d
                .fields
                .iter()
                .map(|f| Field {
                    id: f.id.clone(),
                    prompt: f.prompt.clone(),
                    kind: match f.kind {
                        FieldKind::Text => CoreKind::Text,
                        FieldKind::Choice => CoreKind::Choice(f.options.clone()),
                    },
                    required: f.required,
                })
                .collect(),
            first_response_sla: dur(d.first_response_sla),
            remind_every: dur(d.remind_every),
            escalate_to: d.escalate_to.clone(),
            service: super::service_levels::of(d),
            retention: d
                .retention
                .as_ref()
                .unwrap_or(&config.retention)
                .closed_content_after
                .map(dur),
            confidential: d.confidential,
            relay: d.relay,
            assign: d.assign,
            on_call: d.on_call.clone(),
            auto_close_after: d.auto_close_after.map(dur),
        })
        .collect();
    // The core compares typed text with what its buttons say; it reads no catalogs, so their
    // words, overrides included, are rendered here, in every locale the desk writes.
    let catalogs = config.messages();
    let buttons = ButtonWords::build(&departments, |label| {
        SHIPPED
            .iter()
            .map(|(locale, _)| catalogs.format(locale, label, &mut Plain))
            .collect()
    });
    Rules {
        departments,
        buttons,
        intake_timeout: dur(config.intake.timeout),
        survey_enabled: config.survey.enabled,
        survey_remind_after: dur(config.survey.remind_after),
        survey_reminders: config.survey.reminders,
        survey_sample: Sample::of(config.survey.sample),
        survey_cooldown: dur(config.survey.cooldown),
        internal_note_prefix: config.slack.internal_note_prefix.clone(),
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use crate::core::FieldKind as CoreKind;

    use super::super::Config;

    #[test]
    fn the_rules_carry_departments_fields_and_timings() {
        let mut config = Config::builtin_default();
        config.survey.enabled = false;
        config.departments[0].remind_every = Duration::MAX;
        let rules = config.rules();

        let ids: Vec<_> = rules.departments.iter().map(|d| d.id.as_str()).collect();
        assert_eq!(ids, ["it", "hr", "facilities", "finance"]);
        let it = &rules.departments[0];
        assert_eq!(it.prefix, "IT");
        assert_eq!(it.keywords, config.departments[0].keywords);
        assert_eq!(it.first_response_sla, chrono::Duration::hours(4));
        // Too long for chrono: saturates instead of failing.
        assert_eq!(it.remind_every, chrono::Duration::MAX);
        assert_eq!(it.fields[0].kind, CoreKind::Text);
        assert!(it.fields[0].required);
        assert_eq!(
            it.fields[1].kind,
            CoreKind::Choice(vec![
                "low".into(),
                "normal".into(),
                "high".into(),
                "urgent".into()
            ])
        );
        assert!(!rules.departments[1].fields[1].required);
        assert_eq!(rules.intake_timeout, chrono::Duration::hours(2));
        assert!(!rules.survey_enabled);
        assert_eq!(rules.survey_remind_after, chrono::Duration::hours(24));
        assert_eq!(rules.survey_reminders, 1);
        assert_eq!(rules.survey_sample, crate::core::Sample::ALL);
        assert_eq!(rules.survey_cooldown, chrono::Duration::zero());
        assert_eq!(rules.internal_note_prefix, "note:");
        // What the buttons say, from the catalogs, so typing a label works like clicking it.
        let confirm = [crate::core::Choice::new(
            crate::core::typed::yes_team("IT"),
            crate::core::Action::ConfirmDepartment,
        )];
        for typed in ["Yes, IT", "Ja, IT"] {
            assert_eq!(
                crate::core::typed_choice(typed, &confirm, &rules.buttons),
                Some(crate::core::Action::ConfirmDepartment),
                "{typed:?}"
            );
        }
    }

    #[test]
    fn the_rules_carry_the_survey_policy() {
        let mut config = Config::builtin_default();
        config.survey.sample = 0.3;
        config.survey.cooldown = Duration::from_secs(7 * 86_400);
        config.survey.reminders = 4;
        let rules = config.rules();
        assert_eq!(rules.survey_sample, crate::core::Sample::of(0.3));
        assert_eq!(rules.survey_sample.fraction(), 0.3);
        assert_eq!(rules.survey_cooldown, chrono::Duration::days(7));
        assert_eq!(rules.survey_reminders, 4);
    }

    #[test]
    fn the_button_words_follow_the_message_overrides() {
        let dir = std::env::temp_dir().join(format!("frontdesk-rules-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("messages.ftl");
        std::fs::write(&file, "button-back = Go back\n").unwrap();
        let mut config = Config::builtin_default();
        config.server.messages_file = Some(file);
        let rules = config.rules();
        std::fs::remove_dir_all(&dir).unwrap();
        let back = [crate::core::Choice::new(
            crate::core::Text::new("button-back"),
            crate::core::Action::Back,
        )];
        assert_eq!(
            crate::core::typed_choice("go back", &back, &rules.buttons),
            Some(crate::core::Action::Back)
        );
    }

    #[test]
    fn a_department_keeps_content_for_its_own_period_or_the_desk_wide_one() {
        let text = r#"
[retention]
closed_content_after = "365d"
[[departments]]
id = "it"
name = "IT"
prefix = "IT"
slack_channel = "C0IT"
[[departments]]
id = "hr"
name = "HR"
prefix = "HR"
slack_channel = "C0HR"
[departments.retention]
closed_content_after = "30d"
"#;
        let rules = Config::from_toml_str(text, &|_| None).unwrap().rules();
        let kept: Vec<_> = rules.departments.iter().map(|d| d.retention).collect();
        assert_eq!(
            kept,
            [
                Some(chrono::Duration::days(365)),
                Some(chrono::Duration::days(30))
            ]
        );
        assert_eq!(
            Config::builtin_default().rules().departments[0].retention,
            None
        );
    }
}
