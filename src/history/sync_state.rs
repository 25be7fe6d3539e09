//! Which partitions of which sync are complete, running or failed, per
//! destination: the state `upexport sync` plans from, so a run killed at
//! any point resumes without exporting a complete partition again.

use chrono::Utc;
use rusqlite::params;
use serde::Serialize;

use super::HistoryStore;
use super::entry::fmt_time;
use super::error::HistoryError;

/// One partition's record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SyncPartition {
    pub dt: String,
    /// `running`, `complete` or `failed`.
    pub state: String,
    pub job_id: Option<String>,
    /// The API server of `job_id`.
    pub base_url: Option<String>,
    pub rows: Option<i64>,
    pub files: Option<i64>,
    pub error: Option<String>,
    pub updated_at: String,
}

impl HistoryStore {
    /// Every recorded partition of sync `name` at `destination`, by `dt`.
    pub fn sync_partitions(
        &self,
        name: &str,
        destination: &str,
    ) -> Result<Vec<SyncPartition>, HistoryError> {
        let op = "reading a sync's partitions";
        let mut st = self
            .conn
            .prepare(
                "SELECT dt, state, job_id, base_url, rows, files, error, updated_at FROM sync_partitions
                 WHERE sync_name = ?1 AND destination = ?2 ORDER BY dt",
            )
            .map_err(self.err(op))?;
        let rows = st
            .query_map(params![name, destination], |r| {
                Ok(SyncPartition {
                    dt: r.get(0)?,
                    state: r.get(1)?,
                    job_id: r.get(2)?,
                    base_url: r.get(3)?,
                    rows: r.get(4)?,
                    files: r.get(5)?,
                    error: r.get(6)?,
                    updated_at: r.get(7)?,
                })
            })
            .and_then(|it| it.collect::<Result<Vec<_>, _>>())
            .map_err(self.err(op))?;
        Ok(rows)
    }

    /// Record partition `dt` of sync `name` at `destination` as `state`
    /// (`running`, `complete` or `failed`), with what is known of it.
    #[allow(clippy::too_many_arguments)]
    pub fn sync_record(
        &self,
        name: &str,
        destination: &str,
        dt: &str,
        state: &str,
        job: Option<(&str, &str)>,
        counts: Option<(i64, i64)>,
        error: Option<&str>,
    ) -> Result<(), HistoryError> {
        self.conn
            .execute(
                "INSERT INTO sync_partitions
                     (sync_name, destination, dt, state, job_id, base_url, rows, files, error, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)
                 ON CONFLICT (sync_name, destination, dt) DO UPDATE SET
                     state = excluded.state,
                     job_id = COALESCE(excluded.job_id, job_id),
                     base_url = COALESCE(excluded.base_url, base_url),
                     rows = excluded.rows, files = excluded.files,
                     error = excluded.error, updated_at = excluded.updated_at",
                params![
                    name,
                    destination,
                    dt,
                    state,
                    job.map(|j| j.0),
                    job.map(|j| j.1),
                    // Rows not known: a negative count is stored as NULL.
                    counts.map(|c| c.0).filter(|r| *r >= 0),
                    counts.map(|c| c.1),
                    error,
                    fmt_time(Utc::now()),
                ],
            )
            .map_err(self.err("recording a sync partition"))?;
        Ok(())
    }
}
