//! The export queue against the embedded demo server: three monthly
//! exports from one range complete in order and survive a restart (between
//! items, and in the middle of one), two runners never submit an item
//! twice, a refused item does not block the rest, a refused key stops the
//! run with the item still waiting.
//!
//! Jobs run "forever" (600 s) until a test finishes them from inside the
//! event callback (`finish_running_jobs()`); nothing waits on time.

use std::path::Path;
use std::time::Duration;

use serde_json::Value;
use upexport::api::{ApiError, JobState};
use upexport::demo::{DemoServer, FaultMode, RecordedRequest};
use upexport::export::{DateBound, ExportRequest, Format};
use upexport::history::{EntryState, HistoryStore, QueueState};
use upexport::jobs::queue::{
    QueueEvent, RunOptions, Split, add, run_next, run_queue_with, split_request,
};
use upexport::jobs::track::{Backoff, TrackError, WaitOptions};

use crate::support::demo::{CREATE, client, server};
use crate::support::{day, within};

const PROFILE: &str = "demo";

fn opts() -> RunOptions {
    RunOptions {
        wait: WaitOptions {
            backoff: Backoff::with_delays(vec![
                Duration::from_millis(5),
                Duration::from_millis(10),
                Duration::from_millis(20),
            ]),
            max_errors: 3,
            max_blind_conflicts: 5,
            ..WaitOptions::default()
        },
        ..RunOptions::default()
    }
}

/// 2026-01-15..2026-03-10, csv.
fn quarter() -> ExportRequest {
    ExportRequest {
        from: Some(DateBound::Date(day(2026, 1, 15))),
        to: Some(DateBound::Date(day(2026, 3, 10))),
        event_type: vec!["track".into()],
        format: Some(Format::Csv),
        ..Default::default()
    }
}

const MONTHS: [(&str, &str); 3] = [
    ("2026-01-15", "2026-01-31"),
    ("2026-02-01", "2026-02-28"),
    ("2026-03-01", "2026-03-10"),
];

fn open(path: &Path) -> HistoryStore {
    HistoryStore::open(path).expect("history opens").store
}

/// Split the quarter into months and queue them; returns the item ids.
fn queue_quarter(store: &HistoryStore, base_url: &str) -> Vec<i64> {
    let parts = split_request(&quarter(), Split::Monthly).unwrap();
    assert_eq!(parts.len(), 3);
    parts
        .iter()
        .map(|r| add(store, PROFILE, base_url, r).unwrap())
        .collect()
}

fn posts(log: &[RecordedRequest]) -> Vec<(usize, Value)> {
    log.iter()
        .enumerate()
        .filter(|(_, r)| r.method == "POST" && r.path == CREATE)
        .map(|(i, r)| (i, serde_json::from_str(&r.body).expect("JSON body")))
        .collect()
}

fn ranges(posts: &[(usize, Value)]) -> Vec<(String, String)> {
    posts
        .iter()
        .map(|(_, b)| {
            (
                b["from"].as_str().unwrap().to_owned(),
                b["to"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

fn months() -> Vec<(String, String)> {
    MONTHS
        .iter()
        .map(|(f, t)| (f.to_string(), t.to_string()))
        .collect()
}

/// Finish our job once its status has been seen (so it was polled while
/// running), and any job we wait for as soon as it is seen.
fn finisher(s: &DemoServer) -> impl FnMut(QueueEvent) + '_ {
    move |ev| match ev {
        QueueEvent::Status { status, .. } if !status.state().is_final() => s.finish_running_jobs(),
        QueueEvent::Failed { message, .. } => panic!("unexpected failure: {message}"),
        _ => {}
    }
}

/// Every item submitted, each with a created history entry whose job
/// completed; the job ids in queue order.
fn check_all_done(store: &HistoryStore, ids: &[i64]) -> Vec<String> {
    let list = store.queue_list(Some(PROFILE)).unwrap();
    assert_eq!(list.iter().map(|q| q.id).collect::<Vec<_>>(), ids);
    list.iter()
        .map(|q| {
            assert_eq!(q.state, QueueState::Submitted, "{q:?}");
            let e = store.get(q.attempt_id.expect("attempt")).unwrap().unwrap();
            assert_eq!(e.state, EntryState::Created);
            assert_eq!(e.request_json, q.request_json);
            assert_eq!(e.job.as_ref().expect("status saved").status, "completed");
            e.created.unwrap().job_id
        })
        .collect()
}

/// Each create after the previous job was last polled (completed).
fn check_sequential(log: &[RecordedRequest], posts: &[(usize, Value)], jobs: &[String]) {
    for (i, job) in jobs.iter().enumerate().take(jobs.len() - 1) {
        let path = format!("{CREATE}/jobs/{job}");
        let last_poll = log
            .iter()
            .rposition(|r| r.path == path)
            .expect("the job was polled");
        assert!(
            last_poll < posts[i + 1].0,
            "item {} was submitted before job {job} finished",
            i + 1
        );
    }
}

#[tokio::test]
async fn three_monthly_exports_complete_in_order_surviving_a_restart() {
    within(async {
        let s = server(FaultMode::Normal, 10).await;
        let c = client(&s);
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("history.sqlite3");

        let ids = {
            let store = open(&path);
            let ids = queue_quarter(&store, &s.base_url());
            // The first run takes one item, then the process "stops".
            let outcome = run_next(&store, &c, PROFILE, &opts(), finisher(&s))
                .await
                .unwrap()
                .expect("an item ran");
            assert_eq!(outcome.item.id, ids[0]);
            assert_eq!(outcome.item.state, QueueState::Submitted);
            assert_eq!(outcome.job.unwrap().state(), JobState::Completed);
            ids
        };

        // Restarted: the queue is still there, the first item done.
        let store = open(&path);
        let states: Vec<QueueState> = store
            .queue_list(Some(PROFILE))
            .unwrap()
            .iter()
            .map(|q| q.state)
            .collect();
        assert_eq!(
            states,
            [
                QueueState::Submitted,
                QueueState::Waiting,
                QueueState::Waiting
            ]
        );
        let mut submitted_events = Vec::new();
        let mut finish = finisher(&s);
        let n = run_queue_with(&store, &c, PROFILE, &opts(), |ev| {
            if let QueueEvent::Submitted { item_id, .. } = &ev {
                submitted_events.push(*item_id);
            }
            finish(ev);
        })
        .await
        .unwrap();
        assert_eq!(n, 2);
        assert_eq!(submitted_events, ids[1..]);

        let jobs = check_all_done(&store, &ids);
        let log = s.requests();
        let posts = posts(&log);
        assert_eq!(ranges(&posts), months(), "in order, once each, no 409");
        check_sequential(&log, &posts, &jobs);
        // Nothing left: another run does nothing and sends nothing.
        let before = s.requests().len();
        let n = run_queue_with(&store, &c, PROFILE, &opts(), finisher(&s))
            .await
            .unwrap();
        assert_eq!((n, s.requests().len()), (0, before));
    })
    .await;
}

#[tokio::test]
async fn a_run_stopped_while_its_job_runs_resumes_without_resubmitting() {
    within(async {
        let s = server(FaultMode::Normal, 10).await;
        let c = client(&s);
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("history.sqlite3");

        let ids = {
            let store = open(&path);
            let ids = queue_quarter(&store, &s.base_url());
            // Stop (drop the run) as soon as the first item is submitted,
            // while its job is still running.
            let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
            let o = opts();
            let run = run_queue_with(&store, &c, PROFILE, &o, |ev| {
                if let QueueEvent::Submitted { item_id, .. } = ev {
                    let _ = tx.send(item_id);
                }
            });
            tokio::select! {
                r = run => panic!("the run ended on its own: {r:?}"),
                first = rx.recv() => assert_eq!(first, Some(ids[0])),
            }
            ids
        };

        let store = open(&path);
        let list = store.queue_list(Some(PROFILE)).unwrap();
        assert_eq!(list[0].state, QueueState::Submitted);
        assert_eq!(list[1].state, QueueState::Waiting);
        // The new run first waits for the first item's job.
        let first_job = store
            .get(list[0].attempt_id.unwrap())
            .unwrap()
            .unwrap()
            .created
            .unwrap()
            .job_id;
        let mut busy = Vec::new();
        let mut finish = finisher(&s);
        let n = run_queue_with(&store, &c, PROFILE, &opts(), |ev| {
            if let QueueEvent::Busy { item_id, job_id } = &ev {
                busy.push((*item_id, job_id.clone()));
            }
            finish(ev);
        })
        .await
        .unwrap();
        assert_eq!(n, 2);
        assert_eq!(busy, vec![(ids[1], Some(first_job))]);
        let log = s.requests();
        let posts = posts(&log);
        assert_eq!(ranges(&posts), months(), "the first item was not resent");
        // The first job was followed to its end by the new run (as the job
        // keeping the environment busy) and saved in history like the rest.
        let jobs = check_all_done(&store, &ids);
        check_sequential(&log, &posts, &jobs);
    })
    .await;
}

#[tokio::test]
async fn stopping_while_waiting_for_another_job_leaves_the_item_waiting() {
    within(async {
        let s = server(FaultMode::Normal, 10).await;
        let c = client(&s);
        let store = HistoryStore::open_in_memory().unwrap();
        let ids = queue_quarter(&store, &s.base_url());
        let other = quarter();
        c.create_export(&other).await.unwrap();

        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
        let o = opts();
        let run = run_queue_with(&store, &c, PROFILE, &o, |ev| {
            if let QueueEvent::Busy { item_id, .. } = ev {
                let _ = tx.send(item_id);
            }
        });
        tokio::select! {
            r = run => panic!("the run ended on its own: {r:?}"),
            busy = rx.recv() => assert_eq!(busy, Some(ids[0])),
        }
        let list = store.queue_list(Some(PROFILE)).unwrap();
        assert!(
            list.iter().all(|q| q.state == QueueState::Waiting),
            "{list:?}"
        );
        assert_eq!(store.count().unwrap(), 0, "nothing was sent");
        assert_eq!(posts(&s.requests()).len(), 1, "only the other job");
    })
    .await;
}

#[tokio::test]
async fn two_runners_never_submit_the_same_item() {
    within(async {
        let s = server(FaultMode::Normal, 10).await;
        let c = client(&s);
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("history.sqlite3");
        let one = open(&path);
        let two = open(&path);
        let ids = queue_quarter(&one, &s.base_url());
        let finish = |ev: QueueEvent| match ev {
            QueueEvent::Status { status, .. } if !status.state().is_final() => {
                s.finish_running_jobs()
            }
            QueueEvent::Failed { message, .. } => panic!("unexpected failure: {message}"),
            _ => {}
        };
        let o = opts();
        let (a, b) = tokio::join!(
            run_queue_with(&one, &c, PROFILE, &o, finish),
            run_queue_with(&two, &c, PROFILE, &o, finish),
        );
        assert_eq!(a.unwrap() + b.unwrap(), 3);
        check_all_done(&one, &ids);
        // Every month was created exactly once (409s may have come between).
        let created: Vec<String> = one
            .page(0, 100)
            .unwrap()
            .into_iter()
            .filter(|e| e.state == EntryState::Created)
            .map(|e| e.request_json)
            .collect();
        assert_eq!(created.len(), 3, "{created:?}");
        let mut unique = created.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), 3);
    })
    .await;
}

#[tokio::test]
async fn a_refused_item_fails_and_the_rest_go_on() {
    within(async {
        let s = server(FaultMode::Normal, 10).await;
        let c = client(&s);
        let store = HistoryStore::open_in_memory().unwrap();
        let base = s.base_url();
        // The demo refuses a range that ends before it starts (422).
        let backwards = ExportRequest {
            from: Some(DateBound::Date(day(2026, 2, 1))),
            to: Some(DateBound::Date(day(2026, 1, 1))),
            ..Default::default()
        };
        let bad = add(&store, PROFILE, &base, &backwards).unwrap();
        let unreadable = store
            .queue_add(PROFILE, &base, r#"{"no_such_field":1}"#)
            .unwrap();
        let good = add(&store, PROFILE, &base, &quarter()).unwrap();

        let mut failed = Vec::new();
        let n = run_queue_with(&store, &c, PROFILE, &opts(), |ev| match ev {
            QueueEvent::Failed { item_id, message } => failed.push((item_id, message)),
            QueueEvent::Status { status, .. } if !status.state().is_final() => {
                s.finish_running_jobs()
            }
            _ => {}
        })
        .await
        .unwrap();
        assert_eq!(n, 1);
        assert_eq!(
            failed.iter().map(|(i, _)| *i).collect::<Vec<_>>(),
            [bad, unreadable]
        );
        assert!(failed[0].1.contains("422"), "{}", failed[0].1);
        let list = store.queue_list(Some(PROFILE)).unwrap();
        let state = |id| list.iter().find(|q| q.id == id).unwrap();
        assert_eq!(state(bad).state, QueueState::Failed);
        assert!(state(bad).message.as_deref().unwrap().contains("refused"));
        assert_eq!(state(unreadable).state, QueueState::Failed);
        assert!(state(unreadable).attempt_id.is_none());
        assert_eq!(state(good).state, QueueState::Submitted);
        // Only two requests went out: the refused one and the good one.
        assert_eq!(posts(&s.requests()).len(), 2);
        assert_eq!(store.queue_clear_done(Some(PROFILE)).unwrap(), 3);
    })
    .await;
}

#[tokio::test]
async fn a_refused_key_stops_the_run_with_the_item_waiting() {
    within(async {
        let s = server(FaultMode::Unauthorized, 10).await;
        let c = client(&s);
        let store = HistoryStore::open_in_memory().unwrap();
        let ids = queue_quarter(&store, &s.base_url());
        let e = run_queue_with(&store, &c, PROFILE, &opts(), |_| {})
            .await
            .unwrap_err();
        assert!(
            matches!(e, TrackError::Api(ApiError::Unauthorized { .. })),
            "{e:?}"
        );
        let list = store.queue_list(Some(PROFILE)).unwrap();
        assert!(list.iter().all(|q| q.state == QueueState::Waiting));
        assert!(
            list[0]
                .message
                .as_deref()
                .unwrap()
                .contains("not submitted"),
            "{:?}",
            list[0]
        );
        assert_eq!(list[1].message, None);
        assert_eq!(list.iter().map(|q| q.id).collect::<Vec<_>>(), ids);
    })
    .await;
}
