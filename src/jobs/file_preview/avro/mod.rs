//! Avro object container files: the header (schema, codec, sync marker),
//! then blocks of objects, read one block at a time until the rows asked
//! for are there.
//!
//! The framing (header, block counts and sizes, sync markers) is read
//! here, so every size from the file is checked before anything is
//! allocated for it ([`MAX_BLOCK`]); the `apache-avro` crate parses the
//! schema and decodes the objects of a block. In a plain file the total is
//! the sum of the blocks' object counts, read from each block's header with
//! one small read per block (no object decoded), up to
//! [`MAX_COUNTED_BLOCKS`]. A gzip-compressed file is read only as far as
//! the rows shown, so its total is known only when that is the end.
//!
//! Top-level records (and records in a union with null) are flattened into
//! dotted columns; arrays, maps and records inside them are JSON cells.

mod container;
mod schema;
mod values;

use std::cell::Cell;
use std::io::{self, Read};
use std::rc::Rc;

use apache_avro::Schema as Avro;
use apache_avro::schema::ResolvedSchema;

use super::ndjson::shown;
use super::schema::Schema;
use super::{CountSource, MAX_BLOCK, Partial, RowCount};
pub use container::At;
use container::{
    Codec, Counted, count_blocks, decompress, header, read_exact_vec, read_long, too_big,
};
use schema::{Names, plan, recursive};
use values::fill;

/// The schema, the first `max_rows` rows and the count of an Avro object
/// container file. `file`: the same file, plain (or whole in memory), for
/// counting the blocks; `budget_hit`: the read budget of a gzip-compressed
/// file ran out. With `max_rows` 0 no object is decoded: the schema and
/// count are all there is (a codec the preview does not read is no error).
pub fn read<R: Read>(
    input: R,
    max_rows: usize,
    file: Option<&dyn At>,
    budget_hit: Option<Rc<Cell<bool>>>,
) -> Result<Partial, String> {
    let mut r = Counted {
        inner: input,
        pos: 0,
    };
    let h = header(&mut r)?;
    let start = r.pos;
    let schema = Avro::parse_str(&h.schema).map_err(|e| {
        format!(
            "the schema in the Avro header cannot be read ({})",
            crate::api::sanitise(&e.to_string(), 160)
        )
    })?;
    let resolved = ResolvedSchema::try_from(&schema).map_err(|e| {
        format!(
            "the schema in the Avro header cannot be read ({})",
            crate::api::sanitise(&e.to_string(), 160)
        )
    })?;
    let names: Names = resolved
        .get_names()
        .iter()
        .map(|(k, v)| (k.clone(), *v))
        .collect();
    let mut columns = Vec::new();
    let top = plan(&schema, "", false, &names, &mut columns);
    let mut p = Partial {
        schema: Schema { columns },
        ..Partial::default()
    };

    let codec = match h.codec.as_str() {
        "null" | "" => Some(Codec::Null),
        "deflate" => Some(Codec::Deflate),
        "snappy" => Some(Codec::Snappy),
        _ => None,
    };
    if let Some(file) = file {
        let (count, note) = count_blocks(file, start, &h.sync);
        p.total = Some(RowCount {
            count,
            exact: note.is_none(),
            source: CountSource::AvroBlocks,
        });
        p.notes.extend(note);
    }
    let codec = match codec {
        Some(c) => c,
        // Nothing is unpacked when no row is read.
        None if max_rows == 0 => Codec::Null,
        None => {
            p.error = Some(format!(
                "the Avro codec `{}` is not one the preview reads (null, deflate, snappy): rows not shown",
                crate::api::sanitise(&h.codec, 40)
            ));
            p.more = p.total.is_some_and(|t| t.count > 0);
            return Ok(p);
        }
    };
    if max_rows > 0
        && let Some(name) = recursive(&schema, &names, &mut Vec::new())
    {
        p.error = Some(format!(
            "the record `{}` contains itself (a recursive schema): rows not shown",
            crate::api::sanitise(&name, 80)
        ));
        p.more = p.total.is_some_and(|t| t.count > 0);
        return Ok(p);
    }
    let decoder = apache_avro::reader::datum::GenericDatumReader::builder(&schema)
        .resolved_writer_schemata(resolved)
        .build()
        .map_err(|e| format!("the Avro schema cannot be used ({e})"))?;

    let ran_out = || budget_hit.as_ref().is_some_and(|h| h.get());
    let mut block: u64 = 0;
    let mut at_end = false;
    'blocks: loop {
        let at = r.pos;
        let this = block + 1;
        let cut = |e: io::Error, rows: usize| {
            if ran_out() {
                None
            } else if e.kind() == io::ErrorKind::UnexpectedEof {
                Some(format!(
                    "block {this} (at byte {at}) is cut short: the file ends inside it (an interrupted download?); {}",
                    shown(rows)
                ))
            } else {
                Some(format!(
                    "block {this} (at byte {at}) cannot be read ({e}); {}",
                    shown(rows)
                ))
            }
        };
        let count = match read_long(&mut r) {
            Ok(None) => {
                at_end = !ran_out();
                p.more |= ran_out();
                break;
            }
            Ok(Some(c)) => c,
            Err(e) => {
                p.error = cut(e, p.rows.len());
                p.more |= ran_out();
                break;
            }
        };
        if p.rows.len() == max_rows && count > 0 {
            p.more = true;
            break;
        }
        let size = match read_long(&mut r) {
            Ok(Some(s)) => s,
            Ok(None) => {
                p.error = cut(io::ErrorKind::UnexpectedEof.into(), p.rows.len());
                break;
            }
            Err(e) => {
                p.error = cut(e, p.rows.len());
                break;
            }
        };
        block += 1;
        let (Ok(count), Ok(size)) = (u64::try_from(count), u64::try_from(size)) else {
            p.error = Some(format!(
                "block {block} (at byte {at}) is damaged (a negative object count or size); {}",
                shown(p.rows.len())
            ));
            break;
        };
        if size > MAX_BLOCK {
            p.error = Some(format!(
                "block {block} (at byte {at}): {}; {}",
                too_big(size),
                shown(p.rows.len())
            ));
            break;
        }
        let data = match read_exact_vec(&mut r, size) {
            Ok(d) => d,
            Err(e) => {
                p.error = cut(e, p.rows.len());
                p.more |= ran_out();
                break;
            }
        };
        let mut marker = [0u8; 16];
        if let Err(e) = r.read_exact(&mut marker) {
            p.error = cut(e, p.rows.len());
            p.more |= ran_out();
            break;
        }
        if marker != h.sync {
            p.error = Some(format!(
                "block {block} (at byte {at}) is damaged: its sync marker does not match the header's; {}",
                shown(p.rows.len())
            ));
            break;
        }
        let data = match decompress(codec, data) {
            Ok(d) => d,
            Err(e) => {
                p.error = Some(format!(
                    "block {block} (at byte {at}): {e}; {}",
                    shown(p.rows.len())
                ));
                break;
            }
        };
        let mut rest: &[u8] = &data;
        for n in 0..count {
            if p.rows.len() == max_rows {
                p.more = true;
                break 'blocks;
            }
            // The decoder works on bytes from outside: a panic in it is a
            // damaged block like any other error.
            let decoded = match super::contain::contained(|| decoder.read_value(&mut rest)) {
                Ok(Ok(v)) => Ok(v),
                Ok(Err(e)) => Err(crate::api::sanitise(&e.to_string(), 160)),
                Err(panic) => Err(format!("the decoder stopped on it: {panic}")),
            };
            match decoded {
                Ok(v) => {
                    let mut row = Vec::with_capacity(top.width());
                    fill(&top, &v, &names, &mut row);
                    p.rows.push(row);
                }
                Err(why) => {
                    p.error = Some(format!(
                        "block {block} (at byte {at}), object {} cannot be decoded ({why}): the block is damaged; {}",
                        n + 1,
                        shown(p.rows.len())
                    ));
                    break 'blocks;
                }
            }
        }
    }
    if p.total.is_none() {
        if at_end && p.error.is_none() {
            p.total = Some(RowCount {
                count: p.rows.len() as u64,
                exact: true,
                source: CountSource::ReadToEnd,
            });
        } else if p.error.is_none() && budget_hit.is_some() {
            p.notes.push(
                "row count unknown: a gzip-compressed file is read only as far as the rows shown"
                    .into(),
            );
        }
    }
    if p.error.is_some() {
        // The error says it: no second word on the same damage.
        p.notes.retain(|n| !n.starts_with("row count: block"));
    }
    if let Some(t) = p.total
        && t.count > p.rows.len() as u64
    {
        p.more = true;
    }
    Ok(p)
}
