//! The object store misbehaving, through the fault proxy in front of moto:
//! 500s and 503s (retried with backoff, a bounded number of times), a
//! part's completion that keeps failing, a slow store,
//! refused credentials (exit 3, naming the variables) and a missing
//! bucket (exit 2 before any export). Each ends with the destination and
//! history consistent.

use std::time::Duration;

use upexport::sync::dest::RETRIES;

use super::harness::{NAME, Rig, days};
use crate::support::s3proxy::Match;
use crate::support::{json, within};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn store_500s_and_503s_are_retried_and_the_run_completes() {
    let Some(rig) = Rig::start(0.2, 20).await else {
        return;
    };
    within(async {
        let two = days("2026-11-01", 2);
        rig.define(&two[0], "csv");
        // The first write of the second day (a part's upload) answered
        // 500 InternalError and 503 SlowDown, four times in a row.
        let faulty = Match::new("PUT", &[two[1].as_str()]);
        rig.proxy.set(|f| {
            f.fail = vec![500, 503, 500, 503];
            f.fail_match = Some(faulty.clone());
        });
        let r = rig.sync(&["--until", &two[1]]).await;
        assert_eq!(r.code, Some(0), "{}", r.all());
        let answered: Vec<u16> = rig
            .proxy
            .log()
            .iter()
            .filter(|s| s.method == "PUT" && s.target.contains(two[1].as_str()))
            .map(|s| s.status)
            .collect();
        assert_eq!(answered[..5], [500, 503, 500, 503, 200], "{answered:?}");
        rig.consistent().await.all_once(&two);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_store_that_keeps_answering_503_fails_the_run_after_a_bounded_number_of_retries() {
    let Some(rig) = Rig::start(0.2, 20).await else {
        return;
    };
    within(async {
        let two = days("2026-11-01", 2);
        rig.define(&two[0], "csv");
        rig.proxy.set(|f| f.always_503 = true);
        let r = rig.sync(&["--until", &two[1], "--json"]).await;
        assert_eq!(r.code, Some(5), "{}", r.all());
        let v = json(&r.stdout);
        assert_eq!(v["syncs"][0]["error"]["kind"], "storage", "{v}");
        // The write check: the first try and RETRIES more, no more.
        let tries = rig
            .proxy
            .count(&Match::new("PUT", &[".upexport-write-check"]));
        assert_eq!(tries, RETRIES + 1, "{:?}", rig.proxy.log());
        assert!(rig.creates().is_empty(), "nothing was exported");
        rig.proxy.set(|f| f.always_503 = false);
        let seen = rig.consistent().await;
        assert!(
            seen.states.is_empty() && seen.objects.is_empty(),
            "{seen:?}"
        );
    })
    .await;
}

/// A part's upload whose completion keeps failing (it completes while
/// the next part streams) fails the run once every part has ended: no
/// manifest, the day not complete, nothing left open; the next run writes
/// the day whole.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_part_whose_completion_keeps_failing_fails_the_run_without_a_manifest() {
    let Some(rig) = Rig::start(0.2, 20).await else {
        return;
    };
    within(async {
        let two = days("2026-11-01", 2);
        rig.define(&two[0], "csv");
        let complete = Match::new("POST", &[two[1].as_str(), "part-0001.csv", "uploadId="]);
        rig.proxy.set(|f| {
            f.fail = vec![500; RETRIES + 1];
            f.fail_match = Some(complete.clone());
        });
        let r = rig.sync(&["--until", &two[1], "--json"]).await;
        assert_eq!(r.code, Some(5), "{}", r.all());
        let v = json(&r.stdout);
        assert_eq!(v["syncs"][0]["error"]["kind"], "storage", "{v}");
        assert_eq!(rig.proxy.count(&complete), RETRIES + 1);
        // The second part streamed while the first was completing (one
        // after the other, a failed completion would have stopped it).
        let second = Match::new("PUT", &[two[1].as_str(), "part-0002.csv", "partNumber="]);
        assert!(
            rig.proxy
                .log()
                .iter()
                .any(|s| second.hits(&s.method, &s.target) && s.status == 200),
            "{:?}",
            rig.proxy.log()
        );
        let seen = rig.consistent().await;
        assert_eq!(seen.states[&two[0]], "complete");
        assert_ne!(
            seen.states.get(&two[1]).map(String::as_str),
            Some("complete")
        );
        let names = seen.names(&two[1]);
        assert!(
            !names.iter().any(|n| n.starts_with('_')),
            "no manifest: {names:?}"
        );

        rig.proxy.set(|f| f.fail_match = None);
        let r = rig.sync(&["--until", &two[1]]).await;
        assert_eq!(r.code, Some(0), "{}", r.all());
        rig.consistent().await.all_once(&two);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_store_is_waited_for() {
    let Some(rig) = Rig::start(0.2, 20).await else {
        return;
    };
    within(async {
        let two = days("2026-11-01", 2);
        rig.define(&two[0], "parquet");
        rig.proxy.set(|f| f.delay = Duration::from_millis(400));
        let r = rig.sync(&["--until", &two[1]]).await;
        assert_eq!(r.code, Some(0), "{}", r.all());
        rig.consistent().await.all_once(&two);
        // Every request went through the slow proxy.
        assert!(
            rig.proxy
                .log()
                .iter()
                .all(|s| s.status != 0 && s.status < 300)
        );
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refused_storage_credentials_exit_3_naming_the_variables_before_any_export() {
    let Some(rig) = Rig::start(0.2, 20).await else {
        return;
    };
    within(async {
        let two = days("2026-11-01", 2);
        rig.define(&two[0], "csv");
        rig.proxy.set(|f| f.deny = true);
        let r = rig.sync(&["--until", &two[1]]).await;
        assert_eq!(r.code, Some(3), "{}", r.all());
        assert!(
            r.stderr.contains("credentials were refused"),
            "{}",
            r.stderr
        );
        assert!(r.stderr.contains("AWS_ACCESS_KEY_ID"), "{}", r.stderr);
        assert!(
            !r.stderr.contains("testing"),
            "no secret in the message: {}",
            r.stderr
        );
        assert!(rig.demo.requests().is_empty(), "the API was not called");
        rig.proxy.set(|f| f.deny = false);
        let seen = rig.consistent().await;
        assert!(
            seen.states.is_empty() && seen.objects.is_empty(),
            "{seen:?}"
        );
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_missing_bucket_exits_2_before_any_export() {
    let Some(rig) = Rig::start(0.2, 20).await else {
        return;
    };
    within(async {
        let two = days("2026-11-01", 2);
        rig.sb.write_config(&format!(
            "[sync.{NAME}]\nstart = \"{}\"\ndestination = \"s3://no-such-bucket/userpilot\"\n",
            two[0]
        ));
        let r = rig.sync(&["--until", &two[1]]).await;
        assert_eq!(r.code, Some(2), "{}", r.all());
        assert!(r.stderr.contains("does not exist"), "{}", r.stderr);
        assert!(r.stderr.contains("no-such-bucket"), "{}", r.stderr);
        assert!(rig.demo.requests().is_empty(), "the API was not called");
        // Nothing recorded for it, nothing written to the bucket there is.
        let recorded = rig
            .history()
            .sync_partitions(NAME, "s3://no-such-bucket/userpilot")
            .unwrap();
        assert!(recorded.is_empty(), "{recorded:?}");
        let seen = rig.consistent().await;
        assert!(
            seen.states.is_empty() && seen.objects.is_empty(),
            "{seen:?}"
        );
    })
    .await;
}
