//! The JSON document of `upexport preview --json` (scripts read it; its
//! shape changes only with [`JSON_VERSION`]):
//!
//! ```json
//! {
//!   "version": 1,
//!   "file": "part-0001.parquet",
//!   "format": "parquet",            // csv | ndjson | avro | parquet | empty
//!   "gzip": false,
//!   "columns": [{"name": "id", "type": "int64", "nullable": false}, …],
//!   "rows": [[1, "Ana", …], …],     // cells in column order
//!   "rows_shown": 20,
//!   "more_rows": true,              // the file holds rows after those shown
//!   "total_rows": {"count": 7, "exact": true, "source": "parquet footer"},
//!   "notes": [],
//!   "error": null                    // why reading stopped early, or null
//! }
//! ```
//!
//! `nullable` is left out for CSV and NDJSON (they declare nothing);
//! `total_rows` is null when unknown; its `source` is "parquet footer",
//! "avro block headers" or "read to the end". Cells are JSON: null,
//! numbers, strings (timestamps, dates, decimals, base64 bytes as text; see
//! `cells`), arrays and objects for nested values.

use serde_json::{Value, json};

use super::Preview;

/// The version of the document's shape.
pub const JSON_VERSION: u32 = 1;

pub fn document(p: &Preview) -> Value {
    json!({
        "version": JSON_VERSION,
        "file": p.file,
        "format": p.format,
        "gzip": p.gzip,
        "columns": p.schema.columns,
        "rows": p.rows,
        "rows_shown": p.rows.len(),
        "more_rows": p.more,
        "total_rows": p.total_rows,
        "notes": p.notes,
        "error": p.error,
    })
}
