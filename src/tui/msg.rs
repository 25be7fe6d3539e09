//! Messages into `update` and effects out of it: plain data.

use crossterm::event::{KeyEvent, MouseEvent};

use crate::api::CreatedJob;
use crate::export::{ExportRequest, FormInput};
use crate::history::Entry;

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
    /// `unauthorized`, `conflict`, `timeout`, … or `not_sent`, `cancelled`.
    pub kind: String,
    pub http_status: Option<u16>,
    pub message: String,
}

impl SubmitError {
    pub fn from_api(e: &crate::api::ApiError) -> SubmitError {
        SubmitError {
            kind: e.kind().to_owned(),
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

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Notice {
    pub level: Level,
    pub text: String,
    /// Cleared when focus moves (e.g. "not sent: fix …", so the focused
    /// field's own message shows instead).
    pub transient: bool,
}

impl Notice {
    pub fn new(level: Level, text: impl Into<String>) -> Notice {
        Notice {
            level,
            text: text.into(),
            transient: false,
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
}
