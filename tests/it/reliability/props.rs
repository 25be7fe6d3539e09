//! Property tests of the pure parts: list and date parsing, validation and
//! the request body, response decoding, excerpts and the config file.

use std::collections::HashSet;
use std::path::Path;

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveDateTime, NaiveTime, Utc};
use proptest::prelude::*;
use serde_json::Value;
use upexport::api::{CreatedJob, JobStatus, JobSummary, LookupPage, excerpt};
use upexport::config::ConfigFile;
use upexport::export::format::Format;
use upexport::export::list;
use upexport::export::{DateBound, ExportRequest, Field, FormInput, validate};
use upexport::tui::form::FormState;

// ---------------------------------------------------------------------------
// Strategies

/// Characters that tend to break text handling: separators of every kind,
/// controls, bidi overrides, combining marks, wide CJK, emoji, BOM, NEL.
const AWKWARD: &[char] = &[
    ',',
    ';',
    ' ',
    '\t',
    '\n',
    '\r',
    '\u{0}',
    '\u{1b}',
    '\u{7f}',
    '\u{85}',
    '\u{a0}',
    '\u{2028}',
    '\u{2029}',
    '\u{3000}',
    '\u{200b}',
    '\u{200e}',
    '\u{202e}',
    '\u{2066}',
    '\u{feff}',
    '\u{301}',
    '\u{20dd}',
    '中',
    '文',
    '日',
    '本',
    '\u{ff0c}',
    '\u{1f600}',
    '\u{1f468}',
    '\u{200d}',
    '"',
    '\\',
    '@',
    '.',
    '-',
    '<',
    '>',
    '/',
    '\u{fffd}',
];

fn awkward_char() -> impl Strategy<Value = char> {
    prop_oneof![
        3 => proptest::char::range('a', 'e'),
        3 => prop::sample::select(AWKWARD),
        2 => any::<char>(),
    ]
}

/// Any text, weighted towards the awkward characters and short items
/// (so duplicates and separators are common).
fn text() -> impl Strategy<Value = String> {
    prop::collection::vec(awkward_char(), 0..80).prop_map(|cs| cs.into_iter().collect())
}

/// Reference splitter, written independently of `list::parse`: walk the
/// characters, cut at every separator, keep the first of each item.
fn reference_items(raw: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut cur = String::new();
    for c in raw.chars().chain(std::iter::once(',')) {
        // A space is part of an item; the spaces around one are not.
        let sep = c == ',' || c == ';' || c.is_control();
        if sep {
            let item = cur.trim().to_owned();
            if !item.is_empty() && !out.contains(&item) {
                out.push(item);
            }
            cur.clear();
        } else {
            cur.push(c);
        }
    }
    out
}

fn day_in(years: std::ops::RangeInclusive<i32>) -> impl Strategy<Value = NaiveDate> {
    let first = NaiveDate::from_ymd_opt(*years.start(), 1, 1).unwrap();
    let last = NaiveDate::from_ymd_opt(*years.end(), 12, 31).unwrap();
    let span = (last - first).num_days();
    (0..=span).prop_map(move |n| first + Duration::days(n))
}

/// A date-like string: mostly well-formed pieces glued in odd ways.
fn datey() -> impl Strategy<Value = String> {
    prop_oneof![
        text(),
        "[0-9]{1,5}-[0-9]{1,3}-[0-9]{1,3}",
        "[0-9 Tt:+Zz.\\-]{0,40}",
        "[0-9]{4}-[0-9]{2}-[0-9]{2}([Tt ][0-9]{2}:[0-9]{2}(:[0-9]{2}(\\.[0-9]{1,12})?)?([Zz]|[+-][0-9]{2}:?[0-9]{2})?)?",
        "\\PC{0,12}[0-9]{4}-[0-9]{2}-[0-9]{2}\\PC{0,12}",
    ]
}

// ---------------------------------------------------------------------------
// list::parse

fn check_list(raw: &str) -> Result<(), TestCaseError> {
    let items = list::parse(raw);
    let mut seen = HashSet::new();
    for item in &items {
        prop_assert!(!item.is_empty(), "empty item from {raw:?}");
        prop_assert!(
            !item.chars().any(list::is_separator),
            "separator inside {item:?} from {raw:?}"
        );
        prop_assert_eq!(item.trim(), item.as_str(), "untrimmed item from {:?}", raw);
        prop_assert!(seen.insert(item.clone()), "duplicate {item:?} from {raw:?}");
    }
    prop_assert_eq!(&items, &reference_items(raw), "from {:?}", raw);
    prop_assert_eq!(list::parse(&list::join(&items)), items.clone());
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1024))]

    #[test]
    fn list_parse_is_clean_ordered_and_round_trips(raw in text()) {
        check_list(&raw)?;
    }

    #[test]
    fn list_parse_handles_any_string(raw in any::<String>()) {
        check_list(&raw)?;
    }

    #[test]
    fn list_parse_of_pasted_lists(items in prop::collection::vec("[a-c]{1,2}", 0..30),
                                  seps in prop::collection::vec("[ \u{3000}]{0,1}[,;\t\r\n\u{0}\u{1b}\u{85}][ ,;\t\r\n\u{3000}]{0,2}", 30)) {
        // Items separated by runs of separators, spaces around them: each
        // distinct item comes back once, at its first position.
        let mut raw = String::new();
        for (item, sep) in items.iter().zip(&seps) {
            raw.push_str(item);
            raw.push_str(sep);
        }
        let mut want: Vec<String> = Vec::new();
        for i in &items {
            if !want.contains(i) {
                want.push(i.clone());
            }
        }
        prop_assert_eq!(list::parse(&raw), want);
        check_list(&raw)?;
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    #[test]
    fn list_parse_of_huge_inputs(fragment in text(), times in 1usize..20_000) {
        check_list(&fragment.repeat(times))?;
    }
}

#[test]
fn list_parse_of_one_huge_item_and_many_separators() {
    let item = "\u{4e2d}a\u{301}".repeat(1 << 18);
    assert_eq!(list::parse(&format!(" {item} ,{item};")), [item]);
    assert!(list::parse(&",; \t\n\u{0}".repeat(1 << 18)).is_empty());
    let many: Vec<String> = (0..50_000).map(|i| format!("u{i}")).collect();
    let raw = format!("{}\n{}", many.join(","), many.join(";"));
    assert_eq!(list::parse(&raw), many);
}

// ---------------------------------------------------------------------------
// DateBound

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1024))]

    #[test]
    fn date_parse_never_panics(s in datey()) {
        if let Ok(b) = DateBound::parse(&s) {
            // Whatever is accepted goes out as text that reads back the same.
            prop_assert_eq!(DateBound::parse(&b.to_wire()), Ok(b), "from {:?}", s);
        }
    }

    #[test]
    fn date_parse_never_panics_on_any_string(s in any::<String>()) {
        let _ = DateBound::parse(&s);
    }

    #[test]
    fn every_day_parses_to_itself(d in day_in(1000..=9999), pad in "[ \t]{0,2}") {
        let wire = d.format("%Y-%m-%d").to_string();
        let parsed = DateBound::parse(&format!("{pad}{wire}{pad}"));
        prop_assert_eq!(parsed, Ok(DateBound::Date(d)));
        let b = DateBound::Date(d);
        prop_assert_eq!(b.to_wire(), wire.clone());
        prop_assert_eq!(DateBound::parse(&b.to_wire()), Ok(b));
        prop_assert_eq!(b.day(), d);
    }

    #[test]
    fn datetimes_with_offsets_go_to_the_same_instant_in_utc(
        // Weighted to the ends of the 4-digit years, where an offset can
        // push the instant in UTC out of them.
        d in prop_oneof![
            4 => day_in(0..=9999),
            1 => Just(NaiveDate::from_ymd_opt(9999, 12, 31).unwrap()),
            1 => Just(NaiveDate::from_ymd_opt(0, 1, 1).unwrap()),
        ],
        h in 0u32..24, m in 0u32..60, s in 0u32..60,
        nanos in prop_oneof![Just(None), (0u32..1_000_000_000).prop_map(Some)],
        digits in 1usize..=9,
        offset in prop_oneof![Just(None::<i32>), (-(23 * 60 + 59)..=(23 * 60 + 59i32)).prop_map(Some)],
        sep in prop::sample::select(vec!['T', 't', ' ']),
        zulu in prop::sample::select(vec!['Z', 'z']),
    ) {
        let mut text = format!("{}{sep}{h:02}:{m:02}:{s:02}", d.format("%Y-%m-%d"));
        let mut ns = 0;
        if let Some(n) = nanos {
            // Keep `digits` digits of the fraction.
            let frac = format!("{n:09}");
            text.push('.');
            text.push_str(&frac[..digits]);
            ns = frac[..digits].parse::<u32>().unwrap() * 10u32.pow(9 - digits as u32);
        }
        let off_secs = match offset {
            None => {
                text.push(zulu);
                0
            }
            Some(o) => {
                let sign = if o < 0 { '-' } else { '+' };
                text.push_str(&format!("{sign}{:02}:{:02}", o.abs() / 60, o.abs() % 60));
                i64::from(o) * 60
            }
        };
        let local = NaiveDateTime::new(d, NaiveTime::from_hms_nano_opt(h, m, s, ns).unwrap());
        let want: DateTime<Utc> = (local - Duration::seconds(off_secs)).and_utc();

        let got = DateBound::parse(&text);
        if !(0..=9999).contains(&want.year()) {
            // RFC 3339 has 4-digit years only: such an instant has no wire form.
            prop_assert!(got.is_err(), "{:?} from {:?}", got, text);
            return Ok(());
        }
        prop_assert_eq!(got.clone(), Ok(DateBound::DateTime(want)), "from {:?}", text);
        let b = got.unwrap();
        let wire = b.to_wire();
        prop_assert!(wire.ends_with('Z'), "{wire}");
        prop_assert_eq!(DateBound::parse(&wire), Ok(b), "wire {:?} from {:?}", wire, text);
        prop_assert_eq!(b.day(), want.date_naive());
    }

    #[test]
    fn leap_seconds_do_not_panic_and_round_trip(
        d in day_in(1970..=2100), h in 0u32..24, m in 0u32..60,
        off in -(23 * 60 + 59)..=(23 * 60 + 59i32),
    ) {
        let sign = if off < 0 { '-' } else { '+' };
        let text = format!(
            "{}T{h:02}:{m:02}:60{sign}{:02}:{:02}",
            d.format("%Y-%m-%d"), off.abs() / 60, off.abs() % 60
        );
        if let Ok(b) = DateBound::parse(&text) {
            prop_assert_eq!(DateBound::parse(&b.to_wire()), Ok(b), "from {:?}", text);
        }
    }
}

// ---------------------------------------------------------------------------
// validate and the request body

/// `items` joined by runs of separators (with some before and after).
fn separated(item: BoxedStrategy<String>) -> impl Strategy<Value = String> {
    prop::collection::vec(item, 0..6).prop_flat_map(|items| {
        prop::collection::vec("[,; \n\t\r]{1,2}", items.len() + 1).prop_map(move |seps| {
            let mut s = seps[0].clone();
            for (i, item) in items.iter().enumerate() {
                s.push_str(item);
                s.push_str(&seps[i + 1]);
            }
            s
        })
    })
}

fn id_list() -> impl Strategy<Value = String> {
    prop_oneof![
        1 => text(),
        3 => separated(
            prop_oneof![
                "[a-z0-9]{1,3}".boxed(),
                prop::sample::select(upexport::export::KNOWN_EVENT_TYPES.to_vec())
                    .prop_map(str::to_owned)
                    .boxed(),
                "[\"\\\\a-z\u{202e}中\u{301}]{1,4}".boxed(),
            ]
            .boxed()
        ),
    ]
}

fn email_list() -> impl Strategy<Value = String> {
    prop_oneof![
        1 => text(),
        4 => separated("[a-z]{1,3}(\\.[a-z]{1,3})?@[a-z]{1,3}\\.(com|io|de)".boxed()),
    ]
}

fn date_field() -> impl Strategy<Value = String> {
    prop_oneof![
        2 => Just(String::new()),
        1 => Just("  ".to_owned()),
        3 => day_in(1990..=2100).prop_map(|d| d.format("%Y-%m-%d").to_string()),
        2 => (
            prop_oneof![
                day_in(0..=9999),
                Just(NaiveDate::from_ymd_opt(9999, 12, 31).unwrap()),
                Just(NaiveDate::from_ymd_opt(0, 1, 1).unwrap()),
            ],
            0u32..24,
            -1439i32..=1439
        )
            .prop_map(|(d, h, o)| format!(
                "{}T{h:02}:00:00{}{:02}:{:02}",
                d.format("%Y-%m-%d"),
                if o < 0 { '-' } else { '+' },
                o.abs() / 60,
                o.abs() % 60
            )),
        1 => datey(),
    ]
}

fn form() -> impl Strategy<Value = FormInput> {
    (
        date_field(),
        date_field(),
        email_list(),
        id_list(),
        id_list(),
        id_list(),
        prop_oneof![1 => text(), 3 => "[0-9]{0,4}", 1 => " ?[0-9]{1,4} ?"],
        prop::option::of(prop::sample::select(Format::ALL.to_vec())),
        prop_oneof![text(), Just(String::new())],
    )
        .prop_map(
            |(
                from,
                to,
                emails,
                event_type,
                user_id,
                company_id,
                segment_id,
                format,
                exclusions,
            )| {
                FormInput {
                    from,
                    to,
                    emails,
                    event_type,
                    user_id,
                    company_id,
                    segment_id,
                    format,
                    exclusions,
                }
            },
        )
}

/// True when `v` holds an empty string, an empty array or a null anywhere.
fn has_empty(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::String(s) => s.is_empty(),
        Value::Array(a) => a.is_empty() || a.iter().any(has_empty),
        Value::Object(o) => o.values().any(has_empty),
        _ => false,
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn validate_never_panics_and_ok_bodies_round_trip(input in form(), today in day_in(2000..=2100)) {
        let Ok(v) = validate(&input, today) else { return Ok(()) };
        let req = v.request;
        let json = req.to_json();
        let back: ExportRequest = serde_json::from_str(&json)
            .map_err(|e| TestCaseError::fail(format!("{e}: {json}")))?;
        prop_assert_eq!(&back, &req, "{}", json);
        let value: Value = serde_json::from_str(&json).unwrap();
        prop_assert!(value.is_object());
        prop_assert!(!has_empty(&value), "{json}");
        for empty in [":\"\"", ":[]", ":null", "[]"] {
            prop_assert!(!json.contains(empty), "{empty} in {json}");
        }
        // The form that request reloads into validates to the same request.
        let again = validate(&req.to_form(), today).map(|v| v.request);
        prop_assert_eq!(again, Ok(req));
    }

    #[test]
    fn validate_never_panics_on_any_strings(
        f in prop::collection::vec(any::<String>(), 9), today in day_in(1..=9999)
    ) {
        let input = FormInput {
            from: f[0].clone(),
            to: f[1].clone(),
            emails: f[2].clone(),
            event_type: f[3].clone(),
            user_id: f[4].clone(),
            company_id: f[5].clone(),
            segment_id: f[6].clone(),
            format: None,
            exclusions: f[8].clone(),
        };
        if let Ok(v) = validate(&input, today) {
            let json = v.request.to_json();
            prop_assert_eq!(serde_json::from_str::<ExportRequest>(&json).ok(), Some(v.request));
        }
    }
}

// ---------------------------------------------------------------------------
// Response decoding and excerpts

const FIELDS: &[&str] = &[
    "job_id",
    "status",
    "progress",
    "type",
    "app_token",
    "start_time",
    "end_time",
    "all_chunks",
    "completed_chunks",
    "current_chunk",
    "presigned_urls",
    "filename",
    "url",
    "links",
    "environment_name",
    "error",
    "reason",
    "message",
    "data",
    "metadata",
    "cursor",
    "after",
    "before",
    "limit",
    "total_count",
    "errors",
    "details",
    "error_code",
    "elapsed_time",
];

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(Value::from),
        prop::sample::select(vec![
            "completed",
            "failed",
            "pending",
            "50%",
            "0.5",
            "NaN",
            "inf",
            "-1e999",
            "",
            "https://x.io/a/b.gz?s=1",
            "../../etc/passwd",
            "..",
        ])
        .prop_map(|s| Value::String(s.to_owned())),
        text().prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 64, 8, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..8).prop_map(Value::Array),
            prop::collection::vec(
                (
                    prop_oneof![prop::sample::select(FIELDS).prop_map(str::to_owned), text()],
                    inner
                ),
                0..8
            )
            .prop_map(|kv| Value::Object(kv.into_iter().collect())),
        ]
    })
}

fn decode_all(bytes: &[u8]) {
    if let Ok(j) = serde_json::from_slice::<JobStatus>(bytes) {
        let _ = (j.state(), j.chunks(), j.failure_reason());
        if let Some(f) = j.fraction() {
            assert!((0.0..=1.0).contains(&f), "fraction {f}");
        }
        for (i, p) in j.presigned_urls.iter().enumerate() {
            let name = p.safe_filename(i);
            assert!(!name.is_empty() && !name.contains(['/', '\\']) && name != "..");
        }
    }
    if let Ok(c) = serde_json::from_slice::<CreatedJob>(bytes) {
        let _ = c.job_id;
    }
    if let Ok(s) = serde_json::from_slice::<JobSummary>(bytes) {
        let _ = s.state();
    }
    let _ = serde_json::from_slice::<Vec<JobSummary>>(bytes);
    let _ = serde_json::from_slice::<LookupPage>(bytes);
}

fn check_excerpt(bytes: &[u8]) -> Result<(), TestCaseError> {
    let e = excerpt(bytes);
    prop_assert!(
        e.chars().count() <= 201,
        "{} chars: {e:?}",
        e.chars().count()
    );
    prop_assert!(!e.chars().any(char::is_control), "control char in {e:?}");
    prop_assert!(
        !e.contains(['\n', '\r', '\u{2028}', '\u{2029}', '\u{202e}']),
        "{e:?}"
    );
    Ok(())
}

/// An error envelope with arbitrary strings in it.
fn envelope() -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec((text(), text(), "[a-z_]{0,12}"), 0..6).prop_map(|items| {
        let errors: Vec<Value> = items
            .into_iter()
            .map(|(m, d, c)| serde_json::json!({"message": m, "details": d, "error_code": c}))
            .collect();
        serde_json::json!({ "errors": errors })
            .to_string()
            .into_bytes()
    })
}

fn html() -> impl Strategy<Value = Vec<u8>> {
    (text(), text(), any::<bool>()).prop_map(|(title, body, with_title)| {
        let head = if with_title {
            format!("<head><TITLE lang=\"x\">{title}</title></head>")
        } else {
            String::new()
        };
        format!(
            "<!DOCTYPE html>\n<html>{head}<body><h1>{body}</h1>\n{}</body></html>",
            "x".repeat(300)
        )
        .into_bytes()
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn decoding_arbitrary_bytes_never_panics(bytes in prop::collection::vec(any::<u8>(), 0..256)) {
        decode_all(&bytes);
        check_excerpt(&bytes)?;
    }

    #[test]
    fn decoding_arbitrary_json_never_panics(v in json_value()) {
        let bytes = v.to_string().into_bytes();
        decode_all(&bytes);
        check_excerpt(&bytes)?;
    }

    #[test]
    fn excerpts_are_one_short_line(
        bytes in prop_oneof![
            prop::collection::vec(any::<u8>(), 0..2048),
            text().prop_map(String::into_bytes),
            any::<String>().prop_map(String::into_bytes),
            envelope(),
            html(),
        ]
    ) {
        check_excerpt(&bytes)?;
    }
}

/// Each decoding `decode_all` does: the type's name and whether it took
/// `bytes` (the client turns an error here into a bad-response error).
fn decodes(bytes: &[u8]) -> Vec<(&'static str, Result<(), serde_json::Error>)> {
    fn one<T: serde::de::DeserializeOwned>(
        name: &'static str,
        bytes: &[u8],
    ) -> (&'static str, Result<(), serde_json::Error>) {
        (name, serde_json::from_slice::<T>(bytes).map(drop))
    }
    vec![
        one::<JobStatus>("JobStatus", bytes),
        one::<CreatedJob>("CreatedJob", bytes),
        one::<JobSummary>("JobSummary", bytes),
        one::<Vec<JobSummary>>("Vec<JobSummary>", bytes),
        one::<LookupPage>("LookupPage", bytes),
    ]
}

/// How deep serde_json nests before it refuses (its documented limit).
const JSON_DEPTH_LIMIT: usize = 128;

#[test]
fn deeply_nested_json_is_refused_not_overflowed() {
    for depth in [10, 200, 100_000] {
        let arrays = format!("{}{}", "[".repeat(depth), "]".repeat(depth));
        let objects = format!("{}1{}", "{\"data\":".repeat(depth), "}".repeat(depth));
        // The shapes each type reads all the way down: nested arrays are a
        // lookup page (a struct reads from an array too), nested objects a
        // job, its status or a summary (other fields are kept or skipped).
        // Every other type refuses them at the first bracket.
        for (text, descend) in [
            (&arrays, &["LookupPage"][..]),
            (&objects, &["JobStatus", "CreatedJob", "JobSummary"][..]),
        ] {
            // No stack overflow (it would abort the whole test binary).
            decode_all(text.as_bytes());
            for (name, result) in decodes(text.as_bytes()) {
                let deep = depth > JSON_DEPTH_LIMIT;
                if deep {
                    let e = result
                        .err()
                        .unwrap_or_else(|| panic!("{name} took JSON {depth} deep"));
                    if descend.contains(&name) {
                        assert!(
                            e.classify() == serde_json::error::Category::Syntax
                                && e.to_string().starts_with("recursion limit exceeded"),
                            "{name} at depth {depth}: {e}"
                        );
                    }
                } else if descend.contains(&name) {
                    // The control: the same shape, shallow, is taken, so
                    // what refuses the deep one is its depth.
                    assert!(result.is_ok(), "{name} at depth {depth}: {result:?}");
                }
            }
        }
    }
}

// ---------------------------------------------------------------------------
// Config file

fn tomlish() -> impl Strategy<Value = String> {
    let key = prop_oneof![
        prop::sample::select(vec![
            "default_profile",
            "download_dir",
            "base_url",
            "api_key",
            "api_key_file",
            "api_key_command",
            "request_timeout_secs",
            "connect_timeout_secs",
            "profiles",
        ])
        .prop_map(str::to_owned),
        "[a-z_\\.]{1,10}",
    ];
    let value = prop_oneof![
        "\"[^\"\\\\\n]{0,12}\"",
        "-?[0-9]{1,25}",
        Just("true".to_owned()),
        Just("[1, \"a\"]".to_owned()),
        Just("{ a = 1 }".to_owned()),
        text(),
    ];
    let line = prop_oneof![
        (key.clone(), "[ ]{0,2}=[ ]{0,2}", value).prop_map(|(k, e, v)| format!("{k}{e}{v}")),
        key.clone().prop_map(|k| format!("[profiles.{k}]")),
        key.prop_map(|k| format!("[{k}]")),
        text(),
    ];
    prop::collection::vec(line, 0..12).prop_map(|lines| lines.join("\n"))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn config_parse_never_panics(text in prop_oneof![tomlish(), text(), any::<String>()]) {
        if let Err(e) = ConfigFile::parse(&text, Path::new("/tmp/config.toml")) {
            let msg = e.to_string();
            prop_assert!(msg.contains("/tmp/config.toml"), "{msg}");
        }
    }
}

// ---------------------------------------------------------------------------
// The form's per-field caches

/// What `validate` on the whole form says about `field`: (first error,
/// first warning).
fn messages(input: &FormInput, today: NaiveDate, field: Field) -> (Option<String>, Option<String>) {
    match validate(input, today) {
        Ok(v) => (
            None,
            v.warnings
                .into_iter()
                .find(|w| w.field == field)
                .map(|w| w.message),
        ),
        Err(issues) => (
            issues
                .into_iter()
                .find(|i| i.field == field)
                .map(|i| i.message),
            None,
        ),
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    /// The TUI re-checks only the list field that changed; whatever the
    /// order of edits, its messages, counts and body preview are those of
    /// `validate` on the whole form.
    #[test]
    fn form_checks_after_edits_equal_validating_the_whole_form(
        start in form(),
        edits in prop::collection::vec((0usize..9, form()), 1..6),
        today in day_in(2020..=2030),
    ) {
        let mut state = FormState::from_input(&start, today);
        state.touch_all();
        for (which, source) in edits {
            let field = Field::ALL[which];
            match source.text(field) {
                Some(text) => state.set_text(field, text, today),
                None => state.set_format(source.format.unwrap_or_default(), today),
            }
            let input = state.to_input();
            for f in Field::ALL {
                let (error, warning) = messages(&input, today, f);
                prop_assert_eq!(state.error(f).map(str::to_owned), error, "error of {:?}", f);
                prop_assert_eq!(state.warning(f).map(str::to_owned), warning, "warning of {:?}", f);
                if f.is_list() {
                    prop_assert_eq!(state.count(f), list::parse(input.text(f).unwrap_or("")).len());
                }
            }
            let whole = validate(&input, today)
                .ok()
                .map(|v| v.request.to_json_pretty().lines().take(60).collect::<Vec<_>>().join("\n"));
            prop_assert_eq!(state.body_preview.clone(), whole);
        }
    }
}

// ---------------------------------------------------------------------------
// Splitting a range (queue add --split, the TUI's queue choices)

fn any_day() -> impl Strategy<Value = NaiveDate> {
    // 2019-01-01 .. about 2031: leap years, month ends, year ends.
    (0i64..4500).prop_map(|n| NaiveDate::from_ymd_opt(2019, 1, 1).unwrap() + Duration::days(n))
}

fn any_split() -> impl Strategy<Value = upexport::jobs::queue::Split> {
    use upexport::jobs::queue::Split;
    prop_oneof![Just(Split::Monthly), (0u32..400).prop_map(Split::Days)]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// Under the reading that `to` is inclusive (the API does not say),
    /// the pieces of a split cover every day of the range once: the first
    /// starts on `from`, the last ends on `to`, each starts the day after
    /// the one before ends, and their days add up to the range's.
    #[test]
    fn a_split_leaves_no_day_out_and_counts_none_twice(
        a in any_day(),
        len in 0i64..800,
        by in any_split(),
    ) {
        use upexport::jobs::queue::{Split, split_range};
        let (from, to) = (a, a + Duration::days(len));
        let pieces = split_range(from, to, by);
        prop_assert!(!pieces.is_empty());
        prop_assert_eq!(pieces[0].0, from);
        prop_assert_eq!(pieces[pieces.len() - 1].1, to);
        let mut days = 0;
        for (i, (s, e)) in pieces.iter().enumerate() {
            prop_assert!(s <= e, "{s} > {e}");
            if i > 0 {
                prop_assert_eq!(pieces[i - 1].1.succ_opt(), Some(*s));
            }
            match by {
                Split::Monthly => {
                    prop_assert_eq!((s.year(), s.month()), (e.year(), e.month()));
                }
                Split::Days(n) => prop_assert!((*e - *s).num_days() < i64::from(n.max(1))),
            }
            days += (*e - *s).num_days() + 1;
        }
        prop_assert_eq!(days, len + 1);
        // Backwards: nothing.
        if len > 0 {
            prop_assert!(split_range(to, from, by).is_empty());
        }
    }
}
