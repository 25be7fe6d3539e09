//! Tests of the history store; helpers shared by the test files live here.

mod api;
mod concurrency;
mod conflicts;
mod crash;
mod jobs;
mod paging;
mod queue;
mod recover;
mod schema;

use std::path::{Path, PathBuf};

use super::*;

pub(super) const BASE_URL: &str = "https://appex.userpilot.io";

pub(super) fn body(n: usize) -> String {
    format!(r#"{{"from":"2026-11-01","to":"2026-11-02","format":"csv","n":{n}}}"#)
}

pub(super) fn attempt(json: &str) -> NewAttempt<'_> {
    NewAttempt {
        source: SOURCE_CLI,
        profile: "default",
        base_url: BASE_URL,
        request_json: json,
    }
}

pub(super) fn created(job_id: &str) -> Created {
    Created {
        job_id: job_id.to_owned(),
        environment_name: Some("production".into()),
        environment_app_token: Some("NX-RE213S2".into()),
        start_time: Some("2026-11-27T10:15:00Z".into()),
        links: Some("https://example.invalid/links".into()),
    }
}

pub(super) fn failed(kind: &str, status: Option<u16>) -> Failed {
    Failed {
        kind: kind.to_owned(),
        http_status: status,
        message: format!("{kind} happened"),
    }
}

pub(super) fn db_path(dir: &tempfile::TempDir) -> PathBuf {
    dir.path().join("history.sqlite3")
}

/// Open a file store that must open without warnings.
pub(super) fn open_clean(path: &Path) -> HistoryStore {
    let report = HistoryStore::open(path).expect("history opens");
    assert!(report.warnings.is_empty(), "{:?}", report.warnings);
    report.store
}

/// Insert `n` created-and-completed rows in one statement and transaction.
/// Job ids are `bulk-<id>`.
pub(super) fn bulk_insert(store: &HistoryStore, n: u64) {
    store
        .fill_synthetic(n, r#"{"format":"csv","n":{n}}"#)
        .unwrap();
}

/// The files in `dir` whose names start with `prefix`, sorted.
pub(super) fn files_starting(dir: &Path, prefix: &str) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with(prefix))
        })
        .collect();
    v.sort();
    v
}
