//! Newest-first paging, by offset and by key, small and large.

use std::time::Instant;

use super::*;

fn ids(entries: &[Entry]) -> Vec<i64> {
    entries.iter().map(|e| e.id).collect()
}

#[test]
fn offset_and_keyset_pages_agree_newest_first() {
    let store = HistoryStore::open_in_memory().unwrap();
    for n in 0..25 {
        let id = store.begin_attempt(&attempt(&body(n))).unwrap();
        match n % 3 {
            0 => store
                .record_created(id, &created(&format!("job-{n}")))
                .unwrap(),
            1 => store
                .record_failed(id, &failed("conflict", Some(409)))
                .unwrap(),
            _ => {} // left sending
        }
    }
    assert_eq!(store.count().unwrap(), 25);

    let all = store.page(0, 100).unwrap();
    assert_eq!(ids(&all), (1..=25).rev().collect::<Vec<_>>());
    assert_eq!(all[0].request_json, body(24));
    assert_eq!(store.page_before(None, 100).unwrap(), all);

    let mut keyset = Vec::new();
    let mut before = None;
    for page in 0..3u64 {
        let by_offset = store.page(page * 10, 10).unwrap();
        let by_key = store.page_before(before, 10).unwrap();
        assert_eq!(by_offset, by_key, "page {page}");
        before = by_key.last().map(|e| e.id);
        keyset.extend(by_key);
    }
    assert_eq!(keyset, all);
    assert_eq!(ids(&store.page(20, 10).unwrap()).len(), 5);
    assert!(store.page(25, 10).unwrap().is_empty());
    assert!(store.page(u64::MAX, 10).unwrap().is_empty());
    assert!(store.page_before(Some(1), 10).unwrap().is_empty());
    assert!(store.page(0, 0).unwrap().is_empty());
}

/// Fill a file store with `n` rows, reopen it and read the first pages.
/// Correctness only; times are printed (see `--nocapture`), not asserted.
fn large_store(n: u64) {
    let dir = tempfile::tempdir().unwrap();
    let path = db_path(&dir);
    {
        let store = open_clean(&path);
        let t = Instant::now();
        bulk_insert(&store, n);
        eprintln!("{n} rows inserted in {:?}", t.elapsed());
    }
    let t = Instant::now();
    let store = open_clean(&path);
    let first = store.page(0, 50).unwrap();
    eprintln!("reopened and first page read in {:?}", t.elapsed());

    assert_eq!(
        ids(&first),
        (n as i64 - 49..=n as i64).rev().collect::<Vec<_>>()
    );
    assert_eq!(
        first[0].request_json,
        format!(r#"{{"format":"csv","n":{n}}}"#)
    );
    assert_eq!(
        first[0].created.as_ref().unwrap().job_id,
        format!("bulk-{n}")
    );
    let next = store.page_before(first.last().map(|e| e.id), 50).unwrap();
    assert_eq!(next, store.page(50, 50).unwrap());
    assert_eq!(next[0].id, n as i64 - 50);

    let t = Instant::now();
    assert_eq!(store.count().unwrap(), n);
    eprintln!("counted in {:?}", t.elapsed());
    assert_eq!(store.by_job(BASE_URL, "bulk-1").unwrap().unwrap().id, 1);
    assert!(store.unfinished_jobs().unwrap().is_empty());

    // New attempts go on top.
    let id = store.begin_attempt(&attempt(&body(0))).unwrap();
    assert_eq!(id, n as i64 + 1);
    assert_eq!(ids(&store.page(0, 1).unwrap()), vec![id]);
    assert_eq!(ids(&store.unfinished_jobs().unwrap()), Vec::<i64>::new());
    store.record_created(id, &created("fresh")).unwrap();
    assert_eq!(ids(&store.unfinished_jobs().unwrap()), vec![id]);
}

#[test]
fn a_hundred_thousand_rows_page_correctly() {
    large_store(100_000);
}

#[test]
#[ignore = "slow in debug builds (about a million rows); run with --ignored"]
fn a_million_rows_open_and_page() {
    large_store(1_000_000);
}

/// The count is read once, then kept up to date by this store's inserts;
/// another process's commit makes the next count read the table again. The
/// quick count is the id span: exact without deletions, an upper bound
/// with them, and exact again once counted.
#[test]
fn counts_follow_own_and_other_writers_and_deletions() {
    let dir = tempfile::tempdir().unwrap();
    let path = db_path(&dir);
    let a = open_clean(&path);
    let b = open_clean(&path);
    assert_eq!(a.count_quick().unwrap(), (0, false));
    assert_eq!(a.count().unwrap(), 0);
    assert_eq!(a.count_quick().unwrap(), (0, true));
    for n in 0..5 {
        a.begin_attempt(&attempt(&body(n))).unwrap();
    }
    assert_eq!(a.count_quick().unwrap(), (5, true));
    assert_eq!(a.count().unwrap(), 5);

    // Another connection adds two: the remembered count is no longer used.
    b.begin_attempt(&attempt(&body(5))).unwrap();
    b.begin_attempt(&attempt(&body(6))).unwrap();
    assert_eq!(a.count_quick().unwrap(), (7, false));
    assert_eq!(a.count().unwrap(), 7);
    assert_eq!(b.count().unwrap(), 7);

    // Rows deleted by hand: the id span is too big until counted again.
    let raw = rusqlite::Connection::open(&path).unwrap();
    raw.execute("DELETE FROM attempts WHERE id IN (2, 3)", [])
        .unwrap();
    drop(raw);
    assert_eq!(a.count_quick().unwrap(), (7, false));
    assert_eq!(a.count().unwrap(), 5);
    assert_eq!(a.count_quick().unwrap(), (5, true));
    a.begin_attempt(&attempt(&body(7))).unwrap();
    assert_eq!(a.count_quick().unwrap(), (6, true));
    assert_eq!(b.count().unwrap(), 6);

    // Bulk fills forget the remembered count.
    a.fill_synthetic(3, "{}").unwrap();
    // Ids 1..=11 with 2 and 3 gone: the span says 11, the count 9.
    assert_eq!(a.count_quick().unwrap(), (11, false));
    assert_eq!(a.count().unwrap(), 9);
}
