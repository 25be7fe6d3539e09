//! Opening a database file, judging whether this code can use it, and
//! moving an unusable one aside (never deleting it).
//!
//! Only a file this code cannot read, or one that is not an upexport
//! history at all, is moved aside. A history written by a newer upexport is
//! refused and left exactly where it is ([`HistoryError::Newer`]): moving it
//! aside and starting an empty one would split the history silently after a
//! downgrade.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use chrono::Utc;
use rusqlite::config::DbConfig;
use rusqlite::{Connection, ErrorCode, OpenFlags, OptionalExtension};

use super::error::{HistoryError, classify, code, is_corruption};
use super::files::{self, companion};
use super::row::{self, COLUMNS};
use super::schema::{self, BUSY_TIMEOUT, LATEST_VERSION, Migration};

/// Why a database file cannot be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Verdict {
    /// SQLite cannot read it; SQLite's own words.
    Unreadable(String),
    /// A database, but not an upexport history one.
    Foreign(String),
}

impl Verdict {
    /// Goes into the moved-aside file name.
    fn tag(&self) -> &'static str {
        match self {
            Verdict::Unreadable(_) => "corrupt",
            Verdict::Foreign(_) => "foreign",
        }
    }

    /// Completes "history database <path> …".
    pub(crate) fn problem(&self) -> String {
        match self {
            Verdict::Unreadable(why) => format!("was unreadable ({why})"),
            Verdict::Foreign(why) => format!("is not an upexport history database ({why})"),
        }
    }
}

/// Why [`try_open`] gave up.
#[derive(Debug)]
pub(crate) enum Failure {
    /// The file is unusable: move it aside.
    Bad(Verdict),
    /// Something else (permissions, disk, lock held too long, a newer
    /// upexport's file): report it; the file is left as it is.
    Fatal(HistoryError),
}

/// The error for a file of a newer upexport (schema version `found`).
fn newer(path: &Path, found: i64) -> HistoryError {
    HistoryError::Newer {
        path: path.to_owned(),
        found,
        known: LATEST_VERSION,
    }
}

/// Open `path`, judge it, configure it and bring its schema up to date.
/// Judging writes nothing; a file judged bad is left exactly as it was.
/// Returns the connection and warnings for the person.
pub(crate) fn try_open(path: &Path) -> Result<(Connection, Vec<String>), Failure> {
    let loc = path.display().to_string();
    let fail = |op: &'static str| {
        let loc = loc.clone();
        move |e: rusqlite::Error| {
            if is_corruption(&e) {
                Failure::Bad(Verdict::Unreadable(e.to_string()))
            } else {
                Failure::Fatal(classify(&loc, op, e))
            }
        }
    };
    let mut warnings = Vec::new();
    files::ensure_private_file(path, &mut warnings).map_err(Failure::Fatal)?;
    // No URI interpretation of the path: it is a file name, whatever it says.
    let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
        | OpenFlags::SQLITE_OPEN_CREATE
        | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let conn = Connection::open_with_flags(path, flags).map_err(|source| {
        Failure::Fatal(HistoryError::Open {
            path: path.to_owned(),
            source,
        })
    })?;
    conn.busy_timeout(BUSY_TIMEOUT)
        .map_err(fail("setting the busy timeout"))?;
    // While judging, closing must not checkpoint (that would write to a file
    // we may be about to move aside untouched).
    conn.set_db_config(DbConfig::SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, true)
        .map_err(fail("configuring the connection"))?;

    // One statement, so both come from the same snapshot even while another
    // process is creating the schema.
    let (version, objects): (i64, i64) = conn
        .query_row(
            "SELECT (SELECT user_version FROM pragma_user_version),
                    (SELECT count(*) FROM sqlite_master)",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .map_err(fail("reading the schema version"))?;
    if version > LATEST_VERSION {
        return Err(Failure::Fatal(newer(path, version)));
    }
    if version == 0 && objects > 0 {
        return Err(Failure::Bad(Verdict::Foreign(format!(
            "it holds {objects} tables or indexes of something else"
        ))));
    }

    let mode = schema::configure(&conn).map_err(fail("setting up the connection"))?;
    if mode != "wal" {
        warnings.push(format!(
            "history database {loc} cannot use write-ahead logging (journal mode stays {mode}); two upexport processes writing at once may wait on each other"
        ));
    }
    match schema::migrate(&conn).map_err(fail("updating the schema"))? {
        Migration::Newer(v) => return Err(Failure::Fatal(newer(path, v))),
        Migration::Applied { from } if from > 0 => {
            tracing::info!(path = %loc, from, to = LATEST_VERSION, "history schema updated");
        }
        Migration::Applied { .. } | Migration::UpToDate => {}
    }

    // Read the newest row: catches missing tables or columns and a damaged
    // end of the table without reading the whole file.
    conn.query_row(
        &format!("SELECT {COLUMNS} FROM attempts ORDER BY id DESC LIMIT 1"),
        [],
        row::from_row,
    )
    .optional()
    .map_err(|e| match e {
        e if is_corruption(&e) => Failure::Bad(Verdict::Unreadable(e.to_string())),
        e if code(&e) == Some(ErrorCode::Unknown) => Failure::Bad(Verdict::Foreign(e.to_string())),
        e @ (rusqlite::Error::FromSqlConversionFailure(..)
        | rusqlite::Error::InvalidColumnType(..)
        | rusqlite::Error::IntegralValueOutOfRange(..)) => Failure::Bad(Verdict::Unreadable(
            format!("its newest entry cannot be read: {e}"),
        )),
        e => Failure::Fatal(classify(&loc, "reading the newest entry", e)),
    })?;

    conn.set_db_config(DbConfig::SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, false)
        .map_err(fail("configuring the connection"))?;
    Ok((conn, warnings))
}

/// SQLite's companion files, moved along with the database. The WAL goes
/// first: a fresh database must never meet the old database's WAL.
const COMPANIONS: [&str; 3] = ["-wal", "-shm", "-journal"];

/// What [`move_aside`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct MovedAside {
    /// The database's new name.
    pub to: PathBuf,
    /// Companion suffixes moved along (`-wal`, `-shm`, `-journal`).
    pub companions: Vec<&'static str>,
}

/// Rename `path` (and its companions) to `<path>.<tag>-<UTC time>`, adding
/// `-2`, `-3`, … if that name is taken. Nothing is deleted or overwritten.
pub(crate) fn move_aside(path: &Path, verdict: &Verdict) -> Result<MovedAside, HistoryError> {
    let stamp = Utc::now().format("%Y%m%dT%H%M%SZ").to_string();
    let taken = |p: &Path| {
        std::iter::once("")
            .chain(COMPANIONS)
            .any(|s| fs::symlink_metadata(companion(p, s)).is_ok())
    };
    let mut to = companion(path, &format!(".{}-{stamp}", verdict.tag()));
    let mut n = 1;
    while taken(&to) {
        n += 1;
        to = companion(path, &format!(".{}-{stamp}-{n}", verdict.tag()));
    }
    let mut done: Vec<&'static str> = Vec::new();
    for suffix in COMPANIONS.into_iter().chain(std::iter::once("")) {
        let from = companion(path, suffix);
        match fs::symlink_metadata(&from) {
            Err(e) if e.kind() == io::ErrorKind::NotFound => continue,
            _ => {}
        }
        let dest = companion(&to, suffix);
        if let Err(source) = fs::rename(&from, &dest) {
            // Put back what already moved, so the set stays together.
            for s in &done {
                let _ = fs::rename(companion(&to, s), companion(path, s));
            }
            return Err(HistoryError::MoveAside {
                path: path.to_owned(),
                to: dest,
                problem: verdict.problem(),
                source,
            });
        }
        done.push(suffix);
    }
    done.retain(|s| !s.is_empty());
    Ok(MovedAside {
        to,
        companions: done,
    })
}

/// The warning shown after [`move_aside`].
pub(crate) fn moved_warning(path: &Path, verdict: &Verdict, moved: &MovedAside) -> String {
    let with = if moved.companions.is_empty() {
        String::new()
    } else {
        format!(" (with its {} files)", moved.companions.join("/"))
    };
    format!(
        "history database {} {}; moved aside to {}{with}; starting a new one",
        path.display(),
        verdict.problem(),
        moved.to.display()
    )
}

/// Refuse a history written by a newer upexport without opening it for
/// use: for a front end to check before it takes over the terminal. Only
/// reads the schema version; any other problem is left to
/// [`super::HistoryStore::open`] (`Ok` here).
pub(crate) fn check_not_newer(path: &Path) -> Result<(), HistoryError> {
    if fs::symlink_metadata(path).is_err() {
        return Ok(());
    }
    // The file's header holds the version. It is the whole answer unless
    // a write-ahead log holds later pages (another upexport has the file
    // open; the last connection to close checkpoints it and removes the
    // log): then SQLite reads it. The header alone spares the start of
    // the TUI a connection, the log and its shared memory (about 1 ms
    // before the first frame with a history of 100,000 entries).
    if let Some(found) = header_version(path) {
        refuse_newer(path, found)?;
    }
    let no_log = fs::metadata(companion(path, "-wal")).map_or(true, |m| m.len() == 0);
    if no_log {
        return Ok(());
    }
    let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let Ok(conn) = Connection::open_with_flags(path, flags) else {
        return Ok(());
    };
    // Reading the version writes nothing; closing must not either.
    let _ = conn.busy_timeout(BUSY_TIMEOUT);
    let _ = conn.set_db_config(DbConfig::SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, true);
    match schema::user_version(&conn) {
        Ok(found) => refuse_newer(path, found),
        Err(_) => Ok(()),
    }
}

/// Refuse a file of schema version `found` when this upexport does not
/// know it.
fn refuse_newer(path: &Path, found: i64) -> Result<(), HistoryError> {
    if found > LATEST_VERSION {
        return Err(newer(path, found));
    }
    Ok(())
}

/// The schema version in the header of the database file at `path`
/// (`PRAGMA user_version` is the 4 bytes at offset 60, big-endian), read
/// without SQLite; `None` when it is not an SQLite database.
pub(crate) fn header_version(path: &Path) -> Option<i64> {
    use std::io::Read;
    let mut head = [0u8; 64];
    fs::File::open(path).ok()?.read_exact(&mut head).ok()?;
    if !head.starts_with(b"SQLite format 3\0") {
        return None;
    }
    Some(i64::from(i32::from_be_bytes([
        head[60], head[61], head[62], head[63],
    ])))
}

/// The files [`move_aside`] left beside `path` (this version's
/// `corrupt`/`foreign` ones, and `newer` ones of older versions), without
/// their companions, sorted by name (so by time within a kind).
pub(crate) fn moved_aside(path: &Path) -> Vec<PathBuf> {
    let (Some(dir), Some(name)) = (path.parent(), path.file_name()) else {
        return Vec::new();
    };
    let dir = if dir.as_os_str().is_empty() {
        Path::new(".")
    } else {
        dir
    };
    let name = name.to_string_lossy();
    let Ok(entries) = fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut found: Vec<PathBuf> = entries
        .flatten()
        .filter(|e| {
            let n = e.file_name().to_string_lossy().into_owned();
            let Some(rest) = n.strip_prefix(&*name).and_then(|r| r.strip_prefix('.')) else {
                return false;
            };
            ["corrupt-", "foreign-", "newer-"]
                .iter()
                .any(|tag| rest.starts_with(tag))
                && !COMPANIONS.iter().any(|c| rest.ends_with(c))
        })
        .map(|e| dir.join(e.file_name()))
        .collect();
    found.sort();
    found
}
