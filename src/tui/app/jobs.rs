//! Following jobs: status answers, jobs left unfinished, the job in the way
//! after a 409.

use super::{App, Overlay};
use crate::api::JobSummary;
use crate::api::{ErrorKind, JobState, JobStatus};
use crate::history::Entry;
use crate::history::JobSnapshot;
use crate::jobs::track::{Tracking, tracking};
use crate::tui::msg::SubmitError;
use crate::tui::msg::{Effect, Level, Notice};

/// The job id an entry created, if it created one.
pub fn job_of(e: &Entry) -> Option<&str> {
    e.created.as_ref().map(|c| c.job_id.as_str())
}

/// A base URL as the client uses it (and history stores it): normalised,
/// so that `https://host` and `https://host/` are one server.
fn server(base_url: &str) -> String {
    crate::api::check_base_url(base_url)
        .map(|u| u.to_string())
        .unwrap_or_else(|_| base_url.to_owned())
}

/// True when `e` created the job `job_id` on the server at `base` (a
/// normalised base URL): the vendor does not say a job id is unique beyond
/// one server, so the same id elsewhere is another job.
fn is_job(e: &Entry, base: &str, job_id: &str) -> bool {
    job_of(e) == Some(job_id) && server(&e.base_url) == base
}

impl App {
    /// Start polling `job_id` (of this environment) unless it is polled
    /// already.
    pub(crate) fn follow(&mut self, job_id: &str) -> Vec<Effect> {
        let profile = self.env.profile.clone();
        self.follow_in(job_id, &profile)
    }

    /// Start polling `job_id` of environment `profile`.
    pub(crate) fn follow_in(&mut self, job_id: &str, profile: &str) -> Vec<Effect> {
        if self.jobs.follow(job_id, profile, self.clock.now) {
            vec![Effect::TrackJob {
                job_id: job_id.to_owned(),
            }]
        } else {
            vec![]
        }
    }

    /// Show `snap` (an answer of the server at `base_url`) on every cached
    /// entry (and the open detail) of `job_id` on that server.
    fn show_snapshot(&mut self, base_url: &str, job_id: &str, snap: &JobSnapshot) {
        let base = server(base_url);
        for e in self
            .history
            .entries
            .iter_mut()
            .filter(|e| is_job(e, &base, job_id))
        {
            e.job = Some(snap.clone());
        }
        if let Some(Overlay::Detail { entry, .. }) = &mut self.overlay
            && is_job(entry, &base, job_id)
        {
            entry.job = Some(snap.clone());
        }
    }

    pub(crate) fn job_update(
        &mut self,
        base_url: &str,
        job_id: &str,
        result: Result<JobStatus, SubmitError>,
    ) -> Vec<Effect> {
        let now = self.clock.now;
        match result {
            Ok(s) => {
                let state = s.state();
                let snap = crate::jobs::submit::snapshot_at(&s, now);
                self.show_snapshot(base_url, job_id, &snap);
                let short: String = job_id.chars().take(8).collect();
                match &state {
                    JobState::Completed => {
                        let files = s.presigned_urls.len();
                        self.status = Some(Notice::new(
                            Level::Success,
                            format!(
                                "job {short}… completed: {files} file(s); select it in History and press d to download"
                            ),
                        ));
                    }
                    JobState::Failed => {
                        let why = s
                            .failure_reason()
                            .unwrap_or_else(|| "no reason given".into());
                        self.status = Some(Notice::new(
                            Level::Error,
                            format!("job {short}… failed: {why}"),
                        ));
                    }
                    _ => {}
                }
                self.jobs.update(job_id, s, now);
                if state.is_final() {
                    self.drive_queue()
                } else {
                    vec![]
                }
            }
            Err(e) => {
                let fatal = matches!(
                    e.kind,
                    ErrorKind::NotFound | ErrorKind::Unauthorized | ErrorKind::Forbidden
                );
                self.job_poll_failed(base_url, job_id, e, fatal)
            }
        }
    }

    /// The poller gave up on `job_id` (see [`crate::jobs::track::Poller`]).
    pub(crate) fn job_follow_stopped(
        &mut self,
        base_url: &str,
        job_id: &str,
        e: SubmitError,
    ) -> Vec<Effect> {
        if e.kind == ErrorKind::WaitLimit {
            let short: String = job_id.chars().take(8).collect();
            let word = self
                .jobs
                .get(job_id)
                .and_then(|j| j.status.as_ref())
                .map(|s| match s.raw_status() {
                    "" => "no status".to_owned(),
                    w if s.state().is_unknown() => format!("'{w}' (unknown to upexport)"),
                    w => format!("'{w}'"),
                })
                .unwrap_or_else(|| "no status".into());
            self.status = Some(Notice::new(
                Level::Warning,
                format!(
                    "stopped following job {short}…: still {word} at the wait limit; r on it in History looks again"
                ),
            ));
        }
        self.job_poll_failed(base_url, job_id, e, true)
    }

    /// A poll failed; `fatal`: the job is no longer polled.
    fn job_poll_failed(
        &mut self,
        base_url: &str,
        job_id: &str,
        e: SubmitError,
        fatal: bool,
    ) -> Vec<Effect> {
        let now = self.clock.now;
        if e.kind == ErrorKind::NotFound {
            let snap = JobSnapshot {
                status: crate::jobs::track::EXPIRED.into(),
                progress: None,
                chunks_done: None,
                chunks_total: None,
                files: Vec::new(),
                error: Some("the API no longer knows this job (status is kept 3 days)".into()),
                checked_at: now,
                ended_at: None,
            };
            self.show_snapshot(base_url, job_id, &snap);
        }
        self.jobs.failed(job_id, e.message, fatal, now);
        if fatal { self.drive_queue() } else { vec![] }
    }

    /// A look at a job answered 404 (recorded as `expired` in history):
    /// its row says so, and a download dialog open on it closes.
    pub(crate) fn job_gone(&mut self, base_url: &str, job_id: &str) -> Vec<Effect> {
        let snap = JobSnapshot {
            status: crate::jobs::track::EXPIRED.into(),
            progress: None,
            chunks_done: None,
            chunks_total: None,
            files: Vec::new(),
            error: Some("the API no longer knows this job (404)".into()),
            checked_at: self.clock.now,
            ended_at: None,
        };
        self.show_snapshot(base_url, job_id, &snap);
        if matches!(&self.overlay, Some(Overlay::DownloadSetup(s)) if s.job_id == job_id) {
            self.overlay = None;
        }
        let short: String = job_id.chars().take(8).collect();
        self.status = Some(Notice::new(
            Level::Warning,
            format!(
                "job {short}… has expired: the API no longer knows it (404), so its files are gone"
            ),
        ));
        vec![]
    }

    /// `r` on a history entry: ask for its job's status again and follow
    /// it (after the poller stopped at the wait limit, or to refresh a
    /// finished one's links).
    pub(crate) fn look_again(&mut self, e: &Entry) -> Vec<Effect> {
        let Some(job_id) = job_of(e).map(str::to_owned) else {
            self.status = Some(Notice::new(
                Level::Warning,
                "this attempt created no job: nothing to look at",
            ));
            return vec![];
        };
        let short: String = job_id.chars().take(8).collect();
        if e.profile != self.env.profile {
            self.status = Some(Notice::new(
                Level::Warning,
                format!(
                    "job {short}… belongs to environment '{}': switch to it (F5) to look again",
                    e.profile
                ),
            ));
            return vec![];
        }
        let fx = self.follow(&job_id);
        let text = if fx.is_empty() {
            format!("job {short}… is being followed already")
        } else {
            format!("looking at job {short}… again")
        };
        self.status = Some(Notice::new(Level::Info, text));
        fx
    }

    /// Created jobs left unfinished by an earlier run: poll those of this
    /// environment (its profile and server) still in the API's 3-day window
    /// (another environment's jobs need its own key, another server's its
    /// own client; they are followed when it is switched to).
    pub(crate) fn unfinished(&mut self, entries: Vec<Entry>) -> Vec<Effect> {
        let now = self.clock.now;
        let base = server(&self.env.base_url);
        let mut fx = Vec::new();
        for e in &entries {
            if tracking(e, now) == Tracking::Poll
                && e.profile == self.env.profile
                && server(&e.base_url) == base
                && let Some(job) = job_of(e)
            {
                fx.extend(self.follow_in(job, &e.profile));
            }
        }
        fx
    }

    /// The running job after a 409 (for the conflict dialog, and followed
    /// so the queue knows when the environment is free).
    pub(crate) fn running_job(
        &mut self,
        result: Result<Option<JobSummary>, String>,
    ) -> Vec<Effect> {
        let mut fx = Vec::new();
        if let Ok(Some(j)) = &result
            && let Some(id) = &j.job_id
        {
            fx.extend(self.follow(id));
        }
        if let Some(Overlay::Conflict(c)) = &mut self.overlay {
            c.looking = false;
            match result {
                Ok(r) => c.running = r,
                Err(e) => c.error = Some(e),
            }
        }
        fx
    }

    /// A queued export found the environment busy: wait for that job.
    pub(crate) fn env_busy(&mut self, queue_id: i64, job: JobSummary) -> Vec<Effect> {
        if self
            .in_flight
            .as_ref()
            .is_some_and(|f| f.queue_id == Some(queue_id))
        {
            self.in_flight = None;
        }
        // Something to wait for: the retry timer is not needed.
        self.queue_hold = false;
        self.queue_retry = Default::default();
        let id = job.job_id.clone().unwrap_or_default();
        let short: String = id.chars().take(8).collect();
        self.status = Some(Notice::new(
            Level::Info,
            format!(
                "queue waits: job {short}… is running in this environment; the next export goes when it ends"
            ),
        ));
        let mut fx = vec![Effect::LoadQueue];
        if !id.is_empty() {
            fx.extend(self.follow(&id));
        }
        fx
    }
}
