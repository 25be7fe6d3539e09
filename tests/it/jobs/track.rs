//! Job tracking against the embedded demo server: a job polled to completed
//! and its files downloaded to exactly the served rows, polling that stops
//! when nothing is unfinished, 404 → expired, transient errors, and a 409
//! followed by an automatic submit once the running job completes.
//!
//! Jobs run "forever" (600 s) unless a test finishes them with
//! `finish_running_jobs()` from inside the progress callback, so nothing
//! depends on timing; poll delays are shortened to milliseconds.

use std::time::Duration;

use upexport::api::{ApiClient, ApiError, DownloadOptions, JobState};
use upexport::demo::{FaultMode, RecordedRequest};
use upexport::export::{DateBound, ExportRequest, Format};
use upexport::history::{EntryState, HistoryStore, SOURCE_CLI};
use upexport::jobs::submit::{Origin, submit_recorded};
use upexport::jobs::track::{
    Backoff, Event, Tracking, WaitOptions, record_gone, running_job, submit_when_free, tracking,
    wait_for_job_with, wait_recorded,
};

use crate::support::demo::{CREATE, client, server};
use crate::support::within;

const PROFILE: &str = "demo";
const ROWS: usize = 40;

/// Millisecond poll delays: the tests finish jobs themselves.
fn fast() -> WaitOptions {
    WaitOptions {
        backoff: Backoff::with_delays(vec![
            Duration::from_millis(5),
            Duration::from_millis(10),
            Duration::from_millis(20),
        ]),
        max_errors: 3,
        max_blind_conflicts: 2,
        ..WaitOptions::default()
    }
}

fn origin() -> Origin<'static> {
    Origin {
        source: SOURCE_CLI,
        profile: PROFILE,
    }
}

fn day(y: i32, m: u32, d: u32) -> DateBound {
    DateBound::Date(chrono::NaiveDate::from_ymd_opt(y, m, d).unwrap())
}

fn request() -> ExportRequest {
    ExportRequest {
        from: Some(day(2026, 10, 1)),
        to: Some(day(2026, 10, 31)),
        format: Some(Format::Ndjson),
        ..Default::default()
    }
}

fn status_gets(log: &[RecordedRequest], job_id: &str) -> usize {
    let path = format!("{CREATE}/jobs/{job_id}");
    log.iter()
        .filter(|r| r.method == "GET" && r.path == path)
        .count()
}

/// Create a job with a history row; returns (entry id, job id).
async fn create_recorded(store: &HistoryStore, c: &ApiClient) -> (i64, String) {
    let (id, result, not_saved) = submit_recorded(store, c, origin(), &request())
        .await
        .expect("history");
    assert!(not_saved.is_none());
    let job = result.expect("created").job_id.expect("job id");
    (id, job)
}

#[tokio::test]
async fn a_created_job_is_polled_to_completed_and_its_files_download_to_the_served_rows() {
    within(async {
        let s = server(FaultMode::Normal, ROWS).await;
        let c = client(&s);
        let store = HistoryStore::open_in_memory().unwrap();
        let (entry_id, job) = create_recorded(&store, &c).await;

        let mut seen = Vec::new();
        let done = wait_recorded(&store, &c, PROFILE, &job, &fast(), |ev| {
            if let Event::Status { status, .. } = ev {
                seen.push(status.status.clone().unwrap_or_default());
                // Let it be seen unfinished twice, then finish it.
                if seen.len() == 2 {
                    s.finish_running_jobs();
                }
            }
        })
        .await
        .expect("job completes");
        assert_eq!(done.state(), JobState::Completed);
        assert_eq!(seen.len(), 3, "{seen:?}");
        assert_ne!(seen[0], "completed");
        assert_eq!(seen[2], "completed");
        assert_eq!(status_gets(&s.requests(), &job), 3);

        // Every answer went to history; the last one with files and end time.
        let e = store.get(entry_id).unwrap().unwrap();
        let snap = e.job.clone().expect("status saved");
        assert_eq!(snap.status, "completed");
        assert_eq!(snap.files.len(), done.presigned_urls.len());
        assert!(snap.ended_at.is_some());
        assert_eq!(tracking(&e, chrono::Utc::now()), Tracking::Finished);
        assert!(store.unfinished_jobs().unwrap().is_empty());

        // The files decompress to exactly the served rows.
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(done.presigned_urls.len(), 2);
        for (i, p) in done.presigned_urls.iter().enumerate() {
            let name = p.safe_filename(i);
            let got = c
                .download(
                    p.url.as_deref().unwrap(),
                    dir.path(),
                    &job,
                    &name,
                    DownloadOptions::default(),
                    |_| {},
                )
                .await
                .expect("download");
            assert!(got.decompressed);
            let bytes = std::fs::read(&got.path).unwrap();
            let served = s.part_content(&job, &name).expect("served part");
            assert_eq!(bytes, served, "{name}");
            let rows: Vec<serde_json::Value> = String::from_utf8(bytes)
                .unwrap()
                .lines()
                .map(|l| serde_json::from_str(l).expect("an NDJSON row"))
                .collect();
            assert_eq!(rows.len(), ROWS);
            assert!(rows.iter().all(|r| r["event_type"].is_string()));
        }
    })
    .await;
}

#[tokio::test]
async fn polling_stops_when_nothing_is_unfinished() {
    within(async {
        let s = server(FaultMode::Normal, ROWS).await;
        let c = client(&s);
        let store = HistoryStore::open_in_memory().unwrap();
        let (entry_id, job) = create_recorded(&store, &c).await;
        assert_eq!(store.unfinished_jobs().unwrap().len(), 1);

        let mut polls = 0;
        wait_recorded(&store, &c, PROFILE, &job, &fast(), |ev| {
            if let Event::Status { .. } = ev {
                polls += 1;
                if polls == 2 {
                    s.finish_running_jobs();
                }
            }
        })
        .await
        .expect("polling ends");
        assert_eq!(polls, 3);
        let after_completion = status_gets(&s.requests(), &job);
        assert_eq!(after_completion, 3);
        let e = store.get(entry_id).unwrap().unwrap();
        assert_eq!(e.job.unwrap().status, "completed");
        // Nothing unfinished is left for a front end to follow.
        assert!(store.unfinished_jobs().unwrap().is_empty());

        // Waiting on a finished job asks once and returns.
        let st = wait_for_job_with(&c, &job, &fast(), |_| {}).await.unwrap();
        assert_eq!(st.state(), JobState::Completed);
        assert_eq!(status_gets(&s.requests(), &job), after_completion + 1);
    })
    .await;
}

#[tokio::test]
async fn a_404_for_a_known_job_is_recorded_as_expired_and_ends_tracking() {
    within(async {
        let s = server(FaultMode::Normal, ROWS).await;
        let c = client(&s);
        let store = HistoryStore::open_in_memory().unwrap();
        let (entry_id, job) = create_recorded(&store, &c).await;
        s.set_mode(FaultMode::NotFound);

        // Another profile's 404 proves nothing about this entry.
        assert!(!record_gone(&store, &c, "other", &job).unwrap());

        let mut gone = Vec::new();
        let e = wait_recorded(&store, &c, PROFILE, &job, &fast(), |ev| {
            if let Event::Gone { job_id } = ev {
                gone.push(job_id.to_owned());
            }
        })
        .await
        .unwrap_err();
        assert!(matches!(e, ApiError::NotFound { .. }), "{e:?}");
        assert_eq!(gone, vec![job.clone()]);
        assert_eq!(status_gets(&s.requests(), &job), 1, "404 is not retried");
        let entry = store.get(entry_id).unwrap().unwrap();
        assert_eq!(entry.state, EntryState::Created);
        assert_eq!(entry.job.as_ref().unwrap().status, "expired");
        assert_eq!(
            tracking(&entry, chrono::Utc::now()),
            Tracking::StatusExpired
        );
        assert!(store.unfinished_jobs().unwrap().is_empty());
    })
    .await;
}

#[tokio::test]
async fn transient_errors_are_retried_a_bounded_number_of_times() {
    within(async {
        let s = server(FaultMode::Normal, ROWS).await;
        let c = client(&s);
        let job = c.create_export(&request()).await.unwrap().job_id.unwrap();

        // One 503, then answers: retried, then completed.
        s.set_mode(FaultMode::Flaky);
        let mut retries = 0;
        let mut statuses = 0;
        let st = wait_for_job_with(&c, &job, &fast(), |ev| match ev {
            Event::Retrying { error, .. } => {
                assert!(error.is_transient(), "{error}");
                retries += 1;
            }
            Event::Status { .. } => {
                statuses += 1;
                s.finish_running_jobs();
            }
            _ => {}
        })
        .await
        .unwrap();
        assert_eq!(st.state(), JobState::Completed);
        // The answer that finished it still said pending; the next, completed.
        assert_eq!((retries, statuses), (1, 2));

        // Always 500: gives up after max_errors retries (3), so 4 requests.
        s.set_mode(FaultMode::ServerErrorHtml);
        let before = status_gets(&s.requests(), &job);
        let e = wait_for_job_with(&c, &job, &fast(), |_| {})
            .await
            .unwrap_err();
        assert!(matches!(e, ApiError::Server { status: 500, .. }), "{e:?}");
        assert_eq!(status_gets(&s.requests(), &job) - before, 4);

        // A refused key is not retried at all.
        s.set_mode(FaultMode::Unauthorized);
        let before = status_gets(&s.requests(), &job);
        let e = wait_for_job_with(&c, &job, &fast(), |_| {})
            .await
            .unwrap_err();
        assert!(matches!(e, ApiError::Unauthorized { .. }), "{e:?}");
        assert_eq!(status_gets(&s.requests(), &job) - before, 1);
    })
    .await;
}

#[tokio::test]
async fn a_409_waits_for_the_running_job_then_submits_automatically() {
    within(async {
        let s = server(FaultMode::Normal, ROWS).await;
        let c = client(&s);
        let store = HistoryStore::open_in_memory().unwrap();
        // Someone else's export is running.
        let running = c.create_export(&request()).await.unwrap().job_id.unwrap();
        assert_eq!(
            running_job(&c).await.unwrap().and_then(|j| j.job_id),
            Some(running.clone())
        );

        let mut conflicts = Vec::new();
        let mut running_polls = 0;
        let submitted =
            submit_when_free(
                &store,
                &c,
                origin(),
                &request(),
                false,
                &fast(),
                |ev| match ev {
                    Event::Conflict {
                        attempt_id,
                        running,
                    } => conflicts.push((attempt_id, running.map(str::to_owned))),
                    Event::Status { job_id, .. } if job_id == running => {
                        running_polls += 1;
                        if running_polls == 2 {
                            s.finish_running_jobs();
                        }
                    }
                    _ => {}
                },
            )
            .await
            .expect("submitted after the running job");
        let new_job = submitted.job.job_id.clone().unwrap();
        assert_ne!(new_job, running);
        assert_eq!(running_polls, 3);

        // History: one row, refused with 409, sent again, created.
        assert_eq!(conflicts.len(), 1);
        let (conflict_id, named) = conflicts[0].clone();
        assert_eq!(named.as_deref(), Some(running.as_str()));
        assert_eq!(submitted.attempt_id, conflict_id, "the same row");
        assert_eq!(store.count().unwrap(), 1);
        let ok = store.get(submitted.attempt_id).unwrap().unwrap();
        assert_eq!(ok.state, EntryState::Created);
        assert_eq!(ok.failed, None);
        assert_eq!(ok.conflicts, 1);
        assert!(ok.sent_at.is_some());
        assert_eq!(ok.created.unwrap().job_id, new_job);

        // On the wire: 409, the job list, the running job's status, 201.
        let log = s.requests();
        let posts: Vec<usize> = log
            .iter()
            .enumerate()
            .filter(|(_, r)| r.method == "POST" && r.path == CREATE)
            .map(|(i, _)| i)
            .collect();
        assert_eq!(posts.len(), 3, "the first job, the 409, the resubmit");
        let between: Vec<&str> = log[posts[1] + 1..posts[2]]
            .iter()
            .map(|r| r.path.as_str())
            .collect();
        let wait_path = format!("{CREATE}/jobs/{running}");
        let list_path = format!("{CREATE}/jobs/");
        assert_eq!(between[0], list_path);
        assert_eq!(between[1..], vec![wait_path.as_str(); 3], "{between:?}");
    })
    .await;
}

#[tokio::test]
async fn checking_first_waits_without_a_refused_attempt() {
    within(async {
        let s = server(FaultMode::Normal, ROWS).await;
        let c = client(&s);
        let store = HistoryStore::open_in_memory().unwrap();
        let running = c.create_export(&request()).await.unwrap().job_id.unwrap();
        let mut busy = Vec::new();
        let submitted =
            submit_when_free(
                &store,
                &c,
                origin(),
                &request(),
                true,
                &fast(),
                |ev| match ev {
                    Event::Busy { job_id } => busy.push(job_id.map(str::to_owned)),
                    Event::Status { job_id, .. } if job_id == running => s.finish_running_jobs(),
                    Event::Conflict { .. } => panic!("no 409 expected"),
                    _ => {}
                },
            )
            .await
            .unwrap();
        assert_eq!(busy, vec![Some(running)]);
        assert_eq!(store.count().unwrap(), 1, "one attempt, the created one");
        assert_eq!(
            store.get(submitted.attempt_id).unwrap().unwrap().state,
            EntryState::Created
        );
    })
    .await;
}

#[tokio::test]
async fn a_409_with_no_running_job_to_wait_for_gives_up() {
    within(async {
        // Conflict mode: every create is refused and the job list is empty.
        let s = server(FaultMode::Conflict, ROWS).await;
        let c = client(&s);
        let store = HistoryStore::open_in_memory().unwrap();
        let mut retries = 0;
        let e = submit_when_free(&store, &c, origin(), &request(), false, &fast(), |ev| {
            if let Event::Retrying { .. } = ev {
                retries += 1;
            }
        })
        .await
        .unwrap_err();
        assert!(
            matches!(
                e,
                upexport::jobs::track::TrackError::Api(ApiError::Conflict { .. })
            ),
            "{e:?}"
        );
        // max_blind_conflicts = 2: three tries, two pauses.
        assert_eq!(retries, 2);
        let posts = s
            .requests()
            .iter()
            .filter(|r| r.method == "POST" && r.path == CREATE)
            .count();
        assert_eq!(posts, 3);
        // One row for the one export, its three 409s counted.
        assert_eq!(store.count().unwrap(), 1);
        let e = &store.page(0, 1).unwrap()[0];
        assert_eq!(e.state, EntryState::Failed);
        assert_eq!(e.conflicts, 3);
        assert_eq!(
            e.conflicts_note().as_deref(),
            Some("refused with 409 3 times")
        );
    })
    .await;
}

/// Where the vendor is silent: whether a job id is unique beyond one
/// server. Two `vendor-differs` servers hand out the same job id; a status
/// (or a 404) from one must only ever touch that server's row.
#[tokio::test]
async fn one_job_id_on_two_servers_keeps_two_rows_apart() {
    within(async {
        let a = server(FaultMode::VendorDiffers, ROWS).await;
        let b = server(FaultMode::VendorDiffers, ROWS).await;
        let (ca, cb) = (client(&a), client(&b));
        let store = HistoryStore::open_in_memory().unwrap();
        // B's row first, so A's is the newest row of that job id.
        let (row_b, job_b) = create_recorded(&store, &cb).await;
        let (row_a, job_a) = create_recorded(&store, &ca).await;
        assert_eq!(job_a, job_b, "each vendor-differs server counts from 1");
        let job = job_a;

        // A's job, followed to its end, is saved on A's row only.
        let done = wait_recorded(&store, &ca, PROFILE, &job, &fast(), |ev| {
            if let Event::Status { .. } = ev {
                a.finish_running_jobs();
            }
        })
        .await
        .expect("A's job ends");
        let e = store.get(row_a).unwrap().unwrap();
        assert_eq!(e.job.as_ref().map(|j| &j.status), done.status.as_ref());
        let e = store.get(row_b).unwrap().unwrap();
        assert_eq!(e.job, None, "B's row heard of A's job: {e:?}");
        let unfinished: Vec<i64> = store
            .unfinished_jobs()
            .unwrap()
            .iter()
            .map(|e| e.id)
            .collect();
        assert_eq!(unfinished, [row_b]);

        // B forgets its job (404): recorded on B's row, though A's row of the
        // same job id is newer; A's row keeps A's answer.
        b.set_mode(FaultMode::NotFound);
        let gone = wait_recorded(&store, &cb, PROFILE, &job, &fast(), |_| {}).await;
        assert!(matches!(gone, Err(ApiError::NotFound { .. })), "{gone:?}");
        let e = store.get(row_b).unwrap().unwrap();
        assert_eq!(e.job.map(|j| j.status).as_deref(), Some("expired"));
        let e = store.get(row_a).unwrap().unwrap();
        assert_eq!(e.job.as_ref().map(|j| &j.status), done.status.as_ref());
        assert!(store.unfinished_jobs().unwrap().is_empty());
    })
    .await;
}
