//! A file's columns as the preview reads them. Also what `manifest.json`
//! records of a job's files (one type for both, so they never disagree).
//!
//! Types are named the same way for every format (upexport's words, listed
//! in README.md, "Previewing a file"): `boolean`, `int8`…`int64`,
//! `uint8`…`uint64`, `float`, `double`, `string`, `bytes`, `date`,
//! `time(ms|us|ns)`, `timestamp(ms|us|ns[, UTC])`, `decimal(p,s)`, `uuid`,
//! `enum`, `fixed(n)`, `list<T>`, `map<K, V>`, `struct<a: T, …>` (inside a
//! list or map; a top-level record is flattened into dotted names),
//! `union<T, U>`. CSV columns are `string`; NDJSON types are the JSON kinds
//! seen in the rows read (`string|null`).

use serde::{Deserialize, Serialize};

/// The columns, in file order.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Schema {
    pub columns: Vec<Column>,
}

/// One column: its (dotted) name, its type in upexport's words, and whether
/// the format declares it nullable (`None`: CSV and NDJSON declare nothing).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Column {
    pub name: String,
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nullable: Option<bool>,
}

impl Column {
    pub fn new(name: impl Into<String>, kind: impl Into<String>, nullable: Option<bool>) -> Self {
        Column {
            name: name.into(),
            kind: kind.into(),
            nullable,
        }
    }
}

impl Schema {
    /// The column names, in order.
    pub fn names(&self) -> Vec<&str> {
        self.columns.iter().map(|c| c.name.as_str()).collect()
    }
}
