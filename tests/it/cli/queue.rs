//! `submit --wait [--download]` and `queue add|list|up|down|remove|clear|run`
//! from a shell: output, exit codes, files. Every test has its own HOME and
//! XDG directories and its own `upexport demo-server` child on 127.0.0.1.
//! Waits are on conditions (a line on a pipe) under hard limits; nothing
//! sleeps.

use std::path::{Path, PathBuf};
use std::process::Stdio;

use serde_json::Value;
use upexport::demo::DEMO_KEY;

use crate::support::sandbox::{lines, until, until_closed};
use crate::support::served::Served;
use crate::support::{Kill, files_containing, json, signal};

const SENTINEL: &str = "sentinel-77c1e0-KEY";

fn rows_in(p: &Path) -> usize {
    let text = std::fs::read_to_string(p).unwrap();
    for l in text.lines() {
        let _: Value = serde_json::from_str(l).expect("an NDJSON row");
    }
    text.lines().count()
}

#[test]
fn submit_wait_download_fetches_the_completed_jobs_files() {
    let sb = Served::new(0.5);
    let out = sb.root().join("out");
    let (v, files) = sb.submit_wait_download(&out, &["--from", "2026-10-01", "--to", "2026-10-07"]);
    assert_eq!(v["job"]["status"], "completed", "{v}");
    assert_eq!(files.len(), 2, "{v}");
    for (p, f) in files.iter().zip(v["download"]["files"].as_array().unwrap()) {
        assert!(p.starts_with(&out), "{}", p.display());
        assert_eq!(f["decompressed"], true);
        assert_eq!(rows_in(p), 200, "the demo serves 200 rows a part");
    }
    // The status was followed and saved in history.
    let h = sb.history();
    assert_eq!(h[0]["job"]["status"], "completed", "{h:?}");
    assert!(h[0]["job"]["ended_at"].is_string(), "{h:?}");

    // Without --json: the created lines, the final status, one line a file.
    let out2 = sb.root().join("out2");
    let r = sb.expect(
        &[
            "submit",
            "--wait",
            "--download",
            out2.to_str().unwrap(),
            "--from",
            "2026-10-08",
        ],
        0,
    );
    assert!(r.stdout.contains("created export job "), "{}", r.stdout);
    assert!(r.stdout.contains(": completed"), "{}", r.stdout);
    assert_eq!(
        r.stdout.matches("(decompressed)").count(),
        2,
        "{}",
        r.stdout
    );
    // Off a terminal: one stderr line per status change, no redraws.
    assert!(!r.stderr.contains('\r'), "{}", r.stderr);
    assert!(r.stderr.contains("completed"), "{}", r.stderr);

    // --download needs --wait; --dry-run does not mix with --wait.
    let r = sb.expect(&["submit", "--download", "x"], 2);
    assert!(r.stderr.contains("--wait"), "{}", r.stderr);
    sb.expect(&["submit", "--wait", "--dry-run"], 2);
}

#[test]
fn submit_wait_download_saves_each_job_under_its_id_never_taking_an_older_file() {
    // Every demo job names its files part-0001…, part-0002…: a second job
    // downloaded into the same DIR must not find the first one's files and
    // call them its own.
    let sb = Served::new(0.3);
    let out = sb.root().join("out");
    let out_s = out.to_str().unwrap();
    let mut seen: Vec<(String, Vec<u8>)> = Vec::new();
    for from in ["2026-10-01", "2026-10-02"] {
        let (v, files) = sb.submit_wait_download(&out, &["--from", from]);
        let job = v["job"]["job_id"].as_str().unwrap().to_owned();
        assert_eq!(files.len(), 2, "{v}");
        for (p, f) in files.iter().zip(v["download"]["files"].as_array().unwrap()) {
            assert_eq!(p.parent(), Some(out.join(&job).as_path()), "{v}");
            assert!(f.get("skipped").is_none(), "{v}");
            assert_eq!(rows_in(p), 200);
        }
        let first = out.join(&job).join("part-0001.ndjson");
        seen.push((job, std::fs::read(first).unwrap()));
    }
    assert_ne!(seen[0].1, seen[1].1, "two jobs, two different files");

    // `download` of the same job into the same DIR finds the same place;
    // `queue run --download` uses it too (DIR/<job id>/).
    let job = &seen[1].0;
    let r = sb.expect(&["download", job, "--out", out_s], 0);
    let want = out.join(job).join("part-0001.ndjson");
    assert!(
        r.stdout.contains(&format!("{}", want.display())),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("already downloaded"), "{}", r.stdout);
}

#[test]
fn submit_wait_after_a_409_waits_for_the_running_job_then_submits() {
    // Long enough that the first job still runs when the second submit starts.
    let sb = Served::new(8.0);
    let first = sb.expect(&["submit", "--json", "--from", "2026-10-01"], 0);
    let running = json(&first.stdout)["created"]["job_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let r = sb.expect(&["submit", "--wait", "--json", "--from", "2026-10-02"], 0);
    assert!(
        r.stderr
            .contains("waiting for it to finish, then submitting automatically"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains(&running), "{}", r.stderr);
    let v = json(&r.stdout)["job"].clone();
    assert_eq!(v["status"], "completed", "{v}");
    assert_ne!(v["job_id"], running.as_str());
    // History: one row per export (newest first): the refused attempt was
    // sent again and is now created, having waited through one 409.
    let h = sb.history();
    let states: Vec<&str> = h.iter().map(|e| e["state"].as_str().unwrap()).collect();
    assert_eq!(states, ["created", "created"], "{h:?}");
    assert_eq!(h[0]["conflicts"], 1, "{h:?}");
    assert_eq!(h[0]["created"]["job_id"], v["job_id"], "{h:?}");
    assert_eq!(h[1]["conflicts"], 0, "{h:?}");
    assert_eq!(
        h[1]["job"]["status"], "completed",
        "the running job was followed"
    );
    let text = sb.expect(&["history"], 0).stdout;
    assert_eq!(
        text.matches("waited through 1 conflict").count(),
        1,
        "{text}"
    );
}

#[test]
fn queue_add_split_list_reorder_remove_run_clear() {
    let sb = Served::new(0.3);
    // Nothing queued: run does nothing.
    let r = sb.expect(&["queue", "run"], 0);
    assert!(r.stdout.contains("nothing is waiting"), "{}", r.stdout);
    let r = sb.expect(&["queue", "list"], 0);
    assert!(r.stdout.contains("empty"), "{}", r.stdout);

    let r = sb.expect(
        &[
            "queue",
            "add",
            "--from",
            "2026-01-15",
            "--to",
            "2026-03-10",
            "--format",
            "ndjson",
            "--split",
            "monthly",
            "--json",
        ],
        0,
    );
    let added = json(&r.stdout);
    let ids: Vec<i64> = added["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|q| q["id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids.len(), 3);
    let extra = sb.expect(&["queue", "add", "--from", "2026-04-01"], 0);
    assert!(extra.stdout.contains("queued #"), "{}", extra.stdout);

    let order = |sb: &Served| -> Vec<(i64, String, String)> {
        let v = json(&sb.expect(&["queue", "list", "--json"], 0).stdout);
        v["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|q| {
                let body = &q["request"];
                (
                    q["id"].as_i64().unwrap(),
                    q["state"].as_str().unwrap().to_owned(),
                    format!("{}..{}", body["from"], body["to"]),
                )
            })
            .collect()
    };
    let o = order(&sb);
    assert_eq!(o.len(), 4);
    assert_eq!(o[0].2, r#""2026-01-15".."2026-01-31""#);
    assert_eq!(o[1].2, r#""2026-02-01".."2026-02-28""#);
    assert_eq!(o[2].2, r#""2026-03-01".."2026-03-10""#);
    assert!(o.iter().all(|(_, s, _)| s == "waiting"));

    // Reorder and remove.
    let extra_id = o[3].0;
    sb.expect(&["queue", "up", &extra_id.to_string()], 0);
    sb.expect(&["queue", "down", &ids[0].to_string()], 0);
    let now: Vec<i64> = order(&sb).iter().map(|x| x.0).collect();
    assert_eq!(now, [ids[1], ids[0], extra_id, ids[2]]);
    sb.expect(&["queue", "remove", &extra_id.to_string()], 0);
    sb.expect(&["queue", "up", &ids[0].to_string()], 0);
    let now: Vec<i64> = order(&sb).iter().map(|x| x.0).collect();
    assert_eq!(now, ids);

    // Mistakes exit 2 and change nothing.
    let r = sb.expect(&["queue", "remove", "9999"], 2);
    assert!(r.stderr.contains("9999"), "{}", r.stderr);
    let r = sb.expect(
        &[
            "queue",
            "add",
            "--from",
            "2026-01-01",
            "--to",
            "2026-02-01",
            "--split",
            "weekly",
        ],
        2,
    );
    assert!(r.stderr.contains("7d"), "{}", r.stderr);
    let r = sb.expect(
        &["queue", "add", "--from", "2026-01-01", "--split", "7d"],
        2,
    );
    assert!(r.stderr.contains("--to"), "{}", r.stderr);
    assert_eq!(order(&sb).len(), 3);

    // Run: in order, one JSON line per item, files under DIR/<job id>/.
    let dir = sb.root().join("files");
    let r = sb.expect(
        &[
            "queue",
            "run",
            "--json",
            "--download",
            dir.to_str().unwrap(),
        ],
        0,
    );
    let done: Vec<Value> = r.stdout.lines().map(json).collect();
    assert_eq!(done.len(), 3, "{}", r.stdout);
    for (v, id) in done.iter().zip(&ids) {
        assert_eq!(v["item"]["id"].as_i64(), Some(*id));
        assert_eq!(v["item"]["state"], "submitted");
        assert_eq!(v["version"], 1);
        assert_eq!(v["job"]["status"], "completed");
        let job = v["job"]["job_id"].as_str().unwrap();
        let files = v["download"]["files"].as_array().unwrap();
        assert_eq!(files.len(), 2);
        for f in files {
            let p = PathBuf::from(f["path"].as_str().unwrap());
            assert_eq!(p.parent(), Some(dir.join(job).as_path()));
            assert_eq!(rows_in(&p), 200);
        }
    }
    let o = order(&sb);
    assert!(o.iter().all(|(_, s, _)| s == "submitted"), "{o:?}");
    let listed = sb.expect(&["queue", "list"], 0);
    assert_eq!(
        listed.stdout.matches("· completed").count(),
        3,
        "{}",
        listed.stdout
    );
    // History holds the three, in the queue's order.
    let h = sb.history();
    let froms: Vec<String> = h
        .iter()
        .rev()
        .map(|e| e["request"]["from"].to_string())
        .collect();
    assert_eq!(
        froms,
        [r#""2026-01-15""#, r#""2026-02-01""#, r#""2026-03-01""#]
    );

    let r = sb.expect(&["queue", "clear"], 0);
    assert!(r.stdout.contains("cleared 3"), "{}", r.stdout);
    assert!(order(&sb).is_empty());
}

#[cfg(unix)]
#[test]
fn ctrl_c_stops_a_queue_run_leaving_the_rest_waiting() {
    // Jobs run for 10 minutes: the run is stopped while the first one runs.
    let sb = Served::new(600.0);
    sb.expect(
        &[
            "queue",
            "add",
            "--from",
            "2026-01-01",
            "--to",
            "2026-01-03",
            "--split",
            "1d",
        ],
        0,
    );
    let mut child = Kill(
        sb.cmd(DEMO_KEY, &["queue", "run"])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap(),
    );
    let err = lines(child.0.stderr.take().unwrap());
    until(&err, "submitted as job");
    // Its first status answer is saved before it is shown.
    until(&err, ": pending");
    signal(child.0.id(), "INT");
    let said = until(&err, "stopped;");
    // Its stderr closes when it exits.
    until_closed(&err, "SIGINT");
    let status = child.0.wait().unwrap();
    assert_eq!(status.code(), Some(130), "{said:?}");
    assert!(
        said.join("\n").contains("2 queued export(s) still waiting"),
        "{said:?}"
    );

    let v = json(&sb.expect(&["queue", "list", "--json"], 0).stdout);
    let states: Vec<&str> = v["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|q| q["state"].as_str().unwrap())
        .collect();
    assert_eq!(states, ["submitted", "waiting", "waiting"]);
    assert_eq!(v["items"][0]["job_status"], "pending", "{v}");
}

#[test]
fn the_key_never_shows_from_the_new_commands() {
    let sb = Served::new(0.3);
    sb.expect(&["queue", "add", "--from", "2026-01-01"], 0);
    for args in [
        vec!["submit", "--wait", "--from", "2026-01-01"],
        vec!["submit", "--wait", "--json", "--from", "2026-01-01"],
        vec!["queue", "run"],
        vec!["queue", "run", "--json"],
    ] {
        let r = sb.run_with(SENTINEL, &args);
        assert_eq!(r.code, Some(3), "{args:?}: {}", r.stderr);
        assert!(r.stderr.contains("401"), "{}", r.stderr);
        assert!(!r.stdout.contains(SENTINEL) && !r.stderr.contains(SENTINEL));
    }
    // The refused item is still waiting, with a note that does not hold the key.
    let r = sb.expect(&["queue", "list", "--json"], 0);
    assert!(!r.stdout.contains(SENTINEL));
    assert_eq!(json(&r.stdout)["items"][0]["state"], "waiting");
    let (hits, seen) = files_containing(sb.root(), SENTINEL.as_bytes());
    assert!(hits.is_empty(), "the key is in {hits:?}");
    assert!(!seen.is_empty());
}

#[test]
fn help_lists_the_new_flags_and_commands() {
    let sb = Served::new(0.3);
    let help = |args: &[&str]| sb.expect(args, 0).stdout;
    let s = help(&["submit", "--help"]);
    for f in ["--wait", "--download", "--from", "--body-file", "--json"] {
        assert!(s.contains(f), "submit --help lacks {f}:\n{s}");
    }
    let s = help(&["queue", "--help"]);
    for c in ["add", "list", "remove", "up", "down", "clear", "run"] {
        assert!(s.contains(c), "queue --help lacks {c}:\n{s}");
    }
    let s = help(&["queue", "add", "--help"]);
    for f in [
        "--split",
        "--from",
        "--to",
        "--event-type",
        "--body-file",
        "--json",
    ] {
        assert!(s.contains(f), "queue add --help lacks {f}:\n{s}");
    }
    let s = help(&["queue", "run", "--help"]);
    assert!(s.contains("--download") && s.contains("--json"), "{s}");
    assert!(help(&["--help"]).contains("queue"));
}
