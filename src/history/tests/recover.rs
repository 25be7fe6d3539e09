//! Unusable files are moved aside untouched and a new store starts.

use std::fs;

use rusqlite::Connection;
use rusqlite::config::DbConfig;

use super::*;

/// Deterministic noise that does not start with SQLite's magic.
fn noise(len: usize) -> Vec<u8> {
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x as u8
        })
        .collect()
}

/// Open `path`, expecting exactly one move-aside warning tagged `tag`;
/// returns the store and the moved-aside database path.
fn open_moving_aside(path: &Path, tag: &str) -> (HistoryStore, PathBuf, String) {
    let report = HistoryStore::open(path).expect("a new store opens");
    assert_eq!(report.warnings.len(), 1, "{:?}", report.warnings);
    let warning = report.warnings[0].clone();
    let dir = path.parent().unwrap();
    let prefix = format!("history.sqlite3.{tag}-");
    let aside: Vec<PathBuf> = files_starting(dir, &prefix)
        .into_iter()
        .filter(|p| {
            !p.to_string_lossy().ends_with("-wal") && !p.to_string_lossy().ends_with("-shm")
        })
        .collect();
    assert_eq!(aside.len(), 1, "{aside:?}");
    let aside = aside.into_iter().next().unwrap();
    assert!(warning.contains(&path.display().to_string()), "{warning}");
    assert!(warning.contains(&aside.display().to_string()), "{warning}");
    assert!(warning.contains("starting a new one"), "{warning}");
    let store = report.store;
    assert_eq!(store.count().unwrap(), 0, "fresh store");
    store.begin_attempt(&attempt(&body(1))).unwrap();
    assert_eq!(store.integrity_check().unwrap(), "ok");
    (store, aside, warning)
}

#[test]
fn random_bytes_are_moved_aside() {
    let dir = tempfile::tempdir().unwrap();
    let path = db_path(&dir);
    let bytes = noise(10_000);
    fs::write(&path, &bytes).unwrap();
    let (_store, aside, warning) = open_moving_aside(&path, "corrupt");
    assert!(warning.contains("unreadable"), "{warning}");
    assert_eq!(fs::read(&aside).unwrap(), bytes);
}

#[test]
fn a_truncated_database_is_moved_aside() {
    let dir = tempfile::tempdir().unwrap();
    let path = db_path(&dir);
    {
        let store = open_clean(&path);
        bulk_insert(&store, 5_000);
    } // last close checkpoints: everything is in the main file
    let full = fs::read(&path).unwrap();
    assert!(full.len() > 100_000, "{}", full.len());
    let cut = &full[..full.len() / 2];
    fs::write(&path, cut).unwrap();
    let (_store, aside, warning) = open_moving_aside(&path, "corrupt");
    assert!(warning.contains("unreadable"), "{warning}");
    assert_eq!(fs::read(&aside).unwrap(), cut);
}

#[test]
fn a_newer_schema_is_refused_and_left_in_place_with_its_wal() {
    let dir = tempfile::tempdir().unwrap();
    let path = db_path(&dir);
    {
        let store = open_clean(&path);
        store.begin_attempt(&attempt(&body(1))).unwrap();
    }
    // A "newer upexport" bumps the version and leaves its WAL behind.
    {
        let conn = Connection::open(&path).unwrap();
        conn.set_db_config(DbConfig::SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, true)
            .unwrap();
        conn.execute_batch(&format!(
            "PRAGMA journal_mode = WAL; CREATE TABLE future (x); PRAGMA user_version = {};",
            LATEST_VERSION + 1
        ))
        .unwrap();
    }
    let wal = files::companion(&path, "-wal");
    let main_bytes = fs::read(&path).unwrap();
    let wal_bytes = fs::read(&wal).unwrap();
    assert!(!wal_bytes.is_empty());

    // Refused, twice (a downgrade must not split the history silently):
    // nothing moved, nothing written, the error says what to do.
    for _ in 0..2 {
        let e = HistoryStore::open(&path).expect_err("a newer file is refused");
        let text = e.to_string();
        assert!(text.contains("newer upexport"), "{text}");
        assert!(text.contains(&path.display().to_string()), "{text}");
        assert!(
            text.contains(&format!("schema version {}", LATEST_VERSION + 1)),
            "{text}"
        );
        assert!(text.contains("nothing was moved"), "{text}");
        assert!(HistoryStore::check_not_newer(&path).is_err());
    }
    let aside: Vec<PathBuf> = files_starting(dir.path(), "history.sqlite3.")
        .into_iter()
        .filter(|p| !p.to_string_lossy().ends_with(".lock"))
        .collect();
    assert!(aside.is_empty(), "nothing moved aside: {aside:?}");
    assert!(HistoryStore::moved_aside(&path).is_empty());
    assert_eq!(fs::read(&path).unwrap(), main_bytes);
    assert_eq!(fs::read(&wal).unwrap(), wal_bytes);

    // The newer version still finds its rows.
    let conn = Connection::open(&path).unwrap();
    let n: i64 = conn
        .query_row("SELECT count(*) FROM attempts", [], |r| r.get(0))
        .unwrap();
    assert_eq!(n, 1);
}

/// The version is read from the file's header when no write-ahead log
/// holds later pages: the header says what SQLite says, and a newer
/// version checkpointed into it is refused without SQLite (the test
/// above covers one still in the log).
#[test]
fn the_header_alone_tells_a_closed_files_version() {
    let dir = tempfile::tempdir().unwrap();
    let path = db_path(&dir);
    drop(open_clean(&path));
    assert!(!files::companion(&path, "-wal").exists(), "closed: no log");
    assert_eq!(
        crate::history::recover::header_version(&path),
        Some(LATEST_VERSION)
    );
    assert!(HistoryStore::check_not_newer(&path).is_ok());
    {
        let conn = Connection::open(&path).unwrap();
        conn.execute_batch(&format!("PRAGMA user_version = {};", LATEST_VERSION + 3))
            .unwrap();
    }
    assert!(!files::companion(&path, "-wal").exists(), "checkpointed");
    assert_eq!(
        crate::history::recover::header_version(&path),
        Some(LATEST_VERSION + 3)
    );
    match HistoryStore::check_not_newer(&path) {
        Err(HistoryError::Newer { found, .. }) => assert_eq!(found, LATEST_VERSION + 3),
        other => panic!("expected a newer file: {other:?}"),
    }
    // Not a database: left to the store's open.
    fs::write(&path, b"not sqlite").unwrap();
    assert_eq!(crate::history::recover::header_version(&path), None);
    assert!(HistoryStore::check_not_newer(&path).is_ok());
}

#[test]
fn files_moved_aside_are_listed() {
    let dir = tempfile::tempdir().unwrap();
    let path = db_path(&dir);
    assert!(HistoryStore::moved_aside(&path).is_empty());
    fs::write(&path, noise(4096)).unwrap();
    let (_store, aside, _) = open_moving_aside(&path, "corrupt");
    // One left by an older upexport, which moved newer files aside too.
    let older = dir.path().join("history.sqlite3.newer-20260101T000000Z");
    fs::write(&older, b"x").unwrap();
    fs::write(files::companion(&older, "-wal"), b"x").unwrap();
    fs::write(dir.path().join("history.sqlite3.bak"), b"x").unwrap();
    assert_eq!(HistoryStore::moved_aside(&path), [aside, older]);
}

#[test]
fn another_programs_database_is_moved_aside() {
    let dir = tempfile::tempdir().unwrap();
    let path = db_path(&dir);
    Connection::open(&path)
        .unwrap()
        .execute_batch("CREATE TABLE notes (body TEXT); INSERT INTO notes VALUES ('mine');")
        .unwrap();
    let bytes = fs::read(&path).unwrap();
    let (_store, aside, warning) = open_moving_aside(&path, "foreign");
    assert!(warning.contains("not an upexport history"), "{warning}");
    assert_eq!(fs::read(&aside).unwrap(), bytes);
}

#[test]
fn a_damaged_file_in_use_elsewhere_is_not_moved() {
    let dir = tempfile::tempdir().unwrap();
    let path = db_path(&dir);
    let bytes = noise(4096);
    fs::write(&path, &bytes).unwrap();
    // Another upexport holds the shared lock.
    let other = files::DbLock::shared(&path).unwrap();

    let e = HistoryStore::open(&path).unwrap_err();
    assert!(matches!(e, HistoryError::InUse { .. }), "{e:?}");
    assert!(e.to_string().contains(&path.display().to_string()), "{e}");
    assert_eq!(fs::read(&path).unwrap(), bytes, "left in place");
    assert!(files_starting(dir.path(), "history.sqlite3.corrupt-").is_empty());

    drop(other);
    let (_store, aside, _) = open_moving_aside(&path, "corrupt");
    assert_eq!(fs::read(&aside).unwrap(), bytes);
}

#[test]
fn moving_aside_twice_keeps_both_files() {
    let dir = tempfile::tempdir().unwrap();
    let path = db_path(&dir);
    let mut originals = Vec::new();
    for n in 0..2 {
        let bytes = noise(2048 + n);
        fs::write(&path, &bytes).unwrap();
        for s in ["-wal", "-shm"] {
            let _ = fs::remove_file(files::companion(&path, s));
        }
        originals.push(bytes);
        let report = HistoryStore::open(&path).unwrap();
        assert_eq!(report.warnings.len(), 1);
    }
    let kept: Vec<Vec<u8>> = files_starting(dir.path(), "history.sqlite3.corrupt-")
        .iter()
        .filter(|p| {
            !p.to_string_lossy().ends_with("-wal") && !p.to_string_lossy().ends_with("-shm")
        })
        .map(|p| fs::read(p).unwrap())
        .collect();
    assert_eq!(kept.len(), 2);
    for bytes in &originals {
        assert!(kept.contains(bytes));
    }
}
