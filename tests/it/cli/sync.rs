//! `upexport sync --dry-run`: the plan of each `[sync.NAME]` (partitions
//! from the start to yesterday in UTC, less those complete in history),
//! and the refusals that come before anything is sent.

use chrono::{Days, Utc};
use upexport::history::HistoryStore;

use upexport::demo::DEMO_KEY;

use crate::support::{Sandbox, json, run};

fn day(back: u64) -> String {
    (Utc::now().date_naive() - Days::new(back)).to_string()
}

#[track_caller]
fn expect(sb: &Sandbox, args: &[&str], code: i32) -> crate::support::Out {
    let r = run({
        let mut c = sb.cmd();
        c.args(args);
        c
    });
    assert_eq!(r.code, Some(code), "upexport {args:?}\n{}", r.all());
    r
}

#[test]
fn dry_run_plans_one_export_per_missing_day_up_to_yesterday_in_utc() {
    let sb = Sandbox::new();
    let dest = sb.root().join("lake");
    sb.write_config(&format!(
        "[sync.events]\nstart = \"{}\"\ndestination = \"{}\"\nformat = \"parquet\"\nevent_type = [\"track\"]\n",
        day(5),
        dest.display()
    ));
    let r = expect(&sb, &["sync", "--dry-run", "--json"], 0);
    let v = json(&r.stdout);
    assert_eq!(v["version"], 1, "{v}");
    let s = &v["syncs"][0];
    assert_eq!(s["name"], "events");
    assert_eq!(s["until"], day(1), "yesterday in UTC");
    let missing = s["missing"].as_array().unwrap();
    let dts: Vec<&str> = missing.iter().map(|m| m["dt"].as_str().unwrap()).collect();
    assert_eq!(dts, [day(5), day(4), day(3), day(2), day(1)]);
    assert_eq!(missing[0]["path"], format!("events/dt={}", day(5)));
    assert_eq!(
        missing[0]["request"],
        json(&format!(
            r#"{{"from":"{0}","to":"{0}","event_type":["track"],"format":"parquet"}}"#,
            day(5)
        ))
    );

    // A partition recorded complete is not planned again.
    let store = HistoryStore::open(&sb.db()).unwrap().store;
    store
        .sync_record(
            "events",
            &dest.display().to_string(),
            &day(3),
            "complete",
            None,
            Some((10, 1)),
            None,
        )
        .unwrap();
    store
        .sync_record(
            "events",
            &dest.display().to_string(),
            &day(2),
            "failed",
            None,
            None,
            Some("boom"),
        )
        .unwrap();
    let v = json(&expect(&sb, &["sync", "events", "--dry-run", "--json"], 0).stdout);
    let dts: Vec<String> = v["syncs"][0]["missing"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["dt"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        dts,
        [day(5), day(4), day(2), day(1)],
        "a failed one is planned again"
    );
    assert_eq!(v["syncs"][0]["complete"], 1);

    // --until stops earlier; the text form names the plan.
    let r = expect(&sb, &["sync", "--dry-run", "--until", &day(4)], 0);
    assert!(
        r.stdout.contains("to export: 2 partition(s)"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains("the last complete UTC day"),
        "{}",
        r.stdout
    );
}

/// Sha-256 of `bytes`, lowercase hex.
fn sha256(bytes: &[u8]) -> String {
    ring::digest::digest(&ring::digest::SHA256, bytes)
        .as_ref()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[test]
fn a_run_writes_each_day_with_its_manifest_last_and_a_second_run_does_nothing() {
    let sb = Sandbox::new();
    let server = sb.demo_server("normal", 0.2, &[]);
    let lake = sb.root().join("lake");
    sb.write_config(&format!(
        "[sync.events]\nstart = \"{}\"\ndestination = \"{}\"\nformat = \"csv\"\n",
        day(3),
        lake.display()
    ));
    let args = ["sync", "--base-url", &server.url, "--json"];
    let r = run({
        let mut c = sb.with_key(DEMO_KEY);
        c.args(args);
        c
    });
    assert_eq!(r.code, Some(0), "{}", r.all());
    let v = json(&r.stdout);
    let s = &v["syncs"][0];
    assert_eq!(
        s["done"],
        serde_json::json!([day(3), day(2), day(1)]),
        "{v}"
    );
    assert_eq!(s["missing"], serde_json::json!([]), "{v}");
    for back in [3, 2, 1] {
        let dir = lake.join("events").join(format!("dt={}", day(back)));
        let m = json(&std::fs::read_to_string(dir.join("_manifest.json")).unwrap());
        assert_eq!(m["partition"]["dt"], day(back), "{m}");
        assert_eq!(m["time_range"]["from"], day(back), "{m}");
        assert_eq!(m["complete"], true, "{m}");
        let files = m["files"].as_array().unwrap();
        assert!(!files.is_empty(), "{m}");
        let mut rows = 0;
        for f in files {
            let name = f["name"].as_str().unwrap();
            assert!(
                name.starts_with("part-") && name.ends_with(".csv"),
                "{name}"
            );
            let bytes = std::fs::read(dir.join(name)).unwrap();
            assert_eq!(f["sha256"], sha256(&bytes), "{name}");
            assert_eq!(f["size"], bytes.len(), "{name}");
            // A header, then one line per row (no line breaks in fields
            // of the demo's rows).
            let lines = bytes
                .split(|b| *b == b'\n')
                .filter(|l| !l.is_empty())
                .count();
            assert_eq!(f["rows"], lines - 1, "{name}");
            rows += lines - 1;
        }
        assert_eq!(m["rows"], rows, "{m}");
    }
    // History says which job made each partition.
    let store = HistoryStore::open(&sb.db()).unwrap().store;
    let recorded = store
        .sync_partitions("events", &lake.display().to_string())
        .unwrap();
    assert_eq!(recorded.len(), 3);
    assert!(
        recorded
            .iter()
            .all(|p| p.state == "complete" && p.job_id.is_some()),
        "{recorded:?}"
    );

    // Up to date: nothing exported, exit 0.
    let r = run({
        let mut c = sb.with_key(DEMO_KEY);
        c.args(["sync", "--base-url", &server.url]);
        c
    });
    assert_eq!(r.code, Some(0), "{}", r.all());
    assert!(r.stdout.contains("up to date"), "{}", r.stdout);
    assert!(!r.stderr.contains("created"), "{}", r.stderr);
}

#[test]
fn bad_definitions_and_arguments_are_refused_before_anything() {
    let sb = Sandbox::new();
    let r = expect(&sb, &["sync", "--dry-run"], 2);
    assert!(r.stderr.contains("no sync is defined"), "{}", r.stderr);
    sb.write_config("[sync.events]\nstart = \"2026-11-01\"\ndestination = \"ftp://x/y\"\n");
    let r = expect(&sb, &["sync", "--dry-run"], 2);
    assert!(r.stderr.contains("ftp://"), "{}", r.stderr);
    sb.write_config("[sync.events]\nstart = \"soon\"\ndestination = \"/tmp/x\"\n");
    let r = expect(&sb, &["sync", "--dry-run"], 2);
    assert!(r.stderr.contains("not a date"), "{}", r.stderr);
    sb.write_config(
        "[sync.events]\nstart = \"2026-11-01\"\ndestination = \"/tmp/x\"\ncolour = 1\n",
    );
    let r = expect(&sb, &["sync", "--dry-run"], 2);
    assert!(r.stderr.contains("colour"), "{}", r.stderr);
    sb.write_config("[sync.events]\nstart = \"2026-11-01\"\ndestination = \"/tmp/x\"\n");
    let r = expect(&sb, &["sync", "other", "--dry-run"], 2);
    assert!(r.stderr.contains("defined: events"), "{}", r.stderr);
    let r = expect(&sb, &["sync", "--dry-run", "--until", &day(0)], 2);
    assert!(r.stderr.contains("has not ended yet"), "{}", r.stderr);
}

/// A broken `[sync.NAME]` table is that sync's error: `sync` refuses with
/// it (exit 2), every other command goes on as if it were not there.
#[test]
fn a_broken_sync_table_stops_only_sync() {
    let sb = Sandbox::new();
    sb.write_config(
        "[sync.events]\nstart = \"2026-11-01\"\ndestination = \"/tmp/x\"\ncolour = \"blue\"\n",
    );
    let r = expect(&sb, &["history", "--json"], 0);
    assert!(!r.stderr.contains("colour"), "{}", r.stderr);
    let r = expect(&sb, &["sync", "--dry-run"], 2);
    assert!(
        r.stderr.contains("[sync.events]") && r.stderr.contains("colour"),
        "{}",
        r.stderr
    );
}

/// No API key: exit 3 (as every command), with what to do; nothing runs.
#[test]
fn a_sync_without_a_key_exits_3() {
    let sb = Sandbox::new();
    let lake = sb.root().join("lake");
    sb.write_config(&format!(
        "[sync.events]\nstart = \"{}\"\ndestination = \"{}\"\n",
        day(1),
        lake.display()
    ));
    let r = expect(
        &sb,
        &["sync", "--base-url", "http://127.0.0.1:9", "--json"],
        3,
    );
    let v = json(&r.stdout);
    assert_eq!(v["syncs"][0]["error"]["kind"], "no_key", "{v}");
    assert_eq!(v["syncs"][0]["error"]["exit_code"], 3, "{v}");
    // Shaped as --dry-run's.
    assert_eq!(v["syncs"][0]["destination"]["kind"], "folder", "{v}");
    assert!(!lake.join("events").exists());
}

/// `--demo` never writes the demo's made-up rows where real data is
/// kept: every sync goes into the demo's own folder instead, and says so.
#[test]
fn demo_syncs_write_into_the_demos_own_folder() {
    let sb = Sandbox::new();
    let real = sb.root().join("real-lake");
    sb.write_config(&format!(
        "[sync.events]\nstart = \"{}\"\ndestination = \"{}\"\n",
        day(1),
        real.display()
    ));
    let r = run({
        let mut c = sb.cmd();
        c.env("UPEXPORT_TEST_POLL_MS", "50");
        c.args(["--demo", "sync", "--json"]);
        c
    });
    assert_eq!(r.code, Some(0), "{}", r.all());
    assert!(
        r.stderr.contains("--demo: sync events writes into"),
        "{}",
        r.stderr
    );
    let v = json(&r.stdout);
    let lake = v["syncs"][0]["destination"]["path"]
        .as_str()
        .expect("a folder")
        .to_owned();
    assert_ne!(lake, real.display().to_string());
    assert!(
        std::path::Path::new(&lake)
            .join("events")
            .join(format!("dt={}", day(1)))
            .join("_manifest.json")
            .is_file(),
        "{v}"
    );
    assert!(!real.exists(), "the real destination was written");
}
