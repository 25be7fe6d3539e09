//! The history store at a million entries: opening it and reading the
//! first page the way the TUI does, appending an attempt (WAL), the exact
//! count, and a page deep in the list.

use std::path::PathBuf;
use std::sync::OnceLock;

use divan::Bencher;
use upexport::history::{HistoryStore, NewAttempt, SOURCE_TUI};
use upexport::tui::runner::history::load_page;

fn main() {
    divan::main();
}

const ROWS: u64 = 1_000_000;
/// What the TUI asks for first at 200x60: the visible rows and a margin.
const FIRST_PAGE: u32 = 150;

const TEMPLATE: &str = r#"{"from":"2026-11-01","to":"2026-11-26","event_type":["track","page_view"],"user_id":["u{n}"],"format":"csv"}"#;

/// A file store of a million entries, made once per run.
fn million() -> &'static PathBuf {
    static DB: OnceLock<(tempfile::TempDir, PathBuf)> = OnceLock::new();
    &DB.get_or_init(|| {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("history.sqlite3");
        let store = HistoryStore::open(&path).expect("open").store;
        store.fill_synthetic(ROWS, TEMPLATE).expect("fill");
        drop(store);
        (dir, path)
    })
    .1
}

/// Open the file and read the first page with its total, as a fresh TUI
/// does before showing the history.
#[divan::bench(sample_count = 30)]
fn open_and_first_page_1m(bencher: Bencher) {
    let path = million();
    bencher.bench_local(|| {
        let store = HistoryStore::open(path).expect("open").store;
        let page = load_page(&store, None, 0, FIRST_PAGE).expect("page");
        assert!(page.total >= ROWS);
        divan::black_box(page.entries.len())
    });
}

/// Record one new attempt (BEGIN IMMEDIATE, insert, commit; WAL with
/// synchronous=NORMAL: no fsync per commit).
#[divan::bench(sample_count = 200)]
fn append_1m(bencher: Bencher) {
    let store = HistoryStore::open(million()).expect("open").store;
    let attempt = NewAttempt {
        source: SOURCE_TUI,
        profile: "bench",
        base_url: "https://appex.userpilot.io",
        request_json: r#"{"from":"2026-11-01","format":"csv"}"#,
    };
    bencher.bench_local(|| store.begin_attempt(&attempt).expect("append"));
}

/// The exact count read from the table (what every page load paid before
/// counts were remembered).
#[divan::bench(sample_count = 10)]
fn full_count_1m(bencher: Bencher) {
    let path = million();
    bencher.bench_local(|| {
        // A fresh connection: nothing remembered.
        let store = HistoryStore::open(path).expect("open").store;
        divan::black_box(store.count().expect("count"))
    });
}

/// A page in the middle of the list (offset paging walks the rows
/// skipped).
#[divan::bench(sample_count = 10)]
fn page_at_half_1m(bencher: Bencher) {
    let store = HistoryStore::open(million()).expect("open").store;
    bencher.bench_local(|| {
        let page = load_page(&store, None, ROWS / 2, FIRST_PAGE).expect("page");
        divan::black_box(page.entries.len())
    });
}
