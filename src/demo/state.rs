//! The server's shared state: options, the current fault mode, the request
//! log and the export jobs with their clock-driven progress.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};

use super::chunks::chunks;
use super::encode::{encode, gzip, part_name};
use super::mode::FaultMode;
use super::rng::{Rng, hash, random_seed};
use super::rows::generate;
use super::spec::JobSpec;

/// Parts every demo job produces.
pub(crate) const PARTS: usize = 2;

/// One request as the server received it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RecordedRequest {
    pub method: String,
    /// Path with the query string, as sent (`/api/v1/...?after_cursor=...`).
    pub path: String,
    /// The `Host` header.
    pub host: Option<String>,
    /// The `Authorization` header, verbatim.
    pub authorization: Option<String>,
    /// The body as text (lossy UTF-8).
    pub body: String,
}

/// Timing and size settings the server runs with.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Settings {
    pub job_duration: Duration,
    pub slow_delay: Duration,
    pub rows_per_part: usize,
}

/// Everything the handlers and the accept loop share.
pub(crate) struct Shared {
    pub settings: Settings,
    /// `http://127.0.0.1:PORT`
    pub base_url: String,
    pub port: u16,
    /// Keys the download signatures; random per server.
    secret: u64,
    /// Makes the job ids (UUID-shaped, version 4); seeded at random per
    /// server, so ids differ from one run of the demo to the next.
    pub(crate) ids: Mutex<Rng>,
    mode: Mutex<FaultMode>,
    flaky_armed: AtomicBool,
    log: Mutex<Vec<RecordedRequest>>,
    jobs: Mutex<Vec<Job>>,
    cut: Mutex<HashSet<(String, String)>>,
    /// Served as every part when set (`--part-file`).
    pub fixed_part: Option<Arc<Part>>,
    /// Test knobs: days whose exports fail, run long, have no events, are
    /// never answered or lose a race to another export.
    knobs: Mutex<Knobs>,
}

/// How the demo serves an export of a day with no events. The vendor does
/// not say (a guess either way): a job with no files at all, or files that
/// hold no rows (a CSV header, an empty NDJSON file, a Parquet or Avro
/// file with its schema and no rows).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum EmptyDay {
    /// `completed` with an empty `presigned_urls`.
    #[default]
    NoFiles,
    /// `completed` with its parts, each with no rows.
    NoRows,
}

/// Test knobs (not a fault mode: they apply to some days only and are
/// set by tests through [`super::DemoServer`]).
#[derive(Clone, Debug, Default)]
pub(crate) struct Knobs {
    /// An export whose `from` is one of these days fails when it would
    /// have completed.
    pub fail_days: std::collections::BTreeSet<chrono::NaiveDate>,
    /// An export whose `from` is one of these days has no events.
    pub empty_days: std::collections::BTreeSet<chrono::NaiveDate>,
    pub empty_as: EmptyDay,
    /// An export whose `from` is one of these days runs until a test
    /// ends it ([`super::DemoServer::finish_running_jobs`]).
    pub slow_days: std::collections::BTreeSet<chrono::NaiveDate>,
    /// Export creates whose `from` is one of these days are read, logged,
    /// and never answered (nor is a job made).
    pub hold_days: std::collections::BTreeSet<chrono::NaiveDate>,
    /// The first create whose `from` is one of these days loses a race:
    /// someone else's export (of the year before, running until a test
    /// ends it) starts just before it, so it is answered 409.
    pub race_days: std::collections::BTreeSet<chrono::NaiveDate>,
}

/// Lock, ignoring poisoning: a panicked handler must not take the demo down.
pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl Shared {
    pub(crate) fn new(settings: Settings, port: u16, mode: FaultMode) -> Self {
        Shared {
            settings,
            base_url: format!("http://127.0.0.1:{port}"),
            port,
            secret: random_seed(),
            ids: Mutex::new(Rng::new(random_seed())),
            mode: Mutex::new(mode),
            flaky_armed: AtomicBool::new(mode == FaultMode::Flaky),
            log: Mutex::new(Vec::new()),
            jobs: Mutex::new(Vec::new()),
            cut: Mutex::new(HashSet::new()),
            fixed_part: None,
            knobs: Mutex::new(Knobs::default()),
        }
    }

    /// Whether a create of `day` is held unanswered (a test knob).
    pub(crate) fn holds(&self, day: chrono::NaiveDate) -> bool {
        lock(&self.knobs).hold_days.contains(&day)
    }

    /// Change the test knobs.
    pub(crate) fn knobs(&self, f: impl FnOnce(&mut Knobs)) {
        f(&mut lock(&self.knobs));
    }

    pub(crate) fn mode(&self) -> FaultMode {
        *lock(&self.mode)
    }

    /// Switch modes; switching to `Flaky` arms its one 503 again.
    pub(crate) fn set_mode(&self, mode: FaultMode) {
        *lock(&self.mode) = mode;
        self.flaky_armed
            .store(mode == FaultMode::Flaky, Ordering::SeqCst);
    }

    /// True exactly once after `Flaky` was set: this request gets the 503.
    pub(crate) fn take_flaky(&self) -> bool {
        self.mode() == FaultMode::Flaky && self.flaky_armed.swap(false, Ordering::SeqCst)
    }

    pub(crate) fn record(&self, r: RecordedRequest) {
        tracing::debug!(method = %r.method, path = %r.path, "demo request");
        lock(&self.log).push(r);
    }

    pub(crate) fn requests(&self) -> Vec<RecordedRequest> {
        lock(&self.log).clone()
    }

    /// True the first time a file is asked for in `DownloadCut` mode.
    pub(crate) fn first_cut(&self, job_id: &str, file: &str) -> bool {
        lock(&self.cut).insert((job_id.to_owned(), file.to_owned()))
    }

    /// The 64-hex-digit signature of a download URL.
    pub(crate) fn signature(&self, job_id: &str, file: &str) -> String {
        (0u8..4)
            .map(|i| {
                let h = hash(&[
                    &self.secret.to_le_bytes(),
                    job_id.as_bytes(),
                    file.as_bytes(),
                    &[i],
                ]);
                format!("{h:016x}")
            })
            .collect()
    }

    /// The pre-signed URL of one part.
    pub(crate) fn presigned_url(&self, job_id: &str, file: &str) -> String {
        format!(
            "{}/demo-files/{job_id}/{file}?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Expires=172800&X-Amz-SignedHeaders=host&X-Amz-Signature={}",
            self.base_url,
            self.signature(job_id, file)
        )
    }

    /// Start a job, or name the one still running.
    pub(crate) fn create_job(&self, spec: JobSpec) -> Result<JobInfo, JobInfo> {
        let day = spec.from.date_naive();
        if lock(&self.knobs).race_days.remove(&day) {
            let year = chrono::Duration::days(365);
            let other = JobSpec {
                from: spec.from - year,
                until: spec.until - year,
                ..spec.clone()
            };
            lock(&self.knobs).slow_days.insert(day - year);
            let _ = self.create_job(other);
        }
        let now = Instant::now();
        let mut jobs = lock(&self.jobs);
        if let Some(running) = jobs.iter().find(|j| j.phase(now).is_running()) {
            return Err(running.info(now));
        }
        // Where the vendor is silent: whether a job id is unique beyond one
        // environment. `vendor-differs` counts each server's jobs from 1,
        // so two servers (or environments) hand out the same ids.
        let id = if self.mode() == FaultMode::VendorDiffers {
            format!("00000000-0000-4000-8000-{:012x}", jobs.len() + 1)
        } else {
            lock(&self.ids).uuid_like()
        };
        let mode = self.mode();
        let knobs = lock(&self.knobs).clone();
        let day = spec.from.date_naive();
        let fails = knobs.fail_days.contains(&day);
        let duration = if knobs.slow_days.contains(&day) {
            Duration::from_secs(7 * 24 * 3600)
        } else {
            self.settings.job_duration
        };
        let empty = knobs.empty_days.contains(&day).then_some(knobs.empty_as);
        let files = if empty == Some(EmptyDay::NoFiles) {
            Vec::new()
        } else {
            (1..=PARTS)
                .map(|i| part_name(spec.format, i, mode))
                .collect()
        };
        let job = Job {
            seed: hash(&[id.as_bytes()]),
            chunks: chunks(spec.from, spec.until),
            id,
            spec,
            files,
            created: now,
            start_time: Utc::now(),
            duration,
            forced: None,
            fails,
            empty: empty.is_some(),
            parts: HashMap::new(),
        };
        let info = job.info(now);
        jobs.push(job);
        Ok(info)
    }

    /// Run `f` on one job.
    pub(crate) fn with_job<R>(&self, id: &str, f: impl FnOnce(&Job, Instant) -> R) -> Option<R> {
        let jobs = lock(&self.jobs);
        jobs.iter()
            .find(|j| j.id == id)
            .map(|j| f(j, Instant::now()))
    }

    /// Run `f` on every job, newest first.
    pub(crate) fn with_jobs<R>(
        &self,
        f: impl FnOnce(&mut dyn Iterator<Item = &Job>, Instant) -> R,
    ) -> R {
        let jobs = lock(&self.jobs);
        f(&mut jobs.iter().rev(), Instant::now())
    }

    /// Force every pending or processing job to `completed` (or `failed`).
    pub(crate) fn force_running(&self, failure: Option<&str>) {
        let now = Instant::now();
        for job in lock(&self.jobs).iter_mut() {
            if let Phase::Pending | Phase::Processing { .. } = job.phase(now) {
                let done = job.phase(now).done();
                job.forced = Some(match failure {
                    None => Phase::Completed { end: Utc::now() },
                    Some(reason) => Phase::Failed {
                        reason: reason.to_owned(),
                        end: Utc::now(),
                        done,
                    },
                });
            }
        }
    }

    /// A part's content (generated on first use, then kept), if the job
    /// has a part of that name.
    pub(crate) fn part(&self, job_id: &str, file: &str) -> Option<Arc<Part>> {
        let mut jobs = lock(&self.jobs);
        let job = jobs.iter_mut().find(|j| j.id == job_id)?;
        let index = job.files.iter().position(|f| f == file)?;
        if let Some(p) = job.parts.get(file).or(self.fixed_part.as_ref()) {
            return Some(p.clone());
        }
        let count = if job.empty {
            0
        } else {
            self.settings.rows_per_part
        };
        let rows = generate(&job.spec, job.seed, index, PARTS, count);
        let raw = match encode(job.spec.format, &rows, job.seed ^ index as u64) {
            Ok(raw) => raw,
            Err(e) => {
                tracing::error!(job = job_id, file, "demo part not written: {e}");
                return None;
            }
        };
        drop(rows);
        // The name, decided at create, says whether the part is gzip.
        let gzip_it = file.ends_with(".gz");
        let served = if gzip_it { gzip(&raw) } else { raw.clone() };
        let part = Arc::new(Part {
            served: served.into(),
            gzip: gzip_it,
            raw,
        });
        job.parts.insert(file.to_owned(), part.clone());
        Some(part)
    }
}

/// A part's bytes: as generated and as served.
pub(crate) struct Part {
    pub raw: Vec<u8>,
    /// `raw`, gzip-compressed when `gzip`. Shared with every answer that
    /// sends it (no copy per download).
    pub served: bytes::Bytes,
    pub gzip: bool,
}

/// Where a job stands.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Phase {
    Pending,
    /// `done` chunks finished, `progress` percent.
    Processing {
        done: usize,
        progress: u32,
    },
    Completed {
        end: DateTime<Utc>,
    },
    Failed {
        reason: String,
        end: DateTime<Utc>,
        done: usize,
    },
}

impl Phase {
    pub(crate) fn is_running(&self) -> bool {
        matches!(self, Phase::Pending | Phase::Processing { .. })
    }

    pub(crate) fn status(&self) -> &'static str {
        match self {
            Phase::Pending => "pending",
            Phase::Processing { .. } => "processing",
            Phase::Completed { .. } => "completed",
            Phase::Failed { .. } => "failed",
        }
    }

    fn done(&self) -> usize {
        match self {
            Phase::Processing { done, .. } | Phase::Failed { done, .. } => *done,
            _ => 0,
        }
    }
}

/// One export job.
pub(crate) struct Job {
    pub id: String,
    pub spec: JobSpec,
    pub seed: u64,
    pub chunks: Vec<String>,
    pub files: Vec<String>,
    pub created: Instant,
    pub start_time: DateTime<Utc>,
    pub duration: Duration,
    /// What a test forced on the job: completed or failed, now.
    pub forced: Option<Phase>,
    /// A test knob: the job fails when it would have completed.
    pub fails: bool,
    /// A test knob: the job's days have no events.
    pub empty: bool,
    parts: HashMap<String, Arc<Part>>,
}

/// The facts the create and conflict answers need.
#[derive(Clone, Debug)]
pub(crate) struct JobInfo {
    pub id: String,
    pub status: &'static str,
    pub start_time: DateTime<Utc>,
}

impl Job {
    /// Pending for the first tenth of the duration, then processing with
    /// chunks finishing evenly, then completed.
    pub(crate) fn phase(&self, now: Instant) -> Phase {
        if let Some(forced) = &self.forced {
            return forced.clone();
        }
        let elapsed = now.saturating_duration_since(self.created);
        let pending_for = self.duration / 10;
        if elapsed >= self.duration {
            let d = chrono::Duration::from_std(self.duration).unwrap_or_default();
            if self.fails {
                return Phase::Failed {
                    reason: "the export failed (the demo's test knob for this day)".into(),
                    end: self.start_time + d,
                    done: self.chunks.len().saturating_sub(1),
                };
            }
            return Phase::Completed {
                end: self.start_time + d,
            };
        }
        if elapsed < pending_for {
            return Phase::Pending;
        }
        let frac = (elapsed - pending_for).as_secs_f64()
            / (self.duration - pending_for)
                .as_secs_f64()
                .max(f64::MIN_POSITIVE);
        let n = self.chunks.len();
        Phase::Processing {
            done: ((frac * n as f64) as usize).min(n.saturating_sub(1)),
            progress: ((frac * 100.0) as u32).min(99),
        }
    }

    pub(crate) fn info(&self, now: Instant) -> JobInfo {
        JobInfo {
            id: self.id.clone(),
            status: self.phase(now).status(),
            start_time: self.start_time,
        }
    }
}
