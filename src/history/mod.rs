//! The history store: one SQLite row per submit attempt.
//!
//! A row is written *before* the request goes out (state `sending`) and
//! updated with the outcome, so a crash mid-request leaves a visible entry
//! whose outcome is unknown ([`Entry::outcome_unknown`]) and the request body
//! is never lost. Job polling results are stored on the same row. An
//! attempt refused with 409 and sent again once the environment is free is
//! the same row ([`HistoryStore::resend_after_conflict`]), counting its
//! conflicts. The export queue lives in the same file (see
//! [`QueuedExport`]).
//!
//! The file is opened in WAL mode with a busy timeout and every write is a
//! short `BEGIN IMMEDIATE` transaction, so several upexport processes (or
//! threads, each with its own store) can write at once. A file that cannot
//! be read (damaged, or not an upexport history) is moved aside with its
//! `-wal`/`-shm` files, never deleted, and a new one is started. A file
//! written by a newer upexport is refused ([`HistoryError::Newer`]) and left
//! in place: a downgrade must not split the history silently.
//!
//! The store never receives the API key.

mod by_profile;
mod entry;
mod error;
mod files;
mod queue;
mod recover;
mod row;
mod schema;
mod sync_state;

#[cfg(test)]
mod tests;

use std::cell::Cell;
use std::path::{Path, PathBuf};

use chrono::Utc;
use rusqlite::{Connection, OptionalExtension, Transaction, TransactionBehavior, params};

pub use entry::{
    Created, Entry, EntryState, FINISHED_JOB_STATUSES, Failed, JobFile, JobSnapshot, NewAttempt,
    SENDING_STALE_AFTER, SOURCE_CLI, SOURCE_TUI,
};
pub use error::HistoryError;
pub use queue::{QueueState, QueuedExport};
pub use schema::{BUSY_TIMEOUT, LATEST_VERSION};
pub use sync_state::SyncPartition;

use entry::fmt_time;
use error::{classify, is_corruption};
use files::DbLock;
use recover::Failure;
use row::{COLUMNS, from_row};

/// The history database. Wraps one SQLite connection: `Send`, not `Sync`;
/// give each thread its own store.
#[derive(Debug)]
pub struct HistoryStore {
    conn: Connection,
    path: Option<PathBuf>,
    /// The path as shown in messages (`:memory:` for in-memory stores).
    location: String,
    /// Shared lock on `<path>.lock` while open (see [`HistoryStore::open`]).
    _lock: Option<DbLock>,
    /// The entry count as last counted, with the `data_version` it was
    /// counted at: still right while no other connection has committed
    /// (this connection's own inserts keep it up to date).
    known_count: Cell<Option<(i64, u64)>>,
}

/// An opened store and what the person should be told about opening it.
#[derive(Debug)]
pub struct OpenReport {
    pub store: HistoryStore,
    /// E.g. that a damaged file was moved aside and where to.
    pub warnings: Vec<String>,
}

impl HistoryStore {
    /// Open (or create) the database at `path`. Missing parent directories
    /// are created with mode 0700, a new file gets mode 0600.
    ///
    /// A file that is not a database, is damaged or belongs to something
    /// else is renamed to `<path>.<corrupt|foreign>-<UTC time>` together
    /// with its `-wal`/`-shm` files, a warning names both paths, and a new
    /// database is started. That only happens when no other upexport
    /// process has the database open (they hold a shared lock on
    /// `<path>.lock`); otherwise the error is [`HistoryError::InUse`].
    /// A file written by a newer upexport is refused
    /// ([`HistoryError::Newer`]): nothing is moved, changed or created.
    pub fn open(path: &Path) -> Result<OpenReport, HistoryError> {
        files::ensure_parent_dir(path)?;
        let lock = DbLock::shared(path)?;
        match recover::try_open(path) {
            Ok((conn, warnings)) => return Ok(Self::report(path, conn, lock, warnings)),
            Err(Failure::Fatal(e)) => return Err(e),
            Err(Failure::Bad(_)) => {}
        }
        if !lock.try_exclusive()? {
            // Someone else has it open, or is moving it aside right now:
            // wait for the latter, then judge again.
            lock.back_to_shared()?;
            return match recover::try_open(path) {
                Ok((conn, warnings)) => Ok(Self::report(path, conn, lock, warnings)),
                Err(Failure::Fatal(e)) => Err(e),
                Err(Failure::Bad(verdict)) => Err(HistoryError::InUse {
                    path: path.to_owned(),
                    problem: verdict.problem(),
                }),
            };
        }
        // Alone now. Judge again: another process may have fixed it meanwhile.
        let mut warnings = Vec::new();
        let opened = match recover::try_open(path) {
            Ok(opened) => opened,
            Err(Failure::Fatal(e)) => return Err(e),
            Err(Failure::Bad(verdict)) => {
                let moved = recover::move_aside(path, &verdict)?;
                warnings.push(recover::moved_warning(path, &verdict, &moved));
                match recover::try_open(path) {
                    Ok(opened) => opened,
                    Err(Failure::Fatal(e)) => return Err(e),
                    Err(Failure::Bad(v)) => {
                        return Err(HistoryError::Unusable {
                            path: path.to_owned(),
                            problem: v.problem(),
                        });
                    }
                }
            }
        };
        lock.back_to_shared()?;
        let (conn, more) = opened;
        warnings.extend(more);
        Ok(Self::report(path, conn, lock, warnings))
    }

    /// Refuse a file written by a newer upexport ([`HistoryError::Newer`])
    /// without opening it for use; `Ok` for anything else (a missing file
    /// too: [`HistoryStore::open`] judges the rest). Cheap: a front end
    /// calls it before taking over the terminal.
    pub fn check_not_newer(path: &Path) -> Result<(), HistoryError> {
        recover::check_not_newer(path)
    }

    /// Earlier history files moved aside beside `path` (kept, never read
    /// again), oldest first within each kind.
    pub fn moved_aside(path: &Path) -> Vec<PathBuf> {
        recover::moved_aside(path)
    }

    fn report(path: &Path, conn: Connection, lock: DbLock, warnings: Vec<String>) -> OpenReport {
        for w in &warnings {
            tracing::warn!("{w}");
        }
        OpenReport {
            store: HistoryStore {
                conn,
                path: Some(path.to_owned()),
                location: path.display().to_string(),
                _lock: Some(lock),
                known_count: Cell::new(None),
            },
            warnings,
        }
    }

    /// A private store that lives as long as the value (tests, demo mode).
    pub fn open_in_memory() -> Result<HistoryStore, HistoryError> {
        let location = ":memory:".to_owned();
        let conn = Connection::open_in_memory()
            .map_err(|e| classify(&location, "opening an in-memory database", e))?;
        schema::configure(&conn)
            .and_then(|_| schema::migrate(&conn))
            .map_err(|e| classify(&location, "creating the schema", e))?;
        Ok(HistoryStore {
            conn,
            path: None,
            location,
            _lock: None,
            known_count: Cell::new(None),
        })
    }

    /// The database file, `None` for in-memory stores.
    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    fn err(&self, op: &'static str) -> impl Fn(rusqlite::Error) -> HistoryError + '_ {
        move |e| classify(&self.location, op, e)
    }

    /// Run `f` in a short `BEGIN IMMEDIATE` transaction: the write lock is
    /// taken (waiting up to [`BUSY_TIMEOUT`]) before anything is read.
    fn write<T>(
        &self,
        op: &'static str,
        f: impl FnOnce(&Transaction<'_>) -> Result<T, HistoryError>,
    ) -> Result<T, HistoryError> {
        let tx = Transaction::new_unchecked(&self.conn, TransactionBehavior::Immediate)
            .map_err(self.err(op))?;
        let out = f(&tx)?;
        tx.commit().map_err(self.err(op))?;
        Ok(out)
    }

    /// Record an attempt about to be sent (state `sending`, this process's
    /// pid, the time now). Call it before sending; returns the entry id.
    pub fn begin_attempt(&self, a: &NewAttempt) -> Result<i64, HistoryError> {
        let op = "recording a new attempt";
        let id = self.write(op, |tx| {
            tx.prepare_cached(
                "INSERT INTO attempts (created_at, source, profile, base_url, request_json, state, pid)
                 VALUES (?1, ?2, ?3, ?4, ?5, 'sending', ?6)",
            )
            .and_then(|mut st| {
                st.execute(params![
                    fmt_time(Utc::now()),
                    a.source,
                    a.profile,
                    a.base_url,
                    a.request_json,
                    std::process::id()
                ])
            })
            .map_err(self.err(op))?;
            Ok(tx.last_insert_rowid())
        })?;
        // One more row. (Had another connection committed since the count,
        // `data_version` moved on and the next count reads the table.)
        if let Some((version, n)) = self.known_count.get() {
            self.known_count.set(Some((version, n + 1)));
        }
        Ok(id)
    }

    /// Record that the API created a job for attempt `id`.
    pub fn record_created(&self, id: i64, c: &Created) -> Result<(), HistoryError> {
        let op = "recording a created job";
        self.finish(id, op, |tx| {
            tx.execute(
                "UPDATE attempts SET state = 'created', finished_at = ?2, job_id = ?3,
                        environment_name = ?4, environment_app_token = ?5, start_time = ?6, links = ?7
                 WHERE id = ?1 AND state = 'sending'",
                params![
                    id,
                    fmt_time(Utc::now()),
                    c.job_id,
                    c.environment_name,
                    c.environment_app_token,
                    c.start_time,
                    c.links
                ],
            )
        })
    }

    /// Record that attempt `id` failed (a 409 is counted in its
    /// [`Entry::conflicts`]).
    pub fn record_failed(&self, id: i64, f: &Failed) -> Result<(), HistoryError> {
        let op = "recording a failed attempt";
        self.finish(id, op, |tx| {
            tx.execute(
                "UPDATE attempts SET state = 'failed', finished_at = ?2, error_kind = ?3,
                        http_status = ?4, error_message = ?5,
                        conflicts = conflicts + (?3 = ?6)
                 WHERE id = ?1 AND state = 'sending'",
                params![
                    id,
                    fmt_time(Utc::now()),
                    f.kind,
                    f.http_status,
                    f.message,
                    crate::api::ErrorKind::Conflict.as_str()
                ],
            )
        })
    }

    /// Send attempt `id` again after it was refused with 409: the same row
    /// goes back to `sending` (this process, sent now) with its 409s
    /// counted, so one export stays one row however many conflicts it waits
    /// through. Only a row whose outcome is a 409 and that holds this very
    /// request for the same profile and server qualifies: `false`
    /// otherwise (and when another process took it first); then begin a
    /// new attempt instead.
    pub fn resend_after_conflict(&self, id: i64, a: &NewAttempt) -> Result<bool, HistoryError> {
        let op = "sending an attempt again after a 409";
        self.write(op, |tx| {
            let n = tx
                .execute(
                    "UPDATE attempts SET state = 'sending', pid = ?2, sent_at = ?3,
                            finished_at = NULL, error_kind = NULL, http_status = NULL,
                            error_message = NULL
                     WHERE id = ?1 AND state = 'failed' AND error_kind = ?4
                       AND profile = ?5 AND base_url = ?6 AND request_json = ?7",
                    params![
                        id,
                        std::process::id(),
                        fmt_time(Utc::now()),
                        crate::api::ErrorKind::Conflict.as_str(),
                        a.profile,
                        a.base_url,
                        a.request_json
                    ],
                )
                .map_err(self.err(op))?;
            Ok(n == 1)
        })
    }

    /// Apply an outcome update to a `sending` row; say why when none matched.
    fn finish(
        &self,
        id: i64,
        op: &'static str,
        update: impl FnOnce(&Transaction<'_>) -> rusqlite::Result<usize>,
    ) -> Result<(), HistoryError> {
        self.update_one(op, update, |tx| {
            let state: Option<String> = tx
                .query_row("SELECT state FROM attempts WHERE id = ?1", [id], |r| {
                    r.get(0)
                })
                .optional()
                .map_err(self.err(op))?;
            let path = self.location.clone();
            Ok(match state.as_deref().and_then(EntryState::parse) {
                Some(state) => HistoryError::AlreadyFinished { path, id, state },
                None => HistoryError::NoSuchEntry { path, id },
            })
        })
    }

    /// Run `update`, which must change exactly one row; when it changes
    /// none, the error `why_not` finds (from the same transaction).
    pub(crate) fn update_one(
        &self,
        op: &'static str,
        update: impl FnOnce(&Transaction<'_>) -> rusqlite::Result<usize>,
        why_not: impl FnOnce(&Transaction<'_>) -> Result<HistoryError, HistoryError>,
    ) -> Result<(), HistoryError> {
        self.write(op, |tx| {
            if update(tx).map_err(self.err(op))? == 1 {
                return Ok(());
            }
            Err(why_not(tx)?)
        })
    }

    /// Store a status that the server at `base_url` gave for `job_id` on
    /// the row(s) of that job *on that server*: a job id is only known to
    /// be unique within one server (the vendor does not say more), so the
    /// same id from another server or environment is another job and its
    /// row is never touched. `base_url` is the client's normalised base URL
    /// ([`crate::api::ApiClient::base_url`]), as rows store it.
    /// A snapshot older than the one stored (by `checked_at`) is ignored, so
    /// two processes polling the same job cannot move it backwards; so is a
    /// job this history does not know.
    pub fn record_job_status(
        &self,
        base_url: &str,
        job_id: &str,
        s: &JobSnapshot,
    ) -> Result<(), HistoryError> {
        let op = "recording a job status";
        let files = serde_json::to_string(&s.files)
            .map_err(|e| rusqlite::Error::ToSqlConversionFailure(Box::new(e)))
            .map_err(self.err(op))?;
        let checked_at = fmt_time(s.checked_at);
        self.write(op, |tx| {
            tx.execute(
                "UPDATE attempts SET job_status = ?2, job_progress = ?3, chunks_done = ?4,
                        chunks_total = ?5, job_files_json = ?6, job_error = ?7, job_checked_at = ?8,
                        job_end_time = ?9
                 WHERE job_id = ?1 AND base_url = ?10
                   AND (job_checked_at IS NULL OR job_checked_at <= ?8)",
                params![
                    job_id,
                    s.status,
                    s.progress,
                    s.chunks_done,
                    s.chunks_total,
                    files,
                    s.error,
                    checked_at,
                    s.ended_at.map(fmt_time),
                    base_url
                ],
            )
            .map_err(self.err(op))?;
            Ok(())
        })
    }

    /// Number of entries. The first call reads the whole table (about
    /// 0.1 s for a million entries); later calls answer from memory until
    /// another connection (another process) commits.
    pub fn count(&self) -> Result<u64, HistoryError> {
        let version = self.data_version()?;
        if let Some((v, n)) = self.known_count.get()
            && v == version
        {
            return Ok(n);
        }
        let n = self
            .conn
            .query_row("SELECT count(*) FROM attempts", [], |r| r.get::<_, i64>(0))
            .map(|n| n.max(0) as u64)
            .map_err(self.err("counting entries"))?;
        self.known_count.set(Some((version, n)));
        Ok(n)
    }

    /// The number of entries without reading the table: `(count, exact)`.
    /// Exact when [`HistoryStore::count`] has counted and nothing changed
    /// since. Otherwise it is the span of ids (`max(id) - min(id) + 1`, two
    /// index look-ups): ids are never reused and upexport never deletes an
    /// entry, so this is the count unless rows were deleted by other means,
    /// and never less than the count.
    pub fn count_quick(&self) -> Result<(u64, bool), HistoryError> {
        let version = self.data_version()?;
        if let Some((v, n)) = self.known_count.get()
            && v == version
        {
            return Ok((n, true));
        }
        self.conn
            .query_row(
                // Two subqueries: SQLite answers a lone min() or max() from
                // the end of the rowid tree, but scans for both at once.
                "SELECT coalesce((SELECT max(id) FROM attempts) - (SELECT min(id) FROM attempts) + 1, 0)",
                [],
                |r| r.get::<_, i64>(0),
            )
            .map(|n| (n.max(0) as u64, false))
            .map_err(self.err("counting entries"))
    }

    fn select(
        &self,
        op: &'static str,
        tail: &str,
        params: impl rusqlite::Params,
    ) -> Result<Vec<Entry>, HistoryError> {
        let sql = format!("SELECT {COLUMNS} FROM attempts {tail}");
        let mut st = self.conn.prepare_cached(&sql).map_err(self.err(op))?;
        let rows = st.query_map(params, from_row).map_err(self.err(op))?;
        rows.collect::<Result<Vec<_>, _>>().map_err(self.err(op))
    }

    /// Entries newest first, skipping `offset`. Cost grows with `offset`;
    /// for scrolling far, prefer [`HistoryStore::page_before`].
    pub fn page(&self, offset: u64, limit: u32) -> Result<Vec<Entry>, HistoryError> {
        let offset = i64::try_from(offset).unwrap_or(i64::MAX);
        self.select(
            "reading a page of entries",
            "ORDER BY id DESC LIMIT ?1 OFFSET ?2",
            params![limit, offset],
        )
    }

    /// Up to `limit` entries with ids below `before_id` (all when `None`),
    /// newest first. Pass the last id of a page to get the next one.
    pub fn page_before(
        &self,
        before_id: Option<i64>,
        limit: u32,
    ) -> Result<Vec<Entry>, HistoryError> {
        self.select(
            "reading a page of entries",
            "WHERE id < ?1 ORDER BY id DESC LIMIT ?2",
            params![before_id.unwrap_or(i64::MAX), limit],
        )
    }

    /// The entry with this id.
    pub fn get(&self, id: i64) -> Result<Option<Entry>, HistoryError> {
        self.select("reading an entry", "WHERE id = ?1", [id])
            .map(|v| v.into_iter().next())
    }

    /// The newest entry that created the job `job_id` on the server at
    /// `base_url` (see [`HistoryStore::record_job_status`]: another
    /// server's job of the same id is another job).
    pub fn by_job(&self, base_url: &str, job_id: &str) -> Result<Option<Entry>, HistoryError> {
        self.select(
            "finding a job",
            "WHERE job_id = ?1 AND base_url = ?2 ORDER BY id DESC LIMIT 1",
            [job_id, base_url],
        )
        .map(|v| v.into_iter().next())
    }

    /// Created entries whose job is not finished (status unknown or not one
    /// of [`FINISHED_JOB_STATUSES`]), newest first: the jobs to keep polling.
    pub fn unfinished_jobs(&self) -> Result<Vec<Entry>, HistoryError> {
        // The index finds the rows whose status is not a final word this
        // code writes; a status read as final otherwise (another spelling,
        // or an unknown word beside an end time) is left out here.
        let mut rows = self.select(
            "listing unfinished jobs",
            &format!("WHERE {} ORDER BY id DESC", schema::UNFINISHED_WHERE),
            [],
        )?;
        rows.retain(|e| !e.job.as_ref().is_some_and(JobSnapshot::is_finished));
        Ok(rows)
    }

    /// The schema version of the file (`PRAGMA user_version`); equal to
    /// [`LATEST_VERSION`] once opened.
    pub fn schema_version(&self) -> Result<i64, HistoryError> {
        schema::user_version(&self.conn).map_err(self.err("reading the schema version"))
    }

    /// SQLite's `PRAGMA integrity_check`: `"ok"` when fine, else its report
    /// (one problem a line). A file too damaged to check reports that too.
    pub fn integrity_check(&self) -> Result<String, HistoryError> {
        let op = "checking integrity";
        let result = self
            .conn
            .prepare("PRAGMA integrity_check")
            .and_then(|mut st| {
                st.query_map([], |r| r.get::<_, String>(0))?
                    .collect::<Result<Vec<_>, _>>()
            });
        match result {
            Ok(lines) => Ok(lines.join("\n")),
            Err(e) if is_corruption(&e) => Ok(e.to_string()),
            Err(e) => Err(classify(&self.location, op, e)),
        }
    }

    /// `PRAGMA data_version`: changes when another connection (another
    /// process or store) commits. Poll it to notice new rows cheaply.
    pub fn data_version(&self) -> Result<i64, HistoryError> {
        self.conn
            .pragma_query_value(None, "data_version", |r| r.get(0))
            .map_err(self.err("reading the data version"))
    }

    /// Append `n` synthetic created-and-completed rows in one statement:
    /// for benchmarks and large-store tests only. Each row's request body
    /// is `request_template` with `{n}` replaced by its number (1..=n); job
    /// ids are `bulk-<n>`.
    #[doc(hidden)]
    pub fn fill_synthetic(&self, n: u64, request_template: &str) -> Result<(), HistoryError> {
        let tx = self
            .conn
            .unchecked_transaction()
            .map_err(self.err("filling"))?;
        tx.execute(
            r#"WITH RECURSIVE seq(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM seq WHERE i < ?1)
               INSERT INTO attempts (created_at, source, profile, base_url, request_json, state, pid,
                                     finished_at, job_id, job_status, job_checked_at)
               SELECT '2026-01-01T00:00:00.000000000Z', 'cli', 'default', 'https://appex.userpilot.io',
                      replace(?2, '{n}', i), 'created', 1,
                      '2026-01-01T00:00:01.000000000Z', 'bulk-' || i, 'completed', '2026-01-01T00:00:02.000000000Z'
               FROM seq"#,
            rusqlite::params![n as i64, request_template],
        )
        .map_err(self.err("filling"))?;
        self.known_count.set(None);
        tx.commit().map_err(self.err("filling"))
    }
}
