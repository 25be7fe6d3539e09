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

use std::fs::File;
use std::io::{BufReader, Read, Seek, SeekFrom};
use std::sync::Arc;

use bytes::Bytes;
use parquet::basic::{ConvertedType, LogicalType, Repetition, TimeUnit, Type as Physical};
use parquet::errors::ParquetError;
use parquet::file::reader::{ChunkReader, FileReader, Length, SerializedFileReader};
use parquet::record::reader::TreeBuilder;
use parquet::record::{Field, Row};
use parquet::schema::types::{ColumnDescriptor, SchemaDescriptor, Type, TypePtr};
use serde_json::Value;

use super::cells::{self, Unit};
use super::input::Content;
use super::ndjson::shown;
use super::schema::{Column, Schema};
use super::{CountSource, MAX_BLOCK, Partial, RowCount};

/// Characters of a type name at most.
const MAX_TYPE_TEXT: usize = 2_000;

/// A file whose every read is bounded.
struct Capped {
    file: File,
    len: u64,
}

impl Length for Capped {
    fn len(&self) -> u64 {
        self.len
    }
}

impl ChunkReader for Capped {
    type T = std::io::Take<BufReader<File>>;

    fn get_read(&self, start: u64) -> parquet::errors::Result<Self::T> {
        let mut f = self.file.try_clone()?;
        f.seek(SeekFrom::Start(start))?;
        Ok(BufReader::with_capacity(16 * 1024, f).take(MAX_BLOCK))
    }

    fn get_bytes(&self, start: u64, length: usize) -> parquet::errors::Result<Bytes> {
        use std::os::unix::fs::FileExt;
        if length as u64 > MAX_BLOCK {
            return Err(ParquetError::General(format!(
                "a read of {} at byte {start}, more than the preview reads at once ({})",
                crate::human::bytes(length as u64),
                crate::human::bytes(MAX_BLOCK)
            )));
        }
        if start.saturating_add(length as u64) > self.len {
            return Err(ParquetError::EOF(format!(
                "a read of {length} bytes at byte {start} passes the end of the file ({} bytes)",
                self.len
            )));
        }
        let mut buf = vec![0u8; length];
        self.file.read_exact_at(&mut buf, start)?;
        Ok(buf.into())
    }
}

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

/// A Parquet file ends with the footer's length and `PAR1`: without them
/// it was cut short.
fn check_ends(len: u64, read_at: impl Fn(&mut [u8], u64) -> bool) -> Result<(), String> {
    let mut tail = [0u8; 4];
    if len < 12 || !read_at(&mut tail, len - 4) || &tail != b"PAR1" {
        return Err(format!(
            "a Parquet file without its footer: it does not end with PAR1 ({} bytes; cut short, an interrupted download?). Nothing can be shown: the schema and the row groups' places are in the footer",
            cells::thousands(len)
        ));
    }
    Ok(())
}

fn footer_error(e: ParquetError) -> String {
    format!(
        "the Parquet footer cannot be read ({}): the file is damaged",
        crate::api::sanitise(&e.to_string(), 200)
    )
}

// ---------------------------------------------------------------------------
// Schema.

fn repeated(t: &Type) -> bool {
    let info = t.get_basic_info();
    info.has_repetition() && info.repetition() == Repetition::REPEATED
}

fn is_list(t: &Type) -> bool {
    let info = t.get_basic_info();
    t.is_group()
        && (matches!(info.logical_type_ref(), Some(LogicalType::List))
            || info.converted_type() == ConvertedType::LIST)
        && t.get_fields().len() == 1
}

fn is_map(t: &Type) -> bool {
    let info = t.get_basic_info();
    t.is_group()
        && (matches!(info.logical_type_ref(), Some(LogicalType::Map))
            || matches!(
                info.converted_type(),
                ConvertedType::MAP | ConvertedType::MAP_KEY_VALUE
            ))
        && t.get_fields().len() == 1
        && t.get_fields()[0].is_group()
        && !t.get_fields()[0].get_fields().is_empty()
}

/// The element type of a LIST group (the format's backward-compatibility
/// rules: a repeated primitive, a repeated group of several fields or named
/// `array` / `<list>_tuple` is the element itself).
fn list_element(t: &Type) -> &Type {
    let rep = &t.get_fields()[0];
    if rep.is_primitive()
        || rep.get_fields().len() != 1
        || rep.name() == "array"
        || rep.name() == format!("{}_tuple", t.name())
    {
        rep
    } else {
        &rep.get_fields()[0]
    }
}

/// The (key, value) types of a MAP group.
fn map_entry(t: &Type) -> (&Type, Option<&Type>) {
    let kv = &t.get_fields()[0];
    (&kv.get_fields()[0], kv.get_fields().get(1).map(|v| &**v))
}

fn unit(u: &TimeUnit) -> Unit {
    match u {
        TimeUnit::MILLIS => Unit::Millis,
        TimeUnit::MICROS => Unit::Micros,
        TimeUnit::NANOS => Unit::Nanos,
    }
}

/// The type in upexport's words; a repeated field (outside a LIST) is a
/// list of its type.
fn type_name(t: &Type, budget: &mut usize) -> String {
    let base = base_name(t, budget);
    if repeated(t) {
        format!("list<{base}>")
    } else {
        base
    }
}

fn base_name(t: &Type, budget: &mut usize) -> String {
    if *budget == 0 {
        return "…".into();
    }
    *budget -= 1;
    if is_list(t) {
        let e = list_element(t);
        return format!("list<{}>", base_name(e, budget));
    }
    if is_map(t) {
        let (k, v) = map_entry(t);
        let v = v.map_or_else(|| "null".to_owned(), |v| type_name(v, budget));
        return format!("map<{}, {v}>", type_name(k, budget));
    }
    if t.is_group() {
        let fields: Vec<String> = t
            .get_fields()
            .iter()
            .map(|f| format!("{}: {}", f.name(), type_name(f, budget)))
            .collect();
        let text = format!("struct<{}>", fields.join(", "));
        if text.len() > MAX_TYPE_TEXT {
            let mut cut: String = text.chars().take(MAX_TYPE_TEXT).collect();
            cut.push('…');
            return cut;
        }
        return text;
    }
    primitive_name(t)
}

fn primitive_name(t: &Type) -> String {
    let info = t.get_basic_info();
    if let Some(lt) = info.logical_type_ref() {
        let named = match lt {
            LogicalType::String | LogicalType::Enum => Some("string".to_owned()),
            LogicalType::Json => Some("json".to_owned()),
            LogicalType::Bson => Some("bytes".to_owned()),
            LogicalType::Uuid => Some("uuid".to_owned()),
            LogicalType::Float16 => Some("float16".to_owned()),
            LogicalType::Date => Some("date".to_owned()),
            LogicalType::Decimal(d) => Some(format!("decimal({},{})", d.precision, d.scale)),
            LogicalType::Time(tt) => Some(format!("time({})", unit(&tt.unit).short())),
            LogicalType::Timestamp(ts) => Some(cells::timestamp_type(
                unit(&ts.unit),
                ts.is_adjusted_to_u_t_c,
            )),
            LogicalType::Integer(i) => Some(format!(
                "{}int{}",
                if i.is_signed { "" } else { "u" },
                i.bit_width
            )),
            _ => None,
        };
        if let Some(n) = named {
            return n;
        }
    }
    let named = match info.converted_type() {
        ConvertedType::UTF8 | ConvertedType::ENUM => "string",
        ConvertedType::JSON => "json",
        ConvertedType::BSON => "bytes",
        ConvertedType::DATE => "date",
        ConvertedType::TIME_MILLIS => "time(ms)",
        ConvertedType::TIME_MICROS => "time(us)",
        ConvertedType::TIMESTAMP_MILLIS => "timestamp(ms, UTC)",
        ConvertedType::TIMESTAMP_MICROS => "timestamp(us, UTC)",
        ConvertedType::INT_8 => "int8",
        ConvertedType::INT_16 => "int16",
        ConvertedType::INT_32 => "int32",
        ConvertedType::INT_64 => "int64",
        ConvertedType::UINT_8 => "uint8",
        ConvertedType::UINT_16 => "uint16",
        ConvertedType::UINT_32 => "uint32",
        ConvertedType::UINT_64 => "uint64",
        ConvertedType::INTERVAL => "interval",
        ConvertedType::DECIMAL => {
            return format!("decimal({},{})", t.get_precision(), t.get_scale());
        }
        _ => match t.get_physical_type() {
            Physical::BOOLEAN => "boolean",
            Physical::INT32 => "int32",
            Physical::INT64 => "int64",
            Physical::INT96 => "timestamp(int96)",
            Physical::FLOAT => "float",
            Physical::DOUBLE => "double",
            Physical::BYTE_ARRAY => "bytes",
            Physical::FIXED_LEN_BYTE_ARRAY => {
                return match t {
                    Type::PrimitiveType { type_length, .. } => format!("fixed({type_length})"),
                    Type::GroupType { .. } => "fixed".into(),
                };
            }
        },
    };
    named.to_owned()
}

/// True when the record API cannot turn this column's values into fields
/// (it panics on these combinations of physical and converted type).
fn undecodable(c: &ColumnDescriptor) -> bool {
    use ConvertedType as C;
    let ct = c.converted_type();
    match c.physical_type() {
        Physical::INT32 => !matches!(
            ct,
            C::NONE
                | C::INT_8
                | C::INT_16
                | C::INT_32
                | C::UINT_8
                | C::UINT_16
                | C::UINT_32
                | C::DATE
                | C::TIME_MILLIS
                | C::DECIMAL
        ),
        Physical::INT64 => !matches!(
            ct,
            C::NONE
                | C::INT_64
                | C::UINT_64
                | C::TIME_MICROS
                | C::TIMESTAMP_MILLIS
                | C::TIMESTAMP_MICROS
                | C::DECIMAL
        ),
        Physical::BYTE_ARRAY => !matches!(
            ct,
            C::NONE | C::UTF8 | C::ENUM | C::JSON | C::BSON | C::DECIMAL
        ),
        Physical::FIXED_LEN_BYTE_ARRAY => !matches!(ct, C::NONE | C::DECIMAL),
        _ => false,
    }
}

/// How a top-level field becomes cells.
enum Plan {
    Leaf(TypePtr),
    /// A struct flattened: its fields' plans, in order.
    Struct(Vec<Plan>),
}

impl Plan {
    fn width(&self) -> usize {
        match self {
            Plan::Leaf(_) => 1,
            Plan::Struct(fields) => fields.iter().map(Plan::width).sum(),
        }
    }
}

fn plan(t: &TypePtr, name: &str, nullable: bool, columns: &mut Vec<Column>) -> Plan {
    let nullable = nullable || t.is_optional();
    if t.is_group() && !repeated(t) && !is_list(t) && !is_map(t) {
        return Plan::Struct(
            t.get_fields()
                .iter()
                .map(|f| plan(f, &format!("{name}.{}", f.name()), nullable, columns))
                .collect(),
        );
    }
    let mut budget = MAX_TYPE_TEXT;
    columns.push(Column::new(name, type_name(t, &mut budget), Some(nullable)));
    Plan::Leaf(t.clone())
}

// ---------------------------------------------------------------------------
// Values.

fn nulls(out: &mut Vec<Value>, n: usize) {
    out.extend(std::iter::repeat_n(Value::Null, n));
}

fn fill(plan: &Plan, f: &Field, out: &mut Vec<Value>) {
    match plan {
        Plan::Leaf(t) => out.push(json(f, t)),
        Plan::Struct(fields) => match f {
            Field::Group(row) if row.len() == fields.len() => {
                for (p, (_, v)) in fields.iter().zip(row.get_column_iter()) {
                    fill(p, v, out);
                }
            }
            _ => nulls(out, plan.width()),
        },
    }
}

/// A field as JSON, following its type (units, zones, element types).
fn json(f: &Field, t: &Type) -> Value {
    let lt = t.get_basic_info().logical_type_ref();
    let utc = match lt {
        Some(LogicalType::Timestamp(ts)) => ts.is_adjusted_to_u_t_c,
        // TIMESTAMP_* converted types are UTC; INT96 says nothing.
        _ => t.is_primitive() && t.get_physical_type() != Physical::INT96,
    };
    match f {
        Field::Null => Value::Null,
        Field::Bool(b) => Value::Bool(*b),
        Field::Byte(v) => Value::from(*v),
        Field::Short(v) => Value::from(*v),
        Field::UByte(v) => Value::from(*v),
        Field::UShort(v) => Value::from(*v),
        Field::UInt(v) => Value::from(*v),
        Field::ULong(v) => Value::from(*v),
        Field::Int(v) => match lt {
            Some(LogicalType::Date) => cells::date(*v),
            Some(LogicalType::Time(tt)) => cells::time_of_day(i64::from(*v), unit(&tt.unit)),
            _ => Value::from(*v),
        },
        Field::Long(v) => match lt {
            Some(LogicalType::Timestamp(ts)) => {
                cells::timestamp(*v, unit(&ts.unit), ts.is_adjusted_to_u_t_c)
            }
            Some(LogicalType::Time(tt)) => cells::time_of_day(*v, unit(&tt.unit)),
            _ => Value::from(*v),
        },
        Field::Float16(v) => cells::float(v.to_f32()),
        Field::Float(v) => cells::float(*v),
        Field::Double(v) => cells::double(*v),
        Field::Decimal(d) => cells::decimal(d.data(), d.scale()),
        Field::Str(s) => Value::String(s.clone()),
        Field::Bytes(b) => match (lt, b.data().len()) {
            (Some(LogicalType::Uuid), 16) => {
                let mut u = [0u8; 16];
                u.copy_from_slice(b.data());
                Value::String(uuid_text(&u))
            }
            _ => cells::bytes(b.data()),
        },
        Field::Date(d) => cells::date(*d),
        Field::TimeMillis(v) => cells::time_of_day(i64::from(*v), Unit::Millis),
        Field::TimeMicros(v) => cells::time_of_day(*v, Unit::Micros),
        Field::TimestampMillis(v) => cells::timestamp(*v, Unit::Millis, utc),
        Field::TimestampMicros(v) => cells::timestamp(*v, Unit::Micros, utc),
        Field::Group(row) => object(row, t),
        Field::ListInternal(list) => {
            let item = if is_list(t) { list_element(t) } else { t };
            Value::Array(list.elements().iter().map(|e| json(e, item)).collect())
        }
        Field::MapInternal(map) => {
            let (kt, vt) = if is_map(t) {
                let (k, v) = map_entry(t);
                (k, v.unwrap_or(k))
            } else {
                (t, t)
            };
            Value::Object(
                map.entries()
                    .iter()
                    .map(|(k, v)| {
                        let key = match json(k, kt) {
                            Value::String(s) => s,
                            other => other.to_string(),
                        };
                        (key, json(v, vt))
                    })
                    .collect(),
            )
        }
    }
}

/// A struct inside a list or map: an object of its fields.
fn object(row: &Row, t: &Type) -> Value {
    let types: &[TypePtr] = if t.is_group() { t.get_fields() } else { &[] };
    Value::Object(
        row.get_column_iter()
            .enumerate()
            .map(|(n, (k, v))| {
                let value = match types.get(n) {
                    Some(ft) => json(v, ft),
                    None => json(v, t),
                };
                (k.clone(), value)
            })
            .collect(),
    )
}

fn uuid_text(u: &[u8; 16]) -> String {
    let hex: String = u.iter().map(|b| format!("{b:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..]
    )
}

// ---------------------------------------------------------------------------
// Rows.

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

    let builder = TreeBuilder::new().with_batch_size(max_rows.clamp(1, 1024));
    'groups: for g in 0..reader.num_row_groups() {
        if p.rows.len() >= max_rows {
            break;
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
                break;
            }
        };
        let iter = match builder.as_iter(projected.clone(), rg.as_ref()) {
            Ok(it) => it,
            Err(e) => {
                p.error = Some(stop(e, p.rows.len()));
                break;
            }
        };
        for row in iter {
            match row {
                Ok(row) => {
                    let mut cells = Vec::with_capacity(p.schema.columns.len());
                    let mut fields = row.get_column_iter();
                    for (pl, s) in plans.iter().zip(&skip) {
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
                    break 'groups;
                }
            }
            if p.rows.len() >= max_rows {
                break 'groups;
            }
        }
    }
    if let Some(t) = p.total
        && t.count > p.rows.len() as u64
    {
        p.more = true;
    }
    p
}
