//! `upexport history`.

use super::context::Context;
use super::exit::CliError;
use crate::export::ExportRequest;
use std::io::Write;

use crate::history::{Entry, EntryState, HistoryStore};
use crate::human::local_time;

/// One line about what happened to an attempt, with the 409s it waited
/// through.
pub fn outcome_line(e: &Entry) -> String {
    match e.conflicts_note() {
        Some(n) => format!("{} · {n}", outcome(e)),
        None => outcome(e),
    }
}

fn outcome(e: &Entry) -> String {
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

/// Entries read from the store at a time: `--limit 0` on a large history
/// streams, it never holds every entry in memory.
const BATCH: u32 = 500;

/// `upexport history [--json] [--limit N]`: the newest `limit` entries,
/// newest first; `--limit 0` means every entry (the one way for a script to
/// get the whole history, e.g. as JSON), read in batches.
pub fn run(ctx: &Context, json: bool, limit: u32) -> Result<(), CliError> {
    let store = ctx.store()?;
    let mut out = std::io::stdout().lock();
    let printed = match print_entries(&mut out, &store, json, limit) {
        Ok(n) => n,
        Err(Printing::History(e)) => return Err(e.into()),
        // `history --limit 0 | head`: the reader has all it wanted.
        Err(Printing::Output(e)) if e.kind() == std::io::ErrorKind::BrokenPipe => return Ok(()),
        Err(Printing::Output(e)) => {
            return Err(CliError::History(format!(
                "cannot write the history to stdout: {e}"
            )));
        }
    };
    if printed == 0 && !json {
        outln!("no history yet: submit an export with `upexport` or `upexport submit`");
    }
    Ok(())
}

enum Printing {
    History(crate::history::HistoryError),
    Output(std::io::Error),
}

/// Print up to `limit` entries (all for 0) newest first; returns how many.
fn print_entries(
    out: &mut impl Write,
    store: &HistoryStore,
    json: bool,
    limit: u32,
) -> Result<u64, Printing> {
    let wanted = if limit == 0 {
        u64::MAX
    } else {
        u64::from(limit)
    };
    let (mut printed, mut before) = (0u64, None);
    if json {
        // `{"version": 1, "entries": [` … `]}`, written as it is read.
        let head = super::json::line(&serde_json::json!({}));
        let head = head.trim_end_matches('}');
        out.write_all(head.as_bytes())
            .and_then(|()| out.write_all(b",\"entries\":["))
            .map_err(Printing::Output)?;
    }
    while printed < wanted {
        let n = BATCH.min(u32::try_from(wanted - printed).unwrap_or(BATCH));
        let batch = store.page_before(before, n).map_err(Printing::History)?;
        for e in &batch {
            if json {
                if printed > 0 {
                    out.write_all(b",").map_err(Printing::Output)?;
                }
                serde_json::to_writer(&mut *out, &super::json::HistoryEntry::of(e))
                    .map_err(|e| Printing::Output(std::io::Error::other(e)))?;
            } else {
                write_entry(out, e).map_err(Printing::Output)?;
            }
            printed += 1;
        }
        match batch.last() {
            Some(last) if batch.len() == n as usize => before = Some(last.id),
            _ => break,
        }
    }
    if json {
        out.write_all(b"]}\n").map_err(Printing::Output)?;
    }
    out.flush().map_err(Printing::Output)?;
    Ok(printed)
}

fn write_entry(out: &mut impl Write, e: &Entry) -> std::io::Result<()> {
    let summary = serde_json::from_str::<ExportRequest>(&e.request_json)
        .map(|r| r.summary())
        .unwrap_or_else(|_| "(request not readable)".into());
    writeln!(
        out,
        "#{:<5} {}  {:<8} {}",
        e.id,
        local_time(e.created_at),
        e.profile,
        outcome_line(e)
    )?;
    writeln!(out, "       {summary}")
}
