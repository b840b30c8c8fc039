//! CPU cost of the desk's logic: one full request lifecycle (intake, submit, claim, a message
//! each way, close, rating, comment) through `core::step`, with no store and no I/O.
//!
//! Run with `cargo bench --bench core`.

use chrono::TimeZone;
use criterion::{black_box, criterion_group, criterion_main, Criterion};
use frontdesk::config::Config;
use frontdesk::core::{
    step, Action, Input, Place, Platform, PostRef, Request, RequestId, Rules, Session, Snapshot,
    UserRef,
};

fn lifecycle(rules: &Rules) -> Request {
    let now = chrono::Utc.with_ymd_and_hms(2026, 11, 2, 9, 0, 0).unwrap();
    let carol = UserRef::new(Platform::Slack, "U_CAROL");
    let alice = UserRef::new(Platform::Slack, "U_ALICE");
    let id = RequestId::new("IT", 1);
    let mut session = Session::default();
    let mut request: Option<Request> = None;
    let run = |input: Input,
               session: &mut Session,
               request: &mut Option<Request>,
               actor_is_carol: bool| {
        let snapshot = Snapshot {
            session: if actor_is_carol {
                session.clone()
            } else {
                Session::default()
            },
            requests: request.iter().cloned().collect(),
            next_number: 1,
            ..Snapshot::default()
        };
        let t = step(snapshot, input, now, rules);
        if actor_is_carol {
            *session = t.session;
        }
        if let Some(r) = t.requests.into_iter().next() {
            *request = Some(r);
        }
    };
    let say = |text: &str| Input::MessageReceived {
        user: carol.clone(),
        text: text.into(),
        place: Place::Direct { about: None },
    };
    run(
        Input::CommandInvoked {
            user: carol.clone(),
            text: "my laptop won't boot".into(),
        },
        &mut session,
        &mut request,
        true,
    );
    for answer in ["yes", "ThinkPad X1", "high", "submit"] {
        run(say(answer), &mut session, &mut request, true);
    }
    run(
        Input::ButtonClicked {
            user: alice.clone(),
            action: Action::Claim(id.clone()),
            post: None,
        },
        &mut session,
        &mut request,
        false,
    );
    run(
        Input::MessageReceived {
            user: alice.clone(),
            text: "On my way".into(),
            place: Place::CardThread {
                request: id.clone(),
                post: PostRef::new(Platform::Slack, "C0IT", "1.2"),
            },
        },
        &mut session,
        &mut request,
        false,
    );
    run(say("thanks!"), &mut session, &mut request, true);
    run(
        Input::CloseReactionAdded {
            user: alice.clone(),
            request: id.clone(),
        },
        &mut session,
        &mut request,
        false,
    );
    run(
        Input::ButtonClicked {
            user: carol.clone(),
            action: Action::Rate(id.clone(), 5),
            post: None,
        },
        &mut session,
        &mut request,
        true,
    );
    run(say("great"), &mut session, &mut request, true);
    request.expect("the lifecycle created a request")
}

fn bench(c: &mut Criterion) {
    let rules = Config::builtin_default().rules();
    let done = lifecycle(&rules);
    assert_eq!(done.survey.rating, Some(5));
    assert_eq!(done.survey.comment.as_deref(), Some("great"));
    c.bench_function(
        "core: full lifecycle, intake to survey comment (11 steps)",
        |b| b.iter(|| black_box(lifecycle(black_box(&rules)))),
    );
}

criterion_group!(benches, bench);
criterion_main!(benches);
