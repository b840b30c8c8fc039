//! The modals a click opens besides the request form: a confidential request's details,
//! shown only to the agent who asked, and "Reply to requester", whose submission goes to the
//! core.

use super::blocks;
use super::handle::{Inbound, Refusal, Reply};
use crate::core::{Input, RequestId};
use tracing::Instrument;

impl Inbound {
    /// "View details" as a modal: the core checks the clicker is one of the department's
    /// agents and answers with the details (or the refusal), shown only to them. False if
    /// Slack refused the modal; the click then goes the usual way (a message only they see).
    pub(super) async fn show_details(
        &self,
        user: &str,
        id: &RequestId,
        trigger: &str,
    ) -> Result<bool, Refusal> {
        let input = Input::DetailsRequested {
            user: Inbound::slack_user(user),
            request: id.clone(),
        };
        let outcome = self.step(input, Vec::new()).await?;
        let messages = crate::config::current(&self.config).messages();
        let locale = messages.locale_for(self.locales.cached(user).flatten().as_deref());
        let words = crate::i18n::Words::new(&messages, locale);
        let view = blocks::messages_modal(&id.to_string(), &outcome.replies, &words);
        match self.api.views_open(trigger, view).await {
            Ok(()) => Ok(true),
            Err(e) => {
                tracing::warn!(error = %crate::telemetry::chain(&e), "could not open the details");
                Ok(false)
            }
        }
    }
    /// Opens the "Reply to requester" modal; false if Slack refused.
    pub(super) async fn open_reply_modal(&self, user: &str, id: &RequestId, trigger: &str) -> bool {
        let messages = crate::config::current(&self.config).messages();
        let locale = messages.locale_for(self.locales.cached(user).flatten().as_deref());
        let words = crate::i18n::Words::new(&messages, locale);
        match self
            .api
            .views_open(trigger, blocks::reply_modal(id, &words))
            .await
        {
            Ok(()) => true,
            Err(e) => {
                tracing::warn!(error = %crate::telemetry::chain(&e), "could not open the reply form");
                false
            }
        }
    }
    /// A modal of ours submitted: the reply form's text goes to the core. The answer closes
    /// the modal (an empty body).
    pub(super) async fn on_view_submission(
        &self,
        team: Option<String>,
        user: String,
        view_id: Option<String>,
        callback_id: &str,
        private_metadata: &str,
        values: std::collections::BTreeMap<String, String>,
    ) -> Result<Reply, Refusal> {
        if callback_id != blocks::REPLY_MODAL {
            tracing::debug!(callback_id, "a view that isn't ours");
            return Ok(None);
        }
        let Ok(request) = RequestId::parse(private_metadata) else {
            tracing::debug!(private_metadata, "a reply form without a request id");
            return Ok(None);
        };
        let text = values.get(blocks::REPLY_TEXT).cloned().unwrap_or_default();
        let span = tracing::info_span!("slack.view_submission", %user,
            team = team.as_deref().unwrap_or(""), request_id = %request);
        let input = Input::ReplyToRequester {
            user: Inbound::slack_user(&user),
            request,
            text,
        };
        self.step(
            input,
            view_id
                .map(|v| format!("slack:view:{v}"))
                .into_iter()
                .collect(),
        )
        .instrument(span)
        .await?;
        Ok(None)
    }
}
