use super::*;
use crate::core::{HistoryEntry, Platform, RequestId, UserRef};

fn day(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn at(s: &str) -> Timestamp {
    chrono::DateTime::parse_from_rfc3339(s)
        .unwrap()
        .with_timezone(&Utc)
}

fn it() -> Vec<DepartmentTarget> {
    vec![
        DepartmentTarget {
            id: "it".into(),
            name: "IT".into(),
            first_response_sla_secs: 30 * 60,
            confidential: false,
        },
        DepartmentTarget {
            id: "hr".into(),
            name: "HR".into(),
            first_response_sla_secs: 4 * 3600,
            confidential: false,
        },
    ]
}

fn agent_u(id: &str) -> UserRef {
    UserRef::new(Platform::Slack, id)
}

fn entry(t: &str, actor: Option<&str>, event: Event) -> HistoryEntry {
    HistoryEntry {
        at: at(t),
        actor: actor.map(agent_u),
        event,
    }
}

/// A request of IT filed at `filed`, first answered `first_secs` later (claimed by
/// `agent`), and closed at `closed`.
fn closed(n: u64, filed: &str, first_secs: i64, agent: &str, closed: &str) -> Request {
    let mut r = Request::new(
        RequestId::new("IT", n),
        "it",
        agent_u("U1"),
        format!("request {n}"),
        at(filed),
    );
    let first = at(filed) + Duration::seconds(first_secs);
    r.first_response_at = Some(first);
    r.assignee = Some(agent_u(agent));
    r.status = Status::Closed;
    r.closed_at = Some(at(closed));
    r.history = vec![
        entry(filed, Some("U1"), Event::Created),
        HistoryEntry {
            at: first,
            actor: Some(agent_u(agent)),
            event: Event::Claimed,
        },
        entry(closed, Some(agent), Event::Closed),
    ];
    r
}

fn rated(mut r: Request, when: &str, rating: u8, comment: Option<&str>) -> Request {
    r.survey.rating = Some(rating);
    r.history
        .push(entry(when, Some("U1"), Event::Rated { rating }));
    if let Some(c) = comment {
        r.survey.comment = Some(c.into());
        r.history
            .push(entry(when, Some("U1"), Event::Commented { text: c.into() }));
    }
    r
}

#[test]
fn week_of_a_monday_or_a_sunday_is_the_iso_week_that_holds_it() {
    // 2026-11-23 is a Monday, 2026-11-29 the Sunday of the same week.
    assert_eq!(monday_of(day("2026-11-23")), day("2026-11-23"));
    assert_eq!(monday_of(day("2026-11-29")), day("2026-11-23"));
    assert_eq!(monday_of(day("2026-11-30")), day("2026-11-30"));
    let (start, end) = week_bounds(day("2026-11-23"));
    assert_eq!(start, at("2026-11-23T00:00:00Z"));
    assert_eq!(end, at("2026-11-30T00:00:00Z"));
}

#[test]
fn weeks_cross_the_year_boundary_as_iso_weeks_do() {
    // 2026-01-01 is a Thursday: its week starts on Monday 2025-12-29 and is 2026-W01.
    assert_eq!(monday_of(day("2026-01-01")), day("2025-12-29"));
    assert_eq!(monday_of(day("2026-01-04")), day("2025-12-29"));
    let d = digest(Vec::new(), &it(), day("2025-12-29"));
    assert_eq!(d.week, "2026-W01");
    assert_eq!((d.from, d.to), (day("2025-12-29"), day("2026-01-04")));
    // 2027-01-01 is a Friday: it belongs to 2026-W53.
    let d = digest(Vec::new(), &it(), monday_of(day("2027-01-01")));
    assert_eq!(d.week, "2026-W53");
}

#[test]
fn the_last_complete_week_is_the_one_before_the_current_one() {
    // On a Sunday evening the current week is not over yet.
    assert_eq!(
        last_complete_week(at("2026-11-29T23:59:59Z")),
        day("2026-11-16")
    );
    // From Monday 00:00 the week just ended is complete.
    assert_eq!(
        last_complete_week(at("2026-11-30T00:00:00Z")),
        day("2026-11-23")
    );
    assert_eq!(
        last_complete_week(at("2026-01-02T10:00:00Z")),
        day("2025-12-22")
    );
}

#[test]
fn a_week_counts_what_was_resolved_answered_and_rated_in_it() {
    let requests = vec![
        // Filed the week before, closed in the week; first answered before the week.
        closed(1, "2026-11-20T09:00:00Z", 600, "A", "2026-11-24T10:00:00Z"),
        // Filed and closed in the week.
        rated(
            closed(2, "2026-11-24T09:00:00Z", 300, "A", "2026-11-24T11:00:00Z"),
            "2026-11-24T12:00:00Z",
            5,
            None,
        ),
        rated(
            closed(3, "2026-11-25T09:00:00Z", 3600, "B", "2026-11-25T12:00:00Z"),
            "2026-11-25T13:00:00Z",
            4,
            None,
        ),
        rated(
            closed(4, "2026-11-26T09:00:00Z", 900, "B", "2026-11-26T12:00:00Z"),
            "2026-11-26T13:00:00Z",
            2,
            None,
        ),
        // Closed on the next Monday: not this week.
        closed(5, "2026-11-29T23:00:00Z", 60, "A", "2026-11-30T00:00:00Z"),
    ];
    let d = digest(requests, &it(), day("2026-11-23"));
    let it = &d.departments[0];
    assert_eq!(it.department, "it");
    assert!(!it.quiet);
    assert_eq!(it.filed, 4);
    assert_eq!(it.resolved, 4);
    // First answered in the week: 300, 3600, 900 and 60 seconds.
    assert_eq!(it.first_responses, 4);
    assert_eq!(it.median_first_response_secs, Some(600));
    assert_eq!(it.first_response_target_met, Some(true));
    assert_eq!(it.ratings, 3);
    assert_eq!(it.average_rating, Some(11.0 / 3.0));
    let hr = &d.departments[1];
    assert!(hr.quiet);
    assert_eq!(hr.median_first_response_secs, None);
    assert_eq!(hr.first_response_target_met, None);
    assert!(
        text(&d).contains("HR\n  No requests this week."),
        "{}",
        text(&d)
    );
}

#[test]
fn a_median_over_the_target_is_missed() {
    let requests = vec![
        closed(1, "2026-11-24T09:00:00Z", 3600, "A", "2026-11-24T12:00:00Z"),
        closed(2, "2026-11-24T09:00:00Z", 7200, "A", "2026-11-24T12:00:00Z"),
    ];
    let d = digest(requests, &it(), day("2026-11-23"));
    assert_eq!(d.departments[0].median_first_response_secs, Some(5400));
    assert_eq!(d.departments[0].first_response_target_met, Some(false));
    assert!(html(&d).contains("<li class=\"missed\">First response: median 1h 30m"));
    let t = text(&d);
    assert!(
        t.contains("First response: median 1h 30m, target 30m (missed, 2 requests)"),
        "{t}"
    );
}

#[test]
fn the_best_comments_come_first_then_the_most_recent_and_name_the_agent() {
    let c = |n: u64, day: &str, rating: u8, text: &str, agent: &str| {
        rated(
            closed(
                n,
                &format!("{day}T08:00:00Z"),
                60,
                agent,
                &format!("{day}T09:00:00Z"),
            ),
            &format!("{day}T10:00:00Z"),
            rating,
            Some(text),
        )
    };
    let mut unclaimed = c(6, "2026-11-28", 5, "sorted itself out", "X");
    unclaimed.assignee = None;
    unclaimed
        .history
        .retain(|h| !matches!(h.event, Event::Claimed));
    let requests = vec![
        c(1, "2026-11-23", 5, "oldest five", "A"),
        c(2, "2026-11-24", 4, "a four", "B"),
        c(3, "2026-11-25", 5, "newer five", "B"),
        c(4, "2026-11-26", 2, "a complaint", "A"),
        c(5, "2026-11-16", 5, "last week", "A"),
        c(7, "2026-11-27", 5, "   ", "A"),
        unclaimed,
    ];
    let d = digest(requests, &it(), day("2026-11-23"));
    let comments = &d.departments[0].comments;
    let texts: Vec<&str> = comments.iter().map(|c| c.text.as_str()).collect();
    assert_eq!(texts, ["sorted itself out", "newer five", "oldest five"]);
    assert_eq!(comments[0].agent, None);
    assert_eq!(comments[1].agent.as_deref(), Some("slack:B"));
    assert_eq!(comments[1].request, "IT-3");
    let t = text(&d);
    assert!(
        t.contains("\"newer five\" (5/5, IT-3, handled by slack:B)"),
        "{t}"
    );
}

#[test]
fn the_claimer_is_named_when_the_request_has_no_assignee_any_more() {
    let mut r = rated(
        closed(1, "2026-11-24T08:00:00Z", 60, "A", "2026-11-24T09:00:00Z"),
        "2026-11-24T10:00:00Z",
        5,
        Some("thanks"),
    );
    r.assignee = None;
    let d = digest(vec![r], &it(), day("2026-11-23"));
    assert_eq!(
        d.departments[0].comments[0].agent.as_deref(),
        Some("slack:A")
    );
}

#[test]
fn html_escapes_what_people_wrote_and_needs_nothing_else() {
    let r = rated(
        closed(1, "2026-11-24T08:00:00Z", 60, "A", "2026-11-24T09:00:00Z"),
        "2026-11-24T10:00:00Z",
        5,
        Some("<script>alert('x')</script> & \"more\""),
    );
    let mut depts = it();
    depts[0].name = "IT <ops>".into();
    let page = html(&digest(vec![r], &depts, day("2026-11-23")));
    assert!(!page.contains("<script"), "{page}");
    assert!(
        page.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;more&quot;"),
        "{page}"
    );
    assert!(page.contains("<h2>IT &lt;ops&gt;</h2>"), "{page}");
    assert!(
        !page.contains("http://") && !page.contains("https://"),
        "{page}"
    );
    assert!(page.starts_with("<!DOCTYPE html>"));
}

#[test]
fn json_has_the_documented_fields() {
    let d = digest(
        vec![closed(
            1,
            "2026-11-24T08:00:00Z",
            60,
            "A",
            "2026-11-24T09:00:00Z",
        )],
        &it(),
        day("2026-11-23"),
    );
    let v: serde_json::Value = serde_json::from_str(&json(&d)).unwrap();
    assert_eq!(v["week"], "2026-W48");
    assert_eq!(v["from"], "2026-11-23");
    assert_eq!(v["to"], "2026-11-29");
    assert_eq!(v["time_zone"], "UTC");
    let it = &v["departments"][0];
    for key in [
        "department",
        "name",
        "quiet",
        "filed",
        "resolved",
        "first_responses",
        "median_first_response_secs",
        "first_response_target_secs",
        "first_response_target_met",
        "ratings",
        "average_rating",
        "comments",
    ] {
        assert!(it.get(key).is_some(), "{key} missing: {it}");
    }
    assert_eq!(it["resolved"], 1);
    assert_eq!(it["median_first_response_secs"], 60);
}

// See: issue 16 (the digest posted in the channels is the report's, in catalog words).
#[test]
fn the_channel_message_has_the_reports_figures_and_mentions_the_agents() {
    let requests = vec![rated(
        closed(1, "2026-11-24T08:00:00Z", 600, "B", "2026-11-24T09:00:00Z"),
        "2026-11-24T10:00:00Z",
        5,
        Some("quick and kind"),
    )];
    let d = digest(requests, &it(), day("2026-11-23"));
    let msg = message(&d, &d.departments[0]);
    let ids: Vec<&str> = msg.lines.iter().map(|l| l.id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "digest-heading",
            "digest-resolved",
            "digest-first-response-met",
            "digest-rating",
            "digest-said",
            "digest-comment-by"
        ]
    );
    let by = &msg.lines[5];
    assert!(by
        .args
        .iter()
        .any(|(name, arg)| name == "agent" && *arg == crate::core::Arg::User(agent_u("B"))));
    assert!(msg.choices.is_empty());
}

#[test]
fn a_quiet_week_says_so_in_one_line() {
    let d = digest(Vec::new(), &it(), day("2026-11-23"));
    assert!(d.departments[1].quiet);
    let msg = message(&d, &d.departments[1]);
    let ids: Vec<&str> = msg.lines.iter().map(|l| l.id.as_str()).collect();
    assert_eq!(ids, ["digest-heading", "digest-quiet"]);
}

// See: issue 16 (thank-yous are counted in the digest, per agent, for the dashboard too).
#[test]
fn thank_yous_of_the_week_are_counted_per_agent() {
    let thanked = |n: u64, agent: &str, when: &str| {
        let mut r = closed(n, "2026-11-16T08:00:00Z", 60, agent, "2026-11-16T09:00:00Z");
        r.history.push(entry(
            when,
            Some("U1"),
            Event::Thanked {
                agent: agent_u(agent),
                text: String::new(),
            },
        ));
        r
    };
    let requests = vec![
        thanked(1, "A", "2026-11-24T10:00:00Z"),
        thanked(2, "B", "2026-11-25T10:00:00Z"),
        thanked(3, "B", "2026-11-26T10:00:00Z"),
        thanked(4, "A", "2026-11-17T10:00:00Z"),
    ];
    let d = digest(requests, &it(), day("2026-11-23"));
    let it = &d.departments[0];
    assert!(!it.quiet, "a week with thank-yous is not quiet");
    assert_eq!(it.thanks, 3);
    assert_eq!(
        it.thanks_by_agent,
        vec![
            AgentThanks {
                agent: "slack:B".into(),
                count: 2
            },
            AgentThanks {
                agent: "slack:A".into(),
                count: 1
            }
        ]
    );
    assert!(
        text(&d).contains("Thank-yous: 3 (slack:B 2, slack:A 1)"),
        "{}",
        text(&d)
    );
    assert!(json(&d).contains("\"thanks_by_agent\""));
    let ids: Vec<String> = message(&d, it).lines.iter().map(|l| l.id.clone()).collect();
    assert!(ids.contains(&"digest-thanks".to_string()), "{ids:?}");
}

#[test]
fn a_confidential_departments_digest_counts_but_quotes_nobody() {
    let r = rated(
        closed(1, "2026-11-24T08:00:00Z", 60, "A", "2026-11-24T09:00:00Z"),
        "2026-11-24T10:00:00Z",
        5,
        Some("thanks for fixing my salary"),
    );
    let mut targets = it();
    targets[0].confidential = true;
    let d = digest(vec![r], &targets, day("2026-11-23"));
    assert_eq!(d.departments[0].ratings, 1);
    assert!(d.departments[0].comments.is_empty());
    assert!(!format!("{d:?}").contains("salary"));
}
