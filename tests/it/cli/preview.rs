//! `upexport preview FILE [--rows N] [--json]`: the same schema, count and
//! rows as the TUI's file preview, as text and as a versioned JSON
//! document, for every format, with no profile or key; a damaged file
//! prints what was read, then says what is wrong (exit 2).

use std::io::Write;
use std::path::{Path, PathBuf};

use serde_json::{Value, json};

use crate::support::{Out, Sandbox, run};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/formats")
        .join(name)
}

fn expected(name: &str) -> Value {
    serde_json::from_slice(&std::fs::read(fixture(&format!("{name}.expected.json"))).unwrap())
        .unwrap()
}

/// `upexport preview ARGS…` without a key or config.
fn preview(sb: &Sandbox, args: &[&str]) -> Out {
    let mut c = sb.command(None);
    c.arg("preview").args(args);
    run(c)
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    enc.write_all(bytes).unwrap();
    enc.finish().unwrap()
}

/// The four formats, one file each (Avro and Parquet from the fixtures,
/// CSV and NDJSON gzip-compressed here), with the first line of text each
/// gives and the table's header.
#[test]
fn every_format_as_text() {
    let sb = Sandbox::new();
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("part-1");
    std::fs::write(&csv, gzip(b"id,name\n1,Ana\n2,Bo\n3,Cy\n")).unwrap();
    let ndjson = dir.path().join("part-2");
    std::fs::write(&ndjson, b"{\"id\":1,\"tags\":[\"a\"]}\n{\"id\":2}\n").unwrap();
    let parquet = fixture("types.parquet");
    let avro = fixture("types-snappy.avro");
    for (path, first, header) in [
        (
            parquet.as_path(),
            "types.parquet: Parquet · 7 rows (from the footer) · 18 columns",
            "id  name",
        ),
        (
            avro.as_path(),
            "types-snappy.avro: Avro · 7 rows (from the block headers) · 26 columns",
            "id  name",
        ),
        (
            csv.as_path(),
            "part-1: CSV (gzip) · row count unknown · 2 columns",
            "id  name",
        ),
        (
            ndjson.as_path(),
            "part-2: NDJSON · 2 rows (read to the end) · 2 columns",
            "id  tags",
        ),
    ] {
        let out = preview(&sb, &[path.to_str().unwrap(), "--rows", "2"]);
        assert_eq!(out.code, Some(0), "{out:?}");
        let lines: Vec<&str> = out.stdout.lines().collect();
        assert_eq!(lines[0], first);
        assert!(
            lines.iter().any(|l| l.starts_with(header)),
            "{}",
            out.stdout
        );
    }

    // The schema lines and the rows of the Parquet file.
    let out = preview(&sb, &[parquet.to_str().unwrap(), "--rows", "2"]);
    let text = &out.stdout;
    assert!(
        text.contains("\nts               timestamp(us, UTC)"),
        "{text}"
    );
    assert!(text.contains("\naddress.geo.lat  double"), "{text}");
    assert!(text.contains("\n1   Ana "), "{text}");
    assert!(
        text.trim_end()
            .ends_with("(2 of 7 rows; --rows N for more)"),
        "{text}"
    );

    // No rows: the schema only.
    let out = preview(&sb, &[parquet.to_str().unwrap(), "--rows", "0"]);
    assert_eq!(out.code, Some(0));
    assert!(
        out.stdout.trim_end().ends_with("no rows shown"),
        "{}",
        out.stdout
    );
    let out = preview(&sb, &[parquet.to_str().unwrap(), "--rows", "10001"]);
    assert_eq!(out.code, Some(2), "{out:?}");
}

/// `--json`: version 1, and the columns, rows and count pyarrow and
/// fastavro read back from the fixtures.
#[test]
fn json_for_scripts() {
    let sb = Sandbox::new();
    for (name, source) in [
        ("types.parquet", "parquet footer"),
        ("types-deflate.avro", "avro block headers"),
    ] {
        let want = expected(name);
        let path = fixture(name);
        let out = preview(&sb, &[path.to_str().unwrap(), "--rows", "3", "--json"]);
        assert_eq!(out.code, Some(0), "{out:?}");
        let doc: Value = serde_json::from_str(&out.stdout).unwrap();
        assert_eq!(doc["version"], 1);
        assert_eq!(doc["file"], name);
        assert_eq!(doc["format"], name.rsplit('.').next().unwrap());
        assert_eq!(doc["gzip"], false);
        assert_eq!(doc["columns"], want["columns"]);
        assert_eq!(doc["rows"], json!(want["rows"].as_array().unwrap()[..3]));
        assert_eq!(doc["rows_shown"], 3);
        assert_eq!(doc["more_rows"], true);
        assert_eq!(
            doc["total_rows"],
            json!({"count": 7, "exact": true, "source": source})
        );
        assert_eq!(doc["notes"], json!([]));
        assert_eq!(doc["error"], Value::Null);
    }
}

#[test]
fn a_damaged_file_prints_what_was_read_then_exits_2() {
    let sb = Sandbox::new();
    let dir = tempfile::tempdir().unwrap();
    let text: String = (0..3000).map(|n| format!("{{\"n\":{n}}}\n")).collect();
    let gz = gzip(text.as_bytes());
    let path = dir.path().join("cut.ndjson.gz");
    std::fs::write(&path, &gz[..gz.len() / 2]).unwrap();
    let p = path.to_str().unwrap();

    let out = preview(&sb, &[p, "--rows", "10000"]);
    assert_eq!(out.code, Some(2), "{out:?}");
    assert!(
        out.stdout.starts_with("cut.ndjson.gz: NDJSON (gzip) · "),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout.contains("\n0\n1\n2\n"),
        "the rows before the cut"
    );
    assert!(
        out.stderr
            .contains("upexport: error: cut.ndjson.gz: the gzip stream ends early"),
        "{}",
        out.stderr
    );

    // The first 20 rows come before the cut: nothing wrong is seen.
    let out = preview(&sb, &[p, "--json"]);
    assert_eq!(out.code, Some(0), "{out:?}");
    let doc: Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(doc["rows_shown"], 20);
    assert_eq!(doc["error"], Value::Null);
    // --json: one document, its error set.
    let out = preview(&sb, &[p, "--json", "--rows", "10000"]);
    assert_eq!(out.code, Some(2));
    let doc: Value = serde_json::from_str(&out.stdout).expect("one JSON document");
    assert!(
        doc["error"]
            .as_str()
            .unwrap()
            .starts_with("cut.ndjson.gz: the gzip stream ends early"),
        "{doc}"
    );

    // Nothing readable: the error alone, as JSON with --json.
    let out = preview(
        &sb,
        &[dir.path().join("nope.avro").to_str().unwrap(), "--json"],
    );
    assert_eq!(out.code, Some(2));
    let doc: Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(doc["error"]["kind"], "file");
    assert!(
        doc["error"]["message"]
            .as_str()
            .unwrap()
            .starts_with("nope.avro: cannot open"),
        "{doc}"
    );
}
