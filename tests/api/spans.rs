//! Log lines of concurrent deliveries carry their own delivery's span.
//!
//! The subscriber that captures them is this test thread's own. Other tests reach the same
//! callsites at the same time from threads without one; so that tracing does not cache those
//! callsites as never interesting, the binary's global subscriber ([`crate::helpers::logs`],
//! installed once) answers "sometimes" for every callsite.

use async_trait::async_trait;
use chrono::TimeZone;
use frontdesk::config::Config;
use frontdesk::core::{Outgoing, Platform, UserRef};
use frontdesk::store::{OutboxItem, Store};
use frontdesk::Engine;
use frontdesk::ManualClock;
use frontdesk::{Delivered, Deliverer, DeliveryError, OutboxWorker, RetryPolicy};
use std::sync::{Arc, Mutex};

/// Pulls one u64 field out of a span's or an event's fields.
struct U64Field(&'static str, Option<u64>);

impl tracing::field::Visit for U64Field {
    fn record_u64(&mut self, field: &tracing::field::Field, value: u64) {
        if field.name() == self.0 {
            self.1 = Some(value);
        }
    }

    fn record_debug(&mut self, _: &tracing::field::Field, _: &dyn std::fmt::Debug) {}
}

/// An event's `item` field, and the `outbox_id` of the span it was logged in.
type ItemAndSpan = (u64, Option<u64>);

/// Every event with an `item` field, with its span's outbox id.
#[derive(Clone, Default)]
struct SpanOfEvents(Arc<Mutex<Vec<ItemAndSpan>>>);

struct OutboxId(u64);

impl<S> tracing_subscriber::Layer<S> for SpanOfEvents
where
    S: tracing::Subscriber + for<'a> tracing_subscriber::registry::LookupSpan<'a>,
{
    fn on_new_span(
        &self,
        attrs: &tracing::span::Attributes<'_>,
        id: &tracing::span::Id,
        ctx: tracing_subscriber::layer::Context<'_, S>,
    ) {
        let mut field = U64Field("outbox_id", None);
        attrs.record(&mut field);
        if let (Some(v), Some(span)) = (field.1, ctx.span(id)) {
            span.extensions_mut().insert(OutboxId(v));
        }
    }

    fn on_event(&self, event: &tracing::Event<'_>, ctx: tracing_subscriber::layer::Context<'_, S>) {
        let mut item = U64Field("item", None);
        event.record(&mut item);
        let Some(item) = item.1 else { return };
        let span = ctx.event_scope(event).and_then(|scope| {
            scope
                .into_iter()
                .find_map(|s| s.extensions().get::<OutboxId>().map(|o| o.0))
        });
        self.0.lock().unwrap().push((item, span));
    }
}

/// Logs at the start and the end of each delivery, and holds every delivery until all of them
/// are under way, so their halves interleave on one thread.
struct Interleaving {
    together: tokio::sync::Barrier,
}

#[async_trait]
impl Deliverer for Interleaving {
    async fn deliver(&self, item: &OutboxItem) -> Result<Delivered, DeliveryError> {
        tracing::info!(item = item.id, "delivery starts");
        self.together.wait().await;
        tracing::info!(item = item.id, "delivery ends");
        Ok(Delivered::default())
    }
}

#[tokio::test]
async fn log_lines_of_concurrent_deliveries_carry_their_own_outbox_id() {
    use tracing_subscriber::layer::SubscriberExt;
    crate::helpers::logs::init();
    let seen = SpanOfEvents::default();
    let _logging =
        tracing::subscriber::set_default(tracing_subscriber::registry().with(seen.clone()));
    let dir = tempfile::tempdir().unwrap();
    let c = Config::builtin_default();
    let clock = Arc::new(ManualClock::new(
        chrono::Utc.with_ymd_and_hms(2026, 11, 2, 9, 0, 0).unwrap(),
    ));
    let engine = Engine::start(Arc::new(Store::open(dir.path()).unwrap()), c.rules(), clock);
    let now = engine.now();
    let dms: Vec<_> = (0..4)
        .map(|i| {
            let to = UserRef::new(Platform::Console, format!("u{i}"));
            let msg = frontdesk::core::Message::text(frontdesk::core::Text::plain("hi"));
            (
                Platform::Console,
                Outgoing::Dm {
                    to,
                    msg,
                    about: None,
                },
            )
        })
        .collect();
    engine
        .write(move |s| {
            s.commit_step(frontdesk::store::StepWrite {
                outbox: dms,
                ..frontdesk::store::StepWrite::at(now)
            })
        })
        .await
        .unwrap()
        .unwrap();
    let policy = RetryPolicy {
        initial_backoff: c.outbox.initial_backoff,
        max_backoff: c.outbox.max_backoff,
        give_up_after: c.outbox.give_up_after,
    };
    let worker = OutboxWorker::new(engine.clone(), policy, 8).with_deliverer(
        Platform::Console,
        Arc::new(Interleaving {
            together: tokio::sync::Barrier::new(4),
        }),
    );
    let stop = tokio_util::sync::CancellationToken::new();
    let running = tokio::spawn(worker.run(stop.clone()));
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(10);
    while engine.store().outbox_len() > 0 && tokio::time::Instant::now() < deadline {
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
    stop.cancel();
    running.await.unwrap();
    let seen = seen.0.lock().unwrap().clone();
    assert_eq!(seen.len(), 8, "{seen:?}");
    for (item, span) in seen {
        assert_eq!(
            span,
            Some(item),
            "a line about item {item} was logged in another delivery's span"
        );
    }
}
