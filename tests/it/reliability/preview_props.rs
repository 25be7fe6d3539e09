//! Property tests of the file preview's readers (issue #15, "Bad input"):
//! arbitrary bytes behind each format's magic, and the checked-in Avro and
//! Parquet fixtures (`tests/fixtures/formats/`) with bytes changed or cut,
//! plain and gzip-compressed. Whatever the bytes, a preview returns (no
//! panic gets out: the `parquet` crate panics on some damaged pages, which
//! the preview turns into an error), every row has a cell per column, and
//! every message starts with the file's name.

use std::io::Write;
use std::path::Path;

use proptest::prelude::*;
use upexport::jobs::file_preview::{Preview, preview};

const NAME: &str = "input.bin";

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    enc.write_all(bytes).unwrap();
    enc.finish().unwrap()
}

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/formats")
            .join(name),
    )
    .unwrap()
}

/// Write `bytes` as the input file and check what the preview gives.
fn check(dir: &Path, bytes: &[u8], rows: usize) -> Result<(), TestCaseError> {
    let path = dir.join(NAME);
    std::fs::write(&path, bytes).unwrap();
    match preview(&path, rows) {
        Ok(p) => well_formed(&p, rows)?,
        Err(e) => {
            prop_assert!(e.starts_with(&format!("{NAME}: ")), "{}", e);
        }
    }
    Ok(())
}

fn well_formed(p: &Preview, rows: usize) -> Result<(), TestCaseError> {
    prop_assert_eq!(&p.file, NAME);
    prop_assert!(p.rows.len() <= rows);
    let width = p.schema.columns.len();
    for r in &p.rows {
        prop_assert_eq!(r.len(), width);
    }
    if let Some(e) = &p.error {
        prop_assert!(e.starts_with(&format!("{NAME}: ")), "{}", e);
    }
    if let Some(t) = p.total_rows
        && t.exact
    {
        prop_assert!(
            t.count >= p.rows.len() as u64,
            "{:?} for {} rows",
            t,
            p.rows.len()
        );
    }
    Ok(())
}

/// A prefix that sends the bytes to one reader.
fn magic() -> impl Strategy<Value = &'static [u8]> {
    prop_oneof![
        Just(&b""[..]),
        Just(&b"PAR1"[..]),
        Just(&b"Obj\x01"[..]),
        Just(&b"{\"a\":"[..]),
        Just(&b"a,b\n"[..]),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// Any bytes behind a magic (Parquet also gets its closing PAR1), plain
    /// or gzip-compressed.
    #[test]
    fn any_bytes_behind_any_magic(
        head in magic(),
        body in proptest::collection::vec(any::<u8>(), 0..2048),
        close in any::<bool>(),
        packed in any::<bool>(),
        rows in 0usize..30,
    ) {
        let dir = tempfile::tempdir().unwrap();
        let mut bytes = head.to_vec();
        bytes.extend(&body);
        if close && head == b"PAR1" {
            bytes.extend(b"PAR1");
        }
        let bytes = if packed { gzip(&bytes) } else { bytes };
        check(dir.path(), &bytes, rows)?;
    }
}

/// The fixtures, each plain and gzip-compressed.
fn fixtures() -> Vec<Vec<u8>> {
    let plain: Vec<Vec<u8>> = [
        "types.parquet",
        "types-gzip.parquet",
        "types.avro",
        "types-deflate.avro",
        "types-snappy.avro",
    ]
    .iter()
    .map(|n| fixture(n))
    .collect();
    let packed: Vec<Vec<u8>> = plain.iter().map(|b| gzip(b)).collect();
    plain.into_iter().chain(packed).collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1024))]

    /// A real file with up to 8 bytes changed, then perhaps cut.
    #[test]
    fn real_files_with_bytes_changed_or_cut(
        which in 0usize..10,
        changes in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 0..8),
        cut in proptest::option::of(any::<prop::sample::Index>()),
        rows in 1usize..12,
    ) {
        let dir = tempfile::tempdir().unwrap();
        let mut bytes = fixtures().swap_remove(which);
        for (at, b) in changes {
            let i = at.index(bytes.len());
            bytes[i] = b;
        }
        if let Some(at) = cut {
            bytes.truncate(at.index(bytes.len() + 1));
        }
        check(dir.path(), &bytes, rows)?;
    }
}
