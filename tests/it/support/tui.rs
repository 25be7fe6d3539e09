//! Fixtures of the TUI tests: key events, a fresh `App`, fabricated
//! history entries with fixed times (stable snapshots), and waits on the
//! harness (`upexport::tui::testing::Harness`).

use chrono::{DateTime, Duration, TimeZone, Utc};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::layout::Rect;
use upexport::export::{DateBound, ExportRequest, FormInput, Format};
use upexport::history::{Created, Entry, EntryState, Failed, JobFile, JobSnapshot};
use upexport::tui::app::{App, EnvInfo};
use upexport::tui::msg::Msg;
use upexport::tui::testing::{Harness, fixed_clock};

use super::WAIT_LIMIT;
pub use super::day;

pub fn env() -> EnvInfo {
    EnvInfo {
        profile: "test".into(),
        base_url: "http://127.0.0.1:9".into(),
        // As the config (or the default: the downloads folder) gives it.
        download_dir: Some("/home/analyst/Downloads/upexport".into()),
        ..Default::default()
    }
}

/// What a TUI talking to `base` knows of its environment; `downloads`:
/// where files go (none: the default).
pub fn env_at(base: &str, downloads: Option<&std::path::Path>) -> EnvInfo {
    EnvInfo {
        profile: "test".into(),
        base_url: base.to_owned(),
        download_dir: downloads.map(std::path::Path::to_path_buf),
        ..Default::default()
    }
}

/// A harness at 120x40 over `store`, with `client`, `env` and the CSV
/// draft, once its first history page is read.
pub async fn live_harness(
    store: upexport::history::HistoryStore,
    client: upexport::api::ApiClient,
    env: EnvInfo,
) -> Harness {
    let mut h = Harness::new(120, 40, store, Some(client), env, &csv_draft());
    assert!(h.wait_until(WAIT_LIMIT, |a| !a.history.loading).await);
    h
}

pub fn csv_draft() -> FormInput {
    FormInput {
        format: Some(Format::Csv),
        ..Default::default()
    }
}

/// A fresh app at `w`x`h` with an empty csv form.
pub fn app_sized(w: u16, h: u16) -> App {
    App::new(&csv_draft(), env(), fixed_clock(), Rect::new(0, 0, w, h))
}

pub fn app() -> App {
    app_sized(120, 40)
}

pub fn key(code: KeyCode) -> Msg {
    Msg::Key(KeyEvent::new(code, KeyModifiers::NONE))
}

pub fn ch(c: char) -> Msg {
    key(KeyCode::Char(c))
}

pub fn ctrl(c: char) -> Msg {
    Msg::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL))
}

pub fn shift_tab() -> Msg {
    Msg::Key(KeyEvent::new(KeyCode::BackTab, KeyModifiers::SHIFT))
}

/// Type each character of `s` as a key press, straight into `update`.
pub fn type_text(app: &mut App, s: &str) {
    for c in s.chars() {
        app.update(ch(c));
    }
}

/// The fixed "now" of the tests: 2026-11-27 09:14 UTC.
pub fn now() -> DateTime<Utc> {
    fixed_clock().now
}

/// A small valid request: November, csv, two event types.
pub fn request(n: i64) -> ExportRequest {
    ExportRequest {
        from: Some(DateBound::Date(day(2026, 11, 1))),
        to: Some(DateBound::Date(day(2026, 11, 26))),
        event_type: vec!["track".into(), "page_view".into()],
        user_id: (0..n % 5).map(|i| format!("u{i}")).collect(),
        format: Some(Format::Csv),
        ..Default::default()
    }
}

fn base_entry(id: i64, at: DateTime<Utc>) -> Entry {
    Entry {
        id,
        created_at: at,
        source: "tui".into(),
        profile: "test".into(),
        base_url: "http://127.0.0.1:9".into(),
        request_json: request(id).to_json(),
        state: EntryState::Created,
        pid: None,
        finished_at: Some(at),
        created: None,
        failed: None,
        job: None,
        conflicts: 0,
        sent_at: None,
    }
}

/// A created job with a deterministic id, links and a finished snapshot.
pub fn created_entry(id: i64, at: DateTime<Utc>) -> Entry {
    let job_id = format!("123e4567-e89b-42d3-a456-{id:012}");
    Entry {
        created: Some(Created {
            job_id: job_id.clone(),
            environment_name: Some("Demo".into()),
            environment_app_token: Some("NX-DEMO01".into()),
            start_time: Some("2026-11-27T09:00:00Z".into()),
            links: Some(format!("https://example.test/exports/{job_id}")),
        }),
        job: Some(JobSnapshot {
            status: "completed".into(),
            progress: Some("2/2".into()),
            chunks_done: Some(2),
            chunks_total: Some(2),
            files: vec![
                JobFile {
                    filename: "part-0.csv.gz".into(),
                    url: format!("https://example.test/{job_id}/part-0.csv.gz"),
                },
                JobFile {
                    filename: "part-1.csv.gz".into(),
                    url: format!("https://example.test/{job_id}/part-1.csv.gz"),
                },
            ],
            error: None,
            checked_at: at,
            ended_at: None,
        }),
        ..base_entry(id, at)
    }
}

/// A failed attempt with the API's wording for `status`.
pub fn failed_entry(id: i64, at: DateTime<Utc>, status: u16) -> Entry {
    let (kind, message) = match status {
        401 => (
            "unauthorized",
            "the API key was refused (HTTP 401: Invalid API key); check it is this environment's key (Userpilot → Environment settings)",
        ),
        _ => (
            "conflict",
            "an export is already running in this environment (HTTP 409: An export job is already in progress); wait for it to finish, then submit again",
        ),
    };
    Entry {
        state: EntryState::Failed,
        failed: Some(Failed {
            kind: kind.into(),
            http_status: Some(status),
            message: message.into(),
        }),
        ..base_entry(id, at)
    }
}

/// `n` entries, newest first (id n first), two minutes apart before
/// 09:12 on the fixed day, every third one failed.
pub fn entries(n: i64) -> Vec<Entry> {
    let start = Utc
        .with_ymd_and_hms(2026, 11, 27, 9, 12, 0)
        .single()
        .expect("valid time");
    (0..n)
        .map(|i| {
            let id = n - i;
            let at = start - Duration::minutes(2 * i);
            match id % 3 {
                0 => failed_entry(id, at, 409),
                1 => failed_entry(id, at, 401),
                _ => created_entry(id, at),
            }
        })
        .collect()
}

/// Entries `offset..offset+limit` of a history of `total` (absolute index
/// 0 = newest = id `total`).
pub fn page(total: i64, offset: u64, limit: u32) -> Vec<Entry> {
    let all = entries(total);
    all.into_iter()
        .skip(offset as usize)
        .take(limit as usize)
        .collect()
}

/// Wait until the submit is answered and the history shows its outcome:
/// `attempts` rows, the newest no longer sending.
pub async fn settle(h: &mut Harness, attempts: u64) {
    let done = h
        .wait_until(WAIT_LIMIT, |a| {
            a.in_flight.is_none()
                && !a.history.loading
                && a.history.total == attempts
                && a.history
                    .entries
                    .first()
                    .is_some_and(|e| e.state != EntryState::Sending)
        })
        .await;
    if !done {
        let st = h.app().status.clone();
        panic!("no outcome: {st:?}\n{}", h.screen());
    }
}

/// Export `req` through `client` as the TUI does (a `tui` history row in
/// `store`), let `server` finish the job, and record its completed status:
/// the job id.
pub async fn completed_row(
    server: &upexport::demo::DemoServer,
    client: &upexport::api::ApiClient,
    store: &upexport::history::HistoryStore,
    req: &ExportRequest,
) -> String {
    let origin = upexport::jobs::submit::Origin {
        source: "tui",
        profile: "test",
    };
    let (_, created, _) = upexport::jobs::submit::submit_recorded(store, client, origin, req)
        .await
        .expect("recorded");
    let job = created.expect("created").job_id.expect("job id");
    server.finish_running_jobs();
    let st = client.job(&job).await.expect("status");
    store
        .record_job_status(
            client.base_url().as_str(),
            &job,
            &upexport::jobs::submit::snapshot(&st),
        )
        .expect("status saved");
    job
}
