//! One row per export attempt, however many 409s it waits through: sent
//! again on the same row, its conflicts counted, and what a crash or a
//! restart makes of such a row.

use chrono::{Duration, Utc};

use super::*;

const CONFLICT: &str = "conflict";

fn refused(store: &HistoryStore, id: i64) {
    store
        .record_failed(id, &failed(CONFLICT, Some(409)))
        .unwrap();
}

#[test]
fn a_refused_attempt_is_sent_again_on_its_row_and_counts_its_conflicts() {
    let store = HistoryStore::open_in_memory().unwrap();
    let json = body(1);
    let id = store.begin_attempt(&attempt(&json)).unwrap();
    refused(&store, id);
    let e = store.get(id).unwrap().unwrap();
    assert_eq!((e.conflicts, e.sent_at), (1, None));
    assert_eq!(
        e.conflicts_note(),
        None,
        "refused once: the outcome says 409"
    );

    for n in 2..=3 {
        assert!(store.resend_after_conflict(id, &attempt(&json)).unwrap());
        let e = store.get(id).unwrap().unwrap();
        assert_eq!(e.state, EntryState::Sending);
        assert_eq!((e.failed.clone(), e.finished_at), (None, None));
        assert_eq!(e.pid, Some(std::process::id()));
        assert!(e.sent_at.is_some_and(|t| t >= e.created_at));
        refused(&store, id);
        let e = store.get(id).unwrap().unwrap();
        assert_eq!(e.conflicts, n);
        assert_eq!(
            e.conflicts_note().as_deref(),
            Some(format!("refused with 409 {n} times").as_str())
        );
    }
    assert!(store.resend_after_conflict(id, &attempt(&json)).unwrap());
    store.record_created(id, &created("job-1")).unwrap();
    let e = store.get(id).unwrap().unwrap();
    assert_eq!((e.state, e.conflicts), (EntryState::Created, 3));
    assert_eq!(
        e.conflicts_note().as_deref(),
        Some("waited through 3 conflicts")
    );
    assert_eq!(store.count().unwrap(), 1, "one row for the one export");

    // Another failure after waiting says it waited.
    let other = store.begin_attempt(&attempt(&json)).unwrap();
    refused(&store, other);
    assert!(store.resend_after_conflict(other, &attempt(&json)).unwrap());
    store
        .record_failed(other, &failed("timeout", None))
        .unwrap();
    let e = store.get(other).unwrap().unwrap();
    assert_eq!(
        e.conflicts_note().as_deref(),
        Some("waited through 1 conflict")
    );
}

#[test]
fn only_a_409_row_of_the_same_request_profile_and_server_is_sent_again() {
    let store = HistoryStore::open_in_memory().unwrap();
    let json = body(1);
    let created_row = store.begin_attempt(&attempt(&json)).unwrap();
    store
        .record_created(created_row, &created("job-1"))
        .unwrap();
    let timeout_row = store.begin_attempt(&attempt(&json)).unwrap();
    store
        .record_failed(timeout_row, &failed("timeout", None))
        .unwrap();
    let sending_row = store.begin_attempt(&attempt(&json)).unwrap();
    let row = store.begin_attempt(&attempt(&json)).unwrap();
    refused(&store, row);
    for id in [created_row, timeout_row, sending_row, 999] {
        assert!(
            !store.resend_after_conflict(id, &attempt(&json)).unwrap(),
            "{id}"
        );
    }
    let other_body = body(2);
    let elsewhere = [
        attempt(&other_body),
        NewAttempt {
            profile: "eu",
            ..attempt(&json)
        },
        NewAttempt {
            base_url: "https://eu.example/",
            ..attempt(&json)
        },
    ];
    for a in &elsewhere {
        assert!(!store.resend_after_conflict(row, a).unwrap(), "{a:?}");
    }
    assert_eq!(store.get(row).unwrap().unwrap().state, EntryState::Failed);
    // Sent again once: a second taker finds it sending and gets false.
    assert!(store.resend_after_conflict(row, &attempt(&json)).unwrap());
    assert!(!store.resend_after_conflict(row, &attempt(&json)).unwrap());
}

#[test]
fn a_resent_row_goes_stale_from_its_last_send() {
    let store = HistoryStore::open_in_memory().unwrap();
    let json = body(1);
    let id = store.begin_attempt(&attempt(&json)).unwrap();
    refused(&store, id);
    // It waited an hour for the running export before being sent again.
    store
        .conn
        .execute(
            "UPDATE attempts SET created_at = ?1 WHERE id = ?2",
            (entry::fmt_time(Utc::now() - Duration::hours(1)), id),
        )
        .unwrap();
    assert!(store.resend_after_conflict(id, &attempt(&json)).unwrap());
    let e = store.get(id).unwrap().unwrap();
    let now = Utc::now();
    assert!(!e.outcome_unknown_at(now), "just sent, by this process");
    assert!(e.outcome_unknown_at(now + SENDING_STALE_AFTER + Duration::seconds(1)));
}

#[cfg(target_os = "linux")]
#[test]
fn a_stopped_claim_whose_row_was_sent_again_is_settled_by_that_row() {
    let store = HistoryStore::open_in_memory().unwrap();
    let json = body(1);
    // Refused with 409 in an earlier run; the item remembers the row.
    let row = store.begin_attempt(&attempt(&json)).unwrap();
    refused(&store, row);
    store
        .conn
        .execute(
            "UPDATE attempts SET created_at = ?1 WHERE id = ?2",
            (entry::fmt_time(Utc::now() - Duration::hours(1)), row),
        )
        .unwrap();
    let item = store.queue_add("default", BASE_URL, &json).unwrap();
    assert!(store.queue_claim(item).unwrap());
    store
        .queue_release_after_conflict(item, row, "409: waiting")
        .unwrap();
    let q = store.queue_get(item).unwrap().unwrap();
    assert_eq!((q.state, q.attempt_id), (QueueState::Waiting, Some(row)));

    // The next run claims it, sends the row again and dies in flight.
    assert!(store.queue_claim(item).unwrap());
    assert!(store.resend_after_conflict(row, &attempt(&json)).unwrap());
    let mut child = std::process::Command::new("true").spawn().unwrap();
    let dead = child.id();
    child.wait().unwrap();
    for (table, id) in [("queue", item), ("attempts", row)] {
        store
            .conn
            .execute(
                &format!("UPDATE {table} SET pid = ?1 WHERE id = ?2"),
                (dead, id),
            )
            .unwrap();
    }
    // Found by its last send, not its first: it may exist, never sent twice.
    let q = store.queue_get(item).unwrap().unwrap();
    assert_eq!(q.state, QueueState::Submitting);
    let q = store
        .queue_list(None)
        .unwrap()
        .into_iter()
        .find(|q| q.id == item)
        .unwrap();
    assert_eq!((q.state, q.attempt_id), (QueueState::Failed, Some(row)));
    assert!(
        q.message
            .unwrap_or_default()
            .contains("may have been created")
    );
}

#[test]
fn a_version_2_file_counts_its_refused_rows_as_one_conflict_each() {
    let dir = tempfile::tempdir().unwrap();
    let path = db_path(&dir);
    {
        let conn = rusqlite::Connection::open(&path).unwrap();
        for step in &super::super::schema::MIGRATIONS[..2] {
            conn.execute_batch(step).unwrap();
        }
        conn.execute_batch(
            r#"PRAGMA user_version = 2;
               INSERT INTO attempts (created_at, source, profile, base_url, request_json, state,
                                     pid, finished_at, error_kind, http_status, error_message)
               VALUES ('2026-01-01T00:00:00.000000000Z', 'cli', 'default', 'https://a.example/',
                       '{"n":1}', 'failed', 1, '2026-01-01T00:00:01.000000000Z',
                       'conflict', 409, 'busy'),
                      ('2026-01-01T00:00:02.000000000Z', 'cli', 'default', 'https://a.example/',
                       '{"n":2}', 'failed', 1, '2026-01-01T00:00:03.000000000Z',
                       'timeout', NULL, 'slow');"#,
        )
        .unwrap();
    }
    let store = HistoryStore::open(&path).unwrap().store;
    let page = store.page(0, 10).unwrap();
    let counts: Vec<(i64, u32, Option<chrono::DateTime<Utc>>)> = page
        .iter()
        .map(|e| (e.id, e.conflicts, e.sent_at))
        .collect();
    assert_eq!(counts, [(2, 0, None), (1, 1, None)]);
    // And such a row can be sent again like one of this version.
    let a = NewAttempt {
        base_url: "https://a.example/",
        ..attempt(r#"{"n":1}"#)
    };
    assert!(store.resend_after_conflict(1, &a).unwrap());
}
