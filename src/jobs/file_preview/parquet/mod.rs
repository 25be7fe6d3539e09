//! Parquet: the footer (schema and row count), then the first rows of the
//! first row group(s) through the `parquet` crate's record API (no Arrow),
//! which reads a column's pages only as far as the rows need.
//!
//! Every read from the file goes through [`Capped`]: a footer or page
//! bigger than [`MAX_BLOCK`] is refused instead of read, and a page
//! header is read through a bounded reader. Columns the record API cannot
//! decode (it would panic on them) are left out of the rows and named in a
//! note. A gzip-compressed Parquet file (rare: the footer is at the end) is
//! unpacked in memory up to [`super::MAX_BYTES`].
//!
//! Top-level groups (structs) are flattened into dotted columns; lists,
//! maps and structs inside them are JSON cells.

mod chunks;
mod schema;
mod values;

use std::fs::File;
use std::sync::Arc;

use bytes::Bytes;
use parquet::errors::ParquetError;
use parquet::file::reader::{FileReader, SerializedFileReader};
use parquet::record::reader::TreeBuilder;
use parquet::schema::types::{SchemaDescriptor, Type, TypePtr};

use super::input::Content;
use super::ndjson::shown;
use super::schema::Schema;
use super::{CountSource, Partial, RowCount};
use chunks::{Capped, Tail, check_ends, footer_error};
use schema::{Plan, plan, undecodable};
use values::{fill, nulls};

/// A plain Parquet file.
pub fn read_file(file: File, max_rows: usize) -> Result<Partial, String> {
    let len = file
        .metadata()
        .map_err(|e| format!("cannot read: {e}"))?
        .len();
    check_ends(len, |buf, at| {
        use std::os::unix::fs::FileExt;
        file.read_exact_at(buf, at).is_ok()
    })?;
    let reader = SerializedFileReader::new(Capped { file, len }).map_err(footer_error)?;
    Ok(rows(&reader, max_rows))
}

/// A gzip-compressed Parquet file, unpacked in memory.
pub fn read_gzip(content: Content, max_rows: usize) -> Result<Partial, String> {
    let all = Bytes::from(content.read_all("a gzip-compressed Parquet file")?);
    check_ends(all.len() as u64, |buf, at| {
        let at = at as usize;
        match all.get(at..at + buf.len()) {
            Some(src) => {
                buf.copy_from_slice(src);
                true
            }
            None => false,
        }
    })?;
    let reader = SerializedFileReader::new(all).map_err(footer_error)?;
    Ok(rows(&reader, max_rows))
}

/// The schema and count of a Parquet file of `size` bytes known by its
/// last bytes only (`tail`), from its footer when `tail` holds it whole.
/// No row is read.
pub fn read_tail(tail: &[u8], size: u64) -> Result<Partial, String> {
    let size = size.max(tail.len() as u64);
    let kept = tail.len() as u64;
    let at = |pos: u64| usize::try_from(pos - (size - kept)).ok();
    check_ends(size, |buf, pos| {
        match (pos >= size - kept).then(|| at(pos)).flatten() {
            Some(i) => match tail.get(i..i + buf.len()) {
                Some(src) => {
                    buf.copy_from_slice(src);
                    true
                }
                None => false,
            },
            None => false,
        }
    })?;
    // The footer's length: the 4 bytes before the closing PAR1.
    let footer = tail
        .len()
        .checked_sub(8)
        .and_then(|i| tail.get(i..i + 4))
        .and_then(|b| <[u8; 4]>::try_from(b).ok())
        .map(|b| u64::from(u32::from_le_bytes(b)) + 8);
    if footer.is_none_or(|f| f > kept) {
        let footer = footer.map_or_else(String::new, |f| {
            format!(" ({} with its length and PAR1)", crate::human::bytes(f))
        });
        return Err(format!(
            "its Parquet footer{footer} is not all in the last {} kept of it: its schema and row count are not known",
            crate::human::bytes(kept)
        ));
    }
    let reader = SerializedFileReader::new(Tail {
        bytes: Bytes::copy_from_slice(tail),
        size,
    })
    .map_err(footer_error)?;
    Ok(rows(&reader, 0))
}

/// The schema and count from the footer, then the first rows.
fn rows(reader: &dyn FileReader, max_rows: usize) -> Partial {
    let meta = reader.metadata();
    let descr: &SchemaDescriptor = meta.file_metadata().schema_descr();
    let root = descr.root_schema();
    let mut columns = Vec::new();
    let plans: Vec<Plan> = root
        .get_fields()
        .iter()
        .map(|f| plan(f, f.name(), false, &mut columns))
        .collect();
    let mut p = Partial {
        schema: Schema { columns },
        ..Partial::default()
    };
    let total = meta.file_metadata().num_rows();
    match u64::try_from(total) {
        Ok(count) => {
            p.total = Some(RowCount {
                count,
                exact: true,
                source: CountSource::ParquetFooter,
            });
        }
        Err(_) => p
            .notes
            .push(format!("the footer's row count is {total}: ignored")),
    }

    // Top-level fields the record API cannot decode are left out.
    let mut skip = vec![false; root.get_fields().len()];
    for (i, c) in descr.columns().iter().enumerate() {
        if undecodable(c) {
            let top = descr.get_column_root_idx(i);
            if let Some(s) = skip.get_mut(top) {
                *s = true;
            }
            p.notes.push(format!(
                "column {} ({} {}) is not shown: the reader cannot decode it",
                c.path().string(),
                c.physical_type(),
                c.converted_type()
            ));
        }
    }
    let projected: Arc<SchemaDescriptor> = if skip.iter().any(|s| *s) {
        let kept: Vec<TypePtr> = root
            .get_fields()
            .iter()
            .zip(&skip)
            .filter(|(_, s)| !**s)
            .map(|(f, _)| f.clone())
            .collect();
        match Type::group_type_builder(root.name())
            .with_fields(kept)
            .build()
        {
            Ok(t) => Arc::new(SchemaDescriptor::new(Arc::new(t))),
            Err(e) => {
                p.error = Some(format!("the schema cannot be read ({e}): rows not shown"));
                return p;
            }
        }
    } else {
        meta.file_metadata().schema_descr_ptr()
    };

    // The record API panics on some damaged pages: the schema and the
    // count stay, with the rows read before it.
    let mut group = 0;
    let read = super::contain::contained(|| {
        read_rows(
            reader, &projected, &plans, &skip, max_rows, &mut group, &mut p,
        )
    });
    if let Err(panic) = read {
        p.error = Some(format!(
            "row group {} cannot be read (the Parquet reader stopped on damaged data: {panic}): the file is damaged; {}",
            group + 1,
            shown(p.rows.len())
        ));
    }
    if let Some(t) = p.total
        && t.count > p.rows.len() as u64
    {
        p.more = true;
    }
    p
}

/// The first rows, row group after row group, into `p`; `group` says which
/// one is being read.
fn read_rows(
    reader: &dyn FileReader,
    projected: &Arc<SchemaDescriptor>,
    plans: &[Plan],
    skip: &[bool],
    max_rows: usize,
    group: &mut usize,
    p: &mut Partial,
) {
    let meta = reader.metadata();
    let builder = TreeBuilder::new().with_batch_size(max_rows.clamp(1, 1024));
    for g in 0..reader.num_row_groups() {
        *group = g;
        if p.rows.len() >= max_rows {
            return;
        }
        if meta.row_group(g).num_rows() <= 0 {
            continue;
        }
        let stop = |e: ParquetError, rows: usize| {
            format!(
                "row group {} cannot be read ({}): the file is damaged; {}",
                g + 1,
                crate::api::sanitise(&e.to_string(), 200),
                shown(rows)
            )
        };
        let rg = match reader.get_row_group(g) {
            Ok(rg) => rg,
            Err(e) => {
                p.error = Some(stop(e, p.rows.len()));
                return;
            }
        };
        let iter = match builder.as_iter(projected.clone(), rg.as_ref()) {
            Ok(it) => it,
            Err(e) => {
                p.error = Some(stop(e, p.rows.len()));
                return;
            }
        };
        for row in iter {
            match row {
                Ok(row) => {
                    let mut cells = Vec::with_capacity(p.schema.columns.len());
                    let mut fields = row.get_column_iter();
                    for (pl, s) in plans.iter().zip(skip) {
                        if *s {
                            nulls(&mut cells, pl.width());
                        } else {
                            match fields.next() {
                                Some((_, f)) => fill(pl, f, &mut cells),
                                None => nulls(&mut cells, pl.width()),
                            }
                        }
                    }
                    p.rows.push(cells);
                }
                Err(e) => {
                    p.error = Some(stop(e, p.rows.len()));
                    return;
                }
            }
            if p.rows.len() >= max_rows {
                return;
            }
        }
    }
}
