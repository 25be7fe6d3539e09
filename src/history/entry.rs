//! Row types: what callers hand to the store and what they get back.

use std::fmt;

use chrono::{DateTime, Duration, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};

/// `source` of attempts made from the terminal UI.
pub const SOURCE_TUI: &str = "tui";
/// `source` of attempts made from the command line.
pub const SOURCE_CLI: &str = "cli";

/// Job statuses after which a job needs no more polling. `completed` and
/// `failed` come from the API; `expired` is ours: record it when the status
/// endpoint answers 404 for a job we know (the API keeps status for 3 days).
pub const FINISHED_JOB_STATUSES: [&str; 3] = ["completed", "failed", "expired"];

/// A `sending` entry older than this is taken as dead whatever its pid says
/// (no request takes this long; it also covers pid reuse).
pub const SENDING_STALE_AFTER: Duration = Duration::minutes(10);

/// A submit attempt about to be sent. `request_json` is the exact body.
/// The API key is not part of it and the store never sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NewAttempt<'a> {
    /// [`SOURCE_TUI`] or [`SOURCE_CLI`].
    pub source: &'a str,
    pub profile: &'a str,
    pub base_url: &'a str,
    pub request_json: &'a str,
}

/// The API's 201 answer to a create-export request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Created {
    pub job_id: String,
    pub environment_name: Option<String>,
    pub environment_app_token: Option<String>,
    pub start_time: Option<String>,
    pub links: Option<String>,
}

/// Why an attempt failed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Failed {
    /// Short machine-readable kind, e.g. `unauthorized`, `conflict`, `timeout`.
    pub kind: String,
    pub http_status: Option<u16>,
    pub message: String,
}

/// One download part of a finished job.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JobFile {
    pub filename: String,
    pub url: String,
}

/// The last known status of a job, as polled.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JobSnapshot {
    /// As the API gave it (`pending`, `processing`, `completed`, `failed`, …).
    pub status: String,
    pub progress: Option<String>,
    pub chunks_done: Option<u32>,
    pub chunks_total: Option<u32>,
    pub files: Vec<JobFile>,
    pub error: Option<String>,
    pub checked_at: DateTime<Utc>,
    /// When the job ended, as the API said (`end_time`); download links
    /// expire 2 days after it.
    #[serde(default)]
    pub ended_at: Option<DateTime<Utc>>,
}

impl JobSnapshot {
    /// Where the job stood when checked: the status word read with
    /// [`crate::api::JobState::settled`] (an unknown word with an end time
    /// is final).
    pub fn state(&self) -> crate::api::JobState {
        crate::api::JobState::settled(
            &self.status,
            self.ended_at.is_some(),
            !self.files.is_empty(),
        )
    }

    /// The progress in words, with units (the one phrasing:
    /// [`crate::api::progress_words`]).
    pub fn progress_text(&self) -> Option<String> {
        let chunks = self
            .chunks_done
            .zip(self.chunks_total)
            .filter(|(_, all)| *all > 0)
            .map(|(d, a)| (d as usize, a as usize));
        crate::api::progress_words(chunks, self.progress.as_deref())
    }

    /// True when nothing more will happen to the job: the status is one
    /// of [`FINISHED_JOB_STATUSES`], or [`JobSnapshot::state`] is final.
    pub fn is_finished(&self) -> bool {
        FINISHED_JOB_STATUSES.contains(&self.status.as_str()) || self.state().is_final()
    }
}

/// Where an attempt stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum EntryState {
    /// Written before the request went out; no outcome recorded (yet).
    Sending,
    /// The API created a job.
    Created,
    /// The request failed.
    Failed,
}

impl EntryState {
    /// The word stored in the `state` column.
    pub fn as_str(self) -> &'static str {
        match self {
            EntryState::Sending => "sending",
            EntryState::Created => "created",
            EntryState::Failed => "failed",
        }
    }

    /// Inverse of [`EntryState::as_str`].
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "sending" => Some(EntryState::Sending),
            "created" => Some(EntryState::Created),
            "failed" => Some(EntryState::Failed),
            _ => None,
        }
    }
}

impl fmt::Display for EntryState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One submit attempt as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    pub id: i64,
    pub created_at: DateTime<Utc>,
    pub source: String,
    pub profile: String,
    pub base_url: String,
    pub request_json: String,
    pub state: EntryState,
    /// Process id of the writer of the `sending` row.
    pub pid: Option<u32>,
    pub finished_at: Option<DateTime<Utc>>,
    pub created: Option<Created>,
    pub failed: Option<Failed>,
    pub job: Option<JobSnapshot>,
    /// How many 409 answers ("an export is already running") this attempt
    /// got. It is sent again after each one it waits through, on this same
    /// row, so one export is one row however long it waited.
    #[serde(default)]
    pub conflicts: u32,
    /// When it was last sent, if it was sent again after a 409 (else it
    /// went at `created_at`).
    #[serde(default)]
    pub sent_at: Option<DateTime<Utc>>,
}

impl Entry {
    /// True when this attempt is still `sending` but nobody is going to
    /// finish it: the request may or may not have reached the API.
    ///
    /// The rule, kept simple on purpose:
    /// - only `sending` entries qualify;
    /// - older than [`SENDING_STALE_AFTER`] (10 minutes): unknown, whatever
    ///   the pid says (covers pid reuse and other machines);
    /// - younger: unknown when the writer is known to be gone. On Linux that
    ///   is "`/proc/<pid>` missing or a zombie"; elsewhere, or without a pid,
    ///   nothing is known and only the age counts;
    /// - an entry written by this very process is never taken as gone while
    ///   young: whether it is still in flight is the caller's business.
    pub fn outcome_unknown(&self) -> bool {
        self.outcome_unknown_at(Utc::now())
    }

    /// [`Entry::outcome_unknown`] as seen at `now`.
    pub fn outcome_unknown_at(&self, now: DateTime<Utc>) -> bool {
        if self.state != EntryState::Sending {
            return false;
        }
        if now - self.sent_at.unwrap_or(self.created_at) >= SENDING_STALE_AFTER {
            return true;
        }
        match self.pid {
            Some(pid) if pid != std::process::id() => process_gone(pid),
            _ => false,
        }
    }
}

impl Entry {
    /// The 409s this attempt waited through, for people: `None` when
    /// there were none, and for a row refused once (its outcome says 409).
    /// Both front ends show this.
    pub fn conflicts_note(&self) -> Option<String> {
        let n = self.conflicts;
        let refused = self.state == EntryState::Failed
            && self
                .failed
                .as_ref()
                .is_some_and(|f| f.kind == crate::api::ErrorKind::Conflict.as_str());
        let s = if n == 1 { "" } else { "s" };
        match n {
            0 => None,
            1 if refused => None,
            _ if refused => Some(format!("refused with 409 {n} times")),
            _ => Some(format!("waited through {n} conflict{s}")),
        }
    }
}

/// True when `pid` is known not to run any more.
#[cfg(target_os = "linux")]
pub(crate) fn process_gone(pid: u32) -> bool {
    if !std::path::Path::new("/proc/self").exists() {
        return false; // no procfs: nothing known
    }
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        // `pid (comm) S …`: comm may hold ')' so take the last one.
        Ok(stat) => stat
            .rsplit_once(')')
            .and_then(|(_, rest)| rest.trim_start().chars().next())
            .is_some_and(|state| state == 'Z' || state == 'X'),
        Err(e) => e.kind() == std::io::ErrorKind::NotFound,
    }
}

#[cfg(not(target_os = "linux"))]
pub(crate) fn process_gone(_pid: u32) -> bool {
    false
}

/// How times are stored: RFC 3339, UTC, nanoseconds, `Z`. Fixed width, so
/// text order is time order.
pub(crate) fn fmt_time(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Nanos, true)
}

pub(crate) fn parse_time(s: &str) -> Result<DateTime<Utc>, chrono::ParseError> {
    DateTime::parse_from_rfc3339(s).map(|t| t.with_timezone(&Utc))
}
