//! Encoding rows into a part's file content: NDJSON, CSV (RFC 4180),
//! Avro (see [`super::avro`]), and gzip around all of them.

use std::io::Write;

use flate2::Compression;
use flate2::write::GzEncoder;

use super::avro;
use super::rows::{COLUMNS, Row};
use crate::export::Format;

/// The file name suffix of a part in `format`, before `.gz`. The demo does
/// not write real Parquet: its "parquet" parts are NDJSON and say so.
pub(crate) fn extension(format: Format) -> &'static str {
    match format {
        Format::Avro => "avro",
        Format::Csv => "csv",
        Format::Ndjson => "ndjson",
        Format::Parquet => "parquet.ndjson",
    }
}

/// The uncompressed content of a part.
pub(crate) fn encode(format: Format, rows: &[Row], seed: u64) -> Vec<u8> {
    match format {
        Format::Ndjson | Format::Parquet => ndjson(rows),
        Format::Csv => csv(rows),
        Format::Avro => avro::container(rows, seed),
    }
}

/// One JSON object per line, each line ending in `\n`.
pub(crate) fn ndjson(rows: &[Row]) -> Vec<u8> {
    let mut out = Vec::new();
    for r in rows {
        // A Row always serialises (strings, integers and a JSON value).
        serde_json::to_writer(&mut out, r).unwrap_or_default();
        out.push(b'\n');
    }
    out
}

/// A header line and one line per row, CRLF line ends, fields quoted when
/// they hold a comma, quote, CR or LF (quotes doubled), as RFC 4180 says.
/// `metadata` is its JSON text.
pub(crate) fn csv(rows: &[Row]) -> Vec<u8> {
    let mut out = String::new();
    let line = |out: &mut String, cells: &mut dyn Iterator<Item = &str>| {
        let mut first = true;
        for cell in cells {
            if !first {
                out.push(',');
            }
            first = false;
            out.push_str(&csv_field(cell));
        }
        out.push_str("\r\n");
    };
    line(&mut out, &mut COLUMNS.iter().copied());
    for r in rows {
        let cells = r.cells();
        line(&mut out, &mut cells.iter().map(String::as_str));
    }
    out.into_bytes()
}

fn csv_field(s: &str) -> std::borrow::Cow<'_, str> {
    if s.contains([',', '"', '\r', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\"")).into()
    } else {
        s.into()
    }
}

/// Gzip with a fixed header (no name, mtime 0): the same input always
/// gives the same bytes.
pub(crate) fn gzip(data: &[u8]) -> Vec<u8> {
    let mut enc = GzEncoder::new(Vec::with_capacity(data.len() / 4), Compression::default());
    // Writing to a Vec cannot fail.
    let _ = enc.write_all(data);
    enc.finish().unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    #[test]
    fn csv_quotes_like_rfc_4180() {
        assert_eq!(csv_field("plain"), "plain");
        assert_eq!(csv_field("a,b"), "\"a,b\"");
        assert_eq!(csv_field(r#"{"k":"v"}"#), r#""{""k"":""v""}""#);
        assert_eq!(csv_field("two\nlines"), "\"two\nlines\"");
    }

    #[test]
    fn gzip_round_trips_and_is_stable() {
        let data = b"hello hello hello".repeat(100);
        let gz = gzip(&data);
        assert_eq!(gz, gzip(&data));
        assert_eq!(&gz[..2], &[0x1f, 0x8b]);
        let mut back = Vec::new();
        flate2::read::GzDecoder::new(&gz[..])
            .read_to_end(&mut back)
            .unwrap();
        assert_eq!(back, data);
    }
}
