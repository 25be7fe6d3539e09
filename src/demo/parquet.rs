//! A part as a Parquet file, written with the `parquet` crate's column
//! writers (no Arrow): the schema of [`SCHEMA`], snappy pages, a row group
//! per [`ROW_GROUP`] rows.
//!
//! Where the vendor is silent (it documents no Parquet schema): the
//! physical and logical types (`inserted_at` as `INT64
//! TIMESTAMP(MICROS,true)`, the screen size as `INT32`, text as
//! `BYTE_ARRAY (STRING)`, `metadata` as `BYTE_ARRAY (JSON)`), which
//! columns are `OPTIONAL`, the snappy codec (pyarrow's and Spark's
//! default) and the row group size are guesses.

use std::sync::Arc;

use parquet::basic::Compression;
use parquet::data_type::{ByteArray, ByteArrayType, Int32Type, Int64Type};
use parquet::file::properties::WriterProperties;
use parquet::file::writer::SerializedFileWriter;
use parquet::schema::parser::parse_message_type;

use super::rows::{Cell, Kind, Row, SCHEMA};

/// Rows per row group (a real exporter's are larger; a small one gives
/// big demo parts several, as real files have).
pub(crate) const ROW_GROUP: usize = 50_000;

/// The message type, in Parquet's schema language.
pub(crate) fn schema_text() -> String {
    let mut out = String::from("message event {\n");
    for c in SCHEMA {
        let rep = if c.nullable { "OPTIONAL" } else { "REQUIRED" };
        let ty = match c.kind {
            Kind::Text => "BYTE_ARRAY",
            Kind::Json => "BYTE_ARRAY",
            Kind::Int => "INT32",
            Kind::Timestamp => "INT64",
        };
        let logical = match c.kind {
            Kind::Text => " (STRING)",
            Kind::Json => " (JSON)",
            Kind::Int => "",
            Kind::Timestamp => " (TIMESTAMP(MICROS,true))",
        };
        out.push_str(&format!("  {rep} {ty} {}{logical};\n", c.name));
    }
    out.push('}');
    out
}

/// The whole file for `rows`. Writing to memory fails only on a bug in
/// the schema or values: the error says which.
pub(crate) fn file(rows: &[Row]) -> Result<Vec<u8>, String> {
    fn err(what: &'static str) -> impl Fn(parquet::errors::ParquetError) -> String {
        move |e| format!("parquet {what}: {e}")
    }
    let schema = Arc::new(parse_message_type(&schema_text()).map_err(err("schema"))?);
    let props = Arc::new(
        WriterProperties::builder()
            .set_compression(Compression::SNAPPY)
            .set_created_by("upexport demo server".into())
            .build(),
    );
    let mut writer = SerializedFileWriter::new(Vec::new(), schema, props).map_err(err("writer"))?;
    for group in rows.chunks(ROW_GROUP) {
        let mut rg = writer.next_row_group().map_err(err("row group"))?;
        let table: Vec<_> = group.iter().map(Row::values).collect();
        for (i, c) in SCHEMA.iter().enumerate() {
            let mut col = rg
                .next_column()
                .map_err(err("column"))?
                .ok_or_else(|| format!("parquet: no column {} in the schema", c.name))?;
            // Definition levels: 1 for a value, 0 for a null (OPTIONAL
            // columns only).
            let mut defs: Vec<i16> = Vec::with_capacity(group.len());
            let cells = table.iter().map(|r| r[i].clone());
            let defs_of = |defs: &[i16]| {
                if c.nullable {
                    Some(defs.to_vec())
                } else {
                    None
                }
            };
            let wrote = match c.kind {
                Kind::Text | Kind::Json => {
                    let mut values: Vec<ByteArray> = Vec::new();
                    for cell in cells {
                        let v: Option<ByteArray> = match cell {
                            Cell::Text(s) => Some(s.into()),
                            Cell::Json(s) => Some(s.into_bytes().into()),
                            _ => None,
                        };
                        defs.push(i16::from(v.is_some()));
                        values.extend(v);
                    }
                    let d = defs_of(&defs);
                    col.typed::<ByteArrayType>()
                        .write_batch(&values, d.as_deref(), None)
                }
                Kind::Int => {
                    let mut values: Vec<i32> = Vec::new();
                    for cell in cells {
                        let v = match cell {
                            Cell::Int(n) => i32::try_from(n).ok(),
                            _ => None,
                        };
                        defs.push(i16::from(v.is_some()));
                        values.extend(v);
                    }
                    let d = defs_of(&defs);
                    col.typed::<Int32Type>()
                        .write_batch(&values, d.as_deref(), None)
                }
                Kind::Timestamp => {
                    let mut values: Vec<i64> = Vec::new();
                    for cell in cells {
                        let v = match cell {
                            Cell::Timestamp(t) => Some(t),
                            _ => None,
                        };
                        defs.push(i16::from(v.is_some()));
                        values.extend(v);
                    }
                    let d = defs_of(&defs);
                    col.typed::<Int64Type>()
                        .write_batch(&values, d.as_deref(), None)
                }
            };
            wrote.map_err(err("values"))?;
            col.close().map_err(err("column"))?;
        }
        rg.close().map_err(err("row group"))?;
    }
    writer.into_inner().map_err(err("footer"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::demo::rows::generate;
    use crate::demo::spec::JobSpec;
    use crate::export::Format;
    use parquet::file::reader::{FileReader, SerializedFileReader};
    use parquet::record::Field;

    fn rows(n: usize) -> Vec<Row> {
        let d = |s: &str| chrono::DateTime::parse_from_rfc3339(s).unwrap().to_utc();
        let spec = JobSpec {
            from: d("2026-10-01T00:00:00Z"),
            until: d("2026-11-01T00:00:00Z"),
            format: Format::Parquet,
            event_types: vec![],
            user_ids: vec![],
            company_ids: vec![],
        };
        generate(&spec, 9, 0, 1, n)
    }

    /// The rows read back by the crate's record reader are the rows
    /// written, nulls included.
    #[test]
    fn rows_read_back_as_written() {
        let rows = rows(300);
        assert!(rows.iter().any(|r| r.browser.is_none()), "some nulls");
        let file = file(&rows).unwrap();
        assert_eq!(&file[..4], b"PAR1");
        let reader = SerializedFileReader::new(bytes::Bytes::from(file)).unwrap();
        assert_eq!(reader.metadata().file_metadata().num_rows(), 300);
        let mut n = 0;
        for (got, want) in reader.get_row_iter(None).unwrap().zip(&rows) {
            let got = got.unwrap();
            for ((name, v), (c, w)) in got.get_column_iter().zip(SCHEMA.iter().zip(want.values())) {
                assert_eq!(name, c.name);
                let same = match (v, &w) {
                    (Field::Null, Cell::Null) => true,
                    (Field::Str(a), Cell::Text(b)) => a == b,
                    (Field::Str(a), Cell::Json(b)) => a == b,
                    (Field::Int(a), Cell::Int(b)) => i64::from(*a) == *b,
                    (Field::TimestampMicros(a), Cell::Timestamp(b)) => a == b,
                    _ => false,
                };
                assert!(same, "{name}: {v:?} vs {w:?}");
            }
            n += 1;
        }
        assert_eq!(n, 300);
    }

    #[test]
    fn empty_parts_are_files_too() {
        let f = file(&[]).unwrap();
        let reader = SerializedFileReader::new(bytes::Bytes::from(f)).unwrap();
        assert_eq!(reader.metadata().file_metadata().num_rows(), 0);
        assert_eq!(
            reader
                .metadata()
                .file_metadata()
                .schema_descr()
                .num_columns(),
            20
        );
    }
}
