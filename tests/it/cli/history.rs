//! `upexport history` and what writes its rows, from a shell: one job id
//! handed out by two servers stays two rows. Every test has its own HOME
//! and XDG directories; servers are embedded demo servers on 127.0.0.1.

use serde_json::Value;
use upexport::demo::{DEMO_KEY, DemoOptions, FaultMode};

use crate::support::demo::{server, start};
use crate::support::{Out, Sandbox, entries, json, run_async};

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
    entries(&json(&out.stdout))
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
            json(&out.stdout)["created"]["job_id"]
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
    let from_b = json(&out.stdout)["job"]["status"].clone();
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
    let from_a = json(&out.stdout)["job"]["status"].clone();
    assert_ne!(from_a, from_b, "A's job still runs");
    let h = rows(&sb).await;
    assert_eq!(h[1]["job"]["status"], from_a, "{}", h[1]);
    assert_eq!(h[0]["job"]["status"], from_b, "{}", h[0]);
}

/// `queue run` against an environment that answers 409 while its job list
/// shows nothing running: the item is sent again after 2, 3 and 5 s, then
/// given up (exit 4) and put back. One history row for the one export, not
/// one per 409; the next run sends that row's export again.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn queue_run_keeps_one_row_per_export_however_many_409s_it_waits_through() {
    let sb = Sandbox::new();
    // Its jobs (once it makes any) end by themselves.
    let s = start(DemoOptions {
        mode: FaultMode::Conflict,
        job_duration: std::time::Duration::from_millis(300),
        rows_per_part: 10,
        ..DemoOptions::default()
    })
    .await;
    let url = s.base_url();
    let out = up(
        &sb,
        &["queue", "add", "--from", "2026-11-01", "--base-url", &url],
    )
    .await;
    ok(&out, "queue add");

    let out = up(&sb, &["queue", "run", "--base-url", &url]).await;
    assert_eq!(out.code, Some(4), "gives up with the 409: {out:?}");
    let sent =
        |s: &upexport::demo::DemoServer| s.requests().iter().filter(|r| r.method == "POST").count();
    assert_eq!(sent(&s), 4, "sent, then again 3 times");
    let h = rows(&sb).await;
    assert_eq!(h.len(), 1, "one row for one export: {h:?}");
    assert_eq!(h[0]["state"], "failed", "{}", h[0]);
    assert_eq!(h[0]["failed"]["http_status"], 409, "{}", h[0]);
    assert_eq!(h[0]["conflicts"], 4, "{}", h[0]);
    let row = h[0]["id"].clone();
    let list = json(
        &up(&sb, &["queue", "list", "--json", "--base-url", &url])
            .await
            .stdout,
    );
    assert_eq!(list["items"][0]["state"], "waiting", "{list}");
    assert_eq!(
        list["items"][0]["history_id"], row,
        "the item knows its row: {list}"
    );

    // The environment is free now: the next run sends the same row again.
    s.set_mode(FaultMode::Normal);
    let out = up(&sb, &["queue", "run", "--json", "--base-url", &url]).await;
    ok(&out, "queue run, free");
    assert_eq!(sent(&s), 5);
    let h = rows(&sb).await;
    assert_eq!(h.len(), 1, "still one row: {h:?}");
    assert_eq!(h[0]["id"], row);
    assert_eq!(h[0]["state"], "created", "{}", h[0]);
    assert_eq!(h[0]["failed"], Value::Null, "{}", h[0]);
    assert_eq!(h[0]["conflicts"], 4, "{}", h[0]);
    let text = up(&sb, &["history"]).await;
    ok(&text, "history");
    assert!(
        text.stdout.contains("waited through 4 conflicts"),
        "{}",
        text.stdout
    );
}

/// `--limit 0` means no limit (there is no other way to get every entry,
/// e.g. `history --json --limit 0` for a script); the default is 20.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn history_limit_0_lists_every_entry() {
    let sb = Sandbox::new();
    std::fs::create_dir_all(sb.state_dir()).expect("state dir");
    let out = up(&sb, &["history", "--limit", "0"]).await;
    ok(&out, "history --limit 0, empty");
    assert!(out.stdout.contains("no history yet"), "{}", out.stdout);
    {
        let store = upexport::history::HistoryStore::open(&sb.db())
            .expect("history")
            .store;
        store
            .fill_synthetic(1234, r#"{"from":"2026-01-01","user_id":["u{n}"]}"#)
            .expect("rows");
    }
    let count = |text: &str| text.lines().filter(|l| l.starts_with('#')).count();
    let out = up(&sb, &["history"]).await;
    ok(&out, "history");
    assert_eq!(count(&out.stdout), 20, "the default");
    let out = up(&sb, &["history", "--limit", "0"]).await;
    ok(&out, "history --limit 0");
    assert_eq!(count(&out.stdout), 1234, "every entry");
    assert!(out.stdout.starts_with("#1234 "), "newest first");
    assert!(out.stdout.contains("\n#1 "), "down to the oldest");
    let out = up(&sb, &["history", "--json", "--limit", "0"]).await;
    ok(&out, "history --json --limit 0");
    let v = json(&out.stdout);
    let ids: Vec<i64> = entries(&v)
        .iter()
        .map(|e| e["id"].as_i64().unwrap_or_default())
        .collect();
    assert_eq!(ids, (1..=1234).rev().collect::<Vec<i64>>());
    let out = up(&sb, &["history", "--json", "--limit", "3"]).await;
    assert_eq!(entries(&json(&out.stdout)).len(), 3);
}
