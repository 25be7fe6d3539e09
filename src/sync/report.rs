//! What a sync run reports: its events as it goes ([`SyncEvent`]), what
//! it did ([`SyncReport`]) and why it stopped ([`SyncError`], with the
//! CLI's exit code and `--json` kind of each).

use chrono::NaiveDate;
use serde::Serialize;

use super::dest::StoreError;
use super::lock::LockError;
use crate::api::ApiError;
use crate::history::HistoryError;
use crate::jobs::track::TrackError;

/// What a run reports as it goes.
#[derive(Clone, Debug, PartialEq)]
pub enum SyncEvent {
    /// The destination took a test write.
    Checked,
    /// Partitions to export this run.
    Planned {
        total: usize,
    },
    /// Starting partition `index` (0-based) of `total`.
    Partition {
        dt: String,
        index: usize,
        total: usize,
    },
    /// Waiting for the environment's running job, a 409, a retry, a job
    /// followed again.
    Note {
        dt: String,
        text: String,
    },
    Submitted {
        dt: String,
        job_id: String,
    },
    /// The job's progress as its status says it.
    Progress {
        dt: String,
        text: String,
    },
    Uploading {
        dt: String,
        part: usize,
        parts: usize,
        bytes: u64,
    },
    Done {
        dt: String,
        rows: Option<u64>,
        files: usize,
    },
    Failed {
        dt: String,
        error: String,
    },
}

/// What a run did.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct SyncReport {
    pub name: String,
    pub destination: String,
    pub until: Option<NaiveDate>,
    /// Partitions made complete now.
    pub done: Vec<String>,
    /// Partitions whose export failed now, with why.
    pub failed: Vec<(String, String)>,
    /// Partitions still missing after the run (the failed ones and those
    /// not reached).
    pub missing: Vec<String>,
    /// Nothing was missing.
    pub up_to_date: bool,
}

/// Why a run stopped.
#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    #[error(transparent)]
    Lock(#[from] LockError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Api(#[from] ApiError),
    #[error("history: {0}")]
    History(#[from] HistoryError),
    #[error("{0}")]
    Config(String),
    /// The environment stayed busy with another export past the wait.
    #[error("{0}")]
    Busy(String),
    /// What the run needed before it began (the API key, the history
    /// file), with the CLI's exit code for it.
    #[error("{message}")]
    Setup { message: String, code: u8 },
    /// Stopped by Ctrl-C, SIGTERM or SIGHUP (the CLI).
    #[error("{0}")]
    Interrupted(String),
}

impl SyncError {
    /// The CLI's exit code: 2 for what the user must set right before
    /// anything is exported (a run already going, a missing bucket), 3
    /// for a refused API key or storage credentials, 4 for an environment
    /// busy past the wait, 5 for the rest.
    pub fn exit_code(&self) -> u8 {
        use crate::frontend::code;
        match self {
            SyncError::Lock(LockError::Busy { .. })
            | SyncError::Store(StoreError::Missing { .. })
            | SyncError::Config(_) => code::INVALID,
            SyncError::Store(StoreError::Credentials { .. })
            | SyncError::Api(ApiError::Unauthorized { .. }) => code::UNAUTHORIZED,
            SyncError::Api(ApiError::Conflict { .. }) | SyncError::Busy(_) => code::CONFLICT,
            SyncError::Api(ApiError::InvalidBaseUrl { .. }) => code::INVALID,
            SyncError::Interrupted(_) => code::INTERRUPTED,
            SyncError::Setup { code, .. } => *code,
            _ => code::API,
        }
    }

    /// A short word for `--json`.
    pub fn kind(&self) -> &'static str {
        match self {
            SyncError::Lock(LockError::Busy { .. }) => "running",
            SyncError::Lock(_) => "lock",
            SyncError::Store(StoreError::Credentials { .. }) => "storage_credentials",
            SyncError::Store(StoreError::Missing { .. }) => "storage_missing",
            SyncError::Store(_) => "storage",
            SyncError::Api(e) => e.kind().as_str(),
            SyncError::History(_) => "history",
            SyncError::Config(_) => "config",
            SyncError::Busy(_) => "busy",
            SyncError::Interrupted(_) => "interrupted",
            SyncError::Setup { code: 3, .. } => "no_key",
            SyncError::Setup { .. } => "setup",
        }
    }
}

impl From<TrackError> for SyncError {
    fn from(e: TrackError) -> Self {
        match e {
            TrackError::Api(e) => SyncError::Api(e),
            TrackError::History(e) => SyncError::History(e),
        }
    }
}
