//! `frontdesk privacy export|erase` and `frontdesk audit verify|export`: one person's data,
//! removing their words, and checking the audit log. Erasure is a write, so on a running
//! server it runs on the writer thread like every other change.

use super::{users_matching, AdminError};
use crate::core::{erase_person, person_data, Session, Timestamp};
use crate::store::{AuditRecord, DeskStore, StepWrite};

/// Everything stored about a person, as pretty JSON.
pub(super) fn export(store: &dyn DeskStore, user: &str) -> Result<String, AdminError> {
    let users = users_matching(user);
    let requests: Vec<_> = store.all_requests().collect::<Result<_, _>>()?;
    let sessions: Vec<Session> = users
        .iter()
        .map(|u| store.session(u))
        .collect::<Result<_, _>>()?;
    let data = person_data(user, &users, &requests, sessions);
    Ok(format!(
        "{}\n",
        serde_json::to_string_pretty(&data).expect("plain data serialises")
    ))
}

/// Removes the person's words from every request and their drafts, and logs that it did.
pub(super) fn erase(
    store: &dyn DeskStore,
    user: &str,
    now: Timestamp,
) -> Result<String, AdminError> {
    let mut out = String::new();
    for person in users_matching(user) {
        let mut changed = Vec::new();
        for request in store.all_requests() {
            let mut request = request?;
            if erase_person(&mut request, &person) {
                changed.push(request);
            }
        }
        let had_session = !store.session(&person)?.is_empty();
        if changed.is_empty() && !had_session {
            continue;
        }
        let empty = Session::default();
        let note = AuditRecord {
            at: now,
            request: None,
            actor: None,
            event: "erasure".into(),
            detail: format!(
                "user={person} requests={} draft={}",
                changed.len(),
                had_session
            ),
        };
        store.commit_step(StepWrite {
            session: had_session.then_some((&person, &empty)),
            requests: &changed,
            audit: std::slice::from_ref(&note),
            ..StepWrite::at(now)
        })?;
        out.push_str(&format!(
            "erased {person}: their words in {} request(s){}\n",
            changed.len(),
            if had_session { " and their draft" } else { "" }
        ));
    }
    store.flush()?;
    if out.is_empty() {
        out = format!("nothing stored for {user}: nothing to erase\n");
    }
    Ok(out)
}

/// The audit log as JSON lines.
pub(super) fn audit_export(store: &dyn DeskStore) -> Result<String, AdminError> {
    let mut out = String::new();
    for entry in store.audit_entries() {
        out.push_str(&serde_json::to_string(&entry?).expect("plain data serialises"));
        out.push('\n');
    }
    Ok(out)
}

/// Checks the chain; a broken one is a failed check (exit 1).
pub(super) fn audit_verify(store: &dyn DeskStore) -> Result<String, AdminError> {
    let report = store.verify_audit()?;
    match report.problem {
        None => Ok(format!(
            "audit log: {} entries, the chain holds\n",
            report.entries
        )),
        Some(problem) => Err(AdminError::CheckFailed(format!("audit log: {problem}"))),
    }
}
