//! A Parquet schema as columns (top-level groups flattened into dotted
//! names, types in upexport's words), the columns the record API cannot
//! decode, and the plan that turns a row into cells.

use parquet::basic::{ConvertedType, LogicalType, Repetition, TimeUnit, Type as Physical};
use parquet::schema::types::{ColumnDescriptor, Type, TypePtr};

use super::super::cells::{self, Unit};
use super::super::schema::Column;

/// Characters of a type name at most.
const MAX_TYPE_TEXT: usize = 2_000;

pub(super) fn repeated(t: &Type) -> bool {
    let info = t.get_basic_info();
    info.has_repetition() && info.repetition() == Repetition::REPEATED
}

pub(super) fn is_list(t: &Type) -> bool {
    let info = t.get_basic_info();
    t.is_group()
        && (matches!(info.logical_type_ref(), Some(LogicalType::List))
            || info.converted_type() == ConvertedType::LIST)
        && t.get_fields().len() == 1
}

pub(super) fn is_map(t: &Type) -> bool {
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
pub(super) fn list_element(t: &Type) -> &Type {
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
pub(super) fn map_entry(t: &Type) -> (&Type, Option<&Type>) {
    let kv = &t.get_fields()[0];
    (&kv.get_fields()[0], kv.get_fields().get(1).map(|v| &**v))
}

pub(super) fn unit(u: &TimeUnit) -> Unit {
    match u {
        TimeUnit::MILLIS => Unit::Millis,
        TimeUnit::MICROS => Unit::Micros,
        TimeUnit::NANOS => Unit::Nanos,
    }
}

/// The type in upexport's words; a repeated field (outside a LIST) is a
/// list of its type.
pub(super) fn type_name(t: &Type, budget: &mut usize) -> String {
    let base = base_name(t, budget);
    if repeated(t) {
        format!("list<{base}>")
    } else {
        base
    }
}

pub(super) fn base_name(t: &Type, budget: &mut usize) -> String {
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

pub(super) fn primitive_name(t: &Type) -> String {
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
pub(super) fn undecodable(c: &ColumnDescriptor) -> bool {
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
pub(super) enum Plan {
    Leaf(TypePtr),
    /// A struct flattened: its fields' plans, in order.
    Struct(Vec<Plan>),
}

impl Plan {
    pub(super) fn width(&self) -> usize {
        match self {
            Plan::Leaf(_) => 1,
            Plan::Struct(fields) => fields.iter().map(Plan::width).sum(),
        }
    }
}

pub(super) fn plan(t: &TypePtr, name: &str, nullable: bool, columns: &mut Vec<Column>) -> Plan {
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
