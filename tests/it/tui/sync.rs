//! The Sync view (F7): `update` on its own (keys in, state and effects
//! out), its screens at 80x24 and 120x40, its refresh timer, and the whole
//! loop reading a real config file, history database and lock.

use crossterm::event::KeyCode;
use upexport::history::{HistoryStore, SyncPartition};
use upexport::sync::{PartitionSize, Sync, SyncDef};
use upexport::tui::app::{App, Overlay};
use upexport::tui::msg::{Effect, Level, Msg};
use upexport::tui::sync::{SyncList, SyncRow};
use upexport::tui::testing::Harness;

use super::snapshots::screen_rules;
use crate::support::tui::*;
use crate::support::{WAIT_LIMIT, day};

fn sync(name: &str, dest: &str, start: &str, partition: PartitionSize) -> Sync {
    Sync::new(
        name,
        SyncDef {
            start: start.into(),
            destination: dest.into(),
            partition,
            ..Default::default()
        },
    )
    .expect("a valid sync")
}

fn part(dt: &str, state: &str, n: u32, error: Option<&str>) -> SyncPartition {
    SyncPartition {
        dt: dt.into(),
        state: state.into(),
        job_id: Some(format!("7d0c{n:04}-1b2e-4c3d-9e8f-0a1b2c3d4e5f")),
        base_url: Some("https://appex.userpilot.io".into()),
        rows: (state == "complete").then_some(1200 + i64::from(n)),
        files: (state == "complete").then_some(1),
        error: error.map(str::to_owned),
        updated_at: format!("2026-11-{:02}T03:10:00Z", (n % 26) + 1),
    }
}

/// Three syncs: `events` (daily to S3, a failed day, a gap, a killed
/// run's leftover), `pages` (monthly to a folder, a run going elsewhere),
/// and a broken table.
fn fixture() -> SyncList {
    let events = sync(
        "events",
        "s3://analytics/userpilot",
        "2026-11-01",
        PartitionSize::Day,
    );
    let mut rows = Vec::new();
    for n in 1..=20u32 {
        let dt = format!("2026-11-{n:02}");
        rows.push(match n {
            3 => part(
                &dt,
                "failed",
                n,
                Some("the export job failed: the server said failed"),
            ),
            9 | 10 => continue,
            _ => part(&dt, "complete", n, None),
        });
    }
    rows.push(part("2026-11-21", "running", 21, None));
    let events_status = upexport::sync::status::from_rows(&events, day(2026, 11, 26), rows, None);
    let pages = sync(
        "pages",
        "/data/userpilot",
        "2026-09-01",
        PartitionSize::Month,
    );
    let pages_status = upexport::sync::status::from_rows(
        &pages,
        day(2026, 11, 26),
        vec![part("2026-09", "complete", 5, None)],
        Some("pid 4242 since 2026-11-27 09:10:00 UTC".into()),
    );
    SyncList {
        config: Some("/home/analyst/.config/upexport/config.toml".into()),
        rows: vec![
            SyncRow {
                name: "broken".into(),
                destination: None,
                status: Err("[sync.broken]: unknown field `colour`, expected one of `profile`, `start`, `partition`, `destination`".into()),
            },
            SyncRow {
                name: "events".into(),
                destination: Some(events.destination.clone()),
                status: Ok(Box::new(events_status)),
            },
            SyncRow {
                name: "pages".into(),
                destination: Some(pages.destination.clone()),
                status: Ok(Box::new(pages_status)),
            },
        ],
    }
}

fn status(app: &App) -> (Option<Level>, String) {
    app.status
        .as_ref()
        .map_or((None, String::new()), |n| (Some(n.level), n.text.clone()))
}

/// F7 with the fixture read; the cursor on `events`.
fn opened() -> App {
    let mut a = app();
    a.update(key(KeyCode::F(7)));
    a.update(Msg::SyncsLoaded(Ok(fixture())));
    a.update(key(KeyCode::Down));
    a
}

#[test]
fn f7_reads_the_syncs_and_draws_only_when_they_change() {
    let mut a = app();
    let fx = a.update(key(KeyCode::F(7)));
    assert!(a.sync_view_open());
    // Counted to the last complete UTC day: the fixed clock is 11-27.
    assert_eq!(
        fx,
        [Effect::LoadSyncs {
            until: day(2026, 11, 26)
        }]
    );
    // The timer meanwhile asks for nothing (a read is on its way).
    a.dirty = false;
    assert!(a.update(Msg::SyncTick).is_empty());
    assert!(!a.dirty, "a tick alone draws nothing");
    a.update(Msg::SyncsLoaded(Ok(fixture())));
    assert!(a.dirty);
    // The next tick reads again; the same answer draws nothing.
    let fx = a.update(Msg::SyncTick);
    assert!(
        matches!(fx.as_slice(), [Effect::LoadSyncs { .. }]),
        "{fx:?}"
    );
    a.dirty = false;
    a.update(Msg::SyncsLoaded(Ok(fixture())));
    assert!(!a.dirty, "an unchanged status was drawn again");
    // A changed one is drawn.
    let mut changed = fixture();
    changed.rows.pop();
    a.update(Msg::SyncTick);
    a.update(Msg::SyncsLoaded(Ok(changed)));
    assert!(a.dirty);
    // F7 again (or Esc) closes; a tick after that reads nothing.
    a.update(key(KeyCode::F(7)));
    assert!(!a.sync_view_open());
    assert!(a.update(Msg::SyncTick).is_empty());
}

#[test]
fn enter_lists_partitions_m_reads_the_manifest_and_esc_goes_back() {
    let mut a = opened();
    a.update(key(KeyCode::Enter));
    let Some(Overlay::Sync(o)) = &a.overlay else {
        panic!("the view closed")
    };
    assert_eq!(
        o.partitions.as_ref().map(|p| p.name.as_str()),
        Some("events")
    );
    // Newest first: 11-21 (interrupted), then 11-20.
    a.update(key(KeyCode::Down));
    let fx = a.update(ch('m'));
    assert_eq!(
        fx,
        [Effect::LoadSyncManifest {
            name: "events".into(),
            dt: "2026-11-20".into(),
            destination: upexport::sync::Destination::Store {
                url: "s3://analytics/userpilot".into()
            },
            path: "events/dt=2026-11-20/_manifest.json".into(),
        }]
    );
    a.update(Msg::SyncManifestLoaded {
        name: "events".into(),
        dt: "2026-11-20".into(),
        result: Ok(Some("{\n  \"rows\": 1220\n}".into())),
    });
    let Some(Overlay::Sync(o)) = &a.overlay else {
        panic!("the view closed")
    };
    let m = o.manifest.as_ref().expect("the manifest shows");
    assert_eq!(m.text, Some(Ok(Some("{\n  \"rows\": 1220\n}".into()))));
    assert_eq!(
        m.shown,
        "s3://analytics/userpilot/events/dt=2026-11-20/_manifest.json"
    );
    // A late answer for another partition changes nothing.
    a.dirty = false;
    a.update(Msg::SyncManifestLoaded {
        name: "events".into(),
        dt: "2026-11-19".into(),
        result: Ok(None),
    });
    assert!(!a.dirty);
    // Esc: the partitions, the list, closed.
    a.update(key(KeyCode::Esc));
    assert!(
        matches!(&a.overlay, Some(Overlay::Sync(o)) if o.manifest.is_none() && o.partitions.is_some())
    );
    a.update(key(KeyCode::Esc));
    assert!(matches!(&a.overlay, Some(Overlay::Sync(o)) if o.partitions.is_none()));
    a.update(key(KeyCode::Esc));
    assert!(a.overlay.is_none());
}

#[test]
fn r_runs_in_the_background_once() {
    let mut a = opened();
    let fx = a.update(ch('r'));
    assert_eq!(
        fx,
        [Effect::RunSync {
            name: "events".into(),
            until: day(2026, 11, 26)
        }]
    );
    assert!(a.syncs.running_here("events"));
    assert_eq!(status(&a).0, Some(Level::Info));
    // A second r while it runs: refused, nothing sent.
    assert!(a.update(ch('r')).is_empty());
    let (level, text) = status(&a);
    assert_eq!(level, Some(Level::Warning));
    assert!(text.contains("already running here"), "{text}");
    // It ends: the statuses are read again, and r may run it again.
    let fx = a.update(Msg::SyncFinished {
        name: "events".into(),
        result: Ok("2 partitions done".into()),
    });
    assert!(
        matches!(fx.as_slice(), [Effect::LoadSyncs { .. }]),
        "{fx:?}"
    );
    assert_eq!(
        status(&a),
        (
            Some(Level::Success),
            "sync events: 2 partitions done".into()
        )
    );
    a.update(Msg::SyncsLoaded(Ok(fixture())));
    assert!(matches!(
        a.update(ch('r')).as_slice(),
        [Effect::RunSync { .. }]
    ));
    // A run that stops says why.
    a.update(Msg::SyncFinished {
        name: "events".into(),
        result: Err("s3://analytics/userpilot: the storage credentials were refused".into()),
    });
    let (level, text) = status(&a);
    assert_eq!(level, Some(Level::Error));
    assert!(text.contains("credentials were refused"), "{text}");
}

#[test]
fn r_refuses_a_sync_running_elsewhere_and_a_broken_one() {
    let mut a = opened();
    // pages: a lock held by another process (cron).
    a.update(key(KeyCode::Down));
    assert!(a.update(ch('r')).is_empty());
    let (level, text) = status(&a);
    assert_eq!(level, Some(Level::Warning));
    assert!(
        text.contains("sync pages is already running (pid 4242 since"),
        "{text}"
    );
    // broken: its table's error.
    a.update(key(KeyCode::Up));
    a.update(key(KeyCode::Up));
    assert!(a.update(ch('r')).is_empty());
    let (_, text) = status(&a);
    assert!(
        text.contains("sync broken cannot run: [sync.broken]: unknown field"),
        "{text}"
    );
    assert!(!a.syncs.running_here("broken") && !a.syncs.running_here("pages"));
}

/// A harness whose screens are made from `update` alone: the effects are
/// dropped (no runner answers race the injected messages).
async fn scene(w: u16, h: u16) -> Harness {
    let store = HistoryStore::open_in_memory().expect("in-memory store");
    let mut hs = Harness::new(w, h, store, None, env(), &csv_draft());
    assert!(hs.wait_until(WAIT_LIMIT, |a| !a.history.loading).await);
    hs
}

async fn both_sizes(name: &str, steps: impl Fn(&mut App)) -> Vec<String> {
    let mut screens = Vec::new();
    for (w, h) in [(80, 24), (120, 40)] {
        let mut hs = scene(w, h).await;
        steps(&mut hs.session.app);
        let screen = hs.screen();
        screen_rules(&format!("{name}_{w}x{h}"), &hs, &screen);
        insta::assert_snapshot!(format!("{name}_{w}x{h}"), screen);
        screens.push(screen);
    }
    screens
}

#[tokio::test]
async fn sync_list_screens() {
    let screens = both_sizes("sync_list", |a| {
        a.update(key(KeyCode::F(7)));
        a.update(Msg::SyncsLoaded(Ok(fixture())));
        a.update(key(KeyCode::Down));
    })
    .await;
    for s in &screens {
        assert!(s.contains("events → s3://analytics/userpilot"), "{s}");
        assert!(s.contains("9 missing: 2026-11-03"), "{s}");
        assert!(s.contains("interrupted at dt=2026-11-21"), "{s}");
        assert!(s.contains("running (pid 4242"), "{s}");
        assert!(s.contains("✘ [sync.broken]"), "{s}");
        assert!(s.contains("r run now"), "{s}");
    }
    // The selected sync shows whole: its last error too.
    assert!(screens[1].contains("last error (dt=2026-11-03): the export job failed"));
}

#[tokio::test]
async fn sync_progress_screens() {
    both_sizes("sync_running_here", |a| {
        a.update(key(KeyCode::F(7)));
        a.update(Msg::SyncsLoaded(Ok(fixture())));
        a.update(key(KeyCode::Down));
        a.update(ch('r'));
    })
    .await;
}

#[tokio::test]
async fn sync_partitions_and_manifest_screens() {
    let screens = both_sizes("sync_partitions", |a| {
        a.update(key(KeyCode::F(7)));
        a.update(Msg::SyncsLoaded(Ok(fixture())));
        a.update(key(KeyCode::Down));
        a.update(key(KeyCode::Enter));
        // Newest first: 11-21, 11-20 … 11-11, 11-08 … 11-03.
        for _ in 0..16 {
            a.update(key(KeyCode::Down));
        }
    })
    .await;
    for s in &screens {
        // The selected (failed) partition's details, in full.
        assert!(
            s.contains("job 7d0c0003-1b2e-4c3d-9e8f-0a1b2c3d4e5f"),
            "{s}"
        );
        assert!(s.contains("m manifest"), "{s}");
        assert!(s.contains("the server said failed"), "{s}");
    }
    both_sizes("sync_manifest", |a| {
        a.update(key(KeyCode::F(7)));
        a.update(Msg::SyncsLoaded(Ok(fixture())));
        a.update(key(KeyCode::Down));
        a.update(key(KeyCode::Enter));
        a.update(ch('m'));
        a.update(Msg::SyncManifestLoaded {
            name: "events".into(),
            dt: "2026-11-21".into(),
            result: Ok(None),
        });
    })
    .await;
    let screens = both_sizes("sync_manifest_json", |a| {
        a.update(key(KeyCode::F(7)));
        a.update(Msg::SyncsLoaded(Ok(fixture())));
        a.update(key(KeyCode::Down));
        a.update(key(KeyCode::Enter));
        a.update(key(KeyCode::Down));
        a.update(ch('m'));
        let text = serde_json::to_string_pretty(&serde_json::json!({
            "job": {"id": "7d0c0020-1b2e-4c3d-9e8f-0a1b2c3d4e5f", "status": "completed"},
            "request": {"from": "2026-11-20", "to": "2026-11-20", "format": "parquet"},
            "files": [{"name": "part-0000.parquet", "size": 48213, "rows": 1220,
                       "sha256": "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"}],
            "rows": 1220
        }))
        .expect("json");
        a.update(Msg::SyncManifestLoaded {
            name: "events".into(),
            dt: "2026-11-20".into(),
            result: Ok(Some(text)),
        });
        a.update(key(KeyCode::Down));
    })
    .await;
    for s in &screens {
        assert!(s.contains("\"rows\": 1220"), "{s}");
    }
}

#[tokio::test]
async fn no_syncs_says_how_to_add_one() {
    let screens = both_sizes("sync_none", |a| {
        a.update(key(KeyCode::F(7)));
        a.update(Msg::SyncsLoaded(Ok(SyncList {
            config: Some("/home/analyst/.config/upexport/config.toml".into()),
            rows: vec![],
        })));
    })
    .await;
    for s in &screens {
        assert!(s.contains("[sync.events]"), "{s}");
        assert!(
            s.contains("/home/analyst/.config/upexport/config.toml"),
            "{s}"
        );
    }
}

/// The whole loop: the runner reads a real config file (one sync, one
/// broken table), the history file and the lock; the timer, alive only
/// while the view is open, sees a run end that another process held.
#[tokio::test]
async fn the_view_reads_config_history_and_lock_and_follows_them() {
    let dir = tempfile::tempdir().expect("temp dir");
    let config = dir.path().join("config.toml");
    let data = dir.path().join("data");
    std::fs::write(
        &config,
        format!(
            "[sync.events]\nstart = \"2026-11-20\"\ndestination = \"{}\"\n[sync.typo]\nstart = \"2026-11-20\"\ndestination = \"/x\"\nformt = \"csv\"\n",
            data.display()
        ),
    )
    .expect("config");
    let db = dir.path().join("history.sqlite3");
    {
        let store = HistoryStore::open(&db).expect("history").store;
        for dt in ["2026-11-20", "2026-11-21"] {
            store
                .sync_record(
                    "events",
                    &data.display().to_string(),
                    dt,
                    "complete",
                    None,
                    Some((5, 1)),
                    None,
                )
                .expect("record");
        }
    }
    let locks = dir.path().join("locks");
    let held = upexport::sync::lock::lock(&locks, "events").expect("lock");
    let store = HistoryStore::open(&db).expect("history").store;
    let mut hs = Harness::new(120, 40, store, None, env(), &csv_draft());
    hs.session.runner.sync_files = Some(upexport::tui::runner::sync::SyncFiles {
        config: config.clone(),
        lock_dir: locks.clone(),
        demo: false,
        demo_lake: None,
    });
    assert!(!hs.session.runner.sync_watching());
    hs.key(KeyCode::F(7));
    assert!(hs.session.runner.sync_watching(), "no timer while open");
    assert!(
        hs.wait_until(WAIT_LIMIT, |a| a.syncs.list.is_some()).await,
        "the syncs were never read"
    );
    let row = hs.app().syncs.row("events").cloned().expect("events");
    let s = row.status.expect("events' status");
    assert_eq!(s.last_complete.as_deref(), Some("2026-11-21"));
    assert!(s.running.is_some(), "the held lock is a run going");
    let typo = hs.app().syncs.row("typo").cloned().expect("typo");
    assert!(typo.status.unwrap_err().contains("formt"));
    let screen = hs.screen();
    assert!(screen.contains("● running (pid"), "{screen}");
    // The other process ends: the timer's next read shows it.
    drop(held);
    assert!(
        hs.wait_until(WAIT_LIMIT, |a| a
            .syncs
            .row("events")
            .and_then(|r| r.status.as_ref().ok())
            .is_some_and(|s| s.running.is_none()))
            .await,
        "the view never saw the run end"
    );
    // Closed: the timer stops.
    hs.key(KeyCode::Esc);
    assert!(!hs.app().sync_view_open());
    assert!(
        !hs.session.runner.sync_watching(),
        "the timer outlived the view"
    );
}

/// `--demo`: the view shows the demo's folder as the destination and says
/// the configured one is never written.
#[tokio::test]
async fn under_demo_the_view_names_the_folder_written_and_the_one_spared() {
    let dir = tempfile::tempdir().expect("temp dir");
    let config = dir.path().join("config.toml");
    std::fs::write(
        &config,
        "[sync.events]\nstart = \"2026-11-20\"\ndestination = \"s3://analytics/userpilot\"\n",
    )
    .expect("config");
    let lake = dir.path().join("lake");
    let store = HistoryStore::open(&dir.path().join("history.sqlite3"))
        .expect("history")
        .store;
    let mut hs = Harness::new(120, 40, store, None, env(), &csv_draft());
    hs.session.runner.sync_files = Some(upexport::tui::runner::sync::SyncFiles {
        config,
        lock_dir: dir.path().join("locks"),
        demo: true,
        demo_lake: Some(lake.clone()),
    });
    hs.key(KeyCode::F(7));
    assert!(
        hs.wait_until(WAIT_LIMIT, |a| a.syncs.list.is_some()).await,
        "the syncs were never read"
    );
    let screen = hs.screen();
    assert!(
        screen.contains(&format!("events → {}", lake.display())),
        "{screen}"
    );
    assert!(
        screen.contains("demo: written here, never to s3://analytics/userpilot"),
        "{screen}"
    );
}

/// The whole loop against the demo server: `r` runs a three-day sync into
/// a local folder in the background; the progress line follows its
/// events, each partition ends complete with its manifest (which `m`
/// reads back), and a second `r` finds it up to date.
#[tokio::test]
async fn r_runs_a_sync_into_a_folder_against_the_demo_server() {
    use std::cell::RefCell;
    use std::time::Duration;
    use upexport::demo::DemoOptions;

    let server = crate::support::demo::start(DemoOptions {
        job_duration: Duration::from_millis(300),
        rows_per_part: 5,
        ..DemoOptions::default()
    })
    .await;
    let dir = tempfile::tempdir().expect("temp dir");
    let config = dir.path().join("config.toml");
    let lake = dir.path().join("lake");
    // The harness's clock is 2026-11-27: the last complete day is the 26th.
    std::fs::write(
        &config,
        format!(
            "[sync.events]\nstart = \"2026-11-24\"\ndestination = \"{}\"\nformat = \"ndjson\"\n",
            lake.display()
        ),
    )
    .expect("config");
    let db = dir.path().join("history.sqlite3");
    let mut hs = super::event_loop::harness(&server, &db).await;
    hs.session.runner.sync_files = Some(upexport::tui::runner::sync::SyncFiles {
        config,
        lock_dir: dir.path().join("locks"),
        demo: false,
        demo_lake: None,
    });
    hs.session.runner.wait.backoff =
        upexport::jobs::track::Backoff::with_delays(vec![Duration::from_millis(100)]);
    hs.key(KeyCode::F(7));
    assert!(
        hs.wait_until(WAIT_LIMIT, |a| a.syncs.row("events").is_some())
            .await,
        "the syncs were never read"
    );
    let missing = |a: &App| {
        a.syncs
            .row("events")
            .and_then(|r| r.status.as_ref().ok())
            .map(|s| s.missing)
    };
    assert_eq!(missing(hs.app()), Some(3));
    hs.key(KeyCode::Char('r'));
    let lines = RefCell::new(Vec::<String>::new());
    let ended = hs
        .wait_until(WAIT_LIMIT, |a| {
            if let Some(run) = a.syncs.runs.get("events") {
                let mut seen = lines.borrow_mut();
                if seen.last() != Some(&run.line()) {
                    seen.push(run.line());
                }
            }
            !a.syncs.running_here("events") && missing(a) == Some(0)
        })
        .await;
    let lines = lines.into_inner();
    assert!(
        ended,
        "the run never ended with nothing missing: {lines:#?}"
    );
    let run = hs.app().syncs.runs.get("events").cloned().expect("the run");
    assert_eq!(
        run.finished,
        Some(Ok("3 partition(s) exported".into())),
        "{lines:#?}"
    );
    assert!(
        lines.iter().any(|l| l.starts_with("dt=2026-11-24 1/3 ")),
        "{lines:#?}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("dt=2026-11-26 3/3 uploading part 1/")),
        "{lines:#?}"
    );
    for dt in ["2026-11-24", "2026-11-25", "2026-11-26"] {
        let m = lake.join(format!("events/dt={dt}/_manifest.json"));
        assert!(m.is_file(), "no {}", m.display());
    }
    let (level, text) = status(hs.app());
    assert_eq!(level, Some(Level::Success), "{text}");
    // The partitions, newest first, complete; m reads the manifest back.
    hs.key(KeyCode::Enter);
    let screen = hs.screen();
    assert!(screen.contains("2026-11-26  complete"), "{screen}");
    hs.key(KeyCode::Char('m'));
    assert!(
        hs.wait_until(WAIT_LIMIT, |a| matches!(
            &a.overlay,
            Some(Overlay::Sync(o)) if o.manifest.as_ref().is_some_and(|m| m.text.is_some())
        ))
        .await
    );
    let Some(Overlay::Sync(o)) = &hs.app().overlay else {
        panic!("the view closed")
    };
    let text = o.manifest.as_ref().and_then(|m| m.text.clone());
    let Some(Ok(Some(text))) = text else {
        panic!("no manifest read: {text:?}")
    };
    assert!(text.contains("2026-11-26"), "{text}");
    // Up to date: a second run exports nothing.
    hs.key(KeyCode::Esc);
    hs.key(KeyCode::Esc);
    hs.key(KeyCode::Char('r'));
    assert!(
        hs.wait_until(WAIT_LIMIT, |a| !a.syncs.running_here("events"))
            .await
    );
    assert_eq!(
        hs.app()
            .syncs
            .runs
            .get("events")
            .and_then(|r| r.finished.clone()),
        Some(Ok("up to date, nothing to export".into()))
    );
}

/// A run's events redraw the Sync view, not the screen without it.
#[test]
fn progress_draws_only_where_it_shows() {
    use upexport::sync::run::SyncEvent;
    let mut a = opened();
    a.update(ch('r'));
    let event = || Msg::SyncEvent {
        name: "events".into(),
        event: SyncEvent::Progress {
            dt: "2026-11-21".into(),
            text: "13% · 0/2 chunks".into(),
        },
    };
    a.dirty = false;
    a.update(event());
    assert!(a.dirty, "the open view did not show the progress");
    a.update(key(KeyCode::Esc));
    a.dirty = false;
    a.update(event());
    assert!(!a.dirty, "a hidden progress line redrew the screen");
    assert_eq!(
        a.syncs.runs.get("events").map(|r| r.line()),
        Some("dt=2026-11-21 13% · 0/2 chunks".into())
    );
}

#[test]
fn the_progress_line_follows_a_run() {
    use upexport::sync::run::SyncEvent;
    use upexport::tui::sync::SyncRun;
    let mut run = SyncRun::default();
    assert_eq!(run.line(), "starting…");
    run.apply(&SyncEvent::Checked);
    run.apply(&SyncEvent::Planned { total: 10 });
    assert_eq!(run.line(), "10 partition(s) to export");
    run.apply(&SyncEvent::Partition {
        dt: "2026-11-03".into(),
        index: 1,
        total: 10,
    });
    run.apply(&SyncEvent::Submitted {
        dt: "2026-11-03".into(),
        job_id: "7d0c0003-1b2e-4c3d-9e8f-0a1b2c3d4e5f".into(),
    });
    assert_eq!(run.line(), "dt=2026-11-03 2/10 job 7d0c0003… submitted");
    run.apply(&SyncEvent::Uploading {
        dt: "2026-11-03".into(),
        part: 1,
        parts: 3,
        bytes: 13_002_342,
    });
    assert_eq!(run.line(), "dt=2026-11-03 2/10 uploading part 1/3 12.4 MiB");
    run.apply(&SyncEvent::Failed {
        dt: "2026-11-03".into(),
        error: "the export job failed".into(),
    });
    assert_eq!(
        run.line(),
        "dt=2026-11-03 2/10 failed: the export job failed"
    );
    assert_eq!((run.done, run.failed), (0, 1));
    run.finished = Some(Ok("1 partition(s) exported, 1 failed".into()));
    assert_eq!(run.line(), "1 partition(s) exported, 1 failed");
}

/// Quitting stops a run started here (as a killed run: the next one
/// resumes it), so it is asked twice.
#[test]
fn quitting_while_a_sync_runs_asks_again() {
    let mut a = opened();
    a.update(ch('r'));
    a.update(key(KeyCode::Esc));
    a.update(ctrl('c'));
    assert!(!a.quit, "quit at once with a sync running");
    let (level, text) = status(&a);
    assert_eq!(level, Some(Level::Warning));
    assert!(text.contains("sync events is running"), "{text}");
    a.update(ctrl('c'));
    assert!(a.quit);
    // Without a run going, once is enough.
    let mut b = opened();
    b.update(ctrl('c'));
    assert!(b.quit);
}

/// A sync added to the config (it sorts before the selected one) does
/// not move the selection to another sync: `r` runs what was selected.
#[test]
fn the_selection_follows_its_sync_when_the_list_changes() {
    let mut a = opened();
    let mut more = fixture();
    let mut added = more.rows[1].clone();
    added.name = "clicks".into();
    more.rows.insert(1, added);
    a.update(Msg::SyncTick);
    a.update(Msg::SyncsLoaded(Ok(more)));
    let fx = a.update(ch('r'));
    assert_eq!(
        fx,
        [Effect::RunSync {
            name: "events".into(),
            until: day(2026, 11, 26)
        }]
    );
}

/// The partition's details give its time in the app's zone, as the
/// history pane does.
#[tokio::test]
async fn partition_details_read_as_local_times() {
    let mut hs = scene(120, 40).await;
    let a = &mut hs.session.app;
    a.update(key(KeyCode::F(7)));
    a.update(Msg::SyncsLoaded(Ok(fixture())));
    a.update(key(KeyCode::Down));
    a.update(key(KeyCode::Enter));
    let screen = hs.screen();
    assert!(screen.contains("11-22 03:10"), "{screen}");
    assert!(!screen.contains("T03:10:00Z"), "{screen}");
}
