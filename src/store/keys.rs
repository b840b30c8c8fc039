//! Key encodings. Only the store knows how keys look; numbers are big-endian so sled's
//! ordered iteration gives requests by number and timers by due time.

use crate::core::{PostRef, RequestId, Status, SurveyState, Timestamp, UserRef};

pub(super) fn request_key(id: &RequestId) -> Vec<u8> {
    let mut k = Vec::with_capacity(id.prefix().len() + 9);
    k.extend_from_slice(id.prefix().as_bytes());
    k.push(0);
    k.extend_from_slice(&id.number().to_be_bytes());
    k
}

pub(super) fn parse_request_key(k: &[u8]) -> Option<RequestId> {
    let split = k.iter().position(|b| *b == 0)?;
    let prefix = std::str::from_utf8(&k[..split]).ok()?;
    let number = u64::from_be_bytes(k.get(split + 1..split + 9)?.try_into().ok()?);
    Some(RequestId::new(prefix, number))
}

pub(super) fn user_key(user: &UserRef) -> Vec<u8> {
    user.to_string().into_bytes()
}

/// `{user}\0{request key}`: one user's requests are one prefix scan away.
pub(super) fn by_requester_key(user: &UserRef, id: &RequestId) -> Vec<u8> {
    let mut k = user_key(user);
    k.push(0);
    k.extend_from_slice(&request_key(id));
    k
}

pub(super) fn by_requester_prefix(user: &UserRef) -> Vec<u8> {
    let mut k = user_key(user);
    k.push(0);
    k
}

pub(super) fn status_byte(s: Status) -> u8 {
    match s {
        Status::Open => 0,
        Status::Claimed => 1,
        Status::Closed => 2,
        Status::Cancelled => 3,
        Status::Waiting => 4,
    }
}

pub(super) fn status_from_byte(b: u8) -> Option<Status> {
    Status::ALL.get(b as usize).copied()
}

pub(super) fn survey_byte(s: SurveyState) -> u8 {
    match s {
        SurveyState::NotSent => 0,
        SurveyState::AwaitingRating => 1,
        SurveyState::AwaitingComment => 2,
        SurveyState::Done => 3,
        SurveyState::AwaitingThanks => 4,
    }
}

/// `{status}{request key}`: listing by status never reads other statuses.
pub(super) fn by_status_key(s: Status, id: &RequestId) -> Vec<u8> {
    let mut k = by_status_prefix(s).to_vec();
    k.extend_from_slice(&request_key(id));
    k
}

pub(super) fn by_status_prefix(s: Status) -> [u8; 1] {
    [status_byte(s)]
}

/// The request a [`by_status_key`] names.
pub(super) fn parse_by_status_key(k: &[u8]) -> Option<RequestId> {
    parse_request_key(k.get(1..)?)
}

/// A department's request counter: its prefix.
pub(super) fn counter_key(prefix: &str) -> &[u8] {
    prefix.as_bytes()
}

/// A webhook event id, as the platform gave it.
pub(super) fn seen_key(event_id: &str) -> &[u8] {
    event_id.as_bytes()
}

/// An outbox item or dead letter: its id, big-endian, so ids iterate in order.
pub(super) fn outbox_key(id: u64) -> [u8; 8] {
    id.to_be_bytes()
}

pub(super) fn post_key(p: &PostRef) -> Vec<u8> {
    format!("{}\0{}\0{}", p.platform, p.channel, p.id).into_bytes()
}

/// Milliseconds since the epoch with the sign bit flipped, so that byte order is time order
/// even for (unlikely) dates before 1970.
pub(super) fn time_bytes(t: Timestamp) -> [u8; 8] {
    ((t.timestamp_millis() as u64) ^ (1 << 63)).to_be_bytes()
}

pub(super) fn time_from_bytes(bytes: [u8; 8]) -> Timestamp {
    let millis = (u64::from_be_bytes(bytes) ^ (1 << 63)) as i64;
    chrono::DateTime::from_timestamp_millis(millis).unwrap_or_default()
}

/// `{next attempt}{id}`: the outbox queue in the order items fall due.
pub(super) fn outbox_queue_key(at: Timestamp, id: u64) -> Vec<u8> {
    let mut k = time_bytes(at).to_vec();
    k.extend_from_slice(&id.to_be_bytes());
    k
}

pub(super) fn parse_outbox_queue_key(k: &[u8]) -> Option<([u8; 8], u64)> {
    let due = k.get(..8)?.try_into().ok()?;
    let id = u64::from_be_bytes(k.get(8..16)?.try_into().ok()?);
    Some((due, id))
}

/// `{length}{lane}`: the prefix of one conversation's pending messages. The length keeps a
/// lane from being a prefix of another (`dm:slack:U1` and `dm:slack:U12`).
pub(super) fn outbox_lane_prefix(lane: &str) -> Vec<u8> {
    let mut k = (lane.len() as u32).to_be_bytes().to_vec();
    k.extend_from_slice(lane.as_bytes());
    k
}

/// `{lane prefix}{id}`: a conversation's pending messages in the order they were decided.
pub(super) fn outbox_lane_key(lane: &str, id: u64) -> Vec<u8> {
    let mut k = outbox_lane_prefix(lane);
    k.extend_from_slice(&id.to_be_bytes());
    k
}

/// The big-endian id that follows a prefix of `offset` bytes.
pub(super) fn id_after(k: &[u8], offset: usize) -> Option<u64> {
    Some(u64::from_be_bytes(
        k.get(offset..offset + 8)?.try_into().ok()?,
    ))
}

/// A pending timer, as the store's timer queries name it and a step's commit takes it back
/// ([`super::StepWrite::fired_timer`]). Opaque: only the store knows what is inside (today
/// the timer's key, its due time and a sequence number).
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TimerId(Vec<u8>);

impl TimerId {
    pub(super) fn from_key(key: Vec<u8>) -> TimerId {
        TimerId(key)
    }

    pub(super) fn key(&self) -> &[u8] {
        &self.0
    }
}

/// `{due time in RFC 3339}#{sequence}`, or the key in hex if it is not a timer key.
impl std::fmt::Display for TimerId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match (self.0.get(..8), self.0.get(8..16)) {
            (Some(at), Some(seq)) if self.0.len() == 16 => {
                let at = time_from_bytes(at.try_into().expect("8 bytes"));
                let seq = u64::from_be_bytes(seq.try_into().expect("8 bytes"));
                write!(f, "{}#{seq}", at.to_rfc3339())
            }
            _ => write!(f, "{}", hex::encode(&self.0)),
        }
    }
}

impl std::fmt::Debug for TimerId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "TimerId({self})")
    }
}

pub(super) fn timer_key(at: Timestamp, seq: u64) -> Vec<u8> {
    let mut k = time_bytes(at).to_vec();
    k.extend_from_slice(&seq.to_be_bytes());
    k
}

pub(super) fn timer_owner_key(owner: &str, timer_key: &[u8]) -> Vec<u8> {
    let mut k = owner.as_bytes().to_vec();
    k.push(0);
    k.extend_from_slice(timer_key);
    k
}

pub(super) fn timer_owner_prefix(owner: &str) -> Vec<u8> {
    let mut k = owner.as_bytes().to_vec();
    k.push(0);
    k
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn request_keys_round_trip_and_sort_by_number() {
        let a = RequestId::new("IT", 2);
        let b = RequestId::new("IT", 10);
        assert_eq!(parse_request_key(&request_key(&a)), Some(a.clone()));
        assert!(request_key(&a) < request_key(&b));
    }

    #[test]
    fn status_keys_round_trip_and_group_by_status() {
        let id = RequestId::new("IT", 7);
        let key = by_status_key(Status::Claimed, &id);
        assert_eq!(parse_by_status_key(&key), Some(id.clone()));
        assert!(key.starts_with(&by_status_prefix(Status::Claimed)));
        assert!(by_status_key(Status::Open, &RequestId::new("ZZ", 99)) < key);
        assert!(outbox_key(2) < outbox_key(256));
    }

    #[test]
    fn outbox_queue_keys_round_trip_and_sort_by_time_then_id() {
        let at = chrono::Utc
            .timestamp_opt(1_700_000_000, 123_000_000)
            .unwrap();
        let (due, id) = parse_outbox_queue_key(&outbox_queue_key(at, 7)).unwrap();
        assert_eq!((time_from_bytes(due), id), (at, 7));
        assert!(
            outbox_queue_key(at, 9) < outbox_queue_key(at + chrono::Duration::milliseconds(1), 1)
        );
        assert!(outbox_queue_key(at, 1) < outbox_queue_key(at, 2));
    }

    #[test]
    fn timer_keys_sort_by_time() {
        let early = chrono::Utc.timestamp_opt(-5, 0).unwrap();
        let late = chrono::Utc.timestamp_opt(1_700_000_000, 0).unwrap();
        assert!(timer_key(early, 9) < timer_key(late, 1));
        assert!(timer_key(late, 1) < timer_key(late, 2));
    }

    #[test]
    fn timer_ids_show_their_due_time_and_sequence() {
        let at = chrono::Utc.timestamp_opt(1_700_000_000, 0).unwrap();
        let id = TimerId::from_key(timer_key(at, 42));
        assert_eq!(id.to_string(), "2023-11-14T22:13:20+00:00#42");
        assert_eq!(format!("{id:?}"), "TimerId(2023-11-14T22:13:20+00:00#42)");
        assert!(id < TimerId::from_key(timer_key(at, 43)));
    }
}
