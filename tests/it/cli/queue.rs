//! `submit --wait [--download]` and `queue add|list|up|down|remove|clear|run`
//! from a shell: output, exit codes, files. Every test has its own HOME and
//! XDG directories and its own `upexport demo-server` child on 127.0.0.1.
//! Waits are on conditions (a line on a pipe) under hard limits; nothing
//! sleeps.

use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{Receiver, channel};
use std::time::{Duration, Instant};

use crate::support::{SCRUBBED, bin};
use serde_json::Value;

const WAIT_LIMIT: Duration = Duration::from_secs(90);
const DEMO_KEY: &str = "upexport-demo-key";
const SENTINEL: &str = "sentinel-77c1e0-KEY";

/// Kills the child however the test ends.
struct Kill(Child);

impl Drop for Kill {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Lines of a pipe, read on a thread to its end (also once nobody listens:
/// a writer must never meet a closed pipe).
fn lines(r: impl Read + Send + 'static) -> Receiver<String> {
    let (tx, rx) = channel();
    std::thread::spawn(move || {
        for line in BufReader::new(r).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    rx
}

/// Receive lines until one contains `needle` (hard limit); returns all read.
fn until(rx: &Receiver<String>, needle: &str) -> Vec<String> {
    let deadline = Instant::now() + WAIT_LIMIT;
    let mut seen = Vec::new();
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match rx.recv_timeout(left) {
            Ok(l) => {
                let hit = l.contains(needle);
                seen.push(l);
                if hit {
                    return seen;
                }
            }
            Err(_) => panic!("no line with {needle:?} within {WAIT_LIMIT:?}; got {seen:?}"),
        }
    }
}

struct Sandbox {
    dir: tempfile::TempDir,
    url: String,
    _server: Kill,
}

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

impl Sandbox {
    /// A sandbox with a demo server whose jobs take `job_seconds`.
    fn new(job_seconds: f64) -> Sandbox {
        let dir = tempfile::tempdir().unwrap();
        for d in ["home", "config", "state", "cache"] {
            std::fs::create_dir_all(dir.path().join(d)).unwrap();
        }
        let mut c = Self::base(dir.path());
        c.args([
            "demo-server",
            "--port",
            "0",
            "--job-seconds",
            &job_seconds.to_string(),
        ])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
        let mut child = Kill(c.spawn().expect("spawn demo-server"));
        let out = lines(child.0.stdout.take().unwrap());
        let seen = until(&out, "listening on ");
        let url = seen
            .last()
            .and_then(|l| l.split("listening on ").nth(1))
            .unwrap()
            .trim()
            .to_owned();
        assert!(url.starts_with("http://127.0.0.1:"), "{url}");
        Sandbox {
            dir,
            url,
            _server: child,
        }
    }

    fn base(root: &Path) -> Command {
        let mut c = Command::new(bin());
        for v in SCRUBBED {
            c.env_remove(v);
        }
        c.env("HOME", root.join("home"))
            .env("XDG_CONFIG_HOME", root.join("config"))
            .env("XDG_STATE_HOME", root.join("state"))
            .env("XDG_CACHE_HOME", root.join("cache"))
            .current_dir(root);
        c
    }

    fn root(&self) -> &Path {
        self.dir.path()
    }

    /// `upexport --base-url URL ARGS…` with `key`.
    fn cmd(&self, key: &str, args: &[&str]) -> Command {
        let mut c = Self::base(self.root());
        c.env("USERPILOT_API_KEY", key)
            .arg("--base-url")
            .arg(&self.url)
            .args(args);
        c
    }

    fn run_with(&self, key: &str, args: &[&str]) -> Run {
        let mut child = Kill(
            self.cmd(key, args)
                .stdin(Stdio::null())
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .expect("run upexport"),
        );
        // Read both pipes to their end (they close when it exits), then reap.
        let (tx, rx) = channel();
        for (i, mut r) in [
            Box::new(child.0.stdout.take().unwrap()) as Box<dyn Read + Send>,
            Box::new(child.0.stderr.take().unwrap()),
        ]
        .into_iter()
        .enumerate()
        {
            let tx = tx.clone();
            std::thread::spawn(move || {
                let mut s = String::new();
                let _ = r.read_to_string(&mut s);
                let _ = tx.send((i, s));
            });
        }
        let deadline = Instant::now() + WAIT_LIMIT;
        let mut got = [String::new(), String::new()];
        for _ in 0..2 {
            let left = deadline.saturating_duration_since(Instant::now());
            let (i, s) = rx
                .recv_timeout(left)
                .unwrap_or_else(|_| panic!("upexport {args:?} ran over {WAIT_LIMIT:?}"));
            got[i] = s;
        }
        let status = child.0.wait().expect("reap upexport");
        let [stdout, stderr] = got;
        Run {
            code: status.code().expect("exited"),
            stdout,
            stderr,
        }
    }

    #[track_caller]
    fn expect(&self, args: &[&str], code: i32) -> Run {
        let r = self.run_with(DEMO_KEY, args);
        assert_eq!(
            r.code, code,
            "upexport {args:?}: exit {} (wanted {code})\n--- stdout\n{}\n--- stderr\n{}",
            r.code, r.stdout, r.stderr
        );
        r
    }
}

fn json(s: &str) -> Value {
    serde_json::from_str(s.trim()).unwrap_or_else(|e| panic!("not JSON ({e}): {s}"))
}

fn rows_in(p: &Path) -> usize {
    let text = std::fs::read_to_string(p).unwrap();
    for l in text.lines() {
        let _: Value = serde_json::from_str(l).expect("an NDJSON row");
    }
    text.lines().count()
}

#[test]
fn submit_wait_download_fetches_the_completed_jobs_files() {
    let sb = Sandbox::new(0.5);
    let out = sb.root().join("out");
    let r = sb.expect(
        &[
            "submit",
            "--wait",
            "--download",
            out.to_str().unwrap(),
            "--json",
            "--from",
            "2026-10-01",
            "--to",
            "2026-10-07",
        ],
        0,
    );
    let v = json(&r.stdout);
    assert_eq!(v["job"]["status"], "completed", "{v}");
    let files = v["files"].as_array().unwrap();
    assert_eq!(files.len(), 2, "{v}");
    for f in files {
        let p = PathBuf::from(f["path"].as_str().unwrap());
        assert!(p.starts_with(&out), "{}", p.display());
        assert_eq!(f["decompressed"], true);
        assert_eq!(rows_in(&p), 200, "the demo serves 200 rows a part");
    }
    // The status was followed and saved in history.
    let h = json(&sb.expect(&["history", "--json"], 0).stdout);
    assert_eq!(h[0]["job"]["status"], "completed", "{h}");
    assert!(h[0]["job"]["ended_at"].is_string(), "{h}");

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
fn submit_wait_after_a_409_waits_for_the_running_job_then_submits() {
    // Long enough that the first job still runs when the second submit starts.
    let sb = Sandbox::new(8.0);
    let first = sb.expect(&["submit", "--json", "--from", "2026-10-01"], 0);
    let running = json(&first.stdout)["job_id"].as_str().unwrap().to_owned();
    let r = sb.expect(&["submit", "--wait", "--json", "--from", "2026-10-02"], 0);
    assert!(
        r.stderr
            .contains("waiting for it to finish, then submitting automatically"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains(&running), "{}", r.stderr);
    let v = json(&r.stdout);
    assert_eq!(v["status"], "completed", "{v}");
    assert_ne!(v["job_id"], running.as_str());
    // History: created, refused with 409, created (newest first).
    let h = json(&sb.expect(&["history", "--json"], 0).stdout);
    let states: Vec<&str> = h
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["state"].as_str().unwrap())
        .collect();
    assert_eq!(states, ["created", "failed", "created"], "{h}");
    assert_eq!(h[1]["failed"]["http_status"], 409);
    assert_eq!(
        h[2]["job"]["status"], "completed",
        "the running job was followed"
    );
}

#[test]
fn queue_add_split_list_reorder_remove_run_clear() {
    let sb = Sandbox::new(0.3);
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
    let ids: Vec<i64> = added
        .as_array()
        .unwrap()
        .iter()
        .map(|q| q["id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids.len(), 3);
    let extra = sb.expect(&["queue", "add", "--from", "2026-04-01"], 0);
    assert!(extra.stdout.contains("queued #"), "{}", extra.stdout);

    let order = |sb: &Sandbox| -> Vec<(i64, String, String)> {
        let v = json(&sb.expect(&["queue", "list", "--json"], 0).stdout);
        v.as_array()
            .unwrap()
            .iter()
            .map(|q| {
                let body = json(q["request_json"].as_str().unwrap());
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
        assert_eq!(v["status"]["status"], "completed");
        let job = v["job_id"].as_str().unwrap();
        let files = v["files"].as_array().unwrap();
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
    let h = json(&sb.expect(&["history", "--json"], 0).stdout);
    let froms: Vec<String> = h
        .as_array()
        .unwrap()
        .iter()
        .rev()
        .map(|e| json(e["request_json"].as_str().unwrap())["from"].to_string())
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
    let sb = Sandbox::new(600.0);
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
    let pid = child.0.id().to_string();
    let sent = Command::new("kill").args(["-INT", &pid]).status().unwrap();
    assert!(sent.success());
    let said = until(&err, "stopped;");
    // Its stderr closes when it exits.
    let deadline = Instant::now() + WAIT_LIMIT;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match err.recv_timeout(left) {
            Ok(_) => {}
            Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => break,
            Err(_) => panic!("no exit within {WAIT_LIMIT:?} of SIGINT"),
        }
    }
    let status = child.0.wait().unwrap();
    assert_eq!(status.code(), Some(130), "{said:?}");
    assert!(
        said.join("\n").contains("2 queued export(s) still waiting"),
        "{said:?}"
    );

    let v = json(&sb.expect(&["queue", "list", "--json"], 0).stdout);
    let states: Vec<&str> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|q| q["state"].as_str().unwrap())
        .collect();
    assert_eq!(states, ["submitted", "waiting", "waiting"]);
    assert_eq!(v[0]["job_status"], "pending", "{v}");
}

#[test]
fn the_key_never_shows_from_the_new_commands() {
    let sb = Sandbox::new(0.3);
    sb.expect(&["queue", "add", "--from", "2026-01-01"], 0);
    for args in [
        vec!["submit", "--wait", "--from", "2026-01-01"],
        vec!["submit", "--wait", "--json", "--from", "2026-01-01"],
        vec!["queue", "run"],
        vec!["queue", "run", "--json"],
    ] {
        let r = sb.run_with(SENTINEL, &args);
        assert_eq!(r.code, 3, "{args:?}: {}", r.stderr);
        assert!(r.stderr.contains("401"), "{}", r.stderr);
        assert!(!r.stdout.contains(SENTINEL) && !r.stderr.contains(SENTINEL));
    }
    // The refused item is still waiting, with a note that does not hold the key.
    let r = sb.expect(&["queue", "list", "--json"], 0);
    assert!(!r.stdout.contains(SENTINEL));
    assert_eq!(json(&r.stdout)[0]["state"], "waiting");
    let mut stack = vec![sb.root().to_owned()];
    let mut files = 0;
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let e = e.unwrap();
            if e.file_type().unwrap().is_dir() {
                stack.push(e.path());
            } else {
                let bytes = std::fs::read(e.path()).unwrap();
                files += 1;
                assert!(
                    !bytes
                        .windows(SENTINEL.len())
                        .any(|w| w == SENTINEL.as_bytes()),
                    "the key is in {}",
                    e.path().display()
                );
            }
        }
    }
    assert!(files > 0);
}

#[test]
fn help_lists_the_new_flags_and_commands() {
    let sb = Sandbox::new(0.3);
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
