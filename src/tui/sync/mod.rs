//! The Sync view (F7): each `[sync.NAME]` of the config file with its
//! destination, last complete partition, gaps, whether a run is going (from
//! the history database and the sync's lock, so a run cron started shows
//! too) and its last error; Enter lists a sync's partitions, `m` shows a
//! partition's `_manifest.json` read from the destination, `r` runs the sync now in
//! the background.
//!
//! The statuses are read when the view opens and every few seconds while
//! it is open (a timer the runner keeps exactly while it is: see
//! [`App::sync_view_open`]); the screen is drawn again only when they
//! changed.

mod update;
pub mod view;

use std::collections::BTreeMap;
use std::path::PathBuf;

use crate::history::SyncPartition;
use crate::sync::run::SyncEvent;
use crate::sync::{Destination, SyncStatus};

/// How often the statuses are read again while the view is open.
pub const REFRESH: std::time::Duration = std::time::Duration::from_secs(3);

/// One defined sync as last read.
#[derive(Clone, Debug, PartialEq)]
pub struct SyncRow {
    pub name: String,
    /// Where it goes (none when its table is broken).
    pub destination: Option<Destination>,
    /// Its state, or why it cannot be shown: a broken `[sync.NAME]` table,
    /// an unreadable history.
    pub status: Result<Box<SyncStatus>, String>,
}

impl SyncRow {
    /// Its recorded partitions (none when broken).
    pub fn partitions(&self) -> &[SyncPartition] {
        self.status.as_ref().map_or(&[], |s| &s.partitions)
    }
}

/// What the runner read: the config file's syncs and their states.
#[derive(Clone, Debug, PartialEq)]
pub struct SyncList {
    /// The config file they come from (none: this session has none).
    pub config: Option<PathBuf>,
    pub rows: Vec<SyncRow>,
}

/// A run of a sync started here, as its events tell it.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SyncRun {
    /// The partition being exported, its place (1-based) and the run's
    /// count of partitions.
    pub dt: Option<String>,
    pub index: usize,
    pub total: Option<usize>,
    /// What is happening to it, in a few words.
    pub phase: String,
    pub done: usize,
    pub failed: usize,
    /// How it ended (its summary), or why it stopped; none while running.
    pub finished: Option<Result<String, String>>,
}

impl SyncRun {
    pub fn running(&self) -> bool {
        self.finished.is_none()
    }

    /// Follow one event of the run.
    pub fn apply(&mut self, e: &SyncEvent) {
        let mut at = |dt: &str, phase: String| {
            self.dt = Some(dt.to_owned());
            self.phase = phase;
        };
        match e {
            SyncEvent::Checked => self.phase = "the destination takes writes".into(),
            SyncEvent::Planned { total } => {
                self.total = Some(*total);
                self.phase = match total {
                    0 => "up to date: nothing to export".into(),
                    n => format!("{n} partition(s) to export"),
                };
            }
            SyncEvent::Partition { dt, index, total } => {
                self.index = index + 1;
                self.total = Some(*total);
                at(dt, "starting".into());
            }
            SyncEvent::Note { dt, text } | SyncEvent::Progress { dt, text } => at(dt, text.clone()),
            SyncEvent::Submitted { dt, job_id } => {
                let short: String = job_id.chars().take(8).collect();
                at(dt, format!("job {short}… submitted"));
            }
            SyncEvent::Uploading {
                dt,
                part,
                parts,
                bytes,
            } => at(
                dt,
                format!(
                    "uploading part {part}/{parts} {}",
                    crate::human::bytes(*bytes)
                ),
            ),
            SyncEvent::Done { dt, rows, files } => {
                self.done += 1;
                let rows = rows.map_or(String::new(), |r| format!("{r} rows, "));
                at(dt, format!("done: {rows}{files} file(s)"));
            }
            SyncEvent::Failed { dt, error } => {
                self.failed += 1;
                at(dt, format!("failed: {error}"));
            }
        }
    }

    /// `dt=2026-11-03 2/10 uploading part 1/3 12.4 MiB`.
    pub fn line(&self) -> String {
        match (&self.finished, &self.dt) {
            (Some(Ok(s)), _) => s.clone(),
            (Some(Err(e)), _) => format!("stopped: {e}"),
            (None, Some(dt)) => {
                let of = self
                    .total
                    .map_or(String::new(), |t| format!(" {}/{t}", self.index));
                format!("dt={dt}{of} {}", self.phase).trim_end().to_owned()
            }
            (None, None) if self.phase.is_empty() => "starting…".into(),
            (None, None) => self.phase.clone(),
        }
    }
}

/// Every sync the view knows, and the runs started here.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SyncBoard {
    /// The last read (none before the first answer).
    pub list: Option<SyncList>,
    /// Why the config file could not be read, if it could not.
    pub error: Option<String>,
    /// A read is on its way (the timer asks for none meanwhile).
    pub loading: bool,
    /// Runs started in this session, by sync name (the last of each).
    pub runs: BTreeMap<String, SyncRun>,
}

impl SyncBoard {
    pub fn rows(&self) -> &[SyncRow] {
        self.list.as_ref().map_or(&[], |l| &l.rows)
    }

    pub fn row(&self, name: &str) -> Option<&SyncRow> {
        self.rows().iter().find(|r| r.name == name)
    }

    /// A run started here is going for `name`.
    pub fn running_here(&self, name: &str) -> bool {
        self.runs.get(name).is_some_and(SyncRun::running)
    }
}

/// The view's place: the list, a sync's partitions, a partition's
/// manifest (Esc goes back one level).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SyncOverlay {
    pub cursor: usize,
    pub partitions: Option<PartitionsLevel>,
    pub manifest: Option<ManifestLevel>,
}

/// A sync's partitions, newest first.
#[derive(Clone, Debug, PartialEq)]
pub struct PartitionsLevel {
    pub name: String,
    pub cursor: usize,
}

/// A partition's `_manifest.json`, as read from the destination.
#[derive(Clone, Debug, PartialEq)]
pub struct ManifestLevel {
    pub name: String,
    pub dt: String,
    /// Where it was read from (`DEST/NAME/dt=…/_manifest.json`).
    pub shown: String,
    /// None while reading; `Ok(None)`: no manifest there.
    pub text: Option<Result<Option<String>, String>>,
    pub scroll: u16,
}
