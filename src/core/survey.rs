//! Which closed requests get a satisfaction survey: the sample, and the reference time of the
//! per-requester cooldown.
//!
//! Sampling uses no randomness. Each request id is hashed to a fixed point between 0 and 1
//! (FNV-1a over the id as written, `IT-7`, then a 64-bit finaliser so neighbouring numbers
//! land far apart); a request gets a survey when its point is below the sample. So the same
//! request always gets the same answer (also when it is reopened and closed again, and after a
//! restart), about `sample` of all requests get one, and tests can tell in advance which ones.

use super::ids::{RequestId, Timestamp, UserRef};
use super::model::{Request, SurveyState};
use super::rules::Rules;

/// The share of closed requests that get a survey, in millionths.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sample {
    per_million: u32,
}

const MILLION: u32 = 1_000_000;

impl Sample {
    /// Every request.
    pub const ALL: Sample = Sample {
        per_million: MILLION,
    };
    /// No request.
    pub const NONE: Sample = Sample { per_million: 0 };

    /// `fraction` of all requests, from 0.0 to 1.0; values outside are held to the nearest
    /// end (configuration validation refuses them before this).
    pub fn of(fraction: f64) -> Sample {
        let fraction = if fraction.is_nan() {
            1.0
        } else {
            fraction.clamp(0.0, 1.0)
        };
        Sample {
            per_million: (fraction * f64::from(MILLION)).round() as u32,
        }
    }

    /// The share as a fraction from 0.0 to 1.0.
    pub fn fraction(self) -> f64 {
        f64::from(self.per_million) / f64::from(MILLION)
    }

    /// Whether the request is in the sample: its fixed point is below the share.
    pub fn includes(self, id: &RequestId) -> bool {
        point(id) < self.per_million
    }
}

impl Default for Sample {
    fn default() -> Self {
        Sample::ALL
    }
}

/// The request's fixed point in `0..1_000_000`.
pub(crate) fn point(id: &RequestId) -> u32 {
    const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
    const FNV_PRIME: u64 = 0x0000_0100_0000_01b3;
    let mut h = FNV_OFFSET;
    for b in id.to_string().bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(FNV_PRIME);
    }
    // splitmix64's finaliser: every input bit reaches every output bit.
    h ^= h >> 30;
    h = h.wrapping_mul(0xbf58_476d_1ce4_e5b9);
    h ^= h >> 27;
    h = h.wrapping_mul(0x94d0_49bb_1331_11eb);
    h ^= h >> 31;
    (h % u64::from(MILLION)) as u32
}

/// Whether closing `r` by `closer` may send its requester a survey, before the cooldown is
/// asked: surveys are on, someone other than the requester closes it, it has no survey
/// pending or answered, and it is in the sample.
pub(crate) fn may_ask(rules: &Rules, r: &Request, closer: &UserRef) -> bool {
    rules.survey_enabled
        && &r.requester != closer
        && r.survey.state == SurveyState::NotSent
        && rules.survey_sample.includes(&r.id)
}

/// Whether the cooldown holds a survey back: `last` is when the requester was last sent one
/// about another request.
pub(crate) fn cooling_down(rules: &Rules, last: Option<Timestamp>, now: Timestamp) -> bool {
    rules.survey_cooldown > chrono::Duration::zero()
        && last.is_some_and(|at| now - at < rules.survey_cooldown)
}

/// When `requester` was last sent a survey about one of their requests other than `except`:
/// what the cooldown counts from when `except` is closed. A survey withdrawn by a reopen
/// counts (it was sent); the request's own earlier survey does not, since asking again about
/// the same request after a reopen replaces that survey rather than adding one.
pub(crate) fn last_survey_elsewhere<'a>(
    requests: impl IntoIterator<Item = &'a Request>,
    requester: &UserRef,
    except: &RequestId,
) -> Option<Timestamp> {
    requests
        .into_iter()
        .filter(|r| &r.requester == requester && &r.id != except)
        .filter_map(Request::survey_sent_at)
        .max()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(n: u64) -> impl Iterator<Item = RequestId> {
        (1..=n).map(|i| RequestId::new("IT", i))
    }

    #[test]
    fn all_and_none_are_every_and_no_request() {
        for id in ids(2000) {
            assert!(Sample::ALL.includes(&id), "{id}");
            assert!(Sample::of(1.0).includes(&id), "{id}");
            assert!(!Sample::NONE.includes(&id), "{id}");
            assert!(!Sample::of(0.0).includes(&id), "{id}");
        }
    }

    #[test]
    fn a_fraction_samples_about_that_share_and_always_the_same_requests() {
        for fraction in [0.1, 0.25, 0.5, 0.9] {
            let sample = Sample::of(fraction);
            let picked: Vec<RequestId> = ids(10_000).filter(|id| sample.includes(id)).collect();
            let share = picked.len() as f64 / 10_000.0;
            assert!(
                (share - fraction).abs() < 0.02,
                "{fraction}: {share} of the requests were picked"
            );
            let again: Vec<RequestId> = ids(10_000).filter(|id| sample.includes(id)).collect();
            assert_eq!(picked, again);
        }
    }

    #[test]
    fn a_larger_sample_keeps_every_request_a_smaller_one_picked() {
        let small = Sample::of(0.2);
        let large = Sample::of(0.6);
        for id in ids(5000) {
            if small.includes(&id) {
                assert!(large.includes(&id), "{id}");
            }
        }
    }

    #[test]
    fn the_points_are_fixed() {
        // Written down so that a change of the hash, which would change who gets a survey
        // after an upgrade, is a deliberate one.
        let points: Vec<u32> = ids(5).map(|id| point(&id)).collect();
        assert_eq!(points, FIXED_POINTS);
        // A department's requests spread over the scale, not in order of their numbers.
        let mut sorted = points.clone();
        sorted.sort_unstable();
        assert_ne!(sorted, points, "{points:?}");
    }

    const FIXED_POINTS: [u32; 5] = [733_278, 774_361, 136_742, 686_936, 9_559];

    #[test]
    fn fractions_outside_the_scale_are_held_to_its_ends() {
        assert_eq!(Sample::of(-0.5), Sample::NONE);
        assert_eq!(Sample::of(7.0), Sample::ALL);
        assert_eq!(Sample::of(0.25).fraction(), 0.25);
    }
}
