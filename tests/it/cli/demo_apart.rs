//! `--demo` keeps its own history, its stopped servers' jobs show as
//! expired, a job the API no longer knows is recorded as expired, and every
//! command upexport suggests carries the flags that reach the same server.

use serde_json::Value;
use upexport::demo::{DEMO_KEY, DemoOptions, FaultMode};

use crate::support::demo::start;
use crate::support::{Out, Sandbox, entries, json, run_async};

async fn up(sb: &Sandbox, key: Option<&str>, args: &[&str], stdin: Option<&str>) -> Out {
    let mut c = sb.command(key);
    c.args(args);
    run_async(c, stdin).await
}

#[track_caller]
fn code(out: &Out, want: i32, what: &str) {
    assert_eq!(
        out.code,
        Some(want),
        "{what}: exit {:?}\n--- stdout\n{}\n--- stderr\n{}",
        out.code,
        out.stdout,
        out.stderr
    );
}

/// The history rows `history --json` prints (with `pre` flags first).
async fn rows(sb: &Sandbox, pre: &[&str]) -> Vec<Value> {
    let mut args = pre.to_vec();
    args.extend(["history", "--json"]);
    let out = up(sb, None, &args, None).await;
    code(&out, 0, "history --json");
    entries(&json(&out.stdout))
}

const RANGE: [&str; 4] = ["--from", "2026-11-01", "--to", "2026-11-02"];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn demo_history_is_kept_apart_and_a_stopped_demos_jobs_show_as_expired() {
    let sb = Sandbox::new();
    let mut args = vec!["--demo", "submit"];
    args.extend(RANGE);
    let out = up(&sb, None, &args, None).await;
    code(&out, 0, "--demo submit");
    // Its server ends with the command: no command about the job is
    // suggested (a bare one would ask production), the reason is.
    assert!(
        !out.stdout.contains("upexport status") && !out.stdout.contains("upexport download"),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout
            .contains("the demo server stops with this command"),
        "{}",
        out.stdout
    );

    // The real history never sees the demo's rows.
    assert!(
        rows(&sb, &[]).await.is_empty(),
        "demo rows in the real history"
    );
    assert!(!sb.db().exists() || rows(&sb, &[]).await.is_empty());

    // The demo's history has it; that demo has stopped, so its job (and
    // links) are gone: expired, with the reason.
    let demo = rows(&sb, &["--demo"]).await;
    assert_eq!(demo.len(), 1, "{demo:?}");
    assert_eq!(demo[0]["job"]["status"], "expired", "{demo:?}");
    let why = demo[0]["job"]["error"].as_str().unwrap_or_default();
    assert!(why.contains("demo server"), "{why}");
    let text = up(&sb, None, &["--demo", "history"], None).await;
    code(&text, 0, "--demo history");
    assert!(text.stdout.contains("expired"), "{}", text.stdout);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn demo_plain_suggests_no_command_that_would_ask_production() {
    let sb = Sandbox::new();
    let answers = "2026-11-01\n2026-11-02\n\ntrack\n\n\n\n\n\ny\n";
    let out = up(&sb, None, &["--demo", "--plain"], Some(answers)).await;
    code(&out, 0, "--demo --plain");
    assert!(out.stdout.contains("created export job"), "{}", out.stdout);
    assert!(!out.stdout.contains("upexport status"), "{}", out.stdout);
    assert!(
        out.stdout
            .contains("the demo server stops with this command"),
        "{}",
        out.stdout
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn suggested_commands_carry_the_base_url_and_the_profile() {
    let sb = Sandbox::new();
    let server = start(DemoOptions {
        job_duration: std::time::Duration::from_secs(600),
        ..DemoOptions::default()
    })
    .await;
    let url = server.base_url();
    sb.write_config(&format!("[profiles.staging]\nbase_url = \"{url}\"\n"));
    let mut args = vec!["--profile", "staging", "--base-url", &url, "submit"];
    args.extend(RANGE);
    let out = up(&sb, Some(DEMO_KEY), &args, None).await;
    code(&out, 0, "submit");
    let job = out
        .stdout
        .lines()
        .find_map(|l| l.strip_prefix("created export job "))
        .unwrap_or_else(|| panic!("no job: {}", out.stdout))
        .trim()
        .to_owned();
    for cmd in [format!("status {job}"), format!("download {job}")] {
        let want = format!("`upexport --profile staging --base-url {url} {cmd}`");
        assert!(out.stdout.contains(&want), "no {want} in {}", out.stdout);
    }
    // --plain too.
    let answers = "2026-11-01\n2026-11-02\n\ntrack\n\n\n\n\n\ny\n";
    server.finish_running_jobs();
    let out = up(
        &sb,
        Some(DEMO_KEY),
        &["--base-url", &url, "--plain"],
        Some(answers),
    )
    .await;
    code(&out, 0, "--plain");
    assert!(
        out.stdout
            .contains(&format!("`upexport --base-url {url} status ")),
        "{}",
        out.stdout
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_job_the_api_no_longer_knows_is_recorded_as_expired_even_when_completed() {
    let sb = Sandbox::new();
    let server = start(DemoOptions {
        job_duration: std::time::Duration::from_secs(600),
        ..DemoOptions::default()
    })
    .await;
    let url = server.base_url();
    let mut args = vec!["--base-url", &url, "submit"];
    args.extend(RANGE);
    let out = up(&sb, Some(DEMO_KEY), &args, None).await;
    code(&out, 0, "submit");
    let job = out
        .stdout
        .lines()
        .find_map(|l| l.strip_prefix("created export job "))
        .unwrap_or_else(|| panic!("no job: {}", out.stdout))
        .trim()
        .to_owned();
    server.finish_running_jobs();
    let out = up(
        &sb,
        Some(DEMO_KEY),
        &["--base-url", &url, "status", &job],
        None,
    )
    .await;
    code(&out, 0, "status");
    assert_eq!(rows(&sb, &[]).await[0]["job"]["status"], "completed");

    // The server forgets it (as the API does after 3 days, or a demo
    // restarted): `download` says so and the row is expired, links gone.
    server.set_mode(FaultMode::NotFound);
    let out = up(
        &sb,
        Some(DEMO_KEY),
        &["--base-url", &url, "download", &job],
        None,
    )
    .await;
    code(&out, 5, "download of a forgotten job");
    assert!(out.stderr.contains("recorded as expired"), "{}", out.stderr);
    let row = &rows(&sb, &[]).await[0];
    assert_eq!(row["job"]["status"], "expired", "{row}");
    assert_eq!(row["job"]["files"], Value::Array(vec![]), "{row}");
}
