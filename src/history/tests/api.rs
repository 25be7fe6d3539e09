//! Recording attempts and their outcomes.

use chrono::{Duration, Utc};

use super::*;

#[test]
fn attempt_then_created_round_trips() {
    let store = HistoryStore::open_in_memory().unwrap();
    assert_eq!(store.path(), None);
    let json = body(1);
    let before = Utc::now();
    let id = store.begin_attempt(&attempt(&json)).unwrap();

    let e = store.get(id).unwrap().unwrap();
    assert_eq!(e.state, EntryState::Sending);
    assert_eq!(e.request_json, json);
    assert_eq!(e.source, "cli");
    assert_eq!(e.profile, "default");
    assert_eq!(e.base_url, BASE_URL);
    assert_eq!(e.pid, Some(std::process::id()));
    assert!(e.created_at >= before - Duration::milliseconds(1));
    assert_eq!(
        (&e.finished_at, &e.created, &e.failed, &e.job),
        (&None, &None, &None, &None)
    );
    assert!(!e.outcome_unknown(), "our own fresh attempt is in flight");

    store.record_created(id, &created("job-1")).unwrap();
    let e = store.get(id).unwrap().unwrap();
    assert_eq!(e.state, EntryState::Created);
    assert_eq!(e.created, Some(created("job-1")));
    assert!(e.finished_at.unwrap() >= e.created_at);
    assert_eq!(e.failed, None);
    assert!(!e.outcome_unknown());
    assert_eq!(store.by_job(BASE_URL, "job-1").unwrap(), Some(e));
}

#[test]
fn attempt_then_failed_round_trips() {
    let store = HistoryStore::open_in_memory().unwrap();
    let id = store.begin_attempt(&attempt(&body(1))).unwrap();
    store
        .record_failed(id, &failed("conflict", Some(409)))
        .unwrap();
    let e = store.get(id).unwrap().unwrap();
    assert_eq!(e.state, EntryState::Failed);
    assert_eq!(e.failed, Some(failed("conflict", Some(409))));
    assert_eq!(e.created, None);
    assert!(e.finished_at.is_some());

    let id = store.begin_attempt(&attempt(&body(2))).unwrap();
    store.record_failed(id, &failed("timeout", None)).unwrap();
    assert_eq!(
        store.get(id).unwrap().unwrap().failed,
        Some(failed("timeout", None))
    );
}

#[test]
fn an_outcome_is_recorded_once_and_errors_name_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = db_path(&dir);
    let store = open_clean(&path);
    let id = store.begin_attempt(&attempt(&body(1))).unwrap();
    store.record_created(id, &created("job-1")).unwrap();

    let e = store
        .record_failed(id, &failed("timeout", None))
        .unwrap_err();
    assert!(matches!(
        e,
        HistoryError::AlreadyFinished {
            state: EntryState::Created,
            ..
        }
    ));
    assert!(e.to_string().contains(&path.display().to_string()), "{e}");
    assert_eq!(
        store.get(id).unwrap().unwrap().created,
        Some(created("job-1"))
    );

    let e = store.record_created(id + 1, &created("job-2")).unwrap_err();
    assert!(matches!(e, HistoryError::NoSuchEntry { .. }), "{e:?}");
    assert!(e.to_string().contains(&path.display().to_string()), "{e}");
    assert_eq!(store.count().unwrap(), 1);
    assert_eq!(store.get(id + 1).unwrap(), None);
    assert_eq!(store.by_job(BASE_URL, "job-2").unwrap(), None);
}

#[test]
fn data_version_moves_when_another_store_writes() {
    let dir = tempfile::tempdir().unwrap();
    let path = db_path(&dir);
    let ui = open_clean(&path);
    let cli = open_clean(&path);
    let v0 = ui.data_version().unwrap();
    assert_eq!(ui.data_version().unwrap(), v0, "stable while nobody writes");
    cli.begin_attempt(&attempt(&body(1))).unwrap();
    assert_ne!(ui.data_version().unwrap(), v0);
    assert_eq!(ui.count().unwrap(), 1);
}

#[test]
fn reopening_keeps_entries() {
    let dir = tempfile::tempdir().unwrap();
    let path = db_path(&dir);
    let id = {
        let store = open_clean(&path);
        assert_eq!(store.path(), Some(path.as_path()));
        let id = store.begin_attempt(&attempt(&body(7))).unwrap();
        store.record_created(id, &created("job-7")).unwrap();
        id
    };
    let store = open_clean(&path);
    let e = store.get(id).unwrap().unwrap();
    assert_eq!(e.request_json, body(7));
    assert_eq!(e.created, Some(created("job-7")));
    assert_eq!(store.integrity_check().unwrap(), "ok");
}

#[test]
fn a_parent_that_is_a_file_is_reported_with_its_path() {
    let dir = tempfile::tempdir().unwrap();
    let blocker = dir.path().join("state");
    std::fs::write(&blocker, b"not a directory").unwrap();
    let e = HistoryStore::open(&blocker.join("upexport").join("history.sqlite3")).unwrap_err();
    assert!(matches!(e, HistoryError::CreateDir { .. }), "{e:?}");
    assert!(
        e.to_string().contains(&blocker.display().to_string()),
        "{e}"
    );
}

#[test]
fn outcome_unknown_rules() {
    let now = Utc::now();
    let mut e = Entry {
        id: 1,
        created_at: now,
        source: SOURCE_TUI.into(),
        profile: "default".into(),
        base_url: BASE_URL.into(),
        request_json: body(1),
        state: EntryState::Sending,
        pid: Some(std::process::id()),
        finished_at: None,
        created: None,
        failed: None,
        job: None,
        conflicts: 0,
        sent_at: None,
    };
    assert!(!e.outcome_unknown_at(now), "our own, young: in flight");
    assert!(e.outcome_unknown_at(now + SENDING_STALE_AFTER), "too old");
    e.pid = None;
    assert!(!e.outcome_unknown_at(now + Duration::minutes(9)));
    assert!(e.outcome_unknown_at(now + Duration::minutes(11)));

    e.state = EntryState::Created;
    assert!(!e.outcome_unknown_at(now + Duration::days(30)));
    e.state = EntryState::Failed;
    assert!(!e.outcome_unknown_at(now + Duration::days(30)));
}

#[cfg(target_os = "linux")]
#[test]
fn outcome_unknown_when_the_writer_process_is_gone() {
    let mut child = std::process::Command::new("true").spawn().unwrap();
    let pid = child.id();
    child.wait().unwrap();
    let store = HistoryStore::open_in_memory().unwrap();
    let id = store.begin_attempt(&attempt(&body(1))).unwrap();
    store
        .conn
        .execute("UPDATE attempts SET pid = ?1 WHERE id = ?2", (pid, id))
        .unwrap();
    let e = store.get(id).unwrap().unwrap();
    assert_eq!(e.pid, Some(pid));
    assert!(e.outcome_unknown());
}

#[test]
fn entries_serialise_to_json() {
    let store = HistoryStore::open_in_memory().unwrap();
    let id = store.begin_attempt(&attempt(&body(1))).unwrap();
    store.record_created(id, &created("job-1")).unwrap();
    let e = store.get(id).unwrap().unwrap();
    let json = serde_json::to_string(&e).unwrap();
    assert!(json.contains(r#""state":"created""#), "{json}");
    let back: Entry = serde_json::from_str(&json).unwrap();
    assert_eq!(back, e);
}

#[test]
fn store_moves_between_threads_and_errors_travel() {
    fn send<T: Send>() {}
    fn send_sync<T: Send + Sync + 'static>() {}
    send::<HistoryStore>();
    send::<OpenReport>();
    send_sync::<HistoryError>();
}
