//! What can go wrong, worded for the person who has to fix it.

use std::io;
use std::path::PathBuf;

use rusqlite::ErrorCode;

use super::entry::EntryState;
use super::queue::QueueState;
use super::schema::BUSY_TIMEOUT;

/// An error of the history store. Every message names the database file.
#[derive(Debug, thiserror::Error)]
pub enum HistoryError {
    #[error("cannot create the history directory {path}: {source}")]
    CreateDir { path: PathBuf, source: io::Error },

    #[error("cannot create or restrict permissions of {path}: {source}")]
    Permissions { path: PathBuf, source: io::Error },

    #[error("cannot use the lock file {path} of the history database: {source}")]
    Lock { path: PathBuf, source: io::Error },

    #[error("cannot open history database {path}: {source}")]
    Open {
        path: PathBuf,
        source: rusqlite::Error,
    },

    #[error(
        "history database {path} is busy: another upexport process kept it locked for over {} s while {op}; close other upexport windows or try again",
        BUSY_TIMEOUT.as_secs()
    )]
    Busy {
        path: String,
        op: &'static str,
        source: rusqlite::Error,
    },

    #[error(
        "history database {path} is damaged ({source}) while {op}; quit upexport and start it again: the damaged file will be moved aside and a new one started"
    )]
    Corrupt {
        path: String,
        op: &'static str,
        source: rusqlite::Error,
    },

    #[error(
        "history database {path} was written by a newer upexport (schema version {found}; this one knows up to {known}); nothing was moved or changed. Use that newer upexport, or move {path} away by hand to start an empty history with this one"
    )]
    Newer {
        path: PathBuf,
        found: i64,
        known: i64,
    },

    #[error(
        "history database {path} {problem}, but another upexport process has it open so it cannot be moved aside; quit every upexport and start again, or move {path} away by hand"
    )]
    InUse { path: PathBuf, problem: String },

    #[error(
        "history database {path} {problem} and could not be moved aside to {to}: {source}; move or rename it by hand"
    )]
    MoveAside {
        path: PathBuf,
        to: PathBuf,
        problem: String,
        source: io::Error,
    },

    #[error(
        "history database {path} {problem}, even as a new file; check the disk and the permissions of its directory"
    )]
    Unusable { path: PathBuf, problem: String },

    #[error("history database {path} has no entry {id}")]
    NoSuchEntry { path: String, id: i64 },

    #[error(
        "history entry {id} in {path} is already {state}: its outcome was recorded before and is kept as it is"
    )]
    AlreadyFinished {
        path: String,
        id: i64,
        state: EntryState,
    },

    #[error("history database {path} has no queued export {id}")]
    NoSuchQueueItem { path: String, id: i64 },

    #[error("queued export {id} in {path} is {state}; this needs it {wanted}")]
    QueueItemState {
        path: String,
        id: i64,
        state: QueueState,
        wanted: &'static str,
    },

    #[error("history database {path}: {op} failed: {source}")]
    Sql {
        path: String,
        op: &'static str,
        source: rusqlite::Error,
    },

    /// The store shared between threads could not be reached (a thread
    /// panicked while holding it, or its worker thread died).
    #[error("the history store is unavailable: {problem}")]
    Unavailable { problem: String },
}

/// The SQLite error code, if `e` carries one.
pub(crate) fn code(e: &rusqlite::Error) -> Option<ErrorCode> {
    match e {
        rusqlite::Error::SqliteFailure(f, _) => Some(f.code),
        _ => None,
    }
}

/// True for "this file is not (or no longer) a usable database".
pub(crate) fn is_corruption(e: &rusqlite::Error) -> bool {
    matches!(
        code(e),
        Some(ErrorCode::DatabaseCorrupt | ErrorCode::NotADatabase)
    )
}

/// Wrap a SQLite error met while doing `op` on the database at `path`.
pub(crate) fn classify(path: &str, op: &'static str, source: rusqlite::Error) -> HistoryError {
    let path = path.to_owned();
    match code(&source) {
        Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => {
            HistoryError::Busy { path, op, source }
        }
        Some(ErrorCode::DatabaseCorrupt | ErrorCode::NotADatabase) => {
            HistoryError::Corrupt { path, op, source }
        }
        _ => HistoryError::Sql { path, op, source },
    }
}
