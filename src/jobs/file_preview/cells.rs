//! Cells: values as JSON for every format (timestamps, dates, decimals,
//! bytes turned into text the same way for Avro and Parquet), and the one
//! line of text a cell is shown as.
//!
//! - timestamps: RFC 3339 with the unit's digits (3, 6, 9), `Z` when the
//!   format says the value is UTC (Avro `timestamp-*`, Parquet
//!   `isAdjustedToUTC`), no zone for local ones;
//! - dates `YYYY-MM-DD`, times `HH:MM:SS.fff…`;
//! - decimals as text with exactly `scale` digits after the point (no
//!   rounding through a float);
//! - bytes and fixed as standard base64;
//! - floats as the shortest text that reads back the same; NaN and
//!   infinities (which JSON lacks) as the strings "NaN", "inf", "-inf".

use base64::Engine;
use chrono::{DateTime, NaiveDate, NaiveTime};
use serde_json::Value;

/// Longest cell shown, in characters (longer ones end with `…`).
pub const MAX_CELL: usize = 500;

/// A time unit of a timestamp or time of day.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unit {
    Millis,
    Micros,
    Nanos,
}

impl Unit {
    pub fn short(self) -> &'static str {
        match self {
            Unit::Millis => "ms",
            Unit::Micros => "us",
            Unit::Nanos => "ns",
        }
    }

    fn per_second(self) -> i64 {
        match self {
            Unit::Millis => 1_000,
            Unit::Micros => 1_000_000,
            Unit::Nanos => 1_000_000_000,
        }
    }

    fn digits(self) -> usize {
        match self {
            Unit::Millis => 3,
            Unit::Micros => 6,
            Unit::Nanos => 9,
        }
    }
}

/// The type name of a timestamp: `timestamp(us, UTC)`, `timestamp(ms)`.
pub fn timestamp_type(unit: Unit, utc: bool) -> String {
    if utc {
        format!("timestamp({}, UTC)", unit.short())
    } else {
        format!("timestamp({})", unit.short())
    }
}

/// `2024-01-02T03:04:05.123456Z` (a number outside chrono's range stays a
/// number).
pub fn timestamp(v: i64, unit: Unit, utc: bool) -> Value {
    let per = unit.per_second();
    let (secs, frac) = (v.div_euclid(per), v.rem_euclid(per));
    let nanos = frac * (1_000_000_000 / per);
    let Some(t) = u32::try_from(nanos)
        .ok()
        .and_then(|n| DateTime::from_timestamp(secs, n))
    else {
        return Value::from(v);
    };
    let mut s = t.format("%Y-%m-%dT%H:%M:%S").to_string();
    s.push('.');
    s.push_str(&format!("{frac:0width$}", width = unit.digits()));
    if utc {
        s.push('Z');
    }
    Value::String(s)
}

/// `2024-01-02` from days since 1970-01-01.
pub fn date(days: i32) -> Value {
    NaiveDate::from_ymd_opt(1970, 1, 1)
        .and_then(|epoch| epoch.checked_add_signed(chrono::Duration::days(i64::from(days))))
        .map_or(Value::from(days), |d| {
            Value::String(d.format("%Y-%m-%d").to_string())
        })
}

/// `03:04:05.123` from the time since midnight.
pub fn time_of_day(v: i64, unit: Unit) -> Value {
    let per = unit.per_second();
    let (secs, frac) = (v.div_euclid(per), v.rem_euclid(per));
    match u32::try_from(secs)
        .ok()
        .and_then(|s| NaiveTime::from_num_seconds_from_midnight_opt(s, 0))
    {
        Some(t) => Value::String(format!(
            "{}.{frac:0width$}",
            t.format("%H:%M:%S"),
            width = unit.digits()
        )),
        None => Value::from(v),
    }
}

/// A decimal from its unscaled value, big-endian two's complement (Avro and
/// Parquet store them so), with `scale` digits after the point.
pub fn decimal(be: &[u8], scale: i32) -> Value {
    Value::String(decimal_text(be, scale))
}

fn decimal_text(be: &[u8], scale: i32) -> String {
    let negative = be.first().is_some_and(|b| b & 0x80 != 0);
    let mut mag: Vec<u8> = be.to_vec();
    if negative {
        // Two's complement: invert and add one.
        for b in &mut mag {
            *b = !*b;
        }
        for b in mag.iter_mut().rev() {
            let (v, carry) = b.overflowing_add(1);
            *b = v;
            if !carry {
                break;
            }
        }
    }
    // Repeated division by 10 of the big-endian magnitude.
    let mut digits = Vec::new();
    while mag.iter().any(|b| *b != 0) {
        let mut rem = 0u32;
        for b in &mut mag {
            let cur = (rem << 8) | u32::from(*b);
            *b = (cur / 10) as u8;
            rem = cur % 10;
        }
        digits.push(b'0' + rem as u8);
    }
    if digits.is_empty() {
        digits.push(b'0');
    }
    digits.reverse();
    let mut s = String::from_utf8(digits).unwrap_or_default();
    if scale > 0 {
        let scale = scale as usize;
        if s.len() <= scale {
            s = format!("{}{s}", "0".repeat(scale + 1 - s.len()));
        }
        s.insert(s.len() - scale, '.');
    } else if scale < 0 && s != "0" {
        s.push_str(&"0".repeat(scale.unsigned_abs() as usize));
    }
    if negative { format!("-{s}") } else { s }
}

/// Standard base64.
pub fn bytes(b: &[u8]) -> Value {
    Value::String(base64::engine::general_purpose::STANDARD.encode(b))
}

/// A double as a JSON number, or "NaN", "inf", "-inf".
pub fn double(v: f64) -> Value {
    match serde_json::Number::from_f64(v) {
        Some(n) => Value::Number(n),
        None if v.is_nan() => Value::String("NaN".into()),
        None if v > 0.0 => Value::String("inf".into()),
        None => Value::String("-inf".into()),
    }
}

/// A float as the shortest decimal that reads back as the same float
/// (1.1, not 1.100000023841858).
pub fn float(v: f32) -> Value {
    double(v.to_string().parse::<f64>().unwrap_or(f64::from(v)))
}

/// One line, no control or bidi-override characters, at most
/// [`MAX_CELL`] characters.
pub fn cell(s: &str) -> String {
    let mut out = String::with_capacity(s.len().min(MAX_CELL));
    for (n, c) in s
        .chars()
        .filter(|c| {
            !matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}')
        })
        .enumerate()
    {
        if n == MAX_CELL {
            out.push('…');
            break;
        }
        out.push(if c.is_control() { ' ' } else { c });
    }
    out
}

/// A cell as one line of text: null is empty, a string itself, anything
/// else its JSON.
pub fn display(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::String(s) => cell(s),
        other => cell(&other.to_string()),
    }
}

/// `1,234,567`
pub fn thousands(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::with_capacity(s.len() + s.len() / 3);
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_are_one_line() {
        assert_eq!(cell("a\nb\tc\u{1b}[31m\u{202E}d"), "a b c [31md");
        let long = cell(&"é".repeat(MAX_CELL + 5));
        assert_eq!(long.chars().count(), MAX_CELL + 1);
        assert!(long.ends_with('…'));
        assert_eq!(display(&Value::Null), "");
        assert_eq!(display(&serde_json::json!([1, "a"])), "[1,\"a\"]");
    }

    #[test]
    fn decimals_keep_their_scale_and_sign() {
        assert_eq!(decimal_text(&[0x04, 0xCE], 2), "12.30");
        assert_eq!(decimal_text(&[0xFF, 0xFB], 2), "-0.05");
        assert_eq!(decimal_text(&[0x00], 2), "0.00");
        assert_eq!(decimal_text(&[], 0), "0");
        assert_eq!(decimal_text(&[0x80], 0), "-128");
        assert_eq!(decimal_text(&[0x7B], -2), "12300");
        // 2^127 - 1 and -2^127: more than an i64.
        let mut max = vec![0x7F];
        max.extend([0xFF; 15]);
        assert_eq!(
            decimal_text(&max, 38),
            "1.70141183460469231731687303715884105727"
        );
        let mut min = vec![0x80];
        min.extend([0x00; 15]);
        assert_eq!(
            decimal_text(&min, 0),
            "-170141183460469231731687303715884105728"
        );
    }

    #[test]
    fn times_and_dates() {
        assert_eq!(
            timestamp(1_704_164_645_123_456, Unit::Micros, true),
            "2024-01-02T03:04:05.123456Z"
        );
        assert_eq!(
            timestamp(-1, Unit::Millis, false),
            "1969-12-31T23:59:59.999"
        );
        assert_eq!(
            timestamp(1_700_000_000_123_456_789, Unit::Nanos, true),
            "2023-11-14T22:13:20.123456789Z"
        );
        assert_eq!(
            timestamp(i64::MAX, Unit::Millis, true),
            Value::from(i64::MAX)
        );
        assert_eq!(date(0), "1970-01-01");
        assert_eq!(date(-25567), "1900-01-01");
        assert_eq!(time_of_day(3_723_004, Unit::Millis), "01:02:03.004");
        assert_eq!(time_of_day(-1, Unit::Micros), Value::from(-1));
    }

    #[test]
    fn floats_and_counts() {
        assert_eq!(float(1.1), serde_json::json!(1.1));
        assert_eq!(double(f64::NAN), "NaN");
        assert_eq!(double(f64::NEG_INFINITY), "-inf");
        assert_eq!(thousands(1234567), "1,234,567");
        assert_eq!(thousands(999), "999");
    }
}
