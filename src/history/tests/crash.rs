//! A writer that dies mid-request leaves a `sending` entry with its body.

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use super::*;

/// Set (to a database path) only in the helper process.
const HELPER_ENV: &str = "UPEXPORT_HISTORY_CRASH_HELPER_DB";
/// The helper prints this and the entry id once the attempt is committed.
const READY: &str = "upexport-history-helper-ready";
const HELPER_BODY: &str = r#"{"from":"2026-11-01","to":"2026-11-30","format":"parquet"}"#;

#[test]
fn dropped_store_leaves_a_sending_entry() {
    let dir = tempfile::tempdir().unwrap();
    let path = db_path(&dir);
    let id = {
        let store = open_clean(&path);
        store.begin_attempt(&attempt(HELPER_BODY)).unwrap()
        // dropped without an outcome
    };
    let store = open_clean(&path);
    let e = store.get(id).unwrap().expect("the attempt survives");
    assert_eq!(e.state, EntryState::Sending);
    assert_eq!(e.request_json, HELPER_BODY);
    assert_eq!(
        (&e.finished_at, &e.created, &e.failed),
        (&None, &None, &None)
    );
    // Written by this (living) process: unknown only once stale.
    assert!(!e.outcome_unknown());
    assert!(e.outcome_unknown_at(e.created_at + SENDING_STALE_AFTER));
    assert_eq!(store.integrity_check().unwrap(), "ok");
}

/// Runs in a child process only (see `killed_writer_…`): begins an attempt,
/// reports it, then waits to be killed.
#[test]
#[ignore = "helper process of killed_writer_leaves_an_unknown_outcome; does nothing on its own"]
fn crash_helper_process() {
    let Some(path) = std::env::var_os(HELPER_ENV) else {
        return;
    };
    let store = HistoryStore::open(Path::new(&path))
        .expect("helper opens the history")
        .store;
    let id = store
        .begin_attempt(&attempt(HELPER_BODY))
        .expect("helper begins an attempt");
    let mut out = std::io::stdout().lock();
    writeln!(out, "{READY} {id}").unwrap();
    out.flush().unwrap();
    drop(out);
    loop {
        std::thread::park();
    }
}

/// Kills the helper however the test ends.
struct KillOnDrop(Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[cfg(unix)]
#[test]
fn killed_writer_leaves_an_unknown_outcome() {
    let dir = tempfile::tempdir().unwrap();
    let path = db_path(&dir);
    let mut child = KillOnDrop(
        Command::new(std::env::current_exe().unwrap())
            .args([
                "--exact",
                "history::tests::crash::crash_helper_process",
                "--ignored",
                "--nocapture",
                "--test-threads=1",
            ])
            .env(HELPER_ENV, &path)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let pid = child.0.id();

    // Wait for the helper's report, with a hard deadline (no sleeps).
    let stdout = child.0.stdout.take().unwrap();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let deadline = Instant::now() + Duration::from_secs(120);
    let id: i64 = loop {
        let line = rx
            .recv_timeout(deadline.saturating_duration_since(Instant::now()))
            .expect("the helper process never reported its attempt");
        // libtest prints "test … ... " on the same line first.
        if let Some((_, rest)) = line.split_once(READY) {
            break rest.trim().parse().unwrap();
        }
    };

    // Committed before the request would go out: visible to others now.
    {
        let store = open_clean(&path);
        let e = store
            .get(id)
            .unwrap()
            .expect("row visible while writer lives");
        assert_eq!(e.state, EntryState::Sending);
        assert_eq!(e.pid, Some(pid));
        #[cfg(target_os = "linux")]
        assert!(!e.outcome_unknown(), "the writer still runs");
    }

    // SIGKILL: no destructor, no outcome.
    child.0.kill().unwrap();
    child.0.wait().unwrap();

    let store = open_clean(&path);
    assert_eq!(store.count().unwrap(), 1);
    let e = store.get(id).unwrap().unwrap();
    assert_eq!(e.state, EntryState::Sending);
    assert_eq!(e.request_json, HELPER_BODY);
    assert_eq!(e.pid, Some(pid));
    assert_eq!(
        (&e.finished_at, &e.created, &e.failed),
        (&None, &None, &None)
    );
    #[cfg(target_os = "linux")]
    assert!(e.outcome_unknown(), "writer is gone");
    #[cfg(not(target_os = "linux"))]
    assert!(e.outcome_unknown_at(e.created_at + SENDING_STALE_AFTER));
    assert_eq!(store.integrity_check().unwrap(), "ok");

    // The outcome can still be recorded once someone learns it.
    store.record_failed(id, &failed("unknown", None)).unwrap();
    assert!(!store.get(id).unwrap().unwrap().outcome_unknown());
}
