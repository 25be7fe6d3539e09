//! A part as an Avro object container file, written by the `apache-avro`
//! crate: one record schema from [`SCHEMA`], the snappy codec, blocks of
//! about 16 kB.
//!
//! Where the vendor is silent (it documents no Avro schema, codec or block
//! size): the record's name and namespace, nullable columns as
//! `["null", T]` unions, `inserted_at` as `timestamp-micros`, `metadata`
//! as JSON text and the snappy codec (the usual choice of Avro writers
//! that compress) are guesses.

use apache_avro::types::Value as Avro;
use apache_avro::{Codec, Schema, Writer};
use serde_json::json;

use super::rng::Rng;
use super::rows::{Cell, Kind, Row, SCHEMA};

/// The writer schema (JSON).
pub(crate) fn schema_json() -> String {
    let fields: Vec<_> = SCHEMA
        .iter()
        .map(|c| {
            let ty = match c.kind {
                Kind::Text | Kind::Json => json!("string"),
                Kind::Int => json!("long"),
                Kind::Timestamp => json!({"type": "long", "logicalType": "timestamp-micros"}),
            };
            let ty = if c.nullable { json!(["null", ty]) } else { ty };
            json!({"name": c.name, "type": ty})
        })
        .collect();
    json!({
        "type": "record",
        "name": "Event",
        "namespace": "io.userpilot.export",
        "fields": fields,
    })
    .to_string()
}

/// The whole container file for `rows`; `seed` picks the sync marker (the
/// same rows and seed give the same bytes). Writing to memory fails only
/// on a bug in the schema or values: the error says which.
pub(crate) fn container(rows: &[Row], seed: u64) -> Result<Vec<u8>, String> {
    let schema = Schema::parse_str(&schema_json()).map_err(|e| format!("avro schema: {e}"))?;
    let mut rng = Rng::new(seed);
    let mut marker = [0u8; 16];
    marker[..8].copy_from_slice(&rng.next_u64().to_le_bytes());
    marker[8..].copy_from_slice(&rng.next_u64().to_le_bytes());
    let mut writer = Writer::builder()
        .schema(&schema)
        .writer(Vec::new())
        .codec(Codec::Snappy)
        .marker(marker)
        .build()
        .map_err(|e| format!("avro writer: {e}"))?;
    for r in rows {
        let fields = SCHEMA
            .iter()
            .zip(r.values())
            .map(|(c, v)| {
                let value = match v {
                    Cell::Null => Avro::Null,
                    Cell::Text(s) => Avro::String(s.to_owned()),
                    Cell::Int(n) => Avro::Long(n),
                    Cell::Timestamp(t) => Avro::TimestampMicros(t),
                    Cell::Json(j) => Avro::String(j),
                };
                let value = match (c.nullable, value) {
                    (false, v) => v,
                    (true, Avro::Null) => Avro::Union(0, Box::new(Avro::Null)),
                    (true, v) => Avro::Union(1, Box::new(v)),
                };
                (c.name.to_owned(), value)
            })
            .collect();
        writer
            .append_value(Avro::Record(fields))
            .map_err(|e| format!("avro row: {e}"))?;
    }
    writer.into_inner().map_err(|e| format!("avro file: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::demo::rows::generate;
    use crate::demo::spec::JobSpec;
    use crate::export::Format;

    fn rows(n: usize) -> Vec<Row> {
        let d = |s: &str| chrono::DateTime::parse_from_rfc3339(s).unwrap().to_utc();
        let spec = JobSpec {
            from: d("2026-10-01T00:00:00Z"),
            until: d("2026-11-01T00:00:00Z"),
            format: Format::Avro,
            event_types: vec![],
            user_ids: vec![],
            company_ids: vec![],
        };
        generate(&spec, 7, 0, 1, n)
    }

    /// The rows read back by the crate's reader are the rows written,
    /// nulls included, over several blocks.
    #[test]
    fn rows_read_back_as_written() {
        let rows = rows(300);
        let file = container(&rows, 3).unwrap();
        assert_eq!(&file[..4], b"Obj\x01");
        assert_eq!(file, container(&rows, 3).unwrap(), "deterministic");
        let reader = apache_avro::Reader::new(&file[..]).unwrap();
        let mut n = 0;
        for (got, want) in reader.zip(&rows) {
            let Avro::Record(fields) = got.unwrap() else {
                panic!("a record");
            };
            for ((name, v), (c, w)) in fields.iter().zip(SCHEMA.iter().zip(want.values())) {
                assert_eq!(name, c.name);
                let v = match v {
                    Avro::Union(_, inner) => (**inner).clone(),
                    v => v.clone(),
                };
                let same = match (&v, &w) {
                    (Avro::Null, Cell::Null) => true,
                    (Avro::String(a), Cell::Text(b)) => a == b,
                    (Avro::String(a), Cell::Json(b)) => a == b,
                    (Avro::Long(a), Cell::Int(b)) => a == b,
                    (Avro::TimestampMicros(a), Cell::Timestamp(b)) => a == b,
                    _ => false,
                };
                assert!(same, "{name}: {v:?} vs {w:?}");
            }
            n += 1;
        }
        assert_eq!(n, rows.len());
        assert!(
            rows.iter().any(|r| r.browser.is_none()),
            "some rows have nulls"
        );
        // More than one block (the writer's blocks are about 16 kB).
        let blocks = file
            .windows(16)
            .filter(|w| *w == &file[file.len() - 16..])
            .count();
        assert!(blocks > 2, "{blocks} sync markers");
    }
}
