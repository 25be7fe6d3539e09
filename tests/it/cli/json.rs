//! Every `--json` output is an interface (docs/json.md): one object with a
//! `version`, documented fields, the request as an object. These snapshots
//! fail when a shape changes. Values that differ from run to run (ids,
//! times, ports, paths, sizes) are replaced by placeholders; long arrays
//! keep their first two items. `doctor`'s outputs depend on the machine, so
//! only their shape (each value's type) is kept.

use serde_json::Value;
use upexport::demo::{DEMO_KEY, DemoOptions};

use crate::support::demo::start;
use crate::support::{Out, Sandbox, run_async};

/// Placeholders for what changes from run to run.
struct Scrub {
    url: String,
    root: String,
}

impl Scrub {
    fn value(&self, v: &Value, key: &str) -> Value {
        match v {
            Value::Object(m) => Value::Object(
                m.iter()
                    .map(|(k, v)| (k.clone(), self.value(v, k)))
                    .collect(),
            ),
            Value::Array(items) => {
                let mut out: Vec<Value> =
                    items.iter().take(2).map(|v| self.value(v, key)).collect();
                if items.len() > 2 {
                    out.push(Value::String(format!("<{} more>", items.len() - 2)));
                }
                Value::Array(out)
            }
            Value::Number(_) if ["size", "elapsed_seconds"].contains(&key) => "<number>".into(),
            Value::String(s) => Value::String(self.text(s, key)),
            other => other.clone(),
        }
    }

    fn text(&self, s: &str, key: &str) -> String {
        if chrono::DateTime::parse_from_rfc3339(s).is_ok() {
            return "<time>".into();
        }
        if key == "curl" {
            return "<curl command>".into();
        }
        if key == "links" {
            // The server's own words.
            return "<links>".into();
        }
        if ["elapsed_time", "elapsed_seconds", "progress"].contains(&key) {
            return format!("<{key}>");
        }
        let mut s = s
            .replace(&self.url, "<server>")
            .replace(&self.root, "<sandbox>");
        // Job ids (UUIDs) wherever they are: alone, in paths and URLs.
        while let Some(i) = uuid_at(&s) {
            s.replace_range(i..i + 36, "<uuid>");
        }
        if key == "url" {
            // Pre-signed links: the path and query are the server's.
            return s.split('?').next().unwrap_or_default().to_owned() + "?<signature>";
        }
        s
    }
}

/// Where a UUID starts in `s`.
fn uuid_at(s: &str) -> Option<usize> {
    let b = s.as_bytes();
    (0..b.len().saturating_sub(35)).find(|&i| {
        b[i..i + 36].iter().enumerate().all(|(j, c)| match j {
            8 | 13 | 18 | 23 => *c == b'-',
            _ => c.is_ascii_hexdigit(),
        })
    })
}

/// Each value replaced by its type: the shape only.
fn shape(v: &Value) -> Value {
    match v {
        Value::Object(m) => Value::Object(m.iter().map(|(k, v)| (k.clone(), shape(v))).collect()),
        Value::Array(items) => Value::Array(items.iter().take(1).map(shape).collect()),
        Value::String(_) => "<string>".into(),
        Value::Number(_) => "<number>".into(),
        Value::Bool(_) => "<bool>".into(),
        Value::Null => Value::Null,
    }
}

async fn up(sb: &Sandbox, url: &str, args: &[&str]) -> Out {
    let mut c = sb.command(Some(DEMO_KEY));
    c.args(args).args(["--base-url", url]);
    run_async(c, None).await
}

/// The JSON of a command that must exit with `code`.
async fn json_of(sb: &Sandbox, url: &str, args: &[&str], code: i32) -> Value {
    let out = up(sb, url, args).await;
    assert_eq!(
        out.code,
        Some(code),
        "upexport {args:?}\n--- stdout\n{}\n--- stderr\n{}",
        out.stdout,
        out.stderr
    );
    let v: Value = serde_json::from_str(out.stdout.trim())
        .unwrap_or_else(|e| panic!("{args:?}: not one JSON value ({e}): {}", out.stdout));
    assert_eq!(v["version"], 1, "{args:?}: no version 1: {v}");
    v
}

fn pretty(v: &Value) -> String {
    serde_json::to_string_pretty(v).unwrap_or_default()
}

const RANGE: [&str; 8] = [
    "--from",
    "2026-11-01",
    "--to",
    "2026-11-02",
    "--event-type",
    "track",
    "--format",
    "csv",
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_json_output_keeps_its_documented_shape() {
    // Jobs take a second, so `--wait` and `queue run` end on their own.
    let server = start(DemoOptions {
        job_duration: std::time::Duration::from_secs(1),
        rows_per_part: 3,
        ..DemoOptions::default()
    })
    .await;
    let url = server.base_url();
    let sb = Sandbox::new();
    let scrub = Scrub {
        url: url.clone(),
        root: sb.root().display().to_string(),
    };
    let snap = |name: &str, v: &Value| {
        insta::assert_snapshot!(name, pretty(&scrub.value(v, "")));
    };
    fn with<'a>(extra: &[&'a str]) -> Vec<&'a str> {
        let mut a: Vec<&str> = extra.to_vec();
        a.extend(RANGE);
        a
    }

    snap(
        "submit_dry_run",
        &json_of(&sb, &url, &with(&["submit", "--dry-run", "--json"]), 0).await,
    );
    let created = json_of(&sb, &url, &with(&["submit", "--json"]), 0).await;
    snap("submit", &created);
    let job = created["created"]["job_id"]
        .as_str()
        .expect("a job id")
        .to_owned();
    server.finish_running_jobs();
    snap(
        "status",
        &json_of(&sb, &url, &["status", &job, "--json"], 0).await,
    );
    snap("jobs", &json_of(&sb, &url, &["jobs", "--json"], 0).await);
    let dl = sb.root().join("dl");
    let dl = dl.to_str().expect("a path");
    snap(
        "download",
        &json_of(&sb, &url, &["download", &job, "--out", dl, "--json"], 0).await,
    );
    snap(
        "lookups",
        &json_of(&sb, &url, &["lookups", "--json"], 0).await,
    );
    snap(
        "lookups_flows",
        &json_of(&sb, &url, &["lookups", "flows", "--json"], 0).await,
    );
    snap(
        "submit_wait_download",
        &json_of(
            &sb,
            &url,
            &with(&["submit", "--wait", "--json", "--download", dl]),
            0,
        )
        .await,
    );
    snap(
        "queue_add",
        &json_of(&sb, &url, &with(&["queue", "add", "--json"]), 0).await,
    );
    snap(
        "queue_list",
        &json_of(&sb, &url, &["queue", "list", "--json"], 0).await,
    );
    snap(
        "queue_run",
        &json_of(&sb, &url, &["queue", "run", "--json", "--download", dl], 0).await,
    );
    snap(
        "history",
        &json_of(&sb, &url, &["history", "--json"], 0).await,
    );
    let mut error = json_of(&sb, &url, &["submit", "--json", "--from", "2026-02-30"], 2).await;
    assert!(error["error"]["message"].is_string(), "{error}");
    // (The wording is not the interface.)
    error["error"]["message"] = "<message>".into();
    snap("error", &error);
    insta::assert_snapshot!(
        "doctor_shape",
        pretty(&shape(&json_of(&sb, &url, &["doctor", "--json"], 0).await))
    );
    insta::assert_snapshot!(
        "doctor_api_shape",
        pretty(&shape(
            &json_of(&sb, &url, &["doctor", "--api", "--json"], 0).await
        ))
    );
}

/// The request is an object wherever it is shown, never JSON in a string.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_request_is_an_object_everywhere() {
    let server = start(DemoOptions::default()).await;
    let url = server.base_url();
    let sb = Sandbox::new();
    let mut args = vec!["submit", "--json"];
    args.extend(RANGE);
    let v = json_of(&sb, &url, &args, 0).await;
    assert_eq!(v["request"]["from"], "2026-11-01", "{v}");
    let h = json_of(&sb, &url, &["history", "--json"], 0).await;
    assert_eq!(h["entries"][0]["request"]["event_type"][0], "track", "{h}");
    let mut args = vec!["queue", "add", "--json"];
    args.extend(RANGE);
    let q = json_of(&sb, &url, &args, 0).await;
    assert_eq!(q["items"][0]["request"]["format"], "csv", "{q}");
}
