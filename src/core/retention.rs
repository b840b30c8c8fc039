//! Content retention: a closed or cancelled request keeps what people wrote for its
//! department's `retention`, then a durable timer removes it. Ids, times, ratings and the
//! history's shape stay, so stats and service-level figures stay true; the removal is a
//! history line of its own.

use super::model::{Event, Request, Status};
use super::privacy::{has_content, remove_content};
use super::{Desk, RequestId, Rules, TimerKind, Timestamp};

/// When the content of `r` is due for removal: its department keeps content for a limited
/// time, it is closed or cancelled, and there is still content to remove.
pub fn retention_due(r: &Request, rules: &Rules) -> Option<Timestamp> {
    if !matches!(r.status, Status::Closed | Status::Cancelled) {
        return None;
    }
    let keep = rules.department(&r.department)?.retention?;
    if !has_content(r) {
        return None;
    }
    Some(r.closed_at? + keep)
}

impl Desk<'_> {
    /// Schedules the removal of the request's content, if its department keeps it for a
    /// limited time. Called when the request closes or is cancelled.
    pub(super) fn schedule_retention(&mut self, id: &RequestId) {
        let Some(at) = self.request(id).and_then(|r| retention_due(r, self.rules)) else {
            return;
        };
        self.schedule(
            at,
            TimerKind::ContentRetention {
                request: id.clone(),
            },
        );
    }

    /// The retention timer fired: removes the content if the request is still closed (or
    /// cancelled) and has been for the whole period. A request reopened meanwhile keeps it;
    /// its next close schedules again.
    pub(super) fn content_retention_due(&mut self, id: &RequestId) {
        let Some(r) = self.request(id) else { return };
        if !matches!(r.status, Status::Closed | Status::Cancelled) {
            return;
        }
        let keep = self
            .rules
            .departments
            .iter()
            .find(|d| d.id == r.department)
            .and_then(|d| d.retention);
        let (Some(keep), Some(closed_at)) = (keep, r.closed_at) else {
            return;
        };
        if closed_at + keep > self.now {
            return;
        }
        let now = self.now;
        let r = self.request_mut(id).expect("checked above");
        if remove_content(r) {
            r.record(now, None, Event::ContentRemoved);
        }
    }
}
