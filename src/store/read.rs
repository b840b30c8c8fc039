//! The store's reads: requests by id, user, status and filing time; sessions; timers; the
//! webhook dedup set; and the adapters' small key-value trees.

use super::seal::Content;
use super::*;

impl Store {
    // ---- requests ----

    pub fn request(&self, id: &RequestId) -> Result<Option<Request>, StoreError> {
        self.requests
            .get(&keys::request_key(id))?
            .map(|v| self.decode_content("requests", Content::Request, &v))
            .transpose()
    }

    /// The number the next request with this prefix gets. Never reused, also across restarts.
    pub fn next_number(&self, prefix: &str) -> Result<u64, StoreError> {
        let current = self
            .counters
            .get(keys::counter_key(prefix))?
            .and_then(|v| v.as_ref().try_into().ok().map(u64::from_be_bytes))
            .unwrap_or(0);
        Ok(current + 1)
    }

    /// The user's requests that need attention by the core's rule
    /// ([`crate::core::needs_attention`]: active, or waiting for a survey answer): what a
    /// message from them may be about. Reads only this user's index entries, and the records
    /// of those the rule keeps.
    pub fn requests_needing_attention(&self, user: &UserRef) -> Result<Vec<Request>, StoreError> {
        self.requests_of_user_where(user, |status, survey| {
            let survey = SurveyState::ALL
                .into_iter()
                .find(|s| keys::survey_byte(*s) == survey)
                .unwrap_or(SurveyState::NotSent);
            crate::core::needs_attention(status, survey)
        })
    }

    /// All of one user's requests, optionally of one status, oldest first.
    pub fn requests_of_user(
        &self,
        user: &UserRef,
        status: Option<Status>,
    ) -> Result<Vec<Request>, StoreError> {
        self.requests_of_user_where(user, |s, _| status.is_none_or(|want| want == s))
    }

    fn requests_of_user_where(
        &self,
        user: &UserRef,
        keep: impl Fn(Status, u8) -> bool,
    ) -> Result<Vec<Request>, StoreError> {
        let prefix = keys::by_requester_prefix(user);
        let mut out = Vec::new();
        for (k, v) in self.by_requester.scan_prefix(&prefix)? {
            let (Some(&status), Some(&survey)) = (v.first(), v.get(1)) else {
                continue;
            };
            let Some(status) = keys::status_from_byte(status) else {
                continue;
            };
            if !keep(status, survey) {
                continue;
            }
            if let Some(id) = keys::parse_request_key(&k[prefix.len()..]) {
                if let Some(r) = self.request(&id)? {
                    out.push(r);
                }
            }
        }
        out.sort_by_key(|r| r.created_at);
        Ok(out)
    }

    pub fn requests_with_status(&self, status: Status) -> Result<Vec<Request>, StoreError> {
        let mut out = Vec::new();
        for (k, _) in self
            .by_status
            .scan_prefix(&keys::by_status_prefix(status))?
        {
            if let Some(id) = keys::parse_by_status_key(&k) {
                if let Some(r) = self.request(&id)? {
                    out.push(r);
                }
            }
        }
        Ok(out)
    }

    pub fn count_with_status(&self, status: Status) -> Result<usize, StoreError> {
        let mut n = 0;
        self.by_status
            .visit_prefix(&keys::by_status_prefix(status), |_| n += 1)?;
        Ok(n)
    }

    /// How many requests of this status each department has, from the index alone: a
    /// million open requests are counted without reading one of them.
    pub fn count_by_department(&self, status: Status) -> Result<BTreeMap<String, u64>, StoreError> {
        let mut counts: BTreeMap<String, u64> = BTreeMap::new();
        let mut unlabelled = Vec::new();
        self.by_status
            .visit_prefix(&keys::by_status_prefix(status), |(k, department)| {
                match String::from_utf8(department) {
                    Ok(d) if !d.is_empty() => *counts.entry(d).or_default() += 1,
                    // Entries written before the index carried the department.
                    _ => unlabelled.push(k),
                }
            })?;
        for k in unlabelled {
            if let Some(department) = self.department_of_status_key(&k)? {
                *counts.entry(department).or_default() += 1;
            }
        }
        Ok(counts)
    }

    /// The department of the request a status index key names, read from the request.
    pub(super) fn department_of_status_key(
        &self,
        key: &[u8],
    ) -> Result<Option<String>, StoreError> {
        let Some(id) = keys::parse_by_status_key(key) else {
            return Ok(None);
        };
        Ok(self.request(&id)?.map(|r| r.department))
    }

    /// The requests numbered with `prefix` that were filed at or after `since`, oldest first.
    pub fn requests_filed_since(
        &self,
        prefix: &str,
        since: Timestamp,
    ) -> Result<Vec<Request>, StoreError> {
        let mut out = Vec::new();
        self.visit_requests_filed_since(prefix, since, &mut |r| out.push(r))?;
        Ok(out)
    }

    /// Hands `visit` the requests numbered with `prefix` filed at or after `since`, oldest
    /// first, one at a time: a caller that sums them up holds none of them.
    ///
    /// A prefix's numbers grow with filing time, so the first one filed since `since` is
    /// found by bisecting the numbers with point reads, and only the requests from there on
    /// are read: a dashboard's recent weeks cost what those weeks hold, not the whole store.
    pub fn visit_requests_filed_since(
        &self,
        prefix: &str,
        since: Timestamp,
        visit: &mut dyn FnMut(Request),
    ) -> Result<(), StoreError> {
        self.visit_filed_since(
            prefix,
            since,
            |r: Request| {
                let filed = r.created_at;
                (filed, Some(r))
            },
            visit,
        )
    }

    fn visit_filed_since<T: for<'de> Deserialize<'de>, U>(
        &self,
        prefix: &str,
        since: Timestamp,
        filed: impl Fn(T) -> (Timestamp, Option<U>),
        visit: &mut dyn FnMut(U),
    ) -> Result<(), StoreError> {
        let end = self.next_number(prefix)?;
        // The first number whose request was filed at or after `since` lies in lo..=hi.
        let (mut lo, mut hi) = (1u64, end);
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            let filed_before = self
                .request(&RequestId::new(prefix, mid))?
                .is_some_and(|r| r.created_at < since);
            if filed_before {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        let from = keys::request_key(&RequestId::new(prefix, lo));
        let mut stem = prefix.as_bytes().to_vec();
        stem.push(0);
        let mut failed = None;
        self.requests.visit_from(&from, |(k, v)| {
            if !k.starts_with(&stem) {
                return false;
            }
            match decode::<T>("requests", &v) {
                Ok(r) => {
                    if let (at, Some(u)) = filed(r) {
                        if at >= since {
                            visit(u);
                        }
                    }
                    true
                }
                Err(e) => {
                    failed = Some(e);
                    false
                }
            }
        })?;
        match failed {
            Some(e) => Err(e),
            None => Ok(()),
        }
    }

    /// Every request, in key order (department prefix, then number).
    pub fn all_requests(&self) -> impl Iterator<Item = Result<Request, StoreError>> + '_ {
        self.requests.iter().map(|e| {
            let (_, v) = e?;
            self.decode_content("requests", Content::Request, &v)
        })
    }

    pub fn request_count(&self) -> usize {
        self.packed_len(&self.requests) as usize
    }

    /// The request a platform message belongs to (its card, or a DM the bot sent about it).
    pub fn request_by_post(&self, post: &PostRef) -> Result<Option<RequestId>, StoreError> {
        Ok(self.by_post.get(&keys::post_key(post))?.and_then(|v| {
            std::str::from_utf8(&v)
                .ok()
                .and_then(|s| RequestId::parse(s).ok())
        }))
    }

    // ---- sessions ----

    pub fn session(&self, user: &UserRef) -> Result<Session, StoreError> {
        Ok(self
            .sessions
            .get(keys::user_key(user))?
            .map(|v| self.decode_content("sessions", Content::Session, &v))
            .transpose()?
            .unwrap_or_default())
    }

    pub fn active_drafts(&self) -> usize {
        self.sessions.len()
    }

    // ---- timers ----

    /// The earliest pending timer: what the scheduler sleeps until.
    pub fn next_timer(&self) -> Result<Option<(TimerId, Timer)>, StoreError> {
        match self.timers.first()? {
            Some((k, v)) => Ok(Some((TimerId::from_key(k), decode("timers", &v)?))),
            None => Ok(None),
        }
    }

    /// Timers due at or before `now`, earliest first, at most `limit`.
    pub fn due_timers(
        &self,
        now: Timestamp,
        limit: usize,
    ) -> Result<Vec<(TimerId, Timer)>, StoreError> {
        let end = keys::timer_key(now, u64::MAX);
        self.timers
            .up_to(&end, limit)?
            .into_iter()
            .map(|(k, v)| Ok((TimerId::from_key(k), decode("timers", &v)?)))
            .collect()
    }

    /// How many timers are due at `now`, without reading them.
    pub fn due_timer_count(&self, now: Timestamp) -> Result<usize, StoreError> {
        self.timers.count_up_to(&keys::timer_key(now, u64::MAX))
    }

    pub fn timer_count(&self) -> usize {
        self.packed_len(&self.timers) as usize
    }

    fn packed_len(&self, map: &packed::Packed) -> u64 {
        let stored = self.meta.get(packed::len_key(map.name())).ok().flatten();
        packed::read_len(stored.as_deref())
    }

    /// The pending timers of one owner (`req:IT-1`, a user): what a step's cancel filters
    /// look through.
    pub fn timers_for_owner(&self, owner: &str) -> Result<Vec<(TimerId, Timer)>, StoreError> {
        Ok(self
            .owner_timers(owner, false)?
            .into_iter()
            .map(|(k, t)| (TimerId::from_key(k), t))
            .collect())
    }

    /// `held`: the caller holds the packed maps' write lock.
    pub(super) fn owner_timers(
        &self,
        owner: &str,
        held: bool,
    ) -> Result<Vec<(Vec<u8>, Timer)>, StoreError> {
        let prefix = keys::timer_owner_prefix(owner);
        let index = if held {
            self.timer_owners.scan_prefix_held(&prefix)?
        } else {
            self.timer_owners.scan_prefix(&prefix)?
        };
        let mut out = Vec::new();
        for (k, _) in index {
            let timer_key = &k[prefix.len()..];
            let timer = if held {
                self.timers.get_held(timer_key)?
            } else {
                self.timers.get(timer_key)?
            };
            if let Some(v) = timer {
                out.push((timer_key.to_vec(), decode("timers", &v)?));
            }
        }
        Ok(out)
    }

    // ---- webhook dedup housekeeping ----

    /// Forgets event ids first seen before `cutoff`; platforms stop retrying long before.
    pub fn prune_seen(&self, cutoff: Timestamp) -> Result<usize, StoreError> {
        let cutoff = keys::time_bytes(cutoff);
        let mut removed = 0;
        for entry in self.seen.iter() {
            let (k, v) = entry?;
            if v.as_ref() < cutoff.as_slice() {
                self.seen.remove(k)?;
                removed += 1;
            }
        }
        Ok(removed)
    }

    pub fn seen(&self, event_id: &str) -> Result<bool, StoreError> {
        Ok(self.seen.contains_key(keys::seen_key(event_id))?)
    }

    /// A small key-value space for adapters (a platform's conversation references, say),
    /// kept apart from the desk's own trees.
    pub fn kv_get(&self, tree: &str, key: &[u8]) -> Result<Option<Vec<u8>>, StoreError> {
        Ok(self
            .db
            .open_tree(format!("kv_{tree}"))?
            .get(key)?
            .map(|v| v.to_vec()))
    }

    pub fn kv_put(&self, tree: &str, key: &[u8], value: &[u8]) -> Result<(), StoreError> {
        self.db
            .open_tree(format!("kv_{tree}"))?
            .insert(key, value)?;
        Ok(())
    }

    pub fn kv_remove(&self, tree: &str, key: &[u8]) -> Result<(), StoreError> {
        self.db.open_tree(format!("kv_{tree}"))?.remove(key)?;
        Ok(())
    }
}
