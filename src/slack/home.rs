//! The bot's App Home tab: on `app_home_opened`, publish the user's open and recent requests
//! with a "New request" button, and for agents their queue (the core's, as `/help-it queue`
//! shows it).
//!
//! A view, not a message: it is rebuilt from the store every time the tab opens, so it goes
//! straight to `views.publish` (in the background, after the event is acknowledged) instead of
//! through the outbox. A failure is logged and the next opening tries again.

use super::api::SlackApi;
use super::blocks;
use super::locale::Locales;
use crate::core::{Message, Platform, Request, Rules, Timestamp, UserRef};
use crate::i18n::{Catalogs, Words};
use crate::store::DeskStore;
use std::sync::Arc;

/// How many finished requests the tab lists.
const RECENT: usize = 10;

/// An agent's queue; `None` for someone who is no department's agent.
pub fn queue_for_home(
    store: &dyn DeskStore,
    user: &str,
    rules: &Rules,
    now: Timestamp,
) -> Result<Option<Message>, crate::store::StoreError> {
    let agent = UserRef::new(Platform::Slack, user);
    let departments = crate::core::agent_departments(&agent, rules, None);
    if departments.is_empty() {
        return Ok(None);
    }
    let mut active = Vec::new();
    for status in crate::core::Status::ALL
        .into_iter()
        .filter(|s| s.is_active())
    {
        active.extend(
            store
                .requests_with_status(status)?
                .into_iter()
                .filter(|r| departments.iter().any(|d| d.id == r.department)),
        );
    }
    let queue = crate::core::queue(&agent, &active, rules, now);
    Ok(Some(crate::core::queue_message(&queue, now)))
}

/// The user's open requests (oldest first) and their most recently finished ones.
pub fn requests_for_home(
    store: &dyn DeskStore,
    user: &str,
) -> Result<(Vec<Request>, Vec<Request>), crate::store::StoreError> {
    let all = store.requests_of_user(&UserRef::new(Platform::Slack, user), None)?;
    let (open, mut done): (Vec<Request>, Vec<Request>) =
        all.into_iter().partition(|r| r.status.is_active());
    done.sort_by_key(|r| std::cmp::Reverse((r.closed_at, r.created_at)));
    done.truncate(RECENT);
    Ok((open, done))
}

/// Publishes the Home tab for `user`, in their language; errors are logged, not returned.
pub async fn publish(
    api: SlackApi,
    store: Arc<dyn DeskStore>,
    messages: Arc<Catalogs>,
    locales: Arc<Locales>,
    user: String,
    rules: Arc<Rules>,
    now: Timestamp,
) {
    let lists = requests_for_home(&*store, &user)
        .and_then(|lists| Ok((lists, queue_for_home(&*store, &user, &rules, now)?)));
    let ((open, recent), queue) = match lists {
        Ok(lists) => lists,
        Err(e) => {
            tracing::error!(error = %crate::telemetry::chain(&e), user = %user, "reading requests for the App Home failed");
            return;
        }
    };
    let locale = messages.locale_for(locales.get(&api, &user).await.as_deref());
    let words = Words::new(&messages, locale);
    match api
        .views_publish(
            &user,
            blocks::home_view(&open, &recent, queue.as_ref(), &words),
        )
        .await
    {
        Ok(()) => tracing::debug!(user = %user, open = open.len(), "App Home published"),
        Err(e) => {
            tracing::warn!(error = %e.describe(None), user = %user, "publishing the App Home failed")
        }
    }
}
