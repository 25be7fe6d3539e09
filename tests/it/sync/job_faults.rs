//! The export side misbehaving: a job that fails (its partition recorded
//! failed, the others go on, the next run tries it again), someone else's
//! export running or slipping in first (a 409; both waited out), a day
//! with no events (an empty partition with a manifest saying 0 rows,
//! whether the API gives no files or files with no rows), and a clock
//! where "yesterday" changes during a run.
//! Each ends with the destination and history consistent.

use upexport::demo::EmptyDay;

use super::harness::{Rig, d, days};
use crate::support::sandbox::until;
use upexport::demo::DEMO_KEY;

use crate::support::{json, run_async, within};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_job_marks_its_partition_failed_the_others_go_on_and_the_next_run_retries_it() {
    let Some(rig) = Rig::start(0.2, 20).await else {
        return;
    };
    within(async {
        let three = days("2026-11-01", 3);
        rig.define(&three[0], "csv");
        rig.demo.fail_days(&[d(&three[1])]);
        let r = rig.sync(&["--until", &three[2], "--json"]).await;
        assert_eq!(r.code, Some(5), "{}", r.all());
        let v = json(&r.stdout);
        let s = &v["syncs"][0];
        assert_eq!(s["done"], serde_json::json!([three[0], three[2]]), "{v}");
        assert_eq!(s["failed"][0]["dt"], three[1].as_str(), "{v}");
        assert!(
            s["failed"][0]["error"].as_str().unwrap().contains("failed"),
            "{v}"
        );
        assert_eq!(s["missing"], serde_json::json!([three[1]]), "{v}");
        let seen = rig.consistent().await;
        assert_eq!(seen.states[&three[1]], "failed");
        assert!(!seen.objects.contains_key(&three[1]));

        rig.demo.fail_days(&[]);
        let r = rig.sync(&["--until", &three[2], "--json"]).await;
        assert_eq!(r.code, Some(0), "{}", r.all());
        let v = json(&r.stdout);
        assert_eq!(v["syncs"][0]["done"], serde_json::json!([three[1]]), "{v}");
        let seen = rig.consistent().await;
        for dt in &three {
            assert_eq!(seen.states[dt], "complete");
        }
        // The failed day was exported again, once; the others not again.
        assert_eq!(seen.exports[&three[0]], 1);
        assert_eq!(seen.exports[&three[1]], 2);
        assert_eq!(seen.exports[&three[2]], 1);
        assert_eq!(seen.creates, seen.exports);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn someone_elses_running_export_is_waited_out_then_the_sync_goes_on() {
    let Some(rig) = Rig::start(0.2, 20).await else {
        return;
    };
    within(async {
        let two = days("2026-11-01", 2);
        rig.define(&two[0], "csv");
        // Someone else's export, of another day, still running.
        let other_day = d("2026-10-01");
        rig.demo.slow_days(&[other_day]);
        let mut c = rig.sb.command(Some(DEMO_KEY));
        c.args(["submit", "--from", "2026-10-01", "--to", "2026-10-01"]);
        c.args(["--base-url", &rig.demo.base_url()]);
        let r = run_async(c, None).await;
        assert_eq!(r.code, Some(0), "{}", r.all());

        let (mut child, err) = rig.spawn(&["--until", &two[1]]);
        let said = tokio::task::spawn_blocking(move || until(&err, "to finish"))
            .await
            .unwrap();
        assert!(said.last().unwrap().contains("waiting for job"), "{said:?}");
        // While it waits, nothing of the sync's was created.
        assert!(
            rig.creates().keys().all(|k| k == "2026-10-01"),
            "{:?}",
            rig.creates()
        );
        rig.demo.finish_running_jobs();
        let status = tokio::task::spawn_blocking(move || child.0.wait())
            .await
            .unwrap()
            .unwrap();
        assert!(status.success(), "{status:?}");
        rig.consistent().await.all_once(&two);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_409_from_someone_elses_export_is_waited_out_and_the_day_sent_again_on_its_row() {
    let Some(rig) = Rig::start(0.2, 20).await else {
        return;
    };
    within(async {
        let two = days("2026-11-01", 2);
        rig.define(&two[0], "csv");
        // The second day's create loses a race: someone else's export
        // starts between the sync's look at the job list and its create.
        rig.demo.race_days(&[d(&two[1])]);
        let (mut child, err) = rig.spawn(&["--until", &two[1]]);
        let said = tokio::task::spawn_blocking(move || until(&err, "409: waiting for"))
            .await
            .unwrap();
        assert!(said.last().unwrap().contains("to finish"), "{said:?}");
        rig.demo.finish_running_jobs();
        let status = tokio::task::spawn_blocking(move || child.0.wait())
            .await
            .unwrap()
            .unwrap();
        assert!(status.success(), "{status:?}");
        let seen = rig.consistent().await;
        for dt in &two {
            assert_eq!(seen.states[dt], "complete");
            assert_eq!(seen.exports[dt], 1, "{:?}", seen.exports);
        }
        // The refused create and the one after it, on one history row
        // that counts the conflict.
        assert_eq!(seen.creates[&two[1]], 2, "{:?}", seen.creates);
        let rows: Vec<_> = rig
            .history()
            .page(0, 100)
            .unwrap()
            .into_iter()
            .filter(|e| e.request_json.contains(two[1].as_str()))
            .collect();
        assert_eq!(rows.len(), 1, "{rows:?}");
        assert_eq!(rows[0].conflicts, 1, "{rows:?}");
    })
    .await;
}

/// A sync of three days in `format`, the second with no events as `how`.
async fn empty_day(format: &str, how: EmptyDay) {
    let Some(rig) = Rig::start(0.2, 20).await else {
        return;
    };
    let three = days("2026-11-01", 3);
    rig.define(&three[0], format);
    rig.demo.empty_days(&[d(&three[1])], how);
    let r = rig.sync(&["--until", &three[2], "--json"]).await;
    assert_eq!(r.code, Some(0), "{}", r.all());
    let seen = rig.consistent().await;
    seen.all_once(&three);
    // Not a gap: a partition with a manifest saying 0 rows.
    assert_eq!(seen.rows[&three[1]], 0, "{:?}", seen.rows);
    assert_eq!(rig.partitions()[&three[1]].rows, Some(0));
    let m = json(&String::from_utf8_lossy(
        &seen.objects[&three[1]]["_manifest.json"],
    ));
    assert_eq!(m["rows"], 0, "{m}");
    let parts = m["files"].as_array().unwrap().len();
    match how {
        EmptyDay::NoFiles => assert_eq!(parts, 0, "{m}"),
        EmptyDay::NoRows => assert_eq!(parts, 2, "{m}"),
    }
    assert!(seen.rows[&three[0]] > 0 && seen.rows[&three[2]] > 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_day_with_no_events_and_no_files_is_an_empty_partition_not_a_gap() {
    within(empty_day("csv", EmptyDay::NoFiles)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_day_with_no_events_in_header_only_csv_files_is_an_empty_partition() {
    within(empty_day("csv", EmptyDay::NoRows)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_day_with_no_events_in_empty_ndjson_files_is_an_empty_partition() {
    within(empty_day("ndjson", EmptyDay::NoRows)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_day_with_no_events_in_row_less_parquet_files_is_an_empty_partition() {
    within(empty_day("parquet", EmptyDay::NoRows)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_run_keeps_the_last_day_it_started_with_when_midnight_passes_and_the_next_run_takes_the_new_day()
 {
    // Jobs of a second each: three of them take at least three seconds,
    // so a clock started half a second before midnight UTC passes it
    // during the run.
    let Some(rig) = Rig::start(1.0, 20).await else {
        return;
    };
    within(async {
        rig.define("2026-11-01", "csv");
        let mut c = rig.command(&["--json"]);
        c.env("UPEXPORT_TEST_NOW", "2026-11-04T23:59:59.500Z");
        let r = run_async(c, None).await;
        assert_eq!(r.code, Some(0), "{}", r.all());
        let v = json(&r.stdout);
        let s = &v["syncs"][0];
        assert_eq!(s["until"], "2026-11-03", "{v}");
        let first = days("2026-11-01", 3);
        assert_eq!(s["done"], serde_json::json!(first), "{v}");
        assert_eq!(s["missing"], serde_json::json!([]), "{v}");
        let seen = rig.consistent().await;
        seen.all_once(&first);
        assert!(!seen.states.contains_key("2026-11-04"), "{:?}", seen.states);

        let mut c = rig.command(&["--json"]);
        c.env("UPEXPORT_TEST_NOW", "2026-11-05T00:00:05Z");
        let r = run_async(c, None).await;
        assert_eq!(r.code, Some(0), "{}", r.all());
        let v = json(&r.stdout);
        assert_eq!(
            v["syncs"][0]["done"],
            serde_json::json!(["2026-11-04"]),
            "{v}"
        );
        rig.consistent().await.all_once(&days("2026-11-01", 4));
    })
    .await;
}
