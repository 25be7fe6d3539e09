//! Newest-first paging, by offset and by key, small and large.

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
