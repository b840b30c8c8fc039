//! The App Home view: the user's open and recently finished requests.

use super::*;

/// The App Home: the user's open requests, the recently finished ones, and a button to
/// start a new one.
pub fn home_view(
    open: &[Request],
    recent: &[Request],
    queue: Option<&Message>,
    words: &Words<'_>,
) -> SlackView {
    let strong = |id: &str| format!("*{}*", escape(&words.word(id)));
    let mut blocks: Vec<SlackBlock> = vec![
        SlackHeaderBlock::new(plain(&words.word("home-title"), HEADER_MAX)).into(),
        SlackSectionBlock::new()
            .with_text(md(words.format(
                &Text::new("home-intro").arg("command", Command::Start),
                &mut Mrkdwn,
            )))
            .into(),
    ];
    blocks.extend(action_blocks(
        "home",
        &[
            (words.word("button-new-request"), Action::StartRequest),
            (words.word("button-fill-form"), Action::OpenForm),
        ],
    ));
    let line = |r: &Request| {
        let head = words.format(
            &Text::new("home-line")
                .arg("id", Arg::strong(&r.id))
                .arg("summary", clip(&r.summary, 200)),
            &mut Mrkdwn,
        );
        let details = match &r.assignee {
            Some(a) => Text::new("home-line-status-assigned").arg("user", a),
            None => Text::new("home-line-status"),
        };
        let details = words.format(
            &details
                .arg("status", Arg::Plain(status_label(r.status, words)))
                .arg("date", slack_date(&r.created_at)),
            &mut Mrkdwn,
        );
        md(clip(&format!("{head}\n{details}"), SECTION_MAX))
    };
    blocks.push(SlackDividerBlock::new().into());
    if open.is_empty() {
        blocks.push(
            SlackSectionBlock::new()
                .with_text(md(format!(
                    "{}\n{}",
                    strong("home-open"),
                    escape(&words.word("home-nothing-open"))
                )))
                .into(),
        );
    } else {
        let count = words.format(
            &Text::new("home-open-count").arg("count", open.len()),
            &mut Mrkdwn,
        );
        blocks.push(
            SlackSectionBlock::new()
                .with_text(md(format!("*{count}*")))
                .into(),
        );
        for r in open.iter().take(40) {
            blocks.push(SlackSectionBlock::new().with_text(line(r)).into());
        }
    }
    if !recent.is_empty() {
        blocks.push(SlackDividerBlock::new().into());
        blocks.push(
            SlackSectionBlock::new()
                .with_text(md(strong("home-recent")))
                .into(),
        );
        for r in recent.iter().take(20) {
            blocks.push(SlackSectionBlock::new().with_text(line(r)).into());
        }
    }
    if let Some(queue) = queue {
        // The agent's queue, as `/help-it queue` shows it.
        blocks.push(SlackDividerBlock::new().into());
        let text = words.render(queue, &mut Mrkdwn);
        sections(&text.text, &mut blocks);
    }
    blocks.truncate(VIEW_BLOCKS_MAX);
    SlackView::Home(SlackHomeView::new(blocks))
}
