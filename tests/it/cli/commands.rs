//! The `upexport` binary seen from a shell: arguments, output, exit codes,
//! files. Every test has its own HOME and XDG directories; the network is
//! 127.0.0.1 only (a `demo-server` child, a closed port, or `--dry-run`).
//! Waits are on conditions (a line on a pipe, a job's status) with hard
//! limits; nothing sleeps.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::sync::mpsc::channel;
use std::time::{Duration, Instant};

use assert_cmd::Command;
use serde_json::Value;
use upexport::demo::DEMO_KEY;

use crate::support::{
    Out, Sandbox, WAIT_LIMIT, closed_port, files_containing, json, set_mode, write_private,
};

const SENTINEL: &str = "sentinel-5d1e9b7c-KEY";

fn run(mut c: Command, args: &[&str]) -> Out {
    c.args(args);
    crate::support::run(c)
}

/// Run and insist on an exit code, showing both streams when it differs.
#[track_caller]
fn expect_code(c: Command, args: &[&str], code: i32) -> Out {
    let r = run(c, args);
    assert_eq!(
        r.code,
        Some(code),
        "upexport {args:?}: exit {:?} (wanted {code})\n--- stdout\n{}\n--- stderr\n{}",
        r.code,
        r.stdout,
        r.stderr
    );
    r
}

/// The job id from `submit`'s "created export job ID" line.
fn job_id_of(submit_stdout: &str) -> String {
    submit_stdout
        .lines()
        .find_map(|l| l.strip_prefix("created export job "))
        .unwrap_or_else(|| panic!("no job id in: {submit_stdout}"))
        .trim()
        .to_owned()
}

/// Poll `status --json` until the job is completed (hard limit).
fn wait_completed(sb: &Sandbox, url: &str, job: &str) -> Value {
    let deadline = Instant::now() + WAIT_LIMIT;
    loop {
        let r = expect_code(
            sb.with_key(DEMO_KEY),
            &["status", "--base-url", url, job, "--json"],
            0,
        );
        let v = json(&r.stdout);
        if v["status"] == "completed" {
            return v;
        }
        assert!(
            Instant::now() < deadline,
            "job {job} not completed within {WAIT_LIMIT:?}: {v}"
        );
    }
}

// ---------------------------------------------------------------- dry run

const FULL_ARGS: [&str; 23] = [
    "submit",
    "--dry-run",
    "--from",
    "2026-11-01",
    "--to",
    "2026-11-26",
    "--email",
    "a@x.com",
    "--email",
    "b@y.com,a@x.com",
    "--event-type",
    "track",
    "--user-id",
    "u1",
    "--company-id",
    "c1",
    "--segment-id",
    "101",
    "--format",
    "ndjson",
    "--exclusions",
    "x",
    // The base URL is a closed port: were anything sent, the exit would be 5.
    "--base-url",
];

const FULL_PRETTY: &str = r#"{
  "from": "2026-11-01",
  "to": "2026-11-26",
  "emails": [
    "a@x.com",
    "b@y.com"
  ],
  "event_type": [
    "track"
  ],
  "user_id": [
    "u1"
  ],
  "company_id": [
    "c1"
  ],
  "segment_id": "101",
  "format": "ndjson",
  "exclusions": "x"
}"#;

const FULL_COMPACT: &str = r#"{"from":"2026-11-01","to":"2026-11-26","emails":["a@x.com","b@y.com"],"event_type":["track"],"user_id":["u1"],"company_id":["c1"],"segment_id":"101","format":"ndjson","exclusions":"x"}"#;

fn full_args(url: &str) -> Vec<&str> {
    let mut a = FULL_ARGS.to_vec();
    a.push(url);
    a
}

#[test]
fn dry_run_prints_the_whole_body_and_a_curl_line_without_the_key() {
    let sb = Sandbox::new();
    let url = format!("http://127.0.0.1:{}", closed_port());
    let r = expect_code(sb.with_key(SENTINEL), &full_args(&url), 0);
    let expected = format!(
        "{FULL_PRETTY}\n\ncurl -sS -X POST '{url}/api/v1/analytics/exports' \\\n  -H \"Authorization: Token $USERPILOT_API_KEY\" \\\n  -H 'Content-Type: application/json' -H 'Accept: application/json' \\\n  --data-raw '{FULL_COMPACT}'\n"
    );
    assert_eq!(r.stdout, expected);
    assert!(!r.all().contains(SENTINEL), "the key leaked: {}", r.all());
    assert!(!r.stderr.contains("error"), "{}", r.stderr);
    // Where the user decides, the guess that `to` is included is said.
    assert_eq!(
        r.stderr,
        "range: 2026-11-01 to 2026-11-26: 26 days, 2026-11-26 included (assumed: the API does not say whether `to` is inclusive)\n"
    );
    let help = expect_code(sb.cmd(), &["submit", "--help"], 0);
    assert!(
        help.stdout
            .contains("included (assumed: the API does not say)"),
        "{}",
        help.stdout
    );
}

#[test]
fn dry_run_needs_no_key_and_json_prints_the_compact_body() {
    let sb = Sandbox::new();
    let url = format!("http://127.0.0.1:{}", closed_port());
    let mut args = full_args(&url);
    args.push("--json");
    let r = expect_code(sb.cmd(), &args, 0);
    assert_eq!(r.stdout, format!("{FULL_COMPACT}\n"));
}

/// Ids may hold spaces (the vendor allows any string): a flag's value or
/// form text is split on commas, semicolons, tabs and newlines only, and
/// the items of a JSON array are sent exactly as given.
#[test]
fn list_items_keep_their_inner_spaces_and_json_arrays_are_never_split() {
    let sb = Sandbox::new();
    let url = format!("http://127.0.0.1:{}", closed_port());
    let r = expect_code(
        sb.cmd(),
        &[
            "submit",
            "--dry-run",
            "--json",
            "--base-url",
            &url,
            "--user-id",
            "Jane Doe",
            "--company-id",
            " Acme Inc ; EU\tx y",
        ],
        0,
    );
    assert_eq!(
        r.stdout,
        "{\"user_id\":[\"Jane Doe\"],\"company_id\":[\"Acme Inc\",\"EU\",\"x y\"]}\n"
    );

    let body = sb.root().join("body.json");
    std::fs::write(
        &body,
        r#"{"user_id":["Jane Doe","x y"],"company_id":["Acme Inc;EU","a, b"]}"#,
    )
    .unwrap();
    let file = body.to_string_lossy().into_owned();
    let r = expect_code(
        sb.cmd(),
        &[
            "submit",
            "--dry-run",
            "--json",
            "--base-url",
            &url,
            "--body-file",
            &file,
        ],
        0,
    );
    assert_eq!(
        r.stdout,
        "{\"user_id\":[\"Jane Doe\",\"x y\"],\"company_id\":[\"Acme Inc;EU\",\"a, b\"]}\n"
    );

    // An email is still one address: a space inside it is refused.
    let r = expect_code(
        sb.cmd(),
        &[
            "submit",
            "--dry-run",
            "--base-url",
            &url,
            "--email",
            "ana smith@x.com",
        ],
        2,
    );
    assert!(r.stderr.contains("ana smith@x.com"), "{}", r.stderr);
}

#[test]
fn a_sparse_dry_run_omits_empty_fields() {
    let sb = Sandbox::new();
    let url = format!("http://127.0.0.1:{}", closed_port());
    let base = ["submit", "--dry-run", "--base-url", &url];

    let mut args = base.to_vec();
    args.extend(["--from", "2026-11-01", "--json"]);
    args.extend(["--exclusions", "", "--segment-id", " ", "--email", ""]);
    let r = expect_code(sb.cmd(), &args, 0);
    assert_eq!(r.stdout, "{\"from\":\"2026-11-01\"}\n");

    let mut args = base.to_vec();
    args.extend(["--event-type", "page_view,track"]);
    let r = expect_code(sb.cmd(), &args, 0);
    let body = r.stdout.split("\n\ncurl ").next().unwrap();
    assert_eq!(
        body,
        "{\n  \"event_type\": [\n    \"page_view\",\n    \"track\"\n  ]\n}"
    );
    assert!(
        r.stdout
            .contains("--data-raw '{\"event_type\":[\"page_view\",\"track\"]}'")
    );

    let r = expect_code(sb.cmd(), &base, 0);
    assert!(r.stdout.starts_with("{}\n\ncurl "), "{}", r.stdout);
}

#[test]
fn body_file_from_a_file_and_from_stdin() {
    let sb = Sandbox::new();
    let url = format!("http://127.0.0.1:{}", closed_port());
    let body = r#"{"from":"2026-11-01","to":"2026-11-26","emails":["a@x.com","b@y.com","a@x.com"],"event_type":["track"],"user_id":["u1"],"company_id":["c1"],"segment_id":101,"format":"ndjson","exclusions":"x"}"#;
    let file = sb.root().join("body.json");
    std::fs::write(&file, body).unwrap();
    let file = file.to_str().unwrap();

    let args = [
        "submit",
        "--dry-run",
        "--json",
        "--base-url",
        &url,
        "--body-file",
    ];
    let mut from_file = args.to_vec();
    from_file.push(file);
    let r = expect_code(sb.cmd(), &from_file, 0);
    assert_eq!(r.stdout, format!("{FULL_COMPACT}\n"));

    let mut from_stdin = args.to_vec();
    from_stdin.push("-");
    let mut c = sb.cmd();
    c.write_stdin(body);
    let r = expect_code(c, &from_stdin, 0);
    assert_eq!(r.stdout, format!("{FULL_COMPACT}\n"));

    // Unknown fields are refused, by name.
    let mut c = sb.cmd();
    c.write_stdin(r#"{"from":"2026-11-01","form":"2026-11-02"}"#);
    let r = expect_code(c, &from_stdin, 2);
    assert!(r.stderr.contains("unknown field 'form'"), "{}", r.stderr);
    // --json callers get the error as JSON on stdout.
    assert_eq!(json(&r.stdout)["error"]["kind"], "invalid_input");

    std::fs::write(sb.root().join("typo.json"), r#"{"segmentid":"1"}"#).unwrap();
    let mut typo = args.to_vec();
    let typo_path = sb.root().join("typo.json");
    typo.push(typo_path.to_str().unwrap());
    let r = expect_code(sb.cmd(), &typo, 2);
    assert!(
        r.stderr.contains("segmentid") && r.stderr.contains("typo.json"),
        "{}",
        r.stderr
    );

    // A missing file says which.
    let mut missing = args.to_vec();
    missing.push("/nonexistent/body.json");
    let r = expect_code(sb.cmd(), &missing, 2);
    assert!(r.stderr.contains("/nonexistent/body.json"), "{}", r.stderr);

    // --body-file with a field flag is a usage error.
    let mut both = from_file.clone();
    both.extend(["--from", "2026-11-01"]);
    let r = expect_code(sb.cmd(), &both, 2);
    assert!(r.stderr.contains("--body-file"), "{}", r.stderr);
}

#[test]
fn invalid_input_exits_2_naming_the_field() {
    let sb = Sandbox::new();
    let url = format!("http://127.0.0.1:{}", closed_port());
    let cases: [(&[&str], &[&str]); 5] = [
        (&["--from", "2026-02-30"], &["From", "2026-02-30"]),
        (&["--to", "2026-02-30"], &["To", "2026-02-30"]),
        (
            &["--from", "2026-03-02", "--to", "2026-03-01"],
            &["To", "ends before it starts"],
        ),
        (&["--email", "ok@x.com,bad@"], &["Emails", "bad@"]),
        (&["--email", "no-at-sign"], &["Emails", "no-at-sign"]),
    ];
    for (flags, words) in cases {
        for dry in [true, false] {
            let mut args = vec!["submit", "--base-url", &url];
            if dry {
                args.push("--dry-run");
            }
            args.extend(flags);
            // With a key and a closed port: a request sent would exit 5.
            let r = expect_code(sb.with_key("k"), &args, 2);
            for w in words {
                assert!(r.stderr.contains(w), "{args:?}: no {w:?} in {}", r.stderr);
            }
            assert_eq!(r.stdout, "", "{args:?}");
        }
    }
    // Nothing was recorded: invalid input is refused before history.
    assert!(!sb.state_dir().join("history.sqlite3").exists());
}

// ---------------------------------------------------------- demo server

#[test]
fn demo_server_submit_history_status_jobs_conflict_lookups() {
    let sb = Sandbox::new();
    let mut server = sb.demo_server("normal", 600.0, &[]);
    assert_eq!(server.key_line(), DEMO_KEY);
    let url = server.url.clone();
    let key = || sb.with_key(DEMO_KEY);

    let r = expect_code(
        key(),
        &[
            "submit",
            "--base-url",
            &url,
            "--from",
            "2026-11-01",
            "--to",
            "2026-11-26",
        ],
        0,
    );
    let job = job_id_of(&r.stdout);
    assert_eq!(job.len(), 36, "a UUID: {job}");
    assert!(r.stdout.contains(&format!("upexport status {job}")));

    let r = expect_code(key(), &["history"], 0);
    assert!(r.stdout.contains(&format!("created {job}")), "{}", r.stdout);
    let h = json(&expect_code(sb.cmd(), &["history", "--json"], 0).stdout);
    let rows = h.as_array().expect("an array");
    assert_eq!(rows.len(), 1, "{h}");
    assert_eq!(rows[0]["state"], "created");
    assert_eq!(rows[0]["created"]["job_id"], job.as_str());
    assert_eq!(rows[0]["source"], "cli");

    let r = expect_code(key(), &["status", "--base-url", &url, &job], 0);
    assert!(
        r.stdout.starts_with(&format!("job {job}: ")),
        "{}",
        r.stdout
    );
    // Progress with its units, worded as the TUI's rows and 409 dialog
    // word it (api::progress_words).
    let progress = r
        .stdout
        .lines()
        .find(|l| l.contains("progress"))
        .unwrap_or("");
    assert!(
        progress.contains("% · ") && progress.ends_with(" chunks"),
        "{}",
        r.stdout
    );
    let s = json(&expect_code(key(), &["status", "--base-url", &url, &job, "--json"], 0).stdout);
    assert_eq!(s["job_id"], job.as_str());
    assert!(
        matches!(s["status"].as_str(), Some("pending" | "processing")),
        "{s}"
    );

    let r = expect_code(key(), &["jobs", "--base-url", &url], 0);
    assert!(r.stdout.starts_with("job "), "a header: {}", r.stdout);
    assert!(r.stdout.contains(&job), "{}", r.stdout);
    let j = json(&expect_code(key(), &["jobs", "--base-url", &url, "--json"], 0).stdout);
    assert!(
        j.as_array()
            .unwrap()
            .iter()
            .any(|x| x["job_id"] == job.as_str()),
        "{j}"
    );

    // A running job has nothing to download yet.
    let out = sb.root().join("early");
    let r = expect_code(
        key(),
        &[
            "download",
            "--base-url",
            &url,
            &job,
            "--out",
            out.to_str().unwrap(),
        ],
        5,
    );
    assert!(r.stderr.contains("no files yet"), "{}", r.stderr);

    // A second export while the first runs: 409, exit 4, recorded.
    let r = expect_code(
        key(),
        &["submit", "--base-url", &url, "--from", "2026-10-01"],
        4,
    );
    assert!(r.stderr.contains("already running"), "{}", r.stderr);
    // What to do is said once, not the server's advice and then ours.
    assert_eq!(
        r.stderr.matches("wait for it to finish").count(),
        1,
        "{}",
        r.stderr
    );
    let r = expect_code(
        key(),
        &[
            "submit",
            "--json",
            "--base-url",
            &url,
            "--from",
            "2026-10-01",
        ],
        4,
    );
    let e = json(&r.stdout);
    assert_eq!(e["error"]["kind"], "conflict");
    assert_eq!(e["error"]["http_status"], 409);
    let h = json(&expect_code(sb.cmd(), &["history", "--json"], 0).stdout);
    let rows = h.as_array().unwrap();
    assert_eq!(rows.len(), 3, "{h}");
    assert_eq!(rows[0]["state"], "failed", "newest first: {h}");
    assert_eq!(rows[0]["failed"]["kind"], "conflict");
    assert_eq!(rows[0]["failed"]["http_status"], 409);
    let r = expect_code(sb.cmd(), &["history", "--limit", "1"], 0);
    assert!(r.stdout.contains("409 conflict"), "{}", r.stdout);
    assert!(!r.stdout.contains(&format!("created {job}")), "limit 1");

    // Lookups.
    let r = expect_code(key(), &["lookups", "--base-url", &url, "segments"], 0);
    let n = r.stdout.lines().count();
    assert!((100..=140).contains(&n), "{n} segments:\n{}", r.stdout);
    assert!(r.stderr.contains(&format!("{n} items")), "{}", r.stderr);
    let l = json(
        &expect_code(
            key(),
            &["lookups", "--base-url", &url, "segments", "--json"],
            0,
        )
        .stdout,
    );
    assert_eq!(l.as_array().unwrap().len(), n);
    let r = expect_code(key(), &["lookups", "--base-url", &url, "nope"], 2);
    assert!(
        r.stderr.contains("'nope'") && r.stderr.contains("segments"),
        "{}",
        r.stderr
    );
    let r = expect_code(sb.cmd(), &["lookups"], 0);
    assert!(r.stdout.lines().any(|l| l == "segments"), "{}", r.stdout);
}

#[test]
fn download_decompresses_and_refuses_to_overwrite() {
    let sb = Sandbox::new();
    let server = sb.demo_server("normal", 0.3, &[]);
    let url = server.url.clone();
    let r = expect_code(
        sb.with_key(DEMO_KEY),
        &[
            "submit",
            "--base-url",
            &url,
            "--from",
            "2026-11-01",
            "--to",
            "2026-11-05",
        ],
        0,
    );
    let job = job_id_of(&r.stdout);
    let status = wait_completed(&sb, &url, &job);
    let urls = status["presigned_urls"].as_array().expect("presigned_urls");
    assert!(!urls.is_empty(), "{status}");

    let dir = sb.root().join("out");
    let dir_s = dir.to_str().unwrap();
    let dl = ["download", "--base-url", &url, &job, "--out", dir_s];
    let r = expect_code(sb.with_key(DEMO_KEY), &dl, 0);
    // The files go into DIR/<job id>/ (beside them hidden records and the
    // folder's manifest).
    let dir = dir.join(&job);
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| !n.ends_with(".download.json") && n != "manifest.json")
        .collect();
    assert!(dir.join("manifest.json").is_file(), "{names:?}");
    names.sort();
    assert_eq!(names.len(), urls.len(), "{names:?} for {status}");
    let mut sizes = Vec::new();
    for n in &names {
        assert!(!n.ends_with(".gz") && !n.starts_with('.'), "{names:?}");
        assert!(r.stdout.contains(n.as_str()), "{}", r.stdout);
        let bytes = std::fs::read(dir.join(n)).unwrap();
        assert!(bytes.len() > 2, "{n} is empty");
        assert_ne!(&bytes[..2], &[0x1f, 0x8b], "{n} is still gzip");
        let first = bytes.split(|b| *b == b'\n').next().unwrap();
        json(std::str::from_utf8(first).expect("text"));
        sizes.push(bytes.len());
    }

    // Again: the files this job saved are kept and counted, untouched.
    let r = expect_code(sb.with_key(DEMO_KEY), &dl, 0);
    assert_eq!(
        r.stdout.matches("(already downloaded)").count(),
        names.len(),
        "{}",
        r.stdout
    );
    // Something else under a file's name is kept and fails the command.
    std::fs::write(dir.join(&names[0]), b"mine").unwrap();
    let r = expect_code(sb.with_key(DEMO_KEY), &dl, 5);
    assert!(r.stderr.contains("not this job's file"), "{}", r.stderr);
    assert_eq!(std::fs::read(dir.join(&names[0])).unwrap(), b"mine");
    // --overwrite replaces them.
    let mut again = dl.to_vec();
    again.push("--overwrite");
    expect_code(sb.with_key(DEMO_KEY), &again, 0);
    for (n, size) in names.iter().zip(&sizes) {
        assert_eq!(
            std::fs::metadata(dir.join(n)).unwrap().len() as usize,
            *size
        );
    }

    // --keep-gz keeps gzip (so the check above means something).
    let gz = sb.root().join("gz");
    let r = expect_code(
        sb.with_key(DEMO_KEY),
        &[
            "download",
            "--base-url",
            &url,
            &job,
            "--out",
            gz.to_str().unwrap(),
            "--keep-gz",
            "--json",
        ],
        0,
    );
    let v = json(&r.stdout);
    let files = v["files"].as_array().unwrap();
    assert_eq!(files.len(), urls.len());
    for f in files {
        let p = PathBuf::from(f["path"].as_str().unwrap());
        assert!(p.to_string_lossy().ends_with(".gz"), "{v}");
        assert_eq!(&std::fs::read(&p).unwrap()[..2], &[0x1f, 0x8b]);
    }
    drop(server);
}

#[test]
fn download_only_picks_parts_and_a_cut_download_resumes_on_the_next_run() {
    let sb = Sandbox::new();
    let server = sb.demo_server("download-cut", 0.3, &[]);
    let url = server.url.clone();
    let r = expect_code(
        sb.with_key(DEMO_KEY),
        &["submit", "--base-url", &url, "--from", "2026-11-01"],
        0,
    );
    let job = job_id_of(&r.stdout);
    let status = wait_completed(&sb, &url, &job);
    let urls = status["presigned_urls"].as_array().expect("presigned_urls");
    assert_eq!(urls.len(), 2, "{status}");
    let second = urls[1]["filename"].as_str().unwrap().to_owned();
    // `status` numbers the files as --only takes them.
    let r = expect_code(
        sb.with_key(DEMO_KEY),
        &["status", "--base-url", &url, &job],
        0,
    );
    assert!(
        r.stdout.lines().any(|l| l.trim() == format!("2  {second}")),
        "{}",
        r.stdout
    );

    let dir = sb.root().join("picked");
    let dir_s = dir.to_str().unwrap();
    let dl = |extra: &[&str], code: i32| {
        let mut args = vec!["download", "--base-url", &url, &job, "--out", dir_s];
        args.extend(extra);
        expect_code(sb.with_key(DEMO_KEY), &args, code)
    };
    let r = dl(&["--only", "1,3"], 2);
    assert!(
        r.stderr.contains("--only 3") && r.stderr.contains("2 files"),
        "{}",
        r.stderr
    );
    assert!(!dir.exists(), "nothing fetched for a bad --only");

    // The first download of each file is cut: exit 5, one JSON summary
    // naming the failure, the partial file kept.
    let r = dl(&["--only", "2", "--json"], 5);
    assert_eq!(r.stdout.lines().count(), 1, "{}", r.stdout);
    let v = json(&r.stdout);
    assert_eq!(v["job_id"], job.as_str());
    assert_eq!(v["files"], serde_json::json!([]));
    assert_eq!(v["failed"][0]["index"], 2);
    assert_eq!(v["failed"][0]["filename"], second.as_str());
    assert_eq!(v["failed"][0]["kind"], "connection_lost");
    assert_eq!(v["error"]["kind"], "connection_lost");
    assert!(r.stderr.contains(&format!("{second}: ")), "{}", r.stderr);
    let names = |d: &Path| -> Vec<String> {
        let mut v: Vec<String> = std::fs::read_dir(d)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    };
    // In DIR/<job id>/: the partial file and the record of what it is.
    let dir = dir.join(&job);
    assert_eq!(
        names(&dir),
        [
            format!(".{second}.download.json"),
            format!(".{second}.part")
        ]
    );

    // The next run resumes it; only that part is ever fetched.
    let r = dl(&["--only", "2", "--json"], 0);
    let v = json(&r.stdout);
    assert!(v.get("failed").is_none() && v.get("error").is_none(), "{v}");
    let files = v["files"].as_array().unwrap();
    assert_eq!(files.len(), 1, "{v}");
    assert_eq!(files[0]["resumed"], true);
    assert_eq!(files[0]["decompressed"], true);
    let plain = second.trim_end_matches(".gz").to_owned();
    assert_eq!(
        names(&dir),
        [
            format!(".{second}.download.json"),
            "manifest.json".to_owned(),
            plain.clone()
        ]
    );
    let bytes = std::fs::read(dir.join(&plain)).unwrap();
    assert_eq!(files[0]["size"], bytes.len());
    json(std::str::from_utf8(bytes.split(|b| *b == b'\n').next().unwrap()).unwrap());

    // Without --only: part 1 is cut, part 2 is already there and kept;
    // the command fails for part 1 only.
    let r = dl(&[], 5);
    assert!(
        r.stdout.contains(&format!("{plain}  ")) && r.stdout.contains("(already downloaded)"),
        "{}",
        r.stdout
    );
    assert!(r.stderr.contains("resumes"), "{}", r.stderr);
    assert!(r.stderr.contains("1 of 2 files failed"), "{}", r.stderr);
    drop(server);
}

#[test]
fn lookups_are_cached_per_profile_and_refresh_fetches_again() {
    let sb = Sandbox::new();
    let server = sb.demo_server("normal", 600.0, &[]);
    let url = server.url.clone();
    let look = |c: Command, extra: &[&str], code: i32| {
        let mut args = vec!["lookups", "--base-url", &url, "flows"];
        args.extend(extra);
        expect_code(c, &args, code)
    };
    let fresh = look(sb.with_key(DEMO_KEY), &[], 0);
    assert_eq!(fresh.stdout.lines().count(), 8, "{}", fresh.stdout);
    assert!(!fresh.stderr.contains("cached"), "{}", fresh.stderr);
    // Kept per profile and server (host and port).
    let host = url.trim_start_matches("http://").trim_end_matches('/');
    let server_dir = host.replace(':', "%3A");
    let file = sb.root().join(format!(
        "cache/upexport/lookups/default/{server_dir}/flows.json"
    ));
    assert!(file.is_file(), "no cache file at {file:?}");

    // Served from the cache, saying so; no key needed for that.
    let again = look(sb.cmd(), &[], 0);
    assert_eq!(again.stdout, fresh.stdout);
    assert!(
        again.stderr.contains("8 items (cached") && again.stderr.contains("--refresh"),
        "{}",
        again.stderr
    );
    let (ok, _) = server.terminate();
    assert!(ok);
    let offline = look(sb.cmd(), &["--json"], 0);
    assert_eq!(json(&offline.stdout).as_array().unwrap().len(), 8);

    // A refresh needs the server: it fails, and says a cached copy exists.
    let r = look(sb.with_key(DEMO_KEY), &["--refresh"], 5);
    assert!(r.stdout.is_empty(), "no stale data printed: {}", r.stdout);
    assert!(r.stderr.contains("cached copy"), "{}", r.stderr);
    let r = look(sb.with_key(DEMO_KEY), &["--refresh", "--json"], 5);
    assert_eq!(json(&r.stdout)["error"]["kind"], "connect");

    // Another profile has its own cache (none yet): it needs the network.
    std::fs::create_dir_all(sb.config_dir()).unwrap();
    write_private(
        &sb.config_dir().join("config.toml"),
        "default_profile = \"default\"\n[profiles.default]\n[profiles.other]\n",
    );
    let r = look(sb.with_key(DEMO_KEY), &["--profile", "other"], 5);
    assert!(!r.stderr.contains("cached"), "{}", r.stderr);
    assert!(look(sb.cmd(), &[], 0).stderr.contains("cached"));
}

// ----------------------------------------------------------- exit codes

#[test]
fn exit_3_for_a_refused_key_and_for_no_key() {
    let sb = Sandbox::new();
    let normal = sb.demo_server("normal", 600.0, &[]);
    let r = expect_code(
        sb.with_key("not-the-demo-key"),
        &["submit", "--base-url", &normal.url, "--from", "2026-11-01"],
        3,
    );
    assert!(r.stderr.contains("401"), "{}", r.stderr);
    let r = expect_code(
        sb.with_key("not-the-demo-key"),
        &["jobs", "--json", "--base-url", &normal.url],
        3,
    );
    assert_eq!(json(&r.stdout)["error"]["kind"], "unauthorized");

    let unauth = sb.demo_server("unauthorized", 600.0, &[]);
    for args in [
        vec!["jobs", "--base-url", &unauth.url],
        vec!["status", "--base-url", &unauth.url, "some-job"],
        vec!["submit", "--base-url", &unauth.url],
        vec!["lookups", "segments", "--base-url", &unauth.url],
    ] {
        expect_code(sb.with_key(DEMO_KEY), &args, 3);
    }

    // No key anywhere: say where one comes from; nothing is sent.
    let config = sb.config_dir().join("config.toml");
    for args in [
        vec!["submit", "--base-url", &normal.url, "--from", "2026-11-01"],
        vec!["jobs", "--base-url", &normal.url],
    ] {
        let r = expect_code(sb.cmd(), &args, 3);
        for w in [
            "USERPILOT_API_KEY",
            "api_key_file",
            "api_key_command",
            config.to_str().unwrap(),
        ] {
            assert!(r.stderr.contains(w), "no {w:?} in {}", r.stderr);
        }
    }
}

#[test]
fn exit_5_for_an_html_server_error_and_a_refused_connection() {
    let sb = Sandbox::new();
    let server = sb.demo_server("server-error-html", 600.0, &[]);
    for args in [
        vec!["submit", "--base-url", &server.url, "--from", "2026-11-01"],
        vec!["jobs", "--base-url", &server.url],
        vec!["status", "--base-url", &server.url, "x"],
    ] {
        let r = expect_code(sb.with_key(DEMO_KEY), &args, 5);
        assert!(
            r.stderr.contains("500 Internal Server Error"),
            "the page title: {}",
            r.stderr
        );
        for tag in ["<html", "<title", "<body", "<h1", "</", "<!"] {
            assert!(!r.stderr.contains(tag), "HTML in {}", r.stderr);
        }
    }

    let url = format!("http://127.0.0.1:{}", closed_port());
    for args in [
        vec!["submit", "--base-url", &url, "--from", "2026-11-01"],
        vec!["jobs", "--base-url", &url],
    ] {
        let r = expect_code(sb.with_key(DEMO_KEY), &args, 5);
        assert!(r.stderr.contains("connect"), "{}", r.stderr);
    }
}

/// `http://` to a non-loopback host is refused before anything is sent.
/// Proof of "nothing sent": every proxy variable points at a listener of
/// ours, which reqwest uses for any non-loopback host; the listener sees
/// the control request (an https host that never resolves, tunnelled with
/// CONNECT) but none for example.com.
#[test]
fn exit_2_for_plain_http_to_another_host_and_nothing_is_sent() {
    let sb = Sandbox::new();
    let trap = TcpListener::bind("127.0.0.1:0").unwrap();
    let proxy = format!("http://{}", trap.local_addr().unwrap());
    let (seen_tx, seen) = channel::<String>();
    // Accept in order, report each request's first bytes, hang up.
    std::thread::spawn(move || {
        for conn in trap.incoming() {
            let Ok(mut conn) = conn else { continue };
            let _ = conn.set_read_timeout(Some(Duration::from_secs(10)));
            let mut buf = [0u8; 512];
            let n = std::io::Read::read(&mut conn, &mut buf).unwrap_or(0);
            if seen_tx
                .send(String::from_utf8_lossy(&buf[..n]).into_owned())
                .is_err()
            {
                return;
            }
        }
    });
    let proxied = |key: &str| {
        let mut c = sb.with_key(key);
        for v in [
            "HTTP_PROXY",
            "http_proxy",
            "HTTPS_PROXY",
            "https_proxy",
            "ALL_PROXY",
            "all_proxy",
        ] {
            c.env(v, &proxy);
        }
        c
    };

    for args in [
        vec![
            "submit",
            "--base-url",
            "http://example.com",
            "--from",
            "2026-11-01",
        ],
        vec!["submit", "--dry-run", "--base-url", "http://example.com"],
        vec!["jobs", "--base-url", "http://example.com"],
        vec!["status", "--base-url", "http://example.com/", "x"],
        vec!["lookups", "segments", "--base-url", "http://example.com"],
    ] {
        let r = expect_code(proxied(SENTINEL), &args, 2);
        assert!(r.stderr.contains("unencrypted"), "{}", r.stderr);
        assert!(!r.all().contains(SENTINEL));
    }
    // USERPILOT_BASE_URL is checked the same way.
    let mut c = proxied(SENTINEL);
    c.env("USERPILOT_BASE_URL", "http://example.com");
    expect_code(c, &["jobs"], 2);

    // The control: the same setup does send a request to a non-loopback
    // host through the proxy, and the trap reports it. Connections are
    // accepted in order, so once the control's request is reported, any
    // earlier one has been too.
    // A loopback base URL never goes through the proxy: straight to the
    // (closed) port, not to the trap.
    let r = run(proxied("k"), &["jobs", "--base-url", "http://127.0.0.2:9"]);
    assert_eq!(r.code, Some(5), "{}", r.stderr);
    assert!(
        r.stderr.contains("could not connect to 127.0.0.2:9"),
        "{}",
        r.stderr
    );
    let r = run(
        proxied("k"),
        &["jobs", "--base-url", "https://upexport-control.invalid"],
    );
    assert_eq!(r.code, Some(5), "{}", r.stderr);
    let mut requests = Vec::new();
    let deadline = Instant::now() + WAIT_LIMIT;
    while !requests
        .iter()
        .any(|q: &String| q.contains("upexport-control.invalid"))
    {
        let left = deadline.saturating_duration_since(Instant::now());
        match seen.recv_timeout(left) {
            Ok(q) => requests.push(q),
            Err(_) => panic!("the trap saw no control request: {requests:?}"),
        }
    }
    assert!(
        !requests
            .iter()
            .any(|q| q.contains("example.com") || q.contains("127.0.0.2")),
        "a request left for example.com: {requests:?}"
    );
}

// ---------------------------------------------------------------- config

#[test]
fn a_malformed_config_exits_2_naming_file_line_and_column() {
    let sb = Sandbox::new();
    let url = format!("http://127.0.0.1:{}", closed_port());
    let bad = sb.root().join("bad.toml");
    write_private(
        &bad,
        "default_profile = \"p\"\n[profiles.p]\nbase_url = https://x\n",
    );
    let r = expect_code(
        sb.cmd(),
        &[
            "--config",
            bad.to_str().unwrap(),
            "submit",
            "--dry-run",
            "--base-url",
            &url,
        ],
        2,
    );
    let want = format!("{}, line 3, column 12", bad.display());
    assert!(r.stderr.contains(&want), "no {want:?} in {}", r.stderr);
    assert_eq!(r.stdout, "");

    // The default place, an unknown key.
    std::fs::create_dir_all(sb.config_dir()).unwrap();
    let default = sb.config_dir().join("config.toml");
    write_private(&default, "[profiles.p]\n\n  base_ulr = \"https://x\"\n");
    for args in [
        vec!["submit", "--dry-run", "--base-url", &url],
        vec!["history"],
        vec!["jobs", "--base-url", &url],
    ] {
        let r = expect_code(sb.with_key("k"), &args, 2);
        let want = format!("{}, line 3, column 3", default.display());
        assert!(r.stderr.contains(&want), "no {want:?} in {}", r.stderr);
        assert!(r.stderr.contains("base_ulr"), "{}", r.stderr);
    }

    // A key in the config file is refused without being echoed.
    write_private(&default, "[profiles.p]\napi_key = \"sentinel-in-config\"\n");
    let r = expect_code(sb.cmd(), &["submit", "--dry-run", "--base-url", &url], 2);
    assert!(r.stderr.contains("line 2"), "{}", r.stderr);
    assert!(!r.all().contains("sentinel-in-config"), "{}", r.all());
}

#[test]
fn profile_key_commands_are_used_and_their_failures_exit_3() {
    let sb = Sandbox::new();
    let server = sb.demo_server("normal", 600.0, &[]);
    let url = server.url.clone();
    let cfg = sb.root().join("cfg.toml");
    write_private(
        &cfg,
        "[profiles.p]\napi_key_command = \"printf upexport-demo-key\"\n\
         [profiles.broken]\napi_key_command = \"echo 'gpg: decryption failed: No secret key' >&2; exit 7\"\n",
    );
    let cfg = cfg.to_str().unwrap();
    // An explicit profile's command beats a wrong key in the environment…
    let r = expect_code(
        sb.with_key("wrong-env-key"),
        &[
            "--config",
            cfg,
            "--profile",
            "p",
            "jobs",
            "--base-url",
            &url,
        ],
        0,
    );
    assert!(!r.stderr.contains("warning"), "{}", r.stderr);
    // …and without --profile the environment's key is used (and refused).
    expect_code(
        sb.with_key("wrong-env-key"),
        &["--config", cfg, "jobs", "--base-url", &url],
        3,
    );
    // UPEXPORT_PROFILE picks the profile, but does not beat the env key.
    let mut c = sb.with_key("wrong-env-key");
    c.env("UPEXPORT_PROFILE", "p");
    expect_code(c, &["--config", cfg, "jobs", "--base-url", &url], 3);
    let mut c = sb.cmd();
    c.env("UPEXPORT_PROFILE", "p");
    expect_code(c, &["--config", cfg, "jobs", "--base-url", &url], 0);

    let r = expect_code(
        sb.cmd(),
        &[
            "--config",
            cfg,
            "--profile",
            "broken",
            "submit",
            "--base-url",
            &url,
        ],
        3,
    );
    assert!(
        r.stderr.contains("gpg: decryption failed: No secret key") && r.stderr.contains("code 7"),
        "{}",
        r.stderr
    );

    let r = expect_code(
        sb.cmd(),
        &[
            "--config",
            cfg,
            "--profile",
            "nope",
            "jobs",
            "--base-url",
            &url,
        ],
        2,
    );
    assert!(
        r.stderr.contains("'nope'") && r.stderr.contains("broken, p"),
        "{}",
        r.stderr
    );
}

#[cfg(unix)]
#[test]
fn a_config_readable_by_others_warns_with_chmod_600() {
    let sb = Sandbox::new();
    let url = format!("http://127.0.0.1:{}", closed_port());
    std::fs::create_dir_all(sb.config_dir()).unwrap();
    let cfg = sb.config_dir().join("config.toml");
    std::fs::write(&cfg, "download_dir = \"/tmp\"\n").unwrap();
    let args = ["submit", "--dry-run", "--base-url", &url];

    set_mode(&cfg, 0o644);
    let r = expect_code(sb.cmd(), &args, 0);
    assert!(
        r.stderr.contains("warning") && r.stderr.contains(&format!("chmod 600 {}", cfg.display())),
        "{}",
        r.stderr
    );
    // The same through --config.
    let r = expect_code(sb.cmd(), &["--config", cfg.to_str().unwrap(), "history"], 0);
    assert!(r.stderr.contains("chmod 600"), "{}", r.stderr);

    set_mode(&cfg, 0o600);
    let r = expect_code(sb.cmd(), &args, 0);
    assert!(
        !r.stderr.contains("chmod"),
        "no warning at 0600: {}",
        r.stderr
    );
}

// -------------------------------------------------------------- sentinel

#[test]
fn the_key_appears_nowhere() {
    let sb = Sandbox::new();
    let trace = [("UPEXPORT_LOG", "trace")];
    let with_sentinel = || {
        let mut c = sb.with_key(SENTINEL);
        c.env("UPEXPORT_LOG", "trace");
        c
    };
    let mut said = Vec::new();
    let mut check = |r: Out, what: String| {
        assert!(
            !r.all().contains(SENTINEL),
            "{what} printed the key:\n{}",
            r.all()
        );
        said.push(what);
    };
    let out_dir = sb.root().join("home").join("downloads");
    let out = out_dir.to_str().unwrap();

    for (mode, refused) in [
        ("normal", 3),
        ("server-error-html", 5),
        ("conflict", 3),
        ("garbage-json", 3),
    ] {
        let server = sb.demo_server(mode, 0.3, &trace);
        let url = server.url.clone();
        // In normal mode a real job exists (made with the demo key).
        let job = if mode == "normal" {
            let r = expect_code(sb.with_key(DEMO_KEY), &["submit", "--base-url", &url], 0);
            job_id_of(&r.stdout)
        } else {
            "00000000-0000-4000-8000-000000000001".to_owned()
        };
        let commands: Vec<(Vec<&str>, i32)> = vec![
            (
                vec!["submit", "--from", "2026-11-01", "--email", "a@x.com"],
                refused,
            ),
            (vec!["submit", "--json", "--from", "2026-11-02"], refused),
            (vec!["submit", "--dry-run", "--from", "2026-11-03"], 0),
            (vec!["submit", "--dry-run", "--json"], 0),
            (vec!["status", &job], refused),
            (vec!["status", "--json", &job], refused),
            (vec!["jobs"], refused),
            (vec!["jobs", "--json"], refused),
            (vec!["download", &job, "--out", out], refused),
            (vec!["download", &job, "--out", out, "--json"], refused),
            (vec!["lookups", "segments"], refused),
            (vec!["lookups", "segments", "--json"], refused),
            (vec!["lookups"], 0),
            (vec!["history"], 0),
            (vec!["history", "--json"], 0),
            (vec!["demo-server", "--help"], 0),
            (vec!["--help"], 0),
        ];
        for (mut args, code) in commands {
            args.extend(["--base-url", &url]);
            let r = expect_code(with_sentinel(), &args, code);
            check(r, format!("{mode}: {args:?}"));
        }
        let (ok, stdout) = server.terminate();
        assert!(ok, "demo-server ({mode}) exited badly: {stdout:?}");
        assert!(!stdout.join("\n").contains(SENTINEL));
    }

    // The key in a key file and in a key command (both outside the
    // scanned tree, as a user's password store would be).
    let secrets = tempfile::tempdir().unwrap();
    let key_file = secrets.path().join("key");
    write_private(&key_file, &format!("{SENTINEL}\n"));
    let cfg = secrets.path().join("config.toml");
    write_private(
        &cfg,
        &format!(
            "[profiles.file]\napi_key_file = \"{}\"\n[profiles.cmd]\napi_key_command = \"printf {SENTINEL}\"\n",
            key_file.display()
        ),
    );
    let server = sb.demo_server("normal", 0.3, &trace);
    for profile in ["file", "cmd"] {
        for args in [
            vec!["submit", "--from", "2026-11-01"],
            vec!["submit", "--json", "--from", "2026-11-01"],
            vec!["jobs"],
        ] {
            let mut c = sb.cmd();
            c.env("UPEXPORT_LOG", "trace");
            let mut all = vec!["--config", cfg.to_str().unwrap(), "--profile", profile];
            all.extend(args);
            all.extend(["--base-url", &server.url]);
            let r = expect_code(c, &all, 3);
            assert!(
                r.stderr.contains("401"),
                "the key was sent and refused: {}",
                r.stderr
            );
            check(r, format!("{profile}: {all:?}"));
        }
    }
    let (ok, _) = server.terminate();
    assert!(ok);

    // Nothing on disk either: history, its journal, logs, downloads, the
    // servers' stderr — every file in the sandbox.
    let (hits, seen) = files_containing(sb.root(), SENTINEL.as_bytes());
    assert!(hits.is_empty(), "the key is in {hits:?}");
    let db = sb.state_dir().join("history.sqlite3");
    assert!(seen.contains(&db), "no history db among {seen:?}");
    let logs: Vec<_> = seen
        .iter()
        .filter(|p| p.starts_with(sb.state_dir().join("logs")))
        .collect();
    assert!(!logs.is_empty(), "no log files among {seen:?}");
    let log_text: String = logs
        .iter()
        .map(|p| std::fs::read_to_string(p).unwrap())
        .collect();
    assert!(
        log_text.contains("demo request"),
        "the trace logs are empty, so they prove nothing"
    );
    // The refused attempts were recorded (so the db was checked with them).
    let h = json(&expect_code(sb.cmd(), &["history", "--json", "--limit", "100"], 0).stdout);
    let failed = h
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["state"] == "failed")
        .count();
    assert!(failed >= 8, "{failed} failed attempts in {h}");
    assert!(said.len() > 60, "{} commands checked", said.len());
}

// ------------------------------------------------------------------ help

#[test]
fn help_lists_every_flag_and_version_works() {
    let sb = Sandbox::new();
    let global = ["--profile", "--base-url", "--config", "--demo"];
    let cases: [(&str, &[&str]); 7] = [
        (
            "submit",
            &[
                "--from",
                "--to",
                "--email",
                "--event-type",
                "--user-id",
                "--company-id",
                "--segment-id",
                "--format",
                "--exclusions",
                "--body-file",
                "--dry-run",
                "--json",
            ],
        ),
        ("status", &["<JOB_ID>", "--json"]),
        ("jobs", &["--json"]),
        (
            "download",
            &[
                "<JOB_ID>",
                "--out",
                "--overwrite",
                "--keep-gz",
                "--only",
                "--json",
            ],
        ),
        ("lookups", &["[NAME]", "--json", "--refresh"]),
        ("history", &["--json", "--limit"]),
        (
            "demo-server",
            &[
                "--port",
                "--mode",
                "--job-seconds",
                "server-error-html",
                "garbage-json",
            ],
        ),
    ];
    for (sub, flags) in cases {
        let r = expect_code(sb.cmd(), &[sub, "--help"], 0);
        for f in flags.iter().chain(&global) {
            assert!(
                r.stdout.contains(f),
                "`{sub} --help` lacks {f}:\n{}",
                r.stdout
            );
        }
    }
    let r = expect_code(sb.cmd(), &["--help"], 0);
    for s in [
        "submit",
        "status",
        "jobs",
        "download",
        "lookups",
        "history",
        "demo-server",
    ] {
        assert!(r.stdout.contains(s), "--help lacks {s}");
    }
    assert!(r.stdout.contains("Exit codes"), "{}", r.stdout);
    let r = expect_code(sb.cmd(), &["--version"], 0);
    assert_eq!(r.stdout, format!("upexport {}\n", env!("UPEXPORT_VERSION")));
    assert!(
        r.stdout
            .starts_with(&format!("upexport {}", env!("CARGO_PKG_VERSION"))),
        "{}",
        r.stdout
    );
    let r = expect_code(sb.cmd(), &["no-such-command"], 2);
    assert!(r.stderr.contains("no-such-command"), "{}", r.stderr);
}

/// A base URL pasted with the API path in it is cut to the host, with a
/// note; the request goes to one `/api/v1`, not two.
#[test]
fn a_base_url_with_the_api_path_is_cut_to_the_host() {
    let sb = Sandbox::new();
    let host = format!("http://127.0.0.1:{}", closed_port());
    let pasted = format!("{host}/api/v1/analytics/exports");
    let r = expect_code(
        sb.cmd(),
        &[
            "--base-url",
            &pasted,
            "submit",
            "--dry-run",
            "--from",
            "2026-01-01",
        ],
        0,
    );
    assert!(
        r.stdout
            .contains(&format!("'{host}/api/v1/analytics/exports'")),
        "{}",
        r.stdout
    );
    assert!(!r.stdout.contains("/api/v1/api/v1"), "{}", r.stdout);
    assert!(r.stderr.contains("is the host only"), "{}", r.stderr);
}
