//! The desk's shell in-process: engine, scheduler and outbox on a real store with a manual
//! clock and a recording deliverer. Reminders, restarts, retries and dead letters, without a
//! chat platform and without sleeping.

use async_trait::async_trait;
use chrono::{Duration, TimeZone};
use frontdesk::config::Config;
use frontdesk::core::{
    Action, Input, Outgoing, Place, Platform, PostRef, RequestId, Status, UserRef,
};
use frontdesk::store::{OutboxItem, Store};
use frontdesk::Engine;
use frontdesk::ManualClock;
use frontdesk::Scheduler;
use frontdesk::{Attempt, Delivered, Deliverer, DeliveryError, OutboxWorker, RetryPolicy};
use std::collections::VecDeque;
use std::path::Path;
use std::sync::{Arc, Mutex};

/// Records what it delivers; fails with the queued errors first.
#[derive(Default)]
struct Recorder {
    sent: Mutex<Vec<Outgoing>>,
    failures: Mutex<VecDeque<DeliveryError>>,
}

/// A message's words in English, as Slack would show them.
fn words(msg: &frontdesk::core::Message) -> String {
    let catalogs = frontdesk::Catalogs::shipped("en").unwrap();
    frontdesk::Words::new(&catalogs, "en")
        .render(msg, &mut frontdesk::slack::Mrkdwn)
        .text
}

impl Recorder {
    fn sent(&self) -> Vec<Outgoing> {
        self.sent.lock().unwrap().clone()
    }

    fn thread_posts(&self) -> Vec<String> {
        self.sent()
            .into_iter()
            .filter_map(|o| match o {
                Outgoing::ThreadPost { msg, .. } => Some(words(&msg)),
                _ => None,
            })
            .collect()
    }

    fn dms_to(&self, user: &str) -> Vec<String> {
        self.sent()
            .into_iter()
            .filter_map(|o| match o {
                Outgoing::Dm { to, msg, .. } if to.id == user => Some(words(&msg)),
                _ => None,
            })
            .collect()
    }

    fn fail_next(&self, e: DeliveryError) {
        self.failures.lock().unwrap().push_back(e);
    }
}

#[async_trait]
impl Deliverer for Recorder {
    async fn deliver(&self, item: &OutboxItem) -> Result<Delivered, DeliveryError> {
        if let Some(e) = self.failures.lock().unwrap().pop_front() {
            return Err(e);
        }
        self.sent.lock().unwrap().push(item.outgoing.clone());
        let mut d = Delivered::default();
        if let Outgoing::PostCard { request } = &item.outgoing {
            d.card = Some((
                request.clone(),
                PostRef::new(Platform::Console, "#it", request.to_string()),
            ));
        }
        Ok(d)
    }
}

struct Desk {
    engine: Engine,
    outbox: OutboxWorker,
    scheduler: Scheduler,
    clock: Arc<ManualClock>,
    recorder: Arc<Recorder>,
}

fn config() -> Config {
    let mut c = Config::builtin_default();
    let it = c.departments.iter_mut().find(|d| d.id == "it").unwrap();
    it.escalate_to = "itlead".into();
    it.first_response_sla = std::time::Duration::from_secs(4 * 3600);
    it.remind_every = std::time::Duration::from_secs(2 * 3600);
    c.scheduler.max_burst = 3;
    c.outbox.initial_backoff = std::time::Duration::from_secs(1);
    c.outbox.max_backoff = std::time::Duration::from_secs(60);
    c.outbox.give_up_after = std::time::Duration::from_secs(3600);
    c
}

fn start_at(dir: &Path, clock: Arc<ManualClock>) -> Desk {
    let c = config();
    let store = Arc::new(Store::open(dir).unwrap());
    let engine = Engine::start(store, c.rules(), clock.clone());
    let recorder = Arc::new(Recorder::default());
    let policy = RetryPolicy {
        initial_backoff: c.outbox.initial_backoff,
        max_backoff: c.outbox.max_backoff,
        give_up_after: c.outbox.give_up_after,
    };
    let outbox = OutboxWorker::new(engine.clone(), policy, 8)
        .with_deliverer(Platform::Console, recorder.clone());
    let scheduler = Scheduler::new(engine.clone(), c.scheduler.max_burst);
    Desk {
        engine,
        outbox,
        scheduler,
        clock,
        recorder,
    }
}

fn start(dir: &Path) -> Desk {
    start_at(
        dir,
        Arc::new(ManualClock::new(
            chrono::Utc.with_ymd_and_hms(2026, 11, 2, 9, 0, 0).unwrap(),
        )),
    )
}

fn user(id: &str) -> UserRef {
    UserRef::new(Platform::Console, id)
}

impl Desk {
    async fn input(&self, input: Input) {
        self.engine.handle(input, None).await.unwrap();
    }

    async fn say(&self, who: &str, text: &str) {
        self.input(Input::MessageReceived {
            user: user(who),
            text: text.into(),
            place: Place::Direct { about: None },
        })
        .await;
    }

    async fn click(&self, who: &str, action: Action) {
        self.input(Input::ButtonClicked {
            user: user(who),
            action,
            post: None,
        })
        .await;
    }

    /// `/help-it my laptop …` through to submit; returns the new id.
    async fn submit_it_request(&self, who: &str) -> RequestId {
        self.input(Input::CommandInvoked {
            user: user(who),
            text: "my laptop won't boot".into(),
        })
        .await;
        for answer in ["yes", "ThinkPad", "high", "submit"] {
            self.say(who, answer).await;
        }
        self.outbox.drain().await.unwrap();
        let requests = self
            .engine
            .store()
            .requests_of_user(&user(who), None)
            .unwrap();
        requests.last().expect("the request was created").id.clone()
    }

    async fn advance_and_fire(&self, by: Duration) -> usize {
        self.clock.advance(by);
        let mut fired = 0;
        loop {
            let n = self.scheduler.fire_due().await.unwrap();
            fired += n;
            if n == 0 {
                break;
            }
        }
        self.outbox.drain().await.unwrap();
        fired
    }
}

#[tokio::test]
async fn an_unanswered_request_is_chased_every_interval_until_someone_claims_it() {
    let dir = tempfile::tempdir().unwrap();
    let desk = start(dir.path());
    let id = desk.submit_it_request("carol").await;
    assert_eq!(
        desk.advance_and_fire(Duration::hours(3)).await,
        0,
        "nothing before the service level"
    );
    assert_eq!(desk.advance_and_fire(Duration::hours(1)).await, 1);
    let posts = desk.recorder.thread_posts();
    assert_eq!(posts.len(), 1);
    assert!(
        posts[0].contains("<@itlead>") && posts[0].contains(&id.to_string()),
        "{posts:?}"
    );
    assert!(posts[0].contains("4h"), "{posts:?}");
    assert_eq!(
        desk.advance_and_fire(Duration::hours(2)).await,
        1,
        "repeated every remind_every"
    );
    assert_eq!(desk.recorder.thread_posts().len(), 2);

    desk.click("alice", Action::Claim(id.clone())).await;
    assert_eq!(
        desk.engine
            .store()
            .timers_for_owner(&format!("req:{id}"))
            .unwrap()
            .len(),
        0
    );
    assert_eq!(
        desk.advance_and_fire(Duration::hours(10)).await,
        0,
        "a response stops the chase"
    );
    assert_eq!(desk.recorder.thread_posts().len(), 2);
    let r = desk.engine.store().request(&id).unwrap().unwrap();
    assert_eq!(r.reminders_sent, 2);
}

#[tokio::test]
async fn an_unanswered_survey_is_reminded_once() {
    let dir = tempfile::tempdir().unwrap();
    let desk = start(dir.path());
    let id = desk.submit_it_request("carol").await;
    desk.click("alice", Action::Close(id.clone())).await;
    desk.outbox.drain().await.unwrap();
    let before = desk.recorder.dms_to("carol").len();
    assert_eq!(desk.advance_and_fire(Duration::hours(24)).await, 1);
    let dms = desk.recorder.dms_to("carol");
    assert_eq!(dms.len(), before + 1);
    assert!(dms.last().unwrap().contains("quick reminder"), "{dms:?}");
    assert_eq!(
        desk.advance_and_fire(Duration::hours(48)).await,
        0,
        "only once"
    );
}

#[tokio::test]
async fn an_abandoned_draft_expires_and_the_user_is_told_how_to_start_again() {
    let dir = tempfile::tempdir().unwrap();
    let desk = start(dir.path());
    desk.input(Input::CommandInvoked {
        user: user("dave"),
        text: String::new(),
    })
    .await;
    assert_eq!(desk.engine.store().active_drafts(), 1);
    desk.advance_and_fire(Duration::hours(1)).await;
    desk.say("dave", "2").await; // keeps the draft alive: the timeout counts from the last answer
    assert_eq!(
        desk.advance_and_fire(Duration::minutes(90)).await,
        1,
        "the first expiry check reschedules"
    );
    assert_eq!(desk.engine.store().active_drafts(), 1);
    desk.advance_and_fire(Duration::minutes(30)).await;
    assert_eq!(desk.engine.store().active_drafts(), 0);
    let dms = desk.recorder.dms_to("dave");
    assert!(dms.last().unwrap().contains("expired after 2h"), "{dms:?}");
}

#[tokio::test]
async fn reminders_that_fell_due_while_stopped_fire_once_after_a_restart_in_capped_bursts() {
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(ManualClock::new(
        chrono::Utc.with_ymd_and_hms(2026, 11, 2, 9, 0, 0).unwrap(),
    ));
    {
        let desk = start_at(dir.path(), clock.clone());
        for who in ["u1", "u2", "u3", "u4", "u5"] {
            desk.submit_it_request(who).await;
        }
        desk.engine.close();
    }
    // Down for five hours: every request passed its service level.
    clock.advance(Duration::hours(5));
    let desk = start_at(dir.path(), clock.clone());
    assert_eq!(desk.scheduler.due_count(), 5);
    assert_eq!(
        desk.scheduler.fire_due().await.unwrap(),
        3,
        "a burst is capped at max_burst"
    );
    assert_eq!(desk.scheduler.fire_due().await.unwrap(), 2);
    assert_eq!(
        desk.scheduler.fire_due().await.unwrap(),
        0,
        "nothing fires twice"
    );
    desk.outbox.drain().await.unwrap();
    assert_eq!(desk.recorder.thread_posts().len(), 5);
    // Each request has exactly its next-round reminder pending, not a duplicate.
    assert_eq!(desk.engine.store().timer_count(), 5);
}

#[tokio::test]
async fn a_message_decided_before_a_crash_is_delivered_after_the_restart() {
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(ManualClock::new(
        chrono::Utc.with_ymd_and_hms(2026, 11, 2, 9, 0, 0).unwrap(),
    ));
    {
        let desk = start_at(dir.path(), clock.clone());
        desk.input(Input::CommandInvoked {
            user: user("erin"),
            text: "the vpn is down".into(),
        })
        .await;
        // No delivery happens: the process "dies" here with the question still in the outbox.
        assert!(desk.recorder.sent().is_empty());
        desk.engine.close();
    }
    let desk = start_at(dir.path(), clock);
    assert_eq!(desk.engine.store().outbox_len(), 1);
    desk.outbox.drain().await.unwrap();
    let dms = desk.recorder.dms_to("erin");
    assert_eq!(dms.len(), 1);
    assert!(
        dms[0].contains("It sounds like a request for *IT*"),
        "{dms:?}"
    );
    assert_eq!(desk.engine.store().outbox_len(), 0);
}

#[tokio::test]
async fn a_rate_limited_delivery_waits_at_least_retry_after_then_succeeds() {
    let dir = tempfile::tempdir().unwrap();
    let desk = start(dir.path());
    desk.recorder.fail_next(DeliveryError::Retry {
        reason: "chat.postMessage: ratelimited".into(),
        after: Some(std::time::Duration::from_secs(7)),
    });
    desk.say("frank", "new request").await;
    let now = desk.clock.now_for_tests();
    match desk.outbox.try_deliver_next().await.unwrap() {
        Attempt::Retrying { at, .. } => assert!(at >= now + Duration::seconds(7), "{at} vs {now}"),
        other => panic!("expected a retry, got {other:?}"),
    }
    assert!(matches!(
        desk.outbox.try_deliver_next().await.unwrap(),
        Attempt::Idle(Some(_))
    ));
    desk.clock.advance(Duration::seconds(7));
    assert!(matches!(
        desk.outbox.try_deliver_next().await.unwrap(),
        Attempt::Delivered(_)
    ));
    assert_eq!(desk.recorder.dms_to("frank").len(), 1);
    let item_errors = desk
        .outbox
        .stats
        .failed
        .load(std::sync::atomic::Ordering::Relaxed);
    assert_eq!(item_errors, 1);
}

#[tokio::test]
async fn permanent_failures_and_expired_retries_become_dead_letters_that_can_be_retried() {
    let dir = tempfile::tempdir().unwrap();
    let desk = start(dir.path());
    desk.recorder.fail_next(DeliveryError::Permanent(
        "chat.postMessage: not_in_channel: invite the bot to #it".into(),
    ));
    desk.say("gina", "new request").await;
    assert!(matches!(
        desk.outbox.try_deliver_next().await.unwrap(),
        Attempt::DeadLettered(_)
    ));
    let dead = desk.engine.store().dead_letters().unwrap();
    assert_eq!(dead.len(), 1);
    assert!(dead[0]
        .last_error
        .as_deref()
        .unwrap()
        .contains("invite the bot"));

    // Transient failures past outbox.give_up_after also end in the dead letters.
    for _ in 0..200 {
        desk.recorder.fail_next(DeliveryError::Retry {
            reason: "HTTP 500".into(),
            after: None,
        });
    }
    desk.say("hank", "new request").await;
    let mut dead_lettered = false;
    for _ in 0..200 {
        match desk.outbox.try_deliver_next().await.unwrap() {
            Attempt::DeadLettered(_) => {
                dead_lettered = true;
                break;
            }
            Attempt::Idle(Some(at)) => desk.clock.set(at),
            _ => {}
        }
    }
    assert!(
        dead_lettered,
        "a message failing for longer than give_up_after is given up on"
    );
    assert_eq!(desk.engine.store().dead_letter_len(), 2);

    desk.recorder.failures.lock().unwrap().clear();
    let id = dead[0].id;
    let now = desk.clock.now_for_tests();
    desk.engine
        .write(move |s| s.retry_dead_letter(id, now))
        .await
        .unwrap()
        .unwrap();
    desk.outbox.drain().await.unwrap();
    assert_eq!(desk.recorder.dms_to("gina").len(), 1);
}

#[tokio::test]
async fn concurrent_users_each_get_their_own_request_numbers_with_no_gaps() {
    let dir = tempfile::tempdir().unwrap();
    let desk = Arc::new(start(dir.path()));
    let mut tasks = Vec::new();
    for i in 0..20 {
        let desk = desk.clone();
        tasks.push(tokio::spawn(async move {
            desk.submit_it_request(&format!("user{i}")).await
        }));
    }
    let mut ids: Vec<u64> = Vec::new();
    for t in tasks {
        ids.push(t.await.unwrap().number());
    }
    ids.sort_unstable();
    assert_eq!(ids, (1..=20).collect::<Vec<_>>());
    assert_eq!(
        desk.engine.store().count_with_status(Status::Open).unwrap(),
        20
    );
}

/// A small extension so tests can read the manual clock through the trait.
trait NowForTests {
    fn now_for_tests(&self) -> frontdesk::core::Timestamp;
}

impl NowForTests for ManualClock {
    fn now_for_tests(&self) -> frontdesk::core::Timestamp {
        frontdesk::Clock::now(self)
    }
}

/// Never answers.
struct Hangs;

#[async_trait]
impl Deliverer for Hangs {
    async fn deliver(&self, _item: &OutboxItem) -> Result<Delivered, DeliveryError> {
        std::future::pending().await
    }
}

#[tokio::test(start_paused = true)]
async fn a_platform_that_never_answers_does_not_stall_the_outbox() {
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(ManualClock::new(
        chrono::Utc.with_ymd_and_hms(2026, 11, 2, 9, 0, 0).unwrap(),
    ));
    let c = config();
    let store = Arc::new(Store::open(dir.path()).unwrap());
    let engine = Engine::start(store, c.rules(), clock.clone());
    let policy = RetryPolicy {
        initial_backoff: c.outbox.initial_backoff,
        max_backoff: c.outbox.max_backoff,
        give_up_after: c.outbox.give_up_after,
    };
    let outbox = OutboxWorker::new(engine.clone(), policy, 8)
        .with_deliverer(Platform::Console, Arc::new(Hangs));
    engine
        .handle(
            Input::CommandInvoked {
                user: user("ivy"),
                text: String::new(),
            },
            None,
        )
        .await
        .unwrap();
    // With tokio's clock paused, the delivery timeout elapses at once instead of after 30 s.
    match outbox.try_deliver_next().await.unwrap() {
        Attempt::Retrying { .. } => {}
        other => panic!("expected a retry after the timeout, got {other:?}"),
    }
    let item = &engine.store().outbox_items().unwrap()[0];
    assert!(
        item.last_error.as_deref().unwrap().contains("no answer"),
        "{item:?}"
    );
}

/// The rules of [`config`] with an escalation ladder on IT: mention a lead after 1h, post in
/// C0ESC after 2h.
fn rules_with_ladder() -> frontdesk::core::Rules {
    let mut c = config();
    let it = c.departments.iter_mut().find(|d| d.id == "it").unwrap();
    it.escalation = vec![
        frontdesk::config::EscalationConfig {
            after: std::time::Duration::from_secs(3600),
            notify: vec!["U0LEAD".into()],
            ..Default::default()
        },
        frontdesk::config::EscalationConfig {
            after: std::time::Duration::from_secs(7200),
            notify: vec!["C0ESC".into()],
            ..Default::default()
        },
    ];
    c.rules()
}

// See: issue 14 (escalation steps are durable timers: each fires once, across restarts).
#[tokio::test]
async fn escalation_steps_due_while_stopped_fire_once_after_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(ManualClock::new(
        chrono::Utc.with_ymd_and_hms(2026, 11, 2, 9, 0, 0).unwrap(),
    ));
    {
        let desk = start_at(dir.path(), clock.clone());
        desk.engine.set_rules(rules_with_ladder());
        desk.submit_it_request("carol").await;
        desk.engine.close();
    }
    // Down for three hours: both steps fell due.
    clock.advance(Duration::hours(3));
    {
        let desk = start_at(dir.path(), clock.clone());
        desk.engine.set_rules(rules_with_ladder());
        assert_eq!(desk.advance_and_fire(Duration::zero()).await, 2);
        let escalations: Vec<String> = desk
            .recorder
            .thread_posts()
            .into_iter()
            .filter(|p| p.contains("Escalation"))
            .collect();
        assert_eq!(escalations.len(), 1, "{escalations:?}");
        assert!(escalations[0].starts_with("<@U0LEAD> 🚨 Escalation 1"));
        let channel: Vec<Outgoing> = desk
            .recorder
            .sent()
            .into_iter()
            .filter(|o| matches!(o, Outgoing::ChannelPost { channel, .. } if channel == "C0ESC"))
            .collect();
        assert_eq!(channel.len(), 1);
        desk.engine.close();
    }
    let desk = start_at(dir.path(), clock.clone());
    desk.engine.set_rules(rules_with_ladder());
    desk.advance_and_fire(Duration::hours(1)).await;
    assert!(desk
        .recorder
        .sent()
        .iter()
        .all(|o| !matches!(o, Outgoing::ChannelPost { .. })));
    assert!(desk
        .recorder
        .thread_posts()
        .iter()
        .all(|p| !p.contains("Escalation")));
}
