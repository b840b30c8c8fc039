//! What a step is shown before it decides: [`Snapshot`], where it is read from
//! ([`SnapshotSource`]), and the one rule for what an input needs loaded ([`load_snapshot`]).

use super::{survey, Action, Input, Request, RequestId, Rules, Session, Timestamp, UserRef};
use std::collections::BTreeMap;

/// What the core is shown before it decides.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Snapshot {
    /// The acting user's session (empty when there is no actor or nothing is remembered).
    pub session: Session,
    /// The requests the input names, plus the actor's own requests that are still active or
    /// awaiting a survey answer ([`Request::needs_attention`]).
    pub requests: Vec<Request>,
    /// The number the next request of the draft's department would get.
    pub next_number: u64,
    /// For a request the input may close, sending a survey, while a survey cooldown is set:
    /// when its requester was last sent a survey about another of their requests. Absent
    /// when they never were, or when nothing needed it.
    pub last_survey_elsewhere: BTreeMap<RequestId, Timestamp>,
    /// Active requests of the departments the input looks across: the acting agent's
    /// departments for the queue, the draft's department for an assignment by load.
    pub department_requests: Vec<Request>,
}

/// Where the shell reads what a step is shown: the store, or an in-memory world in tests.
pub trait SnapshotSource {
    type Error;
    /// The user's session; empty when nothing is remembered.
    fn session(&self, user: &UserRef) -> Result<Session, Self::Error>;
    fn request(&self, id: &RequestId) -> Result<Option<Request>, Self::Error>;
    /// The user's requests that [need attention](Request::needs_attention), oldest first. A source may
    /// return more of the user's requests (it may only narrow by an index); the others are
    /// left out of the snapshot.
    fn requests_needing_attention(&self, user: &UserRef) -> Result<Vec<Request>, Self::Error>;
    /// The number the next request with this prefix would get.
    fn next_number(&self, prefix: &str) -> Result<u64, Self::Error>;
    /// All of the user's requests, whatever their status. Read only for a close while a
    /// survey cooldown is set, to find when the requester was last sent a survey.
    fn all_requests_of(&self, user: &UserRef) -> Result<Vec<Request>, Self::Error>;
    /// The department's active requests (open, claimed, waiting on the requester).
    fn active_requests(&self, department: &str) -> Result<Vec<Request>, Self::Error>;
}

/// What an input needs loaded before [`step`](super::step): the actor's session, the requests the input
/// names ([`Input::named_requests`]), then the actor's other requests that need attention, and
/// the next number of the department the actor's draft is for (0 without one). For a close
/// that may send a survey (`survey::may_ask`) while a survey cooldown is set, also when the
/// closed request's requester was last sent a survey about another request
/// (`survey::last_survey_elsewhere`, over all their requests).
///
/// # Errors
/// Only the source's.
pub fn load_snapshot<S: SnapshotSource>(
    source: &S,
    input: &Input,
    rules: &Rules,
) -> Result<Snapshot, S::Error> {
    let actor = input.actor();
    let session = match actor {
        Some(a) => source.session(a)?,
        None => Session::default(),
    };
    let mut requests: Vec<Request> = Vec::new();
    for id in input.named_requests() {
        if let Some(r) = source.request(&id)? {
            requests.push(r);
        }
    }
    let mut last_survey_elsewhere = BTreeMap::new();
    if let (Some(closer), true) = (actor, closes(input)) {
        let cooldown = rules.survey_cooldown > chrono::Duration::zero();
        for r in requests
            .iter()
            .filter(|r| cooldown && survey::may_ask(rules, r, closer))
        {
            let theirs = source.all_requests_of(&r.requester)?;
            if let Some(at) = survey::last_survey_elsewhere(&theirs, &r.requester, &r.id) {
                last_survey_elsewhere.insert(r.id.clone(), at);
            }
        }
    }
    if let Some(a) = actor {
        for r in source.requests_needing_attention(a)? {
            if &r.requester == a && r.needs_attention() && !requests.iter().any(|x| x.id == r.id) {
                requests.push(r);
            }
        }
    }
    let form_prefix = match input {
        Input::FormSubmitted { form, .. } => rules
            .department(&form.department)
            .map(|d| d.prefix.as_str()),
        _ => None,
    };
    let next_number = match form_prefix
        .or_else(|| capture_prefix(input, &session, rules))
        .or_else(|| numbering_prefix(&session, rules))
    {
        Some(prefix) => source.next_number(prefix)?,
        None => 0,
    };
    let mut department_requests = Vec::new();
    for department in super::queue::departments_to_load(input, &session, rules) {
        department_requests.extend(source.active_requests(&department)?);
    }
    Ok(Snapshot {
        session,
        requests,
        next_number,
        last_survey_elsewhere,
        department_requests,
    })
}

/// Whether the input may close a request (and so send a survey).
fn closes(input: &Input) -> bool {
    matches!(
        input,
        Input::ButtonClicked {
            action: Action::Close(_),
            ..
        } | Input::CloseReactionAdded { .. }
    )
}

/// The prefix whose next number a snapshot carries: that of the department the session's
/// draft is for, once the draft has one the rules know.
pub fn numbering_prefix<'r>(session: &Session, rules: &'r Rules) -> Option<&'r str> {
    let department = session.draft.as_ref()?.department.as_deref()?;
    rules.department(department).map(|d| d.prefix.as_str())
}

/// The prefix of the department a captured message would be filed in: the one the channel
/// or its words name, or the one the asker just picked for the message waiting in their
/// session.
fn capture_prefix<'r>(input: &Input, session: &Session, rules: &'r Rules) -> Option<&'r str> {
    let department = match input {
        Input::MessageCaptured { capture } => super::capture_department(capture, rules),
        Input::ButtonClicked {
            action: Action::PickDepartment(d),
            ..
        } if session.capture.is_some() => rules.department(d),
        _ => None,
    }?;
    Some(department.prefix.as_str())
}
