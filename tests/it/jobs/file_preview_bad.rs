//! Bad input for the file preview: each case gives a message naming the
//! file and what is wrong, shows what could be read before it, and reads a
//! bounded amount (issue #15, "Bad input"). The Avro and Parquet cases
//! damage the checked-in fixtures of `tests/fixtures/formats/`.

use std::io::Write;
use std::path::{Path, PathBuf};

use serde_json::{Value, json};
use upexport::jobs::file_preview::{CountSource, Format, MAX_LINE, RowCount, preview};

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/formats")
            .join(name),
    )
    .unwrap()
}

fn expected_rows(name: &str) -> Vec<Value> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/formats")
        .join(format!("{name}.expected.json"));
    let v: Value = serde_json::from_slice(&std::fs::read(p).unwrap()).unwrap();
    v["rows"].as_array().unwrap().clone()
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, bytes).unwrap();
    p
}

/// Where the 16-byte sync marker (the file's last 16 bytes) ends in an
/// Avro file: the header's first, then one after each block.
fn sync_ends(avro: &[u8]) -> Vec<usize> {
    let sync = &avro[avro.len() - 16..];
    (0..=avro.len() - 16)
        .filter(|i| &avro[*i..i + 16] == sync)
        .map(|i| i + 16)
        .collect()
}

#[test]
fn a_parquet_file_cut_short_has_no_footer() {
    let dir = tempfile::tempdir().unwrap();
    let whole = fixture("types.parquet");
    let cut = write(dir.path(), "cut.parquet", &whole[..whole.len() / 2]);
    let e = preview(&cut, 10).unwrap_err();
    assert!(e.starts_with("cut.parquet: "), "{e}");
    assert!(
        e.contains("without its footer") && e.contains("cut short"),
        "{e}"
    );

    // Ends with PAR1, but the footer's length points nowhere.
    let mut bad = whole.clone();
    let n = bad.len();
    bad[n - 8..n - 4].copy_from_slice(&u32::MAX.to_le_bytes());
    let e = preview(&write(dir.path(), "bad-footer.parquet", &bad), 10).unwrap_err();
    assert!(e.starts_with("bad-footer.parquet: "), "{e}");
    assert!(e.contains("footer cannot be read"), "{e}");
}

#[test]
fn a_damaged_parquet_page_keeps_the_schema_and_the_count() {
    let dir = tempfile::tempdir().unwrap();
    // One row group, no dictionary: the first column's page starts at 4.
    let mut bad = fixture("types-gzip.parquet");
    for b in &mut bad[4..120] {
        *b = 0xEE;
    }
    let p = preview(&write(dir.path(), "page.parquet", &bad), 10).unwrap();
    assert_eq!(p.format, Format::Parquet);
    assert_eq!(p.schema.columns.len(), 18, "the schema is in the footer");
    assert_eq!(p.total_rows.map(|t| t.count), Some(7));
    assert!(p.rows.is_empty());
    let e = p.error.unwrap();
    assert!(
        e.starts_with("page.parquet: row group 1 cannot be read"),
        "{e}"
    );
}

#[test]
fn a_damaged_avro_block_shows_the_blocks_before_it() {
    let dir = tempfile::tempdir().unwrap();
    let whole = fixture("types.avro");
    let want = expected_rows("types.avro");
    let ends = sync_ends(&whole);
    assert!(ends.len() >= 4, "several blocks: {ends:?}");

    // The sync marker after block 2 is damaged: block 1's rows are shown.
    let mut bad = whole.clone();
    bad[ends[2] - 1] ^= 0xFF;
    let p = preview(&write(dir.path(), "sync.avro", &bad), 100).unwrap();
    let e = p.error.clone().unwrap();
    assert!(e.starts_with("sync.avro: block 2 (at byte "), "{e}");
    assert!(e.contains("sync marker does not match"), "{e}");
    assert!(!p.rows.is_empty());
    assert_eq!(json!(p.rows), json!(want[..p.rows.len()]));
    // The count stops at the same place; the error says why, once.
    let total = p.total_rows.unwrap();
    assert!(
        !total.exact && total.count == p.rows.len() as u64,
        "{total:?}"
    );
    assert_eq!(p.notes, Vec::<String>::new());
    // Two rows are in block 1: no error, but the count says where it
    // stopped.
    let p = preview(&dir.path().join("sync.avro"), 2).unwrap();
    assert_eq!(p.error, None);
    assert_eq!(json!(p.rows), json!(want[..2]));
    assert!(!p.total_rows.unwrap().exact);
    assert_eq!(p.notes.len(), 1);
    assert!(
        p.notes[0].starts_with("row count: block 2 (at byte ")
            && p.notes[0]
                .ends_with("is damaged (its sync marker is wrong): the rows before it are counted"),
        "{:?}",
        p.notes
    );

    // Block 1 claims 63 objects: those it holds are shown, then the error.
    let mut bad = whole.clone();
    let count_at = ends[0];
    let real = (bad[count_at] >> 1) as usize;
    assert!(real > 0 && bad[count_at] < 0x80, "a one-byte count");
    bad[count_at] = 63 << 1;
    let p = preview(&write(dir.path(), "count.avro", &bad), 100).unwrap();
    let e = p.error.clone().unwrap();
    assert!(
        e.starts_with("count.avro: block 1 (at byte ") && e.contains("cannot be decoded"),
        "{e}"
    );
    assert_eq!(json!(p.rows), json!(want[..real]));
}

#[test]
fn an_avro_file_cut_inside_a_block() {
    let dir = tempfile::tempdir().unwrap();
    let whole = fixture("types-deflate.avro");
    let want = expected_rows("types-deflate.avro");
    let ends = sync_ends(&whole);
    let cut_at = ends[ends.len() - 2] + 5;
    let p = preview(&write(dir.path(), "cut.avro", &whole[..cut_at]), 100).unwrap();
    let e = p.error.clone().unwrap();
    assert!(e.starts_with("cut.avro: block "), "{e}");
    assert!(e.contains("cut short"), "{e}");
    assert!(p.rows.len() < want.len() && !p.rows.is_empty());
    assert_eq!(json!(p.rows), json!(want[..p.rows.len()]));
    assert_eq!(
        p.total_rows,
        Some(RowCount {
            count: p.rows.len() as u64,
            exact: false,
            source: CountSource::AvroBlocks
        })
    );

    // Only the header, cut: nothing to show.
    let e = preview(&write(dir.path(), "head.avro", &whole[..40]), 10).unwrap_err();
    assert!(
        e.starts_with("head.avro: ") && e.contains("header is cut short"),
        "{e}"
    );
}

#[test]
fn a_gzip_stream_that_ends_early_shows_the_rows_before() {
    let dir = tempfile::tempdir().unwrap();
    let text: String = (0..5000)
        .map(|n| format!("{{\"n\":{n},\"pad\":\"{}\"}}\n", "q".repeat(n % 97)))
        .collect();
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    enc.write_all(text.as_bytes()).unwrap();
    let gz = enc.finish().unwrap();
    let path = write(dir.path(), "cut.ndjson.gz", &gz[..gz.len() * 6 / 10]);
    let p = preview(&path, 10_000).unwrap();
    let e = p.error.clone().unwrap();
    assert!(
        e.starts_with("cut.ndjson.gz: the gzip stream ends early"),
        "{e}"
    );
    assert!(
        p.rows.len() > 1000 && p.rows.len() < 5000,
        "{}",
        p.rows.len()
    );
    for (n, row) in p.rows.iter().enumerate() {
        assert_eq!(row[0], json!(n));
    }
    assert_eq!(p.total_rows, None);
}

#[test]
fn an_ndjson_line_that_is_not_json() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(
        dir.path(),
        "bad.ndjson",
        b"{\"a\":1}\n{\"a\":2}\n{\"a\":\n{\"a\":4}\n",
    );
    let p = preview(&path, 10).unwrap();
    assert_eq!(json!(p.rows), json!([[1], [2]]));
    let e = p.error.unwrap();
    assert!(e.starts_with("bad.ndjson: line 3 is not JSON ("), "{e}");
    assert!(e.ends_with("showing the 2 rows before it"), "{e}");
    assert_eq!(p.total_rows, None);
}

/// A 2 GiB file of one line (sparse: it takes no disk): the preview stops
/// at the line cap instead of reading it.
#[test]
fn a_two_gib_line_is_not_read() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("one-line.ndjson");
    let mut f = std::fs::File::create(&path).unwrap();
    f.write_all(b"{\"ok\":1}\n{\"a\":\"").unwrap();
    f.write_all(&[b'x'; 16 * 1024]).unwrap();
    f.set_len(2 << 30).unwrap();
    drop(f);
    let p = preview(&path, 10).unwrap();
    assert_eq!(json!(p.rows), json!([[1]]));
    let e = p.error.unwrap();
    assert!(
        e.starts_with("one-line.ndjson: line 2 is longer than 4.0 MiB"),
        "{e}"
    );
    assert_eq!(MAX_LINE, 4 << 20);

    // The same as CSV: the header is shown, no row.
    let path = dir.path().join("one-line.csv");
    let mut f = std::fs::File::create(&path).unwrap();
    f.write_all(b"a,b\n\"").unwrap();
    f.write_all(&[b'x'; 16 * 1024]).unwrap();
    f.set_len(2 << 30).unwrap();
    drop(f);
    let p = preview(&path, 10).unwrap();
    assert!(p.rows.is_empty());
    let e = p.error.unwrap();
    assert!(e.starts_with("one-line.csv: line 2 is longer than"), "{e}");
}

/// A page on which the `parquet` crate panics (byte 118 of the checked-in
/// types.parquet set to 6, found by `reliability::preview_props`): the
/// panic is caught, the schema and the footer's count stay, and the error
/// says which row group.
#[test]
fn a_page_the_parquet_reader_panics_on() {
    let dir = tempfile::tempdir().unwrap();
    let mut bad = fixture("types.parquet");
    bad[118] = 6;
    let p = preview(&write(dir.path(), "panic.parquet", &bad), 5).unwrap();
    assert_eq!(p.schema.columns.len(), 18);
    assert_eq!(p.total_rows.map(|t| t.count), Some(7));
    let e = p.error.unwrap();
    assert!(
        e.starts_with("panic.parquet: row group 1 cannot be read (the Parquet reader stopped on damaged data: "),
        "{e}"
    );
}
