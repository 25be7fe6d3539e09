//! CSV with a header row. Every column is `string` (CSV has no types);
//! rows with fewer fields than the header are padded, rows with more get
//! columns `column N`, and a note says which rows (counted as the table
//! shows them, the header not counted) were ragged.

use serde_json::Value;

use super::cells::cell;
use super::input::Content;
use super::ndjson::{shown, stopped};
use super::schema::{Column, Schema};
use super::{CountSource, Partial, RowCount};

/// Rows named in a ragged-rows note, at most.
const NAMED: usize = 5;

pub fn read(content: Content, max_rows: usize) -> Partial {
    let mut input = content.into_text();
    let mut p = Partial::default();
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(&mut input.reader);
    let mut rec = csv::ByteRecord::new();
    let mut header: Vec<String> = Vec::new();
    let mut ragged: Vec<(u64, usize)> = Vec::new();
    let mut ragged_count = 0usize;
    let mut at_end = false;
    let mut failure = None;
    let mut first = true;
    loop {
        match rdr.read_byte_record(&mut rec) {
            Ok(true) => {}
            Ok(false) => {
                at_end = true;
                break;
            }
            Err(e) => {
                failure = Some(e);
                break;
            }
        }
        let fields: Vec<String> = rec
            .iter()
            .map(|f| String::from_utf8_lossy(f).into_owned())
            .collect();
        if first {
            first = false;
            header = fields;
            continue;
        }
        if p.rows.len() == max_rows {
            p.more = true;
            break;
        }
        if fields.len() != header.len() {
            ragged_count += 1;
            if ragged.len() < NAMED {
                ragged.push((p.rows.len() as u64 + 1, fields.len()));
            }
        }
        p.rows.push(fields.into_iter().map(Value::String).collect());
    }
    drop(rdr);
    if let Some(e) = failure {
        let msg = e.to_string();
        p.error = Some(match e.into_kind() {
            csv::ErrorKind::Io(io) => stopped(&input, io, p.rows.len()),
            _ => format!(
                "not CSV: {}; {}",
                crate::api::sanitise(&msg, 120),
                shown(p.rows.len())
            ),
        });
    }
    if input.budget_hit() && !p.more && p.error.is_none() {
        // The budget ran out: the last record may be cut.
        p.rows.pop();
        p.more = true;
        at_end = false;
    }
    let width = p.rows.iter().map(Vec::len).max().unwrap_or(0);
    let mut columns: Vec<Column> = header
        .iter()
        .map(|h| Column::new(cell(h), "string", None))
        .collect();
    for n in columns.len()..width {
        columns.push(Column::new(format!("column {}", n + 1), "string", None));
    }
    p.schema = Schema { columns };
    if ragged_count > 0 {
        let lines: Vec<String> = ragged
            .iter()
            .map(|(row, n)| format!("row {row} has {n}"))
            .collect();
        let more = if ragged_count > ragged.len() {
            format!(" (and {} more)", ragged_count - ragged.len())
        } else {
            String::new()
        };
        p.notes.push(format!(
            "ragged rows: the header has {} fields, {}{more}; short rows are padded with empty cells, extra fields shown as `column N`",
            header.len(),
            lines.join(", ")
        ));
    }
    if at_end && p.error.is_none() {
        p.total = Some(RowCount {
            count: p.rows.len() as u64,
            exact: true,
            source: CountSource::ReadToEnd,
        });
    }
    p
}
