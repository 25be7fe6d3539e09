//! The body of `POST /api/v1/analytics/exports`, read leniently into what
//! the demo needs to plan a job: the time range, format and filters.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde_json::Value;

use crate::export::{DateBound, Format};

/// What one export job covers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct JobSpec {
    /// First instant covered.
    pub from: DateTime<Utc>,
    /// First instant no longer covered (exclusive end).
    pub until: DateTime<Utc>,
    pub format: Format,
    pub event_types: Vec<String>,
    pub user_ids: Vec<String>,
    pub company_ids: Vec<String>,
}

/// Days covered when the body gives no `from`.
const DEFAULT_DAYS: i64 = 30;

/// Read a create body. An empty body counts as `{}` (no field is required).
/// Unknown fields are ignored (the vendor does not say what it does with
/// them). Types are checked as strictly as the vendor's schema states them
/// (lists are arrays of strings; `segment_id`, `exclusions`, `from`, `to`
/// and `format` are strings; `null` is none of these), so a client that
/// sent a number or a bare string would fail here rather than pass. The
/// error is a message for a 422 answer.
pub(crate) fn parse(body: &[u8], today: NaiveDate) -> Result<JobSpec, String> {
    let value: Value = if body.iter().all(u8::is_ascii_whitespace) {
        Value::Object(Default::default())
    } else {
        serde_json::from_slice(body)
            .map_err(|e| format!("the request body is not valid JSON: {e}"))?
    };
    let Value::Object(map) = value else {
        return Err("the request body must be a JSON object".into());
    };

    let format = match map.get("format") {
        None => Format::Ndjson,
        Some(Value::String(s)) => s
            .parse::<Format>()
            .ok()
            .filter(|f| f.as_str() == s)
            .ok_or_else(|| {
                format!("format '{s}' is not supported: use one of avro, csv, ndjson, parquet")
            })?,
        Some(_) => return Err("format must be a string: one of avro, csv, ndjson, parquet".into()),
    };

    let bound = |key: &str| -> Result<Option<DateBound>, String> {
        match map.get(key) {
            None => Ok(None),
            Some(Value::String(s)) => DateBound::parse(s)
                .map(Some)
                .map_err(|e| format!("{key}: {e}")),
            Some(_) => Err(format!("{key} must be a string (YYYY-MM-DD or RFC 3339)")),
        }
    };
    let from = bound("from")?.map(|b| match b {
        DateBound::Date(d) => midnight(d),
        DateBound::DateTime(dt) => dt,
    });
    let until = bound("to")?.map(|b| match b {
        DateBound::Date(d) => midnight(d) + Duration::days(1),
        DateBound::DateTime(dt) => dt + Duration::microseconds(1),
    });
    let (from, until) = match (from, until) {
        (Some(f), Some(u)) => (f, u),
        (Some(f), None) => (
            f,
            (midnight(today) + Duration::days(1)).max(f + Duration::days(1)),
        ),
        (None, Some(u)) => (u - Duration::days(DEFAULT_DAYS), u),
        (None, None) => {
            let u = midnight(today) + Duration::days(1);
            (u - Duration::days(DEFAULT_DAYS), u)
        }
    };
    if from >= until {
        return Err("from must not be after to".into());
    }

    strings(&map, "emails")?;
    for key in ["segment_id", "exclusions"] {
        match map.get(key) {
            None | Some(Value::String(_)) => {}
            Some(v) => return Err(format!("{key} must be a string, not {}", kind(v))),
        }
    }
    Ok(JobSpec {
        from,
        until,
        format,
        event_types: strings(&map, "event_type")?,
        user_ids: strings(&map, "user_id")?,
        company_ids: strings(&map, "company_id")?,
    })
}

/// What JSON type `v` is, for messages.
fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

fn midnight(d: NaiveDate) -> DateTime<Utc> {
    d.and_time(chrono::NaiveTime::MIN).and_utc()
}

/// An optional array of strings.
fn strings(map: &serde_json::Map<String, Value>, key: &str) -> Result<Vec<String>, String> {
    match map.get(key) {
        None => Ok(Vec::new()),
        Some(Value::Array(items)) => items
            .iter()
            .map(|v| match v {
                Value::String(s) => Ok(s.clone()),
                v => Err(format!(
                    "{key} must be an array of strings; it holds {}",
                    kind(v)
                )),
            })
            .collect(),
        Some(v) => Err(format!(
            "{key} must be an array of strings, not {}",
            kind(v)
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 15).unwrap()
    }

    #[test]
    fn dates_become_a_half_open_range() {
        let s = parse(
            br#"{"from":"2026-10-01","to":"2026-10-31","format":"csv"}"#,
            today(),
        )
        .unwrap();
        assert_eq!(s.from.to_rfc3339(), "2026-10-01T00:00:00+00:00");
        assert_eq!(s.until.to_rfc3339(), "2026-11-01T00:00:00+00:00");
        assert_eq!(s.format, Format::Csv);
    }

    #[test]
    fn empty_body_is_the_last_thirty_days_of_ndjson() {
        let s = parse(b"", today()).unwrap();
        assert_eq!(s.until - s.from, Duration::days(30));
        assert_eq!(s.format, Format::Ndjson);
    }

    #[test]
    fn refusals() {
        for body in [
            &b"[1]"[..],
            b"{nope",
            br#"{"format":"xml"}"#,
            br#"{"format":"CSV"}"#,
            br#"{"from":"2026-13-01"}"#,
            br#"{"from":"2026-10-02","to":"2026-10-01"}"#,
            br#"{"event_type":"track"}"#,
            // Types the vendor's schema rules out.
            br#"{"segment_id":101}"#,
            br#"{"emails":"a@b.co"}"#,
            br#"{"exclusions":["x"]}"#,
            br#"{"user_id":["u1",7]}"#,
            br#"{"company_id":null}"#,
            br#"{"from":null}"#,
        ] {
            assert!(
                parse(body, today()).is_err(),
                "{}",
                String::from_utf8_lossy(body)
            );
        }
    }

    #[test]
    fn filters_are_kept() {
        let s = parse(
            br#"{"event_type":["track"],"user_id":["u1","7"],"emails":["a@b.co"],"segment_id":"101","exclusions":"x","extra":1}"#,
            today(),
        )
        .unwrap();
        assert_eq!(s.event_types, ["track"]);
        assert_eq!(s.user_ids, ["u1", "7"]);
        assert!(s.company_ids.is_empty());
    }
}
