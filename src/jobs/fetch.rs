//! Downloading a completed job's files one after another, reporting
//! progress as events (for the CLI's progress line and the TUI).
//!
//! Every front end saves a job's files in one place: `DIR/<job id>/`
//! ([`job_dir`]), so two jobs' files of the same name never meet. Each
//! file goes through [`ApiClient::download`]: streamed to a hidden `.part`
//! file, resumed only with the same job's same file, decompressed when
//! gzip, renamed into place only when whole, never over an existing file
//! unless asked. A file already there counts as done only when it is this
//! job's file as upexport saved it (its record, same size); anything else
//! there is kept and reported as a failure, never as downloaded. A failed
//! file does not stop the others, and its `.part` stays so the next run
//! resumes it. To cancel, drop (abort) the `fetch_all` future: the `.part`
//! file stays.
//!
//! Front ends call [`fetch_job`]: [`fetch_all`], then the folder's
//! `manifest.json` ([`crate::jobs::manifest`]), written last.

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use tokio::sync::mpsc::UnboundedSender;

use crate::api::{
    ApiClient, DownloadOptions, ErrorKind, FileTally, JobStatus, OnDisk, Resume, decide,
    decompressed_name, on_disk, partial_path, read_record,
};
use crate::jobs::manifest::{self, JobFacts, Ready, SavedFile};

/// One file of a job to fetch.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FilePlan {
    /// Position in the job's `presigned_urls` (0-based; the CLI shows and
    /// takes it 1-based).
    pub index: usize,
    pub job_id: String,
    /// A safe single path component, unique among the job's files.
    pub filename: String,
    pub url: String,
    /// Where the file lands when it is gzip and decompressed (the usual
    /// case): `job_dir/decompressed_name(filename)`. With
    /// `keep_compressed`, or for content that is not gzip, it is
    /// `job_dir/filename`; `Done` carries the path really written.
    pub target: PathBuf,
    /// What is at the target (or the compressed name) already, when
    /// planned: this job's saved file (done, kept), something else (kept;
    /// without `overwrite` the file fails with kind `io`), or nothing.
    pub on_disk: OnDisk,
}

impl FilePlan {
    /// The directory the file is saved in (the job's directory).
    pub fn dir(&self) -> &Path {
        self.target
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."))
    }

    /// The hidden partial file an interrupted download leaves.
    pub fn partial(&self) -> PathBuf {
        partial_path(self.dir(), &self.filename)
    }
}

/// The directory a job's files go to under `base`: `base/<job id>/`, the
/// id made a safe folder name (anything but letters, digits, `.`, `-` and
/// `_` becomes `_`; no leading dot).
pub fn job_dir(base: &Path, job_id: &str) -> PathBuf {
    let safe: String = job_id
        .trim()
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') {
                c
            } else {
                '_'
            }
        })
        .collect();
    let safe = safe.trim_start_matches('.');
    base.join(if safe.is_empty() { "job" } else { safe })
}

/// `name` with `-{n}` before its first extension (`a.ndjson.gz` →
/// `a-2.ndjson.gz`).
fn with_suffix(name: &str, n: usize) -> String {
    match name.char_indices().skip(1).find(|(_, c)| *c == '.') {
        Some((i, _)) => format!("{}-{n}{}", &name[..i], &name[i..]),
        None => format!("{name}-{n}"),
    }
}

/// The files of job `job_id` to fetch into `job_dir(base, job_id)`: all
/// of them, or those whose index (0-based) is in `only`. Parts without a
/// URL are left out. Names that repeat within the job (after making them
/// safe, compared without case, compressed and decompressed names both)
/// get `-N` added, N the part's 1-based number, so no part overwrites or
/// resumes another's file.
pub fn plan(
    job_id: &str,
    status: &JobStatus,
    base: &Path,
    only: Option<&[usize]>,
) -> Vec<FilePlan> {
    let dir = job_dir(base, job_id);
    let mut used: HashSet<String> = HashSet::new();
    let mut out = Vec::new();
    for (index, p) in status.presigned_urls.iter().enumerate() {
        let base = p.safe_filename(index);
        let mut filename = base.clone();
        let mut n = index + 1;
        let taken = |f: &str, used: &HashSet<String>| {
            used.contains(&f.to_lowercase()) || used.contains(&decompressed_name(f).to_lowercase())
        };
        while taken(&filename, &used) {
            filename = with_suffix(&base, n);
            n += 1;
        }
        used.insert(filename.to_lowercase());
        used.insert(decompressed_name(&filename).to_lowercase());

        if only.is_some_and(|o| !o.contains(&index)) {
            continue;
        }
        let Some(url) = p.url.as_deref().map(str::trim).filter(|u| !u.is_empty()) else {
            continue;
        };
        let target = dir.join(decompressed_name(&filename));
        let on_disk = on_disk(&dir, job_id, &filename);
        out.push(FilePlan {
            index,
            job_id: job_id.to_owned(),
            filename,
            url: url.to_owned(),
            target,
            on_disk,
        });
    }
    out
}

/// How a file came to be done.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum How {
    /// Downloaded from the start.
    Fetched,
    /// The partial file of an earlier try was continued.
    Resumed,
    /// A partial file was there but not continued (why); downloaded from
    /// the start.
    StartedOver(String),
    /// Saved before by upexport for this job, same size: kept, not fetched.
    AlreadyThere,
}

/// What happens while fetching. Per file: `Started`, then `Progress`
/// (throttled; the first one always comes, with `received > 0` when the
/// download resumed), then `Done` or `Failed`; a file already there is
/// only `Done` (`How::AlreadyThere`). `Finished` last; through
/// [`fetch_job`], `Manifest` just before it.
#[derive(Clone, Debug, PartialEq)]
pub enum FetchEvent {
    /// About to request the file; `resumed_from` is the size of the
    /// `.part` file a resume will try to continue (0 when none, or when
    /// it is not this job's file's).
    Started {
        index: usize,
        resumed_from: u64,
    },
    /// Bytes of the (compressed) file on disk so far, of `total` when the
    /// server said.
    Progress {
        index: usize,
        received: u64,
        total: Option<u64>,
    },
    /// Saved at `path`, `size` bytes (after decompression).
    Done {
        index: usize,
        path: PathBuf,
        size: u64,
        decompressed: bool,
        how: How,
        /// SHA-256 and lines of the saved file, counted while writing it
        /// (`None` for a file saved before).
        tally: Option<FileTally>,
    },
    /// `kind` is [`crate::api::ApiError::kind`] (`io`, `connection_lost`, …).
    Failed {
        index: usize,
        message: String,
        kind: ErrorKind,
    },
    /// The folder's `manifest.json` was written (what to show: the
    /// DuckDB command), or why not.
    Manifest(Result<Ready, String>),
    Finished {
        ok: usize,
        failed: usize,
    },
}

/// How to treat existing files and gzip parts.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FetchOptions {
    pub overwrite: bool,
    pub keep_compressed: bool,
}

/// Least bytes between two `Progress` events of a file.
pub const PROGRESS_MIN_BYTES: u64 = 64 * 1024;
/// Least time between two `Progress` events of a file.
pub const PROGRESS_MIN_INTERVAL: Duration = Duration::from_millis(100);

/// Decides which progress callbacks become events: the first, the one
/// that completes a known total, and otherwise one only when both
/// [`PROGRESS_MIN_BYTES`] and [`PROGRESS_MIN_INTERVAL`] have passed since
/// the last (at most ~10 a second, and none for dribbles of bytes).
#[derive(Debug, Default)]
struct Throttle {
    last: Option<(u64, Instant)>,
}

impl Throttle {
    fn due(&mut self, received: u64, total: Option<u64>, now: Instant) -> bool {
        let due = match self.last {
            None => true,
            Some((b, _)) if received == b => false,
            Some(_) if total == Some(received) => true,
            Some((b, t)) => {
                received.saturating_sub(b) >= PROGRESS_MIN_BYTES
                    && now.saturating_duration_since(t) >= PROGRESS_MIN_INTERVAL
            }
        };
        if due {
            self.last = Some((received, now));
        }
        due
    }
}

/// Fetch the planned files one after another, sending events (the send
/// never blocks; a closed receiver is ignored). A failed file does not
/// stop the others; its partial file stays for a resume.
pub async fn fetch_all(
    client: &ApiClient,
    plans: Vec<FilePlan>,
    opts: FetchOptions,
    events: UnboundedSender<FetchEvent>,
) {
    let send = |e: FetchEvent| {
        let _ = events.send(e);
    };
    let (mut ok, mut failed) = (0, 0);
    let dl = DownloadOptions {
        overwrite: opts.overwrite,
        keep_compressed: opts.keep_compressed,
    };
    for p in plans {
        let index = p.index;
        // Looked at again now: the plan may be minutes old.
        if !opts.overwrite {
            match on_disk(p.dir(), &p.job_id, &p.filename) {
                OnDisk::Nothing => {}
                OnDisk::Saved { path, size } => {
                    ok += 1;
                    send(FetchEvent::Done {
                        index,
                        decompressed: path.file_name() != Some(p.filename.as_ref()),
                        path,
                        size,
                        how: How::AlreadyThere,
                        tally: None,
                    });
                    continue;
                }
                OnDisk::Other { path, why } => {
                    failed += 1;
                    send(FetchEvent::Failed {
                        index,
                        message: format!(
                            "{} exists and is not this job's file as upexport saved it ({why}); kept (--overwrite, or Ctrl-O in the TUI, fetches it again)",
                            path.display()
                        ),
                        kind: ErrorKind::Io,
                    });
                    continue;
                }
            }
        }
        let have = tokio::fs::metadata(p.partial())
            .await
            .map(|m| if m.is_file() { m.len() } else { 0 })
            .unwrap_or(0);
        let record = read_record(p.dir(), &p.filename);
        let resumed_from = match decide(record.as_ref(), &p.job_id, &p.filename, have) {
            Resume::From { have, .. } => have,
            Resume::Fresh { .. } => 0,
        };
        send(FetchEvent::Started {
            index,
            resumed_from,
        });
        let mut throttle = Throttle::default();
        let got = client
            .download(&p.url, p.dir(), &p.job_id, &p.filename, dl, |pr| {
                if throttle.due(pr.received, pr.total, Instant::now()) {
                    send(FetchEvent::Progress {
                        index,
                        received: pr.received,
                        total: pr.total,
                    });
                }
            })
            .await;
        match got {
            Ok(d) => {
                ok += 1;
                let how = match (d.started_over, d.resumed) {
                    (Some(why), _) => How::StartedOver(why),
                    (None, true) => How::Resumed,
                    (None, false) => How::Fetched,
                };
                send(FetchEvent::Done {
                    index,
                    path: d.path,
                    size: d.size,
                    decompressed: d.decompressed,
                    how,
                    tally: Some(d.tally),
                });
            }
            Err(e) => {
                failed += 1;
                tracing::warn!(file = %p.filename, kind = %e.kind(), "download failed: {e}");
                send(FetchEvent::Failed {
                    index,
                    message: e.to_string(),
                    kind: e.kind(),
                });
            }
        }
    }
    send(FetchEvent::Finished { ok, failed });
}

/// [`fetch_all`], then the job folder's `manifest.json` (from `facts` and
/// what was saved), reported as [`FetchEvent::Manifest`] before
/// [`FetchEvent::Finished`]. No manifest when nothing was saved. Every
/// front end downloads through this.
pub async fn fetch_job(
    client: &ApiClient,
    plans: Vec<FilePlan>,
    opts: FetchOptions,
    facts: JobFacts,
    events: UnboundedSender<FetchEvent>,
) {
    let dir = plans.first().map(|p| p.dir().to_owned());
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let mut saved = Vec::new();
    let mut failed = 0;
    let mut finished = None;
    let forward = async {
        while let Some(e) = rx.recv().await {
            match &e {
                FetchEvent::Done {
                    index, path, tally, ..
                } => saved.push(SavedFile {
                    index: *index,
                    path: path.clone(),
                    tally: tally.clone(),
                }),
                FetchEvent::Failed { .. } => failed += 1,
                FetchEvent::Finished { .. } => {
                    finished = Some(e);
                    continue;
                }
                _ => {}
            }
            let _ = events.send(e);
        }
    };
    tokio::join!(fetch_all(client, plans, opts, tx), forward);
    if let Some(dir) = dir.filter(|_| !saved.is_empty()) {
        let written =
            tokio::task::spawn_blocking(move || manifest::write(&dir, &facts, &saved, failed))
                .await
                .unwrap_or_else(|e| Err(format!("writing manifest.json failed: {e}")));
        if let Err(e) = &written {
            tracing::warn!("manifest not written: {e}");
        }
        let _ = events.send(FetchEvent::Manifest(written));
    }
    if let Some(f) = finished {
        let _ = events.send(f);
    }
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
enum FileState {
    #[default]
    Active,
    Done,
    Failed,
}

#[derive(Clone, Copy, Debug, Default)]
struct Tally {
    received: u64,
    total: Option<u64>,
    state: FileState,
}

/// Overall progress of `n` files from their events.
///
/// [`Totals::fraction`] weighs every file equally (a finished or failed
/// file counts whole, the current one by its bytes): files are fetched one
/// after another, so the sizes of those not yet started are unknown and a
/// plain bytes-done / bytes-known ratio would read 100% after the first.
/// [`Totals::bytes`] gives the byte counts.
#[derive(Clone, Debug, Default)]
pub struct Totals {
    n: usize,
    files: BTreeMap<usize, Tally>,
    finished: bool,
}

impl Totals {
    pub fn new(n: usize) -> Self {
        Totals {
            n,
            ..Default::default()
        }
    }

    pub fn apply(&mut self, e: &FetchEvent) {
        match e {
            FetchEvent::Started {
                index,
                resumed_from,
            } => {
                self.files.insert(
                    *index,
                    Tally {
                        received: *resumed_from,
                        ..Default::default()
                    },
                );
            }
            FetchEvent::Progress {
                index,
                received,
                total,
            } => {
                let t = self.files.entry(*index).or_default();
                t.received = *received;
                t.total = total.or(t.total);
            }
            FetchEvent::Done { index, .. } => {
                let t = self.files.entry(*index).or_default();
                t.state = FileState::Done;
                t.total = Some(t.total.unwrap_or(t.received).max(t.received));
                t.received = t.total.unwrap_or(t.received);
            }
            FetchEvent::Failed { index, .. } => {
                self.files.entry(*index).or_default().state = FileState::Failed;
            }
            FetchEvent::Manifest(_) => {}
            FetchEvent::Finished { .. } => self.finished = true,
        }
    }

    /// 0..=1 once anything is known; `None` before the first event and
    /// for zero files.
    pub fn fraction(&self) -> Option<f64> {
        if self.n == 0 || (self.files.is_empty() && !self.finished) {
            return None;
        }
        if self.finished {
            return Some(1.0);
        }
        let sum: f64 = self
            .files
            .values()
            .map(|t| match (t.state, t.total) {
                (FileState::Done | FileState::Failed, _) => 1.0,
                (FileState::Active, Some(total)) if total > 0 => {
                    (t.received as f64 / total as f64).min(1.0)
                }
                (FileState::Active, _) => 0.0,
            })
            .sum();
        Some((sum / self.n as f64).clamp(0.0, 1.0))
    }

    /// Files saved.
    pub fn files_done(&self) -> usize {
        self.count(FileState::Done)
    }

    /// Files that failed.
    pub fn files_failed(&self) -> usize {
        self.count(FileState::Failed)
    }

    /// Bytes received so far and the sum of the totals known so far (of
    /// the files started).
    pub fn bytes(&self) -> (u64, u64) {
        self.files.values().fold((0, 0), |(r, k), t| {
            (r + t.received, k + t.total.unwrap_or(0))
        })
    }

    fn count(&self, s: FileState) -> usize {
        self.files.values().filter(|t| t.state == s).count()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::PresignedUrl;

    fn job(names: &[Option<&str>]) -> JobStatus {
        JobStatus {
            presigned_urls: names
                .iter()
                .enumerate()
                .map(|(i, n)| PresignedUrl {
                    filename: n.map(str::to_owned),
                    url: Some(format!("https://files.example.com/f{i}?sig=x")),
                })
                .collect(),
            ..Default::default()
        }
    }

    #[test]
    fn suffixes() {
        assert_eq!(with_suffix("a.ndjson.gz", 2), "a-2.ndjson.gz");
        assert_eq!(with_suffix("part", 3), "part-3");
        assert_eq!(with_suffix("x.", 1), "x-1.");
    }

    #[test]
    fn plans_make_names_unique_and_pick() {
        let dir = tempfile::tempdir().unwrap();
        let st = job(&[
            Some("data.ndjson.gz"),
            Some("../data.ndjson.gz"),
            Some("DATA.ndjson"),
            Some("other.csv.gz"),
        ]);
        let all = plan("J-1", &st, dir.path(), None);
        let names: Vec<&str> = all.iter().map(|p| p.filename.as_str()).collect();
        assert_eq!(
            names,
            [
                "data.ndjson.gz",
                "data-2.ndjson.gz",
                "DATA-3.ndjson",
                "other.csv.gz"
            ]
        );
        let jd = dir.path().join("J-1");
        assert_eq!(all[0].target, jd.join("data.ndjson"));
        assert_eq!(all[0].dir(), jd);
        assert!(
            all.iter()
                .all(|p| p.on_disk == OnDisk::Nothing && p.job_id == "J-1")
        );
        assert_eq!(all[1].url, "https://files.example.com/f1?sig=x");

        // Picking keeps each part's name and index.
        let some = plan("J-1", &st, dir.path(), Some(&[1, 3, 9]));
        assert_eq!(some, vec![all[1].clone(), all[3].clone()]);

        // Files there: none saved by upexport, so none counts as done.
        std::fs::create_dir_all(&jd).unwrap();
        std::fs::write(jd.join("other.csv"), b"x").unwrap();
        std::fs::write(jd.join("data.ndjson.gz"), b"x").unwrap();
        let again = plan("J-1", &st, dir.path(), None);
        let other: Vec<bool> = again
            .iter()
            .map(|p| matches!(p.on_disk, OnDisk::Other { .. }))
            .collect();
        assert_eq!(other, [true, false, false, true]);
        // Another job's files of the same names are elsewhere.
        let b = plan("J-2", &st, dir.path(), None);
        assert!(b.iter().all(|p| p.on_disk == OnDisk::Nothing));
    }

    #[test]
    fn job_dirs_are_one_safe_folder() {
        let b = Path::new("/x");
        assert_eq!(job_dir(b, "123e4567-e89b"), b.join("123e4567-e89b"));
        assert_eq!(job_dir(b, "../../etc"), b.join("_.._etc"));
        assert_eq!(job_dir(b, "a/b c"), b.join("a_b_c"));
        assert_eq!(job_dir(b, ".."), b.join("job"));
        assert_eq!(job_dir(b, ""), b.join("job"));
    }

    #[test]
    fn parts_without_url_are_left_out() {
        let mut st = job(&[Some("a.gz"), Some("b.gz")]);
        st.presigned_urls[0].url = None;
        st.presigned_urls[1].url = Some("  ".into());
        assert!(plan("j", &st, Path::new("out"), None).is_empty());
        let st = job(&[None]);
        let p = plan("j", &st, Path::new(""), None);
        assert_eq!(p[0].filename, "f0");
        assert_eq!(p[0].dir(), Path::new("j"));
    }

    #[test]
    fn throttle() {
        let t0 = Instant::now();
        let ms = |n: u64| t0 + Duration::from_millis(n);
        let mut t = Throttle::default();
        let total = Some(1_000_000);
        assert!(t.due(0, total, ms(0)), "the first always");
        assert!(!t.due(0, total, ms(500)), "nothing new");
        assert!(!t.due(100_000, total, ms(50)), "too soon");
        assert!(!t.due(100_001, total, ms(50)), "too soon");
        assert!(t.due(100_002, total, ms(100)), "bytes and time");
        assert!(!t.due(150_000, total, ms(900)), "too few bytes");
        assert!(t.due(1_000_000, total, ms(901)), "the end always");
        assert!(!t.due(1_000_000, total, ms(2000)));
        // 8 KiB chunks of 200 MB arriving over 20 s: about 10 a second.
        let mut t = Throttle::default();
        let total = 200 << 20;
        let chunks = total / 8192;
        let n = (1..=chunks)
            .filter(|i| {
                let at = t0 + Duration::from_micros(i * 20_000_000 / chunks);
                t.due(i * 8192, Some(total), at)
            })
            .count();
        assert!((150..=202).contains(&n), "{n} events");
    }

    #[test]
    fn totals_weigh_files_equally() {
        let mut t = Totals::new(2);
        assert_eq!(t.fraction(), None);
        t.apply(&FetchEvent::Started {
            index: 4,
            resumed_from: 0,
        });
        assert_eq!(t.fraction(), Some(0.0));
        t.apply(&FetchEvent::Progress {
            index: 4,
            received: 50,
            total: Some(100),
        });
        assert_eq!(t.fraction(), Some(0.25));
        t.apply(&FetchEvent::Done {
            index: 4,
            path: "x".into(),
            size: 400,
            decompressed: true,
            how: How::Fetched,
            tally: None,
        });
        assert_eq!(t.fraction(), Some(0.5));
        assert_eq!(t.bytes(), (100, 100));
        t.apply(&FetchEvent::Started {
            index: 7,
            resumed_from: 30,
        });
        t.apply(&FetchEvent::Progress {
            index: 7,
            received: 30,
            total: None,
        });
        assert_eq!(t.fraction(), Some(0.5), "unknown size counts 0");
        assert_eq!(t.bytes(), (130, 100));
        t.apply(&FetchEvent::Failed {
            index: 7,
            message: "m".into(),
            kind: crate::api::ErrorKind::Io,
        });
        assert_eq!(t.fraction(), Some(1.0));
        assert_eq!((t.files_done(), t.files_failed()), (1, 1));
        t.apply(&FetchEvent::Finished { ok: 1, failed: 1 });
        assert_eq!(t.fraction(), Some(1.0));
        assert_eq!(Totals::new(0).fraction(), None);
    }
}
