//! The bot's App Home tab: on `app_home_opened`, publish the user's open and recent requests
//! with a "New request" button.
//!
//! A view, not a message: it is rebuilt from the store every time the tab opens, so it goes
//! straight to `views.publish` (in the background, after the event is acknowledged) instead of
//! through the outbox. A failure is logged and the next opening tries again.

use super::api::SlackApi;
use super::blocks;
use super::locale::Locales;
use crate::core::{Platform, Request, UserRef};
use crate::i18n::{Catalogs, Words};
use crate::store::DeskStore;
use std::sync::Arc;

/// How many finished requests the tab lists.
const RECENT: usize = 10;

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
) {
    let (open, recent) = match requests_for_home(&*store, &user) {
        Ok(lists) => lists,
        Err(e) => {
            tracing::error!(error = %crate::telemetry::chain(&e), user = %user, "reading requests for the App Home failed");
            return;
        }
    };
    let locale = messages.locale_for(locales.get(&api, &user).await.as_deref());
    let words = Words::new(&messages, locale);
    match api
        .views_publish(&user, blocks::home_view(&open, &recent, &words))
        .await
    {
        Ok(()) => tracing::debug!(user = %user, open = open.len(), "App Home published"),
        Err(e) => {
            tracing::warn!(error = %e.describe(None), user = %user, "publishing the App Home failed")
        }
    }
}
