//! Who has a request: the department's assignment rule for a new request
//! (`assign = "round_robin" | "least_loaded"` over `on_call`, else the agents), and the
//! card's take over, reassign and unassign. Each change is in the history, and the requester
//! is told who has their request now.

use super::message::{Action, Arg, Choice, Message, Text};
use super::model::{Event, Request, Status};
use super::rules::{Assign, Department};
use super::{Desk, Outgoing, RequestId, UserRef};

/// Whom the department's rule gives a new request: `None` for manual assignment or when
/// there is nobody to give it to. `loads` are the active requests of the department, for
/// "least loaded".
pub fn pick_assignee<'d>(dept: &'d Department, r: &Request, loads: &[Request]) -> Option<&'d str> {
    let pool: &[String] = if dept.on_call.is_empty() {
        &dept.agents
    } else {
        &dept.on_call
    };
    if pool.is_empty() {
        return None;
    }
    match dept.assign {
        Assign::Manual => None,
        // In turn by request number: fair over time, and the same answer on a retry.
        Assign::RoundRobin => {
            let turn = (r.id.number().saturating_sub(1) as usize) % pool.len();
            Some(pool[turn].as_str())
        }
        // The fewest active requests; ties go to the first in the list.
        Assign::LeastLoaded => pool
            .iter()
            .enumerate()
            .min_by_key(|(i, agent)| {
                let load = loads
                    .iter()
                    .filter(|x| x.id != r.id && x.status.is_active())
                    .filter(|x| x.assignee.as_ref().is_some_and(|a| &a.id == *agent))
                    .count();
                (load, *i)
            })
            .map(|(_, agent)| agent.as_str()),
    }
}

impl Desk<'_> {
    /// Applies the department's assignment rule to a request just filed.
    pub(super) fn auto_assign(&mut self, id: &RequestId) {
        let Some(r) = self.request(id) else { return };
        let Some(dept) = self.rules.department(&r.department) else {
            return;
        };
        let Some(agent) = pick_assignee(dept, r, &self.department_requests) else {
            return;
        };
        let to = UserRef::new(r.platform(), agent);
        self.give(None, id, &to);
    }

    /// Gives the request to `to` (recorded as done by `by`, or by the desk's rule), tells the
    /// requester and the new assignee, and updates the card.
    fn give(&mut self, by: Option<&UserRef>, id: &RequestId, to: &UserRef) {
        let now = self.now;
        let Some(r) = self.request_mut(id) else {
            return;
        };
        let before = r.assignee.replace(to.clone());
        if r.status == Status::Open {
            r.status = Status::Claimed;
        }
        r.record(now, by, Event::Assigned { to: to.clone() });
        self.send(Outgoing::UpdateCard {
            request: id.clone(),
        });
        self.tell_requester(
            id,
            Message::text(
                Text::new("assigned-requester")
                    .arg("user", to)
                    .arg("id", Arg::strong(id)),
            ),
        );
        if by != Some(to) {
            self.dm(
                to,
                Message::text(Text::new("assigned-to-you").arg("id", Arg::strong(id))),
                Some(id),
            );
        }
        if let Some(before) = before.filter(|b| b != to && Some(b) != by) {
            self.dm(
                &before,
                Message::text(
                    Text::new("assigned-away")
                        .arg("id", Arg::strong(id))
                        .arg("user", to),
                ),
                Some(id),
            );
        }
    }

    /// Refuses a change of hands unless `user` is an agent and the request is active.
    fn refuse_handover(&mut self, user: &UserRef, id: &RequestId) -> bool {
        let Some(r) = self.request(id) else {
            self.unknown_request(user, id);
            return true;
        };
        let refusal = if !self.is_agent_for(user, r) {
            Some(Text::new("assign-not-agent").arg("id", id))
        } else if !r.status.is_active() {
            Some(
                Text::new("request-already")
                    .arg("id", id)
                    .arg("status", super::text::status(r.status)),
            )
        } else {
            None
        };
        match refusal {
            Some(text) => {
                self.notice(user, Some(id), Message::text(text));
                true
            }
            None => false,
        }
    }

    /// "Take over": the agent takes the request, whoever had it.
    pub(super) fn take_over(&mut self, user: &UserRef, id: &RequestId) {
        if self.refuse_handover(user, id) {
            return;
        }
        if self.request(id).and_then(|r| r.assignee.as_ref()) == Some(user) {
            let text = Text::new("claim-already-yours").arg("id", id);
            return self.notice(user, Some(id), Message::text(text));
        }
        self.give(Some(user), id, user);
        self.responded(id);
    }

    /// "Unassign": back to the team's queue.
    pub(super) fn unassign(&mut self, user: &UserRef, id: &RequestId) {
        if self.refuse_handover(user, id) {
            return;
        }
        let now = self.now;
        let r = self.request_mut(id).expect("checked above");
        if r.assignee.take().is_none() {
            let text = Text::new("unassign-nobody").arg("id", id);
            return self.notice(user, Some(id), Message::text(text));
        }
        if r.status == Status::Claimed {
            r.status = Status::Open;
        }
        r.record(now, Some(user), Event::Unassigned);
        self.send(Outgoing::UpdateCard {
            request: id.clone(),
        });
        self.tell_requester(
            id,
            Message::text(Text::new("unassigned-requester").arg("id", Arg::strong(id))),
        );
    }

    /// "Reassign…": the department's agents to choose from, as buttons only the clicker sees.
    pub(super) fn offer_reassign(&mut self, user: &UserRef, id: &RequestId) {
        if self.refuse_handover(user, id) {
            return;
        }
        let r = self.request(id).expect("checked above");
        let dept = self.department_of(r).expect("an agent's department");
        let pool = if dept.on_call.is_empty() {
            &dept.agents
        } else {
            &dept.on_call
        };
        let platform = r.platform();
        let choices: Vec<Choice> = pool
            .iter()
            .filter(|a| r.assignee.as_ref().is_none_or(|x| &x.id != *a))
            .map(|a| {
                let agent = UserRef::new(platform, a.as_str());
                Choice::new(
                    Text::new("button-assign-to").arg("user", &agent),
                    Action::AssignTo(id.clone(), a.clone()),
                )
            })
            .collect();
        let msg = if choices.is_empty() {
            Message::text(Text::new("reassign-nobody").arg("id", id))
        } else {
            Message::with_choices(Text::new("reassign-who").arg("id", id), choices)
        };
        self.notice(user, Some(id), msg);
    }

    /// An agent chose whom to give the request to.
    pub(super) fn assign_to(&mut self, user: &UserRef, id: &RequestId, agent: &str) {
        if self.refuse_handover(user, id) {
            return;
        }
        let r = self.request(id).expect("checked above");
        let dept = self.department_of(r).expect("an agent's department");
        if !dept.is_agent(agent) {
            let text = Text::new("assign-not-an-agent").arg("id", id);
            return self.notice(user, Some(id), Message::text(text));
        }
        let to = UserRef::new(r.platform(), agent);
        if r.assignee.as_ref() == Some(&to) {
            let text = Text::new("assign-already").arg("id", id).arg("user", &to);
            return self.notice(user, Some(id), Message::text(text));
        }
        self.give(Some(user), id, &to);
        self.responded(id);
    }
}
