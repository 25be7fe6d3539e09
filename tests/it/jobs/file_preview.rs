//! `upexport::jobs::file_preview` on the demo server's parts and on made-up files.

use std::io::Write;

use serde_json::{Value, json};
use upexport::demo::FaultMode;
use upexport::export::Format;
use upexport::jobs::fetch::{FetchOptions, fetch_all, plan};
use upexport::jobs::file_preview::{CountSource, Format as Kind, Preview, RowCount, preview};

use crate::support::demo::{client, completed_job, server};
use crate::support::within;

fn write(dir: &std::path::Path, name: &str, bytes: &[u8]) -> std::path::PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, bytes).unwrap();
    p
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    enc.write_all(bytes).unwrap();
    enc.finish().unwrap()
}

fn col(t: &Preview, name: &str) -> usize {
    t.schema
        .columns
        .iter()
        .position(|c| c.name == name)
        .unwrap_or_else(|| panic!("no column {name} in {:?}", t.schema.names()))
}

fn read_to_end(count: u64) -> Option<RowCount> {
    Some(RowCount {
        count,
        exact: true,
        source: CountSource::ReadToEnd,
    })
}

/// Rows as JSON, for comparing with `json!`.
fn rows(t: &Preview) -> Value {
    json!(t.rows)
}

#[tokio::test]
async fn ndjson_parts_plain_and_gzip() {
    within(async {
        let s = server(FaultMode::Normal, 300).await;
        let c = client(&s);
        let (id, st) = completed_job(&s, &c, Format::Ndjson).await;
        let name = st.presigned_urls[0].safe_filename(0);
        let raw = s.part_content(&id, &name).unwrap();
        let dir = tempfile::tempdir().unwrap();
        // A name that says nothing: the content decides.
        let path = write(dir.path(), "part-one", &raw);

        let t = preview(&path, 5).unwrap();
        assert_eq!((t.format, t.gzip, &t.error), (Kind::Ndjson, false, &None));
        assert_eq!(t.rows.len(), 5);
        assert!(t.more, "300 rows in the part");
        assert_eq!(t.total_rows, None, "NDJSON stores no count");
        assert_eq!(
            &t.schema.names()[..3],
            ["app_token", "event_type", "event_name"]
        );
        assert_eq!(t.schema.columns[0].kind, "string");
        assert!(t.rows.iter().all(|r| r.len() == t.schema.columns.len()));
        let first: Value =
            serde_json::from_slice(raw.split(|b| *b == b'\n').next().unwrap()).unwrap();
        let row = &t.rows[0];
        assert_eq!(row[col(&t, "user_id")], first["user_id"]);
        assert_eq!(row[col(&t, "inserted_at")], first["inserted_at"]);
        assert_eq!(
            row[col(&t, "metadata")],
            first["metadata"],
            "nested as JSON"
        );

        // The whole part, asked for more rows than it has.
        let all = preview(&path, 10_000).unwrap();
        assert_eq!(all.rows.len(), 300);
        assert!(!all.more);
        assert_eq!(all.total_rows, read_to_end(300));
        assert_eq!(all.rows[..5], t.rows[..]);

        // The part as served (gzip), fetched and kept compressed.
        let gz_dir = tempfile::tempdir().unwrap();
        let (tx, _rx) = tokio::sync::mpsc::unbounded_channel();
        let plans_dir = upexport::jobs::fetch::job_dir(gz_dir.path(), &id);
        let plans = plan(&id, &st, gz_dir.path(), Some(&[0]));
        fetch_all(
            &c,
            plans,
            FetchOptions {
                overwrite: false,
                keep_compressed: true,
            },
            tx,
        )
        .await;
        let gz = plans_dir.join(&name);
        assert_eq!(&std::fs::read(&gz).unwrap()[..2], &[0x1f, 0x8b]);
        let same = |p: Preview| {
            assert!(p.gzip);
            assert_eq!(
                (p.format, &p.schema, &p.rows, p.more),
                (t.format, &t.schema, &t.rows, t.more)
            );
        };
        same(preview(&gz, 5).unwrap());
        // And under a name without .gz.
        let renamed = plans_dir.join("plain.ndjson");
        std::fs::rename(&gz, &renamed).unwrap();
        same(preview(&renamed, 5).unwrap());
    })
    .await;
}

#[tokio::test]
async fn csv_parts_and_avro_parts() {
    within(async {
        let s = server(FaultMode::Normal, 300).await;
        let c = client(&s);
        let (id, st) = completed_job(&s, &c, Format::Csv).await;
        let name = st.presigned_urls[1].safe_filename(1);
        let raw = s.part_content(&id, &name).unwrap();
        let dir = tempfile::tempdir().unwrap();
        let path = write(dir.path(), "part.csv", &raw);
        let t = preview(&path, 20).unwrap();
        assert_eq!(t.format, Kind::Csv);
        let header = std::str::from_utf8(raw.split(|b| *b == b'\n').next().unwrap()).unwrap();
        assert_eq!(t.schema.names().join(","), header.trim_end());
        assert!(
            t.schema
                .columns
                .iter()
                .all(|c| c.kind == "string" && c.nullable.is_none())
        );
        assert_eq!(t.rows.len(), 20);
        assert!(t.more);
        assert!(t.rows.iter().all(|r| r.len() == t.schema.columns.len()));
        let mut rdr = csv::Reader::from_reader(&raw[..]);
        let want: Vec<Value> = rdr
            .records()
            .next()
            .unwrap()
            .unwrap()
            .iter()
            .map(Value::from)
            .collect();
        assert_eq!(t.rows[0], want);

        // The demo's Avro part: the schema, every row, the count from the
        // block headers.
        let (id, st) = completed_job(&s, &c, Format::Avro).await;
        let name = st.presigned_urls[0].safe_filename(0);
        let path = write(
            dir.path(),
            "part.avro",
            &s.part_content(&id, &name).unwrap(),
        );
        let t = preview(&path, 5).unwrap();
        assert_eq!((t.format, &t.error), (Kind::Avro, &None));
        assert_eq!(
            t.total_rows,
            Some(RowCount {
                count: 300,
                exact: true,
                source: CountSource::AvroBlocks
            })
        );
        assert_eq!(t.rows.len(), 5);
        assert!(t.more);
        assert_eq!(&t.schema.names()[..2], ["app_token", "event_type"]);
        assert!(t.rows[0][col(&t, "event_type")].is_string());
    })
    .await;
}

#[test]
fn ragged_ndjson_keeps_first_seen_column_order() {
    let dir = tempfile::tempdir().unwrap();
    let text = concat!(
        "{\"b\":1,\"a\":\"x\"}\n",
        "\n",
        "{\"c\":null,\"a\":\"y\\nz\",\"d\":[1,{\"k\":true}]}\r\n",
        "{\"b\":2.5}\n",
        "  \n",
        "[1,2]\n",
        "{\"e\":\"last\"}",
    );
    let t = preview(&write(dir.path(), "r.ndjson", text.as_bytes()), 10).unwrap();
    assert_eq!(t.schema.names(), ["b", "a", "c", "d", "value", "e"]);
    let kinds: Vec<&str> = t.schema.columns.iter().map(|c| c.kind.as_str()).collect();
    assert_eq!(
        kinds,
        [
            "number|null",
            "string|null",
            "null",
            "array|null",
            "null|array",
            "null|string"
        ]
        .map(|k| {
            // Kinds in name order, null last.
            let mut v: Vec<&str> = k.split('|').collect();
            v.sort_by_key(|k| (*k == "null", *k));
            Box::leak(v.join("|").into_boxed_str()) as &str
        })
    );
    assert_eq!(
        rows(&t),
        json!([
            [1, "x", null, null, null, null],
            [null, "y\nz", null, [1, {"k": true}], null, null],
            [2.5, null, null, null, null, null],
            [null, null, null, null, [1, 2], null],
            [null, null, null, null, null, "last"],
        ])
    );
    assert!(!t.more);
    assert_eq!(t.total_rows, read_to_end(5));
    let t = preview(&dir.path().join("r.ndjson"), 2).unwrap();
    assert_eq!(t.schema.names(), ["b", "a", "c", "d"], "only the rows read");
    assert!(t.more);
    assert_eq!(t.total_rows, None);
}

#[test]
fn quoted_csv_with_commas_quotes_and_newlines() {
    let dir = tempfile::tempdir().unwrap();
    let text = "\u{feff}name,comment,n\r\n\"Smith, J\",\"line1\nline2\",1\r\n\"say \"\"hi\"\"\",\"\x1b[31mred\",2\r\nshort\r\nx,y,3,extra\r\n";
    let t = preview(&write(dir.path(), "q.csv", text.as_bytes()), 10).unwrap();
    assert_eq!(t.schema.names(), ["name", "comment", "n", "column 4"]);
    assert_eq!(
        rows(&t),
        json!([
            ["Smith, J", "line1\nline2", "1", null],
            ["say \"hi\"", "\u{1b}[31mred", "2", null],
            ["short", null, null, null],
            ["x", "y", "3", "extra"],
        ])
    );
    // Shown on one line, without the escape.
    let shown: Vec<String> = t.rows[1]
        .iter()
        .map(upexport::jobs::file_preview::display)
        .collect();
    assert_eq!(shown, ["say \"hi\"", " [31mred", "2", ""]);
    assert!(!t.more);
    assert_eq!(t.total_rows, read_to_end(4));
    assert_eq!(t.error, None);
    assert_eq!(
        t.notes,
        [
            "ragged rows: the header has 3 fields, row 3 has 1, row 4 has 4; short rows are padded with empty cells, extra fields shown as `column N`"
        ]
    );
}

#[test]
fn garbage_empty_and_missing_files() {
    let dir = tempfile::tempdir().unwrap();
    // Deterministic noise.
    let mut x: u32 = 0x9E37_79B9;
    let noise: Vec<u8> = (0..4096)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            (x >> 24) as u8
        })
        .collect();
    let e = preview(&write(dir.path(), "noise.ndjson", &noise), 5).unwrap_err();
    assert!(
        e.starts_with("noise.ndjson: ") && e.contains("binary"),
        "{e}"
    );
    let e = preview(&write(dir.path(), "noise.gz", &gzip(&noise)), 5).unwrap_err();
    assert!(e.contains("binary"), "{e}");

    let empty = preview(&write(dir.path(), "empty", b""), 5).unwrap();
    assert_eq!((empty.format, empty.gzip), (Kind::Empty, false));
    assert!(empty.rows.is_empty() && empty.schema.columns.is_empty());
    let empty = preview(&write(dir.path(), "empty.gz", &gzip(b"")), 5).unwrap();
    assert_eq!((empty.format, empty.gzip), (Kind::Empty, true));
    let e = preview(&dir.path().join("missing.csv"), 5).unwrap_err();
    assert!(
        e.contains("missing.csv") && e.contains("cannot open"),
        "{e}"
    );
    let e = preview(dir.path(), 5).unwrap_err();
    assert!(e.contains("directory"), "{e}");
}

#[test]
fn a_50_mb_file_gives_its_first_rows() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("big.ndjson");
    let mut f = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
    let pad = "p".repeat(400);
    let mut n = 0u64;
    let mut written = 0usize;
    while written < 50 << 20 {
        let line = format!("{{\"n\":{n},\"event_type\":\"track\",\"pad\":\"{pad}\"}}\n");
        written += line.len();
        f.write_all(line.as_bytes()).unwrap();
        n += 1;
    }
    f.flush().unwrap();
    drop(f);
    assert!(std::fs::metadata(&path).unwrap().len() >= 50 << 20);

    let t = preview(&path, 20).unwrap();
    assert_eq!(t.rows.len(), 20);
    assert!(t.more);
    assert_eq!(t.schema.names(), ["n", "event_type", "pad"]);
    let ns: Vec<&Value> = t.rows.iter().map(|r| &r[0]).collect();
    assert_eq!(json!(ns), json!((0..20).collect::<Vec<_>>()));
}

/// The demo server writes its rows in each of the four formats (Parquet
/// and Avro through their crates, CSV, NDJSON; gzip or not as the server
/// chooses): the preview tells each by its bytes, counts its rows
/// (Parquet's footer, Avro's block headers, text read to the end) and
/// shows the same columns, with values where they belong.
#[tokio::test]
async fn the_demo_parts_of_every_format() {
    within(async {
        let s = server(FaultMode::Normal, 50).await;
        let c = client(&s);
        let dir = tempfile::tempdir().unwrap();
        let mut names: Vec<(Kind, Vec<String>)> = Vec::new();
        for (format, kind, source) in [
            (Format::Parquet, Kind::Parquet, CountSource::ParquetFooter),
            (Format::Avro, Kind::Avro, CountSource::AvroBlocks),
            (Format::Csv, Kind::Csv, CountSource::ReadToEnd),
            (Format::Ndjson, Kind::Ndjson, CountSource::ReadToEnd),
        ] {
            let (id, st) = completed_job(&s, &c, format).await;
            let name = st.presigned_urls[0].safe_filename(0);
            let path = write(dir.path(), &name, &s.part_content(&id, &name).unwrap());
            let t = preview(&path, 100).unwrap();
            assert_eq!((t.format, &t.error), (kind, &None), "{name}");
            assert_eq!(
                t.total_rows,
                Some(RowCount {
                    count: 50,
                    exact: true,
                    source
                }),
                "{name}"
            );
            assert_eq!(t.rows.len(), 50);
            assert!(!t.more);
            for r in &t.rows {
                let user = r[col(&t, "user_id")].as_str().unwrap_or_default();
                assert!(user.starts_with("user-"), "{name}: {r:?}");
                assert!(
                    r[col(&t, "event_type")]
                        .as_str()
                        .is_some_and(|e| !e.is_empty())
                );
            }
            names.push((
                kind,
                t.schema.names().iter().map(|n| n.to_string()).collect(),
            ));
        }
        for (kind, cols) in &names[1..] {
            assert_eq!(cols, &names[0].1, "{kind:?}'s columns against Parquet's");
        }
    })
    .await;
}
