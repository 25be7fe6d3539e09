//! The preview against Avro and Parquet files written by independent
//! writers: pyarrow (Parquet) and fastavro (Avro), with nested, nullable,
//! timestamp, decimal, list and map columns. The files and what those
//! libraries read back from them (`FILE.expected.json`: the columns in
//! upexport's words, the total row count, every row) are checked in under
//! `tests/fixtures/formats/` with the script that made them (`make.py`);
//! these tests need no Python: they compare the preview with the JSON.

use std::io::Write;
use std::path::{Path, PathBuf};

use serde_json::Value;
use upexport::jobs::file_preview::{Column, CountSource, Format, Preview, RowCount, preview};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/formats")
}

/// What the writing library read back.
struct Expected {
    library: String,
    columns: Vec<Column>,
    total: u64,
    rows: Vec<Vec<Value>>,
}

fn expected(name: &str) -> Expected {
    let path = fixtures().join(format!("{name}.expected.json"));
    let v: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    Expected {
        library: v["library"].as_str().unwrap().to_owned(),
        columns: serde_json::from_value(v["columns"].clone()).unwrap(),
        total: v["total_rows"].as_u64().unwrap(),
        rows: serde_json::from_value(v["rows"].clone()).unwrap(),
    }
}

/// Column by column and row by row, so a difference names its place.
fn assert_same(p: &Preview, want: &Expected, rows: usize, what: &str) {
    assert_eq!(
        p.error, None,
        "{what}: no error ({} wrote it)",
        want.library
    );
    assert_eq!(
        p.schema.columns.len(),
        want.columns.len(),
        "{what}: columns"
    );
    for (got, w) in p.schema.columns.iter().zip(&want.columns) {
        assert_eq!(got, w, "{what}: column {}", w.name);
    }
    assert_eq!(
        p.rows.len(),
        rows.min(want.rows.len()),
        "{what}: rows shown"
    );
    for (n, (got, w)) in p.rows.iter().zip(&want.rows).enumerate() {
        for (c, (g, x)) in got.iter().zip(w).enumerate() {
            assert_eq!(
                g,
                x,
                "{what}: row {}, column {} ({} read {x})",
                n + 1,
                want.columns[c].name,
                want.library
            );
        }
    }
}

fn gzip_copy(src: &Path, dir: &Path) -> PathBuf {
    let dst = dir.join(format!("{}.gz", src.file_name().unwrap().to_string_lossy()));
    let mut enc = flate2::write::GzEncoder::new(
        std::fs::File::create(&dst).unwrap(),
        flate2::Compression::default(),
    );
    enc.write_all(&std::fs::read(src).unwrap()).unwrap();
    enc.finish().unwrap();
    dst
}

#[test]
fn parquet_by_pyarrow_shows_what_pyarrow_reads() {
    let dir = tempfile::tempdir().unwrap();
    for name in ["types.parquet", "types-gzip.parquet"] {
        let want = expected(name);
        assert!(want.library.starts_with("pyarrow"));
        let path = fixtures().join(name);
        let footer = Some(RowCount {
            count: want.total,
            exact: true,
            source: CountSource::ParquetFooter,
        });

        let p = preview(&path, 100).unwrap();
        assert_eq!((p.format, p.gzip), (Format::Parquet, false));
        assert_eq!(p.total_rows, footer, "{name}");
        assert!(!p.more);
        assert_same(&p, &want, 100, name);

        // The first rows only (types.parquet: the first row group of 3 and
        // one row of the next); the count is still the footer's.
        let p = preview(&path, 4).unwrap();
        assert_same(&p, &want, 4, name);
        assert!(p.more);
        assert_eq!(p.total_rows, footer);

        // Gzip-compressed, under a name that says .gz only.
        let gz = gzip_copy(&path, dir.path());
        let p = preview(&gz, 100).unwrap();
        assert_eq!((p.format, p.gzip), (Format::Parquet, true));
        assert_eq!(p.total_rows, footer);
        assert_same(&p, &want, 100, &format!("{name}.gz"));
    }
}

#[test]
fn avro_by_fastavro_shows_what_fastavro_reads() {
    let dir = tempfile::tempdir().unwrap();
    for name in ["types.avro", "types-deflate.avro", "types-snappy.avro"] {
        let want = expected(name);
        assert!(want.library.starts_with("fastavro"));
        let path = fixtures().join(name);
        let counted = Some(RowCount {
            count: want.total,
            exact: true,
            source: CountSource::AvroBlocks,
        });

        let p = preview(&path, 100).unwrap();
        assert_eq!((p.format, p.gzip), (Format::Avro, false));
        assert_eq!(p.total_rows, counted, "{name}");
        assert!(!p.more);
        assert_same(&p, &want, 100, name);

        let p = preview(&path, 3).unwrap();
        assert_same(&p, &want, 3, name);
        assert!(p.more);
        assert_eq!(p.total_rows, counted, "the blocks are counted, not read");

        // Gzip: read only as far as the rows; the count is known when that
        // is the end.
        let gz = gzip_copy(&path, dir.path());
        let p = preview(&gz, 100).unwrap();
        assert_eq!((p.format, p.gzip), (Format::Avro, true));
        assert_same(&p, &want, 100, &format!("{name}.gz"));
        assert_eq!(
            p.total_rows,
            Some(RowCount {
                count: want.total,
                exact: true,
                source: CountSource::ReadToEnd
            })
        );
        let p = preview(&gz, 3).unwrap();
        assert_same(&p, &want, 3, &format!("{name}.gz"));
        assert!(p.more);
        assert_eq!(p.total_rows, None);
        assert!(
            p.notes.iter().any(|n| n.contains("row count unknown")),
            "{:?}",
            p.notes
        );
    }
}
