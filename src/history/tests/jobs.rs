//! Job status updates and the list of jobs still to poll.

use chrono::{Duration, Utc};

use super::*;

fn snapshot(status: &str, checked_at: chrono::DateTime<Utc>) -> JobSnapshot {
    JobSnapshot {
        status: status.to_owned(),
        progress: Some("50".into()),
        chunks_done: Some(1),
        chunks_total: Some(2),
        files: vec![],
        error: None,
        checked_at,
        ended_at: None,
    }
}

#[test]
fn job_status_is_stored_and_never_goes_back_in_time() {
    let store = HistoryStore::open_in_memory().unwrap();
    let id = store.begin_attempt(&attempt(&body(1))).unwrap();
    store.record_created(id, &created("job-1")).unwrap();
    let t0 = Utc::now();

    let processing = snapshot("processing", t0);
    store
        .record_job_status(BASE_URL, "job-1", &processing)
        .unwrap();
    assert_eq!(
        store.get(id).unwrap().unwrap().job,
        Some(processing.clone())
    );

    let done = JobSnapshot {
        status: "completed".into(),
        progress: Some("100".into()),
        chunks_done: Some(2),
        chunks_total: Some(2),
        files: vec![
            JobFile {
                filename: "part-0.ndjson.gz".into(),
                url: "https://files.example.invalid/0?sig=a".into(),
            },
            JobFile {
                filename: "part-1.ndjson.gz".into(),
                url: "https://files.example.invalid/1?sig=b".into(),
            },
        ],
        error: None,
        checked_at: t0 + Duration::seconds(5),
        ended_at: Some(t0 + Duration::seconds(4)),
    };
    store.record_job_status(BASE_URL, "job-1", &done).unwrap();
    let e = store.by_job(BASE_URL, "job-1").unwrap().unwrap();
    assert_eq!(e.job, Some(done.clone()));
    assert!(e.job.as_ref().unwrap().is_finished());
    assert_eq!(
        e.state,
        EntryState::Created,
        "polling does not touch the state"
    );

    // A slower poller's older answer is ignored.
    store
        .record_job_status(
            BASE_URL,
            "job-1",
            &snapshot("processing", t0 + Duration::seconds(1)),
        )
        .unwrap();
    assert_eq!(store.get(id).unwrap().unwrap().job, Some(done));

    // A job this history does not know: nothing happens.
    store
        .record_job_status(BASE_URL, "elsewhere", &snapshot("processing", t0))
        .unwrap();
    assert_eq!(store.count().unwrap(), 1);
}

#[test]
fn failed_job_keeps_its_error() {
    let store = HistoryStore::open_in_memory().unwrap();
    let id = store.begin_attempt(&attempt(&body(1))).unwrap();
    store.record_created(id, &created("job-1")).unwrap();
    let s = JobSnapshot {
        status: "failed".into(),
        progress: None,
        chunks_done: None,
        chunks_total: None,
        files: vec![],
        error: Some("export worker crashed".into()),
        checked_at: Utc::now(),
        ended_at: None,
    };
    store.record_job_status(BASE_URL, "job-1", &s).unwrap();
    assert_eq!(store.get(id).unwrap().unwrap().job, Some(s));
}

#[test]
fn unfinished_jobs_are_created_rows_not_yet_done() {
    let store = HistoryStore::open_in_memory().unwrap();
    let now = Utc::now();
    let mut expect = Vec::new();
    for (n, status) in [
        None,
        Some("pending"),
        Some("processing"),
        Some("completed"),
        Some("failed"),
        Some("expired"),
        Some("something-new"),
    ]
    .into_iter()
    .enumerate()
    {
        let id = store.begin_attempt(&attempt(&body(n))).unwrap();
        let job = format!("job-{n}");
        store.record_created(id, &created(&job)).unwrap();
        if let Some(status) = status {
            store
                .record_job_status(BASE_URL, &job, &snapshot(status, now))
                .unwrap();
        }
        if !matches!(status, Some("completed" | "failed" | "expired")) {
            expect.push(id);
        }
    }
    // Neither a request still sending nor a failed request has a job.
    store.begin_attempt(&attempt(&body(100))).unwrap();
    let id = store.begin_attempt(&attempt(&body(101))).unwrap();
    store
        .record_failed(id, &failed("conflict", Some(409)))
        .unwrap();

    expect.reverse(); // newest first
    let got: Vec<i64> = store
        .unfinished_jobs()
        .unwrap()
        .iter()
        .map(|e| e.id)
        .collect();
    assert_eq!(got, expect);

    // Once a job finishes it leaves the list.
    store
        .record_job_status(
            BASE_URL,
            "job-1",
            &snapshot("completed", now + Duration::seconds(1)),
        )
        .unwrap();
    assert_eq!(store.unfinished_jobs().unwrap().len(), expect.len() - 1);
}

#[test]
fn one_job_id_on_two_servers_is_two_jobs() {
    let store = HistoryStore::open_in_memory().unwrap();
    let t0 = Utc::now();
    let mut ids = Vec::new();
    for base in ["https://a.example/", "https://b.example/"] {
        let id = store
            .begin_attempt(&NewAttempt {
                base_url: base,
                ..attempt(&body(1))
            })
            .unwrap();
        store.record_created(id, &created("job-1")).unwrap();
        ids.push(id);
    }
    store
        .record_job_status("https://b.example/", "job-1", &snapshot("completed", t0))
        .unwrap();
    let job = |id| store.get(id).unwrap().unwrap().job.map(|j| j.status);
    assert_eq!(job(ids[0]), None, "A's row is another job");
    assert_eq!(job(ids[1]).as_deref(), Some("completed"));
    assert_eq!(
        store
            .by_job("https://a.example/", "job-1")
            .unwrap()
            .map(|e| e.id),
        Some(ids[0])
    );
    assert_eq!(
        store
            .by_job("https://b.example/", "job-1")
            .unwrap()
            .map(|e| e.id),
        Some(ids[1])
    );
    // A server this history never used: nothing found, nothing written.
    store
        .record_job_status("https://c.example/", "job-1", &snapshot("failed", t0))
        .unwrap();
    assert_eq!(job(ids[0]), None);
    assert_eq!(job(ids[1]).as_deref(), Some("completed"));
    let unfinished: Vec<i64> = store
        .unfinished_jobs()
        .unwrap()
        .iter()
        .map(|e| e.id)
        .collect();
    assert_eq!(unfinished, [ids[0]]);
}
