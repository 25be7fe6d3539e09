//! `upexport::jobs::lookups` against the demo server.

use serde_json::json;
use upexport::demo::FaultMode;
use upexport::jobs::lookups::{self, LookupCache, event_types, filter, segments};

use crate::support::demo::{client, client_for, server};
use crate::support::within;

fn lookup_requests(s: &upexport::demo::DemoServer, name: &str) -> usize {
    let path = format!("/api/v1/analytics/exports/lookups/{name}");
    s.requests()
        .iter()
        .filter(|r| r.path.split('?').next() == Some(path.as_str()))
        .count()
}

#[tokio::test]
async fn segments_are_cached_across_pages_and_read_back_without_network() {
    within(async {
        let s = server(FaultMode::Normal, 300).await;
        let c = client(&s);
        let base = s.base_url();
        let dir = tempfile::tempdir().unwrap();
        let cache = LookupCache::new(dir.path(), "default", &base);
        assert!(cache.get("segments").is_none());

        let got = lookups::load(&cache, &c, "segments", false).await.unwrap();
        let ids: Vec<u64> = got
            .items
            .iter()
            .map(|v| v["id"].as_u64().unwrap())
            .collect();
        assert_eq!(ids, (101..=220).collect::<Vec<_>>(), "all 3 pages");
        assert_eq!(lookup_requests(&s, "segments"), 3);
        let path = cache.path("segments");
        assert!(path.starts_with(dir.path().join("lookups").join("default")));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600);
            let dmode = std::fs::metadata(cache.dir()).unwrap().permissions().mode() & 0o777;
            assert_eq!(dmode, 0o700);
        }
        let leftovers: Vec<_> = std::fs::read_dir(cache.dir())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .filter(|n| n.to_string_lossy().ends_with(".tmp"))
            .collect();
        assert!(leftovers.is_empty(), "{leftovers:?}");

        // Read back a second time: no request.
        let again = lookups::load(&cache, &c, "segments", false).await.unwrap();
        assert_eq!(again, got, "items and fetched_at round-trip");
        assert_eq!(lookup_requests(&s, "segments"), 3);

        // With the server gone, a new client and a new cache handle still
        // read it.
        s.shutdown().await;
        let offline = client_for(&base);
        let cache2 = LookupCache::new(dir.path(), "default", &base);
        let read = lookups::load(&cache2, &offline, "segments", false)
            .await
            .unwrap();
        assert_eq!(read, got);
        // A refresh needs the network, fails, and leaves the cache as it was.
        let e = lookups::load(&cache2, &offline, "segments", true)
            .await
            .unwrap_err();
        assert_eq!(e.kind().as_str(), "connect", "{e}");
        assert_eq!(cache2.get("segments").unwrap(), got);
    })
    .await;
}

#[tokio::test]
async fn refresh_fetches_again_and_replaces_the_cache() {
    within(async {
        let s = server(FaultMode::Normal, 300).await;
        let c = client(&s);
        let dir = tempfile::tempdir().unwrap();
        let cache = LookupCache::new(dir.path(), "p", &s.base_url());
        cache
            .put("flows", &[json!({"id": 1, "title": "Old"})])
            .unwrap();
        let old = cache.get("flows").unwrap();

        let got = lookups::load(&cache, &c, "flows", false).await.unwrap();
        assert_eq!(got, old, "the cached value, however old");
        assert_eq!(lookup_requests(&s, "flows"), 0);

        let fresh = lookups::load(&cache, &c, "flows", true).await.unwrap();
        assert_eq!(lookup_requests(&s, "flows"), 1);
        assert_eq!(fresh.items.len(), 8);
        assert_eq!(fresh.items[0]["title"], "Onboarding Flow");
        assert!(fresh.fetched_at >= old.fetched_at);
        assert_eq!(cache.get("flows").unwrap(), fresh);
    })
    .await;
}

const HOST: &str = "http://127.0.0.1:9/";

/// One profile pointed at two servers (`--base-url`): each keeps its own
/// lookups, so the first server's segments never show for the second.
#[test]
fn servers_are_kept_apart_within_a_profile() {
    let dir = tempfile::tempdir().unwrap();
    let a = LookupCache::new(dir.path(), "default", "http://127.0.0.1:9/");
    let b = LookupCache::new(dir.path(), "default", "http://127.0.0.1:10");
    let same = LookupCache::new(dir.path(), "default", "http://127.0.0.1:9/api/v1");
    a.put("segments", &[json!({"id": 1})]).unwrap();
    assert!(b.get("segments").is_none(), "another server's cache");
    assert_eq!(
        same.get("segments").unwrap().items,
        [json!({"id": 1})],
        "same host and port"
    );
    assert_ne!(a.dir(), b.dir());
}

#[tokio::test]
async fn profiles_are_kept_apart() {
    within(async {
        let s = server(FaultMode::Normal, 300).await;
        let c = client(&s);
        let dir = tempfile::tempdir().unwrap();
        let a = LookupCache::new(dir.path(), "prod", HOST);
        let b = LookupCache::new(dir.path(), "staging", HOST);
        lookups::load(&a, &c, "surveys", false).await.unwrap();
        assert!(a.get("surveys").is_some());
        assert!(b.get("surveys").is_none(), "another profile's cache");
        b.put("surveys", &[json!({"id": 9})]).unwrap();
        assert_eq!(a.get("surveys").unwrap().items.len(), 4);
        assert_eq!(b.get("surveys").unwrap().items.len(), 1);

        // Odd profile and lookup names stay inside the cache directory and
        // do not collide.
        let root = dir.path().join("lookups");
        for (p, n) in [("../../x", "segments"), ("a/b", "../flows"), ("", ".")] {
            let c = LookupCache::new(dir.path(), p, HOST);
            c.put(n, &[json!(1)]).unwrap();
            let path = c.path(n);
            assert_eq!(
                path.parent().unwrap().parent().unwrap().parent().unwrap(),
                root,
                "{path:?}"
            );
            assert_eq!(c.get(n).unwrap().items, [json!(1)]);
        }
        assert!(
            LookupCache::new(dir.path(), "a/b", HOST)
                .get("surveys")
                .is_none()
        );
        assert!(
            LookupCache::new(dir.path(), "a_b", HOST)
                .get("../flows")
                .is_none()
        );
    })
    .await;
}

#[tokio::test]
async fn an_unreadable_cache_file_is_ignored_and_replaced() {
    within(async {
        let s = server(FaultMode::Normal, 300).await;
        let c = client(&s);
        let dir = tempfile::tempdir().unwrap();
        let cache = LookupCache::new(dir.path(), "default", &s.base_url());
        std::fs::create_dir_all(cache.dir()).unwrap();
        for bad in [
            &b"{\"version\":1,\"fetched_at\":\"2026-01-01T00:00:00Z\",\"items\":[{\"id\""[..],
            b"\x00\xff garbage",
            b"{\"version\":99,\"fetched_at\":\"2026-01-01T00:00:00Z\",\"items\":[]}",
            b"{\"version\":1,\"fetched_at\":\"yesterday\",\"items\":[]}",
            b"[]",
        ] {
            std::fs::write(cache.path("banners"), bad).unwrap();
            assert!(
                cache.get("banners").is_none(),
                "{}",
                String::from_utf8_lossy(bad)
            );
        }
        let got = lookups::load(&cache, &c, "banners", false).await.unwrap();
        assert_eq!(got.items.len(), 3);
        assert_eq!(lookup_requests(&s, "banners"), 1);
        assert_eq!(cache.get("banners").unwrap(), got);

        // A directory where the file should be: no cache, no crash; the
        // fetch still answers even though it cannot be stored.
        std::fs::create_dir(cache.path("embeds")).unwrap();
        assert!(cache.get("embeds").is_none());
        let got = lookups::load(&cache, &c, "embeds", false).await.unwrap();
        assert_eq!(got.items.len(), 2);
        assert!(cache.put("embeds", &got.items).is_err());
    })
    .await;
}

#[tokio::test]
async fn choices_from_the_demo_lookups_filter_as_typed() {
    within(async {
        let s = server(FaultMode::Normal, 300).await;
        let c = client(&s);
        let dir = tempfile::tempdir().unwrap();
        let cache = LookupCache::new(dir.path(), "default", &s.base_url());
        let segs = lookups::load(&cache, &c, "segments", false).await.unwrap();
        let choices = segments(&segs.items);
        assert_eq!(choices.len(), 120);
        let hidden = choices
            .iter()
            .position(|c| c.detail.as_deref().is_some_and(|d| d.ends_with("hidden")))
            .expect("some hidden");
        assert!(
            choices[hidden..]
                .iter()
                .all(|c| c.detail.as_deref().unwrap().ends_with("· hidden")),
            "hidden ones last"
        );
        assert_eq!(choices[0].id, "101");
        assert_eq!(choices[0].label, "Active Users");
        assert_eq!(choices[0].detail.as_deref(), Some("user · published"));

        let hits: Vec<&str> = filter(&choices, "active ADMINS")
            .iter()
            .map(|c| c.label.as_str())
            .collect();
        assert_eq!(hits, ["Active Admins"]);
        let eu: Vec<&str> = filter(&choices, "eu")
            .iter()
            .map(|c| c.label.as_str())
            .collect();
        assert_eq!(eu.len(), 10, "{eu:?}");
        assert!(eu.iter().all(|l| l.starts_with("EU ")), "{eu:?}");
        let by_id: Vec<&str> = filter(&choices, "220")
            .iter()
            .map(|c| c.id.as_str())
            .collect();
        assert_eq!(by_id, ["220"]);

        // Event types are the documented ones; feature keys are not event
        // types and are not among them.
        let features = lookups::load(&cache, &c, "features_events", false)
            .await
            .unwrap();
        assert!(!features.items.is_empty());
        let types = event_types();
        assert_eq!(types.len(), 7);
        assert_eq!(types[0].id, "identify_user");
        let t: Vec<&str> = filter(&types, "feature")
            .iter()
            .map(|c| c.id.as_str())
            .collect();
        assert_eq!(t, ["track_feature"]);
    })
    .await;
}

/// A list cut off because the server's paging went wrong is shown, but
/// never cached as if it were complete; a complete one is cached.
#[tokio::test]
async fn a_cut_off_list_is_not_cached() {
    within(async {
        let (base, _) = crate::api::lookup_paging::paging_server().await;
        let c = client_for(&base);
        let dir = tempfile::tempdir().unwrap();
        let cache = LookupCache::new(dir.path(), "default", &base);
        let got = lookups::load(&cache, &c, "ignores_cursor", false)
            .await
            .unwrap();
        assert_eq!(got.items.len(), 50);
        assert!(cache.get("ignores_cursor").is_none(), "not cached");
        let got = lookups::load(&cache, &c, "overlap", false).await.unwrap();
        assert_eq!(got.items.len(), 120);
        assert_eq!(cache.get("overlap").unwrap().items, got.items, "cached");
    })
    .await;
}
