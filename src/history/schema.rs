//! Connection settings and schema migrations, keyed by `PRAGMA user_version`.

use std::time::{Duration, Instant};

use rusqlite::{Connection, Transaction, TransactionBehavior};

/// How long a connection waits for another writer before giving up.
pub const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// Migration steps. Step `i` takes the schema from version `i` to `i + 1`.
/// Append only: never edit a step that has shipped.
pub(crate) const MIGRATIONS: &[&str] = &[
    // 1: the attempts table.
    r#"
    CREATE TABLE attempts (
        id                    INTEGER PRIMARY KEY AUTOINCREMENT,
        created_at            TEXT    NOT NULL,
        source                TEXT    NOT NULL,
        profile               TEXT    NOT NULL,
        base_url              TEXT    NOT NULL,
        request_json          TEXT    NOT NULL,
        state                 TEXT    NOT NULL DEFAULT 'sending'
                              CHECK (state IN ('sending', 'created', 'failed')),
        pid                   INTEGER,
        finished_at           TEXT,
        job_id                TEXT,
        environment_name      TEXT,
        environment_app_token TEXT,
        start_time            TEXT,
        links                 TEXT,
        error_kind            TEXT,
        http_status           INTEGER,
        error_message         TEXT,
        job_status            TEXT,
        job_progress          TEXT,
        chunks_done           INTEGER,
        chunks_total          INTEGER,
        job_files_json        TEXT,
        job_error             TEXT,
        job_checked_at        TEXT
    );
    -- Newest-first paging walks the rowid (id) backwards: no extra index.
    CREATE INDEX attempts_by_job_id ON attempts (job_id) WHERE job_id IS NOT NULL;
    CREATE INDEX attempts_unfinished ON attempts (id)
        WHERE state = 'created'
          AND (job_status IS NULL OR job_status NOT IN ('completed', 'failed', 'expired'));
    "#,
    // 2: a job's end time (for the 2-day link window) and the export queue.
    r#"
    ALTER TABLE attempts ADD COLUMN job_end_time TEXT;
    CREATE TABLE queue (
        id           INTEGER PRIMARY KEY AUTOINCREMENT,
        position     INTEGER NOT NULL,
        profile      TEXT    NOT NULL,
        base_url     TEXT    NOT NULL,
        request_json TEXT    NOT NULL,
        added_at     TEXT    NOT NULL,
        state        TEXT    NOT NULL DEFAULT 'waiting'
                     CHECK (state IN ('waiting', 'submitting', 'submitted', 'failed')),
        pid          INTEGER,
        claimed_at   TEXT,
        attempt_id   INTEGER REFERENCES attempts (id),
        message      TEXT
    );
    CREATE INDEX queue_by_position ON queue (profile, position);
    "#,
    // 3: a job is found by its server and its id (two servers may hand out
    // the same id). Every row has had its base URL (the client's normalised
    // one) since step 1, so nothing needs filling in.
    // And one row per export attempt however many 409s it waits through:
    // `conflicts` counts the 409 answers it got (a refused row of an older
    // version got one), `sent_at` is when it was last sent (NULL: at
    // `created_at`).
    r#"
    DROP INDEX attempts_by_job_id;
    CREATE INDEX attempts_by_job ON attempts (job_id, base_url) WHERE job_id IS NOT NULL;
    ALTER TABLE attempts ADD COLUMN conflicts INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE attempts ADD COLUMN sent_at TEXT;
    UPDATE attempts SET conflicts = 1 WHERE state = 'failed' AND error_kind = 'conflict';
    "#,
    // 4: `upexport sync`: each partition of each sync and destination, with
    // the job that made it (a partition is complete only once its manifest
    // is written).
    r#"
    CREATE TABLE sync_partitions (
        sync_name   TEXT    NOT NULL,
        destination TEXT    NOT NULL,
        dt          TEXT    NOT NULL,
        state       TEXT    NOT NULL CHECK (state IN ('running', 'complete', 'failed')),
        job_id      TEXT,
        base_url    TEXT,
        rows        INTEGER,
        files       INTEGER,
        error       TEXT,
        updated_at  TEXT    NOT NULL,
        PRIMARY KEY (sync_name, destination, dt)
    );
    "#,
];

/// The `WHERE` term of `attempts_unfinished`; queries must repeat it exactly
/// for SQLite to use the partial index.
pub(crate) const UNFINISHED_WHERE: &str = "state = 'created' \
    AND (job_status IS NULL OR job_status NOT IN ('completed', 'failed', 'expired'))";

/// The schema version this code writes.
pub const LATEST_VERSION: i64 = MIGRATIONS.len() as i64;

/// What [`migrate`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Migration {
    UpToDate,
    Applied {
        from: i64,
    },
    /// Another process moved the file to a version we do not know.
    Newer(i64),
}

pub(crate) fn user_version(conn: &Connection) -> rusqlite::Result<i64> {
    conn.pragma_query_value(None, "user_version", |r| r.get(0))
}

/// Per-connection settings. Returns the journal mode SQLite settled on
/// (`wal`, or e.g. `memory` for in-memory stores).
pub(crate) fn configure(conn: &Connection) -> rusqlite::Result<String> {
    let mode = journal_mode_wal(conn)?;
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    conn.pragma_update(None, "foreign_keys", true)?;
    Ok(mode)
}

/// Switch to WAL unless already there. The switch needs the file to
/// itself, and when several processes create the database at the same time
/// SQLite answers "busy" at once instead of waiting (to avoid a deadlock):
/// retry then, for up to [`BUSY_TIMEOUT`].
fn journal_mode_wal(conn: &Connection) -> rusqlite::Result<String> {
    let current: String = conn.query_row("PRAGMA journal_mode", [], |r| r.get(0))?;
    if current.eq_ignore_ascii_case("wal") {
        return Ok("wal".into());
    }
    let deadline = Instant::now() + BUSY_TIMEOUT;
    loop {
        match conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get::<_, String>(0)) {
            Err(e) if is_busy(&e) && Instant::now() < deadline => {
                std::thread::sleep(Duration::from_millis(10));
            }
            result => return result.map(|m| m.to_ascii_lowercase()),
        }
    }
}

fn is_busy(e: &rusqlite::Error) -> bool {
    matches!(
        e.sqlite_error_code(),
        Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked)
    )
}

/// Bring the schema to [`LATEST_VERSION`] in one `BEGIN IMMEDIATE`
/// transaction (so two processes cannot both migrate).
pub(crate) fn migrate(conn: &Connection) -> rusqlite::Result<Migration> {
    if user_version(conn)? == LATEST_VERSION {
        return Ok(Migration::UpToDate);
    }
    let tx = Transaction::new_unchecked(conn, TransactionBehavior::Immediate)?;
    let from = user_version(&tx)?;
    if from > LATEST_VERSION {
        return Ok(Migration::Newer(from));
    }
    if from == LATEST_VERSION {
        return Ok(Migration::UpToDate);
    }
    for step in &MIGRATIONS[from.max(0) as usize..] {
        tx.execute_batch(step)?;
    }
    tx.pragma_update(None, "user_version", LATEST_VERSION)?;
    tx.commit()?;
    Ok(Migration::Applied { from })
}
