//! The jobs the app follows: their latest status, so it knows whether the
//! environment is busy (one export at a time) and what to show.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};

use crate::api::{JobState, JobStatus};

/// The latest known state of one followed job.
#[derive(Clone, Debug, PartialEq)]
pub struct LiveJob {
    /// The environment (profile) it runs in: one export at a time is per
    /// environment.
    pub profile: String,
    pub status: Option<JobStatus>,
    pub checked_at: DateTime<Utc>,
    /// The last poll's error, if the last poll failed.
    pub error: Option<String>,
    /// Still being polled.
    pub polling: bool,
}

impl LiveJob {
    pub fn state(&self) -> Option<JobState> {
        self.status.as_ref().map(JobStatus::state)
    }

    /// Pending or processing (or not known yet) while polled. A job no
    /// longer polled (gone, key refused, or past the wait limit) keeps
    /// nothing waiting: a create sent meanwhile gets a 409 if it still
    /// runs, and that is handled.
    pub fn running(&self) -> bool {
        self.polling && self.state().is_none_or(|s| !s.is_final())
    }
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct JobBoard {
    pub jobs: BTreeMap<String, LiveJob>,
}

impl JobBoard {
    /// Start following `job_id`; false if it already is.
    pub fn follow(&mut self, job_id: &str, profile: &str, now: DateTime<Utc>) -> bool {
        if self.jobs.get(job_id).is_some_and(|j| j.polling) {
            return false;
        }
        self.jobs.insert(
            job_id.to_owned(),
            LiveJob {
                profile: profile.to_owned(),
                status: None,
                checked_at: now,
                error: None,
                polling: true,
            },
        );
        true
    }

    /// A status answer arrived.
    pub fn update(&mut self, job_id: &str, status: JobStatus, now: DateTime<Utc>) {
        let polling = !status.state().is_final();
        let profile = self
            .jobs
            .get(job_id)
            .map(|j| j.profile.clone())
            .unwrap_or_default();
        self.jobs.insert(
            job_id.to_owned(),
            LiveJob {
                profile,
                status: Some(status),
                checked_at: now,
                error: None,
                polling,
            },
        );
    }

    /// A poll failed; `fatal` ends the polling (404, 401).
    pub fn failed(&mut self, job_id: &str, error: String, fatal: bool, now: DateTime<Utc>) {
        let entry = self.jobs.entry(job_id.to_owned()).or_insert(LiveJob {
            profile: String::new(),
            status: None,
            checked_at: now,
            error: None,
            polling: true,
        });
        entry.error = Some(error);
        entry.checked_at = now;
        if fatal {
            entry.polling = false;
        }
    }

    /// The job keeping environment `profile` busy, if any.
    pub fn busy(&self, profile: &str) -> Option<&str> {
        self.jobs
            .iter()
            .find(|(_, j)| j.running() && j.profile == profile)
            .map(|(id, _)| id.as_str())
    }

    pub fn get(&self, job_id: &str) -> Option<&LiveJob> {
        self.jobs.get(job_id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn status(s: &str) -> JobStatus {
        JobStatus {
            status: Some(s.into()),
            ..Default::default()
        }
    }

    #[test]
    fn busy_while_a_followed_job_runs() {
        let now = Utc::now();
        let mut b = JobBoard::default();
        assert!(b.follow("j1", "prod", now));
        assert!(!b.follow("j1", "prod", now));
        assert_eq!(b.busy("prod"), Some("j1"));
        assert_eq!(
            b.busy("eu"),
            None,
            "one export at a time is per environment"
        );
        b.update("j1", status("processing"), now);
        assert_eq!(b.busy("prod"), Some("j1"));
        b.update("j1", status("completed"), now);
        assert_eq!(b.busy("prod"), None);
        assert!(
            b.follow("j1", "prod", now),
            "a finished job can be followed again"
        );
        b.failed("j1", "gone".into(), true, now);
        assert_eq!(b.busy("prod"), None);
    }
}
