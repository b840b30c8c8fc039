//! How many deliveries may be in flight at once. The number adapts the way TCP's congestion
//! window does: it doubles while calls succeed quickly (slow start), then grows by about one
//! per round of successes, and halves on a sign of overload (a 429, a timeout, a 5xx), at
//! most once per round, up to the ceiling `outbox.concurrency`.

use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Where the number starts: enough for a quiet desk, and a rate-limited platform is not hit
/// with the whole ceiling at once.
const START: f64 = 8.0;

/// A delivery slower than this is no sign that more would go through.
pub const QUICK: Duration = Duration::from_secs(2);

#[derive(Debug)]
pub struct AdaptiveLimit {
    state: Mutex<State>,
}

#[derive(Debug)]
struct State {
    limit: f64,
    ceiling: usize,
    slow_start: bool,
    /// Deliveries that started before this had their chance to say "overloaded" already.
    last_decrease: Option<Instant>,
}

/// What one finished delivery says about the platform's load.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Signal {
    /// Succeeded within [`QUICK`].
    Quick,
    /// A 429, a timeout, a 5xx or the network.
    Overloaded,
    /// Anything else (slow, refused for a reason of its own, paced): no change.
    Neutral,
}

impl AdaptiveLimit {
    pub fn new(ceiling: usize) -> AdaptiveLimit {
        let ceiling = ceiling.max(1);
        AdaptiveLimit {
            state: Mutex::new(State {
                limit: START.min(ceiling as f64),
                ceiling,
                slow_start: true,
                last_decrease: None,
            }),
        }
    }

    /// How many deliveries may be in flight now.
    pub fn current(&self) -> usize {
        let s = self.state.lock().unwrap_or_else(|e| e.into_inner());
        (s.limit as usize).clamp(1, s.ceiling)
    }

    pub fn ceiling(&self) -> usize {
        self.state.lock().unwrap_or_else(|e| e.into_inner()).ceiling
    }

    /// Takes in how a delivery that started at `started` went.
    pub fn record(&self, signal: Signal, started: Instant) {
        let mut s = self.state.lock().unwrap_or_else(|e| e.into_inner());
        match signal {
            Signal::Quick => {
                let step = if s.slow_start { 1.0 } else { 1.0 / s.limit };
                s.limit = (s.limit + step).min(s.ceiling as f64);
            }
            Signal::Overloaded => {
                // One overload halves once: the deliveries already in flight when it
                // happened report the same overload.
                if s.last_decrease.is_some_and(|at| started <= at) {
                    return;
                }
                s.limit = (s.limit / 2.0).max(1.0);
                s.slow_start = false;
                s.last_decrease = Some(Instant::now());
            }
            Signal::Neutral => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quick_successes_grow_the_limit_up_to_the_ceiling() {
        let limit = AdaptiveLimit::new(64);
        assert_eq!(limit.current(), 8);
        for _ in 0..8 {
            limit.record(Signal::Quick, Instant::now());
        }
        assert_eq!(limit.current(), 16, "slow start doubles per round");
        for _ in 0..1000 {
            limit.record(Signal::Quick, Instant::now());
        }
        assert_eq!(limit.current(), 64);
        assert_eq!(AdaptiveLimit::new(3).current(), 3);
    }

    #[test]
    fn an_overload_halves_once_for_everything_in_flight_then_growth_is_gentle() {
        let limit = AdaptiveLimit::new(64);
        for _ in 0..24 {
            limit.record(Signal::Quick, Instant::now());
        }
        assert_eq!(limit.current(), 32);
        let in_flight_since = Instant::now();
        limit.record(Signal::Overloaded, in_flight_since);
        for _ in 0..10 {
            limit.record(Signal::Overloaded, in_flight_since);
        }
        assert_eq!(limit.current(), 16, "one overload, one halving");
        for _ in 0..17 {
            limit.record(Signal::Quick, Instant::now());
        }
        assert_eq!(
            limit.current(),
            17,
            "about one more per round after an overload"
        );
        // Deliveries that started after the last halving may halve again.
        let later = |secs| Instant::now() + Duration::from_secs(secs);
        limit.record(Signal::Overloaded, later(1));
        assert_eq!(limit.current(), 8);
        for i in 0..10 {
            limit.record(Signal::Overloaded, later(2 + i));
        }
        assert_eq!(limit.current(), 1, "never below one");
        limit.record(Signal::Neutral, Instant::now());
        assert_eq!(limit.current(), 1);
    }
}
