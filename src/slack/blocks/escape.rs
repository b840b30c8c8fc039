//! Slack's text conventions: escaping people's and the catalogs' words for mrkdwn (keeping
//! Slack's own tokens), and [`Mrkdwn`], the style core messages are rendered in.

use super::*;

/// Escapes `&`, `<` and `>` for Slack, keeping `<@U…>`, `<#C…>`, `<!here>`, `<http…|…>`,
/// `<mailto:…>` and the entities `&amp;`, `&lt;`, `&gt;` as they are.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        match c {
            '<' => {
                if let Some(end) = rest.find('>') {
                    let inner = &rest[1..end];
                    if is_slack_token(inner) {
                        out.push_str(&rest[..=end]);
                        rest = &rest[end + 1..];
                        continue;
                    }
                }
                out.push_str("&lt;");
            }
            '>' => out.push_str("&gt;"),
            '&' => {
                let entity = ["&amp;", "&lt;", "&gt;"]
                    .into_iter()
                    .find(|e| rest.starts_with(e));
                match entity {
                    Some(e) => {
                        out.push_str(e);
                        rest = &rest[e.len()..];
                        continue;
                    }
                    None => out.push_str("&amp;"),
                }
            }
            c => out.push(c),
        }
        rest = &rest[c.len_utf8()..];
    }
    out
}

/// Slack's mrkdwn, for message text.
#[derive(Debug, Default, Clone, Copy)]
pub struct Mrkdwn;

impl Style for Mrkdwn {
    fn text(&mut self, s: &str) -> String {
        escape_words(s)
    }
    fn strong(&mut self, rendered: String) -> String {
        format!("*{rendered}*")
    }
    fn code(&mut self, s: &str) -> String {
        format!("`{}`", escape_words(s))
    }
    fn mention(&mut self, user: &UserRef) -> String {
        format!("<@{}>", user.id)
    }
    fn command(&mut self, _: &Command, words: &str) -> String {
        format!("`{}`", escape(format!("/help-it {words}").trim_end()))
    }
    fn group(&mut self, id: &str) -> String {
        format!("<!subteam^{}>", escape_words(id))
    }
    fn link(&mut self, url: &str, label: &str) -> String {
        format!(
            "<{}|{}>",
            url.replace(['<', '>', '|'], ""),
            escape_words(label)
        )
    }
}

/// [`escape`] for words from people and catalogs: Slack's tokens survive as there, except
/// the broadcasts (`<!here>`, `<!channel>`, `<!everyone>`, `<!subteam^…>`). The bot posts what
/// a requester wrote into a channel they may not even be in; it must not ping that channel
/// for them.
pub fn escape_words(text: &str) -> String {
    let escaped = escape(text);
    if !escaped.contains("<!") {
        return escaped;
    }
    let mut out = String::with_capacity(escaped.len());
    let mut rest = escaped.as_str();
    while let Some(start) = rest.find("<!") {
        out.push_str(&rest[..start]);
        let token = &rest[start..];
        let end = token.find('>').map_or(token.len(), |e| e + 1);
        let inner = token[2..end].trim_end_matches('>');
        let name = inner.split(['|', '^']).next().unwrap_or("");
        if matches!(name, "here" | "channel" | "everyone" | "subteam") {
            out.push_str("&lt;!");
            out.push_str(&token[2..end].replace('>', "&gt;"));
        } else {
            out.push_str(&token[..end]);
        }
        rest = &token[end..];
    }
    out.push_str(rest);
    out
}

pub(super) fn is_slack_token(inner: &str) -> bool {
    if inner.is_empty() || inner.contains('<') || inner.contains('\n') {
        return false;
    }
    let lower = inner.to_ascii_lowercase();
    inner.starts_with('@')
        || inner.starts_with('#')
        || inner.starts_with('!')
        || lower.starts_with("http://")
        || lower.starts_with("https://")
        || lower.starts_with("mailto:")
}

/// Slack sends `&`, `<` and `>` typed by users as entities; the desk stores plain text.
pub fn unescape(text: &str) -> String {
    if !text.contains('&') {
        return text.to_string();
    }
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}
