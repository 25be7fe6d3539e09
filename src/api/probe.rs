//! `doctor --api`: what a server really answers, reduced to shapes so a
//! user with a real key can show us without showing their data. For each
//! read-only endpoint: the HTTP status, the size, the JSON shape, the
//! fields seen that the client does not read, the fields it expects and
//! did not see, status words and progress forms, and the pagination
//! envelope. No value leaves this module except status words (they name
//! states, not people) and the forms of progress values (`digits`,
//! `digits%`, `decimal`): ids, emails, names, URLs and times are reported
//! as their kind only.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;
use serde_json::Value;

use super::{ApiError, JobState};

/// The fields of one job in GET jobs/ (the vendor's document).
pub const JOB_LIST_FIELDS: [&str; 7] = [
    "job_id",
    "status",
    "progress",
    "start_time",
    "end_time",
    "elapsed_time",
    "elapsed_time_seconds",
];

/// The fields of GET jobs/{id} (the vendor's document).
pub const JOB_STATUS_FIELDS: [&str; 11] = [
    "app_token",
    "job_id",
    "status",
    "type",
    "progress",
    "start_time",
    "end_time",
    "all_chunks",
    "completed_chunks",
    "current_chunk",
    "presigned_urls",
];

/// Fields of a job status the client reads beyond the documented ones:
/// where a failed job's reason may be.
const JOB_STATUS_READ: [&str; 5] = [
    "error",
    "reason",
    "message",
    "failure_reason",
    "error_message",
];

/// The fields of one `presigned_urls` item.
pub const PRESIGNED_FIELDS: [&str; 2] = ["filename", "url"];

/// Fields the client may label a lookup item with (one is enough).
pub const LABEL_FIELDS: [&str; 5] = ["id", "key", "title", "display_name", "name"];

/// What one endpoint answered, as shapes.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Probe {
    /// `GET /api/v1/analytics/exports/…` with ids replaced by `{id}`.
    pub endpoint: String,
    pub http_status: Option<u16>,
    /// The error's kind when the call failed (`unauthorized`, `timeout`…).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    pub bytes: Option<usize>,
    /// `array of 12 objects`, `object`, `page of 50 objects`, `not JSON`…
    pub shape: String,
    /// Every field seen (in the items, for lists), with the kinds of its
    /// values: `string`, `string(number)`, `string(time)`, `null`…
    pub fields: BTreeMap<String, BTreeSet<String>>,
    /// Fields seen that the client does not read.
    pub unknown_fields: Vec<String>,
    /// Fields the client expects and did not see.
    pub missing_fields: Vec<String>,
    /// Status words seen, and whether upexport knows each.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub status_words: Vec<StatusWord>,
    /// The forms of the progress values seen.
    #[serde(skip_serializing_if = "BTreeSet::is_empty")]
    pub progress_forms: BTreeSet<String>,
    /// The pagination envelope's shape (paginated lookups).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pagination: Option<BTreeMap<String, BTreeSet<String>>>,
    /// Anything else worth telling.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct StatusWord {
    pub word: String,
    pub known: bool,
}

/// The kind of a value, never the value: strings are told apart by form
/// only (empty, a number, a time, other).
pub fn kind(v: &Value) -> String {
    match v {
        Value::Null => "null".into(),
        Value::Bool(_) => "bool".into(),
        Value::Number(n) if n.is_f64() => "number".into(),
        Value::Number(_) => "integer".into(),
        Value::String(s) if s.is_empty() => "string(empty)".into(),
        Value::String(s) if s.trim().parse::<f64>().is_ok() => "string(number)".into(),
        Value::String(s) if crate::human::parse_api_time(s).is_some() => "string(time)".into(),
        Value::String(_) => "string".into(),
        Value::Array(a) if a.is_empty() => "array(empty)".into(),
        Value::Array(a) => format!("array of {}", kind(&a[0])),
        Value::Object(_) => "object".into(),
    }
}

/// A field name as reported: names that look like data (an email, a long
/// number or hex id, very long) are replaced, so a server keying an object
/// by user ids shows no ids.
fn field_name(k: &str) -> String {
    let hexish = k.len() >= 12 && k.chars().all(|c| c.is_ascii_hexdigit() || c == '-');
    let digits = k.len() >= 6 && k.chars().all(|c| c.is_ascii_digit());
    if k.contains('@') || hexish || digits || k.len() > 64 || k.chars().any(char::is_control) {
        "(a name like data, not shown)".into()
    } else {
        k.to_owned()
    }
}

/// The form of a progress value: `digits`, `digits%`, `decimal`, `number`,
/// `empty`, or `other`.
fn progress_form(v: &Value) -> String {
    match v {
        Value::Number(n) if n.is_f64() => "number(decimal)".into(),
        Value::Number(_) => "number(integer)".into(),
        Value::Null => "null".into(),
        Value::String(s) => {
            let t = s.trim();
            let digits = |x: &str| !x.is_empty() && x.chars().all(|c| c.is_ascii_digit());
            if t.is_empty() {
                "empty".into()
            } else if digits(t) {
                "digits".into()
            } else if t.strip_suffix('%').is_some_and(digits) {
                "digits%".into()
            } else if t.parse::<f64>().is_ok() {
                "decimal".into()
            } else {
                "other".into()
            }
        }
        _ => kind(v),
    }
}

/// A status word as reported: a short word, or that it is not one.
fn status_word(v: &Value) -> StatusWord {
    let word = match v {
        Value::String(s) => s.trim().to_owned(),
        other => {
            return StatusWord {
                word: format!("({})", kind(other)),
                known: false,
            };
        }
    };
    let wordlike = !word.is_empty()
        && word.len() <= 40
        && word
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, ' ' | '_' | '-'));
    if !wordlike {
        return StatusWord {
            word: if word.is_empty() {
                "(empty)".into()
            } else {
                "(not a word, not shown)".into()
            },
            known: false,
        };
    }
    let known = !JobState::parse(&word).is_unknown();
    StatusWord { word, known }
}

impl Probe {
    fn new(endpoint: &str, status: u16, bytes: usize) -> Probe {
        Probe {
            endpoint: endpoint.to_owned(),
            http_status: Some(status),
            bytes: Some(bytes),
            ..Default::default()
        }
    }

    /// A call that failed: its status (when it had one) and kind only.
    pub fn failed(endpoint: &str, e: &ApiError) -> Probe {
        Probe {
            endpoint: endpoint.to_owned(),
            http_status: e.http_status(),
            error: Some(e.kind().as_str().to_owned()),
            shape: "no answer to read".into(),
            ..Default::default()
        }
    }

    /// A 2xx body that is not JSON.
    pub fn not_json(endpoint: &str, status: u16, bytes: usize) -> Probe {
        Probe {
            shape: "not JSON".into(),
            ..Probe::new(endpoint, status, bytes)
        }
    }

    /// Record the fields of `items` (objects; others counted in a note).
    fn items<'a>(&mut self, items: impl IntoIterator<Item = &'a Value>) -> usize {
        let mut n = 0;
        let mut others = 0;
        for item in items {
            n += 1;
            match item {
                Value::Object(m) => {
                    for (k, v) in m {
                        self.fields
                            .entry(field_name(k))
                            .or_default()
                            .insert(kind(v));
                    }
                }
                _ => others += 1,
            }
        }
        if others > 0 {
            self.notes.push(format!("{others} item(s) are not objects"));
        }
        n
    }

    /// Compare the fields seen with `expected` (and `read`, also read).
    fn compare(&mut self, expected: &[&str], read: &[&str]) {
        self.unknown_fields = self
            .fields
            .keys()
            .filter(|k| !expected.contains(&k.as_str()) && !read.contains(&k.as_str()))
            .cloned()
            .collect();
        self.missing_fields = expected
            .iter()
            .filter(|k| !self.fields.contains_key(**k))
            .map(|k| (*k).to_owned())
            .collect();
    }

    fn words_and_progress<'a>(&mut self, objects: impl IntoIterator<Item = &'a Value>) {
        let mut words = BTreeSet::new();
        for o in objects {
            if let Some(s) = o.get("status") {
                words.insert(status_word(s));
            }
            if let Some(p) = o.get("progress") {
                self.progress_forms.insert(progress_form(p));
            }
        }
        self.status_words = words.into_iter().collect();
    }
}

/// GET jobs/: a bare array of job summaries.
pub fn job_list(endpoint: &str, status: u16, bytes: usize, v: &Value) -> Probe {
    let mut p = Probe::new(endpoint, status, bytes);
    let Value::Array(items) = v else {
        p.shape = format!("{} (a bare array was expected)", kind(v));
        return p;
    };
    let n = p.items(items);
    p.shape = format!("array of {n} item(s)");
    p.compare(&JOB_LIST_FIELDS, &[]);
    p.words_and_progress(items);
    p
}

/// GET jobs/{id}: one job's status.
pub fn job_status(endpoint: &str, status: u16, bytes: usize, v: &Value) -> Probe {
    let mut p = Probe::new(endpoint, status, bytes);
    if !v.is_object() {
        p.shape = format!("{} (an object was expected)", kind(v));
        return p;
    }
    p.shape = "object".into();
    p.items([v]);
    p.compare(&JOB_STATUS_FIELDS, &JOB_STATUS_READ);
    p.words_and_progress([v]);
    if let Some(Value::Array(urls)) = v.get("presigned_urls") {
        let mut inner = Probe::default();
        inner.items(urls);
        inner.compare(&PRESIGNED_FIELDS, &[]);
        for f in inner.unknown_fields {
            p.unknown_fields.push(format!("presigned_urls[].{f}"));
        }
        if !urls.is_empty() {
            for f in inner.missing_fields {
                p.missing_fields.push(format!("presigned_urls[].{f}"));
            }
        }
    }
    let ended = v
        .get("end_time")
        .and_then(Value::as_str)
        .is_some_and(|t| !t.trim().is_empty());
    let word = v.get("status").and_then(Value::as_str).unwrap_or("");
    if ended && JobState::parse(word).is_unknown() {
        p.notes
            .push("end_time is set beside a status word upexport does not know".into());
    }
    p
}

/// The first page of lookup `name`: a bare array, or a page envelope
/// (`data` and `metadata`).
pub fn lookup(endpoint: &str, status: u16, bytes: usize, v: &Value) -> Probe {
    let mut p = Probe::new(endpoint, status, bytes);
    let items = match v {
        Value::Array(items) => {
            p.shape = format!("array of {} item(s)", items.len());
            items
        }
        Value::Object(m) if m.get("data").is_some_and(Value::is_array) => {
            let items = m.get("data").and_then(Value::as_array);
            let items = items.map_or(&[][..], Vec::as_slice);
            p.shape = format!("page of {} item(s)", items.len());
            let mut env = BTreeMap::new();
            flatten("", v, &mut env, 3);
            env.retain(|k, _| !k.starts_with("data"));
            for need in [
                "metadata.cursor.after",
                "metadata.total_count",
                "metadata.limit",
            ] {
                if !env.contains_key(need) {
                    p.notes.push(format!("the page has no {need}"));
                }
            }
            p.pagination = Some(env);
            let mut seen = 0;
            for item in items {
                seen += 1;
                if let Value::Object(m) = item {
                    for (k, v) in m {
                        p.fields.entry(field_name(k)).or_default().insert(kind(v));
                    }
                }
            }
            p.shape = format!("page of {seen} item(s)");
            label_check(&mut p, items);
            return p;
        }
        other => {
            p.shape = format!("{} (an array or a page was expected)", kind(other));
            return p;
        }
    };
    p.items(items);
    label_check(&mut p, items);
    p
}

/// Note items the client cannot label (none of [`LABEL_FIELDS`]).
fn label_check(p: &mut Probe, items: &[Value]) {
    let unlabelled = items
        .iter()
        .filter(|i| !LABEL_FIELDS.iter().any(|k| i.get(*k).is_some()))
        .count();
    if unlabelled > 0 {
        p.missing_fields = LABEL_FIELDS.iter().map(|k| (*k).to_owned()).collect();
        p.notes.push(format!(
            "{unlabelled} item(s) have none of the fields upexport labels items with"
        ));
    }
}

/// The keys of `v` as dotted paths with the kinds of their values, `depth`
/// levels down (arrays are not entered).
fn flatten(prefix: &str, v: &Value, out: &mut BTreeMap<String, BTreeSet<String>>, depth: u8) {
    let Value::Object(m) = v else { return };
    for (k, v) in m {
        let name = if prefix.is_empty() {
            field_name(k)
        } else {
            format!("{prefix}.{}", field_name(k))
        };
        match v {
            Value::Object(_) if depth > 1 => flatten(&name, v, out, depth - 1),
            _ => {
                out.entry(name).or_default().insert(kind(v));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn shapes_not_values() {
        let v = json!([
            {"job_id": "6abe4f3d-2e05-410e-828b-770a1590af2d", "status": "crunching", "progress": "42",
             "start_time": "2026-11-01T10:00:00Z", "owner": {"email": "ops@example.com"},
             "alice@example.com": 1},
            {"job_id": "x", "status": "completed", "progress": "50%"}
        ]);
        let p = job_list("GET jobs/", 200, 300, &v);
        let shown = serde_json::to_string(&p).unwrap();
        for secret in [
            "6abe4f3d",
            "ops@example.com",
            "alice@example.com",
            "2026-11-01",
        ] {
            assert!(!shown.contains(secret), "{secret} in {shown}");
        }
        assert_eq!(p.shape, "array of 2 item(s)");
        assert!(p.unknown_fields.contains(&"owner".to_owned()), "{p:?}");
        assert!(
            p.missing_fields.contains(&"elapsed_time".to_owned()),
            "{p:?}"
        );
        assert_eq!(
            p.status_words,
            [
                StatusWord {
                    word: "completed".into(),
                    known: true
                },
                StatusWord {
                    word: "crunching".into(),
                    known: false
                },
            ]
        );
        assert_eq!(
            p.progress_forms
                .iter()
                .map(String::as_str)
                .collect::<Vec<_>>(),
            ["digits", "digits%"]
        );
        assert!(p.fields["start_time"].contains("string(time)"));
    }

    #[test]
    fn a_status_that_is_not_a_word_is_not_shown() {
        let v =
            json!({"status": "user alice@example.com failed", "end_time": "2026-11-01T10:00:00Z"});
        let p = job_status("GET jobs/{id}", 200, 10, &v);
        assert_eq!(p.status_words[0].word, "(not a word, not shown)");
        assert!(p.missing_fields.contains(&"type".to_owned()));
        assert!(
            p.notes.iter().any(|n| n.contains("end_time is set")),
            "{p:?}"
        );
    }

    #[test]
    fn pages_and_labels() {
        let v = json!({"data": [{"id": 1, "title": "A"}, {"colour": "red"}],
                       "metadata": {"cursor": {"after": "abc", "before": null}, "limit": 50, "extra": true}});
        let p = lookup("GET lookups/segments", 200, 10, &v);
        assert_eq!(p.shape, "page of 2 item(s)");
        let env = p.pagination.clone().unwrap();
        assert!(env["metadata.cursor.after"].contains("string"));
        assert!(env.contains_key("metadata.extra"));
        assert!(
            p.notes
                .iter()
                .any(|n| n.contains("no metadata.total_count")),
            "{p:?}"
        );
        assert!(
            p.notes.iter().any(|n| n.contains("1 item(s) have none")),
            "{p:?}"
        );
        let shown = serde_json::to_string(&p).unwrap();
        assert!(!shown.contains("abc") && !shown.contains("red"), "{shown}");
    }
}
