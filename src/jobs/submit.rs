//! Turning API answers into history records, and the one submit path both
//! front ends use: the attempt is written before the request goes out.

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

/// Record the attempt, send it, record the outcome. History errors after
/// the request went out are returned beside the API result, never instead
/// of it: the user must learn whether the job was created.
pub async fn submit_recorded(
    store: &HistoryStore,
    client: &ApiClient,
    origin: Origin<'_>,
    req: &ExportRequest,
) -> Result<(i64, Result<CreatedJob, ApiError>, Option<HistoryError>), HistoryError> {
    let body = req.to_json();
    let id = store.begin_attempt(&NewAttempt {
        source: origin.source,
        profile: origin.profile,
        base_url: client.base_url().as_str(),
        request_json: &body,
    })?;
    let result = client.create_export(req).await;
    let saved = match &result {
        Ok(c) => store.record_created(id, &created(c)),
        Err(e) => store.record_failed(id, &failed(e)),
    };
    Ok((id, result, saved.err()))
}
