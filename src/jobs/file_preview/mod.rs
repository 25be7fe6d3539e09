//! A downloaded file's schema, row count and first rows, for a quick look
//! (the TUI's file preview, `upexport preview FILE`).
//!
//! The format comes from the content, never the name: `PAR1` is Parquet,
//! `Obj\x01` an Avro object container file, `1f 8b` gzip (unpacked on the
//! fly, then told again), and other text NDJSON (a first `{`) or CSV.
//!
//! Only what the visible rows need is read, whatever the file's size:
//! Parquet's footer and the first pages of the first row group(s); Avro's
//! header and first blocks (and, in a plain file, each block's header to
//! count the rows); text up to the rows asked for. Every read is bounded:
//! at most [`MAX_BYTES`] of (decompressed) text or gzip content, lines of
//! at most [`MAX_LINE`], Avro blocks and Parquet pages of at most
//! [`MAX_BLOCK`]. A damaged file says what is wrong and shows the rows read
//! before it ([`Preview::error`]); a reader that panics on bad input is
//! caught and reported ([`contain`]), never taking the TUI down.
//!
//! None of this runs at start: only when a file is previewed.

mod avro;
mod cells;
mod contain;
mod csv;
mod detect;
mod input;
mod json;
mod ndjson;
mod parquet;
mod schema;

use std::fs::File;
use std::io::{BufReader, Read};
use std::path::Path;

use serde::Serialize;
use serde_json::Value;

pub use cells::{MAX_CELL, cell, display};
pub use json::JSON_VERSION;
pub use schema::{Column, Schema};

/// Most (decompressed) bytes of text read for one preview; also the
/// largest gzip-compressed Parquet file unpacked in memory and the most of
/// a gzip-compressed Avro file read.
pub const MAX_BYTES: u64 = 32 << 20;
/// Longest line of CSV or NDJSON read (a longer one stops the preview
/// there, with the rows before it).
pub const MAX_LINE: u64 = 4 << 20;
/// Largest Avro block, Parquet footer or page read at once (compressed or
/// not).
pub const MAX_BLOCK: u64 = 64 << 20;
/// Most rows one preview returns.
pub const MAX_ROWS: usize = 10_000;

/// The format, as told from the content.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    Csv,
    Ndjson,
    Avro,
    Parquet,
    /// No content at all (or only whitespace).
    Empty,
}

impl Format {
    pub fn label(self) -> &'static str {
        match self {
            Format::Csv => "CSV",
            Format::Ndjson => "NDJSON",
            Format::Avro => "Avro",
            Format::Parquet => "Parquet",
            Format::Empty => "empty",
        }
    }
}

/// Where a total row count comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum CountSource {
    /// The Parquet footer's row count.
    #[serde(rename = "parquet footer")]
    ParquetFooter,
    /// The object counts of the Avro blocks' headers (no row decoded).
    #[serde(rename = "avro block headers")]
    AvroBlocks,
    /// The whole file was read for the rows shown.
    #[serde(rename = "read to the end")]
    ReadToEnd,
}

/// The total number of rows of a file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct RowCount {
    pub count: u64,
    /// False: at least `count` (counting stopped early; see the notes).
    pub exact: bool,
    pub source: CountSource,
}

impl RowCount {
    /// "1,234 rows", "at least 1,234 rows".
    pub fn text(&self) -> String {
        let n = cells::thousands(self.count);
        let rows = if self.count == 1 { "row" } else { "rows" };
        if self.exact {
            format!("{n} {rows}")
        } else {
            format!("at least {n} {rows}")
        }
    }
}

/// What a preview found: the format, the schema, the first rows (cells in
/// schema order), the total when known, notes, and the error that stopped
/// the reading early (the rows are then those read before it).
#[derive(Clone, Debug, PartialEq)]
pub struct Preview {
    /// The file's name (for messages and titles).
    pub file: String,
    pub format: Format,
    /// The file is gzip-compressed (it was unpacked to be read).
    pub gzip: bool,
    pub schema: Schema,
    /// Rows of exactly `schema.columns.len()` cells (JSON values: null,
    /// numbers, strings, and arrays or objects for nested values).
    pub rows: Vec<Vec<Value>>,
    /// The file holds rows after those shown (or may: `total_rows` says).
    pub more: bool,
    pub total_rows: Option<RowCount>,
    /// Worth knowing, not wrong: ragged CSV rows, a count left unknown.
    pub notes: Vec<String>,
    /// Why the reading stopped before the rows asked for, naming the file.
    pub error: Option<String>,
}

impl Preview {
    /// "Parquet", "NDJSON (gzip)".
    pub fn format_text(&self) -> String {
        if self.gzip {
            format!("{} (gzip)", self.format.label())
        } else {
            self.format.label().to_owned()
        }
    }

    /// "7 rows (parquet footer)", "row count unknown".
    pub fn count_text(&self) -> String {
        match &self.total_rows {
            Some(c) => {
                let from = match c.source {
                    CountSource::ParquetFooter => "from the footer",
                    CountSource::AvroBlocks => "from the block headers",
                    CountSource::ReadToEnd => "read to the end",
                };
                format!("{} ({from})", c.text())
            }
            None => "row count unknown".to_owned(),
        }
    }

    /// The preview as the versioned JSON document of `upexport preview
    /// --json` (shape: [`json`]).
    pub fn to_json(&self) -> Value {
        json::document(self)
    }
}

/// What a reader returns: all but the file's name, format and gzip flag.
#[derive(Debug, Default)]
struct Partial {
    schema: Schema,
    rows: Vec<Vec<Value>>,
    more: bool,
    total: Option<RowCount>,
    notes: Vec<String>,
    error: Option<String>,
}

impl Partial {
    /// Pad every row to the number of columns.
    fn square(mut self) -> Self {
        let width = self.schema.columns.len();
        for r in &mut self.rows {
            r.resize(width, Value::Null);
        }
        self
    }
}

/// The file's schema, count and first `max_rows` rows (at most
/// [`MAX_ROWS`]). `Err` when nothing can be shown (the file cannot be
/// opened, is not a format the preview reads, has no Parquet footer…); a
/// file damaged further in gives `Ok` with [`Preview::error`] set. Every
/// message starts with the file's name.
pub fn preview(path: &Path, max_rows: usize) -> Result<Preview, String> {
    open_and_read(path, Rows::Shown(max_rows.min(MAX_ROWS))).map_err(|r| r.why)
}

/// Lines of NDJSON read for its columns when no rows are shown (its
/// columns are the members of its rows).
pub const SCHEMA_LINES: usize = 100;

/// What a file is without its rows: its format, schema and count, read
/// by the preview's readers (so `manifest.json` and the preview never
/// disagree). Parquet: the footer; Avro: the header and the block headers;
/// CSV: the header; NDJSON: the first [`SCHEMA_LINES`] lines.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Described {
    /// `None`: not a format the preview reads (or no content).
    pub format: Option<Format>,
    pub gzip: bool,
    pub schema: Schema,
    pub total_rows: Option<RowCount>,
    /// Worth knowing, not wrong (a count that stopped early says why).
    pub notes: Vec<String>,
    /// Why the reading stopped (or could not start), naming the file.
    pub error: Option<String>,
}

impl Described {
    fn of(p: Preview) -> Described {
        Described {
            format: Some(p.format),
            gzip: p.gzip,
            schema: p.schema,
            total_rows: p.total_rows,
            notes: p.notes,
            error: p.error,
        }
    }

    fn refused(r: Refused) -> Described {
        Described {
            format: r.format,
            gzip: r.gzip,
            error: Some(r.why),
            ..Described::default()
        }
    }
}

/// The schema and count of the file at `path` (see [`Described`]).
pub fn describe(path: &Path) -> Described {
    match open_and_read(path, Rows::ForSchema) {
        Ok(p) => Described::of(p),
        Err(r) => Described::refused(r),
    }
}

/// The schema and count of a file known by its ends only: `head`, its
/// first bytes (gzip already removed), `tail`, its last bytes, and `size`,
/// the length of the whole (of the content, as `head` and `tail` are).
/// Parquet: the footer, when `tail` holds it whole; Avro: the header, and
/// the count only when `head` is the whole file; CSV and NDJSON: the first
/// rows of `head` (a last line cut by its end left out), their count not
/// known here (the caller counts lines as the bytes pass). Messages do not
/// name the file (the caller knows what it is called).
pub fn describe_ends(head: &[u8], tail: &[u8], size: u64) -> Described {
    let whole = head.len() as u64 >= size;
    let read = contain::contained(|| -> Result<(Format, bool, Partial), Refused> {
        match detect::magic(head) {
            detect::Magic::Parquet => {
                let tail = if whole { head } else { tail };
                parquet::read_tail(tail, size)
                    .map(|p| (Format::Parquet, false, p))
                    .map_err(|why| Refused::known(Format::Parquet, false, why))
            }
            detect::Magic::Avro => {
                let counter = whole.then_some(&head as &dyn avro::At);
                avro::read(head, 0, counter, None)
                    .map(|p| (Format::Avro, false, p))
                    .map_err(|why| Refused::known(Format::Avro, false, why))
            }
            detect::Magic::Gzip => Err(Refused {
                format: None,
                gzip: true,
                why: "gzip-compressed: its first bytes are read with the gzip removed".into(),
            }),
            detect::Magic::Other => {
                // A last line cut by the end of the head is not read.
                let text = match head.iter().rposition(|b| *b == b'\n') {
                    Some(i) if !whole => &head[..=i],
                    Some(_) => head,
                    None if whole => head,
                    None => {
                        let format = match detect::text(head).map_err(Refused::unknown)? {
                            detect::Text::Ndjson => Some(Format::Ndjson),
                            detect::Text::Csv => Some(Format::Csv),
                            detect::Text::Empty => None,
                        };
                        return Err(Refused {
                            format,
                            gzip: false,
                            why: format!(
                                "its first line is longer than the first {} kept of it: its columns are not known",
                                crate::human::bytes(head.len() as u64)
                            ),
                        });
                    }
                };
                read_content(
                    Box::new(std::io::Cursor::new(text.to_vec())),
                    Rows::ForSchema,
                    false,
                )
            }
        }
    });
    let read = read.unwrap_or_else(|panic| {
        Err(Refused::unknown(format!(
            "the file is damaged: its reader stopped on it ({panic})"
        )))
    });
    match read {
        Ok((format, gzip, p)) => Described {
            format: Some(format),
            gzip,
            schema: p.schema,
            // Only a count from the footer holds for bytes not read.
            total_rows: p
                .total
                .filter(|t| whole || t.source == CountSource::ParquetFooter),
            notes: p.notes,
            error: p.error,
        },
        Err(r) => Described::refused(r),
    }
}

/// How many rows to read.
#[derive(Clone, Copy, Debug)]
enum Rows {
    /// The rows shown.
    Shown(usize),
    /// None, only what the schema needs (NDJSON's first lines).
    ForSchema,
}

impl Rows {
    fn of(self, format: Format) -> usize {
        match (self, format) {
            (Rows::Shown(n), _) => n,
            (Rows::ForSchema, Format::Ndjson) => SCHEMA_LINES,
            (Rows::ForSchema, _) => 0,
        }
    }
}

/// Why nothing could be read, and the format when that much was told.
#[derive(Debug)]
struct Refused {
    format: Option<Format>,
    gzip: bool,
    why: String,
}

impl Refused {
    fn known(format: Format, gzip: bool, why: String) -> Refused {
        Refused {
            format: Some(format),
            gzip,
            why,
        }
    }

    fn unknown(why: String) -> Refused {
        Refused {
            format: None,
            gzip: false,
            why,
        }
    }
}

fn open_and_read(path: &Path, rows: Rows) -> Result<Preview, Refused> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string());
    let file =
        File::open(path).map_err(|e| Refused::unknown(format!("{name}: cannot open: {e}")))?;
    if file.metadata().is_ok_and(|m| m.is_dir()) {
        return Err(Refused::unknown(format!("{name}: a directory, not a file")));
    }
    let (format, gzip, p) = contain::contained(|| read_file(file, rows))
        .unwrap_or_else(|panic| {
            Err(Refused::unknown(format!(
                "the file is damaged: its reader stopped on it ({panic})"
            )))
        })
        .map_err(|r| Refused {
            why: format!("{name}: {}", r.why),
            ..r
        })?;
    let p = p.square();
    Ok(Preview {
        error: p.error.map(|e| format!("{name}: {e}")),
        file: name,
        format,
        gzip,
        schema: p.schema,
        rows: p.rows,
        more: p.more,
        total_rows: p.total,
        notes: p.notes,
    })
}

fn read_file(file: File, rows: Rows) -> Result<(Format, bool, Partial), Refused> {
    let head = input::head(&file).map_err(|e| Refused::unknown(format!("cannot read: {e}")))?;
    match detect::magic(&head) {
        detect::Magic::Parquet => parquet::read_file(file, rows.of(Format::Parquet))
            .map(|p| (Format::Parquet, false, p))
            .map_err(|why| Refused::known(Format::Parquet, false, why)),
        detect::Magic::Avro => {
            let counter = file.try_clone().ok();
            let r = BufReader::with_capacity(64 * 1024, file);
            avro::read(
                r,
                rows.of(Format::Avro),
                counter.as_ref().map(|f| f as &dyn avro::At),
                None,
            )
            .map(|p| (Format::Avro, false, p))
            .map_err(|why| Refused::known(Format::Avro, false, why))
        }
        detect::Magic::Gzip => read_content(input::gunzip(file), rows, true),
        detect::Magic::Other => read_content(Box::new(file), rows, false),
    }
}

/// Everything after the gzip layer (or a plain file that is not Avro or
/// Parquet): told again from its first bytes.
fn read_content(
    content: Box<dyn Read>,
    rows: Rows,
    gzip: bool,
) -> Result<(Format, bool, Partial), Refused> {
    let mut content = input::Content::new(content, gzip);
    let prefix = content.prefix().map_err(|why| Refused {
        format: None,
        gzip,
        why,
    })?;
    let known = |format: Format| move |why: String| Refused::known(format, gzip, why);
    match detect::magic(prefix) {
        detect::Magic::Parquet if gzip => parquet::read_gzip(content, rows.of(Format::Parquet))
            .map(|p| (Format::Parquet, true, p))
            .map_err(known(Format::Parquet)),
        detect::Magic::Avro if gzip => {
            let hit = content.hit();
            avro::read(
                content.into_reader(),
                rows.of(Format::Avro),
                None,
                Some(hit),
            )
            .map(|p| (Format::Avro, true, p))
            .map_err(known(Format::Avro))
        }
        detect::Magic::Gzip if gzip => Err(Refused {
            format: None,
            gzip,
            why: "gzip inside gzip: unpack it once (gunzip) and preview the result".into(),
        }),
        _ => match detect::text(prefix).map_err(|why| Refused {
            format: None,
            gzip,
            why,
        })? {
            detect::Text::Empty => Ok((Format::Empty, gzip, Partial::default())),
            detect::Text::Ndjson => Ok((
                Format::Ndjson,
                gzip,
                ndjson::read(content, rows.of(Format::Ndjson)),
            )),
            detect::Text::Csv => Ok((Format::Csv, gzip, csv::read(content, rows.of(Format::Csv)))),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::Cell;
    use std::rc::Rc;

    /// Counts the bytes taken from the source.
    struct Counting<R> {
        inner: R,
        used: Rc<Cell<u64>>,
    }

    impl<R: Read> Read for Counting<R> {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            let n = self.inner.read(buf)?;
            self.used.set(self.used.get() + n as u64);
            Ok(n)
        }
    }

    /// [`read_content`] of a plain stream, and the bytes it took.
    fn stream(input: impl Read + 'static, max_rows: usize) -> (Result<Partial, String>, u64) {
        let used = Rc::new(Cell::new(0));
        let r = read_content(
            Box::new(Counting {
                inner: input,
                used: used.clone(),
            }),
            Rows::Shown(max_rows),
            false,
        );
        (r.map(|(_, _, p)| p.square()).map_err(|r| r.why), used.get())
    }

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
        let (p, used) = stream(
            Endless {
                n: 0,
                pending: Vec::new(),
            },
            20,
        );
        let p = p.unwrap();
        assert_eq!(p.rows.len(), 20);
        assert!(p.more);
        assert_eq!(p.total, None, "not counted");
        assert_eq!(p.schema.names(), ["n", "event_type", "pad"]);
        assert_eq!(p.rows[19][0], 20);
        assert!(used <= 256 * 1024, "read {used} bytes for 20 rows");
    }

    #[test]
    fn one_endless_line_stops_at_the_line_cap() {
        let (p, used) = stream(std::io::repeat(b'a'), 5);
        let p = p.unwrap();
        let e = p.error.unwrap();
        assert!(e.starts_with("line 1 is longer than 4.0 MiB"), "{e}");
        assert!(p.rows.is_empty());
        assert!(used <= MAX_LINE + 256 * 1024, "read {used} bytes");

        let json_line =
            std::io::Cursor::new(b"{\"a\":1}\n{\"a\":\"".to_vec()).chain(std::io::repeat(b'b'));
        let (p, used) = stream(json_line, 5);
        let p = p.unwrap();
        assert_eq!(p.rows, [vec![Value::from(1)]], "the row before it");
        let e = p.error.unwrap();
        assert!(e.starts_with("line 2 is longer than 4.0 MiB"), "{e}");
        assert!(e.ends_with("showing the row before it"), "{e}");
        assert!(used <= MAX_LINE + 256 * 1024, "read {used} bytes");
    }

    #[test]
    fn lines_under_the_cap_stop_at_the_budget() {
        // Lines of 1 MiB without end: the 32 MiB budget stops the reading
        // (the cut last line is not shown), not the line cap.
        let line = format!("{{\"a\":\"{}\"}}\n", "x".repeat(1 << 20)).into_bytes();
        let lines = std::iter::repeat(line).flatten();
        struct FromIter<I>(I);
        impl<I: Iterator<Item = u8>> Read for FromIter<I> {
            fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
                let mut n = 0;
                for (slot, b) in buf.iter_mut().zip(&mut self.0) {
                    *slot = b;
                    n += 1;
                }
                Ok(n)
            }
        }
        let (p, used) = stream(FromIter(lines), 1000);
        let p = p.unwrap();
        assert_eq!(p.error, None);
        assert!(p.more);
        assert_eq!(p.rows.len(), 31, "32 MiB holds 31 whole lines of 1 MiB");
        assert!(used <= MAX_BYTES + 256 * 1024, "read {used} bytes");
    }
}
