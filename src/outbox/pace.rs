//! Keeping to a platform's limits: pacing to the rate it documents for one destination, and
//! pausing what it told us to slow down with a 429. Both answer "not now, try after this
//! long" as [`DeliveryError::Deferred`], which the outbox turns into a later attempt
//! without counting a failure, so one busy destination never holds a delivery slot for long.

use super::{Deferral, DeliveryError};
use crate::clock::Clock;
use crate::core::Timestamp;
use governor::clock::{Clock as _, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use std::collections::HashMap;
use std::num::NonZeroU32;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// A paced delivery waits in place for this long at most; a longer wait gives its slot back.
const WAIT_IN_PLACE: Duration = Duration::from_millis(1500);

/// Limiters keep a little state per key; forget idle ones now and then.
const FORGET_EVERY: u64 = 4096;

/// A rate per key, as a platform documents it: `per_second` sustained, `burst` at once.
pub struct Pace {
    limiter: DefaultKeyedRateLimiter<String>,
    clock: DefaultClock,
    checks: AtomicU64,
}

impl std::fmt::Debug for Pace {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pace").finish_non_exhaustive()
    }
}

impl Pace {
    /// None when `per_second` is not positive: no pacing.
    pub fn new(per_second: f64, burst: u32) -> Option<Pace> {
        if per_second.is_nan() || per_second <= 0.0 {
            return None;
        }
        let period = Duration::from_secs_f64(1.0 / per_second).max(Duration::from_nanos(1));
        let quota = Quota::with_period(period)?.allow_burst(NonZeroU32::new(burst.max(1))?);
        Some(Pace {
            limiter: RateLimiter::keyed(quota),
            clock: DefaultClock::default(),
            checks: AtomicU64::new(0),
        })
    }

    /// Takes a slot for `key`, waiting briefly when the next one is near.
    ///
    /// # Errors
    /// [`DeliveryError::Deferred`] when the next slot is further away than a short wait.
    pub async fn admit(&self, key: &str) -> Result<(), DeliveryError> {
        if self.checks.fetch_add(1, Ordering::Relaxed) % FORGET_EVERY == FORGET_EVERY - 1 {
            self.limiter.retain_recent();
        }
        let key = key.to_string();
        loop {
            match self.limiter.check_key(&key) {
                Ok(()) => return Ok(()),
                Err(not_until) => {
                    let wait = not_until.wait_time_from(self.clock.now());
                    if wait > WAIT_IN_PLACE {
                        return Err(DeliveryError::Deferred {
                            wait: spread(wait),
                            reason: Deferral::Paced,
                        });
                    }
                    tokio::time::sleep(wait).await;
                }
            }
        }
    }
}

/// Adds up to half of `wait` again, so that the many items told the same time don't all come
/// back at once and defer each other again.
fn spread(wait: Duration) -> Duration {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    wait + wait.mul_f64(f64::from(nanos % 1000) / 2000.0)
}

/// What a platform paused with a 429 and `Retry-After`: a method, a conversation. Reads the
/// desk's clock, like the outbox's retries, so a pause ends when the retry it caused is due.
#[derive(Debug)]
pub struct Pauses {
    clock: Arc<dyn Clock>,
    until: Mutex<HashMap<String, Timestamp>>,
}

impl Pauses {
    pub fn new(clock: Arc<dyn Clock>) -> Pauses {
        Pauses {
            clock,
            until: Mutex::default(),
        }
    }

    pub fn pause(&self, key: &str, wait: Duration) {
        let until =
            self.clock.now() + chrono::Duration::from_std(wait).unwrap_or(chrono::Duration::MAX);
        let mut map = self.until.lock().unwrap_or_else(|e| e.into_inner());
        let entry = map.entry(key.to_string()).or_insert(until);
        *entry = (*entry).max(until);
    }

    /// # Errors
    /// [`DeliveryError::Deferred`] while `key` is paused.
    pub fn check(&self, key: &str) -> Result<(), DeliveryError> {
        let now = self.clock.now();
        let mut map = self.until.lock().unwrap_or_else(|e| e.into_inner());
        match map.get(key) {
            Some(until) if *until > now => Err(DeliveryError::Deferred {
                wait: (*until - now).to_std().unwrap_or_default(),
                reason: Deferral::Paused,
            }),
            Some(_) => {
                map.remove(key);
                Ok(())
            }
            None => Ok(()),
        }
    }

    /// How many keys are paused now.
    pub fn active(&self) -> usize {
        let now = self.clock.now();
        let mut map = self.until.lock().unwrap_or_else(|e| e.into_inner());
        map.retain(|_, until| *until > now);
        map.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_pace_allows_its_burst_then_defers_each_key_on_its_own() {
        let pace = Pace::new(0.1, 2).unwrap();
        pace.admit("C1").await.unwrap();
        pace.admit("C1").await.unwrap();
        match pace.admit("C1").await {
            Err(DeliveryError::Deferred { wait, reason }) => {
                assert_eq!(reason, Deferral::Paced);
                assert!(wait > Duration::from_secs(5), "{wait:?}");
            }
            other => panic!("{other:?}"),
        }
        pace.admit("C2")
            .await
            .expect("another channel has its own budget");
        assert!(Pace::new(0.0, 5).is_none());
    }

    #[tokio::test]
    async fn a_short_wait_is_waited_in_place() {
        let pace = Pace::new(50.0, 1).unwrap();
        for _ in 0..3 {
            pace.admit("C1").await.unwrap();
        }
    }

    #[test]
    fn a_pause_holds_only_its_key_until_it_ends() {
        let clock = Arc::new(crate::clock::ManualClock::new(chrono::Utc::now()));
        let pauses = Pauses::new(clock.clone());
        pauses.pause("reactions.add", Duration::from_secs(30));
        assert!(matches!(
            pauses.check("reactions.add"),
            Err(DeliveryError::Deferred { reason: Deferral::Paused, wait }) if wait > Duration::from_secs(29)
        ));
        assert!(pauses.check("chat.postMessage").is_ok());
        assert_eq!(pauses.active(), 1);
        pauses.pause("chat.update", Duration::ZERO);
        assert!(pauses.check("chat.update").is_ok());
        assert_eq!(pauses.active(), 1);
        clock.advance(chrono::Duration::seconds(30));
        assert!(pauses.check("reactions.add").is_ok());
        assert_eq!(pauses.active(), 0);
    }
}
