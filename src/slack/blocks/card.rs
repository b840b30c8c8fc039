//! A request's card in its department channel: status, fields, history and the buttons the core
//! offers.

use super::*;

/// The status with its colour, as cards and the App Home show it.
pub(super) fn status_label(status: Status, words: &Words<'_>) -> String {
    let (dot, word) = match status {
        Status::Open => ("🟡", "status-title-open"),
        Status::Claimed => ("🔵", "status-title-claimed"),
        Status::Closed => ("✅", "status-title-closed"),
        Status::Cancelled => ("⚪", "status-title-cancelled"),
        Status::Waiting => ("⏸️", "status-title-waiting"),
    };
    format!("{dot} {}", escape(&words.word(word)))
}

pub(super) fn priority_word(r: &Request, words: &Words<'_>) -> String {
    words.word(&format!("priority-{}", r.priority.as_str()))
}

/// `<!date^…>` renders in each reader's own time zone; the fallback is UTC.
pub(super) fn slack_date(at: &crate::core::Timestamp) -> String {
    format!(
        "<!date^{}^{{date_short_pretty}} {{time}}|{}>",
        at.timestamp(),
        at.format("%Y-%m-%d %H:%M UTC")
    )
}

/// What a card needs beyond the request itself.
#[derive(Debug, Clone)]
pub struct CardContext<'a> {
    pub department_name: &'a str,
    pub internal_note_prefix: &'a str,
    /// The first close reaction, for the hint line (`white_check_mark`).
    pub close_reaction: Option<&'a str>,
    /// What the card may show, and its buttons (the core decides).
    pub view: crate::core::CardView,
}

/// The request card in the department channel.
pub fn card_content(r: &Request, ctx: &CardContext<'_>, words: &Words<'_>) -> SlackMessageContent {
    let id = &r.id;
    let label = |key: &str| escape(&words.word(key));
    let assignee = r
        .assignee
        .as_ref()
        .map(|a| format!("<@{}>", a.id))
        .unwrap_or_else(|| "—".into());
    let fallback = if !ctx.view.shows_content {
        words.format(
            &Text::new("card-fallback-confidential")
                .arg("id", id)
                .arg("status", crate::core::text::status(r.status)),
            &mut Mrkdwn,
        )
    } else {
        let base = match &r.assignee {
            Some(a) => Text::new("card-fallback-assigned").arg("assignee", a),
            None => Text::new("card-fallback"),
        };
        words.format(
            &base
                .arg("id", id)
                .arg("summary", clip(&r.summary, 200))
                .arg("status", crate::core::text::status(r.status))
                .arg("priority", priority_word(r, words))
                .arg("requester", &r.requester),
            &mut Mrkdwn,
        )
    };
    let mut blocks: Vec<SlackBlock> = Vec::new();
    let title = if r.summary.trim().is_empty() || !ctx.view.shows_content {
        id.to_string()
    } else {
        format!(
            "{id} · {}",
            r.summary.split_whitespace().collect::<Vec<_>>().join(" ")
        )
    };
    blocks.push(SlackHeaderBlock::new(plain(&title, HEADER_MAX)).into());
    let mut fields = vec![
        md(format!(
            "*{}*\n<@{}>",
            label("card-requester"),
            r.requester.id
        )),
        md(format!(
            "*{}*\n{}",
            label("card-department"),
            escape(ctx.department_name)
        )),
        md(format!(
            "*{}*\n{}",
            label("card-priority"),
            escape(&priority_word(r, words))
        )),
        md(format!(
            "*{}*\n{}",
            label("card-status"),
            status_label(r.status, words)
        )),
        md(format!("*{}*\n{assignee}", label("card-assignee"))),
        md(format!(
            "*{}*\n{}",
            label("card-created"),
            slack_date(&r.created_at)
        )),
    ];
    if let Some(origin) = r.origin.as_ref().filter(|_| ctx.view.shows_content) {
        // Filed from a channel message: where it is, and who filed it for the requester.
        if let Some(link) = &origin.permalink {
            fields.push(md(format!(
                "*{}*\n<{}|{}>",
                label("card-origin"),
                link,
                label("card-origin-link")
            )));
        }
        if let Some(by) = &origin.filed_by {
            fields.push(md(format!("*{}*\n<@{}>", label("card-filed-by"), by.id)));
        }
    }
    if !ctx.view.shows_content {
        // Only the department, status, assignee and age.
        fields = vec![
            fields[1].clone(),
            fields[3].clone(),
            fields[4].clone(),
            fields[5].clone(),
        ];
    }
    blocks.push(SlackSectionBlock::new().with_fields(fields).into());
    if ctx.view.shows_content && !r.summary.trim().is_empty() {
        sections(
            &format!(
                "*{}*\n{}",
                label("card-description"),
                escape_words(&r.summary)
            ),
            &mut blocks,
        );
    }
    let shown_answers = if ctx.view.shows_content {
        &r.answers[..]
    } else {
        &[]
    };
    let answers: Vec<String> = shown_answers
        .iter()
        .map(|a| {
            let value = a
                .value
                .as_deref()
                .map(escape_words)
                .unwrap_or_else(|| format!("_{}_", label("card-skipped")));
            format!("*{}*\n{value}", escape(&a.prompt))
        })
        .collect();
    if !answers.is_empty() {
        sections(&answers.join("\n\n"), &mut blocks);
    }
    let buttons: Vec<(String, Action)> = ctx
        .view
        .choices
        .iter()
        .map(|c| {
            (
                words.format(&c.label, &mut crate::i18n::Plain),
                c.action.clone(),
            )
        })
        .collect();
    // Leave room for the buttons and the hint line.
    blocks.truncate(MESSAGE_BLOCKS_MAX - 2);
    blocks.extend(action_blocks("card", &buttons));
    if r.status.is_active() {
        let mut hint = words.format(
            &Text::new("card-hint").arg("prefix", Arg::code(ctx.internal_note_prefix)),
            &mut Mrkdwn,
        );
        if let Some(reaction) = ctx.close_reaction {
            let close = words.format(
                &Text::new("card-hint-close").arg("reaction", format!(":{reaction}:")),
                &mut Mrkdwn,
            );
            hint.push(' ');
            hint.push_str(&close);
        }
        blocks.push(SlackContextBlock::new(vec![SlackBlockMarkDownText::new(hint).into()]).into());
    }
    SlackMessageContent::new()
        .with_text(clip(&fallback, TEXT_MAX))
        .with_blocks(blocks)
}
