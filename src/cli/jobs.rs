//! `upexport status`, `jobs` and `download`.

use std::io::{IsTerminal, Write};
use std::path::Path;

use chrono::Utc;

use super::args::DownloadArgs;
use super::context::{Context, warn};
use super::exit::CliError;
use crate::api::{ApiClient, ApiError, DownloadOptions, Downloaded, JobState, JobStatus};
use crate::human::{bytes, duration, parse_api_time};
use crate::record::snapshot;

/// Download links live 2 days after the job ends.
pub const LINK_LIFETIME_SECS: i64 = 2 * 86_400;

fn save_status(ctx: &Context, job_id: &str, s: &JobStatus) {
    match ctx.store() {
        Ok(store) => {
            if let Err(e) = store.record_job_status(job_id, &snapshot(s)) {
                warn(&format!("could not save the status in history: {e}"));
            }
        }
        Err(e) => warn(&e.to_string()),
    }
}

pub async fn status(ctx: &mut Context, job_id: &str, json: bool) -> Result<(), CliError> {
    let client = ctx.client()?;
    let s = client.job(job_id).await?;
    save_status(ctx, job_id, &s);
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
    if let Some((done, all)) = s.chunks() {
        println!("  progress     {done}/{all} chunks");
    } else if let Some(p) = &s.progress {
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
            println!("    {}", p.safe_filename(i));
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
            j.progress.as_deref().unwrap_or(""),
            j.start_time.as_deref().unwrap_or(""),
            j.elapsed_time.as_deref().unwrap_or("")
        );
    }
    Ok(())
}

pub async fn download(ctx: &mut Context, a: &DownloadArgs) -> Result<(), CliError> {
    let client = ctx.client()?;
    let s = client.job(&a.job_id).await?;
    save_status(ctx, &a.job_id, &s);
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
    let dir = a
        .out
        .clone()
        .unwrap_or_else(|| ctx.resolved.download_dir.clone());
    let opts = DownloadOptions {
        overwrite: a.overwrite,
        keep_compressed: a.keep_gz,
    };
    let done = download_parts(&client, &s, &dir, opts, !a.json).await?;
    if a.json {
        println!(
            "{}",
            serde_json::json!({"job_id": a.job_id, "files": files_json(&done)})
        );
    }
    Ok(())
}

/// The JSON summary of downloaded files.
pub(super) fn files_json(done: &[Downloaded]) -> Vec<serde_json::Value> {
    done.iter()
        .map(|d| serde_json::json!({"path": d.path, "size": d.size, "decompressed": d.decompressed, "resumed": d.resumed}))
        .collect()
}

/// Download every part of a job into `dir` (progress on stderr when it is
/// a terminal; one line per file on stdout when `print`).
pub(super) async fn download_parts(
    client: &ApiClient,
    s: &JobStatus,
    dir: &Path,
    opts: DownloadOptions,
    print: bool,
) -> Result<Vec<Downloaded>, CliError> {
    let tty = std::io::stderr().is_terminal();
    let mut done = Vec::new();
    let count = s.presigned_urls.len();
    for (i, p) in s.presigned_urls.iter().enumerate() {
        let name = p.safe_filename(i);
        let Some(url) = p.url.as_deref() else {
            warn(&format!("{name}: no URL given; skipped"));
            continue;
        };
        let label = format!("[{}/{count}] {name}", i + 1);
        let mut last_draw = 0u64;
        let got = client
            .download(url, dir, &name, opts, |pr| {
                if tty && (pr.received - last_draw >= 256 * 1024 || Some(pr.received) == pr.total) {
                    last_draw = pr.received;
                    let pct = pr
                        .total
                        .map(|t| format!(" {:>3}%", pr.received * 100 / t.max(1)))
                        .unwrap_or_default();
                    let total = pr
                        .total
                        .map(|t| format!(" / {}", bytes(t)))
                        .unwrap_or_default();
                    eprint!("\r\x1b[2K{label}  {}{total}{pct}", bytes(pr.received));
                    let _ = std::io::stderr().flush();
                }
            })
            .await;
        if tty {
            eprint!("\r\x1b[2K");
        }
        let got = got?;
        if print {
            let how = match (got.decompressed, got.resumed) {
                (true, true) => " (resumed, decompressed)",
                (true, false) => " (decompressed)",
                (false, true) => " (resumed)",
                (false, false) => "",
            };
            println!("{}  {}{how}", got.path.display(), bytes(got.size));
        }
        done.push(got);
    }
    Ok(done)
}
