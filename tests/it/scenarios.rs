//! One job workflow under both front ends: the same situations driven
//! through the CLI's queue run (`jobs::queue::run_next`, what `upexport
//! queue run` calls) and through the TUI (its app and effect runner, the
//! whole loop without a terminal) must leave the same history rows, the
//! same queue states and the same number of create requests on the wire.
//!
//! Each scenario queues one export on a fresh store and demo server. Jobs
//! run "forever" until the test finishes (or fails) them once their status
//! has been seen; nothing waits on time except the TUI's own retry timer
//! after a 409 with nothing to wait for.

use std::time::Duration;

use upexport::api::{ApiClient, ApiKey, ErrorKind, Timeouts};
use upexport::demo::{DEMO_KEY, DemoOptions, DemoServer, FaultMode, RecordedRequest};
use upexport::export::{DateBound, ExportRequest, Format};
use upexport::history::{Entry, HistoryStore, QueueState};
use upexport::jobs::queue::{QueueEvent, RunOptions, add, run_next};
use upexport::jobs::track::{Backoff, WaitOptions};
use upexport::tui::app::{App, EnvInfo};
use upexport::tui::testing::Harness;

use crate::support::{WAIT_LIMIT, closed_port, within};

/// The longest one step of a scenario may take.
const STEP: Duration = Duration::from_secs(20);
const PROFILE: &str = "demo";
const CREATE: &str = "/api/v1/analytics/exports";

#[derive(Clone, Copy, Debug, PartialEq)]
enum Scenario {
    Created,
    ConflictThenFree,
    Unauthorized,
    ServerErrorThenSuccess,
    ConnectionRefused,
    Timeout,
    JobFailed,
    CompletedWithFiles,
}

const ALL: [Scenario; 8] = [
    Scenario::Created,
    Scenario::ConflictThenFree,
    Scenario::Unauthorized,
    Scenario::ServerErrorThenSuccess,
    Scenario::ConnectionRefused,
    Scenario::Timeout,
    Scenario::JobFailed,
    Scenario::CompletedWithFiles,
];

impl Scenario {
    fn mode(self) -> FaultMode {
        match self {
            Scenario::ConflictThenFree => FaultMode::Conflict,
            Scenario::Unauthorized => FaultMode::Unauthorized,
            Scenario::ServerErrorThenSuccess => FaultMode::Flaky,
            Scenario::Timeout => FaultMode::Hang,
            _ => FaultMode::Normal,
        }
    }

    /// The job is finished by the test (or fails) once it has been seen.
    fn ends_job(self, s: &DemoServer) {
        match self {
            Scenario::JobFailed => s.fail_running_jobs("warehouse unavailable"),
            _ => s.finish_running_jobs(),
        }
    }
}

/// One history row: state, error kind, HTTP status, the job's last status,
/// how many files it lists, and how many 409s it waited through.
type Row = (
    String,
    Option<String>,
    Option<u16>,
    Option<String>,
    usize,
    u64,
);

/// What a run leaves behind, compared between the front ends.
#[derive(Debug, PartialEq)]
struct Outcome {
    /// Per history row, oldest first.
    rows: Vec<Row>,
    queue: Vec<QueueState>,
    creates: usize,
}

fn rows(entries: Vec<Entry>) -> Vec<Row> {
    let mut v: Vec<_> = entries
        .into_iter()
        .map(|e| {
            (
                format!("{:?}", e.state),
                e.failed.as_ref().map(|f| f.kind.clone()),
                e.failed.as_ref().and_then(|f| f.http_status),
                e.job.as_ref().map(|j| j.status.clone()),
                e.job.as_ref().map_or(0, |j| j.files.len()),
                serde_json::to_value(&e)
                    .ok()
                    .and_then(|v| v["conflicts"].as_u64())
                    .unwrap_or(0),
            )
        })
        .collect();
    v.reverse();
    v
}

fn creates(log: &[RecordedRequest]) -> usize {
    log.iter()
        .filter(|r| r.method == "POST" && r.path == CREATE)
        .count()
}

/// A job's status was asked for (not the job list).
fn status_seen(log: &[RecordedRequest]) -> bool {
    let prefix = format!("{CREATE}/jobs/");
    log.iter().any(|r| {
        r.method == "GET"
            && r.path
                .strip_prefix(&prefix)
                .is_some_and(|id| !id.is_empty())
    })
}

fn request() -> ExportRequest {
    ExportRequest {
        from: Some(DateBound::parse("2026-11-01").unwrap()),
        to: Some(DateBound::parse("2026-11-02").unwrap()),
        emails: vec!["ana@example.com".into()],
        format: Some(Format::Csv),
        ..Default::default()
    }
}

async fn server(sc: Scenario) -> DemoServer {
    DemoServer::start(DemoOptions {
        mode: sc.mode(),
        job_duration: Duration::from_secs(600),
        rows_per_part: 10,
        ..DemoOptions::default()
    })
    .await
    .expect("demo server starts")
}

/// The base URL the scenario talks to: the server's, or a closed port.
fn base_url(sc: Scenario, s: &DemoServer) -> String {
    match sc {
        Scenario::ConnectionRefused => format!("http://127.0.0.1:{}/", closed_port()),
        _ => s.base_url(),
    }
}

fn client(base: &str) -> ApiClient {
    ApiClient::new(
        base,
        ApiKey::new(DEMO_KEY).unwrap(),
        Timeouts {
            connect: Duration::from_secs(5),
            request: Duration::from_millis(800),
            download_idle: Duration::from_secs(10),
        },
    )
    .expect("client")
}

fn store_with_item(base: &str) -> (HistoryStore, i64) {
    let store = HistoryStore::open_in_memory().unwrap();
    let id = add(&store, PROFILE, base, &request()).unwrap();
    (store, id)
}

/// The CLI's way: `queue run` takes the item (run_next).
async fn via_cli(sc: Scenario) -> Outcome {
    let s = server(sc).await;
    let base = base_url(sc, &s);
    let c = client(&base);
    let (store, _) = store_with_item(&base);
    let opts = RunOptions {
        wait: WaitOptions {
            backoff: Backoff::with_delays(vec![Duration::from_millis(5)]),
            max_errors: 3,
            max_blind_conflicts: 5,
            ..WaitOptions::default()
        },
        ..RunOptions::default()
    };
    let _ = run_next(&store, &c, PROFILE, &opts, |ev| match ev {
        QueueEvent::Conflict { .. } => s.set_mode(FaultMode::Normal),
        QueueEvent::Status { ours: true, .. } => sc.ends_job(&s),
        _ => {}
    })
    .await;
    let out = Outcome {
        rows: rows(store.page(0, 100).unwrap()),
        queue: store
            .queue_list(Some(PROFILE))
            .unwrap()
            .iter()
            .map(|q| q.state)
            .collect(),
        creates: creates(&s.requests()),
    };
    s.shutdown().await;
    out
}

fn settled(app: &App) -> bool {
    app.queue_hold
        || app.queue_paused
        || app
            .queue
            .iter()
            .any(|q| matches!(q.state, QueueState::Submitted | QueueState::Failed))
}

/// The TUI's way: the app sends the queued item by itself at start.
async fn via_tui(sc: Scenario) -> Outcome {
    let s = server(sc).await;
    let base = base_url(sc, &s);
    let (store, _) = store_with_item(&base);
    let env = EnvInfo {
        profile: PROFILE.into(),
        base_url: base.clone(),
        ..Default::default()
    };
    let mut h = Harness::new(
        120,
        40,
        store,
        Some(client(&base)),
        env,
        &Default::default(),
    );
    if sc == Scenario::ConflictThenFree {
        // Refused with 409 and nothing running to wait for: put back, tried
        // again after the retry delay; the environment is free by then.
        assert!(h.wait_until(WAIT_LIMIT, |a| a.queue_hold).await, "put back");
        s.set_mode(FaultMode::Normal);
        assert!(h.wait_until(STEP, |a| !a.queue_hold).await, "tried again");
    }
    let reached = h
        .wait_until(STEP, |a| {
            // A submitted item has a job whose status is asked for next.
            let submitted = a.queue.iter().any(|q| q.state == QueueState::Submitted);
            (settled(a) && !submitted) || status_seen(&s.requests())
        })
        .await;
    assert!(
        reached,
        "{sc:?}: nothing happened; status {:?}, queue {:?}",
        h.app().status,
        h.app().queue
    );
    if status_seen(&s.requests()) {
        sc.ends_job(&s);
        let ended = h
            .wait_until(STEP, |a| {
                a.jobs.busy(PROFILE).is_none()
                    && a.queue.iter().all(|q| q.state == QueueState::Submitted)
                    && a.history
                        .entries
                        .first()
                        .and_then(|e| e.job.as_ref())
                        .is_some_and(|j| matches!(j.status.as_str(), "completed" | "failed"))
            })
            .await;
        assert!(
            ended,
            "{sc:?}: the job's end was not seen; requests {:?}, status {:?}, queue {:?}, busy {:?}, top {:?}",
            s.requests()
                .iter()
                .map(|r| (&r.method, &r.path))
                .collect::<Vec<_>>(),
            h.app().status,
            h.app().queue,
            h.app().jobs.busy(PROFILE),
            h.app().history.entries.first()
        );
    }
    let store = h.session.runner.store.get().await.expect("store");
    let (entries, queue) = store
        .blocking(|st| Ok((st.page(0, 100)?, st.queue_list(Some(PROFILE))?)))
        .expect("read the store");
    let out = Outcome {
        rows: rows(entries),
        queue: queue.iter().map(|q| q.state).collect(),
        creates: creates(&s.requests()),
    };
    s.shutdown().await;
    out
}

#[tokio::test]
async fn the_cli_and_the_tui_do_the_same_in_every_scenario() {
    for sc in ALL {
        eprintln!("scenario {sc:?}");
        let cli = within(via_cli(sc)).await;
        eprintln!("  CLI: {cli:?}");
        let tui = within(via_tui(sc)).await;
        eprintln!("  TUI: {tui:?}");
        {
            assert_eq!(cli, tui, "{sc:?}: CLI (left) and TUI (right) differ");
            // And each scenario did what it is about.
            let kinds: Vec<_> = cli.rows.iter().map(|r| r.1.clone()).collect();
            let k = |k: ErrorKind| Some(k.as_str().to_owned());
            match sc {
                Scenario::Created | Scenario::ServerErrorThenSuccess => {
                    assert_eq!(kinds, [None], "{sc:?}");
                    assert_eq!(cli.queue, [QueueState::Submitted]);
                    assert_eq!(cli.rows[0].3.as_deref(), Some("completed"));
                }
                Scenario::CompletedWithFiles => {
                    assert!(cli.rows[0].4 > 0, "files listed: {cli:?}");
                }
                Scenario::ConflictThenFree => {
                    // One row for the one export: refused with 409, sent
                    // again, created; the 409 it waited through counted.
                    assert_eq!(kinds, [None], "{cli:?}");
                    assert_eq!(cli.rows[0].5, 1, "{cli:?}");
                    assert_eq!(cli.queue, [QueueState::Submitted]);
                    assert_eq!(cli.creates, 2);
                }
                Scenario::Unauthorized => {
                    // Refused before anything was sent: put back.
                    assert!(kinds.is_empty(), "{cli:?}");
                    assert_eq!(cli.queue, [QueueState::Waiting]);
                    assert_eq!(cli.creates, 0);
                }
                Scenario::ConnectionRefused => {
                    assert_eq!(kinds, [k(ErrorKind::Connect)]);
                    assert_eq!(cli.queue, [QueueState::Waiting], "put back");
                }
                Scenario::Timeout => {
                    assert_eq!(kinds, [k(ErrorKind::Timeout)]);
                    assert_eq!(cli.queue, [QueueState::Failed], "never sent twice");
                    assert_eq!(cli.creates, 1);
                }
                Scenario::JobFailed => {
                    assert_eq!(cli.rows[0].3.as_deref(), Some("failed"));
                    assert_eq!(cli.queue, [QueueState::Submitted]);
                }
            }
        }
    }
}
