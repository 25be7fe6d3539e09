//! `upexport sync [NAME…] [--until DATE] [--dry-run] [--json]`: which
//! partitions each sync still needs, and (to come, issue #16) exporting
//! them. This increment plans: it reads the `[sync.NAME]` tables, the
//! partitions already complete (history database), and prints what a run
//! would export, one request per partition.

use std::collections::BTreeSet;

use chrono::{NaiveDate, Utc};
use serde_json::{Value, json};

use super::args::SyncArgs;
use super::context::Context;
use super::exit::CliError;
use crate::config::ConfigFile;
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

pub fn run(ctx: &Context, a: &SyncArgs) -> Result<(), CliError> {
    let path = &ctx.resolved.config_file;
    let file = ConfigFile::load(path)?.unwrap_or_default();
    if file.sync.is_empty() {
        return Err(CliError::Invalid(format!(
            "no sync is defined: add a [sync.NAME] table to {} (see the README's \"Sync\" section)",
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
    let latest = last_complete_day(Utc::now());
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
    let mut plans = Vec::new();
    for (name, def) in &file.sync {
        if !a.names.is_empty() && !a.names.contains(name) {
            continue;
        }
        let sync = Sync::new(name, def.clone()).map_err(CliError::Invalid)?;
        plans.push(plan_of(ctx, sync, until)?);
    }
    if a.json {
        println!("{}", plan_json(&plans, a.dry_run));
    } else {
        print_plans(&plans);
    }
    if a.dry_run {
        return Ok(());
    }
    Err(CliError::Invalid(
        "running a sync is not built yet (issue #16); `upexport sync --dry-run` shows what it would export"
            .into(),
    ))
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
        println!(
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
            Some(dt) => println!("  complete: {} (latest dt={dt})", p.complete),
            None => println!("  complete: none yet"),
        }
        match (p.missing.first(), p.missing.last()) {
            (Some(first), Some(last)) => {
                println!(
                    "  to export: {} partition(s), dt={} … dt={}",
                    p.missing.len(),
                    first.dt(size),
                    last.dt(size)
                );
                for m in p.missing.iter().take(3) {
                    println!(
                        "    {}  POST {}",
                        p.sync.partition_path(m),
                        p.sync.request(m).to_json()
                    );
                }
                if p.missing.len() > 3 {
                    println!("    … and {} more", p.missing.len() - 3);
                }
            }
            _ => println!("  up to date"),
        }
    }
}
