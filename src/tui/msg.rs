//! Messages into `update` and effects out of it: plain data.

use crossterm::event::{KeyEvent, MouseEvent};

use std::path::PathBuf;

use crate::api::{CreatedJob, ErrorKind, JobStatus, JobSummary};
use crate::export::{ExportRequest, FormInput};
use crate::history::{Entry, QueuedExport};
use crate::jobs::fetch::{FetchEvent, FilePlan};
use crate::jobs::file_preview::Preview;
use crate::jobs::manifest::Ready;
use crate::jobs::merge::MergeError;
use crate::jobs::queue::Disposition;

/// Something that happened: input, or a background task's result.
#[derive(Clone, Debug)]
pub enum Msg {
    Key(KeyEvent),
    Paste(String),
    Mouse(MouseEvent),
    Resize(u16, u16),
    /// The spinner's clock (only while a request is in flight). The loop
    /// stamps the time on the app before every update.
    Tick,
    /// The attempt was written to history; the request is going out.
    SubmitStarted {
        seq: u64,
        attempt_id: i64,
    },
    SubmitDone {
        seq: u64,
        outcome: SubmitOutcome,
    },
    HistoryLoaded {
        offset: u64,
        entries: Vec<Entry>,
        total: u64,
        /// Ids of `sending` entries whose writer is gone (outcome unknown),
        /// found by the runner so `update` never looks at processes.
        orphans: Vec<i64>,
    },
    HistoryFailed(String),
    /// Whether requests can be sent (the key and client are ready), or why not.
    ClientStatus(Result<(), String>),
    /// A message for the status line (startup warnings, copy results).
    Notice(Notice),
    /// SIGTERM or SIGHUP: keep the draft and leave.
    Terminate,
    /// A tracked job's status (or why it could not be read), from the
    /// server at `base_url` (a job id is that server's: another server's
    /// job of the same id is another job).
    JobUpdate {
        base_url: String,
        job_id: String,
        result: Result<JobStatus, SubmitError>,
    },
    /// Created jobs found unfinished in history at start.
    Unfinished(Vec<Entry>),
    /// The environment's running job, looked up after a 409.
    RunningJob(Result<Option<JobSummary>, String>),
    /// The queue as stored (this profile's items).
    QueueLoaded(Vec<QueuedExport>),
    /// What a queued export became after its create failed (the
    /// library's [`Disposition`], the same as in `upexport queue run`).
    QueueSettled {
        queue_id: i64,
        disposition: Disposition,
    },
    /// The wait after a queued export was put back is over: try again.
    QueueRetryDue,
    /// A followed job is no longer polled: this error ended it (not
    /// transient, or too many transient ones in a row).
    JobFollowStopped {
        base_url: String,
        job_id: String,
        error: SubmitError,
    },
    /// A queued export was not sent: another job is running.
    EnvBusy {
        queue_id: i64,
        job: JobSummary,
    },
    /// A lookup's items (from the cache or the API), or why not.
    LookupLoaded {
        name: String,
        result: Result<LookupItems, String>,
    },
    /// The API no longer knows a job (404 on a look at it): recorded as
    /// `expired` in history; its status and links are gone.
    JobGone {
        base_url: String,
        job_id: String,
    },
    /// The files of a job to download, with what already exists.
    DownloadPlanned {
        job_id: String,
        result: Result<Vec<FilePlan>, String>,
    },
    /// Progress of a job's download.
    Fetch {
        job_id: String,
        event: FetchEvent,
    },
    /// The profiles in the config, with what each environment is called.
    ProfilesLoaded(Result<Vec<crate::tui::environments::ProfileInfo>, String>),
    /// Now working in another environment.
    ProfileSwitched {
        env: crate::tui::app::EnvInfo,
        first_run: Option<crate::tui::first_run::FirstRun>,
    },
    /// A downloaded file's schema, count and first rows.
    FilePreviewLoaded {
        path: PathBuf,
        result: Result<Box<Preview>, String>,
    },
    /// A job folder's manifest, found on disk (none: no manifest there).
    ManifestFound {
        job_id: String,
        ready: Option<Ready>,
    },
    /// What merging a job's parts did: its lines, or why not.
    Merged {
        job_id: String,
        result: Result<Vec<String>, MergeError>,
    },
    /// The config's syncs and their states (the Sync view), or why the
    /// config file could not be read.
    SyncsLoaded(Result<crate::tui::sync::SyncList, String>),
    /// The Sync view's clock (only while it is open): read them again.
    SyncTick,
    /// A partition's `manifest.json` from the destination (`None`: there
    /// is none), pretty-printed.
    SyncManifestLoaded {
        name: String,
        dt: String,
        result: Result<Option<String>, String>,
    },
    /// What a run started here reports as it goes.
    SyncEvent {
        name: String,
        event: crate::sync::run::SyncEvent,
    },
    /// A run started here ended: its summary, or why it stopped.
    SyncFinished {
        name: String,
        result: Result<String, String>,
    },
}

/// A lookup's items and where they came from.
#[derive(Clone, Debug, PartialEq)]
pub struct LookupItems {
    pub items: Vec<serde_json::Value>,
    pub fetched_at: chrono::DateTime<chrono::Utc>,
    /// Why the list may be cut off (its paging stopped early), in a few
    /// words; `None` for a complete list.
    pub warning: Option<String>,
}

/// How a submit ended.
#[derive(Clone, Debug, PartialEq)]
pub enum SubmitOutcome {
    Created(Box<CreatedJob>),
    Failed(SubmitError),
}

/// A failed submit, as data (the API error is not `Clone`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SubmitError {
    /// `Unauthorized`, `Conflict`, `Timeout`, … or `NotSent`, `Cancelled`.
    pub kind: ErrorKind,
    pub http_status: Option<u16>,
    pub message: String,
}

impl SubmitError {
    pub fn from_api(e: &crate::api::ApiError) -> SubmitError {
        SubmitError {
            kind: e.kind(),
            http_status: e.http_status(),
            message: e.to_string(),
        }
    }
}

/// Severity of a status-line message (ordered: Error is the most severe).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    Info = 0,
    Success = 1,
    Warning = 2,
    Error = 3,
}

/// A status-line message. The status line shows `text` in up to two rows;
/// the rest, and `detail`, are in the message log (F6).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Notice {
    pub level: Level,
    pub text: String,
    /// More than the status line says (the server's own words, a long
    /// path): shown in the message log, announced by "F6 more".
    pub detail: Option<String>,
    /// Cleared when focus moves or a field changes (e.g. "not sent: fix
    /// …", so the focused field's own message shows instead).
    pub transient: bool,
}

impl Notice {
    pub fn new(level: Level, text: impl Into<String>) -> Notice {
        Notice {
            level,
            text: text.into(),
            detail: None,
            transient: false,
        }
    }

    /// The same notice, with more to read in the message log.
    pub fn with_detail(self, detail: impl Into<String>) -> Notice {
        Notice {
            detail: Some(detail.into()),
            ..self
        }
    }

    /// The same notice, cleared by the next focus move.
    pub fn transient(self) -> Notice {
        Notice {
            transient: true,
            ..self
        }
    }
}

/// Work for the runtime to do. `update` never does I/O itself.
#[derive(Clone, Debug, PartialEq)]
pub enum Effect {
    /// Record the attempt in history, then send it.
    Submit {
        seq: u64,
        request: ExportRequest,
        queue_id: Option<i64>,
    },
    /// Stop waiting for a request (it may still reach the server).
    CancelSubmit {
        seq: u64,
    },
    /// Read `limit` history entries from `offset` (newest first).
    LoadHistory {
        offset: u64,
        limit: u32,
    },
    /// Keep the unsent form for the next start.
    SaveDraft(FormInput),
    ClearDraft,
    /// Put text on the clipboard (OSC 52).
    Copy {
        text: String,
        what: &'static str,
    },
    SetMouse(bool),
    /// Poll a job until it is completed or failed.
    TrackJob {
        job_id: String,
    },
    /// Find created jobs left unfinished (at start).
    LoadUnfinished,
    /// Ask the API for the running job (after a 409).
    LookupRunning,
    LoadQueue,
    /// Send [`Msg::QueueRetryDue`] after this long (a put-back queued
    /// export is tried again).
    QueueRetryAfter(std::time::Duration),
    /// Append to the queue (at its head with `front`). `resend`: the
    /// attempt these were refused with 409 (the 409 dialog's one request),
    /// sent again on that row when its turn comes.
    QueueAdd {
        requests: Vec<ExportRequest>,
        front: bool,
        resend: Option<i64>,
    },
    QueueRemove {
        id: i64,
    },
    QueueMove {
        id: i64,
        delta: i64,
    },
    QueueClearDone,
    /// A lookup, from the cache unless `refresh`.
    LoadLookup {
        name: String,
        refresh: bool,
    },
    /// Get fresh links for a job and plan its files into `dir`.
    PlanDownload {
        job_id: String,
        dir: PathBuf,
    },
    Download {
        job_id: String,
        plans: Vec<FilePlan>,
        overwrite: bool,
    },
    /// Read a downloaded file's first rows (the file preview).
    LoadFilePreview {
        path: PathBuf,
    },
    /// Read the manifest of a job's folder, if there is one.
    FindManifest {
        job_id: String,
        dir: PathBuf,
    },
    /// Join the parts in a job's folder (CSV, NDJSON) into one file.
    MergeParts {
        job_id: String,
        dir: PathBuf,
    },
    LoadProfiles,
    SwitchProfile {
        name: String,
    },
    /// Show one profile's history only (`None`: every profile's).
    SetHistoryFilter(Option<String>),
    /// Use `key` from now on (saved to `save` first, 0600, when given).
    UseKey {
        key: crate::api::ApiKey,
        save: Option<PathBuf>,
    },
    /// Read the config's syncs and each one's state up to `until`.
    LoadSyncs {
        until: chrono::NaiveDate,
    },
    /// Read `path` (`NAME/dt=…/manifest.json`) from `destination`.
    LoadSyncManifest {
        name: String,
        dt: String,
        destination: crate::sync::Destination,
        path: String,
    },
    /// Run sync `name` up to `until` in the background.
    RunSync {
        name: String,
        until: chrono::NaiveDate,
    },
}
