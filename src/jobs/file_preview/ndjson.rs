//! NDJSON: one JSON object per line. Columns are the members in the order
//! they first appear; nested objects and arrays stay JSON in one cell; a
//! line that is a JSON value but not an object is a `value` column. Types
//! are the JSON kinds seen in the rows read (NDJSON declares none).

use std::collections::HashMap;
use std::fmt;
use std::io::BufRead;

use serde::de::{Deserializer, MapAccess, Visitor};
use serde_json::Value;

use super::input::{Content, TextInput};
use super::schema::{Column, Schema};
use super::{CountSource, Partial, RowCount};

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

/// Read one line (without its end). `Ok(None)` at the end;
/// `Ok(Some(complete))` otherwise (`complete`: it ended with `\n`).
fn next_line<R: BufRead>(r: &mut R, buf: &mut Vec<u8>) -> std::io::Result<Option<bool>> {
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

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

pub fn read(content: Content, max_rows: usize) -> Partial {
    let mut input = content.into_text();
    let mut p = Partial::default();
    let mut names: Vec<String> = Vec::new();
    let mut index: HashMap<String, usize> = HashMap::new();
    let mut kinds: Vec<Vec<&'static str>> = Vec::new();
    let mut buf = Vec::new();
    let mut line_no = 0u64;
    let mut at_end = false;
    loop {
        let complete = match next_line(&mut input.reader, &mut buf) {
            Ok(Some(c)) => c,
            Ok(None) => {
                at_end = !input.budget_hit();
                p.more |= input.budget_hit();
                break;
            }
            Err(e) => {
                p.error = Some(stopped(&input, e, p.rows.len()));
                break;
            }
        };
        line_no += 1;
        if buf.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        // A last line cut by the read budget is not shown.
        if !complete && input.budget_hit() {
            p.more = true;
            break;
        }
        if p.rows.len() == max_rows {
            p.more = true;
            break;
        }
        let members = match serde_json::from_slice::<Ordered>(&buf) {
            Ok(Ordered(m)) => m,
            Err(_) => match serde_json::from_slice::<Value>(&buf) {
                Ok(v) => vec![("value".to_owned(), v)],
                Err(e) => {
                    p.error = Some(format!(
                        "line {line_no} is not JSON ({}): not NDJSON; {}",
                        crate::api::sanitise(&e.to_string(), 120),
                        shown(p.rows.len())
                    ));
                    break;
                }
            },
        };
        let mut row = vec![Value::Null; names.len()];
        for (k, v) in members {
            let col = match index.get(&k) {
                Some(c) => *c,
                None => {
                    names.push(k.clone());
                    // Earlier rows lacked it.
                    kinds.push(if p.rows.is_empty() {
                        vec![]
                    } else {
                        vec!["null"]
                    });
                    index.insert(k, names.len() - 1);
                    names.len() - 1
                }
            };
            if col >= row.len() {
                row.resize(col + 1, Value::Null);
            }
            row[col] = v;
        }
        for (c, v) in row.iter().enumerate() {
            let k = kind(v);
            if !kinds[c].contains(&k) {
                kinds[c].push(k);
            }
        }
        p.rows.push(row);
    }
    p.schema = Schema {
        columns: names
            .into_iter()
            .zip(kinds)
            .map(|(name, mut k)| {
                // Kinds in a fixed order, null last.
                k.sort_by_key(|k| (*k == "null", *k));
                Column::new(name, k.join("|"), None)
            })
            .collect(),
    };
    if at_end && p.error.is_none() {
        p.total = Some(RowCount {
            count: p.rows.len() as u64,
            exact: true,
            source: CountSource::ReadToEnd,
        });
    }
    p
}

/// "showing the 6 rows before it"
pub fn shown(rows: usize) -> String {
    match rows {
        0 => "no row before it".to_owned(),
        1 => "showing the row before it".to_owned(),
        n => format!("showing the {n} rows before it"),
    }
}

/// The error that stopped reading text, with what is shown.
pub fn stopped(input: &TextInput, e: std::io::Error, rows: usize) -> String {
    format!("{}; {}", input.describe(e), shown(rows))
}
