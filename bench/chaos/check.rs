//! What a chaos run left behind, checked: the requests in the store against the submits that
//! were acknowledged, and the posts the fake Slack holds against the requests.

use crate::fake_slack::PostRecord;
use serde_json::Value;
use std::collections::{BTreeMap, HashMap, HashSet};

pub struct Findings {
    pub requests: usize,
    /// Users whose acknowledged submit has no request.
    pub lost: Vec<String>,
    /// Users with more than one request (each user submits once).
    pub users_with_two: usize,
    /// Requests without a card post.
    pub undelivered: Vec<String>,
    pub card_posts: usize,
    /// Request ids with more than one card post, and how many.
    pub cards_twice: Vec<(String, usize)>,
    /// Card outbox ids posted more than once.
    pub card_ids_twice: usize,
    /// Cards naming no stored request.
    pub strays: usize,
    /// DM outbox ids posted more than once.
    pub dms_twice: usize,
    /// Thread-post outbox ids posted more than once.
    pub thread_posts_twice: usize,
    /// Posts that carried no outbox id in their metadata.
    pub untagged: usize,
}

impl Findings {
    pub fn duplicates(&self) -> usize {
        self.users_with_two
            + self.cards_twice.len()
            + self.card_ids_twice
            + self.strays
            + self.dms_twice
            + self.thread_posts_twice
    }

    pub fn passed(&self) -> bool {
        self.lost.is_empty() && self.undelivered.is_empty() && self.duplicates() == 0
    }
}

/// The request id in a card's text (`IT-12: …`).
fn request_id_in(text: &str, prefix: &str) -> Option<String> {
    let start = text.find(prefix)?;
    let digits: String = text[start + prefix.len()..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    (!digits.is_empty()).then(|| format!("{prefix}{digits}"))
}

/// Outbox ids posted more than once among `posts`, and posts that carried no outbox id.
fn repeated_ids<'p>(posts: impl Iterator<Item = &'p PostRecord>) -> (usize, usize) {
    let mut seen: HashMap<&str, usize> = HashMap::new();
    let mut untagged = 0;
    for p in posts {
        match &p.outbox_id {
            Some(id) => *seen.entry(id).or_default() += 1,
            None => untagged += 1,
        }
    }
    (seen.values().filter(|n| **n > 1).count(), untagged)
}

/// `requests` is `frontdesk requests export --format json`; `acked` the users whose submit was
/// answered with 200; cards are the top-level posts in `cards_channel`, naming `IT-n`.
pub fn check(
    requests: &[Value],
    acked: &[String],
    posts: &[PostRecord],
    cards_channel: &str,
) -> Findings {
    let mut by_user: HashMap<&str, usize> = HashMap::new();
    for r in requests {
        *by_user
            .entry(r["requester"]["id"].as_str().unwrap_or_default())
            .or_default() += 1;
    }
    let lost = acked
        .iter()
        .filter(|u| !by_user.contains_key(u.as_str()))
        .cloned()
        .collect();

    let cards: Vec<&PostRecord> = posts
        .iter()
        .filter(|p| p.channel == cards_channel && p.top_level())
        .collect();
    let mut per_request: BTreeMap<String, usize> = BTreeMap::new();
    for c in &cards {
        let id = request_id_in(&c.text, "IT-").unwrap_or_else(|| "(no request id)".into());
        *per_request.entry(id).or_default() += 1;
    }
    let filed: HashSet<&str> = requests.iter().filter_map(|r| r["id"].as_str()).collect();
    let mut undelivered: Vec<String> = filed
        .iter()
        .filter(|id| !per_request.contains_key(**id))
        .map(|id| id.to_string())
        .collect();
    undelivered.sort();
    let (card_ids_twice, untagged_cards) = repeated_ids(cards.iter().copied());
    let (dms_twice, untagged_dms) = repeated_ids(
        posts
            .iter()
            .filter(|p| p.channel.starts_with('D') && p.top_level()),
    );
    let (thread_posts_twice, untagged_replies) =
        repeated_ids(posts.iter().filter(|p| !p.top_level()));
    Findings {
        requests: requests.len(),
        lost,
        users_with_two: by_user.values().filter(|n| **n > 1).count(),
        undelivered,
        card_posts: cards.len(),
        cards_twice: per_request
            .iter()
            .filter(|(_, n)| **n > 1)
            .map(|(id, n)| (id.clone(), *n))
            .collect(),
        card_ids_twice,
        strays: per_request
            .keys()
            .filter(|id| !filed.contains(id.as_str()))
            .count(),
        dms_twice,
        thread_posts_twice,
        untagged: untagged_cards + untagged_dms + untagged_replies,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_ids_are_read_from_card_text() {
        assert_eq!(
            request_id_in("IT-12: my laptop (open)", "IT-").as_deref(),
            Some("IT-12")
        );
        assert_eq!(request_id_in("no id here", "IT-"), None);
    }
}
