//! What people type: `/help-it` and its words (status, cancel, reply, wait, queue), and
//! messages to the bot, which are commands, answers to an open draft, survey answers or
//! words for the team.

use super::*;

impl Desk<'_> {
    pub(super) fn on_command(&mut self, user: &UserRef, text: &str) {
        let trimmed = text.trim();
        let mut words = trimmed.split_whitespace();
        let first = words.next().unwrap_or("").to_ascii_lowercase();
        match first.as_str() {
            "help" if words.next().is_none() => self.reply(self.help()),
            "status" if words.next().is_none() => {
                let msg = self.status_message(user);
                self.reply(msg);
            }
            "queue" => {
                let msg = self.show_queue(user, words.next());
                self.reply(msg);
            }
            "wait" => match words.next().map(RequestId::parse) {
                Some(Ok(id)) => {
                    let need: Vec<&str> = words.collect();
                    self.await_requester(user, &id, &need.join(" "), true)
                }
                _ => self.reply(Message::text(
                    Text::new("wait-usage").arg("example", Arg::code("wait IT-7 …")),
                )),
            },
            "reply" => match words.next().map(RequestId::parse) {
                Some(Ok(id)) => {
                    let text: Vec<&str> = words.collect();
                    self.reply_to_requester(user, &id, &text.join(" "), true)
                }
                _ => self.reply(Message::text(
                    Text::new("reply-usage").arg("example", Arg::code("reply IT-7 …")),
                )),
            },
            "cancel" => match words.next() {
                Some(id) => match RequestId::parse(id) {
                    Ok(id) => self.cancel_request(user, &id, true),
                    Err(_) => self.reply(Message::text(
                        Text::new("cancel-bad-id")
                            .arg("id", Arg::code(id))
                            .arg("cancel", Command::Cancel(RequestId::new("IT", 7)))
                            .arg("status", Command::Status),
                    )),
                },
                None if self.session.draft.is_some() => self.cancel_draft(user),
                None => self.reply(Message::text(
                    Text::new("cancel-which")
                        .arg("cancel", Command::Cancel(RequestId::new("IT", 7)))
                        .arg("status", Command::Status),
                )),
            },
            _ => {
                self.reply(Message::text(Text::new("intake-started-dm")));
                let first_words = (!trimmed.is_empty()).then(|| trimmed.to_string());
                self.start_intake(user, first_words);
            }
        }
    }
    pub(super) fn on_direct_message(
        &mut self,
        user: &UserRef,
        text: &str,
        about: Option<RequestId>,
    ) {
        let text = text.trim();
        if text.is_empty() {
            return;
        }
        let lower = text.to_lowercase();
        let command = typed_command(text, &self.rules.buttons);
        // After an expired draft, everything but these words starts a new one.
        let keyword = command.is_some()
            || lower
                .strip_prefix("cancel ")
                .is_some_and(|id| RequestId::parse(id).is_ok());
        let expired = self.expire_stale_draft(user, !keyword);
        if let Some(id) = self.note_asked_since_draft(user, command.is_some()) {
            return self.note_text(user, &id, text);
        }
        if !expired && self.session.draft.is_some() {
            self.intake_text(user, text);
            return;
        }
        // The "New request" button's words, typed, start a request as clicking it does.
        let new_request = matches!(lower.as_str(), "new" | "new request" | "start")
            || typed_choice(text, &[text::new_request_choice()], &self.rules.buttons).is_some();
        match command {
            Some(TypedCommand::Help) => return self.dm(user, self.help(), None),
            Some(TypedCommand::Queue) => {
                let msg = self.show_queue(user, None);
                return self.dm(user, msg, None);
            }
            Some(TypedCommand::Status) => {
                let msg = self.status_message(user);
                return self.dm(user, msg, None);
            }
            Some(TypedCommand::Cancel) => {
                // Nothing is being written (an expired draft was just dropped and the user told).
                if !expired {
                    let msg = match self.session.pending_reply.take() {
                        Some(_) => Text::new("pending-dropped"),
                        None => Text::new("nothing-to-cancel")
                            .arg("cancel", Arg::code("cancel IT-7"))
                            .arg("status", Arg::code("status")),
                    };
                    self.dm(user, Message::text(msg), None);
                }
                return;
            }
            None if new_request => return self.start_intake(user, None),
            None => {}
        }
        if let Some(rest) = lower.strip_prefix("cancel ") {
            if let Ok(id) = RequestId::parse(rest) {
                return self.cancel_request(user, &id, false);
            }
        }
        // An agent's `wait IT-3 …` in their chat with the bot (Teams has no slash command).
        if let Some(id) = named_request(text, "wait") {
            if self.request(&id).is_some_and(|r| &r.requester != user) {
                let need = text
                    .split_whitespace()
                    .skip(2)
                    .collect::<Vec<_>>()
                    .join(" ");
                return self.await_requester(user, &id, &need, false);
            }
        }
        // An agent's `reply IT-3 …` in their chat with the bot (Teams has no slash command).
        if let Some(id) = named_request(text, "reply") {
            if self.request(&id).is_some_and(|r| &r.requester != user) {
                let words = text
                    .split_whitespace()
                    .skip(2)
                    .collect::<Vec<_>>()
                    .join(" ");
                return self.reply_to_requester(user, &id, &words, false);
            }
        }
        if expired {
            // What they typed answered a question of the dropped draft: it is not a rating, a
            // survey comment or a message for the team. Start again from the first question.
            return self.start_intake(user, None);
        }
        // Written in the thread of a message about one of their open requests: it is for that one.
        if let Some(id) = &about {
            if self
                .request(id)
                .is_some_and(|r| &r.requester == user && r.status.is_active())
            {
                return self.relay_from_requester(user, id, text);
            }
        }
        if let Some((id, state)) = self.survey_answer_target(user, about.as_ref()) {
            // A number, or what a rating button says ("5 · great").
            let rating = text
                .parse::<u8>()
                .ok()
                .filter(|n| (1..=5).contains(n))
                .or_else(
                    || match typed_choice(text, &rating_choices(&id), &self.rules.buttons) {
                        Some(Action::Rate(_, n)) => Some(n),
                        _ => None,
                    },
                );
            match (state, rating) {
                (SurveyState::AwaitingThanks | SurveyState::AwaitingComment, _) => {
                    return self.note_text(user, &id, text)
                }
                (SurveyState::AwaitingRating, Some(n)) => return self.rate(user, &id, n, None),
                _ => {}
            }
        }
        let active = self.active_requests_of(user);
        if let Some(pending) = self.session.pending_reply.clone() {
            // A button of the "which request?" question, typed as it reads ("IT-1: printer").
            let offered = self.which_choices(&active);
            if let Some(Action::ReplyTo(id)) = typed_choice(text, &offered, &self.rules.buttons) {
                self.session.pending_reply = None;
                return self.relay_from_requester(user, &id, &pending);
            }
            if let Ok(id) = RequestId::parse(text) {
                if active.contains(&id) {
                    self.session.pending_reply = None;
                    return self.relay_from_requester(user, &id, &pending);
                }
                if !active.is_empty() {
                    // A wrong id is not a new message: keep the one waiting and ask again.
                    let question = Text::new("which-not-yours").arg("id", &id);
                    return self.ask_which(user, &active, question);
                }
            }
        }
        match active.as_slice() {
            [] => {
                // "help it", "help with my laptop": the words after "help" are the first words.
                let first_words = match text.get(..5) {
                    Some(help) if help.eq_ignore_ascii_case("help ") => {
                        text[5..].trim().to_string()
                    }
                    _ => text.to_string(),
                };
                self.start_intake(user, Some(first_words));
            }
            [only] => {
                let only = only.clone();
                self.relay_from_requester(user, &only, text);
            }
            several => {
                self.session.pending_reply = Some(text::clip(text, text::MAX_ANSWER_CHARS));
                let several = several.to_vec();
                self.ask_which(user, &several, Text::new("which-several"));
            }
        }
    }

    /// The request whose note the user was asked for after their open draft last moved: the
    /// latest question wins, so the note is not taken as an answer to the draft. Typed
    /// commands keep their meaning.
    fn note_asked_since_draft(&mut self, user: &UserRef, command: bool) -> Option<RequestId> {
        let (id, asked) = self.session.note_for.clone()?;
        let draft_moved = self.session.draft.as_ref().map(|d| d.last_activity);
        let awaits = self.request(&id).is_some_and(|r| {
            &r.requester == user
                && matches!(
                    r.survey.state,
                    SurveyState::AwaitingThanks | SurveyState::AwaitingComment
                )
        });
        if !awaits {
            self.session.note_for = None;
            return None;
        }
        (!command && draft_moved.is_some_and(|moved| moved < asked)).then_some(id)
    }

    /// A free-text answer to the note asked about `id`: a thank-you note or a survey comment.
    fn note_text(&mut self, user: &UserRef, id: &RequestId, text: &str) {
        self.session.note_for = None;
        match self.request(id).map(|r| r.survey.state) {
            Some(SurveyState::AwaitingThanks) => self.thanks_text(user, id, text),
            _ => self.survey_comment(user, id, text),
        }
    }
}
