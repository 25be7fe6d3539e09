//! Avro values as cells: flattened by the plan, JSON for the rest.

use apache_avro::Schema as Avro;
use apache_avro::types::Value as Av;
use serde_json::Value;

use super::super::cells::{self, Unit};
use super::schema::{Names, Plan, resolve};

/// Push the cells of `v` following `plan`.
pub(super) fn fill(plan: &Plan, v: &Av, names: &Names, out: &mut Vec<Value>) {
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
pub(super) fn json(v: &Av, s: &Avro, names: &Names) -> Value {
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
