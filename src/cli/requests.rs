//! `frontdesk requests list|show|export` and `frontdesk stats`.

use anyhow::{bail, Context};
use frontdesk::core::{Platform, Request, RequestId, Status, UserRef};
use frontdesk::report;
use frontdesk::store::Store;
use std::process::ExitCode;

fn users_matching(arg: &str) -> Vec<UserRef> {
    match UserRef::parse(arg) {
        Some(u) => vec![u],
        // A bare id: the same id on any platform.
        None => [Platform::Console, Platform::Slack, Platform::Teams]
            .into_iter()
            .map(|p| UserRef::new(p, arg))
            .collect(),
    }
}

pub fn list(store: &Store, status: Option<&str>, user: Option<&str>) -> anyhow::Result<ExitCode> {
    let status = match status {
        Some(s) => Some(Status::parse(s).with_context(|| {
            format!("unknown status {s:?}: use open, claimed, closed or cancelled")
        })?),
        None => None,
    };
    let mut requests: Vec<Request> = match (user, status) {
        (Some(u), _) => {
            let mut v = Vec::new();
            for u in users_matching(u) {
                v.extend(store.requests_of_user(&u, status)?);
            }
            v
        }
        (None, Some(s)) => store.requests_with_status(s)?,
        (None, None) => store.all_requests().collect::<Result<_, _>>()?,
    };
    requests.sort_by(|a, b| a.created_at.cmp(&b.created_at).then(a.id.cmp(&b.id)));
    println!("{}", report::list(&requests));
    Ok(ExitCode::SUCCESS)
}

pub fn show(store: &Store, id: &str) -> anyhow::Result<ExitCode> {
    let id = RequestId::parse(id)?;
    match store.request(&id)? {
        Some(r) => {
            println!("{}", report::show(&r));
            Ok(ExitCode::SUCCESS)
        }
        None => bail!("no request {id}"),
    }
}

pub fn export(store: &Store, csv: bool) -> anyhow::Result<ExitCode> {
    let requests: Vec<Request> = store.all_requests().collect::<Result<_, _>>()?;
    if csv {
        print!("{}", report::export_csv(&requests)?);
    } else {
        println!("{}", report::export_json(&requests));
    }
    Ok(ExitCode::SUCCESS)
}

pub fn stats(store: &Store, json: bool) -> anyhow::Result<ExitCode> {
    let requests = store.all_requests().collect::<Result<Vec<_>, _>>()?;
    let stats = report::stats(requests);
    if json {
        println!("{}", serde_json::to_string_pretty(&stats)?);
    } else {
        println!("{}", report::stats_table(&stats));
    }
    Ok(ExitCode::SUCCESS)
}
