//! Parquet fields as cells: flattened by the plan, JSON for the rest,
//! following each column's logical type (units, zones, decimals, UUIDs).

use parquet::basic::{LogicalType, Type as Physical};
use parquet::record::{Field, Row};
use parquet::schema::types::{Type, TypePtr};
use serde_json::Value;

use super::super::cells::{self, Unit};
use super::schema::{Plan, is_list, is_map, list_element, map_entry, unit};

pub(super) fn nulls(out: &mut Vec<Value>, n: usize) {
    out.extend(std::iter::repeat_n(Value::Null, n));
}

pub(super) fn fill(plan: &Plan, f: &Field, out: &mut Vec<Value>) {
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
pub(super) fn json(f: &Field, t: &Type) -> Value {
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
pub(super) fn object(row: &Row, t: &Type) -> Value {
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

pub(super) fn uuid_text(u: &[u8; 16]) -> String {
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
