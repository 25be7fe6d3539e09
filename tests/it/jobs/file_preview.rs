//! `upexport::jobs::file_preview` on the demo server's parts and on made-up files.

use std::io::Write;

use serde_json::Value;
use upexport::demo::FaultMode;
use upexport::export::Format;
use upexport::jobs::fetch::{FetchOptions, fetch_all, plan};
use upexport::jobs::file_preview::{Table, preview};

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

fn col(t: &Table, name: &str) -> usize {
    t.columns
        .iter()
        .position(|c| c == name)
        .unwrap_or_else(|| panic!("no column {name} in {:?}", t.columns))
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
        assert_eq!(t.rows.len(), 5);
        assert!(t.truncated, "300 rows in the part");
        assert_eq!(&t.columns[..3], ["app_token", "event_type", "event_name"]);
        assert!(t.rows.iter().all(|r| r.len() == t.columns.len()));
        let first: Value =
            serde_json::from_slice(raw.split(|b| *b == b'\n').next().unwrap()).unwrap();
        let row = &t.rows[0];
        assert_eq!(row[col(&t, "user_id")], first["user_id"].as_str().unwrap());
        assert_eq!(
            row[col(&t, "inserted_at")],
            first["inserted_at"].as_str().unwrap()
        );
        let meta = &row[col(&t, "metadata")];
        assert_eq!(
            serde_json::from_str::<Value>(meta).unwrap(),
            first["metadata"],
            "nested as JSON"
        );

        // The whole part, asked for more rows than it has.
        let all = preview(&path, 10_000).unwrap();
        assert_eq!(all.rows.len(), 300);
        assert!(!all.truncated);
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
        assert_eq!(preview(&gz, 5).unwrap(), t);
        // And under a name without .gz.
        let renamed = plans_dir.join("plain.ndjson");
        std::fs::rename(&gz, &renamed).unwrap();
        assert_eq!(preview(&renamed, 5).unwrap(), t);
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
        let header = std::str::from_utf8(raw.split(|b| *b == b'\n').next().unwrap()).unwrap();
        assert_eq!(t.columns.join(","), header.trim_end());
        assert_eq!(t.rows.len(), 20);
        assert!(t.truncated);
        assert!(t.rows.iter().all(|r| r.len() == t.columns.len()));
        let mut rdr = csv::Reader::from_reader(&raw[..]);
        let want: Vec<String> = rdr
            .records()
            .next()
            .unwrap()
            .unwrap()
            .iter()
            .map(str::to_owned)
            .collect();
        let want: Vec<String> = want.iter().map(|c| c.replace(['\n', '\r'], " ")).collect();
        assert_eq!(t.rows[0], want);

        let (id, st) = completed_job(&s, &c, Format::Avro).await;
        let name = st.presigned_urls[0].safe_filename(0);
        let path = write(
            dir.path(),
            "part.avro",
            &s.part_content(&id, &name).unwrap(),
        );
        let e = preview(&path, 5).unwrap_err();
        assert!(e.contains("Avro") && e.contains("part.avro"), "{e}");
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
    assert_eq!(t.columns, ["b", "a", "c", "d", "value", "e"]);
    assert_eq!(
        t.rows,
        [
            vec!["1", "x", "", "", "", ""],
            vec!["", "y z", "", "[1,{\"k\":true}]", "", ""],
            vec!["2.5", "", "", "", "", ""],
            vec!["", "", "", "", "[1,2]", ""],
            vec!["", "", "", "", "", "last"],
        ]
    );
    assert!(!t.truncated);
    let t = preview(&dir.path().join("r.ndjson"), 2).unwrap();
    assert_eq!(t.columns, ["b", "a", "c", "d"], "only the rows read");
    assert!(t.truncated);
}

#[test]
fn quoted_csv_with_commas_quotes_and_newlines() {
    let dir = tempfile::tempdir().unwrap();
    let text = "\u{feff}name,comment,n\r\n\"Smith, J\",\"line1\nline2\",1\r\n\"say \"\"hi\"\"\",\"\x1b[31mred\",2\r\nshort\r\nx,y,3,extra\r\n";
    let t = preview(&write(dir.path(), "q.csv", text.as_bytes()), 10).unwrap();
    assert_eq!(t.columns, ["name", "comment", "n", "column 4"]);
    assert_eq!(
        t.rows,
        [
            vec!["Smith, J", "line1 line2", "1", ""],
            vec!["say \"hi\"", " [31mred", "2", ""],
            vec!["short", "", "", ""],
            vec!["x", "y", "3", "extra"],
        ]
    );
    assert!(!t.truncated);
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

    let mut cut = gzip(b"{\"a\":1}\n{\"a\":2}\n");
    cut.truncate(cut.len() - 6);
    let e = preview(&write(dir.path(), "cut.gz", &cut), 5).unwrap_err();
    assert!(e.contains("gzip"), "{e}");

    let e = preview(&write(dir.path(), "bad.ndjson", b"{\"a\":1}\n{\"a\":\n"), 5).unwrap_err();
    assert!(e.contains("line 2") && e.contains("not JSON"), "{e}");

    assert_eq!(
        preview(&write(dir.path(), "empty", b""), 5).unwrap(),
        Table::default()
    );
    assert_eq!(
        preview(&write(dir.path(), "empty.gz", &gzip(b"")), 5).unwrap(),
        Table::default()
    );
    let e = preview(&dir.path().join("missing.csv"), 5).unwrap_err();
    assert!(
        e.contains("missing.csv") && e.contains("cannot open"),
        "{e}"
    );
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
    assert!(t.truncated);
    assert_eq!(t.columns, ["n", "event_type", "pad"]);
    let ns: Vec<&str> = t.rows.iter().map(|r| r[0].as_str()).collect();
    assert_eq!(ns, (0..20).map(|i| i.to_string()).collect::<Vec<_>>());
}
