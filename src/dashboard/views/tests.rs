use super::*;
use crate::core::{Answer, Platform, RequestId, UserRef};

struct Ids;
impl Say for Ids {
    fn say(&self, id: &str) -> String {
        id.to_string()
    }
}

#[test]
fn a_confidential_requests_page_shows_states_and_times_never_words_or_who_asked() {
    let mut config = Config::builtin_default();
    let at = chrono::DateTime::from_timestamp(1_800_000_000, 0).unwrap();
    let mut r = Request::new(
        RequestId::new("HR", 1),
        "hr",
        UserRef::new(Platform::Slack, "USECRET"),
        "my salary is wrong",
        at,
    );
    r.answers.push(Answer {
        field: "topic".into(),
        prompt: "Topic?".into(),
        value: Some("payroll".into()),
    });
    r.record(at, Some(&r.requester.clone()), Event::Created);
    r.record(
        at,
        Some(&UserRef::new(Platform::Slack, "UAGENT")),
        Event::AgentReplied {
            text: "we will fix your salary".into(),
        },
    );
    let page = format!("{:?}", request(&r, &config, &Ids).details);
    assert!(page.contains("payroll"), "an ordinary department shows it");
    config.departments[1].confidential = true;
    let page = request(&r, &config, &Ids);
    let shown = format!(
        "{:?} {:?} {}",
        page.details,
        page.timeline.iter().map(|t| &t.text).collect::<Vec<_>>(),
        page.summary
    );
    for hidden in ["salary", "payroll", "USECRET"] {
        assert!(!shown.contains(hidden), "{hidden} in {shown}");
    }
    assert_eq!(page.timeline.len(), 2, "the timeline's steps stay");
}

fn filed(prefix: &str, department: &str, n: u64, at: Timestamp) -> Request {
    Request::new(
        RequestId::new(prefix, n),
        department,
        UserRef::new(Platform::Slack, "U1"),
        format!("{department} request {n}"),
        at,
    )
}

fn store_with(requests: &[Request]) -> (tempfile::TempDir, crate::store::Store) {
    let dir = tempfile::tempdir().unwrap();
    let store = crate::store::Store::open(dir.path()).unwrap();
    store
        .commit_step(crate::store::StepWrite {
            requests,
            ..crate::store::StepWrite::at(requests[0].created_at)
        })
        .unwrap();
    (dir, store)
}

#[test]
fn the_overview_counts_and_lists_from_the_active_index_with_words_only_where_allowed() {
    let mut config = Config::builtin_default();
    for d in &mut config.departments {
        d.first_response_sla = std::time::Duration::from_secs(3600);
        d.resolution_sla = None;
    }
    config.departments[1].confidential = true;
    let t0 = chrono::DateTime::from_timestamp(1_800_000_000, 0).unwrap();
    let overdue = filed("IT", "it", 1, t0);
    let mut answered = filed("IT", "it", 2, t0);
    answered.status = crate::core::Status::Claimed;
    answered.assignee = Some(UserRef::new(Platform::Slack, "UAGENT"));
    answered.first_response_at = Some(t0 + chrono::Duration::minutes(10));
    let mut waiting = filed("IT", "it", 3, t0);
    waiting.status = crate::core::Status::Waiting;
    let mut closed = filed("IT", "it", 4, t0);
    closed.status = crate::core::Status::Closed;
    let secret = filed("HR", "hr", 1, t0 + chrono::Duration::hours(1));
    let (_dir, store) = store_with(&[overdue, answered, waiting, closed, secret]);

    let o = overview(&store, &config, t0 + chrono::Duration::hours(5), &Ids).unwrap();
    let card = |id: &str| o.departments.iter().find(|c| c.id == id).unwrap();
    assert_eq!((card("it").open, card("it").overdue), (3, 1));
    assert_eq!((card("hr").open, card("hr").overdue), (1, 1));
    assert_eq!(card("finance").open, 0);
    let rows: Vec<(&str, &str)> = o
        .overdue
        .iter()
        .map(|r| (r.id.as_str(), r.summary.as_str()))
        .collect();
    assert_eq!(rows, [("IT-1", "it request 1"), ("HR-1", "")]);
    assert!(!o.overdue_truncated);
}

#[test]
fn the_department_distribution_from_the_weekly_figures_is_that_of_its_requests() {
    let mut config = Config::builtin_default();
    let d = &mut config.departments[0];
    d.first_response_sla = std::time::Duration::from_secs(3600);
    let d = d.clone();
    let now = chrono::DateTime::from_timestamp(1_800_000_000, 0).unwrap();
    let since = data::window_start(now);
    let mut requests = Vec::new();
    // One filed before the window (left out), the rest across its weeks, answered and
    // closed after durations either side of the buckets' bounds.
    for (n, (filed_at, first, closed)) in [
        (since - chrono::Duration::hours(1), 60, 600),
        (since, 899, 3600),
        (since + chrono::Duration::days(20), 900, 3601),
        (since + chrono::Duration::days(40), 901, 86_400),
        (
            since + chrono::Duration::days(60),
            4 * 3600 + 1,
            3 * 86_400 + 1,
        ),
        (now - chrono::Duration::hours(2), 30, 0),
    ]
    .into_iter()
    .enumerate()
    {
        let mut r = filed("IT", "it", n as u64 + 1, filed_at);
        r.first_response_at = Some(filed_at + chrono::Duration::seconds(first));
        if closed > 0 {
            r.status = crate::core::Status::Closed;
            r.closed_at = Some(filed_at + chrono::Duration::seconds(closed));
        }
        requests.push(r);
    }
    let (_dir, store) = store_with(&requests);
    let page = department(&store, &d, now, &Ids).unwrap();

    let in_window: Vec<&Request> = requests.iter().filter(|r| r.created_at >= since).collect();
    let first: Vec<i64> = in_window
        .iter()
        .filter_map(|r| {
            r.first_response_at
                .map(|f| (f - r.created_at).num_seconds())
        })
        .collect();
    let resolution: Vec<i64> = in_window
        .iter()
        .filter_map(|r| r.closed_at.map(|c| (c - r.created_at).num_seconds()))
        .collect();
    assert_eq!((first.len(), resolution.len()), (5, 4));
    let name = format!("{} · dashboard-distribution-chart", d.name);
    let expected = charts::distribution(
        &data::distribution(&first),
        &data::distribution(&resolution),
        &Labels {
            name: &name,
            first: "dashboard-first-response",
            second: "dashboard-resolution",
        },
    );
    assert_eq!(page.distribution_chart, expected);
}
