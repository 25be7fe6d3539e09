//! `kill -9` of `upexport sync` in each phase of a partition: while its
//! export is being created, while its job runs, while a part uploads, and
//! between the last part and the manifest. Each time the next run
//! completes every day, exports none twice (the killed partition's job is
//! followed again when it was created; complete partitions are not
//! exported again), and leaves no half partition. The kill comes once the
//! phase is observable (a history row, a request held by the demo or by
//! the S3 proxy), never after a sleep.

use super::harness::{NAME, Rig, d, days};
use crate::support::s3proxy::{Match, Seen};
use crate::support::{WAIT_LIMIT, json, signal, wait_for, within};

/// Three days from 2026-11-01; the second is the one killed.
fn three() -> Vec<String> {
    days("2026-11-01", 3)
}

/// Kill the run in `child` (-9) and wait until it is gone.
fn kill9(child: &mut crate::support::Kill) {
    signal(child.0.id(), "KILL");
    let status = child.0.wait().expect("wait for the killed run");
    assert!(!status.success(), "the run ended before it was killed");
}

/// The run after the kill: exit 0, every day complete and exported once.
async fn rerun_completes(rig: &Rig, days: &[String]) {
    let r = rig.sync(&["--until", &days[2], "--json"]).await;
    assert_eq!(r.code, Some(0), "{}", r.all());
    let v = json(&r.stdout);
    assert_eq!(v["syncs"][0]["missing"], serde_json::json!([]), "{v}");
    rig.consistent().await.all_once(days);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_while_its_job_runs_the_next_run_follows_the_same_job() {
    let Some(rig) = Rig::start(0.2, 20).await else {
        return;
    };
    within(async {
        let days = three();
        rig.define(&days[0], "csv");
        rig.demo.slow_days(&[d(&days[1])]);
        let (mut child, _err) = rig.spawn(&["--until", &days[2]]);
        let job = rig.wait_recorded(&days[1], "running");
        kill9(&mut child);
        // Half way: the first day whole, the second running with its job,
        // nothing of it at the destination.
        let seen = rig.consistent().await;
        assert_eq!(seen.states[&days[0]], "complete");
        assert_eq!(seen.states[&days[1]], "running");
        assert!(
            !seen.objects.contains_key(&days[1]),
            "{:?}",
            seen.objects.keys()
        );

        rig.demo.finish_running_jobs();
        rerun_completes(&rig, &days).await;
        assert_eq!(
            rig.partitions()[&days[1]].job_id.as_deref(),
            Some(job.as_str())
        );
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_while_its_export_is_created_the_next_run_creates_it_once() {
    let Some(rig) = Rig::start(0.2, 20).await else {
        return;
    };
    within(async {
        let days = three();
        rig.define(&days[0], "csv");
        rig.demo.hold_creates(&[d(&days[1])]);
        let (mut child, _err) = rig.spawn(&["--until", &days[2]]);
        // The second day's create has reached the server, which holds it.
        wait_for("the second day's create", WAIT_LIMIT, || {
            rig.creates().contains_key(&days[1]).then_some(())
        });
        kill9(&mut child);
        let p = rig.partitions().remove(&days[1]).expect("recorded");
        assert_eq!((p.state.as_str(), p.job_id.as_deref()), ("running", None));
        rig.consistent().await;

        rig.demo.hold_creates(&[]);
        let r = rig.sync(&["--until", &days[2], "--json"]).await;
        assert_eq!(r.code, Some(0), "{}", r.all());
        let seen = rig.consistent().await;
        for dt in &days {
            assert_eq!(seen.states[dt], "complete");
            assert_eq!(seen.exports.get(dt), Some(&1), "{:?}", seen.exports);
        }
        // The held create made no job; the second day was created once
        // more, the others once.
        assert_eq!(seen.creates[&days[0]], 1);
        assert_eq!(seen.creates[&days[1]], 2);
        assert_eq!(seen.creates[&days[2]], 1);
    })
    .await;
}

/// Kill the run while the S3 proxy holds the request matching `at` for
/// the second day; then the next run.
async fn killed_at_the_store(at: &[&str], method: &str) -> (Rig, Vec<String>) {
    killed_at_the_store_once(at, method, |_| true).await
}

/// As [`killed_at_the_store`], killing only once `also` holds of what the
/// proxy has seen besides.
async fn killed_at_the_store_once(
    at: &[&str],
    method: &str,
    also: impl Fn(&[Seen]) -> bool,
) -> (Rig, Vec<String>) {
    let rig = Rig::start(0.2, 20).await.expect("moto_server");
    let days = three();
    rig.define(&days[0], "csv");
    // (`=` goes percent-encoded in the path: match the day alone.)
    let folder = days[1].clone();
    let mut contains = vec![folder.as_str()];
    contains.extend_from_slice(at);
    let held = Match::new(method, &contains);
    rig.proxy.set(|f| f.hold = Some(held.clone()));
    let (mut child, _err) = rig.spawn(&["--until", &days[2]]);
    wait_for(
        &format!("the store request {held:?} held"),
        WAIT_LIMIT,
        || {
            let log = rig.proxy.log();
            (log.iter()
                .any(|s| s.status == 0 && s.target.contains(&folder))
                && also(&log))
            .then_some(())
        },
    );
    kill9(&mut child);
    rig.proxy.set(|f| f.hold = None);
    (rig, days)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_while_a_part_uploads_nothing_half_is_seen_and_the_job_is_followed_again() {
    if !crate::support::require_tool("moto_server") {
        return;
    }
    within(async {
        let (rig, days) = killed_at_the_store(&["part-0001.csv", "partNumber="], "PUT").await;
        let seen = rig.consistent().await;
        assert_eq!(seen.states[&days[1]], "running");
        assert!(
            !seen.objects.contains_key(&days[1]),
            "an unfinished upload is not visible: {:?}",
            seen.objects
                .get(&days[1])
                .map(|f| f.keys().collect::<Vec<_>>())
        );
        let job = rig.partitions()[&days[1]].job_id.clone().expect("its job");
        rerun_completes(&rig, &days).await;
        assert_eq!(rig.partitions()[&days[1]].job_id, Some(job));
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_between_the_parts_and_the_manifest_the_next_run_rewrites_the_partition() {
    if !crate::support::require_tool("moto_server") {
        return;
    }
    within(async {
        let (rig, days) = killed_at_the_store(&["_manifest.json"], "PUT").await;
        let seen = rig.consistent().await;
        assert_eq!(seen.states[&days[1]], "running");
        // Both parts are there, but no manifest: readers that look for it
        // do not see the day.
        let names: Vec<&String> = seen.objects[&days[1]].keys().collect();
        assert_eq!(names, ["part-0001.csv", "part-0002.csv"], "{NAME}");
        rerun_completes(&rig, &days).await;
    })
    .await;
}

/// A part's upload completes while the next part streams: with the first
/// part's completion held, the second part's bytes still go up. Killed
/// then, neither part's completion reached the store's answer, no
/// manifest was written, and the next run writes the day whole.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_while_a_part_completes_the_next_part_had_streamed_and_the_next_run_rewrites_the_day()
 {
    if !crate::support::require_tool("moto_server") {
        return;
    }
    within(async {
        let part_two_sent = |log: &[Seen]| {
            log.iter().any(|s| {
                s.method == "PUT"
                    && s.target.contains("part-0002.csv")
                    && s.target.contains("partNumber=")
                    && s.status == 200
            })
        };
        let (rig, days) =
            killed_at_the_store_once(&["part-0001.csv", "uploadId="], "POST", part_two_sent).await;
        let seen = rig.consistent().await;
        assert_eq!(seen.states[&days[1]], "running");
        let names = seen.names(&days[1]);
        assert!(
            !names
                .iter()
                .any(|n| *n == "part-0001.csv" || n.starts_with('_')),
            "the held part and the manifest are not there: {names:?}"
        );
        rerun_completes(&rig, &days).await;
    })
    .await;
}
