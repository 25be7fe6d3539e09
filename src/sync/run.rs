//! Running a sync: every missing partition exported, one after another,
//! through the one job workflow (`crate::jobs`: the submit that waits out
//! the environment's running export and 409s, the poller), each part
//! streamed into the destination ([`super::stream`]), the partition's
//! `_manifest.json` ([`PARTITION_MANIFEST`]) written last, and the partition recorded complete in
//! the history database with the job that made it.
//!
//! Safety, in the order a run meets it:
//! - one run per sync at a time ([`super::lock`]; a killed run's lock goes
//!   with its process);
//! - the destination is checked writable before any export, so a wrong
//!   bucket or refused credentials fail in a second;
//! - a partition is `running` in history before its export is sent, with
//!   its job id once created: a run killed while waiting or uploading
//!   follows the same job again next time (while the API still has it)
//!   instead of exporting the days again;
//! - before its parts are written, whatever an earlier attempt left under
//!   the partition's folder is removed; parts become visible only whole
//!   (multipart uploads), and the manifest, written last, is what says a
//!   partition is there;
//! - a job that fails marks its partition `failed` (tried again next run)
//!   and the run goes on with the others; what concerns every partition
//!   (the key refused, the store refusing, the environment busy past the
//!   wait) stops the run.

use std::collections::BTreeSet;
use std::path::Path;

use chrono::NaiveDate;

use super::def::Sync;
use super::dest::{Store, StoreError};
use super::lock;
use super::plan::{Partition, missing};
use super::stream::{PartError, PartSeen, stream_part};
use super::upload::{Completions, Sealed};
use crate::api::{ApiClient, ApiError, JobState, JobStatus};
use crate::export::Format;
use crate::history::{HistoryError, SyncPartition};
use crate::jobs::StoreAccess;
use crate::jobs::manifest::{self, FileEntry, PartitionFacts};
use crate::jobs::submit::Origin;
use crate::jobs::track::{self, Event, TrackError, WaitOptions};

/// A partition's manifest, in its `dt=` folder. The leading underscore
/// is the data lake's convention for "not data" (Hadoop's `_SUCCESS`):
/// Spark, Hive, Athena, Trino and pyarrow's datasets skip files whose
/// names begin with `_` or `.`, so the folder reads as one table with no
/// option given; a `manifest.json` among the parts would be read as a
/// data file and fail the read.
pub const PARTITION_MANIFEST: &str = "_manifest.json";

pub use super::report::{SyncError, SyncEvent, SyncReport};

/// How a run goes.
#[derive(Clone, Debug)]
pub struct RunOptions {
    /// The last day exported (the last complete UTC day, or `--until`).
    /// Fixed for the whole run: a run that goes past midnight UTC does
    /// not grow; the next run picks the new day up.
    pub until: NaiveDate,
    pub wait: WaitOptions,
    /// The history source of its exports (`sync`, `tui-sync`).
    pub source: &'static str,
}

/// Why one partition did not complete.
enum Miss {
    /// This partition only (its job failed, its files could not be
    /// fetched): recorded failed, the run goes on.
    Partition(String),
    /// Every partition would fail the same way: the run stops.
    Run(SyncError),
}

impl From<SyncError> for Miss {
    fn from(e: SyncError) -> Self {
        Miss::Run(e)
    }
}

impl From<HistoryError> for Miss {
    fn from(e: HistoryError) -> Self {
        Miss::Run(e.into())
    }
}

impl From<StoreError> for Miss {
    fn from(e: StoreError) -> Self {
        Miss::Run(e.into())
    }
}

/// An API error that ends the run rather than one partition: the key or
/// the server, not the job.
fn api_miss(e: ApiError) -> Miss {
    match e {
        ApiError::Unauthorized { .. }
        | ApiError::Conflict { .. }
        | ApiError::InvalidBaseUrl { .. }
        | ApiError::Dns { .. }
        | ApiError::Tls { .. }
        | ApiError::Connect { .. } => Miss::Run(e.into()),
        e => Miss::Partition(e.to_string()),
    }
}

fn track_miss(e: TrackError) -> Miss {
    match e {
        TrackError::Api(e) => api_miss(e),
        TrackError::History(e) => Miss::Run(e.into()),
    }
}

/// The partitions of `sync` complete at its destination, by `dt`, and
/// every recorded partition.
async fn recorded<S: StoreAccess>(
    store: &S,
    sync: &Sync,
) -> Result<(BTreeSet<String>, Vec<SyncPartition>), HistoryError> {
    let (name, dest) = (sync.name.clone(), sync.destination.to_string());
    let all = store.with(move |s| s.sync_partitions(&name, &dest)).await?;
    let complete = all
        .iter()
        .filter(|p| p.state == "complete")
        .map(|p| p.dt.clone())
        .collect();
    Ok((complete, all))
}

/// Run `sync`: export every partition it misses up to `opts.until`.
pub async fn run_sync<S: StoreAccess>(
    store: &S,
    client: &ApiClient,
    profile: &str,
    sync: &Sync,
    lock_dir: &Path,
    opts: &RunOptions,
    mut on_event: impl FnMut(SyncEvent),
) -> Result<SyncReport, SyncError> {
    let _lock = lock::lock(lock_dir, &sync.name)?;
    let mut report = SyncReport {
        name: sync.name.clone(),
        destination: sync.destination.to_string(),
        until: Some(opts.until),
        ..Default::default()
    };
    let (complete, records) = recorded(store, sync).await?;
    let size = sync.def.partition;
    let todo = missing(sync.start, opts.until, size, &complete);
    if todo.is_empty() {
        report.up_to_date = true;
        on_event(SyncEvent::Planned { total: 0 });
        return Ok(report);
    }
    let dest = Store::open(&sync.destination)?;
    dest.check_writable().await?;
    on_event(SyncEvent::Checked);
    on_event(SyncEvent::Planned { total: todo.len() });
    report.missing = todo.iter().map(|p| p.dt(size)).collect();
    let ctx = Ctx {
        store,
        client,
        profile,
        sync,
        dest: &dest,
        opts,
    };
    for (index, p) in todo.iter().enumerate() {
        let dt = p.dt(size);
        on_event(SyncEvent::Partition {
            dt: dt.clone(),
            index,
            total: todo.len(),
        });
        let before = records.iter().find(|r| r.dt == dt);
        match ctx.partition(p, &dt, before, &mut on_event).await {
            Ok((rows, files)) => {
                report.missing.retain(|m| *m != dt);
                report.done.push(dt.clone());
                on_event(SyncEvent::Done { dt, rows, files });
            }
            Err(Miss::Partition(error)) => {
                ctx.record(&dt, "failed", None, None, Some(&error)).await?;
                report.failed.push((dt.clone(), error.clone()));
                on_event(SyncEvent::Failed { dt, error });
            }
            Err(Miss::Run(e)) => {
                let text = e.to_string();
                // Kept `failed` with its job id: the next run follows the
                // job again if the API still has it.
                if let Err(h) = ctx.record(&dt, "failed", None, None, Some(&text)).await {
                    tracing::warn!(dt, "could not record the partition: {h}");
                }
                on_event(SyncEvent::Failed {
                    dt,
                    error: text.clone(),
                });
                return Err(e);
            }
        }
    }
    Ok(report)
}

/// What every partition of a run shares.
struct Ctx<'a, S> {
    store: &'a S,
    client: &'a ApiClient,
    profile: &'a str,
    sync: &'a Sync,
    dest: &'a Store,
    opts: &'a RunOptions,
}

/// How many times a part is streamed again after its connection broke.
const PART_TRIES: u32 = 3;

impl<S: StoreAccess> Ctx<'_, S> {
    async fn record(
        &self,
        dt: &str,
        state: &str,
        job_id: Option<&str>,
        counts: Option<(i64, i64)>,
        error: Option<&str>,
    ) -> Result<(), HistoryError> {
        let (name, dest, dt, state) = (
            self.sync.name.clone(),
            self.sync.destination.to_string(),
            dt.to_owned(),
            state.to_owned(),
        );
        let job = job_id.map(|j| (j.to_owned(), self.client.base_url().to_string()));
        let error = error.map(str::to_owned);
        self.store
            .with(move |s| {
                s.sync_record(
                    &name,
                    &dest,
                    &dt,
                    &state,
                    job.as_ref().map(|(j, b)| (j.as_str(), b.as_str())),
                    counts,
                    error.as_deref(),
                )
            })
            .await
    }

    /// Export partition `p` (`dt`) and write it. `before`: its record
    /// from an earlier run, whose job is followed again when the API
    /// still has it. Returns its rows (when known) and files.
    async fn partition(
        &self,
        p: &Partition,
        dt: &str,
        before: Option<&SyncPartition>,
        on_event: &mut impl FnMut(SyncEvent),
    ) -> Result<(Option<u64>, usize), Miss> {
        let base = self.client.base_url().to_string();
        let earlier = before
            .filter(|r| r.base_url.as_deref() == Some(base.as_str()))
            .and_then(|r| r.job_id.clone());
        if let Some(job_id) = earlier {
            on_event(SyncEvent::Note {
                dt: dt.into(),
                text: format!("following job {job_id} of an earlier run again"),
            });
            match self.follow(dt, &job_id, on_event).await {
                Ok(Some(status)) => match self.write(p, dt, &job_id, &status, on_event).await {
                    Ok(done) => return Ok(done),
                    // Links gone stale: a new export below.
                    Err(Miss::Partition(why)) => on_event(SyncEvent::Note {
                        dt: dt.into(),
                        text: format!(
                            "job {job_id}'s files are not there any more ({why}); exporting again"
                        ),
                    }),
                    Err(e) => return Err(e),
                },
                Ok(None) => {}
                Err(e) => return Err(e),
            }
        }
        self.record(dt, "running", None, None, None).await?;
        let req = self.sync.request(p);
        let origin = Origin {
            source: self.opts.source,
            profile: self.profile,
        };
        let submitted = track::submit_when_free(
            self.store,
            self.client,
            origin,
            &req,
            true,
            &self.opts.wait,
            |e| on_event(note(dt, &e)),
        )
        .await
        .map_err(|e| match e {
            TrackError::Api(ApiError::WaitLimit { .. }) => Miss::Run(SyncError::Busy(format!(
                "the environment stayed busy with another export: {e}"
            ))),
            e => track_miss(e),
        })?;
        let Some(job_id) = submitted
            .job
            .job_id
            .clone()
            .filter(|j| !j.trim().is_empty())
        else {
            return Err(Miss::Partition(
                "the API accepted the export but named no job id to follow".into(),
            ));
        };
        self.record(dt, "running", Some(&job_id), None, None)
            .await?;
        on_event(SyncEvent::Submitted {
            dt: dt.into(),
            job_id: job_id.clone(),
        });
        match self.follow(dt, &job_id, on_event).await? {
            Some(status) => self.write(p, dt, &job_id, &status, on_event).await,
            None => Err(Miss::Partition(format!(
                "job {job_id} failed or is gone; the next run exports these days again"
            ))),
        }
    }

    /// Wait for `job_id` to end: its status when it completed with links;
    /// `None` when it failed or the API no longer has it.
    async fn follow(
        &self,
        dt: &str,
        job_id: &str,
        on_event: &mut impl FnMut(SyncEvent),
    ) -> Result<Option<JobStatus>, Miss> {
        let ended = track::wait_recorded(
            self.store,
            self.client,
            self.profile,
            job_id,
            &self.opts.wait,
            |e| on_event(note(dt, &e)),
        )
        .await;
        match ended {
            Ok(s) if s.state() == JobState::Completed => Ok(Some(s)),
            Ok(s) => {
                let why = s
                    .failure_reason()
                    .unwrap_or_else(|| format!("status '{}'", s.raw_status()));
                on_event(SyncEvent::Note {
                    dt: dt.into(),
                    text: format!("job {job_id} failed: {why}"),
                });
                Ok(None)
            }
            Err(ApiError::NotFound { .. }) => Ok(None),
            // Still running past the wait: the next run follows it again.
            Err(e @ ApiError::WaitLimit { .. }) => Err(Miss::Run(e.into())),
            Err(e) => Err(api_miss(e)),
        }
    }

    /// Write the parts of completed job `job_id` and, last, the manifest;
    /// record the partition complete.
    async fn write(
        &self,
        p: &Partition,
        dt: &str,
        job_id: &str,
        status: &JobStatus,
        on_event: &mut impl FnMut(SyncEvent),
    ) -> Result<(Option<u64>, usize), Miss> {
        let folder = self.sync.partition_path(p);
        // What an earlier attempt left (parts of a killed upload that
        // completed, a manifest of a partition history does not call
        // complete) goes first.
        let cleared = self.dest.clear(&folder).await?;
        if cleared > 0 {
            tracing::info!(dt, cleared, "removed what an earlier run left");
        }
        let ext = self.sync.def.format.unwrap_or(Format::Ndjson).as_str();
        let links: Vec<&str> = status
            .presigned_urls
            .iter()
            .filter_map(|u| u.url.as_deref())
            .collect();
        let mut files = Vec::new();
        // Each part completes while the next streams (a large object's
        // completion can take seconds); all are complete before the
        // manifest. After a failure the ones going are let finish, so no
        // upload is left open, before the error goes up.
        let mut completing = Completions::new();
        let streamed = async {
            for (i, url) in links.iter().enumerate() {
                let name = format!("part-{:04}.{ext}", i + 1);
                let rel = format!("{folder}/{name}");
                let (seen, sealed) = self
                    .part(url, &rel, dt, i, links.len(), on_event)
                    .await
                    .map_err(|e| match e {
                        PartError::Store(s) => Miss::Run(s.into()),
                        e => Miss::Partition(format!("part {} of job {job_id}: {e}", i + 1)),
                    })?;
                completing
                    .push(sealed)
                    .await
                    .map_err(|e| self.store_miss(e))?;
                files.push(entry(i, name, seen));
            }
            Ok::<_, Miss>(())
        }
        .await;
        let completed = completing.finish().await;
        streamed?;
        completed.map_err(|e| self.store_miss(e))?;
        let m = self.manifest(p, dt, job_id, files).await;
        let rows = m.rows;
        let n = m.files.len();
        let mut text = serde_json::to_vec_pretty(&m)
            .map_err(|e| Miss::Partition(format!("the manifest: {e}")))?;
        text.push(b'\n');
        self.dest
            .put(&format!("{folder}/{PARTITION_MANIFEST}"), text)
            .await?;
        let counts = (
            rows.map_or(-1, |r| i64::try_from(r).unwrap_or(i64::MAX)),
            i64::try_from(n).unwrap_or(i64::MAX),
        );
        self.record(dt, "complete", Some(job_id), Some(counts), None)
            .await?;
        Ok((rows, n))
    }

    /// A store's error while writing: every partition would meet it.
    fn store_miss(&self, e: object_store::Error) -> Miss {
        Miss::Run(self.dest.error(e).into())
    }

    /// Stream one part, trying again from the start when the connection
    /// breaks; its upload is left to complete.
    async fn part(
        &self,
        url: &str,
        rel: &str,
        dt: &str,
        index: usize,
        parts: usize,
        on_event: &mut impl FnMut(SyncEvent),
    ) -> Result<(PartSeen, Sealed), PartError> {
        let mut tries = 0;
        loop {
            tries += 1;
            let mut last = 0u64;
            let result = stream_part(self.client, url, self.dest, rel, |got, _| {
                // Say so every 8 MiB, not every chunk.
                if got - last >= 8 << 20 {
                    last = got;
                    on_event(SyncEvent::Uploading {
                        dt: dt.into(),
                        part: index + 1,
                        parts,
                        bytes: got,
                    });
                }
            })
            .await;
            match result {
                Ok((seen, sealed)) => {
                    on_event(SyncEvent::Uploading {
                        dt: dt.into(),
                        part: index + 1,
                        parts,
                        bytes: seen.tally.size,
                    });
                    return Ok((seen, sealed));
                }
                Err(e) if e.is_transient() && tries < PART_TRIES => {
                    on_event(SyncEvent::Note {
                        dt: dt.into(),
                        text: format!("part {} broke off ({e}); streaming it again", index + 1),
                    });
                    tokio::time::sleep(std::time::Duration::from_secs(u64::from(tries))).await;
                }
                other => return other,
            }
        }
    }

    async fn manifest(
        &self,
        p: &Partition,
        dt: &str,
        job_id: &str,
        files: Vec<(FileEntry, Option<Vec<manifest::Column>>)>,
    ) -> manifest::Manifest {
        let mut facts = manifest::facts(self.store, self.client.base_url().as_str(), job_id).await;
        facts.parts = Some(files.len());
        if facts.request_json.is_none() {
            facts.request_json = Some(self.sync.request(p).to_json());
        }
        let mut notes = Vec::new();
        // Where the vendor is silent (a guess): how an export of days with
        // no events comes. Either a completed job with no files (handled
        // here: a manifest of no parts and 0 rows) or files that hold no
        // rows (a CSV header, an empty NDJSON file, a Parquet or Avro file
        // with its schema only: kept as parts, their rows counted 0). Both
        // make a complete partition saying 0 rows, never a gap; the demo
        // server serves either (`DemoServer::empty_days`).
        if files.is_empty() {
            notes.push("the job has no files: no events in these days (0 rows)".into());
        }
        let folder = format!(
            "{}/{}",
            self.sync.destination.to_string().trim_end_matches('/'),
            self.sync.partition_path(p)
        );
        let mut m = manifest::assemble(Path::new(&folder), &facts, files, 0, notes);
        if m.files.is_empty() {
            m.rows = Some(0);
        }
        m.partition = Some(PartitionFacts {
            sync: self.sync.name.clone(),
            dt: dt.to_owned(),
            first: p.first.to_string(),
            last: p.last.to_string(),
        });
        m
    }
}

/// A streamed part's manifest entry and columns.
fn entry(index: usize, name: String, seen: PartSeen) -> (FileEntry, Option<Vec<manifest::Column>>) {
    let found =
        manifest::inspect::inspect_ends(&seen.head, &seen.tail, seen.tally.size, &seen.tally);
    (
        FileEntry {
            part: index + 1,
            size: seen.tally.size,
            sha256: seen.tally.sha256,
            rows: found.rows,
            format: found.format,
            gzip: false,
            columns: None,
            problem: found.problem.map(|p| format!("{name}: {p}")),
            name,
        },
        found.columns,
    )
}

/// A job workflow event as a sync event of partition `dt`.
fn note(dt: &str, e: &Event<'_>) -> SyncEvent {
    let dt = dt.to_owned();
    match e {
        Event::Status { job_id, status } => {
            let words = crate::api::progress_words(status.chunks(), status.progress.as_deref())
                .map(|w| format!(" · {w}"))
                .unwrap_or_default();
            // The id's first 8 characters: the whole was said when it was
            // created.
            let short: String = job_id.chars().take(8).collect();
            SyncEvent::Progress {
                dt,
                text: format!("job {short}…: {}{words}", status.raw_status()),
            }
        }
        Event::Retrying { error, after, .. } => SyncEvent::Note {
            dt,
            text: format!("{error}; trying again in {}s", after.as_secs().max(1)),
        },
        Event::Busy { job_id } => SyncEvent::Note {
            dt,
            text: crate::jobs::queue::waiting_note(*job_id, false),
        },
        Event::Conflict { running, .. } => SyncEvent::Note {
            dt,
            text: crate::jobs::queue::waiting_note(*running, true),
        },
        Event::Gone { job_id } => SyncEvent::Note {
            dt,
            text: format!("job {job_id} is gone (404)"),
        },
        Event::NotSaved(h) => SyncEvent::Note {
            dt,
            text: format!("history not saved: {h}"),
        },
    }
}
