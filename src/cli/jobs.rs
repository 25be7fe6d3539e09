//! `upexport status`, `jobs` and `download`.

use std::collections::HashMap;
use std::io::{IsTerminal, Write};
use std::path::Path;

use chrono::Utc;

use super::args::DownloadArgs;
use super::context::{Context, warn};
use super::exit::CliError;
use crate::api::{ApiClient, ApiError, JobState, JobStatus};
use crate::frontend::wait_for_shutdown;
use crate::history::HistoryStore;
use crate::human::{bytes, duration, parse_api_time};
use crate::jobs::fetch::{self, FetchEvent, FetchOptions, How, Totals, job_dir};
use crate::jobs::manifest::{self, JobFacts};
use crate::jobs::merge::{self, MergeError};
use crate::jobs::submit::snapshot;

/// Download links live 2 days after the job ends.
pub const LINK_LIFETIME_SECS: i64 = 2 * 86_400;

/// Save `s` on the history row of `job_id` on the server that answered
/// (`base_url`): another server's job of the same id is left alone.
fn save_status(ctx: &Context, base_url: &str, job_id: &str, s: &JobStatus) {
    match ctx.store() {
        Ok(store) => {
            if let Err(e) = store.record_job_status(base_url, job_id, &snapshot(s)) {
                warn(&format!("could not save the status in history: {e}"));
            }
        }
        Err(e) => warn(&e.to_string()),
    }
}

pub async fn status(ctx: &mut Context, job_id: &str, json: bool) -> Result<(), CliError> {
    let client = ctx.client()?;
    let s = client.job(job_id).await?;
    save_status(ctx, client.base_url().as_str(), job_id, &s);
    if json {
        println!("{}", serde_json::to_string(&s).unwrap_or_default());
        return Ok(());
    }
    print_status(job_id, &s);
    if !s.presigned_urls.is_empty() {
        println!("\ndownload:  upexport download {job_id}");
    }
    Ok(())
}

pub(super) fn print_status(job_id: &str, s: &JobStatus) {
    let state = s.state();
    let shown = s.status.as_deref().unwrap_or("unknown");
    println!("job {job_id}: {shown}");
    if let Some(p) = s.progress_text() {
        println!("  progress     {p}");
    }
    if let Some(t) = s.start_time.as_deref().filter(|t| !t.is_empty()) {
        println!("  started      {t}");
    }
    if let Some(t) = s.end_time.as_deref().filter(|t| !t.is_empty()) {
        println!("  ended        {t}");
    }
    if state == JobState::Failed {
        println!(
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
                println!("  files        (links expire in {})", duration(left))
            }
            Some(_) => println!("  files        (links have probably expired: they last 2 days)"),
            None => println!("  files"),
        }
        for (i, p) in s.presigned_urls.iter().enumerate() {
            println!("    {:>2}  {}", i + 1, p.safe_filename(i));
        }
    }
}

pub async fn jobs(ctx: &mut Context, json: bool) -> Result<(), CliError> {
    let client = ctx.client()?;
    let list = client.jobs().await?;
    if json {
        println!("{}", serde_json::to_string(&list).unwrap_or_default());
        return Ok(());
    }
    if list.is_empty() {
        println!("no recent export jobs");
        return Ok(());
    }
    println!(
        "{:<36}  {:<10}  {:>8}  {:<20}  elapsed",
        "job", "status", "progress", "started"
    );
    for j in &list {
        println!(
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
    let s = client.job(&a.job_id).await?;
    save_status(ctx, client.base_url().as_str(), &a.job_id, &s);
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
                "job {} is {} and has no files yet; try again when it is completed (upexport status {})",
                a.job_id,
                s.status.as_deref().unwrap_or("unknown"),
                a.job_id
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
        if let Some(m) = &merged {
            summary["merge"] = m.json.clone();
        }
        println!("{summary}");
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
                    println!("{l}");
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
                println!("not merged: {why}");
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

/// The files a fetch saved and the ones that failed, as JSON rows.
pub(super) struct Fetched {
    pub done: Vec<serde_json::Value>,
    pub failed: Vec<serde_json::Value>,
    /// The manifest written (`{"path", "duckdb"}`), or why not.
    pub manifest: Option<serde_json::Value>,
}

impl Fetched {
    /// `{"job_id", "files", "failed"?, "error"?}` for `--json`.
    pub fn summary(&self, job_id: &str) -> serde_json::Value {
        let mut summary = serde_json::json!({"job_id": job_id, "files": self.done});
        if let Some(m) = &self.manifest {
            summary["manifest"] = m.clone();
        }
        if !self.failed.is_empty() {
            summary["failed"] = serde_json::Value::Array(self.failed.clone());
            summary["error"] = serde_json::json!({
                "kind": self.failed[0]["kind"],
                "http_status": null,
                "message": failure_text(self.failed.len(), self.done.len()),
            });
        }
        summary
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
                "stopped downloading; {} resumes",
                self.resume_command()
            ))),
        }
    }

    /// The command that fetches what is missing and resumes what was cut.
    pub fn resume_command(&self) -> String {
        format!(
            "`upexport download {} --out {}`",
            shell_word(self.job_id),
            shell_word(&self.base.display().to_string())
        )
    }
}

/// `s` as one shell word: as it is when plain, else single-quoted.
fn shell_word(s: &str) -> String {
    let plain = !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "/._-+:=,@~%".contains(c));
    if plain {
        s.to_owned()
    } else {
        crate::api::shell_quote(s)
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
            "--only {bad}: the job has {count} file{} (numbered 1-{count}, see upexport status)",
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
    done: Vec<serde_json::Value>,
    failed: Vec<serde_json::Value>,
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
                    eprint!(
                        "\r\x1b[2K{}  {}{of}{pct}{overall}",
                        self.label(*index),
                        bytes(*received)
                    );
                    let _ = std::io::stderr().flush();
                }
            }
            FetchEvent::Done {
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
                    println!("{}  {}{how}", path.display(), bytes(*size));
                }
                let mut row = serde_json::json!({
                    "path": path,
                    "size": size,
                    "decompressed": decompressed,
                    "resumed": *how == How::Resumed,
                });
                match how {
                    How::AlreadyThere => row["skipped"] = "already downloaded".into(),
                    How::StartedOver(why) => row["started_over"] = why.as_str().into(),
                    How::Fetched | How::Resumed => {}
                }
                self.done.push(row);
            }
            FetchEvent::Manifest(Ok(ready)) => {
                self.clear_line();
                if !self.json {
                    for l in ready.lines() {
                        println!("{l}");
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
                eprintln!("upexport: error: {name}: {message}");
                self.failed.push(serde_json::json!({
                    "index": index + 1,
                    "filename": name,
                    "kind": kind,
                    "message": message,
                }));
            }
        }
    }

    fn label(&self, index: usize) -> String {
        let name = self.names.get(&index).map(String::as_str).unwrap_or("");
        format!("[{}/{}] {name}", index + 1, self.count)
    }

    fn clear_line(&self) {
        if self.tty {
            eprint!("\r\x1b[2K");
            let _ = std::io::stderr().flush();
        }
    }
}
