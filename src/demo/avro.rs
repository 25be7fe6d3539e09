//! A minimal Avro object container file writer (spec 1.11): one record
//! schema of strings and longs (`metadata` as its JSON text), the `null`
//! codec, all rows in one block.

use serde_json::json;

use super::rng::Rng;
use super::rows::{COLUMNS, Row};

/// Columns written as Avro `long`; every other column is a `string`.
const LONG_COLUMNS: [&str; 2] = ["screen_width", "screen_height"];

/// The writer schema (JSON).
pub(crate) fn schema() -> String {
    let fields: Vec<_> = COLUMNS
        .iter()
        .map(|c| {
            let ty = if LONG_COLUMNS.contains(c) {
                "long"
            } else {
                "string"
            };
            json!({"name": c, "type": ty})
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

/// The whole container file for `rows`; `seed` picks the sync marker.
pub(crate) fn container(rows: &[Row], seed: u64) -> Vec<u8> {
    let mut out = b"Obj\x01".to_vec();
    // File metadata: a map with one block of two entries, then the end block.
    long(&mut out, 2);
    string(&mut out, "avro.schema");
    bytes(&mut out, schema().as_bytes());
    string(&mut out, "avro.codec");
    bytes(&mut out, b"null");
    long(&mut out, 0);
    let mut rng = Rng::new(seed);
    let mut sync = [0u8; 16];
    sync[..8].copy_from_slice(&rng.next_u64().to_le_bytes());
    sync[8..].copy_from_slice(&rng.next_u64().to_le_bytes());
    out.extend_from_slice(&sync);

    if !rows.is_empty() {
        let mut block = Vec::new();
        for r in rows {
            for (name, cell) in COLUMNS.iter().zip(r.cells()) {
                if LONG_COLUMNS.contains(name) {
                    long(&mut block, cell.parse().unwrap_or(0));
                } else {
                    string(&mut block, &cell);
                }
            }
        }
        long(&mut out, rows.len() as i64);
        long(&mut out, block.len() as i64);
        out.extend_from_slice(&block);
        out.extend_from_slice(&sync);
    }
    out
}

/// Zig-zag variable-length long.
fn long(out: &mut Vec<u8>, v: i64) {
    let mut n = ((v << 1) ^ (v >> 63)) as u64;
    loop {
        if n < 0x80 {
            out.push(n as u8);
            return;
        }
        out.push((n as u8 & 0x7f) | 0x80);
        n >>= 7;
    }
}

fn bytes(out: &mut Vec<u8>, b: &[u8]) {
    long(out, b.len() as i64);
    out.extend_from_slice(b);
}

fn string(out: &mut Vec<u8>, s: &str) {
    bytes(out, s.as_bytes());
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_long(b: &[u8], at: &mut usize) -> i64 {
        let (mut n, mut shift) = (0u64, 0);
        loop {
            let byte = b[*at];
            *at += 1;
            n |= u64::from(byte & 0x7f) << shift;
            if byte & 0x80 == 0 {
                return (n >> 1) as i64 ^ -((n & 1) as i64);
            }
            shift += 7;
        }
    }

    #[test]
    fn zigzag() {
        for (v, enc) in [
            (0i64, &[0u8][..]),
            (-1, &[1]),
            (1, &[2]),
            (-64, &[0x7f]),
            (64, &[0x80, 1]),
        ] {
            let mut out = Vec::new();
            long(&mut out, v);
            assert_eq!(out, enc, "{v}");
            assert_eq!(read_long(&out, &mut 0), v);
        }
    }

    #[test]
    fn header_and_block_layout() {
        let f = container(&[], 1);
        assert_eq!(&f[..4], b"Obj\x01");
        let mut at = 4;
        assert_eq!(read_long(&f, &mut at), 2);
        let klen = read_long(&f, &mut at) as usize;
        assert_eq!(&f[at..at + klen], b"avro.schema");
        at += klen;
        let slen = read_long(&f, &mut at) as usize;
        let schema: serde_json::Value = serde_json::from_slice(&f[at..at + slen]).unwrap();
        assert_eq!(schema["fields"].as_array().unwrap().len(), COLUMNS.len());
        at += slen;
        let klen = read_long(&f, &mut at) as usize;
        at += klen;
        let vlen = read_long(&f, &mut at) as usize;
        assert_eq!(&f[at..at + vlen], b"null");
        at += vlen;
        assert_eq!(read_long(&f, &mut at), 0);
        assert_eq!(f.len(), at + 16, "sync marker and no block");
    }
}
