//! Firing the weekly digests. A digest timer is owned by its department, not a request: the
//! week's figures span every request, so the scheduler reads them itself (off the writer
//! thread) and commits the post with the timer's removal and the next week's timer, in one
//! write. When to post, and which week, is the core's rule ([`crate::core::digest_fired`]).

use super::{Scheduler, SchedulerError};
use crate::config::SharedConfig;
use crate::core::{
    digest_fired, digest_timer_stale, next_digest, DigestWhen, Outgoing, Platform, Timer,
    TimerFilter, TimerKind,
};
use crate::report::weekly::{self, DepartmentTarget};
use crate::store::{CommitOutcome, StepWrite, StoreError, TimerId};
use chrono::NaiveDate;
use chrono_tz::Tz;
use std::sync::{Arc, Mutex};

/// Where the digests go: the configuration (read at each use, so a reload applies) and the
/// platforms that have a deliverer.
#[derive(Debug, Clone, Default)]
pub(super) struct DigestSetup {
    config: Option<SharedConfig>,
    platforms: Vec<Platform>,
    /// The plans the pending timers were last checked against.
    checked: Arc<Mutex<Option<Vec<Plan>>>>,
}

/// One department's digest, as configured now.
#[derive(Debug, Clone, PartialEq)]
struct Plan {
    target: DepartmentTarget,
    when: DigestWhen,
    zone: Tz,
    channels: Vec<(Platform, String)>,
}

impl Scheduler {
    /// Posts weekly digests as `config`'s `[digest]` says, on these platforms.
    pub fn with_digest(mut self, config: SharedConfig, platforms: Vec<Platform>) -> Self {
        self.digest = DigestSetup {
            config: Some(config),
            platforms,
            checked: Arc::default(),
        };
        self
    }

    /// The departments that get a digest: `digest.when` is set and they have a channel on a
    /// platform the desk is connected to.
    fn digest_plans(&self) -> Vec<Plan> {
        let Some(config) = &self.digest.config else {
            return Vec::new();
        };
        let config = crate::config::current(config);
        let Some(when) = config.digest.schedule() else {
            return Vec::new();
        };
        let rules = self.engine.rules();
        config
            .departments
            .iter()
            .filter_map(|d| {
                let channels: Vec<(Platform, String)> = [
                    (Platform::Slack, &d.slack_channel),
                    (Platform::Teams, &d.teams_channel),
                ]
                .into_iter()
                .filter(|(p, c)| !c.is_empty() && self.digest.platforms.contains(p))
                .map(|(p, c)| (p, c.clone()))
                .collect();
                let zone = rules.department(&d.id)?.service.calendar.zone;
                (!channels.is_empty()).then(|| Plan {
                    target: DepartmentTarget::from_config(d),
                    when,
                    zone,
                    channels,
                })
            })
            .collect()
    }

    /// Gives every department that gets a digest its timer, once at start and again when
    /// `[digest]` or the departments change: a new timer for the first week whose time is
    /// still ahead, or a moved one when `digest.when` changed. A timer already due stays, so
    /// a week missed while the desk was down is posted (once). Returns how many were written.
    ///
    /// # Errors
    /// Storage failures.
    pub async fn catch_up_digests(&self) -> Result<usize, SchedulerError> {
        let plans = self.digest_plans();
        if self
            .digest
            .checked
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .as_ref()
            == Some(&plans)
        {
            return Ok(0);
        }
        let now = self.engine.now();
        let checking = plans.clone();
        // Read and written on the writer thread, so a digest firing meanwhile can't leave two.
        let written = self
            .engine
            .write(move |store| -> Result<usize, StoreError> {
                let mut written = 0;
                for plan in &checking {
                    let id = &plan.target.id;
                    let pending: Vec<Timer> = store
                        .timers_for_owner(&TimerFilter::Digest(id.clone()).owner())?
                        .into_iter()
                        .map(|(_, t)| t)
                        .filter(|t| matches!(t.kind, TimerKind::Digest { .. }))
                        .collect();
                    let week = pending.iter().find_map(|t| match &t.kind {
                        TimerKind::Digest { week, .. } => Some(*week),
                        _ => None,
                    });
                    let wanted = next_digest(id, plan.when, plan.zone, week, now);
                    let keep = match pending.as_slice() {
                        [] => false,
                        [one] => !digest_timer_stale(one, &wanted, now),
                        _ => false,
                    };
                    if keep {
                        continue;
                    }
                    let due: Vec<Timer> = pending.into_iter().filter(|t| t.at <= now).collect();
                    // Several pending (never written so, but cheap to mend): keep one due, else the wanted.
                    let timer = due.into_iter().next().unwrap_or(wanted);
                    store.commit_step(StepWrite {
                        cancel: &[TimerFilter::Digest(id.clone())],
                        schedule: std::slice::from_ref(&timer),
                        ..StepWrite::at(now)
                    })?;
                    written += 1;
                }
                Ok(written)
            })
            .await??;
        *self
            .digest
            .checked
            .lock()
            .unwrap_or_else(|e| e.into_inner()) = Some(plans);
        if written > 0 {
            self.engine.timer_wake().notify_one();
            tracing::info!(count = written, "scheduled weekly digests");
        }
        Ok(written)
    }

    /// Fires a digest timer: posts the week's digest in the department's channels unless the
    /// week was quiet, and schedules the next week's. Returns whether it fired (false when
    /// it had fired already).
    ///
    /// # Errors
    /// Storage failures; the timer then stays and fires again.
    pub(super) async fn fire_digest(
        &self,
        id: TimerId,
        timer: Timer,
    ) -> Result<bool, SchedulerError> {
        let TimerKind::Digest { department, week } = &timer.kind else {
            return Ok(false);
        };
        let now = self.engine.now();
        let plan = self
            .digest_plans()
            .into_iter()
            .find(|p| &p.target.id == department);
        let (schedule, outbox) = match plan {
            // The digest was turned off, or the department has no channel any more.
            None => (Vec::new(), Vec::new()),
            Some(plan) => {
                let fired = digest_fired(department, plan.when, plan.zone, *week, now);
                let outbox = self.digest_posts(&plan, fired.week).await?;
                (vec![fired.next], outbox)
            }
        };
        let outcome = self
            .engine
            .write(move |store| {
                store.commit_step(StepWrite {
                    fired_timer: Some(&id),
                    schedule: &schedule,
                    outbox,
                    ..StepWrite::at(now)
                })
            })
            .await??;
        match outcome {
            CommitOutcome::Applied { outbox_ids } => {
                if !outbox_ids.is_empty() {
                    self.engine.outbox_wake().notify_one();
                }
                self.engine.timer_wake().notify_one();
                Ok(true)
            }
            CommitOutcome::Duplicate | CommitOutcome::TimerGone => Ok(false),
        }
    }

    /// The posts of `plan`'s digest of the week starting `monday`: none for a quiet week.
    async fn digest_posts(
        &self,
        plan: &Plan,
        monday: NaiveDate,
    ) -> Result<Vec<(Platform, Outgoing)>, SchedulerError> {
        let store = self.engine.store().clone();
        let target = plan.target.clone();
        // A scan of every request, once a week per department: off the async threads.
        let digest = tokio::task::spawn_blocking(move || -> Result<_, StoreError> {
            let mut failed = None;
            let requests = store.all_requests().map_while(|r| match r {
                Ok(r) => Some(r),
                Err(e) => {
                    failed = Some(e);
                    None
                }
            });
            let digest = weekly::digest(requests, std::slice::from_ref(&target), monday);
            match failed {
                Some(e) => Err(e),
                None => Ok(digest),
            }
        })
        .await
        .map_err(|e| StoreError::Corrupt {
            tree: "requests",
            message: e.to_string(),
        })??;
        let Some(dept) = digest.departments.first() else {
            return Ok(Vec::new());
        };
        if dept.quiet {
            tracing::info!(department = %dept.department, week = %digest.week, "a quiet week: no digest posted");
            return Ok(Vec::new());
        }
        let msg = weekly::message(&digest, dept);
        Ok(plan
            .channels
            .iter()
            .map(|(platform, channel)| {
                (
                    *platform,
                    Outgoing::Digest {
                        platform: *platform,
                        channel: channel.clone(),
                        department: dept.department.clone(),
                        week: monday,
                        msg: msg.clone(),
                    },
                )
            })
            .collect())
    }
}
