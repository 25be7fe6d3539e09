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

use std::cell::Cell;
use std::collections::HashMap;
use std::fs::File;
use std::io::{self, Read};
use std::rc::Rc;

use apache_avro::Schema as Avro;
use apache_avro::schema::{Name, ResolvedSchema};
use apache_avro::types::Value as Av;
use serde_json::Value;

use super::cells::{self, Unit};
use super::ndjson::shown;
use super::schema::{Column, Schema};
use super::{CountSource, MAX_BLOCK, Partial, RowCount};

/// Most bytes of header metadata (the schema and codec) read.
const MAX_HEADER: u64 = 16 << 20;
/// Most blocks whose headers are read to count the rows.
pub const MAX_COUNTED_BLOCKS: u64 = 1_000_000;
/// Characters of a type name at most (a deep schema is cut with `…`).
const MAX_TYPE_TEXT: usize = 2_000;

/// A reader that knows how many bytes it has passed.
struct Counted<R> {
    inner: R,
    pos: u64,
}

impl<R: Read> Read for Counted<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.pos += n as u64;
        Ok(n)
    }
}

/// A zig-zag varint long; `Ok(None)` at a clean end before its first byte.
fn read_long<R: Read>(r: &mut R) -> io::Result<Option<i64>> {
    let mut value: u64 = 0;
    for i in 0..10 {
        let mut b = [0u8; 1];
        match r.read(&mut b) {
            Ok(0) if i == 0 => return Ok(None),
            Ok(0) => return Err(io::ErrorKind::UnexpectedEof.into()),
            Ok(_) => {}
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        }
        value |= u64::from(b[0] & 0x7f) << (7 * i);
        if b[0] & 0x80 == 0 {
            return Ok(Some(((value >> 1) as i64) ^ -((value & 1) as i64)));
        }
    }
    Err(io::Error::new(
        io::ErrorKind::InvalidData,
        "a number longer than 10 bytes",
    ))
}

/// A zig-zag varint long at the start of `buf`, and its length.
fn long_in(buf: &[u8]) -> Option<(i64, usize)> {
    let mut value: u64 = 0;
    for (i, b) in buf.iter().take(10).enumerate() {
        value |= u64::from(b & 0x7f) << (7 * i);
        if b & 0x80 == 0 {
            return Some((((value >> 1) as i64) ^ -((value & 1) as i64), i + 1));
        }
    }
    None
}

/// Exactly `len` bytes, allocating only as they arrive.
fn read_exact_vec<R: Read>(r: &mut R, len: u64) -> io::Result<Vec<u8>> {
    let mut out = Vec::with_capacity(usize::try_from(len.min(1 << 20)).unwrap_or(0));
    r.take(len).read_to_end(&mut out)?;
    if (out.len() as u64) < len {
        return Err(io::ErrorKind::UnexpectedEof.into());
    }
    Ok(out)
}

struct Header {
    schema: String,
    codec: String,
    sync: [u8; 16],
}

fn header<R: Read>(r: &mut R) -> Result<Header, String> {
    let cut = |e: io::Error| {
        if e.kind() == io::ErrorKind::UnexpectedEof {
            "an Avro file whose header is cut short (an interrupted download?)".to_owned()
        } else {
            format!("the Avro header cannot be read ({e})")
        }
    };
    let mut magic = [0u8; 4];
    r.read_exact(&mut magic).map_err(cut)?;
    let mut left = MAX_HEADER;
    let mut meta: HashMap<String, Vec<u8>> = HashMap::new();
    loop {
        let mut count = read_long(r)
            .map_err(cut)?
            .ok_or_else(|| cut(io::ErrorKind::UnexpectedEof.into()))?;
        if count == 0 {
            break;
        }
        if count < 0 {
            count = count.checked_neg().unwrap_or(i64::MAX);
            read_long(r).map_err(cut)?;
        }
        for _ in 0..count {
            let mut item = || -> Result<Vec<u8>, String> {
                let len = read_long(r)
                    .map_err(cut)?
                    .ok_or_else(|| cut(io::ErrorKind::UnexpectedEof.into()))?;
                let len = u64::try_from(len)
                    .ok()
                    .filter(|l| *l <= left)
                    .ok_or("the Avro header is damaged (a metadata entry of an impossible size)")?;
                left -= len;
                read_exact_vec(r, len).map_err(cut)
            };
            let key = item()?;
            let value = item()?;
            meta.insert(String::from_utf8_lossy(&key).into_owned(), value);
            if left == 0 {
                return Err("the Avro header is damaged (too much metadata)".into());
            }
        }
    }
    let mut sync = [0u8; 16];
    r.read_exact(&mut sync).map_err(cut)?;
    let schema = meta
        .remove("avro.schema")
        .ok_or("the Avro header has no schema (avro.schema)")?;
    let schema = String::from_utf8(schema).map_err(|_| "the Avro schema is not UTF-8 text")?;
    let codec = meta
        .remove("avro.codec")
        .map(|c| String::from_utf8_lossy(&c).into_owned())
        .unwrap_or_else(|| "null".into());
    Ok(Header {
        schema,
        codec,
        sync,
    })
}

// ---------------------------------------------------------------------------
// Schema: columns and the plan that fills them.

type Names<'s> = HashMap<Name, &'s Avro>;

/// How a value becomes cells.
enum Plan<'s> {
    /// One column.
    Leaf(&'s Avro),
    /// A record flattened: its fields' plans, in order.
    Record(Vec<Plan<'s>>),
    /// A union of null and a flattened record.
    Nullable(Box<Plan<'s>>),
}

impl Plan<'_> {
    fn width(&self) -> usize {
        match self {
            Plan::Leaf(_) => 1,
            Plan::Record(fields) => fields.iter().map(Plan::width).sum(),
            Plan::Nullable(inner) => inner.width(),
        }
    }
}

fn resolve<'s>(s: &'s Avro, names: &Names<'s>) -> &'s Avro {
    match s {
        Avro::Ref { name } => names.get(name).copied().unwrap_or(s),
        other => other,
    }
}

/// The one non-null branch of a union with null, if that is what it is.
fn nullable_branch<'s>(s: &'s Avro) -> Option<&'s Avro> {
    let Avro::Union(u) = s else { return None };
    let v = u.variants();
    if v.len() != 2 {
        return None;
    }
    match (&v[0], &v[1]) {
        (Avro::Null, other) | (other, Avro::Null) => Some(other),
        _ => None,
    }
}

fn plan<'s>(
    s: &'s Avro,
    name: &str,
    nullable: bool,
    names: &Names<'s>,
    columns: &mut Vec<Column>,
) -> Plan<'s> {
    let resolved = resolve(s, names);
    if let Avro::Record(r) = resolved {
        let fields = r
            .fields
            .iter()
            .map(|f| {
                let child = if name.is_empty() {
                    f.name.clone()
                } else {
                    format!("{name}.{}", f.name)
                };
                plan(&f.schema, &child, nullable, names, columns)
            })
            .collect();
        return Plan::Record(fields);
    }
    if let Some(branch) = nullable_branch(resolved)
        && matches!(resolve(branch, names), Avro::Record(_))
    {
        return Plan::Nullable(Box::new(plan(branch, name, true, names, columns)));
    }
    let null_member =
        matches!(resolved, Avro::Union(u) if u.variants().iter().any(|v| matches!(v, Avro::Null)));
    let mut budget = MAX_TYPE_TEXT;
    columns.push(Column::new(
        if name.is_empty() { "value" } else { name },
        type_name(s, names, &mut budget),
        Some(nullable || null_member || matches!(resolved, Avro::Null)),
    ));
    Plan::Leaf(s)
}

/// The type in upexport's words (see [`super::schema`]).
fn type_name(s: &Avro, names: &Names, budget: &mut usize) -> String {
    if *budget == 0 {
        return "…".into();
    }
    *budget -= 1;
    let t = match s {
        Avro::Null => "null".into(),
        Avro::Boolean => "boolean".into(),
        Avro::Int => "int32".into(),
        Avro::Long => "int64".into(),
        Avro::Float => "float".into(),
        Avro::Double => "double".into(),
        Avro::Bytes => "bytes".into(),
        Avro::String => "string".into(),
        Avro::Array(a) => format!("list<{}>", type_name(&a.items, names, budget)),
        Avro::Map(m) => format!("map<string, {}>", type_name(&m.types, names, budget)),
        Avro::Union(u) => {
            let rest: Vec<String> = u
                .variants()
                .iter()
                .filter(|v| !matches!(v, Avro::Null))
                .map(|v| type_name(v, names, budget))
                .collect();
            match rest.as_slice() {
                [] => "null".into(),
                [one] => one.clone(),
                _ => format!("union<{}>", rest.join(", ")),
            }
        }
        Avro::Record(r) => {
            let fields: Vec<String> = r
                .fields
                .iter()
                .map(|f| format!("{}: {}", f.name, type_name(&f.schema, names, budget)))
                .collect();
            format!("struct<{}>", fields.join(", "))
        }
        Avro::Enum(_) => "enum".into(),
        Avro::Fixed(f) => format!("fixed({})", f.size),
        Avro::Decimal(d) => format!("decimal({},{})", d.precision, d.scale),
        Avro::BigDecimal => "decimal".into(),
        Avro::Uuid(_) => "uuid".into(),
        Avro::Date => "date".into(),
        Avro::TimeMillis => "time(ms)".into(),
        Avro::TimeMicros => "time(us)".into(),
        Avro::TimestampMillis => cells::timestamp_type(Unit::Millis, true),
        Avro::TimestampMicros => cells::timestamp_type(Unit::Micros, true),
        Avro::TimestampNanos => cells::timestamp_type(Unit::Nanos, true),
        Avro::LocalTimestampMillis => cells::timestamp_type(Unit::Millis, false),
        Avro::LocalTimestampMicros => cells::timestamp_type(Unit::Micros, false),
        Avro::LocalTimestampNanos => cells::timestamp_type(Unit::Nanos, false),
        Avro::Duration(_) => "duration".into(),
        Avro::Ref { name } => match names.get(name) {
            Some(target) => type_name(target, names, budget),
            None => name.name().to_owned(),
        },
    };
    if t.len() > MAX_TYPE_TEXT {
        let mut cut: String = t.chars().take(MAX_TYPE_TEXT).collect();
        cut.push('…');
        return cut;
    }
    t
}

/// The name of a record that contains itself (its values could nest
/// without end), if any.
fn recursive<'s>(s: &'s Avro, names: &Names<'s>, stack: &mut Vec<&'s Name>) -> Option<String> {
    let named = match s {
        Avro::Record(r) => Some(&r.name),
        Avro::Ref { name } => {
            if stack.contains(&name) {
                return Some(name.name().to_owned());
            }
            return names
                .get(name)
                .and_then(|target| recursive(target, names, stack));
        }
        _ => None,
    };
    if let Some(n) = named {
        if stack.contains(&n) {
            return Some(n.name().to_owned());
        }
        stack.push(n);
    }
    let found = match s {
        Avro::Record(r) => r
            .fields
            .iter()
            .find_map(|f| recursive(&f.schema, names, stack)),
        Avro::Array(a) => recursive(&a.items, names, stack),
        Avro::Map(m) => recursive(&m.types, names, stack),
        Avro::Union(u) => u.variants().iter().find_map(|v| recursive(v, names, stack)),
        _ => None,
    };
    if named.is_some() {
        stack.pop();
    }
    found
}

// ---------------------------------------------------------------------------
// Values.

fn fill(plan: &Plan, v: &Av, names: &Names, out: &mut Vec<Value>) {
    match plan {
        Plan::Leaf(s) => out.push(json(v, s, names)),
        Plan::Record(fields) => match v {
            Av::Record(values) if values.len() == fields.len() => {
                for (p, (_, fv)) in fields.iter().zip(values) {
                    fill(p, fv, names, out);
                }
            }
            _ => out.extend(std::iter::repeat_n(Value::Null, plan.width())),
        },
        Plan::Nullable(inner) => match v {
            Av::Union(_, b) if !matches!(**b, Av::Null) => fill(inner, b, names, out),
            Av::Null | Av::Union(..) => out.extend(std::iter::repeat_n(Value::Null, plan.width())),
            other => fill(inner, other, names, out),
        },
    }
}

/// A value as JSON, following its schema (for decimals' scale and union
/// branches).
fn json(v: &Av, s: &Avro, names: &Names) -> Value {
    let s = resolve(s, names);
    match v {
        Av::Null => Value::Null,
        Av::Boolean(b) => Value::Bool(*b),
        Av::Int(i) => Value::from(*i),
        Av::Long(l) => Value::from(*l),
        Av::Float(f) => cells::float(*f),
        Av::Double(d) => cells::double(*d),
        Av::Bytes(b) | Av::Fixed(_, b) => cells::bytes(b),
        Av::String(t) | Av::Enum(_, t) => Value::String(t.clone()),
        Av::Union(i, inner) => {
            let branch = match s {
                Avro::Union(u) => usize::try_from(*i).ok().and_then(|i| u.variants().get(i)),
                _ => None,
            };
            json(inner, branch.unwrap_or(&Avro::Null), names)
        }
        Av::Array(items) => {
            let item = match s {
                Avro::Array(a) => &*a.items,
                _ => &Avro::Null,
            };
            Value::Array(items.iter().map(|x| json(x, item, names)).collect())
        }
        Av::Map(m) => {
            let item = match s {
                Avro::Map(m) => &*m.types,
                _ => &Avro::Null,
            };
            Value::Object(
                m.iter()
                    .map(|(k, x)| (k.clone(), json(x, item, names)))
                    .collect(),
            )
        }
        Av::Record(fields) => {
            let schemas: Vec<&Avro> = match s {
                Avro::Record(r) => r.fields.iter().map(|f| &f.schema).collect(),
                _ => vec![],
            };
            Value::Object(
                fields
                    .iter()
                    .enumerate()
                    .map(|(n, (k, x))| {
                        (
                            k.clone(),
                            json(x, schemas.get(n).copied().unwrap_or(&Avro::Null), names),
                        )
                    })
                    .collect(),
            )
        }
        Av::Date(d) => cells::date(*d),
        Av::Decimal(d) => {
            let scale = match s {
                Avro::Decimal(ds) => i32::try_from(ds.scale).unwrap_or(0),
                _ => 0,
            };
            match <Vec<u8>>::try_from(d) {
                Ok(be) => cells::decimal(&be, scale),
                Err(_) => Value::Null,
            }
        }
        Av::BigDecimal(b) => Value::String(b.to_string()),
        Av::TimeMillis(t) => cells::time_of_day(i64::from(*t), Unit::Millis),
        Av::TimeMicros(t) => cells::time_of_day(*t, Unit::Micros),
        Av::TimestampMillis(t) => cells::timestamp(*t, Unit::Millis, true),
        Av::TimestampMicros(t) => cells::timestamp(*t, Unit::Micros, true),
        Av::TimestampNanos(t) => cells::timestamp(*t, Unit::Nanos, true),
        Av::LocalTimestampMillis(t) => cells::timestamp(*t, Unit::Millis, false),
        Av::LocalTimestampMicros(t) => cells::timestamp(*t, Unit::Micros, false),
        Av::LocalTimestampNanos(t) => cells::timestamp(*t, Unit::Nanos, false),
        Av::Duration(d) => Value::String(format!(
            "{} months {} days {} ms",
            u32::from(d.months()),
            u32::from(d.days()),
            u32::from(d.millis())
        )),
        Av::Uuid(u) => Value::String(u.to_string()),
    }
}

// ---------------------------------------------------------------------------
// Blocks.

#[derive(Clone, Copy)]
enum Codec {
    Null,
    Deflate,
    Snappy,
}

fn decompress(codec: Codec, data: Vec<u8>) -> Result<Vec<u8>, String> {
    match codec {
        Codec::Null => Ok(data),
        Codec::Deflate => {
            let mut out = Vec::new();
            flate2::read::DeflateDecoder::new(&data[..])
                .take(MAX_BLOCK + 1)
                .read_to_end(&mut out)
                .map_err(|e| format!("its deflate data is damaged ({e})"))?;
            if out.len() as u64 > MAX_BLOCK {
                return Err(too_big(MAX_BLOCK + 1));
            }
            Ok(out)
        }
        Codec::Snappy => {
            // Raw snappy (starting with the unpacked length) and a CRC-32.
            let unpacked = data
                .get(..data.len().saturating_sub(4))
                .and_then(|raw| {
                    let mut v: u64 = 0;
                    for (i, b) in raw.iter().take(5).enumerate() {
                        v |= u64::from(b & 0x7f) << (7 * i);
                        if b & 0x80 == 0 {
                            return Some(v);
                        }
                    }
                    None
                })
                .ok_or("its snappy data is damaged (no length)")?;
            if unpacked > MAX_BLOCK {
                return Err(too_big(unpacked));
            }
            let mut data = data;
            apache_avro::Codec::Snappy
                .decompress(&mut data)
                .map_err(|e| format!("its snappy data is damaged ({e})"))?;
            Ok(data)
        }
    }
}

fn too_big(n: u64) -> String {
    format!(
        "it holds {} of data, more than the preview reads at once ({})",
        crate::human::bytes(n),
        crate::human::bytes(MAX_BLOCK)
    )
}

/// Count the objects of a plain file's blocks from their headers, one
/// small read per block (checking each sync marker), from `start` (the
/// first block). `None` with a note when the count stops early.
fn count_blocks(file: &File, start: u64, sync: &[u8; 16]) -> (u64, Option<String>) {
    use std::os::unix::fs::FileExt;
    let len = file.metadata().map(|m| m.len()).unwrap_or(0);
    let read_at = |pos: u64, n: usize| -> Vec<u8> {
        let mut buf = vec![0u8; n];
        let mut got = 0;
        while got < n {
            match file.read_at(&mut buf[got..], pos + got as u64) {
                Ok(0) | Err(_) => break,
                Ok(k) => got += k,
            }
        }
        buf.truncate(got);
        buf
    };
    let mut total: u64 = 0;
    let mut pos = start;
    let mut block: u64 = 0;
    let mut head = read_at(pos, 20);
    loop {
        if pos >= len {
            return (total, None);
        }
        if block == MAX_COUNTED_BLOCKS {
            return (
                total,
                Some(format!(
                    "row count: the first {} blocks counted; the file has more",
                    cells::thousands(block)
                )),
            );
        }
        block += 1;
        let damaged = |what: &str| {
            Some(format!(
                "row count: block {block} (at byte {pos}) {what}: the rows before it are counted"
            ))
        };
        let Some((count, a)) = long_in(&head) else {
            return (total, damaged("is cut short"));
        };
        let Some((size, b)) = head.get(a..).and_then(long_in) else {
            return (total, damaged("is cut short"));
        };
        let (Ok(count), Ok(size)) = (u64::try_from(count), u64::try_from(size)) else {
            return (total, damaged("is damaged (a negative count or size)"));
        };
        let Some(sync_at) = pos.checked_add((a + b) as u64 + size) else {
            return (total, damaged("is damaged (an impossible size)"));
        };
        let next = read_at(sync_at, 16 + 20);
        if next.len() < 16 {
            return (total, damaged("is cut short"));
        }
        if next[..16] != sync[..] {
            return (total, damaged("is damaged (its sync marker is wrong)"));
        }
        total = total.saturating_add(count);
        pos = sync_at + 16;
        head = next[16..].to_vec();
    }
}

/// The schema, the first `max_rows` rows and the count of an Avro object
/// container file. `file`: the same file, plain, for counting the blocks;
/// `budget_hit`: the read budget of a gzip-compressed file ran out.
pub fn read<R: Read>(
    input: R,
    max_rows: usize,
    file: Option<&File>,
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
    let Some(codec) = codec else {
        p.error = Some(format!(
            "the Avro codec `{}` is not one the preview reads (null, deflate, snappy): rows not shown",
            crate::api::sanitise(&h.codec, 40)
        ));
        p.more = p.total.is_some_and(|t| t.count > 0);
        return Ok(p);
    };
    if let Some(name) = recursive(&schema, &names, &mut Vec::new()) {
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
            match decoder.read_value(&mut rest) {
                Ok(v) => {
                    let mut row = Vec::with_capacity(top.width());
                    fill(&top, &v, &names, &mut row);
                    p.rows.push(row);
                }
                Err(e) => {
                    p.error = Some(format!(
                        "block {block} (at byte {at}), object {} cannot be decoded ({}): the block is damaged; {}",
                        n + 1,
                        crate::api::sanitise(&e.to_string(), 160),
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
        } else if p.error.is_none() {
            p.notes.push(
                "row count unknown: a gzip-compressed file is read only as far as the rows shown"
                    .into(),
            );
        }
    }
    if let Some(t) = p.total
        && t.count > p.rows.len() as u64
    {
        p.more = true;
    }
    Ok(p)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn longs_are_zig_zag_varints() {
        for (bytes, want) in [
            (&[0x00][..], 0i64),
            (&[0x01], -1),
            (&[0x02], 1),
            (&[0xAC, 0x02], 150),
            (
                &[0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01],
                i64::MIN,
            ),
        ] {
            assert_eq!(read_long(&mut &bytes[..]).unwrap(), Some(want));
            assert_eq!(long_in(bytes), Some((want, bytes.len())));
        }
        assert_eq!(read_long(&mut &[][..]).unwrap(), None);
        assert!(read_long(&mut &[0x80][..]).is_err());
        assert!(read_long(&mut &[0xFF; 11][..]).is_err());
        assert_eq!(long_in(&[0x80]), None);
    }
}
