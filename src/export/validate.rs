//! Validation of the raw form into an [`ExportRequest`]: pure, shared by the
//! TUI (inline messages) and the CLI (exit code 2).

use chrono::NaiveDate;

use super::date::DateBound;
use super::email;
use super::list;
use super::relative_date;
use super::request::{ExportRequest, Field, FormInput};

/// Event types the API documents. Others are allowed with a warning.
pub const KNOWN_EVENT_TYPES: [&str; 7] = [
    "identify_user",
    "identify_company",
    "interaction",
    "track",
    "track_feature",
    "page_view",
    "session_start",
];

/// A message about one field.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Issue {
    pub field: Field,
    pub message: String,
}

impl Issue {
    fn new(field: Field, message: impl Into<String>) -> Self {
        Issue {
            field,
            message: message.into(),
        }
    }
}

impl std::fmt::Display for Issue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.field.label(), self.message)
    }
}

/// A request ready to send, with anything worth a second look.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Validated {
    pub request: ExportRequest,
    pub warnings: Vec<Issue>,
}

/// Check every field; `today` is the current day in UTC
/// ([`relative_date::today_utc`]): relative dates (`today`, `yesterday`,
/// `7d`) count from it, and "in the future" warnings compare with it.
/// Errors block the submit; warnings do not.
pub fn validate(input: &FormInput, today: NaiveDate) -> Result<Validated, Vec<Issue>> {
    let mut errors = Vec::new();
    let mut warnings = Vec::new();

    let mut date = |field: Field, raw: &str| -> Option<DateBound> {
        if raw.trim().is_empty() {
            return None;
        }
        if let Some(day) = relative_date::resolve(raw, today) {
            return Some(DateBound::Date(day));
        }
        DateBound::parse(raw)
            .map_err(|m| errors.push(Issue::new(field, m)))
            .ok()
    };
    let from = date(Field::From, &input.from);
    let to = date(Field::To, &input.to);

    if let (Some(f), Some(t)) = (from, to)
        && start_of(f) > start_of(t)
    {
        errors.push(Issue::new(
            Field::To,
            format!(
                "ends before it starts ({} is after {})",
                f.to_wire(),
                t.to_wire()
            ),
        ));
    } else if let (Some(f), Some(t)) = (from, to)
        && (t.day() - f.day()).num_days() > 366
    {
        warnings.push(Issue::new(
            Field::To,
            format!(
                "range is {} days: a long export can take hours; consider splitting it",
                (t.day() - f.day()).num_days() + 1
            ),
        ));
    }
    if let Some(t) = to
        && t.day() > today
    {
        warnings.push(Issue::new(
            Field::To,
            "ends in the future: the export holds data up to now",
        ));
    } else if let Some(f) = from
        && f.day() > today
    {
        warnings.push(Issue::new(
            Field::From,
            "starts in the future: the export may be empty",
        ));
    }

    let emails = check_list(Field::Emails, &input.emails);
    if let Some(e) = emails.error {
        errors.push(Issue::new(Field::Emails, e));
    }
    let event_type = check_list(Field::EventType, &input.event_type);
    if let Some(w) = event_type.warning {
        warnings.push(Issue::new(Field::EventType, w));
    }

    let segment = input.segment_id.trim();
    if segment.contains(|c: char| list::is_separator(c) || c.is_whitespace()) {
        errors.push(Issue::new(
            Field::SegmentId,
            "one segment id only (no spaces or commas)",
        ));
    }

    if !errors.is_empty() {
        return Err(errors);
    }
    let opt = |s: &str| (!s.is_empty()).then(|| s.to_owned());
    Ok(Validated {
        request: ExportRequest {
            from,
            to,
            emails: owned(emails.items),
            event_type: owned(event_type.items),
            user_id: list::parse(&input.user_id),
            company_id: list::parse(&input.company_id),
            segment_id: opt(segment),
            format: input.format,
            exclusions: opt(input.exclusions.trim()),
        },
        warnings,
    })
}

fn owned(items: Vec<&str>) -> Vec<String> {
    items.into_iter().map(str::to_owned).collect()
}

/// One list field parsed and checked on its own: what [`validate`] says
/// about it does not depend on the other fields, so a caller can keep this
/// while the field's text stays the same (the TUI does, per key press).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ListCheck<'a> {
    /// Distinct items in first-seen order ([`list::parse`]), borrowed.
    pub items: Vec<&'a str>,
    /// The field's error (invalid email addresses), if any.
    pub error: Option<String>,
    /// The field's warning (undocumented event types), if any.
    pub warning: Option<String>,
}

/// Parse and check the list field `field` (for other fields: no messages).
pub fn check_list(field: Field, raw: &str) -> ListCheck<'_> {
    let items = list::parse_borrowed(raw);
    let mut error = None;
    let mut warning = None;
    match field {
        Field::Emails => {
            let bad: Vec<String> = items
                .iter()
                .filter_map(|e| email::problem(e).map(|why| format!("{e} ({why})")))
                .collect();
            if !bad.is_empty() {
                let noun = if bad.len() == 1 {
                    "invalid address"
                } else {
                    "invalid addresses"
                };
                error = Some(format!("{noun}: {}", bad.join(", ")));
            }
        }
        Field::EventType => {
            let unknown: Vec<&str> = items
                .iter()
                .copied()
                .filter(|t| !KNOWN_EVENT_TYPES.contains(t))
                .collect();
            if !unknown.is_empty() {
                warning = Some(format!(
                    "not a documented event type: {}",
                    unknown.join(", ")
                ));
            }
        }
        _ => {}
    }
    ListCheck {
        items,
        error,
        warning,
    }
}

/// The errors for one field only (for inline messages while typing).
pub fn field_errors(input: &FormInput, today: NaiveDate, field: Field) -> Vec<String> {
    match validate(input, today) {
        Ok(_) => Vec::new(),
        Err(issues) => issues
            .into_iter()
            .filter(|i| i.field == field)
            .map(|i| i.message)
            .collect(),
    }
}

/// Parse a JSON body (`--body-file`) through the same checks as the form,
/// so a file gets the same messages as typing. Unknown keys are refused
/// (they are nearly always typos the API would silently ignore).
pub fn validate_json(body: &str, today: NaiveDate) -> Result<Validated, Vec<String>> {
    let value: serde_json::Value =
        serde_json::from_str(body).map_err(|e| vec![format!("not valid JSON: {e}")])?;
    let serde_json::Value::Object(map) = value else {
        return Err(vec!["the body must be a JSON object".into()]);
    };
    let mut problems = Vec::new();
    let mut input = FormInput::default();
    // List items exactly as the array gives them: never split again.
    let mut exact: Vec<(Field, Vec<String>)> = Vec::new();
    for (key, v) in &map {
        let Some(field) = Field::ALL.into_iter().find(|f| f.json_name() == key) else {
            let known: Vec<&str> = Field::ALL.iter().map(|f| f.json_name()).collect();
            problems.push(format!(
                "unknown field '{key}' (known: {})",
                known.join(", ")
            ));
            continue;
        };
        let text = match (field.is_list(), v) {
            (_, serde_json::Value::Null) => String::new(),
            (true, serde_json::Value::Array(items)) => {
                let mut parts = Vec::new();
                for item in items {
                    match item {
                        serde_json::Value::String(s) => parts.push(s.clone()),
                        serde_json::Value::Number(n) => parts.push(n.to_string()),
                        _ => problems.push(format!("{key}: items must be strings")),
                    }
                }
                let text = list::join_raw(&parts);
                exact.push((field, parts));
                text
            }
            (_, serde_json::Value::String(s)) => s.clone(),
            (false, serde_json::Value::Number(n)) if field == Field::SegmentId => n.to_string(),
            _ => {
                let want = if field.is_list() {
                    "an array of strings"
                } else {
                    "a string"
                };
                problems.push(format!("{key}: must be {want}"));
                continue;
            }
        };
        if field == Field::Format {
            if !text.trim().is_empty() {
                match text.parse() {
                    Ok(f) => input.format = Some(f),
                    Err(e) => problems.push(format!("format: {e}")),
                }
            }
        } else if let Some(slot) = input.text_mut(field) {
            *slot = text;
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    let mut v = validate(&input, today)
        .map_err(|issues| issues.iter().map(Issue::to_string).collect::<Vec<_>>())?;
    for (field, items) in exact {
        let mut seen = std::collections::HashSet::new();
        let items: Vec<String> = items
            .into_iter()
            .filter(|i| !i.is_empty() && seen.insert(i.clone()))
            .collect();
        match field {
            Field::Emails => v.request.emails = items,
            Field::EventType => v.request.event_type = items,
            Field::UserId => v.request.user_id = items,
            Field::CompanyId => v.request.company_id = items,
            _ => {}
        }
    }
    Ok(v)
}

/// The moment a bound starts, for ordering a date against a datetime.
fn start_of(b: DateBound) -> chrono::DateTime<chrono::Utc> {
    match b {
        DateBound::Date(d) => d.and_time(chrono::NaiveTime::MIN).and_utc(),
        DateBound::DateTime(dt) => dt,
    }
}
