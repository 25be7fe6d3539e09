//! What a downloaded file is, told by its content (never its name): its
//! format, its columns and, where that is cheap, its row count, for
//! `manifest.json` (and the sync's record of a streamed part).
//!
//! The reading is the file preview's ([`file_preview::describe`]): one
//! reader of each format (the Avro header and block headers, the Parquet
//! footer, the CSV header, NDJSON's first lines), one naming of column
//! types, so a file shows the same columns in `upexport preview` and in
//! `manifest.json`. No row is decoded, and only a file's head (and, for
//! Parquet, its footer; for Avro, its block headers, skipping the blocks)
//! is read, so a 1 GiB part costs a few reads. Rows of NDJSON and CSV
//! come from the lines counted while downloading ([`FileTally`]).

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::api::FileTally;
use crate::export::Format;
use crate::jobs::file_preview::{self, Described};

/// One column of a file's schema.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Column {
    /// Nested fields flattened with dots (`metadata.plan`).
    pub name: String,
    /// The type in the preview's words (`int64`, `timestamp(us, UTC)`,
    /// `list<string>`, `string` for CSV, the JSON kinds seen for NDJSON:
    /// `number|null`; see `file_preview::schema`). Always written by this
    /// version; a manifest of an older one may lack it for CSV.
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// May be null (declared so, or null or missing in the first rows).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub nullable: bool,
}

impl Column {
    fn of(c: &file_preview::Column) -> Column {
        Column {
            name: c.name.clone(),
            kind: Some(c.kind.clone()),
            // NDJSON declares nothing: null seen (or a member missing) in
            // the first rows is in its kinds.
            nullable: c
                .nullable
                .unwrap_or_else(|| c.kind.split('|').any(|k| k == "null")),
        }
    }
}

/// What [`inspect`] found.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Inspected {
    pub format: Option<Format>,
    /// The content is still gzip-compressed (kept so with `--keep-gz`).
    pub gzip: bool,
    pub rows: Option<u64>,
    pub columns: Option<Vec<Column>>,
    /// What could not be read ([`inspect`]: naming the file).
    pub problem: Option<String>,
    /// Worth knowing, not wrong: why a row count is not known.
    pub notes: Vec<String>,
}

/// Look at the file at `path`, whose `tally` (SHA-256, lines) is known.
pub fn inspect(path: &Path, tally: &FileTally) -> Inspected {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    found(file_preview::describe(path), tally, &format!("{name}: "))
}

/// Look at a part known by its ends only, as the sync streams it to object
/// storage without saving it: `head`, its first bytes (gzip already
/// removed), `tail`, its last bytes, `size`, the length of the whole (of
/// the content, as `head` and `tail` are), `tally`, counted as it passed.
/// The format from the content; the columns from `head` (CSV and NDJSON's
/// first rows, Avro's header) or from the Parquet footer in `tail` (a
/// problem when `tail` does not hold it whole); the rows from `tally` for
/// CSV and NDJSON, from the footer for Parquet, and for Avro only when
/// `head` is the whole file (else a note says why not). A problem does not
/// name the part: the caller knows its name.
pub fn inspect_ends(head: &[u8], tail: &[u8], size: u64, tally: &FileTally) -> Inspected {
    let whole = head.len() as u64 >= size;
    let mut found = found(file_preview::describe_ends(head, tail, size), tally, "");
    if found.format == Some(Format::Avro) && found.rows.is_none() && !whole {
        found.notes.push(format!(
            "row count unknown: an Avro file counts its rows in its blocks' headers, and only its first {} of {} were kept as it was streamed",
            crate::human::bytes(head.len() as u64),
            crate::human::bytes(size)
        ));
    }
    found
}

/// What `d` says, in the manifest's terms; `named` starts each problem.
fn found(d: Described, tally: &FileTally, named: &str) -> Inspected {
    use file_preview::Format as F;
    let format = match d.format {
        Some(F::Csv) => Some(Format::Csv),
        Some(F::Ndjson) => Some(Format::Ndjson),
        Some(F::Avro) => Some(Format::Avro),
        Some(F::Parquet) => Some(Format::Parquet),
        Some(F::Empty) | None => None,
    };
    let exact = d.total_rows.filter(|t| t.exact).map(|t| t.count);
    let rows = match format {
        // Counting a compressed file's rows means inflating all of it: not
        // cheap. A plain one's lines were counted as it was saved.
        _ if d.gzip => None,
        Some(Format::Ndjson) => Some(tally.lines),
        Some(Format::Csv) => Some(tally.records.saturating_sub(1)),
        Some(Format::Avro | Format::Parquet) => exact,
        // No bytes: no rows (how a day with no events may come, a guess:
        // see docs/reliability.md), not a problem.
        None if d.format == Some(F::Empty) => Some(0),
        None => None,
    };
    let (count_notes, _): (Vec<String>, Vec<String>) = d
        .notes
        .into_iter()
        .partition(|n| n.starts_with("row count"));
    let mut notes = Vec::new();
    let mut problem = d.error;
    if d.format == Some(F::Empty) {
        notes.push("an empty file: no rows".into());
    }
    for n in count_notes {
        // A count cut short by damage is a problem; one left unknown is not.
        if problem.is_none() && d.total_rows.is_some_and(|t| !t.exact) {
            problem = Some(format!("{named}{n}"));
        } else {
            notes.push(n);
        }
    }
    Inspected {
        format,
        gzip: d.gzip,
        rows,
        columns: (!d.schema.columns.is_empty())
            .then(|| d.schema.columns.iter().map(Column::of).collect()),
        problem,
        notes,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::tally_file;
    use serde_json::{Value, json};

    fn write(dir: &Path, name: &str, data: &[u8]) -> std::path::PathBuf {
        let p = dir.join(name);
        std::fs::write(&p, data).unwrap();
        p
    }

    fn look(p: &Path) -> Inspected {
        inspect(p, &tally_file(p).unwrap())
    }

    #[test]
    fn an_empty_file_has_no_rows_and_no_problem() {
        let dir = tempfile::tempdir().unwrap();
        let saved = look(&write(dir.path(), "part-0001.ndjson", b""));
        let streamed = inspect_ends(b"", b"", 0, &crate::api::Tally::default().finish());
        for found in [saved, streamed] {
            assert_eq!(found.rows, Some(0), "{found:?}");
            assert_eq!(found.problem, None, "{found:?}");
        }
    }

    #[test]
    fn text_formats_are_told_by_content() {
        let dir = tempfile::tempdir().unwrap();
        let p = write(
            dir.path(),
            "x.csv",
            b"{\"b\":\"x\",\"a\":1}\n{\"a\":2.5,\"c\":null}\n\n",
        );
        let f = look(&p);
        assert_eq!(f.format, Some(Format::Ndjson), "the name says csv");
        assert_eq!(f.rows, Some(2));
        let cols = f.columns.unwrap();
        let names: Vec<&str> = cols.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, ["b", "a", "c"], "as written, not sorted");
        assert_eq!(cols[1].kind.as_deref(), Some("number"));
        assert!(cols[0].nullable && !cols[1].nullable && cols[2].nullable);

        let p = write(dir.path(), "y", b"id,note\r\n1,\"two\r\nlines\"\r\n2,x\r\n");
        let f = look(&p);
        assert_eq!(f.format, Some(Format::Csv));
        assert_eq!(f.rows, Some(2));
        assert_eq!(f.columns.unwrap()[1].name, "note");

        let p = write(dir.path(), "z", b"\0\x01\x02binary");
        let f = look(&p);
        assert_eq!(f.format, None);
        let problem = f.problem.unwrap();
        assert!(problem.starts_with("z: not a format"), "{problem}");
        assert!(problem.ends_with("binary data"), "{problem}");
    }

    #[test]
    fn gzip_text_gives_columns_not_rows() {
        let dir = tempfile::tempdir().unwrap();
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        std::io::Write::write_all(&mut enc, b"{\"k\":true}\n").unwrap();
        let p = write(dir.path(), "a.gz", &enc.finish().unwrap());
        let f = look(&p);
        assert!(f.gzip);
        assert_eq!(f.format, Some(Format::Ndjson));
        assert_eq!(f.rows, None);
        assert_eq!(f.columns.unwrap()[0].kind.as_deref(), Some("boolean"));
    }

    #[test]
    fn avro_types_read_plainly() {
        let schema = json!({"type": "record", "name": "E", "fields": [
            {"name": "id", "type": "long"},
            {"name": "at", "type": ["null", {"type": "long", "logicalType": "timestamp-micros"}]},
            {"name": "price", "type": {"type": "bytes", "logicalType": "decimal", "precision": 9, "scale": 2}},
            {"name": "tags", "type": {"type": "array", "items": "string"}},
            {"name": "who", "type": ["null", {"type": "record", "name": "W", "fields": [
                {"name": "email", "type": "string"}]}]},
        ]});
        let schema = apache_avro::Schema::parse(&schema).unwrap();
        let mut w = apache_avro::Writer::new(&schema, Vec::new()).unwrap();
        w.flush().unwrap();
        let dir = tempfile::tempdir().unwrap();
        let p = write(dir.path(), "e.avro", &w.into_inner().unwrap());
        let f = look(&p);
        assert_eq!(f.rows, Some(0));
        let cols = f.columns.unwrap();
        let got: Vec<(String, String, bool)> = cols
            .into_iter()
            .map(|c| (c.name, c.kind.unwrap(), c.nullable))
            .collect();
        let want = [
            ("id", "int64", false),
            ("at", "timestamp(us, UTC)", true),
            ("price", "decimal(9,2)", false),
            ("tags", "list<string>", false),
            ("who.email", "string", true),
        ];
        assert_eq!(got, want.map(|(a, b, c)| (a.to_owned(), b.to_owned(), c)));
    }

    /// An Avro container of records `{n: long}` with the header entries
    /// `meta` besides the schema, the sync marker `sync` repeated, and one
    /// block, `block` (its count, size and data), ended by the marker.
    fn avro_file(meta: &[(&[u8], &[u8])], sync: u8, block: &[u8]) -> Vec<u8> {
        let schema = br#"{"type":"record","name":"R","fields":[{"name":"n","type":"long"}]}"#;
        let mut entries = vec![(&b"avro.schema"[..], &schema[..])];
        entries.extend_from_slice(meta);
        let mut f = b"Obj\x01".to_vec();
        let long = |f: &mut Vec<u8>, v: u64| {
            let mut n = v << 1; // zig-zag of a positive number
            while n >= 0x80 {
                f.push((n as u8 & 0x7f) | 0x80);
                n >>= 7;
            }
            f.push(n as u8);
        };
        long(&mut f, entries.len() as u64);
        for (k, v) in entries {
            for bytes in [k, v] {
                long(&mut f, bytes.len() as u64);
                f.extend_from_slice(bytes);
            }
        }
        f.push(0);
        f.extend_from_slice(&[sync; 16]);
        f.extend_from_slice(block);
        f.extend_from_slice(&[sync; 16]);
        f
    }

    #[test]
    fn truncated_and_corrupt_avro_say_so() {
        let dir = tempfile::tempdir().unwrap();
        // A header with the null codec and one block of two rows.
        let f = avro_file(&[], 7, &[4, 4, 2, 4]); // 2 rows, 2 bytes: 1, 2
        let whole = write(dir.path(), "ok.avro", &f);
        let got = look(&whole);
        assert_eq!(got.rows, Some(2));
        assert_eq!(got.columns.unwrap()[0].name, "n");
        let cut = write(dir.path(), "cut.avro", &f[..f.len() - 5]);
        let got = look(&cut);
        assert_eq!(got.rows, None);
        let problem = got.problem.unwrap();
        assert!(
            problem.starts_with("cut.avro: row count: block 1 (at byte ")
                && problem.contains("is cut short"),
            "{problem}"
        );
        let mut bad = f.clone();
        let n = bad.len();
        bad[n - 1] ^= 1;
        let got = look(&write(dir.path(), "bad.avro", &bad));
        assert!(got.problem.unwrap().contains("sync marker"), "corrupt");
    }

    /// The codec is the writer's choice (the vendor names none): one the
    /// preview does not decode keeps the schema and the count, in the
    /// manifest as in the preview, which says why no row is shown.
    #[test]
    fn an_avro_codec_the_preview_does_not_read_keeps_schema_and_count() {
        let f = avro_file(&[(b"avro.codec", b"bzip2")], 9, &[6, 6, 1, 2, 3]); // 3 rows in 3 (unread) bytes
        let dir = tempfile::tempdir().unwrap();
        let p = write(dir.path(), "z.avro", &f);
        let got = look(&p);
        assert_eq!(got.problem, None);
        assert_eq!(got.rows, Some(3));
        assert_eq!(got.columns.unwrap()[0].kind.as_deref(), Some("int64"));
        let shown = crate::jobs::file_preview::preview(&p, 10).unwrap();
        assert!(shown.rows.is_empty());
        assert_eq!(shown.total_rows.map(|t| t.count), Some(3));
        let e = shown.error.unwrap();
        assert!(
            e.contains("codec `bzip2` is not one the preview reads"),
            "{e}"
        );
    }

    #[test]
    fn a_parquet_file_without_its_footer_says_so() {
        let dir = tempfile::tempdir().unwrap();
        let p = write(dir.path(), "t.parquet", b"PAR1 and then nothing useful");
        let f = look(&p);
        assert_eq!(f.format, Some(Format::Parquet));
        assert_eq!(f.rows, None);
        assert!(
            f.problem
                .unwrap()
                .starts_with("t.parquet: a Parquet file without its footer")
        );
    }

    /// The columns `manifest.json` lists are those the preview shows, in
    /// the same words (the fixtures' expected columns are the preview's).
    #[test]
    fn the_manifest_names_columns_as_the_preview_does() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/formats");
        for name in [
            "types.parquet",
            "types-gzip.parquet",
            "types.avro",
            "types-deflate.avro",
            "types-snappy.avro",
        ] {
            let path = dir.join(name);
            let (expected, want) = expected(name);
            let got = look(&path);
            assert_eq!(got.problem, None, "{name}");
            assert_eq!(got.columns.as_deref(), Some(&want[..]), "{name}");
            assert_eq!(got.rows, expected["total_rows"].as_u64(), "{name}");
            let preview = crate::jobs::file_preview::preview(&path, 0).unwrap();
            let shown: Vec<(&str, &str)> = preview
                .schema
                .columns
                .iter()
                .map(|c| (c.name.as_str(), c.kind.as_str()))
                .collect();
            let listed: Vec<(&str, &str)> = want
                .iter()
                .map(|c| (c.name.as_str(), c.kind.as_deref().unwrap()))
                .collect();
            assert_eq!(shown, listed, "{name}: the preview agrees");
        }
    }

    /// What `inspect_ends` finds in `bytes` kept as the sync keeps a
    /// streamed part: its first `head` and last `tail` bytes.
    fn ends(bytes: &[u8], head: usize, tail: usize) -> Inspected {
        let mut t = crate::api::Tally::default();
        t.update(bytes);
        let n = bytes.len();
        inspect_ends(
            &bytes[..head.min(n)],
            &bytes[n - tail.min(n)..],
            n as u64,
            &t.finish(),
        )
    }

    /// A fixture's `.expected.json` (what its writer reads back) and its
    /// columns in the preview's words.
    fn expected(name: &str) -> (Value, Vec<Column>) {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/formats");
        let expected: Value = serde_json::from_slice(
            &std::fs::read(dir.join(format!("{name}.expected.json"))).unwrap(),
        )
        .unwrap();
        let cols = expected["columns"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| Column {
                name: c["name"].as_str().unwrap().to_owned(),
                kind: Some(c["type"].as_str().unwrap().to_owned()),
                nullable: c["nullable"].as_bool().unwrap(),
            })
            .collect();
        (expected, cols)
    }

    /// A fixture's bytes and its expected columns.
    fn fixture(name: &str) -> (Vec<u8>, Vec<Column>) {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/formats");
        (std::fs::read(dir.join(name)).unwrap(), expected(name).1)
    }

    /// A part of every format the demo server writes, 3,000 rows, kept by
    /// its ends (64 KiB first, 32 KiB last: the sync keeps 1 and 8 MiB of
    /// far larger parts) reads as the same file saved whole does, but for
    /// Avro's count, which is in the block headers between the ends.
    #[test]
    fn a_streamed_part_reads_by_its_ends_as_the_saved_file() {
        let dir = tempfile::tempdir().unwrap();
        for format in Format::ALL {
            let bytes = crate::demo::sample_part(format, 3000).unwrap();
            assert!(bytes.len() > 64 << 10, "{format}: larger than the head");
            let saved = look(&write(dir.path(), "part", &bytes));
            assert_eq!(saved.rows, Some(3000), "{format}");
            let got = ends(&bytes, 64 << 10, 32 << 10);
            assert_eq!(got.format, Some(format));
            assert_eq!(got.problem, None, "{format}");
            assert_eq!(got.columns, saved.columns, "{format}");
            assert_eq!(got.columns.as_ref().map(Vec::len), Some(20), "{format}");
            if format == Format::Avro {
                assert_eq!(got.rows, None);
                assert!(
                    got.notes[0].starts_with("row count unknown: an Avro file counts"),
                    "{:?}",
                    got.notes
                );
            } else {
                assert_eq!(got.rows, Some(3000), "{format}");
                assert_eq!(got.notes, Vec::<String>::new(), "{format}");
            }
        }
    }

    #[test]
    fn a_parquet_footer_is_read_from_the_tail_only_when_all_there() {
        let (bytes, want) = fixture("types.parquet");
        let n = bytes.len();
        let footer = u32::from_le_bytes(bytes[n - 8..n - 4].try_into().unwrap()) as usize + 8;
        assert!(footer < n - 100, "the footer is not the whole file");
        let got = ends(&bytes, 100, footer);
        assert_eq!(got.problem, None);
        assert_eq!(got.columns, Some(want.clone()));
        assert_eq!(got.rows, Some(7));

        let got = ends(&bytes, 100, footer - 1);
        assert_eq!(got.format, Some(Format::Parquet));
        assert_eq!((got.rows, got.columns), (None, None));
        let problem = got.problem.unwrap();
        assert!(
            problem.starts_with("its Parquet footer (")
                && problem.contains("is not all in the last"),
            "{problem}"
        );
        let got = ends(&bytes, 100, 3);
        assert!(
            got.problem.unwrap().contains("without its footer"),
            "cut short"
        );

        // The whole file in the head: its footer is there too.
        let got = ends(&bytes, n, 0);
        assert_eq!((got.columns, got.rows), (Some(want), Some(7)));
    }

    #[test]
    fn an_avro_count_is_known_only_from_the_whole_file() {
        for name in ["types.avro", "types-deflate.avro", "types-snappy.avro"] {
            let (bytes, want) = fixture(name);
            let got = ends(&bytes, bytes.len(), 100);
            assert_eq!(got.problem, None, "{name}");
            assert_eq!(
                (&got.columns, got.rows),
                (&Some(want.clone()), Some(7)),
                "{name}"
            );
            assert!(got.notes.is_empty(), "{name}: {:?}", got.notes);

            // The header whole, the blocks not.
            let header = bytes.len() - 600;
            let got = ends(&bytes, header, 100);
            assert_eq!(got.problem, None, "{name}");
            assert_eq!((&got.columns, got.rows), (&Some(want), None), "{name}");
            assert_eq!(got.notes.len(), 1, "{name}: {:?}", got.notes);

            // The header cut: a problem.
            let got = ends(&bytes, 40, 100);
            assert_eq!(got.format, Some(Format::Avro));
            assert!(
                got.problem.unwrap().contains("header is cut short"),
                "{name}"
            );
        }
    }

    #[test]
    fn a_text_head_without_a_line_end_says_so() {
        let line = format!("{{\"a\":\"{}\"}}\n", "x".repeat(5000));
        let got = ends(line.as_bytes(), 1000, 1000);
        assert_eq!(got.format, Some(Format::Ndjson));
        assert_eq!(got.columns, None);
        let problem = got.problem.unwrap();
        assert!(
            problem.starts_with("its first line is longer than"),
            "{problem}"
        );
        let got = ends(line.as_bytes(), 1 << 20, 1000);
        assert_eq!(got.problem, None, "the whole line");
        assert_eq!(got.rows, Some(1));
        assert_eq!(got.columns.unwrap()[0].kind.as_deref(), Some("string"));
    }
}
