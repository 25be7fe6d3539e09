//! `upexport queue add|list|remove|up|down|clear|run`: exports submitted
//! one after another, kept in the history database.

use std::path::Path;

use super::args::{QueueAddArgs, QueueCommand};
use super::context::{Context, warn};
use super::exit::CliError;
use super::jobs::Fetch;
use super::json;
use super::progress::Progress;
use super::submit::validated;
use crate::api::{JobState, check_base_url};
use crate::export::ExportRequest;
use crate::frontend::wait_for_shutdown;
use crate::history::{HistoryStore, QueueState, QueuedExport};
use crate::human::local_time;
use crate::jobs::fetch::FetchOptions;
use crate::jobs::queue::{RunOptions, add as queue_add, run_next, split_request};

pub async fn run(ctx: &mut Context, cmd: &QueueCommand) -> Result<(), CliError> {
    let profile = ctx.resolved.profile.clone();
    match cmd {
        QueueCommand::Add(a) => add(ctx, a),
        QueueCommand::List { json, all } => {
            let store = ctx.store()?;
            list(&store, (!*all).then_some(profile.as_str()), *json)
        }
        QueueCommand::Remove { id } => {
            ctx.store()?.queue_remove(*id)?;
            outln!("removed #{id} from the queue");
            Ok(())
        }
        QueueCommand::Up { id } => move_by(ctx, *id, -1),
        QueueCommand::Down { id } => move_by(ctx, *id, 1),
        QueueCommand::Clear => {
            let n = ctx.store()?.queue_clear_done(Some(&profile))?;
            outln!("cleared {n} submitted or failed item(s) from the queue");
            Ok(())
        }
        QueueCommand::Run {
            download,
            json,
            max_wait,
        } => run_all(ctx, download.as_deref(), *json, *max_wait).await,
    }
}

fn summary(request_json: &str) -> String {
    serde_json::from_str::<ExportRequest>(request_json)
        .map(|r| r.summary())
        .unwrap_or_else(|_| "(request not readable)".into())
}

fn add(ctx: &Context, a: &QueueAddArgs) -> Result<(), CliError> {
    let v = validated(&a.request)?;
    for w in &v.warnings {
        warn(&w.to_string());
    }
    let requests = match a.split {
        Some(by) => split_request(&v.request, by).map_err(CliError::Invalid)?,
        None => vec![v.request],
    };
    let base = check_base_url(&ctx.resolved.base_url)?.to_string();
    let store = ctx.store()?;
    let mut added = Vec::new();
    for r in &requests {
        let id = queue_add(&store, &ctx.resolved.profile, &base, r)?;
        added.push(store.queue_get(id)?.ok_or_else(|| {
            CliError::History(format!(
                "queued export {id} vanished right after it was added"
            ))
        })?);
    }
    if a.json {
        json::print(&json::QueueOut {
            items: added.iter().map(|q| item(&store, q)).collect(),
        });
        return Ok(());
    }
    for q in &added {
        outln!("queued #{:<4} {}", q.id, summary(&q.request_json));
    }
    let waiting = store
        .queue_list(Some(&ctx.resolved.profile))?
        .iter()
        .filter(|q| q.state == QueueState::Waiting)
        .count();
    outln!(
        "\n{waiting} waiting in the queue · submit them in order: {}",
        crate::suggest::cmd("queue run")
    );
    Ok(())
}

/// The job id and last known status of a submitted item, from history.
fn job_of(store: &HistoryStore, q: &QueuedExport) -> (Option<String>, Option<String>) {
    let Some(e) = q.attempt_id.and_then(|id| store.get(id).ok().flatten()) else {
        return (None, None);
    };
    (e.created.map(|c| c.job_id), e.job.map(|j| j.status))
}

/// A queued item as `--json` shows it.
fn item(store: &HistoryStore, q: &QueuedExport) -> json::QueueItem {
    json::QueueItem::of(q, summary(&q.request_json), job_of(store, q))
}

fn list(store: &HistoryStore, profile: Option<&str>, as_json: bool) -> Result<(), CliError> {
    let items = store.queue_list(profile)?;
    if as_json {
        json::print(&json::QueueOut {
            items: items.iter().map(|q| item(store, q)).collect(),
        });
        return Ok(());
    }
    if items.is_empty() {
        outln!(
            "the queue is empty: add exports with `{}`",
            crate::suggest::cmd("queue add")
        );
        return Ok(());
    }
    for q in &items {
        let who = if profile.is_none() {
            format!("{:<8} ", q.profile)
        } else {
            String::new()
        };
        outln!(
            "#{:<4} {:<10} {}  {who}{}",
            q.id,
            q.state.as_str(),
            local_time(q.added_at),
            summary(&q.request_json)
        );
        let (job_id, job_status) = job_of(store, q);
        if let Some(job) = job_id {
            let status = job_status.map(|s| format!(" · {s}")).unwrap_or_default();
            outln!("      job {job}{status}");
        }
        if let Some(m) = &q.message {
            outln!("      {m}");
        }
    }
    Ok(())
}

fn move_by(ctx: &Context, id: i64, delta: i64) -> Result<(), CliError> {
    let store = ctx.store()?;
    store.queue_move(id, delta)?;
    let profile = store
        .queue_get(id)?
        .map(|q| q.profile)
        .unwrap_or_else(|| ctx.resolved.profile.clone());
    list(&store, Some(&profile), false)
}

async fn run_all(
    ctx: &mut Context,
    download: Option<&Path>,
    json: bool,
    max_wait: Option<std::time::Duration>,
) -> Result<(), CliError> {
    let client = ctx.client()?;
    let store = ctx.store()?;
    let profile = ctx.resolved.profile.clone();
    let waiting = |store: &HistoryStore| -> Result<usize, CliError> {
        Ok(store
            .queue_list(Some(&profile))?
            .iter()
            .filter(|q| q.state == QueueState::Waiting)
            .count())
    };
    if waiting(&store)? == 0 {
        if !json {
            outln!("nothing is waiting in the queue of profile {profile}");
        }
        return Ok(());
    }
    let mut opts = RunOptions::default();
    opts.wait.max_wait = max_wait.unwrap_or(ctx.resolved.max_wait);
    let mut progress = Progress::new();
    let shutdown = wait_for_shutdown();
    tokio::pin!(shutdown);
    let (mut completed, mut not) = (0u64, 0u64);
    loop {
        let next = tokio::select! {
            r = run_next(&store, &client, &profile, &opts, |ev| progress.queue_event(&ev)) => r,
            _ = &mut shutdown => {
                progress.clear();
                let left = waiting(&store)?;
                return Err(CliError::Interrupted(format!(
                    "stopped; {left} queued export(s) still waiting (`{}` goes on; a job already created keeps running)",
                    crate::suggest::cmd("queue run")
                )));
            }
        };
        let Some(outcome) = next.inspect_err(|_| progress.clear())? else {
            break;
        };
        progress.clear();
        let q = &outcome.item;
        let (job_id, _) = job_of(&store, q);
        let done = outcome
            .job
            .as_ref()
            .filter(|j| j.state() == JobState::Completed);
        let mut saved = None;
        let mut ok = q.state == QueueState::Submitted && done.is_some();
        if let (Some(base), Some(status), Some(job)) = (download, done, &job_id) {
            // Each job's files in base/<job id>/, as `download` and
            // `submit --wait --download` save them.
            let fetch = Fetch {
                job_id: job,
                status,
                base,
                only: None,
                opts: FetchOptions::default(),
                json,
                store: Some(&store),
            };
            let got = fetch.run_until(&client, shutdown.as_mut()).await?;
            saved = Some(got.summary(job));
            match got.result(json) {
                Ok(()) => {}
                Err(e) => {
                    ok = false;
                    warn(&format!(
                        "queue #{}: the files of job {job} were not all downloaded ({e}); to resume: {}",
                        q.id,
                        fetch.resume_command()
                    ));
                }
            }
        }
        if ok {
            completed += 1;
        } else {
            not += 1;
        }
        if json {
            json::print(&json::QueueRunOut {
                item: item(&store, q),
                job: outcome
                    .job
                    .as_ref()
                    .zip(job_id.as_deref())
                    .map(|(s, id)| json::Job::of(id, s)),
                download: saved,
            });
        } else {
            let job = job_id.map(|j| format!(" · job {j}")).unwrap_or_default();
            let state = outcome
                .job
                .as_ref()
                .and_then(|j| j.status.clone())
                .unwrap_or_else(|| q.state.to_string());
            let msg = q
                .message
                .as_deref()
                .map(|m| format!(" · {m}"))
                .unwrap_or_default();
            outln!("#{:<4} {state}{job}{msg}", q.id);
        }
    }
    if !json {
        outln!("\nqueue done: {completed} completed, {not} not");
    }
    if not > 0 {
        return Err(CliError::Api(crate::api::ApiError::Other(format!(
            "{not} queued export(s) did not complete; see `{}` and `{}`",
            crate::suggest::cmd("queue list"),
            crate::suggest::cmd("history")
        ))));
    }
    Ok(())
}
