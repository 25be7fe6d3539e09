//! A closed stdout (`upexport history | head -1`, the reader gone) never
//! panics: every command that prints stops quietly, exit 0, nothing on
//! stderr about it. The pipe's read end is closed before the command
//! starts, so its first write fails, whatever the timing.

use std::io::Read;
use std::process::{Command, ExitStatus, Stdio};

use upexport::demo::{DEMO_KEY, DemoOptions, DemoServer};
use upexport::export::Format;

use crate::support::demo::{client, completed_job, start};
use crate::support::{CMD_LIMIT, Sandbox, bin, wait_for};

/// `upexport args…` (with the demo key and `stdin`) whose stdout is a
/// pipe nobody reads; `server`'s running jobs are finished while it runs
/// (for the commands that wait for one). Its exit status and stderr.
fn closed_stdout(
    sb: &Sandbox,
    args: &[&str],
    stdin: Option<&str>,
    server: Option<&DemoServer>,
) -> (ExitStatus, String) {
    let (reader, writer) = std::io::pipe().expect("a pipe");
    drop(reader);
    let mut c = Command::new(bin());
    sb.prepare(&mut c, Some(DEMO_KEY));
    c.current_dir(sb.root());
    c.args(args)
        .stdout(Stdio::from(writer))
        .stderr(Stdio::piped())
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        });
    let mut child = c.spawn().expect("spawn upexport");
    if let (Some(text), Some(mut w)) = (stdin, child.stdin.take()) {
        use std::io::Write;
        let _ = w.write_all(text.as_bytes());
    }
    // Drained on a thread: a chatty stderr never blocks the command.
    let mut err = child.stderr.take().expect("stderr");
    let reading = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = err.read_to_string(&mut s);
        s
    });
    let status = wait_for(&format!("upexport {args:?} to end"), CMD_LIMIT, || {
        if let Some(s) = server {
            s.finish_running_jobs();
        }
        child.try_wait().ok().flatten()
    });
    (status, reading.join().unwrap_or_default())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_command_that_prints_stops_quietly_on_a_closed_stdout() {
    let server = start(DemoOptions {
        job_duration: std::time::Duration::from_secs(600),
        ..DemoOptions::default()
    })
    .await;
    let url = server.base_url();
    let (job, _) = completed_job(&server, &client(&server), Format::Csv).await;
    let sb = Sandbox::new();
    let dl = sb.root().join("dl");
    let dl = dl.to_str().unwrap_or_default().to_owned();
    let range = ["--from", "2026-11-01", "--to", "2026-11-02"];
    let table = sb.root().join("table.csv");
    let rows: String = (0..500).map(|i| format!("{i},row {i}\n")).collect();
    std::fs::write(&table, format!("n,name\n{rows}")).expect("a CSV file");
    let table = table.to_str().unwrap_or_default().to_owned();
    let with_url = |args: &[&str]| {
        let mut v: Vec<String> = args.iter().map(|s| (*s).to_owned()).collect();
        v.extend(["--base-url".to_owned(), url.clone()]);
        v
    };
    let mut cases: Vec<(Vec<String>, Option<&str>, bool)> = vec![
        (with_url(&["status", &job]), None, false),
        (with_url(&["status", &job, "--json"]), None, false),
        (with_url(&["jobs"]), None, false),
        (with_url(&["jobs", "--json"]), None, false),
        (with_url(&["download", &job, "--out", &dl]), None, false),
        (
            with_url(&["download", &job, "--out", &format!("{dl}2"), "--json"]),
            None,
            false,
        ),
        (with_url(&["lookups"]), None, false),
        (with_url(&["lookups", "segments"]), None, false),
        (with_url(&["lookups", "flows", "--json"]), None, false),
        (
            with_url(&["submit", "--dry-run", range[0], range[1]]),
            None,
            false,
        ),
        (
            with_url(&["submit", "--dry-run", "--json", range[0], range[1]]),
            None,
            false,
        ),
        (
            with_url(&["submit", range[0], range[1], range[2], range[3]]),
            None,
            true,
        ),
        (
            with_url(&[
                "submit", "--wait", "--json", range[0], range[1], range[2], range[3],
            ]),
            None,
            true,
        ),
        (
            with_url(&["queue", "add", range[0], range[1], range[2], range[3]]),
            None,
            false,
        ),
        (
            with_url(&[
                "queue", "add", "--json", range[0], range[1], range[2], range[3],
            ]),
            None,
            false,
        ),
        (with_url(&["queue", "list"]), None, false),
        (with_url(&["queue", "list", "--json"]), None, false),
        (with_url(&["queue", "run"]), None, true),
        (with_url(&["history"]), None, false),
        (
            with_url(&["history", "--json", "--limit", "0"]),
            None,
            false,
        ),
        (with_url(&["doctor"]), None, false),
        (with_url(&["doctor", "--json"]), None, false),
        (with_url(&["doctor", "--api"]), None, false),
        (
            with_url(&["--plain"]),
            Some("2026-11-01\n2026-11-02\n\ntrack\n\n\n\n\n\ny\n"),
            true,
        ),
        (vec!["preview".into(), table.clone()], None, false),
        (
            vec!["preview".into(), table.clone(), "--json".into()],
            None,
            false,
        ),
        (vec!["completions".into(), "bash".into()], None, false),
        (vec!["man".into()], None, false),
        (vec!["--help".into()], None, false),
        (vec!["--version".into()], None, false),
        (
            vec!["demo-server".into(), "--port".into(), "0".into()],
            None,
            false,
        ),
    ];
    // The queue's items, added above, are sent by `queue run`; `history`
    // then has rows to print.
    for (args, stdin, finishes_jobs) in cases.drain(..) {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let (status, stderr) = closed_stdout(&sb, &args, stdin, finishes_jobs.then_some(&server));
        assert!(
            !stderr.contains("panicked") && !stderr.contains("Broken pipe"),
            "upexport {args:?} on a closed stdout: {stderr}"
        );
        assert_eq!(
            status.code(),
            Some(0),
            "upexport {args:?} on a closed stdout: {status}; stderr: {stderr}"
        );
    }
}
