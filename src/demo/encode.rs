//! Encoding rows into a part's file: NDJSON, CSV (RFC 4180, with a
//! header), Avro ([`super::avro`]) and Parquet ([`super::parquet`]), all
//! from the same rows; and which parts are served gzip-compressed.
//!
//! Gzip, where the vendor is silent: public clients found the vendor's
//! parts gzip-compressed NDJSON (API notes, section 4), so NDJSON parts
//! are gzip. That CSV parts are gzip too is a guess (the same pipeline,
//! the same storage). Parquet and Avro compress inside the file (snappy
//! pages, snappy blocks), so gzip around them would gain little: the
//! guess is that they come as they are. Under
//! [`FaultMode::VendorDiffers`] every part is gzip whatever its format,
//! as from a vendor that compresses all it stores; the client tells gzip
//! by its magic bytes, never by the name, either way.

use std::io::Write;

use flate2::Compression;
use flate2::write::GzEncoder;

use super::avro;
use super::mode::FaultMode;
use super::parquet;
use super::rows::{Row, SCHEMA};
use crate::export::Format;

/// The file name suffix of a part in `format`, before any `.gz`.
pub(crate) fn extension(format: Format) -> &'static str {
    match format {
        Format::Avro => "avro",
        Format::Csv => "csv",
        Format::Ndjson => "ndjson",
        Format::Parquet => "parquet",
    }
}

/// Whether parts in `format` are served gzip-compressed (see the module
/// notes for what is known and what is guessed).
pub(crate) fn gzipped(format: Format, mode: FaultMode) -> bool {
    mode == FaultMode::VendorDiffers || matches!(format, Format::Ndjson | Format::Csv)
}

/// The name of part `n` (1-based): `part-0001.ndjson.gz`,
/// `part-0001.parquet`. Decided when the job is created; the name says
/// whether the part is served gzip.
pub(crate) fn part_name(format: Format, n: usize, mode: FaultMode) -> String {
    let gz = if gzipped(format, mode) { ".gz" } else { "" };
    format!("part-{n:04}.{}{gz}", extension(format))
}

/// The content of a part before any gzip. `seed` makes the Avro sync
/// marker (the same rows and seed give the same bytes).
pub(crate) fn encode(format: Format, rows: &[Row], seed: u64) -> Result<Vec<u8>, String> {
    match format {
        Format::Ndjson => Ok(ndjson(rows)),
        Format::Csv => Ok(csv(rows)),
        Format::Avro => avro::container(rows, seed),
        Format::Parquet => parquet::file(rows),
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
/// A null is an empty cell; `metadata` is its JSON text.
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
    line(&mut out, &mut SCHEMA.iter().map(|c| c.name));
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
    fn names_say_what_is_gzip() {
        let n = |f, m| part_name(f, 1, m);
        assert_eq!(n(Format::Ndjson, FaultMode::Normal), "part-0001.ndjson.gz");
        assert_eq!(n(Format::Csv, FaultMode::Normal), "part-0001.csv.gz");
        assert_eq!(n(Format::Parquet, FaultMode::Normal), "part-0001.parquet");
        assert_eq!(n(Format::Avro, FaultMode::Normal), "part-0001.avro");
        assert_eq!(
            n(Format::Parquet, FaultMode::VendorDiffers),
            "part-0001.parquet.gz"
        );
    }

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
