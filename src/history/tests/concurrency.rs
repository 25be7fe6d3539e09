//! Two writers on one file at once.

use std::sync::{Arc, Barrier};
use std::thread;

use super::*;

#[test]
fn two_writers_append_at_once() {
    const PER_THREAD: usize = 500;
    let dir = tempfile::tempdir().unwrap();
    let path = db_path(&dir);
    // Both start together on a file that does not exist yet, so creation
    // and the switch to WAL race too.
    let start = Arc::new(Barrier::new(2));
    let workers: Vec<_> = ["tui", "cli"]
        .into_iter()
        .map(|source| {
            let (path, start) = (path.clone(), Arc::clone(&start));
            thread::spawn(move || -> Result<(), HistoryError> {
                start.wait();
                let report = HistoryStore::open(&path)?;
                assert!(report.warnings.is_empty(), "{:?}", report.warnings);
                let store = report.store;
                for n in 0..PER_THREAD {
                    let json = body(n);
                    let id = store.begin_attempt(&NewAttempt {
                        source,
                        ..attempt(&json)
                    })?;
                    if n % 2 == 0 {
                        store.record_created(id, &created(&format!("{source}-{n}")))?;
                    } else {
                        store.record_failed(id, &failed("conflict", Some(409)))?;
                    }
                }
                Ok(())
            })
        })
        .collect();
    for w in workers {
        w.join()
            .expect("writer thread panicked")
            .expect("writer failed");
    }

    let store = open_clean(&path);
    assert_eq!(store.count().unwrap(), 2 * PER_THREAD as u64);
    assert_eq!(store.integrity_check().unwrap(), "ok");
    let all = store.page(0, 2000).unwrap();
    assert!(all.iter().all(|e| e.state != EntryState::Sending));
    for source in ["tui", "cli"] {
        let mine: Vec<&Entry> = all.iter().filter(|e| e.source == source).collect();
        assert_eq!(mine.len(), PER_THREAD);
        assert_eq!(
            mine.iter()
                .filter(|e| e.state == EntryState::Created)
                .count(),
            PER_THREAD / 2
        );
    }
    assert!(store.by_job(BASE_URL, "tui-498").unwrap().is_some());
    assert!(store.by_job(BASE_URL, "cli-0").unwrap().is_some());
}

#[test]
fn many_processes_creating_the_same_file_all_succeed() {
    const OPENERS: usize = 6;
    let dir = tempfile::tempdir().unwrap();
    let path = db_path(&dir);
    let start = Arc::new(Barrier::new(OPENERS));
    let openers: Vec<_> = (0..OPENERS)
        .map(|n| {
            let (path, start) = (path.clone(), Arc::clone(&start));
            thread::spawn(move || {
                start.wait();
                let report = HistoryStore::open(&path).expect("opens");
                assert!(report.warnings.is_empty(), "{:?}", report.warnings);
                report.store.begin_attempt(&attempt(&body(n))).unwrap();
            })
        })
        .collect();
    for o in openers {
        o.join().unwrap();
    }
    let store = open_clean(&path);
    assert_eq!(store.count().unwrap(), OPENERS as u64);
    assert!(
        files_starting(dir.path(), "history.sqlite3.")
            .iter()
            .all(|p| {
                let name = p.file_name().unwrap().to_string_lossy().into_owned();
                name.ends_with(".lock")
            })
    );
}
