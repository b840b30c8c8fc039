//! Which actions a request offers in each status, and to whom. The Slack and Teams request
//! cards, the console's card and the core's own "which request is this for?" question all
//! draw their buttons (or commands) from [`actions_for`]; they only decide how to show them.

use super::message::{Action, Choice, Text};
use super::model::{Request, Status};

/// Who is looking at a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// Someone in the department's channel, looking at the request card.
    Agent,
    /// The person who opened the request, in their conversation with the bot.
    Requester,
}

/// The actions a request offers `role` in its current status, in the order they are shown.
///
/// | status    | agent                                               | requester         |
/// |-----------|-----------------------------------------------------|-------------------|
/// | open      | claim, close, waiting on requester, assign…         | write to the team |
/// | claimed   | close, waiting on requester, take over, reassign…, unassign | write to the team |
/// | waiting   | close, take over, reassign…, unassign               | write to the team |
/// | closed    | reopen                                              | —                 |
/// | cancelled | —                                                   | —                 |
///
/// Offering an action is not permitting it: the core still checks who clicked (only the
/// department's agents may claim, for instance). A claimed request offers no claim, and a
/// cancelled one no reopen, because the core would refuse them whoever clicked.
pub fn actions_for(r: &Request, role: Role) -> Vec<Action> {
    let id = || r.id.clone();
    match (role, r.status) {
        (Role::Agent, Status::Open) => vec![
            Action::Claim(id()),
            Action::Close(id()),
            Action::AwaitRequester(id()),
            Action::Reassign(id()),
        ],
        (Role::Agent, Status::Claimed) => vec![
            Action::Close(id()),
            Action::AwaitRequester(id()),
            Action::TakeOver(id()),
            Action::Reassign(id()),
            Action::Unassign(id()),
        ],
        (Role::Agent, Status::Waiting) => vec![
            Action::Close(id()),
            Action::TakeOver(id()),
            Action::Reassign(id()),
            Action::Unassign(id()),
        ],
        (Role::Agent, Status::Closed) => vec![Action::Reopen(id())],
        (Role::Agent, Status::Cancelled) => Vec::new(),
        (Role::Requester, Status::Open | Status::Claimed | Status::Waiting) => {
            vec![Action::ReplyTo(id())]
        }
        (Role::Requester, Status::Closed | Status::Cancelled) => Vec::new(),
    }
}

/// The word on a request card's button for `action`.
fn card_label(action: &Action) -> Text {
    match action {
        Action::Claim(_) => Text::new("button-claim"),
        Action::Close(_) => Text::new("button-close"),
        Action::Reopen(_) => Text::new("button-reopen"),
        Action::AwaitRequester(_) => Text::new("button-wait"),
        Action::TakeOver(_) => Text::new("button-take-over"),
        Action::Reassign(_) => Text::new("button-reassign"),
        Action::Unassign(_) => Text::new("button-unassign"),
        // Not an agent's action; never on a card.
        other => Text::plain(other.to_string()),
    }
}

/// The request card's buttons: the agent's actions with their labels.
pub fn card_choices(r: &Request) -> Vec<Choice> {
    actions_for(r, Role::Agent)
        .into_iter()
        .map(|a| Choice::new(card_label(&a), a))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::{Platform, RequestId, UserRef};

    fn request(status: Status) -> Request {
        let at = chrono::DateTime::from_timestamp(1_700_000_000, 0).unwrap();
        Request {
            status,
            ..Request::new(
                RequestId::new("IT", 7),
                "it",
                UserRef::new(Platform::Slack, "U1"),
                "printer",
                at,
            )
        }
    }

    fn id() -> RequestId {
        RequestId::new("IT", 7)
    }

    #[test]
    fn an_open_request_offers_agents_claim_close_wait_and_assign() {
        assert_eq!(
            actions_for(&request(Status::Open), Role::Agent),
            [
                Action::Claim(id()),
                Action::Close(id()),
                Action::AwaitRequester(id()),
                Action::Reassign(id())
            ]
        );
    }

    #[test]
    fn a_claimed_request_offers_agents_close_wait_and_the_hand_overs() {
        assert_eq!(
            actions_for(&request(Status::Claimed), Role::Agent),
            [
                Action::Close(id()),
                Action::AwaitRequester(id()),
                Action::TakeOver(id()),
                Action::Reassign(id()),
                Action::Unassign(id())
            ]
        );
    }

    #[test]
    fn a_request_waiting_on_its_requester_offers_close_and_the_hand_overs() {
        assert_eq!(
            actions_for(&request(Status::Waiting), Role::Agent),
            [
                Action::Close(id()),
                Action::TakeOver(id()),
                Action::Reassign(id()),
                Action::Unassign(id())
            ]
        );
        assert_eq!(
            actions_for(&request(Status::Waiting), Role::Requester),
            [Action::ReplyTo(id())]
        );
    }

    #[test]
    fn a_closed_request_offers_agents_reopen() {
        assert_eq!(
            actions_for(&request(Status::Closed), Role::Agent),
            [Action::Reopen(id())]
        );
    }

    #[test]
    fn a_cancelled_request_offers_nothing() {
        let r = request(Status::Cancelled);
        assert!(actions_for(&r, Role::Agent).is_empty());
        assert!(actions_for(&r, Role::Requester).is_empty());
    }

    #[test]
    fn the_requester_can_write_to_the_team_while_the_request_is_active() {
        for status in [Status::Open, Status::Claimed] {
            assert_eq!(
                actions_for(&request(status), Role::Requester),
                [Action::ReplyTo(id())],
                "{status}"
            );
        }
        assert!(actions_for(&request(Status::Closed), Role::Requester).is_empty());
    }

    #[test]
    fn card_buttons_are_labelled() {
        let labels = |status| -> Vec<(String, Action)> {
            let msg =
                crate::core::Message::with_choices(Text::plain(""), card_choices(&request(status)));
            crate::core::shown::shown(&msg)
                .choices
                .into_iter()
                .map(|c| (c.label, c.action))
                .collect()
        };
        assert_eq!(
            labels(Status::Open),
            [
                ("Claim".to_string(), Action::Claim(id())),
                ("Close".to_string(), Action::Close(id())),
                (
                    "Waiting on requester".to_string(),
                    Action::AwaitRequester(id())
                ),
                ("Reassign…".to_string(), Action::Reassign(id())),
            ]
        );
        assert_eq!(
            labels(Status::Claimed),
            [
                ("Close".to_string(), Action::Close(id())),
                (
                    "Waiting on requester".to_string(),
                    Action::AwaitRequester(id())
                ),
                ("Take over".to_string(), Action::TakeOver(id())),
                ("Reassign…".to_string(), Action::Reassign(id())),
                ("Unassign".to_string(), Action::Unassign(id())),
            ]
        );
        assert_eq!(
            labels(Status::Closed),
            [("Reopen".to_string(), Action::Reopen(id()))]
        );
        assert!(labels(Status::Cancelled).is_empty());
    }
}
