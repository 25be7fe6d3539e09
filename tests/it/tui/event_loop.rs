//! The whole TUI loop: keys in through the harness, the real runner, a
//! file-backed history store and the embedded demo server on 127.0.0.1.
//! Every wait is on a condition under a hard limit, never a sleep.

use std::path::Path;

use crate::support::tui::*;
use crossterm::event::KeyCode;
use upexport::demo::{DEMO_KEY, DemoServer, FaultMode, RecordedRequest};
use upexport::history::{Entry, EntryState, HistoryStore};
use upexport::tui::app::{App, EnvInfo, Overlay};
use upexport::tui::form::Focus;
use upexport::tui::msg::Level;
use upexport::tui::testing::Harness;

use crate::support::demo::{CREATE, client, server};
use crate::support::{WAIT_LIMIT, assert_file};

/// The job id in a "created export job <id>; …" status line.
fn job_in(status: &str) -> String {
    status
        .trim_start_matches("created export job ")
        .split(';')
        .next()
        .unwrap_or_default()
        .to_owned()
}

/// The exact body the typed form below must produce.
const BODY: &str = concat!(
    r#"{"from":"2026-11-01","to":"2026-11-26","#,
    r#""emails":["ana@example.com","bo@example.org"],"#,
    r#""event_type":["track","page_view"],"#,
    r#""user_id":["u-1","u-2","u-3","u-4"],"company_id":["c-9"],"#,
    r#""segment_id":"101","format":"ndjson","exclusions":"internal"}"#
);

/// A harness at 120x40 over the history file `db`, talking to `server`.
pub(super) async fn harness(server: &DemoServer, db: &Path) -> Harness {
    let store = HistoryStore::open(db).expect("history file").store;
    live_harness(store, client(server), env_at(&server.base_url(), None)).await
}

/// The history as a fresh process would read it from the file.
fn reopened(db: &Path) -> Vec<Entry> {
    let store = HistoryStore::open(db).expect("reopen").store;
    store.page(0, 10).expect("page")
}

fn creates(server: &DemoServer) -> Vec<RecordedRequest> {
    server
        .requests()
        .into_iter()
        .filter(|r| r.method == "POST" && r.path == CREATE)
        .collect()
}

fn status(a: &App) -> (Option<Level>, String) {
    match &a.status {
        Some(n) => (Some(n.level), n.text.clone()),
        None => (None, String::new()),
    }
}

/// Fill every field through keys: typed and calendar dates, the picker,
/// typing and a paste, the format keys.
fn fill_form(h: &mut Harness) {
    assert_eq!(h.app().focus, Focus::Field(upexport::export::Field::From));
    h.type_text("2026-11-01");
    h.key(KeyCode::Tab);
    // To by calendar: today (27th), one day back, pick.
    h.key(KeyCode::Enter);
    h.key(KeyCode::Char('t'));
    h.key(KeyCode::Left);
    h.key(KeyCode::Enter);
    assert_eq!(
        h.app().form.value(upexport::export::Field::To),
        "2026-11-26"
    );
    h.key(KeyCode::Tab);
    h.type_text("ana@example.com, bo@example.org");
    h.key(KeyCode::Tab);
    // Event types by picker: track (4th) and page_view (6th).
    h.key(KeyCode::Enter);
    for _ in 0..3 {
        h.key(KeyCode::Down);
    }
    h.key(KeyCode::Char(' '));
    h.key(KeyCode::Down);
    h.key(KeyCode::Down);
    h.key(KeyCode::Char(' '));
    h.key(KeyCode::Enter);
    h.key(KeyCode::Tab);
    h.type_text("u-1, u-2, ");
    h.paste("u-3\nu-4\n");
    h.key(KeyCode::Tab);
    h.type_text("c-9");
    h.key(KeyCode::Tab);
    h.type_text("101");
    h.key(KeyCode::Tab);
    h.key(KeyCode::Char('p'));
    h.key(KeyCode::Right); // parquet → avro
    h.key(KeyCode::Right); // → csv
    h.key(KeyCode::Char('n'));
    h.key(KeyCode::Tab);
    h.type_text("internal");
    assert_eq!(
        h.app().preview_request().map(|r| r.to_json()).as_deref(),
        Ok(BODY)
    );
}

#[tokio::test]
async fn typed_form_is_created_then_409_then_created_again() {
    let server = server(FaultMode::Normal, 10).await;
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("history.db");
    let mut h = harness(&server, &db).await;
    fill_form(&mut h);

    // First submit: created.
    h.ctrl('s');
    assert!(h.app().in_flight.is_some());
    settle(&mut h, 1).await;
    let (level, text) = status(h.app());
    assert_eq!(level, Some(Level::Success), "{text}");
    let job = text
        .strip_prefix("created export job ")
        .and_then(|t| t.split(';').next())
        .unwrap_or_else(|| panic!("status: {text}"))
        .to_owned();
    assert_eq!(job.len(), 36, "a uuid: {job}");
    assert!(!h.session.runner.ticking(), "the spinner clock stopped");
    let screen = h.screen();
    assert!(screen.contains(&format!("✔ {}…", &job[..8])), "{screen}");
    assert!(screen.contains("History 1"), "{screen}");

    let stored = reopened(&db);
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].state, EntryState::Created);
    assert_eq!(stored[0].request_json, BODY);
    assert_eq!(stored[0].source, "tui");
    assert_eq!(stored[0].profile, "test");
    assert!(stored[0].base_url.starts_with(&server.base_url()));
    assert_eq!(
        stored[0].created.as_ref().map(|c| c.job_id.as_str()),
        Some(job.as_str())
    );

    let sent = creates(&server);
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].body, BODY);
    assert_eq!(
        sent[0].authorization.as_deref(),
        Some(&*format!("Token {DEMO_KEY}"))
    );

    // Again while that job runs: 409, recorded and shown.
    h.ctrl('s');
    settle(&mut h, 2).await;
    let (level, text) = status(h.app());
    assert_eq!(level, Some(Level::Error));
    assert!(text.contains("HTTP 409"), "{text}");
    let screen = h.screen();
    assert!(screen.contains("✘ 409 conflict"), "{screen}");
    assert!(screen.contains("History 2"), "{screen}");
    let stored = reopened(&db);
    assert_eq!(stored.len(), 2);
    assert_eq!(stored[0].state, EntryState::Failed);
    let failed = stored[0].failed.clone().expect("failure recorded");
    assert_eq!(
        (failed.kind.as_str(), failed.http_status),
        ("conflict", Some(409))
    );
    assert!(
        failed.message.contains(&job),
        "names the running job: {}",
        failed.message
    );
    assert_eq!(stored[0].request_json, BODY);
    assert_eq!(
        stored[1].created.as_ref().map(|c| c.job_id.as_str()),
        Some(job.as_str())
    );

    // Once the first job is done: created again, a new job.
    server.finish_running_jobs();
    h.ctrl('s');
    settle(&mut h, 3).await;
    let (level, text) = status(h.app());
    assert_eq!(level, Some(Level::Success), "{text}");
    let second = job_in(&text);
    assert_ne!(second, job);
    let stored = reopened(&db);
    let states: Vec<EntryState> = stored.iter().map(|e| e.state).collect();
    assert_eq!(
        states,
        [EntryState::Created, EntryState::Failed, EntryState::Created]
    );
    assert_eq!(
        stored[0].created.as_ref().map(|c| c.job_id.as_str()),
        Some(second.as_str())
    );
    assert!(h.screen().contains(&format!("✔ {}…", &second[..8])));
    let sent = creates(&server);
    assert_eq!(sent.len(), 3);
    assert!(sent.iter().all(|r| r.body == BODY));
}

#[tokio::test]
async fn history_survives_a_restart_and_detail_copies_and_reloads() {
    let server = server(FaultMode::Normal, 10).await;
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("history.db");
    let job = {
        let mut h = harness(&server, &db).await;
        fill_form(&mut h);
        h.ctrl('s');
        settle(&mut h, 1).await;
        status(h.app())
            .1
            .trim_start_matches("created export job ")
            .split(';')
            .next()
            .unwrap_or_default()
            .to_owned()
    };

    // A new session over the same file: the attempt is listed.
    let mut h = harness(&server, &db).await;
    assert_eq!(h.app().history.total, 1);
    assert!(h.screen().contains(&format!("✔ {}…", &job[..8])));
    // The new form is empty (no draft writer here).
    assert_eq!(h.app().form.value(upexport::export::Field::From), "");

    h.shift_tab();
    assert_eq!(h.app().focus, Focus::History);
    assert!(h.wait_until(WAIT_LIMIT, |a| !a.history.loading).await);
    h.key(KeyCode::Enter);
    assert!(matches!(h.app().overlay, Some(Overlay::Detail { .. })));
    let screen = h.screen();
    assert!(
        screen
            .lines()
            .any(|l| l.contains("Job id") && l.contains(&job)),
        "{screen}"
    );
    h.key(KeyCode::Char('c'));
    let copied = |h: &Harness| h.sink.0.lock().map(|v| v.clone()).unwrap_or_default();
    assert_eq!(copied(&h), vec![format!("copy:{job}")]);
    // The runner reports the copy on the status line.
    assert!(
        h.wait_until(WAIT_LIMIT, |a| status(a).1.contains("copied the job id"))
            .await
    );
    h.key(KeyCode::Char('e'));
    assert!(h.app().overlay.is_none());
    assert_eq!(
        h.app().preview_request().map(|r| r.to_json()).as_deref(),
        Ok(BODY)
    );
}

#[tokio::test]
async fn esc_cancels_a_hanging_request_and_history_says_so() {
    let server = server(FaultMode::Hang, 10).await;
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("history.db");
    let mut h = harness(&server, &db).await;
    fill_form(&mut h);
    h.ctrl('s');
    // The attempt is written and listed before any answer.
    let listed = h
        .wait_until(WAIT_LIMIT, |a| {
            a.in_flight.as_ref().is_some_and(|f| f.attempt_id.is_some())
                && !a.history.loading
                && a.history.total == 1
        })
        .await;
    assert!(listed, "{}", h.screen());
    assert!(
        h.session.runner.ticking(),
        "the spinner clock runs in flight"
    );
    let screen = h.screen();
    assert!(screen.contains("Sending…"), "{screen}");
    assert!(
        screen.contains("sending…"),
        "the history row spins too: {screen}"
    );
    assert!(screen.contains("Esc cancels"), "{screen}");
    assert_eq!(reopened(&db)[0].state, EntryState::Sending);
    // The server did receive it (and will never answer).
    assert!(
        h.wait_until(WAIT_LIMIT, |_| !creates(&server).is_empty())
            .await,
        "the request reached the server"
    );

    h.key(KeyCode::Esc);
    assert!(h.app().in_flight.is_none());
    assert!(
        status(h.app()).1.contains("may still"),
        "{:?}",
        h.app().status
    );
    let recorded = h
        .wait_until(WAIT_LIMIT, |a| {
            !a.history.loading
                && a.history
                    .entries
                    .first()
                    .is_some_and(|e| e.state == EntryState::Failed)
        })
        .await;
    assert!(recorded, "{}", h.screen());
    assert!(!h.session.runner.ticking());
    let stored = reopened(&db);
    let failed = stored[0].failed.clone().expect("cancel recorded");
    assert_eq!(failed.kind, "cancelled");
    assert!(h.screen().contains("✘ cancelled"));
    // The warning about a possibly created job is still shown.
    assert!(status(h.app()).1.contains("may still"));
}

#[tokio::test]
async fn a_refused_key_is_a_401_row() {
    let server = server(FaultMode::Unauthorized, 10).await;
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("history.db");
    let mut h = harness(&server, &db).await;
    h.type_text("2026-11-01");
    h.ctrl('s');
    settle(&mut h, 1).await;
    let (level, text) = status(h.app());
    assert_eq!(level, Some(Level::Error));
    assert!(text.contains("HTTP 401"), "{text}");
    assert!(h.screen().contains("✘ 401 unauthorized"));
    let stored = reopened(&db);
    assert_eq!(
        stored[0]
            .failed
            .as_ref()
            .map(|f| (f.kind.as_str(), f.http_status)),
        Some(("unauthorized", Some(401)))
    );
    assert_eq!(
        stored[0].request_json,
        r#"{"from":"2026-11-01","format":"csv"}"#
    );
}

/// 100,000 entries: the pane opens at the newest, End jumps to the oldest,
/// and the app only ever holds a window of entries around the screen.
#[tokio::test]
async fn a_hundred_thousand_entries_scroll_by_pages() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("history.sqlite3");
    {
        let store = HistoryStore::open(&db).unwrap().store;
        store
            .fill_synthetic(
                100_000,
                r#"{"from":"2026-01-01","to":"2026-01-31","user_id":["u{n}"],"format":"csv"}"#,
            )
            .unwrap();
    }
    let store = HistoryStore::open(&db).unwrap().store;
    let env = EnvInfo {
        profile: "test".into(),
        base_url: "http://127.0.0.1:9".into(),
        ..Default::default()
    };
    let mut h = Harness::new(120, 40, store, None, env, &Default::default());
    assert!(
        h.wait_until(WAIT_LIMIT, |a| a.history.total == 100_000
            && !a.history.loading)
            .await
    );
    let screen = h.screen();
    assert!(screen.contains("History 100000"), "{screen}");
    assert!(screen.contains("#100000 "), "the newest first:\n{screen}");

    h.shift_tab();
    assert_eq!(h.app().focus, Focus::History);
    assert!(h.wait_until(WAIT_LIMIT, |a| !a.history.loading).await);
    h.key(KeyCode::End);
    assert!(h.wait_until(WAIT_LIMIT, |a| !a.history.loading).await);
    let screen = h.screen();
    assert!(screen.contains("#1 cli"), "End shows the oldest:\n{screen}");
    assert_eq!(h.app().history.selected, 99_999);
    assert!(
        h.app().history.entries.len() <= 200,
        "a window of entries, not the table: {}",
        h.app().history.entries.len()
    );
    h.key(KeyCode::PageUp);
    h.key(KeyCode::Home);
    assert!(h.wait_until(WAIT_LIMIT, |a| !a.history.loading).await);
    assert!(h.screen().contains("#100000 "));
}

/// `d` on the selected history row, then Enter once its files are listed;
/// returns after the download finished.
pub(super) async fn download_selected(h: &mut Harness, job: &str) {
    h.session.app.focus = Focus::History;
    h.key(KeyCode::Char('d'));
    let listed = h
        .wait_until(WAIT_LIMIT, |a| {
            matches!(&a.overlay, Some(Overlay::DownloadSetup(s)) if !s.loading && !s.plans.is_empty())
        })
        .await;
    assert!(
        listed,
        "the files of {job} were not listed: {:?}",
        h.app().status
    );
    if let Some(Overlay::DownloadSetup(s)) = &h.app().overlay {
        assert_eq!(s.job_id, job);
    }
    h.key(KeyCode::Enter);
    let started = matches!(&h.app().overlay, Some(Overlay::Downloads { .. }));
    assert!(started, "not started: {:?}", h.app().overlay);
    let done = h
        .wait_until(WAIT_LIMIT, |a| {
            a.downloads.iter().any(|d| d.job_id == job && d.finished)
        })
        .await;
    assert!(done, "download of {job} did not finish");
    h.key(KeyCode::Esc);
}

#[tokio::test]
async fn downloads_go_under_the_job_id_and_a_cut_part_of_one_job_never_feeds_another() {
    use upexport::tui::downloads::FileState;
    let server = server(FaultMode::Normal, 300).await;
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("history.db");
    let out = dir.path().join("exports");
    let client = client(&server);
    let store = HistoryStore::open(&db).expect("history file").store;
    let a = completed_row(&server, &client, &store, &request(1)).await;
    let b = completed_row(&server, &client, &store, &request(1)).await;
    let env = env_at(&server.base_url(), Some(&out));
    let mut h = live_harness(store, client, env).await;

    // Job A (the second row) is cut: both partial files stay.
    server.set_mode(FaultMode::DownloadCut);
    h.session.app.focus = Focus::History;
    h.key(KeyCode::Down);
    download_selected(&mut h, &a).await;
    let run = |h: &Harness, job: &str| {
        h.app()
            .downloads
            .iter()
            .rev()
            .find(|d| d.job_id == job)
            .expect("its run")
            .clone()
    };
    assert_eq!(run(&h, &a).counts(), (0, 2, 2), "both cut");

    // Job B (the first row), the same file names, the same folder typed.
    server.set_mode(FaultMode::Normal);
    h.key(KeyCode::Up);
    download_selected(&mut h, &b).await;
    let rb = run(&h, &b);
    assert_eq!(rb.counts(), (2, 0, 2), "{:?}", rb.files);
    assert_eq!(rb.dir, out.join(&b));
    for (p, state) in &rb.files {
        let FileState::Done { path, .. } = state else {
            panic!("{state:?}");
        };
        assert_eq!(path.parent(), Some(out.join(&b).as_path()));
        assert_file(path, &server.part_content(&b, &p.filename).unwrap());
    }

    // A again: its own partial files resume; B's files are not A's.
    h.key(KeyCode::Down);
    download_selected(&mut h, &a).await;
    let ra = run(&h, &a);
    assert_eq!(ra.counts(), (2, 0, 2), "{:?}", ra.files);
    for (p, state) in &ra.files {
        let FileState::Done { path, .. } = state else {
            panic!("{state:?}");
        };
        assert_eq!(path.parent(), Some(out.join(&a).as_path()));
        assert_file(path, &server.part_content(&a, &p.filename).unwrap());
    }
}

/// The segment picker against a vendor whose paging ignores the cursor
/// (`vendor-differs`): it opens, the lookup ends after two requests, each
/// segment is listed once, and the note says the list is incomplete.
#[tokio::test]
async fn the_segment_picker_opens_on_a_vendor_whose_paging_repeats() {
    let server = server(FaultMode::VendorDiffers, 10).await;
    let dir = tempfile::tempdir().expect("tempdir");
    let mut h = harness(&server, &dir.path().join("history.db")).await;
    while h.app().focus != Focus::Field(upexport::export::Field::SegmentId) {
        h.key(KeyCode::Tab);
    }
    h.key(KeyCode::Enter);
    assert!(
        h.wait_until(
            WAIT_LIMIT,
            |a| matches!(&a.overlay, Some(Overlay::Picker(p)) if !p.loading)
        )
        .await
    );
    let Some(Overlay::Picker(p)) = &h.app().overlay else {
        panic!("no picker")
    };
    let ids: std::collections::HashSet<&str> = p.choices.iter().map(|c| c.id.as_str()).collect();
    assert_eq!((p.choices.len(), ids.len()), (50, 50), "each segment once");
    let note = p.note.clone().unwrap_or_default();
    assert!(
        note.contains("incomplete") && note.contains("50 of 120"),
        "{note}"
    );
    let screen = h.screen();
    assert!(
        screen.contains("segments incomplete: paging stopped at page 2, 50 of 120"),
        "{screen}"
    );
    let lookups = server
        .requests()
        .iter()
        .filter(|r| r.path.contains("/lookups/segments"))
        .count();
    assert_eq!(lookups, 2);
}

/// Where the vendor is silent: whether a job id is unique beyond one
/// server. Rows of two servers with one job id: the TUI, talking to B,
/// follows B's row and shows and saves B's answers on it alone.
#[tokio::test]
async fn one_job_id_on_two_servers_the_tui_updates_only_its_servers_row() {
    use upexport::jobs::submit::{Origin, submit_recorded};
    let a = server(FaultMode::VendorDiffers, 10).await;
    let b = server(FaultMode::VendorDiffers, 10).await;
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("history.db");
    let origin = Origin {
        source: "cli",
        profile: "test",
    };
    let mut rows = Vec::new();
    for s in [&a, &b] {
        let store = HistoryStore::open(&db).expect("history file").store;
        let c = client(s);
        let (id, created, _) = submit_recorded(
            &store,
            &c,
            origin,
            &upexport::export::ExportRequest::default(),
        )
        .await
        .expect("recorded");
        rows.push((id, created.expect("created").job_id.expect("job id")));
    }
    let ((row_a, job_a), (row_b, job_b)) = (rows[0].clone(), rows[1].clone());
    assert_eq!(job_a, job_b, "each vendor-differs server counts from 1");
    b.finish_running_jobs();

    // The TUI of B follows its unfinished job to the end.
    let mut h = harness(&b, &db).await;
    let shown = |a: &App, id: i64| {
        a.history
            .entries
            .iter()
            .find(|e| e.id == id)
            .map(|e| e.job.as_ref().map(|j| j.status.clone()))
    };
    let ended = h
        .wait_until(WAIT_LIMIT, |app| {
            // vendor-differs ends a job with a word of its own, beside end_time.
            shown(app, row_b) == Some(Some("ready_for_download".into()))
                && app.jobs.busy("test").is_none()
        })
        .await;
    assert!(ended, "B's job ends: {:?}", h.app().history.entries);
    assert_eq!(
        shown(h.app(), row_a),
        Some(None),
        "A's row shows B's answer"
    );
    let stored = reopened(&db);
    let job_of = |id: i64| stored.iter().find(|e| e.id == id).map(|e| e.job.clone());
    assert_eq!(job_of(row_a), Some(None), "A's row took B's answer");
    assert_eq!(
        job_of(row_b).flatten().map(|j| j.status).as_deref(),
        Some("ready_for_download")
    );
    drop(a);
}

/// The 409 dialog's "wait & submit": the refused attempt's row is sent
/// again when the running job ends, and becomes the created one, counting
/// the conflict it waited through; no second row for the same export.
#[tokio::test]
async fn wait_and_submit_after_a_409_sends_the_refused_row_again() {
    use upexport::history::QueueState;
    let server = server(FaultMode::Normal, 10).await;
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("history.db");
    let mut h = harness(&server, &db).await;
    fill_form(&mut h);
    h.ctrl('s');
    settle(&mut h, 1).await;
    // Again while that job runs: 409, the dialog finds the running job.
    h.ctrl('s');
    settle(&mut h, 2).await;
    let refused = h.app().history.entries[0].id;
    let found = h
        .wait_until(
            WAIT_LIMIT,
            |a| matches!(&a.overlay, Some(Overlay::Conflict(c)) if !c.looking),
        )
        .await;
    assert!(found, "{}", h.screen());
    h.key(KeyCode::Char('w'));
    let queued = h
        .wait_until(WAIT_LIMIT, |a| {
            a.queue.iter().any(|q| q.state == QueueState::Waiting)
        })
        .await;
    assert!(queued, "{:?}", h.app().queue);
    // The running job ends: the queued export goes, on the refused row.
    server.finish_running_jobs();
    let sent = h
        .wait_until(WAIT_LIMIT, |a| {
            a.queue.iter().any(|q| q.state == QueueState::Submitted)
                && a.in_flight.is_none()
                && !a.history.loading
                && a.history
                    .entries
                    .first()
                    .is_some_and(|e| e.state != EntryState::Sending)
        })
        .await;
    let screen = h.screen();
    assert!(sent, "{:?} {screen}", h.app().queue);
    assert_eq!(creates(&server).len(), 3);
    let stored = reopened(&db);
    let conflicts = |e: &Entry| serde_json::to_value(e).expect("json")["conflicts"].clone();
    assert_eq!(stored.len(), 2, "one row per export: {stored:?}");
    assert_eq!(stored[0].id, refused);
    assert_eq!(stored[0].state, EntryState::Created, "{:?}", stored[0]);
    assert_eq!(stored[0].failed, None);
    assert_eq!(conflicts(&stored[0]), 1, "{:?}", stored[0]);
    assert_eq!(conflicts(&stored[1]), 0, "{:?}", stored[1]);
    let screen = h.screen();
    assert!(screen.contains("waited through 1 conflict"), "{screen}");
    // Its details say so too.
    for _ in 0..20 {
        if h.app().focus == Focus::History {
            break;
        }
        h.key(KeyCode::Tab);
    }
    assert_eq!(h.app().focus, Focus::History);
    h.key(KeyCode::Home);
    h.key(KeyCode::Enter);
    assert!(matches!(h.app().overlay, Some(Overlay::Detail { .. })));
    let screen = h.screen();
    assert!(
        screen
            .lines()
            .any(|l| l.contains("Conflicts") && l.contains("waited through 1 conflict")),
        "{screen}"
    );
}

/// #15 through the TUI's runner: a download writes the folder's
/// manifest.json (with the request as history has it, each file's SHA-256
/// and rows), the downloads view and the detail view show the DuckDB
/// command, `m` merges the CSV job's parts, and a later session finds
/// the manifest when the job's detail opens.
#[tokio::test]
async fn tui_downloads_write_the_manifest_show_duckdb_and_merge() {
    use upexport::tui::downloads::FileState;
    let rows = 80;
    let server = server(FaultMode::Normal, rows).await;
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("history.db");
    let out = dir.path().join("exports");
    let client = client(&server);
    let store = HistoryStore::open(&db).expect("history file").store;
    let job = completed_row(&server, &client, &store, &request(1)).await;
    let sent = store.page(0, 1).expect("page")[0].request_json.clone();
    let env = env_at(&server.base_url(), Some(&out));
    let mut h = live_harness(store, client.clone(), env.clone()).await;
    download_selected(&mut h, &job).await;

    let folder = out.join(&job);
    let text = std::fs::read_to_string(folder.join("manifest.json")).expect("manifest.json");
    let m: serde_json::Value = serde_json::from_str(&text).expect("JSON");
    assert!(text.contains(&format!("\"request\": {sent}")), "{text}");
    assert_eq!(m["format"], "csv", "{m}");
    assert_eq!(m["complete"], true, "{m}");
    let run = h.app().downloads.last().expect("the run").clone();
    for ((_, state), f) in run.files.iter().zip(m["files"].as_array().unwrap()) {
        let FileState::Done { path, .. } = state else {
            panic!("{state:?}");
        };
        let digest = ring::digest::digest(&ring::digest::SHA256, &std::fs::read(path).unwrap());
        let hex: String = digest.as_ref().iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(f["sha256"], hex, "{}", path.display());
        assert_eq!(f["rows"], rows, "{m}");
    }
    assert!(
        matches!(&run.ready, Some(Ok(r)) if r.duckdb.is_ok()),
        "{:?}",
        run.ready
    );
    assert!(h.app().ready.contains_key(&job));

    // The downloads view: the DuckDB command; m merges.
    h.key(KeyCode::F(4));
    let screen = h.screen();
    assert!(screen.contains("open in DuckDB: duckdb -c"), "{screen}");
    assert!(screen.contains("read_csv_auto("), "{screen}");
    h.key(KeyCode::Char('m'));
    let merged = h
        .wait_until(WAIT_LIMIT, |a| {
            a.downloads.last().is_some_and(|d| d.merged.is_some())
        })
        .await;
    assert!(merged, "no merge result");
    let run = h.app().downloads.last().unwrap().clone();
    assert!(matches!(&run.merged, Some(Ok(_))), "{:?}", run.merged);
    let file = out.join(format!("{job}.csv"));
    let mut rdr = csv::Reader::from_path(&file).expect("the merged file");
    assert_eq!(rdr.records().count(), 2 * rows, "one header, every row");
    assert!(h.screen().contains("merged 2 parts into"), "{}", h.screen());
    h.key(KeyCode::Esc);

    // The detail view shows it.
    h.session.app.focus = Focus::History;
    h.key(KeyCode::Enter);
    let screen = h.screen();
    assert!(screen.contains("DuckDB"), "{screen}");
    assert!(screen.contains("read_csv_auto("), "{screen}");
    drop(h);

    // A new session: opening the job's detail finds the manifest on disk.
    let store = HistoryStore::open(&db).expect("history file").store;
    let mut h = live_harness(store, client, env).await;
    assert!(h.app().ready.is_empty());
    h.session.app.focus = Focus::History;
    h.key(KeyCode::Enter);
    assert!(
        h.wait_until(WAIT_LIMIT, |a| a.ready.contains_key(&job))
            .await
    );
    let screen = h.screen();
    assert!(screen.contains("read_csv_auto("), "{screen}");
}
