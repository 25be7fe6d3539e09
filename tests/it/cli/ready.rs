//! Downloads ready for analysis (#15): after `download`, `submit --wait
//! --download` and `queue run --download`, the job's folder holds a
//! `manifest.json` (the job, the request as sent, the format, the range,
//! each file's size, SHA-256 and rows, the schema) and the command prints
//! the DuckDB line; `download --merge` joins CSV and NDJSON parts and says
//! why Parquet and Avro parts stay apart. Against the embedded demo
//! server, in all four formats.

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde_json::Value;
use upexport::demo::{APP_TOKEN, DEMO_KEY, DemoOptions, DemoServer, ENVIRONMENT_NAME, FaultMode};

use crate::support::demo::{COLUMNS, CREATE, start};
use crate::support::{Out, Sandbox, run_async, within};

const ROWS: usize = 120;

/// A demo server whose jobs finish at once, `ROWS` rows a part.
async fn quick_server() -> DemoServer {
    start(DemoOptions {
        job_duration: Duration::from_millis(50),
        rows_per_part: ROWS,
        ..DemoOptions::default()
    })
    .await
}

async fn up(sb: &Sandbox, base: &str, args: &[&str]) -> Out {
    let mut c = sb.command(Some(DEMO_KEY));
    c.args(args).args(["--base-url", base]);
    run_async(c, None).await
}

/// `submit --wait --json` of October 2026 in `format` (`more`: further
/// arguments, `--download DIR`…), exit 0: the job id and the JSON.
async fn submit_wait(sb: &Sandbox, base: &str, format: &str, more: &[&str]) -> (String, Value) {
    let mut args = vec![
        "submit",
        "--wait",
        "--json",
        "--from",
        "2026-10-01",
        "--to",
        "2026-10-31",
        "--format",
        format,
    ];
    args.extend_from_slice(more);
    let r = up(sb, base, &args).await;
    ok(&r);
    let v: Value = serde_json::from_str(&r.stdout).expect("JSON");
    // With --download the job is under "job", else under "created".
    let job = v["job"]["job_id"]
        .as_str()
        .or(v["created"]["job_id"].as_str())
        .expect("a job id")
        .to_owned();
    (job, v)
}

#[track_caller]
fn ok(out: &Out) {
    assert_eq!(
        out.code,
        Some(0),
        "exit {:?}\n--- stdout\n{}\n--- stderr\n{}",
        out.code,
        out.stdout,
        out.stderr
    );
}

fn sha256(path: &Path) -> String {
    let bytes = std::fs::read(path).expect("the file");
    ring::digest::digest(&ring::digest::SHA256, &bytes)
        .as_ref()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Rows of a downloaded part, counted by each format's own reader.
fn rows_in(path: &Path, format: &str) -> u64 {
    let bytes = std::fs::read(path).expect("the file");
    match format {
        "ndjson" => bytes
            .split(|b| *b == b'\n')
            .filter(|l| !l.is_empty())
            .map(serde_json::from_slice::<Value>)
            .collect::<Result<Vec<_>, _>>()
            .expect("JSON lines")
            .len() as u64,
        "csv" => csv::Reader::from_reader(&bytes[..]).records().count() as u64,
        "avro" => apache_avro::Reader::new(&bytes[..])
            .expect("an Avro file")
            .collect::<Result<Vec<_>, _>>()
            .expect("records")
            .len() as u64,
        _ => {
            use parquet::file::reader::{FileReader, SerializedFileReader};
            let r = SerializedFileReader::new(bytes::Bytes::from(bytes)).expect("a Parquet file");
            r.get_row_iter(None)
                .expect("rows")
                .collect::<Result<Vec<_>, _>>()
                .expect("rows")
                .len() as u64
        }
    }
}

/// The job folder's manifest, checked against the files in it and the
/// request the server received; returns it.
fn check_manifest(dir: &Path, job: &str, format: &str, sent: &str) -> Value {
    let text = std::fs::read_to_string(dir.join("manifest.json")).expect("manifest.json");
    let m: Value = serde_json::from_str(&text).expect("manifest.json is JSON");
    assert_eq!(m["job_id"], job, "{m}");
    assert_eq!(m["environment"]["name"], ENVIRONMENT_NAME, "{m}");
    assert_eq!(m["environment"]["app_token"], APP_TOKEN, "{m}");
    // The request exactly as sent: its bytes, not a re-encoding.
    assert!(
        text.contains(&format!("\"request\": {sent}")),
        "{sent} not verbatim in {text}"
    );
    assert_eq!(m["format"], format, "{m}");
    assert_eq!(m["time_range"]["from"], "2026-10-01", "{m}");
    assert_eq!(m["time_range"]["to"], "2026-10-31", "{m}");
    assert_eq!(m["complete"], true, "{m}");
    assert_eq!(m["parts_expected"], 2, "{m}");
    let files = m["files"].as_array().expect("files");
    assert_eq!(files.len(), 2, "{m}");
    for (i, f) in files.iter().enumerate() {
        let path = dir.join(f["name"].as_str().unwrap());
        assert_eq!(f["part"], i + 1, "{m}");
        assert_eq!(f["sha256"], sha256(&path), "{}", path.display());
        assert_eq!(f["size"], std::fs::metadata(&path).unwrap().len(), "{m}");
        assert_eq!(f["rows"], rows_in(&path, format), "{}", path.display());
        assert_eq!(f["rows"], ROWS as u64, "{m}");
        assert_eq!(f["format"], format, "{m}");
        assert!(f.get("columns").is_none(), "same columns as the first: {m}");
    }
    assert_eq!(m["rows"], 2 * ROWS as u64, "{m}");
    let names: Vec<&str> = m["schema"]["columns"]
        .as_array()
        .expect("schema columns")
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, COLUMNS, "{m}");
    // The same columns in the same words as the preview shows them.
    let first = dir.join(files[0]["name"].as_str().unwrap());
    let shown = upexport::jobs::file_preview::preview(&first, 20).expect("a preview");
    let shown: Vec<(&str, &str)> = shown
        .schema
        .columns
        .iter()
        .map(|c| (c.name.as_str(), c.kind.as_str()))
        .collect();
    let listed: Vec<(&str, &str)> = m["schema"]["columns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["name"].as_str().unwrap(),
                c["type"].as_str().unwrap_or(""),
            )
        })
        .collect();
    assert_eq!(listed, shown, "{m}");
    let at = &m["schema"]["columns"][6]["type"];
    match format {
        "parquet" | "avro" => assert_eq!(at, "timestamp(us, UTC)", "{m}"),
        _ => assert_eq!(at, "string", "{m}"),
    }
    m
}

/// The body of the last create request the server received.
fn sent_body(s: &DemoServer) -> String {
    s.requests()
        .iter()
        .rev()
        .find(|r| r.method == "POST" && r.path == CREATE)
        .expect("a create request")
        .body
        .clone()
}

/// `submit --wait`, then `download`, in each format: the manifest and the
/// DuckDB line.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_format_downloads_with_a_manifest_and_a_duckdb_line() {
    within(async {
        let s = quick_server().await;
        let base = s.base_url();
        let sb = Sandbox::new();
        let out = sb.root().join("exports");
        let out_s = out.to_str().unwrap();
        for format in ["ndjson", "csv", "parquet", "avro"] {
            let (job, _) = submit_wait(&sb, &base, format, &["--event-type", "track"]).await;
            let r = up(&sb, &base, &["download", &job, "--out", out_s]).await;
            ok(&r);
            let dir = out.join(&job);
            check_manifest(&dir, &job, format, &sent_body(&s));
            let manifest = dir.join("manifest.json");
            assert!(
                r.stdout
                    .contains(&format!("manifest: {} (2 files", manifest.display())),
                "{}",
                r.stdout
            );
            let d = dir.display();
            let want = match format {
                "parquet" => format!(
                    "open in DuckDB: duckdb -c \"SELECT * FROM read_parquet('{d}/*.parquet') LIMIT 10\""
                ),
                "avro" => format!(
                    "open in DuckDB: duckdb -c \"INSTALL avro; LOAD avro; SELECT * FROM read_avro('{d}/*.avro') LIMIT 10\""
                ),
                "csv" => format!(
                    "open in DuckDB: duckdb -c \"SELECT * FROM read_csv_auto('{d}/*.csv') LIMIT 10\""
                ),
                _ => format!(
                    "open in DuckDB: duckdb -c \"SELECT * FROM read_json_auto('{d}/*.ndjson', format = 'newline_delimited') LIMIT 10\""
                ),
            };
            assert!(r.stdout.contains(&want), "{want}\nnot in\n{}", r.stdout);
            if format == "avro" {
                assert!(r.stdout.contains("avro extension"), "{}", r.stdout);
            }
            // Again: the files are kept (not fetched), the manifest the same.
            let before = std::fs::read_to_string(&manifest).unwrap();
            let r = up(&sb, &base, &["download", &job, "--out", out_s, "--json"]).await;
            ok(&r);
            let v: Value = serde_json::from_str(&r.stdout).expect("JSON");
            assert_eq!(v["files"][0]["skipped"], "already downloaded", "{v}");
            assert_eq!(v["manifest"]["path"], manifest.display().to_string(), "{v}");
            assert!(v["manifest"]["duckdb"].as_str().unwrap().starts_with("duckdb -c"));
            let again = check_manifest(&dir, &job, format, &sent_body(&s));
            let first: Value = serde_json::from_str(&before).unwrap();
            assert_eq!(again["files"], first["files"], "the same files, read again");
        }
    })
    .await;
}

/// The one-command paths write it too: `submit --wait --download` and
/// `queue run --download`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn submit_wait_download_and_queue_run_download_write_the_manifest() {
    within(async {
        let s = quick_server().await;
        let base = s.base_url();
        let sb = Sandbox::new();
        let out = sb.root().join("exports");
        let out_s = out.to_str().unwrap();
        let (job, _) = submit_wait(&sb, &base, "parquet", &["--download", out_s]).await;
        check_manifest(&out.join(&job), &job, "parquet", &sent_body(&s));

        let r = up(
            &sb,
            &base,
            &[
                "queue",
                "add",
                "--from",
                "2026-10-01",
                "--to",
                "2026-10-31",
                "--format",
                "csv",
            ],
        )
        .await;
        ok(&r);
        let r = up(&sb, &base, &["queue", "run", "--download", out_s]).await;
        ok(&r);
        let body = sent_body(&s);
        let mut jobs: Vec<PathBuf> = std::fs::read_dir(&out)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.is_dir() && !p.ends_with(&job))
            .collect();
        assert_eq!(jobs.len(), 1, "{jobs:?}");
        let dir = jobs.pop().unwrap();
        let queued = dir.file_name().unwrap().to_str().unwrap().to_owned();
        check_manifest(&dir, &queued, "csv", &body);
        assert!(
            r.stdout.contains("open in DuckDB: duckdb -c"),
            "{}",
            r.stdout
        );
    })
    .await;
}

/// A job's parts fetched one run at a time (`--only`): each run's manifest
/// lists the files there, the first says it is incomplete, the second
/// carries the first file over and is complete.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_manifest_lists_what_is_there_and_says_when_a_part_is_missing() {
    within(async {
        let s = quick_server().await;
        let base = s.base_url();
        let sb = Sandbox::new();
        let out = sb.root().join("exports");
        let out_s = out.to_str().unwrap();
        let (job, _) = submit_wait(&sb, &base, "avro", &[]).await;
        let dir = out.join(&job);
        let read = || -> Value {
            serde_json::from_slice(&std::fs::read(dir.join("manifest.json")).unwrap()).unwrap()
        };
        ok(&up(
            &sb,
            &base,
            &["download", &job, "--out", out_s, "--only", "2"],
        )
        .await);
        let m = read();
        assert_eq!(m["complete"], false, "{m}");
        assert_eq!(m["files"].as_array().unwrap().len(), 1, "{m}");
        assert_eq!(m["files"][0]["part"], 2, "{m}");
        assert_eq!(m["rows"], ROWS as u64, "{m}");
        let r = up(
            &sb,
            &base,
            &["download", &job, "--out", out_s, "--only", "1"],
        )
        .await;
        ok(&r);
        let m = check_manifest(&dir, &job, "avro", &sent_body(&s));
        assert_eq!(m["files"][1]["name"], "part-0002.avro", "carried over: {m}");
    })
    .await;
}

/// A vendor that gzips every part (vendor-differs): the Parquet parts are
/// inflated by their bytes, and the manifest reads them as Parquet.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn gzip_parquet_parts_are_inflated_and_read_as_parquet() {
    within(async {
        let s = start(DemoOptions {
            mode: FaultMode::VendorDiffers,
            job_duration: Duration::from_millis(50),
            rows_per_part: ROWS,
            ..DemoOptions::default()
        })
        .await;
        let base = s.base_url();
        let sb = Sandbox::new();
        let out = sb.root().join("exports");
        let out_s = out.to_str().unwrap();
        let (job, v) = submit_wait(&sb, &base, "parquet", &["--download", out_s]).await;
        assert_eq!(v["download"]["files"][0]["decompressed"], true, "{v}");
        let m = check_manifest(&out.join(&job), &job, "parquet", &sent_body(&s));
        assert_eq!(m["files"][0]["name"], "part-0001.parquet", "{m}");
    })
    .await;
}

/// A job of `format` submitted and downloaded with `--merge`.
async fn merged(s: &DemoServer, sb: &Sandbox, out: &Path, format: &str) -> (String, Out) {
    let base = s.base_url();
    let (job, _) = submit_wait(sb, &base, format, &[]).await;
    let r = up(
        sb,
        &base,
        &["download", &job, "--out", out.to_str().unwrap(), "--merge"],
    )
    .await;
    (job, r)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn merge_joins_csv_with_one_header_and_ndjson_and_keeps_parquet_and_avro_apart() {
    within(async {
        let s = quick_server().await;
        let sb = Sandbox::new();
        let out = sb.root().join("exports");

        let (job, r) = merged(&s, &sb, &out, "csv").await;
        ok(&r);
        let file = out.join(format!("{job}.csv"));
        assert!(
            r.stdout
                .contains(&format!("merged 2 parts into {}", file.display())),
            "{}",
            r.stdout
        );
        let dir = out.join(&job);
        let one = std::fs::read(dir.join("part-0001.csv")).unwrap();
        let two = std::fs::read(dir.join("part-0002.csv")).unwrap();
        let header_end = two.windows(2).position(|w| w == b"\r\n").unwrap() + 2;
        let mut want = one.clone();
        want.extend_from_slice(&two[header_end..]);
        let got = std::fs::read(&file).unwrap();
        assert!(got == want, "part 1, then part 2 without its header");
        let mut rdr = csv::Reader::from_reader(&got[..]);
        assert_eq!(rdr.headers().unwrap().iter().collect::<Vec<_>>(), COLUMNS);
        assert_eq!(rdr.records().count(), 2 * ROWS, "one header, every row");
        assert_eq!(
            String::from_utf8_lossy(&got)
                .matches("app_token,event_type")
                .count(),
            1
        );
        assert!(
            r.stdout
                .contains(&format!("read_csv_auto('{}')", file.display())),
            "{}",
            r.stdout
        );
        // The manifest records it.
        let m: Value =
            serde_json::from_slice(&std::fs::read(dir.join("manifest.json")).unwrap()).unwrap();
        assert_eq!(m["merged"]["sha256"], sha256(&file), "{m}");
        assert_eq!(m["merged"]["rows"], 2 * ROWS as u64, "{m}");

        let (job, r) = merged(&s, &sb, &out, "ndjson").await;
        ok(&r);
        let dir = out.join(&job);
        let mut want = std::fs::read(dir.join("part-0001.ndjson")).unwrap();
        want.extend(std::fs::read(dir.join("part-0002.ndjson")).unwrap());
        let got = std::fs::read(out.join(format!("{job}.ndjson"))).unwrap();
        assert!(got == want, "the two parts, one after the other");
        assert_eq!(
            rows_in(&out.join(format!("{job}.ndjson")), "ndjson"),
            2 * ROWS as u64
        );

        for (format, why) in [
            (
                "parquet",
                "each part is a whole Parquet file with its own footer",
            ),
            ("avro", "each part is a container file with its own header"),
        ] {
            let (job, r) = merged(&s, &sb, &out, format).await;
            ok(&r);
            assert!(r.stdout.contains("not merged: "), "{}", r.stdout);
            assert!(r.stdout.contains(why), "{}", r.stdout);
            assert!(!out.join(format!("{job}.{format}")).exists());
            assert!(out.join(&job).join("manifest.json").exists());
        }
    })
    .await;
}

/// A part changed after the manifest was written (same size, other
/// bytes) stops the merge: nothing is written, the message names it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn merge_refuses_a_part_changed_since_the_download() {
    use upexport::jobs::merge::{MergeError, merge};
    within(async {
        let s = quick_server().await;
        let sb = Sandbox::new();
        let out = sb.root().join("exports");
        let (job, r) = merged(&s, &sb, &out, "ndjson").await;
        ok(&r);
        let dir = out.join(&job);
        let merged_file = out.join(format!("{job}.ndjson"));
        let e = merge(&dir, false).unwrap_err();
        assert!(
            matches!(&e, MergeError::Refused(m) if m.contains("exists; not overwritten")),
            "{e}"
        );
        let p = dir.join("part-0002.ndjson");
        let mut bytes = std::fs::read(&p).unwrap();
        bytes[5] = if bytes[5] == b'a' { b'b' } else { b'a' };
        std::fs::write(&p, &bytes).unwrap();
        let before = std::fs::read(&merged_file).unwrap();
        let e = merge(&dir, true).unwrap_err();
        assert!(
            matches!(&e, MergeError::Refused(m) if m.contains("part-0002.ndjson changed since it was downloaded")),
            "{e}"
        );
        assert_eq!(std::fs::read(&merged_file).unwrap(), before, "left alone");
        let leftovers: Vec<_> = std::fs::read_dir(&out)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".merging"))
            .collect();
        assert!(leftovers.is_empty(), "{leftovers:?}");
    })
    .await;
}
