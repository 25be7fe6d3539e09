//! Deterministic sample event rows with the fields of an exported event
//! (API doc section 6), dated inside the job's range and restricted to the
//! requested event types, users and companies.

use chrono::{DateTime, Duration, Utc};
use serde::Serialize;
use serde_json::{Value, json};

use super::rng::Rng;
use super::spec::JobSpec;
use crate::export::KNOWN_EVENT_TYPES;

/// The app token every demo row and answer carries.
pub const APP_TOKEN: &str = "NX-DEMO001";

/// What a column holds, for the typed formats (Parquet, Avro); CSV and
/// NDJSON write every column as text or JSON.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    Text,
    /// A whole number (the screen size).
    Int,
    /// UTC, microseconds since 1970 (`inserted_at`, which the API doc
    /// describes as UTC with microseconds).
    Timestamp,
    /// A JSON object, written as its text (`metadata`).
    Json,
}

/// One column: its name, kind and whether it may be null.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Column {
    pub name: &'static str,
    pub kind: Kind,
    pub nullable: bool,
}

const fn col(name: &'static str, kind: Kind, nullable: bool) -> Column {
    Column {
        name,
        kind,
        nullable,
    }
}

/// The columns of every demo file, in order. Where the vendor is silent
/// (it names the fields of an exported event, section 6 of the API notes,
/// not their types), these are guesses: the typed formats carry
/// `inserted_at` as a UTC timestamp in microseconds, the screen size as
/// integers and `metadata` as JSON text; the fields a browser fills in are
/// null on events sent from a server (`source` `server-api`).
pub(crate) const SCHEMA: [Column; 20] = [
    col("app_token", Kind::Text, false),
    col("event_type", Kind::Text, false),
    col("event_name", Kind::Text, false),
    col("user_id", Kind::Text, true),
    col("company_id", Kind::Text, true),
    col("source", Kind::Text, true),
    col("inserted_at", Kind::Timestamp, false),
    col("internal_event_id", Kind::Text, false),
    col("hostname", Kind::Text, true),
    col("pathname", Kind::Text, true),
    col("screen_width", Kind::Int, true),
    col("screen_height", Kind::Int, true),
    col("device_type", Kind::Text, true),
    col("user_agent", Kind::Text, true),
    col("operating_system", Kind::Text, true),
    col("browser", Kind::Text, true),
    col("browser_language", Kind::Text, true),
    col("session", Kind::Text, true),
    col("country_code", Kind::Text, true),
    col("metadata", Kind::Json, true),
];

/// One value of a row, typed as [`SCHEMA`] says.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Cell<'a> {
    Null,
    Text(&'a str),
    Int(i64),
    /// Microseconds since 1970, UTC.
    Timestamp(i64),
    /// JSON text.
    Json(String),
}

/// One exported event. Field order is [`SCHEMA`]'s.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub(crate) struct Row {
    pub app_token: String,
    pub event_type: String,
    pub event_name: String,
    pub user_id: String,
    pub company_id: String,
    pub source: String,
    /// UTC with microseconds: `2026-10-03T14:05:09.123456Z`.
    pub inserted_at: String,
    pub internal_event_id: String,
    pub hostname: Option<String>,
    pub pathname: Option<String>,
    pub screen_width: Option<i64>,
    pub screen_height: Option<i64>,
    pub device_type: Option<String>,
    pub user_agent: Option<String>,
    pub operating_system: Option<String>,
    pub browser: Option<String>,
    pub browser_language: Option<String>,
    pub session: String,
    pub country_code: String,
    pub metadata: Value,
    /// `inserted_at` as microseconds since 1970 (for the typed formats).
    #[serde(skip)]
    pub at_micros: i64,
}

impl Row {
    /// The values in [`SCHEMA`] order.
    pub(crate) fn values(&self) -> [Cell<'_>; 20] {
        fn text(s: &Option<String>) -> Cell<'_> {
            s.as_deref().map_or(Cell::Null, Cell::Text)
        }
        let int = |n: Option<i64>| n.map_or(Cell::Null, Cell::Int);
        [
            Cell::Text(&self.app_token),
            Cell::Text(&self.event_type),
            Cell::Text(&self.event_name),
            Cell::Text(&self.user_id),
            Cell::Text(&self.company_id),
            Cell::Text(&self.source),
            Cell::Timestamp(self.at_micros),
            Cell::Text(&self.internal_event_id),
            text(&self.hostname),
            text(&self.pathname),
            int(self.screen_width),
            int(self.screen_height),
            text(&self.device_type),
            text(&self.user_agent),
            text(&self.operating_system),
            text(&self.browser),
            text(&self.browser_language),
            Cell::Text(&self.session),
            Cell::Text(&self.country_code),
            Cell::Json(self.metadata.to_string()),
        ]
    }

    /// The columns as text, in [`SCHEMA`] order (a null as an empty
    /// cell, `inserted_at` as written in NDJSON, `metadata` as JSON).
    pub(crate) fn cells(&self) -> [String; 20] {
        self.values().map(|v| match v {
            Cell::Null => String::new(),
            Cell::Text(s) => s.to_owned(),
            Cell::Int(n) => n.to_string(),
            Cell::Timestamp(_) => self.inserted_at.clone(),
            Cell::Json(j) => j,
        })
    }
}

struct Device {
    kind: &'static str,
    os: &'static str,
    browser: &'static str,
    agent: &'static str,
    size: (i64, i64),
}

const DEVICES: [Device; 5] = [
    Device {
        kind: "desktop",
        os: "Mac OS X",
        browser: "Chrome",
        agent: "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/129.0.0.0 Safari/537.36",
        size: (1440, 900),
    },
    Device {
        kind: "desktop",
        os: "Windows",
        browser: "Firefox",
        agent: "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:131.0) Gecko/20100101 Firefox/131.0",
        size: (1920, 1080),
    },
    Device {
        kind: "desktop",
        os: "Windows",
        browser: "Edge",
        agent: "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/129.0.0.0 Safari/537.36 Edg/129.0.0.0",
        size: (1536, 864),
    },
    Device {
        kind: "mobile",
        os: "iOS",
        browser: "Mobile Safari",
        agent: "Mozilla/5.0 (iPhone; CPU iPhone OS 17_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.6 Mobile/15E148 Safari/604.1",
        size: (390, 844),
    },
    Device {
        kind: "tablet",
        os: "Android",
        browser: "Chrome",
        agent: "Mozilla/5.0 (Linux; Android 14; SM-X710) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/129.0.0.0 Safari/537.36",
        size: (1600, 2560),
    },
];

const PATHS: [&str; 8] = [
    "/dashboard",
    "/reports/weekly",
    "/settings/billing",
    "/projects/42/tasks",
    "/onboarding/welcome",
    "/integrations",
    "/team/members",
    "/help",
];
const LANGUAGES: [&str; 6] = ["en-US", "en-GB", "de-DE", "fr-FR", "es-ES", "pt-BR"];
const COUNTRIES: [&str; 8] = ["US", "GB", "DE", "FR", "ES", "BR", "CA", "IN"];
const TRACK_EVENTS: [&str; 5] = [
    "Signed Up",
    "Created Project",
    "Invited Teammate",
    "Exported Report",
    "Upgraded Plan",
];
const FEATURES: [&str; 4] = [
    "feature_a",
    "dashboard_filter_used",
    "report_shared",
    "dark_mode_enabled",
];
const INTERACTIONS: [&str; 4] = [
    "flow_started",
    "flow_completed",
    "checklist_item_completed",
    "survey_submitted",
];
const PLANS: [&str; 4] = ["free", "starter", "pro", "enterprise"];
const USERS: u64 = 60;
const COMPANIES: u64 = 15;

/// The `count` rows of part `part` (0-based) of `parts`: each part covers
/// its share of the range, rows in time order.
pub(crate) fn generate(
    spec: &JobSpec,
    seed: u64,
    part: usize,
    parts: usize,
    count: usize,
) -> Vec<Row> {
    let mut rng = Rng::new(seed ^ (part as u64).wrapping_mul(0x1000_0000_01B3));
    let span = (spec.until - spec.from)
        .num_microseconds()
        .unwrap_or(i64::MAX)
        .max(1);
    let parts = parts.max(1) as i64;
    let lo = span / parts * part as i64;
    let hi = if part as i64 + 1 >= parts {
        span
    } else {
        span / parts * (part as i64 + 1)
    };
    let width = (hi - lo).max(1) as u64;
    let mut offsets: Vec<i64> = (0..count).map(|_| lo + rng.below(width) as i64).collect();
    offsets.sort_unstable();

    let types: Vec<String> = if spec.event_types.is_empty() {
        KNOWN_EVENT_TYPES.iter().map(|s| (*s).to_owned()).collect()
    } else {
        spec.event_types.clone()
    };
    offsets
        .into_iter()
        .map(|off| {
            row(
                &mut rng,
                spec,
                &types,
                spec.from + Duration::microseconds(off),
            )
        })
        .collect()
}

fn row(rng: &mut Rng, spec: &JobSpec, types: &[String], at: DateTime<Utc>) -> Row {
    let user_no = rng.below(USERS) + 1;
    let user_id = if spec.user_ids.is_empty() {
        format!("user-{user_no:04}")
    } else {
        rng.pick(&spec.user_ids).clone()
    };
    let company_no = user_no % COMPANIES + 1;
    let company_id = if spec.company_ids.is_empty() {
        format!("company-{company_no:03}")
    } else {
        rng.pick(&spec.company_ids).clone()
    };
    let event_type = rng.pick(types).clone();
    let device = rng.pick(&DEVICES);
    let pathname = (*rng.pick(&PATHS)).to_owned();
    let (event_name, metadata, source) = match event_type.as_str() {
        "page_view" => (
            "page_view".to_owned(),
            json!({"title": title_of(&pathname), "referrer": ""}),
            "web-client",
        ),
        "track" => {
            let name = *rng.pick(&TRACK_EVENTS);
            (
                name.to_owned(),
                json!({"plan": *rng.pick(&PLANS), "value": rng.below(10) + 1}),
                "web-client",
            )
        }
        "track_feature" => (
            (*rng.pick(&FEATURES)).to_owned(),
            json!({"feature_id": 300 + rng.below(40)}),
            "web-client",
        ),
        "interaction" => (
            (*rng.pick(&INTERACTIONS)).to_owned(),
            json!({"flow_id": 120 + rng.below(12), "step": rng.below(5) + 1}),
            "web-client",
        ),
        "identify_user" => (
            "identify_user".to_owned(),
            json!({"email": format!("{user_id}@acme-demo.com"), "plan": *rng.pick(&PLANS), "name": format!("Demo User {user_no}")}),
            "web-client",
        ),
        "identify_company" => (
            "identify_company".to_owned(),
            json!({"name": format!("Acme Demo {company_no}"), "employees": 10 * (rng.below(50) + 1)}),
            "server-api",
        ),
        "session_start" => (
            "session_start".to_owned(),
            json!({"referrer": "https://www.google.com/"}),
            "web-client",
        ),
        other => (other.to_owned(), json!({}), "server-api"),
    };
    // What a browser fills in; an event sent from a server has none of it.
    let web = source != "server-api";
    let from_web = |s: &str| web.then(|| s.to_owned());
    let language = *rng.pick(&LANGUAGES);
    Row {
        app_token: APP_TOKEN.to_owned(),
        event_type,
        event_name,
        user_id,
        company_id,
        source: source.to_owned(),
        inserted_at: at.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string(),
        internal_event_id: rng.uuid_like(),
        hostname: from_web("app.acme-demo.com"),
        pathname: from_web(&pathname),
        screen_width: web.then_some(device.size.0),
        screen_height: web.then_some(device.size.1),
        device_type: from_web(device.kind),
        user_agent: from_web(device.agent),
        operating_system: from_web(device.os),
        browser: from_web(device.browser),
        browser_language: from_web(language),
        session: rng.uuid_like(),
        country_code: (*rng.pick(&COUNTRIES)).to_owned(),
        metadata,
        at_micros: at.timestamp_micros(),
    }
}

fn title_of(path: &str) -> String {
    let last = path.rsplit('/').find(|s| !s.is_empty()).unwrap_or("home");
    let mut t = last.replace(['-', '_'], " ");
    if let Some(first) = t.get_mut(0..1) {
        first.make_ascii_uppercase();
    }
    format!("{t} · Acme")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::export::Format;

    fn spec() -> JobSpec {
        let d = |s: &str| chrono::DateTime::parse_from_rfc3339(s).unwrap().to_utc();
        JobSpec {
            from: d("2026-10-01T00:00:00Z"),
            until: d("2026-11-01T00:00:00Z"),
            format: Format::Ndjson,
            event_types: vec!["track".into(), "page_view".into()],
            user_ids: vec!["alice".into()],
            company_ids: vec![],
        }
    }

    #[test]
    fn rows_follow_the_request() {
        let s = spec();
        let a = generate(&s, 42, 0, 2, 50);
        let b = generate(&s, 42, 1, 2, 50);
        assert_eq!(a, generate(&s, 42, 0, 2, 50), "deterministic");
        assert_eq!(a.len(), 50);
        for r in a.iter().chain(&b) {
            assert!(r.event_type == "track" || r.event_type == "page_view");
            assert_eq!(r.user_id, "alice");
            assert!(r.inserted_at.starts_with("2026-10-"), "{}", r.inserted_at);
            assert_eq!(r.inserted_at.len(), "2026-10-03T14:05:09.123456Z".len());
            assert!(r.metadata.is_object());
        }
        assert!(a.windows(2).all(|w| w[0].inserted_at <= w[1].inserted_at));
        assert!(
            a.last().unwrap().inserted_at <= b[0].inserted_at,
            "parts in order"
        );
    }

    #[test]
    fn json_keys_in_column_order() {
        let r = &generate(&spec(), 1, 0, 1, 1)[0];
        let text = serde_json::to_string(r).unwrap();
        let mut last = 0;
        for c in SCHEMA.map(|c| c.name) {
            let at = text.find(&format!("\"{c}\":")).unwrap();
            assert!(at >= last, "{c}");
            last = at;
        }
    }
}
