//! Following export jobs: how often to ask, when to stop asking, and how to
//! get a submit through when the environment already runs an export.
//!
//! The API keeps a job's status 3 days ([`STATUS_RETENTION`]) and its
//! download links work 2 days ([`LINK_LIFETIME`]); jobs past those windows
//! are never polled ([`tracking`]). Polling slows down while nothing
//! changes ([`Backoff`]) and stops as soon as no job is unfinished. A status
//! answer of 404 for a job this history created is recorded as `expired`.
//! An environment runs one export at a time: [`submit_when_free`] waits for
//! the running job (found with GET jobs/) and then submits.

use std::time::Duration as StdDuration;

use chrono::{DateTime, Duration, Utc};

use crate::api::{ApiClient, ApiError, CreatedJob, JobState, JobStatus, JobSummary};
use crate::export::ExportRequest;
use crate::history::{Entry, EntryState, HistoryError, HistoryStore, JobSnapshot};
use crate::human::parse_api_time;
use crate::jobs::StoreAccess;
use crate::jobs::submit::{Origin, snapshot, submit_recorded_with};

/// How long the API keeps a job's status.
pub const STATUS_RETENTION: Duration = Duration::days(3);
/// How long a completed job's download links work.
pub const LINK_LIFETIME: Duration = Duration::days(2);

/// The status recorded for a job the API no longer knows (see
/// [`crate::history::FINISHED_JOB_STATUSES`]).
pub const EXPIRED: &str = "expired";

const DELAYS_SECS: [u64; 7] = [2, 3, 5, 8, 13, 20, 30];

/// Poll delays: 2 s, 3, 5, 8, 13, 20, 30 s (max); back to 2 s when the
/// job's progress changed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Backoff {
    delays: Vec<StdDuration>,
    next: usize,
}

impl Default for Backoff {
    fn default() -> Self {
        Self::new()
    }
}

impl Backoff {
    pub fn new() -> Self {
        // Tests only (the `testing` feature, never a release build):
        // `UPEXPORT_TEST_POLL_MS` polls every so many milliseconds, so a
        // test of many jobs against the demo server does not wait 2 s a
        // poll.
        #[cfg(feature = "testing")]
        if let Some(ms) = std::env::var("UPEXPORT_TEST_POLL_MS")
            .ok()
            .and_then(|v| v.trim().parse::<u64>().ok())
        {
            return Backoff {
                delays: vec![StdDuration::from_millis(ms.max(1))],
                next: 0,
            };
        }
        Self::with_delays(DELAYS_SECS.map(StdDuration::from_secs).to_vec())
    }

    /// Other delays, growing to the last one (tests, impatient callers).
    /// An empty list means the default ones.
    pub fn with_delays(delays: Vec<StdDuration>) -> Self {
        if delays.is_empty() {
            return Self::new();
        }
        Backoff { delays, next: 0 }
    }

    /// The delay before the next poll. `changed`: the last answer showed
    /// progress, so start again from the shortest delay.
    pub fn next(&mut self, changed: bool) -> StdDuration {
        if changed {
            self.next = 0;
        }
        let last = self.delays.len() - 1;
        let d = self.delays[self.next.min(last)];
        self.next = (self.next + 1).min(last);
        d
    }

    /// Start again from the shortest delay.
    pub fn reset(&mut self) {
        self.next = 0;
    }
}

/// What to do about a history entry's job.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tracking {
    /// Unfinished and within the status window: ask the API.
    Poll,
    /// Nothing to follow: completed (links still valid), failed, or not a
    /// created job at all.
    Finished,
    /// The API no longer keeps its status (404 seen, or older than 3 days
    /// without finishing): not polled.
    StatusExpired,
    /// Completed, but its download links have expired (2 days).
    LinksExpired,
}

/// When the job of `e` started: the API's start time, else when its
/// creation was recorded, else when the attempt began.
fn started_at(e: &Entry) -> DateTime<Utc> {
    e.created
        .as_ref()
        .and_then(|c| c.start_time.as_deref())
        .and_then(parse_api_time)
        .or(e.finished_at)
        .unwrap_or(e.created_at)
}

fn snapshot_state(j: &JobSnapshot) -> JobState {
    j.state()
}

/// What to do with a history entry's job at `now` (created rows only;
/// others → [`Tracking::Finished`]).
pub fn tracking(e: &Entry, now: DateTime<Utc>) -> Tracking {
    if e.state != EntryState::Created || e.created.is_none() {
        return Tracking::Finished;
    }
    match &e.job {
        Some(j) if j.status == EXPIRED => Tracking::StatusExpired,
        Some(j) if snapshot_state(j) == JobState::Completed => match links_expire_at(e) {
            Some(t) if t <= now => Tracking::LinksExpired,
            _ => Tracking::Finished,
        },
        Some(j) if snapshot_state(j).is_final() || j.is_finished() => Tracking::Finished,
        _ if now - started_at(e) >= STATUS_RETENTION => Tracking::StatusExpired,
        _ => Tracking::Poll,
    }
}

/// When the download links of a completed job stop working (end time,
/// else check time, + 2 days). `None` unless the job is completed.
pub fn links_expire_at(e: &Entry) -> Option<DateTime<Utc>> {
    let j = e.job.as_ref()?;
    if snapshot_state(j) != JobState::Completed {
        return None;
    }
    Some(j.ended_at.unwrap_or(j.checked_at) + LINK_LIFETIME)
}

/// How patient the waiting functions are.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WaitOptions {
    /// Delays between polls.
    pub backoff: Backoff,
    /// Transient errors (5xx, 429, timeouts, lost connections) in a row
    /// before giving up.
    pub max_errors: u32,
    /// 409 answers in a row with no running job to be found (so nothing
    /// to wait for) before giving up with the 409.
    pub max_blind_conflicts: u32,
    /// How long to follow one job before giving up with
    /// [`ApiError::WaitLimit`] ([`DEFAULT_MAX_WAIT`] by default): a job
    /// whose status never turns final (a word this client does not know,
    /// a stuck job) must not keep anyone waiting forever.
    pub max_wait: StdDuration,
}

/// How long one job is followed by default: 6 hours. The API documents no
/// run time; exports of months of events are said to take minutes to an
/// hour, so this is generous (`--max-wait` changes it).
pub const DEFAULT_MAX_WAIT: StdDuration = StdDuration::from_secs(6 * 3600);

/// The longest `--max-wait` accepted: the API keeps a job's status 3 days.
pub const MAX_MAX_WAIT: StdDuration = StdDuration::from_secs(3 * 24 * 3600);

/// Read a `--max-wait` value: a duration such as `90s`, `30m`, `6h`,
/// `1h 30m` or `2d`, at least a second and at most 3 days (the API keeps a
/// job's status no longer).
pub fn parse_max_wait(s: &str) -> Result<StdDuration, String> {
    let d = humantime::parse_duration(s.trim()).map_err(|e| {
        format!("'{s}' is not a duration ({e}); write it as 90s, 30m, 6h, 1h30m or 2d")
    })?;
    if d < StdDuration::from_secs(1) {
        return Err(format!("'{s}' is too short: wait at least 1s"));
    }
    if d > MAX_MAX_WAIT {
        return Err(format!(
            "'{s}' is longer than 3 days, the time the API keeps a job's status"
        ));
    }
    Ok(d)
}

impl Default for WaitOptions {
    fn default() -> Self {
        WaitOptions {
            backoff: Backoff::new(),
            max_errors: 10,
            max_blind_conflicts: 3,
            max_wait: DEFAULT_MAX_WAIT,
        }
    }
}

/// What happens while waiting; for progress displays.
#[derive(Debug, Clone, Copy)]
pub enum Event<'a> {
    /// A status answer for a job being waited for (ours, or the one
    /// keeping the environment busy).
    Status {
        job_id: &'a str,
        status: &'a JobStatus,
    },
    /// A transient error; the next try is in `after`.
    Retrying {
        job_id: Option<&'a str>,
        error: &'a ApiError,
        after: StdDuration,
    },
    /// The environment runs another export (`job_id` when known); waiting
    /// for it to finish before submitting.
    Busy { job_id: Option<&'a str> },
    /// The create request was refused with 409 (recorded as history entry
    /// `attempt_id`); it is sent again once the environment is free.
    Conflict {
        attempt_id: i64,
        running: Option<&'a str>,
    },
    /// The API no longer knows the job (404); recorded as `expired`.
    Gone { job_id: &'a str },
    /// A history write failed; the work goes on without it.
    NotSaved(&'a HistoryError),
}

/// Why tracking or a queued submit stopped.
#[derive(Debug, thiserror::Error)]
pub enum TrackError {
    #[error(transparent)]
    Api(#[from] ApiError),
    #[error("history: {0}")]
    History(#[from] HistoryError),
}

/// What identifies a job's progress: a change resets the backoff.
type ProgressKey = (Option<String>, Option<(usize, usize)>, Option<String>);

fn progress_key(s: &JobStatus) -> ProgressKey {
    (s.status.clone(), s.chunks(), s.progress.clone())
}

/// The one poller of a job, shared by every front end: how long to wait
/// before the next status request, and when to stop. Delays grow while
/// nothing changes and start again from the shortest when the job's
/// status, chunk count or progress moves; a transient error (5xx, 429,
/// timeout, lost connection) is retried after the next delay, or after
/// the server's Retry-After when that is longer, at most
/// [`WaitOptions::max_errors`] times in a row. Nothing is followed longer
/// than [`WaitOptions::max_wait`]: the last request goes out at that
/// bound, and an answer that is still not final ends the wait.
#[derive(Clone, Debug)]
pub struct Poller {
    backoff: Backoff,
    errors: u32,
    max_errors: u32,
    last: Option<ProgressKey>,
    started: tokio::time::Instant,
    max_wait: StdDuration,
}

/// What the [`Poller`] says after a status answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Next {
    /// Completed or failed: stop.
    Done,
    /// Ask again after this delay.
    After(StdDuration),
    /// Still not final at [`WaitOptions::max_wait`]: stop waiting (the job
    /// may still finish).
    GiveUp,
}

impl Poller {
    pub fn new(opts: &WaitOptions) -> Poller {
        let mut backoff = opts.backoff.clone();
        backoff.reset();
        Poller {
            backoff,
            errors: 0,
            max_errors: opts.max_errors,
            last: None,
            started: tokio::time::Instant::now(),
            max_wait: opts.max_wait,
        }
    }

    /// How long this poller has been following its job.
    pub fn waited(&self) -> StdDuration {
        self.started.elapsed()
    }

    /// The time left before [`WaitOptions::max_wait`].
    fn left(&self) -> StdDuration {
        self.max_wait.saturating_sub(self.waited())
    }

    /// A status answer: [`Next::Done`] once the job is completed or failed,
    /// [`Next::GiveUp`] once the wait is over, else the delay before the
    /// next request (never past the bound).
    pub fn on_status(&mut self, s: &JobStatus) -> Next {
        self.errors = 0;
        if s.state().is_final() {
            return Next::Done;
        }
        let left = self.left();
        if left.is_zero() {
            return Next::GiveUp;
        }
        let key = progress_key(s);
        let changed = self.last.as_ref() != Some(&key);
        self.last = Some(key);
        Next::After(self.backoff.next(changed).min(left))
    }

    /// A failed request: the delay before trying again, or `None` to give
    /// up (not transient, too many errors in a row, or the wait is over).
    pub fn on_error(&mut self, e: &ApiError) -> Option<StdDuration> {
        let left = self.left();
        if !e.is_transient() || self.errors >= self.max_errors || left.is_zero() {
            return None;
        }
        self.errors += 1;
        Some(retry_delay(&mut self.backoff, e).min(left))
    }
}

fn retry_delay(backoff: &mut Backoff, e: &ApiError) -> StdDuration {
    let d = backoff.next(false);
    match e {
        ApiError::RateLimited {
            retry_after: Some(r),
            ..
        } => d.max(*r),
        _ => d,
    }
}

/// Poll one job until completed/failed (transient errors retried with
/// backoff, at most ~10 in a row; 404 → [`ApiError::NotFound`]);
/// `on_update` sees every answer. The first poll is immediate.
pub async fn wait_for_job(
    client: &ApiClient,
    job_id: &str,
    mut on_update: impl FnMut(&JobStatus),
) -> Result<JobStatus, ApiError> {
    wait_for_job_with(client, job_id, &WaitOptions::default(), |ev| {
        if let Event::Status { status, .. } = ev {
            on_update(status);
        }
    })
    .await
}

/// [`wait_for_job`] with other delays, reporting retries too.
pub async fn wait_for_job_with(
    client: &ApiClient,
    job_id: &str,
    opts: &WaitOptions,
    on_event: impl FnMut(Event<'_>),
) -> Result<JobStatus, ApiError> {
    follow::<HistoryStore>(None, client, job_id, opts, on_event).await
}

/// The one polling loop: ask, save the answer (when given a store and a
/// profile), report, wait as the [`Poller`] says. A 404 is recorded as
/// `expired` (see [`record_gone`]). History errors are reported as
/// [`Event::NotSaved`], never instead of the job's outcome.
async fn follow<S: StoreAccess>(
    recorded: Option<(&S, &str)>,
    client: &ApiClient,
    job_id: &str,
    opts: &WaitOptions,
    mut on_event: impl FnMut(Event<'_>),
) -> Result<JobStatus, ApiError> {
    let mut poller = Poller::new(opts);
    loop {
        let delay = match client.job(job_id).await {
            Ok(s) => {
                let saved = match recorded {
                    Some((store, _)) => {
                        let (id, snap) = (job_id.to_owned(), snapshot(&s));
                        let base = client.base_url().as_str().to_owned();
                        store
                            .with(move |st| st.record_job_status(&base, &id, &snap))
                            .await
                    }
                    None => Ok(()),
                };
                on_event(Event::Status { job_id, status: &s });
                if let Err(e) = saved {
                    on_event(Event::NotSaved(&e));
                }
                match poller.on_status(&s) {
                    Next::After(d) => d,
                    Next::Done => return Ok(s),
                    Next::GiveUp => {
                        return Err(ApiError::WaitLimit {
                            job_id: job_id.to_owned(),
                            status: s.raw_status().chars().take(80).collect(),
                            known: !JobState::parse(s.raw_status()).is_unknown(),
                            waited: poller.waited(),
                        });
                    }
                }
            }
            Err(e) => match poller.on_error(&e) {
                Some(after) => {
                    on_event(Event::Retrying {
                        job_id: Some(job_id),
                        error: &e,
                        after,
                    });
                    after
                }
                None => {
                    if let (ApiError::NotFound { .. }, Some((store, profile))) = (&e, recorded) {
                        let (base, profile, id) = (
                            client.base_url().as_str().to_owned(),
                            profile.to_owned(),
                            job_id.to_owned(),
                        );
                        match store
                            .with(move |st| record_gone_at(st, &base, &profile, &id))
                            .await
                        {
                            Ok(true) => on_event(Event::Gone { job_id }),
                            Ok(false) => {}
                            Err(e) => on_event(Event::NotSaved(&e)),
                        }
                    }
                    return Err(e);
                }
            },
        };
        tokio::time::sleep(delay).await;
    }
}

/// The running job of the environment, from GET jobs/ (pending/processing),
/// if any.
pub async fn running_job(client: &ApiClient) -> Result<Option<JobSummary>, ApiError> {
    Ok(running_in(client.jobs().await?, false))
}

/// The job that refused a create with 409: [`running_job`], or, when no
/// job says pending or processing, one whose status word this client does
/// not know and that has no end time (a 409 proves something runs; the
/// vendor may call it something else).
pub async fn conflicting_job(client: &ApiClient) -> Result<Option<JobSummary>, ApiError> {
    Ok(running_in(client.jobs().await?, true))
}

/// The running job among `jobs`; `unknown_too`: fall back to a job with an
/// unknown status word and no end time.
pub fn running_in(jobs: Vec<JobSummary>, unknown_too: bool) -> Option<JobSummary> {
    let with_id = |j: &JobSummary| j.job_id.as_deref().is_some_and(|id| !id.trim().is_empty());
    let known = |j: &JobSummary| matches!(j.state(), JobState::Pending | JobState::Processing);
    let unknown = |j: &JobSummary| j.state().is_unknown();
    let pos = jobs
        .iter()
        .position(|j| with_id(j) && known(j))
        .or_else(|| {
            unknown_too
                .then(|| jobs.iter().position(|j| with_id(j) && unknown(j)))
                .flatten()
        })?;
    jobs.into_iter().nth(pos)
}

/// Before sending a queued export: the environment's running job, if any.
/// The list is only a hint: a transient error or a 404 counts as no
/// running job (the create decides, and a 409 is still handled); any
/// other error (401, 403…) is returned, and nothing is sent.
pub async fn running_before_submit(client: &ApiClient) -> Result<Option<JobSummary>, ApiError> {
    match running_job(client).await {
        Ok(r) => Ok(r),
        Err(e) if e.is_transient() || matches!(e, ApiError::NotFound { .. }) => Ok(None),
        Err(e) => Err(e),
    }
}

/// Record that the API no longer knows `job_id` (a 404), when this history
/// created it with the same profile and base URL (a 404 from another
/// environment or a wrong base URL proves nothing) and it was not finished.
/// Returns whether something was recorded.
pub fn record_gone(
    store: &HistoryStore,
    client: &ApiClient,
    profile: &str,
    job_id: &str,
) -> Result<bool, HistoryError> {
    record_gone_at(store, client.base_url().as_str(), profile, job_id)
}

/// What one look at a job's status found.
#[derive(Debug)]
pub struct Looked {
    pub result: Result<JobStatus, ApiError>,
    /// The API answered 404 and the history row of the job (this server,
    /// this profile) was recorded as `expired`.
    pub gone: bool,
    /// The answer could not be saved in history.
    pub not_saved: Option<HistoryError>,
}

/// One look at `job_id`'s status (`upexport status` and `download`, the
/// TUI's download dialog): the answer is saved on the job's history row of
/// this server; a 404 for a job this history created with `profile` on
/// this server is recorded as `expired`, finished or not: the API has
/// neither its status nor its links any more.
pub async fn look_recorded<S: StoreAccess>(
    store: &S,
    client: &ApiClient,
    profile: &str,
    job_id: &str,
) -> Looked {
    let result = client.job(job_id).await;
    let (base, profile, id) = (
        client.base_url().as_str().to_owned(),
        profile.to_owned(),
        job_id.to_owned(),
    );
    let saved = match &result {
        Ok(s) => {
            let snap = snapshot(s);
            store
                .with(move |st| st.record_job_status(&base, &id, &snap).map(|()| false))
                .await
        }
        Err(ApiError::NotFound { .. }) => {
            store
                .with(move |st| {
                    let Some(e) = st.by_job(&base, &id)? else {
                        return Ok(false);
                    };
                    if e.profile != profile || e.job.as_ref().is_some_and(|j| j.status == EXPIRED) {
                        return Ok(false);
                    }
                    mark_expired(
                        st,
                        &e,
                        "the API no longer knows this job (404): its status and download links are gone (status is kept 3 days, links 2)",
                    )?;
                    Ok(true)
                })
                .await
        }
        Err(_) => Ok(false),
    };
    match saved {
        Ok(gone) => Looked {
            result,
            gone,
            not_saved: None,
        },
        Err(e) => Looked {
            result,
            gone: false,
            not_saved: Some(e),
        },
    }
}

/// [`record_gone`] for the client of `base_url`.
fn record_gone_at(
    store: &HistoryStore,
    base_url: &str,
    profile: &str,
    job_id: &str,
) -> Result<bool, HistoryError> {
    let Some(e) = store.by_job(base_url, job_id)? else {
        return Ok(false);
    };
    if e.profile != profile {
        return Ok(false);
    }
    if e.job.as_ref().is_some_and(JobSnapshot::is_finished) {
        return Ok(false);
    }
    mark_expired(
        store,
        &e,
        "the API no longer knows this job (404): job status is kept 3 days",
    )?;
    Ok(true)
}

/// Record `expired` on the job of `e` (`why`: the reason shown with it),
/// keeping its last progress.
pub(crate) fn mark_expired(store: &HistoryStore, e: &Entry, why: &str) -> Result<(), HistoryError> {
    let Some(c) = &e.created else {
        return Ok(());
    };
    let prev = e.job.as_ref();
    store.record_job_status(
        &e.base_url,
        &c.job_id,
        &JobSnapshot {
            status: EXPIRED.into(),
            progress: prev.and_then(|j| j.progress.clone()),
            chunks_done: prev.and_then(|j| j.chunks_done),
            chunks_total: prev.and_then(|j| j.chunks_total),
            files: Vec::new(),
            error: Some(why.into()),
            checked_at: Utc::now(),
            ended_at: None,
        },
    )
}

/// [`wait_for_job_with`], saving every answer in history; a 404 is
/// recorded as `expired` (see [`record_gone`]). History errors are reported
/// as [`Event::NotSaved`], never instead of the job's outcome. Both front
/// ends follow a job through here.
pub async fn wait_recorded<S: StoreAccess>(
    store: &S,
    client: &ApiClient,
    profile: &str,
    job_id: &str,
    opts: &WaitOptions,
    on_event: impl FnMut(Event<'_>),
) -> Result<JobStatus, ApiError> {
    follow(Some((store, profile)), client, job_id, opts, on_event).await
}

/// A submit that went through.
#[derive(Debug, Clone, PartialEq)]
pub struct Submitted {
    /// The history entry of the successful attempt.
    pub attempt_id: i64,
    pub job: CreatedJob,
}

/// Wait for the environment's running job (when there is one), then
/// submit and record the attempt; on 409 find the running job again, wait
/// for it and submit again (the same history row, sent again). `check_first`: look for a running job before
/// the first try (saves a refused attempt; the queue does, `submit --wait`
/// tries at once). Gives up with the 409 after
/// [`WaitOptions::max_blind_conflicts`] refusals with no running job to
/// wait for. Other errors end it at once.
pub async fn submit_when_free<S: StoreAccess>(
    store: &S,
    client: &ApiClient,
    origin: Origin<'_>,
    req: &ExportRequest,
    check_first: bool,
    opts: &WaitOptions,
    on_event: impl FnMut(Event<'_>),
) -> Result<Submitted, TrackError> {
    let start = Start {
        check_first,
        resend: None,
    };
    submit_when_free_from(store, client, origin, req, start, opts, on_event).await
}

/// How [`submit_when_free_from`] begins.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Start {
    /// Look for a running job before the first try.
    pub check_first: bool,
    /// The attempt this export was refused with 409 before (a queued
    /// item's): its row is sent again rather than a new one begun.
    pub resend: Option<i64>,
}

/// [`submit_when_free`] from `start`. Every try after a 409 is the same
/// history row, sent again ([`crate::jobs::submit::begin_or_resend`]):
/// one export, one row, its conflicts counted.
pub async fn submit_when_free_from<S: StoreAccess>(
    store: &S,
    client: &ApiClient,
    origin: Origin<'_>,
    req: &ExportRequest,
    start: Start,
    opts: &WaitOptions,
    mut on_event: impl FnMut(Event<'_>),
) -> Result<Submitted, TrackError> {
    let mut backoff = opts.backoff.clone();
    backoff.reset();
    let mut blind = 0u32;
    let mut resend = start.resend;
    if start.check_first {
        wait_until_free(store, client, origin.profile, opts, &mut on_event, None).await?;
    }
    loop {
        let (attempt_id, result, not_saved) =
            submit_recorded_with(store, client, origin, req, resend, |_| {}).await?;
        resend = Some(attempt_id);
        if let Some(e) = &not_saved {
            on_event(Event::NotSaved(e));
        }
        let conflict = match result {
            Ok(job) => return Ok(Submitted { attempt_id, job }),
            Err(e @ ApiError::Conflict { .. }) => e,
            Err(e) => return Err(e.into()),
        };
        let waited = wait_until_free(
            store,
            client,
            origin.profile,
            opts,
            &mut on_event,
            Some(attempt_id),
        )
        .await?;
        if waited {
            blind = 0;
            backoff.reset();
            continue;
        }
        blind += 1;
        if blind > opts.max_blind_conflicts {
            return Err(conflict.into());
        }
        let after = backoff.next(false);
        on_event(Event::Retrying {
            job_id: None,
            error: &conflict,
            after,
        });
        tokio::time::sleep(after).await;
    }
}

/// Find the running job and wait for it to finish. Reports
/// [`Event::Conflict`] (when `conflict` names the refused attempt) or
/// [`Event::Busy`]. Returns whether there was a job to wait for.
async fn wait_until_free<S: StoreAccess>(
    store: &S,
    client: &ApiClient,
    profile: &str,
    opts: &WaitOptions,
    on_event: &mut impl FnMut(Event<'_>),
    conflict: Option<i64>,
) -> Result<bool, TrackError> {
    let running = match conflict {
        // A 409 proves a job runs: a word this client does not know counts.
        Some(_) => match conflicting_job(client).await {
            Ok(r) => r,
            Err(e) if e.is_transient() || matches!(e, ApiError::NotFound { .. }) => None,
            Err(e) => return Err(e.into()),
        },
        None => running_before_submit(client).await?,
    }
    .and_then(|j| j.job_id);
    match conflict {
        Some(attempt_id) => on_event(Event::Conflict {
            attempt_id,
            running: running.as_deref(),
        }),
        None if running.is_some() => on_event(Event::Busy {
            job_id: running.as_deref(),
        }),
        None => {}
    }
    let Some(job_id) = running else {
        return Ok(false);
    };
    match wait_recorded(store, client, profile, &job_id, opts, &mut *on_event).await {
        // Finished, or gone: either way the environment is free.
        Ok(_) | Err(ApiError::NotFound { .. }) => Ok(true),
        Err(e) => Err(e.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::history::{Created, EntryState, JobSnapshot};

    fn secs(v: &[u64]) -> Vec<StdDuration> {
        v.iter().map(|s| StdDuration::from_secs(*s)).collect()
    }

    #[test]
    fn backoff_grows_caps_and_resets_on_progress() {
        let mut b = Backoff::new();
        let got: Vec<_> = (0..9).map(|_| b.next(false)).collect();
        assert_eq!(got, secs(&[2, 3, 5, 8, 13, 20, 30, 30, 30]));
        assert_eq!(b.next(true), StdDuration::from_secs(2));
        assert_eq!(b.next(false), StdDuration::from_secs(3));
        assert_eq!(b.next(false), StdDuration::from_secs(5));
        b.reset();
        assert_eq!(b.next(false), StdDuration::from_secs(2));
        let mut c = Backoff::with_delays(vec![StdDuration::from_millis(5)]);
        assert_eq!(c.next(false), StdDuration::from_millis(5));
        assert_eq!(c.next(true), StdDuration::from_millis(5));
        assert_eq!(Backoff::with_delays(Vec::new()), Backoff::new());
    }

    fn t(s: &str) -> DateTime<Utc> {
        parse_api_time(s).unwrap()
    }

    fn entry(status: Option<&str>) -> Entry {
        Entry {
            id: 1,
            created_at: t("2026-11-01T10:00:00Z"),
            source: "cli".into(),
            profile: "default".into(),
            base_url: "https://appex.userpilot.io/".into(),
            request_json: "{}".into(),
            state: EntryState::Created,
            pid: None,
            finished_at: Some(t("2026-11-01T10:00:01Z")),
            created: Some(Created {
                job_id: "j".into(),
                environment_name: None,
                environment_app_token: None,
                start_time: Some("2026-11-01T10:00:00Z".into()),
                links: None,
            }),
            failed: None,
            job: status.map(|s| JobSnapshot {
                status: s.into(),
                progress: None,
                chunks_done: None,
                chunks_total: None,
                files: Vec::new(),
                error: None,
                checked_at: t("2026-11-01T11:00:00Z"),
                ended_at: None,
            }),
            conflicts: 0,
            sent_at: None,
        }
    }

    #[test]
    fn tracking_by_state_and_age() {
        let day0 = t("2026-11-01T12:00:00Z");
        for s in [None, Some("pending"), Some("processing"), Some("brand-new")] {
            let e = entry(s);
            assert_eq!(tracking(&e, day0), Tracking::Poll, "{s:?}");
            // Three days after the start, the API has forgotten it.
            assert_eq!(
                tracking(&e, t("2026-11-04T10:00:00Z")),
                Tracking::StatusExpired,
                "{s:?}"
            );
            assert_eq!(
                tracking(&e, t("2026-11-04T09:59:59Z")),
                Tracking::Poll,
                "{s:?}"
            );
        }
        assert_eq!(tracking(&entry(Some("failed")), day0), Tracking::Finished);
        assert_eq!(
            tracking(&entry(Some("expired")), day0),
            Tracking::StatusExpired
        );
        // Synonyms the API might use count as final too.
        assert_eq!(tracking(&entry(Some("error")), day0), Tracking::Finished);

        let mut e = entry(None);
        e.state = EntryState::Failed;
        e.created = None;
        assert_eq!(tracking(&e, day0), Tracking::Finished);
        let mut e = entry(None);
        e.state = EntryState::Sending;
        assert_eq!(tracking(&e, day0), Tracking::Finished);
        // Without the API's start time, the recorded creation counts.
        let mut e = entry(None);
        e.created.as_mut().unwrap().start_time = Some("not a time".into());
        e.finished_at = Some(t("2026-11-02T10:00:00Z"));
        assert_eq!(tracking(&e, t("2026-11-04T10:00:00Z")), Tracking::Poll);
        assert_eq!(
            tracking(&e, t("2026-11-05T10:00:00Z")),
            Tracking::StatusExpired
        );
    }

    #[test]
    fn links_expire_two_days_after_the_end_else_the_check() {
        let mut e = entry(Some("completed"));
        // No end time: the check time (11:00) + 2 days.
        assert_eq!(links_expire_at(&e), Some(t("2026-11-03T11:00:00Z")));
        assert_eq!(tracking(&e, t("2026-11-03T10:59:59Z")), Tracking::Finished);
        assert_eq!(
            tracking(&e, t("2026-11-03T11:00:00Z")),
            Tracking::LinksExpired
        );
        e.job.as_mut().unwrap().ended_at = Some(t("2026-11-01T10:30:00Z"));
        assert_eq!(links_expire_at(&e), Some(t("2026-11-03T10:30:00Z")));
        assert_eq!(
            tracking(&e, t("2026-11-03T10:30:00Z")),
            Tracking::LinksExpired
        );
        for s in [None, Some("processing"), Some("failed"), Some("expired")] {
            assert_eq!(links_expire_at(&entry(s)), None, "{s:?}");
        }
    }
}
