//! Submitting an export, the one path both front ends use: the attempt is
//! written before the request goes out ([`begin`], or [`begin_or_resend`]
//! for an export sent again after a 409: the same row), its outcome after
//! ([`finish`]); and turning API answers into history records.

use super::StoreAccess;
use crate::api::{ApiClient, ApiError, CreatedJob, JobStatus};
use crate::export::ExportRequest;
use crate::history::{
    Created, Failed, HistoryError, HistoryStore, JobFile, JobSnapshot, NewAttempt,
};

/// The history record of a created job.
pub fn created(c: &CreatedJob) -> Created {
    Created {
        job_id: c.job_id.clone().unwrap_or_default(),
        environment_name: c.environment_name.clone(),
        environment_app_token: c.environment_app_token.clone(),
        start_time: c.start_time.clone(),
        links: c.links.clone(),
    }
}

/// The history record of a failed attempt.
pub fn failed(e: &ApiError) -> Failed {
    Failed {
        kind: e.kind().as_str().to_owned(),
        http_status: e.http_status(),
        message: e.to_string(),
    }
}

/// The history record of a job status answer, checked now.
pub fn snapshot(s: &JobStatus) -> JobSnapshot {
    snapshot_at(s, chrono::Utc::now())
}

/// The history record of a job status answer checked at `at`.
pub fn snapshot_at(s: &JobStatus, at: chrono::DateTime<chrono::Utc>) -> JobSnapshot {
    let chunks = s.chunks();
    JobSnapshot {
        status: s.status.clone().unwrap_or_else(|| "unknown".into()),
        progress: s.progress.clone(),
        chunks_done: chunks.map(|(d, _)| d as u32),
        chunks_total: chunks.map(|(_, a)| a as u32),
        files: s
            .presigned_urls
            .iter()
            .enumerate()
            .filter_map(|(i, p)| {
                Some(JobFile {
                    filename: p.safe_filename(i),
                    url: p.url.clone()?,
                })
            })
            .collect(),
        error: s.failure_reason(),
        checked_at: at,
        ended_at: s.end_time.as_deref().and_then(crate::human::parse_api_time),
    }
}

/// Who is submitting, for the history row.
#[derive(Clone, Copy, Debug)]
pub struct Origin<'a> {
    pub source: &'a str,
    pub profile: &'a str,
}

/// The text recorded when the user stops waiting for a create answer.
pub const CANCELLED: &str =
    "cancelled while waiting for the answer; the job may still have been created server-side";

/// Store step 1 of a submit: the attempt is written (`sending`) before
/// the request goes out, so a crash can never lose a created job.
pub fn begin(
    store: &HistoryStore,
    origin: Origin<'_>,
    base_url: &str,
    request_json: &str,
) -> Result<i64, HistoryError> {
    store.begin_attempt(&NewAttempt {
        source: origin.source,
        profile: origin.profile,
        base_url,
        request_json,
    })
}

/// Store step 1 of a submit sent again after a 409: attempt `resend` (the
/// refused one) goes back to `sending` on the same row, so one export is one
/// row however many conflicts it waits through
/// ([`HistoryStore::resend_after_conflict`]). Without one, or when that row
/// no longer qualifies (another outcome, another request, another server),
/// a new attempt is begun ([`begin`]). Returns the attempt's id.
pub fn begin_or_resend(
    store: &HistoryStore,
    resend: Option<i64>,
    origin: Origin<'_>,
    base_url: &str,
    request_json: &str,
) -> Result<i64, HistoryError> {
    if let Some(id) = resend {
        let again = NewAttempt {
            source: origin.source,
            profile: origin.profile,
            base_url,
            request_json,
        };
        if store.resend_after_conflict(id, &again)? {
            return Ok(id);
        }
    }
    begin(store, origin, base_url, request_json)
}

/// The history record of a create answer (owned, so it can travel to the
/// store's thread).
pub fn outcome(result: &Result<CreatedJob, ApiError>) -> Result<Created, Failed> {
    match result {
        Ok(c) => Ok(created(c)),
        Err(e) => Err(failed(e)),
    }
}

/// Store step 2 of a submit: the [`outcome`] of attempt `id`.
pub fn finish(
    store: &HistoryStore,
    id: i64,
    outcome: &Result<Created, Failed>,
) -> Result<(), HistoryError> {
    match outcome {
        Ok(c) => store.record_created(id, c),
        Err(f) => store.record_failed(id, f),
    }
}

/// Attempt `id` stopped waiting for its answer. An answer recorded first
/// is kept ([`HistoryError::AlreadyFinished`]).
pub fn cancel(store: &HistoryStore, id: i64) -> Result<(), HistoryError> {
    store.record_failed(id, &cancelled())
}

/// The history record of a cancelled attempt.
pub fn cancelled() -> Failed {
    Failed {
        kind: crate::api::ErrorKind::Cancelled.as_str().into(),
        http_status: None,
        message: CANCELLED.into(),
    }
}

/// What a submit came to: the attempt's history id, the API's answer, and
/// a history error met after the request went out (reported beside the
/// answer, never instead of it: the user must learn whether the job was
/// created).
pub type Recorded = (i64, Result<CreatedJob, ApiError>, Option<HistoryError>);

/// Record the attempt ([`begin`]), send it, record the outcome
/// ([`finish`]).
pub async fn submit_recorded<S: StoreAccess>(
    store: &S,
    client: &ApiClient,
    origin: Origin<'_>,
    req: &ExportRequest,
) -> Result<Recorded, HistoryError> {
    submit_recorded_with(store, client, origin, req, None, |_| {}).await
}

/// [`submit_recorded`], on the row of attempt `resend` when it is sent
/// again after a 409 ([`begin_or_resend`]), telling `on_begun` the
/// attempt's id once it is written and before the request goes out (the
/// TUI shows it, and records a cancel on it). Both front ends submit
/// through here.
pub async fn submit_recorded_with<S: StoreAccess>(
    store: &S,
    client: &ApiClient,
    origin: Origin<'_>,
    req: &ExportRequest,
    resend: Option<i64>,
    on_begun: impl FnOnce(i64),
) -> Result<Recorded, HistoryError> {
    let body = req.to_json();
    let (source, profile) = (origin.source.to_owned(), origin.profile.to_owned());
    let base = client.base_url().as_str().to_owned();
    let id = store
        .with(move |s| {
            let origin = Origin {
                source: &source,
                profile: &profile,
            };
            begin_or_resend(s, resend, origin, &base, &body)
        })
        .await?;
    on_begun(id);
    let result = client.create_export(req).await;
    let recorded = outcome(&result);
    let saved = store.with(move |s| finish(s, id, &recorded)).await;
    Ok((id, result, saved.err()))
}
