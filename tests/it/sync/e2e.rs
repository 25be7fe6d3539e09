//! End to end: a 10-day backfill in daily partitions from the demo server
//! into S3 (moto, over the real protocol), then the dataset read back as
//! one table with a `dt` column (pyarrow's Hive partitioning; a Rust
//! reader when pyarrow is missing outside CI) with the rows per `dt` that
//! the manifests and the demo server say.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

use super::harness::{NAME, Rig, days};
use crate::support::{in_ci, json, within};

const ROWS_PER_PART: usize = 150;
/// The demo's jobs have two parts.
const ROWS_PER_DAY: u64 = 2 * ROWS_PER_PART as u64;

/// pyarrow can be imported (under CI it must: `.ci/run` installs it).
fn have_pyarrow() -> bool {
    let ok = Command::new("python3")
        .args(["-c", "import pyarrow.dataset"])
        .output()
        .is_ok_and(|o| o.status.success());
    assert!(
        ok || !in_ci(),
        "pyarrow is not installed and CI is set (.ci/run installs it)"
    );
    ok
}

/// Rows per `dt` of the Hive-style folder `root` (`dt=…/part-…`), read as
/// one dataset by pyarrow.
fn rows_by_pyarrow(root: &Path, format: &str) -> BTreeMap<String, u64> {
    let script = r#"
import json, sys
import pyarrow.dataset as ds
d = ds.dataset(sys.argv[1], format=sys.argv[2], partitioning="hive")
t = d.to_table()
counts = {}
for v in t.column("dt").to_pylist():
    counts[str(v)] = counts.get(str(v), 0) + 1
print(json.dumps({"rows": t.num_rows, "columns": t.column_names, "by_dt": counts}))
"#;
    let out = Command::new("python3")
        .args(["-c", script])
        .arg(root)
        .arg(format)
        .output()
        .expect("python3");
    assert!(
        out.status.success(),
        "pyarrow could not read the dataset: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v = json(&String::from_utf8_lossy(&out.stdout));
    let cols: Vec<&str> = v["columns"]
        .as_array()
        .expect("columns")
        .iter()
        .filter_map(|c| c.as_str())
        .collect();
    assert!(cols.contains(&"dt") && cols.contains(&"event_type"), "{v}");
    v["by_dt"]
        .as_object()
        .expect("by_dt")
        .iter()
        .map(|(k, n)| (k.clone(), n.as_u64().expect("a count")))
        .collect()
}

/// The same with the crates at hand: Parquet footers' row counts, CSV
/// lines less the header.
fn rows_by_rust(root: &Path, format: &str) -> BTreeMap<String, u64> {
    use parquet::file::reader::{FileReader, SerializedFileReader};
    let mut out = BTreeMap::new();
    for dir in std::fs::read_dir(root).expect("root").flatten() {
        let name = dir.file_name().to_string_lossy().into_owned();
        let dt = name.strip_prefix("dt=").expect("a dt folder").to_owned();
        let mut n = 0;
        for f in std::fs::read_dir(dir.path()).expect("dt folder").flatten() {
            let n_file = match format {
                "parquet" => {
                    let r = SerializedFileReader::new(std::fs::File::open(f.path()).unwrap())
                        .expect("a Parquet file");
                    u64::try_from(r.metadata().file_metadata().num_rows()).unwrap()
                }
                _ => {
                    let text = std::fs::read(f.path()).unwrap();
                    let lines = text.split(|b| *b == b'\n').filter(|l| !l.is_empty());
                    lines.count() as u64 - 1
                }
            };
            n += n_file;
        }
        out.insert(dt, n);
    }
    out
}

async fn backfill(format: &str) {
    let Some(rig) = Rig::start(0.2, ROWS_PER_PART).await else {
        return;
    };
    let ten = days("2026-11-01", 10);
    rig.define(&ten[0], format);
    let r = rig.sync(&["--until", &ten[9], "--json"]).await;
    assert_eq!(r.code, Some(0), "{}", r.all());
    let v = json(&r.stdout);
    assert_eq!(v["syncs"][0]["done"], serde_json::json!(ten), "{v}");

    let seen = rig.consistent().await;
    seen.all_once(&ten);
    for dt in &ten {
        assert_eq!(seen.rows[dt], ROWS_PER_DAY, "dt={dt}: the manifest's rows");
        let parts: Vec<&String> = seen.objects[dt].keys().collect();
        assert_eq!(
            parts,
            [
                "_manifest.json".to_owned(),
                format!("part-0001.{format}"),
                format!("part-0002.{format}")
            ]
            .iter()
            .collect::<Vec<_>>()
        );
    }

    // The folder read back as one table: the parts, Hive-style, as a
    // reader that lists the bucket sees them (the manifests are not data).
    let local = tempfile::tempdir().unwrap();
    let root = local.path().join(NAME);
    for (dt, files) in &seen.objects {
        let dir = root.join(format!("dt={dt}"));
        std::fs::create_dir_all(&dir).unwrap();
        for (name, bytes) in files {
            if name != "_manifest.json" {
                std::fs::write(dir.join(name), bytes).unwrap();
            }
        }
    }
    let read = if have_pyarrow() {
        rows_by_pyarrow(&root, format)
    } else {
        eprintln!("pyarrow is missing: reading the dataset with the parquet crate instead");
        rows_by_rust(&root, format)
    };
    let want: BTreeMap<String, u64> = ten.iter().map(|d| (d.clone(), ROWS_PER_DAY)).collect();
    assert_eq!(read, want, "rows per dt as read back");

    // A second run: up to date, nothing sent.
    let before = rig.demo.requests().len();
    let r = rig.sync(&["--until", &ten[9]]).await;
    assert_eq!(r.code, Some(0), "{}", r.all());
    assert!(r.stdout.contains("up to date"), "{}", r.stdout);
    assert_eq!(
        rig.demo.requests().len(),
        before,
        "an up-to-date run sends nothing"
    );
    rig.consistent().await.all_once(&ten);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_ten_day_parquet_backfill_into_s3_reads_back_as_one_table() {
    within(backfill("parquet")).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_ten_day_csv_backfill_into_s3_reads_back_as_one_table() {
    within(backfill("csv")).await;
}
