//! The first rows of a downloaded file as a table, for a quick look.
//!
//! The format comes from the content: gzip is unpacked on the fly (by its
//! magic bytes, whatever the name), then a first `{` means NDJSON and
//! other text means CSV. Avro, Parquet and other binary data are refused
//! with a message saying so. Only what the rows need is read: at most
//! [`MAX_BYTES`] of (decompressed) content, whatever the file's size.

use std::cell::Cell;
use std::collections::HashMap;
use std::fmt;
use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use std::rc::Rc;

use serde::de::{Deserializer, MapAccess, Visitor};
use serde_json::Value;

/// Most (decompressed) bytes read for one preview.
pub const MAX_BYTES: u64 = 32 << 20;
/// Longest cell kept, in characters (longer ones end with `…`).
pub const MAX_CELL: usize = 500;
/// Bytes looked at to tell the format.
const SNIFF: u64 = 8 * 1024;

/// A preview: column names, rows of exactly `columns.len()` cells, and
/// whether the file holds more than was read.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Table {
    pub columns: Vec<String>,
    pub rows: Vec<Vec<String>>,
    pub truncated: bool,
}

/// A reader that stops after a budget of bytes and remembers running out.
struct Budget<R> {
    inner: R,
    left: u64,
    used: Rc<Cell<u64>>,
    hit: Rc<Cell<bool>>,
}

impl<R: Read> Read for Budget<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.left == 0 {
            if !buf.is_empty() {
                self.hit.set(true);
            }
            return Ok(0);
        }
        let max = buf
            .len()
            .min(usize::try_from(self.left).unwrap_or(usize::MAX));
        let n = self.inner.read(&mut buf[..max])?;
        self.left -= n as u64;
        self.used.set(self.used.get() + n as u64);
        Ok(n)
    }
}

/// The first `max_rows` rows of an NDJSON or CSV file (plain or gzip).
pub fn preview(path: &Path, max_rows: usize) -> Result<Table, String> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string());
    let file = std::fs::File::open(path).map_err(|e| format!("{name}: cannot open: {e}"))?;
    preview_reader(file, max_rows).map_err(|e| format!("{name}: {e}"))
}

/// [`preview`] of any byte stream (also reports the bytes it consumed,
/// after decompression, for tests).
fn preview_reader<R: Read>(input: R, max_rows: usize) -> Result<Table, String> {
    preview_counted(input, max_rows).map(|(t, _)| t)
}

fn preview_counted<R: Read>(input: R, max_rows: usize) -> Result<(Table, u64), String> {
    let mut raw = BufReader::with_capacity(64 * 1024, input);
    let head = raw.fill_buf().map_err(|e| format!("cannot read: {e}"))?;
    let gzip = head.starts_with(&[0x1f, 0x8b]);
    let content: Box<dyn Read> = if gzip {
        Box::new(flate2::read::MultiGzDecoder::new(raw))
    } else {
        Box::new(raw)
    };
    let used = Rc::new(Cell::new(0));
    let hit = Rc::new(Cell::new(false));
    let mut reader = BufReader::with_capacity(
        64 * 1024,
        Budget {
            inner: content,
            left: MAX_BYTES,
            used: used.clone(),
            hit: hit.clone(),
        },
    );
    let read_err = |e: std::io::Error| {
        if gzip {
            format!("the gzip data is damaged or cut short ({e})")
        } else {
            format!("cannot read: {e}")
        }
    };
    let mut prefix = Vec::new();
    (&mut reader)
        .take(SNIFF)
        .read_to_end(&mut prefix)
        .map_err(read_err)?;
    if prefix.starts_with(b"\xEF\xBB\xBF") {
        prefix.drain(..3);
    }
    let kind = sniff(&prefix)?;
    let rest = std::io::Cursor::new(prefix).chain(reader);
    let table = match kind {
        Kind::Empty => Table::default(),
        Kind::Ndjson => ndjson(rest, max_rows, &hit).map_err(|e| match e {
            Failure::Io(e) => read_err(e),
            Failure::Text(t) => t,
        })?,
        Kind::Csv => csv_table(rest, max_rows, &hit).map_err(|e| match e {
            Failure::Io(e) => read_err(e),
            Failure::Text(t) => t,
        })?,
    };
    Ok((table, used.get()))
}

#[derive(Debug)]
enum Kind {
    Empty,
    Ndjson,
    Csv,
}

enum Failure {
    Io(std::io::Error),
    Text(String),
}

/// Tell the format from the first bytes of the content.
fn sniff(prefix: &[u8]) -> Result<Kind, String> {
    if prefix.starts_with(b"Obj\x01") {
        return Err(
            "an Avro file: no preview (only NDJSON and CSV can be shown; export as ndjson or csv to look inside)"
                .into(),
        );
    }
    if prefix.starts_with(b"PAR1") {
        return Err(
            "a Parquet file: no preview (only NDJSON and CSV can be shown; export as ndjson or csv to look inside)"
                .into(),
        );
    }
    let text_ok = match std::str::from_utf8(prefix) {
        Ok(_) => true,
        // A character cut by the end of the sniffed bytes is fine.
        Err(e) => e.error_len().is_none(),
    };
    if !text_ok || prefix.contains(&0) {
        return Err("not NDJSON or CSV: the content is binary data, not text".into());
    }
    match prefix.iter().find(|b| !b.is_ascii_whitespace()) {
        None => Ok(Kind::Empty),
        Some(b'{') => Ok(Kind::Ndjson),
        Some(b'[') => Err("JSON, but not NDJSON (one object per line): no preview".into()),
        Some(_) => Ok(Kind::Csv),
    }
}

/// One line, no control or bidi-override characters, at most
/// [`MAX_CELL`] characters.
fn cell(s: &str) -> String {
    let mut out = String::with_capacity(s.len().min(MAX_CELL));
    for (n, c) in s
        .chars()
        .filter(|c| {
            !matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}')
        })
        .enumerate()
    {
        if n == MAX_CELL {
            out.push('…');
            break;
        }
        out.push(if c.is_control() { ' ' } else { c });
    }
    out
}

fn value_cell(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::String(s) => cell(s),
        other => cell(&other.to_string()),
    }
}

/// A JSON object's members in the order they appear in the text.
struct Ordered(Vec<(String, Value)>);

impl<'de> serde::Deserialize<'de> for Ordered {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Ordered;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Ordered, A::Error> {
                let mut out = Vec::new();
                while let Some(entry) = map.next_entry::<String, Value>()? {
                    out.push(entry);
                }
                Ok(Ordered(out))
            }
        }
        d.deserialize_map(V)
    }
}

/// Pad every row to the number of columns.
fn square(mut t: Table) -> Table {
    let width = t.columns.len();
    for r in &mut t.rows {
        r.resize(width, String::new());
    }
    t
}

/// Read one line (without its end) of at most the remaining budget.
/// `Ok(None)` at the end; `Ok(Some((line, complete)))` otherwise.
fn next_line<R: BufRead>(r: &mut R, buf: &mut Vec<u8>) -> Result<Option<bool>, std::io::Error> {
    buf.clear();
    let n = r.read_until(b'\n', buf)?;
    if n == 0 {
        return Ok(None);
    }
    let complete = buf.last() == Some(&b'\n');
    while matches!(buf.last(), Some(b'\n' | b'\r')) {
        buf.pop();
    }
    Ok(Some(complete))
}

fn ndjson<R: BufRead>(mut r: R, max_rows: usize, hit: &Cell<bool>) -> Result<Table, Failure> {
    let mut t = Table::default();
    let mut index: HashMap<String, usize> = HashMap::new();
    let mut buf = Vec::new();
    let mut line_no = 0usize;
    while let Some(complete) = next_line(&mut r, &mut buf).map_err(Failure::Io)? {
        line_no += 1;
        if buf.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        // A last line cut by the read budget is not shown.
        if !complete && hit.get() {
            t.truncated = true;
            break;
        }
        if t.rows.len() == max_rows {
            t.truncated = true;
            break;
        }
        let members = match serde_json::from_slice::<Ordered>(&buf) {
            Ok(Ordered(m)) => m,
            Err(_) => match serde_json::from_slice::<Value>(&buf) {
                Ok(v) => vec![("value".to_owned(), v)],
                Err(e) => {
                    return Err(Failure::Text(format!(
                        "line {line_no} is not JSON ({}): not NDJSON",
                        crate::api::sanitise(&e.to_string(), 120)
                    )));
                }
            },
        };
        let mut row = vec![String::new(); t.columns.len()];
        for (k, v) in members {
            let col = *index.entry(k.clone()).or_insert_with(|| {
                t.columns.push(cell(&k));
                t.columns.len() - 1
            });
            if col >= row.len() {
                row.resize(col + 1, String::new());
            }
            row[col] = value_cell(&v);
        }
        t.rows.push(row);
    }
    Ok(square(t))
}

fn csv_table<R: Read>(r: R, max_rows: usize, hit: &Cell<bool>) -> Result<Table, Failure> {
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(r);
    let csv_err = |e: csv::Error| {
        let msg = e.to_string();
        match e.into_kind() {
            csv::ErrorKind::Io(io) => Failure::Io(io),
            _ => Failure::Text(format!("not CSV: {msg}")),
        }
    };
    let text = |rec: &csv::ByteRecord| -> Vec<String> {
        rec.iter()
            .map(|f| cell(&String::from_utf8_lossy(f)))
            .collect()
    };
    let mut t = Table::default();
    let mut rec = csv::ByteRecord::new();
    if !rdr.read_byte_record(&mut rec).map_err(csv_err)? {
        return Ok(t);
    }
    t.columns = text(&rec);
    loop {
        if !rdr.read_byte_record(&mut rec).map_err(csv_err)? {
            break;
        }
        if t.rows.len() == max_rows {
            t.truncated = true;
            break;
        }
        t.rows.push(text(&rec));
    }
    if hit.get() && !t.truncated {
        // The budget ran out: the last record may be cut.
        t.rows.pop();
        t.truncated = true;
    }
    let width = t.rows.iter().map(Vec::len).max().unwrap_or(0);
    for n in t.columns.len()..width {
        t.columns.push(format!("column {}", n + 1));
    }
    Ok(square(t))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An endless NDJSON stream (row numbers count up).
    struct Endless {
        n: u64,
        pending: Vec<u8>,
    }

    impl Read for Endless {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            if self.pending.is_empty() {
                self.n += 1;
                self.pending = format!(
                    "{{\"n\":{},\"event_type\":\"track\",\"pad\":\"{}\"}}\n",
                    self.n,
                    "x".repeat(200)
                )
                .into_bytes();
            }
            let k = buf.len().min(self.pending.len());
            buf[..k].copy_from_slice(&self.pending[..k]);
            self.pending.drain(..k);
            Ok(k)
        }
    }

    #[test]
    fn an_endless_stream_is_read_only_as_far_as_needed() {
        let (t, used) = preview_counted(
            Endless {
                n: 0,
                pending: Vec::new(),
            },
            20,
        )
        .unwrap();
        assert_eq!(t.rows.len(), 20);
        assert!(t.truncated);
        assert_eq!(t.columns, ["n", "event_type", "pad"]);
        assert_eq!(t.rows[19][0], "20");
        assert!(used <= 256 * 1024, "read {used} bytes for 20 rows");
    }

    #[test]
    fn one_endless_line_stops_at_the_budget() {
        let big = std::io::repeat(b'a');
        let t = preview_reader(big, 5).unwrap();
        assert_eq!(t.columns.len(), 1, "one huge csv header cell");
        assert!(t.columns[0].ends_with('…'));
        assert!(t.truncated || t.rows.is_empty());
        let json_line = std::io::Cursor::new(b"{\"a\":\"".to_vec()).chain(std::io::repeat(b'b'));
        let t = preview_reader(json_line, 5).unwrap();
        assert!(t.rows.is_empty() && t.truncated, "{t:?}");
    }

    #[test]
    fn cells_are_one_line() {
        assert_eq!(cell("a\nb\tc\u{1b}[31m\u{202E}d"), "a b c [31md");
        let long = cell(&"é".repeat(MAX_CELL + 5));
        assert_eq!(long.chars().count(), MAX_CELL + 1);
        assert!(long.ends_with('…'));
    }

    #[test]
    fn formats_are_told_by_content() {
        assert!(matches!(sniff(b"  {\"a\":1}"), Ok(Kind::Ndjson)));
        assert!(matches!(sniff(b"a,b\n1,2"), Ok(Kind::Csv)));
        assert!(matches!(sniff(b" \n "), Ok(Kind::Empty)));
        assert!(sniff(b"Obj\x01rest").unwrap_err().contains("Avro"));
        assert!(sniff(b"PAR1....").unwrap_err().contains("Parquet"));
        assert!(sniff(b"[1,2]").unwrap_err().contains("not NDJSON"));
        assert!(sniff(b"ab\0cd").unwrap_err().contains("binary"));
        assert!(sniff(b"\xff\xfeab").unwrap_err().contains("binary"));
        // A multi-byte character cut by the sniff window is still text.
        assert!(matches!(
            sniff("a,é".as_bytes().split_last().unwrap().1),
            Ok(Kind::Csv)
        ));
    }
}
