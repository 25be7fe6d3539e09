//! What a downloaded file is, told by its content (never its name): its
//! format, its columns and, where that is cheap, its row count. Reads
//! only a file's head (and, for Parquet, its footer; for Avro, its block
//! headers, skipping the blocks), so a 1 GiB part costs a few reads.
//!
//! These are minimal readers for the manifest only: the schema and the
//! counts, no values. The file preview (`jobs::file_preview`) reads rows;
//! the two may share code once both exist.

use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::Path;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::api::FileTally;
use crate::export::Format;

/// Bytes of a text file read for its columns (the first rows).
const TEXT_HEAD: u64 = 1 << 20;
/// NDJSON lines looked at for the columns.
const NDJSON_LINES: usize = 100;
/// Longest Avro metadata value read (the schema).
const AVRO_META_MAX: u64 = 16 << 20;

/// One column of a file's schema.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Column {
    /// Nested fields flattened with dots (`metadata.plan`).
    pub name: String,
    /// The type as the file declares it (Parquet, Avro) or as the first
    /// rows show it (NDJSON); none for CSV, which has no types.
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// May be null (declared so, or null or missing in the first rows).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub nullable: bool,
}

/// What [`inspect`] found.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Inspected {
    pub format: Option<Format>,
    /// The content is still gzip-compressed (kept so with `--keep-gz`).
    pub gzip: bool,
    pub rows: Option<u64>,
    pub columns: Option<Vec<Column>>,
    /// What could not be read, naming the file.
    pub problem: Option<String>,
}

/// What the first bytes `head` and last bytes `tail` of a file of `size`
/// bytes (never on disk: `upexport sync` streams it) tell: the format by
/// content, rows from the tally for NDJSON and CSV, rows and columns
/// from the footer in `tail` for Parquet (`tail` holds the footer when it
/// is no longer than the tail kept; a larger one is a problem, named).
pub fn inspect_ends(head: &[u8], tail: &[u8], size: u64, tally: &FileTally) -> Inspected {
    let _ = size;
    let mut found = Inspected::default();
    if head.starts_with(b"PAR1") {
        found.format = Some(Format::Parquet);
        match parquet_meta(&bytes::Bytes::copy_from_slice(tail)) {
            Ok((rows, cols)) => {
                found.rows = Some(rows);
                found.columns = Some(cols);
            }
            Err(e) => found.problem = Some(format!("its Parquet footer could not be read: {e}")),
        }
    } else if head.starts_with(b"Obj\x01") {
        found.format = Some(Format::Avro);
    } else if head.is_empty() {
        found.rows = Some(0);
    } else if head.trim_ascii_start().starts_with(b"{") {
        found.format = Some(Format::Ndjson);
        found.rows = Some(tally.lines);
    } else {
        found.format = Some(Format::Csv);
        found.rows = Some(tally.records.saturating_sub(1));
    }
    found
}

/// Look at the file at `path`, whose `tally` (SHA-256, lines) is known.
pub fn inspect(path: &Path, tally: &FileTally) -> Inspected {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut found = Inspected::default();
    let head = match read_head(path, 4) {
        Ok(h) => h,
        Err(e) => {
            found.problem = Some(format!("{name}: cannot read it: {e}"));
            return found;
        }
    };
    let fail = |found: &mut Inspected, what: String| {
        found.problem = Some(format!("{name}: {what}"));
    };
    if head.starts_with(&[0x1f, 0x8b]) {
        found.gzip = true;
        // Counting a compressed file's rows means inflating all of it:
        // not cheap. Its columns come from its first rows.
        let inner = match File::open(path) {
            Ok(f) => flate2::read::MultiGzDecoder::new(BufReader::new(f)),
            Err(e) => {
                fail(&mut found, format!("cannot read it: {e}"));
                return found;
            }
        };
        let mut inner = BufReader::new(inner.take(TEXT_HEAD));
        let first = match inner.fill_buf() {
            Ok(b) => b.to_vec(),
            Err(e) => {
                fail(
                    &mut found,
                    format!("the gzip content does not inflate: {e}"),
                );
                return found;
            }
        };
        if first.starts_with(b"PAR1") || first.starts_with(b"Obj\x01") {
            found.format = Some(if first.starts_with(b"PAR1") {
                Format::Parquet
            } else {
                Format::Avro
            });
            fail(
                &mut found,
                "gzip-compressed; its schema and rows are read once it is decompressed (download without --keep-gz)".into(),
            );
            return found;
        }
        text(&mut found, &first, inner, &name);
        return found;
    }
    if head.starts_with(b"PAR1") {
        found.format = Some(Format::Parquet);
        match parquet_footer(path) {
            Ok((rows, cols)) => {
                found.rows = Some(rows);
                found.columns = Some(cols);
            }
            Err(e) => fail(&mut found, format!("not a readable Parquet file: {e}")),
        }
        return found;
    }
    if head.starts_with(b"Obj\x01") {
        found.format = Some(Format::Avro);
        match avro(path) {
            Ok((cols, rows)) => {
                found.columns = cols.ok();
                match rows {
                    Ok(n) => found.rows = Some(n),
                    Err(e) => fail(&mut found, e),
                }
            }
            Err(e) => fail(&mut found, format!("not a readable Avro file: {e}")),
        }
        return found;
    }
    let reader = match File::open(path) {
        Ok(f) => BufReader::new(f.take(TEXT_HEAD)),
        Err(e) => {
            fail(&mut found, format!("cannot read it: {e}"));
            return found;
        }
    };
    let mut reader = reader;
    let first = reader.fill_buf().map(<[u8]>::to_vec).unwrap_or_default();
    text(&mut found, &first, reader, &name);
    found.rows = match found.format {
        Some(Format::Ndjson) => Some(tally.lines),
        Some(Format::Csv) => Some(tally.records.saturating_sub(1)),
        _ => None,
    };
    found
}

fn read_head(path: &Path, n: u64) -> std::io::Result<Vec<u8>> {
    let mut head = Vec::new();
    File::open(path)?.take(n).read_to_end(&mut head)?;
    Ok(head)
}

/// NDJSON when the first thing in it is `{`, CSV when it is other text;
/// the columns from the first rows of `r` (which starts with `first`).
fn text(found: &mut Inspected, first: &[u8], r: impl BufRead, name: &str) {
    let body = first.strip_prefix(b"\xef\xbb\xbf").unwrap_or(first);
    let lead = body.iter().find(|b| !b.is_ascii_whitespace());
    if first.is_empty() {
        found.problem = Some(format!("{name}: empty"));
        return;
    }
    if lead == Some(&b'{') {
        found.format = Some(Format::Ndjson);
        found.columns = Some(ndjson_columns(r));
        return;
    }
    let binary = body.iter().take(4096).any(|b| *b == 0)
        || std::str::from_utf8(&body[..body.len().min(4096)])
            .is_err_and(|e| e.error_len().is_some());
    if binary {
        found.problem = Some(format!(
            "{name}: binary data that is not Parquet, Avro or gzip"
        ));
        return;
    }
    found.format = Some(Format::Csv);
    let mut csv = csv::ReaderBuilder::new().flexible(true).from_reader(r);
    match csv.headers() {
        Ok(h) => {
            found.columns = Some(
                h.iter()
                    .map(|c| Column {
                        name: c.trim_start_matches('\u{feff}').to_owned(),
                        kind: None,
                        nullable: false,
                    })
                    .collect(),
            )
        }
        Err(e) => found.problem = Some(format!("{name}: no CSV header: {e}")),
    }
}

/// The keys of the first lines' objects, in the order first seen, each
/// with the JSON type its values had.
fn ndjson_columns(r: impl BufRead) -> Vec<Column> {
    let mut cols: Vec<(String, Option<&'static str>, bool)> = Vec::new();
    let mut seen = 0usize;
    for line in r.lines().map_while(Result::ok) {
        if line.trim().is_empty() {
            continue;
        }
        // A line cut by the read limit does not parse: the rows before
        // it have given the columns.
        let Ok(Ordered(obj)) = serde_json::from_str::<Ordered>(&line) else {
            break;
        };
        let has = |k: &str| obj.iter().any(|(c, _)| c == k);
        for (c, _, nullable) in cols.iter_mut() {
            if !has(c) {
                *nullable = true;
            }
        }
        for (k, v) in &obj {
            let kind = match v {
                Value::Null => None,
                Value::Bool(_) => Some("boolean"),
                Value::Number(n) if n.is_i64() || n.is_u64() => Some("integer"),
                Value::Number(_) => Some("number"),
                Value::String(_) => Some("string"),
                Value::Array(_) => Some("array"),
                Value::Object(_) => Some("object"),
            };
            match cols.iter_mut().find(|(c, _, _)| c == k) {
                Some((_, have, nullable)) => {
                    *nullable |= kind.is_none();
                    *have = match (*have, kind) {
                        (a, None) => a,
                        (None, b) => b,
                        (Some(a), Some(b)) if a == b => Some(a),
                        (Some("integer" | "number"), Some("integer" | "number")) => Some("number"),
                        _ => Some("mixed"),
                    };
                }
                None => cols.push((k.clone(), kind, kind.is_none() || seen > 0)),
            }
        }
        seen += 1;
        if seen >= NDJSON_LINES {
            break;
        }
    }
    cols.into_iter()
        .map(|(name, kind, nullable)| Column {
            name,
            kind: Some(kind.unwrap_or("null").to_owned()),
            nullable,
        })
        .collect()
}

/// A JSON object's members in the order written (serde_json's map sorts
/// them).
struct Ordered(Vec<(String, Value)>);

impl<'de> Deserialize<'de> for Ordered {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = Ordered;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut m: A,
            ) -> Result<Ordered, A::Error> {
                let mut out = Vec::new();
                while let Some((k, v)) = m.next_entry::<String, Value>()? {
                    out.push((k, v));
                }
                Ok(Ordered(out))
            }
        }
        d.deserialize_map(V)
    }
}

/// A Parquet file's row count and leaf columns, from its footer only.
fn parquet_footer(path: &Path) -> Result<(u64, Vec<Column>), String> {
    let file = File::open(path).map_err(|e| e.to_string())?;
    parquet_meta(&file)
}

/// The rows and columns of a Parquet file's footer, read from `reader`
/// (a file, or the last bytes of one: the footer is found from the end).
fn parquet_meta<R: parquet::file::reader::ChunkReader>(
    reader: &R,
) -> Result<(u64, Vec<Column>), String> {
    use parquet::file::metadata::ParquetMetaDataReader;
    let meta = ParquetMetaDataReader::new()
        .parse_and_finish(reader)
        .map_err(|e| e.to_string())?;
    let fm = meta.file_metadata();
    let cols = fm
        .schema_descr()
        .columns()
        .iter()
        .map(|c| Column {
            name: c.path().string(),
            kind: Some(parquet_type(c)),
            nullable: c.max_def_level() > 0,
        })
        .collect();
    Ok((u64::try_from(fm.num_rows()).unwrap_or(0), cols))
}

fn parquet_type(c: &parquet::schema::types::ColumnDescriptor) -> String {
    use parquet::basic::{LogicalType as L, TimeUnit, Type as P};
    let unit = |u: &TimeUnit| match u {
        TimeUnit::MILLIS => "millis",
        TimeUnit::MICROS => "micros",
        TimeUnit::NANOS => "nanos",
    };
    match c.logical_type_ref() {
        Some(L::String) => "string".into(),
        Some(L::Json) => "json".into(),
        Some(L::Enum) => "enum".into(),
        Some(L::Uuid) => "uuid".into(),
        Some(L::Date) => "date".into(),
        Some(L::Timestamp(t)) => format!(
            "timestamp({}{})",
            unit(&t.unit),
            if t.is_adjusted_to_u_t_c { ", UTC" } else { "" }
        ),
        Some(L::Time(t)) => format!("time({})", unit(&t.unit)),
        Some(L::Decimal(d)) => format!("decimal({}, {})", d.precision, d.scale),
        Some(L::Integer(i)) => format!("{}int{}", if i.is_signed { "" } else { "u" }, i.bit_width),
        _ => match c.physical_type() {
            P::BOOLEAN => "boolean".into(),
            P::INT32 => "int32".into(),
            P::INT64 => "int64".into(),
            P::INT96 => "int96".into(),
            P::FLOAT => "float".into(),
            P::DOUBLE => "double".into(),
            P::BYTE_ARRAY => "binary".into(),
            P::FIXED_LEN_BYTE_ARRAY => format!("fixed({})", c.type_length()),
        },
    }
}

/// Avro's variable-length zig-zag long; `None` at the end of the file.
fn read_long(r: &mut impl Read) -> std::io::Result<Option<i64>> {
    let mut n: u64 = 0;
    for i in 0..10 {
        let mut b = [0u8; 1];
        if r.read(&mut b)? == 0 {
            return if i == 0 {
                Ok(None)
            } else {
                Err(std::io::ErrorKind::UnexpectedEof.into())
            };
        }
        n |= u64::from(b[0] & 0x7f) << (7 * i);
        if b[0] & 0x80 == 0 {
            return Ok(Some((n >> 1) as i64 ^ -((n & 1) as i64)));
        }
    }
    Err(std::io::Error::new(
        std::io::ErrorKind::InvalidData,
        "a number longer than 10 bytes",
    ))
}

type AvroFound = (Result<Vec<Column>, String>, Result<u64, String>);

/// An Avro container file's columns (from the schema in its header) and
/// row count (the counts of its blocks, each block skipped unread).
fn avro(path: &Path) -> Result<AvroFound, String> {
    let eof = || "the file ends inside its header".to_owned();
    let mut r = BufReader::new(File::open(path).map_err(|e| e.to_string())?);
    let mut magic = [0u8; 4];
    r.read_exact(&mut magic).map_err(|e| e.to_string())?;
    let mut schema: Option<Vec<u8>> = None;
    loop {
        let mut count = read_long(&mut r)
            .map_err(|e| e.to_string())?
            .ok_or_else(eof)?;
        if count == 0 {
            break;
        }
        if count < 0 {
            count = -count;
            read_long(&mut r).map_err(|e| e.to_string())?;
        }
        for _ in 0..count {
            let key = read_bytes(&mut r, 1024)?;
            let value = read_bytes(&mut r, AVRO_META_MAX)?;
            if key == b"avro.schema" {
                schema = Some(value);
            }
        }
    }
    let mut sync = [0u8; 16];
    r.read_exact(&mut sync).map_err(|_| eof())?;
    let cols = match schema {
        None => Err("no avro.schema in its header".to_owned()),
        Some(s) => serde_json::from_slice::<Value>(&s)
            .map_err(|e| format!("its schema is not JSON: {e}"))
            .map(|v| avro_columns(&v)),
    };
    let mut rows: u64 = 0;
    let mut block = 0u64;
    let counted = loop {
        block += 1;
        let count = match read_long(&mut r) {
            Ok(None) => break Ok(rows),
            Ok(Some(c)) if c >= 0 => c as u64,
            Ok(Some(_)) => break Err(format!("block {block}: a negative row count (corrupt)")),
            Err(e) => break Err(format!("block {block}: {e}")),
        };
        let size = match read_long(&mut r) {
            Ok(Some(s)) if s >= 0 => s,
            Ok(_) => break Err(format!("block {block}: no valid size (corrupt)")),
            Err(e) => break Err(format!("block {block}: {e}")),
        };
        if let Err(e) = r.seek_relative(size) {
            break Err(format!("block {block}: {e}"));
        }
        let mut marker = [0u8; 16];
        if r.read_exact(&mut marker).is_err() {
            break Err(format!(
                "the file ends inside block {block} (truncated): rows counted before it: {rows}"
            ));
        }
        if marker != sync {
            break Err(format!(
                "block {block} does not end in the file's sync marker (corrupt)"
            ));
        }
        rows = rows.saturating_add(count);
    };
    Ok((cols, counted))
}

fn read_bytes(r: &mut impl Read, max: u64) -> Result<Vec<u8>, String> {
    let n = read_long(r)
        .map_err(|e| e.to_string())?
        .ok_or("the file ends inside its header")?;
    let n = u64::try_from(n).map_err(|_| "a negative length in its header".to_owned())?;
    if n > max {
        return Err(format!(
            "a header value of {n} bytes (at most {max} are read)"
        ));
    }
    let mut out = Vec::new();
    r.take(n).read_to_end(&mut out).map_err(|e| e.to_string())?;
    if out.len() as u64 != n {
        return Err("the file ends inside its header".into());
    }
    Ok(out)
}

/// The fields of an Avro record schema, nested records flattened with
/// dots, `["null", T]` unions read as a nullable `T`.
fn avro_columns(schema: &Value) -> Vec<Column> {
    let mut out = Vec::new();
    match schema.get("fields").and_then(Value::as_array) {
        Some(fields) => avro_fields(fields, "", false, &mut out),
        // Not a record: the file's rows are single values.
        None => {
            let (kind, nullable) = avro_type(schema);
            out.push(Column {
                name: "value".into(),
                kind: Some(kind),
                nullable,
            });
        }
    }
    out
}

fn avro_fields(fields: &[Value], prefix: &str, parent_null: bool, out: &mut Vec<Column>) {
    for f in fields {
        let name = format!(
            "{prefix}{}",
            f.get("name").and_then(Value::as_str).unwrap_or("?")
        );
        let ty = f.get("type").unwrap_or(&Value::Null);
        let (inner, nullable) = strip_null(ty);
        if let Some(sub) = inner
            .filter(|t| t.get("type").and_then(Value::as_str) == Some("record"))
            .and_then(|t| t.get("fields"))
            .and_then(Value::as_array)
        {
            avro_fields(sub, &format!("{name}."), parent_null || nullable, out);
            continue;
        }
        let (kind, n) = avro_type(ty);
        out.push(Column {
            name,
            kind: Some(kind),
            nullable: parent_null || n,
        });
    }
}

/// A union with `null` and one other type: that type, nullable.
fn strip_null(ty: &Value) -> (Option<&Value>, bool) {
    match ty {
        Value::Array(members) => {
            let others: Vec<&Value> = members.iter().filter(|m| *m != "null").collect();
            let nullable = others.len() < members.len();
            match others.as_slice() {
                [one] => (Some(*one), nullable),
                _ => (None, nullable),
            }
        }
        t => (Some(t), false),
    }
}

/// A short name of an Avro type and whether it may be null.
fn avro_type(ty: &Value) -> (String, bool) {
    match ty {
        Value::String(s) => (s.clone(), s == "null"),
        Value::Array(members) => {
            let (one, nullable) = strip_null(ty);
            match one {
                Some(t) => (avro_type(t).0, nullable),
                None => {
                    let names: Vec<String> = members
                        .iter()
                        .filter(|m| *m != "null")
                        .map(|m| avro_type(m).0)
                        .collect();
                    (format!("union<{}>", names.join(", ")), nullable)
                }
            }
        }
        Value::Object(o) => {
            let logical = o.get("logicalType").and_then(Value::as_str);
            let base = o.get("type").and_then(Value::as_str).unwrap_or("");
            let kind = match (logical, base) {
                (Some("decimal"), _) => format!(
                    "decimal({}, {})",
                    o.get("precision").and_then(Value::as_u64).unwrap_or(0),
                    o.get("scale").and_then(Value::as_u64).unwrap_or(0)
                ),
                (Some(l), _) => l.to_owned(),
                (None, "array") => format!(
                    "array<{}>",
                    avro_type(o.get("items").unwrap_or(&Value::Null)).0
                ),
                (None, "map") => format!(
                    "map<{}>",
                    avro_type(o.get("values").unwrap_or(&Value::Null)).0
                ),
                (None, "fixed") => format!(
                    "fixed({})",
                    o.get("size").and_then(Value::as_u64).unwrap_or(0)
                ),
                (None, "record" | "enum") => format!(
                    "{base} {}",
                    o.get("name").and_then(Value::as_str).unwrap_or("")
                )
                .trim_end()
                .to_owned(),
                (None, other) => avro_type(o.get("type").unwrap_or(&Value::String(other.into()))).0,
            };
            (kind, false)
        }
        _ => ("unknown".into(), false),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::tally_file;
    use serde_json::json;

    fn write(dir: &Path, name: &str, data: &[u8]) -> std::path::PathBuf {
        let p = dir.join(name);
        std::fs::write(&p, data).unwrap();
        p
    }

    fn look(p: &Path) -> Inspected {
        inspect(p, &tally_file(p).unwrap())
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
        assert!(f.problem.unwrap().contains("z: binary"));
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
        let cols = avro_columns(&schema);
        let got: Vec<(String, String, bool)> = cols
            .into_iter()
            .map(|c| (c.name, c.kind.unwrap(), c.nullable))
            .collect();
        let want = [
            ("id", "long", false),
            ("at", "timestamp-micros", true),
            ("price", "decimal(9, 2)", false),
            ("tags", "array<string>", false),
            ("who.email", "string", true),
        ];
        assert_eq!(got, want.map(|(a, b, c)| (a.to_owned(), b.to_owned(), c)));
    }

    #[test]
    fn truncated_and_corrupt_avro_say_so() {
        let dir = tempfile::tempdir().unwrap();
        // A header with the null codec and one block of two rows.
        let schema = br#"{"type":"record","name":"R","fields":[{"name":"n","type":"long"}]}"#;
        let mut f = b"Obj\x01".to_vec();
        f.push(2); // one entry, zig-zag
        f.push(22);
        f.extend_from_slice(b"avro.schema");
        let mut n = (schema.len() as u64) << 1;
        while n >= 0x80 {
            f.push((n as u8 & 0x7f) | 0x80);
            n >>= 7;
        }
        f.push(n as u8);
        f.extend_from_slice(schema);
        f.push(0);
        let sync = [7u8; 16];
        f.extend_from_slice(&sync);
        f.extend_from_slice(&[4, 4, 2, 4]); // 2 rows, 2 bytes: 1, 2
        f.extend_from_slice(&sync);
        let whole = write(dir.path(), "ok.avro", &f);
        let got = look(&whole);
        assert_eq!(got.rows, Some(2));
        assert_eq!(got.columns.unwrap()[0].name, "n");
        let cut = write(dir.path(), "cut.avro", &f[..f.len() - 5]);
        let got = look(&cut);
        assert_eq!(got.rows, None);
        assert!(
            got.problem
                .unwrap()
                .contains("cut.avro: the file ends inside block 1")
        );
        let mut bad = f.clone();
        let n = bad.len();
        bad[n - 1] ^= 1;
        let got = look(&write(dir.path(), "bad.avro", &bad));
        assert!(got.problem.unwrap().contains("sync marker"), "corrupt");
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
                .starts_with("t.parquet: not a readable Parquet file")
        );
    }
}
