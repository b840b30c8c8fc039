//! The whole desk in a terminal: lines from stdin become inputs, effects are printed as what
//! each user and each department channel would see. Same core, engine and store as the
//! server; no chat workspace needed. Works interactively and with piped scripts.

use crate::clock::{Clock, OffsetClock};
use crate::config::Config;
use crate::core::{Action, Input, Message, Place, Platform, PostRef, Request, RequestId, UserRef};
use crate::engine::{Engine, EngineError};
use crate::outbox::{OutboxError, OutboxWorker, RetryPolicy};
use crate::scheduler::{Scheduler, SchedulerError};
use crate::store::Store;
use std::collections::HashMap;
use std::io::Write;
use std::sync::{Arc, Mutex};

mod screen;

use screen::{choices_line, indent, render, ConsoleDeliverer, Screen};

#[derive(Debug, thiserror::Error)]
pub enum ConsoleError {
    #[error(transparent)]
    Engine(#[from] EngineError),
    #[error(transparent)]
    Outbox(#[from] OutboxError),
    #[error(transparent)]
    Scheduler(#[from] SchedulerError),
    #[error("writing output")]
    Io(#[from] std::io::Error),
}

const USAGE: &str = "\
Console commands (everything else is a direct message to the bot):
  /as NAME                act as another user (a requester or an agent)
  /help-it [TEXT]         start a request, or: /help-it status | cancel ID | help
  N                       click option N of the last message you got
  /claim ID | /close ID | /reopen ID          the buttons on a request card
  /reply ID TEXT          reply in the request card's thread (as an agent)
  /react ID [EMOJI] | /unreact ID [EMOJI]      add or remove a close reaction on the card
  /show ID | /requests    look at stored requests
  /wait DURATION          let time pass (e.g. 5h) and fire due reminders
  /quit";

/// A console session.
pub struct Console {
    engine: Engine,
    outbox: OutboxWorker,
    scheduler: Scheduler,
    screen: Arc<Mutex<Screen>>,
    clock: Arc<OffsetClock>,
    config: Arc<Config>,
    user: String,
}

impl std::fmt::Debug for Console {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Console").field("user", &self.user).finish()
    }
}

impl Console {
    pub fn new(
        config: Config,
        store: Arc<Store>,
        user: &str,
        out: Box<dyn Write + Send>,
    ) -> Console {
        let clock = Arc::new(OffsetClock::default());
        let engine = Engine::start(
            store.clone(),
            config.rules(),
            clock.clone() as Arc<dyn Clock>,
        );
        let config = Arc::new(config);
        let screen = Arc::new(Mutex::new(Screen {
            out,
            last_choices: HashMap::new(),
            next_post: 0,
        }));
        let deliverer = ConsoleDeliverer {
            screen: screen.clone(),
            store,
            config: config.clone(),
        };
        let policy = RetryPolicy {
            initial_backoff: config.outbox.initial_backoff,
            max_backoff: config.outbox.max_backoff,
            give_up_after: config.outbox.give_up_after,
        };
        let outbox = OutboxWorker::new(engine.clone(), policy, config.outbox.concurrency)
            .with_deliverer(Platform::Console, Arc::new(deliverer));
        let scheduler = Scheduler::new(engine.clone(), config.scheduler.max_burst);
        Console {
            engine,
            outbox,
            scheduler,
            screen,
            clock,
            config,
            user: user.to_string(),
        }
    }

    fn say(&self, text: &str) {
        self.screen
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .line(text);
    }

    fn me(&self) -> UserRef {
        UserRef::new(Platform::Console, self.user.clone())
    }

    /// Prints the greeting; call once before the first line.
    pub fn banner(&self) {
        self.say(&format!(
            "frontdesk console: you are '{}'. Type /help-it to start a request, /help for console commands.",
            self.user
        ));
    }

    /// Handles one line. Returns false when the user asked to quit.
    ///
    /// # Errors
    /// Storage failures only; bad input gets a message, never an error.
    pub async fn line(&mut self, line: &str) -> Result<bool, ConsoleError> {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            return Ok(true);
        }
        self.scheduler.fire_due().await?;
        self.outbox.drain().await?;
        let (command, rest) = match line.split_once(char::is_whitespace) {
            Some((c, r)) => (c, r.trim()),
            None => (line, ""),
        };
        let input = match command.to_ascii_lowercase().as_str() {
            "/quit" | "/exit" => return Ok(false),
            "/help" | "/?" => {
                self.say(USAGE);
                return Ok(true);
            }
            "/as" | "/user" => {
                match rest.split_whitespace().next() {
                    Some(name) => {
                        self.user = name.trim_start_matches('@').to_string();
                        self.say(&format!("(you are now {})", self.user));
                    }
                    None => self.say("Usage: /as NAME"),
                }
                return Ok(true);
            }
            "/help-it" => Input::CommandInvoked {
                user: self.me(),
                text: rest.to_string(),
            },
            "/claim" | "/close" | "/reopen" | "/takeover" | "/unassign" => {
                let Some(id) = self.parse_id(command, rest) else {
                    return Ok(true);
                };
                let action = match command {
                    "/claim" => Action::Claim(id),
                    "/close" => Action::Close(id),
                    "/takeover" => Action::TakeOver(id),
                    "/unassign" => Action::Unassign(id),
                    _ => Action::Reopen(id),
                };
                Input::ButtonClicked {
                    user: self.me(),
                    action,
                    post: None,
                }
            }
            "/reply" => {
                let (id, text) = rest.split_once(char::is_whitespace).unwrap_or((rest, ""));
                let Some(id) = self.parse_id(command, id) else {
                    return Ok(true);
                };
                if text.trim().is_empty() {
                    self.say("Usage: /reply ID TEXT");
                    return Ok(true);
                }
                let Some(channel) = self.card_channel(&id)? else {
                    return Ok(true);
                };
                let post = PostRef::new(
                    Platform::Console,
                    channel,
                    format!(
                        "reply-{}",
                        self.engine
                            .store()
                            .generate_id()
                            .map_err(EngineError::from)?
                    ),
                );
                Input::MessageReceived {
                    user: self.me(),
                    text: text.trim().to_string(),
                    place: Place::CardThread { request: id, post },
                }
            }
            "/react" | "/unreact" => {
                let mut words = rest.split_whitespace();
                let Some(id) = self.parse_id(command, words.next().unwrap_or("")) else {
                    return Ok(true);
                };
                let emoji = words
                    .next()
                    .unwrap_or("white_check_mark")
                    .trim_matches(':')
                    .to_string();
                let closes = self.config.slack.close_reactions.contains(&emoji)
                    || self.config.teams.close_reactions.contains(&emoji);
                if !closes {
                    self.say(&format!(
                        "(:{emoji}: doesn't close requests; nothing happens)"
                    ));
                    return Ok(true);
                }
                if self.card_channel(&id)?.is_none() {
                    return Ok(true);
                }
                if command == "/react" {
                    Input::CloseReactionAdded {
                        user: self.me(),
                        request: id,
                    }
                } else {
                    Input::CloseReactionRemoved {
                        user: self.me(),
                        request: id,
                    }
                }
            }
            "/show" => {
                if let Some(id) = self.parse_id(command, rest) {
                    match self
                        .engine
                        .store()
                        .request(&id)
                        .map_err(EngineError::from)?
                    {
                        Some(r) => self.say(&crate::report::show(&r)),
                        None => self.say(&format!("No request {id}.")),
                    }
                }
                return Ok(true);
            }
            "/requests" => {
                let all: Vec<Request> = self
                    .engine
                    .store()
                    .all_requests()
                    .collect::<Result<_, _>>()
                    .map_err(EngineError::from)?;
                self.say(&crate::report::list(&all));
                return Ok(true);
            }
            "/wait" => {
                match humantime::parse_duration(rest) {
                    Ok(d) => {
                        self.clock.advance(
                            chrono::Duration::from_std(d).unwrap_or(chrono::Duration::zero()),
                        );
                        self.say(&format!("(time passes: {rest})"));
                        while self.scheduler.fire_due().await? > 0 {}
                        self.outbox.drain().await?;
                    }
                    Err(_) => self.say("Usage: /wait DURATION, e.g. /wait 5h"),
                }
                return Ok(true);
            }
            c if c.starts_with('/') => {
                self.say(&format!("Unknown console command {c}. /help lists them."));
                return Ok(true);
            }
            _ => match self.numbered_choice(line) {
                Some(action) => Input::ButtonClicked {
                    user: self.me(),
                    action,
                    post: None,
                },
                None => Input::MessageReceived {
                    user: self.me(),
                    text: line.to_string(),
                    place: Place::Direct { about: None },
                },
            },
        };
        let outcome = self.engine.handle(input, None).await?;
        for reply in &outcome.replies {
            self.print_reply(reply);
        }
        self.outbox.drain().await?;
        Ok(true)
    }

    fn print_reply(&self, msg: &Message) {
        let shown = render(&self.config, msg);
        self.say(&format!("[reply to {}] {}", self.user, indent(&shown.text)));
        if !msg.choices.is_empty() {
            self.say(&format!("    {}", choices_line(&shown.choices)));
            self.screen
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .last_choices
                .insert(self.user.clone(), msg.choices.clone());
        }
    }

    fn numbered_choice(&self, line: &str) -> Option<Action> {
        let n: usize = line.parse().ok()?;
        let screen = self.screen.lock().unwrap_or_else(|e| e.into_inner());
        let choices = screen.last_choices.get(&self.user)?;
        n.checked_sub(1)
            .and_then(|i| choices.get(i))
            .map(|c| c.action.clone())
    }

    fn parse_id(&self, command: &str, text: &str) -> Option<RequestId> {
        match RequestId::parse(text) {
            Ok(id) => Some(id),
            Err(_) if text.is_empty() => {
                self.say(&format!("Usage: {command} ID (e.g. {command} IT-1)"));
                None
            }
            Err(e) => {
                self.say(&format!("{e}"));
                None
            }
        }
    }

    /// The channel a request's card is in; says so when there is no such request or card.
    fn card_channel(&self, id: &RequestId) -> Result<Option<String>, ConsoleError> {
        match self.engine.store().request(id).map_err(EngineError::from)? {
            Some(Request {
                card: Some(card), ..
            }) => Ok(Some(card.channel)),
            Some(r) => Ok(Some(format!("#{}", r.department))),
            None => {
                self.say(&format!("No request {id}."));
                Ok(None)
            }
        }
    }

    /// Runs lines from `input` until it ends or the user quits, then stops the engine.
    ///
    /// # Errors
    /// Storage or output failures.
    pub async fn run<R: tokio::io::AsyncBufRead + Unpin>(
        mut self,
        input: R,
    ) -> Result<(), ConsoleError> {
        use tokio::io::AsyncBufReadExt;
        let mut input = input;
        let mut buf = Vec::new();
        loop {
            buf.clear();
            if input.read_until(b'\n', &mut buf).await? == 0 {
                break;
            }
            // Bytes that aren't UTF-8 become U+FFFD instead of ending the session.
            let line = String::from_utf8_lossy(&buf).into_owned();
            if !self.line(&line).await? {
                break;
            }
        }
        self.outbox.drain().await?;
        let engine = self.engine.clone();
        tokio::task::spawn_blocking(move || engine.close())
            .await
            .ok();
        Ok(())
    }
}
