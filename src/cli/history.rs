//! `upexport history`.

use super::context::Context;
use super::exit::CliError;
use crate::export::ExportRequest;
use crate::history::{Entry, EntryState};
use crate::human::local_time;

/// One line about what happened to an attempt.
pub fn outcome_line(e: &Entry) -> String {
    match e.state {
        EntryState::Sending if e.outcome_unknown() => {
            "? outcome unknown (interrupted while sending)".into()
        }
        EntryState::Sending => "… sending".into(),
        EntryState::Created => {
            let job = e.created.as_ref().map(|c| c.job_id.as_str()).unwrap_or("?");
            let status = e
                .job
                .as_ref()
                .map(|j| format!(" · {}", j.status))
                .unwrap_or_default();
            format!("✔ created {job}{status}")
        }
        EntryState::Failed => match &e.failed {
            Some(f) => {
                let status = f.http_status.map(|s| format!("{s} ")).unwrap_or_default();
                format!("✘ {status}{}: {}", f.kind, f.message)
            }
            None => "✘ failed".into(),
        },
    }
}

pub fn run(ctx: &Context, json: bool, limit: u32) -> Result<(), CliError> {
    let store = ctx.store()?;
    let entries = store
        .page(0, limit)
        .map_err(|e| CliError::History(e.to_string()))?;
    if json {
        println!("{}", serde_json::to_string(&entries).unwrap_or_default());
        return Ok(());
    }
    if entries.is_empty() {
        println!("no history yet: submit an export with `upexport` or `upexport submit`");
        return Ok(());
    }
    for e in &entries {
        let summary = serde_json::from_str::<ExportRequest>(&e.request_json)
            .map(|r| r.summary())
            .unwrap_or_else(|_| "(request not readable)".into());
        println!(
            "#{:<5} {}  {:<8} {}",
            e.id,
            local_time(e.created_at),
            e.profile,
            outcome_line(e)
        );
        println!("       {summary}");
    }
    Ok(())
}
