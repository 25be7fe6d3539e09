//! An Avro schema as columns (records flattened into dotted names, types
//! in upexport's words) and the plan that turns a value into their cells.

use std::collections::HashMap;

use apache_avro::Schema as Avro;
use apache_avro::schema::Name;

use super::super::cells::{self, Unit};
use super::super::schema::Column;

/// Characters of a type name at most (a deep schema is cut with `…`).
const MAX_TYPE_TEXT: usize = 2_000;

/// Named types by full name (records, enums, fixed), for `Ref`s.
pub(super) type Names<'s> = HashMap<Name, &'s Avro>;

/// How a value becomes cells.
pub(super) enum Plan<'s> {
    /// One column.
    Leaf(&'s Avro),
    /// A record flattened: its fields' plans, in order.
    Record(Vec<Plan<'s>>),
    /// A union of null and a flattened record.
    Nullable(Box<Plan<'s>>),
}

impl Plan<'_> {
    pub(super) fn width(&self) -> usize {
        match self {
            Plan::Leaf(_) => 1,
            Plan::Record(fields) => fields.iter().map(Plan::width).sum(),
            Plan::Nullable(inner) => inner.width(),
        }
    }
}

/// A `Ref` resolved to the named type it stands for.
pub(super) fn resolve<'s>(s: &'s Avro, names: &Names<'s>) -> &'s Avro {
    match s {
        Avro::Ref { name } => names.get(name).copied().unwrap_or(s),
        other => other,
    }
}

/// The one non-null branch of a union with null, if that is what it is.
pub(super) fn nullable_branch(s: &Avro) -> Option<&Avro> {
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

/// The columns of `s` under `name` (pushed to `columns`) and its plan.
pub(super) fn plan<'s>(
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
pub(super) fn type_name(s: &Avro, names: &Names, budget: &mut usize) -> String {
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
pub(super) fn recursive<'s>(
    s: &'s Avro,
    names: &Names<'s>,
    stack: &mut Vec<&'s Name>,
) -> Option<String> {
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
