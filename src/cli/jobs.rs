//! `upexport status`, `jobs` and `download`.

use std::collections::HashMap;
use std::io::{IsTerminal, Write};
use std::path::Path;

use chrono::Utc;

use super::args::DownloadArgs;
use super::context::{Context, warn};
use super::exit::CliError;
use super::json;
use crate::api::{ApiClient, ApiError, JobState, JobStatus};
use crate::frontend::wait_for_shutdown;
use crate::history::HistoryStore;
use crate::human::{bytes, duration, parse_api_time};
use crate::jobs::fetch::{self, FetchEvent, FetchOptions, How, Totals, job_dir};
use crate::jobs::manifest::{self, JobFacts};
use crate::jobs::merge::{self, MergeError};
use crate::jobs::track::look_recorded;
use crate::suggest::shell_word;

/// Download links live 2 days after the job ends.
pub const LINK_LIFETIME_SECS: i64 = 2 * 86_400;

/// One look at `job_id`, saved on its history row of the server that
/// answered (another server's job of the same id is left alone); a 404
/// recorded as `expired` and said so.
async fn look(ctx: &Context, client: &ApiClient, job_id: &str) -> Result<JobStatus, CliError> {
    let store = match ctx.store() {
        Ok(store) => store,
        Err(e) => {
            warn(&e.to_string());
            return Ok(client.job(job_id).await?);
        }
    };
    let looked = look_recorded(&store, client, &ctx.resolved.profile, job_id).await;
    if let Some(e) = looked.not_saved {
        warn(&format!("could not save the status in history: {e}"));
    }
    if looked.gone {
        warn(&format!(
            "job {job_id} is no longer known to the API (404): its status and links are gone; recorded as expired in history"
        ));
    }
    Ok(looked.result?)
}

pub async fn status(ctx: &mut Context, job_id: &str, as_json: bool) -> Result<(), CliError> {
    let client = ctx.client()?;
    let s = look(ctx, &client, job_id).await?;
    if as_json {
        json::print(&json::StatusOut {
            job: json::Job::of(job_id, &s),
        });
        return Ok(());
    }
    print_status(job_id, &s);
    if !s.presigned_urls.is_empty() {
        outln!(
            "\ndownload:  {}",
            crate::suggest::job(&format!("download {}", shell_word(job_id)))
        );
    }
    Ok(())
}

pub(super) fn print_status(job_id: &str, s: &JobStatus) {
    let state = s.state();
    let shown = s.status.as_deref().unwrap_or("unknown");
    outln!("job {job_id}: {shown}");
    if let Some(p) = s.progress_text() {
        outln!("  progress     {p}");
    }
    if let Some(t) = s.start_time.as_deref().filter(|t| !t.is_empty()) {
        outln!("  started      {t}");
    }
    if let Some(t) = s.end_time.as_deref().filter(|t| !t.is_empty()) {
        outln!("  ended        {t}");
    }
    if state == JobState::Failed {
        outln!(
            "  reason       {}",
            s.failure_reason().unwrap_or_else(|| "not given".into())
        );
    }
    if !s.presigned_urls.is_empty() {
        let expiry = s
            .end_time
            .as_deref()
            .and_then(parse_api_time)
            .map(|end| LINK_LIFETIME_SECS - (Utc::now() - end).num_seconds());
        match expiry {
            Some(left) if left > 0 => {
                outln!("  files        (links expire in {})", duration(left))
            }
            Some(_) => outln!("  files        (links have probably expired: they last 2 days)"),
            None => outln!("  files"),
        }
        for (i, p) in s.presigned_urls.iter().enumerate() {
            outln!("    {:>2}  {}", i + 1, p.safe_filename(i));
        }
    }
}

pub async fn jobs(ctx: &mut Context, as_json: bool) -> Result<(), CliError> {
    let client = ctx.client()?;
    let list = client.jobs().await?;
    if as_json {
        json::print(&json::JobsOut {
            jobs: list.iter().map(json::JobRow::of).collect(),
        });
        return Ok(());
    }
    if list.is_empty() {
        outln!("no recent export jobs");
        return Ok(());
    }
    outln!(
        "{:<36}  {:<10}  {:>8}  {:<20}  elapsed",
        "job",
        "status",
        "progress",
        "started"
    );
    for j in &list {
        outln!(
            "{:<36}  {:<10}  {:>8}  {:<20}  {}",
            j.job_id.as_deref().unwrap_or("?"),
            j.status.as_deref().unwrap_or("?"),
            j.progress_text().unwrap_or_default(),
            j.start_time.as_deref().unwrap_or(""),
            j.elapsed_time.as_deref().unwrap_or("")
        );
    }
    Ok(())
}

pub async fn download(ctx: &mut Context, a: &DownloadArgs) -> Result<(), CliError> {
    let client = ctx.client()?;
    let s = look(ctx, &client, &a.job_id).await?;
    match s.state() {
        JobState::Completed => {}
        JobState::Failed => {
            return Err(CliError::Api(ApiError::Other(format!(
                "job {} failed: {}; nothing to download",
                a.job_id,
                s.failure_reason()
                    .unwrap_or_else(|| "no reason given".into())
            ))));
        }
        _ if s.presigned_urls.is_empty() => {
            return Err(CliError::Api(ApiError::Other(format!(
                "job {} is {} and has no files yet; try again when it is completed (see {})",
                a.job_id,
                s.status.as_deref().unwrap_or("unknown"),
                crate::suggest::job(&format!("status {}", shell_word(&a.job_id)))
            ))));
        }
        _ => {}
    }
    let base = a
        .out
        .clone()
        .unwrap_or_else(|| ctx.resolved.download_dir.clone());
    let count = s.presigned_urls.len();
    let only = chosen(&a.only, count)?;
    for (i, p) in s.presigned_urls.iter().enumerate() {
        let picked = only.as_ref().is_none_or(|o| o.contains(&i));
        if picked && p.url.as_deref().is_none_or(|u| u.trim().is_empty()) {
            warn(&format!("{}: no URL given; skipped", p.safe_filename(i)));
        }
    }
    let opts = FetchOptions {
        overwrite: a.overwrite,
        keep_compressed: a.keep_gz,
    };
    let shutdown = wait_for_shutdown();
    tokio::pin!(shutdown);
    let store = ctx.store().inspect_err(|e| warn(&e.to_string())).ok();
    let fetch = Fetch {
        job_id: &a.job_id,
        status: &s,
        base: &base,
        only: only.as_deref(),
        opts,
        json: a.json,
        store: store.as_ref(),
    };
    let outcome = fetch.run_until(&client, shutdown).await?;
    let merged = if a.merge && outcome.failed.is_empty() {
        Some(merge_parts(&job_dir(&base, &a.job_id), a.overwrite, a.json).await)
    } else {
        if a.merge {
            warn("not merged: some files failed");
        }
        None
    };
    if a.json {
        let mut summary = outcome.summary(&a.job_id);
        summary.merge = merged.as_ref().map(|m| m.json.clone());
        json::print(&summary);
    }
    outcome.result(a.json)?;
    match merged {
        Some(Merged {
            failed: Some(message),
            ..
        }) => Err(CliError::Download {
            message,
            json: a.json,
        }),
        _ => Ok(()),
    }
}

/// What `--merge` did, for the summary and the exit code.
struct Merged {
    json: serde_json::Value,
    /// A refusal that fails the command (not Parquet's or Avro's keeping
    /// their parts, which is by design).
    failed: Option<String>,
}

/// `download --merge`: join the parts (CSV, NDJSON), or say why not.
async fn merge_parts(dir: &Path, overwrite: bool, json: bool) -> Merged {
    let dir = dir.to_owned();
    let got = tokio::task::spawn_blocking(move || merge::merge(&dir, overwrite))
        .await
        .unwrap_or_else(|e| Err(MergeError::Refused(format!("merging failed: {e}"))));
    match got {
        Ok(m) => {
            if !json {
                for l in m.lines() {
                    outln!("{l}");
                }
            }
            Merged {
                json: serde_json::json!({
                    "path": m.path,
                    "parts": m.parts,
                    "size": m.size,
                    "rows": m.rows,
                    "sha256": m.sha256,
                    "duckdb": m.duckdb.as_ref().ok(),
                }),
                failed: None,
            }
        }
        Err(MergeError::KeptApart(why)) => {
            if !json {
                outln!("not merged: {why}");
            }
            Merged {
                json: serde_json::json!({"kept_parts": why}),
                failed: None,
            }
        }
        Err(MergeError::Refused(why)) => {
            let text = format!("not merged: {why}");
            Merged {
                json: serde_json::json!({"error": text}),
                failed: Some(text),
            }
        }
    }
}

/// The files a fetch saved and the ones that failed.
pub(super) struct Fetched {
    /// `DIR/<job id>`.
    pub dir: std::path::PathBuf,
    pub done: Vec<json::SavedFile>,
    pub failed: Vec<json::FailedFile>,
    /// The manifest written (`{"path", "duckdb", …}`), or why not.
    pub manifest: Option<serde_json::Value>,
}

impl Fetched {
    /// What `--json` says of it.
    pub fn summary(&self, job_id: &str) -> json::DownloadOut {
        json::DownloadOut {
            job_id: job_id.to_owned(),
            dir: self.dir.display().to_string(),
            files: self.done.clone(),
            failed: self.failed.clone(),
            manifest: self.manifest.clone(),
            merge: None,
            error: self.failed.first().map(|f| json::ErrorOut {
                kind: f.kind.clone(),
                http_status: None,
                message: failure_text(self.failed.len(), self.done.len()),
            }),
        }
    }

    /// An error when any file failed (each was reported already).
    pub fn result(&self, json: bool) -> Result<(), CliError> {
        if self.failed.is_empty() {
            Ok(())
        } else {
            Err(CliError::Download {
                message: failure_text(self.failed.len(), self.done.len()),
                json,
            })
        }
    }
}

/// One job's files to fetch into `base/<job id>/` (all, or `only`).
pub(super) struct Fetch<'a> {
    pub job_id: &'a str,
    pub status: &'a JobStatus,
    /// The directory given (`--out`, `--download`, the profile's
    /// `download_dir`); the files go into its `<job id>/`.
    pub base: &'a Path,
    pub only: Option<&'a [usize]>,
    pub opts: FetchOptions,
    pub json: bool,
    /// History, for what the manifest says of the job (its request,
    /// environment); without it the manifest says it does not know.
    pub store: Option<&'a HistoryStore>,
}

impl Fetch<'_> {
    /// What history and the status say of the job, for its manifest.
    async fn facts(&self, client: &ApiClient) -> JobFacts {
        let base_url = client.base_url().as_str();
        let mut f = match self.store {
            Some(store) => manifest::facts(store, base_url, self.job_id).await,
            None => JobFacts::unknown(self.job_id, base_url),
        };
        let listed = self.status.presigned_urls.len();
        f.parts = Some(listed).filter(|n| *n > 0).or(f.parts);
        if f.environment_app_token.is_none() {
            f.environment_app_token = self.status.app_token.clone();
        }
        f
    }

    /// Fetch, with progress on a terminal's stderr and a line per file on
    /// stdout (unless `json`). Used by `download`, `submit --wait
    /// --download` and `queue run --download`. A file this job saved there
    /// before is kept and counted; anything else at a file's name is kept
    /// and fails that file (never overwritten without --overwrite), so
    /// running the command again fetches what is missing and resumes what
    /// was cut. Then the folder's manifest.json, and the DuckDB command
    /// that opens it.
    pub async fn run(&self, client: &ApiClient) -> Fetched {
        let plans = fetch::plan(self.job_id, self.status, self.base, self.only);
        let names: HashMap<usize, String> = plans
            .iter()
            .map(|p| (p.index, p.filename.clone()))
            .collect();
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
        let mut view = Progress {
            tty: std::io::stderr().is_terminal(),
            json: self.json,
            count: self.status.presigned_urls.len(),
            names,
            totals: Totals::new(plans.len()),
            done: Vec::new(),
            failed: Vec::new(),
            manifest: None,
        };
        let facts = self.facts(client).await;
        let fetching = fetch::fetch_job(client, plans, self.opts, facts, tx);
        let showing = async {
            while let Some(e) = rx.recv().await {
                view.show(&e);
            }
        };
        tokio::join!(fetching, showing);
        Fetched {
            dir: fetch::job_dir(self.base, self.job_id),
            done: view.done,
            failed: view.failed,
            manifest: view.manifest,
        }
    }

    /// [`Fetch::run`] until `shutdown` (Ctrl-C, SIGTERM, SIGHUP): then the
    /// partial files stay and the error says how to resume.
    pub async fn run_until(
        &self,
        client: &ApiClient,
        shutdown: std::pin::Pin<&mut impl std::future::Future<Output = ()>>,
    ) -> Result<Fetched, CliError> {
        tokio::select! {
            r = self.run(client) => Ok(r),
            () = shutdown => Err(CliError::Interrupted(format!(
                "stopped downloading; to resume: {}",
                self.resume_command()
            ))),
        }
    }

    /// The command that fetches what is missing and resumes what was cut.
    pub fn resume_command(&self) -> String {
        crate::suggest::job(&format!(
            "download {} --out {}",
            shell_word(self.job_id),
            shell_word(&self.base.display().to_string())
        ))
    }
}

fn failure_text(failed: usize, ok: usize) -> String {
    format!("{failed} of {} files failed", failed + ok)
}

/// `--only` (1-based, as `status` numbers the files) as 0-based indexes.
fn chosen(only: &[usize], count: usize) -> Result<Option<Vec<usize>>, CliError> {
    if only.is_empty() {
        return Ok(None);
    }
    if let Some(bad) = only.iter().find(|n| **n == 0 || **n > count) {
        return Err(CliError::Invalid(format!(
            "--only {bad}: the job has {count} file{} (numbered 1-{count} as `status` lists them)",
            if count == 1 { "" } else { "s" }
        )));
    }
    Ok(Some(only.iter().map(|n| n - 1).collect()))
}

/// What the download command shows as events arrive: one progress line
/// updated in place on a terminal's stderr, a line per saved file on
/// stdout (unless `--json`), an error line per failed file.
struct Progress {
    tty: bool,
    json: bool,
    count: usize,
    names: HashMap<usize, String>,
    totals: Totals,
    done: Vec<json::SavedFile>,
    failed: Vec<json::FailedFile>,
    manifest: Option<serde_json::Value>,
}

impl Progress {
    fn show(&mut self, e: &FetchEvent) {
        self.totals.apply(e);
        match e {
            FetchEvent::Started { .. } | FetchEvent::Finished { .. } => {}
            FetchEvent::Progress {
                index,
                received,
                total,
            } => {
                if self.tty {
                    let pct = total
                        .map(|t| format!(" {:>3}%", received * 100 / t.max(1)))
                        .unwrap_or_default();
                    let of = total
                        .map(|t| format!(" / {}", bytes(t)))
                        .unwrap_or_default();
                    let overall = match (self.totals.fraction(), self.names.len()) {
                        (Some(f), n) if n > 1 => format!("  (all: {:.0}%)", f * 100.0),
                        _ => String::new(),
                    };
                    noteout!(
                        "\r\x1b[2K{}  {}{of}{pct}{overall}",
                        self.label(*index),
                        bytes(*received)
                    );
                    let _ = std::io::stderr().flush();
                }
            }
            FetchEvent::Done {
                index,
                path,
                size,
                decompressed,
                how,
                ..
            } => {
                self.clear_line();
                if !self.json {
                    let mut notes = Vec::new();
                    match how {
                        How::Resumed => notes.push("resumed".to_owned()),
                        How::StartedOver(why) => notes.push(format!("started over: {why}")),
                        How::AlreadyThere => notes.push("already downloaded".to_owned()),
                        How::Fetched => {}
                    }
                    if *decompressed && *how != How::AlreadyThere {
                        notes.push("decompressed".into());
                    }
                    let how = if notes.is_empty() {
                        String::new()
                    } else {
                        format!(" ({})", notes.join(", "))
                    };
                    outln!("{}  {}{how}", path.display(), bytes(*size));
                }
                self.done.push(json::SavedFile {
                    number: index + 1,
                    path: path.display().to_string(),
                    size: *size,
                    decompressed: *decompressed,
                    resumed: *how == How::Resumed,
                    skipped: (*how == How::AlreadyThere).then_some("already downloaded"),
                    started_over: match how {
                        How::StartedOver(why) => Some(why.clone()),
                        _ => None,
                    },
                });
            }
            FetchEvent::Manifest(Ok(ready)) => {
                self.clear_line();
                if !self.json {
                    for l in ready.lines() {
                        outln!("{l}");
                    }
                }
                self.manifest = Some(serde_json::json!({
                    "path": ready.manifest,
                    "complete": ready.complete,
                    "rows": ready.rows,
                    "duckdb": ready.duckdb.as_ref().ok(),
                }));
            }
            FetchEvent::Manifest(Err(e)) => {
                self.clear_line();
                warn(&format!("manifest.json not written: {e}"));
                self.manifest = Some(serde_json::json!({"error": e}));
            }
            FetchEvent::Failed {
                index,
                message,
                kind,
            } => {
                self.clear_line();
                let name = self.names.get(index).cloned().unwrap_or_default();
                errln!("upexport: error: {name}: {message}");
                self.failed.push(json::FailedFile {
                    number: index + 1,
                    filename: name,
                    kind: kind.as_str().to_owned(),
                    message: message.clone(),
                });
            }
        }
    }

    fn label(&self, index: usize) -> String {
        let name = self.names.get(&index).map(String::as_str).unwrap_or("");
        format!("[{}/{}] {name}", index + 1, self.count)
    }

    fn clear_line(&self) {
        if self.tty {
            noteout!("\r\x1b[2K");
            let _ = std::io::stderr().flush();
        }
    }
}
