//! Reading `attempts` rows into [`Entry`] values.

use rusqlite::Row;
use rusqlite::types::Type;

use super::entry::{Created, Entry, EntryState, Failed, JobFile, JobSnapshot, parse_time};

/// The columns [`from_row`] reads, in its order.
pub(crate) const COLUMNS: &str = "id, created_at, source, profile, base_url, request_json, \
    state, pid, finished_at, job_id, environment_name, environment_app_token, start_time, \
    links, error_kind, http_status, error_message, job_status, job_progress, chunks_done, \
    chunks_total, job_files_json, job_error, job_checked_at, job_end_time, conflicts, sent_at";

fn bad(col: usize, ty: Type, e: impl std::error::Error + Send + Sync + 'static) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(col, ty, Box::new(e))
}

fn time(row: &Row<'_>, col: usize) -> rusqlite::Result<Option<chrono::DateTime<chrono::Utc>>> {
    match row.get::<_, Option<String>>(col)? {
        None => Ok(None),
        Some(s) => parse_time(&s)
            .map(Some)
            .map_err(|e| bad(col, Type::Text, e)),
    }
}

#[derive(Debug, thiserror::Error)]
#[error("unknown state '{0}'")]
struct UnknownState(String);

/// One row, selected with [`COLUMNS`].
pub(crate) fn from_row(row: &Row<'_>) -> rusqlite::Result<Entry> {
    let state_text: String = row.get(6)?;
    let state = EntryState::parse(&state_text)
        .ok_or_else(|| bad(6, Type::Text, UnknownState(state_text.clone())))?;
    let created = match row.get::<_, Option<String>>(9)? {
        None => None,
        Some(job_id) => Some(Created {
            job_id,
            environment_name: row.get(10)?,
            environment_app_token: row.get(11)?,
            start_time: row.get(12)?,
            links: row.get(13)?,
        }),
    };
    let failed = match row.get::<_, Option<String>>(14)? {
        None => None,
        Some(kind) => Some(Failed {
            kind,
            http_status: row.get(15)?,
            message: row.get::<_, Option<String>>(16)?.unwrap_or_default(),
        }),
    };
    let job = match row.get::<_, Option<String>>(17)? {
        None => None,
        Some(status) => {
            let files: Vec<JobFile> = match row.get::<_, Option<String>>(21)? {
                None => Vec::new(),
                Some(json) => serde_json::from_str(&json).map_err(|e| bad(21, Type::Text, e))?,
            };
            let checked_at = time(row, 23)?.ok_or(rusqlite::Error::InvalidColumnType(
                23,
                "job_checked_at".into(),
                Type::Null,
            ))?;
            Some(JobSnapshot {
                status,
                progress: row.get(18)?,
                chunks_done: row.get(19)?,
                chunks_total: row.get(20)?,
                files,
                error: row.get(22)?,
                checked_at,
                ended_at: time(row, 24)?,
            })
        }
    };
    let created_at = time(row, 1)?.ok_or(rusqlite::Error::InvalidColumnType(
        1,
        "created_at".into(),
        Type::Null,
    ))?;
    Ok(Entry {
        id: row.get(0)?,
        created_at,
        source: row.get(2)?,
        profile: row.get(3)?,
        base_url: row.get(4)?,
        request_json: row.get(5)?,
        state,
        pid: row.get(7)?,
        finished_at: time(row, 8)?,
        created,
        failed,
        job,
        conflicts: row.get(25)?,
        sent_at: time(row, 26)?,
    })
}
