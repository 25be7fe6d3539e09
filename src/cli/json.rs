//! What `--json` prints: an interface, documented in docs/json.md. Every
//! output is one JSON object (one per line for `queue run`) whose first
//! field is `"version"` ([`VERSION`]), built from the types here, never by
//! serialising a storage or wire struct as it is: renaming a field inside
//! upexport does not change the output, and an answer's unknown fields do
//! not pass through. A request is always an object (the body as sent).
//! The snapshot tests in tests/it/cli/json.rs fail when a shape changes;
//! a change that is not an addition of a field raises [`VERSION`].

use serde::Serialize;
use serde_json::Value;

use crate::api::{CreatedJob, JobState, JobStatus, JobSummary};
use crate::history::{Entry, JobSnapshot, QueuedExport};

/// The version of every `--json` shape.
pub const VERSION: u32 = 1;

/// `{"version": 1, …body's fields}`.
#[derive(Serialize)]
struct Versioned<'a, T: Serialize> {
    version: u32,
    #[serde(flatten)]
    body: &'a T,
}

/// `body` as one line of JSON with the version first.
pub fn line<T: Serialize>(body: &T) -> String {
    serde_json::to_string(&Versioned {
        version: VERSION,
        body,
    })
    .unwrap_or_default()
}

/// `body` as indented JSON with the version first (`doctor`).
pub fn pretty<T: Serialize>(body: &T) -> String {
    serde_json::to_string_pretty(&Versioned {
        version: VERSION,
        body,
    })
    .unwrap_or_default()
}

/// Print `body` as one line of JSON on stdout.
pub fn print<T: Serialize>(body: &T) {
    outln!("{}", line(body));
}

/// A request body as an object, its fields in the order they are sent
/// (`null` when the stored text is not a JSON object).
pub type Request = Option<Box<serde_json::value::RawValue>>;

/// [`Request`] of a body's text.
pub fn request(request_json: &str) -> Request {
    serde_json::value::RawValue::from_string(request_json.trim().to_owned())
        .ok()
        .filter(|r| r.get().starts_with('{'))
}

/// A state word: `pending`, `processing`, `completed`, `failed` or
/// `unknown` (a status word upexport does not know).
fn state_word(s: &JobState) -> &'static str {
    match s {
        JobState::Pending => "pending",
        JobState::Processing => "processing",
        JobState::Completed => "completed",
        JobState::Failed => "failed",
        JobState::Other(_) => "unknown",
    }
}

#[derive(Serialize)]
pub struct Chunks {
    pub done: usize,
    pub total: usize,
}

/// A download link of a job, numbered as `status` and `--only` number
/// them.
#[derive(Serialize)]
pub struct FileLink {
    pub number: usize,
    pub filename: String,
    pub url: Option<String>,
}

/// A job's status, as the API last gave it.
#[derive(Serialize)]
pub struct Job {
    pub job_id: String,
    /// The status word as the API sent it.
    pub status: Option<String>,
    /// What upexport reads it as.
    pub state: &'static str,
    pub progress: Option<String>,
    pub chunks: Option<Chunks>,
    pub start_time: Option<String>,
    pub end_time: Option<String>,
    /// Why it failed, when it did and the API said.
    pub error: Option<String>,
    pub files: Vec<FileLink>,
}

impl Job {
    pub fn of(job_id: &str, s: &JobStatus) -> Job {
        let state = s.state();
        Job {
            job_id: s.job_id.clone().unwrap_or_else(|| job_id.to_owned()),
            status: s.status.clone(),
            state: state_word(&state),
            progress: s.progress.clone(),
            chunks: s.chunks().map(|(done, total)| Chunks { done, total }),
            start_time: s.start_time.clone(),
            end_time: s.end_time.clone(),
            error: (state == JobState::Failed)
                .then(|| s.failure_reason())
                .flatten(),
            files: s
                .presigned_urls
                .iter()
                .enumerate()
                .map(|(i, p)| FileLink {
                    number: i + 1,
                    filename: p.safe_filename(i),
                    url: p.url.clone(),
                })
                .collect(),
        }
    }
}

/// What the API answered to a create (201).
#[derive(Serialize)]
pub struct Created {
    pub job_id: Option<String>,
    pub environment_name: Option<String>,
    pub environment_app_token: Option<String>,
    pub start_time: Option<String>,
    pub links: Option<String>,
}

impl Created {
    pub fn of(c: &CreatedJob) -> Created {
        Created {
            job_id: c.job_id.clone(),
            environment_name: c.environment_name.clone(),
            environment_app_token: c.environment_app_token.clone(),
            start_time: c.start_time.clone(),
            links: c.links.clone(),
        }
    }
}

/// One row of `jobs`.
#[derive(Serialize)]
pub struct JobRow {
    pub job_id: Option<String>,
    pub status: Option<String>,
    pub state: &'static str,
    pub progress: Option<String>,
    pub start_time: Option<String>,
    pub end_time: Option<String>,
    pub elapsed_time: Option<String>,
    pub elapsed_seconds: Option<String>,
}

impl JobRow {
    pub fn of(j: &JobSummary) -> JobRow {
        JobRow {
            job_id: j.job_id.clone(),
            status: j.status.clone(),
            state: state_word(&j.state()),
            progress: j.progress.clone(),
            start_time: j.start_time.clone(),
            end_time: j.end_time.clone(),
            elapsed_time: j.elapsed_time.clone(),
            elapsed_seconds: j.elapsed_time_seconds.clone(),
        }
    }
}

/// A job's last status as history recorded it.
#[derive(Serialize)]
pub struct Recorded {
    pub status: String,
    pub state: &'static str,
    pub progress: Option<String>,
    pub chunks: Option<Chunks>,
    pub files: Vec<FileLink>,
    pub error: Option<String>,
    pub checked_at: String,
    pub ended_at: Option<String>,
}

impl Recorded {
    pub fn of(j: &JobSnapshot) -> Recorded {
        Recorded {
            status: j.status.clone(),
            state: if j.status == crate::jobs::track::EXPIRED {
                "expired"
            } else {
                state_word(&j.state())
            },
            progress: j.progress.clone(),
            chunks: match (j.chunks_done, j.chunks_total) {
                (Some(d), Some(t)) => Some(Chunks {
                    done: d as usize,
                    total: t as usize,
                }),
                _ => None,
            },
            files: j
                .files
                .iter()
                .enumerate()
                .map(|(i, f)| FileLink {
                    number: i + 1,
                    filename: f.filename.clone(),
                    url: Some(f.url.clone()),
                })
                .collect(),
            error: j.error.clone(),
            checked_at: time(j.checked_at),
            ended_at: j.ended_at.map(time),
        }
    }
}

/// Why an attempt failed.
#[derive(Serialize)]
pub struct Failure {
    pub kind: String,
    pub http_status: Option<u16>,
    pub message: String,
}

/// One history entry: a submit attempt and what became of it.
#[derive(Serialize)]
pub struct HistoryEntry {
    pub id: i64,
    pub created_at: String,
    pub sent_at: Option<String>,
    pub finished_at: Option<String>,
    pub source: String,
    pub profile: String,
    pub base_url: String,
    /// `sending`, `created` or `failed`; `outcome_unknown` for a
    /// `sending` attempt nobody will finish.
    pub state: &'static str,
    pub request: Request,
    pub created: Option<Created>,
    pub failed: Option<Failure>,
    pub job: Option<Recorded>,
    pub conflicts: u32,
}

impl HistoryEntry {
    pub fn of(e: &Entry) -> HistoryEntry {
        HistoryEntry {
            id: e.id,
            created_at: time(e.created_at),
            sent_at: e.sent_at.map(time),
            finished_at: e.finished_at.map(time),
            source: e.source.clone(),
            profile: e.profile.clone(),
            base_url: e.base_url.clone(),
            state: if e.outcome_unknown() {
                "outcome_unknown"
            } else {
                e.state.as_str()
            },
            request: request(&e.request_json),
            created: e.created.as_ref().map(|c| Created {
                job_id: Some(c.job_id.clone()),
                environment_name: c.environment_name.clone(),
                environment_app_token: c.environment_app_token.clone(),
                start_time: c.start_time.clone(),
                links: c.links.clone(),
            }),
            failed: e.failed.as_ref().map(|f| Failure {
                kind: f.kind.clone(),
                http_status: f.http_status,
                message: f.message.clone(),
            }),
            job: e.job.as_ref().map(Recorded::of),
            conflicts: e.conflicts,
        }
    }
}

/// One queued export.
#[derive(Serialize)]
pub struct QueueItem {
    pub id: i64,
    pub position: i64,
    pub profile: String,
    pub base_url: String,
    /// `waiting`, `submitting`, `submitted` or `failed`.
    pub state: String,
    pub added_at: String,
    pub request: Request,
    /// The request in a few words, as the text output shows it.
    pub summary: String,
    /// Its history entry (see `history --json`), once sent.
    pub history_id: Option<i64>,
    pub message: Option<String>,
    pub job_id: Option<String>,
    pub job_status: Option<String>,
}

impl QueueItem {
    pub fn of(q: &QueuedExport, summary: String, job: (Option<String>, Option<String>)) -> Self {
        QueueItem {
            id: q.id,
            position: q.position,
            profile: q.profile.clone(),
            base_url: q.base_url.clone(),
            state: q.state.to_string(),
            added_at: time(q.added_at),
            request: request(&q.request_json),
            summary,
            history_id: q.attempt_id,
            message: q.message.clone(),
            job_id: job.0,
            job_status: job.1,
        }
    }
}

/// A file a download saved (or found saved).
#[derive(Clone, Serialize)]
pub struct SavedFile {
    pub number: usize,
    pub path: String,
    pub size: u64,
    pub decompressed: bool,
    pub resumed: bool,
    /// `already downloaded` when it was there already.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub skipped: Option<&'static str>,
    /// Why a partial file was not resumed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub started_over: Option<String>,
}

/// A file a download could not save.
#[derive(Clone, Serialize)]
pub struct FailedFile {
    pub number: usize,
    pub filename: String,
    pub kind: String,
    pub message: String,
}

/// An error, as `--json` callers get it (also inside a download summary).
#[derive(Serialize)]
pub struct ErrorOut {
    pub kind: String,
    pub http_status: Option<u16>,
    pub message: String,
}

fn time(t: chrono::DateTime<chrono::Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// `status --json`.
#[derive(Serialize)]
pub struct StatusOut {
    pub job: Job,
}

/// `jobs --json`.
#[derive(Serialize)]
pub struct JobsOut {
    pub jobs: Vec<JobRow>,
}

/// `submit --dry-run --json`: what would be sent.
#[derive(Serialize)]
pub struct DryRunOut {
    pub request: Request,
    /// The same as a curl command (the key written as `$USERPILOT_API_KEY`).
    pub curl: String,
}

/// `submit --json` (with `--wait`, also the job's final status and, with
/// `--download`, what was saved).
#[derive(Serialize)]
pub struct SubmitOut {
    pub history_id: i64,
    pub request: Request,
    pub created: Created,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub job: Option<Job>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub download: Option<DownloadOut>,
}

/// `download --json` (and a download inside `submit` and `queue run`).
#[derive(Serialize)]
pub struct DownloadOut {
    pub job_id: String,
    /// The folder the files went to: `DIR/<job id>`.
    pub dir: String,
    pub files: Vec<SavedFile>,
    pub failed: Vec<FailedFile>,
    /// Set when a file failed.
    pub error: Option<ErrorOut>,
    /// The folder's manifest.json once written (`path`, `complete`,
    /// `rows`, `duckdb`), or `{"error"}`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub manifest: Option<serde_json::Value>,
    /// What `--merge` did (`path`, `parts`, `rows`, `sha256`, `duckdb`),
    /// or `{"kept_parts"}` / `{"error"}`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub merge: Option<serde_json::Value>,
}

/// `lookups --json` without a name.
#[derive(Serialize)]
pub struct LookupNamesOut {
    pub lookups: Vec<&'static str>,
}

/// `lookups NAME --json`.
#[derive(Serialize)]
pub struct LookupOut {
    pub lookup: String,
    /// False when paging stopped early and the list may be cut off.
    pub complete: bool,
    /// Read from the cache (see `fetched_at`) rather than the API.
    pub cached: bool,
    pub fetched_at: String,
    /// The items as the API sent them, unknown fields included.
    pub items: Vec<Value>,
}

impl LookupOut {
    pub fn new(
        lookup: &str,
        complete: bool,
        cached: bool,
        at: chrono::DateTime<chrono::Utc>,
        items: Vec<Value>,
    ) -> Self {
        LookupOut {
            lookup: lookup.to_owned(),
            complete,
            cached,
            fetched_at: time(at),
            items,
        }
    }
}

/// `queue add --json` and `queue list --json`.
#[derive(Serialize)]
pub struct QueueOut {
    pub items: Vec<QueueItem>,
}

/// One line of `queue run --json`: an item that was dealt with.
#[derive(Serialize)]
pub struct QueueRunOut {
    pub item: QueueItem,
    pub job: Option<Job>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub download: Option<DownloadOut>,
}

/// Any command's error, with `--json`.
#[derive(Serialize)]
pub struct ErrorJson {
    pub error: ErrorOut,
}
