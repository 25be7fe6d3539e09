//! `upexport doctor`, the `--plain` line mode and the log files, from a
//! shell. Every test has its own HOME and XDG directories; the server is
//! the embedded demo server on 127.0.0.1 (started in the test, so what it
//! received can be checked), a closed port, or nothing.

use std::path::Path;

use crate::support::demo::start;
use crate::support::{
    Out, Sandbox, closed_port, entries, files_containing, json, run_async, write_private,
};
use upexport::demo::{DEMO_KEY, DemoOptions, DemoServer};

const SENTINEL: &str = "sentinel-3f9a0c-DOCTOR-KEY";

async fn up(sb: &Sandbox, key: Option<&str>, args: &[&str]) -> Out {
    let mut c = sb.command(key);
    c.args(args);
    run_async(c, None).await
}

#[track_caller]
fn expect(out: &Out, code: i32, what: &str) {
    assert_eq!(
        out.code,
        Some(code),
        "{what}: exit {:?} (wanted {code})\n--- stdout\n{}\n--- stderr\n{}",
        out.code,
        out.stdout,
        out.stderr
    );
}

// ---------------------------------------------------------------- doctor

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn doctor_is_happy_with_the_demo_server_and_reports_everything() {
    let sb = Sandbox::new();
    let server = start(DemoOptions::default()).await;
    let url = server.base_url();
    // An entry in history, so the store is opened and checked.
    let r = up(&sb, Some(DEMO_KEY), &["submit", "--base-url", &url]).await;
    expect(&r, 0, "submit");

    let r = up(&sb, Some(DEMO_KEY), &["doctor", "--base-url", &url]).await;
    expect(&r, 0, "doctor");
    for want in [
        format!("upexport       {}", upexport::version::VERSION),
        format!(
            "config file    {} (not found)",
            sb.config_dir().join("config.toml").display()
        ),
        format!("state dir      {}", sb.state_dir().display()),
        format!("history db     {}", sb.db().display()),
        format!("logs dir       {}", sb.state_dir().join("logs").display()),
        "cache dir".to_owned(),
        format!("base URL       {url} (from flag --base-url)"),
        "timeouts       connect 10 s, request 30 s".into(),
        "key source     $USERPILOT_API_KEY".into(),
        "key            ok: loaded from $USERPILOT_API_KEY".into(),
        "connectivity   ok:".into(),
        "(1 job)".into(),
        format!(
            "schema version {}, 1 entry, integrity ok",
            upexport::history::LATEST_VERSION
        ),
        "result: everything is fine".into(),
    ] {
        assert!(r.stdout.contains(&want), "no {want:?} in\n{}", r.stdout);
    }
    assert!(!r.all().contains(DEMO_KEY), "the key was printed");

    let r = up(
        &sb,
        Some(DEMO_KEY),
        &["doctor", "--json", "--base-url", &url],
    )
    .await;
    expect(&r, 0, "doctor --json");
    let v = json(&r.stdout);
    assert_eq!(v["exit_code"], 0);
    for check in ["config", "key", "connectivity", "history"] {
        assert_eq!(v[check]["status"], "ok", "{check}: {v}");
    }
    assert_eq!(v["history"]["entries"], 1);
    assert_eq!(v["history"]["integrity"], "ok");
    assert_eq!(v["profile"]["base_url_from"], "flag --base-url");
    assert_eq!(v["paths"]["config_found"], false);
    assert_eq!(v["version"], 1, "the shape's version");
    assert_eq!(v["upexport"]["cargo"], env!("CARGO_PKG_VERSION"));
    // Two list calls reached the server, with the key; nothing else.
    let lists = server
        .requests()
        .into_iter()
        .filter(|q| q.method == "GET" && q.path.ends_with("/jobs/"))
        .count();
    assert_eq!(lists, 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn doctor_says_key_refused_exits_3_and_never_prints_the_key() {
    let sb = Sandbox::new();
    let server = start(DemoOptions::default()).await;
    let url = server.base_url();
    let r = up(&sb, Some(SENTINEL), &["doctor", "--base-url", &url]).await;
    expect(&r, 3, "a wrong key");
    assert!(
        r.stdout.contains(&format!(
            "connectivity   error: {url} reachable, key refused"
        )),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("result: problems found (exit 3)"));
    assert!(r.stderr.contains("key refused"), "{}", r.stderr);
    let r2 = up(
        &sb,
        Some(SENTINEL),
        &["doctor", "--json", "--base-url", &url],
    )
    .await;
    expect(&r2, 3, "a wrong key, JSON");
    let v = json(&r2.stdout);
    assert_eq!(v["connectivity"]["status"], "error");
    assert_eq!(v["exit_code"], 3);
    // The key was sent (so not printing it means something)…
    assert!(
        server
            .requests()
            .iter()
            .any(|q| q.authorization.as_deref() == Some(&format!("Token {SENTINEL}")))
    );
    // …and appears in no output and no file (logs at trace included).
    for out in [&r, &r2] {
        assert!(!out.all().contains(SENTINEL), "{}", out.all());
    }

    // The key from a file and from a command: the source is named, the key
    // is not.
    let secrets = tempfile::tempdir().expect("temp dir");
    let key_file = secrets.path().join("key");
    write_private(&key_file, &format!("{SENTINEL}\n"));
    // Outside the scanned tree, as a user's password store would be.
    let cfg = secrets.path().join("config.toml");
    write_private(
        &cfg,
        &format!(
            "[profiles.file]\napi_key_file = \"{}\"\n[profiles.cmd]\napi_key_command = \"printf {SENTINEL}\"\n\
         [profiles.broken]\napi_key_command = \"echo 'gpg: decryption failed' >&2; exit 2\"\n",
            key_file.display()
        ),
    );
    let cfg = cfg.to_str().expect("UTF-8 path");
    let r = up(
        &sb,
        None,
        &[
            "--config",
            cfg,
            "--profile",
            "file",
            "doctor",
            "--base-url",
            &url,
        ],
    )
    .await;
    expect(&r, 3, "key file");
    assert!(
        r.stdout
            .contains(&format!("key source     key file {}", key_file.display())),
        "{}",
        r.stdout
    );
    assert!(!r.all().contains(SENTINEL), "{}", r.all());
    let r = up(
        &sb,
        None,
        &[
            "--config",
            cfg,
            "--profile",
            "cmd",
            "doctor",
            "--base-url",
            &url,
        ],
    )
    .await;
    expect(&r, 3, "key command");
    assert!(
        r.stdout.contains("key source     command `printf "),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("key            ok: loaded from command"));
    // The command's text holds the key here, as a command line may; its
    // output (the key) is never shown, but the command line is.
    let shown: String = r
        .all()
        .replace(&format!("`printf {SENTINEL}`"), "`printf …`");
    assert!(!shown.contains(SENTINEL), "{shown}");

    let r = up(
        &sb,
        None,
        &[
            "--config",
            cfg,
            "--profile",
            "broken",
            "doctor",
            "--base-url",
            &url,
        ],
    )
    .await;
    expect(&r, 3, "a failing key command");
    assert!(
        r.stdout.contains("gpg: decryption failed") && r.stdout.contains("code 2"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains("connectivity   not checked"),
        "{}",
        r.stdout
    );

    let (hits, seen) = files_containing(sb.root(), SENTINEL.as_bytes());
    assert!(hits.is_empty(), "the key is in {hits:?}");
    assert!(
        seen.iter()
            .any(|p| p.starts_with(sb.state_dir().join("logs"))),
        "no log files were written, so the scan proves little: {seen:?}"
    );
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn doctor_exits_5_without_a_server_and_3_without_a_key() {
    let sb = Sandbox::new();
    let url = format!("http://127.0.0.1:{}", closed_port());
    let r = up(&sb, Some(DEMO_KEY), &["doctor", "--base-url", &url]).await;
    expect(&r, 5, "no server");
    assert!(
        r.stdout
            .contains("connectivity   error: could not connect to 127.0.0.1"),
        "{}",
        r.stdout
    );
    let r = up(&sb, None, &["doctor", "--base-url", &url]).await;
    expect(&r, 3, "no key");
    assert!(r.stdout.contains("key source     none"), "{}", r.stdout);
    assert!(r.stdout.contains("USERPILOT_API_KEY"), "{}", r.stdout);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn doctor_names_a_broken_configs_line_and_column_and_exits_2() {
    let sb = Sandbox::new();
    let server = start(DemoOptions::default()).await;
    let url = server.base_url();
    let cfg = sb.write_config("[profiles.p]\n\n  base_ulr = \"https://x\"\n");
    // Config errors come first even when the key and the server are fine.
    let r = up(&sb, Some(DEMO_KEY), &["doctor", "--base-url", &url]).await;
    expect(&r, 2, "a broken config");
    let want = format!("config         error: {}, line 3, column 3", cfg.display());
    assert!(r.stdout.contains(&want), "no {want:?} in\n{}", r.stdout);
    assert!(r.stdout.contains("base_ulr"), "{}", r.stdout);
    assert!(r.stdout.contains("connectivity   ok"), "{}", r.stdout);
    let v = json(
        &up(
            &sb,
            Some(DEMO_KEY),
            &["doctor", "--json", "--base-url", &url],
        )
        .await
        .stdout,
    );
    assert_eq!(v["config"]["status"], "error");
    assert_eq!(v["exit_code"], 2);

    // A config readable by others: a warning, with the fix; not a failure.
    write_private(&cfg, "[profiles.p]\nrequest_timeout_secs = 42\n");
    crate::support::set_mode(&cfg, 0o644);
    let r = up(&sb, Some(DEMO_KEY), &["doctor", "--base-url", &url]).await;
    expect(&r, 0, "a readable config");
    assert!(r.stdout.contains("config         warning:"), "{}", r.stdout);
    assert!(r.stdout.contains(&format!("chmod 600 {}", cfg.display())));
    assert!(r.stdout.contains("request 42 s"), "{}", r.stdout);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn doctor_reports_a_damaged_history_file_and_exits_5() {
    let sb = Sandbox::new();
    let server = start(DemoOptions::default()).await;
    let url = server.base_url();
    std::fs::create_dir_all(sb.state_dir()).expect("state dir");
    std::fs::write(sb.db(), vec![0x5a; 8192]).expect("garbage");
    let r = up(&sb, Some(DEMO_KEY), &["doctor", "--base-url", &url]).await;
    expect(&r, 5, "a damaged history");
    assert!(r.stdout.contains("history        error:"), "{}", r.stdout);
    assert!(
        r.stdout.contains("moved"),
        "says where it went: {}",
        r.stdout
    );
    // The next run finds the new store healthy, and lists the file moved
    // aside (kept, never read again), in text and in JSON.
    let aside: Vec<_> = std::fs::read_dir(sb.state_dir())
        .expect("state dir")
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with("history.sqlite3.corrupt-"))
        })
        .collect();
    assert_eq!(aside.len(), 1, "{aside:?}");
    let aside = aside[0].display().to_string();
    let r = up(&sb, Some(DEMO_KEY), &["doctor", "--base-url", &url]).await;
    expect(&r, 0, "after the move");
    assert!(r.stdout.contains("history        warning:"), "{}", r.stdout);
    assert!(r.stdout.contains("moved aside earlier"), "{}", r.stdout);
    assert!(r.stdout.contains(&aside), "lists {aside}: {}", r.stdout);
    let r = up(
        &sb,
        Some(DEMO_KEY),
        &["doctor", "--json", "--base-url", &url],
    )
    .await;
    expect(&r, 0, "doctor --json after the move");
    let v = json(&r.stdout);
    assert_eq!(
        v["history"]["moved_aside"],
        serde_json::json!([aside]),
        "{v}"
    );
}

// ------------------------------------------------------------ line mode

/// Answers for every field: `from`, `to`, then the rest left as they are.
fn answers(from: &str, to: &str, send: &str) -> String {
    format!("{from}\n{to}\na@x.com, b@y.com\ntrack\n\n\n\n\n\n{send}\n")
}

fn creates(server: &DemoServer) -> usize {
    server
        .requests()
        .iter()
        .filter(|q| q.method == "POST")
        .count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn plain_mode_asks_reasks_submits_and_records() {
    let sb = Sandbox::new();
    let server = start(DemoOptions::default()).await;
    let url = server.base_url();
    let mut c = sb.command(Some(DEMO_KEY));
    c.args(["--plain", "--base-url", &url]);
    // An impossible date first: asked again with the reason.
    let input = format!("2026-02-30\n{}", answers("2026-11-01", "2026-11-26", "y"));
    let r = run_async(c, Some(&input)).await;
    expect(&r, 0, "plain submit");
    assert!(
        r.stderr
            .contains("From: 2026-02-30 is not a real date: February 2026 has 28 days; try again"),
        "{}",
        r.stderr
    );
    assert_eq!(
        r.stderr.matches("From (start date").count(),
        2,
        "{}",
        r.stderr
    );
    for prompt in [
        "To (end date",
        "Emails (",
        "Event types (",
        "User IDs (",
        "Company IDs (",
        "Segment ID (",
        "Format (avro, csv, ndjson or parquet; or its first letter) [csv]: \n",
        "Exclusions (",
        "Send? [y/N] ",
    ] {
        assert!(r.stderr.contains(prompt), "no {prompt:?} in {}", r.stderr);
    }
    assert!(r.stderr.contains("\"emails\": ["), "the body: {}", r.stderr);
    let job = r
        .stdout
        .lines()
        .find_map(|l| l.strip_prefix("created export job "))
        .unwrap_or_else(|| panic!("no job line: {}", r.stdout))
        .to_owned();
    assert!(
        r.stdout
            .contains(&format!("`upexport --base-url {url} status {job}`")),
        "{}",
        r.stdout
    );
    assert!(!r.all().contains('\u{1b}'), "no escape sequences");
    assert!(!r.all().contains(DEMO_KEY));

    // Sent once, with the body the answers describe.
    let posts: Vec<_> = server
        .requests()
        .into_iter()
        .filter(|q| q.method == "POST")
        .collect();
    assert_eq!(posts.len(), 1);
    assert_eq!(
        posts[0].body,
        r#"{"from":"2026-11-01","to":"2026-11-26","emails":["a@x.com","b@y.com"],"event_type":["track"],"format":"csv"}"#
    );
    // And recorded.
    let h = json(&up(&sb, None, &["history", "--json"]).await.stdout);
    let rows = entries(&h);
    assert_eq!(rows.len(), 1, "{h}");
    assert_eq!(rows[0]["state"], "created");
    assert_eq!(rows[0]["created"]["job_id"], job.as_str());

    // A second export while the first runs: 409, exit 4, said plainly.
    let mut c = sb.command(Some(DEMO_KEY));
    c.args(["--plain", "--base-url", &url]);
    let r = run_async(c, Some(&answers("yesterday", "today", "yes"))).await;
    expect(&r, 4, "conflict");
    assert!(r.stderr.contains("already running"), "{}", r.stderr);
    let h = json(&up(&sb, None, &["history", "--json"]).await.stdout);
    assert_eq!(entries(&h).len(), 2, "{h}");
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn plain_mode_sends_nothing_unless_told_yes() {
    let sb = Sandbox::new();
    let server = start(DemoOptions::default()).await;
    let url = server.base_url();
    for (input, code, said) in [
        (answers("2026-11-01", "", "n"), 0, "not sent"),
        (answers("2026-11-01", "", ""), 0, "not sent"),
        // Input ending before the last field: nothing sent, exit 2.
        ("2026-11-01\n".to_owned(), 2, ""),
        // A bad answer again and again: gives up, exit 2.
        ("nope\n".repeat(20), 2, ""),
    ] {
        let mut c = sb.command(Some(DEMO_KEY));
        c.args(["--plain", "--base-url", &url]);
        let r = run_async(c, Some(&input)).await;
        expect(&r, code, &format!("{input:?}"));
        assert_eq!(r.stdout.trim(), said, "{input:?}");
        if code == 2 {
            assert!(r.stderr.contains("nothing was sent"), "{}", r.stderr);
        }
    }
    assert_eq!(creates(&server), 0, "an export was created");
    let h = json(&up(&sb, None, &["history", "--json"]).await.stdout);
    assert_eq!(
        entries(&h),
        Vec::<serde_json::Value>::new(),
        "nothing recorded"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn plain_mode_checks_the_key_first_and_never_prints_it() {
    let sb = Sandbox::new();
    let server = start(DemoOptions::default()).await;
    let url = server.base_url();
    // No key: said before any question.
    let mut c = sb.command(None);
    c.args(["--plain", "--base-url", &url]);
    let r = run_async(c, Some(&answers("", "", "y"))).await;
    expect(&r, 3, "no key");
    assert!(!r.stderr.contains("From ("), "asked anyway: {}", r.stderr);
    // A refused key: exit 3, recorded as failed, the key never shown.
    let mut c = sb.command(Some(SENTINEL));
    c.args(["--plain", "--base-url", &url]);
    let r = run_async(c, Some(&answers("", "", "y"))).await;
    expect(&r, 3, "refused key");
    assert!(r.stderr.contains("401"), "{}", r.stderr);
    assert!(!r.all().contains(SENTINEL));
    let h = json(&up(&sb, None, &["history", "--json"]).await.stdout);
    assert_eq!(h["entries"][0]["state"], "failed", "{h}");
    let (hits, _) = files_containing(sb.root(), SENTINEL.as_bytes());
    assert!(hits.is_empty(), "the key is in {hits:?}");
}

// ------------------------------------------------------------------ logs

fn log_files(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map(|d| {
            d.flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_debug_run_writes_a_daily_log_without_the_key_and_old_logs_are_pruned() {
    let sb = Sandbox::new();
    let server = start(DemoOptions::default()).await;
    let url = server.base_url();
    let logs = sb.state_dir().join("logs");
    let mut c = sb.command(Some(SENTINEL));
    c.env("UPEXPORT_LOG", "debug");
    c.args(["jobs", "--base-url", &url]);
    let r = run_async(c, None).await;
    expect(&r, 3, "jobs with a refused key");
    let today = chrono::Local::now().date_naive();
    let names = log_files(&logs);
    // The file is named for the UTC day (tracing-appender's clock).
    let utc = chrono::Utc::now().date_naive();
    let expected = [today, utc].map(|d| format!("upexport.{}.log", d.format("%Y-%m-%d")));
    let name = names
        .iter()
        .find(|n| expected.contains(n))
        .unwrap_or_else(|| panic!("no daily log among {names:?}"));
    let text = std::fs::read_to_string(logs.join(name)).expect("log");
    assert!(
        text.contains("DEBUG") && text.contains("answer"),
        "debug lines are written: {text}"
    );
    assert!(!text.contains(SENTINEL), "the key is in the log");
    assert!(
        server
            .requests()
            .iter()
            .any(|q| q.authorization.as_deref() == Some(&format!("Token {SENTINEL}"))),
        "the key was sent, so its absence from the log means something"
    );

    // Bounded: with many old files, a run leaves at most 7 (other files
    // in the directory are left alone).
    for d in 1..=12 {
        std::fs::write(logs.join(format!("upexport.2020-01-{d:02}.log")), "old\n").expect("old");
    }
    std::fs::write(logs.join("notes.txt"), "mine\n").expect("notes");
    let r = up(&sb, None, &["history"]).await;
    expect(&r, 0, "history");
    let names = log_files(&logs);
    let ours = names.iter().filter(|n| n.starts_with("upexport.")).count();
    assert!(
        ours <= upexport::logging::MAX_LOG_FILES,
        "{ours} log files kept: {names:?}"
    );
    assert!(ours >= 2, "not everything was removed: {names:?}");
    assert!(names.contains(name), "today's file is kept: {names:?}");
    assert!(names.contains(&"notes.txt".to_owned()), "{names:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_missing_key_file_is_a_key_problem_exit_3_naming_the_file() {
    let sb = Sandbox::new();
    let gone = sb.root().join("no-such.key");
    let cfg = sb.write_config(&format!(
        "[profiles.default]\napi_key_file = \"{}\"\n",
        gone.display()
    ));
    let cfg = cfg.to_str().expect("UTF-8 path");
    let r = up(
        &sb,
        None,
        &[
            "--config",
            cfg,
            "status",
            "job-1",
            "--base-url",
            "http://127.0.0.1:9",
        ],
    )
    .await;
    expect(&r, 3, "a key file that does not exist");
    assert!(r.stderr.contains("key file"), "{}", r.stderr);
    assert!(r.stderr.contains("no-such.key"), "{}", r.stderr);
}
