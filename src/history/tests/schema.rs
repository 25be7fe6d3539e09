//! The schema, connection settings, query plans and file permissions.

use super::*;

fn names(store: &HistoryStore) -> Vec<String> {
    let mut st = store
        .conn
        .prepare(
            "SELECT m.name FROM sqlite_master m
             UNION ALL
             SELECT p.name FROM sqlite_master m, pragma_table_info(m.name) p
             WHERE m.type = 'table'
             UNION ALL
             SELECT i.name FROM sqlite_master m, pragma_index_info(m.name) i
             WHERE m.type = 'index'",
        )
        .unwrap();
    st.query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

#[test]
fn nothing_in_the_schema_looks_like_a_secret() {
    let store = HistoryStore::open_in_memory().unwrap();
    let names = names(&store);
    assert!(names.iter().any(|n| n == "request_json"), "{names:?}");
    for name in &names {
        let lower = name.to_ascii_lowercase();
        if lower == "environment_app_token" {
            continue; // an environment id shown by the API, not a credential
        }
        for word in ["key", "token", "secret", "password", "auth", "credential"] {
            assert!(!lower.contains(word), "'{name}' looks like a secret");
        }
    }
}

#[test]
fn file_store_settings() {
    let dir = tempfile::tempdir().unwrap();
    let store = open_clean(&db_path(&dir));
    let pragma = |name: &str| -> String {
        store
            .conn
            .query_row(&format!("PRAGMA {name}"), [], |r| {
                r.get::<_, rusqlite::types::Value>(0)
            })
            .map(|v| match v {
                rusqlite::types::Value::Integer(i) => i.to_string(),
                rusqlite::types::Value::Text(s) => s,
                other => format!("{other:?}"),
            })
            .unwrap()
    };
    assert_eq!(pragma("journal_mode"), "wal");
    assert_eq!(pragma("synchronous"), "1", "NORMAL");
    assert_eq!(pragma("foreign_keys"), "1");
    assert_eq!(pragma("busy_timeout"), BUSY_TIMEOUT.as_millis().to_string());
    assert_eq!(pragma("user_version"), LATEST_VERSION.to_string());
    assert_eq!(store.integrity_check().unwrap(), "ok");
}

fn plan(store: &HistoryStore, sql: &str) -> String {
    let mut st = store
        .conn
        .prepare(&format!("EXPLAIN QUERY PLAN {sql}"))
        .unwrap();
    let rows: Vec<String> = st
        .query_map([], |r| r.get(3))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    rows.join("; ")
}

#[test]
fn queries_use_the_indexes() {
    let store = HistoryStore::open_in_memory().unwrap();
    let page = plan(
        &store,
        "SELECT * FROM attempts ORDER BY id DESC LIMIT 50 OFFSET 0",
    );
    assert!(!page.contains("TEMP B-TREE"), "{page}");
    let keyset = plan(
        &store,
        "SELECT * FROM attempts WHERE id < 10 ORDER BY id DESC LIMIT 50",
    );
    assert!(keyset.contains("INTEGER PRIMARY KEY"), "{keyset}");
    assert!(!keyset.contains("TEMP B-TREE"), "{keyset}");
    let job = plan(
        &store,
        "SELECT * FROM attempts WHERE job_id = 'x' AND base_url = 'y' ORDER BY id DESC LIMIT 1",
    );
    assert!(job.contains("attempts_by_job"), "{job}");
    assert!(
        job.contains("base_url=?"),
        "both columns of the index: {job}"
    );
    let unfinished = plan(
        &store,
        &format!(
            "SELECT * FROM attempts WHERE {} ORDER BY id DESC",
            super::super::schema::UNFINISHED_WHERE
        ),
    );
    assert!(unfinished.contains("attempts_unfinished"), "{unfinished}");
    assert!(!unfinished.contains("TEMP B-TREE"), "{unfinished}");
}

#[cfg(unix)]
#[test]
fn files_are_private() {
    use std::os::unix::fs::PermissionsExt;
    let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("state").join("upexport");
    let path = state.join("history.sqlite3");
    let store = open_clean(&path);
    store.begin_attempt(&attempt(&body(1))).unwrap();
    assert_eq!(mode(&state), 0o700);
    assert_eq!(mode(&dir.path().join("state")), 0o700);
    assert_eq!(mode(&path), 0o600);
    assert_eq!(mode(&state.join("history.sqlite3-wal")), 0o600);
    assert_eq!(mode(&state.join("history.sqlite3.lock")), 0o600);
    drop(store);

    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
    let report = HistoryStore::open(&path).unwrap();
    assert_eq!(report.warnings.len(), 1, "{:?}", report.warnings);
    assert!(report.warnings[0].contains(&path.display().to_string()));
    assert_eq!(mode(&path), 0o600);
    assert_eq!(report.store.count().unwrap(), 1);
}

#[test]
fn a_version_2_file_is_upgraded_and_its_jobs_found_by_server() {
    let dir = tempfile::tempdir().unwrap();
    let path = db_path(&dir);
    {
        let conn = rusqlite::Connection::open(&path).unwrap();
        for step in &super::super::schema::MIGRATIONS[..2] {
            conn.execute_batch(step).unwrap();
        }
        // The same job id from two servers, as an older upexport stored it.
        conn.execute_batch(
            r#"PRAGMA user_version = 2;
               INSERT INTO attempts (created_at, source, profile, base_url, request_json, state,
                                     pid, finished_at, job_id)
               VALUES ('2026-01-01T00:00:00.000000000Z', 'cli', 'default', 'https://a.example/',
                       '{"n":1}', 'created', 1, '2026-01-01T00:00:01.000000000Z', 'job-1'),
                      ('2026-01-01T00:00:02.000000000Z', 'cli', 'default', 'https://b.example/',
                       '{"n":2}', 'created', 1, '2026-01-01T00:00:03.000000000Z', 'job-1');"#,
        )
        .unwrap();
    }
    let store = HistoryStore::open(&path).unwrap().store;
    assert_eq!(store.schema_version().unwrap(), LATEST_VERSION);
    assert_eq!(store.count().unwrap(), 2);
    let a = store
        .by_job("https://a.example/", "job-1")
        .unwrap()
        .expect("A's");
    let b = store
        .by_job("https://b.example/", "job-1")
        .unwrap()
        .expect("B's");
    assert_eq!((a.id, b.id), (1, 2));
    assert_eq!(a.request_json, r#"{"n":1}"#);
    assert_eq!(store.by_job("https://c.example/", "job-1").unwrap(), None);
    let names = names(&store);
    assert!(names.iter().any(|n| n == "attempts_by_job"), "{names:?}");
    assert!(
        !names.iter().any(|n| n == "attempts_by_job_id"),
        "{names:?}"
    );
}
