//! What each user and each department channel would see: the console's rendering of the
//! core's messages and request cards, and the deliverer that prints the outbox's messages.

use crate::config::Config;
use crate::core::{
    actions_for, Action, Choice, Command, Message, Outgoing, Platform, PostRef, Request, RequestId,
    Role, Text, UserRef,
};
use crate::i18n::{Rendered, Style, Words};
use crate::outbox::{Delivered, Deliverer, DeliveryError};
use crate::store::{OutboxItem, Store};
use std::collections::HashMap;
use std::io::Write;
use std::sync::{Arc, Mutex};

/// Where console output goes, and the choices each user was last offered, so that typing
/// `2` clicks the second one.
pub(super) struct Screen {
    pub(super) out: Box<dyn Write + Send>,
    pub(super) last_choices: HashMap<String, Vec<Choice>>,
    pub(super) next_post: u64,
}

impl Screen {
    pub(super) fn line(&mut self, text: &str) {
        // A closed stdout (`| head`) is not worth a panic.
        let _ = writeln!(self.out, "{text}");
    }
}

/// `<@alice>` → `@alice`: the console has no mention markup.
pub(super) fn plain(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("<@") {
        out.push_str(&rest[..start]);
        match rest[start..].find('>') {
            Some(end) => {
                out.push('@');
                out.push_str(&rest[start + 2..start + end]);
                rest = &rest[start + end + 1..];
            }
            None => {
                out.push_str(&rest[start..]);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

pub(super) fn indent(text: &str) -> String {
    plain(text).lines().collect::<Vec<_>>().join("\n    ")
}

/// The console command standing in for a request card's button.
pub(super) fn card_command(action: &Action) -> Option<String> {
    match action {
        Action::Claim(id) => Some(format!("/claim {id}")),
        Action::Close(id) => Some(format!("/close {id}")),
        Action::Reopen(id) => Some(format!("/reopen {id}")),
        Action::TakeOver(id) => Some(format!("/takeover {id}")),
        Action::Unassign(id) => Some(format!("/unassign {id}")),
        Action::AwaitRequester(id) => Some(format!("/help-it wait {id}")),
        _ => None,
    }
}

pub(super) fn choices_line(choices: &[(String, Action)]) -> String {
    choices
        .iter()
        .enumerate()
        .map(|(i, (label, _))| format!("{}) {label}", i + 1))
        .collect::<Vec<_>>()
        .join("   ")
}

/// The console's text: the markup people type in chat, mentions as `@name`, the slash
/// command as in Slack (the console takes `/help-it` too).
struct ConsoleStyle;

impl Style for ConsoleStyle {
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
        format!("@{}", user.id)
    }
    fn command(&mut self, _: &Command, words: &str) -> String {
        format!("`{}`", format!("/help-it {words}").trim_end())
    }
}

/// A message in the desk's default language, as the console shows it.
pub(super) fn render(config: &Config, msg: &Message) -> Rendered {
    let messages = config.messages();
    Words::channel(&messages).render(msg, &mut ConsoleStyle)
}

pub(super) struct ConsoleDeliverer {
    pub(super) screen: Arc<Mutex<Screen>>,
    pub(super) store: Arc<Store>,
    pub(super) config: Arc<Config>,
}

impl ConsoleDeliverer {
    fn channel_of(&self, r: &Request) -> String {
        format!("#{}", r.department)
    }

    fn card_text(&self, r: &Request) -> String {
        let dept = self
            .config
            .department(&r.department)
            .map(|d| d.name.as_str())
            .unwrap_or(&r.department);
        // The card's words come from the catalogs, in the desk's default language, as a
        // channel reads them.
        let messages = self.config.messages();
        let words = Words::channel(&messages);
        let mut style = ConsoleStyle;
        let mut line = words.format(
            &Text::new("console-card")
                .arg("department", dept)
                .arg("requester", &r.requester)
                .arg(
                    "priority",
                    words.word(&format!("priority-{}", r.priority.as_str())),
                )
                .arg(
                    "status",
                    words.word(&format!("status-{}", r.status.as_str())),
                ),
            &mut style,
        );
        if let Some(a) = &r.assignee {
            line.push_str(" · ");
            line.push_str(&words.format(
                &Text::new("console-card-assignee").arg("assignee", a),
                &mut style,
            ));
        }
        let mut s = format!("┌ {} · {}\n    {line}", r.id, plain(&r.summary));
        for a in &r.answers {
            s.push_str(&format!(
                "\n    {} {}",
                a.prompt,
                a.value.as_deref().unwrap_or("—")
            ));
        }
        let mut commands: Vec<String> = actions_for(r, Role::Agent)
            .iter()
            .filter_map(card_command)
            .collect();
        if r.status.is_active() {
            commands.push(format!("/reply {} TEXT", r.id));
        }
        if !commands.is_empty() {
            s.push_str(&format!("\n    [{}]", commands.join("  ")));
        }
        s
    }
}

#[async_trait::async_trait]
impl Deliverer for ConsoleDeliverer {
    async fn deliver(&self, item: &OutboxItem) -> Result<Delivered, DeliveryError> {
        let mut screen = self.screen.lock().unwrap_or_else(|e| e.into_inner());
        let load = |id: &RequestId| -> Result<Request, DeliveryError> {
            self.store
                .request(id)
                .map_err(|e| DeliveryError::Retry {
                    reason: e.to_string(),
                    after: None,
                })?
                .ok_or_else(|| DeliveryError::Permanent(format!("request {id} not found")))
        };
        let mut delivered = Delivered::default();
        match &item.outgoing {
            Outgoing::Dm { to, msg, about } => {
                let shown = render(&self.config, msg);
                screen.line(&format!("[DM to {}] {}", to.id, indent(&shown.text)));
                if !msg.choices.is_empty() {
                    screen.line(&format!("    {}", choices_line(&shown.choices)));
                }
                screen
                    .last_choices
                    .insert(to.id.clone(), msg.choices.clone());
                if let Some(id) = about {
                    screen.next_post += 1;
                    let post = PostRef::new(
                        Platform::Console,
                        format!("dm:{}", to.id),
                        screen.next_post.to_string(),
                    );
                    delivered.links.push((post, id.clone()));
                }
            }
            Outgoing::PostCard { request } => {
                let r = load(request)?;
                let channel = self.channel_of(&r);
                screen.line(&format!("[{channel}] {}", self.card_text(&r)));
                delivered.card = Some((
                    r.id.clone(),
                    PostRef::new(Platform::Console, channel, r.id.to_string()),
                ));
            }
            Outgoing::Thanks { request, msg } => {
                let r = load(request)?;
                screen.line(&format!(
                    "[{}] {}",
                    self.channel_of(&r),
                    indent(&render(&self.config, msg).text)
                ));
            }
            Outgoing::UpdateCard { request } => {
                let r = load(request)?;
                if r.card.is_some() {
                    screen.line(&format!(
                        "[{} · card updated] {}",
                        self.channel_of(&r),
                        self.card_text(&r)
                    ));
                }
            }
            Outgoing::ChannelPost { channel, msg, .. } | Outgoing::Digest { channel, msg, .. } => {
                screen.line(&format!(
                    "[{channel}] {}",
                    indent(&render(&self.config, msg).text)
                ));
            }
            Outgoing::ThreadPost { request, msg } => {
                let r = load(request)?;
                screen.line(&format!(
                    "[{} › {}] {}",
                    self.channel_of(&r),
                    r.id,
                    indent(&render(&self.config, msg).text)
                ));
                if msg
                    .choices
                    .iter()
                    .any(|c| matches!(c.action, Action::Claim(_)))
                {
                    screen.line(&format!("    [/claim {}]", r.id));
                }
            }
            Outgoing::MarkRelayed { request, .. } => {
                let r = load(request)?;
                screen.line(&format!(
                    "[{} › {}] (✓ relayed to @{})",
                    self.channel_of(&r),
                    r.id,
                    r.requester.id
                ));
            }
            Outgoing::ReplacePost { to, msg, .. } => {
                let shown = render(&self.config, msg);
                screen.line(&format!(
                    "[DM to {} · earlier message replaced] {}",
                    to.id,
                    indent(&shown.text)
                ));
            }
            Outgoing::ThreadReply { thread, msg } => {
                let shown = render(&self.config, msg);
                screen.line(&format!(
                    "[{} › {}] {}",
                    thread.channel,
                    thread.id,
                    indent(&shown.text)
                ));
            }
            Outgoing::Notice { to, msg, .. } => {
                let shown = render(&self.config, msg);
                screen.line(&format!("[only {} sees] {}", to.id, indent(&shown.text)));
            }
            Outgoing::OriginReply { request, msg } => {
                let shown = render(&self.config, msg);
                screen.line(&format!(
                    "[under the message {request} was filed from] {}",
                    indent(&shown.text)
                ));
            }
        }
        Ok(delivered)
    }
}
