//! Where a sync stands: what is complete, what is missing (as ranges),
//! what failed and why, and whether a run is going. Read from the history
//! database (`sync_partitions`) and the sync's lock, so a run started by
//! cron shows as well as one started here. The CLI (`sync --json`) and the
//! TUI's Sync view both call [`status`].
//!
//! The lock is the truth about a run: a partition recorded `running` while
//! nobody holds the lock was left by a run that was killed; the next run
//! exports it again (it is not complete), so it is reported as
//! interrupted, not as running.

use std::collections::BTreeSet;
use std::path::Path;

use chrono::NaiveDate;
use serde::Serialize;

use super::def::{Destination, Sync};
use super::lock;
use super::plan::{Partition, PartitionSize, missing};
use crate::history::{HistoryError, HistoryStore, SyncPartition};

/// Missing partitions next to each other: `2026-11-03 … 2026-11-05 (3 days)`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Gap {
    /// The first and last missing `dt`, both included.
    pub first: String,
    pub last: String,
    /// Partitions in the gap.
    pub count: usize,
    #[serde(skip)]
    pub size: PartitionSize,
}

impl std::fmt::Display for Gap {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let unit = match (self.size, self.count) {
            (PartitionSize::Day, 1) => "day",
            (PartitionSize::Day, _) => "days",
            (PartitionSize::Month, 1) => "month",
            (PartitionSize::Month, _) => "months",
        };
        if self.first == self.last {
            write!(f, "{} (1 {unit})", self.first)
        } else {
            write!(f, "{} … {} ({} {unit})", self.first, self.last, self.count)
        }
    }
}

/// A partition whose last export failed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Failure {
    pub dt: String,
    pub error: String,
    /// When it was recorded (history's time format).
    pub at: String,
}

/// One sync's state.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SyncStatus {
    pub name: String,
    /// The destination as written (a folder or a URL).
    pub destination: String,
    /// The destination the config names, when it is not `destination`
    /// (`--demo` writes into the demo's own folder instead).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub configured: Option<String>,
    pub partition: PartitionSize,
    pub start: NaiveDate,
    /// The last day counted (the last complete UTC day, or `--until`).
    pub until: NaiveDate,
    /// Partitions recorded complete.
    pub complete: usize,
    /// The newest complete `dt`.
    pub last_complete: Option<String>,
    /// Partitions from `start` to `until` not complete (failed, running,
    /// interrupted or never exported), in `gaps`.
    pub missing: usize,
    pub gaps: Vec<Gap>,
    /// Partitions whose last export failed, oldest `dt` first.
    pub failed: Vec<Failure>,
    /// The most recently recorded error.
    pub last_error: Option<Failure>,
    /// Who holds the lock (`pid 123 since …`) while a run is going.
    pub running: Option<String>,
    /// Partitions the going run is exporting (`running` rows, lock held).
    pub in_progress: Vec<String>,
    /// `running` rows without a lock holder: a killed run's leftovers;
    /// the next run exports them again.
    pub interrupted: Vec<String>,
    /// Every recorded partition, by `dt`.
    #[serde(skip)]
    pub partitions: Vec<SyncPartition>,
}

/// The state of `sync` up to `until`, from the history in `store` and the
/// lock under `lock_dir`.
pub fn status(
    store: &HistoryStore,
    sync: &Sync,
    until: NaiveDate,
    lock_dir: &Path,
) -> Result<SyncStatus, HistoryError> {
    let destination = sync.destination.to_string();
    let partitions = store.sync_partitions(&sync.name, &destination)?;
    let running = lock::holder(lock_dir, &sync.name);
    Ok(from_rows(sync, until, partitions, running))
}

/// [`status`] from rows already read and the lock's holder.
pub fn from_rows(
    sync: &Sync,
    until: NaiveDate,
    partitions: Vec<SyncPartition>,
    running: Option<String>,
) -> SyncStatus {
    let size = sync.def.partition;
    let complete: BTreeSet<String> = partitions
        .iter()
        .filter(|p| p.state == "complete")
        .map(|p| p.dt.clone())
        .collect();
    let todo = missing(sync.start, until, size, &complete);
    let failed: Vec<Failure> = partitions
        .iter()
        .filter(|p| p.state == "failed")
        .map(|p| Failure {
            dt: p.dt.clone(),
            error: p
                .error
                .clone()
                .unwrap_or_else(|| "no error recorded".into()),
            at: p.updated_at.clone(),
        })
        .collect();
    let last_error = partitions
        .iter()
        .filter_map(|p| {
            p.error.as_ref().map(|e| Failure {
                dt: p.dt.clone(),
                error: e.clone(),
                at: p.updated_at.clone(),
            })
        })
        .max_by(|a, b| (&a.at, &a.dt).cmp(&(&b.at, &b.dt)));
    let running_rows: Vec<String> = partitions
        .iter()
        .filter(|p| p.state == "running")
        .map(|p| p.dt.clone())
        .collect();
    let (in_progress, interrupted) = match running {
        Some(_) => (running_rows, Vec::new()),
        None => (Vec::new(), running_rows),
    };
    let destination = sync.destination.to_string();
    SyncStatus {
        name: sync.name.clone(),
        configured: Destination::parse(&sync.def.destination)
            .ok()
            .filter(|d| d != &sync.destination)
            .map(|d| d.to_string()),
        destination,
        partition: size,
        start: sync.start,
        until,
        complete: complete.len(),
        last_complete: complete.iter().next_back().cloned(),
        missing: todo.len(),
        gaps: gaps(&todo, size),
        failed,
        last_error,
        running,
        in_progress,
        interrupted,
        partitions,
    }
}

/// `todo` (oldest first) as runs of partitions next to each other.
fn gaps(todo: &[Partition], size: PartitionSize) -> Vec<Gap> {
    let mut out: Vec<(Partition, Partition, usize)> = Vec::new();
    for p in todo {
        match out.last_mut() {
            Some((_, last, count)) if last.last.succ_opt() == Some(p.first) => {
                *last = *p;
                *count += 1;
            }
            _ => out.push((*p, *p, 1)),
        }
    }
    out.into_iter()
        .map(|(first, last, count)| Gap {
            first: first.dt(size),
            last: last.dt(size),
            count,
            size,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sync::SyncDef;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn sync(partition: PartitionSize) -> Sync {
        sync_to("/data/up", partition)
    }

    fn sync_to(destination: &str, partition: PartitionSize) -> Sync {
        Sync::new(
            "events",
            SyncDef {
                start: "2026-11-01".into(),
                destination: destination.into(),
                partition,
                ..Default::default()
            },
        )
        .unwrap()
    }

    /// History with 11-01, 11-02 and 11-06 complete, 11-04 failed twice
    /// (the second error newer), 11-07 left `running`.
    fn recorded(store: &HistoryStore) {
        let rec = |dt: &str, state: &str, err: Option<&str>| {
            store
                .sync_record(
                    "events",
                    "/data/up",
                    dt,
                    state,
                    Some(("job-1", "http://127.0.0.1:1")),
                    None,
                    err,
                )
                .unwrap()
        };
        rec("2026-11-01", "complete", None);
        rec("2026-11-02", "complete", None);
        rec("2026-11-06", "complete", None);
        rec("2026-11-04", "failed", Some("the export job failed: first"));
        rec("2026-11-07", "running", None);
        // Another sync, and the same one at another destination: not ours.
        store
            .sync_record(
                "pages",
                "/data/up",
                "2026-11-03",
                "complete",
                None,
                None,
                None,
            )
            .unwrap();
        store
            .sync_record(
                "events",
                "s3://b/p",
                "2026-11-03",
                "complete",
                None,
                None,
                None,
            )
            .unwrap();
    }

    #[test]
    fn names_the_configured_destination_only_when_the_demo_moved_it() {
        let store = HistoryStore::open_in_memory().unwrap();
        let locks = tempfile::tempdir().unwrap();
        let mut s = sync(PartitionSize::Day);
        let at = status(&store, &s, d("2026-11-08"), locks.path()).unwrap();
        assert_eq!(at.configured, None, "a destination as configured");
        let url = sync_to("file:///data/up", PartitionSize::Day);
        let at = status(&store, &url, d("2026-11-08"), locks.path()).unwrap();
        assert_eq!(at.configured, None, "file:// is the same folder");
        s.move_for_demo(Path::new("/tmp/lake"));
        let at = status(&store, &s, d("2026-11-08"), locks.path()).unwrap();
        assert_eq!(at.destination, "/tmp/lake");
        assert_eq!(at.configured.as_deref(), Some("/data/up"));
    }

    #[test]
    fn counts_gaps_failures_and_an_interrupted_run() {
        let store = HistoryStore::open_in_memory().unwrap();
        recorded(&store);
        let locks = tempfile::tempdir().unwrap();
        let s = status(
            &store,
            &sync(PartitionSize::Day),
            d("2026-11-08"),
            locks.path(),
        )
        .unwrap();
        assert_eq!(s.destination, "/data/up");
        assert_eq!(s.complete, 3);
        assert_eq!(s.last_complete.as_deref(), Some("2026-11-06"));
        // 11-03 … 11-05 (11-04 failed), 11-07 (interrupted) and 11-08 (never run).
        let shown: Vec<String> = s.gaps.iter().map(ToString::to_string).collect();
        assert_eq!(
            shown,
            [
                "2026-11-03 … 2026-11-05 (3 days)",
                "2026-11-07 … 2026-11-08 (2 days)"
            ]
        );
        assert_eq!(s.missing, 5);
        assert_eq!(s.failed.len(), 1);
        assert_eq!(s.failed[0].dt, "2026-11-04");
        assert_eq!(
            s.last_error.as_ref().map(|f| f.error.as_str()),
            Some("the export job failed: first")
        );
        // Nobody holds the lock: the running row is a killed run's.
        assert_eq!(s.running, None);
        assert_eq!(s.interrupted, ["2026-11-07"]);
        assert!(s.in_progress.is_empty());
        assert_eq!(s.partitions.len(), 5);
    }

    #[test]
    fn a_held_lock_is_a_run_going() {
        let store = HistoryStore::open_in_memory().unwrap();
        recorded(&store);
        let locks = tempfile::tempdir().unwrap();
        let held = lock::lock(locks.path(), "events").unwrap();
        let s = status(
            &store,
            &sync(PartitionSize::Day),
            d("2026-11-08"),
            locks.path(),
        )
        .unwrap();
        let who = s.running.clone().expect("running while the lock is held");
        assert!(
            who.contains(&format!("pid {}", std::process::id())),
            "{who}"
        );
        assert_eq!(s.in_progress, ["2026-11-07"]);
        assert!(s.interrupted.is_empty());
        drop(held);
    }

    #[test]
    fn the_latest_error_wins_and_a_fixed_partition_has_none() {
        let store = HistoryStore::open_in_memory().unwrap();
        recorded(&store);
        // 11-04 done on a later run; 11-05 fails now.
        store
            .sync_record(
                "events",
                "/data/up",
                "2026-11-04",
                "complete",
                None,
                Some((10, 1)),
                None,
            )
            .unwrap();
        store
            .sync_record(
                "events",
                "/data/up",
                "2026-11-05",
                "failed",
                None,
                None,
                Some("503 from the store"),
            )
            .unwrap();
        let locks = tempfile::tempdir().unwrap();
        let s = status(
            &store,
            &sync(PartitionSize::Day),
            d("2026-11-05"),
            locks.path(),
        )
        .unwrap();
        assert_eq!(
            s.failed.iter().map(|f| f.dt.as_str()).collect::<Vec<_>>(),
            ["2026-11-05"]
        );
        assert_eq!(
            s.last_error.map(|f| f.error),
            Some("503 from the store".to_owned())
        );
        let shown: Vec<String> = s.gaps.iter().map(ToString::to_string).collect();
        assert_eq!(shown, ["2026-11-03 (1 day)", "2026-11-05 (1 day)"]);
    }

    #[test]
    fn up_to_date_and_monthly() {
        let store = HistoryStore::open_in_memory().unwrap();
        let locks = tempfile::tempdir().unwrap();
        let monthly = sync(PartitionSize::Month);
        // Nothing recorded: November and December missing by mid-January.
        let s = status(&store, &monthly, d("2027-01-15"), locks.path()).unwrap();
        assert_eq!(s.complete, 0);
        assert_eq!(s.last_complete, None);
        let shown: Vec<String> = s.gaps.iter().map(ToString::to_string).collect();
        assert_eq!(shown, ["2026-11 … 2026-12 (2 months)"]);
        for dt in ["2026-11", "2026-12"] {
            store
                .sync_record("events", "/data/up", dt, "complete", None, None, None)
                .unwrap();
        }
        let s = status(&store, &monthly, d("2027-01-15"), locks.path()).unwrap();
        assert_eq!((s.missing, s.gaps.len(), s.complete), (0, 0, 2));
        assert_eq!(s.last_complete.as_deref(), Some("2026-12"));
    }
}
