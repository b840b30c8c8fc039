//! An agent's queue: the active requests of their departments in four groups, overdue
//! first, each with its age and the time left on its service level. The same rule serves
//! `/help-it queue`, the App Home and `frontdesk requests list --overdue`.

use super::message::{Arg, Message, Text};
use super::model::{Request, Status};
use super::typed::TypedCommand;
use super::{Desk, Input, Place, Rules, Session, Timestamp, UserRef};
use chrono::Duration;

/// When a request's current service level falls due: its first response while it has none,
/// else its resolution (when the department has one). `None` when no clock runs (waiting on
/// the requester, or no resolution level).
pub fn due_at(r: &Request, rules: &Rules, now: Timestamp) -> Option<Timestamp> {
    let dept = rules.department(&r.department)?;
    due_at_with(r, dept.first_response_sla, &dept.service, now)
}

/// [`due_at`] with the department's levels given on their own (the command line carries
/// them from its configuration).
pub fn due_at_with(
    r: &Request,
    first_response_sla: Duration,
    service: &super::ServiceLevels,
    now: Timestamp,
) -> Option<Timestamp> {
    if !r.status.is_active() || r.status == Status::Waiting {
        return None;
    }
    let calendar = service.calendar_for(r.priority);
    let (target, used) = match r.first_response_at {
        None => (first_response_sla, service.first_response_time(r, now)),
        Some(_) => (service.resolution_sla?, service.resolution_time(r, now)),
    };
    let left = target - used;
    Some(if left > Duration::zero() {
        calendar.add(now, left)
    } else {
        // Overdue: the business time it has been over, counted back from now.
        now - (used - target)
    })
}

/// Whether the request is past its current service level.
pub fn is_overdue(r: &Request, rules: &Rules, now: Timestamp) -> bool {
    due_at(r, rules, now).is_some_and(|due| due <= now)
}

/// One line of the queue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueueLine {
    pub request: Request,
    /// Time left on the current service level; negative when overdue; `None` without one.
    pub left: Option<Duration>,
}

/// An agent's queue, each request in the first group it fits.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Queue {
    pub overdue: Vec<QueueLine>,
    /// Due within a quarter of its service level.
    pub due_soon: Vec<QueueLine>,
    /// Nobody has it.
    pub unassigned: Vec<QueueLine>,
    /// It is the agent's.
    pub mine: Vec<QueueLine>,
}

impl Queue {
    pub fn is_empty(&self) -> bool {
        self.overdue.is_empty()
            && self.due_soon.is_empty()
            && self.unassigned.is_empty()
            && self.mine.is_empty()
    }
}

/// The departments whose queue `agent` sees: those they are an agent of, or the one named.
pub fn agent_departments<'r>(
    agent: &UserRef,
    rules: &'r Rules,
    only: Option<&str>,
) -> Vec<&'r super::Department> {
    rules
        .departments
        .iter()
        .filter(|d| d.is_agent(&agent.id))
        .filter(|d| {
            only.is_none_or(|o| d.id.eq_ignore_ascii_case(o) || d.name.eq_ignore_ascii_case(o))
        })
        .collect()
}

/// Sorts `requests` (active ones of `agent`'s departments) into the queue.
pub fn queue(agent: &UserRef, requests: &[Request], rules: &Rules, now: Timestamp) -> Queue {
    let mut q = Queue::default();
    let mut sorted: Vec<&Request> = requests.iter().filter(|r| r.status.is_active()).collect();
    sorted.sort_by_key(|r| (due_at(r, rules, now), r.created_at));
    for r in sorted {
        let due = due_at(r, rules, now);
        let line = QueueLine {
            request: r.clone(),
            left: due.map(|d| d - now),
        };
        let target = rules
            .department(&r.department)
            .map(|d| match r.first_response_at {
                None => d.first_response_sla,
                Some(_) => d.service.resolution_sla.unwrap_or(d.first_response_sla),
            });
        let soon = match (line.left, target) {
            (Some(left), Some(target)) => left <= target / 4,
            _ => false,
        };
        if line.left.is_some_and(|l| l <= Duration::zero()) {
            q.overdue.push(line);
        } else if soon {
            q.due_soon.push(line);
        } else if r.assignee.is_none() {
            q.unassigned.push(line);
        } else if r.assignee.as_ref() == Some(agent) {
            q.mine.push(line);
        }
    }
    q
}

/// The departments whose active requests an input needs: the acting agent's for a queue
/// command, the draft's department when submitting it may assign by load.
pub(super) fn departments_to_load(input: &Input, session: &Session, rules: &Rules) -> Vec<String> {
    let asks_queue = |text: &str| -> Option<Option<String>> {
        let mut words = text.split_whitespace();
        let first = words.next()?;
        let is_queue = first.eq_ignore_ascii_case("queue")
            || super::typed_command(first, &rules.buttons) == Some(TypedCommand::Queue);
        is_queue.then(|| words.next().map(str::to_string))
    };
    let queue_for = match input {
        Input::CommandInvoked { user, text } => asks_queue(text).map(|only| (user, only)),
        Input::MessageReceived {
            user,
            text,
            place: Place::Direct { .. },
        } => asks_queue(text).map(|only| (user, only)),
        Input::MentionedInChannel { user, text, .. } => asks_queue(text).map(|only| (user, only)),
        _ => None,
    };
    if let Some((user, only)) = queue_for {
        return agent_departments(user, rules, only.as_deref())
            .into_iter()
            .map(|d| d.id.clone())
            .collect();
    }
    // Submitting a draft (it is at its last question) whose department assigns by load.
    let Some(draft) = session.draft.as_ref() else {
        return Vec::new();
    };
    let submits = draft.step == super::Step::Confirm
        && matches!(
            input,
            Input::ButtonClicked {
                action: super::Action::Submit,
                ..
            } | Input::MessageReceived {
                place: Place::Direct { .. },
                ..
            }
        );
    match draft.department.as_deref() {
        Some(dept)
            if submits
                && rules
                    .department(dept)
                    .is_some_and(|d| d.assign == super::rules::Assign::LeastLoaded) =>
        {
            vec![dept.to_string()]
        }
        _ => Vec::new(),
    }
}

fn line_text(line: &QueueLine, now: Timestamp) -> Text {
    let r = &line.request;
    let age = Arg::duration(now - r.created_at);
    let mut text = match line.left {
        Some(left) if left <= Duration::zero() => Text::new("queue-line-overdue")
            .arg("id", Arg::strong(&r.id))
            .arg("age", age)
            .arg("over", Arg::duration(-left)),
        Some(left) => Text::new("queue-line")
            .arg("id", Arg::strong(&r.id))
            .arg("age", age)
            .arg("left", Arg::duration(left)),
        None => Text::new("queue-line-no-clock")
            .arg("id", Arg::strong(&r.id))
            .arg("age", age),
    };
    text = text.arg("status", super::text::status(r.status));
    match &r.assignee {
        Some(a) => text.arg("assignee", a),
        None => text.arg("assignee", Text::new("queue-nobody")),
    }
}

/// The queue as a message: a title, then each group that has requests.
pub fn queue_message(q: &Queue, now: Timestamp) -> Message {
    if q.is_empty() {
        return Message::text(Text::new("queue-empty"));
    }
    let mut msg = Message::text(Text::new("queue-title"));
    for (title, lines) in [
        ("queue-overdue", &q.overdue),
        ("queue-due-soon", &q.due_soon),
        ("queue-unassigned", &q.unassigned),
        ("queue-mine", &q.mine),
    ] {
        if lines.is_empty() {
            continue;
        }
        msg = msg.line(Text::new(title).arg("count", Arg::Number(lines.len() as i64)));
        for line in lines {
            msg = msg.line(line_text(line, now));
        }
    }
    msg
}

impl Desk<'_> {
    /// `/help-it queue [department]`, `queue` typed to the bot, or mentioning it with `queue`.
    pub(super) fn show_queue(&mut self, user: &UserRef, only: Option<&str>) -> Message {
        let departments = agent_departments(user, self.rules, only);
        if departments.is_empty() {
            return Message::text(match only {
                Some(o) => Text::new("queue-no-department").arg("department", Arg::Plain(o.into())),
                None => Text::new("queue-not-agent"),
            });
        }
        let ids: Vec<&str> = departments.iter().map(|d| d.id.as_str()).collect();
        let requests: Vec<Request> = self
            .department_requests
            .iter()
            .filter(|r| ids.contains(&r.department.as_str()))
            .cloned()
            .collect();
        queue_message(&queue(user, &requests, self.rules, self.now), self.now)
    }
}
