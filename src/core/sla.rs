//! Service levels on business calendars: when the first-response and resolution clocks run
//! out, the reminders that follow, and the escalation ladder.
//!
//! Every clock counts business time in the department's [`Calendar`], except for a request
//! whose priority is in the department's `always_on` list: its clocks run around the clock.
//! Deadlines are computed when a timer is set, so they always fall in business time; a timer
//! that comes due while the department is closed anyway (its hours changed since) waits for
//! the next opening. Nothing here reads a clock: `now` comes with the step.
//!
//! The resolution clock stops while a request is closed and while it waits on its
//! requester ([`Request::waiting_intervals`]).

use super::calendar::Calendar;
use super::ids::Timestamp;
use super::message::{Action, Arg, Choice, Message, Text};
use super::model::{Event, Priority, Request};
use super::{Desk, Outgoing, RequestId, TimerFilter, TimerKind, UserRef};
use chrono::Duration;
use serde::{Deserialize, Serialize};

/// How late after closing time a timer due at closing time may still fire.
const LATE_GRACE: Duration = Duration::minutes(5);

/// What ends an escalation step: it fires only while this is not yet so.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Until {
    /// Someone responded (claim, reply or close), or the request ended.
    #[default]
    FirstResponse,
    /// The request was closed or cancelled.
    Resolution,
}

/// Who a step of the ladder notifies: a platform id, read by its shape.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Notify {
    /// Mentioned in the request's thread (`U…` on Slack, any other id on Teams).
    User(String),
    /// A Slack user group (`S…`), mentioned in the request's thread.
    Group(String),
    /// A channel (`C…` on Slack, `19:…` on Teams) that gets a post naming the request.
    Channel(String),
}

impl Notify {
    /// Reads an id from the configuration by its shape.
    pub fn parse(id: &str) -> Notify {
        let id = id.trim().to_string();
        if id.starts_with('S') && id.len() > 1 && id[1..].bytes().all(|b| b.is_ascii_alphanumeric())
        {
            Notify::Group(id)
        } else if (id.starts_with('C') || id.starts_with('G'))
            && id.len() > 1
            && id.bytes().all(|b| b.is_ascii_alphanumeric())
            || id.starts_with("19:")
        {
            Notify::Channel(id)
        } else {
            Notify::User(id)
        }
    }
}

/// One step of an escalation ladder.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EscalationStep {
    /// Business time since the request was filed.
    pub after: Duration,
    pub notify: Vec<Notify>,
    pub until: Until,
}

/// A department's service levels beyond the first response.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ServiceLevels {
    pub calendar: Calendar,
    /// Requests of these priorities are chased around the clock.
    pub always_on: Vec<Priority>,
    /// Business time from filing to close; `None`: no resolution service level.
    pub resolution_sla: Option<Duration>,
    /// The wait between reminders once the resolution service level is missed.
    pub resolution_remind_every: Duration,
    /// In order of `after`, each later than the one before.
    pub escalation: Vec<EscalationStep>,
}

/// The default calendar, named once so "around the clock" reads as such.
fn around_the_clock() -> &'static Calendar {
    static ALWAYS: std::sync::OnceLock<Calendar> = std::sync::OnceLock::new();
    ALWAYS.get_or_init(Calendar::always)
}

impl ServiceLevels {
    /// The calendar a request's clocks count in.
    pub fn calendar_for(&self, priority: Priority) -> &Calendar {
        if self.always_on.contains(&priority) {
            around_the_clock()
        } else {
            &self.calendar
        }
    }

    /// Business time a request has waited for its first response, up to `until`.
    pub fn first_response_time(&self, r: &Request, until: Timestamp) -> Duration {
        let end = r.first_response_at.unwrap_or(until).min(until);
        self.calendar_for(r.priority).between(r.created_at, end)
    }

    /// Business time the resolution clock of `r` has run by `until`: from filing, without
    /// the time it was closed or waited on its requester.
    pub fn resolution_time(&self, r: &Request, until: Timestamp) -> Duration {
        let calendar = self.calendar_for(r.priority);
        let end = match r.closed_at {
            Some(closed) if !r.status.is_active() => closed.min(until),
            _ => until,
        };
        let run = calendar.between(r.created_at, end);
        let paused = r
            .resolution_pauses(until)
            .into_iter()
            .map(|(from, to)| calendar.between(from.max(r.created_at), to.min(end)))
            .fold(Duration::zero(), |a, b| a + b);
        (run - paused).max(Duration::zero())
    }
}

/// Whether a request met a service level: `None` while it can't be told yet (or there is
/// no such level), for stats and metrics.
pub fn first_response_met(
    levels: &ServiceLevels,
    sla: Duration,
    r: &Request,
    now: Timestamp,
) -> Option<bool> {
    match r.first_response_at {
        Some(_) => Some(levels.first_response_time(r, now) <= sla),
        // Still waiting: missed once the level has passed, open to either until then.
        None if r.status.is_active() && levels.first_response_time(r, now) > sla => Some(false),
        None => None,
    }
}

/// See [`first_response_met`]; cancelled requests are not counted.
pub fn resolution_met(levels: &ServiceLevels, r: &Request, now: Timestamp) -> Option<bool> {
    let sla = levels.resolution_sla?;
    let used = levels.resolution_time(r, now);
    match r.status {
        super::Status::Closed => Some(used <= sla),
        super::Status::Cancelled => None,
        _ if used > sla => Some(false),
        _ => None,
    }
}

/// A service level a request is measured by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Level {
    FirstResponse,
    Resolution,
}

impl Level {
    pub fn as_str(self) -> &'static str {
        match self {
            Level::FirstResponse => "first_response",
            Level::Resolution => "resolution",
        }
    }
}

/// The service levels a step settled for a request, as `(level, met)`: the first response
/// when it was just given, the resolution when the request was just closed (each close of a
/// reopened request counts again). `before` is the request as it was before the step.
pub fn settled(
    before: Option<&Request>,
    after: &Request,
    first_response_sla: Duration,
    levels: &ServiceLevels,
    now: Timestamp,
) -> Vec<(Level, bool)> {
    let mut out = Vec::new();
    let responded_before = before.is_some_and(|b| b.first_response_at.is_some());
    if !responded_before && after.first_response_at.is_some() {
        let met = levels.first_response_time(after, now) <= first_response_sla;
        out.push((Level::FirstResponse, met));
    }
    let closed_before = before.is_some_and(|b| b.status == super::Status::Closed);
    if let (Some(sla), false, super::Status::Closed) =
        (levels.resolution_sla, closed_before, after.status)
    {
        out.push((Level::Resolution, levels.resolution_time(after, now) <= sla));
    }
    out
}

impl Desk<'_> {
    /// Sets the clocks of a request just filed: the first-response reminder, the resolution
    /// reminder and the first escalation step.
    pub(super) fn start_clocks(&mut self, id: &RequestId) {
        let Some(r) = self.request(id) else { return };
        let Some(dept) = self.rules.department(&r.department) else {
            return;
        };
        let calendar = dept.service.calendar_for(r.priority);
        let created = r.created_at;
        let first = calendar.add(created, dept.first_response_sla);
        let resolution = dept
            .service
            .resolution_sla
            .map(|sla| calendar.add(created, sla));
        let ladder = dept
            .service
            .escalation
            .first()
            .map(|s| calendar.add(created, s.after));
        self.schedule(
            first,
            TimerKind::FirstResponse {
                request: id.clone(),
                round: 0,
            },
        );
        if let Some(at) = resolution {
            self.schedule(
                at,
                TimerKind::Resolution {
                    request: id.clone(),
                    round: 0,
                },
            );
        }
        if let Some(at) = ladder {
            self.schedule(
                at,
                TimerKind::Escalation {
                    request: id.clone(),
                    step: 0,
                },
            );
        }
    }

    /// When the first response is due, for the message confirming a request; `None` when the
    /// department counts around the clock in UTC (the confirmation then names the service
    /// level alone, as it always did).
    pub(super) fn first_response_by(&self, r: &Request) -> Option<Arg> {
        let dept = self.rules.department(&r.department)?;
        let at = dept
            .service
            .calendar_for(r.priority)
            .add(r.created_at, dept.first_response_sla);
        Some(Arg::LocalTime {
            at,
            zone: dept.service.calendar.zone,
            dated: at - self.now >= Duration::days(6),
        })
    }

    /// A timer came due while the department is closed (its hours changed since it was set,
    /// or the desk was down when it fell due): moves it to the next opening. True when it did.
    /// A timer set for closing time that fires a little late still fires.
    fn held_for_business_hours(&mut self, r: &Request, kind: &TimerKind) -> bool {
        let Some(dept) = self.rules.department(&r.department) else {
            return false;
        };
        let calendar = dept.service.calendar_for(r.priority);
        if calendar.is_open(self.now) || calendar.is_open(self.now - LATE_GRACE) {
            return false;
        }
        let at = calendar.next_open(self.now);
        self.schedule(at, kind.clone());
        true
    }

    /// The business time a request has waited for its first response, when its reminder is
    /// to be sent now; `None` when the reminder was moved to the next opening.
    pub(super) fn first_response_chase(&mut self, r: &Request, round: u32) -> Option<Duration> {
        let kind = TimerKind::FirstResponse {
            request: r.id.clone(),
            round,
        };
        if self.held_for_business_hours(r, &kind) {
            return None;
        }
        let dept = self.rules.department(&r.department)?;
        Some(dept.service.first_response_time(r, self.now))
    }

    /// When the next first-response reminder is due.
    pub(super) fn next_first_response_reminder(&self, r: &Request) -> Timestamp {
        match self.rules.department(&r.department) {
            Some(d) => d
                .service
                .calendar_for(r.priority)
                .add(self.now, d.remind_every),
            None => self.now,
        }
    }

    pub(super) fn resolution_due(&mut self, id: &RequestId, round: u32) {
        let Some(r) = self.request(id).cloned() else {
            return;
        };
        if !r.status.is_active() {
            return;
        }
        let Some(dept) = self.rules.department(&r.department).cloned() else {
            return;
        };
        let Some(sla) = dept.service.resolution_sla else {
            return;
        };
        let kind = TimerKind::Resolution {
            request: id.clone(),
            round,
        };
        if self.held_for_business_hours(&r, &kind) {
            return;
        }
        let calendar = dept.service.calendar_for(r.priority);
        let used = dept.service.resolution_time(&r, self.now);
        if used < sla {
            // Paused for a while since the timer was set: the level is not missed yet.
            let at = calendar.add(self.now, sla - used);
            return self.schedule(at, kind);
        }
        let now = self.now;
        if let Some(r) = self.request_mut(id) {
            r.record(now, None, Event::ResolutionReminded { round: round + 1 });
        }
        let mut choices = Vec::new();
        if r.assignee.is_none() {
            choices.push(Choice::new(
                Text::new("button-claim"),
                Action::Claim(id.clone()),
            ));
        }
        let text = Text::new("resolution-reminder")
            .arg("id", Arg::strong(id))
            .arg("used", Arg::duration(used))
            .arg("sla", Arg::duration(sla));
        let text = match &r.assignee {
            Some(a) => text.arg("who", a),
            None => text.arg("who", Text::new("resolution-nobody")),
        };
        self.send(Outgoing::ThreadPost {
            request: id.clone(),
            msg: Message {
                lines: vec![text],
                choices,
            },
        });
        let next = calendar.add(now, dept.service.resolution_remind_every);
        self.schedule(
            next,
            TimerKind::Resolution {
                request: id.clone(),
                round: round + 1,
            },
        );
    }

    /// Re-arms the resolution clock of a reopened request.
    pub(super) fn resume_resolution_clock(&mut self, id: &RequestId) {
        let Some(r) = self.request(id) else { return };
        let Some(dept) = self.rules.department(&r.department) else {
            return;
        };
        let Some(sla) = dept.service.resolution_sla else {
            return;
        };
        let used = dept.service.resolution_time(r, self.now);
        let at = dept
            .service
            .calendar_for(r.priority)
            .add(self.now, (sla - used).max(Duration::zero()));
        let round = r.resolution_reminders_sent();
        self.schedule(
            at,
            TimerKind::Resolution {
                request: id.clone(),
                round,
            },
        );
    }

    pub(super) fn escalation_due(&mut self, id: &RequestId, step: u32) {
        let Some(r) = self.request(id).cloned() else {
            return;
        };
        if !r.status.is_active() {
            return;
        }
        let Some(dept) = self.rules.department(&r.department).cloned() else {
            return;
        };
        let index = usize::try_from(step).unwrap_or(usize::MAX);
        let Some(current) = dept.service.escalation.get(index) else {
            return;
        };
        let kind = TimerKind::Escalation {
            request: id.clone(),
            step,
        };
        if self.held_for_business_hours(&r, &kind) {
            return;
        }
        let calendar = dept.service.calendar_for(r.priority);
        let met = match current.until {
            Until::FirstResponse => r.first_response_at.is_some(),
            Until::Resolution => false,
        };
        if !met {
            self.escalate(&r, step, current);
        }
        if let Some(next) = dept.service.escalation.get(index + 1) {
            let at = calendar.add(r.created_at, next.after).max(self.now);
            self.schedule(
                at,
                TimerKind::Escalation {
                    request: id.clone(),
                    step: step + 1,
                },
            );
        }
    }

    fn escalate(&mut self, r: &Request, step: u32, current: &EscalationStep) {
        let now = self.now;
        let id = r.id.clone();
        if let Some(r) = self.request_mut(&id) {
            r.record(now, None, Event::Escalated { step: step + 1 });
        }
        let waited = self
            .rules
            .department(&r.department)
            .map(|d| {
                d.service
                    .calendar_for(r.priority)
                    .between(r.created_at, now)
            })
            .unwrap_or_default();
        let why = match current.until {
            Until::FirstResponse => "escalation-unanswered",
            Until::Resolution => "escalation-unresolved",
        };
        let mentioned: Vec<Arg> = current
            .notify
            .iter()
            .filter_map(|n| match n {
                Notify::User(u) => Some(Arg::User(UserRef::new(r.platform(), u.clone()))),
                Notify::Group(g) => Some(Arg::Group(g.clone())),
                Notify::Channel(_) => None,
            })
            .collect();
        let what = Text::new(why)
            .arg("id", Arg::strong(&id))
            .arg("waited", Arg::duration(waited))
            .arg("step", u64::from(step + 1));
        if !mentioned.is_empty() {
            let line = Text::new("escalation-thread")
                .arg("who", Arg::List(mentioned))
                .arg("what", what.clone());
            self.send(Outgoing::ThreadPost {
                request: id.clone(),
                msg: Message::with_choices(
                    line,
                    if r.first_response_at.is_none() {
                        vec![Choice::new(
                            Text::new("button-claim"),
                            Action::Claim(id.clone()),
                        )]
                    } else {
                        Vec::new()
                    },
                ),
            });
        }
        for n in &current.notify {
            if let Notify::Channel(channel) = n {
                // A confidential department's request is named by its id alone.
                let text = if self.rules.is_confidential(&r.department) {
                    Text::new("escalation-channel-hidden")
                } else {
                    Text::new("escalation-channel")
                        .arg("summary", super::text::clip(&r.summary, 80))
                };
                self.send(Outgoing::ChannelPost {
                    channel: channel.clone(),
                    request: id.clone(),
                    msg: Message::text(
                        text.arg("what", what.clone())
                            .arg("card", Arg::CardLink(id.clone())),
                    ),
                });
            }
        }
    }

    /// Stops the resolution reminders and the ladder of a request that ended.
    pub(super) fn stop_service_clocks(&mut self, id: &RequestId) {
        self.cancel_timers(TimerFilter::ServiceLevels(id.clone()));
    }
}
