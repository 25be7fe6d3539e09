//! The export queue: split a long range into monthly (or N-day) exports,
//! and submit queued exports one after another, each as soon as the
//! environment is free (it runs one export at a time).
//!
//! The queue itself lives in the history database
//! ([`HistoryStore::queue_add`] and friends), so it survives restarts and
//! two processes never submit the same item. [`run_queue`] takes the items
//! in order: claim, wait while another job runs, submit (history row first),
//! wait for the new job to finish, next.

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

use chrono::{Datelike, Months, NaiveDate};

use crate::api::{ApiClient, ApiError, JobState, JobStatus};
use crate::export::{DateBound, ExportRequest};
use crate::history::{HistoryError, HistoryStore, QueueState, QueuedExport, SOURCE_CLI};
use crate::jobs::submit::Origin;
use crate::jobs::track::{
    Event, Start, TrackError, WaitOptions, submit_when_free_from, wait_recorded,
};

/// How to cut a date range.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Split {
    /// Calendar months (the first and last piece may be partial).
    Monthly,
    /// Pieces of this many days (the last may be shorter); 0 counts as 1.
    Days(u32),
}

impl FromStr for Split {
    type Err = String;

    /// `monthly` (or `month`), or `<N>d` such as `7d`, `30d`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let t = s.trim().to_ascii_lowercase();
        if t == "monthly" || t == "month" {
            return Ok(Split::Monthly);
        }
        match t.strip_suffix('d').map(str::parse::<u32>) {
            Some(Ok(n)) if n >= 1 => Ok(Split::Days(n)),
            _ => Err(format!(
                "'{s}' is not a split: use monthly, or a number of days such as 7d or 30d"
            )),
        }
    }
}

impl fmt::Display for Split {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Split::Monthly => f.write_str("monthly"),
            Split::Days(n) => write!(f, "{n}d"),
        }
    }
}

/// The last day of the month holding `d`.
fn month_end(d: NaiveDate) -> Option<NaiveDate> {
    d.with_day(1)?
        .checked_add_months(Months::new(1))?
        .pred_opt()
}

/// Cut `from..=to` into inclusive, contiguous, non-overlapping pieces
/// (calendar months: 2026-01-15..2026-03-10 → Jan 15–31, Feb 1–28,
/// Mar 1–10). Empty when `from` is after `to`.
pub fn split_range(from: NaiveDate, to: NaiveDate, by: Split) -> Vec<(NaiveDate, NaiveDate)> {
    let mut out = Vec::new();
    let mut start = from;
    while start <= to {
        let end = match by {
            Split::Monthly => month_end(start),
            Split::Days(n) => start.checked_add_days(chrono::Days::new(u64::from(n.max(1) - 1))),
        }
        .map_or(to, |e| e.min(to));
        out.push((start, end));
        match end.succ_opt() {
            Some(next) => start = next,
            None => break,
        }
    }
    out
}

/// One request per piece of the request's range, every other field kept.
/// Needs both `from` and `to` as dates (not datetimes).
pub fn split_request(req: &ExportRequest, by: Split) -> Result<Vec<ExportRequest>, String> {
    let (from, to) = match (req.from, req.to) {
        (Some(DateBound::Date(f)), Some(DateBound::Date(t))) => (f, t),
        (None, _) | (_, None) => {
            return Err("splitting needs both a start and an end date (--from and --to)".into());
        }
        _ => {
            return Err(
                "splitting needs the start and end as dates (YYYY-MM-DD), not datetimes".into(),
            );
        }
    };
    if from > to {
        return Err(format!(
            "the range ends before it starts ({from} is after {to})"
        ));
    }
    Ok(split_range(from, to, by)
        .into_iter()
        .map(|(f, t)| ExportRequest {
            from: Some(DateBound::Date(f)),
            to: Some(DateBound::Date(t)),
            ..req.clone()
        })
        .collect())
}

/// Add a request at the end of the queue, stored in the exact form it
/// will be sent in (the crash recovery matches attempts by it).
pub fn add(
    store: &HistoryStore,
    profile: &str,
    base_url: &str,
    req: &ExportRequest,
) -> Result<i64, HistoryError> {
    store.queue_add(profile, base_url, &req.to_json())
}

/// What happens while the queue runs.
#[derive(Debug, Clone, PartialEq)]
pub enum QueueEvent {
    /// This process took the item; it is submitted next.
    Claimed { item: QueuedExport },
    /// Another export runs in the environment: waiting for it first.
    Busy {
        item_id: i64,
        job_id: Option<String>,
    },
    /// The create was refused with 409 (history entry `attempt_id`);
    /// waiting for `running`, then submitting again.
    Conflict {
        item_id: i64,
        attempt_id: i64,
        running: Option<String>,
    },
    /// A status answer: for the item's own job (`ours`) or the one it waits for.
    Status {
        item_id: i64,
        job_id: String,
        status: JobStatus,
        ours: bool,
    },
    /// A transient error; trying again after `after`.
    Retrying {
        item_id: i64,
        message: String,
        after: Duration,
    },
    /// The item's job was created.
    Submitted {
        item_id: i64,
        attempt_id: i64,
        job_id: String,
    },
    /// The item's job ended (completed or failed), or vanished (`None`: the
    /// API answered 404).
    Finished {
        item_id: i64,
        job_id: String,
        status: Option<JobStatus>,
    },
    /// The item could not be submitted; the queue goes on.
    Failed { item_id: i64, message: String },
    /// Something worth telling that does not stop anything (a history write
    /// that failed).
    Warning(String),
}

/// How [`run_queue_with`] submits and waits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunOptions {
    pub wait: WaitOptions,
    /// `source` of the history rows ([`SOURCE_CLI`] by default).
    pub source: &'static str,
}

impl Default for RunOptions {
    fn default() -> Self {
        RunOptions {
            wait: WaitOptions::default(),
            source: SOURCE_CLI,
        }
    }
}

/// What became of one item.
#[derive(Debug, Clone, PartialEq)]
pub struct ItemOutcome {
    /// The item as stored afterwards (submitted or failed).
    pub item: QueuedExport,
    /// Its job's last status, when it was submitted and followed to the end.
    pub job: Option<JobStatus>,
}

/// Submit every waiting item of `profile` in order, each after the one
/// before has finished; returns how many were submitted. Stops at the
/// first error that is not the item's own fault (401, network trouble,
/// …), leaving the rest waiting. Dropping the future (Ctrl-C) leaves the
/// current item waiting, or settled if its request already went out.
pub async fn run_queue(
    store: &HistoryStore,
    client: &ApiClient,
    profile: &str,
    on_event: impl FnMut(QueueEvent),
) -> Result<u64, TrackError> {
    run_queue_with(store, client, profile, &RunOptions::default(), on_event).await
}

/// [`run_queue`] with other options.
pub async fn run_queue_with(
    store: &HistoryStore,
    client: &ApiClient,
    profile: &str,
    opts: &RunOptions,
    mut on_event: impl FnMut(QueueEvent),
) -> Result<u64, TrackError> {
    let mut submitted = 0;
    while let Some(outcome) = run_next(store, client, profile, opts, &mut on_event).await? {
        if outcome.item.state == QueueState::Submitted {
            submitted += 1;
        }
    }
    Ok(submitted)
}

/// Puts a claimed item back (or settles it) when dropped while armed.
struct ClaimGuard<'a> {
    store: &'a HistoryStore,
    id: i64,
    armed: bool,
}

impl Drop for ClaimGuard<'_> {
    fn drop(&mut self) {
        if self.armed
            && let Err(e) = self.store.queue_abandon(self.id)
        {
            tracing::warn!(item = self.id, error = %e, "could not put a queued export back");
        }
    }
}

/// What a queued item becomes when its create request fails. One
/// decision for every front end ([`disposition`]), recorded by
/// [`settle`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Disposition {
    /// 409: another export runs in the environment. The item is put back
    /// (waiting, with a note) and sent again once that export has ended.
    WaitForRunning,
    /// The request itself was refused (a 4xx that is not about the key,
    /// the environment or the rate): the item fails; the queue goes on.
    Refused,
    /// The export may have been created although no good answer came (a
    /// timeout or broken connection after sending, an answer too large or
    /// unreadable): the item fails, so it is never sent twice, and the
    /// queue stops for the user to look (`upexport jobs`).
    MaybeCreated,
    /// Not the item's fault and nothing was created (no connection, DNS,
    /// TLS, 401/403, 404, 429, 5xx…): the item is put back (waiting, with
    /// a note) and tried again later; the queue pauses meanwhile.
    PutBack,
}

/// What a queued item becomes after `e` (see [`Disposition`]).
pub fn disposition(e: &ApiError) -> Disposition {
    match e {
        ApiError::Conflict { .. } => Disposition::WaitForRunning,
        ApiError::Http { .. } => Disposition::Refused,
        e if e.maybe_sent() || matches!(e, ApiError::Decode { .. }) => Disposition::MaybeCreated,
        _ => Disposition::PutBack,
    }
}

/// The note a queued item waiting for `running` (a job id, when known)
/// carries.
pub fn waiting_note(running: Option<&str>, after_409: bool) -> String {
    let what = running.map_or_else(|| "another export".into(), |j| format!("job {j}"));
    if after_409 {
        format!("409: waiting for {what} to finish")
    } else {
        format!("waiting for {what} to finish")
    }
}

/// Store step: record what claimed item `id` became after a failed create
/// (`message`: the error's text) by history attempt `attempt` (after a 409
/// the item remembers it: it is sent again on that row).
pub fn settle(
    store: &HistoryStore,
    id: i64,
    d: Disposition,
    message: &str,
    attempt: Option<i64>,
) -> Result<(), HistoryError> {
    let note = waiting_note(None, true);
    match d {
        Disposition::WaitForRunning => match attempt {
            Some(a) => store.queue_release_after_conflict(id, a, &note),
            None => store.queue_release(id, Some(&note)),
        },
        Disposition::Refused => store.queue_failed(id, &format!("refused: {message}")),
        Disposition::MaybeCreated => store.queue_failed(id, message),
        Disposition::PutBack => {
            store.queue_release(id, Some(&format!("not submitted: {message}; put back")))
        }
    }
}

/// Store step: take item `id` for sending. False when another process
/// took it first.
pub fn claim(store: &HistoryStore, id: i64) -> Result<bool, HistoryError> {
    store.queue_claim(id)
}

/// Store step: the attempt a claimed item was refused with 409 before, if
/// any: sent again, on that row (see [`crate::jobs::submit::begin_or_resend`],
/// which checks that it still is one).
pub fn refused_attempt(store: &HistoryStore, id: i64) -> Result<Option<i64>, HistoryError> {
    Ok(store.queue_get(id)?.and_then(|q| match q.state {
        QueueState::Submitted => None,
        _ => q.attempt_id,
    }))
}

/// Take the next waiting item of `profile` through submit and its job's
/// end. `None` when no item is waiting.
pub async fn run_next(
    store: &HistoryStore,
    client: &ApiClient,
    profile: &str,
    opts: &RunOptions,
    mut on_event: impl FnMut(QueueEvent),
) -> Result<Option<ItemOutcome>, TrackError> {
    let item = loop {
        let Some(item) = store.queue_next(profile)? else {
            return Ok(None);
        };
        // Another process may take it between the two calls: try the next.
        if claim(store, item.id)? {
            break item;
        }
    };
    let id = item.id;
    let mut guard = ClaimGuard {
        store,
        id,
        armed: true,
    };
    on_event(QueueEvent::Claimed { item: item.clone() });

    let req: ExportRequest = match serde_json::from_str(&item.request_json) {
        Ok(r) => r,
        Err(e) => {
            let message = format!("the queued request cannot be read: {e}");
            store.queue_failed(id, &message)?;
            guard.armed = false;
            on_event(QueueEvent::Failed {
                item_id: id,
                message,
            });
            return finished(store, id, None).map(Some);
        }
    };

    let origin = Origin {
        source: opts.source,
        profile,
    };
    let start = Start {
        check_first: true,
        resend: item.attempt_id,
    };
    let mut refused = None;
    let result = {
        let mut relay = |ev: Event<'_>| {
            if let Event::Conflict { attempt_id, .. } = ev {
                refused = Some(attempt_id);
            }
            relay(store, id, None, ev, &mut on_event)
        };
        submit_when_free_from(store, client, origin, &req, start, &opts.wait, &mut relay).await
    };
    let submitted = match result {
        Ok(s) => s,
        Err(TrackError::Api(e)) => {
            let message = e.to_string();
            let d = disposition(&e);
            settle(store, id, d, &message, refused)?;
            guard.armed = false;
            if matches!(d, Disposition::Refused | Disposition::MaybeCreated) {
                on_event(QueueEvent::Failed {
                    item_id: id,
                    message,
                });
            }
            if d == Disposition::Refused {
                return finished(store, id, None).map(Some);
            }
            return Err(TrackError::Api(e));
        }
        Err(e) => return Err(e),
    };
    let job_id = submitted.job.job_id.clone().unwrap_or_default();
    store.queue_submitted(id, submitted.attempt_id)?;
    guard.armed = false;
    on_event(QueueEvent::Submitted {
        item_id: id,
        attempt_id: submitted.attempt_id,
        job_id: job_id.clone(),
    });

    let waited = {
        let mut relay = |ev: Event<'_>| relay(store, id, Some(&job_id), ev, &mut on_event);
        wait_recorded(store, client, profile, &job_id, &opts.wait, &mut relay).await
    };
    let status = match waited {
        Ok(s) => s,
        Err(ApiError::NotFound { .. }) => {
            note(
                store,
                id,
                &format!("its job {job_id} vanished (404)"),
                &mut on_event,
            );
            on_event(QueueEvent::Finished {
                item_id: id,
                job_id,
                status: None,
            });
            return finished(store, id, None).map(Some);
        }
        // The job goes on; the next run waits for it before the next item.
        Err(e) => return Err(e.into()),
    };
    if status.state() == JobState::Failed {
        let why = status
            .failure_reason()
            .unwrap_or_else(|| "no reason given".into());
        note(
            store,
            id,
            &format!("its job {job_id} failed: {why}"),
            &mut on_event,
        );
    }
    on_event(QueueEvent::Finished {
        item_id: id,
        job_id,
        status: Some(status.clone()),
    });
    finished(store, id, Some(status)).map(Some)
}

fn finished(
    store: &HistoryStore,
    id: i64,
    job: Option<JobStatus>,
) -> Result<ItemOutcome, TrackError> {
    let item = store
        .queue_get(id)?
        .ok_or_else(|| TrackError::Api(ApiError::Other(format!("queued export {id} vanished"))))?;
    Ok(ItemOutcome { item, job })
}

fn note(store: &HistoryStore, id: i64, message: &str, on_event: &mut impl FnMut(QueueEvent)) {
    if let Err(e) = store.queue_note(id, Some(message)) {
        on_event(QueueEvent::Warning(format!(
            "could not note on queued export {id}: {e}"
        )));
    }
}

/// Turn a tracking event into a queue event (and a note on the item).
fn relay(
    store: &HistoryStore,
    item_id: i64,
    ours: Option<&str>,
    ev: Event<'_>,
    on_event: &mut impl FnMut(QueueEvent),
) {
    match ev {
        Event::Status { job_id, status } => on_event(QueueEvent::Status {
            item_id,
            job_id: job_id.to_owned(),
            status: status.clone(),
            ours: ours == Some(job_id),
        }),
        Event::Retrying { error, after, .. } => on_event(QueueEvent::Retrying {
            item_id,
            message: error.to_string(),
            after,
        }),
        Event::Busy { job_id } => {
            note(store, item_id, &waiting_note(job_id, false), on_event);
            on_event(QueueEvent::Busy {
                item_id,
                job_id: job_id.map(str::to_owned),
            });
        }
        Event::Conflict {
            attempt_id,
            running,
        } => {
            // The item remembers its refused row (sent again on it), even
            // if this process stops while waiting.
            let text = waiting_note(running, true);
            if let Err(e) = store.queue_note_conflict(item_id, attempt_id, &text) {
                on_event(QueueEvent::Warning(format!(
                    "could not note on queued export {item_id}: {e}"
                )));
            }
            on_event(QueueEvent::Conflict {
                item_id,
                attempt_id,
                running: running.map(str::to_owned),
            });
        }
        Event::Gone { job_id } => on_event(QueueEvent::Warning(format!(
            "job {job_id} is no longer known to the API (404); recorded as expired"
        ))),
        Event::NotSaved(e) => on_event(QueueEvent::Warning(format!("history not updated: {e}"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn one_disposition_per_error() {
        use std::time::Duration;
        let d = |e: ApiError| disposition(&e);
        assert_eq!(
            d(ApiError::Conflict {
                message: "busy".into()
            }),
            Disposition::WaitForRunning
        );
        assert_eq!(
            d(ApiError::Http {
                status: 400,
                excerpt: "bad".into()
            }),
            Disposition::Refused
        );
        for e in [
            ApiError::Timeout {
                host: "h".into(),
                after: Duration::from_secs(1),
                maybe_sent: true,
            },
            ApiError::ConnectionLost {
                host: "h".into(),
                detail: "d".into(),
                maybe_sent: true,
            },
            ApiError::Decode {
                what: "job",
                detail: "d".into(),
                excerpt: "<html>".into(),
            },
            ApiError::TooLarge {
                limit: 1,
                maybe_sent: true,
            },
        ] {
            assert_eq!(d(e), Disposition::MaybeCreated);
        }
        for e in [
            ApiError::Connect {
                host: "h".into(),
                detail: "refused".into(),
            },
            ApiError::Timeout {
                host: "h".into(),
                after: Duration::from_secs(1),
                maybe_sent: false,
            },
            ApiError::Unauthorized {
                status: 401,
                message: None,
            },
            ApiError::Server {
                status: 503,
                excerpt: "x".into(),
            },
            ApiError::RateLimited {
                retry_after: None,
                message: None,
            },
            ApiError::Dns { host: "h".into() },
        ] {
            assert_eq!(d(e), Disposition::PutBack);
        }
    }

    #[test]
    fn settling_writes_the_state_and_note_the_disposition_names() {
        let store = HistoryStore::open_in_memory().unwrap();
        let cases = [
            (
                Disposition::WaitForRunning,
                QueueState::Waiting,
                "409: waiting",
            ),
            (
                Disposition::PutBack,
                QueueState::Waiting,
                "not submitted: boom; put back",
            ),
            (Disposition::Refused, QueueState::Failed, "refused: boom"),
            (Disposition::MaybeCreated, QueueState::Failed, "boom"),
        ];
        for (d, state, note) in cases {
            let id = store.queue_add("p", "http://127.0.0.1:9/", "{}").unwrap();
            assert!(claim(&store, id).unwrap());
            settle(&store, id, d, "boom", None).unwrap();
            let item = store.queue_get(id).unwrap().unwrap();
            assert_eq!(item.state, state, "{d:?}");
            let text = item.message.clone().unwrap_or_default();
            assert!(text.contains(note), "{d:?}: {item:?}");
        }
    }

    #[test]
    fn calendar_months() {
        assert_eq!(
            split_range(d(2026, 1, 15), d(2026, 3, 10), Split::Monthly),
            vec![
                (d(2026, 1, 15), d(2026, 1, 31)),
                (d(2026, 2, 1), d(2026, 2, 28)),
                (d(2026, 3, 1), d(2026, 3, 10)),
            ]
        );
        assert_eq!(
            split_range(d(2024, 2, 1), d(2024, 2, 29), Split::Monthly),
            vec![(d(2024, 2, 1), d(2024, 2, 29))]
        );
        assert_eq!(
            split_range(d(2026, 12, 31), d(2027, 1, 1), Split::Monthly),
            vec![
                (d(2026, 12, 31), d(2026, 12, 31)),
                (d(2027, 1, 1), d(2027, 1, 1))
            ]
        );
        assert!(split_range(d(2026, 2, 1), d(2026, 1, 1), Split::Monthly).is_empty());
    }

    #[test]
    fn days() {
        assert_eq!(
            split_range(d(2026, 1, 1), d(2026, 1, 10), Split::Days(4)),
            vec![
                (d(2026, 1, 1), d(2026, 1, 4)),
                (d(2026, 1, 5), d(2026, 1, 8)),
                (d(2026, 1, 9), d(2026, 1, 10)),
            ]
        );
        assert_eq!(
            split_range(d(2026, 1, 1), d(2026, 1, 2), Split::Days(0)),
            vec![
                (d(2026, 1, 1), d(2026, 1, 1)),
                (d(2026, 1, 2), d(2026, 1, 2))
            ]
        );
        // The last day chrono knows: no overflow, no endless loop.
        let last = NaiveDate::MAX;
        assert_eq!(split_range(last, last, Split::Monthly), vec![(last, last)]);
        assert_eq!(split_range(last, last, Split::Days(30)), vec![(last, last)]);
    }

    #[test]
    fn split_names() {
        assert_eq!("monthly".parse(), Ok(Split::Monthly));
        assert_eq!(" Month ".parse(), Ok(Split::Monthly));
        assert_eq!("7d".parse(), Ok(Split::Days(7)));
        assert_eq!("30D".parse(), Ok(Split::Days(30)));
        for bad in ["0d", "d", "7", "weekly", "-1d", ""] {
            assert!(bad.parse::<Split>().is_err(), "{bad}");
        }
        assert_eq!(Split::Days(7).to_string(), "7d");
        assert_eq!(Split::Monthly.to_string(), "monthly");
    }

    #[test]
    fn requests_keep_every_other_field() {
        let req = ExportRequest {
            from: Some(DateBound::Date(d(2026, 1, 15))),
            to: Some(DateBound::Date(d(2026, 3, 10))),
            emails: vec!["a@x.com".into()],
            event_type: vec!["track".into()],
            format: Some(crate::export::Format::Csv),
            segment_id: Some("101".into()),
            ..Default::default()
        };
        let parts = split_request(&req, Split::Monthly).unwrap();
        assert_eq!(parts.len(), 3);
        assert_eq!(
            parts[1].to_json(),
            r#"{"from":"2026-02-01","to":"2026-02-28","emails":["a@x.com"],"event_type":["track"],"segment_id":"101","format":"csv"}"#
        );
        let no_to = ExportRequest {
            to: None,
            ..req.clone()
        };
        assert!(split_request(&no_to, Split::Monthly).is_err());
        let datetime = ExportRequest {
            to: Some(DateBound::parse("2026-03-10T12:00:00Z").unwrap()),
            ..req.clone()
        };
        let e = split_request(&datetime, Split::Monthly).unwrap_err();
        assert!(e.contains("dates"), "{e}");
        let backwards = ExportRequest {
            from: req.to,
            to: req.from,
            ..req
        };
        assert!(split_request(&backwards, Split::Days(7)).is_err());
    }

    fn date() -> impl Strategy<Value = NaiveDate> {
        // 1990-01-01 plus up to ~80 years.
        (0u64..29_000).prop_map(|n| d(1990, 1, 1) + chrono::Days::new(n))
    }

    fn split() -> impl Strategy<Value = Split> {
        prop_oneof![Just(Split::Monthly), (1u32..100).prop_map(Split::Days)]
    }

    proptest! {
        #[test]
        fn pieces_cover_the_range_contiguously_without_overlap(
            a in date(),
            len in 0u64..1500,
            by in split(),
        ) {
            let to = a + chrono::Days::new(len);
            let pieces = split_range(a, to, by);
            prop_assert!(!pieces.is_empty());
            prop_assert_eq!(pieces[0].0, a);
            prop_assert_eq!(pieces[pieces.len() - 1].1, to);
            for (s, e) in &pieces {
                prop_assert!(s <= e);
                match by {
                    Split::Monthly => {
                        prop_assert_eq!((s.year(), s.month()), (e.year(), e.month()));
                    }
                    Split::Days(n) => {
                        prop_assert!((*e - *s).num_days() < i64::from(n));
                    }
                }
            }
            for w in pieces.windows(2) {
                prop_assert_eq!(w[0].1.succ_opt(), Some(w[1].0));
            }
            // Only the first and last piece may be partial.
            let inner = if pieces.len() > 2 { &pieces[1..pieces.len() - 1] } else { &[][..] };
            if let Split::Monthly = by {
                for (s, e) in inner {
                    prop_assert_eq!(s.day(), 1);
                    prop_assert_eq!(Some(*e), month_end(*s));
                }
            }
            if let Split::Days(n) = by {
                for (s, e) in &pieces[..pieces.len() - 1] {
                    prop_assert_eq!((*e - *s).num_days() + 1, i64::from(n));
                }
            }
            let days: i64 = pieces.iter().map(|(s, e)| (*e - *s).num_days() + 1).sum();
            prop_assert_eq!(days, len as i64 + 1);
        }

        #[test]
        fn backwards_ranges_are_empty(a in date(), back in 1u64..400, by in split()) {
            let from = a + chrono::Days::new(back);
            prop_assert!(split_range(from, a, by).is_empty());
        }
    }
}
