//! The process-wide tracing subscriber of the test binary, installed once.
//!
//! With `TEST_LOG` set, it prints the desk's logs (debug, without hyper's and sled's). Without,
//! it takes nothing, but it is always registered: every callsite is then "sometimes
//! interesting" and is asked again at each use. A test that captures logs with a subscriber of
//! its own thread (`tracing::subscriber::set_default`, as the spans test does) then sees every
//! line logged on that thread, even when another test, running at the same time on a thread
//! without a subscriber, was the first to reach a callsite: tracing would otherwise cache
//! that callsite as never interesting.

use std::sync::Once;
use tracing::span::{Attributes, Id, Record};
use tracing::subscriber::Interest;
use tracing::{Event, Metadata, Subscriber};

pub fn init() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        if std::env::var_os("TEST_LOG").is_some() {
            let _ = tracing_subscriber::fmt()
                .with_env_filter(tracing_subscriber::EnvFilter::new(
                    "debug,hyper=info,sled=info",
                ))
                .with_test_writer()
                .try_init();
        } else {
            let _ = tracing::subscriber::set_global_default(Undecided);
        }
    });
}

/// Takes nothing, but never lets a callsite be cached as uninteresting.
struct Undecided;

impl Subscriber for Undecided {
    fn register_callsite(&self, _: &'static Metadata<'static>) -> Interest {
        Interest::sometimes()
    }

    fn enabled(&self, _: &Metadata<'_>) -> bool {
        false
    }

    fn new_span(&self, _: &Attributes<'_>) -> Id {
        Id::from_u64(1)
    }

    fn record(&self, _: &Id, _: &Record<'_>) {}

    fn record_follows_from(&self, _: &Id, _: &Id) {}

    fn event(&self, _: &Event<'_>) {}

    fn enter(&self, _: &Id) {}

    fn exit(&self, _: &Id) {}
}
