//! Against a demo server in `vendor-differs` mode: status words upexport
//! does not know, `end_time` beside them, extra fields everywhere, the
//! documented `type` missing. `submit --wait` and `queue run` must end (the
//! end time decides, and `--max-wait` bounds every wait), exit with the
//! documented codes, and say which status they saw.

use serde_json::Value;

use crate::support::served::Served;
use crate::support::{entries, json};

/// A job that ends with an unknown status word beside its `end_time` and
/// its links counts as completed: the files are downloaded, exit 0.
#[test]
fn an_unknown_final_word_with_an_end_time_is_the_end() {
    let sb = Served::in_mode("vendor-differs", 0.5);
    let out = sb.root().join("out");
    let (v, files) = sb.submit_wait_download(&out, &["--from", "2026-10-01", "--to", "2026-10-07"]);
    assert_eq!(v["job"]["status"], "ready_for_download", "{v}");
    assert_eq!(files.len(), 2, "{v}");
    for p in files {
        assert!(p.is_file(), "{}", p.display());
    }
    // History keeps the raw word and the end time.
    let h = sb.history();
    assert_eq!(h[0]["job"]["status"], "ready_for_download", "{h:?}");
    assert!(h[0]["job"]["ended_at"].is_string(), "{h:?}");
    // The text output shows the raw word too.
    let id = v["job"]["job_id"].as_str().unwrap();
    let r = sb.expect(&["status", id], 0);
    assert!(
        r.stdout.contains(&format!("job {id}: ready_for_download")),
        "{}",
        r.stdout
    );
}

/// A job whose status word is unknown and never ends: `--max-wait` stops
/// the wait, exit 5, naming the raw status and how to look again; the job
/// stays in history with that word.
#[test]
fn max_wait_bounds_submit_wait_and_queue_run() {
    // An hour-long job: still running when the wait ends.
    let sb = Served::in_mode("vendor-differs", 3600.0);
    let r = sb.expect(
        &[
            "submit",
            "--wait",
            "--max-wait",
            "1s",
            "--from",
            "2026-10-01",
        ],
        5,
    );
    assert!(r.stderr.contains("stopped waiting for job"), "{}", r.stderr);
    // Pending ("warming_up") or processing ("crunching"), in its words.
    assert!(
        ["'warming_up'", "'crunching'"].iter().any(|w| r
            .stderr
            .contains(&format!("status {w} (a word upexport does not know)"))),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.contains("look again with `upexport --base-url "),
        "{}",
        r.stderr
    );
    let h = sb.history();
    assert_eq!(h[0]["state"], "created", "{h:?}");
    let word = h[0]["job"]["status"].as_str().unwrap_or_default();
    assert!(["warming_up", "crunching"].contains(&word), "{h:?}");

    // --json callers get the kind.
    let r = sb.expect(
        &[
            "submit",
            "--wait",
            "--json",
            "--max-wait",
            "1s",
            "--from",
            "2026-10-02",
        ],
        5,
    );
    assert!(r.all().contains("wait_limit"), "{}", r.all());

    // The queue: the same bound, the same message, exit 5.
    sb.expect(&["queue", "add", "--from", "2026-10-03"], 0);
    let r = sb.expect(&["queue", "run", "--max-wait", "1s"], 5);
    assert!(r.all().contains("stopped waiting for job"), "{}", r.all());
}

#[test]
fn max_wait_values_are_checked() {
    let sb = Served::new(0.3);
    for bad in ["0s", "4d", "banana", "5 parsecs"] {
        let r = sb.expect(
            &[
                "submit",
                "--wait",
                "--max-wait",
                bad,
                "--from",
                "2026-10-01",
            ],
            2,
        );
        assert!(r.stderr.contains("--max-wait"), "{bad}: {}", r.stderr);
    }
    // Only with --wait.
    let r = sb.expect(&["submit", "--max-wait", "5m", "--from", "2026-10-01"], 2);
    assert!(r.stderr.contains("--wait"), "{}", r.stderr);
    // Nothing was sent by any of them.
    let h = json(&sb.expect(&["history", "--json"], 0).stdout);
    assert_eq!(entries(&h).len(), 0, "{h}");
}

/// After a 409, the job in the way is found even when the list calls it by
/// a word upexport does not know; the second export goes once it ends.
#[test]
fn a_409_waits_for_a_job_with_an_unknown_status_word() {
    let sb = Served::in_mode("vendor-differs", 4.0);
    let first = sb.expect(&["submit", "--json", "--from", "2026-10-01"], 0);
    let running = json(&first.stdout)["created"]["job_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let r = sb.expect(&["submit", "--wait", "--json", "--from", "2026-10-02"], 0);
    assert!(r.stderr.contains(&running), "{}", r.stderr);
    let v = json(&r.stdout)["job"].clone();
    assert_eq!(v["status"], "ready_for_download", "{v}");
    assert_ne!(v["job_id"], running.as_str());
}

/// `doctor --api` reports what the server answers as shapes: the extra
/// fields, the missing `type`, the unknown status words, the pagination
/// envelope; it creates nothing and shows no key, id or email.
#[test]
fn doctor_api_reports_shapes_only_and_creates_nothing() {
    let sb = Served::in_mode("vendor-differs", 3600.0);
    let first = sb.expect(&["submit", "--json", "--from", "2026-10-01"], 0);
    let job = json(&first.stdout)["created"]["job_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let saved = sb.root().join("api-report.json");
    let r = sb.expect(
        &[
            "doctor",
            "--api",
            "--json",
            "--save",
            saved.to_str().unwrap(),
        ],
        0,
    );
    for secret in [job.as_str(), upexport::demo::DEMO_KEY, "ops@example.com"] {
        assert!(!r.all().contains(secret), "{secret} shown: {}", r.all());
    }
    let v = json(&r.stdout);
    let from_file = json(&std::fs::read_to_string(&saved).unwrap());
    assert_eq!(v, from_file);
    let probes = v["probes"].as_array().unwrap();
    assert_eq!(probes.len(), 2 + 12, "{v}");
    assert!(probes.iter().all(|p| p["http_status"] == 200), "{v}");
    let list = &probes[0];
    let unknown: Vec<&str> = list["unknown_fields"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .collect();
    for f in ["owner", "region", "schema_version"] {
        assert!(unknown.contains(&f), "{f}: {list}");
    }
    let status = &probes[1];
    assert!(
        status["missing_fields"]
            .as_array()
            .unwrap()
            .contains(&Value::from("type")),
        "{status}"
    );
    let word = &status["status_words"][0];
    assert_eq!(word["known"], false, "{status}");
    assert!(
        ["warming_up", "crunching"].contains(&word["word"].as_str().unwrap_or("")),
        "{status}"
    );
    let segments = probes
        .iter()
        .find(|p| {
            p["endpoint"]
                .as_str()
                .is_some_and(|e| e.ends_with("/segments"))
        })
        .unwrap();
    assert!(segments["pagination"].is_object(), "{segments}");

    // The text form says the same in words.
    let r = sb.expect(&["doctor", "--api"], 0);
    assert!(r.stdout.contains("(unknown to upexport)"), "{}", r.stdout);
    assert!(
        r.stdout.contains("fields upexport does not read"),
        "{}",
        r.stdout
    );
    // Nothing was created: the one job is still the only one.
    let jobs = json(&sb.expect(&["jobs", "--json"], 0).stdout);
    assert_eq!(jobs["jobs"].as_array().map(Vec::len), Some(1), "{jobs}");
}

/// A refused key: exit 3, and still a report of what was answered.
#[test]
fn doctor_api_with_a_refused_key_exits_3() {
    let sb = Served::new(0.3);
    let r = sb.run_with("not-the-key", &["doctor", "--api", "--json"]);
    assert_eq!(r.code, Some(3), "{}", r.all());
    let v = json(&r.stdout);
    assert_eq!(v["probes"][0]["http_status"], 401, "{v}");
    assert!(!r.all().contains("not-the-key"), "{}", r.all());
}
