//! `upexport submit`: validate, record, send, report.

use std::io::Read;

use super::args::{RequestArgs, SubmitArgs};
use super::context::{Context, warn};
use super::exit::CliError;
use super::jobs::{Fetch, print_status};
use super::json;
use super::progress::Progress;
use crate::api::{ApiClient, ApiError, CreatedJob, JobState, curl_create_export};
use crate::export::{FormInput, Validated, list, validate, validate_json};
use crate::frontend::wait_for_shutdown;
use crate::history::HistoryStore;
use crate::jobs::fetch::FetchOptions;
use crate::jobs::submit::{Origin, submit_recorded};
use crate::jobs::track::{WaitOptions, submit_when_free, wait_recorded};

/// The raw form the flags describe (the same parser as the TUI's fields).
pub fn form_from_args(a: &RequestArgs) -> FormInput {
    FormInput {
        from: a.from.clone().unwrap_or_default(),
        to: a.to.clone().unwrap_or_default(),
        emails: list::join_raw(&a.emails),
        event_type: list::join_raw(&a.event_types),
        user_id: list::join_raw(&a.user_ids),
        company_id: list::join_raw(&a.company_ids),
        segment_id: a.segment_id.clone().unwrap_or_default(),
        format: a.format.map(Into::into),
        exclusions: a.exclusions.clone().unwrap_or_default(),
    }
}

/// The request the flags (or the body file) describe, validated.
pub(super) fn validated(a: &RequestArgs) -> Result<Validated, CliError> {
    let today = crate::export::relative_date::today_utc();
    for (flag, raw) in [("--from", &a.from), ("--to", &a.to)] {
        if let Some(raw) = raw
            && let Some(day) = crate::export::relative_date::resolve(raw, today)
        {
            noteln!(
                "upexport: note: {flag} {} is {} (UTC)",
                raw.trim(),
                day.format("%Y-%m-%d")
            );
        }
    }
    if let Some(path) = &a.body_file {
        let mut text = String::new();
        let read = if path.as_os_str() == "-" {
            std::io::stdin().read_to_string(&mut text)
        } else {
            std::fs::File::open(path).and_then(|mut f| f.read_to_string(&mut text))
        };
        read.map_err(|e| CliError::Invalid(format!("cannot read {}: {e}", path.display())))?;
        validate_json(&text, today).map_err(|p| {
            CliError::Invalid(format!(
                "invalid body in {}:\n  {}",
                path.display(),
                p.join("\n  ")
            ))
        })
    } else {
        validate(&form_from_args(a), today).map_err(|issues| {
            let lines: Vec<String> = issues.iter().map(ToString::to_string).collect();
            CliError::Invalid(format!("invalid request:\n  {}", lines.join("\n  ")))
        })
    }
}

pub async fn run(ctx: &mut Context, a: &SubmitArgs) -> Result<(), CliError> {
    let v = validated(&a.request)?;
    for w in &v.warnings {
        warn(&w.to_string());
    }
    if a.dry_run {
        let base = crate::api::check_base_url(&ctx.resolved.base_url)?;
        if let Some(note) = v.request.range_note() {
            noteln!("range: {note}");
        }
        if a.json {
            json::print(&json::DryRunOut {
                request: json::request(&v.request.to_json()),
                curl: curl_create_export(&base, &v.request.to_json()),
            });
        } else {
            outln!(
                "{}\n\n{}",
                v.request.to_json_pretty(),
                curl_create_export(&base, &v.request.to_json())
            );
        }
        return Ok(());
    }
    let client = ctx.client()?;
    let store = ctx.store()?;
    let origin = Origin {
        source: "cli",
        profile: &ctx.resolved.profile,
    };
    if a.wait {
        return run_wait(ctx, a, &v, &client, &store).await;
    }
    let (id, result, history_error) = submit_recorded(&store, &client, origin, &v.request)
        .await
        .map_err(|e| CliError::History(format!("{e}; nothing was sent")))?;
    if let Some(e) = history_error {
        warn(&format!("history entry #{id} could not be updated: {e}"));
    }
    let created = result?;
    if a.json {
        json::print(&json::SubmitOut {
            history_id: id,
            request: json::request(&v.request.to_json()),
            created: json::Created::of(&created),
            job: None,
            download: None,
        });
        return Ok(());
    }
    print_created(&created, &v);
    let job = created.job_id.as_deref().unwrap_or("?");
    outln!("\n{}", super::plain::follow_lines(job));
    Ok(())
}

fn print_created(created: &CreatedJob, v: &Validated) {
    let job = created.job_id.as_deref().unwrap_or("?");
    outln!("created export job {job}");
    let env = match (&created.environment_name, &created.environment_app_token) {
        (Some(n), Some(t)) => Some(format!("{n} ({t})")),
        (Some(n), None) => Some(n.clone()),
        (None, Some(t)) => Some(t.clone()),
        (None, None) => None,
    };
    if let Some(env) = env {
        outln!("  environment  {env}");
    }
    if let Some(t) = &created.start_time {
        outln!("  started      {t}");
    }
    if let Some(l) = created.links.as_deref().filter(|l| !l.is_empty()) {
        outln!("  links        {l}");
    }
    outln!("  request      {}", v.request.summary());
}

/// `submit --wait [--download DIR]`: submit (waiting out a 409), follow
/// the job to its end, then fetch its files.
async fn run_wait(
    ctx: &Context,
    a: &SubmitArgs,
    v: &Validated,
    client: &ApiClient,
    store: &HistoryStore,
) -> Result<(), CliError> {
    let profile = ctx.resolved.profile.as_str();
    let origin = Origin {
        source: "cli",
        profile,
    };
    let opts = WaitOptions {
        max_wait: a.max_wait.unwrap_or(ctx.resolved.max_wait),
        ..WaitOptions::default()
    };
    let mut progress = Progress::new();
    let shutdown = wait_for_shutdown();
    tokio::pin!(shutdown);

    let submitted = tokio::select! {
        r = submit_when_free(store, client, origin, &v.request, false, &opts, |ev| progress.event(ev)) => r,
        _ = &mut shutdown => {
            progress.clear();
            return Err(CliError::Interrupted(
                format!("stopped before the export was created (if a request was in flight, check `{}`)", crate::suggest::cmd("history")),
            ));
        }
    };
    let submitted = submitted.map_err(|e| {
        progress.clear();
        CliError::from(e)
    })?;
    let job_id = submitted.job.job_id.clone().unwrap_or_default();
    if !a.json {
        progress.clear();
        print_created(&submitted.job, v);
    }

    let waited = tokio::select! {
        r = wait_recorded(store, client, profile, &job_id, &opts, |ev| progress.event(ev)) => r,
        _ = &mut shutdown => {
            progress.clear();
            return Err(CliError::Interrupted(format!(
                "stopped waiting; job {job_id} goes on: {}",
                super::plain::follow_lines(&job_id).replace('\n', "; ")
            )));
        }
    };
    progress.clear();
    let status = waited?;
    if status.state() == JobState::Failed {
        return Err(CliError::Api(ApiError::Other(format!(
            "job {job_id} failed: {}",
            status
                .failure_reason()
                .unwrap_or_else(|| "no reason given".into())
        ))));
    }
    if !a.json {
        outln!();
        print_status(&job_id, &status);
    }
    let out = |download: Option<json::DownloadOut>| json::SubmitOut {
        history_id: submitted.attempt_id,
        request: json::request(&v.request.to_json()),
        created: json::Created::of(&submitted.job),
        job: Some(json::Job::of(&job_id, &status)),
        download,
    };
    let Some(dir) = &a.download else {
        if a.json {
            json::print(&out(None));
        }
        return Ok(());
    };
    if !a.json {
        outln!();
    }
    let fetch = Fetch {
        job_id: &job_id,
        status: &status,
        base: dir,
        only: None,
        opts: FetchOptions::default(),
        json: a.json,
        store: Some(store),
    };
    let done = fetch.run_until(client, shutdown.as_mut()).await?;
    if a.json {
        json::print(&out(Some(done.summary(&job_id))));
    }
    done.result(a.json)
}
