//! `upexport sync [NAME…] [--until DATE] [--dry-run] [--json]`: which
//! partitions each sync still needs (from the `[sync.NAME]` tables and the
//! partitions the history database calls complete), and exporting them
//! (`crate::sync::run`), one sync after another. Progress goes to stderr;
//! the report (or `--json`'s document) to stdout.

use std::collections::BTreeSet;

use chrono::NaiveDate;
use serde_json::{Value, json};

use super::args::SyncArgs;
use super::context::Context;
use super::exit::{CliError, code};
use crate::api::ApiClient;
use crate::config::{ConfigFile, EnvVars, Flags, resolve};
use crate::export::Format;
use crate::frontend::wait_for_shutdown;
use crate::jobs::manifest::duckdb_dataset_line;
use crate::jobs::track::WaitOptions;
use crate::sync::defined::parse;
use crate::sync::run::{RunOptions, SyncError, SyncEvent, SyncReport, run_sync};
use crate::sync::{Partition, Sync, last_complete_day, missing};

/// The version of `sync --json`'s shape.
const JSON_VERSION: u32 = 1;

/// One sync's plan.
struct Plan {
    sync: Sync,
    until: NaiveDate,
    complete: usize,
    last_complete: Option<String>,
    missing: Vec<Partition>,
}

fn plan_of(ctx: &Context, sync: Sync, until: NaiveDate) -> Result<Plan, CliError> {
    let store = ctx.store()?;
    let recorded = store.sync_partitions(&sync.name, &sync.destination.to_string())?;
    let complete: BTreeSet<String> = recorded
        .iter()
        .filter(|p| p.state == "complete")
        .map(|p| p.dt.clone())
        .collect();
    let missing = missing(sync.start, until, sync.def.partition, &complete);
    Ok(Plan {
        until,
        complete: complete.len(),
        last_complete: complete.iter().next_back().cloned(),
        missing,
        sync,
    })
}

pub async fn run(ctx: &mut Context, a: &SyncArgs) -> Result<(), CliError> {
    let path = &ctx.resolved.config_file;
    let file = ConfigFile::load(path)?.unwrap_or_default();
    if file.sync.is_empty() {
        return Err(CliError::Invalid(format!(
            "no sync is defined: add a [sync.NAME] table to {} (see \"Sync\" in docs/cli.md)",
            path.display()
        )));
    }
    for n in &a.names {
        if !file.sync.contains_key(n) {
            let known: Vec<&str> = file.sync.keys().map(String::as_str).collect();
            return Err(CliError::Invalid(format!(
                "no sync named '{n}' in {}; defined: {}",
                path.display(),
                known.join(", ")
            )));
        }
    }
    let latest = last_complete_day(crate::sync::clock::now());
    let until = match &a.until {
        None => latest,
        Some(s) => {
            let d = NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").map_err(|_| {
                CliError::Invalid(format!("--until '{s}' is not a date (YYYY-MM-DD)"))
            })?;
            if d > latest {
                return Err(CliError::Invalid(format!(
                    "--until {d} has not ended yet in UTC: the last complete day is {latest}"
                )));
            }
            d
        }
    };
    let demo_lake = ctx.demo.as_ref().map(|_| ctx.paths.demo_sync_lake());
    let mut plans = Vec::new();
    for (name, value) in &file.sync {
        if !a.names.is_empty() && !a.names.contains(name) {
            continue;
        }
        let mut sync = parse(name, value)
            .map_err(|e| CliError::Invalid(format!("{}: {e}", path.display())))?;
        if let Some(lake) = &demo_lake {
            noteln!(
                "upexport: --demo: sync {name} writes into {} instead of {} (the demo's made-up rows stay apart from real data)",
                lake.display(),
                sync.destination
            );
            sync.move_for_demo(lake);
        }
        plans.push(plan_of(ctx, sync, until)?);
    }
    if a.json {
        if a.dry_run {
            outln!("{}", plan_json(&plans, a.dry_run));
        }
    } else {
        print_plans(&plans);
    }
    if a.dry_run {
        return Ok(());
    }
    run_plans(ctx, plans, a).await
}

/// One sync's run, as reported.
struct Ran {
    /// As `--dry-run --json` gives it.
    destination: Value,
    report: SyncReport,
    error: Option<SyncError>,
}

async fn run_plans(ctx: &mut Context, plans: Vec<Plan>, a: &SyncArgs) -> Result<(), CliError> {
    let mut ran = Vec::new();
    for plan in plans {
        let result = run_one(ctx, &plan, a).await;
        let (report, error) = match result {
            Ok(r) => (r, None),
            Err(e) => {
                let report = SyncReport {
                    name: plan.sync.name.clone(),
                    destination: plan.sync.destination.to_string(),
                    until: Some(plan.until),
                    missing: plan
                        .missing
                        .iter()
                        .map(|m| m.dt(plan.sync.def.partition))
                        .collect(),
                    ..Default::default()
                };
                (report, Some(e))
            }
        };
        if !a.json {
            print_ran(&report, error.as_ref());
            if !report.done.is_empty() || report.up_to_date {
                let root = format!(
                    "{}/{}",
                    report.destination.trim_end_matches('/'),
                    plan.sync.name
                );
                let format = plan.sync.def.format.unwrap_or(Format::Ndjson);
                outln!(
                    "  open it in DuckDB: {}",
                    duckdb_dataset_line(&root, format)
                );
            }
        }
        ran.push(Ran {
            destination: serde_json::to_value(&plan.sync.destination).unwrap_or(Value::Null),
            report,
            error,
        });
    }
    if a.json {
        outln!("{}", ran_json(&ran));
    }
    // The worst outcome sets the exit code: a failed partition is 5.
    let code = ran
        .iter()
        .map(|r| match &r.error {
            Some(e) => e.exit_code(),
            None if !r.report.failed.is_empty() => code::API,
            None => code::OK,
        })
        .max_by_key(|c| match *c {
            code::OK => 0,
            code::API => 1,
            c => u16::from(c) + 1,
        })
        .unwrap_or(code::OK);
    if code == code::OK {
        return Ok(());
    }
    let message = ran
        .iter()
        .filter_map(|r| {
            r.error
                .as_ref()
                .map(|e| format!("sync {}: {e}", r.report.name))
                .or_else(|| {
                    (!r.report.failed.is_empty()).then(|| {
                        format!(
                            "sync {}: {} partition(s) failed; the next run tries them again",
                            r.report.name,
                            r.report.failed.len()
                        )
                    })
                })
        })
        .collect::<Vec<_>>()
        .join("\n");
    Err(CliError::Checks {
        code,
        message,
        json: a.json,
    })
}

async fn run_one(ctx: &mut Context, plan: &Plan, a: &SyncArgs) -> Result<SyncReport, SyncError> {
    let setup = |e: CliError| match e {
        CliError::Api(e) => SyncError::Api(e),
        e => SyncError::Setup {
            code: e.exit_code(),
            message: e.to_string(),
        },
    };
    let (client, profile) = client_for(ctx, plan.sync.def.profile.as_deref()).map_err(setup)?;
    let store = ctx.store().map_err(setup)?;
    let wait = WaitOptions {
        max_wait: a.max_wait.unwrap_or(ctx.resolved.max_wait),
        ..WaitOptions::default()
    };
    let opts = RunOptions {
        until: plan.until,
        wait,
        source: "sync",
    };
    let name = plan.sync.name.clone();
    let mut last_progress = String::new();
    let at = std::cell::RefCell::new(String::new());
    let lock_dir = ctx.paths.sync_lock_dir();
    let shutdown = wait_for_shutdown();
    tokio::pin!(shutdown);
    tokio::select! {
        r = run_sync(
            &store,
            &client,
            &profile,
            &plan.sync,
            &lock_dir,
            &opts,
            |e| {
                if let SyncEvent::Partition { dt, .. } = &e {
                    at.borrow_mut().clone_from(dt);
                }
                say(&name, &e, &mut last_progress)
            },
        ) => r,
        _ = &mut shutdown => Err(SyncError::Interrupted(if at.borrow().is_empty() {
            format!("sync {name} stopped before any export")
        } else {
            format!(
                "sync {name} stopped at dt={}; the next run goes on from there (a job already created is followed again, not exported twice)",
                at.borrow()
            )
        })),
    }
}

/// The client of `profile` (a sync's own), else of the resolved one. With
/// `--demo`, every sync goes to the demo server.
fn client_for(ctx: &mut Context, profile: Option<&str>) -> Result<(ApiClient, String), CliError> {
    match profile {
        Some(p) if ctx.demo.is_none() && p != ctx.resolved.profile => {
            let flags = Flags {
                profile: Some(p.to_owned()),
                config: Some(ctx.resolved.config_file.clone()),
                ..Default::default()
            };
            let mut resolved = resolve(&ctx.paths, &flags, &EnvVars::from_process())?;
            for w in resolved.warnings.drain(..) {
                super::context::warn(&w);
            }
            let key = resolved.load_key()?;
            let client = ApiClient::new(&resolved.base_url, key, resolved.timeouts)?;
            Ok((client, resolved.profile))
        }
        _ => Ok((ctx.client()?, ctx.resolved.profile.clone())),
    }
}

/// Progress of sync `name` on stderr (left out with `-q`).
fn say(name: &str, e: &SyncEvent, last_progress: &mut String) {
    match e {
        SyncEvent::Checked => noteln!("sync {name}: the destination takes writes"),
        SyncEvent::Planned { total } if *total > 0 => {
            noteln!("sync {name}: {total} partition(s) to export")
        }
        SyncEvent::Planned { .. } => {}
        SyncEvent::Partition { dt, index, total } => {
            noteln!("sync {name}: dt={dt} ({}/{total})", index + 1)
        }
        SyncEvent::Note { dt, text } => noteln!("  dt={dt}: {text}"),
        SyncEvent::Submitted { dt, job_id } => noteln!("  dt={dt}: job {job_id} created"),
        SyncEvent::Progress { dt, text } => {
            if text != last_progress {
                noteln!("  dt={dt}: {text}");
                last_progress.clone_from(text);
            }
        }
        SyncEvent::Uploading {
            dt,
            part,
            parts,
            bytes,
        } => noteln!(
            "  dt={dt}: part {part}/{parts}: {}",
            crate::human::bytes(*bytes)
        ),
        SyncEvent::Done { dt, rows, files } => {
            let rows = rows.map(|r| format!(", {r} rows")).unwrap_or_default();
            noteln!("  dt={dt}: complete ({files} file(s){rows}, manifest written last)")
        }
        SyncEvent::Failed { dt, error } => noteln!("  dt={dt}: failed: {error}"),
    }
}

fn print_ran(r: &SyncReport, error: Option<&SyncError>) {
    if r.up_to_date {
        outln!("sync {}: up to date", r.name);
        return;
    }
    outln!(
        "sync {}: {} partition(s) written to {}",
        r.name,
        r.done.len(),
        r.destination
    );
    for (dt, why) in &r.failed {
        outln!("  dt={dt} failed: {why}");
    }
    if !r.missing.is_empty() {
        outln!(
            "  still missing: {} (the next run exports them)",
            r.missing.join(", ")
        );
    }
    if let Some(e) = error {
        outln!("  stopped: {e}");
    }
}

fn ran_json(ran: &[Ran]) -> Value {
    let syncs: Vec<Value> = ran
        .iter()
        .map(|r| {
            let p = &r.report;
            json!({
                "name": p.name,
                "destination": r.destination,
                "until": p.until.map(|d| d.to_string()),
                "up_to_date": p.up_to_date,
                "done": p.done,
                "failed": p.failed.iter().map(|(dt, e)| json!({"dt": dt, "error": e})).collect::<Vec<_>>(),
                "missing": p.missing,
                "error": r.error.as_ref().map(|e| json!({
                    "kind": e.kind(),
                    "message": e.to_string(),
                    "exit_code": e.exit_code(),
                })),
            })
        })
        .collect();
    json!({"version": JSON_VERSION, "dry_run": false, "syncs": syncs})
}

fn plan_json(plans: &[Plan], dry_run: bool) -> Value {
    let syncs: Vec<Value> = plans
        .iter()
        .map(|p| {
            let size = p.sync.def.partition;
            json!({
                "name": p.sync.name,
                "destination": p.sync.destination,
                "partition": size,
                "start": p.sync.start.to_string(),
                "until": p.until.to_string(),
                "complete": p.complete,
                "last_complete": p.last_complete,
                "missing": p.missing.iter().map(|m| json!({
                    "dt": m.dt(size),
                    "path": p.sync.partition_path(m),
                    "request": serde_json::from_str::<Value>(&p.sync.request(m).to_json()).unwrap_or(Value::Null),
                })).collect::<Vec<_>>(),
            })
        })
        .collect();
    json!({"version": JSON_VERSION, "dry_run": dry_run, "syncs": syncs})
}

fn print_plans(plans: &[Plan]) {
    for p in plans {
        let size = p.sync.def.partition;
        let format = p.sync.def.format.map_or("ndjson", |f| f.as_str());
        outln!(
            "sync {} → {} ({} partitions from {}, {format}; up to {}, the last complete UTC day)",
            p.sync.name,
            p.sync.destination,
            match size {
                crate::sync::PartitionSize::Day => "daily",
                crate::sync::PartitionSize::Month => "monthly",
            },
            p.sync.start,
            p.until
        );
        match &p.last_complete {
            Some(dt) => outln!("  complete: {} (latest dt={dt})", p.complete),
            None => outln!("  complete: none yet"),
        }
        match (p.missing.first(), p.missing.last()) {
            (Some(first), Some(last)) => {
                outln!(
                    "  to export: {} partition(s), dt={} … dt={}",
                    p.missing.len(),
                    first.dt(size),
                    last.dt(size)
                );
                for m in p.missing.iter().take(3) {
                    outln!(
                        "    {}  POST {}",
                        p.sync.partition_path(m),
                        p.sync.request(m).to_json()
                    );
                }
                if p.missing.len() > 3 {
                    outln!("    … and {} more", p.missing.len() - 3);
                }
            }
            _ => outln!("  up to date"),
        }
    }
}
