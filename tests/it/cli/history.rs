//! `upexport history` and what writes its rows, from a shell: one job id
//! handed out by two servers stays two rows. Every test has its own HOME
//! and XDG directories; servers are embedded demo servers on 127.0.0.1.

use serde_json::Value;
use upexport::demo::{DEMO_KEY, FaultMode};

use crate::support::demo::server;
use crate::support::{Out, Sandbox, json, run_async};

async fn up(sb: &Sandbox, args: &[&str]) -> Out {
    let mut c = sb.command(Some(DEMO_KEY));
    c.args(args);
    run_async(c, None).await
}

#[track_caller]
fn ok(out: &Out, what: &str) {
    assert_eq!(
        out.code,
        Some(0),
        "{what}: exit {:?}\n--- stdout\n{}\n--- stderr\n{}",
        out.code,
        out.stdout,
        out.stderr
    );
}

/// The history rows as `history --json` gives them, newest first.
async fn rows(sb: &Sandbox) -> Vec<Value> {
    let out = up(sb, &["history", "--json"]).await;
    ok(&out, "history --json");
    json(&out.stdout).as_array().cloned().unwrap_or_default()
}

/// Where the vendor is silent: whether a job id is unique beyond one
/// server. `upexport status` against one server updates that server's row,
/// never the other's of the same job id.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn status_from_one_server_never_updates_another_servers_row_of_the_same_job_id() {
    let sb = Sandbox::new();
    let a = server(FaultMode::VendorDiffers, 10).await;
    let b = server(FaultMode::VendorDiffers, 10).await;
    let (url_a, url_b) = (a.base_url(), b.base_url());
    let mut jobs = Vec::new();
    for url in [&url_a, &url_b] {
        let out = up(
            &sb,
            &[
                "submit",
                "--json",
                "--from",
                "2026-11-01",
                "--base-url",
                url,
            ],
        )
        .await;
        ok(&out, "submit");
        jobs.push(
            json(&out.stdout)["job_id"]
                .as_str()
                .unwrap_or_default()
                .to_owned(),
        );
    }
    assert_eq!(jobs[0], jobs[1], "each vendor-differs server counts from 1");
    let job = jobs[0].clone();

    // B's job ends; asking B saves its answer on B's row only.
    b.finish_running_jobs();
    let out = up(&sb, &["status", &job, "--json", "--base-url", &url_b]).await;
    ok(&out, "status from B");
    let from_b = json(&out.stdout)["status"].clone();
    let h = rows(&sb).await;
    assert_eq!(h.len(), 2, "{h:?}");
    let (row_b, row_a) = (&h[0], &h[1]);
    assert!(
        row_b["base_url"]
            .as_str()
            .unwrap_or_default()
            .starts_with(&url_b)
    );
    assert!(
        row_a["base_url"]
            .as_str()
            .unwrap_or_default()
            .starts_with(&url_a)
    );
    assert_eq!(row_b["job"]["status"], from_b, "{row_b}");
    assert_eq!(
        row_a["job"],
        Value::Null,
        "A's row took B's answer: {row_a}"
    );

    // And the other way round: A's answer on A's row; B's row keeps B's.
    let out = up(&sb, &["status", &job, "--json", "--base-url", &url_a]).await;
    ok(&out, "status from A");
    let from_a = json(&out.stdout)["status"].clone();
    assert_ne!(from_a, from_b, "A's job still runs");
    let h = rows(&sb).await;
    assert_eq!(h[1]["job"]["status"], from_a, "{}", h[1]);
    assert_eq!(h[0]["job"]["status"], from_b, "{}", h[0]);
}
