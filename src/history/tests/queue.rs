//! The export queue: order, reordering, claims between processes, settling
//! the claims of processes that stopped, and old databases.

use super::*;

const PROFILE: &str = "default";

fn add(store: &HistoryStore, n: usize) -> i64 {
    store.queue_add(PROFILE, BASE_URL, &body(n)).unwrap()
}

fn ids(items: &[QueuedExport]) -> Vec<i64> {
    items.iter().map(|q| q.id).collect()
}

fn waiting_ids(store: &HistoryStore) -> Vec<i64> {
    store
        .queue_list(Some(PROFILE))
        .unwrap()
        .into_iter()
        .filter(|q| q.state == QueueState::Waiting)
        .map(|q| q.id)
        .collect()
}

/// A pid that belonged to a process which has exited.
#[cfg(target_os = "linux")]
fn dead_pid() -> u32 {
    let mut child = std::process::Command::new("true").spawn().unwrap();
    let pid = child.id();
    child.wait().unwrap();
    pid
}

fn set_claim_pid(store: &HistoryStore, id: i64, pid: u32) {
    store
        .conn
        .execute("UPDATE queue SET pid = ?1 WHERE id = ?2", (pid, id))
        .unwrap();
}

fn set_attempt_pid(store: &HistoryStore, id: i64, pid: u32) {
    store
        .conn
        .execute("UPDATE attempts SET pid = ?1 WHERE id = ?2", (pid, id))
        .unwrap();
}

#[test]
fn items_keep_their_order_fields_and_profile() {
    let store = HistoryStore::open_in_memory().unwrap();
    let a = add(&store, 1);
    let b = add(&store, 2);
    let other = store
        .queue_add("eu", "https://eu.example", &body(3))
        .unwrap();
    let c = add(&store, 4);

    let mine = store.queue_list(Some(PROFILE)).unwrap();
    assert_eq!(ids(&mine), vec![a, b, c]);
    let first = &mine[0];
    assert_eq!(first.profile, PROFILE);
    assert_eq!(first.base_url, BASE_URL);
    assert_eq!(first.request_json, body(1));
    assert_eq!(first.state, QueueState::Waiting);
    assert_eq!((first.attempt_id, &first.message), (None, &None));
    assert!(mine.windows(2).all(|w| w[0].position < w[1].position));
    assert_eq!(ids(&store.queue_list(None).unwrap()), vec![a, b, other, c]);
    assert_eq!(ids(&store.queue_list(Some("eu")).unwrap()), vec![other]);
    assert_eq!(store.queue_next(PROFILE).unwrap().map(|q| q.id), Some(a));
    assert_eq!(store.queue_next("eu").unwrap().map(|q| q.id), Some(other));
    assert_eq!(store.queue_next("nobody").unwrap(), None);
    assert_eq!(store.queue_get(b).unwrap().unwrap().request_json, body(2));
    assert_eq!(store.queue_get(999).unwrap(), None);

    let json = serde_json::to_string(first).unwrap();
    assert!(json.contains(r#""state":"waiting""#), "{json}");
    let back: QueuedExport = serde_json::from_str(&json).unwrap();
    assert_eq!(&back, first);
    for s in [
        QueueState::Waiting,
        QueueState::Submitting,
        QueueState::Submitted,
        QueueState::Failed,
    ] {
        assert_eq!(QueueState::parse(s.as_str()), Some(s));
        assert_eq!(s.to_string(), s.as_str());
    }
    assert_eq!(QueueState::parse("other"), None);
}

#[test]
fn moving_reorders_waiting_items_only_and_clamps() {
    let store = HistoryStore::open_in_memory().unwrap();
    let [a, b, c, d] = [1, 2, 3, 4].map(|n| add(&store, n));
    let other = store.queue_add("eu", BASE_URL, &body(9)).unwrap();

    store.queue_move(c, -1).unwrap();
    assert_eq!(waiting_ids(&store), vec![a, c, b, d]);
    store.queue_move(a, 10).unwrap();
    assert_eq!(waiting_ids(&store), vec![c, b, d, a]);
    store.queue_move(a, -100).unwrap();
    assert_eq!(waiting_ids(&store), vec![a, c, b, d]);
    store.queue_move(b, 0).unwrap();
    assert_eq!(waiting_ids(&store), vec![a, c, b, d]);

    // A submitted item keeps its place and cannot move; others move around it.
    assert!(store.queue_claim(a).unwrap());
    let attempt_id = store.begin_attempt(&attempt(&body(1))).unwrap();
    store.queue_submitted(a, attempt_id).unwrap();
    let e = store.queue_move(a, 1).unwrap_err();
    assert!(
        matches!(
            e,
            HistoryError::QueueItemState {
                state: QueueState::Submitted,
                ..
            }
        ),
        "{e:?}"
    );
    store.queue_move(d, -5).unwrap();
    let all = store.queue_list(Some(PROFILE)).unwrap();
    assert_eq!(ids(&all), vec![a, d, c, b]);
    assert_eq!(all[0].state, QueueState::Submitted);
    // The other profile's item was never touched.
    assert_eq!(ids(&store.queue_list(Some("eu")).unwrap()), vec![other]);
    let e = store.queue_move(12345, 1).unwrap_err();
    assert!(matches!(e, HistoryError::NoSuchQueueItem { .. }), "{e:?}");
}

#[test]
fn claims_are_exclusive_between_stores() {
    let dir = tempfile::tempdir().unwrap();
    let path = db_path(&dir);
    let one = open_clean(&path);
    let two = open_clean(&path);
    let a = add(&one, 1);
    let b = add(&one, 2);

    assert!(one.queue_claim(a).unwrap());
    assert!(!two.queue_claim(a).unwrap(), "the same item twice");
    // The other store now sees the next item first.
    assert_eq!(two.queue_next(PROFILE).unwrap().map(|q| q.id), Some(b));
    assert!(two.queue_claim(b).unwrap());
    assert!(!one.queue_claim(b).unwrap());

    // Many threads race for one item: exactly one wins.
    let c = add(&one, 3);
    let wins: usize = std::thread::scope(|s| {
        let handles: Vec<_> = (0..6)
            .map(|_| {
                let path = path.clone();
                s.spawn(move || open_clean(&path).queue_claim(c).unwrap() as usize)
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).sum()
    });
    assert_eq!(wins, 1);
}

#[test]
fn state_changes_need_a_claim() {
    let store = HistoryStore::open_in_memory().unwrap();
    let a = add(&store, 1);
    let attempt_id = store.begin_attempt(&attempt(&body(1))).unwrap();
    let e = store.queue_submitted(a, attempt_id).unwrap_err();
    assert!(
        matches!(
            e,
            HistoryError::QueueItemState {
                state: QueueState::Waiting,
                ..
            }
        ),
        "{e:?}"
    );
    assert!(e.to_string().contains("submitting"), "{e}");
    assert!(store.queue_failed(a, "x").is_err());
    assert!(store.queue_release(a, None).is_err());

    assert!(store.queue_claim(a).unwrap());
    assert_eq!(
        store.queue_get(a).unwrap().unwrap().state,
        QueueState::Submitting
    );
    store.queue_release(a, Some("409: waiting")).unwrap();
    let q = store.queue_get(a).unwrap().unwrap();
    assert_eq!(
        (q.state, q.message.as_deref()),
        (QueueState::Waiting, Some("409: waiting"))
    );
    assert!(store.queue_claim(a).unwrap());
    assert_eq!(store.queue_get(a).unwrap().unwrap().message, None);
    store.queue_submitted(a, attempt_id).unwrap();
    let q = store.queue_get(a).unwrap().unwrap();
    assert_eq!(
        (q.state, q.attempt_id),
        (QueueState::Submitted, Some(attempt_id))
    );
    assert!(!store.queue_claim(a).unwrap(), "submitted is final");
    store.queue_note(a, Some("its job failed: boom")).unwrap();
    assert_eq!(
        store.queue_get(a).unwrap().unwrap().message.as_deref(),
        Some("its job failed: boom")
    );

    let b = add(&store, 2);
    assert!(store.queue_claim(b).unwrap());
    store.queue_failed(b, "refused: bad body").unwrap();
    let q = store.queue_get(b).unwrap().unwrap();
    assert_eq!(
        (q.state, q.message.as_deref()),
        (QueueState::Failed, Some("refused: bad body"))
    );
    assert!(matches!(
        store.queue_note(777, None).unwrap_err(),
        HistoryError::NoSuchQueueItem { .. }
    ));
}

#[test]
fn remove_and_clear() {
    let store = HistoryStore::open_in_memory().unwrap();
    let [a, b, c, d] = [1, 2, 3, 4].map(|n| add(&store, n));
    let other = store.queue_add("eu", BASE_URL, &body(5)).unwrap();
    for id in [a, other] {
        assert!(store.queue_claim(id).unwrap());
        store.queue_failed(id, "no").unwrap();
    }
    assert!(store.queue_claim(b).unwrap());
    let e = store.queue_remove(b).unwrap_err();
    assert!(e.to_string().contains("submitting"), "{e}");
    store.queue_remove(c).unwrap();
    assert!(matches!(
        store.queue_remove(c).unwrap_err(),
        HistoryError::NoSuchQueueItem { .. }
    ));
    assert_eq!(
        ids(&store.queue_list(Some(PROFILE)).unwrap()),
        vec![a, b, d]
    );

    assert_eq!(store.queue_clear_done(Some(PROFILE)).unwrap(), 1);
    assert_eq!(ids(&store.queue_list(Some(PROFILE)).unwrap()), vec![b, d]);
    assert_eq!(ids(&store.queue_list(Some("eu")).unwrap()), vec![other]);
    assert_eq!(store.queue_clear_done(None).unwrap(), 1);
    assert!(store.queue_list(Some("eu")).unwrap().is_empty());
    // A failed item can be removed one by one too.
    assert!(store.queue_claim(d).unwrap());
    store.queue_failed(d, "no").unwrap();
    store.queue_remove(d).unwrap();
    assert_eq!(ids(&store.queue_list(None).unwrap()), vec![b]);
}

#[test]
fn the_queue_survives_reopening() {
    let dir = tempfile::tempdir().unwrap();
    let path = db_path(&dir);
    let (a, b) = {
        let store = open_clean(&path);
        let a = add(&store, 1);
        let b = add(&store, 2);
        store.queue_move(b, -1).unwrap();
        (a, b)
    };
    let store = open_clean(&path);
    assert_eq!(waiting_ids(&store), vec![b, a]);
}

#[cfg(target_os = "linux")]
#[test]
fn claims_of_stopped_processes_are_settled_by_what_they_recorded() {
    let store = HistoryStore::open_in_memory().unwrap();
    let pid = dead_pid();
    // Claimed, nothing sent yet: back to waiting, in its place.
    let nothing = add(&store, 1);
    // Claimed and its job created, but not marked: submitted.
    let created_item = add(&store, 2);
    // Claimed and the request in flight when it died: may exist, failed.
    let sending = add(&store, 3);
    // Claimed, refused with 409: waiting again.
    let conflict = add(&store, 4);
    // Claimed, refused for its body: failed.
    let refused = add(&store, 5);
    for id in [nothing, created_item, sending, conflict, refused] {
        assert!(store.queue_claim(id).unwrap());
        set_claim_pid(&store, id, pid);
    }
    let attempt_for = |n: usize| {
        let id = store.begin_attempt(&attempt(&body(n))).unwrap();
        set_attempt_pid(&store, id, pid);
        id
    };
    let created_attempt = attempt_for(2);
    store
        .record_created(created_attempt, &created("job-2"))
        .unwrap();
    let sending_attempt = attempt_for(3);
    let conflict_attempt = attempt_for(4);
    store
        .record_failed(conflict_attempt, &failed("conflict", Some(409)))
        .unwrap();
    let refused_attempt = attempt_for(5);
    store
        .record_failed(refused_attempt, &failed("http_error", Some(422)))
        .unwrap();
    // The same body sent by another (living) process does not count.
    let mine = store.begin_attempt(&attempt(&body(1))).unwrap();
    store.record_created(mine, &created("job-mine")).unwrap();

    let list = store.queue_list(Some(PROFILE)).unwrap();
    let get = |id: i64| list.iter().find(|q| q.id == id).unwrap().clone();
    assert_eq!(get(nothing).state, QueueState::Waiting);
    assert_eq!(get(nothing).attempt_id, None);
    assert!(get(nothing).message.unwrap().contains("stopped"));
    assert_eq!(
        (get(created_item).state, get(created_item).attempt_id),
        (QueueState::Submitted, Some(created_attempt))
    );
    let s = get(sending);
    assert_eq!(
        (s.state, s.attempt_id),
        (QueueState::Failed, Some(sending_attempt))
    );
    assert!(s.message.unwrap().contains("may have been created"));
    assert_eq!(get(conflict).state, QueueState::Waiting);
    let r = get(refused);
    assert_eq!(
        (r.state, r.attempt_id),
        (QueueState::Failed, Some(refused_attempt))
    );
    assert_eq!(
        store.queue_next(PROFILE).unwrap().map(|q| q.id),
        Some(nothing)
    );
}

#[test]
fn a_living_claim_is_left_alone_and_an_abandoned_one_settles() {
    let store = HistoryStore::open_in_memory().unwrap();
    let a = add(&store, 1);
    let b = add(&store, 2);
    assert!(store.queue_claim(a).unwrap());
    assert!(store.queue_claim(b).unwrap());
    // This process is alive: listing does not touch its claims.
    let list = store.queue_list(None).unwrap();
    assert!(list.iter().all(|q| q.state == QueueState::Submitting));
    assert_eq!(store.queue_next(PROFILE).unwrap(), None);

    // `a` was abandoned before anything was sent: waiting again.
    store.queue_abandon(a).unwrap();
    assert_eq!(
        store.queue_get(a).unwrap().unwrap().state,
        QueueState::Waiting
    );
    // `b` was abandoned while its request was in flight: failed, not resent.
    let attempt_id = store.begin_attempt(&attempt(&body(2))).unwrap();
    store.queue_abandon(b).unwrap();
    let q = store.queue_get(b).unwrap().unwrap();
    assert_eq!(
        (q.state, q.attempt_id),
        (QueueState::Failed, Some(attempt_id))
    );
    // Abandoning a settled item changes nothing.
    store.queue_abandon(b).unwrap();
    assert_eq!(store.queue_get(b).unwrap().unwrap(), q);
}

#[test]
fn a_version_1_database_is_upgraded_and_keeps_its_entries() {
    let dir = tempfile::tempdir().unwrap();
    let path = db_path(&dir);
    {
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.execute_batch(super::super::schema::MIGRATIONS[0])
            .unwrap();
        conn.execute_batch(
            r#"PRAGMA user_version = 1;
               INSERT INTO attempts (created_at, source, profile, base_url, request_json, state,
                                     pid, finished_at, job_id, job_status, job_checked_at)
               VALUES ('2026-01-01T00:00:00.000000000Z', 'cli', 'default', 'https://appex.userpilot.io',
                       '{"format":"csv"}', 'created', 1, '2026-01-01T00:00:01.000000000Z',
                       'old-job', 'completed', '2026-01-01T00:00:02.000000000Z');"#,
        )
        .unwrap();
    }
    // (The hand-made file is 0644: the only warning is that it was narrowed.)
    let store = HistoryStore::open(&path).unwrap().store;
    let version: i64 = store
        .conn
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .unwrap();
    assert_eq!(version, LATEST_VERSION);
    let e = store.by_job(BASE_URL, "old-job").unwrap().expect("kept");
    assert_eq!(e.request_json, r#"{"format":"csv"}"#);
    let job = e.job.expect("job status kept");
    assert_eq!((job.status.as_str(), job.ended_at), ("completed", None));
    let q = add(&store, 1);
    assert_eq!(ids(&store.queue_list(None).unwrap()), vec![q]);
    assert_eq!(store.integrity_check().unwrap(), "ok");
}
